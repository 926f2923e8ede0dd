"""The scenario language's commands as a transcript prints them, and runs stopped by a violation.

A ``run`` prints the events of its own run; a run stopped by an invariant violation stays
frozen at the violation, so the state a reader (or a test) inspects afterwards is the state
the checker caught.
"""

from __future__ import annotations

import pytest

from raftcore.kv import Command
from raftcore.scenarios import Scenario, load_scenario
from raftcore.sim import Cluster
from raftcore.sim.cluster import EVENTS_KEPT


def _output_of(run, line_text: str) -> str:
    step = next(s for s in run.scenario.steps if " ".join([s.name, *s.args]) == line_text)
    return [out for st, out in run.outputs if st is step][-1]


def test_run_prints_its_events_after_hundreds_of_earlier_events():
    """§8, client interaction: a client gets 'OK' for its write — and the ``run`` that
    contains the reply says so, however many events came before it."""
    lines = ["cluster 3 seed=1", "wait leader within 3s"]
    lines += [f"submit SET k {i} client=a" for i in range(200)]
    lines += ["wait done within 60s", "submit SET y 1 client=b", "run 300ms"]
    r = Scenario.parse("\n".join(lines)).start()
    r.finish()
    assert r.cluster.event_count > EVENTS_KEPT
    out = _output_of(r, "run 300ms")
    assert "client b gets 'OK' for SET y 1" in out, out


def test_a_long_run_prints_every_event_of_its_run():
    """More events in one ``run`` than the page keeps: the transcript still has them all."""
    lines = ["cluster 3 seed=1", "wait leader within 3s"]
    many = EVENTS_KEPT + 50
    lines += [f"submit SET k {i} client=c{i}" for i in range(many)]
    lines += ["run 5s"]
    r = Scenario.parse("\n".join(lines)).start()
    r.finish()
    out = _output_of(r, "run 5s").splitlines()
    assert len(out) > EVENTS_KEPT
    assert sum(1 for line in out if " gets 'OK' for SET k " in line) == many


def test_events_are_read_by_number():
    """The cluster numbers its event lines: what happened since a moment is exact while held,
    and an error (not a silent ``ok``) once the page's window has dropped it."""
    c = Cluster(3, seed=2)
    start = c.event_count
    c.retain_events(start)
    for i in range(EVENTS_KEPT):
        c.note(f"line {i}")
    held = c.events_since(start)
    assert held[0].endswith("line 0") and held[-1].endswith(f"line {EVENTS_KEPT - 1}") and len(held) == EVENTS_KEPT
    c.retain_events(None)
    for i in range(3 * EVENTS_KEPT):
        c.note(f"more {i}")
    assert len(c.events) == EVENTS_KEPT and c.events[-1].endswith(f"more {3 * EVENTS_KEPT - 1}")
    with pytest.raises(ValueError, match="no longer kept"):
        c.events_since(start)
    assert c.events_since(c.event_count) == []


@pytest.mark.parametrize("scene,switch", [("scene03", "multiple_votes_per_term"),
                                          ("scene09", "forget_voted_for_on_restart")])
def test_a_violation_freezes_the_run_at_that_instant(scene, switch):
    """Figure 3's properties are checked after every step; when one breaks, the run stops
    there: the rest of the script does nothing at the halted instant (no crash, restart or
    heal stamped at the violation's time), so the state left is the state at the violation."""
    r = load_scenario(scene).start(strict=False)
    r.cluster.set_unsafe(switch, True)
    r.finish()
    c = r.cluster
    bad = c.violation
    assert bad is not None and c.halted
    stamp = f"{bad.time:.1f}ms "
    after = c.events[c.events.index(f"{stamp}VIOLATION {bad}") + 1:]
    assert after == [], after
    halted_at = [out for step, out in r.outputs if step.name in ("crash", "restart", "heal", "submit", "elect")
                 and out != "not reached: the run stopped at a violation"]
    before = [step for step, _ in r.outputs if step.name in ("crash", "restart", "heal", "submit", "elect")]
    assert len(halted_at) < len(before)
    assert "VIOLATION" in r.transcript() and "not reached: the run stopped at a violation" in r.transcript()


def test_a_scenario_lists_the_commands_it_submits_before_it_runs():
    """§8: clients submit commands; the script's ``submit`` lines (scheduled with ``at`` or
    not, with their client options) name them before any runs — scene 01 draws them as the
    log's planned slots."""
    text = "cluster 3\nsubmit SET x 1 client=app\nat 600ms submit INC x client=app server=leader\nread x\n"
    assert Scenario.parse(text).submitted_commands() == [Command("SET", "x", ("1",)), Command("INC", "x")]
    assert [c.label for c in load_scenario("scene01").submitted_commands()] == ["SET x=1", "SET x=2", "INC x"]


def test_adding_a_command_is_adding_a_class():
    """One class holds a command's syntax, validation and execution: defining it is enough
    for the parser (usage in errors) and the run to know it."""
    from raftcore.scenarios.commands import COMMANDS, ScriptCommand

    class Whisper(ScriptCommand):
        name = "whisper"
        syntax = "whisper WORD"
        help = "Add a line to the event log."
        example = "whisper hello"

        @classmethod
        def validate(cls, args):
            if len(args) != 1:
                raise ValueError("whisper takes one word")

        @classmethod
        def execute(cls, run, step):
            run.cluster.note(f"whisper {step.args[0]}")
            return "ok"

    try:
        r = Scenario.parse("cluster 3\nwhisper hello\nat 5ms whisper later\nrun 10ms\n").start()
        r.finish()
        assert "5.0ms whisper later" in _output_of(r, "run 10ms")
        with pytest.raises(Exception, match=r"whisper takes one word \(usage: whisper WORD\)"):
            Scenario.parse("cluster 3\nwhisper a b\n")
    finally:
        del COMMANDS["whisper"]
