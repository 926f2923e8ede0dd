"""The timeline's time travel, measured (prints figures; asserts nothing).

    .venv/bin/python benchmarks/timeline.py [--seeks 200] [--browser] [--site DIR]

For each scene with a timeline (and a long free-running run, to see the memory cap at work)
it prints, in CPython: the prerun (the whole script, snapshotted), the cost of one snapshot and
one restore, the memory a snapshot holds (sys.getsizeof over everything it references), the
number kept and what they weigh together (objects they share counted once), and the latency of random seeks (restore + replay). With
``--browser`` it opens scenes 08 and 12 in chromium (Pyodide) and times random seeks there,
through the same ``Scene.set_control("timeline", "seek", t)`` the slider calls.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "site"), str(ROOT / "tests" / "browser")]

from raftsite.blocks.schema import validate_block  # noqa: E402
from raftsite.browser import Scene  # noqa: E402
from raftsite.markdown_ext import scene_runtime_config  # noqa: E402

CASES = {
    "scene08 (Figure 8)": "scenario: scene08\nid: b08\ncontrols:\n  - kind: timeline\n",
    "scene12 (snapshots)": "scenario: scene12\nid: b12\ncontrols:\n  - kind: timeline\n",
    "scene05, 60 s free-running": "scenario: scene05\nid: b05\ncontrols:\n  - kind: timeline\n    horizon: 60000\n",
}


def deep_size(obj, seen: set) -> int:
    """Bytes held by ``obj`` and everything it references that is not in ``seen`` (shared
    objects — immutable messages and entries a snapshot shares with the live run — count once)."""
    total, stack = 0, [obj]
    while stack:
        o = stack.pop()
        if id(o) in seen or isinstance(o, (type, type(deep_size), type(sys))):
            continue
        seen.add(id(o))
        total += sys.getsizeof(o)
        if isinstance(o, dict):
            stack.extend(o.keys())
            stack.extend(o.values())
        elif isinstance(o, (list, tuple, set, frozenset)) or type(o).__name__ == "deque":
            stack.extend(o)
        else:
            d = getattr(o, "__dict__", None)
            if d is not None:
                stack.append(d)
            for slot in getattr(type(o), "__slots__", ()):
                if hasattr(o, slot):
                    stack.append(getattr(o, slot))
    return total


def ms(f, *args) -> float:
    t0 = time.perf_counter()
    f(*args)
    return (time.perf_counter() - t0) * 1000.0


def cpython(seeks: int) -> None:
    print(f"{'case':30} {'end ms':>8} {'prerun':>8} {'snap ms':>8} {'restore':>8} {'KB/snap':>8} "
          f"{'kept':>5} {'every':>6} {'KB kept':>8} {'seek p50':>8} {'seek p95':>8} {'seek max':>8}")
    for name, block in CASES.items():
        scene = Scene(scene_runtime_config(validate_block(block)))
        tl = scene.controls[0]
        build = tl.prerun_ms
        rec = tl.rec
        run = scene.run
        end = json.loads(scene.status())["timeline"]["end"]
        scene.set_control("timeline", "seek", str(end))  # the fullest state of the run
        snap_ms = statistics.median(ms(run.snapshot) for _ in range(20))
        snap = run.snapshot()
        restore_ms = statistics.median(ms(run.restore, snap) for _ in range(20))
        live = {id(scene.cluster), id(run), id(run.scenario), *(id(st) for st in run.scenario.steps)}
        size = deep_size(snap, set(live))  # alone: with what it shares with other snapshots
        seen = set(live)
        kept = sum(deep_size(s, seen) for _, s in rec.snaps)  # together: shared objects once
        rng = random.Random(1)
        lat = sorted(ms(scene.set_control, "timeline", "seek", str(rng.uniform(0, end))) for _ in range(seeks))
        print(f"{name:30} {end:8.0f} {build:8.1f} {snap_ms:8.2f} {restore_ms:8.2f} {size / 1024:8.1f} "
              f"{len(rec.snaps):5d} {rec.every:6.0f} {kept / 1024:8.0f} {statistics.median(lat):8.2f} "
              f"{lat[int(0.95 * len(lat))]:8.2f} {lat[-1]:8.2f}")


def browser(site: Path | None, seeks: int) -> int:
    from browser_helpers import Watch, guard, launch, open_scene, serve
    from site_helpers import site_or_build
    from playwright.sync_api import sync_playwright

    site = site_or_build(site)
    if site is None:
        return 1
    httpd = serve(site)
    js = """async ([n, seed]) => {
      const ui = [...window.__raft.scenes.values()].find(u => u.scene);
      const end = JSON.parse(await ui.scene.control_action("timeline", "info", null)).end;
      let x = seed; const rnd = () => (x = (x * 16807) % 2147483647) / 2147483647;
      const out = [];
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        ui.apply(await ui.scene.set_control("timeline", "seek", String(rnd() * end)));  // a round trip to the worker
        out.push(performance.now() - t);
      }
      return {end, out, timings: window.__raft.timings};
    }"""
    try:
        with sync_playwright() as p:
            b = launch(p)
            ctx = b.new_context(base_url="http://127.0.0.1:8000/", viewport={"width": 1280, "height": 900})
            guard(ctx, Watch(), block_requests=False)
            page = ctx.new_page()
            for path in ("scenes/08-figure-8/", "scenes/12-snapshots/"):
                open_scene(page, path, speed=None)
                page.click('.raft-scene [data-action="play"]')  # pause
                prerun = page.evaluate(
                    "async () => JSON.parse(await [...window.__raft.scenes.values()][0].scene.status()).timeline.prerun_ms")
                r = page.evaluate(js, [seeks, 7])
                lat = sorted(r["out"])
                print(f"chromium {path:24} run {r['end']:6.0f} ms; prerun {prerun:6.1f} ms; seek + apply: "
                      f"median {statistics.median(lat):5.2f} ms, p95 {lat[int(0.95 * len(lat))]:5.2f} ms, "
                      f"max {lat[-1]:5.2f} ms")
            b.close()
    finally:
        httpd.shutdown()
    return 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeks", type=int, default=200)
    ap.add_argument("--browser", action="store_true")
    ap.add_argument("--site", type=Path, default=None)
    args = ap.parse_args()
    cpython(args.seeks)
    if args.browser:
        return browser(args.site, args.seeks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
