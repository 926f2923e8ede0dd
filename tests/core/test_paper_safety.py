"""§5.4 of the Raft paper (safety): the election restriction (§5.4.1), committing entries from
previous terms (§5.4.2, Figure 8), the safety argument's properties (§5.4.3), and Figure 7's
log repair, both on single nodes and end to end with the Cluster and the named scenarios."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from paper_helpers import (LATE, THREE, append, elect, log_terms, make_leader, make_node, only, pump,
                           vote_request)
from raftcore.config import RaftConfig
from raftcore.kv import Command
from raftcore.messages import AppendEntriesReply, RequestVoteReply
from raftcore.node import Role
from raftcore.scenarios import load_scenario
from raftcore.sim import Cluster

# ---------------------------------------------------------------------------- §5.4.1


# (candidate last index, candidate last term) against a voter whose log is 1,1,2,2 (last 4/2)
UP_TO_DATE = [
    pytest.param(4, 2, True, id="same last term, same length"),
    pytest.param(5, 2, True, id="same last term, longer"),
    pytest.param(3, 2, False, id="same last term, shorter"),
    pytest.param(1, 3, True, id="higher last term, shorter"),
    pytest.param(9, 1, False, id="lower last term, longer"),
    pytest.param(4, 1, False, id="lower last term, same length"),
    pytest.param(0, 0, False, id="empty log"),
]


@pytest.mark.parametrize("last_index,last_term,granted", UP_TO_DATE)
def test_vote_only_for_up_to_date_candidate(last_index, last_term, granted):
    """§5.4.1: Raft determines which of two logs is more up-to-date by comparing the index and
    term of the last entries in the logs. If the logs have last entries with different terms,
    then the log with the later term is more up-to-date. If the logs end with the same term,
    then whichever log is longer is more up-to-date. The voter denies its vote if its own log
    is more up-to-date than that of the candidate."""
    n = make_node("n1", THREE, term=3, log=[1, 1, 2, 2])
    out = n.step(vote_request("n2", "n1", 4, last_index=last_index, last_term=last_term), LATE)
    assert only(out, RequestVoteReply).vote_granted is granted
    assert n.voted_for == ("n2" if granted else None)
    assert n.current_term == 4  # the term is adopted either way (§5.1)


def test_empty_logs_are_equally_up_to_date():
    """§5.4.1: two empty logs are equally up-to-date, so the very first election can succeed."""
    n = make_node("n1", THREE)
    assert only(n.step(vote_request("n2", "n1", 1), LATE), RequestVoteReply).vote_granted


def test_unsafe_skip_up_to_date_check_grants_stale_candidate():
    """§5.4.1: the test above can fail — the unsafe switch that skips the up-to-date check
    grants a vote to a candidate whose log lacks the voter's entries."""
    cfg = RaftConfig()
    cfg.unsafe.skip_up_to_date_check = True
    n = make_node("n1", THREE, term=3, log=[1, 1, 2, 2], config=cfg)
    assert only(n.step(vote_request("n2", "n1", 4, last_index=9, last_term=1), LATE), RequestVoteReply).vote_granted


def test_candidate_missing_committed_entry_cannot_win():
    """§5.4.1: A candidate must contact a majority of the cluster in order to be elected, which
    means that every committed entry must be present in at least one of those servers; a
    server whose log lacks a committed entry is refused by that majority and never leads."""
    cfg = RaftConfig(election_timeout_min=1000.0, election_timeout_max=2000.0,  # no stray elections
                     pre_vote=False, check_quorum=False)  # Figure 2 elections: the candidate campaigns at once
    c = Cluster(3, seed=5, config=cfg)
    assert c.run_until(lambda c: c.leader() is not None, 5000.0)
    lead = c.leader()
    up_to_date, lagging = [x for x in c.names if x != lead]
    c.isolate(lagging)  # the leader and `up_to_date` commit without it
    h = c.submit("SET x 1")
    assert c.run_until(lambda c: h.done, 3000.0)
    committed = c.nodes[lead].log.entries()[:c.nodes[lead].commit_index]
    assert c.nodes[lagging].log.last_index < len(committed)
    c.crash(lead)
    c.heal()
    c.timeout(lagging)
    term = c.nodes[lagging].current_term
    c.run_for(100.0)  # its RequestVote is answered; nobody else times out yet
    assert c.nodes[lagging].role is Role.CANDIDATE and c.nodes[lagging].votes == {lagging}
    assert c.nodes[up_to_date].current_term == term and c.nodes[up_to_date].voted_for is None
    assert c.run_until(lambda c: c.leader() is not None, 5000.0)
    assert c.leader() == up_to_date
    assert c.nodes[up_to_date].log.entries()[:len(committed)] == committed
    assert c.violation is None


# ---------------------------------------------------------------------------- §5.4.2


def test_old_term_entries_commit_indirectly():
    """§5.4.2: once an entry from the current term has been committed by counting replicas,
    all prior entries are committed indirectly because of the Log Matching Property."""
    n, _ = make_leader("n1", THREE, term=2, log=[1, 2, 2])  # leader of 3, no-op at 4
    out = n.step(AppendEntriesReply("n2", "n1", 3, True, match_index=3), LATE)
    assert n.commit_index == 0 and out.applied == []
    out = n.step(AppendEntriesReply("n2", "n1", 3, True, match_index=4), LATE)
    assert n.commit_index == 4
    assert [(i, e.term) for i, e, *_ in out.applied] == [(1, 1), (2, 2), (3, 2), (4, 3)]


def test_leader_append_only():
    """§5.3 / §5.4.3 (Leader Append-Only): a leader never overwrites or deletes entries in its
    log; it only appends new entries — whatever its followers answer."""
    n, _ = make_leader("n1", THREE, term=2, log=[1, 2, 2])
    before = n.log.entries()
    n.step(AppendEntriesReply("n2", "n1", 3, False, reject_index=3, conflict_term=1, conflict_index=1), LATE)
    n.step(AppendEntriesReply("n2", "n1", 3, True, match_index=4), LATE)
    n.step(vote_request("n3", "n1", 3, last_index=9, last_term=3), LATE)  # a rival of its term
    n.propose(Command("SET", "x", ("1",)), LATE)
    assert n.role is Role.LEADER
    assert n.log.entries()[:len(before)] == before and n.log.last_index == len(before) + 1


def test_follower_never_applies_uncommitted_entries():
    """§5.4.3 (State Machine Safety): a server applies an entry only once it is committed, so
    an entry it later has to delete (a deposed leader's) has never reached its state machine."""
    n = make_node("n1", THREE, term=2)
    n.step(append("n2", "n1", 2, 0, 0, [2, 2, 2], commit=1), LATE)
    assert n.last_applied == 1
    out = n.step(append("n3", "n1", 3, 1, 2, [3], commit=2), LATE)  # a new leader replaces 2..3
    assert log_terms(n) == [2, 3]
    assert [(i, e.term) for i, e, *_ in out.applied] == [(2, 3)]


def test_new_leader_holds_every_committed_entry():
    """§5.4 (Leader Completeness): if a log entry is committed in a given term, then that entry
    will be present in the logs of the leaders for all higher-numbered terms."""
    for seed in range(3):
        c = Cluster(5, seed=seed)
        assert c.run_until(lambda c: c.leader() is not None, 3000.0)
        hs = [c.submit(f"SET k{i} {i}", client="w") for i in range(5)]
        assert c.run_until(lambda c: all(h.done for h in hs), 5000.0)
        old = c.leader()
        committed = c.nodes[old].log.entries()[:c.nodes[old].commit_index]
        c.crash(old)
        assert c.run_until(lambda c: c.leader() not in (None, old), 3000.0)
        assert c.nodes[c.leader()].log.entries()[:len(committed)] == committed
        assert c.violation is None


# ---------------------------------------------------------------------------- Figure 7

FIGURE7_LEADER = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6]
FIGURE7 = {
    "a": [1, 1, 1, 4, 4, 5, 5, 6, 6],
    "b": [1, 1, 1, 4],
    "c": [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
    "d": [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
    "e": [1, 1, 1, 4, 4, 4, 4],
    "f": [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
}
# AppendEntries rejections needed to repair each follower alone (new leader's first probe: prev 10).
FIGURE7_REJECTIONS = {
    False: {"a": 1, "b": 6, "c": 0, "d": 0, "e": 5, "f": 7},  # prev 10, 9, ... down to the match
    True: {"a": 1, "b": 1, "c": 0, "d": 0, "e": 2, "f": 2},   # one per conflicting term
}


@pytest.mark.parametrize("fast", [False, True], ids=["one-by-one", "conflict-hint"])
@pytest.mark.parametrize("follower", sorted(FIGURE7))
def test_figure7_follower_repaired(follower, fast):
    """§5.3, Figure 7: when the leader of term 8 comes to power, any of the followers (a)–(f)
    might be in its situation — missing entries, extra uncommitted entries, or both. The
    leader forces each follower's log to duplicate its own, with one rejected AppendEntries
    per entry backed over, or with the conflict hint one per conflicting term."""
    cfg = RaftConfig(fast_backtrack=fast)
    leader = make_node("L", ("L", follower), term=7, log=FIGURE7_LEADER, config=cfg)
    out = elect(leader)
    assert leader.current_term == 8
    f = make_node(follower, ("L", follower), term=7, log=FIGURE7[follower], config=cfg)
    counts = pump(leader, f, out.messages)
    assert log_terms(f) == FIGURE7_LEADER + [8]
    assert f.log.entries() == leader.log.entries()
    assert counts["rejections"] == FIGURE7_REJECTIONS[fast][follower]
    assert leader.match_index[follower] == 11 and leader.commit_index == 11


def _figure7_rejections(fast: bool, seed: int | None = None) -> tuple[Counter, object]:
    run = load_scenario("figure7").start(seed=seed)
    run.cluster.config.fast_backtrack = fast
    run.finish()  # the scenario itself expects logs-equal and every log = the leader's
    c = run.cluster
    rejections: Counter = Counter()
    for line in c.trace():  # delivered messages are traced as their one-line __str__
        m = re.match(r"[\d.]+ (\w+)->L AppendEntriesReply term=\d+ reject=", line)
        if m:
            rejections[m.group(1)] += 1
    return rejections, c


@pytest.mark.parametrize("fast", [False, True], ids=["one-by-one", "conflict-hint"])
def test_figure7_scenario_converges(fast):
    """§5.3, Figure 7 end to end: with the `figure7` scenario (seven servers, the leader elected
    for term 8), every follower's log converges to the leader's."""
    _, c = _figure7_rejections(fast)
    want = FIGURE7_LEADER + [8]
    for name in "Labcdef":
        assert log_terms(c.nodes[name]) == want, name
        assert c.nodes[name].commit_index == 11
    assert c.violation is None


def test_figure7_conflict_hint_needs_fewer_rejections():
    """§5.3 (optimization): with the conflict term and index in the rejection, the leader needs
    no more rejected AppendEntries than backing up one entry at a time for any follower of
    Figure 7, and strictly fewer for (b), (e) and (f), which diverge over several entries."""
    for seed in (7, 1, 2):
        slow, _ = _figure7_rejections(False, seed)
        fast, _ = _figure7_rejections(True, seed)
        for name in "abcdef":
            assert fast[name] <= slow[name], (seed, name, fast, slow)
        for name in "bef":
            assert fast[name] < slow[name], (seed, name, fast, slow)
        assert slow["b"] >= 6 and slow["f"] >= 7 and slow["e"] >= 5  # backed over entry by entry


# ---------------------------------------------------------------------------- Figure 8

FIGURE8_SEEDS = range(5)


def _figure8(seed: int, unsafe: bool):
    run = load_scenario("figure8").start(seed=seed, strict=not unsafe)
    c = run.cluster
    if unsafe:
        c.set_unsafe("commit_old_term_by_counting", True)
    commits = []  # (server, term, commit index) each time a node's commit index moves
    original = c._handle

    def watch(node, out):
        if out.commit_advanced:
            commits.append((node.name, node.current_term, node.commit_index, node.log.term_at(node.commit_index)))
        original(node, out)

    c._handle = watch
    run.finish()
    return run, commits


@pytest.mark.parametrize("seed", FIGURE8_SEEDS)
def test_figure8_old_term_entry_not_committed(seed):
    """§5.4.2, Figure 8: a leader cannot immediately conclude that an entry from a previous
    term is committed once it is stored on a majority of servers. In (c) S1, leader of term 4,
    has its term-2 entry at index 2 on a majority, yet does not commit it; in (d) S5 is elected
    and overwrites it, and nothing committed is lost."""
    run, commits = _figure8(seed, unsafe=False)
    c = run.cluster
    assert c.violation is None
    assert not [x for x in commits if x[0] == "S1" and x[1] == 4 and x[2] >= 2]
    assert all(log_terms(c.nodes[n])[:3] == [1, 3, 5] for n in c.names if c.alive(n))
    # The checker saw index 2 committed only with S5's term-3 entry, never with S1's term-2 one.
    entry, _who = c.checker.committed[2]
    assert entry.term == 3


@pytest.mark.parametrize("seed", FIGURE8_SEEDS)
def test_figure8_unsafe_counting_is_caught(seed):
    """§5.4.2, Figure 8: if S1 commits the term-2 entry by counting replicas in term 4, S5 can
    still be elected in term 5 and overwrite it — a committed entry lost. With the unsafe
    switch the checker reports exactly that."""
    run, commits = _figure8(seed, unsafe=True)
    c = run.cluster
    assert ("S1", 4, 2, 2) in commits  # S1 committed index 2, an entry of term 2, in term 4
    v = c.violation
    assert v is not None
    assert v.invariant in ("Leader Completeness", "State Machine Safety")
    assert v.index == 2
    assert "S5" in v.servers
    assert run.failures  # the scenario's own expectations fail too
