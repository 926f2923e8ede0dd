"""Reset and the opening frame, on every scene page under docs/scenes/ (picked up by glob: a new
scene is tested without an edit here).

A scene opens *paused* on its opening frame — the state after the script's commands at time 0 —
and the build prerenders that very frame, so nothing jumps when Python takes over: the live SVG
equals the prerendered one. Reset brings the reader back to it (same seed ⇒ the same SVG as at
load), paused, with no error (JavaScript's ``null`` once reached Python as ``jsnull``, "not a seed")."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_helpers import scene_status, wait_ready, wait_js

PAGES = sorted((Path(__file__).resolve().parents[2] / "docs" / "scenes").glob("*.md"))

#: the diagram of the page as served (the build's prerender), serialised by the browser's own parser
PRERENDERED = """async () => {
  const html = await (await fetch(location.pathname)).text();
  const doc = new DOMParser().parseFromString(html, "text/html");
  return doc.querySelector('.raft-scene [data-role="diagram"]').innerHTML;
}"""
LIVE = "() => document.querySelector('.raft-scene [data-role=\"diagram\"]').innerHTML"
CAPTION = "() => document.querySelector('.raft-scene [data-role=\"caption\"]').innerHTML"


@pytest.mark.parametrize("page_file", PAGES, ids=[p.stem for p in PAGES])
def test_opens_paused_on_the_prerendered_frame_and_reset_returns_to_it(page, page_file):
    page.goto(f"scenes/{page_file.stem}/")
    prerendered_caption = page.evaluate(CAPTION)
    wait_ready(page)
    scene = page.locator(".raft-scene").first
    # opens paused on the opening frame: the very frame the build drew, and the same caption
    assert scene.get_attribute("data-playing") == "false"
    opening = page.evaluate(LIVE)
    assert opening == page.evaluate(PRERENDERED)
    assert page.evaluate(CAPTION) == prerendered_caption
    t0 = scene_status(page)["time"]
    status = page.text_content('.raft-scene [data-role="status"]')
    assert "Ready." not in status and "opening frame" in status
    page.wait_for_timeout(300)
    assert scene_status(page)["time"] == t0  # paused: the clock does not run
    # move away: one step of the story, then play a little
    page.select_option('.raft-scene [data-action="speed"]', "5")
    page.click('.raft-scene [data-action="next"]')
    page.wait_for_function("() => document.querySelector('.raft-scene').dataset.stepping === 'false'", timeout=120_000)
    page.click('.raft-scene [data-action="play"]')
    wait_js(page, f"async () => JSON.parse(await [...window.__raft.scenes.values()][0].scene.status()).time > {t0} + 1")
    assert page.evaluate(LIVE) != opening
    # Reset: back to the opening frame, paused, no message, the clock stopped
    page.click('.raft-scene [data-action="reset"]')
    assert page.locator('.raft-scene [data-role="message"]').is_hidden()
    assert scene.get_attribute("data-playing") == "false"
    assert page.evaluate(LIVE) == opening
    assert page.evaluate(CAPTION) == prerendered_caption
    assert scene_status(page)["time"] == t0
    page.wait_for_timeout(300)
    assert scene_status(page)["time"] == t0
    assert "opening frame" in page.text_content('.raft-scene [data-role="status"]')
    assert "step=" not in page.url
