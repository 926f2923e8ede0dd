"""Scene 12 headless: log compaction (the paper's §7, the thesis's chapter 5) through the same
Scene object the browser drives — the snapshot-threshold slider, InstallSnapshot to a restarted
lagging follower, and identical state machines at the end (State Machine Safety)."""

from __future__ import annotations

import json
import re

import pytest

from raftcore.scenarios import load_scenario
from raftsite.blocks.schema import BlockError, validate_block
from raftsite.browser import Scene
from raftsite.controls.snapshot_threshold import installs
from raftsite.markdown_ext import scene_runtime_config
from site_helpers import ROOT

PAGE = ROOT / "docs/scenes/12-snapshots.md"


def body() -> str:
    return re.search(r"```raft-scene\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S).group(1)


def make() -> Scene:
    return Scene(scene_runtime_config(validate_block(body())))


def status(scene: Scene) -> dict:
    return json.loads(scene.status())


def to_end(scene: Scene) -> dict:
    """Play until the script is done (frames, as the glue does)."""
    for _ in range(20_000):
        if scene.run.finished:
            break
        scene.advance(5)
    scene.advance(50)
    return status(scene)


def play(scene: Scene, ms: float) -> None:
    end = scene.cluster.now + ms
    while scene.cluster.now < end - 1e-9:
        scene.advance(min(5.0, end - scene.cluster.now))


def test_the_script_runs_headless_with_every_invariant_checked():
    run = load_scenario("scene12").run_all()  # strict: the default threshold's expectations hold
    assert run.cluster.violation is None
    assert run.cluster.config.snapshot_threshold == 5


def test_a_restarted_lagging_follower_gets_the_snapshot_and_an_identical_state_machine():
    """Thesis §5.1 / paper §7, InstallSnapshot: S5's missing entries are compacted away on the
    leader, so it receives the snapshot, then the entries after it."""
    scene = make()
    st = to_end(scene)
    assert st["snapshot_threshold"] == 5
    assert any(dst == "S5" and last >= 5 for _, dst, last in st["installs"])
    assert st["snapshots"]["S5"] >= 5
    digests = st["digests"]
    assert len({tuple(d) for d in digests.values()}) == 1, digests  # same state, same applied index
    assert st["violation"] is None
    assert {n: s for n, s in st["states"].items()} == {n: {"x": "6", "y": "5"} for n in st["states"]}
    # the layer draws the same: one snapshot box per server, equal digests in the SVG
    svg = scene.renderer.svg("wide")
    assert svg.count('class="raft-snapbox"') == 5
    shown = set(re.findall(r'data-digest="([0-9a-f]{6})"', svg))
    assert shown == {digests["S1"][0]}


@pytest.mark.parametrize("threshold", [0, 2, 5, 12])
def test_every_threshold_ends_with_the_same_state_machines(threshold):
    scene = make()
    scene.set_control("snapshot_threshold", "", str(threshold))
    assert scene.cluster.config.snapshot_threshold == threshold
    st = to_end(scene)
    assert len({tuple(d) for d in st["digests"].values()}) == 1
    assert st["violation"] is None
    if threshold == 0:  # compaction off: the logs just grow, no snapshot is ever sent
        assert st["snapshots"] == {n: 0 for n in st["snapshots"]}
        assert st["installs"] == []
        assert len(st["logs"]["S1"]) == st["applied"]["S1"]
    else:
        assert st["snapshots"]["S1"] >= threshold
        assert len(st["logs"]["S1"]) < st["applied"]["S1"]  # a compacted prefix


def test_a_follower_the_reader_restarts_far_behind_gets_a_snapshot_too():
    scene = make()
    to_end(scene)
    scene.toggle_server("S3")  # the reader crashes S3
    for _ in range(6):
        scene.set_control("client", "", "INC x")
        play(scene, 60)
    before = status(scene)
    assert not before["alive"]["S3"]
    # the leader has compacted past the end of S3's log: entries cannot bring it up to date
    assert before["snapshots"][before["leader"]] > len(before["logs"]["S3"]) + scene.cluster.nodes["S3"].log.snapshot_index
    scene.toggle_server("S3")  # and restarts it
    play(scene, 400)
    st = status(scene)
    assert st["installs"][-1][1] == "S3"
    assert len({tuple(d) for d in st["digests"].values()}) == 1
    assert st["states"]["S3"]["x"] == "12"
    # the timeline recorded the reader's clicks: back before the crash, S3 is up and never crashed
    crash_at = before["time"] - 6 * 60
    scene.set_control("timeline", "seek", str(crash_at - 1))
    assert status(scene)["alive"]["S3"]


def test_the_slider_refuses_bad_values():
    scene = make()
    with pytest.raises(ValueError, match="not a whole number"):
        scene.set_control("snapshot_threshold", "", "five")
    with pytest.raises(ValueError, match="above this slider's maximum 20"):
        scene.set_control("snapshot_threshold", "", "21")
    with pytest.raises(BlockError, match="default 30 is above max 20"):
        validate_block(body().replace("default: 5", "default: 30"))


def test_installs_reads_delivered_snapshots_from_the_trace():
    trace = ["1.000 S1->S5 InstallSnapshot term=1 last=10/1",
             "2.000 dropped S1->S4 InstallSnapshot term=1 last=10/1",
             "3.000 S5->S1 InstallSnapshotReply term=1 match=10"]
    assert installs(trace) == [("S1", "S5", 10)]
