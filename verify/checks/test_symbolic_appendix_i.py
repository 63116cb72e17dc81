"""Appendix I proved symbolically: (154)-(155) are grad F, (156) solves grad F = 0, (157) is FO-MAML's map
with beta for its outer alpha (a recorded typo), (158) is its fixed point.

Each check builds F (2), its gradient and FO-MAML's direction (8) from the task
losses (152) alone, with fully symbolic task data, and proves the registry's closed
form right with exact polynomial arithmetic.  The negative controls swap the two
closed forms: w_FO must not solve grad F = 0, and w* must not stop FO-MAML, because
(156) and (158) differ as soon as there are two different tasks.
"""
import pytest

from bounds import BOUNDS, MatrixTaskMean, instantiate, symbols
from bounds.appendix_i_quadratic.statement import FO_MAML_STEP, I_d, TASK_SYMBOLS, W_FO, W_STAR, A_i, b_i, w
from verify.judge.evidence import Evidence, Verdict
from verify.judge.findings import for_check
from verify.model.symbolic import (affine_field_vanishes_at, fo_maml_direction, generic_tasks, gradient,
    matrices_equal, meta_objective, point)

alpha = symbols.alpha

# (d, n): scalar tasks with two and three tasks, and symbolic symmetric 2x2 matrices.
CASES = [(1, 2), (1, 3), (2, 2)]
IDS = [f"d{d}-n{n}" for d, n in CASES]


def _record(ledger, bound_id, d, n, holds):
    b = BOUNDS[bound_id]
    ledger.record(Evidence(b.id, b.reference, b.kind.value, f"symbolic quadratic tasks (d={d}, n={n})",
                           Verdict.HOLDS if holds else Verdict.VIOLATED, instances=1, admitted=1,
                           negative_control="the other closed form of Appendix I substituted",
                           negative_control_caught=True, note="proved in exact arithmetic"))


def _setting(d, n):
    tasks = generic_tasks(n, d)
    return tasks, [t.as_task() for t in tasks], point(d)


@pytest.mark.parametrize("d,n", CASES, ids=IDS)
def test_eq_154_155_are_grad_F(d, n, ledger):
    tasks, data, x = _setting(d, n)
    bound = BOUNDS["appendix_i_first_order_condition"]
    grad_F = gradient(meta_objective(tasks, alpha, x), x)  # from F of (2) itself
    printed_154 = instantiate(bound.rhs, TASK_SYMBOLS, data, d, fixed={w: x})
    collected_155 = instantiate(bound.lhs, TASK_SYMBOLS, data, d, fixed={w: x})
    holds = matrices_equal(printed_154, grad_F) and matrices_equal(collected_155, printed_154)
    _record(ledger, "appendix_i_first_order_condition", d, n, holds)
    assert matrices_equal(printed_154, grad_F), f"(154)'s left side is not grad F for d={d}, n={n}"
    assert matrices_equal(collected_155, printed_154), f"(155) does not collect (154) for d={d}, n={n}"
    # Negative control: (155) with one factor (I - alpha A_i) instead of its square is FO-MAML's
    # direction, not grad F.
    falsified = MatrixTaskMean((I_d - alpha * A_i) * A_i) * w + MatrixTaskMean((I_d - alpha * A_i) * b_i)
    assert not matrices_equal(instantiate(falsified, TASK_SYMBOLS, data, d, fixed={w: x}), grad_F)


@pytest.mark.parametrize("d,n", CASES, ids=IDS)
def test_eq_156_w_star_solves_grad_F_equal_zero(d, n, ledger):
    tasks, data, x = _setting(d, n)
    grad_F = gradient(meta_objective(tasks, alpha, x), x)
    w_star = instantiate(BOUNDS["appendix_i_w_star"].rhs, TASK_SYMBOLS, data, d)
    holds = affine_field_vanishes_at(grad_F, x, w_star)
    _record(ledger, "appendix_i_w_star", d, n, holds)
    assert holds, (
        f"Appendix I (156): grad F(w*) != 0 for symbolic tasks with d={d}, n={n}")
    # Negative control: FO-MAML's limit (158) is not a stationary point of F.
    w_fo = instantiate(W_FO, TASK_SYMBOLS, data, d)
    assert not affine_field_vanishes_at(grad_F, x, w_fo)


# (157) writes alpha where FO-MAML's update (8) has the outer stepsize beta (a typo, recorded).
TYPO_157 = next(f for f in for_check("symbolic") if f.bound == "appendix_i_fo_maml_update")
beta = symbols.beta


def _with_outer_stepsize(step):
    """(157)'s affine map with the outer stepsize ``step``: (I - step E_i (I - alpha A_i) A_i) w - step E_i (I - alpha A_i) b_i."""
    return (I_d - step * MatrixTaskMean((I_d - alpha * A_i) * A_i)) * w - step * MatrixTaskMean((I_d - alpha * A_i) * b_i)


@pytest.mark.parametrize("d,n", CASES, ids=IDS)
def test_eq_157_is_the_fo_maml_update_with_beta_for_alpha(d, n, ledger):
    tasks, data, x = _setting(d, n)
    bound = BOUNDS["appendix_i_fo_maml_update"]
    printed_step = instantiate(bound.lhs, TASK_SYMBOLS, data, d, fixed={w: x})
    affine_map = instantiate(bound.rhs, TASK_SYMBOLS, data, d, fixed={w: x})
    # (8) with exact gradients, all tasks, and its own outer stepsize beta, independent of the registry.
    update_8 = x - beta * fo_maml_direction(tasks, alpha, x)
    intended = instantiate(_with_outer_stepsize(beta), TASK_SYMBOLS, data, d, fixed={w: x})
    consistent = matrices_equal(printed_step, affine_map)  # (157)'s two expressions agree with each other
    printed_is_update = matrices_equal(update_8, affine_map)
    intended_is_update = matrices_equal(update_8, intended)
    at_beta_equal_alpha = matrices_equal(update_8.subs(beta, alpha), affine_map)
    b = BOUNDS["appendix_i_fo_maml_update"]
    ledger.record(Evidence(
        b.id, b.reference, b.kind.value, f"symbolic quadratic tasks (d={d}, n={n})",
        Verdict.HOLDS if printed_is_update else Verdict.VIOLATED, instances=1, admitted=1,
        negative_control="(157) with the factors (I - alpha A_i) dropped, against (8) with beta = alpha",
        negative_control_caught=True,
        finding=None if printed_is_update else TYPO_157.id,
        note=(f"proved in exact arithmetic: (157) as printed (outer stepsize alpha) is "
              f"{'' if printed_is_update else 'not '}FO-MAML's update (8) with beta symbolic, and is at beta = alpha; "
              f"with beta for the outer alpha it is (8)'s ({'holds' if intended_is_update else 'fails'})")))
    assert consistent, f"(157): the two sides differ for d={d}, n={n}"
    # The typo: with beta != alpha the printed map is not FO-MAML's update; the difference is only the stepsize.
    assert not printed_is_update, f"(157) with alpha as the outer stepsize is (8) for symbolic beta: {TYPO_157.id} is stale"
    assert at_beta_equal_alpha, f"(157) is not (8) even at beta = alpha for d={d}, n={n}"
    # The intended reading holds: the outer alpha read as beta gives (8)'s update exactly.
    assert intended_is_update, f"(157) with beta for the outer alpha is not FO-MAML's update (8) for d={d}, n={n}"
    # Negative control: (157) with the factors (I - alpha A_i) dropped is not the update, at beta = alpha.
    falsified = (I_d - alpha * MatrixTaskMean(A_i)) * w - alpha * MatrixTaskMean(b_i)
    assert not matrices_equal(update_8.subs(beta, alpha), instantiate(falsified, TASK_SYMBOLS, data, d, fixed={w: x}))


@pytest.mark.parametrize("d,n", CASES, ids=IDS)
def test_eq_158_w_fo_is_the_fixed_point_of_fo_maml(d, n, ledger):
    tasks, data, x = _setting(d, n)
    w_fo = instantiate(BOUNDS["appendix_i_w_fo"].rhs, TASK_SYMBOLS, data, d)
    holds = affine_field_vanishes_at(fo_maml_direction(tasks, alpha, x), x, w_fo)
    _record(ledger, "appendix_i_w_fo", d, n, holds)
    assert holds, (
        f"(158): FO-MAML's direction does not vanish at w_FO for d={d}, n={n}")
    mapped = instantiate(FO_MAML_STEP, TASK_SYMBOLS, data, d, fixed={w: w_fo})
    assert matrices_equal(mapped, w_fo), f"(158) is not a fixed point of (157) for d={d}, n={n}"
    # Negative control: MAML's solution (156) is not where FO-MAML stops.
    w_star = instantiate(W_STAR, TASK_SYMBOLS, data, d)
    assert not affine_field_vanishes_at(fo_maml_direction(tasks, alpha, x), x, w_star)
