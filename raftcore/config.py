"""Configuration of a Raft node: timing, options, and the "unsafe" switches.

The unsafe switches exist for the site's "Defend it" sections: each removes exactly one
rule of the algorithm so that a reader (and a test) can watch the invariant checker catch
the consequence. They are all off by default, and the rule each one guards is written in
exactly one place in :mod:`raftcore.node`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

#: One line per switch: what rule it removes. Used for validation and UI labels.
UNSAFE_SWITCHES: dict[str, str] = {
    "multiple_votes_per_term": "grant a vote to every candidate that asks, not one per term (§5.2)",
    "skip_up_to_date_check": "grant votes without checking the candidate's log is up to date (§5.4.1)",
    "commit_old_term_by_counting": "commit entries of earlier terms by counting replicas (§5.4.2, Figure 8)",
    "skip_prev_log_check": "accept AppendEntries without the prevLogIndex/prevLogTerm check (§5.3)",
    "forget_voted_for_on_restart": "do not persist voted_for: a restarted server may vote twice (§5.2, Figure 2)",
    "commit_without_majority": "commit an entry once one server fewer than a majority holds it (§5.3)",
    "nondeterministic_state_machine": "the state machine reads the replica's own clock (§2, replicated state machines)",
    "ignore_higher_term": "leaders and candidates ignore messages that carry a higher term (§5.1)",
    "local_reads": "a leader answers reads from its own state at once, without ReadIndex or a lease (thesis §6.4)",
    "multi_server_membership_change": "start a configuration change before the previous one is committed, so "
                                      "the configuration can jump by two servers at once (thesis §4.1)",
    "lease_ignores_drift": "a leader's lease lasts a whole minimum election timeout of its own clock, as if "
                           "clocks did not drift (thesis §6.4)",
}

READ_MODES = ("log", "read_index", "lease")


@dataclass(slots=True)
class Unsafe:
    """Switches that each remove one safety rule. All off: the algorithm is Raft."""

    multiple_votes_per_term: bool = False
    skip_up_to_date_check: bool = False
    commit_old_term_by_counting: bool = False
    skip_prev_log_check: bool = False
    forget_voted_for_on_restart: bool = False
    commit_without_majority: bool = False
    nondeterministic_state_machine: bool = False
    ignore_higher_term: bool = False
    local_reads: bool = False
    multi_server_membership_change: bool = False
    lease_ignores_drift: bool = False

    def enabled(self) -> list[str]:
        return [f.name for f in fields(self) if getattr(self, f.name)]

    def set(self, name: str, on: bool) -> None:
        if name not in UNSAFE_SWITCHES:
            known = ", ".join(sorted(UNSAFE_SWITCHES))
            raise ValueError(f"unknown unsafe switch {name!r}; known switches: {known}")
        setattr(self, name, bool(on))


@dataclass(slots=True)
class RaftConfig:
    """Timing in simulated milliseconds; the defaults are the paper's recommended setting (§9.3)."""

    election_timeout_min: float = 150.0
    election_timeout_max: float = 300.0
    heartbeat_interval: float = 50.0
    #: Conflict-term hint in AppendEntries replies (§5.3, "optimization"); False backs up one entry per round trip.
    fast_backtrack: bool = True
    max_entries_per_append: int = 64
    #: PreVote (thesis §9.6): a server first asks whether it could win before raising its term.
    pre_vote: bool = True
    #: CheckQuorum (thesis §6.2): a leader that has not heard from a majority within an
    #: election timeout steps down. It also turns on leader stickiness (thesis §4.2.3, etcd's
    #: ``inLease``): a server that heard from a leader within the minimum election timeout
    #: ignores RequestVote/PreVote requests of higher terms.
    check_quorum: bool = True
    #: How ``Cluster.read`` is served (thesis §6.4): through the log, by ReadIndex (a
    #: heartbeat round confirms leadership), or by a leader lease (needs check_quorum).
    read_mode: str = "read_index"
    #: Log compaction (thesis §5): snapshot once this many entries were applied since the
    #: last snapshot (0: never), keeping ``snapshot_trailing`` entries after the snapshot point.
    snapshot_threshold: int = 0
    snapshot_trailing: int = 0
    #: The bound ε on every server's clock drift: a clock's rate is within 1 ± ε of real time
    #: (thesis §6.4: a lease "assumes a bound on clock drift"). Leases are shortened to
    #: ``lease_duration()`` so that they end before any follower's stickiness can.
    clock_drift: float = 0.0
    unsafe: Unsafe = field(default_factory=Unsafe)

    def lease_duration(self) -> float:
        """How long, on the leader's clock, a lease lasts from the start of a heartbeat round
        a majority acknowledged (thesis §6.4). A follower's stickiness lasts
        ``election_timeout_min`` on its own clock — at least ``min / (1 + ε)`` real ms — and
        ``d`` ms of the leader's clock are at most ``d / (1 - ε)`` real ms, so the lease is
        ``min · (1 - ε) / (1 + ε)``. The unsafe switch ``lease_ignores_drift`` takes no margin."""
        if self.unsafe.lease_ignores_drift:
            return self.election_timeout_min
        e = self.clock_drift
        return self.election_timeout_min * (1 - e) / (1 + e)

    def validate(self) -> None:
        """Reject settings no Raft cluster can run with; names the offending field."""
        if self.election_timeout_min <= 0:
            raise ValueError(f"election_timeout_min must be positive, got {self.election_timeout_min}")
        if self.election_timeout_max < self.election_timeout_min:
            raise ValueError(
                f"election_timeout_max ({self.election_timeout_max}) is below election_timeout_min "
                f"({self.election_timeout_min})"
            )
        if self.heartbeat_interval <= 0:
            raise ValueError(f"heartbeat_interval must be positive, got {self.heartbeat_interval}")
        if self.heartbeat_interval >= self.election_timeout_min:
            raise ValueError(
                f"heartbeat_interval ({self.heartbeat_interval}) must be below election_timeout_min "
                f"({self.election_timeout_min}), or followers time out under a healthy leader"
            )
        if self.max_entries_per_append < 1:
            raise ValueError(f"max_entries_per_append must be at least 1, got {self.max_entries_per_append}")
        if self.read_mode not in READ_MODES:
            raise ValueError(f"read_mode must be one of {', '.join(READ_MODES)}, got {self.read_mode!r}")
        if self.read_mode == "lease" and not self.check_quorum:
            raise ValueError("read_mode 'lease' requires check_quorum: without it a deposed leader may "
                             "not know it and would serve stale reads (thesis §6.4)")
        if not 0.0 <= self.clock_drift < 0.5:
            raise ValueError(f"clock_drift is a bound on a clock's rate error, from 0 up to (not including) 0.5, "
                             f"got {self.clock_drift}")
        for name in ("snapshot_threshold", "snapshot_trailing"):
            v = getattr(self, name)
            if not isinstance(v, int) or v < 0:
                raise ValueError(f"{name} must be a non-negative integer, got {v!r}")
