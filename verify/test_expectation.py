"""`pytest verify`: results that hold in expectation, judged with confidence bounds charged to one error budget.

Lemma 4.9 (19) under (18), Lemma 4.10 (20)-(21) and Theorem 4.11 (22), on families
with per-sample noise.  Each check judges the fixed instance at the edge of the
hypotheses (EDGE) and the worst candidates of an adversarial search
(``verify.expectation.search_instances``: candidates scored by pilots with few draws,
which decide nothing and spend no error budget; the worst judged with fresh draws).
Each judged instance is one statistical test; this file's share of the run's error
budget (verify.statistics.BUDGET_SHARES) is split over all of them (Bonferroni), so
the probability that the run reports any true result violated, or any false one
holding, is at most verify.statistics.RUN_ERROR_BUDGET.
"""
import pytest

from verify.expectation import STAT_CASES, SearchPlan, SearchSpace, StatCase, run_instance, run_searched_check
from verify.findings import for_check
from verify.statistics import budget_for

# The fixed instance: alpha at the end of its range, B' and D_beta at the edge of (18).
EDGE = [
    dict(seed=11, d=2, n=3, alpha_frac=1.0, batch_margin=0.0, spread=0.5, noise=0.5, scale=0.5),
]
SPACE = SearchSpace()
# Random candidates, judged instances and draws per pilot, and the compass search from the best; nightly searches wider.
SEARCH = {"ci": SearchPlan(candidates=16, judged=2, pilot_draws=100, refine_starts=1, refine_evaluations=8),
          "nightly": SearchPlan(candidates=64, judged=3, pilot_draws=100, refine_starts=2, refine_evaluations=24)}
SEARCH_SALT = 101


def budget(profile: str):
    """This file's share of the error budget over every judged instance (pilots are not tests)."""
    return budget_for("expectation", len(STAT_CASES) * (len(EDGE) + SEARCH[profile].judged))


BUDGET = budget("ci")
FINDINGS = {(f.bound, fam): f for f in for_check("expectation") for fam in f.families}


@pytest.mark.parametrize("case", STAT_CASES, ids=[c.id for c in STAT_CASES])
def test_expectation(case: StatCase, ledger, run_seed, profile):
    run_searched_check(case, run_instance, edge=EDGE, space=SPACE, plan=SEARCH[profile], salt=SEARCH_SALT,
                       run_seed=run_seed, budget=budget(profile), finding=FINDINGS.get((case.bound_id, case.family)),
                       ledger=ledger)
