"""Evidence: what one check found about one Bound on one family, and the Ledger that collects it.

A check never prints; it hands an ``Evidence`` record to the session's ``Ledger``
(verify/plugin.py puts one on the pytest config).  The ledger merges records of the
same (bound, family) pair, keeping the worst instance, and renders the terminal
table that closes ``pytest verify``.
"""
from __future__ import annotations

import enum
import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any


class Verdict(str, enum.Enum):
    HOLDS = "holds"
    VIOLATED = "violated"
    INCONCLUSIVE = "inconclusive"
    PRECONDITION_FAILED = "precondition_failed"


# How verdicts combine when one (bound, family) pair is checked by several tests:
# a violation anywhere is a violation; holding needs at least one admitted instance.
_SEVERITY = {Verdict.PRECONDITION_FAILED: 0, Verdict.HOLDS: 1, Verdict.INCONCLUSIVE: 2, Verdict.VIOLATED: 3}


@dataclass
class Instance:
    """A replayable instance: the check that made it, the numpy seed and the drawn parameters."""

    check: str
    seed: int
    params: dict[str, Any]

    def to_json(self) -> str:
        return json.dumps({"check": self.check, "seed": self.seed, "params": self.params}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Instance":
        data = json.loads(text)
        return cls(data["check"], int(data["seed"]), dict(data["params"]))

    def replay_command(self) -> str:
        return f"python -m verify.replay '{self.to_json()}'"


@dataclass
class Evidence:
    bound_id: str
    reference: str
    kind: str
    family: str
    verdict: Verdict
    instances: int = 0
    admitted: int = 0
    worst_ratio: float | None = None
    worst_lhs: float | None = None
    worst_rhs: float | None = None
    worst_instance: Instance | None = None
    seed: int | None = None
    negative_control: str = ""
    negative_control_caught: bool | None = None
    finding: str | None = None
    ratios: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.bound_id, self.family)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["verdict"] = self.verdict.value
        out["worst_instance"] = None if self.worst_instance is None else asdict(self.worst_instance)
        out["replay"] = None if self.worst_instance is None else self.worst_instance.replay_command()
        return out


# At most this many ratios per (bound, family) are kept for the report's histogram.
RATIO_SAMPLE = 400


class Ledger:
    """The session's one collector of Evidence."""

    def __init__(self) -> None:
        self._records: dict[tuple[str, str], Evidence] = {}

    def record(self, ev: Evidence) -> None:
        old = self._records.get(ev.key)
        self._records[ev.key] = ev if old is None else _merge(old, ev)

    def __iter__(self):
        return iter(sorted(self._records.values(), key=lambda e: e.key))

    def __len__(self) -> int:
        return len(self._records)

    def table(self) -> str:
        rows = [("bound", "reference", "family", "instances", "worst ratio", "verdict")]
        for ev in self:
            ratio = "-" if ev.worst_ratio is None else f"{ev.worst_ratio:.4g}"
            verdict = ev.verdict.value + (f" (finding {ev.finding})" if ev.finding else "")
            rows.append((ev.bound_id, ev.reference, ev.family, f"{ev.admitted}/{ev.instances}", ratio, verdict))
        widths = [min(max(len(r[i]) for r in rows), cap) for i, cap in enumerate((44, 36, 30, 10, 11, 60))]
        lines = []
        for n, r in enumerate(rows):
            lines.append("  ".join(c[:w].ljust(w) for c, w in zip(r, widths)).rstrip())
            if n == 0:
                lines.append("  ".join("-" * w for w in widths))
        return "\n".join(lines)


def _merge(a: Evidence, b: Evidence) -> Evidence:
    worse = b if _SEVERITY[b.verdict] > _SEVERITY[a.verdict] else a
    out = Evidence(**{**asdict(worse), "verdict": worse.verdict, "worst_instance": worse.worst_instance})
    out.instances = a.instances + b.instances
    out.admitted = a.admitted + b.admitted
    ratios = [(e.worst_ratio, e) for e in (a, b) if e.worst_ratio is not None and not math.isnan(e.worst_ratio)]
    if ratios:
        _, top = max(ratios, key=lambda t: t[0])
        out.worst_ratio, out.worst_lhs, out.worst_rhs = top.worst_ratio, top.worst_lhs, top.worst_rhs
        out.worst_instance = top.worst_instance
    out.ratios = (a.ratios + b.ratios)[:RATIO_SAMPLE]
    caught = [e.negative_control_caught for e in (a, b) if e.negative_control_caught is not None]
    out.negative_control_caught = all(caught) if caught else None
    out.negative_control = a.negative_control or b.negative_control
    out.finding = a.finding or b.finding
    out.note = "; ".join(n for n in (a.note, b.note) if n)
    return out
