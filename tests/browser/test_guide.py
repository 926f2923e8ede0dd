"""The authoring guide in chromium: its worked example is a live scene like any other — Python
runs it, the reader's controls work, and its unsafe switch turns the monitor red; the generated
tables are on the page."""

from __future__ import annotations

from browser_helpers import flip_unsafe_and_wait_red, open_scene, scene_status, wait_status

GUIDE = "authoring/"


def test_the_worked_example_runs_and_its_controls_work(page):
    open_scene(page, GUIDE, speed="1")
    # the scenario runs: A is elected and commits SET x 1 on every server
    s = wait_status(page, "s.leader && Object.values(s.states).every(st => st.x === '1')")
    assert s["violation"] is None
    # the reader's client button (keyboard: focus it, press Enter) submits INC x
    button = page.locator('#guide-scene [data-control="client"]')
    button.focus()
    page.keyboard.press("Enter")
    s = wait_status(page, "Object.values(s.states).some(st => Number(st.x) >= 2)")
    # the listing's lines light up while it runs
    page.wait_for_selector(".raft-listings[data-raft-for='guide'] .raft-exec")
    # the generated tables are there
    assert page.locator("table td code", has_text="majorities").count() >= 1
    assert page.locator("table td code", has_text="wait CONDITION [within DURATION]").count() == 1


def test_the_worked_example_defends_its_claim(page):
    open_scene(page, GUIDE)
    flip_unsafe_and_wait_red(page, "state_machine_safety")
    assert scene_status(page)["unsafe"] == {"nondeterministic_state_machine": True}
    report = page.locator('#guide-scene [data-role="violation"]').text_content()
    assert report.startswith("State Machine Safety")
