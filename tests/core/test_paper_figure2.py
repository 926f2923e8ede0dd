"""Figure 2 of the Raft paper, rule by rule: the state every server keeps, the rules for all
servers, and persistence before responding. Each test drives one sans-I/O RaftNode with
hand-made messages and checks its Output (etcd-io/raft ``raft_paper_test.go`` style).
Election (§5.1, §5.2), replication (§5.3) and safety (§5.4) rules have their own files."""

from __future__ import annotations

import dataclasses

import pytest

from paper_helpers import (FIVE, LATE, THREE, append, campaign, elect, make_leader, make_node, of_type, only,
                           vote_request)
from raftcore.kv import Command
from raftcore.log import Entry
from raftcore.messages import AppendEntries, AppendEntriesReply, RequestVote, RequestVoteReply
from raftcore.node import Output, RaftNode, Role
from raftcore.sim.disk import Disk


# ---------------------------------------------------------------------------- State


def test_initial_state():
    """Figure 2, State: currentTerm is initialized to 0 on first boot, votedFor is null,
    the log is empty, and commitIndex and lastApplied are initialized to 0; servers begin
    as followers (§5.2)."""
    n = make_node()
    assert (n.role, n.current_term, n.voted_for, n.log.last_index) == (Role.FOLLOWER, 0, None, 0)
    assert (n.commit_index, n.last_applied) == (0, 0)
    assert n.leader_id is None


def test_restart_keeps_persistent_state_and_resets_volatile_state():
    """Figure 2, State: currentTerm, votedFor and log[] are persistent; commitIndex and
    lastApplied are volatile and start again at 0 after a restart."""
    leader, _ = make_leader("n1", ("n1",))  # a single server commits its no-op at once
    leader.propose(Command("SET", "x", ("1",)), LATE)
    assert leader.commit_index == 2
    reborn = RaftNode("n1", ["n1"], leader.config, leader.rng, leader.persistent_state())
    reborn.start(LATE + 1)
    assert (reborn.current_term, reborn.voted_for) == (1, "n1")
    assert reborn.log.entries() == leader.log.entries()
    assert (reborn.commit_index, reborn.last_applied, reborn.role) == (0, 0, Role.FOLLOWER)
    assert reborn.state == {}


def test_leader_state_reinitialized_after_election():
    """Figure 2, volatile state on leaders (reinitialized after election): nextIndex for each
    server is initialized to the leader's last log index + 1, matchIndex to 0."""
    n = make_node("n1", FIVE, term=2, log=[1, 1, 2])
    elect(n)
    assert n.next_index == {p: 4 for p in ("n2", "n3", "n4", "n5")}  # last index 3 before the no-op
    assert n.match_index == {p: 0 for p in ("n2", "n3", "n4", "n5")}


def test_leader_state_reinitialized_on_second_election():
    """Figure 2: nextIndex and matchIndex are reinitialized after *every* election, not kept
    from an earlier term in which the server led."""
    n, _ = make_leader("n1", THREE)
    n.step(AppendEntriesReply("n2", "n1", 1, True, match_index=1), LATE)
    assert n.match_index["n2"] == 1
    n.step(vote_request("n3", "n1", 2, last_index=1, last_term=1), LATE)  # n3 wins term 2
    assert n.role is Role.FOLLOWER
    n.step(vote_request("n2", "n1", 3, last_index=1, last_term=1), LATE)  # n2 campaigns in term 3
    elect(n, LATE * 2)  # n1 wins term 4
    assert n.current_term == 4
    assert n.match_index == {"n2": 0, "n3": 0}
    assert n.next_index == {"n2": 2, "n3": 2}


# ---------------------------------------------------------------------------- All Servers


def _as_role(role: Role) -> RaftNode:
    """A server of term 3 in the given role (candidate: term 3 campaign; leader: elected in 3)."""
    if role is Role.FOLLOWER:
        return make_node("n1", THREE, term=3, voted_for="n2", log=[1, 2])
    n = make_node("n1", THREE, term=2, log=[1, 2])
    if role is Role.CANDIDATE:
        campaign(n)
    else:
        elect(n)
    assert n.role is role and n.current_term == 3
    return n


HIGHER_TERM_MESSAGES = {
    # A RequestVote from a candidate whose log is behind, so the vote is not granted either.
    "RequestVote": lambda: vote_request("n2", "n1", 7, last_index=1, last_term=1),
    "RequestVoteReply": lambda: RequestVoteReply("n2", "n1", 7, False),
    "AppendEntriesReply": lambda: AppendEntriesReply("n2", "n1", 7, False),
}


@pytest.mark.parametrize("role", list(Role), ids=str)
@pytest.mark.parametrize("kind", sorted(HIGHER_TERM_MESSAGES))
def test_higher_term_converts_to_follower(role, kind):
    """Figure 2, All Servers (§5.1): if an RPC request or response contains term T >
    currentTerm, set currentTerm = T and convert to follower; votedFor is for the old term
    so it is cleared, and the new term is persisted before the reply is sent."""
    n = _as_role(role)
    out = n.step(HIGHER_TERM_MESSAGES[kind](), LATE + 1)
    assert n.current_term == 7
    assert n.role is Role.FOLLOWER
    assert n.voted_for is None
    assert out.persist_state is True
    for m in out.messages:
        assert m.term == 7  # anything it answers carries the new term


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_higher_term_append_entries_converts_to_follower(role):
    """Figure 2, All Servers (§5.1): an AppendEntries with term T > currentTerm makes any
    server a follower of term T (persisted, votedFor cleared), and it learns the leader."""
    n = _as_role(role)
    out = n.step(append("n3", "n1", 7, 2, 2), LATE + 1)
    assert (n.current_term, n.role, n.voted_for, n.leader_id) == (7, Role.FOLLOWER, None, "n3")
    assert out.persist_state is True
    reply = only(out, AppendEntriesReply)
    assert reply.term == 7 and reply.success


def test_same_term_message_does_not_clear_vote():
    """Figure 2, All Servers: only a *higher* term resets votedFor; a message of the current
    term leaves the vote (and the term) as they are and persists nothing about them."""
    n = make_node("n1", THREE, term=3, voted_for="n2")
    out = n.step(append("n2", "n1", 3, 0, 0), LATE)
    assert (n.current_term, n.voted_for) == (3, "n2")
    assert out.persist_state is False


def test_apply_committed_entries_in_log_order():
    """Figure 2, All Servers: if commitIndex > lastApplied, increment lastApplied and apply
    log[lastApplied] to the state machine — one entry at a time, in index order."""
    n = make_node("n1", THREE, term=1)
    cmds = [Command("SET", "x", ("1",)), Command("INC", "x"), Command("INC", "x"), Command("SET", "y", ("a",))]
    ae = AppendEntries("n2", "n1", 1, "n2", 0, 0, tuple(Entry(1, c) for c in cmds), 0)
    out = n.step(ae, LATE)
    assert out.applied == [] and n.last_applied == 0  # nothing committed yet
    out = n.step(AppendEntries("n2", "n1", 1, "n2", 4, 1, (), 3), LATE)
    assert [(i, r) for i, _, r, _ in out.applied] == [(1, "OK"), (2, 2), (3, 3)]
    assert n.last_applied == n.commit_index == 3
    assert n.state == {"x": "3"}
    out = n.step(AppendEntries("n2", "n1", 1, "n2", 4, 1, (), 4), LATE)
    assert [(i, r) for i, _, r, _ in out.applied] == [(4, "OK")]
    assert n.state == {"x": "3", "y": "a"}


def test_noop_entries_apply_without_touching_state_machine():
    """§8 / Figure 2: the no-op a leader appends is applied in its turn (lastApplied moves past
    it) but changes nothing in the state machine."""
    n, _ = make_leader("n1", ("n1",))
    assert n.commit_index == n.last_applied == 1
    assert n.log.entry(1).command is None
    assert n.state == {}


# ---------------------------------------------------------------------------- Persistence


def test_candidate_persists_term_and_vote_before_requesting_votes():
    """Figure 2: persistent state is updated on stable storage before responding to (or
    sending) RPCs: the output that carries the RequestVotes also asks to persist the new term
    and the vote for itself."""
    n = make_node()
    out = campaign(n)
    assert out.persist_state is True
    assert len(of_type(out, RequestVote)) == 2


def test_follower_persists_new_entries_before_acknowledging():
    """Figure 2: a follower writes new log entries to stable storage before it replies
    success; the output holding the reply names the first index to persist."""
    n = make_node("n1", THREE, term=1, log=[1])
    out = n.step(append("n2", "n1", 1, 1, 1, [1, 1]), LATE)
    assert out.persist_log_from == 2
    assert only(out, AppendEntriesReply).success


def test_leader_persists_its_entry_before_replicating_it():
    """Figure 2 / §5.3: the leader's own copy of a new entry is persisted in the same output
    that sends the AppendEntries carrying it."""
    n, out = make_leader()
    assert out.persist_log_from == 1  # the no-op
    out = n.propose(Command("SET", "x", ("1",)), LATE)
    assert out.persist_log_from == out.proposed_index == 2
    assert all(m.entries[-1].command == Command("SET", "x", ("1",)) for m in of_type(out, AppendEntries))


def test_nothing_to_persist_for_a_plain_heartbeat():
    """Figure 2: only changed persistent state needs a write; a heartbeat of the current term
    that adds nothing asks for no write (so the reply is not delayed by the disk)."""
    n = make_node("n1", THREE, term=2, voted_for="n2", log=[1, 2])
    out = n.step(append("n2", "n1", 2, 2, 2, commit=1), LATE)
    assert out.persist_state is False and out.persist_log_from is None
    assert only(out, AppendEntriesReply).success


def test_a_fresh_output_asks_for_nothing():
    """Each step starts from an Output that asks for nothing: no message, nothing to persist,
    apply, note or answer (every field set by its hand-written ``__init__``, a new list each)."""
    a, b = Output(), Output()
    assert {f.name: getattr(a, f.name) for f in dataclasses.fields(Output)} == {
        "messages": [], "persist_state": False, "persist_log_from": None, "applied": [], "notes": [],
        "persist_snapshot": False, "installed": None, "became_leader": False, "commit_advanced": False,
        "proposed_index": None, "reads": [], "vote": None}
    a.messages.append("m")
    assert b.messages == [] and a != b


def test_persisted_vote_survives_restart():
    """Figure 2 / §5.2: votedFor is persistent, so a server that voted and then crashed and
    restarted does not vote for a second candidate in the same term."""
    disk = Disk()
    n = make_node("n1", THREE, term=0)
    out = n.step(vote_request("n2", "n1", 1), LATE)
    disk.write(n, out)  # the driver persists before sending the reply
    assert only(out, RequestVoteReply).vote_granted
    reborn = RaftNode("n1", list(THREE), n.config, n.rng, disk.read())
    reborn.start(LATE + 1)
    out = reborn.step(vote_request("n3", "n1", 1), LATE + 2)
    assert not only(out, RequestVoteReply).vote_granted
    assert reborn.voted_for == "n2"


def test_persisted_log_survives_restart():
    """Figure 2: log[] is persistent; what the output asked to persist is exactly what a
    restarted server finds, including truncations of conflicting entries."""
    disk = Disk()
    n = make_node("n1", THREE, term=0)
    disk.write(n, n.step(append("n2", "n1", 2, 0, 0, [1, 1, 2, 2]), LATE))
    disk.write(n, n.step(append("n3", "n1", 3, 2, 1, [3]), LATE))  # conflicts at 3: truncate, append
    assert [e.term for e in disk.log.entries()] == [1, 1, 3]
    assert disk.log.entries() == n.log.entries()
    assert disk.current_term == 3
