"""Extremal runs: each inequality's check judged on the instances its proof makes tight, against any Bound.

Every inequality Bound declares its ``Sharpness`` in the registry: the supremum of
lhs/rhs over its hypothesis class (or why none is derived) and the extremal
configuration that attains or approaches it.  A check module registers, for each
Bound it covers, an *extremal runner* (``verify.judge.sharpness.extremal_runner``): a
function that takes a Bound (the registry's, or a mutated one) and judges the check's
extremal instances against it, with a fixed seed, exactly as ``pytest verify`` judges
them, and returns the verdict and the worst ratio reached.

That one hook serves two purposes:
  * ``pytest verify`` includes the extremal instances in every check, so its worst
    ratio is at least what the proof's equality case reaches;
  * the mutation self-test (tests/test_sharpness.py) wraps a Bound with its right side
    multiplied by 9/10 of the supremum (a false statement) and requires ``violated``,
    and requires the registry's Bound to pass unmutated: power measured without
    editing a file.

This module imports the four check modules that register runners, so importing it
registers them all.
"""
from __future__ import annotations

from bounds import Bound

from verify.checks import bias, descent, expectation, moments, pointwise  # noqa: F401  (they register their runners)
from verify.judge.sharpness import _RUNNERS, ExtremalRun, Runner


def runners() -> dict[str, list[Runner]]:
    """Every registered extremal runner, by Bound id (the four check modules above register theirs on import)."""
    return {k: list(v) for k, v in _RUNNERS.items()}


def extremal_runs(bound: Bound) -> list[ExtremalRun]:
    """Every registered check of ``bound.id`` judged on its extremal instances against ``bound``."""
    return [run(bound) for run in runners().get(bound.id, [])]
