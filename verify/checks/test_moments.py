"""`pytest verify`: the moment bounds of the proofs of F.1 (80)-(89), G.1 (112)-(122), H.1 (137)-(149).

Statistical verdicts charged to one error budget (see verify/checks/moments.py for the
estimators); each check judges the fixed edge instance and the worst candidates of an
adversarial search (``verify.checks.expectation.search_instances``: pilots with few draws
rank the candidates and decide nothing; the worst are judged with fresh draws, one
test each), and has a negative control judged by the same machinery.
"""
import pytest

from verify.judge.evidence import Instance, Verdict
from verify.checks.expectation import SearchPlan, SearchSpace, run_searched_check
from verify.judge.findings import for_check, recorded_instances
from verify.judge.pinned import pinned_instances
from verify.checks.moments import (EXTREMAL_BOUNDS, EXTREMAL_KIND, IDENTITY_CONTROLS, MOMENT_CASES, MomentCase,
    derived_edges, extremal_edges)
from verify.checks.moments import run_instance
from verify.judge.statistics import budget_for

# The fixed instance: alpha at the end of its range, D_h at the edge of the proof's hypothesis.
EDGE = [
    dict(seed=21, d=2, n=3, alpha_frac=1.0, batch_margin=0.0, spread=0.5, noise=0.5, scale=0.5),
]
SPACE = SearchSpace()
SEARCH = {"ci": SearchPlan(candidates=24, judged=3, pilot_draws=200, refine_starts=2, refine_evaluations=6),
          "nightly": SearchPlan(candidates=64, judged=4, pilot_draws=200, refine_starts=2, refine_evaluations=30)}
SEARCH_SALT = 102


def budget(profile: str):
    """This file's share of the error budget over every statistical verdict (exact ones and pilots are not tests)."""
    statistical = [c for c in MOMENT_CASES if c.family != EXTREMAL_KIND]
    recorded = sum(len(_judged_beside(c)) + len(derived_edges(c)) for c in statistical)
    return budget_for("moments", len(statistical) * (len(EDGE) + SEARCH[profile].judged) + recorded)


def _judged_beside(case: MomentCase) -> list:
    """Instances judged beside the drawn ones at every seed: recorded counterexamples and pinned worst instances."""
    return recorded_instances(case.id, "moments") + pinned_instances(case.id)


BUDGET = budget("ci")
FINDINGS = {(f.bound, fam): f for f in for_check("moments") for fam in f.families}


@pytest.mark.parametrize("case", MOMENT_CASES, ids=[c.id for c in MOMENT_CASES])
def test_moment_bound(case: MomentCase, ledger, run_seed, profile):
    # A recorded finding must be reproduced by the searched instances (the worst candidates,
    # judged with fresh draws) in either profile; its recorded instance is replayed below.
    # The proofs' extremal instances of a display (exact: no error budget) are judged on their own
    # kind, EXTREMAL_KIND, whose negative control is the power control (9/10 of the supremum); the
    # random kinds, which cannot come near it, keep a control that tests their plumbing.
    extremal = case.family == EXTREMAL_KIND
    edge = extremal_edges(case.bound_id) if extremal else EDGE + derived_edges(case)
    run_searched_check(case, run_instance, edge=edge, space=SPACE,
                       plan=None if extremal else SEARCH[profile], salt=SEARCH_SALT, run_seed=run_seed,
                       budget=budget(profile), finding=FINDINGS.get((case.bound_id, case.family)), ledger=ledger,
                       extremal_kind=EXTREMAL_KIND if case.bound_id in EXTREMAL_BOUNDS else None,
                       recorded=_judged_beside(case), control=IDENTITY_CONTROLS.get(case.bound_id))


RECORDED = [(f, text) for f in for_check("moments") for text in f.instances]


@pytest.mark.parametrize("finding, text", RECORDED, ids=[Instance.from_json(t).check for _, t in RECORDED])
def test_recorded_moment_counterexample_still_replays(finding, text):
    from verify.checks.moments import MOMENT_CASES_BY_ID

    inst = Instance.from_json(text)
    out = run_instance(MOMENT_CASES_BY_ID[inst.check], inst, 1e-6)
    assert out.verdict is Verdict.VIOLATED, (
        f"finding {finding.id}: its counterexample no longer reproduces ({out.estimate} in [{out.lower}, {out.upper}] "
        f"vs {out.rhs}); replay: {inst.replay_command()}")


CORRECTED = [c for c in MOMENT_CASES if c.family == EXTREMAL_KIND and c.bound.corrects]


@pytest.mark.parametrize("case", CORRECTED, ids=[c.id for c in CORRECTED])
def test_corrected_display_holds_where_the_printed_one_fails(case: MomentCase):
    """The erratum's negative control: on the correction's exact extremal instances, the printed display is violated."""
    from bounds import BOUNDS

    printed = BOUNDS[case.bound.corrects]
    printed_verdicts = []
    for params in extremal_edges(case.bound_id):
        inst = Instance(case.id, 0, params)
        corrected, as_printed = run_instance(case, inst, 1e-6), run_instance(case, inst, 1e-6, printed)
        assert corrected.verdict is Verdict.HOLDS, (case.id, params, corrected.ratio, corrected.note)
        printed_verdicts.append(as_printed.verdict)
    assert Verdict.VIOLATED in printed_verdicts, (
        f"{case.id}: the printed {printed.id} holds on every extremal instance of the correction "
        f"({[v.value for v in printed_verdicts]}); the negative control cannot fail")


TYPOS = [c for c in MOMENT_CASES if (c.bound_id, c.family) in FINDINGS and FINDINGS[(c.bound_id, c.family)].holds_as]


@pytest.mark.parametrize("case", TYPOS, ids=[c.id for c in TYPOS])
def test_a_typo_holds_with_the_relation_it_means(case: MomentCase):
    """A typo in a display's relation (e.g. (83)'s '='): read with the finding's ``holds_as`` it holds on every
    instance the check judges, and is as tight as its reading claims (the largest ratio reaches 1 within rounding)."""
    import dataclasses

    from bounds import Relation

    finding = FINDINGS[(case.bound_id, case.family)]
    meant = dataclasses.replace(case.bound, relation=Relation(finding.holds_as))
    outs = [run_instance(case, Instance(case.id, 0, {k: v for k, v in p.items() if k != "seed"}), 1e-6, meant)
            for p in extremal_edges(case.bound_id)]
    assert outs and all(o.verdict is Verdict.HOLDS for o in outs), [(o.verdict.value, o.ratio, o.note) for o in outs]
    assert max(o.ratio for o in outs) > 1 - 1e-9, [o.ratio for o in outs]
