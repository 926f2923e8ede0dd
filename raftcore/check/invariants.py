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

The first violation stops the run with a structured :class:`Violation` — unless the cluster
was made with ``stop_on_violation=False`` (scenes that must show what happens *after* a rule
is broken, e.g. Figure 8's overwrite): then the run goes on and the checker records the first
violation of each invariant, in the order they happened (``violations``).

Each invariant has a display label (``Violation.invariant``, the paper's name) and a stable
snake_case key (``Violation.key``) that pages and tests refer to.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..immutable import immutable
from ..node import Role

ELECTION_SAFETY = "Election Safety"
LEADER_APPEND_ONLY = "Leader Append-Only"
LOG_MATCHING = "Log Matching"
LEADER_COMPLETENESS = "Leader Completeness"
STATE_MACHINE_SAFETY = "State Machine Safety"
TERM_MONOTONICITY = "Term monotonicity"
#: Not one of Figure 3's properties but checked the same way when a cluster watches its
#: clients' history (``Cluster(watch_linearizability=True)``, thesis §6).
LINEARIZABILITY = "Linearizability"

_LEADER = Role.LEADER  # looked up once: an enum member costs a slow class lookup on Python 3.11

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

#: Display label -> stable key (what scene blocks, the browser and tests use).
INVARIANT_KEYS: dict[str, str] = {
    ELECTION_SAFETY: "election_safety",
    LEADER_APPEND_ONLY: "leader_append_only",
    LOG_MATCHING: "log_matching",
    LEADER_COMPLETENESS: "leader_completeness",
    STATE_MACHINE_SAFETY: "state_machine_safety",
    TERM_MONOTONICITY: "term_monotonicity",
    LINEARIZABILITY: "linearizability",
}
#: Stable key -> display label.
INVARIANT_LABELS: dict[str, str] = {key: label for label, key in INVARIANT_KEYS.items()}
LINEARIZABILITY_RULE = ("every client operation appears to take effect at one instant between its "
                        "invocation and its response (thesis §6, Herlihy & Wing)")


def invariant_key(name: str) -> str:
    """The stable key of an invariant given by key or by label (any case); ValueError if unknown."""
    text = str(name).strip().strip('"')
    if text in INVARIANT_LABELS:
        return text
    for label, key in INVARIANT_KEYS.items():
        if label.lower() == text.lower():
            return key
    known = ", ".join(INVARIANT_LABELS)
    raise ValueError(f"unknown invariant {name!r}; invariants: {known}")


@immutable
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

    @property
    def key(self) -> str:
        """The invariant's stable snake_case key, e.g. ``"election_safety"``."""
        return INVARIANT_KEYS[self.invariant]

    def __str__(self) -> str:
        where = f" (index {self.index})" if self.index is not None else ""
        ev = f"; event: {self.event}" if self.event else ""
        return f"{self.invariant} violated at {self.time:.1f}ms{where}: {self.detail}{ev}"

    def to_dict(self) -> dict:
        return {"key": self.key, "invariant": self.invariant, "servers": list(self.servers), "detail": self.detail,
                "time": self.time, "index": self.index, "term": self.term, "event": self.event,
                "text": str(self)}


class InvariantChecker:
    """Watches one cluster. ``stop`` (the default) halts the run at the first violation;
    otherwise the checker keeps checking, recording the first violation of each invariant."""

    def __init__(self, cluster, stop: bool = True) -> None:
        self.cluster = cluster
        self.stop = stop
        #: The first violation of each invariant, in the order they happened.
        self.violations: list[Violation] = []
        #: True once a violation has stopped the run (never, when ``stop`` is False).
        self.halted = False
        # Invariant of this class: the containers below hold only immutable values (numbers,
        # names, digests, entries, tuples of them), so a shallow copy is a full copy (__deepcopy__).
        self.leader_of_term: dict[int, str] = {}
        self.last_term: dict[str, int] = {}
        self.leader_span: dict[str, tuple[int, int]] = {}  # name -> (term, last index) while leading
        self.seen: dict[tuple[int, int], tuple[object, int | None, str]] = {}  # (index, term) -> (entry, prev term, server)
        self.committed: dict[int, tuple[object, str]] = {}  # index -> (entry, first server seen committing it)
        self.commit_term: dict[int, int] = {}  # index -> the term in which it was first seen committed
        self.commit_seen: dict[str, int] = {}
        self.applied: dict[int, tuple[object, str | None, str]] = {}  # index -> (entry, state digest, server)
        self.checks = 0

    def __deepcopy__(self, memo) -> "InvariantChecker":
        """Time travel: every value the checker keeps is immutable (entries, digests, names,
        numbers, tuples of them, violations), so copying its containers copies its state."""
        other = object.__new__(type(self))
        for k, v in self.__dict__.items():
            if k == "cluster":
                v = memo.get(id(v), v)
            elif type(v) in (dict, list, set):
                v = v.copy()
            other.__dict__[k] = v
        memo[id(self)] = other
        return other

    @property
    def violation(self) -> Violation | None:
        """The first violation (None while every invariant holds)."""
        return self.violations[0] if self.violations else None

    def violated(self, invariant: str) -> Violation | None:
        """The first violation of one invariant, given by label or key."""
        key = invariant_key(invariant)
        return next((v for v in self.violations if v.key == key), None)

    def status(self) -> dict[str, bool]:
        """Per invariant (by label): True while it holds."""
        bad = {v.invariant for v in self.violations}
        return {name: name not in bad for name in INVARIANTS}

    def reset_server(self, name: str) -> None:
        """A restarted server re-learns its commit index from zero."""
        self.commit_seen[name] = 0
        self.leader_span.pop(name, None)

    def observe(self, node, out) -> None:
        """Check what one step of ``node`` (its output ``out``) changed. Each property is one
        section, run only when the step changed what it is about (most steps are heartbeats
        that change a term at most); the first violation ends the step's checks (and, with
        ``stop``, the run)."""
        if self.halted:
            return
        self.checks += 1
        name = node.name
        if self.last_term.get(name) != node.current_term:  # else the term is as last seen: nothing to check
            self._check_term(node, out)
        if out.became_leader and not self.halted:
            self._check_election(node, out)
        if node.role is _LEADER:
            span = self.leader_span.get(name)
            # A leader whose term and log end are as last seen, and that wrote no log: nothing to check.
            if (span is None or span[0] != node.current_term or span[1] != node.log.last_index
                    or out.persist_log_from is not None) and not self.halted:
                self._check_append_only(node, out)
        elif name in self.leader_span and not self.halted:
            self._check_append_only(node, out)
        if out.persist_log_from is not None and not self.halted:
            self._check_log_matching(node, out)
        if (out.commit_advanced or node.commit_index > self.commit_seen.get(name, 0)) and not self.halted:
            self._check_commitment(node, out)
        if (out.applied or out.installed is not None) and not self.halted:
            self._check_applied(node, out)

    def _check_term(self, node, out) -> None:
        """Term monotonicity (§5.1)."""
        name, term = node.name, node.current_term
        before = self.last_term.get(name, 0)
        self.last_term[name] = term
        if term < before:
            self._fail(TERM_MONOTONICITY, (name,), f"{name}'s term went from {before} back to {term}", term=term)

    def _check_election(self, node, out) -> None:
        """Election Safety and Leader Completeness, at the moment a leader is elected."""
        if not out.became_leader:
            return
        name, term, log = node.name, node.current_term, node.log
        self.leader_span.pop(name, None)
        other = self.leader_of_term.setdefault(term, name)
        if other != name:
            return self._fail(ELECTION_SAFETY, (other, name),
                              f"{other} and {name} were both elected leader of term {term}", term=term)
        for index in sorted(self.committed):
            entry, who = self.committed[index]
            if index <= log.snapshot_index or self.commit_term.get(index, 0) >= term:
                continue  # §5.4 speaks of leaders of higher-numbered terms than the commit's
            mine = log.entry(index) if log.has(index) else None
            if mine != entry:
                return self._fail(LEADER_COMPLETENESS, (name, who),
                                  f"{name} became leader of term {term} without the entry {entry} that "
                                  f"{who} committed at index {index} (it has {mine if mine is not None else 'nothing'})",
                                  index=index, term=term)

    def _check_append_only(self, node, out) -> None:
        """Leader Append-Only (§5.3): within one term of leadership, nothing below the end of
        the leader's log is ever rewritten."""
        name, term = node.name, node.current_term
        if node.role is not Role.LEADER:
            self.leader_span.pop(name, None)
            return
        span = self.leader_span.get(name)
        self.leader_span[name] = (term, node.log.last_index)
        if span is not None and span[0] == term and out.persist_log_from is not None \
                and out.persist_log_from <= span[1]:
            self._fail(LEADER_APPEND_ONLY, (name,),
                       f"leader {name} of term {term} rewrote its log from index {out.persist_log_from}",
                       index=out.persist_log_from, term=term)

    @staticmethod
    def _entry(log, applied: dict, index: int):
        """The entry at ``index`` as this step saw it: from the log, or — when the step
        applied it and then compacted it into a snapshot (thesis §5) — from what it applied."""
        entry = applied.get(index)
        if entry is None and log.has(index):
            entry = log.entry(index)
        return entry

    @staticmethod
    def _term_before(log, applied: dict, index: int) -> int | None:
        entry = applied.get(index - 1)
        return entry.term if entry is not None else log.term_at(index - 1)

    def _check_log_matching(self, node, out) -> None:
        """Log Matching (§5.3), inductively over every entry this step wrote — including
        entries written, applied and compacted into a snapshot in the same step."""
        if out.persist_log_from is None:
            return
        name, log, seen = node.name, node.log, self.seen
        applied = {index: entry for index, entry, _, _ in out.applied}
        start = max(out.persist_log_from, min(log.first_index, min(applied, default=log.first_index)))
        for index in range(start, log.last_index + 1):
            entry = self._entry(log, applied, index)
            if entry is None:
                continue  # compacted before this step: checked when it was written
            prev = self._term_before(log, applied, index)
            key = (index, entry.term)
            first = seen.get(key)
            if first is None:
                seen[key] = (entry, prev, name)
            elif first[0] != entry or (prev is not None and first[1] is not None and first[1] != prev):
                what = (f"{first[2]} has {first[0]} after term {first[1]}, {name} has {entry} after term {prev}")
                return self._fail(LOG_MATCHING, (first[2], name),
                                  f"two logs hold an entry of term {entry.term} at index {index} but differ: {what}",
                                  index=index, term=entry.term)

    def _check_commitment(self, node, out) -> None:
        """Two servers must never commit different entries at one index (§5.4.3). Entries
        committed, applied and compacted in one step are recorded from what was applied
        (else, with ``snapshot_threshold=1``, no commitment would ever be recorded and
        Leader Completeness would have nothing to compare)."""
        name, log = node.name, node.log
        if not (out.commit_advanced or node.commit_index > self.commit_seen.get(name, 0)):
            return
        applied = {index: entry for index, entry, _, _ in out.applied}
        start = max(self.commit_seen.get(name, 0) + 1, min(log.first_index, min(applied, default=log.first_index)))
        self.commit_seen[name] = node.commit_index
        for index in range(start, node.commit_index + 1):
            entry = self._entry(log, applied, index)
            if entry is None:
                continue  # inside a snapshot installed or loaded: its state is checked instead
            first = self.committed.get(index)
            if first is None:
                self.committed[index] = (entry, name)
                self.commit_term[index] = node.current_term
            elif first[0] != entry:
                return self._fail(STATE_MACHINE_SAFETY, (first[1], name),
                                  f"{first[1]} committed {first[0]} at index {index} but {name} committed {entry}",
                                  index=index)

    def _check_applied(self, node, out) -> None:
        """State Machine Safety (§5.4.3): the same entry, and the same resulting state, at
        every applied index — across compacted prefixes too (thesis §5): a state machine
        replaced by a snapshot (installed, or loaded at restart) must be the state recorded
        when the snapshot's last entry was applied."""
        name = node.name
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

    def observe_history(self, ops, server: str | None = None) -> None:
        """Linearizability of the clients' history (thesis §6), checked after a client got a
        reply from ``server``: only a *proven* violation counts (an exhausted search does not)."""
        if self.halted or any(v.invariant == LINEARIZABILITY for v in self.violations):
            return
        from .linearizability import check_history

        result = check_history(ops)
        if not result.ok:
            self._fail(LINEARIZABILITY, (server,) if server else (),
                       f"the clients' history is not linearizable: {result.counterexample}")

    def _fail(self, invariant: str, servers: tuple[str, ...], detail: str,
              index: int | None = None, term: int | None = None) -> None:
        """Record the first violation of ``invariant`` (later ones of the same invariant add
        nothing); with ``stop``, halt the run."""
        if self.halted or any(v.invariant == invariant for v in self.violations):
            return
        event = self.cluster.last_trace_line()
        v = Violation(invariant, tuple(servers), detail, self.cluster.now, index, term, event)
        self.violations.append(v)
        if self.stop:
            self.halted = True
        self.cluster.note(f"VIOLATION {v}")
