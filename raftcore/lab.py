"""The lab: seeded random fault schedules against the real cluster, summarized.

Each run is a pure function of its seed: a cluster, a network with the chosen fault rates,
and a schedule of partitions, crashes and restarts (and, when asked, membership changes and
snapshots) drawn from ``random.Random(seed)``, while clients keep writing and reading. The
invariant checker watches every event; at the end the network heals, every server restarts,
and the run must make progress and leave a linearizable client history.

The same function serves the command line (``python -m raftcore.lab``), the property tests
and the browser lab, so a failing seed found anywhere replays identically everywhere.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass, field

from .check.invariants import INVARIANTS
from .check.linearizability import check_history
from .config import UNSAFE_SWITCHES, RaftConfig
from .sim import Cluster, NetworkConfig


@dataclass
class LabSettings:
    size: int = 5
    duration: float = 5_000.0  # simulated ms of faults per run
    loss: float = 0.02
    duplicate: float = 0.02
    reorder: float = 0.05
    delay: float = 0.0         # extra latency added to the default 5–10 ms
    partitions: float = 0.5    # expected partitions per simulated second
    crashes: float = 0.5       # expected crashes per simulated second
    membership: bool = False
    snapshots: bool = False
    unsafe: tuple[str, ...] = ()
    clients: int = 3

    def validate(self) -> None:
        if not 1 <= self.size <= 9:
            raise ValueError(f"cluster size must be between 1 and 9, got {self.size}")
        if self.duration <= 0:
            raise ValueError(f"duration must be positive, got {self.duration}")
        for name in ("partitions", "crashes", "delay"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")
        for sw in self.unsafe:
            if sw not in UNSAFE_SWITCHES:
                raise ValueError(f"unknown unsafe switch {sw!r}; switches: {', '.join(UNSAFE_SWITCHES)}")


@dataclass
class RunResult:
    seed: int
    violation: object | None          # the checker's Violation, if any
    linearizable: bool | None         # None: the checker gave up (unknown)
    lin_report: str | None
    progress: bool | None             # leader and every client answered after healing (None: stopped by a violation)
    leaderless_ms: float
    latencies: list[float] = field(default_factory=list)
    messages: int = 0
    committed: int = 0

    @property
    def ok(self) -> bool:
        return self.violation is None and self.linearizable is not False and self.progress is True


def run_one(seed: int, s: LabSettings) -> RunResult:
    """One seeded run. Everything random comes from ``random.Random(seed)`` and the cluster's seed."""
    s.validate()
    rng = random.Random(seed)
    cfg = RaftConfig(snapshot_threshold=16 if s.snapshots else 0, snapshot_trailing=4 if s.snapshots else 0)
    for sw in s.unsafe:
        cfg.unsafe.set(sw, True)
    net = NetworkConfig(latency_min=5.0 + s.delay, latency_max=10.0 + s.delay, loss=s.loss,
                        duplicate=s.duplicate, reorder=s.reorder)
    c = Cluster(size=s.size, seed=seed, config=cfg, network=net)
    spare = [f"S{i}" for i in range(s.size + 1, 10)]
    step = 10.0
    leaderless = 0.0
    op = 0
    while c.now < s.duration and c.violation is None:
        c.run_for(step)
        if c.leader() is None:
            leaderless += step
        p = step / 1000.0
        names = [n for n in c.names if n in c.nodes]
        if rng.random() < s.partitions * p:
            if rng.random() < 0.5 and c.blocked:
                c.heal()
            else:
                side = [n for n in names if rng.random() < 0.5]
                if 0 < len(side) < len(names):
                    c.partition(side)
        if rng.random() < s.crashes * p:
            up = [n for n in names if c.alive(n)]
            down = [n for n in names if not c.alive(n)]
            if down and (rng.random() < 0.5 or len(up) <= 1):
                c.restart(rng.choice(down))
            elif len(up) > 1:
                c.crash(rng.choice(up))
        if s.membership and rng.random() < 0.2 * p:
            members = list(c.configuration() or ())
            try:
                if spare and (len(members) <= 3 or rng.random() < 0.5):
                    c.add_server(spare.pop(0))
                elif len(members) > 1:
                    c.remove_server(rng.choice(members))
            except ValueError:
                pass  # a change is already under way: the cluster refuses another, as it must
        for k in range(s.clients):
            client = f"c{k}"
            cl = c.clients.get(client)
            if cl is None or (cl.current is None and not cl.queue):
                op += 1
                r = rng.random()
                key = "xy"[rng.randrange(2)]
                if r < 0.4:
                    c.submit(f"SET {key} {op}", client=client)
                elif r < 0.6:
                    c.submit(f"INC {key}", client=client)
                elif r < 0.7:
                    c.submit(f"CAS {key} {op - 3} {op}", client=client)
                else:
                    c.read(key, client=client)
    progress = None
    if c.violation is None:
        c.recover()
        progress = c.run_until(lambda cl: cl.leader() is not None and all(h.done for h in cl.handles), 30_000)
    lin = check_history(c.history, max_states=200_000)
    linearizable = (lin.ok if lin.complete else None) if lin.ok else False
    latencies = [h.completed_at - h.invoked_at for h in c.handles if h.done]
    return RunResult(seed, c.violation, linearizable, None if lin.ok else str(lin), progress,
                     leaderless, latencies, c.stats["sent"], sum(1 for h in c.handles if h.done))


def summarize(results: list[RunResult]) -> str:
    n = len(results)
    lines = [f"{n} runs", "", f"{'property':<24} {'held':>6} / {n}"]
    for name in INVARIANTS:
        held = sum(1 for r in results if r.violation is None or r.violation.invariant != name)
        lines.append(f"{name:<24} {held:>6} / {n}")
    lin_ok = sum(1 for r in results if r.linearizable is True)
    unknown = sum(1 for r in results if r.linearizable is None)
    lines.append(f"{'Linearizability':<24} {lin_ok:>6} / {n}" + (f"  ({unknown} unknown: search gave up)" if unknown else ""))
    live = [r for r in results if r.progress is not None]
    lines.append(f"{'Progress after healing':<24} {sum(1 for r in live if r.progress):>6} / {len(live)}"
                 + ("  (runs stopped by a violation are not counted)" if len(live) < n else ""))
    lat = sorted(x for r in results for x in r.latencies)
    if lat:
        q = lambda f: lat[min(len(lat) - 1, int(f * (len(lat) - 1)))]  # noqa: E731
        lines += ["", f"commit latency ms: p50 {q(0.5):.0f}  p90 {q(0.9):.0f}  p99 {q(0.99):.0f}"]
    committed = sum(r.committed for r in results)
    if committed:
        lines.append(f"messages per completed client operation: {sum(r.messages for r in results) / committed:.1f}")
    lines.append(f"time without a leader: {sum(r.leaderless_ms for r in results) / max(1, n):.0f} ms per run (mean)")
    bad = [r for r in results if not r.ok]
    if bad:
        lines += ["", "failing runs (replay with --runs 1 --seed SEED):"]
        for r in bad[:20]:
            why = str(r.violation) if r.violation else (r.lin_report or "no progress after healing")
            lines.append(f"  seed {r.seed}: {why.splitlines()[0]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m raftcore.lab", description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0, help="base seed: run i uses seed+i")
    ap.add_argument("--size", type=int, default=5)
    ap.add_argument("--duration", type=float, default=5000.0, help="simulated ms of faults per run")
    ap.add_argument("--loss", type=float, default=0.02)
    ap.add_argument("--duplicate", type=float, default=0.02)
    ap.add_argument("--reorder", type=float, default=0.05)
    ap.add_argument("--delay", type=float, default=0.0, help="extra one-way latency, ms")
    ap.add_argument("--partitions", type=float, default=0.5, help="per simulated second")
    ap.add_argument("--crashes", type=float, default=0.5, help="per simulated second")
    ap.add_argument("--membership", action="store_true")
    ap.add_argument("--snapshots", action="store_true")
    ap.add_argument("--unsafe", action="append", default=[], choices=sorted(UNSAFE_SWITCHES))
    a = ap.parse_args(argv)
    s = LabSettings(a.size, a.duration, a.loss, a.duplicate, a.reorder, a.delay, a.partitions, a.crashes,
                    a.membership, a.snapshots, tuple(a.unsafe))
    try:
        s.validate()
    except ValueError as e:
        ap.error(str(e))
    results = [run_one(a.seed + i, s) for i in range(a.runs)]
    print(summarize(results))
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
