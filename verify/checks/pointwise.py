"""Pointwise and closed-form checks: each result that must hold at every point, tried on every family it covers.

A ``Case`` pairs a registry Bound with a family kind and says how to compute, on
an instance, every input of the Bound (the instance's parameters, the family's
certified constants, and the quantities of the left-hand side).  The runner
evaluates the Bound through the registry (right-hand sides and hypotheses are never
retyped here), collects lhs/rhs ratios, hunts for the worst instance with a local
optimiser, confirms a candidate violation before calling it one, and runs the
negative control: a falsified Bound that the same machinery must catch.

Expectations over one data batch (the steps (62)-(74) of the proofs of Lemma 4.10 and Theorem
4.11) are judged here too, as exactly as a pointwise result: on families whose batches have a
finite law (``Family.batch_law``) every expectation is a finite sum over the batch's outcomes.

Verdicts, per (bound, family):
  holds               every admitted instance satisfied the Bound (within rounding);
  violated            some admitted instance broke it by more than rounding can explain,
                      confirmed by re-evaluating both sides in 50-digit arithmetic;
  inconclusive        a candidate violation no larger than CONFIRM_FACTOR x the rounding allowance;
  precondition_failed no instance satisfied the hypotheses (never reported as a violation).

Sharpness.  ``EXTREMAL`` lists, per check, the instances where the Bound's proof is tight
(built by ``EXTREMAL_BUILDERS`` inside the hypotheses, with certified constants: a Hessian
kink for (9), a Hessian ramp at slope rho with a large gradient for Corollary A.1, curvature
-L at alpha L at the edge for (44), (46), Lemma 4.8, (34) and (86), a gradient kink at the
inner point for (62) and (64), curvature -L along two-point noise for (62), (65) and (70), ...; the suprema are
derived in the Bounds' ``Sharpness``).  They join the drawn instances in ``pytest verify``
and start its search; the check holding them (``RUNNER_CASES``) carries the power control,
the right side times 9/10 of the supremum, and registers the Bound's extremal runner
(verify/judge/sharpness.py).
"""
from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass, field
from typing import Callable

import mpmath
import numpy as np
import sympy as sp
from scipy import optimize

from bounds import BOUNDS, Bound, PreconditionFailed, Relation, TaskMean, symbols
from bounds.appendix_i_quadratic.statement import TASK_SYMBOLS
from bounds.lemma_a_3.statement import X_STAR_34
from bounds import evaluate, instantiate
from bounds.lemma_4_9 import statement as lemma_4_9

from verify.model.algorithms import (ALL_TASKS, EXACT, draw_meta_batches, fo_maml_direction, maml_direction,
    theorem_h_1_delta_rule)
from verify.model.errors import ParameterError
from verify.judge.evidence import CheckKey, Instance, Verdict
from verify.model.families import Domain, Family, NoisyFamily, QuadraticFamily, RegressionFamily
from verify.model.families.kinked import KinkedGradientFamily, smoothed_abs
from verify.model.families.ridge import RidgeFamily, kink_profile
from verify.model.families.base import spectral_norm
from .instances import (FAMILY_KINDS, alpha_for, build_family, certified_constants, certified_family,
    draw_points, finite, smallest_admitted)
from .user_families import case_by_id, cases_for_run
from verify.judge.sharpness import ExtremalRun, extremal_runner
from verify.model.objectives import meta_gradient, meta_objective, task_meta_gradients

EPS = np.finfo(np.float64).eps

# Rounding allowance: a float64 quantity assembled from terms of magnitude S carries
# an absolute error of at most a small multiple of d * eps * S; ROUNDING_FACTOR is
# that multiple, generous (x 64) so that no honest result is flagged by rounding.
ROUNDING_FACTOR = 64.0
# A violation must exceed the rounding allowance this many times over before it is
# called one; between 1 and CONFIRM_FACTOR allowances it is inconclusive.
CONFIRM_FACTOR = 100.0
# A ratio is taken as a check's worst only where its sides exceed this many rounding allowances
# (``_ratio_is_rounding_noise``): a control at half of it is then confirmed there.
RESOLVED_FACTOR = 2.0 * CONFIRM_FACTOR
# Digits for re-evaluating both sides of a candidate violation from its quantities.
PRECISE_DIGITS = 50


@dataclass
class Trial:
    """One instance evaluated: the Bound's inputs, task weights, rounding allowance on lhs - rhs."""

    values: dict
    weights: np.ndarray | None
    slack: float


@dataclass
class Outcome:
    """A Trial judged by the Bound."""

    status: str  # "evaluated" | "precondition_failed" | "invalid"
    ratio: float = float("nan")
    lhs: float = float("nan")
    rhs: float = float("nan")
    margin: float = float("nan")  # lhs - rhs (or rhs - lhs for >=), positive when violated
    slack: float = 0.0
    trial: Trial | None = None
    note: str = ""


@dataclass(frozen=True)
class Case(CheckKey):
    """One pointwise check: ``bound_id`` on the family kind ``family``."""

    compute: Callable[["Setup"], Trial]
    continuous: tuple[str, ...] = ("alpha_frac", "scale", "distance", "spread")
    # For an identity (==) the negative control is a computation of a wrong formula.
    control: Callable[["Setup"], Trial] | None = None
    control_note: str = ""


@dataclass
class Setup:
    """Everything an instance fixes: the family, the points, alpha, and the generator for the rest."""

    bound: Bound
    family: Family
    params: dict
    rng: np.random.Generator
    w: np.ndarray
    u: np.ndarray
    v: np.ndarray
    # True for an extremal instance: v is the direction its proof makes tight (e.g. across a
    # Hessian kink for (9)), used for every task instead of a random direction.
    aligned: bool = False

    def alpha(self, L: float) -> float:
        return alpha_for(self.bound, self.params["alpha_frac"], L)


def build_setup(case: Case, instance: Instance) -> Setup:
    p = instance.params
    rng = np.random.default_rng(instance.seed)
    if "extremal" in p:
        # An equality case of the proof (see EXTREMAL_BUILDERS): the family and points are
        # built from the configuration's parameters, not drawn.
        family, w, u, v = EXTREMAL_BUILDERS[p["extremal"]](case.bound, p)
        family.name = case.family
        return Setup(case.bound, family, dict(p), rng, w, u, v, aligned=True)
    family = build_family(case.family, rng, int(p["d"]), int(p["n"]), float(p["spread"]))
    pts = draw_points(rng, family.dim, float(p["scale"]), float(p["distance"]))
    return Setup(case.bound, family, dict(p), rng, pts.w, pts.u, pts.v)


def _alpha_on_reach(s: Setup, points: Callable[[float], list]) -> tuple[float, dict]:
    """alpha and the constants certified where the check evaluates, consistently.

    alpha is a fraction of the admitted alpha L over the L certified on the ball the
    evaluated points reach; a smaller alpha reaches a smaller ball, whose L is no
    larger, so a refinement that lowers alpha keeps alpha L inside the admitted range
    (at most two refinements are needed, see below).  Where L is
    certified globally (quadratic, trigonometric, regression tasks) no refinement is needed.
    The family certified on that same ball is ``_reach_family(s, points, alpha)``: F and
    grad F are evaluated on it, so that the numeric core checks alpha L <= 1 and the
    domain against the constants the check uses (not the family's default ball).
    """
    c0 = certified_constants(s.family, s.w, s.u)
    alpha = s.alpha(c0["L"])
    if s.family.__dict__.get("_global_L") is None:
        s.family._global_L = s.family.constants_on(Domain.everywhere()).L.domain.is_global \
            if _has_global_L(s.family) else False
    if not s.family._global_L:
        consts = certified_constants(s.family, *points(alpha))
        alpha = s.alpha(consts["L"])
        # The first L was certified on the ball of (w, u), not on the points alpha reaches: where it
        # was the larger, the refined alpha is larger and reaches farther, where L can be larger again
        # (rank-one tasks: alpha L up to 1.8 in the admitted range 1 was seen).  A refinement that
        # lowers alpha also shrinks the reach (the points x are among them, and ||x - a g|| is convex
        # in a), so after it alpha L stays admitted.
        further = certified_constants(s.family, *points(alpha))
        if further["L"] > consts["L"]:
            alpha = s.alpha(further["L"])
    return alpha, certified_constants(s.family, *points(alpha))


def _reach_family(s: Setup, points: Callable[[float], list], alpha: float) -> Family:
    """The instance's tasks certified on the ball of ``_alpha_on_reach`` (where its constants hold)."""
    return certified_family(s.family, *points(alpha))


def _has_global_L(family: Family) -> bool:
    try:
        return bool(np.isfinite(family.constants_on(Domain.everywhere()).L.value))
    except Exception:  # a family certified only on balls refuses R^d
        return False


def _stationary_rounding(s: Setup, w: np.ndarray, L: float) -> float:
    """The rounding of a gradient evaluated at w, from the size of its terms rather than of its value.

    Near a stationary point (``_toward_stationary``) a task's gradient is a sum of terms of size ||grad f_i(s.w)|| +
    L (||w|| + ||w - s.w||) that cancel to ~0; an allowance scaled by the computed value (~1e-16) would call its
    rounding a violation where both sides of a bound vanish (one task, sigma = 0).
    """
    terms = np.linalg.norm(s.family.gradient(s.w), axis=1) + L * (np.linalg.norm(w) + np.linalg.norm(w - s.w))
    return _rounding(s.family.dim, terms)


def _toward_stationary(s: Setup, alpha: float) -> np.ndarray:
    """w moved toward a stationary point of F by the fraction params['stationary'].

    Near a stationary point ||grad F|| is small against sigma, the corner where the
    bounds of Lemma A.3 and (115) are tightest; random points rarely land there.
    Newton's method on grad F with a central-difference Jacobian finds one (exactly,
    in one step, for quadratic tasks, where grad F is affine).
    """
    t = float(s.params.get("stationary", 0.0))
    if t <= 0.0:
        return s.w
    fam, x = s.family, s.w.copy()
    h = 1e-5 * (1 + np.linalg.norm(x))

    def grad_F(y):
        # Newton's iterates are a search, not an instance: they may pass beyond any ball and
        # past alpha L <= 1 for the constants there.  The point it returns is certified by
        # the caller (its ball, its constants) and the Bound's hypotheses judge it.
        return meta_gradient(fam, y, alpha, allow_outside_hypotheses=True)

    for _ in range(4):
        g = grad_F(x)
        J = np.array([(grad_F(x + h * e) - grad_F(x - h * e)) / (2 * h) for e in np.eye(fam.dim)]).T
        try:
            x = x - np.linalg.solve(J, g)
        except np.linalg.LinAlgError:
            return s.w
    return s.w + t * (x - s.w)


def _inner(s: Setup, alpha: float, x: np.ndarray) -> np.ndarray:
    return x - alpha * s.family.gradient(x)


def _rounding(d: int, *scales) -> float:
    return ROUNDING_FACTOR * d * EPS * float(sum(np.max(np.abs(np.asarray(x, dtype=float))) for x in scales))


# ---------------------------------------------------------------------- quantity computations
def compute_eq_9(s: Setup, one_point: bool = False) -> Trial:
    fam, w = s.family, s.w
    n = fam.n_tasks
    # The step delta ||v|| ranges over [1e-4, 1] x the point scale: long steps are where
    # rho delta ||v||^2 can be approached, short ones where rounding is checked.
    step = 10.0 ** (-4 + 4 * float(s.params["delta_frac"]))
    V = np.tile(s.v, (n, 1)) if s.aligned else s.rng.standard_normal((n, fam.dim))
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    V *= (0.1 + 2 * float(s.params["scale"]))
    delta = step / np.linalg.norm(V[0])
    plus, minus = w + delta * V, w - delta * V
    consts = certified_constants(fam, w, plus, minus)
    t = np.arange(n)
    g_plus, g_minus = fam.gradient(plus, t), fam.gradient(minus, t)
    if one_point:
        # Negative control: the bug public Hessian-free code has shipped, both gradients
        # of (11) taken at one point, which makes the difference vanish.
        g_minus = g_plus
    hv = fam.hvp(w, V, t)
    err = np.linalg.norm(hv - (g_plus - g_minus) / (2 * delta), axis=1)
    # Each gradient is assembled from terms of size up to ||grad f_i(0)|| + L ||x|| (grad f_i is the
    # integral of a Hessian bounded by L), which can cancel to a far smaller result; its rounding
    # is relative to those terms, not to the result (a quadratic at a point where A x + b ~ 0).
    g0 = np.linalg.norm(fam.gradient(np.zeros_like(plus), t), axis=1)[:, None]
    terms = (np.abs(g_plus) + np.abs(g_minus) + 2 * g0
             + consts["L"] * (np.linalg.norm(plus, axis=1) + np.linalg.norm(minus, axis=1))[:, None])
    slack = _rounding(fam.dim, terms) / (2 * delta) + _rounding(fam.dim, hv)
    return Trial(dict(fd_hvp_error=err, rho=consts["rho"], delta=delta, norm_v=np.linalg.norm(V, axis=1)),
                 None, slack)


def control_eq_9(s: Setup) -> Trial:
    return compute_eq_9(s, one_point=True)


def compute_eq_30a(s: Setup) -> Trial:
    consts = certified_constants(s.family, s.w)
    H = s.family.hessian(s.w)
    return Trial(dict(hessian_norm=spectral_norm(H), L=consts["L"]), None, _rounding(s.family.dim, H))


def compute_eq_30b(s: Setup) -> Trial:
    fam, w, u = s.family, s.w, s.u
    consts = certified_constants(fam, w, u)
    fw, fu, gu = fam.loss(w), fam.loss(u), fam.gradient(u)
    lin = gu @ (w - u)
    gap = fw - fu - lin
    return Trial(dict(descent_gap_fi=gap, L=consts["L"], norm_w_minus_u=np.linalg.norm(w - u)), None,
                 _rounding(fam.dim, fw, fu, lin))


def compute_eq_44(s: Setup) -> Trial:
    fam, w, u = s.family, s.w, s.u
    alpha, consts = _alpha_on_reach(s, lambda a: [w, u, _inner(s, a, w), _inner(s, a, u)])
    gw, gu = fam.gradient(_inner(s, alpha, w)), fam.gradient(_inner(s, alpha, u))
    diff = np.linalg.norm(gw - gu, axis=1)
    # Each gradient carries the rounding of its terms, which near a stationary point dwarf its value.
    evaluations = _stationary_rounding(s, _inner(s, alpha, w), consts["L"]) + _stationary_rounding(
        s, _inner(s, alpha, u), consts["L"])
    return Trial(dict(inner_step_grad_diff_norm=diff, L=consts["L"], alpha=alpha,
                      norm_w_minus_u=np.linalg.norm(w - u)), None, _rounding(fam.dim, gw, gu) + evaluations)


def compute_eq_46(s: Setup) -> Trial:
    fam, w = s.family, s.w
    alpha, consts = _alpha_on_reach(s, lambda a: [w, _inner(s, a, w)])
    g_in = fam.gradient(_inner(s, alpha, w))
    g = fam.gradient(w)
    # Near a stationary point both gradients are small against their terms, and so against their rounding:
    # the nightly profile met ||grad f_i|| = 5.3e-6 with the two sides of (46) equal to 7.6e-12 of that.
    L = consts["L"]
    evaluations = _stationary_rounding(s, _inner(s, alpha, w), L) + (1 + alpha * L) * _stationary_rounding(s, w, L)
    return Trial(dict(grad_fi_inner_norm=np.linalg.norm(g_in, axis=1), grad_fi_norm_w=np.linalg.norm(g, axis=1),
                      alpha=alpha, L=L), None, _rounding(fam.dim, g_in, g) + evaluations)


def _meta_reach(s: Setup, *xs):
    return lambda a: [p for x in xs for p in (x, _inner(s, a, x))]


def compute_lemma_4_8(s: Setup) -> Trial:
    fam, w, u = s.family, s.w, s.u
    alpha, consts = _alpha_on_reach(s, _meta_reach(s, w, u))
    on_ball = _reach_family(s, _meta_reach(s, w, u), alpha)
    Gw, Gu = meta_gradient(on_ball, w, alpha), meta_gradient(on_ball, u, alpha)
    return Trial(dict(grad_F_diff_norm=np.linalg.norm(Gw - Gu), alpha=alpha, L=consts["L"], rho=consts["rho"],
                      grad_fi_norm_w=np.linalg.norm(fam.gradient(w), axis=1),
                      grad_fi_norm_u=np.linalg.norm(fam.gradient(u), axis=1),
                      norm_w_minus_u=np.linalg.norm(w - u)),
                 fam.probabilities, _rounding(fam.dim, Gw, Gu))


def compute_corollary_a_1(s: Setup) -> Trial:
    fam, w, u = s.family, s.w, s.u
    alpha, consts = _alpha_on_reach(s, _meta_reach(s, w, u))
    on_ball = _reach_family(s, _meta_reach(s, w, u), alpha)
    Fw, Fu = meta_objective(on_ball, w, alpha), meta_objective(on_ball, u, alpha)
    Gw = meta_gradient(on_ball, w, alpha)
    lin = Gw @ (u - w)
    return Trial(dict(F_descent_gap=Fu - Fw - lin, alpha=alpha, L=consts["L"], rho=consts["rho"],
                      grad_fi_norm_w=np.linalg.norm(fam.gradient(w), axis=1), norm_w_minus_u=np.linalg.norm(w - u)),
                 fam.probabilities, _rounding(fam.dim, Fw, Fu, lin))


# Near a stationary point (``_toward_stationary``) the point can lie beyond the ball alpha was
# chosen on; the constants certified on its own ball may then make alpha L exceed 1.  The Bound's
# hypotheses, evaluated on those constants, decide that instance (precondition_failed), so the
# numeric core is told not to refuse it first.
_JUDGED_BY_THE_BOUND = {"allow_outside_hypotheses": True}


def compute_lemma_a_3_33(s: Setup) -> Trial:
    fam = s.family
    alpha, consts = _alpha_on_reach(s, _meta_reach(s, s.w))
    w = _toward_stationary(s, alpha)
    consts = certified_constants(fam, w, _inner(s, alpha, w), s.w)
    gf = fam.probabilities @ fam.gradient(w)
    GF = meta_gradient(certified_family(fam, w, _inner(s, alpha, w), s.w), w, alpha, **_JUDGED_BY_THE_BOUND)
    return Trial(dict(grad_f_norm=np.linalg.norm(gf), grad_F_norm=np.linalg.norm(GF), sigma=consts["sigma"],
                      alpha=alpha, L=consts["L"]), None,
                 _rounding(fam.dim, fam.gradient(w), GF) + _stationary_rounding(s, w, consts["L"]))


def compute_eq_94(s: Setup) -> Trial:
    """(94): ||grad F||^2 / L(w) against ||grad F||^2 / (4L + 2 rho alpha sigma + 2 rho alpha ||grad f||), at w
    (moved toward a stationary point of F by ``stationary``, where ||grad f|| is small against sigma)."""
    fam = s.family
    alpha, consts = _alpha_on_reach(s, _meta_reach(s, s.w))
    w = _toward_stationary(s, alpha)
    consts = certified_constants(fam, w, _inner(s, alpha, w), s.w)
    g = fam.gradient(w)
    GF = meta_gradient(certified_family(fam, w, _inner(s, alpha, w), s.w), w, alpha, **_JUDGED_BY_THE_BOUND)
    lhs_scale = float(np.dot(GF, GF)) / (4 * consts["L"]) if consts["L"] > 0 else 0.0
    return Trial(dict(grad_F_norm=np.linalg.norm(GF), grad_f_norm=np.linalg.norm(fam.probabilities @ g),
                      grad_fi_norm_w=np.linalg.norm(g, axis=1), sigma=consts["sigma"], alpha=alpha, L=consts["L"],
                      rho=consts["rho"]), fam.probabilities,
                 _rounding(fam.dim, g, GF, lhs_scale) + _stationary_rounding(s, w, consts["L"]))


def compute_lemma_a_3_34(s: Setup) -> Trial:
    fam = s.family
    alpha, consts = _alpha_on_reach(s, _meta_reach(s, s.w))
    w = _toward_stationary(s, alpha)
    consts = certified_constants(fam, w, _inner(s, alpha, w), s.w)
    GFi = task_meta_gradients(certified_family(fam, w, _inner(s, alpha, w), s.w), w, alpha, **_JUDGED_BY_THE_BOUND)
    GF = fam.probabilities @ GFi
    return Trial(dict(grad_Fi_norm=np.linalg.norm(GFi, axis=1), grad_F_norm=np.linalg.norm(GF),
                      sigma=consts["sigma"], alpha=alpha, L=consts["L"]),
                 fam.probabilities, _rounding(fam.dim, GFi * GFi))


def _fd_meta_gradient(fam, w, alpha, h):
    """Central differences of F itself, independent of the formula (35).

    The probe points w +- h e_j are within h of w, which is certified; they may stick out of
    the certified ball by that much, and (35) is a statement about F's formula at w.
    """
    E = np.eye(fam.dim) * h

    def F(x):
        return meta_objective(fam, x, alpha, allow_outside_hypotheses=True)

    return np.array([(F(w + e) - F(w - e)) / (2 * h) for e in E])


def compute_eq_35(s: Setup, *, falsified: bool = False) -> Trial:
    fam, w = s.family, s.w
    h = 1e-4 * (1 + np.linalg.norm(w))
    reach = lambda a: [w + h, w - h, _inner(s, a, w + h), _inner(s, a, w - h)]  # noqa: E731
    alpha, consts = _alpha_on_reach(s, reach)
    fam = _reach_family(s, lambda a: [w] + reach(a), alpha)
    fd, fd2 = _fd_meta_gradient(fam, w, alpha, h), _fd_meta_gradient(fam, w, alpha, h / 2)
    formula = meta_gradient(fam, w, alpha)
    if falsified:
        # Negative control: the FO-MAML direction (8) in place of (35): drops I - alpha grad^2 f_i.
        formula = fam.probabilities @ fam.gradient(_inner(s, alpha, w))
    # Richardson: the O(h^2) truncation error of the h-difference is about 4/3 |fd - fd2|.
    truncation = 4.0 / 3.0 * np.linalg.norm(fd - fd2)
    F0 = abs(meta_objective(fam, w, alpha))
    slack = truncation + ROUNDING_FACTOR * EPS * (F0 + 1.0) / h + _rounding(fam.dim, formula)
    return Trial(dict(meta_gradient_identity_residual=np.linalg.norm(fd2 - formula), alpha=alpha, L=consts["L"]),
                 None, slack)


def control_eq_35(s: Setup) -> Trial:
    return compute_eq_35(s, falsified=True)


def _segment_residual(fam, w, alpha, t_grid, which, sign=1.0):
    """min over w~ on [w, w - alpha grad f_i(w)] of the (36) or (37) residual, for every task.

    The residual is evaluated on a grid of the segment for all tasks at once, then the
    best grid point of each task is refined by a bounded scalar search.
    """
    n = fam.n_tasks
    g = fam.gradient(w)
    target36 = fam.gradient(w - alpha * g)
    target37 = task_meta_gradients(fam, w, alpha)

    def residuals(ts, tasks):
        # ts: (m,), tasks: (m,) -> residual of each (t, task) pair, batched through the oracles.
        W = w[None, :] - (ts * alpha)[:, None] * g[tasks]
        approx36 = g[tasks] - sign * alpha * fam.hvp(W, g[tasks], tasks)
        if which == 36:
            return np.linalg.norm(target36[tasks] - approx36, axis=1)
        approx37 = approx36 - alpha * fam.hvp(w, approx36, tasks)
        return np.linalg.norm(target37[tasks] - approx37, axis=1)

    m = len(t_grid)
    tasks = np.repeat(np.arange(n), m)
    vals = residuals(np.tile(t_grid, n), tasks).reshape(n, m)
    out = vals.min(axis=1)
    floor = 1e-13 * (1.0 + np.linalg.norm(target36, axis=1) + np.linalg.norm(target37, axis=1))
    for i in range(n):
        if out[i] <= floor[i]:
            continue  # already zero to rounding on the grid: nothing to refine
        k = int(np.argmin(vals[i]))
        lo, hi = t_grid[max(k - 1, 0)], t_grid[min(k + 1, m - 1)]
        res = optimize.minimize_scalar(lambda t: residuals(np.array([t]), np.array([i]))[0], bounds=(lo, hi),
                                       method="bounded", options={"xatol": 1e-12})
        out[i] = min(out[i], res.fun)
    return out, g


def compute_eq_36(s: Setup, which: int = 36, sign: float = 1.0) -> Trial:
    fam, w = s.family, s.w
    alpha, consts = _alpha_on_reach(s, _meta_reach(s, w))
    t_grid = np.linspace(0.0, 1.0, 33)
    res, g = _segment_residual(_reach_family(s, _meta_reach(s, w), alpha), w, alpha, t_grid, which, sign)
    # The minimiser in t is located to 1e-12; where the residual's zero is isolated, its
    # value there is at most L alpha ||g|| times that, plus rounding.  The gradients along the
    # segment carry the rounding of their terms, not of their values, which may nearly cancel (as
    # in the integral form below): with the value's alone, a quadratic task at ||grad f_i|| = 0.012
    # from terms of size 3.1 showed a residual of 2.2e-16 against an allowance of 1.9e-16.
    evaluations = _stationary_rounding(s, w, consts["L"]) + _stationary_rounding(s, w - alpha * g, consts["L"])
    slack = (_rounding(fam.dim, g) + evaluations) * (1 + alpha * consts["L"]) ** 2 + 1e-10 * alpha * consts["L"] * np.max(
        np.linalg.norm(g, axis=1))
    key = "mean_value_residual" if which == 36 else "factorisation_residual"
    # alpha and L decide Lemma A.3's range of alpha, in whose proof (36)-(37) stand.
    return Trial({key: res, "alpha": alpha, "L": consts["L"]}, None, slack)


def compute_eq_37(s: Setup) -> Trial:
    return compute_eq_36(s, which=37)


def control_eq_36(s: Setup) -> Trial:
    return compute_eq_36(s, which=36, sign=-1.0)


def control_eq_37(s: Setup) -> Trial:
    return compute_eq_36(s, which=37, sign=-1.0)


# Gauss-Legendre rules on [0, 1] for the averaged Hessian of (36)-(39): the residual is taken with the
# finer of two successive rules, and their difference bounds the quadrature error (the families'
# Hessians are analytic along the segment, where the error falls geometrically with the nodes) once
# the rules have converged.  The nodes are doubled from 24 and 48 until two rules agree to
# _GAUSS_AGREEMENT: on a segment of length 400 over trigonometric tasks, 24 and 48 nodes agreed to
# 1e-3 while both were 0.043 from the converged value (reached at 192), and (39) looked violated.
_GAUSS_NODES = (24, 48)
_GAUSS_CAP = 1536
_GAUSS_AGREEMENT = 1e-12


def _converged_rules(evaluate):
    """``evaluate(nodes)`` at two successive rules that agree (nodes doubled up to _GAUSS_CAP): (coarse, fine)."""
    coarse_nodes, fine_nodes = _GAUSS_NODES
    coarse, fine = evaluate(coarse_nodes), evaluate(fine_nodes)
    while fine_nodes < _GAUSS_CAP and np.max(np.abs(fine - coarse)) > _GAUSS_AGREEMENT * np.max(np.abs(fine)):
        coarse, fine_nodes = fine, 2 * fine_nodes
        fine = evaluate(fine_nodes)
    return coarse, fine


def _averaged_hessian_times_gradient(fam, w, alpha, g, nodes: int) -> np.ndarray:
    """H_i g for every task i, H_i = int_0^1 grad^2 f_i(w - t alpha g_i) dt, by an n-node Gauss-Legendre rule."""
    t, weights = np.polynomial.legendre.leggauss(nodes)
    t, weights = 0.5 * (t + 1.0), 0.5 * weights
    n, m = fam.n_tasks, len(t)
    tasks = np.repeat(np.arange(n), m)
    W = w[None, :] - (np.tile(t, n) * alpha)[:, None] * g[tasks]
    Hg = fam.hvp(W, g[tasks], tasks).reshape(n, m, -1)
    return np.einsum("k,nkd->nd", weights, Hg)


def compute_eq_36_corrected(s: Setup, which: int = 36, sign: float = 1.0) -> Trial:
    fam, w = s.family, s.w
    alpha, consts = _alpha_on_reach(s, _meta_reach(s, w))
    fam = _reach_family(s, _meta_reach(s, w), alpha)
    g = fam.gradient(w)
    coarse, fine = _converged_rules(lambda k: _averaged_hessian_times_gradient(fam, w, alpha, g, k))
    approx = g - sign * alpha * fine  # (I - alpha H_i) grad f_i(w)
    target = fam.gradient(w - alpha * g)
    if which == 37:
        # (35b): grad F_i(w) = A_i(w) grad f_i(w - alpha grad f_i(w)), and (37) applies A_i(w) to (36)'s right side.
        approx = approx - alpha * fam.hvp(w, approx, np.arange(fam.n_tasks))
        target = task_meta_gradients(fam, w, alpha)
    quadrature = float(np.max(alpha * np.linalg.norm(fine - coarse, axis=1))) * (1 + alpha * consts["L"])
    # The gradients at w and along the segment carry the rounding of their terms (size L ||point|| + ||grad f_i||),
    # not of their values, which may nearly cancel.
    evaluations = _stationary_rounding(s, w, consts["L"]) + _stationary_rounding(s, w - alpha * g, consts["L"])
    slack = (_rounding(fam.dim, g, target) + evaluations) * (1 + alpha * consts["L"]) ** 2 + quadrature
    key = "integral_mean_value_residual" if which == 36 else "integral_factorisation_residual"
    return Trial({key: np.linalg.norm(target - approx, axis=1), "alpha": alpha, "L": consts["L"]}, None, slack)


def compute_eq_37_corrected(s: Setup) -> Trial:
    return compute_eq_36_corrected(s, which=37)


def control_eq_36_corrected(s: Setup) -> Trial:
    return compute_eq_36_corrected(s, which=36, sign=-1.0)


def control_eq_37_corrected(s: Setup) -> Trial:
    return compute_eq_36_corrected(s, which=37, sign=-1.0)


def _averaged_hessians(fam, w, alpha, g, nodes: int) -> np.ndarray:
    """H_i = int_0^1 grad^2 f_i(w - t alpha g_i) dt for every task i (n, d, d), by an n-node Gauss-Legendre rule."""
    t, weights = np.polynomial.legendre.leggauss(nodes)
    t, weights = 0.5 * (t + 1.0), 0.5 * weights
    n, m = fam.n_tasks, len(t)
    tasks = np.repeat(np.arange(n), m)
    W = w[None, :] - (np.tile(t, n) * alpha)[:, None] * g[tasks]
    return np.einsum("k,nkde->nde", weights, fam.hessian(W, tasks).reshape(n, m, fam.dim, fam.dim))


def compute_eq_38_39(s: Setup) -> Trial:
    """(38)-(39) of Lemma A.3's proof: ||grad f||, ||grad F||, ||E_i[grad f_i - grad F_i]|| and ||I - A_i(w) A_i(w~_i)||.

    A_i(w~_i) is read in the integral form of (36) (the registry's reading): I - alpha H_i, H_i the Hessian
    averaged over the segment, by quadrature (the difference of two rules joins the rounding allowance).
    Points may be moved toward a stationary point of F, where ||grad F|| is small against the second term.
    """
    fam = s.family
    alpha, consts = _alpha_on_reach(s, _meta_reach(s, s.w))
    w = _toward_stationary(s, alpha)
    consts = certified_constants(fam, w, _inner(s, alpha, w), s.w)
    on_ball = certified_family(fam, w, _inner(s, alpha, w), s.w)
    GFi = task_meta_gradients(on_ball, w, alpha, **_JUDGED_BY_THE_BOUND)
    g, p = fam.gradient(w), fam.probabilities
    eye = np.eye(fam.dim)
    A_w = eye - alpha * fam.hessian(w)
    coarse, fine = _converged_rules(
        lambda k: np.einsum("nde,nef->ndf", A_w, eye - alpha * _averaged_hessians(fam, w, alpha, g, k)))
    factor = spectral_norm(eye - fine)
    quadrature = float(np.max(spectral_norm(fine - coarse) * np.linalg.norm(g, axis=1)))
    return Trial(dict(grad_f_norm=np.linalg.norm(p @ g), grad_F_norm=np.linalg.norm(p @ GFi),
                      meta_gradient_gap_norm=np.linalg.norm(p @ (g - GFi)), hessian_product_gap_norm=factor,
                      grad_fi_norm_w=np.linalg.norm(g, axis=1), alpha=alpha, L=consts["L"]),
                 p, (_rounding(fam.dim, g, GFi) + _stationary_rounding(s, w, consts["L"])) * (1 + alpha * consts["L"]) ** 2
                 + quadrature)


def compute_eq_41(s: Setup) -> Trial:
    fam, w = s.family, s.w
    consts = certified_constants(fam, w)
    g, p = fam.gradient(w), fam.probabilities
    return Trial(dict(task_gradient_deviation_norm=np.linalg.norm(g - p @ g, axis=1), sigma=consts["sigma"],
                      alpha=s.alpha(consts["L"]), L=consts["L"]), p, _rounding(fam.dim, g))


def compute_theorem_a_2(s: Setup) -> Trial:
    """(32): X_i = ||grad f_i(w)|| on task i (a law on [0, inf) with the tasks' probabilities), c = 10^(2 distance - 1) L,
    k = 1 + round(3 delta_frac); both sides and their inverse moments are the registry's, from X_i, c and k."""
    fam, w = s.family, s.w
    L = certified_constants(fam, w)["L"]
    c = 10.0 ** (2.0 * float(s.params["distance"]) - 1.0) * L
    k = 1 + int(round(3 * float(s.params["delta_frac"])))
    X = np.linalg.norm(fam.gradient(w), axis=1)
    # Every term (X_i + c)^-k, and both sides, lie in [0, c^-k].
    return Trial(dict(X_A2=X, c_A2=c, k_A2=k), fam.probabilities,
                 ROUNDING_FACTOR * (fam.dim + fam.n_tasks + k) * EPS * c ** -k)


def _lemma_4_8_terms(s: Setup):
    """The terms of (42)-(45) at w, u, with exact gradients and Hessians, and the constants of their reach."""
    fam, w, u = s.family, s.w, s.u
    alpha, consts = _alpha_on_reach(s, _meta_reach(s, w, u))
    on_ball = _reach_family(s, _meta_reach(s, w, u), alpha)
    t = np.arange(fam.n_tasks)
    gw_in, gu_in = fam.gradient(_inner(s, alpha, w)), fam.gradient(_inner(s, alpha, u))
    Hw, Hu = fam.hvp(w, gw_in, t), fam.hvp(u, gu_in, t)
    return on_ball, alpha, consts, gw_in, gu_in, Hw, Hu


def compute_eq_42_43(s: Setup) -> Trial:
    on_ball, alpha, consts, gw_in, gu_in, Hw, Hu = _lemma_4_8_terms(s)
    Gw, Gu = meta_gradient(on_ball, s.w, alpha), meta_gradient(on_ball, s.u, alpha)
    return Trial(dict(grad_F_diff_norm=np.linalg.norm(Gw - Gu), alpha=alpha, L=consts["L"],
                      inner_step_grad_diff_norm=np.linalg.norm(gw_in - gu_in, axis=1),
                      hessian_inner_gradient_diff_norm=np.linalg.norm(Hw - Hu, axis=1)),
                 s.family.probabilities, _rounding(s.family.dim, Gw, Gu, gw_in, gu_in, alpha * Hw, alpha * Hu))


def compute_eq_45(s: Setup) -> Trial:
    on_ball, alpha, consts, gw_in, gu_in, Hw, Hu = _lemma_4_8_terms(s)
    return Trial(dict(hessian_inner_gradient_diff_norm=np.linalg.norm(Hw - Hu, axis=1), alpha=alpha, L=consts["L"],
                      rho=consts["rho"], grad_fi_inner_norm_u=np.linalg.norm(gu_in, axis=1),
                      norm_w_minus_u=np.linalg.norm(s.w - s.u)),
                 None, _rounding(s.family.dim, Hw, Hu) + consts["L"] * _rounding(s.family.dim, gw_in, gu_in))


def compute_eq_86(s: Setup) -> Trial:
    fam, w = s.family, s.w
    consts = certified_constants(fam, w)
    alpha = s.alpha(consts["L"])
    # D_h at or just above its threshold (Theorem F.1's hypothesis, read from the registry).
    D_h = smallest_admitted(s.bound, "D_h", dict(consts, alpha=alpha)) + int(3 * s.params["distance"])
    M = np.eye(fam.dim) - alpha * fam.hessian(w)
    return Trial(dict(I_minus_alpha_hess_norm=spectral_norm(M), alpha=alpha, sigma_H=consts["sigma_H"], D_h=D_h,
                      L=consts["L"]), None, _rounding(fam.dim, M))


def compute_eq_115(s: Setup) -> Trial:
    fam = s.family
    alpha, consts = _alpha_on_reach(s, _meta_reach(s, s.w))
    w = _toward_stationary(s, alpha)
    consts = certified_constants(fam, w, _inner(s, alpha, w), s.w)
    H = fam.hessian(w)
    GFi = task_meta_gradients(certified_family(fam, w, _inner(s, alpha, w), s.w), w, alpha, **_JUDGED_BY_THE_BOUND)
    M = np.linalg.inv(np.eye(fam.dim) - alpha * H) - np.eye(fam.dim)
    term = fam.probabilities @ np.einsum("tij,tj->ti", M, GFi)
    return Trial(dict(neumann_term_norm=np.linalg.norm(term), grad_F_norm=np.linalg.norm(fam.probabilities @ GFi),
                      sigma=consts["sigma"], alpha=alpha, L=consts["L"]), None,
                 _rounding(fam.dim, GFi) + _stationary_rounding(s, w, consts["L"]))


# ---------------------------------------------------------------------- Theorem H.1's proof, (134)-(138)
# The longest finite-difference step (relative to 1 + ||w||) the (134)-(136) checks evaluate the tasks at.
MAX_FD_REACH = 1e8


def compute_eq_134(s: Setup, rule: bool = False) -> Trial:
    """||e~_k^i|| of (129) at v = the task's outer gradient, with one step delta ((134)) or delta_k^i of (135) ((136)).

    The families here have exact oracles, so the outer gradient grad~ f_i(w - alpha grad~ f_i(w, D_in), D_o) is
    grad f_i(w - alpha grad f_i(w)); (134) and (136) are claimed for every draw of it, this is one.  For (134) the
    step delta ||v|| ranges over [1e-4, 1] x the point scale, as for (9); for (136) it is the registry's delta rule.
    """
    fam, w = s.family, s.w
    n, t = fam.n_tasks, np.arange(fam.n_tasks)
    alpha, consts = _alpha_on_reach(s, _meta_reach(s, w))
    V = fam.gradient(_inner(s, alpha, w), t)
    norms = np.linalg.norm(V, axis=1)
    if rule:
        deltas = theorem_h_1_delta_rule(consts["rho"], alpha)(norms)
    else:
        step = 10.0 ** (-4 + 4 * float(s.params["delta_frac"])) * (0.1 + 2 * float(s.params["scale"]))
        deltas = np.full(n, step / max(float(np.max(norms)), np.finfo(float).tiny))
    live = norms > 0  # v = 0: (11) takes no difference, e~ = 0
    dl = np.where(live, deltas, 1.0)
    plus, minus = w + dl[:, None] * V, w - dl[:, None] * V
    reach = float(np.max(dl * norms))
    if not reach <= MAX_FD_REACH * (1 + float(np.linalg.norm(w))):
        # alpha -> 0 makes the step 1/(6 rho alpha) of (135) as long as one likes: beyond MAX_FD_REACH the
        # points of (11) leave every ball whose radius a float can hold squared.  Such instances are refused.
        raise ParameterError("alpha", f"alpha = {alpha:.3g} makes the finite-difference step delta_k^i ||v|| = "
                                      f"{reach:.3g}, beyond {MAX_FD_REACH:g} (1 + ||w||)")
    consts = certified_constants(fam, w, _inner(s, alpha, w), plus, minus)
    g_plus, g_minus = fam.gradient(plus, t), fam.gradient(minus, t)
    hv = fam.hvp(w, V, t)
    err = np.where(live, np.linalg.norm(hv - (g_plus - g_minus) / (2 * dl[:, None]), axis=1), 0.0)
    # As for (9): each gradient's rounding is relative to the terms it is assembled from.
    g0 = np.linalg.norm(fam.gradient(np.zeros_like(plus), t), axis=1)[:, None]
    terms = (np.abs(g_plus) + np.abs(g_minus) + 2 * g0
             + consts["L"] * (np.linalg.norm(plus, axis=1) + np.linalg.norm(minus, axis=1))[:, None])
    slack = float(np.max(_rounding(fam.dim, terms) / (2 * dl))) + _rounding(fam.dim, hv)
    values = dict(fd_remainder_norm=err, outer_grad_sample_norm=norms, alpha=alpha, L=consts["L"],
                  rho=consts["rho"], sigma_tilde=consts["sigma_tilde"],
                  D_h=smallest_admitted(s.bound, "D_h", dict(consts, alpha=alpha)))
    if not rule:
        values["delta"] = float(deltas[0])
    return Trial(values, None, slack)


def compute_eq_136(s: Setup) -> Trial:
    return compute_eq_134(s, rule=True)


def compute_eq_138(s: Setup) -> Trial:
    """(137)'s right end and (138)'s: E_i||grad f_i(w - alpha grad f_i(w))|| against ||grad F(w)|| / (1 - alpha L).

    Exact oracles (sigma~ = 0, so the noise terms of both sides vanish and D_in is immaterial); w moved toward a
    stationary point of F by 'stationary', where ||grad F|| is small and the tasks' own gradients are not.
    """
    fam = s.family
    alpha, consts = _alpha_on_reach(s, _meta_reach(s, s.w))
    w = _toward_stationary(s, alpha)
    inner = _inner(s, alpha, w)
    consts = certified_constants(fam, w, inner, s.w)
    GF = meta_gradient(certified_family(fam, w, inner, s.w), w, alpha, **_JUDGED_BY_THE_BOUND)
    g_in = fam.gradient(inner)
    return Trial(dict(grad_fi_inner_norm=np.linalg.norm(g_in, axis=1), grad_F_norm=np.linalg.norm(GF), alpha=alpha,
                      L=consts["L"], rho=consts["rho"], sigma=consts["sigma"], sigma_tilde=consts["sigma_tilde"], D_in=1,
                      D_h=smallest_admitted(s.bound, "D_h", dict(consts, alpha=alpha))),
                 fam.probabilities, _rounding(fam.dim, g_in, GF) / (6 * max(alpha, np.finfo(float).tiny)))


# ---------------------------------------------------------------------- Appendix I, numerically
def _registry_closed_form(expr, fam: QuadraticFamily) -> np.ndarray:
    """(156) or (158) from the registry, evaluated on the family's tasks (n equally likely tasks)."""
    tasks = [{"A": sp.Matrix(a.tolist()), "b": sp.Matrix(b.tolist())} for a, b in zip(fam.A, fam.b)]
    alpha = fam._appendix_i_alpha
    m = instantiate(expr.xreplace({symbols.alpha: sp.Float(alpha, 30)}), TASK_SYMBOLS, tasks, fam.dim)
    return np.array(m.evalf(30).tolist(), dtype=float).ravel()


def _appendix_i(s: Setup, which: str, swap: bool = False) -> Trial:
    """(156) and (158) checked where they are claimed: grad F vanishes at w*; FO-MAML's map fixes w_FO and contracts.

    grad F is the numeric core's (6); FO-MAML's direction is (8) with exact gradients
    and all tasks.  For (158) the claim that the iterates of (157) converge is checked
    through the spectral radius of the linear part of (157): at least 1 counts as a
    violation (the residual is then reported as infinite).
    """
    fam = s.family
    fam.probabilities = np.full(fam.n_tasks, 1.0 / fam.n_tasks)  # Appendix I: n equally likely tasks
    consts = certified_constants(fam, s.w)
    alpha = s.alpha(consts["L"])
    fam._appendix_i_alpha = alpha
    other = "appendix_i_w_fo" if which == "appendix_i_w_star" else "appendix_i_w_star"
    closed = _registry_closed_form(BOUNDS[other if swap else which].rhs, fam)
    batches = draw_meta_batches(fam, ALL_TASKS, EXACT, EXACT, EXACT, rng=s.rng)
    direction = maml_direction if which == "appendix_i_w_star" else fo_maml_direction
    field = direction(fam, closed, alpha, batches).vector
    residual = np.linalg.norm(field)
    if which == "appendix_i_w_fo":
        # (157)'s linear part, I - alpha E_i (I - alpha A_i) A_i, as the paper writes it (outer step alpha).
        M = np.eye(fam.dim) - alpha * np.einsum("i,ijk,ikl->jl", fam.probabilities,
                                                 np.eye(fam.dim) - alpha * fam.A, fam.A)
        if np.max(np.abs(np.linalg.eigvals(M))) >= 1.0:
            residual = np.inf
    A = fam.A
    # grad F at a point computed to 30 digits carries the float64 rounding of its own
    # evaluation: terms of size ||A|| ||w*|| + ||b||.
    terms = consts["L"] * (1 + alpha * consts["L"]) ** 2 * (np.linalg.norm(closed) + np.max(np.abs(fam.b)))
    slack = _rounding(fam.dim, terms)
    return Trial(dict(residual=residual, eig_min_A=np.linalg.eigvalsh(A)[:, 0], norm_A=spectral_norm(A),
                      alpha=alpha, L=consts["L"], d=fam.dim), None, slack)


def compute_appendix_i_w_star(s: Setup) -> Trial:
    return _appendix_i(s, "appendix_i_w_star")


def compute_appendix_i_w_fo(s: Setup) -> Trial:
    return _appendix_i(s, "appendix_i_w_fo")


def control_appendix_i_w_star(s: Setup) -> Trial:
    return _appendix_i(s, "appendix_i_w_star", swap=True)


def control_appendix_i_w_fo(s: Setup) -> Trial:
    return _appendix_i(s, "appendix_i_w_fo", swap=True)


# ---------------------------------------------------------------------- Appendices D-E, one batch enumerated
# The displays of the proofs of Lemma 4.10 (62)-(65) and Theorem 4.11 (66), (68), (70)-(71), (73)-(74) are
# expectations over ONE data batch D (D_in or D_test) of a task.  On families whose batches have a finite law
# (Family.batch_law: least squares, every multiset of the task's samples; exact tasks with two-point noise,
# every sign mean) each expectation is a finite sum, computed exactly, so every instance gets an exact
# verdict, as a pointwise result's does.  The instance's spare parameters set what the displays leave free:
# delta_frac the batch size D, distance the phi of (64)-(65), stationary the outer batch D_o of (64).
def _batch_size(p: dict) -> int:
    """D_in or D_test: 1 + round(3 delta_frac), from 1 to 4."""
    return 1 + int(round(3 * float(p["delta_frac"])))


def _outer_batch_size(p: dict) -> int:
    """D_o of (64)-(65): 1 + round(3 stationary), from 1 to 4 (no point is moved toward a stationary point here)."""
    return 1 + int(round(3 * float(p.get("stationary", 0.0))))


def _phi(p: dict) -> float:
    """The free phi > 0 of (64)-(65): 10^(4 distance - 2), from 1/100 to 100 (distance 1/2: phi = 1)."""
    return 10.0 ** (4.0 * float(p["distance"]) - 2.0)


@dataclass
class _OneBatch:
    """Every outcome k of one batch of size D for every task (arrays (K, n, ...)) with probabilities q (K,).

    g = grad f_i(w), u = w - alpha g, gu = grad f_i(u); per outcome gt = grad~ f_i(w, D), xi = gt - g,
    x = w - alpha gt, gx = grad f_i(x), Y = gx - gu (e_{G,i} of (69)).
    """

    family: Family
    batch: object
    q: np.ndarray
    D: int
    alpha: float
    consts: dict
    g: np.ndarray
    u: np.ndarray
    gu: np.ndarray
    gt: np.ndarray
    x: np.ndarray
    gx: np.ndarray

    @property
    def K(self) -> int:
        return len(self.q)

    @property
    def xi(self) -> np.ndarray:
        return self.gt - self.g

    @property
    def Y(self) -> np.ndarray:
        return self.gx - self.gu

    def mean(self, values: np.ndarray) -> np.ndarray:
        """E_D of per-outcome values (K, n, ...), a sum with the outcomes' probabilities."""
        return np.tensordot(self.q, values, axes=1)

    def rows(self, values: np.ndarray) -> np.ndarray:
        """(K, n, ...) values as the batch's stacked rows (K n, ...)."""
        return values.reshape((-1,) + values.shape[2:])

    def stacked(self, rows: np.ndarray) -> np.ndarray:
        return rows.reshape((self.K, self.family.n_tasks) + rows.shape[1:])

    def slack(self, *scales) -> float:
        """The rounding allowance of a sum of K outcomes of terms of these magnitudes: 64 (d + K) eps times them."""
        return ROUNDING_FACTOR * (self.family.dim + self.K) * EPS * float(
            sum(np.max(np.abs(np.asarray(x, dtype=float))) for x in scales))


def _one_batch(s: Setup, D: int) -> _OneBatch:
    """The batch law of ``s.family`` at size D, with alpha admitted on the ball that every point reached holds."""
    fam, w = s.family, s.w
    n = fam.n_tasks
    batch, q = fam.batch_law(np.arange(n), D)
    K = len(q)
    g = fam.gradient(w)
    gt = fam.batch_gradient(np.broadcast_to(w, (K * n, fam.dim)), batch).reshape(K, n, fam.dim)
    alpha, consts = _alpha_on_reach(s, lambda a: [w, w - a * g, (w - a * gt).reshape(-1, fam.dim)])
    u = w - alpha * g
    x = w - alpha * gt
    gx = fam.gradient(x.reshape(-1, fam.dim), np.tile(np.arange(n), K)).reshape(K, n, fam.dim)
    return _OneBatch(fam, batch, q, D, alpha, consts, g, u, fam.gradient(u), gt, x, gx)


def _norms(v: np.ndarray) -> np.ndarray:
    return np.linalg.norm(v, axis=-1)


def compute_eq_62_bias(s: Setup) -> Trial:
    b = _one_batch(s, _batch_size(s.params))
    return Trial(dict(bias_norm=_norms(b.mean(b.Y)), inner_step_gradient_change_mean=b.mean(_norms(b.Y)),
                      alpha=b.alpha, L=b.consts["L"]), None, b.slack(b.gx, b.gu))


def compute_eq_62_63(s: Setup) -> Trial:
    b = _one_batch(s, _batch_size(s.params))
    aL = b.alpha * b.consts["L"]
    return Trial(dict(inner_step_gradient_change_mean=b.mean(_norms(b.Y)), inner_noise_mean_norm=b.mean(_norms(b.xi)),
                      alpha=b.alpha, L=b.consts["L"], sigma_tilde=b.consts["sigma_tilde"], D_in=b.D),
                 None, b.slack(b.gx, b.gu, aL * b.gt, aL * b.g))


def compute_eq_48_49(s: Setup) -> Trial:
    """(48)-(49) of Lemma 4.9's proof: the stepsize batch D_beta (size from delta_frac) enumerated exactly.

    B' enters only Lemma 4.9's hypothesis (18): it is the smallest the registry admits at the instance's constants.
    """
    b = _one_batch(s, _batch_size(s.params))
    values = dict(stepsize_batch_noise_second_moment=b.mean(_norms(b.xi) ** 2),
                  stepsize_batch_gradient_mean_norm=b.mean(_norms(b.gt)), grad_fi_norm_w=_norms(b.g),
                  alpha=b.alpha, L=b.consts["L"], rho=b.consts["rho"], sigma=b.consts["sigma"],
                  sigma_tilde=b.consts["sigma_tilde"], D_beta=b.D)
    values["B_prime"] = smallest_admitted(s.bound, "B_prime", values)
    return Trial(values, None, b.slack(b.gt * b.gt, b.g * b.g) + b.slack(b.gt, b.g))


# The exact enumeration of (50)'s B' atoms stops beyond this many multisets (the instance is then not built).
_EQ_50_CAP = 5000


def compute_eq_50(s: Setup) -> Trial:
    """(50): E[beta~(w)^2] and the mean and variance of X = L~(w) - 4L over the exact law of B' (task, D_beta batch) atoms.

    An atom is a task j with one outcome of its batch D_beta (probability p_j q_k); B' atoms are i.i.d., every multiset
    enumerated with its multinomial weight; beta~ and L~ are the registry's (16)-(17).  rho is the certified one, or
    the extremal configuration's ``rho`` where larger (any larger rho is a valid constant of Assumption 4.4).
    """
    b = _one_batch(s, _batch_size(s.params))
    fam, n = b.family, b.family.n_tasks
    rho = max(b.consts["rho"], float(s.params.get("rho", 0.0)))
    values = dict(alpha=b.alpha, L=b.consts["L"], rho=rho, sigma=b.consts["sigma"], sigma_tilde=b.consts["sigma_tilde"],
                  D_beta=b.D)
    B_prime = smallest_admitted(s.bound, "B_prime", values)
    norms = _norms(b.gt).reshape(-1)
    probs = (b.q[:, None] * fam.probabilities[None, :]).reshape(-1)
    keep = probs > 0
    norms, probs = norms[keep], probs[keep]
    K = len(norms)
    if math.comb(K + B_prime - 1, B_prime) > _EQ_50_CAP:
        raise ParameterError("B_prime", f"B' = {B_prime} over {K} atoms exceeds the exact enumeration's cap {_EQ_50_CAP}")
    combos = np.array(list(itertools.combinations_with_replacement(range(K), B_prime)), dtype=int).reshape(-1, B_prime)
    counts = np.stack([(combos == a).sum(axis=1) for a in range(K)], axis=1)
    log_coef = math.lgamma(B_prime + 1) - np.array([sum(math.lgamma(c + 1) for c in row) for row in counts])
    with np.errstate(divide="ignore"):
        weight = np.exp(log_coef + counts @ np.log(probs))
    at = dict(values, batch_grad_norm=norms[combos])
    uniform = np.full(B_prime, 1.0 / B_prime)
    L_tilde = np.asarray(evaluate(lemma_4_9.L_TILDE.expr, at, task_weights=uniform), dtype=float).reshape(-1)
    beta = np.asarray(evaluate(lemma_4_9.BETA_TILDE_EXPANDED, at, task_weights=uniform), dtype=float).reshape(-1)
    X = L_tilde - 4 * values["L"]  # (50): X = 2 rho alpha sum_j ||grad~ f_j(w, D_beta^j)||/B', c = 4L
    mu = float(weight @ X)
    values.update(B_prime=B_prime, E_beta_tilde_sq=float(weight @ beta ** 2), mu_b=mu,
                  sigma_b_sq=float(weight @ (X - mu) ** 2))
    return Trial(values, None, ROUNDING_FACTOR * (fam.dim + len(weight)) * EPS * (4 * values["L"]) ** -2)


def _eq_64_65_values(s: Setup, *, outer_noise: bool = True) -> Trial:
    """(64)-(65): E||v||^2 with the outer batch integrated out, E||grad f_i(x)||^2, E||Y||^2, ||grad f_i(u)||.

    Given x, E_{D_o}||grad~ f_i(x, D_o)||^2 = ||grad f_i(x)||^2 + m_i(x)/D_o with m_i(x) one sample's gradient
    variance at x (``Family.gradient_noise_second_moment``, unbiased i.i.d. samples).  ``outer_noise=False``
    leaves m_i(x)/D_o out of E||v||^2: (64)'s identity's negative control.
    """
    fam = s.family
    b = _one_batch(s, _batch_size(s.params))
    D_o = _outer_batch_size(s.params)
    gx_sq = np.einsum("knd,knd->kn", b.gx, b.gx)
    m = b.stacked(fam.gradient_noise_second_moment(b.rows(b.x), np.tile(np.arange(fam.n_tasks), b.K)))
    v_sq = gx_sq + (m / D_o if outer_noise else 0.0)
    sig2 = b.consts["sigma_tilde"] ** 2
    phi = _phi(s.params)
    scale = (1 + 1 / phi) * np.max(_norms(b.gu)) ** 2 + (1 + phi) * (np.max(_norms(b.gx)) + np.max(_norms(b.gu))) ** 2
    return Trial(dict(outer_grad_second_moment=b.mean(v_sq), inner_point_grad_second_moment=b.mean(gx_sq),
                      inner_step_gradient_change_second_moment=b.mean(np.einsum("knd,knd->kn", b.Y, b.Y)),
                      grad_fi_inner_norm=_norms(b.gu), alpha=b.alpha, L=b.consts["L"],
                      sigma_tilde=b.consts["sigma_tilde"], D_in=b.D, D_o=D_o, phi=phi),
                 None, b.slack(gx_sq, m, sig2, scale, (1 + phi) * (b.alpha * b.consts["L"]) ** 2 * sig2))


def compute_eq_64_65(s: Setup) -> Trial:
    return _eq_64_65_values(s)


def control_eq_64_identity(s: Setup) -> Trial:
    return _eq_64_65_values(s, outer_noise=False)


def compute_eq_68(s: Setup) -> Trial:
    fam = s.family
    b = _one_batch(s, _batch_size(s.params))
    H = fam.hessian(s.w)
    Ht = b.stacked(fam.batch_hessian(np.broadcast_to(s.w, (b.K * fam.n_tasks, fam.dim)), b.batch))
    e_H = b.alpha * (H[None] - Ht)  # (67)
    # sigma_H of (14) holds at w, where every sample Hessian of (68) is taken.
    consts = certified_constants(fam, s.w)
    return Trial(dict(hessian_error_second_moment=b.mean(spectral_norm(e_H) ** 2), alpha=b.alpha,
                      sigma_H=consts["sigma_H"], L=b.consts["L"], D_test=b.D),
                 None, b.slack((b.alpha * (spectral_norm(H)[None] + spectral_norm(Ht))) ** 2,
                               b.alpha ** 2 * consts["sigma_H"] ** 2))


def compute_eq_70_71(s: Setup) -> Trial:
    b = _one_batch(s, _batch_size(s.params))
    aL2 = (b.alpha * b.consts["L"]) ** 2
    return Trial(dict(gradient_error_second_moment=b.mean(np.einsum("knd,knd->kn", b.Y, b.Y)),
                      test_noise_second_moment=b.mean(np.einsum("knd,knd->kn", b.xi, b.xi)),
                      alpha=b.alpha, L=b.consts["L"], sigma_tilde=b.consts["sigma_tilde"], D_test=b.D),
                 None, b.slack((_norms(b.gx) + _norms(b.gu)) ** 2, aL2 * (_norms(b.gt) + _norms(b.g)[None]) ** 2,
                               aL2 * b.consts["sigma_tilde"] ** 2))


def _grad_F_hat_terms(s: Setup):
    """(66), and the terms of (73)-(74), every expectation over the test batch summed over its outcomes.

    Returns (b, grad F-hat, T0, T1, T2, the task mean of (I - alpha H_i) E[e_G], the rounding allowance) with
    T0 = E_i (I - alpha H_i) grad f_i(u), T1 = E_i[(I - alpha H_i) E e_G + E[e_H] grad f_i(u)], T2 = E_i E[e_H e_G],
    e_H = alpha (H_i - H~_i(D)) (67), e_G = Y (69), H~_i(D) applied through the batch's Hessian-vector products.
    """
    fam, w = s.family, s.w
    b = _one_batch(s, _batch_size(s.params))
    n, K, a, p = fam.n_tasks, b.K, b.alpha, fam.probabilities
    tasks = np.tile(np.arange(n), K)
    W = np.broadcast_to(w, (K * n, fam.dim))
    Ht_gx = b.stacked(fam.batch_hvp(W, b.rows(b.gx), b.batch))
    grad_F_hat = p @ b.mean(b.gx - a * Ht_gx)  # (66)
    H_gu = fam.hvp(w, b.gu)
    Ht_gu = b.stacked(fam.batch_hvp(W, np.tile(b.gu, (K, 1)), b.batch))
    EY = b.mean(b.Y)
    A_EY = EY - a * fam.hvp(w, EY)  # (I - alpha H_i) E[e_G]
    H_Y = b.stacked(fam.hvp(W, b.rows(b.Y), tasks))
    Ht_Y = b.stacked(fam.batch_hvp(W, b.rows(b.Y), b.batch))
    T0 = p @ (b.gu - a * H_gu)
    T1 = p @ (A_EY + a * (H_gu - b.mean(Ht_gu)))  # E[e_H] grad f_i(u) = alpha (H_i - E H~_i) grad f_i(u)
    T2 = p @ b.mean(a * (H_Y - Ht_Y))  # E[e_H e_G]
    slack = b.slack(b.gx, a * Ht_gx, b.gu, a * H_gu, a * Ht_gu, a * H_Y, a * Ht_Y)
    return b, grad_F_hat, T0, T1, T2, p @ A_EY, slack


def compute_eq_73(s: Setup, *, cross_term: bool = True) -> Trial:
    b, grad_F_hat, T0, T1, T2, _, slack = _grad_F_hat_terms(s)
    expansion = T0 + T1 + (T2 if cross_term else 0.0)
    return Trial(dict(grad_F_hat_expansion_residual=np.linalg.norm(grad_F_hat - expansion), alpha=b.alpha,
                      L=b.consts["L"]), None, slack)


def control_eq_73(s: Setup) -> Trial:
    return compute_eq_73(s, cross_term=False)


def compute_eq_74(s: Setup, *, cross_term: bool = True) -> Trial:
    b, grad_F_hat, _, _, T2, A_EY, slack = _grad_F_hat_terms(s)
    # grad F(w) of (6), on the tasks certified on the ball of w and the inner points (the core checks alpha L <= 1).
    grad_F = meta_gradient(certified_family(s.family, s.w, b.u), s.w, b.alpha)
    residual = grad_F_hat - grad_F - A_EY - (T2 if cross_term else 0.0)
    return Trial(dict(grad_F_hat_decomposition_residual=np.linalg.norm(residual), alpha=b.alpha, L=b.consts["L"]),
                 None, slack + _rounding(s.family.dim, grad_F))


def control_eq_74(s: Setup) -> Trial:
    return compute_eq_74(s, cross_term=False)


def _F_hat(fam: Family, W: np.ndarray, alpha: float, batch, q: np.ndarray) -> np.ndarray:
    """F-hat (3) at each row of W (m, d): E_i E_D f_i(w - alpha grad~ f_i(w, D)), every batch outcome summed."""
    n, K = fam.n_tasks, len(q)
    tasks = np.tile(np.arange(n), K)
    out = []
    for w in W:
        rows = np.broadcast_to(w, (K * n, fam.dim))
        x = rows - alpha * fam.batch_gradient(rows, batch)
        out.append(fam.probabilities @ (q @ fam.loss(x, tasks).reshape(K, n)))
    return np.array(out)


def compute_eq_66(s: Setup, *, sample_hessian: bool = True) -> Trial:
    """(66) against the gradient of F-hat (3) by central differences of its exact value (Richardson's error estimate).

    ``sample_hessian=False`` puts the exact Hessian grad^2 f_i(w) in place of the batch's: the negative control.
    """
    fam, w = s.family, s.w
    b = _one_batch(s, _batch_size(s.params))
    n, K, a = fam.n_tasks, b.K, b.alpha
    W = np.broadcast_to(w, (K * n, fam.dim))
    hvp = fam.batch_hvp(W, b.rows(b.gx), b.batch) if sample_hessian else fam.hvp(W, b.rows(b.gx),
                                                                                   np.tile(np.arange(n), K))
    formula = fam.probabilities @ b.mean(b.gx - a * b.stacked(hvp))
    h = 1e-3 * (1 + np.linalg.norm(w))
    E = np.eye(fam.dim)

    def central(step):
        F = _F_hat(fam, np.concatenate([w + step * E, w - step * E]), a, b.batch, b.q)
        return (F[:fam.dim] - F[fam.dim:]) / (2 * step)

    fd, fd2 = central(h), central(h / 2)
    F0 = _F_hat(fam, w[None], a, b.batch, b.q)[0]
    loss_scale = np.max(np.abs(fam.loss(b.rows(b.x), np.tile(np.arange(n), K))))
    slack = (4.0 / 3.0 * np.linalg.norm(fd - fd2) + ROUNDING_FACTOR * (fam.dim + K) * EPS * (abs(F0) + loss_scale) / h
             + b.slack(b.gx, a * hvp))
    return Trial(dict(grad_F_hat_formula_residual=np.linalg.norm(fd2 - formula), alpha=a, L=b.consts["L"]), None, slack)


def control_eq_66(s: Setup) -> Trial:
    return compute_eq_66(s, sample_hessian=False)


# ---------------------------------------------------------------------- the cases
def _applicable_kinds(bound_id: str) -> tuple[str, ...]:
    # A corrected statement is judged where the printed one is, its counterexamples included.
    bound_id = BOUNDS[bound_id].corrects or bound_id
    if bound_id.startswith("appendix_i"):
        return ("quadratic-positive-definite",)
    # Ridge tasks carry the Hessian kinks and ramps at slope rho where (9) and (31) are
    # tight; two-point Hessian noise gives (86) an exactly certified sigma_H > 0.  Both meet
    # every hypothesis of these Bounds (exact oracles, global L and rho; sigma_H certified).
    if bound_id in ("eq_9_finite_difference_hvp", "corollary_a_1"):
        return FAMILY_KINDS + ("ridge",)
    if bound_id == "eq_86_hessian_factor_at_most_2":
        return FAMILY_KINDS + ("noisy-quadratic-concave",)
    if bound_id in _ONE_BATCH_KINDS:
        return _ONE_BATCH_KINDS[bound_id]
    if bound_id in _PROOF_DISPLAY_KINDS:
        return _PROOF_DISPLAY_KINDS[bound_id]
    # Theorem H.1's (134), (136): the delta rule needs rho > 0 (quadratics have rho = 0 and an exact
    # difference); ridge tasks hold (9)'s equality case.  (138): where the tasks' curvatures differ
    # (trigonometric) and where they are constant (quadratic), at stationary points of F.
    if bound_id in ("eq_134_fd_remainder", "eq_136_fd_remainder_delta_rule"):
        return ("trigonometric", "ridge")
    if bound_id == "eq_138_task_gradients_by_grad_f":
        return ("trigonometric", "quadratic-indefinite")
    return FAMILY_KINDS


# Appendices D-E: the families whose batches have a finite law (the other kinds' exact oracles make every
# display 0 <= 0).  (66) needs per-sample losses, which least squares has; the bias of (62) vanishes for the
# affine gradients of least squares (lhs 0, nothing a falsified constant could show).
_ONE_BATCH = ("regression", "two-point-noise")
_ONE_BATCH_KINDS = {
    "eq_50_wooff_second_moment": ("two-point-noise",),
    "eq_48_stepsize_batch_variance": _ONE_BATCH,
    "eq_49_stepsize_batch_gradient_upper": _ONE_BATCH,
    "eq_49_stepsize_batch_gradient_lower": _ONE_BATCH,
    "eq_62_bias_by_mean_gradient_change": ("two-point-noise",),
    "eq_62_inner_step_lipschitz": _ONE_BATCH,
    "eq_63_inner_noise_mean_norm": _ONE_BATCH,
    "eq_64_outer_batch_identity": _ONE_BATCH,
    "eq_64_young_inequality": _ONE_BATCH,
    "eq_65_second_moment_by_lipschitz": _ONE_BATCH,
    "eq_66_grad_f_hat": ("regression",),
    "eq_68_hessian_error_second_moment": _ONE_BATCH,
    "eq_70_gradient_error_lipschitz": _ONE_BATCH,
    "eq_71_test_noise_second_moment": _ONE_BATCH,
    "eq_73_grad_f_hat_expansion": _ONE_BATCH,
    "eq_74_grad_f_hat_decomposition": _ONE_BATCH,
}


# The displays of the proofs of Lemma A.3 and Lemma 4.8: the family holding their equality case (a shared
# concave quadratic), curvature that varies with w (trigonometric; rank-one, whose constants grow with the ball),
# and tasks of different Hessians (indefinite quadratics), where the triangle and Jensen steps are strict.
_PROOF_DISPLAY = ("quadratic-concave-shared", "quadratic-indefinite", "trigonometric", "rank-one")
_PROOF_DISPLAY_KINDS = {
    "theorem_a_2_lower": _PROOF_DISPLAY,
    "theorem_a_2_upper": _PROOF_DISPLAY,
    "eq_38_triangle_inequality": _PROOF_DISPLAY,
    "eq_39_jensen_operator_norm": _PROOF_DISPLAY,
    "eq_41_task_gradient_spread": _PROOF_DISPLAY,
    "eq_42_43_meta_gradient_split": _PROOF_DISPLAY,
    "eq_45_hessian_gradient_product_lipschitz": _PROOF_DISPLAY,
}


_COMPUTE = {
    "eq_9_finite_difference_hvp": (compute_eq_9, ("alpha_frac", "scale", "delta_frac", "spread", "kink")),
    "eq_30a_hessian_bounded": (compute_eq_30a, ("scale", "spread")),
    "eq_30b_descent_lemma": (compute_eq_30b, ("scale", "distance", "spread")),
    "eq_44_inner_step_lipschitz": (compute_eq_44, None),
    "eq_46_inner_step_gradient_growth": (compute_eq_46, ("alpha_frac", "scale", "spread")),
    "lemma_4_8": (compute_lemma_4_8, None),
    "corollary_a_1": (compute_corollary_a_1, ("alpha_frac", "scale", "distance", "spread", "kink", "gradient")),
    "lemma_a_3_gradient_of_f": (compute_lemma_a_3_33, ("alpha_frac", "scale", "spread", "stationary")),
    "lemma_a_3_task_gradient_second_moment": (compute_lemma_a_3_34, ("alpha_frac", "scale", "spread", "stationary")),
    "eq_35_meta_gradient": (compute_eq_35, ("alpha_frac", "scale", "spread")),
    "eq_36_mean_value_form": (compute_eq_36, ("alpha_frac", "scale", "spread")),
    "eq_37_factorisation": (compute_eq_37, ("alpha_frac", "scale", "spread")),
    "eq_86_hessian_factor_at_most_2": (compute_eq_86, ("alpha_frac", "scale", "distance", "spread")),
    "eq_115_neumann_term": (compute_eq_115, ("alpha_frac", "scale", "spread", "stationary")),
    "eq_94_decrease_by_grad_f": (compute_eq_94, ("alpha_frac", "scale", "spread", "stationary")),
    "eq_134_fd_remainder": (compute_eq_134, ("alpha_frac", "scale", "delta_frac", "spread", "kink")),
    "eq_136_fd_remainder_delta_rule": (compute_eq_136, ("alpha_frac", "scale", "spread", "kink")),
    "eq_138_task_gradients_by_grad_f": (compute_eq_138, ("alpha_frac", "scale", "spread", "stationary")),
    "eq_138_task_gradients_by_grad_f_corrected": (compute_eq_138, ("alpha_frac", "scale", "spread", "stationary")),
    # The displays of the proofs of Lemma A.3, (38)-(41), and Lemma 4.8, (42)-(45).
    "theorem_a_2_lower": (compute_theorem_a_2, ("scale", "spread", "distance", "delta_frac")),
    "theorem_a_2_upper": (compute_theorem_a_2, ("scale", "spread", "distance", "delta_frac")),
    "eq_38_triangle_inequality": (compute_eq_38_39, ("alpha_frac", "scale", "spread", "stationary")),
    "eq_39_jensen_operator_norm": (compute_eq_38_39, ("alpha_frac", "scale", "spread", "stationary")),
    "eq_41_task_gradient_spread": (compute_eq_41, ("scale", "spread")),
    "eq_42_43_meta_gradient_split": (compute_eq_42_43, None),
    "eq_45_hessian_gradient_product_lipschitz": (compute_eq_45, None),
    "appendix_i_w_star": (compute_appendix_i_w_star, ("alpha_frac", "scale", "spread")),
    "appendix_i_w_fo": (compute_appendix_i_w_fo, ("alpha_frac", "scale", "spread")),
    # The erratum's corrected statements (bounds/lemma_a_3/corrected.py).
    "lemma_a_3_task_gradient_second_moment_corrected": (compute_lemma_a_3_34,
                                                        ("alpha_frac", "scale", "spread", "stationary")),
    "eq_36_mean_value_form_corrected": (compute_eq_36_corrected, ("alpha_frac", "scale", "spread")),
    "eq_37_factorisation_corrected": (compute_eq_37_corrected, ("alpha_frac", "scale", "spread")),
    "eq_68_hessian_error_second_moment_corrected": (compute_eq_68, ("alpha_frac", "scale", "spread", "delta_frac")),
    "eq_50_wooff_second_moment": (compute_eq_50, ("alpha_frac", "scale", "spread", "delta_frac")),
    "eq_48_stepsize_batch_variance": (compute_eq_48_49, ("alpha_frac", "scale", "spread", "delta_frac")),
    "eq_49_stepsize_batch_gradient_upper": (compute_eq_48_49, ("alpha_frac", "scale", "spread", "delta_frac")),
    "eq_49_stepsize_batch_gradient_lower": (compute_eq_48_49, ("alpha_frac", "scale", "spread", "delta_frac")),
    "eq_62_bias_by_mean_gradient_change": (compute_eq_62_bias, ("alpha_frac", "scale", "spread", "delta_frac")),
    "eq_62_inner_step_lipschitz": (compute_eq_62_63, ("alpha_frac", "scale", "spread", "delta_frac")),
    "eq_63_inner_noise_mean_norm": (compute_eq_62_63, ("alpha_frac", "scale", "spread", "delta_frac")),
    "eq_64_outer_batch_identity": (compute_eq_64_65, ("alpha_frac", "scale", "spread", "delta_frac")),
    "eq_64_young_inequality": (compute_eq_64_65, ("alpha_frac", "scale", "spread", "delta_frac", "distance")),
    "eq_65_second_moment_by_lipschitz": (compute_eq_64_65, ("alpha_frac", "scale", "spread", "delta_frac", "distance")),
    "eq_66_grad_f_hat": (compute_eq_66, ("alpha_frac", "scale", "spread", "delta_frac")),
    "eq_68_hessian_error_second_moment": (compute_eq_68, ("alpha_frac", "scale", "spread", "delta_frac")),
    "eq_70_gradient_error_lipschitz": (compute_eq_70_71, ("alpha_frac", "scale", "spread", "delta_frac")),
    "eq_71_test_noise_second_moment": (compute_eq_70_71, ("alpha_frac", "scale", "spread", "delta_frac")),
    "eq_73_grad_f_hat_expansion": (compute_eq_73, ("alpha_frac", "scale", "spread", "delta_frac")),
    "eq_74_grad_f_hat_decomposition": (compute_eq_74, ("alpha_frac", "scale", "spread", "delta_frac")),
}


_CONTROLS = {
    "eq_9_finite_difference_hvp": (control_eq_9, "both gradients of the difference taken at w + delta v (the "
                                   "one-point bug that makes HF-MAML equal FO-MAML)"),
    "eq_35_meta_gradient": (control_eq_35, "the FO-MAML direction E_i grad f_i(w - alpha grad f_i(w)) in place of (35)"),
    "eq_36_mean_value_form": (control_eq_36, "I + alpha grad^2 f_i(w~) in place of I - alpha grad^2 f_i(w~)"),
    "eq_37_factorisation": (control_eq_37, "I + alpha grad^2 f_i(w~) in place of I - alpha grad^2 f_i(w~)"),
    "appendix_i_w_star": (control_appendix_i_w_star, "MAML's limit compared with w_FO (158) instead of w* (156)"),
    "appendix_i_w_fo": (control_appendix_i_w_fo, "FO-MAML's limit compared with w* (156) instead of w_FO (158)"),
    "eq_36_mean_value_form_corrected": (control_eq_36_corrected, "I + alpha H_i in place of I - alpha H_i"),
    "eq_37_factorisation_corrected": (control_eq_37_corrected, "I + alpha H_i in place of I - alpha H_i"),
    "eq_64_outer_batch_identity": (control_eq_64_identity, "the outer batch's variance left out of E||v||^2"),
    "eq_66_grad_f_hat": (control_eq_66,
                         "the exact Hessian grad^2 f_i(w) in place of the batch's grad~^2 f_i(w, D_test)"),
    "eq_73_grad_f_hat_expansion": (control_eq_73, "the cross term E_i E[e_{H,i} e_{G,i}] left out"),
    "eq_74_grad_f_hat_decomposition": (control_eq_74, "the cross term E_i E[e_{H,i} e_{G,i}] left out"),
}


def _cases() -> list[Case]:
    out = []
    for bound_id, (compute, cont) in _COMPUTE.items():
        control, note = _CONTROLS.get(bound_id, (None, ""))
        for kind in _applicable_kinds(bound_id):
            out.append(Case(bound_id, kind, compute, cont or Case.continuous, control, note))
    return out


CASES: list[Case] = _cases()
CASES_BY_ID = {c.id: c for c in CASES}


# ---------------------------------------------------------------------- a user's families
def takes_user_families(bound_id: str) -> bool:
    """Whether the Bound is checked on every general kind of family, and so on a user's (``--family``).

    The others are checked on kinds chosen for them (their equality cases, exact batch laws, closed
    forms of Appendix I): ``not_applicable_to_user_families`` gives each with its reason.
    """
    return set(FAMILY_KINDS) <= set(_applicable_kinds(bound_id))


def _user_case(bound_id: str, kind: str) -> Case | None:
    if bound_id not in _COMPUTE or not takes_user_families(bound_id):
        return None
    compute, cont = _COMPUTE[bound_id]
    control, note = _CONTROLS.get(bound_id, (None, ""))
    return Case(bound_id, kind, compute, cont or Case.continuous, control, note)


def run_cases() -> list[Case]:
    """This run's pointwise checks: the built-in families' (unless ``--only-user-families``) and the user's."""
    return cases_for_run(CASES, _COMPUTE, _user_case)


def not_applicable_to_user_families() -> dict[str, str]:
    """Bound id -> why the pointwise checks do not run it on a user's family."""
    return {b: f"checked on the kinds chosen for it ({', '.join(_applicable_kinds(b))}): its equality cases, exact "
               f"batch laws or closed forms" for b in _COMPUTE if not takes_user_families(b)}


def case_for(check_id: str) -> Case | None:
    """The pointwise check ``bound@kind``, a user's family's included (loaded from its factory if need be)."""
    return case_by_id(check_id, CASES_BY_ID, _user_case)


# ---------------------------------------------------------------------- extremal instances
# The equality cases of the proofs, built inside the hypotheses with certified constants
# (L = rho = 1 where the configuration fixes them).  Each builder maps an instance's
# parameters (all but ``extremal`` in [0, 1], so that the adversarial search can move
# along them from these starts) to (family, w, u, v).  The supremum each one reaches is
# derived in the Bound's module (bounds/, ``Sharpness``).
_EXTREMAL_L = 1.0


def _fraction(p: dict, name: str, default: float) -> float:
    """An extremal instance's parameter in [0, 1]; outside it the configuration is refused, not clipped."""
    value = float(p.get(name, default))
    if not 0.0 <= value <= 1.0:
        raise ParameterError(name, f"an extremal configuration's parameter must lie in [0, 1], got {value!r}")
    return value


def _unit(d: int) -> np.ndarray:
    e = np.zeros(d)
    e[0] = 1.0
    return e


def _extremal_kink(bound: Bound, p: dict):
    """(9): one ridge with Hessian min(rho |t|, L) (rho |t|^3 / 6 clipped), w at the kink, v across it.

    The central difference then errs by rho delta ||v||^2 / 2 exactly for delta ||v|| <= L / rho,
    half of (9)'s bound.  ``kink`` moves w off the kink by up to L / rho; the other d - 1
    coordinates carry a constant curvature L / 2 (quadratic, no error).  ``offset`` adds the
    linear term offset e_1, so that grad f(w - alpha grad f(w)), the v of (134) and (136), is
    along e_1 and not 0 at the kink.
    """
    d = int(p.get("d", 1))
    X, H = kink_profile(1.0, _EXTREMAL_L)
    Xs = np.tile(X, (1, d, 1))
    Hs = np.tile(np.full(3, 0.5 * _EXTREMAL_L), (1, d, 1))
    Hs[0, 0] = H
    fam = RidgeFamily(np.eye(d)[None], Xs, Hs, (_fraction(p, "offset", 0.0) * _unit(d))[None])
    w = _fraction(p, "kink", 0.0) * _EXTREMAL_L * _unit(d)
    return fam, w, w + _unit(d), _unit(d)


def _extremal_ramp(bound: Bound, p: dict):
    """(31): a ridge whose curvature rises from -L to L and falls back at slope rho; a large gradient G.

    With alpha L = 1 and grad f(w) = G >> L^2 / rho, the inner points w - alpha grad f lie where the
    curvature is -L, so grad f there is (1 + alpha L) G - O(1), and along [w, u] on the falling
    ramp (third derivative -rho) the curvature of F is (1 - alpha h)^2 h(w') + alpha rho f'(w'),
    which approaches L(w) = 4L + 2 rho alpha G: the ratio tends to 1 as G grows
    (``gradient`` in [0, 1] sets G = 10^(1 + 3 gradient)).  ``kink`` places w on the falling ramp,
    ``distance`` sets the length of [w, u] inside it.
    """
    L = _EXTREMAL_L
    X = np.array([0.0, 2.0, 4.0]) * L  # rho = 1: slope 2L / 2
    H = np.array([-L, L, -L])
    G = 10.0 ** (1.0 + 3.0 * _fraction(p, "gradient", 1.0))
    fam = RidgeFamily(np.eye(1)[None], X[None, None], H[None, None], np.array([[G]]))
    w = X[1] + _fraction(p, "kink", 0.0) * (X[2] - X[1]) * 0.5
    u = w + (0.02 + _fraction(p, "distance", 1.0)) * (X[2] - w) / 1.02
    return fam, np.array([w]), np.array([u]), np.ones(1)


def _extremal_quadratic(bound: Bound, p: dict):
    """Quadratic tasks sharing the Hessian diag(sign L, sign L/2, ...), every gradient along e_1.

    With sign = -1: the equality cases of (44) (w - u along the eigenvalue -L), (46) and
    Lemma 4.8 at alpha L = 1 (||E (I - alpha A)^2 A|| = L (1 + alpha L)^2 = 4L), and of (34) at the
    stationary point w = 0 with gradients +-1 (then grad F = 0 and E||grad F_i||^2 = (1 + alpha L)^4 sigma^2).
    With sign = +1: (30b) (w - u along the eigenvalue L), and (115) with one task (sigma = 0) at
    alpha L = 1/10, where the Neumann term is x/(1 - x) ||grad F||.  (30a) holds with equality for both.
    ``offset`` is the mean of the gradients' e_1 components (0: a stationary point of f and F).
    """
    d, n = int(p.get("d", 1)), int(p.get("n", 2))
    sign = float(p.get("sign", -1.0))
    if sign not in (-1.0, 1.0):
        raise ParameterError("sign", f"the curvature's sign must be +1 or -1 (eigenvalue +-L), got {sign!r}")
    A = np.diag(sign * _EXTREMAL_L * np.r_[1.0, np.full(d - 1, 0.5)])
    b = np.zeros((n, d))
    b[:, 0] = float(p.get("offset", 0.0)) + (np.linspace(1.0, -1.0, n) if n > 1 else 0.0)
    fam = QuadraticFamily(np.repeat(A[None], n, axis=0), b)
    w = _fraction(p, "scale", 0.0) * _unit(d)
    return fam, w, w + (0.05 + _fraction(p, "distance", 0.5)) * _unit(d), _unit(d)


def _extremal_neumann(bound: Bound, p: dict):
    """(115): two equally likely tasks of curvature +L and -L in d = 1, at the stationary point w = 0 of F.

    grad F_i(0) = (1 - alpha lambda_i)^2 b_i, so b = ((1 + x)^2, -(1 - x)^2), x = alpha L, makes grad F(0) = 0.
    The Neumann term ((I - alpha H_i)^{-1} - I) grad F_i = alpha H_i grad f_i(w_i') averages to x (1 - x^2),
    the task-gradient spread at 0 is 1 + x^2, so against 2 alpha L sigma the ratio is
    (1 - x^2) / (2 (1 + x^2)) (less by sigma's growth over the certified ball), which tends to 1/2 as x -> 0.
    """
    L = _EXTREMAL_L
    x = alpha_for(bound, _fraction(p, "alpha_frac", 0.01), L) * L
    A = np.array([[[L]], [[-L]]])
    b = np.array([[(1 + x) ** 2], [-(1 - x) ** 2]])
    fam = QuadraticFamily(A, b)
    w = np.zeros(1)
    return fam, w, w + 1.0, np.ones(1)


def _extremal_hessian_noise(bound: Bound, p: dict):
    """(86): curvature -L (||I - alpha H|| = 1 + alpha L) at alpha L = 1/6, two-point Hessian noise at the batch edge.

    sigma_H is set so that 2 alpha^2 sigma_H^2 is 1 (as the registry reads the floats, not above),
    and D_h = ceil(2 alpha^2 sigma_H^2) = 1: the left side is (1 + alpha L)^2 + 1/2 = 67/36.
    """
    d = int(p.get("d", 1))
    L = _EXTREMAL_L
    alpha = alpha_for(bound, _fraction(p, "alpha_frac", 1.0), L)
    sigma_H = 1.0 / (alpha * math.sqrt(2.0))
    for _ in range(64):
        # the registry decides D_h >= ceil(2 alpha^2 sigma_H^2) with each float read as written
        if smallest_admitted(bound, "D_h", dict(alpha=alpha, sigma_H=sigma_H, L=L)) <= 1:
            break
        sigma_H = float(np.nextafter(sigma_H, 0.0))
    base = QuadraticFamily(np.repeat(-L * np.eye(d)[None], 2, axis=0), np.array([_unit(d), -_unit(d)]))
    fam = NoisyFamily(base, 0.0, sigma_H, distribution="two_point")
    w = _fraction(p, "scale", 0.0) * _unit(d)
    return fam, w, w + _unit(d), _unit(d)


def _extremal_noisy_quadratic(bound: Bound, p: dict):
    """(62), (63), (65), (70), (71): ``_extremal_quadratic``'s tasks with two-point noise sigma~ = 1 along e_1.

    The curvature is sign L along e_1, the noise direction, so grad f_i(u - alpha xi) - grad f_i(u) = -alpha A xi
    has norm alpha L ||xi|| for every outcome ((62), (65), (70) equalities), and one sample's variance is
    sigma~^2 exactly ((65), (71); (63) with D_in = 1).  ``gradient_noise`` (default 1) sets sigma~ ((50): 0, exact oracles).  ``hessian_noise`` sets a two-point Hessian noise
    sigma_H (signs ``coupling`` to the gradient's): one fixed matrix e_1 e_1', so (68) holds with equality.
    """
    base, w, u, v = _extremal_quadratic(bound, p)
    fam = NoisyFamily(base, float(p.get("gradient_noise", 1.0)), float(p.get("hessian_noise", 0.0)), distribution="two_point",
                      coupling=str(p.get("coupling", "independent")))
    return fam, w, u, v


def _extremal_noisy_kink(bound: Bound, p: dict):
    """(62)'s first inequality and (64): a 1-d task with a smoothed gradient kink at its inner point u, two-point noise.

    f'(u + t) = c + L h_eps(t) (verify/model/families/kinked.py, eps = alpha sigma~/4, f''(w) = +L), so every
    outcome moves the gradient by L h_eps(alpha xi) >= 0 (Jensen's step of (62) an equality), and with D_in = 1 by
    b = L h_eps(alpha sigma~) for both signs; c = b makes (64)'s Young step an equality at phi = c/b = 1.  It needs
    alpha L in [1/4, 1) (w beyond eps of the kink): elsewhere the configuration is refused.
    """
    L, sigma_t = _EXTREMAL_L, 1.0
    alpha = alpha_for(bound, _fraction(p, "alpha_frac", 0.5), L)
    eps = alpha * sigma_t / 4
    c = float(L * smoothed_abs(alpha * sigma_t, eps))
    base, w = KinkedGradientFamily.at_inner_kink(L, eps, alpha, side=1, inner_gradient=c)
    fam = NoisyFamily(base, sigma_t, 0.0, distribution="two_point")
    return fam, w, w + 1.0, np.ones(1)


def _extremal_diagonal_regression(bound: Bound, p: dict):
    """(68): one least-squares task with samples 2 e_1, sqrt(2) e_2, sqrt(5) e_2, sqrt(5) e_2 (y = 0).

    Its sample Hessians x x' are diagonal, so their noise N = x x' - A (diag(3, -3), diag(-1, -1), diag(-1, 2)
    twice) has spectral norms (3, 1, 2, 2): E||N||^2 = 9/2 = sigma_H^2, while a batch of two has E||mean||^2 = 21/8,
    7/6 of sigma_H^2/2 (bounds/theorem_4_11/displays.py).
    """
    X = np.array([[2.0, 0.0], [0.0, math.sqrt(2.0)], [0.0, math.sqrt(5.0)], [0.0, math.sqrt(5.0)]])
    fam = RegressionFamily(X[None], np.zeros((1, 4)), Domain.ball(3.0))
    w = _fraction(p, "scale", 0.0) * _unit(2)
    return fam, w, w + _unit(2), _unit(2)


EXTREMAL_BUILDERS: dict[str, Callable] = {
    "kink": _extremal_kink,
    "ramp": _extremal_ramp,
    "quadratic": _extremal_quadratic,
    "neumann": _extremal_neumann,
    "hessian_noise": _extremal_hessian_noise,
    "noisy_quadratic": _extremal_noisy_quadratic,
    "noisy_kink": _extremal_noisy_kink,
    "diagonal_regression": _extremal_diagonal_regression,
}

# alpha L at which (34)'s equality configuration makes (1 + alpha L)^2 / (2 C2^2 + 1) largest
# (derived in bounds/lemma_a_3/statement.py).
_X_34 = float(X_STAR_34)

# Appendices D-E's equality cases: a kink of the gradient at the inner point (alpha L = 1/2), and curvature -L
# along the two-point noise (alpha L = 1), with phi = 1 and D_o = 1.
_NOISY_KINK = dict(extremal="noisy_kink", alpha_frac=0.5, scale=0.5, distance=0.5, spread=0.5, stationary=0.0)
_NOISY_QUADRATIC = dict(extremal="noisy_quadratic", d=2, n=2, sign=-1.0, offset=0.3, alpha_frac=1.0, scale=0.5,
                        distance=0.5, spread=0.5, stationary=0.0)

# The extremal instances of each check: (case id) -> parameter sets.  They join the drawn
# instances in ``pytest verify`` and are what the extremal runners judge.
EXTREMAL: dict[str, list[dict]] = {
    "eq_9_finite_difference_hvp@ridge": [
        dict(extremal="kink", d=1, n=1, kink=0.0, delta_frac=1.0, scale=0.5, alpha_frac=0.5, spread=0.5),
        dict(extremal="kink", d=3, n=1, kink=0.0, delta_frac=0.5, scale=0.2, alpha_frac=0.5, spread=0.5),
    ],
    # (134), (136): the kink of (9) with v = grad f(w - alpha grad f(w)) = (1 - rho alpha^2 / 2) e_1 across it, and
    # alpha L = 1/6, where the step delta_k^i ||v|| = 1/(6 rho alpha) of (135) is L / rho, the kink's reach.
    "eq_134_fd_remainder@ridge": [
        dict(extremal="kink", d=1, n=1, kink=0.0, offset=1.0, delta_frac=1.0, scale=0.45, alpha_frac=1.0, spread=0.5),
    ],
    "eq_136_fd_remainder_delta_rule@ridge": [
        dict(extremal="kink", d=1, n=1, kink=0.0, offset=1.0, scale=0.5, alpha_frac=1.0, spread=0.5),
        dict(extremal="kink", d=3, n=1, kink=0.0, offset=1.0, scale=0.5, alpha_frac=1.0, spread=0.5),
    ],
    "eq_30a_hessian_bounded@quadratic-indefinite": [
        dict(extremal="quadratic", d=2, n=2, sign=-1.0, offset=0.3, scale=0.5, distance=0.5, spread=0.5),
    ],
    "eq_30b_descent_lemma@quadratic-positive-definite": [
        dict(extremal="quadratic", d=2, n=2, sign=1.0, offset=0.3, scale=0.5, distance=0.5, spread=0.5),
    ],
    "eq_44_inner_step_lipschitz@quadratic-concave-shared": [
        dict(extremal="quadratic", d=2, n=2, sign=-1.0, offset=0.3, alpha_frac=1.0, scale=0.5, distance=0.5,
             spread=0.5),
    ],
    "eq_46_inner_step_gradient_growth@quadratic-concave-shared": [
        dict(extremal="quadratic", d=2, n=2, sign=-1.0, offset=0.3, alpha_frac=1.0, scale=0.5, spread=0.5),
    ],
    "lemma_4_8@quadratic-concave-shared": [
        dict(extremal="quadratic", d=2, n=2, sign=-1.0, offset=0.3, alpha_frac=1.0, scale=0.5, distance=0.5,
             spread=0.5),
    ],
    "corollary_a_1@ridge": [
        dict(extremal="ramp", kink=0.0, distance=1.0, gradient=1.0, alpha_frac=1.0, scale=0.5, spread=0.5),
    ],
    "corollary_a_1@quadratic-positive-definite": [
        dict(extremal="quadratic", d=1, n=2, sign=1.0, offset=0.3, alpha_frac=0.0, scale=0.5, distance=0.5,
             spread=0.5),
    ],
    "lemma_a_3_gradient_of_f@quadratic-concave-shared": [
        dict(extremal="quadratic", d=2, n=2, sign=-1.0, offset=0.3, alpha_frac=0.0, scale=0.5, spread=0.5,
             stationary=0.0),
    ],
    "lemma_a_3_task_gradient_second_moment@quadratic-concave-shared": [
        dict(extremal="quadratic", d=1, n=2, sign=-1.0, offset=0.0, alpha_frac=_X_34 / (math.sqrt(2) - 1),
             scale=0.0, spread=0.5, stationary=0.0),
    ],
    # (34) corrected: equality at alpha = 0 at a stationary point of f (bounds/lemma_a_3/corrected.py).
    "lemma_a_3_task_gradient_second_moment_corrected@quadratic-concave-shared": [
        dict(extremal="quadratic", d=1, n=2, sign=-1.0, offset=0.0, alpha_frac=0.0, scale=0.0, spread=0.5,
             stationary=0.0),
    ],
    # (38): alpha = 0, where the second term vanishes and grad F = grad f. (39): one task, its gradient along the
    # top singular vector of I - A_i(w) A_i(w~_i), at alpha L near the end of Lemma A.3's range. (41): two tasks with
    # gradients +-e_1 about their mean (sigma exact). (42)-(43), (45): curvature -L along w - u (bounds/lemma_4_8/displays.py).
    # (32), Theorem A.2: X constant (one task) for the left inequality; X two-point on {0, 2} (gradients 2 e_1 and 0 at
    # w = 0) for the right one (bounds/theorem_a_2/statement.py).
    "theorem_a_2_lower@quadratic-concave-shared": [
        dict(extremal="quadratic", d=2, n=1, sign=-1.0, offset=1.0, scale=0.0, distance=0.5, spread=0.5, delta_frac=1.0),
    ],
    "theorem_a_2_upper@quadratic-concave-shared": [
        dict(extremal="quadratic", d=2, n=2, sign=-1.0, offset=1.0, scale=0.0, distance=0.5, spread=0.5,
             delta_frac=1 / 3),
    ],
    "eq_38_triangle_inequality@quadratic-concave-shared": [
        dict(extremal="quadratic", d=2, n=2, sign=-1.0, offset=0.3, alpha_frac=0.0, scale=0.5, spread=0.5,
             stationary=0.0),
    ],
    "eq_39_jensen_operator_norm@quadratic-concave-shared": [
        dict(extremal="quadratic", d=2, n=1, sign=-1.0, offset=1.0, alpha_frac=0.99, scale=0.5, spread=0.5,
             stationary=0.0),
    ],
    "eq_41_task_gradient_spread@quadratic-concave-shared": [
        dict(extremal="quadratic", d=2, n=2, sign=-1.0, offset=0.0, alpha_frac=0.5, scale=0.5, spread=0.5),
    ],
    "eq_42_43_meta_gradient_split@quadratic-concave-shared": [
        dict(extremal="quadratic", d=2, n=2, sign=-1.0, offset=0.3, alpha_frac=1.0, scale=0.5, distance=0.5,
             spread=0.5),
    ],
    "eq_45_hessian_gradient_product_lipschitz@quadratic-concave-shared": [
        dict(extremal="quadratic", d=2, n=2, sign=-1.0, offset=0.3, alpha_frac=1.0, scale=0.5, distance=0.5,
             spread=0.5),
    ],
    "eq_86_hessian_factor_at_most_2@noisy-quadratic-concave": [
        dict(extremal="hessian_noise", d=1, alpha_frac=1.0, scale=0.5, distance=0.0, spread=0.5),
        dict(extremal="hessian_noise", d=3, alpha_frac=1.0, scale=0.2, distance=0.0, spread=0.5),
    ],
    # (94): rho = 0, where both sides are ||grad F||^2/(4L) (bounds/theorem_f_1/displays.py).
    "eq_94_decrease_by_grad_f@quadratic-positive-definite": [
        dict(extremal="quadratic", d=2, n=2, sign=1.0, offset=0.3, alpha_frac=1.0, scale=0.5, spread=0.5,
             stationary=0.0),
    ],
    "eq_115_neumann_term@quadratic-positive-definite": [
        dict(extremal="quadratic", d=2, n=1, sign=1.0, offset=1.0, alpha_frac=1.0, scale=0.0, spread=0.5,
             stationary=0.0),
    ],
    "eq_115_neumann_term@quadratic-indefinite": [
        dict(extremal="neumann", alpha_frac=0.01, scale=0.5, spread=0.5, stationary=0.0),
    ],
    # Appendices D-E: delta_frac 0 is the batch size 1, 1/3 is 2; distance 1/2 is phi = 1.
    "eq_62_bias_by_mean_gradient_change@two-point-noise": [
        dict(_NOISY_KINK, delta_frac=0.0), dict(_NOISY_KINK, delta_frac=1 / 3),
    ],
    "eq_62_inner_step_lipschitz@two-point-noise": [dict(_NOISY_QUADRATIC, delta_frac=1 / 3)],
    # Lemma 4.9's (48): two-point noise of norm sigma~ (D_beta = 2); (49) right: one task stationary at w = 0 with
    # D_beta = 1; (49) left: one task with ||grad f_j(w)|| = 100 sigma~, D_beta = 1 (bounds/lemma_4_9/displays.py).
    "eq_48_stepsize_batch_variance@two-point-noise": [dict(_NOISY_QUADRATIC, delta_frac=1 / 3)],
    # (50): X two-point on {0, 2 rho alpha ||grad f_2||}: two tasks without gradient noise, one stationary at w = 0.
    "eq_50_wooff_second_moment@two-point-noise": [dict(_NOISY_QUADRATIC, offset=1.0, scale=0.0, delta_frac=0.0,
                                                       gradient_noise=0.0, rho=1.0)],
    "eq_49_stepsize_batch_gradient_upper@two-point-noise": [dict(_NOISY_QUADRATIC, n=1, offset=0.0, scale=0.0,
                                                                 delta_frac=0.0)],
    "eq_49_stepsize_batch_gradient_lower@two-point-noise": [dict(_NOISY_QUADRATIC, n=1, offset=100.0, scale=0.0,
                                                                 delta_frac=0.0)],
    "eq_63_inner_noise_mean_norm@two-point-noise": [dict(_NOISY_QUADRATIC, delta_frac=0.0)],
    "eq_64_young_inequality@two-point-noise": [dict(_NOISY_KINK, delta_frac=0.0)],
    "eq_65_second_moment_by_lipschitz@two-point-noise": [dict(_NOISY_QUADRATIC, delta_frac=1 / 3)],
    "eq_68_hessian_error_second_moment@regression": [
        dict(extremal="diagonal_regression", alpha_frac=0.5, delta_frac=1 / 3, scale=0.5, distance=0.5, spread=0.5),
    ],
    # (138) corrected: every step an equality as alpha -> 0 at a stationary point of f whose two tasks have
    # gradients +-b (sigma exact) (bounds/theorem_h_1/corrected.py).
    "eq_138_task_gradients_by_grad_f_corrected@quadratic-indefinite": [
        dict(extremal="quadratic", d=1, n=2, sign=1.0, offset=0.0, alpha_frac=1e-6, scale=0.0, spread=0.5,
             stationary=0.0),
    ],
    # (68) corrected: equality at D_test = 1 (delta_frac = 0), the noise of constant norm (bounds/theorem_4_11/corrected.py).
    "eq_68_hessian_error_second_moment_corrected@two-point-noise": [
        dict(_NOISY_QUADRATIC, delta_frac=0.0, hessian_noise=2.0, coupling="same"),
    ],
    "eq_68_hessian_error_second_moment@two-point-noise": [
        dict(_NOISY_QUADRATIC, delta_frac=1 / 3, hessian_noise=2.0, coupling="same"),
    ],
    "eq_70_gradient_error_lipschitz@two-point-noise": [dict(_NOISY_QUADRATIC, delta_frac=1 / 3)],
    "eq_71_test_noise_second_moment@two-point-noise": [dict(_NOISY_QUADRATIC, delta_frac=1 / 3)],
}


def extremal_instances(case: Case, run_seed: int = 0) -> list[Instance]:
    """The case's extremal instances (none for most cases), seeded from the run's seed for the record.

    A corrected statement is also judged on the printed statement's extremal instances, where the
    printed one is tightest or fails.
    """
    printed = case.bound.corrects
    configurations = EXTREMAL.get(case.id, []) + (EXTREMAL.get(f"{printed}@{case.family}", []) if printed else [])
    return [Instance(case.id, int(np.random.SeedSequence([int(run_seed), 7919, k]).generate_state(1)[0]), dict(p))
            for k, p in enumerate(configurations)]


# ---------------------------------------------------------------------- judging one instance
def judge(bound: Bound, trial: Trial) -> Outcome:
    """The Bound's verdict on one trial: ratio, margin beyond rounding, worst element."""
    if not all(finite(v) for v in trial.values.values()):
        return Outcome("invalid", note="a quantity is not finite", trial=trial)
    if bound.is_matrix:  # an identity of Appendix I: its residual is compared with 0
        if not bound.admits({k: v for k, v in trial.values.items() if k != "residual"}):
            return Outcome("precondition_failed", note="Appendix I hypotheses", trial=trial)
        lhs, rhs = np.broadcast_arrays(np.asarray(trial.values["residual"]), np.zeros(1))
    else:
        # Both sides with the hypotheses decided once (lhs_value and rhs_value would decide them again each).
        try:
            lhs, rhs = bound.sides(trial.values, trial.weights)
        except PreconditionFailed as exc:
            return Outcome("precondition_failed", note="; ".join(p.name for p in exc.failed), trial=trial)
        lhs, rhs = np.broadcast_arrays(np.asarray(lhs, dtype=float), np.asarray(rhs, dtype=float))
    if bound.relation is Relation.GE:
        margin = rhs - lhs
        ratio = np.where(lhs > 0, rhs / np.where(lhs > 0, lhs, 1), np.inf)
    else:
        margin = lhs - rhs
        if bound.relation is Relation.EQ:
            margin = np.abs(lhs - rhs)
        with np.errstate(divide="ignore", invalid="ignore"):
            # Where the right side is 0 (an identity, or rho = 0), the ratio is taken
            # against the rounding allowance: below it the statement held.
            denom = np.where(rhs > 0, rhs, trial.slack)
            ratio = np.where(denom > 0, lhs / np.where(denom > 0, denom, 1), 0.0)
            if bound.relation is Relation.EQ:
                ratio = margin / max(trial.slack, np.finfo(float).tiny)
    k = int(np.argmax(margin - trial.slack))
    return Outcome("evaluated", float(np.ravel(ratio)[k]), float(np.ravel(lhs)[k]), float(np.ravel(rhs)[k]),
                   float(np.ravel(margin)[k]), float(trial.slack), trial)


def confirm_precisely(bound: Bound, outcome: Outcome) -> bool:
    """Re-evaluate both sides in PRECISE_DIGITS-digit arithmetic from the same quantities.

    The harness's float64 evaluation of the registry expression cannot be what makes a
    violation: the margin must survive the exact formula, and exceed CONFIRM_FACTOR
    rounding allowances of the quantities themselves.
    """
    if outcome.margin <= CONFIRM_FACTOR * outcome.slack:
        return False
    if bound.is_matrix:
        return True
    trial = outcome.trial
    with mpmath.workdps(PRECISE_DIGITS):
        values = {}
        for name, v in trial.values.items():
            arr = np.asarray(v, dtype=float)
            values[name] = arr
        lhs = _precise(bound.lhs_expanded, values, trial.weights)
        rhs = _precise(bound.rhs_expanded, values, trial.weights)
        if len(lhs) == 1:
            lhs = lhs * len(rhs)
        if len(rhs) == 1:
            rhs = rhs * len(lhs)
        margin = [(r - l) if bound.relation is Relation.GE else (l - r) for l, r in zip(lhs, rhs)]
        if bound.relation is Relation.EQ:
            margin = [abs(m) for m in margin]
        return max(margin) > CONFIRM_FACTOR * outcome.slack


def _precise(expr, values: dict, weights) -> list:
    """expr at every instance element, in mpmath at the working precision (TaskMean summed explicitly)."""
    per_task = {n for n in values if n in symbols.TABLE and symbols.TABLE[n].role == "per_task"}
    sizes = [np.size(values[n]) for n in values if n not in per_task]
    n_el = max(sizes + [1])
    n_tasks = max([np.shape(values[n])[-1] for n in per_task] + [1])
    w = np.full(n_tasks, 1.0 / n_tasks) if weights is None else np.asarray(weights, dtype=float)

    def at(name, k, i=None):
        arr = np.atleast_1d(values[name])
        if name in per_task:
            return mpmath.mpf(float(arr[..., i if i is not None else 0].ravel()[0] if arr.ndim > 1 else arr[i]))
        return mpmath.mpf(float(arr.ravel()[k % arr.size]))

    out = []
    task_means = list(expr.atoms(TaskMean))
    outside = expr.xreplace({tm: sp.Dummy() for tm in task_means}).free_symbols
    loop_tasks = any(s.name in per_task for s in outside)
    for k in range(n_el):
        for i in (range(n_tasks) if loop_tasks else [None]):
            sub = {}
            for tm in task_means:
                total = mpmath.mpf(0)
                for j in range(n_tasks):
                    inner = {s: sp.Float(at(s.name, k, j), PRECISE_DIGITS) for s in tm.args[0].free_symbols}
                    total += mpmath.mpf(w[j]) * mpmath.mpf(str(sp.N(tm.args[0].xreplace(inner), PRECISE_DIGITS)))
                sub[tm] = sp.Float(total, PRECISE_DIGITS)
            e = expr.xreplace(sub)
            point = {s: sp.Float(at(s.name, k, i), PRECISE_DIGITS) for s in e.free_symbols}
            out.append(mpmath.mpf(str(sp.N(e.xreplace(point), PRECISE_DIGITS))))
    return out


def _ratio_is_rounding_noise(bound: Bound, out: Outcome) -> bool:
    """An inequality's ratio at sides too small against the rounding allowance to be taken as the worst.

    A ratio counts where a plumbing control placed at half of it (``falsified``) would be confirmed
    there: both sides beyond 2 CONFIRM_FACTOR allowances, where rounding moves the ratio by under 1%.
    Below that it is noise: (70) on regression at alpha L = 2e-16 gave lhs 8.7e-33 against rhs 3.3e-33
    (allowance 1.6e-12), a ratio of 2.6, and (71) at lhs 3.1e-12 against rhs 3.1e-12 (allowance 5.7e-13)
    a ratio of 0.998; taken as the worst, each placed the control where no instance could catch it.
    An identity's ratio, and an inequality's whose right side is 0, are taken against the allowance
    (``judge``) and stay meaningful.
    """
    if bound.is_matrix or bound.relation is Relation.EQ:
        return False
    return 0.0 < abs(out.rhs) and max(abs(out.lhs), abs(out.rhs)) <= RESOLVED_FACTOR * out.slack


def evaluate_instance(case: Case, instance: Instance, bound: Bound | None = None) -> Outcome:
    """Build the instance, compute the Bound's inputs, judge them (against a falsified Bound if given)."""

    bound = bound or case.bound
    try:
        trial = case.compute(build_setup(case, instance))
    except (ParameterError, np.linalg.LinAlgError, ValueError, ZeroDivisionError) as exc:
        return Outcome("invalid", note=f"{type(exc).__name__}: {exc}")
    return judge(bound, trial)


# ---------------------------------------------------------------------- a whole check
@dataclass
class CheckResult:
    case: Case
    bound: Bound
    verdict: Verdict
    tried: int = 0
    admitted: int = 0
    worst: Outcome | None = None
    worst_instance: Instance | None = None
    ratios: list = field(default_factory=list)
    violations: list = field(default_factory=list)  # (Instance, Outcome), confirmed
    candidates: int = 0
    invalid: list = field(default_factory=list)


def run_check(case: Case, instances: list[Instance], bound: Bound | None = None, *,
              search_starts: int = 2, search_evaluations: int = 30,
              stop_at_violation: bool = False) -> CheckResult:
    """Evaluate the instances, hunt for the worst one from the best starts, and reach a verdict.

    Candidate violations (beyond rounding) are confirmed in decreasing order of ratio
    until one is confirmed: the verdict needs one, the report shows the largest.
    ``stop_at_violation`` ends the search at the first confirmed violation (negative controls).
    """
    bound = bound or case.bound
    result = CheckResult(case, bound, Verdict.PRECONDITION_FAILED)
    scored: list[tuple[float, Instance]] = []
    candidates: list[tuple[Instance, Outcome]] = []

    class _Found(Exception):
        pass

    def consider(inst: Instance) -> float:
        out = evaluate_instance(case, inst, bound)
        result.tried += 1
        if out.status == "invalid":
            result.invalid.append((inst, out.note))
            return -math.inf
        if out.status != "evaluated":
            return -math.inf
        result.admitted += 1
        result.ratios.append(out.ratio)
        if not _ratio_is_rounding_noise(bound, out) and (result.worst is None or out.ratio > result.worst.ratio):
            result.worst, result.worst_instance = out, inst
        if out.margin > out.slack:
            candidates.append((inst, out))
            if stop_at_violation and confirm_precisely(bound, out):
                result.violations.append((inst, out))
                raise _Found
        return out.ratio if np.isfinite(out.ratio) else 1e300

    try:
        for inst in instances:
            scored.append((consider(inst), inst))
        # Adversarial search: Nelder-Mead on the continuous parameters (kept in [0, 1]) from
        # the worst starts, with the seed held fixed so that the discrete draw stays the same.
        scored.sort(key=lambda t: -t[0] if np.isfinite(t[0]) else math.inf)
        for _, start in [t for t in scored if np.isfinite(t[0])][:search_starts]:
            names = [n for n in case.continuous if n in start.params]
            x0 = np.array([float(start.params[n]) for n in names])

            def objective(x, start=start, names=names):
                params = {**start.params, **{n: float(np.clip(v, 0.0, 1.0)) for n, v in zip(names, x)}}
                r = consider(Instance(start.check, start.seed, params))
                return -r if np.isfinite(r) else 1e300

            if names:
                optimize.minimize(objective, x0, method="Nelder-Mead",
                                  options={"maxfev": search_evaluations, "initial_simplex": _simplex(x0)})
    except _Found:
        pass
    result.candidates = len(candidates)
    if not result.violations:
        # The largest ratio first: the report's worst ratio is then the largest confirmed one,
        # the figure the tightness record and the gate read.
        for inst, out in sorted(candidates, key=lambda t: -t[1].ratio):
            if confirm_precisely(bound, out):
                result.violations.append((inst, out))
                break
    if result.violations:
        result.verdict = Verdict.VIOLATED
        inst, out = result.violations[0]
        result.worst, result.worst_instance = out, inst
    elif result.candidates:
        result.verdict = Verdict.INCONCLUSIVE
    elif result.admitted:
        result.verdict = Verdict.HOLDS
    return result


# ---------------------------------------------------------------------- extremal runners
# For each Bound, the check whose extremal instances come closest to its supremum (the
# other extremal instances, e.g. Corollary A.1's quadratic one at alpha = 0, still join
# ``pytest verify``).
RUNNER_CASES = {
    "eq_9_finite_difference_hvp": "eq_9_finite_difference_hvp@ridge",
    "eq_30a_hessian_bounded": "eq_30a_hessian_bounded@quadratic-indefinite",
    "eq_30b_descent_lemma": "eq_30b_descent_lemma@quadratic-positive-definite",
    "eq_44_inner_step_lipschitz": "eq_44_inner_step_lipschitz@quadratic-concave-shared",
    "eq_46_inner_step_gradient_growth": "eq_46_inner_step_gradient_growth@quadratic-concave-shared",
    "lemma_4_8": "lemma_4_8@quadratic-concave-shared",
    "corollary_a_1": "corollary_a_1@ridge",
    "lemma_a_3_gradient_of_f": "lemma_a_3_gradient_of_f@quadratic-concave-shared",
    "lemma_a_3_task_gradient_second_moment": "lemma_a_3_task_gradient_second_moment@quadratic-concave-shared",
    "eq_86_hessian_factor_at_most_2": "eq_86_hessian_factor_at_most_2@noisy-quadratic-concave",
    "eq_115_neumann_term": "eq_115_neumann_term@quadratic-positive-definite",
    "eq_94_decrease_by_grad_f": "eq_94_decrease_by_grad_f@quadratic-positive-definite",
    "lemma_a_3_task_gradient_second_moment_corrected":
        "lemma_a_3_task_gradient_second_moment_corrected@quadratic-concave-shared",
    "eq_50_wooff_second_moment": "eq_50_wooff_second_moment@two-point-noise",
    "eq_48_stepsize_batch_variance": "eq_48_stepsize_batch_variance@two-point-noise",
    "eq_49_stepsize_batch_gradient_upper": "eq_49_stepsize_batch_gradient_upper@two-point-noise",
    "eq_49_stepsize_batch_gradient_lower": "eq_49_stepsize_batch_gradient_lower@two-point-noise",
    "eq_62_bias_by_mean_gradient_change": "eq_62_bias_by_mean_gradient_change@two-point-noise",
    "eq_62_inner_step_lipschitz": "eq_62_inner_step_lipschitz@two-point-noise",
    "eq_63_inner_noise_mean_norm": "eq_63_inner_noise_mean_norm@two-point-noise",
    "eq_64_young_inequality": "eq_64_young_inequality@two-point-noise",
    "eq_65_second_moment_by_lipschitz": "eq_65_second_moment_by_lipschitz@two-point-noise",
    "eq_68_hessian_error_second_moment": "eq_68_hessian_error_second_moment@regression",
    "eq_68_hessian_error_second_moment_corrected": "eq_68_hessian_error_second_moment_corrected@two-point-noise",
    "eq_138_task_gradients_by_grad_f_corrected": "eq_138_task_gradients_by_grad_f_corrected@quadratic-indefinite",
    "eq_70_gradient_error_lipschitz": "eq_70_gradient_error_lipschitz@two-point-noise",
    "eq_71_test_noise_second_moment": "eq_71_test_noise_second_moment@two-point-noise",
    "theorem_a_2_lower": "theorem_a_2_lower@quadratic-concave-shared",
    "theorem_a_2_upper": "theorem_a_2_upper@quadratic-concave-shared",
    "eq_38_triangle_inequality": "eq_38_triangle_inequality@quadratic-concave-shared",
    "eq_39_jensen_operator_norm": "eq_39_jensen_operator_norm@quadratic-concave-shared",
    "eq_41_task_gradient_spread": "eq_41_task_gradient_spread@quadratic-concave-shared",
    "eq_42_43_meta_gradient_split": "eq_42_43_meta_gradient_split@quadratic-concave-shared",
    "eq_45_hessian_gradient_product_lipschitz": "eq_45_hessian_gradient_product_lipschitz@quadratic-concave-shared",
    "eq_134_fd_remainder": "eq_134_fd_remainder@ridge",
    "eq_136_fd_remainder_delta_rule": "eq_136_fd_remainder_delta_rule@ridge",
}


def is_power_case(case: Case) -> bool:
    """True for the check that holds its Bound's extremal instances: its negative control is the power control.

    There the right side times 9/10 of the declared supremum (a false statement) must be
    caught.  On the other families, which guard against equality cases nobody thought of, the
    worst ratio can stay far below the supremum (quadratics reach 1/4 in Corollary A.1); their
    control is placed below the worst ratio found and tests the plumbing only.
    """
    return RUNNER_CASES.get(case.bound_id) == case.id


def run_extremal(case_id: str, bound: Bound) -> ExtremalRun:
    """The check ``case_id`` on its extremal instances only (run seed 0, no search), judged against ``bound``."""
    case = CASES_BY_ID[case_id]
    result = run_check(case, extremal_instances(case), bound, search_starts=0)
    worst = result.worst.ratio if result.worst is not None else float("nan")
    note = (f"{result.admitted} of {result.tried} extremal instances admitted"
            + (f"; worst {result.worst_instance.to_json()}" if result.worst_instance is not None else ""))
    return ExtremalRun(case_id, result.verdict, worst, note)


def _register_runner(bound_id: str, case_id: str) -> None:
    @extremal_runner(bound_id)
    def run(bound: Bound) -> ExtremalRun:
        return run_extremal(case_id, bound)

    run.__name__ = f"extremal_{bound_id}"


for _bound_id, _case_id in RUNNER_CASES.items():
    _register_runner(_bound_id, _case_id)


def _simplex(x0: np.ndarray) -> np.ndarray:
    pts = [x0]
    for i in range(len(x0)):
        x = x0.copy()
        x[i] = x[i] + 0.25 if x[i] < 0.75 else x[i] - 0.25
        pts.append(x)
    return np.array(pts)


def falsified(bound: Bound, worst_ratio: float | None, *, power: bool = True) -> tuple[Bound, str]:
    """The negative control: the Bound with its constant made smaller, so that the statement is false.

    Where the registry declares the Bound's sharpness, the right side is multiplied by
    the fixed ``control_factor`` (9/10 of the derived supremum of lhs/rhs, or of the
    ratio a named extremal instance attains): that statement is false over the
    hypothesis class, whatever this run's search found, and catching it measures the
    check's power.  Otherwise (no sharpness declared yet) the constant is placed below the
    worst ratio r found (f = r/2; for >= the side is divided by r/2): that control tests
    the plumbing only, and its note says so.  ``power=False`` asks for that plumbing control
    also where a sharpness is declared: for a family that cannot come near the supremum,
    whose check is not the one that carries the Bound's power.
    """
    sharp = bound.sharpness if power else None
    factor = None if sharp is None else sharp.control_factor
    if factor is not None:
        f = float(factor)
        basis = (f"{float(sharp.reference_ratio):.4g}, the "
                 + ("supremum of lhs/rhs" if sharp.status.value == "derived" else "ratio the extremal instance attains"))
        if bound.relation is Relation.LE:
            return (dataclasses.replace(bound, rhs=bound.rhs * factor),
                    f"right-hand side multiplied by {f:.4g} (9/10 of {basis}: a false statement)")
        if bound.relation is Relation.GE:
            return (dataclasses.replace(bound, rhs=bound.rhs / factor),
                    f"right-hand side divided by {f:.4g} (9/10 of {basis}: a false statement)")
    r = worst_ratio if worst_ratio is not None and np.isfinite(worst_ratio) and worst_ratio != 0 else 1.0
    f = 0.5 * r if r > 0 else 2.0 * r
    plumbing = " (placed relative to the worst ratio found: tests the plumbing, not the power)"
    if bound.relation is Relation.LE:
        return dataclasses.replace(bound, rhs=bound.rhs * f), f"right-hand side multiplied by {f:.4g}{plumbing}"
    if bound.relation is Relation.GE:
        f = 0.5 * abs(r)
        return dataclasses.replace(bound, rhs=bound.rhs / f), f"right-hand side divided by {f:.4g}{plumbing}"
    raise ValueError(f"{bound.id}: an identity's negative control is a wrong formula (Case.control)")
