"""The scenario language: plain text, one command a line, executed on a ``Cluster``.

The same language drives the scenes, the tests and the lab. A script is a list of commands;
``run`` advances simulated time, ``at <time> <command>`` schedules a command for a moment of
simulated time, everything else happens at once. A test file may follow any command with
``----`` and the output it expects, as etcd's data-driven tests do::

    cluster 3 seed=7
    run 1s
    ----
    154.3ms S1 becomes candidate term 1
    ...

This module parses a script into :class:`Step` values and runs them (:class:`ScenarioRun`).
What each command and each condition *is* — syntax, help, example, validation, execution —
is one class in :mod:`raftcore.scenarios.commands`: the parser, the error messages and the
authoring guide's tables are all made from those classes.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass

from ..config import RaftConfig
from ..kv import Command, parse_command
from ..sim import Cluster
from .commands import COMMANDS, CONDITIONS, Condition, cluster_options, status
from .commands.base import client_options, mark_label, parse_duration

__all__ = ["COMMANDS", "CONDITIONS", "Scenario", "ScenarioError", "ScenarioRun", "Step", "parse_duration", "status"]

class ScenarioError(Exception):
    """A scenario that cannot be parsed or whose expectation failed; names source and line."""

    def __init__(self, message: str, line: int | None = None, source: str = "<scenario>"):
        self.message, self.line, self.source = message, line, source
        super().__init__(f"{source}:{line}: {message}" if line is not None else f"{source}: {message}")


@dataclass
class Step:
    """One parsed command: its line, its words, and the output a test file expects of it."""

    line: int
    text: str
    name: str
    args: list[str]
    expected: str | None = None
    at: float | None = None
    end_line: int = 0  # last line of its expected-output block (1-based), or its own line


@dataclass
class Scenario:
    steps: list[Step]
    source: str = "<scenario>"
    text: str = ""

    @classmethod
    def parse(cls, text: str, source: str = "<scenario>") -> "Scenario":
        steps: list[Step] = []
        lines = text.splitlines()
        i = 0
        while i < len(lines):
            raw = lines[i]
            lineno = i + 1
            i += 1
            stripped = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("----") else raw.strip()
            if not stripped:
                continue
            if stripped == "----":
                raise ScenarioError("'----' must follow a command", lineno, source)
            step = _parse_step(stripped, lineno, source)
            if i < len(lines) and lines[i].strip() == "----":
                i += 1
                out = []
                while i < len(lines) and lines[i].strip():
                    out.append(lines[i].rstrip())
                    i += 1
                step.expected = "\n".join(out)
            step.end_line = i
            steps.append(step)
        if not steps:
            raise ScenarioError("empty scenario: it needs at least a 'cluster' command", None, source)
        if steps[0].name != "cluster":
            raise ScenarioError(f"the first command must be 'cluster', not {steps[0].name!r}", steps[0].line, source)
        for s in steps[1:]:
            if s.name == "cluster":
                raise ScenarioError("only one 'cluster' command is allowed", s.line, source)
        return cls(steps, source, text)

    def start(self, seed: int | None = None, strict: bool = True, config_overrides: dict | None = None,
              **cluster_overrides) -> "ScenarioRun":
        """Run the scenario; ``config_overrides`` replaces fields of its ``cluster`` line's
        RaftConfig (the scenes' controls: timeout range, backtracking mode…)."""
        return ScenarioRun(self, seed=seed, strict=strict, config_overrides=config_overrides, **cluster_overrides)

    def config(self) -> RaftConfig:
        """The RaftConfig its ``cluster`` line asks for (a fresh copy)."""
        return cluster_options(self.steps[0].args)["config"]

    def mark_labels(self) -> list[str]:
        """The labels of its ``mark`` commands, in script order (known before it runs)."""
        return [mark_label(s.args) for s in self.steps if s.name == "mark"]

    def submitted_commands(self) -> list[Command]:
        """The commands its ``submit`` lines hand to clients (``at``-scheduled ones too), in
        script order, parsed as the run will parse them (known before it runs: scene 01
        draws them as the log's planned slots)."""
        return [parse_command(" ".join(client_options(s.args)[2])) for s in self.steps if s.name == "submit"]

    def run_all(self, seed: int | None = None) -> "ScenarioRun":
        """Execute every command (tests): expectations that fail raise ScenarioError."""
        run = self.start(seed=seed, strict=True)
        run.finish()
        return run


def _parse_step(text: str, lineno: int, source: str) -> Step:
    words = text.split()
    at = None
    if words[0] == "at":
        if len(words) < 3:
            raise ScenarioError("'at' needs a time and a command, e.g. 'at 300ms crash S1'", lineno, source)
        try:
            at = parse_duration(words[1])
        except ValueError as e:
            raise ScenarioError(str(e), lineno, source) from None
        words = words[2:]
        if words[0] in COMMANDS and not COMMANDS[words[0]].schedulable:
            raise ScenarioError(f"'at' cannot schedule {words[0]!r}", lineno, source)
    name = words[0]
    if name not in COMMANDS:
        known = ", ".join(COMMANDS)
        raise ScenarioError(f"unknown command {name!r}; commands are: {known}", lineno, source)
    step = Step(lineno, text, name, words[1:], at=at)
    try:
        COMMANDS[name].validate(step.args)
    except ValueError as e:
        raise ScenarioError(f"{e} (usage: {COMMANDS[name].syntax})", lineno, source) from None
    return step


class ScenarioRun:
    """A scenario being executed, possibly a little at a time (the scenes animate it).

    ``marks`` lists ``(time, label)`` for each ``mark`` reached; :meth:`snapshot` and
    :meth:`restore` travel in time (the scenes' timeline scrubber)."""

    #: When True, :meth:`advance` returns right after a ``mark`` command, before the commands
    #: that follow it at the same instant: the scenes' Next ▶ stops on each step of the story
    #: (a class attribute the caller sets per run; snapshots do not carry it).
    stop_at_marks = False

    def __init__(self, scenario: Scenario, seed: int | None = None, strict: bool = True,
                 config_overrides: dict | None = None, **cluster_overrides):
        self.scenario = scenario
        self.strict = strict
        self.failures: list[ScenarioError] = []
        self.outputs: list[tuple[Step, str]] = []
        #: ``(simulated time, label)`` of each ``mark`` command reached, in order.
        self.marks: list[tuple[float, str]] = []
        first = scenario.steps[0]
        opts = cluster_options(first.args)
        if seed is not None:
            opts["seed"] = seed
        opts.update(cluster_overrides)
        if config_overrides:
            opts["config"] = _override_config(opts["config"], config_overrides, scenario.source)
        self.cluster = Cluster(**opts)
        self.seed = self.cluster.seed
        self.pc = 1
        self.pending_at: list[tuple[float, int, Step]] = []
        self._run_until: float | None = None
        self._wait: tuple[Step, Condition, float] | None = None
        self._events_mark = 0
        self.outputs.append((first, "ok"))

    @property
    def finished(self) -> bool:
        return self.pc >= len(self.scenario.steps) and self._run_until is None and self._wait is None

    def next_event_time(self) -> float | None:
        """When the run next does something: now if script commands are due, else the
        earliest of the cluster's next event, the next ``at`` command, and the end of the
        ``run`` or ``wait`` in progress (a "step" button advances to this time). None when
        nothing at all is left to happen."""
        c = self.cluster
        if self._run_until is None and self._wait is None and self.pc < len(self.scenario.steps):
            return c.now
        times = [t for t in (c.next_event_time(), self._run_until,
                             self.pending_at[0][0] if self.pending_at else None,
                             self._wait[2] if self._wait is not None else None) if t is not None]
        return max(c.now, min(times)) if times else None

    def finish(self) -> None:
        """Execute the rest of the script."""
        while not self.finished:
            self.advance(float("inf"))
            if self.cluster.halted and self._run_until is not None:
                self._end_run()

    # ------------------------------------------------------------------ time travel

    def snapshot(self) -> dict:
        """The whole run — the cluster (see :meth:`Cluster.snapshot`) and the script's
        position: next command, scheduled ``at`` commands, the ``run``/``wait`` in progress,
        outputs, failures and marks — for :meth:`restore`. From a restored snapshot the run
        goes on exactly as it did (same seed, same trace)."""
        script = {k: v for k, v in self.__dict__.items() if k not in ("scenario", "cluster")}
        memo = {id(step): step for step in self.scenario.steps}  # the parsed script is shared
        return {"cluster": self.cluster.snapshot(), "script": copy.deepcopy(script, memo)}

    def restore(self, snap: dict) -> None:
        """Go back (or forward) to a :meth:`snapshot` of this run; the snapshot stays usable."""
        self.cluster.restore(snap["cluster"])
        memo = {id(step): step for step in self.scenario.steps}
        self.__dict__.update(copy.deepcopy(snap["script"], memo))

    def advance(self, ms: float) -> None:
        """Advance the scenario by ``ms`` of simulated time (the script's pace, then free-running)."""
        c = self.cluster
        target = c.now + ms
        while True:
            if self._run_until is not None:
                stop = min(self._run_until, target)
                self._run_cluster_to(stop)
                if c.now >= self._run_until or c.halted:
                    self._end_run()
                    continue
                return
            if self._wait is not None:
                step, cond, deadline = self._wait
                stop = min(deadline, target)
                if self._run_cluster_to(stop, cond):
                    self._wait = None
                    self.outputs.append((step, "ok"))
                    continue
                if c.now >= deadline or c.halted:
                    self._wait = None
                    self._fail(step, f"'{' '.join(step.args)}' did not happen by {c.now:.1f}ms")
                    continue
                return
            if self.pc < len(self.scenario.steps):
                step = self.scenario.steps[self.pc]
                self.pc += 1
                self._execute(step)
                if self.stop_at_marks and step.name == "mark":
                    return  # a step of the story: the scenes' stepper shows this very moment
                continue
            if target == float("inf"):
                return
            self._run_cluster_to(target)
            return

    def _end_run(self) -> None:
        step = self._run_step
        self._run_until = None
        new = self.cluster.events_since(self._events_mark)
        self.cluster.retain_events(None)
        self.outputs.append((step, "\n".join(new) if new else "ok"))

    def _run_cluster_to(self, stop: float, cond: Condition | None = None) -> bool:
        """Run the cluster to ``stop``, firing scheduled ``at`` commands on the way; with
        ``cond``, stop as soon as it holds (True)."""
        c = self.cluster
        pred = cond.holds if cond is not None else None
        while True:
            nxt = self.pending_at[0][0] if self.pending_at else float("inf")
            if nxt <= stop and nxt >= c.now:
                if pred is not None:
                    if c.run_until(pred, nxt - c.now):
                        return True
                else:
                    c.run_for(nxt - c.now)
                if c.halted:
                    return False
                _, _, step = self.pending_at.pop(0)
                self._execute(step, scheduled=True)
                continue
            if stop == float("inf"):
                if pred is None:
                    return False
                return c.run_until(pred, 3_600_000.0)
            if pred is not None:
                return c.run_until(pred, max(0.0, stop - c.now))
            c.run_for(max(0.0, stop - c.now))
            return False

    def _fail(self, step: Step, message: str) -> None:
        err = ScenarioError(message, step.line, self.scenario.source)
        self.outputs.append((step, f"FAILED: {message}"))
        if self.strict:
            raise err
        self.failures.append(err)

    def resolve(self, name: str) -> str:
        """A server named in the script: ``leader`` is the current leader (ValueError when
        there is none); any other name must be a server of the cluster."""
        c = self.cluster
        if name == "leader":
            lead = c.leader()
            if lead is None:
                raise ValueError("there is no leader right now")
            return lead
        c.check_name(name)
        return name

    #: Commands that only look at the cluster: they still run after a violation stopped it.
    _OBSERVE = frozenset({"expect", "status", "wait"})
    NOT_REACHED = "not reached: the run stopped at a violation"

    def _execute(self, step: Step, scheduled: bool = False) -> None:
        c = self.cluster
        if c.halted and step.name not in self._OBSERVE:
            # Time stopped at the violation: nothing more happens, so the state left to inspect
            # is the state the checker caught (a command would otherwise act at that instant).
            self.outputs.append((step, self.NOT_REACHED))
            return
        if step.at is not None and not scheduled:
            if step.at < c.now:
                self._fail(step, f"'at {step.at:.0f}ms' is already in the past (now {c.now:.1f}ms)")
                return
            self.pending_at.append((step.at, step.line, step))
            self.pending_at.sort(key=lambda x: (x[0], x[1]))
            self.outputs.append((step, "scheduled"))
            return
        try:
            out = COMMANDS[step.name].execute(self, step)
        except ValueError as e:
            self._fail(step, str(e))
            return
        if out is not None:
            self.outputs.append((step, out))

    def start_run(self, step: Step, ms: float) -> None:
        """``run``: let ``ms`` of simulated time pass; the step prints the events of its run."""
        c = self.cluster
        self._run_step = step
        self._events_mark = c.event_count
        c.retain_events(self._events_mark)
        self._run_until = c.now + ms

    def start_wait(self, step: Step, cond: Condition, within: float) -> None:
        """``wait``: run until ``cond`` holds, for ``within`` ms at most."""
        self._wait = (step, cond, self.cluster.now + within)

    def transcript(self) -> str:
        """The script with each command's actual output, in the data-driven file format:
        comments and blank lines are kept, each command is followed by ``----`` and what it
        printed (``at`` commands show what they did when their time came)."""
        last: dict[int, str] = {}
        for step, out in self.outputs:
            last[id(step)] = out
        by_line = {step.line: step for step in self.scenario.steps}
        lines = self.scenario.text.splitlines()
        result: list[str] = []
        i = 0
        while i < len(lines):
            step = by_line.get(i + 1)
            if step is None:
                result.append(lines[i].rstrip())
                i += 1
                continue
            result.append(lines[i].rstrip())
            result.append("----")
            result.extend(last.get(id(step), "not reached").splitlines() or [""])
            i = max(step.end_line, i + 1)
            if i < len(lines) and lines[i].strip():
                result.append("")
        return "\n".join(result).rstrip("\n") + "\n"

def _override_config(config: RaftConfig, overrides: dict, source: str) -> RaftConfig:
    """The scenario's RaftConfig with some fields replaced (the scenes' controls)."""
    known = {f.name for f in dataclasses.fields(RaftConfig)}
    bad = sorted(set(overrides) - known)
    if bad:
        raise ScenarioError(f"unknown RaftConfig field(s) in config_overrides: {', '.join(bad)}; "
                            f"fields: {', '.join(sorted(known))}", None, source)
    cfg = dataclasses.replace(config, **overrides)
    try:
        cfg.validate()
    except ValueError as e:
        raise ScenarioError(f"config_overrides: {e}", None, source) from None
    return cfg
