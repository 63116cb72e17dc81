"""The proof audit: every numeric step of Appendices A-H, re-derived exactly (verify/checks/audit.py).

One test per step.  A step found false must be recorded in verify/judge/known_findings.toml
(check = "proof_audit", bound = the step's id); a recorded step that holds fails the run
(the record is stale); an unrecorded false step fails the run.  Each test also runs the
step's negative control: the same code, with the constant moved just beyond the tightest
valid one, must report a violation and exhibit a point of the premises that shows it.
"""
import math

import pytest
import sympy as sp

from verify.checks import audit
from verify.judge.evidence import Evidence, Verdict
from verify.judge.findings import for_check

STEPS = audit.steps()
RECORDED = {f.bound: f for f in for_check("proof_audit")}


def _float(v):
    v = sp.sympify(v)
    return math.copysign(math.inf, 1 if v is sp.oo else -1) if v.is_infinite else float(sp.N(v, 20))


def _replay(step_id: str) -> str:
    return (f"replay: python -c \"from verify.checks import audit; r = audit.audit()['{step_id}']; "
            f"print(r.printed, r.chain_status)\"")


AUDIT_COLUMNS = ("step", "equation", "claimed", "tightest", "verdict", "chain_status", "corrected_tightest",
                 "corrected_verdict")


@pytest.fixture(scope="module", autouse=True)
def _audit_table(ledger, verify_cache_dir):
    """The audit's table (step, equation, claimed constant, tightest valid constant, verdict) for the report.

    The audit is read from the run's cache where a whole file there was written by these very
    sources and libraries (verify/judge/cache.py), else computed (~10 s) and stored: once per
    change of the registry, not once per run and per xdist worker.
    """
    audit.load(verify_cache_dir)
    ledger.note_run(proof_audit=[{k: row.get(k) for k in AUDIT_COLUMNS} for row in audit.audit_rows()])


@pytest.mark.parametrize("bound", STEPS, ids=[b.id for b in STEPS])
def test_numeric_step(bound, ledger):
    row = audit.audit()[bound.id]
    result = row.printed
    control = audit.negative_control(bound.id)
    control_constant = audit.negative_control_constant(result)
    caught = control.holds is False and control.counterexample is not None
    control_note = f"claimed constant moved to {audit.fmt(control_constant)}, beyond the tightest"
    if bound.corrects:
        # A corrected step (the erratum's): the printed step it replaces must be reported violated too.
        printed_result = audit.audit()[bound.corrects].printed
        caught = caught and printed_result.holds is False and printed_result.counterexample is not None
        control_note += (f"; and the printed step {bound.corrects} (claimed {audit.fmt(printed_result.claimed)}) "
                         "reported violated")
    finding = RECORDED.get(bound.id)
    ledger.record(Evidence(
        bound.id, bound.reference, bound.kind.value, "exact arithmetic",
        Verdict.HOLDS if result.holds else Verdict.VIOLATED, instances=1, admitted=1,
        worst_ratio=result.worst_ratio, worst_lhs=_float(result.tightest), worst_rhs=_float(result.claimed),
        negative_control=control_note,
        negative_control_caught=caught,
        finding=finding.id if finding is not None and not result.holds else None,
        note=(f"tightest valid constant {audit.fmt(result.tightest)}"
              + ("" if result.attained else " (not attained)")
              + ("" if result.counterexample is None else f"; violated at {result.counterexample}")
              + f"; chain: {row.chain_status}")))
    assert caught, f"{bound.id}: the negative control {control_constant} was not reported violated; {_replay(bound.id)}"
    if result.holds:
        assert finding is None, (f"{bound.id} holds (tightest {audit.fmt(result.tightest)}) but is recorded as finding "
                                 f"{finding.id}: update verify/judge/known_findings.toml")
    else:
        assert finding is not None, (
            f"{bound.id} [{bound.reference}] is violated: claimed {audit.fmt(result.claimed)}, tightest "
            f"{audit.fmt(result.tightest)}, at {result.counterexample}; not recorded in verify/judge/known_findings.toml. "
            + _replay(bound.id))


@pytest.mark.parametrize("finding", list(RECORDED.values()), ids=list(RECORDED))
def test_recorded_proof_audit_finding_names_a_step(finding):
    assert finding.bound in {b.id for b in STEPS}, (
        f"finding {finding.id} names {finding.bound!r}, which is no numeric step of the registry")
