"""The plugin's service worker: after one visit, the whole site works offline.

After the build, ``sw.js`` is written at the site's root: the list of every file of the
build with its SHA-256, then the worker (``assets/raft/sw.js``); a new build is a new
version and a new cache. Not under ``mkdocs serve`` (it would cache pages being edited).
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from mkdocs.plugins import get_plugin_logger

from .runtime import SW_TEMPLATE

log = get_plugin_logger(__name__)


def offline(plugin) -> bool:
    """Whether this build ships the service worker (the plugin option, and not serving)."""
    return bool(plugin.config.offline) and not plugin.serving


def on_post_build(plugin, config) -> None:
    if not offline(plugin):
        return
    skip = set()
    if plugin.stdlib is not None:  # the stock stdlib zip is shipped but never loaded
        skip.add("assets/pyodide/python_stdlib.zip")
    if plugin.wasm_gz is not None:  # the worker fetches pyodide.asm.wasm.gz instead
        skip.add("assets/pyodide/pyodide.asm.wasm")
    if plugin.pyc is not None:  # … and the precompiled wheel instead of the wheel
        skip.add(f"assets/wheels/{plugin.wheel.name}")
    # the memory snapshot: kept inflated, so that a visit does not inflate it again (sw.js)
    inflate = {f"assets/pyodide/{plugin.snapshot_name}"} if plugin.snapshot is not None else set()
    build = write_service_worker(Path(config.site_dir), skip, inflate)
    log.info("sw.js: %d files, %.1f MB precached (build %s)", len(build["files"]), build["bytes"] / 1e6, build["version"])


def service_worker_manifest(site: Path, skip: set[str] = frozenset(), inflate: set[str] = frozenset()) -> dict:
    """The service worker's list: every file of the built site with its SHA-256, and a version.

    URLs are relative to the site's root; a page ``x/index.html`` is listed as ``x/`` (the
    way the site links it); a file of ``inflate`` (gzip) has a third item, ``"inflate"``: the
    worker stores it inflated. ``version`` hashes the whole list, so a change to any file is a
    new version — and a new cache, which replaces the old one.
    """
    files = []
    total = 0
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        rel = path.relative_to(site).as_posix()
        if rel == "sw.js" or rel in skip or rel.endswith(".map"):  # source maps: for devtools only
            continue
        data = path.read_bytes()
        total += len(data)
        url = rel[: -len("index.html")] if rel == "index.html" or rel.endswith("/index.html") else rel
        files.append([url, "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode(), *(["inflate"] if rel in inflate else [])])
    version = hashlib.sha256("\n".join(" ".join(f) for f in files).encode()).hexdigest()[:16]
    return {"version": version, "files": files, "bytes": total}


def write_service_worker(site: Path, skip: set[str] = frozenset(), inflate: set[str] = frozenset()) -> dict:
    """Write ``site/sw.js``: the build's manifest, then the worker (``assets/raft/sw.js``)."""
    build = service_worker_manifest(site, skip, inflate)
    head = "self.RAFT_BUILD = " + json.dumps({"version": build["version"], "files": build["files"]}, separators=(",", ":"))
    (site / "sw.js").write_text(head + ";\n" + SW_TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
    return build
