"""The one contract between the core and whatever draws it: frozen views of a cluster.

``raftcore`` computes, the site draws. Everything a diagram, a layer, a side panel or a
status line may show about a running :class:`~raftcore.sim.Cluster` is here, as frozen,
slotted values built by :meth:`Cluster.view() <raftcore.sim.Cluster.view>`:

* :class:`ServerView` — one server as Figure 2 lists its state (persistent, volatile, leader
  state), with its role as etcd names it (a real :attr:`Role.PRE_CANDIDATE`, thesis §9.6), its
  election timer as the fraction still to run, its stable storage apart from its memory, and,
  for a leader, a :class:`ProgressView` per follower (etcd's ``Progress``);
* :class:`FlightView` — a message on the wire, with a stable ``id`` (a click finds it again
  in the next frame) and how far it has travelled;
* :class:`ClusterView` — the servers, the network (blocked links, extra delays), the
  messages in flight, the voters' latest decisions, the invariant violations, the time.

A view never changes and never reaches back into the simulation: reading one cannot break
the run, and the site needs no knowledge of the node's, the disk's or the network's
internals. To *act* on the simulation the site calls the public methods of ``Cluster``
(``crash``, ``partition``, ``submit`` …). Views share the core's immutable values (log
commands, vote decisions) instead of copying them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from .node import VoteDecision

__all__ = ["Role", "EntryView", "LogView", "StateMachineView", "DiskView", "ProgressView", "ServerView",
           "FlightView", "ViolationView", "ClusterView", "entry_label"]


class Role(Enum):
    """A server's role as a diagram draws it. The node itself keeps a pre-candidate as a
    follower with a flag (it still follows; PreVote changes no term, thesis §9.6); etcd names
    it as a state of its own (``StatePreCandidate``), and so does the view."""

    FOLLOWER = "follower"
    PRE_CANDIDATE = "pre_candidate"
    CANDIDATE = "candidate"
    LEADER = "leader"

    def __str__(self) -> str:
        return self.value


def entry_label(command: Any) -> str:
    """A log entry's command as the site writes it: ``SET x=1``, ``CONFIG +S4``, ``no-op``."""
    if command is None:
        return "no-op"
    label = getattr(command, "label", None)
    return label if isinstance(label, str) else str(command)


@dataclass(frozen=True, slots=True)
class EntryView:
    """One log entry: its index and term, its command as text (``label``) and as the core's
    immutable value (``command``; None for a leader's no-op, §5.4.2), and whether the server
    holding it knows it to be committed."""

    index: int
    term: int
    label: str
    committed: bool
    command: Any = None

    @property
    def noop(self) -> bool:
        return self.command is None


@dataclass(frozen=True, slots=True)
class LogView:
    """A window of a server's log: the ``entries`` from ``window_start`` to ``last_index``.
    ``first_index`` is the first index the server still holds; everything up to
    ``snapshot_index`` (term ``snapshot_term``) is compacted into its snapshot (thesis §5.1)."""

    entries: tuple[EntryView, ...]
    first_index: int
    last_index: int
    last_term: int
    snapshot_index: int
    snapshot_term: int

    @property
    def window_start(self) -> int:
        return self.entries[0].index if self.entries else self.last_index + 1

    @property
    def length(self) -> int:
        """Entries the server holds (compacted ones not counted)."""
        return self.last_index - self.snapshot_index

    def terms(self) -> tuple[int, ...]:
        return tuple(e.term for e in self.entries)


@dataclass(frozen=True, slots=True)
class StateMachineView:
    """The key-value state machine: ``data`` and the client sessions (thesis §6.3: each
    client's last applied sequence number and its result), both sorted by key; ``digest`` is
    the checker's summary of the whole state (equal digests, equal state machines)."""

    data: tuple[tuple[str, str], ...]
    sessions: tuple[tuple[str, int, Any], ...]
    digest: str

    def get(self, key: str, default: str | None = None) -> str | None:
        for k, v in self.data:
            if k == key:
                return v
        return default


@dataclass(frozen=True, slots=True)
class DiskView:
    """What a server's stable storage holds (Figure 2's persistent state, as written before
    any reply): it survives a crash, the rest does not. ``log_terms`` are the terms of the
    last entries on disk (at most the view's log window); ``writes`` counts completed writes;
    ``writing`` is True while messages of this server wait for a write to finish."""

    current_term: int
    voted_for: str | None
    last_index: int
    snapshot_index: int
    snapshot_term: int
    log_terms: tuple[int, ...]
    writes: int
    writing: bool

    @property
    def log_length(self) -> int:
        return self.last_index - self.snapshot_index


@dataclass(frozen=True, slots=True)
class ProgressView:
    """A leader's knowledge of one follower (Figure 2's ``nextIndex``/``matchIndex``, etcd's
    ``Progress``): the messages it has in flight to it, when the follower last answered, and
    whether that was recent enough to count for CheckQuorum (thesis §6.2)."""

    peer: str
    next_index: int
    match_index: int
    in_flight: int
    last_ack: float | None
    recently_active: bool
    learner: bool


@dataclass(frozen=True, slots=True)
class ServerView:
    """One server. A crashed server (``alive`` False) shows the state it had when it crashed
    except what a crash loses: for it ``timer`` is None and the diagram draws it crossed out."""

    name: str
    role: Role
    alive: bool
    current_term: int
    voted_for: str | None
    leader_id: str | None
    log: LogView
    commit_index: int
    last_applied: int
    state: StateMachineView
    #: The election timer: the fraction still to run (1 just reset, 0 about to fire), None
    #: for a leader or a crashed server.
    timer: float | None
    election_timeout: float
    disk: DiskView
    #: The configuration this server uses (the latest in its log, thesis §4.1), and the
    #: (term, index) of the entry that set it ((0, 0): the bootstrap configuration).
    voters: tuple[str, ...]
    config_entry: tuple[int, int]
    is_voter: bool
    #: Catching up on the leader, without a vote yet (thesis §4.2.1).
    is_learner: bool
    #: Whether its configuration lets it campaign (a voter, or removed by an entry it does
    #: not yet know to be committed, thesis §4.2.2).
    may_campaign: bool
    #: Votes a (pre-)candidate has so far, itself included, and how many it needs.
    votes: tuple[str, ...]
    quorum: int
    #: A leader's progress per follower and learner (empty for any other role).
    progress: tuple[ProgressView, ...]
    #: The latest snapshot's (index, term), or None (thesis §5).
    snapshot: tuple[int, int] | None

    @property
    def applied_state(self) -> dict[str, str]:
        return dict(self.state.data)

    def progress_of(self, peer: str) -> ProgressView | None:
        for p in self.progress:
            if p.peer == peer:
                return p
        return None


@dataclass(frozen=True, slots=True)
class FlightView:
    """A message on the wire. ``id`` is stable while it travels (and never reused), so a click
    on its drawing finds it in a later view. ``type`` is the RPC (``AppendEntries``…), ``kind``
    what the diagram calls it (a heartbeat is an AppendEntries without entries, a PreVote a
    RequestVote with ``pre_vote``). ``fields`` are its key fields by name; ``message`` is the
    core's immutable message itself, ``text`` its one-line form."""

    id: int
    src: str
    dst: str
    type: str
    kind: str
    term: int
    sent_at: float
    deliver_at: float
    #: Fraction of the way travelled at the view's time (0 while it waits for its sender's
    #: disk, 1 on arrival).
    travelled: float
    fields: tuple[tuple[str, Any], ...]
    text: str
    message: Any

    def field(self, name: str, default: Any = None) -> Any:
        for k, v in self.fields:
            if k == name:
                return v
        return default


@dataclass(frozen=True, slots=True)
class ViolationView:
    """An invariant violation: its stable ``key`` (``election_safety``…), its ``label`` as the
    paper names it, the servers and log index it concerns, and the whole explanation."""

    key: str
    label: str
    text: str
    detail: str
    servers: tuple[str, ...]
    index: int | None
    term: int | None
    time: float
    event: str | None


@dataclass(frozen=True, slots=True)
class ClusterView:
    """The whole cluster at simulated time ``time`` (ms)."""

    time: float
    names: tuple[str, ...]
    servers: tuple[ServerView, ...]
    #: The live leader of the highest term (None without one), and every live server that
    #: believes it leads (two during a stale leader's last moments, §5.2).
    leader: str | None
    leaders: tuple[str, ...]
    #: Voters of the leader's latest configuration (None without a leader), the servers the
    #: cluster will have once every requested change happened, and the leader's learners.
    configuration: tuple[str, ...] | None
    members: tuple[str, ...]
    learners: tuple[str, ...]
    #: Membership changes requested and not yet committed, oldest first: ``("add", "S6")``.
    pending_changes: tuple[tuple[str, str], ...]
    #: One-way links that drop every message (src, dst), and extra one-way delays (ms).
    blocked: frozenset[tuple[str, str]]
    link_delays: tuple[tuple[tuple[str, str], float], ...]
    flights: tuple[FlightView, ...]
    #: The latest RequestVote/PreVote decision of each voter about each candidate, sorted by
    #: (voter, candidate): the core's own :class:`~raftcore.node.VoteDecision` records.
    vote_decisions: tuple[VoteDecision, ...]
    violations: tuple[ViolationView, ...]
    #: A violation stopped the run: time no longer advances.
    halted: bool

    def server(self, name: str) -> ServerView:
        for s in self.servers:
            if s.name == name:
                return s
        raise KeyError(f"unknown server {name!r}; servers are {', '.join(self.names)}")

    @property
    def violation(self) -> ViolationView | None:
        return self.violations[0] if self.violations else None

    def link_delay(self, src: str, dst: str) -> float:
        for pair, ms in self.link_delays:
            if pair == (src, dst):
                return ms
        return 0.0

    def decision(self, voter: str, candidate: str) -> VoteDecision | None:
        for d in self.vote_decisions:
            if d.voter == voter and d.candidate == candidate:
                return d
        return None
