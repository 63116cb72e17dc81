"""The CI gate: compare a run's compliance.json with the committed baseline, or accept a new baseline on purpose.

    python -m verify.report.gate             compare reports/compliance.json with verify/baseline/compliance.json
    python -m verify.report.gate --update    make reports/compliance.json (from a passing ci-profile run) the baseline

The gate fails (exit 1) when, for some (bound, family) pair of the baseline, the
verdict got worse, the pair is gone, its negative control is no longer caught, or its
known finding no longer reproduces; when a known finding of the baseline is reproduced
nowhere any more; and when the tightness record of an inequality weakens: the largest
ratio lhs/rhs its checks reached fell (by more than EXACT_RATIO_RTOL relative where it
is exact, or so far that the new confidence interval lies wholly below the baseline's
where it is statistical: a loosened bound, or a weaker search, shows up here), the
record disappeared, its supremum is no longer derived or changed, or it no longer
reaches its target.  It prints every difference as a table; new pairs, better verdicts
and higher ratios are listed but pass.  A report or baseline that cannot be read
(missing, corrupt, another schema version) is exit 2 with the reason.

The baseline keeps only what the gate compares, with no dates or durations, so a
change to it in review reads as the list of verdicts that moved.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from .compliance import SCHEMA, SCHEMA_VERSION, ComplianceError, dumps, load, validate

ROOT = Path(__file__).resolve().parents[2]
REPORT = Path("reports") / "compliance.json"
BASELINE = ROOT / "verify" / "baseline" / "compliance.json"
UPDATE_COMMAND = "python -m verify.report.gate --update"
# The deterministic profile: a baseline from fresh randomness would not be reproduced by CI.
BASELINE_PROFILE = "ci"

# Best to worst.  precondition_failed is worse than holds: the check no longer admits
# any instance, so it no longer says anything.
RANK = {"holds": 0, "precondition_failed": 1, "inconclusive": 2, "violated": 3}

OK, FAILS = "pass", "FAIL"


@dataclass(frozen=True)
class Change:
    what: str
    bound_id: str
    family: str
    was: str
    now: str
    fails: bool


# The gated ratio of an inequality is the one its tightness record shows: the largest lhs/rhs its
# checks reached over all families (the power of its checks; the worst ratio of each family on
# its own depends on which random instances a hypothesis version draws, and is reported, not
# gated).  Computed exactly, it may fall by this relative amount (float noise across numpy
# builds; above a derived supremum, rounding is cut off at the supremum) before the gate calls
# it a weaker check; a statistical one fails only when its whole confidence interval lies below
# the baseline's (a change the intervals cannot explain).
EXACT_RATIO_RTOL = 1e-9
# Weakest to strongest: what is known of an inequality's supremum.
SHARPNESS_RANK = {"not_declared": 0, "not_derived": 1, "upper_bound": 2, "derived": 3}


def baseline_of(doc: dict) -> dict:
    """The part of a compliance document the gate compares, in a stable order."""
    results = sorted(
        ({"bound_id": r["bound_id"], "family": r["family"], "verdict": r["verdict"],
          "negative_control_caught": r.get("negative_control_caught"), "finding": r.get("finding")}
         for r in doc["results"] if r.get("gated", True)),
        key=lambda r: (r["bound_id"], r["family"]))
    tightness = sorted(
        ({"id": b["id"], "supremum_status": b["tightness"]["supremum_status"],
          "supremum": b["tightness"].get("supremum_exact"), "meets_target": b["tightness"].get("meets_target"),
          "supremum_value": b["tightness"].get("supremum"),
          "reached": b["tightness"].get("reached"), "interval": b["tightness"].get("interval")}
         for b in doc.get("bounds", []) if b.get("tightness")),
        key=lambda t: t["id"])
    findings = sorted(({"id": f["id"], "reproduced": bool(f.get("reproduced"))} for f in doc.get("findings", [])),
                      key=lambda f: f["id"])
    run = doc.get("run") or {}
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "baseline": f"the verdicts CI must keep; update on purpose with `{UPDATE_COMMAND}`",
        "run": {"profile": run.get("profile"), "seed": run.get("seed")},
        "results": results,
        "tightness": tightness,
        "findings": findings,
    }


def _verdict(r: dict) -> str:
    return r["verdict"] + (f" ({r['finding']})" if r.get("finding") else "")


def compare(baseline: dict, current: dict) -> list[Change]:
    """Every difference between the baseline and the current report, failing ones first."""
    changes: list[Change] = []
    # Wall-clock evidence (gated false) is reported but never gated: timing on a shared machine flaps.
    old = {(r["bound_id"], r["family"]): r for r in baseline["results"] if r.get("gated", True)}
    new = {(r["bound_id"], r["family"]): r for r in current["results"] if r.get("gated", True)}
    run = current.get("run") or {}
    status = run.get("exit_status")
    if status not in (0, None):
        changes.append(Change("the run failed", "-", "-", "exit status 0", f"exit status {status}", True))
    for key in sorted(old.keys() | new.keys()):
        b, c = old.get(key), new.get(key)
        if c is None:
            changes.append(Change("pair disappeared", *key, _verdict(b), "absent", True))
            continue
        if b is None:
            changes.append(Change("new pair", *key, "absent", _verdict(c), False))
            continue
        was, now = RANK[b["verdict"]], RANK[c["verdict"]]
        if b.get("finding") and c.get("finding") != b["finding"]:
            changes.append(Change("known finding no longer reproduces", *key, _verdict(b), _verdict(c), True))
        elif now > was:
            changes.append(Change("verdict worsened", *key, _verdict(b), _verdict(c), True))
        elif now < was:
            changes.append(Change("verdict improved", *key, _verdict(b), _verdict(c), False))
        elif c.get("finding") != b.get("finding"):
            changes.append(Change("finding changed", *key, _verdict(b), _verdict(c), True))
        if b.get("negative_control_caught") is True and c.get("negative_control_caught") is not True:
            changes.append(Change("negative control no longer caught", *key, "caught",
                                  "not caught" if c.get("negative_control_caught") is False else "not run", True))
    changes += _tightness_changes(baseline.get("tightness", []), current)
    reproduced_now = {f["id"] for f in current.get("findings", []) if f.get("reproduced")}
    for f in baseline.get("findings", []):
        if f.get("reproduced") and f["id"] not in reproduced_now:
            changes.append(Change("known finding no longer reproduces", f"finding {f['id']}", "-",
                                  "reproduced", "not reproduced", True))
    return sorted(changes, key=lambda c: not c.fails)


def _number(x) -> float | None:
    if x is None or isinstance(x, bool):
        return None
    try:
        return float(x)  # "Infinity" and "NaN" as the report writes them
    except (TypeError, ValueError):
        return None


def _span(t: dict) -> tuple[float, float] | None:
    """The ratio a tightness record reached, as an interval (a point where it is exact)."""
    iv = t.get("interval")
    if iv:
        lo, hi = _number(iv[0]), _number(iv[1])
        if lo is not None and hi is not None:
            return lo, hi
    x = _number(t.get("reached"))
    return None if x is None or x != x else (x, x)


def _capped(t: dict, x: float, supremum_key: str) -> float:
    """``x``, but no higher than a derived supremum: rounding may put an equality case a hair above it."""
    sup = _number(t.get(supremum_key)) if t.get("supremum_status") == "derived" else None
    return x if sup is None else min(x, sup)


def _reached_change(bound_id: str, was: dict, now: dict) -> Change | None:
    """The ratio a Bound's checks reached fell (a looser statement, or a weaker search), disappeared, or rose."""
    a = _span(was)
    if a is None:
        return None
    b = _span(now)
    shown_was = _show(was)
    if b is None:
        return Change("worst ratio disappeared", bound_id, "-", shown_was, "absent", True)
    if not was.get("interval") and not now.get("interval"):
        # The baseline keeps the supremum's value as "supremum_value"; a report's record has it as "supremum".
        x, y = _capped(was, a[0], "supremum_value"), _capped(now, b[0], "supremum")
        fell, rose = y < x - EXACT_RATIO_RTOL * abs(x), y > x + EXACT_RATIO_RTOL * abs(x)
    else:
        fell, rose = b[1] < a[0], b[0] > a[1]
    if fell:
        return Change("worst ratio fell", bound_id, str(now.get("family") or "-"), shown_was, _show(now), True)
    if rose:
        return Change("worst ratio rose", bound_id, str(now.get("family") or "-"), shown_was, _show(now), False)
    return None


def _show(t: dict) -> str:
    x = _number(t.get("reached"))
    text = "-" if x is None else f"{x:.10g}"
    iv = t.get("interval")
    if iv:
        text += f" [{_number(iv[0]):.6g}, {_number(iv[1]):.6g}]"
    return text


def _tightness_changes(baseline: list[dict], current: dict) -> list[Change]:
    """A tightness record that disappeared or weakened: the supremum unknown again, changed, or the target missed."""
    now = {b["id"]: b.get("tightness") for b in current.get("bounds", [])}
    if not now:
        return []  # a report without its registry section (a synthetic one): nothing to compare
    out = []
    for t in baseline:
        cur = now.get(t["id"])
        if not cur:
            out.append(Change("tightness record disappeared", t["id"], "-", t["supremum_status"], "absent", True))
            continue
        was_status, now_status = t["supremum_status"], cur.get("supremum_status")
        if SHARPNESS_RANK.get(now_status, 0) < SHARPNESS_RANK.get(was_status, 0):
            out.append(Change("supremum no longer derived", t["id"], "-", was_status, str(now_status), True))
        elif t.get("supremum") != cur.get("supremum_exact"):
            out.append(Change("supremum changed", t["id"], "-", str(t.get("supremum")),
                              str(cur.get("supremum_exact")), True))
        if t.get("meets_target") is True and cur.get("meets_target") is not True:
            out.append(Change("tightness below target", t["id"], "-", "meets target",
                              f"reached {cur.get('fraction_of_supremum')} of the supremum", True))
        moved = _reached_change(t["id"], t, cur)
        if moved is not None:
            out.append(moved)
    return out


def table(changes: list[Change]) -> str:
    rows = [("", "change", "bound", "family", "baseline", "now")]
    rows += [(FAILS if c.fails else OK, c.what, c.bound_id, c.family, c.was, c.now) for c in changes]
    widths = [min(max(len(r[i]) for r in rows), cap) for i, cap in enumerate((4, 34, 44, 32, 40, 40))]
    lines = []
    for n, r in enumerate(rows):
        lines.append("  ".join(str(cell)[:w].ljust(w) for cell, w in zip(r, widths)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def load_baseline(path: Path) -> dict:
    if not Path(path).exists():
        raise ComplianceError(f"baseline {path}: no such file; after a passing `python -m pytest verify`, "
                              f"create it with `{UPDATE_COMMAND}`")
    try:
        doc = load(path, "baseline")
    except ComplianceError as exc:
        raise ComplianceError(f"{exc}. Regenerate it from a passing run with `{UPDATE_COMMAND}` "
                              "(and review the diff)") from None
    return doc


def refuse_as_baseline(doc: dict) -> list[str]:
    """Why a report must not become the baseline (empty if it may)."""
    run = doc.get("run") or {}
    why = []
    if run.get("exit_status") != 0:
        why.append(f"the run that wrote it did not pass (pytest exit status {run.get('exit_status')!r})")
    if run.get("mutations"):
        why.append(f"it judged mutated statements ({run['mutations']}), not the paper's")
    if run.get("recorded_withheld"):
        why.append("it withheld the recorded counterexamples (a rediscovery measurement)")
    if run.get("profile") != BASELINE_PROFILE:
        why.append(f"it comes from the {run.get('profile')!r} profile; CI compares runs of the "
                   f"deterministic {BASELINE_PROFILE!r} profile")
    unrecorded = [f"{r['bound_id']} / {r['family']}" for r in doc["results"]
                  if r["verdict"] == "violated" and not r.get("finding")]
    if unrecorded:
        why.append(f"violations not recorded in verify/judge/known_findings.toml: {unrecorded}")
    uncaught = [f"{r['bound_id']} / {r['family']}" for r in doc["results"] if r.get("negative_control_caught") is False]
    if uncaught:
        why.append(f"negative controls not caught: {uncaught}")
    return why


def main(argv: list[str] | None = None, prog: str = "python -m verify.report.gate") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, default=REPORT,
                        help=f"the run's compliance.json. Default: {REPORT}")
    parser.add_argument("--baseline", type=Path, default=BASELINE,
                        help=f"the committed baseline. Default: {BASELINE.relative_to(ROOT)}")
    parser.add_argument("--update", action="store_true",
                        help="write the baseline from the report (on purpose: review the diff before committing)")
    parser.add_argument("--records", action="store_true",
                        help="print the records the gate compares (the baseline the report would give) and exit: "
                             "two runs that must agree give byte-identical output")
    args = parser.parse_args(argv)
    try:
        current = load(args.report, "report")
    except ComplianceError as exc:
        print(f"gate: {exc}; run `python -m pytest verify` first", file=sys.stderr)
        return 2
    if args.records:
        sys.stdout.write(dumps(baseline_of(current)))
        return 0

    if args.update:
        why = refuse_as_baseline(current)
        if why:
            print(f"gate: {args.report} cannot become the baseline: " + "; ".join(why), file=sys.stderr)
            return 2
        from .writer import ReportWriteError, write_atomically

        new = baseline_of(current)
        validate(new, "new baseline")
        try:
            args.baseline.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(args.baseline, dumps(new))
        except (OSError, ReportWriteError) as exc:
            print(f"gate: cannot write the baseline: {exc}", file=sys.stderr)
            return 2
        print(f"gate: baseline {args.baseline} now holds {len(new['results'])} (bound, family) verdicts "
              f"from {args.report}; review `git diff {args.baseline}` and commit it")
        return 0

    try:
        baseline = load_baseline(args.baseline)
    except ComplianceError as exc:
        print(f"gate: {exc}", file=sys.stderr)
        return 2
    changes = compare(baseline, current)
    failing = [c for c in changes if c.fails]
    if changes:
        print(table(changes))
    improved = sum(1 for c in changes if not c.fails)
    print(f"gate: {len(failing)} regressions, {improved} other differences; "
          f"{len(current['results'])} pairs checked against {len(baseline['results'])} in {args.baseline}")
    if failing:
        print(f"gate: FAILED. If a change is intended, accept it with `{UPDATE_COMMAND}` and commit the baseline",
              file=sys.stderr)
        return 1
    if improved:
        print(f"gate: passed; to lock the new pairs and improvements in, run `{UPDATE_COMMAND}`")
    else:
        print("gate: passed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
