"""The diagram's vocabulary — roles, terms, timers, log cells, commit bar, snapshots, messages
— drawn with the diagram's own glyphs (:mod:`raftsite.glyphs`), and the ```` ```raft-legend ````
block that puts it on a page (the home page). A page writes an empty block; the build replaces
it with :func:`legend_svg`, so the legend can never drift from what the diagrams draw."""

from __future__ import annotations

import math

from raftsite.glyphs import CSS, SIZES, TERM_PALETTE, Size, chars, message_glyph, server_glyph
from raftsite.markup import esc, fmt, wrap

__all__ = ["legend_svg", "fence_format", "fence_validator"]


def _legend_items(s: Size):
    """[(section, [(glyph markup centred on (0, 0), height, text)])]"""
    circ = 2.0 * math.pi * (s.r + 5.0)

    def srv(role, letter, term="T3", votes="", extra="", off=0.35):
        tr = s.r + 5.0
        h = 2 * (tr + 12.0) if not votes else 2 * (tr + s.font + s.small + 8.0)
        return (server_glyph(s, 0.0, 0.0, "", "raft-server raft-role-%s%s" % (role, extra), letter, term, votes,
                             fmt(circ * off)), h)

    def cell(cls, term, label=None, w=None):
        w = w or s.cell_w
        return ('<g class="raft-cell raft-t%d %s"><rect x="%s" y="%s" width="%s" height="%s" rx="3"/>'
                '<text class="raft-mono" y="%s" text-anchor="middle">%s</text></g>'
                % (term % len(TERM_PALETTE), cls, fmt(-w / 2), fmt(-s.cell_h / 2), fmt(w), fmt(s.cell_h),
                   fmt(s.small * 0.35), label if label is not None else term), s.cell_h + 10.0)

    def msgs(*kinds):
        out, x = [], -(len(kinds) - 1) * 16.0
        for kind, ok, n in kinds:
            cls, inner = message_glyph(s, kind, ok=ok, count=n)
            out.append('<g class="%s" transform="translate(%s 0)">%s</g>' % (cls, fmt(x), inner))
            x += 32.0
        return "".join(out), 30.0

    bar = ('<g class="raft-cell raft-t1 raft-committed"><rect x="%s" y="%s" width="%s" height="%s" rx="3"/></g>'
           '<path class="raft-commit-bar" d="M%s,%sV%s"/>'
           % (fmt(-s.cell_w - 2), fmt(-s.cell_h / 2), fmt(s.cell_w), fmt(s.cell_h), fmt(1.0), fmt(-s.cell_h / 2 - 2),
              fmt(s.cell_h / 2 + 2)), s.cell_h + 10.0)
    snap = ('<g class="raft-snapcell"><rect x="-30" y="%s" width="60" height="%s" rx="3"/>'
            '<text y="%s" text-anchor="middle">snap \u22648</text></g>'
            % (fmt(-s.cell_h / 2), fmt(s.cell_h), fmt(s.small * 0.35)), s.cell_h + 10.0)
    marks = ('<g class="raft-cell raft-t1 raft-committed"><rect x="%s" y="%s" width="%s" height="%s" rx="3"/></g>'
             '<circle class="raft-mark-applied" cx="-6" cy="%s" r="2.5"/>'
             '<path class="raft-mark-match" d="M6,%sl-4,5h8z"/>'
             % (fmt(-s.cell_w / 2), fmt(-s.cell_h / 2 - 4), fmt(s.cell_w), fmt(s.cell_h), fmt(s.cell_h / 2 + 3 - 4),
                fmt(s.cell_h / 2 + 0.5 - 4)), s.cell_h + 14.0)
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
        per = chars(colw - tx - 6.0, s.font)
        body, bottom = [], 0.0
        for c, col in enumerate(columns):
            x0, y = c * colw, 4.0
            for section, items in col:
                y += s.font + 8.0
                body.append('<text class="raft-name" x="%s" y="%s">%s</text>' % (fmt(x0 + 4), fmt(y), esc(section)))
                y += 8.0
                for glyph, h, text in items:
                    lines = wrap(text, per)
                    block = max(h, len(lines) * (s.font + 4.0) + 4.0)
                    cy = y + block / 2
                    body.append('<g transform="translate(%s %s)">%s</g>' % (fmt(x0 + gx), fmt(cy), glyph))
                    ty = cy - (len(lines) - 1) * (s.font + 4.0) / 2 + s.font * 0.35
                    body.extend('<text x="%s" y="%s">%s</text>' % (fmt(x0 + tx), fmt(ty + i * (s.font + 4.0)), esc(line))
                                for i, line in enumerate(lines))
                    y += block + 6.0
            bottom = max(bottom, y)
        pid = prefix if name == "wide" else prefix + "-n"
        out.append('<svg xmlns="http://www.w3.org/2000/svg" id="%s" class="raft-svg raft-svg--%s raft-legend" '
                   'viewBox="0 0 %s %s" role="img" aria-labelledby="%s-title" data-size="%s">'
                   '<title id="%s-title">How to read a diagram: %s</title><style>%s</style>%s</svg>'
                   % (pid, name, fmt(s.width), fmt(bottom + 4.0), pid, name, pid,
                      esc("; ".join(t for _, items in sections for _, _, t in items)), CSS, "".join(body)))
    return "".join(out)


def fence_validator(language, inputs, options, attrs, md) -> bool:
    return True


def fence_format(source, language, class_name, options, md, **kwargs) -> str:
    if source.strip():
        raise ValueError("raft-legend: the block takes no options; leave it empty")
    return '<div class="raft-legend-figure">%s</div>' % legend_svg()
