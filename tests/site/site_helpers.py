"""Helpers for the site tests: an HTML scanner, a link checker, a build of an edited copy."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SITE_URL = "http://127.0.0.1:8000/"



def mkdocs_build(site_dir: Path, config: Path | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run ``mkdocs build --strict`` into ``site_dir``; return the finished process (never raises)."""
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)]
    if config is not None:
        cmd += ["--config-file", str(config)]
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def site_or_build(site: Path | None) -> Path | None:
    """The benchmarks' site: ``site`` as given, or a fresh strict build in a temporary folder
    (None, with mkdocs' output printed, when that build fails)."""
    if site is not None:
        return site
    site = Path(tempfile.mkdtemp()) / "site"
    proc = mkdocs_build(site)
    if proc.returncode:
        print(proc.stdout, proc.stderr)
        return None
    return site


def copy_project_config(tmp: Path) -> tuple[Path, Path]:
    """A copy of docs/ and mkdocs.yml in ``tmp`` that builds against this project."""
    docs = tmp / "docs"
    shutil.copytree(ROOT / "docs", docs)
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    text = text.replace("docs_dir: docs", f"docs_dir: {docs}")
    text = text.replace("custom_dir: overrides", f"custom_dir: {ROOT / 'overrides'}")  # Material template overrides
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
