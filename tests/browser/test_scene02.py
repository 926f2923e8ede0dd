"""Scene 02 in chromium: roles, terms and timers. The cut-off leader is replaced in a higher term
and steps down when it hears of it; crashing the leader makes a follower time out, become a
candidate and bump the term; ignoring higher terms leaves two leaders in different terms — and
Election Safety still holds."""

from __future__ import annotations

from browser_helpers import SCENE02, crash_or_restart, open_scene, press_play, scene_status, set_speed, wait_status


def test_new_term_new_leader_and_the_old_leader_steps_down(page):
    open_scene(page, SCENE02)
    # The timer rings are drawn and drain.
    a = page.get_attribute("#s02-s-S2-timer", "stroke-dashoffset")
    page.wait_for_function(f"() => document.getElementById('s02-s-S2-timer').getAttribute('stroke-dashoffset') !== '{a}'")
    s = wait_status(page, "s.finished && Object.keys(s.leaders).length === 1")
    (lead, term), = s["leaders"].items()
    assert lead != "S1" and term >= 2
    assert s["terms"]["S1"] == term  # the old leader adopted the newer term ...
    assert page.get_attribute("#s02-s-S1", "class").split()[1] == "raft-role-follower"  # ... and follows
    assert page.text_content("#s02-s-S1-term") == f"T{term}"
    assert s["violation"] is None
    # Crash the leader (its panel's button): a follower times out, becomes a candidate, bumps the term.
    crash_or_restart(page, lead)
    s = wait_status(page, f"Object.keys(s.leaders).length === 1 && !s.leaders['{lead}'] && Object.values(s.leaders)[0] > {term}")
    assert not s["alive"][lead]
    assert page.locator("#s02-s-" + lead + ".raft-crashed").count() == 1
    events = page.text_content('.raft-scene [data-role="events"]')
    assert "becomes candidate term" in events


def test_ignoring_higher_terms_gives_two_leaders_in_different_terms_harmlessly(page):
    open_scene(page, SCENE02)
    page.check('.raft-defend [data-action="unsafe"]')
    set_speed(page, "5")
    press_play(page)  # the switch restarts the scene paused on its opening frame
    s = wait_status(page, "Object.keys(s.leaders).length === 2 && s.finished")
    terms = sorted(s["leaders"].values())
    assert s["leaders"]["S1"] == 1 and terms[1] >= 2  # two leaders, different terms
    page.wait_for_function("() => document.getElementById('s02-banner').getAttribute('visibility') === 'visible'")
    assert "believe they lead" in page.text_content("#s02-banner")
    # Harmless: Election Safety holds (one leader per term), the monitor stays green.
    assert s["violation"] is None
    assert page.locator('.raft-defend .raft-inv[data-invariant="election_safety"].raft-inv--ok').count() == 1
    # And the stale leader can commit nothing: a command sent to it never commits.
    assert s["commit"]["S1"] <= min(v for k, v in s["commit"].items() if k != "S1")
    assert scene_status(page)["unsafe"] == {"ignore_higher_term": True}
