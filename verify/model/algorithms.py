"""MAML (Algorithm 1, (5)), FO-MAML (Algorithm 2, (8)) and HF-MAML (Algorithm 3, (10)-(11)), exactly as the paper states them.

One iteration at w_k draws a task batch B_k (i.i.d. from p) and, for every task
i in it, independent data batches D_in^i, D_o^i, D_h^i (Section 2: "we assume
that D_o and D_h are independent from each other"), then

    w_{k+1}^i = w_k - alpha grad~ f_i(w_k, D_in^i)                              (4)
    v_i       = grad~ f_i(w_{k+1}^i, D_o^i)
    MAML      direction 1/B sum_i (I - alpha grad~^2 f_i(w_k, D_h^i)) v_i       (5)
    FO-MAML   direction 1/B sum_i v_i                                           (8)
    HF-MAML   direction 1/B sum_i (v_i - alpha d_i^k),                          (10)
              d_i^k = [grad~ f_i(w_k + delta v_i, D_h^i) - grad~ f_i(w_k - delta v_i, D_h^i)] / (2 delta)   (11)

and w_{k+1} = w_k - beta_k * direction with beta_k = c * beta~(w_k) of (17),
drawn from its own independent batches B'_k and D_beta (Section 4.1 (II)).

.. warning::
   The difference (11) is *central*: gradients at w_k + delta v and w_k - delta v,
   with the same batch D_h^i.  Public code has shipped both terms evaluated at one
   point, which makes d_i^k = 0 and HF-MAML silently equal to FO-MAML;
   tests/test_algorithms.py checks that the two differ whenever the
   Hessian-vector term does not vanish.

The sampled quantities have exact limits, used by Appendix I: ``B = ALL_TASKS``
takes every task with weight p_i instead of an i.i.d. batch, and a data batch
size ``EXACT`` uses the exact oracle.  All randomness comes from the numpy
Generator passed in; the caller makes it from a seed that it records.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .errors import (ALL_TASKS, EXACT, FiniteDifferenceError, NonFiniteValue, OutsideDomain, ParameterError,
                     check_alpha, check_finite, check_positive, check_rng,
                     require_finite)
from .families.base import Batch, Family, repeated_rows
from .objectives import (OVERRIDE, _finite_constants, _meta_gradient, _meta_objective, _stepsize_beta_tilde,
                         alpha_outside_hypotheses, data_batch_size, stepsize_batch_sizes,
                         task_batch_size)
from bounds import BOUNDS, compiled

__all__ = [
    "ALGORITHMS",
    "Direction",
    "FD_ROUNDING_RTOL",
    "MetaBatches",
    "Trace",
    "adapted_points",
    "central_difference_hvp",
    "draw_meta_batches",
    "fo_maml_direction",
    "hf_maml_direction",
    "maml_direction",
    "outer_gradients",
    "registry_stepsize_factor",
    "run",
    "sgd_direction",
    "theorem_h_1_delta_rule",
]

ALGORITHMS = ("maml", "fo_maml", "hf_maml")

# The general theorems F.1, G.1, H.1 fix the stepsize factor c and the delta rule;
# their registry entries carry them as settings (no constant is retyped here).
THEOREM_OF = {"maml": "theorem_f_1_accuracy", "fo_maml": "theorem_g_1_accuracy", "hf_maml": "theorem_h_1_accuracy"}

# A central difference whose estimated rounding error exceeds this fraction of the
# scale L ||v|| of the Hessian-vector product it approximates is refused: below
# that step the difference measures floating-point noise, not curvature.
FD_ROUNDING_RTOL = 1e-6
_EPS = np.finfo(np.float64).eps


# ---------------------------------------------------------------------- registry settings
def _registry_setting(algorithm: str, key: str):
    if algorithm not in THEOREM_OF:
        raise ParameterError("algorithm", f"{algorithm!r} is not one of {ALGORITHMS}")
    bound_id = THEOREM_OF[algorithm]
    if bound_id not in BOUNDS or key not in BOUNDS[bound_id].settings:
        raise KeyError(f"the registry has no setting {key!r} of {bound_id!r} yet")
    return BOUNDS[bound_id].settings[key]


def registry_stepsize_factor(algorithm: str) -> float:
    """c of beta_k = c beta~(w_k) for ``algorithm``, from the registry (Theorems F.1, G.1, H.1)."""
    return float(_registry_setting(algorithm, "stepsize_factor"))


def theorem_h_1_delta_rule(rho: float, alpha: float) -> Callable[[np.ndarray], np.ndarray]:
    """delta_k^i as a function of ||grad~ f_i(w_k - alpha grad~ f_i(w_k, D_in), D_o)||, Theorem 4.17 / H.1.

    The expression is the registry's ``theorem_h_1_accuracy`` setting ``delta_rule``.  It
    needs rho > 0 and alpha > 0; for rho = 0 the difference (11) is exact for every
    delta and the rule gives none, so the caller must choose delta.
    """

    rule = _registry_setting("hf_maml", "delta_rule")
    rho = check_positive("rho", rho, allow_zero=True)
    alpha = check_alpha(alpha)
    if rho == 0 or alpha == 0:
        raise ParameterError("rho" if rho == 0 else "alpha",
                             "the delta rule of Theorem 4.17 is undefined when rho * alpha = 0: pass delta explicitly")

    rule_of = compiled(rule)  # once per rule: the closure is evaluated at every iteration

    def delta_of(norms: np.ndarray) -> np.ndarray:
        norms = np.asarray(norms, dtype=np.float64)
        out = np.full(norms.shape, np.inf)
        pos = norms > 0
        if np.any(pos):
            out[pos] = rule_of({"rho": rho, "alpha": alpha, "outer_grad_sample_norm": norms[pos]})
        return out

    return delta_of


# ---------------------------------------------------------------------- one iteration
@dataclass(frozen=True, eq=False)
class MetaBatches:
    """The batches of one iteration: tasks B_k with weights, and per task D_in, D_o, D_h (independent)."""

    tasks: np.ndarray
    weights: np.ndarray
    inner: Batch
    outer: Batch
    hessian: Batch | None


def draw_meta_batches(family: Family, B, D_in, D_o, D_h=None, rng: np.random.Generator | None = None) -> MetaBatches:
    """Draw B_k (B i.i.d. tasks, or ``ALL_TASKS``) and independent D_in^i, D_o^i, D_h^i (or ``EXACT``)."""
    B, D_in, D_o, D_h, rng = _batch_sizes(family, B, D_in, D_o, D_h, rng)
    return _draw_meta_batches(family, B, D_in, D_o, D_h, rng)


def _batch_sizes(family: Family, B, D_in, D_o, D_h, rng):
    """The batch sizes of one iteration and its Generator, validated once (``run`` draws with them every step)."""
    return (task_batch_size("B", B, rng), data_batch_size(family, "D_in", D_in, rng),
            data_batch_size(family, "D_o", D_o, rng),
            None if D_h is None else data_batch_size(family, "D_h", D_h, rng), check_rng(rng, required=False))


def _draw_meta_batches(family: Family, B, D_in, D_o, D_h, rng) -> MetaBatches:
    if B == ALL_TASKS:
        tasks, weights = family._every_task(), family.probabilities
    else:
        tasks = family._sample_tasks(B, rng)
        weights = np.full(B, 1.0 / B)
    inner = family._draw(tasks, D_in, rng)
    outer = family._draw(tasks, D_o, rng)
    hessian = None if D_h is None else family._draw(tasks, D_h, rng)
    return MetaBatches(tasks, weights, inner, outer, hessian)


@dataclass(frozen=True)
class Direction:
    """A descent direction with what it cost: oracle calls per task and per-sample evaluations."""

    vector: np.ndarray
    gradient_evaluations: int
    hessian_vector_products: int
    gradient_samples: int
    hessian_samples: int
    deltas: np.ndarray | None = None
    fd_rounding_ratio: float | None = None  # worst estimated rounding error / (FD_ROUNDING_RTOL-scale), HF only


def _w(family: Family, w) -> np.ndarray:
    w = check_finite("w", w, ndim=(1,))
    if w.shape != (family.dim,):
        raise ParameterError("w", f"has shape {w.shape}, the family has dimension {family.dim}")
    return w


# Each public function below validates its arguments and calls its core (the same name with a
# leading underscore); ``run`` validates once and calls the cores in its loop.  The cores still
# refuse a non-finite intermediate point (``require_finite``): that is how a diverging run is told apart,
# not a check of the caller's input.
def _rows(family: Family, w: np.ndarray, n: int) -> np.ndarray:
    return repeated_rows(w, n)


def adapted_points(family: Family, w, alpha, batches: MetaBatches) -> np.ndarray:
    """w_{k+1}^i = w_k - alpha grad~ f_i(w_k, D_in^i), (4); shape (B, d)."""
    return _adapted_points(family, _w(family, w), check_alpha(alpha), batches)


def _adapted_points(family: Family, w: np.ndarray, alpha: float, batches: MetaBatches) -> np.ndarray:
    return w - alpha * family._oracle_gradient(_rows(family, w, len(batches.inner.tasks)), batches.inner)


def outer_gradients(family: Family, w, alpha, batches: MetaBatches) -> np.ndarray:
    """v_i = grad~ f_i(w_{k+1}^i, D_o^i), the outer stochastic gradients of (5), (8), (10); shape (B, d)."""
    return _outer_gradients(family, _w(family, w), check_alpha(alpha), batches)


def _outer_gradients(family: Family, w: np.ndarray, alpha: float, batches: MetaBatches) -> np.ndarray:
    return family._oracle_gradient(require_finite("w", _adapted_points(family, w, alpha, batches)), batches.outer)


def sgd_direction(family: Family, w, batches: MetaBatches) -> Direction:
    """1/B sum_i grad~ f_i(w_k, D_o^i): plain SGD on f (1), which all three directions equal at alpha = 0."""
    w = _w(family, w)
    g = family.batch_gradient(w, batches.outer)
    return Direction(batches.weights @ g, len(batches.tasks), 0, batches.outer.samples, 0)


def maml_direction(family: Family, w, alpha, batches: MetaBatches) -> Direction:
    """1/B sum_i (I - alpha grad~^2 f_i(w_k, D_h^i)) grad~ f_i(w_{k+1}^i, D_o^i), the MAML direction of (5)."""
    if batches.hessian is None:
        raise ParameterError("D_h", "MAML needs the Hessian batch D_h")
    return _maml_direction(family, _w(family, w), check_alpha(alpha), batches)


def _maml_direction(family: Family, w: np.ndarray, alpha: float, batches: MetaBatches) -> Direction:
    v = _outer_gradients(family, w, alpha, batches)
    B = len(batches.tasks)
    # (I - alpha H~) v as a Hessian-vector product: the same number, without the d x d matrix.
    direction = v - alpha * family._oracle_hvp(_rows(family, w, B), require_finite("v", v), batches.hessian)
    return Direction(batches.weights @ direction, 2 * B, B,
                     batches.inner.samples + batches.outer.samples, batches.hessian.samples)


def fo_maml_direction(family: Family, w, alpha, batches: MetaBatches) -> Direction:
    """1/B sum_i grad~ f_i(w_{k+1}^i, D_o^i), the FO-MAML direction of (8)."""
    return _fo_maml_direction(family, _w(family, w), check_alpha(alpha), batches)


def _fo_maml_direction(family: Family, w: np.ndarray, alpha: float, batches: MetaBatches) -> Direction:
    v = _outer_gradients(family, w, alpha, batches)
    return Direction(batches.weights @ v, 2 * len(batches.tasks), 0,
                     batches.inner.samples + batches.outer.samples, 0)


def _deltas(delta, norms: np.ndarray) -> np.ndarray:
    """delta_k^i for this iteration's norms; a rule's output is checked each time (it depends on the norms)."""
    if callable(delta):
        delta = delta(norms)
    if isinstance(delta, float):
        out = np.full(norms.shape, delta)
    else:
        out = np.asarray(delta, dtype=np.float64)
        if out.shape != norms.shape:
            out = np.broadcast_to(out, norms.shape).copy()
    # All positive and finite (NaN fails both comparisons): the common case, in two reductions.
    if out.min() > 0 and out.max() < math.inf:
        return out
    live = norms > 0  # a row with v_i = 0 needs no delta (its difference is 0): a rule may give inf there
    if np.any(np.isnan(out[live])) or np.any(out[live] <= 0) or np.any(np.isinf(out[live])):
        raise ParameterError("delta", f"delta_k^i must be positive and finite, got {out[live]}")
    return out


def _row_norms(V: np.ndarray) -> np.ndarray:
    # np.linalg.norm(V, axis=1)'s own arithmetic (a pairwise sum of squares), without its dispatch.
    return np.sqrt(np.add.reduce(V * V, axis=1))


def central_difference_hvp(family: Family, w, V, deltas, batch: Batch, *, exact_ratio: bool = False
                           ) -> tuple[np.ndarray, float]:
    """d_i = [grad~ f_i(w + delta_i v_i, D) - grad~ f_i(w - delta_i v_i, D)] / (2 delta_i), (11), same batch D.

    ``deltas``: a positive float, one per row of V, or a callable of the row norms ||v_i||
    (as ``hf_maml_direction`` takes).  Rows with v_i = 0 give d_i = 0 (the exact product)
    without differencing.  Returns (d (B, d), rounding ratio).  Raises
    ``FiniteDifferenceError`` naming ``delta`` when the estimated rounding error of some d_i
    exceeds FD_ROUNDING_RTOL * L ||v_i||: the estimate counts the rounding of the two
    gradients (eps (||g+|| + ||g-||)) and of the points w -+ delta v (eps L (||w|| + delta ||v||)
    each), divided by 2 delta.  The ratio returned is an upper bound of the worst row's
    estimate over that allowance: the worst row's own value when some row comes near 1, or
    with ``exact_ratio=True``.
    """
    w = _w(family, w)
    V = check_finite("V", V, ndim=(2,))
    if not isinstance(batch, Batch):
        raise ParameterError("batch", f"expected a Batch from draw_batch, got {type(batch).__name__}")
    if V.shape != (len(batch.tasks), family.dim):
        raise ParameterError("V", f"has shape {V.shape}, expected one row per task of the batch "
                                  f"{(len(batch.tasks), family.dim)}")
    norms = _row_norms(V)
    return _central_difference_hvp(family, w, V, _deltas(deltas, norms), batch, norms, exact_ratio)


def _central_difference_hvp(family: Family, w: np.ndarray, V: np.ndarray, deltas: np.ndarray, batch: Batch,
                            norms: np.ndarray, exact_ratio: bool = False) -> tuple[np.ndarray, float]:
    # The hot path of HF-MAML: the two points, their gradients on one batch, the difference, and
    # the rounding guard from what is already computed.  Rows with v_i = 0 (rare) get delta = 1
    # and so a zero step: their difference is exactly 0.
    every_live = norms.min() > 0
    if not every_live:
        live = norms > 0
        if not live.any():
            return np.zeros_like(V), 0.0
        deltas = np.where(live, deltas, 1.0)
    displacement = deltas * norms  # ||delta_i v_i||
    w_norm = math.sqrt(float(w @ w))
    scaled = deltas[:, None]
    # W2[0] = w + delta v, W2[1] = w - delta v: each half contiguous, as a single point set is.
    W2 = np.empty((2,) + V.shape)
    step = np.multiply(scaled, V, out=W2[1])
    np.add(w, step, out=W2[0])
    np.subtract(w, step, out=W2[1])
    # Every coordinate of w -+ delta_i v_i is at most ||w|| + ||delta_i v_i|| in size, so a finite
    # bound (NaN fails the comparison) shows both points finite without reading them.
    if not w_norm + float(displacement.max()) <= _FINITE_POINTS:
        require_finite("w", W2)
    g_plus, g_minus = family._oracle_gradient_pair(W2, batch)
    D = g_plus - g_minus
    D /= scaled + scaled
    if not every_live:
        D[~live] = 0.0
    return D, _fd_rounding_ratio(family, w_norm, D, g_plus, g_minus, deltas, norms, displacement, every_live,
                                 exact_ratio)


# Below this bound on |w_j -+ delta v_j| neither the step nor the sum can overflow (DBL_MAX is 1.8e308).
_FINITE_POINTS = 1e308


def _fd_rounding_ratio(family: Family, w_norm: float, D, g_plus, g_minus, deltas, norms, displacement,
                       every_live: bool, exact: bool) -> float:
    """The rounding guard of (11): the worst row's estimated rounding error over FD_ROUNDING_RTOL L ||v_i||.

    Decided once per call: ||g+_i|| + ||g-_i|| <= sqrt(2 S), S the sum of squares of both
    gradient arrays, and delta_i ||v_i|| >= its minimum bound every row at once, so only a call
    whose bound comes near 1 pays for the row norms.  The decision (raise or not) is the
    row-wise estimate's in every case.
    """
    L = family.constants.L.value
    if 0 < L < math.inf and not exact:
        # Only the decision rests on S, never a record: BLAS's dot product, a third of einsum's time.
        plus, minus = g_plus.ravel(), g_minus.ravel()
        S = float(np.dot(plus, plus)) + float(np.dot(minus, minus))
        smallest = float(displacement.min() if every_live else displacement[norms > 0].min())
        bound = (_EPS / (FD_ROUNDING_RTOL * L)) * (math.sqrt(2 * S) + 2 * L * w_norm) / (2 * smallest) \
            + _EPS / FD_ROUNDING_RTOL
        if bound <= 1:
            return bound
    live = norms > 0
    if not math.isfinite(L):
        L = float(np.max(np.linalg.norm(D, axis=1) / np.where(live, norms, 1.0)))
    rounding = _EPS * (np.linalg.norm(g_plus, axis=1) + np.linalg.norm(g_minus, axis=1)
                       + 2 * L * (w_norm + displacement)) / (2 * deltas)
    ratio = np.where(live, rounding / (FD_ROUNDING_RTOL * max(L, np.finfo(float).tiny) * np.where(live, norms, 1.0)), 0)
    worst = int(np.argmax(ratio))
    if ratio[worst] > 1:
        raise FiniteDifferenceError(
            "delta", f"delta = {deltas[worst]:.3g} (step ||delta v|| = {deltas[worst] * norms[worst]:.3g} at ||w|| = "
                     f"{w_norm:.3g}) is so small that rounding error ({rounding[worst]:.3g}) would dominate "
                     f"the central difference (11) of a product of scale L||v|| = {L * norms[worst]:.3g}")
    return float(ratio.max())


def hf_maml_direction(family: Family, w, alpha, batches: MetaBatches, delta) -> Direction:
    """1/B sum_i (grad~ f_i(w_{k+1}^i, D_o^i) - alpha d_i^k), the HF-MAML direction of (10)-(11).

    ``delta``: a positive float, an array (one delta_k^i per task of the batch), or a
    callable mapping the norms ||v_i|| to the deltas (e.g. ``theorem_h_1_delta_rule``).
    """
    if batches.hessian is None:
        raise ParameterError("D_h", "HF-MAML needs the batch D_h of the differences (11)")
    return _hf_maml_direction(family, _w(family, w), check_alpha(alpha), batches, delta)


def _hf_maml_direction(family: Family, w: np.ndarray, alpha: float, batches: MetaBatches, delta) -> Direction:
    v = _outer_gradients(family, w, alpha, batches)
    norms = _row_norms(v)
    deltas = _deltas(delta, norms)
    d, ratio = _central_difference_hvp(family, w, v, deltas, batches.hessian, norms)
    B = len(batches.tasks)
    return Direction(batches.weights @ (v - alpha * d), 4 * B, 0,
                     batches.inner.samples + batches.outer.samples + 2 * batches.hessian.samples, 0,
                     deltas=deltas, fd_rounding_ratio=ratio)


# ---------------------------------------------------------------------- the runner
@dataclass
class Trace:
    """Per-iteration record of a run: entry k describes w_k (k = 0..T); ``beta[k]`` is the step from w_k."""

    algorithm: str
    family: str
    grad_F_norm: np.ndarray
    F: np.ndarray
    beta: np.ndarray
    gradient_evaluations: np.ndarray  # cumulative oracle calls (one call = one task's batch gradient)
    hessian_vector_products: np.ndarray  # cumulative
    gradient_samples: np.ndarray  # cumulative per-sample gradient evaluations
    hessian_samples: np.ndarray  # cumulative per-sample Hessian(-vector) evaluations
    in_domain: np.ndarray
    w: np.ndarray  # the last iterate
    outcome: str  # "completed", "left_domain" (an iterate left the certified domain), "non_finite"
    iterates: np.ndarray | None = None
    deltas: list = field(default_factory=list)
    # Each hypothesis of the paper the run went outside of, in words: alpha L > 1 or w0 outside the
    # certified domain (both only with allow_outside_hypotheses=True), iterates outside the domain
    # (the one that ended a "left_domain" run, or all of them with stop_outside_domain=False).
    # Empty: the run stayed inside.
    outside_hypotheses: list = field(default_factory=list)

    @property
    def iterations(self) -> int:
        return len(self.beta)


def run(algorithm: str, family: Family, w0, alpha, iterations: int, *, rng: np.random.Generator,
        B, D_in, D_o, D_h=None, stepsize_factor: float | None = None, beta: float | None = None,
        B_prime=None, D_beta=None, delta=None, stop_outside_domain: bool = True,
        record_iterates: bool = False, allow_outside_hypotheses: bool = False) -> Trace:
    """Run ``algorithm`` (``"maml"``, ``"fo_maml"``, ``"hf_maml"``) for ``iterations`` steps from w0.

    Stepsize: exactly one of ``stepsize_factor`` (c, so beta_k = c beta~(w_k) with fresh
    batches B' = ``B_prime`` and D_beta each iteration; the registry's c is
    ``registry_stepsize_factor(algorithm)``) or a fixed ``beta``.  HF-MAML needs
    ``delta`` (float, array, callable, or ``"theorem_h_1"`` for the rule of Theorem 4.17).
    Records ||grad F(w_k)|| and F(w_k) (exact, not counted as oracle calls), beta_k and
    the cumulative oracle counts.  An iterate outside the family's certified domain
    ends the run with outcome ``"left_domain"`` unless ``stop_outside_domain=False``.

    Hypotheses: alpha L > 1 (outside Lemma 4.8's 'alpha L <= 1', from the registry, which
    every result assumes; L is the family's certified constant) and a start w0 outside the
    family's certified domain are refused (``ParameterError`` naming ``alpha``,
    ``OutsideDomain`` naming ``w0``) unless ``allow_outside_hypotheses=True``; then the run
    goes ahead and ``Trace.outside_hypotheses`` says what it went outside of.  The stepsize
    beta~ of (17) is Lemma 4.9's object: with alpha L > 1 only a fixed ``beta`` is accepted.
    """
    if algorithm not in ALGORITHMS:
        raise ParameterError("algorithm", f"{algorithm!r} is not one of {ALGORITHMS}")
    if isinstance(iterations, bool) or not isinstance(iterations, (int, np.integer)) or iterations < 0:
        raise ParameterError("iterations", f"must be a nonnegative integer, got {iterations!r}")
    alpha = check_alpha(alpha)
    rng = check_rng(rng)
    w = _w(family, w0).copy()
    # The hypotheses are checked here, once; the loop below calls the unvalidated cores.
    outside = []
    alpha_msg = alpha_outside_hypotheses(alpha, family.constants.L.value)
    if alpha_msg is not None:
        if not allow_outside_hypotheses:
            raise ParameterError("alpha", f"{alpha_msg}; pass {OVERRIDE}=True to run there anyway")
        outside.append(alpha_msg)
    domain_msg = family.domain.outside_message(w)
    if domain_msg is not None:
        if not allow_outside_hypotheses:
            raise OutsideDomain("w0", f"{domain_msg}; pass {OVERRIDE}=True to start there anyway")
        outside.append(f"w0: {domain_msg}")
    if (stepsize_factor is None) == (beta is None):
        raise ParameterError("stepsize_factor", "give exactly one of stepsize_factor (beta_k = c beta~) and beta")
    if beta is not None:
        beta = check_positive("beta", beta)
    else:
        stepsize_factor = check_positive("stepsize_factor", stepsize_factor)
        if B_prime is None or D_beta is None:
            raise ParameterError("B_prime" if B_prime is None else "D_beta",
                                 "beta_k = c beta~(w_k) needs the batch sizes B' and D_beta of (16)")
        if alpha_msg is not None:
            raise ParameterError("alpha", f"{alpha_msg}; the stepsize beta~(w) of (17) is defined only there: "
                                          "give a fixed beta instead of stepsize_factor")
        stepsize_constants = _finite_constants(family, "L", "rho")
        B_prime, D_beta = stepsize_batch_sizes(family, B_prime, D_beta, rng)
    if algorithm in ("maml", "hf_maml") and D_h is None:
        raise ParameterError("D_h", f"{algorithm} needs the batch size D_h")
    B, D_in, D_o, D_h, _ = _batch_sizes(family, B, D_in, D_o, D_h if algorithm != "fo_maml" else None, rng)
    if algorithm == "hf_maml":
        if delta is None:
            raise ParameterError("delta", "HF-MAML needs delta (a number, a callable, or 'theorem_h_1')")
        if isinstance(delta, str):
            if delta != "theorem_h_1":
                raise ParameterError("delta", f"unknown delta rule {delta!r}")
            delta = theorem_h_1_delta_rule(family.constants.rho.value, alpha)

    grad_norm, F, betas, in_dom, iterates, deltas = [], [], [], [], [], []
    counts = np.zeros(4, dtype=np.int64)
    cumulative = []
    outcome = "completed"
    # A diverging run may overflow on its way to the "non_finite" outcome, which records it.
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(iterations + 1):
            if not np.all(np.isfinite(w)):
                outcome = "non_finite"
                break
            inside = bool(family.domain.contains(w))
            grad_F = _meta_gradient(family, w, alpha)
            if not np.all(np.isfinite(grad_F)):
                # w is finite but so large that an oracle overflowed: the run has diverged
                outcome = "non_finite"
                break
            record = (float(np.linalg.norm(grad_F)), _meta_objective(family, w, alpha))
            in_dom.append(inside)
            grad_norm.append(record[0])
            F.append(record[1])
            cumulative.append(counts.copy())
            if record_iterates:
                iterates.append(w.copy())
            if not inside and stop_outside_domain:
                outcome = "left_domain"
                break
            if k == iterations:
                break
            if beta is not None:
                beta_k = beta
            else:
                beta_k = stepsize_factor * _stepsize_beta_tilde(family, w, alpha, stepsize_constants, B_prime,
                                                                D_beta, rng)
                n_prime = family.n_tasks if B_prime == ALL_TASKS else int(B_prime)
                counts[0] += n_prime
                counts[2] += 0 if D_beta == EXACT else n_prime * int(D_beta)
            batches = _draw_meta_batches(family, B, D_in, D_o, D_h, rng)
            try:
                if algorithm == "maml":
                    direction = _maml_direction(family, w, alpha, batches)
                elif algorithm == "fo_maml":
                    direction = _fo_maml_direction(family, w, alpha, batches)
                else:
                    direction = _hf_maml_direction(family, w, alpha, batches, delta)
            except NonFiniteValue:
                outcome = "non_finite"
                break
            if direction.deltas is not None:
                deltas.append(direction.deltas)
            counts += (direction.gradient_evaluations, direction.hessian_vector_products,
                       direction.gradient_samples, direction.hessian_samples)
            betas.append(beta_k)
            w = w - beta_k * direction.vector
    cum = np.array(cumulative, dtype=np.int64).reshape(-1, 4)
    left = np.flatnonzero(~np.array(in_dom, dtype=bool))
    if left.size and not (domain_msg is not None and left.size == 1 and left[0] == 0):
        outside.append(f"{left.size} iterate(s) outside the certified domain {family.domain} "
                       f"(first at k = {int(left[0])})")
    return Trace(
        algorithm=algorithm, family=family.name, grad_F_norm=np.array(grad_norm), F=np.array(F),
        beta=np.array(betas), gradient_evaluations=cum[:, 0], hessian_vector_products=cum[:, 1],
        gradient_samples=cum[:, 2], hessian_samples=cum[:, 3], in_domain=np.array(in_dom, dtype=bool),
        w=w, outcome=outcome, iterates=np.array(iterates) if record_iterates else None, deltas=deltas,
        outside_hypotheses=outside)
