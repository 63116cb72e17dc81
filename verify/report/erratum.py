"""The erratum: for each finding, the printed statement beside the corrected one, with the evidence.

Read from a compliance document alone, like the rest of the report: the findings (with the
``correction`` each names), the Bounds (printed and corrected, with their MathML) and the checks'
results.  ``entries`` gives one entry per finding of kind false, gap, inconsistency or typo; the page
(``erratum.html``) and the section of ``index.html`` render the same entries.
"""
from __future__ import annotations

from .compliance import as_float

ERRATUM_KINDS = ("false", "gap", "inconsistency", "typo")
# Findings of these kinds need a corrected statement; the others are resolved by reading.
CORRECTED_KINDS = ("false", "gap")


def _evidence(bound: dict | None, results: list[dict]) -> dict | None:
    if bound is None:
        return None
    mine = [r for r in results if r["bound_id"] == bound["id"]]
    ratios = [as_float(r.get("worst_ratio")) for r in mine]
    ratios = [r for r in ratios if r is not None]
    return {
        "results": mine,
        "worst_ratio": max(ratios) if ratios else None,
        "controls_caught": all(r.get("negative_control_caught") is not False for r in mine),
        "controls": sorted({r["negative_control"] for r in mine if r.get("negative_control")}),
    }


def entries(doc: dict) -> list[dict]:
    """One erratum entry per finding that is not 'loose', in the order of the findings file."""
    bounds = {b["id"]: b for b in doc["bounds"]}
    results = doc["results"]
    out = []
    for f in doc.get("findings", []):
        if f.get("kind") not in ERRATUM_KINDS:
            continue
        corrected = bounds.get(f.get("correction") or "")
        printed = bounds.get(f.get("bound") or "") or (bounds.get(corrected["corrects"]) if corrected else None)
        out.append({
            "finding": f,
            "printed": printed,
            "printed_evidence": _evidence(printed, results),
            "corrected": corrected,
            "corrected_evidence": _evidence(corrected, results),
            "needs_correction": f["kind"] in CORRECTED_KINDS,
        })
    return out


def counts(entries_: list[dict]) -> dict:
    """How many entries need a corrected statement, how many have one, and how many of those hold."""
    needing = [e for e in entries_ if e["needs_correction"]]
    corrected = [e for e in needing if e["corrected"] is not None]
    return {"entries": len(entries_), "needing": len(needing), "corrected": len(corrected),
            "corrections_hold": sum(e["corrected"]["verdict"] == "holds" for e in corrected)}
