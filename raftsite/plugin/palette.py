"""The header's palette toggle is the site's, not Material's bundle's.

Two reasons, both measured on the 2-core machine of issue 16:

- **The first paint.** Material picks the palette whose ``media`` query matches (``mkdocs.yml``:
  light and dark, following the system) only once its bundle runs, 0.3–0.6 s after the first
  paint of a cold visit, during which the page — and the scene, which already answers its
  controls — would be light on a dark system. Its own inline script in the header applies a
  palette only when the reader chose one (stored in ``localStorage``).
- **The start-up tasks.** As it started, Material's palette component restyled the whole,
  laid-out page three times (``assets/build/palette.js`` says how) to show the palette the page
  already showed: a cold load of scene 01 restyled 6,067 elements in all with it, 2,480
  without (Chromium traces).

So right after Material's inline script, ``assets/build/palette.js`` picks the palette and sets
the toggle, the ``<body>`` attributes and the metas while only the header is parsed, and switches
on a click or Enter; the form's ``data-md-component="palette"`` becomes ``data-raft-palette``, so
the bundle leaves it alone. A page where either is not where Material writes it fails the build
(a new Material version).
"""

from __future__ import annotations

import re

from mkdocs.exceptions import PluginError

from .head import ASSETS, inline_script

#: Material's inline palette script (partials/javascripts/palette.html), which this follows.
MATERIAL_PALETTE = re.compile(r'<script>var palette=__md_get\("__palette"\);.*?</script>', re.S)
#: Material's palette form (partials/palette.html), as it writes it, and as this plugin does.
MATERIAL_FORM = '<form class="md-header__option" data-md-component="palette">'
FORM = '<form class="md-header__option" data-raft-palette>'

SCRIPT = ASSETS / "build" / "palette.js"
SCRIPT_CALL = "})();"


def _has_toggle(config) -> bool:
    """Material writes the form (and its script) for a list of palettes, a toggle per palette with one."""
    palette = config.theme.get("palette")
    return isinstance(palette, list) and len(palette) > 0


def take_over(output: str) -> str | None:
    """``output`` with the form renamed and ``palette.js`` right after Material's script; None
    if either is not there as Material writes it."""
    m = MATERIAL_PALETTE.search(output)
    if m is None or output.count(MATERIAL_FORM) != 1 or output.find(MATERIAL_FORM) > m.start():
        return None
    out = output[: m.end()] + inline_script(SCRIPT, SCRIPT_CALL, ()) + output[m.end():]
    return out.replace(MATERIAL_FORM, FORM)


def on_post_page(plugin, output: str, page, config) -> str:
    if not _has_toggle(config):
        return output  # one palette: no toggle, nothing to pick
    out = take_over(output)
    if out is None:
        raise PluginError(f"raftsite: {page.file.src_uri}: Material's palette form and script are not where "
                          "plugin/palette.py looks for them (a new Material version?)")
    return out


def on_post_template(plugin, output: str, template_name: str, config) -> str:
    """The theme's own pages (404.html) too; not its other templates (sitemap.xml)."""
    return (take_over(output) if _has_toggle(config) else None) or output
