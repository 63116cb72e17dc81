"""Coverage of the suite's statistical verdicts: do its confidence bounds miss at the rates they state?

    python -m benchmarks.coverage [--quick] [--seed N] [--families a,b] [--json PATH] [--markdown]

Every statistical verdict of ``pytest verify`` turns a one-sided confidence bound on a mean
into holds / violated (verify/judge/statistics.py, ``verdict``).  A verdict is wrong only when the
bound it used misses the true mean, so the error rates hold as stated exactly when each bound
misses with probability at most its delta.  This module measures that, per family of verdicts,
on the distributions the checks really average:

* the draws come from the checks' own run functions on the instances they judge (the worst
  instances of a ``pytest verify`` run's compliance.json): the run function is called with a
  large ``draws`` and its own ``draw_seed``, and the sample it hands to its bound function
  (``student_t``, ``skew_corrected_t``, ``vector_mean_norm_bound``, ``sequential_decision``) is
  intercepted, so the sample calibrated is exactly the one the verdict sees, with the bound the
  check calls (``Family.used``);
* replications are disjoint groups of the check's own sample size n; each group's bound is
  computed as the check computes it (vectorised here, and checked against the project's
  function on the first groups), and its misses of the lower and the upper bound are counted
  separately, at levels a few thousand replications resolve (1e-2, 1e-3), with Clopper-Pearson
  intervals on the miss rates;
* the truth is the mean of every other group (leave-one-out: independent of the group judged,
  and with sqrt(reps) times the precision of one group's mean);
* the levels actually used (~1e-7 to 1e-5) cannot be resolved by counting.  They are reached by
  importance sampling (``tilted_miss``, ``tilted_norm_miss``): groups drawn from the exponentially
  tilted empirical distribution of a million kept draws, weighted by the likelihood ratio, give
  the bound's miss rate in that distribution at any level (Siegmund 1976); checked against the
  direct counts at 1e-2 and 1e-3.  Beside it, from the measured skewness gamma, the one-term
  Edgeworth expansion of the studentised mean (Hall 1992, Chapter 2):

      P(T <= x) = Phi(x) + n^-1/2 gamma (2 x^2 + 1)/6 phi(x) + O(1/n),   T = sqrt(n)(mean - mu)/s,

  so the upper bound (missed when T < -t) misses with probability about
  delta + gamma (2 t^2 + 1) phi(t) / (6 sqrt n), the lower bound about delta minus the same; and
  its exponential form delta exp(+-gamma t^3 / (3 sqrt n)) (the Cramer-type moderate deviations
  of self-normalised sums, Jing, Shao & Wang 2003), equal to first order and closer when the
  correction is not small;
* for verdicts over a handful of independent runs (verify/checks/convergence.py: R = 8 or 10) the
  levels lie far beyond sqrt(R) standard errors, where no expansion in 1/sqrt(R) applies; there
  the fixed-n tail limit is used (derived in docs/coverage.md):

      lim_{t -> inf} P(T < -t) / P(T_{n-1} < -t)
          = int_{x < mu} f(x)^n (mu - x)^(n-1) dx / int_{y < 0} phi(y)^n |y|^(n-1) dy,

  with f the density of one run's value (a kernel estimate from the runs);
* Table 1's accuracy and K-shot exponents (``table_1_scaling.fit_levels``: the OLS slope of log
  window means over R runs per point, its interval t on the paired per-run Z with R - 1 df, or
  Welch for independent points) are calibrated on pools of the cells' own runs
  (``table_1_scaling.measure_level``, vectorised over runs; ``run_table_1``): the truth is the
  pool's log-mean slope, the misses of the slope's upper and lower bounds are counted at 1e-2
  and 1e-3, and the used level (look 1: per_test / 2 a side) is reached by importance sampling
  of whole groups of runs tilted along the slope's linear statistic (``tilted_slope_miss``),
  beside the fixed-n tail limit of the per-run Z (paired, R = 16) or the exponential form at the
  slope's skewness (Welch);
* a family is flagged when a measured miss rate is significantly above twice its delta (the CP
  interval above 2 delta) or its extrapolated rate at the used level (importance sampling; the
  fixed-n limit for runs) exceeds twice the delta it is charged.

Beside the bound each t family uses, the other one is measured the same way on the same draws
(``comparison``): for the plain t families, Hall's (1992) cubic transformation of the studentised
mean, which removes its skewness term (``verify.judge.statistics.skew_corrected_t``, whose
``hall_inverse`` this module uses: one implementation); for the moment displays' per-draw
differences, which ``verify/checks/moments.py`` now decides with that corrected bound, the plain t bound
it replaced (missing 16x / 8.7x delta at the used level: why the switch was made).  With it, the
plain t bound's sample size needed to bring its extrapolated miss rate within 2 delta.  (The left
sides are unbounded, so no distribution-free bound of Maurer & Pontil or Waudby-Smith & Ramdas
applies.)

The full run takes about ten minutes on the project's 2-core machine; ``--quick`` a tenth of
the replications (about a minute, a smoke test: its CP intervals are wide).  ``docs/coverage.md`` holds the
tables this writes with ``--markdown``.
"""
from __future__ import annotations

import os

# One BLAS thread: the machine has two cores shared with other processes, and the draws are
# small arrays where a second thread only waits.  Set before numpy is imported, and only when run
# as a program: a test importing this module must not change its process's environment.
if __name__ == "__main__":
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Callable  # noqa: E402
from unittest import mock  # noqa: E402

import numpy as np  # noqa: E402
from scipy import special, stats  # noqa: E402

from verify.judge import statistics as vstats  # noqa: E402
from verify.judge.statistics import clopper_pearson, hall_inverse  # noqa: E402  (the suite's own: one implementation)
from verify.judge.cli import seed_arg  # noqa: E402
from verify.judge.evidence import Instance  # noqa: E402

# The levels at which misses are counted: resolvable with a few thousand replications.
DELTAS = (1e-2, 1e-3)
# A family is flagged when its miss rate (measured or extrapolated) exceeds this many times delta.
FLAG_FACTOR = 2.0
# The run's per-one-sided-bound levels (compliance.json ``error_budget_*``, ci profile, seed 0):
# ``ErrorBudget(RUN_ERROR_BUDGET * BUDGET_SHARES[part], tests).per_test`` with the test counts of
# that run.  ``--compliance PATH`` reads them from another run's report instead.
PER_TEST = {"expectation": 2.0e-4 / (2 * 36), "moments": 1.5e-4 / (2 * 139), "bias": 1.5e-4 / (2 * 19),
            "descent": 1.0e-4 / (2 * 21), "convergence": 1.0e-4 / (2 * 10), "corollaries": 1.0e-4 / (2 * 13),
            "table_1": 1.5e-4 / (2 * 10), "h1_counterexample": 5e-5 / 2}
# Draws per call of a run function: bounds the memory of one call (the moment draws hold several
# (draws, tasks, d) arrays) while keeping the per-call overhead small.
CHUNK_DRAWS = 200_000
# Draws kept for the importance-sampled extrapolation (the empirical distribution it tilts).
POOL_KEEP = 1_000_000
# Importance-sampled replications at the used level (half as many at each resolvable level).
IS_REPS = {"quick": 1000, "full": 6000}
# ... and at most this many drawn indices per importance-sampled rate (its cost grows with n).
IS_DRAWS = {"quick": 3_000_000, "full": 24_000_000}


# ---------------------------------------------------------------------- small statistics
def t_quantile(delta: float, n: int) -> float:
    return float(stats.t.ppf(1.0 - delta, n - 1))


def edgeworth_miss(delta: float, n: int, gamma: float) -> tuple[float, float]:
    """(upper-bound miss, lower-bound miss) of the one-sided t bounds at level delta, one-term Edgeworth.

    Hall (1992), Section 2.6, studentised mean: P(T <= x) = Phi(x) + n^-1/2 q1(x) phi(x) + O(1/n) with
    q1(x) = gamma (2 x^2 + 1)/6.  The Gaussian part of the t quantile's tail is delta exactly (the t
    bound is exact for Gaussian data), so only the skewness term is added: the upper bound misses
    when T < -t (probability delta + c), the lower bound when T > t (delta - c), c = q1(t) phi(t)/sqrt n.
    A negative result (the expansion overshooting) is reported as 0.
    """
    t = t_quantile(delta, n)
    c = gamma * (2 * t * t + 1) / 6 * float(stats.norm.pdf(t)) / math.sqrt(n)
    return max(delta + c, 0.0), max(delta - c, 0.0)


def cramer_miss(delta: float, n: int, gamma: float) -> tuple[float, float]:
    """The same misses in exponential form: delta exp(+-gamma t^3 / (3 sqrt n)).

    Jing, Shao & Wang (2003), self-normalised Cramer-type moderate deviations: P(S/V >= x) / (1 - Phi(x))
    = exp(-x^3 gamma / (3 sqrt n)) (1 + o(1)) for x = o(n^1/6); it agrees with edgeworth_miss to first
    order in gamma t^3 / sqrt n and does not go negative.
    """
    t = t_quantile(delta, n)
    e = gamma * t ** 3 / (3 * math.sqrt(n))
    return delta * math.exp(e), delta * math.exp(-e)


def plain_t_n_needed(delta: float, gamma: float, factor: float = FLAG_FACTOR) -> dict:
    """The n at which the plain t bound's extrapolated miss falls to factor * delta, both expansions.

    For n large the t quantile is the normal z = z_{1-delta}; solving the miss formulas for n:
    Edgeworth  gamma (2 z^2 + 1) phi(z) / (6 sqrt n) <= (factor - 1) delta,
    exp form   exp(gamma z^3 / (3 sqrt n)) <= factor.
    """
    z = float(stats.norm.ppf(1 - delta))
    g = abs(gamma)
    edge = (g * (2 * z * z + 1) * float(stats.norm.pdf(z)) / (6 * (factor - 1) * delta)) ** 2
    expo = (g * z ** 3 / (3 * math.log(factor))) ** 2
    return {"edgeworth": int(math.ceil(edge)), "exp_form": int(math.ceil(expo))}


# The two bounds a t family can use, by the project function that computes each: the plain t bound
# and Hall's skewness-corrected one.  Each family calibrates the one its check calls (``Family.used``)
# and measures the other beside it, the same way.
BOUND_FN = {"t": "student_t", "hall": "skew_corrected_t"}
BOUND_NAME = {"t": "Student t", "hall": "skewness-corrected t (Hall 1992)"}
OTHER = {"t": "hall", "hall": "t"}


def coordinate_level(delta: float, d: int) -> float:
    """``vector_mean_norm_bound``'s level per coordinate and side: delta / (2 d).

    Each coordinate's two one-sided t bounds at delta/(2d) put every coordinate in its interval
    with probability 1 - delta, so each of the two norm bounds fails with probability at most the
    delta it is charged (an upper norm bound fails through a coordinate missing on either side).
    A mirror of the project's rule: ``check_against_project`` compares it with the function itself.
    """
    return delta / (2 * d)


def sample_moments(x: np.ndarray) -> dict:
    """Mean, sd, skewness and excess kurtosis of a 1-d sample (central moments, biased, as scipy.stats)."""
    x = np.asarray(x, dtype=float)
    m = x.mean()
    c = x - m
    v = float(np.mean(c * c))
    # A left side constant up to rounding (an identity's 0, a deterministic quantity) has no shape.
    if v <= (1e-12 * max(abs(float(m)), 1e-300)) ** 2:
        return dict(mean=float(m), sd=0.0, skewness=0.0, kurtosis=0.0)
    return dict(mean=float(m), sd=math.sqrt(v), skewness=float(np.mean(c ** 3) / v ** 1.5),
                kurtosis=float(np.mean(c ** 4) / v ** 2 - 3.0))


def fixed_n_tail_ratio(x: np.ndarray, n: int, bandwidth_factor: float = 1.0) -> tuple[float, float]:
    """(upper-bound, lower-bound) limits of P(miss)/delta of the t bound as delta -> 0 at fixed n.

    With T = sqrt n (mean - mu)/s, the event T < -t for large t is a cone of narrow angle around
    the diagonal below (mu, ..., mu); on it the joint density is f(x)^n to first order, so
    P(T < -t) ~ A_t int_{x<mu} f(x)^n (mu - x)^(n-1) dx n^(n/2)..., with the same solid-angle factor
    A_t for every parent.  Divided by the Gaussian's value (for which the t bound is exact) the
    factor cancels; both integrals are invariant under rescaling x, so the ratio is a shape
    functional of f.  f is a Gaussian kernel estimate of the sample's density on a fine grid
    (Silverman's bandwidth times ``bandwidth_factor``).
    """
    x = np.asarray(x, dtype=float)
    mu, sd = float(x.mean()), float(x.std())
    if sd == 0:
        return 1.0, 1.0
    z = (x - mu) / sd
    iqr = float(np.subtract(*np.percentile(z, [75, 25]))) / 1.349
    h = bandwidth_factor * 0.9 * min(1.0, iqr if iqr > 0 else 1.0) * z.size ** -0.2
    lo, hi = float(z.min()) - 6 * h, float(z.max()) + 6 * h
    grid = np.linspace(lo, hi, 8193)
    dz = grid[1] - grid[0]
    counts, _ = np.histogram(z, bins=grid.size, range=(lo - dz / 2, hi + dz / 2))
    kernel_x = np.arange(-int(6 * h / dz) - 1, int(6 * h / dz) + 2) * dz
    kernel = np.exp(-0.5 * (kernel_x / h) ** 2)
    kernel /= kernel.sum() * dz
    f = np.convolve(counts / z.size, kernel, mode="same")
    # log-space: f^n underflows for n in the tens.
    with np.errstate(divide="ignore"):
        logf = np.log(np.maximum(f, 1e-300))
        logd = np.log(np.abs(grid))
    w = n * logf + (n - 1) * logd
    left, right = grid < 0, grid > 0
    gauss = (-n / 2) * math.log(2 * math.pi) + math.log(0.5) + special.gammaln(n / 2) + (n / 2) * math.log(2 / n)

    def side(mask):
        vals = w[mask]
        top = vals.max()
        return math.exp(top + math.log(np.sum(np.exp(vals - top)) * dz) - gauss)

    return side(left), side(right)


def tilted_miss(pool: np.ndarray, n: int, delta: float, reps: int, rng: np.random.Generator) -> dict:
    """Miss rates of the t bound (and of Hall's corrected bound) at any delta, by importance sampling.

    The distribution is the pool's empirical one (its mean known exactly), so this measures the
    bound's miss rate in that world at levels no direct count resolves.  Groups of n draws come from
    the exponentially tilted pool q_i ~ exp(theta z_i) (z the standardised draws), theta chosen so
    the tilted mean sits on the bound's boundary (mean -+ t sd / sqrt n), and are weighted by the
    likelihood ratio M(theta)^n exp(-theta sum z), M the pool's moment generating function: an
    unbiased estimate whose relative error stays bounded as delta -> 0 (Siegmund 1976).  Returns,
    per side, the estimate and its standard error, for the t bound and the Hall-corrected one.
    """
    from scipy import optimize

    z = np.asarray(pool, dtype=float)
    z = (z - z.mean()) / z.std()
    N = z.size
    t = t_quantile(delta, n)
    rn = math.sqrt(n)
    out = {}
    for side, shift in (("upper", -t / rn), ("lower", t / rn)):
        def tilted_mean(theta):
            e = np.exp(theta * z - np.max(theta * z))
            return float(np.sum(z * e) / np.sum(e)) - shift
        theta = optimize.brentq(tilted_mean, -20.0, 20.0) if tilted_mean(-20.0) * tilted_mean(20.0) < 0 else 0.0
        a = theta * z
        top = float(a.max())
        log_m = top + math.log(float(np.sum(np.exp(a - top)))) - math.log(N)
        cdf = np.cumsum(np.exp(a - top))
        cdf /= cdf[-1]
        w_t, w_h = [], []
        per = max(1, 4_000_000 // n)
        done = 0
        while done < reps:
            g = min(per, reps - done)
            idx = np.minimum(np.searchsorted(cdf, rng.random((g, n))), N - 1)
            zz = z[idx]
            m = zz.mean(axis=1)
            c = zz - m[:, None]
            v = np.einsum("gn,gn->g", c, c) / (n - 1)
            sd = np.sqrt(v)
            m2b = v * (n - 1) / n
            sk = np.where(m2b > 0, np.einsum("gn,gn,gn->g", c, c, c) / n / np.where(m2b > 0, m2b, 1) ** 1.5, 0.0)
            T = np.where(sd > 0, rn * m / np.where(sd > 0, sd, 1.0), 0.0)
            logw = n * log_m - theta * zz.sum(axis=1)
            w = np.exp(logw)
            if side == "upper":
                w_t.append(w * (T < -t))
                w_h.append(w * (T < hall_inverse(-t, n, sk)))
            else:
                w_t.append(w * (T > t))
                w_h.append(w * (T > hall_inverse(t, n, sk)))
            done += g
        wt, wh = np.concatenate(w_t), np.concatenate(w_h)
        out[side] = {"t": float(wt.mean()), "t_se": float(wt.std() / math.sqrt(reps)),
                     "hall": float(wh.mean()), "hall_se": float(wh.std() / math.sqrt(reps)), "theta": theta}
    return out


def tilted_norm_miss(pool: np.ndarray, target: np.ndarray, n: int, delta: float, reps: int,
                     rng: np.random.Generator) -> dict:
    """Misses of ``vector_mean_norm_bound``'s norm bounds at any delta, by mixture importance sampling.

    The norm's upper bound fails only when some coordinate's estimate falls short toward c (its
    own bound missing on the far side), its lower bound only when one overshoots away from c; so
    each side's proposal is an equal mixture over coordinates k of the pool's rows tilted on
    coordinate k (as ``tilted_miss``, toward that miss).  A group is
    drawn from one component, its weight is 1 / (mean over k of its likelihood ratio under
    component k), and the event is the norm bound's own (the box of every coordinate at delta/(2d),
    nearest and farthest corners; ``coordinate_level``), judged against the pool's mean: unbiased for the joint event,
    whatever the slack the other coordinates give.  Returns per side the t bound's rate, its
    standard error, and the Hall-corrected bound's rate.
    """
    from scipy import optimize

    X = np.asarray(pool, dtype=float)
    N, d = X.shape
    mu = X.mean(axis=0)
    sd = X.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    Z = (X - mu) / sd
    c = np.asarray(target, dtype=float)
    sign = np.sign(mu - c)
    sign = np.where(sign == 0, 1.0, sign)
    true_norm = float(np.linalg.norm(mu - c))
    t = t_quantile(coordinate_level(delta, d), n)
    rn = math.sqrt(n)
    out = {}
    for side in ("upper", "lower"):
        thetas, logms, cdfs = [], [], []
        for k in range(d):
            # upper (farthest corner short of the true norm): coordinate k's estimate pushed toward c;
            # lower (nearest corner beyond it): pushed away from c.
            shift = (-1.0 if side == "upper" else 1.0) * sign[k] * t / rn
            z = Z[:, k]

            def tilted_mean(theta, z=z, shift=shift):
                e = np.exp(theta * z - np.max(theta * z))
                return float(np.sum(z * e) / np.sum(e)) - shift
            theta = optimize.brentq(tilted_mean, -20.0, 20.0) if tilted_mean(-20.0) * tilted_mean(20.0) < 0 else 0.0
            a = theta * z
            top = float(a.max())
            logms.append(top + math.log(float(np.sum(np.exp(a - top)))) - math.log(N))
            cdf = np.cumsum(np.exp(a - top))
            cdfs.append(cdf / cdf[-1])
            thetas.append(theta)
        thetas, logms = np.array(thetas), np.array(logms)
        w_t, w_h = [], []
        per = max(1, 2_000_000 // (n * d))
        done = 0
        while done < reps:
            g = min(per, reps - done)
            comp = rng.integers(0, d, size=g)
            u = rng.random((g, n))
            idx = np.empty((g, n), dtype=np.int64)
            for k in range(d):
                sel = comp == k
                if np.any(sel):
                    idx[sel] = np.minimum(np.searchsorted(cdfs[k], u[sel]), N - 1)
            zz = Z[idx]  # (g, n, d)
            sums = zz.sum(axis=1)  # (g, d)
            # log q_k/p of the group under each component k; the weight is p/q for q the mixture's mean.
            logq = thetas[None, :] * sums - n * logms[None, :]
            top = logq.max(axis=1, keepdims=True)
            logmix = top[:, 0] + np.log(np.mean(np.exp(logq - top), axis=1))
            w = np.exp(-logmix)
            m = sums / n
            cz = zz - m[:, None, :]
            v = np.einsum("gnd,gnd->gd", cz, cz) / (n - 1)
            s_ = np.sqrt(v)
            m2b = v * (n - 1) / n
            sk = np.where(m2b > 0, np.einsum("gnd,gnd,gnd->gd", cz, cz, cz) / n / np.where(m2b > 0, m2b, 1) ** 1.5,
                          0.0)
            xm = mu + sd * m  # back to the data's scale
            xs = sd * s_
            for bound, store in (("t", w_t), ("hall", w_h)):
                if bound == "t":
                    lo_c, hi_c = xm - t * xs / rn, xm + t * xs / rn
                else:
                    hi_c = xm - xs * hall_inverse(-t, n, sk) / rn
                    lo_c = xm - xs * hall_inverse(t, n, sk) / rn
                lo, hi = lo_c - c, hi_c - c
                if side == "upper":
                    far = np.maximum(np.abs(lo), np.abs(hi))
                    event = np.linalg.norm(far, axis=1) < true_norm
                else:
                    near = np.where(lo > 0, lo, np.where(hi < 0, hi, 0.0))
                    event = np.linalg.norm(near, axis=1) > true_norm
                store.append(w * event)
            done += g
        wt, wh = np.concatenate(w_t), np.concatenate(w_h)
        out[side] = {"t": float(wt.mean()), "t_se": float(wt.std() / math.sqrt(reps)),
                     "hall": float(wh.mean()), "hall_se": float(wh.std() / math.sqrt(reps))}
    return out


# ---------------------------------------------------------------------- capturing a check's sample
class _Captured(Exception):
    """Raised by a stand-in bound function to stop a run function once its sample is in hand."""


def capture(module, name, call: Callable[[], object]):
    """Run ``call`` with ``module.name`` (a bound function) replaced by one that records its first argument.

    Returns the recorded calls as (args, kwargs).  The run functions return only the bounds; the
    sample is intercepted at the one call that turns it into a bound, so what is calibrated is
    exactly what the verdict sees.  The real function still runs, so the run function completes.
    ``name`` may be a tuple of names: each that the module has is replaced (the calls of all of
    them recorded in order); a module with none of them is an error (the check changed its bound).
    """
    names = (name,) if isinstance(name, str) else tuple(name)
    present = [nm for nm in names if hasattr(module, nm)]
    if not present:
        raise AttributeError(f"{module.__name__} calls none of {names}: its bound function changed")
    calls = []
    patches = []
    for nm in present:
        real = getattr(module, nm)

        def stand_in(*args, _real=real, **kwargs):
            calls.append((args, kwargs))
            return _real(*args, **kwargs)

        patches.append(mock.patch.object(module, nm, stand_in))
    for pt in patches:
        pt.start()
    try:
        call()
    finally:
        for pt in reversed(patches):
            pt.stop()
    return calls


# ---------------------------------------------------------------------- the families
@dataclass
class Family:
    """One family of statistical verdicts: where a bound becomes a verdict, and how to draw its left side."""

    key: str
    title: str
    where: str
    bound: str
    assumption: str
    n: int  # the sample size of one verdict in ``pytest verify``
    delta_test: float  # the per-one-sided-bound level the test is charged (ErrorBudget.per_test)
    split: int  # the further Bonferroni split inside the test (tasks, coordinates): level = delta_test / split
    #            (vector families: tasks x 2 d, vector_mean_norm_bound's delta/(2d) per coordinate side)
    kind: str  # "scalar" (t), "vector" (t per coordinate, norm of the box), "eb" (sequential EB), "runs"
    instance: Instance | None
    sampler: Callable[[int, int], np.ndarray] | None = None  # (k draws, seed) -> (k,) or (k, d)
    reps: dict = field(default_factory=dict)  # quick / full replications
    target: np.ndarray | None = None  # vector families: the point c of ||E Y - c||
    note: str = ""
    extra: dict = field(default_factory=dict)
    used: str = "t"  # the bound the check calls: "t" (student_t, vector_mean_norm_bound) or "hall" (skew_corrected_t)

    @property
    def delta_used(self) -> float:
        return self.delta_test / self.split


def _runs_text(params: dict) -> str:
    """A Welch cell's runs per point as the check's instance gives them, e.g. "128 / 16 / 128"."""
    return " / ".join(str(int(r)) for r in params["runs_by_point"])


def _inst(check: str, seed: int, params: dict) -> Instance:
    return Instance(check, int(seed), dict(params))


def _expectation_sampler(inst: Instance, fn: str, index: int = 0):
    """Draws of an expectation check's left side; ``index``: which of its bound calls (one per task for (20))."""
    from verify.checks import expectation as E

    case = E.STAT_CASES_BY_ID[inst.check]

    def sample(k: int, seed: int) -> np.ndarray:
        params = dict(inst.params, draws=int(k), draw_seed=int(seed))
        calls = capture(E, fn, lambda: E.run_instance(case, Instance(inst.check, inst.seed, params), 1e-3))
        return _stack(calls, fn, index)

    return sample


def _moments_sampler(inst: Instance, fn: str, column: int | None = None):
    from verify.checks import moments as M

    case = M.MOMENT_CASES_BY_ID[inst.check]

    def sample(k: int, seed: int) -> np.ndarray:
        params = dict(inst.params, draws=int(k), draw_seed=int(seed))
        calls = capture(M, fn, lambda: M.run_instance(case, Instance(inst.check, inst.seed, params), 1e-3))
        M._DRAWN.clear()  # the memo holds every draw array; nothing is reused across seeds
        out = _stack(calls, fn)
        return out if column is None else out[:, column]

    return sample


def _descent_sampler(inst: Instance):
    from verify.checks import descent as D

    case = D.DESCENT_CASES_BY_ID[inst.check]

    def sample(k: int, seed: int) -> np.ndarray:
        params = dict(inst.params, draws=int(k), draw_seed=int(seed))
        calls = capture(D, "student_t", lambda: D.run_descent(case, Instance(inst.check, inst.seed, params), 1e-3))
        return _stack(calls, "student_t")

    return sample


def _bias_sampler(inst: Instance):
    """HF-MAML's antithetic, control-variate rows Y of verify/checks/bias.py, from ``hf_maml_draws`` with our own seed.

    ``run_monte_carlo`` draws from the instance's own stream (default_rng([seed, 1])), which one call
    can give only once; ``hf_maml_draws`` is the function it calls, given the setup it builds.
    """
    from verify.checks import bias as B

    case = B.BIAS_CASES_BY_ID[inst.check]
    setup = B.build_setup(case, inst)

    def sample(k: int, seed: int) -> np.ndarray:
        dr = B.hf_maml_draws(setup.family, setup.w, setup.alpha, setup.D_in, setup.D_o, setup.D_h, int(k),
                             np.random.default_rng(seed), setup.consts["rho"])
        return dr.Y

    return sample


def _stack(calls, fn: str, index: int = 0) -> np.ndarray:
    """The samples of the recorded bound calls: t calls as columns of one array, vector call ``index`` as is."""
    if not calls:
        raise RuntimeError(f"the run function made no call of {fn}: the instance took an exact path")
    if fn in ("student_t", "skew_corrected_t"):
        return np.stack([np.asarray(a[0], dtype=float) for a, _ in calls], axis=1)
    if fn == "vector_mean_norm_bound":
        return np.asarray(calls[index][0][0], dtype=float)
    raise ValueError(fn)


def levels_from_compliance(path: str) -> dict:
    """The per-one-sided-bound level of each budget share, as a run's compliance.json records it."""
    with open(path, encoding="utf-8") as fh:
        run = json.load(fh)["run"]
    out = {}
    for key, value in run.items():
        if key.startswith("error_budget_") and isinstance(value, dict) and "per_one_sided_bound" in value:
            out[value.get("part") or key[len("error_budget_"):]] = float(value["per_one_sided_bound"])
    return out


def families() -> list[Family]:
    """The inventory: every place a confidence bound becomes a verdict, each on its most skewed judged instance.

    The instances are the worst ones of a ``pytest verify`` run (ci profile, seed 0): for each
    family the one whose left side is most skewed (a survey of every judged instance's draws,
    docs/coverage.md), since skewness is what moves the t bound's miss rate at a fixed n.
    """
    out = []
    # Theorem F.1-H.1 descent step (93): the t bound on F(w_{k+1}) - F(w_k), 400 one-step draws.
    d_inst = _inst("theorem_g_1_descent@regression", 1477569092,
                   {"d": 4, "n": 4, "alpha_frac": 0.477336575371726, "batch_margin": 0.006502828330220201,
                    "spread": 0.9198396659158492, "noise": 0.7807161361158141, "scale": 0.5371037395706463,
                    "draw_seed": 2317365101})
    out.append(Family("descent", "descent step of F.1/G.1/H.1 (93), after (123), after (150)",
                      "verify/checks/descent.py run_descent -> statistics.student_t", "Student t",
                      "CLT over i.i.d. one-step draws", 400, PER_TEST["descent"], 1, "scalar", d_inst,
                      _descent_sampler(d_inst), {"quick": 200, "full": 2000}))
    # The proofs' moment displays, per-draw difference lhs - rhs, 2000 draws, Bonferroni over tasks:
    # verify/checks/moments.py decides them with Hall's skewness-corrected t (skew_corrected_t), switched from
    # student_t because the plain t bound missed 16x / 8.7x delta at the used level (the comparison).
    m88 = _inst("eq_88_outer_gradient_second_moment@noisy-quadratic", 3805539949,
                {"d": 1, "n": 5, "alpha_frac": 1.0, "batch_margin": 0.41951869429709976,
                 "spread": 0.6995309056135245, "noise": 0.5590614287531526, "scale": 0.4559927227318866,
                 "draw_seed": 1361942898})
    out.append(Family("moments_z_plus", "moment displays (82)-(149), per-draw lhs - rhs (right-skewed: (88))",
                      "verify/checks/moments.py run_moment -> statistics.skew_corrected_t (per task, delta/cols)",
                      BOUND_NAME["hall"],
                      "CLT over i.i.d. draws of one iteration's batches, one order further (Edgeworth, O(1/n) error)",
                      2000, PER_TEST["moments"], 5, "scalar", m88, None, {"quick": 1200, "full": 12000}, used="hall"))
    m143 = _inst("eq_143_fd_direction_variance@noisy-trigonometric", 4120992505,
                 {"d": 1, "n": 2, "alpha_frac": 0.006899751974709711, "batch_margin": 0.0,
                  "spread": 0.40064361046449326, "noise": 0.8670267062499856, "scale": 0.2707269486472609,
                  "draw_seed": 1424126483})
    out.append(Family("moments_z_minus", "moment displays, per-draw lhs - rhs (left-skewed: (143))",
                      "verify/checks/moments.py run_moment -> statistics.skew_corrected_t (per task, delta/cols)",
                      BOUND_NAME["hall"],
                      "CLT over i.i.d. draws of one iteration's batches, one order further (Edgeworth, O(1/n) error)",
                      2000, PER_TEST["moments"], 2, "scalar", m143, None, {"quick": 1200, "full": 12000},
                      used="hall"))
    m119 = _inst("eq_119_fo_maml_mean_direction@regression", 3537930464,
                 {"d": 3, "n": 4, "alpha_frac": 0.9453729113581697, "batch_margin": 0.8395466503976745,
                  "spread": 0.396238153091211, "noise": 0.8637134329233623, "scale": 0.34034661023334045,
                  "draw_seed": 3464155547})
    out.append(Family("moments_norm", "moment displays with a norm of a mean ((82), (119), (141))",
                      "verify/checks/moments.py run_moment -> statistics.vector_mean_norm_bound",
                      "Student t per coordinate (delta/(2d) a side), Bonferroni, box -> norm", "CLT per coordinate", 2000,
                      PER_TEST["moments"], 1 * 2 * 3, "vector", m119, None, {"quick": 150, "full": 1500}))
    # Lemma 4.10 (21): ||v_i||^2 with the outer batch integrated out, t per task (Bonferroni over the
    # n tasks), sequential: a first look of 1600 draws at delta/2, doubled while undecided.
    e21 = _inst("lemma_4_10_second_moment@noisy-trigonometric", 527200890,
                {"d": 1, "n": 2, "alpha_frac": 0.13130402171927447, "batch_margin": 0.07195902535330434,
                 "spread": 0.5375279126951925, "noise": 0.3431632754098446, "scale": 0.7905940763130346,
                 "draw_seed": 3153639991})
    out.append(Family("lemma_4_10_second", "Lemma 4.10 (21), E||v_i||^2",
                      "verify/checks/expectation.py run_lemma_4_10_second_moment -> statistics.student_t "
                      "(delta/2^(j+1) per look, /n tasks)", "Student t, sequential looks",
                      "CLT over i.i.d. draws of D_in (outer batch integrated out)", 1600, PER_TEST["expectation"],
                      2 * 2, "scalar", e21, _expectation_sampler(e21, "student_t"), {"quick": 2000, "full": 20000}))
    # Lemma 4.10 (20): control-variate draws, per-coordinate t, Bonferroni over tasks and coordinates.
    e20 = _inst("lemma_4_10_bias@noisy-trigonometric", 3309426132,
                {"d": 2, "n": 4, "alpha_frac": 1.0, "batch_margin": 0.08403468373119583,
                 "spread": 0.038067186134535747, "noise": 0.9396747456499416, "scale": 0.432580682697726,
                 "draw_seed": 3765295145})
    out.append(Family("lemma_4_10_bias", "Lemma 4.10 (20), ||E v_i - grad f_i(u_i)||",
                      "verify/checks/expectation.py run_lemma_4_10_bias -> statistics.vector_mean_norm_bound (delta/n)",
                      "Student t per coordinate (delta/(2d) a side), Bonferroni, box -> norm",
                      "CLT per coordinate over control-variate draws", 25600, PER_TEST["expectation"], 4 * 2 * 2,
                      "vector", e20, None, {"quick": 60, "full": 500}))
    # Theorem 4.11: control-variate draws of grad F-hat - grad F, per-coordinate t.
    e411 = _inst("theorem_4_11@noisy-trigonometric", 4012102260,
                 {"d": 3, "n": 2, "alpha_frac": 1.0, "batch_margin": 0.0, "spread": 0.5702506759670908,
                  "noise": 0.3755089127628307, "scale": 0.1489276112447684, "draw_seed": 344277161})
    out.append(Family("theorem_4_11", "Theorem 4.11, ||grad F-hat - grad F||",
                      "verify/checks/expectation.py run_theorem_4_11 -> statistics.vector_mean_norm_bound",
                      "Student t per coordinate (delta/(2d) a side), Bonferroni, box -> norm",
                      "CLT per coordinate over control-variate draws", 3200, PER_TEST["expectation"], 1 * 2 * 3, "vector",
                      e411, _expectation_sampler(e411, "vector_mean_norm_bound"), {"quick": 250, "full": 2500}))
    # HF-MAML's bias displays (139)-(140): antithetic control-variate pairs, per-coordinate t.
    b140 = _inst("eq_140_hf_maml_bias@noisy-trigonometric", 4135204600,
                 {"d": 2, "n": 4, "alpha_frac": 1.0, "noise": 0.0, "spread": 1.0, "amplitude": 0.6,
                  "curvature": 0.3, "shared": 1, "scale": 0.5, "stationary": 1, "D_in": 16, "D_o": 1,
                  "draws": 1000})
    out.append(Family("hf_maml_bias", "HF-MAML bias (139)-(140), antithetic pairs",
                      "verify/checks/bias.py run_monte_carlo -> statistics.vector_mean_norm_bound",
                      "Student t per coordinate (delta/(2d) a side), Bonferroni, box -> norm",
                      "CLT per coordinate over i.i.d. antithetic pairs", 1000, PER_TEST["bias"], 1 * 2 * 2, "vector", b140,
                      None, {"quick": 400, "full": 4000}))
    # Lemma 4.9 (19): beta~ in (0, 1/(4L)], sequential empirical Bernstein.
    e19 = _inst("lemma_4_9_second_moment@noisy-trigonometric", 3309426132,
                {"d": 1, "n": 3, "alpha_frac": 1.0, "batch_margin": 0.08403468373119583,
                 "spread": 0.038067186134535747, "noise": 0.9396747456499416, "scale": 0.432580682697726,
                 "draw_seed": 3765295145})
    out.append(Family("lemma_4_9", "Lemma 4.9 (19), E beta~ and E beta~^2",
                      "verify/checks/expectation.py run_lemma_4_9 -> statistics.sequential_decision (empirical Bernstein)",
                      "empirical Bernstein (Maurer & Pontil 2009, Thm 4), looks delta/2^(j+1)",
                      "beta~ in (0, 1/(4L)] surely (range certified by (17)); none beyond it", 6400,
                      PER_TEST["expectation"], 1, "eb", e19, None, {"quick": 200, "full": 2000}))
    # Theorems F.1-H.1 and corollaries: t over independent runs.  Two regimes: a descent from
    # 1.3 x the accuracy, decided 'holds' at checkpoint k = 28 of T = 2013 (the run's worst
    # instance; the grid is followed up to there), and a start at 0.1 x the accuracy run to T = 10
    # (every k <= T, the 'violated' test's simultaneous lower bounds and the negative control).
    from verify.checks.instances import mix_seed

    c_desc = _inst("theorem_f_1_accuracy@noisy-quadratic-pd", 2687901501,
                   {"d": 3, "n": 5, "spread": 0.5, "noise": 0.5, "alpha_frac": 1.0, "D_in": 1, "D_o": 1,
                    "eps_frac": 1.0, "start_ratio": 1.3, "full": False})
    out.append(Family("runs_descent", "convergence F.1/G.1/H.1 and corollaries, descent to the accuracy",
                      "verify/checks/convergence.py judge -> _t_bound (corollaries.judge_iterations alike)",
                      "Student t over runs", "CLT over R independent runs", 10, PER_TEST["convergence"], 18,
                      "runs", c_desc, None, {"quick": 300, "full": 2000}, extra={"max_k": 28}))
    c_floor = _inst("theorem_f_1_accuracy@noisy-quadratic-pd", mix_seed(0, 22),
                    {"d": 2, "n": 4, "spread": 1.0, "noise": 1.0, "alpha_frac": 0.5, "D_in": 2, "D_o": 1,
                     "eps_frac": 1.0, "start_ratio": 0.1, "full": True})
    out.append(Family("runs_floor", "convergence F.1/G.1/H.1, runs to T near the noise floor",
                      "verify/checks/convergence.py judge -> _t_bound (lower: delta/(2(T+1)) per iterate)",
                      "Student t over runs", "CLT over R independent runs", 10, PER_TEST["convergence"], 18,
                      "runs", c_floor, None, {"quick": 1000, "full": 6000}))
    # Table 1's accuracy and K-shot exponents: fit_levels' slope interval over R runs per point (look 1 of
    # test_table_1_scaling's sequential looks: per_test / 2 a side).
    from verify.checks.test_table_1_scaling import INSTANCES as _T1

    for key, title, n, extra in (
            ("table_1_k_shot", "Table 1 K-shot exponents, paired runs (FO-MAML in K: the most skewed per-run Z)",
             16, {"reps": {"quick": 150, "full": 1500}}),
            ("table_1_accuracy", "Table 1 best-accuracy exponents, paired runs (MAML in eps)", 16,
             {"reps": {"quick": 150, "full": 1500}}),
            ("table_1_welch", "Table 1 best accuracy of FO-MAML in alpha, independent points (Welch)", 16,
             {"reps": {"quick": 400, "full": 4000},
              "pool_factor": {"quick": [20, 25, 5], "full": [100, 125, 15]}})):
        cell = TABLE_1_CELLS[key]
        params = dict(_T1["ci"][cell])
        welch = key == "table_1_welch"
        out.append(Family(key, title, "verify/checks/table_1_scaling.py fit_levels (" + (
            "Welch" if welch else "paired") + "), from test_table_1_scaling's look 1",
            f"Welch t, Welch-Satterthwaite df (runs {_runs_text(params)} per point)" if welch else "t on the paired Z, R - 1 df",
            "CLT over independent runs (delta method for the slope of log means)", n, PER_TEST["table_1"],
            TABLE_1_FIRST_LOOK, "table_1", _inst(f"{cell[0]}@{cell[1]}", params.pop("seed"), params), None,
            extra["reps"], extra={"cell": key, "is_reps": {"quick": 1000, "full": 6000},
                                  **({"pool_factor": extra["pool_factor"]} if welch else {})}))
    return out


# ---------------------------------------------------------------------- drawing replications
@dataclass
class Groups:
    """Per-replication statistics of disjoint groups of n draws: means, sds, skewness estimates (per column)."""

    mean: np.ndarray  # (reps, cols)
    sd: np.ndarray
    skew: np.ndarray
    moments: list  # per column: sample_moments of all draws
    truth: np.ndarray  # (reps, cols): leave-one-out truth per replication
    draws: int
    seconds: float
    pool: np.ndarray | None = None  # a subsample of the draws (for density estimates)


def draw_groups(sampler: Callable[[int, int], np.ndarray], n: int, reps: int, seed: int,
                keep: int = 0) -> Groups:
    """``reps`` disjoint groups of ``n`` draws from ``sampler``, summarised per group (and per column)."""
    started = time.perf_counter()
    per_call = max(1, CHUNK_DRAWS // n)
    seeds = np.random.SeedSequence(seed)
    means, sds, skews, kept = [], [], [], []
    power = None
    done = 0
    while done < reps:
        g = min(per_call, reps - done)
        child = int(seeds.spawn(1)[0].generate_state(1)[0])
        x = np.asarray(sampler(g * n, child), dtype=float)
        x = x.reshape(g * n, -1)
        cols = x.shape[1]
        grp = x.reshape(g, n, cols)
        m = grp.mean(axis=1)
        c = grp - m[:, None, :]
        v = np.einsum("gnc,gnc->gc", c, c) / (n - 1)
        m3 = np.einsum("gnc,gnc,gnc->gc", c, c, c) / n
        m2b = v * (n - 1) / n
        sk = np.where(m2b > 0, m3 / np.where(m2b > 0, m2b, 1.0) ** 1.5, 0.0)
        means.append(m)
        sds.append(np.sqrt(v))
        skews.append(sk)
        if power is None:
            centre = x.mean(axis=0)
            power = np.zeros((5, cols))
        dx = x - centre
        for p in range(5):
            power[p] += np.sum(dx ** p, axis=0)
        if keep and sum(len(k) for k in kept) < keep:
            kept.append(x[: keep - sum(len(k) for k in kept)])
        done += g
    mean = np.concatenate(means)
    total = mean.sum(axis=0)
    truth = (total[None, :] - mean) / (reps - 1)  # leave-one-out: independent of the group judged
    N = power[0]
    mom = []
    for j in range(mean.shape[1]):
        mu1 = power[1, j] / N[j]
        c2 = power[2, j] / N[j] - mu1 ** 2
        c3 = power[3, j] / N[j] - 3 * mu1 * power[2, j] / N[j] + 2 * mu1 ** 3
        c4 = (power[4, j] / N[j] - 4 * mu1 * power[3, j] / N[j] + 6 * mu1 ** 2 * power[2, j] / N[j]
              - 3 * mu1 ** 4)
        if c2 <= 1e-300 * max(1.0, abs(centre[j])) ** 2:
            mom.append(dict(mean=float(centre[j] + mu1), sd=0.0, skewness=0.0, kurtosis=0.0))
        else:
            mom.append(dict(mean=float(centre[j] + mu1), sd=math.sqrt(c2), skewness=float(c3 / c2 ** 1.5),
                            kurtosis=float(c4 / c2 ** 2 - 3)))
    return Groups(mean, np.concatenate(sds), np.concatenate(skews), mom, truth, int(N[0]),
                  time.perf_counter() - started, np.concatenate(kept) if kept else None)


# ---------------------------------------------------------------------- calibration
def rate(k: int, reps: int) -> dict:
    lo, hi = clopper_pearson(int(k), int(reps))
    return {"misses": int(k), "reps": int(reps), "rate": k / reps, "cp95": [lo, hi]}


def one_sided_bounds(mean, sd, skew, n: int, delta: float, bound: str = "t"):
    """(lower, upper) of the one-sided bounds at level delta each, vectorised over groups (and columns).

    bound "t": ``student_t``, mean -+ t s / sqrt n; bound "hall": ``skew_corrected_t``,
    mean - s hall_inverse(+-t, n, gamma) / sqrt n with gamma the group's own skewness (central moments),
    t = t_{1-delta, n-1} in both.  ``check_against_project`` compares both with the project's functions.
    """
    t = t_quantile(delta, n)
    rn = math.sqrt(n)
    if bound == "t":
        return mean - t * sd / rn, mean + t * sd / rn
    if bound == "hall":
        return mean - sd * hall_inverse(t, n, skew) / rn, mean - sd * hall_inverse(-t, n, skew) / rn
    raise ValueError(bound)


def norm_bounds(mean, sd, skew, n: int, delta: float, target, bound: str = "t"):
    """``vector_mean_norm_bound``'s (lower, upper) norm bounds and the per-coordinate box, vectorised over groups.

    Every coordinate's one-sided bounds at ``coordinate_level(delta, d)``; the lower norm bound is the
    distance from ``target`` to the box, the upper its farthest corner.  Returns (lower, upper, lo_c, hi_c).
    """
    d = mean.shape[-1]
    lo_c, hi_c = one_sided_bounds(mean, sd, skew, n, coordinate_level(delta, d), bound)
    lo, hi = lo_c - target, hi_c - target
    nearest = np.where(lo > 0, lo, np.where(hi < 0, hi, 0.0))
    farthest = np.maximum(np.abs(lo), np.abs(hi))
    return np.linalg.norm(nearest, axis=-1), np.linalg.norm(farthest, axis=-1), lo_c, hi_c


def scalar_misses(gr: Groups, n: int, delta: float, col: int = 0, bound: str = "t") -> dict:
    """Misses of the one-sided t bounds (bound "t", ``student_t``) or Hall's skewness-corrected ones
    (bound "hall", ``skew_corrected_t``) at level delta, per side, vectorised over the groups."""
    m, tr = gr.mean[:, col], gr.truth[:, col]
    lo, hi = one_sided_bounds(m, gr.sd[:, col], gr.skew[:, col], n, delta, bound)
    reps = m.size
    return {"upper": rate(int(np.sum(hi < tr)), reps), "lower": rate(int(np.sum(lo > tr)), reps),
            "mean_halfwidth": float(np.mean(hi - lo) / 2)}


def vector_misses(gr: Groups, n: int, delta: float, target: np.ndarray, bound: str = "t") -> dict:
    """Misses of ``vector_mean_norm_bound``'s norm bounds at level delta (delta/(2d) per coordinate side, its rule)."""
    d = gr.mean.shape[1]
    lower, upper, lo_c, hi_c = norm_bounds(gr.mean, gr.sd, gr.skew, n, delta, target, bound)
    true_norm = np.linalg.norm(gr.truth - target, axis=1)
    reps = gr.mean.shape[0]
    out = {"upper": rate(int(np.sum(upper < true_norm)), reps),
           "lower": rate(int(np.sum(lower > true_norm)), reps),
           "coordinates": []}
    for k in range(d):
        out["coordinates"].append({"upper": rate(int(np.sum(hi_c[:, k] < gr.truth[:, k])), reps),
                                   "lower": rate(int(np.sum(lo_c[:, k] > gr.truth[:, k])), reps)})
    return out


def _group_stats(x: np.ndarray):
    """Mean, sd (ddof 1) and skewness (central moments) of one group, per column, as ``draw_groups`` computes them."""
    x = np.asarray(x, dtype=float).reshape(x.shape[0], -1)
    n = x.shape[0]
    m = x.mean(axis=0)
    c = x - m
    v = np.einsum("nc,nc->c", c, c) / (n - 1)
    m2b = v * (n - 1) / n
    m3 = np.einsum("nc,nc,nc->c", c, c, c) / n
    sk = np.where(m2b > 0, m3 / np.where(m2b > 0, m2b, 1.0) ** 1.5, 0.0)
    return m, np.sqrt(v), sk


def check_against_project(gr_sample: np.ndarray, n: int, delta: float, kind: str, target=None) -> None:
    """The vectorised bounds above must be the project's: compare on one group of real draws.

    Scalar: ``one_sided_bounds`` against both ``student_t`` and ``skew_corrected_t``; vector:
    ``norm_bounds`` against ``vector_mean_norm_bound`` (so a change of its per-coordinate rule,
    ``coordinate_level``, is caught here before anything is counted).
    """
    x = np.asarray(gr_sample[:n], dtype=float)
    m, s, g = _group_stats(x)
    if kind == "scalar":
        for bound in ("t", "hall"):
            mb = getattr(vstats, BOUND_FN[bound])(x[:, 0], delta)
            ours = one_sided_bounds(m[0], s[0], g[0], n, delta, bound)
            assert np.allclose(ours, (mb.lower, mb.upper), rtol=1e-10, atol=1e-14), (bound, ours, mb)
    elif kind == "vector":
        _, lo, hi = vstats.vector_mean_norm_bound(x, target, delta)
        lower, upper, _, _ = norm_bounds(m, s, g, n, delta, np.asarray(target, dtype=float), "t")
        assert math.isclose(float(lower), lo, rel_tol=1e-10, abs_tol=1e-14), (lower, lo)
        assert math.isclose(float(upper), hi, rel_tol=1e-10, abs_tol=1e-14), (upper, hi)
    else:
        raise ValueError(kind)


def extrapolate(fam: Family, moments: list, signs: np.ndarray | None = None) -> dict:
    """The plain t bound's misses at the level actually used, from the measured skewness (Edgeworth and
    its exponential form; they describe ``student_t``, whichever bound the family uses).

    Scalar: per side at delta_used.  Vector: each coordinate at delta_used (= the test's delta /
    (split), split = tasks x 2 d, ``coordinate_level``); the norm's upper bound fails only if some
    coordinate misses outward (away from c: the side given by the sign of its mean; a coordinate
    whose interval straddles c could also fail it inward, which this first-order union leaves out),
    its lower bound only if one misses inward, so the union over coordinates of those sides bounds
    each norm miss (to first order); reported against the delta the test is charged for that bound
    (delta_test / tasks).
    """
    n, du = fam.n, fam.delta_used
    gammas = [m["skewness"] for m in moments]
    if fam.kind == "scalar":
        g = max(gammas, key=abs)
        e, c = edgeworth_miss(du, n, g), cramer_miss(du, n, g)
        return {"level": du, "edgeworth": {"upper": e[0], "lower": e[1]}, "cramer": {"upper": c[0], "lower": c[1]},
                "skewness_used": g}
    # vector: per coordinate
    d = len(gammas)
    per_norm = du / coordinate_level(1.0, d)  # the norm bound's level: coordinate_level inverted
    up_e = lo_e = up_c = lo_c = 0.0
    for k, g in enumerate(gammas):
        e, c = edgeworth_miss(du, n, g), cramer_miss(du, n, g)
        outward_upper = signs is None or signs[k] >= 0
        up_e += e[0] if outward_upper else e[1]
        lo_e += e[1] if outward_upper else e[0]
        up_c += c[0] if outward_upper else c[1]
        lo_c += c[1] if outward_upper else c[0]
    return {"level": per_norm, "per_coordinate_level": du, "edgeworth": {"upper": up_e, "lower": lo_e},
            "cramer": {"upper": up_c, "lower": lo_c}, "skewness_used": max(gammas, key=abs)}


# ---------------------------------------------------------------------- the samplers that need their instance
def _attach_samplers(fam: Family) -> None:
    if fam.sampler is not None:
        return
    if fam.key in ("moments_z_plus", "moments_z_minus"):
        # verify/checks/moments.py's per-draw verdict: skew_corrected_t per task (fam.used = "hall").
        fam.sampler = _moments_sampler(fam.instance, BOUND_FN[fam.used])
    elif fam.key == "moments_norm":
        fam.sampler = _moments_sampler(fam.instance, "vector_mean_norm_bound")
    elif fam.key == "lemma_4_10_bias":
        # One bound per task: calibrate the task whose draws are most skewed (a 20000-draw pilot).
        from verify.checks import expectation as E

        case = E.STAT_CASES_BY_ID[fam.instance.check]
        params = dict(fam.instance.params, draws=20000, draw_seed=1)
        calls = capture(E, "vector_mean_norm_bound",
                        lambda: E.run_instance(case, Instance(fam.instance.check, fam.instance.seed, params), 1e-3))
        skew = [max(abs(sample_moments(np.asarray(a[0])[:, j])["skewness"]) for j in range(np.asarray(a[0]).shape[1]))
                for a, _ in calls]
        fam.extra["task"] = int(np.argmax(skew))
        fam.sampler = _expectation_sampler(fam.instance, "vector_mean_norm_bound", fam.extra["task"])
    elif fam.key == "hf_maml_bias":
        fam.sampler = _bias_sampler(fam.instance)


def _vector_target(fam: Family) -> np.ndarray:
    """The point c of ||E Y - c|| that the check passes to vector_mean_norm_bound."""
    if fam.key == "moments_norm":
        from verify.checks import moments as M

        case = M.MOMENT_CASES_BY_ID[fam.instance.check]
        params = dict(fam.instance.params, draws=8)
        calls = capture(M, "vector_mean_norm_bound",
                        lambda: M.run_instance(case, Instance(fam.instance.check, fam.instance.seed, params), 1e-3))
        M._DRAWN.clear()
        return np.asarray(calls[0][0][1], dtype=float)
    return None


# ---------------------------------------------------------------------- one family
def run_family(fam: Family, quick: bool, seed: int, log=print) -> dict:
    started = time.perf_counter()
    _attach_samplers(fam)
    reps = fam.reps["quick" if quick else "full"]
    if fam.kind == "eb":
        return run_eb(fam, reps, seed, log)
    if fam.kind == "runs":
        return run_runs(fam, reps, seed, log)
    if fam.kind == "table_1":
        return run_table_1(fam, reps, seed, quick, log)
    gr = draw_groups(fam.sampler, fam.n, reps, seed, keep=POOL_KEEP)
    mode = "quick" if quick else "full"
    is_reps = max(200, min(IS_REPS[mode], IS_DRAWS[mode] // fam.n))
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1]).generate_state(1)[0])
    used, other = fam.used, OTHER[fam.used]
    sides = ("upper", "lower")
    # "measured" / "extrapolated": the bound the check uses (fam.used); "comparison": the other one, measured
    # the same way on the same draws (Hall's correction beside a t family, the plain t beside a corrected one).
    out = {"reps": reps, "draws": gr.draws, "seconds": round(gr.seconds, 2), "moments": gr.moments,
           "bound_used": used, "measured": {}, "comparison": {"bound": other}, "pool": int(gr.pool.shape[0])}
    cmp_ = out["comparison"]

    def expansions(pred: dict, bound: str, e, c=None) -> None:
        # Edgeworth and its exponential form predict the plain t bound: recorded only beside it.
        if bound == "t":
            pred["edgeworth"] = {"upper": e[0], "lower": e[1]}
            if c is not None:
                pred["cramer"] = {"upper": c[0], "lower": c[1]}

    if fam.kind == "scalar":
        # The t family of a moment display has one column per task: judge the most skewed one.
        col = int(np.argmax([abs(m["skewness"]) for m in gr.moments]))
        out["column"] = col
        check_against_project(gr.pool[:, [col]], fam.n, 1e-2, "scalar")
        pool = gr.pool[:, col]
        g = gr.moments[col]["skewness"]
        for dl in DELTAS:
            e, c = edgeworth_miss(dl, fam.n, g), cramer_miss(dl, fam.n, g)
            ism = tilted_miss(pool, fam.n, dl, is_reps // 2, rng)
            for bound, rec in ((used, out["measured"]), (other, cmp_)):
                rec[str(dl)] = scalar_misses(gr, fam.n, dl, col, bound=bound)
                pred = {"importance": {side: ism[side][bound] for side in sides}}
                expansions(pred, bound, e, c)
                rec[str(dl)]["predicted"] = pred
        plain = extrapolate(fam, [gr.moments[col]])
        ism = tilted_miss(pool, fam.n, fam.delta_used, is_reps, rng)
    else:
        target = fam.target if fam.target is not None else _vector_target(fam)
        if target is None:
            target = np.zeros(gr.mean.shape[1])
        fam.target = np.asarray(target, dtype=float)
        check_against_project(gr.pool[:fam.n], fam.n, 1e-2, "vector", fam.target)
        signs = np.sign(gr.truth.mean(axis=0) - fam.target)
        d = gr.mean.shape[1]
        for dl in DELTAS:
            # The plain t's per-coordinate misses, outward / inward, added over coordinates (a union).
            union = [0.0, 0.0]
            for k, m in enumerate(gr.moments):
                e = edgeworth_miss(coordinate_level(dl, d), fam.n, m["skewness"])
                outward = signs[k] >= 0
                union[0] += e[0] if outward else e[1]
                union[1] += e[1] if outward else e[0]
            ism = tilted_norm_miss(gr.pool, fam.target, fam.n, dl, is_reps // 2, rng)
            for bound, rec in ((used, out["measured"]), (other, cmp_)):
                rec[str(dl)] = vector_misses(gr, fam.n, dl, fam.target, bound=bound)
                pred = {"importance": {side: ism[side][bound] for side in sides}}
                expansions(pred, bound, union)
                rec[str(dl)]["predicted"] = pred
        plain = extrapolate(fam, gr.moments, signs)
        # The norm bound at the test's level: delta_test / tasks (delta_used per coordinate side).
        ism = tilted_norm_miss(gr.pool, fam.target, fam.n, plain["level"], is_reps, rng)
    level = plain["level"]
    ex = {k: v for k, v in plain.items() if k not in ("edgeworth", "cramer")}
    ex["bound_used"] = used
    ex["importance"] = {side: ism[side][used] for side in sides}
    ex["importance_se"] = {side: ism[side][used + "_se"] for side in sides}
    cmp_["importance_at_used"] = {side: ism[side][other] for side in sides}
    cmp_["importance_at_used_se"] = {side: ism[side][other + "_se"] for side in sides}
    # The expansions describe the plain t bound: with the extrapolation when t is used, else the comparison.
    (ex if used == "t" else cmp_).update({"edgeworth": plain["edgeworth"], "cramer": plain["cramer"]})
    out["extrapolated"] = ex
    worst = max(gr.moments, key=lambda m: abs(m["skewness"]))["skewness"]
    cmp_["plain_t_n_needed"] = plain_t_n_needed(fam.delta_used, worst)
    cmp_["reasons"] = flag_reasons({dl: cmp_[str(dl)] for dl in map(str, DELTAS)},
                                   {"level": level, "importance": cmp_["importance_at_used"],
                                    **({k: cmp_[k] for k in ("edgeworth", "cramer") if k in cmp_})})
    cmp_["verdict"] = "flagged" if cmp_["reasons"] else "calibrated"
    out["seconds"] = round(time.perf_counter() - started, 2)
    out["verdict"] = verdict_of(fam, out)
    log(f"{fam.key}: {out['verdict']} ({out['seconds']} s, {reps} reps of n = {fam.n})")
    return out


def flag_reasons(measured: dict, ex: dict | None) -> list[str]:
    """Why a bound is flagged: any side's measured rate or extrapolated rate above FLAG_FACTOR x its delta.

    The measured rate counts only where the replications resolve it: its CP interval lies above
    FLAG_FACTOR x delta (a significant excess), not merely its point estimate.  The extrapolation
    decides by its importance-sampled rate where there is one (validated against the direct counts
    at the resolvable levels), by the fixed-n tail limit for runs; the distribution-free bound
    has neither (its extrapolation is its theorem).
    """
    reasons = []
    for dl, m in (measured or {}).items():
        for side in ("upper", "lower"):
            if m[side]["cp95"][0] > FLAG_FACTOR * float(dl):
                reasons.append(f"measured {side} miss at {dl}")
    if ex:
        level = ex["level"]
        if "importance" in ex:
            for side in ("upper", "lower"):
                worst = ex["importance"][side]
                if worst > FLAG_FACTOR * level:
                    more = ""
                    if "edgeworth" in ex:
                        more = (f" (Edgeworth {ex['edgeworth'][side] / level:.2g} x, exp form "
                                f"{ex['cramer'][side] / level:.2g} x)")
                    reasons.append(f"extrapolated {side} miss {worst / level:.2g} x delta{more}")
        elif "fixed_n" in ex:
            for side in ("upper", "lower"):
                if ex["fixed_n"][side] > FLAG_FACTOR:
                    reasons.append(f"fixed-n tail ratio {side} {ex['fixed_n'][side]:.2g}")
    return reasons


def verdict_of(fam: Family, out: dict) -> str:
    """calibrated / flagged, for the bound the family's check uses (``flag_reasons``)."""
    out["reasons"] = flag_reasons(out.get("measured", {}), out.get("extrapolated"))
    return "flagged" if out["reasons"] else "calibrated"


# ---------------------------------------------------------------------- sequential empirical Bernstein
def run_eb(fam: Family, reps: int, seed: int, log=print) -> dict:
    """Lemma 4.9's sequential decision: misses of its bounds at ANY look (n0, 2 n0, ... cap) per replication.

    Counting a miss at any look, whether or not the procedure would have stopped there, bounds the
    miss rate of the procedure as run (it stops at some look).  The draw function is the check's own
    (``beta_tilde_draws`` on the instance), captured from ``run_lemma_4_9``.
    """
    from verify.checks import expectation as E

    started = time.perf_counter()
    case = E.STAT_CASES_BY_ID[fam.instance.check]
    calls = capture(E, "sequential_decision", lambda: E.run_instance(case, fam.instance, 1e-3))
    args, kw = calls[0]
    draw, a, b = args[0], kw["a"], kw["b"]
    n0, cap = kw["n0"], kw["cap"]
    looks = []
    k = n0
    while True:
        looks.append(k)
        if k >= cap:
            break
        k *= 2
    X = np.concatenate([np.asarray(draw(min(CHUNK_DRAWS // cap, reps - r) * cap), dtype=float)
                        for r in range(0, reps, CHUNK_DRAWS // cap)]).reshape(reps, cap)
    # An independent sample for the truth: its error is ~1e-3 of one look's width.
    big = np.concatenate([np.asarray(draw(CHUNK_DRAWS), dtype=float) for _ in range(10)])
    truth = float(big.mean())
    mom = sample_moments(big)
    out = {"reps": reps, "draws": reps * cap + big.size, "moments": [mom], "looks": looks, "range": [a, b],
           "measured": {}, "truth": truth}
    for dl in DELTAS:
        up = lo = 0
        up_t = lo_t = 0
        for r in range(reps):
            miss_u = miss_l = miss_ut = miss_lt = False
            for j, m in enumerate(looks):
                x = X[r, :m]
                eb = vstats.empirical_bernstein(x, a, b, dl / 2 ** (j + 1))
                miss_u |= eb.upper < truth
                miss_l |= eb.lower > truth
                tb = vstats.student_t(x, dl / 2 ** (j + 1))
                miss_ut |= tb.upper < truth
                miss_lt |= tb.lower > truth
            up += miss_u
            lo += miss_l
            up_t += miss_ut
            lo_t += miss_lt
        out["measured"][str(dl)] = {"upper": rate(up, reps), "lower": rate(lo, reps),
                                    "student_t_same_looks": {"upper": rate(up_t, reps), "lower": rate(lo_t, reps)}}
    # The cost of the guarantee: the width of EB against t at the first look, at the level used.
    du = fam.delta_used / 2
    x = X[0, :n0]
    eb, tb = vstats.empirical_bernstein(x, a, b, du), vstats.student_t(x, du)
    out["width_ratio_eb_over_t_first_look"] = (eb.upper - eb.lower) / max(tb.upper - tb.lower, 1e-300)
    out["extrapolated"] = {"level": fam.delta_used, "edgeworth": {"upper": 0.0, "lower": 0.0},
                           "cramer": {"upper": 0.0, "lower": 0.0},
                           "note": "distribution-free: at most delta whenever beta~ lies in its certified range"}
    out["seconds"] = round(time.perf_counter() - started, 2)
    out["verdict"] = verdict_of(fam, out)
    # The bound is distribution-free: its extrapolation is the theorem, not an expansion.
    log(f"{fam.key}: {out['verdict']} ({out['seconds']} s, {reps} reps of up to n = {cap})")
    return out


# ---------------------------------------------------------------------- t over independent runs
def run_runs(fam: Family, reps: int, seed: int, log=print) -> dict:
    """The t bound over R runs at the checkpoints where convergence.judge decides, on R x reps runs.

    The runs are advanced in lockstep (``table_1_scaling.Lockstep``, one vectorised iteration of
    ``algorithms.run`` for every run, tested equal to it draw for draw); ||grad F(w_k)|| at the
    instance's checkpoints is the run's value, each group of R runs one replication of
    ``convergence.judge``'s bound at that checkpoint.
    """
    from verify.checks.convergence import CONVERGENCE_CASES_BY_ID, build_setup, checkpoints
    from verify.checks.table_1_scaling import Lockstep

    started = time.perf_counter()
    case = CONVERGENCE_CASES_BY_ID[fam.instance.check]
    s = build_setup(case, fam.instance)
    b = s.batches
    ls = Lockstep(case.algorithm, s.family, s.alpha, B=b["B"], D_in=b["D_in"], D_o=b["D_o"], D_h=b["D_h"],
                  B_prime=b["B_prime"], D_beta=b["D_beta"], stepsize_factor=float(s.bound.settings["stepsize_factor"]),
                  delta=s.delta if case.algorithm == "hf_maml" else None)
    R = fam.n
    total = R * reps
    rng = np.random.default_rng(np.random.SeedSequence(seed).generate_state(1)[0])
    grid = [int(k) for k in checkpoints(s.T) if 0 < k <= min(s.T, fam.extra.get("max_k", s.T))]
    W = np.tile(s.w0, (total, 1))
    values = {}
    k = 0
    for target in grid:
        while k < target:
            W = ls.step(W, rng)
            k += 1
        values[target] = ls.grad_F_norms(W)
    K = len(checkpoints(s.T))
    out = {"reps": reps, "draws": total, "T": s.T, "checkpoints": grid, "runs_per_verdict": R,
           "measured": {}, "per_checkpoint": {}}
    worst = None
    for kk, x in values.items():
        mom = sample_moments(x)
        grp = x.reshape(reps, R)
        m, sd = grp.mean(axis=1), grp.std(axis=1, ddof=1)
        truth = (x.sum() - grp.sum(axis=1)) / (total - R)
        rec = {"moments": mom, "measured": {}}
        for dl in DELTAS:
            t = t_quantile(dl, R)
            rec["measured"][str(dl)] = {"upper": rate(int(np.sum(m + t * sd / math.sqrt(R) < truth)), reps),
                                        "lower": rate(int(np.sum(m - t * sd / math.sqrt(R) > truth)), reps)}
        ratios = [fixed_n_tail_ratio(x, R, f) for f in (0.5, 1.0, 2.0)]
        rec["fixed_n_tail_ratio"] = {"upper": [r[0] for r in ratios], "lower": [r[1] for r in ratios]}
        out["per_checkpoint"][str(kk)] = rec
        if worst is None or abs(mom["skewness"]) > abs(out["per_checkpoint"][str(worst)]["moments"]["skewness"]):
            worst = kk
    w = out["per_checkpoint"][str(worst)]
    out["worst_checkpoint"] = worst
    out["moments"] = [w["moments"]]
    out["measured"] = w["measured"]
    # Pooled over every checkpoint (each checkpoint's groups are replications of its own bound).
    pooled = {}
    for dl in DELTAS:
        for side in ("upper", "lower"):
            k_ = sum(out["per_checkpoint"][str(c)]["measured"][str(dl)][side]["misses"] for c in grid)
            pooled.setdefault(str(dl), {})[side] = rate(k_, reps * len(grid))
    out["pooled_over_checkpoints"] = pooled
    # Silverman's bandwidth (the middle one) decides; h/2 and 2h show how much the estimate depends on it.
    fixed = {side: max(out["per_checkpoint"][str(c)]["fixed_n_tail_ratio"][side][1] for c in grid)
             for side in ("upper", "lower")}
    out["fixed_n_bandwidth_range"] = {side: [min(min(out["per_checkpoint"][str(c)]["fixed_n_tail_ratio"][side])
                                                 for c in grid),
                                             max(max(out["per_checkpoint"][str(c)]["fixed_n_tail_ratio"][side])
                                                 for c in grid)] for side in ("upper", "lower")}
    du = fam.delta_test / K
    out["extrapolated"] = {"level": du, "edgeworth": {"upper": du * fixed["upper"], "lower": du * fixed["lower"]},
                           "cramer": {"upper": du * fixed["upper"], "lower": du * fixed["lower"]},
                           "fixed_n": fixed,
                           "note": "n = 10 runs: the fixed-n tail limit (largest over checkpoints, Silverman's "
                                   "bandwidth), not an expansion in 1/sqrt n"}
    out["seconds"] = round(time.perf_counter() - started, 2)
    out["verdict"] = verdict_of(fam, out)
    log(f"{fam.key}: {out['verdict']} ({out['seconds']} s, {reps} reps of R = {R} runs, {len(grid)} checkpoints)")
    return out


# ---------------------------------------------------------------------- Table 1 slope fits over runs
# The Table 1 cells calibrated (``verify/checks/test_table_1_scaling.py``'s ci instances, run seed 0): the most
# skewed per-run Z of the paired cells (FO-MAML's K-shot accuracy, skewness about +0.6), the best-accuracy
# column's paired cell in eps (MAML), and the one cell decided by Welch (FO-MAML in alpha, independent points).
TABLE_1_CELLS = {"table_1_k_shot": ("table_1_fo_maml_k_shot", "K"),
                 "table_1_accuracy": ("table_1_maml_best_accuracy", "epsilon"),
                 "table_1_welch": ("table_1_fo_maml_best_accuracy", "alpha")}
# ``_measure_until_decided``: look 1 computes the interval at per_test / 2 (each side); the ci run decides
# every Table 1 cell at look 1 (later looks spend per_test / 4, / 8 with twice the runs).
TABLE_1_FIRST_LOOK = 2


def table_1_setup(key: str, seed_run: int = 0) -> dict:
    """The cell's grid as ``table_1_scaling.measure`` builds it: points, family per point, paired or not."""
    from verify.checks import table_1_scaling as T
    from verify.checks.instances import mix_seed
    from verify.checks.test_table_1_scaling import INSTANCES

    bound_id, var = TABLE_1_CELLS[key]
    from bounds import BOUNDS

    params = dict(INSTANCES["ci"][(bound_id, var)])
    seed = mix_seed(seed_run, params.pop("seed"))
    params.setdefault("family_seed", int(np.random.SeedSequence([int(seed), 0]).generate_state(1)[0]))
    bound = BOUNDS[bound_id]
    column = T.column_of(bound)
    variable = params.get("variable", bound.settings["in"].name)
    points = T.k_shot_points(bound.algorithm, params) if column == "k_shot" else \
        T.accuracy_points(bound.algorithm, params, variable)
    paired = (len({(p.batches["B"], p.batches["B_prime"]) for p in points}) == 1
              and not params.get("runs_by_point"))
    fam0 = T._family_at(params)
    fams = [T._family_at(params, sigma=p.x) if variable == "sigma" else fam0 for p in points]
    runs = [int(T._per_point(params, "runs", j)) for j in range(len(points))]
    return {"T": T, "bound_id": bound_id, "variable": variable, "params": params, "seed": seed, "points": points,
            "families": fams, "paired": paired, "runs": runs, "algorithm": bound.algorithm,
            "x": [p.x for p in points], "c": T._design([p.x for p in points])}


def table_1_pool(setup: dict, sizes: list[int], seed: int) -> list[np.ndarray]:
    """Per-run levels at every point, ``sizes[j]`` runs (``table_1_scaling.measure_level``, the check's own
    function, vectorised over runs).  Paired cells: every point from one seed, as ``run_levels`` does, so row r
    of every point is one paired run; unpaired: a seed per point."""
    T, params = setup["T"], setup["params"]
    out = []
    for j, (p, fam) in enumerate(zip(setup["points"], setup["families"])):
        rng = np.random.default_rng([int(seed), 1, 0 if setup["paired"] else j])
        y, _, _ = T.measure_level(setup["algorithm"], fam, p.alpha, dict(p.batches), int(sizes[j]),
                                  float(params["burn"]), float(T._per_point(params, "window", j)), rng)
        out.append(y)
    return out


def slope_bounds(groups: list[np.ndarray], c: np.ndarray, delta: float, paired: bool):
    """``fit_levels``'s (slope, lower, upper), vectorised over replications: groups[j] is (G, R_j)."""
    means = np.stack([g.mean(axis=1) for g in groups], axis=1)  # (G, J)
    slope = np.log(means) @ c
    if paired:
        R = groups[0].shape[1]
        Z = np.einsum("j,gjr->gr", c, np.stack(groups, axis=1) / means[:, :, None])
        se, df = Z.std(axis=1, ddof=1) / math.sqrt(R), np.full(means.shape[0], float(R - 1))
    else:
        a = np.stack([cj * cj * g.var(axis=1, ddof=1) / (g.shape[1] * means[:, j] ** 2)
                      for j, (cj, g) in enumerate(zip(c, groups))], axis=1)
        dfs = np.array([g.shape[1] - 1 for g in groups], dtype=float)
        se = np.sqrt(a.sum(axis=1))
        live = a > 0
        denom = np.sum(np.where(live, a * a / dfs, 0.0), axis=1)
        df = np.where(denom > 0, a.sum(axis=1) ** 2 / np.where(denom > 0, denom, 1.0), np.inf)
    h = np.where(se > 0, stats.t.ppf(1.0 - delta, df) * se, 0.0)
    return slope, slope - h, slope + h


def _slope_check(setup: dict, pool: list[np.ndarray], delta: float) -> None:
    """The vectorised fit against ``table_1_scaling.fit_levels`` on one group of real runs."""
    groups = [y[:r] for y, r in zip(pool, setup["runs"])]
    ours = slope_bounds([g[None, :] for g in groups], setup["c"], delta, setup["paired"])
    theirs = setup["T"].fit_levels(setup["x"], groups, delta, paired=setup["paired"])
    for a, b in zip(ours, (theirs.exponent, theirs.lower, theirs.upper)):
        if not math.isclose(float(a[0]), b, rel_tol=1e-9, abs_tol=1e-12):
            raise AssertionError(f"vectorised slope bounds {[float(v[0]) for v in ours]} disagree with fit_levels "
                                 f"{theirs.exponent, theirs.lower, theirs.upper}")


def _slope_misses(lo, hi, truth) -> tuple[np.ndarray, np.ndarray]:
    return hi < truth, lo > truth  # upper misses (a false *holds* side), lower misses


def tilted_slope_miss(setup: dict, pool: list[np.ndarray], delta: float, reps: int,
                      rng: np.random.Generator) -> dict:
    """Miss rates of ``fit_levels``'s slope bounds at any delta, by importance sampling on the pool.

    The world is the pool's empirical distribution (paired: rows of J levels; unpaired: each point's
    runs), its true slope the pool's log-mean slope.  The slope's first-order error is the linear
    statistic L = sum_j c_j (mean_j - mu_j) / mu_j; each run is drawn from the pool tilted by
    exp(theta s / R_j), s its score (paired: s_r = sum_j c_j Y[j, r] / mu_j; unpaired: c_j y / mu_j),
    theta chosen so the tilted L sits on the bound's boundary (-+ t SE), and the full statistic (log
    means, its own SE and degrees of freedom, as ``fit_levels``) is computed on every tilted group and
    weighted by the likelihood ratio: unbiased for the actual bound, not only its linearisation.
    """
    from scipy import optimize

    c, paired, runs = setup["c"], setup["paired"], setup["runs"]
    mu = np.array([y.mean() for y in pool])
    truth = float(np.log(mu) @ c)
    if paired:
        rows = np.stack(pool, axis=1)  # (N, J)
        blocks = [(rows, rows @ (c / mu), runs[0])]
    else:
        blocks = [(y[:, None], cj * y / m, r) for y, cj, m, r in zip(pool, c, mu, runs)]
    var_L = sum(float(s.var()) / r for _, s, r in blocks)
    if paired:
        df = float(runs[0] - 1)
    else:
        a = [float(s.var()) / r for _, s, r in blocks]
        df = sum(a) ** 2 / sum(v * v / (r - 1) for v, (_, _, r) in zip(a, blocks) if v > 0)
    t = float(stats.t.ppf(1.0 - delta, df))
    out = {"truth": truth, "df": df}
    for side, target in (("upper", -t * math.sqrt(var_L)), ("lower", t * math.sqrt(var_L))):
        def tilted(theta):
            tot = 0.0
            for _, s, r in blocks:
                a_ = theta * s / r
                e = np.exp(a_ - a_.max())
                tot += float(np.sum(s * e) / np.sum(e))
            return tot - target
        # theta s / R_j of order one per standard deviation of s at the bracket's ends: tilts far past any t.
        scale = max(r / float(s.std()) for _, s, r in blocks if s.std() > 0)
        lo_, hi_ = -50.0 * scale, 50.0 * scale
        theta = optimize.brentq(tilted, lo_, hi_) if tilted(lo_) * tilted(hi_) < 0 else 0.0
        cdfs, logm = [], 0.0
        for _, s, r in blocks:
            a_ = theta * s / r
            top = float(a_.max())
            logm += r * (top + math.log(float(np.sum(np.exp(a_ - top)))) - math.log(s.size))
            cdf = np.cumsum(np.exp(a_ - top))
            cdfs.append(cdf / cdf[-1])
        w_all = []
        per = max(1, 2_000_000 // sum(r for _, _, r in blocks))
        done = 0
        while done < reps:
            g = min(per, reps - done)
            groups, score = [], np.zeros(g)
            for (vals, s, r), cdf in zip(blocks, cdfs):
                idx = np.minimum(np.searchsorted(cdf, rng.random((g, r))), s.size - 1)
                score += s[idx].sum(axis=1) / r
                groups.append(vals[idx])  # (g, r, cols)
            if paired:
                grp = [groups[0][:, :, j] for j in range(len(pool))]
            else:
                grp = [gj[:, :, 0] for gj in groups]
            _, lo, hi = slope_bounds(grp, c, delta, paired)
            up, low = _slope_misses(lo, hi, truth)
            w = np.exp(logm - theta * score)
            w_all.append(w * (up if side == "upper" else low))
            done += g
        w = np.concatenate(w_all)
        out[side] = float(w.mean())
        out[side + "_se"] = float(w.std() / math.sqrt(reps))
        out[side + "_theta"] = float(theta)
    return out


def run_table_1(fam: Family, reps: int, seed: int, quick: bool, log=print) -> dict:
    """Table 1's slope intervals (``table_1_scaling.fit_levels``) over R runs per point, on pools of the cell's runs.

    Paired cells: reps x R runs per point (rows paired as in the check), cut into disjoint groups of R;
    each group's interval is counted against the leave-one-out truth (the log-mean slope of all other
    groups).  Unpaired (Welch) cells: a pool of ``pool_factor`` x R_j runs per point, groups of R_j
    resampled from it (the pool's empirical world, truth its log-mean slope): direct runs for every
    replication would cost hours at the B = 318 point.  At every level also the importance-sampled
    rate (``tilted_slope_miss``), which at the used level is the extrapolation.
    """
    started = time.perf_counter()
    setup = table_1_setup(fam.extra["cell"])
    c, paired, runs = setup["c"], setup["paired"], setup["runs"]
    rng = np.random.default_rng(np.random.SeedSequence([seed, 2]).generate_state(1)[0])
    if paired:
        R = runs[0]
        pool = table_1_pool(setup, [R * reps] * len(runs), seed)
    else:
        factor = fam.extra["pool_factor"]["quick" if quick else "full"]
        pool = table_1_pool(setup, [r * f for r, f in zip(runs, factor)], seed)
    pool_s = round(time.perf_counter() - started, 2)
    _slope_check(setup, pool, 1e-2)
    mu = np.array([y.mean() for y in pool])
    pool_truth = float(np.log(mu) @ c)
    if paired:
        Z = np.stack(pool, axis=1) @ (c / mu)
        groups = [y.reshape(reps, R) for y in pool]
        sums = np.stack([y.sum() for y in pool])
        loo = np.stack([(s - g.sum(axis=1)) / (y.size - R) for s, g, y in zip(sums, groups, pool)], axis=1)
        truth = np.log(loo) @ c
        moments = sample_moments(Z)
        # The fixed-n tail limit of the t bound on Z's mean (as for the runs families at R = 10): the IS tilt
        # moves the mean only, and at R = 16 the far tail of the t statistic also comes from small s.
        fixed = [fixed_n_tail_ratio(Z, R, f) for f in (0.5, 1.0, 2.0)]
        extra_info = {"fixed_n_tail_ratio": {"upper": [f[0] for f in fixed], "lower": [f[1] for f in fixed]}}
    else:
        idx = [rng.integers(0, y.size, (reps, r)) for y, r in zip(pool, runs)]
        groups = [y[i] for y, i in zip(pool, idx)]
        truth = np.full(reps, pool_truth)
        # The slope's per-point scores: the most skewed point's (a nonzero weight) describes the shape.
        moments = max((sample_moments(cj * y / m) for cj, y, m in zip(c, pool, mu) if cj != 0),
                      key=lambda mm: abs(mm["skewness"]))
        extra_info = {"point_moments": [sample_moments(y) for y in pool]}
    is_reps = fam.extra["is_reps"]["quick" if quick else "full"]
    out = {"reps": reps, "draws": int(sum(y.size for y in pool)), "runs_per_point": runs, "paired": paired,
           "cell": setup["bound_id"] + "@" + setup["variable"], "pool_seconds": pool_s, "pool_sizes":
           [int(y.size) for y in pool], "truth": pool_truth, "moments": [moments], "measured": {}, **extra_info}
    for dl in DELTAS:
        _, lo, hi = slope_bounds(groups, c, dl, paired)
        up, low = _slope_misses(lo, hi, truth)
        ism = tilted_slope_miss(setup, pool, dl, is_reps // 2, rng)
        out["measured"][str(dl)] = {"upper": rate(int(up.sum()), reps), "lower": rate(int(low.sum()), reps),
                                    "predicted": {"importance": {s: ism[s] for s in ("upper", "lower")}}}
    level = fam.delta_used
    ism = tilted_slope_miss(setup, pool, level, is_reps, rng)
    out["extrapolated"] = {"level": level, "importance": {s: ism[s] for s in ("upper", "lower")},
                           "importance_se": {s: ism[s + "_se"] for s in ("upper", "lower")}, "df": ism["df"],
                           "bound_used": "t"}
    # Welch: the exponential (Cramer-type) form from the skewness of the slope's linear statistic L, a
    # cross-check of the importance sampling (t ~ 5 against n_j of 48-128 runs).  Not for the paired cells:
    # at R = 16 and t ~ 8 it is far outside its range (t = o(n^1/6)); the fixed-n tail limit applies there.
    if not paired:
        k2 = [cj * cj * m["sd"] ** 2 / (mj * mj * r) for cj, m, mj, r in zip(c, out["point_moments"], mu, runs)]
        k3 = [cj ** 3 * m["skewness"] * m["sd"] ** 3 / (mj ** 3 * r * r)
              for cj, m, mj, r in zip(c, out["point_moments"], mu, runs)]
        gamma_l = sum(k3) / sum(k2) ** 1.5
        t_used = float(stats.t.ppf(1.0 - level, ism["df"]))
        e = gamma_l * t_used ** 3 / 3
        out["extrapolated"]["slope_skewness"] = gamma_l
        out["extrapolated"]["cramer"] = {"upper": level * math.exp(e), "lower": level * math.exp(-e)}
    if paired:
        out["extrapolated"]["fixed_n"] = {s: out["fixed_n_tail_ratio"][s][1] for s in ("upper", "lower")}
    out["seconds"] = round(time.perf_counter() - started, 2)
    out["verdict"] = verdict_of(fam, out)
    if paired:  # decided by the worse of the two extrapolations
        out["reasons"] += [f"fixed-n tail ratio {s} {out['extrapolated']['fixed_n'][s]:.2g}"
                           for s in ("upper", "lower") if out["extrapolated"]["fixed_n"][s] > FLAG_FACTOR]
        out["verdict"] = "flagged" if out["reasons"] else "calibrated"
    log(f"{fam.key}: {out['verdict']} ({out['seconds']} s, pool {out['pool_sizes']} runs, {reps} reps)")
    return out


# ---------------------------------------------------------------------- report
def _fmt_rate(x: dict) -> str:
    lo, hi = x["cp95"]
    return f"{x['rate']:.2g} [{lo:.2g}, {hi:.2g}]"


def _cell(text: str) -> str:
    """A table cell: the norm bars of ||x|| escaped, which would otherwise end the cell."""
    return text.replace("|", "\\|")


def _x(v: float, level: float) -> str:
    return f"{v / level:.2g}x"


def _used_cell(fam: Family, level: float) -> str:
    """The per-test delta and the level each bound of the family is computed at."""
    if fam.kind == "runs":
        return f"{fam.delta_test:.2g} ({level:.2g} per checkpoint)"
    if fam.kind == "table_1":
        return f"{fam.delta_test:.2g} ({level:.2g} a side at look 1)"
    if fam.kind == "vector":
        return f"{fam.delta_test:.2g} ({level:.2g} per norm, {fam.delta_used:.2g} per coordinate side)"
    return f"{fam.delta_test:.2g} ({fam.delta_used:.2g})"


def _n_cell(fam: Family) -> str:
    if fam.kind == "runs":
        return f"{fam.n} (R runs)"
    if fam.kind == "eb":
        return f"{fam.n} (400 to 6400, looks)"
    if fam.kind == "table_1":
        return f"R = {_runs_text(fam.instance.params)} runs per point" if fam.extra.get("pool_factor") else \
            f"R = {fam.n} paired runs"
    return str(fam.n)


def _pair_x(d: dict, level: float) -> str:
    return f"{_x(d['upper'], level)} / {_x(d['lower'], level)}"


def markdown(results: dict, fams: list[Family]) -> str:
    """The main table of docs/coverage.md: every family, calibrated with the bound its check uses."""
    lines = ["| verdict family | where in the code | bound | assumption | n | per-test delta (per bound) | "
             "measured miss at 1e-2, upper / lower [CP 95%] | at 1e-3, upper / lower [CP 95%] | "
             "skewness / excess kurtosis | extrapolated miss at the used delta, upper / lower: importance "
             "sampling (t: Edgeworth; exp form. Corrected t: the plain t's importance-sampled rate) | verdict |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for fam in fams:
        r = results.get(fam.key)
        if r is None:
            continue
        m2, m3 = r["measured"][str(DELTAS[0])], r["measured"][str(DELTAS[1])]
        ex = r["extrapolated"]
        level = ex["level"]
        if fam.kind == "runs":
            fx = ex["fixed_n"]
            rng_ = r.get("fixed_n_bandwidth_range", {})
            extr = (f"fixed-n tail limit {fx['upper']:.2g} / {fx['lower']:.2g} x delta (bandwidths h/2..2h: "
                    f"{rng_.get('upper', [0, 0])[0]:.2g}-{rng_.get('upper', [0, 0])[1]:.2g} / "
                    f"{rng_.get('lower', [0, 0])[0]:.2g}-{rng_.get('lower', [0, 0])[1]:.2g})")
        elif fam.kind == "eb":
            extr = "<= delta (distribution-free, range certified)"
        elif fam.kind == "table_1":
            extr = _table_1_extrapolation(r, level)
        elif r.get("bound_used", "t") == "t":
            extr = f"{_pair_x(ex['importance'], level)} ({_pair_x(ex['edgeworth'], level)}; {_pair_x(ex['cramer'], level)})"
        else:
            extr = f"{_pair_x(ex['importance'], level)} (plain t: {_pair_x(r['comparison']['importance_at_used'], level)})"
        mom = max(r["moments"], key=lambda x: abs(x["skewness"]))
        lines.append(f"| {_cell(fam.title)} | {_cell(fam.where)} | {_cell(fam.bound)} | {_cell(fam.assumption)} | "
                     f"{_n_cell(fam)} | {_used_cell(fam, level)} | "
                     f"{_fmt_rate(m2['upper'])} / {_fmt_rate(m2['lower'])} | "
                     f"{_fmt_rate(m3['upper'])} / {_fmt_rate(m3['lower'])} | "
                     f"{mom['skewness']:+.2f} / {mom['kurtosis']:+.2f} | {extr} | **{r['verdict']}** |")
    return "\n".join(lines)


def validation_markdown(results: dict, fams: list[Family]) -> str:
    """Direct counts against the extrapolations, at the levels the counts resolve.

    Every family's bound as used; beside a skewness-corrected family also the plain t bound it
    replaced (whose importance-sampled rate at the used level is the reason for the switch).  The
    expansions predict the plain t bound only ("-" beside the corrected one)."""
    lines = ["| family | bound | delta | side | direct count [CP 95%] | importance sampling | Edgeworth | exp form |",
             "|---|---|---|---|---|---|---|---|"]
    for fam in fams:
        r = results.get(fam.key)
        if r is None or fam.kind not in ("scalar", "vector", "table_1"):
            continue
        recs = [(r.get("bound_used", "t"), r["measured"])]
        if r.get("bound_used", "t") != "t":
            recs.append(("t", r["comparison"]))
        for bound, rec in recs:
            for dl in DELTAS:
                m = rec[str(dl)]
                pred = m["predicted"]
                for side in ("upper", "lower"):
                    ed = pred.get("edgeworth", {}).get(side)
                    cr = pred.get("cramer", {}).get(side)
                    lines.append(f"| {fam.key} | {bound} | {dl:g} | {side} | {_fmt_rate(m[side])} | "
                                 f"{pred['importance'][side]:.2g} | {'-' if ed is None else f'{ed:.2g}'} | "
                                 f"{'-' if cr is None else f'{cr:.2g}'} |")
    return "\n".join(lines)


def comparison_markdown(results: dict, fams: list[Family]) -> str:
    """The other bound of every t family, measured like the one used: Hall's correction beside the t
    families (a candidate), the plain t beside the corrected families (the bound they replaced)."""
    lines = ["| family | bound used: verdict | other bound: verdict | other: miss at 1e-2, upper / lower [CP 95%] | "
             "at 1e-3 | other at the used delta (importance sampling), upper / lower | plain t at the used delta: "
             "Edgeworth; exp form | plain t: n for <= 2 delta at the used delta, Edgeworth / exp form (n now) |",
             "|---|---|---|---|---|---|---|---|"]
    for fam in fams:
        r = results.get(fam.key)
        if r is None or not r.get("comparison"):
            continue
        cm = r["comparison"]
        a, b = cm[str(DELTAS[0])], cm[str(DELTAS[1])]
        level = r["extrapolated"]["level"]
        src = r["extrapolated"] if "edgeworth" in r["extrapolated"] else cm
        need = cm["plain_t_n_needed"]
        lines.append(f"| {fam.key} | {r['bound_used']}: {r['verdict']} | {cm['bound']}: {cm['verdict']} | "
                     f"{_fmt_rate(a['upper'])} / {_fmt_rate(a['lower'])} | "
                     f"{_fmt_rate(b['upper'])} / {_fmt_rate(b['lower'])} | "
                     f"{_pair_x(cm['importance_at_used'], level)} | "
                     f"{_pair_x(src['edgeworth'], level)}; {_pair_x(src['cramer'], level)} | "
                     f"{need['edgeworth']} / {need['exp_form']} ({fam.n}) |")
    return "\n".join(lines)


# Summary rows of the verdicts that are not calibrated here (the inventory of docs/coverage.md).
SUMMARY_NOT_CALIBRATED = [
    ("Table 1 accuracy and K-shot exponents (`table_1_scaling.fit_levels`)", "t (paired, R - 1 df) or Welch",
     "CLT over R = 16 runs (delta method for the slope)",
     "not measured here: tests/test_table_1_scaling_machinery.py checks two-sided coverage >= 0.93 at nominal "
     "0.95 on skewed synthetic levels"),
    ("exact verdicts (equality cases, two-point enumerations, closed forms)", "exact", "none (rounding tolerance)",
     "0 (nothing is sampled)"),
]


def _table_1_extrapolation(r: dict, level: float) -> str:
    """Table 1's figures at the used level: importance sampling (+- SE), and the fixed-n tail limit (paired)."""
    ex = r["extrapolated"]
    se = ex["importance_se"]
    text = (f"{_x(ex['importance']['upper'], level)} +- {_x(se['upper'], level)} / "
            f"{_x(ex['importance']['lower'], level)} +- {_x(se['lower'], level)} (importance sampling")
    if "cramer" in ex:
        text += f"; exp form {_pair_x(ex['cramer'], level)} at the slope's skewness {ex['slope_skewness']:+.2g}"
    if "fixed_n" in ex:
        fx, rng_ = ex["fixed_n"], r["fixed_n_tail_ratio"]
        text += (f"; fixed-n tail limit {fx['upper']:.2g}x / {fx['lower']:.2g}x, bandwidths h/2..2h "
                 f"{min(rng_['upper']):.2g}-{max(rng_['upper']):.2g} / {min(rng_['lower']):.2g}-{max(rng_['lower']):.2g}")
    return text + ")"


def summary_markdown(results: dict, fams: list[Family]) -> str:
    """The compact table: family | bound | assumption | miss at the used level as a multiple of delta."""
    lines = ["| verdict family | bound | assumption | measured coverage: miss at the used level, upper / lower "
             "(x delta) |", "|---|---|---|---|"]
    short = {"t": "t", "hall": "skew-corrected t"}
    for fam in fams:
        r = results.get(fam.key)
        if r is None:
            continue
        ex = r["extrapolated"]
        level = ex["level"]
        if fam.kind == "runs":
            bound, cov = "t (over runs)", (f"{ex['fixed_n']['upper']:.2g}x / {ex['fixed_n']['lower']:.2g}x "
                                           f"(fixed-n tail limit)")
        elif fam.kind == "table_1":
            bound = "t (paired, R - 1 df)" if r["paired"] else "Welch t"
            cov = _table_1_extrapolation(r, level)
        elif fam.kind == "eb":
            m = r["measured"][str(DELTAS[1])]
            bound = "Bernstein (empirical, sequential)"
            cov = (f"<= 1x (theorem, range certified); counted {m['upper']['misses']} / {m['lower']['misses']} "
                   f"misses in {m['upper']['reps']} at 1e-3")
        else:
            bound = short[r.get("bound_used", "t")] + (" per coordinate, box -> norm" if fam.kind == "vector" else "")
            cov = f"{_pair_x(ex['importance'], level)} (importance sampling)"
            if r.get("bound_used", "t") != "t":
                cov += f"; plain t was {_pair_x(r['comparison']['importance_at_used'], level)}"
        lines.append(f"| {_cell(fam.title)} | {bound} | {_cell(fam.assumption)} | {cov}, **{r['verdict']}** |")
    measured_t1 = any(f.kind == "table_1" and f.key in results for f in fams)
    for title, bound, assumption, cov in SUMMARY_NOT_CALIBRATED:
        if measured_t1 and title.startswith("Table 1"):
            continue
        lines.append(f"| {_cell(title)} | {bound} | {assumption} | {cov} |")
    return "\n".join(lines)


def all_markdown(results: dict, fams: list[Family]) -> str:
    return "\n\n".join([summary_markdown(results, fams), markdown(results, fams),
                         validation_markdown(results, fams), comparison_markdown(results, fams)])


def survey(compliance_path: str, draws: int = 20000, log=print) -> list[dict]:
    """The skewness of every judged instance's left side: how ``families`` chose the instances it calibrates.

    For each statistical (bound, family) row of a run's compliance.json with a worst instance
    judged from draws, the run function is called with ``draws`` draws from a fixed stream and the
    samples handed to its bound functions are intercepted, as in the calibration; the row's largest
    |skewness| over its columns (tasks, coordinates) is reported.  Exact rows take no draws and are
    skipped; a row whose check no longer takes draws on its instance is reported as such.
    """
    from verify.checks import bias as B
    from verify.checks import descent as D
    from verify.checks import expectation as E
    from verify.checks import moments as M

    with open(compliance_path, encoding="utf-8") as fh:
        data = json.load(fh)
    rows = []
    for r in data["results"]:
        inst = r.get("worst_instance")
        note = r.get("note") or ""
        if not inst or ("student_t" not in note and "empirical_bernstein" not in note):
            continue
        inst = Instance(inst["check"], int(inst["seed"]), dict(inst["params"]))
        params = dict(inst.params, draws=int(draws))
        if "draw_seed" in params or inst.check not in B.BIAS_CASES_BY_ID:
            params.setdefault("draw_seed", 1)
        probe = Instance(inst.check, inst.seed, params)
        samples = []
        try:
            if inst.check in D.DESCENT_CASES_BY_ID:
                calls = capture(D, tuple(BOUND_FN.values()),
                                lambda: D.run_descent(D.DESCENT_CASES_BY_ID[inst.check], probe, 1e-3))
                samples = [a[0] for a, _ in calls]
            elif inst.check in M.MOMENT_CASES_BY_ID:
                case = M.MOMENT_CASES_BY_ID[inst.check]
                with mock.patch.object(M, "vector_mean_norm_bound",
                                       lambda Y, c, d: samples.append(Y) or vstats.vector_mean_norm_bound(Y, c, d)):
                    calls = capture(M, tuple(BOUND_FN.values()), lambda: M.run_instance(case, probe, 1e-3))
                samples += [a[0] for a, _ in calls]
                M._DRAWN.clear()
            elif inst.check in E.STAT_CASES_BY_ID:
                case = E.STAT_CASES_BY_ID[inst.check]
                with mock.patch.object(E, "vector_mean_norm_bound",
                                       lambda Y, c, d: samples.append(Y) or vstats.vector_mean_norm_bound(Y, c, d)), \
                        mock.patch.object(E, "sequential_decision",
                                          lambda draw, *a, **k: samples.append(draw(draws))
                                          or vstats.sequential_decision(draw, *a, **k)):
                    calls = capture(E, tuple(BOUND_FN.values()), lambda: E.run_instance(case, probe, 1e-3))
                samples += [a[0] for a, _ in calls]
            elif inst.check in B.BIAS_CASES_BY_ID:
                calls = capture(B, "vector_mean_norm_bound",
                                lambda: B.run_instance(B.BIAS_CASES_BY_ID[inst.check], probe, 1e-3))
                samples = [a[0] for a, _ in calls]
        except Exception as exc:  # a check that refuses the probe: reported, not fatal
            rows.append({"check": inst.check, "error": f"{type(exc).__name__}: {exc}"})
            continue
        skews = []
        for x in samples:
            X = np.asarray(x, dtype=float).reshape(len(x), -1)
            skews += [sample_moments(X[:, j]) for j in range(X.shape[1])]
        if not skews:
            rows.append({"check": inst.check, "note": "no draws on this instance (an exact path)"})
            continue
        worst = max(skews, key=lambda m: abs(m["skewness"]))
        rows.append({"check": inst.check, "skewness": worst["skewness"], "kurtosis": worst["kurtosis"],
                     "columns": len(skews)})
        log(f"{inst.check:70s} skewness {worst['skewness']:+.3f} kurtosis {worst['kurtosis']:+.2f}")
    return rows


def measure(quick: bool = False, seed: int = 0, keys: list[str] | None = None, log=print) -> dict:
    fams = [f for f in families() if keys is None or f.key in keys]
    started = time.perf_counter()
    results = {}
    seeds = np.random.SeedSequence(seed).spawn(len(fams))
    for fam, ss in zip(fams, seeds):
        results[fam.key] = run_family(fam, quick, int(ss.generate_state(1)[0]), log=log)
    return {"seed": seed, "quick": quick, "deltas": list(DELTAS), "flag_factor": FLAG_FACTOR,
            "per_test_levels": PER_TEST, "elapsed_s": round(time.perf_counter() - started, 1),
            "families": {f.key: {"title": f.title, "where": f.where, "bound": f.bound, "assumption": f.assumption,
                                 "n": f.n, "delta_test": f.delta_test, "delta_used": f.delta_used,
                                 "instance": None if f.instance is None else json.loads(f.instance.to_json()),
                                 **results[f.key]} for f in fams}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.coverage", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the replications (about a minute)")
    parser.add_argument("--seed", type=seed_arg, default=0, help="seed of every replication. Default: 0")
    parser.add_argument("--families", default=None,
                        help="comma-separated family keys (default: all): " + ", ".join(f.key for f in families()))
    parser.add_argument("--json", default=None, help="write the full results as JSON to this path")
    parser.add_argument("--markdown", action="store_true", help="print the docs/coverage.md tables")
    parser.add_argument("--compliance", default=None, metavar="COMPLIANCE_JSON",
                        help="take the per-test levels from this run's report (default: those of the ci run, "
                             "seed 0, that the docs record)")
    parser.add_argument("--survey", default=None, metavar="COMPLIANCE_JSON",
                        help="instead of calibrating, print the skewness of every judged instance's left side in "
                             "a run's compliance.json (how the calibrated instances were chosen)")
    parser.add_argument("--from-json", default=None, metavar="PATH",
                        help="print the tables of a saved --json result instead of measuring")
    args = parser.parse_args(argv)
    if args.compliance:
        PER_TEST.update(levels_from_compliance(args.compliance))
    if args.survey:
        rows = survey(args.survey, log=lambda s: print(s, file=sys.stderr, flush=True))
        json.dump(rows, sys.stdout, default=float)
        sys.stdout.write("\n")
        return 0
    if args.from_json:
        with open(args.from_json, encoding="utf-8") as fh:
            res = json.load(fh)
        fams = [f for f in families() if f.key in res["families"]]
        print(all_markdown(res["families"], fams))
        return 0
    keys = None
    if args.families:
        keys = [k.strip() for k in args.families.split(",") if k.strip()]
        known = {f.key for f in families()}
        unknown = sorted(set(keys) - known)
        if unknown:
            parser.error(f"unknown families {unknown}; known: {sorted(known)}")
    res = measure(args.quick, args.seed, keys, log=lambda s: print(s, file=sys.stderr, flush=True))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(res, fh, indent=1, default=float)
    fams = [f for f in families() if f.key in res["families"]]
    if args.markdown:
        print(all_markdown(res["families"], fams))
    else:
        json.dump(res, sys.stdout, default=float)
        sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
