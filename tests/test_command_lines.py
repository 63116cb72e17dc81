"""Every `python -m` entry point has --help, refuses invalid arguments naming them (exit 2), and writes nothing then."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENTRY_POINTS = ("verify.replay", "verify.checks.bias", "verify.checks.convergence", "verify.checks.corollaries",
                "verify.checks.figure_2", "verify.checks.h1_counterexample", "verify.checks.table_1_scaling",
                "verify.false_alarms", "verify.rediscovery", "verify.report.gate", "verify.report.html",
                "verify.report.compare", "verify.report.example", "bounds.where", "verify.checks.table_1_cost", "benchmarks.speed_gate",
                "benchmarks.targets", "benchmarks.peers")


def _run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("module", ENTRY_POINTS)
def test_every_entry_point_has_help(module, tmp_path):
    out = _run(module, "--help", cwd=tmp_path if module == "verify.report.example" else ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "usage: python -m " + module in out.stdout
    assert not (tmp_path / "--help").exists()  # --help is never taken for a directory or a file


BAD = [
    (("verify.replay", "abc"), "argument instance: not an instance record"),
    (("verify.replay", '{"check": 1}'), "argument instance: not an instance record"),
    (("verify.checks.bias", "[]"), "argument instance: not an instance record"),
    (("verify.checks.convergence", '{"check": "x", "seed": 1, "params": {}}', "0"), "argument runs: 0 must be at least 1"),
    (("verify.checks.corollaries", '{"check": "x", "seed": 1, "params": {}}', "4", "x"), "argument cap: 'x' is not an integer"),
    (("verify.checks.table_1_scaling", '{"check": "x", "seed": 1, "params": {}}', "2"),
     "argument delta: 2.0 is not an error probability"),
    (("verify.false_alarms", "0"), "argument runs: 0 must be at least 1"),
    (("verify.false_alarms", "3", "-1"), "argument first_seed: -1 is not a seed"),
    (("verify.rediscovery", "--seeds", "5:3"), "argument --seeds: '5:3': the last seed 3 is below the first 5"),
    (("verify.rediscovery", "--seeds", "1,1"), "argument --seeds: '1,1' repeats a seed"),
    (("verify.rediscovery", "--seeds", "-2"), "argument --seeds: -2 is not a seed"),
    (("verify.rediscovery", "--json", "/nonexistent-dir/x.json"), "--json: the directory /nonexistent-dir does not exist"),
    (("verify.checks.table_1_cost", "--repetitions", "-3"), "argument --repetitions: -3 must be at least 1"),
    (("verify.checks.table_1_cost", "--seed", "-1"), "argument --seed: -1 is not a seed"),
    (("benchmarks.peers", "--dims", "16", "0"), "argument --dims: 0 must be at least 1"),
    (("benchmarks.peers", "--repetitions", "x"), "argument --repetitions: 'x' is not an integer"),
]


@pytest.mark.parametrize("args, says", BAD, ids=[" ".join(a[:2]) + (f" {a[2]}" if len(a) > 2 else "") for a, _ in BAD])
def test_invalid_arguments_are_refused_naming_them(args, says):
    out = _run(*args)
    assert out.returncode == 2, (out.stdout[-1000:], out.stderr[-1000:])
    assert says in out.stderr, out.stderr[-2000:]
    assert "Traceback" not in out.stderr


# ------------------------------------------------------------------ maml-verify (python -m verify)
from verify.__main__ import BENCHMARKS, SUBCOMMANDS, main as maml_verify  # noqa: E402

MAML_VERIFY = ["run", "check-family", *SUBCOMMANDS, *(f"bench {name}" for name in BENCHMARKS)]


def _in_process(argv, capsys):
    """maml-verify ARGV in this process (each subprocess would cost a second of imports): (exit code, out, err)."""
    try:
        code = maml_verify(list(argv))
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_maml_verify_help_lists_every_subcommand(capsys):
    code, out, _ = _in_process(["--help"], capsys)
    assert code == 0 and out.startswith("usage: maml-verify")
    for name in ["run", "check-family", *SUBCOMMANDS, "bench"]:
        assert f"\n    {name}" in out, (name, out)


def test_python_m_verify_is_maml_verify():
    out = _run("verify", "--help")
    assert out.returncode == 0 and out.stdout.startswith("usage: maml-verify"), out.stderr[-2000:]


@pytest.mark.parametrize("subcommand", MAML_VERIFY)
def test_every_maml_verify_subcommand_has_help_under_its_own_name(subcommand, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)  # bench's targets, peers and speed gate live in the checkout's benchmarks/
    code, out, err = _in_process([*subcommand.split(), "--help"], capsys)
    assert code == 0, err[-2000:]
    assert f"usage: maml-verify {subcommand}" in out, out[:500]
    assert not (ROOT / "--help").exists()


MAML_VERIFY_BAD = [
    (("nope",), "argument SUBCOMMAND: invalid choice: 'nope'"),
    (("run", "--seed", "-1"), "argument --seed: -1 is not a seed"),
    (("run", "-n", "0"), "argument -n: 0 must be at least 1"),
    (("run", "--profile", "weekly"), "argument --profile: invalid choice: 'weekly'"),
    (("replay", "abc"), "argument instance: not an instance record"),
    (("gate", "--report", "/nonexistent-dir/c.json"), "/nonexistent-dir/c.json"),
    (("false-alarms", "0"), "argument runs: 0 must be at least 1"),
    (("rediscovery", "--seeds", "5:3"), "argument --seeds: '5:3': the last seed 3 is below the first 5"),
    (("where",), "give a query, or --unregistered PAPER_TEXT"),
    (("bench",), "the following arguments are required: NAME"),
    (("bench", "nope"), "argument NAME: 'nope' is not one of"),
    (("bench", "table-1-cost", "--seed", "-1"), "argument --seed: -1 is not a seed"),
]


@pytest.mark.parametrize("args, says", MAML_VERIFY_BAD, ids=[" ".join(a) for a, _ in MAML_VERIFY_BAD])
def test_maml_verify_refuses_invalid_arguments_naming_them(args, says, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    code, _, err = _in_process(args, capsys)
    assert code == 2, err[-1000:]
    assert says in err, err[-2000:]
    assert "Traceback" not in err and not (tmp_path / "reports").exists()


def test_maml_verify_sweep_refuses_invalid_arguments_naming_them(tmp_path):
    # In a subprocess: the sweep installs its own SIGINT and SIGTERM handlers.
    out = _run("verify", "sweep", "--seeds", "-2", cwd=tmp_path)
    assert out.returncode == 2 and "argument --seeds: -2 is not a seed" in out.stderr, out.stderr[-2000:]


def test_maml_verify_replay_replays_an_instance(capsys):
    instance = ('{"check": "lemma_4_8@quadratic-mixed", "seed": 12345, "params": {"d": 2, "n": 3, "scale": 0.5, '
                '"distance": 0.5, "spread": 0.5, "delta_frac": 0.5, "stationary": 0.0, "alpha_frac": 0.9}}')
    direct = _run("verify.replay", instance)
    code, out, err = _in_process(["replay", instance], capsys)
    assert code == direct.returncode == 0 and out == direct.stdout and "lemma_4_8" in out, (err, direct.stderr)


def test_maml_verify_where_finds_an_equation(capsys):
    code, out, err = _in_process(["where", "(84)"], capsys)
    assert code == 0 and "eq_84_hessian_factor" in out, err


def test_maml_verify_bench_says_when_benchmarks_are_not_installed(tmp_path):
    out = _run("verify", "bench", "targets", "--help", cwd=tmp_path)
    # From outside the checkout benchmarks/ is importable only if installed; say so instead of a traceback.
    if out.returncode == 0:
        pytest.skip("benchmarks/ is importable from outside the checkout here")
    assert out.returncode == 2 and "needs a checkout of the project" in out.stderr and "Traceback" not in out.stderr
