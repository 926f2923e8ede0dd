"""Tests of the pure-Python SVG renderer (raftsite.render).

Two kinds of cluster are drawn: a tiny fake with exactly the attributes the renderer
reads (so every branch can be set up by hand), and the real ``raftcore.sim.Cluster``.

The strongest check is ``replay``: apply the patches of ``update()`` to the parsed SVG of
the previous frame, as the browser glue does, and require the result to equal a freshly
rendered ``svg()`` of the new state, frame after frame.
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest

from raftsite.render import CSS, TERM_PALETTE, Renderer, command_text

SVG_NS = "http://www.w3.org/2000/svg"
NS = "{%s}" % SVG_NS


# --------------------------------------------------------------------------- a fake cluster

@dataclass(frozen=True)
class FEntry:
    term: int
    command: object = None


class FLog:
    def __init__(self):
        self.items = []

    @property
    def last_index(self):
        return len(self.items)

    def entries(self):
        return list(self.items)


class FNode:
    def __init__(self, name):
        self.name = name
        self.role = "follower"
        self.current_term = 1
        self.log = FLog()
        self.commit_index = 0
        self.last_applied = 0
        self.state = {}
        self.election_deadline = 150.0
        self.election_timeout = 150.0
        self.match_index = {}
        self.votes = set()


@dataclass(frozen=True)
class FFlight:
    src: str
    dst: str
    msg: object
    sent_at: float
    deliver_at: float


@dataclass(frozen=True)
class AppendEntries:
    src: str
    dst: str
    term: int
    entries: tuple = ()

    def __str__(self):
        return "%s->%s AppendEntries term=%d [%d]" % (self.src, self.dst, self.term, len(self.entries))


@dataclass(frozen=True)
class RequestVote:
    src: str
    dst: str
    term: int

    def __str__(self):
        return "%s->%s RequestVote term=%d" % (self.src, self.dst, self.term)


@dataclass(frozen=True)
class RequestVoteReply:
    src: str
    dst: str
    term: int
    vote_granted: bool

    def __str__(self):
        return "%s->%s RequestVoteReply granted=%d" % (self.src, self.dst, self.vote_granted)


@dataclass(frozen=True)
class AppendEntriesReply:
    src: str
    dst: str
    term: int
    success: bool

    def __str__(self):
        return "%s->%s AppendEntriesReply ok=%d" % (self.src, self.dst, self.success)


class FakeCluster:
    def __init__(self, names=("S1", "S2", "S3")):
        self.names = list(names)
        self.nodes = {n: FNode(n) for n in self.names}
        self.now = 0.0
        self.dead = set()
        self.flights = []

    def alive(self, name):
        return name not in self.dead

    def leader(self):
        for n in self.names:
            if n not in self.dead and self.nodes[n].role == "leader":
                return n
        return None

    def in_flight(self):
        return list(self.flights)


def fake_with_leader():
    c = FakeCluster()
    a = c.nodes["S1"]
    a.role = "leader"
    a.current_term = 2
    for n in c.names:
        node = c.nodes[n]
        node.current_term = 2
        node.log.items = [FEntry(1, "SET x 1"), FEntry(2, None), FEntry(2, "INC x")]
        node.commit_index = 2
        node.last_applied = 2
        node.state = {"x": "1"}
    a.match_index = {"S2": 3, "S3": 2}
    return c


# --------------------------------------------------------------------------- helpers

def parse(svg):
    return ET.fromstring(svg)


def by_id(root):
    return {el.get("id"): el for el in root.iter() if el.get("id")}


def replay(svg, patches):
    """Apply patches to the parsed SVG the way the browser glue does; return the new XML."""
    root = parse(svg)
    ids = by_id(root)
    for eid, kind, value in patches:
        el = ids[eid]
        if kind.startswith("attr:"):
            el.set(kind[5:], value)
        elif kind == "text":
            for child in list(el):
                el.remove(child)
            el.text = value
        elif kind == "html":
            for child in list(el):
                el.remove(child)
            frag = ET.fromstring('<g xmlns="%s">%s</g>' % (SVG_NS, value))
            el.text = frag.text
            for child in frag:
                el.append(child)
            ids = by_id(root)
        else:
            raise AssertionError("unknown patch kind %r" % kind)
    return ET.tostring(root, encoding="unicode")


def canon(svg):
    return ET.tostring(parse(svg), encoding="unicode")


def server_group(root, name):
    for el in root.iter(NS + "g"):
        if el.get("data-server") == name:
            return el
    raise AssertionError("no group for server %s" % name)


# --------------------------------------------------------------------------- fake-cluster tests

def test_svg_is_valid_accessible_and_prefixed():
    c = fake_with_leader()
    r = Renderer(c, options={"id": "s02"})
    svg = r.svg()
    root = parse(svg)
    assert root.tag == NS + "svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "s02-title s02-desc"
    assert root.get("viewBox") == "0 0 800.0 500.0"
    ids = by_id(root)
    assert ids["s02-title"].tag == NS + "title" and ids["s02-title"].text
    desc = ids["s02-desc"].text
    assert "Leader: S1 in term 2" in desc and "S2 follower" in desc
    assert all(i.startswith("s02") for i in ids), sorted(i for i in ids if not i.startswith("s02"))
    for n in c.names:
        g = server_group(root, n)
        assert g.get("tabindex") == "0" and g.get("role") == "button"
        assert g.get("aria-label").startswith(n + ": ")
    assert "raft-role-leader" in server_group(root, "S1").get("class")
    assert "raft-role-follower" in server_group(root, "S2").get("class")
    assert ids["s02-s-S1-letter"].text == "L" and ids["s02-s-S2-letter"].text == "F"
    assert ids["s02-s-S1-term"].text == "T2"
    assert "<style>" in svg and CSS in svg


def test_update_after_svg_is_empty_and_stays_empty():
    c = fake_with_leader()
    r = Renderer(c)
    r.svg()
    assert r.update() == []
    assert r.update() == []


def test_role_change_patches_class_letter_and_desc():
    c = fake_with_leader()
    r = Renderer(c)
    svg = r.svg()
    c.nodes["S2"].role = "candidate"
    c.nodes["S2"].current_term = 3
    c.nodes["S2"].votes = {"S2"}
    patches = r.update()
    d = {(e, k): v for e, k, v in patches}
    assert d[("raft-s-S2", "attr:class")] == "raft-server raft-role-candidate"
    assert d[("raft-s-S2-letter", "text")] == "C"
    assert d[("raft-s-S2-term", "text")] == "T3"
    assert d[("raft-s-S2-votes", "text")] == "votes 1/2"
    assert "S2 candidate, term 3" in d[("raft-desc", "text")]
    assert replay(svg, patches) == canon(r.svg())


def test_crash_greys_and_crosses():
    c = fake_with_leader()
    r = Renderer(c)
    r.svg()
    c.dead.add("S3")
    d = {(e, k): v for e, k, v in r.update()}
    assert d[("raft-s-S3", "attr:class")] == "raft-server raft-role-follower raft-crashed"
    assert d[("raft-s-S3-letter", "text")] == "X"
    assert "crashed" in d[("raft-s-S3", "attr:aria-label")]
    assert "raft-cross" in r.svg()


def test_election_timer_drains_and_leader_has_none():
    c = fake_with_leader()
    r = Renderer(c)
    root = parse(r.svg())
    full = root.find(".//*[@id='raft-s-S2-timer']").get("stroke-dashoffset")
    assert full == "0.0"  # deadline 150, timeout 150, now 0: full ring
    c.now = 75.0
    d = {(e, k): v for e, k, v in r.update()}
    circ = float(root.find(".//*[@id='raft-s-S2-timer']").get("stroke-dasharray"))
    half = float(d[("raft-s-S2-timer", "attr:stroke-dashoffset")])
    assert abs(half - circ / 2) < 0.1
    assert ("raft-s-S1-timer", "attr:stroke-dashoffset") not in d  # the leader's timer is hidden
    c.now = 500.0
    d = {(e, k): v for e, k, v in r.update()}
    assert float(d[("raft-s-S2-timer", "attr:stroke-dashoffset")]) == pytest.approx(circ, abs=0.1)


def test_messages_move_and_reduced_motion_keeps_them_still():
    c = fake_with_leader()
    c.flights = [FFlight("S1", "S2", AppendEntries("S1", "S2", 2, (FEntry(2, "INC x"),)), 0.0, 10.0),
                 FFlight("S1", "S3", AppendEntries("S1", "S3", 2), 0.0, 10.0),
                 FFlight("S2", "S1", RequestVoteReply("S2", "S1", 2, True), 0.0, 10.0),
                 FFlight("S3", "S1", AppendEntriesReply("S3", "S1", 2, False), 0.0, 10.0),
                 FFlight("S3", "S2", RequestVote("S3", "S2", 3), 0.0, 10.0)]
    r = Renderer(c)
    svg = r.svg()
    root = parse(svg)
    msgs = root.find(".//*[@id='raft-msgs']")
    kinds = [g.get("class") for g in msgs]
    assert kinds == ["raft-msg raft-msg--ae", "raft-msg raft-msg--hb", "raft-msg raft-msg--rvr raft-ok",
                     "raft-msg raft-msg--aer raft-no", "raft-msg raft-msg--rv"]
    labels = ["".join(g.itertext()) for g in msgs]
    assert "+1" in labels[0] and "\u2713" in labels[2] and "\u2717" in labels[3] and "V" in labels[4]
    c.now = 5.0
    patches = r.update()
    moved = [p for p in patches if p[1] == "attr:transform"]
    assert len(moved) == 5 and all(p[0].startswith("raft-m-") for p in moved)
    assert replay(svg, patches) == canon(r.svg())

    # reduced motion: messages sit at their midpoints and never move
    c.now = 0.0
    rm = Renderer(c, options={"reduced_motion": True})
    rm.svg()
    c.now = 7.0
    assert not [p for p in rm.update() if p[1] == "attr:transform"]
    # with motion, at t=5 of 0..10 a message is where reduced motion always draws it
    c.now = 5.0
    moving = parse(r.svg()).find(".//*[@id='raft-m-0']").get("transform")
    still = parse(rm.svg()).find(".//*[@id='raft-m-0']").get("transform")
    assert moving == still


def test_reduced_motion_timer_moves_in_eighths():
    c = fake_with_leader()
    rm = Renderer(c, options={"reduced_motion": True})
    rm.svg()
    seen = set()
    for t in range(0, 151, 3):
        c.now = float(t)
        for e, _kind, v in rm.update():
            if e == "raft-s-S2-timer":
                seen.add(v)
    assert 6 <= len(seen) <= 8


def test_messages_coming_and_going_replace_the_group():
    c = fake_with_leader()
    r = Renderer(c)
    svg = r.svg()
    c.flights = [FFlight("S1", "S2", AppendEntries("S1", "S2", 2), 0.0, 10.0)]
    patches = r.update()
    assert patches[-1][0] == "raft-msgs" and patches[-1][1] == "html"
    assert 'id="raft-m-0"' in patches[-1][2]
    assert replay(svg, patches) == canon(r.svg())
    c.flights = []
    assert r.update() == [("raft-msgs", "html", "")]


def test_log_grid_committed_solid_uncommitted_dashed_one_colour_per_term():
    c = fake_with_leader()
    r = Renderer(c)
    root = parse(r.svg())
    log = root.find(".//*[@id='raft-s-S1-log']")
    cells = [g for g in log.iter(NS + "g") if "raft-cell" in (g.get("class") or "")]
    assert [g.get("class") for g in cells] == [
        "raft-cell raft-t1 raft-committed", "raft-cell raft-t2 raft-committed",
        "raft-cell raft-t2 raft-uncommitted"]
    texts = ["".join(g.find(NS + "text").itertext()) for g in cells]
    assert texts == ["SET x=1", "no-op", "INC x"]  # short log: command text
    # a long log becomes a grid of squares labelled with the term (not colour alone)
    node = c.nodes["S1"]
    node.log.items = [FEntry(1 + i // 5, "SET k %d" % i) for i in range(30)]
    node.commit_index = 25
    r.update()
    root = parse(r.svg())
    log = root.find(".//*[@id='raft-s-S1-log']")
    cells = [g for g in log.iter(NS + "g") if "raft-cell" in (g.get("class") or "")]
    assert len(cells) == 20  # the default window: the 20 most recent entries
    assert "log 11\u201330" in "".join(log.itertext())
    assert "".join(cells[0].find(NS + "text").itertext()) == "3"
    assert sum("raft-committed" in g.get("class") for g in cells) == 15
    for i in range(len(TERM_PALETTE)):
        assert ".raft-t%d{" % i in CSS


def test_markers_and_match_index():
    c = fake_with_leader()
    r = Renderer(c, options={"markers": True, "match_index": True})
    root = parse(r.svg())
    s2 = root.find(".//*[@id='raft-s-S2-log']")
    classes = [g.get("class") for g in s2.iter(NS + "g")]
    assert "raft-mark raft-mark-commit" in classes and "raft-mark raft-mark-applied" in classes
    assert "raft-mark raft-mark-match" in classes
    assert "c=2 a=2 m=3" in "".join(s2.itertext())
    s1 = root.find(".//*[@id='raft-s-S1-log']")
    assert "raft-mark raft-mark-match" not in [g.get("class") for g in s1.iter(NS + "g")]


def test_state_table_patch():
    c = fake_with_leader()
    r = Renderer(c)
    svg = r.svg()
    c.nodes["S3"].state = {"x": "3", "y": "hello", "a": "1", "b": "2"}
    patches = r.update()
    html = dict(((e, k), v) for e, k, v in patches)[("raft-s-S3-state", "html")]
    # sorted by key; 3 rows: two shown and a "+2 more" line
    assert html.index(">a<") < html.index(">b<") and ">x<" not in html
    assert "+2 more" in html
    assert replay(svg, patches) == canon(r.svg())


def test_determinism_and_number_format():
    a, b = fake_with_leader(), fake_with_leader()
    for c in (a, b):
        c.now = 33.3333
        c.flights = [FFlight("S1", "S2", AppendEntries("S1", "S2", 2), 0.0, 70.0)]
    sa, sb = Renderer(a).svg(), Renderer(b).svg()
    assert sa == sb
    # numbers in geometry are integer literals or have exactly one decimal (no float reprs)
    for m in re.finditer(r' (?:x|y|r|width|height|transform|d|stroke-dashoffset|viewBox)="([^"]*)"', sa):
        assert "e-" not in m.group(1) and "e+" not in m.group(1), m.group(0)
        for num in re.findall(r"\d+(?:\.\d+)?", m.group(1)):
            assert re.fullmatch(r"\d+(\.\d)?", num), (m.group(0), num)
    assert "-0.0" not in sa


def test_scene01_arrows_stall_and_banner():
    c = FakeCluster(["SM_A", "SM_B", "SM_C"])
    opts = {"id": "s01", "planned_log": ["SET x=1", "SET x=2", "INC x"]}
    r = Renderer(c, layout="scene01", options=opts)
    svg = r.svg()
    root = parse(svg)
    ids = by_id(root)
    for n in ("SM_A", "SM_B", "SM_C"):
        assert ids["s01-arrow-" + n].get("class") == "raft-arrow"
    assert ids["s01-banner"].get("visibility") == "hidden"
    shared = "".join(ids["s01-log"].itertext())
    assert "SET x=1" in shared and "SET x=2" in shared and "INC x" in shared
    assert [g.get("class") for g in ids["s01-log"].findall(NS + "g")] == ["raft-cell raft-logcell raft-planned"] * 3

    r.options["stalled"] = {"SM_C"}
    patches = r.update()
    assert ("s01-arrow-SM_C", "attr:class", "raft-arrow raft-arrow--stalled") in patches
    assert ("s01-banner", "attr:visibility", "visible") in patches
    assert not any(p[0] in ("s01-arrow-SM_A", "s01-arrow-SM_B") for p in patches)
    assert replay(svg, patches) == canon(r.svg())
    assert "cannot tell" in "".join(parse(r.svg()).find(".//*[@id='s01-banner-text']").itertext())

    # real entries take the planned slots' place; the no-op is hidden from the shared log
    for n in c.names:
        node = c.nodes[n]
        node.log.items = [FEntry(1, None), FEntry(1, "SET x 1")]
        node.commit_index = 2
    c.nodes["SM_A"].role = "leader"
    patches = r.update()
    html = dict(((e, k), v) for e, k, v in patches)[("s01-log", "html")]
    assert html.count("raft-planned") == 2 and html.count("raft-committed") == 1
    assert "no-op" not in html

    r.options["stalled"] = set()
    r.options["banner"] = "Custom words"
    patches = r.update()
    assert ("s01-arrow-SM_C", "attr:class", "raft-arrow") in patches
    assert ("s01-banner", "attr:visibility", "visible") not in patches  # still visible: no patch
    assert any(p[0] == "s01-banner-text" and "Custom words" in p[2] for p in patches)


def test_snapshot_prefix_is_shown():
    from raftcore.log import Entry, Log

    c = fake_with_leader()
    log = Log([Entry(1 + i // 10, "SET k %d" % i) for i in range(40)])
    log.compact(30)
    c.nodes["S2"].log = log
    c.nodes["S2"].commit_index = 38
    r = Renderer(c)
    root = parse(r.svg())
    s2 = root.find(".//*[@id='raft-s-S2-log']")
    assert "snap \u226430 \u00b7 log 31\u201340" in "".join(s2.itertext())
    cells = [g for g in s2.iter(NS + "g") if "raft-cell" in (g.get("class") or "")]
    assert len(cells) == 10 and sum("raft-committed" in g.get("class") for g in cells) == 8


def test_set_cluster_after_reset_patches_to_the_new_state():
    c = fake_with_leader()
    c.flights = [FFlight("S1", "S2", AppendEntries("S1", "S2", 2), 0.0, 10.0)]
    r = Renderer(c)
    svg = r.svg()
    fresh = FakeCluster()
    r.set_cluster(fresh)
    patches = r.update()
    assert ("raft-msgs", "html", "") in patches
    assert replay(svg, patches) == canon(r.svg())
    assert r.update() == []


def test_server_at_hits_circles_only():
    c = fake_with_leader()
    r = Renderer(c)
    for g in r.servers:
        assert r.server_at(g.cx, g.cy) == g.name
        assert r.server_at(g.cx + r.r, g.cy) == g.name
    assert r.server_at(400.0, 235.0) is None  # the middle of the ring
    assert r.server_at(-50.0, -50.0) is None


def test_membership_change_redraws_root():
    c = fake_with_leader()
    r = Renderer(c)
    svg = r.svg()
    c.names.append("S4")
    c.nodes["S4"] = FNode("S4")
    patches = r.update()
    assert patches[0][0] == "raft-root" and patches[0][1] == "html"
    assert 'data-server="S4"' in patches[0][2]
    assert replay(svg, patches) == canon(r.svg())
    assert r.update() == []


def test_odd_names_get_valid_unique_ids():
    c = FakeCluster(["a b", "a_20_b", "\u00e9"])
    r = Renderer(c)
    ids = [el.get("id") for el in parse(r.svg()).iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", i) for i in ids)


def test_bad_layout():
    with pytest.raises(ValueError, match="unknown layout"):
        Renderer(FakeCluster(), layout="spiral")


def test_command_text():
    assert command_text(None) == "no-op"
    assert command_text("SET x 1") == "SET x=1"
    assert command_text("INC x") == "INC x"


# --------------------------------------------------------------------------- the real Cluster

sim = pytest.importorskip("raftcore.sim")


def real(seed=1, size=5, **kw):
    c = sim.Cluster(size=size, seed=seed, **kw)
    c.run_for(1000)
    return c


def test_real_cluster_frame():
    c = real()
    r = Renderer(c)
    root = parse(r.svg())
    assert r.update() == []
    for n in c.names:
        g = server_group(root, n)
        assert "raft-role-%s" % c.nodes[n].role in g.get("class").split()
    assert c.leader() is not None
    assert "Leader: %s" % c.leader() in root.find(NS + "desc").text


def test_real_cluster_messages_drawn():
    c = real()
    assert c.run_until(lambda cl: len(cl.in_flight()) >= 3, within_ms=500)
    r = Renderer(c)
    root = parse(r.svg())
    msgs = root.find(".//*[@id='raft-msgs']")
    assert len(msgs) == len(c.in_flight())
    for g, f in zip(msgs, c.in_flight()):
        assert g.find(NS + "title").text.endswith(str(f.msg))


def test_real_cluster_crash_produces_patch():
    c = real()
    r = Renderer(c)
    r.svg()
    victim = c.leader()
    c.crash(victim)
    patches = r.update()
    assert ("raft-s-%s" % victim, "attr:class", "raft-server raft-role-leader raft-crashed") in patches


def test_real_cluster_determinism():
    a, b = real(seed=7), real(seed=7)
    for c in (a, b):
        c.submit("SET x 1")
        c.run_for(23.5)
    assert Renderer(a, options={"markers": True}).svg() == Renderer(b, options={"markers": True}).svg()


@pytest.mark.parametrize("layout", ["ring", "scene01"])
def test_real_cluster_patches_replay_to_the_same_svg(layout):
    """Frame after frame, the previous SVG + update() patches == a fresh svg()."""
    if layout == "scene01":
        c = sim.Cluster(size=3, seed=3, names=["SM_A", "SM_B", "SM_C"])
        opts = {"planned_log": ["SET x=1", "SET x=2", "INC x"], "markers": True}
    else:
        c = sim.Cluster(size=5, seed=2)
        opts = {"markers": True, "match_index": True, "log_text_max": 3}
    r = Renderer(c, layout=layout, options=opts)
    svg = r.svg()
    kinds = set()
    # frames 4 ms of simulated time apart (a slowed-down animation, as on the site)
    script = {80: lambda: c.submit("SET x 1"), 120: lambda: c.submit("SET x 2"), 160: lambda: c.submit("INC x"),
              240: lambda: c.crash(c.leader()), 360: lambda: r.options.update(stalled={c.names[-1]}),
              480: lambda: c.restart(next(n for n in c.names if not c.alive(n)))}
    for frame in range(640):
        if frame in script:
            script[frame]()
        c.run_for(4.0)
        patches = r.update()
        kinds.update(k for _, k, _ in patches)
        svg2 = r.svg()
        assert replay(svg, patches) == canon(svg2), "frame %d" % frame
        assert r.update() == []
        svg = svg2
    assert {"attr:class", "attr:transform", "attr:stroke-dashoffset", "text", "html"} <= kinds
    if layout == "scene01":
        assert all(c.nodes[n].state.get("x") == "3" for n in c.names if c.alive(n))


def test_update_cost_five_servers_twenty_messages(capsys):
    """Prints the CPython cost of update() for a 5-server cluster with ~20 messages in flight
    (target: well under 1 ms per call on average). Frames are 4 ms of simulated time apart,
    a client command arrives every 100 ms, links take 30-50 ms one way. Never asserts on
    wall-clock time: the figure is printed, the test only checks the setup."""
    net = sim.NetworkConfig(latency_min=30.0, latency_max=50.0)
    c = sim.Cluster(size=5, seed=4, network=net)
    c.run_for(3000)
    r = Renderer(c, options={"markers": True, "match_index": True})
    r.svg()
    times, counts, npatch, cpu = [], 0, 0, 0.0
    for i in range(750):
        if i % 25 == 0:
            c.submit("INC x")
        c.run_for(4.0)
        counts += len(c.in_flight())
        c0, t0 = time.process_time(), time.perf_counter()
        patches = r.update()
        times.append(time.perf_counter() - t0)
        cpu += time.process_time() - c0
        npatch += len(patches)
    frames = len(times)
    times.sort()
    t0 = time.perf_counter()
    for _ in range(500):
        r.update()
    idle = (time.perf_counter() - t0) / 500
    t0 = time.perf_counter()
    for _ in range(50):
        r.svg()
    full = (time.perf_counter() - t0) / 50
    with capsys.disabled():
        print("\n[render] 5 servers, %.1f messages in flight on average: update() mean %.3f ms, "
              "median %.3f ms, p95 %.3f ms, CPU time mean %.3f ms (%.1f patches/frame); unchanged frame %.3f ms; "
              "full svg() %.3f ms"
              % (counts / frames, 1000 * sum(times) / frames, 1000 * times[frames // 2],
                 1000 * times[int(frames * 0.95)], 1000 * cpu / frames, npatch / frames, 1000 * idle,
                 1000 * full))
    assert 10 <= counts / frames <= 40
