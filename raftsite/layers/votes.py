"""Scene 07's layer: beside each voter, how it answered the latest candidate, and why.

A server grants its vote only to a candidate whose log is at least as up-to-date as its own
(§5.4.1, the election restriction): compare the terms of the last entries, and if they are
equal, the lengths. That comparison lives in ONE place, the voter's
:meth:`raftcore.node.RaftNode.candidate_log_is_up_to_date`; the voter reports each answer as a
:class:`raftcore.node.VoteDecision` (the candidate's last entry as its request carried it, the
voter's own, the verdict, the reason in words) and the cluster's view carries the latest one
per (voter, candidate) in ``ClusterView.vote_decisions``. This layer only draws those
records: it never compares two logs itself.

"The latest candidate" is the candidate of the most recent decision: the election the reader
is watching. Each voter that has answered it gets a card under its circle, e.g.::

    S5 asks for term 3
    S5 (T1,#1) vs mine (T1,#2)
    ✗ refused: my log is more up-to-date:
    same last term 1, my last index 2 > …

and the candidate a card with the last entry it offers. :func:`current_election` is shared
with the ``votes`` control, which lists the same decisions in a side table.
"""

from __future__ import annotations

from raftcore.view import ClusterView
from raftsite.layers import frame_view
from raftsite.glyphs import chars
from raftsite.layers.disk import CARD_MIN_W, CardLayer, card_height, card_place
from raftsite.markup import esc, fmt, wrap

REASON_LINES = 3  # lines of the voter's reason on a card


def last_text(last: tuple[int, int]) -> str:
    """A log's last entry as the paper's comparison reads it: ``(T<term>,#<index>)``;
    an empty log has neither."""
    term, index = last
    return "(empty)" if index == 0 else "(T%d,#%d)" % (term, index)


def current_election(view: ClusterView):
    """``(candidate, term, pre_vote, decisions)`` of the latest election some voter answered —
    ``decisions`` maps each voter to its :class:`~raftcore.node.VoteDecision` for that
    candidate and term, in the cluster's name order — or None before any vote was asked."""
    if not view.vote_decisions:
        return None
    # the most recent decision names the election; ties broken by term, then names (deterministic)
    latest = max(view.vote_decisions, key=lambda d: (d.time, d.term, d.candidate, d.voter))
    cand, term, pre = latest.candidate, latest.term, latest.pre_vote
    decisions = {}
    for name in view.names:
        d = view.decision(name, cand)
        if d is not None and d.term == term and d.pre_vote == pre:
            decisions[name] = d
    return cand, term, pre, decisions


def decision_dict(d) -> dict:
    """A decision as plain data (tests, the status JSON)."""
    return {"voter": d.voter, "candidate": d.candidate, "term": d.term, "pre_vote": d.pre_vote,
            "candidate_last": list(d.candidate_last), "voter_last": list(d.voter_last),
            "granted": d.granted, "up_to_date": d.up_to_date, "reason": d.reason, "time": d.time}


def asking(view: ClusterView, candidate: str, term: int, pre_vote: bool) -> set[str]:
    """Voters a request of this election is still travelling to."""
    return {f.dst for f in view.flights if f.type == "RequestVote" and f.src == candidate and f.term == term
            and f.field("pre_vote") == pre_vote}


class VotesLayer(CardLayer):
    name = "votes"
    doc = ("under each voter, its answer to the latest candidate: the two last entries compared "
           "(term, then index), granted or refused, and the voter's reason")
    z = "over"
    LINES = 2 + REASON_LINES

    def band(self, canvas) -> float:
        return canvas.cards_height(len(canvas.servers), card_height(canvas, self.LINES), CARD_MIN_W)

    def draw(self, renderer) -> str:
        view = frame_view(renderer)
        election = current_election(view)
        if election is None:
            return ""
        cand, term, pre, decisions = election
        travelling = asking(view, cand, term, pre)
        out = []
        for g in renderer.servers:
            name = g.name
            if name == cand:
                # the entry its requests offered (a winner's log has grown since: its no-op)
                offered = next((d.candidate_last for d in decisions.values()), None)
                if offered is None:
                    log = view.server(name).log
                    offered = (log.last_term, log.last_index)
                key = ("candidate", cand, term, pre, tuple(offered), renderer.size.name)
            elif name in decisions:
                key = ("decision", decisions[name], renderer.size.name)
            elif name in travelling and view.server(name).alive:
                key = ("asked", cand, term, pre, renderer.size.name)
            else:
                continue
            key += (renderer.band(self.name),)
            out.append(self.card(renderer.size.name + name, key, lambda: self._card(renderer, g, key, cand, term, pre)))
        return "".join(out)

    def _card(self, renderer, g, key, cand: str, term: int, pre: bool) -> str:
        kind = "PreVote" if pre else "vote"
        x, y, w, h = card_place(renderer, self.name, g, self.LINES)
        per = chars(w - 12.0, renderer.size.small)
        if key[0] == "candidate":
            lines = [("raft-votes__head", "%s asks for a %s, term %d" % (g.name, kind, term)),
                     ("raft-mono", "its last entry %s" % last_text(key[4]))]
            cls, title = "raft-votes--candidate", "%s asks for a %s in term %d" % (g.name, kind, term)
        elif key[0] == "asked":
            lines = [("raft-votes__head", "%s: %s asks for term %d" % (g.name, cand, term)),
                     ("raft-muted", "request on its way…")]
            cls, title = "raft-votes--asked", "%s's request for a %s in term %d is on its way to %s" % (
                cand, kind, term, g.name)
        else:
            d = key[1]
            verdict = "✓ granted" if d.granted else "✗ refused"
            reason = wrap("%s: %s" % (verdict, d.reason), per)
            if len(reason) > REASON_LINES:
                reason = reason[:REASON_LINES]
                reason[-1] = reason[-1][: per - 1] + "…"
            lines = [("raft-votes__head", "%s on %s, %sterm %d" % (g.name, cand, "PreVote, " if pre else "", term)),
                     ("raft-mono", "%s %s vs mine %s" % (cand, last_text(d.candidate_last), last_text(d.voter_last)))]
            lines += [("raft-votes__why", text) for text in reason]
            cls = "raft-votes--granted" if d.granted else "raft-votes--refused"
            title = ("%s %s %s's %s for term %d. %s's last entry %s, %s's %s: %s"
                     % (g.name, "granted" if d.granted else "refused", cand, kind, term, cand,
                        last_text(d.candidate_last), g.name, last_text(d.voter_last), d.reason))
        lh = renderer.line_h
        parts = ['<g class="raft-card raft-votes %s" data-vote="%s"><title>%s</title>' % (cls, esc(g.name), esc(title)),
                 '<rect class="raft-card__box" x="%s" y="%s" width="%s" height="%s" rx="4"/>'
                 % (fmt(x), fmt(y), fmt(w), fmt(h))]
        for i, (lc, text) in enumerate(lines):
            parts.append('<text class="raft-small %s" x="%s" y="%s">%s</text>'
                         % (lc, fmt(x + 6.0), fmt(y + 4.0 + (i + 1) * lh - 3.0), esc(text[:per])))
        parts.append("</g>")
        return "".join(parts)
