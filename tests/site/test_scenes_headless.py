"""Each scene's scenario, run headless in CPython with the invariant checker on; and each scene's
"Defend it" switch caught by the invariant the page claims — through the same Scene object the
browser drives."""

from __future__ import annotations

import json
import re

import pytest

from raftcore.scenarios import load_scenario
from raftsite.blocks.schema import validate_block
from raftsite.browser import Scene
from raftsite.markdown_ext import scene_runtime_config
from site_helpers import ROOT

PAGES = {
    "scene02": "02-terms-roles-timers.md",
    "scene03": "03-leader-election.md",
    "scene04": "04-log-replication.md",
    "scene05": "05-commitment.md",
    "scene06": "06-repairing-logs.md",
}

#: unsafe switch -> the invariant that catches it (None: harmless, nothing may be violated)
CAUGHT = {
    "scene02": None,
    "scene03": "Election Safety",
    "scene04": "Log Matching",
    "scene05": "Leader Completeness",
}


def config(page: str) -> dict:
    text = (ROOT / "docs/scenes" / page).read_text(encoding="utf-8")
    body = re.search(r"```raft-scene\n(.*?)```", text, re.S).group(1)
    return scene_runtime_config(validate_block(body))


@pytest.mark.parametrize("name", sorted(PAGES))
def test_scenario_runs_with_invariants_checked(name):
    run = load_scenario(name).run_all()  # strict: every expect/wait must hold
    c = run.cluster
    assert c.checker is not None and c.violation is None
    assert not run.failures


@pytest.mark.parametrize("name", sorted(CAUGHT))
def test_unsafe_switch_is_caught(name):
    cfg = config(PAGES[name])
    scene = Scene(cfg)
    scene.set_unsafe(cfg["unsafe"]["switch"], True)
    for _ in range(3000):
        scene.advance(5)
        st = json.loads(scene.status())
        if st["violation"] or st["finished"]:
            break
    want = CAUGHT[name]
    if want is None:
        assert st["violation"] is None
    else:
        assert st["violation"] and st["violation"].startswith(want), st["violation"]


def test_scene02_ignoring_higher_terms_leaves_two_leaders_in_different_terms():
    cfg = config(PAGES["scene02"])
    scene = Scene(cfg)
    scene.set_unsafe("ignore_higher_term", True)
    while not json.loads(scene.status())["finished"]:
        scene.advance(20)
    st = json.loads(scene.status())
    assert len(st["leaders"]) == 2 and len(set(st["leaders"].values())) == 2
    assert st["violation"] is None
    assert scene.renderer.banner()[0] == "visible"


def test_scene06_hint_needs_no_more_round_trips_and_fewer_for_b_e_f():
    scene = Scene(config(PAGES["scene06"]))
    for mode in ("slow", "fast"):
        scene.set_control("backtrack", "", mode)
        for _ in range(400):
            scene.advance(5)
        json.loads(scene.frame(0))  # the table is refreshed with the frame
    rt = json.loads(scene.status())["roundtrips"]
    assert set(rt["slow"]) == set(rt["fast"]) == set("abcdef")
    assert all(rt["fast"][f] <= rt["slow"][f] for f in "abcdef")
    assert all(rt["fast"][f] < rt["slow"][f] for f in "bef")
    # the paper's Figure 7 arithmetic: one-by-one backup costs one round trip per differing entry
    assert rt["slow"] == {"a": 2, "b": 7, "c": 1, "d": 1, "e": 6, "f": 8}


def test_scene03_timeout_range_and_elections_batches():
    scene = Scene(config(PAGES["scene03"]))
    scene.set_control("timeout_range", "", "12-24")
    assert json.loads(scene.status())["timeout_range"] == [12.0, 24.0]
    assert scene.cluster.config.election_timeout_max == 24.0
    json.loads(scene.control_action("elections", "start", 30))
    while True:
        out = json.loads(scene.control_action("elections", "batch", 20))
        if out["elections"]["finished"]:
            break
    assert out["elections"]["done"] == 30
    assert "<svg" in out["panels"]["chart"] and "12–24" in out["panels"]["chart"]
    with pytest.raises(ValueError):
        scene.set_control("timeout_range", "", "300-150")
