"""Unit tests of the exact objects: F (2), grad F (6)/(35), F-hat (3), grad F-hat (66), L(w), L~(w), beta~(w)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bounds import evaluate
from bounds.lemma_4_8 import statement as lemma_4_8
from bounds.lemma_4_9 import statement as lemma_4_9
from verify.model import objectives as obj
from verify.model.errors import ALL_TASKS, EXACT, OutsideDomain, ParameterError
from verify.model.families import EXAMPLES, examples

SEEDS = st.integers(0, 2 ** 32 - 1)
FAST = settings(max_examples=6, deadline=None)
FD_STEP = 1e-5
FD_RTOL = 1e-6
Z = 5.0
CLOSED_FORM = [n for n in EXAMPLES if n not in ("noisy-rank-one", "noisy-trigonometric")]


def setup(name, seed):
    fam = examples(seed)[name]
    rng = np.random.default_rng(seed)
    w = fam.domain.sample(rng, 1, fam.dim, scale=1.0)[0]
    alpha = float(rng.uniform(0.05, 1.0)) / fam.constants.L.value  # inside Lemma 4.8's [0, 1/L]
    return fam, rng, w, alpha


def directional_differences(fun, w, rng, n_dirs=3):
    dirs = rng.standard_normal((n_dirs, len(w)))
    dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
    return dirs, np.array([(fun(w + FD_STEP * e) - fun(w - FD_STEP * e)) / (2 * FD_STEP) for e in dirs])


@pytest.mark.parametrize("name", EXAMPLES)
@FAST
@given(seed=SEEDS)
def test_meta_gradient_matches_central_differences_of_F(name, seed):
    fam, rng, w, alpha = setup(name, seed)
    dirs, fd = directional_differences(lambda u: obj.meta_objective(fam, u, alpha), w, rng)
    grad = obj.meta_gradient(fam, w, alpha)
    scale = 1 + abs(obj.meta_objective(fam, w, alpha)) + np.linalg.norm(grad)
    np.testing.assert_array_less(np.abs(dirs @ grad - fd), FD_RTOL * scale)


@pytest.mark.parametrize("name", EXAMPLES)
@FAST
@given(seed=SEEDS)
def test_task_meta_gradients_are_gradients_of_task_meta_objectives(name, seed):
    fam, rng, w, alpha = setup(name, seed)
    dirs, fd = directional_differences(lambda u: obj.task_meta_objectives(fam, u, alpha), w, rng)
    G = obj.task_meta_gradients(fam, w, alpha)
    scale = 1 + np.abs(obj.task_meta_objectives(fam, w, alpha)) + np.linalg.norm(G, axis=1)
    assert np.all(np.abs(dirs @ G.T - fd) <= FD_RTOL * scale)


@pytest.mark.parametrize("name", CLOSED_FORM)
@FAST
@given(seed=SEEDS, D_test=st.integers(1, 6))
def test_closed_form_grad_F_hat_matches_differences_of_F_hat(name, seed, D_test):
    fam, rng, w, alpha = setup(name, seed)
    est = obj.meta_objective_test(fam, w, alpha, D_test)
    assert est.exact and est.standard_error == 0
    dirs, fd = directional_differences(lambda u: obj.meta_objective_test(fam, u, alpha, D_test).value, w, rng)
    grad = obj.meta_gradient_test(fam, w, alpha, D_test).value
    scale = 1 + abs(est.value) + np.linalg.norm(grad)
    np.testing.assert_array_less(np.abs(dirs @ grad - fd), FD_RTOL * scale)


@pytest.mark.parametrize("name", ["regression", "noisy-quadratic"])
@settings(max_examples=3, deadline=None)
@given(seed=SEEDS, D_test=st.integers(1, 4))
def test_closed_form_F_hat_agrees_with_monte_carlo(name, seed, D_test):
    # The Monte Carlo path of (3) and (66), forced on a family that also has the closed form.
    fam, rng, w, alpha = setup(name, seed)
    exact_F = obj.meta_objective_test(fam, w, alpha, D_test).value
    exact_G = obj.meta_gradient_test(fam, w, alpha, D_test).value
    vals = obj._monte_carlo(fam, w, alpha, D_test, rng, 20_000, gradient=False)
    assert abs(vals.mean() - exact_F) <= Z * vals.std(ddof=1) / np.sqrt(len(vals)) + 1e-12
    grads = obj._monte_carlo(fam, w, alpha, D_test, rng, 20_000, gradient=True)
    assert np.all(np.abs(grads.mean(axis=0) - exact_G) <= Z * grads.std(axis=0, ddof=1) / np.sqrt(len(grads)) + 1e-12)


def test_F_hat_differs_from_F_by_the_sample_variance_and_vanishes_with_large_D_test():
    fam, rng, w, alpha = setup("regression", 4)
    F = obj.meta_objective(fam, w, alpha)
    gaps = [obj.meta_objective_test(fam, w, alpha, D).value - F for D in (1, 10, 100)]
    assert gaps[0] > 0  # the test-batch noise can only add alpha^2/2 tr(A Cov) >= 0 on convex tasks
    np.testing.assert_allclose(gaps[1] * 10, gaps[0], rtol=1e-10)
    np.testing.assert_allclose(gaps[2] * 100, gaps[0], rtol=1e-10)
    assert obj.meta_objective_test(fam, w, alpha, EXACT).value == F


def test_monte_carlo_F_hat_reports_a_standard_error():
    fam, rng, w, alpha = setup("noisy-rank-one", 1)
    est = obj.meta_objective_test(fam, w, alpha, 2, rng, n_samples=500)
    assert not est.exact and est.standard_error > 0 and est.n_samples == 500
    grad = obj.meta_gradient_test(fam, w, alpha, 2, rng, n_samples=500)
    assert grad.value.shape == (fam.dim,) and np.all(grad.standard_error > 0)
    lo, hi = est.interval(Z)
    assert lo < est.value < hi
    with pytest.raises(ParameterError) as err:
        obj.meta_objective_test(fam, w, alpha, 2)
    assert err.value.parameter == "rng"


# ---------------------------------------------------------------------- L(w), L~(w), beta~(w)
@pytest.mark.parametrize("name", [n for n in EXAMPLES if n != "quadratic-indefinite"])
def test_L_of_w_is_the_registry_expression_at_the_task_gradients(name):
    fam, rng, w, alpha = setup(name, 0)
    c = fam.constants.values()
    norms = np.array([np.linalg.norm(fam.gradient(w, [i])[0]) for i in range(fam.n_tasks)])
    expected = evaluate(lemma_4_8.L_OF_W.expr, {"L": c["L"], "rho": c["rho"], "alpha": alpha,
                                                "grad_fi_norm_w": norms}, task_weights=fam.probabilities)
    assert obj.smoothness_L_of_w(fam, w, alpha) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("name", ["trigonometric", "rank-one", "regression", "noisy-rank-one"])
def test_L_tilde_over_all_tasks_with_exact_gradients_is_L_of_w(name):
    fam, rng, w, alpha = setup(name, 1)
    Lw = obj.smoothness_L_of_w(fam, w, alpha)
    assert obj.L_tilde(fam, w, alpha, ALL_TASKS, EXACT) == pytest.approx(Lw, rel=1e-13)
    assert obj.stepsize_beta_tilde(fam, w, alpha, ALL_TASKS, EXACT) == pytest.approx(1 / Lw, rel=1e-13)


def test_beta_tilde_is_one_over_L_tilde_for_the_same_draw():
    fam, _, w, alpha = setup("noisy-trigonometric", 2)
    a = obj.L_tilde(fam, w, alpha, 5, 3, np.random.default_rng(9))
    b = obj.stepsize_beta_tilde(fam, w, alpha, 5, 3, np.random.default_rng(9))
    assert a * b == pytest.approx(1.0, rel=1e-14)
    # the draw is random: another seed gives another estimate (the noise enters every norm)
    assert obj.L_tilde(fam, w, alpha, 5, 3, np.random.default_rng(10)) != a


def test_L_tilde_is_unbiased_for_L_of_w_without_data_noise():
    # With exact gradients, E_{B'} of the batch mean of ||grad f_j(w)|| is E_i ||grad f_i(w)||,
    # so E L~(w) = L(w) exactly (L~ is affine in the batch mean).
    fam, rng, w, alpha = setup("trigonometric", 3)
    draws = np.array([obj.L_tilde(fam, w, alpha, 3, EXACT, rng) for _ in range(3000)])
    assert abs(draws.mean() - obj.smoothness_L_of_w(fam, w, alpha)) <= Z * draws.std(ddof=1) / np.sqrt(len(draws))


def test_beta_tilde_definition_is_taken_from_the_registry():
    assert lemma_4_9.BETA_TILDE_EXPANDED == 1 / lemma_4_9.L_TILDE.expr


# ---------------------------------------------------------------------- bad input
@pytest.mark.parametrize("alpha", [-0.1, np.nan, np.inf, "0.1", True])
def test_bad_alpha_is_refused_everywhere(alpha):
    fam, rng, w, _ = setup("trigonometric", 0)
    for fn in (obj.meta_objective, obj.meta_gradient, obj.smoothness_L_of_w):
        with pytest.raises(ParameterError) as err:
            fn(fam, w, alpha)
        assert err.value.parameter == "alpha"


def test_alpha_above_one_over_L_is_refused_where_lemma_4_8_is_needed():
    fam, rng, w, _ = setup("rank-one", 0)
    L = fam.constants.L.value
    assert obj.smoothness_L_of_w(fam, w, 1 / L) > 0  # the end point is inside
    with pytest.raises(ParameterError) as err:
        obj.smoothness_L_of_w(fam, w, 1.01 / L)
    assert err.value.parameter == "alpha" and "Lemma 4.8" in str(err.value)
    with pytest.raises(ParameterError):
        obj.stepsize_beta_tilde(fam, w, 2 / L, ALL_TASKS, EXACT)
    # F and grad F are formulas for every alpha >= 0, but no result of the paper speaks of alpha L > 1:
    # they are refused there unless the caller asks for it by name.
    with pytest.raises(ParameterError) as err:
        obj.meta_objective(fam, w, 2 / L)
    assert err.value.parameter == "alpha" and "allow_outside_hypotheses" in str(err.value)
    assert np.isfinite(obj.meta_objective(fam, w, 2 / L, allow_outside_hypotheses=True))


def test_point_outside_the_certified_domain_is_refused():
    fam, rng, w, alpha = setup("rank-one", 0)
    outside = np.full(fam.dim, 2 * fam.domain.radius)
    with pytest.raises(OutsideDomain) as err:
        obj.smoothness_L_of_w(fam, outside, alpha)
    assert err.value.parameter == "w"


def test_infinite_sigma_or_constants_are_not_used_silently():
    fam, rng, w, alpha = setup("quadratic-indefinite", 0)
    assert np.isinf(fam.constants.sigma.value)  # distinct A_i: sigma is finite only on a ball
    assert np.isfinite(obj.smoothness_L_of_w(fam, w, alpha))  # L(w) needs only L and rho


@pytest.mark.parametrize("value, parameter", [(0, "D_test"), (-2, "D_test"), (2.5, "D_test"), ("all", "D_test")])
def test_bad_test_batch_is_refused(value, parameter):
    fam, rng, w, alpha = setup("regression", 0)
    with pytest.raises(ParameterError) as err:
        obj.meta_objective_test(fam, w, alpha, value, rng)
    assert err.value.parameter == parameter


@pytest.mark.parametrize("B_prime, D_beta, parameter", [(0, 2, "B_prime"), (3, 0, "D_beta"), (EXACT, 2, "B_prime"),
                                                         (3, ALL_TASKS, "D_beta")])
def test_bad_stepsize_batches_are_refused(B_prime, D_beta, parameter):
    fam, rng, w, alpha = setup("regression", 0)
    with pytest.raises(ParameterError) as err:
        obj.stepsize_beta_tilde(fam, w, alpha, B_prime, D_beta, rng)
    assert err.value.parameter == parameter


def test_bad_points_are_refused():
    fam, rng, w, alpha = setup("regression", 0)
    for bad in (np.full(fam.dim, np.nan), np.zeros(fam.dim + 1), np.zeros((2, fam.dim))):
        with pytest.raises(ParameterError) as err:
            obj.meta_gradient(fam, bad, alpha)
        assert err.value.parameter == "w"
