"""The report's scorecard: one row per result of the paper, read from a compliance document.

A row gathers the Bounds of one result package (``bounds/<result>/``): the verdict of its
statement, the verdicts of its proof's displays and numeric steps, how close the checks came to the
statement's supremum, the kinds of the findings on it, and how many corrected statements the erratum
registers for it.  Pure data from ``compliance.json``: the page and the tests read the same rows.
"""
from __future__ import annotations

# (label, result package, reference prefix or "" for the whole package).  The main text's results, the
# appendix theorems that prove them, the corollaries, Table 1 and Figure 2, then the appendix results
# they rest on.
ROWS = (
    ("Lemma 4.8 (smoothness of F)", "lemma_4_8", ""),
    ("Lemma 4.9 (stepsize estimate)", "lemma_4_9", ""),
    ("Lemma 4.10 (stochastic gradient moments)", "lemma_4_10", ""),
    ("Theorem 4.11 (MAML meta-gradient moments)", "theorem_4_11", ""),
    ("Theorem 4.12 / F.1 (MAML)", "theorem_f_1", ""),
    ("Corollary 4.13 (MAML)", "corollaries", "Corollary 4.13"),
    ("Theorem 4.15 / G.1 (FO-MAML)", "theorem_g_1", ""),
    ("Corollary 4.16 (FO-MAML)", "corollaries", "Corollary 4.16"),
    ("Theorem 4.17 / H.1 (HF-MAML)", "theorem_h_1", ""),
    ("Corollary H.2 (HF-MAML)", "corollaries", "Corollary H.2"),
    ("Table 1", "table_1", ""),
    ("Figure 2", "figure_2", ""),
    ("Lemma A.3", "lemma_a_3", ""),
    ("Corollary A.1", "corollary_a_1", ""),
    ("Eq. (9), the finite-difference Hessian-vector product", "eq_9_finite_difference_hvp", ""),
    ("Eqs. (30a)-(30b)", "eq_30_smoothness", ""),
    ("Appendix I (quadratic tasks)", "appendix_i_quadratic", ""),
)
STATEMENT_PART = "statement"
CORRECTED_PART = "corrected"
# Worst first: a row's verdict is the worst of its Bounds'.
_ORDER = ("violated", "inconclusive", "precondition_failed", "not_checked_yet", "holds")


def worst(verdicts) -> str | None:
    verdicts = list(verdicts)
    for v in _ORDER:
        if v in verdicts:
            return v
    return verdicts[0] if verdicts else None


def rows(doc: dict) -> list[dict]:
    """The scorecard rows of a compliance document (see the module docstring)."""
    findings_by_bound: dict[str, list[dict]] = {}
    for f in doc.get("findings", []):
        for bound_id in {f.get("bound")} | {r["bound_id"] for r in f.get("results", [])}:
            if bound_id:
                findings_by_bound.setdefault(bound_id, []).append(f)
    out = []
    for label, result, prefix in ROWS:
        bounds = [b for b in doc["bounds"] if b.get("result") == result and b["reference"].startswith(prefix)]
        if not bounds:
            continue
        printed = [b for b in bounds if not b.get("corrects")]
        statement = [b for b in printed if b.get("part") == STATEMENT_PART]
        proof = [b for b in printed if b.get("part") != STATEMENT_PART]
        corrected = [b for b in bounds if b.get("corrects")]
        tight = [b for b in statement if b.get("tightness") and b["tightness"].get("reached") is not None]
        # A descent inequality's ratio is negative where F decreases: it says nothing of tightness, so a statement
        # with a ratio in [0, inf) is shown first; the closest to its supremum, else the largest ratio.
        closest = max(tight, key=lambda b: (b["tightness"]["reached"] >= 0,
                                            b["tightness"].get("fraction_of_supremum") or 0.0,
                                            b["tightness"]["reached"]), default=None)
        kinds = sorted({f["kind"] for b in printed for f in findings_by_bound.get(b["id"], [])})
        out.append({
            "label": label,
            "anchor": f"bound-{(statement or printed)[0]['id']}",
            "statement_verdict": worst(b["verdict"] for b in statement),
            "statement_count": len(statement),
            "proof_counts": {v: n for v in _ORDER if (n := sum(b["verdict"] == v for b in proof))},
            "proof_count": len(proof),
            "tightness": None if closest is None else {"bound_id": closest["id"], **closest["tightness"]},
            "finding_kinds": kinds,
            "corrections": len(corrected),
            "corrections_verdict": worst(b["verdict"] for b in corrected),
        })
    return out
