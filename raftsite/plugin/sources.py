"""The plugin's source pages: one page per ``raftcore`` module, the target of every listing's
"view in source" link; and ``mkdocs serve`` rebuilds when the code changes."""

from __future__ import annotations

import re

from mkdocs.structure.files import File, Files, InclusionLevel

from raftsite import markdown_ext
from raftsite.blocks.schema import LISTING_PACKAGES as SOURCE_PACKAGES


def on_files(plugin, files: Files, config) -> Files:
    for pkg in SOURCE_PACKAGES:
        for path in sorted((plugin.project / pkg).rglob("*.py")):
            rel = path.relative_to(plugin.project).as_posix()
            module = rel[:-3].replace("/", ".")
            if module.endswith(".__init__"):
                module = module[: -len(".__init__")]
            dest = markdown_ext.source_page_url(module).rstrip("/") + ".md"
            files.append(
                File.generated(
                    config, dest, content=source_page(rel, path.read_text(encoding="utf-8")),
                    inclusion=InclusionLevel.NOT_IN_NAV,
                )
            )
    return files


def on_serve(plugin, server, config, builder):
    for pkg in (*SOURCE_PACKAGES, "raftsite"):
        server.watch(str(plugin.project / pkg))
    return server


def source_page(rel: str, text: str) -> str:
    """A Markdown page showing the whole file, with line numbers listings link to."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return (
        f"---\ntitle: {rel}\nsearch:\n  exclude: true\n---\n\n"
        f"# `{rel}`\n\n"
        f"The complete file, as the site was built from it. Listings on the scene pages link to their lines here.\n\n"
        f'{fence}{{.python #src linenums="1"}}\n{text}{"" if text.endswith(chr(10)) else chr(10)}{fence}\n'
    )
