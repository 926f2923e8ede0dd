"""The lab: seeded random fault schedules against the real cluster, summarized.

A run is a pure function of ``(seed, settings)``: a :class:`~raftcore.sim.Cluster` whose
network loses, duplicates, reorders and delays messages, closed-loop clients writing and
reading two keys, and a *nemesis* — a Jepsen-style adversary drawing from
``random.Random(seed)`` — that, for ``duration`` simulated ms,

* partitions the network (:data:`PARTITIONS`: the leader alone, the leader with a minority,
  random majority/minority halves, a bridge, a ring of overlapping majorities, one-way
  cuts), and when a partition ends, half of the time reshapes it at once instead of healing;
* kills servers (:data:`CRASHES`: the target, a minority, a majority or everyone) and
  restarts them after a bounce of a few ms or an outage of seconds (log-uniform);
* slows one server's links (timer skew: it sees everything late and is seen late) and makes
  the whole network lossy for a while (*flaky*);
* strikes new leaders (*leader churn*): within 60 ms of an election it cuts the new leader
  off or kills it, and lets back whoever its previous partition held — a term or more behind;
* asks for membership changes (add, remove, replace, grow or shrink by two) without waiting
  for earlier requests, as an impatient operator would.

The target of a fault is the leader half of the time. The invariant checker watches every
event. After ``duration`` every fault ends and every server restarts; the run must then make
progress (a leader, every client answered) and leave a linearizable client history.

What makes the unsafe switches observable (each is caught within 50 seeds with the defaults;
tests/core/test_lab.py has the ranges): a rule matters only when the faults leave servers
whose states differ in just the way the rule guards against. Leader churn and reshaped
partitions bring back servers a term behind, with tails of entries their successors never
saw; killed and bounced servers forget what they did not persist; one entry per
AppendEntries (``batch`` 1) and lossy periods make replication take several round trips, so
a leader can be struck between counting an old entry and replicating its own (Figure 8);
overlapping membership requests give ``multi_server_membership_change`` two changes to make
at once; reads from four clients with a short timeout reach brand-new and deposed leaders.
Three servers (the default size) are the smallest cluster that survives a fault, so each
fault reshapes the most.

Everything is driven through :class:`LabRun`, one *step* at a time — a step is one simulator
event or one nemesis action (a tick every :data:`TICK_MS`, or a churn strike) — so the
browser can run it in slices per animation frame, and a replay view can re-run a seed and
stop at exactly the step where the checker caught the violation (:attr:`LabFailure.event`).
The same code serves the command line (``python -m raftcore.lab``), the tests and the
browser lab; the same seed gives the same run everywhere: all randomness comes from the
seed, and nothing depends on the order of a set or of a dict keyed by strings
(``PYTHONHASHSEED`` differs between processes).
"""

from __future__ import annotations

import argparse
import bisect
import copy
import math
import random
from dataclasses import dataclass, field, fields

from .check.invariants import INVARIANT_KEYS, INVARIANTS
from .check.invariants import LINEARIZABILITY as LINEARIZABILITY_LABEL
from .check.linearizability import Operation, check_history, first_violation
from .config import UNSAFE_SWITCHES, RaftConfig
from .node import Role
from .sim import NetworkConfig
from .sim.clock import ClockedCluster

#: Simulated ms between two nemesis/client ticks.
TICK_MS = 10.0
#: After the faults end: how long a healed cluster gets to elect a leader and answer every client.
HEAL_MS = 30_000.0
#: Work bound of the linearizability search per key (the verdict is "unknown" past it).
LIN_MAX_STATES = 200_000
KEYS = ("x", "y")
#: The shapes a partition takes (Jepsen's nemeses): the target (the leader, half of the time)
#: alone; the target with a minority; random majority/minority halves; two halves joined only
#: by a bridge server; a ring where each server sees a majority and no two the same one;
#: one direction of some of the target's links.
#: "stale": the target's side is cut off and the links back to it turn slow at the same
#: moment, so the deposed side learns of a new term late (a stale-leader window).
PARTITIONS = ("isolate", "minority", "halves", "bridge", "ring", "oneway", "stale")
#: How many servers a crash kills: the target, the target and a minority, a majority, all.
CRASHES = ("one", "one", "minority", "majority", "all")
FAULT_KINDS = PARTITIONS + ("crash", "slow", "flaky", "churn", "membership", "transfer", "pause", "skew")
#: Clock-skew events per simulated second when clocks drift (``drift`` > 0).
SKEW_RATE = 1.0
MAX_SERVERS = 9
#: Membership requests per simulated second, when membership changes are on.
MEMBERSHIP_RATE = 3.0

#: Failure keys besides the invariants' own (``Violation.key``).
LINEARIZABILITY = INVARIANT_KEYS[LINEARIZABILITY_LABEL]
PROGRESS = "progress"
PROGRESS_LABEL = "Progress after healing"
#: An exception inside a run is that run's failure (with its traceback), never the campaign's end.
EXCEPTION = "exception"
EXCEPTION_LABEL = "Ran without an exception"


class LabSettingsError(ValueError):
    """A lab setting out of range or of the wrong type; the message names the setting."""


@dataclass(frozen=True)
class Setting:
    """One control of the lab: the CLI flag, the page's form field and the validation rule."""

    name: str
    kind: str            # "int", "float", "prob", "bool" or "switches"
    label: str
    help: str
    lo: float | None = None
    hi: float | None = None
    unit: str = ""

    def coerce(self, value):
        """A value from JSON, a URL parameter or the command line, checked; else LabSettingsError."""
        label = self.label
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, (int, float)) and value in (0, 1):
                return bool(value)
            text = str(value).strip().lower()
            if text in ("1", "true", "on", "yes"):
                return True
            if text in ("0", "false", "off", "no", ""):
                return False
            raise LabSettingsError(f"{label} must be on or off, got {_show(value)}")
        if self.kind == "switches":
            if isinstance(value, str):
                items = [s.strip() for s in value.split(",") if s.strip()]
            elif isinstance(value, (list, tuple)):
                items = [part.strip() for s in value for part in str(s).split(",") if part.strip()]
            else:
                raise LabSettingsError(f"{label} must be a list of switch names, got {_show(value)}")
            for sw in items:
                if sw not in UNSAFE_SWITCHES:
                    raise LabSettingsError(f"unknown unsafe switch {sw!r}; switches: {', '.join(UNSAFE_SWITCHES)}")
            # Canonical order: the switches' own order, whatever order they were given in.
            return tuple(sw for sw in UNSAFE_SWITCHES if sw in items)
        if isinstance(value, bool):
            raise LabSettingsError(f"{label} must be a number, got {_show(value)}")
        if isinstance(value, str):
            text = value.strip()
            try:
                value = int(text) if self.kind == "int" else float(text)
            except ValueError:
                what = "a whole number" if self.kind == "int" else "a number"
                raise LabSettingsError(f"{label} must be {what}, got {_show(text)}") from None
        if not isinstance(value, (int, float)) or isinstance(value, float) and not math.isfinite(value):
            raise LabSettingsError(f"{label} must be a number, got {_show(value)}")
        if self.kind == "int":
            if value != int(value):
                raise LabSettingsError(f"{label} must be a whole number, got {_show(value)}")
            value = int(value)
        else:
            value = float(value)
        if (self.lo is not None and value < self.lo) or (self.hi is not None and value > self.hi):
            raise LabSettingsError(f"{label} must be {_num(self.lo)}–{_num(self.hi)}{self.unit}, got {_num(value)}")
        return value


def _num(x) -> str:
    return str(int(x)) if float(x) == int(x) else f"{x:g}"


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


#: Every control of the lab, in the order the page and ``--help`` show them. One table, so
#: that the command line, the page and the validation cannot drift apart.
SETTINGS: tuple[Setting, ...] = (
    Setting("size", "int", "cluster size", "servers at the start", 3, MAX_SERVERS),
    Setting("duration", "float", "duration", "simulated ms of faults per run (then everything heals)", 100, 600_000,
            " ms"),
    Setting("loss", "prob", "message loss", "probability that a message is lost", 0, 1),
    Setting("duplicate", "prob", "duplication", "probability that a message is delivered twice", 0, 1),
    Setting("reorder", "prob", "reordering", "probability that a message is held back up to 30 ms", 0, 1),
    Setting("delay", "float", "extra delay", "extra one-way latency on every link, ms", 0, 1000, " ms"),
    Setting("slow", "float", "slow links", "expected slow-server faults (timer skew) per simulated second", 0, 50,
            " per s"),
    Setting("flaky", "float", "flaky network", "expected lossy periods (20–60% of messages lost for up to "
            "a second) per simulated second", 0, 50, " per s"),
    Setting("partitions", "float", "partitions", "expected partitions per simulated second", 0, 50, " per s"),
    Setting("crashes", "float", "crashes", "expected crashes per simulated second (a restart follows each)", 0, 50,
            " per s"),
    Setting("churn", "prob", "leader churn", "chance that each new leader is crashed or cut off soon after "
            "its election", 0, 1),
    Setting("transfers", "float", "leadership transfers", "expected leadership transfers asked of the leader "
            "per simulated second (thesis §3.10)", 0, 50, " per s"),
    Setting("pauses", "float", "process pauses", "expected process pauses per simulated second: a server stops "
            "taking steps while its clock runs on", 0, 50, " per s"),
    Setting("drift", "float", "clock drift", "bound ε on each server's clock rate (1 ± ε, drawn per seed); "
            "leases are shortened for it (thesis §6.4)", 0, 0.45),
    Setting("lease", "prob", "lease reads", "chance that a run reads with a lease (else through the log or "
            "ReadIndex, evenly; thesis §6.4)", 0, 1),
    Setting("pre_vote", "bool", "PreVote", "servers ask whether they could win before raising their term "
            "(thesis §9.6)"),
    Setting("check_quorum", "bool", "CheckQuorum", "leaders step down without a majority; followers ignore "
            "candidates while they hear a leader (thesis §6.2, §4.2.3)"),
    Setting("membership", "bool", "membership changes", "an operator adds, removes and replaces servers, "
            "or grows or shrinks the cluster by two (carried out one server at a time)"),
    Setting("snapshots", "bool", "snapshots", "compact logs every 16 applied entries (InstallSnapshot)"),
    Setting("batch", "int", "batch size", "most entries one AppendEntries carries (flow control)", 1, 64),
    Setting("swarm", "bool", "swarm", "each run turns on a random subset of the fault kinds (swarm testing)"),
    Setting("clients", "int", "clients", "closed-loop clients, one operation outstanding each", 1, 10),
    Setting("think", "float", "think time", "mean ms a client waits between a reply and its next operation",
            0, 10_000, " ms"),
    Setting("client_timeout", "float", "client timeout", "ms before a client retries at another server", 20,
            10_000, " ms"),
    Setting("unsafe", "switches", "unsafe switches", "rules removed from the algorithm"),
    Setting("runs", "int", "runs", "number of runs", 1, 100_000),
    Setting("seed", "int", "seed", "base seed: run i uses seed + i", 0, 2**31 - 1),
)
_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass
class LabSettings:
    """What the lab's controls set (see :data:`SETTINGS` for ranges and meaning).

    The defaults are a demanding nemesis: several faults of each kind per run, short
    crash-restart bounces among long outages, the leader targeted half of the time.
    """

    size: int = 3
    duration: float = 20_000.0
    loss: float = 0.02
    duplicate: float = 0.02
    reorder: float = 0.05
    delay: float = 0.0
    slow: float = 1.0
    flaky: float = 2.0
    partitions: float = 3.0
    crashes: float = 1.5
    churn: float = 0.8
    transfers: float = 0.5
    pauses: float = 0.5
    drift: float = 0.2
    lease: float = 0.5
    pre_vote: bool = True
    check_quorum: bool = True
    membership: bool = True
    snapshots: bool = True
    batch: int = 1
    swarm: bool = False
    clients: int = 4
    think: float = 40.0
    client_timeout: float = 100.0
    unsafe: tuple[str, ...] = ()
    runs: int = 100
    seed: int = 0

    def validate(self) -> "LabSettings":
        """Check (and normalize) every field; raise :class:`LabSettingsError` naming the first bad one."""
        for s in SETTINGS:
            setattr(self, s.name, s.coerce(getattr(self, s.name)))
        return self

    @classmethod
    def from_dict(cls, data: dict) -> "LabSettings":
        """Settings from JSON or URL parameters: unknown names and bad values are errors."""
        if not isinstance(data, dict):
            raise LabSettingsError(f"lab settings must be an object of name: value, got {_show(data)}")
        for name in sorted(data):
            if name not in _BY_NAME:
                raise LabSettingsError(f"unknown lab setting {name!r}; settings: {', '.join(_BY_NAME)}")
        s = cls()
        for name in _BY_NAME:
            if name in data:
                setattr(s, name, data[name])
        return s.validate()

    def to_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["unsafe"] = list(self.unsafe)
        return d

    def with_(self, **changes) -> "LabSettings":
        d = self.to_dict()
        d.update(changes)
        return LabSettings.from_dict(d)


def _value_text(s: Setting, value) -> str:
    if s.kind == "switches":
        return ",".join(value)
    if s.kind == "bool":
        return "on" if value else "off"
    return f"{value:g}" if isinstance(value, float) else str(value)


def cli_command(settings: LabSettings) -> str:
    """The command line that runs the same campaign: ``python -m raftcore.lab`` with the
    settings that differ from the defaults (``--runs`` and ``--seed`` always)."""
    import shlex

    mine = settings.to_dict()
    defaults = LabSettings().to_dict()
    words = ["python", "-m", "raftcore.lab"]
    for s in SETTINGS:
        value = mine[s.name]
        if s.name not in ("runs", "seed") and value == defaults[s.name]:
            continue
        flag = "--" + s.name.replace("_", "-")
        if s.kind == "bool":
            words.append(flag if value else "--no-" + flag[2:])
        elif s.kind == "switches":
            for sw in value:
                words += [flag, sw]
        else:
            words += [flag, _value_text(s, value)]
    return " ".join(shlex.quote(w) for w in words)


def replay_command(seed: int, settings: LabSettings) -> str:
    """The command that replays run ``seed`` alone with the same settings."""
    d = settings.to_dict()
    d.update(runs=1, seed=seed)
    return cli_command(LabSettings.from_dict(d))


def settings_schema() -> list[dict]:
    """The controls, for a page to build its form from (defaults from :class:`LabSettings`)."""
    defaults = LabSettings().to_dict()
    out = []
    for s in SETTINGS:
        item = {"name": s.name, "kind": s.kind, "label": s.label, "help": s.help, "default": defaults[s.name]}
        if s.lo is not None:
            item["min"], item["max"] = s.lo, s.hi
        if s.kind == "switches":
            item["choices"] = dict(UNSAFE_SWITCHES)
        out.append(item)
    return out


# ---------------------------------------------------------------------- one run


@dataclass
class LabFailure:
    """Why a run failed, and where: ``event`` is the number of the :meth:`LabRun.step` call
    (1-based) that revealed it — a replay that takes that many steps stops on it."""

    seed: int
    key: str          # an invariant's Violation.key, or "linearizability", or "progress"
    label: str        # what the summary table calls it
    time: float       # simulated ms
    event: int
    events: int       # steps the run took in all
    report: str       # the checker's report
    servers: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"seed": self.seed, "invariant": self.key, "label": self.label, "time": self.time,
                "event": self.event, "events": self.events, "report": self.report, "servers": list(self.servers)}


@dataclass
class RunResult:
    seed: int
    violation: object | None          # the checker's Violation, if any
    linearizable: bool | None         # None: the search gave up (unknown)
    lin_report: str | None
    progress: bool | None             # leader and every client answered after healing (None: stopped by a violation)
    leaderless_ms: float
    stale_leader_ms: float = 0.0       # time with more than one server believing it leads
    latencies: list[float] = field(default_factory=list)       # completed writes: invocation to reply
    read_latencies: list[float] = field(default_factory=list)
    messages: int = 0
    committed: int = 0                # log entries committed (highest commit index)
    operations: int = 0               # client operations completed
    events: int = 0
    faults: dict = field(default_factory=dict)   # nemesis kind -> how many times it struck
    failure: LabFailure | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


class LabRun:
    """One seeded run, advanced one step at a time (:meth:`step`) or to the end (:meth:`run`).

    Phases: ``faults`` (nemesis and clients, for ``settings.duration``), ``heal`` (every fault
    ended, clients finish; at most :data:`HEAL_MS`), ``check`` (the linearizability search),
    ``done``. A violation of an invariant ends the run at the step that caused it.
    """

    def __init__(self, seed: int, settings: LabSettings | None = None):
        s = copy.deepcopy(settings) if settings is not None else LabSettings()
        s.validate()
        self.seed = seed
        self.settings = s
        # The nemesis and the clients draw from their own generator; the cluster (network and
        # servers' timers) from its own, seeded from the same seed inside Cluster.
        self.rng = rng = random.Random(f"lab/{seed}")
        # The read path of this run (thesis §6.4): a lease (it needs CheckQuorum) with
        # probability ``lease``, else the log or ReadIndex.
        if s.check_quorum and rng.random() < s.lease:
            self.read_mode = "lease"
        else:
            self.read_mode = rng.choice(("log", "read_index"))
        # Each server's clock rate, within 1 ± drift: half of the runs at the bounds (the
        # worst case for a lease: a slow leader, fast followers), the others anywhere inside.
        extreme = rng.random() < 0.5
        self.rates = {}
        for i in range(1, MAX_SERVERS + 1):
            u = rng.choice((-1.0, 1.0)) if extreme else rng.uniform(-1.0, 1.0)
            self.rates[f"S{i}"] = 1.0 + s.drift * u
        cfg = RaftConfig(snapshot_threshold=16 if s.snapshots else 0, snapshot_trailing=4 if s.snapshots else 0,
                         max_entries_per_append=s.batch, pre_vote=s.pre_vote, check_quorum=s.check_quorum,
                         read_mode=self.read_mode, clock_drift=s.drift)
        for sw in s.unsafe:
            cfg.unsafe.set(sw, True)
        net = NetworkConfig(latency_min=5.0 + s.delay, latency_max=10.0 + s.delay, loss=s.loss,
                            duplicate=s.duplicate, reorder=s.reorder)
        self.cluster = c = ClockedCluster(size=s.size, seed=seed, config=cfg, network=net,
                                          client_timeout=s.client_timeout, rates=self.rates)
        self.spares = [f"S{i}" for i in range(s.size + 1, MAX_SERVERS + 1)]
        self.phase = "faults"
        self.steps = 0
        self.tick_at = TICK_MS
        self.heal_until = 0.0
        self.leaderless = 0.0
        self.stale_leader = 0.0
        self.op = 0
        self.written: dict[str, list[str]] = {k: [] for k in KEYS}
        self.ready_at: dict[str, float] = {}   # client -> when it issues its next operation
        # Active faults: kind -> end time (one partition at a time; crashes and slow servers per server).
        self.partition_until: float | None = None
        self.down_until: dict[str, float] = {}
        self.flaky_until: float | None = None
        self.slow_until: dict[str, tuple[float, list[tuple[str, str]]]] = {}
        self.paused: dict[str, float] = {}      # paused server -> when it resumes
        self.stale_links: list[tuple[str, str]] = []  # links a "stale" partition slowed
        self.faults: dict[str, int] = {}
        self.elections = 0                     # leaders elected so far (leader churn)
        self.strike: tuple[float, str, int] | None = None
        # Swarm testing (Groce et al., ISSTA 2012): each run leaves out a random subset of the
        # fault kinds, so that no kind always masks the effects of another (crashes that
        # keep resetting what a partition would build up, say).
        self.kinds = list(FAULT_KINDS)
        if s.swarm:
            self.kinds = [k for k in FAULT_KINDS if self.rng.random() < 0.5] or [self.rng.choice(FAULT_KINDS)]
        self.partition_kinds = [k for k in PARTITIONS if k in self.kinds]
        self.actions: list[tuple[int, float, str]] = []   # (step, time, what the nemesis did)
        self.failure: LabFailure | None = None
        # (time, step) each time the clock moved: where a replay finds the moment of a
        # non-linearizable reply (the history only knows times).
        self.clock_times: list[float] = []
        self.clock_steps: list[int] = []
        self.lin = None
        self.progress: bool | None = None
        self.result: RunResult | None = None
        self._p = TICK_MS / 1000.0  # a rate per second times this: the chance per tick

    # ------------------------------------------------------------ driving

    @property
    def done(self) -> bool:
        return self.phase == "done"

    def _nemesis_due(self) -> tuple[float, str]:
        """The next nemesis action of the fault phase and its time: a paused server resumes,
        leader churn strikes, or the tick (in that order when they fall together)."""
        due, what = self.tick_at, "tick"
        strike = self.strike
        if strike is not None and strike[0] <= due:
            due, what = strike[0], "strike"
        if self.paused:
            first = min(self.paused, key=lambda n: (self.paused[n], n))
            if self.paused[first] <= due:
                due, what = self.paused[first], "resume"
        return due, what

    def next_step_time(self) -> float | None:
        """Simulated time at which the next :meth:`step` happens (None once the run is over):
        a replay view advancing to a time takes the steps due by then. Steps that take no time
        (the end of healing, the final check) are due now."""
        if self.phase == "done":
            return None
        c = self.cluster
        t = c.next_event_time()
        if self.phase == "faults":
            due, _ = self._nemesis_due()
            if t is not None and t <= due:
                return t
            if due > self.settings.duration:
                return max(c.now, self.settings.duration)
            return due
        if self.phase == "heal" and not self._healed() and t is not None and t <= self.heal_until:
            return max(c.now, t)
        return c.now

    def step(self) -> bool:
        """Take one step; False once the run is over. An exception inside the step is the
        run's failure (key ``"exception"``, with the traceback and the command that replays
        it), never the caller's: a campaign goes on to its next run."""
        if self.phase == "done":
            return False
        c = self.cluster
        self.steps += 1
        try:
            self._step()
        except Exception as e:  # a bug in the code under test (or the lab): this run failed
            import traceback

            if self.failure is None:
                tb = traceback.format_exc()
                self.failure = LabFailure(
                    self.seed, EXCEPTION, EXCEPTION_LABEL, c.now, self.steps, 0,
                    f"{type(e).__name__}: {e}\nreplay: {replay_command(self.seed, self.settings)}\n{tb}")
            self.progress = None
            self.phase = "done"
            try:
                self._finish()
            except Exception:  # the state is broken: report what is known
                self.failure.events = self.steps
                self.result = RunResult(self.seed, None, None, None, None, self.leaderless, self.stale_leader,
                                        events=self.steps, faults=dict(sorted(self.faults.items())),
                                        failure=self.failure)
            return True
        if not self.clock_times or c.now > self.clock_times[-1]:
            self.clock_times.append(c.now)
            self.clock_steps.append(self.steps)
        if c.violation is not None and self.failure is None:
            v = c.violation
            self.failure = LabFailure(self.seed, v.key, v.invariant, v.time, self.steps, 0, str(v), tuple(v.servers))
            self.progress = None
            self.phase = "check"
        if self.phase == "done":
            self._finish()
        return True

    def _step(self) -> None:
        c = self.cluster
        if self.phase == "faults":
            t = c.next_event_time()
            due, what = self._nemesis_due()
            if t is not None and t <= due:
                c.step()
                if len(c.checker.leader_of_term) > self.elections:
                    self._elected()
            elif due > self.settings.duration:
                c.run_for(max(0.0, self.settings.duration - c.now))
                self._end_faults()
            elif what == "resume":
                c.run_for(max(0.0, due - c.now))  # nothing is due before it: move the clock to it
                name = min(self.paused, key=lambda n: (self.paused[n], n))
                del self.paused[name]
                if c.alive(name):
                    c.resume(name)
                self.actions.append((self.steps, c.now, f"{name} resumes"))
            elif what == "strike":
                strike = self.strike
                c.run_for(strike[0] - c.now)      # nothing is due before the strike: move the clock to it
                self.strike = None
                _, who, term = strike
                if c.alive(who) and c.nodes[who].current_term == term and c.nodes[who].role is Role.LEADER:
                    self._strike(who)
            else:
                c.run_for(self.tick_at - c.now)   # nothing is due before the tick: move the clock to it
                self._tick()
                self.tick_at += TICK_MS
        elif self.phase == "heal":
            t = c.next_event_time()
            if self._healed():
                self.progress = True
                self.phase = "check"
            elif t is None or t > self.heal_until:
                self.progress = False
                self.phase = "check"
            else:
                c.step()
        elif self.phase == "check":
            self._check()
            self.phase = "done"

    def run(self, max_steps: int | None = None) -> RunResult | None:
        """Step until the run ends (or ``max_steps`` more steps); the result once it has."""
        n = 0
        while self.step():
            n += 1
            if max_steps is not None and n >= max_steps:
                break
        return self.result

    def run_to(self, event: int) -> None:
        """Replay up to and including step number ``event`` (a failure's ``event``)."""
        while self.steps < event and self.step():
            pass

    def snapshot(self) -> dict:
        """The whole run's state, for :meth:`restore` (time travel in a replay view)."""
        state = {k: v for k, v in self.__dict__.items() if k != "cluster"}
        return {"lab": copy.deepcopy(state), "cluster": self.cluster.snapshot()}

    def restore(self, snap: dict) -> None:
        self.__dict__.update(copy.deepcopy(snap["lab"]))
        self.cluster.restore(snap["cluster"])

    # ------------------------------------------------------------ the nemesis

    def _act(self, kind: str, text: str) -> None:
        self.faults[kind] = self.faults.get(kind, 0) + 1
        self.actions.append((self.steps, self.cluster.now, text))

    def _tick(self) -> None:
        c, s, rng, p = self.cluster, self.settings, self.rng, self._p
        now = c.now
        leaders = c.leaders()
        if not leaders:
            self.leaderless += TICK_MS
        elif len(leaders) > 1:
            self.stale_leader += TICK_MS  # a deposed leader that does not know it yet (§5.1)
        # End the faults whose time is up, in a fixed order. A partition that ends is, half of
        # the time, replaced at once by another: the network changes shape without healing,
        # so servers cut off during one election meet again only after the next.
        if self.partition_until is not None and now >= self.partition_until:
            self.partition_until = None
            self._heal()
            if rng.random() < 0.5:
                self._partition()
        for name in sorted(self.down_until):
            if now >= self.down_until[name]:
                del self.down_until[name]
                c.restart(name)
                self.actions.append((self.steps, now, f"restart {name}"))
        for name in sorted(self.slow_until):
            until, links = self.slow_until[name]
            if now >= until:
                del self.slow_until[name]
                for a, b in links:
                    c.set_link_delay(a, b, 0.0)
                self.actions.append((self.steps, now, f"{name} fast again"))
        if self.flaky_until is not None and now >= self.flaky_until:
            self.flaky_until = None
            c.network.loss = s.loss
            self.actions.append((self.steps, now, "network reliable again"))
        # Start new faults: each kind is a Poisson process of the given rate.
        if s.partitions and self.partition_until is None and rng.random() < s.partitions * p:
            self._partition()
        if s.crashes and "crash" in self.kinds and rng.random() < s.crashes * p:
            self._crash()
        if s.slow and "slow" in self.kinds and rng.random() < s.slow * p:
            self._slow()
        if s.flaky and "flaky" in self.kinds and self.flaky_until is None and rng.random() < s.flaky * p:
            loss = rng.uniform(0.2, 0.6)
            c.network.loss = max(s.loss, loss)
            self.flaky_until = now + self._fault_length(50, 1000)
            self._act("flaky", f"network loses {100 * loss:.0f}% of messages")
        if s.membership and "membership" in self.kinds and rng.random() < MEMBERSHIP_RATE * p:
            self._membership()
        if s.transfers and "transfer" in self.kinds and rng.random() < s.transfers * p:
            self._transfer()
        if s.pauses and "pause" in self.kinds and rng.random() < s.pauses * p:
            self._pause()
        if s.drift and "skew" in self.kinds and rng.random() < SKEW_RATE * p:
            self._skew()
        self._clients()

    def _heal(self) -> None:
        c = self.cluster
        c.heal()
        for a, b in self.stale_links:
            if (a, b) not in self._slowed():
                c.set_link_delay(a, b, 0.0)
        self.stale_links = []
        self.actions.append((self.steps, c.now, "heal"))

    def _slowed(self) -> set[tuple[str, str]]:
        """Links a slow-server fault holds slow (a healed partition leaves them slow)."""
        return {link for _, links in self.slow_until.values() for link in links}

    def _transfer(self) -> None:
        """An operator asks the leader to hand leadership to another voter (thesis §3.10):
        its TimeoutNow-driven election disregards stickiness and breaks the leader's lease."""
        c, rng = self.cluster, self.rng
        lead = c.leader()
        if lead is None:
            return
        voters = [n for n in c.nodes[lead].voters if n != lead and c.alive(n)]
        if not voters:
            return
        to = rng.choice(voters)
        try:
            c.transfer_leadership(to)
        except ValueError:
            return  # refused (e.g. the leader is being removed): an operator's request may fail
        self._act("transfer", f"transfer leadership {lead} -> {to}")

    def _pause(self) -> None:
        """Process pause (Jepsen): the target stops taking steps — no timers, messages wait
        in its socket — while its clock runs on; it resumes after a few ms to seconds and
        first handles everything that waited. A paused leader does not know it was deposed."""
        c = self.cluster
        who = self._target()
        if not c.alive(who) or who in self.paused:
            return
        until = c.now + self._fault_length(20, 2000)
        c.pause(who, until)
        self.paused[who] = until
        self._act("pause", f"pause {who} for {until - c.now:.0f}ms")

    def _skew(self) -> None:
        """Clock skew within the bound (Jepsen's clock nemesis): the target's clock (the
        leader's half of the time) slows towards 1 − ε and every other clock speeds up towards
        1 + ε — the worst case for a lease, which the leader measures on its own clock while
        the followers' stickiness runs on theirs (thesis §6.4)."""
        c, rng, e = self.cluster, self.rng, self.settings.drift
        who = self._target()
        for name in self._servers():
            u = rng.uniform(0.5, 1.0)
            c.set_clock_rate(name, 1.0 - e * u if name == who else 1.0 + e * u)
        self._act("skew", f"clock of {who} slow, the others fast (drift bound {e:g})")

    def _elected(self) -> None:
        """A leader was just elected (the checker records every election as it happens).
        Leader churn strikes it, with probability ``churn``, within a few ms: before its
        first entries are everywhere, when a new term's state is most fragile."""
        elected = self.cluster.checker.leader_of_term
        self.elections = len(elected)
        term = next(reversed(elected))  # the latest election (dicts keep insertion order)
        s = self.settings
        if s.churn and "churn" in self.kinds and self.strike is None and self.rng.random() < s.churn:
            self.strike = (self.cluster.now + self.rng.uniform(0, 60), elected[term], term)

    def _strike(self, who: str) -> None:
        """Leader churn: the nemesis turns to the new leader. Whatever partition it had made
        ends — the servers it cut off, the previous leader among them, come back a term or
        more behind — and the new leader is cut off alone or killed (often only for a bounce)."""
        c = self.cluster
        self.faults["churn"] = self.faults.get("churn", 0) + 1
        if self.partition_until is not None:
            self.partition_until = None
            self._heal()
        if self.rng.random() < 0.5:
            self._partition("isolate", who)
        else:
            self._crash(who)

    def _servers(self) -> list[str]:
        return list(self.cluster.names)  # in creation order: S1.., then servers added later

    def _target(self) -> str:
        """The leader half of the time (the server whose failure matters most), else anyone."""
        c, rng = self.cluster, self.rng
        lead = c.leader()
        live = [n for n in self._servers() if c.alive(n)] or self._servers()
        if lead is not None and rng.random() < 0.5:
            return lead
        return rng.choice(live)

    def _fault_length(self, lo: float, hi: float) -> float:
        """Log-uniform: as many short faults (about an election timeout) as long ones."""
        return math.exp(self.rng.uniform(math.log(lo), math.log(hi)))

    def _partition(self, kind: str | None = None, who: str | None = None) -> None:
        c, rng = self.cluster, self.rng
        names = self._servers()
        n = len(names)
        if kind is None:
            if not self.partition_kinds:
                return
            kind = rng.choice(self.partition_kinds)
        if who is None:
            who = self._target()
        others = [x for x in names if x != who]
        rng.shuffle(others)
        if kind == "isolate":          # the leader (or anyone) alone
            c.partition([who])
            text = f"isolate {who}"
        elif kind == "minority":       # the target with a minority of its own
            k = rng.randrange(0, max(1, (n - 1) // 2))
            side = [who] + others[:k]
            c.partition(side)
            text = f"partition {','.join(side)} | rest"
        elif kind == "halves":         # random majority / minority halves
            k = rng.randrange(1, n // 2 + 1)
            side = others[:k] if rng.random() < 0.5 else [who] + others[:k - 1]
            c.partition(side)
            text = f"partition {','.join(side)} | rest"
        elif kind == "bridge":         # two halves that only the bridge server connects
            ring = [who] + others
            bridge, rest = ring[-1], ring[:-1]
            a, b = rest[:len(rest) // 2], rest[len(rest) // 2:]
            for x in a:
                for y in b:
                    c.cut(x, y)
                    c.cut(y, x)
            text = f"bridge {','.join(a)} <{bridge}> {','.join(b)}"
        elif kind == "ring":           # everyone sees a majority, no two the same majority
            ring = [who] + others
            reach = (n // 2 + 1) // 2  # neighbours on each side: with itself, a majority
            for i, x in enumerate(ring):
                for j, y in enumerate(ring):
                    if min((i - j) % n, (j - i) % n) > reach:
                        c.cut(x, y)
            text = f"majorities ring {','.join(ring)}"
        elif kind == "stale":           # cut off, and news from the others arrives late
            k = rng.randrange(0, max(1, (n - 1) // 2))
            side = [who] + others[:k]
            rest = [x for x in names if x not in side]
            extra = rng.uniform(100, 600)
            for x in side:
                for y in rest:
                    c.cut(x, y)
                    if (y, x) not in self._slowed():
                        c.set_link_delay(y, x, extra)
                        self.stale_links.append((y, x))
            text = f"cut {','.join(side)} off, links back +{extra:.0f}ms"
        else:                           # one direction of some of the target's links
            outgoing = rng.random() < 0.5
            cut = others[:rng.randrange(1, n)]
            for y in cut:
                c.cut(who, y) if outgoing else c.cut(y, who)
            text = f"cut {who}->{','.join(cut)}" if outgoing else f"cut {','.join(cut)}->{who}"
        if kind in ("isolate", "minority", "stale") and self.settings.drift:
            # The stale-leader window at its widest: at the moment the target's side is cut
            # off, its clocks slow and the others' speed up, within the drift bound — the
            # worst case for a lease, measured on the (maybe deposed) leader's clock while the
            # followers' stickiness runs on theirs (thesis §6.4).
            e = self.settings.drift
            cut_off = {who} if kind == "isolate" else set(side)
            for x in names:
                c.set_clock_rate(x, 1.0 - e if x in cut_off else 1.0 + e)
            text += "; clocks skewed"
        self.partition_until = c.now + self._fault_length(50, 3000)
        self._act(f"partition:{kind}", text)

    def _crash(self, who: str | None = None) -> None:
        """Kill servers (Jepsen's kill nemesis): the target alone, or a minority, a majority or
        every server at once; they restart together after a bounce of a few ms or an outage of
        seconds. A restart loses everything but the disk."""
        c, rng = self.cluster, self.rng
        if who is None:
            who = self._target()
            kind = rng.choice(CRASHES)
        else:
            kind = "one"
        live = [n for n in self._servers() if c.alive(n) and n != who]
        rng.shuffle(live)
        n = len(c.members)
        k = {"one": 0, "minority": (n - 1) // 2 - 1, "majority": n // 2, "all": len(live)}[kind]
        victims = [x for x in [who] + live[:max(0, k)] if c.alive(x)]
        if not victims:
            return
        until = c.now + self._fault_length(5, 3000)
        for x in victims:
            c.crash(x)
            self.paused.pop(x, None)  # a crash ends a pause: the restarted process runs
            self.down_until[x] = until
        self._act(f"crash:{kind}", f"crash {','.join(victims)}")

    def _slow(self) -> None:
        """Timer skew, as a network can make it: one server's messages (out, in or both) take
        up to an election timeout longer, so it sees everything late and is seen late."""
        c, rng = self.cluster, self.rng
        who = self._target()
        if who in self.slow_until:
            return
        extra = rng.uniform(20, 300)
        way = rng.choice(("out", "in", "both"))
        links = []
        for y in self._servers():
            if y == who:
                continue
            if way in ("out", "both"):
                links.append((who, y))
            if way in ("in", "both"):
                links.append((y, who))
        for a, b in links:
            c.set_link_delay(a, b, extra)
        self.slow_until[who] = (c.now + self._fault_length(50, 3000), links)
        self._act("slow", f"slow {who} {way} +{extra:.0f}ms")

    def _membership(self) -> None:
        """An operator's request: add or remove a server, replace one by another, or grow or
        shrink the cluster by two — asked for at once, and without waiting for earlier
        requests to be carried out, as an impatient operator would. Carrying the changes out
        one server at a time (thesis §4.1) is the cluster's job."""
        c, rng = self.cluster, self.rng
        members = list(c.members)
        candidates = [n for n in self._servers() if n not in members and c.alive(n)] + self.spares[:2]
        n = len(members)
        ops = {"add": (1, 0), "remove": (0, 1), "replace": (1, 1), "grow": (2, 0), "shrink": (0, 2)}
        allowed = [k for k, (add, remove) in ops.items()
                   if add <= len(candidates) and 3 <= n + add - remove <= MAX_SERVERS and n - remove >= 3]
        if not allowed:
            return
        kind = rng.choice(allowed)
        add, remove = ops[kind]
        done = []
        for new in rng.sample(candidates, add):
            if new in self.spares:
                self.spares.remove(new)
            c.add_server(new)
            done.append(f"add {new}")
        for _ in range(remove):
            old = self._target() if rng.random() < 0.5 else None  # the leader half of the time
            if old not in members:
                old = rng.choice(members)
            members.remove(old)
            c.remove_server(old)
            done.append(f"remove {old}")
        self._act(f"membership:{kind}", "; ".join(done))

    def _clients(self) -> None:
        """Closed-loop clients: an idle client thinks for a while (uniformly up to twice
        ``think``), then issues its next operation on one of KEYS."""
        c, rng = self.cluster, self.rng
        think = self.settings.think
        for k in range(self.settings.clients):
            client = f"c{k + 1}"
            cl = c.clients.get(client)
            if cl is not None and (cl.current is not None or cl.queue):
                continue
            ready = self.ready_at.get(client)
            if ready is None and think:
                self.ready_at[client] = c.now + rng.uniform(0, 2 * think)
                continue
            if ready is not None and c.now < ready:
                continue
            self.ready_at.pop(client, None)
            self.op += 1
            key = KEYS[rng.randrange(len(KEYS))]
            r = rng.random()
            written = self.written[key]
            # Half of the operations go to a server drawn at random (as Jepsen's clients are
            # bound to nodes), the others where the client's last answer came from: so some
            # reach a deposed leader while others already write through its successor.
            server = None
            if rng.random() < 0.5:
                live = [n for n in self._servers() if c.alive(n)]
                server = rng.choice(live) if live else None
            if r < 0.35:
                value = str(self.op)  # every value written is unique: a stale read cannot hide
                written.append(value)
                c.submit(f"SET {key} {value}", client=client, server=server)
            elif r < 0.5:
                c.submit(f"INC {key}", client=client, server=server)
            elif r < 0.6 and written:
                old = written[-1 - rng.randrange(min(3, len(written)))]
                value = str(self.op)
                written.append(value)
                c.submit(f"CAS {key} {old} {value}", client=client, server=server)
            else:
                c.read(key, client=client, server=server)

    # ------------------------------------------------------------ the end

    def _end_faults(self) -> None:
        """Every fault ends: links fast, network healed and reliable, every server restarted."""
        c = self.cluster
        for name in sorted(self.slow_until):
            for a, b in self.slow_until[name][1]:
                c.set_link_delay(a, b, 0.0)
        self.slow_until = {}
        for a, b in self.stale_links:
            c.set_link_delay(a, b, 0.0)
        self.stale_links = []
        for name in sorted(self.paused):
            if c.alive(name):
                c.resume(name)
        self.paused = {}
        self.down_until = {}
        self.partition_until = None
        c.recover()
        self.actions.append((self.steps, c.now, "end of faults: heal, restart everyone"))
        self.heal_until = c.now + HEAL_MS
        self.phase = "heal"

    def _healed(self) -> bool:
        c = self.cluster
        return c.leader() is not None and all(cl.current is None and not cl.queue for cl in c.clients.values())

    def _check(self) -> None:
        c = self.cluster
        self.lin = check_history(c.history, max_states=LIN_MAX_STATES)
        if self.failure is None:
            if not self.lin.ok:
                at, lin = first_non_linearizable(c.history, self.lin)
                # The last step at that simulated time: the reply that cannot be explained is in.
                i = bisect.bisect_right(self.clock_times, at)
                step = self.clock_steps[i] - 1 if i < len(self.clock_steps) else self.steps
                self.failure = LabFailure(self.seed, LINEARIZABILITY, LINEARIZABILITY_LABEL, at, step, 0, str(lin))
            elif self.progress is False:
                waiting = [str(h) for h in c.handles if not h.done][:5]
                self.failure = LabFailure(
                    self.seed, PROGRESS, PROGRESS_LABEL, c.now, self.steps, 0,
                    f"no {'leader' if c.leader() is None else 'answer to every client'} within "
                    f"{HEAL_MS / 1000:.0f} s of healing" + (f"; waiting: {', '.join(waiting)}" if waiting else ""))

    def _finish(self) -> None:
        c = self.cluster
        if self.failure is not None:
            self.failure.events = self.steps
        lin = self.lin
        linearizable = (True if lin.complete else None) if lin.ok else False
        writes = [h.completed_at - h.invoked_at for h in c.handles if h.done and h.command.op != "GET"]
        reads = [h.completed_at - h.invoked_at for h in c.handles if h.done and h.command.op == "GET"]
        committed = max((n.commit_index for n in c.nodes.values()), default=0)
        self.result = RunResult(self.seed, c.violation, linearizable, None if lin.ok else str(lin), self.progress,
                                self.leaderless, self.stale_leader, writes, reads, c.stats["sent"], committed,
                                sum(1 for h in c.handles if h.done), self.steps, dict(sorted(self.faults.items())),
                                self.failure)


def first_non_linearizable(history: list[Operation], full=None):
    """The earliest reply after which the history is no longer linearizable, and the
    checker's report on the history up to it: the core's one bisection
    (:func:`raftcore.check.linearizability.first_violation`) at the lab's search budget."""
    return first_violation(history, max_states=LIN_MAX_STATES, full=full)


def run_one(seed: int, s: LabSettings | None = None) -> RunResult:
    """One seeded run to its end."""
    return LabRun(seed, s).run()


# ---------------------------------------------------------------------- summaries


class Percentiles:
    """Latency samples in 1-ms buckets: percentiles of thousands of runs in constant memory."""

    def __init__(self) -> None:
        self.buckets: dict[int, int] = {}
        self.n = 0

    def add(self, values) -> None:
        b = self.buckets
        for v in values:
            k = int(v)
            b[k] = b.get(k, 0) + 1
            self.n += 1

    def q(self, f: float) -> float | None:
        if not self.n:
            return None
        rank = min(self.n - 1, int(f * (self.n - 1)))
        seen = 0
        for k in sorted(self.buckets):
            seen += self.buckets[k]
            if seen > rank:
                return float(k)
        return None


#: The rows of the summary: every invariant the checker watches, then linearizability.
def _rows() -> list[tuple[str, str]]:
    return [(INVARIANT_KEYS[label], label) for label in INVARIANTS] + [(LINEARIZABILITY, LINEARIZABILITY_LABEL)]


#: Rows after the invariants': progress after healing, then runs that raised no exception.
TAIL_ROWS = ((PROGRESS, PROGRESS_LABEL), (EXCEPTION, EXCEPTION_LABEL))


class LabSummary:
    """Counts per property over the runs added so far; partial summaries are cheap."""

    def __init__(self) -> None:
        self.runs = 0
        self.held = {key: 0 for key, _ in _rows()}
        self.lin_unknown = 0
        self.progress_runs = 0
        self.progress_ok = 0
        self.exceptions = 0
        self.writes = Percentiles()
        self.reads = Percentiles()
        self.leaderless = 0.0
        self.stale_leader = 0.0
        self.duration = 0.0
        self.messages = 0
        self.committed = 0
        self.operations = 0
        self.events = 0
        self.faults: dict[str, int] = {}
        self.failures: list[LabFailure] = []

    def add(self, r: RunResult, duration: float) -> None:
        self.runs += 1
        bad = r.violation.key if r.violation is not None else None
        for key in self.held:
            if key == LINEARIZABILITY:
                self.held[key] += r.linearizable is True
                self.lin_unknown += r.linearizable is None
            else:
                self.held[key] += key != bad
        if r.progress is not None:
            self.progress_runs += 1
            self.progress_ok += r.progress
        self.exceptions += r.failure is not None and r.failure.key == EXCEPTION
        self.writes.add(r.latencies)
        self.reads.add(r.read_latencies)
        self.leaderless += r.leaderless_ms
        self.stale_leader += r.stale_leader_ms
        self.duration += duration
        self.messages += r.messages
        self.committed += r.committed
        self.operations += r.operations
        self.events += r.events
        for k, v in r.faults.items():
            self.faults[k] = self.faults.get(k, 0) + v
        if r.failure is not None:
            self.failures.append(r.failure)

    def to_dict(self) -> dict:
        n = self.runs
        rows = []
        for key, label in _rows():
            row = {"invariant": key, "label": label, "held": self.held[key], "runs": n}
            if key == LINEARIZABILITY:
                row["unknown"] = self.lin_unknown
            rows.append(row)
        rows.append({"invariant": PROGRESS, "label": PROGRESS_LABEL, "held": self.progress_ok,
                     "runs": self.progress_runs})
        rows.append({"invariant": EXCEPTION, "label": EXCEPTION_LABEL, "held": n - self.exceptions, "runs": n})
        return {
            "runs": n,
            "failed": len(self.failures),
            "properties": rows,
            "availability": {
                "leaderless_ms_per_run": self.leaderless / n if n else None,
                "leaderless_fraction": self.leaderless / self.duration if self.duration else None,
                "stale_leader_ms_per_run": self.stale_leader / n if n else None,
                "commit_latency_ms": {f"p{int(f * 100)}": self.writes.q(f) for f in (0.5, 0.9, 0.99)},
                "read_latency_ms": {f"p{int(f * 100)}": self.reads.q(f) for f in (0.5, 0.9, 0.99)},
                "messages_per_committed_entry": self.messages / self.committed if self.committed else None,
                "operations": self.operations,
            },
            "faults": dict(sorted(self.faults.items())),
            "events": self.events,
        }

    def text(self, max_failures: int = 20) -> str:
        d = self.to_dict()
        n = d["runs"]
        lines = [f"{n} runs", "", f"{'property':<24} {'held':>6} / runs"]
        for row in d["properties"]:
            extra = ""
            if row.get("unknown"):
                extra = f"  ({row['unknown']} unknown: search gave up)"
            if row["invariant"] == PROGRESS and row["runs"] < n:
                extra = "  (runs stopped by a violation are not counted)"
            lines.append(f"{row['label']:<24} {row['held']:>6} / {row['runs']}{extra}")
        a = d["availability"]
        lat = a["commit_latency_ms"]
        if lat["p50"] is not None:
            lines += ["", f"commit latency ms: p50 {lat['p50']:.0f}  p90 {lat['p90']:.0f}  p99 {lat['p99']:.0f}"]
        rl = a["read_latency_ms"]
        if rl["p50"] is not None:
            lines.append(f"read latency ms:   p50 {rl['p50']:.0f}  p90 {rl['p90']:.0f}  p99 {rl['p99']:.0f}")
        if a["messages_per_committed_entry"] is not None:
            lines.append(f"messages per committed entry: {a['messages_per_committed_entry']:.1f}")
        if a["leaderless_ms_per_run"] is not None:
            lines.append(f"time without a leader: {a['leaderless_ms_per_run']:.0f} ms per run "
                         f"({100 * a['leaderless_fraction']:.1f}% of the fault phase)")
            lines.append(f"time with a stale leader too: {a['stale_leader_ms_per_run']:.0f} ms per run "
                         f"(a deposed leader that does not know it yet)")
        if d["faults"]:
            lines.append("faults: " + ", ".join(f"{k} {v}" for k, v in d["faults"].items()))
        if self.failures:
            lines += ["", "failing runs (replay with --runs 1 --seed SEED and the same settings):"]
            for f in self.failures[:max_failures]:
                lines.append(f"  seed {f.seed}: {f.label} at {f.time:.1f}ms, event {f.event}/{f.events}: "
                             f"{f.report.splitlines()[0]}")
                if f.key == EXCEPTION:  # the traceback, indented under its seed
                    lines += ["      " + line for line in f.report.splitlines()[1:]]
            if len(self.failures) > max_failures:
                lines.append(f"  … and {len(self.failures) - max_failures} more")
        return "\n".join(lines)


def summarize(results: list[RunResult], duration: float | None = None) -> str:
    summary = LabSummary()
    for r in results:
        summary.add(r, duration if duration is not None else LabSettings.duration)
    return summary.text()


def run_many(s: LabSettings) -> LabSummary:
    """``s.runs`` runs from base seed ``s.seed``."""
    summary = LabSummary()
    for i in range(s.runs):
        summary.add(run_one(s.seed + i, s), s.duration)
    return summary


# ---------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m raftcore.lab", description=__doc__.split("\n\n")[0],
                                 epilog="Exit status 1 when a run fails; the failing seeds are listed.")
    defaults = LabSettings()
    for s in SETTINGS:
        flag = "--" + s.name.replace("_", "-")
        text = s.help.replace("%", "%%")  # argparse formats help with %
        if s.kind == "bool":
            ap.add_argument(flag, action=argparse.BooleanOptionalAction, default=getattr(defaults, s.name),
                            help=text)
        elif s.kind == "switches":
            ap.add_argument(flag, action="append", default=[], metavar="SWITCH",
                            help=f"{text} (repeat; one of: {', '.join(UNSAFE_SWITCHES)})")
        else:
            ap.add_argument(flag, default=getattr(defaults, s.name), metavar="N",
                            help=f"{text} (default {getattr(defaults, s.name)})")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    a = ap.parse_args(argv)
    try:
        settings = LabSettings.from_dict({s.name: getattr(a, s.name) for s in SETTINGS})
    except LabSettingsError as e:
        ap.error(str(e))
    summary = run_many(settings)
    if a.json:
        import json

        d = summary.to_dict()
        d["failures"] = [f.to_dict() for f in summary.failures]
        d["settings"] = settings.to_dict()
        print(json.dumps(d, indent=1))
    else:
        print(summary.text())
    return 0 if not summary.failures else 1


if __name__ == "__main__":
    raise SystemExit(main())
