"""Checks of Corollaries 4.13, 4.16, H.2 and of the iteration bounds of Theorems F.1, G.1, H.1 ((77), (107), (125)).

Two kinds of registry Bound (kind CONVERGENCE), both run with the machinery of
verify/checks/convergence.py (``simulate``: R independent runs advanced checkpoint to checkpoint;
``judge``: t bounds over runs) on its families (``build_convergence_family``: Appendix I's
positive-definite quadratics with a shared Hessian, and quadratic-plus-cosine tasks with
positive curvature, both with Appendix J's noise; Assumptions 4.3-4.6 hold on all of R^d).

Corollaries ``corollary_4_13`` (MAML, (25)), ``corollary_4_16`` (FO-MAML, (27)),
``corollary_h_2`` (HF-MAML, (151)): min_{k <= T} E||grad F(w_k)|| <= rhs, with T the
Bound's ``settings["iteration_budget"]``.  An instance is built inside every hypothesis
of the Bound, each threshold read from the registry (``build_corollary_setup``):

  * 4.13 and H.2: epsilon = eps_scale * sigma (sigma the family's certified constant);
    K_2 = K_ratio * K_1 and K_1 the smallest value the Bound's constant conditions admit
    ("61 (1 + rho alpha sigma / L)(1/K_1 + 2/K_2) <= 1" and its epsilon twin; 36 for
    H.2), solved exactly from the registry's relations (``smallest_constant``); rhs = epsilon.
  * 4.16: K_1, K_2 are instance parameters (the corollary holds for every positive
    pair; its rhs, the registry's explicit O(alpha sigma L), depends on them); the
    budget is (105)'s with epsilon = alpha sigma L (the Bound's settings).
  * batch sizes at the edge: B, D_in, D_h, B', D_beta by ``instances.smallest_admitted``
    (B >= 20 and (25)/(27)/(151), D_in's condition, the D_h rule, (18)); D_o as the
    smallest integer with B D_o above the registry's threshold (``smallest_admitted``
    reads only "name >= expr"; the product condition is solved for D_o once B is fixed,
    ``smallest_product_admitted``).
  * the Bound itself then decides the instance (``Bound.rhs_value``): an instance outside
    any hypothesis raises ``PreconditionFailed`` naming it, never runs.

Iteration bounds ``theorem_{f,g,h}_1_iterations``: lhs is the first k at which
E||grad F(w_k)|| (the mean over independent runs) is at most the theorem's accuracy bound
(76)/(106)/(124), rhs the count (105) (1600, 3200 for H.1) evaluated at the instance's
Delta = F(w_0) - min F.  Instances are the theorem's (``convergence.build_setup``:
batch sizes at the edge, epsilon = eps_frac times the batch-noise term), with the start
above the accuracy (start_ratio > 1): a start below it gives lhs = 0, which says nothing.
k <= rhs means k <= floor(rhs), so the runs are judged with T = floor(rhs).

Statistical decision of an iteration bound (``judge_iterations``).  lhs <= T is the event
"E X_k <= accuracy for some k <= T" (X[r, k] = ||grad F(w_k)|| of run r), the event
``convergence.judge`` decides for the accuracy statement with rhs = accuracy; the verdict
is therefore judge's on the runs truncated at T:

  holds       at a checkpoint k_j <= T of the grid fixed by T (``checkpoints``), the t upper
              bound on E X_{k_j} (Bonferroni over the grid) is <= accuracy: then lhs <= k_j <= T.
              The runs stop at the first such checkpoint (``simulate``'s early stop).
  violated    the runs reached T and simultaneous lower bounds exceed the accuracy at every
              k <= T (t bounds at every k with Bonferroni over the T + 1 iterates, or the t
              bound on E[min_k X_k] <= min_k E X_k): then lhs > T.
  inconclusive otherwise (the cap stopped the runs before T).

Why this method: ||grad F(w_k)|| has no a priori bound along a run (no Hoeffding or
Bernstein bound applies), the runs are independent and identically distributed, so the
t bound over runs (exact for Gaussian run means, valid by the central limit theorem
otherwise) is the natural one; Bonferroni over a grid fixed by T alone, before any run,
keeps the 'holds' test valid although the runs stop at the first checkpoint that passes.
The reported lhs is the point estimate k_hat (first k whose mean over runs is <=
accuracy), bracketed by [k_lower, k_upper]: k_upper the checkpoint that decided 'holds',
k_lower the first k whose simultaneous lower bound is <= accuracy.  The ratio is k_hat / rhs.

Negative controls (verify/checks/test_corollaries.py).  Corollaries: the accuracy multiplied by
half the measured ratio (``pointwise.falsified``), judged on the runs of an instance that
reached T.  Iteration bounds: the count multiplied by half the measured ratio, i.e.
floor(k_hat / 2), an iteration count below the first k at which the mean reaches the
accuracy; since the start lies above it, E X_k exceeds the accuracy for every k <= k_hat/2
and the same judge must say 'violated'.

Cost.  One iteration of any algorithm costs about 2.5 ms of Python overhead nearly
independent of B (vectorised over tasks) and of D_in, D_o, D_h (the noise of a batch of
Appendix J's noisy tasks is drawn once per batch, with variance 1/D), so a check's time is
runs x iterations.  Everything is scale-free in epsilon: with the start at start_ratio x
rhs, Delta ~ (start_ratio rhs)^2 / mu and T ~ 1600 Delta L / rhs^2 ~ start_ratio^2 L / mu,
while epsilon relative to sigma only sets B ~ K_1 / eps_scale^2.  So the instances take
eps_scale near 1-2 (B between 20 and a few hundred, D_in ~ K_2 (sigma~/eps)^2) and two
starts: one well below the accuracy (T of a few dozen, the runs reach T: tightness and the
negative control) and one above it (the algorithm must descend; the runs stop at the first
checkpoint that decides).
"""
from __future__ import annotations

import dataclasses
import json
import math
import sys
from dataclasses import dataclass

import numpy as np
import sympy as sp

from bounds import BOUNDS, Bound, PreconditionFailed, evaluate, symbols

from .convergence import (DELTA_WHEN_RHO_IS_ZERO, ConvergenceCase, ConvergenceOutcome, ConvergenceSetup,
    Trajectories, _lower, _upper, build_convergence_family, build_setup, checkpoints, draw_start, judge,
    replay_arguments, simulate)
from verify.model.errors import ParameterError
from verify.judge.evidence import Instance, Verdict
from .instances import _as_written, alpha_for, smallest_admitted
from verify.model.objectives import meta_gradient

COROLLARY_IDS = ("corollary_4_13", "corollary_4_16", "corollary_h_2")
ITERATION_IDS = ("theorem_f_1_iterations", "theorem_g_1_iterations", "theorem_h_1_iterations")

BATCH_NAMES = ("B", "D_in", "D_o", "D_h", "B_prime", "D_beta")


@dataclass(frozen=True)
class CorollaryCase:
    """One check: a corollary or an iteration-bound Bound on the convergence family kind ``family``."""

    bound_id: str
    family: str

    @property
    def bound(self) -> Bound:
        return BOUNDS[self.bound_id]

    @property
    def algorithm(self) -> str:
        return self.bound.algorithm

    @property
    def is_iterations(self) -> bool:
        return getattr(self.bound.lhs, "name", None) == "iterations_to_accuracy"

    @property
    def convergence_case(self) -> ConvergenceCase:
        return ConvergenceCase(self.algorithm, self.family)

    @property
    def id(self) -> str:
        return f"{self.bound_id}@{self.family}"


CASES = [CorollaryCase(b, "noisy-quadratic-pd") for b in COROLLARY_IDS + ITERATION_IDS] + [
    CorollaryCase("theorem_h_1_iterations", "noisy-trigonometric")]
CASES_BY_ID = {c.id: c for c in CASES}


# ---------------------------------------------------------------------- thresholds from the registry
def _exact(values: dict, rel: sp.Basic) -> sp.Basic:
    """rel with every symbol that has a value replaced by that value as written (exact rational)."""
    return rel.xreplace({s: _as_written(values[s.name]) for s in rel.free_symbols if s.name in values})


def smallest_constant(bound: Bound, values: dict, ratio: float) -> tuple[float, float]:
    """The smallest (K_1, K_2 = ratio K_1) the Bound's hypotheses on K_1, K_2 admit at ``values``.

    Read from the registry: every precondition in which K_1 or K_2 appears and whose other
    symbols all have values (the constant conditions of the corollaries' reading; the
    batch conditions still contain B, D_in, D_o and are left to the batch sizes) becomes,
    with K_2 = ratio K_1, a relation in K_1 alone; its boundary is solved exactly and K_1
    is the largest boundary, rounded up to a float that satisfies every such relation
    exactly (each float read as written, as the registry decides).
    """
    K_1, K_2 = symbols.K_1, symbols.K_2
    ratio_q = _as_written(ratio)
    if ratio_q <= 0:
        raise ParameterError("K_ratio", f"must be positive, got {ratio!r}")
    named = [(pre, rel) for pre, rel in zip(bound.preconditions, bound.preconditions_expanded)
             if {K_1, K_2} & rel.free_symbols
             and all(s.name in values for s in rel.free_symbols - {K_1, K_2})]  # the others: batch conditions
    raw = [rel for _, rel in named]
    if not raw:
        raise ParameterError("K_1", f"{bound.id} has no hypothesis on K_1, K_2 alone to solve; give K_1 and K_2")
    need = sp.Integer(0)
    for pre, rel in named:
        in_k1 = _exact(values, rel).xreplace({K_2: ratio_q * K_1})
        if in_k1 == sp.true:
            continue  # e.g. rho = 0: the condition holds for every K_1
        if in_k1 == sp.false:
            raise PreconditionFailed(bound.id, bound.reference, [pre], values)  # no K_1 admitted
        roots = [r for r in sp.solve(sp.Eq(in_k1.lhs, in_k1.rhs), K_1) if r.is_real and r.is_positive]
        if not roots:
            raise ParameterError("K_1", f"{bound.id}: cannot solve {rel} for K_1")
        need = sp.Max(need, *roots)

    def admitted(k1: float) -> bool:
        sub = {K_1: _as_written(k1), K_2: _as_written(float(ratio * k1))}
        return all(bool(_exact(values, rel).xreplace(sub)) for rel in raw)

    k1 = float(need)
    for _ in range(64):
        if k1 > 0 and admitted(k1):
            return k1, float(ratio * k1)
        k1 = float(np.nextafter(k1, math.inf))
    raise ParameterError("K_1", f"{bound.id}: no float K_1 near {need} satisfies the hypotheses")


def smallest_product_admitted(bound: Bound, name: str, values: dict, floor: int = 1) -> int:
    """The smallest integer ``name`` meeting every hypothesis ``expr(name, ...) >= threshold`` once the others are fixed.

    For the product conditions the registry writes as "B D_o >= K_2 sigma~^2 / epsilon^2":
    with B (and everything else) in ``values`` the relation is one in D_o alone; its boundary
    is solved exactly and rounded up, then checked exactly.
    """
    x = getattr(symbols, name)
    need = max(int(floor), smallest_admitted(bound, name, values, floor))
    for rel in bound.preconditions_expanded:
        if x not in rel.free_symbols or not isinstance(rel, (sp.GreaterThan, sp.StrictGreaterThan)):
            continue
        if getattr(rel.lhs, "name", None) == name:
            continue  # "name >= expr": smallest_admitted's
        if any(s.name not in values for s in rel.free_symbols - {x}):
            continue
        in_x = _exact(values, rel)
        if in_x == sp.true:
            continue  # holds for every positive integer (sympy knows the batch sizes are >= 1)
        if in_x == sp.false:
            raise ParameterError(name, f"{bound.id}: no integer {name} satisfies {rel} at these values")
        roots = [r for r in sp.solve(sp.Eq(in_x.lhs, in_x.rhs), x) if r.is_real]
        n = max([need] + [int(sp.ceiling(r)) for r in roots])
        for _ in range(1000):
            if bool(in_x.xreplace({x: sp.Integer(n)})):
                break
            n += 1
        else:
            raise ParameterError(name, f"{bound.id}: no integer {name} satisfies {rel}")
        need = n
    return need


def require_admitted(bound: Bound, values: dict) -> None:
    """Raise PreconditionFailed (naming each failed hypothesis and its values) unless the Bound admits ``values``."""
    lhs = {s.name: 0.0 for s in bound.lhs.free_symbols}
    failed = bound.failed_preconditions({**values, **lhs})
    if failed:
        raise PreconditionFailed(bound.id, bound.reference, failed, values)


# ---------------------------------------------------------------------- instances
def corollary_values(bound: Bound, fam, params: dict) -> dict:
    """alpha, epsilon, K_1, K_2 and the batch sizes of one corollary instance, inside every hypothesis of ``bound``.

    ``params``: alpha_frac; eps_scale and K_ratio (4.13, H.2) or K_1, K_2 (4.16); explicit
    K_1, K_2, B, D_in, D_o override the edge values (a perturbed instance, refused if outside).
    """
    c = fam.constants.values()
    alpha = alpha_for(bound, float(params["alpha_frac"]), c["L"])
    values = dict(L=c["L"], rho=c["rho"], sigma=c["sigma"], sigma_tilde=c["sigma_tilde"], sigma_H=c["sigma_H"],
                  alpha=alpha)
    if symbols.epsilon in bound.all_symbols:
        if not c["sigma"] > 0:
            raise ParameterError("sigma", "epsilon is set relative to sigma, which is 0 for this family")
        values["epsilon"] = float(params["eps_scale"]) * c["sigma"]
    if "K_1" in params:
        values["K_1"], values["K_2"] = float(params["K_1"]), float(params["K_2"])
    else:
        values["K_1"], values["K_2"] = smallest_constant(bound, values, float(params["K_ratio"]))
    for name in ("B", "D_in", "D_h", "B_prime", "D_beta"):
        values[name] = int(params[name]) if name in params else smallest_admitted(bound, name, values)
    values["D_o"] = int(params["D_o"]) if "D_o" in params else smallest_product_admitted(bound, "D_o", values)
    require_admitted(bound, values)
    return values


def build_corollary_setup(case: CorollaryCase, inst: Instance) -> ConvergenceSetup:
    """A corollary instance: family, alpha, epsilon, K_1, K_2, batch sizes at the edge, the start, Delta and T."""
    if case.is_iterations:
        raise ParameterError("case", f"{case.id} is an iteration bound; use build_iteration_setup")
    p = inst.params
    bound = case.bound
    rng = np.random.default_rng(inst.seed)
    fam = build_convergence_family(case.family, rng, int(p["d"]), int(p["n"]), float(p["spread"]),
                                   float(p["noise"]))
    values = corollary_values(bound, fam, p)
    lhs_names = {s.name: 0.0 for s in bound.lhs.free_symbols}
    rhs = float(bound.rhs_value({**values, **lhs_names}))
    w0, Delta, exact_min = draw_start(fam, values["alpha"], float(p["start_ratio"]) * rhs, rng)
    T = int(math.ceil(evaluate(bound.settings["iteration_budget"], {**values, "Delta": Delta})))
    rho = values["rho"]
    delta = "theorem_h_1" if case.algorithm == "hf_maml" and rho > 0 else DELTA_WHEN_RHO_IS_ZERO
    batches = {k: values[k] for k in BATCH_NAMES}
    eps = f"epsilon={values['epsilon']:.4g} (= {float(p['eps_scale']):g} sigma), " if "epsilon" in values else ""
    note = (f"alpha L={values['alpha'] * values['L']:.3g}, sigma={values['sigma']:.3g}, "
            f"sigma~={values['sigma_tilde']:.3g}, rho={rho:.3g}, {eps}K_1={values['K_1']:.6g}, "
            f"K_2={values['K_2']:.6g}, B={values['B']}, D_in={values['D_in']}, D_o={values['D_o']}, "
            f"D_h={values['D_h']}, B'={values['B_prime']}, D_beta={values['D_beta']}, rhs={rhs:.4g}, "
            f"Delta={Delta:.3g} ({'exact' if exact_min else 'upper bound from a lower bound on min F'}), T={T}, "
            f"||grad F(w0)||={float(np.linalg.norm(meta_gradient(fam, w0, values['alpha']))):.4g}")
    if case.algorithm == "hf_maml" and delta == DELTA_WHEN_RHO_IS_ZERO:
        note += f", delta={DELTA_WHEN_RHO_IS_ZERO} (rho = 0: (11) is exact for every delta)"
    return ConvergenceSetup(case.convergence_case, bound, fam, values["alpha"], w0, values, rhs, T, Delta,
                            exact_min, batches, delta, inst.seed, note)


@dataclass
class IterationSetup:
    """An iteration-bound instance: the theorem's setup (``rhs`` the accuracy) run with T = floor(budget)."""

    setup: ConvergenceSetup
    bound: Bound
    budget: float  # the iteration bound's right side, (105) or its H.1 analogue, at this instance

    @property
    def accuracy(self) -> float:
        return self.setup.rhs

    @property
    def T(self) -> int:
        return self.setup.T


def build_iteration_setup(case: CorollaryCase, inst: Instance) -> IterationSetup:
    """The theorem's instance (``convergence.build_setup``), its count evaluated by the iteration Bound itself."""
    if not case.is_iterations:
        raise ParameterError("case", f"{case.id} is not an iteration bound")
    s = build_setup(case.convergence_case, inst)
    bound = case.bound
    require_admitted(bound, {**s.values, "Delta": s.Delta})
    lhs_names = {x.name: 0.0 for x in bound.lhs.free_symbols}
    budget = float(bound.rhs_value({**s.values, **lhs_names, "Delta": s.Delta}))
    T = int(math.floor(budget))
    note = s.note.replace(f"T={s.T}", f"iteration bound {budget:.6g} (T = {T})") + f", accuracy={s.rhs:.4g}"
    return IterationSetup(dataclasses.replace(s, bound=bound, T=T, note=note), bound, budget)


# ---------------------------------------------------------------------- the iteration-count judge
@dataclass
class IterationOutcome:
    verdict: Verdict
    estimate: float  # k_hat: the first k whose mean over runs is <= accuracy (inf if none was seen)
    lower: float  # k_lower: E X_k > accuracy for every k < k_lower (simultaneous lower bounds)
    upper: float  # k_upper: the checkpoint whose upper bound decided 'holds' (inf if none)
    rhs: float  # the iteration bound (a real number; k <= rhs means k <= floor(rhs))
    accuracy: float
    T: int
    reached: int
    runs: int
    note: str = ""

    @property
    def ratio(self) -> float:
        if self.rhs > 0:
            return self.estimate / self.rhs
        return 0.0 if self.estimate == 0 else math.inf


def judge_iterations(traj: Trajectories, accuracy: float, budget: float, delta: float) -> IterationOutcome:
    """The verdict on min{k : E||grad F(w_k)|| <= accuracy} <= budget from the runs (module docstring).

    ``traj`` may extend beyond floor(budget) (a control judges a smaller budget on the same
    runs); iterates beyond it are not used for the verdict.
    """
    if not budget >= 0:
        raise ParameterError("budget", f"must be a nonnegative number, got {budget!r}")
    X = traj.X
    R = X.shape[0]
    T = int(math.floor(budget))
    upto = min(traj.reached, T)
    inner: ConvergenceOutcome = judge(Trajectories(X[:, :upto + 1], T, traj.outcomes), accuracy, delta)
    means = np.where(np.all(np.isfinite(X), axis=0), X.mean(axis=0), np.inf)
    below = np.flatnonzero(means <= accuracy)
    k_hat = float(below[0]) if below.size else math.inf
    grid = [k for k in checkpoints(T) if k <= upto]
    K = len(checkpoints(T))
    k_upper = next((float(k) for k in grid if _upper(X[:, k], delta / K) <= accuracy), math.inf)
    n = traj.reached + 1
    k_lower = float(next((k for k in range(n) if _lower(X[:, k], delta / (2 * n)) <= accuracy), n))
    note = (f"{R} runs, iterates 0..{traj.reached}, accuracy {accuracy:.4g}, first k with mean <= accuracy "
            f"{k_hat:g} in [{k_lower:g}, {k_upper:g}] vs bound {budget:.6g}; {inner.note}")
    return IterationOutcome(inner.verdict, k_hat, k_lower, k_upper, float(budget), float(accuracy), T,
                            traj.reached, R, note)


# ---------------------------------------------------------------------- one instance
def run_instance(case: CorollaryCase, inst: Instance, delta: float, *, runs: int, cap: int, full: bool = False):
    """Build, run and judge one instance: (setup, trajectories, outcome).

    Corollaries: ``ConvergenceOutcome`` (stopping at the first checkpoint that decides
    'holds' unless ``full``).  Iteration bounds: ``IterationOutcome`` (always stopping early:
    the count is decided by the first checkpoint that passes; 'violated' needs T <= cap).
    """
    if case.is_iterations:
        it = build_iteration_setup(case, inst)
        traj = simulate(it.setup, runs, cap, None if full else delta)
        return it, traj, judge_iterations(traj, it.accuracy, it.budget, delta)
    s = build_corollary_setup(case, inst)
    traj = simulate(s, runs, cap, None if full else delta)
    return s, traj, judge(traj, s.rhs, delta)


def main(argv: list[str] | None = None) -> int:
    """Replay one recorded instance: ``python -m verify.checks.corollaries '<instance JSON>' [runs] [cap] [delta]``."""
    argv = sys.argv[1:] if argv is None else argv
    inst, runs, cap, delta = replay_arguments(argv, "python -m verify.checks.corollaries")
    case = CASES_BY_ID[inst.check]
    s, _, out = run_instance(case, inst, delta, runs=runs, cap=cap, full=bool(inst.params.get("full", False)))
    b = case.bound
    if case.is_iterations:
        print(f"{case.id} [{b.reference}]: {out.verdict.value}; {out.note}; {s.setup.note}")
    else:
        print(f"{case.id} [{b.reference}]: {out.verdict.value}; best mean ||grad F|| {out.estimate:.4g} at k="
              f"{out.best_k}, bounds [{out.lower:.4g}, {out.upper:.4g}] vs rhs {out.rhs:.4g}; {out.note}; {s.note}")
    return 1 if out.verdict is Verdict.VIOLATED else 0


def replay_command(inst: Instance) -> str:
    return f"python -m verify.checks.corollaries '{json.dumps({'check': inst.check, 'seed': inst.seed, 'params': inst.params}, sort_keys=True)}'"


if __name__ == "__main__":
    raise SystemExit(main())
