"""Scene 04 in chromium: a follower rejects a mismatched AppendEntries, the leader backs up, the
client button appends commands that every log then holds; skipping the check breaks Log Matching."""

from __future__ import annotations

from browser_helpers import (SCENE04, flip_unsafe_and_wait_red, open_scene, record_selector, scene_status, seen,
                             wait_status)

REJECT = "#s04-msgs .raft-msg--aer.raft-no"


def test_mismatch_is_rejected_then_repaired_and_client_commands_replicate(page):
    record_selector(page, REJECT)
    open_scene(page, SCENE04, speed=None)
    # The messages show prevLogIndex/prevLogTerm, and S3 rejects the leader's first probe (✗).
    page.wait_for_selector("#s04-msgs .raft-msg-detail", timeout=30_000)
    s = wait_status(page, "s.logs.S3.length >= 3 && s.logs.S3[1] === 1", timeout=30_000)
    assert seen(page, REJECT), "no rejected AppendEntries reply was drawn"
    assert s["logs"]["S3"][:3] == [1, 1, 3]  # the stale term-2 entry was replaced
    # A reader presses the client button three times: the commands reach every log and commit.
    for _ in range(3):
        page.click('.raft-scene [data-control="client"]')
    page.select_option('.raft-scene [data-action="speed"]', "5")
    s = wait_status(page, "Object.values(s.commit).every(c => c >= s.logs.S1.length) && s.logs.S1.length >= 8")
    assert s["logs"]["S1"] == s["logs"]["S2"] == s["logs"]["S3"]
    assert s["states"]["S1"].get("x") == s["states"]["S3"].get("x") is not None
    assert s["violation"] is None
    assert page.locator('.raft-scene .raft-inv[data-invariant="log_matching"].raft-inv--ok').count() == 1


def test_skipping_the_consistency_check_breaks_log_matching(page):
    open_scene(page, SCENE04)
    flip_unsafe_and_wait_red(page, "log_matching")
    report = page.locator('.raft-scene [data-role="violation"]').text_content()
    assert "Log Matching" in report and "index 3" in report
    assert scene_status(page)["unsafe"] == {"skip_prev_log_check": True}
