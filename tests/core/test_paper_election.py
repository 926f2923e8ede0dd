"""§5.1 (Raft basics: terms) and §5.2 (leader election) of the Raft paper, one test per rule,
on a single sans-I/O RaftNode fed with hand-made messages; a few end-to-end checks use the
Cluster."""

from __future__ import annotations

import random

import pytest

from paper_helpers import (FIVE, LATE, THREE, append, campaign, elect, make_leader, make_node, of_type, only,
                           vote_request)
from raftcore.config import RaftConfig
from raftcore.kv import Command
from raftcore.messages import AppendEntries, AppendEntriesReply, RequestVote, RequestVoteReply
from raftcore.node import RaftNode, Role
from raftcore.sim import Cluster


# ---------------------------------------------------------------------------- §5.1 terms


def test_reject_stale_request_vote():
    """§5.1: If a server receives a request with a stale term number, it rejects the request
    (RequestVote receiver step 1: reply false if term < currentTerm), and its reply carries its
    current term so the candidate can update itself."""
    n = make_node("n1", THREE, term=5)
    out = n.step(vote_request("n2", "n1", 4, last_index=10, last_term=4), LATE)
    reply = only(out, RequestVoteReply)
    assert (reply.term, reply.vote_granted, reply.dst) == (5, False, "n2")
    assert (n.current_term, n.voted_for) == (5, None)
    assert out.persist_state is False


def test_reject_stale_append_entries():
    """§5.1: If a server receives a request with a stale term number, it rejects the request
    (AppendEntries receiver step 1): the log stays as it was, no leader is recognized and the
    election timer is not reset by the stale leader."""
    n = make_node("n1", THREE, term=5, log=[1, 2])
    deadline = n.election_deadline
    out = n.step(append("n2", "n1", 4, 2, 2, [4], commit=3), 100.0)
    reply = only(out, AppendEntriesReply)
    assert (reply.term, reply.success) == (5, False)
    assert [e.term for e in n.log.entries()] == [1, 2]
    assert n.commit_index == 0
    assert n.leader_id is None
    assert n.election_deadline == deadline
    assert out.persist_log_from is None


def test_stale_leader_steps_down_on_reply():
    """§5.1: If a candidate or leader discovers that its term is out of date, it immediately
    reverts to follower state — here a leader learning a newer term from a rejection."""
    n, _ = make_leader("n1", THREE)
    out = n.step(AppendEntriesReply("n2", "n1", 9, False), LATE + 1)
    assert (n.role, n.current_term) == (Role.FOLLOWER, 9)
    assert out.messages == []
    assert n.next_wakeup == n.election_deadline < float("inf")  # it has an election timer again


def test_current_term_never_decreases():
    """§5.1: Current terms are exchanged whenever servers communicate; a smaller term is never
    adopted, whatever the message."""
    n = make_node("n1", THREE, term=6)
    for m in (vote_request("n2", "n1", 3), RequestVoteReply("n2", "n1", 2, True),
              append("n2", "n1", 5, 0, 0), AppendEntriesReply("n2", "n1", 1, True, match_index=3)):
        n.step(m, LATE)
        assert n.current_term == 6
        assert n.role is Role.FOLLOWER


# ---------------------------------------------------------------------------- §5.2 timeouts


def test_follower_becomes_candidate_after_election_timeout():
    """§5.2: If a follower receives no communication over a period of time called the election
    timeout, it assumes there is no viable leader and begins an election."""
    n = make_node()
    assert 150.0 <= n.election_deadline <= 300.0
    out = n.tick(n.election_deadline - 0.001)
    assert n.role is Role.FOLLOWER and out.messages == []
    n.tick(n.election_deadline)
    assert n.role is Role.CANDIDATE


def test_start_election():
    """§5.2: To begin an election, a follower increments its current term and transitions to
    candidate state. It then votes for itself and issues RequestVote RPCs in parallel to each
    of the other servers, carrying its last log index and term (§5.4.1)."""
    n = make_node("n1", FIVE, term=3, log=[1, 1, 3])
    out = campaign(n)
    assert (n.role, n.current_term, n.voted_for, n.votes) == (Role.CANDIDATE, 4, "n1", {"n1"})
    reqs = of_type(out, RequestVote)
    assert sorted(m.dst for m in reqs) == ["n2", "n3", "n4", "n5"]
    for m in reqs:
        assert (m.src, m.term, m.candidate_id, m.last_log_index, m.last_log_term) == ("n1", 4, "n1", 3, 3)
    assert out.persist_state is True


def test_candidate_resets_its_election_timer():
    """Figure 2, Candidates: on conversion to candidate, reset the election timer (a fresh
    randomized timeout counted from now)."""
    n = make_node()
    out = campaign(n, 1000.0)
    assert 1150.0 <= n.election_deadline <= 1300.0
    assert n.election_deadline == 1000.0 + n.election_timeout
    assert out.messages


def test_randomized_timeouts_within_range():
    """§5.2: Election timeouts are chosen randomly from a fixed interval (e.g. 150–300 ms):
    every draw lies in [min, max], and the draws spread over the interval."""
    cfg = RaftConfig(election_timeout_min=150.0, election_timeout_max=300.0)
    draws = []
    for seed in range(20):
        n = RaftNode("n1", list(THREE), cfg, random.Random(seed))
        n.start(0.0)
        draws.append(n.election_timeout)
        for k in range(1, 10):  # every reset draws anew
            n.tick(n.election_deadline)
            draws.append(n.election_timeout)
    assert all(150.0 <= d <= 300.0 for d in draws)
    assert len(set(draws)) == len(draws)
    assert min(draws) < 165.0 and max(draws) > 285.0  # 200 draws cover the interval's ends


def test_timeout_draws_come_from_injected_rng():
    """§5.2 / sans-I/O: the randomized timeout comes from the injected random.Random, so the
    same seed gives the same timeout and different seeds differ."""
    a = [make_node(seed=7).election_timeout for _ in range(2)]
    assert a[0] == a[1]
    assert len({make_node(seed=s).election_timeout for s in range(5)}) == 5


def test_follower_stays_follower_while_hearing_from_leader():
    """§5.2: A server remains in follower state as long as it receives valid RPCs from a
    leader; every AppendEntries of the current term resets its election timer."""
    n = make_node("n1", THREE, term=1)
    now = 0.0
    for _ in range(20):
        now += 100.0  # less than the smallest election timeout
        n.step(append("n2", "n1", 1, 0, 0), now)
        assert n.election_deadline == now + n.election_timeout
        n.tick(now + 100.0 - 0.001)
        assert n.role is Role.FOLLOWER


def test_split_vote_starts_new_election_with_new_timeout():
    """§5.2: If many followers become candidates at the same time, votes could be split; when
    this happens, each candidate will time out and start a new election by incrementing its
    term — after a newly drawn randomized timeout."""
    n = make_node("n1", FIVE, term=0)
    campaign(n, 1000.0)
    first_timeout = n.election_timeout
    n.step(RequestVoteReply("n2", "n1", 1, True), 1001.0)  # 2 of 5: no majority
    n.step(RequestVoteReply("n3", "n1", 1, False), 1001.0)
    assert n.role is Role.CANDIDATE
    out = n.tick(n.election_deadline - 0.001)
    assert out.messages == [] and n.current_term == 1
    t = n.election_deadline
    out = n.tick(t)
    assert (n.role, n.current_term, n.voted_for, n.votes) == (Role.CANDIDATE, 2, "n1", {"n1"})
    assert n.election_timeout != first_timeout
    assert n.election_deadline == t + n.election_timeout
    assert sorted(m.dst for m in of_type(out, RequestVote)) == ["n2", "n3", "n4", "n5"]
    assert all(m.term == 2 for m in out.messages)


# ---------------------------------------------------------------------------- §5.2 votes


def test_grant_vote_to_first_candidate():
    """§5.2, RequestVote receiver step 2: if votedFor is null and the candidate's log is at
    least as up-to-date as the receiver's, grant the vote, record it and persist it before
    replying."""
    n = make_node("n1", THREE, term=1, log=[1])
    out = n.step(vote_request("n2", "n1", 1, last_index=1, last_term=1), LATE)
    assert only(out, RequestVoteReply).vote_granted
    assert n.voted_for == "n2"
    assert out.persist_state is True  # in the same output as the granting reply


def test_vote_persisted_when_granted_in_a_new_term():
    """§5.2 / Figure 2: a vote granted to a candidate of a newer term is made durable in the
    same output as the reply — term and votedFor together."""
    n = make_node("n1", THREE, term=1)
    out = n.step(vote_request("n3", "n1", 4), LATE)
    assert only(out, RequestVoteReply).vote_granted
    assert (n.current_term, n.voted_for, out.persist_state) == (4, "n3", True)


def test_one_vote_per_term():
    """§5.2: Each server will vote for at most one candidate in a given term, on a
    first-come-first-served basis."""
    n = make_node("n1", THREE, term=1)
    assert only(n.step(vote_request("n2", "n1", 2), LATE), RequestVoteReply).vote_granted
    out = n.step(vote_request("n3", "n1", 2), LATE)
    assert not only(out, RequestVoteReply).vote_granted
    assert n.voted_for == "n2"
    assert out.persist_state is False


def test_repeat_vote_for_same_candidate():
    """Figure 2, RequestVote step 2: "if votedFor is null *or candidateId*" — a retried
    RequestVote from the candidate already voted for is granted again."""
    n = make_node("n1", THREE, term=2, voted_for="n2")
    assert only(n.step(vote_request("n2", "n1", 2), LATE), RequestVoteReply).vote_granted
    assert n.voted_for == "n2"


def test_new_term_frees_the_vote():
    """§5.2: the one vote is per term: in a newer term the server may vote for another
    candidate."""
    n = make_node("n1", THREE, term=2, voted_for="n2")
    assert only(n.step(vote_request("n3", "n1", 3), LATE), RequestVoteReply).vote_granted
    assert (n.current_term, n.voted_for) == (3, "n3")


@pytest.mark.parametrize("role", [Role.CANDIDATE, Role.LEADER], ids=str)
def test_candidate_and_leader_vote_only_for_themselves(role):
    """§5.2: a candidate has voted for itself in its term, so it rejects a rival candidate of
    the same term; so does the leader of that term."""
    n = make_node("n1", THREE, term=0)
    if role is Role.CANDIDATE:
        campaign(n)
    else:
        elect(n)
    out = n.step(vote_request("n2", "n1", 1, last_index=5, last_term=1), LATE + 1)
    assert not only(out, RequestVoteReply).vote_granted
    assert n.role is role and n.voted_for == "n1"


def test_granting_vote_resets_election_timer():
    """Figure 2, Followers: the election timeout counts time without AppendEntries from the
    current leader *or granting a vote to a candidate*; granting a vote restarts it."""
    n = make_node("n1", THREE, term=1)
    n.step(vote_request("n2", "n1", 1), 120.0)
    assert n.election_deadline == 120.0 + n.election_timeout


def test_rejecting_vote_does_not_reset_election_timer():
    """Figure 2, Followers: a RequestVote that is *not* granted (here: already voted this
    term) does not count as hearing from anyone; the election timer runs on."""
    n = make_node("n1", THREE, term=1, voted_for="n3")
    deadline = n.election_deadline
    out = n.step(vote_request("n2", "n1", 1), 120.0)
    assert not only(out, RequestVoteReply).vote_granted
    assert n.election_deadline == deadline


def test_rejecting_higher_term_vote_does_not_reset_election_timer():
    """Figure 2, Followers: only AppendEntries from the current leader or *granting* a vote
    restart the election timer. A follower that adopts a newer term from a candidate whose
    log is behind (§5.4.1) and rejects it keeps its timer, so that an up-to-date server can
    still time out first instead of being held back by every stale candidate."""
    n = make_node("n1", THREE, term=1, log=[1, 1])
    deadline = n.election_deadline
    out = n.step(vote_request("n2", "n1", 5, last_index=1, last_term=1), 120.0)
    assert not only(out, RequestVoteReply).vote_granted
    assert n.current_term == 5
    assert n.election_deadline == deadline


def test_candidate_wins_with_majority():
    """§5.2: A candidate wins an election if it receives votes from a majority of the servers
    in the full cluster for the same term (itself included): in a cluster of five, two granted
    votes are not enough, three are."""
    n = make_node("n1", FIVE)
    campaign(n)
    out = n.step(RequestVoteReply("n2", "n1", 1, True), LATE)
    assert n.role is Role.CANDIDATE and not out.became_leader and out.messages == []
    out = n.step(RequestVoteReply("n3", "n1", 1, True), LATE)
    assert n.role is Role.LEADER and out.became_leader
    assert n.leader_id == "n1"


@pytest.mark.parametrize("bad", ["denied", "old term", "duplicate"])
def test_only_valid_votes_count(bad):
    """§5.2: only votes granted in the candidate's current term, one per server, count toward
    the majority: a denial, a grant from an earlier term, or a duplicated grant do not."""
    n = make_node("n1", FIVE, term=3)
    campaign(n)  # term 4
    n.step(RequestVoteReply("n2", "n1", 4, True), LATE)
    m = {"denied": RequestVoteReply("n3", "n1", 4, False),
         "old term": RequestVoteReply("n3", "n1", 3, True),
         "duplicate": RequestVoteReply("n2", "n1", 4, True)}[bad]
    out = n.step(m, LATE)
    assert n.role is Role.CANDIDATE and not out.became_leader
    assert n.votes == {"n1", "n2"}


def test_new_leader_sends_append_entries_to_all_at_once():
    """§5.2: Once a candidate wins an election, it becomes leader. It then sends heartbeat
    messages (AppendEntries) to all of the other servers to establish its authority and
    prevent new elections — in the same output that made it leader."""
    n = make_node("n1", FIVE, term=1, log=[1])
    out = elect(n)
    ae = of_type(out, AppendEntries)
    assert sorted(m.dst for m in ae) == ["n2", "n3", "n4", "n5"]
    for m in ae:
        assert (m.term, m.leader_id, m.prev_log_index, m.prev_log_term) == (2, "n1", 1, 1)


def test_new_leader_appends_noop_of_its_term():
    """§5.4.2 / §8: each leader commits a blank no-op entry into the log at the start of its
    term; the first AppendEntries already carries it."""
    n = make_node("n1", THREE, term=1, log=[1, 1])
    out = elect(n)
    assert n.log.last_index == 3
    noop = n.log.entry(3)
    assert (noop.term, noop.command) == (2, None)
    assert out.persist_log_from == 3
    for m in of_type(out, AppendEntries):
        assert m.entries == (noop,)


def test_leader_has_no_election_timer():
    """§5.2: a leader does not time out and start elections; however late its tick, it stays
    leader of its term."""
    n, _ = make_leader()
    n.tick(LATE * 10)
    assert (n.role, n.current_term) == (Role.LEADER, 1)


def test_candidate_steps_down_for_leader_of_same_term():
    """§5.2: While waiting for votes, a candidate may receive an AppendEntries RPC from another
    server claiming to be leader. If the leader's term is at least as large as the candidate's
    current term, the candidate recognizes the leader as legitimate and returns to follower
    state (keeping its vote for the term)."""
    n = make_node("n1", THREE)
    campaign(n)
    out = n.step(append("n2", "n1", 1, 0, 0), LATE + 5)
    assert (n.role, n.current_term, n.leader_id, n.voted_for) == (Role.FOLLOWER, 1, "n2", "n1")
    assert only(out, AppendEntriesReply).success
    assert n.election_deadline == LATE + 5 + n.election_timeout
    # A vote that arrives after it stepped down does not make it leader.
    n.step(RequestVoteReply("n3", "n1", 1, True), LATE + 6)
    assert n.role is Role.FOLLOWER


def test_candidate_rejects_append_entries_of_older_term():
    """§5.2: If the term in the RPC is smaller than the candidate's current term, then the
    candidate rejects the RPC and continues in candidate state."""
    n = make_node("n1", THREE, term=2)
    campaign(n)
    out = n.step(append("n2", "n1", 2, 0, 0), LATE)
    assert (n.role, n.current_term) == (Role.CANDIDATE, 3)
    assert not only(out, AppendEntriesReply).success


def test_heartbeats_every_interval():
    """§5.2: Leaders send periodic heartbeats (AppendEntries RPCs that carry no log entries) to
    all followers in order to maintain their authority — one round every heartbeat_interval."""
    cfg = RaftConfig(heartbeat_interval=50.0)
    n, _ = make_leader("n1", FIVE, config=cfg, now=1000.0)
    n.step(AppendEntriesReply("n2", "n1", 1, True, match_index=1), 1010.0)
    assert n.tick(1049.9).messages == []
    for k in range(1, 4):
        t = 1000.0 + 50.0 * k
        out = n.tick(t)
        hb = of_type(out, AppendEntries)
        assert sorted(m.dst for m in hb) == ["n2", "n3", "n4", "n5"]
        assert [m for m in hb if m.dst == "n2"][0].entries == ()  # n2 is up to date: empty heartbeat
        assert n.next_wakeup == t + 50.0
        assert n.tick(t + 49.9).messages == []


def test_single_server_elects_itself_and_commits():
    """§5.2: a candidate that holds a majority by itself — a one-server cluster — becomes
    leader at once, and commits (and applies) its entries as soon as it appends them."""
    n = make_node("solo", ("solo",))
    out = n.tick(n.election_deadline)
    assert out.became_leader and n.role is Role.LEADER and n.current_term == 1
    assert out.messages == []
    assert n.commit_index == 1  # the no-op
    out = n.propose(Command("SET", "x", ("1",)), LATE)
    assert out.proposed_index == 2 and n.commit_index == 2 and n.last_applied == 2
    assert [(i, r) for i, _, r, _ in out.applied] == [(2, "OK")]
    assert n.state == {"x": "1"}


def test_cluster_elects_one_leader():
    """§5.2 / Election Safety: a five-server cluster elects a leader within a few election
    timeouts; at most one leader per term, and every other server follows its term."""
    for seed in range(5):
        c = Cluster(5, seed=seed)
        assert c.run_until(lambda c: c.leader() is not None, 3000.0)
        lead = c.leader()
        c.run_for(300.0)  # heartbeats reach everyone
        assert c.leaders() == [lead]
        term = c.nodes[lead].current_term
        assert all(c.nodes[x].current_term == term and c.nodes[x].leader_id == lead for x in c.names)
        assert c.violation is None


def test_cluster_reelects_after_leader_crash():
    """§5.2: when the leader fails, followers time out and elect a new leader of a higher
    term."""
    c = Cluster(5, seed=3)
    assert c.run_until(lambda c: c.leader() is not None, 3000.0)
    old = c.leader()
    old_term = c.nodes[old].current_term
    c.crash(old)
    assert c.run_until(lambda c: c.leader() not in (None, old), 3000.0)
    assert c.nodes[c.leader()].current_term > old_term
    assert c.violation is None


def test_cluster_heartbeats_prevent_new_elections():
    """§5.2: as long as the leader's heartbeats arrive, followers stay followers: over many
    election timeouts of a healthy network the term and the leader do not change."""
    c = Cluster(5, seed=2)
    assert c.run_until(lambda c: c.leader() is not None, 3000.0)
    lead, term = c.leader(), c.nodes[c.leader()].current_term
    c.run_for(5000.0)
    assert c.leaders() == [lead]
    assert all(c.nodes[x].current_term == term for x in c.names)
    assert c.stats["Heartbeat"] >= 4 * (5000 // 50) - 8  # 4 followers, one round per 50 ms


def test_cluster_of_one_elects_itself_and_commits():
    """§5.2 / §5.3: a one-server cluster is its own majority: it elects itself after one
    election timeout and commits client commands without any messages."""
    c = Cluster(1, seed=0)
    h = c.submit("SET x 1")
    assert c.run_until(lambda c: h.done, 1000.0)
    assert h.result == "OK" and c.nodes["S1"].state == {"x": "1"}
    assert c.stats["sent"] == 0
