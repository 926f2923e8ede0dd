"""The site's Markdown fences, registered in one place.

``raft-scene``, ``raft-listings`` and ``raft-defend`` (:mod:`raftsite.markdown_ext`),
``raft-legend`` (:mod:`raftsite.legend`) and ``raft-lab`` (:mod:`raftsite.lab_page`)
are pymdownx.superfences ``custom_fences``. The plugin adds them to the build's
configuration (mkdocs.yml only turns superfences on), and Python code that converts Markdown
itself — the authoring guide's examples, the tests — uses the same list.
"""

from __future__ import annotations

SUPERFENCES = "pymdownx.superfences"


def custom_fences() -> list[dict]:
    """The ``custom_fences`` entries of every fence of the site."""
    from raftsite import lab_page, legend, markdown_ext

    def fence(name: str, module) -> dict:
        return {"name": name, "class": name, "format": module.fence_format, "validator": module.fence_validator}

    return [*(fence(name, markdown_ext) for name in markdown_ext.FENCES),
            fence("raft-legend", legend), fence("raft-lab", lab_page)]


def on_config(plugin, config) -> None:
    """Register the fences with superfences (after any fences mkdocs.yml lists itself)."""
    if SUPERFENCES not in config.markdown_extensions:
        config.markdown_extensions.append(SUPERFENCES)
    options = config.mdx_configs.setdefault(SUPERFENCES, {})
    ours = {f["name"] for f in custom_fences()}
    theirs = [f for f in options.get("custom_fences", []) if f.get("name") not in ours]
    options["custom_fences"] = theirs + custom_fences()
