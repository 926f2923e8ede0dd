"""Python-Markdown extension: ```` ```raft-scene ```` blocks and their companions.

Three pymdownx.superfences custom fences (configured in ``mkdocs.yml``):

``raft-scene``
    YAML options (see :mod:`raftsite.blocks.schema`). Validated, then the scene's scenario
    is run deterministically to its first frame and rendered to SVG with the same
    :class:`raftsite.render.Renderer` the browser uses. Emits the scene container
    ``<article class="raft-scene" data-scene='{json}' data-search-exclude>`` with the
    prerendered SVG, the common controls, the scene-specific controls, the invariant panel
    and the event log. Search leaves the widget out (its buttons, the diagram's labels, the
    first frame's tables: 10 KB of noise a scene in the index). It is an ``<article>``
    because Material's search parser ends an exclusion at the first closing tag of the
    excluded element's name: no ``<article>`` nests inside.
``raft-listings``
    Places the listings of a scene (``scene: <id>``, optional when the page has one
    scene): exact source lines pulled by qualified name, highlighted like every other
    code block of the site, with the real line numbers and a "view in source" link.
``raft-defend``
    Places the scene's unsafe switch and the invariant it threatens.

A broken block raises :class:`SceneBlockError` whose message is ``page:line: reason``
(the line in the ``.md`` file). Under MkDocs, the ``raftsite`` plugin tells the extension
which page is being converted and how many front-matter lines were stripped.

Build-time module: PyYAML, Markdown and pymdownx only — never imported in the browser.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from contextlib import contextmanager
from dataclasses import dataclass, field

from markdown import Extension
from markdown.preprocessors import Preprocessor
from pymdownx.superfences import SuperFencesException

from raftsite.blocks.schema import INVARIANTS, SPEEDS, BlockError, validate_block

__all__ = [
    "SceneBlockError",
    "RaftSceneExtension",
    "makeExtension",
    "fence_validator",
    "fence_format",
    "set_page",
    "check_markdown",
    "FENCES",
]

FENCES = ("raft-scene", "raft-listings", "raft-defend")
_OPENER = re.compile(r"^(?P<indent>[ \t>]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<lang>raft-(?:scene|listings|defend))\b(?P<rest>.*)$")


class SceneBlockError(SuperFencesException):
    """A broken scene block: ``str(err)`` is ``page:line: reason``."""

    def __init__(self, page: str, line: int | None, reason: str):
        self.page, self.line, self.reason = page, line, reason
        super().__init__(f"{page}:{line if line is not None else '?'}: {reason}")


# ------------------------------------------------------------------ page context


@dataclass
class PageContext:
    path: str = "<markdown>"  # shown in errors, e.g. "docs/scenes/01-….md"
    url: str | None = None  # the page's URL relative to the site root, e.g. "scenes/01-…/"
    line_offset: int = 0  # lines removed above the Markdown (front matter)
    source_url: str = "source/{module}/"  # where the plugin puts generated source pages
    scenes: dict = field(default_factory=dict)


_context = PageContext()


def set_page(path: str, url: str | None = None, line_offset: int = 0) -> None:
    """Called by the MkDocs plugin before each page is converted."""
    global _context
    _context = PageContext(path=path, url=url, line_offset=line_offset)


def _page_relative(target: str) -> str:
    """A link from the current page to ``target`` (a site-root-relative URL, maybe with #anchor)."""
    if _context.url is None:
        return "/" + target
    url = _context.url
    base = url[:-1] if url.endswith("/") else posixpath.dirname(url)
    path, _, frag = target.partition("#")
    rel = posixpath.relpath(path or ".", base or ".")
    if path.endswith("/") and not rel.endswith("/"):
        rel += "/"
    return rel + ("#" + frag if frag else "")


#: The public name of :func:`_page_relative` (the lab fence links from the page too).
page_relative = _page_relative


def current_page() -> PageContext:
    """The page being converted: its path (for error messages) and URL (for links)."""
    return _context


@contextmanager
def converting(path: str, url: str | None = None, line_offset: int = 0):
    """Convert another page inside the ``with`` block (the authoring guide converts its
    examples while MkDocs converts the guide), then go back to the page being converted."""
    global _context
    saved = _context
    set_page(path, url, line_offset)
    try:
        yield _context
    finally:
        _context = saved


def source_page_url(module: str) -> str:
    return f"source/{module.replace('.', '/')}/"


# ------------------------------------------------------------------ line tagging


def _find_fences(lines: list[str]):
    """Yield (index, match) of raft fence openers, skipping other fenced code."""
    open_fence = None
    for i, line in enumerate(lines):
        stripped = line.lstrip(" \t>")
        if open_fence:
            if stripped.startswith(open_fence) and stripped.strip() == open_fence[0] * len(stripped.strip()) and len(stripped.strip()) >= len(open_fence):
                open_fence = None
            continue
        m = _OPENER.match(line)
        if m:
            yield i, m
            open_fence = m.group("fence")
            continue
        fm = re.match(r"^(`{3,}|~{3,})", stripped)
        if fm:
            open_fence = fm.group(1)


class _TagLines(Preprocessor):
    """Record each raft fence's line in the file as a fence option ``raft_line="N"``."""

    def run(self, lines):
        out = list(lines)
        for i, m in _find_fences(lines):
            if "raft_line=" in m.group("rest"):
                continue
            out[i] = f'{m.group("indent")}{m.group("fence")}{m.group("lang")} raft_line="{i + 1 + _context.line_offset}"{m.group("rest")}'
        return out


# ------------------------------------------------------------------ blocks


def _block_body(md_text_lines: list[str], start: int) -> tuple[str, str, int]:
    """(lang, body, end) of the fence opening at ``start``."""
    m = _OPENER.match(md_text_lines[start])
    fence = m.group("fence")
    indent = len(m.group("indent"))
    body = []
    j = start + 1
    while j < len(md_text_lines):
        s = md_text_lines[j][indent:] if len(md_text_lines[j]) >= indent else md_text_lines[j].lstrip()
        if s.strip().startswith(fence[0] * len(fence)) and set(s.strip()) == {fence[0]}:
            break
        body.append(s)
        j += 1
    return m.group("lang"), "\n".join(body), j


def check_markdown(text: str, path: str, line_offset: int = 0) -> list[dict]:
    """Validate every ```` ```raft-scene ```` block of a page; raise SceneBlockError on the first bad one.

    Used by the MkDocs plugin so a broken block fails the build early with a clean
    ``page:line: reason`` message; returns the normalised options of each scene.
    """
    lines = text.splitlines()
    scenes = []
    for i, m in _find_fences(lines):
        lang, body, _ = _block_body(lines, i)
        fence_line = i + 1 + line_offset
        if lang == "raft-scene":
            scenes.append(_validate(body, path, fence_line))
    return scenes


def _validate(body: str, page: str, fence_line: int) -> dict:
    try:
        return validate_block(body)
    except BlockError as exc:
        line = fence_line if exc.line is None else fence_line + 1 + exc.line
        raise SceneBlockError(page, line, f"raft-scene: {exc.message}") from None


def fence_validator(language, inputs, options, attrs, md):
    """superfences validator: accept only our own ``raft_line`` option."""
    line = int(inputs["raft_line"]) if str(inputs.get("raft_line", "")).isdigit() else None
    for key, value in inputs.items():
        if key != "raft_line":
            raise SceneBlockError(_context.path, line, f"{language}: unexpected fence option {key}={value!r}")
    if line is not None:
        options["raft_line"] = line
    if attrs:
        raise SceneBlockError(_context.path, options.get("raft_line"), f"{language}: fence attributes are not supported")
    return True


def fence_format(source, language, class_name, options, md, **kwargs):
    line = int(options.get("raft_line", 0)) or None
    scenes = _page_scenes(md)
    if language == "raft-scene":
        cfg = _validate(source, _context.path, line or 0)
        if cfg["id"] in scenes:
            raise SceneBlockError(_context.path, line, f"raft-scene: a scene with id {cfg['id']!r} is already on this page; set 'id:'")
        try:
            html_out, full = _render_scene(cfg)
        except SceneBlockError as exc:
            if exc.line is None:  # found while running the scenario: point at the block
                raise SceneBlockError(exc.page, line, exc.reason) from None
            raise
        except Exception as exc:  # scenario or renderer failed at build time
            raise SceneBlockError(_context.path, line, f"raft-scene: cannot run scenario {cfg['scenario']!r}: {type(exc).__name__}: {exc}") from exc
        scenes[cfg["id"]] = full
        return html_out
    # raft-listings / raft-defend: `scene: <id>` (optional with one scene on the page)
    try:
        import yaml

        data = yaml.safe_load(source) if source.strip() else {}
    except Exception as exc:
        raise SceneBlockError(_context.path, line, f"{language}: bad YAML: {exc}") from None
    if not isinstance(data, dict) or set(data) - {"scene"}:
        raise SceneBlockError(_context.path, line, f"{language}: the only option is 'scene: <id of a raft-scene above>'")
    sid = data.get("scene")
    if sid is None:
        if len(scenes) != 1:
            raise SceneBlockError(_context.path, line, f"{language}: name the scene ('scene: <id>'); scenes above: {', '.join(scenes) or 'none'}")
        sid = next(iter(scenes))
    if sid not in scenes:
        raise SceneBlockError(_context.path, line, f"{language}: no raft-scene with id {sid!r} above this block; scenes above: {', '.join(scenes) or 'none'}")
    full = scenes[sid]
    if language == "raft-listings":
        if not full["listings"]:
            raise SceneBlockError(_context.path, line, f"raft-listings: scene {sid!r} has no 'listings:'")
        return _render_listings(full)
    if not full.get("unsafe"):
        raise SceneBlockError(_context.path, line, f"raft-defend: scene {sid!r} has no 'unsafe:'")
    return _render_defend(full)


def _page_scenes(md) -> dict:
    if not hasattr(md, "raft_scenes"):
        md.raft_scenes = {}
    return md.raft_scenes


# ------------------------------------------------------------------ rendering

_e = html.escape


def _listing_title(qualname: str) -> str:
    return qualname + "()"


def _planned_log(scenario) -> list[str]:
    """Commands a scenario submits, as the site writes a log entry (scene01's shared log)."""
    from raftcore.view import entry_label

    return [entry_label(cmd) for cmd in scenario.submitted_commands()]


def scene_runtime_config(cfg: dict) -> dict:
    """The JSON the browser receives in ``data-scene`` (and CPython's tests reuse)."""
    from raftsite.listings import resolve

    listings = []
    for k, item in enumerate(cfg["listings"]):
        lst = resolve(item["name"])
        hid = f"{cfg['id']}-L{k}"
        listings.append(
            {
                "id": hid,
                "name": lst.name,
                "module": lst.module,
                "qualname": lst.qualname,
                "path": lst.relpath,
                "start": lst.start,
                "end": lst.end,
                "span_prefix": f"__span-{hid}-",
                "pane_prefix": f"__span-{hid}p-",
                "title": item.get("title") or _listing_title(lst.qualname),
                "caption": item["caption"],
                "quiet_lines": _quiet_lines(lst.source, lst.start),
            }
        )
    return {
        "id": cfg["id"],
        "scenario": cfg["scenario"],
        "seed": cfg["seed"],
        "servers": cfg["servers"],
        "layout": cfg["layout"],
        "speed": cfg["speed"],
        "speeds": list(SPEEDS),
        "title": cfg["title"],
        "controls": cfg["controls"],
        "control_js": _control_js(cfg["controls"]),
        "draw": cfg.get("draw") or [],
        "listings": listings,
        "unsafe": cfg["unsafe"],
        "invariants": cfg["invariants"],
        "invariant_labels": {k: INVARIANTS[k] for k in cfg["invariants"]},
    }


_UNSAFE_IF = re.compile(r"^(?:el)?if\s+(?:not\s+)?\(?\s*(?:self\.)?(?:config\.)?unsafe\b")
_UNSAFE_ALIAS = re.compile(r"^\w+\s*=\s*[\w.]*\bunsafe\s*$")


def _quiet_lines(source: str, start: int) -> list[int]:
    """Lines of a listing that are the unsafe switches' plumbing: an ``if`` on a switch (and its
    body), or the alias ``unsafe = self.config.unsafe``. The test runs in a safe run too, but it
    is not what the reader watches, so the glue lights these lines only while a switch is on. A
    line where a switch only widens a real rule (``ok = up_to_date or unsafe.x``) stays lit."""
    out = []
    body_indent = None  # inside the body of an ``if`` on a switch: its indentation
    for i, line in enumerate(source.splitlines()):
        code = line.split("#", 1)[0].rstrip()
        if not code.strip():
            continue
        indent = len(code) - len(code.lstrip())
        if body_indent is not None and indent > body_indent:
            out.append(start + i)
            continue
        body_indent = None
        stripped = code.strip()
        if _UNSAFE_IF.match(stripped):
            out.append(start + i)
            body_indent = indent
        elif _UNSAFE_ALIAS.match(stripped):
            out.append(start + i)
    return out


def _control_js(controls: list[dict]) -> list[str]:
    """The glue modules (``assets/raft/controls/<name>.mjs``) the scene's controls need."""
    from raftsite.controls import get as control_class

    return sorted({control_class(c["kind"]).js for c in controls} - {None})


#: Right after a scene's markup: the glue (raft-boot.mjs, async from <head>) mounts the scene
#: now if it has arrived, so that Play and Next ▶ answer while the rest of the page is parsed
#: and Material's bundle runs, not after DOMContentLoaded; if it arrives later, it mounts the
#: scenes followed by this script at once. (Material runs it again on instant navigation.)
MOUNT_HOOK = ("<script data-raft-parsed>self.__raftMount&&self.__raftMount("
              "document.currentScript.previousElementSibling)</script>")


def _render_scene(cfg: dict) -> tuple[str, dict]:
    from raftcore.scenarios import load_scenario

    from raftsite.browser import opening

    runtime = scene_runtime_config(cfg)
    scenario = load_scenario(cfg["scenario"])
    runtime["planned_log"] = _planned_log(scenario) if cfg["layout"] == "scene01" else []
    # The prerender is the live scene's own opening frame (raftsite.browser.Scene, in CPython):
    # same run, same controls, same renderer options — nothing jumps when Python takes over.
    scene = opening(runtime)
    cluster = scene.cluster
    if cfg["servers"] and list(cluster.names) != list(cfg["servers"]):
        raise SceneBlockError(
            _context.path, None, f"raft-scene: servers {cfg['servers']} do not match scenario {cfg['scenario']!r}'s cluster {list(cluster.names)}"
        )
    runtime["servers"] = list(cluster.names)
    if runtime["seed"] is None:
        runtime["seed"] = scene.seed
    svg = scene.svg()
    caption = scene.caption_html()
    time0 = round(cluster.now)
    scene.unmount()
    from raftsite import reels

    reel = reels.record(runtime)  # Play and Next ▶ move the diagram while Python starts
    if reel is not None:
        runtime["reel"] = _page_relative(reel)
    sid = cfg["id"]
    data = _e(json.dumps(runtime, separators=(",", ":"), sort_keys=True), quote=True)
    speed_opts = "".join(
        f'<option value="{s:g}"{" selected" if s == cfg["speed"] else ""}>{s:g}×</option>' for s in SPEEDS
    )
    from raftsite.controls import get as control_class

    controls, panels = [], []
    for c in cfg["controls"]:
        cls = control_class(c["kind"])
        controls.append(cls.html(c, sid))
        panel = cls.panel_html(c, sid)
        if panel and panel not in panels:
            panels.append(panel)
    inv_items = "".join(
        f'<li class="raft-inv raft-inv--ok" data-invariant="{k}"><span class="raft-inv__dot" aria-hidden="true"></span>'
        f'<span class="raft-inv__name">{_e(INVARIANTS[k])}</span> <span class="raft-inv__state">holds</span></li>'
        for k in cfg["invariants"]
    )
    height = f' style="--raft-height:{cfg["height"]}px"' if cfg["height"] else ""
    unsafe = cfg.get("unsafe")
    unsafe_html = ""
    if unsafe:
        unsafe_html = (
            f'<label class="raft-control raft-scene__unsafe" title="{_e(unsafe["label"])}"><input type="checkbox" '
            f'data-action="unsafe" data-switch="{_e(unsafe["switch"])}" disabled> <strong>Unsafe:</strong> '
            f'{_e(unsafe["label"])}</label>'
            f'<button type="button" class="md-button raft-btn raft-btn--violation" data-action="to-violation" hidden '
            f'disabled>Go to the violation</button>'
        )
    panes = _render_pane(runtime)
    out = f"""<article class="raft-scene" id="{sid}-scene" data-scene="{data}" data-state="static" data-search-exclude{height}>
<div class="raft-scene__toolbar" role="toolbar" aria-label="Simulation controls" aria-controls="{sid}-diagram">
<button type="button" class="md-button raft-btn" data-action="back" aria-keyshortcuts="ArrowLeft" title="Back to the previous step (←)" disabled>◀ Back</button>
<button type="button" class="md-button raft-btn" data-action="play" aria-pressed="false" aria-keyshortcuts="Space" title="Play or pause (Space)" disabled>Play</button>
<button type="button" class="md-button raft-btn raft-btn--next" data-action="next" aria-keyshortcuts="ArrowRight" title="Run to the next step (→)" disabled>Next ▶</button>
<button type="button" class="md-button raft-btn" data-action="reset" title="Back to the opening frame" disabled>Reset</button>
<label class="raft-control">Speed <select data-action="speed" disabled>{speed_opts}</select></label>
<label class="raft-control">Seed <input type="text" inputmode="numeric" pattern="[0-9]*" size="8" data-action="seed" value="{runtime['seed']}" aria-describedby="{sid}-status" disabled></label>
{unsafe_html}
<span class="raft-scene__time" aria-live="off" data-role="time">t = {time0} ms</span>
</div>
{('<div class="raft-scene__controls">' + ''.join(controls) + '</div>') if controls else ''}
<p class="raft-scene__status" id="{sid}-status" role="status" data-role="status">First frame, drawn when the site was built. Interactive once Python has started in your browser.</p>
<p class="raft-scene__message" role="alert" data-role="message" hidden></p>
<div class="raft-scene__body{' raft-scene__body--pane' if panes else ''}">
<div class="raft-scene__stage">
<figure class="raft-scene__diagram" id="{sid}-diagram" data-role="diagram">{svg}</figure>
<div class="raft-scene__caption" data-role="caption" aria-live="polite">{caption}</div>
<section class="raft-scene__inspect" data-role="inspect" aria-label="Server details" tabindex="-1" hidden></section>
<p class="raft-scene__hint">Click a server (or Tab to it and press Enter) to see its full state; click a message on the wire to read it.</p>
</div>
{panes}
<div class="raft-scene__side">
<section class="raft-scene__invariants" aria-label="Invariants checked live">
<h4 class="raft-scene__heading">Invariants</h4>
<ul data-role="invariants">{inv_items}</ul>
<pre class="raft-scene__violation" data-role="violation" hidden></pre>
</section>
{''.join(panels)}
<section class="raft-scene__events" aria-label="Event log">
<h4 class="raft-scene__heading">Event log</h4>
<ol class="raft-scene__log" data-role="events" aria-live="off" tabindex="0" aria-label="Event log, newest first"><li class="raft-muted">Nothing has happened yet.</li></ol>
</section>
</div>
</div>
</article>
{MOUNT_HOOK}"""
    full = dict(cfg)
    full["runtime"] = runtime
    return out, full


def _highlight(code: str, start: int, hid: str) -> str:
    from pymdownx.highlight import Highlight

    hl = Highlight(
        None,
        linenums=True,
        linenums_style="table",
        line_spans="__span",
        anchor_linenums=False,
        pygments_lang_class=True,
        stripnl=False,
    )
    return hl.highlight(code, "python", css_class="highlight", linestart=start, id_value=hid)


def _render_listings(full: dict) -> str:
    from raftsite.listings import resolve

    runtime = full["runtime"]
    parts = [f'<div class="raft-listings" data-raft-for="{full["id"]}">']
    for item in runtime["listings"]:
        lst = resolve(item["name"])
        href = _page_relative(source_page_url(lst.module) + f"#{source_anchor(lst.start)}")
        parts.append(
            f'<div class="raft-listing" id="{item["id"]}-box" data-listing="{_e(item["name"])}" '
            f'data-start="{lst.start}" data-end="{lst.end}" data-path="{_e(lst.relpath)}">'
            f'<p class="raft-listing__title"><code>{_e(item["title"])}</code> '
            f'<span class="raft-listing__where">{_e(lst.relpath)}, lines {lst.start}–{lst.end}</span></p>'
            f'<p class="raft-listing__caption">{_e(item["caption"])}</p>'
            f"{_highlight(lst.source, lst.start, item['id'])}"
            f'<p class="raft-listing__source"><a href="{_e(href)}">view in source</a></p>'
            f"</div>"
        )
    parts.append("</div>")
    return "".join(parts)


def source_anchor(line: int) -> str:
    """Anchor of a line on a generated source page (see the plugin)."""
    return f"__codelineno-src-{line}"


def _render_pane(runtime: dict) -> str:
    """The listing pane beside the diagram on wide screens (CSS shows it from 1200 px): the
    scene's listings, one tab each, lit with the same lines as the Implementation section's,
    scrolled to keep the lit line in view. Below 1200 px it is not displayed; the page's own
    Implementation section (further down, in the seed's order) is the listing."""
    from raftsite.listings import resolve

    items = runtime["listings"]
    if not items:
        return ""
    sid = runtime["id"]
    tabs, bodies = [], []
    for k, item in enumerate(items):
        lst = resolve(item["name"])
        pid = f"{item['id']}p"
        sel = "true" if k == 0 else "false"
        tabs.append(
            f'<button type="button" role="tab" class="raft-pane__tab" id="{pid}-tab" aria-controls="{pid}-panel" '
            f'aria-selected="{sel}" tabindex="{0 if k == 0 else -1}" data-pane-tab="{k}"><code>{_e(item["title"])}</code></button>'
        )
        bodies.append(
            f'<div class="raft-pane__panel" role="tabpanel" id="{pid}-panel" aria-labelledby="{pid}-tab" '
            f'data-listing-id="{item["id"]}"{"" if k == 0 else " hidden"}>'
            f'<p class="raft-pane__caption">{_e(item["caption"])}</p>'
            f'<div class="raft-pane__code" tabindex="0" role="region" aria-label="{_e(item["title"])}, lines {lst.start}–{lst.end}">'
            f"{_highlight(lst.source, lst.start, pid)}</div></div>"
        )
    # The column holds the sticky pane: sticky inside it, the pane stays beside the diagram and
    # scrolls away with it, instead of riding over the full-width panels below (scene 03's chart).
    return (
        f'<div class="raft-scene__pane-column">'
        f'<aside class="raft-scene__pane" aria-label="The code the diagram runs" data-role="pane">'
        f'<p class="raft-pane__head">The code running now <span class="raft-muted">(lit lines: executed in the latest frame)</span></p>'
        f'<div class="raft-pane__tabs" role="tablist" aria-label="Listings of {_e(sid)}">{"".join(tabs)}</div>'
        f'{"".join(bodies)}</aside></div>'
    )


def _render_defend(full: dict) -> str:
    u = full["unsafe"]
    sid = full["id"]
    inv = "".join(
        f'<li class="raft-inv raft-inv--ok" data-invariant="{k}"><span class="raft-inv__dot" aria-hidden="true"></span>'
        f'<span class="raft-inv__name">{_e(INVARIANTS[k])}</span> <span class="raft-inv__state">holds</span></li>'
        for k in full["invariants"]
    )
    return (
        f'<div class="raft-defend" data-raft-for="{sid}">'
        f'<label class="raft-defend__switch"><input type="checkbox" data-action="unsafe" '
        f'data-switch="{_e(u["switch"])}" disabled> <strong>Unsafe:</strong> {_e(u["label"])}</label>'
        f'<p class="raft-defend__note">The same switch is in the diagram’s toolbar. Flipping it restarts the '
        f'diagram with the rule removed, paused on its opening frame. The monitors below are the same ones as in '
        f'the diagram’s panel.</p>'
        f'<ul class="raft-defend__invariants" data-role="invariants">{inv}</ul>'
        f"</div>"
    )


# ------------------------------------------------------------------ extension


class RaftSceneExtension(Extension):
    """Registers the line-tagging preprocessor. The fences themselves are pymdownx.superfences
    ``custom_fences``, registered from one list (:func:`raftsite.plugin.fences.custom_fences`)."""

    def extendMarkdown(self, md):
        md.registerExtension(self)
        md.preprocessors.register(_TagLines(md), "raft_scene_lines", 29)

    def reset(self):
        pass


def makeExtension(**kwargs):
    return RaftSceneExtension(**kwargs)

