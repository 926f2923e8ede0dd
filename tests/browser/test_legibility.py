"""Every diagram can be read where it is shown (issue: "legible diagrams"): the effective size
of every visible SVG text — its computed font size times the drawing's scale on screen — is at
least 12 CSS px on a 1280×900 desktop and 11 px on a 390×844 phone, on the home page and every
scene page (picked up from docs/scenes/ without edits) and the playground, at the opening frame and after the
story has moved on (layers and messages appear as the run goes). The renderer's own tests hold
its CSS to the same floors; this test holds the page layout to them too (a diagram squeezed
by a code pane or a toolbar would fail here, not there)."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_helpers import set_speed, wait_ready

PAGES = [""] + [f"scenes/{p.stem}/" for p in sorted(
    (Path(__file__).resolve().parents[2] / "docs" / "scenes").glob("*.md"))] + ["playground/"]

#: The smallest effective text of the visible drawings: [size px, text, drawing id].
SMALLEST = """() => {
  const out = [];
  for (const t of document.querySelectorAll('.raft-scene svg text, .raft-legend-figure svg text')) {
    const svg = t.ownerSVGElement;
    const box = svg && svg.getBoundingClientRect();
    if (!box || box.width === 0 || !t.textContent.trim()) continue;
    if (t.closest('[visibility="hidden"]') || t.closest('[display="none"]')) continue;
    const cs = getComputedStyle(t);
    if (cs.display === 'none' || cs.visibility === 'hidden') continue;
    const scale = box.width / svg.viewBox.baseVal.width;
    out.push([parseFloat(cs.fontSize) * scale, t.textContent.trim().slice(0, 24), svg.id]);
  }
  out.sort((a, b) => a[0] - b[0]);
  return out.slice(0, 5);
}"""


@pytest.mark.parametrize("width,height,floor", [(1280, 900, 12.0), (390, 844, 11.0)], ids=["desktop", "phone"])
@pytest.mark.parametrize("path", PAGES, ids=[p.strip("/").replace("scenes/", "") or "home" for p in PAGES])
def test_diagram_text_is_legible(chromium, site_server, path, width, height, floor):
    context = chromium.new_context(base_url=site_server, viewport={"width": width, "height": height},
                                   service_workers="block")
    try:
        page = context.new_page()
        page.goto(path)
        smallest = page.evaluate(SMALLEST)
        assert smallest, "no visible diagram text on " + (path or "the home page")
        assert smallest[0][0] >= floor - 0.05, f"prerendered frame: {smallest}"
        if page.locator(".raft-scene").count():
            wait_ready(page)
            set_speed(page, "5")
            for _ in range(3):  # the story moves on: messages, layers, panels
                page.locator('.raft-scene [data-action="next"]').first.click()
                page.wait_for_timeout(400)
            smallest = page.evaluate(SMALLEST)
            assert smallest[0][0] >= floor - 0.05, f"after three steps: {smallest}"
    finally:
        context.close()
