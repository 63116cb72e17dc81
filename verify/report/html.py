"""index.html: the bound-compliance report for people, rendered from compliance.json alone.

One self-contained page: MathML for the statements (made by the registry from the
same sympy expressions the checks evaluate), inline SVG for the plots, inline CSS,
no script, and a Content-Security-Policy that forbids every fetch, so the page
shows the same thing offline as online and cannot leak a request.

Re-render a page from a JSON file: ``python -m verify.report.html reports/compliance.json``.
"""
from __future__ import annotations

import math
import re
import sys
from pathlib import Path

from markupsafe import Markup

from verify.judge.cache import CACHE_DIR_NAME

from .compliance import NOT_CHECKED, ComplianceError, as_float, load
from .files import CSP, ReportWriteError, write_atomically

TEMPLATES = Path(__file__).with_name("templates")
PAPER = ("Fallah, Mokhtari, Ozdaglar, On the Convergence Theory of Gradient-Based Model-Agnostic "
         "Meta-Learning Algorithms")

VERDICT_LABEL = {
    "holds": "hold",
    "violated": "violated",
    "inconclusive": "inconclusive",
    "precondition_failed": "no instance met the hypotheses",
    NOT_CHECKED: "not checked yet",
}
BADGE = {**VERDICT_LABEL, "holds": "holds", "precondition_failed": "precondition failed"}
# The bar's axis ends here unless the worst ratio lies beyond it: most ratios are below 1.
# The report's findings, grouped by what they say of the paper (verify/judge/known_findings.toml).
FINDING_KINDS = (("false", "False: a counterexample within the hypotheses"),
                 ("gap", "Gaps in a proof: a step fails, the statement survives"),
                 ("inconsistency", "Inconsistencies: two displays disagree"),
                 ("typo", "Typos: the intended statement is clear and holds"),
                 ("loose", "Loose: holds, with a smaller constant"))
BAR_AXIS = 1.25
BAR_AXIS_CAP = 4.0


def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.policies["json.dumps_kwargs"] = {"sort_keys": True}
    env.filters["paragraphs"] = paragraphs
    env.filters["budget_words"] = budget_words
    return env


def _labelled(doc: dict) -> dict:
    """The document with each result's ratio label, as the pages show it."""
    results = [{**r, "ratio_label": _ratio_label(as_float(r.get("worst_ratio")))} for r in doc["results"]]
    return {**doc, "results": results}


def render_erratum(doc: dict) -> str:
    """erratum.html: the erratum's entries on a page of their own (verify/report/erratum.py)."""
    from . import erratum

    doc = _labelled(doc)
    entries = erratum.entries(doc)
    return _environment().get_template("erratum.html.j2").render(
        paper=PAPER, csp=CSP, run=doc["run"], schema_version=doc["schema_version"], entries=entries,
        counts=erratum.counts(entries), verdict_badge=verdict_badge)


def render(doc: dict, cache_dir: Path | None = None) -> str:
    """The HTML page of a compliance document (histograms drawn before for the same data are read from ``cache_dir``)."""
    from verify.judge.sharpness import TARGET_FRACTION

    from . import erratum, scorecard
    from .figures import ratio_histograms

    env = _environment()
    doc = _labelled(doc)
    entries = erratum.entries(doc)
    by_bound: dict[str, list[dict]] = {}
    for row in doc["results"]:
        by_bound.setdefault(row["bound_id"], []).append(row)
    attached: dict[str, list[dict]] = {}
    loose: dict[str, list[dict]] = {}
    for fig in doc.get("figures", []):
        if fig.get("bound_id"):
            attached.setdefault(fig["bound_id"], []).append(fig)
        else:
            loose.setdefault(fig["section"], []).append(fig)

    histograms = ratio_histograms({b["id"]: {r["family"]: r.get("ratios") or [] for r in by_bound[b["id"]]}
                                   for b in doc["bounds"] if by_bound.get(b["id"])}, cache_dir)
    bounds = []
    for b in doc["bounds"]:
        rows = by_bound.get(b["id"], [])
        bounds.append({**b, "results": rows, "figures": attached.get(b["id"], []),
                       "histogram": Markup(histograms.get(b["id"]) or "")})
    unrecorded = [r for rows in by_bound.values() for r in rows if r["verdict"] == "violated" and not r.get("finding")]
    return env.get_template("index.html.j2").render(
        paper=PAPER, csp=CSP, run=doc["run"], schema_version=doc["schema_version"], summary=doc["summary"],
        bounds=bounds, results=doc["results"], findings=doc.get("findings", []), unrecorded=unrecorded,
        findings_reproduced=sum(1 for f in doc.get("findings", []) if f.get("reproduced") and f.get("kind") != "loose"),
        target_percent=round(100 * TARGET_FRACTION), scorecard=scorecard.rows(doc), erratum=entries,
        erratum_counts=erratum.counts(entries),
        figure_sections=sorted(loose.items()), verdict_label=VERDICT_LABEL, bar=bar, verdict_badge=verdict_badge,
        finding_kinds=FINDING_KINDS + tuple(  # a kind this page does not know is still shown, under its name
            (k, k) for k in sorted({f.get("kind", "") for f in doc.get("findings", [])} - {k for k, _ in FINDING_KINDS})),
    )


def paragraphs(text: str) -> Markup:
    """Prose from the findings file as HTML paragraphs: a blank line ends a paragraph, a single line
    break is only where the file's text was wrapped, so it becomes a space."""
    parts = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    return Markup("").join(Markup("<p>{}</p>").format(p) for p in parts)


def budget_words(budget) -> str:
    """The run's error budget in words: the total, how it is split, and each share in percent."""
    if not isinstance(budget, dict):
        return str(budget)
    shares = ", ".join(f"{name.replace('_', ' ')} {100 * share:g}%" for name, share in budget.get("shares", {}).items())
    return (f"{budget.get('total', '?'):g} per run, {budget.get('method') or 'split'}"
            + (f" ({shares})" if shares else ""))


def _ratio_label(ratio: float | None) -> str:
    if ratio is None:
        return "-"  # identities and checks that report no ratio
    if math.isnan(ratio):
        return "NaN"
    if math.isinf(ratio):
        return "∞"
    return f"{ratio:.4g}"


def bar(result: dict) -> Markup:
    """The worst ratio as a bar against the bound (a red line at 1), as a small inline SVG."""
    ratio = as_float(result.get("worst_ratio"))
    if ratio is None or math.isnan(ratio):
        return Markup("")
    axis = BAR_AXIS if ratio <= BAR_AXIS else min(ratio, BAR_AXIS_CAP) * 1.05
    width = 100.0 * min(max(ratio, 0.0), axis) / axis
    one = 100.0 * 1.0 / axis
    colour = "#b3261e" if ratio > 1 else "#4c72b0"
    return Markup(
        '<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label="{label}">'
        '<rect x="0" y="0" width="100" height="10" fill="#eee"/>'
        '<rect x="0" y="1" width="{w:.2f}" height="8" fill="{c}"/>'
        '<line x1="{one:.2f}" x2="{one:.2f}" y1="0" y2="10" stroke="#1b1b1b" stroke-width="1"/></svg>'
    ).format(label=f"worst lhs/rhs {_ratio_label(ratio)} against 1", w=width, c=colour, one=one)


def verdict_badge(verdict: str, finding: str | None = None) -> Markup:
    if verdict == "violated" and finding:
        return Markup('<span class="verdict finding" title="known finding {f}">violated: '
                      '<a href="#finding-{f}" style="color:inherit">known finding</a></span>').format(f=finding)
    return Markup('<span class="verdict {v}">{label}</span>').format(v=verdict, label=BADGE.get(verdict, verdict))


def main(argv: list[str] | None = None, prog: str = "python -m verify.report.html") -> int:
    """Re-render index.html and erratum.html beside a compliance.json."""
    import argparse

    parser = argparse.ArgumentParser(prog=prog, description=main.__doc__)
    parser.add_argument("compliance", nargs="?", type=Path, default=Path("reports/compliance.json"),
                        help="the compliance.json to render; index.html and erratum.html are written beside it. "
                             "Default: reports/compliance.json")
    source = parser.parse_args(sys.argv[1:] if argv is None else argv).compliance
    try:
        doc = load(source)
    except ComplianceError as exc:
        print(f"html: {exc}", file=sys.stderr)
        return 2
    # Both pages rendered before either is written: a failure leaves the old pair as it was.
    pages = {source.with_name("index.html"): render(doc, source.parent / CACHE_DIR_NAME),
             source.with_name("erratum.html"): render_erratum(doc)}
    try:
        for target, text in pages.items():
            write_atomically(target, text)
    except ReportWriteError as exc:
        print(f"html: {exc}", file=sys.stderr)
        return 2
    print(f"html: wrote {', '.join(str(t) for t in pages)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

