"""Link checker for the built site: ``python -m raftsite.linkcheck site/``.

Checks, over every ``*.html`` file of a built site (standard library only):

* every internal link, anchor and asset (``<a href>``, ``<link href>``, ``<script src>``,
  ``<img src>``, ...) resolves to a file of the site, and every ``#fragment`` to an id of the
  target page;
* the runtime the glue loads: the wheel, precompiled stdlib and precompiled modules each page
  names in its ``<meta name="raft-*">`` tags, the Pyodide files ``raft-boot.mjs`` asks for, and
  the five Pyodide runtime files;
* nothing but a plain hyperlink (``<a>``) points at another host: a script, stylesheet or
  image from elsewhere is a problem (the site must work with no network).

"Internal" means relative, root-relative under the site's path, or absolute on ``site_url``.
``site_url`` is read from the built home page's ``<link rel="canonical">`` (Material writes
it), so the checker works unchanged on a site built for a sub-path (``/<repo>/``).

External hyperlinks are reported, never fetched, and never fail the check (the CI machine
may have no network). Exit status: 0 clean, 1 problems found, 2 no site.
"""

from __future__ import annotations

import argparse
import posixpath
import re
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: The files loadPyodide() fetches (the plugin copies them into the site: raftsite.plugin.runtime).
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
DEFAULT_SITE_URL = "http://127.0.0.1:8000/"

_URL_ATTRS = {
    "a": "href",
    "link": "href",
    "script": "src",
    "img": "src",
    "source": "src",
    "iframe": "src",
    "video": "src",
    "audio": "src",
    "embed": "src",
    "object": "data",
}


class _Scan(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str, dict]] = []  # (tag, url, attrs)
        self.metas: dict[str, str] = {}
        self.canonical: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("id", "name"):
            if a.get(key) and (key == "id" or tag == "a"):
                self.ids.add(a[key])
        if tag == "meta" and a.get("name"):
            self.metas[a["name"]] = a.get("content") or ""
        if tag == "link" and (a.get("rel") or "").lower() == "canonical" and a.get("href"):
            self.canonical = a["href"]
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


def site_url_of(site: Path) -> str:
    """The ``site_url`` the site was built with (its home page's canonical link)."""
    home = site / "index.html"
    if home.is_file():
        canonical = scan(home).canonical
        if canonical and urlsplit(canonical).scheme:
            return canonical if canonical.endswith("/") else canonical + "/"
    return DEFAULT_SITE_URL


@dataclass
class Report:
    site_url: str
    problems: list[str] = field(default_factory=list)
    external: list[tuple[str, str]] = field(default_factory=list)  # (page, url): reported, not checked
    pages: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def check(site: Path, site_url: str | None = None) -> Report:
    """Check the built site in ``site``; see the module docstring."""
    site = Path(site)
    site_url = site_url or site_url_of(site)
    if not site_url.endswith("/"):
        site_url += "/"
    base_path = urlsplit(site_url).path or "/"  # "/" or "/<repo>/"
    report = Report(site_url=site_url)
    problems = report.problems
    scans: dict[str, _Scan | None] = {}

    def get(rel: str) -> _Scan | None:
        if rel not in scans:
            f = site / rel
            scans[rel] = scan(f) if f.is_file() else None
        return scans[rel]

    for html_file in sorted(site.rglob("*.html")):
        report.pages += 1
        here = page_url(site, html_file)
        rel_file = html_file.relative_to(site).as_posix()
        s = get(rel_file)
        for tag, url, _attrs in s.refs:
            original = url
            if url.startswith(site_url):
                url = base_path + url[len(site_url):]
            parts = urlsplit(url)
            if parts.scheme in ("mailto", "tel", "javascript", "data", "blob"):
                continue
            if parts.scheme or parts.netloc:
                if tag == "a":
                    report.external.append((rel_file, original))
                else:
                    problems.append(f"{rel_file}: <{tag}> loads {original} from another host")
                continue
            if not parts.path and not parts.fragment:
                continue
            if parts.path.startswith("/"):
                if not (parts.path + ("/" if not parts.path.endswith("/") else "")).startswith(base_path):
                    problems.append(f"{rel_file}: {original} points outside the site (not under {base_path})")
                    continue
                target = unquote(parts.path[len(base_path):]) if parts.path.startswith(base_path) else ""
            elif parts.path:
                target = posixpath.normpath(
                    posixpath.join(here if here.endswith("/") or not here else posixpath.dirname(here), unquote(parts.path))
                )
                if parts.path.endswith("/") and not target.endswith("/"):
                    target += "/"
                if target == ".":
                    target = ""
            else:
                target = here
            if target.startswith("../") or target == "..":
                problems.append(f"{rel_file}: {original} points outside the site")
                continue
            fs_target = target + "index.html" if (target == "" or target.endswith("/")) else target
            if not (site / fs_target).is_file():
                if (site / target).is_dir() and (site / target / "index.html").is_file():
                    fs_target = target.rstrip("/") + "/index.html"
                else:
                    problems.append(f"{rel_file}: broken link {original} (no {fs_target})")
                    continue
            if parts.fragment and fs_target.endswith(".html"):
                t = get(fs_target)
                if t is not None and unquote(parts.fragment) not in t.ids:
                    problems.append(f"{rel_file}: broken anchor {original} (no id {parts.fragment!r} in {fs_target})")
        # The runtime the glue loads: the wheel the page names, and Pyodide's files.
        for meta, folder, what in (
            ("raft-stdlib", "pyodide", "stdlib"),
            ("raft-pyc", "wheels", "precompiled modules"),
            ("raft-wheel", "wheels", "wheel"),
        ):
            name = s.metas.get(meta)
            if name and not (site / "assets" / folder / name).is_file():
                problems.append(f"{rel_file}: names {what} {name}, missing from assets/{folder}/")
    glue = site / "assets" / "raft" / "raft-boot.mjs"
    if glue.is_file():
        text = glue.read_text(encoding="utf-8")
        for m in re.finditer(r'new URL\("([^"]+\.(?:mjs|js|json|wasm|zip))", PYODIDE_BASE\)', text):
            if not (site / "assets" / "pyodide" / m.group(1)).is_file():
                problems.append(f"assets/raft/raft-boot.mjs: loads pyodide/{m.group(1)}, missing")
    else:
        problems.append("assets/raft/raft-boot.mjs is missing")
    for name in PYODIDE_FILES:
        if not (site / "assets" / "pyodide" / name).is_file():
            problems.append(f"assets/pyodide/{name} is missing")
    return report


def check_links(site: Path, site_url: str | None = None) -> list[str]:
    """The problems found in the built site (empty when every link, anchor and asset resolves)."""
    return check(site, site_url).problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m raftsite.linkcheck", description=__doc__.split("\n\n")[0])
    ap.add_argument("site", type=Path, help="the built site (e.g. site/)")
    ap.add_argument("--site-url", help="the site_url it was built with (default: read from its home page)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every external link")
    args = ap.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"linkcheck: {args.site} is not a built site (no index.html)", file=sys.stderr)
        return 2
    report = check(args.site, args.site_url)
    for p in report.problems:
        print(f"BROKEN  {p}")
    hosts = sorted({urlsplit(u).netloc or u for _, u in report.external})
    if args.verbose:
        for page, url in report.external:
            print(f"external  {page}: {url}")
    print(
        f"linkcheck: {report.pages} pages under {report.site_url}: {len(report.problems)} problem(s); "
        f"{len(report.external)} external link(s) to {len(hosts)} host(s) reported, not checked"
        + (f" ({', '.join(hosts[:8])}{', …' if len(hosts) > 8 else ''})" if hosts else "")
    )
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
