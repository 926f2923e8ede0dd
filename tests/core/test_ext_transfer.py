"""Thesis §3.10: leadership transfer."""

from __future__ import annotations

import random

import pytest

from raftcore import RaftConfig, RaftNode, Role
from raftcore.kv import Command
from raftcore.messages import AppendEntries, AppendEntriesReply, RequestVote, RequestVoteReply, TimeoutNow
from raftcore.scenarios import Scenario
from raftcore.sim import Cluster

LATE = 10_000.0


def leader() -> RaftNode:
    n = RaftNode("n1", ["n1", "n2", "n3"], RaftConfig(pre_vote=False), random.Random(1))
    n.start(0.0)
    n.tick(LATE)
    n.step(RequestVoteReply("n2", "n1", 1, True), LATE)
    assert n.role is Role.LEADER
    return n


def elected(seed: int) -> Cluster:
    c = Cluster(5, seed=seed)
    assert c.run_until(lambda c: c.leader() is not None, 3000)
    c.run_for(100)
    return c


def test_leader_brings_the_target_up_to_date_then_sends_timeout_now():
    """§3.10: the prior leader stops accepting client requests, fully updates the target
    server's log to match its own, then sends it TimeoutNow."""
    n = leader()
    out = n.transfer_leadership("n2", LATE)
    assert [type(m) for m in out.messages] == [AppendEntries]  # n2 lacks the no-op
    assert n.propose(Command("SET", "x", ("1",)), LATE).proposed_index is None  # no new requests
    out = n.step(AppendEntriesReply("n2", "n1", 1, True, match_index=n.log.last_index), LATE)
    assert [m for m in out.messages if type(m) is TimeoutNow] == [TimeoutNow("n1", "n2", 1)]


def test_target_campaigns_at_once_without_prevote_and_past_stickiness():
    """§3.10: on TimeoutNow the target starts an election at once (no PreVote round); its
    RequestVotes are marked, so voters that still hear from the leader do not ignore them."""
    t = RaftNode("n2", ["n1", "n2", "n3"], RaftConfig(), random.Random(2))
    t.start(0.0)
    t.step(AppendEntries("n1", "n2", 1, "n1", 0, 0, (), 0), 10.0)
    out = t.step(TimeoutNow("n1", "n2", 1), 20.0)
    assert t.role is Role.CANDIDATE and t.current_term == 2
    votes = [m for m in out.messages if type(m) is RequestVote]
    assert votes and all(m.transfer and not m.pre_vote for m in votes)
    voter = RaftNode("n3", ["n1", "n2", "n3"], RaftConfig(), random.Random(3))
    voter.start(0.0)
    voter.step(AppendEntries("n1", "n3", 1, "n1", 0, 0, (), 0), 15.0)
    assert voter.in_lease()
    reply = voter.step(votes[-1], 21.0).messages[0]
    assert reply.vote_granted and voter.current_term == 2


@pytest.mark.parametrize("seed", range(5))
def test_transfer_completes(seed):
    c = elected(seed)
    old = c.leader()
    term = c.nodes[old].current_term
    target = [n for n in c.names if n != old][-1]
    c.transfer_leadership(target)
    assert c.run_until(lambda c: c.leader() == target, c.config.election_timeout_min)
    assert c.nodes[target].current_term == term + 1 and c.nodes[old].role is Role.FOLLOWER
    h = c.submit("SET x 1")
    assert c.run_until(lambda c: h.done, 2000) and c.violation is None


@pytest.mark.parametrize("seed", range(5))
def test_transfer_aborts_within_an_election_timeout_when_the_target_is_down(seed):
    """§3.10: if the transfer does not complete within an election timeout, the prior leader
    aborts it and resumes accepting client requests."""
    c = elected(seed)
    old = c.leader()
    target = [n for n in c.names if n != old][0]
    c.crash(target)
    start = c.now
    c.transfer_leadership(target)
    h = c.submit("SET x 1", client="w")
    assert c.run_until(lambda c: c.nodes[old].transfer_target is None, c.config.election_timeout_max)
    assert c.now - start <= c.config.election_timeout_min + 1e-6
    assert c.leader() == old and any("aborts leadership transfer" in e for e in c.events)
    assert c.run_until(lambda c: h.done, 2000) and h.result == "OK"
    assert c.violation is None


def test_transfer_bad_input():
    c = elected(0)
    lead = c.leader()
    with pytest.raises(ValueError, match="unknown server"):
        c.transfer_leadership("S9")
    with pytest.raises(ValueError, match="already the leader"):
        c.transfer_leadership(lead)


def test_transfer_in_a_scenario():
    run = Scenario.parse("cluster 3 seed=1\nelect S1\nwait leader S1 within 1s\ntransfer S3\n"
                         "wait leader S3 within 300ms\nexpect no-violation\n").start()
    run.finish()
    assert run.cluster.leader() == "S3"
