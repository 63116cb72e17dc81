"""The coverage calibration of benchmarks/coverage.py, reduced: cheap verdict families miss at most at delta.

Each test draws a check's own left side (its run function, its judged instance) in disjoint
groups of the check's sample size, computes each group's one-sided bounds with the function the
check calls (``verify.judge.statistics``: ``student_t``, ``skew_corrected_t``, ``vector_mean_norm_bound``),
and counts the groups whose bound misses the true mean (the mean of the other groups).  The
number of misses of a valid bound is Binomial(reps, p) with p <= delta; a test fails when it
exceeds the binomial quantile at 1 - ALPHA / (number of comparisons in the test) at p = delta,
so a valid bound fails a test with probability below ALPHA = 1e-4 (every seed is fixed, so a
given checkout passes or fails deterministically; the bound is on how unlucky a seed can be).

The full calibration, at the levels the suite uses, is ``python -m benchmarks.coverage``
(docs/coverage.md).
"""
import math

import numpy as np
import pytest
from scipy import stats

from benchmarks import coverage as cov
from benchmarks.coverage import (
    CHUNK_DRAWS,
    Groups,
    check_against_project,
    draw_groups,
    edgeworth_miss,
    families,
    scalar_misses,
    t_quantile,
    tilted_miss,
)
from verify.judge import statistics as vstats

# The resolvable level, and the largest false-failure probability of one test.
DELTA = 1e-2
ALPHA = 1e-4
SEED = 20240611


def _threshold(reps: int, comparisons: int, p: float = DELTA) -> int:
    """The most misses a bound with miss rate p may show: P(Binomial(reps, p) > it) <= ALPHA / comparisons."""
    return int(stats.binom.ppf(1 - ALPHA / comparisons, reps, p))


def _family(key: str):
    fam = next(f for f in families() if f.key == key)
    from benchmarks.coverage import _attach_samplers

    _attach_samplers(fam)
    return fam


def _raw_groups(fam, reps: int, seed: int):
    """``reps`` disjoint groups of the family's n raw draws, a chunk of groups at a time: (reps, n, cols)."""
    per_call = max(1, CHUNK_DRAWS // fam.n)
    ss = np.random.SeedSequence(seed)
    done = 0
    while done < reps:
        g = min(per_call, reps - done)
        x = np.asarray(fam.sampler(g * fam.n, int(ss.spawn(1)[0].generate_state(1)[0])), dtype=float)
        yield x.reshape(g, fam.n, -1)
        done += g


def _leave_one_out(means: np.ndarray) -> np.ndarray:
    return (means.sum(axis=0)[None] - means) / (means.shape[0] - 1)


@pytest.fixture(scope="module")
def second_moment_groups():
    """1500 groups of (21)'s own n = 1600 draws (its first look), shared by the tests that count on them."""
    fam = _family("lemma_4_10_second")
    return fam, draw_groups(fam.sampler, fam.n, 1500, SEED, keep=fam.n)


def test_lemma_4_10_second_moment_t_bounds_miss_at_most_delta(second_moment_groups):
    """(21)'s t bounds (outer batch integrated out, skewness ~0.15) on its judged instance: calibrated at 1e-2.

    The counts use the vectorised bounds; on a group of real draws they are first compared with
    ``verify.judge.statistics.student_t`` itself (the function (21) calls)."""
    fam, gr = second_moment_groups
    assert fam.used == "t"
    for col in range(gr.mean.shape[1]):
        check_against_project(gr.pool[:, [col]], fam.n, DELTA, "scalar")
    reps = gr.mean.shape[0]
    limit = _threshold(reps, comparisons=2 * gr.mean.shape[1])
    for col in range(gr.mean.shape[1]):
        m = scalar_misses(gr, fam.n, DELTA, col)
        assert m["upper"]["misses"] <= limit and m["lower"]["misses"] <= limit, (col, m, limit)


def test_moment_displays_skew_corrected_bound_is_calibrated():
    """(88)'s per-draw difference (skewness ~2.8), decided in verify/checks/moments.py by ``skew_corrected_t``:
    the suite's own function, on each group of the draws it is handed, misses at most at delta at 1e-2."""
    from verify.checks import moments as M

    fam = _family("moments_z_plus")
    # The family calibrates the bound the check calls, and the check calls the suite's function.
    assert fam.used == "hall" and cov.BOUND_FN[fam.used] == "skew_corrected_t"
    assert M.skew_corrected_t is vstats.skew_corrected_t
    reps = 1000
    means, lowers, uppers, col, skews = [], [], [], None, []
    for grp in _raw_groups(fam, reps, SEED + 1):
        if col is None:  # the most skewed task, as the benchmark judges it (first chunk: 200k draws)
            flat = grp.reshape(-1, grp.shape[2])
            col = int(np.argmax(np.abs(stats.skew(flat, axis=0))))
            skews.append(float(stats.skew(flat[:, col])))
        for x in grp[:, :, col]:
            b = vstats.skew_corrected_t(x, DELTA)
            assert b.method == "student_t_skew_corrected"
            means.append(b.estimate)
            lowers.append(b.lower)
            uppers.append(b.upper)
    assert skews[0] > 1.5, skews  # the family's point: a skewed left side
    truth = _leave_one_out(np.array(means)[:, None])[:, 0]
    up, lo = int(np.sum(np.array(uppers) < truth)), int(np.sum(np.array(lowers) > truth))
    limit = _threshold(reps, comparisons=2)
    assert up <= limit and lo <= limit, (up, lo, limit)


def test_vector_mean_norm_bound_is_calibrated_on_hf_maml_draws():
    """HF-MAML's antithetic rows (skewness ~2.7): ``vector_mean_norm_bound`` (delta/(2d) per coordinate
    side) on each group of n = 1000 pairs misses the true norm at most at delta, each norm bound, at 1e-2."""
    fam = _family("hf_maml_bias")
    reps = 500
    means, lowers, uppers = [], [], []
    target = np.zeros(2)
    for grp in _raw_groups(fam, reps, SEED + 2):
        for Y in grp:
            _, lo, hi = vstats.vector_mean_norm_bound(Y, target, DELTA)
            means.append(Y.mean(axis=0))
            lowers.append(lo)
            uppers.append(hi)
    true_norm = np.linalg.norm(_leave_one_out(np.array(means)) - target, axis=1)
    up, lo = int(np.sum(np.array(uppers) < true_norm)), int(np.sum(np.array(lowers) > true_norm))
    limit = _threshold(reps, comparisons=2)
    assert up <= limit and lo <= limit, (up, lo, limit)


def test_benchmark_vector_mirror_follows_the_projects_rule(monkeypatch):
    """The benchmark's vectorised norm bounds are ``vector_mean_norm_bound``'s (delta/(2d) per coordinate
    side), and the check it runs before counting catches a mirror that drifts from the project's rule."""
    rng = np.random.default_rng(SEED)
    Y = rng.exponential(size=(400, 3)) * np.array([1.0, -2.0, 0.5]) + np.array([0.2, 0.0, -1.0])
    target = np.array([0.1, -0.5, 0.0])
    check_against_project(Y, 400, DELTA, "vector", target)
    check_against_project(Y[:, [0]], 400, DELTA, "scalar")
    monkeypatch.setattr(cov, "coordinate_level", lambda delta, d: delta / d)  # the rule before the change
    with pytest.raises(AssertionError):
        check_against_project(Y, 400, DELTA, "vector", target)


def test_calibration_flags_a_miscalibrated_bound(second_moment_groups):
    """The same counting, on the same draws, rejects a bound with half the t width (miss rate ~ 0.1)."""
    fam, gr = second_moment_groups
    reps = gr.mean.shape[0]
    narrow = Groups(gr.mean, gr.sd / 2, gr.skew, gr.moments, gr.truth, gr.draws, gr.seconds)
    m = scalar_misses(narrow, fam.n, DELTA, 0)
    limit = _threshold(reps, comparisons=2)
    assert m["upper"]["misses"] > limit and m["lower"]["misses"] > limit, (m, limit)


def test_extrapolation_reproduces_a_known_skewed_miss_rate():
    """Exponential draws, n = 100, delta = 1e-2: the t bound's upper miss (2.5 delta by direct simulation) is
    what the importance-sampled estimate gives, the one-term Edgeworth term points the right way, and the
    suite's ``skew_corrected_t`` brings it back near delta."""
    rng = np.random.default_rng(SEED)
    n, reps = 100, 20000
    x = rng.exponential(size=(reps, n))
    m, s = x.mean(axis=1), x.std(axis=1, ddof=1)
    t = t_quantile(DELTA, n)
    direct = float(np.mean(m + t * s / math.sqrt(n) < 1.0))
    pool = rng.exponential(size=400_000)
    est = tilted_miss(pool, n, DELTA, 4000, rng)
    # Direct count: SE ~ 0.0011 at 0.025; importance sampling: SE ~ 0.0005.
    assert abs(est["upper"]["t"] - direct) < 0.005, (est["upper"], direct)
    assert direct > 2 * DELTA  # the t bound really is miscalibrated here
    assert edgeworth_miss(DELTA, n, 2.0)[0] > 1.5 * DELTA
    hall_upper = np.array([vstats.skew_corrected_t(r, DELTA).upper for r in x[:4000]])
    assert np.mean(hall_upper < 1.0) < 1.6 * DELTA


def test_table_1_slope_bounds_match_fit_levels_and_miss_at_most_delta():
    """Table 1's slope intervals: the benchmark's vectorised ``fit_levels`` (paired and Welch) equals the
    project's on synthetic levels, and on the K-shot cell's own runs (FO-MAML, the most skewed per-run Z;
    150 groups of R = 16 paired runs, ``table_1_scaling.measure_level``) the t bounds miss the
    leave-one-out slope at most as often as a bound of level delta may."""
    from verify.checks import table_1_scaling as T

    rng = np.random.default_rng(SEED)
    x = [4.0, 1.0, 0.25]
    c = T._design(x)
    for paired, sizes in ((True, [16, 16, 16]), (False, [128, 16, 128])):
        Y = [rng.lognormal(0.1 * j, 0.4, r) for j, r in enumerate(sizes)]
        ours = cov.slope_bounds([y[None, :] for y in Y], c, DELTA, paired)
        fit = T.fit_levels(x, Y, DELTA, paired=paired)
        assert np.allclose([v[0] for v in ours], [fit.exponent, fit.lower, fit.upper], rtol=1e-9)
    setup = cov.table_1_setup("table_1_k_shot")
    reps, R = 150, setup["runs"][0]
    pool = cov.table_1_pool(setup, [reps * R] * len(setup["runs"]), SEED)
    cov._slope_check(setup, pool, DELTA)
    groups = [y.reshape(reps, R) for y in pool]
    loo = np.stack([(y.sum() - g.sum(axis=1)) / (y.size - R) for y, g in zip(pool, groups)], axis=1)
    _, lo, hi = cov.slope_bounds(groups, setup["c"], DELTA, True)
    up, low = cov._slope_misses(lo, hi, np.log(loo) @ setup["c"])
    limit = _threshold(reps, 2)
    assert up.sum() <= limit and low.sum() <= limit, (int(up.sum()), int(low.sum()), limit)
