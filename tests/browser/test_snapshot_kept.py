"""The memory snapshot for the next visit when there is no service worker (issue 16, boot).

A first visit boots without the 7 MB snapshot; the Python worker restores it on a later visit
only if the browser holds it. The service worker precaches it with the rest of the site. A
browser without one (some private windows, a policy) never held it, so every visit started
CPython anew (about 1.4 s to interactive against about 0.8 s): the page now fetches it once,
after its own boot, at low priority, into the HTTP cache (``keepSnapshotForNextVisit`` in
``raft-boot.mjs``). A browser with a service worker does not fetch it twice.

Profiles on disk (``launch_persistent_context``): an in-memory profile's HTTP cache did not
keep the 7 MB file (measured: the next visit did not find it), as no reader's browser is."""

from __future__ import annotations

from browser_helpers import CHROMIUM, CHROMIUM_ARGS, NO_SERVICE_WORKERS, SCENE01, Watch, guard, wait_js, wait_ready

#: What the page itself fetches (not its workers, not the service worker): the URLs it gives
#: ``window.fetch``, in order.
PAGE_FETCHES = """(() => {
  const fetchBefore = window.fetch;
  window.__pageFetches = [];
  window.fetch = function (input, init) {
    window.__pageFetches.push(String(input instanceof Request ? input.url : input));
    return fetchBefore.apply(this, arguments);
  };
})();"""

SNAPSHOT_FETCHES = "() => window.__pageFetches.filter((u) => u.includes('/assets/pyodide/pyodide-snapshot-'))"


def profile(chromium, site_server, folder, **options):
    ctx = chromium.browser_type.launch_persistent_context(
        str(folder), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, base_url=site_server,
        viewport={"width": 1280, "height": 900}, **options)
    watch = Watch()
    guard(ctx, watch, block_requests=False)  # record only: Playwright's interception turns the HTTP cache off
    ctx.add_init_script(PAGE_FETCHES)
    return ctx, watch


def test_without_a_service_worker_the_page_keeps_the_snapshot_and_the_next_visit_restores_it(chromium, site_server, tmp_path):
    ctx, watch = profile(chromium, site_server, tmp_path / "profile", service_workers="block")
    try:
        ctx.add_init_script(NO_SERVICE_WORKERS)
        page = ctx.new_page()
        assert page.goto(SCENE01).ok
        wait_ready(page)
        assert page.evaluate("() => 'serviceWorker' in navigator") is False
        assert page.evaluate("() => window.__raft.timings.snapshot") is False  # the first visit boots without it
        wait_js(page, "() => window.__raft.timings.snapshotKept === 'kept'")
        kept = page.evaluate(SNAPSHOT_FETCHES)
        assert len(kept) == 1, kept  # once, by the page (its name from <meta name="raft-snapshot">)
        assert kept[0].startswith(site_server + "assets/pyodide/pyodide-snapshot-") and kept[0].endswith(".bin.gz")

        page.reload()  # a reload, then a new tab: both restore it from the HTTP cache
        wait_ready(page)
        assert page.evaluate("() => window.__raft.timings.snapshot") is True
        assert page.evaluate(SNAPSHOT_FETCHES) == []  # held already: not fetched again
        page.close()
        page = ctx.new_page()
        assert page.goto(SCENE01).ok
        wait_ready(page)
        assert page.evaluate("() => window.__raft.timings.snapshot") is True
        page.click('.raft-scene [data-action="play"]')  # the restored Python runs the scene
        page.wait_for_function(
            "() => { const t = document.querySelector('.raft-scene [data-role=\"time\"]');"
            " return t && /t = [1-9]/.test(t.textContent); }")
        assert page.evaluate("() => window.__raft.timings.snapshotKept") is None
    finally:
        ctx.close()
    assert not watch.foreign and not watch.page_errors, (watch.foreign, watch.page_errors)


def test_without_a_service_worker_a_page_with_no_python_fetches_no_snapshot(chromium, site_server, tmp_path):
    """Python never ran: the 7 MB are not this page's to spend."""
    ctx, watch = profile(chromium, site_server, tmp_path / "profile", service_workers="block")
    try:
        ctx.add_init_script(NO_SERVICE_WORKERS)
        page = ctx.new_page()
        assert page.goto("about/").ok
        page.wait_for_load_state("load")
        page.wait_for_timeout(2500)  # time enough for a fetch the page would make after its load
        assert page.evaluate(SNAPSHOT_FETCHES) == []
        assert page.evaluate("() => window.__raft && window.__raft.timings.snapshotKept") is None
    finally:
        ctx.close()
    assert not watch.foreign and not watch.page_errors, (watch.foreign, watch.page_errors)


def test_with_a_service_worker_the_page_leaves_the_snapshot_to_it(chromium, site_server, tmp_path):
    """The service worker precaches the snapshot with the whole site: the page does not fetch it
    a second time."""
    ctx, watch = profile(chromium, site_server, tmp_path / "profile", service_workers="allow")
    try:
        page = ctx.new_page()
        page.set_default_timeout(120_000)
        assert page.goto(SCENE01).ok
        wait_ready(page)
        page.wait_for_function("() => window.__raft && window.__raft.offline")
        status = page.evaluate("() => window.__raft.offline")
        assert status and status["complete"], status  # the service worker holds the site, snapshot included
        assert page.evaluate(SNAPSHOT_FETCHES) == []
        assert page.evaluate("() => window.__raft.timings.snapshotKept") is None
    finally:
        ctx.close()  # its service worker goes with its profile
    assert not watch.foreign and not watch.page_errors, (watch.foreign, watch.page_errors)
