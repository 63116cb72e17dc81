"""Dimensional consistency of a Bound: does the statement survive rescaling the problem?

The hypothesis class of the paper is closed under two rescalings: multiplying
every task loss by c > 0 (f_i -> c f_i) and stretching the parameter space by
s > 0 (w -> s w).  Under them L scales as c/s^2, rho as c/s^3, gradients and
sigma, sigma~ as c/s, stepsizes alpha, beta as s^2/c (bounds/_symbols.py lists
each symbol's exponents).  The algorithms commute with both rescalings, so a true
statement of the paper must hold at an instance if and only if it holds at the
rescaled instance: both sides of every inequality, and both sides of every
hypothesis, must scale by the same factor.  A hypothesis that does not is one
that can be switched on or off by a change of units, which no proof can need.

The check is exact: both sides are evaluated in exact rational/algebraic
arithmetic at random rational points, before and after the rescaling, and the
scale factors are compared to 40 significant digits (the evaluation is exact;
the digits only compare algebraic numbers).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

import sympy as sp

from bounds import Bound, Kind, TaskMean
from bounds._symbols import info

# Scale factors for the loss (c) and the parameter space (s): distinct non-integer
# rationals, so that no accidental power coincidence hides an inconsistency.
LOSS_SCALE = sp.Rational(7, 2)
SPACE_SCALE = sp.Rational(5, 3)
POINTS = 3
DIGITS = 40


@dataclass
class DimensionReport:
    """Which parts of a Bound fail to scale together: empty lists mean consistent."""

    bound_id: str
    statement_consistent: bool
    inconsistent_preconditions: list[str] = field(default_factory=list)
    skipped: str = ""

    @property
    def consistent(self) -> bool:
        return self.statement_consistent and not self.inconsistent_preconditions


def applicable(bound: Bound) -> str:
    """Empty when the check applies, else the reason it does not."""
    if bound.kind is Kind.SCALING:
        return "an O(.) claim of Table 1 hides constants such as L, so it is not meant to be homogeneous"
    if bound.is_matrix:
        return "a matrix identity; checked symbolically in verify/checks/test_symbolic_appendix_i.py"
    return ""


def _flatten(expr):
    # Rescaling commutes with averaging over tasks, so one task stands for the mean.
    # ceil(x) has a dimension only if x is dimensionless, so x is what must scale:
    # keeping the ceiling would let values below 1 hide an inconsistency.
    expr = sp.sympify(expr).replace(TaskMean, lambda x: x)
    return expr.replace(sp.ceiling, lambda x: x).replace(sp.floor, lambda x: x)


def _random_point(symbols, rng: random.Random) -> dict:
    point = {}
    for s in symbols:
        row = info(s)
        if row.integer:
            point[s] = sp.Integer(rng.randint(2, 50))
        else:
            point[s] = sp.Rational(rng.randint(1, 97), rng.randint(1, 89))
    return point


def _scaled(point: dict) -> dict:
    out = {}
    for s, v in point.items():
        a, b = info(s).dimension
        out[s] = v * LOSS_SCALE ** a * SPACE_SCALE ** b
    return out


def _factor(expr, point, scaled):
    before = sp.N(expr.xreplace(point), DIGITS)
    after = sp.N(expr.xreplace(scaled), DIGITS)
    if before == 0:
        return None if after == 0 else sp.oo
    return after / before


def _same(x, y) -> bool:
    if x is None or y is None:
        return True  # an identically zero side (e.g. "alpha > 0") scales with anything
    if x == sp.oo or y == sp.oo:
        return False
    return abs(x - y) <= sp.Float(10) ** (-(DIGITS - 8)) * max(abs(x), abs(y))


def _sides_scale_together(lhs, rhs, symbols, rng) -> bool:
    lhs, rhs = _flatten(lhs), _flatten(rhs)
    for _ in range(POINTS):
        point = _random_point(symbols, rng)
        scaled = _scaled(point)
        if not _same(_factor(lhs, point, scaled), _factor(rhs, point, scaled)):
            return False
    return True


def check(bound: Bound, seed: int = 0) -> DimensionReport:
    """Rescale every symbol of ``bound`` by its dimension and compare the two sides' factors."""
    reason = applicable(bound)
    if reason:
        return DimensionReport(bound.id, True, skipped=reason)
    rng = random.Random(f"{seed}:{bound.id}")
    symbols = sorted(
        {s for e in (bound.lhs_expanded, bound.rhs_expanded, *bound.preconditions_expanded) for s in e.free_symbols},
        key=lambda s: s.name,
    )
    statement_ok = _sides_scale_together(bound.lhs_expanded, bound.rhs_expanded, symbols, rng)
    bad = [
        p.name
        for p, rel in zip(bound.preconditions, bound.preconditions_expanded)
        if not _sides_scale_together(rel.lhs, rel.rhs, symbols, rng)
    ]
    return DimensionReport(bound.id, statement_ok, bad)
