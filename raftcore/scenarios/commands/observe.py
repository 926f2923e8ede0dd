"""``wait``, ``expect``, ``status`` and ``mark``: what a script says about the run."""

from __future__ import annotations

from .base import ScriptCommand, mark_label, parse_duration
from .conditions import parse_condition

__all__ = ["Wait", "Expect", "Status", "Mark", "status", "wait_words"]

#: How long ``wait`` waits without ``within``.
WAIT_MS = 10_000.0


def wait_words(args: list[str]) -> tuple[list[str], float]:
    """A ``wait``'s condition words and how long it waits (``within DURATION``, if given)."""
    words = list(args)
    within = WAIT_MS
    if len(words) >= 2 and words[-2] == "within":
        within = parse_duration(words[-1])
        words = words[:-2]
    return words, within


class Wait(ScriptCommand):
    name = "wait"
    syntax = "wait CONDITION [within DURATION]"
    help = "Run until CONDITION holds (default: within 10s); fails if it never does."
    example = "wait leader within 2s"
    schedulable = False

    @classmethod
    def validate(cls, args):
        parse_condition(wait_words(args)[0])

    @classmethod
    def execute(cls, run, step):
        words, within = wait_words(step.args)
        run.start_wait(step, parse_condition(words), within)
        return None  # prints when the condition holds, or fails when time is up


class Expect(ScriptCommand):
    name = "expect"
    syntax = "expect CONDITION"
    help = "Fail unless CONDITION holds now."
    example = "expect state x=3 on all"

    @classmethod
    def validate(cls, args):
        parse_condition(args)

    @classmethod
    def execute(cls, run, step):
        c = run.cluster
        cond = parse_condition(step.args)
        if not cond.holds(c):
            detail = f"; violation: {c.violation}" if c.violation else ""
            raise ValueError(f"expected {cond.text}, but it does not hold at {c.now:.1f}ms{detail}")
        return "ok"


class Status(ScriptCommand):
    name = "status"
    syntax = "status"
    help = "Print each server's role, term, commit index and log."
    example = "status"

    @classmethod
    def validate(cls, args):
        if args:
            raise ValueError("status takes no arguments")

    @classmethod
    def execute(cls, run, step):
        return status(run.cluster)


class Mark(ScriptCommand):
    name = "mark"
    syntax = 'mark "LABEL"'
    help = ("Label this moment of the run (the scenes' timeline shows the labels as steps; the event log "
            "prints them).")
    example = 'mark "(a) S1 is leader of term 2"'

    @classmethod
    def validate(cls, args):
        mark_label(args)

    @classmethod
    def execute(cls, run, step):
        label = mark_label(step.args)
        run.marks.append((run.cluster.now, label))
        run.cluster.note(f"mark {label}")
        return "ok"


def status(c) -> str:
    """Each server's role, term, commit and applied index, log terms and state, one a line."""
    lines = []
    for n in c.names:
        node = c.nodes[n]
        terms = ",".join(str(e.term) for e in node.log.entries())
        alive = "" if c.alive(n) else " (crashed)"
        state = " ".join(f"{k}={v}" for k, v in sorted(node.state.items()))
        lines.append(f"{n} {node.role} term={node.current_term} commit={node.commit_index} "
                     f"applied={node.last_applied} log=[{terms}] state={{{state}}}{alive}")
    return "\n".join(lines)
