"""Scene 11 (membership changes) headless: the majorities the diagram draws, the reader's
add/remove requests, and the unsafe multi-server change caught by Election Safety — through
the same Scene object the browser drives (thesis §4.1; Raft paper §6, Figure 10)."""

from __future__ import annotations

import itertools
import json
import re

import pytest

from raftsite.blocks.schema import BlockError, validate_block
from raftsite.browser import Scene
from raftsite.layers.majorities import hull_path, quorum_view, worst_case_majorities
from raftsite.markdown_ext import scene_runtime_config
from site_helpers import ROOT

PAGE = ROOT / "docs/scenes/11-membership.md"
NAMES = ("S1", "S2", "S3", "S4", "S5", "S6")


def config() -> dict:
    body = re.search(r"```raft-scene\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S).group(1)
    return scene_runtime_config(validate_block(body))


def play(scene: Scene, until=lambda st: st["finished"], step: float = 5.0, limit_ms: float = 30_000.0):
    """Advance in small steps; yield nothing, return the status where ``until`` first holds."""
    st = json.loads(scene.status())
    while not until(st) and st["time"] < limit_ms and not st["violation"]:
        scene.advance(step)
        st = json.loads(scene.status())
    return st


# ------------------------------------------------------------------ the arithmetic (thesis §4.1)


def _majorities(conf):
    k = len(conf) // 2 + 1
    return [set(c) for c in itertools.combinations(conf, k)]


def _configs(max_size=5):
    for n in range(1, max_size + 1):
        yield from itertools.combinations(NAMES, n)


def test_worst_case_majorities_share_as_few_servers_as_any_two_majorities():
    """The greedy pair the diagram draws is a true minimum over every pair of majorities."""
    for old in _configs(4):
        for new in _configs(4):
            q_old, q_new = worst_case_majorities(old, new, NAMES)
            assert set(q_old) <= set(old) and len(q_old) == len(old) // 2 + 1
            assert set(q_new) <= set(new) and len(q_new) == len(new) // 2 + 1
            least = min(len(a & b) for a in _majorities(old) for b in _majorities(new))
            assert len(set(q_old) & set(q_new)) == least, (old, new)


def test_one_server_at_a_time_always_overlaps_two_at_once_need_not():
    """Thesis §4.1: adding or removing ONE server leaves every majority of the old
    configuration overlapping every majority of the new; the paper's Figure 10 (three servers
    to five at once) has disjoint majorities."""
    for old in _configs(5):
        for extra in NAMES:
            new = tuple(sorted(set(old) ^ {extra}))  # one server added or removed
            if not new:
                continue
            q_old, q_new = worst_case_majorities(old, new, NAMES)
            assert set(q_old) & set(q_new), (old, new)
    q_old, q_new = worst_case_majorities(("S1", "S2", "S3"), ("S1", "S2", "S3", "S4", "S5"), NAMES)
    assert not set(q_old) & set(q_new)
    assert (q_old, q_new) == (("S1", "S2"), ("S3", "S4", "S5"))


def test_hull_path_shapes():
    assert hull_path([], 10) == ""
    circle = hull_path([(100.0, 50.0)], 10)
    assert circle.startswith("M90.0,50.0a10.0,10.0") and circle.endswith("Z")
    capsule = hull_path([(0.0, 0.0), (100.0, 0.0)], 10)
    assert capsule == "M0.0,-10.0L100.0,-10.0A10.0,10.0 0 0 1 100.0,10.0L0.0,10.0A10.0,10.0 0 0 1 0.0,-10.0Z"
    # an interior point does not change the outline
    tri = [(0.0, 0.0), (100.0, 0.0), (50.0, 80.0)]
    assert hull_path(tri + [(50.0, 20.0)], 8) == hull_path(tri, 8)


# ------------------------------------------------------------------ the scene


def test_the_block_and_the_membership_control_validate():
    cfg = config()
    assert cfg["draw"] == ["majorities"]
    ctl = next(c for c in cfg["controls"] if c["kind"] == "membership")
    assert ctl["default"] in ctl["servers"]
    assert cfg["unsafe"]["switch"] == "multi_server_membership_change"
    bad = "scenario: membership\ncontrols:\n  - {kind: membership, servers: 'S1,S2', default: S9}\n"
    with pytest.raises(BlockError) as err:
        validate_block(bad)
    assert err.value.line == 2 and "default 'S9' is not one of the servers" in err.value.message


def test_one_change_at_a_time_keeps_the_majorities_overlapping():
    """Thesis §4.1: while the servers use two configurations, the worst-case majorities share
    a server, and no term has two leaders."""
    scene = Scene(config())
    seen_change = False
    st = json.loads(scene.status())
    while not st["finished"] and st["time"] < 30_000:
        scene.advance(5)
        st = json.loads(scene.status())
        m = st["membership"]
        assert not m["disjoint"], m
        if len(m["configurations"]) > 1:
            seen_change = True
            assert m["overlap"], m
            assert set(m["overlap"]) <= set(m["q_old"]) & set(m["q_new"])
    assert seen_change
    assert st["violation"] is None
    assert len(set(st["leaders"].values())) == len(st["leaders"])  # one leader per term


def test_changing_two_servers_at_once_elects_two_leaders_in_one_term():
    """The unsafe switch lets the leader start a change before the previous one is committed:
    the configuration jumps by two servers, two disjoint majorities elect two leaders in one
    term, and Election Safety catches it (Raft paper §5.2; thesis §4.1)."""
    scene = Scene(config())
    out = json.loads(scene.set_unsafe("multi_server_membership_change", True))
    assert out["time"] == 0 and out["panel"]["violation"] is None
    st = play(scene)
    assert st["violation"] and st["violation"].startswith("Election Safety"), st["violation"]
    assert json.loads(scene.full())["panel"]["invariants"]["election_safety"] is False
    m = st["membership"]
    assert m["disjoint"] and not set(m["q_old"]) & set(m["q_new"])
    assert len(m["c_new"]) - len(m["c_old"]) == 2  # the configuration jumped by two servers
    # what the reader sees: the panel says so and the layer's legend too
    panel = json.loads(scene.full())["panels"]["membership"]
    assert "Disjoint majorities" in panel
    assert "NO OVERLAP" in scene.renderer.svg("wide")


def test_the_reader_adds_and_removes_servers_through_the_cluster_rules():
    scene = Scene(config())
    play(scene, until=lambda st: st["leader"] is not None)
    refused = json.loads(scene.control_action("membership", "add", "S1"))
    assert refused["ok"] is False and "S1 is already a member" in refused["message"]
    refused = json.loads(scene.control_action("membership", "remove", "S7"))
    assert refused["ok"] is False and "S7" in refused["message"]
    done = json.loads(scene.control_action("membership", "add", "S6"))
    assert done["ok"] is True and "add S6" in done["status"]
    # the new server is drawn at once: the diagram is redrawn around six servers
    assert any(p[0] == "s11-root" and 's11-s-S6"' in p[2] for p in done["updates"]["patches"])
    st = json.loads(scene.status())
    assert st["membership"]["requests"] == ["add S6"] and "S6" in st["membership"]["members"]
    assert "S6" in st["states"]  # a server of the cluster from now on
    with pytest.raises(ValueError):
        scene.set_control("membership", "", "add S6")  # already asked for
    with pytest.raises(ValueError):
        scene.set_control("membership", "", "promote S6")


def test_the_layer_draws_both_majorities_and_marks_the_shared_server():
    scene = Scene(config())
    st = play(scene, until=lambda st: len(st["membership"]["configurations"]) > 1)
    svg = scene.renderer.svg("wide")
    layer = re.search(r'<g id="s11-layer-majorities"[^>]*>(.*?)</g><g id="s11-s-', svg, re.S).group(1)
    assert 'class="raft-maj raft-maj--old"' in layer and 'class="raft-maj raft-maj--new"' in layer
    shared = st["membership"]["overlap"]
    assert shared and layer.count('class="raft-maj-overlap"') == len(shared)
    for n in shared:
        assert f"<title>{n} is in both majorities</title>" in layer
    # while two configurations are in use, every server is tagged with the one it uses (or
    # why it has no vote), under its name
    view = quorum_view(scene.cluster.view())
    assert layer.count('class="raft-small raft-maj-tag"') == len(scene.cluster.names)
    assert "uses C_old" in layer and "uses C_new" in layer
    voters = set(view.c_old.voters) | set(view.c_new.voters)
    assert layer.count("uses C_new") == len([n for n in view.c_new.used_by
                                             if n in voters and n not in view.learners])


def test_frames_stay_cheap_with_the_layer_and_the_panel():
    """Behaviour, not timing: when nothing changed, a frame resends neither the layer nor the panel."""
    scene = Scene(config())
    play(scene, until=lambda st: st["time"] > 300)
    json.loads(scene.frame(0))
    again = json.loads(scene.frame(0))
    assert "panels" not in again
    assert not any(p[0] == "s11-layer-majorities" for p in again["patches"])


def test_the_scripted_story_one_leader_per_term_s5_waits_then_s2_leaves():
    """The page's story (scenario scene11): while {S1, S2} is cut off, {S1, S2, S3, S4} cannot
    commit, so S5 is not added (one change at a time, thesis §4.1); S1 alone leads term 2; after
    the heal the changes complete one by one and S2 leaves."""
    scene = Scene(config())
    leaders: dict[int, set] = {}
    st = json.loads(scene.status())
    while not st["finished"] and st["time"] < 30_000:
        scene.advance(5)
        st = json.loads(scene.status())
        for name, term in st["leaders"].items():
            leaders.setdefault(term, set()).add(name)
        if "network healed" not in " ".join(scene.cluster.events):
            assert all("S5" not in c["voters"] for c in st["membership"]["configurations"]), st["membership"]
    assert st["violation"] is None
    assert leaders[2] == {"S1"} and all(len(v) == 1 for v in leaders.values())
    m = st["membership"]
    assert m["c_new"] == ["S1", "S3", "S4", "S5"] and len(m["configurations"]) == 1
    assert "not a voter" in scene.renderer.svg("wide")  # S2's tag
