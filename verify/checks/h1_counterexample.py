"""A counterexample check for Theorem H.1 (Theorem 4.17), (124), and Corollary H.2, (151): HF-MAML's fixed point.

The claim under test.  With the delta rule delta_k^i = 1/(6 rho alpha ||v_i||) the
central difference (11) is taken with a step of fixed length delta_k^i ||v_i|| =
1/(6 rho alpha), so it is not the Hessian-vector product: HF-MAML's mean direction is
E[G(w)] = grad F(w) + alpha E_i[e~_i(w)] (the bias of the finding
h1-eq-140-bias-bound-misses-task-variance), and as the batches grow HF-MAML converges
to a zero w_inf of E[G], not of grad F.  (124) promises, for every epsilon > 0,
min_{k <= T} E||grad F(w_k)|| <= max(noise terms, epsilon) within the budget T of (125)
(``settings["iteration_budget"]``), the noise terms vanishing as B, D_in, D_o grow.  If
||grad F(w_inf)|| > 0, an epsilon below it, huge batches and a start beyond w_inf
contradict that.

The instance (``build_setup``).
  * Tasks: d = 1, quadratic-plus-cosine tasks f_i(w) = lam w^2/2 + a_i cos(s_i q_i w + phi_i)
    + b_i w + c_i with one shared curvature lam > 0 (``bias.build_bias_family``'s
    noisy-trigonometric tasks, shared basis, taken without their noise: exact oracles).
    L = max_i |lam| + |a_i| s_i^2 and rho = max_i |a_i| s_i^3 are the suprema of |f_i''| and
    |f_i'''| on all of R, and sigma (12) is finite on all of R (shared lam: grad f_i - grad f
    is b_i - b plus bounded cosines), the family's global certificates; so every iterate and
    every difference point w +- delta v is covered.  sigma~ = sigma_H = 0, so the Hessian
    batch condition holds with D_h = 1, (18) with D_beta = 1, and the sigma~ terms of (124)
    are exactly 0.  A larger sigma than the supremum (Minkowski's bound) only enlarges T and
    the noise terms, in favour of the theorem.
  * alpha at the end of its range (``instances.alpha_for``: alpha L = 1/6 from the Bound's
    precondition).  B and B' huge (1e12); D_in = D_o = 1 (exact oracles).
  * min F, hence Delta, is certified from above (``certify_min_F``).  A larger Delta only
    enlarges T, in favour of the theorem, so a violation found with it stands.
  * w_inf: the stable zero of HF-MAML's exact mean direction nearest the minimiser w* of F
    (where E[G] crosses 0 upwards, so w - beta E[G] is pulled to it).  w0 = w_inf +
    start_offset (w_inf - w*): beyond w_inf as seen from w*, so the iterates approach
    w_inf without crossing it.  epsilon = eps_frac ||grad F(w_inf)||; the other terms of
    (124) at B = 1e12 are checked to lie below epsilon (so rhs = epsilon), and every
    precondition of the Bound is evaluated and must be admitted.  For Corollary H.2
    the same values with K_2 = K_ratio K_1 and K_1 the smallest the registry's constant
    conditions admit (``corollaries.smallest_constant``); (151)'s batch conditions then hold.

The runs (``simulate``).  One HF-MAML step (10)-(11) at w_k, with exact oracles, is
    G = 1/B sum_{j in B_k} G_{i_j} = sum_i (c_i / B) G_i,   (c_1..c_n) ~ Multinomial(B, p),
    G_i = v_i - alpha [grad f_i(w + delta_i v_i) - grad f_i(w - delta_i v_i)] / (2 delta_i),
    v_i = grad f_i(w - alpha grad f_i(w)),  delta_i = the registry's delta rule at ||v_i||,
    beta_k = c beta~(w_k), beta~ = 1 / L~ of (16)-(17) with its own counts c' ~ Multinomial(B', p),
so i.i.d. task batches of any size cost n gradients per task and step: the multinomial
counts of the batch are exactly the law of the task draws.  The delta rule, beta~ and the
stepsize factor c are the registry's expressions (compiled once, ``_registry_functions``);
tests/test_h1_counterexample_machinery.py checks that the step equals
``algorithms.run("hf_maml", ...)`` with the same task draws.  X[r, k] = ||grad F(w_k)||
(exact, (6)) for R runs, vectorised over runs.

The verdict is ``convergence.judge``'s (t bounds over runs; 'violated' needs every k <= T
and simultaneous lower bounds).  With B = 1e12 the runs differ by ~1e-7 relative, so the
verdict is essentially deterministic; the error probability charged is one test of the
``h1_counterexample`` share of the run's budget (``statistics.budget_for("h1_counterexample", 1)``).

Controls (``run_instance``), all on the same machinery:
  * positive control: the same instance, start, epsilon and T with a nearly exact
    difference (step delta ||v|| = ``fd_step``, 1e-4, not the paper's rule): HF-MAML then
    follows grad F and must reach epsilon ('holds', the runs stop at the first checkpoint
    that decides).  It shows that the runs, the oracles and the judge can say 'holds' and
    that the violation comes from the rule's step length.
  * level control: the main runs judged against (124) with epsilon' = control_eps_frac
    ||grad F(w_inf)|| between the plateau ||grad F(w_inf)|| and ||grad F(w0)|| (its own T'):
    the runs do get below it, so it must come out 'holds'.  (The falsified variant of the
    other checks, rhs times half the ratio, would be violated a fortiori on runs that
    already violate the bound: it tests nothing here; a bound the runs meet does.)
  * truncation control: the main runs cut at T/2 and judged with the full T must not
    come out 'violated' (inconclusive): a violation needs every k <= T.
"""
from __future__ import annotations

import functools
import math
import sys
from dataclasses import dataclass, field

import numpy as np
import sympy as sp
from scipy import optimize

from bounds import BOUNDS, TaskMean, evaluate, symbols
from bounds.lemma_4_9 import statement as lemma_4_9

from .bias import build_bias_family
from .convergence import Trajectories, checkpoints, judge
from .corollaries import require_admitted, smallest_constant
from verify.model.errors import ParameterError
from verify.judge.evidence import Instance, Verdict
from verify.model.families import TrigonometricFamily
from .instances import alpha_for, smallest_admitted
from verify.model.objectives import meta_gradient, meta_objective
from verify.judge.cli import parse_replay

THEOREM_ID = "theorem_h_1_accuracy"
COROLLARY_ID = "corollary_h_2"
# (125) made explicit: its count is the theorem's budget T, and "the first k at which the mean
# reaches (124)" is <= T exactly when min_{k <= T} of the mean is <= (124): the same event, so
# the same runs and the same judgement decide it.
ITERATIONS_ID = "theorem_h_1_iterations"
# Table 1's HF-MAML cell "best accuracy possible: ||grad F(w)|| <= eps" (with sufficient
# samples) is Corollary H.2's claim as eps varies; here B = 1e12 exceeds (151)'s batch sizes
# for every eps in question, so the algorithm does not change with eps and its best level,
# ||grad F(w_inf)||, does not shrink with it: the corollary's runs decide the cell.
TABLE_1_ID = "table_1_hf_maml_best_accuracy"
# Theorem 4.17 as printed in the main text, (28)-(29): (124)-(125) under Assumption 4.7 with the constants in O(.).
# (28): the excess of the accuracy reached over eps is O(sqrt(N)) in the batch sizes; here N = sigma^2/B -> 0 while
# the runs' level, ||grad F(w_inf)|| >= 2 eps, does not depend on B (B only sets the multinomial noise of the
# draws), so the excess stays ||grad F(w_inf)|| - eps: the same event as (124)'s violation at rhs = eps.  (29): the
# count to reach (28)'s accuracy is infinite at this eps, the same event again.
MAIN_TEXT_ACCURACY_ID = "theorem_4_17_accuracy"
MAIN_TEXT_ITERATIONS_ID = "theorem_4_17_iterations"
PRINTED_IDS = (THEOREM_ID, COROLLARY_ID, ITERATIONS_ID, TABLE_1_ID, MAIN_TEXT_ACCURACY_ID, MAIN_TEXT_ITERATIONS_ID)
# The family label of the evidence (and of the findings' ``families``), and the slug of the check ids.
FAMILY = "trigonometric-1d (exact oracles, B = 1e12)"
FAMILY_SLUG = "trigonometric-1d-exact"
# The findings file's ``check`` for this module's findings.
FINDINGS_CHECK = "h1_counterexample"
CHECK_IDS = {b: f"{b}@{FAMILY_SLUG}" for b in PRINTED_IDS}
CASES_BY_ID = {v: k for k, v in CHECK_IDS.items()}

# Task draws of the multinomial path are made this many iterations at a time.
_CHUNK = 512
# Rounding allowance of one float64 evaluation of F, per unit of the magnitude of its terms.
_ROUNDING = 64 * np.finfo(np.float64).eps


# ---------------------------------------------------------------------- the tasks as arrays (d = 1)
class Tasks1D:
    """The trigonometric tasks of a d = 1 family as arrays over tasks; points broadcast against (n,).

    f_i(u) = lam_i z^2/2 + a_i cos(s_i z + phi_i) + b_i u + c_i with z = q_i u, q_i = Q_i = +-1.
    """

    def __init__(self, fam: TrigonometricFamily):
        if not isinstance(fam, TrigonometricFamily) or fam.dim != 1:
            raise ParameterError("family", "the multinomial path and the min F certificate are for d = 1 "
                                           "trigonometric tasks")
        self.family = fam
        self.n = fam.n_tasks
        self.p = fam.probabilities.astype(float)
        self.q = fam.Q[:, 0, 0].astype(float)
        self.lam, self.a, self.s, self.phi, self.b = (x[:, 0].astype(float) for x in
                                                       (fam.lam, fam.a, fam.s, fam.phi, fam.b))
        self.c = fam.c.astype(float)
        if not np.all(np.abs(self.q) == 1.0):
            raise ParameterError("Q", "a 1 x 1 orthogonal matrix is +-1")
        # With q^2 = 1: f_i'(u) = lam u + b_i - q a s sin(q s u + phi), f_i''(u) = lam - a s^2 cos(q s u + phi).
        self.qs = self.q * self.s
        self.qas = self.q * self.a * self.s
        self.as2 = self.a * self.s ** 2

    def loss(self, U):
        z = self.q * U
        return 0.5 * self.lam * z * z + self.a * np.cos(self.s * z + self.phi) + self.b * U + self.c

    def loss_scale(self, U):
        """The magnitude of the terms of ``loss`` (for its rounding allowance)."""
        z = self.q * U
        return 0.5 * np.abs(self.lam) * z * z + np.abs(self.a) + np.abs(self.b * U) + np.abs(self.c)

    def grad(self, U):
        return self.lam * U + self.b - self.qas * np.sin(self.qs * U + self.phi)

    def grad_curv(self, U):
        """(f_i'(U), f_i''(U)) sharing the angle."""
        ang = self.qs * U + self.phi
        return self.lam * U + self.b - self.qas * np.sin(ang), self.lam - self.as2 * np.cos(ang)

    def meta(self, W, alpha):
        """Per-task (F_i, F_i') at W (broadcast against tasks): F_i(w) = f_i(w - alpha f_i'(w)), (2), (35b)."""
        g, h = self.grad_curv(W)
        U = W - alpha * g
        return self.loss(U), (1 - alpha * h) * self.grad(U)

    def F_and_grad(self, w, alpha):
        """(F(w), F'(w)) for an array of points w (shape (N,)), exact ((2), (6))."""
        Fi, gi = self.meta(np.asarray(w, dtype=float)[..., None], alpha)
        return Fi @ self.p, gi @ self.p


def _registry_functions(rho: float, alpha: float, L: float):
    """The registry's delta rule (H.1's setting) and beta~ of (17), compiled once for vectorised use.

    beta~ is 1 / (4L + 2 rho alpha TaskMean(||grad~ f_j||)) in the registry; the task mean
    over the batch B' is the count-weighted mean, so TaskMean(batch_grad_norm) is replaced
    by that mean (checked: it is the only task mean in the expression).
    """
    rule = BOUNDS[THEOREM_ID].settings["delta_rule"]
    names = {s.name for s in rule.free_symbols}
    if names != {"rho", "alpha", "outer_grad_sample_norm"}:
        raise ParameterError("delta_rule", f"unexpected symbols {sorted(names)} in the registry's delta rule")
    norm = symbols.outer_grad_sample_norm
    rule_fn = sp.lambdify([norm], rule.xreplace({symbols.rho: sp.Float(rho, 17), symbols.alpha: sp.Float(alpha, 17)}),
                          "numpy")
    expr = lemma_4_9.BETA_TILDE_EXPANDED
    means = expr.atoms(TaskMean)
    if means != {TaskMean(symbols.batch_grad_norm)}:
        raise ParameterError("beta_tilde", f"expected one task mean of batch_grad_norm in (17), got {means}")
    m = sp.Symbol("m_batch_mean", nonnegative=True)
    beta_expr = expr.xreplace({TaskMean(symbols.batch_grad_norm): m})
    if beta_expr.free_symbols - {symbols.L, symbols.rho, symbols.alpha, m}:
        raise ParameterError("beta_tilde", f"unexpected symbols in (17): {beta_expr.free_symbols}")
    beta_fn = sp.lambdify([m], beta_expr.xreplace({symbols.L: sp.Float(L, 17), symbols.rho: sp.Float(rho, 17),
                                                   symbols.alpha: sp.Float(alpha, 17)}), "numpy")
    return (lambda norms: rule_fn(np.asarray(norms, dtype=float)),
            lambda mean: np.asarray(beta_fn(np.asarray(mean, dtype=float)), dtype=float))


@dataclass
class StepRule:
    """HF-MAML's step on the multinomial path: alpha, the stepsize factor c, the delta rule and beta~."""

    tasks: Tasks1D
    alpha: float
    stepsize_factor: float
    delta_of: object  # norms ||v_i|| -> delta_i
    beta_tilde_of: object  # count-weighted mean of ||grad f_j(w)|| over B' -> beta~(w)

    def direction_parts(self, W):
        """At points W (shape (R,)): per-task G_i (R, n) of (10)-(11), grad f_i(w) (R, n), exact grad F(w) (R,)."""
        t = self.tasks
        X = np.asarray(W, dtype=float)[:, None]
        g, h = t.grad_curv(X)
        V = t.grad(X - self.alpha * g)
        grad_F = ((1 - self.alpha * h) * V) @ t.p  # (6): E_i (1 - alpha f_i''(w)) f_i'(w - alpha f_i'(w))
        norms = np.abs(V)
        if norms.min() > 0:
            dl = self.delta_of(norms)
            step = dl * V
            R = X.shape[0]
            both = t.grad(np.concatenate([X + step, X - step]))
            D = (both[:R] - both[R:]) / (2 * dl)
        else:  # v_i = 0: the difference (11) of the zero vector is 0, as in algorithms.central_difference_hvp
            live = norms > 0
            dl = np.where(live, self.delta_of(np.where(live, norms, 1.0)), 1.0)
            step = dl * V
            D = np.where(live, (t.grad(X + step) - t.grad(X - step)) / (2 * dl), 0.0)
        return V - self.alpha * D, g, grad_F

    def step(self, W, weights_B, weights_Bp):
        """w_{k+1} = w_k - c beta~(w_k) sum_i weights_B[i] G_i: one HF-MAML step per run; returns (W', grad F(W))."""
        Gi, g, grad_F = self.direction_parts(W)
        direction = np.einsum("rn,rn->r", weights_B, Gi)
        beta = self.stepsize_factor * self.beta_tilde_of(np.einsum("rn,rn->r", weights_Bp, np.abs(g)))
        return W - beta * direction, grad_F

    def mean_direction(self, w):
        """E[G(w)] = sum_i p_i G_i(w) (exact oracles), for points w (shape (N,))."""
        Gi, _, _ = self.direction_parts(np.atleast_1d(np.asarray(w, dtype=float)))
        return Gi @ self.tasks.p


def step_rule(fam: TrigonometricFamily, alpha: float, fd_step: float | None = None) -> StepRule:
    """The HF-MAML step of ``fam`` with the registry's delta rule, or (``fd_step``) delta_i = fd_step / ||v_i||."""
    c = fam.constants.values()
    delta_rule, beta_tilde = _registry_functions(c["rho"], alpha, c["L"])
    if fd_step is not None:
        step = float(fd_step)
        delta_rule = lambda norms: step / np.asarray(norms, dtype=float)  # noqa: E731
    factor = float(BOUNDS[THEOREM_ID].settings["stepsize_factor"])
    return StepRule(Tasks1D(fam), alpha, factor, delta_rule, beta_tilde)


# ---------------------------------------------------------------------- min F, certified from below
@dataclass
class MinFCertificate:
    """F(w) >= lower for every real w, and how it was shown."""

    lower: float
    interval: tuple
    cells: int
    width: float  # the largest cell
    interval_lower: float
    tail_lower: float  # the lower bound on F outside the interval (the smaller of the two sides)
    grid_min: float
    grid_argmin: float
    curvature_bound: float  # the largest per-cell bound on |F''|
    slack: float  # grid_min - interval_lower: what the curvature and rounding allowances cost

    @property
    def note(self) -> str:
        lo, hi = self.interval
        return (f"min F >= {self.lower:.12g} on R: on [{lo:.4g}, {hi:.4g}] {self.cells} cells of width <= "
                f"{self.width:.3g}, min of the grid {self.grid_min:.12g} less the interpolation bound |F''| h^2/8 "
                f"(|F''| <= {self.curvature_bound:.3g}, from L and rho) and rounding ({self.slack:.3g} in all); "
                f"outside, F >= {self.tail_lower:.6g} from f_i >= lam u^2/2 + b_i u + c_i - |a_i|")


def _tail_bound(t: Tasks1D, alpha: float, w: float, side: int) -> float:
    """sum_i p_i min over u in U_i(w) of phi_i(u), phi_i(u) = lam u^2/2 + b_i u + c_i - |a_i| <= f_i(u).

    u_i(w) = w - alpha f_i'(w) = (1 - alpha lam) w - alpha b_i + alpha q_i a_i s_i sin(.) lies in
    U_i(w) = [m_i(w) - r_i, m_i(w) + r_i], m_i = (1 - alpha lam) w - alpha b_i, r_i = alpha |a_i| s_i.
    For w beyond the point where U_i(w) has passed the vertex -b_i/lam of phi_i (side +1:
    to the right), the minimum is at the near end of U_i(w) and grows with |w|.
    """
    m = (1 - alpha * t.lam) * w - alpha * t.b
    r = alpha * np.abs(t.a) * t.s
    u = m - side * r
    return float(t.p @ (0.5 * t.lam * u * u + t.b * u + t.c - np.abs(t.a)))


def certify_min_F(fam: TrigonometricFamily, alpha: float, cells: int = 400_000) -> MinFCertificate:
    """A rigorous lower bound on min_{w in R} F(w) for d = 1 trigonometric tasks with lam > 0.

    Outside [lo, hi]: ``_tail_bound``, nondecreasing in |w| once every U_i(w) has passed its
    vertex (1 - alpha lam > 0 as alpha L <= 1); lo, hi are pushed out until it exceeds the
    grid's minimum, so the global minimum lies inside.  On [lo, hi]: cells [x_j, x_{j+1}]; on
    each F >= min(F(x_j), F(x_{j+1})) - M_j h_j^2 / 8 (the error of linear interpolation of a
    C^2 function), with M_j >= |F''| on the cell from the chain rule in d = 1,
        F_i'' = f_i''(u)(1 - alpha f_i''(w))^2 - alpha f_i'(u) f_i'''(w),
        |F_i''| <= L (1 + alpha L)^2 + alpha rho (|f_i'(u_i(x_j))| + L (1 + alpha L) h_j),
    with L, rho the family's global suprema of |f_i''|, |f_i'''| (exact for these tasks) and
    |u_i'| <= 1 + alpha L.  This uses L and rho only, not Lemma 4.8's L(w) (a statement of
    the paper under test, and looser: 4L + ...).  Each F(x_j) also loses a rounding
    allowance of 64 eps times the magnitude of its terms.
    """
    t = Tasks1D(fam)
    if np.any(t.lam <= 0):
        raise ParameterError("lam", "the certificate needs every lambda_i > 0 (F bounded below)")
    c = fam.constants.values()
    L, rho = float(c["L"]), float(c["rho"])
    if not (fam.constants.L.domain.is_global and fam.constants.rho.domain.is_global):
        raise ParameterError("L", "the certificate needs L and rho on all of R")
    if alpha * L > 1:
        raise ParameterError("alpha", "the certificate needs alpha L <= 1 (1 - alpha lam > 0)")
    slope = 1 - alpha * t.lam
    vertex = -t.b / t.lam
    r = alpha * np.abs(t.a) * t.s
    hi = float(np.max((vertex + r + alpha * t.b) / slope))
    lo = float(np.min((vertex - r + alpha * t.b) / slope))
    coarse = np.linspace(lo, hi, 4001)
    F_up = float(np.min(t.F_and_grad(coarse, alpha)[0]))
    span = max(hi - lo, 1.0)
    for _ in range(60):
        if _tail_bound(t, alpha, hi, +1) > F_up + 1.0:
            break
        hi += span
    for _ in range(60):
        if _tail_bound(t, alpha, lo, -1) > F_up + 1.0:
            break
        lo -= span
    tail = min(_tail_bound(t, alpha, hi, +1), _tail_bound(t, alpha, lo, -1))
    x = np.linspace(lo, hi, int(cells) + 1)
    h = np.diff(x)
    X = x[:, None]
    g, hw = t.grad_curv(X)
    U = X - alpha * g
    Fx = t.loss(U) @ t.p
    rounding = _ROUNDING * (t.loss_scale(U) @ t.p)
    lower_pts = Fx - rounding
    gu = np.abs(t.grad(U))  # |f_i'(u_i(x_j))|
    M = L * (1 + alpha * L) ** 2 + alpha * rho * ((gu[:-1] + L * (1 + alpha * L) * h[:, None]) @ t.p)
    cell = np.minimum(lower_pts[:-1], lower_pts[1:]) - M * h * h / 8
    j = int(np.argmin(cell))
    interval_lower = float(cell[j])
    k = int(np.argmin(Fx))
    return MinFCertificate(min(interval_lower, tail), (lo, hi), len(h), float(h.max()), interval_lower, tail,
                           float(Fx[k]), float(x[k]), float(M.max()), float(Fx[k] - interval_lower))


# ---------------------------------------------------------------------- the instance
DEFAULT_PARAMS = dict(n=2, amplitude=0.4, curvature=0.3, spread=1.0, B=10 ** 12, B_prime=10 ** 12, eps_frac=0.5,
                      start_offset=0.2, control_eps_frac=1.1, fd_step=1e-4, K_ratio=2.0)


def build_family(seed: int, p: dict) -> TrigonometricFamily:
    """The d = 1 tasks of ``bias.build_bias_family('noisy-trigonometric', ...)`` (shared basis), without noise."""
    params = {"d": 1, "n": int(p["n"]), "spread": float(p["spread"]), "noise": 0.0,
              "amplitude": float(p["amplitude"]), "curvature": float(p["curvature"]), "shared": 1}
    fam = build_bias_family("noisy-trigonometric", np.random.default_rng(seed), params).base
    fam.name = FAMILY
    return fam


@dataclass
class H1Setup:
    seed: int
    params: dict
    family: TrigonometricFamily
    alpha: float
    values: dict  # the theorem's values (epsilon, Delta and the batch sizes included)
    rhs: float
    T: int
    noise_level: float  # (124) with epsilon -> 0: the batch-noise terms
    certificate: MinFCertificate
    w_star: float
    w_inf: float
    grad_F_inf: float
    w0: float
    grad_F_w0: float
    Delta: float
    corollary_values: dict
    corollary_rhs: float
    corollary_T: int
    note: str = ""
    segment_min_grad: float = math.nan  # min ||grad F|| over the segment [w_inf, w0] (grid of 2001 points)

    @property
    def step_length(self) -> float:
        """delta_k^i ||v_i|| under the registry's rule (the same for every v)."""
        rule, _ = _registry_functions(self.values["rho"], self.alpha, self.values["L"])
        return float(rule(np.array([1.0]))[0])


def _stable_zero_near(rule: StepRule, w_star: float, span: float = 2.0, points: int = 4001) -> float:
    """The zero of E[G] nearest w_star where E[G] crosses 0 upwards (stable for w - beta E[G])."""
    xs = np.linspace(w_star - span, w_star + span, points)
    G = rule.mean_direction(xs)
    up = np.nonzero((G[:-1] < 0) & (G[1:] >= 0))[0]
    if up.size == 0:
        raise ParameterError("family", f"HF-MAML's mean direction has no stable zero within {span} of w*")
    roots = [optimize.brentq(lambda x: float(rule.mean_direction(x)[0]), xs[j], xs[j + 1], xtol=1e-15, rtol=1e-15)
             for j in up]
    return float(min(roots, key=lambda r: abs(r - w_star)))


def build_setup(seed: int, params: dict) -> H1Setup:
    p = {**DEFAULT_PARAMS, **params}
    bound, corollary = BOUNDS[THEOREM_ID], BOUNDS[COROLLARY_ID]
    fam = build_family(seed, p)
    consts = fam.constants
    for name in ("L", "rho", "sigma", "sigma_tilde", "sigma_H"):
        if not getattr(consts, name).domain.is_global:
            raise ParameterError(name, "the check needs every constant certified on all of R")
    c = consts.values()
    if c["sigma_tilde"] != 0 or c["sigma_H"] != 0:
        raise ParameterError("sigma_tilde", "the instance has exact oracles")
    alpha = alpha_for(bound, 1.0, c["L"])
    t = Tasks1D(fam)
    cert = certify_min_F(fam, alpha)
    # w*: the zero of F' next to the grid's minimiser (F' changes sign within a cell of it).
    F_of = lambda w: float(t.F_and_grad(np.array([w]), alpha)[0][0])  # noqa: E731
    gF_of = lambda w: float(t.F_and_grad(np.array([w]), alpha)[1][0])  # noqa: E731
    a0, b0 = cert.grid_argmin - cert.width, cert.grid_argmin + cert.width
    w_star = optimize.brentq(gF_of, a0, b0, xtol=1e-15, rtol=1e-15) if gF_of(a0) * gF_of(b0) < 0 else cert.grid_argmin
    rule = step_rule(fam, alpha)
    w_inf = _stable_zero_near(rule, w_star)
    g_inf = abs(float(meta_gradient(fam, np.array([w_inf]), alpha)[0]))
    w0 = w_inf + float(p["start_offset"]) * (w_inf - w_star)
    g0 = abs(float(meta_gradient(fam, np.array([w0]), alpha)[0]))
    F0 = meta_objective(fam, np.array([w0]), alpha)
    Delta = F0 + _ROUNDING * float(t.loss_scale(np.array([w0])) @ t.p) * 4 - cert.lower
    if not F_of(w_star) >= cert.lower:
        raise RuntimeError("the certificate of min F lies above F(w*)")

    values = dict(L=c["L"], rho=c["rho"], sigma=c["sigma"], sigma_tilde=c["sigma_tilde"], sigma_H=c["sigma_H"],
                  alpha=alpha, B=int(p["B"]), B_prime=int(p["B_prime"]), D_in=1, D_o=1)
    for name in ("D_h", "D_beta"):
        values[name] = smallest_admitted(bound, name, values)
    values["epsilon"] = float(p["eps_frac"]) * g_inf
    lhs_names = {s.name: 0.0 for s in bound.lhs.free_symbols}
    require_admitted(bound, values)
    noise = float(bound.rhs_value({**values, **lhs_names, "epsilon": 1e-300}))
    rhs = float(bound.rhs_value({**values, **lhs_names}))
    if noise >= values["epsilon"] or rhs != values["epsilon"]:
        raise ParameterError("B", f"the batch-noise terms of (124) ({noise:.3g}) are not below epsilon")
    values["Delta"] = Delta
    T = int(math.ceil(evaluate(bound.settings["iteration_budget"], values)))

    # K_1, K_2 from the corollary's constant conditions alone (the batch sizes left out, so that
    # their conditions are not solved for K_1), then every hypothesis with the batch sizes.
    batch_names = ("B", "B_prime", "D_in", "D_o", "D_h", "D_beta")
    cvals = {k: v for k, v in values.items() if k != "Delta" and k not in batch_names}
    cvals["K_1"], cvals["K_2"] = smallest_constant(corollary, cvals, float(p["K_ratio"]))
    cvals.update({k: values[k] for k in batch_names})
    require_admitted(corollary, cvals)
    c_lhs = {s.name: 0.0 for s in corollary.lhs.free_symbols}
    c_rhs = float(corollary.rhs_value({**cvals, **c_lhs}))
    cvals["Delta"] = Delta
    c_T = int(math.ceil(evaluate(corollary.settings["iteration_budget"], cvals)))

    seg = np.linspace(min(w_inf, w0), max(w_inf, w0), 2001)
    seg_min = float(np.min(np.abs(t.F_and_grad(seg, alpha)[1])))
    s = H1Setup(seed, p, fam, alpha, values, rhs, T, noise, cert, w_star, w_inf, g_inf, w0, g0, Delta, cvals,
                c_rhs, c_T, segment_min_grad=seg_min)
    s.note = (f"d=1, n={fam.n_tasks}, L={c['L']:.6g}, rho={c['rho']:.6g}, sigma={c['sigma']:.6g}, sigma~=0, "
              f"alpha L={alpha * c['L']:.6g}, delta_k^i ||v||={s.step_length:.4g}, B={values['B']:.3g}, "
              f"B'={values['B_prime']:.3g}, D_in=D_o=1, D_h={values['D_h']}, D_beta={values['D_beta']}; "
              f"w*={w_star:.10g} (F={F_of(w_star):.12g}); stable zero of E[G] w_inf={w_inf:.10g}, "
              f"||grad F(w_inf)||={g_inf:.6g}; w0={w0:.10g}, ||grad F(w0)||={g0:.6g}, min ||grad F|| on "
              f"[w_inf, w0]={seg_min:.6g}; epsilon={values['epsilon']:.6g} (= {float(p['eps_frac']):g} ||grad F(w_inf)||), "
              f"noise terms of (124)={noise:.3g}, rhs={rhs:.6g}; Delta={Delta:.6g} <= F(w0) - min F "
              f"({cert.note}); T={T}; Corollary H.2: K_1={cvals['K_1']:.6g}, K_2={cvals['K_2']:.6g}, "
              f"rhs={c_rhs:.6g}, T={c_T}")
    return s


# ---------------------------------------------------------------------- the runs
def simulate(s: H1Setup, runs: int, draw_seed: int, T: int, *, fd_step: float | None = None,
             stop_rhs: float | None = None, delta: float | None = None) -> Trajectories:
    """R runs of HF-MAML on the multinomial path for T iterations (vectorised over runs).

    With ``stop_rhs`` (and ``delta``) the runs stop at the first checkpoint of
    ``checkpoints(T)`` where ``judge`` on the iterates so far says 'holds' (as
    ``convergence.simulate`` does); otherwise they run to T.
    """
    rule = step_rule(s.family, s.alpha, fd_step)
    rng = np.random.default_rng([int(draw_seed), 0 if fd_step is None else 1])
    B, Bp = int(s.values["B"]), int(s.values["B_prime"])
    p = rule.tasks.p
    W = np.full(runs, float(s.w0))
    X = np.full((runs, T + 1), np.nan)
    grid = set(int(k) for k in checkpoints(T)) if stop_rhs is not None else set()
    k = 0
    with np.errstate(over="raise", invalid="raise"):
        while k <= T:
            chunk = min(_CHUNK, T - k)
            wB = rng.multinomial(B, p, size=(chunk, runs)) / B
            wBp = rng.multinomial(Bp, p, size=(chunk, runs)) / Bp
            for j in range(chunk):
                W, gF = rule.step(W, wB[j], wBp[j])
                X[:, k] = np.abs(gF)
                if k in grid and judge(Trajectories(X[:, :k + 1], T), stop_rhs, delta).verdict is Verdict.HOLDS:
                    return Trajectories(X[:, :k + 1], T)
                k += 1
            if k == T:
                _, _, gF = rule.direction_parts(W)
                X[:, T] = np.abs(gF)
                break
    return Trajectories(X, T)


# ---------------------------------------------------------------------- judging and controls
@dataclass
class Control:
    name: str
    required: Verdict
    verdict: Verdict
    note: str

    @property
    def ok(self) -> bool:
        return self.verdict is self.required


@dataclass
class H1Outcome:
    setup: H1Setup
    traj: Trajectories
    theorem: object  # ConvergenceOutcome
    corollary: object
    controls: list = field(default_factory=list)
    draw_seed: int = 0
    delta: float = 0.0

    @property
    def controls_ok(self) -> bool:
        return all(c.ok for c in self.controls)

    def outcome(self, bound_id: str):
        theorem_runs = (THEOREM_ID, ITERATIONS_ID, MAIN_TEXT_ACCURACY_ID, MAIN_TEXT_ITERATIONS_ID)
        return self.theorem if bound_id in theorem_runs else self.corollary


def _summary(o) -> str:
    return (f"{o.verdict.value}: min_k mean ||grad F(w_k)|| = {o.estimate:.6g} at k={o.best_k}, confidence bounds "
            f"[{o.lower:.6g}, {o.upper:.6g}] vs rhs {o.rhs:.6g} ({o.note})")


def run_instance(seed: int, params: dict, delta: float, *, runs: int, draw_seed: int,
                 controls: bool = True) -> H1Outcome:
    s = build_setup(seed, params)
    T = max(s.T, s.corollary_T)
    traj = simulate(s, runs, draw_seed, T)
    main = judge(Trajectories(traj.X[:, :s.T + 1], s.T), s.rhs, delta)
    if (s.corollary_T, s.corollary_rhs) == (s.T, s.rhs):
        cor = main  # the same function of the same runs, T and rhs
    else:
        cor = judge(Trajectories(traj.X[:, :s.corollary_T + 1], s.corollary_T), s.corollary_rhs, delta)
    out = H1Outcome(s, traj, main, cor, draw_seed=draw_seed, delta=delta)
    if not controls:
        return out
    bound = BOUNDS[THEOREM_ID]
    lhs_names = {n.name: 0.0 for n in bound.lhs.free_symbols}
    # Level control: epsilon' between the plateau and the start; the runs meet (124) there.
    v2 = dict(s.values, epsilon=float(s.params["control_eps_frac"]) * s.grad_F_inf)
    rhs2 = float(bound.rhs_value({**v2, **lhs_names}))
    T2 = int(math.ceil(evaluate(bound.settings["iteration_budget"], v2)))
    # 'holds' needs one checkpoint <= T2; the runs up to the last checkpoint below T2 suffice.
    grid2 = [int(k) for k in checkpoints(T2) if k < min(T2, s.T)]
    cut = grid2[-1] if grid2 else 0
    level = judge(Trajectories(traj.X[:, :cut + 1], T2), rhs2, delta)
    out.controls.append(Control(
        "level", Verdict.HOLDS, level.verdict,
        f"(124) with epsilon' = {float(s.params['control_eps_frac']):g} ||grad F(w_inf)|| = {rhs2:.6g} (T'={T2}) on "
        f"the same runs: {_summary(level)}"))
    # Truncation control: no violation without every k <= T.
    half = s.T // 2
    trunc = judge(Trajectories(traj.X[:, :half + 1], s.T), s.rhs, delta)
    out.controls.append(Control(
        "truncated", Verdict.INCONCLUSIVE, trunc.verdict,
        f"the same runs cut at k={half} < T={s.T}: {trunc.verdict.value}"))
    # Positive control: a nearly exact difference (not the paper's rule) reaches epsilon within T.
    fd = float(s.params["fd_step"])
    pos_traj = simulate(s, runs, draw_seed, s.T, fd_step=fd, stop_rhs=s.rhs, delta=delta)
    pos = judge(pos_traj, s.rhs, delta)
    out.controls.append(Control(
        "exact-difference", Verdict.HOLDS, pos.verdict,
        f"delta_k^i ||v|| = {fd:g} instead of the rule's {s.step_length:.4g}, same start, epsilon and T: "
        f"{_summary(pos)}"))
    return out


# ---------------------------------------------------------------------- the erratum's corrections
# The corrected statements of the four refuted here (bounds/theorem_h_1/corrected.py, bounds/corollaries/
# corrected.py, bounds/table_1/corrected.py), judged on the same instance: (124a) keeps the rule (135) and
# is judged on the same runs; the others use rule (b), delta_k^i = eta/(rho alpha ||v||), whose runs are made here.
CORRECTED_IDS = {b: f"{b}_corrected" for b in (THEOREM_ID, ITERATIONS_ID, COROLLARY_ID, TABLE_1_ID,
                                                MAIN_TEXT_ACCURACY_ID, MAIN_TEXT_ITERATIONS_ID)}
# Table 1's corrected cell (best accuracy O(eps) in eps) is judged at these fractions of the instance's epsilon:
# each must be reached within its own budget T (which grows like 1/eps^2; the runs stop when they decide).
TABLE_1_EPS_FRACTIONS = (1.0, 1 / 3, 1 / 10)


@dataclass
class CorrectedOutcome:
    bound_id: str
    outcome: object  # ConvergenceOutcome (the worst over the epsilon levels, for Table 1's cell)
    rule: str
    levels: list = field(default_factory=list)  # (epsilon, ConvergenceOutcome) judged

    @property
    def verdict(self) -> Verdict:
        return self.outcome.verdict


def step_length(bound, values: dict) -> float | None:
    """delta_k^i ||v|| under the Bound's delta rule at the instance's values; None for the printed rule (135)."""
    rule = bound.settings["delta_rule"]
    if rule == BOUNDS[THEOREM_ID].settings["delta_rule"]:
        return None
    return float(evaluate(_simplified(bound.expand(rule) * symbols.outer_grad_sample_norm), values))


@functools.lru_cache(maxsize=None)
def _simplified(expr: sp.Expr) -> sp.Expr:
    """``sp.simplify(expr)``, once per expression: it took 1-3 s a call, and five corrected statements
    share rule (b)'s delta_k^i ||v||, which was simplified again for each of them and each epsilon level."""
    return sp.simplify(expr)


def _judge_corrected_at(s: H1Setup, traj: Trajectories, bound, values: dict, delta: float, runs: int,
                        draw_seed: int):
    require_admitted(bound, values)
    accuracy = bound.settings.get("accuracy")
    if accuracy is not None:  # (125) corrected: its count is T, at the accuracy (124b)
        rhs = float(evaluate(bound.expand(accuracy), values))
    elif bound.kind.value == "scaling":  # Table 1's cell: ||grad F|| <= eps reached
        rhs = float(values["epsilon"])
    else:
        rhs = float(bound.rhs_value({**values, **{n.name: 0.0 for n in bound.lhs.free_symbols}}))
    T = int(math.ceil(evaluate(bound.settings["iteration_budget"], values)))
    step = step_length(bound, values)
    if step is None:
        if T > traj.T:
            raise ParameterError("T", f"{bound.id}: its budget {T} exceeds the printed runs' {traj.T}")
        return judge(Trajectories(traj.X[:, :T + 1], T), rhs, delta), "the printed runs (rule (135))"
    # Several corrected statements ((125), (28), (29) corrected) ask rule (b) for the same runs: made once per instance.
    made = s.__dict__.setdefault("_rule_b_runs", {})
    key = (runs, draw_seed, T, step, rhs, delta)
    if key not in made:
        made[key] = simulate(s, runs, draw_seed, T, fd_step=step, stop_rhs=rhs, delta=delta)
    return judge(made[key], rhs, delta), f"rule (b): delta_k^i ||v|| = {step:.4g}"


def judge_corrected(s: H1Setup, traj: Trajectories, bound_id: str, delta: float, *, runs: int,
                    draw_seed: int) -> CorrectedOutcome:
    """A corrected statement on the instance ``s``: its hypotheses must hold there, and it is judged like the printed one."""
    bound = BOUNDS[bound_id]
    values = dict(s.values)
    if {"K_1", "K_2"} <= {x.name for x in bound.inputs}:
        batch = ("B", "B_prime", "D_in", "D_o", "D_h", "D_beta")
        cvals = {k: v for k, v in values.items() if k != "Delta" and k not in batch}
        values["K_1"], values["K_2"] = smallest_constant(bound, cvals, float(s.params["K_ratio"]))
    # Table 1's cell is O(eps) in eps, judged over eps; (28)-(29) corrected at the instance's eps, where (28)'s excess
    # over eps must vanish (the batches are huge) and (29)'s count is the explicit 1280 Delta (...)/eps^2.
    fractions = TABLE_1_EPS_FRACTIONS if bound_id == CORRECTED_IDS[TABLE_1_ID] else (1.0,)
    levels = []
    for f in fractions:
        at = dict(values, epsilon=values["epsilon"] * f)
        outcome, rule = _judge_corrected_at(s, traj, bound, at, delta, runs, draw_seed)
        levels.append((at["epsilon"], outcome))
    worst = max((o for _, o in levels), key=lambda o: o.ratio)
    return CorrectedOutcome(bound_id, worst, rule, levels)


def instance_of(bound_id: str, seed: int, params: dict) -> Instance:
    return Instance(CHECK_IDS[bound_id], int(seed), dict(params))


def replay_command(inst: Instance) -> str:
    return f"python -m verify.replay '{inst.to_json()}'"


def main(argv: list[str] | None = None) -> int:
    """Replay: ``python -m verify.checks.h1_counterexample '<instance JSON>'`` (params: runs, draw_seed, delta, ...)."""

    argv = sys.argv[1:] if argv is None else argv
    inst = parse_replay("python -m verify.checks.h1_counterexample", main.__doc__, argv).instance
    if inst.check not in CASES_BY_ID:
        print(f"h1_counterexample: no check named {inst.check!r}", file=sys.stderr)
        return 2
    p = dict(inst.params)
    runs, draw_seed, delta = int(p.pop("runs", 10)), int(p.pop("draw_seed", 0)), float(p.pop("delta", 1e-6))
    out = run_instance(inst.seed, p, delta, runs=runs, draw_seed=draw_seed)
    o = out.outcome(CASES_BY_ID[inst.check])
    print(f"{inst.check} [{BOUNDS[CASES_BY_ID[inst.check]].reference}]: {_summary(o)}; smallest ||grad F(w_k)|| "
          f"of any run at any k <= T: {float(out.traj.X[:, :o.T + 1].min()):.6g}\n{out.setup.note}")
    for c in out.controls:
        print(f"control {c.name} (must be {c.required.value}): {c.verdict.value}; {c.note}")
    return 1 if o.verdict is Verdict.VIOLATED else 0


if __name__ == "__main__":
    raise SystemExit(main())
