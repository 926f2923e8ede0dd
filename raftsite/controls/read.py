"""A button with which a client reads a key through the cluster's read path (scene 10).

Writes have the ``client`` control; a read is different: it need not enter the log, and how the
leader makes sure its answer is not stale is exactly what the ``read_mode`` control varies.
The read is recorded in the client's history like any operation, so the history panel checks
it.
"""

from __future__ import annotations

from raftsite.blocks.fields import Field
from raftsite.controls.base import Control, esc


class Read(Control):
    kind = "read"
    doc = "a button with which a client reads a key through the configured read path (ReadIndex, log, lease…)"
    fields = {
        "key": Field("str", "the key it reads", False, "x"),
        "client": Field("str", "the client that reads (its own session and lane in the history)", False, "reader-r"),
        "label": Field("str", "the button's label", False, None),
    }
    example = "{kind: read, key: x, client: reader-r}"

    @classmethod
    def html(cls, c, scene_id):
        label = c["label"] or f"Client {c['client']}: GET {c['key']}"
        return (f'<button type="button" class="md-button raft-btn" data-control="read" '
                f'data-target="{esc(c["client"])}" data-value="{esc(c["key"])}" disabled>{esc(label)}</button>')

    def applies_to(self, target):
        return not target or target == self.c["client"]

    def set(self, target, value):
        key = str(value or self.c["key"]).strip()
        if not key or any(ch.isspace() for ch in key):
            raise ValueError(f"read: a key is one word, got {value!r}")
        self.scene.cluster.read(key, client=self.c["client"])
        return False
