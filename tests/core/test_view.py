"""The contract between the core and the site: ``Cluster.view()`` (raftcore/view.py).

A view is what a diagram may show of Figure 2's state — persistent, volatile, leader state —
plus the network and the checker's verdicts, as frozen values. These tests check that a view
says what the cluster holds, that it cannot be changed, and that building one changes
nothing in the run.
"""

from __future__ import annotations

import dataclasses

import pytest

from raftcore import RaftConfig
from raftcore.check.invariants import ELECTION_SAFETY
from raftcore.scenarios import load_scenario
from raftcore.sim import Cluster
from raftcore.view import ClusterView, FlightView, Role, ServerView


def elected(seed: int = 1, **cfg) -> Cluster:
    c = Cluster(5, seed=seed, config=RaftConfig(**cfg))
    assert c.run_until(lambda c: c.leader() is not None, 3000)
    return c


def test_a_view_is_frozen_and_slotted():
    """A view is a value: neither it nor anything in it can be changed by the site."""
    c = elected()
    c.submit("SET x 1")
    c.run_for(5)
    v = c.view()
    s = v.servers[0]
    values = [v, s, s.log, s.state, s.disk, s.log.entries[0]]
    values += list(v.flights[:1]) + list(v.server(v.leader).progress[:1])
    assert len(values) == 8
    for value in values:
        assert not hasattr(value, "__dict__"), type(value).__name__
        name = dataclasses.fields(value)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(value, name, getattr(value, name))
    assert isinstance(v.servers, tuple) and isinstance(s.log.entries, tuple) and isinstance(v.blocked, frozenset)


def test_a_view_reflects_figure_2_state_of_every_server():
    """Figure 2: each server's currentTerm, votedFor, log[], commitIndex and lastApplied,
    and the state machine the applied entries built (§5.3)."""
    c = elected()
    c.submit("SET x 1", client="a")
    assert c.run_until(lambda c: all(c.nodes[n].last_applied >= 2 for n in c.names), 2000)
    v = c.view()
    assert isinstance(v, ClusterView) and v.time == c.now and v.names == tuple(c.names)
    assert v.leader == c.leader() and v.leaders == (c.leader(),)
    for s in v.servers:
        node = c.nodes[s.name]
        assert isinstance(s, ServerView) and s.alive
        assert (s.current_term, s.voted_for, s.leader_id) == (node.current_term, node.voted_for, node.leader_id)
        assert (s.commit_index, s.last_applied) == (node.commit_index, node.last_applied)
        assert [(e.index, e.term) for e in s.log.entries] == [(i, e.term) for i, e in enumerate(node.log.entries(), 1)]
        assert [e.label for e in s.log.entries] == ["no-op", "SET x=1"]
        assert all(e.committed == (e.index <= node.commit_index) for e in s.log.entries)
        assert s.log.entries[0].noop and not s.log.entries[1].noop
        assert s.state.get("x") == "1" and s.state.data == (("x", "1"),)
        assert s.state.sessions == (("a", 1, "OK"),)
        assert s.state.digest == node.state_machine.digest()
        assert s.voters == tuple(c.names) and s.is_voter and not s.is_learner
        assert s.role is (Role.LEADER if s.name == v.leader else Role.FOLLOWER)
    assert v.configuration == tuple(c.names) and v.members == tuple(c.names) and v.learners == ()


def test_the_log_window_holds_the_latest_entries():
    """The view carries a window of each log (the diagram draws the latest entries); None
    asks for the whole log."""
    c = elected()
    for i in range(6):
        c.submit(f"SET k {i}", client="a")
    assert c.run_until(lambda c: c.nodes[c.leader()].commit_index >= 7, 3000)
    lead = c.leader()
    last = c.nodes[lead].log.last_index
    window = c.view(log_window=3).server(lead).log
    assert [e.index for e in window.entries] == [last - 2, last - 1, last]
    assert window.window_start == last - 2 and window.last_index == last and window.length == last
    assert [e.index for e in c.view(log_window=None).server(lead).log.entries] == list(range(1, last + 1))


def test_a_leader_shows_its_progress_per_follower():
    """Figure 2, volatile state on leaders: nextIndex and matchIndex for each server, and
    (thesis §6.2) whether each follower answered recently enough for CheckQuorum."""
    c = elected()
    c.submit("SET x 1")
    c.run_for(300)
    v = c.view()
    lead = c.nodes[v.leader]
    progress = v.server(v.leader).progress
    assert [p.peer for p in progress] == [n for n in c.names if n != v.leader]
    for p in progress:
        assert (p.next_index, p.match_index) == (lead.next_index[p.peer], lead.match_index[p.peer])
        assert p.recently_active and p.last_ack == lead.progress[p.peer].last_ack and not p.learner
    assert all(s.progress == () for s in v.servers if s.name != v.leader)


def test_a_pre_candidate_is_drawn_as_one():
    """Thesis §9.6: a server whose timer fired asks a PreVote first, without changing its
    term. The node keeps following with a flag; the view names the role PRE_CANDIDATE, as
    etcd's StatePreCandidate, with its votes so far."""
    c = elected(pre_vote=True)
    lone = next(n for n in c.names if n != c.leader())
    term = c.nodes[lone].current_term
    c.isolate(lone)
    assert c.run_until(lambda c: c.nodes[lone].pre_candidate, 2000)
    s = c.view().server(lone)
    assert s.role is Role.PRE_CANDIDATE and str(s.role) == "pre_candidate"
    assert s.current_term == term and s.votes == (lone,) and s.quorum == 3


def test_flights_carry_their_fields_and_keep_their_id():
    """Each message on the wire: who sends it to whom, its RPC and its key fields (§5.3's
    prevLogIndex/prevLogTerm, the entries it carries), its times and how far it has come —
    and one id from the moment it leaves until it arrives."""
    c = elected()
    c.submit("SET x 1")
    assert c.run_until(lambda c: any(type(f.msg).__name__ == "AppendEntries" and f.msg.entries
                                     for f in c.in_flight()), 500)
    v = c.view()
    f = next(f for f in v.flights if f.kind == "AppendEntries")
    assert isinstance(f, FlightView) and f.type == "AppendEntries"
    msg = f.message
    assert (f.src, f.dst, f.term) == (msg.src, msg.dst, msg.term)
    assert f.field("prev_log_index") == msg.prev_log_index and f.field("prev_log_term") == msg.prev_log_term
    assert f.field("entries") == len(msg.entries) >= 1 and f.field("leader_commit") == msg.leader_commit
    assert f.text == str(msg) and f.sent_at <= v.time <= f.deliver_at and 0.0 <= f.travelled <= 1.0
    c.run_for(0.01)
    later = {g.id: g for g in c.view().flights}
    if f.id in later:
        assert later[f.id].message is msg and later[f.id].travelled >= f.travelled
    assert len({g.id for g in v.flights}) == len(v.flights)
    kinds = {g.kind for g in c.view().flights} | {g.kind for g in v.flights}
    assert kinds <= {"AppendEntries", "Heartbeat", "AppendEntriesReply", "RequestVote", "PreVote",
                     "RequestVoteReply", "PreVoteReply", "InstallSnapshot", "InstallSnapshotReply", "TimeoutNow"}


def test_the_network_and_a_crashed_server_as_the_view_shows_them():
    """A crash loses the volatile state but not the disk (Figure 2); a partition is a set of
    one-way blocked links; a slow link an extra delay."""
    c = elected()
    c.submit("SET x 1")
    c.run_for(300)
    down = next(n for n in c.names if n != c.leader())
    c.crash(down)
    c.cut(c.names[0], c.names[1])
    c.set_link_delay(c.names[1], c.names[2], 40)
    v = c.view()
    s = v.server(down)
    assert not s.alive and s.timer is None
    assert (s.disk.current_term, s.disk.voted_for) == (c.disks[down].current_term, c.disks[down].voted_for)
    assert s.disk.log_length == c.disks[down].log.last_index and s.disk.log_terms[-1] == s.log.entries[-1].term
    assert (c.names[0], c.names[1]) in v.blocked and (c.names[1], c.names[0]) not in v.blocked
    assert v.link_delay(c.names[1], c.names[2]) == 40.0 and v.link_delay(c.names[2], c.names[1]) == 0.0


def test_timers_run_down_from_one_to_zero():
    """§5.2: a follower's election timer, as the fraction still to run; leaders have none."""
    c = elected()
    v = c.view()
    for s in v.servers:
        if s.role is Role.LEADER:
            assert s.timer is None
        else:
            assert 0.0 <= s.timer <= 1.0 and s.election_timeout > 0


def test_violations_and_vote_decisions_are_in_the_view():
    """§5.2, Election Safety: the checker's violation with the servers it concerns, and the
    voters' own records of each RequestVote they answered."""
    r = load_scenario("double_vote").start(seed=0, strict=False)
    r.cluster.set_unsafe("multiple_votes_per_term", True)
    r.finish()
    v = r.cluster.view()
    assert v.halted and v.violation is not None
    bad = v.violation
    assert (bad.key, bad.label) == ("election_safety", ELECTION_SAFETY)
    assert bad.servers and set(bad.servers) <= set(v.names) and bad.text == str(r.cluster.violation)
    assert v.vote_decisions and all(v.decision(d.voter, d.candidate) is d for d in v.vote_decisions)


def test_building_views_changes_nothing():
    """Drawing must not change the run: the same seed gives the same trace with a view
    built after every event."""
    a, b = Cluster(5, seed=3), Cluster(5, seed=3)
    for c in (a, b):
        c.submit("SET x 1")
    while a.now < 1500:
        a.step()
        a.view()
    b.run_for(a.now)
    assert a.trace_hash() == b.trace_hash()


def test_a_view_after_time_travel_shows_the_restored_state():
    """Views share unchanged values between frames; a restored run (new objects, earlier
    state) must never be shown with values of the run it replaced."""
    c = elected()
    c.submit("SET x 1", client="a")
    assert c.run_until(lambda c: all(c.nodes[n].last_applied >= 2 for n in c.names), 2000)
    snap = c.snapshot()
    before = c.view()
    c.submit("SET x 2", client="a")
    assert c.run_until(lambda c: all(c.nodes[n].last_applied >= 3 for n in c.names), 2000)
    assert all(s.state.get("x") == "2" for s in c.view().servers)
    c.restore(snap)
    after = c.view()
    assert [s.state for s in after.servers] == [s.state for s in before.servers]
    assert [s.log for s in after.servers] == [s.log for s in before.servers]
    assert all(s.state.get("x") == "1" for s in after.servers)
