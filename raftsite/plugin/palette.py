"""The plugin's colour scheme at first paint: a reader whose system is dark sees the dark
palette from the first frame, not Material's light one until its bundle has run.

Material picks the palette whose ``media`` query matches (``mkdocs.yml``: light and dark,
following the system) only once its bundle runs, at the end of the page — 0.3–0.6 s after the
first paint on a cold visit, during which the page, and the scene that already answers its
controls, are light. Its own inline script in the header applies a palette only when the
reader chose one (stored in ``localStorage``). Right after that script, this one does what
Material's bundle will do: with no stored choice, it copies the attributes of the palette
input whose ``data-md-color-media`` matches now onto ``<body>``.
"""

from __future__ import annotations

import re

from mkdocs.exceptions import PluginError

#: Material's inline palette script (partials/javascripts/palette.html), which this follows.
MATERIAL_PALETTE = re.compile(r'<script>var palette=__md_get\("__palette"\);.*?</script>', re.S)

FOLLOW_SYSTEM = (
    '<script>(function(){if(__md_get("__palette"))return;'
    'var inputs=document.querySelectorAll("input[data-md-color-media]");'
    "for(var i=0;i<inputs.length;i++){var input=inputs[i];"
    'if(!matchMedia(input.getAttribute("data-md-color-media")).matches)continue;'
    '["scheme","primary","accent"].forEach(function(k){'
    'document.body.setAttribute("data-md-color-"+k,input.getAttribute("data-md-color-"+k))});break}})()</script>'
)


def _follows_system(config) -> bool:
    palette = config.theme.get("palette")
    return isinstance(palette, list) and any(isinstance(p, dict) and p.get("media") for p in palette)


def _insert(output: str) -> str | None:
    """``output`` with FOLLOW_SYSTEM right after Material's script; None without that script."""
    m = MATERIAL_PALETTE.search(output)
    return None if m is None else output[: m.end()] + FOLLOW_SYSTEM + output[m.end():]


def on_post_page(plugin, output: str, page, config) -> str:
    if not _follows_system(config):
        return output  # one palette, or none that follows the system: nothing to pick
    out = _insert(output)
    if out is None:
        raise PluginError(f"raftsite: {page.file.src_uri}: Material's palette script is not where "
                          "plugin/palette.py looks for it (a new Material version?)")
    return out


def on_post_template(plugin, output: str, template_name: str, config) -> str:
    """The theme's own pages (404.html) too; not its other templates (sitemap.xml)."""
    return (_insert(output) if _follows_system(config) else None) or output
