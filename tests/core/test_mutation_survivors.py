"""Tests written for mutants of raftcore/node.py that survived ``make mutants`` (issue 13):
each pins down a rule no earlier test checked. The mutant each one kills is named in its
docstring, as ``mutmut`` spells the function it mutated."""

from __future__ import annotations

import copy
import random

import pytest
from paper_helpers import elect

from raftcore import RaftConfig, RaftNode, Role, Unsafe
from raftcore.kv import Command, KVStore
from raftcore.log import Entry, Log
from raftcore.membership import ConfigChange
from raftcore.messages import (AppendEntries, AppendEntriesReply, InstallSnapshot, InstallSnapshotReply,
                               RequestVote, RequestVoteReply, TimeoutNow)
from raftcore.node import PersistentState

LATE = 10_000.0
GET_X = Command("GET", "x", (), "c", 1)


def node(name="n1", peers=("n1", "n2", "n3"), term=0, log=(), now=0.0, **cfg) -> RaftNode:
    entries = [Entry(t, Command("SET", "k", (str(i),))) for i, t in enumerate(log, 1)]
    cfg.setdefault("pre_vote", False)
    n = RaftNode(name, list(peers), RaftConfig(**cfg), random.Random(1), PersistentState(term, None, Log(entries)))
    n.start(now)
    return n


def leader(peers=("n1", "n2", "n3"), **cfg) -> RaftNode:
    n = node(peers=peers, **cfg)
    elect(n)
    return n


def ack(n: RaftNode, peer: str, rnd: int, now: float = LATE, match: int | None = None):
    m = n.log.last_index if match is None else match
    return n.step(AppendEntriesReply(peer, n.name, n.current_term, True, match_index=m, round=rnd), now)


def test_no_lease_read_after_a_transfer_began() -> None:
    """Thesis §3.10 and §6.4: once a leader has sent TimeoutNow, its target's election
    ignores stickiness, so the leader's lease is void: a read needs a new confirming round.
    (Kills ``lease_valid`` returning True when the lease is broken, and ``continue_transfer``
    not breaking it.)"""
    n = leader(read_mode="lease")
    ack(n, "n2", n.round)
    ack(n, "n3", n.round)
    assert n.lease_valid()
    out = n.transfer_leadership("n2", LATE)
    assert [m for m in out.messages if type(m) is TimeoutNow]
    out = n.read(GET_X, LATE)
    assert out.reads == [] and [m for m in out.messages if type(m) is AppendEntries]


def test_confirmed_round_is_the_one_a_majority_answered_in_an_even_cluster() -> None:
    """Thesis §6.4: with four voters a majority is three: the leader and the two followers
    that answered the latest rounds. (Kills sorting the acknowledged rounds the wrong way.)"""
    n = leader(peers=("n1", "n2", "n3", "n4"))
    r = n.round
    n.broadcast_append_entries()
    ack(n, "n2", r + 1)
    ack(n, "n3", r)
    assert n.confirmed_round() == r
    ack(n, "n4", r + 1)
    assert n.confirmed_round() == r + 1


def test_checkquorum_counts_each_follower_once() -> None:
    """Thesis §6.2: a leader of five that hears from one follower only has heard from two of
    five: it steps down. (Kills counting a heard follower twice in ``hears_from_quorum``.)"""
    n = leader(peers=("n1", "n2", "n3", "n4", "n5"))
    later = LATE + 10 * n.config.election_timeout_max
    ack(n, "n2", n.round, later)
    assert not n.hears_from_quorum() or n.now != later
    n.tick(later)
    assert n.role is Role.FOLLOWER


def test_stickiness_and_the_restart_fence_end_exactly_at_the_minimum_election_timeout() -> None:
    """Thesis §4.2.3: a server ignores votes *within* the minimum election timeout of hearing
    from the leader (or of restarting); at exactly that time it considers them. (Kills ``<``
    turned into ``<=`` in ``in_lease``.)"""
    f = node("n2", term=1, check_quorum=True)
    f.step(AppendEntries("n1", "n2", 1, "n1", 0, 0, (), 0), 1000.0)
    out = f.step(RequestVote("n3", "n2", 2, "n3", 0, 0), 1000.0 + f.config.election_timeout_min)
    assert [m for m in out.messages if type(m) is RequestVoteReply and m.vote_granted]
    r = node("n2", term=1, check_quorum=True, now=500.0)  # restarted from a disk in term 1
    out = r.step(RequestVote("n3", "n2", 2, "n3", 0, 0), 500.0 + r.config.election_timeout_min)
    assert [m for m in out.messages if type(m) is RequestVoteReply and m.vote_granted]


def test_prevote_decision_is_recorded_as_answered() -> None:
    """Thesis §9.6: a PreVote is answered, and its decision recorded for the displays, with
    the verdict and the reason. (Kills ``record_vote`` given no verdict or reason.)"""
    f = node("n2", term=1, log=[1, 1])
    out = f.step(RequestVote("n3", "n2", 2, "n3", 2, 1, pre_vote=True), LATE)
    v = out.vote
    assert v.granted is True and v.pre_vote and v.up_to_date and "up to date" in v.reason
    out = f.step(RequestVote("n3", "n2", 2, "n3", 1, 1, pre_vote=True), LATE)
    v = out.vote
    assert v.granted is False and not v.up_to_date and "more up-to-date" in v.reason


def test_entries_after_a_compacted_prefix_are_appended() -> None:
    """§5.3 with thesis §5: an AppendEntries whose first entries are already compacted into
    the follower's snapshot skips just those — the entries after them are appended, or the
    follower would acknowledge entries it does not hold. (Kills ``break`` for ``continue``.)"""
    f = node("n2", term=1, log=[1, 1, 1])
    f.step(AppendEntries("n1", "n2", 1, "n1", 3, 1, (), 3), LATE)
    f.take_snapshot()
    assert f.log.snapshot_index == 3
    entries = tuple(Entry(1, Command("SET", "k", (str(i),))) for i in range(2, 6))
    out = f.step(AppendEntries("n1", "n2", 1, "n1", 1, 1, entries, 3), LATE)
    assert f.log.last_index == 5
    assert [m.match_index for m in out.messages if type(m) is AppendEntriesReply] == [5]


def test_stale_install_snapshot_is_rejected_with_the_current_term() -> None:
    """Thesis §5.3 (InstallSnapshot receiver, 1.): reply immediately with currentTerm if
    term < currentTerm — from this server, about nothing installed. (Kills the reply's fields
    mutated.)"""
    f = node("n2", term=5)
    kv = KVStore()
    out = f.step(InstallSnapshot("n1", "n2", 3, "n1", 4, 3, kv, ("n1", "n2", "n3"), kv.digest()), LATE)
    assert out.messages == [InstallSnapshotReply("n2", "n1", 5, 0)]


def test_a_deposed_leader_ignores_a_late_install_snapshot_reply_of_its_term() -> None:
    """Thesis §5.3, §6.2: a leader that stepped down (CheckQuorum, same term) no longer acts
    on replies — not even of its own term. (Kills ``and`` for ``or`` in the reply filter.)"""
    n = leader()
    later = LATE + 10 * n.config.election_timeout_max
    n.tick(later)
    assert n.role is Role.FOLLOWER
    before = (dict(n.match_index), n.commit_index)
    out = n.step(InstallSnapshotReply("n2", "n1", n.current_term, 7), later)
    assert (dict(n.match_index), n.commit_index) == before and out.messages == []


def test_one_of_two_servers_may_be_removed() -> None:
    """Thesis §4.1: only the last server cannot be removed; a two-server cluster may shrink
    to one. (Kills the refusal counting two servers as the last.)"""
    n = leader(peers=("n1", "n2"))
    ack(n, "n2", n.round)  # commits the no-op: the errata rule is met
    assert n.membership_change_refusal("remove", "n2") is None


@pytest.mark.parametrize("target", ["n1", "n9"])
def test_transfer_only_to_another_voter(target: str) -> None:
    """Thesis §3.10: leadership goes to another voter — not to the leader itself, not to a
    server outside the configuration. (Kills ``and`` for ``or`` in the check.)"""
    n = leader()
    with pytest.raises(ValueError, match="cannot transfer"):
        n.transfer_leadership(target, LATE)


def test_install_snapshot_carries_the_whole_snapshot() -> None:
    """Thesis §5.3: InstallSnapshot carries the snapshot's last index and term, the state, the
    configuration as of that index, and (here) the state's digest; the follower installs all
    of it and knows the sender as its leader. (Kills ``send_snapshot`` dropping the config or
    digest or the leader's id, and ``handle_install_snapshot`` recording none for them.)"""
    from raftcore.sim import Cluster

    c = Cluster(size=3, seed=3, config=RaftConfig(snapshot_threshold=5, snapshot_trailing=0))
    assert c.run_until(lambda c: c.leader() is not None, 2000)
    lead = c.leader()
    lag = next(n for n in c.names if n != lead)
    c.crash(lag)
    hs = [c.submit("INC x", client="a") for _ in range(12)]
    assert c.run_until(lambda c: all(h.done for h in hs), 10_000)
    c.restart(lag)
    assert c.run_until(lambda c: c.nodes[lag].snapshot is not None, 2000)
    sent = c.nodes[lead].snapshot
    got = c.nodes[lag].snapshot
    assert (got.index, got.term, got.config, got.digest) == (sent.index, sent.term, sent.config, sent.digest)
    assert got.digest == got.state.digest()
    assert c.nodes[lag].voters == tuple(sorted(c.names)) and c.nodes[lag].leader_id == lead


def test_vote_decision_records_what_the_election_restriction_compared() -> None:
    """§5.4.1, for the displays: each RequestVote decision carries both logs' last
    ``(term, index)``, the verdict, the reason, the voter's term and the time. (Kills
    ``record_vote`` dropping or swapping any of them.)"""
    f = node("n2", term=2, log=[1, 2])
    out = f.step(RequestVote("n3", "n2", 3, "n3", 1, 1), 1234.0)
    v = out.vote
    assert (v.voter, v.candidate, v.term, v.candidate_last, v.voter_last) == ("n2", "n3", 3, (1, 1), (2, 2))
    assert v.granted is False and v.up_to_date is False and v.pre_vote is False
    assert v.voter_term == 3 and v.time == 1234.0 and "more up-to-date" in v.reason
    out = f.step(RequestVote("n1", "n2", 3, "n1", 2, 2), 1235.0)
    assert out.vote.granted is True and out.vote.up_to_date is True


def test_a_new_leader_holds_no_lease_before_a_majority_answers() -> None:
    """Thesis §6.4: a lease starts with a heartbeat round a majority acknowledged; a leader
    just elected has none yet. (Kills ``become_leader`` counting round 1 as acknowledged.)"""
    n = leader(read_mode="lease")
    assert not n.lease_valid()
    ack(n, "n2", n.round)
    assert n.lease_valid()


def test_hearing_a_leader_ends_a_prevote_campaign() -> None:
    """Thesis §9.6: a pre-candidate that hears from a leader of its term is a plain follower
    again: late PreVote grants no longer start an election. (Kills ``become_follower``
    leaving ``pre_candidate`` set.)"""
    f = node("n2", term=1, pre_vote=True, peers=("n1", "n2", "n3", "n4", "n5"))
    f.tick(LATE)
    assert f.pre_candidate
    f.step(AppendEntries("n1", "n2", 1, "n1", 0, 0, (), 0), LATE)
    assert not f.pre_candidate
    for voter in ("n3", "n4", "n5"):
        f.step(RequestVoteReply(voter, "n2", 2, True, pre_vote=True), LATE)
    assert f.role is Role.FOLLOWER and f.current_term == 1


def test_a_stale_timeout_now_is_ignored() -> None:
    """Thesis §3.10: TimeoutNow of an earlier term comes from a leader long gone: the
    server does not campaign on it. (Kills the term check in ``handle_timeout_now``.)"""
    f = node("n2", term=3)
    f.step(TimeoutNow("n1", "n2", 2), LATE)
    assert f.role is Role.FOLLOWER and f.current_term == 3


def test_a_server_removed_by_an_uncommitted_change_may_still_campaign() -> None:
    """Thesis §4.2.2: a server removed by a configuration entry not yet known committed may
    be needed to elect a leader of the old configuration. (Kills ``may_campaign`` negated.)"""
    from raftcore.membership import ConfigChange

    entries = [Entry(1, None), Entry(1, ConfigChange(("n1", "n2"), "-n3"))]
    f = RaftNode("n3", ["n1", "n2", "n3"], RaftConfig(), random.Random(1), PersistentState(1, None, Log(entries)))
    f.start(0.0)
    assert "n3" not in f.voter_set and f.may_campaign()


def test_persistent_state_includes_the_snapshot() -> None:
    """Thesis §5.1: the snapshot is persistent state — a restart begins from it. (Kills
    ``persistent_state`` leaving it out.)"""
    f = node("n2", term=1, log=[1, 1, 1])
    f.step(AppendEntries("n1", "n2", 1, "n1", 3, 1, (), 3), LATE)
    f.take_snapshot()
    assert f.persistent_state().snapshot is f.snapshot is not None


def test_restart_from_a_snapshot_reports_the_installed_state() -> None:
    """Thesis §5.1: a server restarting from a snapshot loads the state machine from it, and
    says so (``Output.installed``), so the checker compares that state with the state others
    reached at that index. (Kills ``start`` not reporting it.)"""
    f = node("n2", term=1, log=[1, 1, 1])
    f.step(AppendEntries("n1", "n2", 1, "n1", 3, 1, (), 3), LATE)
    f.take_snapshot()
    again = RaftNode("n2", ["n1", "n2", "n3"], RaftConfig(), random.Random(2), f.persistent_state())
    out = again.start(LATE + 1)
    assert out.installed == (3, f.snapshot.digest) and again.last_applied == 3


@pytest.mark.parametrize("restarted", [False, True])
def test_an_ignored_vote_request_is_recorded_as_not_granted(restarted: bool) -> None:
    """Thesis §4.2.3: a vote request ignored for stickiness (or the restart fence) is drawn
    as refused, with the reason. (Kills ``record_vote`` given True, or no reason, there.)"""
    f = node("n2", term=1, check_quorum=True, now=1000.0)
    if not restarted:
        f.restart_fence = float("-inf")
        f.step(AppendEntries("n1", "n2", 1, "n1", 0, 0, (), 0), 1000.0)
    out = f.step(RequestVote("n3", "n2", 2, "n3", 0, 0), 1001.0)
    assert out.vote.granted is False and out.vote.reason.startswith("ignored")
    assert ("restarted" in out.vote.reason) is restarted


# ---------------------------------------------------------------------- second round (node.py reshaped)


def compacted_leader() -> RaftNode:
    """A leader of three whose log is compacted up to index 4 (no-op and three commands,
    committed with n2), with n3 still at nothing: n3 can only be sent the snapshot."""
    n = leader()
    for i in range(3):
        n.propose(Command("SET", "x", (str(i),)), LATE)
    ack(n, "n2", n.round)
    assert n.commit_index == n.last_applied == 4
    n.take_snapshot()
    assert n.log.snapshot_index == 4 and n.progress["n3"].next_index <= 4
    return n


def commit_through(f: RaftNode, index: int, term: int = 1, now: float = LATE):
    """The leader n1 of ``term`` tells follower ``f`` that ``index`` is committed."""
    return f.step(AppendEntries("n1", f.name, term, "n1", index, f.log.term_at(index), (), index), now)


def test_a_copy_of_a_leader_holds_the_same_state_and_is_a_separate_server() -> None:
    """Figure 2's state, for time travel (``Cluster.snapshot``): a copy of a leader holds the
    same volatile state on leaders — every field of every follower's record — and what the
    original does next does not change the copy. (Kills ``Progress.copy`` dropping or
    shifting a field, and ``__deepcopy__`` sharing the records.)"""
    n = compacted_leader()
    n.broadcast_append_entries()  # n3 is sent the snapshot: its record notes when
    assert n.progress["n3"].snapshot_sent == LATE and n.progress["n2"].acked_round >= 1
    c = copy.deepcopy(n)
    assert c.progress == n.progress and c.progress["n3"] is not n.progress["n3"]
    before = c.progress["n3"].copy()
    n.step(InstallSnapshotReply("n3", "n1", n.current_term, 4), LATE + 1)
    assert n.progress["n3"].match_index == 4
    assert c.progress["n3"] == before


def test_after_time_travel_the_servers_still_share_the_clusters_configuration() -> None:
    """Time travel restores one simulation: the servers and the cluster keep one
    configuration, so an unsafe switch turned on afterwards (a "Defend it" section) reaches
    every server. (Kills ``__deepcopy__`` copying the attributes without the memo.)"""
    from raftcore.sim import Cluster

    c = Cluster(size=3, seed=1)
    c.run_for(500)
    c.restore(c.snapshot())
    c.set_unsafe("local_reads", True)
    assert all(c.nodes[name].config.unsafe.local_reads for name in c.names)


def test_a_restarted_server_ignores_prevote_grants_it_did_not_ask_for() -> None:
    """Thesis §9.6: a server counts PreVote grants only while it is a pre-candidate. One that
    has just (re)started has asked for none: late grants of a campaign from before its crash
    start no election. (Kills ``__init__`` starting as a pre-candidate.)"""
    f = node("n2", term=1)
    for voter in ("n1", "n3"):
        f.step(RequestVoteReply(voter, "n2", 2, True, pre_vote=True), LATE)
    assert f.role is Role.FOLLOWER and f.current_term == 1 and not f.pre_candidate


def test_a_server_is_a_voter_of_the_configuration_it_boots_with() -> None:
    """Thesis §4: the bootstrap configuration is the server and its peers; only a server
    added later (``joining``) boots outside it, and does not campaign. (Kills the
    ``joining`` default turned, and the test on it.)"""
    n = RaftNode("n1", ["n2", "n3"], RaftConfig(pre_vote=False), random.Random(1))
    n.start(0.0)
    assert n.voters == ("n1", "n2", "n3")
    n.tick(LATE)
    assert n.role is Role.CANDIDATE
    j = RaftNode("n4", ["n1", "n2", "n3"], RaftConfig(pre_vote=False), random.Random(1), joining=True)
    j.start(0.0)
    assert "n4" not in j.voter_set
    j.tick(LATE)
    assert j.role is Role.FOLLOWER and j.current_term == 0


def test_applied_entries_carry_a_state_digest_only_when_asked() -> None:
    """Figure 2 (All Servers): apply log[lastApplied] to the state machine. The digest of the
    state after each entry is for an invariant checker, at a cost: none unless the driver
    asks (``track_digests``). (Kills its default turned, and ``or True`` on it.)"""
    f = node("n2", term=1, log=[1, 1])
    out = commit_through(f, 2)
    assert [(i, d) for i, _, _, d in out.applied] == [(1, None), (2, None)]
    t = RaftNode("n2", ["n1", "n2", "n3"], RaftConfig(), random.Random(1), f.persistent_state(),
                 track_digests=True)
    t.start(0.0)
    out = commit_through(t, 2)
    assert [i for i, _, _, d in out.applied if d is not None] == [1, 2]
    assert out.applied[-1][3] == t.state_machine.digest()


def test_the_commit_index_never_moves_back_when_a_voter_is_removed() -> None:
    """Figure 2: commitIndex increases monotonically. After n2 is removed, a majority of the
    new configuration {n1, n3} holds less than was committed; n3's reply must not move the
    commit index back to what that majority holds. (Kills ``or`` for ``and`` in the test of
    the new value in ``advance_commit_index``.)"""
    n = leader()
    for i in range(2):
        n.propose(Command("SET", "x", (str(i),)), LATE)
    ack(n, "n2", n.round)
    assert n.commit_index == 3
    n.change_membership("remove", "n2", LATE)
    assert n.voters == ("n1", "n3")
    ack(n, "n3", n.round, match=2)
    assert n.commit_index == 3


def test_the_output_says_commit_advanced_only_when_the_commit_index_rose() -> None:
    """Figure 2, commitIndex: the output flags the steps that raised it — the invariant
    checker compares what was committed after exactly those. (Kills the flag raised on a
    leader's reply that commits nothing new, on a follower's heartbeat that commits nothing
    new, and not raised when a snapshot installs committed entries.)"""
    n = leader()
    assert ack(n, "n2", n.round).commit_advanced is True
    assert ack(n, "n3", n.round).commit_advanced is False  # n3 holds what was committed
    f = node("n2", term=1, log=[1, 1])
    assert commit_through(f, 2).commit_advanced is True
    out = f.step(AppendEntries("n1", "n2", 1, "n1", 2, 1, (), 5), LATE)  # leader is further
    assert f.commit_index == 2 and out.commit_advanced is False
    g = node("n3", term=1)
    kv = KVStore()
    out = g.step(InstallSnapshot("n1", "n3", 1, "n1", 4, 1, kv, ("n1", "n2", "n3"), kv.digest()), LATE)
    assert g.commit_index == 4 and out.commit_advanced is True


@pytest.mark.parametrize("size", [3, 5])
def test_the_commit_without_majority_switch_counts_one_server_fewer(size: int) -> None:
    """§5.3: an entry is committed once the leader has replicated it on a majority; the
    unsafe switch ``commit_without_majority`` counts one server fewer — the leader alone of
    three, the leader and one follower of five. (Kills either bound of that count mutated.)"""
    peers = tuple(f"n{i}" for i in range(1, size + 1))
    n = leader(peers=peers, unsafe=Unsafe(commit_without_majority=True))
    n.propose(Command("SET", "x", ("1",)), LATE)
    ack(n, "n2", n.round, match=1)  # n2 holds the no-op only
    assert n.commit_index == (2 if size == 3 else 1)


def test_a_rejection_answers_the_heartbeat_round_too() -> None:
    """Thesis §6.4: a reply to the leader's AppendEntries of its term — a failed consistency
    check included — shows the follower still follows it, so it echoes the round it answers.
    (Kills the rejection dropping the round.)"""
    f = node("n2", term=1, log=[1])
    out = f.step(AppendEntries("n1", "n2", 1, "n1", 3, 1, (), 0, 7), LATE)
    [reply] = [m for m in out.messages if type(m) is AppendEntriesReply]
    assert reply.success is False and reply.round == 7


def test_checkquorum_steps_down_when_the_last_majority_answer_is_exactly_a_timeout_old() -> None:
    """Thesis §6.2: a leader steps down unless a majority answered *within* the last minimum
    election timeout; a majority whose latest answer is exactly that old has not. (Kills
    ``>`` turned into ``>=`` in ``hears_from_quorum``.)"""
    n = leader()
    t = LATE + 100
    ack(n, "n2", n.round, t)
    limit = t + n.config.election_timeout_min
    n.tick(limit - n.config.heartbeat_interval)  # a heartbeat; the next is due at the limit
    assert n.role is Role.LEADER and n.heartbeat_deadline == limit
    n.tick(limit)
    assert n.role is Role.FOLLOWER


def lease_leader() -> RaftNode:
    """A lease-reading leader whose first round n2 answered at LATE (its lease began then)."""
    n = leader(read_mode="lease")
    ack(n, "n2", n.round)
    assert n.last_applied == 1
    return n


def test_reads_within_one_lease_are_all_answered_at_once() -> None:
    """Thesis §6.4: a lease lets the leader answer reads without a round of heartbeats for as
    long as it lasts — every read, not just the first. (Kills ``lease_valid`` forgetting the
    start of the confirmed round itself.)"""
    n = lease_leader()
    for t in (LATE + 10, LATE + 20, LATE + 30):
        out = n.read(GET_X, t)
        assert len(out.reads) == 1 and not out.messages, t


def test_a_lease_ends_exactly_its_duration_after_its_round_began() -> None:
    """Thesis §6.4: the lease lasts less than the followers' stickiness, which ends at exactly
    a minimum election timeout (``in_lease``): at exactly ``lease_duration()`` after the round
    began the lease is over, and a read needs a new round. (Kills ``<`` turned into ``<=``.)"""
    n = lease_leader()
    out = n.read(GET_X, LATE + n.config.lease_duration())
    assert out.reads == [] and [m for m in out.messages if type(m) is AppendEntries]


def config_log(*changes: tuple[tuple[str, ...], str]) -> Log:
    return Log([Entry(1, None)] + [Entry(1, ConfigChange(voters, label)) for voters, label in changes])


def test_a_snapshot_at_a_configuration_entry_records_that_configuration() -> None:
    """Thesis §5.1: a snapshot records the latest configuration as of its last index — the
    entry at that index included. (Kills ``<=`` turned into ``<`` in ``config_at``.)"""
    f = RaftNode("n2", ["n1", "n2", "n3"], RaftConfig(), random.Random(1),
                 PersistentState(1, None, config_log((("n1", "n2"), "-n3"))))
    f.start(0.0)
    commit_through(f, 2)
    f.take_snapshot()
    assert f.snapshot.index == 2 and f.snapshot.config == ("n1", "n2")


def test_a_server_added_then_removed_by_an_uncommitted_entry_may_still_campaign() -> None:
    """Thesis §4.2.2: a server removed by a configuration entry not yet known committed may be
    needed to elect a leader of the configuration before it — here the one that added it.
    (Kills ``may_campaign`` reading the configuration two entries back.)"""
    log = config_log((("n1", "n2", "n3"), "+n3"), (("n1", "n2"), "-n3"))
    f = RaftNode("n3", ["n1", "n2"], RaftConfig(), random.Random(1), PersistentState(1, None, log), joining=True)
    f.start(0.0)
    commit_through(f, 2)
    assert f.voters == ("n1", "n2") and f.commit_index == 2
    assert f.may_campaign()


def test_a_slow_learner_is_given_up_at_its_deadline() -> None:
    """Thesis §4.2.1: the leader aborts adding a server that does not catch up in time — at
    its deadline, as every other deadline of the node fires (``now >= deadline``). (Kills
    ``>=`` turned into ``>`` in ``give_up_slow_learners``.)"""
    n = leader(check_quorum=False)
    ack(n, "n2", n.round)  # the no-op is committed: changes are allowed
    n.change_membership("add", "n4", LATE)
    deadline = n.learners["n4"]
    n.tick(deadline)
    assert "n4" not in n.learners and "n4" not in n.peers


def test_an_install_snapshot_of_what_the_follower_has_committed_changes_nothing() -> None:
    """Thesis §5.3: a snapshot that covers no more than the follower has committed brings it
    nothing: the follower keeps its log and state and installs nothing. (Kills ``>`` turned
    into ``>=`` in ``handle_install_snapshot``.)"""
    f = node("n2", term=1, log=[1, 1, 1])
    commit_through(f, 3)
    kv = KVStore()
    out = f.step(InstallSnapshot("n1", "n2", 1, "n1", 3, 1, kv, ("n1", "n2", "n3"), kv.digest()), LATE)
    assert out.installed is None and f.snapshot is None and f.log.snapshot_index == 0
    assert [m.match_index for m in out.messages if type(m) is InstallSnapshotReply] == [3]


def test_a_follower_discarding_its_log_for_a_snapshot_persists_the_log_from_after_it() -> None:
    """Thesis §5.3 (InstallSnapshot receiver, 7.): with no entry matching the snapshot's last
    one, the follower discards its whole log; it reports the log changed from just after the
    snapshot, which it persists with it. (Kills the index reported there mutated.)"""
    f = node("n2", term=1, log=[1, 1])
    kv = KVStore()
    out = f.step(InstallSnapshot("n1", "n2", 1, "n1", 4, 1, kv, ("n1", "n2", "n3"), kv.digest()), LATE)
    assert f.log.snapshot_index == f.log.last_index == 4
    assert out.persist_snapshot and out.persist_log_from == 5


def test_a_duplicated_install_snapshot_reply_sends_nothing() -> None:
    """§5.5 (duplicated RPCs are harmless) with thesis §5.3: the first InstallSnapshotReply
    moves the follower's nextIndex past the snapshot and the leader sends what follows; a
    duplicate of it finds nextIndex there already and sends nothing more. (Kills ``+ 1 >``
    turned into ``+ 2 >`` or ``>=`` in ``handle_install_snapshot_reply``.)"""
    n = compacted_leader()
    n.propose(Command("SET", "x", ("after",)), LATE)
    n.broadcast_append_entries()
    reply = InstallSnapshotReply("n3", "n1", n.current_term, 4)
    out = n.step(reply, LATE + 1)
    assert [(type(m), m.prev_log_index) for m in out.messages] == [(AppendEntries, 4)]
    out = n.step(reply, LATE + 2)
    assert out.messages == []


def test_a_server_no_longer_a_voter_ignores_timeout_now() -> None:
    """Thesis §3.10 and §4.2.2: only a voter is a transfer's target; a server removed by a
    committed configuration change that receives TimeoutNow (the leader began the transfer
    before the removal) does not campaign. (Kills ``and`` for ``or`` in the check.)"""
    f = RaftNode("n3", ["n1", "n2", "n3"], RaftConfig(pre_vote=False), random.Random(1),
                 PersistentState(1, None, config_log((("n1", "n2"), "-n3"))))
    f.start(0.0)
    commit_through(f, 2)
    f.step(TimeoutNow("n1", "n3", 1), LATE)
    assert f.role is Role.FOLLOWER and f.current_term == 1


def test_a_transfer_to_a_server_behind_the_snapshot_sends_it_the_snapshot() -> None:
    """Thesis §3.10: the leader first brings the target's log up to date — by InstallSnapshot
    when the entries it lacks are compacted (§5.3), timed by the leader's clock. (Kills
    ``transfer_leadership`` not taking ``now``.)"""
    n = compacted_leader()
    out = n.transfer_leadership("n3", LATE + 1)
    assert [type(m) for m in out.messages] == [InstallSnapshot]
    assert n.progress["n3"].snapshot_sent == LATE + 1


def test_a_log_set_by_a_scenario_keeps_the_nondeterministic_state_machine() -> None:
    """§2 (replicated state machines must be deterministic): the unsafe switch
    ``nondeterministic_state_machine`` makes each replica's state depend on its own clock; a
    server given a log and term by a scenario (``load_persistent_state``) keeps it. (Kills
    the new state machine built without the switch.)"""
    f = node("n2", unsafe=Unsafe(nondeterministic_state_machine=True))
    f.load_persistent_state(PersistentState(1, None, Log([Entry(1, Command("SET", "k", ("v",)))])))
    commit_through(f, 1)
    assert f.state == {"k": "v", "k@": f"{LATE:.0f}ms"}


def test_refused_votes_say_why() -> None:
    """§5.2 and §5.4.1, for the displays: a refused RequestVote says why — a stale term, a
    vote already cast in the term, or the voter's more up-to-date log (and nothing about an
    unsafe switch that is off). (Kills those reasons replaced by None or marked UNSAFE.)"""
    f = node("n2", term=3, log=[1, 2])
    v = f.step(RequestVote("n3", "n2", 2, "n3", 2, 2), LATE).vote
    assert not v.granted and v.reason == "stale term: 2 < my term 3"
    v = f.step(RequestVote("n3", "n2", 3, "n3", 1, 1), LATE).vote
    assert not v.granted and v.reason.startswith("my log is more up-to-date")
    assert f.step(RequestVote("n1", "n2", 3, "n1", 2, 2), LATE).vote.granted
    v = f.step(RequestVote("n3", "n2", 3, "n3", 2, 2), LATE).vote
    assert not v.granted and v.reason == "already voted for n1 in term 3"


def test_refused_prevotes_say_why() -> None:
    """Thesis §9.6, for the displays: a refused PreVote says why — the voter heard from a
    leader within the minimum election timeout, already voted in that term, or the request's
    term is stale. (Kills those reasons replaced by None or swapped.)"""
    f = node("n2", term=1, check_quorum=False)
    f.step(AppendEntries("n1", "n2", 1, "n1", 0, 0, (), 0), 1000.0)
    v = f.step(RequestVote("n3", "n2", 2, "n3", 0, 0, pre_vote=True), 1001.0).vote
    assert not v.granted and v.reason == "heard from leader n1 within the minimum election timeout"
    g = node("n2", term=3)
    assert g.step(RequestVote("n1", "n2", 3, "n1", 0, 0), LATE).vote.granted
    v = g.step(RequestVote("n3", "n2", 3, "n3", 0, 0, pre_vote=True), LATE).vote
    assert not v.granted and v.reason == "already voted for n1 in term 3"
    v = g.step(RequestVote("n3", "n2", 2, "n3", 0, 0, pre_vote=True), LATE).vote
    assert not v.granted and v.reason == "stale term: 2 < my term 3"


def test_votes_granted_only_by_an_unsafe_switch_say_so() -> None:
    """§5.4.1 and §5.2, for the "Defend it" displays: a vote that only an unsafe switch lets
    through says UNSAFE and which rule it skipped; a vote the rules grant does not. (Kills
    the UNSAFE marks moved to the wrong votes or replaced by None.)"""
    f = node("n2", term=1, log=[1, 1], unsafe=Unsafe(skip_up_to_date_check=True))
    v = f.step(RequestVote("n3", "n2", 2, "n3", 0, 0), LATE).vote
    assert v.granted and v.reason.startswith("UNSAFE, logs not compared (my log is more up-to-date")
    g = node("n2", term=1, unsafe=Unsafe(multiple_votes_per_term=True))
    v = g.step(RequestVote("n1", "n2", 2, "n1", 0, 0), LATE).vote
    assert v.granted and not v.reason.startswith("UNSAFE")
    v = g.step(RequestVote("n3", "n2", 2, "n3", 0, 0), LATE).vote
    assert v.granted and v.reason.startswith("UNSAFE, second vote of term 2 (already voted for n1)")


def test_an_ignored_vote_request_still_records_how_the_logs_compare() -> None:
    """§5.4.1 and thesis §4.2.3, for the displays: a request ignored for stickiness is drawn
    with the election restriction's verdict on the two logs all the same. (Kills
    ``record_vote`` not computing it, or taking the reason for it.)"""
    f = node("n2", term=1, log=[1, 1])
    f.step(AppendEntries("n1", "n2", 1, "n1", 0, 0, (), 0), 1000.0)
    v = f.step(RequestVote("n3", "n2", 2, "n3", 2, 1), 1001.0).vote
    assert v.reason.startswith("ignored") and v.up_to_date is True
    v = f.step(RequestVote("n3", "n2", 2, "n3", 1, 1), 1002.0).vote
    assert v.reason.startswith("ignored") and v.up_to_date is False


def test_a_candidate_knows_no_leader_and_heeds_a_newer_term() -> None:
    """Thesis §4.2.3 (etcd's ``inLease``): stickiness holds while a server follows a leader it
    heard from recently. A candidate — here the target of a transfer, which heard from the
    leader a moment ago — follows none: a RequestVote of a newer term moves it to that term.
    (Kills ``reset`` leaving a leader id that is not None.)"""
    f = node("n2", term=1)
    f.step(AppendEntries("n1", "n2", 1, "n1", 0, 0, (), 0), 1000.0)
    f.step(TimeoutNow("n1", "n2", 1), 1001.0)
    assert f.role is Role.CANDIDATE and f.current_term == 2 and f.leader_id is None
    f.step(RequestVote("n3", "n2", 3, "n3", 0, 0), 1002.0)
    assert f.current_term == 3 and f.role is Role.FOLLOWER


def test_a_configuration_entry_names_the_change() -> None:
    """Thesis §4.1, for the displays: each configuration entry carries the new configuration
    and the one change that made it ("-n3", "+n4"), drawn in the log. (Kills the label lost
    in ``append_config``.)"""
    n = leader(check_quorum=False)
    ack(n, "n2", n.round)
    n.change_membership("remove", "n3", LATE)
    last = n.log.entry(n.log.last_index).command
    assert (last.voters, last.change) == (("n1", "n2"), "-n3")
