"""Scene 09's layer: each server's stable storage drawn apart from its memory.

Figure 2 splits a server's state in two: ``currentTerm``, ``votedFor`` and ``log[]`` are
"updated on stable storage before responding to RPCs"; everything else (commitIndex,
lastApplied, the state machine, the role, a leader's nextIndex/matchIndex) is volatile and is
lost in a crash. Under each server this layer draws a card with both halves — the disk as the
simulated disk holds it (not the node's copy: ``ServerView.disk``), the memory as the node
holds it — and over a crashed server's key:value table a "lost" mark, since the state
machine is memory too: a restarted server rebuilds it by re-applying its log once it learns
the commit index again.

When the simulation models a disk write time (``persist=MS`` in the scenario, or the
``persistence`` control's slider), a server's messages leave only once the write they depend
on is done (the cluster sends them at ``now + persist_latency``). While a server has such
messages held back (``DiskView.writing``), its disk reads "writing…": the order Figure 2 demands —
persist, then reply — made visible. Nothing is inferred beyond that: a message whose send time
is still in the future is exactly a message waiting for its server's disk.
"""

from __future__ import annotations

from raftcore.view import ClusterView, Role, ServerView
from raftsite.layers import Layer, frame_view
from raftsite.markup import esc, fmt

CARD_W = 150.0
LINE_H = 11.0


def card_origin(renderer, g, height: float, width: float = CARD_W) -> tuple[float, float]:
    """Top-left corner of a card under server ``g``, below its name (and vote tally). Servers in
    the upper part of the drawing have their key:value table and log beside them at card
    height, so their card moves a little away from that side; the lowest servers have room
    straight below. The card stays inside the drawing."""
    shift = 0.0
    if g.cy < renderer.height * 0.6:
        shift = 30.0 if g.info_x < 0 else -30.0
    x = g.cx + shift - width / 2
    y = g.cy + renderer.r + 32.0
    x = min(max(x, 2.0), renderer.width - width - 2.0)
    y = min(y, renderer.height - height - 2.0)
    return x, y


def log_terms_text(terms: list[int], snapshot_index: int = 0, keep: int = 8) -> str:
    """A log as the terms of its entries, the last ``keep`` of them ("…" before if more)."""
    if not terms:
        return "empty" if not snapshot_index else f"snapshot ≤{snapshot_index}"
    shown = ",".join(str(t) for t in terms[-keep:])
    if len(terms) > keep:
        shown = "…," + shown
    return shown


def disk_facts(server: ServerView) -> dict:
    """What the server's disk holds right now (the simulated stable storage itself); ``log``
    lists the terms of the entries in the view's log window."""
    d = server.disk
    return {"current_term": d.current_term, "voted_for": d.voted_for, "log": list(d.log_terms),
            "snapshot_index": d.snapshot_index, "writes": d.writes}


def role_text(server: ServerView) -> str:
    return "pre-candidate" if server.role is Role.PRE_CANDIDATE else str(server.role)


def memory_facts(server: ServerView) -> dict | None:
    """What the server holds in memory (None while it is crashed: its memory is gone)."""
    if not server.alive:
        return None
    out = {"role": role_text(server), "commit_index": server.commit_index, "last_applied": server.last_applied,
           "state": dict(server.state.data)}
    if server.role is Role.LEADER:
        out["next_index"] = {p.peer: p.next_index for p in server.progress}
        out["match_index"] = {p.peer: p.match_index for p in server.progress}
    return out


def writing(view: ClusterView) -> set[str]:
    """Servers whose messages wait for a disk write to finish (see the module docstring)."""
    return {s.name for s in view.servers if s.disk.writing}


class CardLayer(Layer):
    """A layer of one card per server (placed by :func:`card_origin`), each redrawn only when
    the facts it shows — its ``key`` — change. No ``name``: not a layer of its own."""

    def __init__(self, config: dict):
        super().__init__(config)
        self._cache: dict[str, tuple] = {}

    def card(self, server: str, key: tuple, make) -> str:
        hit = self._cache.get(server)
        if hit is None or hit[0] != key:
            hit = (key, make())
            self._cache[server] = hit
        return hit[1]


class DiskLayer(CardLayer):
    name = "disk"
    doc = ("each server's disk (currentTerm, votedFor, log) apart from its memory (commitIndex, lastApplied); "
           "'writing…' while a disk write holds its replies; a crashed server's memory marked lost")
    z = "over"

    def draw(self, renderer) -> str:
        view = frame_view(renderer)
        out = []
        for g in renderer.servers:
            s = view.server(g.name)
            key = (s.disk, s.alive, s.commit_index if s.alive else None, s.last_applied if s.alive else None,
                   role_text(s) if s.alive else None, g.cx, g.cy)
            out.append(self.card(g.name, key, lambda: self._card(renderer, g, s)))
        return "".join(out)

    def _card(self, renderer, g, s: ServerView) -> str:
        busy = s.disk.writing
        d = disk_facts(s)
        m = memory_facts(s)
        h = 5 * LINE_H + 10.0
        x, y = card_origin(renderer, g, h)
        log = log_terms_text(d["log"], d["snapshot_index"])
        lines = ["disk: T%d · voted %s" % (d["current_term"], d["voted_for"] or "—"), "log " + log,
                 "writing… replies wait" if busy else "written"]
        if m is None:
            mem = ["memory: lost in the crash", "commit ? · applied ?"]
            mem_title = "memory: lost in the crash (role, commitIndex, lastApplied, state machine)"
        else:
            mem = ["memory: " + m["role"], "commit %d · applied %d" % (m["commit_index"], m["last_applied"])]
            mem_title = "memory: %s, commitIndex %d, lastApplied %d" % (m["role"], m["commit_index"], m["last_applied"])
        title = ("%s disk: currentTerm %d, votedFor %s, log %s%s. %s"
                 % (g.name, d["current_term"], d["voted_for"] or "none", log,
                    " (writing: replies wait until the write is done)" if busy else "", mem_title))
        cls = "raft-card raft-disk" + (" raft-disk--writing" if busy else "") + (" raft-mem--lost" if m is None else "")
        tx = x + 22.0
        parts = [
            '<g class="%s" data-disk="%s"><title>%s</title>' % (cls, esc(g.name), esc(title)),
            '<rect class="raft-card__box" x="%s" y="%s" width="%s" height="%s" rx="4"/>'
            % (fmt(x), fmt(y), fmt(CARD_W), fmt(h)),
            # a disk: a small cylinder
            '<path class="raft-disk__icon" d="M%s,%sv9a6,2.5 0 0 0 12,0v-9a6,2.5 0 0 0 -12,0a6,2.5 0 0 0 12,0"/>'
            % (fmt(x + 5.0), fmt(y + 7.0)),
        ]
        line_cls = ("raft-disk__term", "raft-mono raft-disk__log", "raft-disk__writing" if busy else "raft-muted")
        for i, (text, lc) in enumerate(zip(lines, line_cls)):
            parts.append('<text class="raft-small %s" x="%s" y="%s">%s</text>'
                         % (lc, fmt(tx), fmt(y + 11.0 + i * LINE_H), esc(text)))
        my = y + 6.0 + 3 * LINE_H
        parts.append('<path class="raft-card__rule" d="M%s,%sH%s"/>' % (fmt(x + 3.0), fmt(my - 2.0), fmt(x + CARD_W - 3.0)))
        # memory: a chip
        parts.append('<rect class="raft-mem__icon" x="%s" y="%s" width="11" height="9" rx="1"/>'
                     % (fmt(x + 6.5), fmt(my + 2.0)))
        for i, text in enumerate(mem):
            parts.append('<text class="raft-small raft-mem__text" x="%s" y="%s">%s</text>'
                         % (fmt(tx), fmt(my + 9.0 + i * LINE_H), esc(text)))
        if m is None:
            # the key:value table is the state machine: memory, lost too
            rows = int(renderer.options.get("state_rows", 3))
            sx, sy = g.cx + g.info_x, g.cy + g.info_y
            parts.append('<g class="raft-mem-lost"><rect x="%s" y="%s" width="96" height="%s" rx="3"/>'
                         '<text class="raft-small" x="%s" y="%s" text-anchor="middle">state machine lost</text></g>'
                         % (fmt(sx), fmt(sy), fmt(rows * 13.0 + 3.0), fmt(sx + 48.0), fmt(sy + rows * 6.5 + 4.0)))
        parts.append("</g>")
        return "".join(parts)
