"""Determinism: the same seed gives the same trace, in CPython and in Pyodide.

Golden hashes pin every named scenario's trace, so any change of behaviour, however small,
shows up here; when a change is intended, rewrite them with ``pytest --rewrite`` and say why
in the commit. The browser test compares scene 01's hash in Pyodide with the same value.
"""

import json
from pathlib import Path

import pytest

from raftcore.scenarios import SCENARIO_NAMES, load_scenario
from raftcore.sim import Cluster, NetworkConfig

GOLDEN = Path(__file__).parent / "golden_hashes.json"


def scenario_hash(name: str) -> str:
    r = load_scenario(name).start(strict=False)
    r.finish()
    r.cluster.run_for(500)
    return r.cluster.trace_hash()


def test_golden_hashes(rewrite: bool) -> None:
    got = {name: scenario_hash(name) for name in SCENARIO_NAMES}
    if rewrite or not GOLDEN.exists():
        GOLDEN.write_text(json.dumps(got, indent=2, sort_keys=True) + "\n")
        if not rewrite:
            pytest.fail("golden_hashes.json was missing and has been written; commit it")
        return
    want = json.loads(GOLDEN.read_text())
    assert got == want


def faulty(seed: int) -> Cluster:
    c = Cluster(size=5, seed=seed, network=NetworkConfig(loss=0.1, duplicate=0.1, reorder=0.2))
    for i in range(20):
        c.submit(f"INC k{i % 3}", client=f"c{i % 4}")
    c.run_for(800)
    c.crash(c.leader() or "S1")
    c.run_for(1500)
    return c


def test_same_seed_same_trace() -> None:
    a, b = faulty(42), faulty(42)
    assert a.trace() == b.trace()
    assert a.trace_hash() == b.trace_hash()


def test_different_seed_different_trace() -> None:
    assert faulty(1).trace_hash() != faulty(2).trace_hash()


def test_snapshot_restore_replays_identically() -> None:
    """Time travel: restoring a snapshot and running again gives the same future."""
    c = faulty(7)
    snap = c.snapshot()
    c.run_for(1000)
    first = c.trace_hash()
    c.restore(snap)
    c.run_for(1000)
    assert c.trace_hash() == first


def test_the_event_loops_agree() -> None:
    """run_for, run_until, step and step_if_due are one loop seen four ways (the loop is
    hoisted for speed in Cluster._run): driven by each, a cluster takes the same events."""
    def loaded() -> Cluster:
        c = Cluster(size=5, seed=3, network=NetworkConfig(loss=0.1, duplicate=0.1, reorder=0.2))
        for i in range(12):
            c.submit(f"INC k{i % 3}", client=f"c{i % 4}")
        return c

    by_run_for = loaded()
    by_run_for.run_for(1500)
    by_step = loaded()
    while by_step.next_event_time() is not None and by_step.next_event_time() <= 1500:
        assert by_step.step()
    by_step_if_due = loaded()
    t = 0.0
    while t < 1500:
        t += 7.0
        while by_step_if_due.step_if_due(min(t, 1500)):
            pass
    assert not by_step_if_due.step_if_due(by_step_if_due.now)  # nothing due now: nothing done
    by_run_until = loaded()
    events = []
    assert not by_run_until.run_until(lambda cl: events.append(cl.now) and False, 1500)
    assert by_run_for.trace() == by_step.trace() == by_step_if_due.trace() == by_run_until.trace()
    assert by_run_until.scheduler.popped == by_run_for.scheduler.popped == len(events) - 1
    stop = loaded()
    assert stop.run_until(lambda cl: cl.stats["delivered"] >= 40, 1500)
    assert stop.stats["delivered"] == 40  # checked after every event: it stops at the 40th delivery
