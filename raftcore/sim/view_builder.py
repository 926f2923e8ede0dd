"""Builds :class:`raftcore.view.ClusterView` from a running :class:`~raftcore.sim.Cluster`.

The one place that reads the simulation's parts — nodes, disks, the scheduler's messages in
flight — to hand the site frozen values instead (see :mod:`raftcore.view`). It only reads:
building a view changes nothing, draws no random number, so drawing a frame can never change
a run's trace.
"""

from __future__ import annotations

import dataclasses
import weakref

from ..messages import AppendEntries
from ..node import RaftNode
from ..node import Role as NodeRole
from ..view import (ClusterView, DiskView, EntryView, FlightView, LogView, ProgressView, Role, ServerView,
                    StateMachineView, ViolationView, entry_label)

_ROLE = {NodeRole.FOLLOWER: Role.FOLLOWER, NodeRole.CANDIDATE: Role.CANDIDATE, NodeRole.LEADER: Role.LEADER}

#: Message fields a view leaves out: routing (``src``/``dst``/``term`` have their own place)
#: and payloads too big to copy every frame (a snapshot's data; entries are counted instead).
_SKIP = frozenset({"src", "dst", "term", "data", "digest"})
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}

#: Per cluster, values that a later view can share because what they show has not changed:
#: each server's state machine view, by (state machine object, last applied index) — a state
#: machine changes only by applying the next entry, or is replaced — and entry views, by
#: (entry object, index, committed). The objects themselves are kept in the cache and
#: compared by identity, so a new object never matches an old one's key.
_CACHES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_ENTRY_CACHE_MAX = 4096


def build_view(cluster, log_window: int | None = 20) -> ClusterView:
    cache = _CACHES.get(cluster)
    if cache is None:
        cache = _CACHES[cluster] = {"sm": {}, "entries": {}}
    now = cluster.now
    flights = tuple(_flight_view(seq, f, now) for seq, f in cluster._flights())
    writing = {f.src for f in flights if f.sent_at > now}
    in_flight: dict[tuple[str, str], int] = {}
    for f in flights:
        if f.type in ("AppendEntries", "InstallSnapshot"):
            in_flight[(f.src, f.dst)] = in_flight.get((f.src, f.dst), 0) + 1
    leader = cluster.leader()
    lead_node = cluster.nodes[leader] if leader is not None else None
    servers = tuple(_server_view(cluster, name, log_window, name in writing, in_flight, lead_node, cache)
                    for name in cluster.names)
    decisions = tuple(d for _, d in sorted(cluster.vote_decisions.items()))
    violations = tuple(ViolationView(v.key, v.invariant, str(v), v.detail, tuple(v.servers), v.index, v.term,
                                     v.time, v.event) for v in cluster.violations)
    return ClusterView(
        time=now,
        names=tuple(cluster.names),
        servers=servers,
        leader=leader,
        leaders=tuple(cluster.leaders()),
        configuration=tuple(lead_node.voters) if lead_node is not None else None,
        members=tuple(cluster.members),
        learners=tuple(sorted(lead_node.learners)) if lead_node is not None else (),
        pending_changes=tuple(cluster.membership_queue),
        blocked=frozenset(cluster.blocked),
        link_delays=tuple(sorted(cluster.link_delay.items())),
        flights=flights,
        vote_decisions=decisions,
        violations=violations,
        halted=cluster.halted,
    )


def _server_view(cluster, name: str, log_window: int | None, writing: bool, in_flight: dict,
                 lead_node: RaftNode | None, cache: dict) -> ServerView:
    node: RaftNode = cluster.nodes[name]
    alive = cluster.alive(name)
    now = cluster.now
    log = node.log
    last = log.last_index
    start = log.first_index if log_window is None else max(log.first_index, last - log_window + 1)
    commit = node.commit_index
    entry_cache = cache["entries"]
    if len(entry_cache) > _ENTRY_CACHE_MAX:
        entry_cache.clear()
    entries = []
    for i, e in enumerate(log.slice(start, last + 1), start):
        committed = i <= commit
        key = (id(e), i, committed)
        hit = entry_cache.get(key)
        if hit is None or hit[0] is not e:
            hit = entry_cache[key] = (e, EntryView(i, e.term, entry_label(e.command), committed, e.command))
        entries.append(hit[1])
    entries = tuple(entries)
    log_view = LogView(entries, log.first_index, last, log.last_term, log.snapshot_index, log.snapshot_term)
    role = Role.PRE_CANDIDATE if node.pre_candidate else _ROLE[node.role]
    timer = None
    if alive and role is not Role.LEADER and node.election_timeout and node.election_deadline != float("inf"):
        timer = min(1.0, max(0.0, (node.election_deadline - now) / node.election_timeout))
    sm = node.state_machine
    hit = cache["sm"].get(name)
    if hit is None or hit[0] is not sm or hit[1] != node.last_applied:
        state = StateMachineView(tuple(sorted(sm.data.items())),
                                 tuple((c, seq, result) for c, (seq, result) in sorted(sm.sessions.items())),
                                 sm.digest())
        hit = cache["sm"][name] = (sm, node.last_applied, state)
    state = hit[2]
    disk = cluster.disks[name]
    dlog = disk.log
    dstart = dlog.first_index if log_window is None else max(dlog.first_index, dlog.last_index - log_window + 1)
    disk_view = DiskView(disk.current_term, disk.voted_for, dlog.last_index, dlog.snapshot_index,
                         dlog.snapshot_term, tuple(e.term for e in dlog.slice(dstart, dlog.last_index + 1)),
                         disk.writes, writing)
    progress: tuple[ProgressView, ...] = ()
    if role is Role.LEADER:
        since = now - cluster.config.election_timeout_min
        progress = tuple(
            ProgressView(p, pr.next_index, pr.match_index, in_flight.get((name, p), 0), pr.last_ack,
                         pr.last_ack > since, p in node.learners)
            for p, pr in ((p, node.progress[p]) for p in node.peers))
    idx = node.config_index
    snap = node.snapshot
    return ServerView(
        name=name,
        role=role,
        alive=alive,
        current_term=node.current_term,
        voted_for=node.voted_for,
        leader_id=node.leader_id,
        log=log_view,
        commit_index=commit,
        last_applied=node.last_applied,
        state=state,
        timer=timer,
        election_timeout=node.election_timeout,
        disk=disk_view,
        voters=tuple(node.voters),
        config_entry=((log.term_at(idx) or 0), idx) if idx else (0, 0),
        is_voter=name in node.voter_set,
        is_learner=lead_node is not None and name in lead_node.learners,
        may_campaign=node.may_campaign(),
        votes=tuple(sorted(node.votes)) if role in (Role.CANDIDATE, Role.PRE_CANDIDATE) else (),
        quorum=node.quorum_size(),
        progress=progress,
        snapshot=(snap.index, snap.term) if snap is not None else None,
    )


def _flight_view(seq: int, f, now: float) -> FlightView:
    msg = f.msg
    cls = type(msg)
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(fl.name for fl in dataclasses.fields(cls) if fl.name not in _SKIP)
    fields = tuple((n, len(msg.entries) if n == "entries" else getattr(msg, n)) for n in names)
    tname = cls.__name__
    kind = tname
    if cls is AppendEntries and not msg.entries:
        kind = "Heartbeat"
    elif getattr(msg, "pre_vote", False):
        kind = tname.replace("RequestVote", "PreVote")
    span = f.deliver_at - f.sent_at
    travelled = 1.0 if span <= 0 else min(1.0, max(0.0, (now - f.sent_at) / span))
    return FlightView(seq, f.src, f.dst, tname, kind, msg.term, f.sent_at, f.deliver_at, travelled, fields,
                      str(msg), msg)
