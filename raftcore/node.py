"""A Raft server as a pure state machine (sans-I/O), following Figure 2 of the Raft paper.

Nothing here reads a clock, draws from the global random generator, sleeps, or does I/O:
time comes in as the ``now`` argument, randomness from the ``random.Random`` the caller
injects, and everything the server wants done comes back as an :class:`Output` — messages to
send, state to persist *before* sending them, and committed entries it applied. The simulator
in :mod:`raftcore.sim` is one driver of this class; a real network server would be another.

Structure, as in etcd's ``raft.go``: :meth:`RaftNode.step` applies the "All Servers" term
rule once, then dispatches on the message type to one handler per RPC and role.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from .config import RaftConfig
from .kv import KVStore
from .log import Entry, Log
from .messages import AppendEntries, AppendEntriesReply, Message, RequestVote, RequestVoteReply


class Role(Enum):
    FOLLOWER = "follower"
    CANDIDATE = "candidate"
    LEADER = "leader"

    def __str__(self) -> str:
        return self.value


@dataclass(slots=True)
class Output:
    """What one call into the node asks its driver to do, in this order:
    persist (``persist_state`` / ``persist_log_from``), then send ``messages``.
    ``applied`` lists ``(index, entry, result, state_digest)`` for entries applied to the
    state machine; ``notes`` are human-readable lines for traces and event logs."""

    messages: list[Message] = field(default_factory=list)
    persist_state: bool = False
    persist_log_from: int | None = None
    applied: list[tuple[int, Entry, Any, str | None]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    became_leader: bool = False
    commit_advanced: bool = False
    proposed_index: int | None = None

    def log_changed(self, index: int) -> None:
        if self.persist_log_from is None or index < self.persist_log_from:
            self.persist_log_from = index


@dataclass(slots=True)
class PersistentState:
    """What survives a crash (Figure 2, "Persistent state on all servers")."""

    current_term: int = 0
    voted_for: str | None = None
    log: Log = field(default_factory=Log)


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
    ):
        self.name = name
        self.peers = sorted(p for p in peers if p != name)  # sorted: deterministic fan-out order
        self.config = config
        self.rng = rng
        p = persisted or PersistentState()
        # Persistent state on all servers (updated on stable storage before responding to RPCs)
        self.current_term: int = p.current_term
        self.voted_for: str | None = p.voted_for
        self.log: Log = p.log.copy()
        # Volatile state on all servers
        self.commit_index = self.log.snapshot_index
        self.last_applied = self.log.snapshot_index
        self.role = Role.FOLLOWER
        self.leader_id: str | None = None
        self.state_machine = state_machine or KVStore(config.unsafe.nondeterministic_state_machine)
        # Volatile state on leaders (reinitialized after election)
        self.next_index: dict[str, int] = {}
        self.match_index: dict[str, int] = {}
        # Candidates: who granted a vote in current_term
        self.votes: set[str] = set()
        # Timers, in the driver's milliseconds
        self.now = 0.0
        self.election_timeout = 0.0
        self.election_deadline = float("inf")
        self.heartbeat_deadline = float("inf")
        self.track_digests = False
        self._out = Output()

    # ------------------------------------------------------------------ inputs

    def start(self, now: float) -> Output:
        """Boot (or reboot) as a follower with a fresh randomized election timer."""
        out = self._begin(now)
        self.reset_election_timer()
        return out

    def tick(self, now: float) -> Output:
        """Timer input: fire whichever deadlines have passed."""
        out = self._begin(now)
        if self.role is Role.LEADER:
            if now >= self.heartbeat_deadline:
                self.broadcast_append_entries()
        elif now >= self.election_deadline:
            self.on_election_timeout()
        return out

    def step(self, msg: Message, now: float) -> Output:
        """Message input. The term rule of "All Servers" runs once here, for every RPC."""
        out = self._begin(now)
        if msg.term > self.current_term:
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
        if self.role is Role.LEADER:
            out.proposed_index = self.append_to_own_log(command)
            self.broadcast_append_entries()
        return out

    @property
    def next_wakeup(self) -> float:
        """The earliest time at which :meth:`tick` has something to do."""
        return self.heartbeat_deadline if self.role is Role.LEADER else self.election_deadline

    # ------------------------------------------------------------------ roles

    def become_follower(self, term: int, leader_id: str | None, reset_timer: bool = True) -> None:
        if term > self.current_term:
            self.current_term = term
            self.voted_for = None
            self._out.persist_state = True
        if self.role is not Role.FOLLOWER:
            self._note(f"becomes follower term {term}")
        self.role = Role.FOLLOWER
        self.leader_id = leader_id
        self.votes = set()
        self.heartbeat_deadline = float("inf")
        if reset_timer:
            self.reset_election_timer()

    def become_candidate(self) -> None:
        """On conversion to candidate, start election (§5.2): increment currentTerm, vote for
        self, reset election timer, send RequestVote RPCs to all other servers."""
        self.role = Role.CANDIDATE
        self.current_term += 1
        self.voted_for = self.name
        self.leader_id = None
        self._out.persist_state = True
        self.votes = {self.name}
        self.reset_election_timer()
        self._note(f"becomes candidate term {self.current_term}")
        if self.has_quorum(self.votes):
            self.become_leader()
            return
        last_index, last_term = self.log.last_index, self.log.last_term
        for peer in self.peers:
            self._send(RequestVote(self.name, peer, self.current_term, self.name, last_index, last_term))

    def become_leader(self) -> None:
        """Upon election: reinitialize next_index/match_index, append a no-op of the new term
        (§8: it lets the leader commit earlier entries), and announce itself at once."""
        self.role = Role.LEADER
        self.leader_id = self.name
        self.votes = set()
        self.election_deadline = float("inf")
        self.next_index = {p: self.log.last_index + 1 for p in self.peers}
        self.match_index = {p: 0 for p in self.peers}
        self._out.became_leader = True
        self._note(f"becomes leader term {self.current_term}")
        self.append_to_own_log(None)
        self.broadcast_append_entries()

    # ------------------------------------------------------------------ timers

    def reset_election_timer(self) -> None:
        """Randomized election timeouts (§5.2) keep split votes rare: each reset draws anew."""
        c = self.config
        self.election_timeout = self.rng.uniform(c.election_timeout_min, c.election_timeout_max)
        self.election_deadline = self.now + self.election_timeout

    def on_election_timeout(self) -> None:
        """If election timeout elapses without receiving AppendEntries RPC from current leader
        or granting vote to candidate: convert to candidate (§5.2).

        This is where FLP bites: a silent leader may be crashed or merely slow, and no timeout
        can tell which. Raft stays safe either way (terms fence the old leader off) and gives
        up only liveness when timeouts fire too eagerly."""
        self.become_candidate()

    # ------------------------------------------------------------------ RequestVote

    def handle_request_vote(self, m: RequestVote) -> None:
        """RequestVote receiver (Figure 2): 1. reply false if term < currentTerm;
        2. if votedFor is null or candidateId, and the candidate's log is at least as
        up-to-date as the receiver's log, grant the vote."""
        granted = False
        if m.term == self.current_term:
            unsafe = self.config.unsafe
            free_to_vote = self.voted_for in (None, m.candidate_id) or unsafe.multiple_votes_per_term
            up_to_date = unsafe.skip_up_to_date_check or self.candidate_log_is_up_to_date(
                m.last_log_term, m.last_log_index)
            if free_to_vote and up_to_date:
                granted = True
                self.voted_for = m.candidate_id
                self._out.persist_state = True
                self.reset_election_timer()  # granting a vote resets the timer (Figure 2, Followers)
        self._send(RequestVoteReply(self.name, m.src, self.current_term, granted))

    def candidate_log_is_up_to_date(self, last_log_term: int, last_log_index: int) -> bool:
        """§5.4.1: compare the terms of the last entries; if they are equal, the longer log
        is more up-to-date."""
        if last_log_term != self.log.last_term:
            return last_log_term > self.log.last_term
        return last_log_index >= self.log.last_index

    def handle_request_vote_reply(self, m: RequestVoteReply) -> None:
        """If votes received from a majority of servers: become leader (§5.2)."""
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
            self.log.append(entry)
            self._out.log_changed(index)
        last_new = m.prev_log_index + len(m.entries)
        # 5. If leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of last new entry)
        if m.leader_commit > self.commit_index:
            new_commit = min(m.leader_commit, last_new)
            if new_commit > self.commit_index:  # a late, shorter AppendEntries must not move it back
                self.commit_index = new_commit
                self._out.commit_advanced = True
                self.apply_committed()
        self._send(AppendEntriesReply(self.name, m.src, self.current_term, True, match_index=last_new))

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
                                  conflict_term=conflict_term, conflict_index=conflict_index)

    def handle_append_entries_reply(self, m: AppendEntriesReply) -> None:
        """Leaders: on success update nextIndex and matchIndex for the follower (§5.3);
        if AppendEntries fails because of log inconsistency: decrement nextIndex and retry."""
        if self.role is not Role.LEADER or m.term != self.current_term:
            return
        peer = m.src
        if m.success:
            if m.match_index > self.match_index[peer]:
                self.match_index[peer] = m.match_index
                self.advance_commit_index()
            if m.match_index + 1 > self.next_index[peer]:
                self.next_index[peer] = m.match_index + 1
            if self.next_index[peer] <= self.log.last_index:
                self.send_append_entries(peer)  # more to send: keep the follower streaming
            return
        if m.reject_index != self.next_index[peer] - 1:
            return  # a reply to an older probe: nextIndex has moved since
        self.next_index[peer] = max(self.match_index[peer] + 1, min(self.backed_up_next_index(m), m.reject_index))
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
        matched = sorted([self.log.last_index, *self.match_index.values()], reverse=True)
        needed = self.quorum_size() - 1 if unsafe.commit_without_majority else self.quorum_size()
        n = matched[max(needed, 1) - 1]  # the highest index held by `needed` servers
        if n <= self.commit_index:
            return
        if self.log.term_at(n) != self.current_term and not unsafe.commit_old_term_by_counting:
            return
        self.commit_index = n
        self._out.commit_advanced = True
        self.apply_committed()

    def broadcast_append_entries(self) -> None:
        self.heartbeat_deadline = self.now + self.config.heartbeat_interval
        for peer in self.peers:
            self.send_append_entries(peer)

    def send_append_entries(self, peer: str) -> None:
        """Send the follower the entries from its nextIndex on (none: a heartbeat)."""
        prev = self.next_index[peer] - 1
        hi = min(self.log.last_index, prev + self.config.max_entries_per_append) + 1
        self._send(AppendEntries(self.name, peer, self.current_term, self.name, prev, self.log.term_at(prev),
                                 self.log.slice(prev + 1, hi), self.commit_index))

    def append_to_own_log(self, command: Any) -> int:
        index = self.log.append(Entry(self.current_term, command))
        self._out.log_changed(index)
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
            if entry.command is not None:
                result = self.state_machine.apply(entry.command, self.now)
            digest = self.state_machine.digest() if self.track_digests else None
            self._out.applied.append((self.last_applied, entry, result, digest))

    # ------------------------------------------------------------------ helpers

    def cluster_size(self) -> int:
        return len(self.peers) + 1

    def quorum_size(self) -> int:
        return self.cluster_size() // 2 + 1

    def has_quorum(self, voters: set[str]) -> bool:
        return len(voters) >= self.quorum_size()

    def persistent_state(self) -> PersistentState:
        return PersistentState(self.current_term, self.voted_for, self.log.copy())

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
    }

    def __repr__(self) -> str:
        return (f"RaftNode({self.name} {self.role} term={self.current_term} voted_for={self.voted_for} "
                f"commit={self.commit_index} applied={self.last_applied} log={self.log!r})")
