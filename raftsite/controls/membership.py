"""Add or remove one server at a time (scene 11), with a panel of the configurations in use.

The reader picks a server and presses Add or Remove; the request goes to
``Cluster.add_server`` / ``Cluster.remove_server`` unchanged, so the rules the reader meets
are the core's own (thesis §4): a new server first catches up as a non-voting learner, the
leader appends one configuration entry per change and starts the next change only once the
previous one is committed. A request the cluster refuses ("S2 is already a member") comes
back as a message, not an error. The panel lists every configuration some server uses and a
majority of the oldest and of the newest that share as few servers as possible (see
:mod:`raftsite.layers.majorities`, which draws the same thing on the diagram).
"""

from __future__ import annotations

import json
import re

from raftsite.blocks.fields import Field
from raftsite.controls.base import Control, ControlError, esc
from raftsite.layers.majorities import quorum_view, set_text

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,31}$")


class Membership(Control):
    kind = "membership"
    doc = ("a server selector with Add and Remove buttons: one membership change per request, made by the "
           "core's rules (catch up as a learner, one change at a time); a side panel lists the configurations "
           "in use and a majority of the oldest and newest")
    fields = {
        "servers": Field("str", "comma-separated names the selector offers: servers to remove and new ones to add",
                         True),
        "default": Field("str", "the name selected at first (default: the last of `servers`)", False, None),
        "label": Field("str", "the selector's label", False, None),
    }
    unique = True
    js = "membership"
    example = "{kind: membership, servers: 'S1,S2,S3,S4,S5,S6', default: S6}"

    @classmethod
    def normalise(cls, c):
        names = [s.strip() for s in str(c["servers"]).split(",") if s.strip()]
        if not names:
            raise ControlError("servers must name at least one server, e.g. 'S1,S2,S3,S4'")
        for n in names:
            if not _NAME.match(n) or n in ("leader", "all"):
                raise ControlError(f"{n!r} is not a server name (letters, digits, '_', '.', '-'; not leader/all)")
        if len(set(names)) != len(names):
            raise ControlError(f"servers names a server twice: {', '.join(names)}")
        default = c["default"] if c["default"] is not None else names[-1]
        if default not in names:
            raise ControlError(f"default {default!r} is not one of the servers {', '.join(names)}")
        return dict(c, servers=names, default=default)

    @classmethod
    def html(cls, c, scene_id):
        label = c["label"] or "Server"
        opts = "".join(f'<option value="{esc(n)}"{" selected" if n == c["default"] else ""}>{esc(n)}</option>'
                       for n in c["servers"])
        return (f'<span class="raft-control raft-control--membership" role="group" aria-label="Membership change">'
                f'<label>{esc(label)} <select data-role="membership-server" disabled>{opts}</select></label> '
                f'<button type="button" class="md-button raft-btn" data-action="membership-add" disabled>Add</button> '
                f'<button type="button" class="md-button raft-btn" data-action="membership-remove" disabled>'
                f'Remove</button></span>')

    @classmethod
    def panel_html(cls, c, scene_id):
        return ('<section class="raft-scene__panel raft-membership" data-panel="membership" aria-live="polite" '
                'aria-label="Configurations in use"><p class="raft-muted">The configurations the servers use '
                'appear here once the simulation runs.</p></section>')

    # ------------------------------------------------------------------ in the browser

    def __init__(self, scene, c):
        super().__init__(scene, c)
        self.requests: list[str] = []
        self._shown = None  # the QuorumView the panel shows

    def attach(self, cluster, run):
        self.requests = []
        self._shown = None

    def _request(self, op: str, name: str) -> None:
        """Hand the request to the cluster, which refuses what thesis §4 forbids (ValueError)."""
        c = self.scene.cluster
        if op == "add":
            c.add_server(name)
        elif op == "remove":
            c.remove_server(name)
        else:
            raise ValueError(f"unknown membership operation {op!r}: add or remove")
        self.requests.append(f"{op} {name}")

    def set(self, target, value):
        """``"add S6"`` / ``"remove S2"``; raises ValueError when the cluster refuses."""
        op, _, name = str(value).strip().partition(" ")
        self._request(op, name.strip())
        return False

    def action(self, name, arg):
        """``add``/``remove`` with the server as ``arg`` (the glue module's buttons): a refusal is
        a message for the reader; otherwise the frame's updates, so a paused diagram shows it."""
        if name not in ("add", "remove"):
            return super().action(name, arg)
        server = str(arg or "").strip()
        try:
            self._request(name, server)
        except ValueError as exc:
            return {"ok": False, "message": f"Cannot {name} {server or 'that server'}: {exc}."}
        status = (f"Requested: add {server}. The leader first copies its log to {server} (a learner, no vote), "
                  f"then appends the configuration with {server}." if name == "add" else
                  f"Requested: remove {server}. The leader appends the configuration without {server}.")
        return {"ok": True, "status": status, "updates": json.loads(self.scene.frame(0))}

    def _panel(self, view) -> str:
        from raftsite.charts import html_table

        rows = []
        for conf in view.configurations:
            rows.append([view.label_of(conf), set_text(conf.voters), "%d of %d" % (conf.majority, len(conf.voters)),
                         ", ".join(conf.used_by)])
        table = html_table("Configurations in use (each server uses the latest in its log, committed or not)",
                           ["", "Voters", "Majority", "Used by"], rows,
                           table_id=self.scene.config["id"] + "-configs")
        if not view.changing:
            verdict = ('<p class="raft-membership__verdict">One configuration in use: any two of its '
                       'majorities share a server.</p>')
        elif view.overlap:
            verdict = (f'<p class="raft-membership__verdict raft-membership__verdict--ok">'
                       f'{esc(set_text(view.q_old))} is a majority of {view.label_of(view.c_old)} and '
                       f'{esc(set_text(view.q_new))} one of {view.label_of(view.c_new)}, as far apart as majorities '
                       f'can be: they still share <strong>{esc(set_text(view.overlap))}</strong>, who votes once per '
                       f'term. No two leaders in one term.</p>')
        else:
            verdict = (f'<p class="raft-membership__verdict raft-membership__verdict--bad"><strong>Disjoint '
                       f'majorities:</strong> {esc(set_text(view.q_old))} is a majority of '
                       f'{view.label_of(view.c_old)} and {esc(set_text(view.q_new))} one of '
                       f'{view.label_of(view.c_new)}; no server is in both, so each can elect a leader in the '
                       f'same term.</p>')
        learners = (f'<p class="raft-membership__learners">Catching up as learner (no vote yet): '
                    f'{esc(", ".join(view.learners))}</p>' if view.learners else "")
        return table + verdict + learners

    def panels(self, full):
        view = quorum_view(self.scene.cluster.view(log_window=0))
        if full or view != self._shown:
            self._shown = view
            return {"membership": self._panel(view)}
        return {}

    def status(self):
        cv = self.scene.cluster.view(log_window=0)
        view = quorum_view(cv)
        return {"membership": dict(view.as_dict(), requests=list(self.requests),
                                   members=list(cv.members), queue=[" ".join(x) for x in cv.pending_changes])}
