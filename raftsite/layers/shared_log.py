"""Scene 01's layout: the replicated log in the middle, the servers around it, an arrow from
the log to each server.

The seed of the site (scene 01) draws a replicated state machine as the paper's Figure 1 does:
one log that every server executes, commands flowing from it to each replica. This layer draws
that log — as the leader holds it (or, without a leader, the most advanced live server), with
the commands the scenario will submit drawn as ghost slots until real entries take their place —
places the servers around it (a triangle for three), and draws an arrow from it to each server.
The reader's network slider stalls one arrow (renderer option ``stalled``): it turns red and
dashed, and the canvas raises its banner (the FLP explanation): nobody can tell slow from crashed.

It is the renderer's ``scene01`` layout (``layout: scene01`` in a scene block); it reads the
frame's view and the renderer's options ``planned_log``, ``hide_noop``, ``shared_log_slots`` and
``stalled``.
"""

from __future__ import annotations

import math

from raftsite.glyphs import TERM_PALETTE, chars
from raftsite.layers import Layer, frame_view
from raftsite.markup import esc, fmt, trunc


class SharedLog(Layer):
    name = "shared_log"
    doc = ("scene 01's layout: the replicated log between the servers and an arrow from it to each server "
           "(dashed red while the reader stalls that server's link); added by `layout: scene01`")
    z = "under"
    #: The canvas keeps room for its banner: a stalled arrow raises the FLP explanation.
    banner = True

    # ------------------------------------------------------------------ geometry
    @staticmethod
    def _ring(canvas) -> tuple[float, float, float, float]:
        """(centre x, centre y, rx, ry) of the servers' ring: wider and taller than the plain
        ring, so the log fits between the servers."""
        s = canvas.size
        rx, ry = s.ring_rx * 1.12, s.ring_ry * 1.2
        if len(canvas.view.names) <= 5 and s.name == "narrow":
            ry = s.ring_ry * 0.85 * 1.2
        return s.width / 2, s.ring_top + ry, rx, ry

    def stage_height(self, canvas) -> float:
        s = canvas.size
        _cx, cy, _rx, ry = self._ring(canvas)
        return cy + ry + s.r + s.font + s.small + 10.0

    def positions(self, canvas) -> dict:
        cx0, cy0, rx, ry = self._ring(canvas)
        names = canvas.view.names
        n = max(len(names), 1)
        out = {}
        for i, name in enumerate(names):
            a = math.radians(-90.0 - 180.0 / n + 360.0 / n * i)  # one server at the bottom
            out[name] = (round(cx0 + rx * math.cos(a), 1), round(cy0 + ry * math.sin(a), 1))
        return out

    def _box(self, canvas) -> tuple[float, float, float, float]:
        """(centre x, centre y, half width, half height) of the log in the middle."""
        s = canvas.size
        cx0, cy0, _rx, _ry = self._ring(canvas)
        slots = int(canvas.options.get("shared_log_slots", 3))
        return (cx0, cy0 + 4.0, (slots * s.text_col_w + (slots - 1) * 6.0) / 2,
                (s.small + 10.0) / 2 + s.small + 4.0)

    def _arrows(self, canvas):
        """[(id, server, path, head, label x, label y, anchor)]: from the log to each server."""
        s = canvas.size
        lx0, ly0, hw, hh = self._box(canvas)
        out = []
        for g in canvas.servers:
            dx, dy = g.cx - lx0, g.cy - ly0
            d = math.hypot(dx, dy) or 1.0
            ux, uy = dx / d, dy / d
            t = min(hw / abs(dx) if dx else 1e9, (hh + 10.0) / abs(dy) if dy else 1e9)
            sx, sy = lx0 + dx * t + ux * 4.0, ly0 + dy * t + uy * 4.0
            ex, ey = g.cx - ux * (s.r + 9.0), g.cy - uy * (s.r + 9.0)
            hx, hy = ex - 9.0 * ux, ey - 9.0 * uy
            px, py = -uy * 5.0, ux * 5.0
            path = "M%s,%sL%s,%s" % (fmt(sx), fmt(sy), fmt(hx), fmt(hy))
            head = "M%s,%sL%s,%sL%s,%sZ" % (fmt(ex), fmt(ey), fmt(hx + px), fmt(hy + py), fmt(hx - px), fmt(hy - py))
            right = ux >= 0
            lx, ly = (sx + ex) / 2 + (8.0 if right else -8.0), (sy + ey) / 2 + 4.0
            out.append(("%s-arrow-%s" % (canvas.prefix, g.slug), g.name, path, head, lx, ly,
                        "start" if right else "end"))
        return out

    # ------------------------------------------------------------------ drawing
    def __init__(self, config: dict):
        super().__init__(config)
        self._cache: dict = {}  # per drawing size: (key, markup)

    def draw(self, canvas) -> str:
        view = frame_view(canvas)
        stalled = frozenset(canvas.options.get("stalled") or ())
        busy = frozenset(f.dst for f in view.flights if f.field("entries"))
        key = (tuple((g.name, g.cx, g.cy) for g in canvas.servers), view.leader,
               tuple((sv.name, sv.alive, sv.log, sv.commit_index) for sv in view.servers),
               tuple(canvas.options.get("planned_log") or ()), stalled, busy)
        hit = self._cache.get(canvas.size.name)
        if hit is not None and hit[0] == key:
            return hit[1]
        out = [self._log(canvas, view)]
        for aid, name, path, head, lx, ly, anchor in self._arrows(canvas):
            cls = "raft-arrow"
            if name in busy:
                cls += " raft-arrow--busy"
            if name in stalled:
                cls += " raft-arrow--stalled"
            out.append('<g id="%s" class="%s"><path d="%s"/><path class="raft-head" d="%s"/>'
                       '<text class="raft-arrow-label raft-small" x="%s" y="%s" text-anchor="%s">stalled?</text></g>'
                       % (aid, cls, path, head, fmt(lx), fmt(ly), anchor))
        markup = "".join(out)
        self._cache[canvas.size.name] = (key, markup)
        return markup

    def _log(self, canvas, view) -> str:
        """The log as the leader (or the most advanced live server) holds it, in the middle."""
        s = canvas.size
        opts = canvas.options
        src = view.leader
        if src is None:
            best = None
            for sv in view.servers:
                if sv.alive and (best is None or (sv.commit_index, sv.log.last_index) >
                                 (best.commit_index, best.log.last_index)):
                    best = sv
            src = best.name if best is not None else None
        sv = view.server(src) if src is not None else None
        hide = opts.get("hide_noop", True)
        items = [e for e in (sv.log.entries if sv else ()) if not (hide and e.noop)]
        planned = list(opts.get("planned_log") or ())
        slots = []
        for k in range(max(len(items), len(planned))):
            if k < len(items):
                e = items[k]
                slots.append(("raft-cell raft-logcell raft-t%d %s" % (
                    e.term % len(TERM_PALETTE), "raft-committed" if e.committed else "raft-uncommitted"),
                    e.label, "#%d term %d%s" % (e.index, e.term, "" if e.committed else " (not committed)")))
            else:
                slots.append(("raft-cell raft-logcell raft-planned", str(planned[k]), "not yet in the log"))
        maxn = int(opts.get("shared_log_slots", 3))
        skipped = max(0, len(slots) - maxn)
        slots = slots[-maxn:] if skipped else slots
        lx0, ly0, _hw, _hh = self._box(canvas)
        sw, sh, gap = s.text_col_w, s.small + 10.0, 6.0
        total = len(slots) * sw + max(len(slots) - 1, 0) * gap
        x0 = lx0 - total / 2
        y = ly0 - sh / 2
        title = "replicated log" + (" (+%d earlier)" % skipped if skipped else "")
        out = ['<g class="raft-shared-log"><text class="raft-name" x="%s" y="%s" text-anchor="middle">%s</text>'
               % (fmt(lx0), fmt(y - 6.0), title)]
        if src is not None and items:
            out.append('<text class="raft-small raft-muted" x="%s" y="%s" text-anchor="middle">as %s holds it</text>'
                       % (fmt(lx0), fmt(y + sh + s.small + 3.0), esc(str(src))))
        if not slots:
            out.append('<text class="raft-muted" x="%s" y="%s" text-anchor="middle">(empty)</text>'
                       % (fmt(lx0), fmt(ly0 + 4.0)))
        nchars = chars(sw - 4.0, s.small, mono=True)
        for k, (cls, label, tip) in enumerate(slots):
            x = x0 + k * (sw + gap)
            out.append('<g class="%s"><title>%s</title><rect x="%s" y="%s" width="%s" height="%s" rx="3"/>'
                       '<text class="raft-mono" x="%s" y="%s" text-anchor="middle">%s</text></g>'
                       % (cls, esc(tip), fmt(x), fmt(y), fmt(sw), fmt(sh), fmt(x + sw / 2),
                          fmt(y + sh / 2 + s.small * 0.35), esc(trunc(label, nchars))))
        out.append("</g>")
        return "".join(out)
