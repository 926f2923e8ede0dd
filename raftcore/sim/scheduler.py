"""A discrete-event scheduler: a heap ordered by (time, sequence number).

The sequence number breaks ties between events scheduled for the same instant in the order
they were scheduled, which is what makes a run a pure function of its seed.
"""

from __future__ import annotations

import heapq
from typing import Any

DELIVER, TIMER, CLIENT_REQUEST, CLIENT_REPLY, CLIENT_TIMEOUT, MEMBERSHIP = range(6)


class Scheduler:
    __slots__ = ("_heap", "_seq")

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, int, Any]] = []
        self._seq = 0

    def at(self, time: float, kind: int, payload: Any) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (time, self._seq, kind, payload))

    def peek_time(self) -> float | None:
        return self._heap[0][0] if self._heap else None

    def due(self, end: float) -> bool:
        """Is an event scheduled at or before ``end``? (Asked before every event of a run.)"""
        heap = self._heap
        return bool(heap) and heap[0][0] <= end

    def pop(self) -> tuple[float, int, int, Any]:
        return heapq.heappop(self._heap)

    def pop_due(self, end: float) -> tuple[float, int, int, Any] | None:
        """The next event if it is scheduled at or before ``end`` (removed from the
        schedule), else None: :meth:`due` and :meth:`pop` in one call, the simulator's loop."""
        heap = self._heap
        if heap and heap[0][0] <= end:
            return heapq.heappop(heap)
        return None

    @property
    def popped(self) -> int:
        """Events popped so far (every event scheduled is popped or still pending): how many
        the simulation has processed, what a run costs."""
        return self._seq - len(self._heap)

    def pending(self, kind: int) -> list[tuple[float, int, Any]]:
        """Events of one kind still to come, in the order they will happen."""
        return sorted((t, s, p) for t, s, k, p in self._heap if k == kind)

    def __len__(self) -> int:
        return len(self._heap)
