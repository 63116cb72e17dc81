"""Table 1's accuracy, iteration, sample and K-shot columns: O(.) claims checked as growth exponents.

Twelve registry Bounds of kind SCALING (``bounds/table_1/statement.py``), ``lhs = O(rhs)`` in the
variable ``settings["in"]``: best accuracy O(eps) (MAML, HF-MAML) and O(alpha sigma)
(FO-MAML); iterations O(1/eps^2) and O(1/(alpha^2 sigma^2)); samples per iteration
O(1/eps^4) and O(1/(alpha^4 sigma^2)); K-shot accuracy O(sigma~/sqrt K) and
O(sigma + sigma~/sqrt K).  (The runtime column is verify/checks/test_table_1_cost.py's.)

What an O(.) claim means here.  ``Q = O(g(x))`` as x tends to its limit (eps -> 0,
alpha -> 0: small accuracies and small inner stepsizes; K -> infinity: many samples per
task) is an upper bound on how fast Q grows toward the limit relative to g.  It is
decided on the growth exponent: Q is measured at J log-spaced values x_j (exactly or
with a confidence interval per point), the log-log slope of Q over the grid is fitted by
ordinary least squares, and compared with the same fit of the claimed g over the same
grid (``claimed_slope``; for a power law it is the power itself, for sigma + sigma~/sqrt K
it is that function's own slope on the grid).  With the growth exponent
G = slope * (-1 if x -> 0 else +1) (larger = worse) and the claimed G_c:

  holds          the whole confidence interval of G lies at or below G_c + MARGIN;
  violated       the whole interval lies above G_c + MARGIN;
  inconclusive   otherwise.

MARGIN = 1/4 is half the smallest difference between two exponents that Table 1
distinguishes (K^{-1/2} against K^0): an O(x^p) claim is refuted only by data showing
the quantity growing toward the limit faster than x^(p - 1/4), which leaves room for
lower-order terms (integer batch sizes, factors 1 - alpha L) that bend a slope fitted over
a finite grid.  Exact quantities use EXACT_TOLERANCE (ceilings of batch sizes only).

The four columns and how each is measured (``COLUMNS``).  Family ``noisy-quadratic-pd``
(``build_family``): quadratic tasks with one shared positive-definite Hessian (eigenvalues
in [floor, 1], 1 attained, so L = 1), task dissimilarity sigma exactly as asked (the same
seed with another sigma gives the same tasks, dissimilarity scaled), plus Appendix J's
Gaussian gradient and Hessian noise sigma~ = sigma_H (``NoisyFamily``); Assumptions
4.3-4.6 hold on all of R^d with exact constants, rho = 0, min F exact.  Every batch size
and K_1, K_2 is read from the registry, never retyped:

* samples per iteration (exact, no runs, no error budget).  The registry's lhs,
  B (D_in + D_o + D_h) (FO-MAML draws no D_h), with every batch size the smallest that the
  corollary's hypotheses admit at each x (Corollaries 4.13, 4.16, H.2: B >= 20 and
  (25)/(27)/(151), the D_h rule, (18); D_o the smallest integer with B D_o above its
  threshold once B is fixed; ``edge_batches``), x over four decades toward the limit
  (batch sizes stay below 2^53, where the registry's floats decide exactly).  K_1 = K_2:
  the smallest value 4.13's and H.2's constant conditions admit (``smallest_equal_constants``);
  4.16 holds for every pair, so they are instance parameters.  The slope over the last
  decade decides, with EXACT_TOLERANCE.  FO-MAML also in sigma (its O(1/(alpha^4 sigma^2))).
* best accuracy (runs).  The registry's reading: the smallest E||grad F(w)|| reached when
  the batch sizes grow as in the corollaries (at their edge, as for the samples).  At each
  x, R independent runs (``Lockstep``: ``verify.model.algorithms.run``'s iteration, vectorised
  over runs) with the registry's stepsize beta_k = c beta~(w_k) and, for HF-MAML, delta = 1
  (rho = 0: (11) is exact for every delta, as in verify/checks/convergence.py), started at the
  fixed point of the algorithm's mean dynamics (w* of (156); FO-MAML: w_FO of (158)) so
  that no iteration is spent descending: E||grad F(w_k)|| rises to the level at which it
  settles, the best the algorithm reaches.  The level is the mean over runs of each run's
  mean of ||grad F(w_k)|| (exact, (6)) over a window after a burn-in, both in units of 1/r,
  r the slowest contraction rate of the mean dynamics (the stepsize times the smallest
  eigenvalue of their Jacobian, exact for quadratics; ``contraction_rate``): after 1/r the
  variance along the slowest direction is at 1 - e^-2 = 86% of its stationary value, and
  higher along the others.  MAML and HF-MAML: x = eps, with sigma small enough that B = 20
  meets (25)/(151) over the whole grid (Table 1 assumes sigma small, footnote 2), so the
  batch noise scales through D_in and D_o.  FO-MAML: x = alpha (B then grows like
  1/alpha^2), a second row with x = sigma at fixed alpha ("the floor grows with task
  variance"; on these tasks, whose Hessian is shared, FO-MAML's fixed point is w* and its
  floor is the batch noise alone), and a third, exact row (``fo_floor_experiment``, family
  FLOOR_FAMILY): tasks with their own Hessians, exact oracles (the limit of the
  corollary's batch sizes), where FO-MAML converges to w_FO (158) and its floor is
  ||grad F(w_FO)|| > 0, computed exactly over three decades of alpha.
* iterations (runs).  The registry's lhs: iterations needed to reach the accuracy the
  corollary guarantees (eps; FO-MAML: 4.16's explicit O(alpha sigma L)).  R runs from one
  start w0 with ||grad F(w0)|| = START_RATIO times the largest target (the same start for
  every x: the problem is fixed, only the target moves), advanced until the t upper bound
  on E||grad F(w_k)|| is below the target (``measure_passage``).  The count (105) of the
  registry's ``iteration_budget`` at that start is reported beside it.
* K-shot accuracy (runs).  "K-shot learning": D_in = D_o = D_h = K samples per task (D_h
  raised to the theorem's D_h rule if that asks more), B, B', D_beta the theorem's smallest
  (B = 20), sigma small so that sigma^2/B is well below sigma~^2/K on the grid; the level
  measured as for the best accuracy, with the theorem's (F.1, G.1, H.1) stepsize.

Common random numbers.  Where the points of a grid draw batches of the same shapes (B, B'
equal: all but FO-MAML in alpha), they run from one seed, so run r of every point sees the
same task draws and standard normals; the levels are then strongly correlated and the
slope's interval narrow, and ``fit_levels`` (paired) accounts for the correlation.

Confidence intervals, each charged to the ``table_1`` share of the run's error budget
(``verify.judge.statistics.budget_for``, Bonferroni over the run's intervals; the exact rows
spend none):

* levels (``fit_levels``): the OLS slope of the log means is, to first order, a linear
  combination of the per-point relative errors (delta method).  Paired points: its
  standard error is that of Z_r = sum_j c_j Y[j, r] / mean_j over the R runs, t with R - 1
  degrees of freedom, whatever the correlation.  Independent points (FO-MAML in alpha):
  sum_j c_j^2 s_j^2 / (R_j mean_j^2), Welch-Satterthwaite degrees of freedom, and the runs
  go where they are cheap (B = 20 at the top of the grid gets most).  It rests on the
  central limit theorem over runs; tests/test_table_1_scaling_machinery.py measures its
  coverage on synthetic power laws (0.944-0.947 at nominal 0.95 with 16 runs of a skewed law).
* passage times (``fit_boxes``): per point, simultaneous bounds [k_lower, k_upper] on the
  first k with E||grad F(w_k)|| <= target (t bounds at every k up to the cap, Bonferroni
  over k and over the points); the slope interval is the smallest and largest OLS slope of
  log k over that box (its extreme corners): valid whenever every point's bounds hold.

Negative controls, each a falsified claim decided by the same ``decide`` on the same fit,
which must come out violated: accuracy and FO-MAML's exact floor, the claim with one more
power of x toward the limit (accuracy O(eps^2), O(alpha^2 sigma)); samples, one power
fewer (O(1/eps^3)); K-shot, the claim divided by sqrt K (O(sigma~/K)); iterations, whose
measured exponent (about -1.1 in eps over a factor 4 on these strongly convex tasks, where
the count grows like log(1/eps)) lies far inside the claim, the claimed exponent moved past
the measured interval by 1/4 (``moved_past``), which tests the rule only.

Every instance replays: ``python -m verify.checks.table_1_scaling '<instance JSON>'`` (also via
``python -m verify.replay``) re-runs the measurement from its seed and prints the fit and
the verdict.
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field

import numpy as np
import sympy as sp
from scipy import stats

from bounds import BOUNDS, Bound, TaskMean, evaluate, symbols
from bounds.lemma_4_9 import statement as lemma_4_9

from verify.model.algorithms import ALGORITHMS, registry_stepsize_factor, theorem_h_1_delta_rule
# For quadratic tasks rho = 0: (11) is exact for every delta and H.1's rule gives none.
from .convergence import DELTA_WHEN_RHO_IS_ZERO
from verify.model.errors import ParameterError
from verify.judge.evidence import Instance, Verdict
from verify.model.families import Domain, Family, NoisyFamily, QuadraticFamily
from .instances import alpha_for, smallest_admitted
from verify.model.objectives import meta_gradient, meta_objective
from verify.judge.statistics import student_t
from verify.judge.cli import parse_replay

# ---------------------------------------------------------------------- claims
COLUMNS = ("best_accuracy", "iterations", "samples", "k_shot")
# Where each variable of Table 1 tends for its O(.): small eps and alpha, many samples K.
LIMITS = {"epsilon": 0, "alpha": 0, "sigma": 0, "K": math.inf}
MARGIN = 0.25
# Exact counts: only the ceilings of integer batch sizes bend the slope (by < 1e-3 over the
# last decade of the grids used); nothing else may.
EXACT_TOLERANCE = 0.05
# Batch sizes are integers that the registry decides in floats: exact only up to 2^53.
MAX_EXACT_BATCH = 2 ** 53
# The corollary each column's batch sizes come from, and the theorem of the K-shot runs.
COROLLARIES = {"maml": "corollary_4_13", "fo_maml": "corollary_4_16", "hf_maml": "corollary_h_2"}
THEOREMS = {"maml": "theorem_f_1_accuracy", "fo_maml": "theorem_g_1_accuracy", "hf_maml": "theorem_h_1_accuracy"}
# Iterations: the common start has ||grad F(w0)|| = START_RATIO x the largest target of the grid.
START_RATIO = 1.5
FAMILY = "noisy-quadratic-pd"
# FO-MAML's exact floor: tasks with their own Hessians, exact oracles.
FLOOR_FAMILY = "quadratic-pd-tasks (exact oracles)"
# The Bounds this module checks (the runtime column is verify/checks/test_table_1_cost.py's).
SCALING_BOUND_IDS = frozenset(f"table_1_{a}_{c}" for a in ALGORITHMS for c in COLUMNS)


def asymptotic_exponent(bound: Bound, variable: str | None = None) -> sp.Expr:
    """lim d log(rhs) / d log(x) as x tends to its limit (the exponent of the O(.), e.g. -2 for 1/eps^2)."""
    x = getattr(symbols, variable) if variable else bound.settings["in"]
    lim = sp.oo if LIMITS[x.name] == math.inf else 0
    return sp.limit(sp.simplify(x * sp.diff(bound.rhs, x) / bound.rhs), x, lim)


def orientation(variable: str) -> int:
    """+1 when the limit is x -> infinity, -1 when x -> 0: growth exponent = orientation * d log Q / d log x."""
    return 1 if LIMITS[variable] == math.inf else -1


# ---------------------------------------------------------------------- slope fits
@dataclass(frozen=True)
class SlopeFit:
    """The OLS slope of log Q against log x over the grid, with a two-sided interval (or exact)."""

    exponent: float
    lower: float
    upper: float
    x: tuple
    q: tuple  # the point estimates of Q
    method: str
    delta: float = 0.0  # error probability of each side of the interval
    df: float = math.inf

    @property
    def halfwidth(self) -> float:
        return 0.5 * (self.upper - self.lower)


def _design(x) -> np.ndarray:
    """OLS weights c_j of the slope of y on log x: slope = sum_j c_j y_j."""
    lx = np.log(np.asarray(x, dtype=float))
    if lx.size < 2 or np.ptp(lx) == 0:
        raise ValueError("a slope needs at least two distinct values of x")
    d = lx - lx.mean()
    return d / np.sum(d * d)


def ols_slope(x, q) -> float:
    return float(_design(x) @ np.log(np.asarray(q, dtype=float)))


def fit_exact(x, q) -> SlopeFit:
    s = ols_slope(x, q)
    return SlopeFit(s, s, s, tuple(map(float, x)), tuple(map(float, q)), "exact")


def fit_levels(x, Y, delta: float, *, paired: bool = True) -> SlopeFit:
    """Slope of log E[Y_j] on log x_j from independent runs: Y[j] holds point j's per-run values.

    slope = sum_j c_j log mean_j, the OLS slope of the log means; to first order its error is
    sum_j c_j (mean_j - E Y_j) / E Y_j (delta method).

    paired (the same R runs at every point, run r of each point drawn from the same random
    numbers): that error is the mean over runs of Z_r = sum_j c_j Y[j, r] / mean_j (up to a
    constant), so SE = sd(Z) / sqrt(R) whatever the correlation between points (common random
    numbers make it positive and the interval narrow), with R - 1 degrees of freedom.
    unpaired (independent points, R_j runs each): SE^2 = sum_j c_j^2 s_j^2 / (R_j mean_j^2), with
    Welch-Satterthwaite degrees of freedom.
    The interval is slope -+ t_{1 - delta, df} SE.
    """
    c = _design(x)
    Y = [np.asarray(y, dtype=float) for y in Y]
    if len(Y) != c.size or any(y.ndim != 1 or y.size < 2 for y in Y):
        raise ValueError(f"need {c.size} points with at least two runs each")
    if any(not np.all(np.isfinite(y)) for y in Y):
        raise ValueError("a level is not finite (a run diverged)")
    means = np.array([y.mean() for y in Y])
    if np.any(means <= 0):
        raise ValueError("a level must be positive to take its log")
    slope = float(c @ np.log(means))
    if paired:
        if len({y.size for y in Y}) != 1:
            raise ValueError("paired points need the same number of runs")
        R = Y[0].size
        Z = c @ (np.array(Y) / means[:, None])
        se, df = float(Z.std(ddof=1)) / math.sqrt(R), float(R - 1)
    else:
        a = np.array([cj * cj * y.var(ddof=1) / (y.size * m * m) for cj, y, m in zip(c, Y, means)])
        se = math.sqrt(float(a.sum()))
        dfs = np.array([y.size - 1 for y in Y], dtype=float)
        live = a > 0
        df = float(a.sum() ** 2 / np.sum(a[live] ** 2 / dfs[live])) if np.any(live) else math.inf
    h = float(stats.t.ppf(1.0 - delta, df)) * se if se > 0 else 0.0
    return SlopeFit(slope, slope - h, slope + h, tuple(map(float, x)), tuple(map(float, means)),
                    "delta-method t, " + ("paired runs" if paired else "independent points"), delta, df)


def fit_boxes(x, estimate, lower, upper, delta: float = 0.0) -> SlopeFit:
    """Slope interval from simultaneous per-point intervals [lower_j, upper_j] on Q_j (> 0, upper may be inf).

    The OLS slope is linear in log Q_j, so its extremes over the box are at corners: the
    smallest takes lower_j where c_j > 0 and upper_j where c_j < 0, the largest the reverse.
    """
    c = _design(x)
    lo_y = np.log(np.maximum(np.asarray(lower, dtype=float), np.finfo(float).tiny))
    with np.errstate(divide="ignore"):
        hi_y = np.log(np.asarray(upper, dtype=float))
    small = float(np.sum(np.where(c > 0, c * lo_y, c * hi_y)))
    large = float(np.sum(np.where(c > 0, c * hi_y, c * lo_y)))
    est = float(c @ np.log(np.asarray(estimate, dtype=float)))
    return SlopeFit(est, small, large, tuple(map(float, x)), tuple(map(float, estimate)), "box", delta)


# ---------------------------------------------------------------------- the decision
def decide(fit: SlopeFit, claimed_slope: float, variable: str, margin: float = MARGIN) -> Verdict:
    """holds / violated / inconclusive for Q = O(g) from the fitted slope and g's own slope on the grid."""
    o = orientation(variable)
    g_lo, g_hi = sorted((o * fit.lower, o * fit.upper))
    allowed = o * claimed_slope + margin
    if g_hi <= allowed:
        return Verdict.HOLDS
    if g_lo > allowed:
        return Verdict.VIOLATED
    return Verdict.INCONCLUSIVE


def moved_past(fit: SlopeFit, variable: str, margin: float = MARGIN, gap: float = 0.25) -> float:
    """A claimed slope that the fit refutes by construction: its growth exponent ``gap`` below the interval minus margin."""
    o = orientation(variable)
    g_lo = min(o * fit.lower, o * fit.upper)
    return o * (g_lo - margin - gap)


def drift(fit: SlopeFit, claimed_slope: float, variable: str) -> float:
    """How much the O(.)'s implied constant Q/g grows across the grid toward the limit (> 1: Q outgrows g)."""
    o = orientation(variable)
    span = abs(math.log(max(fit.x)) - math.log(min(fit.x)))
    return math.exp(o * (fit.exponent - claimed_slope) * span)


# ---------------------------------------------------------------------- the family
class SharedHessianQuadratic(QuadraticFamily):
    """Quadratic tasks (152) with one Hessian A for all tasks: QuadraticFamily's tasks and constants, with the
    oracles computed as W A + b_i (one matrix product instead of a gathered A_i per row).  Same values."""

    def __init__(self, A, b, c=None, probabilities=None, *, name: str | None = None):
        A = np.asarray(A, dtype=float)
        b = np.asarray(b, dtype=float)
        super().__init__(np.broadcast_to(A, (b.shape[0],) + A.shape).copy(), b, c, probabilities, name=name)
        self.A_shared = self.A[0].copy()

    def _gradient(self, W, tasks):
        return W @ self.A_shared + self.b[tasks]

    def _hvp(self, W, V, tasks):
        return V @ self.A_shared


def build_family(seed: int, d: int, n: int, floor: float, sigma: float, noise: float) -> NoisyFamily:
    """Quadratic tasks with one shared positive-definite Hessian (eigenvalues in [floor, 1], 1 attained) and
    task dissimilarity sigma exactly (E_i||grad f_i - grad f||^2 = sigma^2 everywhere), plus Appendix J's
    noise sigma~ = sigma_H = ``noise``.  The same seed gives the same tasks with the dissimilarity scaled."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    lam = floor + (1 - floor) * rng.random(d)
    lam[0] = 1.0
    A = (Q * lam) @ Q.T
    Z = rng.standard_normal((n, d))
    Z -= Z.mean(axis=0)
    Z *= sigma / math.sqrt(float(np.mean(np.sum(Z * Z, axis=1))))
    b = rng.standard_normal(d) + Z
    base = SharedHessianQuadratic(0.5 * (A + A.T), b, rng.standard_normal(n), name="quadratic-pd-shared")
    fam = NoisyFamily(base, noise, noise)
    fam.name = FAMILY
    return fam


def family_values(fam: Family, alpha: float) -> dict:
    c = fam.constants.values()
    return dict(L=c["L"], rho=c["rho"], sigma=c["sigma"], sigma_tilde=c["sigma_tilde"], sigma_H=c["sigma_H"],
                alpha=float(alpha))


# ---------------------------------------------------------------------- batch sizes from the registry
def _as_written(x) -> sp.Rational:
    return sp.Rational(repr(float(x))) if not isinstance(x, (int, np.integer)) else sp.Integer(int(x))


def smallest_product_admitted(bound: Bound, name: str, values: dict, floor: int = 1) -> int:
    """The smallest integer ``name`` meeting every hypothesis ``coef * name >= threshold`` (coef free of name, e.g.
    "B D_o >= K_2 sigma~^2 / eps^2" with B given) and every ``name >= threshold``; exact, each float read as written."""
    x = getattr(symbols, name)
    need = max(int(floor), smallest_admitted(bound, name, values, floor))
    for rel in bound.preconditions_expanded:
        if x not in rel.free_symbols or not isinstance(rel, sp.GreaterThan) or rel.lhs == x:
            continue
        coef = sp.simplify(rel.lhs / x)
        if x in coef.free_symbols or x in rel.rhs.free_symbols:
            raise ParameterError(name, f"{bound.id}: cannot read {rel} as 'coefficient * {name} >= threshold'")
        sub = {s: _as_written(values[s.name]) for s in (coef.free_symbols | rel.rhs.free_symbols)}
        need = max(need, int(sp.ceiling(rel.rhs.xreplace(sub) / coef.xreplace(sub))))
    return need


def smallest_equal_constants(bound: Bound, values: dict) -> float:
    """The smallest k with K_1 = K_2 = k that the Bound's hypotheses on K_1, K_2 alone admit at ``values``
    (4.13 and H.2: "61 (1 + rho alpha sigma / L)(1/K_1 + 2/K_2) <= 1" and its epsilon twin, 36 for H.2)."""
    K1, K2 = symbols.K_1, symbols.K_2
    k = sp.Symbol("k", positive=True)
    need = sp.Integer(0)
    rels = []
    for rel in bound.preconditions_expanded:
        free = rel.free_symbols
        if not ({K1, K2} & free) or any(s.name not in values for s in free - {K1, K2}):
            continue
        sub = {s: _as_written(values[s.name]) for s in free - {K1, K2}}
        in_k = rel.xreplace(sub).xreplace({K1: k, K2: k})
        rels.append(rel)
        if in_k in (sp.true, sp.false):
            if in_k == sp.false:
                raise ParameterError("K_1", f"{bound.id}: no K_1 = K_2 satisfies {rel}")
            continue
        roots = [r for r in sp.solve(sp.Eq(in_k.lhs, in_k.rhs), k) if r.is_positive]
        need = sp.Max(need, *roots)
    value = float(need) if need > 0 else 1.0
    for _ in range(64):
        test = {**values, "K_1": value, "K_2": value}
        if all(bool(rel.xreplace({s: _as_written(test[s.name]) for s in rel.free_symbols})) for rel in rels):
            return value
        value = float(np.nextafter(value, math.inf))
    raise ParameterError("K_1", f"{bound.id}: no float K_1 = K_2 at the boundary {need}")


def edge_batches(bound: Bound, values: dict) -> dict:
    """B, D_in, D_o, D_h, B', D_beta: each the smallest the Bound's hypotheses admit at ``values`` (D_o after B)."""
    out = dict(values)
    for name in ("B", "D_in", "D_h", "B_prime", "D_beta"):
        out[name] = smallest_admitted(bound, name, out)
    out["D_o"] = smallest_product_admitted(bound, "D_o", out)
    require_admitted(bound, out)
    return out


def require_admitted(bound: Bound, values: dict) -> None:
    lhs = {s.name: 0.0 for s in bound.lhs.free_symbols}
    failed = bound.failed_preconditions({**values, **lhs})
    if failed:
        raise ParameterError(failed[0].name, f"{bound.id}: the instance violates {[p.name for p in failed]}")


def samples_per_iteration(batches: dict, algorithm: str) -> int:
    """The registry's lhs of the samples column, B (D_in + D_o + D_h); FO-MAML draws no D_h (Algorithm 2)."""
    D_h = 0 if algorithm == "fo_maml" else int(batches["D_h"])
    return int(batches["B"]) * (int(batches["D_in"]) + int(batches["D_o"]) + D_h)


# ---------------------------------------------------------------------- lockstep runs
def _compiled_beta_tilde():
    """beta~(w) of (17) as the registry writes it (``lemma_4_9.BETA_TILDE_EXPANDED``), compiled once for arrays of
    batch gradient norms of shape (runs, B') with the uniform weights 1/B' of the batch B'.

    ``bounds.evaluate`` computes the same number but validates every input on every call
    (about 0.7 ms, more than the rest of an iteration); ``Lockstep`` checks the two agree
    when it is built."""
    expr = lemma_4_9.BETA_TILDE_EXPANDED
    args = sorted(expr.free_symbols, key=lambda s: s.name)
    mean = sp.Function("_mean_over_batch")
    fn = sp.lambdify(args, expr.replace(TaskMean, lambda x: mean(x)),
                     modules=[{"_mean_over_batch": lambda x: np.mean(x, axis=-1)}, "numpy"])
    names = [a.name for a in args]
    return lambda values: fn(*(values[n] for n in names))


_BETA_TILDE = _compiled_beta_tilde()


class Lockstep:
    """R independent runs of one algorithm advanced together: one vectorised iteration for all of them.

    One iteration at w_k is exactly ``verify.model.algorithms.run``'s (Algorithms 1-3, (5), (8),
    (10)-(11) with the central difference over the same D_h): beta_k = c beta~(w_k) from
    fresh batches B', D_beta ((16)-(17), the registry's expression), then B tasks drawn
    i.i.d. from p and independent D_in, D_o, D_h per task, through the family's batch oracles.
    The rows of all runs go through each oracle call at once; with R = 1 the draws are made
    in ``run``'s order, so a run from the same Generator reproduces ``run``'s iterates
    (tests/test_table_1_scaling_machinery.py), except that with rho = 0, where beta~ does not
    depend on B' and D_beta, that batch is not drawn (the same stepsize, another stream).
    """

    def __init__(self, algorithm: str, family: Family, alpha: float, *, B: int, D_in: int, D_o: int, D_h: int,
                 B_prime: int, D_beta: int, stepsize_factor: float, delta=None,
                 draw_stepsize_batches: bool | None = None):
        if algorithm not in ALGORITHMS:
            raise ParameterError("algorithm", f"{algorithm!r} is not one of {ALGORITHMS}")
        self.algorithm, self.family, self.alpha = algorithm, family, float(alpha)
        self.B, self.D_in, self.D_o, self.D_h = int(B), int(D_in), int(D_o), int(D_h)
        self.B_prime, self.D_beta = int(B_prime), int(D_beta)
        self.c = float(stepsize_factor)
        c = family.constants.values()
        self.L, self.rho = c["L"], c["rho"]
        # With rho = 0, beta~ of (17) does not depend on the batch B', D_beta: it is not drawn
        # unless asked (the tests draw it, to compare with ``run`` draw for draw).
        self.draw_stepsize_batches = self.rho != 0 if draw_stepsize_batches is None else bool(draw_stepsize_batches)
        if self.rho != 0 and not self.draw_stepsize_batches:
            raise ParameterError("draw_stepsize_batches", "with rho > 0 beta~ depends on the batch B', D_beta")
        if algorithm == "hf_maml":
            if isinstance(delta, str):
                delta = theorem_h_1_delta_rule(self.rho, self.alpha)
            if delta is None:
                raise ParameterError("delta", "HF-MAML needs delta")
        self.delta = delta
        probe = {"L": self.L, "rho": self.rho, "alpha": self.alpha, "batch_grad_norm": np.array([[0.5, 2.0]])}
        ours = np.ravel(_BETA_TILDE(probe))[0]
        theirs = np.ravel(evaluate(lemma_4_9.BETA_TILDE_EXPANDED, probe))[0]
        if not math.isclose(float(ours), float(theirs), rel_tol=1e-12):
            raise AssertionError("the compiled beta~ disagrees with the registry's evaluate")

    def grad_F_norms(self, W: np.ndarray) -> np.ndarray:
        """||grad F(w_r)|| for each row of W (R, d): (6) with exact oracles, all runs and tasks at once."""
        fam, a = self.family, self.alpha
        R, d = W.shape
        n = fam.n_tasks
        Wt = np.repeat(W, n, axis=0)
        t = np.tile(np.arange(n), R)
        outer = fam.gradient(Wt - a * fam.gradient(Wt, t), t)
        g = (outer - a * fam.hvp(Wt, outer, t)).reshape(R, n, d)
        return np.linalg.norm(np.einsum("i,rid->rd", fam.probabilities, g), axis=1)

    def step(self, W: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        fam, a = self.family, self.alpha
        R, d = W.shape
        if not self.draw_stepsize_batches:
            norms = np.zeros(R * self.B_prime)
        else:
            tb = fam.sample_tasks(R * self.B_prime, rng)
            bb = fam.draw_batch(tb, self.D_beta, rng, name="D_beta")
            norms = np.linalg.norm(fam.batch_gradient(np.repeat(W, self.B_prime, axis=0), bb), axis=1)
        beta_t = _BETA_TILDE({"L": self.L, "rho": self.rho, "alpha": a, "batch_grad_norm": norms.reshape(R, self.B_prime)})
        beta = self.c * np.broadcast_to(np.asarray(beta_t, dtype=float), (R,))
        tasks = fam.sample_tasks(R * self.B, rng)
        inner = fam.draw_batch(tasks, self.D_in, rng, name="D_in")
        outer = fam.draw_batch(tasks, self.D_o, rng, name="D_o")
        hess = None if self.algorithm == "fo_maml" else fam.draw_batch(tasks, self.D_h, rng, name="D_h")
        Wr = np.repeat(W, self.B, axis=0)
        v = fam.batch_gradient(Wr - a * fam.batch_gradient(Wr, inner), outer)
        if self.algorithm == "maml":
            rows = v - a * fam.batch_hvp(Wr, v, hess)
        elif self.algorithm == "fo_maml":
            rows = v
        else:
            vn = np.linalg.norm(v, axis=1)
            live = vn > 0
            dl = np.asarray(self.delta(vn), dtype=float) if callable(self.delta) else np.full(vn.shape, float(self.delta))
            dl = np.where(live, dl, 1.0)
            st = dl[:, None] * v
            diff = (fam.batch_gradient(Wr + st, hess) - fam.batch_gradient(Wr - st, hess)) / (2 * dl[:, None])
            rows = v - a * np.where(live[:, None], diff, 0.0)
        weights = np.full(self.B, 1.0 / self.B)
        direction = np.einsum("b,rbd->rd", weights, rows.reshape(R, self.B, d))
        return W - beta[:, None] * direction


def mean_direction(algorithm: str, fam: Family, w: np.ndarray, alpha: float) -> np.ndarray:
    """E[direction | w] with exact oracles: grad F (MAML, and HF-MAML's exact difference), or FO-MAML's (8) mean."""
    if algorithm == "fo_maml":
        g = fam.gradient(w - alpha * fam.gradient(w))
        return fam.probabilities @ g
    return meta_gradient(fam, w, alpha)


def contraction_rate(algorithm: str, fam: Family, alpha: float, stepsize_factor: float, w: np.ndarray) -> float:
    """r = beta * (smallest eigenvalue of the mean direction's Jacobian): the slowest rate of the mean dynamics.

    Exact for quadratic tasks (the mean direction is affine); beta = c / (4L), which is c beta~
    when rho = 0 (the families here) and an upper bound on it otherwise.
    """
    d = fam.dim
    base = mean_direction(algorithm, fam, w, alpha)
    J = np.stack([mean_direction(algorithm, fam, w + np.eye(d)[k], alpha) - base for k in range(d)], axis=1)
    lam = float(np.min(np.linalg.eigvalsh(0.5 * (J + J.T))))
    beta = stepsize_factor * float(evaluate(lemma_4_9.BETA_TILDE_EXPANDED,
                                            {"L": fam.constants.L.value, "rho": 0.0, "alpha": alpha,
                                             "batch_grad_norm": np.zeros(1)}))
    return beta * lam


def fixed_point(algorithm: str, fam: NoisyFamily, alpha: float) -> np.ndarray:
    """Where the algorithm's mean dynamics rest: w* of (156) (MAML, HF-MAML), w_FO of (158) (FO-MAML)."""
    base = fam.base
    return base.fo_maml_fixed_point(alpha) if algorithm == "fo_maml" else base.maml_solution(alpha)


# ---------------------------------------------------------------------- one grid point
@dataclass
class Point:
    """One value x of the grid: the batch sizes, alpha, the level or passage measured there."""

    x: float
    alpha: float
    batches: dict
    note: str = ""
    level_samples: np.ndarray | None = None  # per-run window means
    passage: tuple | None = None  # (k_hat, k_lower, k_upper, target)
    steps: int = 0


def _lockstep(algorithm: str, fam: Family, alpha: float, batches: dict) -> Lockstep:
    delta = DELTA_WHEN_RHO_IS_ZERO if fam.constants.rho.value == 0 else "theorem_h_1"
    return Lockstep(algorithm, fam, alpha, B=batches["B"], D_in=batches["D_in"], D_o=batches["D_o"],
                    D_h=batches.get("D_h", 1), B_prime=batches["B_prime"], D_beta=batches["D_beta"],
                    stepsize_factor=registry_stepsize_factor(algorithm),
                    delta=delta if algorithm == "hf_maml" else None)


def measure_level(algorithm: str, fam: Family, alpha: float, batches: dict, runs: int, burn: float, window: float,
                  rng: np.random.Generator) -> tuple[np.ndarray, int, float]:
    """Per-run means of ||grad F(w_k)|| over k in (burn/r, (burn + window)/r], runs started at the fixed point.

    Returns (window means (runs,), iterations run, r)."""
    ls = _lockstep(algorithm, fam, alpha, batches)
    w0 = fixed_point(algorithm, fam, alpha)
    r = contraction_rate(algorithm, fam, alpha, ls.c, w0)
    k_burn, k_win = int(math.ceil(burn / r)), max(int(math.ceil(window / r)), 1)
    W = np.tile(w0, (runs, 1))
    total = np.zeros(runs)
    for k in range(1, k_burn + k_win + 1):
        W = ls.step(W, rng)  # W holds w_k
        if k > k_burn:
            total += ls.grad_F_norms(W)
    if not np.all(np.isfinite(total)):
        raise ParameterError("runs", f"{algorithm}: a run diverged")
    return total / k_win, k_burn + k_win, r


def measure_passage(algorithm: str, fam: Family, alpha: float, batches: dict, w0: np.ndarray, target: float,
                    runs: int, cap: int, delta: float, rng: np.random.Generator) -> tuple[float, float, float, int]:
    """(k_hat, k_lower, k_upper, steps) for the first k with E||grad F(w_k)|| <= target, runs from w0.

    t bounds at every k <= cap, each side with delta / (cap + 1): k_upper is the first k whose
    upper bound is <= target (the runs stop there), k_lower the first whose lower bound is;
    k_hat the first whose mean is.  Not reached by the cap: k_upper = inf.
    """
    ls = _lockstep(algorithm, fam, alpha, batches)
    dk = delta / (cap + 1)
    W = np.tile(w0, (runs, 1))
    k_hat = k_lo = None
    for k in range(cap + 1):
        x = ls.grad_F_norms(W)
        if not np.all(np.isfinite(x)):
            raise ParameterError("runs", f"{algorithm}: a run diverged")
        if k_hat is None and x.mean() <= target:
            k_hat = k
        bound = student_t(x, dk)
        if k_lo is None and bound.lower <= target:
            k_lo = k
        if bound.upper <= target:
            return float(k_hat), float(k_lo), float(k), k
        if k < cap:
            W = ls.step(W, rng)
    return (float(k_hat) if k_hat is not None else float(cap), float(k_lo) if k_lo is not None else float(cap),
            math.inf, cap)


# ---------------------------------------------------------------------- the experiments
@dataclass
class Measurement:
    """What one (bound, family) check measured: the grid points, the fit, the claim and the verdicts."""

    bound: Bound
    family: str
    variable: str
    points: list
    fit: SlopeFit
    claimed: float  # the claimed order's OLS slope over the grid
    asymptotic: float  # the claimed order's exponent at the limit
    verdict: Verdict
    control_slope: float
    control_verdict: Verdict
    control_words: str
    instance: Instance
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def control_caught(self) -> bool:
        return self.control_verdict is Verdict.VIOLATED


def _grid(top: float, factor: float, points: int, toward: float) -> list[float]:
    """``points`` log-spaced values from ``top`` toward the limit, spanning ``factor``."""
    ratios = np.geomspace(1.0, factor, points)
    return [float(top / q) if toward == 0 else float(top * q) for q in ratios]


def samples_experiment(algorithm: str, params: dict, variable: str) -> tuple[list, list, list]:
    """(grid, counts, values): B (D_in + D_o + D_h) at the corollary's edge, ``decades`` decades toward the limit."""
    bound = BOUNDS[COROLLARIES[algorithm]]
    fam = _family_at(params)
    alpha = alpha_for(bound, float(params["alpha_frac"]), fam.constants.L.value)
    values = family_values(fam, alpha)
    if algorithm == "fo_maml":
        values.update(K_1=float(params["K_1"]), K_2=float(params["K_2"]))
    else:
        values.update(epsilon=float(params["top"]))
        k = smallest_equal_constants(bound, values)
        values.update(K_1=k, K_2=k)
    top = {"alpha": alpha, "sigma": values["sigma"]}.get(variable, float(params.get("top", 0.0)))
    grid = _grid(top, 10.0 ** float(params["decades"]), int(params["points"]), LIMITS[variable])
    counts, used = [], []
    for x in grid:
        b = edge_batches(bound, {**values, variable: x})
        if max(int(b[k]) for k in ("B", "D_in", "D_o", "D_h")) > MAX_EXACT_BATCH:
            raise ParameterError("decades", f"at {variable} = {x:.3g} a batch size exceeds 2^53, beyond which the "
                                            "registry's float arithmetic cannot decide its hypotheses: use fewer decades")
        counts.append(samples_per_iteration(b, algorithm))
        used.append(b)
    return grid, counts, used


def fo_floor_experiment(params: dict) -> tuple[list, list, list]:
    """(grid of alpha, floors, values): FO-MAML's floor with exact oracles, ||grad F(w_FO)|| at its fixed point.

    With every batch exact (the limit of the corollary's batch sizes) FO-MAML's update (157)
    converges to w_FO of (158) (checked by verify/checks/test_pointwise.py), so the best accuracy it
    reaches is ||grad F(w_FO)||, exactly computable.  It vanishes only if the tasks share
    their Hessian; here each task has its own positive-definite Hessian (eigenvalues in
    [floor, 1], 1 attained), the family ``FLOOR_FAMILY``.  sigma is certified on the ball
    around the origin that holds w* and w_FO at every alpha of the grid.
    """
    rng = np.random.default_rng(int(params["family_seed"]))
    d, n, floor = int(params["d"]), int(params["n"]), float(params["floor"])
    Q, _ = np.linalg.qr(rng.standard_normal((n, d, d)))
    lam = floor + (1 - floor) * rng.random((n, d))
    lam[0, 0] = 1.0
    A = np.einsum("tij,tj,tkj->tik", Q, lam, Q)
    b = rng.standard_normal(d) + float(params["spread"]) * rng.standard_normal((n, d))
    base = QuadraticFamily(0.5 * (A + np.swapaxes(A, 1, 2)), b, name="quadratic-pd-tasks")
    bound = BOUNDS[COROLLARIES["fo_maml"]]
    L = base.constants.L.value
    grid = _grid(alpha_for(bound, float(params["alpha_frac"]), L), 10.0 ** float(params["decades"]),
                 int(params["points"]), 0)
    fixed = [(base.maml_solution(a), base.fo_maml_fixed_point(a)) for a in grid]
    radius = 1.0 + 2.0 * max(max(np.linalg.norm(ws), np.linalg.norm(wf)) for ws, wf in fixed)
    sigma = base.constants_on(Domain.ball(radius)).sigma.value
    floors = [float(np.linalg.norm(meta_gradient(base, wf, a))) for a, (_, wf) in zip(grid, fixed)]
    used = [{"alpha": a, "sigma": sigma, "L": L, "radius": radius} for a in grid]
    return grid, floors, used


def _family_at(params: dict, sigma: float | None = None) -> NoisyFamily:
    """The instance's tasks (drawn from its ``family_seed``), with the dissimilarity ``sigma`` if given."""
    return build_family(int(params["family_seed"]), int(params["d"]), int(params["n"]), float(params["floor"]),
                        float(params["sigma"] if sigma is None else sigma), float(params["noise"]))


def accuracy_points(algorithm: str, params: dict, variable: str) -> list[Point]:
    """The grid of the best-accuracy (and iterations) measurements: family, alpha and edge batch sizes per x."""
    bound = BOUNDS[COROLLARIES[algorithm]]
    J, factor = int(params["points"]), float(params["factor"])
    fam = _family_at(params)
    L = fam.constants.L.value
    points = []
    if variable == "epsilon":
        alpha = alpha_for(bound, float(params["alpha_frac"]), L)
        values = family_values(fam, alpha)
        grid = _grid(float(params["top"]), factor, J, 0)
        values["epsilon"] = grid[0]
        k = smallest_equal_constants(bound, values)  # at the largest eps: the epsilon twin binds there
        for x in grid:
            b = edge_batches(bound, {**values, "epsilon": x, "K_1": k, "K_2": k})
            points.append(Point(x, alpha, b))
    elif variable == "alpha":
        a_top = alpha_for(bound, float(params["alpha_frac"]), L)
        for x in _grid(a_top, factor, J, 0):
            values = {**family_values(fam, x), "K_1": float(params["K_1"]), "K_2": float(params["K_2"])}
            points.append(Point(x, x, edge_batches(bound, values)))
    elif variable == "sigma":
        alpha = alpha_for(bound, float(params["alpha_frac"]), L)
        for x in _grid(float(params["sigma"]), factor, J, 0):
            f = _family_at(params, sigma=x)
            values = {**family_values(f, alpha), "K_1": float(params["K_1"]), "K_2": float(params["K_2"])}
            points.append(Point(x, alpha, edge_batches(bound, values)))
    else:
        raise KeyError(variable)
    return points


def k_shot_points(algorithm: str, params: dict) -> list[Point]:
    """K-shot: D_in = D_o = K and D_h = max(K, the theorem's D_h rule), B and B', D_beta the theorem's smallest."""
    bound = BOUNDS[THEOREMS[algorithm]]
    fam = _family_at(params)
    alpha = alpha_for(bound, float(params["alpha_frac"]), fam.constants.L.value)
    out = []
    for K in _grid(float(params["top"]), float(params["factor"]), int(params["points"]), math.inf):
        K = int(round(K))
        values = {**family_values(fam, alpha), "D_in": K, "D_o": K}
        for name in ("B", "B_prime", "D_beta"):
            values[name] = smallest_admitted(bound, name, values)
        values["D_h"] = max(K, smallest_admitted(bound, "D_h", values))
        lhs = {s.name: 0.0 for s in bound.lhs.free_symbols}
        noise = float(bound.rhs_value({**values, **lhs, "epsilon": 1e-300}))
        values["epsilon"] = noise  # as in verify/checks/convergence.py: epsilon at the batch-noise term
        require_admitted(bound, values)
        out.append(Point(float(K), alpha, values, note=f"theorem accuracy {noise:.3g}"))
    return out


def target_of(algorithm: str, point: Point) -> float:
    """The accuracy the corollary guarantees at this point: epsilon (4.13, H.2), 4.16's explicit O(alpha sigma L)."""
    bound = BOUNDS[COROLLARIES[algorithm]]
    lhs = {s.name: 0.0 for s in bound.lhs.free_symbols}
    return float(bound.rhs_value({**point.batches, **lhs}))


def _seeded(seed: int, tag: int, j: int) -> np.random.Generator:
    return np.random.default_rng([int(seed), int(tag), int(j)])


_TAGS = {"best_accuracy": 1, "iterations": 2, "k_shot": 3}


def _per_point(params: dict, key: str, j: int):
    """A per-point setting (``key + '_by_point'``, one value per point) or the common one."""
    by = params.get(f"{key}_by_point")
    return by[j] if by else params[key]


def run_levels(algorithm: str, points: list[Point], params: dict, seed: int, column: str, variable: str) -> bool:
    """Measure the level at every point; returns whether the points share their random numbers (paired).

    Points whose batches have the same shapes (B, B') run from one seed: common random
    numbers, run r of every point driven by the same task draws and standard normals.
    Otherwise (FO-MAML in alpha, B ~ 1/alpha^2) each point has its own seed and may have its
    own number of runs and window (``runs_by_point``, ``window_by_point``): the slope's
    variance sum_j c_j^2 v_j / R_j is smallest for a given cost when the cheap points (small
    B) get more runs, and the middle point of three, whose weight c_j is 0, only checks the
    shape of the curve.
    """
    fam0 = _family_at(params)
    paired = len({(p.batches["B"], p.batches["B_prime"]) for p in points}) == 1 and not params.get("runs_by_point")
    for j, p in enumerate(points):
        fam = _family_at(params, sigma=p.x) if variable == "sigma" else fam0
        b = dict(p.batches)
        p.level_samples, p.steps, r = measure_level(
            algorithm, fam, p.alpha, b, int(_per_point(params, "runs", j)), float(params["burn"]),
            float(_per_point(params, "window", j)), _seeded(seed, _TAGS[column], 0 if paired else j))
        p.note = (f"B={b['B']}, D_in={b['D_in']}, D_o={b['D_o']}"
                  + (f", D_h={b['D_h']}" if algorithm != "fo_maml" else "")
                  + f", alpha L={p.alpha * fam.constants.L.value:.4g}, r={r:.3g}, {p.level_samples.size} runs of "
                  f"{p.steps} iterations" + (f", {p.note}" if p.note else ""))
    return paired


def run_passages(algorithm: str, points: list[Point], params: dict, seed: int, delta: float) -> dict:
    """First-passage runs from one start: ||grad F(w0)|| = START_RATIO x the largest target."""
    fam = _family_at(params)
    bound = BOUNDS[COROLLARIES[algorithm]]
    targets = [target_of(algorithm, p) for p in points]
    alpha0 = points[0].alpha
    w_star = fam.base.maml_solution(alpha0)
    u = np.random.default_rng([int(seed), 9]).standard_normal(fam.dim)
    u /= np.linalg.norm(u)
    g1 = float(np.linalg.norm(meta_gradient(fam, w_star + u, alpha0) - meta_gradient(fam, w_star, alpha0)))
    G0 = START_RATIO * max(targets)
    w0 = w_star + (G0 / g1) * u
    cap = int(params["cap"])
    info = {"G0": G0, "budgets": []}
    for j, (p, target) in enumerate(zip(points, targets)):
        k_hat, k_lo, k_hi, steps = measure_passage(algorithm, fam, p.alpha, p.batches, w0, target,
                                                   int(params["passage_runs"]), cap, delta / len(points),
                                                   _seeded(seed, _TAGS["iterations"], j))
        p.passage, p.steps = (k_hat, max(k_lo, 1.0), k_hi, target), steps
        Delta = max(meta_objective(fam, w0, p.alpha) - meta_objective(fam, fam.base.maml_solution(p.alpha), p.alpha),
                    0.0)
        T = float(evaluate(bound.settings["iteration_budget"], {**p.batches, "Delta": Delta,
                                                                  "epsilon": p.batches.get("epsilon", target)}))
        info["budgets"].append(T)
        p.note = (f"target {target:.4g}, first k with mean <= target {k_hat:g} in [{max(k_lo, 1):g}, {k_hi:g}], "
                  f"budget T of (105) {T:.3g}")
    return info


# ---------------------------------------------------------------------- checks
def claimed_slope(bound: Bound, variable: str, xs, values: list) -> float:
    """The OLS slope over the grid of the claimed order g (the Bound's rhs), each point's other symbols at its values."""
    names = [s.name for s in bound.rhs.free_symbols]
    g = [float(evaluate(bound.rhs, {n: float({**v, variable: x}[n]) for n in names})) for x, v in zip(xs, values)]
    return ols_slope(xs, g)


def column_of(bound: Bound) -> str:
    return bound.id[len(f"table_1_{bound.algorithm}_"):]


def measure(bound_id: str, params: dict, seed: int, delta: float) -> Measurement:
    """Run the check of one Table 1 Bound on one instance (``params`` recorded in the Instance) and decide it."""
    bound = BOUNDS[bound_id]
    algorithm, column = bound.algorithm, column_of(bound)
    params = dict(params)
    # The tasks are drawn from the instance's seed unless the instance names their own.
    params.setdefault("family_seed", int(np.random.SeedSequence([int(seed), 0]).generate_state(1)[0]))
    variable = params.get("variable", bound.settings["in"].name)
    exact_floor = bool(params.get("exact_floor", False))
    if exact_floor and (bound_id != "table_1_fo_maml_best_accuracy" or variable != "alpha"):
        raise ParameterError("exact_floor", "only FO-MAML's best accuracy in alpha has an exact floor")
    family = (FLOOR_FAMILY if exact_floor else
              FAMILY if variable == bound.settings["in"].name else f"{FAMILY} ({variable} varies)")
    inst = Instance(f"{bound_id}@{family}", int(seed), dict(params))
    asymptotic = float(asymptotic_exponent(bound, variable))
    extra: dict = {}
    if column == "samples" or exact_floor:
        if exact_floor:
            grid, counts, used = fo_floor_experiment(params)
        else:
            grid, counts, used = samples_experiment(algorithm, params, variable)
        # The slope over the last decade toward the limit decides (the asymptotic regime).
        last = [k for k, x in enumerate(grid) if abs(math.log10(grid[-1] / x)) <= 1 + 1e-9]
        fit_all = fit_exact(grid, counts)
        fit = fit_exact([grid[k] for k in last], [counts[k] for k in last])
        points = [Point(x, float(b["alpha"]), b) for x, b in zip(grid, used)]
        claimed = claimed_slope(bound, variable, fit.x, [used[k] for k in last])
        verdict = decide(fit, claimed, variable, EXACT_TOLERANCE)
        control = claimed - orientation(variable)
        control_verdict = decide(fit, control, variable, EXACT_TOLERANCE)
        what = "FO-MAML's floor" if exact_floor else "samples per iteration"
        words = (f"{what} claimed O({variable}^{control:g}), one power of {variable} "
                 f"{'more' if exact_floor else 'fewer'} toward the limit than Table 1's")
        extra["slope_all_points"] = fit_all.exponent
        if exact_floor:
            head = (f"||grad F(w_FO)|| at FO-MAML's fixed point (158), exact oracles (the limit of the corollary's "
                    f"batch sizes), tasks with their own Hessians, sigma = {used[0]['sigma']:.4g} certified on the "
                    f"ball of radius {used[0]['radius']:.3g}: ")
        else:
            head = f"B (D_in + D_o + D_h) at the edge of {COROLLARIES[algorithm]}'s hypotheses (exact, from the registry): "
        note = (head + ", ".join(f"{variable}={x:.3g}: {c:.6g}" for x, c in zip(grid, counts))
                + f"; slope over the last decade {fit.exponent:.4f} (over all points {fit_all.exponent:.4f}), claimed "
                f"{claimed:g}; holds if the growth exponent is at most the claim's + {EXACT_TOLERANCE}")
    else:
        if column == "k_shot":
            points = k_shot_points(algorithm, params)
        else:
            points = accuracy_points(algorithm, params, variable)
        if column == "iterations":
            extra.update(run_passages(algorithm, points, params, seed, delta))
            fit = fit_boxes([p.x for p in points], [p.passage[0] for p in points], [p.passage[1] for p in points],
                            [p.passage[2] for p in points], delta)
        else:
            paired = run_levels(algorithm, points, params, seed, column, variable)
            fit = fit_levels([p.x for p in points], [p.level_samples for p in points], delta, paired=paired)
        claimed = claimed_slope(bound, variable, fit.x, [p.batches for p in points])
        verdict = decide(fit, claimed, variable)
        if column == "iterations":
            control = moved_past(fit, variable)
            words = (f"iterations claimed O({variable}^{control:.3g}): the claimed exponent moved past the measured "
                     f"interval by 1/4")
        elif column == "best_accuracy":
            control = claimed - orientation(variable)
            words = f"best accuracy claimed with one more power of {variable} (slope {control:.3g} on the grid)"
        else:
            control = claimed - 0.5 * orientation(variable)
            words = f"K-shot accuracy claimed with an extra factor 1/sqrt(K) (slope {control:.3g} on the grid)"
        control_verdict = decide(fit, control, variable)
        what = {"best_accuracy": "level of E||grad F(w_k)|| (mean over runs of per-run window means)",
                "k_shot": "K-shot level of E||grad F(w_k)|| (D_in = D_o = D_h = K)",
                "iterations": "first k with E||grad F(w_k)|| <= the corollary's accuracy"}[column]
        note = (f"{what}: " + "; ".join(
            f"{variable}={p.x:.4g}: " + (f"{fit.q[j]:.4g} " if column != "iterations" else "") + f"({p.note})"
            for j, p in enumerate(points))
            + f"; {fit.method} slope {fit.exponent:.3f} in [{fit.lower:.3f}, {fit.upper:.3f}] (each side error "
            f"{delta:.2g}" + (f", {fit.df:.0f} df" if math.isfinite(fit.df) else "") + f"), claimed {claimed:.3f} "
            f"on the grid (asymptotically {asymptotic:g})")
    return Measurement(bound, family, variable, points, fit, claimed, asymptotic, verdict, control, control_verdict,
                       words, inst, note, extra)


def replay_command(inst: Instance) -> str:
    return f"python -m verify.checks.table_1_scaling '{inst.to_json()}'"


def main(argv: list[str] | None = None) -> int:
    """Replay one instance: ``python -m verify.checks.table_1_scaling '<instance JSON>' [delta]``."""

    argv = sys.argv[1:] if argv is None else argv
    args = parse_replay("python -m verify.checks.table_1_scaling", main.__doc__, argv, optional=("delta",))
    inst = args.instance
    bound_id = inst.check.split("@")[0]
    if bound_id not in SCALING_BOUND_IDS:
        print(f"replay: no Table 1 check named {inst.check!r}", file=sys.stderr)
        return 2
    delta = args.delta if args.delta is not None else float(inst.params.get("delta", 1e-6))
    m = measure(bound_id, inst.params, inst.seed, delta)
    print(f"{m.bound.id} [{m.bound.reference}] on {m.family}: {m.verdict.value}; exponent in {m.variable} "
          f"{m.fit.exponent:.4f} in [{m.fit.lower:.4f}, {m.fit.upper:.4f}] against claimed {m.claimed:.4f}\n{m.note}\n"
          f"negative control ({m.control_words}): {m.control_verdict.value}")
    return 1 if m.verdict is Verdict.VIOLATED else 0


if __name__ == "__main__":
    raise SystemExit(main())
