"""The RPCs of Figure 2, as immutable values.

Every message carries ``src`` and ``dst`` (the simulator routes on them) and ``term`` (the
"All Servers" rule reads it before anything else). ``__str__`` is a stable one-line form used
in traces and scenario files, so it must never depend on dict order or object identity.
"""

from __future__ import annotations

from dataclasses import dataclass

from .immutable import immutable
from .log import Entry


@immutable
@dataclass(frozen=True, slots=True)
class RequestVote:
    """Invoked by candidates to gather votes (§5.2)."""

    src: str
    dst: str
    term: int
    candidate_id: str
    last_log_index: int
    last_log_term: int
    #: PreVote (thesis §9.6): a trial election at ``term`` (the prospective term, one above
    #: the sender's); it changes no receiver's term or vote.
    pre_vote: bool = False
    #: Leadership transfer (thesis §3.10): sent after TimeoutNow, it bypasses leader stickiness.
    transfer: bool = False

    def __str__(self) -> str:
        kind = "PreVote" if self.pre_vote else "RequestVote"
        extra = " transfer" if self.transfer else ""
        return (f"{self.src}->{self.dst} {kind} term={self.term} "
                f"last={self.last_log_index}/{self.last_log_term}{extra}")


@immutable
@dataclass(frozen=True, slots=True)
class RequestVoteReply:
    src: str
    dst: str
    term: int
    vote_granted: bool
    #: A reply to a PreVote; a granted one carries the prospective term it grants.
    pre_vote: bool = False

    def __str__(self) -> str:
        kind = "PreVoteReply" if self.pre_vote else "RequestVoteReply"
        return f"{self.src}->{self.dst} {kind} term={self.term} granted={int(self.vote_granted)}"


@immutable
@dataclass(frozen=True, slots=True)
class AppendEntries:
    """Invoked by the leader to replicate entries (§5.3); also the heartbeat (§5.2)."""

    src: str
    dst: str
    term: int
    leader_id: str
    prev_log_index: int
    prev_log_term: int
    entries: tuple[Entry, ...]
    leader_commit: int
    #: The leader's heartbeat round when it sent this (echoed in the reply): a reply proves
    #: the follower still accepted this leader at a time after the round began (ReadIndex,
    #: lease reads, thesis §6.4). Not part of the one-line form.
    round: int = 0

    def __str__(self) -> str:
        ents = ",".join(str(e) for e in self.entries)
        return (f"{self.src}->{self.dst} AppendEntries term={self.term} prev={self.prev_log_index}/"
                f"{self.prev_log_term} commit={self.leader_commit} [{ents}]")


@immutable
@dataclass(frozen=True, slots=True)
class AppendEntriesReply:
    """Figure 2's (term, success), plus what lets the leader act on a reply that arrives
    late, twice, or out of order: the index the reply is about.

    On success ``match_index`` is the last index the follower now holds from this request.
    On failure ``reject_index`` is the request's prev_log_index and, with fast backtracking,
    ``conflict_term``/``conflict_index`` tell the leader where the follower's log diverges
    (§5.3's optimization, as in the thesis and etcd).
    """

    src: str
    dst: str
    term: int
    success: bool
    match_index: int = 0
    reject_index: int = 0
    conflict_term: int | None = None
    conflict_index: int = 0
    round: int = 0

    def __str__(self) -> str:
        if self.success:
            return f"{self.src}->{self.dst} AppendEntriesReply term={self.term} ok match={self.match_index}"
        hint = f" hint={self.conflict_index}/{self.conflict_term}" if self.conflict_index else ""
        return f"{self.src}->{self.dst} AppendEntriesReply term={self.term} reject={self.reject_index}{hint}"


@immutable
@dataclass(frozen=True, slots=True)
class TimeoutNow:
    """Leadership transfer (thesis §3.10): the leader tells an up-to-date follower to start
    an election at once, without waiting for its timer (and without PreVote)."""

    src: str
    dst: str
    term: int

    def __str__(self) -> str:
        return f"{self.src}->{self.dst} TimeoutNow term={self.term}"


@immutable
@dataclass(frozen=True, slots=True)
class InstallSnapshot:
    """Invoked by the leader to send a follower a snapshot of its state machine (thesis §5.3)
    when the entries the follower needs are already compacted. One message carries the whole
    snapshot (the thesis chunks it; the simulator has no packet size to respect)."""

    src: str
    dst: str
    term: int
    leader_id: str
    last_included_index: int
    last_included_term: int
    data: object          # a KVStore copy (data and client sessions)
    config: tuple = ()    # the configuration (voters) as of last_included_index
    digest: str = ""

    def __str__(self) -> str:
        return (f"{self.src}->{self.dst} InstallSnapshot term={self.term} "
                f"last={self.last_included_index}/{self.last_included_term}")


@immutable
@dataclass(frozen=True, slots=True)
class InstallSnapshotReply:
    src: str
    dst: str
    term: int
    match_index: int = 0

    def __str__(self) -> str:
        return f"{self.src}->{self.dst} InstallSnapshotReply term={self.term} match={self.match_index}"


Message = (RequestVote | RequestVoteReply | AppendEntries | AppendEntriesReply | TimeoutNow | InstallSnapshot
           | InstallSnapshotReply)
