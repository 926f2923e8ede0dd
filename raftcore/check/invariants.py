"""The invariant checker: Figure 3's five safety properties, checked after every step.

The checker watches a running :class:`~raftcore.sim.Cluster` from outside: after each node
step the cluster hands it the node and the node's :class:`~raftcore.node.Output`. Every check
is incremental, so it can stay on in tests and in the browser:

* Election Safety — at most one leader per term, over the whole history (§5.2).
* Leader Append-Only — a leader never overwrites or deletes entries in its log (§5.3).
* Log Matching — checked inductively: every (index, term) pair ever seen must carry the same
  entry *and* sit after the same term at index-1 in every log; by induction on the index the
  whole prefixes are then identical (§5.3).
* Leader Completeness — a newly elected leader holds every entry committed so far (§5.4).
* State Machine Safety — no two servers apply different entries at one index, and the state
  after applying index i is the same everywhere, across crashes too (§5.4.3).
* Term monotonicity — a server's current_term never decreases, restarts included (§5.1).

The first violation stops the run with a structured :class:`Violation`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..node import Role

ELECTION_SAFETY = "Election Safety"
LEADER_APPEND_ONLY = "Leader Append-Only"
LOG_MATCHING = "Log Matching"
LEADER_COMPLETENESS = "Leader Completeness"
STATE_MACHINE_SAFETY = "State Machine Safety"
TERM_MONOTONICITY = "Term monotonicity"

INVARIANTS: dict[str, str] = {
    ELECTION_SAFETY: "at most one leader can be elected in a given term (§5.2)",
    LEADER_APPEND_ONLY: "a leader never overwrites or deletes entries in its log; it only appends (§5.3)",
    LOG_MATCHING: "if two logs contain an entry with the same index and term, the logs are identical "
                  "in all entries up through that index (§5.3)",
    LEADER_COMPLETENESS: "if an entry is committed in a term, it is present in the logs of the leaders "
                         "of all higher terms (§5.4)",
    STATE_MACHINE_SAFETY: "if a server has applied an entry at an index, no other server ever applies a "
                          "different entry, or reaches a different state, at that index (§5.4.3)",
    TERM_MONOTONICITY: "a server's current term never decreases, not even across a restart (§5.1)",
}


@dataclass(frozen=True, slots=True)
class Violation:
    """Which invariant broke, where, and at which event."""

    invariant: str
    servers: tuple[str, ...]
    detail: str
    time: float
    index: int | None = None
    term: int | None = None
    event: str | None = None

    def __str__(self) -> str:
        where = f" (index {self.index})" if self.index is not None else ""
        ev = f"; event: {self.event}" if self.event else ""
        return f"{self.invariant} violated at {self.time:.1f}ms{where}: {self.detail}{ev}"

    def to_dict(self) -> dict:
        return {"invariant": self.invariant, "servers": list(self.servers), "detail": self.detail,
                "time": self.time, "index": self.index, "term": self.term, "event": self.event,
                "text": str(self)}


class InvariantChecker:
    def __init__(self, cluster) -> None:
        self.cluster = cluster
        self.violation: Violation | None = None
        self.leader_of_term: dict[int, str] = {}
        self.last_term: dict[str, int] = {}
        self.leader_span: dict[str, tuple[int, int]] = {}  # name -> (term, last index) while leading
        self.seen: dict[tuple[int, int], tuple[object, int | None, str]] = {}  # (index, term) -> (entry, prev term, server)
        self.committed: dict[int, tuple[object, str]] = {}  # index -> (entry, first server seen committing it)
        self.commit_seen: dict[str, int] = {}
        self.applied: dict[int, tuple[object, str | None, str]] = {}  # index -> (entry, state digest, server)
        self.checks = 0

    def status(self) -> dict[str, bool]:
        """Per invariant: True while it holds."""
        bad = self.violation.invariant if self.violation else None
        return {name: name != bad for name in INVARIANTS}

    def reset_server(self, name: str) -> None:
        """A restarted server re-learns its commit index from zero."""
        self.commit_seen[name] = 0
        self.leader_span.pop(name, None)

    def observe(self, node, out) -> None:
        if self.violation is not None:
            return
        self.checks += 1
        name = node.name
        term = node.current_term
        # Term monotonicity
        before = self.last_term.get(name, 0)
        if term < before:
            return self._fail(TERM_MONOTONICITY, (name,), f"{name}'s term went from {before} back to {term}", term=term)
        self.last_term[name] = term
        log = node.log
        # Election Safety and Leader Completeness, at the moment a leader is elected.
        if out.became_leader:
            other = self.leader_of_term.setdefault(term, name)
            if other != name:
                return self._fail(ELECTION_SAFETY, (other, name),
                                  f"{other} and {name} were both elected leader of term {term}", term=term)
            for index in sorted(self.committed):
                entry, who = self.committed[index]
                if index <= log.snapshot_index:
                    continue
                mine = log.entry(index) if log.has(index) else None
                if mine != entry:
                    return self._fail(LEADER_COMPLETENESS, (name, who),
                                      f"{name} became leader of term {term} without the entry {entry} that "
                                      f"{who} committed at index {index} (it has {mine if mine is not None else 'nothing'})",
                                      index=index, term=term)
            self.leader_span.pop(name, None)
        # Leader Append-Only
        if node.role is Role.LEADER:
            span = self.leader_span.get(name)
            if span is not None and span[0] == term and out.persist_log_from is not None \
                    and out.persist_log_from <= span[1]:
                return self._fail(LEADER_APPEND_ONLY, (name,),
                                  f"leader {name} of term {term} rewrote its log from index {out.persist_log_from}",
                                  index=out.persist_log_from, term=term)
            self.leader_span[name] = (term, log.last_index)
        else:
            self.leader_span.pop(name, None)
        # Log Matching, inductively over every entry this step wrote.
        if out.persist_log_from is not None:
            seen = self.seen
            for index in range(max(out.persist_log_from, log.first_index), log.last_index + 1):
                entry = log.entry(index)
                prev = log.term_at(index - 1)
                key = (index, entry.term)
                first = seen.get(key)
                if first is None:
                    seen[key] = (entry, prev, name)
                elif first[0] != entry or (prev is not None and first[1] is not None and first[1] != prev):
                    what = (f"{first[2]} has {first[0]} after term {first[1]}, {name} has {entry} after term {prev}")
                    return self._fail(LOG_MATCHING, (first[2], name),
                                      f"two logs hold an entry of term {entry.term} at index {index} but differ: {what}",
                                      index=index, term=entry.term)
        # Commitment: two servers must never commit different entries at one index.
        if out.commit_advanced or node.commit_index > self.commit_seen.get(name, 0):
            start = max(self.commit_seen.get(name, 0) + 1, log.first_index)
            for index in range(start, node.commit_index + 1):
                entry = log.entry(index)
                first = self.committed.get(index)
                if first is None:
                    self.committed[index] = (entry, name)
                elif first[0] != entry:
                    return self._fail(STATE_MACHINE_SAFETY, (first[1], name),
                                      f"{first[1]} committed {first[0]} at index {index} but {name} committed {entry}",
                                      index=index)
            self.commit_seen[name] = node.commit_index
        # State Machine Safety across compacted prefixes (thesis §5): a state machine replaced
        # by a snapshot (installed, or loaded at restart) must be the state recorded when the
        # snapshot's last entry was applied.
        if out.installed is not None:
            index, digest = out.installed
            first = self.applied.get(index)
            if first is not None and first[1] is not None and digest and digest != first[1]:
                return self._fail(STATE_MACHINE_SAFETY, (first[2], name),
                                  f"{name} loaded a snapshot of index {index} whose state differs from the state "
                                  f"{first[2]} reached applying that index ({digest.split('|')[0]} vs "
                                  f"{first[1].split('|')[0]})", index=index)
            if first is None:
                self.applied[index] = (None, digest, name)
        # State Machine Safety: same entry and same resulting state at every applied index.
        for index, entry, _result, digest in out.applied:
            first = self.applied.get(index)
            if first is None:
                self.applied[index] = (entry, digest, name)
            elif first[0] is None:  # known so far only from a snapshot: compare the states
                if digest is not None and first[1] is not None and digest != first[1]:
                    return self._fail(STATE_MACHINE_SAFETY, (first[2], name),
                                      f"{name} reached a state at index {index} that differs from {first[2]}'s "
                                      f"snapshot of that index", index=index)
                self.applied[index] = (entry, first[1] if first[1] is not None else digest, first[2])
            elif first[0] != entry:
                return self._fail(STATE_MACHINE_SAFETY, (first[2], name),
                                  f"{first[2]} applied {first[0]} at index {index} but {name} applied {entry}",
                                  index=index)
            elif digest is not None and first[1] is not None and digest != first[1]:
                return self._fail(STATE_MACHINE_SAFETY, (first[2], name),
                                  f"{first[2]} and {name} applied the same {entry} at index {index} but reached "
                                  f"different states ({first[1].split('|')[0]} vs {digest.split('|')[0]}): "
                                  f"the state machine is not deterministic", index=index)

    def _fail(self, invariant: str, servers: tuple[str, ...], detail: str,
              index: int | None = None, term: int | None = None) -> None:
        trace = self.cluster._trace
        event = trace[-1] if trace else None
        self.violation = Violation(invariant, tuple(servers), detail, self.cluster.now, index, term, event)
        self.cluster._event(f"VIOLATION {self.violation}")
