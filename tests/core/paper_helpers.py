"""Small helpers for the paper tests: build one sans-I/O RaftNode in a given state, make
leaders, hand-write RPCs, and pump messages between two nodes.

Everything here drives :class:`raftcore.node.RaftNode` directly (no simulator), so each test
sees exactly the ``Output`` of the one input it is about.
"""

from __future__ import annotations

import random
from typing import Iterable

from raftcore.config import RaftConfig
from raftcore.kv import Command
from raftcore.log import Entry, Log
from raftcore.messages import AppendEntries, AppendEntriesReply, RequestVote, RequestVoteReply
from raftcore.node import Output, PersistentState, RaftNode, Role

THREE = ("n1", "n2", "n3")
FIVE = ("n1", "n2", "n3", "n4", "n5")
LATE = 10_000.0  # a time after any default election timeout (150-300 ms) has fired


def cmd(index: int, term: int) -> Command:
    """The command the entry at (index, term) carries: one per (index, term), as Log Matching
    requires of any reachable state."""
    return Command("SET", f"k{index}", (f"t{term}",))


def entry(index: int, term: int) -> Entry:
    return Entry(term, cmd(index, term))


def entries_from(first_index: int, terms: Iterable[int]) -> tuple[Entry, ...]:
    """Entries for indexes first_index, first_index+1, ... with the given terms."""
    return tuple(entry(first_index + k, t) for k, t in enumerate(terms))


def make_log(terms: Iterable[int]) -> Log:
    return Log(list(entries_from(1, terms)))


def log_terms(node: RaftNode) -> list[int]:
    return [e.term for e in node.log.entries()]


def make_node(name: str = "n1", peers: Iterable[str] = THREE, *, term: int = 0, voted_for: str | None = None,
              log: Iterable[int] = (), config: RaftConfig | None = None, seed: int = 1,
              start: bool = True, now: float = 0.0) -> RaftNode:
    """A follower with the given persistent state, started at ``now`` (a fresh election timer)."""
    persisted = PersistentState(term, voted_for, make_log(log))
    config = config or RaftConfig()
    # The paper tests drive the Figure 2 algorithm: the thesis extensions that are on by
    # default (PreVote §9.6, CheckQuorum §6.2) are tested in test_ext_*.py.
    config.pre_vote = config.check_quorum = False
    node = RaftNode(name, list(peers), config, random.Random(seed), persisted)
    if start:
        node.start(now)
    return node


def campaign(node: RaftNode, now: float = LATE) -> Output:
    """Let the node's election timer fire: it becomes a candidate."""
    assert now >= node.election_deadline, "campaign() must be called after the election deadline"
    out = node.tick(now)
    assert node.role is Role.CANDIDATE or node.role is Role.LEADER
    return out


def elect(node: RaftNode, now: float = LATE) -> Output:
    """Make the node the leader: it times out, then every peer grants its vote. Returns the
    output of the step that made it leader."""
    campaign(node, now)
    out = None
    for peer in node.peers:
        out = node.step(RequestVoteReply(peer, node.name, node.current_term, True), now)
        if node.role is Role.LEADER:
            return out
    assert node.role is Role.LEADER, node
    return out


def make_leader(name: str = "n1", peers: Iterable[str] = THREE, *, term: int = 0, log: Iterable[int] = (),
                config: RaftConfig | None = None, seed: int = 1, now: float = LATE) -> tuple[RaftNode, Output]:
    """A leader of term ``term + 1`` over ``log`` (plus the no-op it appends on election)."""
    node = make_node(name, peers, term=term, log=log, config=config, seed=seed)
    return node, elect(node, now)


def of_type(out: Output, kind: type) -> list:
    return [m for m in out.messages if type(m) is kind]


def only(out: Output, kind: type):
    msgs = of_type(out, kind)
    assert len(msgs) == 1, f"expected one {kind.__name__}, got {[str(m) for m in out.messages]}"
    return msgs[0]


def append(src: str, dst: str, term: int, prev_index: int, prev_term: int, terms: Iterable[int] = (),
           commit: int = 0) -> AppendEntries:
    """An AppendEntries whose entries (indexes prev_index+1, ...) have the given terms."""
    return AppendEntries(src, dst, term, src, prev_index, prev_term, entries_from(prev_index + 1, terms), commit)


def vote_request(src: str, dst: str, term: int, last_index: int = 0, last_term: int = 0) -> RequestVote:
    return RequestVote(src, dst, term, src, last_index, last_term)


def pump(leader: RaftNode, follower: RaftNode, first: Iterable, now: float = LATE,
         max_rounds: int = 1000) -> dict[str, int]:
    """Deliver messages between ``leader`` and ``follower`` only (messages to other servers
    are dropped), starting from ``first``, until none is left. Returns counts of what the
    follower sent: AppendEntries rejections and successes."""
    counts = {"rejections": 0, "successes": 0, "appends": 0}
    queue = [m for m in first if m.dst == follower.name]
    nodes = {leader.name: leader, follower.name: follower}
    for _ in range(max_rounds):
        if not queue:
            return counts
        m = queue.pop(0)
        if type(m) is AppendEntries:
            counts["appends"] += 1
        if type(m) is AppendEntriesReply:
            counts["successes" if m.success else "rejections"] += 1
        out = nodes[m.dst].step(m, now)
        queue.extend(x for x in out.messages if x.dst in nodes)
    raise AssertionError("pump did not converge")
