"""The ``Cluster`` façade: the one API that scenes, the lab, tests and benchmarks use.

It wires :class:`~raftcore.node.RaftNode` instances to a simulated network, disks and
clients, runs them on a deterministic discrete-event scheduler, and has the invariant checker
look at every step. The same seed always gives the same trace (``trace_hash``), in CPython and
in Pyodide: all randomness comes from ``random.Random`` objects seeded here, peers iterate in
sorted order, and no set or dict order leaks into a decision.
"""

from __future__ import annotations

import copy
import hashlib
import math
import random
from dataclasses import dataclass
from typing import Callable, Iterable

from ..check.invariants import InvariantChecker, Violation
from ..config import RaftConfig
from ..immutable import immutable
from ..kv import Command, parse_command
from ..messages import AppendEntries, InstallSnapshot, Message, RequestVote
from ..node import Output, RaftNode, Role
from ..view import ClusterView
from .clients import Client, Handle
from .disk import Disk
from .network import NetworkConfig
from .scheduler import CLIENT_REPLY, CLIENT_REQUEST, CLIENT_TIMEOUT, DELIVER, MEMBERSHIP, TIMER, Scheduler
from .view_builder import build_view


INF = math.inf
_LEADER = Role.LEADER  # looked up once: an enum member costs a slow class lookup on Python 3.11

#: Event lines a cluster keeps for the page's event log (the latest ones; see ``events``).
EVENTS_KEPT = 300


class Rng(random.Random):
    """``random.Random`` (the same generator, the same numbers for the same seed) whose deep
    copy costs one ``getstate``/``setstate`` instead of copying 625 integers one by one:
    every time-travel snapshot copies six of them."""

    def __deepcopy__(self, memo) -> "Rng":
        other = Rng(0)  # any seed: the state is replaced at once
        other.setstate(self.getstate())
        memo[id(self)] = other
        return other


@immutable
@dataclass(frozen=True, slots=True)
class Flight:
    """A message on the wire, with the times the renderer needs to draw it in flight.

    The scheduler carries only ``(msg, sent_at)`` (its event time is ``deliver_at``): a
    Flight is made for those who look — :meth:`Cluster.in_flight`, views, observers."""

    src: str
    dst: str
    msg: Message
    sent_at: float
    deliver_at: float


class Cluster:
    """A simulated Raft cluster. Times are simulated milliseconds."""

    def __init__(
        self,
        size: int | None = None,
        seed: int = 0,
        names: Iterable[str] | None = None,
        config: RaftConfig | None = None,
        network: NetworkConfig | None = None,
        *,
        check: bool = True,
        record_trace: bool = True,
        record_events: bool = True,
        client_timeout: float | None = None,
        stop_on_violation: bool = True,
        watch_linearizability: bool = False,
    ):
        """``check`` runs the invariant checker after every step; the first violation stops
        the run unless ``stop_on_violation`` is False (then the run goes on and
        ``violations`` collects the first violation of each invariant). With
        ``watch_linearizability`` the checker also checks the clients' history after every
        reply, and a proven non-linearizable history is a violation like the others.
        ``record_trace`` and ``record_events`` off keep no trace and no event log (long
        experiments nobody reads them in, e.g. Figure 16's sweep)."""
        if size is not None and (not isinstance(size, int) or size < 1):
            raise ValueError(f"cluster size must be a positive integer, got {size!r}")
        if names is None:
            names = [f"S{i}" for i in range(1, (5 if size is None else size) + 1)]
        names = list(names)
        if size is not None and size != len(names):
            raise ValueError(f"size={size} but {len(names)} names were given: {', '.join(names)}")
        if not names:
            raise ValueError("a cluster needs at least one server")
        if len(set(names)) != len(names):
            raise ValueError(f"server names must be unique: {', '.join(names)}")
        for n in names:
            _check_server_name(n)
        if not isinstance(seed, int):
            raise ValueError(f"seed must be an integer, got {seed!r}")
        self.config = config or RaftConfig()
        self.config.validate()
        self.network = network or NetworkConfig()
        self.network.validate()
        self.names = names
        #: The configuration the servers boot with; later changes live in their logs (thesis §4).
        self.bootstrap = list(names)
        #: The configuration once every requested change has happened (validation of requests).
        self.members = list(names)
        self.membership_queue: list[tuple[str, str]] = []
        self._membership_at: float | None = None
        self.seed = seed
        self.now = 0.0
        self.rng = Rng(seed)  # the network's and clients' randomness
        self.scheduler = Scheduler()
        self.disks = {n: Disk() for n in names}
        # One generator per server, drawn from the seed in name order.
        self.node_rngs = {n: Rng(self.rng.getrandbits(64)) for n in sorted(names)}
        self.nodes: dict[str, RaftNode] = {}
        self._alive: dict[str, bool] = {}
        self._timer_at: dict[str, float] = {}
        self.blocked: set[tuple[str, str]] = set()
        self.link_delay: dict[tuple[str, str], float] = {}
        #: Called with each Flight delivered to a live server, *before* the server handles it
        #: (the scenes count rejections per follower with it); see :meth:`add_observer`.
        self.observers: list = []
        #: The latest RequestVote/PreVote decision of each voter about each candidate:
        #: ``(voter, candidate) -> VoteDecision`` (scene 07 draws the comparison on each voter).
        self.vote_decisions: dict = {}
        self.clients: dict[str, Client] = {}
        self.handles: list[Handle] = []
        self._pending: dict[tuple[str, int], Handle] = {}
        self.client_timeout = client_timeout if client_timeout is not None else 2 * self.config.election_timeout_max
        self.record_trace = record_trace
        #: The trace as ``(time, parts)``: a line's text is made only when someone reads it
        #: (:meth:`trace`), since most runs never do. The parts are immutable values
        #: (strings, numbers, messages), so the text reads the same whenever it is made.
        self._trace: list[tuple[float, tuple]] = []
        #: The text of the first lines of ``_trace``, made as they were read.
        self._trace_text: list[str] = []
        self.record_events = record_events
        #: Event lines, oldest first: the latest EVENTS_KEPT, and every line from
        #: ``_events_from`` on while someone holds them (:meth:`retain_events`).
        self._events: list[str] = []
        #: How many event lines there have been: the number the next one gets.
        self.event_count = 0
        self._events_from: int | None = None
        self.stats: dict[str, int] = {"sent": 0, "delivered": 0, "dropped": 0, "duplicated": 0, "bytes": 0}
        self.checker = InvariantChecker(self, stop=stop_on_violation) if check else None
        self.watch_linearizability = bool(watch_linearizability)
        self._lin_cache: tuple | None = None
        for n in names:
            self._boot(n, restart=False)

    # ------------------------------------------------------------------ running

    @property
    def violation(self) -> Violation | None:
        """The first invariant violation (None while every invariant holds)."""
        return self.checker.violation if self.checker else None

    @property
    def violations(self) -> list[Violation]:
        """The first violation of each invariant, in order (one at most, unless the cluster
        was made with ``stop_on_violation=False``)."""
        return list(self.checker.violations) if self.checker else []

    @property
    def halted(self) -> bool:
        """True once a violation has stopped the run: time no longer advances."""
        return self.checker is not None and self.checker.halted

    def step(self) -> bool:
        """Process exactly one event. False when nothing is scheduled or a violation stopped the run."""
        return self.step_if_due(INF)

    def step_if_due(self, end: float) -> bool:
        """Process the next event if it is due at or before ``end`` (a driver that interleaves
        actions of its own with the cluster's events, as the lab does); False, doing nothing,
        when none is or a violation stopped the run."""
        checker = self.checker
        if checker is not None and checker.halted:  # self.halted, without the property call
            return False
        event = self.scheduler.pop_due(end)
        if event is None:
            return False
        self._process(*event)
        return True

    def run_for(self, ms: float) -> None:
        """Advance simulated time by ``ms``, processing every event due by then."""
        if ms < 0:
            raise ValueError(f"cannot run for a negative time ({ms} ms)")
        end = self.now + ms
        self._run(end)
        if not self.halted:
            self.now = max(self.now, end)

    def run_until(self, predicate: Callable[["Cluster"], bool], within_ms: float) -> bool:
        """Run until ``predicate(cluster)`` holds (checked after every event) or ``within_ms`` passes."""
        end = self.now + within_ms
        if predicate(self) or self._run(end, predicate):
            return True
        if not self.halted:
            self.now = max(self.now, end)
        return False

    def _run(self, end: float, predicate: Callable[["Cluster"], bool] | None = None) -> bool:
        """Process the events due by ``end``, one :meth:`step` at a time (the loop of
        :meth:`run_for` and :meth:`run_until`, with the lookups hoisted out of it); True as
        soon as ``predicate`` holds after an event. Stops when a violation halts the run."""
        pop_due = self.scheduler.pop_due
        process = self._process
        deliver = self._deliver
        checker = self.checker
        while checker is None or not checker.halted:
            event = pop_due(end)
            if event is None:
                return False
            time, _, kind, payload = event
            if kind == DELIVER:  # most events: _process's first case, without its call
                self.now = time
                deliver(*payload)
            else:
                process(time, _, kind, payload)
            if predicate is not None and predicate(self):
                return True
        return False

    def _process(self, time: float, seq: int, kind: int, payload) -> None:
        """One event off the scheduler: what :meth:`step` does once it has popped it."""
        self.now = time
        if kind == DELIVER:
            self._deliver(*payload)
        elif kind == TIMER:
            if self._alive[payload] and self._timer_at.get(payload) == time:
                del self._timer_at[payload]
                self._trace_line(payload, " timer")
                node = self.nodes[payload]
                self._handle(node, node.tick(time))
        elif kind == CLIENT_REQUEST:
            self._client_request(*payload)
        elif kind == CLIENT_REPLY:
            self._client_reply(*payload)
        elif kind == CLIENT_TIMEOUT:
            self._client_timeout(*payload)
        elif kind == MEMBERSHIP:
            self._membership_step()

    # ------------------------------------------------------------------ inspection

    def next_event_time(self) -> float | None:
        """Simulated time of the next scheduled event (None when nothing is scheduled)."""
        return self.scheduler.peek_time()

    def alive(self, name: str) -> bool:
        self.check_name(name)
        return self._alive[name]

    def leader(self) -> str | None:
        """The live leader of the highest term, if any (a stale leader may still believe it leads)."""
        best = None
        best_term = 0
        nodes, alive = self.nodes, self._alive
        for n in self.names:
            node = nodes[n]
            if node.role is _LEADER and alive[n]:
                if best is None or node.current_term > best_term:
                    best, best_term = n, node.current_term
        return best

    def leaders(self) -> list[str]:
        nodes, alive = self.nodes, self._alive
        return [n for n in self.names if alive[n] and nodes[n].role is _LEADER]

    def in_flight(self) -> list[Flight]:
        return [f for _, f in self._flights()]

    def _flights(self) -> list[tuple[int, Flight]]:
        """The messages on the wire with their scheduler sequence numbers (a stable identity
        while they fly), in the order they will be delivered."""
        return [(seq, Flight(msg.src, msg.dst, msg, sent_at, t))
                for t, seq, (msg, sent_at) in self.scheduler.pending(DELIVER)]

    @property
    def history(self):
        """The clients' operations, in the order they were submitted, for
        :func:`raftcore.check.linearizability.check_history`: each an ``Operation(client, op,
        key, args, invoke, complete, result)``; ``complete`` is None (and ``result``
        meaningless) while the client has no reply — its outcome is unknown."""
        from ..check.linearizability import Operation

        ops = []
        for h in self.handles:
            if h.invoked_at is None:
                continue
            c = h.command
            ops.append(Operation(h.client, c.op, c.key, c.args, h.invoked_at,
                                 h.completed_at if h.done else None, h.result if h.done else None))
        return ops

    def check_linearizability(self, max_states: int = 200_000):
        """Is the clients' history so far linearizable? One call, for the history panels:
        a :class:`~raftcore.check.linearizability.LinResult` (``verdict`` is
        ``"linearizable"``, ``"violation"`` or ``"unknown"``; ``counterexample`` explains a
        violation). The answer is cached until an operation is invoked or answered, so
        calling it every frame costs nothing while the history does not change."""
        from ..check.linearizability import check_history

        sig = (sum(1 for h in self.handles if h.invoked_at is not None), sum(1 for h in self.handles if h.done),
               max_states)
        cached = self._lin_cache
        if cached is not None and cached[0] == sig:
            return cached[1]
        result = check_history(self.history, max_states=max_states)
        self._lin_cache = (sig, result)
        return result

    def trace(self) -> list[str]:
        """Every line of the trace so far (empty unless the cluster records one)."""
        return list(self._trace_lines())

    def last_trace_line(self) -> str | None:
        """The latest trace line (what the checker names as a violation's event)."""
        return _trace_text(*self._trace[-1]) if self._trace else None

    @property
    def events(self) -> list[str]:
        """The latest event lines (at most ``EVENTS_KEPT``), oldest first: the page's event log."""
        return self._events[-EVENTS_KEPT:]

    def events_since(self, number: int) -> list[str]:
        """Every event line numbered ``number`` or later (lines are numbered from 0;
        ``event_count`` is the next number): what happened since a moment that read
        ``event_count``. Lines older than the latest ``EVENTS_KEPT`` are kept only while
        :meth:`retain_events` holds them; asking for a line no longer kept is an error."""
        n = self.event_count - number
        if n <= 0:
            return []
        if n > len(self._events):
            raise ValueError(f"event lines from {number} on are no longer kept (the latest {len(self._events)} are); "
                             f"hold them with retain_events({number})")
        return self._events[-n:]

    def retain_events(self, number: int | None) -> None:
        """Keep every event line from ``number`` on, however many follow, until called with
        None (a scenario's ``run`` prints all the events of its run)."""
        self._events_from = number

    def trace_hash(self) -> str:
        h = hashlib.sha256()
        for line in self._trace_lines():
            h.update(line.encode())
            h.update(b"\n")
        return h.hexdigest()

    def view(self, log_window: int | None = 20) -> ClusterView:
        """The cluster as frozen values (:mod:`raftcore.view`): what the site draws, without
        reaching into a node, a disk or the network. ``log_window`` is how many of each
        log's latest entries the view carries (None: all of them)."""
        return build_view(self, log_window)

    # ------------------------------------------------------------------ faults

    def crash(self, name: str) -> None:
        """Stop a server: its volatile state is lost, its disk survives, its timers stop."""
        self.check_name(name)
        if not self._alive[name]:
            raise ValueError(f"{name} is already crashed")
        self._alive[name] = False
        self._timer_at.pop(name, None)
        self._event(f"{name} crashes")

    def restart(self, name: str) -> None:
        """Restart a crashed server from its disk (the TLA+ spec's Restart: follower, empty
        volatile state, commit index and state machine rebuilt as commits are learned)."""
        self.check_name(name)
        if self._alive[name]:
            raise ValueError(f"{name} is running; crash it before restarting it")
        self._boot(name, restart=True)

    def partition(self, *groups: Iterable[str]) -> None:
        """Split the network: servers talk only within their group. Servers not named form
        one more group of their own."""
        groups = [list(g) for g in groups]
        seen: set[str] = set()
        for g in groups:
            for n in g:
                self.check_name(n)
                if n in seen:
                    raise ValueError(f"{n} appears in two partition groups")
                seen.add(n)
        rest = [n for n in self.names if n not in seen]
        if rest:
            groups.append(rest)
        side = {n: i for i, g in enumerate(groups) for n in g}
        self.blocked = {(a, b) for a in self.names for b in self.names if side[a] != side[b]}
        self._event("partition " + " | ".join(",".join(g) for g in groups))

    def isolate(self, name: str) -> None:
        self.check_name(name)
        self.partition([name])

    def cut(self, src: str, dst: str) -> None:
        """Cut one direction of one link: ``src`` can no longer reach ``dst``."""
        self.check_name(src)
        self.check_name(dst)
        self.blocked.add((src, dst))
        self._event(f"link {src}->{dst} cut")

    def heal(self) -> None:
        """Remove every partition and link cut (extra link delays stay: they are a knob)."""
        self.blocked = set()
        self._event("network healed")

    def recover(self) -> None:
        """End every fault: heal the network, stop losing, duplicating and reordering
        messages, restart every crashed server. What a liveness check runs before asking
        for progress (Raft promises progress only once the network behaves)."""
        self.heal()
        net = self.network
        net.loss = net.duplicate = net.reorder = 0.0
        for name in list(self.names):
            if name in self.nodes and not self._alive[name]:
                self.restart(name)

    def set_link_delay(self, src: str, dst: str, extra_ms: float) -> None:
        """Extra one-way delay on the link src→dst (a slow link, not a broken one)."""
        self.check_name(src)
        self.check_name(dst)
        if extra_ms < 0:
            raise ValueError(f"link delay must not be negative, got {extra_ms}")
        if extra_ms:
            self.link_delay[(src, dst)] = float(extra_ms)
        else:
            self.link_delay.pop((src, dst), None)

    def set_faults(self, loss: float | None = None, duplicate: float | None = None,
                   reorder: float | None = None) -> None:
        """Change the network's probabilities of losing, duplicating and reordering each message
        from now on (the playground's sliders); a value left None stays as it is. Validated as
        a whole before anything changes, so a bad value leaves the network untouched."""
        net = self.network
        new = {k: (getattr(net, k) if v is None else float(v))
               for k, v in (("loss", loss), ("duplicate", duplicate), ("reorder", reorder))}
        for k, p in new.items():
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"network {k} is a probability between 0 and 1, got {p}")
        net.loss, net.duplicate, net.reorder = new["loss"], new["duplicate"], new["reorder"]
        self._event(f"network faults: loss {new['loss']:g}, duplicate {new['duplicate']:g}, "
                    f"reorder {new['reorder']:g}")

    def timeout(self, name: str) -> None:
        """Make ``name``'s election timer fire now (scripted elections in scenarios)."""
        self.check_name(name)
        if not self._alive[name]:
            raise ValueError(f"{name} is crashed; restart it before it can time out")
        node = self.nodes[name]
        if node.role is Role.LEADER:
            raise ValueError(f"{name} is the leader of term {node.current_term}; leaders have no election timer")
        self._trace_line(f"{name} forced timeout")
        self._handle(node, node.force_timeout(self.now))

    def crash_after_appending(self, name: str, commands: Iterable[Command]) -> None:
        """Crash the leader ``name`` right after it appended ``commands`` to its log and wrote
        them to its disk, before any AppendEntries carrying them left: Figure 16's trials (§9.3)
        then hand parts of that batch to some followers with :meth:`inject`, so that their logs
        differ in length."""
        self.check_name(name)
        node = self.nodes[name]
        if not self._alive[name] or node.role is not Role.LEADER:
            raise ValueError(f"{name} is not a live leader")
        for command in commands:
            out = node.propose(command, self.now)
            out.messages.clear()  # they never leave: the leader crashes first
            self.disks[name].write(node, out)  # persisted first, as Figure 2 has it
            if self.checker is not None:
                self.checker.observe(node, out)
        self.crash(name)

    def inject(self, msg: Message) -> None:
        """Deliver ``msg`` now, as if it had just come off the wire (experiments and tests
        that need one exact message to arrive, e.g. part of a crashing leader's last batch)."""
        self.check_name(msg.src)
        self.check_name(msg.dst)
        self._deliver(msg, self.now)

    def set_log(self, name: str, terms: list[int], current_term: int | None = None) -> None:
        """Give a server a log of the given terms (and optionally a term), as the paper's
        figures start from. Entry ``i`` of term ``t`` is ``SET x t``: the same (index, term)
        always carries the same entry, as Log Matching requires of any reachable state."""
        from ..log import Entry, Log

        self.check_name(name)
        if any(b < a for a, b in zip(terms, terms[1:])) or any(t < 1 for t in terms):
            raise ValueError(f"log terms must be positive and never decrease: {terms}")
        term = max([current_term or 0, *terms, self.nodes[name].current_term])
        log = Log([Entry(t, Command("SET", "x", (str(t),))) for t in terms])
        disk = self.disks[name]
        disk.current_term, disk.voted_for, disk.log, disk.snapshot = term, None, log.copy(), None
        self.nodes[name].load_persistent_state(disk.read())
        self._trace_line(f"{name} log set to {','.join(map(str, terms))} term {term}")

    def note(self, text: str) -> None:
        """Add a line to the event log and the trace (a scenario's ``mark``)."""
        self._event(str(text))

    def set_unsafe(self, name: str, on: bool) -> None:
        self.config.unsafe.set(name, on)
        if name == "nondeterministic_state_machine":
            for node in self.nodes.values():
                node.state_machine.nondeterministic = bool(on)
        self._event(f"unsafe switch {name} {'on' if on else 'off'}")

    # ------------------------------------------------------------------ clients

    def submit(self, command: str | Command, client: str | None = None, server: str | None = None) -> Handle:
        """A client asks the cluster to apply ``command``; returns its handle at once.
        ``server`` is where the client sends it first (by default the server that answered
        its last operation, else the first server); it follows redirects and retries from there."""
        cmd = parse_command(command) if isinstance(command, str) else command
        if server is not None:
            self.check_name(server)
        if client is None:
            client = f"c{len(self.clients) + 1}"
            while client in self.clients:
                client += "'"
        c = self.clients.get(client)
        if c is None:
            c = self.clients[client] = Client(client)
        seq = c.next_seq
        c.next_seq += 1
        h = Handle(cmd.with_session(client, seq), client, seq, node=server)
        self.handles.append(h)
        c.queue.append(h)
        if c.current is None:
            self._issue_next(c)
        return h

    def read(self, key: str, client: str | None = None, server: str | None = None) -> Handle:
        """A linearizable read through the configured read path (``config.read_mode``): the
        log like a write (§8), ReadIndex or a lease (thesis §6.4). The client's history
        records it like any other operation."""
        return self.submit(Command("GET", key), client, server)

    def transfer_leadership(self, to: str) -> None:
        """Ask the current leader to hand leadership to ``to`` (thesis §3.10)."""
        self.check_name(to)
        lead = self.leader()
        if lead is None:
            raise ValueError("there is no leader to transfer leadership from")
        if lead == to:
            raise ValueError(f"{to} is already the leader")
        node = self.nodes[lead]
        self._handle(node, node.transfer_leadership(to, self.now))

    # ------------------------------------------------------------------ membership (thesis §4)

    def add_server(self, name: str) -> None:
        """Add a server (thesis §4): it starts empty, catches up as a non-voting learner, then
        the leader appends the configuration with it. The change happens asynchronously, one at
        a time, when a leader can accept it; ``members()`` shows the configuration in force."""
        _check_server_name(name)
        if name in self.members:
            raise ValueError(f"{name} is already a member of the cluster")
        if name not in self.nodes:
            self.names.append(name)
            self.disks[name] = Disk()
            self.node_rngs[name] = Rng(f"{self.seed}/{name}")
            self._boot(name, restart=False)
        elif not self._alive[name]:
            raise ValueError(f"{name} is crashed; restart it before adding it again")
        self.members.append(name)
        self.membership_queue.append(("add", name))
        self._event(f"membership change requested: add {name}")
        self._schedule_membership(self.now)

    def remove_server(self, name: str) -> None:
        """Remove a server (thesis §4); a leader that removes itself steps down once the new
        configuration is committed."""
        self.check_name(name)
        if name not in self.members:
            raise ValueError(f"{name} is not a member of the cluster (members: {', '.join(self.members)})")
        if len(self.members) == 1:
            raise ValueError(f"cannot remove {name}: it is the last server of the cluster")
        self.members.remove(name)
        self.membership_queue.append(("remove", name))
        self._event(f"membership change requested: remove {name}")
        self._schedule_membership(self.now)

    def configuration(self) -> tuple[str, ...] | None:
        """The voters in the current leader's latest configuration (None without a leader)."""
        lead = self.leader()
        return self.nodes[lead].voters if lead else None

    def _schedule_membership(self, at: float) -> None:
        if self._membership_at is None or at < self._membership_at:
            self._membership_at = at
            self.scheduler.at(at, MEMBERSHIP, None)

    def _membership_step(self) -> None:
        """Offer the requested changes to the leader, one at a time (all at once with the
        unsafe switch), until each is committed; retry every heartbeat interval."""
        if self._membership_at is None or self.now < self._membership_at:
            return
        self._membership_at = None
        lead = self.leader()
        if lead is not None:
            node = self.nodes[lead]
            multi = self.config.unsafe.multi_server_membership_change
            for op, name in list(self.membership_queue):
                member = name in node.voter_set
                if (op == "add") == member and node.config_index <= node.commit_index:
                    self.membership_queue.remove((op, name))
                    self._event(f"membership change committed: {op} {name}")
                    continue
                in_progress = (op == "add" and (member or name in node.learners)) or (op == "remove" and not member)
                if not in_progress and node.membership_change_refusal(op, name) is None:
                    self._handle(node, node.change_membership(op, name, self.now))
                if not multi:
                    break
        if self.membership_queue:
            self._schedule_membership(self.now + self.config.heartbeat_interval)

    # ------------------------------------------------------------------ time travel

    #: Not part of the simulated state: who watches the cluster (the page), and caches.
    _NOT_STATE = frozenset({"observers", "_lin_cache"})
    #: Append-only lists of immutable values: a shallow copy is a full copy.
    _SHALLOW = frozenset({"_trace", "_trace_text", "_events"})

    def snapshot(self) -> dict:
        """The whole simulation's state, for :meth:`restore` (time travel in the scenes):
        servers, disks, network, scheduler (messages in flight, timers), random generators,
        clients and the invariant checker. Immutable values (messages, entries, commands,
        snapshots) are shared, not copied; the checker's and nodes' references to this
        cluster stay references to this cluster."""
        state = {}
        deep = {}
        for k, v in self.__dict__.items():
            if k in self._NOT_STATE:
                continue
            if k in self._SHALLOW:
                state[k] = copy.copy(v)
            else:
                deep[k] = v
        state.update(copy.deepcopy(deep, {id(self): self}))
        return state

    def restore(self, snap: dict) -> None:
        """Put the simulation back where :meth:`snapshot` took it; the snapshot stays usable
        (restore it again to go back again). Observers stay attached."""
        state = {}
        deep = {}
        for k, v in snap.items():
            if k in self._SHALLOW:
                state[k] = copy.copy(v)
            else:
                deep[k] = v
        state.update(copy.deepcopy(deep, {id(self): self}))
        self.__dict__.update(state)
        self._lin_cache = None

    # ------------------------------------------------------------------ internals

    def add_observer(self, fn) -> None:
        """Call ``fn(flight)`` for every message delivered to a live server, *before* the server
        handles it (so ``fn`` sees the receiver's state as the message found it; what the
        server did shows in the cluster right after). Messages dropped by a partition or sent
        to a crashed server are not delivered, so not observed. Observers must not change the
        cluster; they are not part of :meth:`snapshot`, and stay attached across :meth:`restore`."""
        self.observers.append(fn)

    def check_name(self, name: str) -> None:
        """ValueError (naming the servers there are) unless ``name`` is a server of this cluster."""
        if name not in self.nodes and name not in self.disks:
            raise ValueError(f"unknown server {name!r}; servers are {', '.join(self.names)}")

    def make_node(self, name: str, persisted) -> RaftNode:
        """The server object for ``name`` (at boot and at every restart); the lab's
        ``raftcore.sim.clock.ClockedCluster`` returns servers on drifting clocks."""
        return RaftNode(name, self.bootstrap, self.config, self.node_rngs[name], persisted,
                        joining=name not in self.bootstrap, track_digests=self.checker is not None)

    def _boot(self, name: str, restart: bool) -> None:
        persisted = None
        if restart:
            persisted = self.disks[name].read(forget_voted_for=self.config.unsafe.forget_voted_for_on_restart)
        node = self.make_node(name, persisted)
        self.nodes[name] = node
        self._alive[name] = True
        if restart:
            if self.checker is not None:
                self.checker.reset_server(name)
            self._event(f"{name} restarts term {node.current_term} voted_for {node.voted_for}")
        self._handle(node, node.start(self.now))

    def _event(self, text: str) -> None:
        if self.record_events:
            self._events.append(f"{self.now:.1f}ms {text}")
            self.event_count += 1
            if len(self._events) > 2 * EVENTS_KEPT:  # trimmed in batches: amortised O(1)
                keep = EVENTS_KEPT
                if self._events_from is not None:
                    keep = max(keep, self.event_count - self._events_from)
                del self._events[:len(self._events) - keep]
        self._trace_line(text)

    def _trace_line(self, *parts) -> None:
        """A trace line: the time, then ``parts`` (immutable values) joined as text, later."""
        if self.record_trace:
            self._trace.append((self.now, parts))

    def _trace_lines(self) -> list[str]:
        """The text of every trace line, making the lines not read before."""
        text = self._trace_text
        for time, parts in self._trace[len(text):]:
            text.append(_trace_text(time, parts))
        return text

    def _handle(self, node: RaftNode, out: Output) -> None:
        """Carry out a node's output: persist first, then send, then deliver client replies."""
        name = node.name
        send_at = self.now
        # Most steps persist nothing (a heartbeat's reply, a vote refused): skip the disk's call.
        if (out.persist_state or out.persist_snapshot or out.persist_log_from is not None) \
                and self.disks[name].write(node, out):
            net = self.network
            send_at += net.persist_latency + (net.persist_jitter * self.rng.random() if net.persist_jitter else 0.0)
        for msg in out.messages:
            self._send(msg, send_at)
        for note in out.notes:
            self._event(note)
        vote = out.vote
        if vote is not None:
            self.vote_decisions[(vote.voter, vote.candidate)] = vote
        if out.applied or out.reads:
            self._reply_to_clients(name, out, send_at)
        if self.checker is not None:
            self.checker.observe(node, out)
        wake = node.next_wakeup
        if wake != INF and wake < self._timer_at.get(name, INF):
            self._timer_at[name] = wake
            self.scheduler.at(wake, TIMER, name)

    def _reply_to_clients(self, name: str, out: Output, send_at: float) -> None:
        """Schedule the replies to the clients whose commands ``name`` applied or whose reads it answered."""
        reply_at = send_at + self.network.client_latency
        for index, entry, result, _ in out.applied:
            cmd = entry.command
            if cmd is not None and cmd.client is not None:
                h = self._pending.get((cmd.client, cmd.seq))
                if h is not None and h.node == name and not h.done:
                    h.index = index
                    self.scheduler.at(reply_at, CLIENT_REPLY, (h, h.attempt, result))
        for cmd, result in out.reads:
            h = self._pending.get((cmd.client, cmd.seq))
            if h is not None and h.node == name and not h.done:
                self.scheduler.at(reply_at, CLIENT_REPLY, (h, h.attempt, result))

    def _send(self, msg: Message, sent_at: float) -> None:
        """Count the message, then lose it, or put it (or, duplicated, two copies) on the wire.
        Random draws, in this order: loss, duplication, then per copy latency and reordering."""
        net = self.network
        rng = self.rng
        stats = self.stats
        stats["sent"] += 1
        # The message's kind, by class (every send counts it: no string work on the common ones);
        # its size is message_size's alone to say.
        cls = type(msg)
        if cls is AppendEntries:
            kind = "AppendEntries" if msg.entries else "Heartbeat"
        elif cls is RequestVote:
            kind = "PreVote" if msg.pre_vote else "RequestVote"
        else:
            kind = cls.__name__
        stats[kind] = stats.get(kind, 0) + 1
        stats["bytes"] += message_size(msg)
        if net.loss and rng.random() < net.loss:
            stats["dropped"] += 1
            self._trace_line("lost ", msg)
            return
        copies = (msg,)
        if net.duplicate and rng.random() < net.duplicate:
            stats["duplicated"] += 1
            copies = (msg, msg)
        at = self.scheduler.at
        for msg in copies:
            latency = net.latency_min + (net.latency_max - net.latency_min) * rng.random()
            if net.reorder and rng.random() < net.reorder:
                latency += net.reorder_delay * rng.random()
            if self.link_delay:
                latency += self.link_delay.get((msg.src, msg.dst), 0.0)
            at(sent_at + latency, DELIVER, (msg, sent_at))

    def _deliver(self, msg: Message, sent_at: float) -> None:
        dst = msg.dst
        if not self._alive[dst] or (self.blocked and (msg.src, dst) in self.blocked):
            self.stats["dropped"] += 1
            self._trace_line("dropped ", msg)
            return
        self.stats["delivered"] += 1
        if self.record_trace:
            self._trace.append((self.now, (msg,)))  # self._trace_line(msg), without the call
        if self.observers:
            flight = Flight(msg.src, dst, msg, sent_at, self.now)
            for observe in self.observers:
                observe(flight)
        node = self.nodes[dst]
        self._handle(node, node.step(msg, self.now))

    def _issue_next(self, c: Client) -> None:
        if c.current is not None or not c.queue:
            return
        h = c.current = c.queue.pop(0)
        h.invoked_at = self.now
        self._pending[(h.client, h.seq)] = h
        self._event(f"client {h.client} invokes {h.command}")
        self._send_request(c, h, h.node or c.target or self.names[0])

    def _send_request(self, c: Client, h: Handle, target: str) -> None:
        h.attempt += 1
        h.node = target
        lat = self.network.client_latency
        self.scheduler.at(self.now + lat, CLIENT_REQUEST, (h, h.attempt))
        self.scheduler.at(self.now + self.client_timeout, CLIENT_TIMEOUT, (h, h.attempt))

    def _client_request(self, h: Handle, attempt: int) -> None:
        if h.done or attempt != h.attempt:
            return
        name = h.node
        if not self._alive[name]:
            return  # the client's timeout will retry elsewhere
        node = self.nodes[name]
        if node.role is not _LEADER:
            # Redirect to the leader this server knows of, or try the next server.
            c = self.clients[h.client]
            # Follow the server's hint only if it heard from that leader lately: a removed
            # server keeps a stale leader_id forever, and two stale hints can bounce a client.
            fresh = self.now - node.leader_contact <= self.config.election_timeout_max
            nxt = node.leader_id if node.leader_id and node.leader_id != name and fresh else self._next_server(name)
            c.target = nxt
            self.scheduler.at(self.now + self.network.client_latency, CLIENT_TIMEOUT, (h, h.attempt, nxt))
            return
        if h.command.op == "GET" and (self.config.read_mode != "log" or self.config.unsafe.local_reads):
            self._trace_line(name, " reads for ", h.client, "#", h.seq, " ", h.command)
            self._handle(node, node.read(h.command, self.now))
            return
        out = node.propose(h.command, self.now)
        h.index = out.proposed_index
        if h.index is None:
            # The leader refuses proposals while it transfers leadership (§3.10): ask again later.
            self._trace_line(f"{name} refuses {h.client}#{h.seq} {h.command}: transferring leadership")
            self.scheduler.at(self.now + self.config.election_timeout_min, CLIENT_TIMEOUT, (h, h.attempt, name))
            return
        self._trace_line(name, " accepts ", h.client, "#", h.seq, " ", h.command, " at ", h.index)
        self._handle(node, out)

    def _client_reply(self, h: Handle, attempt: int, result: object) -> None:
        if h.done or attempt != h.attempt:
            return
        h.done = True
        h.result = result
        h.completed_at = self.now
        c = self.clients[h.client]
        c.target = h.node
        c.current = None
        self._pending.pop((h.client, h.seq), None)
        self._event(f"client {h.client} gets {result!r} for {h.command}")
        if self.watch_linearizability and self.checker is not None:
            self.checker.observe_history(self.history, h.node)
        self._issue_next(c)

    def _client_timeout(self, h: Handle, attempt: int, target: str | None = None) -> None:
        """No answer in time (or a redirect): resend the same numbered command (§6.3)."""
        if h.done or attempt != h.attempt:
            return
        c = self.clients[h.client]
        nxt = target or self._next_server(h.node)
        c.target = nxt
        self._trace_line("client ", h.client, " retries #", h.seq, " at ", nxt)
        self._send_request(c, h, nxt)

    def _next_server(self, name: str | None) -> str:
        i = self.names.index(name) if name in self.names else -1
        return self.names[(i + 1) % len(self.names)]


def _trace_text(time: float, parts: tuple) -> str:
    return f"{time:.3f} " + "".join(map(str, parts))


def _check_server_name(n: object) -> None:
    if not isinstance(n, str) or not n or not n.replace("_", "").replace("-", "").isalnum():
        raise ValueError(f"bad server name {n!r}: use letters, digits, '_' and '-'")


#: The fixed part of :func:`message_size`: every message's header.
HEADER_BYTES = 24


def message_size(msg: Message) -> int:
    """Approximate wire size in bytes: a fixed header plus the entries' text."""
    size = HEADER_BYTES
    kind = type(msg)
    if kind is AppendEntries:
        for e in msg.entries:
            size += 8 if e.command is None else 8 + len(str(e.command))
    elif kind is InstallSnapshot:
        size += len(msg.digest) + 16
    return size
