"""The replicated log: 1-based indexes, with room for a compacted prefix.

Index 0 is the empty position before the first entry, with term 0, so that
``prev_log_index = 0`` always matches (Figure 2). A snapshot replaces a prefix of the log by
``(snapshot_index, snapshot_term)``; every accessor below hides that offset, so the rest of
the node never does index arithmetic of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .immutable import immutable


@immutable
@dataclass(frozen=True, slots=True)
class Entry:
    """One log entry: the term of the leader that created it, and what to apply.

    ``command is None`` is the no-op a new leader appends (§5.4.2, §8) so that it can commit
    the entries of earlier terms.
    """

    term: int
    command: Any = None

    def __str__(self) -> str:
        return f"{self.term}:{'noop' if self.command is None else self.command}"


class Log:
    __slots__ = ("_entries", "snapshot_index", "snapshot_term", "last_index")

    def __init__(self, entries: list[Entry] | None = None, snapshot_index: int = 0, snapshot_term: int = 0):
        # Invariant: _entries[k] is the entry at index snapshot_index + 1 + k.
        self._entries: list[Entry] = list(entries or ())
        self.snapshot_index = snapshot_index
        self.snapshot_term = snapshot_term
        #: The index of the last entry (the snapshot's, if none follows): read on every
        #: message, so kept up to date by the methods that change the log instead of computed.
        self.last_index = snapshot_index + len(self._entries)

    @property
    def last_term(self) -> int:
        return self._entries[-1].term if self._entries else self.snapshot_term

    @property
    def first_index(self) -> int:
        """The first index still held as an entry (not compacted)."""
        return self.snapshot_index + 1

    def __len__(self) -> int:
        return self.last_index

    def has(self, index: int) -> bool:
        return self.snapshot_index < index <= self.last_index

    def entry(self, index: int) -> Entry:
        if not self.has(index):
            raise IndexError(f"log has no entry at index {index} (holds {self.first_index}..{self.last_index})")
        return self._entries[index - self.snapshot_index - 1]

    def term_at(self, index: int) -> int | None:
        """Term of the entry at ``index``; 0 at index 0; None where the log has nothing to say
        (beyond its end, or inside the compacted prefix)."""
        if index == self.snapshot_index:
            return self.snapshot_term
        if self.snapshot_index < index <= self.last_index:
            return self._entries[index - self.snapshot_index - 1].term
        if index == 0:
            return 0
        return None

    def slice(self, lo: int, hi: int) -> tuple[Entry, ...]:
        """Entries at indexes lo..hi-1 (lo must not be compacted)."""
        base = self.snapshot_index + 1
        return tuple(self._entries[lo - base:hi - base])

    def entries(self) -> list[Entry]:
        """The entries still held, starting at :attr:`first_index` (a copy)."""
        return list(self._entries)

    def append(self, entry: Entry) -> int:
        self._entries.append(entry)
        self.last_index += 1
        return self.last_index

    def truncate_from(self, index: int) -> None:
        """Delete the entry at ``index`` and all that follow it (Figure 2, AppendEntries step 3)."""
        if index <= self.snapshot_index:
            raise ValueError(f"cannot truncate at {index}: entries up to {self.snapshot_index} are in a snapshot")
        del self._entries[index - self.snapshot_index - 1:]
        self.last_index = self.snapshot_index + len(self._entries)

    def first_index_of_term(self, index: int) -> int:
        """The first index of the run of entries that share the term of the entry at ``index``."""
        term = self.term_at(index)
        i = index
        while i - 1 > self.snapshot_index and self._entries[i - 2 - self.snapshot_index].term == term:
            i -= 1
        return i

    def last_index_of_term(self, term: int) -> int:
        """The last index holding an entry of ``term``, or 0 if there is none."""
        for k in range(len(self._entries) - 1, -1, -1):
            t = self._entries[k].term
            if t == term:
                return self.snapshot_index + 1 + k
            if t < term:
                break
        if self.snapshot_term == term and self.snapshot_index:
            return self.snapshot_index
        return 0

    def compact(self, index: int) -> None:
        """Drop entries up to ``index`` (inclusive) into the snapshot prefix (thesis §5)."""
        if index <= self.snapshot_index:
            return
        term = self.term_at(index)
        if term is None:
            raise ValueError(f"cannot compact to {index}: beyond the last index {self.last_index}")
        del self._entries[:index - self.snapshot_index]
        self.snapshot_index, self.snapshot_term = index, term

    def reset_to_snapshot(self, index: int, term: int) -> None:
        """Discard the whole log in favour of a snapshot that covers ``index``."""
        self._entries = []
        self.snapshot_index, self.snapshot_term = index, term
        self.last_index = index

    def copy(self) -> "Log":
        return Log(self._entries, self.snapshot_index, self.snapshot_term)

    def __deepcopy__(self, memo) -> "Log":
        other = memo[id(self)] = self.copy()  # entries are immutable: a new list of them is a full copy
        return other

    def __repr__(self) -> str:
        return f"Log(snapshot={self.snapshot_index}/{self.snapshot_term}, [{', '.join(map(str, self._entries))}])"
