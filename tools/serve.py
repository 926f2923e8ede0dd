#!/usr/bin/env python3
"""Serve this offline copy of "Build Raft" on 127.0.0.1 and open it in your browser.

    python3 serve.py                 # port 8000 if free, else any free port; opens the browser
    python3 serve.py --port 8123     # that port
    python3 serve.py --no-browser    # just serve

Browsers refuse to run WebAssembly from file://, so the pages need a web server — this one
(Python 3.8+, standard library only, no network: everything is in the folder next to it).
Ctrl-C stops it.
"""

from __future__ import annotations

import argparse
import errno
import functools
import http.server
import sys
import threading
import webbrowser
from pathlib import Path

HERE = Path(__file__).resolve().parent
HOST = "127.0.0.1"
#: The port the site was built for (its site_url): Material's instant navigation prefers it.
PREFERRED_PORT = 8000


#: What the site's files must be served as: ES modules need a JavaScript type and
#: WebAssembly streaming compilation needs application/wasm. (The browser tests serve the
#: site with these same types.)
MIME_TYPES = {
    **http.server.SimpleHTTPRequestHandler.extensions_map,
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".wasm": "application/wasm",
    ".json": "application/json",
    ".whl": "application/zip",
    ".zip": "application/zip",
    ".svg": "image/svg+xml",
    ".xml": "application/xml",
    ".gz": "application/gzip",
}


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = MIME_TYPES

    def end_headers(self):
        # Never let a browser keep a stale runtime between two versions of the bundle.
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, fmt, *args):
        if self.server.verbose:
            super().log_message(fmt, *args)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    verbose = False


def bind(root: Path, port: int | None) -> Server:
    handler = functools.partial(Handler, directory=str(root))
    if port is not None:
        return Server((HOST, port), handler)
    try:
        return Server((HOST, PREFERRED_PORT), handler)
    except OSError as exc:
        if exc.errno not in (errno.EADDRINUSE, errno.EACCES):
            raise
    return Server((HOST, 0), handler)  # the OS picks a free port


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Serve the Build Raft site on 127.0.0.1 and open it in the browser.")
    ap.add_argument("--port", type=int, default=None, help=f"port (default: {PREFERRED_PORT} if free, else any free port)")
    ap.add_argument("--no-browser", action="store_true", help="do not open a browser")
    ap.add_argument("--root", type=Path, default=HERE / "site", help="the site folder (default: site/ next to serve.py)")
    ap.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = ap.parse_args(argv)
    root = args.root.resolve()
    if not (root / "index.html").is_file():
        print(f"serve.py: no site in {root} (expected index.html there)", file=sys.stderr)
        return 2
    try:
        httpd = bind(root, args.port)
    except OSError as exc:
        print(f"serve.py: cannot listen on {HOST}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    httpd.verbose = args.verbose
    port = httpd.server_address[1]
    url = f"http://{HOST}:{port}/"
    print(f"Build Raft is served at {url}  (Ctrl-C stops it)", flush=True)
    if not args.no_browser:
        threading.Timer(0.3, lambda: webbrowser.open(url)).start()
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        print("\nstopped")
    finally:
        httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
