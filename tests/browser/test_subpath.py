"""The site hosted under a sub-path, as on GitHub Pages (https://<owner>.github.io/<repo>/).

Built with ``SITE_URL=http://127.0.0.1:<port>/raft/`` (the one place the address comes from)
and served from a folder whose ``raft/`` holds the site, so nothing outside ``/raft/`` exists:
the pages, the glue (``raft-boot.mjs`` derives its base from its own module URL), the wheel
and the Pyodide runtime must all load from under ``/raft/``. A scene becomes live there, both
on a direct visit and after navigating from the home page.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from browser_helpers import SCENE01, Watch, _Handler, free_port, guard, wait_ready

from raftsite.linkcheck import check

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def subpath_site(tmp_path_factory):
    port = free_port()
    base = f"http://127.0.0.1:{port}/raft/"
    www = tmp_path_factory.mktemp("www")
    env = dict(os.environ, SITE_URL=base, NO_MKDOCS_2_WARNING="1", PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(www / "raft")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    httpd = _serve(www, port)
    try:
        yield base, www / "raft"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _serve(www: Path, port: int) -> http.server.ThreadingHTTPServer:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(_Handler, directory=str(www)))
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, name="subpath-server", daemon=True).start()
    return httpd


def test_subpath_build_uses_its_site_url_and_passes_the_link_check(subpath_site):
    base, site = subpath_site
    home = (site / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{base}">' in home
    report = check(site)
    assert report.site_url == base
    assert report.problems == []
    # Root-relative URLs (Material's 404 page uses them) carry the sub-path.
    assert 'href="/raft/assets/' in (site / "404.html").read_text(encoding="utf-8")


def test_scene_becomes_live_under_the_sub_path(chromium, subpath_site):
    base, _site = subpath_site
    watch = Watch()
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    guard(context, watch)
    requested: list[str] = []
    context.on("request", lambda r: requested.append(r.url))
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.on("console", lambda m: watch.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.page_errors.append(str(e)))
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    try:
        # Home, then follow its link to scene 01 (Material's navigation under the sub-path).
        assert page.goto(base).ok
        # Material's bundle starts after the page's first paint (plugin/material_start.py), which
        # can be after the load event: until then a link is an ordinary (full) navigation.
        page.wait_for_function("() => window.document$ !== undefined")
        page.evaluate("() => { window.__sameDocument = true; }")
        page.locator(f'article a[href$="{SCENE01}"]').first.click()  # instant navigation makes hrefs absolute
        page.wait_for_url(base + SCENE01)
        wait_ready(page)
        assert page.evaluate("() => window.__raftBoots") == 1
        # Material's instant navigation works under the sub-path: no full page load happened.
        assert page.evaluate("() => window.__sameDocument === true")
        # A direct visit, as from a bookmark.
        assert page.goto(base + SCENE01).ok
        wait_ready(page)
        page.click('.raft-scene [data-action="play"]')  # a scene opens paused on its opening frame
        page.wait_for_function(
            "() => { const t = document.querySelector('.raft-scene [data-role=\"time\"]');"
            " return t && /t = [1-9]/.test(t.textContent); }"
        )
        glue = page.evaluate("() => [...document.scripts].map(s => s.src).filter(s => s.endsWith('raft-boot.mjs'))")
        assert glue == [base + "assets/raft/raft-boot.mjs"]
    finally:
        context.close()
    assert not watch.foreign, f"requests to other hosts (blocked): {watch.foreign}"
    outside = [u for u in requested if not u.startswith(base) and not u.startswith(("data:", "blob:"))]
    assert not outside, f"requests outside {base}: {outside}"
    # the runtime came from under the sub-path (the .wasm ships gzipped: pyodide.asm.wasm.gz)
    assert any(u.startswith(base + "assets/pyodide/") and u.endswith((".wasm", ".wasm.gz")) for u in requested)
    # … and so did the wheel (precompiled: a .tar.gz; a build without bytecode: the .whl)
    assert any(u.startswith(base + "assets/wheels/") and u.endswith((".tar.gz", ".whl")) for u in requested)
    assert not failed, failed
    assert not watch.page_errors, watch.page_errors
    assert not watch.console_errors, watch.console_errors


def test_the_site_works_offline_under_the_sub_path(chromium, subpath_site, tmp_path):
    """The service worker lives at /raft/sw.js, controls /raft/ only, and after one visit the
    sub-path site works with its server stopped (its own server: the fixture's keeps running)."""
    _base, site = subpath_site
    www = tmp_path / "www"
    shutil.copytree(site, www / "raft")
    port = free_port()
    base = f"http://127.0.0.1:{port}/raft/"
    httpd = _serve(www, port)
    watch = Watch()
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, service_workers="allow")
    guard(context, watch)
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.on("pageerror", lambda e: watch.page_errors.append(str(e)))
    try:
        try:
            assert page.goto(base).ok
            page.wait_for_function("() => window.__raft && window.__raft.offline")
            assert page.evaluate("() => window.__raft.offline")["complete"] is True
            scope = page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).scope")
            assert scope == base
        finally:
            httpd.shutdown()
            httpd.server_close()
        response = page.goto(base + SCENE01)
        assert response.ok and response.from_service_worker
        wait_ready(page)
    finally:
        context.close()
    assert not watch.foreign, watch.foreign
    assert not watch.page_errors, watch.page_errors
