"""A Raft server as a pure state machine (sans-I/O), following Figure 2 of the Raft paper.

Nothing here reads a clock, draws from the global random generator, sleeps, or does I/O:
time comes in as the ``now`` argument, randomness from the ``random.Random`` the caller
injects, and everything the server wants done comes back as an :class:`Output` — messages to
send, state to persist *before* sending them, and committed entries it applied. The simulator
in :mod:`raftcore.sim` is one driver of this class; a real network server would be another.

Structure, as in etcd's ``raft.go``: :meth:`RaftNode.step` applies the "All Servers" term
rule once, then dispatches on the message type to one handler per RPC and role.

The thesis extensions, each switchable in :class:`~raftcore.config.RaftConfig` and each rule
in one place: PreVote (§9.6, :meth:`RaftNode.campaign`, the ``pre_vote`` branch of
:meth:`RaftNode.handle_request_vote`; the pre-candidate keeps ``role`` FOLLOWER and sets
``node.pre_candidate``), CheckQuorum (§6.2, :meth:`RaftNode.hears_from_quorum`) with leader
stickiness (§4.2.3, :meth:`RaftNode.in_lease`), reads without log entries (§6.4,
:meth:`RaftNode.handle_read`), leadership transfer (§3.10, :meth:`RaftNode.continue_transfer`,
:meth:`RaftNode.handle_timeout_now`), single-server membership changes (§4,
:meth:`RaftNode.membership_change_refusal`, :meth:`RaftNode.set_config`) and log compaction
with InstallSnapshot (§5, :meth:`RaftNode.take_snapshot`, :meth:`RaftNode.handle_install_snapshot`).
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable

from .config import RaftConfig
from .immutable import immutable
from .kv import KVStore
from .log import Entry, Log
from .membership import ConfigChange
from .messages import (AppendEntries, AppendEntriesReply, InstallSnapshot, InstallSnapshotReply, Message,
                       RequestVote, RequestVoteReply, TimeoutNow)


class Role(Enum):
    FOLLOWER = "follower"
    CANDIDATE = "candidate"
    LEADER = "leader"

    def __str__(self) -> str:
        return self.value


@dataclass(slots=True, init=False)
class Output:
    """What one call into the node asks its driver to do, in this order:
    persist (``persist_state`` / ``persist_log_from``), then send ``messages``.
    ``applied`` lists ``(index, entry, result, state_digest)`` for entries applied to the
    state machine; ``notes`` are human-readable lines for traces and event logs."""

    messages: list[Message]
    persist_state: bool
    persist_log_from: int | None
    applied: list[tuple[int, Entry, Any, str | None]]
    notes: list[str]
    #: A new snapshot to persist (``node.snapshot``); the log's compacted prefix goes with it.
    persist_snapshot: bool
    #: ``(index, state digest)`` when the state machine was replaced by a snapshot (installed
    #: from the leader, or loaded at restart), for the checker's State Machine Safety.
    installed: tuple[int, str] | None
    became_leader: bool
    commit_advanced: bool
    proposed_index: int | None
    #: Answered reads (thesis §6.4): ``(query, result)`` for each read the leader may now answer.
    reads: list[tuple[Any, Any]]
    #: How this server answered a RequestVote or PreVote (or that it ignored one), for displays.
    vote: "VoteDecision | None"

    def __init__(self) -> None:
        """Nothing to do yet: the step fills it in. (Written out, not left to ``@dataclass``:
        every step makes one, and its default factories cost more than ``[]``.)"""
        self.messages = []
        self.persist_state = False
        self.persist_log_from = None
        self.applied = []
        self.notes = []
        self.persist_snapshot = False
        self.installed = None
        self.became_leader = False
        self.commit_advanced = False
        self.proposed_index = None
        self.reads = []
        self.vote = None

    def log_changed(self, index: int) -> None:
        if self.persist_log_from is None or index < self.persist_log_from:
            self.persist_log_from = index


@immutable
@dataclass(frozen=True, slots=True)
class VoteDecision:
    """How a voter answered one RequestVote or PreVote, in a form a display can draw: what the
    election restriction compares — each log's last entry as ``(term, index)`` — the verdict
    of that comparison (``up_to_date``), whether the vote was granted, and why in words."""

    voter: str
    candidate: str
    #: The term the candidate asked a vote for (for a PreVote, the term it would campaign in).
    term: int
    #: The candidate's ``(last_log_term, last_log_index)``, as its request carried them.
    candidate_last: tuple[int, int]
    #: The voter's own ``(last term, last index)``.
    voter_last: tuple[int, int]
    granted: bool
    reason: str
    up_to_date: bool
    pre_vote: bool = False
    #: The voter's current term after the request (at least ``term`` unless the request was stale).
    voter_term: int = 0
    time: float = 0.0

    def __str__(self) -> str:
        kind = "PreVote" if self.pre_vote else "vote"
        verb = "grants" if self.granted else "refuses"
        return f"{self.voter} {verb} {kind} to {self.candidate} for term {self.term}: {self.reason}"


@immutable
@dataclass(frozen=True, slots=True)
class Snapshot:
    """A server's snapshot (thesis §5.1): the state machine as of ``index`` (a copy no one
    mutates: data and client sessions), the term of that entry, and the configuration then."""

    index: int
    term: int
    state: KVStore
    config: tuple[str, ...]
    digest: str

    def __str__(self) -> str:
        return f"snapshot {self.index}/{self.term}"


@dataclass(slots=True)
class Progress:
    """A leader's record of one follower (Figure 2's "volatile state on leaders", one record
    per server as etcd's ``tracker.Progress``). :meth:`RaftNode.refresh_peers` creates it, the
    only place that does, when the server becomes this leader's follower (or learner)."""

    #: Index of the next log entry to send to that server (initialized to leader last log index + 1).
    next_index: int
    #: Index of the highest log entry known to be replicated on that server (initialized to 0).
    match_index: int = 0
    #: When it last answered (CheckQuorum, thesis §6.2): the election counts as an answer.
    last_ack: float = float("-inf")
    #: The latest heartbeat round it answered (confirming leadership for reads, thesis §6.4).
    acked_round: int = 0
    #: When the last InstallSnapshot left for it: one in flight is not resent every heartbeat.
    snapshot_sent: float = float("-inf")

    def copy(self) -> "Progress":
        return Progress(self.next_index, self.match_index, self.last_ack, self.acked_round, self.snapshot_sent)


@dataclass(slots=True)
class PersistentState:
    """What survives a crash (Figure 2, "Persistent state on all servers"), plus the latest
    snapshot (thesis §5)."""

    current_term: int = 0
    voted_for: str | None = None
    log: Log = field(default_factory=Log)
    snapshot: Snapshot | None = None


#: A voter the leader keeps no Progress for (none, while it leads) counts as one never heard from.
_UNTRACKED = Progress(0)

_CONTAINERS = (dict, list, set)
_IMMUTABLE = (int, float, str, bool, type(None), tuple, frozenset, Role)


class RaftNode:
    """One Raft server. Read its attributes freely; change it only through its methods."""

    def __init__(
        self,
        name: str,
        peers: list[str],
        config: RaftConfig,
        rng: random.Random,
        persisted: PersistentState | None = None,
        state_machine: KVStore | None = None,
        joining: bool = False,
        track_digests: bool = False,
    ):
        """``track_digests``: report each applied entry's state digest in ``Output.applied``
        (what an invariant checker compares; it costs a digest per entry, so off by default)."""
        self.name = name
        self.config = config
        #: The bootstrap configuration: ``peers`` and this server — unless it is ``joining``
        #: (added later): then it is no voter until its log or snapshot says otherwise.
        self.bootstrap: tuple[str, ...] = tuple(sorted(set(peers) | (set() if joining else {name})))
        self.rng = rng
        p = persisted or PersistentState()
        # Persistent state on all servers (updated on stable storage before responding to RPCs)
        self.current_term: int = p.current_term
        self.voted_for: str | None = p.voted_for
        self.log: Log = p.log.copy()
        #: The latest snapshot (thesis §5): the state machine restarts from it.
        self.snapshot: Snapshot | None = p.snapshot
        # Volatile state on all servers
        self.commit_index = self.log.snapshot_index
        self.last_applied = self.log.snapshot_index
        self.role = Role.FOLLOWER
        self.leader_id: str | None = None
        self.state_machine = state_machine or KVStore(config.unsafe.nondeterministic_state_machine)
        if self.snapshot is not None:
            self.state_machine = self.snapshot.state.copy()
            self.commit_index = self.last_applied = self.snapshot.index
        # Membership (thesis §4): the latest configuration in the log, committed or not.
        self.learners: dict[str, float] = {}  # leaders: servers catching up -> give-up time
        self.rebuild_config()
        #: Volatile state on leaders (reinitialized after election): a :class:`Progress` per follower.
        self.progress: dict[str, Progress] = {}
        # Candidates: who granted a vote in current_term
        self.votes: set[str] = set()
        #: PreVote (thesis §9.6): True while this server asks whether it could win an election,
        #: before raising its term. Its role stays FOLLOWER (term and vote unchanged); a
        #: renderer draws it as a pre-candidate. Cleared on any change of role or leader contact.
        self.pre_candidate = False
        # Timers, in the driver's milliseconds
        self.now = 0.0
        self.election_timeout = 0.0
        self.election_deadline = float("inf")
        self.heartbeat_deadline = float("inf")
        # When this server last heard from the leader of its term (leader stickiness, §4.2.3).
        self.leader_contact = float("-inf")
        #: Until when a restarted server keeps the stickiness promise it may have made before
        #: it crashed (:meth:`start`, :meth:`in_lease`).
        self.restart_fence = float("-inf")
        # Leaders: CheckQuorum (§6.2) and confirming leadership for reads (§6.4). Every
        # broadcast starts a new heartbeat round; replies echo the round they answer.
        self.round = 0
        self.round_started: dict[int, float] = {}
        self.term_start_index = 0          # index of this leader's no-op: the least read index
        self.pending_reads: list[tuple[int, int, Any]] = []  # (read index, round needed, query)
        self.lease_broken = False           # a TimeoutNow was sent this term: no lease reads
        # Leadership transfer (§3.10)
        self.transfer_target: str | None = None
        self.transfer_deadline = float("inf")
        self.track_digests = track_digests
        self._out = Output()

    def __deepcopy__(self, memo) -> "RaftNode":
        """Time travel (``Cluster.snapshot``). Invariant of this class: every attribute is a
        number, name, role, tuple or frozenset (immutable); a dict, list or set of such values,
        of messages, entries or commands (a shallow copy is a full copy); an object that
        copies itself (log, state machine, configuration, random generator, output); or
        ``progress``, whose records are mutable and copied one by one."""
        other = object.__new__(type(self))
        memo[id(self)] = other
        state = other.__dict__
        for k, v in self.__dict__.items():
            t = type(v)
            if t in _CONTAINERS:
                v = v.copy()
            elif t not in _IMMUTABLE:
                v = copy.deepcopy(v, memo)
            state[k] = v
        state["progress"] = {p: pr.copy() for p, pr in self.progress.items()}
        return other

    # ------------------------------------------------------------------ inputs

    def start(self, now: float) -> Output:
        """Boot (or reboot) as a follower with a fresh randomized election timer.

        Leader stickiness across a restart (thesis §4.2.3, §6.4; issue 13). Before it
        crashed this server may have acknowledged a leader's heartbeat, and that leader may
        now serve lease reads on the strength of it: the acknowledgement promised that this
        server would grant no vote for a minimum election timeout. ``leader_contact`` is
        volatile, so a restarted server no longer knows when it last heard from a leader.
        Of the two ways to keep the promise — persist the time of every leader contact, or
        assume the worst — we assume the worst: a restarted server behaves as if it had
        heard from a leader at the moment it booted, ignoring RequestVote and PreVote
        (except a leadership transfer's, which disregards stickiness anyway, §3.10) until
        ``election_timeout_min`` has passed on its clock. Persisting the contact time would
        cost a disk write per heartbeat and still need a clock that survives the crash; the
        fence costs at most one minimum election timeout of availability after a restart,
        which the thesis already spends on stickiness. A server still in term 0 has never
        acknowledged any leader, so it has no promise to keep (the first election of a
        cluster is not delayed); without CheckQuorum there is no stickiness and no lease."""
        out = self._begin(now)
        if self.config.check_quorum and self.current_term > 0:
            self.restart_fence = now + self.config.election_timeout_min
        if self.snapshot is not None and self.last_applied == self.snapshot.index:
            out.installed = (self.snapshot.index, self.snapshot.digest)
        self.reset_election_timer()
        return out

    def force_timeout(self, now: float) -> Output:
        """Make the election timer fire at ``now`` (a scripted election): the transition a
        timeout makes (§5.2), without waiting for the randomized deadline."""
        self.election_deadline = now
        return RaftNode.tick(self, now)  # ``now`` is this server's time (a subclass translates it once)

    def load_persistent_state(self, p: PersistentState) -> None:
        """Setup only (a scenario's ``log`` and ``term``, as the paper's figures start from
        given logs): take ``p`` as this server's persistent state, with the volatile state of
        a server restarted from it — nothing committed or applied, an empty state machine,
        the configuration its log says. Timers keep running."""
        self.current_term, self.voted_for = p.current_term, p.voted_for
        self.log, self.snapshot = p.log.copy(), p.snapshot
        self.commit_index = self.last_applied = self.log.snapshot_index
        self.state_machine = KVStore(self.config.unsafe.nondeterministic_state_machine)
        self.rebuild_config()

    def tick(self, now: float) -> Output:
        """Timer input: fire whichever deadlines have passed."""
        out = self._begin(now)
        if self.role is Role.LEADER:
            if now >= self.transfer_deadline:
                self.abort_transfer("timed out")
            if now >= self.heartbeat_deadline:
                if self.learners:
                    self.give_up_slow_learners()
                if self.config.check_quorum and not self.hears_from_quorum():
                    self._note(f"steps down: no majority heard within {self.config.election_timeout_min:.0f}ms "
                               f"(CheckQuorum)")
                    self.become_follower(self.current_term, leader_id=None)
                    return out
                self.broadcast_append_entries()
        elif now >= self.election_deadline:
            self.on_election_timeout()
        return out

    def step(self, msg: Message, now: float) -> Output:
        """Message input. The term rule of "All Servers" runs once here, for every RPC."""
        out = self._begin(now)
        if msg.term > self.current_term:
            kind = type(msg)
            if kind is RequestVote:
                if self.in_lease() and not msg.transfer:
                    # Leader stickiness (§4.2.3): we heard from a leader within the minimum
                    # election timeout, so this candidate cannot be needed: ignore it.
                    kind_name = "PreVote" if msg.pre_vote else "RequestVote"
                    if self.leader_id is None:  # the restart fence (see start)
                        self._note(f"ignores {kind_name} of {msg.src} term {msg.term}: restarted less than "
                                   f"{self.config.election_timeout_min:.0f}ms ago")
                        self.record_vote(msg, False, "ignored: restarted within the minimum election timeout, "
                                                     "it may have promised a leader its lease (stickiness)")
                    else:
                        self._note(f"ignores {kind_name} of {msg.src} term {msg.term}: leader {self.leader_id} "
                                   f"is alive")
                        self.record_vote(msg, False, f"ignored: heard from leader {self.leader_id} within the "
                                                     f"minimum election timeout (leader stickiness)")
                    return out
                if msg.pre_vote:  # a PreVote never changes the receiver's term (§9.6)
                    self.handle_request_vote(msg)
                    return out
            elif kind is RequestVoteReply and msg.pre_vote and msg.vote_granted:
                self.handle_request_vote_reply(msg)  # granted for our prospective term
                return out
            if self.role is not Role.FOLLOWER and self.config.unsafe.ignore_higher_term:
                # UNSAFE: a leader or candidate that never learns of newer terms.
                return out
            # If RPC request or response contains term T > currentTerm:
            # set currentTerm = T, convert to follower (§5.1). The election timer keeps
            # running: Figure 2 restarts it only for the current leader's AppendEntries or a
            # granted vote, so a campaign by a server with a stale log cannot hold back the
            # timeouts of the servers that could win (a leader has no timer: it gets one).
            self.become_follower(msg.term, leader_id=None, reset_timer=self.role is Role.LEADER)
        handler = self._handlers[type(msg)]
        handler(self, msg)
        return out

    def propose(self, command: Any, now: float) -> Output:
        """Client request: a leader appends the command and starts replicating it (§5.3).
        ``out.proposed_index`` is its log index, or None if this server is not the leader."""
        out = self._begin(now)
        if self.role is Role.LEADER and self.transfer_target is None:  # §3.10: none during a transfer
            out.proposed_index = self.append_to_own_log(command)
            self.broadcast_append_entries()
        return out

    def read(self, query: Any, now: float) -> Output:
        """Client read (thesis §6.4), answered in ``out.reads`` now or by a later output."""
        out = self._begin(now)
        self.handle_read(query)
        return out

    def transfer_leadership(self, target: str, now: float) -> Output:
        """Leadership transfer (thesis §3.10): stop accepting proposals, bring ``target`` up to
        date, then send it TimeoutNow. Abort if no election happens within an election timeout."""
        out = self._begin(now)
        if self.role is not Role.LEADER:
            raise ValueError(f"{self.name} is not the leader; only a leader can transfer leadership")
        if target == self.name or target not in self.voter_set:
            raise ValueError(f"cannot transfer leadership of {self.name} to {target!r}")
        self.transfer_target = target
        self.transfer_deadline = now + self.config.election_timeout_min
        self._note(f"transfers leadership to {target}")
        self.continue_transfer()
        return out

    @property
    def next_wakeup(self) -> float:
        """The earliest time at which :meth:`tick` has something to do."""
        if self.role is Role.LEADER:
            return min(self.heartbeat_deadline, self.transfer_deadline)
        return self.election_deadline

    # ------------------------------------------------------------------ roles

    def reset(self, term: int) -> None:
        """What every change of role starts from, in one place (etcd's ``reset``; the caller
        has set the new ``role``): a newer term, whose vote is not yet cast; no known leader;
        no votes counted; and a leader's duties over — pending reads fail (the clients retry
        elsewhere), a transfer ends, servers it was catching up are no longer its concern.

        The :class:`Progress` records are reinitialized after election (:meth:`become_leader`,
        Figure 2), not here: a reply a leader was handling when it stepped down (a removed
        leader committing its removal, §4.2.2) finishes with them."""
        if term > self.current_term:  # currentTerm = T (§5.1); votedFor holds within one term
            self.current_term = term
            self.voted_for = None
            self._out.persist_state = True
        self.leader_id = None
        self.votes = set()
        self.pre_candidate = False
        self.heartbeat_deadline = float("inf")
        self.round_started = {}
        self.pending_reads = []
        self.transfer_target = None
        self.transfer_deadline = float("inf")
        self.learners = {}
        self.refresh_peers()  # a new leader: a Progress for every follower

    def become_follower(self, term: int, leader_id: str | None, reset_timer: bool = True) -> None:
        """Follow ``leader_id`` (None: not known yet) in ``term``: a newer term (§5.1), a
        leader or candidate stepping down, a pre-candidate giving up, or a follower hearing
        from its leader — whose timer restarts unless ``reset_timer`` is False."""
        if self.role is not Role.FOLLOWER or self.pre_candidate or term > self.current_term:
            if self.role is not Role.FOLLOWER:
                self._note(f"becomes follower term {term}")
                self.role = Role.FOLLOWER
            self.reset(term)
        self.leader_id = leader_id
        if reset_timer:
            self.reset_election_timer()

    def campaign(self, pre_vote: bool, transfer: bool = False) -> None:
        """Start an election (§5.2) or, with ``pre_vote``, first ask whether we could win one
        (thesis §9.6), as etcd's ``campaign``: become (pre-)candidate, voting for ourselves,
        then send RequestVote RPCs to all other servers for the term we would hold — unless
        our own vote is already a majority (a single voter). ``transfer``: the election a
        leadership transfer asked for, which voters' stickiness does not hold back (§3.10)."""
        if pre_vote:
            self.become_pre_candidate()
            term = self.current_term + 1  # a PreVote asks for the next term without taking it
        else:
            self.become_candidate()
            term = self.current_term
        if self.has_quorum(self.votes):
            if pre_vote:
                self.campaign(pre_vote=False)
            else:
                self.become_leader()
            return
        last_index, last_term = self.log.last_index, self.log.last_term
        for peer in self.peers:
            self._send(RequestVote(self.name, peer, term, self.name, last_index, last_term,
                                   pre_vote=pre_vote, transfer=transfer))

    def become_pre_candidate(self) -> None:
        """PreVote (thesis §9.6): before raising its term, a server asks the others (in
        :meth:`campaign`) whether they would vote for it in the next term, changing no term
        and no vote; it campaigns for real only if a majority would. A server that cannot win
        (cut off, or with a stale log) so never raises the term."""
        if self.role is not Role.FOLLOWER:
            self._note(f"becomes follower term {self.current_term}")
        self.role = Role.FOLLOWER
        self.reset(self.current_term)
        self.pre_candidate = True
        self.votes = {self.name}
        self.reset_election_timer()
        self._note(f"becomes pre-candidate for term {self.current_term + 1}")

    def become_candidate(self) -> None:
        """On conversion to candidate, start election (§5.2): increment currentTerm, vote for
        self, reset election timer; :meth:`campaign` then sends RequestVote RPCs to all other
        servers."""
        self.role = Role.CANDIDATE
        self.reset(self.current_term + 1)
        self.voted_for = self.name
        self.votes = {self.name}
        self.reset_election_timer()
        self._note(f"becomes candidate term {self.current_term}")

    def become_leader(self) -> None:
        """Upon election: reinitialize next_index/match_index, append a no-op of the new term
        (§8: it lets the leader commit earlier entries), and announce itself at once."""
        self.role = Role.LEADER
        # Volatile state on leaders, reinitialized after election (Figure 2): reset's
        # refresh_peers creates a fresh Progress for every follower.
        self.progress, self.round, self.lease_broken = {}, 0, False
        self.reset(self.current_term)
        self.leader_id = self.name
        self.election_deadline = float("inf")
        self._out.became_leader = True
        self._note(f"becomes leader term {self.current_term}")
        self.term_start_index = self.append_to_own_log(None)
        self.broadcast_append_entries()

    # ------------------------------------------------------------------ timers

    def reset_election_timer(self) -> None:
        """Randomized election timeouts (§5.2) keep split votes rare: each reset draws anew."""
        c = self.config
        self.election_timeout = self.rng.uniform(c.election_timeout_min, c.election_timeout_max)
        self.election_deadline = self.now + self.election_timeout

    def on_election_timeout(self) -> None:
        """If election timeout elapses without receiving AppendEntries RPC from current leader
        or granting vote to candidate: convert to candidate (§5.2) — or, with PreVote, first
        to pre-candidate (thesis §9.6).

        This is where FLP bites: a silent leader may be crashed or merely slow, and no timeout
        can tell which. Raft stays safe either way (terms fence the old leader off) and gives
        up only liveness when timeouts fire too eagerly."""
        if not self.may_campaign():
            self.reset_election_timer()  # not a voter (learner, joining, removed for good)
        else:
            self.campaign(pre_vote=self.config.pre_vote)

    def may_campaign(self) -> bool:
        """Voters campaign. So does a server removed by a configuration entry it does not yet
        know to be committed: it may still be needed to elect a leader of the old configuration
        (thesis §4.2.2); its own vote does not count (``has_quorum``)."""
        if self.name in self.voter_set:
            return True
        return self.config_index > self.commit_index and self.name in self.config_at(self.config_index - 1)

    def in_lease(self) -> bool:
        """Leader stickiness (thesis §4.2.3; etcd's ``inLease``, on with CheckQuorum): a server
        that knows a leader and heard from it within the minimum election timeout — or is that
        leader — disregards RequestVote and PreVote requests of higher terms. So does a server
        that restarted less than a minimum election timeout ago (see :meth:`start`)."""
        if not self.config.check_quorum:
            return False
        if self.now < self.restart_fence:
            return True
        if self.leader_id is None:
            return False
        return self.role is Role.LEADER or self.now - self.leader_contact < self.config.election_timeout_min

    def hears_from_quorum(self) -> bool:
        """CheckQuorum (thesis §6.2): did a majority (counting the leader) answer within the
        last minimum election timeout? That is: did a majority's latest answers come after that?"""
        heard = self.quorum_value(lambda pr: pr.last_ack, self.now)
        return heard is not None and heard > self.now - self.config.election_timeout_min

    # ------------------------------------------------------------------ RequestVote

    def handle_request_vote(self, m: RequestVote) -> None:
        """RequestVote receiver (Figure 2): 1. reply false if term < currentTerm;
        2. if votedFor is null or candidateId, and the candidate's log is at least as
        up-to-date as the receiver's log, grant the vote."""
        granted = False
        unsafe = self.config.unsafe
        up_to_date, comparison = self.candidate_log_is_up_to_date(m.last_log_term, m.last_log_index)
        if unsafe.skip_up_to_date_check and not up_to_date:
            comparison = f"UNSAFE, logs not compared ({comparison})"
        log_ok = up_to_date or unsafe.skip_up_to_date_check
        if m.pre_vote:
            # PreVote (§9.6): would we vote in m.term? Only if the candidate's log is up to date
            # and we have not heard from a leader within the minimum election timeout (with
            # CheckQuorum, in_lease in step already ignored such a request). Record nothing,
            # reset no timer.
            heard_leader = self.leader_id is not None and (
                self.role is Role.LEADER or self.now - self.leader_contact < self.config.election_timeout_min)
            if heard_leader:
                why = f"heard from leader {self.leader_id} within the minimum election timeout"
            elif not (m.term > self.current_term or (
                    m.term == self.current_term and self.voted_for in (None, m.candidate_id))):
                why = (f"already voted for {self.voted_for} in term {m.term}" if m.term == self.current_term
                       else f"stale term: {m.term} < my term {self.current_term}")
            else:
                granted, why = log_ok, comparison
            self._send(RequestVoteReply(self.name, m.src, m.term if granted else self.current_term, granted,
                                        pre_vote=True))
            self.record_vote(m, granted, why, up_to_date)
            return
        if m.term < self.current_term:
            why = f"stale term: {m.term} < my term {self.current_term}"
        elif not (self.voted_for in (None, m.candidate_id) or unsafe.multiple_votes_per_term):
            why = f"already voted for {self.voted_for} in term {self.current_term}"
        elif not log_ok:
            why = comparison
        else:
            granted, why = True, comparison
            if self.voted_for not in (None, m.candidate_id):
                why = f"UNSAFE, second vote of term {self.current_term} (already voted for {self.voted_for}); {why}"
            self.voted_for = m.candidate_id
            self._out.persist_state = True
            self.reset_election_timer()  # granting a vote resets the timer (Figure 2, Followers)
        self._send(RequestVoteReply(self.name, m.src, self.current_term, granted))
        self.record_vote(m, granted, why, up_to_date)

    def candidate_log_is_up_to_date(self, last_log_term: int, last_log_index: int) -> tuple[bool, str]:
        """The election restriction (§5.4.1): "Raft determines which of two logs is more
        up-to-date by comparing the index and term of the last entries in the logs. If the
        logs have last entries with different terms, then the log with the later term is more
        up-to-date. If the logs end with the same term, then whichever log is longer is more
        up-to-date." Returns the verdict and the comparison in words (for displays)."""
        my_term, my_index = self.log.last_term, self.log.last_index
        if last_log_term != my_term:
            if last_log_term > my_term:
                return True, f"candidate's log is up to date: its last term {last_log_term} > my last term {my_term}"
            return False, f"my log is more up-to-date: my last term {my_term} > its last term {last_log_term}"
        if last_log_index >= my_index:
            return True, (f"candidate's log is up to date: same last term {my_term}, its last index "
                          f"{last_log_index} >= mine {my_index}")
        return False, (f"my log is more up-to-date: same last term {my_term}, my last index {my_index} > "
                       f"its last index {last_log_index}")

    def record_vote(self, m: RequestVote, granted: bool, reason: str, up_to_date: bool | None = None) -> None:
        """Tell the driver how this request was answered (``Output.vote``), for displays."""
        if up_to_date is None:
            up_to_date = self.candidate_log_is_up_to_date(m.last_log_term, m.last_log_index)[0]
        self._out.vote = VoteDecision(self.name, m.candidate_id, m.term, (m.last_log_term, m.last_log_index),
                                      (self.log.last_term, self.log.last_index), granted, reason, up_to_date,
                                      m.pre_vote, self.current_term, self.now)

    def handle_request_vote_reply(self, m: RequestVoteReply) -> None:
        """If votes received from a majority of servers: become leader (§5.2). A pre-candidate
        with a majority of PreVotes starts the real election (§9.6)."""
        if m.pre_vote:
            if self.pre_candidate and m.vote_granted and m.term == self.current_term + 1:
                self.votes.add(m.src)
                if self.has_quorum(self.votes):
                    self.campaign(pre_vote=False)
            return
        if self.role is not Role.CANDIDATE or m.term != self.current_term or not m.vote_granted:
            return
        self.votes.add(m.src)
        if self.has_quorum(self.votes):
            self.become_leader()

    # ------------------------------------------------------------------ AppendEntries

    def handle_append_entries(self, m: AppendEntries) -> None:
        """AppendEntries receiver (Figure 2, steps 1–5)."""
        # 1. Reply false if term < currentTerm (§5.1)
        if m.term < self.current_term:
            self._send(AppendEntriesReply(self.name, m.src, self.current_term, False, reject_index=m.prev_log_index))
            return
        # m.term == current_term: m.src is this term's only leader (Election Safety).
        # A candidate that hears from it converts to follower (§5.2); a follower resets its timer.
        self.become_follower(m.term, leader_id=m.leader_id)
        self.leader_contact = self.now
        # 2. Reply false if log doesn't contain an entry at prevLogIndex whose term matches prevLogTerm (§5.3)
        if not self.log_matches(m.prev_log_index, m.prev_log_term):
            self._send(self.rejection(m))
            return
        # 3. If an existing entry conflicts with a new one (same index but different terms),
        #    delete the existing entry and all that follow it (§5.3)
        # 4. Append any new entries not already in the log
        index = m.prev_log_index
        for entry in m.entries:
            index += 1
            if index <= self.log.snapshot_index:
                continue  # already compacted, hence committed, hence identical (Log Matching)
            if index <= self.log.last_index:
                if self.log.term_at(index) == entry.term:
                    continue
                self.log.truncate_from(index)
                if self.config_log and self.config_log[-1][0] >= index:
                    self.drop_configs_from(index)
            self.log.append(entry)
            self._out.log_changed(index)
            if type(entry.command) is ConfigChange:
                self.config_log.append((index, entry.command.voters))
                self.set_config()
        last_new = m.prev_log_index + len(m.entries)
        # 5. If leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of last new entry)
        if m.leader_commit > self.commit_index:
            new_commit = min(m.leader_commit, last_new)
            if new_commit > self.commit_index:  # a late, shorter AppendEntries must not move it back
                self.commit_index = new_commit
                self._out.commit_advanced = True
                self.apply_committed()
        self._send(AppendEntriesReply(self.name, m.src, self.current_term, True, match_index=last_new, round=m.round))

    def log_matches(self, prev_log_index: int, prev_log_term: int) -> bool:
        """The consistency check of AppendEntries step 2 (the Log Matching induction step)."""
        if prev_log_index > self.log.last_index:
            return False  # a gap: not even the unsafe switch can append past the end
        if self.config.unsafe.skip_prev_log_check:
            return True  # UNSAFE: accept entries whatever precedes them
        term = self.log.term_at(prev_log_index)
        return term is None or term == prev_log_term  # None: inside our snapshot, so committed, so equal

    def rejection(self, m: AppendEntries) -> AppendEntriesReply:
        """A failed consistency check, with the conflict hint of §5.3's optimization: the term
        of the conflicting entry and the first index of that term, or our log's end."""
        if m.prev_log_index > self.log.last_index:
            conflict_term, conflict_index = None, self.log.last_index + 1
        else:
            conflict_term = self.log.term_at(m.prev_log_index)
            conflict_index = self.log.first_index_of_term(m.prev_log_index)
        return AppendEntriesReply(self.name, m.src, self.current_term, False, reject_index=m.prev_log_index,
                                  conflict_term=conflict_term, conflict_index=conflict_index, round=m.round)

    def handle_append_entries_reply(self, m: AppendEntriesReply) -> None:
        """Leaders: on success update nextIndex and matchIndex for the follower (§5.3);
        if AppendEntries fails because of log inconsistency: decrement nextIndex and retry."""
        if self.role is not Role.LEADER or m.term != self.current_term:
            return
        if m.src not in self.progress:
            # A reply carries the replier's term, so the rejection of an old-term request from
            # a server removed since (thesis §4) passes the term filter. We keep no progress
            # for it: ignore it, as etcd's stepLeader ignores replies without a Progress.
            return
        peer = m.src
        pr = self.progress[peer]
        pr.last_ack = self.now
        if m.round > pr.acked_round:
            pr.acked_round = m.round
            if self.pending_reads:
                self.serve_reads()
        if m.success:
            if m.match_index > pr.match_index:
                pr.match_index = m.match_index
                self.advance_commit_index()
                if self.role is not Role.LEADER:
                    return  # it committed its own removal and stepped down (§4.2.2): only leaders send
                if peer == self.transfer_target:
                    self.continue_transfer()
            if m.match_index + 1 > pr.next_index:
                pr.next_index = m.match_index + 1
            if self.learners and peer in self.learners and pr.match_index >= self.log.last_index:
                self.promote_learner(peer)
            if pr.next_index <= self.log.last_index:
                self.send_append_entries(peer)  # more to send: keep the follower streaming
            return
        if m.reject_index != pr.next_index - 1:
            return  # a reply to an older probe: nextIndex has moved since
        pr.next_index = max(pr.match_index + 1, min(self.backed_up_next_index(m), m.reject_index))
        self.send_append_entries(peer)

    def backed_up_next_index(self, m: AppendEntriesReply) -> int:
        """Where to probe next after a rejection: one entry back (Figure 2), or with the
        conflict hint skip a whole term per round trip (§5.3): past our last entry of the
        conflicting term if we have one, otherwise to the first index of that term."""
        if not self.config.fast_backtrack:
            return m.reject_index
        if m.conflict_term is None:
            return m.conflict_index
        last = self.log.last_index_of_term(m.conflict_term)
        return last + 1 if last else m.conflict_index

    def advance_commit_index(self) -> None:
        """If there exists an N such that N > commitIndex, a majority of matchIndex[i] ≥ N,
        and log[N].term == currentTerm: set commitIndex = N (§5.3, §5.4).

        Only entries of the current term are committed by counting replicas (§5.4.2); earlier
        ones are committed indirectly, by the Log Matching Property. Figure 8 shows why."""
        unsafe = self.config.unsafe
        needed = max(self.quorum_size() - 1, 1) if unsafe.commit_without_majority else None
        n = self.quorum_value(lambda pr: pr.match_index, self.log.last_index, needed)
        if n is None or n <= self.commit_index:
            return
        if self.log.term_at(n) != self.current_term and not unsafe.commit_old_term_by_counting:
            return
        self.commit_index = n
        self._out.commit_advanced = True
        self.apply_committed()
        if self.name not in self.voter_set and self.commit_index >= self.config_index:
            # Thesis §4.2.2: a leader removed from the configuration steps down once the
            # configuration entry is committed.
            self._note("steps down: removed from the configuration")
            self.become_follower(self.current_term, leader_id=None)

    def broadcast_append_entries(self) -> None:
        """One heartbeat round: AppendEntries to every follower (§5.2)."""
        self.heartbeat_deadline = self.now + self.config.heartbeat_interval
        self.round += 1
        if self.config.read_mode == "lease":
            self.round_started[self.round] = self.now
        for peer in self.peers:
            self.send_append_entries(peer)

    def send_append_entries(self, peer: str) -> None:
        """Send the follower the entries from its nextIndex on (none: a heartbeat) — or, when
        those entries are compacted away, the snapshot (thesis §5.3)."""
        prev = self.progress[peer].next_index - 1
        if prev < self.log.snapshot_index:
            self.send_snapshot(peer)
            return
        hi = min(self.log.last_index, prev + self.config.max_entries_per_append) + 1
        self._send(AppendEntries(self.name, peer, self.current_term, self.name, prev, self.log.term_at(prev),
                                 self.log.slice(prev + 1, hi), self.commit_index, self.round))

    def append_to_own_log(self, command: Any) -> int:
        index = self.log.append(Entry(self.current_term, command))
        self._out.log_changed(index)
        if type(command) is ConfigChange:
            self.config_log.append((index, command.voters))
            self.set_config()
        if not self.peers:
            self.advance_commit_index()  # a single server is its own majority
        return index

    # ------------------------------------------------------------------ applying

    def apply_committed(self) -> None:
        """If commitIndex > lastApplied: increment lastApplied, apply log[lastApplied] to the
        state machine (Figure 2, All Servers). Every replica runs this same loop over the
        same log, so deterministic state machines reach the same state."""
        while self.last_applied < self.commit_index:
            self.last_applied += 1
            entry = self.log.entry(self.last_applied)
            result = None
            if entry.command is not None and type(entry.command) is not ConfigChange:
                result = self.state_machine.apply(entry.command, self.now)
            digest = self.state_machine.digest() if self.track_digests else None
            self._out.applied.append((self.last_applied, entry, result, digest))
        if self.pending_reads:
            self.serve_reads()
        threshold = self.config.snapshot_threshold
        if threshold and self.last_applied - (self.snapshot.index if self.snapshot else 0) >= threshold:
            self.take_snapshot()

    # ------------------------------------------------------------------ membership (thesis §4)

    def rebuild_config(self) -> None:
        """The configuration from scratch: the snapshot's (else the bootstrap one), overridden
        by every configuration entry in the log, the latest last."""
        self.base_voters = self.snapshot.config if self.snapshot is not None else self.bootstrap
        self.config_log: list[tuple[int, tuple[str, ...]]] = []
        log = self.log
        for index in range(log.first_index, log.last_index + 1):
            cmd = log.entry(index).command
            if type(cmd) is ConfigChange:
                self.config_log.append((index, cmd.voters))
        self.set_config()

    def set_config(self) -> None:
        """A server uses the latest configuration in its log, committed or not (thesis §4.1)."""
        if self.config_log:
            self.config_index, self.voters = self.config_log[-1]
        else:
            self.config_index, self.voters = (self.snapshot.index if self.snapshot else 0), self.base_voters
        self.voter_set = frozenset(self.voters)
        self.refresh_peers()

    def drop_configs_from(self, index: int) -> None:
        """Configuration entries removed by a log truncation no longer count (thesis §4.1)."""
        while self.config_log and self.config_log[-1][0] >= index:
            self.config_log.pop()
        self.set_config()

    def config_at(self, index: int) -> tuple[str, ...]:
        for i, voters in reversed(self.config_log):
            if i <= index:
                return voters
        return self.base_voters

    def refresh_peers(self) -> None:
        """Who this server talks to: the other voters, and while leading the learners too."""
        others = set(self.voters)
        others.update(self.learners)
        others.discard(self.name)
        self.peers = sorted(others)  # sorted: deterministic fan-out order
        if self.role is Role.LEADER:
            progress = self.progress
            for p in self.peers:
                if p not in progress:
                    # Figure 2: nextIndex is the leader's last log index + 1, matchIndex 0;
                    # CheckQuorum counts from now: the voters were heard from just now.
                    progress[p] = Progress(self.log.last_index + 1, 0, self.now)

    def membership_change_refusal(self, op: str, name: str) -> str | None:
        """Every rule of single-server changes in one place (thesis §4.1–§4.3); None: allowed."""
        if self.role is not Role.LEADER:
            return f"{self.name} is not the leader"
        if op == "add":
            if name in self.voter_set:
                return f"{name} is already a member"
            if name == self.name:  # a leader being removed: the next leader adds it back
                return f"{name} leads: it cannot catch itself up as a learner"
            if name in self.learners:
                return f"{name} is already catching up"
        elif op == "remove":
            if name not in self.voter_set:
                return f"{name} is not a member"
            if len(self.voters) == 1:
                return f"cannot remove {name}: it is the last server"
        else:
            return f"unknown membership operation {op!r}"
        if self.commit_index < self.term_start_index:
            # Thesis errata: a new leader first commits an entry of its own term (its no-op),
            # or a change it appends could be lost to a concurrent change of an older term.
            return "the leader has not yet committed an entry of its term"
        if not self.config.unsafe.multi_server_membership_change:
            if self.learners or self.config_index > self.commit_index:
                return "another configuration change is in progress"  # one at a time (§4.1)
        return None

    def change_membership(self, op: str, name: str, now: float) -> Output:
        """Add or remove one server. A new server first catches up as a non-voting learner
        (thesis §4.2.1); its configuration entry is appended only once it has."""
        out = self._begin(now)
        why = self.membership_change_refusal(op, name)
        if why is not None:
            raise ValueError(why)
        if op == "add":
            self.learners[name] = now + 10 * self.config.election_timeout_max
            self.refresh_peers()
            self._note(f"catches up {name} as a learner")
            self.send_append_entries(name)
        else:
            self.append_config(tuple(v for v in self.voters if v != name), f"-{name}")
        return out

    def promote_learner(self, name: str) -> None:
        """The learner holds the leader's whole log: now the configuration entry (§4.2.1)."""
        del self.learners[name]
        self.append_config(tuple(sorted((*self.voters, name))), f"+{name}")

    def append_config(self, voters: tuple[str, ...], change: str) -> None:
        self._note(f"appends configuration {','.join(voters)} ({change})")
        self.append_to_own_log(ConfigChange(voters, change))
        self.broadcast_append_entries()

    def give_up_slow_learners(self) -> None:
        for name, deadline in list(self.learners.items()):
            if self.now >= deadline:
                del self.learners[name]
                self._note(f"gives up adding {name}: it did not catch up")
        self.refresh_peers()

    # ------------------------------------------------------------------ snapshots (thesis §5)

    def take_snapshot(self) -> None:
        """Log compaction (thesis §5.1): each server snapshots its own applied state machine
        (data and client sessions) and configuration, then discards the log up to the snapshot
        point — keeping ``snapshot_trailing`` entries so that slightly slow followers can
        still be sent entries instead of the whole snapshot."""
        index = self.last_applied
        self.snapshot = Snapshot(index, self.log.term_at(index), self.state_machine.copy(),
                                 self.config_at(index), self.state_machine.digest())
        self.log.compact(max(self.log.snapshot_index, index - self.config.snapshot_trailing))
        self._out.persist_snapshot = True
        self._note(f"snapshots at {index}, log from {self.log.first_index}")

    def send_snapshot(self, peer: str) -> None:
        """InstallSnapshot (thesis §5.3), the whole snapshot in one message."""
        snap = self.snapshot
        assert snap is not None, "a compacted log always has a snapshot"
        pr = self.progress[peer]
        if self.now < pr.snapshot_sent + 2 * self.config.heartbeat_interval:
            return  # one is on its way: do not resend the whole state every heartbeat
        pr.snapshot_sent = self.now
        self._send(InstallSnapshot(self.name, peer, self.current_term, self.name, snap.index, snap.term,
                                   snap.state, snap.config, snap.digest))

    def handle_install_snapshot(self, m: InstallSnapshot) -> None:
        """InstallSnapshot receiver (thesis Figure 5.3): reply at once if term < currentTerm;
        if the log has an entry at the snapshot's last index with its term, keep the entries
        that follow and reply; otherwise discard the whole log; reset the state machine from
        the snapshot."""
        if m.term < self.current_term:
            self._send(InstallSnapshotReply(self.name, m.src, self.current_term, 0))
            return
        self.become_follower(m.term, leader_id=m.leader_id)
        self.leader_contact = self.now
        index = m.last_included_index
        if index > self.commit_index:
            if self.log.term_at(index) == m.last_included_term and self.log.has(index):
                self.log.compact(index)  # the log matches here: keep what follows
            else:
                self.log.reset_to_snapshot(index, m.last_included_term)
                self._out.log_changed(index + 1)
            self.snapshot = Snapshot(index, m.last_included_term, m.data, m.config, m.digest)
            self.rebuild_config()
            self.state_machine = m.data.copy()
            self.commit_index = self.last_applied = index
            self._out.persist_snapshot = True
            self._out.installed = (index, m.digest)
            self._out.commit_advanced = True
            self._note(f"installs snapshot {index}/{m.last_included_term} from {m.src}")
        self._send(InstallSnapshotReply(self.name, m.src, self.current_term, index))

    def handle_install_snapshot_reply(self, m: InstallSnapshotReply) -> None:
        if self.role is not Role.LEADER or m.term != self.current_term or m.src not in self.progress:
            return  # not ours to act on; see handle_append_entries_reply for untracked servers
        peer = m.src
        pr = self.progress[peer]
        pr.last_ack = self.now
        if m.match_index > pr.match_index:
            pr.match_index = m.match_index
            self.advance_commit_index()
            if self.role is not Role.LEADER:
                return  # stepped down on committing its own removal (see handle_append_entries_reply)
        if m.match_index + 1 > pr.next_index:
            pr.next_index = m.match_index + 1
            if pr.next_index <= self.log.last_index:
                self.send_append_entries(peer)

    # ------------------------------------------------------------------ reads (thesis §6.4)

    def handle_read(self, query: Any) -> None:
        """A read-only query, served without a log entry (thesis §6.4, ReadIndex):

        1. the leader records its commit index as the read index — at least the index of its
           own no-op, so that it waits until it has committed an entry of its term;
        2. it confirms it is still the leader with a round of heartbeats a majority answers;
        3. it waits until it has applied the read index;
        4. it answers from its state machine.

        With ``read_mode="lease"`` a majority's answers within the last minimum election
        timeout stand for step 2 (followers' stickiness keeps any other leader out that long).
        """
        if self.role is not Role.LEADER:
            return
        if self.config.unsafe.local_reads:
            # UNSAFE: answer from local state at once; a deposed leader answers stale values.
            self._out.reads.append((query, self.state_machine.query(query)))
            return
        read_index = max(self.commit_index, self.term_start_index)
        if self.config.read_mode == "lease" and self.lease_valid():
            needed = 0
        else:
            needed = self.round + 1
            self.broadcast_append_entries()  # the confirming round; replies echo its number
        self.pending_reads.append((read_index, needed, query))
        self.serve_reads()

    def confirmed_round(self) -> int:
        """The latest heartbeat round a majority (the leader included) has answered."""
        confirmed = self.quorum_value(lambda pr: pr.acked_round, self.round)
        return 0 if confirmed is None else confirmed

    def lease_valid(self) -> bool:
        """A lease (thesis §6.4): a majority answered a round that began less than
        ``config.lease_duration()`` ago — a minimum election timeout, shortened by the bound
        on clock drift (the lab's clocks drift: raftcore/sim/clock.py)."""
        if self.lease_broken:
            return False
        confirmed = self.confirmed_round()
        started = self.round_started.get(confirmed)
        for r in [r for r in self.round_started if r < confirmed]:
            del self.round_started[r]
        return started is not None and self.now - started < self.config.lease_duration()

    def serve_reads(self) -> None:
        confirmed = self.confirmed_round()
        keep = []
        for read_index, needed, query in self.pending_reads:
            if needed <= confirmed and self.last_applied >= read_index:
                self._out.reads.append((query, self.state_machine.query(query)))
            else:
                keep.append((read_index, needed, query))
        self.pending_reads = keep

    # ------------------------------------------------------------------ leadership transfer (§3.10)

    def continue_transfer(self) -> None:
        """Once the target's log matches ours, tell it to campaign at once (TimeoutNow);
        until then, keep sending it entries."""
        target = self.transfer_target
        if target is None:
            return
        if self.progress[target].match_index >= self.log.last_index:
            self.lease_broken = True  # the target's election ignores stickiness: no lease
            self._send(TimeoutNow(self.name, target, self.current_term))
        else:
            self.send_append_entries(target)

    def abort_transfer(self, why: str) -> None:
        self._note(f"aborts leadership transfer to {self.transfer_target}: {why}")
        self.transfer_target = None
        self.transfer_deadline = float("inf")

    def handle_timeout_now(self, m: TimeoutNow) -> None:
        """The target of a transfer campaigns at once, skipping PreVote; its RequestVotes are
        marked so that voters' leader stickiness does not hold them back (thesis §3.10)."""
        if m.term != self.current_term or self.role is Role.LEADER or self.name not in self.voter_set:
            return
        self._note(f"campaigns at once (TimeoutNow from {m.src})")
        self.campaign(pre_vote=False, transfer=True)

    # ------------------------------------------------------------------ helpers

    def cluster_size(self) -> int:
        """Voting servers in the configuration in force (thesis §4)."""
        return len(self.voters)

    def quorum_size(self) -> int:
        """How many voters make a majority of the configuration in force (§5.2, thesis §4)."""
        return len(self.voters) // 2 + 1

    def quorum_value(self, of: Callable[[Progress], Any], own: Any, needed: int | None = None) -> Any:
        """The highest value a majority of the configuration in force has reached (etcd's
        ``MajorityConfig.CommittedIndex``), the one majority rule of a leader: the commit index
        (§5.3: ``of`` is matchIndex), the heartbeat round that confirms leadership for reads
        (thesis §6.4) and whether a majority answered recently (CheckQuorum, thesis §6.2).

        Each voter's value, ``of`` its :class:`Progress` and ``own`` for the leader itself —
        unless it is being removed, then it does not count itself (thesis §4.2.2); learners do
        not count (thesis §4.2.1). Sorted highest first, the ``needed``-th (a majority unless
        an unsafe switch says fewer) is reached by that many voters. None: too few voters."""
        me = self.name
        progress = self.progress
        values = [of(progress.get(p, _UNTRACKED)) for p in self.voters if p != me]
        if me in self.voter_set:
            values.append(own)
        values.sort(reverse=True)
        if needed is None:
            needed = self.quorum_size()
        return values[needed - 1] if len(values) >= needed else None

    def has_quorum(self, voters: set[str]) -> bool:
        """A majority of the configuration in force; votes of non-members do not count."""
        vs = self.voter_set
        return sum(1 for v in voters if v in vs) >= self.quorum_size()

    @property
    def next_index(self) -> dict[str, int]:
        """Figure 2's nextIndex[] for each follower, read from :attr:`progress` (a copy)."""
        return {p: pr.next_index for p, pr in self.progress.items()}

    @property
    def match_index(self) -> dict[str, int]:
        """Figure 2's matchIndex[] for each follower, read from :attr:`progress` (a copy)."""
        return {p: pr.match_index for p, pr in self.progress.items()}

    def persistent_state(self) -> PersistentState:
        return PersistentState(self.current_term, self.voted_for, self.log.copy(), self.snapshot)

    @property
    def state(self) -> dict[str, str]:
        return self.state_machine.data

    def _begin(self, now: float) -> Output:
        self.now = now
        self._out = Output()
        return self._out

    def _send(self, msg: Message) -> None:
        self._out.messages.append(msg)

    def _note(self, text: str) -> None:
        self._out.notes.append(f"{self.name} {text}")

    _handlers = {
        RequestVote: handle_request_vote,
        RequestVoteReply: handle_request_vote_reply,
        AppendEntries: handle_append_entries,
        AppendEntriesReply: handle_append_entries_reply,
        TimeoutNow: handle_timeout_now,
        InstallSnapshot: handle_install_snapshot,
        InstallSnapshotReply: handle_install_snapshot_reply,
    }

    def __repr__(self) -> str:
        return (f"RaftNode({self.name} {self.role} term={self.current_term} voted_for={self.voted_for} "
                f"commit={self.commit_index} applied={self.last_applied} log={self.log!r})")
