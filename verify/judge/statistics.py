"""One-sided confidence bounds for means, and the three-way verdict of a bound that holds in expectation.

A Monte Carlo mean that lands above a bound may be noise; one that lands below it
may be luck.  Every statistical verdict here comes from confidence bounds whose
error probability is fixed in advance and charged to the run's error budget:

  holds         the upper confidence bound of lhs - rhs is <= 0,
  violated      the lower confidence bound of lhs - rhs is > 0,
  inconclusive  otherwise, after drawing more samples up to a cap.

Methods (each says when it is valid):
  hoeffding           X in [a, b] almost surely: exact, distribution-free.
  empirical_bernstein X in [a, b]: exact, and much tighter than Hoeffding when the
                      variance is small (Maurer & Pontil's bound, 2009).
  student_t           no bound on X: the t interval, exact for Gaussian X and
                      asymptotically valid by the central limit theorem otherwise.
  exact               the expectation was computed exactly (enumeration or closed
                      form): the interval is the point, error probability 0.

Sequential sampling spends the error probability over looks: look j (sample sizes
n0, 2 n0, 4 n0, ...) uses delta / 2^(j+1), so the looks together use at most delta.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import stats

from .evidence import Verdict

METHODS = ("hoeffding", "empirical_bernstein", "student_t", "student_t_skew_corrected", "exact")

# The run's total probability of a wrong statistical verdict (a true bound reported
# violated, or a false one reported holding), split over its statistical tests.
RUN_ERROR_BUDGET = 1e-3
# How the run's budget is shared between the files of statistical checks; each file
# then splits its share equally over its own tests (Bonferroni), so the whole run's
# probability of any wrong statistical verdict is at most RUN_ERROR_BUDGET.
# Figure 2's checks are descriptive (decided on the median seed, verify/checks/test_figure_2.py) and
# spend none of it.
BUDGET_SHARES = {"expectation": 0.2, "moments": 0.15, "bias": 0.15, "descent": 0.1, "convergence": 0.1,
                 "h1_counterexample": 0.05, "corollaries": 0.1, "table_1": 0.15}


@dataclass(frozen=True)
class MeanBound:
    """A two-sided pair of one-sided bounds on E[X]: P(E[X] < lower) <= delta and P(E[X] > upper) <= delta."""

    estimate: float
    lower: float
    upper: float
    n: int
    method: str
    delta: float

    def shifted(self, c: float) -> "MeanBound":
        return MeanBound(self.estimate - c, self.lower - c, self.upper - c, self.n, self.method, self.delta)


# The error level of one replayed statistical verdict (``python -m verify.replay``): an instance judged alone.
REPLAY_DELTA = 1e-6

def clopper_pearson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The exact two-sided interval for a binomial rate from k successes in n trials (Clopper-Pearson)."""
    _check_counts(k, n, confidence)
    a = (1.0 - confidence) / 2.0
    lo = 0.0 if k == 0 else float(stats.beta.ppf(a, k, n - k + 1))
    hi = 1.0 if k == n else float(stats.beta.ppf(1.0 - a, k + 1, n - k))
    return lo, hi


def clopper_pearson_upper(k: int, n: int, confidence: float = 0.95) -> float:
    """The exact one-sided upper confidence bound for a binomial rate from k successes in n trials.

    With k = 0 it is 1 - (1 - confidence)^(1/n), about 3/n at 95%: a run that never failed
    in n trials still bounds its failure rate only at that level.
    """
    _check_counts(k, n, confidence)
    return 1.0 if k == n else float(stats.beta.ppf(confidence, k + 1, n - k))


def _check_counts(k: int, n: int, confidence: float) -> None:
    if not (isinstance(n, (int, np.integer)) and n >= 1):
        raise ValueError(f"n: {n!r} trials; need an integer >= 1")
    if not (isinstance(k, (int, np.integer)) and 0 <= k <= n):
        raise ValueError(f"k: {k!r} successes out of n = {n}; need an integer in [0, n]")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence: {confidence!r}; need a level in (0, 1)")

def _sample(x) -> np.ndarray:
    x = np.asarray(x, dtype=float).ravel()
    if x.size < 2:
        raise ValueError(f"a confidence bound needs at least 2 samples, got {x.size}")
    if not np.all(np.isfinite(x)):
        raise ValueError("the sample contains NaN or infinite values")
    return x


def _check_delta(delta: float) -> float:
    if not (0.0 < float(delta) < 1.0):
        raise ValueError(f"delta must lie in (0, 1), got {delta!r}")
    return float(delta)


def _bounded_sample(x, a, b, delta, method: str):
    """The sample and delta, checked for a bound that needs X in [a, b] almost surely."""
    x, delta = _sample(x), _check_delta(delta)
    if a is None or b is None or not b > a:
        raise ValueError(f"{method} needs a range a < b, got [{a}, {b}]")
    if x.min() < a or x.max() > b:
        raise ValueError(f"a sample lies outside the stated range [{a}, {b}]")
    return x, delta


def hoeffding(x, a: float, b: float, delta: float) -> MeanBound:
    """Hoeffding: E[X] lies within (b - a) sqrt(log(1/delta) / (2 n)) of the mean, each side with probability 1 - delta."""
    x, delta = _bounded_sample(x, a, b, delta, "Hoeffding")
    m, n = float(x.mean()), x.size
    h = (b - a) * math.sqrt(math.log(1.0 / delta) / (2.0 * n))
    return MeanBound(m, m - h, m + h, n, "hoeffding", delta)


def empirical_bernstein(x, a: float, b: float, delta: float) -> MeanBound:
    """Maurer & Pontil (2009, Thm 4): with probability 1 - delta per side,
    |E X - mean| <= sqrt(2 V log(2/delta) / n) + 7 (b - a) log(2/delta) / (3 (n - 1)), V the sample variance."""
    x, delta = _bounded_sample(x, a, b, delta, "empirical Bernstein")
    m, n = float(x.mean()), x.size
    v = float(x.var(ddof=1))
    log_term = math.log(2.0 / delta)
    h = math.sqrt(2.0 * v * log_term / n) + 7.0 * (b - a) * log_term / (3.0 * (n - 1))
    return MeanBound(m, m - h, m + h, n, "empirical_bernstein", delta)


def student_t(x, delta: float) -> MeanBound:
    """The one-sided t bound mean -+ t_{1-delta, n-1} s / sqrt(n) (Gaussian-exact, CLT-valid otherwise)."""
    x, delta = _sample(x), _check_delta(delta)
    m, n = float(x.mean()), x.size
    s = float(x.std(ddof=1))
    h = float(stats.t.ppf(1.0 - delta, n - 1)) * s / math.sqrt(n)
    return MeanBound(m, m - h, m + h, n, "student_t", delta)


def hall_inverse(y, n: int, gamma):
    """The inverse of Hall's (1992) monotone cubic transformation of the studentised mean.

    T = sqrt(n)(mean - mu)/s has P(T <= x) = Phi(x) + n^-1/2 q1(x) phi(x) + O(1/n) with
    q1(x) = gamma (2 x^2 + 1)/6, gamma the skewness (Hall, "The Bootstrap and Edgeworth
    Expansion", 1992).  g(x) = x + a x^2/sqrt n + a^2 x^3/(3 n) + b/sqrt n, a = gamma/3,
    b = gamma/6, removes that term, and g'(x) = (1 + a x/sqrt n)^2 >= 0, so g is monotone:
    g(x) = sqrt n ((1 + a x/sqrt n)^3 - 1)/(3 a) + b/sqrt n, inverted in closed form.
    gamma = 0 gives the identity (the plain t bound).  Vectorised over y and gamma.
    """
    y = np.asarray(y, dtype=float)
    gamma = np.asarray(gamma, dtype=float)
    rn = math.sqrt(n)
    a, b = gamma / 3.0, gamma / 6.0
    small = np.abs(a) < 1e-12
    safe_a = np.where(small, 1.0, a)
    x = rn / safe_a * (np.cbrt(1.0 + 3.0 * safe_a * (y - b / rn) / rn) - 1.0)
    return np.where(small, y - b / rn, x)


def skew_corrected_t(x, delta: float) -> MeanBound:
    """The one-sided t bounds with Hall's skewness correction: mean - s g^-1(+-t_{1-delta, n-1}) / sqrt(n).

    For the skewed left sides of the moment displays (quadratic forms of Gaussian batch noise,
    skewness 2.4-2.8 at n = 2000) the plain t bound misses 9-16 times more often than its
    delta at the levels a run uses (about 1e-7); with the correction, 0.8-1.1 times
    (docs/coverage.md, ``python -m benchmarks.coverage``).  gamma = 0 gives ``student_t``.
    """
    x, delta = _sample(x), _check_delta(delta)
    m, n = float(x.mean()), x.size
    s = float(x.std(ddof=1))
    c = x - m
    m2 = float(np.mean(c * c))
    # The sample's own skewness (central moments); a constant sample has none.
    gamma = float(np.mean(c ** 3)) / m2 ** 1.5 if m2 > (1e-12 * max(abs(m), 1e-300)) ** 2 else 0.0
    t = float(stats.t.ppf(1.0 - delta, n - 1))
    rn = math.sqrt(n)
    lower = m - s * float(hall_inverse(t, n, gamma)) / rn
    upper = m - s * float(hall_inverse(-t, n, gamma)) / rn
    return MeanBound(m, lower, upper, n, "student_t_skew_corrected", delta)


def exact(value: float) -> MeanBound:
    return MeanBound(float(value), float(value), float(value), 0, "exact", 0.0)


def mean_bound(x, method: str, delta: float, *, a: float | None = None, b: float | None = None) -> MeanBound:
    if method == "hoeffding":
        return hoeffding(x, a, b, delta)
    if method == "empirical_bernstein":
        return empirical_bernstein(x, a, b, delta)
    if method == "student_t":
        return student_t(x, delta)
    if method == "student_t_skew_corrected":
        return skew_corrected_t(x, delta)
    raise ValueError(f"unknown method {method!r}; known: {METHODS}")


def vector_mean_norm_bound(Y, c, delta: float) -> tuple[float, float, float]:
    """Bounds on ||E[Y] - c|| from samples Y (n, d): per-coordinate t bounds, Bonferroni over coordinates.

    Each coordinate's interval is two-sided at delta/(2d) per side, so with probability 1 - delta every coordinate of E[Y] lies in its interval, and each of
    the two norm bounds below fails with probability at most delta (the level a verdict
    charges it): the norm of E[Y] - c lies between the distance from 0 to the box (lower) and
    the farthest corner (upper).  (At delta/d per side the upper bound could fail with 2 delta:
    a coordinate whose interval straddles c_k makes it fail on either side.)
    Returns (estimate, lower, upper).
    """
    Y = np.asarray(Y, dtype=float)
    if Y.ndim != 2 or Y.shape[0] < 2:
        raise ValueError(f"need samples of shape (n >= 2, d), got {Y.shape}")
    d = Y.shape[1]
    c = np.broadcast_to(np.asarray(c, dtype=float), (d,))
    lo, hi = np.empty(d), np.empty(d)
    for k in range(d):
        mb = student_t(Y[:, k], delta / (2 * d))
        lo[k], hi[k] = mb.lower - c[k], mb.upper - c[k]
    nearest = np.where(lo > 0, lo, np.where(hi < 0, hi, 0.0))
    farthest = np.maximum(np.abs(lo), np.abs(hi))
    return float(np.linalg.norm(Y.mean(axis=0) - c)), float(np.linalg.norm(nearest)), float(np.linalg.norm(farthest))


def verdict(lower: float, upper: float, rhs: float, relation: str = "<=") -> Verdict:
    """holds / violated / inconclusive for E[lhs] REL rhs from confidence bounds [lower, upper] on E[lhs]."""
    if relation == "<=":
        if upper <= rhs:
            return Verdict.HOLDS
        if lower > rhs:
            return Verdict.VIOLATED
        return Verdict.INCONCLUSIVE
    if relation == ">=":
        if lower >= rhs:
            return Verdict.HOLDS
        if upper < rhs:
            return Verdict.VIOLATED
        return Verdict.INCONCLUSIVE
    raise ValueError(f"relation must be '<=' or '>=', got {relation!r}")


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    bound: MeanBound
    looks: int


def sequential_decision(draw: Callable[[int], np.ndarray], rhs: float, relation: str, delta: float, method: str,
                        *, n0: int = 200, cap: int = 6400, a: float | None = None,
                        b: float | None = None) -> Decision:
    """Draw n0 samples, then double while inconclusive, up to ``cap``; look j spends delta / 2^(j+1).

    ``draw(k)`` returns k fresh i.i.d. samples of the left-hand side's variable.
    """
    _check_delta(delta)
    x = np.asarray(draw(n0), dtype=float)
    look = 0
    while True:
        mb = mean_bound(x, method, delta / 2 ** (look + 1), a=a, b=b)
        v = verdict(mb.lower, mb.upper, rhs, relation)
        if v is not Verdict.INCONCLUSIVE or x.size >= cap:
            return Decision(v, mb, look + 1)
        x = np.concatenate([x, np.asarray(draw(x.size), dtype=float)])
        look += 1


def budget_for(part: str, tests: int) -> "ErrorBudget":
    """The share of the run's error budget for one file of statistical checks, split over its tests."""
    if part not in BUDGET_SHARES:
        raise ValueError(f"unknown part {part!r} of the error budget; known: {sorted(BUDGET_SHARES)}")
    return ErrorBudget(RUN_ERROR_BUDGET * BUDGET_SHARES[part], tests, part=part)


def run_budget_summary() -> dict:
    """The run-level record of the error budget and its split, for the report."""
    return {"total": RUN_ERROR_BUDGET, "shares": dict(BUDGET_SHARES), "method": "Bonferroni within each share"}


class ErrorBudget:
    """The run's error budget, split equally (Bonferroni) over the statistical tests it will make."""

    def __init__(self, total: float = RUN_ERROR_BUDGET, tests: int = 1, part: str = ""):
        self.part = part
        if not (0 < total < 1):
            raise ValueError(f"the error budget must lie in (0, 1), got {total!r}")
        if tests < 1:
            raise ValueError(f"the number of tests must be positive, got {tests!r}")
        self.total, self.tests = float(total), int(tests)

    @property
    def per_test(self) -> float:
        # Each test has two one-sided bounds (holds and violated), so half each.
        return self.total / (2 * self.tests)

    def as_dict(self) -> dict:
        return {"part": self.part, "total": self.total, "tests": self.tests,
                "per_one_sided_bound": self.per_test, "method": "Bonferroni"}
