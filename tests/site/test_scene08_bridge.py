"""Scene 08 headless: the paper's Figure 8 (§5.4.2) through the same Scene object the browser
drives, with the timeline — the frames (a)–(e) as marks, time travel to each, and the unsafe
switch commit_old_term_by_counting caught by Leader Completeness and State Machine Safety."""

from __future__ import annotations

import json
import re

import pytest

from raftcore.scenarios import load_scenario
from raftsite.blocks.schema import validate_block
from raftsite.browser import Scene
from raftsite.markdown_ext import scene_runtime_config
from site_helpers import ROOT

PAGE = ROOT / "docs/scenes/08-figure-8.md"
FRAMES = ["(a)", "(b)", "(c)", "(d)", "(e)"]


def config() -> dict:
    body = re.search(r"```raft-scene\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S).group(1)
    return scene_runtime_config(validate_block(body))


def status(scene: Scene) -> dict:
    return json.loads(scene.status())


def go_to_frame(scene: Scene, frame: str) -> dict:
    marks = status(scene)["timeline"]["marks"]
    k = next(i for i, m in enumerate(marks) if m["label"].startswith(frame))
    scene.set_control("timeline", "mark", str(k))
    st = status(scene)
    assert st["time"] == marks[k]["t"]
    assert st["timeline"]["caption"].startswith(frame)
    return st


def holders(st: dict, index: int, term: int) -> set[str]:
    return {n for n, log in st["logs"].items() if len(log) >= index and log[index - 1] == term}


def test_the_script_runs_headless_with_every_invariant_checked():
    run = load_scenario("scene08").run_all()  # strict: every expect and wait of the script holds
    assert run.cluster.checker is not None and run.cluster.violation is None
    assert [label[:3] for _, label in run.marks] == FRAMES


def test_the_timeline_shows_the_figures_frames_as_marks_from_the_start():
    scene = Scene(config())
    tl = status(scene)["timeline"]
    assert [m["label"][:3] for m in tl["marks"]] == FRAMES
    times = [m["t"] for m in tl["marks"]]
    assert times == sorted(times) and tl["end"] > times[-1]
    assert scene.cluster.now == 0.0


def test_at_c_index_2_is_on_a_majority_but_not_committed():
    """§5.4.2: S1, leader of term 4, has its term-2 entry at index 2 on a majority, and must not
    commit it by counting replicas."""
    scene = Scene(config())
    st = go_to_frame(scene, "(c)")
    assert st["leaders"] == {"S1": 4}
    assert len(holders(st, 2, 2)) >= 3  # a majority of five
    assert st["commit"]["S1"] < 2
    assert all(c < 2 for c in st["commit"].values())


def test_scrubbing_back_and_forth_shows_the_same_run():
    """Time travel is replay: the state at (c) is the same however the reader got there."""
    scene = Scene(config())
    first = go_to_frame(scene, "(c)")
    trace_c = scene.cluster.trace()
    go_to_frame(scene, "(e)")
    go_to_frame(scene, "(a)")
    scene.set_control("timeline", "back", "")
    again = go_to_frame(scene, "(c)")
    assert scene.cluster.trace() == trace_c
    assert {k: again[k] for k in ("logs", "commit", "terms", "leaders")} == \
        {k: first[k] for k in ("logs", "commit", "terms", "leaders")}
    # and it is the state of a run played straight to that moment, frame by frame
    fresh = Scene(config())
    while fresh.cluster.now < again["time"] - 1e-9:
        fresh.advance(min(16.7 * 0.1, again["time"] - fresh.cluster.now))
    assert fresh.cluster.trace() == trace_c


def test_d_overwrites_index_2_and_e_commits_it():
    scene = Scene(config())
    st = go_to_frame(scene, "(d)")
    assert st["leaders"] == {"S5": 5}
    assert holders(st, 2, 3) >= {"S2", "S3", "S4", "S5"}  # S5's term-3 entry replaced the term-2 one
    st = go_to_frame(scene, "(e)")
    assert st["leaders"] == {}  # S1 campaigns and nobody votes for it
    assert all(st["commit"][n] >= 3 for n in ("S2", "S3", "S4", "S5"))
    assert st["violation"] is None


def test_counting_old_term_replicas_is_caught_in_the_same_run():
    """Unsafe commit_old_term_by_counting: S1 commits index 2 at (c); S5 is elected without it at
    (d) (Leader Completeness) and overwrites it (State Machine Safety) — both monitors red."""
    scene = Scene(config())
    scene.set_unsafe("commit_old_term_by_counting", True)
    st = go_to_frame(scene, "(c)")
    assert st["commit"]["S1"] >= 2 and st["violation"] is None
    go_to_frame(scene, "(d)")
    keys = [v.key for v in scene.cluster.violations]
    assert keys[:2] == ["leader_completeness", "state_machine_safety"]
    panel = json.loads(scene.full())["panel"]
    assert panel["invariants"]["leader_completeness"] is False
    assert panel["invariants"]["state_machine_safety"] is False
    assert panel["invariants"]["log_matching"] is True
    # back to (c): before the violations, every monitor is green again
    go_to_frame(scene, "(c)")
    panel = json.loads(scene.full())["panel"]
    assert all(panel["invariants"].values())
