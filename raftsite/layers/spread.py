"""Servers spread over the whole stage (the playground): room for up to nine servers' labels.

The renderer's ring is sized for the scenes' three to five servers; with seven to nine, a
server's name meets its neighbour's term badge. The playground also draws ``partitions``,
whose stage is tall enough for a column of all servers but one — so while the network is
whole, this layer places the servers on an ellipse that fills that stage: as wide as the
labels allow and as tall as the stage, which keeps every name, badge and tally apart. While
the network is partitioned it places nothing, and the partitions' columns (listed first in
``draw:``) place the servers.
"""

from __future__ import annotations

import math

from raftsite.layers import Layer, frame_view, partitions


class Spread(Layer):
    name = "spread"
    doc = ("servers on an ellipse filling the whole stage while the network is whole (for many servers; list "
           "it after `partitions`, whose columns place them while the network is split)")
    z = "under"

    def __init__(self, config: dict):
        super().__init__(config)
        self._key = None
        self._pos: dict = {}

    def positions(self, renderer) -> dict:
        view = frame_view(renderer)
        names = list(view.names)
        n = len(names)
        key = (view.blocked, view.names, renderer.size.name, renderer.height)
        if key == self._key:
            return self._pos
        pos: dict = {}
        if n >= 4 and len(partitions.groups(renderer.cluster, view)) < 2:
            s = renderer.size
            top = renderer.r + 2 * s.font + 12.0  # the badge and the timer ring above the top server
            below = renderer.r + s.font + s.small + 14.0  # the name and the vote tally under the lowest
            ry = max((renderer.height - top - below) / 2, renderer.r * 2)
            rx = renderer.width / 2 - renderer.r - 40.0  # the term badge sticks out on the left
            cx0, cy0 = renderer.width / 2, top + ry
            for i, name in enumerate(names):
                a = -math.pi / 2 + 2 * math.pi * i / n
                if n >= 6:
                    a -= math.pi / n  # two servers side by side at the top, as the ring has it
                pos[name] = (round(cx0 + rx * math.cos(a), 1), round(cy0 + ry * math.sin(a), 1))
        self._key, self._pos = key, pos
        return pos

    def draw(self, renderer) -> str:
        return ""
