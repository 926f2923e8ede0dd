"""Simulated stable storage: the only thing that survives a crash.

The node reports what changed (``Output.persist_state``, ``Output.persist_log_from``); the
driver writes it here *before* sending the messages of the same output, as Figure 2 requires
("updated on stable storage before responding to RPCs").
"""

from __future__ import annotations

from ..log import Log
from ..node import Output, PersistentState, RaftNode


class Disk:
    __slots__ = ("current_term", "voted_for", "log", "snapshot", "writes")

    def __init__(self) -> None:
        self.current_term = 0
        self.voted_for: str | None = None
        self.log = Log()
        self.snapshot = None  # the latest snapshot (thesis §5); its state is never mutated
        self.writes = 0

    def write(self, node: RaftNode, out: Output) -> bool:
        """Persist what ``out`` says changed; True if anything was written."""
        wrote = False
        if out.persist_state:
            self.current_term, self.voted_for = node.current_term, node.voted_for
            wrote = True
        if out.persist_snapshot:
            # The snapshot first, then drop the log prefix it covers (thesis §5.1).
            self.snapshot = node.snapshot
            src = node.log
            if src.snapshot_index > self.log.snapshot_index:
                if self.log.term_at(src.snapshot_index) == src.snapshot_term and self.log.has(src.snapshot_index):
                    self.log.compact(src.snapshot_index)
                else:
                    self.log = src.copy()
            wrote = True
        if out.persist_log_from is not None:
            start = out.persist_log_from
            src = node.log
            if src.snapshot_index != self.log.snapshot_index or start <= self.log.snapshot_index:
                self.log = src.copy()
            else:
                if start <= self.log.last_index:
                    self.log.truncate_from(start)
                for entry in src.slice(start, src.last_index + 1):
                    self.log.append(entry)
            wrote = True
        if wrote:
            self.writes += 1
        return wrote

    def read(self, forget_voted_for: bool = False) -> PersistentState:
        """What a restarting server finds. ``forget_voted_for`` models the unsafe switch of a
        server that never made its vote durable."""
        return PersistentState(self.current_term, None if forget_voted_for else self.voted_for, self.log.copy(),
                               self.snapshot)
