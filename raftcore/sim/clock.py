"""Clocks that drift, and processes that pause: the time model of the lab's servers.

The simulator's time (``Cluster.now``) is real time. A real server reads a hardware clock
whose rate differs from real time by a bounded drift (thesis §6.4: a lease "assumes a bound
on clock drift"), and a real process can stop taking steps for a while — a garbage-collection
or virtual-machine pause — while its clock runs on (Jepsen's "process pause" nemesis).

:class:`ClockedNode` is a :class:`~raftcore.node.RaftNode` that sees the world through such
a clock: every input's ``now`` is translated from real time to the server's local time, and
its next wake-up back to real time for the scheduler. The Raft code itself is unchanged and
stays sans-I/O: it only ever sees the times its driver hands it. While paused, the server
buffers the messages delivered to it (they wait in its socket), answers nothing, and fires no
timer; :meth:`ClockedNode.resume` hands the buffered messages back to the driver, which
delivers them again in order (``Cluster.inject``) — each one a step of its own, checked like
any other.

A cluster gets such servers through :class:`ClockedCluster` (``Cluster.make_node`` is the
hook); the lab (raftcore/lab/) draws each server's rate from the seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..immutable import immutable
from ..node import Output, RaftNode
from .cluster import Cluster
from .scheduler import TIMER


@immutable
@dataclass(frozen=True, slots=True)
class Clock:
    """A server's hardware clock, linear since its rate last changed: it read ``local0`` at
    real time ``real0`` and has run at ``rate`` since (the same clock across restarts)."""

    rate: float = 1.0
    real0: float = 0.0
    local0: float = 0.0

    def local(self, real: float) -> float:
        return self.local0 + (real - self.real0) * self.rate

    def real(self, local: float) -> float:
        """The earliest real time at which the clock reads at least ``local``."""
        if local in (math.inf, -math.inf):
            return local
        t = self.real0 + (local - self.local0) / self.rate
        while self.local(t) < local:  # floating point: never wake a timer before its deadline
            t = math.nextafter(t, math.inf)
        return t

    def with_rate(self, real: float, rate: float) -> "Clock":
        """The same clock from real time ``real`` on, running at ``rate`` (no jump)."""
        return Clock(rate, real, self.local(real))


class ClockedNode(RaftNode):
    """A Raft server on a drifting clock that can be paused (see the module docstring)."""

    clock: Clock = Clock()
    paused_until: float | None = None
    #: The real time of the latest input: a wake-up is never scheduled before it.
    real_now = 0.0

    def start(self, now: float) -> Output:
        self.real_now = now
        self.paused_until: float | None = None
        self.inbox: list = []
        return super().start(self.clock.local(now))

    def pause(self, until: float) -> None:
        """Stop taking steps until real time ``until`` (the lab resumes it then)."""
        self.paused_until = until

    def resume(self) -> list:
        """Take steps again; returns the messages that arrived meanwhile, in arrival order."""
        self.paused_until = None
        inbox, self.inbox = self.inbox, []
        return inbox

    def tick(self, now: float) -> Output:
        self.real_now = now
        if self.paused_until is not None:
            return Output()
        return super().tick(self.clock.local(now))

    def force_timeout(self, now: float) -> Output:
        self.real_now = now
        if self.paused_until is not None:
            return Output()
        return super().force_timeout(self.clock.local(now))

    def step(self, msg, now: float) -> Output:
        self.real_now = now
        if self.paused_until is not None:
            self.inbox.append(msg)
            return Output()
        return super().step(msg, self.clock.local(now))

    def propose(self, command, now: float) -> Output:
        self.real_now = now
        if self.paused_until is not None:
            return Output()  # no proposed index: the client asks again later
        return super().propose(command, self.clock.local(now))

    def read(self, query, now: float) -> Output:
        self.real_now = now
        if self.paused_until is not None:
            return Output()
        return super().read(query, self.clock.local(now))

    def transfer_leadership(self, target: str, now: float) -> Output:
        self.real_now = now
        if self.paused_until is not None:
            return Output()
        return super().transfer_leadership(target, self.clock.local(now))

    def change_membership(self, op: str, name: str, now: float) -> Output:
        self.real_now = now
        if self.paused_until is not None:
            return Output()
        return super().change_membership(op, name, self.clock.local(now))

    @property
    def next_wakeup(self) -> float:
        """In real time, for the scheduler. A paused server's timers wait until just after
        it resumes (the lab resumes it at ``paused_until`` and re-delivers its inbox first)."""
        if self.paused_until is not None:
            return math.nextafter(self.paused_until, math.inf)
        # A clock that sped up may already be past a deadline: wake at once, never in the past.
        return max(self.clock.real(RaftNode.next_wakeup.fget(self)), self.real_now)


class ClockedCluster(Cluster):
    """A :class:`~raftcore.sim.Cluster` whose servers read drifting clocks: ``rates`` maps a
    server's name to its clock rate (servers not named, and servers added later, keep
    perfect clocks unless ``rates`` names them)."""

    def __init__(self, *args, rates: dict[str, float] | None = None, **kwargs):
        #: Each server's clock (it survives the server's crashes, as a hardware clock does).
        self.clocks = {name: Clock(rate) for name, rate in (rates or {}).items()}
        super().__init__(*args, **kwargs)

    def make_node(self, name: str, persisted) -> RaftNode:
        node = ClockedNode(name, self.bootstrap, self.config, self.node_rngs[name], persisted,
                           joining=name not in self.bootstrap, track_digests=self.checker is not None)
        node.clock = self.clocks.setdefault(name, Clock())
        return node

    def set_clock_rate(self, name: str, rate: float) -> None:
        """From now on ``name``'s clock runs at ``rate`` (Jepsen's clock nemesis, within the
        drift bound the caller keeps). The server's pending timer moves to the real time at
        which its new clock reaches the deadline."""
        clock = self.clocks.setdefault(name, Clock()).with_rate(self.now, rate)
        self.clocks[name] = clock
        node = self.nodes.get(name)
        if node is None:
            return
        node.clock = clock
        node.real_now = max(node.real_now, self.now)
        if self.alive(name) and name in self._timer_at:
            wake = node.next_wakeup
            if wake != self._timer_at[name] and wake != math.inf:
                self._timer_at[name] = wake  # the old event no longer matches: it is ignored
                self.scheduler.at(wake, TIMER, name)

    def pause(self, name: str, until: float) -> None:
        if not self.alive(name):
            raise ValueError(f"{name} is crashed; a crashed server cannot pause")
        self.nodes[name].pause(until)
        self.note(f"{name} pauses until {until:.1f}ms")

    def resume(self, name: str) -> None:
        """The paused server takes steps again: first the messages that waited for it."""
        node = self.nodes[name]
        inbox = node.resume()
        self.note(f"{name} resumes ({len(inbox)} messages waited)")
        for msg in inbox:
            if not self.alive(name):
                break
            self.inject(msg)
