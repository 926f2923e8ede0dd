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

__all__ = ["Renderer", "CSS", "NARROW_MEDIA", "TERM_PALETTE", "LAYOUTS", "DEFAULT_BANNER", "SIZES", "cdf_chart_svg",
           "html_table", "FIGURE16_PAPER_POINTS", "command_text"]

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


class Size:
    """The measures of one drawing: its width in units (about CSS px where it is shown) and
    every length and font size that depends on it. Two instances: ``SIZES["wide"]`` and
    ``SIZES["narrow"]``."""

    def __init__(self, name, width, r, font, small, letter, ring_rx, ring_ry, ring_top, label_w,
                 state_w, col_w, cell_w, row_h, cell_h, text_col_w, msg):
        self.name = name
        self.width = width
        self.r = r                  # server circle radius
        self.font = font            # body text
        self.small = small          # the smallest text drawn (never below the legibility floor)
        self.letter = letter        # role letter in a server
        self.ring_rx, self.ring_ry, self.ring_top = ring_rx, ring_ry, ring_top
        self.label_w = label_w      # grid: the server-name column
        self.state_w = state_w      # grid: the state-machine column
        self.col_w, self.cell_w = col_w, cell_w    # grid: column pitch and cell width
        self.row_h, self.cell_h = row_h, cell_h    # grid: row pitch and cell height
        self.text_col_w = text_col_w  # grid: column pitch when cells show command text
        self.msg = msg              # scale of message shapes


SIZES = {
    # a desktop's diagram column: Material's content column (~650 px), or beside the code pane
    # on wide screens (~520 px)
    "wide": Size("wide", 520.0, 21.0, 13.5, 12.5, 17.0, 168.0, 84.0, 44.0, 52.0, 100.0,
                 26.0, 24.0, 28.0, 22.0, 70.0, 1.0),
    # a phone's content column: 390 px less the page's and the scene box's margins
    "narrow": Size("narrow", 320.0, 15.0, 12.0, 11.0, 13.0, 112.0, 78.0, 40.0, 38.0, 70.0,
                   22.0, 20.0, 26.0, 20.0, 54.0, 0.85),
}

_FG = "var(--raft-fg,var(--md-default-fg-color,#1f2328))"
_BG = "var(--raft-bg,var(--md-default-bg-color,#ffffff))"
_MUTED = "var(--raft-muted,var(--md-default-fg-color--light,#57606a))"
_FAINT = "var(--raft-link,var(--md-default-fg-color--lightest,#c9d1d9))"
_BAD = "var(--raft-bad,#b3261e)"


def _size_css(s: Size) -> str:
    k = ".raft-svg--" + s.name
    return (
        k + "{font-size:%gpx}" % s.font
        + k + " .raft-small,%s .raft-cell text,%s .raft-msg text,%s .raft-badge text{font-size:%gpx}"
        % (k, k, k, s.small)
        + k + " .raft-name{font-size:%gpx}" % s.font
        + k + " .raft-letter{font-size:%gpx}" % s.letter
    )


#: Below this viewport width the content column is narrower than the wide drawing's 520 units
#: (a phone: no sidebars, page margins), so the phone drawing is shown instead.
NARROW_MEDIA = "(max-width: 599.98px)"

#: Show the wide or the narrow drawing (diagrams, charts, the legend) by the viewport's width.
_SIZE_SWITCH = ("svg.raft-svg.raft-svg--narrow{display:none}"
                "@media " + NARROW_MEDIA + "{svg.raft-svg.raft-svg--wide{display:none}svg.raft-svg.raft-svg--narrow{display:block}}")

CSS = (
    _SIZE_SWITCH +
    ".raft-svg{font-family:var(--raft-font,system-ui,-apple-system,'Segoe UI',Roboto,sans-serif)}"
    + _size_css(SIZES["wide"]) + _size_css(SIZES["narrow"]) +
    ".raft-svg text{fill:" + _FG + "}"
    ".raft-svg .raft-muted{fill:" + _MUTED + "}"
    ".raft-link{fill:none;stroke:" + _FAINT + ";stroke-width:1}"
    ".raft-node{fill:var(--raft-follower,#52627a);stroke:" + _FG + ";stroke-width:1.5}"
    ".raft-role-pre_candidate .raft-node{fill:var(--raft-precandidate,#8a5a00)}"
    ".raft-role-candidate .raft-node{fill:var(--raft-candidate,#a34a00)}"
    ".raft-role-leader .raft-node{fill:var(--raft-leader,#1b7a3a);stroke-width:4}"
    ".raft-crashed .raft-node{fill:var(--raft-crashed,#a8adb3);stroke-dasharray:4 3;stroke-width:1.5}"
    ".raft-svg .raft-letter{fill:var(--raft-on-role,#ffffff);font-weight:700}"
    ".raft-svg .raft-crashed .raft-letter{fill:var(--raft-on-crashed,#1f2328)}"
    ".raft-cross{stroke:" + _BAD + ";stroke-width:4;stroke-linecap:round;display:none}"
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
    ".raft-server:focus-visible .raft-focus,.raft-server.raft-selected .raft-focus{display:inline}"
    ".raft-badge rect{fill:" + _BG + ";stroke:" + _FG + ";stroke-width:1}"
    ".raft-svg .raft-name{font-weight:600}"
    ".raft-svg .raft-mono{font-family:var(--raft-mono,ui-monospace,SFMono-Regular,Menlo,Consolas,monospace)}"
    ".raft-offender .raft-focus{display:inline;stroke:" + _BAD + ";stroke-dasharray:5 3}"
    + "".join(
        ".raft-t%d{--raft-c:var(--raft-term-%d,%s)}" % (i, i, c) for i, c in enumerate(TERM_PALETTE)
    )
    + ".raft-cell rect{stroke:var(--raft-c,#52627a);stroke-width:2;fill:" + _BG + ";stroke-dasharray:4 2}"
    ".raft-cell.raft-committed rect{fill:var(--raft-c,#52627a);stroke-dasharray:none}"
    ".raft-svg .raft-cell.raft-committed text{fill:var(--raft-on-term,#ffffff)}"
    ".raft-svg .raft-cell text{font-weight:600}"
    ".raft-cell.raft-planned rect{stroke:" + _MUTED + ";stroke-dasharray:1 3;fill:none}"
    ".raft-svg .raft-cell.raft-planned text{fill:" + _MUTED + ";font-weight:400}"
    ".raft-cell.raft-bad rect{stroke:" + _BAD + ";stroke-width:3.5;stroke-dasharray:none}"
    ".raft-snapcell rect{fill:var(--raft-snapshot,#4b5563)}"
    ".raft-svg .raft-snapcell text{fill:#ffffff}"
    ".raft-commit-bar{stroke:" + _FG + ";stroke-width:3;stroke-linecap:round}"
    ".raft-mark-applied{fill:none;stroke:" + _FG + ";stroke-width:1.5}"
    ".raft-mark-match{fill:var(--raft-leader,#1b7a3a)}"
    ".raft-row--crashed{opacity:.55}"
    ".raft-row-hit{fill:transparent}"
    ".raft-gridrule{stroke:" + _FAINT + ";stroke-width:1}"
    ".raft-msg .raft-shape{stroke:" + _FG + ";stroke-width:1}"
    ".raft-msg--rv .raft-shape,.raft-msg--pv .raft-shape{fill:var(--raft-candidate,#a34a00)}"
    ".raft-msg--pv .raft-shape{stroke-dasharray:3 2}"
    ".raft-msg--ae .raft-shape,.raft-msg--hb .raft-shape{fill:var(--raft-leader,#1b7a3a)}"
    ".raft-msg--rvr .raft-shape,.raft-msg--aer .raft-shape,.raft-msg--other .raft-shape{fill:" + _BG + "}"
    ".raft-msg--rvr .raft-shape{stroke:var(--raft-candidate,#a34a00);stroke-width:2}"
    ".raft-msg--aer .raft-shape{stroke:var(--raft-leader,#1b7a3a);stroke-width:2}"
    ".raft-msg--is .raft-shape{fill:var(--raft-snapshot,#4b5563)}"
    ".raft-msg--is .raft-fold{fill:none;stroke:#ffffff;stroke-width:1}"
    ".raft-svg .raft-msg--is text{fill:#ffffff}"
    ".raft-msg--isr .raft-shape{fill:" + _BG + ";stroke:var(--raft-snapshot,#4b5563);stroke-width:2}"
    ".raft-msg--tn .raft-shape{fill:var(--raft-timer,#7a4fd6)}"
    ".raft-svg .raft-msg text{font-weight:700}"
    ".raft-svg .raft-msg text.raft-msg-detail{fill:" + _FG + ";font-weight:400;paint-order:stroke;"
    "stroke:" + _BG + ";stroke-width:3px}"
    ".raft-svg .raft-msg--rv text,.raft-svg .raft-msg--pv text,.raft-svg .raft-msg--ae text,"
    ".raft-svg .raft-msg--hb text,.raft-svg .raft-msg--tn text{fill:#ffffff}"
    ".raft-msg{cursor:pointer}"
    ".raft-arrow path{fill:none;stroke:" + _MUTED + ";stroke-width:2}"
    ".raft-arrow .raft-head{fill:" + _MUTED + ";stroke:none}"
    ".raft-arrow--busy path{stroke-width:3.5}"
    ".raft-arrow--stalled path{stroke:var(--raft-stalled,#c62828);stroke-dasharray:7 5}"
    ".raft-arrow--stalled .raft-head{fill:var(--raft-stalled,#c62828);stroke-dasharray:none}"
    ".raft-arrow-label{display:none}"
    ".raft-svg .raft-arrow--stalled .raft-arrow-label{display:inline;fill:var(--raft-stalled-fg,#b3261e);"
    "font-weight:700;paint-order:stroke;stroke:" + _BG + ";stroke-width:3px}"
    "[data-md-color-scheme=slate] .raft-svg .raft-arrow--stalled .raft-arrow-label{"
    "fill:var(--raft-stalled-fg,#ff8a80)}"
    ".raft-banner rect{fill:var(--raft-banner-bg,#fff4e5);stroke:var(--raft-stalled,#c62828);stroke-width:1.5}"
    ".raft-svg .raft-banner text{fill:var(--raft-banner-fg,#4a1a12)}"
    ".raft-logbox{fill:none;stroke:" + _FAINT + ";stroke-width:1}"
)

_ROLE_LETTER = {"follower": "F", "candidate": "C", "leader": "L", "pre_candidate": "P"}
_ROLE_WORD = {"follower": "follower", "candidate": "candidate", "leader": "leader",
              "pre_candidate": "pre-candidate"}

_MSG_KIND = {
    "RequestVote": "rv",
    "RequestVoteReply": "rvr",
    "AppendEntries": "ae",
    "AppendEntriesReply": "aer",
    "InstallSnapshot": "is",
    "InstallSnapshotReply": "isr",
    "TimeoutNow": "tn",
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


def _chars(width: float, font: float, mono: bool = False) -> int:
    """How many characters of ``font`` px fit in ``width`` (a conservative average advance)."""
    return max(1, int(width / (font * (0.62 if mono else 0.58))))


class _ServerGeo:
    """Where one server sits on a drawing. ``info_x``/``info_y`` (relative to the server) is
    the corner of the free space beside it that layers may use for a card."""

    __slots__ = ("name", "slug", "gid", "cx", "cy", "info_x", "info_y", "info_w", "row_y")

    def __init__(self, name, slug, gid, cx, cy, info_x, info_y, info_w):
        self.name, self.slug, self.gid = name, slug, gid
        self.cx, self.cy = cx, cy
        self.info_x, self.info_y, self.info_w = info_x, info_y, info_w
        self.row_y = 0.0


def message_glyph(size: Size, kind: str, ok: bool = True, count: int = 0, detail: str = "",
                  other: str = "?") -> tuple[str, str]:
    """(class, inner SVG) of a message of ``kind`` centred on (0, 0): a shape and a label per
    RPC (the diagram and its legend draw them alike). ``rv`` RequestVote, ``pv`` PreVote,
    ``rvr`` its reply (``ok``: granted), ``ae`` AppendEntries with ``count`` entries, ``hb``
    a heartbeat, ``aer`` its reply (``ok``: success), ``is`` InstallSnapshot up to ``count``,
    ``isr`` its reply, ``tn`` TimeoutNow; ``detail`` is written above the shape."""
    k = size.msg
    cls = "raft-msg raft-msg--" + kind
    if kind in ("rv", "pv"):
        shape = '<path class="raft-shape" d="M0,%sL%s,0 0,%s%s,0Z"/>' % (_f(-10 * k), _f(11 * k), _f(10 * k), _f(-11 * k))
        label = "P" if kind == "pv" else "V"
    elif kind == "rvr":
        cls += " raft-ok" if ok else " raft-no"
        shape = '<path class="raft-shape" d="M0,%sL%s,0 0,%s%s,0Z"/>' % (_f(-9 * k), _f(10 * k), _f(9 * k), _f(-10 * k))
        label = "\u2713" if ok else "\u2717"
    elif kind == "ae":
        shape = ('<rect class="raft-shape" x="%s" y="%s" width="%s" height="%s" rx="3"/>'
                 % (_f(-14 * k), _f(-9 * k), _f(28 * k), _f(18 * k)))
        label = "+%d" % count
    elif kind == "hb":
        shape = '<circle class="raft-shape" r="%s"/>' % _f(6 * k)
        label = ""
    elif kind == "aer":
        cls += " raft-ok" if ok else " raft-no"
        shape = ('<rect class="raft-shape" x="%s" y="%s" width="%s" height="%s" rx="3"/>'
                 % (_f(-9 * k), _f(-8 * k), _f(18 * k), _f(16 * k)))
        label = "\u2713" if ok else "\u2717"
    elif kind == "is":
        shape = ('<path class="raft-shape" d="M%s,%sH%sL%s,%sV%sH%sZ"/><path class="raft-fold" d="M%s,%sV%sH%s"/>'
                 % (_f(-16 * k), _f(-10 * k), _f(9 * k), _f(16 * k), _f(-3 * k), _f(10 * k), _f(-16 * k),
                    _f(9 * k), _f(-10 * k), _f(-3 * k), _f(16 * k)))
        label = "\u2264%d" % count
    elif kind == "isr":
        shape = ('<rect class="raft-shape" x="%s" y="%s" width="%s" height="%s" rx="2"/>'
                 % (_f(-9 * k), _f(-7 * k), _f(18 * k), _f(14 * k)))
        label = "\u2713"
    elif kind == "tn":
        shape = '<circle class="raft-shape" r="%s"/>' % _f(9 * k)
        label = "T"
    else:
        shape = '<circle class="raft-shape" r="%s"/>' % _f(8 * k)
        label = other or "?"
    text = ('<text y="%s" text-anchor="middle">%s</text>' % (_f(size.small * 0.36), label)) if label else ""
    if detail:
        text += ('<text class="raft-msg-detail" y="%s" text-anchor="middle">%s</text>'
                 % (_f(-11 * k - 4.0), _esc(detail)))
    return cls, shape + text


def server_glyph(size: Size, cx: float, cy: float, name: str, cls: str, letter: str, term: str, votes: str = "",
                 timer_offset: str | None = None, gid: str | None = None, aria: str | None = None) -> str:
    """One server as the diagram draws it: a circle coloured by role with its letter, the
    election timer ring (``timer_offset``: how much of it has drained), the term badge, the
    name and the vote tally under it. With ``gid`` it is a focusable button whose parts the
    renderer patches by id (``{gid}-letter``, ``-term``, ``-votes``, ``-timer``); without, a
    picture (the legend)."""
    s = size
    r, tr = s.r, s.r + 5.0
    circ = 2.0 * math.pi * tr
    ids = (lambda part: ' id="%s-%s"' % (gid, part)) if gid else (lambda part: "")
    if gid:
        head = ('<g id="%s" class="%s" data-server="%s" tabindex="0" role="button" aria-label="%s" '
                'transform="translate(%s %s)">' % (gid, cls, _esc(name), _esc(aria or name), _f(cx), _f(cy)))
    else:
        head = '<g class="%s" aria-hidden="true" transform="translate(%s %s)">' % (cls, _f(cx), _f(cy))
    c = r * 0.55
    bw = s.small * 2.4
    return "".join((
        head,
        '<circle class="raft-focus" r="%s"/>' % _f(tr + 5),
        '<circle class="raft-timer-track" r="%s"/>' % _f(tr),
        '<circle%s class="raft-timer" r="%s" transform="rotate(-90)" stroke-dasharray="%s" stroke-dashoffset="%s"/>'
        % (ids("timer"), _f(tr), _f(circ), timer_offset if timer_offset is not None else _f(circ * 0.35)),
        '<circle class="raft-node" r="%s"/>' % _f(r),
        '<text%s class="raft-letter" y="%s" text-anchor="middle" aria-hidden="true">%s</text>'
        % (ids("letter"), _f(s.letter * 0.36), _esc(letter)),
        '<path class="raft-cross" d="M-%s,-%sL%s,%sM%s,-%sL-%s,%s"/>' % ((_f(c),) * 8),
        '<path class="raft-heart" aria-hidden="true" d="M0,%sl-5,-5a3,3 0 0 1 5,-4a3,3 0 0 1 5,4z"/>' % _f(-tr - 4),
        '<text class="raft-name" y="%s" text-anchor="middle">%s</text>' % (_f(tr + s.font + 1.0), _esc(name)),
        '<text%s class="raft-small" y="%s" text-anchor="middle" aria-hidden="true">%s</text>'
        % (ids("votes"), _f(tr + s.font + s.small + 4.0), _esc(votes)),
        '<g class="raft-badge" aria-hidden="true" transform="translate(%s %s)"><rect x="%s" y="%s" width="%s" '
        'height="%s" rx="%s"/><text%s y="%s" text-anchor="middle">%s</text></g>'
        % (_f(-tr - bw * 0.35), _f(-tr * 0.75), _f(-bw / 2), _f(-s.small * 0.75), _f(bw), _f(s.small * 1.45),
           _f(s.small * 0.7), ids("term"), _f(s.small * 0.36), _esc(term)),
        "</g>",
    ))


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
            sl = _slug(name)
            if sl in seen:
                sl = "%s-%d" % (sl, i)
            seen.add(sl)
            slugs.append(sl)
        scene01 = self.layout == "scene01"
        rx, ry = s.ring_rx, s.ring_ry
        if n <= 3 and not scene01:
            rx, ry = rx * 0.8, ry * 0.95
        if n <= 5 and s.name == "narrow":
            ry = ry * 0.85
        if scene01:  # room for the shared log between the servers
            rx, ry = rx * 1.12, ry * 1.2
        cx0 = s.width / 2
        cy0 = s.ring_top + ry
        below = s.r + s.font + s.small + 10.0   # name and vote tally under the lowest server
        self.height = cy0 + ry + below           # the stage: where servers and messages are
        info_w = 150.0 if s.name == "wide" else 110.0
        for i, name in enumerate(names):
            if scene01:
                a = math.radians(-90.0 - 180.0 / max(n, 1) + 360.0 / max(n, 1) * i)
            else:
                a = -math.pi / 2 + 2 * math.pi * i / max(n, 1)
                if n >= 6:
                    a -= math.pi / n  # two servers side by side at the top
            cx = round(cx0 + rx * math.cos(a), 1)
            cy = round(cy0 + ry * math.sin(a), 1)
            left = math.cos(a) < -0.2
            ix = (-s.r - 12.0 - info_w) if left else (s.r + 12.0)
            self.servers.append(_ServerGeo(name, slugs[i], "%s-s-%s" % (p, slugs[i]), cx, cy, ix,
                                           -s.r - 2.0, info_w))
        if scene01:
            self._logbox = (cx0, cy0 + 4.0)
            self._arrows()
        # A layer may place the servers itself (scene 10's partitions: one column per side).
        self._placed = self._placement()
        for g in self.servers:
            at = self._placed.get(g.name)
            if at is not None:
                g.cx, g.cy = float(at[0]), float(at[1])
                g.info_x = (-s.r - 12.0 - info_w) if at[2] else (s.r + 12.0)
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
                    self._link_paths.append("M%s,%sL%s,%s" % (_f(x0), _f(y0), _f(x1), _f(y1)))
        # banner (scene 01's FLP explanation, two leaders at once): a band under the stage
        self._has_banner = scene01 or bool(self._opt("leaders_banner")) or self._opt("banner") not in (None, False)
        top = self.height
        if self._has_banner:
            lines = 4 if s.name == "narrow" else 3
            self._banner_box = (4.0, top + 2.0, s.width - 8.0, 14.0 + lines * (s.small + 4.0))
            top += self._banner_box[3] + 8.0
        else:
            self._banner_box = (4.0, top, s.width - 8.0, 0.0)
        # the log grid: a header row of indices, then a row per server
        self._grid_y = top + 4.0
        head = s.small + 8.0
        for k, g in enumerate(self.servers):
            g.row_y = self._grid_y + head + k * s.row_h
        self.total_height = self._grid_y + head + n * s.row_h + 6.0

    def _arrows(self) -> None:
        """Scene 01: an arrow from the shared log to each server."""
        s = self.size
        lx0, ly0 = self._logbox
        self._arrow_geo = []
        hw, hh = self._shared_half()
        for g in self.servers:
            dx, dy = g.cx - lx0, g.cy - ly0
            d = math.hypot(dx, dy) or 1.0
            ux, uy = dx / d, dy / d
            t = min(hw / abs(dx) if dx else 1e9, (hh + 10.0) / abs(dy) if dy else 1e9)
            sx, sy = lx0 + dx * t + ux * 4.0, ly0 + dy * t + uy * 4.0
            ex, ey = g.cx - ux * (s.r + 9.0), g.cy - uy * (s.r + 9.0)
            hx, hy = ex - 9.0 * ux, ey - 9.0 * uy
            px, py = -uy * 5.0, ux * 5.0
            path = "M%s,%sL%s,%s" % (_f(sx), _f(sy), _f(hx), _f(hy))
            head = "M%s,%sL%s,%sL%s,%sZ" % (_f(ex), _f(ey), _f(hx + px), _f(hy + py), _f(hx - px), _f(hy - py))
            right = ux >= 0
            lx, ly = (sx + ex) / 2 + (8.0 if right else -8.0), (sy + ey) / 2 + 4.0
            self._arrow_geo.append(("%s-arrow-%s" % (self.prefix, g.slug), g.name, path, head, lx, ly,
                                    "start" if right else "end"))

    def _shared_half(self) -> tuple[float, float]:
        s = self.size
        slots = int(self._opt("shared_log_slots", 3))
        sw = s.text_col_w
        return (slots * sw + (slots - 1) * 6.0) / 2, (s.small + 10.0) / 2 + s.small + 4.0

    def _placement(self) -> dict:
        """``{name: (cx, cy, info_on_left)}`` from the first layer whose ``positions(canvas)``
        returns any; empty: the layout's own places. Asked every frame: a change redraws."""
        for layer in self._opt("layers") or ():
            fn = getattr(layer, "positions", None)
            pos = fn(self) if fn is not None else None
            if pos:
                return pos
        return {}

    def needs_geometry(self) -> bool:
        return tuple(self.view.names) != self._names or self._placement() != self._placed

    # ------------------------------------------------------------------ servers
    def _server_class(self, sv, offender: bool) -> str:
        cls = "raft-server raft-role-%s%s" % (sv.role.value, "" if sv.alive else " raft-crashed")
        if offender:
            cls += " raft-offender"
        if self.owner.selected == sv.name:
            cls += " raft-selected"
        return cls

    @staticmethod
    def _letter(sv) -> str:
        return _ROLE_LETTER.get(sv.role.value, "?") if sv.alive else "X"

    def _aria(self, sv) -> str:
        if sv.alive:
            n = sv.log.last_index
            text = "%s: %s, term %d, %d log entr%s, %d committed" % (
                sv.name, _ROLE_WORD.get(sv.role.value, sv.role.value), sv.current_term, n,
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
            return _f(self._timer_c)
        if self._opt("reduced_motion"):
            frac = math.ceil(frac * 8.0) / 8.0  # drain in eighths, not continuously
        return _f(self._timer_c * (1.0 - frac))

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
        text_mode = last <= int(self._opt("log_text_max", 6)) and self._grid_columns(True) >= max(last, 1)
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
               % (_f(s.label_w - 4.0), _f(y), "index" if start == 1 else "\u2026")]
        step = 1 if text_mode or s.name == "wide" else 2
        for idx in range(start, end + 1):
            if (idx - start) % step and idx != end:
                continue
            x = self._col_x(idx, start, text_mode) + cw / 2
            out.append('<text class="raft-small raft-muted" x="%s" y="%s" text-anchor="middle">%d</text>'
                       % (_f(x), _f(y), idx))
        if s.state_w:
            out.append('<text class="raft-small raft-muted" x="%s" y="%s">state</text>'
                       % (_f(s.width - s.state_w + 4.0), _f(y)))
        return "".join(out)

    def _row_html(self, g: _ServerGeo, sv, start, end, text_mode, bad: frozenset, match) -> str:
        s = self.size
        y = g.row_y
        ch = s.cell_h
        pitch = s.text_col_w if text_mode else s.col_w
        cw = pitch - (s.col_w - s.cell_w)
        out = ['<rect class="raft-row-hit" x="0" y="%s" width="%s" height="%s"/>'
               % (_f(y - 2.0), _f(s.width), _f(s.row_h))]
        name = _trunc(str(sv.name), _chars(s.label_w - 6.0, s.font))
        out.append('<text class="raft-name" x="%s" y="%s" text-anchor="end">%s</text>'
                   % (_f(s.label_w - 4.0), _f(y + ch / 2 + s.font * 0.35), _esc(name)))
        log = sv.log
        snap = log.snapshot_index
        if snap >= start:
            x0 = self._col_x(start, start, text_mode)
            x1 = self._col_x(min(snap, end), start, text_mode) + cw
            label = "snap \u2264%d" % snap
            fits = _chars(x1 - x0 - 4.0, s.small) >= len(label)
            out.append('<g class="raft-snapcell"><title>%s</title><rect x="%s" y="%s" width="%s" height="%s" rx="3"/>'
                       '%s</g>'
                       % (_esc("entries up to %d (term %d) compacted into a snapshot" % (snap, log.snapshot_term)),
                          _f(x0), _f(y), _f(x1 - x0), _f(ch),
                          ('<text x="%s" y="%s" text-anchor="middle">%s</text>'
                           % (_f((x0 + x1) / 2), _f(y + ch / 2 + s.small * 0.35), _esc(label))) if fits else ""))
        nchars = _chars(cw - 4.0, s.small, mono=True)
        for e in log.entries:
            idx = e.index
            if idx < start or idx > end or idx <= snap:
                continue
            x = self._col_x(idx, start, text_mode)
            cls = "raft-cell raft-t%d %s" % (e.term % len(TERM_PALETTE),
                                             "raft-committed" if e.committed else "raft-uncommitted")
            if idx in bad:
                cls += " raft-bad"
            label = _trunc(e.label if e.label != "no-op" or text_mode else "·", nchars) if text_mode else str(e.term)
            out.append('<g class="%s"><title>%s</title><rect x="%s" y="%s" width="%s" height="%s" rx="3"/>'
                       '<text class="raft-mono" x="%s" y="%s" text-anchor="middle">%s</text></g>'
                       % (cls, _esc("%s #%d, term %d: %s (%s)" % (sv.name, idx, e.term, e.label,
                                                                    "committed" if e.committed else "not committed")),
                          _f(x), _f(y), _f(cw), _f(ch), _f(x + cw / 2), _f(y + ch / 2 + s.small * 0.35),
                          _esc(label)))
        for idx in bad:
            if idx > log.last_index and start <= idx <= end:  # the entry the server lacks
                x = self._col_x(idx, start, text_mode)
                out.append('<g class="raft-cell raft-uncommitted raft-bad"><title>%s</title>'
                           '<rect x="%s" y="%s" width="%s" height="%s" rx="3"/></g>'
                           % (_esc("%s has no entry %d" % (sv.name, idx)), _f(x), _f(y), _f(cw), _f(ch)))
        commit = sv.commit_index
        if start <= commit <= end or (commit > end and log.last_index >= start):
            bx = self._col_x(min(commit, end), start, text_mode) + cw + (pitch - cw) / 2
            out.append('<path class="raft-commit-bar" d="M%s,%sV%s"><title>%s</title></path>'
                       % (_f(bx), _f(y - 2.0), _f(y + ch + 2.0), _esc("%s commitIndex %d" % (sv.name, commit))))
        if self._opt("markers") and start <= sv.last_applied <= end:
            ax = self._col_x(sv.last_applied, start, text_mode) + cw / 2
            out.append('<circle class="raft-mark-applied" cx="%s" cy="%s" r="2.5"><title>%s</title></circle>'
                       % (_f(ax), _f(y + ch + 3.0), _esc("%s lastApplied %d" % (sv.name, sv.last_applied))))
        if match is not None and start <= match <= end:
            mx = self._col_x(match, start, text_mode) + cw / 2
            out.append('<path class="raft-mark-match" d="M%s,%sl-4,5h8z"><title>%s</title></path>'
                       % (_f(mx), _f(y + ch + 0.5), _esc("the leader's matchIndex for %s: %d" % (sv.name, match))))
        if s.state_w:
            st = " ".join("%s=%s" % kv for kv in sv.state.data) or "\u2205"
            out.append('<text id="%s-state" class="raft-state raft-mono" x="%s" y="%s">%s</text>'
                       % (g.gid, _f(s.width - s.state_w + 4.0), _f(y + ch / 2 + s.font * 0.35),
                          _esc(_trunc(st, _chars(s.state_w - 6.0, s.font, mono=True)))))
        return "".join(out)

    # ------------------------------------------------------------------ scene 01's shared log
    def _shared_html(self) -> str:
        """The log as the leader (or the most advanced live server) holds it, in the middle."""
        s = self.size
        v = self.view
        src = v.leader
        if src is None:
            best = None
            for sv in v.servers:
                if sv.alive and (best is None or (sv.commit_index, sv.log.last_index) >
                                 (best.commit_index, best.log.last_index)):
                    best = sv
            src = best.name if best is not None else None
        sv = v.server(src) if src is not None else None
        hide = self._opt("hide_noop", True)
        items = [e for e in (sv.log.entries if sv else ()) if not (hide and e.noop)]
        planned = list(self._opt("planned_log") or ())
        slots = []
        for k in range(max(len(items), len(planned))):
            if k < len(items):
                e = items[k]
                slots.append(("raft-cell raft-logcell raft-t%d %s" % (
                    e.term % len(TERM_PALETTE), "raft-committed" if e.committed else "raft-uncommitted"),
                    e.label, "#%d term %d%s" % (e.index, e.term, "" if e.committed else " (not committed)")))
            else:
                slots.append(("raft-cell raft-logcell raft-planned", str(planned[k]), "not yet in the log"))
        maxn = int(self._opt("shared_log_slots", 3))
        skipped = max(0, len(slots) - maxn)
        slots = slots[-maxn:] if skipped else slots
        lx0, ly0 = self._logbox
        sw, sh, gap = s.text_col_w, s.small + 10.0, 6.0
        total = len(slots) * sw + max(len(slots) - 1, 0) * gap
        x0 = lx0 - total / 2
        y = ly0 - sh / 2
        out = ['<text class="raft-name" x="%s" y="%s" text-anchor="middle">replicated log</text>'
               % (_f(lx0), _f(y - 6.0))]
        if src is not None and items:
            out.append('<text class="raft-small raft-muted" x="%s" y="%s" text-anchor="middle">as %s holds it</text>'
                       % (_f(lx0), _f(y + sh + s.small + 3.0), _esc(str(src))))
        if not slots:
            out.append('<text class="raft-muted" x="%s" y="%s" text-anchor="middle">(empty)</text>'
                       % (_f(lx0), _f(ly0 + 4.0)))
        if skipped:
            out[0] = ('<text class="raft-name" x="%s" y="%s" text-anchor="middle">replicated log (+%d earlier)</text>'
                      % (_f(lx0), _f(y - 6.0), skipped))
        nchars = _chars(sw - 4.0, s.small, mono=True)
        for k, (cls, label, tip) in enumerate(slots):
            x = x0 + k * (sw + gap)
            out.append('<g class="%s"><title>%s</title><rect x="%s" y="%s" width="%s" height="%s" rx="3"/>'
                       '<text class="raft-mono" x="%s" y="%s" text-anchor="middle">%s</text></g>'
                       % (cls, _esc(tip), _f(x), _f(y), _f(sw), _f(sh), _f(x + sw / 2),
                          _f(y + sh / 2 + s.small * 0.35), _esc(_trunc(label, nchars))))
        return "".join(out)

    # ------------------------------------------------------------------ messages
    def _msg_parts(self, f):
        """(class, inner markup) of one message: its shape and label by type."""
        kind = _MSG_KIND.get(f.type, "other")
        if kind == "ae" and f.kind == "Heartbeat":
            kind = "hb"
        if kind == "rv" and f.kind == "PreVote":
            kind = "pv"
        ok = bool(f.field("vote_granted" if kind == "rvr" else "success", False))
        detail = ""
        if kind in ("ae", "hb") and self._opt("message_details"):
            detail = "prev %d/t%d" % (int(f.field("prev_log_index", 0)), int(f.field("prev_log_term", 0)))
        count = int(f.field("last_included_index" if kind == "is" else "entries", 0) or 0)
        cls, inner = message_glyph(self.size, kind, ok=ok, count=count, detail=detail,
                                   other="".join(ch for ch in f.type if ch.isupper())[:2])
        return cls, "<title>%s</title>%s" % (_esc("%s \u2192 %s: %s" % (f.src, f.dst, f.text)), inner)

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
            out.append((f, "translate(%s %s)" % (_f(a * x0 + b * cx + c * x1), _f(a * y0 + b * cy + c * y1))))
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

    def _banner_state(self):
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
        shown = (bool(self._opt("stalled")) and self.layout == "scene01") if b is None else bool(b)
        return ("visible" if shown else "hidden"), text

    def _banner_lines_html(self, text) -> str:
        s = self.size
        bx, by, bw, bh = self._banner_box
        per = _chars(bw - 20.0, s.small)
        lines = _wrap(text, per)
        maxl = int((bh - 10.0) // (s.small + 4.0))
        if len(lines) > maxl:
            lines = lines[:maxl]
            lines[-1] = _trunc(lines[-1] + " \u2026", per)
        return "".join('<tspan class="raft-small" x="%s" y="%s">%s</tspan>'
                       % (_f(bx + 10), _f(by + 6 + (i + 1) * (s.small + 4.0) - 3.0), _esc(line))
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
                sv.name, _ROLE_WORD.get(sv.role.value, sv.role.value), sv.current_term, sv.log.last_index,
                sv.commit_index)
            if sv.state.data:
                text += ", " + ", ".join("%s=%s" % kv for kv in sv.state.data)
            parts.append(text + ".")
        for name in sorted(str(x) for x in (self._opt("stalled") or ())) if self.layout == "scene01" else ():
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
                   offender, self.owner.selected == sv.name)
            if sig.get(gid) != key:
                sig[gid] = key
                sig[gid + ":attrs"] = (self._server_class(sv, offender), self._letter(sv),
                                       "T%d" % sv.current_term, self._aria(sv))
            cls, letter, badge, aria = sig[gid + ":attrs"]
            vals.append((gid, "attr:class", cls))
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
        vals.append((p + "-desc", "text", self._desc()))
        if self.layout == "scene01":
            stalled = self._opt("stalled") or ()
            busy = {f.dst for f, _ in flights if f.field("entries")}
            for aid, name, _path, _head, _lx, _ly, _anchor in self._arrow_geo:
                cls = "raft-arrow"
                if name in busy:
                    cls += " raft-arrow--busy"
                if name in stalled:
                    cls += " raft-arrow--stalled"
                vals.append((aid, "attr:class", cls))
            src = v.leader
            skey = (tuple((sv.name, sv.alive, sv.log, sv.commit_index) for sv in v.servers), src,
                    tuple(self._opt("planned_log") or ()))
            if sig.get(p + ":shared") != skey:
                sig[p + ":shared"] = skey
                sig[p + ":sharedhtml"] = self._shared_html()
            vals.append((p + "-log", "html", sig[p + ":sharedhtml"]))
        for layer in self._opt("layers") or ():
            vals.append(("%s-layer-%s" % (p, layer.name), "html", layer.draw(self)))
        if self._has_banner:
            vis, text = self._banner_state()
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
               % (p, s.name, self.layout, _f(s.width), _f(self.total_height), _esc(str(self._opt("svg_role", "group"))),
                  p, p, s.name),
               '<title id="%s-title">%s</title>' % (p, _esc(title)),
               '<desc id="%s-desc">%s</desc>' % (p, _esc(prev[(p + "-desc", "text")]))]
        if self._opt("embed_style", True):
            out.append("<style>%s</style>" % CSS)
        out.append('<g id="%s-root">%s</g></svg>' % (p, self._root_inner(prev.get, flights)))
        return "".join(out)

    def _root_inner(self, v, flights) -> str:
        p = self.prefix
        s = self.size
        out = ['<g id="%s-links" aria-hidden="true">' % p]
        out.extend('<path class="raft-link" d="%s"/>' % d for d in self._link_paths)
        out.append("</g>")
        if self.layout == "scene01":
            out.append('<g id="%s-log" class="raft-shared-log">%s</g>' % (p, v((p + "-log", "html"))))
            for aid, _name, path, head, lx, ly, anchor in self._arrow_geo:
                out.append('<g id="%s" class="%s"><path d="%s"/><path class="raft-head" d="%s"/>'
                           '<text class="raft-arrow-label raft-small" x="%s" y="%s" text-anchor="%s">stalled?</text></g>'
                           % (aid, v((aid, "attr:class")), path, head, _f(lx), _f(ly), anchor))
        layers = list(self._opt("layers") or ())
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
                       % (p, v((p + "-banner", "attr:visibility")), _f(bx), _f(by), _f(bw), _f(bh),
                          p, v((p + "-banner-text", "html"))))
        out.append('<g id="%s-grid" class="raft-grid">' % p)
        out.append('<path class="raft-gridrule" d="M0,%sH%s"/>' % (_f(self._grid_y - 2.0), _f(s.width)))
        out.append('<g id="%s-gridhead" aria-hidden="true">%s</g>' % (p, v((p + "-gridhead", "html"))))
        for g in self.servers:
            out.append('<g id="%s-log" class="%s" data-server="%s">%s</g>'
                       % (g.gid, v((g.gid + "-log", "attr:class")), _esc(str(g.name)), v((g.gid + "-log", "html"))))
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
            patches = [(p, "attr:viewBox", "0 0 %s %s" % (_f(self.size.width), _f(self.total_height))),
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

    def server_at(self, x: float, y: float):
        lim = (self._timer_r + 4.0) ** 2
        for g in self.servers:
            dx, dy = x - g.cx, y - g.cy
            if dx * dx + dy * dy <= lim:
                return g.name
        return None


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
    ``log_text_max``  logs up to this length show command text in the grid (default 6)
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
                      ``positions(canvas) -> {name: (cx, cy, info_on_left)}`` places the
                      servers instead of the layout.
    """

    def __init__(self, cluster, layout: str = "ring", options: dict | None = None):
        if layout not in LAYOUTS:
            raise ValueError("unknown layout %r (expected one of %s)" % (layout, ", ".join(LAYOUTS)))
        self.cluster = cluster
        self.layout = layout
        self.options = dict(options or {})
        self.prefix = str(self.options.get("id") or "raft")
        #: The server whose inspect panel is open (drawn with a focus ring), or None.
        self.selected: str | None = None
        self.view = cluster.view()
        sizes = tuple(self.options.get("sizes") or ("wide", "narrow"))
        self.canvases = [Canvas(self, SIZES[name], self.prefix if k == 0 else self.prefix + "-n")
                         for k, name in enumerate(sizes)]

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
        """Patches that bring the last emitted frame up to the cluster's current state."""
        self.view = self.cluster.view()
        title = self._title()
        out = []
        for c in self.canvases:
            out.extend(c.update(title))
        return out

    def set_cluster(self, cluster) -> None:
        """Draw another cluster from the next ``update()`` on (e.g. after a reset): the
        patches then bring the last frame of the old cluster to the new one's state."""
        self.cluster = cluster
        for c in self.canvases:
            c._msg_cache = {}

    def banner(self) -> tuple[str, str]:
        """(``"visible"`` or ``"hidden"``, text) of the banner as the frame shows it now."""
        self.view = self.cluster.view()
        return self.canvases[0]._banner_state()

    def select(self, name: str | None) -> None:
        """Mark the server whose inspect panel is open (None: none)."""
        self.selected = name

    def server_at(self, x: float, y: float, size: str = "wide"):
        """Name of the server whose circle (plus its timer ring) contains (x, y), in the
        viewBox units of the ``size`` drawing."""
        for c in self.canvases:
            if c.size.name == size:
                return c.server_at(x, y)
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
    """The chart as two drawings, like the diagram: one for a desktop column, one for a phone
    (the page's CSS shows the one that fits); see :func:`_cdf_chart`."""
    return "".join(_cdf_chart(chart_id if size == "wide" else chart_id + "-n", series, paper, x_min, x_max, title,
                              size) for size in ("wide", "narrow"))


def _cdf_chart(chart_id: str, series, paper, x_min: float, x_max: float, title: str, size: str) -> str:
    """An SVG chart of cumulative distributions on a logarithmic time axis.

    ``series``: [(label, sorted values in ms, note)] — one step curve each, in its own colour
    and dash pattern (never colour alone), labelled in a legend. ``paper``: reference points
    drawn as labelled diamonds. Values beyond ``x_max`` are drawn at the right edge."""
    fs = SIZES[size].small
    w, h = (520.0, 320.0) if size == "wide" else (320.0, 300.0)
    l, r, t, b = 3.6 * fs, 10.0, 2.4 * fs, 3.4 * fs
    pw, ph = w - l - r, h - t - b
    lx0, lx1 = math.log10(x_min), math.log10(x_max)

    def X(v):
        v = min(max(v, x_min), x_max)
        return l + (math.log10(v) - lx0) / (lx1 - lx0) * pw

    def Y(f):
        return t + (1.0 - f) * ph

    cid = _esc(chart_id)
    out = ['<svg xmlns="http://www.w3.org/2000/svg" class="raft-chart raft-svg raft-svg--%s" id="%s" '
           'viewBox="0 0 %s %s" role="img" aria-labelledby="%s-title %s-desc" data-size="%s">'
           % (size, cid, _f(w), _f(h), cid, cid, size),
           '<style>svg.raft-chart.raft-svg--%s text{font-size:%gpx}%s</style>' % (size, fs, _SIZE_SWITCH),
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
        out.append('<text x="%s" y="%s" text-anchor="end">%d%%</text>' % (_f(l - 4), _f(y + fs * 0.35), int(f * 100)))
    v = 10.0
    while v <= x_max * 1.0001:
        for m in ((1, 2, 5) if size == "wide" else (1,)):
            tv = v * m
            if x_min <= tv <= x_max:
                x = X(tv)
                out.append('<path class="raft-chart-grid" d="M%s,%sV%s"/>' % (_f(x), _f(t), _f(t + ph)))
                lab = ("%d ms" % tv) if tv < 1000 else ("%g s" % (tv / 1000))
                out.append('<text x="%s" y="%s" text-anchor="middle">%s</text>' % (_f(x), _f(t + ph + fs + 2), lab))
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
        ly = t + fs + 2 + k * (fs + 3)
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
               '<text x="%s" y="%s" text-anchor="end">the paper’s points</text></g>'
               % (_f(l + pw - 8), _f(t - fs - 2), _f(l + pw - 14), _f(t - fs * 0.6)))
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


# ---------------------------------------------------------------------- legend
# The diagram's vocabulary, drawn with the diagram's own glyphs (the home page shows it).

def _legend_items(s: Size):
    """[(section, [(glyph markup centred on (0, 0), height, text)])]"""
    circ = 2.0 * math.pi * (s.r + 5.0)

    def srv(role, letter, term="T3", votes="", extra="", off=0.35):
        tr = s.r + 5.0
        h = 2 * (tr + 12.0) if not votes else 2 * (tr + s.font + s.small + 8.0)
        return (server_glyph(s, 0.0, 0.0, "", "raft-server raft-role-%s%s" % (role, extra), letter, term, votes,
                             _f(circ * off)), h)

    def cell(cls, term, label=None, w=None):
        w = w or s.cell_w
        return ('<g class="raft-cell raft-t%d %s"><rect x="%s" y="%s" width="%s" height="%s" rx="3"/>'
                '<text class="raft-mono" y="%s" text-anchor="middle">%s</text></g>'
                % (term % len(TERM_PALETTE), cls, _f(-w / 2), _f(-s.cell_h / 2), _f(w), _f(s.cell_h),
                   _f(s.small * 0.35), label if label is not None else term), s.cell_h + 10.0)

    def msgs(*kinds):
        out, x = [], -(len(kinds) - 1) * 16.0
        for kind, ok, n in kinds:
            cls, inner = message_glyph(s, kind, ok=ok, count=n)
            out.append('<g class="%s" transform="translate(%s 0)">%s</g>' % (cls, _f(x), inner))
            x += 32.0
        return "".join(out), 30.0

    bar = ('<g class="raft-cell raft-t1 raft-committed"><rect x="%s" y="%s" width="%s" height="%s" rx="3"/></g>'
           '<path class="raft-commit-bar" d="M%s,%sV%s"/>'
           % (_f(-s.cell_w - 2), _f(-s.cell_h / 2), _f(s.cell_w), _f(s.cell_h), _f(1.0), _f(-s.cell_h / 2 - 2),
              _f(s.cell_h / 2 + 2)), s.cell_h + 10.0)
    snap = ('<g class="raft-snapcell"><rect x="-30" y="%s" width="60" height="%s" rx="3"/>'
            '<text y="%s" text-anchor="middle">snap \u22648</text></g>'
            % (_f(-s.cell_h / 2), _f(s.cell_h), _f(s.small * 0.35)), s.cell_h + 10.0)
    marks = ('<g class="raft-cell raft-t1 raft-committed"><rect x="%s" y="%s" width="%s" height="%s" rx="3"/></g>'
             '<circle class="raft-mark-applied" cx="-6" cy="%s" r="2.5"/>'
             '<path class="raft-mark-match" d="M6,%sl-4,5h8z"/>'
             % (_f(-s.cell_w / 2), _f(-s.cell_h / 2 - 4), _f(s.cell_w), _f(s.cell_h), _f(s.cell_h / 2 + 3 - 4),
                _f(s.cell_h / 2 + 0.5 - 4)), s.cell_h + 14.0)
    return [
        ("Servers", [
            srv("follower", "F") + ("Follower (F). The ring is its election timer: it drains, and a message "
                                    "from the leader refills it. The badge is its current term.",),
            srv("pre_candidate", "P", votes="pre-votes 2/3") + ("Pre-candidate (P): its timer ran out; it first "
                                                              "asks whether it could win (PreVote), term unchanged.",),
            srv("candidate", "C", "T4", "votes 2/3") + ("Candidate (C): it raised its term and asks for votes; "
                                                       "the tally under it counts them against a majority.",),
            srv("leader", "L") + ("Leader (L): the one server of its term that takes commands and sends "
                                  "AppendEntries; it has no election timer.",),
            srv("follower", "X", extra=" raft-crashed") + ("Crashed: its memory is gone, its disk is kept.",),
            srv("follower", "F", extra=" raft-offender") + ("Red dashed ring: a server the checker names in a "
                                                           "broken invariant.",),
        ]),
        ("Logs: a row per server", [
            cell("raft-committed", 2) + ("An entry of term 2 this server knows is committed: solid, in the term's "
                                         "colour.",),
            cell("raft-uncommitted", 3) + ("An entry of term 3 not known to be committed yet: dashed.",),
            bar + ("The bar after an entry: the server's commitIndex.",),
            marks + ("Under a cell: lastApplied (ring) and, in a follower's row, the leader's matchIndex "
                     "(triangle).",),
            snap + ("Entries up to 8 compacted into a snapshot.",),
        ]),
        ("Messages in flight", [
            msgs(("rv", True, 0), ("pv", True, 0), ("rvr", True, 0), ("rvr", False, 0))
            + ("RequestVote (V), PreVote (P), and the answers: granted (\u2713) or refused (\u2717).",),
            msgs(("ae", True, 2), ("hb", True, 0), ("aer", True, 0), ("aer", False, 0))
            + ("AppendEntries with 2 entries, a heartbeat (none), and the answers: accepted or rejected.",),
            msgs(("is", True, 8), ("isr", True, 0), ("tn", True, 0))
            + ("InstallSnapshot up to index 8, its answer, and TimeoutNow (a leadership transfer).",),
        ]),
    ]


def legend_svg(prefix: str = "legend") -> str:
    """The diagram's vocabulary — roles, terms, timers, log cells, commit bar, snapshots,
    messages — drawn with the diagram's own glyphs, as a wide drawing (two columns: servers;
    logs and messages) and a narrow one (one column)."""
    out = []
    for name in ("wide", "narrow"):
        s = SIZES[name]
        sections = _legend_items(s)
        columns = [sections[:1], sections[1:]] if name == "wide" else [sections]
        colw = s.width / len(columns)
        gx, tx = 62.0, 128.0
        per = _chars(colw - tx - 6.0, s.font)
        body, bottom = [], 0.0
        for c, col in enumerate(columns):
            x0, y = c * colw, 4.0
            for section, items in col:
                y += s.font + 8.0
                body.append('<text class="raft-name" x="%s" y="%s">%s</text>' % (_f(x0 + 4), _f(y), _esc(section)))
                y += 8.0
                for glyph, h, text in items:
                    lines = _wrap(text, per)
                    block = max(h, len(lines) * (s.font + 4.0) + 4.0)
                    cy = y + block / 2
                    body.append('<g transform="translate(%s %s)">%s</g>' % (_f(x0 + gx), _f(cy), glyph))
                    ty = cy - (len(lines) - 1) * (s.font + 4.0) / 2 + s.font * 0.35
                    body.extend('<text x="%s" y="%s">%s</text>' % (_f(x0 + tx), _f(ty + i * (s.font + 4.0)), _esc(line))
                                for i, line in enumerate(lines))
                    y += block + 6.0
            bottom = max(bottom, y)
        pid = prefix if name == "wide" else prefix + "-n"
        out.append('<svg xmlns="http://www.w3.org/2000/svg" id="%s" class="raft-svg raft-svg--%s raft-legend" '
                   'viewBox="0 0 %s %s" role="img" aria-labelledby="%s-title" data-size="%s">'
                   '<title id="%s-title">How to read a diagram: %s</title><style>%s</style>%s</svg>'
                   % (pid, name, _f(s.width), _f(bottom + 4.0), pid, name, pid,
                      _esc("; ".join(t for _, items in sections for _, _, t in items)), CSS, "".join(body)))
    return "".join(out)
