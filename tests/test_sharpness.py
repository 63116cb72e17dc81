"""Sharpness: every inequality declares how tight it can be, and each derived supremum is a power its check has.

The mutation self-test: for every inequality whose supremum s of lhs/rhs is derived,
the registry's Bound wrapped with its right side multiplied by 9/10 of s (a false
statement, through ``verify.judge.mutations.scaled``; no file is edited) must be reported
``violated`` by its check on the extremal instances, and the Bound itself must not be
(unless it is a recorded finding), having reached at least 9/10 of s.
"""
from __future__ import annotations

import pytest
import sympy as sp

from bounds import BOUNDS, Sharpness, SharpnessStatus
from bounds._core import BoundError
from verify.judge.evidence import Verdict
from verify.judge.findings import load as load_findings
from verify.judge.sharpness import (TARGET_FRACTION, bound_tightness, is_inequality, power_words,
    result_tightness)
from verify.checks.extremal import extremal_runs, runners
from verify.judge.mutations import mutation, scaled

INEQUALITIES = sorted(b.id for b in BOUNDS.values() if is_inequality(b))
DERIVED = sorted(i for i in INEQUALITIES
                 if BOUNDS[i].sharpness is not None and BOUNDS[i].sharpness.status is SharpnessStatus.DERIVED)
RECORDED = {f.bound for f in load_findings() if f.bound}


@pytest.mark.parametrize("bound_id", INEQUALITIES)
def test_every_inequality_declares_its_sharpness(bound_id):
    sharp = BOUNDS[bound_id].sharpness
    assert sharp is not None, f"{bound_id}: no Sharpness in the registry (derive the supremum, or say why not)"
    assert len(sharp.derivation) > 80, f"{bound_id}: the derivation (or the reason none is derived) is too thin"
    if sharp.status is not SharpnessStatus.NOT_DERIVED:
        assert sharp.extremal, f"{bound_id}: a supremum needs the extremal instance that attains or approaches it"
        assert any(ch.isdigit() for ch in sharp.derivation), f"{bound_id}: the derivation cites no equation"


@pytest.mark.parametrize("bound_id", DERIVED)
def test_the_check_is_sharp_and_catches_its_bound_made_false(bound_id):
    """Unmutated: not violated (unless recorded), 9/10 of the supremum reached; mutated: violated."""
    bound = BOUNDS[bound_id]
    assert runners().get(bound_id), f"{bound_id}: a derived supremum but no extremal runner"
    sup = float(bound.sharpness.supremum)
    plain = extremal_runs(bound)
    best = max(r.worst_ratio for r in plain)
    assert best >= TARGET_FRACTION * sup, (
        f"{bound_id}: the extremal instances reach {best:.4g}, below {TARGET_FRACTION} x the supremum {sup:.4g}")
    if bound_id not in RECORDED:
        assert all(r.verdict is not Verdict.VIOLATED for r in plain), [r for r in plain if r.verdict is Verdict.VIOLATED]
    mutant = scaled(bound, bound.sharpness.control_factor)
    caught = extremal_runs(mutant)
    assert any(r.verdict is Verdict.VIOLATED for r in caught), (
        f"{bound_id}: with its constant made {float(bound.sharpness.control_factor):.4g} times smaller (false), "
        f"no check reported it violated: {caught}")


def test_the_mutation_hook_reaches_the_checks_through_their_key():
    from verify.checks.pointwise import CASES

    case = next(c for c in CASES if c.bound_id == "lemma_4_8")
    before = case.bound.rhs
    with mutation("lemma_4_8", 0.5):
        assert sp.simplify(case.bound.rhs - before / 2) == 0
    assert case.bound.rhs == before


def test_scaling_strengthens_both_kinds_of_inequality():
    le = BOUNDS["lemma_4_8"]
    ge = BOUNDS["lemma_4_9_first_moment"]
    assert sp.simplify(scaled(le, sp.Rational(1, 2)).rhs - le.rhs / 2) == 0
    assert sp.simplify(scaled(ge, sp.Rational(1, 2)).rhs - 2 * ge.rhs) == 0  # >=: a larger lower bound


@pytest.mark.parametrize("kw, says", [
    (dict(status="derived", derivation="x"), "needs the supremum"),
    (dict(status="not_derived", derivation="x", supremum=1), "status is derived"),
    (dict(status="derived", derivation="x", supremum=sp.Rational(1, 2), attained=1, extremal="e"), "exceeds"),
    (dict(status="derived", derivation="x", supremum=-1), "positive"),
    (dict(status="upper_bound", derivation="x", supremum=1, attained=sp.Rational(1, 2)), "extremal instance"),
    (dict(status="derived", derivation=""), "derivation"),
])
def test_a_malformed_sharpness_is_refused(kw, says):
    with pytest.raises(BoundError, match=says):
        Sharpness(**kw)


def test_a_bad_mutation_names_the_parameter():
    from verify.model.errors import ParameterError

    with pytest.raises(ParameterError, match="factor"):
        scaled(BOUNDS["lemma_4_8"], -1)
    with pytest.raises(ParameterError, match="not an inequality"):
        scaled(BOUNDS["eq_35_meta_gradient"], 0.5)


def test_tightness_records_say_what_a_user_can_conclude():
    bound = BOUNDS["lemma_4_8"]
    exact = result_tightness(bound, 0.25, None)
    assert exact["reached"] == 0.25 and exact["exact"] and "below 0.25" in exact["power"]
    statistical = result_tightness(bound, 0.9, [0.8, 1.0])
    assert statistical["reached"] == 0.8 and not statistical["exact"]
    assert result_tightness(bound, None, None) is None  # a check that measures no ratio (units)
    assert result_tightness(bound, 0.92, None, 0.0) is None  # rhs = 0: a rounding residue, no ratio lhs/rhs
    assert result_tightness(BOUNDS["eq_35_meta_gradient"], 0.5, None) is None  # an identity
    assert "measures nothing" in power_words(-0.1)
    assert "[0.4, 0.5) can pass" in power_words(0.4, 0.5)  # false below the supremum 1/2 only
    assert "every factor that makes the statement false" in power_words(0.5, 0.5)
    assert "[0.4, 1)) can pass" in power_words(0.4)  # supremum unknown
    rows = [{"family": "a", "tightness": exact}, {"family": "b", "tightness": statistical}]
    summary = bound_tightness(bound, rows)
    assert summary["reached"] == 0.8 and summary["family"] == "b"
