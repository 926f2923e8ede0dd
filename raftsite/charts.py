"""Panels drawn beside a diagram: the cumulative-distribution chart of scene 03's Figure 16
run (a wide and a narrow drawing, like the diagram) and small accessible HTML tables (scene
06's round trips, scene 09's disks …). Pure functions of their data."""

from __future__ import annotations

import math

from raftsite.glyphs import SIZE_SWITCH, SIZES
from raftsite.markup import esc, fmt

__all__ = ["cdf_chart_svg", "html_table", "FIGURE16_PAPER_POINTS"]

# Reusable pieces drawn beside a diagram: a cumulative-distribution chart (scene 03's Figure 16
# run) and a small HTML table (scene 06's round trips). Pure functions of their data.

#: The Raft paper's reported points for Figure 16 (§9.3): (range, x ms, cumulative fraction, label).
FIGURE16_PAPER_POINTS = (
    ("150-155", 287.0, 0.5, "paper: 150–155 ms, median 287 ms", "150–155 median"),
    ("150-200", 513.0, 1.0, "paper: 150–200 ms, worst case 513 ms", "150–200 max"),
    ("12-24", 35.0, 0.5, "paper: 12–24 ms, mean 35 ms", "12–24 mean"),
    ("12-24", 152.0, 1.0, "paper: 12–24 ms, max 152 ms", "12–24 max"),
    ("150-150", 10000.0, 0.5, "paper: 150–150 ms, consistently over 10 s", "150–150: > 10 s"),
)

_CHART_COLOURS = ("#1d5fa0", "#a34a00", "#1b7a3a", "#a12f74", "#6a4c9c", "#2f6b73", "#7a6500", "#52627a")
_DASHES = ("", "6 3", "2 3", "8 3 2 3", "4 4", "1 2", "10 4", "3 6")


def cdf_chart_svg(chart_id: str, series, paper=FIGURE16_PAPER_POINTS, x_min: float = 10.0,
                  x_max: float = 20000.0, title: str = "Time without a leader after a crash") -> str:
    """The chart as two drawings, like the diagram: one for a desktop column, one for a phone
    (the page's CSS shows the one that fits); see :func:`_cdf_chart`."""
    return "".join(_cdf_chart(chart_id if size == "wide" else chart_id + "-n", series, paper, x_min, x_max, title,
                              size) for size in ("wide", "narrow"))


def _cdf_chart(chart_id: str, series, paper, x_min: float, x_max: float, title: str, size: str) -> str:
    """An SVG chart of cumulative distributions on a logarithmic time axis.

    ``series``: [(label, sorted values in ms, note)] — one step curve each, in its own colour
    and dash pattern (never colour alone), labelled in a legend. ``paper``: reference points
    drawn as labelled diamonds. Values beyond ``x_max`` are drawn at the right edge."""
    fs = SIZES[size].small
    w, h = (520.0, 320.0) if size == "wide" else (320.0, 300.0)
    l, r, t, b = 3.6 * fs, 10.0, 2.4 * fs, 3.4 * fs
    pw, ph = w - l - r, h - t - b
    lx0, lx1 = math.log10(x_min), math.log10(x_max)

    def X(v):
        v = min(max(v, x_min), x_max)
        return l + (math.log10(v) - lx0) / (lx1 - lx0) * pw

    def Y(f):
        return t + (1.0 - f) * ph

    cid = esc(chart_id)
    out = ['<svg xmlns="http://www.w3.org/2000/svg" class="raft-chart raft-svg raft-svg--%s" id="%s" '
           'viewBox="0 0 %s %s" role="img" aria-labelledby="%s-title %s-desc" data-size="%s">'
           % (size, cid, fmt(w), fmt(h), cid, cid, size),
           '<style>svg.raft-chart.raft-svg--%s text{font-size:%gpx}%s</style>' % (size, fs, SIZE_SWITCH),
           '<title id="%s-title">%s</title>' % (cid, esc(title))]
    desc = []
    for label, values, note in series:
        if values:
            desc.append("%s: %d trials, median %.0f ms, max %.0f ms%s" % (
                label, len(values), values[len(values) // 2], values[-1], (", " + note) if note else ""))
    desc.append("; ".join(p[3] for p in paper))
    out.append('<desc id="%s-desc">%s</desc>' % (cid, esc(". ".join(desc) if desc else "No runs yet.")))
    out.append('<g class="raft-chart-axes">')
    out.append('<rect class="raft-chart-frame" x="%s" y="%s" width="%s" height="%s"/>' % (fmt(l), fmt(t), fmt(pw), fmt(ph)))
    for f in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = Y(f)
        out.append('<path class="raft-chart-grid" d="M%s,%sH%s"/>' % (fmt(l), fmt(y), fmt(l + pw)))
        out.append('<text x="%s" y="%s" text-anchor="end">%d%%</text>' % (fmt(l - 4), fmt(y + fs * 0.35), int(f * 100)))
    # Grid lines at 1, 2 and 5 of each decade (the wide drawing), labels at the decades only:
    # on a log axis 50, 100 and 200 ms are too close for their labels, which ran into each other,
    # and a label at the right edge (20 s) was cut in half.
    v = 10.0
    while v <= x_max * 1.0001:
        for m in ((1, 2, 5) if size == "wide" else (1,)):
            tv = v * m
            if x_min <= tv <= x_max:
                x = X(tv)
                out.append('<path class="raft-chart-grid" d="M%s,%sV%s"/>' % (fmt(x), fmt(t), fmt(t + ph)))
                if m == 1:
                    lab = ("%d ms" % tv) if tv < 1000 else ("%g s" % (tv / 1000))
                    out.append('<text x="%s" y="%s" text-anchor="middle">%s</text>' % (fmt(x), fmt(t + ph + fs + 2), lab))
        v *= 10
    out.append('<text x="%s" y="%s" text-anchor="middle">time without a leader (log scale)</text>'
               % (fmt(l + pw / 2), fmt(h - 6)))
    out.append('<text x="%s" y="%s">cumulative %% of elections</text>' % (fmt(l), fmt(t - 8)))
    out.append('</g>')
    for k, (label, values, note) in enumerate(series):
        if not values:
            continue
        col, dash = _CHART_COLOURS[k % len(_CHART_COLOURS)], _DASHES[k % len(_DASHES)]
        n = len(values)
        d = ["M%s,%s" % (fmt(X(values[0])), fmt(Y(0.0)))]
        # at most ~200 steps, so 1,000 values stay a small path
        stride = max(1, n // 200)
        for i in range(0, n, stride):
            d.append("V%sH%s" % (fmt(Y(i / n)), fmt(X(values[i]))))
        d.append("V%sH%s" % (fmt(Y(1.0)), fmt(X(values[-1]))))
        out.append('<path class="raft-chart-series" data-series="%s" d="%s" style="stroke:%s"%s><title>%s</title></path>'
                   % (esc(label), "".join(d), col, (' stroke-dasharray="%s"' % dash) if dash else "",
                      esc("%s: %d trials, median %.0f ms" % (label, n, values[n // 2]))))
        ly = t + fs + 2 + k * (fs + 3)
        out.append('<g class="raft-chart-legend"><path d="M%s,%sh18" style="stroke:%s"%s/>'
                   '<text x="%s" y="%s">%s</text></g>'
                   % (fmt(l + 8), fmt(ly - 3), col, (' stroke-dasharray="%s"' % dash) if dash else "",
                      fmt(l + 30), fmt(ly), esc("%s ms (median %.0f ms)" % (label, values[n // 2]))))
    for rng, x, f, label, short in paper:
        cx, cy = X(x), Y(f)
        ty = cy + 14 if f >= 1.0 else cy + 3
        anchor = "end" if cx > l + pw * 0.8 else "start"
        tx = cx - 7 if anchor == "end" else cx + 7
        out.append('<g class="raft-chart-paper" data-range="%s"><title>%s</title>'
                   '<path d="M%s,%sl5,5 -5,5 -5,-5z"/><text class="raft-chart-note" x="%s" y="%s" '
                   'text-anchor="%s">%s</text></g>'
                   % (esc(rng), esc(label), fmt(cx), fmt(cy - 5), fmt(tx), fmt(ty), anchor, esc(short)))
    out.append('<g class="raft-chart-legend"><path class="raft-chart-paper" d="M%s,%sl5,5 -5,5 -5,-5z"/>'
               '<text x="%s" y="%s" text-anchor="end">the paper’s points</text></g>'
               % (fmt(l + pw - 8), fmt(t - fs - 2), fmt(l + pw - 14), fmt(t - fs * 0.6)))
    out.append("</svg>")
    return "".join(out)


def html_table(caption: str, headers, rows, table_id: str = "") -> str:
    """A small accessible HTML table (strings are escaped), in a box that scrolls sideways when
    the table is wider than the screen (a phone): the box is a labelled, focusable region so a
    keyboard can scroll it too."""
    out = ['<div class="raft-table-scroll" role="region" tabindex="0" aria-label="%s">'
           '<table class="raft-table-panel"%s><caption>%s</caption><thead><tr>'
           % (esc(caption), (' id="%s"' % esc(table_id)) if table_id else "", esc(caption))]
    out.extend('<th scope="col">%s</th>' % esc(str(hd)) for hd in headers)
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>")
        for i, cell in enumerate(row):
            tag = "th" if i == 0 else "td"
            out.append('<%s%s>%s</%s>' % (tag, ' scope="row"' if i == 0 else "", esc(str(cell)), tag))
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)
