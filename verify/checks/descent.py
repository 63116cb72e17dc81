"""The one-step descent inequalities at the heart of Theorems F.1, G.1 and H.1, with statistical verdicts.

(93), and the displays after (123) and (150), bound the expected change of F over one
iteration of MAML, FO-MAML, HF-MAML from w_k, with beta_k = c beta~(w_k) drawn from its
own batches B', D_beta:

    E[F(w_{k+1}) | F_k] - F(w_k) <= -||grad F(w_k)||^2 / (100 L_k) + noise terms     (93)

(1/(200 L_k) for HF-MAML).  Each draw runs one iteration exactly as the algorithm
does (task batch B_k of size B, independent D_in, D_o, D_h, and the stepsize batches)
and evaluates F(w_{k+1}) - F(w_k) with the exact F of (2); the t bound on the mean of
the draws decides against the registry's right-hand side.  Batch sizes sit at the
edge of the theorems' hypotheses: B = 20, B' and D_beta at (18), D_h at its threshold.

The draws are vectorised (``one_step_draws``: the algorithms' own direction functions
on stacked task batches; one draw is exactly one iteration of ``algorithms.run``).  The
instances judged are the fixed edge instance and the worst candidates of the
adversarial search of verify/checks/expectation.py (``search_instances``), ranked by pilots
of a few draws on 1 + (lhs - rhs)/|rhs| and judged with fresh draws.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from bounds import Bound

from verify.model.algorithms import (MetaBatches, draw_meta_batches, fo_maml_direction, hf_maml_direction,
    maml_direction, theorem_h_1_delta_rule)
from verify.judge.evidence import CheckKey, Evidence, Instance, Verdict
from .expectation import (Search, StatCheck, admitted_alpha, beta_tilde_draws, build_stat_instance,
    check_evidence, edge_batch_size, judge_statistically, monte_carlo_draws)
from .instances import certified_constants, certified_family
from .user_families import case_by_id, cases_for_run, user_family
from .moments import _batch_sizes
from verify.model.objectives import meta_gradient, meta_objective
from verify.judge.statistics import student_t, verdict

DRAWS = 400
DESCENT_BOUNDS = {"maml": "theorem_f_1_descent", "fo_maml": "theorem_g_1_descent", "hf_maml": "theorem_h_1_descent"}
KINDS = {"maml": ("noisy-quadratic", "noisy-trigonometric", "regression"),
         "fo_maml": ("noisy-quadratic", "noisy-trigonometric", "regression"),
         # H.1's delta rule needs rho > 0.
         "hf_maml": ("noisy-trigonometric",)}


@dataclass(frozen=True)
class DescentCase(CheckKey):
    algorithm: str = "maml"


DESCENT_CASES = [DescentCase(b, k, alg) for alg, b in DESCENT_BOUNDS.items() for k in KINDS[alg]]
DESCENT_CASES_BY_ID = {c.id: c for c in DESCENT_CASES}


def _takes(algorithm: str, family) -> bool:
    # H.1's delta rule needs rho > 0 (as for the built-in kinds above).
    return algorithm != "hf_maml" or family.constants.rho.value > 0


def _user_case(bound_id: str, kind: str) -> DescentCase | None:
    algorithm = {b: a for a, b in DESCENT_BOUNDS.items()}.get(bound_id)
    if algorithm is None or not _takes(algorithm, user_family(kind)):
        return None
    return DescentCase(bound_id, kind, algorithm)


def run_cases() -> list[DescentCase]:
    """The built-in families' descent checks (unless --only-user-families) and each user family's."""
    return cases_for_run(DESCENT_CASES, DESCENT_BOUNDS.values(), _user_case)


def case_for(check_id: str) -> DescentCase | None:
    """The descent check ``bound@kind``, a user's family's included."""
    return case_by_id(check_id, DESCENT_CASES_BY_ID, _user_case)


@dataclass
class DescentOutcome:
    verdict: Verdict
    estimate: float
    lower: float
    upper: float
    rhs: float
    n: int
    note: str = ""
    method: str = "student_t"  # the t bound on the mean over one-step draws (the change of F is unbounded)

    @property
    def ratio(self) -> float:
        """1 + (lhs - rhs)/|rhs|: below 1 when the bound holds, also when both sides are negative."""
        if self.rhs == 0:
            return math.inf if self.estimate > 0 else 0.0
        return 1.0 + (self.estimate - self.rhs) / abs(self.rhs)


# Draws are vectorised in chunks of this many iterations (block weights of CHUNK x CHUNK B floats).
CHUNK = 100


def one_step_draws(fam, w, alpha: float, algorithm: str, c: float, B: int, B_prime: int, D_beta: int, D_in: int,
                   D_o: int, D_h: int, K: int, rng: np.random.Generator, rule=None) -> tuple[np.ndarray, np.ndarray]:
    """K independent iterations of ``algorithm`` from w: the points w_{k+1} (K, d) and F(w_{k+1}) - F(w) (K,).

    Each draw does what one iteration of ``algorithms.run`` does, in its order:
    beta_k = c beta~(w) from fresh batches B', D_beta, then a task batch of B tasks
    i.i.d. from p with independent D_in, D_o, D_h, and the algorithm's direction from
    verify/model/algorithms.py.  A chunk of m draws is one call of the direction function on
    m B task rows whose weights are block rows (row j averages the j-th B rows), so the
    algorithm's own code computes every draw's direction; with K = 1 the Generator is
    consumed as by one iteration of ``run`` and w_1 is the same number.
    """
    points = []
    done = 0
    while done < K:
        m = min(CHUNK, K - done)
        beta = beta_tilde_draws(fam, w, alpha, B_prime, D_beta, m, rng)
        b = draw_meta_batches(fam, m * B, D_in, D_o, D_h if algorithm != "fo_maml" else None, rng=rng)
        blocks = MetaBatches(b.tasks, np.kron(np.eye(m), np.full((1, B), 1.0 / B)), b.inner, b.outer, b.hessian)
        if algorithm == "maml":
            direction = maml_direction(fam, w, alpha, blocks).vector
        elif algorithm == "fo_maml":
            direction = fo_maml_direction(fam, w, alpha, blocks).vector
        else:
            direction = hf_maml_direction(fam, w, alpha, blocks, rule).vector
        w_next = w - c * beta[:, None] * direction
        points.append(w_next)
        done += m
    points = np.concatenate(points, axis=0)
    # F at w and at every w_{k+1}, on the tasks certified on the ball holding them all (the draws
    # may leave the family's default ball; run_descent certifies its constants on that ball too).
    # alpha was admitted for w's ball: on the larger one alpha L may exceed 1, and then the
    # Bound's hypotheses, judged on that ball's constants, decide (precondition_failed).
    on_ball = certified_family(fam, w[None, :], points)
    F0 = meta_objective(on_ball, w, alpha, allow_outside_hypotheses=True)
    changes = [meta_objective(on_ball, x, alpha, allow_outside_hypotheses=True) - F0 for x in points]
    return points, np.asarray(changes, dtype=float)


def run_descent(case: DescentCase, inst: Instance, delta: float, bound: Bound | None = None) -> DescentOutcome:
    bound = bound or case.bound
    p = inst.params
    fam, w, rng = build_stat_instance(case.family, inst)
    K = monte_carlo_draws(p, DRAWS)
    c0 = certified_constants(fam, w)
    alpha = admitted_alpha(bound, p["alpha_frac"], c0["L"])
    D_in, D_o, D_h = _batch_sizes(bound, c0, alpha, float(p["batch_margin"]))
    rho = c0["rho"]
    # B, B' and D_beta at the edge of the theorem's hypotheses (B >= 20 and (18)), read from the registry.
    edge = dict(c0, alpha=alpha)
    B, B_prime, D_beta = (edge_batch_size(bound, n, edge) for n in ("B", "B_prime", "D_beta"))
    c = float(bound.settings["stepsize_factor"])
    rule = theorem_h_1_delta_rule(rho, alpha) if case.algorithm == "hf_maml" else None
    reached, changes = one_step_draws(fam, w, alpha, case.algorithm, c, B, B_prime, D_beta, D_in, D_o, D_h, K, rng,
                                      rule)
    # L, rho, sigma must hold on the segment to every w_{k+1} and at the inner steps from there.
    consts = certified_constants(fam, w[None, :], reached, w - alpha * fam.gradient(w))
    values = dict(alpha=alpha, L=consts["L"], rho=consts["rho"], sigma=consts["sigma"],
                  sigma_tilde=consts["sigma_tilde"], sigma_H=consts["sigma_H"], B=B, B_prime=B_prime,
                  D_beta=D_beta, D_in=D_in, D_o=D_o, D_h=D_h, expected_F_change=0.0,
                  grad_F_norm=float(np.linalg.norm(meta_gradient(certified_family(fam, w), w, alpha))),
                  grad_fi_norm_w=np.linalg.norm(fam.gradient(w), axis=1))
    note = (f"alpha L={alpha * consts['L']:.4g}, B={B}, B'={B_prime}, D_beta={D_beta}, D_in={D_in}, D_o={D_o}, "
            f"D_h={D_h}, draws={K}")
    if not bound.admits(values, fam.probabilities):
        return DescentOutcome(Verdict.PRECONDITION_FAILED, math.nan, math.nan, math.nan, math.nan, 0, note)
    rhs = float(bound.rhs_value(values, fam.probabilities))
    mb = student_t(changes, delta)
    return DescentOutcome(verdict(mb.lower, mb.upper, rhs, "<="), mb.estimate, mb.lower, mb.upper, rhs, K, note)


def control_bound(bound: Bound, estimate: float, rhs: float) -> tuple[Bound, str]:
    """The Bound with its right side moved below the measured mean by half of |rhs| + |lhs|.

    (The multiplicative falsification of the other checks needs sides of one sign; the
    descent's sides are usually both negative.)  The result is false at the instance by a
    margin the same t bound must resolve.
    """
    target = estimate - 0.5 * (abs(rhs) + abs(estimate))
    f = target / rhs if rhs != 0 else -1.0
    return dataclasses.replace(bound, rhs=bound.rhs * f), f"right-hand side moved to {target:.4g}, below the mean"


def judge_descent(case: DescentCase, instances: list[Instance], delta: float) -> StatCheck:
    """Judge ``case`` on each instance at error level ``delta`` (one test each); combine (any violation is one);
    run the negative control (``control_bound``) on the worst instance with the same draws."""
    return judge_statistically(case, instances, lambda c, inst, d, bound=None: run_descent(c, inst, d, bound), delta,
                               control=lambda bound, worst: control_bound(bound, worst.estimate, worst.rhs),
                               lhs_words="mean change")


def evidence_of_descent(case: DescentCase, check: StatCheck, run_seed: int, search: Search | None = None) -> Evidence:
    """The Evidence record of a descent check (with the search's summary in its note, if any)."""
    w = check.worst
    note = "" if w is None else (f"student_t over {w.n} one-step draws; E[F(w_k+1)] - F(w_k) in "
                                 f"[{w.lower:.4g}, {w.upper:.4g}]; {w.note}; ratio = 1 + (lhs - rhs)/|rhs|")
    if search is not None:
        note = f"{note}; {search.summary()}" if note else search.summary()
    return check_evidence(case, check, run_seed, note)


# ---------------------------------------------------------------------- (97), and the law of one iteration: (90), (98)
# (97) is (93) weakened through (96): judged like (93), from a deterministic w_k, on the tasks with rho > 0 (on
# quadratics its right side is (93)'s with L_k = 4L).
DESCENT_CASES.append(DescentCase("eq_97_expected_descent", "noisy-trigonometric", "maml"))
DESCENT_CASES_BY_ID.update({c.id: c for c in DESCENT_CASES})

# (90) holds draw by draw (Corollary A.1 at u = w_{k+1}), and (98) for every law of w_k: both are judged exactly,
# (90) on every drawn iteration, (98) on the empirical law of w_1 (a law like any other) and on the point mass of
# w_0 (its equality case).  The iteration is F.1's (its batch sizes read from theorem_f_1_descent).
STEP_LAW_DRAWS = 100
STEP_LAW_BOUNDS = ("eq_90_descent_step", "eq_98_cauchy_schwarz")
STEP_LAW_KINDS = ("noisy-trigonometric", "regression")
STEP_LAW_CASES = [DescentCase(b, k, "maml") for b in STEP_LAW_BOUNDS for k in STEP_LAW_KINDS]
STEP_LAW_CASES_BY_ID = {c.id: c for c in STEP_LAW_CASES}
_STEP_EDGE = dict(seed=51, d=2, n=3, alpha_frac=1.0, batch_margin=0.0, spread=0.5, noise=0.5, scale=1.0)
STEP_LAW_EDGE = {"eq_90_descent_step": [_STEP_EDGE, dict(_STEP_EDGE, seed=52, alpha_frac=0.3, scale=0.3)],
                 "eq_98_cauchy_schwarz": [_STEP_EDGE, dict(_STEP_EDGE, seed=53, iterate=0)]}
STEP_LAW_METHOD = "exact (every drawn iteration judged; (98) on the empirical law of the drawn iterates)"


def run_step_law(case: DescentCase, inst: Instance, delta: float, bound: Bound | None = None):
    """(90) or (98) on the iterations drawn from one instance, judged exactly; ``delta`` unused."""
    from bounds import BOUNDS, Relation
    from .expectation import StatOutcome, exact_verdict
    from .pointwise import EPS, ROUNDING_FACTOR

    bound = bound or case.bound
    theorem = BOUNDS["theorem_f_1_descent"]
    p = inst.params
    fam, w, rng = build_stat_instance(case.family, inst)
    c0 = certified_constants(fam, w)
    alpha = admitted_alpha(theorem, p["alpha_frac"], c0["L"])
    D_in, D_o, D_h = _batch_sizes(theorem, c0, alpha, float(p["batch_margin"]))
    edge = dict(c0, alpha=alpha)
    B, B_prime, D_beta = (edge_batch_size(theorem, n, edge) for n in ("B", "B_prime", "D_beta"))
    c = float(theorem.settings["stepsize_factor"])
    K = monte_carlo_draws(p, STEP_LAW_DRAWS)
    if int(p.get("iterate", 1)) == 0:
        reached, changes = w[None, :], np.zeros(1)
    else:
        reached, changes = one_step_draws(fam, w, alpha, "maml", c, B, B_prime, D_beta, D_in, D_o, D_h, K, rng)
    consts = certified_constants(fam, w[None, :], reached, w - alpha * fam.gradient(w))
    on_ball = certified_family(fam, w[None, :], reached)
    GF = meta_gradient(on_ball, w, alpha, allow_outside_hypotheses=True)
    values = dict(alpha=alpha, L=consts["L"], rho=consts["rho"], sigma=consts["sigma"],
                  sigma_tilde=consts["sigma_tilde"], sigma_H=consts["sigma_H"], B=B, B_prime=B_prime, D_beta=D_beta,
                  D_in=D_in, D_o=D_o, D_h=D_h, grad_fi_norm_w=np.linalg.norm(fam.gradient(w), axis=1))
    rel = ">=" if bound.relation is Relation.GE else "<="
    note = (f"alpha L={alpha * consts['L']:.4g}, B={B}, B'={B_prime}, D_beta={D_beta}, D_in={D_in}, D_o={D_o}, "
            f"D_h={D_h}, iterations={len(reached)}")
    needed = {s.name for s in bound.inputs}
    if bound.id == "eq_98_cauchy_schwarz" or "expected_grad_F_norm" in needed:
        Z = np.array([np.linalg.norm(meta_gradient(on_ball, x, alpha, allow_outside_hypotheses=True))
                      for x in reached])
        a, b = 4 * consts["L"] + 4 * consts["rho"] * alpha * consts["sigma"], 4 * consts["rho"] * alpha
        values.update(expected_grad_F_norm=float(Z.mean()), expected_grad_F_ratio=float(np.mean(Z ** 2 / (a + b * Z))))
        values = {k: v for k, v in values.items() if k in needed}
        if not bound.admits(values, fam.probabilities):
            return StatOutcome(Verdict.PRECONDITION_FAILED, math.nan, math.nan, math.nan, math.nan, 0, "-", note, rel)
        lhs = float(bound.lhs_value(values, fam.probabilities))
        rhs = float(bound.rhs_value(values, fam.probabilities))
        return StatOutcome(exact_verdict(lhs, rhs, rel), lhs, lhs, lhs, rhs, len(reached), STEP_LAW_METHOD, note, rel)
    # (90): the gap of (31) at u = w_{k+1} for every drawn iteration.
    steps = reached - w
    gap = changes - steps @ GF
    values.update(F_descent_gap=0.0, norm_w_minus_u=0.0)
    values = {k: v for k, v in values.items() if k in needed}
    if not bound.admits(values, fam.probabilities):
        return StatOutcome(Verdict.PRECONDITION_FAILED, math.nan, math.nan, math.nan, math.nan, 0, "-", note, rel)
    lhs, rhs = np.empty(len(gap)), np.empty(len(gap))
    for j in range(len(gap)):
        vals = dict(values, F_descent_gap=float(gap[j]), norm_w_minus_u=float(np.linalg.norm(steps[j])))
        lhs[j] = float(bound.lhs_value(vals, fam.probabilities))
        rhs[j] = float(bound.rhs_value(vals, fam.probabilities))
    # Rounding: F is a difference of values of size |F| (and the step's inner product); 100 times the allowance.
    F0 = abs(float(meta_objective(on_ball, w, alpha, allow_outside_hypotheses=True)))
    slack = 100 * ROUNDING_FACTOR * fam.dim * EPS * (2 * F0 + np.abs(changes) + np.abs(steps @ GF))
    ratios = np.where(rhs > 0, lhs / np.where(rhs > 0, rhs, 1.0), np.where(lhs > slack, np.inf, 0.0))
    j = int(np.argmax(ratios))
    verdict_ = Verdict.VIOLATED if np.any(lhs - rhs > slack) else Verdict.HOLDS
    return StatOutcome(verdict_, float(lhs[j]), float(lhs[j]), float(lhs[j]), float(rhs[j]), len(gap),
                       STEP_LAW_METHOD, note + f", worst iteration {j}", rel)


def _step_law_extremal_run(bound: Bound):
    """(98)'s equality case, the point mass of w_0, judged against ``bound`` (the sharpness self-test's runner)."""
    from verify.judge.sharpness import ExtremalRun

    case = DescentCase(bound.id, "noisy-trigonometric", "maml")
    params = dict(STEP_LAW_EDGE["eq_98_cauchy_schwarz"][1])
    inst = Instance(case.id, params.pop("seed"), params)
    out = run_step_law(case, inst, 0.0, bound)
    return ExtremalRun(case.id, out.verdict, out.ratio, f"{out.method}; {out.note}")


def _register_step_law_runner():
    from verify.judge.sharpness import extremal_runner
    extremal_runner("eq_98_cauchy_schwarz")(_step_law_extremal_run)


_register_step_law_runner()
