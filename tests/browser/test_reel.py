"""Play and Next ▶ move the diagram at once, while Python still boots (raftsite/reels.py).

The build records the first seconds of each scene's Play and Next ▶; the glue plays them while
Python's runtime is held back here, and the live scene then replays the same calls up to the
frame on screen and goes on from it. Each test checks both halves: what the reader sees while
booting, and that the live run is the recorded run (its trace is CPython's replay of the frames
shown — determinism, the promise the reels rest on).
"""

from __future__ import annotations

import json

import pytest

from browser_helpers import SCENE01, SCENE04, drawing, hold_materials_bundle, release_materials_bundle, wait_js, wait_ready

from raftsite.browser import Scene

HELD = "**/assets/pyodide/pyodide.asm.wasm*"

def _hold_python(page) -> list:
    held: list = []
    page.context.route(HELD, lambda route: held.append(route))
    return held


def _booting(page, path: str) -> list:
    held = _hold_python(page)
    page.goto(path, wait_until="domcontentloaded")
    page.wait_for_function("() => document.querySelector('.raft-scene').dataset.state === 'booting'")
    return held


def _release(page, held: list) -> None:
    page.wait_for_function("() => true")  # let the route handler run
    assert held, "the page never asked for Python's runtime"
    for route in held:
        route.continue_()
    wait_ready(page)


def _config(page) -> dict:
    return json.loads(page.get_attribute(".raft-scene", "data-scene"))


def _reel(page) -> str | None:
    return page.get_attribute(".raft-scene", "data-reel")


def _live_trace(page) -> list[str]:
    return json.loads(page.evaluate("async () => [...window.__raft.scenes.values()][0].scene.trace()"))


def _time(page) -> str:
    return page.text_content('.raft-scene [data-role="time"]')


def test_play_moves_the_diagram_before_python_is_up_and_the_live_run_continues_it(page):
    reels: list[str] = []
    page.context.on("request", lambda r: reels.append(r.url) if "/assets/reels/" in r.url else None)
    held = _booting(page, SCENE04)
    before = drawing(page)
    t0 = _time(page)
    page.click('.raft-scene [data-action="play"]')
    play = page.locator('.raft-scene [data-action="play"]')
    assert play.text_content() == "Pause" and play.get_attribute("aria-pressed") == "true"
    # the clock and the drawing move, Python still held back
    page.wait_for_function("(t0) => document.querySelector('.raft-scene [data-role=\"time\"]').textContent !== t0", arg=t0)
    wait_js(page, "() => document.querySelector('.raft-scene').dataset.reel === 'playing'")
    assert page.get_attribute(".raft-scene", "data-state") == "booting"
    assert drawing(page) != before
    assert "computed when the site was built" in page.text_content('.raft-scene [data-role="status"]')
    _release(page, held)
    k = page.evaluate("() => window.__raft.timings.reelFrames")
    assert k and k > 0
    # the live run plays on, from the frame the reel had reached
    assert page.get_attribute(".raft-scene", "data-playing") == "true"
    assert _reel(page) is None
    replayed = Scene(_config(page))
    replayed.replay_reel("play", k)
    expected = replayed.cluster.trace()
    assert _live_trace(page)[: len(expected)] == expected
    assert len(reels) == 1, reels  # fetched once, early (named in <head>), by the scene that plays it


def test_next_runs_the_first_step_before_python_is_up_and_the_live_scene_shows_that_frame(page):
    held = _booting(page, SCENE01)
    opening = page.text_content('.raft-scene [data-role="caption"]')
    page.click('.raft-scene [data-action="next"]')
    wait_js(page, "() => document.querySelector('.raft-scene').dataset.reel === 'done'", timeout=20_000)
    assert page.get_attribute(".raft-scene", "data-state") == "booting"
    caption = page.text_content('.raft-scene [data-role="caption"]')
    assert caption.startswith("Step 2 of")  # the step the reader asked for, reached
    last_frame = drawing(page)
    _release(page, held)
    # no jump: the live scene draws exactly the frame the reel ended on, paused on its step
    assert drawing(page) == last_frame
    assert page.text_content('.raft-scene [data-role="caption"]') == caption
    assert page.get_attribute(".raft-scene", "data-playing") == "false"
    k = page.evaluate("() => window.__raft.timings.reelFrames")
    replayed = Scene(_config(page))
    replayed.replay_reel("next", k)
    assert _live_trace(page) == replayed.cluster.trace()
    # ◀ Back returns to the opening frame, as after a live step
    assert page.locator('.raft-scene [data-action="back"]').is_enabled()
    page.click('.raft-scene [data-action="back"]')
    wait_js(page, "(c) => document.querySelector('.raft-scene [data-role=\"caption\"]').textContent.startsWith(c)",
            opening.split("·")[0].strip())


def test_pause_holds_the_reel_and_next_pressed_then_runs_once_python_is_up(page):
    held = _booting(page, SCENE04)
    page.click('.raft-scene [data-action="play"]')
    wait_js(page, "() => window.__raft.scenes.size && [...window.__raft.scenes.values()][0].reel.k >= 5")
    page.click('.raft-scene [data-action="play"]')  # Pause
    assert _reel(page) == "paused"
    assert page.text_content('.raft-scene [data-action="play"]') == "Play"
    t = _time(page)
    page.wait_for_timeout(300)
    assert _time(page) == t  # held
    page.click('.raft-scene [data-action="next"]')  # not recorded from here: waits for Python
    assert _reel(page) == "frozen"
    assert "Next ▶ runs as soon as it is ready" in page.text_content('.raft-scene [data-role="status"]')
    k = page.evaluate("() => [...window.__raft.scenes.values()][0].reel.k")
    _release(page, held)
    # the live run took over at the paused frame, then ran Next ▶ from there
    replayed = Scene(_config(page))
    replayed.replay_reel("play", k)
    expected = replayed.cluster.trace()
    wait_js(page, "() => document.querySelector('.raft-scene').dataset.stepping === 'true' || "
                  "/^Step \\d+ of/.test(document.querySelector('.raft-scene [data-role=\"caption\"]').textContent)")
    assert _live_trace(page)[: len(expected)] == expected


def test_the_keyboard_plays_the_reel_too(page):
    held = _booting(page, SCENE04)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")  # keys on the page's body
    page.keyboard.press("Space")
    wait_js(page, "() => document.querySelector('.raft-scene').dataset.reel === 'playing'")
    page.keyboard.press("Space")
    assert _reel(page) == "paused"
    _release(page, held)
    assert page.get_attribute(".raft-scene", "data-playing") == "false"


def test_without_its_reel_play_still_waits_for_python_and_plays(page, watch):
    """A reel that cannot be fetched costs nothing but the wait: Play is remembered and done
    the moment Python is up, as before reels existed."""
    watch.allow_console_errors = True  # the browser reports the failed request itself
    page.context.route("**/assets/reels/*", lambda route: route.abort())
    held = _booting(page, SCENE04)
    page.click('.raft-scene [data-action="play"]')
    wait_js(page, "() => [...window.__raft.scenes.values()][0].reel.failed === true")
    assert "plays as soon as it is ready" in page.text_content('.raft-scene [data-role="status"]')
    assert _reel(page) is None
    _release(page, held)
    wait_js(page, "() => /t = [1-9]/.test(document.querySelector('.raft-scene [data-role=\"time\"]').textContent)")


def test_play_answers_before_the_page_is_parsed_and_materials_bundle_has_run(page):
    """A scene mounts as soon as it is parsed (markdown_ext.MOUNT_HOOK), not at
    DOMContentLoaded: here the rest of the page is held up behind a script that never comes (the
    test adds it to the page, right before ``</body>``), Material's bundle (which runs after the
    page's first frame, plugin/material_start.py) and Python are held back, and Play still plays
    the reel."""
    bundle = hold_materials_bundle(page)
    parser: list = []
    page.context.route("**/held-parser.js", lambda route: parser.append(route))

    def with_a_held_script(route):
        html = route.fetch().text()
        assert html.count("</body>") == 1
        route.fulfill(body=html.replace("</body>", '<script src="/held-parser.js"></script></body>'),
                      content_type="text/html; charset=utf-8")

    page.route(f"**/{SCENE04}", with_a_held_script)
    held = _hold_python(page)
    page.goto(SCENE04, wait_until="commit")
    page.wait_for_selector('.raft-scene [data-action="play"]:not([disabled])')
    t0 = _time(page)
    page.click('.raft-scene [data-action="play"]')
    page.wait_for_function("(t0) => document.querySelector('.raft-scene [data-role=\"time\"]').textContent !== t0", arg=t0)
    assert page.evaluate("() => [document.readyState, typeof window.document$]") == ["loading", "undefined"]
    assert _reel(page) == "playing"
    # the listings further down the page, parsed after the scene mounted, follow the reel
    page.wait_for_function("() => document.querySelector('.raft-listings .raft-exec') !== null")
    page.wait_for_function("() => true")  # let the route handlers run
    assert parser, "the page never asked for the held script"
    for route in parser:
        route.fulfill(body="", content_type="text/javascript")
    page.wait_for_function("() => document.readyState !== 'loading'")
    page.wait_for_function("() => true")
    assert bundle, "the page never asked for Material's bundle"
    assert page.evaluate("() => typeof window.document$") == "undefined"
    release_materials_bundle(page, bundle)
    _release(page, held)
    assert page.get_attribute(".raft-scene", "data-playing") == "true"
    assert len(page.evaluate("() => [...window.__raft.scenes.keys()]")) == 1  # mounted once


def test_an_address_with_a_seed_or_a_step_has_no_reel(page):
    """The reel is the scene's own seed from the opening: another seed or step is another run."""
    reels: list[str] = []
    page.context.on("request", lambda r: reels.append(r.url) if "/assets/reels/" in r.url else None)
    for query in ("?seed=9", "?step=2"):
        held = _booting(page, SCENE04 + query)
        assert page.evaluate("() => [...window.__raft.scenes.values()][0].reel") is None
        page.click('.raft-scene [data-action="play"]')
        assert _reel(page) is None
        assert "plays as soon as it is ready" in page.text_content('.raft-scene [data-role="status"]')
        _release(page, held)
        page.context.unroute(HELD)
    assert reels == []  # not even fetched


@pytest.mark.reduced_motion
def test_with_reduced_motion_there_is_no_reel(page):
    """Reduced motion: a step is a jump, not an animation; Play waits for Python and then
    advances in jumps (tests/browser/test_reduced_motion.py)."""
    reels: list[str] = []
    page.context.on("request", lambda r: reels.append(r.url) if "/assets/reels/" in r.url else None)
    held = _booting(page, SCENE04)
    assert page.evaluate("() => [...window.__raft.scenes.values()][0].reel") is None
    page.click('.raft-scene [data-action="play"]')
    assert _reel(page) is None and "plays as soon as it is ready" in page.text_content('.raft-scene [data-role="status"]')
    _release(page, held)
    assert reels == []  # not even fetched
