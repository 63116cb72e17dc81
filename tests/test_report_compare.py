"""python -m verify.report.compare: two reports record by record, floats bit for bit, the machine's measurements left out."""
from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from verify.report import build
from verify.report.compare import differences, main
from verify.report.example import sample_ledger

RUN = {"profile": "ci", "seed": 0, "exit_status": 0, "tests": {"passed": 1}}


@pytest.fixture(scope="module")
def doc() -> dict:
    sample = sample_ledger()
    return build(sample, RUN, figures=sample.figures)


def test_a_report_equals_itself_and_the_run_fields_of_the_machine_do_not_count(doc):
    other = copy.deepcopy(doc)
    other["run"]["duration_s"] = 1234.5
    other["run"]["started_at"] = "another day"
    assert differences(doc, other) == []


def test_one_ulp_in_one_ratio_is_a_difference_naming_the_record_and_field(doc):
    other = copy.deepcopy(doc)
    row = next(r for r in other["results"] if isinstance(r.get("worst_ratio"), float))
    row["worst_ratio"] = float(np.nextafter(row["worst_ratio"], np.inf))
    found = differences(doc, other)
    assert len(found) == 1 and row["bound_id"] in found[0] and "worst_ratio" in found[0]


def test_a_missing_record_a_moved_verdict_and_the_seed_are_differences(doc):
    other = copy.deepcopy(doc)
    gone = other["results"].pop()
    other["results"][0]["verdict"] = "violated" if other["results"][0]["verdict"] != "violated" else "holds"
    other["run"]["seed"] = 7
    found = "\n".join(differences(doc, other))
    assert gone["bound_id"] in found and "only in the first" in found
    assert ".verdict" in found and "run.seed" in found


def test_wall_clock_measurements_are_left_out_but_their_verdict_is_not(doc):
    first, second = copy.deepcopy(doc), copy.deepcopy(doc)
    for d, seconds in ((first, 0.5), (second, 0.7)):
        d["results"].append({"bound_id": "table_1_hf_maml_runtime", "family": "rank-one (wall clock)",
                             "verdict": "holds", "worst_ratio": seconds, "note": f"{seconds} s", "ratios": [seconds]})
    assert differences(first, second) == []
    second["results"][-1]["verdict"] = "inconclusive"
    assert len(differences(first, second)) == 1


def test_the_command_line_exits_0_1_2(tmp_path, doc, capsys):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(doc))
    b.write_text(json.dumps(doc))
    assert main([str(a), str(b)]) == 0 and "identical" in capsys.readouterr().out
    changed = copy.deepcopy(doc)
    changed["results"][0]["verdict"] = "inconclusive" if changed["results"][0]["verdict"] != "inconclusive" else "holds"
    b.write_text(json.dumps(changed))
    assert main([str(a), str(b)]) == 1 and "1 difference(s)" in capsys.readouterr().out
    assert main([str(a), str(tmp_path / "missing.json")]) == 2
    assert "missing.json: no such file" in capsys.readouterr().err
