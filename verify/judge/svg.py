"""Figures as plain SVG text: a matplotlib figure turned into markup that can sit in one HTML page.

Checks hand figures to the ledger (``Ledger.add_figure``), which converts them here at once, so
the ledger stays plain data and crosses from an xdist worker to the controller like the
Evidence does.  The same data gives the same markup on every run and every worker (text kept
as text, a fixed hash salt, ids made unique per figure).
"""
from __future__ import annotations

import hashlib
import io
import re

_PROLOGUE = re.compile(r"\A.*?(?=<svg[\s>])", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_ID = re.compile(r'\bid="([^"]+)"')
_SCOPED = re.compile(r"f[0-9a-f]{10}-")


def to_svg(figure) -> str:
    """SVG text of a matplotlib Figure (pyplot's or one made with ``matplotlib.figure.Figure``)."""
    import matplotlib

    buf = io.StringIO()
    # fonttype none: text stays text (small, searchable); the salt makes ids reproducible.
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "maml-convergence-verify"}):
        figure.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return scoped_svg(buf.getvalue())


def scoped_svg(svg: str) -> str:
    """``svg`` ready to inline into HTML: no XML prologue or DOCTYPE, no metadata, ids made unique.

    matplotlib names clip paths and markers with short ids; two figures in one page
    would otherwise share them, and one figure would be clipped by the other's box.
    The DOCTYPE and metadata name remote DTDs and vocabularies, which a page that
    promises to fetch nothing should not even mention.
    """
    svg = _PROLOGUE.sub("", svg, count=1)
    svg = _METADATA.sub("", svg)
    ids = set(_ID.findall(svg))
    if not ids:
        return svg
    if all(_SCOPED.match(i) for i in ids):
        return svg  # already scoped
    prefix = "f" + hashlib.sha1(svg.encode()).hexdigest()[:10] + "-"
    names = "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
    svg = re.sub(rf'\bid="({names})"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    return re.sub(rf'#({names})(?=[")\s])', lambda m: f"#{prefix}{m.group(1)}", svg)
