"""Power of the pointwise checks: each one's extremal instances reach its declared sharpness and catch a 0.9-mutant.

For every Bound of verify/checks/pointwise.py that declares its ``Sharpness``, the extremal
runner (the check on the proof's equality cases, judged exactly as ``pytest verify``
judges them) must (1) not report the registry's Bound violated, unless it is a recorded
finding; (2) reach a worst ratio of at least 9/10 of the derived supremum (of the
attained ratio where only an upper bound is derived); (3) report ``violated`` when the
right side is multiplied by 9/10 of that reference ratio (a false statement), the Bound
wrapped in memory, no file edited.
"""
import dataclasses
import math

import numpy as np
import pytest

from bounds import BOUNDS, Relation
from verify.model.errors import ParameterError
from verify.judge.evidence import Verdict
from verify.model.families.ridge import RidgeFamily, kink_profile
from verify.judge.findings import for_check
from verify.checks.pointwise import CASES_BY_ID, EXTREMAL, RUNNER_CASES, evaluate_instance, extremal_instances
from verify.checks.extremal import extremal_runs, runners

BOUND_IDS = sorted(RUNNER_CASES)
FINDING_BOUNDS = {f.bound for f in for_check("pointwise")}


def _mutated(bound):
    # The right side times the factor for <=, divided by it for >= ((94)): a stronger, false statement either way.
    factor = bound.sharpness.control_factor
    assert bound.relation in (Relation.LE, Relation.GE)
    return dataclasses.replace(bound, rhs=bound.rhs * factor if bound.relation is Relation.LE else bound.rhs / factor)


@pytest.mark.parametrize("bound_id", BOUND_IDS)
def test_sharpness_is_declared_and_a_runner_is_registered(bound_id):
    bound = BOUNDS[bound_id]
    assert bound.sharpness is not None, f"{bound_id} declares no sharpness"
    assert bound.sharpness.reference_ratio is not None
    assert runners().get(bound_id), f"{bound_id} has no extremal runner"


@pytest.mark.parametrize("bound_id", BOUND_IDS)
def test_unmutated_extremal_run_reaches_the_reference_ratio(bound_id):
    bound = BOUNDS[bound_id]
    ref = float(bound.sharpness.reference_ratio)
    for run in extremal_runs(bound):
        if bound_id in FINDING_BOUNDS:
            # A recorded finding: its extremal instance must keep breaking the printed statement.
            assert run.verdict is Verdict.VIOLATED, run
        else:
            assert run.verdict is Verdict.HOLDS, run
        assert run.worst_ratio >= 0.9 * ref, (run, ref)
        if bound.sharpness.supremum is not None:
            # never above a proven supremum beyond rounding
            assert run.worst_ratio <= float(bound.sharpness.supremum) * (1 + 1e-9), run


@pytest.mark.parametrize("bound_id", BOUND_IDS)
def test_mutated_extremal_run_is_violated(bound_id):
    bound = _mutated(BOUNDS[bound_id])
    runs = extremal_runs(bound)
    assert runs
    for run in runs:
        assert run.verdict is Verdict.VIOLATED, run


@pytest.mark.parametrize("case_id", sorted(EXTREMAL))
def test_extremal_instances_are_admitted_and_replay(case_id):
    """Every extremal instance meets the Bound's hypotheses and gives the same ratio twice."""
    case = CASES_BY_ID[case_id]
    for inst in extremal_instances(case, 917):
        a, b = evaluate_instance(case, inst), evaluate_instance(case, inst)
        assert a.status == "evaluated", (inst, a.note)
        assert a.ratio == b.ratio


def test_eq_9_kink_gives_exactly_half_at_every_step():
    """The ridge rho|t|^3/6 (clipped at L) at its kink: the central difference errs by rho delta ||v||^2 / 2."""
    X, H = kink_profile(2.0, 1.0)
    fam = RidgeFamily(np.eye(1)[None], X[None, None], H[None, None], np.zeros((1, 1)))
    rho = fam.constants_on(fam.domain).rho.value
    for delta in (1e-3, 0.1, 0.5):  # delta ||v|| <= L / rho = 1/2
        v = np.array([1.0])
        fd = (fam.gradient(delta * v) - fam.gradient(-delta * v)) / (2 * delta)
        err = abs(float((fam.hvp(np.zeros(1), v) - fd)[0, 0]))
        assert math.isclose(err / (rho * delta), 0.5, rel_tol=1e-9)  # rounding of the difference quotient


def test_ridge_oracles_and_constants():
    """Gradients and Hessians agree with central differences; L and rho are the profile's extremes and slopes."""
    rng = np.random.default_rng(3)
    fam = RidgeFamily.random(rng, 3, 3, L=1.5, rho=0.7, knots=5)
    w = 2 * rng.standard_normal(3)
    h = 1e-6
    fd_g = np.array([(fam.loss(w + h * e) - fam.loss(w - h * e)) / (2 * h) for e in np.eye(3)]).T
    fd_H = np.array([(fam.gradient(w + h * e) - fam.gradient(w - h * e)) / (2 * h) for e in np.eye(3)])
    assert np.allclose(fam.gradient(w), fd_g, atol=1e-6)
    assert np.allclose(fam.hessian(w), fd_H.transpose(1, 2, 0), atol=1e-6)
    c = fam.constants_on(fam.domain)
    assert math.isclose(c.L.value, 1.5) and math.isclose(c.rho.value, 0.7, rel_tol=1e-12)
    # the Hessian never exceeds L, and changes no faster than rho, along random pairs of points
    W = 3 * rng.standard_normal((200, 3))
    U = W + rng.standard_normal((200, 3))
    for t in range(3):
        HW, HU = fam.hessian(W, np.full(200, t)), fam.hessian(U, np.full(200, t))
        assert np.all(np.abs(np.linalg.eigvalsh(HW)) <= c.L.value + 1e-12)
        diff = np.abs(np.linalg.eigvalsh(HW - HU)).max(axis=1)
        assert np.all(diff <= c.rho.value * np.linalg.norm(W - U, axis=1) + 1e-12)


def test_ridge_refuses_configurations_outside_the_hypotheses():
    with pytest.raises(ParameterError, match="rho"):
        kink_profile(0.0, 1.0)  # a kink with Hessian-Lipschitz constant 0
    with pytest.raises(ParameterError, match="L"):
        kink_profile(1.0, -1.0)
    with pytest.raises(ParameterError, match="X"):
        RidgeFamily(np.eye(1)[None], np.array([[[0.0, 0.0]]]), np.array([[[1.0, -1.0]]]), np.zeros((1, 1)))


@pytest.mark.parametrize("name,value", [("kink", 1.5), ("gradient", -0.1), ("alpha_frac", 2.0), ("sign", 0.5)])
def test_extremal_configurations_outside_the_hypotheses_are_refused(name, value):
    """An extremal instance asked for a parameter outside its range is refused with the parameter named."""
    from verify.checks.pointwise import build_setup
    from verify.judge.evidence import Instance

    case_id = {"kink": "eq_9_finite_difference_hvp@ridge", "gradient": "corollary_a_1@ridge",
               "alpha_frac": "eq_86_hessian_factor_at_most_2@noisy-quadratic-concave",
               "sign": "eq_30a_hessian_bounded@quadratic-indefinite"}[name]
    case = CASES_BY_ID[case_id]
    params = dict(EXTREMAL[case_id][0], **{name: value})
    with pytest.raises(ParameterError, match=name):
        build_setup(case, Instance(case_id, 0, params))
    assert evaluate_instance(case, Instance(case_id, 0, params)).status == "invalid"
