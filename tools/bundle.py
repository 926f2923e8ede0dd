#!/usr/bin/env python3
"""Build the offline bundle: ``dist/raft-scenes-site-<version>.zip``.

    python tools/bundle.py                    # mkdocs build --strict into site/, then zip it
    python tools/bundle.py --site DIR         # zip an already built site (skips the build)

The zip holds one folder ``raft-scenes-site-<version>/`` with ``site/`` (the static site),
``serve.py`` (tools/serve.py: standard library only, serves the site on 127.0.0.1 and opens
the browser — browsers refuse WebAssembly from file://) and a short README.txt.
The site is link-checked first (raftsite.linkcheck): a broken site is never bundled.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVE = ROOT / "tools" / "serve.py"
# Already compressed: store, don't deflate again.
STORED = {".wasm", ".zip", ".whl", ".gz", ".png", ".jpg", ".jpeg", ".woff", ".woff2"}

README = """Build Raft — consensus you can defend ({version}, commit {commit})

Run:   python3 serve.py
It serves the site in site/ on http://127.0.0.1 and opens your browser. Browsers refuse to run
WebAssembly from file://, so opening site/index.html directly shows the diagrams but not the
live simulations. Needs Python 3.8+ and nothing else — no network. Options: --port N, --no-browser.
"""


def version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def build_site(site: Path) -> None:
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)]
    subprocess.run(cmd, cwd=ROOT, check=True, env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))


def bundle(site: Path, out_dir: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from raftsite.linkcheck import check

    report = check(site)
    if report.problems:
        raise SystemExit("bundle: the site has broken links:\n  " + "\n  ".join(report.problems))
    ver = version()
    stamp = _stamp(site)
    name = f"raft-scenes-site-{ver}"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"{name}.zip"
    tmp = out.with_suffix(".zip.part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        info = zipfile.ZipInfo(f"{name}/serve.py", date_time=(2020, 1, 1, 0, 0, 0))
        info.external_attr = 0o755 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, SERVE.read_bytes())
        z.writestr(f"{name}/README.txt", README.format(version=ver, commit=stamp or "unknown"))
        for path in sorted(site.rglob("*")):
            if path.is_file():
                arc = f"{name}/site/{path.relative_to(site).as_posix()}"
                kind = zipfile.ZIP_STORED if path.suffix in STORED else zipfile.ZIP_DEFLATED
                z.write(path, arc, compress_type=kind)
    tmp.replace(out)
    return out


def _stamp(site: Path) -> str | None:
    import re

    m = re.search(r'data-commit="([^"]*)"', (site / "index.html").read_text(encoding="utf-8"))
    return m.group(1) if m else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--site", type=Path, help="an already built site (default: build into site/)")
    ap.add_argument("--out", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    args = ap.parse_args(argv)
    site = args.site
    if site is None:
        site = ROOT / "site"
        build_site(site)
    out = bundle(site.resolve(), args.out)
    print(f"{out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}  ({out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
