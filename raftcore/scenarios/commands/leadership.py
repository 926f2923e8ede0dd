"""``elect`` and ``transfer``: scripted elections (§5.2) and leadership transfer (thesis §3.10)."""

from __future__ import annotations

from .faults import _OneServer

__all__ = ["Elect", "Transfer"]


class Elect(_OneServer):
    name = "elect"
    syntax = "elect NAME"
    help = "Make a server's election timer fire now."
    example = "elect S1"

    @classmethod
    def execute(cls, run, step):
        run.cluster.timeout(run.resolve(step.args[0]))
        return "ok"


class Transfer(_OneServer):
    name = "transfer"
    syntax = "transfer NAME"
    help = "The leader hands leadership to NAME (thesis §3.10)."
    example = "transfer S3"

    @classmethod
    def execute(cls, run, step):
        run.cluster.transfer_leadership(run.resolve(step.args[0]))
        return "ok"
