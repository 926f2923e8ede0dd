"""Scene 08 in chromium: the paper's Figure 8 (§5.4.2) with the timeline, driven as a reader
would — keys on the scrubber, the marks, the step buttons. At (c) index 2 (term 2) is on a
majority and not committed; scrubbing away and back shows the same state; with the unsafe
switch commit_old_term_by_counting, Leader Completeness and State Machine Safety turn red."""

from __future__ import annotations

import pytest
from browser_helpers import flip_unsafe_and_wait_red, open_scene, scene_status, wait_js

SCENE08 = "scenes/08-figure-8/"
SCRUB = '.raft-scene [data-timeline="scrub"]'
CAPTION = '.raft-scene [data-role="timeline-caption"]'


def _ready_timeline(page) -> None:
    open_scene(page, SCENE08, speed=None)
    page.wait_for_function("() => document.querySelectorAll('.raft-scene [data-mark]').length === 5")


def _trace_hash(page) -> str:
    return page.evaluate("async () => await [...window.__raft.scenes.values()].find(u => u.scene).scene.trace_hash()")


def _holders(s: dict, index: int, term: int) -> set[str]:
    return {n for n, log in s["logs"].items() if len(log) >= index and log[index - 1] == term}


def test_keyboard_scrubbing_to_c_shows_index_2_on_a_majority_and_uncommitted(page):
    _ready_timeline(page)
    marks = [page.locator(".raft-scene [data-mark]").nth(k).text_content() for k in range(5)]
    assert marks == ["(a)", "(b)", "(c)", "(d)", "(e)"]
    page.focus(SCRUB)
    page.keyboard.press("Home")  # the start of the run (and the scene pauses)
    page.wait_for_function("() => document.querySelector('.raft-scene').dataset.playing === 'false'")
    for frame in ("(a)", "(b)", "(c)"):
        page.keyboard.press("PageUp")  # the next frame of the figure
        page.wait_for_function(f"() => document.querySelector('{CAPTION}').textContent.startsWith('{frame}')")
    s = scene_status(page)
    assert s["timeline"]["caption"].startswith("(c)")
    assert s["leaders"] == {"S1": 4}
    assert len(_holders(s, 2, 2)) >= 3  # on a majority of five ...
    assert s["commit"]["S1"] < 2  # ... and not committed
    # what the reader sees: S1's index 2 drawn dashed, "not committed"
    cell = page.locator("#s08-s-S1-log .raft-cell").nth(1)
    assert "raft-uncommitted" in cell.get_attribute("class")
    assert "not committed" in cell.locator("title").text_content()
    assert page.get_attribute(SCRUB, "aria-valuetext").endswith(s["timeline"]["caption"])
    at_c = (_trace_hash(page), s["time"], s["logs"], s["commit"])

    # back and forth: arrows, the previous frame, the step-back button, a click on (e), then (c) again
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    wait_js(page, f"async () => JSON.parse(await [...window.__raft.scenes.values()][0].scene.status()).time < {s['time']}")
    page.keyboard.press("PageDown")
    page.wait_for_function(f"() => document.querySelector('{CAPTION}').textContent.startsWith('(b)')")
    page.click('.raft-scene [data-timeline="back"]')
    page.click('.raft-scene [data-mark="4"]')
    page.wait_for_function(f"() => document.querySelector('{CAPTION}').textContent.startsWith('(e)')")
    e = scene_status(page)
    assert e["leaders"] == {} and all(e["commit"][n] >= 3 for n in ("S2", "S3", "S4", "S5"))
    page.focus(SCRUB)
    page.keyboard.press("PageDown")
    page.keyboard.press("PageDown")
    page.wait_for_function(f"() => document.querySelector('{CAPTION}').textContent.startsWith('(c)')")
    s = scene_status(page)
    assert (_trace_hash(page), s["time"], s["logs"], s["commit"]) == at_c

    # dragging the slider (the input events a pointer makes) travels too: 1% of the way in,
    # before the figure's first frame
    end = s["timeline"]["end"]
    page.evaluate(
        f"() => {{ const r = document.querySelector('{SCRUB}'); r.value = String(r.max / 100);"
        " r.dispatchEvent(new Event('input', {bubbles: true})); }"
    )
    wait_js(page,
        f"async () => Math.abs(JSON.parse(await [...window.__raft.scenes.values()][0].scene.status()).time - {end / 100}) < 1e-6")
    assert scene_status(page)["timeline"]["caption"] == ""


def _trace(page) -> list[str]:
    return page.evaluate("async () => JSON.parse(await [...window.__raft.scenes.values()].find(u => u.scene).scene.trace())")


def test_playing_again_after_travelling_back_gives_the_same_run(page):
    _ready_timeline(page)
    page.select_option('.raft-scene [data-action="speed"]', "5")
    wait_js(page, "async () => JSON.parse(await [...window.__raft.scenes.values()][0].scene.status()).finished")
    page.click('.raft-scene [data-action="play"]')  # pause
    first, t1 = _trace(page), scene_status(page)["time"]
    page.click('.raft-scene [data-mark="1"]')  # back to (b) ...
    page.wait_for_function(f"() => document.querySelector('{CAPTION}').textContent.startsWith('(b)')")
    page.click('.raft-scene [data-action="play"]')  # ... and play on, frame by frame, past where it was
    wait_js(page, f"async () => JSON.parse(await [...window.__raft.scenes.values()][0].scene.status()).time > {t1}")
    page.click('.raft-scene [data-action="play"]')
    second = [line for line in _trace(page) if float(line.split(" ", 1)[0]) <= t1]
    assert second == first  # the trace of never having moved
    assert scene_status(page)["violation"] is None


def test_counting_old_term_replicas_turns_state_machine_safety_red(page):
    _ready_timeline(page)
    flip_unsafe_and_wait_red(page, "state_machine_safety")
    page.wait_for_selector('.raft-scene .raft-inv[data-invariant="leader_completeness"].raft-inv--bad')
    assert page.locator('.raft-scene .raft-inv[data-invariant="log_matching"].raft-inv--ok').count() == 1
    report = page.locator('.raft-scene [data-role="violation"]').text_content()
    assert "Leader Completeness" in report and "State Machine Safety" in report
    # the restarted run has its marks again; at (c), S1 has now committed index 2
    page.wait_for_function("() => document.querySelectorAll('.raft-scene [data-mark]').length === 5")
    page.click('.raft-scene [data-mark="2"]')
    page.wait_for_function(f"() => document.querySelector('{CAPTION}').textContent.startsWith('(c)')")
    s = scene_status(page)
    assert s["commit"]["S1"] >= 2 and s["unsafe"] == {"commit_old_term_by_counting": True}
    # before the violations, every monitor is green again
    page.wait_for_selector('.raft-scene .raft-inv[data-invariant="state_machine_safety"].raft-inv--ok')


MARK_PLACES = """() => {
  const r = document.querySelector('.raft-scene [data-timeline="scrub"]').getBoundingClientRect();
  return [...document.querySelectorAll('.raft-scene .raft-timeline__marks li')].map((li) => {
    const b = li.getBoundingClientRect();
    const at = parseFloat(li.style.getPropertyValue('--raft-at'));
    return {label: li.textContent, shown: b.width > 0, centre: b.x + b.width / 2, thumb: r.x + 8 + at * (r.width - 16)};
  });
}"""


@pytest.mark.parametrize("page_options", [{}, {"viewport": {"width": 390, "height": 844}}], ids=["1280x900", "390x844"])
def test_each_mark_sits_under_its_place_on_the_slider_and_a_phone_shows_all_five(page):
    """The labels (a)–(e) are centred under the slider's positions of their frames (Material's
    indent of list items once put them 27 px to the right), and on a phone the slider has the
    whole width, so none of the five is hidden for want of room."""
    _ready_timeline(page)
    places = page.evaluate(MARK_PLACES)
    assert [p["label"] for p in places] == ["(a)", "(b)", "(c)", "(d)", "(e)"]
    assert all(p["shown"] for p in places)
    for p in places:
        assert abs(p["centre"] - p["thumb"]) <= 1.5, p
