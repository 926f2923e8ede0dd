"""Tests of the SVG renderer (raftsite.render), drawn from real clusters' views.

The strongest check is ``replay``: apply the patches of ``update()`` to the parsed SVG of
the previous frame, as the browser glue does, and require the result to equal a freshly
rendered ``svg()`` of the new state, frame after frame, for both drawings (wide and narrow).
The legibility checks hold the renderer to the reader's contract: no text below 12 units in
the desktop drawing (520 units wide, shown at about 1:1) nor below 11 in the phone drawing.
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET

import pytest

from raftcore import sim
from raftcore.scenarios import load_scenario
from raftsite.glyphs import CSS, SIZES, TERM_PALETTE, command_text
from raftsite.render import Renderer

SVG_NS = "http://www.w3.org/2000/svg"
NS = "{%s}" % SVG_NS


# --------------------------------------------------------------------------- helpers

def parse(svg):
    """Both drawings under one root."""
    return ET.fromstring('<root xmlns="%s">%s</root>' % (SVG_NS, svg))


def drawing(root, size="wide"):
    for el in root:
        if el.get("data-size") == size:
            return el
    raise AssertionError("no %s drawing" % size)


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


def server_group(svg_el, name):
    for el in svg_el.iter(NS + "g"):
        if el.get("data-server") == name and "raft-server" in (el.get("class") or ""):
            return el
    raise AssertionError("no group for server %s" % name)


def grid_row(svg_el, name):
    for el in svg_el.iter(NS + "g"):
        if el.get("data-server") == name and "raft-row" in (el.get("class") or ""):
            return el
    raise AssertionError("no grid row for server %s" % name)


def cells(row):
    """[(x, class, text)] of a grid row's log cells."""
    out = []
    for g in row.iter(NS + "g"):
        cls = g.get("class") or ""
        if "raft-cell" in cls:
            rect = g.find(NS + "rect")
            text = g.find(NS + "text")
            out.append((float(rect.get("x")), cls, text.text if text is not None else None))
    return out


def real(seed=1, size=5, **kw):
    c = sim.Cluster(size=size, seed=seed, **kw)
    c.run_for(1000)
    return c


def font_sizes(size) -> dict:
    """The font size of each class in ``CSS`` for one drawing."""
    out = {}
    for sel, px in re.findall(r"([^{}]*)\{font-size:([0-9.]+)px\}", CSS):
        for part in sel.split(","):
            part = part.strip()
            if part.startswith(".raft-svg--" + size):
                out[part[len(".raft-svg--" + size):].strip() or "*"] = float(px)
    return out


# --------------------------------------------------------------------------- structure

def test_two_drawings_valid_accessible_prefixed():
    """One SVG for a desktop column, one for a phone; ids unique, titles and descriptions set."""
    c = real()
    r = Renderer(c, options={"id": "s02"})
    root = parse(r.svg())
    wide, narrow = drawing(root, "wide"), drawing(root, "narrow")
    assert wide.get("id") == "s02" and narrow.get("id") == "s02-n"
    assert wide.get("viewBox").startswith("0 0 520.0 ") and narrow.get("viewBox").startswith("0 0 320.0 ")
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    for d in (wide, narrow):
        assert d.get("role") == "group"
        assert d.find(NS + "title").text == "Raft cluster of 5 servers"
        assert "Leader: %s" % c.leader() in d.find(NS + "desc").text
        for n in c.names:
            g = server_group(d, n)
            assert g.get("tabindex") == "0" and g.get("role") == "button"
            assert g.get("aria-label").startswith(n + ": ")


def test_update_after_svg_is_empty_and_stays_empty():
    c = real()
    r = Renderer(c)
    r.svg()
    assert r.update() == []
    assert r.update() == []


def test_bad_layout():
    with pytest.raises(ValueError, match="unknown layout"):
        Renderer(real(), layout="hexagon")


def test_command_text():
    assert command_text(None) == "no-op"
    assert command_text("SET x 1") == "SET x=1"
    assert command_text("INC x") == "INC x"


# --------------------------------------------------------------------------- legibility

@pytest.mark.parametrize("size,floor", [("wide", 12.0), ("narrow", 11.0)])
def test_no_text_below_the_legibility_floor(size, floor):
    """Every font size the renderer's CSS sets for a drawing is at least its floor (12 px on a
    desktop, 11 px on a phone), and every text element uses one of those classes or the body size."""
    sizes = font_sizes(size)
    assert sizes and min(sizes.values()) >= floor, sizes
    assert SIZES[size].small >= floor and SIZES[size].font >= floor
    c = real()
    c.submit("SET x 1")
    c.run_for(30)
    svg = Renderer(c, options={"markers": True, "message_details": True}).svg()
    assert "font-size" not in re.sub(r"<style>.*?</style>", "", svg)  # no inline sizes beside the CSS


def test_nine_servers_do_not_overlap():
    """Nine servers: no two circles (with their timer rings) and no two name labels collide."""
    c = sim.Cluster(size=9, seed=3)
    c.run_for(500)
    r = Renderer(c)
    r.svg()
    for canvas in r.canvases:
        s = canvas.size
        pts = [(g.cx, g.cy) for g in canvas.servers]
        for i, (x1, y1) in enumerate(pts):
            for x2, y2 in pts[i + 1:]:
                d = ((x1 - x2) ** 2 + (y1 - y2) ** 2) ** 0.5
                assert d > 2 * (s.r + 5) + 4, (canvas.size.name, d)
                # a name sits under its circle; two names on one line need their width apart
                if abs(y1 - y2) < s.font + 2:
                    assert abs(x1 - x2) > 2 * s.font, (canvas.size.name, x1, x2)
            assert s.r + 5 <= x1 <= s.width - s.r - 5


# --------------------------------------------------------------------------- the log grid

def test_log_grid_aligns_entries_by_index_and_colours_terms():
    """One grid: the entry at index i of every server is in the same column; committed cells
    are solid (class raft-committed), uncommitted ones dashed, each coloured by its term."""
    run = load_scenario("scene06").start(strict=False)
    run.advance(0)  # the setup commands at t = 0: Figure 7's logs, before the election
    r = Renderer(run.cluster)
    root = parse(r.svg())
    wide = drawing(root)
    rows = {n: cells(grid_row(wide, n)) for n in run.cluster.names}
    # Figure 7's logs before the leader repairs them: f holds 11 entries, b 4
    assert len(rows["f"]) == 11 and len(rows["b"]) == 4
    for name, cs in rows.items():
        xs = [x for x, _, _ in cs]
        assert xs == sorted(xs) and len(set(xs)) == len(xs)
    # index 4: L has term 4, f has term 2, both drawn in the 4th column
    assert rows["L"][3][0] == rows["f"][3][0]
    assert rows["L"][3][2] == "4" and rows["f"][3][2] == "2"
    assert "raft-t%d" % (4 % len(TERM_PALETTE)) in rows["L"][3][1]
    assert "raft-t2" in rows["f"][3][1]
    assert ".raft-cell.raft-committed rect{fill:var(--raft-c" in CSS
    assert "stroke-dasharray:4 2" in CSS


def test_a_phone_labels_every_index_its_column_can_hold():
    """The narrow (phone) drawing labels every column of the log grid while the numbers fit
    (two digits at its pitch): scene 06's columns are numbered 4, 5, 6 … (the phone shows the
    logs' ends), not 4, 6, 8 …"""
    run = load_scenario("scene06").start(strict=False)
    run.advance(0)
    narrow = drawing(parse(Renderer(run.cluster).svg()), "narrow")
    heads = [t for t in narrow.iter(NS + "text") if t.get("class") == "raft-small raft-muted" and (t.text or "").isdigit()]
    row_y = heads[0].get("y")
    numbers = [int(t.text) for t in heads if t.get("y") == row_y]
    assert len(numbers) >= 5 and numbers == list(range(numbers[0], numbers[-1] + 1))


def test_commit_bar_and_state_column():
    c = real()
    for cmd in ("SET x 1", "SET y 2", "INC x"):
        c.submit(cmd)
    c.run_for(300)
    root = parse(Renderer(c).svg())
    wide = drawing(root)
    for n in c.names:
        row = grid_row(wide, n)
        bars = [p for p in row.iter(NS + "path") if p.get("class") == "raft-commit-bar"]
        assert len(bars) == 1
        assert "commitIndex %d" % c.view().server(n).commit_index in bars[0].find(NS + "title").text
        state = [t for t in row.iter(NS + "text") if "raft-state" in (t.get("class") or "")]
        assert state and state[0].text == "x=2 y=2"


def test_snapshot_prefix_is_one_grey_block():
    run = load_scenario("scene12").start(strict=False)
    run.advance(2000)
    v = run.cluster.view()
    snap = max(s.log.snapshot_index for s in v.servers)
    assert snap > 0
    root = parse(Renderer(run.cluster).svg())
    text = ET.tostring(drawing(root), encoding="unicode")
    assert "raft-snapcell" in text and "snap \u2264%d" % snap in text


def test_markers_and_match_index():
    c = real()
    c.submit("SET x 1")
    c.run_for(300)
    root = parse(Renderer(c, options={"markers": True, "match_index": True}).svg())
    wide = drawing(root)
    lead = c.leader()
    follower = next(n for n in c.names if n != lead)
    row = grid_row(wide, follower)
    assert any(el.get("class") == "raft-mark-match" for el in row.iter())
    assert any(el.get("class") == "raft-mark-applied" for el in row.iter())
    assert not any(el.get("class") == "raft-mark-match" for el in grid_row(wide, lead).iter())


# --------------------------------------------------------------------------- servers and messages

def test_crash_greys_and_crosses():
    c = real()
    r = Renderer(c)
    r.svg()
    victim = c.leader()
    c.crash(victim)
    patches = r.update()
    classes = [v for e, k, v in patches if e == "raft-s-%s" % victim and k == "attr:class"]
    assert classes and "raft-crashed" in classes[0]
    assert ("raft-s-%s-letter" % victim, "text", "X") in patches
    assert ("raft-s-%s-log" % victim, "attr:class", "raft-log raft-row raft-row--crashed") in patches


def test_pre_candidate_is_drawn_as_its_own_role():
    """A PreVote campaign (thesis §9.6) is visible: the server is drawn as a pre-candidate (P)."""
    c = sim.Cluster(size=3, seed=5)
    c.run_for(1000)
    lead = c.leader()
    c.crash(lead)
    seen = False
    r = Renderer(c)
    r.svg()
    for _ in range(400):
        c.run_for(2)
        for e, k, v in r.update():
            if k == "attr:class" and "raft-role-pre_candidate" in v:
                seen = True
    assert seen


def test_election_timer_drains_and_leader_has_none():
    c = real()
    r = Renderer(c)
    root = parse(r.svg())
    wide = drawing(root)
    lead = c.leader()
    follower = next(n for n in c.names if n != lead)
    off0 = float(wide.find(".//*[@id='raft-s-%s-timer']" % follower).get("stroke-dashoffset"))
    c.run_for(20)  # heartbeats reset it; advance less than a heartbeat interval from a fresh view
    offs = [float(v) for e, k, v in r.update() if e == "raft-s-%s-timer" % follower]
    assert offs == [] or offs[0] != off0
    assert "raft-role-leader .raft-timer" in CSS


def test_messages_move_and_reduced_motion_keeps_them_still():
    net = sim.NetworkConfig(latency_min=30.0, latency_max=40.0)
    c = sim.Cluster(size=3, seed=2, network=net)
    c.run_for(1000)
    assert c.run_until(lambda cl: len(cl.in_flight()) >= 2, within_ms=500)
    r = Renderer(c)
    r.svg()
    c.run_for(5)
    moves = [p for p in r.update() if p[1] == "attr:transform" or p[0].endswith("-msgs")]
    assert moves
    still = Renderer(c, options={"reduced_motion": True})
    first = still.svg()
    trs = re.findall(r'data-flight="(\d+)" transform="([^"]+)"', first)
    c.run_for(2)
    again = re.findall(r'data-flight="(\d+)" transform="([^"]+)"', still.svg())
    common = dict(trs).keys() & dict(again).keys()
    assert common and all(dict(trs)[k] == dict(again)[k] for k in common)


def test_messages_carry_their_flight_id_and_title():
    c = real()
    assert c.run_until(lambda cl: len(cl.in_flight()) >= 3, within_ms=500)
    root = parse(Renderer(c).svg())
    msgs = drawing(root).find(".//*[@id='raft-msgs']")
    v = c.view()
    assert len(msgs) == len(v.flights)
    for g, f in zip(msgs, v.flights):
        assert g.get("data-flight") == str(f.id)
        assert g.find(NS + "title").text.endswith(f.text)


def test_violation_highlights_servers_and_entries():
    """An unsafe run is drawn honestly: the servers a violation names get the offender ring
    and the description says what broke (scene 03 with two votes per term, §5.2)."""
    run = load_scenario("scene03").start(strict=False)
    run.cluster.set_unsafe("multiple_votes_per_term", True)
    run.advance(3000)
    v = run.cluster.view()
    assert v.violations
    root = parse(Renderer(run.cluster).svg())
    wide = drawing(root)
    for name in v.violations[0].servers:
        assert "raft-offender" in server_group(wide, name).get("class")
    assert "Violated:" in wide.find(NS + "desc").text


def test_two_leaders_of_one_term_are_explained_as_election_safety():
    """Two leaders of the same term are not 'a stale leader': the banner names Election Safety."""
    run = load_scenario("scene03").start(strict=False)
    c = run.cluster
    r = Renderer(c, options={"leaders_banner": True})
    canvas = r.canvases[0]

    class TwoLeaders:
        leaders = ("S1", "S2")

        def server(self, name):
            class S:
                current_term = 4
            S.name = name
            return S

    r.view = TwoLeaders()
    assert "Election Safety" in canvas._leaders_text()


# --------------------------------------------------------------------------- determinism and patches

def test_real_cluster_determinism():
    a, b = real(seed=7), real(seed=7)
    for c in (a, b):
        c.submit("SET x 1")
        c.run_for(23.5)
    assert Renderer(a, options={"markers": True}).svg() == Renderer(b, options={"markers": True}).svg()


def test_membership_change_redraws_root():
    run = load_scenario("scene11").start(strict=False)
    r = Renderer(run.cluster)
    r.svg()
    names = tuple(run.cluster.view().names)
    for _ in range(600):
        run.advance(10)
        patches = r.update()
        if tuple(run.cluster.view().names) != names:
            assert any(e == "raft-root" and k == "html" for e, k, _ in patches)
            break
    else:
        raise AssertionError("scene 11 adds S4 and S5 within its first second; no server was added in 6 s")


@pytest.mark.parametrize("layout", ["ring", "scene01"])
def test_real_cluster_patches_replay_to_the_same_svg(layout):
    """Frame after frame, the previous SVG + update() patches == a fresh svg() (both drawings)."""
    if layout == "scene01":
        c = sim.Cluster(size=3, seed=3, names=["SM_A", "SM_B", "SM_C"])
        opts = {"planned_log": ["SET x=1", "SET x=2", "INC x"], "markers": True}
    else:
        c = sim.Cluster(size=5, seed=2)
        opts = {"markers": True, "match_index": True, "log_text_max": 3, "message_details": True}
    r = Renderer(c, layout=layout, options=opts)
    svg = r.svg()
    kinds = set()
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
        assert all(s.state.get("x") == "3" for s in c.view().servers if s.alive)


def test_only_the_shown_drawing_is_updated_and_the_other_catches_up_when_shown():
    """A screen shows one drawing (CSS hides the other): with ``shown`` the renderer updates that
    one only, and when the other is shown its first update brings it up to date in one go."""
    c = sim.Cluster(size=5, seed=2)
    r = Renderer(c, options={"markers": True, "match_index": True, "shown": "wide"})
    narrow_prefix = r.prefix + "-n"
    is_narrow = lambda eid: eid == narrow_prefix or eid.startswith(narrow_prefix + "-")  # noqa: E731
    start = r.svg()
    patches = []
    for frame in range(200):
        if frame == 50:
            c.submit("SET x 1")
        c.run_for(4.0)
        step = r.update()
        assert not [eid for eid, _, _ in step if is_narrow(eid)], frame
        patches += step
    assert patches
    r.options["shown"] = "narrow"
    catch_up = r.update()
    assert catch_up and all(is_narrow(eid) for eid, _, _ in catch_up)
    assert replay(start, patches + catch_up) == canon(r.svg())


def test_update_cost_five_servers_twenty_messages(capsys):
    """Prints the CPython cost of update() (both drawings, view included) for 5 servers with
    ~20 messages in flight. Never asserts on wall-clock time: the figure is printed."""
    net = sim.NetworkConfig(latency_min=30.0, latency_max=50.0)
    c = sim.Cluster(size=5, seed=4, network=net)
    c.run_for(3000)
    r = Renderer(c, options={"markers": True, "match_index": True})
    r.svg()
    times, counts = [], 0
    for i in range(500):
        if i % 25 == 0:
            c.submit("INC x")
        c.run_for(4.0)
        counts += len(c.in_flight())
        t0 = time.perf_counter()
        r.update()
        times.append(time.perf_counter() - t0)
    times.sort()
    n = len(times)
    with capsys.disabled():
        print("\n[render] 5 servers, %.1f messages in flight: update() median %.3f ms, p95 %.3f ms"
              % (counts / n, 1000 * times[n // 2], 1000 * times[int(n * 0.95)]))
    assert 10 <= counts / n <= 40


def test_cut_links_are_drawn_cut_and_healed():
    """An isolated server shows before any message is lost: its links are dashed and crossed
    (the view's blocked links, §5.2's "stale leader" setting), and healing redraws them."""
    c = real()
    r = Renderer(c)
    r.svg()
    lead = c.leader()
    c.isolate(lead)
    c.run_for(1)
    links = dict(((e, k), val) for e, k, val in r.update()).get(("raft-links", "html"))
    assert links is not None and links.count("raft-link--cut") == len(c.names) - 1
    c.heal()
    c.run_for(1)
    links = dict(((e, k), val) for e, k, val in r.update()).get(("raft-links", "html"))
    assert links is not None and "raft-link--cut" not in links
