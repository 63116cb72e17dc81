"""Measure the statistical checks' false-alarm rate: ``python -m verify.false_alarms [RUNS] [FIRST_SEED]``.

Runs the statistical check files of ``pytest verify`` RUNS times (default 20), each
with a fresh ``--verify-seed``, and counts the (bound, family) results reported
violated that are not recorded findings: a result that holds reported violated is a
false alarm.  The designed rate is at most verify.statistics.RUN_ERROR_BUDGET per run
(all statistical verdicts of a run together).  Prints one line per run and a summary;
exits 1 if any false alarm was seen.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from xml.etree import ElementTree

from .plugin import STATISTICAL_FILES
from .statistics import RUN_ERROR_BUDGET


def one_run(seed: int, root: Path) -> dict:
    files = [f for f in STATISTICAL_FILES if (root / f).exists()]
    with tempfile.TemporaryDirectory() as out:
        cmd = [sys.executable, "-m", "pytest", *files, "-q", "-p", "no:cacheprovider",
               "--verify-seed", str(seed), "--report-dir", out]
        proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
        doc = json.loads((Path(out) / "compliance.json").read_text())
        # Tests that failed for another reason than a verdict (a negative control not caught, a
        # recorded finding that did not reproduce): not false alarms, but reported by name.
        junit = ElementTree.parse(Path(out) / "junit.xml")
        failed = [f"{tc.get('classname')}::{tc.get('name')}" for tc in junit.iter("testcase")
                  if tc.find("failure") is not None or tc.find("error") is not None]
    results = doc["results"]
    false_alarms = [f"{r['bound_id']}@{r['family']}" for r in results
                    if r["verdict"] == "violated" and not r.get("finding")]
    return {"seed": seed, "exit_status": proc.returncode, "results": len(results),
            "violated_as_recorded": sum(1 for r in results if r["verdict"] == "violated" and r.get("finding")),
            "inconclusive": sum(1 for r in results if r["verdict"] == "inconclusive"),
            "false_alarms": false_alarms, "failed_tests": failed}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    runs = int(argv[0]) if argv else 20
    first = int(argv[1]) if len(argv) > 1 else 1000
    root = Path(__file__).resolve().parents[1]
    alarms = 0
    for seed in range(first, first + runs):
        r = one_run(seed, root)
        alarms += bool(r["false_alarms"])
        print(f"seed {seed}: {r['results']} results, {r['violated_as_recorded']} violated as recorded findings, "
              f"{r['inconclusive']} inconclusive, false alarms: {r['false_alarms'] or 'none'} "
              f"(pytest exit {r['exit_status']}; failed tests: {', '.join(r['failed_tests']) or 'none'})", flush=True)
    print(f"false alarms in {alarms} of {runs} runs; designed rate at most {RUN_ERROR_BUDGET:g} per run")
    return 1 if alarms else 0


if __name__ == "__main__":
    raise SystemExit(main())
