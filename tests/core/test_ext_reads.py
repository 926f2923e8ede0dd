"""Thesis §6.4: read-only queries without log entries — ReadIndex, leases, and the unsafe
switch ``local_reads`` that answers from the leader's local state with no check at all."""

from __future__ import annotations

import random

import pytest

from raftcore import RaftConfig, RaftNode, Role
from raftcore.check.linearizability import check_history
from raftcore.kv import Command
from raftcore.messages import AppendEntries, AppendEntriesReply, RequestVoteReply
from raftcore.scenarios import load_scenario
from raftcore.sim import Cluster, NetworkConfig

LATE = 10_000.0
GET_X = Command("GET", "x", (), "c", 1)


def leader(peers=("n1", "n2", "n3"), **cfg) -> RaftNode:
    n = RaftNode("n1", list(peers), RaftConfig(pre_vote=False, **cfg), random.Random(1))
    n.start(0.0)
    n.tick(LATE)
    for p in n.peers:
        n.step(RequestVoteReply(p, "n1", n.current_term, True), LATE)
        if n.role is Role.LEADER:
            break
    assert n.role is Role.LEADER
    return n


def ack(n: RaftNode, peer: str, match: int, rnd: int, now: float = LATE):
    return n.step(AppendEntriesReply(peer, n.name, n.current_term, True, match_index=match, round=rnd), now)


def test_read_waits_for_an_entry_of_the_leaders_term_and_a_confirming_round():
    """§6.4: the leader's read index is its commit index, but not before it has committed an
    entry of its own term (its no-op); it then confirms it is still leader with a heartbeat
    round a majority acknowledges, and answers once it has applied the read index."""
    n = leader()
    noop = n.log.last_index
    out = n.read(GET_X, LATE)
    assert out.reads == []
    rounds = {m.round for m in out.messages if type(m) is AppendEntries}
    assert len(rounds) == 1
    rnd = rounds.pop()
    assert n.log.last_index == noop  # no log entry for a read
    # An acknowledgement of an *earlier* round proves nothing about now.
    assert ack(n, "n2", noop, rnd - 1).reads == []
    # n2 acknowledges the round and the no-op: majority, no-op committed and applied.
    out = ack(n, "n2", noop, rnd)
    assert n.commit_index == noop and out.reads == [(GET_X, None)]


def test_read_index_is_the_commit_index_at_the_time_of_the_read():
    """§6.4: entries committed before the read arrived are reflected in its answer."""
    n = leader()
    ack(n, "n2", n.log.last_index, 1)
    n.propose(Command("SET", "x", ("7",)), LATE)
    ack(n, "n2", n.log.last_index, n.round)
    assert n.state == {"x": "7"}
    out = n.read(GET_X, LATE)
    assert out.reads == []  # still needs its confirming round
    out = ack(n, "n3", n.log.last_index, n.round)
    assert out.reads == [(GET_X, "7")]


def test_deposed_leader_drops_pending_reads():
    n = leader()
    n.read(GET_X, LATE)
    n.step(AppendEntries("n2", "n1", n.current_term + 1, "n2", 0, 0, (), 0), LATE)
    assert n.role is Role.FOLLOWER and n.pending_reads == []


def test_lease_read_needs_no_new_round_while_the_lease_holds():
    """§6.4, leases: after a majority acknowledged a round begun less than a minimum election
    timeout ago, the leader answers without another round (its followers' stickiness keeps
    any rival from being elected that long)."""
    n = leader(read_mode="lease")
    ack(n, "n2", n.log.last_index, n.round, LATE + 1)
    out = n.read(GET_X, LATE + 2)
    assert out.reads == [(GET_X, None)] and out.messages == []
    # Once the lease has run out, a read costs a round again.
    later = LATE + n.config.election_timeout_min + 1
    out = n.read(GET_X, later)
    assert out.reads == [] and any(type(m) is AppendEntries for m in out.messages)


def test_reads_do_not_use_the_log_and_are_recorded_in_the_history():
    c = Cluster(3, seed=4)
    assert c.run_until(lambda c: c.leader() is not None, 2000)
    w = c.submit("SET x 1", client="w")
    assert c.run_until(lambda c: w.done, 2000)
    last = c.nodes[c.leader()].log.last_index
    r = c.read("x", client="r")
    assert c.run_until(lambda c: r.done, 2000)
    assert r.result == "1" and c.nodes[c.leader()].log.last_index == last
    assert [op.op for op in c.history] == ["SET", "GET"] and check_history(c.history).ok
    # read_mode="log": the read is a log entry like a write (§8).
    c = Cluster(3, seed=4, config=RaftConfig(read_mode="log"))
    assert c.run_until(lambda c: c.leader() is not None, 2000)
    r = c.read("x")
    assert c.run_until(lambda c: r.done, 2000) and r.index is not None


@pytest.mark.parametrize("mode", ["read_index", "lease"])
@pytest.mark.parametrize("seed", range(4))
def test_reads_are_linearizable_under_partitions(mode, seed):
    """§6.4: reads served by ReadIndex (or a lease, with CheckQuorum) are linearizable even
    while partitions depose leaders that do not know it yet."""
    c = Cluster(5, seed=seed, config=RaftConfig(read_mode=mode), network=NetworkConfig(loss=0.05))
    rng = random.Random(seed)
    for step in range(30):
        c.run_for(rng.uniform(20, 250))
        k = rng.random()
        if k < 0.15:
            c.partition(rng.sample(c.names, 2))
        elif k < 0.25:
            c.heal()
        elif k < 0.6:
            c.submit(f"SET x {step}", client=f"w{step % 2}")
        else:
            c.read("x", client=f"r{step % 3}")
    c.heal()
    c.network.loss = 0.0
    assert c.run_until(lambda c: all(h.done for h in c.handles), 20_000)
    assert c.violation is None
    res = check_history(c.history)
    assert res.ok and res.complete, str(res)
    assert sum(1 for op in c.history if op.op == "GET") >= 5


# ---------------------------------------------------------------------------- unsafe switch


def test_stale_read_scenario_is_linearizable_with_read_index():
    for seed in range(6):
        r = load_scenario("stale_read").start(seed=seed)  # strict: `expect linearizable` holds
        r.finish()
        assert r.cluster.violation is None and check_history(r.cluster.history).ok


def test_local_reads_are_caught_by_the_linearizability_checker():
    """Unsafe switch local_reads (§6.4): a leader that was cut off and replaced answers a read
    from its own stale state at once; the read misses a write that completed before it began."""
    for seed in range(6):
        r = load_scenario("stale_read").start(seed=seed, strict=False)
        r.cluster.set_unsafe("local_reads", True)
        r.finish()
        c = r.cluster
        assert c.violation is None  # no invariant of Figure 3 breaks: only linearizability does
        res = check_history(c.history)
        assert not res.ok and res.key == "x", str(res)
        stale = [h for h in c.handles if h.command.op == "GET"][0]
        assert stale.result == "1" and stale.node == "S1"
