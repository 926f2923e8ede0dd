"""Scene 05 in chromium: commitment needs a majority, not everyone — with S5 slowed down by the
slider the leader still commits client commands while S5's matchIndex lags; every server applies
in order; committing without a majority loses a committed entry after a crash."""

from __future__ import annotations

from browser_helpers import SCENE05, flip_unsafe_and_wait_red, open_scene, scene_status, set_speed, wait_status


def test_commit_advances_with_a_majority_while_the_slow_follower_lags(page):
    open_scene(page, SCENE05, speed="0.25")
    wait_status(page, "s.leaders.S1 && s.commit.S1 >= 1")
    # The reader slows S5 down with the slider ...
    page.evaluate(
        "() => { const r = document.querySelector('.raft-scene [data-control=\"link_delay\"][data-target=\"S5\"]');"
        " r.value = '250'; r.dispatchEvent(new Event('input', {bubbles: true})); }"
    )
    # ... and presses the client button twice.
    page.click('.raft-scene [data-control="client"]')
    page.click('.raft-scene [data-control="client"]')
    # Committed without S5: the leader's commit index passes what S5 is known to store.
    s = wait_status(page, "s.leaders.S1 && s.logs.S1.length >= 4 && s.match.S5 < s.commit.S1", timeout=60_000)
    lead_commit = s["commit"]["S1"]
    # Committed on a majority: at least two followers hold everything committed, S5 does not.
    holders = [f for f, m in s["match"].items() if m >= lead_commit]
    assert len(holders) + 1 >= 3 and "S5" not in holders
    # The matchIndex / commitIndex / lastApplied markers are drawn.
    assert page.locator("#s05-s-S2-log .raft-mark-match").count() >= 1
    assert page.locator("#s05-s-S1-log .raft-commit-bar").count() == 1  # the commit line in S1's grid row
    assert page.locator("#s05-s-S1-log .raft-mark-applied").count() == 1
    # Applied in order and never past the commit index; the same state where applied equally.
    for n in s["commit"]:
        assert s["applied"][n] <= s["commit"][n]
    assert s["states"]["S1"] == s["states"]["S2"] or s["applied"]["S1"] != s["applied"]["S2"]
    set_speed(page, "5")
    s = wait_status(page, "s.finished")
    assert s["violation"] is None
    assert all(st.get("x") == s["states"]["S2"].get("x") for n, st in s["states"].items() if n not in ("S1", "S5"))


def test_committing_without_a_majority_loses_a_committed_entry(page):
    open_scene(page, SCENE05)
    flip_unsafe_and_wait_red(page, "leader_completeness")
    report = page.locator('.raft-scene [data-role="violation"]').text_content()
    assert "Leader Completeness" in report and "SET x 9" in report
    assert scene_status(page)["unsafe"] == {"commit_without_majority": True}
