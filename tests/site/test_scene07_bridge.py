"""Scene 07, the election restriction (§5.4.1), through the same Scene object the browser drives:
each voter's recorded answer is the paper's comparison (last term first, then last index),
the ``votes`` layer and table show exactly those answers, and voting regardless of logs lets a
stale candidate win and lose a committed entry (Leader Completeness, §5.4.3)."""

from __future__ import annotations

import json
import re

import pytest

from raftsite.blocks.schema import validate_block
from raftsite.browser import Scene
from raftsite.markdown_ext import scene_runtime_config
from site_helpers import ROOT

PAGE = ROOT / "docs/scenes/07-election-restriction.md"


def config() -> dict:
    body = re.search(r"```raft-scene\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S).group(1)
    return scene_runtime_config(validate_block(body))


def status(scene) -> dict:
    return json.loads(scene.status())


def paper_up_to_date(candidate_last, voter_last) -> bool:
    """§5.4.1 written independently of raftcore: "If the logs have last entries with different
    terms, then the log with the later term is more up-to-date. If the logs end with the same
    term, then whichever log is longer is more up-to-date." — i.e. (term, index) compared in
    that order; a candidate passes when its log is at least as up-to-date."""
    return tuple(candidate_last) >= tuple(voter_last)


def run_until(scene, predicate, limit_ms: float = 5000.0, step: float = 1.0) -> dict:
    """Advance in small steps (the scene's frames) until ``predicate(status)``; fail otherwise."""
    t = 0.0
    while t < limit_ms:
        scene.advance(step)
        scene.frame(0)  # panels and layers refresh with a frame, as in the browser
        st = status(scene)
        if predicate(st):
            return st
        t += step
    pytest.fail(f"not reached within {limit_ms} ms: {status(scene)['votes']}")


def stale_election(st) -> bool:
    v = st["votes"]
    return bool(v) and v["candidate"] == "S5" and v["term"] == 3 and len(v["decisions"]) == 4


@pytest.fixture
def scene():
    s = Scene(config())
    yield s
    s.unmount()


def test_every_voter_refuses_the_stale_candidate_by_the_paper_comparison(scene):
    st = run_until(scene, stale_election)
    decisions = st["votes"]["decisions"]
    assert set(decisions) == {"S1", "S2", "S3", "S4"}
    for voter, d in decisions.items():
        # the candidate's last entry as its request carried it, the voter's own as its log holds it
        assert d["candidate_last"] == [1, 1]
        log = st["logs"][voter]
        assert d["voter_last"] == [log[-1], len(log)]
        assert d["up_to_date"] == paper_up_to_date(d["candidate_last"], d["voter_last"]) is False
        assert d["granted"] is False
        assert d["reason"].startswith("my log is more up-to-date")
    # S1's log ends in the same term: the index decides; the others' end in a later term.
    assert decisions["S1"]["voter_last"] == [1, 2] and "my last index 2 > its last index 1" in decisions["S1"]["reason"]
    for voter in ("S2", "S3", "S4"):
        assert decisions[voter]["voter_last"] == [2, 3] and "my last term 2 > its last term 1" in decisions[voter]["reason"]


def test_the_layer_and_the_table_show_the_recorded_answers(scene):
    run_until(scene, stale_election)
    svg = scene.renderer.svg("wide")
    layer = re.search(r'<g id="s07-layer-votes" class="raft-layer">(.*?)</g></g>', svg, re.S)
    assert layer, "the votes layer is drawn"
    cards = dict(re.findall(r'<g class="raft-card raft-votes [^"]*" data-vote="(S\d)">(.*?)</g>', svg, re.S))
    assert set(cards) == {"S1", "S2", "S3", "S4", "S5"}
    assert "S5 (T1,#1) vs mine (T1,#2)" in cards["S1"] and "✗ refused" in cards["S1"]
    assert "S5 (T1,#1) vs mine (T2,#3)" in cards["S3"] and "raft-votes--refused" in svg
    assert "its last entry (T1,#1)" in cards["S5"]  # the candidate offers its last entry
    table = json.loads(scene.full())["panels"]["votes"]
    rows = re.findall(r'<tr><th scope="row">(S\d)</th><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>', table)
    assert {r[0] for r in rows} == {"S1", "S2", "S3", "S4"}
    assert all(r[1] == "(T1,#1)" and r[3] == "refused" for r in rows)
    assert "S5 asks for votes in term 3" in table
    # the earlier elections stay listed: S5's first try in term 2, where three voters had voted for S2
    assert "S5, term 2: S1 ✗, S2 ✗, S3 ✗, S4 ✗" in table


def test_one_vote_per_term_comes_before_the_comparison(scene):
    """Step (5): in term 2, S2, S3 and S4 had already voted (for S2) — Figure 2 refuses before
    comparing logs; only S1, which had not, compares."""
    st = run_until(scene, lambda s: any(h["candidate"] == "S5" and h["term"] == 3 for h in s["vote_history"]))
    first = next(h for h in st["vote_history"] if h["candidate"] == "S5" and h["term"] == 2)
    assert first["refused"] == ["S1", "S2", "S3", "S4"] and first["granted"] == []


def test_every_election_is_kept_however_fast_the_scene_runs(scene):
    """The cluster keeps only each voter's latest answer to each candidate; the table keeps
    S5's two tries apart even when a single frame runs the whole script."""
    scene.advance(2000)
    history = [(h["candidate"], h["term"], h["granted"], h["refused"]) for h in status(scene)["vote_history"]]
    assert history == [
        ("S1", 1, ["S2", "S3", "S4", "S5"], []),
        ("S2", 2, ["S3", "S4"], []),
        ("S5", 2, [], ["S1", "S2", "S3", "S4"]),
        ("S5", 3, [], ["S1", "S2", "S3", "S4"]),
        ("S3", 4, ["S1", "S2", "S4", "S5"], []),
    ]


def test_the_scene_ends_with_the_committed_entry_everywhere(scene):
    while not status(scene)["finished"]:
        scene.advance(20)
    st = status(scene)
    assert st["violation"] is None
    assert st["leaders"] == {"S3": 4}
    assert all(s == {"x": "1"} for s in st["states"].values())
    assert not scene.run.failures
    h = st["vote_history"][-1]
    assert h["candidate"] == "S3" and h["term"] == 4 and h["granted"] == ["S1", "S2", "S4", "S5"]
    # the winner's card still shows the entry its requests offered, not its log since (its no-op)
    card = re.search(r'data-vote="S3">(.*?)</g>', scene.renderer.svg("wide"), re.S).group(1)
    assert "its last entry (T2,#3)" in card


def test_voting_regardless_of_logs_loses_a_committed_entry():
    scene = Scene(config())
    scene.set_unsafe(config()["unsafe"]["switch"], True)
    st = run_until(scene, lambda s: s["violation"] is not None, step=5)
    assert st["violation"].startswith("Leader Completeness")
    assert "S5 became leader of term 3 without the entry 1:SET x 1" in st["violation"]
    assert json.loads(scene.full())["panel"]["invariants"]["leader_completeness"] is False
    # The voters granted although their own logs were more up-to-date (the check was skipped).
    d = st["votes"]["decisions"]
    assert st["votes"]["candidate"] == "S5" and all(x["granted"] and not x["up_to_date"] for x in d.values())
    # The run goes on: the stale leader makes every log match its own, and SET x 1 is gone.
    while not status(scene)["finished"]:
        scene.advance(20)
    logs = scene.cluster.nodes
    assert all(not any(str(e.command) == "SET x 1" for e in logs[n].log.entries()) for n in scene.cluster.names)
