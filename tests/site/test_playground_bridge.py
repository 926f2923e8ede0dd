"""The playground in CPython: the address's format, replay determinism, time travel, bad links,
and the control as the page drives it (``Scene.control_action``)."""

from __future__ import annotations

import json
import random
import re

import pytest

from raftsite.blocks.schema import validate_block
from raftsite.browser import Scene
from raftsite.markdown_ext import scene_runtime_config
from raftsite.playground import (MAX_TENTHS, UNSAFE_CODES, Action, PlaygroundRun, Settings, decode, encode,
                                 quantize)
from site_helpers import ROOT

# ------------------------------------------------------------------ helpers


def play(run: PlaygroundRun, rng: random.Random, steps: int = 40) -> None:
    """A reader poking the run at arbitrary moments (frames of arbitrary length between)."""
    c = run.cluster
    for _ in range(steps):
        run.advance(rng.uniform(0.0, 180.0))
        if c.halted:
            return
        names = list(c.names)
        n = rng.choice(names)
        choice = rng.randrange(12)
        try:
            if choice == 0:
                run.act("c" if c.alive(n) else "r", n[1:])
            elif choice == 1:
                run.act("o", n[1:])
            elif choice == 2:
                run.act("z", f"{n[1:]}-{rng.choice([100, 300])}")
            elif choice == 3:
                k = rng.randrange(1, len(names))
                run.act("p", "".join(x[1:] for x in names[:k]) + "-" + "".join(x[1:] for x in names[k:]))
            elif choice == 4:
                run.act("h")
            elif choice == 5:
                a, b = rng.sample(names, 2)
                run.act("k", a[1:] + b[1:])
            elif choice == 6:
                a, b = rng.sample(names, 2)
                run.act("l", f"{a[1:]}{b[1:]}-{rng.choice([0, 40])}")
            elif choice == 7:
                run.act("n", f"{rng.choice([0, 10, 30])}-{rng.choice([0, 10])}-{rng.choice([0, 20])}")
            elif choice == 8:
                run.act("w", str(rng.choice([0, 5, 10])))
            elif choice == 9:
                run.act("x", n[1:])
            elif choice == 10:
                run.act(rng.choice("sg"))
            else:
                run.act("a", str(len(names) + 1)) if len(names) < 9 else run.act("d", n[1:])
        except ValueError:
            pass  # refused (no leader to transfer from, already crashed…): nothing recorded


def replay(link: str) -> PlaygroundRun:
    d = decode(link)
    assert d.notes == []
    run = PlaygroundRun(d.settings, d.script)
    run.run_to(d.tenths / 10)
    return run


def playground_config() -> dict:
    text = (ROOT / "docs/playground.md").read_text(encoding="utf-8")
    body = re.search(r"```raft-scene\n(.*?)```", text, re.S).group(1)
    return scene_runtime_config(validate_block(body))


def page(query: str = "") -> Scene:
    """The playground as the glue mounts it: the block's config plus the address's query."""
    return Scene(dict(playground_config(), query=query))


def act(scene: Scene, name: str, arg: str = "") -> dict:
    return json.loads(scene.control_action("playground", name, arg))


# ------------------------------------------------------------------ the address


def test_settings_and_actions_round_trip_through_the_address():
    s = Settings(size=7, seed=123, pre_vote=False, check_quorum=True, read_mode="lease", snapshot_threshold=20)
    script = [Action(0, "w", "5"), Action(803, "c", "1"), Action(1200, "p", "12-3456-7"), Action(1200, "h"),
              Action(1500, "n", "10-0-5"), Action(1600, "u", "mv1"), Action(1700, "z", "2-300"),
              Action(1800, "l", "34-200"), Action(1900, "k", "43"), Action(2000, "s"), Action(2100, "g")]
    text = encode(s, script, 2500)
    assert text.startswith("v1.n7.s123.p0.q1.rs.h20.t2500.0w5.803c1.1200p12-3456-7.1200h.")
    assert re.fullmatch(r"[A-Za-z0-9._~-]+", text)  # nothing a URL must escape
    d = decode(text)
    assert (d.settings, d.script, d.tenths, d.notes) == (s, script, 2500, [])


def test_every_unsafe_switch_has_a_stable_code():
    from raftcore import UNSAFE_SWITCHES

    assert set(UNSAFE_CODES.values()) == set(UNSAFE_SWITCHES)
    assert all(re.fullmatch(r"[a-z]{2}", code) for code in UNSAFE_CODES)


def test_quantize_is_the_next_tenth_and_never_earlier():
    for now in (0.0, 0.05, 1234.5, 1234.6, 1234.6000000000001, 99.99999, 7.3 + 0.1):
        k = quantize(now)
        assert k / 10 >= now and k / 10 - now <= 0.1 + 1e-9


# ------------------------------------------------------------------ replay


@pytest.mark.parametrize("size,seed", [(5, 1), (3, 7), (9, 2)])
def test_a_link_replays_the_exact_run(size, seed):
    run = PlaygroundRun(Settings(size=size, seed=seed))
    play(run, random.Random(seed * 31 + size))
    assert run.pc >= 10  # the reader did something
    link = run.link()
    run.settle()  # what Copy link does: the run moves to the link's tenth
    again = replay(link)
    assert again.cluster.now == run.cluster.now
    assert again.cluster.trace_hash() == run.cluster.trace_hash()
    assert [a.token() for a in again.script] == [a.token() for a in run.script]


def test_nine_servers_with_loss_duplication_and_reordering_replay_and_keep_raft_safe():
    run = PlaygroundRun(Settings(size=9, seed=5))
    run.advance(300.7)
    run.act("n", "20-10-30")
    run.act("w", "10")
    run.advance(4_000.3)
    c = run.cluster
    assert c.violation is None and c.stats["dropped"] > 0 and c.stats["duplicated"] > 0
    assert c.leader() is not None
    assert replay(run.link()).cluster.trace_hash() == (run.settle(), c.trace_hash())[1]


def test_time_travel_through_the_actions_is_exact():
    run = PlaygroundRun(Settings(size=5, seed=3))
    play(run, random.Random(9), steps=25)
    end = run.settle() / 10
    link = run.link()
    fresh = PlaygroundRun(decode(link).settings, decode(link).script)
    fresh.run_to(end / 3)
    snap = fresh.snapshot()
    fresh.run_to(end)
    first = fresh.cluster.trace_hash()
    fresh.restore(snap)
    fresh.advance(end - fresh.cluster.now)
    fresh.run_to(end)
    assert fresh.cluster.trace_hash() == first == run.cluster.trace_hash()


def test_an_action_in_the_past_replaces_the_recorded_future():
    run = PlaygroundRun(Settings(size=3, seed=2))
    run.advance(500)
    snap = run.snapshot()
    run.act("c", "1")
    run.advance(300)
    run.act("r", "1")
    assert [a.verb for a in run.script] == ["c", "r"]
    run.restore(snap)  # back before both
    run.act("h")
    assert [a.verb for a in run.script] == ["h"] and run.pc == 1


def test_a_refused_action_changes_nothing_recorded():
    run = PlaygroundRun(Settings(size=3, seed=2))
    run.advance(10)
    with pytest.raises(ValueError, match="no leader"):
        run.act("x", "2")
    run.act("c", "1")
    with pytest.raises(ValueError, match="already crashed"):
        run.act("c", "1")
    with pytest.raises(ValueError, match="cannot time out|crashed"):
        run.act("o", "1")
    assert [a.token() for a in run.script] == [run.script[0].token()] and run.script[0].verb == "c"


def test_the_checker_catches_a_switch_turned_on_mid_run():
    """Two followers forced to time out with ``multiple_votes_per_term``: two leaders in one term."""
    run = PlaygroundRun(Settings(size=3, seed=1, pre_vote=False))
    run.advance(1_000)
    leader = run.cluster.leader()
    assert leader is not None
    run.act("u", "mv1")
    followers = [n for n in run.cluster.names if n != leader]
    run.act("c", leader[1:])
    run.act("o", followers[0][1:])
    run.act("o", followers[1][1:])
    run.advance(500)
    v = run.cluster.violation
    assert v is not None and v.key == "election_safety"
    assert replay(run.link()).cluster.violation.key == "election_safety"


# ------------------------------------------------------------------ bad links


@pytest.mark.parametrize("text,says", [
    ("", "empty"),
    ("garbage", "does not start with a version"),
    ("v9.n5.s1.t50.100c1", "another version"),
    ("v1.n12.s1", "1 to 9 servers"),
    ("v1.n5.sx", "not a whole number"),
    ("v1.n5.q0.rs", "lease reads need CheckQuorum"),
    ("v1.n5.s1.t100.50q1", "unknown verb"),
    ("v1.n5.s1.t100.50c", "bad arguments"),
    ("v1.n5.s1.t100.50k11", "two different servers"),
    ("v1.n5.s1.t100.50z1-99999", "a pause lasts 1 to 5000 ms"),
    ("v1.n5.s1.t100.50n200-0-0", "at most 100 percent"),
    ("v1.n5.s1.t100.50uzz1", "unknown unsafe switch"),
    ("v1.n5.s1.zz9", "unknown setting"),
])
def test_a_bad_link_opens_what_it_can_and_says_what_it_left_out(text, says):
    d = decode(text)
    assert any(says in note for note in d.notes), d.notes
    run = PlaygroundRun(d.settings, d.script)  # never a blank page: a run opens
    run.run_to(min(d.tenths, MAX_TENTHS) / 10)


def test_an_other_versions_link_keeps_its_size_and_seed_but_not_its_actions():
    d = decode("v9.n7.s42.t50.100c1")
    assert (d.settings.size, d.settings.seed, d.script, d.tenths) == (7, 42, [], 0)


def test_an_action_the_replay_cannot_take_is_left_out_with_a_note():
    d = decode("v1.n3.s1.t300.100c1.200c1.250c9")
    run = PlaygroundRun(d.settings, d.script)
    run.run_to(30.0)
    assert [a.token() for a in run.script] == ["100c1"]
    assert len(run.notes) == 2 and "already crashed" in run.notes[0] and "no server S9" in run.notes[1]


# ------------------------------------------------------------------ the control, as the page drives it


def test_the_page_acts_records_and_its_link_reopens_the_same_run():
    scene = page()
    scene.advance(700.33)
    out = act(scene, "timeout", "S2")
    assert out.get("error") is None and out["actions"] == ["7004o2"] and out["updates"]["time"] == 700.4
    scene.advance(123.45)
    act(scene, "side", "S1,B")
    act(scene, "faults", "10,5,20")
    act(scene, "rate", "4")
    act(scene, "unsafe", "local_reads,on")
    scene.advance(400)
    out = act(scene, "link")
    assert out["updates"]["time"] * 10 == int(out["link"].split(".t")[1].split(".")[0])
    other = page("?pg=" + out["link"])
    st = json.loads(other.status())["playground"]
    assert st["trace_hash"] == out["trace_hash"] and st["notes"] == []
    assert st["unsafe"] == ["local_reads"] and st["faults"] == [10, 5, 20] and st["rate"] == 4


def test_the_page_says_why_it_refuses_and_restarts_on_a_setting():
    scene = page()
    out = act(scene, "transfer", "S3")
    assert "no leader" in out["error"] and out["actions"] == []
    out = act(scene, "settings", "size=9")
    assert out["restarted"] and out["settings"]["size"] == 9 and len(out["servers"]) == 9
    out = act(scene, "settings", "check_quorum=off")
    assert out["settings"]["check_quorum"] is False
    out = act(scene, "settings", "read_mode=lease")
    assert "CheckQuorum" in out["error"] and out["settings"]["read_mode"] == "read_index"


def test_a_bad_address_opens_a_run_and_the_notes_reach_the_page():
    scene = page("?pg=v1.n4.s3.t20.5c7.9qq")
    st = json.loads(scene.status())["playground"]
    assert st["settings"]["size"] == 4 and st["servers"] == ["S1", "S2", "S3", "S4"]
    assert any("no server S7" in n for n in st["notes"]) and any("unknown verb" in n for n in st["notes"])


def test_the_timeline_scrubs_back_over_the_readers_actions_and_forward_again():
    scene = page()
    scene.advance(600)
    act(scene, "crash", "S1")
    scene.advance(900)
    end_hash = act(scene, "link")["trace_hash"]
    now = json.loads(scene.status())["time"]
    scene.set_control("timeline", "seek", "300")
    assert json.loads(scene.status())["alive"]["S1"] is True
    scene.set_control("timeline", "seek", str(now))
    st = json.loads(scene.status())
    assert st["alive"]["S1"] is False and st["playground"]["trace_hash"] == end_hash


def test_go_to_the_violation_from_before_it_replays_the_recorded_future():
    scene = page("?pg=v1.n3.s1.p0.q1.ri.h0.t0")
    scene.advance(1_000)
    lead = json.loads(scene.status())["leader"]
    others = [n for n in ("S1", "S2", "S3") if n != lead]
    act(scene, "unsafe", "multiple_votes_per_term,on")
    act(scene, "crash", lead)
    act(scene, "timeout", others[0])
    act(scene, "timeout", others[1])
    scene.advance(500)
    at = act(scene, "status")
    assert at["halted"] and at["violation_at"] == at["time"]
    assert "error" in act(scene, "crash", others[0])  # refused at the violation
    scene.set_control("timeline", "seek", "0")
    before = act(scene, "status")
    assert not before["halted"] and before["violation_at"] == at["violation_at"] and len(before["future"]) == 4
    out = act(scene, "violation")
    assert out["halted"] and out["trace_hash"] == at["trace_hash"]
    # an action before it changes the run's future: the violation is no longer known
    scene.set_control("timeline", "seek", "0")
    act(scene, "heal")
    assert act(scene, "status")["violation_at"] is None and "No invariant" in act(scene, "violation")["error"]


def test_the_command_line_replays_a_page_address(capsys):
    from raftsite.playground import main

    run = PlaygroundRun(Settings(size=3, seed=1, pre_vote=False))
    run.advance(1_000)
    run.act("u", "mv1")
    run.act("c", run.cluster.leader()[1:])
    for n in [x for x in run.cluster.names if run.cluster.alive(x)]:
        run.act("o", n[1:])
    run.advance(500)
    assert main([f"http://127.0.0.1:8000/playground/?pg={run.link()}", "--events"]) == 0
    out = capsys.readouterr().out
    assert f"trace hash {(run.settle(), run.cluster.trace_hash())[1]}" in out
    assert "VIOLATION: Election Safety" in out


def test_a_paused_server_wears_a_pill_until_it_resumes():
    scene = page()
    scene.advance(1_000.05)
    act(scene, "pause", "S2,300")
    svg = json.loads(scene.full())["svg"]
    assert svg.count('class="raft-paused"') == 2  # the wide and the narrow drawing
    assert "paused until 1300 ms" in svg
    scene.advance(400)
    assert act(scene, "status")["paused"] == {}
    assert 'class="raft-paused"' not in json.loads(scene.full())["svg"]


@pytest.mark.parametrize("seed", range(1, 11))
def test_the_pages_break_it_recipe_works(seed):
    """docs/playground.md, "Break it on purpose": PreVote and CheckQuorum off, a leader, the switch,
    crash the leader, time out two followers — two leaders in one term, whatever the seed."""
    run = PlaygroundRun(Settings(size=5, seed=seed, pre_vote=False, check_quorum=False))
    run.advance(1_000)
    lead = run.cluster.leader()
    run.act("u", "mv1")
    run.act("c", lead[1:])
    followers = [n for n in run.cluster.names if n != lead]
    run.act("o", followers[0][1:])
    run.act("o", followers[1][1:])
    run.advance(1_000)
    assert run.cluster.violation is not None and run.cluster.violation.key == "election_safety"
