"""Scene 09, crashes, persistence and restart, through the same Scene object the browser drives:
a crash wipes a server's memory and nothing on its disk; a restarted server starts from its
disk alone and learns the rest again; every message leaves only after the state it depends on
is on disk (Figure 2: "updated on stable storage before responding to RPCs"); and forgetting
votedFor on restart elects two leaders in one term (Election Safety, §5.2)."""

from __future__ import annotations

import json
import re

import pytest

from raftcore.messages import AppendEntriesReply, RequestVoteReply
from raftsite.blocks.schema import validate_block
from raftsite.browser import Scene
from raftsite.markdown_ext import scene_runtime_config
from site_helpers import ROOT

PAGE = ROOT / "docs/scenes/09-persistence.md"


def config() -> dict:
    body = re.search(r"```raft-scene\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S).group(1)
    return scene_runtime_config(validate_block(body))


def status(scene) -> dict:
    return json.loads(scene.status())


@pytest.fixture
def scene():
    s = Scene(config())
    yield s
    s.unmount()


def finish(scene) -> dict:
    while not status(scene)["finished"]:
        scene.advance(20)
    return status(scene)


def test_the_script_runs_to_its_end_with_every_invariant_holding(scene):
    st = finish(scene)
    assert st["violation"] is None and not scene.run.failures
    assert st["leaders"] == {"S2": 2}
    assert all(s == {"x": "4"} for s in st["states"].values())
    # S3 restarted in step (2) and still held its vote for S1: it refused S2 in term 1.
    assert any(line.endswith("S3 restarts term 1 voted_for S1") for line in scene.cluster.events)


def test_a_crash_wipes_memory_only_and_a_restart_starts_from_the_disk(scene):
    finish(scene)
    before = status(scene)
    disk = before["disk"]["S4"]
    assert before["memory"]["S4"]["commit_index"] == len(disk["log"]) > 0
    # The reader clicks S4: it crashes. Its memory is gone, its disk is untouched.
    json.loads(scene.toggle_server("S4"))
    st = status(scene)
    assert st["alive"]["S4"] is False and st["memory"]["S4"] is None
    assert st["disk"]["S4"] == disk
    svg = scene.renderer.svg("wide")
    card = re.search(r'data-disk="S4">(.*?)</g>', svg, re.S).group(1)
    assert "memory: lost in the crash" in card and "disk: T%d · voted %s" % (disk["current_term"], disk["voted_for"]) in card
    assert "state machine lost" in svg
    # Clicked again: it restarts with the disk's term, vote and log, and nothing in memory.
    json.loads(scene.toggle_server("S4"))
    node = scene.cluster.nodes["S4"]
    assert (node.current_term, node.voted_for) == (disk["current_term"], disk["voted_for"])
    assert [e.term for e in node.log.entries()] == disk["log"]
    assert (node.commit_index, node.last_applied, node.state) == (0, 0, {})
    assert str(node.role) == "follower"
    # The leader's next AppendEntries carries the commit index; S4 re-applies its log from index 1.
    for _ in range(100):
        scene.advance(5)
        if status(scene)["states"]["S4"] == {"x": "4"}:
            break
    st = status(scene)
    assert st["states"]["S4"] == {"x": "4"} and st["memory"]["S4"]["last_applied"] == len(disk["log"])
    assert st["violation"] is None


def test_every_message_leaves_after_the_state_it_depends_on_is_on_disk(scene):
    """Figure 2's persistent state is "updated on stable storage before responding to RPCs".
    Checked every half simulated millisecond of the whole script (a message is on the wire for
    at least 5 ms), with a disk that takes 10 ms per write: no message on the wire carries a
    term its sender's disk does not hold, no granted vote is missing from the voter's disk, and
    no acknowledged entry from the follower's disk; and messages did wait for the disk."""
    scene.set_control("persistence", "", 10)
    assert scene.cluster.network.persist_latency == 10.0
    held = set()
    checked = 0
    while not status(scene)["finished"]:
        scene.advance(0.5)
        c = scene.cluster
        held |= {f.src for f in c.in_flight() if f.sent_at > c.now}
        for f in c.in_flight():
            m, disk = f.msg, c.disks[f.src]
            assert m.term <= disk.current_term, (str(m), disk.current_term)
            if type(m) is RequestVoteReply and m.vote_granted and not m.pre_vote and m.term == disk.current_term:
                assert disk.voted_for == m.dst, (str(m), disk.voted_for)
            if type(m) is AppendEntriesReply and m.success:
                assert disk.log.last_index >= m.match_index, (str(m), disk.log.last_index)
            checked += 1
    assert checked > 100
    assert held == set(scene.cluster.names)  # every server's messages waited for its disk at least once
    assert status(scene)["violation"] is None


def test_writing_is_shown_only_while_a_write_holds_messages_back(scene):
    seen = set()
    while not status(scene)["finished"]:
        scene.advance(0.5)
        st = status(scene)
        seen.update(st["writing"])
        if st["writing"]:
            name = st["writing"][0]
            card = re.search(r'data-disk="%s">(.*?)</g>' % name, scene.renderer.svg("wide"), re.S).group(1)
            assert "writing… replies wait" in card
    assert seen, "with a 4 ms disk, some server is seen writing"
    # An instant disk: messages leave at once, nothing is ever shown writing.
    scene.set_control("persistence", "", 0)
    scene.reset()
    while not status(scene)["finished"]:
        scene.advance(0.5)
        assert status(scene)["writing"] == []
    assert status(scene)["write_ms"] == 0


def test_the_slider_refuses_times_out_of_its_range(scene):
    with pytest.raises(ValueError):
        scene.set_control("persistence", "", 21)
    with pytest.raises(ValueError):
        scene.set_control("persistence", "", -1)


def test_the_table_shows_disk_and_memory_apart(scene):
    finish(scene)
    scene.toggle_server("S1")
    table = json.loads(scene.full())["panels"]["persistence"]
    rows = {r[0]: r[1:] for r in re.findall(
        r'<tr><th scope="row">(S\d)</th>' + r'<td>(.*?)</td>' * 7 + r'</tr>', table)}
    assert set(rows) == {"S1", "S2", "S3", "S4", "S5"}
    assert rows["S1"][3:] == ("lost (crashed)", "lost", "lost", "lost")
    disk = status(scene)["disk"]["S1"]
    assert rows["S1"][:2] == (str(disk["current_term"]), disk["voted_for"] or "—") == ("2", "—")
    assert rows["S2"][3].startswith("leader; matchIndex") and rows["S2"][6] == "x=4"


def test_forgetting_the_vote_on_restart_elects_two_leaders_in_one_term():
    scene = Scene(config())
    scene.set_unsafe(config()["unsafe"]["switch"], True)
    for _ in range(400):
        scene.advance(5)
        st = status(scene)
        if st["violation"]:
            break
    assert st["violation"].startswith("Election Safety")
    assert "S1 and S2 were both elected leader of term 1" in st["violation"]
    assert any(line.endswith("S3 restarts term 1 voted_for None") for line in scene.cluster.events)
    votes = scene.cluster.vote_decisions
    assert votes[("S3", "S1")].granted and votes[("S3", "S2")].granted  # S3 voted twice in term 1
    assert votes[("S3", "S1")].term == votes[("S3", "S2")].term == 1
