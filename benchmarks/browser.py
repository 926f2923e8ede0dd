"""Browser figures for the site (not a test: prints numbers, asserts nothing about speed).

    .venv/bin/python benchmarks/browser.py [--runs 5] [--site DIR]

Builds the site (unless --site is given), serves it on http://127.0.0.1:8000/ and drives
Debian's chromium through Playwright, the same way as tests/browser. Prints medians of:

* time to first SVG: first contentful paint of scene 01 (the SVG is inline in the HTML);
* time to interactive, cold (empty cache) and warm (reload, HTTP cache filled);
* scene-to-scene navigation: home → scene 01 through instant navigation, Python already up;
* Python ms per frame while the scene plays;
* bytes transferred for a cold load of scene 01, by file type.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests" / "site"), str(ROOT / "tests" / "browser")]

from browser_helpers import SCENE01, Watch, guard, launch, serve  # noqa: E402
from site_helpers import site_or_build  # noqa: E402

READY = '.raft-scene[data-state="ready"]'


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def load_scene(page) -> dict:
    page.goto(SCENE01)
    page.wait_for_selector(READY, timeout=120_000)
    return page.evaluate(
        "() => ({fcp: (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime,"
        " ready: window.__raft.timings.readyAt, boot: window.__raft.timings.bootMs,"
        " pyodide: window.__raft.timings.pyodideReady, mount: window.__raft.timings.mountMs,"
        " start: window.__raft.timings.bootStart})"
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--site", type=Path, default=None)
    args = ap.parse_args()
    site = site_or_build(args.site)
    if site is None:
        return 1
    from playwright.sync_api import sync_playwright

    httpd = serve(site)
    cold_fcp, cold_ready, warm_fcp, warm_ready, nav, frame_ms, boots = [], [], [], [], [], [], []
    parts: dict[str, list] = {"start": [], "pyodide": [], "boot": [], "mount": []}
    byte_runs: list[Counter] = []
    try:
        with sync_playwright() as p:
            browser = launch(p)
            for run in range(args.runs):
                ctx = browser.new_context(base_url="http://127.0.0.1:8000/", viewport={"width": 1280, "height": 900})
                watch = Watch()
                guard(ctx, watch, block_requests=False)  # record only: interception would skew timings
                page = ctx.new_page()
                sizes: Counter = Counter()

                def on_finished(req, sizes=sizes):
                    try:
                        s = req.sizes()
                        ext = req.url.split("?")[0].rsplit("/", 1)[-1].rsplit(".", 1)[-1] if "." in req.url.rsplit("/", 1)[-1] else "html"
                        sizes[ext] += s["responseBodySize"] + s["responseHeadersSize"]
                    except Exception:
                        pass

                page.on("requestfinished", on_finished)
                t = load_scene(page)
                cold_fcp.append(t["fcp"])
                for k in parts:
                    parts[k].append(t[k])
                cold_ready.append(t["ready"])
                byte_runs.append(sizes.copy())
                page.remove_listener("requestfinished", on_finished)
                # Python cost per frame while playing.
                page.wait_for_timeout(2000)
                frame_ms.append(page.evaluate("() => { const ui=[...window.__raft.scenes.values()][0];"
                                              " const a=[...ui.frameTimes].sort((x,y)=>x-y); return a[Math.floor(a.length/2)]; }"))
                # Warm: reload with the HTTP cache filled.
                page.reload()
                page.wait_for_selector(READY, timeout=120_000)
                t = page.evaluate(
                    "() => ({fcp: (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime,"
                    " ready: window.__raft.timings.readyAt})"
                )
                warm_fcp.append(t["fcp"])
                warm_ready.append(t["ready"])
                # Scene-to-scene: home, then scene 01 by instant navigation (Python is up).
                page.click(".md-header a.md-logo")
                page.wait_for_selector("article .raft-toc")
                t0 = page.evaluate("() => performance.now()")
                page.click(f'article .raft-toc a[href$="{SCENE01}"]')
                page.wait_for_function(
                    "(t0) => window.__raft.timings.readyAt > t0", arg=t0, timeout=60_000
                )
                nav.append(page.evaluate("() => window.__raft.timings.readyAt") - t0)
                boots.append(page.evaluate("() => window.__raftBoots"))
                ctx.close()
                if watch.foreign:
                    print("WARNING: requests to other hosts:", watch.foreign)
            browser.close()
    finally:
        httpd.shutdown()
        httpd.server_close()

    total = [sum(c.values()) for c in byte_runs]
    print(f"runs: {args.runs} (medians; headless chromium, site on 127.0.0.1:8000, no compression)")
    print(f"time to first SVG (FCP), cold:      {med(cold_fcp):8.0f} ms")
    print(f"time to first SVG (FCP), warm:      {med(warm_fcp):8.0f} ms")
    print(f"time to interactive, cold:          {med(cold_ready):8.0f} ms")
    print(f"time to interactive, warm:          {med(warm_ready):8.0f} ms")
    print(f"    cold breakdown: glue starts at {med(parts['start']):.0f} ms, loadPyodide() {med(parts['pyodide']):.0f} ms,"
          f" + wheel and bridge import = {med(parts['boot']):.0f} ms, first mount {med(parts['mount']):.0f} ms")
    print(f"scene-to-scene navigation (instant): {med(nav):7.0f} ms  (Python boots per visit: {max(boots)})")
    print(f"Python per frame while playing:     {med(frame_ms):8.2f} ms")
    print(f"bytes for scene 01, cold:           {med(total) / 1e6:8.2f} MB")
    last = byte_runs[-1]
    for ext, n in last.most_common():
        print(f"    {ext:>6}: {n / 1e6:7.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
