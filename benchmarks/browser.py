"""Browser figures for the site, against the targets of issues 8 and 16 (prints numbers; asserts nothing).

    .venv/bin/python benchmarks/browser.py [--runs 5] [--site DIR --port 8000] [--json PATH]

Builds the site for a free port on 127.0.0.1 (``SITE_URL`` set to it, so Material's instant
navigation works there and port 8000 stays free for the tests) unless ``--site`` is given,
serves it with the test suite's static server (tests/browser/browser_helpers.py: HTTP/1.0, no
compression, the bundle's MIME types) and drives Debian's chromium through Playwright. Each
run starts from an empty browser profile, on disk as a reader's is (``new_profile``: an
in-memory one keeps no compiled code between loads, so every warm figure would be a slower
browser's). For every figure it prints the median and the
spread (min–max) over the runs next to its target, and writes everything, with the date,
the machine and each run's values, as JSON (default benchmarks/results/browser.json: the
docs' Performance page shows the table from that file).

Figures (scene 01 is the first scene; times from the start of the navigation):

* first frame: first contentful paint, cold — the prerendered SVG is in the HTML;
* Play changes the diagram, cold and warm (issue 16: ≤ 0.8 s cold, ≤ 0.4 s warm): the reader
  presses Play as soon as it answers (``PRESS_PLAY``: a click queued in the page the moment the
  button is enabled, which happens as soon as the scene is parsed, while Python boots in its
  worker and before Material's bundle runs) and this is
  the moment the diagram first changes, from the start of the navigation — while Python boots
  that is the build's reel of this very run (raftsite/reels.py); "interactive" below is when
  the live run has the scene;
* boot phases (cold, medians): when the Python worker started, ``pyodide.mjs`` was loaded, the
  memory snapshot was fetched and inflated, the wheel arrived, the runtime was up (wasm
  compiled and the heap restored), the bridge imported, the scene mounted and its first frame
  drawn — so the next person sees where the time goes; the same for the warm load through the
  service worker, which restores the memory snapshot;
* main-thread long tasks (PerformanceObserver ``longtask``): the time past 50 ms summed, and
  the longest task, during the cold boot (until the live scene is ready, the reel playing
  meanwhile) and during 3 s of live play (issue 16: ≤ 50 ms and no task over 120 ms);
* interactive, cold / warm: the scene's controls are live (``data-state="ready"``: a click
  on play advances the simulation). Warm, two seconds after the previous load (Chromium
  writes its compiled-code cache in the background meanwhile): a reload of the tab and a
  new tab, with the HTTP cache (a browser with no service worker: the page kept the memory
  snapshot there after the first boot, in the background), and a new tab once the service
  worker holds the site (its cache). A reload keeps the tab's renderer process and what it
  has compiled in memory; a new tab starts a new process with only the disk caches warm;
* scene-to-scene: from the click on the next scene in the sidebar (Material's instant
  navigation, Python already running) until that scene is interactive; Python boots per visit;
* Python ms per frame: ``scene.frame()`` while scene 05 (5 servers, client requests, messages
  in flight) plays, at its default speed and at 5×: median and 95th percentile, timed in the
  worker around the call; and, with no target, the round trip (from the main thread asking
  for the frame to it handling the answer: it also waits while the main thread renders);
* idle: animation frames the site's modules request, and main-thread busy time (CDP
  ``TaskDuration``), over 2 s playing, paused, and hidden (``document.hidden`` and a
  ``visibilitychange``, as a browser tells a tab sent to the background: headless
  Chromium has no background tabs);
* bytes for the first scene visit and for each later scene, gzip-compressed sizes of what
  was fetched (each file compressed as a server would), split into Pyodide's runtime, the
  memory snapshot and everything else; and "over the wire as GitHub Pages would send it":
  text types (html, css, js, mjs, json, svg, xml, txt) gzipped, archives (``.zip``, ``.whl``,
  the precompiled wheel's and the snapshot's ``.gz``) as they are, and the ``.wasm`` both ways (whether Pages compresses
  ``application/wasm`` is not documented: the figure assumes it does not, the breakdown
  gives the other case) — the service worker's background download of the whole site for
  offline use is not counted, and the memory snapshot a page with no service worker keeps in
  the HTTP cache after its boot, for the next visit, is reported apart (``mb_kept_no_sw``).
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "site"), str(ROOT / "tests" / "browser")]

from browser_helpers import (  # noqa: E402
    CHROMIUM, CHROMIUM_ARGS, NO_SERVICE_WORKERS, SCENE01, SCENE02, SCENE05, Watch, free_port, guard, launch, serve)
from machine_info import machine as this_machine  # noqa: E402  (benchmarks/, this script's own folder)
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
#: Long tasks on the main thread, from the start of the page (buffered), and the first moment
#: the diagram changes after a click on Play.
WATCH_PAGE = """(() => { window.__raftLong = [];
  try { new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__raftLong.push([e.startTime, e.duration]); })
    .observe({ type: "longtask", buffered: true }); } catch (e) {}
  document.addEventListener("click", (e) => {
    if (!(e.target.closest && e.target.closest('[data-action="play"]')) || window.__raftPlayAt !== undefined) return;
    window.__raftPlayAt = performance.now();
    const t = document.querySelector('.raft-scene [data-role="time"]');
    const first = t ? t.textContent : null;
    const mo = new MutationObserver(() => { if (t.textContent !== first) { window.__raftChangedAt = performance.now(); mo.disconnect(); } });
    if (t) mo.observe(t, { childList: true, characterData: true, subtree: true });
  }, true); })();"""
PLAY = '.raft-scene [data-action="play"]:not([disabled])'
CHANGED = "() => window.__raftChangedAt !== undefined"
PHASES = """() => { const t = window.__raft.timings; return { worker_start: t.workerStart, pyodide_mjs: t.moduleLoaded, wasm_fetched: t.wasmFetched,
  snapshot_inflated: t.snapshotDecoded, wheel_fetched: t.wheelFetched, runtime_up: t.runtimeReady, bridge_imported: t.pythonReady,
  scene_ready: t.readyAt, first_frame_after_play: window.__raftChangedAt }; }"""
LONG = "(since) => (window.__raftLong || []).filter(([s]) => s >= since)"


def long_tasks(page, since: float = 0.0, until: float | None = None) -> tuple[float, float]:
    """(time past 50 ms summed, the longest task) of the main thread's long tasks in a window."""
    tasks = [d for s, d in page.evaluate(LONG, since) if until is None or s < until]
    return sum(max(0.0, d - 50) for d in tasks), max(tasks, default=0.0)


#: The reader who presses Play the moment it answers: armed by a cookie for one navigation
#: (play_asap), it queues the click as a task as soon as the button is enabled, so the click
#: waits for the main thread as a real one does — and not for Playwright's polling, whose
#: back-off (20, 50, 100, 500 ms) and round trips through a busy page added 0.1–0.5 s.
PRESS_PLAY = """(() => {
  if (!document.cookie.includes("raft-bench-play=1")) return;
  document.cookie = "raft-bench-play=; max-age=0; path=/";
  const look = () => { const b = document.querySelector('.raft-scene [data-action="play"]');
    if (b && !b.disabled) { mo.disconnect(); setTimeout(() => b.click(), 0); } };
  const mo = new MutationObserver(look);
  mo.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["disabled"] }); })();"""


def play_asap(page, base: str, path: str) -> float:
    """Open ``path``, press Play as soon as it answers (PRESS_PLAY), and return when (ms from
    the start of the navigation) the diagram first changed."""
    page.context.add_cookies([{"name": "raft-bench-play", "value": "1", "url": base}])
    page.goto(path, wait_until="commit")
    page.wait_for_function(CHANGED, timeout=120_000)
    return page.evaluate("() => window.__raftChangedAt")


#: How GitHub Pages would send a file: text types compressed, archives as they are.
WIRE_TEXT = (".html", ".css", ".js", ".mjs", ".json", ".svg", ".xml", ".txt", ".map", "/")
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
    "play_cold": ("Play changes the diagram, cold (the build's reel until Python is up)", "ms", 800),
    "play_warm_reload": ("Play changes the diagram, warm: reload", "ms", 400),
    "play_warm_newtab": ("Play changes the diagram, warm: new tab", "ms", 400),
    "play_warm_sw": ("Play changes the diagram, warm: new tab (service worker cache)", "ms", 400),
    "long_boot_excess": ("Main thread, cold boot: long-task time past 50 ms", "ms", 50),
    "long_boot_max": ("Main thread, cold boot: longest task", "ms", 120),
    "long_play_excess": ("Main thread, 3 s of play: long-task time past 50 ms", "ms", 50),
    "long_play_max": ("Main thread, 3 s of play: longest task", "ms", 120),
    "mb_first_wire": ("First scene over the wire, as GitHub Pages sends it (.wasm not compressed)", "MB", 8),
    "interactive_cold": ("Interactive, cold: the live run has the scene", "ms", 1500),
    "interactive_warm_reload": ("Interactive, warm: reload (HTTP cache)", "ms", 800),
    "interactive_warm_newtab": ("Interactive, warm: new tab (HTTP cache)", "ms", 800),
    "interactive_warm_sw": ("Interactive, warm: new tab (service worker cache)", "ms", 800),
    "navigation": ("Scene to scene (instant navigation), interactive", "ms", 150),
    "boots_per_visit": ("Python boots per visit", "", 1),
    "frame_ms_default": ("Python per frame, scene 05 (5 servers) at its default speed, median", "ms", 2),
    "frame_ms_default_p95": ("Python per frame, scene 05 at its default speed, 95th percentile", "ms", 2),
    "frame_ms_5x": ("Python per frame, scene 05 at 5×, median", "ms", 2),
    "frame_trip_default": ("Frame round trip, scene 05 at its default speed, median (main thread to worker and back)", "ms", None),
    "frame_trip_5x": ("Frame round trip, scene 05 at 5×, median", "ms", None),
    "frames_paused": ("Animation frames in 2 s, paused", "", 0),
    "frames_hidden": ("Animation frames in 2 s, hidden tab", "", 0),
    "frames_playing": ("Animation frames in 2 s, playing (for comparison)", "", None),
    "cpu_paused": ("Main-thread busy in 2 s, paused", "ms", None),
    "cpu_hidden": ("Main-thread busy in 2 s, hidden tab", "ms", None),
    "cpu_playing": ("Main-thread busy in 2 s, playing (for comparison)", "ms", None),
    "kb_first_runtime": ("First scene: Pyodide runtime (gzip)", "KB", None),
    "kb_first_snapshot": ("First scene: memory snapshot (gzip)", "KB", None),
    "mb_kept_no_sw": ("Kept for the next visit with no service worker: the snapshot, in the background after the boot", "MB", None),
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
    """What a page (and its Python worker) fetched from the site, by kind, as gzip-compressed
    kilobytes; and as GitHub Pages would send it (``wire``, ``wire_wasm_gzip``)."""

    def __init__(self, context, site: Path, base: str, cache: dict):
        self.site, self.base, self.cache = site, base, cache
        self.urls: list[str] = []
        # the context sees the requests of its pages and of their workers
        context.on("requestfinished", lambda r: self.urls.append(r.url))

    def take(self, kept_snapshot: bool = False) -> dict[str, float]:
        """``kept_snapshot``: the page fetched the memory snapshot in the background after its
        boot, for the next visit (no service worker: ``keepSnapshotForNextVisit``); those bytes
        are counted apart (``kept``, MB on the wire), as the service worker's precaching is."""
        out = {"runtime": 0.0, "snapshot": 0.0, "other": 0.0, "wire": 0.0, "wire_wasm_gzip": 0.0, "kept": 0.0}
        self.files: dict[str, float] = {}
        for url in dict.fromkeys(self.urls):
            f = site_file(self.site, self.base, url)
            if f is None:
                continue
            rel = f.relative_to(self.site).as_posix()
            if kept_snapshot and "pyodide-snapshot-" in rel:
                out["kept"] += f.stat().st_size / 1e6
                continue
            kind = "snapshot" if "pyodide-snapshot-" in rel else "runtime" if rel.startswith("assets/pyodide/") else "other"
            out[kind] += gzip_kb(f, self.cache)
            self.files[rel] = round(gzip_kb(f, self.cache), 1)
            text = f.name.endswith(WIRE_TEXT)
            raw = f.stat().st_size / 1000
            out["wire"] += gzip_kb(f, self.cache) if text else raw
            out["wire_wasm_gzip"] += gzip_kb(f, self.cache) if text or f.suffix == ".wasm" else raw
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


def new_profile(playwright, **options):
    """A browser with an empty profile on disk, as a reader's is. Not Playwright's
    ``browser.new_context()``: that is an in-memory (incognito) profile, for which Chromium
    keeps no compiled-code cache — neither V8's for scripts nor the WebAssembly one — so every
    warm load there compiles Pyodide's 1.2 MB of JavaScript and its 9.6 MB ``.wasm`` again
    (measured 2026-12-06: a warm load through the service worker took 1.04–1.15 s in such a
    context, 0.77–0.88 s with a profile on disk). The folder goes when the context closes."""
    folder = tempfile.mkdtemp(prefix="raft-bench-profile-")
    ctx = playwright.chromium.launch_persistent_context(
        folder, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
        viewport={"width": 1280, "height": 900}, **options)
    ctx.on("close", lambda _: shutil.rmtree(folder, ignore_errors=True))
    return ctx


def one_run(playwright, base: str, site: Path, cache: dict) -> dict:
    r: dict = {}
    # --- cold, then warm (HTTP cache), then navigation, frames, idle: a browser with no
    # service worker (Playwright's "block" alone leaves register() pending for ever, which no
    # browser does: one without them has no navigator.serviceWorker).
    ctx = new_profile(playwright, base_url=base, service_workers="block")
    watch = Watch()
    guard(ctx, watch, block_requests=False)  # record only: interception would slow every response (and turns the HTTP cache off)
    ctx.add_init_script(WATCH_PAGE)
    ctx.add_init_script(PRESS_PLAY)
    ctx.add_init_script(NO_SERVICE_WORKERS)
    page = ctx.new_page()
    fetched = Bytes(ctx, site, base, cache)
    r["play_cold"] = play_asap(page, base, SCENE01)
    page.wait_for_selector(READY, timeout=120_000)
    t = page.evaluate(TIMINGS)
    r["phases"] = page.evaluate(PHASES)
    # the boot: until the live scene is ready (the reel plays meanwhile); then 3 s of live play
    r["long_boot_excess"], r["long_boot_max"] = long_tasks(page, 0.0, t["ready"])
    page.wait_for_timeout(3000)
    r["long_play_excess"], r["long_play_max"] = long_tasks(page, t["ready"])
    page.wait_for_load_state("networkidle")  # Material's search index and sitemap count too
    page.wait_for_function("() => window.__raft.timings.snapshotKept !== 'fetching'", timeout=120_000)
    first = fetched.take(kept_snapshot=page.evaluate("() => window.__raft.timings.snapshotKept") == "kept")
    r["files_first"] = fetched.files
    r.update(fcp_cold=t["fcp"], interactive_cold=t["ready"], breakdown=t)
    r.update(kb_first_runtime=first["runtime"], kb_first_snapshot=first["snapshot"], kb_first_other=first["other"])
    r.update(mb_first_wire=first["wire"] / 1000, mb_first_wire_wasm_gzip=first["wire_wasm_gzip"] / 1000)
    r["mb_kept_no_sw"] = first["kept"]
    page.wait_for_timeout(2000)  # a later visit: Chromium writes its code cache in the background
    r["play_warm_reload"] = play_asap(page, base, SCENE01)  # (a navigation to the same page: a reload)
    page.wait_for_selector(READY, timeout=120_000)
    page.wait_for_timeout(2000)
    page = new_tab(ctx, page)
    r["play_warm_newtab"] = play_asap(page, base, SCENE01)
    page.wait_for_timeout(2000)
    page.reload()
    page.wait_for_selector(READY, timeout=120_000)
    r["interactive_warm_reload"] = page.evaluate(TIMINGS)["ready"]
    page.wait_for_timeout(2000)
    page = new_tab(ctx, page)  # a new tab: a new renderer process, only the disk caches are warm
    page.add_init_script(COUNT_FRAMES)
    cdp = ctx.new_cdp_session(page)
    cdp.send("Performance.enable")
    fetched.take()
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
    if not page.evaluate(f"() => {UI}.playing"):  # scenes open paused on their opening frame
        page.click(PLAY)
    page.wait_for_function(f"() => {UI}.playing === true")
    for speed, key in ((None, "default"), ("5", "5x")):
        if speed:
            page.select_option('.raft-scene [data-action="speed"]', speed)
        page.evaluate(f"() => {{ {UI}.frameTimes.length = 0; {UI}.frameTrips.length = 0; }}")
        page.wait_for_timeout(3000)
        ft = sorted(page.evaluate(f"() => {UI}.frameTimes"))
        trips = page.evaluate(f"() => {UI}.frameTrips")
        r[f"frame_ms_{key}"] = statistics.median(ft) if ft else None
        if key == "default":
            r["frame_ms_default_p95"] = ft[int(0.95 * (len(ft) - 1))] if ft else None
        r[f"frame_trip_{key}"] = statistics.median(trips) if trips else None
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
    ctx = new_profile(playwright, base_url=base)
    guard(ctx, watch, block_requests=False)
    ctx.add_init_script(WATCH_PAGE)
    ctx.add_init_script(PRESS_PLAY)
    page = ctx.new_page()
    page.set_default_timeout(180_000)
    page.goto(SCENE01)
    page.wait_for_function("() => window.__raft && window.__raft.offline")
    status = page.evaluate("() => window.__raft.offline")  # resolves once the worker holds the site
    page.wait_for_timeout(2000)
    page = new_tab(ctx, page)
    play_sw = play_asap(page, base, SCENE01)
    page.wait_for_selector(READY, timeout=120_000)
    if status and status.get("complete") and page.evaluate("() => !!navigator.serviceWorker.controller"):
        r["play_warm_sw"] = play_sw
        r["interactive_warm_sw"] = page.evaluate(TIMINGS)["ready"]
        r["phases_sw"] = page.evaluate(PHASES)
    else:
        print("WARNING: the service worker did not take over; no warm (service worker) figure", status, file=sys.stderr)
    ctx.close()
    if watch.foreign:
        print("WARNING: requests to other hosts:", watch.foreign)
    return r


def machine(browser) -> dict:
    return {**this_machine(), "browser": f"Chromium {browser.version} (headless)"}


def phase_medians(runs: list[dict], key: str) -> dict:
    """Each boot phase's median over the runs that measured it (ms from the navigation's start)."""
    names = next((r[key] for r in runs if r.get(key)), {})
    return {k: round(statistics.median(v), 1) for k in names
            if (v := [r[key][k] for r in runs if r.get(key) and r[key].get(k) is not None])}


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
            browser = launch(p)  # only to say which Chromium: each run opens its own profiles
            about = machine(browser)
            browser.close()
            cache: dict = {}
            for i in range(args.runs):
                runs.append(one_run(p, base, site, cache))
                print(f"run {i + 1}/{args.runs}: interactive cold {runs[-1]['interactive_cold']:.0f} ms", file=sys.stderr)
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
        "phases_cold_ms": phase_medians(runs, "phases"),
        "phases_warm_sw_ms": phase_medians(runs, "phases_sw"),
        "mb_first_wire_if_wasm_compressed": statistics.median([r["mb_first_wire_wasm_gzip"] for r in runs]),
        "snapshot_used": all(r["breakdown"]["snapshot"] for r in runs),
        "files_first_scene_kb_gzip": dict(sorted(runs[-1]["files_first"].items(), key=lambda kv: -kv[1])),
    }
    print(benchmark_table(results))
    for key, what in (("phases_cold_ms", "Cold boot"), ("phases_warm_sw_ms", "Warm boot through the service worker (the snapshot restored)")):
        print(f"\n{what}, phase by phase (ms from the start of the navigation, medians):")
        for k, v in results[key].items():
            print(f"  {k:24} {v:8.1f}")
    print(f"First scene over the wire if Pages compressed .wasm too: {results['mb_first_wire_if_wasm_compressed']:.2f} MB")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"\nwritten: {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
