"""Scene 09 in chromium: each server's disk drawn apart from its memory; the reader crashes and
restarts a server with the keyboard and sees only its memory lost and the restarted server start
from its disk and catch up; a slower disk (keyboard on the slider) holds replies back, shown as
"writing…"; forgetting votedFor on restart elects two leaders in term 1 and the Election Safety
monitor turns red."""

from __future__ import annotations

from browser_helpers import flip_unsafe_and_wait_red, keyboard_crash_or_restart, open_scene, scene_status, set_speed, wait_status

SCENE09 = "scenes/09-persistence/"


def _card(page, name: str) -> str:
    return page.text_content(f'#s09-layer-disk [data-disk="{name}"]') or ""


def _row(page, name: str) -> list[str]:
    return page.evaluate(
        "(n) => { const tr = [...document.querySelectorAll('#s09-persistence tbody tr')]"
        ".find(r => r.children[0].textContent === n); return tr ? [...tr.children].map(c => c.textContent) : null; }",
        name)


def test_a_crash_loses_memory_only_and_the_server_restarts_from_its_disk(page):
    open_scene(page, SCENE09, speed="1")
    s = wait_status(page, "s.finished")
    assert s["violation"] is None and s["leaders"] == {"S2": 2}
    disk = s["disk"]["S4"]
    assert f"disk: T{disk['current_term']} · voted {disk['voted_for'] or '—'}" in _card(page, "S4")
    # The reader crashes S4 with the keyboard: focus it, Enter opens its panel, Enter on Crash.
    keyboard_crash_or_restart(page, "S4", "#s09-scene")
    s = wait_status(page, "s.alive.S4 === false")
    assert s["memory"]["S4"] is None and s["disk"]["S4"] == disk  # memory gone, disk untouched
    page.wait_for_function("() => document.querySelector('#s09-layer-disk [data-disk=\"S4\"]')"
                           ".textContent.includes('memory: lost in the crash')")
    assert _row(page, "S4")[4:] == ["lost (crashed)", "lost", "lost", "lost"]
    assert _row(page, "S4")[1] == str(disk["current_term"])
    # Again, on Restart: S4 restarts from its disk and learns the rest from the leader.
    keyboard_crash_or_restart(page, "S4", "#s09-scene")
    s = wait_status(page, "s.alive.S4 && s.states.S4.x === '4' && s.memory.S4.last_applied === s.disk.S4.log.length")
    assert s["disk"]["S4"]["log"] == disk["log"] and s["disk"]["S4"]["current_term"] >= disk["current_term"]
    assert "memory: follower" in _card(page, "S4")
    assert s["violation"] is None


def test_a_slower_disk_holds_replies_back_while_writing(page):
    open_scene(page, SCENE09, speed="0.25")
    # The reader moves the disk-write-time slider to its maximum with the keyboard.
    page.focus('#s09-scene [data-control="persistence"]')
    page.keyboard.press("End")
    s = wait_status(page, "s.write_ms === 20")
    assert page.text_content('#s09-scene .raft-control--range output') == "20 ms"
    # ... and resets the scene (keyboard) to watch the script again with that disk.
    page.focus('#s09-scene [data-action="reset"]')
    page.keyboard.press("Enter")
    page.focus('#s09-scene [data-action="play"]')
    if page.get_attribute('#s09-scene [data-action="play"]', "aria-pressed") == "false":
        page.keyboard.press("Enter")
    s = wait_status(page, "s.writing.length > 0")
    page.wait_for_selector("#s09-layer-disk .raft-disk--writing")
    assert "writing… replies wait" in page.text_content("#s09-layer-disk .raft-disk--writing")
    assert s["write_ms"] == 20
    set_speed(page, "5")
    s = wait_status(page, "s.finished")
    assert s["violation"] is None and all(st.get("x") == "4" for st in s["states"].values())


def test_forgetting_the_vote_on_restart_turns_election_safety_red(page):
    open_scene(page, SCENE09)
    flip_unsafe_and_wait_red(page, "election_safety")
    report = page.text_content('#s09-scene [data-role="violation"]')
    assert "Election Safety" in report and "S1 and S2 were both elected leader of term 1" in report
    s = scene_status(page)
    assert s["unsafe"] == {"forget_voted_for_on_restart": True}
