"""Lab figures. Prints numbers; asserts nothing about time.

1. Runs per second (and steps per second) of ``python -m raftcore.lab`` with its defaults,
   all unsafe switches off, for a few cluster sizes: what "thousands of runs" costs here
   (the browser, running the same code in Pyodide, is slower by its own factor).
2. On every core (issue 16): runs per second of the same campaign with ``--jobs 1`` and
   ``--jobs N`` (default: every core), the speed-up, and whether the two summaries are the
   same text (they must be).
3. With ``--switches``: for each unsafe switch, the seeds in ``--seeds`` whose run the
   checker failed, the first of them, and the invariants it reported — where the seed
   ranges of tests/core/test_lab.py come from.

    python benchmarks/lab.py [--runs 200] [--sizes 3,5,7] [--jobs N] [--switches] [--seeds 100] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from raftcore import UNSAFE_SWITCHES  # noqa: E402
from raftcore.lab import LabRun, LabSettings, LabSummary  # noqa: E402
from raftcore.lab.pool import default_jobs, run_campaign  # noqa: E402


def throughput(runs: int, size: int) -> dict:
    s = LabSettings().with_(size=size)
    summary = LabSummary()
    steps = 0
    start = time.perf_counter()
    for seed in range(runs):
        run = LabRun(seed, s)
        r = run.run()
        steps += run.steps
        summary.add(r, s.duration)
    wall = time.perf_counter() - start
    d = summary.to_dict()
    return {"size": size, "runs": runs, "failed": d["failed"], "wall_s": round(wall, 2),
            "runs_per_s": round(runs / wall, 2), "steps_per_s": round(steps / wall),
            "sim_s_per_wall_s": round(runs * s.duration / 1000 / wall, 1),
            "availability": d["availability"]}


def jobs_speedup(runs: int, jobs: int) -> dict:
    """The default campaign of ``runs`` runs on one process, then on ``jobs`` processes."""
    s = LabSettings().with_(runs=runs, seed=0)
    out = {"runs": runs, "jobs": jobs}
    texts = {}
    for n in (1, jobs):
        start = time.perf_counter()
        texts[n] = run_campaign(s, n).text()
        wall = time.perf_counter() - start
        out[f"jobs_{n}"] = {"wall_s": round(wall, 2), "runs_per_s": round(runs / wall, 2)}
    out["speedup"] = round(out[f"jobs_{jobs}"]["runs_per_s"] / out["jobs_1"]["runs_per_s"], 2)
    out["same_summary"] = texts[1] == texts[jobs]
    return out


def detection(seeds: int) -> dict:
    out = {}
    for switch in UNSAFE_SWITCHES:
        s = LabSettings().with_(unsafe=[switch])
        failing, keys = [], {}
        start = time.perf_counter()
        for seed in range(seeds):
            r = LabRun(seed, s).run()
            if r.failure is not None:
                failing.append(seed)
                keys[r.failure.key] = keys.get(r.failure.key, 0) + 1
        out[switch] = {"failing": len(failing), "of": seeds, "first": failing[0] if failing else None,
                       "seeds": failing[:12], "invariants": keys,
                       "wall_s": round(time.perf_counter() - start, 1)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--sizes", default="3,5,7")
    ap.add_argument("--jobs", type=int, default=default_jobs(), help="processes for the --jobs figure "
                    "(default: every core)")
    ap.add_argument("--switches", action="store_true", help="also the per-switch detection table")
    ap.add_argument("--seeds", type=int, default=100)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    report = {"python": platform.python_version(), "machine": platform.machine(), "defaults": LabSettings().to_dict(),
              "throughput": []}
    print(f"lab defaults: {LabSettings().to_dict()}")
    for size in [int(x) for x in a.sizes.split(",")]:
        t = throughput(a.runs, size)
        report["throughput"].append(t)
        av = t["availability"]
        print(f"size {size}: {t['runs']} runs in {t['wall_s']} s = {t['runs_per_s']} runs/s, "
              f"{t['steps_per_s']} steps/s, {t['sim_s_per_wall_s']} simulated s per s; failed {t['failed']}; "
              f"leaderless {100 * av['leaderless_fraction']:.0f}%, commit p50/p99 "
              f"{av['commit_latency_ms']['p50']}/{av['commit_latency_ms']['p99']} ms, "
              f"{av['messages_per_committed_entry']:.1f} messages per committed entry")
    j = report["jobs"] = jobs_speedup(a.runs, a.jobs)
    print(f"\n--jobs 1: {j['jobs_1']['runs_per_s']} runs/s; --jobs {a.jobs}: {j[f'jobs_{a.jobs}']['runs_per_s']} "
          f"runs/s; speed-up {j['speedup']}x ({os.cpu_count()} cores); same summary: {j['same_summary']}")
    if a.switches:
        report["detection"] = detection(a.seeds)
        print(f"\nunsafe switches, seeds 0–{a.seeds - 1}:")
        for switch, d in report["detection"].items():
            print(f"  {switch:<32} {d['failing']:>3}/{d['of']} failing, first {d['first']}, "
                  f"seeds {d['seeds']}, {d['invariants']} ({d['wall_s']} s)")
    if a.json:
        a.json.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
