"""Two reports compared record by record, every float bit for bit: has a change left the checks' results as they were?

    python -m verify.report.compare A/compliance.json B/compliance.json

The gate (``verify.report.gate``) asks whether a run is as good as the baseline; this asks
whether two runs are the same.  It is how a change meant to be invisible (a faster core, a
cache, a parallel run) is shown to be: records are matched by key (results by (bound,
family), bounds and findings by id, figures by section and title) and every other value
must be equal, floats bit for bit (NaN equals NaN, -0.0 does not equal 0.0).

Left out, because they describe the machine and not the paper: the run's start time,
duration, commit, packages, platform and workers, and in Table 1's cost records the
wall-clock measurements (their ratios, instances, intervals and note; their verdict and
negative control are still compared), the traced memory in the oracle-floats note, and the
wall-clock figure.  Prints every difference; exit 0 when none, 1 when some, 2 when a file
cannot be read.
"""
from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

from .compliance import ComplianceError, load

MACHINE_RUN_FIELDS = frozenset({"started_at", "duration_s", "commit", "commit_dirty", "packages", "python",
                                "platform", "workers"})
# Table 1's cost evidence (verify/checks/test_table_1_cost.py): seconds measured on this machine,
# with as many round-robin repetitions as its noise asked for, and memory traced in this process.
WALL_CLOCK_FAMILY = "(wall clock)"
WALL_CLOCK_FIELDS = frozenset({"note", "worst_lhs", "worst_ratio", "worst_rhs", "instances", "admitted", "ratios",
                               "confidence_bound", "ratio_interval"})
ORACLE_FLOATS_FAMILY = "(oracle floats)"
_TRACED_MEMORY = re.compile(r"peak traced memory of one iteration: .*$")
WALL_CLOCK_FIGURE_SECTIONS = frozenset({"Table 1: cost per iteration"})

KEYS = {
    "results": lambda r: (r.get("bound_id"), r.get("family")),
    "bounds": lambda r: r.get("id"),
    "findings": lambda r: r.get("id"),
    "figures": lambda r: (r.get("section"), r.get("title")),
}


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    return type(a) is type(b) and a == b


def _diff(a, b, path: str, out: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(f"{path}.{k}: only in {'the second' if k not in a else 'the first'}")
            else:
                _diff(a[k], b[k], f"{path}.{k}", out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} entries against {len(b)}")
        for i, (x, y) in enumerate(zip(a, b)):
            _diff(x, y, f"{path}[{i}]", out)
    elif not _same(a, b):
        out.append(f"{path}: {json.dumps(a)[:160]} against {json.dumps(b)[:160]}")


def _of_the_paper(section: str, record: dict) -> dict:
    """The record without what measures this machine (see the module's docstring)."""
    family = str(record.get("family", ""))
    if section == "results" and family.endswith(WALL_CLOCK_FAMILY):
        return {k: v for k, v in record.items() if k not in WALL_CLOCK_FIELDS}
    if section == "results" and family.endswith(ORACLE_FLOATS_FAMILY) and isinstance(record.get("note"), str):
        return {**record, "note": _TRACED_MEMORY.sub("peak traced memory: (measured)", record["note"])}
    if section == "figures" and record.get("section") in WALL_CLOCK_FIGURE_SECTIONS:
        return {k: v for k, v in record.items() if k not in ("svg", "caption")}
    return record


def differences(first: dict, second: dict) -> list[str]:
    """Every difference between two compliance documents, apart from what measures the machine."""
    out: list[str] = []
    for section in sorted(set(first) | set(second)):
        if section not in first or section not in second:
            out.append(f"{section}: only in {'the second' if section not in first else 'the first'}")
        elif section == "run":
            _diff({k: v for k, v in first["run"].items() if k not in MACHINE_RUN_FIELDS},
                  {k: v for k, v in second["run"].items() if k not in MACHINE_RUN_FIELDS}, "run", out)
        elif section in KEYS:
            key = KEYS[section]
            a = {key(r): _of_the_paper(section, r) for r in first[section]}
            b = {key(r): _of_the_paper(section, r) for r in second[section]}
            if len(a) != len(first[section]) or len(b) != len(second[section]):
                out.append(f"{section}: two records share a key")
            for k in sorted(set(a) | set(b), key=repr):
                if k not in a or k not in b:
                    out.append(f"{section} {k}: only in {'the second' if k not in a else 'the first'}")
                else:
                    _diff(a[k], b[k], f"{section} {k}", out)
            if [key(r) for r in first[section]] != [key(r) for r in second[section]] and set(a) == set(b):
                out.append(f"{section}: the same records in another order")
        else:
            _diff(first[section], second[section], section, out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m verify.report.compare", description=__doc__.splitlines()[0])
    parser.add_argument("first", type=Path, help="a compliance.json")
    parser.add_argument("second", type=Path, help="the compliance.json to compare it with")
    args = parser.parse_args(argv)
    try:
        first, second = load(args.first, "first report"), load(args.second, "second report")
    except ComplianceError as exc:
        print(f"compare: {exc}", file=sys.stderr)
        return 2
    found = differences(first, second)
    for line in found:
        print(f"compare: {line}")
    counts = ", ".join(f"{len(first.get(s, []))} {s}" for s in KEYS)
    print(f"compare: {'identical' if not found else f'{len(found)} difference(s)'} ({counts}; the machine's "
          f"own measurements left out)")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
