"""python -m verify.sweep: seeds on a Dask LocalCluster, a worker killed mid-sweep, resumption, a real scheduler.

Each sweep here runs a small selection (the extremal cases of the expectation checks, a few
seconds a seed) so that the four runs on Dask stay within CI time.  The parts that need no
cluster (the split into shards, the directory's options, the merge's counts and intervals, a
crashed run's record) are tested directly.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason='the sweep extra is not installed (pip install -e ".[sweep]")')
psutil = pytest.importorskip("psutil")

from verify.judge.statistics import clopper_pearson, clopper_pearson_upper  # noqa: E402
from verify.sweep.merge import merge  # noqa: E402
from verify.sweep.plan import split  # noqa: E402
from verify.sweep.store import CONFIG_KEYS, SweepDir, SweepDirError  # noqa: E402
from verify.sweep.task import TaskSpec, run_task  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["verify/checks/test_expectation.py", "--select", "extremal"]
SEEDS = [4101, 4102, 4103]
TIMEOUT = 300


def _cmd(out: Path, seeds: list[int], *extra: str) -> list[str]:
    return [sys.executable, "-m", "verify.sweep", *SMALL, "--seeds", ",".join(map(str, seeds)), "--out", str(out),
            *extra]


def _records(out: Path) -> dict[int, dict]:
    return {int(p.stem): json.loads(p.read_text()) for p in (out / "seeds").glob("*.json")}


def _pytest_runs(seeds: list[int]) -> list["psutil.Process"]:
    """The sweep's pytest subprocesses now running for these seeds."""
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmd = proc.info["cmdline"] or []
        if "pytest" in cmd and "--verify-seed" in cmd and "--verify-shard-out" in cmd:
            if int(cmd[cmd.index("--verify-seed") + 1]) in seeds:
                found.append(proc)
    return found


def test_three_seeds_on_a_local_cluster(tmp_path):
    out = tmp_path / "sweep"
    done = subprocess.run(_cmd(out, SEEDS, "--workers", "2"), cwd=ROOT, capture_output=True, text=True,
                          timeout=TIMEOUT)
    assert done.returncode == 0, done.stdout + done.stderr
    records = _records(out)
    assert sorted(records) == SEEDS
    assert all(r["status"] == "completed" and r["results"] for r in records.values())
    doc = json.loads((out / "sweep.json").read_text())
    assert doc["schema"] == "maml-verify/sweep" and doc["schema_version"] == 1
    assert doc["false_alarms"]["runs"] == 3
    k = doc["false_alarms"]["runs_with_false_alarm"]
    assert doc["false_alarms"]["rate_upper_95"] == pytest.approx(clopper_pearson_upper(k, 3))
    for c in doc["checks"]:
        assert sum(c["verdicts"].values()) == 3, c
    page = (out / "sweep.html").read_text()
    # Self-contained like the report: nothing fetched, no script.
    assert "False alarms" in page and "Content-Security-Policy" in page and "<script" not in page
    assert "src=" not in page and "href=" not in page
    # The seed is the run's: a direct pytest run at that seed reaches the same worst ratios.
    direct = tmp_path / "direct"
    subprocess.run([sys.executable, "-m", "pytest", SMALL[0], "-k", SMALL[2], "-q", "-p", "no:cacheprovider",
                    "--verify-seed", str(SEEDS[1]), "--report-dir", str(direct), "--report-format", "json"],
                   cwd=ROOT, capture_output=True, timeout=TIMEOUT)
    want = {(r["bound_id"], r["family"]): r["worst_ratio"]
            for r in json.loads((direct / "compliance.json").read_text())["results"]}
    got = {(r["bound_id"], r["family"]): r["worst_ratio"] for r in records[SEEDS[1]]["results"]}
    assert got == want


def test_a_worker_killed_mid_sweep_loses_no_seed_and_runs_none_twice(tmp_path):
    out = tmp_path / "sweep"
    sweep = subprocess.Popen(_cmd(out, SEEDS, "--workers", "2"), cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    killed = None
    deadline = time.monotonic() + TIMEOUT
    while killed is None and time.monotonic() < deadline and sweep.poll() is None:
        for run in _pytest_runs(SEEDS):
            worker = run.parent()
            if worker is not None and worker.pid != sweep.pid:
                killed = run
                worker.send_signal(signal.SIGKILL)  # the Dask worker process, mid-task
                break
        time.sleep(0.05)
    output, _ = sweep.communicate(timeout=TIMEOUT)
    assert killed is not None, "no running seed was found to kill:\n" + output
    # The orphaned pytest run died with its worker (it would otherwise run on beside its rescheduled task).
    assert not killed.is_running() or killed.status() == psutil.STATUS_ZOMBIE
    assert sweep.returncode == 0, output
    records = _records(out)
    assert sorted(records) == SEEDS and all(r["status"] == "completed" for r in records.values()), records
    for seed in SEEDS:  # each seed's record written once
        assert output.count(f"sweep: seed {seed} done") == 1, output


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_sweep_resumes_where_it_stopped(tmp_path, stop):
    out = tmp_path / "sweep"
    cmd = _cmd(out, SEEDS, "--workers", "1")
    sweep = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + TIMEOUT
    while not _records(out) and time.monotonic() < deadline and sweep.poll() is None:
        time.sleep(0.05)
    running = _pytest_runs(SEEDS)
    sweep.send_signal(stop)
    output, _ = sweep.communicate(timeout=TIMEOUT)
    first = _records(out)
    assert sweep.returncode == 130, output
    assert 1 <= len(first) < len(SEEDS), output
    assert "run the same command again to resume" in output
    for run in running:  # the runs in flight stopped with the sweep
        assert not run.is_running() or run.status() == psutil.STATUS_ZOMBIE
    stamps = {s: (out / "seeds" / f"{s}.json").stat().st_mtime_ns for s in first}
    again = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"{len(first)} seeds already recorded" in again.stdout
    records = _records(out)
    assert sorted(records) == SEEDS and all(r["status"] == "completed" for r in records.values())
    # The seeds finished before the interruption were not run again.
    assert {s: (out / "seeds" / f"{s}.json").stat().st_mtime_ns for s in first} == stamps


def test_a_sweep_on_a_dask_scheduler_and_two_workers(tmp_path):
    scheduler_file = tmp_path / "scheduler.json"
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                               "--port", "0", "--no-dashboard", "--scheduler-file", str(scheduler_file)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        for _ in range(2):
            procs.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address,
                                           "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"],
                                          cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        out = tmp_path / "sweep"
        done = subprocess.run(_cmd(out, SEEDS[:2], "--scheduler", address), cwd=ROOT, capture_output=True, text=True,
                              timeout=TIMEOUT)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "on 2 workers" in done.stdout or "on 1 workers" in done.stdout
        records = _records(out)
        assert sorted(records) == SEEDS[:2] and all(r["status"] == "completed" for r in records.values())
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


def test_a_run_split_in_shards_reports_what_a_serial_run_reports(tmp_path):
    from verify.report.compare import main as compare

    out, seed = tmp_path / "sweep", 4104
    done = subprocess.run(_cmd(out, [seed], "--workers", "2", "--shards", "2"), cwd=ROOT, capture_output=True,
                          text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "in 2 shards per seed" in done.stdout
    merged = out / "reports" / str(seed)
    assert {p.name for p in merged.iterdir()} >= {"compliance.json", "junit.xml"}
    serial = tmp_path / "serial"
    subprocess.run([sys.executable, "-m", "pytest", SMALL[0], "-k", SMALL[2], "-q", "-p", "no:cacheprovider",
                    "--verify-seed", str(seed), "--report-dir", str(serial), "--report-format", "json"],
                   cwd=ROOT, capture_output=True, timeout=TIMEOUT)
    # Field by field, floats bit for bit, the machine's own measurements left out.
    assert compare([str(serial / "compliance.json"), str(merged / "compliance.json")]) == 0
    assert not (out / "shards" / str(seed)).exists()  # merged shards are not kept


# ---------------------------------------------------------------- without a cluster
def test_a_run_that_collects_nothing_is_recorded_as_crashed_with_its_output():
    rec = run_task(TaskSpec(seed=1, paths=(SMALL[0],), select="no_test_has_this_name"))
    assert rec["status"] == "crashed"
    assert "no tests were collected" in rec["reason"]
    assert "deselected" in rec["tail"]


def test_the_split_puts_the_longest_tests_apart_and_keeps_pytest_order():
    nodes = [f"t::{c}" for c in "abcdef"]
    durations = {"t::a": 10.0, "t::b": 9.0, "t::c": 1.0, "t::d": 1.0, "t::e": 1.0, "t::f": 1.0}
    groups = split(nodes, 2, durations)
    assert sorted(n for g in groups for n in g) == nodes  # every test once
    assert {"t::a", "t::b"} not in [set(g) & {"t::a", "t::b"} for g in groups]
    assert all(list(g) == sorted(g) for g in groups)
    assert len(split(nodes, 10, {})) == 6  # never an empty shard
    with pytest.raises(ValueError, match="shards"):
        split(nodes, 0, {})


def test_a_sweep_directory_refuses_other_options_naming_the_option(tmp_path):
    config = {"profile": "ci", "select": None, "paths": ["verify"], "withhold_recorded": False, "shards": 1}
    sweep = SweepDir(tmp_path)
    sweep.open(config)
    assert sweep.open(dict(config)) == config
    with pytest.raises(SweepDirError, match="--profile: .*'ci', not 'nightly'"):
        sweep.open({**config, "profile": "nightly"})
    with pytest.raises(SweepDirError, match="--withhold-recorded"):
        sweep.open({**config, "withhold_recorded": True})
    assert set(config) == set(CONFIG_KEYS)


def _record(seed, results, status="completed"):
    return {"seed": seed, "status": status, "duration_s": 10.0 + seed, "failed_tests": [], "commit": "c",
            "results": [dict(bound_id=b, family="f", kind="pointwise", verdict=v, worst_ratio=x, worst_instance=None,
                             replay=f"replay {seed}", finding=fi) for b, v, x, fi in results]}


def test_the_merge_counts_verdicts_finds_the_worst_seed_and_bounds_the_false_alarm_rate():
    config = {"profile": "ci", "select": None, "paths": ["verify"], "withhold_recorded": False, "shards": 1}
    records = {
        1: _record(1, [("a", "holds", 0.5, None), ("b", "violated", 2.0, "f-1")]),
        2: _record(2, [("a", "violated", 1.2, None), ("b", "violated", 1.5, "f-1")]),
        3: _record(3, [("a", "holds", 0.7, None), ("b", "violated", 3.0, "f-1")]),
        4: {"seed": 4, "status": "crashed", "reason": "killed", "tail": "x", "exit_status": None, "results": []},
    }
    reference = {"run": {"profile": "ci", "seed": 0, "commit": "c"},
                 "results": [{"bound_id": "a", "family": "f", "worst_ratio": 0.6},
                             {"bound_id": "b", "family": "f", "worst_ratio": 3.0}]}
    doc = merge(records, config, reference, "ref.json")
    checks = {c["bound_id"]: c for c in doc["checks"]}
    assert checks["a"]["verdicts"] == {"holds": 2, "violated": 1}
    assert (checks["a"]["worst_ratio"], checks["a"]["worst_seed"]) == (1.2, 2)
    assert checks["a"]["false_alarm_seeds"] == [2] and checks["b"]["false_alarm_seeds"] == []
    assert checks["a"]["raised_above_reference"] and not checks["b"]["raised_above_reference"]
    fa = doc["false_alarms"]
    assert (fa["runs"], fa["runs_with_false_alarm"]) == (3, 1)
    assert fa["rate_upper_95"] == pytest.approx(clopper_pearson_upper(1, 3))
    assert [f["seed"] for f in doc["failed_seeds"]] == [4]
    assert doc["rediscovery"]["measured"] is False
    assert doc["time"]["median_s"] == 12.0
    # A wall-clock result never fails a run (timing on a shared machine): listed, not a false alarm.
    records[3]["results"].append(dict(bound_id="t", family="w", verdict="violated", worst_ratio=1.5, finding=None,
                                      gated=False))
    again = merge(records, config)
    assert again["false_alarms"]["runs_with_false_alarm"] == 1
    assert again["false_alarms"]["ungated_violations"] == [{"seed": 3, "checks": ["t@w"]}]


def test_the_clopper_pearson_bounds_are_exact_and_refuse_bad_counts():
    # k = 0: the one-sided bound solves (1 - p)^n = 0.05.
    assert clopper_pearson_upper(0, 200) == pytest.approx(1 - 0.05 ** (1 / 200))
    lo, hi = clopper_pearson(5, 10)
    assert lo < 0.5 < hi and clopper_pearson(0, 10)[0] == 0.0 and clopper_pearson(10, 10)[1] == 1.0
    with pytest.raises(ValueError, match="n:"):
        clopper_pearson_upper(0, 0)
    with pytest.raises(ValueError, match="k:"):
        clopper_pearson(11, 10)


def test_the_command_line_names_a_bad_argument(tmp_path):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "verify.sweep", *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=120)

    missing = run("--out", str(tmp_path))
    assert missing.returncode == 2 and "--seeds" in missing.stderr
    both = run("--seeds", "1:2", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1", "--out", str(tmp_path))
    assert both.returncode == 2 and "--workers" in both.stderr
    backwards = run("--seeds", "5:2", "--out", str(tmp_path))
    assert backwards.returncode == 2 and "--seeds" in backwards.stderr
    unreachable = run("--seeds", "1", "--scheduler", "tcp://127.0.0.1:9", "--out", str(tmp_path / "s"))
    assert unreachable.returncode == 2 and "--scheduler" in unreachable.stderr, unreachable.stderr


def test_durations_are_read_back_from_a_reports_junit_by_node_id(tmp_path):
    from verify.report.junit import TestOutcome, render
    from verify.sweep.plan import durations_from_junit, expected_durations

    nodes = ["verify/checks/test_bias.py::test_bias[a@b]", "verify/checks/test_pointwise.py::test_pointwise[c@d]"]
    doc = {"results": [], "bounds": []}
    path = tmp_path / "junit.xml"
    path.write_text(render(doc, [TestOutcome(nodes[0], "passed", 1.25), TestOutcome(nodes[1], "failed", 3.5, "x")]))
    assert durations_from_junit(path) == {nodes[0]: 1.25, nodes[1]: 3.5}
    # The shipped table knows every test of both profiles by the ids pytest collects.
    for profile in ("ci", "nightly"):
        known = expected_durations(profile)
        assert len(known) > 700 and all("::" in n for n in known)
