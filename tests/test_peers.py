"""benchmarks/peers.py without timing: its ratios and table, its skip of an absent peer, and the peers' agreement.

No test here asserts anything about a time: timings are what ``python -m benchmarks.peers``
and ``python -m benchmarks.targets`` report.  The agreement tests run only where JAX or
torch is installed (``pytest.importorskip``); everything else runs without them.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from benchmarks import peers, targets
from verify.checks.workloads import DENSE_FLOAT_CAP, infeasible
from verify.model.errors import ParameterError

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------------- ratios and errors
def test_per_pass_ratio_is_the_median_and_quartiles_of_ratios_within_a_pass():
    project = np.array([1.0, 2.0, 3.0, 4.0, 100.0])
    peer = np.array([1.0, 4.0, 2.0, 8.0, 50.0])  # the last pass was slowed for both: its ratio is 2
    med, q1, q3 = peers.per_pass_ratio(project, peer)
    assert (med, q1, q3) == (1.0, 0.5, 1.5)  # ratios 1, 0.5, 1.5, 0.5, 2
    # The ratio of the medians, 3 / 4, mixes passes under different loads.
    assert np.median(project) / np.median(peer) == 0.75


def test_per_pass_ratio_refuses_timings_from_different_passes():
    with pytest.raises(ParameterError, match="^den: "):
        peers.per_pass_ratio(np.ones(5), np.ones(4))


def test_relative_error_is_taken_row_by_row():
    project = np.array([[1.0, 2.0], [1e-6, 0.0]])
    peer = project + np.array([[1e-12, 0.0], [1e-12, 0.0]])
    # Against the whole array's scale (2) the second row's error would be 5e-13; against its own, 1e-6.
    assert peers.relative_error(peer, project) == pytest.approx(1e-6)
    assert peers.relative_error(project[0], project[0]) == 0.0


@pytest.mark.parametrize("peer", [np.ones(3), np.array([1.0, np.nan])], ids=["shape", "nan"])
def test_relative_error_is_infinite_for_a_wrong_shape_or_a_non_finite_value(peer):
    assert peers.relative_error(peer, np.ones(2)) == np.inf


# ---------------------------------------------------------------------- the table
def test_markdown_table_has_one_column_per_peer_and_says_why_a_cell_is_empty():
    row = peers.Comparison("rank-one", 64, 16, "meta_gradient", project_seconds=68e-6,
                           ratios={"JAX jit": (1.31, 1.3, 1.32)},
                           skipped={"torch autograd": "not measured (torch not installed)"})
    lines = peers.markdown_table([row], ["JAX jit", "torch autograd"]).splitlines()
    assert lines[0] == "| family | tasks | d | computation | project | project / JAX jit | project / torch autograd |"
    assert lines[1] == "|---|---|---|---|---|---|---|"
    assert lines[2] == ("| rank-one | 64 | 16 | meta-gradient (6) | 68 us | 1.31 [1.3, 1.32] | "
                        "not measured (torch not installed) |")
    assert all(line.count("|") == lines[0].count("|") for line in lines)


def test_large_ratios_are_printed_without_exponents():
    row = peers.Comparison("quadratic", 2, 4096, "hvp", 1.0, ratios={"p": (1234.5, 0.012345, 250.0)})
    assert row.cell("p") == "1234 [0.0123, 250]"


# ---------------------------------------------------------------------- workloads
def test_dense_quadratics_get_fewer_tasks_where_their_matrices_would_not_fit():
    assert [peers.tasks_for("rank-one", d) for d in peers.DIMS] == [64, 64, 64, 64]
    assert [peers.tasks_for("quadratic", d) for d in peers.DIMS] == [64, 64, 32, 2]
    for d in peers.DIMS:
        n = peers.tasks_for("quadratic", d)
        assert infeasible("quadratic", n, d) is None and n * d * d <= DENSE_FLOAT_CAP


def test_an_infeasible_workload_is_skipped_saying_why():
    said = []
    rows = peers.compare("quadratic", peers.tasks_for("quadratic", 8192), 8192, say=said.append)
    assert "512 MiB" in said[0] or "0.5 GiB" in said[0]
    assert all(r.project_seconds is None and not r.ratios for r in rows)
    assert all(reason.startswith("skipped: A_i for 1 tasks at d = 8192") for r in rows for reason in r.skipped.values())


# ---------------------------------------------------------------------- an absent peer
@pytest.fixture
def nothing_installed(monkeypatch):
    monkeypatch.setattr(peers, "_installed", lambda module: module not in ("jax", "torch"))


def test_an_absent_peer_is_skipped_with_the_install_command(nothing_installed):
    reasons = {p.name: peers.missing_reason(p) for p in peers.PEERS}
    assert reasons == {"JAX jit": "jax not installed", "torch autograd": "torch not installed",
                       "torch.func": "torch not installed"}
    rows = peers.compare("rank-one", 4, 16, say=lambda line: None, time_it=False)
    assert {r.computation for r in rows} == set(peers.COMPUTATIONS)
    for r in rows:
        assert not r.errors and not r.ratios
        assert r.skipped["JAX jit"] == "not measured (jax not installed)"


def test_the_command_line_runs_without_peers(nothing_installed, capsys):
    assert peers.main(["--dims", "16", "--tasks", "4", "--repetitions", "1"]) == 0
    out = capsys.readouterr().out
    assert "JAX jit: skipped, jax not installed: pip install -e '.[peers]'" in out
    assert "torch.func: skipped, torch not installed" in out
    assert "| quadratic | 4 | 16 | HF-MAML iteration (10)-(11) | - | not measured (jax not installed) |" in out


def test_absent_peers_leave_their_targets_unmeasured_not_failed(nothing_installed):
    lines, ok, skipped = targets.peer_targets([16])
    assert ok
    assert skipped == ["JAX jit: not measured (jax not installed)",
                       "torch autograd: not measured (torch not installed)"]
    assert len(lines) == 5  # JAX: two targets on each family; torch: the quadratic meta-gradient
    assert all(line.endswith("| skipped |") and "not measured (" in line for line in lines)


def test_importing_the_benchmarks_does_not_import_a_peer():
    code = ("import sys, benchmarks.peers, benchmarks.targets; "
            "print(sorted(m for m in ('jax', 'torch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------------- a disagreeing peer
def _off_by(rtol):
    """A peer that returns the project's numbers times (1 + rtol): a negative control of the agreement check."""

    def build(wl):
        return {c: (timed, lambda value=value: value() * (1 + rtol))
                for c, (timed, value) in peers.project_thunks(wl).items()}

    return peers.Peer(f"off by {rtol:g}", "numpy", build)


def test_a_peer_that_disagrees_is_reported_and_not_timed():
    wrong, close = _off_by(1e-7), _off_by(1e-13)
    said = []
    rows = peers.compare("rank-one", 4, 16, peers=[wrong, close], repetitions=1, say=said.append)
    for r in rows:
        assert r.skipped[wrong.name] == "disagrees (relative error 1.0e-07)"
        assert wrong.name not in r.ratios
        assert close.name in r.ratios and close.name not in r.skipped
    assert sum("DISAGREES, not timed" in line for line in said) == len(peers.COMPUTATIONS)


# ---------------------------------------------------------------------- agreement of the installed peers
@pytest.mark.parametrize("family", peers.FAMILIES)
def test_jax_agrees_with_the_project_on_every_computation(family):
    pytest.importorskip("jax")
    jax_peer = [p for p in peers.PEERS if p.module == "jax"]
    rows = peers.compare(family, 4, 16, peers=jax_peer, say=lambda line: None, time_it=False)
    assert {r.computation for r in rows} == set(peers.COMPUTATIONS)
    for r in rows:
        assert not r.skipped, r
        assert r.errors["JAX jit"] <= peers.AGREEMENT_RTOL, (r.computation, r.errors)


@pytest.mark.parametrize("family", peers.FAMILIES)
def test_torch_agrees_with_the_project_on_every_computation(family):
    pytest.importorskip("torch")
    torch_peers = [p for p in peers.PEERS if p.module == "torch"]
    rows = peers.compare(family, 4, 16, peers=torch_peers, say=lambda line: None, time_it=False)
    for r in rows:
        assert not r.skipped, r
        for p in torch_peers:
            assert r.errors[p.name] <= peers.AGREEMENT_RTOL, (r.computation, p.name, r.errors)
