"""`pytest verify`: results that hold in expectation, judged with confidence bounds charged to one error budget.

Lemma 4.9 (19) under (18), Lemma 4.10 (20)-(21) and Theorem 4.11 (22), on families
with per-sample noise.  Each instance is one statistical test; this file's share of
the run's error budget (verify.statistics.BUDGET_SHARES) is split over all of them
(Bonferroni), so the probability that the run reports any true result violated, or
any false one holding, is at most verify.statistics.RUN_ERROR_BUDGET.
"""
import pytest

from verify.evidence import Instance, Verdict
from verify.expectation import STAT_CASES, StatCase, evidence_of, judge_statistically, run_instance
from verify.findings import for_check
from verify.instances import mix_seed
from verify.statistics import budget_for, run_budget_summary

# Instances per case: the edge of (18) and alpha at the end of its range come first.
# (No adversarial search yet over these: each instance is a Monte Carlo experiment.)
INSTANCES = [
    dict(seed=11, d=2, n=3, alpha_frac=1.0, batch_margin=0.0, spread=0.5, noise=0.5, scale=0.5),
    dict(seed=12, d=3, n=2, alpha_frac=0.5, batch_margin=0.0, spread=1.0, noise=1.0, scale=1.0),
    dict(seed=13, d=1, n=4, alpha_frac=1.0, batch_margin=0.5, spread=0.0, noise=0.2, scale=0.2),
]
BUDGET = budget_for("expectation", len(STAT_CASES) * len(INSTANCES))
FINDINGS = {(f.bound, fam): f for f in for_check("expectation") for fam in f.families}


@pytest.mark.parametrize("case", STAT_CASES, ids=[c.id for c in STAT_CASES])
def test_expectation(case: StatCase, ledger, run_seed):
    instances = []
    for params in INSTANCES:
        p = dict(params)
        instances.append(Instance(case.id, mix_seed(run_seed, p.pop("seed")), p))
    check = judge_statistically(case, instances, run_instance, BUDGET.per_test)
    finding = FINDINGS.get((case.bound_id, case.family))
    ledger.note_run(error_budget=run_budget_summary(), error_budget_expectation=BUDGET.as_dict())
    ledger.record(evidence_of(case, check, run_seed, BUDGET.per_test, finding.id if finding else None))
    assert check.admitted, f"{case.id}: no instance met the hypotheses"
    assert check.control_caught, f"{case.id}: the negative control ({check.control_note}) was not caught. {check.detail}"
    if finding:
        assert check.verdict is Verdict.VIOLATED, f"{case.id}: finding {finding.id} no longer reproduces. {check.detail}"
    else:
        # An inconclusive verdict (the bound inside the confidence interval after the cap) is
        # reported, not failed: it is no evidence against the paper; the gate holds the line.
        assert check.verdict in (Verdict.HOLDS, Verdict.INCONCLUSIVE), (
            f"{case.id} [{case.bound.reference}]: {check.verdict.value}. {check.detail}")
