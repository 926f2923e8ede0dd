"""The MkDocs plugin: a list of hooks, one module per job.

=====================  ===================================================================
module                 job
=====================  ===================================================================
:mod:`.fences`         registers the site's Markdown fences with superfences (one list)
:mod:`.runtime`        the wheel, Pyodide's runtime, the precompiled stdlib and wheel, the
                       memory snapshot, and the glue and styles, into the site
:mod:`.build_info`     version, commit, Pyodide version, benchmark table: footer and
                       ``{{ raft.* }}`` placeholders (with the authoring guide's tables)
:mod:`.sources`        one page per ``raftcore`` module, the target of "view in source"
:mod:`.pages`          tells the Markdown extension which page it converts; checks its blocks
:mod:`.head`           each page's ``<head>``: the runtime's names, the Python worker's
                       starter, the glue
:mod:`.palette`        the header's palette toggle, the site's own: the system's colour
                       scheme from the first paint, no restyle in Material's start
:mod:`.material_start` Material's bundle after the first frame, on a page that is already
                       what it makes of it (no restyle of the whole page in its tasks)
:mod:`.reels`          each scene's first seconds of Play and Next ▶, recorded while its
                       block is converted (:mod:`raftsite.reels`), into the site
:mod:`.search_worker`  Material's search worker, with its lunr's TokenSet keys made
                       unambiguous (numbers in a page broke every query)
:mod:`.service_worker` ``sw.js`` at the site's root: the whole build precached, offline
=====================  ===================================================================

Each module defines the MkDocs events it takes part in as functions of the plugin and the
event's arguments (``on_config(plugin, config)``, ``on_files(plugin, files, config)`` …);
:class:`RaftSitePlugin` calls them in the order of :data:`HOOKS`, passing along what an
event transforms (files, Markdown, HTML). Adding a job is adding a module to that list. All
real work on scene blocks is in :mod:`raftsite.markdown_ext`.
"""

from __future__ import annotations

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.plugins import BasePlugin

from . import (build_info, fences, head, material_start, pages, palette, reels, runtime, search_worker, service_worker,
               sources)

#: The jobs, in the order each event visits them.
HOOKS = (fences, runtime, build_info, sources, pages, head, palette, material_start, reels, search_worker, service_worker)


class RaftSiteConfig(Config):
    project_dir = c.Type(str, default="")  # where pyproject.toml lives (default: next to mkdocs.yml)
    pyodide_dir = c.Type(str, default="")  # default: <project>/node_modules/pyodide
    # Precompile, inside Pyodide in Node, the stdlib modules a scene imports at boot
    # (assets/build/precompile-stdlib.mjs) and the wheel's own modules (precompile-wheel.mjs).
    precompile = c.Type(bool, default=True)
    # Ship pyodide.asm.wasm gzipped too (assets/pyodide/pyodide.asm.wasm.gz), which the Python
    # worker fetches and inflates: 3.5 MB on the wire instead of 9.6 on a host that does not
    # compress application/wasm.
    precompress = c.Type(bool, default=True)
    # A Pyodide memory snapshot with the scenes' modules imported (assets/build/make-snapshot.mjs);
    # needs precompile. Not under `mkdocs serve`, which rebuilds the wheel on every edit.
    snapshot = c.Type(bool, default=True)
    # Whether a first visit downloads the snapshot too (7.7 MB gzip). By default it does not:
    # the Python worker restores the snapshot only when the browser holds it already (the
    # service worker precaches it after a first visit), and boots from the precompiled stdlib
    # otherwise: a first visit under 8 MB on the wire (issue 16), at a slower first boot.
    snapshot_first_visit = c.Type(bool, default=False)
    # The service worker (sw.js at the site's root): every file of the build precached, so the
    # site works offline after one visit. Not under `mkdocs serve` (it would cache dev pages).
    offline = c.Type(bool, default=True)


class RaftSitePlugin(BasePlugin[RaftSiteConfig]):
    serving = False

    def _each(self, event: str, *args) -> None:
        for hook in HOOKS:
            fn = getattr(hook, event, None)
            if fn is not None:
                fn(self, *args)

    def _chain(self, event: str, value, *args):
        """Pass ``value`` through every hook of ``event`` (a hook returning None keeps it)."""
        for hook in HOOKS:
            fn = getattr(hook, event, None)
            if fn is not None:
                out = fn(self, value, *args)
                if out is not None:
                    value = out
        return value

    def on_startup(self, *, command, dirty):
        # `mkdocs serve` rebuilds on every edit of raftcore: no wheel bytecode, snapshot or
        # service worker there.
        self.serving = command == "serve"

    def on_config(self, config):
        self._each("on_config", config)
        return config

    def on_files(self, files, config):
        return self._chain("on_files", files, config)

    def on_page_markdown(self, markdown, page, config, files):
        return self._chain("on_page_markdown", markdown, page, config, files)

    def on_page_content(self, html, page, config, files):
        return self._chain("on_page_content", html, page, config, files)

    def on_post_page(self, output, page, config):
        return self._chain("on_post_page", output, page, config)

    def on_post_template(self, output_content, template_name, config):
        return self._chain("on_post_template", output_content, template_name, config)

    def on_post_build(self, config):
        self._each("on_post_build", config)

    def on_serve(self, server, config, builder):
        return self._chain("on_serve", server, config, builder)

    def on_shutdown(self):
        self._each("on_shutdown")
