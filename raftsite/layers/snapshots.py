"""Scene 12's layer: each server's snapshot, and a digest of its state machine.

Log compaction (thesis §5.1) replaces the prefix of a server's log by a snapshot: the state
machine as of the last compacted entry, with that entry's index and term. The renderer draws
the entries a server still holds; this layer draws, beside each server's key:value table,
the compacted prefix as a grey box — "snapshot ≤ i (term t)" — or a dashed empty box while
the server has none; and under the server's name a short digest of its state machine right
now, with the index it has applied up to ("sm 3fa9c1 @12").

The digest is the checker's own summary of a state machine (:meth:`raftcore.kv.KVStore.digest`,
every key and every client session), hashed to six hex digits for the eye: two servers showing
the same digest at the same applied index hold identical state machines, which is what a
follower brought up to date by InstallSnapshot must end with.
"""

from __future__ import annotations

import hashlib

from raftcore.view import ServerView
from raftsite.layers import Layer, frame_view
from raftsite.markup import esc, fmt

BOX_W = 46.0
BOX_H = 42.0


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

    def draw(self, renderer) -> str:
        view = frame_view(renderer)
        out = []
        for g in renderer.servers:
            s = view.server(g.name)
            key = (g.name, g.cx, g.cy, g.info_x, g.info_y, s.snapshot, state_digest(s))
            html = self._cache.get(key)
            if html is None:
                html = self._server(g, key[5], key[6])
                if len(self._cache) > 512:
                    self._cache.clear()
                self._cache[key] = html
            out.append(html)
        return "".join(out)

    @staticmethod
    def _server(g, snap, sm) -> str:
        # the box: right of the key:value table (96 wide) in the server's info block, clear of
        # the server's term badge when the block is on the server's left
        left = g.info_x < 0
        x = g.cx + g.info_x + (98.0 if left else 100.0)
        y = g.cy + g.info_y
        cx = x + BOX_W / 2
        if snap is None:
            box = ('<g class="raft-snapbox raft-snapbox--none"><title>%s has no snapshot: its log starts at '
                   'index 1</title><rect x="%s" y="%s" width="%s" height="%s" rx="3"/>'
                   '<text class="raft-small" x="%s" y="%s" text-anchor="middle">no</text>'
                   '<text class="raft-small" x="%s" y="%s" text-anchor="middle">snapshot</text></g>'
                   % (esc(g.name), fmt(x), fmt(y), fmt(BOX_W), fmt(BOX_H), fmt(cx), fmt(y + 17), fmt(cx), fmt(y + 28)))
        else:
            index, term = snap
            box = ('<g class="raft-snapbox"><title>%s\u2019s snapshot: its state machine as of index %d '
                   '(term %d); the log up to there is discarded</title>'
                   '<rect x="%s" y="%s" width="%s" height="%s" rx="3"/>'
                   '<text class="raft-small" x="%s" y="%s" text-anchor="middle">snapshot</text>'
                   '<text class="raft-small" x="%s" y="%s" text-anchor="middle">\u2264 %d</text>'
                   '<text class="raft-small" x="%s" y="%s" text-anchor="middle">term %d</text></g>'
                   % (esc(g.name), index, term, fmt(x), fmt(y), fmt(BOX_W), fmt(BOX_H), fmt(cx), fmt(y + 11),
                      fmt(cx), fmt(y + 23), index, fmt(cx), fmt(y + 35), term))
        # the digest: under the server's name (and its vote tally, while a candidate)
        dy = g.cy + 28.0 + 41.0
        if sm is None:
            dig = ('<text class="raft-small raft-muted raft-smdigest" x="%s" y="%s" text-anchor="middle">'
                   'state machine lost</text>' % (fmt(g.cx), fmt(dy)))
        else:
            d, applied = sm
            dig = ('<text class="raft-small raft-mono raft-smdigest" x="%s" y="%s" text-anchor="middle" '
                   'data-sm-of="%s" data-digest="%s" data-applied="%d"><title>digest of %s\u2019s state machine '
                   '(every key and client session) after applying index %d</title>sm %s @%d</text>'
                   % (fmt(g.cx), fmt(dy), esc(g.name), d, applied, esc(g.name), applied, d, applied))
        return box + dig
