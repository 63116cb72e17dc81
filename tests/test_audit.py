"""The proof audit's machinery (verify/checks/audit.py): exact extrema, reductions, verdicts, chains."""
import dataclasses

import pytest
import sympy as sp

from bounds import BOUNDS
from bounds._symbols import TABLE
from verify.checks import audit
from verify.checks.audit import Interval, extremum

x, y = sp.Symbol("x", nonnegative=True), sp.Symbol("y", nonnegative=True)
n = sp.Symbol("n", positive=True, integer=True)
R = sp.Rational


def test_sup_of_a_polynomial_on_a_half_open_interval_is_exact():
    ext = extremum((1 + x) * x, {x: Interval(R(0), R(1, 6), True, False)})
    assert ext.value == R(7, 36) and ext.attained and ext.point[x] == R(1, 6)


def test_an_interior_critical_point_is_found():
    ext = extremum(x - x ** 2 / 10, {x: Interval(R(0), sp.oo, False, True)})
    assert ext.value == R(5, 2) and ext.point[x] == 5


def test_an_infimum_not_attained_at_an_open_end():
    ext = extremum(1 - 2 * x - x ** 2, {x: Interval(R(0), sp.sqrt(2) - 1, False, True)}, maximise=False)
    assert ext.value == 0 and not ext.attained


def test_an_unbounded_supremum_is_infinite():
    ext = extremum(2 + x ** 2 * y, {x: Interval(R(0), sp.oo, True, True), y: Interval(R(0), R(1), False, False)})
    assert ext.value is sp.oo and not ext.attained


def test_integer_variable_takes_the_neighbouring_integers_of_a_critical_point():
    # n (7/2 - n) peaks at n = 7/4 over the reals; over the integers at n = 2: 3.
    ext = extremum(n * (R(7, 2) - n), {n: Interval(R(1), sp.oo, False, True, True)})
    assert ext.value == 3 and ext.point[n] == 2


def test_a_two_variable_box_monotone_in_one_variable():
    # 0.06 - (2 + 40/B)/92 over B >= 20: the infimum at B = 20 (F.1's 1/100 step).
    B = sp.Symbol("B", positive=True, integer=True)
    ext = extremum(R(3, 50) - (2 + 40 / B) / 92 + 0 * x, {B: Interval(R(20), sp.oo, False, True, True)},
                   maximise=False)
    assert ext.value == R(19, 1150)


def test_the_exact_comparison_sees_through_radicals():
    assert audit.compare(1 - 2 * (sp.sqrt(2) - 1) - (sp.sqrt(2) - 1) ** 2, 0) == 0
    assert audit.compare(110 * sp.sqrt(2) / 711, R(22, 100)) < 0
    assert audit.compare(sp.oo, 10 ** 9) > 0


def test_approach_finds_a_point_beyond_a_supremum_that_is_not_attained():
    box = {x: Interval(R(0), R(1), False, True)}
    f = x / (1 - x)
    ext = extremum(f, box)
    assert ext.value is sp.oo
    pt, value = audit.approach(f, box, ext, 1000, above=True)
    assert value > 1000 and 0 <= pt[x] < 1


def test_reduction_of_a_batch_condition_sweeps_its_ratio():
    red = audit.reduce_step(BOUNDS["f1_eq_86_noise_1_2"], {})
    assert red.f.free_symbols == {s for s in red.box if s.name == "q_D_h"}
    assert audit.extremum(red.f, {s: iv for s, iv in red.box.items() if red.f.has(s)}).value == R(1, 2)


def test_the_81_step_holds_with_its_tightest_constant():
    r = audit.audit()["f1_eq_81_bias_0_2"].printed
    assert r.holds and r.tightest == R(7, 36) and r.worst_ratio == pytest.approx(35 / 36)


@pytest.mark.parametrize("step_id", ["f1_eq_81_bias_0_2", "f1_eq_93_decrease_1_100", "c19_second_moment_3_125",
                                     "h1_eq_145_factor_4_3"])
def test_negative_control_beyond_the_tightest_constant_is_violated(step_id):
    b = BOUNDS[step_id]
    printed = {BOUNDS[u].settings["produces"]: BOUNDS[u].rhs for u in b.settings["uses"]}
    r = audit.audit()[step_id].printed
    control = audit.judge(b, printed, claimed=audit.negative_control_constant(r))
    assert control.holds is False and control.counterexample is not None


def test_a_falsified_step_is_caught_with_a_point_inside_its_premises():
    falsified = dataclasses.replace(BOUNDS["f1_eq_81_bias_0_2"], rhs=R(1, 6))
    r = audit.judge(falsified, {})
    assert r.holds is False
    alpha, L = sp.Rational(r.counterexample["alpha"]), sp.Rational(r.counterexample["L"])
    assert 0 < alpha * L <= R(1, 6) and (1 + alpha * L) * alpha * L > R(1, 6)


def test_the_34_step_is_false_with_exponent_4():
    r = audit.audit()["a3_eq_34_power_of_one_plus_alpha_l"].printed
    assert r.holds is False and r.tightest == 4 and r.worst_ratio == 2.0


def test_chain_with_34_corrected_loses_40_and_keeps_20():
    rows = audit.audit()
    assert rows["f1_eq_89_grad_40"].printed.holds
    assert rows["f1_eq_89_grad_40"].false_uses == ("a3_eq_34_power_of_one_plus_alpha_l",)
    assert rows["f1_eq_89_grad_40"].corrected.holds is False
    assert rows["f1_eq_89_grad_40"].corrected.tightest == R(691488, 13225)
    assert rows["g1_eq_122_grad_20"].corrected.holds is True


def test_a_step_downstream_of_an_unbounded_constant_is_not_derivable():
    rows = audit.audit()
    assert rows["h1_eq_145_factor_4_3"].printed.tightest is sp.oo
    assert rows["h1_eq_146_d_in_47_3"].found.tightest is None
    assert "not derivable" in rows["h1_theorem_constant"].chain_status


def test_found_constants_propagate_through_the_chain():
    rows = audit.audit()
    # (82) with (81)'s tightest 7/36: 2 (7/36)^2 = 49/648.
    assert rows["f1_eq_82_square_0_08"].found.tightest == R(49, 648)


def test_145_under_the_scale_free_hessian_batch_condition_gives_38_over_9():
    """The variant that the finding proposes: D_h >= 36 (alpha^2 rho sigma~)^2 bounds the term by 2."""
    b = BOUNDS["h1_eq_145_factor_4_3"]
    s = {k: TABLE[k].symbol for k in ("alpha", "rho", "sigma_tilde", "D_h")}
    from bounds import Precondition

    scale_free = Precondition("D_h >= ceil(36 (alpha^2 rho sigma~)^2)",
                              s["D_h"] >= sp.ceiling(36 * (s["alpha"] ** 2 * s["rho"] * s["sigma_tilde"]) ** 2))
    pres = tuple(p for p in b.preconditions if p.name != "D_h >= ceil(36 (alpha rho sigma~)^2)") + (scale_free,)
    variant = dataclasses.replace(b, id="h1_eq_145_scale_free_variant", preconditions=pres)
    audit.SOLVE_FOR[scale_free.name] = s["sigma_tilde"]
    try:
        red = audit.reduce_step(variant, {})
        ext = extremum(red.f, {v: iv for v, iv in red.box.items() if red.f.has(v)})
    finally:
        del audit.SOLVE_FOR[scale_free.name]
    assert ext.value == R(38, 9)


def test_rows_for_the_report_have_the_table_columns():
    rows = audit.audit_rows()
    assert len(rows) == len(audit.steps())
    keys = {"step", "equation", "claimed", "tightest", "verdict", "chain_status"}
    assert all(keys <= set(r) for r in rows)
    assert {r["verdict"] for r in rows} == {"holds", "violated"}
