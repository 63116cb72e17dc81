"""Checks of results that hold in expectation, with verdicts of stated error probability.

Each ``StatCase`` pairs a registry Bound of kind ``expectation`` with a family kind
and estimates its left-hand side on an instance by Monte Carlo over the data
batches (and the task batch B' of the stepsize), with a one-sided confidence bound
from verify/statistics.py whose choice is stated per case:

  Lemma 4.9 (19)   beta~(w) lies in (0, 1/(4L)]: bounded, so empirical Bernstein.
  Lemma 4.10 (20)  a norm of a vector mean: per-coordinate t bounds (Gaussian noise
                   and sample averages: CLT), Bonferroni over coordinates and tasks.
  Lemma 4.10 (21)  a mean of ||v||^2, unbounded: the t bound, Bonferroni over tasks.
  Theorem 4.11     grad F-hat exactly where it is closed form (quadratic per-sample
                   losses), else per-coordinate t bounds on its Monte Carlo estimate.

The right-hand side is always the registry's, evaluated on the instance.  The run's
error budget (statistics.RUN_ERROR_BUDGET) is split equally over every statistical
test the run makes (``ErrorBudget``), and recorded in the evidence.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from bounds import Bound, Relation

from .algorithms import ALL_TASKS, adapted_points, draw_meta_batches
from .evidence import CheckKey, Instance, Verdict
from .families import Family, NoisyFamily, QuadraticFamily, RegressionFamily, TrigonometricFamily
from .instances import alpha_for, certified_constants, smallest_admitted
from .objectives import meta_gradient, meta_gradient_test, stepsize_beta_tilde
from .statistics import sequential_decision, student_t, vector_mean_norm_bound, verdict

# Families for the expectation checks: per-sample noise is what these results are about.
STAT_KINDS = ("noisy-quadratic", "noisy-trigonometric", "regression")

# Monte Carlo sample sizes: the first look and the cap of the sequential decision.
FIRST_LOOK = 400
CAP = 6400


def build_stat_family(kind: str, rng: np.random.Generator, d: int, n: int, spread: float, noise: float) -> Family:
    spread = 0.1 + 1.5 * spread
    noise = 0.1 + 2.0 * noise
    if kind == "noisy-quadratic":
        fam = NoisyFamily(QuadraticFamily.random(rng, n, d, spectrum="indefinite", spread=spread), noise, noise / 2)
    elif kind == "noisy-trigonometric":
        fam = NoisyFamily(TrigonometricFamily.random(rng, n, d, spread=spread), noise, noise / 2)
    elif kind == "regression":
        fam = RegressionFamily.random(rng, n, d, samples=6, noise=noise, spread=spread / 2, radius=4.0)
    else:
        raise KeyError(f"unknown family kind {kind!r}; known: {STAT_KINDS}")
    fam.name = kind
    return fam


@dataclass
class StatOutcome:
    """The verdict on one instance: confidence bounds on the lhs, the rhs, and how they were obtained."""

    verdict: Verdict
    estimate: float
    lower: float
    upper: float
    rhs: float
    n: int
    method: str
    note: str = ""
    relation: str = "<="

    @property
    def ratio(self) -> float:
        """estimate/rhs for <=, rhs/estimate for >= (above 1: the estimate breaks the bound)."""
        num, den = (self.estimate, self.rhs) if self.relation == "<=" else (self.rhs, self.estimate)
        if den > 0:
            return num / den
        return 0.0 if num <= 0 else math.inf


@dataclass(frozen=True)
class StatCase(CheckKey):
    """One expectation check: ``bound_id`` on the family kind ``family``, and how its confidence bound is made."""

    run: Callable[["StatSetup", float], StatOutcome]
    method: str


@dataclass
class StatSetup:
    bound: Bound
    family: Family
    params: dict
    rng: np.random.Generator
    w: np.ndarray


def build_stat_setup(case: StatCase, inst: Instance) -> StatSetup:
    p = inst.params
    rng = np.random.default_rng(inst.seed)
    fam = build_stat_family(case.family, rng, int(p["d"]), int(p["n"]), float(p["spread"]), float(p["noise"]))
    w = (0.2 + 1.5 * float(p["scale"])) * rng.standard_normal(fam.dim)
    return StatSetup(case.bound, fam, dict(p), rng, w)


def _rhs(bound: Bound, values: dict, weights=None) -> float:
    lhs_names = {s.name for s in bound.lhs.free_symbols}
    full = {**{n: 0.0 for n in lhs_names}, **values}
    return float(np.max(bound.rhs_value(full, weights)))


# ---------------------------------------------------------------------- Lemma 4.9
def run_lemma_4_9(s: StatSetup, delta: float, moment: int) -> StatOutcome:
    fam, w, bound = s.family, s.w, s.bound
    consts = certified_constants(fam, w)
    L, rho, sigma, sigma_t = consts["L"], consts["rho"], consts["sigma"], consts["sigma_tilde"]
    alpha = alpha_for(bound, s.params["alpha_frac"], L)
    # B' and D_beta at the edge of (18), or above it by the instance's margin.
    extra = int(round(3 * s.params["batch_margin"]))
    edge = dict(consts, alpha=alpha)
    B_prime = smallest_admitted(bound, "B_prime", edge) + extra
    D_beta = smallest_admitted(bound, "D_beta", edge) + extra
    values = dict(L=L, rho=rho, alpha=alpha, sigma=sigma, sigma_tilde=sigma_t, B_prime=B_prime, D_beta=D_beta,
                  grad_fi_norm_w=np.linalg.norm(fam.gradient(w), axis=1))
    if not bound.admits({**values, bound.lhs.name: 0.0}, fam.probabilities):
        return StatOutcome(Verdict.PRECONDITION_FAILED, math.nan, math.nan, math.nan, math.nan, 0, "-")
    rhs = _rhs(bound, values, fam.probabilities)
    top = (1 / (4 * L)) ** moment  # beta~ lies in (0, 1/(4L)]: the range of the bounded-variable bound

    def draw(k):
        return np.array([stepsize_beta_tilde(fam, w, alpha, B_prime, D_beta, s.rng) for _ in range(k)]) ** moment

    rel = ">=" if bound.relation is Relation.GE else "<="
    dec = sequential_decision(draw, rhs, rel, delta, "empirical_bernstein", n0=FIRST_LOOK, cap=CAP, a=0.0, b=top)
    mb = dec.bound
    return StatOutcome(dec.verdict, mb.estimate, mb.lower, mb.upper, rhs, mb.n, "empirical_bernstein",
                       f"B'={B_prime}, D_beta={D_beta}, alpha L={alpha * L:.4g}", rel)


def run_lemma_4_9_first(s, delta):
    return run_lemma_4_9(s, delta, 1)


def run_lemma_4_9_second(s, delta):
    return run_lemma_4_9(s, delta, 2)


# ---------------------------------------------------------------------- Lemma 4.10
def _outer_samples(s: StatSetup, alpha: float, D_in: int, D_o: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """k independent draws of v_i = grad~ f_i(w - alpha grad~ f_i(w, D_in), D_o) for every task: (k, n, d),
    and the inner points w - alpha grad~ f_i(w, D_in) where they were taken (k, n, d)."""
    V, X = [], []
    for _ in range(k):
        batches = draw_meta_batches(s.family, ALL_TASKS, D_in, D_o, rng=s.rng)
        x = adapted_points(s.family, s.w, alpha, batches)
        X.append(x)
        V.append(s.family.batch_gradient(x, batches.outer))
    return np.stack(V), np.stack(X)


def _lemma_4_10_setting(s: StatSetup):
    fam, w = s.family, s.w
    base = certified_constants(fam, w)
    alpha = alpha_for(s.bound, s.params["alpha_frac"], base["L"])
    D_in = 1 + int(round(7 * s.params["batch_margin"]))
    D_o = 1 + int(round(7 * s.params["spread"]))
    return alpha, D_in, D_o


def run_lemma_4_10_bias(s: StatSetup, delta: float) -> StatOutcome:
    fam, w, bound = s.family, s.w, s.bound
    alpha, D_in, D_o = _lemma_4_10_setting(s)
    V, X = _outer_samples(s, alpha, D_in, D_o, CAP // 4)
    inner = w - alpha * fam.gradient(w)
    target = fam.gradient(inner)
    # sigma~ and L must hold at every point an outer gradient was taken: certify on a ball holding them.
    consts = certified_constants(fam, w, inner, X.reshape(-1, fam.dim))
    n = fam.n_tasks
    est, lo, hi = np.empty(n), np.empty(n), np.empty(n)
    for i in range(n):
        est[i], lo[i], hi[i] = vector_mean_norm_bound(V[:, i, :], target[i], delta / n)
    rhs = _rhs(bound, dict(alpha=alpha, L=consts["L"], sigma_tilde=consts["sigma_tilde"], D_in=D_in))
    v = Verdict.VIOLATED if np.any(lo > rhs) else (Verdict.HOLDS if np.all(hi <= rhs) else Verdict.INCONCLUSIVE)
    k = int(np.argmax(est))
    return StatOutcome(v, est[k], lo[k], hi[k], rhs, V.shape[0], "student_t (per coordinate, Bonferroni)",
                       f"D_in={D_in}, D_o={D_o}")


def run_lemma_4_10_second_moment(s: StatSetup, delta: float) -> StatOutcome:
    fam, w, bound = s.family, s.w, s.bound
    alpha, D_in, D_o = _lemma_4_10_setting(s)
    V, X = _outer_samples(s, alpha, D_in, D_o, CAP // 4)
    inner = w - alpha * fam.gradient(w)
    consts = certified_constants(fam, w, inner, X.reshape(-1, fam.dim))
    sq = np.einsum("kid,kid->ki", V, V)
    phi = 0.2 + 5 * float(s.params["scale"])
    rhs_all = bound.rhs_value(dict(phi=phi, grad_fi_inner_norm=np.linalg.norm(fam.gradient(inner), axis=1),
                                   alpha=alpha, L=consts["L"], sigma_tilde=consts["sigma_tilde"], D_in=D_in, D_o=D_o,
                                   outer_grad_second_moment=np.zeros(fam.n_tasks)))
    rhs_all = np.broadcast_to(rhs_all, (fam.n_tasks,))
    n = fam.n_tasks
    bounds = [student_t(sq[:, i], delta / n) for i in range(n)]
    lo = np.array([b.lower for b in bounds])
    hi = np.array([b.upper for b in bounds])
    est = np.array([b.estimate for b in bounds])
    v = Verdict.VIOLATED if np.any(lo > rhs_all) else (Verdict.HOLDS if np.all(hi <= rhs_all) else Verdict.INCONCLUSIVE)
    k = int(np.argmax(est / rhs_all))
    return StatOutcome(v, est[k], lo[k], hi[k], float(rhs_all[k]), sq.shape[0], "student_t (Bonferroni over tasks)",
                       f"phi={phi:.3g}, D_in={D_in}, D_o={D_o}")


# ---------------------------------------------------------------------- Theorem 4.11
def run_theorem_4_11(s: StatSetup, delta: float) -> StatOutcome:
    fam, w, bound = s.family, s.w, s.bound
    consts = certified_constants(fam, w)
    alpha = alpha_for(bound, s.params["alpha_frac"], consts["L"])
    D_test = 1 + int(round(7 * s.params["batch_margin"]))
    est = meta_gradient_test(fam, w, alpha, D_test, s.rng, n_samples=CAP // 2)
    G = meta_gradient(fam, w, alpha)
    # The Monte Carlo draws reach inner points w - alpha grad~ f_i(w, D_test): certify there too.
    consts = certified_constants(fam, w, w - alpha * fam.gradient(w))
    rhs = _rhs(bound, dict(alpha=alpha, L=consts["L"], sigma_tilde=consts["sigma_tilde"], sigma_H=consts["sigma_H"],
                           D_test=D_test))
    diff = np.asarray(est.value) - G
    if est.exact:
        value = float(np.linalg.norm(diff))
        lo = hi = value
        method = "exact (closed form)"
    else:
        from scipy import stats

        z = float(stats.norm.ppf(1 - delta / fam.dim))
        half = z * np.asarray(est.standard_error)
        lo_box, hi_box = diff - half, diff + half
        lo = float(np.linalg.norm(np.where(lo_box > 0, lo_box, np.where(hi_box < 0, hi_box, 0.0))))
        hi = float(np.linalg.norm(np.maximum(np.abs(lo_box), np.abs(hi_box))))
        value = float(np.linalg.norm(diff))
        method = "normal per coordinate (Monte Carlo, Bonferroni)"
    return StatOutcome(verdict(lo, hi, rhs, "<="), value, lo, hi, rhs, est.n_samples, method, f"D_test={D_test}")


_RUNS = {
    "lemma_4_9_first_moment": (run_lemma_4_9_first, "empirical_bernstein"),
    "lemma_4_9_second_moment": (run_lemma_4_9_second, "empirical_bernstein"),
    "lemma_4_10_bias": (run_lemma_4_10_bias, "student_t"),
    "lemma_4_10_second_moment": (run_lemma_4_10_second_moment, "student_t"),
    "theorem_4_11": (run_theorem_4_11, "exact or normal"),
}

# Pairs whose left side is exactly 0, so that no falsified constant could be caught and
# the pair would carry no evidence: with quadratic per-sample losses the gradient is
# affine, so the bias e_{i,k} of (20) vanishes identically; with independent gradient and
# Hessian noise on quadratic tasks grad F-hat = grad F exactly (the covariance term of
# (73) is zero).  Both facts are closed-form consequences checked in tests/.
DEGENERATE = {("lemma_4_10_bias", "noisy-quadratic"), ("lemma_4_10_bias", "regression"),
              ("theorem_4_11", "noisy-quadratic")}

STAT_CASES = [StatCase(b, k, fn, m) for b, (fn, m) in _RUNS.items() for k in STAT_KINDS
              if (b, k) not in DEGENERATE]
STAT_CASES_BY_ID = {c.id: c for c in STAT_CASES}


def run_instance(case: StatCase, inst: Instance, delta: float, bound: Bound | None = None) -> StatOutcome:
    """One instance judged by the case's Bound, or by ``bound`` (a falsified one, for the negative control)."""
    setup = build_stat_setup(case, inst)
    if bound is not None:
        setup.bound = bound
    return case.run(setup, delta)


@dataclass
class StatCheck:
    """A statistical check over its instances: the combined verdict, the worst instance, the control."""

    verdict: Verdict
    admitted: list
    tried: int
    worst_instance: Instance | None
    worst: StatOutcome | None
    control_note: str
    control_caught: bool | None
    detail: str


def judge_statistically(case, instances: list[Instance], run: Callable, delta: float) -> StatCheck:
    """Run ``case`` on each instance at error level ``delta``; combine (any violation is one); run the
    negative control, the Bound with its constant moved past the worst ratio found, at the worst instance."""
    from .pointwise import falsified

    outcomes = [(inst, run(case, inst, delta)) for inst in instances]
    admitted = [(i, o) for i, o in outcomes if o.verdict is not Verdict.PRECONDITION_FAILED]
    verdicts = {o.verdict for _, o in admitted}
    verdict = (Verdict.VIOLATED if Verdict.VIOLATED in verdicts else Verdict.INCONCLUSIVE
               if Verdict.INCONCLUSIVE in verdicts else Verdict.HOLDS if admitted else Verdict.PRECONDITION_FAILED)
    worst_inst, worst = max(admitted, key=lambda t: t[1].ratio) if admitted else (None, None)
    caught, note = None, ""
    if worst is not None:
        control_bound, note = falsified(case.bound, worst.ratio)
        caught = run(case, worst_inst, delta, control_bound).verdict is Verdict.VIOLATED
    detail = "; ".join(f"{o.verdict.value}: lhs {o.estimate:.4g} in [{o.lower:.4g}, {o.upper:.4g}] vs rhs {o.rhs:.4g} "
                       f"({o.method}; {o.note}) replay: {i.replay_command()}" for i, o in admitted)
    return StatCheck(verdict, admitted, len(outcomes), worst_inst, worst, note, caught, detail)


def evidence_of(case, check: StatCheck, run_seed: int, delta: float, finding_id: str | None):
    """The Evidence record of a statistical check."""
    from .evidence import Evidence

    b, w = case.bound, check.worst
    return Evidence(
        b.id, b.reference, b.kind.value, case.family, check.verdict, instances=check.tried,
        admitted=len(check.admitted), worst_ratio=None if w is None else w.ratio,
        worst_lhs=None if w is None else w.estimate, worst_rhs=None if w is None else w.rhs,
        worst_instance=check.worst_instance, seed=run_seed, negative_control=check.control_note,
        negative_control_caught=check.control_caught,
        finding=finding_id if finding_id and check.verdict is Verdict.VIOLATED else None,
        ratios=[o.ratio for _, o in check.admitted],
        note="" if w is None else (f"{w.method}; lhs in [{w.lower:.4g}, {w.upper:.4g}] from {w.n} samples; {w.note}; "
                                   f"error probability per one-sided bound {delta:.2g}"))
