"""How often the unaided search rediscovers each recorded finding: ``python -m verify.rediscovery --seeds 1000:1019``.

A recorded finding is judged on its own counterexample at every seed, so it never goes
missing from a run.  That says nothing about the search: a finding the search meets only
at a lucky seed would be lost on the next statement of its kind.  This command runs the
checks that hold a finding (pointwise, moments, bias) once per seed with
``--verify-withhold-recorded``, so each check judges only the instances its own search draws
from the seed (its fixed extremal instances included), and counts the seeds at which the
finding came out violated.  It prints, per finding, the rate with a Clopper-Pearson 95%
interval.  Exits 0 when every run wrote its report, 1 otherwise (a run whose search lost
a finding fails its test by design: that is what is being counted, not a broken run).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from verify.judge.cli import seeds_arg
from verify.judge.evidence import Instance
from verify.judge.findings import load
from verify.judge.statistics import clopper_pearson

# The checks whose instances depend on the run's seed; the others (proof audit, dimensional
# consistency, the exact H.1 construction) decide from no draw, so they rediscover at every seed.
SEARCHED_CHECKS = {"pointwise": "verify/checks/test_pointwise.py::test_pointwise",
                   "moments": "verify/checks/test_moments.py::test_moment_bound",
                   "bias": "verify/checks/test_bias.py::test_bias"}


@dataclass(frozen=True)
class Target:
    finding: str
    check_id: str   # bound@family
    node: str       # the pytest node id that judges it


def targets() -> list[Target]:
    """Every (finding, bound@family) a searched check judges: the families it is recorded on."""
    out = []
    for f in load():
        if f.check not in SEARCHED_CHECKS:
            continue
        ids = [f"{f.bound}@{fam}" for fam in f.families] + [Instance.from_json(t).check for t in f.instances]
        for check_id in dict.fromkeys(ids):
            out.append(Target(f.id, check_id, f"{SEARCHED_CHECKS[f.check]}[{check_id}]"))
    return out


def one_seed(seed: int, chosen: list[Target], root: Path) -> dict:
    """Run the chosen checks at ``seed`` with the recorded counterexamples withheld; the verdict of each."""
    nodes = list(dict.fromkeys(t.node for t in chosen))
    with tempfile.TemporaryDirectory() as out:
        cmd = [sys.executable, "-m", "pytest", *nodes, "-q", "-p", "no:cacheprovider", "--verify-seed", str(seed),
               "--verify-withhold-recorded", "--report-dir", out]
        proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
        report = Path(out) / "compliance.json"
        if not report.exists():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            return {"seed": seed, "broken": f"no report written: {' / '.join(tail) or 'no output'}", "verdicts": {}}
        doc = json.loads(report.read_text())
    verdicts = {f"{r['bound_id']}@{r['family']}": r["verdict"] for r in doc["results"]}
    return {"seed": seed, "broken": "", "verdicts": {t.check_id: verdicts.get(t.check_id, "not run") for t in chosen},
            "worst_ratios": {f"{r['bound_id']}@{r['family']}": r.get("worst_ratio") for r in doc["results"]}}


def main(argv: list[str] | None = None, prog: str = "python -m verify.rediscovery") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=seeds_arg, default=list(range(1000, 1020)),
                        help="FIRST:LAST (both included) or a list such as 5,6,7. Default: 1000:1019")
    parser.add_argument("--json", type=Path, default=None, metavar="FILE",
                        help="also write the per-seed verdicts and the rates to FILE (JSON)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.json is not None and not args.json.parent.is_dir():
        parser.error(f"--json: the directory {args.json.parent} does not exist")
    root = Path(__file__).resolve().parents[1]
    chosen = targets()
    runs = []
    for seed in args.seeds:
        r = one_seed(seed, chosen, root)
        runs.append(r)
        lost = [c for c, v in r["verdicts"].items() if v != "violated"]
        print(f"seed {seed}: " + (r["broken"] or f"not rediscovered: {', '.join(lost) or 'none'}"), flush=True)
    good = [r for r in runs if not r["broken"]]
    rates = []
    for t in chosen:
        k = sum(1 for r in good if r["verdicts"][t.check_id] == "violated")
        n = len(good)
        lo, hi = clopper_pearson(k, n) if n else (0.0, 1.0)
        rates.append({"finding": t.finding, "check": t.check_id, "rediscovered": k, "seeds": n,
                      "rate": k / n if n else None, "interval_95": [lo, hi]})
        print(f"{t.finding} on {t.check_id}: {k}/{n} seeds"
              + (f" ({k / n:.0%}; 95% interval [{lo:.2f}, {hi:.2f}])" if n else ""))
    if args.json is not None:
        args.json.write_text(json.dumps({"seeds": args.seeds, "runs": runs, "rates": rates}, indent=1) + "\n")
    broken = len(runs) - len(good)
    if broken:
        print(f"rediscovery: {broken} of {len(runs)} runs wrote no report; the rates above leave them out",
              file=sys.stderr)
    return 1 if broken else 0


if __name__ == "__main__":
    raise SystemExit(main())
