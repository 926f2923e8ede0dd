"""``add`` and ``remove``: single-server membership changes (thesis §4)."""

from __future__ import annotations

from .faults import _OneServer

__all__ = ["Add", "Remove"]


class Add(_OneServer):
    name = "add"
    syntax = "add NAME"
    help = "Add a new server: it catches up as a learner, then joins the configuration (thesis §4)."
    example = "add S4"

    @classmethod
    def execute(cls, run, step):
        name = step.args[0]
        if name in ("leader", "all"):
            raise ValueError(f"{name!r} is a keyword of the scenario language, not a server name")
        run.cluster.add_server(name)
        return "ok"


class Remove(_OneServer):
    name = "remove"
    syntax = "remove NAME|leader"
    help = "Remove a server from the configuration (thesis §4)."
    example = "remove S2"

    @classmethod
    def execute(cls, run, step):
        run.cluster.remove_server(run.resolve(step.args[0]))
        return "ok"
