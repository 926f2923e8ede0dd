"""Scene 12's layer: each server's snapshot, and a digest of its state machine.

Log compaction (thesis §5.1) replaces the prefix of a server's log by a snapshot: the state
machine as of the last compacted entry, with that entry's index and term. The renderer's log
grid draws the compacted prefix as a grey block; this layer adds, in a card per server under
the servers, the snapshot — a grey box "snapshot ≤ i, term t", or a dashed empty box while the
server has none — and a short digest of its state machine right now, with the index it has
applied up to ("sm 3fa9c1 @12").

The digest is the checker's own summary of a state machine (:meth:`raftcore.kv.KVStore.digest`,
every key and every client session), hashed to six hex digits for the eye: two servers showing
the same digest at the same applied index hold identical state machines, which is what a
follower brought up to date by InstallSnapshot must end with.
"""

from __future__ import annotations

import hashlib

from raftcore.view import ServerView
from raftsite.layers import Layer, frame_view
from raftsite.layers.disk import CARD_MIN_W, card_height, card_place
from raftsite.markup import esc, fmt


def short_digest(digest: str) -> str:
    """Six hex digits standing for a state machine's full digest."""
    return hashlib.sha256(digest.encode()).hexdigest()[:6]


def state_digest(server: ServerView) -> tuple[str, int] | None:
    """(short digest, last applied index) of a live server's state machine; None if crashed."""
    if not server.alive:
        return None
    return short_digest(server.state.digest), server.last_applied


class Snapshots(Layer):
    name = "snapshots"
    doc = ("each server's snapshot as a grey box (last included index and term) and a digest of its "
           "state machine with its applied index")
    z = "over"

    def __init__(self, config):
        super().__init__(config)
        self._cache: dict = {}

    LINES = 2

    def band(self, canvas) -> float:
        return canvas.cards_height(len(canvas.servers), card_height(canvas, self.LINES), CARD_MIN_W)

    def draw(self, renderer) -> str:
        view = frame_view(renderer)
        out = []
        for g in renderer.servers:
            s = view.server(g.name)
            key = (g.name, renderer.size.name, renderer.band(self.name), s.snapshot, state_digest(s))
            html = self._cache.get(key)
            if html is None:
                html = self._server(renderer, g, key[3], key[4])
                if len(self._cache) > 512:
                    self._cache.clear()
                self._cache[key] = html
            out.append(html)
        return "".join(out)

    def _server(self, canvas, g, snap, sm) -> str:
        x, y, w, h = card_place(canvas, self.name, g, self.LINES)
        lh = canvas.line_h
        if snap is None:
            box = ('<g class="raft-snapbox raft-snapbox--none"><title>%s has no snapshot: its log starts at '
                   'index 1</title><rect x="%s" y="%s" width="%s" height="%s" rx="3"/>'
                   '<text class="raft-small" x="%s" y="%s">%s: no snapshot</text></g>'
                   % (esc(g.name), fmt(x), fmt(y), fmt(w), fmt(lh + 4), fmt(x + 5), fmt(y + lh), esc(g.name)))
        else:
            index, term = snap
            box = ('<g class="raft-snapbox"><title>%s\u2019s snapshot: its state machine as of index %d '
                   '(term %d); the log up to there is discarded</title>'
                   '<rect x="%s" y="%s" width="%s" height="%s" rx="3"/>'
                   '<text class="raft-small" x="%s" y="%s">%s: snap \u2264%d, t%d</text></g>'
                   % (esc(g.name), index, term, fmt(x), fmt(y), fmt(w), fmt(lh + 4), fmt(x + 5), fmt(y + lh),
                      esc(g.name), index, term))
        dy = y + 2 * lh + 3
        if sm is None:
            dig = ('<text class="raft-small raft-muted raft-smdigest" x="%s" y="%s">state machine lost</text>'
                   % (fmt(x + 5), fmt(dy)))
        else:
            d, applied = sm
            dig = ('<text class="raft-small raft-mono raft-smdigest" x="%s" y="%s" '
                   'data-sm-of="%s" data-digest="%s" data-applied="%d"><title>digest of %s\u2019s state machine '
                   '(every key and client session) after applying index %d</title>sm %s @%d</text>'
                   % (fmt(x + 5), fmt(dy), esc(g.name), d, applied, esc(g.name), applied, d, applied))
        return box + dig
