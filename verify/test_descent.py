"""`pytest verify`: the one-step descent inequalities (93), after (123), after (150), with statistical verdicts."""
import pytest

from verify.descent import DESCENT_CASES, DescentCase, control_bound, run_descent
from verify.evidence import Evidence, Instance, Verdict
from verify.instances import mix_seed
from verify.statistics import budget_for, run_budget_summary

INSTANCES = [
    dict(seed=41, d=2, n=3, alpha_frac=1.0, batch_margin=0.0, spread=0.5, noise=0.5, scale=1.0),
    dict(seed=42, d=3, n=2, alpha_frac=0.5, batch_margin=1.0, spread=1.0, noise=1.0, scale=0.3),
]
BUDGET = budget_for("descent", len(DESCENT_CASES) * len(INSTANCES))


@pytest.mark.parametrize("case", DESCENT_CASES, ids=[c.id for c in DESCENT_CASES])
def test_descent(case: DescentCase, ledger, run_seed):
    bound = case.bound
    outcomes = []
    for params in INSTANCES:
        p = dict(params)
        inst = Instance(case.id, mix_seed(run_seed, p.pop("seed")), p)
        outcomes.append((inst, run_descent(case, inst, BUDGET.per_test)))
    admitted = [(i, o) for i, o in outcomes if o.verdict is not Verdict.PRECONDITION_FAILED]
    verdicts = {o.verdict for _, o in admitted}
    verdict = (Verdict.VIOLATED if Verdict.VIOLATED in verdicts else Verdict.INCONCLUSIVE
               if Verdict.INCONCLUSIVE in verdicts else Verdict.HOLDS if admitted else Verdict.PRECONDITION_FAILED)
    worst_inst, worst = max(admitted, key=lambda t: t[1].ratio) if admitted else (None, None)
    caught, note = None, ""
    if worst is not None:
        falsified, note = control_bound(bound, worst.estimate, worst.rhs)
        caught = run_descent(case, worst_inst, BUDGET.per_test, falsified).verdict is Verdict.VIOLATED
    ledger.note_run(error_budget=run_budget_summary(), error_budget_descent=BUDGET.as_dict())
    ledger.record(Evidence(
        bound.id, bound.reference, bound.kind.value, case.family, verdict, instances=len(outcomes),
        admitted=len(admitted), worst_ratio=None if worst is None else worst.ratio,
        worst_lhs=None if worst is None else worst.estimate, worst_rhs=None if worst is None else worst.rhs,
        worst_instance=worst_inst, seed=run_seed, negative_control=note, negative_control_caught=caught,
        ratios=[o.ratio for _, o in admitted],
        note="" if worst is None else (f"student_t over {worst.n} one-step draws; E[F(w_k+1)] - F(w_k) in "
                                       f"[{worst.lower:.4g}, {worst.upper:.4g}]; {worst.note}; ratio = 1 + "
                                       f"(lhs - rhs)/|rhs|")))
    detail = "; ".join(f"{o.verdict.value}: mean change {o.estimate:.4g} in [{o.lower:.4g}, {o.upper:.4g}] vs rhs "
                       f"{o.rhs:.4g} ({o.note}) seed {i.seed} params {i.params}" for i, o in admitted)
    assert admitted, f"{case.id}: no instance met the hypotheses"
    assert caught, f"{case.id}: the negative control ({note}) was not caught. {detail}"
    assert verdict in (Verdict.HOLDS, Verdict.INCONCLUSIVE), f"{case.id} [{bound.reference}]: {verdict.value}. {detail}"
