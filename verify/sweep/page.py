"""sweep.html: the merged sweep on one self-contained page (no script, nothing fetched), drawn from sweep.json alone."""
from __future__ import annotations

from html import escape

from verify.report.files import CSP

# Verdicts in the order the plot stacks them, with their colours (the report's palette).
VERDICTS = (("holds", "#2e7d32"), ("violated", "#c62828"), ("inconclusive", "#f9a825"),
            ("precondition_failed", "#6d6d6d"), ("not_applicable", "#9e9e9e"))
_FALSE_ALARM = "#6a1b9a"
_UNGATED = "#ef9a9a"
_CSS = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1300px;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:0.9em}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f3f3f3} td.num{text-align:right;font-variant-numeric:tabular-nums}
code,pre{font-size:0.85em} pre{white-space:pre-wrap;background:#f7f7f7;padding:0.5em;max-width:1250px}
.raised{background:#fff3e0} .alarm{background:#f3e5f5}
"""


def _num(x, fmt: str = ".4g") -> str:
    return "" if x is None else format(x, fmt)


def verdict_plot(checks: list[dict]) -> tuple[str, int]:
    """SVG: per Bound, a bar of its verdicts over all seeds and families; Bounds that held at every seed are counted."""
    per_bound: dict[str, dict[str, int]] = {}
    alarms: dict[str, int] = {}
    ungated: dict[str, int] = {}
    for c in checks:
        b = per_bound.setdefault(c["bound_id"], {})
        for v, k in c["verdicts"].items():
            b[v] = b.get(v, 0) + k
        alarms[c["bound_id"]] = alarms.get(c["bound_id"], 0) + len(c["false_alarm_seeds"])
        if not c.get("gated", True):
            ungated[c["bound_id"]] = ungated.get(c["bound_id"], 0) + c["verdicts"].get("violated", 0)
    shown = sorted(b for b, counts in per_bound.items() if set(counts) - {"holds"})
    always = len(per_bound) - len(shown)
    row, label_w, bar_w = 16, 330, 560
    width = label_w + bar_w + 80
    legend = (("holds", VERDICTS[0][1]), ("violated: a recorded finding", VERDICTS[1][1]),
              ("violated: timing, ungated", _UNGATED), ("false alarm", _FALSE_ALARM)) + VERDICTS[2:]
    items, x, y = [], 0, 4
    for name, colour in legend:  # wrapped onto as many lines as the width needs
        step = 16 + 7 * len(name) + 10
        if x and x + step > width:
            x, y = 0, y + 16
        items.append(f'<rect x="{x}" y="{y}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{x + 14}" y="{y + 9}" font-size="11">{escape(name)}</text>')
        x += step
    top = y + 20
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{row * len(shown) + top + 6}" '
             f'role="img" aria-label="verdict frequencies per Bound">', *items]
    for i, bound in enumerate(shown):
        y = top + i * row
        counts = per_bound[bound]
        total = sum(counts.values())
        parts.append(f'<text x="{label_w - 6}" y="{y + 11}" font-size="11" text-anchor="end">{escape(bound)}</text>')
        x = float(label_w)
        for verdict, colour in VERDICTS:
            k = counts.get(verdict, 0)
            if verdict == "violated":
                recorded = k - alarms[bound] - ungated.get(bound, 0)
                stacks = ((recorded, colour, "violated as recorded"), (ungated.get(bound, 0), _UNGATED, "timing, ungated"),
                          (alarms[bound], _FALSE_ALARM, "false alarm"))
            else:
                stacks = ((k, colour, verdict),)
            for count, fill, what in stacks:
                if count <= 0:
                    continue
                w = bar_w * count / total
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row - 3}" fill="{fill}">'
                             f'<title>{escape(bound)}: {escape(what)} {count} of {total}</title></rect>')
                x += w
        parts.append(f'<text x="{label_w + bar_w + 6}" y="{y + 11}" font-size="11">{total}</text>')
    parts.append("</svg>")
    return "".join(parts), always


def render(doc: dict) -> str:
    opts, seeds, fa, red = doc["options"], doc["seeds"], doc["false_alarms"], doc["rediscovery"]
    out = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
           f'<meta http-equiv="Content-Security-Policy" content="{escape(CSP)}"><title>Seed sweep</title>',
           f"<style>{_CSS}</style></head><body>",
           "<h1>Seed sweep of <code>pytest verify</code></h1>",
           f"<p>Profile <b>{escape(str(opts['profile']))}</b>, paths <code>{escape(' '.join(opts['paths']))}</code>"
           + (f", <code>-k {escape(opts['select'])}</code>" if opts.get("select") else "")
           + (", recorded counterexamples <b>withheld</b>" if opts.get("withhold_recorded") else "")
           + (f", each run split in {opts['shards']} shards" if opts.get("shards", 1) > 1 else "")
           + f". {seeds['completed']} seeds completed, {seeds['crashed']} crashed. Commits: "
           + escape(", ".join(seeds["commits"]) or "none") + f". Generated {escape(doc['generated_at'])}.</p>"]
    # False alarms.
    out.append("<h2>False alarms</h2>")
    if fa["runs"]:
        out.append(f"<p>Runs with a result reported violated that is not a recorded finding: "
                   f"<b>{fa['runs_with_false_alarm']} of {fa['runs']}</b>. The per-run false-alarm rate is at most "
                   f"<b>{fa['rate_upper_95']:.3g}</b> (one-sided Clopper-Pearson, 95% confidence); the suite is "
                   f"designed for at most {fa['designed_rate']:g}. With no alarm in n runs the bound is about 3/n: "
                   "it falls only as more seeds are swept.</p>")
        if fa["alarms"]:
            out.append("<table><tr><th>seed</th><th>results reported violated, not recorded</th></tr>")
            out += [f"<tr class=alarm><td>{a['seed']}</td><td>{escape(', '.join(a['checks']))}</td></tr>"
                    for a in fa["alarms"]]
            out.append("</table>")
        if fa["ungated_violations"]:
            out.append("<p>Reported violated but ungated (timing on a shared machine, which never fails a run): "
                       + escape("; ".join(f"seed {u['seed']}: {', '.join(u['checks'])}" for u in fa["ungated_violations"]))
                       + ".</p>")
    else:
        out.append("<p>No seed completed.</p>")
    # Rediscovery.
    out.append("<h2>Rediscovery of the recorded findings by the unaided search</h2>")
    if not red["measured"]:
        out.append(f"<p>Not measured: {escape(red['why'])}.</p>")
    else:
        out.append("<table><tr><th>finding</th><th>check</th><th>rediscovered</th><th>rate</th>"
                   "<th>95% interval (Clopper-Pearson)</th></tr>")
        for row in red["findings"]:
            lo, hi = row["interval_95"]
            out.append(f"<tr><td>{escape(row['finding'])}</td><td>{escape(row['check'])}</td>"
                       f"<td class=num>{row['rediscovered']}/{row['seeds']}</td><td class=num>{_num(row['rate'], '.0%')}"
                       f"</td><td class=num>{'' if lo is None else f'[{lo:.3f}, {hi:.3f}]'}</td></tr>")
        out.append("</table>")
    # The plot.
    svg, always = verdict_plot(doc["checks"])
    out.append("<h2>Verdicts per Bound</h2>")
    if always == len({c["bound_id"] for c in doc["checks"]}):
        out.append(f"<p>All {always} Bounds held on every family at every seed.</p>")
    else:
        out.append(f"<p>{always} Bounds held on every family at every seed and are not drawn; each bar below is one "
                   "Bound's verdicts over its families and the seeds.</p>" + svg)
    # Per check.
    ref = doc.get("reference")
    out.append("<h2>Per (Bound, family)</h2>")
    if ref:
        out.append(f"<p>Reference: <code>{escape(str(ref['path']))}</code> (profile {escape(str(ref['profile']))}, "
                   f"seed {ref['seed']}). Rows whose worst ratio the sweep raised above the reference's are shaded.</p>")
    out.append("<table><tr><th>bound</th><th>family</th><th>verdicts</th><th>worst ratio</th><th>reference</th>"
               "<th>seed</th><th>replay</th></tr>")
    for c in doc["checks"]:
        counts = ", ".join(f"{v} {k}" for v, k in sorted(c["verdicts"].items()))
        cls = " class=alarm" if c["false_alarm_seeds"] else (" class=raised" if c["raised_above_reference"] else "")
        out.append(f"<tr{cls}><td>{escape(c['bound_id'])}</td><td>{escape(c['family'])}</td><td>{escape(counts)}</td>"
                   f"<td class=num>{_num(c['worst_ratio'])}</td><td class=num>{_num(c['reference_worst_ratio'])}</td>"
                   f"<td class=num>{'' if c['worst_seed'] is None else c['worst_seed']}</td>"
                   f"<td><code>{escape(c['replay'] or '')}</code></td></tr>")
    out.append("</table>")
    # Failures and time.
    out.append("<h2>Seeds that failed</h2>")
    if not doc["failed_seeds"] and not doc["failed_tests"]:
        out.append("<p>None: every seed's run completed and every test passed.</p>")
    for f in doc["failed_seeds"]:
        out.append(f"<h3>seed {f['seed']}: crashed</h3><p>{escape(f['reason'])}</p><pre>{escape(f['tail'])}</pre>")
    if doc["failed_tests"]:
        out.append("<table><tr><th>seed</th><th>failed tests (a lost finding in a withheld sweep fails its test "
                   "by design)</th></tr>")
        out += [f"<tr><td>{f['seed']}</td><td>{escape(', '.join(f['tests']))}</td></tr>" for f in doc["failed_tests"]]
        out.append("</table>")
    t = doc["time"]
    out.append("<h2>Time per seed</h2>")
    if t["per_seed"]:
        out.append(f"<p>min {t['min_s']:.0f} s, median {t['median_s']:.0f} s, max {t['max_s']:.0f} s; "
                   f"{t['total_s']:.0f} s of runs in all (summed over workers).</p>")
    out.append("</body></html>\n")
    return "\n".join(out)
