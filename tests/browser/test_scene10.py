"""Scene 10 in chromium: the reader partitions the network by dragging servers with the mouse and
with the keyboard (and the per-server menus), heals it; the history panel reports the clients'
history linearizable with ReadIndex and not linearizable — the pair highlighted, the monitor red —
with local reads, for the same seed (§8; dissertation §6.4); PreVote off lets a rejoining server
raise everyone's term (dissertation §9.6)."""

from __future__ import annotations

from browser_helpers import flip_unsafe_and_wait_red, keyboard_crash_or_restart, open_scene, press_play, scene_status, set_speed, wait_status

SCENE10 = "scenes/10-partitions-clients/"
VERDICT = '.raft-scene [data-monitor="linearizability"]'


def _open(page, speed: str = "5") -> None:
    open_scene(page, SCENE10, speed=speed)
    # frames run only while the scene is on screen; the mouse needs the diagram in the viewport
    page.locator('.raft-scene [data-role="diagram"]').scroll_into_view_if_needed()


def _center(page, selector: str) -> tuple[float, float]:
    box = page.locator(selector).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def _drag_server_to(page, name: str, fx: float) -> None:
    """Press on a server, move the mouse in steps to ``fx`` of the diagram's width, release."""
    page.locator('.raft-scene [data-role="diagram"] svg:visible').scroll_into_view_if_needed()
    x, y = _center(page, f'.raft-scene [data-server="{name}"]:visible .raft-hit')
    box = page.locator('.raft-scene [data-role="diagram"] svg:visible').bounding_box()
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 10, y, steps=2)
    assert page.locator(".raft-scene .raft-dropzones").count() == 1  # drop zones show while dragging
    page.mouse.move(box["x"] + fx * box["width"], box["y"] + box["height"] / 2, steps=8)
    page.mouse.up()


def test_drag_keyboard_and_menus_partition_the_network_and_heal_it(page):
    _open(page)
    wait_status(page, "s.finished")  # the script is over: from here on only the reader partitions
    page.click('.raft-scene [data-action="play"]')  # pause: nothing moves while we check
    assert scene_status(page)["partition"]["healed"]

    # Pointer: drag S3 to the right half → side B, alone. A drag is not a click: S3 stays up.
    _drag_server_to(page, "S3", 0.85)
    s = wait_status(page, "s.partition.sides.S3 === 'B'")
    assert s["partition"]["groups"] == [["S1", "S2", "S4", "S5"], ["S3"]]
    assert s["alive"]["S3"] is True
    assert page.locator(".raft-scene .raft-dropzones").count() == 0
    assert page.locator(".raft-scene svg.raft-svg--wide .raft-region").count() == 2
    assert page.locator('.raft-scene svg.raft-svg--wide .raft-region--minority[data-side="B"]').count() == 1
    # the menus follow the diagram
    assert page.locator('.raft-scene select[data-partition-server="S3"]').input_value() == "B"
    # S3 now sits right of the wall, S1 left of it
    x1, _ = _center(page, '.raft-scene [data-server="S1"]:visible .raft-hit')
    x3, _ = _center(page, '.raft-scene [data-server="S3"]:visible .raft-hit')
    assert x1 < x3

    # Drag S3 back to the left half: one network again.
    _drag_server_to(page, "S3", 0.15)
    wait_status(page, "s.partition.healed")
    assert page.locator(".raft-scene svg.raft-svg--wide .raft-region").count() == 0

    # Keyboard: focus S1, → puts it on side B, the focus stays on S1 in its new place.
    page.focus('.raft-scene [data-server="S1"]:visible')
    page.keyboard.press("ArrowRight")
    s = wait_status(page, "s.partition.sides.S1 === 'B'")
    assert s["alive"]["S1"] is True
    assert page.evaluate("() => document.activeElement.dataset.server") == "S1"
    page.keyboard.press("b")  # already there: nothing changes
    page.keyboard.press("Tab")  # next server, S2
    assert page.evaluate("() => document.activeElement.dataset.server") == "S2"
    page.keyboard.press("ArrowRight")
    s = wait_status(page, "s.partition.sides.S2 === 'B'")
    assert s["partition"]["groups"] == [["S3", "S4", "S5"], ["S1", "S2"]] or \
        sorted(map(sorted, s["partition"]["groups"])) == [["S1", "S2"], ["S3", "S4", "S5"]]
    assert page.locator(".raft-scene svg.raft-svg--wide .raft-region--majority").count() == 1
    page.keyboard.press("ArrowLeft")
    wait_status(page, "s.partition.sides.S2 === s.partition.sides.S3")

    # A menu: S5 to side B (with S1).
    page.select_option('.raft-scene select[data-partition-server="S5"]', "B")
    s = wait_status(page, "s.partition.sides.S5 === s.partition.sides.S1")
    # Enter on a focused server opens its panel, whose button crashes it; arrows do not.
    keyboard_crash_or_restart(page, "S4")
    wait_status(page, "s.alive.S4 === false")
    keyboard_crash_or_restart(page, "S4")
    wait_status(page, "s.alive.S4 === true")

    # Heal: one network, no regions, the ring again.
    page.click('.raft-scene [data-control="partition"][data-value="heal"]')
    s = wait_status(page, "s.partition.healed")
    assert page.locator(".raft-scene svg.raft-svg--wide .raft-region").count() == 0
    assert "One network" in page.text_content('.raft-scene [data-panel="partition"]')
    assert s["violation"] is None


def test_history_linearizable_with_read_index_and_not_with_local_reads(page):
    _open(page)
    s = wait_status(page, "s.finished")
    assert s["read_mode"] == "read_index" and s["history"]["verdict"] == "linearizable"
    page.wait_for_selector(f'{VERDICT}[data-verdict="linearizable"]')
    assert page.locator(".raft-scene svg.raft-svg--wide .raft-hist__op").count() >= 5
    assert page.locator(".raft-scene svg.raft-svg--wide .raft-hist__op--bad").count() == 0
    seed = s["seed"]
    # the sessions table: carol's retried INC is in the log twice, applied once
    sessions = page.text_content('.raft-scene [data-panel="sessions"]')
    assert "carol" in sessions and s["sessions"]["clients"]["carol"]["extra_copies"] >= 1

    # Unsafe: local reads. Same seed, the monitor turns red, the pair is highlighted and joined.
    flip_unsafe_and_wait_red(page, "linearizability")
    page.wait_for_selector(f'{VERDICT}[data-verdict="violation"]')
    s = scene_status(page)
    assert s["seed"] == seed and s["unsafe"] == {"local_reads": True}
    assert s["history"]["verdict"] == "violation"
    assert page.locator(".raft-scene svg.raft-svg--wide .raft-hist__op--bad").count() == 1
    assert page.locator(".raft-scene svg.raft-svg--wide .raft-hist__op--cause").count() == 1
    assert page.locator(".raft-scene svg.raft-svg--wide .raft-hist__link").count() == 1
    text = page.text_content('.raft-scene [data-role="verdict"]')
    assert "GET x" in text and "stale read" in text
    # the read-path menu shows the same thing as the switch
    assert page.locator('.raft-scene [data-control="read_mode"]').input_value() == "local"

    # Back to ReadIndex from the menu: the switch unticks, the scene restarts, linearizable again.
    page.select_option('.raft-scene [data-control="read_mode"]', "read_index")
    assert not page.locator('.raft-defend [data-action="unsafe"]').is_checked()
    set_speed(page, "5")
    press_play(page)  # the restarted scene opens paused on its opening frame
    s = wait_status(page, "s.finished && s.read_mode === 'read_index'")
    assert s["history"]["verdict"] == "linearizable" and s["seed"] == seed
    page.wait_for_selector(f'{VERDICT}[data-verdict="linearizable"]')
    assert page.locator('.raft-scene .raft-inv[data-invariant="linearizability"].raft-inv--ok').count() == 1


def test_prevote_off_lets_a_rejoining_server_raise_every_term(page):
    _open(page)
    with_prevote = wait_status(page, "s.finished")
    assert with_prevote["extensions"] == {"pre_vote": True, "check_quorum": False}
    page.uncheck('.raft-scene [data-control="extensions"][data-target="pre_vote"]')
    set_speed(page, "5")
    press_play(page)
    without = wait_status(page, "s.finished && s.extensions.pre_vote === false")
    assert max(without["terms"].values()) > max(with_prevote["terms"].values())
    assert without["violation"] is None and without["history"]["verdict"] == "linearizable"
