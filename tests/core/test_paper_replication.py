"""§5.3 of the Raft paper (log replication), one test per rule: the AppendEntries receiver
(Figure 2 steps 1–5) on a follower, and the leader's side (nextIndex/matchIndex, back-off,
commitment by counting replicas) on a leader fed with hand-made replies."""

from __future__ import annotations

import pytest

from paper_helpers import (FIVE, LATE, THREE, append, log_terms, make_leader, make_node, of_type,
                           only, pump)
from raftcore.config import RaftConfig
from raftcore.kv import Command
from raftcore.log import Entry
from raftcore.messages import AppendEntries, AppendEntriesReply
from raftcore.node import Role
from raftcore.sim import Cluster

SET_X = Command("SET", "x", ("1",))


# ---------------------------------------------------------------------------- leader appends


def test_leader_appends_command_and_replicates_it():
    """§5.3: The leader appends the command to its log as a new entry, then issues
    AppendEntries RPCs in parallel to each of the other servers to replicate the entry."""
    n, _ = make_leader("n1", FIVE)
    out = n.propose(SET_X, LATE)
    assert out.proposed_index == 2
    assert n.log.entry(2) == Entry(1, SET_X)
    ae = of_type(out, AppendEntries)
    assert sorted(m.dst for m in ae) == ["n2", "n3", "n4", "n5"]
    for m in ae:
        assert m.entries[-1] == Entry(1, SET_X)
        assert m.prev_log_index + len(m.entries) == 2


@pytest.mark.parametrize("role", [Role.FOLLOWER, Role.CANDIDATE], ids=str)
def test_only_leader_accepts_commands(role):
    """§5.3 / §8: only the leader appends client commands; a follower or candidate refuses
    (and the client is redirected)."""
    n = make_node()
    if role is Role.CANDIDATE:
        n.tick(LATE)
    out = n.propose(SET_X, LATE)
    assert out.proposed_index is None
    assert n.log.last_index == 0 and out.messages == [] and out.persist_log_from is None


def test_leader_carries_commit_index_in_append_entries():
    """§5.3: The leader keeps track of the highest index it knows to be committed, and it
    includes that index in future AppendEntries RPCs (including heartbeats)."""
    n, _ = make_leader("n1", THREE)
    n.step(AppendEntriesReply("n2", "n1", 1, True, match_index=1), LATE)
    assert n.commit_index == 1
    out = n.tick(LATE + 1000.0)
    assert {m.leader_commit for m in of_type(out, AppendEntries)} == {1}


# ---------------------------------------------------------------------------- consistency check


def test_accept_when_prev_matches():
    """§5.3, AppendEntries step 2 / 4: when the follower holds an entry at prevLogIndex with
    prevLogTerm, it appends the new entries and replies success with the index it now matches."""
    n = make_node("n1", THREE, term=2, log=[1, 2])
    out = n.step(append("n2", "n1", 2, 2, 2, [2, 2]), LATE)
    reply = only(out, AppendEntriesReply)
    assert reply.success and reply.match_index == 4
    assert log_terms(n) == [1, 2, 2, 2]


def test_prev_index_zero_always_matches():
    """Figure 2: index 0 is the empty position before the first entry; an AppendEntries with
    prevLogIndex 0 passes the consistency check on any log."""
    n = make_node("n1", THREE, term=3, log=[1, 2])
    out = n.step(append("n2", "n1", 3, 0, 0, [3]), LATE)
    assert only(out, AppendEntriesReply).success
    assert log_terms(n) == [3]


def test_reject_when_prev_index_beyond_log():
    """§5.3: If the follower does not find an entry in its log with the same index and term,
    then it refuses the new entries — here its log is too short to hold prevLogIndex. The
    hint names its log's end so the leader can skip straight to it."""
    n = make_node("n1", THREE, term=2, log=[1, 1])
    out = n.step(append("n2", "n1", 2, 5, 2, [2], commit=6), LATE)
    reply = only(out, AppendEntriesReply)
    assert (reply.success, reply.reject_index, reply.conflict_term, reply.conflict_index) == (False, 5, None, 3)
    assert log_terms(n) == [1, 1] and n.commit_index == 0
    assert out.persist_log_from is None


def test_reject_when_prev_term_mismatches():
    """§5.3: If the follower's entry at prevLogIndex has a different term, it refuses the new
    entries; with the optimization, it includes the term of the conflicting entry and the
    first index it stores for that term."""
    n = make_node("n1", THREE, term=4, log=[1, 2, 2, 2, 3])
    out = n.step(append("n2", "n1", 4, 4, 4, [4], commit=5), LATE)
    reply = only(out, AppendEntriesReply)
    assert (reply.success, reply.reject_index, reply.conflict_term, reply.conflict_index) == (False, 4, 2, 2)
    assert log_terms(n) == [1, 2, 2, 2, 3]
    assert n.commit_index == 0


def test_rejection_from_current_leader_still_resets_timer():
    """§5.2 / Figure 2, Followers: a failed consistency check is still an AppendEntries from the
    current leader: the follower recognizes the leader and restarts its election timer."""
    n = make_node("n1", THREE, term=2, log=[1])
    out = n.step(append("n2", "n1", 2, 4, 2), 200.0)
    assert not only(out, AppendEntriesReply).success
    assert n.leader_id == "n2" and n.election_deadline == 200.0 + n.election_timeout


# ---------------------------------------------------------------------------- conflicts


def test_truncate_conflicting_entries_and_append():
    """§5.3, AppendEntries step 3: if an existing entry conflicts with a new one (same index
    but different terms), delete the existing entry and all that follow it; step 4: append the
    new entries. The write starts at the first changed index."""
    n = make_node("n1", THREE, term=3, log=[1, 1, 2, 2, 2])
    out = n.step(append("n2", "n1", 3, 2, 1, [1, 3]), LATE)  # leader: 3 is term 1, 4 is term 3
    reply = only(out, AppendEntriesReply)
    assert reply.success and reply.match_index == 4
    assert log_terms(n) == [1, 1, 1, 3]
    assert out.persist_log_from == 3


def test_conflict_later_in_the_batch():
    """§5.3, step 3: entries before the first conflict are kept as they are (not rewritten);
    the log is cut only from the first conflicting index."""
    n = make_node("n1", THREE, term=3, log=[1, 1, 2, 2])
    out = n.step(append("n2", "n1", 3, 1, 1, [1, 2, 3, 3]), LATE)
    assert log_terms(n) == [1, 1, 2, 3, 3]
    assert out.persist_log_from == 4


def test_matching_longer_log_is_not_truncated():
    """§5.3, step 3: only a *conflict* deletes entries. If the follower already has the new
    entries followed by more (e.g. uncommitted entries of the same leader, delivered earlier),
    nothing is deleted, and the reply reports only what this request verified."""
    n = make_node("n1", THREE, term=2, log=[1, 2, 2, 2])
    out = n.step(append("n2", "n1", 2, 1, 1, [2]), LATE)
    reply = only(out, AppendEntriesReply)
    assert reply.success and reply.match_index == 2
    assert log_terms(n) == [1, 2, 2, 2]
    assert out.persist_log_from is None


def test_duplicate_append_entries_is_idempotent():
    """§5.3, step 4: append any new entries *not already in the log*: a duplicated
    AppendEntries changes nothing and asks for no write."""
    n = make_node("n1", THREE, term=2, log=[1])
    ae = append("n2", "n1", 2, 1, 1, [2, 2])
    n.step(ae, LATE)
    before = n.log.entries()
    out = n.step(ae, LATE)
    assert n.log.entries() == before
    assert out.persist_log_from is None
    assert only(out, AppendEntriesReply).match_index == 3


def test_reordered_shorter_append_entries_keeps_later_entries():
    """§5.3, steps 3–4: a stale AppendEntries carrying a prefix of what the follower already
    holds (delivered late, out of order) must not truncate the entries that came after it."""
    n = make_node("n1", THREE, term=2)
    newer = append("n2", "n1", 2, 0, 0, [2, 2, 2], commit=1)
    older = append("n2", "n1", 2, 0, 0, [2], commit=0)
    n.step(newer, LATE)
    out = n.step(older, LATE)
    assert log_terms(n) == [2, 2, 2]
    assert only(out, AppendEntriesReply).match_index == 1
    assert n.commit_index == 1


# ---------------------------------------------------------------------------- follower commit index


def test_follower_commit_is_min_of_leader_commit_and_last_new_entry():
    """Figure 2, AppendEntries step 5: if leaderCommit > commitIndex, set commitIndex =
    min(leaderCommit, index of last new entry)."""
    n = make_node("n1", THREE, term=2)
    out = n.step(append("n2", "n1", 2, 0, 0, [1, 2], commit=5), LATE)
    assert n.commit_index == 2 and out.commit_advanced
    out = n.step(append("n2", "n1", 2, 2, 2, [2, 2, 2, 2], commit=4), LATE)
    assert n.commit_index == 4


@pytest.mark.parametrize("leader_commit", [3, 4, 10])
def test_follower_does_not_commit_unverified_suffix(leader_commit):
    """Figure 2, step 5: the bound is the last entry *this request* vouches for, not the end
    of the follower's log: extra entries beyond it may be stale (from an old leader) and must
    not be committed or applied."""
    n = make_node("n1", THREE, term=3, log=[1, 1, 2, 2])  # 3..4 from a deposed term-2 leader
    out = n.step(append("n3", "n1", 3, 2, 1, commit=leader_commit), LATE)  # a heartbeat verifying up to 2
    assert only(out, AppendEntriesReply).success
    assert n.commit_index == 2 and n.last_applied == 2
    assert [i for i, *_ in out.applied] == [1, 2]


def test_follower_commit_never_decreases():
    """Figure 2: commitIndex only increases: a late AppendEntries carrying a smaller
    leaderCommit (or covering fewer entries) leaves it where it is."""
    n = make_node("n1", THREE, term=2)
    n.step(append("n2", "n1", 2, 0, 0, [2, 2, 2], commit=3), LATE)
    assert n.commit_index == 3
    out = n.step(append("n2", "n1", 2, 0, 0, [2], commit=1), LATE)
    assert n.commit_index == 3 and not out.commit_advanced and out.applied == []
    out = n.step(append("n2", "n1", 2, 1, 2, commit=3), LATE)  # leaderCommit 3 but verifies only index 1
    assert n.commit_index == 3 and n.last_applied == 3
    out = n.step(append("n2", "n1", 2, 0, 0, [2], commit=5), LATE)  # min(5, 1) = 1 < 3: keep 3
    assert n.commit_index == 3 and not out.commit_advanced and out.applied == []


# ---------------------------------------------------------------------------- leader commitment


def test_leader_commits_when_majority_replicates_current_term_entry():
    """§5.3: A log entry is committed once the leader that created the entry has replicated it
    on a majority of the servers; Figure 2: the leader sets commitIndex = N when a majority of
    matchIndex[i] ≥ N and log[N].term == currentTerm, then applies it."""
    n, _ = make_leader("n1", FIVE)
    n.propose(SET_X, LATE)
    out = n.step(AppendEntriesReply("n2", "n1", 1, True, match_index=2), LATE)
    assert n.commit_index == 0 and not out.commit_advanced  # leader + 1 of 5
    out = n.step(AppendEntriesReply("n3", "n1", 1, True, match_index=2), LATE)
    assert n.commit_index == 2 and out.commit_advanced  # leader + 2 of 5: a majority
    assert [(i, r) for i, _, r, _ in out.applied] == [(1, None), (2, "OK")]
    assert n.last_applied == 2 and n.state == {"x": "1"}


def test_leader_commit_uses_the_majority_index():
    """Figure 2: N is an index held by a majority, not the highest index any follower holds:
    with matchIndex 5, 3, 1, 1 in a five-server cluster the commit index is 3."""
    n, _ = make_leader("n1", FIVE)
    for _ in range(4):
        n.propose(SET_X, LATE)
    for peer, match in (("n2", 5), ("n3", 3), ("n4", 1), ("n5", 1)):
        n.step(AppendEntriesReply(peer, "n1", 1, True, match_index=match), LATE)
    assert n.commit_index == 3


def test_leader_never_commits_old_term_entry_by_counting():
    """§5.4.2 (Figure 2, Leaders): Raft never commits log entries from previous terms by
    counting replicas: log[N].term must equal currentTerm. Older entries are committed only
    indirectly, when an entry of the current term after them is committed."""
    n, _ = make_leader("n1", FIVE, term=2, log=[1, 2])  # leader of term 3; no-op at 3
    for peer in ("n2", "n3", "n4", "n5"):
        n.step(AppendEntriesReply(peer, "n1", 3, True, match_index=2), LATE)
    assert n.commit_index == 0  # index 2 (term 2) on all five servers, still not committed
    assert n.last_applied == 0
    n.step(AppendEntriesReply("n2", "n1", 3, True, match_index=3), LATE)
    assert n.commit_index == 0
    out = n.step(AppendEntriesReply("n3", "n1", 3, True, match_index=3), LATE)
    assert n.commit_index == 3  # the no-op commits, and everything before it with it
    assert [i for i, *_ in out.applied] == [1, 2, 3]


def test_unsafe_commit_old_term_by_counting_breaks_the_rule():
    """§5.4.2, Figure 8: the test above can fail — with the unsafe switch that removes the
    current-term condition, the same replies commit the old-term entry."""
    cfg = RaftConfig()
    cfg.unsafe.commit_old_term_by_counting = True
    n, _ = make_leader("n1", FIVE, term=2, log=[1, 2], config=cfg)
    for peer in ("n2", "n3"):
        n.step(AppendEntriesReply(peer, "n1", 3, True, match_index=2), LATE)
    assert n.commit_index == 2


def test_leader_applies_in_order():
    """Figure 2, All Servers: lastApplied follows commitIndex in order on the leader too; a
    jump of commitIndex applies every entry in between, each exactly once."""
    n, _ = make_leader("n1", THREE)
    cmds = [Command("SET", "x", ("5",)), Command("INC", "x"), Command("CAS", "x", ("6", "9"))]
    for c in cmds:
        n.propose(c, LATE)
    out = n.step(AppendEntriesReply("n2", "n1", 1, True, match_index=4), LATE)
    assert [(i, r) for i, _, r, _ in out.applied] == [(1, None), (2, "OK"), (3, 6), (4, True)]
    out = n.step(AppendEntriesReply("n3", "n1", 1, True, match_index=4), LATE)
    assert out.applied == [] and n.last_applied == 4 and n.state == {"x": "9"}


# ---------------------------------------------------------------------------- nextIndex / matchIndex


def test_success_updates_next_and_match_index():
    """Figure 2, Leaders: if successful, update nextIndex and matchIndex for the follower."""
    n, _ = make_leader("n1", THREE)
    n.propose(SET_X, LATE)
    n.step(AppendEntriesReply("n2", "n1", 1, True, match_index=2), LATE)
    assert (n.match_index["n2"], n.next_index["n2"]) == (2, 3)
    assert (n.match_index["n3"], n.next_index["n3"]) == (0, 1)


def test_leader_sends_rest_after_success():
    """§5.3: the leader keeps sending AppendEntries until the follower's log matches its own;
    a success that leaves the follower behind is followed at once by the next entries."""
    cfg = RaftConfig(max_entries_per_append=1)
    n, _ = make_leader("n1", THREE, config=cfg)
    for _ in range(3):
        n.propose(SET_X, LATE)
    out = n.step(AppendEntriesReply("n2", "n1", 1, True, match_index=1), LATE)
    m = only(out, AppendEntries)
    assert (m.dst, m.prev_log_index, len(m.entries)) == ("n2", 1, 1)


def test_slow_backoff_decrements_next_index_by_one():
    """§5.3: After a rejection, the leader decrements nextIndex and retries the AppendEntries
    RPC (Figure 2: one entry per round trip)."""
    cfg = RaftConfig(fast_backtrack=False)
    n, _ = make_leader("n1", THREE, term=3, log=[1, 1, 2, 3], config=cfg)  # leader of 4, log 1..5
    assert n.next_index["n2"] == 5
    out = n.step(AppendEntriesReply("n2", "n1", 4, False, reject_index=4, conflict_term=None, conflict_index=2), LATE)
    assert n.next_index["n2"] == 4
    m = only(out, AppendEntries)
    assert (m.dst, m.prev_log_index, m.prev_log_term) == ("n2", 3, 2)
    assert [e.term for e in m.entries] == [3, 4]


def test_fast_backoff_skips_conflicting_term():
    """§5.3 (optimization): with the conflicting term and the first index it stores for that
    term, the leader bypasses all of the conflicting entries in that term — one AppendEntries
    per term with conflicting entries rather than one per entry."""
    n, _ = make_leader("n1", THREE, term=5, log=[1, 1, 1, 4, 4, 5, 5])  # leader of 6, log 1..8
    # Follower has 1,1,1,2,2,2,2 : at prev 7 it holds term 2, which starts at its index 4.
    out = n.step(AppendEntriesReply("n2", "n1", 6, False, reject_index=7, conflict_term=2, conflict_index=4), LATE)
    assert n.next_index["n2"] == 4  # the leader has no term-2 entry: jump to the follower's first of term 2
    assert only(out, AppendEntries).prev_log_index == 3


def test_fast_backoff_uses_leaders_last_entry_of_conflict_term():
    """§5.3 (optimization, as in the thesis): if the leader has entries of the conflicting
    term, nextIndex goes just past its own last entry of that term."""
    n, _ = make_leader("n1", THREE, term=5, log=[1, 1, 1, 4, 4, 5, 5])
    # Follower has 1,1,1,4,4,4,4: at prev 7 it holds term 4 (first index 4); leader's last 4 is index 5.
    n.step(AppendEntriesReply("n2", "n1", 6, False, reject_index=7, conflict_term=4, conflict_index=4), LATE)
    assert n.next_index["n2"] == 6


def test_fast_backoff_to_end_of_short_log():
    """§5.3 (optimization): a follower whose log ends before prevLogIndex names its log's end;
    the leader retries from there in one step."""
    n, _ = make_leader("n1", THREE, term=5, log=[1, 1, 1, 4, 4, 5, 5])
    n.step(AppendEntriesReply("n2", "n1", 6, False, reject_index=7, conflict_term=None, conflict_index=3), LATE)
    assert n.next_index["n2"] == 3


def test_next_index_never_below_match_index():
    """Figure 2 / §5.3: entries up to matchIndex are known to be replicated, so a (late or
    duplicated) rejection can never move nextIndex below matchIndex + 1."""
    n, _ = make_leader("n1", THREE, term=2, log=[1, 1, 2])  # leader of 3, log 1..4
    n.step(AppendEntriesReply("n2", "n1", 3, True, match_index=3), LATE)
    assert (n.match_index["n2"], n.next_index["n2"]) == (3, 4)
    out = n.step(AppendEntriesReply("n2", "n1", 3, False, reject_index=3, conflict_term=1, conflict_index=1), LATE)
    assert n.next_index["n2"] == 4
    assert only(out, AppendEntries).prev_log_index == 3


def test_next_index_never_below_match_index_slow():
    """Figure 2 / §5.3: the same bound holds for one-by-one back-off."""
    n, _ = make_leader("n1", THREE, term=2, log=[1, 1, 2], config=RaftConfig(fast_backtrack=False))
    n.step(AppendEntriesReply("n2", "n1", 3, True, match_index=3), LATE)
    n.step(AppendEntriesReply("n2", "n1", 3, False, reject_index=3), LATE)
    assert n.next_index["n2"] == 4


# ---------------------------------------------------------------------------- stale replies


def test_stale_term_reply_is_ignored():
    """§5.1 / §5.3: a reply from an earlier term answers a request of a leader that no longer
    exists; it must not update nextIndex, matchIndex or the commit index."""
    n, _ = make_leader("n1", THREE, term=1)  # leader of term 2
    n.step(AppendEntriesReply("n2", "n1", 1, True, match_index=1), LATE)
    n.step(AppendEntriesReply("n3", "n1", 1, True, match_index=1), LATE)
    assert n.match_index == {"n2": 0, "n3": 0} and n.commit_index == 0
    out = n.step(AppendEntriesReply("n2", "n1", 1, False, reject_index=0), LATE)
    assert out.messages == [] and n.next_index["n2"] == 1


def test_rejection_for_older_probe_is_ignored():
    """§5.3: a rejection that answers an earlier probe (its prevLogIndex is no longer
    nextIndex - 1) is out of date: the leader has already moved on, and backing off again
    would skip entries twice."""
    cfg = RaftConfig(fast_backtrack=False)
    n, _ = make_leader("n1", THREE, term=3, log=[1, 1, 2, 3], config=cfg)
    n.step(AppendEntriesReply("n2", "n1", 4, False, reject_index=4), LATE)
    assert n.next_index["n2"] == 4
    out = n.step(AppendEntriesReply("n2", "n1", 4, False, reject_index=4), LATE)  # duplicate
    assert n.next_index["n2"] == 4 and out.messages == []


def test_duplicate_or_reordered_success_does_not_regress():
    """§5.3: matchIndex only grows; an older success reply arriving after a newer one leaves
    matchIndex and nextIndex where they are."""
    n, _ = make_leader("n1", THREE)
    for _ in range(3):
        n.propose(SET_X, LATE)
    n.step(AppendEntriesReply("n2", "n1", 1, True, match_index=4), LATE)
    n.step(AppendEntriesReply("n2", "n1", 1, True, match_index=2), LATE)
    assert (n.match_index["n2"], n.next_index["n2"]) == (4, 5)
    assert n.commit_index == 4


# ---------------------------------------------------------------------------- end to end


@pytest.mark.parametrize("fast", [True, False])
def test_leader_repairs_divergent_follower(fast):
    """§5.3: the leader handles inconsistencies by forcing the followers' logs to duplicate its
    own: the consistency check finds the last matching entry, conflicting entries are deleted
    and the leader's entries appended, until the logs are identical."""
    cfg = RaftConfig(fast_backtrack=fast)
    leader, out = make_leader("n1", THREE, term=4, log=[1, 1, 3, 3, 4], config=cfg)
    follower = make_node("n2", THREE, term=4, log=[1, 1, 2, 2, 2, 2, 2], config=cfg)
    counts = pump(leader, follower, out.messages)
    assert follower.log.entries() == leader.log.entries()
    assert leader.match_index["n2"] == leader.log.last_index == 6
    assert counts["rejections"] == (1 if fast else 3)  # prev 5 (fast: jump over term 2) / prev 5, 4, 3


def test_cluster_replicates_and_applies_in_same_order():
    """§5.3: each server applies the committed entries of its log in log order, so all state
    machines execute the same commands in the same order."""
    c = Cluster(3, seed=11)
    assert c.run_until(lambda c: c.leader() is not None, 3000.0)
    handles = [c.submit(t, client="a") for t in ("SET x 1", "INC x", "INC x", "CAS x 3 7", "SET y 2")]
    assert c.run_until(lambda c: all(h.done for h in handles), 5000.0)
    c.run_for(200.0)
    assert [h.result for h in handles] == ["OK", 2, 3, True, "OK"]
    assert all(c.nodes[x].state == {"x": "7", "y": "2"} for x in c.names)
    assert len({tuple(c.nodes[x].log.entries()) for x in c.names}) == 1
    assert c.violation is None
