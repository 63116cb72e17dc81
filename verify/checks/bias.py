"""The bias displays of the proofs of Theorems F.1, G.1, H.1 and the identities they rest on.

The displays bound the bias of one iteration's direction, ||E[G_i(w_k)] - grad F(w_k)||
(r_k of (79)-(81) for MAML, of (111)-(118) for FO-MAML, s_k of (139)-(140) for
HF-MAML), or ||E_i[e_{i,k}]|| (116), or s_k's e-term ||E_i[(I - alpha grad^2 f_i) e_{i,k}]|| (133),
with e_{i,k} of Lemma 4.10 (20); the identities are (111)-(112) and HF-MAML's (127), (128), (130),
(131)/(139), which take e_{i,k} and e~ with the signs the paper prints ((126) and (129)):

    E_{D_in, D_o}[v_i] = grad f_i(w - alpha grad f_i(w)) + e_{i,k},
    v_i := grad~ f_i(w - alpha grad~ f_i(w, D_in), D_o).

The bias is a small difference hidden under per-draw noise of order sigma~, which
plain Monte Carlo cannot resolve (see BIAS_DISPLAYS in verify/checks/moments.py).  Here it
is computed exactly where the expectation is closed form, and otherwise estimated
with the per-draw noise removed to second order:

* exact (``statistics.exact``).  Appendix J's noise is independent of w and mean zero,
  and D_in, D_o, D_h are independent (Section 2), so the outer-batch and Hessian-batch
  noise average out exactly: E[G_i] = (I - alpha grad^2 f_i(w)) E[v_i] for MAML (5) and
  E[G_i] = E[v_i] for FO-MAML (8).  Only the inner batch enters nonlinearly, and
  E[v_i] is closed form:
    - quadratic tasks (noisy quadratics, and linear regression, whose per-sample
      gradients are affine in w): E[v_i] = grad f_i(w - alpha grad f_i(w)), e_{i,k} = 0;
    - trigonometric tasks f_i = sum_j [lam z_j^2/2 + a cos(s z_j + phi)] + b'w,
      z = Q_i'w, under the Gaussian inner noise xi ~ N(0, sigma~^2/(d D_in) I):
      zeta = Q_i'xi ~ N(0, tau^2 I) and E[sin(s(z_j - alpha zeta_j) + phi)]
      = sin(s z_j + phi) exp(-alpha^2 s^2 tau^2 / 2), so
      e_{i,k} = Q_i (a s (1 - exp(-alpha^2 s^2 tau^2/2)) sin(s z_j + phi))_j at z = Q_i'(w - alpha grad f_i(w)).
    - two-point noise (``NoisyFamily(..., distribution="two_point")``) on deterministic tasks:
      E[v_i] is a finite sum over the (D_in + 1)(D_o + 1) outcomes of the batches' sign means
      (``enumerated_outer_gradients``), whatever the tasks.
  tests/test_bias_machinery.py checks both against brute-force Monte Carlo of the
  algorithms' own directions (verify/model/algorithms.py).
* the extremal family "kinked-two-point" (verify/model/families/kinked.py) for (80)-(81) and
  (116)-(118): grad f_i with a smoothed kink at the inner point, two-point noise, D_in = 1,
  where Lemma 4.10's (62) is an equality up to the smoothing; ``kinked_extremal_instances``
  are the proofs' equality cases (derivations in the Bounds' ``Sharpness`` records), judged
  in every run and by the extremal runners (verify/judge/sharpness.py) against mutated Bounds.
* Monte Carlo with a control variate and antithetic noise (HF-MAML, whose delta rule
  delta_k^i = delta/||v|| (135) makes E[G_i] not closed form).  Per draw of the
  batches, Y = sum_i p_i [G_i - (I - alpha grad^2 f_i)(v_i - E v_i)] - grad F: the control
  variate has mean exactly 0 (E v_i closed form as above), and since the noise of D_h
  cancels in the central difference (11) (verify/model/families/noise.py), G_i minus it is
  (I - alpha grad^2 f_i) E v_i + alpha e~_i with e~_i of (129), a smooth function of v_i:
  the noise of order sigma~ is gone.  Each draw is paired with its antithetic twin (every
  batch's noise negated, equal in law), which cancels the first order of what remains.
  The pairs are i.i.d.; ||E Y|| gets per-coordinate t bounds, Bonferroni over
  coordinates (``statistics.vector_mean_norm_bound``).

Identities (relation ==) are judged against a rounding allowance: 'holds' when the
residual's upper bound is within it, 'violated' when its lower bound exceeds it.
Their negative control is a wrong formula, which the same code must find violated.

Instances satisfy each Bound's hypotheses by construction (alpha from
``instances.alpha_for``, D_h from ``instances.smallest_admitted``); fixed instances
cover the edges of the ranges, and a small adversarial search scores random
candidates (exactly where the lhs is exact; else by a noise-free proxy that uses no
Monte Carlo draw) and judges the worst with the candidate's own independent draws.
"""
from __future__ import annotations

import json
import math
import sys
import zlib
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from bounds import Bound, Relation

from verify.model.algorithms import (FD_ROUNDING_RTOL, MetaBatches, central_difference_hvp, outer_gradients,
    theorem_h_1_delta_rule)
from verify.model.errors import ParameterError, check_alpha, check_batch_size, check_finite
from verify.judge.evidence import CheckKey, Evidence, Instance, Verdict
from .expectation import StatOutcome, check_evidence, plumbing_control
from verify.model.families import (Domain, Family, NoisyFamily, QuadraticFamily, RegressionFamily,
    TrigonometricFamily)
from verify.model.families.kinked import KinkedGradientFamily
from .instances import alpha_for, certified_constants, certified_family, mix_seed, smallest_admitted
from verify.model.objectives import meta_gradient, task_meta_gradients
from .pointwise import EPS, ROUNDING_FACTOR, falsified
from verify.judge.sharpness import ExtremalRun, extremal_runner
from verify.judge.statistics import exact as exact_mean_bound
from verify.judge.statistics import verdict as statistical_verdict
from verify.judge.statistics import REPLAY_DELTA, vector_mean_norm_bound
from verify.judge.cli import parse_replay
from verify.judge.findings import for_check

BIAS_KINDS = ("noisy-trigonometric", "noisy-quadratic", "regression")
# The extremal family of (80)-(81), (116)-(118): a smoothed kink of grad f_i at the inner point
# with two-point inner noise (verify/model/families/kinked.py), built by ``build_kinked_setup``.
KINKED = "kinked-two-point"

# Antithetic pairs of HF-MAML draws per judged instance when none is given (the tests pass theirs).
DEFAULT_DRAWS = 1000


# ---------------------------------------------------------------------- families and instances
def noise_level(x: float) -> float:
    """sigma~ of Appendix J's noise from the instance parameter x in [0, 1]: 0.01 to 10 on a log scale."""
    return 10.0 ** (-2.0 + 3.0 * float(x))


def build_bias_family(kind: str, rng: np.random.Generator, p: dict) -> Family:
    """A family of ``kind`` from the instance parameters ``p`` (d, n, spread, noise, amplitude, curvature, shared)."""
    d, n = int(p["d"]), int(p["n"])
    spread = 0.05 + 2.5 * float(p["spread"])
    if kind == "noisy-trigonometric":
        # shared: one basis and curvature for all tasks, so sigma (12) is finite on all of R^d.
        base = TrigonometricFamily.random(rng, n, d, curvature=float(p["curvature"]),
                                          amplitude=0.05 + 0.95 * float(p["amplitude"]), spread=spread,
                                          shared_basis=bool(p["shared"]))
        sig = noise_level(p["noise"])
        fam = NoisyFamily(base, sig, sig / 2)
    elif kind == "noisy-quadratic":
        sig = noise_level(p["noise"])
        fam = NoisyFamily(QuadraticFamily.random(rng, n, d, spectrum="indefinite", spread=spread), sig, sig / 2)
    elif kind == "regression":
        fam = RegressionFamily.random(rng, n, d, samples=6, noise=0.1 + 2.0 * float(p["noise"]),
                                      spread=spread / 2, radius=4.0)
    else:
        raise ParameterError("kind", f"unknown family kind {kind!r}; known: {BIAS_KINDS}")
    fam.name = kind
    return fam


# Instances derived from where (140)'s argument fails, judged at every seed beside the fixed ones:
# a stationary point of F (the ||grad F|| term vanishes) with sigma~ small (noise 0 -> 0.01) and
# D_in = 16 (the sigma~/sqrt(D_in) term small), tasks in one basis (sigma finite on R^d), where
# HF-MAML's bias rho delta alpha E_i||v_i|| stays.  How far it exceeds the right side depends on
# the random tasks' third derivatives at that point (ratio 0.65 to 64 over fresh seeds), so three
# independent families (their seeds mixed with the run's) are judged there, not one.
STATIONARY_CORNER = dict(d=2, n=4, alpha_frac=1.0, noise=0.0, spread=1.0, amplitude=0.6, curvature=0.3, shared=1,
                         scale=0.5, stationary=1, D_in=16, D_o=1)
DERIVED_FIXED = {bound_id: [dict(STATIONARY_CORNER, seed=seed) for seed in (48, 49)]
                 for bound_id in ("eq_140_hf_maml_bias", "eq_140_hf_maml_bias_numeric", "eq_140_hf_maml_bias_corrected",
                                  "eq_140_hf_maml_bias_numeric_corrected")}


def derived_fixed(case: "BiasCase") -> list[dict]:
    """The instances derived from the failure of ``case``'s display on its family (DERIVED_FIXED), if any."""
    if case.family != "noisy-trigonometric":
        return []
    return [dict(p) for p in DERIVED_FIXED.get(case.bound_id, [])]


# The further starts of ``stationary_point`` when the first four fail: how many, and the seed of
# the generator they are drawn from (fixed, so an instance at a stationary point replays).
STATIONARY_EXTRA_STARTS = 48
STATIONARY_STARTS_SEED = 20200


def stationary_point(family: Family, w0, alpha: float) -> np.ndarray:
    """A root of grad F found by scipy's hybrid Powell method from w0 (then from 0, w0/2, 2 w0, then from
    up to STATIONARY_EXTRA_STARTS further starts), else the point of smallest ||grad F|| met (w0 included).
    Deterministic, so the instance replays.

    At a stationary point of F the terms of the displays in ||grad F|| vanish while the
    tasks' own gradients need not: the corner where the bias bounds are tightest.
    """
    w0 = check_finite("w", w0, ndim=(1,))
    tasks, p, n = np.arange(family.n_tasks), family.probabilities, family.n_tasks

    def grad_F(x):
        # (6) through the family's raw oracles: the root finder calls it hundreds of times, and
        # the validated objectives.meta_gradient would triple the cost (compared just below).
        X = np.broadcast_to(x, (n, x.size))
        outer = family._gradient(X - alpha * family._gradient(X, tasks), tasks)
        return p @ (outer - alpha * family._hvp(X, outer, tasks))

    # A consistency check of grad_F's formula at the search's start, which may lie beyond the
    # family's default ball: no instance is judged here (the caller certifies the point it gets).
    reference = meta_gradient(family, w0, alpha, allow_outside_hypotheses=True)
    if not np.allclose(grad_F(w0), reference, rtol=1e-12, atol=1e-12 * (1 + np.max(np.abs(reference)))):
        raise RuntimeError("stationary_point: its grad F disagrees with objectives.meta_gradient")
    def starts():
        yield from (w0, np.zeros_like(w0), w0 / 2, 2 * w0)
        # Powell's hybrid method fails from these four starts at about a fifth of the random
        # trigonometric families: their stationary points can lie tens of units away (a small
        # curvature balancing the linear term b_i'w).  More starts, at growing scales, drawn from
        # a fixed generator so the instance replays.
        rng = np.random.default_rng(STATIONARY_STARTS_SEED)
        scale = max(1.0, float(np.linalg.norm(w0)))
        for k in range(STATIONARY_EXTRA_STARTS):
            yield rng.standard_normal(w0.size) * scale * 2.0 ** (k % 6)

    best, best_norm = w0, float(np.linalg.norm(grad_F(w0)))
    for start in starts():
        sol = optimize.root(grad_F, start, method="hybr", options={"maxfev": 60 * (w0.size + 1)})
        if np.all(np.isfinite(sol.x)):
            norm = float(np.linalg.norm(grad_F(sol.x)))
            if norm < best_norm:
                best, best_norm = np.asarray(sol.x, dtype=float), norm
        if sol.success:
            break  # the first root found is taken
    return best
    # Powell's hybrid method fails from these four starts at about a fifth of the random
    # trigonometric families: their stationary points can lie tens of units away (a small
    # curvature balancing the linear term b_i'w).  More starts, at growing scales, drawn from a
    # fixed generator so the instance replays; the first root found is taken.
    rng = np.random.default_rng(STATIONARY_STARTS_SEED)
    scale = max(1.0, float(np.linalg.norm(w0)))
    for k in range(STATIONARY_EXTRA_STARTS):
        start = rng.standard_normal(w0.size) * scale * 2.0 ** (k % 6)
        sol = optimize.root(grad_F, start, method="hybr", options={"maxfev": 60 * (w0.size + 1)})
        if np.all(np.isfinite(sol.x)):
            norm = float(np.linalg.norm(grad_F(sol.x)))
            if norm < best_norm:
                best, best_norm = np.asarray(sol.x, dtype=float), norm
        if sol.success:
            break
    return best


# ---------------------------------------------------------------------- exact objects
def gaussian_smoothed_gradient(base: TrigonometricFamily, U, std: float) -> tuple[np.ndarray, np.ndarray]:
    """E[grad f_i(u_i - zeta)] for zeta ~ N(0, std^2 I), row i of U for task i, in closed form.

    Returns (the mean, its difference from grad f_i(u_i)).  In task i's basis Q_i the
    coordinates of Q_i'zeta are independent N(0, std^2) (Q_i is orthogonal), the linear
    part keeps its mean, and E[sin(s (z_j - x) + phi)] = sin(s z_j + phi) exp(-s^2 std^2/2)
    for x ~ N(0, std^2) (the odd part E[sin(s x)] vanishes).  The difference is formed as
    a s (-expm1(-s^2 std^2 / 2)) sin(.), without cancellation, however small it is.
    """
    if not isinstance(base, TrigonometricFamily):
        raise ParameterError("family", f"the Gaussian closed form is for TrigonometricFamily, got {type(base).__name__}")
    U = check_finite("U", U, ndim=(2,))
    if U.shape != (base.n_tasks, base.dim):
        raise ParameterError("U", f"has shape {U.shape}, expected one row per task {(base.n_tasks, base.dim)}")
    std = float(std)
    if not (std >= 0 and math.isfinite(std)):
        raise ParameterError("std", f"a standard deviation must be finite and >= 0, got {std!r}")
    tasks = np.arange(base.n_tasks)
    Z = np.einsum("tji,tj->ti", base.Q, U)
    shrink = -np.expm1(-0.5 * (base.s * std) ** 2)  # 1 - exp(-s^2 std^2 / 2), accurate when small
    diff = np.einsum("tij,tj->ti", base.Q, base.a * base.s * shrink * np.sin(base.s * Z + base.phi))
    return base.gradient(U, tasks) + diff, diff


def expected_outer_gradients(family: Family, w, alpha, D_in) -> tuple[np.ndarray, np.ndarray]:
    """(E_{D_in, D_o}[v_i], e_{i,k}) for every task, exactly: shapes (n, d); e_{i,k} as Lemma 4.10 (20) defines it.

    Exact where the inner noise enters in closed form (module docstring); any other
    family is refused rather than approximated.
    """
    alpha = check_alpha(alpha)
    D_in = check_batch_size("D_in", D_in, allow_exact=False)
    w = check_finite("w", w, ndim=(1,))
    if w.shape != (family.dim,):
        raise ParameterError("w", f"has shape {w.shape}, the family has dimension {family.dim}")
    tasks = np.arange(family.n_tasks)
    u = w - alpha * family.gradient(w)  # the exact inner step of (2)
    if isinstance(family, NoisyFamily) and family.distribution == "two_point" and family.base.is_deterministic:
        Ev = enumerated_outer_gradients(family, w, alpha, D_in, D_in)
        return Ev, Ev - family.gradient(u, tasks)
    if isinstance(family, RegressionFamily) or (family.is_deterministic and family.is_quadratic):
        # Per-sample gradients affine in w and D_o independent of D_in: the mean commutes with both.
        g = family.gradient(u, tasks)
        return g, np.zeros_like(g)
    if isinstance(family, NoisyFamily) and family.base.is_deterministic:
        if family.base.is_quadratic:
            g = family.gradient(u, tasks)
            return g, np.zeros_like(g)
        if isinstance(family.base, TrigonometricFamily):
            # The inner batch's noise xi ~ N(0, sigma~^2/(d D_in) I) moves the inner point by -alpha xi.
            std = alpha * family.noise_sigma_tilde / math.sqrt(family.dim * D_in)
            return gaussian_smoothed_gradient(family.base, u, std)
    raise ParameterError("family", f"no closed form for E[v_i] on {family.name!r} ({type(family).__name__}); "
                                   "the exact bias is available for noisy quadratic or trigonometric tasks and "
                                   "linear regression")


def enumerated_outer_gradients(family: NoisyFamily, w, alpha, D_in, D_o) -> np.ndarray:
    """E_{D_in, D_o}[v_i] as a finite sum over the two-point noise's outcomes: (n, d), exact up to rounding.

    v_i = grad~ f_i(w - alpha grad~ f_i(w, D_in), D_o) evaluated by the family's own batch
    oracles on the batch of each outcome (``NoisyFamily.batch_with_noise``), weighted by
    ``batch_noise_law``: (D_in + 1)(D_o + 1) terms, no sampling.
    """
    tasks = np.arange(family.n_tasks)
    values_in, probs_in = NoisyFamily.batch_noise_law(D_in)
    values_o, probs_o = NoisyFamily.batch_noise_law(D_o)
    Ev = np.zeros((family.n_tasks, family.dim))
    for m, pm in zip(values_in, probs_in):
        inner = w - alpha * family.batch_gradient(w, family.batch_with_noise(tasks, D_in, m))
        for mo, po in zip(values_o, probs_o):
            Ev += pm * po * family.batch_gradient(inner, family.batch_with_noise(tasks, D_o, mo))
    return Ev


def exact_mean_directions(family: Family, w, alpha, D_in, algorithm: str) -> np.ndarray:
    """E[G_i(w)] over all batches, per task (n, d), for MAML (5) or FO-MAML (8), exactly.

    MAML: D_h is independent of D_in, D_o and E[grad~^2 f_i(w, D_h)] = grad^2 f_i(w), so
    E[G_i] = (I - alpha grad^2 f_i(w)) E[v_i] ((78)).  HF-MAML is refused: its delta rule
    makes the expectation depend on ||v_i|| (use ``hf_maml_draws``).
    """
    Ev, _ = expected_outer_gradients(family, w, alpha, D_in)
    if algorithm == "fo_maml":
        return Ev
    if algorithm == "maml":
        return Ev - alpha * np.einsum("tij,tj->ti", family.hessian(w), Ev)
    raise ParameterError("algorithm", f"no closed form for E[G_i] of {algorithm!r}; exact for 'maml' and 'fo_maml'")


def fd_remainder(family: Family, w, V, deltas, tasks) -> np.ndarray:
    """e~ of (129): grad^2 f_i(w) v - [grad f_i(w + delta v) - grad f_i(w - delta v)] / (2 delta), exact oracles.

    Rows with v = 0 (no difference is taken, (11) gives 0) give 0.
    """
    V = np.asarray(V, dtype=float)
    norms = np.linalg.norm(V, axis=1)
    live = norms > 0
    dl = np.where(live, deltas, 1.0)[:, None]
    step = dl * V
    fd = (family.gradient(w + step, tasks) - family.gradient(w - step, tasks)) / (2 * dl)
    return np.where(live[:, None], family.hvp(w, V, tasks) - fd, 0.0)


class AntitheticNoise(NoisyFamily):
    """The same tasks with every batch's noise negated, (xi, N) -> (-xi, -N): equal in law, the antithetic twin.

    It reads the batches drawn by the original family (the same seeds), so a draw and
    its twin differ only in the sign of the noise.
    """

    def __init__(self, family: NoisyFamily):
        if not isinstance(family, NoisyFamily):
            raise ParameterError("family", f"antithetic noise needs a NoisyFamily, got {type(family).__name__}")
        super().__init__(family.base, family.noise_sigma_tilde, family.noise_sigma_H)
        self.name = family.name

    def _gradient_noise(self, batch):
        return -super()._gradient_noise(batch)

    def _hessian_noise(self, batch):
        return -super()._hessian_noise(batch)


@dataclass
class HFDraws:
    """HF-MAML draws, one row per antithetic pair (means of the draw and its twin), and the exact terms."""

    Y: np.ndarray  # (K, d): sum_i p_i [G_i - (I - alpha H_i)(v_i - E v_i)] - grad F(w), mean E[G] - grad F
    e_tilde: np.ndarray  # (K, d): sum_i p_i e~_i of (129)
    e_term: np.ndarray  # (d,): sum_i p_i (I - alpha H_i) e_{i,k}, exact
    rounding: float  # allowance for rounding in one row of Y, e_tilde (absolute)
    # (127), (128), (130): per task where the display is per task.
    split: np.ndarray | None = None  # (K, d): sum_i p_i [G_i + alpha d_i - (v_i - E v_i)], mean E[G] + alpha E[d]
    fd_minus_hv: np.ndarray | None = None  # (K, n, d): d_i - grad^2 f_i(w) v_i, d_i of (11)
    e_tilde_tasks: np.ndarray | None = None  # (K, n, d): e~_i of (129)
    inner_gradient: np.ndarray | None = None  # (n, d): grad f_i(w - alpha grad f_i(w)), exact
    e: np.ndarray | None = None  # (n, d): e_{i,k} as Lemma 4.10 (20) defines it, exact
    Ev: np.ndarray | None = None  # (n, d): E[v_i], exact
    H: np.ndarray | None = None  # (n, d, d): grad^2 f_i(w)
    rounding_fd: float = 0.0  # allowance for rounding in one row of fd_minus_hv, e_tilde_tasks (absolute)


def hf_maml_draws(family: NoisyFamily, w, alpha, D_in, D_o, D_h, K: int, rng: np.random.Generator,
                  rho: float) -> HFDraws:
    """K antithetic pairs of one iteration's batches for every task, HF-MAML's direction by verify.model.algorithms.

    G_i = v_i - alpha d_i with d_i of (11) from ``central_difference_hvp`` and delta_k^i of
    Theorem H.1 (``theorem_h_1_delta_rule``), on batches drawn once and read by the
    family and by its ``AntitheticNoise`` twin.
    """
    K = check_batch_size("draws", K, allow_exact=False)
    if K < 2:
        raise ParameterError("draws", "a confidence bound needs at least 2 pairs")
    n, dim = family.n_tasks, family.dim
    p = family.probabilities
    tasks = np.tile(np.arange(n), K)
    batches = MetaBatches(tasks, np.tile(p, K) / K, family.draw_batch(tasks, D_in, rng, name="D_in"),
                          family.draw_batch(tasks, D_o, rng, name="D_o"),
                          family.draw_batch(tasks, D_h, rng, name="D_h"))
    rule = theorem_h_1_delta_rule(rho, alpha)
    H = family.hessian(w)
    Ev, e = expected_outer_gradients(family, w, alpha, D_in)
    grad_F = meta_gradient(family, w, alpha)
    e_term = p @ (e - alpha * np.einsum("tij,tj->ti", H, e))
    Ys, Ets, splits, fds, ets, scale, fd_round = [], [], [], [], [], float(np.max(np.abs(grad_F))), 0.0
    fd_scale = 0.0
    L = family.constants.L.value
    for fam in (family, AntitheticNoise(family)):
        v = outer_gradients(fam, w, alpha, batches)
        norms = np.linalg.norm(v, axis=1)
        deltas = rule(norms)
        # The row-wise ratio itself: it sets the rounding allowance below.
        d, ratio = central_difference_hvp(fam, w, v, deltas, batches.hessian, exact_ratio=True)
        G = v - alpha * d  # (10)
        dv = v - Ev[tasks]
        cv = dv - alpha * np.einsum("tij,tj->ti", H[tasks], dv)  # mean exactly 0
        et = fd_remainder(family, w, v, deltas, tasks)
        hv = np.einsum("tij,tj->ti", H[tasks], v)
        Ys.append(np.einsum("i,kid->kd", p, (G - cv).reshape(K, n, dim)) - grad_F)
        Ets.append(np.einsum("i,kid->kd", p, et.reshape(K, n, dim)))
        splits.append(np.einsum("i,kid->kd", p, (G + alpha * d - dv).reshape(K, n, dim)))
        fds.append((d - hv).reshape(K, n, dim))
        ets.append(et.reshape(K, n, dim))
        scale = max(scale, float(np.max(np.abs(v))), float(np.max(np.abs(G))), float(np.max(np.abs(cv))),
                    float(np.max(np.abs(alpha * d))), float(np.max(np.abs(alpha * et))))
        fd_scale = max(fd_scale, float(np.max(np.abs(d))), float(np.max(np.abs(hv))), float(np.max(np.abs(et))))
        # central_difference_hvp's rounding estimate of d (including the noise of D_h that cancels).
        fd_round = max(fd_round, ratio * FD_ROUNDING_RTOL * L * float(np.max(norms)))
    rounding = ROUNDING_FACTOR * dim * EPS * scale * (1 + alpha * L) + 2 * alpha * fd_round
    # d - grad^2 f v - e~ and its kin, not multiplied by alpha: d's own rounding, and that of the terms
    # (grad^2 f_i (E v_i - grad f_i(u_i)) of (130) is of the scale L max ||v||).
    fd_scale = max(fd_scale, L * float(np.max(np.abs(Ev))))
    rounding_fd = ROUNDING_FACTOR * dim * EPS * fd_scale * (1 + alpha * L) + 2 * fd_round
    u = w - alpha * family.gradient(w)
    return HFDraws((Ys[0] + Ys[1]) / 2, (Ets[0] + Ets[1]) / 2, e_term, rounding,
                   split=(splits[0] + splits[1]) / 2, fd_minus_hv=(fds[0] + fds[1]) / 2,
                   e_tilde_tasks=(ets[0] + ets[1]) / 2, inner_gradient=family.gradient(u, np.arange(n)), e=e, Ev=Ev,
                   H=H, rounding_fd=rounding_fd)


# ---------------------------------------------------------------------- cases
@dataclass(frozen=True)
class BiasCase(CheckKey):
    """One bias display or identity on one family kind, and how its left side is obtained."""

    method: str  # "exact" | "monte_carlo"

    @property
    def algorithm(self) -> str:
        return self.bound.algorithm or "maml"

    @property
    def is_identity(self) -> bool:
        return self.bound.relation is Relation.EQ


# The identities' formulas for the correction term, by name.  "paper" is the registry's
# statement; the others are the negative control (a wrong formula the check must find
# violated) and, for the HF-MAML identities, the positive control (the formula with the signs
# that (129)'s definition of e~ and Lemma 4.10's (20) of e_{i,k} give, which must hold: it shows
# the check can say 'holds').
FORMULAS = {
    "eq_108_fo_maml_mean_direction": {
        "paper": "(108) with e_{i,k} as defined before it: E[G] = E_i[grad f_i(u_i) + e_{i,k}], e = grad f_i(u_i) - E v_i",
        "sign_corrected": "(108) with e_{i,k} of Lemma 4.10's (20), E[v_i] - grad f_i(u_i)",
        "without_e": "(108) without its e_{i,k} term",
    },
    "eq_109_fo_maml_mean_direction_inverse": {
        "paper": "(109): E[G] = E_i[(I - alpha grad^2 f_i)^{-1} grad F_i + e_{i,k}]",
        "without_e": "(109) without its e_{i,k} term",
    },
    "eq_112_fo_maml_bias_identity": {
        "paper": "(110)-(111): r_k = E_i[((I - alpha grad^2 f_i)^{-1} - I) grad F_i + e_{i,k}]",
        "without_e": "(111) without its e_{i,k} term",
    },
    "eq_113_neumann_series": {
        "paper": "(113): (I - alpha grad^2 f_i)^{-1} = I + sum_{j>=1} alpha^j (grad^2 f_i)^j",
        "without_identity": "(113) without its I: the series from j = 1 alone",
    },
    "eq_114_r_k_series": {
        "paper": "(114): r_k = sum_{j>=1} alpha^j E_i[(grad^2 f_i)^j grad F_i] + E_i[e_{i,k}]",
        "without_e": "(114) without its E_i[e_{i,k}] term",
    },
    "eq_127_hf_maml_mean_direction_split": {
        "paper": "(127) with e_{i,k} of (126): E[G] = E_i[grad f_i(u_i)] + E_i[e_{i,k}] - alpha E[d]",
        "sign_corrected": "(127) with e_{i,k} of Lemma 4.10's (20), E[v_i] - grad f_i(u_i)",
        "without_e": "(127) without its e_{i,k} term",
    },
    "eq_128_fd_direction_mean": {
        "paper": "(128): E[d_k^i] = E[grad^2 f_i v + e~_k^i], e~ of (129)",
        "sign_corrected": "(128) with - e~_k^i, the sign (129)'s definition of e~ gives",
        "without_e_tilde": "(128) without its e~_k^i term (d_k^i taken as the exact product)",
    },
    "eq_130_fd_direction_mean_simplified": {
        "paper": "(130) with e_{i,k} of (126) and e~ of (129): E[d] = grad^2 f_i (grad f_i(u_i) + e_{i,k}) + E[e~]",
        "sign_corrected": "(130) with e_{i,k} of (20) and - E[e~_k^i]",
        "sign_corrected_without_e_tilde": "(130) with e_{i,k} of (20) and without its e~_k^i term",
    },
    "eq_139_hf_maml_bias_identity": {
        "paper": "(131): s_k = E_i[(I - alpha grad^2 f_i) e_{i,k}] - alpha E[e~_k^i]",
        "sign_corrected": "(131) with + alpha E[e~_k^i], the sign (129)'s definition of e~ gives in (128)",
        "sign_corrected_without_e": "(131) with + alpha E[e~_k^i] and without its e_{i,k} term",
    },
}
CONTROL_FORMULA = {"eq_108_fo_maml_mean_direction": "without_e",
                   "eq_109_fo_maml_mean_direction_inverse": "without_e",
                   "eq_112_fo_maml_bias_identity": "without_e",
                   "eq_113_neumann_series": "without_identity",
                   "eq_114_r_k_series": "without_e",
                   "eq_127_hf_maml_mean_direction_split": "without_e",
                   "eq_128_fd_direction_mean": "without_e_tilde",
                   "eq_130_fd_direction_mean_simplified": "sign_corrected_without_e_tilde",
                   "eq_139_hf_maml_bias_identity": "sign_corrected_without_e"}
POSITIVE_FORMULA = {"eq_108_fo_maml_mean_direction": "sign_corrected",
                    "eq_127_hf_maml_mean_direction_split": "sign_corrected",
                    "eq_128_fd_direction_mean": "sign_corrected",
                    "eq_130_fd_direction_mean_simplified": "sign_corrected",
                    "eq_139_hf_maml_bias_identity": "sign_corrected"}
# The coefficient each FO-MAML identity's formula puts on e_{i,k} of Lemma 4.10's (20) (the definition printed
# before (108) is its negative).
_FO_E = {
    "eq_108_fo_maml_mean_direction": {"paper": -1.0, "sign_corrected": 1.0, "without_e": 0.0},
    "eq_109_fo_maml_mean_direction_inverse": {"paper": 1.0, "without_e": 0.0},
    "eq_112_fo_maml_bias_identity": {"paper": 1.0, "without_e": 0.0},
    "eq_114_r_k_series": {"paper": 1.0, "without_e": 0.0},
}


def neumann_partial_sum(H: np.ndarray, alpha: float, L: float, with_identity: bool = True
                        ) -> tuple[np.ndarray, float]:
    """I + sum_{j=1}^J (alpha H_i)^j per task (113), and the bound (alpha L)^(J+1)/(1 - alpha L) on the tail's norm.

    J is the first power with (alpha L)^(J+1) <= eps: the sum is then (I - alpha H_i)^{-1} to rounding, by the
    series itself (no inverse is formed), as ||alpha H_i|| <= alpha L < 1.
    """
    x = alpha * L
    if not 0 < x < 1:
        raise ParameterError("alpha", f"the Neumann series (113) needs 0 < alpha L < 1, got {x!r}")
    J = max(1, math.ceil(math.log(EPS) / math.log(x)))
    eye = np.broadcast_to(np.eye(H.shape[-1]), H.shape)
    power, total = eye.copy(), (eye.copy() if with_identity else np.zeros_like(H))
    for _ in range(J):
        power = alpha * power @ H
        total = total + power
    return total, x ** (J + 1) / (1 - x)


def fo_identity_residual(s: "BiasSetup", bound_id: str, formula: str) -> tuple[float, float]:
    """The residual of one of G.1's identities (108)-(110), (113)-(114) under ``formula``, and its allowance.

    E[G_i] = E_i E[v_i] exactly (FO-MAML's direction is v_i itself); grad F_i of (35b), grad F by itself,
    grad f_i(u_i) from the oracle, e_{i,k} of (20) (``expected_outer_gradients``).  The allowance is
    ROUNDING_FACTOR d eps times the terms' scale, magnified by (1 + alpha L)/(1 - alpha L) where an inverse
    or the series is applied, plus the series' tail bound where it is summed.
    """
    if formula not in FORMULAS[bound_id]:
        raise ParameterError("formula", f"{formula!r} is not one of {sorted(FORMULAS[bound_id])}")
    fam, p, alpha, L = s.family, s.family.probabilities, s.alpha, s.consts["L"]
    cond = (1 + alpha * L) / (1 - alpha * L)
    H = fam.hessian(s.w)
    if bound_id == "eq_113_neumann_series":
        S, tail = neumann_partial_sum(H, alpha, L, with_identity=formula == "paper")
        M = np.eye(fam.dim)[None] - alpha * H
        residual = float(max(np.linalg.norm(M[t] @ S[t] - np.eye(fam.dim), 2) for t in range(fam.n_tasks)))
        return residual, ROUNDING_FACTOR * fam.dim * EPS * cond + (1 + alpha * L) * tail
    c_e = _FO_E[bound_id][formula]
    EG = p @ s.Ev
    grad_Fi = task_meta_gradients(fam, s.w, alpha)
    scale = max(float(np.max(np.abs(s.Ev))), float(np.max(np.abs(grad_Fi))), 1e-300)
    tail_term = 0.0
    if bound_id == "eq_108_fo_maml_mean_direction":
        inner = fam.gradient(s.w - alpha * fam.gradient(s.w), np.arange(fam.n_tasks))
        residual_vec, cond = EG - p @ (inner + c_e * s.e), 1.0
    elif bound_id == "eq_109_fo_maml_mean_direction_inverse":
        solved = np.linalg.solve(np.eye(fam.dim)[None] - alpha * H, grad_Fi[:, :, None])[:, :, 0]
        residual_vec = EG - p @ (solved + c_e * s.e)
    elif bound_id == "eq_112_fo_maml_bias_identity":
        # (110): the bracket of (111) with the inverse applied by a solve; grad F from its own computation.
        neumann = np.linalg.solve(np.eye(fam.dim)[None] - alpha * H, grad_Fi[:, :, None])[:, :, 0] - grad_Fi
        scale = max(scale, float(np.max(np.abs(neumann))))
        residual_vec = EG - s.grad_F - p @ (neumann + c_e * s.e)
    elif bound_id == "eq_114_r_k_series":
        S, tail = neumann_partial_sum(H, alpha, L, with_identity=False)
        series = np.einsum("tij,tj->ti", S, grad_Fi)
        scale = max(scale, float(np.max(np.abs(series))))
        tail_term = tail * float(np.max(np.linalg.norm(grad_Fi, axis=1)))
        residual_vec = EG - s.grad_F - p @ (series + c_e * s.e)
    else:
        raise ParameterError("bound", f"no FO-MAML identity {bound_id}")
    return float(np.linalg.norm(residual_vec)), ROUNDING_FACTOR * fam.dim * EPS * scale * cond + tail_term


# The coefficients each HF-MAML identity's formula puts on e_{i,k} of Lemma 4.10's (20) (e of (126) is its
# negative) and on e~ of (129): (127) and (130) with ``e``, (128), (130) and (131) with ``e_tilde``.
_HF_TERMS = {
    "eq_127_hf_maml_mean_direction_split": {"paper": dict(e=-1.0), "sign_corrected": dict(e=1.0),
                                            "without_e": dict(e=0.0)},
    "eq_128_fd_direction_mean": {"paper": dict(e_tilde=1.0), "sign_corrected": dict(e_tilde=-1.0),
                                 "without_e_tilde": dict(e_tilde=0.0)},
    "eq_130_fd_direction_mean_simplified": {"paper": dict(e=-1.0, e_tilde=1.0),
                                            "sign_corrected": dict(e=1.0, e_tilde=-1.0),
                                            "sign_corrected_without_e_tilde": dict(e=1.0, e_tilde=0.0)},
    "eq_139_hf_maml_bias_identity": {"paper": dict(e=1.0, e_tilde=-1.0), "sign_corrected": dict(e=1.0, e_tilde=1.0),
                                     "sign_corrected_without_e": dict(e=0.0, e_tilde=1.0)},
}


def hf_identity_residual(bound_id: str, formula: str, dr: "HFDraws", p: np.ndarray, alpha: float
                         ) -> tuple[np.ndarray, float]:
    """Per antithetic pair, the residual of an HF-MAML identity under ``formula``, and its rounding allowance.

    (139)/(131): Y - c_e E_i[(I - alpha H_i) e_i] - c alpha E_i e~_i, the task mean (a claim about the mean
    direction).  (127): E_i[G_i + alpha d_i] - E_i[grad f_i(u_i) + c_e e_i], the task mean.  (128): per task,
    d_i - H_i v_i - c e~_i; (130): per task, d_i - H_i (v_i - E v_i) - H_i (grad f_i(u_i) + c_e e_i) - c e~_i; the
    per-task residuals are stacked with weights sqrt(p_i), so the norm of the mean is (sum_i p_i ||r_i||^2)^(1/2).
    e_i is Lemma 4.10's (20) (e of (126) is -e_i), e~ of (129); c_e, c from ``_HF_TERMS``.
    """
    if formula not in FORMULAS[bound_id]:
        raise ParameterError("formula", f"{formula!r} is not one of {sorted(FORMULAS[bound_id])}")
    c = _HF_TERMS[bound_id][formula]
    c_e, c_t = c.get("e", 0.0), c.get("e_tilde", 0.0)
    if bound_id == "eq_139_hf_maml_bias_identity":
        return dr.Y - c_e * dr.e_term - c_t * alpha * dr.e_tilde, dr.rounding
    if bound_id == "eq_127_hf_maml_mean_direction_split":
        return dr.split - p @ (dr.inner_gradient + c_e * dr.e), dr.rounding
    R = dr.fd_minus_hv - c_t * dr.e_tilde_tasks
    if bound_id == "eq_130_fd_direction_mean_simplified":
        # d_i - H_i v_i + H_i (E v_i - grad f_i(u_i) - c_e e_i): the control variate H_i (v_i - E v_i) of mean 0.
        R = R + np.einsum("tij,tj->ti", dr.H, dr.Ev - dr.inner_gradient - c_e * dr.e)[None]
    elif bound_id != "eq_128_fd_direction_mean":
        raise ParameterError("bound", f"no HF-MAML residual for {bound_id}")
    K = R.shape[0]
    return (np.sqrt(p)[None, :, None] * R).reshape(K, -1), dr.rounding_fd

# The pairs checked.  Left out, with the reason:
# * (80), (81), (116) on noisy quadratics and regression: the lhs is exactly 0 (affine
#   per-sample gradients commute with the mean over D_in; D_o and D_h are independent of
#   it), so no falsified constant could be caught (tests/test_bias_machinery.py checks the
#   zero against brute force);
# * HF-MAML on quadratics: rho = 0 and H.1's delta rule delta/||v|| with delta = 1/(6 rho alpha)
#   is undefined;
# * the identities on quadratics and regression: e_{i,k} = 0 there, so the negative control
#   (the formula without e_{i,k}) would be the identity itself.
# * the kinked family (the extremal instances of (80)-(81), (116)-(118)) for the other
#   displays: HF-MAML's (140) needs its own extremal family (see bounds/theorem_h_1/displays.py).
_PAIRS = {
    "eq_80_maml_bias": (("noisy-trigonometric", KINKED), "exact"),
    "eq_81_maml_bias_numeric": (("noisy-trigonometric", KINKED), "exact"),
    "eq_116_mean_bias": (("noisy-trigonometric", KINKED), "exact"),
    "eq_117_fo_maml_bias": ((*BIAS_KINDS, KINKED), "exact"),
    "eq_118_fo_maml_bias_squared": ((*BIAS_KINDS, KINKED), "exact"),
    "eq_112_fo_maml_bias_identity": (("noisy-trigonometric",), "exact"),
    # Theorem G.1's (108)-(109), (113)-(114), the identities around (110)-(112).
    "eq_108_fo_maml_mean_direction": (("noisy-trigonometric",), "exact"),
    "eq_109_fo_maml_mean_direction_inverse": (("noisy-trigonometric",), "exact"),
    "eq_113_neumann_series": (("noisy-trigonometric",), "exact"),
    "eq_114_r_k_series": (("noisy-trigonometric",), "exact"),
    "eq_140_hf_maml_bias": (("noisy-trigonometric",), "monte_carlo"),
    "eq_140_hf_maml_bias_numeric": (("noisy-trigonometric",), "monte_carlo"),
    "eq_139_hf_maml_bias_identity": (("noisy-trigonometric",), "monte_carlo"),
    # The erratum's (140), first and second inequality (bounds/theorem_h_1/corrected.py).
    "eq_140_hf_maml_bias_corrected": (("noisy-trigonometric",), "monte_carlo"),
    "eq_140_hf_maml_bias_numeric_corrected": (("noisy-trigonometric",), "monte_carlo"),
    # Theorem H.1's (127), (128), (130) (identities of HF-MAML's mean direction) and (133) (the e-term of
    # (131): MAML's bias r_k, exact, with (80)'s extremal instances on the kinked family).
    "eq_127_hf_maml_mean_direction_split": (("noisy-trigonometric",), "monte_carlo"),
    "eq_128_fd_direction_mean": (("noisy-trigonometric",), "monte_carlo"),
    "eq_130_fd_direction_mean_simplified": (("noisy-trigonometric",), "monte_carlo"),
    "eq_133_hf_maml_bias_e_term": (("noisy-trigonometric", KINKED), "exact"),
}
BIAS_CASES = [BiasCase(b, k, m) for b, (kinds, m) in _PAIRS.items() for k in kinds]
BIAS_CASES_BY_ID = {c.id: c for c in BIAS_CASES}


# ---------------------------------------------------------------------- one instance
@dataclass
class BiasSetup:
    """Everything an instance fixes: family, point, alpha, batch sizes, certified constants, exact terms."""

    case: BiasCase
    seed: int
    bound: Bound
    family: Family
    params: dict
    w: np.ndarray
    alpha: float
    D_in: int
    D_o: int
    D_h: int
    consts: dict
    values: dict  # the registry's inputs (without the left side)
    grad_F: np.ndarray
    Ev: np.ndarray
    e: np.ndarray
    note: str
    draws_cache: dict | None = None  # HF-MAML draws by their number: the controls reuse the verdict's draws


PARAM_KEYS = ("d", "n", "alpha_frac", "noise", "spread", "amplitude", "curvature", "shared", "scale", "stationary",
              "D_in", "D_o")


KINKED_PARAM_KEYS = ("alpha_frac", "noise", "smoothing", "side", "inner_gradient", "D_in", "D_o")


def build_kinked_setup(case: BiasCase, inst: Instance, bound: Bound) -> BiasSetup:
    """An instance of the kinked family (verify/model/families/kinked.py): deterministic, the seed is only recorded.

    Parameters: alpha = alpha_frac x its largest admitted value (L = 1); sigma~ = noise_level(noise),
    two-point noise; the smoothing scale eps = smoothing x alpha sigma~ (so e_{i,k} =
    L alpha sigma~ (1 - smoothing/2) at D_in = 1); f''(w) = side L; f'(u) = inner_gradient x sigma~.
    """
    p = inst.params
    missing = [k for k in KINKED_PARAM_KEYS if k not in p]
    if missing:
        raise ParameterError("params", f"the instance of {case.id} lacks {missing}")
    L = 1.0
    alpha = alpha_for(bound, float(p["alpha_frac"]), L)
    sig = noise_level(p["noise"])
    base, w = KinkedGradientFamily.at_inner_kink(L, float(p["smoothing"]) * alpha * sig, alpha, int(p["side"]),
                                                 float(p["inner_gradient"]) * sig)
    fam = NoisyFamily(base, sig, 0.0, distribution="two_point")
    fam.name = KINKED
    D_in, D_o = int(p["D_in"]), int(p["D_o"])
    # Every inner point of every noise outcome lies within alpha sigma~ of u.
    reach = (w, w - alpha * fam.gradient(w), w - alpha * (fam.gradient(w) + sig), w - alpha * (fam.gradient(w) - sig))
    consts = certified_constants(fam, *reach)
    # From here on the tasks are those certified on that ball: grad F is evaluated where its constants hold.
    fam = certified_family(fam, *reach)
    D_h, grad_F, Ev, e, values = _exact_quantities(bound, fam, w, alpha, consts, D_in, D_o)
    note = (f"kink at the inner point, f''(w) = {int(p['side'])} L, eps/(alpha sigma~) = {float(p['smoothing']):.3g}, "
            f"alpha L={alpha * L:.4g}, sigma~={sig:.4g} (two-point), D_in={D_in}, D_o={D_o}, D_h={D_h}, "
            f"||grad F||={values['grad_F_norm']:.4g}")
    return BiasSetup(case, inst.seed, bound, fam, dict(p), w, alpha, D_in, D_o, D_h, consts, values, grad_F, Ev, e,
                     note)


def _exact_quantities(bound: Bound, fam, w, alpha: float, consts: dict, D_in: int, D_o: int):
    """D_h at the edge of the Bound's hypothesis, grad F, the exact outer gradients, and the Bound's values."""
    D_h = smallest_admitted(bound, "D_h", dict(consts, alpha=alpha))
    grad_F = meta_gradient(fam, w, alpha)
    Ev, e = expected_outer_gradients(fam, w, alpha, D_in)
    values = dict(alpha=alpha, L=consts["L"], rho=consts["rho"], sigma=consts["sigma"],
                  sigma_tilde=consts["sigma_tilde"], sigma_H=consts["sigma_H"], D_in=D_in, D_o=D_o, D_h=D_h,
                  grad_F_norm=float(np.linalg.norm(grad_F)))
    return D_h, grad_F, Ev, e, values


def build_setup(case: BiasCase, inst: Instance, bound: Bound | None = None) -> BiasSetup:
    """The instance ``inst`` rebuilt from its seed: every array from ``default_rng(inst.seed)``."""
    if case.family == KINKED:
        return build_kinked_setup(case, inst, bound or case.bound)
    p = inst.params
    missing = [k for k in PARAM_KEYS if k not in p]
    if missing:
        raise ParameterError("params", f"the instance of {case.id} lacks {missing}")
    bound = bound or case.bound
    rng = np.random.default_rng(inst.seed)
    fam = build_bias_family(case.family, rng, p)
    w = (0.2 + 2.0 * float(p["scale"])) * rng.standard_normal(fam.dim)
    # L is certified on all of R^d for these families (trigonometric: exact; quadratics and regression:
    # the largest ||A_i||), so alpha is fixed before the point is; the ball's certificate must agree.
    L = fam.constants_on(Domain.everywhere()).L.value
    alpha = alpha_for(bound, float(p["alpha_frac"]), L)
    if float(p["stationary"]) > 0:
        w = stationary_point(fam, w, alpha)
    D_in, D_o = int(p["D_in"]), int(p["D_o"])
    inner = w - alpha * fam.gradient(w)
    points = [w, inner]
    if isinstance(fam, RegressionFamily):
        # Every batch's inner point is an average of these, so lies in a ball holding them.
        res = np.einsum("tnd,d->tn", fam.X, w) - fam.y
        points.append((w - alpha * res[:, :, None] * fam.X).reshape(-1, fam.dim))
    consts = certified_constants(fam, *points)
    if consts["L"] != L:
        raise ParameterError("family", f"L certified on R^d ({L}) and on the instance's ball ({consts['L']}) differ")
    # From here on the tasks are those certified on that ball (the point, a stationary one in
    # particular, may lie beyond the family's default ball): grad F is evaluated where its constants hold.
    fam = certified_family(fam, *points)
    D_h, grad_F, Ev, e, values = _exact_quantities(bound, fam, w, alpha, consts, D_in, D_o)
    note = (f"alpha L={alpha * consts['L']:.4g}, sigma~={consts['sigma_tilde']:.4g}, D_in={D_in}, D_o={D_o}, "
            f"D_h={D_h}, ||grad F||={values['grad_F_norm']:.4g}")
    return BiasSetup(case, inst.seed, bound, fam, dict(p), w, alpha, D_in, D_o, D_h, consts, values, grad_F, Ev, e,
                     note)


# Instances built once per run: cases that share a family kind, an algorithm and hypotheses
# ((80)-(81); (112), (116)-(118); (139)-(140)) share their search's candidates, so one setup
# (and one set of HF-MAML draws) serves all of them.  Bounded, so a long search cannot hoard memory.
_SETUPS: dict = {}
SETUP_CACHE_SIZE = 4096


def setup_for(case: BiasCase, inst: Instance) -> BiasSetup:
    """``build_setup(case, inst)``, shared by the cases with the same family kind, algorithm and hypotheses."""
    key = (case.family, case.algorithm, tuple(str(p.relation) for p in case.bound.preconditions), inst.seed,
           json.dumps(inst.params, sort_keys=True))
    if key not in _SETUPS:
        if len(_SETUPS) >= SETUP_CACHE_SIZE:
            _SETUPS.clear()
        _SETUPS[key] = build_setup(case, inst)
    return _SETUPS[key]


def _registry_values(s: BiasSetup, bound: Bound, lhs_value: float) -> dict:
    needed = {x.name for x in bound.inputs}
    lhs_name = next(iter(bound.lhs.free_symbols)).name
    out = {k: v for k, v in s.values.items() if k in needed}
    out[lhs_name] = lhs_value
    return out


def _admitted(s: BiasSetup, bound: Bound) -> bool:
    return bound.admits(_registry_values(s, bound, 0.0), s.family.probabilities)


def _failed(s: BiasSetup, method: str) -> StatOutcome:
    return StatOutcome(Verdict.PRECONDITION_FAILED, math.nan, math.nan, math.nan, math.nan, 0, method, s.note)


def _identity_outcome(lo: float, est: float, hi: float, tol: float, n: int, method: str, note: str) -> StatOutcome:
    """An identity's verdict: residual bounds [lo, hi] against the allowance tol (reported as the rhs)."""
    v = Verdict.VIOLATED if lo > tol else Verdict.HOLDS if hi <= tol else Verdict.INCONCLUSIVE
    return StatOutcome(v, est, lo, hi, tol, n, method, note, "<=")


def _inequality_outcome(bound: Bound, s: BiasSetup, est: float, lo: float, hi: float, n: int, method: str,
                        note: str, slack: float = 0.0) -> StatOutcome:
    """An inequality's verdict from bounds [lo, hi] on the norm, widened by the rounding allowance ``slack``.

    The left side is the norm or a power of it ((118) squares it), as the registry writes it;
    the allowance is on the norm, so it is applied before the power.
    """
    rhs = float(bound.rhs_value(_registry_values(s, bound, 0.0), s.family.probabilities))
    power = int(bound.lhs.exp) if bound.lhs.is_Pow else 1
    judged = statistical_verdict(max(lo - slack, 0.0) ** power, (hi + slack) ** power, rhs, "<=")
    return StatOutcome(judged, est ** power, lo ** power, hi ** power, rhs, n, method, note)


EXACT_METHOD = "exact (closed-form Gaussian expectation over the inner batch; outer and Hessian noise average out)"
MC_METHOD = ("Monte Carlo, antithetic pairs, control variate (I - alpha grad^2 f_i)(v_i - E v_i) of exactly known "
             "mean 0; student_t per coordinate, Bonferroni (norm of a mean)")


ENUMERATED_METHOD = ("exact (finite sum over the two-point noise's outcomes of D_in and D_o; the Hessian noise "
                     "averages out)")


def _exact_method(fam: Family) -> str:
    return ENUMERATED_METHOD if isinstance(fam, NoisyFamily) and fam.distribution == "two_point" else EXACT_METHOD


def run_exact(s: BiasSetup, bound: Bound, formula: str = "paper") -> StatOutcome:
    """An exact check: the bias (or the identity's residual) computed in closed form, judged with a rounding allowance."""
    fam, p, alpha = s.family, s.family.probabilities, s.alpha
    method = _exact_method(fam)
    if not _admitted(s, bound):
        return _failed(s, method)
    lhs_name = next(iter(bound.lhs.free_symbols)).name
    if bound.relation is Relation.EQ:
        if bound.id not in _FO_E and bound.id != "eq_113_neumann_series":
            raise ParameterError("bound", f"no exact computation of the identity {bound.id}")
        # (108)-(110), (113)-(114): exact Hessians, grad F_i of (35b), e_{i,k} of (20) ((108)'s formula its negative).
        residual, tol = fo_identity_residual(s, bound.id, formula)
        mb = exact_mean_bound(residual)
        return _identity_outcome(mb.lower, mb.estimate, mb.upper, tol, 0, method,
                                 f"{FORMULAS[bound.id][formula]}; rounding allowance {tol:.3g}; {s.note}")
    if lhs_name == "mean_bias_norm":
        value, scale = float(np.linalg.norm(p @ s.e)), float(np.max(np.abs(s.e)))
    elif lhs_name == "e_term_norm":
        # (133): E_i[(I - alpha grad^2 f_i(w)) e_{i,k}], exact Hessians and e_{i,k} (its sign does not matter).
        term = s.e - alpha * np.einsum("tij,tj->ti", fam.hessian(s.w), s.e)
        value, scale = float(np.linalg.norm(p @ term)), float(np.max(np.abs(s.e))) * (1 + alpha * s.consts["L"])
    elif lhs_name == "direction_bias_norm":
        EG = exact_mean_directions(fam, s.w, alpha, s.D_in, s.case.algorithm)
        value = float(np.linalg.norm(p @ EG - s.grad_F))
        scale = float(max(np.max(np.abs(EG)), np.max(np.abs(s.grad_F))))
    else:
        raise ParameterError("bound", f"{bound.id}: no exact computation of {lhs_name}")
    mb = exact_mean_bound(value)
    slack = ROUNDING_FACTOR * fam.dim * EPS * scale
    return _inequality_outcome(bound, s, mb.estimate, mb.lower, mb.upper, 0, method,
                               f"rounding allowance {slack:.3g}; {s.note}", slack)


def run_monte_carlo(s: BiasSetup, bound: Bound, delta: float, draws: int, formula: str = "paper") -> StatOutcome:
    """HF-MAML: ||E[G] - grad F|| (140) or the residual of (131)/(139), from antithetic, control-variate draws."""
    if not _admitted(s, bound):
        return _failed(s, MC_METHOD)
    # The draws come from their own stream of the instance's seed: independent of everything that
    # built the instance (and of the proxy that may have selected it in the search).
    if s.draws_cache is None:
        s.draws_cache = {}
    if draws not in s.draws_cache:
        s.draws_cache[draws] = hf_maml_draws(s.family, s.w, s.alpha, s.D_in, s.D_o, s.D_h, draws,
                                             np.random.default_rng([s.seed, 1]), s.consts["rho"])
    dr = s.draws_cache[draws]
    note = f"{draws} antithetic pairs; {s.note}"
    if bound.relation is Relation.EQ:
        # Residual per pair, the correction terms from the formula, e~ from the same draws.
        R, rounding = hf_identity_residual(bound.id, formula, dr, s.family.probabilities, s.alpha)
        est, lo, hi = vector_mean_norm_bound(R, np.zeros(R.shape[1]), delta)
        return _identity_outcome(lo, est, hi, rounding, draws, MC_METHOD,
                                 f"{FORMULAS[bound.id][formula]}; rounding allowance {rounding:.3g}; {note}")
    est, lo, hi = vector_mean_norm_bound(dr.Y, np.zeros(s.family.dim), delta)
    return _inequality_outcome(bound, s, est, lo, hi, draws, MC_METHOD, note, dr.rounding)


def run_instance(case: BiasCase, inst: Instance, delta: float, bound: Bound | None = None,
                 formula: str = "paper", setup: BiasSetup | None = None) -> StatOutcome:
    """One instance judged by the case's Bound (or ``bound``, a falsified one), with ``formula`` for an identity.

    Monte Carlo instances carry their number of antithetic pairs as ``draws`` (so a replay
    redraws exactly the same batches).  ``setup``: the instance already built (its
    hypotheses are those of ``bound``: a falsified Bound changes only the right side).
    """
    bound = bound or case.bound
    s = setup if setup is not None else build_setup(case, inst, bound)
    if case.method == "exact":
        return run_exact(s, bound, formula)
    return run_monte_carlo(s, bound, delta, int(inst.params.get("draws", DEFAULT_DRAWS)), formula)


# ---------------------------------------------------------------------- extremal instances
# The equality cases of the bias displays (derivations in the Bounds' modules, bounds/theorem_f_1/displays.py
# and bounds/theorem_g_1/displays.py), in the kinked family with the smoothing eps = 1e-3 alpha sigma~:
#   "maml":       f''(w) = -L, the kink at u: ||I - alpha grad^2 f_i|| = 1 + alpha L and e_{i,k} at its
#                 bound of (20), aligned, so (80) is tight (ratio 1 - smoothing/2), (81) at alpha L = 1/6;
#   "stationary": w at the kink, f'(w) = 0: grad F = 0 and r_k = e_{i,k}, so (116) and (117) are tight;
#   "aligned":    f''(w) = +L and f'(u) > 0: FO-MAML's dropped term alpha grad^2 f_i grad f_i(u) of (114)
#                 adds to e_{i,k}, at the f'(u) that balances (118)'s ||grad F||^2 and sigma~^2 terms.
EXTREMAL_SMOOTHING = 1e-3
_EXTREMAL_BASE = dict(alpha_frac=1.0, noise=0.5, smoothing=EXTREMAL_SMOOTHING, D_in=1, D_o=1)


def aligned_inner_gradient(bound: Bound, alpha_L: float) -> float | None:
    """f'(u)/sigma~ maximising (alpha L c + alpha L sigma~)^2 / (a (1 - alpha L)^2 c^2 + b sigma~^2): c = b / (a (1 - alpha L)^2).

    a, b: the coefficients of ||grad F||^2 and sigma~^2/D_in in ``bound``'s right side, read
    by evaluating it (a scaled, falsified Bound gives the same c).  None when the right
    side has no ||grad F|| term or is not quadratic in it ((118) only).
    """
    names = {x.name for x in bound.inputs}
    if "grad_F_norm" not in names or not (bound.lhs.is_Pow and bound.lhs.exp == 2):
        return None
    base = dict(alpha=alpha_L, L=1.0, sigma=0.0, rho=1.0, sigma_H=0.0, D_o=1, D_h=1, D_in=1)
    base = {k: v for k, v in base.items() if k in names}
    base[next(iter(bound.lhs.free_symbols)).name] = 0.0
    a = float(bound.rhs_value(dict(base, grad_F_norm=1.0, sigma_tilde=0.0)))
    b = float(bound.rhs_value(dict(base, grad_F_norm=0.0, sigma_tilde=1.0)))
    return b / (a * (1.0 - alpha_L) ** 2)


def kinked_extremal_instances(case: BiasCase, bound: Bound | None = None) -> list[Instance]:
    """The kinked family's extremal instances for ``case`` (deterministic: the seed 0 is only recorded)."""
    bound = bound or case.bound
    out = [Instance(case.id, 0, dict(_EXTREMAL_BASE, side=-1, inner_gradient=-1.0)),
           Instance(case.id, 0, dict(_EXTREMAL_BASE, side=0, inner_gradient=0.0))]
    c = aligned_inner_gradient(bound, alpha_for(bound, 1.0, 1.0))
    if c is not None:
        out.append(Instance(case.id, 0, dict(_EXTREMAL_BASE, side=1, inner_gradient=c)))
    return out


def _kinked_extremal_run(bound: Bound) -> ExtremalRun:
    case = BIAS_CASES_BY_ID[f"{bound.id}@{KINKED}"]
    outs = [run_instance(case, inst, 0.0, bound=bound, setup=setup_for(case, inst))
            for inst in kinked_extremal_instances(case, bound)]
    outs = [o for o in outs if o.verdict is not Verdict.PRECONDITION_FAILED]
    worst = max(outs, key=lambda o: o.ratio)
    verdict = (Verdict.VIOLATED if any(o.verdict is Verdict.VIOLATED for o in outs) else
               Verdict.INCONCLUSIVE if any(o.verdict is Verdict.INCONCLUSIVE for o in outs) else Verdict.HOLDS)
    return ExtremalRun(case.id, verdict, float(worst.ratio), f"exact; worst: {worst.note}")


# (133) is MAML's bias r_k of (79) under H.1's hypotheses: (80)'s equality case is its own.
for _bound_id in ("eq_80_maml_bias", "eq_81_maml_bias_numeric", "eq_116_mean_bias", "eq_117_fo_maml_bias",
                  "eq_118_fo_maml_bias_squared", "eq_133_hf_maml_bias_e_term"):
    extremal_runner(_bound_id)(_kinked_extremal_run)

# The family whose check holds a Bound's extremal instances.  Its negative control (the right side
# times 9/10 of the declared supremum, ``pointwise.falsified``) must be caught; another family's
# check cannot reach that ratio (affine gradients make e_{i,k} = 0, the cosines' bias is a Gaussian
# smoothing far from (62)'s equality case), so there the control is run and reported, not required.
EXTREMAL_FAMILY = {"eq_80_maml_bias": KINKED, "eq_81_maml_bias_numeric": KINKED, "eq_116_mean_bias": KINKED,
                   "eq_117_fo_maml_bias": KINKED, "eq_118_fo_maml_bias_squared": KINKED,
                   "eq_140_hf_maml_bias": "noisy-trigonometric",
                   "eq_140_hf_maml_bias_numeric": "noisy-trigonometric", "eq_133_hf_maml_bias_e_term": KINKED}


def control_required(case: BiasCase) -> bool:
    """Whether ``case``'s negative control is the power control (9/10 of the supremum): identities always have
    theirs (a wrong formula); an inequality on its extremal family; elsewhere it is a plumbing control."""
    return case.is_identity or EXTREMAL_FAMILY.get(case.bound_id, case.family) == case.family


# (140): the recorded finding's instance (h1-eq-140-bias-bound-misses-task-variance), a stationary
# point of F with small sigma~ where the right side is almost 0 and HF-MAML's bias is not; judged
# with fewer antithetic pairs than ``pytest verify`` uses, so the run stays fast.
EXTREMAL_HF_DRAWS = 200
EXTREMAL_HF_DELTA = 1e-6


def _hf_extremal_run(bound: Bound) -> ExtremalRun:
    case = BIAS_CASES_BY_ID[f"{bound.id}@noisy-trigonometric"]
    recorded = [Instance.from_json(f.instance) for f in for_check("bias")
                if f.bound == bound.id and f.instance and case.family in f.families]
    outs = []
    for rec in recorded:
        inst = Instance(rec.check, rec.seed, dict(rec.params, draws=EXTREMAL_HF_DRAWS))
        outs.append(run_instance(case, inst, EXTREMAL_HF_DELTA, bound=bound, setup=setup_for(case, inst)))
    if not outs:
        return ExtremalRun(case.id, Verdict.PRECONDITION_FAILED, math.nan, "no recorded instance")
    worst = max(outs, key=lambda o: o.ratio)
    verdict = Verdict.VIOLATED if any(o.verdict is Verdict.VIOLATED for o in outs) else worst.verdict
    # The cautious ratio of a statistical verdict: the lower confidence bound of the lhs over the rhs.
    return ExtremalRun(case.id, verdict, float(worst.lower / worst.rhs), f"{worst.method}; {worst.note}")


for _bound_id in ("eq_140_hf_maml_bias", "eq_140_hf_maml_bias_numeric"):
    extremal_runner(_bound_id)(_hf_extremal_run)


# ---------------------------------------------------------------------- adversarial search
def proxy_ratio(case: BiasCase, inst: Instance) -> tuple[float, StatOutcome | None]:
    """A cheap score of an instance that uses no Monte Carlo draw, so selecting by it leaves the verdict unbiased.

    Exact cases: the exact ratio, with the exact outcome itself.  HF-MAML: the noise-free
    approximation E[G] - grad F ~ sum_i p_i [(I - alpha H_i) e_{i,k} + alpha e~_i(E v_i)]
    (e~ of (129) at the mean outer gradient) against the rhs; for the identity,
    2 alpha ||sum_i p_i e~_i(E v_i)||, the paper's residual if (128)'s sign is the wrong
    one, against eps times the scale.  -inf outside the hypotheses.
    """
    s = setup_for(case, inst)
    if case.method == "exact":
        out = run_exact(s, case.bound)
        return (-math.inf if out.verdict is Verdict.PRECONDITION_FAILED else out.ratio), out
    if not _admitted(s, case.bound):
        return -math.inf, None
    fam, p = s.family, s.family.probabilities
    deltas = theorem_h_1_delta_rule(s.consts["rho"], s.alpha)(np.linalg.norm(s.Ev, axis=1))
    et_tasks = fd_remainder(fam, s.w, s.Ev, deltas, np.arange(fam.n_tasks))
    et = p @ et_tasks
    if case.is_identity:
        # The paper's formula against the signs of (129) and (20), on the noise-free terms (a single "draw"
        # at v_i = E v_i, where the central difference of the exact gradients is grad^2 f_i v_i - e~_i).
        H = fam.hessian(s.w)
        e_term = p @ (s.e - s.alpha * np.einsum("tij,tj->ti", H, s.e))
        proxy = HFDraws(Y=(e_term + s.alpha * et)[None], e_tilde=et[None], e_term=e_term, rounding=0.0,
                        split=(p @ s.Ev)[None], fd_minus_hv=-et_tasks[None], e_tilde_tasks=et_tasks[None],
                        inner_gradient=s.Ev - s.e, e=s.e, Ev=s.Ev, H=H)
        R, _ = hf_identity_residual(case.bound_id, "paper", proxy, p, s.alpha)
        return float(np.linalg.norm(R) / (EPS * (1 + np.max(np.abs(s.Ev))))), None
    H = fam.hessian(s.w)
    approx = p @ (s.e - s.alpha * np.einsum("tij,tj->ti", H, s.e)) + s.alpha * et
    return _inequality_outcome(case.bound, s, float(np.linalg.norm(approx)), 0.0, 0.0, 0, "proxy", "").ratio, None


# Parameters the refinement stage jitters within [0, 1] (the seed, d, n, the batch sizes and
# the switches stay, so the family changes continuously).
CONTINUOUS = ("alpha_frac", "noise", "spread", "amplitude", "curvature", "scale")


def draw_params(rng: np.random.Generator) -> dict:
    """Random instance parameters over the whole admitted range (alpha up to its edge, stationary points included)."""
    return dict(d=int(rng.integers(1, 5)), n=int(rng.integers(2, 6)),
                alpha_frac=float(rng.choice([1.0, rng.random()])), noise=float(rng.random()),
                spread=float(rng.random()), amplitude=float(rng.random()), curvature=float(rng.random()),
                shared=int(rng.integers(0, 2)), scale=float(rng.random()), stationary=int(rng.integers(0, 2)),
                D_in=int(rng.choice([1, 1, 2, 4, 16])), D_o=int(rng.choice([1, 2, 8])))


def draw_kinked_params(rng: np.random.Generator) -> dict:
    """Random parameters of the kinked family, admitted by construction (|f'(u)| beyond the smoothing interval)."""
    smoothing = float(10.0 ** rng.uniform(-4.0, 0.0))
    side = int(rng.integers(-1, 2))
    return dict(alpha_frac=float(rng.choice([1.0, rng.random()])), noise=float(rng.random()), smoothing=smoothing,
                side=side, inner_gradient=side * (1.5 * smoothing + 2.0 * float(rng.random())),
                D_in=int(rng.choice([1, 1, 2, 4, 16])), D_o=int(rng.choice([1, 2, 8])))


def jitter_kinked(p: dict, rng: np.random.Generator) -> dict:
    """A nearby admitted configuration: alpha, sigma~ and the smoothing and inner gradient scales moved a little.

    |f'(u)| stays >= 1.5 smoothing sigma~, beyond eps (1/alpha +- L/2) of ``at_inner_kink``'s constraint.
    """
    q = dict(p)
    for k in ("alpha_frac", "noise"):
        q[k] = float(np.clip(q[k] + 0.15 * rng.standard_normal(), 0.0, 1.0))
    q["smoothing"] = float(min(1.0, q["smoothing"] * math.exp(0.5 * rng.standard_normal())))
    g = abs(float(q["inner_gradient"])) * math.exp(0.3 * rng.standard_normal())
    q["inner_gradient"] = int(q["side"]) * max(g, 1.5 * q["smoothing"])
    return q


@dataclass
class Search:
    """The adversarial search's candidates with their scores (and exact outcomes, for exact cases)."""

    scored: list  # [(score, Instance, StatOutcome | None)], best first
    size: int


def adversarial_search(case: BiasCase, run_seed: int, count: int, refine: int, draws: int | None = None) -> Search:
    """``count`` random candidates, then ``refine`` jittered copies of the best one, all scored by ``proxy_ratio``.

    Reproducible from the run's seed and the case's id.  Monte Carlo candidates carry
    ``draws`` (antithetic pairs) so that a selected one replays exactly.
    """
    if count < 0 or refine < 0:
        raise ParameterError("count", f"the search sizes must be >= 0, got count={count}, refine={refine}")
    # Seeded by the family kind and algorithm, not the case, so the cases that share them share
    # candidates (and setups, ``setup_for``); the refinement follows each case's own score.
    rng = np.random.default_rng(mix_seed(run_seed, zlib.crc32(f"{case.family}|{case.algorithm}".encode())))

    def make(p, seed):
        if case.method == "monte_carlo":
            p["draws"] = int(draws or DEFAULT_DRAWS)
        inst = Instance(case.id, int(seed), p)
        return (inst, *proxy_ratio(case, inst))

    kinked = case.family == KINKED
    scored = [make((draw_kinked_params if kinked else draw_params)(rng), rng.integers(0, 2 ** 32 - 1))
              for _ in range(count)]
    live = [t for t in scored if np.isfinite(t[1])]
    if live and refine:
        best = max(live, key=lambda t: t[1])[0]
        for _ in range(refine):
            if kinked:
                p = jitter_kinked(best.params, rng)
            else:
                p = dict(best.params)
                for k in CONTINUOUS:
                    p[k] = float(np.clip(p[k] + 0.15 * rng.standard_normal(), 0.0, 1.0))
            scored.append(make(p, best.seed))
    scored = [(score, inst, out) for inst, score, out in scored]
    scored.sort(key=lambda t: -t[0] if np.isfinite(t[0]) else math.inf)
    return Search(scored, len(scored))


# ---------------------------------------------------------------------- a check over instances
@dataclass
class BiasCheck:
    """A check over its instances: combined verdict, worst instance, negative (and positive) control."""

    verdict: Verdict
    admitted: list
    tried: int
    searched: int
    worst_instance: Instance | None
    worst: StatOutcome | None
    control_note: str
    control_caught: bool | None
    positive_note: str
    positive_held: bool | None
    detail: str


def statistical_tests(case: BiasCase, fixed: int, judged: int) -> int:
    """How many confidence-bound verdicts a check makes (the error budget's unit): exact cases make none."""
    if case.method == "exact":
        return 0
    return fixed + judged + 1 + (1 if case.bound_id in POSITIVE_FORMULA else 0)


def judge_bias(case: BiasCase, fixed: list[Instance], delta: float, search: Search | None = None,
               judged: int = 1) -> BiasCheck:
    """Run ``case`` on the fixed instances and the search's worst candidates; combine; run the controls.

    Exact cases keep every searched candidate (an exact verdict costs no error
    probability); Monte Carlo cases judge the ``judged`` best-scored candidates, on
    draws independent of the score.  The negative control runs at the worst instance:
    ``pointwise.falsified`` for an inequality, the wrong formula for an identity.
    """
    def run(inst, **kw):
        # One setup per instance (``setup_for``): the controls reuse the instance and its draws.
        return run_instance(case, inst, delta, setup=setup_for(case, inst), **kw)

    outcomes = [(inst, run(inst)) for inst in fixed]
    if search is not None:
        if case.method == "exact":
            outcomes += [(inst, out) for _, inst, out in search.scored]
        else:
            picked = [inst for score, inst, _ in search.scored if np.isfinite(score)][:judged]
            outcomes += [(inst, run(inst)) for inst in picked]
    admitted = [(i, o) for i, o in outcomes if o.verdict is not Verdict.PRECONDITION_FAILED]
    verdicts = {o.verdict for _, o in admitted}
    verdict = (Verdict.VIOLATED if Verdict.VIOLATED in verdicts else Verdict.INCONCLUSIVE
               if Verdict.INCONCLUSIVE in verdicts else Verdict.HOLDS if admitted else Verdict.PRECONDITION_FAILED)
    worst_inst, worst = max(admitted, key=lambda t: t[1].ratio) if admitted else (None, None)
    caught, note, held, pnote = None, "", None, ""
    if worst is not None:
        if case.is_identity:
            wrong = CONTROL_FORMULA[case.bound_id]
            # The wrong formula differs from the right one by a term that vanishes at some
            # instances (e.g. e_{i,k} of (111) as alpha -> 0): it is judged at the worst instance,
            # then at the others, until one tells the two apart.
            for inst in [worst_inst] + [i for i, _ in admitted if i is not worst_inst]:
                out = run(inst, formula=wrong)
                if out.verdict is Verdict.VIOLATED:
                    break
            where = "the worst instance" if inst is worst_inst else f"the instance of seed {inst.seed}"
            note = (f"wrong formula {FORMULAS[case.bound_id][wrong]}: residual {out.estimate:.4g} in "
                    f"[{out.lower:.4g}, {out.upper:.4g}] vs allowance {out.rhs:.4g} at {where}")
        else:
            if control_required(case):
                control_bound, note = falsified(case.bound, worst.ratio)
            else:
                # A family that cannot come near the equality case: the power control is judged on
                # EXTREMAL_FAMILY's check; this one tests the plumbing of this family's check.
                control_bound, note = plumbing_control(case.bound, worst, EXTREMAL_FAMILY[case.bound_id])
            out = run(worst_inst, bound=control_bound)
            note += (f": lhs {out.estimate:.4g} in [{out.lower:.4g}, {out.upper:.4g}] vs rhs {out.rhs:.4g} at the "
                     "worst instance")
        caught = out.verdict is Verdict.VIOLATED
        note += f" ({out.verdict.value})"
        if case.bound_id in POSITIVE_FORMULA:
            right = POSITIVE_FORMULA[case.bound_id]
            out = run(worst_inst, formula=right)
            held = out.verdict is Verdict.HOLDS
            pnote = (f"positive control {FORMULAS[case.bound_id][right]}: {out.verdict.value}, residual "
                     f"{out.estimate:.3g} in [{out.lower:.3g}, {out.upper:.3g}] vs allowance {out.rhs:.3g}")
    side = "allowance" if case.is_identity else "rhs"
    detail = "; ".join(f"{o.verdict.value}: lhs {o.estimate:.4g} in [{o.lower:.4g}, {o.upper:.4g}] vs {side} "
                       f"{o.rhs:.4g} ({o.note}) replay: {i.replay_command()}"
                       for i, o in admitted if o.verdict is not Verdict.HOLDS or i is worst_inst)
    return BiasCheck(verdict, admitted, len(outcomes), 0 if search is None else search.size, worst_inst, worst,
                     note, caught, pnote, held, detail)


def evidence_of(case: BiasCase, check: BiasCheck, run_seed: int, delta: float, finding_id: str | None) -> Evidence:
    """The Evidence record of a bias check, with the method and why, the instances tried and searched."""
    w = check.worst
    if w is None:
        note = "no admitted instance"
    elif case.method == "exact":
        note = (f"{w.method}, so the verdict has error probability 0 (rounding allowance: 64 d eps times the terms' "
                f"scale); {check.tried} instances ({check.searched} from the adversarial search, all judged); "
                f"worst: {w.note}")
    else:
        note = (f"{w.method}; lhs in [{w.lower:.4g}, {w.upper:.4g}] from {w.n} antithetic pairs; error probability "
                f"per one-sided bound {delta:.2g}; {check.tried} instances judged (the search's worst of "
                f"{check.searched} by a noise-free proxy, judged on independent draws); worst: {w.note}")
    if check.positive_note:
        note += f"; {check.positive_note}"
    if case.is_identity and w is not None:
        note += "; the ratio is the residual over the rounding allowance (above 1: the identity fails)"
    return check_evidence(case, check, run_seed, note, finding_id)


# ---------------------------------------------------------------------- replay
def main(argv: list[str] | None = None) -> int:
    """Replay one recorded instance of a bias check (``python -m verify.replay '<instance JSON>'``)."""

    argv = sys.argv[1:] if argv is None else argv
    inst = parse_replay("python -m verify.checks.bias", main.__doc__, argv).instance
    case = BIAS_CASES_BY_ID.get(inst.check)
    if case is None:
        print(f"replay: no bias check named {inst.check!r}", file=sys.stderr)
        return 2
    out = run_instance(case, inst, REPLAY_DELTA)
    b = case.bound
    side = "rounding allowance" if case.is_identity else "rhs"
    print(f"{b.id} [{b.reference}] on {case.family}: {out.verdict.value} ({out.method}; {out.note})\n"
          f"lhs = {out.estimate:.10g} in [{out.lower:.10g}, {out.upper:.10g}]\n{side} = {out.rhs:.10g}")
    return 1 if out.verdict is Verdict.VIOLATED else 0


__all__ = ["BIAS_CASES", "BIAS_CASES_BY_ID", "BIAS_KINDS", "EXTREMAL_FAMILY", "KINKED", "control_required",
           "kinked_extremal_instances", "enumerated_outer_gradients", "AntitheticNoise", "BiasCase", "BiasCheck", "HFDraws",
           "build_bias_family", "build_setup", "evidence_of", "exact_mean_directions", "expected_outer_gradients",
           "fd_remainder", "gaussian_smoothed_gradient", "hf_maml_draws", "judge_bias", "main", "proxy_ratio",
           "run_instance", "adversarial_search", "Search", "setup_for", "stationary_point", "statistical_tests",
           "derived_fixed"]


if __name__ == "__main__":
    raise SystemExit(main())
