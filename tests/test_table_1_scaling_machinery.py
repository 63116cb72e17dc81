"""The machinery of Table 1's scaling checks (verify/checks/table_1_scaling.py): fits, intervals, the decision rule,
the lockstep runs, the batch sizes read from the registry, and replay."""
import math

import numpy as np
import pytest
from scipy import stats

from bounds import BOUNDS, evaluate
from bounds.lemma_4_9 import statement as lemma_4_9
from verify.model.algorithms import registry_stepsize_factor, run
from verify.checks.convergence import build_convergence_family
from verify.judge.evidence import Verdict
from verify.model.objectives import meta_gradient
from verify.checks.table_1_scaling import (COROLLARIES, MARGIN, SCALING_BOUND_IDS, Lockstep, SlopeFit,
    asymptotic_exponent, build_family, claimed_slope, contraction_rate, decide, drift, edge_batches,
    family_values, fit_boxes, fit_exact, fit_levels, fixed_point, main, mean_direction, moved_past,
    ols_slope, smallest_equal_constants, smallest_product_admitted)
from verify.checks.instances import alpha_for


# ---------------------------------------------------------------------- claims read from the registry
@pytest.mark.parametrize("bound_id, exponent", [
    ("table_1_maml_best_accuracy", 1), ("table_1_fo_maml_best_accuracy", 1), ("table_1_hf_maml_iterations", -2),
    ("table_1_fo_maml_iterations", -2), ("table_1_maml_samples", -4), ("table_1_fo_maml_samples", -4),
    ("table_1_hf_maml_k_shot", -0.5), ("table_1_fo_maml_k_shot", 0)])
def test_asymptotic_exponents_are_read_from_the_registry(bound_id, exponent):
    assert float(asymptotic_exponent(BOUNDS[bound_id])) == exponent


def test_fo_maml_exponents_in_sigma_are_read_from_the_registry():
    assert float(asymptotic_exponent(BOUNDS["table_1_fo_maml_best_accuracy"], "sigma")) == 1
    assert float(asymptotic_exponent(BOUNDS["table_1_fo_maml_samples"], "sigma")) == -2


def test_the_twelve_checked_bounds_are_the_scaling_cells_but_the_runtime_column():
    # The erratum's corrected cell is judged by the H.1 counterexample check, on the runs that refute the printed one.
    scaling = {b for b, bound in BOUNDS.items()
               if b.startswith("table_1_") and bound.kind.value == "scaling" and not bound.corrects}
    assert SCALING_BOUND_IDS == {b for b in scaling if not b.endswith("_runtime")} and len(SCALING_BOUND_IDS) == 12


def test_claimed_slope_of_a_power_law_is_its_power_and_of_a_sum_its_slope_on_the_grid():
    grid = [4.0, 16.0, 64.0]
    v = [{"sigma": 0.5, "sigma_tilde": 1.0}] * 3
    assert claimed_slope(BOUNDS["table_1_maml_k_shot"], "K", grid, v) == pytest.approx(-0.5)
    g = [0.5 + 1 / math.sqrt(k) for k in grid]
    assert claimed_slope(BOUNDS["table_1_fo_maml_k_shot"], "K", grid, v) == pytest.approx(ols_slope(grid, g))


# ---------------------------------------------------------------------- fits
def test_ols_slope_is_exact_on_power_laws():
    x = np.geomspace(0.01, 1, 5)
    assert ols_slope(x, 3.0 * x ** -1.7) == pytest.approx(-1.7, abs=1e-12)
    f = fit_exact(x, x ** 2)
    assert f.lower == f.upper == pytest.approx(2.0)


def _coverage(paired: bool, correlated: bool, reps=2000, delta=0.025, R=16, p=1.0, seed=0):
    """Fraction of synthetic experiments whose interval contains the true slope (each side error delta)."""
    rng = np.random.default_rng(seed)
    x = np.array([0.5, 0.125, 0.03125])
    truth = 2.0 * x ** p
    hits = 0
    for _ in range(reps):
        common = rng.standard_normal(R)
        Y = []
        for j in range(3):
            z = 0.8 * common + 0.6 * rng.standard_normal(R) if correlated else rng.standard_normal(R)
            Y.append(truth[j] * rng.gamma(4.0, 0.25, R) * np.exp(0.1 * z))  # skewed, mean-preserving up to a constant
        f = fit_levels(x, Y, delta, paired=paired)
        hits += f.lower <= p <= f.upper
    return hits / reps


@pytest.mark.parametrize("paired, correlated", [(True, True), (True, False), (False, False)])
def test_level_fit_interval_covers_the_true_exponent_at_its_level(paired, correlated):
    # The multiplicative noise has the same law at every point, so E Y_j is proportional to x_j^p.
    cover = _coverage(paired, correlated)
    nominal = 1 - 2 * 0.025
    # Binomial standard error of 2000 draws at 0.95 is 0.005: a coverage below 0.93 is a miscalibrated interval.
    assert cover >= nominal - 0.02, f"coverage {cover} below the nominal {nominal}"
    assert cover <= 0.995, f"coverage {cover}: the interval is needlessly wide"


def test_common_random_numbers_narrow_the_paired_interval_and_it_stays_valid():
    rng = np.random.default_rng(3)
    x = [1.0, 2.0, 4.0]
    base = rng.gamma(4.0, 0.25, 32)
    Y = [base * xi * (1 + 0.01 * rng.standard_normal(32)) for xi in x]
    paired = fit_levels(x, Y, 1e-3, paired=True)
    independent = fit_levels(x, Y, 1e-3, paired=False)
    assert paired.lower <= 1.0 <= paired.upper
    assert paired.halfwidth < 0.2 * independent.halfwidth


def test_level_fit_refuses_what_it_cannot_take_the_log_of():
    with pytest.raises(ValueError):
        fit_levels([1, 2], [[1.0, 2.0], [-3.0, -1.0]], 0.01)
    with pytest.raises(ValueError):
        fit_levels([1, 2], [[1.0, np.inf], [1.0, 2.0]], 0.01)
    with pytest.raises(ValueError):
        fit_levels([1, 1], [[1.0, 2.0], [1.0, 2.0]], 0.01)


def test_box_fit_brackets_every_slope_through_the_boxes():
    rng = np.random.default_rng(1)
    x = [0.5, 0.25, 0.125, 0.0625]
    lo = np.array([10.0, 25.0, 40.0, 70.0])
    hi = lo * np.array([1.3, 1.2, 1.5, 1.1])
    f = fit_boxes(x, np.sqrt(lo * hi), lo, hi)
    slopes = [ols_slope(x, lo + rng.random(4) * (hi - lo)) for _ in range(2000)]
    assert f.lower <= min(slopes) and max(slopes) <= f.upper
    # The extremes are attained at corners.
    c = np.log(x) - np.mean(np.log(x))
    assert f.lower == pytest.approx(ols_slope(x, np.where(c > 0, lo, hi)))
    assert f.upper == pytest.approx(ols_slope(x, np.where(c > 0, hi, lo)))


def test_box_fit_with_an_unbounded_point_is_unbounded_on_that_side():
    f = fit_boxes([1.0, 0.5, 0.25], [10, 20, 40], [9, 18, 35], [11, 22, math.inf])
    assert f.lower == -math.inf and math.isfinite(f.upper)


# ---------------------------------------------------------------------- the decision rule
def _fit(lower, upper, x=(0.5, 0.125, 0.03125)):
    return SlopeFit(0.5 * (lower + upper), lower, upper, x, (1.0, 1.0, 1.0), "synthetic", 1e-3)


@pytest.mark.parametrize("variable, claimed", [("epsilon", 1.0), ("alpha", -2.0), ("K", -0.5)])
def test_decide_just_inside_just_outside_and_straddling(variable, claimed):
    o = 1 if variable == "K" else -1  # growth exponent = o * slope
    edge = o * (o * claimed + MARGIN)  # the slope at which the growth exponent is the claim's + margin
    tiny = 1e-6
    # Growth interval entirely at or below the claim + margin: holds.
    assert decide(_fit(*sorted((edge - o * 0.1, edge - o * tiny))), claimed, variable) is Verdict.HOLDS
    # Entirely above: violated.
    assert decide(_fit(*sorted((edge + o * tiny, edge + o * 0.1))), claimed, variable) is Verdict.VIOLATED
    # Straddling: inconclusive.
    assert decide(_fit(*sorted((edge - o * 0.05, edge + o * 0.05))), claimed, variable) is Verdict.INCONCLUSIVE


def test_decide_on_synthetic_power_laws_near_the_claim():
    """Levels Q = x^s with small noise: s at the claim holds, s past the margin by 0.15 is violated."""
    rng = np.random.default_rng(7)
    x = np.array([0.5, 0.125, 0.03125])
    for s, expected in ((1.0, Verdict.HOLDS), (1.0 - MARGIN + 0.1, Verdict.HOLDS),
                        (1.0 - MARGIN - 0.15, Verdict.VIOLATED)):
        Y = [x_j ** s * rng.gamma(100.0, 0.01, 32) for x_j in x]
        assert decide(fit_levels(x, Y, 1e-5, paired=False), 1.0, "epsilon") is expected, s


def test_controls_built_from_a_fit_are_refuted_by_it():
    f = _fit(0.9, 1.1)
    assert decide(f, moved_past(f, "epsilon"), "epsilon") is Verdict.VIOLATED
    assert decide(f, 2.0, "epsilon") is Verdict.VIOLATED  # accuracy claimed O(eps^2)
    g = _fit(-0.55, -0.45)
    assert decide(g, moved_past(g, "K"), "K") is Verdict.VIOLATED
    assert decide(g, -1.0, "K") is Verdict.VIOLATED  # K-shot claimed O(1/K)


def test_drift_is_the_growth_of_the_implied_constant_across_the_grid():
    f = SlopeFit(0.5, 0.5, 0.5, (1.0, 16.0), (1.0, 4.0), "exact")
    assert drift(f, 0.5, "K") == pytest.approx(1.0)
    assert drift(f, 0.0, "K") == pytest.approx(4.0)  # Q grows like K^(1/2) where O(1) was claimed


# ---------------------------------------------------------------------- family, batch sizes
def test_family_has_the_requested_dissimilarity_and_shared_hessian_oracles():
    fam = build_family(11, 3, 5, 0.8, 0.37, 0.5)
    c = fam.constants
    assert c.sigma.value == pytest.approx(0.37, rel=1e-12) and c.sigma.domain.is_global and c.rho.value == 0
    assert c.L.value == pytest.approx(1.0) and c.sigma_tilde.value == pytest.approx(0.5)
    rng = np.random.default_rng(0)
    W, tasks, V = rng.standard_normal((7, 3)), rng.integers(0, 5, 7), rng.standard_normal((7, 3))
    base = fam.base
    A = base.A[tasks]
    assert np.allclose(base._gradient(W, tasks), np.einsum("tij,tj->ti", A, W) + base.b[tasks], atol=1e-14)
    assert np.allclose(base._hvp(W, V, tasks), np.einsum("tij,tj->ti", A, V), atol=1e-14)
    # The same seed with another sigma: the same tasks, dissimilarity scaled.
    other = build_family(11, 3, 5, 0.8, 0.74, 0.5).base
    assert np.allclose(other.A, base.A) and np.allclose(other.b - other.b.mean(0), 2 * (base.b - base.b.mean(0)))


def test_edge_batches_are_the_smallest_the_corollary_admits():
    bound = BOUNDS["corollary_4_13"]
    fam = build_family(2, 3, 4, 0.8, 0.5, 1.0)
    values = {**family_values(fam, alpha_for(bound, 0.25, fam.constants.L.value)), "epsilon": 0.1}
    k = smallest_equal_constants(bound, values)
    assert bound.admits({**values, "K_1": k, "K_2": k, **edge_batches(bound, {**values, "K_1": k, "K_2": k}),
                         "best_expected_grad_F_norm": 0.0})
    smaller = float(np.nextafter(k, 0)) * (1 - 1e-12)
    b = edge_batches(bound, {**values, "K_1": k, "K_2": k})
    with pytest.raises(Exception):
        edge_batches(bound, {**values, "K_1": smaller, "K_2": smaller, "B": b["B"]})
    for name in ("B", "D_in", "D_o"):
        fewer = {**b, name: b[name] - 1}
        assert not bound.admits({**fewer, "best_expected_grad_F_norm": 0.0}), name
    # D_o from the product condition B D_o >= K_2 sigma~^2 / eps^2, with B fixed.
    assert b["D_o"] == math.ceil(b["K_2"] * b["sigma_tilde"] ** 2 / b["epsilon"] ** 2 / b["B"] - 1e-9)
    assert smallest_product_admitted(bound, "D_o", b) == b["D_o"]


def test_fo_maml_edge_batches_grow_like_one_over_alpha_squared():
    bound = BOUNDS[COROLLARIES["fo_maml"]]
    fam = build_family(2, 3, 4, 0.8, 0.5, 1.0)
    sizes = [edge_batches(bound, {**family_values(fam, a), "K_1": 0.2, "K_2": 2.0})["B"] for a in (0.02, 0.01)]
    assert sizes[1] == pytest.approx(4 * sizes[0], rel=0.01)


# ---------------------------------------------------------------------- lockstep runs
def _kwargs(alg):
    return dict(B=5, D_in=3, D_o=2, D_h=2, B_prime=3, D_beta=2)


@pytest.mark.parametrize("algorithm", ["maml", "fo_maml", "hf_maml"])
@pytest.mark.parametrize("kind", ["quadratic", "trigonometric"])
def test_one_run_in_lockstep_is_run_draw_for_draw(algorithm, kind):
    if kind == "quadratic":
        fam, delta = build_family(5, 3, 4, 0.8, 0.5, 1.0), 1.0
    else:
        fam, delta = build_convergence_family("noisy-trigonometric", np.random.default_rng(3), 3, 4, 0.5, 0.5), \
            "theorem_h_1"
    alpha = 0.1 / fam.constants.L.value
    c = registry_stepsize_factor(algorithm)
    kw = _kwargs(algorithm)
    d = delta if algorithm == "hf_maml" else None
    ls = Lockstep(algorithm, fam, alpha, stepsize_factor=c, delta=d, draw_stepsize_batches=True, **kw)
    w0 = np.full(3, 0.3)
    trace = run(algorithm, fam, w0, alpha, 15, rng=np.random.default_rng(7), stepsize_factor=c, delta=d,
                **{**kw, "D_h": None if algorithm == "fo_maml" else kw["D_h"]})
    rng = np.random.default_rng(7)
    W, norms = w0[None, :].copy(), []
    for _ in range(15):
        norms.append(ls.grad_F_norms(W)[0])
        W = ls.step(W, rng)
    norms.append(ls.grad_F_norms(W)[0])
    assert np.allclose(norms, trace.grad_F_norm, rtol=1e-12, atol=1e-15)
    assert np.allclose(W[0], trace.w, rtol=1e-12, atol=1e-15)


def test_without_the_stepsize_batch_the_stepsize_is_unchanged_when_rho_is_zero():
    fam = build_family(5, 3, 4, 0.8, 0.5, 1.0)
    kw = _kwargs("maml")
    a = Lockstep("fo_maml", fam, 0.05, stepsize_factor=1 / 18, draw_stepsize_batches=True, **kw)
    b = Lockstep("fo_maml", fam, 0.05, stepsize_factor=1 / 18, **kw)
    assert not b.draw_stepsize_batches
    # One step from the fixed point with the same meta-batches: B' is drawn first by a, so give b the
    # generator state after it; the steps then agree exactly.
    W = np.tile(fixed_point("fo_maml", fam, 0.05), (2, 1))
    ra, rb = np.random.default_rng(1), np.random.default_rng(1)
    fam.sample_tasks(2 * kw["B_prime"], rb)
    fam.draw_batch(np.zeros(2 * kw["B_prime"], dtype=int), kw["D_beta"], rb)
    assert np.allclose(a.step(W, ra), b.step(W, rb), rtol=1e-13)
    trig = build_convergence_family("noisy-trigonometric", np.random.default_rng(3), 3, 4, 0.5, 0.5)
    with pytest.raises(Exception):
        Lockstep("maml", trig, 0.01, stepsize_factor=1 / 12, draw_stepsize_batches=False, **kw)


def test_lockstep_measures_grad_F_exactly():
    fam = build_family(4, 3, 4, 0.8, 0.5, 1.0)
    ls = Lockstep("maml", fam, 0.1, stepsize_factor=1 / 12, **_kwargs("maml"))
    W = np.random.default_rng(0).standard_normal((6, 3))
    expected = [np.linalg.norm(meta_gradient(fam, w, 0.1)) for w in W]
    assert np.allclose(ls.grad_F_norms(W), expected, rtol=1e-13)


@pytest.mark.parametrize("algorithm", ["maml", "fo_maml", "hf_maml"])
def test_fixed_point_and_contraction_rate_of_the_mean_dynamics(algorithm):
    fam = build_family(4, 3, 4, 0.8, 0.5, 1.0)
    alpha = 0.05
    w = fixed_point(algorithm, fam, alpha)
    assert np.linalg.norm(mean_direction(algorithm, fam, w, alpha)) < 1e-12
    c = registry_stepsize_factor(algorithm)
    r = contraction_rate(algorithm, fam, alpha, c, w)
    A = fam.base.A[0]
    C = np.eye(3) - alpha * A
    J = C @ A if algorithm == "fo_maml" else C @ A @ C
    beta_tilde = evaluate(lemma_4_9.BETA_TILDE_EXPANDED, {"L": fam.constants.L.value, "rho": 0.0, "alpha": alpha,
                                                          "batch_grad_norm": np.zeros(1)})
    assert r == pytest.approx(c * beta_tilde * np.linalg.eigvalsh(J).min(), rel=1e-10)


# ---------------------------------------------------------------------- replay
def test_replay_reproduces_an_exact_instance_and_refuses_unknown_checks(capsys):
    inst = ('{"check": "table_1_maml_samples@noisy-quadratic-pd", "params": {"alpha_frac": 0.25, "d": 3, '
            '"decades": 2, "family_seed": 1, "floor": 0.8, "n": 4, "noise": 1.0, "points": 5, "sigma": 0.5, '
            '"top": 0.5}, "seed": 3}')
    assert main([inst]) == 0
    out = capsys.readouterr().out
    assert "holds" in out and "negative control" in out and "violated" in out
    assert main(['{"check": "table_1_maml_runtime@x", "params": {}, "seed": 1}']) == 2


def test_t_quantiles_used_are_scipys():
    # The level interval's half-width is t_{1-delta, R-1} sd(Z)/sqrt(R): checked on a tiny case by hand.
    x = [1.0, 4.0]
    Y = [np.array([1.0, 1.2, 0.8]), np.array([2.0, 2.6, 1.4])]
    f = fit_levels(x, Y, 0.05, paired=True)
    c = np.array([-1, 1]) / math.log(4)
    Z = c @ (np.array(Y) / np.array([1.0, 2.0])[:, None])
    h = stats.t.ppf(0.95, 2) * Z.std(ddof=1) / math.sqrt(3)
    assert f.exponent == pytest.approx(math.log(2) / math.log(4)) and f.halfwidth == pytest.approx(h)
