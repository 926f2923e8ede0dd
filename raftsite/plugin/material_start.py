"""Material's start, out of the reader's way: its bundle runs after the page's first frame, on a
page that already is what the bundle would make of it.

Traced on the 2-core machine of issue 16, a cold scene page spent its longest main-thread
tasks in Material's bundle, not in ours (we start Python in a worker): 200-300 ms evaluating
it, then 100-120 ms starting its components, during which the page neither scrolls nor
answers a click. Most of that time was not JavaScript but styling and layout the bundle forced
(``getComputedStyle``, ``scrollX``, ``clientWidth``) right after changing the page:

* run by the parser, its first read laid out the whole page inside its own task. Here
  ``assets/build/material-start.js`` replaces the ``<script>`` tags at the end of ``<body>``
  (the bundle, then ``extra_javascript``) and appends the same scripts once the page is parsed
  and has drawn a frame, then fires DOMContentLoaded again for Material (which starts on that
  event). A ``<link rel=preload>`` in ``<head>`` fetches the bundle as early as before;
* on every code listing with line anchors it adds ``md-code__content`` (``display: grid``),
  which rebuilt the layout of every line of the listing, once per listing. The build writes
  that class (:func:`code_content`);
* into every code block (``pre > code``) it inserted a copy button (``content.code.copy``),
  then read the block's width: one more layout of the block per block. The build writes the
  buttons (:func:`code_blocks`; ``mkdocs.yml`` must not list that feature, or there would be
  two), and ``assets/build/code-copy.js``, at the end of ``<head>``, makes them copy. The
  build also makes every block focusable (``tabindex="0"``), so that one wider than the page
  scrolls from the keyboard before the bundle runs (WCAG 2.1.1; axe's
  scrollable-region-focusable); Material, as it starts, keeps that on the blocks that scroll
  and removes it from the others (its own rule, on a device that can hover);
* at its start it sets classes on ``<html>`` and makes ``<head>``'s links absolute (a
  stylesheet's link is then parsed again): each restyled the whole page.
  ``assets/build/material-early.js``, at the end of ``<head>``, sets the classes before the
  body exists, when that costs nothing; the loader makes the links absolute after the first
  paint (at the end of ``<head>`` it put the first paint 30 ms later) and waits for the sheets
  before it appends the bundle.

What is left in its tasks is its JavaScript: its palette component, which restyled the whole
page three times, is not mounted (``plugin/palette.py`` gives the site its own toggle).
``tests/browser/test_material_start.py`` checks Material still starts (search, instant
navigation; the toggle too) and changes none of what is made here first.
"""

from __future__ import annotations

import re

from mkdocs.exceptions import PluginError

from .head import ASSETS, inline_script

LOADER = ASSETS / "build" / "material-start.js"
LOADER_CALL = "})(RAFT_MATERIAL_SCRIPTS);"
EARLY = ASSETS / "build" / "material-early.js"
EARLY_CALL = "})();"
COPY = ASSETS / "build" / "code-copy.js"
COPY_CALL = "})();"

#: Material's bundle and the plain scripts after it (extra_javascript), up to </body>.
_TAIL = re.compile(
    r'<script src="(?P<bundle>[^"]*assets/javascripts/bundle\.[0-9a-f]+\.min\.js)"></script>'
    r'(?P<extra>(?:\s*<script src="[^"]+"></script>)*)\s*(?=</body>)'
)
_SRC = re.compile(r'<script src="([^"]+)"></script>')

#: A code block whose lines are anchored spans (pymdownx.highlight ``line_spans``): Material
#: gives its <code> the class ``md-code__content`` when a child is a ``span[id]``.
_LINE_SPANS = re.compile(r'<code>(?=<span id=")')


def code_content(html: str) -> str:
    """``html`` with ``md-code__content`` on each ``<code>`` whose first child is a line span,
    as Material's bundle would set it (so its layout is final from the first frame)."""
    return _LINE_SPANS.sub('<code class="md-code__content">', html)


#: A code block as Pygments writes it; Material's bundle mounts each ``pre > code`` (a line-number
#: column's ``<pre>`` has no ``<code>``).
_CODE_BLOCK = re.compile(r"(<pre\b[^>]*>(?:<span></span>)?)<code\b")
#: Material's copy button (its ``renderClipboardButton``, title in English), in its ``nav``.
COPY_BUTTON = ('<nav class="md-code__nav"><button class="md-code__button" title="Copy to clipboard" '
               'data-md-type="copy"></button></nav>')
#: The Material feature that would add a second button to each block.
COPY_FEATURE = "content.code.copy"


def code_blocks(html: str) -> str:
    """``html`` with a copy button in each code block, where Material's bundle would put it,
    and the block's ``<code>`` focusable."""
    return _CODE_BLOCK.sub(lambda m: m.group(1) + COPY_BUTTON + '<code tabindex="0"', html)


def start_late(html: str) -> str | None:
    """``html`` with Material's scripts at the end of ``<body>`` replaced by the loader, the
    bundle preloaded and the early changes at the end of ``<head>``; None if the scripts are not
    there as Material's template writes them."""
    m = _TAIL.search(html)
    head_end = html.find("</head>")
    if m is None or head_end < 0 or head_end > m.start():
        return None
    srcs = [m.group("bundle"), *_SRC.findall(m.group("extra"))]
    loader = inline_script(LOADER, LOADER_CALL, (srcs,))
    early = inline_script(EARLY, EARLY_CALL, ()) + inline_script(COPY, COPY_CALL, ())
    preload = f'<link rel="preload" as="script" href="{m.group("bundle")}">'
    return (html[:head_end] + preload + "\n" + early + "\n" + html[head_end:m.start()]
            + loader + "\n" + html[m.end():])


def on_config(plugin, config) -> None:
    """Once, before any page: Material's own copy buttons would be a second one on each block."""
    if COPY_FEATURE in (config.theme.get("features") or []):
        raise PluginError(f"raftsite: mkdocs.yml lists Material's {COPY_FEATURE!r}: the build writes the copy "
                          "buttons (plugin/material_start.py), so every code block would have two")


def _page(output: str, where: str) -> str:
    out = start_late(output)
    if out is None:
        raise PluginError(f"raftsite: {where}: Material's bundle is not where plugin/material_start.py "
                          "looks for it (the last <script src> tags before </body>, with no other "
                          "attributes): a new Material version, or an extra_javascript entry with "
                          "attributes this loader does not keep?")
    return code_blocks(code_content(out))


def on_post_page(plugin, output: str, page, config) -> str:
    return _page(output, page.file.src_uri)


def on_post_template(plugin, output: str, template_name: str, config) -> str:
    """The theme's own pages (404.html) too; not its other templates (sitemap.xml)."""
    if not template_name.endswith(".html"):
        return output
    return _page(output, template_name)
