"""The bias checks' machinery (verify/checks/bias.py): exact expectations against brute force, the variance-reduced
HF-MAML estimator's unbiasedness, verdicts and controls, search, replay and bad input."""
import json

import numpy as np
import pytest

from bounds import BOUNDS
from verify.checks import bias
from verify.model.algorithms import (MetaBatches, fo_maml_direction, hf_maml_direction, maml_direction,
    outer_gradients, theorem_h_1_delta_rule)
from verify.checks.bias import (BIAS_CASES, BIAS_CASES_BY_ID, AntitheticNoise, adversarial_search,
    build_bias_family, build_setup, evidence_of, exact_mean_directions, expected_outer_gradients,
    gaussian_smoothed_gradient, hf_maml_draws, judge_bias, run_instance, stationary_point, statistical_tests)
from verify.model.errors import ParameterError
from verify.judge.evidence import Instance, Verdict
from verify.model.families import (NoisyFamily, QuadraticFamily, RankOneFamily, RegressionFamily,
    TrigonometricFamily)
from verify.checks.moments import BIAS_DISPLAYS
from verify.model.objectives import meta_gradient
from verify.checks.pointwise import falsified
from verify.replay import main as replay

# A z-score beyond which a Monte Carlo mean disagrees with a claimed expectation (seeds are
# fixed, so these tests are deterministic; 6 sigma keeps them meaningful and never marginal).
Z = 6.0
BASE = dict(d=2, n=3, alpha_frac=1.0, noise=0.5, spread=0.5, amplitude=0.5, curvature=0.5, shared=0, scale=0.5,
            stationary=0, D_in=1, D_o=1)
# A stationary point of F with little noise: where HF-MAML's bias is large against (140)'s right side.
CORNER = dict(BASE, n=4, noise=0.0, spread=1.0, amplitude=0.6, curvature=0.3, shared=1, stationary=1, D_in=16)


def _chunked_means(sample_chunk, chunks: int):
    """Means and standard errors over ``chunks`` independent chunk means (each a (d,) vector)."""
    M = np.array([sample_chunk(k) for k in range(chunks)])
    return M.mean(axis=0), M.std(axis=0, ddof=1) / np.sqrt(chunks)


def _tiled(fam, K, D_in, D_o, D_h, rng) -> MetaBatches:
    """K independent draws of one iteration's batches for every task, weighted so the direction is their mean."""
    tasks = np.tile(np.arange(fam.n_tasks), K)
    return MetaBatches(tasks, np.tile(fam.probabilities, K) / K, fam.draw_batch(tasks, D_in, rng, name="D_in"),
                       fam.draw_batch(tasks, D_o, rng, name="D_o"), fam.draw_batch(tasks, D_h, rng, name="D_h"))


# ---------------------------------------------------------------------- exact expectations vs brute force
def test_gaussian_smoothing_of_the_trigonometric_gradient_matches_brute_force():
    rng = np.random.default_rng(0)
    base = TrigonometricFamily.random(rng, 3, 2)
    U, std, K = rng.standard_normal((3, 2)), 0.8, 200_000
    mean, diff = gaussian_smoothed_gradient(base, U, std)
    zeta = std * rng.standard_normal((K, 3, 2))
    tasks = np.tile(np.arange(3), K)
    G = base.gradient((U[None] - zeta).reshape(-1, 2), tasks).reshape(K, 3, 2)
    se = G.std(axis=0) / np.sqrt(K)
    assert np.all(np.abs(G.mean(axis=0) - mean) <= Z * se)
    # Power: the smoothing term is resolved, i.e. the unsmoothed gradient is rejected.
    assert np.any(np.abs(G.mean(axis=0) - base.gradient(U, np.arange(3))) > Z * se)
    assert np.allclose(mean - diff, base.gradient(U, np.arange(3)), rtol=0, atol=1e-14)


def test_lemma_4_10_bias_closed_form_matches_the_algorithms_outer_gradients():
    """E[v_i] of verify.checks.bias against v_i = grad~ f_i(w - alpha grad~ f_i(w, D_in), D_o) drawn by verify.model.algorithms.

    alpha is taken large (the closed form holds for any alpha) so that e_{i,k} is resolved."""
    rng = np.random.default_rng(1)
    fam = NoisyFamily(TrigonometricFamily.random(rng, 3, 2), 3.0, 1.0)
    w, alpha, D_in, D_o = np.array([0.3, -0.4]), 0.5, 2, 1
    Ev, e = expected_outer_gradients(fam, w, alpha, D_in)
    K = 100_000
    b = _tiled(fam, K, D_in, D_o, 1, rng)
    V = outer_gradients(fam, w, alpha, b).reshape(K, 3, 2)
    se = V.std(axis=0) / np.sqrt(K)
    assert np.all(np.abs(V.mean(axis=0) - Ev) <= Z * se)
    assert np.any(np.abs(V.mean(axis=0) - (Ev - e)) > Z * se), "the test cannot tell e_{i,k} from 0"


@pytest.mark.parametrize("kind", ["noisy-trigonometric", "noisy-quadratic", "regression"])
@pytest.mark.parametrize("algorithm", ["maml", "fo_maml"])
def test_exact_mean_direction_matches_the_algorithms_directions(kind, algorithm):
    rng = np.random.default_rng(2)
    fam = build_bias_family(kind, rng, dict(BASE, noise=0.6, d=2, n=3))
    w, alpha, D_in, D_o, D_h = np.array([0.5, -0.2]), 0.3, 1, 2, 3
    exact = fam.probabilities @ exact_mean_directions(fam, w, alpha, D_in, algorithm)
    direction = maml_direction if algorithm == "maml" else fo_maml_direction

    def chunk(_):
        return direction(fam, w, alpha, _tiled(fam, 2000, D_in, D_o, D_h, rng)).vector

    mean, se = _chunked_means(chunk, 40)
    assert np.all(np.abs(mean - exact) <= Z * se + 1e-12)


@pytest.mark.parametrize("kind", ["noisy-quadratic", "regression"])
def test_on_quadratic_tasks_mamls_bias_and_e_vanish_exactly(kind):
    """Why (80), (81), (116) are not checked on quadratic tasks: the left side is identically 0."""
    fam = build_bias_family(kind, np.random.default_rng(3), BASE)
    w, alpha = np.array([0.2, 0.7]), 0.1
    Ev, e = expected_outer_gradients(fam, w, alpha, 1)
    assert np.all(e == 0)
    G = fam.probabilities @ exact_mean_directions(fam, w, alpha, 1, "maml")
    assert np.allclose(G, meta_gradient(fam, w, alpha), rtol=1e-13, atol=1e-13)
    # Regression: enumerate every inner batch of one sample (D_in = 1) instead of trusting the formula.
    if isinstance(fam, RegressionFamily):
        for i in range(fam.n_tasks):
            X, y = fam.X[i], fam.y[i]
            inner = w - alpha * X * (X @ w - y)[:, None]
            assert np.allclose(fam.gradient(inner, np.full(len(inner), i)).mean(axis=0), Ev[i], atol=1e-12)
    cases = {(c.bound_id, c.family) for c in BIAS_CASES}
    assert not {(b, kind) for b in ("eq_80_maml_bias", "eq_81_maml_bias_numeric", "eq_116_mean_bias")} & cases


# ---------------------------------------------------------------------- the HF-MAML estimator
def test_antithetic_twin_negates_the_noise_of_the_same_batches():
    fam = build_bias_family("noisy-trigonometric", np.random.default_rng(4), BASE)
    twin = AntitheticNoise(fam)
    b = fam.draw_batch(np.arange(3), 2, np.random.default_rng(5))
    w = np.array([0.1, 0.2])
    exact = fam.gradient(w)
    assert np.allclose(fam.batch_gradient(w, b) - exact, exact - twin.batch_gradient(w, b), atol=1e-13)
    assert np.allclose(fam.batch_hessian(w, b) + twin.batch_hessian(w, b), 2 * fam.hessian(w), atol=1e-13)
    with pytest.raises(ParameterError, match="family"):
        AntitheticNoise(fam.base)


def test_hf_maml_estimator_is_unbiased_and_reduces_the_variance():
    """mean(Y) + grad F (control variate + antithetic pairs) against plain Monte Carlo of hf_maml_direction."""
    case = BIAS_CASES_BY_ID["eq_140_hf_maml_bias@noisy-trigonometric"]
    s = build_setup(case, Instance(case.id, 17, dict(CORNER, noise=0.4, D_in=2)))
    fam, rho = s.family, s.consts["rho"]
    dr = hf_maml_draws(fam, s.w, s.alpha, s.D_in, s.D_o, s.D_h, 4000, np.random.default_rng(6), rho)
    est, est_se = dr.Y.mean(axis=0), dr.Y.std(axis=0, ddof=1) / np.sqrt(len(dr.Y))
    rng = np.random.default_rng(7)
    rule = theorem_h_1_delta_rule(rho, s.alpha)

    def chunk(_):
        return hf_maml_direction(fam, s.w, s.alpha, _tiled(fam, 2000, s.D_in, s.D_o, s.D_h, rng), rule).vector

    plain, plain_se = _chunked_means(chunk, 40)
    bias_plain = plain - s.grad_F
    assert np.all(np.abs(est - bias_plain) <= Z * np.hypot(est_se, plain_se))
    assert np.linalg.norm(bias_plain) > Z * np.linalg.norm(plain_se), "the test cannot tell the bias from 0"
    # Variance reduction: one pair's spread against one plain draw's (chunk means' spread x sqrt(chunk size)).
    plain_draw_sd = plain_se * np.sqrt(40) * np.sqrt(2000)
    assert np.all(dr.Y.std(axis=0) < plain_draw_sd / 30)


# ---------------------------------------------------------------------- verdicts and controls
def test_cases_cover_the_bias_displays_and_the_identities():
    ids = {c.bound_id for c in BIAS_CASES}
    identities = {"eq_108_fo_maml_mean_direction", "eq_109_fo_maml_mean_direction_inverse",
                  "eq_112_fo_maml_bias_identity", "eq_113_neumann_series", "eq_114_r_k_series",
                  "eq_127_hf_maml_mean_direction_split", "eq_128_fd_direction_mean",
                  "eq_130_fd_direction_mean_simplified", "eq_139_hf_maml_bias_identity"}
    # (133) bounds the e-term of (131), MAML's bias r_k: exact, with no HF-MAML direction in it.
    assert ids == set(BIAS_DISPLAYS) | identities | {"eq_133_hf_maml_bias_e_term"}
    assert all(c.method in ("exact", "monte_carlo") for c in BIAS_CASES)
    assert all(c.method == "monte_carlo" for c in BIAS_CASES
               if c.algorithm == "hf_maml" and c.bound.lhs.name != "e_term_norm")
    # Every HF-MAML identity has a positive control: the formula with the signs of (20) and (129).
    assert all(c.bound_id in bias.POSITIVE_FORMULA for c in BIAS_CASES if c.is_identity and c.algorithm == "hf_maml")


def test_an_exact_inequality_holds_and_its_falsified_version_is_violated():
    # The falsified Bound is the rhs times 9/10 of the declared supremum: only an instance near the
    # equality case (the kinked family's, verify.checks.bias.kinked_extremal_instances) catches it.
    case = BIAS_CASES_BY_ID["eq_80_maml_bias@kinked-two-point"]
    inst = bias.kinked_extremal_instances(case)[0]
    out = run_instance(case, inst, 1e-6)
    assert out.verdict is Verdict.HOLDS and out.lower == out.upper == out.estimate > 0 and out.n == 0
    bad, note = falsified(case.bound, out.ratio)
    assert "supremum" in note
    assert run_instance(case, inst, 1e-6, bad).verdict is Verdict.VIOLATED
    # A random trigonometric instance, far from the equality case, does not catch it.
    trig = BIAS_CASES_BY_ID["eq_80_maml_bias@noisy-trigonometric"]
    assert run_instance(trig, Instance(trig.id, 3, dict(BASE, noise=0.9)), 1e-6, bad).verdict is Verdict.HOLDS


def test_the_squared_display_is_judged_on_the_square():
    case = BIAS_CASES_BY_ID["eq_118_fo_maml_bias_squared@noisy-quadratic"]
    other = BIAS_CASES_BY_ID["eq_117_fo_maml_bias@noisy-quadratic"]
    inst = dict(BASE, stationary=1)
    sq = run_instance(case, Instance(case.id, 5, inst), 1e-6)
    lin = run_instance(other, Instance(other.id, 5, inst), 1e-6)
    assert sq.estimate == pytest.approx(lin.estimate ** 2, rel=1e-12)


def test_identity_112_holds_to_rounding_and_without_e_it_is_violated():
    case = BIAS_CASES_BY_ID["eq_112_fo_maml_bias_identity@noisy-trigonometric"]
    inst = Instance(case.id, 9, dict(BASE, noise=0.2))
    out = run_instance(case, inst, 1e-6)
    assert out.verdict is Verdict.HOLDS and out.estimate <= out.rhs < 1e-10
    assert run_instance(case, inst, 1e-6, formula="without_e").verdict is Verdict.VIOLATED
    with pytest.raises(ParameterError, match="formula"):
        run_instance(case, inst, 1e-6, formula="sign_corrected")


def test_identity_108_misses_by_twice_the_mean_bias_and_holds_with_the_sign_of_20():
    case = BIAS_CASES_BY_ID["eq_108_fo_maml_mean_direction@noisy-trigonometric"]
    inst = Instance(case.id, 9, dict(BASE, noise=0.2))
    s = bias.setup_for(case, inst)
    mean_e = np.linalg.norm(s.family.probabilities @ s.e)
    paper = run_instance(case, inst, 1e-6)
    # The definition before (108) is -e of (20): the printed (108) is off by 2 E_i e_{i,k}, without e by one.
    assert paper.verdict is Verdict.VIOLATED and paper.estimate == pytest.approx(2 * mean_e, rel=1e-9)
    assert run_instance(case, inst, 1e-6, formula="without_e").estimate == pytest.approx(mean_e, rel=1e-9)
    assert run_instance(case, inst, 1e-6, formula="sign_corrected").verdict is Verdict.HOLDS


@pytest.mark.parametrize("bound_id", ["eq_109_fo_maml_mean_direction_inverse", "eq_113_neumann_series",
                                      "eq_114_r_k_series"])
def test_identities_109_113_114_hold_to_rounding_and_their_wrong_formula_is_violated(bound_id):
    case = BIAS_CASES_BY_ID[f"{bound_id}@noisy-trigonometric"]
    inst = Instance(case.id, 9, dict(BASE, noise=0.2))
    out = run_instance(case, inst, 1e-6)
    assert out.verdict is Verdict.HOLDS and out.estimate <= out.rhs < 1e-10
    wrong = bias.CONTROL_FORMULA[bound_id]
    assert run_instance(case, inst, 1e-6, formula=wrong).verdict is Verdict.VIOLATED


def test_the_neumann_partial_sum_is_the_inverse_within_its_tail_bound():
    rng = np.random.default_rng(4)
    Q = np.linalg.qr(rng.standard_normal((3, 3)))[0]
    H = (Q * np.array([1.0, -1.0, 0.3])) @ Q.T  # eigenvalues +-L: the tail bound is attained up to rounding
    for alpha in (0.1, 0.5, 0.9):
        S, tail = bias.neumann_partial_sum(H[None], alpha, 1.0)
        exact = np.linalg.inv(np.eye(3) - alpha * H)
        assert np.linalg.norm(S[0] - exact, 2) <= tail + 1e3 * np.finfo(float).eps / (1 - alpha)
        S1, _ = bias.neumann_partial_sum(H[None], alpha, 1.0, with_identity=False)
        assert np.allclose(S1[0], S[0] - np.eye(3), atol=1e-14)
    with pytest.raises(ParameterError, match="alpha L < 1"):
        bias.neumann_partial_sum(H[None], 1.0, 1.0)


def test_identity_139_fails_by_the_sign_of_e_tilde_and_holds_with_it_corrected():
    case = BIAS_CASES_BY_ID["eq_139_hf_maml_bias_identity@noisy-trigonometric"]
    inst = Instance(case.id, 11, dict(BASE, draws=300))
    paper = run_instance(case, inst, 1e-6)
    right = run_instance(case, inst, 1e-6, formula="sign_corrected")
    no_e = run_instance(case, inst, 1e-6, formula="sign_corrected_without_e")
    assert paper.verdict is Verdict.VIOLATED and right.verdict is Verdict.HOLDS and no_e.verdict is Verdict.VIOLATED
    # The paper's residual is 2 alpha ||E e~||: twice what the positive control's correction adds.
    s = build_setup(case, inst)
    dr = s.draws_cache[300] if s.draws_cache else hf_maml_draws(s.family, s.w, s.alpha, s.D_in, s.D_o, s.D_h, 300,
                                                                np.random.default_rng([s.seed, 1]), s.consts["rho"])
    assert paper.estimate == pytest.approx(2 * s.alpha * np.linalg.norm(dr.e_tilde.mean(axis=0)), rel=1e-9)


def test_display_140_is_violated_at_a_stationary_point_and_the_control_is_caught():
    case = BIAS_CASES_BY_ID["eq_140_hf_maml_bias@noisy-trigonometric"]
    inst = Instance(case.id, 4135204600, dict(CORNER, draws=500))
    out = run_instance(case, inst, 1e-6)
    assert out.verdict is Verdict.VIOLATED and out.lower > out.rhs
    s = build_setup(case, inst)
    assert s.values["grad_F_norm"] < 1e-8  # the terms in ||grad F|| vanish; the bias does not
    bad, _ = falsified(case.bound, out.ratio)
    assert run_instance(case, inst, 1e-6, bad).verdict is Verdict.VIOLATED


def test_judge_combines_instances_runs_both_controls_and_records_evidence():
    case = BIAS_CASES_BY_ID["eq_139_hf_maml_bias_identity@noisy-trigonometric"]
    fixed = [Instance(case.id, 1, dict(BASE, draws=200)), Instance(case.id, 2, dict(BASE, d=1, draws=200))]
    check = judge_bias(case, fixed, 1e-6)
    assert check.verdict is Verdict.VIOLATED and check.control_caught and check.positive_held
    ev = evidence_of(case, check, 0, 1e-6, "some-finding")
    assert ev.finding == "some-finding" and ev.negative_control_caught and ev.admitted == 2
    assert "antithetic" in ev.note and "positive control" in ev.note and ev.worst_instance is not None
    assert statistical_tests(case, 2, 1) == 5 and statistical_tests(BIAS_CASES_BY_ID[
        "eq_80_maml_bias@noisy-trigonometric"], 4, 1) == 0


def test_search_is_reproducible_admits_its_candidates_and_exact_checks_judge_them_all():
    case = BIAS_CASES_BY_ID["eq_117_fo_maml_bias@noisy-quadratic"]
    a, b = adversarial_search(case, 5, 6, 3), adversarial_search(case, 5, 6, 3)
    assert [i.to_json() for _, i, _ in a.scored] == [i.to_json() for _, i, _ in b.scored] and a.size == 9
    assert all(np.isfinite(s) for s, _, _ in a.scored)
    scores = [s for s, _, _ in a.scored]
    assert scores == sorted(scores, reverse=True)
    check = judge_bias(case, [], 1e-6, a)
    assert check.tried == 9 and check.worst.ratio == pytest.approx(scores[0])


def test_stationary_point_finds_the_root_of_grad_F_of_quadratic_tasks():
    fam = QuadraticFamily.random(np.random.default_rng(8), 3, 2, spectrum="positive_definite")
    x = stationary_point(fam, np.array([3.0, -2.0]), 0.1)
    assert np.linalg.norm(meta_gradient(fam, x, 0.1)) < 1e-10


def test_replay_of_a_bias_instance(capsys):
    case = BIAS_CASES_BY_ID["eq_81_maml_bias_numeric@noisy-trigonometric"]
    inst = Instance(case.id, 4, BASE)
    assert replay([inst.to_json()]) == 0
    assert "holds" in capsys.readouterr().out
    hf = BIAS_CASES_BY_ID["eq_140_hf_maml_bias_numeric@noisy-trigonometric"]
    assert replay([Instance(hf.id, 4135204600, dict(CORNER, draws=300)).to_json()]) == 1
    assert "violated" in capsys.readouterr().out
    with pytest.raises(SystemExit) as refused:  # argparse: the argument named, exit status 2
        bias.main(["{not json"])
    assert refused.value.code == 2


# ---------------------------------------------------------------------- bad input
def test_bad_input_is_refused_with_the_parameter_named():
    rank_one = RankOneFamily.random(np.random.default_rng(0), 2, 2, radius=1.0)
    with pytest.raises(ParameterError, match="family"):
        expected_outer_gradients(NoisyFamily(rank_one, 0.1), np.zeros(2), 0.1, 1)
    trig = TrigonometricFamily.random(np.random.default_rng(0), 2, 2)
    with pytest.raises(ParameterError, match="std"):
        gaussian_smoothed_gradient(trig, np.zeros((2, 2)), -1.0)
    with pytest.raises(ParameterError, match="U"):
        gaussian_smoothed_gradient(trig, np.zeros((3, 2)), 1.0)
    with pytest.raises(ParameterError, match="D_in"):
        expected_outer_gradients(NoisyFamily(trig, 0.1), np.zeros(2), 0.1, 0)
    with pytest.raises(ParameterError, match="w"):
        expected_outer_gradients(NoisyFamily(trig, 0.1), np.zeros(3), 0.1, 1)
    with pytest.raises(ParameterError, match="algorithm"):
        exact_mean_directions(NoisyFamily(trig, 0.1), np.zeros(2), 0.1, 1, "hf_maml")
    with pytest.raises(ParameterError, match="kind"):
        build_bias_family("cubic", np.random.default_rng(0), BASE)
    case = BIAS_CASES_BY_ID["eq_80_maml_bias@noisy-trigonometric"]
    with pytest.raises(ParameterError, match="params"):
        build_setup(case, Instance(case.id, 1, {"d": 2}))
    fam = NoisyFamily(trig, 0.1)
    with pytest.raises(ParameterError, match="draws"):
        hf_maml_draws(fam, np.zeros(2), 0.1, 1, 1, 1, 1, np.random.default_rng(0), 1.0)
    with pytest.raises(ParameterError, match="count"):
        adversarial_search(case, 0, -1, 0)


def test_instances_replay_from_their_json():
    inst = Instance(BIAS_CASES[0].id, 12, BASE)
    again = Instance.from_json(json.dumps(json.loads(inst.to_json())))
    a, b = run_instance(BIAS_CASES[0], inst, 1e-6), run_instance(BIAS_CASES[0], again, 1e-6)
    assert a.estimate == b.estimate and a.rhs == b.rhs
    assert BOUNDS[BIAS_CASES[0].bound_id].algorithm == "maml"
