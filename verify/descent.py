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
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from bounds import Bound

from .algorithms import draw_meta_batches, fo_maml_direction, hf_maml_direction, maml_direction, theorem_h_1_delta_rule
from .evidence import CheckKey, Instance, Verdict
from .expectation import build_stat_family
from .instances import alpha_for, certified_constants, smallest_admitted
from .moments import _batch_sizes
from .objectives import meta_gradient, meta_objective, stepsize_beta_tilde
from .statistics import student_t, verdict

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


@dataclass
class DescentOutcome:
    verdict: Verdict
    estimate: float
    lower: float
    upper: float
    rhs: float
    n: int
    note: str = ""

    @property
    def ratio(self) -> float:
        """1 + (lhs - rhs)/|rhs|: below 1 when the bound holds, also when both sides are negative."""
        if self.rhs == 0:
            return math.inf if self.estimate > 0 else 0.0
        return 1.0 + (self.estimate - self.rhs) / abs(self.rhs)


def run_descent(case: DescentCase, inst: Instance, delta: float, bound: Bound | None = None) -> DescentOutcome:
    bound = bound or case.bound
    p = inst.params
    rng = np.random.default_rng(inst.seed)
    fam = build_stat_family(case.family, rng, int(p["d"]), int(p["n"]), float(p["spread"]), float(p["noise"]))
    w = (0.2 + 1.5 * float(p["scale"])) * rng.standard_normal(fam.dim)
    c0 = certified_constants(fam, w)
    alpha = alpha_for(bound, p["alpha_frac"], c0["L"])
    D_in, D_o, D_h = _batch_sizes(bound, c0, alpha, float(p["batch_margin"]))
    rho = c0["rho"]
    # B, B' and D_beta at the edge of the theorem's hypotheses (B >= 20 and (18)), read from the registry.
    edge = dict(c0, alpha=alpha)
    B, B_prime, D_beta = (smallest_admitted(bound, n, edge) for n in ("B", "B_prime", "D_beta"))
    c = float(bound.settings["stepsize_factor"])
    rule = theorem_h_1_delta_rule(rho, alpha) if case.algorithm == "hf_maml" else None
    F0 = meta_objective(fam, w, alpha)
    changes, reached = np.empty(DRAWS), [w]
    for k in range(DRAWS):
        b = draw_meta_batches(fam, B, D_in, D_o, D_h, rng=rng)
        if case.algorithm == "maml":
            direction = maml_direction(fam, w, alpha, b).vector
        elif case.algorithm == "fo_maml":
            direction = fo_maml_direction(fam, w, alpha, b).vector
        else:
            direction = hf_maml_direction(fam, w, alpha, b, rule).vector
        w_next = w - c * stepsize_beta_tilde(fam, w, alpha, B_prime, D_beta, rng) * direction
        reached.append(w_next)
        changes[k] = meta_objective(fam, w_next, alpha) - F0
    # L, rho, sigma must hold on the segment to every w_{k+1} and at the inner steps from there.
    consts = certified_constants(fam, np.array(reached), w - alpha * fam.gradient(w))
    values = dict(alpha=alpha, L=consts["L"], rho=consts["rho"], sigma=consts["sigma"],
                  sigma_tilde=consts["sigma_tilde"], sigma_H=consts["sigma_H"], B=B, B_prime=B_prime,
                  D_beta=D_beta, D_in=D_in, D_o=D_o, D_h=D_h, expected_F_change=0.0,
                  grad_F_norm=float(np.linalg.norm(meta_gradient(fam, w, alpha))),
                  grad_fi_norm_w=np.linalg.norm(fam.gradient(w), axis=1))
    note = (f"alpha L={alpha * consts['L']:.4g}, B={B}, B'={B_prime}, D_beta={D_beta}, D_in={D_in}, D_o={D_o}, "
            f"D_h={D_h}, draws={DRAWS}")
    if not bound.admits(values, fam.probabilities):
        return DescentOutcome(Verdict.PRECONDITION_FAILED, math.nan, math.nan, math.nan, math.nan, 0, note)
    rhs = float(bound.rhs_value(values, fam.probabilities))
    mb = student_t(changes, delta)
    return DescentOutcome(verdict(mb.lower, mb.upper, rhs, "<="), mb.estimate, mb.lower, mb.upper, rhs, DRAWS, note)


def control_bound(bound: Bound, estimate: float, rhs: float) -> tuple[Bound, str]:
    """The Bound with its right side moved below the measured mean by half of |rhs| + |lhs|.

    (The multiplicative falsification of the other checks needs sides of one sign; the
    descent's sides are usually both negative.)  The result is false at the instance by a
    margin the same t bound must resolve.
    """
    target = estimate - 0.5 * (abs(rhs) + abs(estimate))
    f = target / rhs if rhs != 0 else -1.0
    return dataclasses.replace(bound, rhs=bound.rhs * f), f"right-hand side moved to {target:.4g}, below the mean"
