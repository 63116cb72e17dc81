"""`pytest verify`: the one-step descent inequalities (93), after (123), after (150), with statistical verdicts.

Each check judges the fixed edge instance and the worst candidates of an adversarial
search (``verify.checks.expectation.search_instances``: pilots of a few one-step draws rank
the candidates by 1 + (lhs - rhs)/|rhs| and decide nothing; the worst are judged with
fresh draws, one statistical test each, charged to this file's share of the budget).
"""
import pytest

from verify.checks.descent import (STEP_LAW_CASES, STEP_LAW_EDGE, STEP_LAW_METHOD, DescentCase,
    evidence_of_descent, judge_descent, run_cases, run_descent, run_step_law)
from verify.judge.evidence import Instance, Verdict
from verify.checks.expectation import SearchPlan, SearchSpace, pilot_score, search_instances
from verify.checks.instances import mix_seed
from verify.judge.statistics import budget_for, run_budget_summary

# The fixed instance: alpha at the end of its range, D_h at its threshold (B, B', D_beta are
# always at the edge of B >= 20 and (18)).
EDGE = [
    dict(seed=41, d=2, n=3, alpha_frac=1.0, batch_margin=0.0, spread=0.5, noise=0.5, scale=1.0),
]
SPACE = SearchSpace()
SEARCH = {"ci": SearchPlan(candidates=12, judged=2, pilot_draws=40, refine_starts=1, refine_evaluations=6),
          "nightly": SearchPlan(candidates=48, judged=3, pilot_draws=40, refine_starts=2, refine_evaluations=20)}
SEARCH_SALT = 103


# The built-in families' checks and those of each --family family.
RUN_CASES = run_cases()


def budget(profile: str):
    """This file's share of the error budget over every judged instance (pilots are not tests)."""
    return budget_for("descent", len(RUN_CASES) * (len(EDGE) + SEARCH[profile].judged))


BUDGET = budget("ci")


def _descent_run(case, inst, delta, bound=None):
    return run_descent(case, inst, delta, bound)


@pytest.mark.parametrize("case", RUN_CASES, ids=[c.id for c in RUN_CASES])
def test_descent(case: DescentCase, ledger, run_seed, profile):
    bud = budget(profile)
    instances = []
    for params in EDGE:
        p = dict(params)
        instances.append(Instance(case.id, mix_seed(run_seed, p.pop("seed")), p))
    search = search_instances(case.id, run_seed, SEARCH_SALT, SPACE, SEARCH[profile], pilot_score(case, _descent_run),
                              group=case.family)
    check = judge_descent(case, instances + search.judged, bud.per_test)
    ledger.note_run(error_budget=run_budget_summary(), error_budget_descent=bud.as_dict())
    ledger.record(evidence_of_descent(case, check, run_seed, search))
    assert check.admitted, f"{case.id}: no instance met the hypotheses"
    assert check.control_caught, f"{case.id}: the negative control ({check.control_note}) was not caught. {check.detail}"
    assert check.verdict in (Verdict.HOLDS, Verdict.INCONCLUSIVE), (
        f"{case.id} [{case.bound.reference}]: {check.verdict.value}. {check.detail}")


@pytest.mark.parametrize("case", STEP_LAW_CASES, ids=[c.id for c in STEP_LAW_CASES])
def test_step_law(case: DescentCase, ledger, run_seed):
    """(90) on every drawn MAML iteration, (98) on the law of the iterate (drawn, and the point mass of w_0): exact
    verdicts (no error budget).  The negative control: (98)'s power control (its right side divided by 9/10 of its
    supremum 1, false at the point mass); (90)'s constant placed below the worst ratio found (a plumbing control:
    random instances do not reach (31)'s supremum)."""
    from verify.checks.expectation import check_evidence, judge_statistically
    from verify.checks.pointwise import falsified

    instances = []
    for params in STEP_LAW_EDGE[case.bound_id]:
        p = dict(params)
        instances.append(Instance(case.id, mix_seed(run_seed, p.pop("seed")), p))
    power = case.bound_id == "eq_98_cauchy_schwarz"
    check = judge_statistically(case, instances, run_step_law, 0.0,
                                control=lambda bound, worst: falsified(bound, worst.ratio, power=power))
    ledger.record(check_evidence(case, check, run_seed, f"{STEP_LAW_METHOD}; worst: {check.worst.note}"))
    assert check.admitted, f"{case.id}: no instance met the hypotheses"
    assert check.control_caught, f"{case.id}: the negative control ({check.control_note}) was not caught. {check.detail}"
    assert check.verdict is Verdict.HOLDS, f"{case.id} [{case.bound.reference}]: {check.verdict.value}. {check.detail}"
