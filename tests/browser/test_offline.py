"""Offline (issue 8): after one visit the whole site works with the server stopped, and a new
build replaces the old one as a whole.

The service worker (``raftsite/assets/raft/sw.js``, written to the site's root with the
build's file list) precaches every file of the build. ``window.__raft.offline`` resolves once
it is active, to ``{version, files, cached, complete}``.

Each test serves its own copy of a site on a free port (it stops or rebuilds that server; no
instant navigation is needed: every page is opened by a full load, the hardest case for a
cache), in a browser context that allows service workers.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse
from xml.etree import ElementTree

import pytest
from browser_helpers import Watch, _Handler, free_port, guard, wait_ready, wait_js

ROOT = Path(__file__).resolve().parents[2]
OFFLINE = "() => window.__raft.offline"
CACHES = "() => caches.keys()"


class Server:
    """A static server for one folder on a free port that a test can stop."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), functools.partial(_Handler, directory=str(directory)))
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, name="offline-test-server", daemon=True).start()

    def stop(self):
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None


def build(out: Path, commit: str) -> None:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONDONTWRITEBYTECODE="1", RAFT_COMMIT=commit)
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def site_pages(site: Path) -> list[str]:
    """Every page of the built site, from its sitemap, as paths relative to the site's root."""
    tree = ElementTree.parse(site / "sitemap.xml")
    paths = [urlparse(el.text).path for el in tree.iter() if el.tag.endswith("loc")]
    root = min(paths, key=len)  # the home page
    return [p[len(root):] for p in paths]


def manifest(site: Path) -> dict:
    """The build's file list, as the plugin wrote it in front of sw.js."""
    head = (site / "sw.js").read_text(encoding="utf-8").split("\n", 1)[0]
    assert head.startswith("self.RAFT_BUILD = ") and head.endswith(";"), head[:80]
    return json.loads(head[len("self.RAFT_BUILD = ") : -1])


@pytest.fixture
def context(chromium):
    watch = Watch()
    ctx = chromium.new_context(viewport={"width": 1280, "height": 900}, service_workers="allow")
    guard(ctx, watch)
    yield ctx, watch
    ctx.close()
    assert not watch.foreign, f"requests to other hosts (blocked): {watch.foreign}"


def open_page(ctx, watch):
    page = ctx.new_page()
    page.set_default_timeout(90_000)
    page.on("pageerror", lambda e: watch.page_errors.append(str(e)))
    return page


def wait_offline_ready(page) -> dict:
    page.wait_for_function("() => window.__raft && window.__raft.offline")
    status = page.evaluate(OFFLINE)
    assert status and status["complete"], status
    return status


def test_after_one_visit_every_page_works_with_the_server_stopped(built_site, tmp_path, context):
    ctx, watch = context
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    pages = site_pages(site)
    scenes = [p for p in pages if 'class="raft-scene"' in (site / p / "index.html").read_text(encoding="utf-8")]
    assert len(pages) > 10 and len(scenes) >= 6, (pages, scenes)
    server = Server(site)
    try:
        page = open_page(ctx, watch)
        assert page.goto(server.base + "about/").ok  # one page, no scene on it: Python never ran online
        status = wait_offline_ready(page)
        build = manifest(site)
        assert status == {"version": build["version"], "files": len(build["files"]), "cached": len(build["files"]), "complete": True}
        listed = {f[0] for f in build["files"]}
        assert set(pages) <= listed and "assets/pyodide/pyodide.asm.wasm.gz" in listed
        # The memory snapshot is the one file kept inflated (the build ships it gzipped), so a
        # visit spends no time inflating it: its cached bytes are the heap's sparse form.
        inflated = [f[0] for f in build["files"] if f[2:] == ["inflate"]]
        assert len(inflated) == 1 and "/pyodide-snapshot-" in "/" + inflated[0], inflated
        head = page.evaluate(
            "async (url) => { const r = await caches.match(new URL(url, location.origin + '/').href);"
            " return r && [...new Uint8Array(await r.arrayBuffer()).subarray(0, 8)]; }", inflated[0])
        assert bytes(head) == b"RAFTHEAP", head
        assert (site / inflated[0]).read_bytes()[:2] == b"\x1f\x8b"  # the site's file: gzip
    finally:
        server.stop()
    failed: list[str] = []
    # (A request cut short by the next navigation is not a failure: the lab page, for one,
    # starts loading Python at once and this loop does not wait for it.)
    page.on("requestfailed", lambda r: failed.append(f"{r.url}: {r.failure}") if r.failure != "net::ERR_ABORTED" else None)
    for path in pages:
        response = page.goto(server.base + path)
        assert response is not None and response.ok, f"{path}: {response.status if response else 'no response'}"
        assert response.from_service_worker, path
        assert page.locator("article.md-content__inner").count() == 1, path  # the page itself (a scene nests its widget's)
        if path in scenes:
            wait_ready(page)  # Python booted from the cache: runtime, snapshot, wheel
            assert page.evaluate("() => window.__raft.timings.snapshot") is True, path  # restored, inflated
            page.click('.raft-scene [data-action="play"]')  # a scene opens paused on its opening frame
            page.wait_for_function(
                "() => { const t = document.querySelector('.raft-scene [data-role=\"time\"]');"
                " return t && /t = [1-9]/.test(t.textContent); }"
            )
    # A page that never existed gets the site's own 404 page, not the browser's error.
    response = page.goto(server.base + "no-such-page/")
    assert response.status == 404 and page.locator(".md-content").count() == 1
    assert not failed, f"requests that failed offline: {failed}"
    assert not watch.page_errors, watch.page_errors


def _version_of(worker) -> str | None:
    """The build a service worker serves, or None for one the browser has just stopped (A's,
    once B took over: asking it raises "Service worker restarted")."""
    try:
        return worker.evaluate("self.RAFT_BUILD.version")
    except Exception:
        return None


def test_a_new_build_replaces_the_old_cache_as_a_whole(tmp_path, context):
    """Build A is cached; build B (another commit: other pages, another sw.js) is deployed.
    While a page of A is open, A keeps serving, complete; once no page of A is left, B takes
    over and A's cache is gone. At no point does a page mix the two."""
    ctx, watch = context
    www = tmp_path / "www"
    build(www, "aaaaaaa")
    server = Server(www)
    footer = "() => document.querySelector('.raft-build').dataset.commit"
    mine = "(keys) => keys.filter((k) => k.startsWith('raft-site:'))"
    try:
        page = open_page(ctx, watch)
        page.goto(server.base + "about/")
        a = wait_offline_ready(page)["version"]
        # Deploy build B over A.
        build(tmp_path / "b", "bbbbbbb")
        shutil.rmtree(www)
        (tmp_path / "b").rename(www)
        # A page opened now is still A (the old worker serves it from its cache), all of it.
        page2 = open_page(ctx, watch)
        page2.goto(server.base + "about/")
        assert page2.evaluate(footer) == "aaaaaaa"
        page2.evaluate("() => navigator.serviceWorker.getRegistration().then((r) => r.update())")
        # B installs (its whole precache) and waits: A's pages are open.
        wait_js(page2, "async () => !!(await navigator.serviceWorker.getRegistration()).waiting")
        assert page2.evaluate(footer) == "aaaaaaa"
        assert page2.evaluate(f"async () => ({mine})(await caches.keys()).length") == 2
        page.close()
        page2.close()
        # No page of A is left: B activates (and deletes A's cache). Watched from B itself.
        b = manifest(www)["version"]
        (worker,) = [w for w in ctx.service_workers if _version_of(w) == b]
        for _ in range(100):
            if worker.evaluate("self.serviceWorker.state") == "activated":
                break
            time.sleep(0.1)
        page3 = open_page(ctx, watch)
        page3.goto(server.base + "about/")
        assert page3.evaluate(footer) == "bbbbbbb"
        assert wait_offline_ready(page3)["version"] == b != a
        wait_js(page3, f"async () => ({mine})(await caches.keys()).length === 1")
        (only,) = page3.evaluate(f"async () => ({mine})(await caches.keys())")
        assert only.endswith(":" + b)
    finally:
        server.stop()
    # B, alone, works offline.
    page3.goto(server.base + "scenes/01-replicated-state-machines/")
    wait_ready(page3)
    assert page3.evaluate(footer) == "bbbbbbb"
    assert not watch.page_errors, watch.page_errors


def test_a_file_that_does_not_match_the_build_is_never_cached(built_site, tmp_path, context):
    """A server half-way through a deploy serves one file of another build: the worker's
    install fails as a whole (each file is checked against its SHA-256) and no cache is left."""
    ctx, watch = context
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    css = site / "assets" / "raft" / "raft.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* another build */\n", encoding="utf-8")
    server = Server(site)
    try:
        page = open_page(ctx, watch)
        # How the worker the glue registers ends: "activated", or "redundant" (install failed).
        page.add_init_script(
            """window.__swOutcome = new Promise((resolve) => {
              const register = navigator.serviceWorker.register.bind(navigator.serviceWorker);
              navigator.serviceWorker.register = (...args) => register(...args).then((reg) => {
                const worker = reg.installing || reg.waiting || reg.active;
                const check = () => { if (["redundant", "activated"].includes(worker.state)) resolve(worker.state); };
                worker.addEventListener("statechange", check);
                check();
                return reg;
              });
            });"""
        )
        page.goto(server.base + "about/")
        outcome = page.evaluate("() => window.__swOutcome")
        assert outcome == "redundant"
        assert page.evaluate("async () => (await caches.keys()).filter((k) => k.startsWith('raft-site:'))") == []
    finally:
        server.stop()
