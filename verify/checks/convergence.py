"""Checks of the convergence theorems F.1 (MAML), G.1 (FO-MAML) and H.1 (HF-MAML): the best iterate's E||grad F||.

Each theorem says: with its stepsize beta_k = c beta~(w_k) (c = 1/12, 1/18, 1/25 from the
registry's settings), batch sizes meeting its hypotheses (B >= 20, the D_h condition,
(18) for B' and D_beta) and, for H.1, the delta rule, some iterate k <= T of the
algorithm has E||grad F(w_k)|| at most the accuracy (76), (106), (124), where T is the
explicit budget of (105) (settings["iteration_budget"], 1600 Delta (L + rho alpha
(sigma + epsilon)) / epsilon^2, 3200 for H.1).  The registry reads "finds a solution"
as min_{k <= T} E||grad F(w_k)|| <= rhs; that is what is judged here.

How an instance is judged (``judge``), from R independent runs X[r, k] = ||grad F(w_k)||
(exact grad F, (6)), with the instance's share delta of the run's error budget per side:

  holds       at some checkpoint k_j of a grid fixed before the runs (geometric in
              [0, T], ``checkpoints``), the one-sided t upper bound on E X_k (error
              delta / K, Bonferroni over the K checkpoints) is <= rhs.  This needs no
              run beyond k_j: min over a subset of k <= T bounds the min over all k from
              above, so the runs stop there (``stop_early``).
  violated    the runs reached T and a lower bound on min_{k <= T} E X_k exceeds rhs.
              Two lower bounds, each with delta / 2: the smallest over every k <= T of
              the t lower bound on E X_k (Bonferroni over the T + 1 iterates), and the t
              lower bound on E[min_k X_k], which is <= min_k E X_k (Jensen for min).
  inconclusive otherwise (e.g. the profile's iteration cap stopped the runs before T).

The t bound is used because ||grad F(w_k)|| has no a priori bound along a run; its
level is exact for Gaussian run means and asymptotic (central limit theorem over
independent runs) otherwise: that is the approximation this verdict rests on.

Delta = F(w_0) - min F.  For quadratic tasks with a shared positive-definite Hessian
(Appendix I's tasks) min F is exact: F is a convex quadratic and its minimiser is w* of
(156) (``QuadraticFamily.maml_solution``).  For the trigonometric tasks min F is not
known; F(w) = E_i f_i(w - alpha grad f_i(w)) >= E_i inf f_i, and inf f_i has the lower
bound of ``trigonometric_loss_floor``, so Delta is bounded from above and the budget T
from (105) is larger than the theorem's, which can only help the algorithm: a
violation found with it is a violation of the theorem; holding is a weaker statement.

Epsilon is chosen per instance as ``eps_frac`` times the largest other term of the
accuracy bound (the batch-noise terms): with eps_frac = 1 the accuracy is the noise
term itself and the budget (105) is the smallest that reaches it.  This keeps T
affordable; epsilon far below the noise terms would not change the accuracy but would
multiply the budget by (noise / eps)^2.
"""
from __future__ import annotations

import copy
import json
import math
import sys
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from bounds import BOUNDS, Bound, evaluate

from verify.model.algorithms import run
from verify.model.errors import ParameterError
from verify.judge.evidence import Instance, Verdict
from verify.model.families import Family, NoisyFamily, QuadraticFamily, TrigonometricFamily
from .instances import alpha_for, smallest_admitted
from .user_families import case_by_id, cases_for_run, is_user_kind, user_family
from verify.model.objectives import meta_gradient, meta_objective, smoothness_L_of_w
from verify.judge.cli import parse_replay

# The theorem of each algorithm (its accuracy Bound carries the stepsize factor, the budget, the delta rule).
THEOREMS = {"maml": "theorem_f_1_accuracy", "fo_maml": "theorem_g_1_accuracy", "hf_maml": "theorem_h_1_accuracy"}

CONVERGENCE_KINDS = ("noisy-quadratic-pd", "noisy-trigonometric")

# Checkpoints of the "holds" test: this many points of a geometric grid over [0, T].
# Few points keep the Bonferroni factor small; geometric spacing follows the linear
# (in log) decrease of ||grad F|| before the noise floor.
CHECKPOINTS = 18

# For quadratic tasks rho = 0: the difference (11) is the exact Hessian-vector product
# for every delta, and H.1's rule 1/(6 rho alpha ||v||) gives no finite delta.  Any
# delta then runs the same algorithm; this one keeps the points w +- delta v at the
# scale of the iterates.
DELTA_WHEN_RHO_IS_ZERO = 1.0


@dataclass(frozen=True)
class ConvergenceCase:
    """One convergence check: the accuracy Bound of ``algorithm``'s theorem on the family kind ``family``."""

    algorithm: str
    family: str

    @property
    def bound_id(self) -> str:
        return THEOREMS[self.algorithm]

    @property
    def bound(self) -> Bound:
        return BOUNDS[self.bound_id]

    @property
    def id(self) -> str:
        return f"{self.bound_id}@{self.family}"


CONVERGENCE_CASES = [ConvergenceCase(a, k) for a in THEOREMS for k in CONVERGENCE_KINDS]
CONVERGENCE_CASES_BY_ID = {c.id: c for c in CONVERGENCE_CASES}


def why_not_applicable(family: Family) -> str | None:
    """Why a user's family cannot be run by the convergence checks, or None when it can."""
    if family.loss_infimum() is None:
        return ("no lower bound on inf f_i declared (Family.loss_infimum): Delta = F(w_0) - min F, and so the "
                "theorems' iteration budget T, has no upper bound")
    return None


def _user_case(bound_id: str, kind: str) -> ConvergenceCase | None:
    algorithm = {b: a for a, b in THEOREMS.items()}.get(bound_id)
    if algorithm is None or why_not_applicable(user_family(kind)) is not None:
        return None
    return ConvergenceCase(algorithm, kind)


def run_cases() -> list[ConvergenceCase]:
    """The built-in families' checks (unless --only-user-families) and each user family's that can run."""
    return cases_for_run(CONVERGENCE_CASES, THEOREMS.values(), _user_case)


def case_for(check_id: str) -> ConvergenceCase | None:
    """The convergence check ``theorem@kind``, a user's family's included."""
    return case_by_id(check_id, CONVERGENCE_CASES_BY_ID, _user_case)


# ---------------------------------------------------------------------- families and min F
def trigonometric_loss_floor(fam: TrigonometricFamily) -> np.ndarray:
    """A lower bound on inf f_i for each task with lambda_ij > 0: in the basis z = Q_i'w,
    f_i = sum_j [lambda_ij z_j^2/2 + (Q_i'b_i)_j z_j + a_ij cos(.)] + c_i >= -sum_j (Q_i'b_i)_j^2 / (2 lambda_ij)
    - sum_j |a_ij| + c_i."""
    if np.any(fam.lam <= 0):
        raise ParameterError("lam", "the floor needs every lambda_ij > 0 (f_i bounded below)")
    qb = np.einsum("tji,tj->ti", fam.Q, fam.b)
    return -np.sum(qb ** 2 / (2 * fam.lam), axis=1) - np.sum(np.abs(fam.a), axis=1) + fam.c


def build_convergence_family(kind: str, rng: np.random.Generator, d: int, n: int, spread: float,
                             noise: float) -> Family:
    """Tasks on which Assumptions 4.3-4.6 hold on all of R^d (so every iterate is covered) and F is bounded below.

    ``noisy-quadratic-pd``: Appendix I's positive-definite tasks with one shared Hessian (then
    sigma is finite on R^d) and Appendix J's gradient and Hessian noise.
    ``noisy-trigonometric``: quadratic-plus-cosine tasks in one shared basis with positive
    curvatures lambda (F bounded below, rho > 0 so H.1's delta rule is exercised), with noise.
    """
    if is_user_kind(kind):  # a user's family is fixed: d, n, spread and noise do not apply
        fam = copy.copy(user_family(kind))
        fam.name = kind
        return fam
    if kind == "noisy-quadratic-pd":
        base = QuadraticFamily.random(rng, n, d, spectrum="positive_definite", floor=0.5, shared_hessian=True,
                                      spread=0.1 + spread)
    elif kind == "noisy-trigonometric":
        t = TrigonometricFamily.random(rng, n, d, amplitude=0.05, frequency=2.0, spread=0.1 + spread,
                                       shared_basis=True)
        lam = 0.6 + 0.4 * np.abs(t.lam)
        base = TrigonometricFamily(t.Q, lam, t.a, t.s, t.phi, t.b, t.c, t.probabilities)
    else:
        raise KeyError(f"unknown family kind {kind!r}; known: {CONVERGENCE_KINDS}")
    fam = NoisyFamily(base, noise, noise)
    fam.name = kind
    return fam


def reference_point(fam: Family, alpha: float) -> tuple[np.ndarray, float, bool]:
    """(w_ref, a lower bound on min F, whether it is min F itself).

    Quadratic: w* of (156) and F(w*) (exact).  Trigonometric: the p-weighted mean of the
    task floors (a lower bound), and w_ref = the minimiser of the quadratic part of F
    around which the starting points are drawn.
    """
    base = fam.base if isinstance(fam, NoisyFamily) else fam
    if is_user_kind(fam.name) or not isinstance(base, (QuadraticFamily, TrigonometricFamily)):
        return _user_reference_point(fam, alpha)
    if isinstance(base, QuadraticFamily):
        w_star = base.maml_solution(alpha)
        return w_star, meta_objective(fam, w_star, alpha), True
    if isinstance(base, TrigonometricFamily):
        floor = float(base.probabilities @ trigonometric_loss_floor(base))
        A = np.einsum("tij,tj,tkj->tik", base.Q, base.lam, base.Q)
        w_ref = -np.linalg.solve(np.einsum("t,tij->ij", base.probabilities, A), base.probabilities @ base.b)
        return w_ref, floor, False


# Gradient steps on F that find a user's family's reference point (the starts are drawn around it).
USER_REFERENCE_STEPS = 500


def _user_reference_point(fam: Family, alpha: float) -> tuple[np.ndarray, float, bool]:
    """Any other family (a user's): w_ref a near-stationary point of F (gradient descent from the domain's centre with step
    1/L(w), Lemma 4.8's smoothness of F from the registry), and min F >= E_i inf f_i (Family.loss_infimum)."""
    floor = fam.loss_infimum()
    if floor is None:
        raise ParameterError("loss_infimum", why_not_applicable(fam))
    w = fam.domain.centre_in(fam.dim).copy()
    for _ in range(USER_REFERENCE_STEPS):
        g = meta_gradient(fam, w, alpha)
        if not np.all(np.isfinite(g)) or np.linalg.norm(g) < 1e-12:
            break
        step = w - g / smoothness_L_of_w(fam, w, alpha)
        if not fam.domain.contains(step):
            break
        w = step
    return w, float(fam.probabilities @ np.asarray(floor, dtype=float)), False


def _reach_along(domain, w: np.ndarray, u: np.ndarray) -> float:
    """The largest t with w + t u in the ball (u a unit vector, w inside)."""
    z = w - domain.centre_in(len(w))
    b = float(z @ u)
    return max(-b + float(np.sqrt(max(b * b - (z @ z - domain.radius ** 2), 0.0))), 0.0)


def draw_start(fam: Family, alpha: float, grad_norm: float, rng: np.random.Generator) -> tuple[np.ndarray, float, bool]:
    """(w0, Delta = F(w0) - min F or an upper bound on it, whether Delta is exact).

    The start: the reference point w_ref plus a random direction (drawn from ``rng``), at
    the distance where ||grad F(w0)|| is ``grad_norm`` (exact for quadratics, where grad F
    is linear; a first-order guess otherwise).
    """
    w_ref, min_F, exact_min = reference_point(fam, alpha)
    u = rng.standard_normal(fam.dim)
    u /= np.linalg.norm(u)
    if fam.domain.is_global:
        g1 = float(np.linalg.norm(meta_gradient(fam, w_ref + u, alpha) - meta_gradient(fam, w_ref, alpha)))
        w0 = w_ref + (grad_norm / g1) * u
    else:
        # A family certified on a ball (a user's): the secant and w0 stay inside it, w0 at most 9/10 of the way
        # from w_ref to the boundary along u.
        reach = _reach_along(fam.domain, w_ref, u)
        h = min(1.0, 0.5 * reach)
        g1 = float(np.linalg.norm(meta_gradient(fam, w_ref + h * u, alpha) - meta_gradient(fam, w_ref, alpha))) / h
        w0 = w_ref + min(grad_norm / g1, 0.9 * reach) * u
    return w0, max(meta_objective(fam, w0, alpha) - min_F, 0.0), exact_min


# ---------------------------------------------------------------------- one instance
@dataclass
class ConvergenceSetup:
    """Everything one instance fixes: the family, alpha, w0, the batch sizes, epsilon, rhs and the budget T."""

    case: ConvergenceCase
    bound: Bound
    family: Family
    alpha: float
    w0: np.ndarray
    values: dict
    rhs: float
    T: int
    Delta: float
    Delta_exact: bool
    batches: dict
    delta: object
    seed: int
    note: str = ""


def build_setup(case: ConvergenceCase, inst: Instance) -> ConvergenceSetup:
    p = inst.params
    rng = np.random.default_rng(inst.seed)
    fam = build_convergence_family(case.family, rng, int(p["d"]), int(p["n"]), float(p["spread"]),
                                   float(p["noise"]))
    return theorem_setup(case, fam, alpha_frac=float(p["alpha_frac"]), D_in=int(p["D_in"]), D_o=int(p["D_o"]),
                         eps_frac=float(p["eps_frac"]), start_ratio=float(p["start_ratio"]), rng=rng, seed=inst.seed)


def theorem_setup(case: ConvergenceCase, fam: Family, *, alpha_frac: float, D_in: int, D_o: int, eps_frac: float,
                  rng: np.random.Generator, seed: int, start_ratio: float | None = None,
                  w0: np.ndarray | None = None) -> ConvergenceSetup:
    """The theorem's run on ``fam``: alpha, the batch sizes at the edge of its hypotheses, epsilon, the accuracy
    bound, w0 (given, or drawn where ||grad F(w0)|| is ``start_ratio`` times the bound), Delta and the budget T."""
    bound = case.bound
    c = fam.constants.values()
    alpha = alpha_for(bound, alpha_frac, c["L"])
    values = dict(L=c["L"], rho=c["rho"], sigma=c["sigma"], sigma_tilde=c["sigma_tilde"], sigma_H=c["sigma_H"],
                  alpha=alpha, D_in=D_in, D_o=D_o)
    # Batch sizes at the edge of the theorem's hypotheses: B >= 20, the D_h condition, (18).
    for name in ("B", "D_h", "B_prime", "D_beta"):
        values[name] = smallest_admitted(bound, name, values)
    lhs_names = {s.name: 0.0 for s in bound.lhs.free_symbols}
    # The batch-noise terms of the accuracy: the bound with epsilon negligible.
    noise_level = float(bound.rhs_value({**values, **lhs_names, "epsilon": 1e-300}))
    values["epsilon"] = eps_frac * noise_level
    rhs = float(bound.rhs_value({**values, **lhs_names}))

    if w0 is None:
        w0, Delta, exact_min = draw_start(fam, alpha, start_ratio * rhs, rng)
    else:
        _, min_F, exact_min = reference_point(fam, alpha)
        Delta = max(meta_objective(fam, w0, alpha) - min_F, 0.0)
    T = int(math.ceil(evaluate(bound.settings["iteration_budget"], {**values, "Delta": Delta})))
    delta = "theorem_h_1" if case.algorithm == "hf_maml" and c["rho"] > 0 else DELTA_WHEN_RHO_IS_ZERO
    batches = {k: values[k] for k in ("B", "D_in", "D_o", "D_h", "B_prime", "D_beta")}
    note = (f"alpha L={alpha * c['L']:.3g}, B={values['B']}, D_in={values['D_in']}, D_o={values['D_o']}, "
            f"D_h={values['D_h']}, B'={values['B_prime']}, D_beta={values['D_beta']}, epsilon={values['epsilon']:.3g}, "
            f"Delta={Delta:.3g} ({'exact' if exact_min else 'upper bound from a lower bound on min F'}), T={T}, "
            f"||grad F(w0)||={float(np.linalg.norm(meta_gradient(fam, w0, alpha))):.3g}")
    if case.algorithm == "hf_maml" and delta == DELTA_WHEN_RHO_IS_ZERO:
        note += f", delta={DELTA_WHEN_RHO_IS_ZERO} (rho = 0: (11) is exact for every delta)"
    return ConvergenceSetup(case, bound, fam, alpha, w0, values, rhs, T, Delta, exact_min, batches, delta,
                            seed, note)


def checkpoints(T: int, K: int = CHECKPOINTS) -> np.ndarray:
    """The grid of the 'holds' test, fixed by T alone before any run: 0, T and a geometric grid between."""
    if T <= 0:
        return np.array([0])
    grid = np.unique(np.round(np.geomspace(1, T, K - 1)).astype(int))
    return np.unique(np.concatenate([[0], grid, [T]]))


@dataclass
class Trajectories:
    """||grad F(w_k)|| of R independent runs, k = 0..reached (inf after a run diverged)."""

    X: np.ndarray  # (R, reached + 1)
    T: int
    outcomes: list = field(default_factory=list)

    @property
    def reached(self) -> int:
        return self.X.shape[1] - 1


def simulate(s: ConvergenceSetup, runs: int, cap: int, delta_holds: float | None) -> Trajectories:
    """Advance ``runs`` independent runs in step, checkpoint to checkpoint, up to min(T, cap).

    With ``delta_holds`` set, stop at the first checkpoint where the 'holds' test passes
    (see the module docstring); with None, run to min(T, cap) (the negative control needs
    every k <= T).  Run r draws from its own generator, seeded from (instance seed, r).
    """
    stepsize_factor = float(s.bound.settings["stepsize_factor"])
    end = min(s.T, cap)
    grid = [k for k in checkpoints(s.T) if k <= end]
    if grid[-1] != end:
        grid.append(end)
    K = len(checkpoints(s.T))
    rngs = [np.random.default_rng([s.seed, 1, r]) for r in range(runs)]
    ws = [s.w0.copy() for _ in range(runs)]
    X = np.full((runs, end + 1), np.inf)
    outcomes = ["completed"] * runs
    done = [False] * runs
    prev = 0
    for k in grid:
        for r in range(runs):
            if done[r]:
                continue
            tr = run(s.case.algorithm, s.family, ws[r], s.alpha, k - prev, rng=rngs[r], B=s.batches["B"],
                     D_in=s.batches["D_in"], D_o=s.batches["D_o"], D_h=s.batches["D_h"],
                     stepsize_factor=stepsize_factor, B_prime=s.batches["B_prime"], D_beta=s.batches["D_beta"],
                     delta=s.delta if s.case.algorithm == "hf_maml" else None)
            X[r, prev:prev + len(tr.grad_F_norm)] = tr.grad_F_norm
            ws[r] = tr.w
            if tr.outcome != "completed":
                # A diverged run keeps ||grad F|| = inf from here on: it can only count against the theorem.
                outcomes[r], done[r] = tr.outcome, True
        prev = k
        if delta_holds is not None and _upper(X[:, k], delta_holds / K) <= s.rhs:
            return Trajectories(X[:, :k + 1], s.T, outcomes)
    return Trajectories(X, s.T, outcomes)


def _upper(x: np.ndarray, delta: float) -> float:
    if not np.all(np.isfinite(x)):
        return math.inf
    return _t_bound(x, delta, +1)


def _lower(x: np.ndarray, delta: float) -> float:
    if not np.all(np.isfinite(x)):
        return math.inf if np.sum(~np.isfinite(x)) == x.size else _t_bound(np.where(np.isfinite(x), x, 0.0), delta, -1)
    return _t_bound(x, delta, -1)


def _t_bound(x: np.ndarray, delta: float, side: int) -> float:
    n = x.size
    h = float(stats.t.ppf(1.0 - delta, n - 1)) * float(x.std(ddof=1)) / math.sqrt(n)
    return float(x.mean()) + side * h


@dataclass
class ConvergenceOutcome:
    verdict: Verdict
    estimate: float  # min over the iterates run of the mean over runs of ||grad F(w_k)||
    best_k: int
    lower: float
    upper: float
    rhs: float
    T: int
    reached: int
    runs: int
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.estimate / self.rhs if self.rhs > 0 else math.inf


def judge(traj: Trajectories, rhs: float, delta: float) -> ConvergenceOutcome:
    """The three-way verdict on min_{k <= T} E||grad F(w_k)|| <= rhs from the runs (module docstring)."""
    X, T = traj.X, traj.T
    R = X.shape[0]
    grid = [k for k in checkpoints(T) if k <= traj.reached]
    K = len(checkpoints(T))
    uppers = np.array([_upper(X[:, k], delta / K) for k in grid])
    upper = float(uppers.min())
    means = np.where(np.all(np.isfinite(X), axis=0), X.mean(axis=0), np.inf)
    best_k = int(np.argmin(means))
    lower = -math.inf
    if traj.reached >= T:
        # Every k <= T was observed: simultaneous lower bounds (each method with delta / 2).
        lower_all = min(_lower(X[:, k], delta / (2 * (T + 1))) for k in range(T + 1))
        lower_min = _lower(X.min(axis=1), delta / 2)
        lower = max(lower_all, lower_min)
    if upper <= rhs:
        v = Verdict.HOLDS
    elif lower > rhs:
        v = Verdict.VIOLATED
    else:
        v = Verdict.INCONCLUSIVE
    diverged = sum(o != "completed" for o in traj.outcomes)
    note = f"{R} runs, iterates 0..{traj.reached} of T={T}" + (f", {diverged} runs diverged" if diverged else "")
    return ConvergenceOutcome(v, float(means[best_k]), best_k, lower, upper, rhs, T, traj.reached, R, note)


def run_instance(case: ConvergenceCase, inst: Instance, delta: float, *, runs: int, cap: int,
                 full: bool = False) -> tuple[ConvergenceSetup, Trajectories, ConvergenceOutcome]:
    """Build the instance, run it (stopping at the first checkpoint that decides 'holds' unless ``full``), judge it."""
    s = build_setup(case, inst)
    traj = simulate(s, runs, cap, None if full else delta)
    return s, traj, judge(traj, s.rhs, delta)


# ---------------------------------------------------------------------- the public entry points
@dataclass(frozen=True)
class TheoremBudget:
    """What Theorem F.1, G.1 or H.1 promises on a family from w0, and what it takes (``theorem_budget``)."""

    theorem: str  # the accuracy Bound's id: theorem_f_1_accuracy, theorem_g_1_accuracy, theorem_h_1_accuracy
    reference: str
    algorithm: str
    alpha: float
    batches: dict  # B, D_in, D_o, D_h, B_prime, D_beta
    epsilon: float
    accuracy: float  # the right side: min_{k <= T} E||grad F(w_k)|| is at most this after T iterations
    Delta: float  # F(w0) - min F, or an upper bound on it (Delta_exact False)
    Delta_exact: bool
    T: int  # the theorem's iteration budget for this Delta and epsilon
    stepsize_factor: float  # beta_k = stepsize_factor * beta~(w_k), (16)-(17)
    note: str


def _public_setup(family, algorithm, w0, alpha_frac, D_in, D_o, eps_frac, seed):
    from verify.model.errors import check_finite, check_batch_size

    if not isinstance(family, Family):
        raise ParameterError("family", f"expected a Family, got {type(family).__name__}")
    if algorithm not in THEOREMS:
        raise ParameterError("algorithm", f"{algorithm!r} is not one of {', '.join(THEOREMS)}")
    w0 = check_finite("w0", w0, ndim=(1,))
    if w0.shape != (family.dim,):
        raise ParameterError("w0", f"has shape {w0.shape}, the family has dimension {family.dim}")
    family.domain.require(w0, "w0")
    if not 0 < float(alpha_frac) <= 1:
        raise ParameterError("alpha_frac", f"must be in (0, 1] (the fraction of the admitted alpha L), got "
                                           f"{alpha_frac!r}")
    if not float(eps_frac) > 0:
        raise ParameterError("eps_frac", f"must be positive (epsilon as a multiple of the noise level), got "
                                         f"{eps_frac!r}")
    D_in, D_o = check_batch_size("D_in", D_in), check_batch_size("D_o", D_o)
    case = ConvergenceCase(algorithm, family.name)
    return theorem_setup(case, family, alpha_frac=float(alpha_frac), D_in=D_in, D_o=D_o, eps_frac=float(eps_frac),
                         rng=np.random.default_rng(seed), seed=seed, w0=w0)


def theorem_budget(family: Family, algorithm: str, w0, *, alpha_frac: float = 1.0, D_in=1, D_o=1,
                   eps_frac: float = 1.0) -> TheoremBudget:
    """Theorem F.1 (``maml``), G.1 (``fo_maml``) or H.1 (``hf_maml``) on ``family`` from ``w0``.

    alpha is ``alpha_frac`` of the largest alpha the theorem admits for the family's L; B, D_h, B' and
    D_beta are the smallest the hypotheses admit; epsilon is ``eps_frac`` times the accuracy's noise
    level; Delta = F(w0) - min F, exact for quadratic tasks, else bounded from the tasks' loss floors
    (``Family.loss_infimum``, a ``ParameterError`` naming it where the family declares none).
    """
    s = _public_setup(family, algorithm, w0, alpha_frac, D_in, D_o, eps_frac, 0)
    return TheoremBudget(s.bound.id, s.bound.reference, algorithm, s.alpha, dict(s.batches), s.values["epsilon"],
                         s.rhs, s.Delta, s.Delta_exact, s.T, float(s.bound.settings["stepsize_factor"]), s.note)


def judge_convergence(family: Family, algorithm: str, w0, *, runs: int = 10, cap: int = 2000, delta: float = 1e-3,
                      seed: int = 0, alpha_frac: float = 1.0, D_in=1, D_o=1,
                      eps_frac: float = 1.0) -> tuple[TheoremBudget, ConvergenceOutcome]:
    """The statistical verdict of ``pytest verify``'s convergence checks on any family: ``runs`` independent runs
    of the theorem's algorithm from w0, judged on min_k E||grad F(w_k)|| against the accuracy with error
    probability ``delta`` (t bounds over runs; 'inconclusive' where the runs cannot decide within ``cap``
    iterations).  Every run draws from ``default_rng([seed, r])``: the same arguments give the same verdict."""
    from verify.model.errors import check_positive

    if isinstance(runs, bool) or not isinstance(runs, (int, np.integer)) or runs < 2:
        raise ParameterError("runs", f"at least 2 independent runs are needed for a confidence bound, got {runs!r}")
    if isinstance(cap, bool) or not isinstance(cap, (int, np.integer)) or cap < 1:
        raise ParameterError("cap", f"must be a positive number of iterations, got {cap!r}")
    check_positive("delta", delta)
    if not delta < 1:
        raise ParameterError("delta", f"an error probability must be below 1, got {delta!r}")
    s = _public_setup(family, algorithm, w0, alpha_frac, D_in, D_o, eps_frac, seed)
    budget = TheoremBudget(s.bound.id, s.bound.reference, algorithm, s.alpha, dict(s.batches), s.values["epsilon"],
                           s.rhs, s.Delta, s.Delta_exact, s.T, float(s.bound.settings["stepsize_factor"]), s.note)
    traj = simulate(s, int(runs), int(cap), float(delta))
    return budget, judge(traj, s.rhs, float(delta))


def replay_arguments(argv: list[str], prog: str = "python -m verify.checks.convergence") -> tuple[Instance, int, int, float]:
    """``'<instance JSON>' [runs] [cap] [delta]``: the instance and its runs, cap and error level (from the
    command line, else the instance's recorded ones, else 16 runs, no cap, 1e-4)."""

    args = parse_replay(prog, "Replay one recorded instance", argv, optional=("runs", "cap", "delta"))
    inst = args.instance
    runs = args.runs if args.runs is not None else int(inst.params.get("runs", 16))
    cap = args.cap if args.cap is not None else int(inst.params.get("cap", 10 ** 9))
    delta = args.delta if args.delta is not None else float(inst.params.get("delta", 1e-4))
    return inst, runs, cap, delta


def main(argv: list[str] | None = None) -> int:
    """Replay one recorded instance: ``python -m verify.checks.convergence '<instance JSON>' [runs] [cap] [delta]``."""
    argv = sys.argv[1:] if argv is None else argv
    inst, runs, cap, delta = replay_arguments(argv)
    case = case_for(inst.check)
    if case is None:
        print(f"python -m verify.checks.convergence: no convergence check named {inst.check!r}", file=sys.stderr)
        return 2
    s, _, out = run_instance(case, inst, delta, runs=runs, cap=cap, full=bool(inst.params.get("full", False)))
    print(f"{case.id} [{s.bound.reference}]: {out.verdict.value}; best mean ||grad F|| {out.estimate:.4g} at k="
          f"{out.best_k}, bounds [{out.lower:.4g}, {out.upper:.4g}] vs rhs {out.rhs:.4g}; {out.note}; {s.note}")
    return 1 if out.verdict is Verdict.VIOLATED else 0


def replay_command(inst: Instance) -> str:
    return f"python -m verify.checks.convergence '{json.dumps({'check': inst.check, 'seed': inst.seed, 'params': inst.params}, sort_keys=True)}'"


if __name__ == "__main__":
    raise SystemExit(main())
