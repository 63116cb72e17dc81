"""The descent checks' machinery: the ratio and the negative control work with sides of either sign."""
import numpy as np
import pytest

from bounds import BOUNDS, symbols
from verify.checks.descent import DESCENT_CASES, DescentOutcome, control_bound
from verify.judge.evidence import Verdict


@pytest.mark.parametrize("est,rhs,below_one", [(-0.5, -0.1, True), (-0.05, -0.1, False), (0.2, 0.4, True),
                                               (0.5, 0.4, False)])
def test_ratio_is_below_one_exactly_when_the_bound_holds(est, rhs, below_one):
    r = DescentOutcome(Verdict.HOLDS, est, est, est, rhs, 1).ratio
    assert (r < 1) is below_one


@pytest.mark.parametrize("est,rhs", [(-0.5, -0.1), (0.2, 0.4), (0.0, 0.3), (-0.2, 0.3)])
def test_control_moves_the_right_side_below_the_mean(est, rhs):
    b = BOUNDS["theorem_f_1_descent"]
    fb, note = control_bound(b, est, rhs)
    # Evaluate both right-hand sides at one admitted point: the falsified one is the original times a factor.
    point = {s.name: (10 ** 6 if symbols.info(s).integer else np.array([0.5, 1.5]) if symbols.info(s).role ==
                      "per_task" else 1.0) for s in b.inputs}
    point["alpha"] = 0.05
    factor = fb.rhs_value(point) / b.rhs_value(point)
    assert factor * rhs < est and "below the mean" in note


def test_each_algorithm_has_its_descent_display():
    assert {c.algorithm for c in DESCENT_CASES} == {"maml", "fo_maml", "hf_maml"}
    assert all(c.bound.algorithm == c.algorithm for c in DESCENT_CASES)
