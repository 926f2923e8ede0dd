"""Pure-Python SVG renderer for one frame of a ``raftcore`` cluster, drawn from its view.

The same code renders the prerendered first frame at build time (CPython) and every frame in
the reader's browser (Pyodide)::

    r = Renderer(cluster, layout="ring", options={"id": "s02"})
    html = r.svg()          # two <svg>: the desktop drawing and the phone drawing
    patches = r.update()    # [(element_id, kind, value), ...] changed since last call

``kind`` is ``"attr:<name>"`` (set an attribute), ``"text"`` (set textContent) or ``"html"``
(replace the innerHTML of a group whose children come and go).

Design notes
------------
* **Drawn from the contract.** Every frame reads one :meth:`Cluster.view()
  <raftcore.sim.Cluster.view>` (``raftcore.view.ClusterView``); the renderer never touches a
  node, a disk or the network. ``renderer.view`` is that frame's view, for layers.
* **Legible at the size it is shown.** A drawing is laid out for the width it will have on
  screen, so one unit is about one CSS pixel: a *wide* drawing (520 units, a desktop's diagram
  column) with text of at least 12 px, and a *narrow* one (320 units, a phone) with text of
  at least 11 px, servers in a tighter ring and fewer log columns. ``svg()`` returns both; the
  page's CSS shows one (``.raft-svg--wide`` / ``.raft-svg--narrow``), so the prerendered frame
  and the live one are the same markup whatever the screen. Element ids of the narrow drawing
  end in ``-n``.
* **One log grid.** Logs are not drawn beside each server but in one grid under the servers:
  a row per server, a column per log index, so entries at the same index line up and
  divergence shows at a glance (RaftScope's idea). A cell is coloured by term (solid once the
  server knows it committed, dashed before), a bar marks each server's commit index, the
  compacted prefix is a grey snapshot block, and the state machine sits at the row's end.
* **Honest about violations.** While the checker reports a violation, the servers it names
  get a red ring and the grid cells at its index a red outline.
* Deterministic: the same view gives byte-identical output (servers in ``view.names``
  order, messages in flight order, floats with one decimal).
* Cheap updates: geometry is computed when the servers or a layer's placement change; each
  ``update()`` compares per-server signatures with the previous frame and rebuilds a grid
  row only when its inputs changed.
* Nothing is said by colour alone: roles have a letter (F/P/C/L), crashed servers a cross,
  committed entries are solid and uncommitted ones dashed with the term written in the cell,
  messages have a shape and a label per type.

Only the standard library is used; no ``js``/``pyodide`` import here.
"""

from __future__ import annotations

import math

from raftsite.glyphs import (CSS, MSG_KIND, ROLE_LETTER, ROLE_WORD, SIZES, TERM_PALETTE, Size, chars, deco_class,
                             message_glyph, server_glyph, slug)
from raftsite.markup import esc, fmt, trunc, wrap

__all__ = ["Renderer", "Canvas", "LAYOUTS", "DEFAULT_BANNER"]

LAYOUTS = ("ring", "scene01")

# One colour per term, cycling (term t uses palette index t % 6). None is a role colour,
# and all have a contrast ratio >= 5.4 against white text (committed cells carry white text).
DEFAULT_BANNER = (
    "SM_C has gone quiet. Is it slow, or has it crashed? The other servers cannot "
    "tell: all they can observe is that no message has arrived yet. Waiting forever "
    "risks never deciding; giving up risks being wrong. That is FLP."
)


class _ServerGeo:
    """Where one server sits on a drawing: its centre on the stage and its row in the log grid."""

    __slots__ = ("name", "slug", "gid", "cx", "cy", "row_y")

    def __init__(self, name, slug, gid, cx, cy):
        self.name, self.slug, self.gid = name, slug, gid
        self.cx, self.cy = cx, cy
        self.row_y = 0.0


class Canvas:
    """One drawing of the cluster at one :class:`Size`.

    Layers receive the canvas as their ``renderer`` argument: ``cluster`` (to act or to ask
    ``view()``), ``view`` (this frame's :class:`~raftcore.view.ClusterView`), ``servers``
    (each server's ``name``, ``cx``, ``cy``), ``r`` (server radius), ``width`` and ``height``
    — the *stage* where the servers stand; the log grid is drawn below it —, ``size``
    (the :class:`Size`) and ``options``."""

    def __init__(self, renderer: "Renderer", size: Size, prefix: str):
        self.owner = renderer
        self.size = size
        self.prefix = prefix
        self._prev: dict = {}
        self._sig: dict = {}
        self._msg_ids: tuple = ()
        self._msg_tr: list = []
        self._msg_cache: dict = {}
        self.geometry()

    # the owner's state, shared by both drawings
    @property
    def cluster(self):
        return self.owner.cluster

    @property
    def view(self):
        return self.owner.view

    @property
    def options(self) -> dict:
        return self.owner.options

    @property
    def layout(self) -> str:
        return self.owner.layout

    def _opt(self, key, default=None):
        return self.owner.options.get(key, default)

    # ------------------------------------------------------------------ geometry
    def geometry(self) -> None:
        v = self.view
        names = list(v.names)
        self._names = tuple(names)
        n = len(names)
        s = self.size
        p = self.prefix
        self.r = s.r
        self._timer_r = s.r + 5.0
        self._timer_c = 2.0 * math.pi * self._timer_r
        self.width = s.width
        self.servers: list[_ServerGeo] = []
        seen, slugs = set(), []
        for i, name in enumerate(names):
            sl = slug(name)
            if sl in seen:
                sl = "%s-%d" % (sl, i)
            seen.add(sl)
            slugs.append(sl)
        rx, ry = s.ring_rx, s.ring_ry
        if n <= 3:
            rx, ry = rx * 0.8, ry * 0.95
        if n <= 5 and s.name == "narrow":
            ry = ry * 0.85
        cx0 = s.width / 2
        cy0 = s.ring_top + ry
        below = s.r + s.font + s.small + 10.0   # name and vote tally under the lowest server
        self.height = cy0 + ry + below           # the stage: where servers and messages are
        for layer in self.owner.layers():  # a layer that places servers may need more room
            fn = getattr(layer, "stage_height", None)
            if fn is not None:
                self.height = max(self.height, float(fn(self)))
        for i, name in enumerate(names):
            a = -math.pi / 2 + 2 * math.pi * i / max(n, 1)
            if n >= 6:
                a -= math.pi / n  # two servers side by side at the top
            cx = round(cx0 + rx * math.cos(a), 1)
            cy = round(cy0 + ry * math.sin(a), 1)
            self.servers.append(_ServerGeo(name, slugs[i], "%s-s-%s" % (p, slugs[i]), cx, cy))
        # A layer may place the servers itself (scene 10's partitions: one column per side).
        self._placed = self._placement()
        for g in self.servers:
            at = self._placed.get(g.name)
            if at is not None:
                g.cx, g.cy = float(at[0]), float(at[1])
        self._links = {}
        self._link_paths = []
        pos = {g.name: (g.cx, g.cy) for g in self.servers}
        rim = s.r + 8.0
        for i, a in enumerate(names):
            for j, b in enumerate(names):
                if i == j:
                    continue
                ax, ay = pos[a]
                bx, by = pos[b]
                dx, dy = bx - ax, by - ay
                d = math.hypot(dx, dy) or 1.0
                ux, uy = dx / d, dy / d
                x0, y0 = ax + ux * rim, ay + uy * rim
                x1, y1 = bx - ux * rim, by - uy * rim
                px, py = -uy, ux  # each direction bows to its own side
                bow = 12.0
                self._links[(a, b)] = (x0, y0, (x0 + x1) / 2 + px * bow, (y0 + y1) / 2 + py * bow, x1, y1)
                if i < j:
                    self._link_paths.append((a, b, "M%s,%sL%s,%s" % (fmt(x0), fmt(y0), fmt(x1), fmt(y1)),
                                             (x0 + x1) / 2, (y0 + y1) / 2))
        # banner (scene 01's FLP explanation, two leaders at once): a band under the stage
        self._has_banner = (any(getattr(layer, "banner", False) for layer in self.owner.layers())
                            or bool(self._opt("leaders_banner")) or self._opt("banner") not in (None, False))
        top = self.height
        if self._has_banner:
            lines = 4 if s.name == "narrow" else 3
            self._banner_box = (4.0, top + 2.0, s.width - 8.0, 14.0 + lines * (s.small + 4.0))
            top += self._banner_box[3] + 8.0
        else:
            self._banner_box = (4.0, top, s.width - 8.0, 0.0)
        # bands: room under the stage that layers ask for (cards per server, a legend)
        self.bands: dict[str, tuple[float, float]] = {}
        for layer in self.owner.layers():
            fn = getattr(layer, "band", None)
            h = float(fn(self)) if fn is not None else 0.0
            if h > 0:
                self.bands[layer.name] = (top + 4.0, h)
                top += h + 8.0
        # the log grid: a header row of indices, then a row per server
        self._grid_y = top + 4.0
        head = s.small + 8.0
        for k, g in enumerate(self.servers):
            g.row_y = self._grid_y + head + k * s.row_h
        self.total_height = self._grid_y + head + n * s.row_h + 6.0

    def _placement(self) -> dict:
        """``{name: (cx, cy)}`` from the first layer whose ``positions(canvas)``
        returns any; empty: the layout's own places. Asked every frame: a change redraws."""
        for layer in self.owner.layers():
            fn = getattr(layer, "positions", None)
            pos = fn(self) if fn is not None else None
            if pos:
                return pos
        return {}

    def band(self, name: str) -> tuple[float, float]:
        """(top, height) of the band a layer asked for under the stage (see ``Layer.band``)."""
        return self.bands[name]

    def card_slots(self, name: str, count: int, card_h: float, min_w: float = 160.0) -> list[tuple[float, float, float]]:
        """``count`` card places ``(x, y, width)`` in rows across the band of layer ``name``:
        as many columns as cards of ``min_w`` fit, cards in server order."""
        top = self.bands[name][0] if name in self.bands else self.height
        cols = max(1, int((self.size.width - 6.0) // (min_w + 6.0)))
        w = (self.size.width - 6.0) / cols - 6.0
        return [(6.0 + (k % cols) * (w + 6.0), top + (k // cols) * (card_h + 6.0), w) for k in range(count)]

    def cards_height(self, count: int, card_h: float, min_w: float = 160.0) -> float:
        """The band height :meth:`card_slots` needs for ``count`` cards."""
        cols = max(1, int((self.size.width - 6.0) // (min_w + 6.0)))
        rows = (count + cols - 1) // cols
        return rows * (card_h + 6.0) - 6.0 if rows else 0.0

    def state_box(self, name: str) -> tuple[float, float, float, float]:
        """(x, y, width, height) of a server's state-machine cell in the log grid."""
        s = self.size
        for g in self.servers:
            if g.name == name:
                return (s.width - s.state_w, g.row_y - 2.0, s.state_w, s.row_h)
        raise KeyError(name)

    @property
    def line_h(self) -> float:
        """Line pitch of small text (cards, notes)."""
        return self.size.small + 3.5

    def needs_geometry(self) -> bool:
        return tuple(self.view.names) != self._names or self._placement() != self._placed

    # ------------------------------------------------------------------ servers
    def _server_class(self, sv, offender: bool) -> str:
        cls = "raft-server raft-role-%s%s" % (sv.role.value, "" if sv.alive else " raft-crashed")
        if offender:
            cls += " raft-offender"
        return cls

    @staticmethod
    def _letter(sv) -> str:
        return ROLE_LETTER.get(sv.role.value, "?") if sv.alive else "X"

    def _aria(self, sv) -> str:
        if sv.alive:
            n = sv.log.last_index
            text = "%s: %s, term %d, %d log entr%s, %d committed" % (
                sv.name, ROLE_WORD.get(sv.role.value, sv.role.value), sv.current_term, n,
                "y" if n == 1 else "ies", sv.commit_index)
            if sv.state.data:
                text += ", state " + ", ".join("%s=%s" % kv for kv in sv.state.data)
        else:
            text = "%s: crashed" % sv.name
        hint = self._opt("server_hint", None)
        if hint is None:
            hint = "activate to inspect"
        if hint:
            text += ". " + str(hint)
        return text

    def _timer_offset(self, sv) -> str:
        frac = sv.timer
        if frac is None:
            return fmt(self._timer_c)
        if self._opt("reduced_motion"):
            frac = math.ceil(frac * 8.0) / 8.0  # drain in eighths, not continuously
        return fmt(self._timer_c * (1.0 - frac))

    @staticmethod
    def _votes(sv) -> str:
        if sv.alive and sv.role.value in ("candidate", "pre_candidate"):
            return "%s %d/%d" % ("pre-votes" if sv.role.value == "pre_candidate" else "votes",
                                 len(sv.votes), sv.quorum)
        return ""

    # ------------------------------------------------------------------ grid
    def _grid_columns(self, text_mode: bool) -> int:
        s = self.size
        pitch = s.text_col_w if text_mode else s.col_w
        return max(3, int((s.width - s.label_w - s.state_w - 8.0) / pitch))

    def _window(self):
        """(first index shown, last index shown, text mode): the most recent columns of the
        longest log, so every server's entry at an index sits in the same column."""
        v = self.view
        last = max((sv.log.last_index for sv in v.servers), default=0)
        planned = len(self._opt("planned_log") or ()) if self.layout == "scene01" else 0
        last = max(last, planned)
        # command text in the cells only where the commands are the story (scene 01's shared
        # log); elsewhere a cell shows its term, which is what the rules compare
        text_max = int(self._opt("log_text_max", 6 if self.layout == "scene01" else 0))
        text_mode = last <= text_max and self._grid_columns(True) >= max(last, 1)
        cols = self._grid_columns(text_mode)
        start = max(1, last - cols + 1)
        # one empty column after the longest log: where the next entry will go
        return start, min(start + cols - 1, max(last + 1, start)), text_mode

    def _bad_cells(self) -> dict:
        """{server: index} of the entries the current violation concerns."""
        out = {}
        for viol in self.view.violations:
            if viol.index is None:
                continue
            for name in viol.servers:
                out.setdefault(name, set()).add(int(viol.index))
        return {k: frozenset(v) for k, v in out.items()}

    def _offenders(self) -> frozenset:
        return frozenset(n for viol in self.view.violations for n in viol.servers)

    def _col_x(self, idx: int, start: int, text_mode: bool) -> float:
        s = self.size
        pitch = s.text_col_w if text_mode else s.col_w
        return s.label_w + 4.0 + (idx - start) * pitch

    def _grid_head_html(self, start: int, end: int, text_mode: bool) -> str:
        s = self.size
        y = self._grid_y + s.small + 2.0
        pitch = s.text_col_w if text_mode else s.col_w
        cw = pitch - (s.col_w - s.cell_w)
        out = ['<text class="raft-small raft-muted" x="%s" y="%s" text-anchor="end">%s</text>'
               % (fmt(s.label_w - 4.0), fmt(y), "index" if start == 1 else "\u2026")]
        # Every index is labelled when its number fits its column: on a phone's 22-unit columns
        # that is up to two digits (every other one was, and the last, so 1, 3, 4 read oddly);
        # longer numbers every other column, and the last.
        digits_w = len(str(end)) * 0.62 * s.small
        step = 1 if text_mode or s.name == "wide" or digits_w + 3.0 <= pitch else 2
        for idx in range(start, end + 1):
            if (idx - start) % step and idx != end:
                continue
            x = self._col_x(idx, start, text_mode) + cw / 2
            out.append('<text class="raft-small raft-muted" x="%s" y="%s" text-anchor="middle">%d</text>'
                       % (fmt(x), fmt(y), idx))
        if s.state_w:
            out.append('<text class="raft-small raft-muted" x="%s" y="%s">state</text>'
                       % (fmt(s.width - s.state_w + 4.0), fmt(y)))
        return "".join(out)

    def _row_html(self, g: _ServerGeo, sv, start, end, text_mode, bad: frozenset, match) -> str:
        s = self.size
        y = g.row_y
        ch = s.cell_h
        pitch = s.text_col_w if text_mode else s.col_w
        cw = pitch - (s.col_w - s.cell_w)
        out = ['<rect class="raft-row-hit" x="0" y="%s" width="%s" height="%s"/>'
               % (fmt(y - 2.0), fmt(s.width), fmt(s.row_h))]
        name = trunc(str(sv.name), chars(s.label_w - 6.0, s.font))
        out.append('<text class="raft-name" x="%s" y="%s" text-anchor="end">%s</text>'
                   % (fmt(s.label_w - 4.0), fmt(y + ch / 2 + s.font * 0.35), esc(name)))
        log = sv.log
        snap = log.snapshot_index
        if snap >= start:
            x0 = self._col_x(start, start, text_mode)
            x1 = self._col_x(min(snap, end), start, text_mode) + cw
            label = "snap \u2264%d" % snap
            fits = chars(x1 - x0 - 4.0, s.small) >= len(label)
            out.append('<g class="raft-snapcell"><title>%s</title><rect x="%s" y="%s" width="%s" height="%s" rx="3"/>'
                       '%s</g>'
                       % (esc("entries up to %d (term %d) compacted into a snapshot" % (snap, log.snapshot_term)),
                          fmt(x0), fmt(y), fmt(x1 - x0), fmt(ch),
                          ('<text x="%s" y="%s" text-anchor="middle">%s</text>'
                           % (fmt((x0 + x1) / 2), fmt(y + ch / 2 + s.small * 0.35), esc(label))) if fits else ""))
        nchars = chars(cw - 4.0, s.small, mono=True)
        for e in log.entries:
            idx = e.index
            if idx < start or idx > end or idx <= snap:
                continue
            x = self._col_x(idx, start, text_mode)
            cls = "raft-cell raft-t%d %s" % (e.term % len(TERM_PALETTE),
                                             "raft-committed" if e.committed else "raft-uncommitted")
            if idx in bad:
                cls += " raft-bad"
            label = trunc(e.label if e.label != "no-op" or text_mode else "·", nchars) if text_mode else str(e.term)
            out.append('<g class="%s"><title>%s</title><rect x="%s" y="%s" width="%s" height="%s" rx="3"/>'
                       '<text class="raft-mono" x="%s" y="%s" text-anchor="middle">%s</text></g>'
                       % (cls, esc("%s #%d, term %d: %s (%s)" % (sv.name, idx, e.term, e.label,
                                                                    "committed" if e.committed else "not committed")),
                          fmt(x), fmt(y), fmt(cw), fmt(ch), fmt(x + cw / 2), fmt(y + ch / 2 + s.small * 0.35),
                          esc(label)))
        for idx in bad:
            if idx > log.last_index and start <= idx <= end:  # the entry the server lacks
                x = self._col_x(idx, start, text_mode)
                out.append('<g class="raft-cell raft-uncommitted raft-bad"><title>%s</title>'
                           '<rect x="%s" y="%s" width="%s" height="%s" rx="3"/></g>'
                           % (esc("%s has no entry %d" % (sv.name, idx)), fmt(x), fmt(y), fmt(cw), fmt(ch)))
        commit = sv.commit_index
        if start <= commit <= end or (commit > end and log.last_index >= start):
            bx = self._col_x(min(commit, end), start, text_mode) + cw + (pitch - cw) / 2
            out.append('<path class="raft-commit-bar" d="M%s,%sV%s"><title>%s</title></path>'
                       % (fmt(bx), fmt(y - 2.0), fmt(y + ch + 2.0), esc("%s commitIndex %d" % (sv.name, commit))))
        if self._opt("markers") and start <= sv.last_applied <= end:
            ax = self._col_x(sv.last_applied, start, text_mode) + cw / 2
            out.append('<circle class="raft-mark-applied" cx="%s" cy="%s" r="2.5"><title>%s</title></circle>'
                       % (fmt(ax), fmt(y + ch + 3.0), esc("%s lastApplied %d" % (sv.name, sv.last_applied))))
        if match is not None and start <= match <= end:
            mx = self._col_x(match, start, text_mode) + cw / 2
            out.append('<path class="raft-mark-match" d="M%s,%sl-4,5h8z"><title>%s</title></path>'
                       % (fmt(mx), fmt(y + ch + 0.5), esc("the leader's matchIndex for %s: %d" % (sv.name, match))))
        if s.state_w:
            st = " ".join("%s=%s" % kv for kv in sv.state.data) or "\u2205"
            out.append('<text id="%s-state" class="raft-state raft-mono" x="%s" y="%s">%s</text>'
                       % (g.gid, fmt(s.width - s.state_w + 4.0), fmt(y + ch / 2 + s.font * 0.35),
                          esc(trunc(st, chars(s.state_w - 6.0, s.font, mono=True)))))
        return "".join(out)

    # ------------------------------------------------------------------ messages
    def _msg_parts(self, f):
        """(class, inner markup) of one message: its shape and label by type."""
        kind = MSG_KIND.get(f.type, "other")
        if kind == "ae" and f.kind == "Heartbeat":
            kind = "hb"
        if kind == "rv" and f.kind == "PreVote":
            kind = "pv"
        ok = bool(f.field("vote_granted" if kind == "rvr" else "success", False))
        detail = ""
        if kind in ("ae", "hb") and self._opt("message_details"):
            detail = "prev %d/t%d" % (int(f.field("prev_log_index", 0)), int(f.field("prev_log_term", 0)))
        count = int(f.field("last_included_index" if kind == "is" else "entries", 0) or 0)
        cls, inner = message_glyph(self.size, kind, ok=ok, count=count, detail=detail, detail_below=bool(f.id % 2),
                                   other="".join(ch for ch in f.type if ch.isupper())[:2])
        return cls, "<title>%s</title>%s" % (esc("%s \u2192 %s: %s" % (f.src, f.dst, f.text)), inner)

    def _flights(self):
        """[(flight view, transform)] for the messages on the wire, in flight order."""
        links = self._links
        still = bool(self._opt("reduced_motion"))
        out = []
        for f in self.view.flights:
            link = links.get((f.src, f.dst))
            if link is None:
                continue
            x0, y0, cx, cy, x1, y1 = link
            t = 0.5 if still else min(1.0, max(0.0, f.travelled))
            u = 1.0 - t
            a, b, c = u * u, 2.0 * u * t, t * t
            out.append((f, "translate(%s %s)" % (fmt(a * x0 + b * cx + c * x1), fmt(a * y0 + b * cy + c * y1))))
        return out

    def _msgs_html(self, flights) -> str:
        old = self._msg_cache
        cache = {}
        out = []
        p = self.prefix
        for i, (f, tr) in enumerate(flights):
            hit = old.get(f.id)
            if hit is None:
                hit = self._msg_parts(f)
            cache[f.id] = hit
            out.append('<g id="%s-m-%d" class="%s" data-flight="%d" transform="%s">%s</g>'
                       % (p, i, hit[0], f.id, tr, hit[1]))
        self._msg_cache = cache
        return "".join(out)

    # ------------------------------------------------------------------ banner
    def _leaders_text(self):
        """With ``leaders_banner``: the banner while two or more live servers believe they lead."""
        v = self.view
        leads = [v.server(n) for n in v.leaders]
        if len(leads) < 2:
            return None
        terms = sorted(((sv.current_term, sv.name) for sv in leads), reverse=True)
        if terms[0][0] == terms[1][0]:
            same = [n for t, n in terms if t == terms[0][0]]
            return ("Election Safety is broken: %s both lead term %d. At most one leader may be "
                    "elected in a term (§5.2); each can commit entries the other overwrites."
                    % (" and ".join(sorted(same)), terms[0][0]))
        cur_t, cur = terms[0]
        stale = ", ".join("%s (term %d)" % (n, t) for t, n in terms[1:])
        return ("Two servers believe they lead: %s and %s (term %d). Only the newest term counts: "
                "followers reject the stale leader's AppendEntries, so it can commit nothing."
                % (stale, cur, cur_t))

    def forget_messages(self) -> None:
        """Drop the cached message markup (another cluster's flight ids may repeat)."""
        self._msg_cache = {}

    def banner_state(self):
        """(``"visible"`` or ``"hidden"``, text) of the banner for the current view."""
        if self._opt("leaders_banner"):
            text = self._leaders_text()
            if text is not None:
                return "visible", text
        b = self._opt("banner", None)
        if isinstance(b, str):
            return "visible", b
        text = str(self._opt("banner_text") or DEFAULT_BANNER)
        if b is None and self._opt("leaders_banner"):
            return "hidden", ""
        shown = bool(self._opt("stalled")) if b is None else bool(b)
        return ("visible" if shown else "hidden"), text

    def _banner_lines_html(self, text) -> str:
        s = self.size
        bx, by, bw, bh = self._banner_box
        per = chars(bw - 20.0, s.small)
        lines = wrap(text, per)
        maxl = int((bh - 10.0) // (s.small + 4.0))
        if len(lines) > maxl:
            lines = lines[:maxl]
            lines[-1] = trunc(lines[-1] + " \u2026", per)
        return "".join('<tspan class="raft-small" x="%s" y="%s">%s</tspan>'
                       % (fmt(bx + 10), fmt(by + 6 + (i + 1) * (s.small + 4.0) - 3.0), esc(line))
                       for i, line in enumerate(lines))

    # ------------------------------------------------------------------ description
    def _desc(self) -> str:
        v = self.view
        parts = ["%d servers." % len(v.servers)]
        if v.leader is not None:
            parts.append("Leader: %s in term %d." % (v.leader, v.server(v.leader).current_term))
        else:
            parts.append("No leader.")
        for sv in v.servers:
            if not sv.alive:
                parts.append("%s crashed." % sv.name)
                continue
            text = "%s %s, term %d, log %d, committed %d" % (
                sv.name, ROLE_WORD.get(sv.role.value, sv.role.value), sv.current_term, sv.log.last_index,
                sv.commit_index)
            if sv.state.data:
                text += ", " + ", ".join("%s=%s" % kv for kv in sv.state.data)
            parts.append(text + ".")
        for name in sorted(str(x) for x in (self._opt("stalled") or ())):
            parts.append("The link to %s is stalled." % name)
        for viol in v.violations:
            parts.append("Violated: %s." % viol.text)
        return " ".join(parts)

    # ------------------------------------------------------------------ frame
    def _frame(self, flights):
        """Every dynamic value of the frame as ``(element_id, kind, value)`` in a fixed order
        (messages excepted: :meth:`update` handles them). Grid rows are rebuilt only when
        their inputs changed (signatures in ``self._sig``)."""
        p = self.prefix
        v = self.view
        sig = self._sig
        vals = []
        offenders = self._offenders()
        bad = self._bad_cells()
        start, end, text_mode = self._window()
        wkey = (start, end, text_mode)
        if sig.get(p + ":win") != wkey:
            sig[p + ":win"] = wkey
            sig[p + ":head"] = self._grid_head_html(start, end, text_mode)
        vals.append((p + "-gridhead", "html", sig[p + ":head"]))
        lead = v.server(v.leader) if v.leader is not None and self._opt("match_index") else None
        for g, sv in zip(self.servers, v.servers):
            gid = g.gid
            offender = sv.name in offenders
            key = (sv.alive, sv.role, sv.current_term, sv.log.last_index, sv.commit_index, sv.state.data,
                   offender)
            if sig.get(gid) != key:
                sig[gid] = key
                sig[gid + ":attrs"] = (self._server_class(sv, offender), self._letter(sv),
                                       "T%d" % sv.current_term, self._aria(sv))
            cls, letter, badge, aria = sig[gid + ":attrs"]
            vals.append((gid, "attr:class", cls))
            vals.append((gid + "-deco", "attr:class", deco_class(cls)))
            vals.append((gid, "attr:aria-label", aria))
            vals.append((gid + "-letter", "text", letter))
            vals.append((gid + "-term", "text", badge))
            vals.append((gid + "-votes", "text", self._votes(sv)))
            vals.append((gid + "-timer", "attr:stroke-dashoffset", self._timer_offset(sv)))
            match = None
            if lead is not None and lead.name != sv.name:
                pr = lead.progress_of(sv.name)
                match = pr.match_index if pr is not None else None
            rkey = (wkey, sv.log, sv.commit_index, sv.last_applied, sv.state.data, bad.get(sv.name, frozenset()),
                    match, bool(self._opt("markers")))
            if sig.get(gid + ":row") != rkey:
                sig[gid + ":row"] = rkey
                sig[gid + ":rowhtml"] = self._row_html(g, sv, start, end, text_mode, bad.get(sv.name, frozenset()),
                                                       match)
            vals.append((gid + "-log", "attr:class", "raft-log raft-row" + ("" if sv.alive else " raft-row--crashed")))
            vals.append((gid + "-log", "html", sig[gid + ":rowhtml"]))
        blocked = v.blocked
        if sig.get(p + ":blocked") != blocked:
            sig[p + ":blocked"] = blocked
            sig[p + ":links"] = self._links_html(blocked)
        vals.append((p + "-links", "html", sig[p + ":links"]))
        vals.append((p + "-desc", "text", self._desc()))
        for layer in self.owner.layers():
            vals.append(("%s-layer-%s" % (p, layer.name), "html", layer.draw(self)))
        if self._has_banner:
            vis, text = self.banner_state()
            vals.append((p + "-banner", "attr:visibility", vis))
            if sig.get(p + ":bannertext") != text:
                sig[p + ":bannertext"] = text
                sig[p + ":bannerhtml"] = self._banner_lines_html(text)
            vals.append((p + "-banner-text", "html", sig[p + ":bannerhtml"]))
        return vals

    def svg(self, title: str) -> str:
        if self.needs_geometry():
            self.geometry()
        self._sig = {}
        flights = self._flights()
        vals = self._frame(flights)
        prev = {(e, k): val for e, k, val in vals}
        prev[(self.prefix + "-title", "text")] = title
        self._prev = prev
        self._msg_ids = tuple(f.id for f, _ in flights)
        self._msg_tr = [tr for _, tr in flights]
        p = self.prefix
        s = self.size
        out = ['<svg xmlns="http://www.w3.org/2000/svg" id="%s" class="raft-svg raft-svg--%s raft-layout-%s" '
               'viewBox="0 0 %s %s" role="%s" aria-labelledby="%s-title %s-desc" data-size="%s">'
               % (p, s.name, self.layout, fmt(s.width), fmt(self.total_height), esc(str(self._opt("svg_role", "group"))),
                  p, p, s.name),
               '<title id="%s-title">%s</title>' % (p, esc(title)),
               '<desc id="%s-desc">%s</desc>' % (p, esc(prev[(p + "-desc", "text")]))]
        if self._opt("embed_style", True):
            out.append("<style>%s</style>" % CSS)
        out.append('<g id="%s-root">%s</g></svg>' % (p, self._root_inner(prev.get, flights)))
        return "".join(out)

    def _links_html(self, blocked) -> str:
        """The links between servers; a link the network drops (either way) dashed and crossed,
        so a partition or an isolated server shows before any message is lost on it."""
        out = []
        for a, b, d, mx, my in self._link_paths:
            if (a, b) in blocked or (b, a) in blocked:
                out.append('<path class="raft-link raft-link--cut" d="%s"/><path class="raft-link-x" '
                           'd="M%s,%sl8,8m0,-8l-8,8"/>' % (d, fmt(mx - 4), fmt(my - 4)))
            else:
                out.append('<path class="raft-link" d="%s"/>' % d)
        return "".join(out)

    def _root_inner(self, v, flights) -> str:
        p = self.prefix
        s = self.size
        out = ['<g id="%s-links" aria-hidden="true">%s</g>' % (p, v((p + "-links", "html")))]
        layers = list(self.owner.layers())
        for layer in layers:
            if getattr(layer, "z", "over") == "under":
                lid = "%s-layer-%s" % (p, layer.name)
                out.append('<g id="%s" class="raft-layer">%s</g>' % (lid, v((lid, "html"))))
        # messages travel under the servers, so a queue on a slow link never hides a name
        out.append('<g id="%s-msgs" class="raft-msgs">%s</g>' % (p, self._msgs_html(flights)))
        for g in self.servers:
            gid = g.gid
            out.append(server_glyph(s, g.cx, g.cy, str(g.name), v((gid, "attr:class")), v((gid + "-letter", "text")),
                                    v((gid + "-term", "text")), v((gid + "-votes", "text")),
                                    v((gid + "-timer", "attr:stroke-dashoffset")), gid=gid,
                                    aria=v((gid, "attr:aria-label"))))
        for layer in layers:
            if getattr(layer, "z", "over") != "under":
                lid = "%s-layer-%s" % (p, layer.name)
                out.append('<g id="%s" class="raft-layer">%s</g>' % (lid, v((lid, "html"))))
        if self._has_banner:
            bx, by, bw, bh = self._banner_box
            out.append('<g id="%s-banner" class="raft-banner" visibility="%s" role="status">'
                       '<rect x="%s" y="%s" width="%s" height="%s" rx="6"/>'
                       '<text id="%s-banner-text">%s</text></g>'
                       % (p, v((p + "-banner", "attr:visibility")), fmt(bx), fmt(by), fmt(bw), fmt(bh),
                          p, v((p + "-banner-text", "html"))))
        out.append('<g id="%s-grid" class="raft-grid">' % p)
        out.append('<path class="raft-gridrule" d="M0,%sH%s"/>' % (fmt(self._grid_y - 2.0), fmt(s.width)))
        out.append('<g id="%s-gridhead" aria-hidden="true">%s</g>' % (p, v((p + "-gridhead", "html"))))
        for g in self.servers:
            out.append('<g id="%s-log" class="%s" data-server="%s">%s</g>'
                       % (g.gid, v((g.gid + "-log", "attr:class")), esc(str(g.name)), v((g.gid + "-log", "html"))))
        out.append("</g>")
        return "".join(out)

    def update(self, title: str) -> list:
        p = self.prefix
        if self.needs_geometry():
            # the servers changed (membership, a layer's placement): redraw the whole root
            self.geometry()
            self._sig = {}
            old = self._prev
            flights = self._flights()
            vals = self._frame(flights)
            prev = {(e, k): val for e, k, val in vals}
            self._msg_ids = tuple(f.id for f, _ in flights)
            self._msg_tr = [tr for _, tr in flights]
            self._prev = prev
            patches = [(p, "attr:viewBox", "0 0 %s %s" % (fmt(self.size.width), fmt(self.total_height))),
                       (p + "-root", "html", self._root_inner(prev.get, flights))]
            if prev[(p + "-desc", "text")] != old.get((p + "-desc", "text")):
                patches.append((p + "-desc", "text", prev[(p + "-desc", "text")]))
            if title != old.get((p + "-title", "text")):
                patches.append((p + "-title", "text", title))
            prev[(p + "-title", "text")] = title
            return patches
        prev = self._prev
        patches = []
        flights = self._flights()
        for item in self._frame(flights):
            key = (item[0], item[1])
            if prev.get(key) != item[2]:
                prev[key] = item[2]
                patches.append(item)
        if prev.get((p + "-title", "text")) != title:
            prev[(p + "-title", "text")] = title
            patches.append((p + "-title", "text", title))
        ids = tuple(f.id for f, _ in flights)
        if ids == self._msg_ids:
            trs = self._msg_tr
            mp = p + "-m-"
            for i, (_, tr) in enumerate(flights):
                if trs[i] != tr:
                    trs[i] = tr
                    patches.append((mp + str(i), "attr:transform", tr))
        else:
            self._msg_ids = ids
            self._msg_tr = [tr for _, tr in flights]
            patches.append((p + "-msgs", "html", self._msgs_html(flights)))
        return patches


class Renderer:
    """Renders a cluster frame as SVG — a desktop and a phone drawing — and diffs later
    frames into patches.

    ``cluster`` needs ``view()`` (:meth:`raftcore.sim.Cluster.view`); nothing else is read.

    Options (all optional; ``r.options`` may be mutated between updates):

    ``id``            element-id prefix (default ``"raft"``; the phone drawing adds ``-n``)
    ``title``         SVG title (default "Raft cluster of N servers")
    ``reduced_motion`` draw messages at fixed midpoints, timers in eighths
    ``markers``       mark each server's lastApplied under its grid row (commitIndex is always drawn)
    ``match_index``   mark the leader's matchIndex in each follower's grid row
    ``message_details`` write prevLogIndex/prevLogTerm over each AppendEntries
    ``log_text_max``  logs up to this length show command text in the grid (default 6 in the
                      scene01 layout, 0 elsewhere: cells show their term)
    ``stalled``       set of server names whose scene01 arrow is stalled
    ``banner``        None: shown iff ``stalled`` (scene01); True/False: force; a string: that text
    ``banner_text``   text of the banner (default: the FLP explanation)
    ``leaders_banner`` explain two servers that lead at once (stale leader, or Election Safety broken)
    ``planned_log``   scene01: command texts drawn as ghost slots in the shared log
    ``hide_noop``     hide leader no-op entries in the scene01 shared log (default True)
    ``shared_log_slots`` most recent entries shown in the scene01 shared log (default 3)
    ``server_hint``   appended to each server's aria-label (default "activate to inspect"; False: none)
    ``embed_style``   embed ``CSS`` in the SVG (default True)
    ``svg_role``      role attribute of the <svg> (default "group": it holds focusable servers,
                      which an ``img`` may not)
    ``sizes``         which drawings to make (default ``("wide", "narrow")``)
    ``layers``        extra drawings: objects with ``name``, ``z`` (``"under"`` the servers or
                      ``"over"`` them) and ``draw(canvas) -> str``, the inner SVG of
                      ``<g id="{id}-layer-{name}">``, called every frame for each drawing (see
                      :class:`Canvas` for what a layer may read). A layer with
                      ``positions(canvas) -> {name: (cx, cy)}`` places the
                      servers instead of the layout.
    """

    def __init__(self, cluster, layout: str = "ring", options: dict | None = None):
        if layout not in LAYOUTS:
            raise ValueError("unknown layout %r (expected one of %s)" % (layout, ", ".join(LAYOUTS)))
        self.cluster = cluster
        self.layout = layout
        self.options = dict(options or {})
        self.prefix = str(self.options.get("id") or "raft")
        #: The layout's own layer (scene 01's shared log), kept apart from ``options["layers"]``,
        #: which the bridge may replace.
        self.layout_layers: list = []
        if layout == "scene01":
            from raftsite.layers.shared_log import SharedLog

            self.layout_layers.append(SharedLog({}))
        self.view = cluster.view()
        sizes = tuple(self.options.get("sizes") or ("wide", "narrow"))
        self.canvases = [Canvas(self, SIZES[name], self.prefix if k == 0 else self.prefix + "-n")
                         for k, name in enumerate(sizes)]

    def layers(self) -> list:
        """The layers drawn this frame: the layout's own, then the scene's (``options["layers"]``)."""
        return self.layout_layers + list(self.options.get("layers") or ())

    @property
    def servers(self):
        """The first drawing's server places (``name``, ``cx``, ``cy``)."""
        return self.canvases[0].servers

    def _title(self) -> str:
        t = self.options.get("title")
        return str(t) if t else "Raft cluster of %d servers" % len(self.view.servers)

    def svg(self, size: str | None = None) -> str:
        """Both drawings of the current state (or only the ``size`` one: ``"wide"``,
        ``"narrow"``); resets the diff baseline."""
        self.view = self.cluster.view()
        title = self._title()
        return "".join(c.svg(title) for c in self.canvases if size is None or c.size.name == size)

    def update(self) -> list:
        """Patches that bring the last emitted frame up to the cluster's current state.

        With ``options["shown"]`` (``"wide"`` or ``"narrow"``: the drawing the reader's screen
        shows; CSS hides the other) only that drawing is brought up to date: drawing both costs
        twice as much Python per frame. The hidden one keeps its last emitted state as its diff
        baseline, so the first update after it is shown again brings it up to date in one go."""
        self.view = self.cluster.view()
        title = self._title()
        shown = self.options.get("shown")
        out = []
        for c in self.canvases:
            if shown and c.size.name != shown:
                continue
            out.extend(c.update(title))
        return out

    def set_cluster(self, cluster) -> None:
        """Draw another cluster from the next ``update()`` on (e.g. after a reset): the
        patches then bring the last frame of the old cluster to the new one's state."""
        self.cluster = cluster
        for c in self.canvases:
            c.forget_messages()

    def banner(self) -> tuple[str, str]:
        """(``"visible"`` or ``"hidden"``, text) of the banner as the frame shows it now."""
        self.view = self.cluster.view()
        return self.canvases[0].banner_state()
