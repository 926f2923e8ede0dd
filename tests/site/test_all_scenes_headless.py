"""Every scene page under docs/scenes/, whichever exist: a new scene is tested without a test
naming it (see docs/authoring.md, "How the tests pick up a new scene").

For each page: its ```` ```raft-scene ```` blocks validate exactly as the build validates
them; each block's scenario runs to its end in CPython with the invariant checker on and every
``expect``/``wait`` strict; and the scene, driven through the same ``Scene`` object the
browser drives, plays its script with no invariant violated while no unsafe switch is on.
(A scene's own claim — and that its unsafe switch is caught — is its own test's business.)
"""

from __future__ import annotations

import json

import pytest

from raftcore.scenarios import load_scenario
from raftsite.browser import Scene
from raftsite.markdown_ext import check_markdown, scene_runtime_config
from site_helpers import ROOT

PAGES = sorted((ROOT / "docs" / "scenes").glob("*.md"))
PLAY_LIMIT_MS = 60_000.0  # a scene's script is a few simulated seconds; then it runs free


def _scenes(page):
    rel = page.relative_to(ROOT).as_posix()
    return check_markdown(page.read_text(encoding="utf-8"), rel)  # raises page:line: reason


def test_the_scene_pages_are_found():
    assert len(PAGES) >= 6, PAGES


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_scene_blocks_validate_and_their_scenarios_run_clean(page):
    scenes = _scenes(page)
    assert scenes, f"{page.name} has no ```raft-scene block"
    for cfg in scenes:
        run = load_scenario(cfg["scenario"]).run_all(seed=cfg["seed"])  # strict: expectations must hold
        assert run.cluster.checker is not None
        assert run.cluster.violation is None, f"{page.name}: {run.cluster.violation}"


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_each_scene_plays_in_the_bridge_without_a_violation(page):
    for cfg in _scenes(page):
        scene = Scene(scene_runtime_config(cfg))
        first = json.loads(scene.full())
        assert first["svg"].startswith("<svg") and first["time"] == 0
        st = json.loads(scene.status())
        while not st["finished"] and st["time"] < PLAY_LIMIT_MS:
            json.loads(scene.frame(100.0))  # the glue's call; at most 100 ms of wall time per frame
            scene.advance(200.0)
            st = json.loads(scene.status())
        assert st["finished"], f"{page.name}: the script did not end within {PLAY_LIMIT_MS:.0f} simulated ms"
        assert st["violation"] is None, f"{page.name}: {st['violation']}"
        assert st["unsafe"] == {}
        scene.unmount()
