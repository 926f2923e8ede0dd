"""raftsite.browser.Scene in CPython: the same object the glue drives in Pyodide."""

from __future__ import annotations

import json
import re

import pytest

from raftsite.blocks.schema import validate_block
from raftsite.browser import Scene, SeedError, mount, parse_seed, scenario_trace_hash
from raftsite.markdown_ext import scene_runtime_config
from site_helpers import ROOT


@pytest.fixture
def config():
    text = (ROOT / "docs/scenes/01-replicated-state-machines.md").read_text(encoding="utf-8")
    body = re.search(r"```raft-scene\n(.*?)```", text, re.S).group(1)
    cfg = scene_runtime_config(validate_block(body))
    cfg["seed"] = 1
    return cfg


def test_frames_converge_to_x_3(config):
    scene = mount(None, json.dumps(config))
    for _ in range(5000):
        u = json.loads(scene.frame(16.7))
        if json.loads(scene.status())["finished"]:
            break
    states = json.loads(scene.status())["states"]
    assert {n: s.get("x") for n, s in states.items()} == {"SM_A": "3", "SM_B": "3", "SM_C": "3"}
    assert "patches" in u and u["time"] > 600


def test_listed_lines_are_traced_only_while_running(config):
    scene = Scene(config)
    seen = {}
    for _ in range(400):
        u = json.loads(scene.advance(5))
        for lid, lines in u.get("lines", {}).items():
            seen.setdefault(lid, set()).update(lines)
    apply_loop = config["listings"][0]
    assert apply_loop["id"] in seen
    assert seen[apply_loop["id"]] <= set(range(apply_loop["start"], apply_loop["end"] + 1))
    import sys

    assert sys.gettrace() is None  # nothing left tracing between frames
    scene.unmount()


def test_unsafe_switch_restarts_and_the_monitor_catches_divergence(config):
    scene = Scene(config)
    u = json.loads(scene.set_unsafe("nondeterministic_state_machine", True))
    assert u["time"] == 0 and "svg" in u
    for _ in range(400):
        u = json.loads(scene.advance(10))
        if json.loads(scene.status())["violation"]:
            break
    status = json.loads(scene.status())
    assert status["violation"].startswith("State Machine Safety")
    assert json.loads(scene.full())["panel"]["invariants"]["state_machine_safety"] is False


def test_link_delay_raises_the_banner(config):
    scene = Scene(config)
    u = json.loads(scene.set_control("link_delay", "SM_C", 1000))
    assert ("s01-banner", "attr:visibility", "visible") in [tuple(p) for p in u["patches"]]
    u = json.loads(scene.set_control("link_delay", "SM_C", 0))
    assert ("s01-banner", "attr:visibility", "hidden") in [tuple(p) for p in u["patches"]]


@pytest.mark.parametrize("bad", ["banana", "-1", "1.5", "", "99999999999", "2147483648"])
def test_bad_seeds_are_refused(bad):
    with pytest.raises(SeedError):
        parse_seed(bad)


def test_reset_with_a_seed_is_deterministic(config):
    a, b = Scene(config), Scene(config)
    a.reset("7")
    b.reset(7)
    for _ in range(100):
        a.advance(10)
        b.advance(10)
    assert a.trace_hash() == b.trace_hash()
    with pytest.raises(SeedError):
        a.reset("seven")


def test_scenario_trace_hash_is_the_cluster_trace_hash():
    from raftcore.scenarios import load_scenario

    run = load_scenario("scene01").start(strict=False)
    run.finish()
    assert scenario_trace_hash("scene01") == run.cluster.trace_hash()


def test_frames_update_only_the_drawing_the_screen_shows(config):
    """The glue says which drawing CSS shows (``shown``); frames then patch that one only, and
    show_drawing() switches (its updates bring the other drawing up to date); a bad name is refused."""
    scene = mount(None, json.dumps(dict(config, shown="wide")))
    narrow = config["id"] + "-n"
    ids = set()
    for _ in range(200):
        ids |= {eid for eid, _, _ in json.loads(scene.frame(16.7))["patches"]}
    assert ids and not [i for i in ids if i == narrow or i.startswith(narrow + "-")]
    switched = {eid for eid, _, _ in json.loads(scene.show_drawing("narrow"))["patches"]}
    assert switched and all(i == narrow or i.startswith(narrow + "-") for i in switched)
    with pytest.raises(ValueError, match="no drawing"):
        scene.show_drawing("huge")
