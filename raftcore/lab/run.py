"""One seeded run: :class:`LabRun` drives a :class:`~raftcore.sim.clock.ClockedCluster` one step
at a time (:meth:`LabRun.step`, :meth:`LabRun.next_step_time`) through its phases — faults,
heal, check — and :func:`run_one` / :func:`run_many` run it to the end."""

from __future__ import annotations

import bisect
import copy
import random

from ..check.linearizability import check_history
from ..config import RaftConfig
from ..node import Role
from ..sim import NetworkConfig
from ..sim.clock import ClockedCluster
from .nemesis import FAULT_KINDS, KEYS, PARTITIONS, TICK_MS, Nemesis
from .settings import MAX_SERVERS, LabSettings, replay_command
from .statistics import (EXCEPTION, EXCEPTION_LABEL, LIN_MAX_STATES, LINEARIZABILITY, LINEARIZABILITY_LABEL, PROGRESS,
                         PROGRESS_LABEL, LabFailure, LabSummary, RunResult, first_non_linearizable)

#: After the faults end: how long a healed cluster gets to elect a leader and answer every client.
HEAL_MS = 30_000.0


class LabRun(Nemesis):
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
        self.window: dict | None = None          # a stale-leader window under way (Nemesis._window)
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
        window = self.window
        if window is not None and window["due"] is not None and window["due"] <= due:
            due, what = window["due"], "window"
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
        if c.checker.violations and self.failure is None:  # (c.violation, without two property calls a step)
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
            due, what = self._nemesis_due()
            if c.step_if_due(due):  # the cluster's next event comes first
                if len(c.checker.leader_of_term) > self.elections:
                    self._elected()
                if self.window is not None:
                    self._window_watch()
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
            elif what == "window":
                c.run_for(max(0.0, due - c.now))  # nothing is due before it: move the clock to it
                self._window_due()
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
        self.window = None
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


def run_one(seed: int, s: LabSettings | None = None) -> RunResult:
    """One seeded run to its end."""
    return LabRun(seed, s).run()


def run_many(s: LabSettings) -> LabSummary:
    """``s.runs`` runs from base seed ``s.seed``."""
    summary = LabSummary()
    for i in range(s.runs):
        summary.add(run_one(s.seed + i, s), s.duration)
    return summary
