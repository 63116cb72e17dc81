"""Unit tests of the task families: oracles against independent differences, declared constants against the tasks."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.model.errors import OutsideDomain, ParameterError
from verify.model.families import (EXAMPLES, Batch, Domain, NoisyFamily, QuadraticFamily, RankOneFamily,
    RegressionFamily, TrigonometricFamily, examples)
from verify.model.families._ball import max_convex_quadratic_on_ball
from verify.model.families.base import spectral_norm

SEEDS = st.integers(0, 2 ** 32 - 1)
FAST = settings(max_examples=6, deadline=None)

# Central differences with step h have truncation error h^2/6 sup|f'''| and rounding
# error ~ eps |f| / h; with h = 1e-5 both stay below 1e-7 of the scale for these families.
FD_STEP = 1e-5
FD_RTOL = 1e-6
# A declared constant must hold up to rounding of the quantity compared with it.
CONSTANT_RTOL = 1e-9
# Monte Carlo statements are accepted within this many standard errors (the tests are
# seeded by hypothesis, so a failure replays; 5 SE makes a false alarm ~ 3e-7 per check).
Z = 5.0


def family(name: str, seed: int):
    return examples(seed)[name]


def points(fam, rng, n=6, *, boundary=False):
    """Random points of the family's certified domain (half of them on its boundary if ``boundary``)."""
    W = fam.domain.sample(rng, n, fam.dim, scale=1.5)
    if boundary and not fam.domain.is_global:
        c = fam.domain.centre_in(fam.dim)
        half = n // 2
        dirs = W[:half] - c
        W[:half] = c + fam.domain.radius * dirs / np.linalg.norm(dirs, axis=1, keepdims=True)
    return W


# ---------------------------------------------------------------------- oracles vs differences
@pytest.mark.parametrize("name", EXAMPLES)
@FAST
@given(seed=SEEDS)
def test_gradient_matches_central_differences_of_loss(name, seed):
    fam = family(name, seed)
    rng = np.random.default_rng(seed)
    for w in points(fam, rng, 3):
        e = rng.standard_normal(fam.dim)
        e /= np.linalg.norm(e)
        fd = (fam.loss(w + FD_STEP * e) - fam.loss(w - FD_STEP * e)) / (2 * FD_STEP)
        exact = fam.gradient(w) @ e
        scale = 1 + np.abs(fam.loss(w)) + np.linalg.norm(fam.gradient(w), axis=1)
        np.testing.assert_array_less(np.abs(fd - exact), FD_RTOL * scale)


@pytest.mark.parametrize("name", EXAMPLES)
@FAST
@given(seed=SEEDS)
def test_hessian_matches_differences_of_gradient(name, seed):
    fam = family(name, seed)
    rng = np.random.default_rng(seed)
    w = points(fam, rng, 1)[0]
    H = fam.hessian(w)
    eye = np.eye(fam.dim)
    cols = [(fam.gradient(w + FD_STEP * eye[j]) - fam.gradient(w - FD_STEP * eye[j])) / (2 * FD_STEP)
            for j in range(fam.dim)]
    fd = np.stack(cols, axis=2)
    scale = 1 + np.abs(H).max()
    assert np.abs(fd - H).max() <= FD_RTOL * scale
    np.testing.assert_allclose(H, np.swapaxes(H, 1, 2), atol=1e-12 * scale)


@pytest.mark.parametrize("name", EXAMPLES)
@FAST
@given(seed=SEEDS)
def test_hvp_matches_explicit_hessian(name, seed):
    fam = family(name, seed)
    rng = np.random.default_rng(seed)
    W = points(fam, rng, fam.n_tasks)
    V = rng.standard_normal(W.shape)
    H = fam.hessian(W)
    np.testing.assert_allclose(fam.hvp(W, V), np.einsum("tij,tj->ti", H, V), rtol=1e-12, atol=1e-12 * np.abs(H).max())
    batch = fam.draw_batch(np.arange(fam.n_tasks), 3, rng)
    Hb = fam.batch_hessian(W, batch)
    np.testing.assert_allclose(fam.batch_hvp(W, V, batch), np.einsum("tij,tj->ti", Hb, V), rtol=1e-12,
                               atol=1e-12 * np.abs(Hb).max())


@FAST
@given(seed=SEEDS, size=st.integers(1, 5))
def test_per_sample_oracles_are_derivatives_of_the_batch_loss(seed, size):
    # The data-driven family's batch gradient and Hessian must be the derivatives of the batch loss,
    # which is what makes (66) the gradient of F-hat.
    fam = family("regression", seed)
    rng = np.random.default_rng(seed)
    w = points(fam, rng, 1)[0]
    batch = fam.draw_batch(np.arange(fam.n_tasks), size, rng)
    eye = np.eye(fam.dim)
    g = fam.batch_gradient(w, batch)
    fd_g = np.stack([(fam.batch_loss(w + FD_STEP * eye[j], batch) - fam.batch_loss(w - FD_STEP * eye[j], batch))
                     / (2 * FD_STEP) for j in range(fam.dim)], axis=1)
    assert np.abs(fd_g - g).max() <= FD_RTOL * (1 + np.abs(g).max() + np.abs(fam.batch_loss(w, batch)).max())
    H = fam.batch_hessian(w, batch)
    fd_H = np.stack([(fam.batch_gradient(w + FD_STEP * eye[j], batch) - fam.batch_gradient(w - FD_STEP * eye[j], batch))
                     / (2 * FD_STEP) for j in range(fam.dim)], axis=2)
    assert np.abs(fd_H - H).max() <= FD_RTOL * (1 + np.abs(H).max())


@pytest.mark.parametrize("name", EXAMPLES)
@settings(max_examples=3, deadline=None)
@given(seed=SEEDS)
def test_stochastic_oracles_are_unbiased(name, seed):
    fam = family(name, seed)
    rng = np.random.default_rng(seed)
    w = points(fam, rng, 1)[0]
    reps = 3000
    tasks = np.tile(np.arange(fam.n_tasks), reps)
    batch = fam.draw_batch(tasks, 1, rng)
    G = fam.batch_gradient(w, batch).reshape(reps, fam.n_tasks, fam.dim)
    se = G.std(axis=0, ddof=1) / np.sqrt(reps)
    assert np.all(np.abs(G.mean(axis=0) - fam.gradient(w)) <= Z * se + 1e-12)


@pytest.mark.parametrize("name", EXAMPLES)
@settings(max_examples=2, deadline=None)
@given(seed=SEEDS)
def test_gradient_noise_second_moment_is_the_sample_variance(name, seed):
    """E||grad~ f_i(w, D) - grad f_i(w)||^2 = m_i(w)/D, the identity (21)'s check integrates D_o out with."""
    fam = family(name, seed)
    rng = np.random.default_rng(seed)
    w = points(fam, rng, 1)[0]
    W = np.broadcast_to(w, (fam.n_tasks, fam.dim))
    m = fam.gradient_noise_second_moment(W, np.arange(fam.n_tasks))
    if m is None:
        return  # the family cannot say; the check samples the outer batch instead
    reps, D = 4000, 3
    tasks = np.tile(np.arange(fam.n_tasks), reps)
    dev = fam.batch_gradient(w, fam.draw_batch(tasks, D, rng)) - fam.gradient(w)[tasks]
    sq = np.einsum("kd,kd->k", dev, dev).reshape(reps, fam.n_tasks)
    se = sq.std(axis=0, ddof=1) / np.sqrt(reps)
    assert np.all(np.abs(sq.mean(axis=0) - m / D) <= Z * se + 1e-12), (sq.mean(axis=0), m / D, se)


@pytest.mark.parametrize("coupling", ["independent", "same", "opposite"])
@pytest.mark.parametrize("size", [1, 3])
def test_two_point_batch_law_is_the_law_the_batches_are_drawn_from(coupling, size):
    """Family.batch_law: the probabilities sum to 1, and its exact means are the exact oracles (unbiased noise)."""
    rng = np.random.default_rng(size)
    base = QuadraticFamily.random(rng, 2, 3, spectrum="indefinite")
    fam = NoisyFamily(base, 0.7, 0.4, distribution="two_point", coupling=coupling)
    batch, q = fam.batch_law(np.arange(2), size)
    K = (size + 1) if coupling != "independent" else (size + 1) ** 2
    assert len(q) == K and q.sum() == pytest.approx(1.0, abs=1e-15) and np.all(q > 0)
    w = np.array([0.3, -0.2, 0.1])
    rows = np.broadcast_to(w, (K * 2, 3))
    G = fam.batch_gradient(rows, batch).reshape(K, 2, 3)
    H = fam.batch_hessian(rows, batch).reshape(K, 2, 3, 3)
    np.testing.assert_allclose(np.tensordot(q, G, axes=1), fam.gradient(w), atol=1e-14)
    np.testing.assert_allclose(np.tensordot(q, H, axes=1), fam.hessian(w), atol=1e-14)
    # One sample's noise: E||xi||^2 = sigma~^2 / D, the variance the draws have.
    xi = G - fam.gradient(w)
    np.testing.assert_allclose(q @ np.einsum("kid,kid->ki", xi, xi), np.full(2, 0.7 ** 2 / size), rtol=1e-13)


def test_regression_batch_law_enumerates_the_multisets_of_samples():
    fam = family("regression", 4)
    N, D = fam.samples_per_task, 2
    batch, q = fam.batch_law(np.arange(fam.n_tasks), D)
    assert len(q) == N * (N + 1) // 2 and q.sum() == pytest.approx(1.0, abs=1e-14)
    w = np.full(fam.dim, 0.2)
    rows = np.broadcast_to(w, (len(q) * fam.n_tasks, fam.dim))
    G = fam.batch_gradient(rows, batch).reshape(len(q), fam.n_tasks, fam.dim)
    np.testing.assert_allclose(np.tensordot(q, G, axes=1), fam.gradient(w), atol=1e-12)
    dev = G - fam.gradient(w)
    m = fam.gradient_noise_second_moment(np.broadcast_to(w, (fam.n_tasks, fam.dim)), np.arange(fam.n_tasks))
    np.testing.assert_allclose(q @ np.einsum("kid,kid->ki", dev, dev), m / D, rtol=1e-12)
    with pytest.raises(ParameterError, match="size"):
        fam.batch_law(np.arange(fam.n_tasks), 40)


def test_a_batch_law_that_is_not_finite_is_refused_and_exact_tasks_have_one_outcome():
    with pytest.raises(ParameterError, match="no finite law"):
        family("noisy-quadratic", 1).batch_law(np.arange(4), 2)
    batch, q = family("trigonometric", 1).batch_law(np.arange(4), 2)
    assert batch.is_exact and list(q) == [1.0]
    for name in ("noisy-quadratic", "regression"):  # the exact oracle is one outcome for any family
        batch, q = family(name, 1).batch_law(np.arange(4), "exact")
        assert batch.is_exact and list(q) == [1.0]


def test_exact_batch_is_the_exact_oracle():
    fam = family("regression", 3)
    w = np.ones(fam.dim) * 0.3
    batch = fam.draw_batch(np.arange(fam.n_tasks), "exact")
    np.testing.assert_array_equal(fam.batch_gradient(w, batch), fam.gradient(w))
    np.testing.assert_array_equal(fam.batch_hessian(w, batch), fam.hessian(w))


def test_noise_of_a_batch_is_fixed_so_central_differences_cancel_it():
    fam = family("noisy-quadratic", 5)
    rng = np.random.default_rng(5)
    w, v = rng.standard_normal(fam.dim), rng.standard_normal(fam.dim)
    batch = fam.draw_batch(np.arange(fam.n_tasks), 2, rng)
    diff = (fam.batch_gradient(w + 0.1 * v, batch) - fam.batch_gradient(w - 0.1 * v, batch)) / 0.2
    np.testing.assert_allclose(diff, fam.hvp(w, v), rtol=1e-10, atol=1e-12)
    again = fam.batch_gradient(w, batch)
    np.testing.assert_array_equal(again, fam.batch_gradient(w, batch))


# ---------------------------------------------------------------------- declared constants hold
def _pairs(fam, rng, n=8):
    W = points(fam, rng, n, boundary=True)
    U = points(fam, rng, n)
    return W, U


@pytest.mark.parametrize("name", EXAMPLES)
@FAST
@given(seed=SEEDS)
def test_declared_L_holds(name, seed):
    fam = family(name, seed)
    rng = np.random.default_rng(seed)
    L = fam.constants.L.value
    W, U = _pairs(fam, rng)
    for w, u in zip(W, U):
        assert spectral_norm(fam.hessian(w)).max() <= L * (1 + CONSTANT_RTOL)
        lhs = np.linalg.norm(fam.gradient(w) - fam.gradient(u), axis=1)
        assert np.all(lhs <= L * np.linalg.norm(w - u) * (1 + CONSTANT_RTOL) + 1e-12)


@pytest.mark.parametrize("name", EXAMPLES)
@FAST
@given(seed=SEEDS)
def test_declared_rho_holds(name, seed):
    fam = family(name, seed)
    rng = np.random.default_rng(seed)
    rho = fam.constants.rho.value
    W, U = _pairs(fam, rng)
    # pairs that are close probe the local constant, where the supremum is approached
    U[: len(U) // 2] = W[: len(U) // 2] + 1e-3 * rng.standard_normal((len(U) // 2, fam.dim))
    U = np.where(np.asarray(fam.domain.contains(U))[:, None], U, W)
    for w, u in zip(W, U):
        lhs = spectral_norm(fam.hessian(w) - fam.hessian(u))
        assert np.all(lhs <= rho * np.linalg.norm(w - u) * (1 + CONSTANT_RTOL) + 1e-11)


@pytest.mark.parametrize("name", EXAMPLES)
@FAST
@given(seed=SEEDS)
def test_declared_sigma_holds(name, seed):
    fam = family(name, seed)
    rng = np.random.default_rng(seed)
    sigma = fam.constants.sigma.value
    for w in points(fam, rng, 8, boundary=True):
        G = fam.gradient(w)
        dev = G - fam.probabilities @ G
        assert fam.probabilities @ np.sum(dev * dev, axis=1) <= sigma ** 2 * (1 + CONSTANT_RTOL)


@pytest.mark.parametrize("name", EXAMPLES)
@settings(max_examples=3, deadline=None)
@given(seed=SEEDS)
def test_declared_sigma_tilde_and_sigma_H_hold(name, seed):
    fam = family(name, seed)
    rng = np.random.default_rng(seed)
    c = fam.constants
    w = points(fam, rng, 2, boundary=True)[0]
    reps = 2000
    tasks = np.tile(np.arange(fam.n_tasks), reps)
    batch = fam.draw_batch(tasks, 1, rng)
    dg = fam.batch_gradient(w, batch) - fam.gradient(w, tasks)
    sq = np.sum(dg * dg, axis=1).reshape(reps, fam.n_tasks)
    assert np.all(sq.mean(axis=0) - Z * sq.std(axis=0, ddof=1) / np.sqrt(reps) <= c.sigma_tilde.value ** 2 + 1e-12)
    dH = spectral_norm(fam.batch_hessian(w, batch) - fam.hessian(w, tasks)) ** 2
    dH = dH.reshape(reps, fam.n_tasks)
    assert np.all(dH.mean(axis=0) - Z * dH.std(axis=0, ddof=1) / np.sqrt(reps) <= c.sigma_H.value ** 2 + 1e-12)


def _pool_deviations(fam: RegressionFamily, w):
    """Every sample of every task as a batch of size 1: exact expectations over the data distribution."""
    n, N = fam.n_tasks, fam.samples_per_task
    batch = Batch(np.repeat(np.arange(n), N), 1, np.tile(np.arange(N), n)[:, None])
    tasks = batch.tasks
    dg = (fam.batch_gradient(w, batch) - fam.gradient(w, tasks)).reshape(n, N, fam.dim)
    dH = (fam.batch_hessian(w, batch) - fam.hessian(w, tasks)).reshape(n, N, fam.dim, fam.dim)
    return dg, dH


@FAST
@given(seed=SEEDS)
def test_regression_sigma_tilde_and_sigma_H_are_exact_sample_variances(seed):
    fam = family("regression", seed)
    rng = np.random.default_rng(seed)
    c = fam.constants
    worst = 0.0
    for w in points(fam, rng, 6, boundary=True):
        dg, dH = _pool_deviations(fam, w)
        var = np.mean(np.sum(dg * dg, axis=2), axis=1)
        worst = max(worst, var.max())
        assert var.max() <= c.sigma_tilde.value ** 2 * (1 + CONSTANT_RTOL)
        np.testing.assert_allclose(np.max(np.mean(spectral_norm(dH) ** 2, axis=1)), c.sigma_H.value ** 2, rtol=1e-10)
    assert worst <= c.sigma_tilde.value ** 2


# ---------------------------------------------------------------------- exact constants are attained
def test_trigonometric_L_and_rho_are_attained():
    fam = TrigonometricFamily.random(np.random.default_rng(7), 3, 4)
    c = fam.constants
    score = np.abs(fam.lam) + np.abs(fam.a) * fam.s ** 2
    i, j = np.unravel_index(np.argmax(score), score.shape)
    # choose z_j so that cos(s z_j + phi) = -sign(lambda a): the j-th curvature is |lambda| + |a| s^2
    theta = np.pi if fam.lam[i, j] * fam.a[i, j] > 0 else 0.0
    z = np.zeros(fam.dim)
    z[j] = (theta - fam.phi[i, j]) / fam.s[i, j]
    w = fam.Q[i] @ z
    assert spectral_norm(fam.hessian(w, [i]))[0] == pytest.approx(c.L.value, rel=1e-12)
    third = np.abs(fam.a) * fam.s ** 3
    i, j = np.unravel_index(np.argmax(third), third.shape)
    z = np.zeros(fam.dim)
    z[j] = (np.pi / 2 - fam.phi[i, j]) / fam.s[i, j]
    w, v, h = fam.Q[i] @ z, fam.Q[i][:, j], 1e-5
    slope = spectral_norm(fam.hessian(w + h * v, [i]) - fam.hessian(w - h * v, [i]))[0] / (2 * h)
    assert slope == pytest.approx(c.rho.value, rel=1e-8)


def test_rank_one_L_and_rho_are_attained_on_the_ball():
    fam = RankOneFamily.random(np.random.default_rng(11), 4, 3, radius=1.5)
    c = fam.constants
    R = fam.domain.radius
    assert c.L.exact and c.rho.exact
    g = fam.g[0]
    x = np.cross(g, np.random.default_rng(0).standard_normal(3))
    x *= R / np.linalg.norm(x)  # orthogonal to g_0, on the sphere: the Hessian has eigenvalue 3 R^2
    attained = max(spectral_norm(fam.hessian(x, [0]))[0], spectral_norm(fam.hessian(np.zeros(3))).max())
    assert attained == pytest.approx(c.L.value, rel=1e-12)
    y = x * (1 - 1e-7)
    ratio = spectral_norm(fam.hessian(x, [0]) - fam.hessian(y, [0]))[0] / np.linalg.norm(x - y)
    assert ratio == pytest.approx(c.rho.value, rel=1e-6)


def test_reach_domain_contains_inner_steps_and_difference_points():
    fam = family("rank-one", 2)
    rng = np.random.default_rng(2)
    alpha, fd = 0.05, 0.3
    reach = fam.reach_domain(alpha, fd)
    W = points(fam, rng, 50, boundary=True)
    for w in W:
        inner = w - alpha * fam.gradient(w)
        assert np.all(reach.contains(inner))
        v = rng.standard_normal(fam.dim)
        assert np.all(reach.contains(inner + fd * v / np.linalg.norm(v)))
    bigger = fam.with_domain(reach)
    assert bigger.constants.rho.value > fam.constants.rho.value
    assert bigger.constants.L.value >= fam.constants.L.value
    assert fam.constants.rho.domain is fam.domain  # the original family keeps its own certificate


# ---------------------------------------------------------------------- the trust-region certificate
def _brute_force_max(P, r, s, c, R, rng, n=200_000):
    z = rng.standard_normal((n, len(c)))
    z /= np.linalg.norm(z, axis=1, keepdims=True)
    W = c + R * z
    return np.max(np.einsum("ni,ij,nj->n", W, P, W) + 2 * W @ r + s)


@settings(max_examples=15, deadline=None)
@given(seed=SEEDS, hard=st.booleans())
def test_ball_maximum_is_certified_and_tight(seed, hard):
    scipy_optimize = pytest.importorskip("scipy.optimize")
    rng = np.random.default_rng(seed)
    d = 3
    M = rng.standard_normal((d, d))
    P = M @ M.T
    r = rng.standard_normal(d)
    c = rng.standard_normal(d) * 0.5
    if hard:  # the 'hard case' of the trust-region problem: q orthogonal to the top eigenvector
        mu, V = np.linalg.eigh(P)
        q = r + P @ c
        q -= (q @ V[:, -1]) * V[:, -1]
        r = q - P @ c
    R = float(rng.uniform(0.3, 2.0))
    bound = float(max_convex_quadratic_on_ball(P, r, 0.7, c, R))
    found = _brute_force_max(P, r, 0.7, c, R, rng, 20_000)
    best = -np.inf
    for _ in range(8):
        x0 = c + R * rng.standard_normal(d) / np.sqrt(d)
        res = scipy_optimize.minimize(lambda w: -(w @ P @ w + 2 * r @ w + 0.7), x0, method="SLSQP",
                                      constraints=[{"type": "ineq", "fun": lambda w: R * R - (w - c) @ (w - c)}])
        x = res.x
        if np.linalg.norm(x - c) > R:  # SLSQP may end a hair outside: project back before scoring
            x = c + R * (x - c) / np.linalg.norm(x - c)
        best = max(best, x @ P @ x + 2 * r @ x + 0.7)
    assert max(found, best) <= bound + 1e-9 * (1 + abs(bound))
    assert best >= bound - 1e-6 * (1 + abs(bound))


def test_ball_maximum_on_R_d_is_infinite_unless_flat():
    P = np.diag([1.0, 0.0])
    assert np.isinf(max_convex_quadratic_on_ball(P, np.zeros(2), 1.0, np.zeros(2), np.inf))
    assert max_convex_quadratic_on_ball(np.zeros((2, 2)), np.zeros(2), 2.5, np.zeros(2), np.inf) == 2.5


# ---------------------------------------------------------------------- domains and bad input
def test_domain_membership_and_refusal_name_the_point():
    dom = Domain.ball(1.0, np.array([1.0, 0.0]))
    assert dom.contains(np.array([2.0, 0.0]))
    assert not dom.contains(np.array([2.1, 0.0]))
    with pytest.raises(OutsideDomain) as err:
        dom.require(np.array([[0.0, 0.0], [3.0, 0.0]]), "w_k")
    assert err.value.parameter == "w_k" and isinstance(err.value, ValueError)
    assert Domain.everywhere().contains(np.full(2, 1e300))
    with pytest.raises(ParameterError, match="radius"):
        Domain.ball(0.0)


def test_non_symmetric_hessian_is_refused():
    A = np.array([[[1.0, 0.5], [0.0, 1.0]]])
    with pytest.raises(ParameterError) as err:
        QuadraticFamily(A, np.zeros((1, 2)))
    assert err.value.parameter == "A"


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_points_are_refused(bad):
    fam = family("trigonometric", 0)
    w = np.zeros(fam.dim)
    w[1] = bad
    for oracle in (fam.loss, fam.gradient, fam.hessian):
        with pytest.raises(ParameterError) as err:
            oracle(w)
        assert err.value.parameter == "w"
    with pytest.raises(ParameterError) as err:
        fam.hvp(np.zeros(fam.dim), w)
    assert err.value.parameter == "v"


@pytest.mark.parametrize("size", [0, -1, 1.5, True, None, "many"])
def test_bad_batch_sizes_are_refused(size):
    fam = family("regression", 0)
    with pytest.raises(ParameterError) as err:
        fam.draw_batch([0, 1], size, np.random.default_rng(0), name="D_in")
    assert err.value.parameter == "D_in"


def test_other_bad_input_names_the_parameter():
    rng = np.random.default_rng(0)
    cases = {
        "probabilities": lambda: QuadraticFamily(np.eye(2)[None].repeat(2, 0), np.zeros((2, 2)), probabilities=[0.7, 0.7]),
        "b": lambda: QuadraticFamily(np.eye(2)[None], np.zeros((1, 3))),
        "domain": lambda: RankOneFamily(np.ones((2, 2)), Domain.everywhere()),
        "tasks": lambda: family("rank-one", 0).gradient(np.zeros(3), [0, 9]),
        "w": lambda: family("rank-one", 0).gradient(np.zeros(4)),
        "sigma_tilde": lambda: NoisyFamily(family("rank-one", 0), -1.0),
        "Q": lambda: TrigonometricFamily(np.ones((1, 2, 2)), *([np.ones((1, 2))] * 5)),
        "y": lambda: RegressionFamily(rng.standard_normal((2, 5, 3)), np.ones((2, 4)), Domain.ball(1.0)),
    }
    for name, make in cases.items():
        with pytest.raises(ParameterError) as err:
            make()
        assert err.value.parameter == name, name


def test_constants_carry_domain_and_derivation():
    for name, fam in examples(0).items():
        for key, const in fam.constants:
            assert const.derivation, (name, key)
            assert isinstance(const.domain, Domain)
            if not const.domain.is_global:
                # a ball-certified constant is certified on the family's own domain
                assert const.domain is fam.domain or const.domain.radius == fam.domain.radius


# ---------------------------------------------------------------------- the README's user-defined family
def test_readme_family_example_runs_as_written_and_its_constants_hold(capsys):
    import pathlib
    import re

    src = (pathlib.Path(__file__).parents[1] / "README.md").read_text()
    blocks = [b for b in re.findall(r"```python\n(.*?)```", src, re.S) if "class LogCoshTasks" in b]
    assert len(blocks) == 1
    namespace: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    assert "completed" in capsys.readouterr().out
    fam = namespace["tasks"]
    rng = np.random.default_rng(0)
    c = fam.constants
    for w in fam.domain.sample(rng, 5, fam.dim, scale=2.0):
        e = rng.standard_normal(fam.dim)
        fd = (fam.loss(w + FD_STEP * e) - fam.loss(w - FD_STEP * e)) / (2 * FD_STEP)
        assert np.allclose(fd, fam.gradient(w) @ e, atol=FD_RTOL * (1 + np.linalg.norm(e)))
        u = w + 1e-3 * rng.standard_normal(fam.dim)
        assert spectral_norm(fam.hessian(w)).max() <= c.L.value
        assert np.all(spectral_norm(fam.hessian(w) - fam.hessian(u)) <= c.rho.value * np.linalg.norm(w - u) * (1 + 1e-9))
