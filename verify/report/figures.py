"""Figures of the report as inline SVG: matplotlib figures turned into markup that can sit in one HTML page.

Checks hand figures to the ledger (``ledger.add_figure(section, title, fig)``);
the report draws one more per result itself, the distribution of lhs/rhs over
the instances tried (``ratio_histogram``).  Every figure is drawn without pyplot
(no global state, no display), with text kept as text and a fixed hash salt, so
the same data gives the same markup on every run and every xdist worker.
"""
from __future__ import annotations

import math

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
