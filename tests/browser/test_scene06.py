"""Scene 06 in chromium: the Figure 7 logs are repaired one entry per round trip and then with the
conflict-term hint; the table shows the hint never needs more round trips than one-by-one backup
for any follower, and fewer for (b), (e) and (f)."""

from __future__ import annotations

from browser_helpers import SCENE06, open_scene, press_play, scene_status, set_speed, wait_status

FOLLOWERS = ["a", "b", "c", "d", "e", "f"]


def _table(page) -> dict[str, tuple[str, str]]:
    rows = page.evaluate(
        "() => [...document.querySelectorAll('#s06-roundtrips tbody tr')]"
        ".map(tr => [...tr.children].map(td => td.textContent))"
    )
    return {r[0]: (r[1], r[2]) for r in rows}


def test_conflict_hint_needs_no_more_round_trips_and_fewer_for_b_e_f(page):
    open_scene(page, SCENE06, speed="1")
    # One entry at a time first (the switch is off): wait until every follower's log is L's.
    s = wait_status(page, "['a','b','c','d','e','f'].every(f => s.roundtrips.slow[f])")
    assert s["backtrack"] == "slow"
    # The reader ticks the hint; the diagram restarts with it and repairs the logs again.
    page.check('.raft-scene [data-control="backtrack"]')
    set_speed(page, "1")
    press_play(page)  # the restarted scene opens paused on its opening frame
    s = wait_status(page, "s.backtrack === 'fast' && ['a','b','c','d','e','f'].every(f => s.roundtrips.fast[f])")
    slow, fast = s["roundtrips"]["slow"], s["roundtrips"]["fast"]
    for f in FOLLOWERS:
        assert fast[f] <= slow[f], (f, fast[f], slow[f])
    for f in ("b", "e", "f"):
        assert fast[f] < slow[f], (f, fast[f], slow[f])
    # The same numbers are what the reader sees in the table.
    page.wait_for_function("() => !document.querySelector('#s06-roundtrips').textContent.includes('…')")
    table = _table(page)
    assert {f: (int(a), int(b)) for f, (a, b) in table.items()} == {f: (slow[f], fast[f]) for f in FOLLOWERS}
    # Repair ends with every log equal to the leader's, and Log Matching held throughout.
    s = wait_status(page, "new Set(Object.values(s.logs).map(l => l.join(','))).size === 1")
    assert s["logs"]["f"] == [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 8]
    assert s["violation"] is None
    assert scene_status(page)["leaders"] == {"L": 8}
