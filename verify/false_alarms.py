"""Measure the statistical checks' false-alarm rate: ``python -m verify.false_alarms [RUNS] [FIRST_SEED]``.

Runs the statistical check files of ``pytest verify`` RUNS times (default 20), each
with a fresh ``--verify-seed``, and counts the (bound, family) results reported
violated that are not recorded findings: a result that holds reported violated is a
false alarm.  The designed rate is at most verify.judge.statistics.RUN_ERROR_BUDGET per run
(all statistical verdicts of a run together).  Prints one line per run and a summary;
exits 1 if any false alarm was seen, or if a run failed for another reason (a failed test,
no report written): such a run measured nothing.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from xml.etree import ElementTree

from verify.judge.cli import positive_int, seed_arg
from .plugin import STATISTICAL_FILES
from verify.judge.statistics import RUN_ERROR_BUDGET


def one_run(seed: int, root: Path) -> dict:
    files = [f for f in STATISTICAL_FILES if (root / f).exists()]
    with tempfile.TemporaryDirectory() as out:
        cmd = [sys.executable, "-m", "pytest", *files, "-q", "-p", "no:cacheprovider",
               "--verify-seed", str(seed), "--report-dir", out]
        proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
        if not (Path(out) / "compliance.json").exists():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            return {"seed": seed, "exit_status": proc.returncode, "results": 0, "violated_as_recorded": 0,
                    "inconclusive": 0, "false_alarms": [],
                    "failed_tests": [f"(no report written: {' / '.join(tail) or 'no output'})"]}
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


def main(argv: list[str] | None = None, prog: str = "python -m verify.false_alarms") -> int:
    """Exit 0 only if every run completed with no false alarm and no failed test; 1 otherwise."""
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="?", type=positive_int, default=20,
                        help="how many runs, each with its own --verify-seed. Default: 20")
    parser.add_argument("first_seed", nargs="?", type=seed_arg, default=1000,
                        help="the seed of the first run; the others follow it. Default: 1000")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    root = Path(__file__).resolve().parents[1]
    alarms = broken = 0
    for seed in range(args.first_seed, args.first_seed + args.runs):
        r = one_run(seed, root)
        alarms += bool(r["false_alarms"])
        # A run whose tests failed for another reason (or that wrote no report) measured nothing
        # sound about the false-alarm rate: it is counted, named, and fails the command.
        broken += bool(r["exit_status"] != 0 or r["failed_tests"])
        print(f"seed {seed}: {r['results']} results, {r['violated_as_recorded']} violated as recorded findings, "
              f"{r['inconclusive']} inconclusive, false alarms: {r['false_alarms'] or 'none'} "
              f"(pytest exit {r['exit_status']}; failed tests: {', '.join(r['failed_tests']) or 'none'})", flush=True)
    print(f"false alarms in {alarms} of {args.runs} runs; designed rate at most {RUN_ERROR_BUDGET:g} per run")
    if broken:
        print(f"false_alarms: {broken} of {args.runs} runs did not pass (failed tests or no report): the rate "
              "above is not measured on them", file=sys.stderr)
    return 1 if alarms or broken else 0


if __name__ == "__main__":
    raise SystemExit(main())
