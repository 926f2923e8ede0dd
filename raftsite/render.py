"""Pure-Python SVG renderer for one frame of a ``raftcore`` cluster.

The same code renders the prerendered first frame at build time (CPython) and
every animation frame in the reader's browser (Pyodide)::

    r = Renderer(cluster, layout="ring", options={"id": "s02"})
    html = r.svg()          # the full <svg> document fragment
    patches = r.update()    # [(element_id, kind, value), ...] changed since last call

``kind`` is ``"attr:<name>"`` (set an attribute), ``"text"`` (set textContent)
or ``"html"`` (replace innerHTML of a group whose children come and go).

Design notes
------------
* Deterministic: same cluster state gives byte-identical output. Servers are
  drawn in ``cluster.names`` order, messages in ``cluster.in_flight()`` order,
  state tables sorted by key, every float printed with one decimal.
* Cheap updates: geometry is computed once in ``__init__``; each ``update()``
  compares a few values per server against the previous frame (kept in a dict)
  and only rebuilds the HTML of a log or state table when its inputs changed.
* Presentation lives in CSS classes (see ``CSS``); every colour is a CSS custom
  property with a fallback, so the site's light and dark palettes can theme it.
  The SVG embeds ``CSS`` in a ``<style>`` so it also stands alone
  (``options["embed_style"] = False`` turns that off).
* Nothing is said by colour alone: roles have a letter (F/C/L) and the leader a
  thicker ring, crashed servers a cross, committed log entries are solid and
  uncommitted ones dashed with the term number written in the cell, messages
  have a shape and a label per type.

Only the standard library is used; no ``js``/``pyodide`` import here.
"""

from __future__ import annotations

import math

__all__ = ["Renderer", "CSS", "TERM_PALETTE", "LAYOUTS", "DEFAULT_BANNER", "cdf_chart_svg", "html_table",
           "FIGURE16_PAPER_POINTS"]

LAYOUTS = ("ring", "scene01")

# One colour per term, cycling (term t uses palette index t % 6). None is a role colour,
# and all have a contrast ratio >= 5.4 against white text (committed cells carry white text).
TERM_PALETTE = (
    "#7a5230",  # brown
    "#1d5fa0",  # blue (term 1)
    "#6a4c9c",  # purple
    "#2f6b73",  # teal
    "#a12f74",  # magenta
    "#7a6500",  # olive
)

DEFAULT_BANNER = (
    "SM_C has gone quiet. Is it slow, or has it crashed? The other servers cannot "
    "tell: all they can observe is that no message has arrived yet. Waiting forever "
    "risks never deciding; giving up risks being wrong. That is FLP."
)

_FG = "var(--raft-fg,var(--md-default-fg-color,#1f2328))"
_BG = "var(--raft-bg,var(--md-default-bg-color,#ffffff))"
_MUTED = "var(--raft-muted,var(--md-default-fg-color--light,#57606a))"
_FAINT = "var(--raft-link,var(--md-default-fg-color--lightest,#c9d1d9))"

CSS = (
    ".raft-svg{font-family:var(--raft-font,system-ui,-apple-system,'Segoe UI',Roboto,sans-serif);"
    "font-size:11px}"
    ".raft-svg text{fill:" + _FG + "}"
    ".raft-svg .raft-muted{fill:" + _MUTED + "}"
    ".raft-link{fill:none;stroke:" + _FAINT + ";stroke-width:1}"
    ".raft-node{fill:var(--raft-follower,#52627a);stroke:" + _FG + ";stroke-width:1.5}"
    ".raft-role-candidate .raft-node{fill:var(--raft-candidate,#a34a00)}"
    ".raft-role-leader .raft-node{fill:var(--raft-leader,#1b7a3a);stroke-width:4.5}"
    ".raft-crashed .raft-node{fill:var(--raft-crashed,#a8adb3);stroke-dasharray:4 3;stroke-width:1.5}"
    ".raft-svg .raft-letter{fill:var(--raft-on-role,#ffffff);font-size:20px;font-weight:700}"
    ".raft-svg .raft-crashed .raft-letter{fill:var(--raft-on-crashed,#1f2328)}"
    ".raft-cross{stroke:var(--raft-cross,#b3261e);stroke-width:4;stroke-linecap:round;display:none}"
    ".raft-crashed .raft-cross{display:inline}"
    ".raft-timer{fill:none;stroke:var(--raft-timer,#7a4fd6);stroke-width:3.5}"
    ".raft-timer-track{fill:none;stroke:" + _FAINT + ";stroke-width:3.5}"
    ".raft-role-leader .raft-timer,.raft-crashed .raft-timer,"
    ".raft-role-leader .raft-timer-track,.raft-crashed .raft-timer-track{display:none}"
    ".raft-heart{display:none;fill:var(--raft-leader,#1b7a3a)}"
    ".raft-role-leader .raft-heart{display:inline}"
    ".raft-crashed .raft-heart{display:none}"
    ".raft-focus{fill:none;stroke:var(--raft-focus,var(--md-accent-fg-color,#0969da));"
    "stroke-width:3;display:none}"
    ".raft-server{cursor:pointer;outline:none}"
    ".raft-server:focus-visible .raft-focus{display:inline}"
    ".raft-badge rect{fill:" + _BG + ";stroke:" + _FG + ";stroke-width:1}"
    ".raft-svg .raft-name{font-weight:600;font-size:12px}"
    ".raft-svg .raft-small{font-size:9px}"
    ".raft-table{fill:" + _BG + ";stroke:" + _FAINT + ";stroke-width:1}"
    ".raft-svg .raft-mono{font-family:var(--raft-mono,ui-monospace,SFMono-Regular,Menlo,Consolas,monospace)}"
    + "".join(
        ".raft-t%d{--raft-c:var(--raft-term-%d,%s)}" % (i, i, c) for i, c in enumerate(TERM_PALETTE)
    )
    + ".raft-cell rect{stroke:var(--raft-c,#52627a);stroke-width:1.5;fill:" + _BG + ";stroke-dasharray:3 2}"
    ".raft-cell.raft-committed rect{fill:var(--raft-c,#52627a);stroke-dasharray:none}"
    ".raft-svg .raft-cell text{font-size:8px}"
    ".raft-svg .raft-cell.raft-committed text{fill:var(--raft-on-term,#ffffff)}"
    ".raft-cell.raft-planned rect{stroke:" + _MUTED + ";stroke-dasharray:1 2;fill:none}"
    ".raft-svg .raft-cell.raft-planned text{fill:" + _MUTED + "}"
    ".raft-svg .raft-mark{font-size:8px}"
    ".raft-mark path{fill:" + _FG + "}"
    ".raft-mark-applied path{fill:none;stroke:" + _FG + ";stroke-width:1.2}"
    ".raft-mark-match path{fill:var(--raft-leader,#1b7a3a)}"
    ".raft-msg .raft-shape{stroke:" + _FG + ";stroke-width:1}"
    ".raft-msg--rv .raft-shape{fill:var(--raft-candidate,#a34a00)}"
    ".raft-msg--ae .raft-shape,.raft-msg--hb .raft-shape{fill:var(--raft-leader,#1b7a3a)}"
    ".raft-msg--rvr .raft-shape,.raft-msg--aer .raft-shape,.raft-msg--other .raft-shape{fill:" + _BG + "}"
    ".raft-msg--rvr .raft-shape{stroke:var(--raft-candidate,#a34a00);stroke-width:1.5}"
    ".raft-msg--aer .raft-shape{stroke:var(--raft-leader,#1b7a3a);stroke-width:1.5}"
    ".raft-msg--is .raft-shape{fill:var(--raft-snapshot,#4b5563)}"
    ".raft-msg--is .raft-fold{fill:none;stroke:#ffffff;stroke-width:1}"
    ".raft-svg .raft-msg--is text{fill:#ffffff}"
    ".raft-msg--isr .raft-shape{fill:" + _BG + ";stroke:var(--raft-snapshot,#4b5563);stroke-width:1.5}"
    ".raft-svg .raft-msg text{font-size:8px;font-weight:700}"
    ".raft-svg .raft-msg text.raft-msg-detail{fill:" + _FG + ";font-weight:400;paint-order:stroke;"
    "stroke:" + _BG + ";stroke-width:3px}"
    ".raft-svg .raft-msg--rv text,.raft-svg .raft-msg--ae text,.raft-svg .raft-msg--hb text{fill:#ffffff}"
    ".raft-arrow path{fill:none;stroke:" + _MUTED + ";stroke-width:2}"
    ".raft-arrow .raft-head{fill:" + _MUTED + ";stroke:none}"
    ".raft-arrow--busy path{stroke-width:3.5}"
    ".raft-arrow--stalled path{stroke:var(--raft-stalled,#c62828);stroke-dasharray:7 5}"
    ".raft-arrow--stalled .raft-head{fill:var(--raft-stalled,#c62828);stroke-dasharray:none}"
    ".raft-arrow-label{display:none}"
    ".raft-svg .raft-arrow--stalled .raft-arrow-label{display:inline;fill:var(--raft-stalled-fg,#b3261e);"
    "font-weight:700}"
    "[data-md-color-scheme=slate] .raft-svg .raft-arrow--stalled .raft-arrow-label{"
    "fill:var(--raft-stalled-fg,#ff8a80)}"
    ".raft-banner rect{fill:var(--raft-banner-bg,#fff4e5);stroke:var(--raft-stalled,#c62828);stroke-width:1.5}"
    ".raft-svg .raft-banner text{fill:var(--raft-banner-fg,#4a1a12);font-size:12px}"
    ".raft-logbox{fill:none;stroke:" + _FAINT + ";stroke-width:1}"
    ".raft-svg .raft-logcell text{font-size:11px}"
)

_ROLE_LETTER = {"follower": "F", "candidate": "C", "leader": "L", "precandidate": "P",
                "pre_candidate": "P", "learner": "N"}

_MSG_KIND = {
    "RequestVote": "rv",
    "RequestVoteReply": "rvr",
    "AppendEntries": "ae",
    "AppendEntriesReply": "aer",
    "InstallSnapshot": "is",
    "InstallSnapshotReply": "isr",
}


def _esc(s: str) -> str:
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _f(x: float) -> str:
    """Fixed one-decimal formatting, never '-0.0'."""
    s = "%.1f" % x
    return "0.0" if s == "-0.0" else s


def _slug(name: str) -> str:
    out = []
    for ch in str(name):
        if ch.isascii() and (ch.isalnum() or ch in "-_"):
            out.append(ch)
        else:
            out.append("_%x_" % ord(ch))
    return "".join(out) or "_"


def _role_name(role) -> str:
    s = str(role)
    if "." in s:  # e.g. "Role.LEADER" from a plain Enum
        s = s.rsplit(".", 1)[1]
    return s.lower()


def command_text(cmd) -> str:
    """Short display text for a log entry's command ("SET x=1", "INC x", "no-op")."""
    if cmd is None:
        return "no-op"
    label = getattr(cmd, "label", None)
    if isinstance(label, str):
        return label
    s = str(cmd)
    parts = s.split()
    if len(parts) == 3 and parts[0].upper() == "SET":
        return "%s %s=%s" % (parts[0], parts[1], parts[2])
    return s


def _trunc(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "\u2026"


def _wrap(text: str, width: int) -> list[str]:
    lines, cur = [], ""
    for word in text.split():
        if cur and len(cur) + 1 + len(word) > width:
            lines.append(cur)
            cur = word
        else:
            cur = word if not cur else cur + " " + word
    if cur:
        lines.append(cur)
    return lines


class _ServerGeo:
    __slots__ = ("name", "slug", "gid", "cx", "cy", "info_x", "info_y", "info_w")

    def __init__(self, name, slug, gid, cx, cy, info_x, info_y, info_w):
        self.name, self.slug, self.gid = name, slug, gid
        self.cx, self.cy = cx, cy
        self.info_x, self.info_y, self.info_w = info_x, info_y, info_w


class Renderer:
    """Renders a cluster frame as SVG and diffs later frames into patches.

    ``cluster`` needs: ``names``, ``nodes[name]`` (``role``, ``current_term``,
    ``log`` with ``last_index``/``entries()``, ``commit_index``, ``last_applied``,
    ``state``, ``election_deadline``, ``election_timeout``), ``now``,
    ``alive(name)``, ``leader()``, ``in_flight()``.

    Options (all optional; ``r.options`` may be mutated between updates):

    ``id``            element-id prefix (default ``"raft"``)
    ``title``         SVG title (default "Raft cluster of N servers")
    ``reduced_motion`` draw messages at fixed midpoints, no interpolation
    ``markers``       show commit-index / last-applied markers under each log
    ``match_index``   show the leader's matchIndex marker under each follower's log
    ``log_window``    most recent log entries drawn per server (default 20)
    ``log_text_max``  logs up to this length show command text (default 6)
    ``state_rows``    rows of the key:value table (default 3)
    ``stalled``       set of server names whose scene01 arrow is stalled
    ``banner``        None: shown iff ``stalled`` (scene01) ; True/False: force;
                      a string: shown, with that text
    ``banner_text``   text of the banner (default: the FLP explanation)
    ``planned_log``   scene01: command texts drawn as ghost slots in the shared log
                      until real entries take their place
    ``hide_noop``     hide leader no-op entries in the scene01 shared log (default True)
    ``shared_log_slots`` most recent entries shown in the scene01 shared log (default 3)
    ``server_hint``   appended to each server's aria-label (default says it
                      crashes/restarts on activation; False to omit)
    ``embed_style``   embed ``CSS`` in the SVG (default True)
    ``svg_role``      role attribute of the <svg> (default "img")
    ``layers``        extra drawings (controls' and scenes' own): objects with ``name``,
                      ``z`` (``"under"`` the servers or ``"over"`` everything) and
                      ``draw(renderer) -> str``, the inner SVG of ``<g id="{id}-layer-{name}">``,
                      called every frame (diffed like the rest; cache inside if costly).
                      ``renderer.servers`` has each server's ``name``, ``cx``, ``cy``. A layer
                      with ``positions(renderer) -> {name: (cx, cy, info_on_left)}`` places
                      the servers instead of the layout (asked every frame; a change redraws).
    """

    def __init__(self, cluster, layout: str = "ring", options: dict | None = None):
        if layout not in LAYOUTS:
            raise ValueError("unknown layout %r (expected one of %s)" % (layout, ", ".join(LAYOUTS)))
        self.cluster = cluster
        self.layout = layout
        self.options = dict(options or {})
        self.prefix = str(self.options.get("id") or "raft")
        self._prev: dict = {}
        self._sig: dict = {}
        self._msgs: list = []
        self._cell_cache: dict = {}
        self._msg_cache: dict = {}
        self._msg_tr: list = []
        self._log_cache: dict = {}
        self._geometry()

    # ------------------------------------------------------------------ geometry
    def _geometry(self) -> None:
        names = list(self.cluster.names)
        self._names = tuple(names)
        n = len(names)
        p = self.prefix
        self.r = 28.0
        self._timer_r = self.r + 6.0
        self._timer_c = 2.0 * math.pi * self._timer_r
        self._info_w = 150.0
        self.servers: list[_ServerGeo] = []
        seen = set()
        slugs = []
        for i, name in enumerate(names):
            s = _slug(name)
            if s in seen:
                s = "%s-%d" % (s, i)
            seen.add(s)
            slugs.append(s)

        if self.layout == "ring":
            self.width, self.height = 800.0, 500.0
            cx0, cy0, R = 400.0, 235.0, 165.0
            # six or more servers: a wider ellipse, so each server's log clears its neighbours
            rx = R if n <= 5 else 205.0
            for i, name in enumerate(names):
                a = -math.pi / 2 + 2 * math.pi * i / max(n, 1)
                if n >= 6:
                    a -= math.pi / n  # two servers side by side at the top, not one above a neighbour's log
                cx = round(cx0 + rx * math.cos(a), 1)
                cy = round(cy0 + R * math.sin(a), 1)
                if math.cos(a) < -0.2:
                    ix = -self.r - 12.0 - self._info_w
                else:
                    ix = self.r + 12.0
                self.servers.append(_ServerGeo(name, slugs[i], "%s-s-%s" % (p, slugs[i]),
                                               cx, cy, ix, -self.r - 2.0, self._info_w))
            self._banner_box = (60.0, 448.0, 680.0, 44.0)
        else:  # scene01: the shared log in the middle, servers around it (a triangle for 3)
            self.width, self.height = 780.0, 480.0
            lx0, ly0 = 390.0, 170.0  # centre of the shared log
            self._logbox = (lx0, ly0, 112.0, 14.0)  # centre and half-sizes of the slots
            for i, name in enumerate(names):
                a = math.radians(-90.0 - 180.0 / max(n, 1) + 360.0 / max(n, 1) * i)
                cx = round(390.0 + 219.0 * math.cos(a), 1)
                cy = round(173.0 + 157.0 * math.sin(a), 1)
                ix = (-self.r - 14.0 - self._info_w) if math.cos(a) < -0.2 else (self.r + 14.0)
                self.servers.append(_ServerGeo(name, slugs[i], "%s-s-%s" % (p, slugs[i]),
                                               cx, cy, ix, -self.r - 2.0, self._info_w))
            self._banner_box = (40.0, 420.0, 700.0, 50.0)
            self._arrow_geo = []
            hw, hh = self._logbox[2], self._logbox[3]
            for g in self.servers:
                dx, dy = g.cx - lx0, g.cy - ly0
                d = math.hypot(dx, dy) or 1.0
                ux, uy = dx / d, dy / d
                t = min(hw / abs(dx) if dx else 1e9, hh / abs(dy) if dy else 1e9)
                off = 6.0 + (28.0 if dy > 0 else 0.0)  # clear the title under the slots
                sx, sy = lx0 + dx * t + ux * off, ly0 + dy * t + uy * off
                ex, ey = g.cx - ux * (self._timer_r + 6.0), g.cy - uy * (self._timer_r + 6.0)
                hx, hy = ex - 10.0 * ux, ey - 10.0 * uy  # base of the arrow head
                px, py = -uy * 5.0, ux * 5.0
                path = "M%s,%sL%s,%s" % (_f(sx), _f(sy), _f(hx), _f(hy))
                head = "M%s,%sL%s,%sL%s,%sZ" % (_f(ex), _f(ey), _f(hx + px), _f(hy + py),
                                                _f(hx - px), _f(hy - py))
                right = ux >= -0.2
                lx, ly = (sx + ex) / 2 + (8.0 if right else -8.0), (sy + ey) / 2 + 4.0
                self._arrow_geo.append(("%s-arrow-%s" % (p, g.slug), g.name, path, head, lx, ly,
                                        "start" if right else "end"))

        # A layer may place the servers itself (scene 10's partitions: one column per side).
        self._placed = self._placement()
        for g in self.servers:
            at = self._placed.get(g.name)
            if at is not None:
                g.cx, g.cy = float(at[0]), float(at[1])
                g.info_x = (-self.r - 12.0 - self._info_w) if at[2] else (self.r + 12.0)

        # Message paths: quadratic curves between the rims of every ordered pair.
        self._links: dict = {}
        self._link_paths: list = []
        pos = {g.name: (g.cx, g.cy) for g in self.servers}
        rim = self.r + 9.0
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
                px, py = -uy, ux  # perpendicular (each direction bows to its own side)
                bow = 14.0
                cxp = (x0 + x1) / 2 + px * bow
                cyp = (y0 + y1) / 2 + py * bow
                self._links[(a, b)] = (x0, y0, cxp, cyp, x1, y1)
                if i < j:
                    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
                    self._link_paths.append("M%s,%sQ%s,%s %s,%s" % (
                        _f(x0), _f(y0), _f(mx), _f(my), _f(x1), _f(y1)))

    # ------------------------------------------------------------------ helpers
    def _opt(self, key, default=None):
        return self.options.get(key, default)

    def _placement(self) -> dict:
        """``{name: (cx, cy, info_on_left)}`` from the first layer whose ``positions(renderer)``
        returns any; empty: the layout's own places. Asked every frame: a change redraws."""
        for layer in self._opt("layers") or ():
            fn = getattr(layer, "positions", None)
            pos = fn(self) if fn is not None else None
            if pos:
                return pos
        return {}

    def _node_values(self, g: _ServerGeo):
        """Cheap per-frame facts about one server, used as its change signature."""
        c = self.cluster
        node = c.nodes[g.name]
        alive = bool(c.alive(g.name))
        role = _role_name(node.role)
        log = node.log
        last = log.last_index
        window = int(self._opt("log_window", 20))
        start = max(getattr(log, "first_index", 1), last - window + 1)
        if hasattr(log, "slice"):
            win = log.slice(start, last + 1)
        else:
            win = tuple(log.entries()[start - 1:])
        state = node.state
        st = tuple(sorted(state.items())) if state else ()
        return node, alive, role, int(node.current_term), win, start, int(node.commit_index), \
            int(node.last_applied), st, int(getattr(log, "snapshot_index", 0) or 0)

    def _server_class(self, role: str, alive: bool) -> str:
        return "raft-server raft-role-%s%s" % (role, "" if alive else " raft-crashed")

    def _letter(self, role: str, alive: bool) -> str:
        if not alive:
            return "X"
        return _ROLE_LETTER.get(role, role[:1].upper() or "?")

    def _aria(self, g, role, alive, term, nlog, commit, st) -> str:
        if alive:
            s = "%s: %s, term %d, %d log entr%s, %d committed" % (
                g.name, role, term, nlog, "y" if nlog == 1 else "ies", commit)
            if st:
                s += ", state " + ", ".join("%s=%s" % kv for kv in st)
        else:
            s = "%s: crashed" % g.name
        hint = self._opt("server_hint", None)
        if hint is None:
            hint = "activate to restart" if not alive else "activate to crash"
        if hint:
            s += ". " + str(hint)
        return s

    def _timer_offset(self, node, alive, role) -> str:
        if not alive or role == "leader":
            return _f(self._timer_c)
        dl = getattr(node, "election_deadline", None)
        to = getattr(node, "election_timeout", None)
        if dl is None or not to:
            return _f(self._timer_c)
        frac = (dl - self.cluster.now) / to
        if frac < 0.0:
            frac = 0.0
        elif frac > 1.0:
            frac = 1.0
        if self._opt("reduced_motion"):
            frac = math.ceil(frac * 8.0) / 8.0  # drain in eighths, not continuously
        return _f(self._timer_c * (1.0 - frac))

    def _match_for(self, name: str):
        if not self._opt("match_index"):
            return None
        c = self.cluster
        lead = c.leader()
        if lead is None or lead == name:
            return None
        mi = getattr(c.nodes[lead], "match_index", None) or {}
        return mi.get(name)

    # ----- log grid / table HTML (local coordinates of the info block)
    def _log_html(self, win, start, commit, applied, match, snap=0) -> str:
        out = []
        w = self._info_w
        last = start + len(win) - 1
        text_mode = last <= int(self._opt("log_text_max", 6))
        if text_mode:
            cw, ch, gx, cols, nchars = 46.0, 15.0, 3.0, 3, 9
        else:
            cw, ch, gx, cols, nchars = 12.0, 12.0, 2.5, 10, 0
        if snap > 0:
            head = "snap \u2264%d \u00b7 " % snap
        else:
            head = ""
        if last < start:
            head += "log: empty" if not snap else "log empty"
        else:
            head += "log %d\u2013%d" % (start, last)
        out.append('<text class="raft-small raft-muted" y="9">%s</text>' % head)
        y0 = 13.0
        cache = self._cell_cache
        if len(cache) > 4096:
            cache.clear()
        rows = (len(win) + cols - 1) // cols
        for k, e in enumerate(win):
            idx = start + k
            committed = idx <= commit
            ckey = (k, idx, e, committed, text_mode)
            try:
                cell = cache.get(ckey)
            except TypeError:  # an unhashable command: draw without the cache
                ckey, cell = None, None
            if cell is not None:
                out.append(cell)
                continue
            col, row = k % cols, k // cols
            x, y = col * (cw + gx), y0 + row * (ch + gx)
            term = int(e.term)
            cls = "raft-cell raft-t%d %s" % (term % len(TERM_PALETTE),
                                             "raft-committed" if committed else "raft-uncommitted")
            cmd = command_text(e.command)
            label = _trunc(cmd, nchars) if text_mode else str(term)
            cell = ('<g class="%s"><title>#%d term %d: %s (%s)</title>'
                    '<rect x="%s" y="%s" width="%s" height="%s" rx="2"/>'
                    '<text class="raft-mono" x="%s" y="%s" text-anchor="middle">%s</text></g>'
                    % (cls, idx, term, _esc(cmd), "committed" if committed else "not committed",
                       _f(x), _f(y), _f(cw), _f(ch), _f(x + cw / 2), _f(y + ch / 2 + 3), _esc(label)))
            if ckey is not None:
                cache[ckey] = cell
            out.append(cell)
        if self._opt("markers") or match is not None:
            my = y0 + max(rows, 1) * (ch + gx) + 1.0
            marks = []
            if self._opt("markers"):
                marks.append(("commit", commit, "c"))
                marks.append(("applied", applied, "a"))
            if match is not None:
                marks.append(("match", int(match), "m"))
            head = []
            for n, (kind, idx, letter) in enumerate(marks):
                head.append("%s=%d" % (letter, idx))
                if idx < start or idx > last:
                    continue
                pos = ((idx - start) % cols) * (cw + gx) + cw / 2
                yy = my + n * 10.0
                out.append('<g class="raft-mark raft-mark-%s"><path d="M%s,%sl-3.5,6h7z"/>'
                           '<text x="%s" y="%s">%s</text></g>'
                           % (kind, _f(pos), _f(yy), _f(pos + 5.0), _f(yy + 6.5), letter))
            out.append('<text class="raft-small raft-muted" x="%s" y="9" text-anchor="end">%s</text>'
                       % (_f(w), _esc(" ".join(head))))
        return "".join(out)

    def _state_html(self, st) -> str:
        rows = int(self._opt("state_rows", 3))
        w, rh = 96.0, 13.0
        out = ['<rect class="raft-table" x="0" y="0" width="%s" height="%s" rx="3"/>'
               % (_f(w), _f(rows * rh + 3))]
        if not st:
            out.append('<text class="raft-small raft-muted" x="5" y="11">(empty)</text>')
            return "".join(out)
        shown = st if len(st) <= rows else st[: rows - 1]
        for i, (k, v) in enumerate(shown):
            y = _f(i * rh + 11)
            out.append('<text class="raft-mono" x="5" y="%s">%s</text>'
                       '<text class="raft-mono" x="%s" y="%s" text-anchor="end">%s</text>'
                       % (y, _esc(_trunc(str(k), 6)), _f(w - 5), y, _esc(_trunc(str(v), 8))))
        if len(st) > rows:
            out.append('<text class="raft-small raft-muted" x="5" y="%s">+%d more</text>'
                       % (_f((rows - 1) * rh + 11), len(st) - rows + 1))
        return "".join(out)

    # ----- messages
    @staticmethod
    def _msg_kind(msg):
        name = type(msg).__name__
        kind = _MSG_KIND.get(name, "other")
        if kind == "ae" and not getattr(msg, "entries", ()):
            return "hb", "heartbeat"
        return kind, name

    def _msg_parts(self, f):
        """(class, inner markup) of one message: its shape and label by type."""
        msg = f.msg
        kind, tname = self._msg_kind(msg)
        cls = "raft-msg raft-msg--" + kind
        if kind == "rv":
            shape = '<path class="raft-shape" d="M0,-8L9,0 0,8-9,0Z"/>'
            label = "V"
        elif kind == "rvr":
            ok = bool(getattr(msg, "vote_granted", getattr(msg, "granted", False)))
            cls += " raft-ok" if ok else " raft-no"
            shape = '<path class="raft-shape" d="M0,-7L8,0 0,7-8,0Z"/>'
            label = "\u2713" if ok else "\u2717"
        elif kind == "ae":
            n = len(getattr(msg, "entries", ()) or ())
            shape = '<rect class="raft-shape" x="-11" y="-7" width="22" height="14" rx="2"/>'
            label = "+%d" % n
            if self._opt("message_details"):
                shape += ('<text class="raft-msg-detail" y="-10" text-anchor="middle">prev %d/t%d</text>'
                          % (int(getattr(msg, "prev_log_index", 0)), int(getattr(msg, "prev_log_term", 0))))
        elif kind == "hb":
            shape = '<circle class="raft-shape" r="5"/>'
            label = ""
            if self._opt("message_details"):
                shape += ('<text class="raft-msg-detail" y="-8" text-anchor="middle">prev %d/t%d</text>'
                          % (int(getattr(msg, "prev_log_index", 0)), int(getattr(msg, "prev_log_term", 0))))
        elif kind == "aer":
            ok = bool(getattr(msg, "success", False))
            cls += " raft-ok" if ok else " raft-no"
            shape = '<rect class="raft-shape" x="-7" y="-6" width="14" height="12" rx="2"/>'
            label = "\u2713" if ok else "\u2717"
        elif kind == "is":
            # a whole snapshot on the wire (§7, Figure 13): a document, with its last included index
            shape = ('<path class="raft-shape" d="M-14,-9H8L14,-3V9H-14Z"/>'
                     '<path class="raft-fold" d="M8,-9V-3H14"/>')
            label = "\u2264%d" % int(getattr(msg, "last_included_index", 0))
        elif kind == "isr":
            shape = '<path class="raft-shape" d="M-8,-6H4L8,-2V6H-8Z"/>'
            label = "\u2713" if int(getattr(msg, "match_index", 0)) > 0 else ""
        else:
            shape = '<circle class="raft-shape" r="7"/>'
            label = "".join(ch for ch in tname if ch.isupper())[:2] or "?"
        text = ('<text y="3" text-anchor="middle">%s</text>' % label) if label else ""
        return cls, "<title>%s</title>%s%s" % (_esc("%s \u2192 %s: %s" % (f.src, f.dst, msg)), shape, text)

    # ----- scene01 shared log
    def _shared_source(self):
        c = self.cluster
        lead = c.leader()
        if lead is not None and c.alive(lead):
            return lead
        best, key = None, None
        for g in self.servers:
            if not c.alive(g.name):
                continue
            node = c.nodes[g.name]
            k = (int(node.commit_index), node.log.last_index)
            if key is None or k > key:
                best, key = g.name, k
        return best if best is not None else (self.servers[0].name if self.servers else None)

    def _shared_values(self):
        src = self._shared_source()
        if src is None:
            return (None, (), 0)
        node = self.cluster.nodes[src]
        return (src, tuple(node.log.entries()), int(node.commit_index))

    def _shared_html(self, vals) -> str:
        src, entries, commit = vals
        hide = self._opt("hide_noop", True)
        items = [(i + 1, e) for i, e in enumerate(entries) if not (hide and e.command is None)]
        planned = list(self._opt("planned_log") or ())
        slots = []
        for k in range(max(len(items), len(planned))):
            if k < len(items):
                idx, e = items[k]
                term = int(e.term)
                committed = idx <= commit
                slots.append(("raft-cell raft-logcell raft-t%d %s" % (
                    term % len(TERM_PALETTE), "raft-committed" if committed else "raft-uncommitted"),
                    command_text(e.command), "#%d term %d%s" % (
                        idx, term, "" if committed else " (not committed)")))
            else:
                slots.append(("raft-cell raft-logcell raft-planned", str(planned[k]), "not yet in the log"))
        maxn = int(self._opt("shared_log_slots", 3))
        skipped = 0
        if len(slots) > maxn:
            skipped = len(slots) - maxn
            slots = slots[-maxn:]
        lx0, ly0, _hw, hh = self._logbox
        sw, sh, gap = 70.0, 24.0, 6.0
        total = len(slots) * sw + max(len(slots) - 1, 0) * gap
        x0 = lx0 - total / 2
        y = ly0 - 12.0
        title = "replicated log"
        out = ['<text class="raft-name" x="%s" y="%s" text-anchor="middle">%s</text>'
               % (_f(lx0), _f(ly0 + hh + 14.0), _esc(title))]
        if src is not None and items:
            out.append('<text class="raft-small raft-muted" x="%s" y="%s" text-anchor="middle">as %s holds it</text>'
                       % (_f(lx0), _f(ly0 + hh + 25.0), _esc(str(src))))
        if not slots:
            out.append('<text class="raft-muted" x="%s" y="%s" text-anchor="middle">(empty)</text>'
                       % (_f(lx0), _f(ly0 + 4.0)))
        if skipped:
            out.append('<text class="raft-small raft-muted" x="%s" y="%s" text-anchor="middle">'
                       '%d earlier entr%s not shown</text>'
                       % (_f(lx0), _f(ly0 - hh - 6.0), skipped, "y" if skipped == 1 else "ies"))
        for k, (cls, label, tip) in enumerate(slots):
            x = x0 + k * (sw + gap)
            out.append('<g class="%s"><title>%s</title><rect x="%s" y="%s" width="%s" height="%s" rx="3"/>'
                       '<text class="raft-mono" x="%s" y="%s" text-anchor="middle">%s</text></g>'
                       % (cls, _esc(tip), _f(x), _f(y), _f(sw), _f(sh), _f(x + sw / 2),
                          _f(y + sh / 2 + 4), _esc(_trunc(label, 10))))
        return "".join(out)

    # ----- banner
    def _leaders_text(self):
        """With ``leaders_banner``: the banner text while two or more live servers believe they lead."""
        c = self.cluster
        fn = getattr(c, "leaders", None)
        leads = [n for n in (fn() if fn else []) if c.alive(n)]
        if len(leads) < 2:
            return None
        terms = sorted(((int(c.nodes[n].current_term), n) for n in leads), reverse=True)
        cur_t, cur = terms[0]
        stale = ", ".join("%s (term %d)" % (n, t) for t, n in terms[1:])
        return ("Two servers believe they lead: %s and %s (term %d). Only the newest term counts: "
                "followers reject the stale leader's AppendEntries, so it can commit nothing."
                % (stale, cur, cur_t))

    def _banner_state(self):
        if self._opt("leaders_banner"):
            text = self._leaders_text()
            if text is not None:
                return "visible", text
        b = self._opt("banner", None)
        stalled = self._opt("stalled") or ()
        if isinstance(b, str):
            return "visible", b
        text = str(self._opt("banner_text") or DEFAULT_BANNER)
        if b is None and self._opt("leaders_banner"):
            return "hidden", ""
        if b is None:
            shown = bool(stalled) and self.layout == "scene01"
        else:
            shown = bool(b)
        return ("visible" if shown else "hidden"), text

    def _banner_lines_html(self, text) -> str:
        bx, by, bw, _bh = self._banner_box
        lines = _wrap(text, int(bw / 6.3))
        out = []
        for i, line in enumerate(lines[:3]):
            out.append('<tspan x="%s" y="%s">%s</tspan>' % (_f(bx + 12), _f(by + 18 + i * 15), _esc(line)))
        return "".join(out)

    # ----- description
    def _desc(self, facts, stalled=()) -> str:
        c = self.cluster
        lead = c.leader()
        parts = ["%d servers." % len(self.servers)]
        if lead is not None:
            parts.append("Leader: %s in term %d." % (lead, int(c.nodes[lead].current_term)))
        else:
            parts.append("No leader.")
        for g, (role, alive, term, nlog, commit, st) in zip(self.servers, facts):
            if not alive:
                parts.append("%s crashed." % g.name)
                continue
            s = "%s %s, term %d, log %d, committed %d" % (g.name, role, term, nlog, commit)
            if st:
                s += ", " + ", ".join("%s=%s" % kv for kv in st)
            parts.append(s + ".")
        for name in stalled:
            parts.append("The link to %s is stalled." % name)
        return " ".join(parts)

    def _title(self) -> str:
        t = self._opt("title")
        if t:
            return str(t)
        return "Raft cluster of %d servers" % len(self.servers)

    # ------------------------------------------------------------------ frame
    def _frame(self, flights=()):
        """Compute every dynamic value of the current frame.

        Returns a list of ``(element_id, kind, value)`` in a fixed order (messages
        excepted: ``update()`` handles them). Expensive HTML is only rebuilt when its
        inputs changed (signatures kept in ``self._sig``).
        """
        p = self.prefix
        vals = []
        facts = []
        sig = self._sig
        facts_changed = False
        for g in self.servers:
            node, alive, role, term, win, start, commit, applied, st, snap = self._node_values(g)
            gid = g.gid
            votes = ""
            if alive and role == "candidate":
                vs = getattr(node, "votes", None)
                if vs is not None:
                    q = getattr(node, "quorum_size", None)
                    votes = "votes %d/%d" % (len(vs), q() if callable(q) else len(self.servers) // 2 + 1)
            key = (alive, role, term, len(win) + start - 1, commit, st, votes)
            if sig.get(gid) != key:
                sig[gid] = key
                facts_changed = True
                sig[gid + ":attrs"] = (
                    self._server_class(role, alive),
                    self._letter(role, alive),
                    "T%d" % term,
                    self._aria(g, role, alive, term, len(win) + start - 1, commit, st),
                )
            cls, letter, badge, aria = sig[gid + ":attrs"]
            vals.append((gid, "attr:class", cls))
            vals.append((gid, "attr:aria-label", aria))
            vals.append((gid + "-letter", "text", letter))
            vals.append((gid + "-term", "text", badge))
            vals.append((gid + "-votes", "text", votes))
            vals.append((gid + "-timer", "attr:stroke-dashoffset", self._timer_offset(node, alive, role)))
            if sig.get(gid + ":st") != st:
                sig[gid + ":st"] = st
                sig[gid + ":sthtml"] = self._state_html(st)
            vals.append((gid + "-state", "html", sig[gid + ":sthtml"]))
            match = self._match_for(g.name)
            lkey = (win, start, commit, applied, match, bool(self._opt("markers")), snap,
                    int(self._opt("log_text_max", 6)))
            if sig.get(gid + ":log") != lkey:
                sig[gid + ":log"] = lkey
                # servers with the same log, commit and markers share one rendering
                try:
                    html = self._log_cache.get(lkey)
                except TypeError:
                    html = self._log_html(win, start, commit, applied, match, snap)
                else:
                    if html is None:
                        html = self._log_html(win, start, commit, applied, match, snap)
                        if len(self._log_cache) > 256:
                            self._log_cache.clear()
                        self._log_cache[lkey] = html
                sig[gid + ":loghtml"] = html
            vals.append((gid + "-log", "html", sig[gid + ":loghtml"]))
            facts.append((role, alive, term, len(win) + start - 1, commit, st))
        stalled = self._opt("stalled") or ()
        dkey = tuple(sorted(str(s) for s in stalled)) if self.layout == "scene01" else ()
        if facts_changed or sig.get(p + ":desckey") != dkey:
            sig[p + ":desckey"] = dkey
            sig[p + ":desc"] = self._desc(facts, dkey)
        vals.append((p + "-desc", "text", sig[p + ":desc"]))

        if self.layout == "scene01":
            busy = set()
            for f, _ in flights:
                if getattr(f.msg, "entries", None):
                    busy.add(f.dst)
            for aid, name, _path, _head, _lx, _ly, _anchor in self._arrow_geo:
                cls = "raft-arrow"
                if name in busy:
                    cls += " raft-arrow--busy"
                if name in stalled:
                    cls += " raft-arrow--stalled"
                vals.append((aid, "attr:class", cls))
            sv = self._shared_values()
            skey = (sv, tuple(self._opt("planned_log") or ()), self._opt("hide_noop", True),
                    self._opt("shared_log_slots", 3))
            if sig.get(p + ":shared") != skey:
                sig[p + ":shared"] = skey
                sig[p + ":sharedhtml"] = self._shared_html(sv)
            vals.append((p + "-log", "html", sig[p + ":sharedhtml"]))

        for layer in self._opt("layers") or ():
            vals.append(("%s-layer-%s" % (p, layer.name), "html", layer.draw(self)))

        vis, text = self._banner_state()
        vals.append((p + "-banner", "attr:visibility", vis))
        if sig.get(p + ":bannertext") != text:
            sig[p + ":bannertext"] = text
            sig[p + ":bannerhtml"] = self._banner_lines_html(text)
        vals.append((p + "-banner-text", "html", sig[p + ":bannerhtml"]))
        return vals

    def _flights(self):
        """[(flight, transform)] for the messages on the wire, in ``in_flight()`` order."""
        fn = getattr(self.cluster, "in_flight", None)
        if fn is None:
            return []
        links = self._links
        now = self.cluster.now
        still = bool(self._opt("reduced_motion"))
        out = []
        for f in fn():
            link = links.get((f.src, f.dst))
            if link is None:
                continue
            x0, y0, cx, cy, x1, y1 = link
            if still:
                t = 0.5
            else:
                span = f.deliver_at - f.sent_at
                t = 1.0 if span <= 0 else (now - f.sent_at) / span
                if t < 0.0:
                    t = 0.0
                elif t > 1.0:
                    t = 1.0
            u = 1.0 - t
            a, b, c = u * u, 2.0 * u * t, t * t
            out.append((f, "translate(%s %s)" % (_f(a * x0 + b * cx + c * x1), _f(a * y0 + b * cy + c * y1))))
        return out

    def _msgs_html(self, flights) -> str:
        """The inner HTML of the messages group; per-message markup is cached by identity."""
        old = self._msg_cache
        cache = {}
        out = []
        p = self.prefix
        for i, (f, tr) in enumerate(flights):
            m = f.msg
            hit = old.get(id(m))
            if hit is None or hit[0] is not m:
                hit = (m,) + self._msg_parts(f)
            cache[id(m)] = hit
            out.append('<g id="%s-m-%d" class="%s" transform="%s">%s</g>' % (p, i, hit[1], tr, hit[2]))
        self._msg_cache = cache
        return "".join(out)

    # ------------------------------------------------------------------ public API
    def svg(self) -> str:
        """The full SVG for the current state; resets the diff baseline."""
        if tuple(self.cluster.names) != self._names or self._placement() != self._placed:
            self._geometry()
        self._sig = {}
        flights = self._flights()
        vals = self._frame(flights)
        prev = {}
        for eid, kind, value in vals:
            prev[(eid, kind)] = value
        self._prev = prev
        prev[(self.prefix + "-title", "text")] = self._title()
        self._msgs = [f.msg for f, _ in flights]
        self._msg_tr = [tr for _, tr in flights]
        v = prev.get
        p = self.prefix
        opt_role = str(self._opt("svg_role", "img"))
        out = ['<svg xmlns="http://www.w3.org/2000/svg" id="%s" class="raft-svg raft-layout-%s" '
               'viewBox="0 0 %s %s" role="%s" aria-labelledby="%s-title %s-desc">'
               % (p, self.layout, _f(self.width), _f(self.height), _esc(opt_role), p, p),
               '<title id="%s-title">%s</title>' % (p, _esc(self._title())),
               '<desc id="%s-desc">%s</desc>' % (p, _esc(v((p + "-desc", "text")))),
               ]
        if self._opt("embed_style", True):
            out.append("<style>%s</style>" % CSS)
        out.append('<g id="%s-root">' % p)
        out.append(self._root_inner(v, flights))
        out.append("</g></svg>")
        return "".join(out)

    def _root_inner(self, v, flights) -> str:
        p = self.prefix
        out = ['<g id="%s-links" aria-hidden="true">' % p]
        for d in self._link_paths:
            out.append('<path class="raft-link" d="%s"/>' % d)
        out.append("</g>")
        if self.layout == "scene01":
            out.append('<g id="%s-log" class="raft-shared-log">%s</g>' % (p, v((p + "-log", "html"))))
            for aid, _name, path, head, lx, ly, anchor in self._arrow_geo:
                out.append('<g id="%s" class="%s"><path d="%s"/><path class="raft-head" d="%s"/>'
                           '<text class="raft-arrow-label" x="%s" y="%s" text-anchor="%s">stalled?</text></g>'
                           % (aid, v((aid, "attr:class")), path, head, _f(lx), _f(ly), anchor))
        layers = list(self._opt("layers") or ())
        for layer in layers:
            if getattr(layer, "z", "over") == "under":
                lid = "%s-layer-%s" % (p, layer.name)
                out.append('<g id="%s" class="raft-layer">%s</g>' % (lid, v((lid, "html"))))
        r = self.r
        tr = self._timer_r
        for g in self.servers:
            gid = g.gid
            out.append(
                '<g id="%s" class="%s" data-server="%s" tabindex="0" role="button" aria-label="%s" '
                'transform="translate(%s %s)">'
                % (gid, v((gid, "attr:class")), _esc(str(g.name)), _esc(v((gid, "attr:aria-label"))),
                   _f(g.cx), _f(g.cy)))
            out.append('<circle class="raft-focus" r="%s"/>' % _f(tr + 5))
            out.append('<circle class="raft-timer-track" r="%s"/>' % _f(tr))
            out.append('<circle id="%s-timer" class="raft-timer" r="%s" transform="rotate(-90)" '
                       'stroke-dasharray="%s" stroke-dashoffset="%s"/>'
                       % (gid, _f(tr), _f(self._timer_c), v((gid + "-timer", "attr:stroke-dashoffset"))))
            out.append('<circle class="raft-node" r="%s"/>' % _f(r))
            out.append('<text id="%s-letter" class="raft-letter" y="7" text-anchor="middle">%s</text>'
                       % (gid, _esc(v((gid + "-letter", "text")))))
            out.append('<path class="raft-cross" d="M-15,-15L15,15M15,-15L-15,15"/>')
            out.append('<path class="raft-heart" aria-hidden="true" '
                       'd="M0,%sl-5,-5a3,3 0 0 1 5,-4a3,3 0 0 1 5,4z"/>' % _f(-r - 4))
            out.append('<text class="raft-name" y="%s" text-anchor="middle">%s</text>'
                       % (_f(r + 17), _esc(str(g.name))))
            out.append('<text id="%s-votes" class="raft-small" y="%s" text-anchor="middle">%s</text>'
                       % (gid, _f(r + 29), _esc(v((gid + "-votes", "text")))))
            out.append('<g class="raft-badge" transform="translate(%s %s)">'
                       '<rect x="-15" y="-8" width="30" height="15" rx="7"/>'
                       '<text id="%s-term" class="raft-small" y="3" text-anchor="middle">%s</text></g>'
                       % (_f(-r * 0.9), _f(-r * 0.9), gid, _esc(v((gid + "-term", "text")))))
            out.append('<g id="%s-state" class="raft-state" transform="translate(%s %s)">%s</g>'
                       % (gid, _f(g.info_x), _f(g.info_y), v((gid + "-state", "html"))))
            rows = int(self._opt("state_rows", 3))
            out.append('<g id="%s-log" class="raft-log" transform="translate(%s %s)">%s</g>'
                       % (gid, _f(g.info_x), _f(g.info_y + rows * 13.0 + 8.0), v((gid + "-log", "html"))))
            out.append("</g>")
        out.append('<g id="%s-msgs" class="raft-msgs" aria-hidden="true">%s</g>' % (p, self._msgs_html(flights)))
        for layer in layers:
            if getattr(layer, "z", "over") != "under":
                lid = "%s-layer-%s" % (p, layer.name)
                out.append('<g id="%s" class="raft-layer">%s</g>' % (lid, v((lid, "html"))))
        bx, by, bw, bh = self._banner_box
        out.append('<g id="%s-banner" class="raft-banner" visibility="%s" role="status">'
                   '<rect x="%s" y="%s" width="%s" height="%s" rx="6"/>'
                   '<text id="%s-banner-text">%s</text></g>'
                   % (p, v((p + "-banner", "attr:visibility")), _f(bx), _f(by), _f(bw), _f(bh),
                      p, v((p + "-banner-text", "html"))))
        return "".join(out)

    def update(self) -> list:
        """Patches that bring the last emitted frame up to the cluster's current state."""
        p = self.prefix
        if tuple(self.cluster.names) != self._names or self._placement() != self._placed:
            # membership changed: redraw everything inside the root group
            self._geometry()
            self._sig = {}
            old_desc = self._prev.get((p + "-desc", "text"))
            old_title = self._prev.get((p + "-title", "text"))
            flights = self._flights()
            vals = self._frame(flights)
            prev = {(e, k): val for e, k, val in vals}
            self._msgs = [f.msg for f, _ in flights]
            self._msg_tr = [tr for _, tr in flights]
            self._prev = prev
            patches = [(p + "-root", "html", self._root_inner(prev.get, flights))]
            desc = prev[(p + "-desc", "text")]
            if desc != old_desc:
                patches.append((p + "-desc", "text", desc))
            title = self._title()
            if title != old_title:
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
        title = self._title()
        if prev.get((p + "-title", "text"), title) != title:
            patches.append((p + "-title", "text", title))
        prev[(p + "-title", "text")] = title

        msgs = self._msgs
        same = len(flights) == len(msgs)
        if same:
            for (f, _), m in zip(flights, msgs):
                if f.msg is not m:
                    same = False
                    break
        if same:
            trs = self._msg_tr
            mp = p + "-m-"
            for i, (_, tr) in enumerate(flights):
                if trs[i] != tr:
                    trs[i] = tr
                    patches.append((mp + str(i), "attr:transform", tr))
        else:
            self._msgs = [f.msg for f, _ in flights]
            self._msg_tr = [tr for _, tr in flights]
            patches.append((p + "-msgs", "html", self._msgs_html(flights)))
        return patches

    def set_cluster(self, cluster) -> None:
        """Draw another cluster from the next ``update()`` on (e.g. after a reset): the
        patches then bring the last frame of the old cluster to the new one's state."""
        self.cluster = cluster
        self._msg_cache = {}

    def server_at(self, x: float, y: float):
        """Name of the server whose circle (plus its timer ring) contains (x, y), in viewBox units."""
        lim = (self._timer_r + 4.0) ** 2
        for g in self.servers:
            dx, dy = x - g.cx, y - g.cy
            if dx * dx + dy * dy <= lim:
                return g.name
        return None


# ---------------------------------------------------------------------- panels
# Reusable pieces drawn beside a diagram: a cumulative-distribution chart (scene 03's Figure 16
# run) and a small HTML table (scene 06's round trips). Pure functions of their data.

#: The Raft paper's reported points for Figure 16 (§9.3): (range, x ms, cumulative fraction, label).
FIGURE16_PAPER_POINTS = (
    ("150-155", 287.0, 0.5, "paper: 150–155 ms, median 287 ms", "150–155 median"),
    ("150-200", 513.0, 1.0, "paper: 150–200 ms, worst case 513 ms", "150–200 max"),
    ("12-24", 35.0, 0.5, "paper: 12–24 ms, mean 35 ms", "12–24 mean"),
    ("12-24", 152.0, 1.0, "paper: 12–24 ms, max 152 ms", "12–24 max"),
    ("150-150", 10000.0, 0.5, "paper: 150–150 ms, consistently over 10 s", "150–150: > 10 s"),
)

_CHART_COLOURS = ("#1d5fa0", "#a34a00", "#1b7a3a", "#a12f74", "#6a4c9c", "#2f6b73", "#7a6500", "#52627a")
_DASHES = ("", "6 3", "2 3", "8 3 2 3", "4 4", "1 2", "10 4", "3 6")


def cdf_chart_svg(chart_id: str, series, paper=FIGURE16_PAPER_POINTS, x_min: float = 10.0,
                  x_max: float = 20000.0, title: str = "Time without a leader after a crash") -> str:
    """An SVG chart of cumulative distributions on a logarithmic time axis.

    ``series``: [(label, sorted values in ms, note)] — one step curve each, in its own colour
    and dash pattern (never colour alone), labelled in a legend. ``paper``: reference points
    drawn as labelled diamonds. Values beyond ``x_max`` are drawn at the right edge."""
    w, h = 560.0, 300.0
    l, r, t, b = 46.0, 12.0, 26.0, 40.0
    pw, ph = w - l - r, h - t - b
    lx0, lx1 = math.log10(x_min), math.log10(x_max)

    def X(v):
        v = min(max(v, x_min), x_max)
        return l + (math.log10(v) - lx0) / (lx1 - lx0) * pw

    def Y(f):
        return t + (1.0 - f) * ph

    cid = _esc(chart_id)
    out = ['<svg xmlns="http://www.w3.org/2000/svg" class="raft-chart" id="%s" viewBox="0 0 %s %s" role="img" '
           'aria-labelledby="%s-title %s-desc">' % (cid, _f(w), _f(h), cid, cid),
           '<title id="%s-title">%s</title>' % (cid, _esc(title))]
    desc = []
    for label, values, note in series:
        if values:
            desc.append("%s: %d trials, median %.0f ms, max %.0f ms%s" % (
                label, len(values), values[len(values) // 2], values[-1], (", " + note) if note else ""))
    desc.append("; ".join(p[3] for p in paper))
    out.append('<desc id="%s-desc">%s</desc>' % (cid, _esc(". ".join(desc) if desc else "No runs yet.")))
    out.append('<g class="raft-chart-axes">')
    out.append('<rect class="raft-chart-frame" x="%s" y="%s" width="%s" height="%s"/>' % (_f(l), _f(t), _f(pw), _f(ph)))
    for f in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = Y(f)
        out.append('<path class="raft-chart-grid" d="M%s,%sH%s"/>' % (_f(l), _f(y), _f(l + pw)))
        out.append('<text x="%s" y="%s" text-anchor="end">%d%%</text>' % (_f(l - 4), _f(y + 3), int(f * 100)))
    v = 10.0
    while v <= x_max * 1.0001:
        for m in (1, 2, 5):
            tv = v * m
            if x_min <= tv <= x_max:
                x = X(tv)
                out.append('<path class="raft-chart-grid" d="M%s,%sV%s"/>' % (_f(x), _f(t), _f(t + ph)))
                lab = ("%d ms" % tv) if tv < 1000 else ("%g s" % (tv / 1000))
                out.append('<text x="%s" y="%s" text-anchor="middle">%s</text>' % (_f(x), _f(t + ph + 12), lab))
        v *= 10
    out.append('<text x="%s" y="%s" text-anchor="middle">time without a leader (log scale)</text>'
               % (_f(l + pw / 2), _f(h - 6)))
    out.append('<text x="%s" y="%s">cumulative %% of elections</text>' % (_f(l), _f(t - 8)))
    out.append('</g>')
    for k, (label, values, note) in enumerate(series):
        if not values:
            continue
        col, dash = _CHART_COLOURS[k % len(_CHART_COLOURS)], _DASHES[k % len(_DASHES)]
        n = len(values)
        d = ["M%s,%s" % (_f(X(values[0])), _f(Y(0.0)))]
        # at most ~200 steps, so 1,000 values stay a small path
        stride = max(1, n // 200)
        for i in range(0, n, stride):
            d.append("V%sH%s" % (_f(Y(i / n)), _f(X(values[i]))))
        d.append("V%sH%s" % (_f(Y(1.0)), _f(X(values[-1]))))
        out.append('<path class="raft-chart-series" data-series="%s" d="%s" style="stroke:%s"%s><title>%s</title></path>'
                   % (_esc(label), "".join(d), col, (' stroke-dasharray="%s"' % dash) if dash else "",
                      _esc("%s: %d trials, median %.0f ms" % (label, n, values[n // 2]))))
        ly = t + 12 + k * 13
        out.append('<g class="raft-chart-legend"><path d="M%s,%sh18" style="stroke:%s"%s/>'
                   '<text x="%s" y="%s">%s</text></g>'
                   % (_f(l + 8), _f(ly - 3), col, (' stroke-dasharray="%s"' % dash) if dash else "",
                      _f(l + 30), _f(ly), _esc("%s ms (median %.0f ms)" % (label, values[n // 2]))))
    for rng, x, f, label, short in paper:
        cx, cy = X(x), Y(f)
        ty = cy + 14 if f >= 1.0 else cy + 3
        anchor = "end" if cx > l + pw * 0.8 else "start"
        tx = cx - 7 if anchor == "end" else cx + 7
        out.append('<g class="raft-chart-paper" data-range="%s"><title>%s</title>'
                   '<path d="M%s,%sl5,5 -5,5 -5,-5z"/><text class="raft-chart-note" x="%s" y="%s" '
                   'text-anchor="%s">%s</text></g>'
                   % (_esc(rng), _esc(label), _f(cx), _f(cy - 5), _f(tx), _f(ty), anchor, _esc(short)))
    out.append('<g class="raft-chart-legend"><path class="raft-chart-paper" d="M%s,%sl5,5 -5,5 -5,-5z"/>'
               '<text x="%s" y="%s">the paper’s reported points</text></g>'
               % (_f(l + pw - 150), _f(t + 4), _f(l + pw - 138), _f(t + 13)))
    out.append("</svg>")
    return "".join(out)


def html_table(caption: str, headers, rows, table_id: str = "") -> str:
    """A small accessible HTML table (strings are escaped)."""
    out = ['<table class="raft-table-panel"%s><caption>%s</caption><thead><tr>'
           % ((' id="%s"' % _esc(table_id)) if table_id else "", _esc(caption))]
    out.extend('<th scope="col">%s</th>' % _esc(str(hd)) for hd in headers)
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>")
        for i, cell in enumerate(row):
            tag = "th" if i == 0 else "td"
            out.append('<%s%s>%s</%s>' % (tag, ' scope="row"' if i == 0 else "", _esc(str(cell)), tag))
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)
