"""Scene 09: a disk-write-time slider and a table of each server's disk beside its memory.

The table is the written form of the ``disk`` layer (:mod:`raftsite.layers.disk`): per server,
what stable storage holds (currentTerm, votedFor, the log's terms) and what memory holds
(role, commitIndex, lastApplied, the state machine; a leader's matchIndex), with "lost" in
every memory cell of a crashed server. The slider sets how long a disk write takes in the
simulation (``NetworkConfig.persist_latency``): a server sends the messages that depend on a
write only once it is done, so the longer the write, the longer the "writing…" marks last.
"""

from __future__ import annotations

from raftsite.blocks.fields import Field
from raftsite.controls.base import Control, esc, slider_html
from raftsite.layers.disk import disk_facts, log_terms_text, memory_facts, writing


class Persistence(Control):
    kind = "persistence"
    doc = ("a slider for the time a disk write takes (replies wait for it) and a table of each server's disk "
           "(currentTerm, votedFor, log) beside its memory (role, commitIndex, lastApplied, state machine)")
    fields = {
        "write_ms": Field("int", "the disk write time the scene starts with, in simulated ms (replaces the "
                                 "scenario's `persist=`)", False, 4, 0, 50),
        "max_ms": Field("int", "the slider's maximum, in simulated ms", False, 20, 1, 50),
        "label": Field("str", "the slider's label", False, None),
    }
    unique = True
    example = "{kind: persistence, write_ms: 4, max_ms: 20}"

    @classmethod
    def normalise(cls, c):
        from raftsite.controls.base import ControlError

        if c["write_ms"] > c["max_ms"]:
            raise ControlError(f"write_ms ({c['write_ms']}) is above max_ms ({c['max_ms']})")
        return c

    @classmethod
    def html(cls, c, scene_id):
        label = c["label"] or "Disk write time"
        note = f"{esc(scene_id)}-persistence-note"
        return (
            slider_html("persistence", label, c["max_ms"], c["write_ms"], fmt="{v} ms", zero="instant",
                        attrs=f' aria-describedby="{note}"')
            + f'<span class="raft-muted raft-control__note" id="{note}">'
            f'a server sends what depends on a write only once the write is done</span>'
        )

    @classmethod
    def panel_html(cls, c, scene_id):
        return ('<div class="raft-scene__panel raft-scene__table raft-persistence" data-panel="persistence" '
                'aria-live="off"><p class="raft-muted">Each server’s disk and memory appear here once the '
                'simulation runs.</p></div>')

    def __init__(self, scene, c):
        super().__init__(scene, c)
        self.ms = float(c["write_ms"])

    def attach(self, cluster, run):
        cluster.network.persist_latency = self.ms

    def set(self, target, value):
        ms = float(value)
        if not 0 <= ms <= self.c["max_ms"]:
            raise ValueError(f"disk write time must be between 0 and {self.c['max_ms']} ms (got {value!r})")
        self.ms = ms
        self.scene.cluster.network.persist_latency = ms  # takes effect from the next write
        return False

    def _rows(self) -> list[list[str]]:
        view = self.scene.cluster.view()
        rows = []
        for s in view.servers:
            d = disk_facts(s)
            m = memory_facts(s)
            log = log_terms_text(d["log"], d["snapshot_index"], keep=12)
            row = [s.name, str(d["current_term"]), d["voted_for"] or "—",
                   log + (" (writing…)" if s.disk.writing else "")]
            if m is None:
                row += ["lost (crashed)", "lost", "lost", "lost"]
            else:
                role = m["role"]
                if "match_index" in m:
                    role += "; matchIndex " + ", ".join(f"{p}={i}" for p, i in sorted(m["match_index"].items()))
                state = ", ".join(f"{k}={v}" for k, v in sorted(m["state"].items())) or "(empty)"
                row += [role, str(m["commit_index"]), str(m["last_applied"]), state]
            rows.append(row)
        return rows

    def _table_html(self) -> str:
        from raftsite.charts import html_table

        return html_table(
            "Disk (survives a crash) and memory (lost in a crash), per server",
            ["Server", "disk: currentTerm", "disk: votedFor", "disk: log (terms)",
             "memory: role", "memory: commitIndex", "memory: lastApplied", "memory: state machine"],
            self._rows(), table_id=self.scene.config["id"] + "-persistence")

    def panels(self, full):
        return self.fresh({"persistence": self._table_html()}, full)

    def status(self):
        view = self.scene.cluster.view(log_window=None)
        return {
            "disk": {s.name: disk_facts(s) for s in view.servers},
            "memory": {s.name: memory_facts(s) for s in view.servers},
            "writing": sorted(writing(view)),
            "write_ms": self.ms,
        }
