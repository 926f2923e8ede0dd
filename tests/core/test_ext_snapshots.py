"""Thesis §5: log compaction with snapshots, and InstallSnapshot."""

from __future__ import annotations

import random
from dataclasses import replace

from raftcore import RaftConfig, RaftNode
from raftcore.check.invariants import STATE_MACHINE_SAFETY
from raftcore.check.linearizability import check_history
from raftcore.kv import Command, KVStore
from raftcore.log import Entry, Log
from raftcore.messages import InstallSnapshot, InstallSnapshotReply
from raftcore.node import PersistentState
from raftcore.sim import Cluster, NetworkConfig

CFG = dict(snapshot_threshold=10, snapshot_trailing=3)


def loaded(seed=1, n=3, writes=40, **cfg) -> Cluster:
    c = Cluster(n, seed=seed, config=RaftConfig(**{**CFG, **cfg}))
    assert c.run_until(lambda c: c.leader() is not None, 3000)
    return c


def run_writes(c: Cluster, count: int, client="a", key="x") -> None:
    hs = [c.submit(f"INC {key}", client=client) for _ in range(count)]
    assert c.run_until(lambda c: all(h.done for h in hs), 30_000)


def test_each_server_snapshots_its_applied_state_and_compacts_its_log():
    """§5.1: each server takes snapshots independently, covering the committed entries it has
    applied; it then discards the log up to that point (keeping a few trailing entries)."""
    c = loaded()
    run_writes(c, 40)
    c.run_for(300)
    for name in c.names:
        node = c.nodes[name]
        snap = node.snapshot
        assert snap is not None and snap.index >= 30
        assert node.log.snapshot_index == snap.index - 3  # snapshot_trailing entries kept
        assert snap.state.digest() == snap.digest and snap.state is not node.state_machine
        assert snap.config == tuple(sorted(c.names))
        assert c.disks[name].snapshot is snap
        assert len(node.log.entries()) < 10 + 3 + 2


def test_lagging_follower_catches_up_with_install_snapshot():
    """§5.3: the leader sends a snapshot to a follower that lags so far behind that the
    entries it needs are already discarded; the follower replaces its state with it."""
    c = loaded()
    lead = c.leader()
    lag = [n for n in c.names if n != lead][0]
    c.crash(lag)
    run_writes(c, 40)
    assert c.nodes[lead].log.snapshot_index > 1
    c.restart(lag)
    assert c.run_until(lambda c: c.nodes[lag].state == c.nodes[lead].state and
                       c.nodes[lag].last_applied == c.nodes[lead].last_applied, 2000)
    assert c.stats.get("InstallSnapshot", 0) >= 1
    assert any(f"{lag} installs snapshot" in e for e in c.events)
    assert c.nodes[lag].state_machine.sessions == c.nodes[lead].state_machine.sessions  # §6.3 sessions too
    run_writes(c, 5)
    assert c.violation is None and check_history(c.history).ok


def _follower(terms, commit=0):
    log = Log([Entry(t, Command("SET", "k", (str(i),))) for i, t in enumerate(terms, 1)])
    n = RaftNode("n2", ["n1", "n2", "n3"], RaftConfig(), random.Random(1), PersistentState(2, None, log))
    n.start(0.0)
    return n


def _snap(index, term):
    kv = KVStore()
    kv.data = {"k": str(index)}
    return InstallSnapshot("n1", "n2", 2, "n1", index, term, kv, ("n1", "n2", "n3"), kv.digest())


def test_follower_keeps_entries_after_a_matching_snapshot_point():
    """§5.3 (InstallSnapshot receiver): if an existing entry has the snapshot's last index and
    term, retain the log entries following it."""
    n = _follower([1, 1, 2, 2, 2])
    out = n.step(_snap(3, 2), 10.0)
    assert n.log.snapshot_index == 3 and [e.term for e in n.log.entries()] == [2, 2]
    assert n.state == {"k": "3"} and n.commit_index == n.last_applied == 3
    assert out.persist_snapshot and out.messages == [InstallSnapshotReply("n2", "n1", 2, 3)]


def test_follower_discards_a_conflicting_log():
    """§5.3: otherwise discard the entire log and reset the state machine from the snapshot."""
    n = _follower([1, 1, 1, 1, 1])
    n.step(_snap(3, 2), 10.0)
    assert (n.log.snapshot_index, n.log.last_index, n.log.entries()) == (3, 3, [])
    assert n.state == {"k": "3"}


def test_stale_snapshot_is_not_installed():
    """A snapshot older than what the follower has committed changes nothing."""
    n = _follower([1, 1, 2, 2, 2])
    n.commit_index = 4
    n.step(_snap(3, 2), 10.0)
    assert n.log.snapshot_index == 0 and n.snapshot is None


def test_crash_all_restart_rebuilds_from_snapshots():
    """§5.1: only the snapshot and the log survive a crash; a restarted server's state
    machine starts from its snapshot (client sessions included), then applies what follows."""
    c = loaded()
    run_writes(c, 25)
    before = {n: (c.nodes[n].snapshot.index, c.nodes[n].snapshot.state.data) for n in c.names}
    for n in c.names:
        c.crash(n)
    for n in c.names:
        c.restart(n)
        node = c.nodes[n]
        assert (node.last_applied, node.state) == before[n]
        assert node.commit_index == node.last_applied == node.snapshot.index
    run_writes(c, 3)
    c.run_for(300)
    assert {c.nodes[n].state["x"] for n in c.names} == {"28"}
    assert c.violation is None and check_history(c.history).ok


def test_persisted_log_stays_bounded_under_steady_load():
    """§5: with compaction the log on disk no longer grows with the history."""
    c = loaded(n=5)
    longest = 0
    for _ in range(20):
        run_writes(c, 20, client="a")
        longest = max(longest, max(len(c.disks[n].log.entries()) for n in c.names))
    assert all(c.nodes[n].last_applied >= 400 for n in c.names if c.alive(n))
    assert longest <= 10 + 3 + 20  # threshold + trailing + what one burst leaves uncommitted


def test_snapshots_survive_faults_safely():
    """Snapshots under loss, crashes and partitions: the checker sees no violation and the
    history stays linearizable."""
    for seed in range(3):
        c = Cluster(5, seed=seed, config=RaftConfig(snapshot_threshold=5, snapshot_trailing=1),
                    network=NetworkConfig(loss=0.05, reorder=0.1))
        rng = random.Random(seed)
        for i in range(40):
            c.run_for(rng.uniform(20, 200))
            r = rng.random()
            if r < 0.1:
                alive = [n for n in c.names if c.alive(n)]
                if len(alive) > 3:
                    c.crash(rng.choice(alive))
            elif r < 0.2:
                for n in c.names:
                    if not c.alive(n):
                        c.restart(n)
            elif r < 0.3:
                c.partition(rng.sample(c.names, 2))
            elif r < 0.35:
                c.heal()
            else:
                c.submit(f"INC k{i % 2}", client=f"c{i % 3}")
        c.heal()
        c.network.loss = c.network.reorder = 0.0
        for n in c.names:
            if not c.alive(n):
                c.restart(n)
        assert c.run_until(lambda c: all(h.done for h in c.handles), 20_000)
        assert c.violation is None, str(c.violation)
        assert check_history(c.history).ok


def test_checker_catches_a_snapshot_whose_state_differs():
    """State Machine Safety across compacted prefixes: an installed snapshot's state must be
    the state recorded when its last entry was applied."""
    c = loaded()
    lead = c.leader()
    run_writes(c, 15)
    node = c.nodes[lead]
    snap = node.snapshot
    bad = KVStore()
    bad.data = {"x": "999"}
    victim = [n for n in c.names if n != lead][0]
    msg = InstallSnapshot(lead, victim, node.current_term, lead, node.last_applied + 1000, node.current_term,
                          bad, snap.config, bad.digest())
    # An index nobody applied yet is recorded; a tampered one at a known index is caught.
    msg = replace(msg, last_included_index=snap.index, last_included_term=snap.term)
    c.nodes[victim].commit_index = 0  # make it accept the snapshot
    c.inject(msg)
    v = c.violation
    assert v is not None and v.invariant == STATE_MACHINE_SAFETY and v.index == snap.index
