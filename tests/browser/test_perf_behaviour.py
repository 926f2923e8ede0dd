"""What the speed figures rest on, as behaviour (issue 8): Python starts once per visit, and a
scene that is paused, or in a hidden tab, asks for no animation frames at all.

No timing is asserted here: benchmarks/browser.py measures how fast; these tests check what
happens. Frames are counted at the source: an init script wraps ``requestAnimationFrame``
and counts the requests made from the site's own modules (``assets/raft/``), so Material's
occasional frames do not count and a scene's controls' own loops do.
"""

from __future__ import annotations

import gzip

import pytest
from browser_helpers import (SCENE01, SCENE02, SCENE03, Watch, drawing, free_port, fresh_drawing, guard, press_play,
                             serve, set_speed, wait_ready)

COUNT_FRAMES = """
(() => {
  const request = window.requestAnimationFrame.bind(window);
  window.__raftFrames = 0;  // animation frames the site's modules asked for
  window.requestAnimationFrame = (callback) => {
    if (/\\/assets\\/raft\\//.test(new Error().stack || "")) window.__raftFrames += 1;
    return request(callback);
  };
})();
"""

FRAMES = "() => window.__raftFrames"
UI = "[...window.__raft.scenes.values()].find((u) => u.scene)"


@pytest.fixture(scope="module")
def any_port_site(built_site):
    """The site on a free port: these tests need no instant navigation (so not port 8000)."""
    port = free_port()
    httpd = serve(built_site, port=port)
    yield f"http://127.0.0.1:{port}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def scene_page(chromium, any_port_site):
    watch = Watch()
    context = chromium.new_context(base_url=any_port_site, viewport={"width": 1280, "height": 900}, service_workers="block")
    guard(context, watch)
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    pg.on("pageerror", lambda e: watch.page_errors.append(str(e)))
    pg.add_init_script(COUNT_FRAMES)
    yield pg
    context.close()
    assert not watch.foreign, watch.foreign
    assert not watch.page_errors, watch.page_errors


def frames_during(page, ms: int) -> int:
    """How many frames the site's modules ask for during the next ``ms`` milliseconds."""
    before = page.evaluate(FRAMES)
    page.wait_for_timeout(ms)
    return page.evaluate(FRAMES) - before


def open_playing(page, path: str = SCENE01) -> None:
    page.goto(path)
    wait_ready(page)
    page.click('.raft-scene [data-action="play"]')  # a scene opens paused on its opening frame
    page.wait_for_function(f"() => {UI}.playing === true")
    assert frames_during(page, 500) > 0, "a playing scene should ask for frames (else this test proves nothing)"


def settle(page) -> None:
    """Let the frame that was already requested run (it sees the new state and stops)."""
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")


def test_python_boots_once_across_instant_navigation_between_scenes(page):
    """One visit, three scene pages through Material's instant navigation: one document, one
    Python, each scene live, the previous scene unmounted (DESIGN.md: one Pyodide instance)."""
    page.goto(SCENE01)
    wait_ready(page)
    for path in (SCENE02, SCENE03, SCENE01):
        slug = path.rstrip("/").rsplit("/", 1)[-1]
        page.locator(f'.md-sidebar--primary a.md-nav__link[href$="{slug}/"]').first.click()
        page.wait_for_url(f"**/{path}")
        wait_ready(page)
    assert page.evaluate("() => window.__raftBoots") == 1
    assert page.evaluate("() => performance.getEntriesByType('navigation').length") == 1  # no full load
    assert page.evaluate("() => window.__raft.scenes.size") == 1  # scenes of the pages left behind are gone
    assert page.evaluate("() => document.querySelector('.raft-scene').dataset.state") == "ready"


SILENT_PAGE = """(() => { window.__raftPosted = 0;
  Worker.prototype.postMessage = function () { window.__raftPosted += 1; }; })();"""


def test_the_python_worker_boots_with_no_message_from_the_page(scene_page):
    """The worker's script carries where Python is (``self.RAFT_BOOT``), so it boots as soon
    as it runs. A "boot" message would cost a turn of the page's main thread, which is busy
    while the page is parsed (the cold boot's ``pyodide.mjs`` came 0.1 s later). Here the page
    cannot post anything to it, and Python still comes up."""
    page = scene_page
    page.add_init_script(SILENT_PAGE)
    page.goto(SCENE01)
    page.wait_for_function("() => window.__raft && window.__raft.timings.pythonReady !== undefined")
    timings = page.evaluate("() => window.__raft.timings")
    assert timings["workerStart"] < timings["moduleLoaded"] < timings["runtimeReady"] <= timings["pythonReady"]
    assert page.evaluate("() => window.__raftPosted") > 0  # the page did try (its calls), in vain


def test_a_paused_scene_asks_for_no_frames(scene_page):
    page = scene_page
    open_playing(page)
    page.click('.raft-scene [data-action="play"]')  # pause
    settle(page)
    ran = page.evaluate(f"() => {UI}.frameTimes.length")
    assert frames_during(page, 1000) == 0
    assert page.evaluate(f"() => {UI}.raf") is None
    assert page.evaluate(f"() => {UI}.frameTimes.length") == ran  # Python was not called either
    page.click('.raft-scene [data-action="play"]')  # and play resumes
    assert frames_during(page, 500) > 0


def test_each_frame_reports_its_python_time_apart_from_its_round_trip(scene_page):
    """The benchmark's "Python per frame" is the worker's own time in the call, not the trip
    through the main thread (which also waits while the page renders): each frame has both,
    and its Python time is part of its round trip."""
    page = scene_page
    open_playing(page)
    page.click('.raft-scene [data-action="play"]')  # pause
    settle(page)
    python, trips = page.evaluate(f"() => [{UI}.frameTimes, {UI}.frameTrips]")
    assert len(python) == len(trips) > 10
    assert all(isinstance(p, (int, float)) and p >= 0 for p in python) and sum(python) > 0
    # two clocks (the worker's, the page's), each coarsened to about 0.1 ms
    assert all(p <= t + 0.2 for p, t in zip(python, trips))
    assert sum(python) < sum(trips)  # the two trips through the event loops cost something


def test_a_scene_in_a_hidden_tab_asks_for_no_frames(scene_page):
    """Headless Chromium reports every tab visible; the page is told it is hidden the way a
    browser tells a tab sent to the background: ``document.hidden`` and a ``visibilitychange``."""
    page = scene_page
    open_playing(page)
    hide = """(hidden) => {
      Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (hidden ? "hidden" : "visible") });
      document.dispatchEvent(new Event("visibilitychange"));
    }"""
    page.evaluate(hide, True)
    settle(page)
    ran = page.evaluate(f"() => {UI}.frameTimes.length")
    assert frames_during(page, 1000) == 0
    assert page.evaluate(f"() => {UI}.frameTimes.length") == ran
    assert page.evaluate(f"() => {UI}.playing") is True  # still "playing": it resumes when visible
    page.evaluate(hide, False)
    assert frames_during(page, 500) > 0


#: Puts ``body`` (or, with none, the build's memory snapshot as served) into Cache Storage
#: under the snapshot's URL: what the service worker does after a first visit.
HOLD_SNAPSHOT = """async (body) => {
  const name = document.querySelector('meta[name="raft-snapshot"]').content;
  const url = new URL(document.querySelector('script[src$="assets/raft/raft-boot.mjs"]').src);
  url.pathname = url.pathname.replace(/raft\\/raft-boot\\.mjs$/, "pyodide/" + name);
  const res = body === null ? await fetch(url) : new Response(new Uint8Array(body));
  await (await caches.open("raft-test")).put(url.href, res);
  return url.href; }"""


def test_a_first_visit_boots_without_the_snapshot_and_from_the_gzipped_runtime(scene_page):
    """Issue 16, bytes: a first visit does not download the 7 MB memory snapshot (it boots
    from the precompiled stdlib), and gets Pyodide's .wasm as the build's .wasm.gz."""
    page = scene_page
    requested: list[str] = []  # what was downloaded (the worker's only-if-cached probe fails)
    page.context.on("requestfinished", lambda r: requested.append(r.url))
    assert page.goto(SCENE01).ok
    wait_ready(page)
    assert page.evaluate("() => window.__raft.timings.snapshot") is False
    assert not [u for u in requested if "pyodide-snapshot-" in u]
    assert [u for u in requested if u.endswith("/assets/pyodide/pyodide.asm.wasm.gz")]
    assert not [u for u in requested if u.endswith("/assets/pyodide/pyodide.asm.wasm")]
    assert [u for u in requested if "-pyc-" in u and u.endswith(".tar.gz")]  # the wheel, precompiled …
    assert not [u for u in requested if u.endswith(".whl")]  # … not the wheel as well


def test_a_broken_memory_snapshot_falls_back_to_a_normal_start(scene_page):
    """The snapshot is an optimisation: one that does not decompress, or is not a snapshot of
    this Pyodide, costs a warning, never the scene."""
    page = scene_page
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    assert page.goto(SCENE01).ok
    wait_ready(page)
    page.evaluate(HOLD_SNAPSHOT, list(gzip.compress(b"\0" * 4096)))  # held, but not a snapshot
    page.goto(SCENE01)
    wait_ready(page)
    assert page.evaluate("() => window.__raft.timings.snapshot") is False
    assert any("snapshot could not be used" in w for w in warnings), warnings
    page.click('.raft-scene [data-action="play"]')  # the scene runs (it opens paused)
    page.wait_for_function(
        "() => { const t = document.querySelector('.raft-scene [data-role=\"time\"]');"
        " return t && /t = [1-9]/.test(t.textContent); }"
    )


def test_the_memory_snapshot_is_used_once_held(scene_page):
    """The other side: once the browser holds the build's snapshot (the service worker
    precaches it after a first visit), Python starts from it."""
    page = scene_page
    assert page.goto(SCENE01).ok
    wait_ready(page)
    page.evaluate(HOLD_SNAPSHOT, None)
    assert page.goto(SCENE01).ok
    wait_ready(page)
    assert page.evaluate("() => window.__raft.timings.snapshot") is True
    # Python lives in the worker: no Pyodide, no heap, no snapshot on the page's main thread
    assert page.evaluate("() => typeof globalThis.pyodide") == "undefined"
    assert page.evaluate("() => typeof globalThis.loadPyodide") == "undefined"


def test_python_draws_only_what_the_screen_shows_and_a_resize_brings_the_other_up_to_date(page):
    """Issue 16 (Python per frame): the renderer writes a desktop and a phone drawing and CSS
    shows one, so each frame updates only the one on screen; resized across the breakpoint, the
    page shows the other drawing, current, without a frame of play."""
    page.goto(SCENE01)
    wait_ready(page)
    set_speed(page, "5")
    press_play(page)
    page.wait_for_function(r"""() => /t = [1-9]\d{2,}/.test(document.querySelector('.raft-scene [data-role="time"]').textContent)""")
    page.click('.raft-scene [data-action="play"]')  # pause
    assert page.evaluate("() => [...window.__raft.scenes.values()][0].shown") == "wide"
    # the phone drawing was left behind: its description (the state in words) is not the desktop one's
    desc = lambda elements: next(e.split("]", 1)[1] for e in elements if e.startswith("desc["))  # noqa: E731
    stale = drawing(page, "narrow")
    assert desc(stale) != desc(drawing(page, "wide"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_function("() => [...window.__raft.scenes.values()][0].shown === 'narrow'")
    page.evaluate("async () => { await window.__raft.python.settled(); }")
    now = drawing(page, "narrow")
    assert desc(now) == desc(drawing(page, "wide"))
    assert now == fresh_drawing(page, "narrow")  # exactly what a fresh full frame draws
