"""The expectation checks' machinery, and the closed-form facts that make some of their pairs degenerate."""
import numpy as np
import pytest

from verify.judge.evidence import Instance, Verdict
from verify.checks.expectation import (DEGENERATE, EXTREMAL_KIND, STAT_CASES, STAT_CASES_BY_ID,
    build_stat_family, extremal_instances, plumbing_control, run_instance)
from verify.model.objectives import meta_gradient, meta_gradient_test
from verify.checks.pointwise import falsified


def test_quadratic_per_sample_losses_have_no_inner_step_bias():
    """(20) with quadratic per-sample losses: the gradient is affine, so E_D grad f_i(w - alpha grad~ f_i(w, D))
    = grad f_i(w - alpha grad f_i(w)) exactly.  Checked by enumerating every batch of size 1."""
    fam = build_stat_family("regression", np.random.default_rng(0), 3, 2, 0.5, 0.5)
    w, alpha = np.array([0.3, -0.2, 0.5]), 0.05
    for i in range(fam.n_tasks):
        X, y = fam.X[i], fam.y[i]
        per_sample = X * (X @ w - y)[:, None]          # gradient of 1/2 (x'w - y)^2 at each sample
        inner = w - alpha * per_sample                   # every possible inner point with D_in = 1
        mean_outer = fam.gradient(inner, np.full(len(inner), i)).mean(axis=0)
        exact = fam.gradient(w - alpha * fam.gradient(w, [i])[0], [i])[0]
        assert np.allclose(mean_outer, exact, rtol=1e-12, atol=1e-12)
    assert ("lemma_4_10_bias", "regression") in DEGENERATE


def test_independent_noise_on_quadratic_tasks_leaves_grad_F_hat_equal_to_grad_F():
    fam = build_stat_family("noisy-quadratic", np.random.default_rng(1), 2, 3, 0.5, 0.5)
    w = np.array([0.4, -0.7])
    est = meta_gradient_test(fam, w, 0.1, 3, np.random.default_rng(2))
    assert est.exact and np.allclose(est.value, meta_gradient(fam, w, 0.1), rtol=1e-13, atol=1e-13)
    assert ("theorem_4_11", "noisy-quadratic") in DEGENERATE


def test_every_statistical_case_reports_its_method():
    assert STAT_CASES and all(c.method for c in STAT_CASES)
    assert not any((c.bound_id, c.family) in DEGENERATE for c in STAT_CASES)


def test_a_falsified_expectation_bound_is_reported_violated():
    case = STAT_CASES_BY_ID["lemma_4_9_second_moment@noisy-trigonometric"]
    inst = Instance(case.id, 5, dict(d=2, n=3, alpha_frac=1.0, batch_margin=0.0, spread=0.5, noise=0.5, scale=0.5))
    true = run_instance(case, inst, 1e-6)
    assert true.verdict is Verdict.HOLDS
    # A random family reaches 0.32 of the bound, far below the power control (9/10 of the supremum):
    # its check's control is placed below the worst ratio it found, and caught.
    bad, note = plumbing_control(case.bound, true)
    assert "plumbing" in note and run_instance(case, inst, 1e-6, bad).verdict is Verdict.VIOLATED
    assert run_instance(case, inst, 1e-6, falsified(case.bound, true.ratio)[0]).verdict is Verdict.HOLDS
    # The power control is caught on the equality-case family, exactly.
    ext = STAT_CASES_BY_ID[f"lemma_4_9_second_moment@{EXTREMAL_KIND}"]
    edge = extremal_instances(ext)[-1]
    assert run_instance(ext, edge, 1e-6).verdict is Verdict.HOLDS
    assert run_instance(ext, edge, 1e-6, falsified(ext.bound, None)[0]).verdict is Verdict.VIOLATED


def test_unknown_family_kind_is_named():
    with pytest.raises(KeyError, match="unknown family kind"):
        build_stat_family("cubic", np.random.default_rng(0), 2, 2, 0.5, 0.5)
