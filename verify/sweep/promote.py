"""Pin a sweep's worst instance of a check, on purpose: ``python -m verify.sweep.promote DIR CHECK_ID``.

Reads DIR/sweep.json, takes the instance at which the sweep reached its worst ratio for the
check CHECK_ID (``bound@family``), and appends it to verify/judge/pinned_instances.toml, so that
the check judges it at every seed from then on.  Refused: a check the sweep did not run, a kind
of check that judges only its own draws (see verify.judge.pinned.PINNABLE_KINDS), and an
instance at which the statement was violated (that is a finding: verify/judge/known_findings.toml).
``--dry-run`` prints the entry without writing it.  The change is to a file under version
control: review it and commit it like any other change to the checks.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from verify.judge.evidence import Instance
from verify.judge.pinned import PINNABLE_KINDS, PINNED_PATH, pin

from .merge import SWEEP_JSON
from .store import SweepDir, SweepDirError


class PromoteError(ValueError):
    """The instance cannot be pinned; the message says why."""


def chosen(sweep_dir: Path, check_id: str) -> tuple[Instance, float, str]:
    """The sweep's worst instance of ``check_id``, its ratio and where it was found."""
    path = Path(sweep_dir) / SWEEP_JSON
    try:
        doc = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise PromoteError(f"DIR: {path} cannot be read ({exc}); run python -m verify.sweep.merge first") from None
    bound, _, family = check_id.partition("@")
    row = next((c for c in doc["checks"] if c["bound_id"] == bound and c["family"] == family), None)
    if row is None:
        raise PromoteError(f"CHECK_ID: the sweep in {sweep_dir} has no check {check_id!r} (give bound@family as "
                           "sweep.json lists them)")
    if row["kind"] not in PINNABLE_KINDS:
        raise PromoteError(f"CHECK_ID: {check_id} is a {row['kind']} check, which judges only its own draws; "
                           f"instances can be pinned to {', '.join(PINNABLE_KINDS)} checks")
    if row["worst_instance"] is None:
        raise PromoteError(f"CHECK_ID: the sweep recorded no worst instance of {check_id}")
    record = SweepDir(sweep_dir).records().get(row["worst_seed"], {})
    verdict = next((r["verdict"] for r in record.get("results", [])
                    if r["bound_id"] == bound and r["family"] == family), None)
    if verdict == "violated":
        raise PromoteError(f"CHECK_ID: {check_id} was violated at seed {row['worst_seed']}: a counterexample is a "
                           "finding; record it in verify/judge/known_findings.toml instead")
    inst = Instance.from_json(json.dumps(row["worst_instance"]))
    opts = doc["options"]
    source = (f"sweep of {len(doc['seeds']['recorded'])} seeds, profile {opts['profile']}, worst at seed "
              f"{row['worst_seed']}")
    return inst, float(row["worst_ratio"]), source


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m verify.sweep.promote", description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, metavar="DIR", help="the sweep's directory (with sweep.json)")
    parser.add_argument("check", metavar="CHECK_ID", help="the check, bound@family, as sweep.json names it")
    parser.add_argument("--dry-run", action="store_true", help="print the entry; write nothing")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        inst, ratio, source = chosen(args.out, args.check)
    except (PromoteError, SweepDirError) as exc:
        parser.error(str(exc))
    print(f"promote: {args.check}: ratio {ratio:.6g}, {source}\n  {inst.to_json()}")
    if args.dry_run:
        return 0
    if pin(inst, ratio, source):
        print(f"promote: pinned in {PINNED_PATH}; review and commit it")
    else:
        print(f"promote: already pinned in {PINNED_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
