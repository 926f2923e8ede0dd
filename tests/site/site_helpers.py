"""Helpers for the site tests: an HTML scanner, a link checker, a build of an edited copy."""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[2]
SITE_URL = "http://127.0.0.1:8000/"



def mkdocs_build(site_dir: Path, config: Path | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run ``mkdocs build --strict`` into ``site_dir``; return the finished process (never raises)."""
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)]
    if config is not None:
        cmd += ["--config-file", str(config)]
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


_URL_ATTRS = {"a": "href", "link": "href", "script": "src", "img": "src", "source": "src", "iframe": "src"}


class _Scan(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str, dict]] = []  # (tag, url, attrs)
        self.metas: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("id", "name"):
            if a.get(key) and (key == "id" or tag == "a"):
                self.ids.add(a[key])
        if tag == "meta" and a.get("name"):
            self.metas[a["name"]] = a.get("content") or ""
        attr = _URL_ATTRS.get(tag)
        if attr and a.get(attr) is not None:
            self.refs.append((tag, a[attr], a))

    handle_startendtag = handle_starttag


def scan(path: Path) -> _Scan:
    s = _Scan()
    s.feed(path.read_text(encoding="utf-8"))
    return s


def page_url(site: Path, html_file: Path) -> str:
    rel = html_file.relative_to(site).as_posix()
    return rel[: -len("index.html")] if rel.endswith("index.html") else rel


def check_links(site: Path) -> list[str]:
    """Every internal link, anchor and asset of the built site; returns the problems found.

    Internal means relative, or absolute on site_url. Links to other hosts are allowed only
    as plain hyperlinks (<a>); a stylesheet, script or image from another host is a problem.
    """
    problems: list[str] = []
    scans: dict[str, _Scan] = {}

    def get(rel: str) -> _Scan | None:
        if rel not in scans:
            f = site / rel
            scans[rel] = scan(f) if f.is_file() else None
        return scans[rel]

    for html_file in sorted(site.rglob("*.html")):
        here = page_url(site, html_file)
        rel_file = html_file.relative_to(site).as_posix()
        s = get(rel_file)
        for tag, url, attrs in s.refs:
            if url.startswith(SITE_URL):
                url = "/" + url[len(SITE_URL):]
            parts = urlsplit(url)
            if parts.scheme in ("mailto", "tel", "javascript", "data"):
                continue
            if parts.scheme or parts.netloc:
                if tag != "a":
                    problems.append(f"{rel_file}: <{tag}> loads {url} from another host")
                continue
            if not parts.path and not parts.fragment:
                continue
            if parts.path.startswith("/"):
                target = parts.path.lstrip("/")
            else:
                target = posixpath.normpath(posixpath.join(posixpath.dirname(here) if not here.endswith("/") else here, unquote(parts.path))) if parts.path else here
                if parts.path.endswith("/") and not target.endswith("/"):
                    target += "/"
                if target == ".":
                    target = ""
            if target.startswith("../"):
                problems.append(f"{rel_file}: {url} points outside the site")
                continue
            fs_target = target + "index.html" if (target == "" or target.endswith("/")) else target
            if not (site / fs_target).is_file():
                if (site / target).is_dir() and (site / target / "index.html").is_file():
                    fs_target = (target.rstrip("/") + "/index.html")
                else:
                    problems.append(f"{rel_file}: broken link {url} (no {fs_target})")
                    continue
            if parts.fragment and fs_target.endswith(".html"):
                t = get(fs_target)
                if t is not None and unquote(parts.fragment) not in t.ids:
                    problems.append(f"{rel_file}: broken anchor {url} (no id {parts.fragment!r} in {fs_target})")
        # The runtime the glue loads: the wheel the page names, and Pyodide's files.
        stdlib = s.metas.get("raft-stdlib")
        if stdlib and not (site / "assets" / "pyodide" / stdlib).is_file():
            problems.append(f"{rel_file}: names stdlib {stdlib}, missing from assets/pyodide/")
        pyc = s.metas.get("raft-pyc")
        if pyc and not (site / "assets" / "wheels" / pyc).is_file():
            problems.append(f"{rel_file}: names {pyc}, missing from assets/wheels/")
        wheel = s.metas.get("raft-wheel")
        if wheel and not (site / "assets" / "wheels" / wheel).is_file():
            problems.append(f"{rel_file}: names wheel {wheel}, missing from assets/wheels/")
    glue = site / "assets" / "raft" / "raft-boot.mjs"
    if glue.is_file():
        text = glue.read_text(encoding="utf-8")
        for m in re.finditer(r'new URL\("([^"]+\.(?:mjs|js|json|wasm|zip))", PYODIDE_BASE\)', text):
            if not (site / "assets" / "pyodide" / m.group(1)).is_file():
                problems.append(f"assets/raft/raft-boot.mjs: loads pyodide/{m.group(1)}, missing")
    for name in ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"):
        if not (site / "assets" / "pyodide" / name).is_file():
            problems.append(f"assets/pyodide/{name} is missing")
    return problems


def copy_project_config(tmp: Path) -> tuple[Path, Path]:
    """A copy of docs/ and mkdocs.yml in ``tmp`` that builds against this project."""
    docs = tmp / "docs"
    shutil.copytree(ROOT / "docs", docs)
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    text = text.replace("docs_dir: docs", f"docs_dir: {docs}")
    text, n = re.subn(r"^  - raftsite\s*$", f"  - raftsite:\n      project_dir: {ROOT}", text, flags=re.M)
    assert n == 1, "mkdocs.yml no longer lists the raftsite plugin as '  - raftsite'"
    cfg = tmp / "mkdocs.yml"
    cfg.write_text(text, encoding="utf-8")
    return cfg, docs


class SpanText(HTMLParser):
    """Text of every element whose id starts with ``prefix`` (the listings' line spans)."""

    def __init__(self, prefix: str):
        super().__init__(convert_charrefs=True)
        self.prefix = prefix
        self.stack: list[str | None] = []
        self.text: dict[str, str] = {}

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        a = dict(attrs)
        ident = a.get("id")
        self.stack.append(ident if ident and ident.startswith(self.prefix) else None)
        if self.stack[-1]:
            self.text[ident] = ""

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        for ident in self.stack:
            if ident:
                self.text[ident] += data
