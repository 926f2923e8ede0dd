"""One-entry-at-a-time backup versus the conflict-term hint (scene 06), with a round-trip table."""

from __future__ import annotations

from raftsite.blocks.fields import Field
from raftsite.controls.base import Control, esc


class RoundTrips:
    """Counts, for each follower, the AppendEntries round trips its leader needs to repair its
    log: the distinct prevLogIndex values the follower rejected, plus the accepted one.

    It watches the cluster's deliveries; a follower counts as repaired the first time its log
    equals the leader's."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.rejected: dict[str, set] = {}
        self.done: dict[str, int] = {}
        self.leader = None
        cluster.add_observer(self.delivered)

    def delivered(self, f) -> None:
        m = f.msg
        if type(m).__name__ == "AppendEntriesReply" and not m.success:
            self.rejected.setdefault(m.src, set()).add(m.reject_index)

    def update(self) -> None:
        view = self.cluster.view(log_window=None)
        if view.leader is None:
            return
        self.leader = view.leader
        leader = view.server(view.leader)
        entries = _entries(leader)
        for s in view.servers:
            if s.name == leader.name or s.name in self.done or not s.alive:
                continue
            progress = leader.progress_of(s.name)
            if _entries(s) == entries and progress is not None and progress.match_index >= leader.log.last_index:
                self.done[s.name] = len(self.rejected.get(s.name, ())) + 1

    def counts(self) -> dict[str, int]:
        return dict(self.done)


def _entries(server) -> tuple:
    """A server's log as (index, term, command) — what two logs must share to be equal."""
    return tuple((e.index, e.term, e.command) for e in server.log.entries)


class Backtrack(Control):
    kind = "backtrack"
    doc = ("a switch between one-entry-at-a-time backup and the conflict-term hint (restarts the scene), "
           "with a table of round trips per follower for each")
    fields = {"label": Field("str", "the switch's label", False, None)}
    unique = True
    example = "{kind: backtrack}"

    @classmethod
    def html(cls, c, scene_id):
        label = c["label"] or "Conflict-term hint (skip a whole term per round trip)"
        return (f'<label class="raft-control"><input type="checkbox" data-control="backtrack" data-restarts '
                f'disabled> {esc(label)}</label>')

    @classmethod
    def panel_html(cls, c, scene_id):
        return ('<div class="raft-scene__panel raft-scene__table" data-panel="table" aria-live="off">'
                '<p class="raft-muted">Round trips per follower appear here as the leader repairs each log.</p></div>')

    def __init__(self, scene, c):
        super().__init__(scene, c)
        self.fast = False
        self.roundtrips: dict[str, dict[str, int]] = {"slow": {}, "fast": {}}
        self.trips: RoundTrips | None = None

    def configure(self, overrides, base):
        overrides["fast_backtrack"] = self.fast

    def attach(self, cluster, run):
        self.trips = RoundTrips(cluster)

    def set(self, target, value):
        self.fast = str(value).lower() in ("on", "true", "1", "fast")
        return True

    def _table_html(self) -> str:
        from raftsite.charts import html_table

        mode = "fast" if self.fast else "slow"
        trips = self.trips
        trips.update()
        self.roundtrips[mode].update(trips.counts())
        lead = trips.leader
        names = self.scene.cluster.view(log_window=0).names
        rows = []
        for n in names:
            if n == lead or (lead is None and n == names[0]):
                continue
            cells = [n]
            for m in ("slow", "fast"):
                v = self.roundtrips[m].get(n)
                if v is None and m == mode:
                    cells.append("%d…" % (len(trips.rejected.get(n, ())) + 1))
                else:
                    cells.append("—" if v is None else str(v))
            rows.append(cells)
        return html_table("AppendEntries round trips until each follower’s log matches the leader’s",
                          ["Follower", "One entry at a time", "Conflict-term hint"], rows,
                          table_id=self.scene.config["id"] + "-roundtrips")

    def panels(self, full):
        return self.fresh({"table": self._table_html()}, full)

    def status(self):
        return {"backtrack": "fast" if self.fast else "slow", "roundtrips": self.roundtrips}
