"""Bad input at the public boundary: each case raises a ParameterError naming the parameter, and nothing is clipped."""
from __future__ import annotations

import numpy as np
import pytest

from bounds import BOUNDS
from verify.model.algorithms import draw_meta_batches, run
from verify.model.errors import ALL_TASKS, EXACT, OutsideDomain, ParameterError
from verify.model.families import NoisyFamily, QuadraticFamily, examples
from verify.checks.instances import alpha_for
from verify.model.objectives import (L_tilde, inner_points, meta_gradient, meta_gradient_test,
    meta_objective, meta_objective_test, stepsize_beta_tilde, task_meta_gradients, task_meta_objectives)


def _quadratic():
    return QuadraticFamily.random(np.random.default_rng(0), 2, 3, spectrum="indefinite", spread=1.0)


def _noisy():
    return examples(0)["noisy-quadratic"]


def _on_ball():
    """Quadratic tasks certified on the ball ||w|| <= 2 (L global), and a point inside it."""
    fam = examples(0)["quadratic-ball"]
    return fam, np.full(fam.dim, 0.1)


def _too_large_alpha():
    """alpha with alpha L = 1.5, outside Lemma 4.8's alpha L <= 1 (which every result assumes)."""
    return 1.5 / _on_ball()[0].constants.L.value


def _outside():
    """A point of norm 3 * 2: outside the certified ball."""
    fam, _ = _on_ball()
    return np.full(fam.dim, 3 * fam.domain.radius / np.sqrt(fam.dim))


def _run(**kw):
    fam, w = _on_ball()
    args = dict(w0=w, alpha=0.5 / fam.constants.L.value)
    args.update(kw)
    return run("maml", fam, args.pop("w0"), args.pop("alpha"), 2, rng=np.random.default_rng(0), B=ALL_TASKS,
               D_in=EXACT, D_o=EXACT, D_h=EXACT, **({"beta": 0.01} | args))


CASES = {
    "run with an int for rng": (
        lambda: run("maml", _noisy(), np.zeros(_noisy().dim), 0.01, 2, rng=42, B=2, D_in=1, D_o=1, D_h=1, beta=0.01),
        "rng"),
    "run with a legacy RandomState": (
        lambda: run("fo_maml", _noisy(), np.zeros(_noisy().dim), 0.01, 2, rng=np.random.RandomState(0), B=2,
                    D_in=1, D_o=1, beta=0.01),
        "rng"),
    "draw_batch with a seed for rng": (lambda: _noisy().draw_batch([0], 2, 7), "rng"),
    "draw_meta_batches with a seed for rng": (lambda: draw_meta_batches(_noisy(), 2, 1, 1, None, 7), "rng"),
    "alpha_frac above 1": (lambda: alpha_for(BOUNDS["lemma_4_8"], 1.5, 1.0), "alpha_frac"),
    "alpha_frac below 0": (lambda: alpha_for(BOUNDS["lemma_4_8"], -0.1, 1.0), "alpha_frac"),
    "alpha_frac NaN": (lambda: alpha_for(BOUNDS["lemma_4_8"], float("nan"), 1.0), "alpha_frac"),
    "noise of an unknown distribution": (lambda: NoisyFamily(_quadratic(), 0.1, distribution="cauchy"), "distribution"),
    "a coupling of Gaussian noise": (lambda: NoisyFamily(_quadratic(), 0.1, coupling="same"), "coupling"),
    "an unknown coupling": (lambda: NoisyFamily(_quadratic(), 0.1, distribution="two_point", coupling="x"),
                            "coupling"),
    "a noise direction that is not a unit vector": (
        lambda: NoisyFamily(_quadratic(), 0.1, distribution="two_point", direction=[1.0, 1.0, 0.0]), "direction"),
    "a noise direction of the wrong dimension": (
        lambda: NoisyFamily(_quadratic(), 0.1, distribution="two_point", direction=[1.0, 0.0]), "direction"),
    "a batch outcome outside [-1, 1]": (
        lambda: NoisyFamily(_quadratic(), 0.1, distribution="two_point").batch_with_noise([0], 2, 1.5),
        "gradient_mean"),
    "the law of an exact batch": (lambda: NoisyFamily.batch_noise_law("exact"), "size"),
    "the law of an empty batch": (lambda: NoisyFamily.batch_noise_law(0), "size"),
    # alpha L > 1: outside Lemma 4.8's hypothesis, which every result of the paper assumes.
    "meta_gradient with alpha L > 1": (lambda: meta_gradient(_on_ball()[0], _on_ball()[1], _too_large_alpha()),
                                       "alpha"),
    "meta_objective with alpha L > 1": (lambda: meta_objective(_on_ball()[0], _on_ball()[1], _too_large_alpha()),
                                        "alpha"),
    "task_meta_gradients with alpha L > 1": (
        lambda: task_meta_gradients(_on_ball()[0], _on_ball()[1], _too_large_alpha()), "alpha"),
    "task_meta_objectives with alpha L > 1": (
        lambda: task_meta_objectives(_on_ball()[0], _on_ball()[1], _too_large_alpha()), "alpha"),
    "inner_points with alpha L > 1": (lambda: inner_points(_on_ball()[0], _on_ball()[1], _too_large_alpha()),
                                      "alpha"),
    "meta_objective_test with alpha L > 1": (
        lambda: meta_objective_test(_on_ball()[0], _on_ball()[1], _too_large_alpha(), EXACT), "alpha"),
    "meta_gradient_test with alpha L > 1": (
        lambda: meta_gradient_test(_on_ball()[0], _on_ball()[1], _too_large_alpha(), EXACT), "alpha"),
    "run with alpha L > 1": (lambda: _run(alpha=_too_large_alpha()), "alpha"),
    "run with alpha L > 1 and beta~ of (17), even when allowed": (
        lambda: _run(alpha=_too_large_alpha(), beta=None, stepsize_factor=0.5, B_prime=ALL_TASKS, D_beta=EXACT,
                     allow_outside_hypotheses=True), "alpha"),
    # A point outside the domain on which the family's constants are certified.
    "meta_gradient outside the certified domain": (lambda: meta_gradient(_on_ball()[0], _outside(), 0.1), "w"),
    "meta_objective outside the certified domain": (lambda: meta_objective(_on_ball()[0], _outside(), 0.1), "w"),
    "task_meta_gradients outside the certified domain": (
        lambda: task_meta_gradients(_on_ball()[0], _outside(), 0.1), "w"),
    "meta_gradient_test outside the certified domain": (
        lambda: meta_gradient_test(_on_ball()[0], _outside(), 0.1, EXACT), "w"),
    "L_tilde outside the certified domain": (lambda: L_tilde(_on_ball()[0], _outside(), 0.1, ALL_TASKS, EXACT), "w"),
    "stepsize_beta_tilde outside the certified domain": (
        lambda: stepsize_beta_tilde(_on_ball()[0], _outside(), 0.1, ALL_TASKS, EXACT), "w"),
    "run from w0 outside the certified domain": (lambda: _run(w0=_outside()), "w0"),
}


@pytest.mark.parametrize("call, parameter", CASES.values(), ids=list(CASES))
def test_bad_input_is_refused_naming_the_parameter(call, parameter):
    with pytest.raises(ParameterError) as refused:
        call()
    assert refused.value.parameter == parameter, str(refused.value)


def test_alpha_outside_lemma_4_8_is_refused_with_the_numbers_and_the_way_out():
    fam, w = _on_ball()
    L = fam.constants.L.value
    alpha = _too_large_alpha()
    with pytest.raises(ParameterError) as refused:
        meta_gradient(fam, w, alpha)
    text = str(refused.value)
    # alpha, L, alpha L, the registry's hypothesis, and how to override.
    for shown in (repr(alpha), repr(L), repr(alpha * L), "alpha L <= 1", "Lemma 4.8", "allow_outside_hypotheses=True"):
        assert shown in text, (shown, text)
    # The end point alpha = 1/L is inside (Lemma 4.8's closed range), a hair above it is not.
    assert np.all(np.isfinite(meta_gradient(fam, w, 1 / L)))
    with pytest.raises(ParameterError):
        meta_objective(fam, w, 1.000001 / L)


def test_a_point_outside_the_domain_is_refused_as_outside_domain():
    fam, _ = _on_ball()
    with pytest.raises(OutsideDomain) as refused:
        meta_objective(fam, _outside(), 0.1)
    assert "allow_outside_hypotheses=True" in str(refused.value)
    with pytest.raises(OutsideDomain):
        _run(w0=_outside())


def test_outside_the_hypotheses_on_request_the_numbers_are_the_formulas():
    """allow_outside_hypotheses=True evaluates the same formulas (2) and (6), refusing nothing but bad input."""
    fam, w = _on_ball()
    alpha, far = _too_large_alpha(), _outside()
    for x in (w, far):
        G = meta_gradient(fam, x, alpha, allow_outside_hypotheses=True)
        outer = fam.gradient(x - alpha * fam.gradient(x))
        np.testing.assert_allclose(G, fam.probabilities @ (outer - alpha * fam.hvp(x, outer)), rtol=1e-13, atol=1e-13)
        F = meta_objective(fam, x, alpha, allow_outside_hypotheses=True)
        assert F == pytest.approx(fam.probabilities @ fam.loss(x - alpha * fam.gradient(x)), rel=1e-13)
    # Malformed input is refused all the same.
    with pytest.raises(ParameterError):
        meta_gradient(fam, np.full(fam.dim, np.nan), alpha, allow_outside_hypotheses=True)
    with pytest.raises(ParameterError):
        meta_gradient(fam, w, -1.0, allow_outside_hypotheses=True)


def test_run_outside_the_hypotheses_on_request_records_which():
    inside = _run()
    assert inside.outside_hypotheses == [] and inside.outcome == "completed"
    # Allowing changes nothing where nothing is outside.
    allowed = _run(allow_outside_hypotheses=True)
    assert allowed.outside_hypotheses == [] and np.array_equal(allowed.grad_F_norm, inside.grad_F_norm)
    beyond = _run(alpha=_too_large_alpha(), allow_outside_hypotheses=True)
    assert beyond.iterations == 2 and len(beyond.outside_hypotheses) == 1
    assert "alpha L" in beyond.outside_hypotheses[0] and "Lemma 4.8" in beyond.outside_hypotheses[0]
    assert np.all(np.isfinite(beyond.grad_F_norm))
    started_outside = _run(w0=_outside(), allow_outside_hypotheses=True, stop_outside_domain=False)
    assert started_outside.outcome == "completed" and not started_outside.in_domain[0]
    assert [s for s in started_outside.outside_hypotheses if s.startswith("w0:")]
    # With stop_outside_domain=False an iterate that leaves the domain is recorded as well.
    fam, _ = _on_ball()
    edge = np.full(fam.dim, 1.99 / np.sqrt(fam.dim))
    left = _run(w0=edge, beta=5.0, stop_outside_domain=False)
    assert not np.all(left.in_domain)
    assert [s for s in left.outside_hypotheses if "iterate(s) outside the certified domain" in s]


def test_a_quadratic_family_builds_at_d_4096_with_its_spectral_norm_as_L():
    """d = 4096 (O(d^2) per task beyond one orthogonal factor; nothing here is timed: see the report)."""
    d = 4096
    fam = QuadraticFamily.random(np.random.default_rng(1), 2, d, L=1.5, spectrum="indefinite", shared_hessian=True)
    assert fam.A.shape == (2, d, d) and np.array_equal(fam.A[0], fam.A[0].T)
    # The declared L is the spectral norm of the construction: eigenvalue +1.5 attained by task 0.
    assert fam.constants.L.value == 1.5 == float(np.max(np.abs(fam.eigenvalues)))
    # ||A_0||_F^2 = sum of the squared eigenvalues, and ||A_0 v|| <= L ||v||: the spectrum is A_0's.
    assert float(np.sum(fam.A[0] ** 2)) == pytest.approx(float(np.sum(fam.eigenvalues[0] ** 2)), rel=1e-10)
    v = np.random.default_rng(2).standard_normal((d, 8))
    for _ in range(30):  # power iteration: ||A_0 v|| / ||v|| is a lower bound on ||A_0|| that approaches it
        v = fam.A[0] @ v
        v /= np.linalg.norm(v, axis=0)
    gain = np.linalg.norm(fam.A[0] @ v, axis=0)
    assert np.all(gain <= 1.5 * (1 + 1e-12)) and gain.max() > 1.4, gain
    # One Hessian for all tasks: sigma is finite on all of R^d, the spread of the b_i.
    assert np.isfinite(fam.constants.sigma.value)


# ---------------------------------------------------------------- the registry's boundary (bounds.BoundError)
from bounds import BoundError  # noqa: E402

_LEMMA_4_8 = dict(L=1.0, rho=2.0, alpha=0.5, norm_w_minus_u=0.1, grad_F_diff_norm=0.3,
                  grad_fi_norm_w=np.array([1.0, 3.0]), grad_fi_norm_u=np.array([0.0, 0.0]))

BOUND_CASES = {
    "an empty per-task array": (dict(_LEMMA_4_8, grad_fi_norm_u=np.array([])), "grad_fi_norm_u is a per-task"),
    "per-task arrays of different lengths": (dict(_LEMMA_4_8, grad_fi_norm_u=np.array([0.0, 0.0, 1.0])),
                                             "cover the same tasks"),
    "a word that is no batch size": (None, "D_in = 'abc' is not a number"),
    "a missing value lists everything needed": ({"alpha": 0.1}, "it needs ["),
}


@pytest.mark.parametrize("values, says", BOUND_CASES.values(), ids=list(BOUND_CASES))
def test_the_registry_refuses_bad_values_naming_them(values, says):
    if values is None:
        bound = BOUNDS["lemma_4_10_second_moment"]
        values = dict(D_in="abc", D_o=4, L=1.0, alpha=0.5, grad_fi_inner_norm=np.array([1.0]),
                      outer_grad_second_moment=np.array([2.0]), phi=1.0, sigma_tilde=1.0)
    else:
        bound = BOUNDS["lemma_4_10_second_moment" if "alpha" in values and len(values) == 1 else "lemma_4_8"]
    with pytest.raises(BoundError, match=says.replace("[", r"\[").replace("(", r"\(")):
        bound.assess(values)


def test_assess_speaks_the_language_of_run():
    """'exact' and 'all' batch sizes are the infinite batch, and assess gives a verdict, not only a ratio."""
    bound = BOUNDS["lemma_4_10_second_moment"]
    values = dict(D_in="exact", D_o=4, L=1.0, alpha=0.5, grad_fi_inner_norm=np.array([1.0]),
                  outer_grad_second_moment=np.array([2.0]), phi=1.0, sigma_tilde=1.0)
    a = bound.assess(values)
    # D_in exact: the (1 + phi) alpha^2 L^2 sigma~^2 / D_in term is 0, so rhs = 2 * 1 + 1/4.
    assert a.rhs == pytest.approx(2.25) and a.verdict == "holds"
    assert bound.assess(dict(values, outer_grad_second_moment=np.array([3.0]))).verdict == "violated"
    assert bound.assess(dict(values, alpha=2.0)).verdict == "precondition_failed"
    assert bound.assess(dict(values, D_in="all")).rhs == pytest.approx(2.25)
