"""Every scene page under docs/scenes/, whichever exist, in chromium: Python starts, every scene
on the page becomes interactive, plays, and nothing goes wrong — no console error, no uncaught
exception, no request to another host (the page fixture fails the test on any of those), and no
invariant violated with the unsafe switches off. A new scene page is tested by this file without
being named in it (docs/authoring.md, "How the tests pick up a new scene")."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_helpers import set_speed, wait_js

PAGES = sorted((Path(__file__).resolve().parents[2] / "docs" / "scenes").glob("*.md"))

_STATUSES = "(await Promise.all([...window.__raft.scenes.values()].filter(u => u.scene).map(async u => JSON.parse(await u.scene.status()))))"


@pytest.mark.parametrize("page_file", PAGES, ids=[p.stem for p in PAGES])
def test_scene_page_becomes_interactive_and_plays(page, page_file):
    page.goto(f"scenes/{page_file.stem}/")
    count = page.locator(".raft-scene").count()
    assert count >= 1
    page.wait_for_function(
        f"() => document.querySelectorAll('.raft-scene[data-state=\"ready\"]').length === {count}", timeout=120_000)
    set_speed(page, "5")
    if page.locator('.raft-scene [data-action="play"][aria-pressed="false"]').count():
        page.locator('.raft-scene [data-action="play"][aria-pressed="false"]').first.click()
    # simulated time advances: the frames run Python and apply their updates
    wait_js(page, f"async () => {_STATUSES}.length === {count} && {_STATUSES}.every(s => s.time > 500)",
                           timeout=60_000)
    page.wait_for_function(
        "() => /t = [1-9]/.test(document.querySelector('.raft-scene [data-role=\"time\"]').textContent)")
    for s in page.evaluate(f"async () => {_STATUSES}"):
        assert s["violation"] is None, s["violation"]
        assert s["unsafe"] == {}
