"""Every result of the paper must survive a change of units (see verify/checks/dimensions.py).

For each Bound: both sides of the statement, and both sides of each hypothesis,
must scale alike under f_i -> c f_i and w -> s w.  A hypothesis recorded in
verify/judge/known_findings.toml as inconsistent must still be found inconsistent
(otherwise the record is stale); any other inconsistency fails.
"""
import pytest

from bounds import BOUNDS
from verify.checks import dimensions
from verify.judge.evidence import Evidence, Verdict
from verify.judge.findings import for_check

RECORDED = {f.precondition: f for f in for_check("dimensional_consistency")}
CHECKED = [b for b in BOUNDS.values() if not dimensions.applicable(b)]


@pytest.mark.parametrize("bound", CHECKED, ids=[b.id for b in CHECKED])
def test_bound_is_dimensionally_consistent(bound, ledger):
    report = dimensions.check(bound)
    recorded = [RECORDED[p].id for p in report.inconsistent_preconditions if p in RECORDED]
    ledger.record(Evidence(
        bound.id, bound.reference, bound.kind.value, "units (f -> c f, w -> s w)",
        Verdict.HOLDS if report.consistent else Verdict.VIOLATED, instances=dimensions.POINTS, admitted=dimensions.POINTS,
        finding=recorded[0] if recorded else None,
        note="" if report.consistent else f"not scale-invariant: {report.inconsistent_preconditions or 'statement'}"))
    assert report.statement_consistent, (
        f"{bound.id} [{bound.reference}]: the two sides scale differently under f -> c f, w -> s w; "
        f"replay: python -c \"from bounds import BOUNDS; from verify import dimensions; "
        f"print(dimensions.check(BOUNDS['{bound.id}']))\"")
    unrecorded = [p for p in report.inconsistent_preconditions if p not in RECORDED]
    assert not unrecorded, (
        f"{bound.id} [{bound.reference}]: hypotheses {unrecorded} are not invariant under a change of units "
        "and are not recorded in verify/judge/known_findings.toml")


@pytest.mark.parametrize("finding", list(RECORDED.values()), ids=list(RECORDED))
def test_recorded_dimensional_finding_still_reproduces(finding):
    carriers = [b for b in CHECKED if any(p.name == finding.precondition for p in b.preconditions)]
    assert carriers, f"finding {finding.id}: no Bound carries the hypothesis {finding.precondition!r} any more"
    for bound in carriers:
        assert finding.precondition in dimensions.check(bound).inconsistent_preconditions, (
            f"finding {finding.id} no longer reproduces on {bound.id}: update verify/judge/known_findings.toml")
    if finding.correction:
        # The erratum's corrected statement replaces the hypothesis by a scale-free one.
        corrected = BOUNDS[finding.correction]
        assert finding.precondition not in {p.name for p in corrected.preconditions}, corrected.id
        assert dimensions.check(corrected).consistent, f"{corrected.id}: the corrected hypotheses are not scale-free"
