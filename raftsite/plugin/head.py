"""The plugin's head tags: what each page's ``<head>`` gets so the runtime starts early.

* the wheel's, the stdlib's, the precompiled modules' and the snapshot's names (``<meta>``),
  which the link checker reads;
* first in ``<head>``, a tiny inline script (``assets/build/python-start.js``) that can start
  the **Python worker** — a Blob module worker made of ``snapshot-format.mjs``,
  ``wheel-files.mjs`` and ``python-worker.js`` — and, on a page with a scene or the lab,
  starts it at once, while the page is parsed: the worker fetches the runtime (the ``.wasm``
  gzipped), the wheel and — once the browser holds it, unless ``snapshot_first_visit`` — the
  memory snapshot itself
  (no ``<link rel=preload>``: a document's preloads are not shared with a worker, so each
  would be a second download);
* on a page with scenes, a second inline script (``assets/build/reel-start.js``) that fetches
  their reels while the page is parsed;
* the glue itself as an async module right after the starter (not ``extra_javascript``, which
  Material puts at the end of ``<body>``), which talks to that worker and paints what it sends;
  it mounts each scene as soon as the scene is parsed (``markdown_ext.MOUNT_HOOK``), so Play
  answers before Material's bundle has run.
"""

from __future__ import annotations

import functools
import json
import re

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

from .runtime import ASSETS, WASM_GZ
from .service_worker import offline

#: Inlined into each page's <head> (not files of the site): the starter, and the worker it
#: runs (its libraries — the snapshot's decoder, the precompiled wheel's reader — then its body).
PYTHON_STARTER = ASSETS / "build" / "python-start.js"
PYTHON_WORKER_LIBRARIES = (ASSETS / "build" / "snapshot-format.mjs", ASSETS / "build" / "wheel-files.mjs")
PYTHON_WORKER_BODY = ASSETS / "build" / "python-worker.js"

#: The bridge modules the worker imports as it boots (the lab imports its own on first use).
BOOT_MODULES = ("raftsite.browser",)


def on_post_page(plugin, output: str, page, config) -> str:
    root = get_relative_url(".", page.url)
    root = "" if root == "." else root.rstrip("/") + "/"
    # a scene, or the lab (which runs Python at once too): start the worker at once
    has_scene = 'class="raft-scene"' in output or 'class="raft-lab"' in output
    tags = [f'<meta name="raft-wheel" content="{plugin.wheel.name}">']
    if plugin.stdlib is not None:
        tags.append(f'<meta name="raft-stdlib" content="{plugin.stdlib_name}">')
    if plugin.pyc is not None:
        tags.append(f'<meta name="raft-pyc" content="{plugin.pyc_name}">')
    if plugin.snapshot is not None:
        tags.append(f'<meta name="raft-snapshot" content="{plugin.snapshot_name}">')
    # First thing in <head> (after the charset): an inline script after the stylesheets
    # would wait for them. (Inserted with the other tags, below.)
    starter = python_starter(runtime_config(plugin, root), start=has_scene)
    # "on": the glue registers sw.js once Python is up; "off" (mkdocs serve): it removes a
    # service worker left by a build served on the same address, which would serve old pages.
    tags.append(f'<meta name="raft-sw" content="{"on" if offline(plugin) else "off"}">')
    if has_scene:
        tags.append('<meta name="raft-scene-page" content="1">')  # the glue mounts scenes at once
        # the scenes' reels (raftsite/reels.py), asked for at once (assets/build/reel-start.js)
        reels = list(dict.fromkeys(_REEL.findall(output)))
        if reels:
            starter += "\n" + reel_starter(reels)
    # The glue last, after the tags it reads: behind the stylesheets and Material's inline
    # scripts the parser would find it only once they have loaded, so all of these go right
    # after the starter. Async: it runs as soon as it arrives, and mounts each scene already
    # parsed (the rest as they are: markdown_ext.MOUNT_HOOK).
    tags.append(f'<script type="module" async fetchpriority="high" src="{root}assets/raft/raft-boot.mjs"></script>')
    charset = re.search(r"<meta charset=[^>]*>", output[:2048], re.I)
    at = charset.end() if charset else output.find("</head>")
    return output[:at] + "\n" + starter + "\n" + "\n".join(tags) + output[at:]


#: a scene's reel in its ``data-scene`` attribute (JSON, HTML-escaped)
_REEL = re.compile(r"&quot;reel&quot;:\s*&quot;([^&]+)&quot;")


def runtime_config(plugin, root: str) -> dict:
    """Where the worker finds the runtime, relative to the page (the starter resolves them)."""
    pyodide = f"{root}assets/pyodide/"
    return {
        "pyodide": pyodide,
        # the runtime gzipped (the worker inflates it): None, and Pyodide fetches the .wasm
        "wasm": pyodide + WASM_GZ if plugin.wasm_gz is not None else None,
        "wheel": f"{root}assets/wheels/{plugin.wheel.name}",
        "stdlib": pyodide + plugin.stdlib_name if plugin.stdlib is not None else None,
        # the wheel precompiled at build time (precompile-wheel.mjs): the worker unpacks it
        # instead of the wheel
        "pyc": f"{root}assets/wheels/{plugin.pyc_name}" if plugin.pyc is not None else None,
        "snapshot": pyodide + plugin.snapshot_name if plugin.snapshot is not None else None,
        # the snapshot only once the browser holds it (plugin option snapshot_first_visit)
        "snapshotIfHeld": not plugin.config.snapshot_first_visit,
        "modules": list(BOOT_MODULES),
    }


def _strip_header(code: str) -> str:
    """A JavaScript file without its leading ``//`` comment (which stays in the repository)."""
    lines = code.splitlines()
    while lines and (lines[0].startswith("//") or not lines[0].strip()):
        lines.pop(0)
    return "\n".join(lines)


def inline_script(path, call: str, args: tuple) -> str:
    """A script of ``assets/build`` that ends by calling itself with placeholders (``call``),
    as an inline ``<script>`` called with ``args`` (JSON) instead."""
    code = _strip_header(path.read_text(encoding="utf-8"))
    if not code.endswith(call):
        raise PluginError(f"raftsite: {path} must end with {call!r}")
    values = ", ".join(json.dumps(a).replace("</", "<\\/") for a in args)
    return "<script>" + code[: -len(call)] + "})(" + values + ");</script>"


@functools.lru_cache(maxsize=1)
def _worker_source() -> str:
    """The Python worker's source: its libraries without ``export``, then its body."""
    parts = []
    for lib in PYTHON_WORKER_LIBRARIES:
        code = re.sub(r"^export (?=(?:const|function|async function) )", "",
                      _strip_header(lib.read_text(encoding="utf-8")), flags=re.M)
        if re.search(r"^\s*(?:import|export)\b", code, flags=re.M):
            raise PluginError(f"raftsite: {lib} must be plain JavaScript (it is inlined into the worker)")
        parts.append(code)
    parts.append(_strip_header(PYTHON_WORKER_BODY.read_text(encoding="utf-8")))
    return "\n".join(parts)


STARTER_CALL = "})(RAFT_CONFIG, RAFT_WORKER, RAFT_NOW);"

#: Inlined after the Python starter on a page with reels: it fetches them while the page is parsed.
REEL_STARTER = ASSETS / "build" / "reel-start.js"
REEL_STARTER_CALL = "})(RAFT_REELS);"


def reel_starter(urls: list[str]) -> str:
    """``assets/build/reel-start.js``, inlined, for these reels (relative to the page)."""
    return inline_script(REEL_STARTER, REEL_STARTER_CALL, (urls,))


def python_starter(config: dict, start: bool) -> str:
    """``assets/build/python-start.js``, inlined: it defines ``window.__raftStartPython()``
    (a Blob module worker that boots Python) and, on a page with a scene or the lab
    (``start``), calls it at once — while the page is parsed, on another core."""
    return inline_script(PYTHON_STARTER, STARTER_CALL, (config, _worker_source(), start))
