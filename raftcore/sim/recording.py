"""Time travel over a run: snapshots at increasing simulated times, restore and replay.

A run is a pure function of its seed (same seed, same trace), so showing the run at any
moment ``t`` needs only *snapshots* of the whole run (``ScenarioRun.snapshot()``: the cluster
with its scheduler, random generators, network, disks and invariant checker, plus the
script's position) taken every ``every`` simulated ms while it moves forward: restore the
latest snapshot at or before ``t`` and replay to ``t``. Going back and playing again gives
exactly the trace of never having gone back.

Memory is bounded: at most ``limit`` snapshots are kept; one more drops every other one
(the first, at time 0, stays) and doubles the interval, so they stay evenly spread and a
replay costs at most about two intervals. A change made without time passing (a reader
crashing a server) is part of the run from then on: the snapshots after it are forgotten
and one is taken just after it.

The scenes' timeline control (``raftsite/controls/timeline.py``) draws a slider over a
:class:`Recording`; any run with ``snapshot()``, ``restore(snap)``, ``cluster`` and
``advance(ms)`` can be recorded (the lab's replay view records a lab run).
"""

from __future__ import annotations

import bisect
from typing import Callable

__all__ = ["Recording", "trace_times", "HALF_STAMP"]

#: Half a unit of the trace's time stamps (``%.3f`` ms): a time just after one event's stamp
#: includes that event and nothing later.
HALF_STAMP = 0.0005


def _no_clock() -> float:
    return 0.0


def trace_times(trace) -> list[float]:
    """The distinct event times (as stamped, ms) of a cluster trace, in order."""
    out: list[float] = []
    last = None
    for line in trace:
        stamp = line.split(" ", 1)[0]
        if stamp != last:
            last = stamp
            out.append(float(stamp))
    return out


class Recording:
    """Snapshots of one run at increasing simulated times (the first at the run's start).

    ``reach`` is how far the recording is valid: every moment in [0, reach] can be shown by
    restoring a snapshot and replaying. ``stats`` counts snapshots, thinnings, restores and
    the simulated ms replayed; with a ``clock`` (a function returning seconds, e.g. the
    caller's ``time.perf_counter`` — the core reads no clock of its own) it also adds up the
    wall-clock ms that snapshots, restores and replays cost (for a benchmark and the page)."""

    def __init__(self, run, every: float, limit: int, until: float = float("inf"),
                 clock: Callable[[], float] | None = None):
        if not callable(getattr(run, "snapshot", None)) or not callable(getattr(run, "restore", None)):
            raise TypeError(f"{type(run).__name__} has no snapshot()/restore(): the timeline cannot travel in time")
        self.run = run
        self.every = float(every)
        self.limit = max(2, int(limit))
        #: the recording stops here: past it the run plays on, but is not recorded (the
        #: snapshots of a long run would otherwise hold an ever longer trace)
        self.until = float(until)
        self.snaps: list[tuple[float, object]] = []
        self.times: list[float] = []
        self.reach = run.cluster.now
        #: times at which the reader changed the run (see :meth:`intervened`)
        self.interventions: list[float] = []
        self.clock = clock if clock is not None else _no_clock
        self.stats = {"taken": 0, "thinned": 0, "restores": 0, "snapshot_ms": 0.0, "restore_ms": 0.0,
                      "replay_ms": 0.0, "replayed_sim_ms": 0.0}
        self.take()

    @property
    def cluster(self):
        return self.run.cluster

    def take(self) -> None:
        """Snapshot the run now (the newest snapshot; later ones must have been dropped)."""
        t0 = self.clock()
        snap = self.run.snapshot()
        self.stats["snapshot_ms"] += (self.clock() - t0) * 1000.0
        self.stats["taken"] += 1
        now = self.cluster.now
        assert not self.times or now >= self.times[-1], "snapshots are taken in time order"
        self.snaps.append((now, snap))
        self.times.append(now)
        if len(self.snaps) > self.limit:
            # keep the first (time 0) and every other one: still evenly spread, half as many
            self.snaps = self.snaps[::2]
            self.times = [t for t, _ in self.snaps]
            self.every *= 2.0
            self.stats["thinned"] += 1

    def note_progress(self) -> None:
        """The run moved forward by itself (a frame): extend the recording if it went past it."""
        now = self.cluster.now
        if now > self.reach and self.reach < self.until:
            self.reach = min(now, self.until)
            if now <= self.until and now >= self.times[-1] + self.every:
                self.take()

    def forget_after(self, t: float) -> None:
        """Drop every snapshot taken after ``t`` (the future they recorded is no longer ours)."""
        k = bisect.bisect_right(self.times, t)
        k = max(k, 1)  # the start of the run always stays
        del self.snaps[k:]
        del self.times[k:]
        self.reach = min(self.reach, t)
        self.interventions = [x for x in self.interventions if x <= t]

    def intervened(self) -> None:
        """The reader changed the run without time passing (crashed a server…): from now on the
        recorded future is that of the changed run, so forget the old one and snapshot this."""
        now = self.cluster.now
        if now > self.until:
            return  # past the recording: nothing recorded to forget
        self.forget_after(now)
        self.take()
        self.reach = now
        self.interventions.append(now)

    def advance_to(self, t: float) -> None:
        """Run forward to ``t``, snapshotting on the way wherever the recording did not reach.

        The run always advances at least once, by zero if it is at ``t`` already: the state
        "at time t" is the state after everything due at or before ``t``, the script's
        commands at that instant included (as a run from the start straight to ``t``)."""
        c = self.cluster
        while True:
            before = c.now
            stop = t
            if before >= self.reach:
                stop = min(t, self.times[-1] + self.every)
            if stop <= before:
                stop = max(t, before)
            self.run.advance(stop - before)
            self.note_progress()
            if c.now >= t or (stop > before and c.now <= before):
                break  # there, or time stopped (the invariant checker halted the run)

    def seek(self, t: float) -> None:
        """Show simulated time ``t``: from the latest snapshot at or before ``t`` (or from now,
        when that is later and before ``t``), replay forward."""
        c = self.cluster
        t = max(0.0, float(t))
        if self.interventions and self.interventions[-1] > t:
            # back to before the reader's change: that change, and what followed, did not happen
            self.forget_after(t)
        k = bisect.bisect_right(self.times, t) - 1
        base_t, snap = self.snaps[max(k, 0)]
        if t < c.now or base_t > c.now:
            t0 = self.clock()
            self.run.restore(snap)
            self.stats["restore_ms"] += (self.clock() - t0) * 1000.0
            self.stats["restores"] += 1
        start = c.now
        t0 = self.clock()
        self.advance_to(t)
        self.stats["replay_ms"] += (self.clock() - t0) * 1000.0
        self.stats["replayed_sim_ms"] += max(0.0, c.now - start)

    def summary(self) -> dict:
        s = dict(self.stats)
        n = max(1, s["taken"])
        s["snapshots"] = len(self.snaps)
        s["every_ms"] = self.every
        s["reach_ms"] = round(self.reach, 3)
        s["mean_snapshot_ms"] = round(s["snapshot_ms"] / n, 3)
        for k in ("snapshot_ms", "restore_ms", "replay_ms", "replayed_sim_ms"):
            s[k] = round(s[k], 3)
        return s
