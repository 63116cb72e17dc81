"""Sharpness of Lemma 4.9 (19), Lemma 4.10 (20)-(21) and Theorem 4.11 (22): extremal runners, mutants, exact sums.

For each Bound: the registry's Bound holds on the equality-case instances with a worst ratio
>= 0.9 x its reference ratio (the supremum where derived, else the attained ratio), and the
Bound with its right side times 0.9 x that ratio (a false statement) is violated, exactly.
The exact enumerations are checked against the Monte Carlo draws the random families use,
the kinked family's oracles and refusals, and the closed forms the registry declares.
"""
import dataclasses
import math

import numpy as np
import pytest
import sympy as sp

from bounds import BOUNDS
from bounds._core import CONTROL_FRACTION
from bounds.lemma_4_9.statement import (SECOND_MOMENT_RATIO_ATTAINED, SECOND_MOMENT_RATIO_TWO_POINT,
    SECOND_MOMENT_RATIO_UPPER)
from verify.model.errors import ParameterError
from verify.judge.evidence import Instance, Verdict
from verify.checks.expectation import (EXTREMAL_EDGE, EXTREMAL_KIND, P_STAR, P_STAR_TASK_NOISE,
    STAT_CASES_BY_ID, StatSetup, beta_tilde_draws, build_extremal, exact_beta_tilde_moment, exact_grad_F_hat,
    exact_outer_gradient_moments, extremal_instances, meta_gradient_test_difference_draws, run_instance,
    run_lemma_4_9)
from verify.model.families import NoisyFamily
from verify.model.families.kinked import KinkedGradientFamily, TaskNoiseKinkedFamily
from verify.model.objectives import meta_gradient
from verify.checks.pointwise import falsified
from verify.checks.extremal import extremal_runs

MINE = ("lemma_4_9_first_moment", "lemma_4_9_second_moment", "lemma_4_10_bias", "lemma_4_10_second_moment",
        "theorem_4_11")


@pytest.mark.parametrize("bound_id", MINE)
def test_each_bound_declares_its_sharpness_and_has_an_extremal_runner(bound_id):
    b = BOUNDS[bound_id]
    assert b.sharpness is not None and b.sharpness.extremal and b.sharpness.reference_ratio is not None
    assert any(r.check == f"{bound_id}@{EXTREMAL_KIND}" for r in extremal_runs(b))


@pytest.mark.parametrize("bound_id", MINE)
def test_unmutated_bound_holds_and_reaches_its_declared_ratio(bound_id):
    b = BOUNDS[bound_id]
    ref = float(b.sharpness.reference_ratio)
    runs = extremal_runs(b)
    assert all(r.verdict is Verdict.HOLDS for r in runs), [r.note for r in runs]
    worst = max(r.worst_ratio for r in runs)
    assert worst >= float(CONTROL_FRACTION) * ref
    # The instances come within 1e-4 of the ratio the registry says they approach, and never above the supremum.
    assert float(b.sharpness.attained) * (1 - 1e-4) <= worst <= float(b.sharpness.supremum) * (1 + 1e-12)


@pytest.mark.parametrize("bound_id", MINE)
def test_the_bound_times_nine_tenths_of_its_supremum_is_violated(bound_id):
    b = BOUNDS[bound_id]
    bad, note = falsified(b, None)
    assert "false statement" in note
    assert all(r.verdict is Verdict.VIOLATED for r in extremal_runs(bad))
    # Slightly less than the attained ratio is still caught: the exact verdict needs no margin.
    f = float(b.sharpness.attained) * 0.999
    slightly = dataclasses.replace(b, rhs=b.rhs * f if b.relation.value == "<=" else b.rhs / f)
    assert any(r.verdict is Verdict.VIOLATED for r in extremal_runs(slightly))


def test_lemma_4_9_second_moment_sharpness_numbers():
    """(8/25)(4 + mu)^2 Phi(mu, v) of Theorem A.2: at v = 8 its maximum is the noiseless two-point ratio at
    mu = 2 + 2 sqrt 3; at v = 9 (the proven variance bound) its maximum is the declared upper bound."""
    mu, v = sp.symbols("mu v", positive=True)
    phi = (v / 16 + mu ** 2 * (mu / (v + mu * (mu + 4))) ** 2) / (v + mu ** 2)  # (50), c = 4L = 4, k = 2
    g = sp.Rational(8, 25) * (4 + mu) ** 2 * phi
    assert sp.simplify(g.subs({v: 8, mu: 2 + 2 * sp.sqrt(3)}) - SECOND_MOMENT_RATIO_TWO_POINT) == 0
    assert sp.simplify(sp.diff(g.subs(v, 8), mu).subs(mu, 2 + 2 * sp.sqrt(3))) == 0
    assert sp.simplify(sp.diff(g, v)).subs({v: 9, mu: 5}) > 0  # increasing in the variance
    grid = np.linspace(0.01, 40, 40001)
    values = sp.lambdify(mu, g.subs(v, 9))(grid)
    assert abs(values.max() - float(SECOND_MOMENT_RATIO_UPPER)) < 1e-8
    assert float(SECOND_MOMENT_RATIO_TWO_POINT) < float(SECOND_MOMENT_RATIO_ATTAINED) < float(SECOND_MOMENT_RATIO_UPPER)
    assert math.isclose(P_STAR, (2 + 2 * math.sqrt(3)) ** 2 / ((2 + 2 * math.sqrt(3)) ** 2 + 8), rel_tol=1e-15)
    # The edge instances reach the closed form (noiseless) and the declared attained ratio (noise on one task).
    case = STAT_CASES_BY_ID[f"lemma_4_9_second_moment@{EXTREMAL_KIND}"]
    noiseless, noisy = (run_instance(case, i, 0.0).ratio for i in extremal_instances(case))
    assert math.isclose(noiseless, float(SECOND_MOMENT_RATIO_TWO_POINT), rel_tol=1e-8)
    assert float(SECOND_MOMENT_RATIO_ATTAINED) <= noisy < float(SECOND_MOMENT_RATIO_ATTAINED) + 1e-6
    # p is the maximiser: moving it either way lowers the exact ratio.
    for p in (P_STAR_TASK_NOISE - 1e-3, P_STAR_TASK_NOISE + 1e-3):
        inst = Instance(case.id, 1, dict(extremal_instances(case)[1].params, p=p))
        assert run_instance(case, inst, 0.0).ratio < noisy


def _lemma_4_9_ratio(p: float, B_prime: int, y: float, D: int) -> float:
    """Exact ratio of (19) second for two tasks (G at the edge of B', 0) with the same two-point noise on both."""
    bound = BOUNDS["lemma_4_9_second_moment"]
    L, alpha, eps = 1.0, 1.0, 1.0  # rho alpha = 1
    G = math.sqrt(2.0 * B_prime / (p * (1 - p))) * (1 - 1e-9)
    base = KinkedGradientFamily(L, eps, [G, 0.0], probabilities=[p, 1 - p])
    sigma_t = y * math.sqrt(D) * (1 - 1e-9) / 2.0  # (2 rho alpha sigma~ / L)^2 = y^2 D <= D
    fam = NoisyFamily(base, sigma_t, 0.0, distribution="two_point")
    fam.name = EXTREMAL_KIND  # batch sizes at the edge of (18)
    out = run_lemma_4_9(StatSetup(bound, fam, dict(alpha_frac=1.0, batch_margin=0.0), None, np.zeros(1)), 0.0, 2)
    assert out.verdict is Verdict.HOLDS and out.method.startswith("exact") and out.note.startswith(f"B'={B_prime}")
    return out.ratio


def test_lemma_4_9_second_moment_noise_on_every_task_reaches_no_more_than_the_two_point_law():
    """The claim in bounds/lemma_4_9/statement.py: NoisyFamily noise (the same on every task) does not beat the attained ratio."""
    attained, upper = float(SECOND_MOMENT_RATIO_ATTAINED), float(SECOND_MOMENT_RATIO_UPPER)
    ratios = [_lemma_4_9_ratio(p, B, y, D) for p in (0.5, 0.7, P_STAR, 0.9) for B in (1, 2, 3)
              for D in (1, 2, 3) for y in (0.3, 1.0)]
    assert max(ratios) <= attained * (1 + 1e-9) and max(ratios) <= upper


def test_exact_beta_tilde_moments_match_the_draws_of_the_check():
    fam, w = build_extremal(BOUNDS["lemma_4_9_first_moment"], dict(alpha_frac=0.8, batch_margin=0.4))
    base2 = KinkedGradientFamily(1.0, 0.5, [1.5, -0.3, 0.2], probabilities=[0.2, 0.5, 0.3])
    fam2 = NoisyFamily(base2, 0.7, 0.0, distribution="two_point")
    for f, x, B, D in ((fam, w, 2, 3), (fam2, np.array([0.4]), 3, 2)):
        draws = beta_tilde_draws(f, x, 0.8, B, D, 40000, np.random.default_rng(3))
        for k in (1, 2):
            exact, count = exact_beta_tilde_moment(f, x, 0.8, B, D, k)
            mc = draws ** k
            assert abs(mc.mean() - exact) < 5 * mc.std() / math.sqrt(len(mc)) and count > 1


def test_exact_outer_moments_and_grad_F_hat_match_monte_carlo():
    base = KinkedGradientFamily(1.0, 0.3, [0.4, -0.6], kinks=0.1, probabilities=[0.4, 0.6])
    rng = np.random.default_rng(5)
    for coupling in ("independent", "same", "opposite"):
        fam = NoisyFamily(base, 0.8, 1.5, distribution="two_point", coupling=coupling)
        w, alpha, D = np.array([0.25]), 0.7, 2
        Ev, Esq, _ = exact_outer_gradient_moments(fam, w, alpha, D, 3)
        k = 40000
        tasks = np.tile(np.arange(2), k)
        x = w - alpha * fam.batch_gradient(w, fam.draw_batch(tasks, D, rng))
        v = fam.batch_gradient(x, fam.draw_batch(tasks, 3, rng)).reshape(k, 2)
        assert np.all(np.abs(v.mean(0) - Ev[:, 0]) < 5 * v.std(0) / math.sqrt(k))
        assert np.all(np.abs((v ** 2).mean(0) - Esq) < 5 * (v ** 2).std(0) / math.sqrt(k))
        exact, _ = exact_grad_F_hat(fam, w, alpha, D)
        Y, _ = meta_gradient_test_difference_draws(fam, w, alpha, D, k, rng)
        assert abs(Y.mean(0)[0] - (exact - meta_gradient(fam, w, alpha))[0]) < 5 * Y.std(0)[0] / math.sqrt(k) + 1e-12


def test_the_equality_cases_have_the_declared_structure():
    # (20)-(22): the kink at the inner point u = w - alpha f'(w); (22) also f''(w) = -L and alpha L = 1.
    for bound_id in ("lemma_4_10_bias", "lemma_4_10_second_moment", "theorem_4_11"):
        params = dict(EXTREMAL_EDGE[bound_id][0])
        fam, w = build_extremal(BOUNDS[bound_id], params)
        u = w - float(fam.base.L) * fam.gradient(w)[0] * 1.0  # alpha = 1/L at alpha_frac = 1
        assert abs(u[0] - fam.base.centre) < 1e-12
        if bound_id == "theorem_4_11":
            assert fam.hessian(w)[0, 0, 0] == -fam.base.L and fam.constants.sigma_H.value == 0.0
    fam, w = build_extremal(BOUNDS["theorem_4_11"], EXTREMAL_EDGE["theorem_4_11"][1])
    assert fam.coupling == "same" and fam.hessian(w)[0, 0, 0] == -1.0
    # (19) first: zero gradient, 2 rho alpha sigma~ / L = 1 exactly, D_beta = 1 at the edge.
    fam, w = build_extremal(BOUNDS["lemma_4_9_first_moment"], EXTREMAL_EDGE["lemma_4_9_first_moment"][0])
    c = fam.constants
    assert fam.gradient(w)[0, 0] == 0.0 and 2 * c.rho.value * 1.0 * c.sigma_tilde.value == c.L.value


def test_the_search_of_the_equality_case_family_stays_inside_the_hypotheses():
    rng = np.random.default_rng(0)
    for bound_id in MINE:
        case = STAT_CASES_BY_ID[f"{bound_id}@{EXTREMAL_KIND}"]
        for j in range(6):
            params = dict(d=1, n=1, alpha_frac=float(rng.random()), batch_margin=float(rng.random()),
                          spread=float(rng.random()), noise=float(rng.random()), scale=float(rng.random()))
            out = run_instance(case, Instance(case.id, j, params), 0.0)
            assert out.verdict is Verdict.HOLDS and out.method.startswith("exact") and 0 < out.ratio <= 1 + 1e-12


def test_task_noise_family_is_unbiased_with_the_declared_noise():
    fam = TaskNoiseKinkedFamily(1.0, 0.2, [0.7, -0.1], [0.5, 0.0], probabilities=[0.4, 0.6])
    assert fam.constants.sigma_tilde.value == 0.5 and fam.constants.sigma_tilde.exact
    w = np.array([0.3])
    for D in (1, 2, 3):
        values, probs = fam.batch_noise_law(D)
        g = sum(q * fam.batch_gradient(w, fam.batch_with_noise([0, 1], D, m)) for m, q in zip(values, probs))
        assert np.allclose(g, fam.gradient(w), atol=1e-15)
        var = sum(q * (fam.batch_gradient(w, fam.batch_with_noise([0, 1], D, m)) - fam.gradient(w)) ** 2
                  for m, q in zip(values, probs))
        assert np.allclose(var[:, 0], np.array([0.25, 0.0]) / D)
    # The per-sample loss f_i(x) + s sigma~_i x has the noisy gradient; the Hessian is noiseless.
    b = fam.draw_batch([0, 1], 4, np.random.default_rng(0))
    h = 1e-6
    fd = (fam.batch_loss(w + h, b) - fam.batch_loss(w - h, b)) / (2 * h)
    assert np.allclose(fd, fam.batch_gradient(w, b)[:, 0], atol=1e-8)
    assert np.array_equal(fam.batch_hessian(w, b), fam.hessian(w, [0, 1]))
    with pytest.raises(ParameterError, match="task_sigma_tilde"):
        TaskNoiseKinkedFamily(1.0, 0.2, [0.7, -0.1], [0.5, -0.1])


def test_kinked_family_oracles_and_constants():
    fam = KinkedGradientFamily(2.0, 0.3, [0.5, -1.0], kinks=0.2, probabilities=[0.3, 0.7])
    x = np.linspace(-2, 2, 81)[:, None]
    h = 1e-6
    for task in (0, 1):
        t = np.full(len(x), task)
        fd = (fam.loss(x + h, t) - fam.loss(x - h, t)) / (2 * h)
        assert np.allclose(fam.gradient(x, t)[:, 0], fd, atol=1e-7)
        fd2 = (fam.gradient(x + h, t) - fam.gradient(x - h, t))[:, 0] / (2 * h)
        assert np.allclose(fam.hessian(x, t)[:, 0, 0], fd2, atol=1e-5)
    c = fam.constants
    assert c.L.value == 2.0 and math.isclose(c.rho.value, 2.0 / 0.3) and c.L.exact and c.rho.exact
    assert math.isclose(c.sigma.value, math.sqrt(0.3 * 0.7) * 1.5)
    # rho is attained: the Hessian moves by L over the width eps.
    assert math.isclose(float(np.max(np.abs(np.diff(fam.hessian(x, np.zeros(81, int))[:, 0, 0]) / 0.05))),
                        2.0 / 0.3, rel_tol=0.3)


@pytest.mark.parametrize("kwargs, name", [
    (dict(L=1.0, eps=0.0, offsets=[0.0]), "eps"),  # a true kink: rho infinite
    (dict(L=1.0, eps=-0.1, offsets=[0.0]), "eps"),
    (dict(L=0.0, eps=0.1, offsets=[0.0]), "L"),
    (dict(L=1.0, eps=0.1, offsets=[]), "offsets"),
    (dict(L=1.0, eps=0.1, offsets=[0.0, 1.0], probabilities=[1.0]), "probabilities"),
])
def test_kinked_family_refuses_configurations_outside_the_hypotheses(kwargs, name):
    with pytest.raises(ParameterError, match=name):
        KinkedGradientFamily(**kwargs)


def test_an_exact_enumeration_too_large_is_refused():
    fam = NoisyFamily(KinkedGradientFamily(1.0, 0.5, [0.1, 0.2, 0.3]), 0.5, 0.0, distribution="two_point")
    with pytest.raises(ParameterError, match="B_prime"):
        exact_beta_tilde_moment(fam, np.zeros(1), 0.5, 12, 8, 1)
