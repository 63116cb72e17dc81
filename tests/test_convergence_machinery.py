"""The machinery of the convergence checks (verify/checks/convergence.py) and of Figure 2 (verify/checks/figure_2.py)."""
import numpy as np
import pytest

from verify.checks.convergence import (CONVERGENCE_CASES_BY_ID, Trajectories, build_setup, checkpoints,
    judge, trigonometric_loss_floor)
from verify.judge.evidence import Instance, Verdict
from verify.checks.figure_2 import CLAIMS, PanelRun, claim_ratio, control_bound
from verify.model.objectives import meta_gradient, meta_objective

PARAMS = dict(d=2, n=4, spread=1.0, noise=1.0, alpha_frac=0.5, D_in=2, D_o=1, eps_frac=1.0, start_ratio=0.1)


def _traj(mean_by_k, R=20, sd=0.01, seed=0):
    rng = np.random.default_rng(seed)
    mean_by_k = np.asarray(mean_by_k, dtype=float)
    return Trajectories(mean_by_k + sd * rng.standard_normal((R, mean_by_k.size)), T=mean_by_k.size - 1)


def test_checkpoints_are_fixed_by_T_and_span_it():
    grid = checkpoints(5000)
    assert grid[0] == 0 and grid[-1] == 5000 and np.all(np.diff(grid) > 0) and len(grid) <= 18
    assert list(checkpoints(0)) == [0]


def test_judge_holds_when_some_iterate_is_clearly_below():
    out = judge(_traj(np.linspace(2.0, 0.5, 51)), rhs=1.0, delta=1e-4)
    assert out.verdict is Verdict.HOLDS and out.estimate == pytest.approx(0.5, abs=0.02)


def test_judge_violated_only_when_every_iterate_up_to_T_was_seen():
    traj = _traj(np.linspace(3.0, 2.0, 51))
    assert judge(traj, rhs=1.0, delta=1e-4).verdict is Verdict.VIOLATED
    cut = Trajectories(traj.X[:, :20], T=50)  # the runs stopped before T: no violation can be claimed
    assert judge(cut, rhs=1.0, delta=1e-4).verdict is Verdict.INCONCLUSIVE


def test_judge_inconclusive_when_the_noise_straddles_the_bound():
    out = judge(_traj(np.full(11, 1.0), R=5, sd=0.5), rhs=1.0, delta=1e-4)
    assert out.verdict is Verdict.INCONCLUSIVE


def test_judge_counts_a_diverged_run_against_the_theorem():
    traj = _traj(np.full(11, 0.1))
    traj.X[0, 5:] = np.inf
    traj.outcomes = ["non_finite"] + ["completed"] * (traj.X.shape[0] - 1)
    out = judge(traj, rhs=1.0, delta=1e-4)
    assert out.verdict is Verdict.HOLDS  # iterates 0..4 of every run are below: min over k <= T holds
    traj.X[0, :] = np.inf
    assert judge(traj, rhs=1.0, delta=1e-4).verdict is not Verdict.HOLDS


@pytest.mark.parametrize("algorithm", ["maml", "fo_maml", "hf_maml"])
def test_setup_meets_the_hypotheses_and_delta_is_exact_for_quadratics(algorithm):
    case = next(c for c in CONVERGENCE_CASES_BY_ID.values()
                if c.algorithm == algorithm and c.family == "noisy-quadratic-pd")
    s = build_setup(case, Instance(case.id, 3, PARAMS))
    assert case.bound.admits({**s.values, "best_expected_grad_F_norm": 0.0})
    assert s.values["B"] == 20 and s.Delta_exact
    w_star = s.family.base.maml_solution(s.alpha)
    assert np.linalg.norm(meta_gradient(s.family, w_star, s.alpha)) < 1e-9
    assert s.Delta == pytest.approx(meta_objective(s.family, s.w0, s.alpha) - meta_objective(s.family, w_star, s.alpha))
    g0 = np.linalg.norm(meta_gradient(s.family, s.w0, s.alpha))
    assert g0 == pytest.approx(PARAMS["start_ratio"] * s.rhs, rel=1e-9)  # grad F is linear for quadratics


def test_trigonometric_floor_is_below_every_task_loss():
    case = CONVERGENCE_CASES_BY_ID["theorem_h_1_accuracy@noisy-trigonometric"]
    s = build_setup(case, Instance(case.id, 4, PARAMS))
    base = s.family.base
    floor = trigonometric_loss_floor(base)
    W = 5 * np.random.default_rng(0).standard_normal((2000, base.dim))
    for i in range(base.n_tasks):
        assert np.all(base.loss(W, np.full(2000, i)) >= floor[i] - 1e-12)
    assert not s.Delta_exact and s.delta == "theorem_h_1"


def test_figure_2_claims_and_their_controls():
    far = PanelRun("a", 0, {"maml": np.array([1.0, 1e-3]), "fo_maml": np.array([1.0, 0.5]),
                            "hf_maml": np.array([1.0, 2e-3])}, {})
    assert claim_ratio(far, "a") <= 1
    assert claim_ratio(far, "a", control_bound("a", [claim_ratio(far, "a")])[0]) > 1
    close = PanelRun("b", 0, {"maml": np.array([1.0, 0.010]), "fo_maml": np.array([1.0, 0.012]),
                              "hf_maml": np.array([1.0, 0.011])}, {})
    assert claim_ratio(close, "b") <= 1
    assert claim_ratio(close, "b", control_bound("b", [claim_ratio(close, "b")])[0]) > 1
    apart = PanelRun("b", 0, {"maml": np.array([1.0, 0.01]), "fo_maml": np.array([1.0, 0.5]),
                              "hf_maml": np.array([1.0, 0.01])}, {})
    assert claim_ratio(apart, "b") > 1


def test_figure_2_claims_are_the_registry_bounds():
    # The margins and the panels' task counts are read from bounds/figure_2/statement.py, not retyped.
    from verify.checks.figure_2 import PANELS
    from verify.model.errors import ALL_TASKS

    assert set(CLAIMS) == {"a", "b", "c"}
    assert PANELS["a"]["tasks"] == CLAIMS["a"].settings["tasks"] and PANELS["a"]["B"] == ALL_TASKS
    assert PANELS["b"]["B"] == CLAIMS["b"].settings["B"] and PANELS["c"]["tasks"] == CLAIMS["c"].settings["tasks"]
    edge = PanelRun("a", 0, {"maml": np.array([1.0, 0.1]), "fo_maml": np.array([1.0, float(CLAIMS["a"].settings["margin"]) * 0.1]),
                             "hf_maml": np.array([1.0, 0.05])}, {})
    assert claim_ratio(edge, "a") == pytest.approx(1.0)
