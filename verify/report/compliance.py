"""compliance.json: the versioned, machine-readable record of one `pytest verify` run.

The document is built from the session's Ledger, the registry (every Bound, also
those no check has reached yet) and verify/judge/known_findings.toml.  Everything the
HTML page and the CI gate show is read from it, so a page can be re-rendered from
the JSON alone and the gate never needs the ledger.

Numbers that JSON cannot carry (inf, nan, e.g. a ratio whose right-hand side is 0)
are written as the strings "Infinity", "-Infinity", "NaN", so the file stays
strict JSON that any parser (a browser's too) accepts.
"""
from __future__ import annotations

import dataclasses
import json
import math
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable, Mapping

from verify.judge.evidence import Evidence, Figure, Verdict, plain

SCHEMA = "maml-verify/compliance"
# Bump when a field is renamed, removed or changes meaning; the gate refuses other versions.
SCHEMA_VERSION = 1

NOT_CHECKED = "not_checked_yet"
# Worst first: how a Bound's verdict is drawn from its families' verdicts, and the
# order of the summary.  precondition_failed is below holds: it says nothing.
VERDICT_ORDER = (Verdict.VIOLATED.value, Verdict.INCONCLUSIVE.value, Verdict.HOLDS.value,
                 Verdict.PRECONDITION_FAILED.value)
SUMMARY_ORDER = VERDICT_ORDER + (NOT_CHECKED,)

# The distributions whose versions decide what a run computes or how it is drawn.
PACKAGES = ("maml-convergence-verify", "numpy", "scipy", "sympy", "mpmath", "hypothesis", "pytest",
            "pytest-xdist", "jinja2", "matplotlib")

RESULT_KEYS = ("bound_id", "reference", "kind", "family", "verdict", "instances", "admitted", "worst_ratio",
               "worst_lhs", "worst_rhs", "worst_instance", "replay", "seed", "confidence_bound",
               "ratio_interval", "tightness", "negative_control", "negative_control_caught", "finding", "note",
               "ratios")
RUN_KEYS = ("profile", "seed", "started_at", "duration_s", "commit", "commit_dirty", "packages", "python",
            "platform", "workers", "error_budget", "exit_status", "tests")
TOP_KEYS = ("schema", "schema_version", "run", "summary", "bounds", "results", "findings", "figures")


class ComplianceError(ValueError):
    """A compliance document (report or baseline) that cannot be read: corrupt, incomplete, or another schema."""


# ---------------------------------------------------------------- building
def build(records: Iterable[Evidence], run: Mapping[str, Any], *, figures: Iterable[Figure] = (),
          bounds: Mapping | None = None, findings: list | None = None, cache_dir: Path | None = None) -> dict:
    """The compliance document of a run: ``records`` are the ledger's merged Evidence.

    ``cache_dir``: where the registry's rendered statements are kept between runs (they depend on
    bounds/ and sympy alone); used only for the registry itself, not for a ``bounds`` given here.
    """
    renderings = None
    if bounds is None:
        from bounds import BOUNDS as bounds

        renderings = _registry_renderings(bounds, cache_dir)
    if findings is None:
        from verify.judge.findings import load

        findings = load()
    results = [_result(ev, bounds.get(ev.bound_id)) for ev in sorted(records, key=lambda e: e.key)]
    by_bound: dict[str, list[dict]] = {}
    for r in results:
        by_bound.setdefault(r["bound_id"], []).append(r)

    bound_rows = [_bound(b, by_bound.get(b.id, []), renderings[b.id] if renderings else None) for b in bounds.values()]
    unknown = sorted(set(by_bound) - set(bounds))
    for bound_id in unknown:  # evidence about an id the registry lacks: still reported, never dropped
        first = by_bound[bound_id][0]
        bound_rows.append({"id": bound_id, "reference": first["reference"], "kind": first["kind"],
                           "relation": "", "statement": "(not in the registry)", "latex": "", "mathml": "",
                           "preconditions": [], "reading": "", "lhs_words": "", "algorithm": None,
                           "families": [r["family"] for r in by_bound[bound_id]],
                           "verdict": _worst(r["verdict"] for r in by_bound[bound_id]),
                           "findings": sorted({r["finding"] for r in by_bound[bound_id] if r["finding"]}),
                           "result": "", "part": "", "corrects": ""})

    finding_rows = []
    for f in findings:
        row = plain(dataclasses.asdict(f))
        carriers = [{"bound_id": r["bound_id"], "family": r["family"]} for r in results if r["finding"] == f.id]
        row["results"] = carriers
        row["reproduced"] = bool(carriers)
        finding_rows.append(row)
    finding_rows += _loose_findings(bound_rows)

    doc = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "run": {**{k: None for k in RUN_KEYS}, **dict(run)},
        "summary": {
            "results": _count(r["verdict"] for r in results),
            "bounds": _count(b["verdict"] for b in bound_rows),
            # Of the violated ones, those whose every violation is a recorded finding.
            "violated_as_recorded": {
                "results": sum(1 for r in results if r["verdict"] == "violated" and r["finding"]),
                "bounds": sum(1 for b in bound_rows if b["verdict"] == "violated" and all(
                    r["finding"] for r in by_bound.get(b["id"], []) if r["verdict"] == "violated")),
            },
        },
        "bounds": bound_rows,
        "results": results,
        "findings": finding_rows,
        "figures": [_figure(f) for f in sorted(figures, key=lambda f: (f.section, f.title, f.svg))],
    }
    return json_safe(doc)


def _result(ev: Evidence, bound=None) -> dict:
    from verify.judge.sharpness import result_tightness

    data = plain(ev.to_dict())
    entry = {k: None for k in RESULT_KEYS}
    # Fields added to Evidence later (with defaults) flow through unchanged.
    entry.update(data)
    entry.setdefault("confidence_bound", None)
    entry["ratios"] = data.get("ratios") or []
    entry["tightness"] = result_tightness(bound, ev.worst_ratio, ev.ratio_interval, ev.worst_rhs)
    return entry


def _loose_findings(bound_rows: list[dict]) -> list[dict]:
    """A statement whose supremum of lhs/rhs is below 1 is loose: a finding, not a violation.

    It counts as reproduced when this run's check reached its target (9/10 of the derived
    supremum, or of the ratio the extremal instance attains where only an upper bound is proven).
    """
    out = []
    for b in bound_rows:
        t = b.get("tightness") or {}
        if not t.get("loose"):
            continue
        sup = t["supremum_shown"]
        if t["supremum_status"] == "derived":
            what = (f"Loose: the supremum of lhs/rhs over the hypothesis class is {sup}, so the right-hand side "
                    f"multiplied by {sup} still holds, and no smaller factor does (the sharp constant).")
        else:
            what = (f"Loose: the supremum of lhs/rhs over the hypothesis class is at most {sup} (proven) and at "
                    f"least {t['attained']:.6g} (attained), so the right-hand side multiplied by {sup} still holds; "
                    "the sharp constant lies between.")
        out.append({
            "id": f"{b['id'].replace('_', '-')}-loose",
            "kind": "loose",
            "bound": b["id"],
            "where": b["reference"],
            "summary": f"{what} {t['derivation']}",
            "counterexample": f"attained or approached by: {t['extremal']}",
            "failing_step": "",
            "results": [{"bound_id": b["id"], "family": t["family"]}] if t.get("family") else [],
            "reproduced": bool(t.get("meets_target")),
        })
    return out


def _rendering(bound) -> dict:
    """A Bound's statement as LaTeX and MathML, and its preconditions as MathML: sympy printing, ~10 ms a Bound."""
    from bounds import precondition_mathml

    pre_mathml = precondition_mathml(bound)
    return {"latex": bound.to_latex(), "mathml": bound.to_mathml(),
            "preconditions": [{"name": p.name, "source": p.source, "mathml": m}
                              for p, m in zip(bound.preconditions, pre_mathml)]}


def _registry_renderings(bounds: Mapping, cache_dir: Path | None) -> dict[str, dict]:
    """Every registered Bound's rendering, read from the run's cache when bounds/ and sympy are unchanged.

    Printing the registry took about 3 s of every report (measured), the same at every run.
    """
    import bounds as registry

    from verify.judge.cache import content_key, load_or_compute

    def compute() -> dict[str, dict]:
        return {b.id: _rendering(b) for b in bounds.values()}

    if cache_dir is None:
        return compute()
    package = Path(registry.__file__).resolve().parent
    key = content_key(sorted(package.rglob("*.py")), root=package.parent, packages=("sympy",))
    return load_or_compute(Path(cache_dir), "registry-renderings", key, compute)[0]


def _bound(bound, results: list[dict], rendering: dict | None = None) -> dict:
    from verify.judge.sharpness import bound_tightness

    rendering = rendering if rendering is not None else _rendering(bound)
    return {
        "id": bound.id,
        "reference": bound.reference,
        "kind": bound.kind.value,
        "relation": bound.relation.value,
        "statement": bound.statement,
        "latex": rendering["latex"],
        "mathml": rendering["mathml"],
        "preconditions": rendering["preconditions"],
        "reading": bound.reading,
        "lhs_words": bound.lhs_words,
        "algorithm": bound.algorithm,
        "families": [r["family"] for r in results],
        "verdict": _worst(r["verdict"] for r in results) if results else NOT_CHECKED,
        "findings": sorted({r["finding"] for r in results if r["finding"]}),
        "sharpness": None if bound.sharpness is None else bound.sharpness.as_dict(),
        "tightness": bound_tightness(bound, results),
        # Where the Bound lives (bounds/<result>/<part>.py), for the report's scorecard, and the printed
        # Bound it corrects, for the erratum.
        "result": bound.module.split(".")[1] if bound.module.count(".") >= 2 else "",
        "part": bound.module.rsplit(".", 1)[-1],
        "corrects": bound.corrects,
    }


def _figure(fig: Figure) -> dict:
    from .figures import scoped_svg

    return {**fig.to_dict(), "svg": scoped_svg(fig.svg)}


def _worst(verdicts: Iterable[str]) -> str:
    verdicts = list(verdicts)
    return min(verdicts, key=lambda v: VERDICT_ORDER.index(v) if v in VERDICT_ORDER else -1)


def _count(verdicts: Iterable[str]) -> dict[str, int]:
    counts = dict.fromkeys(SUMMARY_ORDER, 0)
    for v in verdicts:
        counts[v] = counts.get(v, 0) + 1
    return counts


def json_safe(value):
    """``value`` with inf/nan replaced by the strings JSON lacks numbers for."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    return value


def as_float(value) -> float | None:
    """A number of the document back as a float (None stays None)."""
    if value is None:
        return None
    return float(value)  # float("Infinity") and float("NaN") parse


def dumps(doc: dict) -> str:
    return json.dumps(doc, indent=1, sort_keys=False, allow_nan=False, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------- run metadata
def run_metadata(*, profile: str, seed: int, started_at: str, duration_s: float, workers: int,
                 exit_status: int, tests: Mapping[str, int], root: Path, facts: Mapping | None = None) -> dict:
    commit, dirty = git_commit(root)
    facts = dict(facts or {})
    return {
        "profile": profile,
        "seed": seed,
        "started_at": started_at,
        "duration_s": round(duration_s, 3),
        "commit": commit,
        "commit_dirty": dirty,
        "packages": package_versions(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "workers": workers,
        # Set by the statistical checks through ledger.note_run(error_budget=...).
        "error_budget": facts.pop("error_budget", None),
        "exit_status": exit_status,
        "tests": dict(tests),
        **facts,
    }


def package_versions() -> dict[str, str | None]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def git_commit(root: Path) -> tuple[str | None, bool | None]:
    """The checkout's commit and whether the work tree differs from it; (None, None) outside git."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        if head.returncode != 0:
            return None, None
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                                capture_output=True, text=True, timeout=10)
        dirty = bool(status.stdout.strip()) if status.returncode == 0 else None
        return head.stdout.strip(), dirty
    except (OSError, subprocess.SubprocessError):
        return None, None


# ---------------------------------------------------------------- reading
def load(path: Path | str, what: str = "compliance report") -> dict:
    """Read and validate a compliance document; any defect is a ComplianceError naming the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ComplianceError(f"{what} {path}: no such file") from None
    except OSError as exc:
        raise ComplianceError(f"{what} {path}: cannot be read ({exc.strerror})") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ComplianceError(f"{what} {path} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                              f"{exc.msg}); it is corrupt or was cut short") from None
    validate(doc, f"{what} {path}")
    return doc


def validate(doc: Any, where: str, required_top: Iterable[str] = ("run", "results")) -> None:
    if not isinstance(doc, dict):
        raise ComplianceError(f"{where}: expected a JSON object, found {type(doc).__name__}")
    if doc.get("schema") != SCHEMA:
        raise ComplianceError(f"{where}: not a compliance document (schema {doc.get('schema')!r}, "
                              f"expected {SCHEMA!r})")
    version = doc.get("schema_version")
    if version != SCHEMA_VERSION:
        age = "an older" if isinstance(version, int) and version < SCHEMA_VERSION else "another"
        raise ComplianceError(f"{where}: {age} schema (version {version!r}); this code reads version "
                              f"{SCHEMA_VERSION}")
    missing = [k for k in required_top if k not in doc]
    if missing:
        raise ComplianceError(f"{where}: missing {missing}")
    if not isinstance(doc["results"], list):
        raise ComplianceError(f"{where}: 'results' is not a list")
    for i, r in enumerate(doc["results"]):
        if not isinstance(r, dict):
            raise ComplianceError(f"{where}: result #{i + 1} is not an object")
        lacking = [k for k in ("bound_id", "family", "verdict") if k not in r]
        if lacking:
            raise ComplianceError(f"{where}: result #{i + 1} lacks {lacking}")
        if r["verdict"] not in VERDICT_ORDER:
            raise ComplianceError(f"{where}: result {r['bound_id']} / {r['family']} has unknown verdict "
                                  f"{r['verdict']!r}")
