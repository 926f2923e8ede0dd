"""What a run reports and what a campaign sums: the failure keys, :class:`LabFailure` and
:class:`RunResult`, the linearizability bookkeeping (:func:`first_non_linearizable` at the
lab's search budget), latency :class:`Percentiles` and the per-property table
(:class:`LabSummary`, :func:`summarize`).

A summary is *exact*: counts are integers, latencies are counted in integer buckets, and the
times it adds up are kept as fractions. So summaries of any shards of a campaign merge
(:meth:`LabSummary.merged`), in any order, into the summary of the whole campaign, byte for
byte — floating-point sums would depend on the order they were added in
(raftcore/lab/shards.py splits campaigns; raftcore/lab/pool.py runs shards on every core).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from ..check.invariants import INVARIANT_KEYS, INVARIANTS
from ..check.invariants import LINEARIZABILITY as LINEARIZABILITY_LABEL
from ..check.linearizability import Operation, first_violation
from .settings import LabSettings

#: Work bound of the linearizability search per key (the verdict is "unknown" past it).
LIN_MAX_STATES = 200_000

#: Failure keys besides the invariants' own (``Violation.key``).
LINEARIZABILITY = INVARIANT_KEYS[LINEARIZABILITY_LABEL]
PROGRESS = "progress"
PROGRESS_LABEL = "Progress after healing"
#: An exception inside a run is that run's failure (with its traceback), never the campaign's end.
EXCEPTION = "exception"
EXCEPTION_LABEL = "Ran without an exception"


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

    @classmethod
    def from_dict(cls, d: dict) -> "LabFailure":
        """The failure :meth:`to_dict` wrote (a shard's partial result crossing a process or a
        Web Worker); JSON keeps every float exactly."""
        return cls(int(d["seed"]), d["invariant"], d["label"], float(d["time"]), int(d["event"]), int(d["events"]),
                   d["report"], tuple(d["servers"]))


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


def first_non_linearizable(history: list[Operation], full=None):
    """The earliest reply after which the history is no longer linearizable, and the
    checker's report on the history up to it: the core's one bisection
    (:func:`raftcore.check.linearizability.first_violation`) at the lab's search budget."""
    return first_violation(history, max_states=LIN_MAX_STATES, full=full)


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

    def merge(self, other: "Percentiles") -> None:
        """Add another set of samples (counts add: exact in any order)."""
        for k, v in other.buckets.items():
            self.buckets[k] = self.buckets.get(k, 0) + v
        self.n += other.n

    def to_list(self) -> list[list[int]]:
        return [[k, self.buckets[k]] for k in sorted(self.buckets)]

    @classmethod
    def from_list(cls, pairs) -> "Percentiles":
        p = cls()
        for k, v in pairs:
            p.buckets[int(k)] = int(v)
            p.n += int(v)
        return p

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
    """Counts per property over the runs added so far; partial summaries are cheap, exact,
    and merge into the summary of all their runs (:meth:`merged`)."""

    def __init__(self) -> None:
        self.seeds: list[int] = []    # the seeds of the runs added, in the order they were added
        self.runs = 0
        self.held = {key: 0 for key, _ in _rows()}
        self.lin_unknown = 0
        self.progress_runs = 0
        self.progress_ok = 0
        self.exceptions = 0
        self.writes = Percentiles()
        self.reads = Percentiles()
        # Simulated ms, summed exactly (see the module docstring).
        self.leaderless = Fraction(0)
        self.stale_leader = Fraction(0)
        self.duration = Fraction(0)
        self.messages = 0
        self.committed = 0
        self.operations = 0
        self.events = 0
        self.faults: dict[str, int] = {}
        self.failures: list[LabFailure] = []

    def add(self, r: RunResult, duration: float) -> None:
        self.seeds.append(r.seed)
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
        self.leaderless += Fraction(r.leaderless_ms)
        self.stale_leader += Fraction(r.stale_leader_ms)
        self.duration += Fraction(duration)
        self.messages += r.messages
        self.committed += r.committed
        self.operations += r.operations
        self.events += r.events
        for k, v in r.faults.items():
            self.faults[k] = self.faults.get(k, 0) + v
        if r.failure is not None:
            self.failures.append(r.failure)

    # ------------------------------------------------------------ shards

    #: The fields that add up when summaries merge.
    _COUNTS = ("runs", "lin_unknown", "progress_runs", "progress_ok", "exceptions", "messages", "committed",
               "operations", "events")
    _TIMES = ("leaderless", "stale_leader", "duration")

    @classmethod
    def merged(cls, parts) -> "LabSummary":
        """The summary of every run of ``parts`` (summaries of disjoint sets of seeds), equal
        in every field, text included, to one summary that added the runs in seed order —
        whatever the order of ``parts``. Failures are listed in seed order. A seed in two
        parts is an error (a shard ran twice)."""
        out = cls()
        seen: set[int] = set()
        failures = []
        for part in parts:
            twice = seen.intersection(part.seeds)
            if twice:
                raise ValueError(f"seeds {sorted(twice)[:5]} are in two partial results")
            seen.update(part.seeds)
            out.seeds += part.seeds
            for name in cls._COUNTS + cls._TIMES:
                setattr(out, name, getattr(out, name) + getattr(part, name))
            for key, held in part.held.items():
                out.held[key] += held
            out.writes.merge(part.writes)
            out.reads.merge(part.reads)
            for k, v in part.faults.items():
                out.faults[k] = out.faults.get(k, 0) + v
            failures += part.failures
        out.seeds.sort()
        out.failures = sorted(failures, key=lambda f: f.seed)
        return out

    def to_state(self) -> dict:
        """Everything this summary knows, as JSON-able values (times as exact fractions):
        :meth:`from_state` gives it back. What a shard hands over to be merged."""
        d = {name: getattr(self, name) for name in self._COUNTS}
        d.update({name: _fraction_text(getattr(self, name)) for name in self._TIMES})
        d.update(seeds=sorted(self.seeds), held=dict(self.held), writes=self.writes.to_list(),
                 reads=self.reads.to_list(), faults=dict(sorted(self.faults.items())),
                 failures=[f.to_dict() for f in self.failures])
        return d

    @classmethod
    def from_state(cls, d: dict) -> "LabSummary":
        out = cls()
        for name in cls._COUNTS:
            setattr(out, name, int(d[name]))
        for name in cls._TIMES:
            setattr(out, name, Fraction(d[name]))
        out.seeds = [int(seed) for seed in d["seeds"]]
        if set(d["held"]) != set(out.held):
            raise ValueError(f"a partial result with other properties: {sorted(d['held'])}")
        out.held = {key: int(d["held"][key]) for key in out.held}
        out.writes, out.reads = Percentiles.from_list(d["writes"]), Percentiles.from_list(d["reads"])
        out.faults = {k: int(v) for k, v in d["faults"].items()}
        out.failures = [LabFailure.from_dict(f) for f in d["failures"]]
        return out

    # ------------------------------------------------------------ reading it

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
                "leaderless_ms_per_run": float(self.leaderless / n) if n else None,
                "leaderless_fraction": float(self.leaderless / self.duration) if self.duration else None,
                "stale_leader_ms_per_run": float(self.stale_leader / n) if n else None,
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


def _fraction_text(x: Fraction) -> str:
    return f"{x.numerator}/{x.denominator}"


def summarize(results: list[RunResult], duration: float | None = None) -> str:
    summary = LabSummary()
    for r in results:
        summary.add(r, duration if duration is not None else LabSettings.duration)
    return summary.text()
