"""The thin MkDocs plugin: runtime files into the site, page context for the extension.

* builds the project's pure-Python wheel (hatchling's API, no network) and adds it to the
  site as ``assets/wheels/<wheel>``;
* adds Pyodide's runtime files from ``node_modules/pyodide`` as ``assets/pyodide/*``
  (installed by ``npm ci``; nothing is fetched from any other host);
* adds the glue module and the stylesheet from ``raftsite/assets`` and registers them;
* generates one "source" page per ``raftcore`` module, the target of every listing's
  "view in source" link;
* tells the Markdown extension which page it converts (for ``page:line`` errors and
  relative links) and validates scene blocks early, so a broken block fails
  ``mkdocs build --strict`` with a one-line ``page:line: reason``;
* precompiles the stdlib modules a scene imports at boot into a "hybrid" stdlib zip
  (``assets/build/precompile-stdlib.mjs``, run once per Pyodide release and cached): the
  measured boot lever of DESIGN.md — loadPyodide() itself gets several times faster;
* makes a Pyodide memory snapshot with the scenes' modules imported
  (``assets/build/make-snapshot.mjs``, checked by restoring it once; cached per wheel): the
  browser restores it instead of starting CPython, and falls back to a normal start;
* puts the wheel's, the stdlib's and the snapshot's names and preload hints into each page's
  ``<head>``, and on scene pages a tiny inline script that has a worker fetch and decompress
  the snapshot while the page loads (``assets/raft/snapshot-worker.js``);
* writes ``sw.js`` at the site's root after the build: the service worker with the list of
  every file of the build and its SHA-256 (``assets/raft/sw.js``), so that after one visit the
  whole site works offline, one build at a time;
* fills ``{{ raft.benchmark_table }}`` from the last ``benchmarks/browser.py`` run.

All real work on scene blocks is in :mod:`raftsite.markdown_ext`.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.utils import get_relative_url

from raftsite import markdown_ext
from raftsite.blocks.schema import LISTING_PACKAGES as SOURCE_PACKAGES

log = get_plugin_logger(__name__)

ROOT = Path(__file__).resolve().parent.parent
ASSETS = Path(__file__).resolve().parent / "assets"
#: The Pyodide runtime: the five files loadPyodide() fetches (pyodide@314 ships .asm.mjs).
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
#: The service worker's template: written, with the build's file list, to the site's root.
SW_TEMPLATE = ASSETS / "raft" / "sw.js"
#: Inlined into each page's <head> when there is a memory snapshot (not files of the site):
#: the starter, and the worker it runs (the snapshot's decoder, then the worker's body).
SNAPSHOT_STARTER = ASSETS / "build" / "snapshot-start.js"
SNAPSHOT_WORKER = (ASSETS / "build" / "snapshot-format.mjs", ASSETS / "build" / "snapshot-worker.js")


class RaftSiteConfig(Config):
    project_dir = c.Type(str, default="")  # where pyproject.toml lives (default: next to mkdocs.yml)
    pyodide_dir = c.Type(str, default="")  # default: <project>/node_modules/pyodide
    preload = c.Type(bool, default=True)
    # Precompile, inside Pyodide in Node, the stdlib modules a scene imports at boot
    # (assets/build/precompile-stdlib.mjs) and the wheel's own modules (precompile-wheel.mjs).
    precompile = c.Type(bool, default=True)
    # A Pyodide memory snapshot with the scenes' modules imported (assets/build/make-snapshot.mjs);
    # needs precompile. Not under `mkdocs serve`, which rebuilds the wheel on every edit.
    snapshot = c.Type(bool, default=True)
    # The service worker (sw.js at the site's root): every file of the build precached, so the
    # site works offline after one visit. Not under `mkdocs serve` (it would cache dev pages).
    offline = c.Type(bool, default=True)


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
    """The hybrid stdlib zip (boot modules as .pyc), built once per Pyodide release and cached."""
    return _node_step(
        "precompile-stdlib.mjs", [pyodide_dir / "python_stdlib.zip", pyodide_dir / "pyodide.asm.wasm"],
        [str(pyodide_dir), str(wheel)], cache_dir, "stdlib-{}.zip", "precompile the Pyodide stdlib", out,
    )


def precompile_wheel(pyodide_dir: Path, stdlib: Path | None, wheel: Path, cache_dir: Path, out: Path) -> Path:
    """A zip of __pycache__/*.pyc for the wheel's runtime modules; cached by the wheel's bytes."""
    return _node_step(
        "precompile-wheel.mjs", [wheel, pyodide_dir / "pyodide.asm.wasm"],
        [str(pyodide_dir), str(stdlib or ""), str(wheel)], cache_dir, "pyc-{}.zip", "precompile the wheel", out,
    )


def make_snapshot(pyodide_dir: Path, stdlib: Path, wheel: Path, pyc: Path | None, cache_dir: Path, out: Path) -> Path:
    """A gzipped Pyodide memory snapshot taken after the scenes' modules are imported.

    Made by ``assets/build/make-snapshot.mjs``, which also restores it once in a fresh
    Pyodide and checks that a scenario run there gives the same trace hash as in the instance
    that made it: a snapshot that does not restore never ships. It is only valid with the
    exact ``pyodide.asm.wasm`` and stdlib zip it was made with, hence both in the cache key.
    """
    inputs = [pyodide_dir / "pyodide.asm.wasm", pyodide_dir / "pyodide.asm.mjs", stdlib, wheel, *([pyc] if pyc else [])]
    return _node_step(
        "make-snapshot.mjs", inputs, [str(pyodide_dir), str(stdlib), str(wheel), str(pyc or "")],
        cache_dir, "snapshot-{}.bin.gz", "make the Pyodide memory snapshot", out,
    )


class RaftSitePlugin(BasePlugin[RaftSiteConfig]):
    def on_startup(self, *, command, dirty):
        # `mkdocs serve` rebuilds on every edit of raftcore: skip the wheel's bytecode there.
        self.serving = command == "serve"

    def on_config(self, config):
        cfg_dir = Path(config.config_file_path).resolve().parent
        self.project = Path(self.config.project_dir or cfg_dir).resolve()
        self.pyodide_dir = Path(self.config.pyodide_dir or self.project / "node_modules" / "pyodide")
        missing = [f for f in PYODIDE_FILES if not (self.pyodide_dir / f).is_file()]
        if missing:
            raise PluginError(
                f"raftsite: Pyodide runtime files missing in {self.pyodide_dir}: {', '.join(missing)}. "
                "Run `npm ci` (or `make site`)."
            )
        self.work = Path(tempfile.gettempdir()) / f"raftsite-{hashlib.sha1(str(self.project).encode()).hexdigest()[:10]}"
        # This build's own folder (other builds of this checkout may run at the same time).
        self._cleanup()
        self.work.mkdir(parents=True, exist_ok=True)
        for stale in self.work.glob("build-*"):  # left by a build that was killed
            if stale.stat().st_mtime < time.time() - 86400:
                shutil.rmtree(stale, ignore_errors=True)
        self.tmp = Path(tempfile.mkdtemp(prefix="build-", dir=self.work))
        self.wheel = build_wheel(self.project, self.tmp / "wheel")
        log.debug("built %s", self.wheel.name)
        self.stdlib = self.pyc = self.snapshot = None
        cache = self.work / "cache"
        if self.config.precompile:
            self.stdlib = precompile_stdlib(self.pyodide_dir, self.wheel, cache, self.tmp / "stdlib.zip")
            digest = hashlib.sha256(self.stdlib.read_bytes()).hexdigest()[:12]
            self.stdlib_name = f"python_stdlib-{digest}.zip"
            if not getattr(self, "serving", False):
                self.pyc = precompile_wheel(self.pyodide_dir, self.stdlib, self.wheel, cache, self.tmp / "pyc.zip")
                digest = hashlib.sha256(self.pyc.read_bytes()).hexdigest()[:12]
                self.pyc_name = f"{self.wheel.name[:-4]}-pyc-{digest}.zip"
                if self.config.snapshot:
                    self.snapshot = make_snapshot(
                        self.pyodide_dir, self.stdlib, self.wheel, self.pyc, cache, self.tmp / "snapshot.bin.gz"
                    )
                    digest = hashlib.sha256(self.snapshot.read_bytes()).hexdigest()[:12]
                    self.snapshot_name = f"pyodide-snapshot-{digest}.bin.gz"
        config.extra_css.append("assets/raft/raft.css")
        self.build_info = build_info(self.project, self.pyodide_dir)
        config.extra["raft"] = dict(self.build_info)
        # {{ raft.benchmark_table }}: the last benchmarks/browser.py run (docs/performance.md).
        self.page_info = {**self.build_info, "benchmark_table": benchmark_table(_benchmark_results(self.project))}
        config.copyright = _footer(config.copyright, self.build_info)
        # The glue is not an extra_javascript entry (those end up at the end of <body>, after
        # Material's bundle): on_post_page puts it into <head> as an async module, so Python
        # starts loading while the page is still being parsed.
        return config

    def on_files(self, files: Files, config) -> Files:
        def add(dest: str, src: Path):
            existing = files.get_file_from_path(dest)
            if existing is not None:
                files.remove(existing)
            files.append(File.generated(config, dest, abs_src_path=str(src)))

        for name in PYODIDE_FILES:
            add(f"assets/pyodide/{name}", self.pyodide_dir / name)
        add(f"assets/wheels/{self.wheel.name}", self.wheel)
        if self.stdlib is not None:
            add(f"assets/pyodide/{self.stdlib_name}", self.stdlib)
        if self.pyc is not None:
            add(f"assets/wheels/{self.pyc_name}", self.pyc)
        if self.snapshot is not None:
            add(f"assets/pyodide/{self.snapshot_name}", self.snapshot)
        for path in sorted((ASSETS / "raft").rglob("*")):
            if path.is_file() and path != SW_TEMPLATE:  # sw.js goes to the root (on_post_build)
                add(f"assets/raft/{path.relative_to(ASSETS / 'raft').as_posix()}", path)
        # One page per raftcore module: the target of "view in source" links.
        for pkg in SOURCE_PACKAGES:
            for path in sorted((self.project / pkg).rglob("*.py")):
                rel = path.relative_to(self.project).as_posix()
                module = rel[:-3].replace("/", ".")
                if module.endswith(".__init__"):
                    module = module[: -len(".__init__")]
                dest = markdown_ext.source_page_url(module).rstrip("/") + ".md"
                files.append(
                    File.generated(
                        config, dest, content=_source_page(rel, path.read_text(encoding="utf-8")),
                        inclusion=InclusionLevel.NOT_IN_NAV,
                    )
                )
        return files

    def on_page_markdown(self, markdown: str, page, config, files):
        src = page.file.abs_src_path
        path = page.file.src_uri
        if src:
            base = Path(config.config_file_path).resolve().parent
            path = os.path.relpath(src, base) if Path(src).resolve().is_relative_to(base) else src
        offset = 0
        if src and os.path.exists(src):
            raw = Path(src).read_text(encoding="utf-8-sig")
            head = markdown[:200]
            idx = raw.find(head) if head else -1
            if idx > 0:
                offset = raw.count("\n", 0, idx)
        markdown_ext.set_page(path, page.url, offset)
        if src:  # the docs' own pages (not the generated source pages)
            from raftsite.guide import placeholders  # + the authoring guide's generated tables

            markdown = _fill_build_info(markdown, placeholders(getattr(self, "page_info", {})), path)
        try:
            markdown_ext.check_markdown(markdown, path, offset)
        except markdown_ext.SceneBlockError as exc:
            raise PluginError(str(exc)) from None
        return markdown

    def on_page_content(self, html: str, page, config, files):
        markdown_ext.set_page("<markdown>")
        return html

    def on_post_page(self, output: str, page, config):
        root = get_relative_url(".", page.url)
        root = "" if root == "." else root.rstrip("/") + "/"
        # a scene, or the lab (which runs Python at once too): boot eagerly, preload the runtime
        has_scene = 'class="raft-scene"' in output or 'class="raft-lab"' in output
        tags = [f'<meta name="raft-wheel" content="{self.wheel.name}">']
        if self.stdlib is not None:
            tags.append(f'<meta name="raft-stdlib" content="{self.stdlib_name}">')
        if self.pyc is not None:
            tags.append(f'<meta name="raft-pyc" content="{self.pyc_name}">')
        if self.snapshot is not None:
            tags.append(f'<meta name="raft-snapshot" content="{self.snapshot_name}">')
            # First thing in <head> (after the charset): an inline script after the stylesheets
            # would wait for them.
            starter = _snapshot_starter(root, self.snapshot_name, start=has_scene)
            charset = re.search(r"<meta charset=[^>]*>", output[:2048], re.I)
            at = charset.end() if charset else output.find("</head>")
            output = output[:at] + "\n" + starter + output[at:]
        # "on": the glue registers sw.js once Python is up; "off" (mkdocs serve): it removes a
        # service worker left by a build served on the same address, which would serve old pages.
        tags.append(f'<meta name="raft-sw" content="{"on" if self._offline() else "off"}">')
        if has_scene:
            tags.append('<meta name="raft-scene-page" content="1">')  # the glue boots Python at once
            if self.config.preload:
                tags.extend(self._preload_tags(root))
        tags.append(f'<script type="module" async src="{root}assets/raft/raft-boot.mjs"></script>')
        return output.replace("</head>", "\n".join(tags) + "\n</head>", 1)

    def _offline(self) -> bool:
        return bool(self.config.offline) and not getattr(self, "serving", False)

    def _preload_tags(self, root: str) -> list[str]:
        """What a scene page's boot fetches, requested while the page is still parsed.

        The glue only runs once the parser and Material's bundle let it (about half a second
        into a cold load here); these hints start the downloads at once. ``as="fetch"`` with
        ``crossorigin`` matches the glue's and Pyodide's own ``fetch()`` calls, so nothing is
        fetched twice. The precompiled modules are only loaded when there is no snapshot.
        """
        fetched = [
            "pyodide/pyodide.asm.wasm",
            f"pyodide/{self.stdlib_name}" if self.stdlib is not None else "pyodide/python_stdlib.zip",
            "pyodide/pyodide-lock.json",
            f"wheels/{self.wheel.name}",
        ]
        if self.snapshot is None and self.pyc is not None:
            fetched.append(f"wheels/{self.pyc_name}")
        # (Not the snapshot: a worker fetches it, and a preload would be a second download.)
        tags = [f'<link rel="preload" href="{root}assets/{f}" as="fetch" crossorigin>' for f in fetched]
        tags.append(f'<link rel="modulepreload" href="{root}assets/pyodide/pyodide.mjs">')
        tags.append(f'<link rel="modulepreload" href="{root}assets/pyodide/pyodide.asm.mjs">')
        return tags

    def on_post_build(self, config):
        if not self._offline():
            return
        skip = set()
        if self.stdlib is not None:  # the stock stdlib zip is shipped but never loaded
            skip.add("assets/pyodide/python_stdlib.zip")
        build = write_service_worker(Path(config.site_dir), skip)
        log.info("sw.js: %d files, %.1f MB precached (build %s)", len(build["files"]), build["bytes"] / 1e6, build["version"])

    def on_serve(self, server, config, builder):
        for pkg in (*SOURCE_PACKAGES, "raftsite"):
            server.watch(str(self.project / pkg))
        return server

    def _cleanup(self):
        if getattr(self, "tmp", None) is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def on_shutdown(self):
        self._cleanup()


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


def _snapshot_starter(root: str, snapshot: str, start: bool) -> str:
    """``assets/build/snapshot-start.js``, inlined: it defines ``window.__raftStartSnapshot()``
    (a Blob worker fetches and decodes the memory snapshot) and, on a page with a scene
    (``start``), calls it at once — while the page is parsed, on another core."""
    import json

    starter, worker = _snapshot_sources()
    args = ", ".join(json.dumps(a).replace("</", "<\\/") for a in (root + "assets/pyodide/" + snapshot, worker, start))
    return "<script>" + starter[: -len(SNAPSHOT_CALL)] + "})(" + args + ");</script>"


def service_worker_manifest(site: Path, skip: set[str] = frozenset()) -> dict:
    """The service worker's list: every file of the built site with its SHA-256, and a version.

    URLs are relative to the site's root; a page ``x/index.html`` is listed as ``x/`` (the
    way the site links it). ``version`` hashes the whole list, so a change to any file is a
    new version — and a new cache, which replaces the old one.
    """
    import base64

    files = []
    total = 0
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        rel = path.relative_to(site).as_posix()
        if rel == "sw.js" or rel in skip or rel.endswith(".map"):  # source maps: for devtools only
            continue
        data = path.read_bytes()
        total += len(data)
        url = rel[: -len("index.html")] if rel == "index.html" or rel.endswith("/index.html") else rel
        files.append([url, "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode()])
    version = hashlib.sha256("\n".join(" ".join(f) for f in files).encode()).hexdigest()[:16]
    return {"version": version, "files": files, "bytes": total}


def write_service_worker(site: Path, skip: set[str] = frozenset()) -> dict:
    """Write ``site/sw.js``: the build's manifest, then the worker (``assets/raft/sw.js``)."""
    import json

    build = service_worker_manifest(site, skip)
    head = "self.RAFT_BUILD = " + json.dumps({"version": build["version"], "files": build["files"]}, separators=(",", ":"))
    (site / "sw.js").write_text(head + ";\n" + SW_TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
    return build


#: Where benchmarks/browser.py writes its last run (the Performance page shows it).
BENCHMARK_JSON = Path("benchmarks") / "results" / "browser.json"


def benchmark_table(results: dict | None) -> str:
    """The Markdown table of a benchmarks/browser.py run: each figure's median, spread and
    target (printed by the benchmark, shown on the docs' Performance page)."""
    if not results:
        return "*No run recorded yet: run `make bench` and rebuild the site.*"

    def num(v, unit):
        if isinstance(v, bool) or v is None:
            return "—"
        text = f"{v:.2f}" if unit == "ms" and abs(v) < 10 else f"{v:,.0f}"
        return f"{text} {unit}".strip()

    m = results.get("machine", {})
    lines = [
        f"Measured {results.get('date', '?')} on {m.get('cpu', '?')} ({m.get('cores', '?')} cores, {m.get('os', '?')}), "
        f"{m.get('browser', '?')}, {results.get('runs', '?')} runs from an empty profile each; "
        f"the site served by {results.get('server', '?')}.",
        "",
        "| Figure | Median | Spread (min–max) | Target | Met |",
        "|---|---:|---:|---:|:---:|",
    ]
    for f in results.get("figures", {}).values():
        unit = f.get("unit", "")
        target = "—" if f.get("target") is None else f"≤ {num(f['target'], unit)}"
        met = {True: "yes", False: "**no**", None: ""}[f.get("met")]
        spread = f"{num(f['min'], unit)} – {num(f['max'], unit)}"
        lines.append(f"| {f['label']} | {num(f['median'], unit)} | {spread} | {target} | {met} |")
    b = results.get("breakdown_cold")
    if b:
        lines += [
            "",
            f"Cold boot, medians: the glue module starts at {b['boot_start']:.0f} ms; `loadPyodide()` takes "
            f"{b['pyodide']:.0f} ms after that, {b['boot']:.0f} ms with the wheel unpacked and the bridge imported; "
            f"the first scene mounts in {b['mount']:.0f} ms. Memory snapshot used: "
            f"{'yes' if results.get('snapshot_used') else 'no'}.",
        ]
    return "\n".join(lines)


def _benchmark_results(project: Path) -> dict | None:
    import json

    path = project / BENCHMARK_JSON
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise PluginError(f"raftsite: {path}: not the JSON of benchmarks/browser.py ({exc})") from None


def build_info(project: Path, pyodide_dir: Path) -> dict[str, str]:
    """The values the footer and the About page show, computed at build time (never typed in).

    ``version`` is the project's (pyproject.toml), ``commit`` the build's ``git rev-parse
    --short HEAD`` (``RAFT_COMMIT`` overrides it; ``unknown`` outside git), ``pyodide`` the
    version of ``node_modules/pyodide`` (pinned by package-lock.json), ``raftcore`` is
    ``raftcore.__version__``.
    """
    import tomllib

    import raftcore

    version = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    commit = os.environ.get("RAFT_COMMIT", "").strip()
    if not commit:
        try:
            proc = subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"], cwd=project, capture_output=True, text=True, timeout=30
            )
            commit = proc.stdout.strip() if proc.returncode == 0 else ""
        except (OSError, subprocess.SubprocessError):
            commit = ""
    import json

    pyodide = json.loads((pyodide_dir / "package.json").read_text(encoding="utf-8")).get("version", "unknown")
    return {"version": version, "commit": commit or "unknown", "pyodide": pyodide, "raftcore": raftcore.__version__}


#: ``{{ raft.version }}``, ``{{ raft.commit }}``, ``{{ raft.pyodide }}``, ``{{ raft.raftcore }}`` in any page.
_PLACEHOLDER = re.compile(r"\{\{\s*raft\.(\w+)\s*\}\}")


def _fill_build_info(markdown: str, info: dict[str, str], path: str) -> str:
    def sub(m):
        if m.group(1) not in info:
            raise PluginError(f"{path}: unknown placeholder {m.group(0)} (known: {', '.join(f'raft.{k}' for k in info)})")
        return info[m.group(1)]

    return _PLACEHOLDER.sub(sub, markdown) if "{{" in markdown else markdown


def _footer(copyright: str | None, info: dict[str, str]) -> str:
    stamp = (
        f'<span class="raft-build" data-version="{info["version"]}" data-commit="{info["commit"]}">'
        f'Build Raft {info["version"]} · commit <code>{info["commit"]}</code></span>'
    )
    return f"{copyright} · {stamp}" if copyright else stamp


def _source_page(rel: str, text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return (
        f"---\ntitle: {rel}\nsearch:\n  exclude: true\n---\n\n"
        f"# `{rel}`\n\n"
        f"The complete file, as the site was built from it. Listings on the scene pages link to their lines here.\n\n"
        f'{fence}{{.python #src linenums="1"}}\n{text}{"" if text.endswith(chr(10)) else chr(10)}{fence}\n'
    )
