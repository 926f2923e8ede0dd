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

def card_height(canvas, lines: int) -> float:
    """A card of ``lines`` lines of small text, at the drawing's size."""
    return lines * canvas.line_h + 10.0


#: Narrowest card: the longest line a card shows ("S5 (T1,#1) vs mine (T2,#3)") at the
#: drawing's small text; two columns on a desktop, one on a phone.
CARD_MIN_W = 240.0


def card_place(canvas, layer: str, g, lines: int) -> tuple[float, float, float, float]:
    """``(x, y, width, height)`` of server ``g``'s card in the band under the stage that layer
    ``layer`` reserved (:meth:`raftsite.render.Canvas.card_slots`): one card per server, in
    the servers' order, so no card ever covers a server, a message or another card."""
    h = card_height(canvas, lines)
    k = [s.name for s in canvas.servers].index(g.name)
    x, y, w = canvas.card_slots(layer, len(canvas.servers), h, CARD_MIN_W)[k]
    return x, y, w, h


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
    """A layer of one card per server (placed by :func:`card_place`), each redrawn only when
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
    LINES = 5

    def band(self, canvas) -> float:
        return canvas.cards_height(len(canvas.servers), card_height(canvas, self.LINES), CARD_MIN_W)

    def draw(self, renderer) -> str:
        view = frame_view(renderer)
        out = []
        for g in renderer.servers:
            s = view.server(g.name)
            key = (s.disk, s.alive, s.commit_index if s.alive else None, s.last_applied if s.alive else None,
                   role_text(s) if s.alive else None, renderer.size.name, renderer.band(self.name))
            out.append(self.card(renderer.size.name + g.name, key, lambda: self._card(renderer, g, s)))
        return "".join(out)

    def _card(self, renderer, g, s: ServerView) -> str:
        busy = s.disk.writing
        d = disk_facts(s)
        m = memory_facts(s)
        x, y, w, h = card_place(renderer, self.name, g, self.LINES)
        lh = renderer.line_h
        log = log_terms_text(d["log"], d["snapshot_index"])
        lines = ["%s disk: T%d · voted %s" % (g.name, d["current_term"], d["voted_for"] or "—"), "log " + log,
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
            % (fmt(x), fmt(y), fmt(w), fmt(h)),
            # a disk: a small cylinder
            '<path class="raft-disk__icon" d="M%s,%sv9a6,2.5 0 0 0 12,0v-9a6,2.5 0 0 0 -12,0a6,2.5 0 0 0 12,0"/>'
            % (fmt(x + 5.0), fmt(y + 7.0)),
        ]
        line_cls = ("raft-disk__term", "raft-mono raft-disk__log", "raft-disk__writing" if busy else "raft-muted")
        for i, (text, lc) in enumerate(zip(lines, line_cls)):
            parts.append('<text class="raft-small %s" x="%s" y="%s">%s</text>'
                         % (lc, fmt(tx), fmt(y + 4.0 + (i + 1) * lh - 3.0), esc(text)))
        my = y + 6.0 + 3 * lh
        parts.append('<path class="raft-card__rule" d="M%s,%sH%s"/>' % (fmt(x + 3.0), fmt(my - 2.0), fmt(x + w - 3.0)))
        # memory: a chip
        parts.append('<rect class="raft-mem__icon" x="%s" y="%s" width="11" height="9" rx="1"/>'
                     % (fmt(x + 6.5), fmt(my + 2.0)))
        for i, text in enumerate(mem):
            parts.append('<text class="raft-small raft-mem__text" x="%s" y="%s">%s</text>'
                         % (fmt(tx), fmt(my + (i + 1) * lh - 3.0), esc(text)))
        if m is None:
            # the state machine (the grid's state cell) is memory too: lost
            sx, sy, sw, sh = renderer.state_box(g.name)
            parts.append('<g class="raft-mem-lost"><title>%s: state machine lost in the crash</title>'
                         '<rect x="%s" y="%s" width="%s" height="%s" rx="3"/>'
                         '<text class="raft-small" x="%s" y="%s">lost</text></g>'
                         % (esc(g.name), fmt(sx), fmt(sy), fmt(sw), fmt(sh - 2.0), fmt(sx + 4.0), fmt(sy + sh / 2 + 4.0)))
        parts.append("</g>")
        return "".join(parts)
