"""The CI gate: which differences from the baseline fail it, its table, and the errors for a baseline it cannot read."""
from __future__ import annotations

import copy
import json
from fractions import Fraction

import pytest

# Imported by the outer run so that pytester's in-process runs below reuse them: pytester
# forgets modules first imported inside a run, and numpy cannot be loaded twice in a process.
import bounds  # noqa: F401
import verify.checks.pointwise  # noqa: F401
import verify.checks.test_pointwise  # noqa: F401
from verify.report.compliance import SCHEMA, SCHEMA_VERSION, dumps
from verify.report.gate import UPDATE_COMMAND, baseline_of, compare, main, table

pytest_plugins = ("pytester",)


def _result(bound_id, family, verdict="holds", caught=True, finding=None):
    return {"bound_id": bound_id, "family": family, "verdict": verdict, "negative_control_caught": caught,
            "finding": finding}


def _report(results, findings=(), exit_status=0, profile="ci"):
    return {"schema": SCHEMA, "schema_version": SCHEMA_VERSION,
            "run": {"profile": profile, "seed": 0, "exit_status": exit_status},
            "results": list(results), "findings": list(findings), "bounds": [], "figures": [], "summary": {}}


@pytest.fixture
def report():
    return _report([
        _result("lemma_4_8", "quadratic-indefinite", "holds", True),
        _result("lemma_4_8", "rank-one", "holds", True),
        _result("eq_30b_descent_lemma", "trigonometric", "holds", True),
        _result("lemma_4_9_first_moment", "regression", "inconclusive", None),
        _result("theorem_h_1_accuracy", "units", "violated", None, finding="h1-finding"),
    ], findings=[{"id": "h1-finding", "reproduced": True}])


def _fails(baseline, current):
    return [(c.what, c.bound_id, c.family) for c in compare(baseline, current) if c.fails]


def _edit(report, bound_id, family, **changes):
    out = copy.deepcopy(report)
    for r in out["results"]:
        if (r["bound_id"], r["family"]) == (bound_id, family):
            r.update(changes)
    return out


def test_the_same_report_passes(report):
    assert compare(baseline_of(report), report) == []


def test_a_worse_verdict_fails(report):
    worse = _edit(report, "lemma_4_8", "rank-one", verdict="violated")
    assert _fails(baseline_of(report), worse) == [("verdict worsened", "lemma_4_8", "rank-one")]


def test_holds_turning_into_no_admitted_instance_fails(report):
    vacuous = _edit(report, "lemma_4_8", "rank-one", verdict="precondition_failed")
    assert _fails(report, vacuous) == [("verdict worsened", "lemma_4_8", "rank-one")]


def test_a_new_recorded_finding_must_be_accepted_on_purpose(report):
    found = _edit(report, "eq_30b_descent_lemma", "trigonometric", verdict="violated", finding="new-finding")
    assert _fails(baseline_of(report), found) == [("verdict worsened", "eq_30b_descent_lemma", "trigonometric")]


def test_a_vanished_pair_fails_and_a_new_one_does_not(report):
    current = copy.deepcopy(report)
    current["results"] = [r for r in current["results"] if r["family"] != "rank-one"]
    current["results"].append(_result("lemma_4_8", "noisy", "holds"))
    changes = compare(baseline_of(report), current)
    assert [(c.what, c.family, c.fails) for c in changes] == [
        ("pair disappeared", "rank-one", True), ("new pair", "noisy", False)]


def test_a_negative_control_no_longer_caught_fails(report):
    blind = _edit(report, "lemma_4_8", "quadratic-indefinite", negative_control_caught=False)
    assert _fails(report, blind) == [("negative control no longer caught", "lemma_4_8", "quadratic-indefinite")]
    silent = _edit(report, "lemma_4_8", "quadratic-indefinite", negative_control_caught=None)
    assert _fails(report, silent) == [("negative control no longer caught", "lemma_4_8", "quadratic-indefinite")]


def test_a_known_finding_that_stops_reproducing_fails(report):
    gone = _edit(report, "theorem_h_1_accuracy", "units", verdict="holds", finding=None)
    gone["findings"] = [{"id": "h1-finding", "reproduced": False}]
    assert _fails(baseline_of(report), gone) == [
        ("known finding no longer reproduces", "theorem_h_1_accuracy", "units"),
        ("known finding no longer reproduces", "finding h1-finding", "-")]


def test_a_better_verdict_passes_and_is_listed(report):
    better = _edit(report, "lemma_4_9_first_moment", "regression", verdict="holds")
    changes = compare(baseline_of(report), better)
    assert [(c.what, c.fails) for c in changes] == [("verdict improved", False)]


def test_a_report_of_a_failed_run_fails(report):
    assert _fails(report, {**report, "run": {**report["run"], "exit_status": 1}}) == [("the run failed", "-", "-")]


def test_the_differences_print_as_a_table(report):
    worse = _edit(report, "lemma_4_8", "rank-one", verdict="violated")
    text = table(compare(baseline_of(report), worse))
    header, rule, row = text.splitlines()
    assert header.split() == ["change", "bound", "family", "baseline", "now"]
    assert set(rule.replace(" ", "")) == {"-"}
    assert row.split()[:4] == ["FAIL", "verdict", "worsened", "lemma_4_8"] and row.split()[-1] == "violated"


# ------------------------------------------------------------------ the command
def _write(path, doc):
    path.write_text(dumps(doc) if isinstance(doc, dict) else doc)
    return path


def test_update_then_compare(tmp_path, report, capsys):
    rep, base = _write(tmp_path / "compliance.json", report), tmp_path / "baseline" / "compliance.json"
    assert main(["--report", str(rep), "--baseline", str(base), "--update"]) == 0
    stored = json.loads(base.read_text())
    assert set(stored) == {"schema", "schema_version", "baseline", "run", "results", "tightness", "findings"}
    assert "started_at" not in stored["run"] and "duration_s" not in stored["run"]
    assert main(["--report", str(rep), "--baseline", str(base)]) == 0
    _write(rep, _edit(report, "lemma_4_8", "rank-one", verdict="violated"))
    assert main(["--report", str(rep), "--baseline", str(base)]) == 1
    out = capsys.readouterr()
    assert "verdict worsened" in out.out and UPDATE_COMMAND in out.err


@pytest.mark.parametrize("why,doc", [
    ("did not pass", _report([_result("a", "f")], exit_status=1)),
    ("'nightly' profile", _report([_result("a", "f")], profile="nightly")),
    ("not recorded", _report([_result("a", "f", "violated")])),
    ("negative controls not caught", _report([_result("a", "f", caught=False)])),
])
def test_update_refuses_a_report_that_cannot_be_a_baseline(tmp_path, capsys, why, doc):
    rep, base = _write(tmp_path / "compliance.json", doc), tmp_path / "baseline.json"
    assert main(["--report", str(rep), "--baseline", str(base), "--update"]) == 2
    assert why in capsys.readouterr().err and not base.exists()


@pytest.mark.parametrize("content,message", [
    ('{"schema": "maml-verify/compliance", "schema_version": 1, "results": [{"bou', "is not valid JSON"),
    ("", "is not valid JSON"),
    (json.dumps({"schema": SCHEMA, "schema_version": 0, "results": []}), "an older schema (version 0)"),
    (json.dumps({"schema": SCHEMA, "schema_version": SCHEMA_VERSION + 1, "run": {}, "results": []}),
     "another schema"),
    (json.dumps({"verdicts": []}), "not a compliance document"),
    (json.dumps({"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "run": {}, "results": [{"bound_id": "x"}]}),
     "lacks ['family', 'verdict']"),
    (json.dumps({"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "run": {},
                 "results": [{"bound_id": "x", "family": "f", "verdict": "fine"}]}), "unknown verdict 'fine'"),
])
def test_a_baseline_that_cannot_be_read_is_a_clear_error(tmp_path, report, capsys, content, message):
    rep, base = _write(tmp_path / "compliance.json", report), _write(tmp_path / "baseline.json", content)
    assert main(["--report", str(rep), "--baseline", str(base)]) == 2
    err = capsys.readouterr().err
    assert message in err and str(base) in err and UPDATE_COMMAND in err


def test_a_missing_baseline_or_report_says_what_to_run(tmp_path, report, capsys):
    rep = _write(tmp_path / "compliance.json", report)
    assert main(["--report", str(rep), "--baseline", str(tmp_path / "none.json")]) == 2
    assert UPDATE_COMMAND in capsys.readouterr().err
    assert main(["--report", str(tmp_path / "none.json"), "--baseline", str(rep)]) == 2
    assert "python -m pytest verify" in capsys.readouterr().err


def test_the_committed_baseline_is_readable():
    from verify.report.gate import BASELINE, load_baseline

    doc = load_baseline(BASELINE)
    assert doc["run"]["profile"] == "ci" and doc["results"]


# ------------------------------------------------------------------ end to end: a falsified bound
FALSIFIABLE_CHECK = '''
import dataclasses, os
import numpy as np
from bounds import BOUNDS
from verify.judge.evidence import Evidence, Verdict

def test_lemma_4_8_on_the_readme_instance(ledger):
    bound = BOUNDS["lemma_4_8"]
    if os.environ.get("FALSIFY_LEMMA_4_8"):
        bound = dataclasses.replace(bound, rhs=bound.rhs / 100)  # the constant made 100 times smaller
    values = dict(L=1.0, rho=2.0, alpha=0.5, norm_w_minus_u=0.1, grad_F_diff_norm=0.3,
                  grad_fi_norm_w=np.array([1.0, 3.0]), grad_fi_norm_u=np.array([0.0, 0.0]))
    a = bound.assess(values)
    ledger.record(Evidence(bound.id, bound.reference, bound.kind.value, "README instance",
                           Verdict.VIOLATED if a.ratio > 1 else Verdict.HOLDS, 1, 1, worst_ratio=a.ratio,
                           worst_lhs=a.lhs, worst_rhs=a.rhs))
'''


def _baseline_from_a_run(pytester, check_source: str):
    """Run ``check_source`` under the plugin, make its report the baseline, and see the gate pass on it."""
    pytester.makepyfile(test_check=check_source)
    base = pytester.path / "baseline.json"
    args = ("-p", "verify.plugin", "-p", "no:cacheprovider", "--report-dir", "out")
    pytester.runpytest(*args).assert_outcomes(passed=1)
    report = str(pytester.path / "out" / "compliance.json")
    assert main(["--report", report, "--baseline", str(base), "--update"]) == 0
    assert main(["--report", report, "--baseline", str(base)]) == 0
    return args, report, base


def test_a_falsified_bound_fails_the_gate(pytester, monkeypatch, capsys):
    """The real chain: a check evaluates a Bound, the plugin writes the report, the gate compares."""
    args, report, base = _baseline_from_a_run(pytester, FALSIFIABLE_CHECK)

    monkeypatch.setenv("FALSIFY_LEMMA_4_8", "1")
    pytester.runpytest(*args).assert_outcomes(passed=1)  # the check itself does not assert: only the gate judges
    capsys.readouterr()
    assert main(["--report", report, "--baseline", str(base)]) == 1
    out = capsys.readouterr().out
    assert "verdict worsened" in out and "lemma_4_8" in out and "README instance" in out


def test_wall_clock_evidence_is_reported_but_never_gated():
    """Timing on a shared machine flaps: a result recorded with gated=False cannot fail the gate."""
    timed = dict(_result("table_1_maml_runtime", "rank-one (wall clock)"), gated=False)
    base = baseline_of(_report([_result("lemma_4_8", "trigonometric"), timed]))
    assert all(r["family"] != "rank-one (wall clock)" for r in base["results"])
    worse = dict(timed, verdict="inconclusive", negative_control_caught=False)
    assert not [c for c in compare(base, _report([_result("lemma_4_8", "trigonometric"), worse])) if c.fails]
    gone = compare(base, _report([timed]))
    assert [c.what for c in gone if c.fails] == ["pair disappeared"]


# ---------------------------------------------------------------- worst ratios and tightness records
def _bound_row(bound_id, status="derived", supremum="1/2", meets=True, reached=0.5, interval=None):
    value = None if supremum is None else float(Fraction(supremum))
    return {"id": bound_id, "tightness": {"supremum_status": status, "supremum_exact": supremum,
                                          "supremum": value, "meets_target": meets, "reached": reached,
                                          "interval": interval, "family": "ridge",
                                          "fraction_of_supremum": 0.95 if meets else 0.4}}


def _ratio_report(reached, interval=None, bound_rows=None, **row):
    doc = _report([_result("eq_9_finite_difference_hvp", "ridge")])
    doc["bounds"] = (bound_rows if bound_rows is not None else
                     [_bound_row("eq_9_finite_difference_hvp", reached=reached, interval=interval, **row)])
    return doc


def _fails_on(base, doc):
    return [(c.what, c.bound_id) for c in compare(base, doc) if c.fails]


def test_an_exact_worst_ratio_may_not_fall_beyond_rounding():
    base = baseline_of(_ratio_report(0.45, supremum="1/2"))
    assert _fails_on(base, _ratio_report(0.45 * (1 - 1e-12))) == []
    assert _fails_on(base, _ratio_report(0.44)) == [("worst ratio fell", "eq_9_finite_difference_hvp")]
    rose = compare(base, _ratio_report(0.46))
    assert [(c.what, c.fails) for c in rose] == [("worst ratio rose", False)]


def test_rounding_above_a_derived_supremum_is_no_fall():
    """An equality case reached a hair above its supremum by rounding, then exactly at it, has not weakened."""
    base = baseline_of(_ratio_report(0.5 * (1 + 1e-8)))
    assert _fails_on(base, _ratio_report(0.5)) == []
    assert _fails_on(base, _ratio_report(0.499)) == [("worst ratio fell", "eq_9_finite_difference_hvp")]


def test_a_statistical_worst_ratio_fails_only_beyond_its_confidence_intervals():
    base = baseline_of(_ratio_report(0.40, [0.40, 0.48], supremum="1/2"))
    assert _fails_on(base, _ratio_report(0.38, [0.38, 0.44])) == []  # the intervals overlap: noise explains it
    assert _fails_on(base, _ratio_report(0.30, [0.30, 0.35])) == [("worst ratio fell", "eq_9_finite_difference_hvp")]


def test_a_worst_ratio_that_disappears_fails():
    base = baseline_of(_ratio_report(0.5))
    assert ("worst ratio disappeared", "eq_9_finite_difference_hvp") in _fails_on(base, _ratio_report(None))


@pytest.mark.parametrize("rows, what", [
    ([], "tightness record disappeared"),
    ([_bound_row("eq_9_finite_difference_hvp", status="not_derived", supremum=None)], "supremum no longer derived"),
    ([_bound_row("eq_9_finite_difference_hvp", supremum="1")], "supremum changed"),
    ([_bound_row("eq_9_finite_difference_hvp", meets=False)], "tightness below target"),
])
def test_a_tightness_record_that_disappears_or_weakens_fails(rows, what):
    base = baseline_of(_ratio_report(0.5))
    other = [{"id": "lemma_4_8", "tightness": None}]  # the registry section is present, this Bound's record not
    assert [c.what for c in compare(base, _ratio_report(0.5, bound_rows=rows + other)) if c.fails] == [what]


def test_update_refuses_a_mutated_run(tmp_path, report, capsys):
    mutated = copy.deepcopy(report)
    mutated["run"]["mutations"] = {"lemma_4_8": 10.0}
    rep = _write(tmp_path / "compliance.json", mutated)
    assert main(["--report", str(rep), "--baseline", str(tmp_path / "b.json"), "--update"]) == 2
    assert "mutated statements" in capsys.readouterr().err


SEARCHED_CHECK = '''
import os
from verify.judge.evidence import Evidence
from verify.checks.pointwise import CASES_BY_ID, run_check
from verify.checks.test_pointwise import draw_instances

def test_lemma_4_8_searched(ledger, run_seed, profile):
    case = CASES_BY_ID["lemma_4_8@quadratic-mixed"]
    instances = draw_instances(case, run_seed, profile)
    search = dict(search_starts=1, search_evaluations=14)
    if os.environ.get("WEAKEN_SEARCH"):
        instances, search = instances[:1], dict(search_starts=0)  # one random instance, no search
    result = run_check(case, instances, **search)  # reads case.bound: the mutation applies
    w = result.worst
    ledger.record(Evidence(case.bound_id, case.bound.reference, case.bound.kind.value, case.family,
                           result.verdict, result.tried, result.admitted, worst_ratio=w.ratio,
                           worst_lhs=w.lhs, worst_rhs=w.rhs, worst_instance=result.worst_instance))
'''


def test_a_loosened_bound_and_a_weakened_search_fail_the_gate(pytester, monkeypatch, capsys):
    """The real chain on lemma_4_8: the pointwise search, the plugin's report, the gate on worst ratios.

    Neither change alters a verdict (the statement still holds), so only the gate on the
    worst ratio can see them: the constant loosened tenfold (``--verify-mutate``) and a search
    cut down to one random instance.
    """
    args, report, base = _baseline_from_a_run(pytester, SEARCHED_CHECK)
    capsys.readouterr()

    pytester.runpytest(*args, "--verify-mutate", "lemma_4_8=10").assert_outcomes(passed=1)
    assert json.loads((pytester.path / "out" / "compliance.json").read_text())["run"]["mutations"] == {
        "lemma_4_8": 10.0}
    assert main(["--report", report, "--baseline", str(base)]) == 1
    out = capsys.readouterr().out
    assert "worst ratio fell" in out and "lemma_4_8" in out and "verdict worsened" not in out

    monkeypatch.setenv("WEAKEN_SEARCH", "1")
    pytester.runpytest(*args).assert_outcomes(passed=1)
    assert main(["--report", report, "--baseline", str(base)]) == 1
    out = capsys.readouterr().out
    assert "worst ratio fell" in out and "verdict worsened" not in out


def test_a_bad_mutation_is_a_usage_error(pytester):
    pytester.makepyfile(test_check=SEARCHED_CHECK)
    for bad, says in (("lemma_4_8", "BOUND_ID=FACTOR"), ("lemma_4_8=-1", "positive"),
                      ("no_such_bound=0.5", "not in the registry"), ("eq_35_meta_gradient=0.5", "not an inequality")):
        result = pytester.runpytest("-p", "verify.plugin", "-p", "no:cacheprovider", "--report-dir", "out",
                                    "--verify-mutate", bad)
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        assert says in result.stderr.str(), (bad, result.stderr.str())


def test_update_refuses_a_run_that_withheld_the_recorded_counterexamples(tmp_path, report, capsys):
    withheld = copy.deepcopy(report)
    withheld["run"]["recorded_withheld"] = True
    rep = _write(tmp_path / "compliance.json", withheld)
    assert main(["--report", str(rep), "--baseline", str(tmp_path / "b.json"), "--update"]) == 2
    assert "withheld the recorded counterexamples" in capsys.readouterr().err


def test_records_prints_what_the_gate_compares(tmp_path, report, capsys):
    rep = _write(tmp_path / "compliance.json", report)
    assert main(["--report", str(rep), "--records"]) == 0
    assert json.loads(capsys.readouterr().out) == baseline_of(report)


WITHHELD_CHECK = '''
from verify.judge.findings import recorded_instances

def test_recorded(ledger):
    n = len(recorded_instances("lemma_a_3_task_gradient_second_moment@quadratic-concave-shared", "pointwise"))
    ledger.note_run(recorded_seen=n)
'''


def test_withholding_the_recorded_counterexamples_empties_them_and_is_reported(pytester):
    """--verify-withhold-recorded: the checks see no recorded counterexample, the report says so, and the
    next run in the same process (pytester runs in-process) sees them again."""
    pytester.makepyfile(test_w=WITHHELD_CHECK)
    for flag, seen in ((["--verify-withhold-recorded"], 0), ([], 1)):
        pytester.runpytest("-p", "verify.plugin", "-p", "no:cacheprovider", "--report-dir", "out",
                           *flag).assert_outcomes(passed=1)
        run = json.loads((pytester.path / "out" / "compliance.json").read_text())["run"]
        assert run["recorded_withheld"] is bool(flag)
        assert run["recorded_seen"] == seen
