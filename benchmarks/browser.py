"""Browser figures for the site, against the targets of issue 8 (prints numbers; asserts nothing).

    .venv/bin/python benchmarks/browser.py [--runs 5] [--site DIR --port 8000] [--json PATH]

Builds the site for a free port on 127.0.0.1 (``SITE_URL`` set to it, so Material's instant
navigation works there and port 8000 stays free for the tests) unless ``--site`` is given,
serves it with the test suite's static server (tests/browser/browser_helpers.py: HTTP/1.0, no
compression, the bundle's MIME types) and drives Debian's chromium through Playwright. Each
run starts from an empty browser profile. For every figure it prints the median and the
spread (min–max) over the runs next to its target, and writes everything, with the date,
the machine and each run's values, as JSON (default benchmarks/results/browser.json: the
docs' Performance page shows the table from that file).

Figures (scene 01 is the first scene; times from the start of the navigation):

* first frame: first contentful paint, cold — the prerendered SVG is in the HTML;
* interactive, cold / warm: the scene's controls are live (``data-state="ready"``: a click
  on play advances the simulation). Warm, two seconds after the previous load (Chromium
  writes its compiled-code cache in the background meanwhile): a reload of the tab and a
  new tab, with the HTTP cache (service worker blocked), and a new tab once the service
  worker holds the site (its cache). A reload keeps the tab's renderer process and what it
  has compiled in memory; a new tab starts a new process with only the disk caches warm;
* scene-to-scene: from the click on the next scene in the sidebar (Material's instant
  navigation, Python already running) until that scene is interactive; Python boots per visit;
* Python ms per frame: ``scene.frame()`` while scene 05 (5 servers, client requests, messages
  in flight) plays, at its default speed and at 5×: median and 95th percentile;
* idle: animation frames the site's modules request, and main-thread busy time (CDP
  ``TaskDuration``), over 2 s playing, paused, and hidden (``document.hidden`` and a
  ``visibilitychange``, as a browser tells a tab sent to the background: headless
  Chromium has no background tabs);
* bytes for the first scene visit and for each later scene, gzip-compressed sizes of what
  was fetched (each file compressed as a server would), split into Pyodide's runtime, the
  memory snapshot and everything else.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import os
import platform
import statistics
import sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "site"), str(ROOT / "tests" / "browser")]

from browser_helpers import SCENE01, SCENE02, SCENE05, Watch, free_port, guard, launch, serve  # noqa: E402
from site_helpers import site_or_build  # noqa: E402

from raftsite.plugin.build_info import benchmark_table  # noqa: E402

READY = '.raft-scene[data-state="ready"]'
DEFAULT_JSON = ROOT / "benchmarks" / "results" / "browser.json"
UI = "[...window.__raft.scenes.values()].find((u) => u.scene)"
#: Counts the animation frames requested from the site's own modules (assets/raft/).
COUNT_FRAMES = """(() => { const request = window.requestAnimationFrame.bind(window); window.__raftFrames = 0;
  window.requestAnimationFrame = (cb) => { if (/\\/assets\\/raft\\//.test(new Error().stack || "")) window.__raftFrames += 1;
  return request(cb); };
  document.addEventListener("click", () => { window.__raftClickAt = performance.now(); }, true); })();"""
HIDE = """(hidden) => {
  Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (hidden ? "hidden" : "visible") });
  document.dispatchEvent(new Event("visibilitychange")); }"""
TIMINGS = """() => { const t = window.__raft.timings; return {
  fcp: (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime,
  ready: t.readyAt, boot_start: t.bootStart, pyodide: t.pyodideReady, boot: t.bootMs, mount: t.mountMs,
  snapshot: !!t.snapshot, boots: window.__raftBoots }; }"""

#: name -> (label, unit, target, how the target reads)
FIGURES = {
    "fcp_cold": ("First frame (prerendered SVG), cold", "ms", 300),
    "interactive_cold": ("Interactive, cold", "ms", 1500),
    "interactive_warm_reload": ("Interactive, warm: reload (HTTP cache)", "ms", 800),
    "interactive_warm_newtab": ("Interactive, warm: new tab (HTTP cache)", "ms", 800),
    "interactive_warm_sw": ("Interactive, warm: new tab (service worker cache)", "ms", 800),
    "navigation": ("Scene to scene (instant navigation), interactive", "ms", 150),
    "boots_per_visit": ("Python boots per visit", "", 1),
    "frame_ms_default": ("Python per frame, scene 05 (5 servers) at its default speed, median", "ms", 2),
    "frame_ms_default_p95": ("Python per frame, scene 05 at its default speed, 95th percentile", "ms", 2),
    "frame_ms_5x": ("Python per frame, scene 05 at 5×, median", "ms", 2),
    "frames_paused": ("Animation frames in 2 s, paused", "", 0),
    "frames_hidden": ("Animation frames in 2 s, hidden tab", "", 0),
    "frames_playing": ("Animation frames in 2 s, playing (for comparison)", "", None),
    "cpu_paused": ("Main-thread busy in 2 s, paused", "ms", None),
    "cpu_hidden": ("Main-thread busy in 2 s, hidden tab", "ms", None),
    "cpu_playing": ("Main-thread busy in 2 s, playing (for comparison)", "ms", None),
    "kb_first_runtime": ("First scene: Pyodide runtime (gzip)", "KB", None),
    "kb_first_snapshot": ("First scene: memory snapshot (gzip)", "KB", None),
    "kb_first_other": ("First scene: everything else (gzip)", "KB", 400),
    "kb_later_scene": ("Each later scene (gzip)", "KB", 100),
}


def site_file(site: Path, base: str, url: str) -> Path | None:
    path = urlparse(url).path
    root = urlparse(base).path
    if not path.startswith(root):
        return None
    rel = path[len(root):]
    f = site / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)
    return f if f.is_file() else None


def gzip_kb(f: Path, cache: dict) -> float:
    if f not in cache:
        cache[f] = len(gzip.compress(f.read_bytes(), 6)) / 1000
    return cache[f]


class Bytes:
    """What a page fetched from the site, by kind, as gzip-compressed kilobytes."""

    def __init__(self, page, site: Path, base: str, cache: dict):
        self.site, self.base, self.cache = site, base, cache
        self.urls: list[str] = []
        page.on("requestfinished", lambda r: self.urls.append(r.url))

    def take(self) -> dict[str, float]:
        out = {"runtime": 0.0, "snapshot": 0.0, "other": 0.0}
        self.files: dict[str, float] = {}
        for url in self.urls:
            f = site_file(self.site, self.base, url)
            if f is None:
                continue
            rel = f.relative_to(self.site).as_posix()
            kind = "snapshot" if "pyodide-snapshot-" in rel else "runtime" if rel.startswith("assets/pyodide/") else "other"
            out[kind] += gzip_kb(f, self.cache)
            self.files[rel] = round(gzip_kb(f, self.cache), 1)
        self.urls.clear()
        return out


def busy(page, cdp, ms: int) -> tuple[int, float]:
    """(frames the site's modules requested, main-thread task time in ms) over the next ``ms``."""

    def task_ms():
        return next(m["value"] for m in cdp.send("Performance.getMetrics")["metrics"] if m["name"] == "TaskDuration") * 1000

    f0, c0 = page.evaluate("() => window.__raftFrames"), task_ms()
    page.wait_for_timeout(ms)
    return page.evaluate("() => window.__raftFrames") - f0, task_ms() - c0


def click_nav(page, path: str) -> None:
    slug = path.rstrip("/").rsplit("/", 1)[-1]
    page.locator(f'.md-sidebar--primary a.md-nav__link[href$="{slug}/"]').first.click()


def new_tab(ctx, page):
    """Close ``page`` and open a new one in the same profile (caches and service worker kept)."""
    page.close()
    page = ctx.new_page()
    page.set_default_timeout(180_000)
    return page


def one_run(browser, base: str, site: Path, cache: dict) -> dict:
    r: dict = {}
    # --- cold, then warm (HTTP cache), then navigation, frames, idle: service worker blocked.
    ctx = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900}, service_workers="block")
    watch = Watch()
    guard(ctx, watch, block_requests=False)  # record only: interception would slow every response
    page = ctx.new_page()
    fetched = Bytes(page, site, base, cache)
    page.goto(SCENE01)
    page.wait_for_selector(READY, timeout=120_000)
    t = page.evaluate(TIMINGS)
    page.wait_for_load_state("networkidle")  # Material's search index and sitemap count too
    first = fetched.take()
    r["files_first"] = fetched.files
    r.update(fcp_cold=t["fcp"], interactive_cold=t["ready"], breakdown=t)
    r.update(kb_first_runtime=first["runtime"], kb_first_snapshot=first["snapshot"], kb_first_other=first["other"])
    page.wait_for_timeout(2000)  # a later visit: Chromium writes its code cache in the background
    page.reload()
    page.wait_for_selector(READY, timeout=120_000)
    r["interactive_warm_reload"] = page.evaluate(TIMINGS)["ready"]
    page.wait_for_timeout(2000)
    page = new_tab(ctx, page)  # a new tab: a new renderer process, only the disk caches are warm
    page.add_init_script(COUNT_FRAMES)
    cdp = ctx.new_cdp_session(page)
    cdp.send("Performance.enable")
    fetched = Bytes(page, site, base, cache)
    page.goto(SCENE01)
    page.wait_for_selector(READY, timeout=120_000)
    r["interactive_warm_newtab"] = page.evaluate(TIMINGS)["ready"]
    page.wait_for_load_state("networkidle")
    fetched.take()
    # Scene to scene: 01 -> 02 -> 05 through the sidebar; Python is already up.
    navs, later = [], []
    for path in (SCENE02, SCENE05):
        t0 = page.evaluate("() => performance.now()")
        click_nav(page, path)
        page.wait_for_function("(t0) => window.__raft.timings.readyAt > t0", arg=t0, timeout=60_000)
        # From the click event itself (not from when Playwright was asked to click).
        navs.append(page.evaluate("() => window.__raft.timings.readyAt - window.__raftClickAt"))
        page.wait_for_load_state("networkidle")
        b = fetched.take()
        later.append(b["runtime"] + b["snapshot"] + b["other"])
    r["navigation"] = statistics.median(navs)
    r["kb_later_scene"] = max(later)
    r["boots_per_visit"] = page.evaluate("() => window.__raftBoots")
    # Python per frame on scene 05, at its default speed, then at 5x.
    page.wait_for_function(f"() => {UI}.playing === true")
    page.evaluate(f"() => {{ {UI}.frameTimes.length = 0; }}")
    page.wait_for_timeout(3000)
    ft = sorted(page.evaluate(f"() => {UI}.frameTimes"))
    r["frame_ms_default"] = statistics.median(ft) if ft else None
    r["frame_ms_default_p95"] = ft[int(0.95 * (len(ft) - 1))] if ft else None
    page.select_option('.raft-scene [data-action="speed"]', "5")
    page.evaluate(f"() => {{ {UI}.frameTimes.length = 0; }}")
    page.wait_for_timeout(3000)
    ft = sorted(page.evaluate(f"() => {UI}.frameTimes"))
    r["frame_ms_5x"] = statistics.median(ft) if ft else None
    # Idle: playing, paused, hidden (2 s each).
    r["frames_playing"], r["cpu_playing"] = busy(page, cdp, 2000)
    page.click('.raft-scene [data-action="play"]')  # pause
    page.wait_for_timeout(100)
    r["frames_paused"], r["cpu_paused"] = busy(page, cdp, 2000)
    page.click('.raft-scene [data-action="play"]')  # play again, then hide the tab
    page.evaluate(HIDE, True)
    page.wait_for_timeout(100)
    r["frames_hidden"], r["cpu_hidden"] = busy(page, cdp, 2000)
    ctx.close()
    # --- warm through the service worker: one visit fills its cache, then a new tab.
    ctx = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
    guard(ctx, watch, block_requests=False)
    page = ctx.new_page()
    page.set_default_timeout(180_000)
    page.goto(SCENE01)
    page.wait_for_function("() => window.__raft && window.__raft.offline")
    status = page.evaluate("() => window.__raft.offline")  # resolves once the worker holds the site
    page.wait_for_timeout(2000)
    page = new_tab(ctx, page)
    page.goto(SCENE01)
    page.wait_for_selector(READY, timeout=120_000)
    if status and status.get("complete") and page.evaluate("() => !!navigator.serviceWorker.controller"):
        r["interactive_warm_sw"] = page.evaluate(TIMINGS)["ready"]
    else:
        print("WARNING: the service worker did not take over; no warm (service worker) figure", status, file=sys.stderr)
    ctx.close()
    if watch.foreign:
        print("WARNING: requests to other hosts:", watch.foreign)
    return r


def machine(browser) -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "os": f"{platform.system()} {platform.release()}",
            "browser": f"Chromium {browser.version} (headless)", "python": platform.python_version()}


def summarise(runs: list[dict]) -> dict:
    out = {}
    for name, (label, unit, target) in FIGURES.items():
        values = [r[name] for r in runs if r.get(name) is not None]
        if not values:
            continue
        med = statistics.median(values)
        out[name] = {"label": label, "unit": unit, "median": med, "min": min(values), "max": max(values),
                     "target": target, "met": None if target is None else med <= target, "values": values}
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--site", type=Path, default=None, help="a built site (default: build one for a free port)")
    ap.add_argument("--port", type=int, default=None, help="with --site: the port its site_url names (default 8000)")
    ap.add_argument("--json", type=Path, default=DEFAULT_JSON, help=f"where to write the results (default {DEFAULT_JSON.relative_to(ROOT)})")
    args = ap.parse_args()
    port = args.port or (8000 if args.site else free_port())
    if args.site is None:
        os.environ["SITE_URL"] = f"http://127.0.0.1:{port}/"  # instant navigation needs the served origin
    site = site_or_build(args.site)
    if site is None:
        return 1
    base = f"http://127.0.0.1:{port}/"
    from playwright.sync_api import sync_playwright

    httpd = serve(site, port=port)
    runs: list[dict] = []
    try:
        with sync_playwright() as p:
            browser = launch(p)
            about = machine(browser)
            cache: dict = {}
            for i in range(args.runs):
                runs.append(one_run(browser, base, site, cache))
                print(f"run {i + 1}/{args.runs}: interactive cold {runs[-1]['interactive_cold']:.0f} ms", file=sys.stderr)
            browser.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    results = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": about,
        "runs": args.runs,
        "server": "tests/browser/browser_helpers.py serve(): Python ThreadingHTTPServer, HTTP/1.0, no compression",
        "command": "make bench  (.venv/bin/python benchmarks/browser.py --runs %d)" % args.runs,
        "figures": summarise(runs),
        "breakdown_cold": {k: statistics.median([r["breakdown"][k] for r in runs if r["breakdown"].get(k) is not None])
                           for k in ("boot_start", "pyodide", "boot", "mount")},
        "snapshot_used": all(r["breakdown"]["snapshot"] for r in runs),
        "files_first_scene_kb_gzip": dict(sorted(runs[-1]["files_first"].items(), key=lambda kv: -kv[1])),
    }
    print(benchmark_table(results))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"\nwritten: {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
