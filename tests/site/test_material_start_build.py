"""Material's start out of the reader's way (raftsite/plugin/material_start.py): what the build
writes. tests/browser/test_material_start.py checks what the page then does."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

from raftsite.plugin import material_start

BUNDLE = "../assets/javascripts/bundle.a5f9d56c.min.js"
PAGE = (
    '<html class="no-js"><head><meta charset="utf-8"><link rel="stylesheet" href="../a.css"></head>'
    "<body><p>text</p>"
    '<pre><code><span id="__span-0-1">x = 1</span></code></pre>'
    "<pre><code>no line spans</code></pre>"
    '<script id="__config" type="application/json">{}</script>\n'
    f'  <script src="{BUNDLE}"></script>\n'
    '    <script src="../assets/raft/theme.js"></script>\n'
    '    <script src="../extra.js"></script>\n'
    "</body></html>"
)


def test_materials_scripts_are_loaded_by_the_loader_in_their_order():
    out = material_start.start_late(PAGE)
    body = out[out.index("<body>"):]
    assert "<script src=" not in body  # the parser runs none of them itself
    loader = re.search(r"\}\)\((\[.*?\])\);</script>\s*</body>", out)
    assert loader is not None, out[-600:]
    assert loader.group(1) == f'["{BUNDLE}", "../assets/raft/theme.js", "../extra.js"]'
    assert '<script id="__config" type="application/json">{}</script>' in body  # Material reads it


def test_the_bundle_is_preloaded_and_the_early_changes_end_the_head():
    out = material_start.start_late(PAGE)
    head = out[: out.index("</head>")]
    assert f'<link rel="preload" as="script" href="{BUNDLE}">' in head
    early = head[head.rindex('<link rel="preload"'):]
    assert 'classList.add("js", "js-focus-visible")' in early
    assert ".md-code__button[data-md-type=copy]" in early  # the copy buttons' handler
    assert "el[name] = el[name]" not in early  # <head>'s links: after the first paint, by the loader
    assert "el[name] = el[name]" in out[out.index("</head>"):]


def test_a_code_block_with_line_spans_has_its_final_class_from_the_build():
    """Material gives a <code> with ``span[id]`` children ``md-code__content`` (display: grid);
    the build writes it, and leaves other code alone."""
    out = material_start.code_content(PAGE)
    assert '<code class="md-code__content"><span id="__span-0-1">' in out
    assert "<code>no line spans</code>" in out
    assert out.count("md-code__content") == 1


def test_each_code_block_gets_the_copy_button_material_would_insert_and_is_focusable():
    """``pre > code`` (a line-number column's ``<pre>`` has none) gets Material's copy button, in
    its ``nav``, where the bundle inserted it: before the ``<code>``, which is focusable (a
    block wider than the page scrolls from the keyboard before the bundle runs)."""
    numbers = '<pre><span></span><span class="normal"><a href="#l-1">1</a></span></pre>'
    html = PAGE.replace("</p>", "</p>" + numbers).replace("<pre><code>", "<pre><span></span><code>", 1)
    out = material_start.code_blocks(material_start.code_content(html))
    assert out.count(material_start.COPY_BUTTON) == 2
    button = material_start.COPY_BUTTON
    assert "<pre><span></span>" + button + '<code tabindex="0" class="md-code__content"><span id="__span-0-1">' in out
    assert "<pre>" + button + '<code tabindex="0">no line spans</code>' in out
    assert numbers in out


def test_materials_own_copy_feature_fails_the_build():
    """With ``content.code.copy`` listed, Material's bundle would add a second button to each block."""
    page = SimpleNamespace(file=SimpleNamespace(src_uri="scenes/x.md"))
    config = SimpleNamespace(theme={"features": ["navigation.instant", "content.code.copy"]})
    with pytest.raises(PluginError, match="content.code.copy"):
        material_start.on_config(None, config)
    material_start.on_config(None, SimpleNamespace(theme={}))  # no features: nothing to refuse
    assert material_start.COPY_BUTTON in material_start.on_post_page(None, PAGE, page, SimpleNamespace(theme={}))


@pytest.mark.parametrize("tail", [
    '<script src="bundle.js"></script></body>',  # not Material's bundle
    f'<script src="{BUNDLE}"></script><script type="module" src="x.mjs"></script></body>',  # an attribute it would drop
    f'<script src="{BUNDLE}"></script><div></div></body>',  # not at the end of <body>
], ids=["no bundle", "module script", "not last"])
def test_a_page_whose_scripts_are_not_where_material_writes_them_fails_the_build(tail):
    page = SimpleNamespace(file=SimpleNamespace(src_uri="scenes/x.md"))
    html = "<html><head></head><body>" + tail + "</html>"
    assert material_start.start_late(html) is None
    with pytest.raises(PluginError, match=r"scenes/x\.md: Material's bundle is not where"):
        material_start.on_post_page(None, html, page, None)


def test_every_page_of_the_site_starts_material_late(built_site):
    pages = 0
    for path in sorted(built_site.rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        if 'id="__config"' not in html:
            continue  # not a page of the theme (the source pages' redirects, …)
        pages += 1
        assert re.search(r'<script src="[^"]*bundle\.[0-9a-f]+\.min\.js"></script>', html) is None, path
        assert html.count('<link rel="preload" as="script"') == 1, path
        assert "RAFT_MATERIAL_SCRIPTS" not in html and "})(RAFT" not in html, path
        assert re.search(r"<code>(?=<span id=)", html) is None, path  # every line-span block has its class
        blocks = len(re.findall(r"<pre\b[^>]*>(?:<span></span>)?(?:<nav class=\"md-code__nav\">.*?</nav>)?<code\b", html))
        assert html.count(material_start.COPY_BUTTON) == blocks, path  # one copy button per code block
        assert html.count(material_start.COPY_BUTTON + '<code tabindex="0"') == blocks, path  # each focusable
    assert pages > 20
