"""``log`` and ``term``: start from the states the paper's figures draw (Figures 7 and 8)."""

from __future__ import annotations

from .base import ScriptCommand, parse_int

__all__ = ["LogCommand", "TermCommand"]


class LogCommand(ScriptCommand):
    name = "log"
    syntax = "log NAME|all TERMS"
    help = "Set a server's log to entries of the given terms (setup)."
    example = "log S2 1,1,1,4"

    @classmethod
    def validate(cls, args):
        if len(args) != 2:
            raise ValueError("log takes a server (or all) and comma-separated terms")
        [parse_int(t, "a log term") for t in args[1].split(",") if t]

    @classmethod
    def execute(cls, run, step):
        terms = [int(t) for t in step.args[1].split(",") if t]
        for name in _named(run, step.args[0]):
            run.cluster.set_log(name, terms)
        return "ok"


class TermCommand(ScriptCommand):
    name = "term"
    syntax = "term NAME|all T"
    help = "Set a server's current term (setup)."
    example = "term S1 7"

    @classmethod
    def validate(cls, args):
        if len(args) != 2:
            raise ValueError("term takes a server (or all) and a term")
        parse_int(args[1], "term")

    @classmethod
    def execute(cls, run, step):
        c = run.cluster
        for name in _named(run, step.args[0]):
            c.set_log(name, [e.term for e in c.nodes[name].log.entries()], current_term=int(step.args[1]))
        return "ok"


def _named(run, spec: str) -> list[str]:
    """``all`` (every server) or one server of the cluster."""
    return list(run.cluster.names) if spec == "all" else [run.resolve(spec)]
