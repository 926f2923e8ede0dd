"""Scene 01 in Debian's chromium: prerendered SVG, boot, convergence, slider, unsafe switch,
instant navigation without a second boot, bad seeds, and determinism across runtimes."""

from __future__ import annotations

import json

import pytest
from browser_helpers import SCENE01, crash_or_restart, press_play, scene_status, wait_ready, wait_js


def set_speed(page, value: str = "5") -> None:
    page.select_option('.raft-scene [data-action="speed"]', value)


def test_svg_is_there_before_python_and_a_boot_failure_is_explained(page, watch):
    """With the Python runtime unreachable, the prerendered SVG is on the page and the scene
    says why it is not live — never a blank box."""
    watch.allow_console_errors = True  # the aborted module load is logged by the browser
    # (the context routes the requests of the page and of its Python worker)
    page.context.route("**/assets/pyodide/pyodide.asm.wasm*", lambda route: route.abort())
    page.goto(SCENE01, wait_until="domcontentloaded")
    svg = page.locator(".raft-scene svg.raft-svg--wide")  # the desktop drawing (a phone's is beside it)
    assert svg.count() == 1
    assert "SM_A" in svg.inner_html() and "SM_C" in svg.inner_html()
    assert page.locator(".raft-scene svg title").first.text_content()
    page.wait_for_selector('.raft-scene[data-state="failed"]')
    msg = page.locator('.raft-scene [data-role="message"]')
    assert msg.is_visible()
    assert "could not start" in msg.text_content()
    assert svg.count() == 1  # still the prerendered frame


def test_svg_first_then_starting_python_then_interactive(page):
    """Hold Python's runtime back: the prerendered SVG and a "starting Python…" state show, and
    the page answers the reader all the same (issue 16: Python boots in a worker) — it scrolls,
    and Play pressed now plays, and goes on playing once Python is up."""
    held = []
    page.context.route("**/assets/pyodide/pyodide.asm.wasm*", lambda route: held.append(route))
    page.goto(SCENE01, wait_until="domcontentloaded")
    page.wait_for_function("() => document.querySelector('.raft-scene').dataset.state === 'booting'")
    snap = page.evaluate(
        "() => { const el = document.querySelector('.raft-scene');"
        " return {state: el.dataset.state, svg: el.querySelectorAll('svg.raft-svg--wide').length,"
        " status: el.querySelector('[data-role=\"status\"]').textContent,"
        " play: el.querySelector('[data-action=\"play\"]').disabled,"
        " reset: el.querySelector('[data-action=\"reset\"]').disabled}; }"
    )
    assert snap == {"state": "booting", "svg": 1, "status": snap["status"], "play": False, "reset": True}
    assert "Starting Python" in snap["status"]
    page.wait_for_function("() => true")  # let the route handler run
    assert held, "the page never asked for Pyodide"
    # while the runtime is held: the page scrolls, and Play answers at once
    page.mouse.wheel(0, 400)
    page.wait_for_function("() => window.scrollY > 0")
    page.click('.raft-scene [data-action="play"]')
    play = page.locator('.raft-scene [data-action="play"]')
    assert play.get_attribute("aria-pressed") == "true" and play.text_content() == "Pause"
    # … and the diagram moves at once: the build's recording of this very run (tests/browser/test_reel.py)
    assert "computed when the site was built" in page.text_content('.raft-scene [data-role="status"]')
    page.wait_for_function("() => /t = [1-9]/.test(document.querySelector('.raft-scene [data-role=\"time\"]').textContent)")
    assert page.get_attribute(".raft-scene", "data-state") == "booting"  # still held
    held[0].continue_()
    wait_ready(page)
    # … and it plays: the clock moves without another click
    page.wait_for_function(
        "() => { const t = document.querySelector('.raft-scene [data-role=\"time\"]');"
        " return t && /t = [1-9]/.test(t.textContent); }"
    )
    assert page.get_attribute(".raft-scene", "data-playing") == "true"
    assert page.evaluate("() => window.__raftBoots") == 1
    assert page.evaluate("() => typeof globalThis.pyodide") == "undefined"  # Python is in the worker


def test_converges_to_x_3_on_every_server(page):
    page.goto(SCENE01)
    wait_ready(page)
    set_speed(page)
    press_play(page)  # a scene opens paused on its opening frame
    wait_js(page,
        "async () => { const ui = [...window.__raft.scenes.values()][0];"
        " const s = JSON.parse(await ui.scene.status());"
        " return Object.values(s.states).every(st => st.x === '3'); }",
        timeout=60_000,
    )
    status = scene_status(page)
    assert {n: st.get("x") for n, st in status["states"].items()} == {"SM_A": "3", "SM_B": "3", "SM_C": "3"}
    # ... and the diagram on screen shows it (the desktop one at 1280 px; Python keeps only the
    # drawing on screen current): each server's key:value table reads x = 3.
    page.wait_for_function(
        "() => [...document.querySelectorAll('.raft-scene svg.raft-svg--wide [data-server] .raft-state')]"
        ".every(g => /x\\s*[:=]?\\s*3/.test(g.textContent))"
    )
    assert status["violation"] is None
    assert page.locator('.raft-inv[data-invariant="state_machine_safety"].raft-inv--ok').count() >= 1
    # A click opens the server's panel, whose button crashes it; focus it, Enter, and the panel's
    # button restarts it (keyboard operable).
    alive = "async (n) => JSON.parse(await [...window.__raft.scenes.values()][0].scene.status()).alive[n]"
    crash_or_restart(page, "SM_C")
    wait_js(page, f"async () => (await ({alive})('SM_C')) === false")
    page.focus('.raft-scene [data-server="SM_C"]:visible')
    page.keyboard.press("Enter")
    page.focus('.raft-scene [data-inspect-action="restart"]')
    page.keyboard.press("Enter")
    wait_js(page, f"async () => (await ({alive})('SM_C')) === true")
    assert scene_status(page)["states"]["SM_C"].get("x") in (None, "3")


def test_executed_lines_light_up_while_running(page):
    page.goto(SCENE01)
    wait_ready(page)
    set_speed(page, "0.5")
    press_play(page)
    page.wait_for_selector(".raft-listing .raft-exec", timeout=60_000)


def test_slider_stalls_sm_c_and_raises_the_banner(page):
    page.goto(SCENE01)
    wait_ready(page)
    banner = page.locator("#s01-banner")
    assert banner.get_attribute("visibility") == "hidden"
    page.evaluate(
        "() => { const r = document.querySelector('.raft-scene [data-control=\"link_delay\"]');"
        " r.value = '1500'; r.dispatchEvent(new Event('input', {bubbles: true})); }"
    )
    press_play(page)
    page.wait_for_function("() => document.getElementById('s01-banner').getAttribute('visibility') === 'visible'")
    assert "slow" in banner.text_content() or "crashed" in banner.text_content()
    assert page.locator(".raft-scene .raft-arrow--stalled").count() >= 1
    status = scene_status(page)
    assert status["link_delays"] == {"SM_C": 1500.0}
    # Stalled, not cut: SM_C falls behind while SM_A and SM_B carry on.
    set_speed(page)
    wait_js(page,
        "async () => { const s = JSON.parse(await [...window.__raft.scenes.values()][0].scene.status());"
        " return s.time > 700; }"
    )
    assert page.locator('.raft-scene [data-role="output"], .raft-control__value').first.text_content().startswith("+")


def test_unsafe_switch_turns_state_machine_safety_red(page):
    page.goto(SCENE01)
    wait_ready(page)
    page.check('.raft-defend [data-action="unsafe"]')
    set_speed(page)
    press_play(page)  # the switch restarts the scene paused on its opening frame
    page.wait_for_selector(
        '.raft-scene .raft-inv[data-invariant="state_machine_safety"].raft-inv--bad', timeout=60_000
    )
    assert page.locator('.raft-defend .raft-inv[data-invariant="state_machine_safety"].raft-inv--bad').count() == 1
    report = page.locator('.raft-scene [data-role="violation"]')
    assert report.is_visible() and "State Machine Safety" in report.text_content()
    assert scene_status(page)["unsafe"] == {"nondeterministic_state_machine": True}


def test_instant_navigation_boots_python_once(page):
    page.goto("")
    # Material's bundle starts after the first paint (plugin/material_start.py), which can be
    # after the load event: until then a link is an ordinary (full) navigation.
    page.wait_for_function("() => window.document$ !== undefined")
    assert page.evaluate("() => window.__raftBoots") <= 1  # at most one boot, for the home page's live hero
    page.click(f'article .raft-toc a[href$="{SCENE01}"]')
    wait_ready(page)
    page.click('.md-header a.md-logo, .md-header__button.md-logo')
    page.wait_for_selector("article .raft-toc")
    page.click(f'article .raft-toc a[href$="{SCENE01}"]')
    wait_ready(page)
    assert page.evaluate("() => window.__raftBoots") == 1
    assert page.evaluate("() => window.__raft.scenes.size") == 1  # the first scene was unmounted
    assert page.evaluate("() => performance.getEntriesByType('navigation').length") == 1


def test_garbage_seed_shows_a_message_in_the_scene(page):
    page.goto(SCENE01 + "?seed=banana%3Cb%3E")
    wait_ready(page)
    msg = page.locator('.raft-scene [data-role="message"]')
    assert msg.is_visible()
    assert "not a whole number" in msg.text_content() and "banana<b>" in msg.text_content()
    assert scene_status(page)["seed"] == 1  # fell back to the scene's own seed
    # A bad seed typed into the box is refused in the scene as well.
    page.fill('.raft-scene [data-action="seed"]', "-3")
    page.press('.raft-scene [data-action="seed"]', "Enter")
    page.wait_for_function(
        "() => document.querySelector('.raft-scene [data-role=\"message\"]').textContent.includes('seed')"
    )
    # A good one is taken and written to the address.
    page.fill('.raft-scene [data-action="seed"]', "42")
    page.press('.raft-scene [data-action="seed"]', "Enter")
    page.wait_for_function("() => new URL(location.href).searchParams.get('seed') === '42'")
    assert scene_status(page)["seed"] == 42


def test_seed_in_the_url_is_used(page):
    page.goto(SCENE01 + "?seed=7")
    wait_ready(page)
    assert scene_status(page)["seed"] == 7
    assert page.input_value('.raft-scene [data-action="seed"]') == "7"


def test_trace_hash_in_the_browser_equals_cpython(page):
    from raftsite.browser import scenario_trace_hash

    page.goto(SCENE01)
    wait_ready(page)
    got = page.evaluate(
        "async () => { const {bridge} = await window.__raft.boot();"
        " return [await bridge.scenario_trace_hash('scene01'), await bridge.scenario_trace_hash('scene01', 7)]; }"
    )
    assert got == [scenario_trace_hash("scene01"), scenario_trace_hash("scene01", 7)]
    from raftcore.scenarios import load_scenario

    run = load_scenario("scene01").start(strict=False)
    run.finish()
    assert got[0] == run.cluster.trace_hash()


@pytest.mark.reduced_motion
def test_reduced_motion_does_not_autoplay(page):
    page.goto(SCENE01)
    wait_ready(page)
    assert page.get_attribute(".raft-scene", "data-playing") == "false"
    t0 = scene_status(page)["time"]
    page.wait_for_timeout(500)
    assert scene_status(page)["time"] == t0  # paused: no frames, no work
    # Next ▶ with reduced motion jumps to the end of its step: no travelling messages
    page.click('.raft-scene [data-action="next"]')
    page.wait_for_function("() => document.querySelector('.raft-scene').dataset.stepping === 'false'")
    assert scene_status(page)["time"] > t0
    assert json.loads(page.evaluate("() => JSON.stringify(window.__raft.timings)"))["bootMs"] > 0
