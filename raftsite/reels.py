"""The reels: the first seconds of Play and of Next ▶ of each scene, recorded at build time.

Python takes one to two seconds to start in a reader's browser (Pyodide's runtime compiles and
boots in the Web Worker). A reader who presses Play or Next ▶ meanwhile should see the scene
move at once, not a button that waits. The simulation is deterministic — the same seed gives
the same trace in CPython and in Pyodide, a tested promise — so the build can run the very
scene the reader will run (:class:`raftsite.browser.Scene`, same configuration, same seed),
record the updates of its first frames (:meth:`~raftsite.browser.Scene.record_reel`) and ship
them as a small JSON file. The glue plays them while Python boots; once the scene is live it
asks Python to replay the same calls up to the frame on screen
(:meth:`~raftsite.browser.Scene.replay_reel`), and the live run takes over from that frame.

A scene whose run depends on the page's address (a control with ``reel = False``: the lab's
replay, the playground's links) has no reel, nor does a page opened with ``?seed=`` or
``?step=`` (the glue checks).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

__all__ = ["DIRECTORY", "reel_allowed", "record", "write", "forget"]

#: where the reels go, relative to the site's root
DIRECTORY = "assets/reels"

#: path under the site's root -> JSON bytes, recorded while pages are converted
_recorded: dict[str, bytes] = {}


def reel_allowed(runtime: dict) -> bool:
    """Whether a scene's run is the one its block names (no control supplies it from the address)."""
    from raftsite.controls import get as control_class

    return all(control_class(c["kind"]).reel for c in runtime.get("controls") or ())


def record(runtime: dict) -> str | None:
    """Record the reels of the scene configured by ``runtime`` (the block's runtime
    configuration, seed included); return their file's path under the site's root, or None."""
    if not reel_allowed(runtime):
        return None
    from raftsite.browser import opening

    reels = {}
    for kind in ("play", "next"):
        scene = opening(runtime)
        reels[kind] = scene.record_reel(kind)
        scene.unmount()
    data = json.dumps(reels, separators=(",", ":"), sort_keys=True).encode()
    # the content's hash names the file: a changed scene is a new file, never a stale cached one
    path = f"{DIRECTORY}/{runtime['id']}-{hashlib.sha256(data).hexdigest()[:12]}.json"
    _recorded[path] = data
    return path


def write(site_dir: Path) -> int:
    """Write the reels recorded by this build into the site; the number written."""
    for rel, data in _recorded.items():
        out = Path(site_dir) / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    return len(_recorded)


def forget() -> None:
    """A new build starts (``mkdocs serve`` rebuilds in the same process)."""
    _recorded.clear()
