"""The known-findings file: confirmed counterexamples to the paper, recorded as data.

``verify/judge/known_findings.toml`` lists each finding with the check that produces it,
the statement it concerns, a replayable counterexample and the step of the paper's
argument that fails.  The checks consult it: a recorded finding that reproduces is
reported as a finding; one that stops reproducing fails the run; a violation that
is not recorded fails the run.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from verify.judge.evidence import Instance

FINDINGS_PATH = Path(__file__).with_name("known_findings.toml")
SCHEMA = 1
# What a finding says of the paper (the file's header explains each); "loose" findings are made
# from the registry's sharpness records by the report, not recorded here.
KINDS = ("false", "gap", "inconsistency", "typo")
# The relations a typo finding's identity may hold as.
HOLDS_AS = ("<=", ">=")


class FindingsFileError(ValueError):
    """The findings file is missing, malformed, or of another schema."""

@dataclass(frozen=True)
class Finding:
    id: str
    kind: str
    check: str
    where: str
    summary: str
    counterexample: str
    failing_step: str
    precondition: str = ""
    bound: str = ""
    # The family kinds on which the counterexample is known to reproduce (pointwise checks).
    families: tuple[str, ...] = ()
    # A replayable Instance (JSON, see verify/judge/evidence.py) that exhibits the finding; in the
    # file, ``instance`` may also be a list of them, one per family kind it is recorded on.
    instance: str = ""
    instances: tuple[str, ...] = ()
    # The id of the registry's corrected statement (a Bound whose ``corrects`` is ``bound``): the
    # erratum's entry for a finding of kind false or gap.
    correction: str = ""
    # A typo in a relation: the relation ("<=" or ">=") the printed identity holds as.  The check judges
    # the same instances against the Bound with it, and that reading must hold.
    holds_as: str = ""


# The parsed file, keyed by its path and its text: the checks consult the findings once per
# instance they judge (thousands of times in a run), and parsing the TOML each time was a fifth
# of ``pytest verify``'s run time.  The text is read at every call and is part of the key, so an
# edited file (a test's tmp_path copy, a finding recorded mid-session) is parsed again, never served stale.
_PARSED: dict[Path, tuple[str, tuple[Finding, ...]]] = {}


def load(path: Path = FINDINGS_PATH) -> list[Finding]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FindingsFileError(f"no findings file at {path}") from None
    key = Path(path).resolve()
    cached = _PARSED.get(key)
    if cached is not None and cached[0] == text:
        return list(cached[1])  # Findings are frozen; the list is the caller's own
    out = _parse(text, path)
    _PARSED[key] = (text, tuple(out))
    return out


def _parse(text: str, path: Path) -> list[Finding]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FindingsFileError(f"{path} is not valid TOML: {exc}") from None
    if data.get("schema") != SCHEMA:
        raise FindingsFileError(f"{path}: schema {data.get('schema')!r}, expected {SCHEMA}")
    out, seen = [], set()
    for i, row in enumerate(data.get("finding", [])):
        missing = [k for k in ("id", "kind", "check", "where", "summary", "counterexample", "failing_step")
                   if not row.get(k)]
        if missing:
            raise FindingsFileError(f"{path}: finding #{i + 1} lacks {missing}")
        if row["id"] in seen:
            raise FindingsFileError(f"{path}: finding id {row['id']!r} appears twice")
        seen.add(row["id"])
        if row["kind"] not in KINDS:
            raise FindingsFileError(f"{path}: finding {row['id']!r}: kind {row['kind']!r} is not one of {KINDS}")
        if row.get("holds_as") and (row["holds_as"] not in HOLDS_AS or row["kind"] != "typo"):
            raise FindingsFileError(f"{path}: finding {row['id']!r}: holds_as {row['holds_as']!r} needs kind 'typo' "
                                    f"and one of {HOLDS_AS}")
        unknown = set(row) - set(Finding.__dataclass_fields__)
        if unknown:
            raise FindingsFileError(f"{path}: finding {row['id']!r} has unknown keys {sorted(unknown)}")
        row = {k: v.strip() if isinstance(v, str) else v for k, v in row.items()}
        if "families" in row:
            row["families"] = tuple(row["families"])
        if "instances" in row:
            raise FindingsFileError(f"{path}: finding {row['id']!r}: give its instances as the list 'instance'")
        given = row.get("instance", "")
        given = [given] if isinstance(given, str) else list(given)
        row["instances"] = tuple(i.strip() for i in given if i.strip())
        row["instance"] = row["instances"][0] if row["instances"] else ""
        out.append(Finding(**row))
    return out


# Set by ``pytest --verify-withhold-recorded``: the checks then judge only what their own
# search draws, so a run measures whether the unaided search rediscovers each finding
# (``python -m verify.rediscovery``).  Such a run is a measurement: it is never a baseline.
_WITHHELD = False


def set_withheld(withheld: bool) -> None:
    """Withhold (True) or judge (False) the recorded counterexamples in the checks of this process."""
    global _WITHHELD
    _WITHHELD = bool(withheld)


def withheld() -> bool:
    return _WITHHELD


def recorded_instances(check_id: str, check: str | None = None, path: Path = FINDINGS_PATH) -> list:
    """The recorded counterexamples of the check ``check_id`` (``bound@family``), as Instances.

    A check judges them beside its fresh instances at every run seed: the fresh ones are
    drawn from the seed, so a seed may miss the corner a finding was found in, and a recorded
    finding must reproduce at every seed.  None while they are withheld (``set_withheld``).
    """

    if _WITHHELD:
        return []
    out = []
    for f in load(path):
        if check is not None and f.check != check:
            continue
        for text in f.instances:
            inst = Instance.from_json(text)
            if inst.check == check_id:
                out.append(inst)
    return out


def for_check(check: str, path: Path = FINDINGS_PATH) -> list[Finding]:
    return [f for f in load(path) if f.check == check]
