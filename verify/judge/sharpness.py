"""Sharpness records: how close a check came to the supremum of lhs/rhs, and the hook for extremal runs.

A check module registers an *extremal runner* per Bound it covers (``extremal_runner``);
``verify.checks.extremal`` collects them.  The tightness records say, per result and per
Bound, how much of the derived supremum the search reached (``TARGET_FRACTION``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from bounds import Bound

from verify.judge.evidence import Verdict
from bounds import Kind, Relation


@dataclass(frozen=True)
class ExtremalRun:
    """One check's verdict on its extremal instances against a given Bound."""

    check: str  # the (bound, family) check id, e.g. "eq_9_finite_difference_hvp@cubic-ridge"
    verdict: Verdict
    worst_ratio: float  # lhs/rhs (rhs/lhs for >=) against the Bound given; for statistical verdicts the cautious one
    note: str = ""


Runner = Callable[[Bound], ExtremalRun]
_RUNNERS: dict[str, list[Runner]] = {}


def extremal_runner(bound_id: str) -> Callable[[Runner], Runner]:
    """Register ``fn(bound) -> ExtremalRun`` as an extremal runner of ``bound_id``."""

    def register(fn: Runner) -> Runner:
        _RUNNERS.setdefault(bound_id, [])
        if fn not in _RUNNERS[bound_id]:
            _RUNNERS[bound_id].append(fn)
        return fn

    return register


# ---------------------------------------------------------------------- tightness records
# "Holds" counts as held against the worst case when the check reached at least this
# fraction of the derived supremum of lhs/rhs.
TARGET_FRACTION = 0.9


def is_inequality(bound: Bound) -> bool:
    """Pointwise and expectation statements with <= or >=: those that carry a tightness record."""

    return bound.kind in (Kind.POINTWISE, Kind.EXPECTATION) and bound.relation in (Relation.LE, Relation.GE)


def power_words(reached: float | None, supremum: float | None = None) -> str:
    """What a reached ratio r means for a user: which changes to the paper's constant the check would see.

    With the supremum s known, only factors below s make the statement false: the check
    catches those below r, and those in [r, s) can pass unnoticed.
    """
    if reached is None or not reached > 0:
        return ("no positive ratio reached, so a factor on the right side measures nothing here (see the "
                "derivation)")
    if reached >= 1:
        return f"reached {reached:.4g}, at or above the bound"
    caught = f"catches the right side multiplied by any factor below {reached:.4g}"
    if supremum is None:
        return f"{caught}; a smaller change (a factor in [{reached:.4g}, 1)) can pass unnoticed"
    if reached >= supremum * (1 - 1e-12):
        return f"{caught}: every factor that makes the statement false (below the supremum {supremum:.4g})"
    return (f"{caught}; the statement is false for every factor below the supremum {supremum:.4g}, so a "
            f"factor in [{reached:.4g}, {supremum:.4g}) can pass unnoticed")


def result_tightness(bound: Bound | None, worst_ratio, ratio_interval, worst_rhs=None) -> dict | None:
    """The tightness record of one (bound, family) result: ratio reached, the supremum, what follows.

    None where there is no ratio lhs/rhs to speak of: not an inequality, a check that
    measures no ratio (the units check), or a worst instance whose right side is 0 (e.g. (9)
    on quadratic tasks, rho = 0), whose ratio the pointwise check takes against the rounding
    allowance instead: a residue of rounding, not a step toward the supremum.
    """
    if bound is None or not is_inequality(bound) or (worst_ratio is None and not ratio_interval):
        return None
    if worst_rhs is not None and worst_rhs == 0 and not ratio_interval:
        return None
    reached = ratio_interval[0] if ratio_interval else worst_ratio
    reached = None if reached is None else float(reached)
    sharp = bound.sharpness
    sup = None if sharp is None or sharp.supremum is None else float(sharp.supremum)
    fraction = reached / sup if reached is not None and sup else None
    return {
        "reached": reached,
        "interval": None if not ratio_interval else [float(x) for x in ratio_interval],
        "exact": ratio_interval is None,
        "supremum": sup,
        "supremum_status": "not_declared" if sharp is None else sharp.status.value,
        "fraction_of_supremum": fraction,
        "power": power_words(reached, sup if sharp is not None and sharp.status.value == "derived" else None),
    }


def bound_tightness(bound: Bound, results: list[dict]) -> dict | None:
    """The tightness of a Bound over its families: the best ratio reached, and whether it meets the target.

    ``results`` are compliance result rows (with their ``tightness``).  The target is
    TARGET_FRACTION of a derived supremum (or of a proven upper bound on it); where the
    supremum is not derived, the record says so and carries the registry's reason.
    """
    if not is_inequality(bound):
        return None
    sharp = bound.sharpness
    best, where, interval = None, None, None
    for r in results:
        t = r.get("tightness") or {}
        x = t.get("reached")
        if isinstance(x, (int, float)) and (best is None or x > best):
            best, where, interval = float(x), r["family"], t.get("interval")
    sup = None if sharp is None or sharp.supremum is None else float(sharp.supremum)
    status = "not_declared" if sharp is None else sharp.status.value
    fraction = best / sup if best is not None and sup else None
    # The target: TARGET_FRACTION of the supremum where it is derived, else of the ratio the
    # extremal configuration attains (a proven upper bound is no ratio any instance is known to reach).
    ref = None if sharp is None or sharp.reference_ratio is None else float(sharp.reference_ratio)
    return {
        "reached": best,
        "interval": interval,
        "family": where,
        "supremum": sup,
        "supremum_exact": None if sharp is None or sharp.supremum is None else str(sharp.supremum),
        "supremum_shown": None if sharp is None or sharp.supremum is None else shown(sharp.supremum),
        "supremum_status": status,
        "attained": None if sharp is None or sharp.attained is None else float(sharp.attained),
        "extremal": "" if sharp is None else sharp.extremal,
        "derivation": "" if sharp is None else sharp.derivation,
        "fraction_of_supremum": fraction,
        "target": None if ref is None else TARGET_FRACTION * ref,
        "meets_target": None if ref is None or best is None else bool(best >= TARGET_FRACTION * ref),
        "loose": False if sharp is None else sharp.loose,
        "power": power_words(best, sup if status == "derived" else None),
    }


def shown(value) -> str:
    """An exact number as a reader wants it: a short rational as it is, anything longer as a decimal."""
    text = str(value)
    if value.is_Rational and len(text) <= 12:
        return text
    return f"{float(value):.6g}"
