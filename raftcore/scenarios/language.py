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

Every command is described once, in :data:`COMMANDS` (syntax, help, example): the parser,
the error messages and the authoring guide's table are all made from it.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from dataclasses import dataclass
from typing import Callable

from ..config import UNSAFE_SWITCHES, RaftConfig
from ..kv import Command, parse_command
from ..node import Role
from ..sim import Cluster, NetworkConfig


class ScenarioError(Exception):
    """A scenario that cannot be parsed or whose expectation failed; names source and line."""

    def __init__(self, message: str, line: int | None = None, source: str = "<scenario>"):
        self.message, self.line, self.source = message, line, source
        super().__init__(f"{source}:{line}: {message}" if line is not None else f"{source}: {message}")


@dataclass(frozen=True)
class CommandSpec:
    name: str
    syntax: str
    help: str
    example: str


COMMANDS: dict[str, CommandSpec] = {c.name: c for c in [
    CommandSpec("cluster", "cluster N [names=A,B,..] [seed=S] [timeout=MIN-MAX] [heartbeat=MS] [latency=MIN-MAX] "
                "[backtrack=fast|slow] [batch=N] [persist=MS] [prevote=on|off] [checkquorum=on|off] "
                "[reads=log|read_index|lease] [snapshot=N] [trailing=N] [unsafe=SWITCH,..] "
                "[violations=stop|continue] [linearizability=on|off]",
                "Create the cluster. Must be the first command. PreVote and CheckQuorum are on unless "
                "turned off; `snapshot=N` compacts the log every N applied entries; "
                "`violations=continue` lets the run go on after an invariant is violated (to show what "
                "follows), recording the first violation of each invariant; `linearizability=on` checks "
                "the clients' history after every reply, a non-linearizable history counting as a violation.",
                "cluster 5 seed=7 timeout=150-300"),
    CommandSpec("run", "run DURATION", "Advance simulated time (`ms` or `s`).", "run 2s"),
    CommandSpec("at", "at TIME COMMAND", "Run COMMAND when simulated time reaches TIME (since the start).",
                "at 300ms crash S1"),
    CommandSpec("crash", "crash NAME|leader", "Crash a server: it stops; only its disk survives.", "crash leader"),
    CommandSpec("restart", "restart NAME|all", "Restart a crashed server from its disk (`all`: every crashed "
                "server).", "restart S1"),
    CommandSpec("isolate", "isolate NAME|leader", "Cut a server off from all others.", "isolate S2"),
    CommandSpec("partition", "partition A,B | C,D,E", "Split the network into groups that cannot talk.",
                "partition S1,S2 | S3,S4,S5"),
    CommandSpec("cut", "cut A->B [C->D ..]", "Cut one direction of a link.", "cut S1->S3"),
    CommandSpec("heal", "heal", "Remove every partition and cut.", "heal"),
    CommandSpec("delay", "delay A->B DURATION", "Add extra one-way delay to a link (0 removes it).",
                "delay S1->S3 400ms"),
    CommandSpec("network", "network [loss=P] [duplicate=P] [reorder=P] [latency=MIN-MAX]",
                "Change the network's fault rates and latency.", "network loss=0.1 reorder=0.2"),
    CommandSpec("unsafe", "unsafe SWITCH on|off", "Flip an unsafe switch (removes one rule).",
                "unsafe multiple_votes_per_term on"),
    CommandSpec("submit", "submit COMMAND [client=NAME] [server=NAME|leader]",
                "A client submits a KV command, first to `server` (default: the server that answered its "
                "last operation, else the first one); it follows redirects and retries on timeouts.",
                "submit SET x 1 client=alice server=leader"),
    CommandSpec("read", "read KEY [client=NAME] [server=NAME|leader]",
                "A client reads a key through the configured read path (ReadIndex unless `reads=`).",
                "read x client=bob server=S1"),
    CommandSpec("elect", "elect NAME", "Make a server's election timer fire now.", "elect S1"),
    CommandSpec("transfer", "transfer NAME", "The leader hands leadership to NAME (thesis §3.10).", "transfer S3"),
    CommandSpec("add", "add NAME", "Add a new server: it catches up as a learner, then joins the configuration "
                "(thesis §4).", "add S4"),
    CommandSpec("remove", "remove NAME|leader", "Remove a server from the configuration (thesis §4).", "remove S2"),
    CommandSpec("log", "log NAME|all TERMS", "Set a server's log to entries of the given terms (setup).",
                "log S2 1,1,1,4"),
    CommandSpec("term", "term NAME|all T", "Set a server's current term (setup).", "term S1 7"),
    CommandSpec("wait", "wait CONDITION [within DURATION]",
                "Run until CONDITION holds (default: within 10s); fails if it never does.", "wait leader within 2s"),
    CommandSpec("expect", "expect CONDITION", "Fail unless CONDITION holds now.", "expect state x=3 on all"),
    CommandSpec("status", "status", "Print each server's role, term, commit index and log.", "status"),
    CommandSpec("mark", 'mark "LABEL"', "Label this moment of the run (the scenes' timeline shows the "
                "labels as steps; the event log prints them).", 'mark "(a) S1 is leader of term 2"'),
]}

CONDITIONS: dict[str, str] = {
    "leader [NAME] [term>=T]": "there is a live leader (that one; of that term)",
    "no-leader": "no live server is leader",
    "role NAME ROLE": "the server has that role (follower, candidate, leader)",
    "term NAME|all OP T": "current term compares (OP is one of = >= <= > <)",
    "log NAME|all OP N": "the last log index compares; `log NAME = 1,1,4` compares the terms",
    "commit NAME|all OP N": "the commit index compares",
    "applied NAME|all OP N": "last_applied compares",
    "snapshot NAME|all OP N": "the last index covered by the server's snapshot compares (0: none)",
    "match LEADER FOLLOWERS OP N": "the leader's match_index for each follower compares",
    "state K=V on all|NAMES": "each named live server's state machine has K=V (`K=` for absent)",
    "logs-equal [NAMES]": "the live servers' logs hold the same entries",
    "members NAMES": "the leader's configuration is exactly these servers, committed, no change pending",
    "violation NAME|any": "the invariant checker reported that violation (by key, e.g. "
                          "`leader_completeness`, or by name)",
    "no-violation": "the invariant checker reported nothing",
    "done": "every client operation has its reply",
    "linearizable": "the clients' history is linearizable",
}

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s)?$")
_CMP = {"=": lambda a, b: a == b, ">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b, "<": lambda a, b: a < b}


def parse_duration(text: str) -> float:
    m = _DURATION.match(text.strip())
    if not m:
        raise ValueError(f"bad duration {text!r}: write e.g. 300ms or 2s")
    value = float(m.group(1))
    return value * 1000 if m.group(2) == "s" else value


def _parse_range(text: str, what: str) -> tuple[float, float]:
    parts = text.split("-")
    if len(parts) != 2:
        raise ValueError(f"bad {what} {text!r}: write MIN-MAX in ms, e.g. 150-300")
    lo, hi = (float(p.removesuffix("ms")) for p in parts)
    return lo, hi


def _parse_int(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{what} must be an integer, got {text!r}") from None


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
        return _parse_cluster_args(self.steps[0].args)["config"]

    def mark_labels(self) -> list[str]:
        """The labels of its ``mark`` commands, in script order (known before it runs)."""
        return [_mark_label(s.args) for s in self.steps if s.name == "mark"]

    def submitted_commands(self) -> list[Command]:
        """The commands its ``submit`` lines hand to clients (``at``-scheduled ones too), in
        script order, parsed as the run will parse them (known before it runs: scene 01
        draws them as the log's planned slots)."""
        return [parse_command(" ".join(_client_options(s.args)[2])) for s in self.steps if s.name == "submit"]

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
        if words[0] in ("at", "cluster", "run", "wait"):
            raise ScenarioError(f"'at' cannot schedule {words[0]!r}", lineno, source)
    name = words[0]
    if name not in COMMANDS:
        known = ", ".join(COMMANDS)
        raise ScenarioError(f"unknown command {name!r}; commands are: {known}", lineno, source)
    step = Step(lineno, text, name, words[1:], at=at)
    try:
        _validate(step)
    except ValueError as e:
        raise ScenarioError(f"{e} (usage: {COMMANDS[name].syntax})", lineno, source) from None
    return step


def _validate(step: Step) -> None:
    """Syntax checks that need no cluster, so that errors surface at parse time."""
    a = step.args
    n = step.name
    if n == "cluster":
        if not a:
            raise ValueError("cluster needs a size")
        _parse_cluster_args(a)
    elif n == "run":
        if len(a) != 1:
            raise ValueError("run takes one duration")
        parse_duration(a[0])
    elif n in ("crash", "restart", "isolate", "elect", "transfer", "add", "remove"):
        if len(a) != 1:
            raise ValueError(f"{n} takes one server name")
    elif n == "heal" or n == "status":
        if a:
            raise ValueError(f"{n} takes no arguments")
    elif n == "mark":
        _mark_label(a)
    elif n == "partition":
        if "|" not in " ".join(a):
            raise ValueError("partition needs at least two groups separated by '|'")
    elif n == "cut":
        if not a or any("->" not in x for x in a):
            raise ValueError("cut takes links written A->B")
    elif n == "delay":
        if len(a) != 2 or "->" not in a[0]:
            raise ValueError("delay takes a link A->B and a duration")
        parse_duration(a[1])
    elif n == "network":
        _parse_network_args(a, NetworkConfig())
    elif n == "unsafe":
        if len(a) != 2 or a[1] not in ("on", "off"):
            raise ValueError("unsafe takes a switch name and on|off")
        if a[0] not in UNSAFE_SWITCHES:
            raise ValueError(f"unknown unsafe switch {a[0]!r}; switches: {', '.join(UNSAFE_SWITCHES)}")
    elif n == "submit":
        parse_command(" ".join(_client_options(a)[2]))
    elif n == "read":
        if len(_client_options(a)[2]) != 1:
            raise ValueError("read takes one key")
    elif n == "log":
        if len(a) != 2:
            raise ValueError("log takes a server (or all) and comma-separated terms")
        [_parse_int(t, "a log term") for t in a[1].split(",") if t]
    elif n == "term":
        if len(a) != 2:
            raise ValueError("term takes a server (or all) and a term")
        _parse_int(a[1], "term")
    elif n in ("wait", "expect"):
        words = list(a)
        if n == "wait" and len(words) >= 2 and words[-2] == "within":
            parse_duration(words[-1])
            words = words[:-2]
        _parse_condition(words)


def _mark_label(args: list[str]) -> str:
    text = " ".join(args).strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].strip()
    if not text:
        raise ValueError('mark needs a label, e.g. mark "(a) S1 is leader of term 2"')
    return text


def _client_options(args: list[str]) -> tuple[str | None, str | None, list[str]]:
    """``client=`` and ``server=`` of submit/read, and the remaining words."""
    client = server = None
    rest = []
    for x in args:
        if x.startswith("client="):
            client = x.split("=", 1)[1]
            if not client:
                raise ValueError("client= needs a name")
        elif x.startswith("server="):
            server = x.split("=", 1)[1]
            if not server:
                raise ValueError("server= needs a server name or leader")
        else:
            rest.append(x)
    return client, server, rest


def _parse_cluster_args(args: list[str]) -> dict:
    size = _parse_int(args[0], "cluster size")
    if size < 1:
        raise ValueError(f"cluster size must be at least 1, got {size}")
    opts: dict = {"size": size, "config": RaftConfig(), "network": NetworkConfig(), "seed": 0, "names": None}
    cfg, net = opts["config"], opts["network"]
    for word in args[1:]:
        if "=" not in word:
            raise ValueError(f"expected key=value, got {word!r}")
        key, value = word.split("=", 1)
        if key == "names":
            names = [x for x in value.split(",") if x]
            if len(names) != size:
                raise ValueError(f"cluster {size} needs {size} names, got {len(names)}")
            for reserved in ("leader", "all"):
                if reserved in names:
                    raise ValueError(f"{reserved!r} is a keyword of the scenario language, not a server name")
            opts["names"] = names
        elif key == "seed":
            opts["seed"] = _parse_int(value, "seed")
        elif key == "timeout":
            cfg.election_timeout_min, cfg.election_timeout_max = _parse_range(value, "timeout")
        elif key == "heartbeat":
            cfg.heartbeat_interval = parse_duration(value)
        elif key == "latency":
            net.latency_min, net.latency_max = _parse_range(value, "latency")
        elif key == "persist":
            net.persist_latency = parse_duration(value)
        elif key == "backtrack":
            if value not in ("fast", "slow"):
                raise ValueError(f"backtrack is fast or slow, got {value!r}")
            cfg.fast_backtrack = value == "fast"
        elif key == "batch":
            cfg.max_entries_per_append = _parse_int(value, "batch")
        elif key in ("prevote", "checkquorum"):
            if value not in ("on", "off"):
                raise ValueError(f"{key} is on or off, got {value!r}")
            setattr(cfg, "pre_vote" if key == "prevote" else "check_quorum", value == "on")
        elif key == "reads":
            cfg.read_mode = value
        elif key == "snapshot":
            cfg.snapshot_threshold = _parse_int(value, "snapshot")
        elif key == "trailing":
            cfg.snapshot_trailing = _parse_int(value, "trailing")
        elif key == "unsafe":
            for sw in value.split(","):
                cfg.unsafe.set(sw, True)
        elif key == "violations":
            if value not in ("stop", "continue"):
                raise ValueError(f"violations is stop or continue, got {value!r}")
            opts["stop_on_violation"] = value == "stop"
        elif key == "linearizability":
            if value not in ("on", "off"):
                raise ValueError(f"linearizability is on or off, got {value!r}")
            opts["watch_linearizability"] = value == "on"
        else:
            raise ValueError(f"unknown cluster option {key!r}")
    cfg.validate()
    net.validate()
    return opts


def _parse_network_args(args: list[str], net: NetworkConfig) -> NetworkConfig:
    if not args:
        raise ValueError("network needs at least one setting")
    for word in args:
        if "=" not in word:
            raise ValueError(f"expected key=value, got {word!r}")
        key, value = word.split("=", 1)
        if key == "latency":
            net.latency_min, net.latency_max = _parse_range(value, "latency")
        elif key in ("loss", "duplicate", "reorder"):
            try:
                setattr(net, key, float(value))
            except ValueError:
                raise ValueError(f"{key} must be a number between 0 and 1, got {value!r}") from None
        else:
            raise ValueError(f"unknown network setting {key!r}")
    net.validate()
    return net


Condition = Callable[[Cluster], bool]


def _parse_condition(words: list[str]) -> tuple[Condition, str]:
    """Turn the words of a condition into a predicate on the cluster, checking names lazily."""
    if not words:
        raise ValueError("missing condition; conditions: " + "; ".join(CONDITIONS))
    kind, rest = words[0], words[1:]
    desc = " ".join(words)

    def cmp(op: str, value: str) -> Callable[[int], bool]:
        if op not in _CMP:
            raise ValueError(f"bad comparison {op!r}: use one of {' '.join(_CMP)}")
        v = _parse_int(value, "the compared value")
        return lambda x: _CMP[op](x, v)

    def servers(c: Cluster, spec: str) -> list[str]:
        if spec == "all":
            return [n for n in c.names if c.alive(n)]
        names = spec.split(",")
        for n in names:
            c.check_name(n)
        return names

    if kind == "leader":
        want_name, term_test = None, None
        for w in rest:
            m = re.match(r"^term(>=|<=|=|>|<)(\d+)$", w)
            if m:
                term_test = cmp(m.group(1), m.group(2))
            elif want_name is None:
                want_name = w
            else:
                raise ValueError(f"unexpected {w!r} in leader condition")

        def pred(c: Cluster) -> bool:
            if want_name is not None:
                c.check_name(want_name)
            lead = c.leader()
            if lead is None or (want_name is not None and lead != want_name):
                return False
            return term_test is None or term_test(c.nodes[lead].current_term)
        return pred, desc
    if kind == "no-leader":
        return (lambda c: c.leader() is None), desc
    if kind == "role":
        if len(rest) != 2 or rest[1] not in [r.value for r in Role]:
            raise ValueError("role takes a server and follower|candidate|leader")
        return (lambda c: servers(c, rest[0]) and all(str(c.nodes[n].role) == rest[1] for n in servers(c, rest[0]))), desc
    if kind == "snapshot":
        if len(rest) != 3:
            raise ValueError("snapshot takes a server (or all), a comparison and a value")
        test = cmp(rest[1], rest[2])
        return (lambda c: all(test(c.nodes[n].snapshot.index if c.nodes[n].snapshot else 0)
                              for n in servers(c, rest[0]))), desc
    if kind in ("term", "commit", "applied", "log"):
        if len(rest) != 3:
            raise ValueError(f"{kind} takes a server (or all), a comparison and a value")
        attr = {"term": "current_term", "commit": "commit_index", "applied": "last_applied"}.get(kind)
        if kind == "log" and "," in rest[2] or (kind == "log" and rest[1] == "=" and not rest[2].isdigit()):
            terms = [_parse_int(t, "a log term") for t in rest[2].split(",") if t]

            def pred(c: Cluster) -> bool:
                return all([c.nodes[n].log.term_at(i) for i in range(1, c.nodes[n].log.last_index + 1)] == terms
                           for n in servers(c, rest[0]))
            return pred, desc
        test = cmp(rest[1], rest[2])
        if kind == "log":
            return (lambda c: all(test(c.nodes[n].log.last_index) for n in servers(c, rest[0]))), desc
        return (lambda c: all(test(getattr(c.nodes[n], attr)) for n in servers(c, rest[0]))), desc
    if kind == "match":
        if len(rest) != 4:
            raise ValueError("match takes a leader, a follower, a comparison and a value")
        test = cmp(rest[2], rest[3])
        return (lambda c: c.nodes[rest[0]].role is Role.LEADER and all(
            test(c.nodes[rest[0]].match_index.get(f, 0)) for f in servers(c, rest[1]))), desc
    if kind == "state":
        if len(rest) != 3 or rest[1] != "on" or "=" not in rest[0]:
            raise ValueError("state takes K=V on all|NAMES")
        key, value = rest[0].split("=", 1)
        want = value if value else None
        return (lambda c: all(c.nodes[n].state.get(key) == want for n in servers(c, rest[2]))), desc
    if kind == "logs-equal":
        def pred(c: Cluster) -> bool:
            names = servers(c, rest[0] if rest else "all")
            logs = [c.nodes[n].log.entries() for n in names]
            return all(l == logs[0] for l in logs)
        return pred, desc
    if kind == "violation":
        if len(rest) < 1:
            raise ValueError("violation takes an invariant key or name (quoted words allowed) or any")
        name = " ".join(rest).strip('"')
        if name == "any":
            return (lambda c: c.violation is not None), desc
        from ..check.invariants import invariant_key

        key = invariant_key(name)
        return (lambda c: any(v.key == key for v in c.violations)), desc
    if kind == "members":
        if len(rest) != 1:
            raise ValueError("members takes a comma-separated list of servers")
        want = tuple(sorted(x for x in rest[0].split(",") if x))

        def pred(c: Cluster) -> bool:
            lead = c.leader()
            if lead is None or c.membership_queue:
                return False
            node = c.nodes[lead]
            return tuple(sorted(node.voters)) == want and node.config_index <= node.commit_index
        return pred, desc
    if kind == "no-violation":
        return (lambda c: c.violation is None), desc
    if kind == "done":
        return (lambda c: all(h.done for h in c.handles)), desc
    if kind == "linearizable":
        def pred(c: Cluster) -> bool:
            from ..check.linearizability import check_history

            result = check_history(c.history)
            return result.ok and result.complete
        return pred, desc
    raise ValueError(f"unknown condition {kind!r}; conditions: " + "; ".join(CONDITIONS))


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
        opts = _parse_cluster_args(first.args)
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
                step, pred, deadline = self._wait
                stop = min(deadline, target)
                if self._run_cluster_to(stop, pred):
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

    def _run_cluster_to(self, stop: float, pred: Condition | None = None) -> bool:
        """Run the cluster to ``stop``, firing scheduled ``at`` commands on the way."""
        c = self.cluster
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

    def _resolve(self, name: str) -> str:
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
        a = step.args
        out = "ok"
        try:
            n = step.name
            if n == "run":
                self._run_step = step
                self._events_mark = c.event_count
                c.retain_events(self._events_mark)
                self._run_until = c.now + parse_duration(a[0])
                return
            if n == "wait":
                words = list(a)
                within = 10_000.0
                if len(words) >= 2 and words[-2] == "within":
                    within = parse_duration(words[-1])
                    words = words[:-2]
                pred, _ = _parse_condition(words)
                self._wait = (step, pred, c.now + within)
                return
            if n == "expect":
                pred, desc = _parse_condition(a)
                if not pred(c):
                    detail = f"; violation: {c.violation}" if c.violation else ""
                    self._fail(step, f"expected {desc}, but it does not hold at {c.now:.1f}ms{detail}")
                    return
            elif n == "crash":
                c.crash(self._resolve(a[0]))
            elif n == "restart":
                if a[0] == "all":
                    for name in [x for x in c.names if not c.alive(x)]:
                        c.restart(name)
                else:
                    c.restart(self._resolve(a[0]))
            elif n == "isolate":
                c.isolate(self._resolve(a[0]))
            elif n == "partition":
                groups = [g.strip() for g in " ".join(a).split("|")]
                c.partition(*[[x for x in g.replace(" ", ",").split(",") if x] for g in groups])
            elif n == "cut":
                links = [tuple(self._resolve(x) for x in link.split("->")) for link in a]  # all checked first
                for src, dst in links:
                    c.cut(src, dst)
            elif n == "heal":
                c.heal()
            elif n == "delay":
                src, dst = a[0].split("->")
                c.set_link_delay(self._resolve(src), self._resolve(dst), parse_duration(a[1]))
            elif n == "network":
                _parse_network_args(a, c.network)
            elif n == "unsafe":
                c.set_unsafe(a[0], a[1] == "on")
            elif n in ("submit", "read"):
                client, server, words = _client_options(a)
                if server is not None:
                    server = self._resolve(server)
                h = c.submit(" ".join(words), client, server) if n == "submit" else c.read(words[0], client, server)
                out = f"{h.client}#{h.seq} {h.command}" + (f" to {server}" if server else "")
            elif n == "elect":
                c.timeout(self._resolve(a[0]))
            elif n == "transfer":
                c.transfer_leadership(self._resolve(a[0]))
            elif n == "add":
                if a[0] in ("leader", "all"):
                    raise ValueError(f"{a[0]!r} is a keyword of the scenario language, not a server name")
                c.add_server(a[0])
            elif n == "remove":
                c.remove_server(self._resolve(a[0]))
            elif n == "log":
                terms = [int(t) for t in a[1].split(",") if t]
                for name in (c.names if a[0] == "all" else [self._resolve(a[0])]):
                    c.set_log(name, terms)
            elif n == "term":
                for name in (c.names if a[0] == "all" else [self._resolve(a[0])]):
                    c.set_log(name, [e.term for e in c.nodes[name].log.entries()], current_term=int(a[1]))
            elif n == "status":
                out = status(c)
            elif n == "mark":
                label = _mark_label(a)
                self.marks.append((c.now, label))
                c.note(f"mark {label}")
            else:  # pragma: no cover - COMMANDS and this dispatch are kept in step by tests
                raise ValueError(f"command {n!r} has no implementation")
        except ValueError as e:
            self._fail(step, str(e))
            return
        self.outputs.append((step, out))

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


def status(c: Cluster) -> str:
    lines = []
    for n in c.names:
        node = c.nodes[n]
        terms = ",".join(str(e.term) for e in node.log.entries())
        alive = "" if c.alive(n) else " (crashed)"
        state = " ".join(f"{k}={v}" for k, v in sorted(node.state.items()))
        lines.append(f"{n} {node.role} term={node.current_term} commit={node.commit_index} "
                     f"applied={node.last_applied} log=[{terms}] state={{{state}}}{alive}")
    return "\n".join(lines)
