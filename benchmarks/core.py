"""Core throughput figures. Prints numbers; asserts nothing about time.

1. Simulated message deliveries per second for a 5-server cluster under steady client
   load (three clients, each with one command outstanding at all times), with the invariant
   checker on and off, as a ratio to a bare ``heapq`` event loop that pops the same number
   of no-op events in the same run (so the ratio says how much one Raft step costs over
   the scheduler's floor, independently of the machine's speed).
2. The wall time of a Figure 16 sweep: the paper's ten timeout ranges, ``--trials`` leader
   crashes each (the paper: 1000; 100 for 150–150 ms).

    python benchmarks/core.py [--trials 1000] [--seconds 20] [--json out.json]
"""

from __future__ import annotations

import argparse
import heapq
import json
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from raftcore.sim import Cluster  # noqa: E402
from raftcore.sim.elections import FIGURE16_RANGES, percentile, run_trials  # noqa: E402


def steady_load(sim_seconds: float, check: bool) -> tuple[int, float, int]:
    c = Cluster(size=5, seed=1, check=check, record_trace=False)
    c.run_until(lambda cl: cl.leader() is not None, 2000)
    clients = ["a", "b", "c"]

    def top_up() -> None:
        for name in clients:
            cl = c.clients.get(name)
            if cl is None or (cl.current is None and not cl.queue):
                c.submit(f"INC k{name}", client=name)

    start_delivered = c.stats["delivered"]
    t0 = time.perf_counter()
    end = c.now + sim_seconds * 1000
    while c.now < end:
        top_up()
        c.run_for(5)
    wall = time.perf_counter() - t0
    committed = sum(1 for h in c.handles if h.done)
    return c.stats["delivered"] - start_delivered, wall, committed


def bare_heapq(n: int) -> float:
    heap: list[tuple[float, int, int, object]] = []
    t0 = time.perf_counter()
    seq = 0
    for i in range(64):
        seq += 1
        heapq.heappush(heap, (float(i), seq, 0, None))
    for i in range(n):
        t, _, _, _ = heapq.heappop(heap)
        seq += 1
        heapq.heappush(heap, (t + 7.5, seq, 0, None))
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trials", type=int, default=1000, help="leader crashes per timeout range (paper: 1000)")
    ap.add_argument("--seconds", type=float, default=20.0, help="simulated seconds of steady load")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    figures: dict = {"python": platform.python_version(), "machine": platform.machine()}

    print(f"Steady load, 5 servers, 3 clients, {args.seconds:.0f} simulated seconds")
    for check in (True, False):
        delivered, wall, committed = steady_load(args.seconds, check)
        floor = bare_heapq(delivered)
        rate = delivered / wall
        key = "checker_on" if check else "checker_off"
        figures[key] = {"deliveries": delivered, "wall_s": wall, "deliveries_per_s": rate,
                        "committed": committed, "ratio_to_heapq": wall / floor}
        print(f"  checker {'on ' if check else 'off'}: {delivered} deliveries in {wall:.2f} s = {rate:,.0f}/s; "
              f"{committed} commands committed; {wall / floor:.1f}x a bare heapq loop "
              f"({delivered / floor:,.0f} no-op events/s)")

    print(f"\nFigure 16 sweep: {args.trials} leader crashes per range ({max(1, args.trials // 10)} for 150-150 ms)")
    sweep = {}
    t_all = time.perf_counter()
    for lo, hi in FIGURE16_RANGES:
        n = max(1, args.trials // 10) if lo == hi else args.trials
        t0 = time.perf_counter()
        trials = list(run_trials(lo, hi, n, seed=1))
        wall = time.perf_counter() - t0
        d = [t.downtime for t in trials]
        sweep[f"{lo:g}-{hi:g}"] = {"trials": n, "wall_s": wall, "median_ms": statistics.median(d),
                                   "p90_ms": percentile(d, 0.9), "max_ms": max(d),
                                   "mean_ms": statistics.fmean(d), "gave_up": sum(t.gave_up for t in trials)}
        s = sweep[f"{lo:g}-{hi:g}"]
        print(f"  {lo:>5g}-{hi:<5g} ms: median {s['median_ms']:7.0f} ms  p90 {s['p90_ms']:7.0f}  max {s['max_ms']:7.0f}  "
              f"mean {s['mean_ms']:7.0f}  gave up {s['gave_up']}  ({wall:.2f} s wall)")
    total = time.perf_counter() - t_all
    figures["figure16"] = sweep
    figures["figure16_wall_s"] = total
    print(f"  whole sweep: {total:.1f} s of CPython (target: under 3 s)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
