"""Splitting one run into shards by test id, longest tests first, so that the shards end together.

The node ids come from pytest's own collection with the run's options (profile, -k), so a
shard runs exactly the tests a serial run would, and the union of the shards is the run.
Tests are dealt to shards longest-first, each to the shard with the least expected time
(Graham's LPT rule, within 4/3 of the best split), from the durations of
``verify/sweep/durations.json`` (measured per profile; a test it does not know counts as
the median of those it knows).
"""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

DURATIONS = Path(__file__).with_name("durations.json")


class CollectionError(RuntimeError):
    """pytest could not collect the run that is to be split; the message has its output."""


def collect(root: Path, paths: tuple[str, ...], profile: str, select: str | None) -> list[str]:
    """The node ids ``pytest PATHS --verify-profile PROFILE -k SELECT`` would run, in pytest's order."""
    args = [sys.executable, "-m", "pytest", *paths, "--collect-only", "-q", "-p", "no:cacheprovider",
            "--verify-profile", profile]
    if select:
        args += ["-k", select]
    proc = subprocess.run(args, cwd=root, capture_output=True, text=True)
    nodes = [line.strip() for line in proc.stdout.splitlines() if "::" in line and not line.startswith(" ")]
    if proc.returncode not in (0, 5) or (proc.returncode == 0 and not nodes):
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise CollectionError(f"pytest could not collect {' '.join(paths)} (exit {proc.returncode}):\n{tail}")
    return nodes


def expected_durations(profile: str, path: Path = DURATIONS) -> dict[str, float]:
    try:
        return {k: float(v) for k, v in json.loads(path.read_text()).get(profile, {}).items()}
    except (OSError, json.JSONDecodeError):
        return {}


def split(nodes: list[str], shards: int, durations: dict[str, float]) -> list[tuple[str, ...]]:
    """``nodes`` in ``shards`` groups of about equal expected time (LPT); no group is empty."""
    if shards < 1:
        raise ValueError(f"shards: {shards}; need at least 1")
    shards = min(shards, len(nodes))
    known = [durations[n] for n in nodes if n in durations]
    default = statistics.median(known) if known else 1.0
    order = sorted(range(len(nodes)), key=lambda i: (-durations.get(nodes[i], default), i))
    loads = [0.0] * shards
    groups: list[list[int]] = [[] for _ in range(shards)]
    for i in order:
        k = min(range(shards), key=lambda j: (loads[j], j))
        loads[k] += durations.get(nodes[i], default)
        groups[k].append(i)
    # Each shard runs its tests in pytest's own order (a module's tests together).
    return [tuple(nodes[i] for i in sorted(g)) for g in groups]


def durations_from_junit(path: Path) -> dict[str, float]:
    """Per-test seconds from a report's junit.xml (its "pytest" suite), keyed by node id."""
    from xml.etree import ElementTree

    out = {}
    for suite in ElementTree.parse(path).getroot().iter("testsuite"):
        if suite.get("name") != "pytest":
            continue
        for case in suite.iter("testcase"):
            module, name = case.get("classname", ""), case.get("name", "")
            out[f"{module.replace('.', '/')}.py::{name}"] = round(float(case.get("time", 0.0)), 2)
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m verify.sweep.plan --record JUNIT_XML --profile P``: refresh durations.json from a run."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m verify.sweep.plan",
                                     description="record a run's test durations for splitting later runs of its profile")
    parser.add_argument("--record", type=Path, required=True, metavar="JUNIT_XML",
                        help="the junit.xml of a whole run of the profile (e.g. a split run's merged report)")
    parser.add_argument("--profile", choices=("ci", "nightly"), required=True, help="the run's profile")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        measured = durations_from_junit(args.record)
    except (OSError, ValueError) as exc:
        parser.error(f"--record: {args.record} is not a readable junit.xml ({exc})")
    if not measured:
        parser.error(f"--record: {args.record} has no pytest test durations")
    try:
        table = json.loads(DURATIONS.read_text())
    except (OSError, json.JSONDecodeError):
        table = {}
    table[args.profile] = dict(sorted(measured.items()))
    DURATIONS.write_text(json.dumps(table, indent=0, sort_keys=True) + "\n")
    print(f"plan: {len(measured)} durations of profile {args.profile} ({sum(measured.values()):.0f} s in all) "
          f"written to {DURATIONS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
