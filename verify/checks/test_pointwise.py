"""`pytest verify`: every pointwise and closed-form result, on every family it covers, with its negative control.

Instances come from hypothesis (a seed for numpy plus the instance's parameters,
built inside the hypotheses), then a local search hunts for the worst one.  Each
(bound, family) check records Evidence; a violation fails the run unless it is a
finding recorded in verify/judge/known_findings.toml, and a recorded finding that stops
reproducing fails too.  Each check's negative control (a falsified Bound, or for
an identity a wrong formula) must be reported violated by the same machinery.

The proofs' equality cases (verify.checks.pointwise.EXTREMAL, derivations in bounds/) join the
drawn instances and start the search.  On the check that holds a Bound's extremal
instances the control is the power control: the right side times 9/10 of the declared
supremum (of the attained ratio where only an upper bound is derived), a false statement.
On the other families the control is placed below the worst ratio found (plumbing only).
"""
import dataclasses

import pytest
from hypothesis import example, given, settings, strategies as st, target

from bounds import Relation
from verify.judge.evidence import Evidence, Instance, Verdict
from verify.judge.findings import for_check, recorded_instances
from verify.judge.pinned import pinned_instances
from verify.checks.instances import mix_seed
from verify.checks.user_families import is_user_kind
from verify.checks.pointwise import (Case, case_for, evaluate_instance, extremal_instances, falsified,
    is_power_case, run_cases, run_check)

FINDINGS = {(f.bound, fam): f for f in for_check("pointwise") for fam in f.families}
# A statement's findings whatever the family: on a user's family (--family) a violation of a statement with a
# recorded finding is that finding met again, not a new one; it need not reproduce there.
FINDINGS_OF_BOUND = {f.bound: f for f in for_check("pointwise")}
# Hypothesis examples per check (the pinned corners come on top) and the local search
# budget: sized so the deterministic profile stays within a minute on two cores.
EXAMPLES = {"ci": 10, "nightly": 300}
SEARCH = {"ci": dict(search_starts=1, search_evaluations=14), "nightly": dict(search_starts=5, search_evaluations=120)}

PARAMS = st.fixed_dictionaries({
    "seed": st.integers(0, 2 ** 32 - 1),
    "d": st.integers(1, 5),
    "n": st.integers(1, 5),
    "alpha_frac": st.floats(0.0, 1.0),
    "scale": st.floats(0.0, 1.0),
    "distance": st.floats(0.0, 1.0),
    "spread": st.floats(0.0, 1.0),
    "delta_frac": st.floats(0.0, 1.0),
    "stationary": st.floats(0.0, 1.0),
})
_BASE = dict(d=2, n=3, scale=0.5, distance=0.5, spread=0.5, delta_frac=0.5, stationary=0.0)
# Known hard corners: alpha at the end of its range and at 0, one dimension, one task,
# long finite-difference steps, points at a stationary point of F.
PINNED = [
    {**_BASE, "seed": 1, "alpha_frac": 1.0},
    {**_BASE, "seed": 2, "alpha_frac": 0.0},
    {**_BASE, "seed": 3, "alpha_frac": 1.0, "d": 1, "n": 2, "stationary": 1.0},
    {**_BASE, "seed": 4, "alpha_frac": 0.5, "d": 1, "n": 1},
    {**_BASE, "seed": 5, "alpha_frac": 0.3, "delta_frac": 1.0, "stationary": 1.0, "spread": 1.0},
]


def draw_instances(case: Case, run_seed: int, profile: str) -> list[Instance]:
    drawn: list[Instance] = []

    def keep(params):
        params = dict(params)
        inst = Instance(case.id, mix_seed(run_seed, params.pop("seed")), params)
        drawn.append(inst)
        if profile == "nightly":
            out = evaluate_instance(case, inst)
            if out.status == "evaluated" and out.ratio == out.ratio and out.ratio < float("inf"):
                target(out.ratio)

    explore = given(PARAMS)(keep)
    for p in reversed(PINNED):
        explore = example(p)(explore)
    settings(max_examples=EXAMPLES[profile])(explore)()
    # The equality cases of the proof (verify.checks.pointwise.EXTREMAL): fixed instances that also
    # start the adversarial search, so the worst ratio is at least what the proof's tight
    # configuration reaches, whatever hypothesis drew.
    return extremal_instances(case, run_seed) + drawn


# The built-in families' checks and those of each family given with --family (verify/checks/user_families.py).
RUN_CASES = run_cases()


@pytest.mark.parametrize("case", RUN_CASES, ids=[c.id for c in RUN_CASES])
def test_pointwise(case: Case, ledger, run_seed, profile):
    bound = case.bound
    # A recorded finding's own counterexample is judged at every seed (a seed may miss its corner),
    # and so are the worst instances sweeps found and pinned (verify/judge/pinned.py).
    instances = (draw_instances(case, run_seed, profile) + recorded_instances(case.id, "pointwise")
                 + pinned_instances(case.id))
    result = run_check(case, instances, **SEARCH[profile])

    if case.control is not None:
        control_case = dataclasses.replace(case, compute=case.control)
        control = run_check(control_case, instances, stop_at_violation=True, **SEARCH[profile])
        note = case.control_note
        if is_power_case(case) and bound.sharpness is not None:
            # An inequality with a wrong-formula control (eq. (9)) also gets the power control.
            power_bound, power_note = falsified(bound, result.worst.ratio if result.worst else None)
            power = run_check(case, instances, power_bound, stop_at_violation=True, **SEARCH[profile])
            note = f"{note}; and {power_note}"
            if power.verdict is not Verdict.VIOLATED:
                control = power
    else:
        worst = result.worst.ratio if result.worst else None
        # The power control (9/10 of the declared supremum) on the check holding the Bound's
        # extremal instances; elsewhere a plumbing control below the worst ratio found
        # (verify.checks.pointwise.is_power_case).
        control_bound, note = falsified(bound, worst, power=is_power_case(case))
        # The worst instance the search found first: a control placed below its ratio is false
        # there, and the control's own search need not pass that way again.
        judged = ([result.worst_instance] if result.worst_instance is not None else []) + instances
        control = run_check(case, judged, control_bound, stop_at_violation=True, **SEARCH[profile])
    printed = FINDINGS.get((bound.corrects, case.family)) if bound.corrects else None
    if printed is not None:
        # A corrected statement (the erratum's) where the printed one has a recorded counterexample:
        # the printed statement, judged on the same instances and its recorded counterexample, must
        # be reported violated, as well as the correction's own control above.
        printed_case = case_for(f"{bound.corrects}@{case.family}")
        on_printed = [dataclasses.replace(i, check=printed_case.id) for i in instances]
        printed_run = run_check(printed_case, on_printed + recorded_instances(printed_case.id, "pointwise"),
                                stop_at_violation=True, **SEARCH[profile])
        note = f"{note}; and the printed statement ({bound.corrects}) reported violated on the same instances"
        if printed_run.verdict is not Verdict.VIOLATED:
            control = printed_run
    caught = control.verdict is Verdict.VIOLATED

    finding = FINDINGS.get((bound.id, case.family))
    if finding is None and is_user_kind(case.family) and result.verdict is Verdict.VIOLATED:
        finding = FINDINGS_OF_BOUND.get(bound.id)
    worst = result.worst
    ledger.record(Evidence(
        bound.id, bound.reference, bound.kind.value, case.family, result.verdict,
        instances=result.tried, admitted=result.admitted,
        worst_ratio=None if worst is None else worst.ratio,
        worst_lhs=None if worst is None else worst.lhs, worst_rhs=None if worst is None else worst.rhs,
        worst_instance=result.worst_instance, seed=run_seed,
        negative_control=note, negative_control_caught=caught,
        finding=finding.id if finding and result.verdict is Verdict.VIOLATED else None,
        ratios=[r for r in result.ratios if r == r][:400],
        note=f"{len(result.invalid)} instances could not be built" if result.invalid else ""))

    where = _reproducer(case, result)
    assert caught, f"{case.id}: the negative control ({note}) was not caught: the check cannot fail. {where}"
    assert result.verdict is not Verdict.PRECONDITION_FAILED, f"{case.id}: no instance met the hypotheses. {where}"
    if finding is not None:
        assert result.verdict is Verdict.VIOLATED, (
            f"{case.id}: recorded finding {finding.id} no longer reproduces; update verify/judge/known_findings.toml. {where}")
        if finding.holds_as:
            # A typo in the relation: what the display means, the same statement with finding.holds_as, must
            # hold on the same instances (and the search's) where the printed relation fails.
            meant = dataclasses.replace(bound, relation=Relation(finding.holds_as))
            reading = run_check(case, instances, meant, **SEARCH[profile])
            assert reading.verdict is Verdict.HOLDS, (
                f"{case.id}: typo finding {finding.id}: read with {finding.holds_as} it is {reading.verdict.value}. "
                f"{_reproducer(case, reading)}")
    else:
        assert result.verdict is Verdict.HOLDS, f"{case.id}: {result.verdict.value}. {where}"


def _reproducer(case: Case, result) -> str:
    if result.worst is None or result.worst_instance is None:
        return f"(no admitted instance; {len(result.invalid)} invalid: {result.invalid[:1]})"
    w = result.worst
    return (f"bound {case.bound_id} [{case.bound.reference}], family {case.family}, seed {result.worst_instance.seed}, "
            f"parameters {result.worst_instance.params}, lhs {w.lhs:.17g}, rhs {w.rhs:.17g}, rounding allowance "
            f"{w.slack:.3g}; replay: {result.worst_instance.replay_command()}")


RECORDED = [f for f in for_check("pointwise") if f.instance]


@pytest.mark.parametrize("finding", RECORDED, ids=[f.id for f in RECORDED])
def test_recorded_counterexample_still_replays(finding):
    """The instance a finding cites must still break its Bound, exactly as `python -m verify.replay` shows."""
    from verify.checks.pointwise import CASES_BY_ID, confirm_precisely

    inst = Instance.from_json(finding.instance)
    case = CASES_BY_ID[inst.check]
    assert case.bound_id == finding.bound or inst.check.startswith(finding.bound)
    out = evaluate_instance(case, inst)
    assert out.status == "evaluated", out.note
    assert out.margin > out.slack and confirm_precisely(case.bound, out), (
        f"finding {finding.id}: its counterexample no longer reproduces (lhs {out.lhs}, rhs {out.rhs}); "
        f"update verify/judge/known_findings.toml. Replay: {inst.replay_command()}")
