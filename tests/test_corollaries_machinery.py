"""The machinery of the corollary and iteration-bound checks (verify/checks/corollaries.py, verify/checks/test_corollaries.py)."""
import math

import numpy as np
import pytest

from bounds import BOUNDS, PreconditionFailed, evaluate, symbols
from verify import replay
from verify.checks.convergence import Trajectories
from verify.checks.corollaries import (CASES, CASES_BY_ID, _exact, build_corollary_setup,
    build_iteration_setup, corollary_values, judge_iterations, require_admitted, run_instance,
    smallest_constant, smallest_product_admitted)
from verify.checks.convergence import build_convergence_family
from verify.judge.evidence import Instance, Verdict
from verify.checks.instances import alpha_for, mix_seed, smallest_admitted
from verify.checks.test_corollaries import _instances

PROFILES = ("ci", "nightly")
K_1, K_2 = symbols.K_1, symbols.K_2


def _setup(case, params, run_seed=0):
    p = {k: v for k, v in params.items() if k not in ("seed", "full")}
    inst = Instance(case.id, mix_seed(run_seed, params.get("seed", 0)), p)
    return build_iteration_setup(case, inst) if case.is_iterations else build_corollary_setup(case, inst)


def _constant_conditions(bound):
    """The registry's hypotheses on K_1, K_2 alone (no batch size in them)."""
    batch = {symbols.B, symbols.D_in, symbols.D_o}
    return [(p, rel) for p, rel in zip(bound.preconditions, bound.preconditions_expanded)
            if {K_1, K_2} & rel.free_symbols and not (batch & rel.free_symbols)]


# ---------------------------------------------------------------------- instances meet every hypothesis
@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_every_instance_meets_every_precondition(case, profile):
    params_list = _instances(case, profile)
    assert params_list
    for params in params_list:
        s = _setup(case, params)
        if case.is_iterations:
            values = {**s.setup.values, "Delta": s.setup.Delta}
            assert case.bound.admits({**values, "iterations_to_accuracy": 0.0})
            # The count is the registry's, at this instance; T is the largest integer below it.
            assert s.budget == pytest.approx(float(evaluate(case.bound.rhs, values)), rel=1e-12)
            assert s.T == math.floor(s.budget)
            # A start above the accuracy (otherwise the first k would be 0 and say nothing).
            assert s.setup.note and params["start_ratio"] > 1
            continue
        bound = case.bound
        assert bound.admits({**s.values, "best_expected_grad_F_norm": 0.0}), bound.failed_preconditions(
            {**s.values, "best_expected_grad_F_norm": 0.0})
        assert s.T == math.ceil(float(evaluate(bound.settings["iteration_budget"], {**s.values, "Delta": s.Delta})))
        # Batch sizes at the edge: one task fewer, or one D_o fewer, leaves the hypotheses.
        for name in ("B", "D_in", "D_o"):
            if s.values[name] > 1:
                assert not bound.admits({**s.values, name: s.values[name] - 1, "best_expected_grad_F_norm": 0.0}), name
        if "K_ratio" in params:
            assert s.rhs == s.values["epsilon"]
            # K_1 at the edge of the constant conditions: a hair less and one fails.
            below = np.nextafter(s.values["K_1"], 0) * (1 - 1e-12)
            low = {**s.values, "K_1": below, "K_2": params["K_ratio"] * below}
            assert any(not bool(_exact(low, rel)) for _, rel in _constant_conditions(bound))


def test_the_corollary_4_16_budget_is_the_theorems_at_epsilon_alpha_sigma_L():
    case = CASES_BY_ID["corollary_4_16@noisy-quadratic-pd"]
    s = _setup(case, _instances(case, "ci")[0])
    v = s.values
    eps = v["alpha"] * v["sigma"] * v["L"]
    theorem_count = float(evaluate(BOUNDS["theorem_g_1_iterations"].rhs, {**v, "epsilon": eps, "Delta": s.Delta}))
    assert s.T == math.ceil(theorem_count)


# ---------------------------------------------------------------------- thresholds read from the registry
def _values(bid, family="noisy-trigonometric", eps_scale=1.0):
    fam = build_convergence_family(family, np.random.default_rng(0), 2, 3, 0.5, 0.5)
    bound = BOUNDS[bid]
    c = fam.constants.values()
    v = dict(L=c["L"], rho=c["rho"], sigma=c["sigma"], sigma_tilde=c["sigma_tilde"], sigma_H=c["sigma_H"],
             alpha=alpha_for(bound, 0.999, c["L"]))
    v["epsilon"] = eps_scale * c["sigma"]
    return bound, fam, v


@pytest.mark.parametrize("bid", ["corollary_4_13", "corollary_h_2"])
@pytest.mark.parametrize("eps_scale", [1.0, 200.0])  # 200: the epsilon condition binds (rho > 0)
def test_smallest_constant_is_the_edge_of_the_constant_conditions(bid, eps_scale):
    bound, _, v = _values(bid, eps_scale=eps_scale)
    for ratio in (0.5, 2.0, 8.0):
        k1, k2 = smallest_constant(bound, v, ratio)
        assert k2 == pytest.approx(ratio * k1)
        conds = _constant_conditions(bound)
        assert len(conds) == 2
        at = {**v, "K_1": k1, "K_2": k2}
        assert all(bool(_exact(at, rel)) for _, rel in conds)
        lo = k1 * (1 - 1e-9)
        assert not all(bool(_exact({**v, "K_1": lo, "K_2": ratio * lo}, rel)) for _, rel in conds)
    # Which condition binds: the first for epsilon ~ sigma, the second (with epsilon) when epsilon is large.
    k1, k2 = smallest_constant(bound, v, 2.0)
    tight = [p.name for p, rel in _constant_conditions(bound)
             if not bool(_exact({**v, "K_1": k1 * (1 - 1e-9), "K_2": k2 * (1 - 1e-9)}, rel))]
    assert len(tight) == 1 and (("epsilon" in tight[0]) == (eps_scale > 100))


def test_the_epsilon_condition_is_vacuous_when_rho_is_zero():
    bound, _, v = _values("corollary_4_13", family="noisy-quadratic-pd", eps_scale=1e6)
    assert v["rho"] == 0
    k1, _ = smallest_constant(bound, v, 2.0)
    _, _, small = _values("corollary_4_13", family="noisy-quadratic-pd", eps_scale=1.0)
    assert k1 == smallest_constant(bound, small, 2.0)[0]


def test_smallest_product_admitted_solves_B_D_o_for_D_o():
    bound, _, v = _values("corollary_4_13")
    v.update(K_1=200.0, K_2=400.0)
    v["B"] = smallest_admitted(bound, "B", v)
    v["D_in"] = smallest_admitted(bound, "D_in", v)
    rel = next(r for r in bound.preconditions_expanded if r.lhs == symbols.B * symbols.D_o)
    need = float(evaluate(rel.rhs, v))
    for B in (1, 3, 7, v["B"]):
        d_o = smallest_product_admitted(bound, "D_o", {**v, "B": B})
        assert B * d_o >= need and (d_o == 1 or B * (d_o - 1) < need)


# ---------------------------------------------------------------------- perturbed instances are refused
def _names(exc):
    return {p.name for p in exc.value.failed}


def test_a_perturbed_corollary_instance_is_refused_with_the_hypothesis_named():
    case = CASES_BY_ID["corollary_4_13@noisy-quadratic-pd"]
    params = {k: v for k, v in _instances(case, "ci")[0].items() if k not in ("seed", "full")}
    s = build_corollary_setup(case, Instance(case.id, 1, params))
    b_condition = next(p.name for p in case.bound.preconditions
                       if symbols.K_1 in p.relation.free_symbols and p.relation.lhs == symbols.B)
    with pytest.raises(PreconditionFailed) as exc:
        build_corollary_setup(case, Instance(case.id, 1, {**params, "B": s.values["B"] - 1}))
    assert b_condition in _names(exc) and b_condition in str(exc.value) and "B=" in str(exc.value)
    # K_1 below the edge: the constant condition of the corollaries' reading is named.
    k1 = s.values["K_1"] * 0.99
    with pytest.raises(PreconditionFailed) as exc:
        build_corollary_setup(case, Instance(case.id, 1, {**params, "K_1": k1, "K_2": 2 * k1}))
    assert _names(exc) & {p.name for p, _ in _constant_conditions(case.bound)}
    # ... and it never runs: run_instance refuses before the first iteration.
    with pytest.raises(PreconditionFailed):
        run_instance(case, Instance(case.id, 1, {**params, "D_in": 1}), 1e-4, runs=2, cap=5)


def test_a_perturbed_iteration_instance_is_refused_with_the_hypothesis_named():
    case = CASES_BY_ID["theorem_h_1_iterations@noisy-trigonometric"]
    s = _setup(case, _instances(case, "ci")[0]).setup
    values = {**s.values, "Delta": s.Delta}
    require_admitted(case.bound, values)
    for name in ("B", "D_h"):
        low = smallest_admitted(case.bound, name, values) - 1
        if low < 1:
            continue
        with pytest.raises(PreconditionFailed) as exc:
            require_admitted(case.bound, {**values, name: low})
        assert any(p.relation.lhs == getattr(symbols, name) for p in exc.value.failed)
    with pytest.raises(PreconditionFailed) as exc:
        require_admitted(case.bound, {**values, "alpha": 2 * s.alpha})  # outside alpha L <= 1/6
    assert len(exc.value.failed) == 1


def test_corollary_values_at_the_edge_are_admitted_by_the_bound():
    bound = BOUNDS["corollary_4_13"]
    fam = build_convergence_family("noisy-quadratic-pd", np.random.default_rng(0), 2, 3, 0.5, 0.5)
    values = corollary_values(bound, fam, dict(alpha_frac=1.0, eps_scale=1.0, K_ratio=2.0))
    assert bound.admits({**values, "best_expected_grad_F_norm": 0.0})


# ---------------------------------------------------------------------- the iteration-count judge
def _traj(mean_by_k, R=20, sd=0.001, seed=0, T=None):
    rng = np.random.default_rng(seed)
    mean_by_k = np.asarray(mean_by_k, dtype=float)
    X = mean_by_k + sd * rng.standard_normal((R, mean_by_k.size))
    X[:, 0] = mean_by_k[0]  # a deterministic start, as in the checks
    return Trajectories(X, T=mean_by_k.size - 1 if T is None else T)


GEOMETRIC = 2.0 * 0.95 ** np.arange(61)  # crosses 1 between k = 13 (1.027) and k = 14 (0.975)


def test_iteration_judge_holds_and_estimates_the_first_k():
    out = judge_iterations(_traj(GEOMETRIC), accuracy=1.0, budget=100.0, delta=1e-4)
    assert out.verdict is Verdict.HOLDS
    assert out.estimate == 14 and out.lower <= 14 <= out.upper and out.upper < math.inf
    assert out.ratio == pytest.approx(0.14)


def test_iteration_judge_reads_k_le_a_real_count_as_k_le_its_floor():
    traj = _traj(GEOMETRIC)
    assert judge_iterations(traj, 1.0, 13.99, 1e-4).verdict is Verdict.VIOLATED  # E X_k > 1 for k <= 13
    assert judge_iterations(traj, 1.0, 14.0, 1e-4).verdict is not Verdict.VIOLATED


def test_iteration_judge_control_at_half_the_first_k_is_violated():
    traj = _traj(GEOMETRIC)
    out = judge_iterations(traj, 1.0, 100.0, 1e-4)
    control = judge_iterations(traj, 1.0, out.rhs * out.ratio / 2, 1e-4)  # what falsified() gives
    assert control.T == 7 and control.verdict is Verdict.VIOLATED


def test_iteration_judge_needs_the_runs_to_reach_the_count_before_violated():
    flat = _traj(np.full(41, 1.5))
    out = judge_iterations(flat, 1.0, 40.0, 1e-4)
    assert out.verdict is Verdict.VIOLATED and out.estimate == math.inf and out.ratio == math.inf
    cut = Trajectories(flat.X[:, :20], T=40)
    assert judge_iterations(cut, 1.0, 40.0, 1e-4).verdict is Verdict.INCONCLUSIVE


def test_iteration_judge_inconclusive_when_the_noise_straddles_the_accuracy():
    out = judge_iterations(_traj(np.r_[1.5, np.full(20, 1.0)], R=5, sd=0.5), 1.0, 20.0, 1e-4)  # start above
    assert out.verdict is Verdict.INCONCLUSIVE


def test_iteration_judge_counts_a_diverged_run_against_the_bound():
    traj = _traj(GEOMETRIC)
    traj.X[0, 3:] = np.inf
    traj.outcomes = ["non_finite"] + ["completed"] * (traj.X.shape[0] - 1)
    out = judge_iterations(traj, 1.0, 100.0, 1e-4)
    assert out.verdict is not Verdict.HOLDS and out.estimate == math.inf


def test_iteration_judge_refuses_a_negative_count():
    from verify.model.errors import ParameterError

    with pytest.raises(ParameterError):
        judge_iterations(_traj(GEOMETRIC), 1.0, -1.0, 1e-4)


# ---------------------------------------------------------------------- replay
def test_replay_dispatches_corollary_instances(capsys):
    case = CASES_BY_ID["corollary_4_13@noisy-quadratic-pd"]
    params = {k: v for k, v in _instances(case, "ci")[0].items() if k not in ("seed", "full")}
    inst = Instance(case.id, 5, {**params, "runs": 2, "cap": 3, "full": True})
    assert replay.main([inst.to_json()]) == 0
    out = capsys.readouterr().out
    assert out.startswith(case.id) and "Corollary 4.13" in out
