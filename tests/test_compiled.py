"""bounds.compiled: a registry expression compiled once, the same numbers as bounds.evaluate; Bound.sides."""
import math
import re

import numpy as np
import pytest
import sympy as sp

from bounds import BOUNDS, BoundError, PreconditionFailed, TaskMean, compiled, evaluate
from bounds.lemma_4_8 import statement as lemma_4_8
from bounds.lemma_4_9 import statement as lemma_4_9
from bounds._symbols import L, alpha, rho, sigma

VALUES = dict(L=2.0, rho=0.5, alpha=0.07, sigma=0.3, sigma_tilde=0.4, sigma_H=0.9, B=7, B_prime=5, D_beta=11,
              D_in=3, D_o=4, D_h=6, grad_fi_norm_w=np.array([0.5, 1.5, 2.0]), batch_grad_norm=np.array([0.7, 1.1, 0.2]))


def _values_for(expr):
    return {s.name: VALUES[s.name] for s in sp.sympify(expr).free_symbols}


@pytest.mark.parametrize("expr", [lemma_4_9.BETA_TILDE_EXPANDED, lemma_4_9.L_TILDE.expr, lemma_4_8.L_OF_W.expr,
                                  4 * L + 2 * rho * alpha * sigma, TaskMean(sp.Symbol("grad_fi_norm_w")) * L],
                         ids=["beta_tilde", "L_tilde", "L_of_w", "polynomial", "task_mean"])
def test_compiled_gives_the_numbers_of_evaluate_bit_for_bit(expr):
    f = compiled(expr)
    values = _values_for(expr)
    assert f.names == tuple(sorted(values))
    got, want = f(values), evaluate(expr, values)
    assert type(got) is type(want) and np.array_equal(np.asarray(got), np.asarray(want))
    if any(np.ndim(v) for v in values.values()):
        weights = np.array([0.2, 0.3, 0.5])
        assert np.array_equal(f(values, weights), evaluate(expr, values, task_weights=weights))
    # An array of instances: elementwise the numbers of the scalar calls.
    scalars = {k: v for k, v in values.items() if np.ndim(v) == 0 and k in ("L", "alpha", "rho", "sigma")}
    if scalars:
        name = sorted(scalars)[0]
        grid = np.array([0.01, 0.05, 0.1]) * (1 if name == "alpha" else 10)
        array = np.asarray(f({**values, name: grid}))
        for k, x in enumerate(grid):
            assert np.array_equal(np.ravel(array)[k] if array.ndim == 1 else array[k], f({**values, name: float(x)}))


def test_compiled_is_one_handle_per_expression():
    assert compiled(lemma_4_9.BETA_TILDE_EXPANDED) is compiled(lemma_4_9.BETA_TILDE_EXPANDED)


def test_a_missing_value_is_named():
    f = compiled(4 * L + 2 * rho * alpha * sigma)
    with pytest.raises(BoundError, match=r"missing values for \['rho'\]"):
        f(dict(L=1.0, alpha=0.1, sigma=0.2))


@pytest.mark.parametrize("name,value,words", [
    ("alpha", -0.1, "alpha = -0.1 must be nonnegative"),
    ("alpha", math.nan, "alpha = nan is not a finite number"),
    ("sigma", math.inf, "sigma = inf is not a finite number"),
    ("sigma", -1, "sigma = -1 must be nonnegative"),
    ("alpha", np.array([0.1, -0.2]), "alpha = array([ 0.1, -0.2]) must be nonnegative"),
    ("L", 0.0, "L = 0.0 must be positive"),
    ("L", "big", "L = 'big' is not a number"),
])
def test_an_invalid_value_is_named(name, value, words):
    f = compiled(4 * L + 2 * rho * alpha * sigma)
    values = {**dict(L=1.0, rho=0.5, alpha=0.1, sigma=0.2), name: value}
    with pytest.raises(BoundError, match=re.escape(words)):
        f(values)


def test_an_integer_symbol_refuses_a_fraction_given_as_a_python_or_numpy_scalar():
    f = compiled(sp.Symbol("B", positive=True, integer=True) * L)
    for B in (2.5, np.float64(2.5)):
        with pytest.raises(BoundError, match=r"B = .*2\.5\)? must be an integer"):
            f(dict(B=B, L=1.0))
    assert f(dict(B=np.int64(3), L=1.5)) == f(dict(B=3.0, L=1.5)) == 4.5


def test_a_symbol_outside_the_table_is_refused_when_compiled():
    with pytest.raises(BoundError, match="not_a_quantity"):
        compiled(sp.Symbol("not_a_quantity") * L)


def test_sides_are_lhs_value_and_rhs_value_and_refuse_outside_the_hypotheses():
    bound = next(b for b in BOUNDS.values()
                 if b.kind.value == "pointwise" and not b.is_matrix and b.preconditions
                 and {"alpha", "L"} <= {s.name for s in b.inputs})
    names = [s.name for s in bound.inputs]
    values = {n: 1.0 for n in names}
    values.update(alpha=1e-3, L=1.0)
    if bound.admits(values):
        lhs, rhs = bound.sides(values)
        assert lhs == bound.lhs_value(values) and rhs == bound.rhs_value(values)
    with pytest.raises(PreconditionFailed) as exc:
        bound.sides({**values, "alpha": 1e6})
    assert exc.value.failed == bound.failed_preconditions({**values, "alpha": 1e6})
