"""Browser test helpers (shared with benchmarks/browser.py): the built site on http://127.0.0.1:8000/ and Debian's chromium via Playwright.

* The site is served by a ThreadingHTTPServer in a thread; port 8000 (instant navigation
  needs the origin to match ``site_url``). A busy port fails the tests with a clear message.
* Every request to a host other than 127.0.0.1 is aborted AND fails the test.
* Console errors and uncaught page errors fail the test (``allow_console_errors`` opts out).
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

HOST = "127.0.0.1"
#: 8000 matches mkdocs.yml's site_url. RAFT_TEST_PORT=N serves on another port, for a site built
#: with SITE_URL=http://127.0.0.1:N/ (several people testing on one machine); CI never sets it.
PORT = int(__import__("os").environ.get("RAFT_TEST_PORT", "8000"))
ROOT = Path(__file__).resolve().parents[2]
BASE = f"http://{HOST}:{PORT}/"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
FOREIGN = re.compile(r"^(?!http://127\.0\.0\.1(:\d+)?/)(?!data:)(?!blob:).*")

def _bundle_serve_module():
    """tools/serve.py (it ships alone in the offline bundle, so it is no package)."""
    spec = importlib.util.spec_from_file_location("raft_bundle_serve", ROOT / "tools" / "serve.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = _bundle_serve_module().MIME_TYPES  # served exactly as the bundle serves it

    def log_message(self, *args):  # keep test output clean
        pass


def serve(directory: Path, host: str = HOST, port: int = PORT):
    """Start a static server for ``directory``; returns the server (call .shutdown())."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is not "busy"
    try:
        probe.bind((host, port))
    except OSError as exc:
        raise RuntimeError(
            f"port {port} on {host} is busy ({exc}); stop whatever listens there (`make serve`?) "
            f"— the browser tests must serve the site on http://{host}:{port}/ to match site_url "
            f"(or build with SITE_URL=http://{host}:N/ and set RAFT_TEST_PORT=N and RAFT_BUILT_SITE)"
        ) from None
    finally:
        probe.close()
    handler = functools.partial(_Handler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer((host, port), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, name="site-server", daemon=True).start()
    return httpd


def launch(playwright):
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: `make test` installs Debian's chromium (apt-get install chromium)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


@dataclass
class Watch:
    foreign: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    allow_console_errors: bool = False


def guard(context, watch: Watch, block_requests: bool = True):
    """Abort and record every request that does not go to 127.0.0.1.

    ``block_requests=False`` only records (benchmarks: Playwright's request interception
    slows every response down, the 9.6 MB wasm included)."""

    def block(route):
        if route.request.url not in watch.foreign:
            watch.foreign.append(route.request.url)
        route.abort("blockedbyclient")

    if block_requests:
        context.route(FOREIGN, block)

    def on_request(req):
        host = urlparse(req.url).hostname
        if req.url.startswith(("data:", "blob:")):
            return
        if host != HOST and req.url not in watch.foreign:
            watch.foreign.append(req.url)

    context.on("request", on_request)


SCENE01 = "scenes/01-replicated-state-machines/"


#: Material's bundle, as the page requests it (plugin/material_start.py appends it once painted).
MATERIAL_BUNDLE = "**/assets/javascripts/bundle.*.min.js"
#: An init script for a browser without service workers (some private windows, a policy):
#: what the glue sees there. Playwright's ``service_workers="block"`` alone leaves
#: ``register()`` pending for ever, which no browser does.
NO_SERVICE_WORKERS = "delete Navigator.prototype.serviceWorker;"


def hold_materials_bundle(page) -> list:
    """Hold Material's bundle back (for what the page must do before it runs): the held requests,
    for :func:`release_materials_bundle`."""
    held: list = []
    page.context.route(MATERIAL_BUNDLE, lambda route: held.append(route))
    return held


def release_materials_bundle(page, held: list) -> None:
    """Let the held bundle load, and wait until Material has handed out ``document$``."""
    page.wait_for_function("() => true")  # let the route handler run
    for route in held:
        route.continue_()
    page.wait_for_function("() => window.document$ !== undefined")


def scene_status(page) -> dict:
    """The live scene's state from Python (see raftsite.browser.Scene.status)."""
    return page.evaluate(
        "async () => { const ui = [...window.__raft.scenes.values()].find(u => u.scene); "
        "return ui ? JSON.parse(await ui.scene.status()) : null; }"
    )


def wait_ready(page, timeout: float = 90_000):
    page.wait_for_selector('.raft-scene[data-state="ready"]', timeout=timeout)


SCENE02 = "scenes/02-terms-roles-timers/"
SCENE03 = "scenes/03-leader-election/"
SCENE04 = "scenes/04-log-replication/"
SCENE05 = "scenes/05-commitment/"
SCENE06 = "scenes/06-repairing-logs/"

_STATUS_JS = "JSON.parse(await [...window.__raft.scenes.values()].find(u => u.scene).scene.status())"


def wait_js(page, js: str, arg=None, timeout: float = 60_000, interval: float = 50):
    """Wait until the JavaScript function ``js`` — which may be async, awaiting Python in the
    page's worker — returns a truthy value, and return it. (Playwright's wait_for_function
    takes a returned Promise for a truthy value: it does not await it.)"""
    deadline = time.monotonic() + timeout / 1000
    while True:
        value = page.evaluate(js, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout / 1000:.0f} s for: {js[:200]}")
        page.wait_for_timeout(interval)


def wait_status(page, predicate: str, timeout: float = 60_000) -> dict:
    """Wait until ``predicate`` (a JS expression over ``s``, the scene's status) holds; return the status."""
    wait_js(page, f"async () => {{ const s = {_STATUS_JS}; return !!({predicate}); }}", timeout=timeout)
    return scene_status(page)


def set_speed(page, value: str = "5") -> None:
    page.select_option('.raft-scene [data-action="speed"]', value)


def open_scene(page, path: str, speed: str | None = "5", play: bool = True) -> None:
    """Open a scene page, wait until Python runs it, optionally set the speed, and press Play
    (a scene opens paused on its opening frame)."""
    page.goto(path)
    wait_ready(page)
    if speed is not None:
        set_speed(page, speed)
    if play:
        press_play(page)


_SETTLE = "async () => { const p = window.__raft && window.__raft.python; if (p && p.isBooted) await p.settled(); }"


def settle(page) -> None:
    """Wait until the Python worker has answered every call the page made so far and the page
    has applied the answers (after an input whose effect the test then reads). Nothing to wait
    for while Python boots (a click then only records what the reader asked)."""
    try:
        page.evaluate(_SETTLE)
    except Exception as exc:  # the input navigated: the new page has its own worker to wait for
        if "context was destroyed" not in str(exc) and "navigat" not in str(exc):
            raise


def settle_after_every_input() -> None:
    """Make every input a test sends (clicks, keys, form changes) wait, before it returns, until
    the Python worker has answered what the input asked — as a reader sees a click's effect a
    few milliseconds later. Python runs in a Web Worker, so every call into it is asynchronous;
    without this each test would have to wait after each input itself. Installed once, by the
    browser tests' conftest."""
    from playwright.sync_api import Keyboard, Locator, Page

    if getattr(Page, "_raft_settles", False):
        return
    Page._raft_settles = True

    def after(cls, name, page_of):
        original = getattr(cls, name)

        @functools.wraps(original)
        def wrapper(self, *args, **kwargs):
            out = original(self, *args, **kwargs)
            page = page_of(self)
            if page is not None:
                settle(page)
            return out

        setattr(cls, name, wrapper)

    for name in ("click", "dblclick", "press", "type", "fill", "check", "uncheck", "set_checked", "select_option",
                 "dispatch_event", "tap"):
        after(Page, name, lambda p: p)
        after(Locator, name, lambda loc: loc.page)
    # page.keyboard: remember which page a Keyboard belongs to
    keyboard = Page.keyboard

    def keyboard_of(self):
        k = keyboard.fget(self)
        k._raft_page = self
        return k

    Page.keyboard = property(keyboard_of)
    for name in ("press", "type", "insert_text"):
        after(Keyboard, name, lambda k: getattr(k, "_raft_page", None))


def press_play(page, scene: str = ".raft-scene") -> None:
    """Press Play unless the scene is playing already."""
    button = page.locator(f'{scene} [data-action="play"]').first
    if button.get_attribute("aria-pressed") != "true":
        button.click()


def crash_or_restart(page, name: str, scene: str = ".raft-scene") -> None:
    """Open a server's state panel (click it) and press its Crash/Restart button, then close it."""
    page.locator(f'{scene} [data-server="{name}"]:visible').first.click()
    page.locator(f'{scene} [data-role="inspect"] [data-inspect-action="crash"], '
                 f'{scene} [data-role="inspect"] [data-inspect-action="restart"]').first.click()
    settle(page)
    page.locator(f'{scene} [data-role="inspect"] [data-inspect-action="close"]').click()
    settle(page)


def keyboard_crash_or_restart(page, name: str, scene: str = ".raft-scene") -> None:
    """The same with the keyboard: focus the server, Enter opens its panel, Enter on the panel's
    Crash/Restart button, Escape closes the panel (the focus goes back to the server)."""
    page.focus(f'{scene} [data-server="{name}"]:visible')
    page.keyboard.press("Enter")
    page.focus(f'{scene} [data-role="inspect"] [data-inspect-action="crash"], '
               f'{scene} [data-role="inspect"] [data-inspect-action="restart"]')
    page.keyboard.press("Enter")
    settle(page)
    page.keyboard.press("Escape")
    settle(page)


def flip_unsafe_and_wait_red(page, invariant: str, timeout: float = 60_000) -> None:
    """Turn the page's unsafe switch on (in "Defend it"; the scene restarts paused), play, and wait for
    the invariant's monitor to go red, in the diagram's panel and in "Defend it" alike."""
    page.check('.raft-defend [data-action="unsafe"]')
    assert page.locator('.raft-scene [data-action="unsafe"]').is_checked()  # the toolbar's switch follows
    set_speed(page, "5")
    press_play(page)
    page.wait_for_selector(f'.raft-scene .raft-inv[data-invariant="{invariant}"].raft-inv--bad', timeout=timeout)
    assert page.locator(f'.raft-defend .raft-inv[data-invariant="{invariant}"].raft-inv--bad').count() == 1


#: A drawing element by element: tag, sorted attributes, own text. Patches set attributes on
#: nodes that exist and a full frame writes them afresh, so tests compare this, not markup
#: (whose attribute order differs).
_WALK_DRAWING = """const walk = (n, out) => {
    const attrs = [...n.attributes].map(a => a.name + '=' + a.value).sort().join(' ');
    const text = [...n.childNodes].filter(c => c.nodeType === 3).map(c => c.textContent).join('');
    out.push(n.tagName + '[' + attrs + ']' + text);
    for (const c of n.children) walk(c, out);
    return out; };"""


def drawing(page, size: str = "wide") -> list[str]:
    """The scene's ``size`` drawing on the page ("wide": the desktop one, "narrow": the phone's)."""
    return page.evaluate("(size) => { " + _WALK_DRAWING + " return walk(document.querySelector("
                         "'.raft-scene svg.raft-svg--' + size), []); }", size)


def fresh_drawing(page, size: str = "wide") -> list[str]:
    """The same drawing as a fresh full frame from Python draws it now. (``Scene.full()`` resets
    the renderer's diff baselines: call it only when the page's drawing is current.)"""
    return page.evaluate("async (size) => { " + _WALK_DRAWING + " const ui = [...window.__raft.scenes.values()][0];"
                         " const t = document.createElement('template'); t.innerHTML = JSON.parse(await ui.scene.full()).svg;"
                         " return walk(t.content.querySelector('svg.raft-svg--' + size), []); }", size)


def record_selector(page, selector: str) -> None:
    """Before ``page.goto``: remember whether an element matching ``selector`` ever appears
    (messages are on the wire for a frame or two; read ``window.__seen[selector]``)."""
    page.add_init_script(
        "(() => { const sel = %s; window.__seen = window.__seen || {}; window.__seen[sel] = false;"
        " const check = () => { if (document.querySelector(sel)) window.__seen[sel] = true; };"
        " new MutationObserver(check).observe(document, {subtree: true, childList: true}); })();"
        % __import__("json").dumps(selector)
    )


def seen(page, selector: str) -> bool:
    return bool(page.evaluate("(sel) => !!(window.__seen && window.__seen[sel])", selector))


def site_pages(site: Path) -> list[str]:
    """Every page of a built site as a path relative to its root ("" for the home page,
    "scenes/01-…/", "404.html"): each ``index.html`` and every other HTML file outside
    ``assets/``. Walking the site, not a list, so a new page is tested without being named."""
    pages = []
    for html in sorted(site.rglob("*.html")):
        rel = html.relative_to(site)
        if rel.parts[0] == "assets":
            continue
        if html.name == "index.html":
            pages.append("" if rel.parent == Path(".") else rel.parent.as_posix() + "/")
        else:
            pages.append(rel.as_posix())
    return pages


_INTERACTIVE = ".raft-scene, .raft-lab"


def wait_interactive(page, timeout: float = 120_000) -> None:
    """Wait until every scene and lab block on the page has left its build-time state (Python
    runs it: ready, or failed — other tests check that it does not fail)."""
    page.wait_for_function(
        "(sel) => [...document.querySelectorAll(sel)].every(e => !['static', 'booting'].includes(e.dataset.state))",
        arg=_INTERACTIVE, timeout=timeout)
