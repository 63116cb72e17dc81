"""Workloads for the cost measurements of Table 1: task families that scale to large d, one iteration of each algorithm, timers.

Table 1's "Runtime/iteration" column counts arithmetic per iteration in the
dimension d: O(d^2) for MAML, which forms the Hessians grad^2 f_i(w_k, D_h) of (5)
explicitly (footnote 3: O(d) with back-propagation), and O(d) for FO-MAML (8) and
HF-MAML (10)-(11), which only evaluate gradients.  ``verify.model.algorithms.maml_direction``
applies the Hessian as a Hessian-vector product, which is O(d) on the rank-one tasks;
``maml_direction_explicit_hessian`` below is MAML as Table 1 prices it.

The families are the suite's own (``RankOneFamily``, ``QuadraticFamily``) with one
change each: ``constants_on`` certifies the constants without the O(n d^2) to O(n d^3)
work the general classes do (n d x d matrices for the rank-one sigma, eigenvalue
decompositions for the quadratic L), because that set-up cost, not the oracles, is
what makes d = 16384 infeasible.  The oracles, and so everything timed, are inherited
unchanged.

Used by the Table 1 check (verify/checks/test_table_1_cost.py and its measuring process,
verify/checks/table_1_cost.py), and by the pytest-benchmark suite, the speed gate, the
targets and the peers (benchmarks/), which are not installed with the package.
"""
from __future__ import annotations

import ctypes
import gc
import math
import time
import tracemalloc
from dataclasses import dataclass
from typing import Callable

import numpy as np

from verify.model.algorithms import (central_difference_hvp, draw_meta_batches, fo_maml_direction,
    hf_maml_direction, maml_direction, outer_gradients, theorem_h_1_delta_rule)
from verify.model.errors import ALL_TASKS, EXACT, ParameterError
from verify.model.families import Constant, Constants, Domain, QuadraticFamily, RankOneFamily

__all__ = [
    "ALGORITHMS",
    "DENSE_FLOAT_CAP",
    "HESSIAN_CHUNK_FLOATS",
    "HESSIAN_MAX_FLOATS",
    "DenseQuadraticTasks",
    "ExponentFit",
    "RankOneTasks",
    "TABLE_1_TASKS",
    "Workload",
    "infeasible",
    "fit_exponent",
    "interleaved_medians",
    "keep_freed_memory",
    "maml_direction_explicit_hessian",
    "oracle_floats",
    "peak_bytes",
    "per_task_gradient_loop",
    "workload",
]

# Tasks per iteration of Table 1's cost measurements (B = all of them, exact oracles): enough
# that the O(d) work of FO-MAML and HF-MAML outweighs the fixed Python cost per call above
# d ~ 2000.
TABLE_1_TASKS = 4

# One iteration of each algorithm as Table 1 prices it ("maml": explicit Hessians),
# and MAML through Hessian-vector products for comparison.
ALGORITHMS = ("maml", "maml_hvp", "fo_maml", "hf_maml")

# The largest array of d x d blocks a workload may hold (n_tasks * d^2 floats): 2^25
# floats = 256 MiB.  The machine is shared (2 cores, 23 GiB, no swap, three engineers);
# an explicit Hessian at d = 16384 with 256 tasks would be 550 GB.
DENSE_FLOAT_CAP = 2 ** 25
# Explicit Hessians are formed this many floats at a time (whole tasks per chunk, at
# least one): 2^21 floats = 16 MiB, so MAML holds one chunk, never all B Hessians, and
# every chunk up to d = 1448 stays below glibc's largest mmap threshold (32 MiB), so its
# memory is reused rather than page-faulted in anew (a d^2 cost, but a noisy one).
HESSIAN_CHUNK_FLOATS = 2 ** 21
# The largest single Hessian the benchmarks form: 4096 x 4096 = 2^24 floats (128 MiB).
HESSIAN_MAX_FLOATS = 2 ** 24


def infeasible(kind: str, n_tasks: int, d: int) -> str | None:
    """Why a (kind, n_tasks, d) combination is not run, or None when it fits in memory.

    ``kind``: "hessian" (an explicit Hessian per task, formed a chunk of tasks at a
    time, so one task's d x d block must fit under HESSIAN_MAX_FLOATS), "quadratic" (the
    family stores A_i as (n, d, d)), anything else is O(n d) and always fits.
    """
    if kind == "hessian" and d * d > HESSIAN_MAX_FLOATS:
        return f"one explicit {d} x {d} Hessian is {8 * d * d / 2 ** 30:.1f} GiB, above the cap of " \
               f"{8 * HESSIAN_MAX_FLOATS / 2 ** 20:.0f} MiB"
    if kind == "quadratic" and n_tasks * d * d > DENSE_FLOAT_CAP:
        return f"A_i for {n_tasks} tasks at d = {d} is {8 * n_tasks * d * d / 2 ** 30:.1f} GiB, above the cap of " \
               f"{8 * DENSE_FLOAT_CAP / 2 ** 20:.0f} MiB"
    return None


# ---------------------------------------------------------------------- families that scale in d
class RankOneTasks(RankOneFamily):
    """Appendix J's rank-one tasks (159) with constants certified in O(n^2 d) instead of O(n d^2).

    L and rho are the parent's exact formulas (they need only R' and max ||g_i||^2).
    sigma is an upper bound: sigma^2 = sup_x x'Px <= ||P|| R'^2 <= tr(P) R'^2 for the
    positive semidefinite P = E_i (G_i - Gbar)^2, G_i = g_i g_i', and
    tr(P) = E_i ||g_i||^4 - sum_ij p_i p_j (g_i'g_j)^2 needs only the Gram matrix.
    """

    def constants_on(self, domain: Domain) -> Constants:
        if domain.is_global:
            raise ParameterError("domain", "L and rho of the rank-one tasks are infinite on R^d: give a ball")
        R = domain.max_norm
        at_origin = not np.any(domain.centre_in(self.dim))
        p = self.probabilities
        gram = self.g @ self.g.T
        norms2 = np.diag(gram)
        trace_P = max(float(p @ norms2 ** 2 - p @ gram ** 2 @ p), 0.0)
        zero = Domain.everywhere()
        return Constants(
            L=Constant(max(3 * R * R, float(norms2.max())), domain, at_origin and self.dim >= 2,
                       "max(3 R'^2, max_i ||g_i||^2), as RankOneFamily"),
            rho=Constant(6 * R, domain, at_origin, "6 R', as RankOneFamily"),
            sigma=Constant(R * math.sqrt(trace_P), domain, False,
                           "R' sqrt(tr E_i (G_i - Gbar)^2) >= the trust-region maximum (an upper bound)"),
            sigma_tilde=Constant(0.0, zero, True, "exact oracles: no per-sample noise"),
            sigma_H=Constant(0.0, zero, True, "exact oracles: no per-sample noise"),
        )

    @classmethod
    def at(cls, n_tasks: int, d: int, seed: int) -> "RankOneTasks":
        # task_std scaled by 1/sqrt(d) keeps ||g_i|| near 1, so L and rho (and the
        # stepsizes) stay the same while d varies: only d moves, as a scaling claim asks.
        rng = np.random.default_rng(seed)
        return cls.random(rng, n_tasks, d, radius=1.5, mean_scale=1.0, task_std=0.3 / math.sqrt(d))


class DenseQuadraticTasks(QuadraticFamily):
    """Quadratic tasks (152) with dense A_i = Q_i diag(lambda_i) Q_i, Q_i a Householder reflection.

    A reflection Q = I - 2 u u'/||u||^2 is orthogonal and costs O(d^2) to apply, so the
    spectrum is known without an eigenvalue decomposition: L = max |lambda| exactly.
    On R^d (the family's domain) sigma is infinite as soon as two A_i differ, which it
    certifies without forming E_i (A_i - Abar)^2.
    """

    def __init__(self, A, b, lam_max: float, *, name: str = "quadratic-dense"):
        super().__init__(A, b, name=name)
        self._lam_max = float(lam_max)

    def constants_on(self, domain: Domain) -> Constants:
        everywhere = Domain.everywhere()
        distinct = self.n_tasks > 1 and bool(np.any(self.A[1:] != self.A[:1]))
        if distinct and not domain.is_global:
            return super().constants_on(domain)
        sigma = math.inf if distinct else float(np.sqrt(np.einsum("i,ij,ij->", self.probabilities,
                                                                 self.b - self.probabilities @ self.b,
                                                                 self.b - self.probabilities @ self.b)))
        return Constants(
            L=Constant(self._lam_max, everywhere, True, "max |lambda_i| of the construction (Q_i orthogonal)"),
            rho=Constant(0.0, everywhere, True, "the Hessian A_i is constant"),
            sigma=Constant(sigma, everywhere, True, "infinite on R^d when the A_i differ; else the spread of b_i"),
            sigma_tilde=Constant(0.0, everywhere, True, "exact oracles: no per-sample noise"),
            sigma_H=Constant(0.0, everywhere, True, "exact oracles: no per-sample noise"),
        )

    @classmethod
    def at(cls, n_tasks: int, d: int, seed: int) -> "DenseQuadraticTasks":
        reason = infeasible("quadratic", n_tasks, d)
        if reason:
            raise ParameterError("d", reason)
        rng = np.random.default_rng(seed)
        lam = rng.uniform(-1.0, 1.0, (n_tasks, d))
        lam[0, 0] = 1.0
        u = rng.standard_normal((n_tasks, d))
        u /= np.linalg.norm(u, axis=1, keepdims=True)
        # (I - 2uu') diag(lam) (I - 2uu') = diag(lam) - 2 u (lam*u)' - 2 (lam*u) u' + 4 (u'diag(lam)u) u u'
        lu = lam * u
        A = np.zeros((n_tasks, d, d))
        idx = np.arange(d)
        A[:, idx, idx] = lam
        A -= 2 * (u[:, :, None] * lu[:, None, :] + lu[:, :, None] * u[:, None, :])
        A += (4 * np.einsum("ti,ti->t", u, lu))[:, None, None] * u[:, :, None] * u[:, None, :]
        b = rng.standard_normal(d) + rng.standard_normal((n_tasks, d))
        return cls(A, b, 1.0)


# ---------------------------------------------------------------------- MAML as Table 1 prices it
def maml_direction_explicit_hessian(family, w, alpha, batches) -> np.ndarray:
    """1/B sum_i (I - alpha grad~^2 f_i(w_k, D_h^i)) v_i, (5), with each Hessian formed as a d x d matrix.

    The number equals ``verify.model.algorithms.maml_direction`` (which multiplies through a
    Hessian-vector product); the cost is Table 1's O(d^2) per task.  Hessians are
    formed HESSIAN_CHUNK_FLOATS at a time, so memory stays O(d^2), not O(B d^2).
    Exact Hessian batches only (the benchmarks use exact oracles).
    """
    if batches.hessian is None or not batches.hessian.is_exact:
        raise ParameterError("D_h", "the explicit-Hessian MAML of the benchmarks needs the exact Hessian batch")
    v = outer_gradients(family, w, alpha, batches)
    tasks = batches.tasks
    per_chunk = max(1, HESSIAN_CHUNK_FLOATS // (family.dim * family.dim))
    Hv = np.empty_like(v)
    for start in range(0, len(tasks), per_chunk):
        stop = start + per_chunk
        H = family.hessian(w, tasks[start:stop])
        Hv[start:stop] = np.einsum("tij,tj->ti", H, v[start:stop])
        del H
    return batches.weights @ (v - alpha * Hv)


# ---------------------------------------------------------------------- one iteration
@dataclass
class Workload:
    """One iteration's inputs at w_k, fixed so that repetitions time the same arithmetic.

    B = ALL_TASKS and exact data batches: every repetition evaluates the same tasks at
    the same point.  ``deltas``: Theorem 4.17's delta_k^i at w_k, computed once, since
    evaluating the registry's rule is sympy work that Table 1 does not count.
    """

    family: object
    w: np.ndarray
    alpha: float
    beta: float
    deltas: np.ndarray

    @property
    def d(self) -> int:
        return self.family.dim

    @property
    def n_tasks(self) -> int:
        return self.family.n_tasks

    def batches(self, with_hessian: bool = True):
        return draw_meta_batches(self.family, ALL_TASKS, EXACT, EXACT, EXACT if with_hessian else None)

    def iteration(self, algorithm: str) -> Callable[[], np.ndarray]:
        """A thunk running one iteration w_{k+1} = w_k - beta * direction of ``algorithm``."""
        fam, w, alpha, beta = self.family, self.w, self.alpha, self.beta
        if algorithm == "maml":
            return lambda: w - beta * maml_direction_explicit_hessian(fam, w, alpha, self.batches())
        if algorithm == "maml_hvp":
            return lambda: w - beta * maml_direction(fam, w, alpha, self.batches()).vector
        if algorithm == "fo_maml":
            return lambda: w - beta * fo_maml_direction(fam, w, alpha, self.batches(False)).vector
        if algorithm == "hf_maml":
            return lambda: w - beta * hf_maml_direction(fam, w, alpha, self.batches(), self.deltas).vector
        raise ParameterError("algorithm", f"{algorithm!r} is not one of {ALGORITHMS}")

    # The cores every check runs through, on the same tasks and points.
    def points(self) -> tuple[np.ndarray, np.ndarray]:
        """Rows W (the adapted points of (4)) and V (outer gradients) at which the cores are timed."""
        batches = self.batches()
        V = outer_gradients(self.family, self.w, self.alpha, batches)
        return self.w - self.alpha * self.family.gradient(self.w), V

    def core(self, name: str) -> Callable[[], np.ndarray]:
        fam, w = self.family, self.w
        # Every task, as the iterations' batch B_k = ALL_TASKS reads them (read-only indices, so
        # the family gathers its per-task data once, as in an iteration, not at every call).
        batch = fam.draw_batch(fam.task_indices(), EXACT)
        W, V = self.points()
        if name == "gradient":
            return lambda: fam.batch_gradient(W, batch)
        if name == "gradient_gathering":
            # The same gradient on a caller's own (writable) index array, which the family gathers
            # at every call (A[tasks], g[tasks]): what every call cost before batches were gathered once.
            own = fam.draw_batch(np.arange(fam.n_tasks), EXACT)
            return lambda: fam.batch_gradient(W, own)
        if name == "hvp":
            return lambda: fam.batch_hvp(w, V, batch)
        if name == "fd_hvp":
            return lambda: central_difference_hvp(fam, w, V, self.deltas, batch)[0]
        if name == "hessian":
            return lambda: fam.batch_hessian(w, batch)
        if name == "gradient_loop":
            return lambda: per_task_gradient_loop(fam, W)
        raise ParameterError("name", f"unknown core {name!r}")


def per_task_gradient_loop(family, W: np.ndarray) -> np.ndarray:
    """grad f_i(w_i) one task at a time through the public oracle: what the batched oracle replaces."""
    return np.stack([family.gradient(W[i], [i])[0] for i in range(family.n_tasks)])


def workload(family_name: str, n_tasks: int, d: int, seed: int = 0) -> Workload:
    """The workload on ``family_name`` ("rank-one" or "quadratic") with n_tasks tasks in dimension d."""
    if family_name == "rank-one":
        fam = RankOneTasks.at(n_tasks, d, seed)
    elif family_name == "quadratic":
        fam = DenseQuadraticTasks.at(n_tasks, d, seed)
    else:
        raise ParameterError("family_name", f"{family_name!r} is not 'rank-one' or 'quadratic'")
    rng = np.random.default_rng(seed + 1)
    u = rng.standard_normal(d)
    w = 0.5 * u / np.linalg.norm(u)  # inside the rank-one ball of radius 1.5
    c = fam.constants
    # alpha L = 1/10: inside every hypothesis on alpha in the paper (the tightest is 1/(6L)).
    alpha = 0.1 / c.L.value
    beta = 0.01 / c.L.value
    batches = draw_meta_batches(fam, ALL_TASKS, EXACT, EXACT, EXACT)
    norms = np.linalg.norm(outer_gradients(fam, w, alpha, batches), axis=1)
    if c.rho.value > 0:
        deltas = theorem_h_1_delta_rule(c.rho.value, alpha)(norms)
    else:
        # rho = 0 (quadratics): (11) is exact for every delta and the rule gives none.
        deltas = np.where(norms > 0, 1e-2 / np.maximum(norms, 1e-300), 1.0)
    return Workload(fam, w, alpha, beta, np.where(np.isfinite(deltas), deltas, 1.0))


# ---------------------------------------------------------------------- measurement
# glibc returns freed blocks above 128 KiB to the kernel (munmap, heap trimming) and
# page-faults them back on the next allocation.  Measured here: the rank-one gradient
# at d = 16384 with 8 tasks takes 1.85 ms so, 0.34 ms with freed memory kept; at
# d = 1024 both take 0.05 ms.  That cost depends on the allocator's adaptive threshold,
# i.e. on what the process allocated before, so a timing taken with it is not
# reproducible.  The largest mmap threshold glibc accepts is 32 MiB; the trim
# threshold has no such limit.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_MMAP_THRESHOLD_MAX = 32 * 2 ** 20
_TRIM_THRESHOLD = 2 ** 31 - 1


def keep_freed_memory() -> bool:
    """Ask glibc to keep freed memory for reuse (mallopt); False where there is no glibc.

    Process-wide and permanent: call it only in a process that exists to measure
    (the benchmark session, the speed gate, the Table 1 measurement subprocess).
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_MAX)) and bool(mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD))


def interleaved_medians(thunks: dict[str, Callable[[], object]], repeats: int, *,
                        min_seconds: float = 2e-3) -> dict[str, np.ndarray]:
    """Per-call seconds of each thunk, measured round-robin ``repeats`` times: {name: (repeats,)}.

    Round-robin, not one thunk after another, so that a load spike from another process
    on the shared machine hits every thunk of a repetition alike and cancels in their
    ratios.  Each measurement loops a thunk until ``min_seconds`` have passed (calibrated
    once), so the timer's resolution does not enter.  Garbage collection is held off
    while timing, as in ``timeit``.
    """
    loops = {}
    for name, fn in thunks.items():
        fn()  # warm-up: first-call allocations and caches
        n, t = 1, 0.0
        while True:
            start = time.perf_counter()
            for _ in range(n):
                fn()
            t = time.perf_counter() - start
            if t >= min_seconds or n >= 1 << 20:
                break
            n *= 2 if t <= 0 else max(2, min(10, int(math.ceil(1.5 * min_seconds / t))))
        loops[name] = n
    out = {name: np.empty(repeats) for name in thunks}
    enabled = gc.isenabled()
    gc.disable()
    try:
        for r in range(repeats):
            for name, fn in thunks.items():
                n = loops[name]
                start = time.perf_counter()
                for _ in range(n):
                    fn()
                out[name][r] = (time.perf_counter() - start) / n
    finally:
        if enabled:
            gc.enable()
    return out


def peak_bytes(fn: Callable[[], object]) -> int:
    """Peak bytes traced by tracemalloc above the baseline while ``fn`` runs once (numpy reports its buffers)."""
    fn()  # caches (the family's constants) are built outside the measurement
    gc.collect()
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
        del result
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return peak - base


# ---------------------------------------------------------------------- exponents in d
@dataclass(frozen=True)
class ExponentFit:
    """The exponent p of cost ~ d^p fitted on log-log medians, with a bootstrap interval over repetitions."""

    exponent: float
    lower: float
    upper: float
    dims: tuple[int, ...]  # the d values of the fit (the asymptotic end of the grid)
    repetitions: int


def fit_exponent(dims, samples: np.ndarray, *, top: int, confidence: float = 0.95, n_boot: int = 2000,
                 seed: int = 0) -> ExponentFit:
    """Least-squares slope of log median(samples[:, j]) against log dims[j] over the ``top`` largest d.

    ``samples`` is (repetitions, len(dims)), row r measured in the same round-robin pass,
    so the bootstrap resamples whole rows: a load spike that slowed every d of one pass
    moves the medians together and the slope little.  A percentile interval at
    ``confidence`` from ``n_boot`` resamples drawn with a Generator seeded by ``seed``
    (the interval is a deterministic function of the measurements).
    """
    dims = np.asarray(dims, dtype=np.float64)
    samples = np.asarray(samples, dtype=np.float64)
    order = np.argsort(dims)[-top:]
    x = np.log(dims[order])
    Y = np.log(samples[:, order])

    def slope(rows: np.ndarray) -> np.ndarray:
        y = np.median(rows, axis=-2)
        xc = x - x.mean()
        return (y - y.mean(axis=-1, keepdims=True)) @ xc / (xc @ xc)

    rng = np.random.default_rng(seed)
    picks = rng.integers(0, Y.shape[0], size=(n_boot, Y.shape[0]))
    boot = slope(Y[picks])
    a = (1 - confidence) / 2
    return ExponentFit(float(slope(Y)), float(np.quantile(boot, a)), float(np.quantile(boot, 1 - a)),
                       tuple(int(v) for v in dims[order]), int(Y.shape[0]))


_ORACLES = ("_loss", "_gradient", "_hessian", "_hvp", "_batch_loss", "_batch_gradient", "_batch_hessian",
            "_batch_hvp", "_gradient_pair", "_oracle_gradient_pair")


def oracle_floats(family, fn: Callable[[], object]) -> int:
    """Floats returned by ``family``'s oracles while ``fn`` runs: a deterministic measure of oracle work.

    Every oracle writes each float it returns, so this is a lower bound of its
    arithmetic, and for these families (gradients and Hessian-vector products O(d) per
    task, Hessians d^2) the same order in d.  Only the outermost oracle call counts: the
    pair of gradients of (11) returns 2 B d floats whether the family computes it in one
    pass or as two gradient calls.  The oracles are wrapped on the instance for the
    duration of the call and restored after.
    """
    total = [0]
    depth = [0]
    for name in _ORACLES:
        bound = getattr(family, name)

        def counted(*args, _oracle=bound, **kwargs):
            depth[0] += 1
            try:
                out = _oracle(*args, **kwargs)
            finally:
                depth[0] -= 1
            if depth[0] == 0:
                total[0] += sum(int(np.size(o)) for o in out) if isinstance(out, tuple) else int(np.size(out))
            return out

        setattr(family, name, counted)
    try:
        fn()
    finally:
        for name in _ORACLES:
            family.__dict__.pop(name, None)
    return total[0]
