"""`pytest verify`: results that hold in expectation, judged with confidence bounds charged to one error budget.

Lemma 4.9 (19) under (18), Lemma 4.10 (20)-(21) and Theorem 4.11 (22), on families
with per-sample noise.  Each instance is one statistical test; this file's share of
the run's error budget (verify.statistics.BUDGET_SHARES) is split over all of them
(Bonferroni), so the probability that the run reports any true result violated, or
any false one holding, is at most verify.statistics.RUN_ERROR_BUDGET.
"""
import pytest

from verify.evidence import Evidence, Instance, Verdict
from verify.expectation import STAT_CASES, StatCase, run_instance
from verify.findings import for_check
from verify.instances import mix_seed
from verify.pointwise import falsified
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
    bound = case.bound
    outcomes = []
    for params in INSTANCES:
        p = dict(params)
        inst = Instance(case.id, mix_seed(run_seed, p.pop("seed")), p)
        outcomes.append((inst, run_instance(case, inst, BUDGET.per_test)))
    admitted = [(i, o) for i, o in outcomes if o.verdict is not Verdict.PRECONDITION_FAILED]
    verdicts = {o.verdict for _, o in admitted}
    verdict = (Verdict.VIOLATED if Verdict.VIOLATED in verdicts else Verdict.INCONCLUSIVE
               if Verdict.INCONCLUSIVE in verdicts else Verdict.HOLDS if admitted else Verdict.PRECONDITION_FAILED)
    worst_inst, worst = max(admitted, key=lambda t: t[1].ratio) if admitted else (None, None)
    finding = FINDINGS.get((bound.id, case.family))
    # Negative control: the Bound with its constant moved past the worst ratio found, judged by
    # the same statistical machinery at the worst instance, must come out violated.
    caught = None
    if worst is not None:
        control_bound, control_note = falsified(bound, worst.ratio)
        control = run_instance(case, worst_inst, BUDGET.per_test, control_bound)
        caught = control.verdict is Verdict.VIOLATED
    ledger.record(Evidence(
        bound.id, bound.reference, bound.kind.value, case.family, verdict, instances=len(outcomes),
        admitted=len(admitted), worst_ratio=None if worst is None else worst.ratio,
        worst_lhs=None if worst is None else worst.estimate, worst_rhs=None if worst is None else worst.rhs,
        worst_instance=worst_inst, seed=run_seed, finding=finding.id if finding else None,
        negative_control=control_note if worst is not None else "", negative_control_caught=caught,
        ratios=[o.ratio for _, o in admitted],
        note="" if worst is None else (f"{worst.method}; confidence bounds [{worst.lower:.4g}, {worst.upper:.4g}] "
                                       f"on the lhs from {worst.n} samples; {worst.note}; error probability per "
                                       f"one-sided bound {BUDGET.per_test:.2g}")))
    ledger.note_run(error_budget=run_budget_summary(), error_budget_expectation=BUDGET.as_dict())
    detail = "; ".join(f"{o.verdict.value}: est {o.estimate:.4g} in [{o.lower:.4g}, {o.upper:.4g}] vs rhs {o.rhs:.4g} "
                       f"({o.method}, n={o.n}, {o.note}) replay {i.replay_command()}" for i, o in admitted)
    assert admitted, f"{case.id}: no instance met the hypotheses"
    assert caught, f"{case.id}: the negative control ({control_note}) was not caught. {detail}"
    if finding:
        assert verdict is Verdict.VIOLATED, f"{case.id}: finding {finding.id} no longer reproduces. {detail}"
    else:
        assert verdict is Verdict.HOLDS, f"{case.id} [{bound.reference}]: {verdict.value}. {detail}"
