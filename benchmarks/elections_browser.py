"""Scene 03's in-browser Figure 16 run, measured (prints figures; asserts nothing).

    .venv/bin/python benchmarks/elections_browser.py [--runs 3] [--site DIR] [--ranges 150-300,150-155,...]

Builds the site (unless --site is given), serves it on http://127.0.0.1:8000/, opens scene
03 in Debian's chromium and, for each timeout range, clicks "Run 1,000 elections" and waits
for the run to finish (the page runs the real RaftNode through Pyodide in per-frame batches).
Prints, per range, the median over runs of the wall time of the whole run, the median and
maximum of the elections' downtime, and the Python milliseconds per animation frame (median
and max): the page must stay responsive while it runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests" / "site"), str(ROOT / "tests" / "browser")]

from browser_helpers import SCENE03, Watch, guard, launch, open_scene, serve  # noqa: E402
from site_helpers import site_or_build  # noqa: E402

RANGES = "150-300,150-200,150-175,150-155,12-24,25-50,50-100,100-200"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--site", type=Path, default=None)
    ap.add_argument("--ranges", default=RANGES)
    args = ap.parse_args()
    site = site_or_build(args.site)
    if site is None:
        return 1
    from playwright.sync_api import sync_playwright

    httpd = serve(site)
    results: dict[str, list[dict]] = {r: [] for r in args.ranges.split(",")}
    try:
        with sync_playwright() as p:
            browser = launch(p)
            for _ in range(args.runs):
                ctx = browser.new_context(base_url="http://127.0.0.1:8000/", viewport={"width": 1280, "height": 900})
                guard(ctx, Watch(), block_requests=False)
                page = ctx.new_page()
                open_scene(page, SCENE03, speed=None)
                page.click('.raft-scene [data-action="play"]')  # pause the diagram: the run has the CPU
                for rng in results:
                    page.select_option('.raft-scene [data-control="timeout_range"]', rng)
                    page.click('.raft-scene [data-action="elections"]')
                    page.wait_for_function(
                        "() => document.querySelector('.raft-scene').dataset.elections === 'running'")
                    page.wait_for_function(
                        "() => document.querySelector('.raft-scene').dataset.elections === 'done'", timeout=900_000)
                    results[rng].append(page.evaluate("() => window.__raft.timings.elections"))
                ctx.close()
            browser.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    print(f"In-browser Figure 16 run (scene 03), medians over {args.runs} run(s); headless chromium, Pyodide")
    print(f"{'range ms':>10} {'elections':>9} {'wall s':>7} {'median ms':>10} {'max ms':>8} {'frame ms p50':>13} {'frame max':>10}")
    for rng, runs in results.items():
        frames = [f for r in runs for f in (r.get("frames") or [])]
        print(f"{rng:>10} {runs[0]['done']:>9} {statistics.median(r['wallMs'] for r in runs) / 1000:7.1f} "
              f"{statistics.median(r['median'] for r in runs):10.0f} {max(r['max'] for r in runs):8.0f} "
              f"{statistics.median(frames) if frames else float('nan'):13.1f} {max(frames) if frames else float('nan'):10.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
