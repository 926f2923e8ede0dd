"""What a first visit downloads (issue 16, bytes): the runtime gzipped, a trimmed stdlib that
still holds every module the site imports, and the memory snapshot left to later visits.

Sizes are not asserted (benchmarks/browser.py prints them); what is checked is what the
bytes must still do."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

from site_helpers import ROOT

SCENE01_HTML = "scenes/01-replicated-state-machines/index.html"
BUILD_TIME = ("raftsite.plugin", "raftsite.markdown_ext", "raftsite.listings", "raftsite.linkcheck", "raftsite.blocks")


def starter_config(site: Path) -> dict:
    """The config the inline starter of scene 01's page gives the Python worker."""
    html = (site / SCENE01_HTML).read_text(encoding="utf-8")
    m = re.search(r'\}\)\((\{"pyodide".*?\}), ', html)
    assert m, "no Python starter in the page"
    return json.loads(m.group(1))


def test_the_worker_is_told_to_fetch_the_gzipped_runtime(built_site):
    """pyodide.asm.wasm.gz inflates to the very pyodide.asm.wasm of node_modules."""
    cfg = starter_config(built_site)
    assert cfg["wasm"].endswith("assets/pyodide/pyodide.asm.wasm.gz")
    gz = built_site / "assets/pyodide/pyodide.asm.wasm.gz"
    assert gzip.decompress(gz.read_bytes()) == (ROOT / "node_modules/pyodide/pyodide.asm.wasm").read_bytes()
    # and the service worker precaches the .gz, not the 9.6 MB the page never asks for
    sw = (built_site / "sw.js").read_text(encoding="utf-8")
    assert '"assets/pyodide/pyodide.asm.wasm.gz"' in sw and '"assets/pyodide/pyodide.asm.wasm"' not in sw


def test_the_service_worker_precaches_the_precompiled_wheel_not_the_wheel(built_site):
    """The worker unpacks the precompiled wheel in every case: the .whl stays in the site (a
    build without bytecode fetches it), and the service worker does not download it too."""
    cfg = starter_config(built_site)
    sw = (built_site / "sw.js").read_text(encoding="utf-8")
    wheel = next((built_site / "assets/wheels").glob("*-py3-none-any.whl"))
    assert cfg["pyc"] and f'"assets/wheels/{wheel.name}"' not in sw
    assert f'"assets/wheels/{cfg["pyc"].rsplit("/", 1)[1]}"' in sw


def test_a_first_visit_restores_the_snapshot_only_once_held(built_site):
    cfg = starter_config(built_site)
    assert cfg["snapshot"] and cfg["snapshotIfHeld"] is True
    assert cfg["pyc"]  # the precompiled wheel, which the worker unpacks in every case


#: Run in a fresh CPython (pytest's own imports would count otherwise): import every runtime
#: module of raftcore and raftsite, run every library scenario a little and draw it, print
#: the stdlib modules loaded.
PROBE = f"""
import importlib, json, pkgutil, sys, sysconfig
from pathlib import Path
for name in {BUILD_TIME[:4]!r}:  # walk_packages imports every package it walks into: not these (mkdocs)
    sys.modules[name] = None
import raftcore, raftsite
for pkg in (raftcore, raftsite):
    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        if info.name.startswith({BUILD_TIME!r}) or info.name.endswith("__main__") or info.name == "raftcore.lab.pool":
            continue
        importlib.import_module(info.name)
from raftcore.scenarios import SCENARIO_NAMES, load_scenario
from raftsite.render import Renderer
for name in SCENARIO_NAMES:
    run = load_scenario(name).start(strict=False)
    run.advance(500.0)
    Renderer(run.cluster).svg()
stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
print(json.dumps(sorted(
    m.__name__ for m in list(sys.modules.values())
    if getattr(m, "__file__", None) and "site-packages" not in m.__file__
    and Path(m.__file__).resolve().is_relative_to(stdlib))))
"""


def _stdlib_modules_the_site_imports() -> set[str]:
    proc = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


def test_the_trimmed_stdlib_holds_every_module_the_site_imports(built_site):
    """The stdlib zip the pages load is trimmed; each stdlib module this CPython loads to run
    every scenario must be in it whenever Pyodide's full zip has it (as .py or .pyc). The
    build step checks the same inside Pyodide; this is a second opinion from CPython."""
    name = next(p.name for p in (built_site / "assets/pyodide").glob("python_stdlib-*.zip"))
    cfg = starter_config(built_site)
    assert cfg["stdlib"].endswith(name)

    def modules(path: Path) -> set[str]:
        with zipfile.ZipFile(path) as z:
            return {
                re.sub(r"(/__init__)?\.pyc?$", "", n).replace("/", ".") for n in z.namelist() if n.endswith((".py", ".pyc"))
            }

    trimmed = modules(built_site / "assets/pyodide" / name)
    full = modules(ROOT / "node_modules/pyodide/python_stdlib.zip")
    assert len(trimmed) < len(full)  # it is trimmed
    needed = _stdlib_modules_the_site_imports() & full
    assert {"json", "heapq", "random", "html", "traceback", "encodings.utf_8"} <= needed | trimmed
    assert needed - trimmed == set()


def test_the_memory_snapshot_is_remade_byte_for_byte_from_elsewhere(built_site, tmp_path):
    """A returning reader keeps the snapshot (its name is a hash of its bytes) until a deploy
    changes it. Remade from the same stdlib, wheel and bytecode, with no build cache, by a copy
    of the build script in another folder (another checkout, the Pages runner), it must be the
    very file the site ships, or a deploy with no code change costs every reader 7.5 MB again.
    Before make-snapshot.mjs fixed entropy, clocks and the program name, 9 MB of its 31 MB heap
    differed from one run to the next."""
    cfg = starter_config(built_site)
    shipped, stdlib, pyc = (built_site / "assets" / cfg[key].split("assets/", 1)[1] for key in ("snapshot", "stdlib", "pyc"))
    wheel = next((built_site / "assets/wheels").glob("*-py3-none-any.whl"))
    scripts = tmp_path / "another" / "checkout"
    scripts.mkdir(parents=True)
    for name in ("make-snapshot.mjs", "snapshot-format.mjs", "wheel-files.mjs"):
        (scripts / name).write_bytes((ROOT / "raftsite/assets/build" / name).read_bytes())
    out = tmp_path / "remade.bin.gz"
    proc = subprocess.run(["node", str(scripts / "make-snapshot.mjs"), str(ROOT / "node_modules/pyodide"), str(stdlib),
                           str(wheel), str(pyc), str(out)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert out.read_bytes() == shipped.read_bytes()


MOUNTED = """
import json, sys
from raftsite.browser import mount
config = json.loads(sys.stdin.read())
mount(None, json.dumps(config)).full()
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("raftcore", "raftsite"))))
"""


def test_a_first_visit_compiles_none_of_the_modules_a_scene_runs(built_site):
    """Without the memory snapshot, the worker imports the wheel's modules from the build's
    precompiled wheel (sourceless ``.pyc``): each module a scene imports to run must be
    precompiled, or the reader's browser compiles it from source (``raftsite.blocks.fields``,
    which every control imports, was left out as "build time")."""
    with tarfile.open(built_site / "assets" / starter_config(built_site)["pyc"].split("assets/", 1)[1]) as tar:
        compiled = {re.sub(r"(/__init__)?\.pyc$", "", n).replace("/", ".") for n in tar.getnames() if n.endswith(".pyc")}
    html = (built_site / "scenes/03-leader-election/index.html").read_text(encoding="utf-8")
    config = re.search(r'<article class="raft-scene" id="[^"]*" data-scene="([^"]*)"', html)
    assert config, "no scene config in scene 03's page"
    import html as html_lib

    proc = subprocess.run([sys.executable, "-c", MOUNTED], input=html_lib.unescape(config.group(1)), cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    imported = set(json.loads(proc.stdout.strip().splitlines()[-1]))
    assert "raftsite.blocks.fields" in imported and "raftcore.node" in imported
    assert imported - compiled == set()
