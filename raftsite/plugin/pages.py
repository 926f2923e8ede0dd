"""The plugin's page context: the Markdown extension learns which page it converts.

Before a page is converted the extension is told its path (for ``page:line`` errors), its
URL (for relative links) and how many lines of front matter were cut off above the Markdown;
its scene blocks are validated at once, so a broken block fails ``mkdocs build --strict``
with a one-line ``page:line: reason``. All real work on blocks is in
:mod:`raftsite.markdown_ext`.
"""

from __future__ import annotations

import os
from pathlib import Path

from mkdocs.exceptions import PluginError

from raftsite import markdown_ext


def page_path(page, config) -> str:
    """The page's source path as errors name it: relative to mkdocs.yml when it is below it."""
    src = page.file.abs_src_path
    if not src:
        return page.file.src_uri
    base = Path(config.config_file_path).resolve().parent
    return os.path.relpath(src, base) if Path(src).resolve().is_relative_to(base) else src


def on_page_markdown(plugin, markdown: str, page, config, files) -> str:
    src = page.file.abs_src_path
    path = page_path(page, config)
    offset = 0
    if src and os.path.exists(src):
        raw = Path(src).read_text(encoding="utf-8-sig")
        head = markdown[:200]
        idx = raw.find(head) if head else -1
        if idx > 0:
            offset = raw.count("\n", 0, idx)
    markdown_ext.set_page(path, page.url, offset)
    try:
        markdown_ext.check_markdown(markdown, path, offset)
    except markdown_ext.SceneBlockError as exc:
        raise PluginError(str(exc)) from None
    return markdown


def on_page_content(plugin, html: str, page, config, files) -> str:
    markdown_ext.set_page("<markdown>")
    return html
