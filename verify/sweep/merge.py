"""Merge a sweep's seed records into ``sweep.json`` and ``sweep.html``: ``python -m verify.sweep.merge DIR``.

What the merge says, and how sure it is:
  * per (Bound, family): how many seeds gave each verdict, and the worst ratio lhs/rhs over all
    seeds, with the seed and the instance that reached it (and its replay command); beside it the
    worst ratio of a reference report (``--reference``, e.g. the ci profile's run), where given;
  * false alarms: runs (seeds) with at least one gated result reported violated that is not a
    recorded finding (the wall-clock exponents of Table 1, timing on a shared machine, never fail a
    run and are listed apart).  With k such runs out of n, the per-run false-alarm rate is at most the one-sided
    Clopper-Pearson 95% upper bound (exact for a binomial count);
  * each recorded finding's rediscovery rate by the unaided search, with a two-sided
    Clopper-Pearson 95% interval: measured only in a sweep run with ``--withhold-recorded``,
    where the checks judge nothing but what their own search draws;
  * the seeds whose run crashed (with why), the seeds with failed tests, and the time per seed.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from datetime import datetime, timezone
from pathlib import Path

from verify.judge.statistics import RUN_ERROR_BUDGET, clopper_pearson, clopper_pearson_upper
from verify.report.files import ReportWriteError, write_atomically

from .store import SweepDir, SweepDirError

SCHEMA = "maml-verify/sweep"
SCHEMA_VERSION = 1
CONFIDENCE = 0.95
SWEEP_JSON = "sweep.json"
SWEEP_HTML = "sweep.html"


def _ratio(r: dict) -> float | None:
    x = r.get("worst_ratio")
    return x if isinstance(x, (int, float)) and x == x else None


def false_alarms(record: dict) -> list[str]:
    """The results of one seed reported violated that are not recorded findings (gated ones: see ``ungated_violations``)."""
    return [f"{r['bound_id']}@{r['family']}" for r in record["results"]
            if r["verdict"] == "violated" and not r.get("finding") and r.get("gated", True)]


def ungated_violations(record: dict) -> list[str]:
    """Results reported violated that never fail a run: Table 1's wall-clock exponents, timing on a shared machine."""
    return [f"{r['bound_id']}@{r['family']}" for r in record["results"]
            if r["verdict"] == "violated" and not r.get("finding") and not r.get("gated", True)]


def merge(records: dict[int, dict], config: dict, reference: dict | None = None,
          reference_path: str | None = None) -> dict:
    completed = {s: r for s, r in sorted(records.items()) if r["status"] == "completed"}
    crashed = {s: r for s, r in sorted(records.items()) if r["status"] != "completed"}
    ref = {(r["bound_id"], r["family"]): _ratio(r) for r in (reference or {}).get("results", [])}
    checks: dict[tuple[str, str], dict] = {}
    for seed, rec in completed.items():
        for r in rec["results"]:
            key = (r["bound_id"], r["family"])
            c = checks.setdefault(key, {"bound_id": key[0], "family": key[1], "kind": r.get("kind"),
                                        "gated": r.get("gated", True), "verdicts": {},
                                        "false_alarm_seeds": [], "worst_ratio": None, "worst_seed": None,
                                        "worst_instance": None, "replay": None})
            c["verdicts"][r["verdict"]] = c["verdicts"].get(r["verdict"], 0) + 1
            if r["verdict"] == "violated" and not r.get("finding") and r.get("gated", True):
                c["false_alarm_seeds"].append(seed)
            x = _ratio(r)
            if x is not None and (c["worst_ratio"] is None or x > c["worst_ratio"]):
                c.update(worst_ratio=x, worst_seed=seed, worst_instance=r.get("worst_instance"), replay=r.get("replay"))
    for key, c in checks.items():
        c["reference_worst_ratio"] = ref.get(key)
        c["raised_above_reference"] = (c["reference_worst_ratio"] is not None and c["worst_ratio"] is not None
                                       and c["worst_ratio"] > c["reference_worst_ratio"])
    n = len(completed)
    alarmed = {s: false_alarms(r) for s, r in completed.items() if false_alarms(r)}
    durations = [r["duration_s"] for r in completed.values()]
    return {
        "schema": SCHEMA, "schema_version": SCHEMA_VERSION,
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "options": config,
        "seeds": {"recorded": sorted(records), "completed": len(completed), "crashed": len(crashed),
                  "commits": sorted({str(r.get("commit")) + ("+dirty" if r.get("commit_dirty") else "")
                                     for r in completed.values()})},
        "reference": None if reference is None else {
            "path": reference_path, "profile": reference["run"].get("profile"), "seed": reference["run"].get("seed"),
            "commit": reference["run"].get("commit")},
        "false_alarms": {
            "runs": n, "runs_with_false_alarm": len(alarmed),
            "rate_upper_95": clopper_pearson_upper(len(alarmed), n, CONFIDENCE) if n else None,
            "designed_rate": RUN_ERROR_BUDGET,
            "alarms": [{"seed": s, "checks": a} for s, a in alarmed.items()],
            "ungated_violations": [{"seed": s, "checks": ungated_violations(r)} for s, r in completed.items()
                                   if ungated_violations(r)]},
        "rediscovery": _rediscovery(completed, config),
        "checks": sorted(checks.values(), key=lambda c: (c["bound_id"], c["family"])),
        "failed_seeds": [{"seed": s, "reason": r.get("reason", ""), "exit_status": r.get("exit_status"),
                          "tail": r.get("tail", "")} for s, r in crashed.items()],
        "failed_tests": [{"seed": s, "tests": r["failed_tests"]} for s, r in completed.items() if r["failed_tests"]],
        "time": {"per_seed": {str(s): r["duration_s"] for s, r in completed.items()},
                 "total_s": round(sum(durations), 1),
                 "min_s": min(durations, default=None), "median_s": statistics.median(durations) if durations else None,
                 "max_s": max(durations, default=None)},
    }


def _rediscovery(completed: dict[int, dict], config: dict) -> dict:
    from verify.rediscovery import targets

    if not config.get("withhold_recorded"):
        return {"measured": False, "why": "the sweep judged the recorded counterexamples, so every finding "
                                          "reproduces by construction; run it with --withhold-recorded to measure "
                                          "the search", "findings": []}
    rows = []
    for t in targets():
        bound, _, family = t.check_id.partition("@")
        verdicts = [next((r["verdict"] for r in rec["results"] if r["bound_id"] == bound and r["family"] == family),
                         None) for rec in completed.values()]
        judged = [v for v in verdicts if v is not None]
        k, n = sum(v == "violated" for v in judged), len(judged)
        lo, hi = clopper_pearson(k, n, CONFIDENCE) if n else (None, None)
        rows.append({"finding": t.finding, "check": t.check_id, "rediscovered": k, "seeds": n,
                     "rate": k / n if n else None, "interval_95": [lo, hi]})
    return {"measured": True, "why": "", "findings": rows}


def write(sweep: SweepDir, reference_path: Path | None = None) -> tuple[Path, Path | None, dict]:
    """Merge the records of ``sweep`` and write sweep.json (and sweep.html); return their paths and the document."""
    config = sweep.config()
    reference = None
    if reference_path is not None:
        try:
            reference = json.loads(Path(reference_path).read_text())
            reference["results"], reference["run"]  # noqa: B018 -- a compliance document has both
        except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
            raise SweepDirError(f"--reference: {reference_path} is not a compliance.json ({exc})") from None
    doc = merge(sweep.records(), config, reference, None if reference_path is None else str(reference_path))
    from .page import render

    target = sweep.root / SWEEP_JSON
    page = sweep.root / SWEEP_HTML
    try:
        write_atomically(page, render(doc), option="--out")
        write_atomically(target, json.dumps(doc, indent=1) + "\n", option="--out")
    except ReportWriteError as exc:
        raise SweepDirError(str(exc)) from None
    return target, page, doc


def summary(doc: dict) -> list[str]:
    fa = doc["false_alarms"]
    lines = [f"sweep: {doc['seeds']['completed']} seeds completed, {doc['seeds']['crashed']} crashed"]
    if fa["runs"]:
        lines.append(f"sweep: false alarms in {fa['runs_with_false_alarm']} of {fa['runs']} runs; per-run rate at most "
                     f"{fa['rate_upper_95']:.3g} (one-sided Clopper-Pearson 95%); designed at most "
                     f"{fa['designed_rate']:g}")
    red = doc["rediscovery"]
    if red["measured"]:
        for row in red["findings"]:
            if row["seeds"]:
                lo, hi = row["interval_95"]
                lines.append(f"sweep: {row['finding']} on {row['check']}: rediscovered at {row['rediscovered']}/"
                             f"{row['seeds']} seeds (95% interval [{lo:.3f}, {hi:.3f}])")
    raised = [c for c in doc["checks"] if c["raised_above_reference"]]
    if doc["reference"] is not None:
        lines.append(f"sweep: {len(raised)} (bound, family) worst ratios raised above the reference's")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m verify.sweep.merge", description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, metavar="DIR", help="the sweep's directory (python -m verify.sweep --out)")
    parser.add_argument("--reference", type=Path, default=None, metavar="COMPLIANCE_JSON",
                        help="a report whose worst ratios to show beside the sweep's, e.g. the ci profile's "
                             "reports/compliance.json. Default: none")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        target, page, doc = write(SweepDir(args.out), args.reference)
    except SweepDirError as exc:
        parser.error(str(exc))
    for line in summary(doc):
        print(line)
    print(f"sweep: {target}, {page}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
