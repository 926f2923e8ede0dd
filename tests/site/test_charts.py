"""Scene 03's chart (raftsite/charts.py): the time axis can be read at either size — its labels
do not run into each other and none is cut off at the edge of the drawing."""

from __future__ import annotations

import re

import pytest

from raftsite.charts import cdf_chart_svg
from raftsite.glyphs import SIZES

CHAR_WIDTH = 0.62  # a sans-serif character is at most about this many font sizes wide (digits, "ms")


@pytest.mark.parametrize("size", ["wide", "narrow"])
def test_the_time_axis_labels_neither_touch_nor_leave_the_drawing(size):
    svg = cdf_chart_svg("c", [("150–300", [200.0, 300.0, 900.0], "")])
    one = svg.split("</svg>")[0 if size == "wide" else 1]
    width = float(re.search(r'viewBox="0 0 ([\d.]+) ', one).group(1))
    fs = SIZES[size].small
    ys = re.findall(r'<text x="[\d.]+" y="([\d.]+)" text-anchor="middle">\d+ m?s</text>', one)
    axis_y = max(set(ys), key=ys.count)
    labels = [(float(x), text) for x, text in
              re.findall(rf'<text x="([\d.]+)" y="{re.escape(axis_y)}" text-anchor="middle">(\d+ m?s)</text>', one)]
    assert len(labels) >= 4  # 10 ms … 10 s: a decade each
    spans = [(x - CHAR_WIDTH * fs * len(t) / 2, x + CHAR_WIDTH * fs * len(t) / 2, t) for x, t in labels]
    for (_, right, a), (left, _, b) in zip(spans, spans[1:]):
        assert left - right >= fs * 0.5, f"{a!r} and {b!r} run into each other"
    assert spans[0][0] >= 0 and spans[-1][1] <= width, spans
