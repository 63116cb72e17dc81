"""`python -m verify.false_alarms`: its arguments are checked, and a run that failed for another reason fails it."""
from __future__ import annotations

import pytest

from verify import false_alarms


@pytest.mark.parametrize("argv, says", [
    (["0"], "must be at least 1"),
    (["-5"], "must be at least 1"),
    (["abc"], "'abc' is not an integer"),
    (["2", "-3"], "is not a seed"),
    (["2", "x"], "'x' is not an integer"),
])
def test_invalid_arguments_are_refused_naming_them(argv, says, capsys):
    with pytest.raises(SystemExit) as exit_:
        false_alarms.main(argv)
    assert exit_.value.code == 2
    assert says in capsys.readouterr().err


def test_help_describes_the_command(capsys):
    with pytest.raises(SystemExit) as exit_:
        false_alarms.main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "runs" in out and "first_seed" in out and "Default: 20" in out


def _record(seed, exit_status=0, failed=(), alarms=()):
    return {"seed": seed, "exit_status": exit_status, "results": 3, "violated_as_recorded": 1, "inconclusive": 0,
            "false_alarms": list(alarms), "failed_tests": list(failed)}


@pytest.mark.parametrize("record, code", [
    (_record(0), 0),
    (_record(0, alarms=["lemma_4_8@x"]), 1),
    (_record(0, exit_status=1, failed=["verify/test_x.py::test_y"]), 1),  # every test failed: measured nothing
    (_record(0, exit_status=1, failed=["(no report written: ImportError)"]), 1),
])
def test_the_exit_status_says_whether_the_runs_measured_anything(monkeypatch, capsys, record, code):
    monkeypatch.setattr(false_alarms, "one_run", lambda seed, root: dict(record, seed=seed))
    assert false_alarms.main(["2", "7"]) == code
    out = capsys.readouterr()
    assert "seed 7:" in out.out and "seed 8:" in out.out
    if record["exit_status"]:
        assert "did not pass" in out.err
