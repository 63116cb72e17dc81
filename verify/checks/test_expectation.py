"""`pytest verify`: results that hold in expectation, judged with confidence bounds charged to one error budget.

Lemma 4.9 (19) under (18), Lemma 4.10 (20)-(21) and Theorem 4.11 (22), on families
with per-sample noise.  Each check judges fixed instances and the worst candidates of an
adversarial search (``verify.checks.expectation.search_instances``: candidates scored by pilots
with few draws, which decide nothing and spend no error budget; the worst judged with
fresh draws).  On the random families the fixed instance is at the edge of the hypotheses
(EDGE); on the equality-case family ``EXTREMAL_KIND`` the fixed instances are those the
proofs make tight (``verify.checks.expectation.EXTREMAL_EDGE``, derivations in bounds/), the search
moves along their parameters (kink width, alpha, batch sizes, task probability, sigma_H),
and every verdict there is exact (all outcomes of the two-point noise enumerated): it spends
no error budget, and its negative control is the power control (the right side times 9/10
of the declared supremum, a false statement).  On the random families the control is placed
below the worst ratio found (``plumbing_control``): they guard against equality cases we did
not think of, not for power.  Each statistical verdict is one test; this file's share of the
run's error budget (verify.judge.statistics.BUDGET_SHARES) is split over all of them (Bonferroni),
so the probability that the run reports any true result violated, or any false one holding,
is at most verify.judge.statistics.RUN_ERROR_BUDGET.
"""
import pytest

from verify.checks.expectation import (EXTREMAL_EDGE, EXTREMAL_KIND, STAT_CASES, SearchPlan, SearchSpace,
    StatCase, run_instance, run_searched_check)
from verify.judge.findings import for_check
from verify.judge.statistics import budget_for

# The fixed instance of the random families: alpha at the end of its range, B' and D_beta at the edge of (18).
EDGE = [
    dict(seed=11, d=2, n=3, alpha_frac=1.0, batch_margin=0.0, spread=0.5, noise=0.5, scale=0.5),
]
SPACE = SearchSpace()
# Random candidates, judged instances and draws per pilot, and the compass search from the best; nightly searches wider.
SEARCH = {"ci": SearchPlan(candidates=16, judged=2, pilot_draws=100, refine_starts=1, refine_evaluations=8),
          "nightly": SearchPlan(candidates=64, judged=3, pilot_draws=100, refine_starts=2, refine_evaluations=24)}
SEARCH_SALT = 101


def edge_instances(case: StatCase) -> list[dict]:
    return EXTREMAL_EDGE[case.bound_id] if case.family == EXTREMAL_KIND else EDGE


def budget(profile: str):
    """This file's share of the error budget over every statistical verdict (exact ones and pilots are not tests)."""
    statistical = [c for c in STAT_CASES if c.family != EXTREMAL_KIND]
    return budget_for("expectation", sum(len(edge_instances(c)) + SEARCH[profile].judged for c in statistical))


BUDGET = budget("ci")
FINDINGS = {(f.bound, fam): f for f in for_check("expectation") for fam in f.families}


@pytest.mark.parametrize("case", STAT_CASES, ids=[c.id for c in STAT_CASES])
def test_expectation(case: StatCase, ledger, run_seed, profile):
    run_searched_check(case, run_instance, edge=edge_instances(case), space=SPACE, plan=SEARCH[profile],
                       salt=SEARCH_SALT, run_seed=run_seed, budget=budget(profile),
                       finding=FINDINGS.get((case.bound_id, case.family)), ledger=ledger,
                       extremal_kind=EXTREMAL_KIND)
