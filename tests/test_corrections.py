"""The erratum: every finding of kind false or gap has a corrected statement in the registry.

A correction is a Bound whose ``corrects`` names the printed Bound of its finding, and the finding
names it as its ``correction``.  The checks judge it on the same instances as the printed statement,
whose recorded violation is its negative control (verify/checks/test_pointwise.py, test_proof_audit.py).
AWAITING names the findings whose correction is still to be registered; like the completeness test's
PENDING list, it can only shrink.
"""
from bounds import BOUNDS, corrections_of
from verify.judge.findings import load

AWAITING: set[str] = set()

FINDINGS = load()
NEEDS_CORRECTION = [f for f in FINDINGS if f.kind in ("false", "gap")]


def test_every_false_or_gap_finding_has_a_correction_or_awaits_one():
    missing = [f.id for f in NEEDS_CORRECTION if not f.correction and f.id not in AWAITING]
    assert not missing, f"findings of kind false or gap without a corrected Bound: {missing}"


def test_awaiting_only_shrinks():
    ids = {f.id: f for f in FINDINGS}
    assert AWAITING <= set(ids), sorted(AWAITING - set(ids))
    done = sorted(i for i in AWAITING if ids[i].correction)
    assert not done, f"corrected now, remove from AWAITING: {done}"


def test_each_correction_is_a_registered_bound_that_corrects_the_findings_bound():
    for f in FINDINGS:
        if not f.correction:
            continue
        assert f.kind in ("false", "gap"), f"{f.id}: a {f.kind} finding needs no corrected statement"
        assert f.correction in BOUNDS, f"{f.id}: correction {f.correction!r} is not a Bound of the registry"
        corrected = BOUNDS[f.correction]
        if f.bound:
            assert corrected.corrects == f.bound, (
                f"{f.id}: {f.correction} corrects {corrected.corrects!r}, the finding is on {f.bound!r}")
        else:
            # A finding on a hypothesis: the correction replaces a Bound that carries it.
            carried = {p.name for p in BOUNDS[corrected.corrects].preconditions}
            assert f.precondition in carried, f"{f.id}: {corrected.corrects} does not carry {f.precondition!r}"
        printed = BOUNDS[corrected.corrects]
        assert corrected in corrections_of(printed.id)
        # The corrected statement keeps the printed one's kind and cites the same display.
        assert corrected.kind is printed.kind and set(printed.equations) <= set(corrected.equations)


def test_every_correction_corrects_a_finding():
    """A corrected Bound without a finding would be an unexplained repair of the paper."""
    named = {f.correction for f in FINDINGS}
    orphans = sorted(b.id for b in BOUNDS.values() if b.corrects and b.id not in named)
    assert not orphans, f"corrected Bounds no finding names as its correction: {orphans}"
