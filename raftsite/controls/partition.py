"""Partition the network by moving servers between two sides (scene 10), and heal it.

The reader drags a server across the diagram's midline, or focuses it and presses ← / →
(or A / B), or picks its side in a per-server menu; "Heal" reconnects everyone. Every one of
those ends in ``Scene.set_control("partition", <server>, "A"|"B")`` (``"heal"`` for the
button), which partitions the live cluster at once — no restart: what the servers do next is
the point. The sides are read back from the network itself (:mod:`raftsite.layers.partitions`),
so partitions made by the scenario script show the same way.
"""

from __future__ import annotations

from raftsite.blocks.fields import Field
from raftsite.controls.base import Control, esc
from raftsite.layers import partitions


class Partition(Control):
    kind = "partition"
    doc = ("move servers between two sides of a network partition: drag a server across the midline, "
           "or focus it and press ← / → (A / B), or pick its side in a menu; a Heal button reconnects them "
           "(draw the sides with `draw: [partitions]`)")
    fields = {
        "label": Field("str", "the label before the per-server menus", False, "Sides:"),
    }
    unique = True
    js = "partition"
    example = "{kind: partition}"

    @classmethod
    def html(cls, c, scene_id):
        return (
            f'<span class="raft-control raft-control--partition" role="group" aria-label="Network partition">'
            f'<span>{esc(c["label"])}</span>'
            f'<span class="raft-partition__menus" data-role="partition-menus"></span>'
            f'<button type="button" class="md-button raft-btn" data-control="partition" data-value="heal" '
            f'disabled>Heal the network</button>'
            f'<span class="raft-control__note raft-muted" id="{esc(scene_id)}-partition-hint">Drag a server '
            f'across the middle, or focus it and press ← / →.</span>'
            f'<span class="raft-partition__status" data-panel="partition" role="status"></span></span>'
        )

    def __init__(self, scene, c):
        super().__init__(scene, c)
        self.moves = 0

    def set(self, target, value):
        cluster = self.scene.cluster
        v = str(value or "").strip()
        if v.lower() == "heal":
            partitions.heal(cluster)
            self.moves += 1
            return False
        names = cluster.view(log_window=0).names
        if target not in names:
            raise ValueError(f"partition: unknown server {target!r}; servers are {', '.join(names)}")
        letter = v.upper()
        if letter not in ("A", "B"):
            raise ValueError(f"partition: a server goes to side A or B, not {value!r}")
        wanted = dict(partitions.sides(cluster))
        if wanted.get(target) != letter:
            wanted[target] = letter
            partitions.assign(cluster, wanted)
            self.moves += 1
        return False

    def render_options(self, opts):
        # what a screen reader hears on each server: the glue's key and this control's keys
        opts["server_hint"] = "Enter crashes or restarts it; left or right arrow moves it to side A or B"

    def _status_html(self) -> str:
        c = self.scene.cluster
        view = c.view(log_window=0)
        gs = partitions.groups(c, view)
        sides = partitions.sides(c, view)
        data = esc(",".join(f"{n}={sides[n]}" for n in view.names))
        if len(gs) < 2:
            text = "One network: every server reaches every other."
        else:
            need = partitions.majority(view)
            text = " · ".join(
                f"Side {letter}: {', '.join(names)} ({'majority' if len(names) >= need else 'no majority'})"
                for letter, names in gs)
        return f'<span data-sides="{data}">{esc(text)}</span>'

    def panels(self, full):
        return self.fresh({"partition": self._status_html()}, full)

    def status(self):
        c = self.scene.cluster
        gs = partitions.groups(c)
        return {"partition": {"sides": dict(partitions.sides(c)), "groups": [names for _, names in gs],
                              "healed": len(gs) < 2, "moves": self.moves}}
