"""A button that submits one client command (``{n}`` counts the clicks)."""

from __future__ import annotations

from raftsite.blocks.fields import Field
from raftsite.controls.base import Control, esc


class Client(Control):
    kind = "client"
    doc = "a button that submits one client command to the cluster"
    fields = {
        "command": Field("str", "the command it submits; `{n}` is replaced by 1, 2, 3… (e.g. `SET x {n}`)",
                         False, "SET x {n}"),
        "label": Field("str", "the button's label", False, None),
    }
    example = "{kind: client, command: 'SET x {n}'}"

    @classmethod
    def html(cls, c, scene_id):
        label = c["label"] or f"Client: {c['command'].replace('{n}', 'n')}"
        return (f'<button type="button" class="md-button raft-btn" data-control="client" '
                f'data-value="{esc(c["command"])}" disabled>{esc(label)}</button>')

    def __init__(self, scene, c):
        super().__init__(scene, c)
        self.n = 0

    def set(self, target, value):
        self.n += 1
        cmd = str(value or self.c.get("command") or "SET x {n}").replace("{n}", str(self.n))
        self.scene.cluster.submit(cmd, client="reader")
        return False
