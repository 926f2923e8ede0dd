"""The configurations a cluster is using and their majorities, drawn overlapping (scene 11).

During a membership change (thesis §4) different servers use different configurations: each
uses the latest one in its own log, committed or not (§4.1). Raft stays safe if any majority
of one configuration in use shares a server with any majority of every other one — then no
two leaders can be elected in one term, because that shared server votes once. Changing one
server at a time guarantees it: the two majorities together need more servers than there are
(§4.1, Figure 4.3). Changing two at once does not: the majorities can be disjoint (Figure 4.2).

:func:`quorum_view` computes, from the servers' own state as the cluster's view
(:class:`raftcore.view.ClusterView`) shows it, the oldest (``C_old``) and newest
(``C_new``) configuration in use and the *worst case*: a majority of each chosen to share as
few servers as possible. If even those two overlap, every pair does. The layer draws them as
two outlines around the servers; the ``membership`` control lists them in a side panel.
Pure functions of the view: the same state always draws the same picture.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from raftcore.view import ClusterView
from raftsite.layers import Layer, frame_view
from raftsite.glyphs import chars
from raftsite.markup import esc, fmt, wrap

__all__ = ["Configuration", "QuorumView", "quorum_view", "worst_case_majorities", "hull_path", "set_text",
           "Majorities"]


@dataclass(frozen=True)
class Configuration:
    """One configuration in use: its voters (display order), the servers using it, and the
    (term, index) of the log entry that set it ((0, 0): the bootstrap configuration)."""

    voters: tuple[str, ...]
    used_by: tuple[str, ...]
    entry: tuple[int, int]

    @property
    def majority(self) -> int:
        return len(self.voters) // 2 + 1


@dataclass(frozen=True)
class QuorumView:
    configurations: tuple[Configuration, ...]  # oldest first
    c_old: Configuration
    c_new: Configuration
    q_old: tuple[str, ...]  # a majority of C_old ...
    q_new: tuple[str, ...]  # ... and one of C_new, sharing as few servers as any two can
    overlap: tuple[str, ...]
    learners: tuple[str, ...]  # catching up on the leader: no vote yet (thesis §4.2.1)
    leader: str | None

    @property
    def changing(self) -> bool:
        """More than one configuration is in use (a change is under way somewhere)."""
        return len(self.configurations) > 1

    @property
    def disjoint(self) -> bool:
        return self.changing and not self.overlap

    def label_of(self, config: Configuration) -> str:
        if not self.changing:
            return "C"
        if config == self.c_old:
            return "C_old"
        if config == self.c_new:
            return "C_new"
        return "C_%d" % (self.configurations.index(config) + 1)

    def as_dict(self) -> dict:
        """JSON-able (``Scene.status()``)."""
        return {
            "configurations": [{"voters": list(c.voters), "used_by": list(c.used_by), "majority": c.majority}
                               for c in self.configurations],
            "c_old": list(self.c_old.voters),
            "c_new": list(self.c_new.voters),
            "q_old": list(self.q_old),
            "q_new": list(self.q_new),
            "overlap": list(self.overlap),
            "disjoint": self.disjoint,
            "learners": list(self.learners),
            "leader": self.leader,
        }


def worst_case_majorities(c_old: tuple[str, ...], c_new: tuple[str, ...],
                          order: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A majority of ``c_old`` and one of ``c_new`` that share as few servers as possible.

    Greedy, and optimal: the majority of C_new takes the servers C_old lacks first, then the
    fewest it must from C_old; the majority of C_old then takes what C_new's majority left.
    The overlap is then max(0, q_old − |C_old| + max(0, q_new − |C_new \\ C_old|)), with
    q the majority sizes: zero only if the two majorities fit side by side in the servers
    there are. ``order`` is the display order."""
    rank = {n: i for i, n in enumerate(order)}

    def key(n):
        return (rank.get(n, len(rank)), n)

    q_new_size = len(c_new) // 2 + 1
    q_old_size = len(c_old) // 2 + 1
    new_only = sorted((n for n in c_new if n not in c_old), key=key, reverse=True)
    shared = sorted((n for n in c_new if n in c_old), key=key, reverse=True)
    q_new = (new_only + shared)[:q_new_size]
    old_free = sorted((n for n in c_old if n not in q_new), key=key)
    old_shared = sorted((n for n in c_old if n in q_new), key=key)
    q_old = (old_free + old_shared)[:q_old_size]
    return tuple(sorted(q_old, key=key)), tuple(sorted(q_new, key=key))


def quorum_view(view: ClusterView) -> QuorumView:
    """The configurations in use on the servers (each server's latest, thesis §4.1), the
    oldest and newest of them, and their worst-case majorities."""
    names = tuple(view.names)
    rank = {n: i for i, n in enumerate(names)}
    # A server outside its own configuration (removed, or still joining) never counts votes
    # by it, so its configuration decides nothing (thesis §4.2.2).
    users = [s for s in view.servers if s.is_voter or s.may_campaign] or list(view.servers)
    by_voters: dict[tuple, list] = {}
    for s in users:
        voters = tuple(sorted(s.voters, key=lambda v: (rank.get(v, len(rank)), v)))
        slot = by_voters.setdefault(voters, [s.config_entry, []])
        slot[0] = max(slot[0], s.config_entry)
        slot[1].append(s.name)
    configs = sorted((Configuration(v, tuple(used), entry) for v, (entry, used) in by_voters.items()),
                     key=lambda c: (c.entry, c.voters))
    c_old, c_new = configs[0], configs[-1]
    q_old, q_new = worst_case_majorities(c_old.voters, c_new.voters, names)
    overlap = tuple(n for n in names if n in q_old and n in q_new)
    learners = tuple(n for n in names if n in view.learners)
    return QuorumView(tuple(configs), c_old, c_new, q_old, q_new, overlap, learners, view.leader)


# ------------------------------------------------------------------ drawing


def _hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Convex hull (Andrew's monotone chain), positive signed area, no collinear points."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def hull_path(points: list[tuple[float, float]], pad: float) -> str:
    """SVG path of the convex hull of ``points`` grown by ``pad`` (rounded corners): a circle
    for one point, a capsule for two."""
    hull = _hull(points)
    if not hull:
        return ""
    if len(hull) == 1:
        x, y = hull[0]
        return "M%s,%sa%s,%s 0 1 0 %s,0a%s,%s 0 1 0 %s,0Z" % (
            fmt(x - pad), fmt(y), fmt(pad), fmt(pad), fmt(2 * pad), fmt(pad), fmt(pad), fmt(-2 * pad))
    # Each edge i, from hull[i] to hull[i+1], is pushed out along its outward normal; the
    # corners are arcs of radius ``pad`` around the hull's points (sweep 1: the hull has a
    # positive signed area, so outward normals turn the positive way round it).
    k = len(hull)
    segs = []
    for i in range(k):
        (x0, y0), (x1, y1) = hull[i], hull[(i + 1) % k]
        d = math.hypot(x1 - x0, y1 - y0) or 1.0
        nx, ny = (y1 - y0) / d, -(x1 - x0) / d
        segs.append(((x0 + pad * nx, y0 + pad * ny), (x1 + pad * nx, y1 + pad * ny)))
    out = ["M%s,%s" % (fmt(segs[0][0][0]), fmt(segs[0][0][1]))]
    for i in range(k):
        (_, b), (a_next, _) = segs[i], segs[(i + 1) % k]
        out.append("L%s,%s" % (fmt(b[0]), fmt(b[1])))
        out.append("A%s,%s 0 0 1 %s,%s" % (fmt(pad), fmt(pad), fmt(a_next[0]), fmt(a_next[1])))
    out.append("Z")
    return "".join(out)


def set_text(names) -> str:
    """``{S1, S2}``: a set of servers as the legend, the panel and the page write it."""
    return "{" + ", ".join(names) + "}"


class Majorities(Layer):
    name = "majorities"
    doc = ("the configurations in use during a membership change: a majority of the oldest (dashed) and of "
           "the newest (solid) outlined, sharing as few servers as they can; each server tagged with the "
           "configuration it uses (learner, not a voter)")
    z = "under"

    PAD_OLD, PAD_NEW = 44.0, 54.0

    def __init__(self, config: dict):
        super().__init__(config)
        self._key = None
        self._svg = ""

    def band(self, canvas) -> float:
        """Room under the servers for the legend (the majorities and whether they overlap, three
        lines, wrapped on a phone) and the servers' tags (two lines, three on a phone)."""
        lines = 5 if canvas.size.name == "wide" else 9
        return lines * (canvas.size.font + 5.0) + 4.0

    def draw(self, renderer) -> str:
        view = quorum_view(frame_view(renderer))
        geo = tuple((g.name, g.cx, g.cy) for g in renderer.servers) + (renderer.size.name, renderer.band(self.name))
        key = (view, geo)
        if key != self._key:
            self._key = key
            self._svg = self._draw(view, renderer)
        return self._svg

    def _draw(self, view: QuorumView, renderer) -> str:
        pos = {g.name: (g.cx, g.cy) for g in renderer.servers}
        out = []
        if view.changing:
            groups = [("old", view.q_old, self.PAD_OLD, view.c_old), ("new", view.q_new, self.PAD_NEW, view.c_new)]
        else:
            groups = [("one", view.c_new.voters, self.PAD_OLD, view.c_new)]
        for kind, members, pad, conf in groups:
            pts = [pos[n] for n in members if n in pos]
            what = ("a majority of %s %s" % (view.label_of(conf), set_text(conf.voters)) if kind != "one"
                    else "the configuration %s" % set_text(conf.voters))
            out.append('<path class="raft-maj raft-maj--%s" d="%s"><title>%s: %s</title></path>'
                       % (kind, hull_path(pts, pad), esc(what), esc(set_text(members))))
        r = renderer.r
        for n in view.overlap if view.changing else ():
            if n in pos:
                x, y = pos[n]
                out.append('<circle class="raft-maj-overlap" cx="%s" cy="%s" r="%s"><title>%s is in both '
                           'majorities</title></circle>' % (fmt(x), fmt(y), fmt(r + 12), esc(n)))
        # each server: which configuration it uses, or why it has no vote — as a line of tags
        # under the legend ("S5: not a voter"), flowing onto a second line when needed
        uses = {n: c for c in view.configurations for n in c.used_by}
        members = set(view.c_old.voters) | set(view.c_new.voters)
        top, _h = renderer.band(self.name)
        pitch = renderer.size.font + 5.0
        legend, row = self._legend(view, renderer)
        out.append(legend)
        x = 6.0
        for n in pos:
            if n in view.learners:
                tag = "learner: no vote"
            elif n not in members:
                tag = "not a voter"
            elif not view.changing:
                continue
            elif n in uses:
                tag = "uses " + view.label_of(uses[n])
            else:  # in C_new on the leader, but its own log does not say so yet
                tag = "no vote yet"
            text = "%s: %s" % (n, tag)
            w = len(text) * renderer.size.small * 0.6 + 14.0
            if x + w > renderer.width and x > 6.0:
                x, row = 6.0, row + 1
            y = top + (row + 1) * pitch - 3.0
            out.append('<text class="raft-small raft-maj-tag" x="%s" y="%s" data-server-tag="%s">%s</text>'
                       % (fmt(x), fmt(y), esc(n), esc(text)))
            x += w
        return "".join(out)

    def _legend(self, view: QuorumView, renderer) -> tuple[str, int]:
        lines = []
        if view.changing:
            lines.append(("old", "%s %s: majority %d, e.g. %s" % (
                view.label_of(view.c_old), set_text(view.c_old.voters), view.c_old.majority, set_text(view.q_old))))
            lines.append(("new", "%s %s: majority %d, e.g. %s" % (
                view.label_of(view.c_new), set_text(view.c_new.voters), view.c_new.majority, set_text(view.q_new))))
            if view.overlap:
                lines.append(("ok", "they overlap in %s: every two such majorities share a server"
                              % set_text(view.overlap)))
            else:
                lines.append(("bad", "NO OVERLAP: each majority can elect its own leader in one term"))
        else:
            c = view.c_new
            lines.append(("one", "configuration %s: majority %d of %d"
                          % (set_text(c.voters), c.majority, len(c.voters))))
        # in the band the layer reserved under the servers, each line wrapped to the drawing
        top, _h = renderer.band(self.name)
        pitch = renderer.size.font + 5.0
        per = chars(renderer.width - 40.0, renderer.size.font)
        out = ['<g class="raft-maj-legend">']
        row = 0
        for kind, text in lines:
            for k, part in enumerate(wrap(text, per)):
                y = top + (row + 1) * pitch - 3.0
                if k == 0 and kind in ("old", "new", "one"):
                    out.append('<path class="raft-maj raft-maj--%s" d="M6,%sh22"/>' % (kind, fmt(y - 4)))
                out.append('<text class="raft-maj-text raft-maj-text--%s" x="34" y="%s">%s</text>'
                           % (kind, fmt(y), esc(part)))
                row += 1
        out.append("</g>")
        return "".join(out), row
