"""Scene 07 in chromium: a candidate with a stale log asks for votes and every voter shows the
comparison the election restriction makes (§5.4.1: last term first, then last index) and
refuses; the reader pauses and steps with the keyboard; voting regardless of logs lets the
stale candidate win without a committed entry, and the Leader Completeness monitor turns red."""

from __future__ import annotations

from browser_helpers import open_scene, scene_status, set_speed, wait_status, wait_js

SCENE07 = "scenes/07-election-restriction/"

STALE_ELECTION = ("s.votes && s.votes.candidate === 'S5' && s.votes.term === 3 "
                  "&& Object.keys(s.votes.decisions).length === 4")


def _card(page, voter: str) -> str:
    return page.text_content(f'#s07-layer-votes [data-vote="{voter}"]') or ""


def test_every_voter_shows_the_comparison_and_refuses_the_stale_candidate(page):
    open_scene(page, SCENE07, speed="0.25")
    # Pause the moment every voter has answered S5's term-3 request (in the same turn of the page
    # as the check, so no frame runs in between; the keyboard's Play/Pause is tested below and in
    # test_keyboard.py).
    wait_js(page,
        "async () => { const ui = [...window.__raft.scenes.values()].find(u => u.scene);"
        f" const s = JSON.parse(await ui.scene.status()); if (!({STALE_ELECTION})) return false;"
        " ui.setPlaying(false); return true; }", timeout=60_000)
    page.wait_for_selector('#s07-scene[data-playing="false"]')
    s = scene_status(page)
    assert s["votes"]["candidate"] == "S5" and s["votes"]["term"] == 3, "paused during S5's term-3 election"
    decisions = s["votes"]["decisions"]
    for voter, d in decisions.items():
        # the paper's order: compare last terms, and only if they are equal, last indexes
        assert d["granted"] is False
        assert d["up_to_date"] == (tuple(d["candidate_last"]) >= tuple(d["voter_last"])) is False
    # What the reader sees next to each voter: the two last entries and the refusal, with the reason.
    page.wait_for_function("() => document.querySelectorAll('#s07-layer-votes [data-vote]').length === 5")
    s1 = _card(page, "S1")
    assert "S5 (T1,#1) vs mine (T1,#2)" in s1 and "✗ refused" in s1 and "my last index 2" in s1
    for voter in ("S2", "S3", "S4"):
        card = _card(page, voter)
        assert "S5 (T1,#1) vs mine (T2,#3)" in card and "✗ refused" in card and "my last term 2" in card
    assert "its last entry (T1,#1)" in _card(page, "S5")
    # The same answers in the table beside the diagram.
    rows = page.evaluate("() => [...document.querySelectorAll('#s07-votes tbody tr')]"
                         ".map(tr => [...tr.children].map(td => td.textContent))")
    assert sorted(r[0] for r in rows) == ["S1", "S2", "S3", "S4"]
    assert all(r[1] == "(T1,#1)" and r[3] == "refused" for r in rows)
    # Next ▶ (keyboard: Tab from Play to Next ▶, Enter) runs on to the next step of the story.
    t0 = scene_status(page)["time"]
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    wait_js(page, f"async () => JSON.parse(await [...window.__raft.scenes.values()].find(u => u.scene)"
                           f".scene.status()).time > {t0}")
    # Play to the end: S3, whose log holds every committed entry, wins term 4 with every vote.
    page.focus('#s07-scene [data-action="play"]')
    page.keyboard.press("Enter")
    set_speed(page, "5")
    s = wait_status(page, "s.finished")
    assert s["leaders"] == {"S3": 4} and s["violation"] is None
    assert s["vote_history"][-1]["granted"] == ["S1", "S2", "S4", "S5"]
    assert all(st.get("x") == "1" for st in s["states"].values())
    assert "✓ granted" in _card(page, "S1")
    assert page.locator('#s07-scene .raft-inv[data-invariant="leader_completeness"].raft-inv--ok').count() == 1


def test_voting_regardless_of_logs_turns_leader_completeness_red(page):
    open_scene(page, SCENE07)
    # The reader turns the unsafe switch on with the keyboard (focus it in the scene's toolbar, Space);
    # the scene restarts paused, and Play (focus, Enter) runs it.
    page.focus('#s07-scene .raft-scene__toolbar [data-action="unsafe"]')
    page.keyboard.press(" ")
    assert page.is_checked('.raft-defend [data-action="unsafe"]')  # "Defend it" shows the same switch
    set_speed(page, "5")
    page.focus('#s07-scene [data-action="play"]')
    page.keyboard.press("Enter")
    page.wait_for_selector('#s07-scene .raft-inv[data-invariant="leader_completeness"].raft-inv--bad', timeout=60_000)
    assert page.locator('.raft-defend .raft-inv[data-invariant="leader_completeness"].raft-inv--bad').count() == 1
    report = page.text_content('#s07-scene [data-role="violation"]')
    assert "Leader Completeness" in report and "S5 became leader of term 3" in report and "SET x 1" in report
    s = scene_status(page)
    assert s["unsafe"] == {"skip_up_to_date_check": True}
    # The voters granted S5's term-3 request although their logs were more up-to-date.
    h = next(h for h in s["vote_history"] if h["candidate"] == "S5" and h["term"] == 3)
    assert h["granted"] == ["S1", "S2", "S3", "S4"]
