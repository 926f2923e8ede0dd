"""The plugin's first job: the Python runtime into the site.

* builds the project's pure-Python wheel (hatchling's API, no network) and adds it to the
  site as ``assets/wheels/<wheel>``;
* adds Pyodide's runtime files from ``node_modules/pyodide`` as ``assets/pyodide/*``
  (installed by ``npm ci``; nothing is fetched from any other host), and the glue, styles and
  other files of ``raftsite/assets/raft`` as ``assets/raft/*``;
* precompiles the stdlib modules a scene imports at boot into a "hybrid" stdlib zip, trimmed
  to what the site can import (and checked by running the site on it)
  (``assets/build/precompile-stdlib.mjs``, run once per Pyodide release and cached): the
  measured boot lever of DESIGN.md — loadPyodide() itself gets several times faster — and
  the wheel itself (``precompile-wheel.mjs``: each runtime module a ``.pyc`` in its ``.py``'s
  place, one gzipped tar), whose files the Python worker writes instead of the wheel's;
* writes Pyodide's lock file with no packages (:func:`lock_without_packages`): the site ships
  none of the 357 packages Pyodide's own file lists, which every boot would fetch and read;
* gzips ``pyodide.asm.wasm`` into ``assets/pyodide/pyodide.asm.wasm.gz`` (plugin option
  ``precompress``): the Python worker fetches that and inflates it as it streams in, so the
  biggest file of a first visit is 3.5 MB on the wire and not 9.6 MB on a host that does not
  compress ``application/wasm`` (GitHub Pages does not document that it does);
* makes a Pyodide memory snapshot with the scenes' modules imported
  (``assets/build/make-snapshot.mjs``, checked by restoring it once; cached per wheel): the
  browser restores it instead of starting CPython, and falls back to a normal start.

What it made is kept on the plugin (``wheel``, ``wasm_gz``, ``stdlib``, ``pyc``, ``snapshot`` and their
names in the site) for the other hooks: the page head points to them, the service worker
precaches them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files

from raftsite.linkcheck import PYODIDE_FILES

log = get_plugin_logger(__name__)

ASSETS = Path(__file__).resolve().parent.parent / "assets"
#: The service worker's template: not copied with the other assets (written to the site's
#: root with the build's file list, see :mod:`raftsite.plugin.service_worker`).
SW_TEMPLATE = ASSETS / "raft" / "sw.js"


def on_config(plugin, config) -> None:
    """Check the Pyodide runtime is there; build the wheel, the precompiled stdlib and wheel,
    and the memory snapshot (each cached across builds), into this build's own folder."""
    cfg_dir = Path(config.config_file_path).resolve().parent
    plugin.project = Path(plugin.config.project_dir or cfg_dir).resolve()
    plugin.pyodide_dir = Path(plugin.config.pyodide_dir or plugin.project / "node_modules" / "pyodide")
    missing = [f for f in PYODIDE_FILES if not (plugin.pyodide_dir / f).is_file()]
    if missing:
        raise PluginError(
            f"raftsite: Pyodide runtime files missing in {plugin.pyodide_dir}: {', '.join(missing)}. "
            "Run `npm ci` (or `make site`)."
        )
    plugin.work = Path(tempfile.gettempdir()) / f"raftsite-{hashlib.sha1(str(plugin.project).encode()).hexdigest()[:10]}"
    # This build's own folder (other builds of this checkout may run at the same time).
    on_shutdown(plugin)
    plugin.work.mkdir(parents=True, exist_ok=True)
    for stale in plugin.work.glob("build-*"):  # left by a build that was killed
        if stale.stat().st_mtime < time.time() - 86400:
            shutil.rmtree(stale, ignore_errors=True)
    plugin.tmp = Path(tempfile.mkdtemp(prefix="build-", dir=plugin.work))
    plugin.wheel = build_wheel(plugin.project, plugin.tmp / "wheel")
    log.debug("built %s", plugin.wheel.name)
    plugin.stdlib = plugin.pyc = plugin.snapshot = plugin.wasm_gz = None
    cache = plugin.work / "cache"
    if plugin.config.precompress:
        plugin.wasm_gz = gzip_once(plugin.pyodide_dir / "pyodide.asm.wasm", cache, plugin.tmp / WASM_GZ)
    if plugin.config.precompile:
        plugin.stdlib = precompile_stdlib(plugin.pyodide_dir, plugin.wheel, cache, plugin.tmp / "stdlib.zip")
        digest = hashlib.sha256(plugin.stdlib.read_bytes()).hexdigest()[:12]
        plugin.stdlib_name = f"python_stdlib-{digest}.zip"
        if not plugin.serving:
            plugin.pyc = precompile_wheel(plugin.pyodide_dir, plugin.stdlib, plugin.wheel, cache, plugin.tmp / "pyc.tar.gz")
            digest = hashlib.sha256(plugin.pyc.read_bytes()).hexdigest()[:12]
            plugin.pyc_name = f"{plugin.wheel.name[:-4]}-pyc-{digest}.tar.gz"
            if plugin.config.snapshot:
                plugin.snapshot = make_snapshot(
                    plugin.pyodide_dir, plugin.stdlib, plugin.wheel, plugin.pyc, cache, plugin.tmp / "snapshot.bin.gz"
                )
                digest = hashlib.sha256(plugin.snapshot.read_bytes()).hexdigest()[:12]
                plugin.snapshot_name = f"pyodide-snapshot-{digest}.bin.gz"
    config.extra_css.append("assets/raft/raft.css")


def on_files(plugin, files: Files, config) -> Files:
    def add(dest: str, src: Path):
        existing = files.get_file_from_path(dest)
        if existing is not None:
            files.remove(existing)
        files.append(File.generated(config, dest, abs_src_path=str(src)))

    for name in PYODIDE_FILES:
        if name == LOCK_FILE:
            add(f"assets/pyodide/{name}", lock_without_packages(plugin.pyodide_dir / name, plugin.tmp / name))
        else:
            add(f"assets/pyodide/{name}", plugin.pyodide_dir / name)
    add(f"assets/wheels/{plugin.wheel.name}", plugin.wheel)
    if plugin.wasm_gz is not None:
        add(f"assets/pyodide/{WASM_GZ}", plugin.wasm_gz)
    if plugin.stdlib is not None:
        add(f"assets/pyodide/{plugin.stdlib_name}", plugin.stdlib)
    if plugin.pyc is not None:
        add(f"assets/wheels/{plugin.pyc_name}", plugin.pyc)
    if plugin.snapshot is not None:
        add(f"assets/pyodide/{plugin.snapshot_name}", plugin.snapshot)
    for path in sorted((ASSETS / "raft").rglob("*")):
        if path.is_file() and path != SW_TEMPLATE:  # sw.js goes to the root (on_post_build)
            add(f"assets/raft/{path.relative_to(ASSETS / 'raft').as_posix()}", path)
    return files


def on_shutdown(plugin) -> None:
    if getattr(plugin, "tmp", None) is not None:
        shutil.rmtree(plugin.tmp, ignore_errors=True)
        plugin.tmp = None


def build_wheel(project: Path, out_dir: Path) -> Path:
    """Build the project's wheel with hatchling's API into ``out_dir``; return its path."""
    from hatchling.builders.wheel import WheelBuilder

    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.whl"):
        old.unlink()
    builder = WheelBuilder(str(project))
    paths = list(builder.build(directory=str(out_dir), versions=["standard"]))
    if len(paths) != 1:
        raise PluginError(f"raftsite: expected one wheel, hatchling built {paths}")
    return Path(paths[0])


#: Pyodide's lock file: which packages its distribution has, where each is and what it imports.
LOCK_FILE = "pyodide-lock.json"


def lock_without_packages(src: Path, out: Path) -> Path:
    """Pyodide's lock file with its ``info`` (the ABI ``loadPyodide()`` checks it against) and no
    packages. The site ships none of them (its Python is the stdlib and the ``raftcore``
    wheel), so a package could never be loaded from it anyway; but every boot fetches the
    lock file — 119 KB, 27 KB gzipped, on a first visit — and maps the import names of all
    357 packages it lists, for a "did you mean loadPackage" hint on a failed import."""
    import json

    lock = json.loads(src.read_text(encoding="utf-8"))
    if "info" not in lock or "packages" not in lock:
        raise PluginError(f"raftsite: {src} is not a Pyodide lock file (no 'info' or 'packages')")
    out.write_text(json.dumps({"info": lock["info"], "packages": {}}, indent=1) + "\n", encoding="utf-8")
    return out


#: The gzipped runtime, next to ``pyodide.asm.wasm`` (which stays, for linkcheck and for a
#: site built with ``precompress: false``, but is then never fetched).
WASM_GZ = "pyodide.asm.wasm.gz"


def gzip_once(src: Path, cache_dir: Path, out: Path) -> Path:
    """``src`` gzipped at level 9 (no name, no time: the same bytes every build), cached by
    its hash (4 s for the 9.6 MB wasm), copied to ``out``."""
    import gzip

    data = src.read_bytes()
    cache_dir.mkdir(parents=True, exist_ok=True)
    cached = cache_dir / f"{src.name}-{hashlib.sha256(data).hexdigest()[:16]}.gz"
    if not cached.is_file():
        tmp = cached.with_name(f"{cached.name}.{os.getpid()}.part")
        tmp.write_bytes(gzip.compress(data, 9, mtime=0))
        tmp.replace(cached)
    shutil.copyfile(cached, out)
    return out


#: How many outputs of one build step the shared cache keeps (builds of other wheels may run
#: at the same time in the same checkout: each reads what it needs into its own folder first).
CACHE_KEEP = 4


def _node_step(script: str, inputs: list[Path], args: list[str], cache_dir: Path, name: str, what: str, out: Path) -> Path:
    """Run the build script ``assets/build/<script>`` with node, once per distinct input.

    The output is cached in ``cache_dir`` under ``name.format(key)``, the key being a hash of
    the inputs' bytes and of the script itself, and copied to ``out`` (this build's own folder:
    another build pruning the cache cannot pull it from under this one). The script gets
    ``args`` followed by the output path; a non-zero exit or no output fails the build with
    the script's own output. Only the ``CACHE_KEEP`` most recently used outputs are kept.
    """
    path = ASSETS / "build" / script
    key = hashlib.sha256()
    for f in (*inputs, path):
        key.update(f.read_bytes())
    cache_dir.mkdir(parents=True, exist_ok=True)
    cached = cache_dir / name.format(key.hexdigest()[:16])
    with _locked(cached.with_name(cached.name + ".lock")):  # concurrent builds: one computes, the others wait
        return _node_step_locked(path, args, cache_dir, cached, name, what, out)


@contextlib.contextmanager
def _locked(lock: Path):
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, at worst two builds compute the same output
        yield
        return
    with open(lock, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _node_step_locked(path: Path, args: list[str], cache_dir: Path, cached: Path, name: str, what: str, out: Path) -> Path:
    try:
        out.write_bytes(cached.read_bytes())
        os.utime(cached)  # recently used: pruned last
        return out
    except FileNotFoundError:
        pass
    node = shutil.which("node")
    if node is None:
        raise PluginError(f"raftsite: `node` is needed to {what} (or set the plugin option precompile: false)")
    tmp = cached.with_name(f"{cached.name}.{os.getpid()}.part")
    proc = subprocess.run([node, str(path), *args, str(tmp)], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0 or not tmp.is_file():
        tmp.unlink(missing_ok=True)
        raise PluginError(f"raftsite: {what} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    out.write_bytes(tmp.read_bytes())
    tmp.replace(cached)
    log.info("%s", proc.stdout.strip())

    def mtime(f: Path) -> float:
        try:
            return f.stat().st_mtime
        except FileNotFoundError:
            return 0.0

    for f in sorted(cache_dir.glob(name.format("*")), key=mtime, reverse=True)[CACHE_KEEP:]:
        f.unlink(missing_ok=True)
        f.with_name(f.name + ".lock").unlink(missing_ok=True)
    return out


def precompile_stdlib(pyodide_dir: Path, wheel: Path, cache_dir: Path, out: Path) -> Path:
    """The hybrid, trimmed stdlib zip (boot modules as .pyc, only what the site can import).

    Cached per Pyodide release and per set of the wheel's import statements: which modules
    the zip keeps follows from what the wheel imports, so a new ``import`` in raftcore makes a
    new zip, while an edit that imports nothing new (most edits, under ``mkdocs serve`` too)
    reuses the cached one.
    """
    imports = out.with_name("wheel-imports.txt")
    imports.write_text("\n".join(wheel_imports(wheel)), encoding="utf-8")
    return _node_step(
        "precompile-stdlib.mjs", [pyodide_dir / "python_stdlib.zip", pyodide_dir / "pyodide.asm.wasm", imports],
        [str(pyodide_dir), str(wheel)], cache_dir, "stdlib-{}.zip", "precompile the Pyodide stdlib", out,
    )


def wheel_imports(wheel: Path) -> list[str]:
    """Every import statement of the wheel's Python files (sorted, deduplicated, stripped)."""
    import re
    import zipfile

    found = set()
    with zipfile.ZipFile(wheel) as whl:
        for name in whl.namelist():
            if name.endswith(".py"):
                text = whl.read(name).decode("utf-8", "replace")
                found.update(m.strip() for m in re.findall(r"^[ \t]*(?:import|from)[ \t]+[^\n]*", text, flags=re.M))
    return sorted(found)


def precompile_wheel(pyodide_dir: Path, stdlib: Path | None, wheel: Path, cache_dir: Path, out: Path) -> Path:
    """The wheel as the browser installs it, one gzipped tar: its runtime modules as sourceless
    ``.pyc``, its build-time modules left out, its other files as they are; cached by the
    wheel's bytes."""
    return _node_step(
        "precompile-wheel.mjs", [wheel, pyodide_dir / "pyodide.asm.wasm"],
        [str(pyodide_dir), str(stdlib or ""), str(wheel)], cache_dir, "pyc-{}.tar.gz", "precompile the wheel", out,
    )


def make_snapshot(pyodide_dir: Path, stdlib: Path, wheel: Path, pyc: Path | None, cache_dir: Path, out: Path) -> Path:
    """A gzipped Pyodide memory snapshot taken after the scenes' modules are imported.

    Made by ``assets/build/make-snapshot.mjs``, which also restores it once in a fresh
    Pyodide and checks that a scenario run there gives the same trace hash as in the instance
    that made it: a snapshot that does not restore never ships. It is only valid with the
    exact ``pyodide.asm.wasm`` and stdlib zip it was made with, hence both in the cache key.
    """
    # The scripts it imports too: a new format, or files written another way, make a new file.
    inputs = [pyodide_dir / "pyodide.asm.wasm", pyodide_dir / "pyodide.asm.mjs", stdlib, wheel, *([pyc] if pyc else []),
              ASSETS / "build" / "snapshot-format.mjs", ASSETS / "build" / "wheel-files.mjs"]
    return _node_step(
        "make-snapshot.mjs", inputs, [str(pyodide_dir), str(stdlib), str(wheel), str(pyc or "")],
        cache_dir, "snapshot-{}.bin.gz", "make the Pyodide memory snapshot", out,
    )
