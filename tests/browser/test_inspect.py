"""Inspect (RaftScope's click-a-server): a click — or Tab to a server and Enter — opens a panel with
the server's whole state as Figure 2 names it (current_term, voted_for, role, log, commit_index,
last_applied; for a leader next_index and match_index per follower). Crash and restart are buttons
in that panel, so a click never crashes a server by accident. Escape closes it and gives the focus
back to the server. A click on a message on the wire shows its fields."""

from __future__ import annotations

from browser_helpers import scene_status, wait_ready

SCENE07 = "scenes/07-election-restriction/"
PANEL = '.raft-scene [data-role="inspect"]'


def _settled(page):
    page.wait_for_function("() => document.querySelector('.raft-scene').dataset.stepping === 'false'",
                           timeout=120_000)


def test_a_server_opens_its_state_and_crash_restart_are_buttons_there(page):
    page.goto(SCENE07 + "?step=2")
    wait_ready(page)
    s = scene_status(page)
    leader = s["leader"]
    assert leader == "S1"
    assert page.locator(PANEL).is_hidden()
    page.locator(f'.raft-scene [data-server="{leader}"]:visible').first.click()
    panel = page.locator(PANEL)
    assert panel.is_visible()
    text = panel.text_content()
    for field in ("current_term", "voted_for", "commit_index", "last_applied", "leader", "next_index", "match_index"):
        assert field in text, field
    # the leader's view of each follower, one row each
    rows = page.evaluate("() => [...document.querySelectorAll('.raft-scene .raft-inspect__progress tbody tr')]"
                         ".map(tr => [...tr.children].map(c => c.textContent))")
    assert sorted(r[0] for r in rows) == [n for n in s["terms"] if n != leader]
    assert s["alive"][leader]  # the click crashed nothing
    # Crash is a button in the panel; it becomes Restart
    page.click(f'{PANEL} [data-inspect-action="crash"]')
    assert scene_status(page)["alive"][leader] is False
    assert "crashed" in panel.text_content()
    page.click(f'{PANEL} [data-inspect-action="restart"]')
    assert scene_status(page)["alive"][leader] is True
    # Escape closes it; the focus goes back to the server
    page.keyboard.press("Escape")
    assert panel.is_hidden()
    assert page.evaluate("() => document.activeElement.dataset.server") == leader


def test_the_keyboard_opens_a_server_and_the_panel_follows_the_run(page):
    page.goto(SCENE07)
    wait_ready(page)
    page.focus('.raft-scene [data-server="S3"]:visible')
    page.keyboard.press("Enter")
    panel = page.locator(PANEL)
    assert panel.is_visible() and "Server S3" in panel.text_content()
    assert page.evaluate("() => document.querySelector('.raft-scene [data-role=\"inspect\"]').contains(document.activeElement)")
    assert "current_term0" in panel.text_content().replace(" ", "")
    page.select_option('.raft-scene [data-action="speed"]', "5")
    page.click('.raft-scene [data-action="next"]')
    _settled(page)
    assert "current_term1" in panel.text_content().replace(" ", "")  # updated with the run
    page.focus(f'{PANEL} [data-inspect-action="close"]')
    page.keyboard.press("Enter")
    assert panel.is_hidden()


def test_a_message_on_the_wire_shows_its_fields(page):
    page.goto(SCENE07)
    wait_ready(page)
    # run Next ▶ slowly (the scene's own speed) and stop as soon as a message is on the wire
    page.click('.raft-scene [data-action="next"]')
    page.wait_for_selector(".raft-scene svg:not(.raft-svg--narrow) [data-flight]", timeout=60_000)
    page.click('.raft-scene [data-action="play"]')  # Play during a step: it plays freely …
    page.click('.raft-scene [data-action="play"]')  # … and pauses
    if not page.locator(".raft-scene svg:not(.raft-svg--narrow) [data-flight]").count():
        page.click('.raft-scene [data-action="next"]')
        page.wait_for_selector(".raft-scene svg:not(.raft-svg--narrow) [data-flight]", timeout=60_000)
        page.evaluate("() => [...window.__raft.scenes.values()][0].setPlaying(false)")
    msg = page.locator(".raft-scene svg:not(.raft-svg--narrow) [data-flight]").first
    msg.dispatch_event("click")
    panel = page.locator(PANEL)
    panel.wait_for(state="visible")
    text = panel.text_content()
    assert " from S" in text and " to S" in text and "term" in text
    assert any(k in text for k in ("RequestVote", "AppendEntries"))
    page.keyboard.press("Escape")
    assert panel.is_hidden()
