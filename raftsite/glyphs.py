"""The diagram's visual vocabulary, shared by every drawing of the site: the two sizes a
drawing is laid out for (:data:`SIZES`), the CSS every drawing embeds (:data:`CSS`), one colour
per term, and the glyphs of a server and of each kind of message. The renderer
(:mod:`raftsite.render`), the legend (:mod:`raftsite.legend`) and the charts
(:mod:`raftsite.charts`) draw with these, so a legend can never disagree with a diagram.

Sizes: a drawing is laid out for the width it will have on screen, so one unit is about one
CSS pixel and text keeps its size — a *wide* drawing for a desktop's diagram column (text of
at least 12 px) and a *narrow* one for a phone (at least 11 px). Every drawing comes in both;
the CSS below shows the one that fits the viewport (:data:`NARROW_MEDIA`).
"""

from __future__ import annotations

import math

from raftsite.markup import esc, fmt

__all__ = ["Size", "SIZES", "CSS", "NARROW_MEDIA", "SIZE_SWITCH", "TERM_PALETTE", "TERM_PALETTE_LIGHT", "ROLE_LETTER",
           "ROLE_WORD", "MSG_KIND", "command_text", "slug", "chars", "message_glyph", "server_glyph", "deco_class"]

TERM_PALETTE = (
    "#7a5230",  # brown
    "#1d5fa0",  # blue (term 1)
    "#6a4c9c",  # purple
    "#2f6b73",  # teal
    "#a12f74",  # magenta
    "#7a6500",  # olive
)

#: The same terms' colours for outlines on the dark palette (each >= 3:1 against Material's
#: slate background, WCAG 1.4.11), so a dashed uncommitted cell stays visible at night.
TERM_PALETTE_LIGHT = ("#d19a6a", "#6aa7e6", "#b49be0", "#6fb7c0", "#e07ab8", "#c9b340")


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
    "narrow": Size("narrow", 320.0, 15.0, 12.0, 11.0, 13.0, 112.0, 78.0, 40.0, 44.0, 66.0,
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
SIZE_SWITCH = ("svg.raft-svg.raft-svg--narrow{display:none}"
                "@media " + NARROW_MEDIA + "{svg.raft-svg.raft-svg--wide{display:none}svg.raft-svg.raft-svg--narrow{display:block}}")

CSS = (
    SIZE_SWITCH +
    ".raft-svg{font-family:var(--raft-font,system-ui,-apple-system,'Segoe UI',Roboto,sans-serif)}"
    + _size_css(SIZES["wide"]) + _size_css(SIZES["narrow"]) +
    ".raft-svg text{fill:" + _FG + "}"
    ".raft-svg .raft-muted{fill:" + _MUTED + "}"
    ".raft-link{fill:none;stroke:" + _FAINT + ";stroke-width:1}"
    ".raft-link--cut{stroke:" + _BAD + ";stroke-dasharray:3 4;stroke-width:1.5}"
    ".raft-link-x{fill:none;stroke:" + _BAD + ";stroke-width:2;stroke-linecap:round}"
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
    ".raft-hit{fill:transparent}"
    ".raft-server:focus-visible .raft-focus{display:inline}"
    ".raft-badge rect{fill:" + _BG + ";stroke:" + _FG + ";stroke-width:1}"
    ".raft-svg .raft-name{font-weight:600}"
    ".raft-svg .raft-mono{font-family:var(--raft-mono,ui-monospace,SFMono-Regular,Menlo,Consolas,monospace)}"
    ".raft-offender .raft-focus{display:inline;stroke:" + _BAD + ";stroke-dasharray:5 3}"
    + "".join(
        ".raft-t%d{--raft-c:var(--raft-term-%d,%s)}" % (i, i, c) for i, c in enumerate(TERM_PALETTE)
    )
    + "".join(
        "[data-md-color-scheme=slate] .raft-t%d{--raft-c-line:var(--raft-term-line-%d,%s)}" % (i, i, c)
        for i, c in enumerate(TERM_PALETTE_LIGHT)
    )
    + ".raft-cell rect{stroke:var(--raft-c-line,var(--raft-c,#52627a));stroke-width:2;fill:" + _BG + ";stroke-dasharray:4 2}"
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

ROLE_LETTER = {"follower": "F", "candidate": "C", "leader": "L", "pre_candidate": "P"}
ROLE_WORD = {"follower": "follower", "candidate": "candidate", "leader": "leader",
              "pre_candidate": "pre-candidate"}

MSG_KIND = {
    "RequestVote": "rv",
    "RequestVoteReply": "rvr",
    "AppendEntries": "ae",
    "AppendEntriesReply": "aer",
    "InstallSnapshot": "is",
    "InstallSnapshotReply": "isr",
    "TimeoutNow": "tn",
}






def slug(name: str) -> str:
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






def chars(width: float, font: float, mono: bool = False) -> int:
    """How many characters of ``font`` px fit in ``width`` (a conservative average advance)."""
    return max(1, int(width / (font * (0.62 if mono else 0.58))))


def message_glyph(size: Size, kind: str, ok: bool = True, count: int = 0, detail: str = "",
                  other: str = "?", detail_below: bool = False) -> tuple[str, str]:
    """(class, inner SVG) of a message of ``kind`` centred on (0, 0): a shape and a label per
    RPC (the diagram and its legend draw them alike). ``rv`` RequestVote, ``pv`` PreVote,
    ``rvr`` its reply (``ok``: granted), ``ae`` AppendEntries with ``count`` entries, ``hb``
    a heartbeat, ``aer`` its reply (``ok``: success), ``is`` InstallSnapshot up to ``count``,
    ``isr`` its reply, ``tn`` TimeoutNow; ``detail`` is written above the shape."""
    k = size.msg
    cls = "raft-msg raft-msg--" + kind
    if kind in ("rv", "pv"):
        shape = '<path class="raft-shape" d="M0,%sL%s,0 0,%s%s,0Z"/>' % (fmt(-10 * k), fmt(11 * k), fmt(10 * k), fmt(-11 * k))
        label = "P" if kind == "pv" else "V"
    elif kind == "rvr":
        cls += " raft-ok" if ok else " raft-no"
        shape = '<path class="raft-shape" d="M0,%sL%s,0 0,%s%s,0Z"/>' % (fmt(-9 * k), fmt(10 * k), fmt(9 * k), fmt(-10 * k))
        label = "\u2713" if ok else "\u2717"
    elif kind == "ae":
        shape = ('<rect class="raft-shape" x="%s" y="%s" width="%s" height="%s" rx="3"/>'
                 % (fmt(-14 * k), fmt(-9 * k), fmt(28 * k), fmt(18 * k)))
        label = "+%d" % count
    elif kind == "hb":
        shape = '<circle class="raft-shape" r="%s"/>' % fmt(6 * k)
        label = ""
    elif kind == "aer":
        cls += " raft-ok" if ok else " raft-no"
        shape = ('<rect class="raft-shape" x="%s" y="%s" width="%s" height="%s" rx="3"/>'
                 % (fmt(-9 * k), fmt(-8 * k), fmt(18 * k), fmt(16 * k)))
        label = "\u2713" if ok else "\u2717"
    elif kind == "is":
        shape = ('<path class="raft-shape" d="M%s,%sH%sL%s,%sV%sH%sZ"/><path class="raft-fold" d="M%s,%sV%sH%s"/>'
                 % (fmt(-16 * k), fmt(-10 * k), fmt(9 * k), fmt(16 * k), fmt(-3 * k), fmt(10 * k), fmt(-16 * k),
                    fmt(9 * k), fmt(-10 * k), fmt(-3 * k), fmt(16 * k)))
        label = "\u2264%d" % count
    elif kind == "isr":
        shape = ('<rect class="raft-shape" x="%s" y="%s" width="%s" height="%s" rx="2"/>'
                 % (fmt(-9 * k), fmt(-7 * k), fmt(18 * k), fmt(14 * k)))
        label = "\u2713"
    elif kind == "tn":
        shape = '<circle class="raft-shape" r="%s"/>' % fmt(9 * k)
        label = "T"
    else:
        shape = '<circle class="raft-shape" r="%s"/>' % fmt(8 * k)
        label = other or "?"
    text = ('<text y="%s" text-anchor="middle">%s</text>' % (fmt(size.small * 0.36), label)) if label else ""
    if detail:  # above the shape, or below it (``detail_below``) so neighbours' labels alternate
        y = (11 * k + size.small + 2.0) if detail_below else (-11 * k - 4.0)
        text += ('<text class="raft-msg-detail" y="%s" text-anchor="middle">%s</text>' % (fmt(y), esc(detail)))
    return cls, shape + text


def server_glyph(size: Size, cx: float, cy: float, name: str, cls: str, letter: str, term: str, votes: str = "",
                 timer_offset: str | None = None, gid: str | None = None, aria: str | None = None) -> str:
    """One server as the diagram draws it: a circle coloured by role with its letter, the
    election timer ring (``timer_offset``: how much of it has drained), the term badge, the
    name and the vote tally under it.

    With ``gid`` it is two groups at the same place: the picture (``{gid}-deco``, hidden from
    assistive tech, parts patched by id: ``{gid}-letter``, ``-term``, ``-votes``, ``-timer``)
    and on top of it the focusable button ``{gid}`` (``data-server``), which holds only the
    name and a transparent hit area — so the button's visible text is its name, which its
    accessible name starts with (WCAG 2.5.3). Both carry the role classes. Without ``gid``,
    one picture (the legend)."""
    s = size
    r, tr = s.r, s.r + 5.0
    circ = 2.0 * math.pi * tr
    ids = (lambda part: ' id="%s-%s"' % (gid, part)) if gid else (lambda part: "")
    at = 'transform="translate(%s %s)"' % (fmt(cx), fmt(cy))
    c = r * 0.55
    bw = s.small * 2.4
    picture = "".join((
        '<g%s class="%s" aria-hidden="true" %s>' % (ids("deco"), deco_class(cls) if gid else cls, at),
        '<circle class="raft-timer-track" r="%s"/>' % fmt(tr),
        '<circle%s class="raft-timer" r="%s" transform="rotate(-90)" stroke-dasharray="%s" stroke-dashoffset="%s"/>'
        % (ids("timer"), fmt(tr), fmt(circ), timer_offset if timer_offset is not None else fmt(circ * 0.35)),
        '<circle class="raft-node" r="%s"/>' % fmt(r),
        '<text%s class="raft-letter" y="%s" text-anchor="middle">%s</text>'
        % (ids("letter"), fmt(s.letter * 0.36), esc(letter)),
        '<path class="raft-cross" d="M-%s,-%sL%s,%sM%s,-%sL-%s,%s"/>' % ((fmt(c),) * 8),
        '<path class="raft-heart" d="M0,%sl-5,-5a3,3 0 0 1 5,-4a3,3 0 0 1 5,4z"/>' % fmt(-tr - 4),
        '<text%s class="raft-small" y="%s" text-anchor="middle">%s</text>'
        % (ids("votes"), fmt(tr + s.font + s.small + 4.0), esc(votes)),
        '<g class="raft-badge" transform="translate(%s %s)"><rect x="%s" y="%s" width="%s" '
        'height="%s" rx="%s"/><text%s y="%s" text-anchor="middle">%s</text></g>'
        % (fmt(-tr - bw * 0.35), fmt(-tr * 0.75), fmt(-bw / 2), fmt(-s.small * 0.75), fmt(bw), fmt(s.small * 1.45),
           fmt(s.small * 0.7), ids("term"), fmt(s.small * 0.36), esc(term)),
    ))
    name_text = '<text class="raft-name" y="%s" text-anchor="middle">%s</text>' % (fmt(tr + s.font + 1.0), esc(name))
    if not gid:
        return picture + name_text + "</g>"
    return "".join((
        picture, "</g>",
        '<g id="%s" class="%s" data-server="%s" tabindex="0" role="button" aria-label="%s" %s>'
        % (gid, cls, esc(name), esc(aria or name), at),
        '<circle class="raft-focus" r="%s"/>' % fmt(tr + 5),
        '<circle class="raft-hit" r="%s"/>' % fmt(tr + 2),
        name_text,
        "</g>",
    ))


def deco_class(cls: str) -> str:
    """The picture's class for a server button's class (the same role and state classes)."""
    return cls.replace("raft-server", "raft-server-deco", 1)
