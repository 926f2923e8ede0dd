"""Keyboard: every control of a scene and of the lab is reachable with Tab and works without a
mouse (WCAG 2.1 SC 2.1.1 Keyboard, 2.4.3 Focus Order; issue 15, item 8).

* Tab from the scene's first control visits every visible, enabled control of the scene (the
  toolbar's buttons, speed, seed, the unsafe switch, client buttons, the servers of the diagram,
  the listing tabs and code) in document order — no control is skipped, none traps the focus.
* The toolbar works from the keyboard: Enter and Space on Play start and stop the run (Space
  on the focused button toggles once, not once for the button and again for the page's Space
  shortcut), Next ▶ moves to the next step, a new seed typed into the seed box and Enter
  restarts the run with it, and Enter on a focused server opens its details.
* The lab's form, Run button included, is reached the same way.
"""

from __future__ import annotations

import json

from browser_helpers import SCENE04, scene_status, wait_ready, wait_js

LAB = "lab/"

#: Controls that take the keyboard focus, as the browser does (tabindex >= 0), visible and enabled.
_CONTROLS = """(root) => {
  const sel = 'a[href], button, input, select, textarea, [tabindex]';
  const shown = (e) => e.getClientRects().length > 0 && !e.closest('[hidden]')
                       && getComputedStyle(e).visibility !== 'hidden';
  const list = [...document.querySelector(root).querySelectorAll(sel)]
    .filter(e => e.tabIndex >= 0 && !e.disabled && shown(e));
  list.forEach((e, i) => { e.dataset.kbd = String(i); });
  return list.map(e => e.outerHTML.slice(0, 120));
}"""
_ACTIVE = "() => document.activeElement && document.activeElement.dataset.kbd !== undefined ? Number(document.activeElement.dataset.kbd) : null"


def tab_through(page, root: str) -> tuple[list[str], list[int | None]]:
    """Focus ``root``'s first control and press Tab once per further control; the controls and
    the index of the control focused after each press (None: focus left ``root``'s controls)."""
    controls = page.evaluate(_CONTROLS, root)
    assert len(controls) >= 2, controls
    page.focus(f'{root} [data-kbd="0"]')
    visited = [page.evaluate(_ACTIVE)]
    for _ in range(len(controls) - 1):
        page.keyboard.press("Tab")
        visited.append(page.evaluate(_ACTIVE))
    return controls, visited


def test_tab_visits_every_control_of_a_scene_in_order(page):
    page.goto(SCENE04)
    wait_ready(page)
    controls, visited = tab_through(page, ".raft-scene")
    for needed in ('data-action="play"', 'data-action="next"', 'data-action="reset"', 'data-action="speed"',
                   'data-action="seed"', 'class="raft-server'):
        assert any(needed in c for c in controls), f"no focusable {needed} in the scene"
    missed = [controls[i] for i in range(len(controls)) if i not in visited]
    assert visited == list(range(len(controls))), f"Tab order {visited}; never reached: {missed}"


def test_the_scene_toolbar_works_from_the_keyboard(page):
    page.goto(SCENE04)
    wait_ready(page)
    play = page.locator('.raft-scene [data-action="play"]')
    assert play.get_attribute("aria-pressed") == "false"  # scenes open paused
    for key in ("Enter", " "):
        play.focus()
        t0 = scene_status(page)["time"]
        page.keyboard.press(key)
        assert play.get_attribute("aria-pressed") == "true", f"{key!r} on Play did not start the run"
        wait_js(page, f"async () => JSON.parse(await [...window.__raft.scenes.values()][0].scene.status()).time > {t0}")
        page.keyboard.press(key)
        assert play.get_attribute("aria-pressed") == "false", f"{key!r} on Play did not pause the run"

    before = scene_status(page)["step_no"]
    page.focus('.raft-scene [data-action="next"]')
    page.keyboard.press("Enter")
    wait_js(page,
        f"async () => {{ const s = JSON.parse(await [...window.__raft.scenes.values()][0].scene.status());"
        f" return !s.stepping && JSON.stringify(s.step_no) !== {json.dumps(json.dumps(before))}; }}")

    seed = page.locator('.raft-scene [data-action="seed"]')
    seed.focus()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("7")
    page.keyboard.press("Enter")
    wait_js(page, "async () => JSON.parse(await [...window.__raft.scenes.values()][0].scene.status()).seed === 7")

    server = page.locator(".raft-scene .raft-server:visible").first
    server.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector('.raft-scene [data-role="inspect"]:not([hidden])')


def test_tab_visits_every_control_of_the_lab(page):
    page.goto(LAB)
    page.wait_for_selector('.raft-lab[data-state="ready"]', timeout=120_000)
    controls, visited = tab_through(page, ".raft-lab")
    assert any('data-action="lab-run"' in c for c in controls)
    missed = [controls[i] for i in range(len(controls)) if i not in visited]
    assert visited == list(range(len(controls))), f"Tab order {visited}; never reached: {missed}"
