"""Thesis §9.6 (PreVote), §6.2 (CheckQuorum) and §4.2.3 (leader stickiness).

Both are on by default, as etcd servers ship them; each test that needs the plain Figure 2
behaviour for contrast turns them off explicitly.
"""

from __future__ import annotations

import random

import pytest

from raftcore import RaftConfig, RaftNode, Role
from raftcore.log import Entry, Log
from raftcore.kv import Command
from raftcore.messages import AppendEntries, RequestVote, RequestVoteReply
from raftcore.node import PersistentState
from raftcore.scenarios import Scenario, ScenarioError
from raftcore.sim import Cluster

LATE = 10_000.0


def node(name="n1", peers=("n1", "n2", "n3"), term=0, log=(), **cfg) -> RaftNode:
    entries = [Entry(t, Command("SET", "k", (str(i),))) for i, t in enumerate(log, 1)]
    n = RaftNode(name, list(peers), RaftConfig(**cfg), random.Random(1), PersistentState(term, None, Log(entries)))
    n.start(0.0)
    return n


def elected(seed: int, **cfg) -> Cluster:
    c = Cluster(5, seed=seed, config=RaftConfig(**cfg))
    assert c.run_until(lambda c: c.leader() is not None, 3000)
    c.run_for(200)
    return c


# ---------------------------------------------------------------------------- PreVote (§9.6)


def test_prevote_carries_the_prospective_term_and_changes_nothing():
    """§9.6: a server whose timer fires first asks, in a PreVote, whether it could win an
    election in the next term; it does not increment its term or vote for itself yet."""
    n = node(term=4)
    out = n.tick(LATE)
    assert n.pre_candidate and n.role is Role.FOLLOWER
    assert (n.current_term, n.voted_for) == (4, None)
    reqs = [m for m in out.messages if type(m) is RequestVote]
    assert len(reqs) == 2 and all(m.pre_vote and m.term == 5 for m in reqs)
    assert not out.persist_state  # nothing durable changed


def test_prevote_receiver_changes_no_term_and_no_vote():
    """§9.6: a PreVote is granted if the receiver would vote (log at least as up to date,
    no current leader heard from) — but the receiver keeps its term and its vote."""
    n = node("n2", term=4, log=[1, 4])
    out = n.step(RequestVote("n1", "n2", 5, "n1", 2, 4, pre_vote=True), LATE)
    reply = out.messages[0]
    assert type(reply) is RequestVoteReply and reply.pre_vote and reply.vote_granted and reply.term == 5
    assert (n.current_term, n.voted_for, out.persist_state) == (4, None, False)
    # A stale log is refused, again without any change of term.
    out = n.step(RequestVote("n3", "n2", 5, "n3", 1, 1, pre_vote=True), LATE)
    assert not out.messages[0].vote_granted and out.messages[0].term == 4 and n.current_term == 4


def test_majority_of_prevotes_starts_the_real_election():
    """§9.6: only when a majority would vote does the server increment its term and run a
    normal election."""
    n = node(term=4)
    n.tick(LATE)
    out = n.step(RequestVoteReply("n2", "n1", 5, True, pre_vote=True), LATE)
    assert n.role is Role.CANDIDATE and n.current_term == 5 and not n.pre_candidate
    assert all(type(m) is RequestVote and not m.pre_vote and m.term == 5 for m in out.messages)


def test_rejoining_partitioned_server_does_not_raise_the_term():
    """§9.6: a server partitioned away keeps timing out, but without a majority its PreVotes
    fail, so its term never rises; when it rejoins, the leader is not disrupted."""
    for seed in range(4):
        c = elected(seed)
        lead = c.leader()
        term = c.nodes[lead].current_term
        lost = [n for n in c.names if n != lead][0]
        c.isolate(lost)
        c.run_for(3000)
        assert c.nodes[lost].current_term == term
        c.heal()
        c.run_for(1000)
        assert c.leader() == lead and all(c.nodes[n].current_term == term for n in c.names)
        assert c.violation is None


def test_without_prevote_the_rejoining_server_disrupts_the_leader():
    """§9.6, the problem PreVote solves: without it the isolated server's term climbs, and
    when it rejoins the leader must step down."""
    c = elected(0, pre_vote=False, check_quorum=False)
    lead = c.leader()
    term = c.nodes[lead].current_term
    lost = [n for n in c.names if n != lead][0]
    c.isolate(lost)
    c.run_for(3000)
    assert c.nodes[lost].current_term > term + 3
    c.heal()
    c.run_for(1000)
    assert c.nodes[c.leader()].current_term > term + 3


# ---------------------------------------------------------------------------- CheckQuorum (§6.2)


@pytest.mark.parametrize("seed", range(4))
def test_leader_cut_from_majority_steps_down_within_an_election_timeout(seed):
    """§6.2: a leader that has not heard from a majority within an election timeout steps
    down, so clients can find the real leader."""
    c = elected(seed)
    lead = c.leader()
    cfg = c.config
    cut_at = c.now
    c.isolate(lead)
    assert c.run_until(lambda c: c.nodes[lead].role is Role.FOLLOWER, cfg.election_timeout_max)
    assert c.now - cut_at <= cfg.election_timeout_min + cfg.heartbeat_interval
    assert any("CheckQuorum" in e for e in c.events)


def test_leader_with_a_bare_majority_stays():
    """§6.2: hearing from a majority (itself included) is enough."""
    c = elected(1)
    lead = c.leader()
    others = [n for n in c.names if n != lead]
    c.partition([lead, *others[:2]], others[2:])
    c.run_for(2000)
    assert c.leader() == lead and c.nodes[lead].role is Role.LEADER


def test_without_checkquorum_an_isolated_leader_keeps_leading():
    c = elected(1, check_quorum=False)
    lead = c.leader()
    c.isolate(lead)
    c.run_for(2000)
    assert c.nodes[lead].role is Role.LEADER


# ---------------------------------------------------------------------------- stickiness (§4.2.3)


def test_follower_that_hears_from_a_leader_ignores_vote_requests():
    """§4.2.3: if a server receives a RequestVote within the minimum election timeout of
    hearing from a current leader, it does not update its term or grant its vote."""
    n = node("n2", term=3)
    n.step(AppendEntries("n1", "n2", 3, "n1", 0, 0, (), 0), 100.0)
    for pre in (False, True):
        out = n.step(RequestVote("n3", "n2", 4, "n3", 5, 3, pre_vote=pre), 150.0)
        assert out.messages == [] and n.current_term == 3 and n.voted_for is None
    # After the minimum election timeout, the request is considered.
    out = n.step(RequestVote("n3", "n2", 4, "n3", 5, 3), 100.0 + n.config.election_timeout_min + 1)
    assert n.current_term == 4 and out.messages[0].vote_granted


def test_stickiness_needs_a_known_leader():
    """etcd's inLease: a server that knows no leader (leader_id is None) considers votes —
    once the restart fence is over (this node boots from a disk in term 3, so for a minimum
    election timeout it keeps the promise it may have made before; tests/core/test_defend_core.py)."""
    n = node("n2", term=3)
    out = n.step(RequestVote("n3", "n2", 4, "n3", 5, 3), n.config.election_timeout_min + 10.0)
    assert n.current_term == 4 and out.messages[0].vote_granted


def test_stickiness_is_off_without_checkquorum():
    n = node("n2", term=3, check_quorum=False)
    n.step(AppendEntries("n1", "n2", 3, "n1", 0, 0, (), 0), 100.0)
    out = n.step(RequestVote("n3", "n2", 4, "n3", 5, 3), 120.0)
    assert n.current_term == 4 and out.messages[0].vote_granted


def test_disruptive_candidate_cannot_depose_a_healthy_leader():
    """§4.2.3 with §9.6: a server forced to time out cannot win while the others hear the leader."""
    c = elected(3)
    lead = c.leader()
    term = c.nodes[lead].current_term
    other = [n for n in c.names if n != lead][0]
    c.timeout(other)
    c.run_for(500)
    assert c.leader() == lead and c.nodes[lead].current_term == term


# ---------------------------------------------------------------------------- configuration


def test_scenario_language_switches_prevote_and_checkquorum():
    run = Scenario.parse("cluster 3 prevote=off checkquorum=off reads=log snapshot=10 trailing=2\n").start()
    cfg = run.cluster.config
    assert (cfg.pre_vote, cfg.check_quorum, cfg.read_mode, cfg.snapshot_threshold, cfg.snapshot_trailing) == \
        (False, False, "log", 10, 2)
    assert RaftConfig().pre_vote and RaftConfig().check_quorum  # on by default
    with pytest.raises(ScenarioError, match="prevote is on or off"):
        Scenario.parse("cluster 3 prevote=maybe\n").start()


def test_lease_reads_require_checkquorum():
    with pytest.raises(ValueError, match="requires check_quorum"):
        RaftConfig(read_mode="lease", check_quorum=False).validate()
    with pytest.raises(ValueError, match="read_mode"):
        RaftConfig(read_mode="fast").validate()


def test_prevote_refused_while_a_leader_is_heard_even_without_checkquorum():
    """§9.6: voters grant a PreVote only if they have not received heartbeats from a valid
    leader for at least a baseline election timeout."""
    n = node("n2", term=3, check_quorum=False)
    n.step(AppendEntries("n1", "n2", 3, "n1", 0, 0, (), 0), 100.0)
    out = n.step(RequestVote("n3", "n2", 4, "n3", 5, 3, pre_vote=True), 120.0)
    assert not out.messages[0].vote_granted and n.current_term == 3
    out = n.step(RequestVote("n3", "n2", 4, "n3", 5, 3, pre_vote=True), 100.0 + n.config.election_timeout_min)
    assert out.messages[0].vote_granted and out.messages[0].term == 4 and n.current_term == 3
