"""The plugin's head tags: what each page's ``<head>`` gets so the runtime starts early.

* the wheel's, the stdlib's, the precompiled modules' and the snapshot's names (``<meta>``),
  which the glue reads instead of guessing;
* on a page with a scene or the lab, preload hints for what the boot fetches;
* when there is a memory snapshot, a tiny inline script, first in ``<head>``, that has a
  worker fetch and decompress it while the page loads (``assets/build/snapshot-start.js``);
* the glue itself as an async module in ``<head>`` (not ``extra_javascript``, which Material
  puts at the end of ``<body>``), so Python starts loading while the page is parsed.
"""

from __future__ import annotations

import functools
import json
import re

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

from .runtime import ASSETS
from .service_worker import offline

#: Inlined into each page's <head> when there is a memory snapshot (not files of the site):
#: the starter, and the worker it runs (the snapshot's decoder, then the worker's body).
SNAPSHOT_STARTER = ASSETS / "build" / "snapshot-start.js"
SNAPSHOT_WORKER = (ASSETS / "build" / "snapshot-format.mjs", ASSETS / "build" / "snapshot-worker.js")


def on_post_page(plugin, output: str, page, config) -> str:
    root = get_relative_url(".", page.url)
    root = "" if root == "." else root.rstrip("/") + "/"
    # a scene, or the lab (which runs Python at once too): boot eagerly, preload the runtime
    has_scene = 'class="raft-scene"' in output or 'class="raft-lab"' in output
    tags = [f'<meta name="raft-wheel" content="{plugin.wheel.name}">']
    if plugin.stdlib is not None:
        tags.append(f'<meta name="raft-stdlib" content="{plugin.stdlib_name}">')
    if plugin.pyc is not None:
        tags.append(f'<meta name="raft-pyc" content="{plugin.pyc_name}">')
    if plugin.snapshot is not None:
        tags.append(f'<meta name="raft-snapshot" content="{plugin.snapshot_name}">')
        # First thing in <head> (after the charset): an inline script after the stylesheets
        # would wait for them.
        starter = snapshot_starter(root, plugin.snapshot_name, start=has_scene)
        charset = re.search(r"<meta charset=[^>]*>", output[:2048], re.I)
        at = charset.end() if charset else output.find("</head>")
        output = output[:at] + "\n" + starter + output[at:]
    # "on": the glue registers sw.js once Python is up; "off" (mkdocs serve): it removes a
    # service worker left by a build served on the same address, which would serve old pages.
    tags.append(f'<meta name="raft-sw" content="{"on" if offline(plugin) else "off"}">')
    if has_scene:
        tags.append('<meta name="raft-scene-page" content="1">')  # the glue boots Python at once
        if plugin.config.preload:
            tags.extend(preload_tags(plugin, root))
    tags.append(f'<script type="module" async src="{root}assets/raft/raft-boot.mjs"></script>')
    return output.replace("</head>", "\n".join(tags) + "\n</head>", 1)


def preload_tags(plugin, root: str) -> list[str]:
    """What a scene page's boot fetches, requested while the page is still parsed.

    The glue only runs once the parser and Material's bundle let it (about half a second
    into a cold load here); these hints start the downloads at once. ``as="fetch"`` with
    ``crossorigin`` matches the glue's and Pyodide's own ``fetch()`` calls, so nothing is
    fetched twice. The precompiled modules are only loaded when there is no snapshot.
    """
    fetched = [
        "pyodide/pyodide.asm.wasm",
        f"pyodide/{plugin.stdlib_name}" if plugin.stdlib is not None else "pyodide/python_stdlib.zip",
        "pyodide/pyodide-lock.json",
        f"wheels/{plugin.wheel.name}",
    ]
    if plugin.snapshot is None and plugin.pyc is not None:
        fetched.append(f"wheels/{plugin.pyc_name}")
    # (Not the snapshot: a worker fetches it, and a preload would be a second download.)
    tags = [f'<link rel="preload" href="{root}assets/{f}" as="fetch" crossorigin>' for f in fetched]
    tags.append(f'<link rel="modulepreload" href="{root}assets/pyodide/pyodide.mjs">')
    tags.append(f'<link rel="modulepreload" href="{root}assets/pyodide/pyodide.asm.mjs">')
    return tags


def _strip_header(code: str) -> str:
    """A JavaScript file without its leading ``//`` comment (which stays in the repository)."""
    lines = code.splitlines()
    while lines and (lines[0].startswith("//") or not lines[0].strip()):
        lines.pop(0)
    return "\n".join(lines)


@functools.lru_cache(maxsize=1)
def _snapshot_sources() -> tuple[str, str]:
    """(the starter, the worker's source): snapshot-format.mjs without ``export`` + the body."""
    fmt, body = (_strip_header(f.read_text(encoding="utf-8")) for f in SNAPSHOT_WORKER)
    fmt = re.sub(r"^export (?=(?:const|function|async function) )", "", fmt, flags=re.M)
    if re.search(r"^\s*(?:import|export)\b", fmt, flags=re.M):
        raise PluginError(f"raftsite: {SNAPSHOT_WORKER[0]} must be plain JavaScript (it runs as a classic worker)")
    starter = _strip_header(SNAPSHOT_STARTER.read_text(encoding="utf-8"))
    if not starter.endswith(SNAPSHOT_CALL):
        raise PluginError(f"raftsite: {SNAPSHOT_STARTER} must end with {SNAPSHOT_CALL!r}")
    return starter, fmt + "\n" + body


SNAPSHOT_CALL = "})(RAFT_SNAPSHOT, RAFT_WORKER, RAFT_NOW);"


def snapshot_starter(root: str, snapshot: str, start: bool) -> str:
    """``assets/build/snapshot-start.js``, inlined: it defines ``window.__raftStartSnapshot()``
    (a Blob worker fetches and decodes the memory snapshot) and, on a page with a scene
    (``start``), calls it at once — while the page is parsed, on another core."""
    starter, worker = _snapshot_sources()
    args = ", ".join(json.dumps(a).replace("</", "<\\/") for a in (root + "assets/pyodide/" + snapshot, worker, start))
    return "<script>" + starter[: -len(SNAPSHOT_CALL)] + "})(" + args + ");</script>"
