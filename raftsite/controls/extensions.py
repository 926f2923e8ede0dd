"""PreVote and CheckQuorum on and off (scene 10): two switches that restart the scene with them.

Both are extensions from Ongaro's thesis, not rules of Figure 2, and both are about a server
that cannot reach a majority:

* **PreVote** (thesis §9.6): a server whose election timer fires first asks "would you vote for
  me?" without raising its term; only if a majority says yes does it start a real election. A
  server cut off from the others therefore keeps its term, and when it rejoins it cannot depose
  a working leader with a higher term.
* **CheckQuorum** (thesis §6.2): a leader that has not heard from a majority within an election
  timeout steps down, so a leader stranded in a minority stops accepting writes that can never
  commit; with it comes leader stickiness (servers that heard from a leader lately ignore
  RequestVote).

The block states how the scene starts (``pre_vote``, ``check_quorum``); the switches override
the scenario's ``cluster`` line, so the script is the same and only the rule changes.
"""

from __future__ import annotations

from raftsite.blocks.fields import Field
from raftsite.controls.base import Control, esc

EXTENSIONS = {
    "pre_vote": "PreVote (thesis §9.6): ask before raising the term",
    "check_quorum": "CheckQuorum (thesis §6.2): a leader without a majority steps down",
}


class Extensions(Control):
    kind = "extensions"
    doc = ("two switches, PreVote and CheckQuorum (thesis §9.6, §6.2), that restart the scene with the "
           "extension on or off")
    fields = {
        "pre_vote": Field("bool", "PreVote when the scene starts", False, False),
        "check_quorum": Field("bool", "CheckQuorum when the scene starts", False, False),
    }
    unique = True
    example = "{kind: extensions, pre_vote: false, check_quorum: false}"

    @classmethod
    def html(cls, c, scene_id):
        boxes = "".join(
            f'<label class="raft-control"><input type="checkbox" data-control="extensions" data-target="{key}" '
            f'data-restarts{" checked" if c[key] else ""} disabled> {esc(label)}</label>'
            for key, label in EXTENSIONS.items()
        )
        return f'<span class="raft-control raft-control--extensions" role="group" aria-label="Raft extensions">{boxes}</span>'

    def __init__(self, scene, c):
        super().__init__(scene, c)
        self.on = {key: bool(c.get(key)) for key in EXTENSIONS}

    def applies_to(self, target):
        return not target or target in EXTENSIONS

    def configure(self, overrides, base):
        overrides.update(self.on)

    def set(self, target, value):
        if target not in EXTENSIONS:
            raise ValueError(f"extensions: unknown extension {target!r}; known: {', '.join(EXTENSIONS)}")
        self.on[target] = str(value).lower() in ("on", "true", "1")
        return True

    def status(self):
        return {"extensions": dict(self.on)}
