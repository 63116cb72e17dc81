"""The machinery of verify/checks/h1_counterexample.py: oracles, constants, the multinomial path, min F's certificate."""
import numpy as np
import pytest

from bounds import BOUNDS
from verify.model.algorithms import (MetaBatches, hf_maml_direction, registry_stepsize_factor, run,
    theorem_h_1_delta_rule)
from verify.checks.convergence import Trajectories, judge
from verify.model.errors import ALL_TASKS, EXACT, ParameterError
from verify.judge.evidence import Verdict
from verify.model.families import TrigonometricFamily
from verify.checks.h1_counterexample import (THEOREM_ID, Tasks1D, build_family, build_setup, certify_min_F,
    simulate, step_rule)
from verify.checks.instances import alpha_for
from verify.model.objectives import meta_gradient, meta_objective, stepsize_beta_tilde

SEED, PARAMS = 5, {}


@pytest.fixture(scope="module")
def setup():
    return build_setup(SEED, PARAMS)


@pytest.fixture(scope="module")
def fam(setup):
    return setup.family


def test_tasks1d_agree_with_the_family_and_the_objectives(fam, setup):
    t = Tasks1D(fam)
    rng = np.random.default_rng(0)
    pts = np.concatenate([rng.uniform(-5, 5, 40), rng.uniform(-300, 300, 10)])
    for w in pts:
        W = np.array([w])
        assert np.allclose(t.loss(w), fam.loss(W), rtol=1e-13, atol=1e-12)
        assert np.allclose(t.grad(w), fam.gradient(W)[:, 0], rtol=1e-13, atol=1e-12)
        g, h = t.grad_curv(w)
        assert np.allclose(h, fam.hessian(W)[:, 0, 0], rtol=1e-13, atol=1e-12)
        F, gF = t.F_and_grad(np.array([w]), setup.alpha)
        assert F[0] == pytest.approx(meta_objective(fam, W, setup.alpha), rel=1e-13, abs=1e-12)
        assert gF[0] == pytest.approx(meta_gradient(fam, W, setup.alpha)[0], rel=1e-12, abs=1e-13)
    # F' is the derivative of F (central differences at a few points).
    x = np.array([-1.7, -1.65, 0.3, 2.0])
    hstep = 1e-5
    num = (t.F_and_grad(x + hstep, setup.alpha)[0] - t.F_and_grad(x - hstep, setup.alpha)[0]) / (2 * hstep)
    assert np.allclose(num, t.F_and_grad(x, setup.alpha)[1], atol=1e-8)


def test_the_constants_hold_on_all_of_R_and_are_global(fam):
    c = fam.constants
    assert all(getattr(c, k).domain.is_global for k in ("L", "rho", "sigma", "sigma_tilde", "sigma_H"))
    assert c.sigma_tilde.value == 0 and c.sigma_H.value == 0
    t = Tasks1D(fam)
    w = np.linspace(-400, 400, 400_001)[:, None]
    _, h = t.grad_curv(w)
    third = (t.grad_curv(w + 1e-4)[1] - t.grad_curv(w - 1e-4)[1]) / 2e-4
    L, rho, sigma = c.L.value, c.rho.value, c.sigma.value
    assert np.abs(h).max() <= L * (1 + 1e-12) and np.abs(h).max() >= 0.999 * L  # the supremum, attained
    assert np.abs(third).max() <= rho * (1 + 1e-6) and np.abs(third).max() >= 0.99 * rho
    g = t.grad(w)
    variance = ((g - (g @ t.p)[:, None]) ** 2) @ t.p
    assert variance.max() <= sigma ** 2 * (1 + 1e-12)
    assert np.all(t.lam > 0) and np.all(t.lam == t.lam[0])  # shared curvature: F bounded below, sigma global


def test_registry_functions_are_the_librarys(fam, setup):
    rule = step_rule(fam, setup.alpha)
    norms = np.array([1e-3, 0.5, 2.0, 37.0])
    lib = theorem_h_1_delta_rule(fam.constants.rho.value, setup.alpha)
    assert np.allclose(rule.delta_of(norms), lib(norms), rtol=1e-14)
    t = Tasks1D(fam)
    for w in (-1.66, 0.4, 7.0):
        mean = np.abs(t.grad(w)) @ t.p
        expected = stepsize_beta_tilde(fam, np.array([w]), setup.alpha, ALL_TASKS, EXACT)
        assert float(rule.beta_tilde_of(np.array([mean]))[0]) == pytest.approx(expected, rel=1e-14)
    assert rule.stepsize_factor == registry_stepsize_factor("hf_maml")
    # alpha at the end of the Bound's range, read from the registry.
    assert setup.alpha == alpha_for(BOUNDS[THEOREM_ID], 1.0, fam.constants.L.value)


@pytest.mark.parametrize("fd_step", [None, 1e-3])
def test_the_multinomial_step_is_hf_maml_with_the_same_task_draws(fam, setup, fd_step):
    """algorithms.run draws B' (for beta~) then B each iteration; the same draws, as counts, give the same iterates."""
    B, Bp, K = 25, 7, 40
    rule = step_rule(fam, setup.alpha, fd_step)
    delta = "theorem_h_1" if fd_step is None else (lambda norms: fd_step / norms)
    tr = run("hf_maml", fam, np.array([setup.w0]), setup.alpha, K, rng=np.random.default_rng(11), B=B, D_in=1,
             D_o=1, D_h=1, stepsize_factor=registry_stepsize_factor("hf_maml"), B_prime=Bp, D_beta=1, delta=delta,
             record_iterates=True)
    assert tr.outcome == "completed"
    rng = np.random.default_rng(11)
    W = np.array([setup.w0])
    for k in range(K):
        tBp = fam.sample_tasks(Bp, rng)
        tB = fam.sample_tasks(B, rng)
        wBp = np.bincount(tBp, minlength=fam.n_tasks)[None, :] / Bp
        wB = np.bincount(tB, minlength=fam.n_tasks)[None, :] / B
        W, gF = rule.step(W, wB, wBp)
        assert abs(gF[0]) == pytest.approx(tr.grad_F_norm[k], rel=1e-11)
        assert W[0] == pytest.approx(tr.iterates[k + 1][0], rel=1e-12, abs=1e-13)


def test_the_direction_is_hf_maml_direction_for_a_batch(fam, setup):
    rule = step_rule(fam, setup.alpha)
    tasks = np.array([0, 1, 1, 0, 1])
    batches = MetaBatches(tasks, np.full(5, 0.2), *(fam.draw_batch(tasks, 1) for _ in range(3)))
    delta = theorem_h_1_delta_rule(fam.constants.rho.value, setup.alpha)
    for w in (setup.w0, setup.w_inf, 3.3):
        ref = hf_maml_direction(fam, np.array([w]), setup.alpha, batches, delta).vector[0]
        Gi, _, _ = rule.direction_parts(np.array([w]))
        counts = np.bincount(tasks, minlength=fam.n_tasks) / 5
        assert float(Gi[0] @ counts) == pytest.approx(ref, rel=1e-12, abs=1e-15)


def test_w_inf_is_a_stable_zero_of_the_mean_direction_and_not_stationary(setup):
    rule = step_rule(setup.family, setup.alpha)
    G = rule.mean_direction(np.array([setup.w_inf - 1e-4, setup.w_inf, setup.w_inf + 1e-4]))
    assert abs(G[1]) < 1e-12 and G[0] < 0 < G[2]
    assert setup.grad_F_inf > 2 * setup.values["epsilon"] * 0.999
    # The start lies beyond w_inf as seen from w*, with the gradient above epsilon all the way.
    assert (setup.w0 - setup.w_inf) * (setup.w_inf - setup.w_star) > 0
    assert setup.segment_min_grad > setup.values["epsilon"]


def test_the_librarys_exact_mean_hf_maml_stalls_at_w_inf(setup):
    """The limit B, B' -> inf through algorithms.run itself (all tasks with weights p): no iterate gets below
    ||grad F(w_inf)||, and the iterates approach w_inf."""
    tr = run("hf_maml", setup.family, np.array([setup.w0]), setup.alpha, 600, rng=np.random.default_rng(0),
             B=ALL_TASKS, D_in=EXACT, D_o=EXACT, D_h=EXACT, stepsize_factor=registry_stepsize_factor("hf_maml"),
             B_prime=ALL_TASKS, D_beta=EXACT, delta="theorem_h_1")
    assert tr.grad_F_norm.min() >= setup.grad_F_inf * (1 - 1e-9)
    assert tr.grad_F_norm[-1] <= setup.grad_F_inf * 1.01
    assert tr.grad_F_norm.min() > 1.9 * setup.values["epsilon"]


def test_the_setup_is_inside_every_hypothesis(setup):
    thm, cor = BOUNDS[THEOREM_ID], BOUNDS["corollary_h_2"]
    v = {k: x for k, x in setup.values.items() if k != "Delta"}
    lhs = {s.name: 0.0 for s in thm.lhs.free_symbols}
    assert thm.failed_preconditions({**v, **lhs}) == []
    cv = {k: x for k, x in setup.corollary_values.items() if k != "Delta"}
    assert cor.failed_preconditions({**cv, **lhs}) == []
    assert setup.rhs == v["epsilon"] and setup.noise_level < 1e-2 * v["epsilon"]
    assert setup.corollary_rhs == v["epsilon"] and setup.corollary_T == setup.T
    assert 1000 < setup.T < 50_000 and setup.Delta >= meta_objective(setup.family, np.array([setup.w0]),
                                                                     setup.alpha) - setup.certificate.lower


def test_min_F_certificate_is_a_rigorous_and_tight_lower_bound(setup):
    fam, alpha = setup.family, setup.alpha
    cert = setup.certificate
    t = Tasks1D(fam)
    # Below F everywhere: a finer independent grid around the minimiser and far points on both sides.
    near = np.linspace(setup.w_star - 0.05, setup.w_star + 0.05, 200_001)
    far = np.concatenate([np.linspace(cert.interval[1], cert.interval[1] + 5000, 100_001),
                          np.linspace(cert.interval[0] - 5000, cert.interval[0], 100_001),
                          np.linspace(*cert.interval, 100_001)])
    assert cert.lower <= t.F_and_grad(near, alpha)[0].min()
    assert cert.tail_lower <= t.F_and_grad(far[:200_002], alpha)[0].min()
    assert cert.lower <= t.F_and_grad(far, alpha)[0].min()
    # Tight: within 1e-8 of F(w*), far below Delta.
    F_star = meta_objective(fam, np.array([setup.w_star]), alpha)
    assert 0 <= F_star - cert.lower < 1e-8 and F_star - cert.lower < 1e-4 * setup.Delta


def test_the_curvature_bound_of_the_certificate_holds(setup):
    """|F''| <= L (1 + alpha L)^2 + alpha rho E_i|f_i'(u_i(w))| at h = 0, checked by differences of F'."""
    fam, alpha = setup.family, setup.alpha
    t = Tasks1D(fam)
    L, rho = fam.constants.L.value, fam.constants.rho.value
    w = np.linspace(-30, 30, 60_001)
    Fpp = (t.F_and_grad(w + 1e-5, alpha)[1] - t.F_and_grad(w - 1e-5, alpha)[1]) / 2e-5
    U = w[:, None] - alpha * t.grad(w[:, None])
    M = L * (1 + alpha * L) ** 2 + alpha * rho * (np.abs(t.grad(U)) @ t.p)
    assert np.all(np.abs(Fpp) <= M * (1 + 1e-6))


def test_the_certificate_refuses_tasks_unbounded_below(fam):
    neg = TrigonometricFamily(fam.Q, -fam.lam, fam.a, fam.s, fam.phi, fam.b, fam.c, fam.probabilities)
    with pytest.raises(ParameterError, match="lambda"):
        certify_min_F(neg, 0.1)
    with pytest.raises(ParameterError, match="d = 1"):
        Tasks1D(TrigonometricFamily.random(np.random.default_rng(0), 2, 2, shared_basis=True))


def test_build_family_is_the_bias_checks_tasks_without_noise():
    fam = build_family(SEED, {"n": 2, "amplitude": 0.4, "curvature": 0.3, "spread": 1.0})
    assert isinstance(fam, TrigonometricFamily) and fam.dim == 1 and fam.is_deterministic


def test_simulate_is_reproducible_and_its_runs_are_independent(setup):
    a = simulate(setup, 4, 99, 300)
    b = simulate(setup, 4, 99, 300)
    assert np.array_equal(a.X, b.X) and a.reached == 300 and np.all(np.isfinite(a.X))
    assert len({float(x) for x in a.X[:, -1]}) == 4  # different draws per run
    assert np.allclose(a.X[:, 0], setup.grad_F_w0, rtol=1e-12)
    c = simulate(setup, 4, 100, 300)
    assert not np.array_equal(a.X, c.X)


def test_early_stop_needs_holds_and_the_judge_reads_the_runs(setup):
    # With a nearly exact difference the runs reach epsilon and stop at a checkpoint that decides 'holds';
    # with the paper's rule, the same stop rule never fires within a short horizon.
    pos = simulate(setup, 6, 5, setup.T, fd_step=1e-4, stop_rhs=setup.rhs, delta=1e-4)
    assert pos.reached < setup.T and judge(pos, setup.rhs, 1e-4).verdict is Verdict.HOLDS
    rule_runs = simulate(setup, 6, 5, 400, stop_rhs=setup.rhs, delta=1e-4)
    assert rule_runs.reached == 400
    cut = judge(Trajectories(rule_runs.X, setup.T), setup.rhs, 1e-4)
    assert cut.verdict is Verdict.INCONCLUSIVE  # above rhs, but T not reached: no violation claimed
