"""Evidence: what one check found about one Bound on one family, and the Ledger that collects it.

A check never prints; it hands an ``Evidence`` record to the session's ``Ledger``
(verify/plugin.py puts one on the pytest config).  The ledger merges records of the
same (bound, family) pair, keeping the worst instance, and renders the terminal
table that closes ``pytest verify``.  Checks may also hand it figures for the
report (``Ledger.add_figure``) and run-wide facts such as the error budget
(``Ledger.note_run``).

Under pytest-xdist each worker has its own ledger; the plugin ships the records
as plain dicts (``Evidence.to_dict`` / ``Evidence.from_dict``) to the controller.
The merge is done in a canonical order, never in arrival order, so a parallel run
yields the same merged records as a serial one.
"""
from __future__ import annotations

import enum
import json
import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from bounds import BOUNDS

from verify.judge.mutations import effective
from verify.judge.svg import to_svg


class Verdict(str, enum.Enum):
    HOLDS = "holds"
    VIOLATED = "violated"
    INCONCLUSIVE = "inconclusive"
    PRECONDITION_FAILED = "precondition_failed"


# How verdicts combine when one (bound, family) pair is checked by several tests:
# a violation anywhere is a violation; holding needs at least one admitted instance.
_SEVERITY = {Verdict.PRECONDITION_FAILED: 0, Verdict.HOLDS: 1, Verdict.INCONCLUSIVE: 2, Verdict.VIOLATED: 3}


@dataclass(frozen=True)
class CheckKey:
    """What a check is about: a registry Bound on a kind of task family (id ``bound@family``)."""

    bound_id: str
    family: str

    @property
    def id(self) -> str:
        return f"{self.bound_id}@{self.family}"

    @property
    def bound(self):
        """The registry's Bound (scaled while a mutation of it is active: see verify/judge/mutations.py)."""
        return effective(BOUNDS[self.bound_id])


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
    # For a statistical verdict, the confidence interval [lower, upper] of the worst ratio (lhs
    # bounds over rhs; for >= rhs over the lhs bounds); None where the ratio is exact.  The
    # tightness reported is its lower end: what the check has shown the ratio reaches.
    ratio_interval: list[float] | None = None
    # False for evidence measured in wall-clock time on a shared machine: reported, but not
    # held by the CI gate, whose verdicts must not flap (benchmarks/speed_gate.py gates speed
    # with ratios measured in one run instead).
    gated: bool = True

    @property
    def key(self) -> tuple[str, str]:
        return (self.bound_id, self.family)

    @property
    def reached_ratio(self) -> float | None:
        """The ratio the check has shown to be reached: the worst ratio, or its lower confidence bound."""
        if self.ratio_interval is not None:
            return self.ratio_interval[0]
        return self.worst_ratio

    def to_dict(self) -> dict:
        out = asdict(self)
        out["verdict"] = self.verdict.value
        out["worst_instance"] = None if self.worst_instance is None else asdict(self.worst_instance)
        out["replay"] = None if self.worst_instance is None else self.worst_instance.replay_command()
        return out

    @classmethod
    def from_dict(cls, data: dict) -> "Evidence":
        """The inverse of ``to_dict``; derived keys (``replay``) and keys of no field are dropped."""
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in known}
        kwargs["verdict"] = Verdict(kwargs["verdict"])
        inst = kwargs.get("worst_instance")
        if isinstance(inst, dict):
            kwargs["worst_instance"] = Instance(inst["check"], int(inst["seed"]), dict(inst["params"]))
        return cls(**kwargs)


# At most this many ratios per (bound, family) are kept for the report's histogram.
RATIO_SAMPLE = 400


@dataclass
class Figure:
    """A figure for the report: inline SVG text under a section heading.

    ``bound_id`` (optional) also shows it in that result's row of the report.
    """

    section: str
    title: str
    svg: str
    caption: str = ""
    bound_id: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Figure":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


class Ledger:
    """The session's one collector of Evidence, figures and run-wide facts."""

    def __init__(self) -> None:
        # Every record as it was handed in; the merged view is folded from these on demand.
        self._parts: dict[tuple[str, str], list[Evidence]] = {}
        self._merged: dict[tuple[str, str], Evidence] | None = None
        self.figures: list[Figure] = []
        self.run_facts: dict[str, Any] = {}

    def record(self, ev: Evidence) -> None:
        self._parts.setdefault(ev.key, []).append(ev)
        self._merged = None

    def add_figure(self, section: str, title: str, figure, *, caption: str = "",
                   bound_id: str | None = None) -> Figure:
        """Add a figure to the report: SVG text, or a matplotlib Figure (converted to SVG now).

        Converting at once keeps the ledger plain data, so it crosses from an xdist
        worker to the controller like the Evidence does.
        """
        if isinstance(figure, str):
            svg = figure
        else:
            svg = to_svg(figure)
        if "<svg" not in svg:
            raise ValueError(f"figure {title!r}: not SVG text nor a matplotlib Figure")
        fig = Figure(section, title, svg, caption, bound_id)
        self.figures.append(fig)
        return fig

    def note_run(self, **facts: Any) -> None:
        """Record facts about the whole run for the report's metadata (e.g. ``error_budget=1e-3``)."""
        self.run_facts.update(facts)

    def parts(self) -> list[Evidence]:
        """Every record as handed in, unmerged (what an xdist worker ships to the controller)."""
        return [ev for key in sorted(self._parts) for ev in self._parts[key]]

    def _view(self) -> dict[tuple[str, str], Evidence]:
        if self._merged is None:
            merged = {}
            for key, parts in self._parts.items():
                # Canonical order: the merge keeps the first of equally bad records and a
                # prefix of the pooled ratios, so arrival order (which differs between a
                # serial and an xdist run) must not decide it.
                ordered = sorted(parts, key=_canonical)
                out = ordered[0]
                for ev in ordered[1:]:
                    out = _merge(out, ev)
                merged[key] = out
            self._merged = merged
        return self._merged

    def get(self, bound_id: str, family: str) -> Evidence | None:
        return self._view().get((bound_id, family))

    def __iter__(self):
        return iter(sorted(self._view().values(), key=lambda e: e.key))

    def __len__(self) -> int:
        return len(self._parts)

    def table(self, conditional: frozenset[str] | set[str] = frozenset()) -> str:
        """The terminal's table; a family in ``conditional`` has estimated constants, and its verdicts say so."""
        rows = [("bound", "reference", "family", "instances", "worst ratio", "verdict")]
        for ev in self:
            ratio = "-" if ev.worst_ratio is None else f"{ev.worst_ratio:.4g}"
            verdict = ev.verdict.value + (f" (finding {ev.finding})" if ev.finding else "")
            if ev.family in conditional:
                verdict += " (conditional on estimated constants)"
            rows.append((ev.bound_id, ev.reference, ev.family, f"{ev.admitted}/{ev.instances}", ratio, verdict))
        widths = [min(max(len(r[i]) for r in rows), cap) for i, cap in enumerate((44, 36, 30, 10, 11, 60))]
        lines = []
        for n, r in enumerate(rows):
            lines.append("  ".join(c[:w].ljust(w) for c, w in zip(r, widths)).rstrip())
            if n == 0:
                lines.append("  ".join("-" * w for w in widths))
        return "\n".join(lines)


def plain(value):
    """``value`` with numpy scalars and arrays turned into Python numbers and lists (for JSON)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return plain(value.tolist())
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bool) or value is None or isinstance(value, (int, float, str)):
        return value
    return str(value)


def _canonical(ev: Evidence) -> str:
    return json.dumps(plain(ev.to_dict()), sort_keys=True)


def _merge(a: Evidence, b: Evidence) -> Evidence:
    worse = b if _SEVERITY[b.verdict] > _SEVERITY[a.verdict] else a
    out = Evidence(**{**asdict(worse), "verdict": worse.verdict, "worst_instance": worse.worst_instance})
    out.instances = a.instances + b.instances
    out.admitted = a.admitted + b.admitted
    ratios = [(e.worst_ratio, e) for e in (a, b) if e.worst_ratio is not None and not math.isnan(e.worst_ratio)]
    if ratios:
        _, top = max(ratios, key=lambda t: t[0])
        out.worst_ratio, out.worst_lhs, out.worst_rhs = top.worst_ratio, top.worst_lhs, top.worst_rhs
        out.worst_instance, out.ratio_interval = top.worst_instance, top.ratio_interval
    out.ratios = (a.ratios + b.ratios)[:RATIO_SAMPLE]
    caught = [e.negative_control_caught for e in (a, b) if e.negative_control_caught is not None]
    out.negative_control_caught = all(caught) if caught else None
    out.negative_control = a.negative_control or b.negative_control
    out.finding = a.finding or b.finding
    out.note = "; ".join(n for n in (a.note, b.note) if n)
    return out
