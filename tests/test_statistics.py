"""The statistics module: confidence bounds cover at their stated rate, and verdicts come out right."""
import math

import numpy as np
import pytest
from scipy import stats

from verify.judge.evidence import Verdict
from verify.judge.statistics import (ErrorBudget, empirical_bernstein, hoeffding, mean_bound,
    sequential_decision, student_t, vector_mean_norm_bound, verdict)

# Calibration: each bound is computed REPS times on samples with a known mean; the
# number of one-sided misses is Binomial(REPS, p) with p <= delta if the bound is
# valid.  The test fails when the misses exceed the binomial 1 - 1e-6 quantile at
# p = delta, so a valid bound fails this test with probability below 1e-6, while a
# bound that misses at twice its stated rate is caught with high probability.
REPS = 4000
DELTA = 0.05


def _max_misses(p=DELTA, reps=REPS):
    return int(stats.binom.ppf(1 - 1e-6, reps, p))


def _misses(method, draw, mean, **kw):
    rng = np.random.default_rng(12345)
    upper_miss = lower_miss = 0
    for _ in range(REPS):
        mb = mean_bound(draw(rng), method, DELTA, **kw)
        upper_miss += mb.upper < mean
        lower_miss += mb.lower > mean
    return upper_miss, lower_miss


@pytest.mark.parametrize("method,draw,mean,kw", [
    ("hoeffding", lambda r: r.beta(0.5, 3.0, 30), 0.5 / 3.5, dict(a=0.0, b=1.0)),
    ("empirical_bernstein", lambda r: r.beta(0.5, 3.0, 30), 0.5 / 3.5, dict(a=0.0, b=1.0)),
    ("student_t", lambda r: r.normal(2.0, 3.0, 20), 2.0, {}),
    # Skewed: the t bound is asymptotic; with n = 400 its misses stay near delta.
    ("student_t", lambda r: r.exponential(1.0, 400), 1.0, {}),
], ids=["hoeffding-beta", "bernstein-beta", "t-gaussian", "t-exponential-n400"])
def test_bounds_cover_at_their_stated_rate(method, draw, mean, kw):
    up, lo = _misses(method, draw, mean, **kw)
    assert up <= _max_misses() and lo <= _max_misses(), (up, lo, _max_misses())


def test_calibration_test_catches_a_miscalibrated_bound():
    """A 'bound' with half the t width misses at far more than delta: the same threshold rejects it."""
    rng = np.random.default_rng(7)
    misses = 0
    for _ in range(REPS):
        x = rng.normal(0.0, 1.0, 20)
        h = 0.5 * stats.t.ppf(1 - DELTA, 19) * x.std(ddof=1) / math.sqrt(20)
        misses += x.mean() + h < 0.0
    assert misses > _max_misses()


def test_bernstein_is_tighter_than_hoeffding_for_small_variance():
    x = np.random.default_rng(0).uniform(0.45, 0.55, 2000)
    h, eb = hoeffding(x, 0.0, 1.0, 1e-3), empirical_bernstein(x, 0.0, 1.0, 1e-3)
    assert (eb.upper - eb.lower) < (h.upper - h.lower)


@pytest.mark.parametrize("true_mean,rhs,expected", [
    (1.0, 1.5, Verdict.HOLDS),       # clearly below the bound
    (2.0, 1.5, Verdict.VIOLATED),    # clearly above
    (1.5, 1.5, Verdict.INCONCLUSIVE),  # on it: no honest verdict at any sample size
])
def test_verdicts_just_above_and_below_a_bound(true_mean, rhs, expected):
    rng = np.random.default_rng(3)
    d = sequential_decision(lambda k: rng.normal(true_mean, 1.0, k), rhs, "<=", 1e-4, "student_t", n0=100, cap=12800)
    assert d.verdict is expected


def test_verdicts_near_the_bound_need_and_get_more_samples():
    rng = np.random.default_rng(4)
    d = sequential_decision(lambda k: rng.normal(1.45, 1.0, k), 1.5, "<=", 1e-4, "student_t", n0=100, cap=102400)
    assert d.verdict is Verdict.HOLDS and d.looks > 1 and d.bound.n > 100


def test_greater_or_equal_relation():
    assert verdict(2.0, 3.0, 1.0, ">=") is Verdict.HOLDS
    assert verdict(0.0, 0.5, 1.0, ">=") is Verdict.VIOLATED
    assert verdict(0.5, 1.5, 1.0, ">=") is Verdict.INCONCLUSIVE
    with pytest.raises(ValueError, match="relation"):
        verdict(0, 1, 0.5, "==")


def test_vector_mean_norm_bounds_bracket_the_true_norm():
    rng = np.random.default_rng(5)
    Y = rng.normal([0.3, -0.4, 0.0], 1.0, size=(4000, 3))
    est, lo, hi = vector_mean_norm_bound(Y, 0.0, 1e-3)
    assert lo <= 0.5 <= hi and lo < est < hi
    assert vector_mean_norm_bound(np.zeros((10, 2)) + 1.0, [1.0, 1.0], 0.01)[2] == 0.0


@pytest.mark.parametrize("call,message", [
    (lambda: hoeffding([0.5], 0, 1, 0.1), "at least 2 samples"),
    (lambda: hoeffding([0.5, 2.0], 0, 1, 0.1), "outside the stated range"),
    (lambda: student_t([1.0, float("nan")], 0.1), "NaN"),
    (lambda: student_t([1.0, 2.0], 1.5), "delta must lie in"),
    (lambda: mean_bound([1.0, 2.0], "bootstrap", 0.1), "unknown method"),
    (lambda: ErrorBudget(0.0, 3), "error budget"),
    (lambda: ErrorBudget(1e-3, 0), "number of tests"),
])
def test_bad_input_is_refused_clearly(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_error_budget_splits_over_tests_and_sides():
    b = ErrorBudget(1e-3, 50)
    assert b.per_test == pytest.approx(1e-5) and b.as_dict()["method"] == "Bonferroni"


def test_skew_corrected_t_is_the_t_bound_without_skewness_and_leans_with_it():
    from verify.judge.statistics import skew_corrected_t, student_t

    sym = np.concatenate([np.linspace(-1, 1, 101), -np.linspace(-1, 1, 101)])  # skewness exactly 0
    a, b = skew_corrected_t(sym, 1e-4), student_t(sym, 1e-4)
    assert math.isclose(a.lower, b.lower, rel_tol=1e-12) and math.isclose(a.upper, b.upper, rel_tol=1e-12)
    right = np.random.default_rng(11).exponential(1.0, 400)  # skewness about 2: a long right tail
    a, b = skew_corrected_t(right, 1e-4), student_t(right, 1e-4)
    # The mean of a right-skewed sample falls short of mu more often than it overshoots: the upper
    # bound moves up and the lower bound up too (the interval leans right).
    assert a.upper > b.upper and a.lower > b.lower


def test_skew_corrected_t_holds_its_level_where_the_t_bound_does_not():
    """Chi-square(1) draws (skewness 2.8, like the moment displays' left sides), n = 200, delta = 1e-3:
    the t upper bound misses far more than delta, the corrected one within the binomial threshold."""
    from verify.judge.statistics import skew_corrected_t, student_t

    rng = np.random.default_rng(12)
    reps, n, d = 20000, 200, 1e-3
    x = rng.chisquare(1, (reps, n))
    miss_t = sum(student_t(row, d).upper < 1.0 for row in x)
    miss_h = sum(skew_corrected_t(row, d).upper < 1.0 for row in x)
    limit = stats.binom.ppf(1 - 1e-5, reps, d)
    assert miss_h <= limit < miss_t, (miss_h, limit, miss_t)
