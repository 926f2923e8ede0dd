"""``run`` and ``at``: how simulated time passes in a script."""

from __future__ import annotations

from .base import ScriptCommand, parse_duration

__all__ = ["Run", "At"]


class Run(ScriptCommand):
    name = "run"
    syntax = "run DURATION"
    help = "Advance simulated time (`ms` or `s`)."
    example = "run 2s"
    schedulable = False

    @classmethod
    def validate(cls, args):
        if len(args) != 1:
            raise ValueError("run takes one duration")
        parse_duration(args[0])

    @classmethod
    def execute(cls, run, step):
        run.start_run(step, parse_duration(step.args[0]))
        return None  # prints the events of its run when it ends


class At(ScriptCommand):
    """Not a command of its own: the parser reads ``at TIME`` in front of another command
    (``Step.at``) and the run carries that command out when the time comes."""

    name = "at"
    syntax = "at TIME COMMAND"
    help = "Run COMMAND when simulated time reaches TIME (since the start)."
    example = "at 300ms crash S1"
    schedulable = False
