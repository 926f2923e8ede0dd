"""The plugin's reels (:mod:`raftsite.reels`): recorded while scene blocks are converted,
written into the site after the build, before the service worker lists its files."""

from __future__ import annotations

from pathlib import Path

from mkdocs.plugins import get_plugin_logger

from raftsite import reels

log = get_plugin_logger(__name__)


def on_config(plugin, config) -> None:
    reels.forget()


def on_post_build(plugin, config) -> None:
    n = reels.write(Path(config.site_dir))
    if n:
        log.info("reels: %d scenes' first seconds of Play and Next ▶ recorded", n)
