"""`pytest verify`: Table 1's accuracy, iteration, sample and K-shot columns as fitted growth exponents.

One test per (registry Bound, family): the twelve SCALING Bounds
``table_1_{maml,fo_maml,hf_maml}_{best_accuracy,iterations,samples,k_shot}`` on quadratic
tasks with a shared positive-definite Hessian and Appendix J's noise, and, for FO-MAML's
best accuracy and samples, a second row with the task dissimilarity sigma as the variable
(Table 1's O(alpha sigma) and O(1/(alpha^4 sigma^2)): "the floor grows with task variance").
How each quantity is measured, the fits, the decision rule (holds / violated /
inconclusive against the claimed exponent with a margin of 1/4) and the negative
controls are in verify/checks/table_1_scaling.py.

Each check records one Evidence: lhs = the fitted exponent of the quantity in the variable
(d log Q / d log x over the grid), rhs = the claimed order's exponent over the same grid,
ratio = the growth factor of the O(.)'s implied constant Q/g across the grid toward the
limit (above 1: Q outgrows the claim), the interval and the points in the note.  The run
checks (accuracy, iterations, K-shot) are statistical: each interval is one test of the
``table_1`` share of the run's error budget.  The sample counts are exact and spend none.
"""
import math

import pytest

from bounds import BOUNDS
from verify.judge.evidence import Evidence, Verdict
from verify.judge.findings import for_check
from verify.checks.instances import mix_seed
from verify.judge.statistics import ErrorBudget, budget_for, run_budget_summary
from verify.checks.table_1_scaling import FAMILY, FLOOR_FAMILY, column_of, drift, measure, replay_command

# alpha L = 1/24 for MAML and HF-MAML (a quarter of the 1/6 their theorems allow) and 1/40 for
# FO-MAML's K-shot runs: the mean dynamics contract faster than at the largest alpha ((1 - alpha L)^2
# in grad^2 F), which shortens every run; alpha is held fixed in these checks.
_COMMON = dict(d=3, n=4, floor=0.8, noise=1.0, alpha_frac=0.25)
# Levels: runs started at the fixed point, burn-in and window in units of 1/r (r the slowest
# contraction rate).  The points share their random numbers where their batch shapes agree.
_LEVELS = dict(points=3, runs=16, burn=1.0, window=0.5)
# FO-MAML in alpha: B grows like 1/alpha^2, so the points draw different shapes (no common
# random numbers) and the slope is decided by Welch's interval.  The two end points carry the
# slope's weights +c and -c, and their per-run levels have the same shape (coefficient of
# variation 0.22, skewness +0.85 at both ends); with equal runs there the skewness terms of the
# slope's statistic cancel, and its interval misses at its delta on both sides (docs/coverage.md,
# the Welch cell).  Unequal runs do not: 128 / 48 missed 3.1x delta on the false-holds side.
# The middle point (weight 0 in the slope) gets 16 runs and a short window.
_FO_ALPHA = dict(points=3, runs=48, runs_by_point=[128, 16, 128], burn=1.0, window=4.0,
                 window_by_point=[4.0, 1.0, 4.0])
_PASSAGE = dict(points=3, passage_runs=8, cap=4000)
# MAML / HF-MAML in eps: sigma small enough that B = 20 meets (25) / (151) over the whole grid.
_EPS = dict(sigma=0.003, top=0.5, factor=16.0)
# alpha L from 1/80 down to 1/320: the factors (1 - alpha L) of the mean dynamics bend the slope by
# about (5/2) alpha L / ln 4 (0.02 here, 0.15 from alpha L = 1/10).  K_1 puts B just below 20 at
# the top (B = 20, 80, 318: K_1 = 20 (alpha L)^2 exactly would give 21 there, a float a hair above 20).
_FO = dict(sigma=0.5, alpha_frac=0.125, K_1=0.0031, K_2=2.0, factor=4.0)
_K = dict(sigma=0.05, top=4, factor=16.0)
# Samples: x over four decades toward the limit (batch sizes stay below 2^53), two points per decade.
_SAMPLES = dict(sigma=0.5, top=0.5, decades=4, points=9, K_1=0.2, K_2=2.0)

_CI = {
    ("table_1_maml_samples", "epsilon"): dict(_COMMON, **_SAMPLES, seed=101),
    ("table_1_hf_maml_samples", "epsilon"): dict(_COMMON, **_SAMPLES, seed=102),
    ("table_1_fo_maml_samples", "alpha"): dict(_COMMON, **_SAMPLES, seed=103),
    ("table_1_fo_maml_samples", "sigma"): dict(_COMMON, **_SAMPLES, variable="sigma", seed=104),
    ("table_1_maml_best_accuracy", "epsilon"): dict(_COMMON, **_EPS, **_LEVELS, seed=111),
    ("table_1_hf_maml_best_accuracy", "epsilon"): dict(_COMMON, **_EPS, **_LEVELS, seed=112),
    ("table_1_fo_maml_best_accuracy", "alpha"): dict(_COMMON, **_FO, **_FO_ALPHA, seed=113),
    ("table_1_fo_maml_best_accuracy", "floor"): dict(_COMMON, exact_floor=True, spread=1.0, alpha_frac=1.0,
                                                     decades=3, points=7, seed=115),
    ("table_1_fo_maml_best_accuracy", "sigma"): dict(_COMMON, **dict(_FO, sigma=0.8, factor=16.0), **_LEVELS,
                                                     variable="sigma", seed=114),
    ("table_1_maml_iterations", "epsilon"): dict(_COMMON, **dict(_EPS, factor=4.0), **_PASSAGE, seed=121),
    ("table_1_hf_maml_iterations", "epsilon"): dict(_COMMON, **dict(_EPS, factor=4.0), **_PASSAGE, seed=122),
    ("table_1_fo_maml_iterations", "alpha"): dict(_COMMON, **_FO, **_PASSAGE, seed=123),
    ("table_1_maml_k_shot", "K"): dict(_COMMON, **_K, **_LEVELS, seed=131),
    ("table_1_fo_maml_k_shot", "K"): dict(_COMMON, **_K, **_LEVELS, seed=132),
    ("table_1_hf_maml_k_shot", "K"): dict(_COMMON, **_K, **_LEVELS, seed=133),
}
# Nightly (fresh seeds): five points where the points share their random numbers, twice the runs
# and windows, twice the runs per point for FO-MAML in alpha (still equal at its two ends), the eps grid of the passages over 16,
# and the sample counts over five decades.
def _nightly(key, p: dict) -> dict:
    if "decades" in p:
        return {**p, "decades": 5, "points": 11}
    if "passage_runs" in p:
        return {**p, "points": 5, "passage_runs": 16, **({"factor": 16.0} if key[1] == "epsilon" else {})}
    if "runs_by_point" in p:
        return {**p, "runs_by_point": [256, 32, 256], "window_by_point": [4.0, 1.0, 4.0]}
    return {**p, "points": 5, "runs": 32, "window": 1.0}


INSTANCES = {"ci": _CI, "nightly": {key: _nightly(key, p) for key, p in _CI.items()}}
CASES = sorted(_CI)

FINDINGS = {(f.bound, fam): f for f in for_check("table_1_scaling") for fam in f.families}


def _statistical(key) -> bool:
    return column_of(BOUNDS[key[0]]) != "samples" and key[1] != "floor"


def _budget(profile: str) -> ErrorBudget:
    return budget_for("table_1", sum(1 for key in INSTANCES[profile] if _statistical(key)))


def _family(key) -> str:
    bound = BOUNDS[key[0]]
    if key[1] == "floor":
        return FLOOR_FAMILY
    return FAMILY if key[1] == bound.settings["in"].name else f"{FAMILY} ({key[1]} varies)"


# An inconclusive statistical measurement is repeated with twice the runs, up to LOOKS looks in
# all; look j spends delta / 2^j of the test's error probability (the looks share random numbers,
# and the union bound over them needs no independence), so the verdict's error stays below delta.
LOOKS = 3


def _more_runs(params: dict) -> dict:
    """The same measurement with twice the runs at every point."""
    out = dict(params)
    for name in ("runs", "passage_runs"):
        if name in out:
            out[name] = 2 * int(out[name])
    if "runs_by_point" in out:
        out["runs_by_point"] = [2 * int(r) for r in out["runs_by_point"]]
    return out


def _measure_until_decided(bound_id: str, params: dict, seed: int, delta: float):
    """``measure`` at delta/2, then with more runs at delta/4, ... while the verdict is inconclusive."""
    for look in range(1, LOOKS + 1):
        params = dict(params, delta=delta / 2 ** look)
        m = measure(bound_id, params, seed, params["delta"])
        if m.verdict is not Verdict.INCONCLUSIVE or look == LOOKS:
            if look > 1:
                m.note = f"{m.note}; decided at look {look} of {LOOKS} (runs doubled at each look)"
            return m
        params = _more_runs(params)


@pytest.mark.parametrize("key", CASES, ids=[f"{b}@{v}" for b, v in CASES])
def test_table_1_scaling(key, ledger, run_seed, profile):
    bound_id = key[0]
    bound = BOUNDS[bound_id]
    params = dict(INSTANCES[profile][key])
    seed = mix_seed(run_seed, params.pop("seed"))
    budget = _budget(profile)
    delta = budget.per_test if _statistical(key) else 0.0
    m = _measure_until_decided(bound_id, params, seed, delta) if _statistical(key) else measure(
        bound_id, params, seed, delta)
    assert m.family == _family(key)
    fit = m.fit
    ratio = drift(fit, m.claimed, m.variable)
    finding = FINDINGS.get((bound.id, m.family))
    replay = replay_command(m.instance)
    control = (f"{m.control_words}, decided by the same rule on the same fit: {m.control_verdict.value}")
    interval = ("exact" if fit.method == "exact" else
                f"{fit.method} interval [{fit.lower:.4g}, {fit.upper:.4g}], each side error {fit.delta:.2g}")
    ledger.record(Evidence(
        bound.id, bound.reference, bound.kind.value, m.family, m.verdict, instances=len(m.points),
        admitted=len(m.points), worst_ratio=ratio, worst_lhs=fit.exponent, worst_rhs=m.claimed,
        worst_instance=m.instance, seed=run_seed, negative_control=control,
        negative_control_caught=m.control_caught, finding=finding.id if finding else None, ratios=[ratio],
        note=(f"fitted exponent in {m.variable}: {fit.exponent:.4g} ({interval}); claimed {m.claimed:.4g} on the "
              f"grid (O(.)'s exponent {m.asymptotic:g} as {m.variable} -> "
              f"{'infinity' if m.variable == 'K' else '0'}); {m.verdict.value} by the rule: growth exponent "
              f"interval at most the claim's + margin (holds), above it (violated); lhs = fitted exponent, rhs = "
              f"claimed exponent, ratio = growth of lhs/rhs's constant across the grid; {m.note}; replay: {replay}")))
    if _statistical(key):
        ledger.note_run(error_budget=run_budget_summary(), error_budget_table_1=budget.as_dict())
    detail = f"{m.note}; replay: {replay}"
    assert math.isfinite(fit.exponent), f"{bound_id}@{m.family}: no finite exponent. {detail}"
    assert m.control_caught, (f"{bound_id}@{m.family}: the negative control ({control}) was not caught. {detail}")
    if finding:
        assert m.verdict is Verdict.VIOLATED, f"{bound_id}@{m.family}: finding {finding.id} no longer reproduces. {detail}"
    else:
        assert m.verdict is Verdict.HOLDS, (
            f"{bound_id}@{m.family} [{bound.reference}]: {m.verdict.value}: exponent {fit.exponent:.4g} in "
            f"[{fit.lower:.4g}, {fit.upper:.4g}] against claimed {m.claimed:.4g}. {detail}")
