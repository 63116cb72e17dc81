"""Pinned instances: the worst instances a seed sweep found, made on purpose into instances their check judges at every seed.

A sweep (``python -m verify.sweep``) may reach a higher ratio lhs/rhs at some seed than the
default run does at seed 0.  ``python -m verify.sweep.promote DIR CHECK_ID`` copies that
instance into ``verify/judge/pinned_instances.toml``; from then on the check judges it beside
the instances it draws, like a recorded finding's counterexample, so every run's worst ratio is
at least that high.  Only instances at which the statement held are pinned here: a
counterexample is a finding, and goes to known_findings.toml.

The file is data, one ``[[pinned]]`` table per instance:

    check     the check's id, ``bound@family``
    instance  the Instance, as JSON (what the report's replay command takes)
    ratio     the ratio lhs/rhs it reached when it was found
    source    where it was found (the sweep, its profile and the seed)
"""
from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from verify.judge.evidence import Instance

PINNED_PATH = Path(__file__).with_name("pinned_instances.toml")
# The check kinds that judge extra Instances beside their draws (as they judge recorded counterexamples).
PINNABLE_KINDS = ("pointwise", "bias", "moments")


class PinnedFileError(ValueError):
    """The pinned-instances file is malformed; the message names the entry."""


@dataclass(frozen=True)
class Pinned:
    check: str
    instance: Instance
    ratio: float
    source: str


_PARSED: dict[Path, tuple[str, tuple[Pinned, ...]]] = {}


def load(path: Path | None = None) -> tuple[Pinned, ...]:
    path = PINNED_PATH if path is None else path
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return ()
    cached = _PARSED.get(Path(path))
    if cached is not None and cached[0] == text:
        return cached[1]
    try:
        rows = tomllib.loads(text).get("pinned", [])
    except tomllib.TOMLDecodeError as exc:
        raise PinnedFileError(f"{path}: {exc}") from None
    out = []
    for i, row in enumerate(rows, 1):
        try:
            inst = Instance.from_json(row["instance"])
            pinned = Pinned(str(row["check"]), inst, float(row["ratio"]), str(row.get("source", "")))
        except (KeyError, TypeError, ValueError, json.JSONDecodeError) as exc:
            raise PinnedFileError(f"{path}: pinned entry {i}: {exc!r}; each needs check, instance (JSON) and ratio") \
                from None
        if inst.check != pinned.check:
            raise PinnedFileError(f"{path}: pinned entry {i}: its instance is of {inst.check!r}, not {pinned.check!r}")
        out.append(pinned)
    _PARSED[Path(path)] = (text, tuple(out))
    return tuple(out)


def pinned_instances(check_id: str, path: Path | None = None) -> list[Instance]:
    """The instances pinned to the check ``check_id`` (``bound@family``), in the file's order."""
    return [p.instance for p in load(path) if p.check == check_id]


def pin(instance: Instance, ratio: float, source: str, path: Path | None = None) -> bool:
    """Append ``instance`` to the file (its comments kept); False if it is pinned already."""
    path = PINNED_PATH if path is None else path
    if any(p.instance == instance for p in load(path)):
        return False
    entry = (f"\n[[pinned]]\ncheck = {json.dumps(instance.check)}\ninstance = {json.dumps(instance.to_json())}\n"
             f"ratio = {ratio!r}\nsource = {json.dumps(source)}\n")
    text = Path(path).read_text(encoding="utf-8") if Path(path).exists() else ""
    Path(path).write_text(text + entry, encoding="utf-8")
    load(path)  # the file still parses, or the error names the entry
    return True
