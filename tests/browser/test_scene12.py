"""Scene 12 in chromium: log compaction (paper §7, thesis chapter 5). The restarted lagging
follower S5 receives InstallSnapshot and ends with the same state-machine digest as every other
server; the threshold slider, operated from the keyboard, turns compaction off (the logs grow,
no snapshot is sent) and on again; a follower the reader crashes and restarts far behind gets a
snapshot too."""

from __future__ import annotations

from browser_helpers import keyboard_crash_or_restart, open_scene, press_play, scene_status, wait_status

SCENE12 = "scenes/12-snapshots/"
SLIDER = '.raft-scene [data-control="snapshot_threshold"]'
SAME_DIGESTS = "new Set(Object.values(s.digests).map(d => JSON.stringify(d))).size === 1"


def _digests_drawn(page) -> set[str]:
    return set(page.eval_on_selector_all("#s12 .raft-smdigest[data-digest]", "els => els.map(e => e.dataset.digest)"))


def test_the_restarted_follower_installs_the_snapshot_and_ends_identical(page):
    open_scene(page, SCENE12, speed="5")
    s = wait_status(page, f"s.finished && s.installs.some(i => i[1] === 'S5') && {SAME_DIGESTS}")
    assert s["snapshot_threshold"] == 5
    assert s["snapshots"]["S5"] >= 5
    assert s["violation"] is None
    # the reader sees one snapshot box per server and five equal digests
    assert page.locator("#s12 .raft-snapbox:not(.raft-snapbox--none)").count() == 5
    page.wait_for_function("() => document.querySelectorAll('#s12 .raft-smdigest[data-digest]').length === 5")
    assert _digests_drawn(page) == {s["digests"]["S1"][0]}
    # back to step (3), S5's restart, then one event at a time: the InstallSnapshot on the wire
    page.click('.raft-scene [data-mark="2"]')
    wait_status(page, "s.timeline.caption.startsWith('(3)') && s.alive.S5 && s.snapshots.S5 === 0")
    for _ in range(300):
        if page.locator("#s12-msgs .raft-msg--is").count():
            break
        page.click('.raft-scene [data-timeline="forward"]')
    msg = page.locator("#s12-msgs .raft-msg--is")
    assert msg.count() == 1
    assert "S1 \u2192 S5: S1->S5 InstallSnapshot" in msg.locator("title").text_content()


def test_the_threshold_slider_from_the_keyboard(page):
    open_scene(page, SCENE12, speed="5")
    page.focus(SLIDER)
    page.keyboard.press("Home")  # 0: never compact (the scene restarts)
    page.wait_for_function(f"() => document.querySelector('{SLIDER}').parentElement.querySelector('output').textContent === 'never'")
    press_play(page)  # the restarted scene opens paused on its opening frame
    s = wait_status(page, f"s.snapshot_threshold === 0 && s.finished && {SAME_DIGESTS}")
    assert s["snapshots"] == {n: 0 for n in s["snapshots"]} and s["installs"] == []
    assert len(s["logs"]["S1"]) == s["applied"]["S1"] >= 12  # the whole log is still there
    assert page.locator("#s12 .raft-snapbox--none").count() == 5
    page.focus(SLIDER)
    for _ in range(3):
        page.keyboard.press("ArrowRight")  # 3 entries
    press_play(page)
    s = wait_status(page, f"s.snapshot_threshold === 3 && s.finished && s.installs.length > 0 && {SAME_DIGESTS}")
    assert len(s["logs"]["S1"]) < s["applied"]["S1"]  # a compacted prefix
    assert s["violation"] is None


def test_a_follower_the_reader_restarts_far_behind_gets_a_snapshot(page):
    open_scene(page, SCENE12, speed="5")
    wait_status(page, f"s.finished && {SAME_DIGESTS}")
    keyboard_crash_or_restart(page, "S3")  # crash S3
    wait_status(page, "!s.alive.S3")
    for _ in range(6):
        page.click('.raft-scene [data-control="client"]')
    s = wait_status(page, "s.states.S1.x === '12' && s.snapshots[s.leader] > 12")
    keyboard_crash_or_restart(page, "S3")  # restart it
    s = wait_status(page, f"s.alive.S3 && s.installs.some(i => i[1] === 'S3') && s.applied.S3 === s.applied.S1 && {SAME_DIGESTS}")
    assert s["states"]["S3"] == s["states"]["S1"]
    assert s["violation"] is None
    assert scene_status(page)["digests"]["S3"] == s["digests"]["S1"]
