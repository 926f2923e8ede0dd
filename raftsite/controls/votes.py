"""Scene 07: a side table of how each voter answered the latest candidate, and why.

The written form of the ``votes`` layer (:mod:`raftsite.layers.votes`): one row per voter
with the two last entries the election restriction compares (§5.4.1), the answer, and the
voter's reason in its own words — all read from the decisions the voters recorded
(``ClusterView.vote_decisions``), none recomputed here. Earlier elections stay listed below the
current one, one line each, so a reader who looks away does not lose them.

The cluster keeps only each voter's latest answer to each candidate, so a candidate's second
try overwrites the answers to its first. The control therefore collects every answer as it is
made: a voter answers only while it handles a delivered RequestVote, and the cluster's
delivery observers run before each delivery is handled — so collecting at every delivery
(and at every frame) sees each answer before anything can overwrite it, at any speed.
"""

from __future__ import annotations

from raftsite.blocks.fields import Field
from raftsite.controls.base import Control
from raftsite.markup import esc
from raftsite.layers.votes import current_election, decision_dict, last_text

EARLIER = 4  # earlier elections summarised under the table


class Votes(Control):
    kind = "votes"
    doc = ("a table of each voter's answer to the latest candidate: the candidate's last entry and the voter's "
           "(term, index), granted or refused, and why; earlier elections summarised below")
    fields = {"caption": Field("str", "the table's caption (`{candidate}` and `{term}` are filled in)", False, None)}
    unique = True
    example = "{kind: votes}"

    @classmethod
    def panel_html(cls, c, scene_id):
        return ('<div class="raft-scene__panel raft-scene__table raft-votes-panel" data-panel="votes" aria-live="off">'
                '<p class="raft-muted">Each voter’s answer to a candidate appears here, with the comparison '
                'it made.</p></div>')

    def __init__(self, scene, c):
        super().__init__(scene, c)
        #: every election answered so far: (candidate, term, pre_vote) -> {voter: decision}
        self.elections: dict[tuple, dict] = {}
        self._seen: dict[tuple, object] = {}  # (voter, candidate) -> the decision last collected

    def attach(self, cluster, run):
        self.elections = {}
        self._seen = {}
        cluster.add_observer(lambda flight: self._collect())

    def _collect(self) -> None:
        for d in self.scene.cluster.view(log_window=0).vote_decisions:
            key = (d.voter, d.candidate)
            if self._seen.get(key) is not d:
                self._seen[key] = d
                self.elections.setdefault((d.candidate, d.term, d.pre_vote), {})[d.voter] = d

    def _history(self) -> list[tuple]:
        """Every election, oldest first (by its latest answer): (candidate, term, pre_vote, answers)."""
        self._collect()
        items = [(*k, dict(sorted(ds.items()))) for k, ds in self.elections.items()]
        return sorted(items, key=lambda e: (max(d.time for d in e[3].values()), e[1], e[0]))

    def _panel_html(self) -> str:
        from raftsite.charts import html_table

        election = current_election(self.scene.cluster.view(log_window=0))
        if election is None:
            return ('<p class="raft-muted">No candidate has asked for votes yet. Each voter’s answer will appear '
                    'here, with the comparison it made.</p>')
        cand, term, pre, decisions = election
        kind = "PreVote" if pre else "RequestVote"
        caption = (self.c.get("caption") or "{candidate} asks for votes in term {term}: each voter compares the "
                   "last entries (term first, then index)").replace("{candidate}", cand).replace("{term}", str(term))
        rows = []
        for name, d in decisions.items():
            rows.append([name, last_text(d.candidate_last), last_text(d.voter_last),
                         "granted" if d.granted else "refused", d.reason])
        granted = sum(1 for d in decisions.values() if d.granted) + 1  # the candidate votes for itself
        table = html_table(caption + (" (PreVote)" if pre else ""),
                           ["Voter", f"{cand}'s last entry", "voter's last entry", kind, "why"], rows,
                           table_id=self.scene.config["id"] + "-votes")
        parts = [table, '<p class="raft-votes-panel__tally">%s: %d vote%s so far (its own included)</p>'
                 % (esc(cand), granted, "" if granted == 1 else "s")]
        earlier = [e for e in reversed(self._history()) if e[:3] != (cand, term, pre)][:EARLIER]
        if earlier:
            items = []
            for ecand, eterm, epre, ds in earlier:
                said = ", ".join(f"{v} {'✓' if d.granted else '✗'}" for v, d in ds.items())
                items.append("<li>%s, %sterm %d: %s</li>" % (esc(ecand), "PreVote, " if epre else "", eterm, esc(said)))
            parts.append('<p class="raft-votes-panel__earlier">Earlier elections (✓ granted, ✗ refused):</p>'
                         '<ul class="raft-votes-panel__list">%s</ul>' % "".join(items))
        return "".join(parts)

    def panels(self, full):
        return self.fresh({"votes": self._panel_html()}, full)

    def status(self):
        history = [{"candidate": c, "term": t, "pre_vote": p,
                    "granted": [v for v, d in ds.items() if d.granted],
                    "refused": [v for v, d in ds.items() if not d.granted]} for c, t, p, ds in self._history()]
        election = current_election(self.scene.cluster.view(log_window=0))
        if election is None:
            return {"votes": None, "vote_history": history}
        cand, term, pre, decisions = election
        return {"votes": {"candidate": cand, "term": term, "pre_vote": pre,
                          "decisions": {v: decision_dict(d) for v, d in decisions.items()}},
                "vote_history": history}
