"""Bad input at the public boundary: each case raises a ParameterError naming the parameter, and nothing is clipped."""
from __future__ import annotations

import numpy as np
import pytest

from bounds import BOUNDS
from verify.algorithms import draw_meta_batches, run
from verify.errors import ParameterError
from verify.families import NoisyFamily, QuadraticFamily, examples
from verify.instances import alpha_for


def _quadratic():
    return QuadraticFamily.random(np.random.default_rng(0), 2, 3, spectrum="indefinite", spread=1.0)


def _noisy():
    return examples(0)["noisy-quadratic"]


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
}


@pytest.mark.parametrize("call, parameter", CASES.values(), ids=list(CASES))
def test_bad_input_is_refused_naming_the_parameter(call, parameter):
    with pytest.raises(ParameterError) as refused:
        call()
    assert refused.value.parameter == parameter, str(refused.value)


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
