"""The playground's model: a run the reader drives, recorded as a log of actions that replays.

The playground page (``docs/playground.md``) gives the reader one cluster of 1–9 servers and
every fault and extension the core knows. What the reader does is not poked into the cluster
and forgotten: each action is an :class:`Action` stamped with the simulated time it happened
at, and a :class:`PlaygroundRun` applies its *script* of actions as simulated time reaches
them. Because the simulation is a pure function of its seed and inputs, the run settings
(:class:`Settings`), the script and the moment shown are the whole run: :func:`encode` writes
them into a compact, versioned address (``?pg=v1.…``) and :func:`decode` reads one back, so a
link replays the exact run — same trace, same trace hash.

Why actions land on a 0.1 ms grid. The reader acts between animation frames, at whatever
float the clock has reached. To make the address short and exact, an action first takes the
run to the next tenth of a millisecond (at most 0.1 ms of simulated time, invisible) and
happens there; the address stores the time as a whole number of tenths. A replay reaches the
same tenth by processing exactly the events due at or before it, so it makes the same calls
in the same state. "Copy link" does the same with the moment shown.

Why a run can replay from any snapshot. :meth:`PlaygroundRun.snapshot` holds the cluster
and how many actions were applied (``pc``), not the script: time travel (the timeline's
:class:`raftcore.sim.recording.Recording`, the stepper's ◀ Back) restores a snapshot and
advances, which re-applies the later actions at their times. An action taken in the past
replaces the script's future (it is no longer that past's future), as the recording forgets
its later snapshots.

The address format, version 1 (tokens separated by ``.``; everything is URL-safe)::

    v1.n5.s7.p1.q1.ri.h0.t12345.803c1.1200p12-345.1500n10-0-5

* ``v1`` — the format's version; ``n`` servers (1–9), ``s`` seed, ``p`` PreVote (0/1),
  ``q`` CheckQuorum (0/1), ``r`` read mode (``l`` log, ``i`` ReadIndex, ``s`` lease),
  ``h`` snapshot threshold (entries; 0 never), ``t`` the moment shown, in tenths of a ms;
* then one token per action: its time in tenths of a ms, a verb letter and its arguments,
  servers written by their digit (``S3`` is ``3``; the playground names servers S1…S9). The
  verbs are listed in :data:`VERBS`.

A link from another version, or with a token this version cannot read, opens what it can: the
run settings it can read, the actions it can read and apply, and :func:`decode`'s ``notes``
say what was left out (the page shows them).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from raftcore import UNSAFE_SWITCHES
from raftcore.config import RaftConfig
from raftcore.kv import Command
from raftcore.sim.clock import ClockedCluster
from raftcore.sim.network import NetworkConfig

__all__ = ["Settings", "Action", "PlaygroundRun", "LinkError", "encode", "decode", "VERBS", "UNSAFE_CODES",
           "VERSION", "MAX_SERVERS", "quantize", "server_names"]

VERSION = "v1"
MAX_SERVERS = 9
#: the longest pause one action asks for, in ms
MAX_PAUSE_MS = 5_000
#: the largest extra delay on one link, in ms
MAX_DELAY_MS = 2_000
#: the most client operations per second of simulated time
MAX_RATE = 20
#: the latest moment an address may name (tenths of a ms): ten simulated minutes
MAX_TENTHS = 6_000_000

#: Unsafe switches by their code in the address. Version 1's table: never renumber or reuse a
#: code (a link must mean the same run forever); a new switch gets a new code.
UNSAFE_CODES: dict[str, str] = {
    "mv": "multiple_votes_per_term",
    "ud": "skip_up_to_date_check",
    "co": "commit_old_term_by_counting",
    "pl": "skip_prev_log_check",
    "fv": "forget_voted_for_on_restart",
    "cm": "commit_without_majority",
    "nd": "nondeterministic_state_machine",
    "ih": "ignore_higher_term",
    "lr": "local_reads",
    "mm": "multi_server_membership_change",
    "ld": "lease_ignores_drift",
}
_CODE_OF = {name: code for code, name in UNSAFE_CODES.items()}
assert set(UNSAFE_CODES.values()) <= set(UNSAFE_SWITCHES)

READ_CODES = {"l": "log", "i": "read_index", "s": "lease"}
_READ_CODE = {v: k for k, v in READ_CODES.items()}

#: verb letter -> (what it does, the pattern of its arguments)
VERBS: dict[str, tuple[str, str]] = {
    "c": ("crash a server", r"[1-9]"),
    "r": ("restart a server", r"[1-9]"),
    "o": ("force a server's election timeout", r"[1-9]"),
    "z": ("pause a server's process for some ms (its clock runs on)", r"[1-9]-\d{1,5}"),
    "x": ("transfer leadership to a server", r"[1-9]"),
    "a": ("add a server (one at a time, it catches up as a learner first)", r"[1-9]"),
    "d": ("remove a server", r"[1-9]"),
    "p": ("partition the network into groups of servers", r"[1-9]+(?:-[1-9]+)+"),
    "k": ("cut one direction of one link", r"[1-9][1-9]"),
    "h": ("heal the network (partitions and cuts)", r""),
    "l": ("extra delay on one direction of one link, ms", r"[1-9][1-9]-\d{1,4}"),
    "n": ("message loss, duplication and reordering, in percent", r"\d{1,3}-\d{1,3}-\d{1,3}"),
    "u": ("turn an unsafe switch on (1) or off (0)", r"[a-z]{2}[01]"),
    "w": ("clients' operations per second", r"\d{1,2}"),
    "s": ("one client write", r""),
    "g": ("one client read", r""),
}
_ACTION_RE = re.compile(r"^(\d{1,7})([a-z])(.*)$")


class LinkError(ValueError):
    """An action or setting the playground cannot take (the message says why)."""


def quantize(now: float) -> int:
    """The first tenth of a millisecond at or after ``now`` (an action happens there)."""
    k = math.ceil(now * 10 - 1e-6)
    while k / 10 < now:
        k += 1
    return max(k, 0)


def server_names(size: int) -> list[str]:
    return [f"S{i}" for i in range(1, size + 1)]


def _digit(name: str) -> str:
    if not re.fullmatch(r"S[1-9]", name):
        raise LinkError(f"the playground's servers are S1 … S9, not {name!r}")
    return name[1:]


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class Settings:
    """What a run starts with; changing one starts a new run (the reader's actions belong to
    the run they were taken in)."""

    size: int = 5
    seed: int = 1
    pre_vote: bool = True
    check_quorum: bool = True
    read_mode: str = "read_index"
    snapshot_threshold: int = 0

    def check(self) -> "Settings":
        if not isinstance(self.size, int) or not 1 <= self.size <= MAX_SERVERS:
            raise LinkError(f"a playground cluster has 1 to {MAX_SERVERS} servers, not {self.size!r}")
        if not isinstance(self.seed, int) or not 0 <= self.seed < 2**31:
            raise LinkError(f"seed {self.seed!r} is out of range (0 … 2147483647)")
        if self.read_mode not in _READ_CODE:
            raise LinkError(f"read mode must be one of {', '.join(_READ_CODE)}, not {self.read_mode!r}")
        if self.read_mode == "lease" and not self.check_quorum:
            raise LinkError("lease reads need CheckQuorum: without it a deposed leader may not know it and would "
                            "serve stale reads (thesis §6.4); turn CheckQuorum on first")
        if not isinstance(self.snapshot_threshold, int) or not 0 <= self.snapshot_threshold <= 1000:
            raise LinkError(f"snapshot threshold must be 0 (never) to 1000 entries, not {self.snapshot_threshold!r}")
        return self

    def raft_config(self) -> RaftConfig:
        return RaftConfig(pre_vote=self.pre_vote, check_quorum=self.check_quorum, read_mode=self.read_mode,
                          snapshot_threshold=self.snapshot_threshold)

    def tokens(self) -> list[str]:
        return [f"n{self.size}", f"s{self.seed}", f"p{int(self.pre_vote)}", f"q{int(self.check_quorum)}",
                f"r{_READ_CODE[self.read_mode]}", f"h{self.snapshot_threshold}"]


# --------------------------------------------------------------------------- actions


@dataclass(frozen=True)
class Action:
    """One thing the reader did, at ``tenths`` of a simulated millisecond: ``verb`` (a key of
    :data:`VERBS`) and ``arg``, its argument text as the address writes it."""

    tenths: int
    verb: str
    arg: str = ""

    @property
    def time(self) -> float:
        return self.tenths / 10

    def token(self) -> str:
        return f"{self.tenths}{self.verb}{self.arg}"

    @classmethod
    def parse(cls, token: str) -> "Action":
        m = _ACTION_RE.match(token)
        if not m:
            raise LinkError(f"“{token[:24]}” is not an action (a time in tenths of a ms, a verb letter, arguments)")
        tenths, verb, arg = int(m.group(1)), m.group(2), m.group(3)
        if verb not in VERBS:
            raise LinkError(f"“{token[:24]}”: unknown verb {verb!r} (known: {''.join(VERBS)})")
        if not re.fullmatch(VERBS[verb][1], arg):
            raise LinkError(f"“{token[:24]}”: bad arguments for “{VERBS[verb][0]}”")
        if tenths > MAX_TENTHS:
            raise LinkError(f"“{token[:24]}”: later than ten simulated minutes")
        a = cls(tenths, verb, arg)
        a.check_arguments()
        return a

    def check_arguments(self) -> None:
        """What the pattern cannot say: ranges, distinct servers."""
        v, arg = self.verb, self.arg
        if v == "z":
            ms = int(arg.split("-")[1])
            if not 1 <= ms <= MAX_PAUSE_MS:
                raise LinkError(f"a pause lasts 1 to {MAX_PAUSE_MS} ms, not {ms}")
        elif v in ("k", "l"):
            if arg[0] == arg[1]:
                raise LinkError(f"a link joins two different servers, not S{arg[0]} to itself")
            if v == "l" and int(arg.split("-")[1]) > MAX_DELAY_MS:
                raise LinkError(f"a link's extra delay is at most {MAX_DELAY_MS} ms")
        elif v == "p":
            digits = arg.replace("-", "")
            if len(set(digits)) != len(digits):
                raise LinkError("a server appears in two sides of the partition")
        elif v == "n":
            if any(int(p) > 100 for p in arg.split("-")):
                raise LinkError("a probability is at most 100 percent")
        elif v == "u":
            if arg[:2] not in UNSAFE_CODES:
                raise LinkError(f"unknown unsafe switch code {arg[:2]!r}")
        elif v == "w":
            if int(arg) > MAX_RATE:
                raise LinkError(f"clients issue at most {MAX_RATE} operations per second")

    def describe(self) -> str:
        """The action in words (the timeline's marks, the event log)."""
        v, arg = self.verb, self.arg
        if v in _SAID:
            return _SAID[v].format(s=f"S{arg[:1]}")
        if v == "z":
            return f"you paused S{arg[:1]} for {arg.split('-')[1]} ms"
        if v == "p":
            return "you partitioned " + " | ".join(",".join(f"S{d}" for d in g) for g in arg.split("-"))
        if v == "k":
            return f"you cut S{arg[0]}→S{arg[1]}"
        if v == "l":
            pair, ms = arg.split("-")
            return f"you set S{pair[0]}→S{pair[1]} {ms} ms slower"
        if v == "n":
            loss, dup, reo = arg.split("-")
            return f"you set loss {loss}%, duplication {dup}%, reordering {reo}%"
        if v == "u":
            return f"you turned {UNSAFE_CODES[arg[:2]]} {'on' if arg[2] == '1' else 'off'}"
        if v == "w":
            return f"you set the clients to {arg} operations/s"
        return self.token()


#: :meth:`Action.describe` of the verbs whose argument is one server ({s}) or nothing
_SAID = {
    "c": "you crashed {s}",
    "r": "you restarted {s}",
    "o": "you timed {s} out",
    "x": "you asked for leadership to go to {s}",
    "a": "you added {s}",
    "d": "you removed {s}",
    "h": "you healed the network",
    "s": "you sent a write",
    "g": "you sent a read",
}


# --------------------------------------------------------------------------- the address


def encode(settings: Settings, script, tenths: int) -> str:
    """The address's ``pg`` value: version, settings, the moment shown, the actions."""
    return ".".join([VERSION, *settings.tokens(), f"t{int(tenths)}", *(a.token() for a in script)])


@dataclass
class Decoded:
    settings: Settings
    script: list
    tenths: int
    notes: list


def decode(text) -> Decoded:
    """Read an address's ``pg`` value. Never raises: whatever cannot be read is left out and
    said in ``notes`` (a link from another version opens a fresh run with its seed and size
    when it can read them)."""
    notes: list[str] = []
    raw = str(text or "").strip()
    tokens = [t for t in raw.split(".") if t]
    if not tokens:
        return Decoded(Settings(), [], 0, ["The address's pg= is empty; a fresh run opens."])
    version = tokens[0]
    fields: dict = {}
    script: list[Action] = []
    tenths = 0
    foreign = version != VERSION
    if foreign and re.fullmatch(r"v\d{1,3}", version):
        notes.append(f"This link was written by another version of the playground ({version}; this page reads "
                     f"{VERSION}). Its settings are read where they mean the same; its actions are not replayed.")
    elif foreign:
        notes.append(f"This link does not start with a version ({VERSION}.…), so it was not written by the "
                     "playground's Copy link; what can be read of it opens.")
        tokens = ["", *tokens]
    tokens = tokens[1:]
    bad_actions = 0
    for tok in tokens:
        if tok[:1].isdigit():
            if foreign:
                continue
            try:
                script.append(Action.parse(tok))
            except LinkError as exc:
                bad_actions += 1
                if bad_actions <= 3:
                    notes.append(f"Left out an action: {exc}.")
            continue
        key, val = tok[:1], tok[1:]
        try:
            if key == "n":
                fields["size"] = _int(val, "servers")
            elif key == "s":
                fields["seed"] = _int(val, "seed")
            elif key == "p":
                fields["pre_vote"] = _flag(val, "PreVote")
            elif key == "q":
                fields["check_quorum"] = _flag(val, "CheckQuorum")
            elif key == "r":
                if val not in READ_CODES:
                    raise LinkError(f"read mode {val!r} is not one of {', '.join(READ_CODES)}")
                fields["read_mode"] = READ_CODES[val]
            elif key == "h":
                fields["snapshot_threshold"] = _int(val, "snapshot threshold")
            elif key == "t":
                if not foreign:
                    tenths = min(_int(val, "time"), MAX_TENTHS)
            else:
                raise LinkError(f"unknown setting “{tok[:16]}”")
        except LinkError as exc:
            notes.append(f"Left out a setting: {exc}.")
    if bad_actions > 3:
        notes.append(f"… and {bad_actions - 3} more unreadable actions.")
    settings = Settings()
    for name, value in fields.items():
        try:
            settings = replace(settings, **{name: value}).check()
        except LinkError as exc:
            notes.append(f"Left out a setting: {exc}.")
    script.sort(key=lambda a: a.tenths)  # stable: actions of one instant keep their order
    return Decoded(settings, script, tenths, notes)


def _int(val: str, what: str) -> int:
    if not re.fullmatch(r"\d{1,10}", val):
        raise LinkError(f"{what} “{val[:16]}” is not a whole number")
    return int(val)


def _flag(val: str, what: str) -> bool:
    if val not in ("0", "1"):
        raise LinkError(f"{what} is 0 or 1, not “{val[:8]}”")
    return val == "1"


# --------------------------------------------------------------------------- the run


class PlaygroundRun:
    """A cluster the reader drives, with the script of their actions.

    It offers what a scene drives (``cluster``, ``seed``, ``finished``, ``advance(ms)``,
    ``next_event_time()``, ``snapshot()``/``restore()``, ``marks``), so the scene's stepper,
    the timeline's time travel and "Go to the violation" work on it unchanged. The cluster is
    a :class:`~raftcore.sim.clock.ClockedCluster` (perfect clocks) for its process pauses; it
    stops at the first violation and watches the clients' history for linearizability."""

    finished = False

    def __init__(self, settings: Settings, script=(), *, notes=None):
        self.settings = settings.check()
        self.seed = settings.seed
        self.cluster = ClockedCluster(size=settings.size, seed=settings.seed, config=settings.raft_config(),
                                      network=NetworkConfig(), stop_on_violation=True,
                                      watch_linearizability=True)
        #: every action of the run, in time order: those applied (``script[:pc]``) and the recorded future
        self.script: list[Action] = list(script)
        self.pc = 0
        #: what a replay could not do (a hand-edited or foreign link); shown on the page
        self.notes: list[str] = list(notes or ())
        self.paused: dict[str, float] = {}  # paused server -> when it resumes (ms)
        self.rate = 0  # clients' operations per second
        self.next_op: int | None = None  # tenths of the next client operation
        self.ops = 0  # client operations issued so far
        #: when the checker stopped this run, once seen; kept across time travel (the page offers
        #: "Go to the violation" from earlier moments) until an action changes the run's future
        self.violation_at: float | None = None

    # ------------------------------------------------------------------ what a scene drives

    @property
    def marks(self) -> list[tuple[float, str]]:
        """The reader's actions so far, as the timeline's labelled marks, numbered: the
        timeline shows a mark's leading "(k)" on its button, and the button's accessible name
        (the whole label) then contains the text it shows."""
        return [(a.time, f"({k}) {a.describe()}") for k, a in enumerate(self.script[:self.pc], 1)]

    def next_event_time(self) -> float | None:
        due = self._next_due()
        t = self.cluster.next_event_time()
        if due is not None and (t is None or due[0] < t):
            return due[0]
        return t

    def advance(self, ms: float) -> None:
        self.run_to(self.cluster.now + max(0.0, float(ms)))

    def snapshot(self) -> dict:
        return {"cluster": self.cluster.snapshot(), "pc": self.pc, "paused": dict(self.paused),
                "clients": (self.rate, self.next_op, self.ops)}

    def restore(self, snap: dict) -> None:
        self.cluster.restore(snap["cluster"])
        self.pc = snap["pc"]
        self.paused = dict(snap["paused"])
        self.rate, self.next_op, self.ops = snap["clients"]

    # ------------------------------------------------------------------ time

    def _next_due(self):
        """The next thing the run does besides the cluster's own events: ``(time, rank, kind)``;
        at one instant a resume comes first, then a client operation, then the reader's action."""
        best = None
        if self.paused:
            name = min(self.paused, key=lambda n: (self.paused[n], n))
            best = (self.paused[name], 0, ("resume", name))
        if self.next_op is not None:
            cand = (self.next_op / 10, 1, ("op", None))
            best = cand if best is None or cand[:2] < best[:2] else best
        if self.pc < len(self.script):
            a = self.script[self.pc]
            cand = (a.time, 2, ("action", a))
            best = cand if best is None or cand[:2] < best[:2] else best
        return best

    def _events_until(self, t: float) -> None:
        c = self.cluster
        while not c.halted:
            nt = c.next_event_time()
            if nt is None or nt > t:
                break
            c.step()

    def run_to(self, target: float) -> None:
        """Everything due at or before ``target``, in order; then the clock shows ``target``
        (unless a violation stopped the run)."""
        c = self.cluster
        while not c.halted:
            due = self._next_due()
            if due is None or due[0] > target:
                break
            when, _, (kind, what) = due
            self._events_until(when)
            if c.halted:
                break
            if when > c.now:
                c.now = when
            if kind == "resume":
                del self.paused[what]
                if c.alive(what):
                    c.resume(what)
            elif kind == "op":
                self._client_op()
            else:
                try:
                    self._apply(what)
                    self.pc += 1
                except (LinkError, ValueError) as exc:
                    # a replayed action the run cannot take (a hand-edited link): leave it out, say so
                    self.notes.append(f"Left out “{what.describe()}” at t = {what.time:g} ms: {exc}.")
                    del self.script[self.pc]
        if not c.halted:
            self._events_until(target)
            if not c.halted and target > c.now:
                c.now = target
        if c.violation is not None and self.violation_at is None:
            self.violation_at = c.violation.time

    def settle(self) -> int:
        """Move to the next tenth of a millisecond (nothing visible changes) and return it: the
        moment an action happens at, or a link opens at."""
        k = quantize(self.cluster.now)
        if not self.cluster.halted:
            self.run_to(k / 10)
        return k

    # ------------------------------------------------------------------ the reader acts

    def act(self, verb: str, arg: str = "") -> Action:
        """The reader's action, now: it happens at the next tenth of a ms, replaces any recorded
        future (the run is no longer the one that future belonged to) and joins the script.
        Raises LinkError/ValueError with the reason when the run cannot take it (nothing changes)."""
        c = self.cluster
        if c.halted:
            raise LinkError("the invariant checker stopped this run at the violation; go back in time (the timeline or "
                            "◀ Back) to act before it, or press Reset")
        del self.script[self.pc:]
        self.violation_at = None  # the run's future is another one now
        k = self.settle()
        if c.halted:
            raise LinkError("the run reached a violation before the action could happen")
        action = Action(k, verb, arg)
        if verb not in VERBS or not re.fullmatch(VERBS[verb][1], arg):
            raise LinkError(f"not an action the playground knows: {action.token()!r}")
        action.check_arguments()
        self._apply(action)
        self.script.append(action)
        self.pc += 1
        return action

    def _apply(self, a: Action) -> None:
        """Carry out one action on the cluster through its public methods."""
        c = self.cluster
        v, arg = a.verb, a.arg
        name = f"S{arg[:1]}" if arg[:1].isdigit() else None
        if name is not None and v not in ("a", "p", "n", "w") and name not in c.names:
            raise LinkError(f"there is no server {name} in this run (servers: {', '.join(c.names)})")
        if v == "c":
            c.crash(name)
            self.paused.pop(name, None)
        elif v == "r":
            c.restart(name)
        elif v == "o":
            if name in self.paused:
                raise LinkError(f"{name} is paused: a paused process takes no steps, so its timer cannot fire")
            c.timeout(name)
        elif v == "z":
            ms = int(arg.split("-")[1])
            if not c.alive(name):
                raise LinkError(f"{name} is crashed; a crashed server cannot pause")
            until = max(self.paused.get(name, 0.0), c.now + ms)
            c.pause(name, until)
            self.paused[name] = until
        elif v == "x":
            c.transfer_leadership(name)
        elif v == "a":
            if name in c.names and name in c.members:
                raise LinkError(f"{name} is already a member")
            if name not in c.names and len(c.names) >= MAX_SERVERS:
                raise LinkError(f"the playground holds at most {MAX_SERVERS} servers")
            c.add_server(name)
        elif v == "d":
            c.remove_server(name)
        elif v == "p":
            groups = [[f"S{d}" for d in g] for g in arg.split("-")]
            for g in groups:
                for n in g:
                    if n not in c.names:
                        raise LinkError(f"there is no server {n} in this run")
            c.partition(*groups)
        elif v == "k":
            c.cut(f"S{arg[0]}", f"S{arg[1]}")
        elif v == "h":
            c.heal()
        elif v == "l":
            pair, ms = arg.split("-")
            c.set_link_delay(f"S{pair[0]}", f"S{pair[1]}", float(int(ms)))
            c.note(f"link S{pair[0]}->S{pair[1]} extra delay {int(ms)} ms")
        elif v == "n":
            loss, dup, reo = (int(p) / 100 for p in arg.split("-"))
            c.set_faults(loss=loss, duplicate=dup, reorder=reo)
        elif v == "u":
            c.set_unsafe(UNSAFE_CODES[arg[:2]], arg[2] == "1")
        elif v == "w":
            self.rate = int(arg)
            self.next_op = a.tenths if self.rate else None
            c.note(f"clients: {self.rate} operations per second")
        elif v == "s":
            self._write()
        elif v == "g":
            self._read()
        else:  # pragma: no cover - parse() refuses unknown verbs
            raise LinkError(f"unknown verb {v!r}")

    # ------------------------------------------------------------------ clients

    def _client_op(self) -> None:
        """The clients' next operation at the chosen rate: three clients with sessions take
        turns; two writes for each read, on two keys, so reads see writes race."""
        n = self.ops
        if n % 3 == 2:
            self._read()
        else:
            self._write()
        self.next_op = self.next_op + max(1, round(10_000 / self.rate))

    def _write(self) -> None:
        n = self.ops
        self.ops += 1
        self.cluster.submit(Command("SET", f"k{n % 2 + 1}", (str(n + 1),)), client=f"c{n % 3 + 1}")

    def _read(self) -> None:
        n = self.ops
        self.ops += 1
        self.cluster.read(f"k{n % 2 + 1}", client=f"c{n % 3 + 1}")

    # ------------------------------------------------------------------ out

    def link(self, tenths: int | None = None) -> str:
        """The ``pg`` value of this run at ``tenths`` (default: the moment shown, rounded up)."""
        return encode(self.settings, self.script, quantize(self.cluster.now) if tenths is None else tenths)


def replay(link: str) -> PlaygroundRun:
    """The run a ``pg`` value names, at the moment it names (what the page opens)."""
    d = decode(link)
    run = PlaygroundRun(d.settings, d.script, notes=d.notes)
    run.run_to(d.tenths / 10)
    return run


def main(argv=None) -> int:
    """``python -m raftsite.playground 'v1.…'``: replay a playground link in CPython and print
    its trace hash (the page shows the same one: Pyodide and CPython run the same run), the
    notes about what it left out, any violation, and with ``--events`` the event log."""
    import argparse
    from urllib.parse import parse_qs, urlparse

    ap = argparse.ArgumentParser(prog="python -m raftsite.playground", description=main.__doc__)
    ap.add_argument("link", help="the page's address, or just its pg= value")
    ap.add_argument("--events", action="store_true", help="print the run's latest events")
    args = ap.parse_args(argv)
    text = args.link
    if "pg=" in text:
        text = parse_qs(urlparse(text).query).get("pg", [""])[0]
    run = replay(text)
    c = run.cluster
    print(f"t = {c.now:g} ms, {len(run.script)} actions, trace hash {c.trace_hash()}")
    for note in run.notes:
        print("note:", note)
    for v in c.violations:
        print("VIOLATION:", v)
    if args.events:
        for line in c.events:
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
