"""A checkbox and its words stay on one row, on a phone too: the words start beside the box
and wrap there. As a wrapping flex item a long label (scene 10's "CheckQuorum (thesis §6.2): a
leader without a majority steps down") went whole to the next row, under its box, which
then looked like a switch without a name."""

from __future__ import annotations

import pytest
from browser_helpers import wait_ready

BESIDE = """() => [...document.querySelectorAll('label.raft-control:not(.raft-scene__unsafe)')].flatMap((label) => {
  const box = label.querySelector(':scope > input[type=checkbox]');
  if (!box || !box.checkVisibility()) return [];
  const text = [...label.childNodes].find((n) => n.nodeType === 3 && n.textContent.trim());
  const range = document.createRange(); range.selectNodeContents(text);
  const first = range.getClientRects()[0], b = box.getBoundingClientRect();
  return [{label: label.textContent.trim().slice(0, 40), beside: first.left >= b.right - 0.5,
           sameRow: Math.abs((first.top + first.bottom) / 2 - (b.top + b.bottom) / 2) < first.height}];
})"""


@pytest.mark.parametrize("page_options", [{"viewport": {"width": 390, "height": 844}}, {}], ids=["390x844", "1280x900"])
@pytest.mark.parametrize("path", ["scenes/10-partitions-clients/", "playground/"])
def test_each_checkbox_has_its_words_beside_it(page, path):
    page.goto(path)
    wait_ready(page)
    found = page.evaluate(BESIDE)
    assert found, "no checkbox label on the page: this test checks nothing"
    bad = [f for f in found if not (f["beside"] and f["sameRow"])]
    assert bad == []
