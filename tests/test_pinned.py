"""Pinned instances (verify/judge/pinned.py) and their promotion from a sweep (python -m verify.sweep.promote)."""
from __future__ import annotations

import json

import pytest

import verify.judge.pinned as pinned
from verify.judge.evidence import Instance, Ledger
from verify.sweep.promote import PromoteError, chosen


def test_a_pinned_instance_is_judged_by_its_check_at_every_seed(tmp_path, monkeypatch):
    import verify.checks.test_pointwise as tp

    case = tp.RUN_CASES[0]
    params = {k: v for k, v in tp.PINNED[0].items() if k != "seed"}
    extra = Instance(case.id, 987654321, params)

    def judged(seed):
        ledger = Ledger()
        tp.test_pointwise(case, ledger, seed, "ci")
        return ledger.get(case.bound.id, case.family)

    before = judged(3)
    path = tmp_path / "pinned.toml"
    monkeypatch.setattr(pinned, "PINNED_PATH", path)
    assert pinned.pin(extra, 0.5, "a test") is True
    assert pinned.pin(extra, 0.5, "a test") is False  # once only
    assert pinned.pinned_instances(case.id) == [extra]
    after = judged(3)
    assert after.instances == before.instances + 1


def test_the_pinned_file_names_a_bad_entry(tmp_path):
    path = tmp_path / "pinned.toml"
    path.write_text('[[pinned]]\ncheck = "a@b"\nratio = 0.5\n')
    with pytest.raises(pinned.PinnedFileError, match="entry 1.*instance"):
        pinned.load(path)
    path.write_text('[[pinned]]\ncheck = "a@b"\ninstance = \'{"check": "c@d", "seed": 1, "params": {}}\'\nratio = 1\n')
    with pytest.raises(pinned.PinnedFileError, match="of 'c@d', not 'a@b'"):
        pinned.load(path)


def test_the_shipped_pinned_file_parses_and_names_only_pinnable_checks():
    from verify.checks.bias import BIAS_CASES
    from verify.checks.moments import MOMENT_CASES
    from verify.checks.pointwise import CASES

    ids = {c.id for c in CASES} | {c.id for c in BIAS_CASES} | {c.id for c in MOMENT_CASES}
    for p in pinned.load():
        assert p.check in ids, f"{p.check} is pinned but no pointwise, bias or moments check has that id"


def _sweep(tmp_path, kind="pointwise", verdict="holds"):
    inst = {"check": "eq_9_finite_difference_hvp@quadratic-indefinite", "seed": 5, "params": {"d": 2}}
    row = {"bound_id": "eq_9_finite_difference_hvp", "family": "quadratic-indefinite", "kind": kind,
           "verdicts": {verdict: 1}, "false_alarm_seeds": [], "worst_ratio": 0.9, "worst_seed": 7,
           "worst_instance": inst, "replay": ""}
    (tmp_path / "sweep.json").write_text(json.dumps({"checks": [row], "options": {"profile": "ci"},
                                                     "seeds": {"recorded": [7]}}))
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "7.json").write_text(json.dumps({
        "schema": "maml-verify/sweep-seed", "seed": 7, "status": "completed",
        "results": [{"bound_id": row["bound_id"], "family": row["family"], "verdict": verdict}]}))
    return "eq_9_finite_difference_hvp@quadratic-indefinite"


def test_promote_takes_the_worst_instance_and_says_where_it_was_found(tmp_path):
    check = _sweep(tmp_path)
    inst, ratio, source = chosen(tmp_path, check)
    assert (inst.check, inst.seed, ratio) == (check, 5, 0.9)
    assert "seed 7" in source and "profile ci" in source


@pytest.mark.parametrize("kind, verdict, message", [
    ("convergence", "holds", "judges only its own draws"),
    ("pointwise", "violated", "a counterexample is a finding"),
])
def test_promote_refuses_what_cannot_be_pinned(tmp_path, kind, verdict, message):
    check = _sweep(tmp_path, kind, verdict)
    with pytest.raises(PromoteError, match=message):
        chosen(tmp_path, check)
    with pytest.raises(PromoteError, match="no check"):
        chosen(tmp_path, "nothing@here")
