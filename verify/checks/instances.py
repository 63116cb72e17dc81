"""Instances for the checks: task families and points built, reproducibly, from a seed and a few parameters.

An instance is a seed plus a small dict of parameters (dimension, number of tasks,
where alpha sits in its allowed range, how far apart the points are, ...).  Every
array (the tasks, the points w and u, the direction v) is drawn from
``numpy.random.default_rng(seed)``, so the record replays exactly.  Parameters are
built to satisfy a result's hypotheses by construction: alpha is a fraction of the
largest value the Bound admits, found from the Bound's own preconditions.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import sympy as sp

from bounds import Bound, symbols

from verify.model.families import (Domain, Family, NoisyFamily, QuadraticFamily, RankOneFamily,
    RegressionFamily, TrigonometricFamily)
from verify.model.families.noise import COUPLINGS
from verify.model.families.ridge import RidgeFamily
from verify.model.errors import ParameterError
from verify.checks.user_families import is_user_kind, user_family

# Kinds of task family the pointwise checks run on: every corner of Assumptions
# 4.3-4.5 the numeric core provides, deterministic oracles (the pointwise results
# concern exact gradients and Hessians).
FAMILY_KINDS = (
    "quadratic-indefinite",
    "quadratic-concave-shared",
    "quadratic-positive-definite",
    "quadratic-mixed",
    "trigonometric",
    "rank-one",
    "regression",
)
# Kinds that only some checks run on, where their hypotheses and equality cases live
# (verify.checks.pointwise._applicable_kinds): ridge tasks whose Hessians change as fast as
# rho allows (the equality cases of (9) and Corollary A.1), concave quadratics
# with two-point Hessian noise of exactly certified sigma_H ((86)), and trigonometric tasks
# with two-point gradient and Hessian noise, whose batches have a finite law (Family.batch_law),
# so the expectations over one batch of (62)-(74) are exact sums.
EXTRA_KINDS = (
    "ridge",
    "noisy-quadratic-concave",
    "two-point-noise",
)


def build_family(kind: str, rng: np.random.Generator, d: int, n: int, spread: float) -> Family:
    """A random family of ``kind`` with n tasks in dimension d; ``spread`` in [0, 1] sets task dissimilarity.

    A user's family (``kind`` is its ``module:factory``, verify/checks/user_families.py) is fixed:
    d, n and spread do not apply, and a copy is returned, so that an instance's changes (its
    certified domain, its name) stay its own.
    """
    if is_user_kind(kind):
        fam = copy.copy(user_family(kind))
        fam.name = kind
        return fam
    spread = 0.05 + 2.0 * spread
    if kind == "quadratic-indefinite":
        fam = QuadraticFamily.random(rng, n, d, spectrum="indefinite", spread=spread)
    elif kind == "quadratic-concave-shared":
        # One Hessian for all tasks: sigma is finite on all of R^d (Assumption 4.5 globally).
        fam = QuadraticFamily.random(rng, n, d, spectrum="concave", shared_hessian=True, spread=spread)
    elif kind == "quadratic-positive-definite":
        fam = QuadraticFamily.random(rng, n, d, spectrum="positive_definite", spread=spread)
    elif kind == "quadratic-mixed":
        fam = QuadraticFamily.random(rng, n, d, spectrum="mixed", spread=spread)
    elif kind == "trigonometric":
        fam = TrigonometricFamily.random(rng, n, d, spread=spread)
    elif kind == "rank-one":
        fam = RankOneFamily.random(rng, n, d, radius=2.0, task_std=0.1 + spread / 2)
    elif kind == "regression":
        fam = RegressionFamily.random(rng, n, d, samples=8, spread=spread / 2, radius=3.0)
    elif kind == "ridge":
        fam = RidgeFamily.random(rng, n, d, rho=0.25 + spread, knots=4, spread=spread)
    elif kind == "noisy-quadratic-concave":
        base = QuadraticFamily.random(rng, n, d, spectrum="concave", shared_hessian=True, spread=spread)
        fam = NoisyFamily(base, 0.0, 0.5 + 10.0 * float(rng.random()), distribution="two_point")
    elif kind == "two-point-noise":
        # Non-quadratic tasks (the Lipschitz and Jensen steps are then strict) with two-point noise along a
        # random direction, sigma~ and sigma_H from 0.1 to 3, the Hessian's sign independent of the
        # gradient's, equal to it or opposite (the cross term of (73)-(74) vanishes only for the first).
        base = TrigonometricFamily.random(rng, n, d, spread=spread)
        e = rng.standard_normal(d)
        sigma_t, sigma_H = 10.0 ** rng.uniform(-1.0, 0.5, size=2)
        fam = NoisyFamily(base, float(sigma_t), float(sigma_H), distribution="two_point",
                          direction=e / np.linalg.norm(e), coupling=str(rng.choice(tuple(COUPLINGS))))
    else:
        raise KeyError(f"unknown family kind {kind!r}; known: {FAMILY_KINDS + EXTRA_KINDS}")
    fam.name = kind
    return fam


@lru_cache(maxsize=None)
def alpha_limit(bound: Bound) -> tuple[float, bool]:
    limit, strict = exact_alpha_limit(bound)
    return float(limit), strict


@lru_cache(maxsize=None)
def exact_alpha_limit(bound: Bound) -> tuple[sp.Expr, bool]:
    """The largest alpha L the Bound's hypotheses admit, and whether the end point itself is excluded.

    Read from the preconditions that involve only alpha and L (e.g. alpha L <= 1/6,
    alpha L < sqrt(2) - 1); with none, alpha L <= 1 (Lemma 4.8's range, the widest
    in the paper).
    """
    alpha, L = symbols.alpha, symbols.L
    x = sp.Symbol("x", positive=True)
    best, strict = sp.Integer(1), False
    for rel in bound.preconditions_expanded:
        if rel.free_symbols - {alpha, L} or alpha not in rel.free_symbols:
            continue
        in_x = rel.xreplace({alpha: x / L})
        if in_x.free_symbols != {x}:
            continue
        if isinstance(in_x, (sp.LessThan, sp.StrictLessThan)):
            solved = sp.solve(sp.Eq(in_x.lhs, in_x.rhs), x)
            limits = [s for s in solved if s.is_positive]
            if limits:
                lim = min(limits)
                if lim < best or (lim == best and isinstance(in_x, sp.StrictLessThan)):
                    best, strict = lim, isinstance(in_x, sp.StrictLessThan)
    return best, strict


def alpha_for(bound: Bound, fraction: float, L: float) -> float:
    """alpha = fraction * (largest admitted alpha L) / L, pulled inside an open end point.

    ``fraction`` must lie in [0, 1]: outside it the instance would leave the Bound's range of
    alpha, and it is refused (naming ``alpha_frac``), never clipped.
    """

    limit, strict = alpha_limit(bound)
    fraction = float(fraction)
    if not 0.0 <= fraction <= 1.0:
        raise ParameterError("alpha_frac", f"a fraction of the admitted range of alpha L lies in [0, 1], got "
                                           f"{fraction!r}")
    if strict and fraction >= 1.0:
        fraction = 1.0 - 1e-9
    if "alpha > 0" in {p.name for p in bound.preconditions} and fraction <= 0.0:
        fraction = 1e-6
    alpha = fraction * limit / L
    # At the end point, rounding may put alpha L a hair outside the admitted range; the
    # registry decides end points exactly (each float read as its shortest decimal), so
    # step alpha down by ulps until it is inside.
    exact_limit, exact_strict = exact_alpha_limit(bound)
    for _ in range(64):
        x = _as_written(alpha) * _as_written(L)
        if (x < exact_limit) or (x == exact_limit and not exact_strict):
            break
        alpha = float(np.nextafter(alpha, 0.0))
    return alpha


def _as_written(x: float) -> sp.Rational:
    return sp.Rational(repr(float(x)))


@dataclass
class Points:
    """Two points w, u of the parameter space and a direction v, drawn from the instance's generator."""

    w: np.ndarray
    u: np.ndarray
    v: np.ndarray


def draw_points(rng: np.random.Generator, d: int, scale: float, distance: float) -> Points:
    """w ~ N(0, scale^2 I), u at distance ``distance`` * scale from w in a random direction."""
    scale = 0.05 + 2.0 * scale
    w = scale * rng.standard_normal(d)
    e = rng.standard_normal(d)
    u = w + (1e-3 + distance) * scale * e / np.linalg.norm(e)
    v = rng.standard_normal(d)
    return Points(w, u, v)


# Balls are certified at radii on a geometric grid of this ratio: a constant certified
# on a larger ball holds on a smaller one, and the grid lets one certificate (which
# for some families costs a trust-region solve) serve many nearby instances.
RADIUS_GRID = 1.05


def _certified_radius(point_sets) -> float:
    radius = max(float(np.max(np.linalg.norm(np.atleast_2d(p), axis=-1))) for p in point_sets)
    return RADIUS_GRID ** math.ceil(math.log(max(radius, 1e-6)) / math.log(RADIUS_GRID))


def certified_family(family: Family, *point_sets) -> Family:
    """The same tasks with their constants certified on the origin-centred ball of ``certified_constants``.

    A check that evaluates F, grad F or an algorithm at points beyond the family's own
    domain, with constants it certified on a ball holding them, evaluates on this family:
    the numeric core then checks the point and alpha L <= 1 against the constants the
    check actually uses (``verify.model.objectives`` refuses them against the family's own
    domain and L otherwise).  Built once per ball (a shallow copy sharing the task arrays).
    """
    radius = _certified_radius(point_sets)
    cache = family.__dict__.setdefault("_certified_families", {})
    if radius not in cache:
        cache[radius] = family.with_domain(Domain.ball(radius))
    return cache[radius]


def certified_constants(family: Family, *point_sets) -> dict[str, float]:
    """L, rho, sigma, sigma~, sigma_H certified on an origin-centred ball holding every point given.

    A check must use constants that hold wherever it evaluates the tasks (the inner
    step and the finite-difference points included): for the rank-one tasks L and
    rho grow with the ball, for quadratics with different A_i so does sigma.  The
    ball's radius is rounded up to the grid RADIUS_GRID^k.  (``certified_family`` is
    the family certified on the same ball.)
    """
    radius = _certified_radius(point_sets)
    cache = family.__dict__.setdefault("_certified_cache", {})
    if radius not in cache:
        cache[radius] = {k: float(v) for k, v in certified_family(family, *point_sets).constants.values().items()}
    return cache[radius]


def smallest_admitted(bound: Bound, name: str, values: dict, floor: int = 1) -> int:
    """The smallest integer value of the batch size ``name`` that the Bound's hypotheses ``name >= expr`` admit.

    Read from the registry (B >= 20, D_h >= ceil(2 alpha^2 sigma_H^2), (18), ...), so a
    check at the edge of a theorem's hypotheses never retypes them.  The threshold is
    computed exactly, each float read as written, as the registry decides its hypotheses:
    in floats 2 * 0.1^2 * 10^2 is 2.0000000000000004 and its ceiling 3.
    """
    need = floor
    for rel in bound.preconditions_expanded:
        if isinstance(rel, sp.GreaterThan) and getattr(rel.lhs, "name", None) == name:
            exact = rel.rhs.xreplace({s: _as_written(values[s.name]) for s in rel.rhs.free_symbols})
            need = max(need, int(sp.ceiling(exact)))
    return need


def mix_seed(run_seed: int, drawn: int) -> int:
    """One numpy seed from the run's seed and the seed hypothesis drew (recorded in the Instance)."""
    return int(np.random.SeedSequence([int(run_seed), int(drawn)]).generate_state(1)[0])


def finite(x) -> bool:
    return bool(np.all(np.isfinite(np.asarray(x, dtype=float))))


__all__ = [
    "EXTRA_KINDS",
    "FAMILY_KINDS",
    "Points",
    "alpha_for",
    "alpha_limit",
    "build_family",
    "certified_constants",
    "certified_family",
    "draw_points",
    "finite",
    "math",
    "mix_seed",
    "smallest_admitted",
]
