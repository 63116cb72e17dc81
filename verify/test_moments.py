"""`pytest verify`: the moment bounds of the proofs of F.1 (80)-(89), G.1 (112)-(122), H.1 (139)-(149).

Statistical verdicts charged to one error budget (see verify/moments.py for the
estimators); each check has a negative control judged by the same machinery.
"""
import pytest

from verify.evidence import Evidence, Instance, Verdict
from verify.findings import for_check
from verify.instances import mix_seed
from verify.moments import MOMENT_CASES, MomentCase, run_instance
from verify.pointwise import falsified
from verify.statistics import budget_for, run_budget_summary

INSTANCES = [
    dict(seed=21, d=2, n=3, alpha_frac=1.0, batch_margin=0.0, spread=0.5, noise=0.5, scale=0.5),
    dict(seed=22, d=3, n=2, alpha_frac=0.6, batch_margin=1.0, spread=1.0, noise=1.0, scale=1.0),
]
BUDGET = budget_for("moments", len(MOMENT_CASES) * len(INSTANCES))
FINDINGS = {(f.bound, fam): f for f in for_check("moments") for fam in f.families}


@pytest.mark.parametrize("case", MOMENT_CASES, ids=[c.id for c in MOMENT_CASES])
def test_moment_bound(case: MomentCase, ledger, run_seed):
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
    caught, note = None, ""
    if worst is not None:
        control_bound, note = falsified(bound, worst.ratio)
        caught = run_instance(case, worst_inst, BUDGET.per_test, control_bound).verdict is Verdict.VIOLATED
    finding = FINDINGS.get((bound.id, case.family))
    ledger.note_run(error_budget=run_budget_summary(), error_budget_moments=BUDGET.as_dict())
    ledger.record(Evidence(
        bound.id, bound.reference, bound.kind.value, case.family, verdict, instances=len(outcomes),
        admitted=len(admitted), worst_ratio=None if worst is None else worst.ratio,
        worst_lhs=None if worst is None else worst.estimate, worst_rhs=None if worst is None else worst.rhs,
        worst_instance=worst_inst, seed=run_seed, negative_control=note, negative_control_caught=caught,
        finding=finding.id if finding and verdict is Verdict.VIOLATED else None,
        ratios=[o.ratio for _, o in admitted],
        note="" if worst is None else (f"{worst.method}; lhs in [{worst.lower:.4g}, {worst.upper:.4g}]; {worst.note}; "
                                       f"error probability per one-sided bound {BUDGET.per_test:.2g}")))
    detail = "; ".join(f"{o.verdict.value}: lhs {o.estimate:.4g} in [{o.lower:.4g}, {o.upper:.4g}] vs rhs {o.rhs:.4g} "
                       f"({o.note}) replay seed {i.seed} params {i.params}" for i, o in admitted)
    assert admitted, f"{case.id}: no instance met the hypotheses"
    assert caught, f"{case.id}: the negative control ({note}) was not caught. {detail}"
    if finding:
        assert verdict is Verdict.VIOLATED, f"{case.id}: finding {finding.id} no longer reproduces. {detail}"
    else:
        # An inconclusive verdict (the bound within the confidence interval) is reported, not
        # failed: it is no evidence against the paper; the gate fails if it later worsens.
        assert verdict in (Verdict.HOLDS, Verdict.INCONCLUSIVE), f"{case.id} [{bound.reference}]: {verdict.value}. {detail}"
