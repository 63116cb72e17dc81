"""The bound-compliance report: the JSON document, the page, atomic writing, and the plugin that writes them (serial and xdist)."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from bounds import BOUNDS
from verify.judge.evidence import Evidence, Instance, Ledger, Verdict
from verify.report import NOT_CHECKED, ReportWriteError, build, check_writable, write_report
from verify.report import compliance as compliance_module
from verify.report import writer
from verify.report.compliance import RESULT_KEYS, SCHEMA, SCHEMA_VERSION
from verify.report.example import FINDING, sample_ledger
from verify.report.html import render

pytest_plugins = ("pytester",)

ROOT = Path(__file__).resolve().parents[1]
RUN = {"profile": "ci", "seed": 0, "exit_status": 0, "tests": {"passed": 1}}


@pytest.fixture(scope="module")
def doc() -> dict:
    # Not a fixture named `ledger`: the plugin takes a run that uses one for a run of checks.
    sample = sample_ledger()
    return build(sample, RUN, figures=sample.figures)


def _strict(text: str) -> dict:
    def refuse(name):
        raise ValueError(f"non-standard JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


# ------------------------------------------------------------------ the document
def test_every_bound_is_listed_and_unchecked_ones_say_so(doc):
    assert doc["schema"] == SCHEMA and doc["schema_version"] == SCHEMA_VERSION
    assert [b["id"] for b in doc["bounds"]] == list(BOUNDS)
    checked = {r["bound_id"] for r in doc["results"]}
    for b in doc["bounds"]:
        assert b["mathml"].startswith("<math") and b["reference"] and b["statement"]
        assert len(b["preconditions"]) == len(BOUNDS[b["id"]].preconditions)
        assert (b["verdict"] == NOT_CHECKED) == (b["id"] not in checked)
    assert doc["summary"]["bounds"][NOT_CHECKED] == len(BOUNDS) - len(checked)


def test_a_result_carries_every_field_of_the_schema(doc):
    for r in doc["results"]:
        assert set(RESULT_KEYS) <= set(r), set(RESULT_KEYS) - set(r)
    lemma = next(r for r in doc["results"] if r["bound_id"] == "lemma_4_8")
    assert lemma["worst_instance"]["seed"] and lemma["replay"].startswith("python -m verify.replay")
    assert lemma["negative_control_caught"] is True and lemma["confidence_bound"] is None
    finding = next(r for r in doc["results"] if r["finding"])
    assert finding["finding"] == FINDING
    assert next(f for f in doc["findings"] if f["id"] == FINDING)["reproduced"] is True


def test_the_json_is_strict_even_for_infinite_ratios():
    ledger = Ledger()
    b = BOUNDS["lemma_4_8"]
    ledger.record(Evidence(b.id, b.reference, b.kind.value, "f", Verdict.VIOLATED, 1, 1,
                           worst_ratio=float("inf"), ratios=[0.5, float("inf"), float("nan")]))
    text = compliance_module.dumps(build(ledger, RUN))
    result = _strict(text)["results"][0]
    assert result["worst_ratio"] == "Infinity" and result["ratios"][1:] == ["Infinity", "NaN"]


def test_fields_added_to_evidence_later_reach_the_report():
    @dataclass
    class WithConfidence(Evidence):
        confidence_bound: float | None = None
        samples: int = 0

    b = BOUNDS["lemma_4_8"]
    ledger = Ledger()
    ledger.record(WithConfidence(b.id, b.reference, b.kind.value, "f", Verdict.HOLDS, confidence_bound=0.93,
                                 samples=1000))
    r = build(ledger, RUN)["results"][0]
    assert r["confidence_bound"] == 0.93 and r["samples"] == 1000


def test_the_merge_does_not_depend_on_arrival_order():
    # Serial and xdist runs hand records over in different orders; the merged view must not care.
    b = BOUNDS["lemma_4_8"]
    parts = [Evidence(b.id, b.reference, b.kind.value, "f", Verdict.HOLDS, 300, 300, worst_ratio=0.1 * i,
                      worst_instance=Instance("c", i, {"i": i}), ratios=[0.1 * i] * 300, note=f"part {i}")
             for i in range(1, 5)]
    views = []
    for order in (parts, parts[::-1], parts[2:] + parts[:2]):
        ledger = Ledger()
        for ev in order:
            ledger.record(ev)
        views.append([ev.to_dict() for ev in ledger])
    assert views[0] == views[1] == views[2]


def test_evidence_survives_the_trip_from_a_worker():
    b = BOUNDS["lemma_4_8"]
    ev = Evidence(b.id, b.reference, b.kind.value, "f", Verdict.VIOLATED, 3, 2, worst_ratio=1.5,
                  worst_instance=Instance("c", 7, {"alpha": 0.5}), finding="x", ratios=[1.5, 0.2])
    back = Evidence.from_dict(json.loads(json.dumps(ev.to_dict())))
    assert back == ev


# ------------------------------------------------------------------ the page
def test_the_page_shows_statements_findings_plots_and_replays(doc):
    html = render(doc)
    assert html.count("<math") >= len(BOUNDS)
    assert 'http-equiv="Content-Security-Policy"' in html and "<script" not in html
    assert "Findings" in html and "Failing step" in html and "(145)" in html
    assert "violated, not recorded" in html  # the sample's unrecorded violation
    assert html.count('class="plot histogram"') == 3  # one per sample result with two or more ratios
    assert "Figure 2 (a): exact gradients" in html
    assert "python -m verify.replay" in html
    assert not re.findall(r"""(?<!xmlns=")(?<!xmlns:xlink=")https?://""", html)


def test_the_page_escapes_what_the_checks_wrote(doc):
    hostile = json.loads(json.dumps(doc))
    hostile["results"][0]["family"] = "<script>alert(1)</script>"
    hostile["results"][0]["note"] = "<img src=x onerror=alert(1)>"
    html = render(hostile)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_two_figures_in_one_page_do_not_share_ids(doc):
    html = render(doc)
    ids = re.findall(r'\bid="([^"]+)"', html)
    svg_ids = [i for i in ids if not i.startswith(("bound-", "finding-", "summary", "findings", "results", "figures"))]
    duplicated = {i for i in svg_ids if svg_ids.count(i) > 1}
    assert not duplicated, sorted(duplicated)[:5]


# ------------------------------------------------------------------ writing
def _report_files(directory) -> dict[str, bytes]:
    # The report's own files; its .cache/ directory holds what the next run may reuse, not the report.
    return {p.name: p.read_bytes() for p in directory.iterdir() if p.is_file()}


def _good_report(tmp_path, doc) -> dict[str, bytes]:
    write_report(tmp_path, doc)
    return _report_files(tmp_path)


def test_a_failed_render_leaves_the_good_report(tmp_path, doc, monkeypatch):
    before = _good_report(tmp_path, doc)
    assert set(before) == {"compliance.json", "index.html", "erratum.html", "junit.xml"}

    def broken(*_):
        raise RuntimeError("template bug")

    monkeypatch.setattr("verify.report.html.render", broken)
    with pytest.raises(RuntimeError):
        write_report(tmp_path, {**doc, "results": []})
    assert _report_files(tmp_path) == before


def test_a_failed_write_halfway_leaves_the_good_report_and_no_temporary(tmp_path, doc, monkeypatch):
    before = _good_report(tmp_path, doc)
    real = writer.write_temporary
    calls = []

    def disk_full_on_second(directory, name, text):
        calls.append(name)
        if len(calls) == 2:
            real(directory, name, text[: len(text) // 2])  # a half-written temporary, then the failure
            raise OSError(28, "No space left on device")
        return real(directory, name, text)

    monkeypatch.setattr(writer, "write_temporary", disk_full_on_second)
    with pytest.raises(ReportWriteError, match="No space left on device"):
        write_report(tmp_path, {**doc, "results": []})
    after = _report_files(tmp_path)
    assert {k: v for k, v in after.items() if not k.endswith(".tmp")} == before
    # The half-written temporary of the failing call is the only kind that could be left; clean it.
    assert len([k for k in after if k.endswith(".tmp")]) <= 1


def test_an_unwritable_report_dir_is_a_clear_error(tmp_path, doc):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(ReportWriteError, match=r"cannot write the report to .*a-file/reports.*--report-dir"):
        check_writable(blocker / "reports")
    with pytest.raises(ReportWriteError, match="cannot write the report"):
        write_report(blocker / "reports", doc)


def test_the_junit_file_fails_only_what_fails_the_run(tmp_path, doc):
    import xml.etree.ElementTree as ET

    write_report(tmp_path, doc)
    root = ET.parse(tmp_path / "junit.xml").getroot()
    suite = root.find("testsuite[@name='bound compliance']")
    failed = [c.get("classname") for c in suite.iter("testcase") if c.find("failure") is not None]
    assert failed == ["bounds.eq_30b_descent_lemma"]  # the unrecorded violation; the known finding passes
    assert int(suite.get("tests")) == len(doc["results"]) + doc["summary"]["bounds"][NOT_CHECKED]


# ------------------------------------------------------------------ the plugin
CHECKS = '''
import numpy as np
from bounds import BOUNDS
from verify.judge.evidence import Evidence, Instance, Verdict

def _check(ledger, family, scale):
    b = BOUNDS["lemma_4_8"]
    values = dict(L=1.0, rho=2.0, alpha=0.5, norm_w_minus_u=0.1, grad_F_diff_norm=0.3 * scale,
                  grad_fi_norm_w=np.array([1.0, 3.0]), grad_fi_norm_u=np.array([0.0, 0.0]))
    a = b.assess(values)
    ledger.record(Evidence(b.id, b.reference, b.kind.value, family, Verdict.HOLDS, 1, 1, worst_ratio=a.ratio,
                           worst_lhs=a.lhs, worst_rhs=a.rhs, worst_instance=Instance("lemma", 1, {"scale": scale}),
                           ratios=[a.ratio, a.ratio / 2], negative_control="rhs / 100", negative_control_caught=True))

def test_a(ledger): _check(ledger, "one", 1.0)
def test_b(ledger): _check(ledger, "one", 0.5)
def test_c(ledger): _check(ledger, "two", 0.25)
def test_d(ledger): _check(ledger, "two", 1.0)
'''


# The same records without the registry: xdist workers then start in about a second.
LIGHT_CHECKS = '''
from verify.judge.evidence import Evidence, Instance, Verdict

def _check(ledger, family, ratio):
    ledger.record(Evidence("lemma_4_8", "Lemma 4.8, eq. (15)", "pointwise", family, Verdict.HOLDS, 1, 1,
                           worst_ratio=ratio, worst_lhs=ratio, worst_rhs=1.0,
                           worst_instance=Instance("lemma", 1, {"ratio": ratio}), ratios=[ratio, ratio / 2],
                           negative_control="rhs / 100", negative_control_caught=True, note=f"ratio {ratio}"))

def test_a(ledger): _check(ledger, "one", 0.75)
def test_b(ledger): _check(ledger, "one", 0.375)
def test_c(ledger): _check(ledger, "two", 0.1875)
def test_d(ledger): _check(ledger, "two", 0.75)
'''


def _comparable(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "run"}


def test_the_plugin_writes_the_report_at_session_end(pytester):
    pytester.makepyfile(test_checks=CHECKS)
    out = pytester.runpytest("-p", "verify.plugin", "--report-dir", "out", "-p", "no:cacheprovider")
    out.assert_outcomes(passed=4)
    out.stdout.fnmatch_lines(["verify: report *junit.xml, *index.html, *compliance.json (written in *s)"])
    doc = _strict((pytester.path / "out" / "compliance.json").read_text())
    assert [(r["family"], r["instances"]) for r in doc["results"]] == [("one", 2), ("two", 2)]
    assert doc["run"]["tests"]["passed"] == 4 and doc["run"]["exit_status"] == 0
    assert doc["run"]["packages"]["numpy"]
    assert (pytester.path / "out" / "index.html").stat().st_size > 10_000


def test_the_run_prints_the_time_of_its_statistical_checks(pytester):
    # The statistical checks' time is printed against their target.  Tests in a file
    # named like one of verify's statistical files count; others do not.
    (pytester.path / "verify" / "checks").mkdir(parents=True)
    (pytester.path / "verify" / "checks" / "test_moments.py").write_text(CHECKS)
    pytester.makepyfile(test_other="def test_plain(): pass")
    out = pytester.runpytest("-p", "verify.plugin", "--report-dir", "out", "-p", "no:cacheprovider",
                             "--rootdir", str(pytester.path))
    out.assert_outcomes(passed=5)
    out.stdout.fnmatch_lines(["verify: statistical checks *s of test time over 4 tests (target under the ci "
                              "profile: 120s)"])


def test_a_run_without_checks_leaves_the_report_alone(pytester):
    pytester.makepyfile(test_plain="def test_nothing(): pass")
    pytester.runpytest("-p", "verify.plugin", "-p", "no:cacheprovider").assert_outcomes(passed=1)
    assert not (pytester.path / "reports" / "compliance.json").exists()


@pytest.mark.parametrize("option, target", [("--report-dir", "blocker/reports"),
                                              ("--verify-shard-out", "blocker/shard.json")])
def test_an_unwritable_output_stops_the_run_before_the_checks(pytester, option, target):
    pytester.makepyfile(test_checks=CHECKS)
    (pytester.path / "blocker").write_text("a file, not a directory")
    out = pytester.runpytest("-p", "verify.plugin", option, target, "-p", "no:cacheprovider")
    assert out.ret == pytest.ExitCode.USAGE_ERROR
    # The message names the option to change, and only that one.
    out.stderr.fnmatch_lines([f"*{option}: cannot write the report to *blocker*choose another directory with {option};*"])


def test_the_json_format_writes_no_pages_and_the_shard_file_holds_the_ledger(pytester):
    pytester.makepyfile(test_checks=CHECKS)
    out = pytester.runpytest("-p", "verify.plugin", "--report-format", "json", "--verify-shard-out", "shard.json",
                             "-p", "no:cacheprovider")
    out.assert_outcomes(passed=4)
    written = {p.name for p in (pytester.path / "reports").iterdir() if p.is_file()}
    assert written == {"compliance.json", "junit.xml"}
    shard = json.loads((pytester.path / "shard.json").read_text())
    doc = json.loads((pytester.path / "reports" / "compliance.json").read_text())
    assert len({(e["bound_id"], e["family"]) for e in shard["evidence"]}) == len(doc["results"])
    assert [o[1] for o in shard["outcomes"]].count("passed") == 4 and shard["exit_status"] == 0


def test_xdist_reports_what_a_serial_run_reports(pytester, monkeypatch):
    pytest.importorskip("xdist")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the subprocesses import verify from this checkout
    pytester.makepyfile(test_checks=LIGHT_CHECKS)
    common = ("-p", "verify.plugin", "-p", "no:cacheprovider")
    serial_run = pytester.runpytest_subprocess(*common, "--report-dir", "serial")
    assert serial_run.ret == 0, serial_run.outlines[-30:]
    parallel_run = pytester.runpytest_subprocess(*common, "--report-dir", "parallel", "-n", "2")
    assert parallel_run.ret == 0, parallel_run.outlines[-30:]
    serial = _strict((pytester.path / "serial" / "compliance.json").read_text())
    parallel = _strict((pytester.path / "parallel" / "compliance.json").read_text())
    assert parallel["run"]["workers"] == 2 and serial["run"]["workers"] == 0
    assert _comparable(parallel) == _comparable(serial)
    assert parallel["run"]["tests"] == serial["run"]["tests"]


INTERRUPTIBLE = '''
import os
from verify.judge.evidence import Evidence, Verdict

def test_first(ledger):
    ledger.record(Evidence("lemma_4_8", "Lemma 4.8, eq. (15)", "pointwise", "one", Verdict.HOLDS, 1, 1,
                           worst_ratio=0.5))

def test_second(ledger):
    if os.environ.get("PRESS_CTRL_C"):
        raise KeyboardInterrupt
    ledger.record(Evidence("lemma_4_8", "Lemma 4.8, eq. (15)", "pointwise", "two", Verdict.HOLDS, 1, 1,
                           worst_ratio=0.25))
'''


def test_an_interrupted_run_never_replaces_a_complete_report(pytester, monkeypatch):
    pytester.makepyfile(test_checks=INTERRUPTIBLE)
    args = ("-p", "verify.plugin", "--report-dir", "out", "-p", "no:cacheprovider")
    pytester.runpytest(*args).assert_outcomes(passed=2)
    complete = (pytester.path / "out" / "compliance.json").read_text()
    monkeypatch.setenv("PRESS_CTRL_C", "1")
    out = pytester.runpytest_inprocess(*args, no_reraise_ctrlc=True)  # the Ctrl-C stays inside the inner run
    assert out.ret == pytest.ExitCode.INTERRUPTED
    out.stdout.fnmatch_lines(["*verify: run INTERRUPTED: its partial report is *interrupted*"])
    assert (pytester.path / "out" / "compliance.json").read_text() == complete
    partial = _strict((pytester.path / "out" / "interrupted" / "compliance.json").read_text())
    assert partial["run"]["interrupted"] is True
    assert [r["family"] for r in partial["results"]] == ["one"]
    assert _strict(complete)["run"]["interrupted"] is False


def test_a_killed_runs_temporary_files_are_removed_by_the_next_run(pytester):
    pytester.makepyfile(test_checks=INTERRUPTIBLE)
    out_dir = pytester.path / "out"
    (out_dir / "interrupted").mkdir(parents=True)
    stale = [out_dir / ".compliance.json.abc123.tmp", out_dir / ".index.html.x.tmp",
             out_dir / "interrupted" / ".junit.xml.y.tmp"]
    for path in stale:
        path.write_text("")  # what a SIGKILL during the write leaves
    keep = out_dir / "notes.tmp"
    keep.write_text("not ours")
    pytester.runpytest("-p", "verify.plugin", "--report-dir", "out", "-p", "no:cacheprovider").assert_outcomes(
        passed=2)
    assert not any(p.exists() for p in stale)
    assert keep.exists()


@pytest.mark.parametrize("seed", ["-1", str(2 ** 63)])
def test_a_seed_that_is_no_seed_is_a_usage_error(pytester, seed):
    pytester.makepyfile(test_checks=INTERRUPTIBLE)
    out = pytester.runpytest("-p", "verify.plugin", "--report-dir", "out", "-p", "no:cacheprovider",
                             "--verify-seed", seed)
    assert out.ret == pytest.ExitCode.USAGE_ERROR
    out.stderr.fnmatch_lines(["*--verify-seed: * is not a seed*"])


DRAW_SCRIPT = '''
import json, sys
from hypothesis import settings
import verify.plugin as plugin
settings.load_profile(plugin.HYPOTHESIS_PROFILES["ci"])
if sys.argv[1] == "fixed":
    plugin._without_local_constants()
if sys.argv[2] == "more-modules":
    import verify.checks.moments, verify.checks.bias, verify.checks.table_1_scaling, verify.checks.h1_counterexample  # noqa: F401  (their literals)
from verify.checks.pointwise import CASES_BY_ID
from verify.checks.test_pointwise import draw_instances
print(json.dumps([i.to_json() for i in draw_instances(CASES_BY_ID["eq_35_meta_gradient@quadratic-mixed"], 0, "ci")]))
'''


def _draws(mode: str, modules: str) -> list:
    out = subprocess.run([sys.executable, "-c", DRAW_SCRIPT, mode, modules], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_checks_instances_do_not_depend_on_the_modules_the_process_loaded():
    """Serial, -n 2 and -k runs load different modules before a check draws: its instances must not change.

    Hypothesis mixes literal constants of the loaded local modules into its draws; the plugin
    turns that off (``verify.plugin._without_local_constants``), so the same check draws the
    same instances however the run was composed.
    """
    assert _draws("fixed", "few") == _draws("fixed", "more-modules")


def test_finding_prose_is_reflowed_into_paragraphs_and_the_budget_is_in_words():
    from verify.report.html import budget_words, paragraphs

    text = "False as printed.  The proof's step\nbounds the product by one factor.\n\nA second paragraph\nwrapped."
    assert str(paragraphs(text)) == ("<p>False as printed. The proof&#39;s step bounds the product by one factor.</p>"
                                     "<p>A second paragraph wrapped.</p>")
    assert str(paragraphs("a < b\nc")) == "<p>a &lt; b c</p>"  # escaped, not trusted
    words = budget_words({"total": 0.001, "shares": {"expectation": 0.2, "table_1": 0.15},
                          "method": "Bonferroni within each share"})
    assert words == "0.001 per run, Bonferroni within each share (expectation 20%, table 1 15%)"
    assert "{" not in words


def test_findings_are_grouped_by_kind_and_none_is_dropped(doc):
    from verify.report.html import render

    base = {"where": "w", "summary": "s", "counterexample": "c", "failing_step": "f", "check": "c", "results": [],
            "reproduced": True}
    kinds = ["false", "gap", "inconsistency", "typo", "loose", "novel"]
    page = render({**doc, "findings": [{**base, "id": f"finding-{k}", "kind": k} for k in kinds]})
    for k in kinds:
        assert f'id="finding-finding-{k}"' in page, k
    order = [page.index(f'id="findings-{k}"') for k in kinds]
    assert order == sorted(order)  # false, gap, inconsistency, typo, loose, then any other kind
