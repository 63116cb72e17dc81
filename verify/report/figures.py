"""Figures of the report as inline SVG: matplotlib figures turned into markup that can sit in one HTML page.

Checks hand figures to the ledger (``ledger.add_figure(section, title, fig)``);
the report draws one more per result itself, the distribution of lhs/rhs over
the instances tried (``ratio_histogram``).  Every figure is drawn without pyplot
(no global state, no display), with text kept as text and a fixed hash salt, so
the same data gives the same markup on every run and every xdist worker.
"""
from __future__ import annotations

import hashlib
import math
from pathlib import Path

from verify.judge import cache, svg
from verify.judge.svg import scoped_svg, to_svg

# Sizes in inches: a histogram sits inside a table cell beside the numbers.
HISTOGRAM_SIZE = (3.4, 1.35)
HISTOGRAM_BINS = 30

def ratio_histogram(series, title: str = "") -> str | None:
    """The distribution of lhs/rhs over the instances of one result, one outline per family, against the bound at 1.

    ``series`` maps a family to its ratios (or is one list of ratios).  One figure
    per result of the paper, not per family: a figure costs tens of milliseconds
    to draw, and a run has a hundred (result, family) pairs.  None where there is
    nothing to draw (no family with two finite ratios).
    """
    import numpy as np
    from matplotlib.figure import Figure

    if not isinstance(series, dict):
        series = {"": series}
    values = {name: np.array([float(r) for r in rs], dtype=float) for name, rs in series.items()}
    finite = {name: v[np.isfinite(v)] for name, v in values.items()}
    finite = {name: v for name, v in finite.items() if v.size >= 2}
    if not finite:
        return None
    pooled = np.concatenate(list(finite.values()))
    top = max(1.0, float(pooled.max())) * 1.05
    bottom = min(0.0, float(pooled.min()))
    edges = np.linspace(bottom, top, HISTOGRAM_BINS + 1)
    fig = Figure(figsize=(HISTOGRAM_SIZE[0], HISTOGRAM_SIZE[1] + 0.12 * max(len(finite) - 1, 0)))
    ax = fig.add_axes((0.06, 0.3, 0.9, 0.58) if len(finite) == 1 else (0.05, 0.3, 0.55, 0.58))
    for name, v in finite.items():
        counts, _ = np.histogram(v, bins=edges)
        ax.stairs(counts / counts.max(), edges, fill=len(finite) == 1, label=_short(name) or None,
                  linewidth=1.0, alpha=0.85 if len(finite) == 1 else 1.0)
    ax.axvline(1.0, color="#c0392b", linewidth=1.2)
    ax.text(1.0, 1.0, " bound", color="#c0392b", fontsize=7, transform=ax.get_xaxis_transform(),
            va="top", ha="left" if top - 1.0 > 0.2 * (top - bottom) else "right")
    ax.set_xlim(bottom, top)
    ax.set_yticks([])
    ticks = _ticks(bottom, top)
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks], fontsize=7)
    total = sum(v.size for v in values.values())
    off = total - sum(v.size for v in finite.values())
    label = f"lhs / rhs over {total} instances" + (f" ({off} not finite or alone)" if off else "")
    ax.set_xlabel(label, fontsize=7, labelpad=1)
    if len(finite) > 1:
        ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.02, 1.05), frameon=False, handlelength=1.2)
    if title:
        ax.set_title(title, fontsize=7, pad=2)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    return to_svg(fig)


# The histograms of the last report, by their data: drawing the 120-odd of a run took about 7 s,
# most of the report's time and, under pytest -n 2, time the controller spends alone.
HISTOGRAM_CACHE = "report-histograms"
_ROOT = Path(__file__).resolve().parents[2]


def _histogram_code_key() -> str:
    # What the markup depends on besides the data: this module, the SVG conversion, the libraries.
    return cache.content_key([Path(__file__), Path(svg.__file__)], root=_ROOT, packages=("matplotlib", "numpy"))


def _data_key(series, title: str) -> str:
    items = series.items() if isinstance(series, dict) else [("", series)]
    h = hashlib.sha256(repr(title).encode())
    for name, ratios in items:
        h.update(b"\0" + repr(name).encode() + b"\0" + ",".join(repr(float(r)) for r in ratios).encode())
    return h.hexdigest()


def ratio_histograms(requests: dict, cache_dir: Path | None = None) -> dict:
    """``ratio_histogram`` of each ``{name: series}``, reusing the markup drawn for the same data before.

    The same data gives the same markup (a fixed hash salt, scoped ids), so an SVG stored under a
    hash of its data in ``cache_dir`` (the report directory's .cache/, verify/judge/cache.py: keyed
    by this module's and the SVG conversion's source and the library versions, written
    atomically, a stale or damaged file redrawn) is exactly what drawing it again would give.
    Only the histograms of this report are kept.  Without a directory every one is drawn.
    """
    stored = {}
    key = _histogram_code_key() if cache_dir is not None else ""
    if cache_dir is not None:
        status, value = cache.read(cache_dir, HISTOGRAM_CACHE, key)
        if status == "hit" and isinstance(value, dict):
            stored = value
    drawn, out = {}, {}
    for name, series in requests.items():
        data = _data_key(series, "")
        drawn[data] = stored[data] if data in stored else ratio_histogram(series)
        out[name] = drawn[data]
    if cache_dir is not None and drawn != stored:
        try:
            cache.write(cache_dir, HISTOGRAM_CACHE, key, drawn)
        except OSError:
            pass  # an unwritable directory costs the drawing at every run, never the report
    return out


def _short(name: str, width: int = 28) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def _ticks(bottom: float, top: float) -> list[float]:
    # Fixed ticks always include the bound itself; matplotlib's locators cost more than the plot.
    span = top - bottom
    step = 10 ** math.floor(math.log10(span / 4)) if span > 0 else 1.0
    for mult in (1, 2, 2.5, 5, 10):
        if span / (step * mult) <= 5:
            step *= mult
            break
    start = math.ceil(bottom / step) * step
    ticks = [round(start + i * step, 10) for i in range(int((top - start) / step) + 1)]
    return sorted(set(ticks) | {1.0})
