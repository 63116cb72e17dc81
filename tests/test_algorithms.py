"""Unit tests of MAML (5), FO-MAML (8), HF-MAML (10)-(11) and the runner: metamorphic relations and Appendix I limits."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.model import algorithms as alg
from verify.model import objectives as obj
from verify.model.errors import ALL_TASKS, EXACT, FiniteDifferenceError, ParameterError
from verify.model.families import EXAMPLES, QuadraticFamily, examples

SEEDS = st.integers(0, 2 ** 32 - 1)
FAST = settings(max_examples=5, deadline=None)
QUADRATIC = ["quadratic-indefinite", "quadratic-positive-definite", "quadratic-concave", "quadratic-ball", "regression"]
NON_QUADRATIC = ["trigonometric", "trigonometric-shared", "rank-one"]


def setup(name, seed, *, B=3, D=2):
    fam = examples(seed)[name]
    rng = np.random.default_rng(seed)
    w = fam.domain.sample(rng, 1, fam.dim, scale=1.0)[0] * 0.8
    alpha = float(rng.uniform(0.05, 0.5)) / fam.constants.L.value
    batches = alg.draw_meta_batches(fam, B, D, D, D, rng)
    return fam, rng, w, alpha, batches


# ---------------------------------------------------------------------- metamorphic relations
@pytest.mark.parametrize("name", EXAMPLES)
@FAST
@given(seed=SEEDS)
def test_alpha_zero_makes_every_direction_plain_sgd(name, seed):
    fam, rng, w, _, batches = setup(name, seed)
    sgd = alg.sgd_direction(fam, w, batches).vector
    for direction in (alg.maml_direction(fam, w, 0.0, batches), alg.fo_maml_direction(fam, w, 0.0, batches),
                      alg.hf_maml_direction(fam, w, 0.0, batches, 1e-3)):
        np.testing.assert_allclose(direction.vector, sgd, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("name", QUADRATIC)
@FAST
@given(seed=SEEDS, log_delta=st.floats(-4, 4))
def test_hf_maml_equals_maml_on_quadratics_for_any_delta(name, seed, log_delta):
    # The gradient of a quadratic (per-sample quadratic for regression) is affine, so the central
    # difference (11) is the exact Hessian-vector product whatever delta is.
    fam, rng, w, alpha, batches = setup(name, seed)
    maml = alg.maml_direction(fam, w, alpha, batches).vector
    hf = alg.hf_maml_direction(fam, w, alpha, batches, 10.0 ** log_delta).vector
    np.testing.assert_allclose(hf, maml, rtol=1e-8, atol=1e-9 * (1 + np.linalg.norm(maml)))


@pytest.mark.parametrize("name", NON_QUADRATIC)
@FAST
@given(seed=SEEDS)
def test_hf_maml_error_shrinks_with_delta_within_eq_9(name, seed):
    # (9): each d_i is within rho delta ||v_i||^2 of the Hessian-vector product, so the
    # directions differ by at most alpha * sum_i w_i rho delta ||v_i||^2; a central
    # difference of a C^3 function is in fact O(delta^2), so a 10x smaller delta must
    # shrink the error at least 5x until rounding takes over.
    fam, rng, w, alpha, batches = setup(name, seed)
    rho = fam.constants.rho.value
    maml = alg.maml_direction(fam, w, alpha, batches).vector
    v = alg.outer_gradients(fam, w, alpha, batches)
    sq = np.sum(v * v, axis=1)
    errors = []
    for delta in (1e-1, 1e-2, 1e-3):
        hf = alg.hf_maml_direction(fam, w, alpha, batches, delta).vector
        err = np.linalg.norm(hf - maml)
        assert err <= alpha * rho * delta * (batches.weights @ sq) * (1 + 1e-9) + 1e-13
        errors.append(err)
    assert errors[1] <= errors[0] / 5 + 1e-13 and errors[2] <= errors[1] / 5 + 1e-13


def _separates_hf_from_fo(fam, w, alpha, batches, hf_vector) -> bool:
    """The HF-MAML direction must differ from FO-MAML by about alpha times the Hessian-vector term."""
    fo = alg.fo_maml_direction(fam, w, alpha, batches).vector
    v = alg.outer_gradients(fam, w, alpha, batches)
    term = alpha * (batches.weights @ fam.batch_hvp(w, v, batches.hessian))
    if np.linalg.norm(term) == 0:
        return True
    return np.linalg.norm((fo - hf_vector) - term) <= 1e-3 * np.linalg.norm(term)


@pytest.mark.parametrize("name", EXAMPLES)
@FAST
@given(seed=SEEDS)
def test_hf_maml_differs_from_fo_maml_when_the_hessian_term_is_nonzero(name, seed):
    fam, rng, w, alpha, batches = setup(name, seed)
    if fam.name.startswith("noisy"):
        # the batch Hessian carries noise that the differences cancel (see verify/model/families/noise.py);
        # compare with the base family's product instead
        batches = alg.draw_meta_batches(fam.base, 3, 2, 2, 2, rng)
        fam = fam.base
    hf = alg.hf_maml_direction(fam, w, alpha, batches, 1e-4).vector
    assert _separates_hf_from_fo(fam, w, alpha, batches, hf)


def test_one_point_difference_bug_is_caught(monkeypatch):
    # Negative control: the shipped bug takes both gradients of (11) at w + delta v, so d = 0
    # and HF-MAML silently equals FO-MAML.  The same predicate must reject it.
    fam, rng, w, alpha, batches = setup("trigonometric", 0)

    def one_point(family, w, V, deltas, batch, norms, exact_ratio=False):
        g = family.batch_gradient(w + deltas[:, None] * V, batch)
        return (g - family.batch_gradient(w + deltas[:, None] * V, batch)) / (2 * deltas[:, None]), 0.0

    monkeypatch.setattr(alg, "_central_difference_hvp", one_point)
    buggy = alg.hf_maml_direction(fam, w, alpha, batches, 1e-4).vector
    np.testing.assert_array_equal(buggy, alg.fo_maml_direction(fam, w, alpha, batches).vector)
    assert not _separates_hf_from_fo(fam, w, alpha, batches, buggy)


def test_same_batches_are_used_at_both_difference_points():
    # With per-sample noise a different batch at w - delta v would add (noise difference) / (2 delta).
    fam, rng, w, alpha, batches = setup("regression", 3, D=1)
    v = alg.outer_gradients(fam, w, alpha, batches)
    d, _ = alg.central_difference_hvp(fam, w, v, np.full(len(v), 1e-3), batches.hessian)
    np.testing.assert_allclose(d, fam.batch_hvp(w, v, batches.hessian), rtol=1e-7, atol=1e-9)


def test_maml_direction_uses_the_stochastic_hessian_matrix_of_eq_5():
    fam, rng, w, alpha, batches = setup("noisy-trigonometric", 1)
    v = alg.outer_gradients(fam, w, alpha, batches)
    H = fam.batch_hessian(w, batches.hessian)
    explicit = batches.weights @ np.einsum("tij,tj->ti", np.eye(fam.dim) - alpha * H, v)
    np.testing.assert_allclose(alg.maml_direction(fam, w, alpha, batches).vector, explicit, rtol=1e-12, atol=1e-14)


def test_directions_average_to_the_exact_meta_gradient_in_the_exact_limit():
    for name in ("trigonometric", "rank-one", "regression"):
        fam = examples(4)[name]
        w = fam.domain.sample(np.random.default_rng(4), 1, fam.dim)[0] * 0.5
        alpha = 0.3 / fam.constants.L.value
        batches = alg.draw_meta_batches(fam, ALL_TASKS, EXACT, EXACT, EXACT)
        np.testing.assert_allclose(alg.maml_direction(fam, w, alpha, batches).vector,
                                   obj.meta_gradient(fam, w, alpha), rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------------- Appendix I limits
def _pd_quadratic(seed, n=4, d=3):
    return QuadraticFamily.random(np.random.default_rng(seed), n, d, spectrum="positive_definite", floor=0.5)


@settings(max_examples=4, deadline=None)
@given(seed=SEEDS)
def test_exact_maml_converges_to_w_star_of_eq_156(seed):
    fam = _pd_quadratic(seed)
    alpha = 0.1 / fam.constants.L.value
    w_star = fam.maml_solution(alpha)
    trace = alg.run("maml", fam, np.zeros(fam.dim), alpha, 300, rng=np.random.default_rng(seed),
                    B=ALL_TASKS, D_in=EXACT, D_o=EXACT, D_h=EXACT, beta=1.0 / fam.constants.L.value)
    assert trace.outcome == "completed"
    np.testing.assert_allclose(trace.w, w_star, rtol=1e-8, atol=1e-8)
    assert trace.grad_F_norm[-1] <= 1e-8


def test_maml_with_the_registry_stepsize_converges_to_w_star():
    try:
        c = alg.registry_stepsize_factor("maml")
    except KeyError as missing:
        pytest.skip(str(missing))
    fam = _pd_quadratic(17)
    alpha = 0.1 / fam.constants.L.value
    trace = alg.run("maml", fam, np.zeros(fam.dim), alpha, 3000, rng=np.random.default_rng(17), B=ALL_TASKS,
                    D_in=EXACT, D_o=EXACT, D_h=EXACT, stepsize_factor=c, B_prime=ALL_TASKS, D_beta=EXACT,
                    record_iterates=True)
    np.testing.assert_allclose(trace.w, fam.maml_solution(alpha), rtol=1e-6, atol=1e-6)
    # in the exact limit beta_k = c beta~(w_k) = c / L(w_k)
    np.testing.assert_allclose(trace.beta[-1], c / obj.smoothness_L_of_w(fam, trace.iterates[-2], alpha), rtol=1e-12)


def test_closed_forms_agree_with_the_registry_expressions_156_and_158():
    sympy = pytest.importorskip("sympy")
    from bounds import instantiate, symbols
    from bounds.appendix_i_quadratic import statement as appendix_i

    fam = _pd_quadratic(23, n=3, d=2)
    alpha = 0.4 / fam.constants.L.value
    tasks = [{"A": sympy.Matrix(fam.A[i]), "b": sympy.Matrix(fam.b[i])} for i in range(fam.n_tasks)]
    for expr, mine in ((appendix_i.W_STAR, fam.maml_solution(alpha)), (appendix_i.W_FO, fam.fo_maml_fixed_point(alpha))):
        explicit = instantiate(expr, appendix_i.TASK_SYMBOLS, tasks, fam.dim).subs(symbols.alpha, alpha)
        np.testing.assert_allclose(np.array(explicit.evalf(), dtype=float).ravel(), mine, rtol=1e-10)


@settings(max_examples=4, deadline=None)
@given(seed=SEEDS)
def test_exact_fo_maml_converges_to_w_fo_of_eq_158_not_w_star(seed):
    fam = _pd_quadratic(seed)
    alpha = 0.5 / fam.constants.L.value
    # (157) writes the outer stepsize as alpha; the fixed point (158) does not depend on it
    trace = alg.run("fo_maml", fam, np.zeros(fam.dim), alpha, 400, rng=np.random.default_rng(seed),
                    B=ALL_TASKS, D_in=EXACT, D_o=EXACT, beta=1.0 / fam.constants.L.value)
    w_fo = fam.fo_maml_fixed_point(alpha)
    np.testing.assert_allclose(trace.w, w_fo, rtol=1e-8, atol=1e-8)
    assert np.linalg.norm(w_fo - fam.maml_solution(alpha)) > 1e-6  # FO-MAML misses the MAML solution
    assert np.linalg.norm(obj.meta_gradient(fam, w_fo, alpha)) > 1e-6


@settings(max_examples=5, deadline=None)
@given(seed=SEEDS)
def test_w_star_is_stationary_also_for_indefinite_tasks(seed):
    fam = QuadraticFamily.random(np.random.default_rng(seed), 4, 3, spectrum="mixed")
    alpha = 0.3 / fam.constants.L.value
    w_star = fam.maml_solution(alpha)
    M, _ = fam._maml_system(alpha)
    # grad F is affine with matrix M, so the residual of a solve is ~ eps cond(M) ||M|| ||w*||
    tol = 1e-13 * np.linalg.cond(M) * np.linalg.norm(M, 2) * (1 + np.linalg.norm(w_star)) + 1e-12
    assert np.linalg.norm(obj.meta_gradient(fam, w_star, alpha)) <= tol


# ---------------------------------------------------------------------- the runner
@pytest.mark.parametrize("algorithm", alg.ALGORITHMS)
def test_runner_records_iterations_and_counts(algorithm):
    fam = examples(5)["noisy-trigonometric"]
    B, Bp, D = 3, 2, 4
    T = 6
    trace = alg.run(algorithm, fam, np.zeros(fam.dim), 0.1, T, rng=np.random.default_rng(5), B=B, D_in=D,
                    D_o=D, D_h=D, stepsize_factor=0.5, B_prime=Bp, D_beta=D, delta=1e-3)
    assert trace.outcome == "completed"
    assert len(trace.grad_F_norm) == len(trace.F) == T + 1 and len(trace.beta) == T
    calls = {"maml": 2 * B, "fo_maml": 2 * B, "hf_maml": 4 * B}[algorithm] + Bp
    np.testing.assert_array_equal(np.diff(trace.gradient_evaluations), calls)
    np.testing.assert_array_equal(np.diff(trace.hessian_vector_products), B if algorithm == "maml" else 0)
    samples = {"maml": 2 * B * D, "fo_maml": 2 * B * D, "hf_maml": 4 * B * D}[algorithm] + Bp * D
    np.testing.assert_array_equal(np.diff(trace.gradient_samples), samples)
    assert np.all(trace.beta > 0)
    assert trace.grad_F_norm[0] == pytest.approx(np.linalg.norm(obj.meta_gradient(fam, np.zeros(fam.dim), 0.1)))


def test_runner_is_reproducible_from_the_seed():
    fam = examples(6)["regression"]
    kwargs = dict(B=2, D_in=3, D_o=3, D_h=2, stepsize_factor=0.5, B_prime=2, D_beta=2)
    a = alg.run("maml", fam, np.zeros(fam.dim), 0.1, 5, rng=np.random.default_rng(1), **kwargs)
    b = alg.run("maml", fam, np.zeros(fam.dim), 0.1, 5, rng=np.random.default_rng(1), **kwargs)
    c = alg.run("maml", fam, np.zeros(fam.dim), 0.1, 5, rng=np.random.default_rng(2), **kwargs)
    np.testing.assert_array_equal(a.w, b.w)
    np.testing.assert_array_equal(a.beta, b.beta)
    assert not np.array_equal(a.w, c.w)


def test_leaving_the_certified_domain_is_a_distinct_outcome():
    fam = examples(0)["rank-one"]
    w0 = fam.domain.centre_in(fam.dim) + 0.99 * fam.domain.radius * np.eye(fam.dim)[0]
    trace = alg.run("fo_maml", fam, w0, 0.01, 50, rng=np.random.default_rng(0), B=2, D_in=1, D_o=1, beta=5.0)
    assert trace.outcome == "left_domain"
    assert not trace.in_domain[-1] and trace.in_domain[0]
    free = alg.run("fo_maml", fam, w0, 0.01, 2, rng=np.random.default_rng(0), B=2, D_in=1, D_o=1, beta=5.0,
                   stop_outside_domain=False)
    assert free.iterations == 2 and free.outcome == "completed"
    # without the domain guard this quartic diverges: the run ends with its own outcome, not an exception
    diverged = alg.run("fo_maml", fam, w0, 0.01, 50, rng=np.random.default_rng(0), B=2, D_in=1, D_o=1, beta=5.0,
                       stop_outside_domain=False)
    assert diverged.outcome == "non_finite" and diverged.iterations < 50


def test_theorem_h_1_delta_rule_from_the_registry():
    fam = examples(1)["rank-one"]
    alpha = 0.1 / fam.constants.L.value
    try:
        rule = alg.theorem_h_1_delta_rule(fam.constants.rho.value, alpha)
    except KeyError as missing:
        pytest.skip(str(missing))
    rng = np.random.default_rng(1)
    batches = alg.draw_meta_batches(fam, 3, EXACT, EXACT, EXACT, rng)
    w = np.full(fam.dim, 0.2)
    d = alg.hf_maml_direction(fam, w, alpha, batches, rule)
    v = alg.outer_gradients(fam, w, alpha, batches)
    disp = d.deltas * np.linalg.norm(v, axis=1)
    # the rule makes the displacement delta ||v|| the same for every task
    np.testing.assert_allclose(disp, disp[0], rtol=1e-12)
    assert np.all(fam.reach_domain(alpha, disp[0]).contains(w + d.deltas[:, None] * v))
    trace = alg.run("hf_maml", fam, w, alpha, 3, rng=rng, B=2, D_in=EXACT, D_o=EXACT, D_h=EXACT,
                    beta=0.01, delta="theorem_h_1")
    assert trace.outcome == "completed" and len(trace.deltas) == 3
    with pytest.raises(ParameterError) as err:
        alg.theorem_h_1_delta_rule(0.0, alpha)
    assert err.value.parameter == "rho"


# ---------------------------------------------------------------------- bad input
def test_too_small_finite_difference_step_is_refused():
    fam, rng, w, alpha, batches = setup("trigonometric", 2)
    for delta in (1e-14, 1e-300):
        with pytest.raises(FiniteDifferenceError) as err:
            alg.hf_maml_direction(fam, w, alpha, batches, delta)
        assert err.value.parameter == "delta" and isinstance(err.value, ValueError)
    ok = alg.hf_maml_direction(fam, w, alpha, batches, 1e-6)
    assert 0 < ok.fd_rounding_ratio < 1


@pytest.mark.parametrize("delta", [0.0, -1e-3, np.nan, np.inf])
def test_nonpositive_or_non_finite_delta_is_refused(delta):
    fam, rng, w, alpha, batches = setup("trigonometric", 2)
    with pytest.raises(ParameterError) as err:
        alg.hf_maml_direction(fam, w, alpha, batches, delta)
    assert err.value.parameter == "delta"


@pytest.mark.parametrize("key", ["B", "D_in", "D_o", "D_h"])
@pytest.mark.parametrize("value", [0, -3, 2.0, True])
def test_bad_batch_sizes_name_the_batch(key, value):
    fam = examples(0)["regression"]
    sizes = dict(B=2, D_in=2, D_o=2, D_h=2) | {key: value}
    with pytest.raises(ParameterError) as err:
        alg.run("maml", fam, np.zeros(fam.dim), 0.1, 2, rng=np.random.default_rng(0), beta=0.1, **sizes)
    assert err.value.parameter == key


def test_bad_runner_arguments_name_the_parameter():
    fam = examples(0)["regression"]
    base = dict(rng=np.random.default_rng(0), B=2, D_in=2, D_o=2, D_h=2)
    cases = [
        ("alpha", lambda: alg.run("maml", fam, np.zeros(fam.dim), -0.1, 2, beta=0.1, **base)),
        ("w", lambda: alg.run("maml", fam, np.array([0.0, np.inf, 0.0]), 0.1, 2, beta=0.1, **base)),
        ("stepsize_factor", lambda: alg.run("maml", fam, np.zeros(fam.dim), 0.1, 2, beta=0.1, stepsize_factor=0.1,
                                            **base)),
        ("B_prime", lambda: alg.run("maml", fam, np.zeros(fam.dim), 0.1, 2, stepsize_factor=0.1, **base)),
        ("delta", lambda: alg.run("hf_maml", fam, np.zeros(fam.dim), 0.1, 2, beta=0.1, **base)),
        ("algorithm", lambda: alg.run("reptile", fam, np.zeros(fam.dim), 0.1, 2, beta=0.1, **base)),
        ("iterations", lambda: alg.run("maml", fam, np.zeros(fam.dim), 0.1, -1, beta=0.1, **base)),
        ("beta", lambda: alg.run("maml", fam, np.zeros(fam.dim), 0.1, 2, beta=np.nan, **base)),
    ]
    for parameter, call in cases:
        with pytest.raises(ParameterError) as err:
            call()
        assert err.value.parameter == parameter, parameter
