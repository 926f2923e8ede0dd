"""The timeline control (raftsite/controls/timeline.py): time travel over a scene's run.

Time travel restores a snapshot of the whole run and replays forward to the exact moment. It
is only honest because a run is a pure function of its seed — the determinism the Raft paper's
model needs from every replica (§5, a replicated state machine applies the same commands in
the same order) and that the simulator promises for the whole cluster. So every test here
compares traces: a run that travelled must have exactly the trace of one that never moved.
"""

from __future__ import annotations

import json

import pytest

from raftcore.scenarios import load_scenario
from raftsite.blocks.schema import BlockError, validate_block
from raftsite.browser import Scene
from raftcore.sim.recording import Recording, trace_times
from raftsite.markdown_ext import scene_runtime_config

BLOCK = """scenario: figure8
id: tl
controls:
  - kind: timeline
"""


def make(options: str = "", scenario: str = "figure8") -> Scene:
    text = BLOCK.replace("figure8", scenario) + "".join(f"    {line}\n" for line in options.splitlines() if line)
    return Scene(scene_runtime_config(validate_block(text)))


def timeline(scene: Scene) -> dict:
    return json.loads(scene.status())["timeline"]


def play_to(scene: Scene, t: float, frame: float = 7.0) -> None:
    """Play as the glue does: many small frames."""
    while scene.cluster.now < t - 1e-9:
        scene.advance(min(frame, t - scene.cluster.now))


def straight(t: float, scenario: str = "figure8") -> list[str]:
    """The trace of the scenario run from 0 to ``t`` in one go, no timeline involved."""
    run = load_scenario(scenario).start(strict=False)
    run.advance(t)
    return run.cluster.trace()


def seek(scene: Scene, t: float) -> None:
    scene.set_control("timeline", "seek", str(t))


def test_the_prerun_records_the_whole_run_and_leaves_it_at_its_start():
    s = make()
    fresh = load_scenario("figure8").start(strict=False)
    fresh.advance(0.0)  # the opening frame: the script's commands at t = 0
    assert s.cluster.now == 0.0
    assert s.cluster.trace() == fresh.cluster.trace()  # back at the start, as if nothing ran
    fresh.finish()
    tl = timeline(s)
    every = tl["recording"]["every_ms"]
    # the slider covers the script and the tail after it (100 ms by default)
    assert fresh.cluster.now + 100 <= tl["end"] <= fresh.cluster.now + 100 + every + 1e-6
    assert tl["recording"]["snapshots"] >= tl["end"] // every


def test_moving_back_then_playing_gives_the_trace_of_never_moving():
    never = make()
    play_to(never, 600)
    moved = make()
    play_to(moved, 450)
    seek(moved, 120)
    assert moved.cluster.now == pytest.approx(120)
    assert moved.cluster.trace() == straight(120)
    play_to(moved, 300)
    seek(moved, 40)
    seek(moved, 510)  # forward past where it had played, within the prerun's recording
    play_to(moved, 600)
    assert moved.cluster.trace() == never.cluster.trace()
    assert moved.trace_hash() == never.trace_hash()


@pytest.mark.parametrize("t", [0.0, 33.3, 101.0, 250.5, 333.0, 499.9, 640.0])
def test_any_moment_is_the_moment_of_a_straight_run(t):
    s = make()
    play_to(s, 640)
    seek(s, t)
    assert s.cluster.trace() == straight(t)
    assert s.cluster.now == pytest.approx(t)


def test_memory_is_capped_by_thinning_and_travel_stays_exact():
    s = make("every: 10\nmax_snapshots: 5")
    rec = timeline(s)["recording"]
    assert rec["snapshots"] <= 5
    assert rec["thinned"] >= 1 and rec["every_ms"] >= 20  # the interval doubled on each thinning
    times = s.controls[0].rec.times
    assert times[0] == 0.0 and times == sorted(times)
    for t in (570.0, 15.0, 377.7):
        seek(s, t)
        assert s.cluster.trace() == straight(t)


def test_playing_past_the_recording_extends_it():
    s = make("prerun: false\nevery: 40")
    assert timeline(s)["end"] == 0.0
    play_to(s, 700)
    tl = timeline(s)
    assert tl["end"] == pytest.approx(700)
    assert tl["recording"]["snapshots"] >= 700 // 40 // 2
    seek(s, 222)
    assert s.cluster.trace() == straight(222)


def test_step_forward_then_back_returns_to_the_same_state():
    s = make()
    play_to(s, 300)
    before = s.cluster.trace()
    nxt = s.run.next_event_time()  # the next event or script command
    s.set_control("timeline", "forward", "")
    assert s.cluster.now == pytest.approx(nxt)
    assert len(s.cluster.trace()) > len(before)
    s.set_control("timeline", "back", "")
    assert s.cluster.trace() == before
    # and back once more: one event group earlier
    s.set_control("timeline", "back", "")
    assert trace_times(s.cluster.trace())[-1] < trace_times(before)[-1]


def test_a_crash_by_the_reader_is_part_of_the_run_until_travelling_back_before_it():
    s = make()
    play_to(s, 200)
    s.toggle_server("S3")  # the reader crashes S3 at 200 ms
    play_to(s, 400)
    assert not s.cluster.alive("S3")
    seek(s, 300)
    assert not s.cluster.alive("S3")  # after the crash: still crashed
    seek(s, 100)
    assert s.cluster.alive("S3")  # before it: it never happened
    seek(s, 350)  # and the future no longer contains it
    assert s.cluster.alive("S3")
    assert s.cluster.trace() == straight(350)


def test_bad_operations_are_refused_with_a_reason():
    s = make()
    with pytest.raises(ValueError, match="not a time"):
        s.set_control("timeline", "seek", "soon")
    with pytest.raises(ValueError, match="no operation 'warp'"):
        s.set_control("timeline", "warp", "")
    with pytest.raises(ValueError, match="no mark 3"):
        s.set_control("timeline", "mark", "3")  # figure8 has no marks
    with pytest.raises(TypeError, match="snapshot"):
        Recording(object(), 10, 4)


def test_block_options_are_checked():
    validate_block(BLOCK + "    every: 20\n    max_snapshots: 16\n    step_ms: 2\n")
    with pytest.raises(BlockError, match="every must be between"):
        validate_block(BLOCK + "    every: 0\n")
    with pytest.raises(BlockError, match="horizon only applies with prerun"):
        validate_block(BLOCK + "    prerun: false\n    horizon: 300\n")
    with pytest.raises(BlockError, match="at most one 'timeline'"):
        validate_block(BLOCK + "  - kind: timeline\n")


def test_horizon_bounds_the_prerun():
    s = make("horizon: 250")
    assert timeline(s)["end"] == pytest.approx(250)
    assert s.cluster.now == 0.0


def test_the_recording_stops_at_record_ms_and_the_run_plays_on():
    s = make("prerun: false\nrecord_ms: 1000\nevery: 100", scenario="scene05")
    play_to(s, 3000)
    tl = timeline(s)
    assert tl["end"] == pytest.approx(1000) and tl["limit"] == 1000
    assert max(s.controls[0].rec.times) <= 1000
    seek(s, 2500)  # past the recording: the slider ends at 1000
    assert s.cluster.now == pytest.approx(1000)
    assert s.cluster.trace() == straight(1000, "scene05")


def test_the_glue_gets_the_marks_again_when_an_intervention_makes_later_ones_obsolete():
    s = make(scenario="scene08")
    full = json.loads(s.full())
    sent = json.loads(full["panels"]["timeline"])  # every full update carries the range and marks
    assert len(sent["marks"]) == 5 and sent["end"] == timeline(s)["end"]
    play_to(s, 50)
    assert "timeline" not in json.loads(s.advance(1)).get("panels", {})  # unchanged: not resent
    u = json.loads(s.toggle_server("S3"))  # the reader crashes S3 after (a): (b)…(e) are no longer this run's
    sent = json.loads(u["panels"]["timeline"])
    assert [m["label"][:3] for m in sent["marks"]] == ["(a)"]
    # playing on, the run's own marks come back as the script reaches them
    play_to(s, 400)
    assert [m["label"][:3] for m in timeline(s)["marks"]][:2] == ["(a)", "(b)"]


def test_script_commands_carried_out_by_a_step_are_not_taken_for_the_readers():
    s = make(scenario="forgotten_vote")  # its first commands, at t = 0, cut links
    kept = len(s.controls[0].rec.snaps)
    # the opening frame carried out the script's first commands: no time passed, but the run moved
    assert s.cluster.now == 0.0 and s.cluster.blocked
    s.full()  # the page's first frame: the timeline observes the run
    assert s.controls[0].rec.interventions == []  # the run's own doing, not the reader's
    assert len(s.controls[0].rec.snaps) == kept  # the recorded future is still valid
