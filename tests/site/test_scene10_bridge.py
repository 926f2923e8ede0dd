"""Scene 10 headless: the Scene object the browser drives, built from the page's own block.

Partitions through the control (§5.2/§5.3: only a majority elects and commits), a stranded
leader's writes never commit, retried commands applied once (§8, dissertation §6.3), the client
history linearizable with ReadIndex and not with local reads for the same seed (§8, dissertation
§6.4), PreVote keeping a rejoining server from raising its term (dissertation §9.6), and the
history panel's three-valued verdict and budget.
"""

from __future__ import annotations

import json
import re

import pytest

from raftcore.check.linearizability import Operation, check_history, culprit
from raftcore.kv import apply_op
from raftsite.blocks.schema import validate_block
from raftsite.browser import Scene
from raftsite.layers import partitions
from raftsite.markdown_ext import scene_runtime_config
from site_helpers import ROOT

PAGE = ROOT / "docs/scenes/10-partitions-clients.md"


@pytest.fixture(scope="module")
def cfg() -> dict:
    text = PAGE.read_text(encoding="utf-8")
    body = re.search(r"```raft-scene\n(.*?)```", text, re.S).group(1)
    return scene_runtime_config(validate_block(body))


def status(scene) -> dict:
    return json.loads(scene.status())


def run_to_end(scene, step_ms: float = 20.0, limit_ms: float = 20_000.0) -> dict:
    while not status(scene)["finished"] and scene.cluster.now < limit_ms:
        scene.advance(step_ms)
    return status(scene)


def run_until_leader(scene, limit_ms: float = 2000.0) -> str:
    c = scene.cluster
    c.run_until(lambda c: c.leader() is not None, limit_ms)
    assert c.leader() is not None
    return c.leader()


class FreeRun:
    """A scene run without its script (the controls act on a cluster nobody else drives)."""

    def __init__(self, scene):
        self.scene = scene

    def __enter__(self):
        self.scene.run.advance = self.scene.cluster.run_for  # the script stays at its first line
        return self.scene

    def __exit__(self, *exc):
        return False


def test_page_block_has_the_scene_controls(cfg):
    kinds = [c["kind"] for c in cfg["controls"]]
    assert {"partition", "extensions", "read_mode", "read", "client", "history"} <= set(kinds)
    assert "partitions" in cfg["draw"]
    assert cfg["unsafe"]["switch"] == "local_reads"
    assert "linearizability" in cfg["invariants"]


def test_partition_control_moves_servers_between_sides_and_heals(cfg):
    scene = Scene(cfg)
    c = scene.cluster
    ring = {g.name: (g.cx, g.cy) for g in scene.renderer.servers}
    scene.set_control("partition", "S4", "B")
    scene.set_control("partition", "S5", "B")
    st = status(scene)["partition"]
    assert st["groups"] == [["S1", "S2", "S3"], ["S4", "S5"]] and not st["healed"]
    # the network itself is split: no link crosses the sides, every link inside one is open
    for a in c.names:
        for b in c.names:
            if a != b:
                assert ((a, b) in c.blocked) == ((a in ("S4", "S5")) != (b in ("S4", "S5")))
    # the renderer moved the servers into two columns, side A left of side B
    scene.frame(0)
    pos = {g.name: (g.cx, g.cy) for g in scene.renderer.servers}
    middle = scene.renderer.canvases[0].width / 2
    assert max(pos[n][0] for n in ("S1", "S2", "S3")) < middle < min(pos[n][0] for n in ("S4", "S5"))
    svg = scene.renderer.svg("wide")
    assert svg.count('class="raft-region raft-region--majority"') == 1
    assert svg.count('class="raft-region raft-region--minority"') == 1
    # moving a server back, then healing, restores the one network and the ring
    scene.set_control("partition", "S5", "A")
    assert status(scene)["partition"]["groups"] == [["S1", "S2", "S3", "S5"], ["S4"]]
    scene.set_control("partition", "", "heal")
    assert status(scene)["partition"]["healed"] and not c.blocked
    scene.frame(0)
    assert {g.name: (g.cx, g.cy) for g in scene.renderer.servers} == ring
    with pytest.raises(ValueError, match="side A or B"):
        scene.set_control("partition", "S1", "C")
    with pytest.raises(ValueError, match="unknown server"):
        scene.set_control("partition", "S9", "B")


def test_scripted_partitions_show_on_the_same_sides(cfg):
    """The scenario splits S1, S2 | S3, S4, S5 by itself; the control reads it from the network."""
    scene = Scene(cfg)
    c = scene.cluster
    while not c.blocked and c.now < 3000:
        scene.advance(5)
    groups = status(scene)["partition"]["groups"]
    assert sorted(map(sorted, groups)) == [["S1", "S2"], ["S3", "S4", "S5"]]
    # the majority keeps side A (it has the most servers); letters stay put on the next change
    assert partitions.sides(c)["S3"] == "A" and partitions.sides(c)["S1"] == "B"


def test_minority_leader_accepts_writes_that_never_commit(cfg):
    """§5.3: an entry commits only once a majority stores it; a leader cut off with one follower
    appends client commands that stay uncommitted, and after the heal they are gone (§5.3:
    the newer leader's log wins) — never applied anywhere."""
    scene = Scene(cfg)
    with FreeRun(scene):
        c = scene.cluster
        lead = run_until_leader(scene)
        scene.advance(300)
        follower = next(n for n in c.names if n != lead)
        scene.set_control("partition", lead, "B")
        scene.set_control("partition", follower, "B")
        commit = c.nodes[lead].commit_index
        for k in range(3):
            c.submit(f"SET y {k}", client="stranded", server=lead)
        scene.advance(1500)
        old = c.nodes[lead]
        assert old.role.name == "LEADER"  # CheckQuorum is off: it does not know it lost its majority
        mine = [e for e in old.log.entries() if e.command is not None and e.command.client == "stranded"]
        assert len(mine) == 3 and old.commit_index == commit  # appended, never committed
        new = c.leader()
        assert new not in (lead, follower) and c.nodes[new].current_term > old.current_term
        assert all("y" not in c.nodes[n].state for n in c.names)  # applied nowhere
        scene.set_control("partition", "", "heal")
        scene.advance(3000)
        for n in c.names:
            entries = c.nodes[n].log.entries()
            # the client retried elsewhere: each of its commands is in every log (committed) …
            seqs = [e.command.seq for e in entries if e.command is not None and e.command.client == "stranded"]
            assert sorted(set(seqs)) == [1, 2, 3]
            assert c.nodes[n].state.get("y") == "2"
        assert all(h.done for h in c.handles if h.client == "stranded")
        assert status(scene)["violation"] is None


def test_script_retried_command_is_applied_once(cfg):
    """§8 / dissertation §6.3: a command committed whose answer was lost is retried with the
    same number; the log holds it twice, the state machine applies it once."""
    scene = Scene(cfg)
    st = run_to_end(scene)
    assert st["violation"] is None and st["history"]["verdict"] == "linearizable"
    c = scene.cluster
    ref = c.leader()
    node = c.nodes[ref]
    entries = node.log.slice(node.log.first_index, node.last_applied + 1)
    keyed = [(e.command.client, e.command.seq) for e in entries if e.command is not None and e.command.client]
    duplicated = {k for k in keyed if keyed.count(k) > 1}
    assert duplicated, "the script should commit one command twice (the leader crashed before answering)"
    # Replaying the log applying each (client, #) once gives every server's state; applying the
    # copies too would not (the test fails if the state machine re-applied a retry).
    value, twice, seen = None, None, set()
    for e in entries:
        cmd = e.command
        if cmd is None:
            continue
        twice, _ = apply_op(twice, cmd.op, cmd.args)
        if (cmd.client, cmd.seq) in seen:
            continue
        seen.add((cmd.client, cmd.seq))
        value, _ = apply_op(value, cmd.op, cmd.args)
    assert twice != value
    assert {c.nodes[n].state.get("x") for n in c.names} == {value}
    table = st["sessions"]["clients"]
    for client, seq in duplicated:
        assert table[client]["extra_copies"] >= 1
        assert table[client]["last_applied"] >= seq
        assert table[client]["resent"] >= 1


def test_history_linearizable_with_read_index_not_with_local_reads_same_seed(cfg):
    """Dissertation §6.4: with ReadIndex the stranded leader cannot answer the read; with local
    reads it answers from stale state, and the checker proves the history not linearizable.
    Same seed, same script, one rule removed."""
    safe = Scene(cfg)
    st = run_to_end(safe)
    assert st["read_mode"] == "read_index"
    assert st["history"]["verdict"] == "linearizable" and st["history"]["complete"]
    assert check_history(safe.cluster.history).verdict == "linearizable"
    assert st["violation"] is None

    unsafe = Scene(cfg)
    unsafe.set_unsafe("local_reads", True)
    assert unsafe.seed == safe.seed
    st = run_to_end(unsafe)
    assert st["read_mode"] == "local"
    h = st["history"]
    assert h["verdict"] == "violation"
    assert check_history(unsafe.cluster.history).verdict == "violation"
    # the pair: a read that returned an old value, after a write had returned
    assert h["pair"]["bad"].split(": ")[1].startswith("GET x")
    assert ": SET x" in h["pair"]["cause"]
    # the cluster's own monitor caught it too, as the Linearizability invariant
    assert st["violation"] and st["violation"].startswith("Linearizability")
    panel = json.loads(unsafe.full())["panel"]
    assert panel["invariants"]["linearizability"] is False
    assert all(ok for k, ok in panel["invariants"].items() if k != "linearizability")
    html = json.loads(unsafe.full())["panels"]["history"]
    assert 'data-verdict="violation"' in html
    # the desktop and the phone drawing each mark them once
    assert html.count("raft-hist__op--bad") == 2 and html.count("raft-hist__op--cause") == 2


def test_read_mode_menu_local_is_the_unsafe_switch(cfg):
    scene = Scene(cfg)
    scene.set_control("read_mode", "", "local")
    assert scene.unsafe_on.get("local_reads") and scene.cluster.config.unsafe.local_reads
    assert status(scene)["read_mode"] == "local" and status(scene)["unsafe"] == {"local_reads": True}
    scene.set_control("read_mode", "", "log")
    assert not scene.cluster.config.unsafe.local_reads and scene.cluster.config.read_mode == "log"
    # a lease needs CheckQuorum, which this scene starts without: ReadIndex, and a note says why
    scene.set_control("read_mode", "", "lease")
    st = status(scene)
    assert st["read_mode"] == "read_index" and "CheckQuorum" in st["read_mode_note"]
    scene.set_control("extensions", "check_quorum", "on")
    assert status(scene)["read_mode"] == "lease" and scene.cluster.config.check_quorum
    with pytest.raises(ValueError, match="unknown read path"):
        scene.set_control("read_mode", "", "quorum")


def test_read_button_reads_through_the_read_path(cfg):
    scene = Scene(cfg)
    with FreeRun(scene):
        run_until_leader(scene)
        scene.advance(300)
        scene.set_control("client", "", "SET x {n}")
        scene.advance(500)
        scene.set_control("read", "", "x")
        scene.advance(500)
        ops = {o.client: o for o in scene.cluster.history}
        assert ops["reader-r"].op == "GET" and ops["reader-r"].result == "1"
        assert status(scene)["history"]["verdict"] == "linearizable"


@pytest.mark.parametrize("pre_vote", [True, False])
def test_prevote_keeps_a_rejoining_server_from_raising_its_term(cfg, pre_vote):
    """Dissertation §9.6: cut off, a server without PreVote raises its term at every timeout and,
    when it rejoins, deposes the leader; with PreVote its term stays and the leader stays."""
    scene = Scene(cfg)
    scene.set_control("extensions", "pre_vote", "on" if pre_vote else "off")
    assert scene.cluster.config.pre_vote is pre_vote and scene.cluster.now == 0
    with FreeRun(scene):
        c = scene.cluster
        lead = run_until_leader(scene)
        scene.advance(300)
        term = c.nodes[lead].current_term
        lone = next(n for n in reversed(c.names) if n != lead)
        scene.set_control("partition", lone, "B")
        scene.advance(2000)
        scene.set_control("partition", lone, "A")
        scene.advance(1500)
        st = status(scene)
        if pre_vote:
            assert c.nodes[lone].current_term == term
            assert st["leader"] == lead and set(st["terms"].values()) == {term}
        else:
            assert max(st["terms"].values()) > term + 1
            assert st["leader"] is None or c.nodes[st["leader"]].current_term > term
        assert st["violation"] is None


def test_check_quorum_makes_the_stranded_leader_step_down(cfg):
    """Dissertation §6.2: with CheckQuorum the leader cut off in a minority steps down within an
    election timeout; the scripted stale read then never happens even with local reads."""
    scene = Scene(cfg)
    scene.set_control("extensions", "check_quorum", "on")
    scene.set_unsafe("local_reads", True)
    c = scene.cluster
    c_split = None
    while c_split is None and c.now < 3000:
        scene.advance(10)
        if c.blocked:
            c_split = c.now
    scene.advance(c.config.election_timeout_min + 2 * c.config.heartbeat_interval)
    assert c.nodes["S1"].role.name != "LEADER"
    st = run_to_end(scene)
    assert st["history"]["verdict"] == "linearizable"


def test_culprit_names_the_stale_read_and_the_write_before_it():
    ops = [
        Operation("w", "SET", "x", ("1",), 0, 10, "OK"),
        Operation("w", "SET", "x", ("2",), 20, 30, "OK"),
        Operation("r", "GET", "x", (), 40, 45, "1"),
        Operation("w", "SET", "x", ("3",), 50, None, None),
    ]
    assert culprit(ops) == (2, 1)
    ok = ops[:2] + [Operation("r", "GET", "x", (), 25, 45, "1")]  # concurrent with SET x 2: fine
    assert check_history(ok).ok and culprit(ok) is None


def test_history_verdict_is_unknown_not_a_pass_when_the_search_gives_up(cfg):
    scene = Scene(cfg)
    hist = next(c for c in scene.controls if c.kind == "history")
    hist.max_states = 1  # a history with any choice to make exhausts it
    gave_up = 0
    while not status(scene)["finished"]:
        scene.advance(50)
        hist.check()
        if not hist.result.complete:
            gave_up += 1
            assert hist.verdict == "unknown"
            html = hist._history_html()
            assert 'data-verdict="unknown"' in html and "not a pass" in html and ">holds<" not in html
    assert gave_up > 0


def test_history_check_is_budgeted_not_run_every_frame(cfg):
    scene = Scene(cfg)
    frames = 0
    while not status(scene)["finished"] and frames < 20_000:
        scene.frame(16.7)
        frames += 1
    hist = next(c for c in scene.controls if c.kind == "history")
    # one check per change of the history at most, never more than one per CHECK_EVERY_SIM_MS
    assert 0 < hist.checks <= len(scene.cluster.handles) * 2 + 1
    assert hist.checks < frames / 10
    print(f"\n[scene10] {frames} frames, {hist.checks} checks, slowest {hist.check_ms_max:.2f} ms")


def test_panels_show_timeline_sessions_and_step(cfg):
    scene = Scene(cfg)
    run_to_end(scene)
    out = json.loads(scene.full())
    panels = out["panels"]
    assert 'data-verdict="linearizable"' in panels["history"]
    for client in ("alice", "bob", "carol", "dave"):
        assert f">{client}<" in panels["history"]
        assert f">{client}<" in panels["sessions"]
    assert panels["step"].startswith("Script step (")
    assert "Side" in panels["partition"] or "One network" in panels["partition"]
