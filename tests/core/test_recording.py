"""Time travel over a run (raftcore/sim/recording.py): restore a snapshot, replay to the moment.

It is exact only because a run is a pure function of its seed — the determinism §5's
replicated state machine asks of each server, asked here of the whole simulation. So each
test compares traces: a run that travelled must have the trace of one that never moved.
"""

from __future__ import annotations

import pytest

from raftcore.scenarios import load_scenario
from raftcore.sim.recording import HALF_STAMP, Recording, trace_times


def straight(t: float, name: str = "figure8") -> list[str]:
    run = load_scenario(name).start(strict=False)
    run.advance(t)
    return run.cluster.trace()


def recorded(every: float = 25.0, limit: int = 48, name: str = "figure8") -> Recording:
    return Recording(load_scenario(name).start(strict=False), every, limit)


def test_seeking_back_and_forth_gives_the_trace_of_a_straight_run():
    """Figure 8's run shown at any moment, in any order, is that moment of the run."""
    rec = recorded()
    rec.seek(600.0)
    assert rec.run.cluster.trace() == straight(600.0)
    for t in (130.0, 599.0, 0.0, 377.7, 600.0, 42.0):
        rec.seek(t)
        assert rec.run.cluster.now == pytest.approx(t)
        assert rec.run.cluster.trace() == straight(t), t
    assert rec.reach == pytest.approx(600.0) and rec.stats["restores"] >= 3


def test_memory_stays_bounded_and_evenly_spread():
    """At most ``limit`` snapshots; each thinning keeps the one at time 0 and doubles the interval."""
    rec = recorded(every=10.0, limit=5)
    rec.seek(700.0)
    assert len(rec.snaps) <= 5 and rec.stats["thinned"] >= 1 and rec.every >= 20.0
    assert rec.times[0] == 0.0 and rec.times == sorted(rec.times)
    rec.seek(333.0)
    assert rec.run.cluster.trace() == straight(333.0)


def test_a_change_without_time_passing_becomes_part_of_the_run():
    """A crash the reader makes at time t: the snapshots after t recorded another future, so
    they are forgotten; going back before t undoes the crash."""
    rec = recorded()
    rec.seek(500.0)
    rec.seek(300.0)
    c = rec.run.cluster
    victim = next(n for n in c.names if c.alive(n))
    c.crash(victim)
    rec.intervened()
    assert rec.interventions == [300.0] and rec.reach == 300.0 and rec.times[-1] == 300.0
    rec.seek(400.0)
    assert not rec.run.cluster.alive(victim) or f"{victim} restarts" in " ".join(rec.run.cluster.events)
    rec.seek(200.0)
    assert rec.interventions == [] and rec.run.cluster.trace() == straight(200.0)


def test_the_core_reads_no_clock():
    """Sans-I/O: without a clock from the caller, the recording measures no wall time."""
    rec = recorded()
    rec.seek(200.0)
    rec.seek(50.0)
    assert rec.stats["snapshot_ms"] == rec.stats["restore_ms"] == rec.stats["replay_ms"] == 0.0
    ticks = iter(range(10_000))
    timed = Recording(load_scenario("figure8").start(strict=False), 25.0, 48, clock=lambda: next(ticks))
    timed.seek(100.0)
    assert timed.stats["snapshot_ms"] > 0


def test_trace_times_are_the_distinct_stamps_in_order():
    rec = recorded()
    rec.seek(300.0)
    times = trace_times(rec.run.cluster.trace())
    assert times == sorted(set(times)) and times[-1] <= 300.0 + HALF_STAMP


def test_a_run_without_snapshots_cannot_be_recorded():
    with pytest.raises(TypeError, match="snapshot"):
        Recording(object(), 10, 4)
