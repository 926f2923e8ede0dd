"""The offline bundle, as a reader uses it: unzip, run serve.py, open the pages — no network.

The zip is built by tools/bundle.py (what `make bundle` runs after `make site`) from this
session's strict build, unzipped into a temporary folder, and served by ITS OWN serve.py in a
subprocess on a free port. Chromium blocks (and the test fails on) every request that does not
go to that server.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from browser_helpers import SCENE01, Watch, free_port, guard, wait_ready

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bundle_server(built_site, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bundle")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "bundle.py"), "--site", str(built_site), "--out", str(tmp / "dist")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (zpath,) = (tmp / "dist").glob("raft-scenes-site-*.zip")
    with zipfile.ZipFile(zpath) as z:
        z.extractall(tmp / "unzipped")
    (folder,) = (tmp / "unzipped").iterdir()
    port = free_port()
    # A reader's machine: no project on the path, nothing but the unzipped folder.
    server = subprocess.Popen(
        [sys.executable, "-I", "serve.py", "--no-browser", "--port", str(port)],
        cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = server.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in line, (line, server.poll(), server.stderr.read() if server.poll() is not None else "")
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server.stdout.close()
        server.stderr.close()


def pages_to_load(site: Path) -> list[str]:
    """Two scene pages; while only scene 01 is built, the home page and scene 01."""
    scenes = sorted(p.parent.relative_to(site).as_posix() + "/" for p in site.glob("scenes/*/index.html"))
    assert SCENE01 in scenes
    return scenes[:2] if len(scenes) >= 2 else ["", *scenes]


def test_bundle_serves_the_site_and_its_scenes_become_live(chromium, bundle_server, built_site):
    watch = Watch()
    context = chromium.new_context(base_url=bundle_server, viewport={"width": 1280, "height": 900}, service_workers="block")
    guard(context, watch)
    requested: list[str] = []
    context.on("request", lambda r: requested.append(r.url))
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.on("console", lambda m: watch.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.page_errors.append(str(e)))
    live = []
    try:
        for url in pages_to_load(built_site):
            resp = page.goto(url)
            assert resp.ok, url
            assert page.locator("footer .raft-build").count() == 1
            if page.locator(".raft-scene").count() == 0:
                assert page.evaluate("() => window.__raftBoots") == 0  # no scene, no Python
                continue
            # Live: Python booted from the bundle, the scene mounted, the simulation clock runs.
            wait_ready(page)
            page.click('.raft-scene [data-action="play"]')  # a scene opens paused on its opening frame
            page.wait_for_function(
                "() => { const t = document.querySelector('.raft-scene [data-role=\"time\"]');"
                " return t && /t = [1-9]/.test(t.textContent); }"
            )
            live.append(url)
        assert SCENE01 in live
        assert any("/assets/pyodide/pyodide.asm.wasm" in u for u in requested)
        assert any("/assets/wheels/" in u and "-pyc-" in u and u.endswith(".tar.gz") for u in requested)  # the precompiled wheel
    finally:
        context.close()
    assert not watch.foreign, f"requests to other hosts (blocked): {watch.foreign}"
    assert all(u.startswith(bundle_server) or u.startswith(("data:", "blob:")) for u in requested)
    assert not watch.page_errors, watch.page_errors
    assert not watch.console_errors, watch.console_errors


def test_serve_py_refuses_a_folder_without_a_site(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-I", str(ROOT / "tools" / "serve.py"), "--no-browser", "--root", str(tmp_path)],
        capture_output=True, text=True, timeout=30,
    )
    assert proc.returncode == 2 and "no site" in proc.stderr
