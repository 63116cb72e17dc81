"""The lean cores: per-task data gathered once per batch, both points of (11) in one call, the rounding guard of (11).

Every shortcut must give the numbers the plain computation gives, bit for bit: the records of
``pytest verify`` are compared exactly across the change, so these tests hold the cores to it.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.model import algorithms as alg
from verify.model.errors import EXACT, FiniteDifferenceError, NonFiniteValue, ParameterError
from verify.model.families import EXAMPLES, examples

SEEDS = st.integers(0, 2 ** 32 - 1)
FAST = settings(max_examples=4, deadline=None)


def _plain_gradients(fam, W2, batch):
    """grad~ f_i at each point of (11) by two separate calls on contiguous copies (no shortcut)."""
    plus, minus = W2[0].copy(), W2[1].copy()
    if batch.is_exact:
        writable = np.array(batch.tasks)  # a writable copy: gathered per call, never from the memo
        return fam._gradient(plus, writable), fam._gradient(minus, writable)
    return fam._batch_gradient(plus, batch), fam._batch_gradient(minus, batch)


@pytest.mark.parametrize("name", EXAMPLES)
@FAST
@given(seed=SEEDS, exact=st.booleans())
def test_gradient_pair_is_two_gradients_bit_for_bit(name, seed, exact):
    fam = examples(seed)[name]
    rng = np.random.default_rng(seed)
    batches = alg.draw_meta_batches(fam, 5, EXACT if exact else 2, EXACT if exact else 2, EXACT if exact else 2, rng)
    W2 = fam.domain.sample(rng, 10, fam.dim, scale=1.0).reshape(2, 5, fam.dim) * 0.8
    got = fam._oracle_gradient_pair(W2, batches.hessian)
    want = _plain_gradients(fam, W2, batches.hessian)
    for g, h in zip(got, want):
        np.testing.assert_array_equal(g, h)


@pytest.mark.parametrize("name", EXAMPLES)
@FAST
@given(seed=SEEDS)
def test_oracles_on_a_memoised_batch_equal_the_gathered_ones_bit_for_bit(name, seed):
    fam = examples(seed)[name]
    rng = np.random.default_rng(seed)
    for tasks in (fam._sample_tasks(7, rng), fam.task_indices()):
        assert not tasks.flags.writeable
        W = fam.domain.sample(rng, len(tasks), fam.dim, scale=1.0) * 0.8
        V = rng.standard_normal(W.shape)
        writable = np.array(tasks)
        for _ in range(2):  # the second call reads the memo
            np.testing.assert_array_equal(fam._gradient(W, tasks), fam._gradient(W, writable))
            np.testing.assert_array_equal(fam._hvp(W, V, tasks), fam._hvp(W, V, writable))
            np.testing.assert_array_equal(fam._loss(W, tasks), fam._loss(W, writable))


def test_every_task_is_read_in_place_and_a_batch_is_gathered_once():
    fam = examples(3)["quadratic-indefinite"]
    every = fam.task_indices()
    assert fam._per_task("A", every) is fam.A  # no copy of A for B_k = every task
    drawn = fam._sample_tasks(4, np.random.default_rng(0))
    first = fam._per_task("A", drawn)
    assert first is fam._per_task("A", drawn) and not np.shares_memory(first, fam.A)
    np.testing.assert_array_equal(first, fam.A[drawn])
    # a caller's own (writable) index array is gathered per call, so editing it is safe
    mine = np.array(drawn)
    fam._per_task("A", mine)
    mine[0] = (mine[0] + 1) % fam.n_tasks
    np.testing.assert_array_equal(fam._per_task("A", mine), fam.A[mine])


def test_a_replaced_parameter_is_gathered_anew_and_a_new_domain_starts_a_new_memo():
    fam = examples(4)["rank-one"]
    tasks = fam._sample_tasks(3, np.random.default_rng(1))
    before = fam._per_task("g", tasks)
    fam.g = 2 * fam.g
    np.testing.assert_array_equal(fam._per_task("g", tasks), 2 * before)
    other = fam.with_domain(fam.domain.enlarged(1.0))
    assert "_per_task_memo" not in other.__dict__


def test_drawn_task_batches_and_regression_samples_are_read_only():
    fam = examples(5)["regression"]
    rng = np.random.default_rng(2)
    batches = alg.draw_meta_batches(fam, 3, 2, 2, 2, rng)
    assert not batches.tasks.flags.writeable
    assert not batches.hessian.data.flags.writeable
    with pytest.raises(ValueError):
        batches.tasks[0] = 0


# ---------------------------------------------------------------------- the guard of (11)
@pytest.mark.parametrize("name", EXAMPLES)
@FAST
@given(seed=SEEDS, log_delta=st.floats(-9, -1))
def test_guard_bound_is_an_upper_bound_and_decides_as_the_row_wise_estimate(name, seed, log_delta):
    fam = examples(seed)[name]
    rng = np.random.default_rng(seed)
    batches = alg.draw_meta_batches(fam, 4, EXACT, EXACT, 2, rng)
    w = fam.domain.sample(rng, 1, fam.dim, scale=1.0)[0] * 0.8
    alpha = 0.1 / fam.constants.L.value
    v = alg.outer_gradients(fam, w, alpha, batches)
    delta = 10.0 ** log_delta
    outcomes = []
    for exact in (False, True):
        try:
            d, ratio = alg.central_difference_hvp(fam, w, v, delta, batches.hessian, exact_ratio=exact)
            outcomes.append((d, ratio))
        except FiniteDifferenceError:
            outcomes.append(None)
    assert (outcomes[0] is None) == (outcomes[1] is None)  # the same decision, whichever way it is reached
    if outcomes[0] is not None:
        (d_lean, bound), (d_exact, exact_ratio) = outcomes
        np.testing.assert_array_equal(d_lean, d_exact)
        assert exact_ratio <= bound * (1 + 1e-12) and bound <= 1


def test_rows_with_zero_v_give_zero_and_non_finite_points_are_refused():
    fam = examples(6)["trigonometric"]
    rng = np.random.default_rng(3)
    batches = alg.draw_meta_batches(fam, 3, EXACT, EXACT, EXACT, rng)
    w = np.zeros(fam.dim)
    v = alg.outer_gradients(fam, w, 0.1, batches)
    v[1] = 0.0
    d, _ = alg.central_difference_hvp(fam, w, v, 1e-3, batches.hessian)
    np.testing.assert_array_equal(d[1], 0.0)
    np.testing.assert_allclose(d[0], fam.hvp(w, v[0], batches.tasks[:1])[0], rtol=1e-4, atol=1e-8)
    with pytest.raises(NonFiniteValue) as err, np.errstate(over="ignore"):
        alg._central_difference_hvp(fam, w, np.full_like(v, 1e300), np.full(3, 1e10), batches.hessian,
                                    np.full(3, np.inf))
    assert err.value.parameter == "w"


def test_public_difference_validates_its_arguments():
    fam = examples(7)["rank-one"]
    rng = np.random.default_rng(4)
    batches = alg.draw_meta_batches(fam, 3, EXACT, EXACT, EXACT, rng)
    w = np.zeros(fam.dim)
    v = rng.standard_normal((3, fam.dim))
    cases = [(dict(V=v[:2]), "V"), (dict(V=np.full_like(v, np.nan)), "V"), (dict(batch="D_h"), "batch"),
             (dict(deltas=-1.0), "delta"), (dict(deltas=np.array([1e-3, np.nan, 1e-3])), "delta")]
    for change, parameter in cases:
        args = dict(family=fam, w=w, V=v, deltas=1e-3, batch=batches.hessian) | change
        with pytest.raises(ParameterError) as err:
            alg.central_difference_hvp(**args)
        assert err.value.parameter == parameter
