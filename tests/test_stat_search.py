"""The adversarial search of the statistical checks (verify.checks.expectation.search_instances) and its estimators.

The search must be reproducible from its seed, draw candidates inside the Bound's
hypotheses, judge the worst candidates, and judge them with draws independent of the
pilot that chose them; the vectorised draws must be the algorithms' own.
"""
import math

import numpy as np
import pytest

from verify.model.algorithms import run, theorem_h_1_delta_rule
from verify.checks.descent import DESCENT_CASES_BY_ID, one_step_draws, run_descent
from verify.model.errors import ParameterError
from verify.judge.evidence import Instance, Verdict
from verify.checks.expectation import (JUDGE_STREAM, PILOT_DELTA, PILOT_STREAM, STAT_CASES, STAT_CASES_BY_ID,
    SearchPlan, SearchSpace, beta_tilde_draws, build_stat_family, build_stat_instance, build_stat_setup,
    pilot_score, run_instance, search_instances, _lemma_4_10_setting, _outer_samples)
from verify.checks.instances import mix_seed
from verify.checks.moments import MOMENT_CASES, MOMENT_CASES_BY_ID, run_instance as run_moment_instance
from verify.model.objectives import stepsize_beta_tilde

SPACE = SearchSpace()


def _noise_score(inst: Instance) -> float:
    """A fake pilot: the candidate's noise level (deterministic, so the ranking is known)."""
    return inst.params["noise"]


def test_search_is_reproducible_from_its_seed():
    plan = SearchPlan(candidates=10, judged=3, pilot_draws=50)
    a = search_instances("x@y", 7, 1, SPACE, plan, _noise_score)
    b = search_instances("x@y", 7, 1, SPACE, plan, _noise_score)
    assert [c.instance.to_json() for c in a.candidates] == [c.instance.to_json() for c in b.candidates]
    assert [i.to_json() for i in a.judged] == [i.to_json() for i in b.judged] and a.seed == b.seed
    # Another run seed, salt (file) or check draws other candidates.
    for other in (search_instances("x@y", 8, 1, SPACE, plan, _noise_score),
                  search_instances("x@y", 7, 2, SPACE, plan, _noise_score),
                  search_instances("x@z", 7, 1, SPACE, plan, _noise_score)):
        assert other.seed != a.seed
        assert [c.instance.seed for c in other.candidates] != [c.instance.seed for c in a.candidates]


def test_search_with_a_real_pilot_is_reproducible():
    case = MOMENT_CASES_BY_ID["eq_88_outer_gradient_second_moment@noisy-trigonometric"]
    plan = SearchPlan(candidates=4, judged=2, pilot_draws=50)
    runs = [search_instances(case.id, 3, 102, SPACE, plan, pilot_score(case, run_moment_instance)) for _ in range(2)]
    assert [c.score for c in runs[0].candidates] == [c.score for c in runs[1].candidates]
    assert [i.to_json() for i in runs[0].judged] == [i.to_json() for i in runs[1].judged]


def test_candidates_stay_in_the_search_space_and_reach_its_edges():
    rng = np.random.default_rng(0)
    drawn = [SPACE.draw(rng) for _ in range(400)]
    assert all(SPACE.contains(p) for p in drawn)
    assert {p["d"] for p in drawn} == {1, 2, 3, 4} and {p["n"] for p in drawn} == {2, 3, 4, 5}
    at_edge = sum(p["alpha_frac"] == 1.0 for p in drawn)
    assert 150 < at_edge < 250  # alpha at the end of its range about half the time, inside it otherwise
    assert 150 < sum(p["batch_margin"] == 0.0 for p in drawn) < 250
    assert not SPACE.contains({**drawn[0], "noise": 1.5}) and not SPACE.contains({**drawn[0], "d": 9})


@pytest.mark.parametrize("check, run", [
    ("lemma_4_9_second_moment@regression", run_instance),
    ("lemma_4_10_second_moment@noisy-trigonometric", run_instance),
    ("eq_88_outer_gradient_second_moment@noisy-quadratic", run_moment_instance),  # alpha L <= 1/6
    ("eq_145_hf_maml_second_moment_4_3@noisy-trigonometric", run_moment_instance),  # D_h of H.1
    ("theorem_h_1_descent@noisy-trigonometric", None),  # B >= 20, (18), D_h, alpha L <= 1/6
])
def test_candidates_lie_inside_the_bounds_hypotheses(check, run):
    """Every candidate is turned into an instance the Bound admits (alpha_for, smallest_admitted + margin)."""
    case = (STAT_CASES_BY_ID.get(check) or MOMENT_CASES_BY_ID.get(check) or DESCENT_CASES_BY_ID[check])
    run = run or (lambda c, i, d, b=None: run_descent(c, i, d, b))
    plan = SearchPlan(candidates=6, judged=2, pilot_draws=20)
    found = search_instances(case.id, 11, 5, SPACE, plan, pilot_score(case, run))
    assert all(c.score > -math.inf and not c.note for c in found.candidates), [
        (c.instance.params, c.note) for c in found.candidates if c.score == -math.inf]
    for inst in found.judged:
        assert run(case, inst, 1e-3).verdict is not Verdict.PRECONDITION_FAILED


def test_the_highest_scoring_candidates_are_judged_in_order():
    plan = SearchPlan(candidates=12, judged=3, pilot_draws=50)
    found = search_instances("x@y", 1, 1, SPACE, plan, _noise_score)
    ranked = sorted(found.candidates, key=lambda c: -c.score)[:3]
    assert [i.seed for i in found.judged] == [c.instance.seed for c in ranked]
    for inst, c in zip(found.judged, ranked):
        assert {k: v for k, v in inst.params.items() if k != "draw_seed"} == {
            k: v for k, v in c.instance.params.items() if k not in ("draw_seed", "draws")}


def test_candidates_outside_the_hypotheses_or_refused_are_never_judged():
    def score(inst):
        if inst.params["d"] == 1:
            raise ParameterError("w", "outside the certified domain")
        return -math.inf if inst.params["d"] == 2 else float("nan") if inst.params["d"] == 3 else 1.0

    found = search_instances("x@y", 2, 1, SPACE, SearchPlan(candidates=20, judged=30, pilot_draws=5), score)
    assert found.judged and all(i.params["d"] == 4 for i in found.judged)
    assert sum(c.score == 1.0 for c in found.candidates) == len(found.judged)
    assert all("outside the certified domain" in c.note for c in found.candidates if c.instance.params["d"] == 1)
    assert "refused" in found.summary()


def test_judging_draws_are_independent_of_the_pilot():
    """Same seed and parameters (the same tasks and w), another draw seed, full draws: a fresh experiment."""
    case = MOMENT_CASES_BY_ID["eq_84_hessian_factor@noisy-trigonometric"]
    found = search_instances(case.id, 4, 102, SPACE, SearchPlan(candidates=5, judged=2, pilot_draws=50),
                             pilot_score(case, run_moment_instance))
    pilots = {c.instance.seed: c.instance for c in found.candidates}
    for inst in found.judged:
        pilot = pilots[inst.seed]
        assert "draws" not in inst.params and pilot.params["draws"] == 50
        assert pilot.params["draw_seed"] == mix_seed(inst.seed, PILOT_STREAM)
        assert inst.params["draw_seed"] == mix_seed(inst.seed, JUDGE_STREAM) != pilot.params["draw_seed"]
        fam_p, w_p, rng_p = build_stat_instance(case.family, pilot)
        fam_j, w_j, rng_j = build_stat_instance(case.family, inst)
        assert np.array_equal(w_p, w_j) and np.array_equal(fam_p.gradient(w_p), fam_j.gradient(w_j))
        # The instance's own stream (what an instance without draw_seed draws from) is a third one.
        own = np.random.default_rng(inst.seed)
        firsts = [g.standard_normal(4) for g in (rng_p, rng_j, own)]
        assert not np.allclose(firsts[0], firsts[1]) and not np.allclose(firsts[1], firsts[2])
    # The verdict of a judged instance is a function of the instance alone, whatever the pilot saw.
    again = run_moment_instance(case, found.judged[0], 1e-4)
    assert again.estimate == run_moment_instance(case, Instance.from_json(found.judged[0].to_json()), 1e-4).estimate


def test_the_pilot_only_ranks_by_a_cautious_ratio():
    """The score is the ratio at the pessimistic end of the pilot's interval; its verdict is discarded."""
    params = dict(d=2, n=3, alpha_frac=1.0, batch_margin=0.0, spread=0.5, noise=0.5, scale=0.5, draws=40, draw_seed=9)
    case = STAT_CASES_BY_ID["lemma_4_10_second_moment@noisy-quadratic"]  # lhs <= rhs
    inst = Instance(case.id, 5, params)
    out = run_instance(case, inst, PILOT_DELTA)
    assert out.n == 40 and pilot_score(case, run_instance)(inst) == out.lower / out.rhs < out.ratio
    case = STAT_CASES_BY_ID["lemma_4_9_first_moment@noisy-trigonometric"]  # lhs >= rhs: ratio rhs / lhs
    inst = Instance(case.id, 5, params)
    out = run_instance(case, inst, PILOT_DELTA)
    assert pilot_score(case, run_instance)(inst) == out.rhs / out.upper < out.ratio
    d_case = DESCENT_CASES_BY_ID["theorem_f_1_descent@noisy-quadratic"]
    d_inst = Instance(d_case.id, 5, params)
    d_out = run_descent(d_case, d_inst, PILOT_DELTA)
    assert pilot_score(d_case, lambda c, i, d: run_descent(c, i, d))(d_inst) == 1 + (d_out.lower - d_out.rhs) / abs(
        d_out.rhs)
    found = search_instances(case.id, 1, 1, SPACE, SearchPlan(3, 1, 40), pilot_score(case, run_instance))
    assert all(isinstance(i, Instance) for i in found.judged)


def test_each_judged_instance_is_one_test_of_the_files_budget():
    import verify.checks.test_descent as td
    import verify.checks.test_expectation as te
    import verify.checks.test_moments as tm

    # The equality-case family's verdicts are exact: they are no test of the budget.
    statistical = [c for c in STAT_CASES if c.family != te.EXTREMAL_KIND]
    assert len(statistical) < len(STAT_CASES)
    moments = [c for c in MOMENT_CASES if c.family != tm.EXTREMAL_KIND]
    assert len(moments) < len(MOMENT_CASES)
    from verify.judge.findings import recorded_instances
    from verify.checks.moments import derived_edges

    for mod, cases in ((te, statistical), (tm, moments), (td, list(DESCENT_CASES_BY_ID.values()))):
        # A recorded counterexample judged at every seed, and an instance derived from where a display
        # fails, is one more test of its file's share.
        recorded = sum(len(recorded_instances(c.id, "moments")) + len(derived_edges(c))
                       for c in cases) if mod is tm else 0
        for profile in ("ci", "nightly"):
            b = mod.budget(profile)
            assert b.tests == len(cases) * (len(mod.EDGE) + mod.SEARCH[profile].judged) + recorded
            assert mod.SEARCH[profile].candidates >= mod.SEARCH[profile].judged
        assert mod.BUDGET.tests == mod.budget("ci").tests


def test_a_searched_instance_replays(capsys):
    from verify.judge.statistics import REPLAY_DELTA
    from verify.replay import main

    case = STAT_CASES_BY_ID["lemma_4_10_bias@noisy-trigonometric"]
    found = search_instances(case.id, 0, 101, SPACE, SearchPlan(3, 1, 50), pilot_score(case, run_instance))
    inst = found.judged[0]
    code = main([inst.to_json()])
    out = capsys.readouterr().out
    expected = run_instance(case, inst, REPLAY_DELTA)
    assert code == (1 if expected.verdict is Verdict.VIOLATED else 0)
    assert f"{expected.estimate:.10g}" in out
    d_case = DESCENT_CASES_BY_ID["theorem_g_1_descent@regression"]
    d_inst = Instance(d_case.id, 3, dict(d=2, n=2, alpha_frac=1.0, batch_margin=0.0, spread=0.5, noise=0.5,
                                         scale=0.5, draw_seed=17, draws=30))
    assert main([d_inst.to_json()]) in (0, 1)
    assert f"{run_descent(d_case, d_inst, REPLAY_DELTA).estimate:.10g}" in capsys.readouterr().out


def test_beta_tilde_draws_is_stepsize_beta_tilde_vectorised():
    fam = build_stat_family("noisy-trigonometric", np.random.default_rng(0), 3, 4, 0.5, 0.5)
    w = np.array([0.3, -0.2, 0.5])
    one = beta_tilde_draws(fam, w, 0.1, 3, 2, 1, np.random.default_rng(5))
    assert one.shape == (1,) and one[0] == stepsize_beta_tilde(fam, w, 0.1, 3, 2, np.random.default_rng(5))
    many = beta_tilde_draws(fam, w, 0.1, 3, 2, 4000, np.random.default_rng(6))
    g = np.random.default_rng(7)
    loop = np.array([stepsize_beta_tilde(fam, w, 0.1, 3, 2, g) for _ in range(400)])
    assert abs(many.mean() - loop.mean()) < 5 * np.hypot(many.std() / 63, loop.std() / 20)


@pytest.mark.parametrize("algorithm", ["maml", "fo_maml", "hf_maml"])
def test_one_step_draws_are_iterations_of_the_algorithm(algorithm):
    fam = build_stat_family("noisy-trigonometric", np.random.default_rng(0), 3, 4, 0.5, 0.5)
    w, alpha, c = np.array([0.3, -0.2, 0.5]), 0.05, 1 / 12
    rule = theorem_h_1_delta_rule(fam.constants.rho.value, alpha) if algorithm == "hf_maml" else None
    points, changes = one_step_draws(fam, w, alpha, algorithm, c, 20, 3, 2, 2, 3, 4, 1, np.random.default_rng(7), rule)
    trace = run(algorithm, fam, w, alpha, 1, rng=np.random.default_rng(7), B=20, D_in=2, D_o=3, D_h=4,
                stepsize_factor=c, B_prime=3, D_beta=2, delta="theorem_h_1" if algorithm == "hf_maml" else None)
    assert np.array_equal(points[0], trace.w) and changes[0] == trace.F[1] - trace.F[0]
    # Many draws in chunks: each row is one iteration with its own batches.
    points, changes = one_step_draws(fam, w, alpha, algorithm, c, 20, 3, 2, 2, 3, 4, 250, np.random.default_rng(8), rule)
    assert points.shape == (250, 3) and changes.shape == (250,) and len({tuple(p) for p in points}) == 250


def test_the_bias_estimator_of_lemma_4_10_agrees_with_plain_monte_carlo():
    """(20)'s estimator (outer batch integrated out, control variate) estimates what plain Monte Carlo does."""
    case = STAT_CASES_BY_ID["lemma_4_10_bias@noisy-trigonometric"]
    inst = Instance(case.id, 6, dict(d=2, n=3, alpha_frac=1.0, batch_margin=0.0, spread=0.5, noise=0.5, scale=0.5))
    out = run_instance(case, inst, 1e-3)
    s = build_stat_setup(case, inst)
    alpha, D_in, D_o = _lemma_4_10_setting(s)
    V, _ = _outer_samples(s, alpha, D_in, D_o, 100_000)
    bias = V.mean(axis=0) - s.family.gradient(s.w - alpha * s.family.gradient(s.w))
    se = V.std(axis=0) / np.sqrt(V.shape[0])
    plain = np.linalg.norm(bias, axis=1)
    k = int(np.argmax(plain))
    assert abs(out.estimate - plain[k]) < 5 * np.linalg.norm(se[k]) + (out.upper - out.lower)
    # ... and with an interval a fraction of the one plain Monte Carlo gets from the same number of draws.
    assert out.upper - out.lower < 0.5 * out.estimate


def test_the_compass_search_climbs_from_the_best_candidate_with_its_seed_and_draws():
    def score(inst):  # a known landscape: highest at alpha_frac = 0.3, noise = 0.8, d = 3
        p = inst.params
        return -abs(p["alpha_frac"] - 0.3) - abs(p["noise"] - 0.8) - abs(p["d"] - 3)

    plain = search_instances("x@y", 5, 1, SPACE, SearchPlan(8, 2, 10), score)
    found = search_instances("x@y", 5, 1, SPACE, SearchPlan(8, 2, 10, refine_starts=1, refine_evaluations=40), score)
    start = max(plain.candidates, key=lambda c: c.score)
    steps = [c for c in found.candidates if c.refined]
    assert len(steps) == 40 and found.candidates[:8] == plain.candidates
    assert all(c.instance.seed == start.instance.seed and SPACE.contains(c.instance.params) for c in steps)
    assert all(c.instance.params["draw_seed"] == start.instance.params["draw_seed"] for c in steps)
    best = max(found.candidates, key=lambda c: c.score)
    assert best.refined and best.score > start.score and best.score > -0.07  # within two smallest steps
    # The judged instances have distinct seeds: the best refined one and the best of another lineage.
    assert found.judged[0].params["noise"] == best.instance.params["noise"]
    assert len({i.seed for i in found.judged}) == len(found.judged) == 2


def test_the_grad_F_hat_estimator_of_theorem_4_11_agrees_with_plain_monte_carlo():
    """The control variates have mean zero: the draws estimate (66) - (6) as objectives.meta_gradient_test does."""
    from verify.model.objectives import meta_gradient, meta_gradient_test
    from verify.checks.expectation import meta_gradient_test_difference_draws

    fam = build_stat_family("noisy-trigonometric", np.random.default_rng(2), 2, 3, 0.8, 0.9)
    w, alpha, D = np.array([0.7, -0.4]), 0.3 / fam.constants.L.value, 2
    Y, _ = meta_gradient_test_difference_draws(fam, w, alpha, D, 20_000, np.random.default_rng(3))
    plain = meta_gradient_test(fam, w, alpha, D, np.random.default_rng(4), n_samples=100_000)
    diff = plain.value - meta_gradient(fam, w, alpha)
    se = np.hypot(plain.standard_error, Y.std(axis=0) / np.sqrt(len(Y)))
    assert np.all(np.abs(Y.mean(axis=0) - diff) < 5 * se)
    # ... with a much smaller spread per draw than the plain draws' (the reason for the control variates).
    assert np.all(Y.std(axis=0) < 0.5 * plain.standard_error * np.sqrt(plain.n_samples))


@pytest.mark.parametrize("check", ["eq_89_maml_second_moment@regression", "eq_82_maml_mean_direction@noisy-quadratic",
                                   "eq_147_hf_maml_second_moment_simplified@noisy-trigonometric"])
def test_moments_evaluate_the_bounds_sides_as_the_bound_does(check, monkeypatch):
    """After ``admits``, run_moment evaluates the registry's expressions directly (the hypotheses involve no
    drawn quantity, so checking them again per draw would change nothing): the same numbers as lhs_value/rhs_value."""
    import verify.checks.moments as moments

    case = MOMENT_CASES_BY_ID[check]
    inst = Instance(case.id, 9, dict(d=2, n=3, alpha_frac=1.0, batch_margin=0.0, spread=0.5, noise=0.5, scale=0.5,
                                     draws=300, draw_seed=4))
    fast = run_moment_instance(case, inst, 1e-4)
    b = case.bound

    def through_the_bound(expr, values, weights):
        side = b.lhs_value if expr == b.lhs_expanded else b.rhs_value
        assert expr in (b.lhs_expanded, b.rhs_expanded)
        return side(values, weights)

    monkeypatch.setattr(moments, "evaluate", through_the_bound)
    slow = run_moment_instance(case, inst, 1e-4)
    assert (fast.estimate, fast.lower, fast.upper, fast.rhs, fast.verdict) == (
        slow.estimate, slow.lower, slow.upper, slow.rhs, slow.verdict)
