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
* puts the wheel's and the stdlib's names and preload hints into each page's ``<head>``.

All real work on scene blocks is in :mod:`raftsite.markdown_ext`.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
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


class RaftSiteConfig(Config):
    project_dir = c.Type(str, default="")  # where pyproject.toml lives (default: next to mkdocs.yml)
    pyodide_dir = c.Type(str, default="")  # default: <project>/node_modules/pyodide
    preload = c.Type(bool, default=True)
    # Precompile, inside Pyodide in Node, the stdlib modules a scene imports at boot
    # (assets/build/precompile-stdlib.mjs) and the wheel's own modules (precompile-wheel.mjs).
    precompile = c.Type(bool, default=True)


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


def precompile_stdlib(pyodide_dir: Path, wheel: Path, cache_dir: Path) -> Path:
    """The hybrid stdlib zip (boot modules as .pyc), built once per Pyodide release and cached."""
    script = ASSETS / "build" / "precompile-stdlib.mjs"
    key = hashlib.sha256()
    for f in (pyodide_dir / "python_stdlib.zip", pyodide_dir / "pyodide.asm.wasm", script):
        key.update(f.read_bytes())
    cache_dir.mkdir(parents=True, exist_ok=True)
    cached = cache_dir / f"stdlib-{key.hexdigest()[:16]}.zip"
    if cached.is_file():
        return cached
    node = shutil.which("node")
    if node is None:
        raise PluginError("raftsite: `node` is needed to precompile the Pyodide stdlib (or set the plugin option precompile: false)")
    tmp = cached.with_suffix(".part")
    proc = subprocess.run(
        [node, str(script), str(pyodide_dir), str(wheel), str(tmp)], capture_output=True, text=True, timeout=600
    )
    if proc.returncode != 0 or not tmp.is_file():
        raise PluginError(f"raftsite: precompiling the stdlib failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    tmp.replace(cached)
    log.info("%s", proc.stdout.strip())
    return cached


def precompile_wheel(pyodide_dir: Path, stdlib: Path | None, wheel: Path, cache_dir: Path) -> Path:
    """A zip of __pycache__/*.pyc for the wheel's runtime modules; cached by the wheel's bytes."""
    script = ASSETS / "build" / "precompile-wheel.mjs"
    key = hashlib.sha256()
    for f in (wheel, pyodide_dir / "pyodide.asm.wasm", script):
        key.update(f.read_bytes())
    cache_dir.mkdir(parents=True, exist_ok=True)
    cached = cache_dir / f"pyc-{key.hexdigest()[:16]}.zip"
    if cached.is_file():
        return cached
    for old in cache_dir.glob("pyc-*.zip"):
        old.unlink()
    node = shutil.which("node")
    if node is None:
        raise PluginError("raftsite: `node` is needed to precompile the wheel (or set precompile: false)")
    tmp = cached.with_suffix(".part")
    args = [node, str(script), str(pyodide_dir), str(stdlib or ""), str(wheel), str(tmp)]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0 or not tmp.is_file():
        raise PluginError(f"raftsite: precompiling the wheel failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    tmp.replace(cached)
    log.info("%s", proc.stdout.strip())
    return cached


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
        self.wheel = build_wheel(self.project, self.work / "wheel")
        log.debug("built %s", self.wheel.name)
        self.stdlib = self.pyc = None
        if self.config.precompile:
            self.stdlib = precompile_stdlib(self.pyodide_dir, self.wheel, self.work / "cache")
            digest = hashlib.sha256(self.stdlib.read_bytes()).hexdigest()[:12]
            self.stdlib_name = f"python_stdlib-{digest}.zip"
            if not getattr(self, "serving", False):
                self.pyc = precompile_wheel(self.pyodide_dir, self.stdlib, self.wheel, self.work / "cache")
                digest = hashlib.sha256(self.pyc.read_bytes()).hexdigest()[:12]
                self.pyc_name = f"{self.wheel.name[:-4]}-pyc-{digest}.zip"
        config.extra_css.append("assets/raft/raft.css")
        self.build_info = build_info(self.project, self.pyodide_dir)
        config.extra["raft"] = dict(self.build_info)
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
        for path in sorted((ASSETS / "raft").rglob("*")):
            if path.is_file():
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
            markdown = _fill_build_info(markdown, getattr(self, "build_info", {}), path)
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
        has_scene = 'class="raft-scene"' in output
        tags = [f'<meta name="raft-wheel" content="{self.wheel.name}">']
        if self.stdlib is not None:
            tags.append(f'<meta name="raft-stdlib" content="{self.stdlib_name}">')
        if self.pyc is not None:
            tags.append(f'<meta name="raft-pyc" content="{self.pyc_name}">')
        if has_scene:
            tags.append('<meta name="raft-scene-page" content="1">')  # the glue boots Python at once
            if self.config.preload:
                tags.append(f'<link rel="modulepreload" href="{root}assets/pyodide/pyodide.mjs">')
                tags.append(f'<link rel="modulepreload" href="{root}assets/pyodide/pyodide.asm.mjs">')
        tags.append(f'<script type="module" async src="{root}assets/raft/raft-boot.mjs"></script>')
        return output.replace("</head>", "\n".join(tags) + "\n</head>", 1)

    def on_serve(self, server, config, builder):
        for pkg in (*SOURCE_PACKAGES, "raftsite"):
            server.watch(str(self.project / pkg))
        return server

    def on_shutdown(self):
        shutil.rmtree(getattr(self, "work", Path("/nonexistent")) / "wheel", ignore_errors=True)


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
