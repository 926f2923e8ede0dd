"""The Raft paper's Figure 16 experiment: how long a cluster is without a leader after a crash.

§9.3 of the paper: five servers; in each trial the leader crashes at a uniformly random point
of its heartbeat interval (half the minimum election timeout); the servers have different
log lengths, so some candidates are not eligible to win; downtime runs from the crash until
the other servers hear the new leader's first heartbeat.

It runs the real :class:`~raftcore.node.RaftNode` through the ordinary :class:`Cluster`, one
cluster per timeout range, trial after trial: the leader elected at the end of one trial is
the one that crashes in the next, as in the paper's repeated-crash methodology.

The paper's cluster ran on a LAN whose "broadcast time" (send to all, hear back) was about
15 ms *including the disk write* each RPC waits for. :data:`PAPER_NETWORK` reproduces that:
0.5–1 ms one-way latency and 6 ms to persist before replying.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from ..config import RaftConfig
from ..kv import Command
from ..messages import AppendEntries
from ..node import Role
from .cluster import Cluster
from .network import NetworkConfig

#: The ten timeout ranges of Figure 16 (ms), top graph then bottom graph.
FIGURE16_RANGES: tuple[tuple[float, float], ...] = (
    (150, 150), (150, 151), (150, 155), (150, 175), (150, 200), (150, 300),
    (12, 24), (25, 50), (50, 100), (100, 200),
)

PAPER_NETWORK = dict(latency_min=0.15, latency_max=0.6, persist_latency=1.5, persist_jitter=3.0)


@dataclass(frozen=True, slots=True)
class Trial:
    downtime: float  # ms from the crash to every live server following a new leader
    elections: int   # how many candidacies it took
    gave_up: bool = False
    events: int = 0  # simulated events, from the end of the previous trial: what simulating it cost


def _crash_mid_replication(c: Cluster, leader: str) -> None:
    """Crash the leader while its last AppendEntries are on the wire, so the followers are
    left with logs of different lengths, as in the paper's worst case: the leader has just
    appended three entries; one follower receives all three, one two, one one, one none
    (which follower gets what is drawn at random). The followers that received entries heard
    from the leader just now; the last one only at its last heartbeat."""
    node = c.nodes[leader]  # read only (a view would build every server's, each trial)
    term, base, base_term, commit = node.current_term, node.log.last_index, node.log.last_term, node.commit_index
    c.crash_after_appending(leader, [Command("SET", "f16", (str(k),)) for k in range(3)])
    entries = c.disks[leader].log.slice(base + 1, base + 4)  # the batch, as the leader persisted it
    followers = [n for n in c.names if n != leader]
    c.rng.shuffle(followers)
    for follower, count in zip(followers, (3, 2, 1, 0)):
        if count:
            c.inject(AppendEntries(leader, follower, term, leader, base, base_term, entries[:count], commit))


def run_trials(timeout_min: float, timeout_max: float, trials: int, seed: int = 0,
               network: dict | None = None, give_up_ms: float = 20_000.0,
               progress: Callable[[int], None] | None = None) -> Iterator[Trial]:
    """Yield one :class:`Trial` per leader crash."""
    # The paper's algorithm: no PreVote, no CheckQuorum/stickiness (thesis extensions).
    # Snapshots keep a restarted server from replaying the whole history of earlier trials
    # (without them the sweep's cost grows with the square of the number of trials); they
    # never touch the entries an election compares, which stay in the log.
    cfg = RaftConfig(election_timeout_min=timeout_min, election_timeout_max=timeout_max,
                     heartbeat_interval=timeout_min / 2, pre_vote=False, check_quorum=False,
                     snapshot_threshold=64, snapshot_trailing=16)
    c = Cluster(size=5, seed=seed, config=cfg, network=NetworkConfig(**(network or PAPER_NETWORK)),
                check=False, record_trace=False, record_events=False, client_timeout=1e12)
    rng = c.rng
    done = 0
    counted = c.scheduler.popped  # events simulated up to the end of the previous trial
    while done < trials:
        for n in c.names:
            if not c.alive(n):
                c.restart(n)
        leader = c.leader()
        if leader is None:
            # The first trial, or one that gave up: a scripted election (S1 times out now,
            # before any randomized timer) gives the next trial a leader to crash.
            if c.nodes[c.names[0]].role is not Role.LEADER:
                c.timeout(c.names[0])
            if not c.run_until(lambda cl: cl.leader() is not None, give_up_ms):
                done += 1
                yield Trial(give_up_ms, 0, gave_up=True, events=c.scheduler.popped - counted)
                counted = c.scheduler.popped
                continue
            leader = c.leader()
        # The predicates below are asked after every event: they hold the servers, looked up
        # once (no server restarts while they are asked).
        servers = [c.nodes[n] for n in c.names]
        leader_node = c.nodes[leader]
        c.run_until(lambda cl: all(node.commit_index == leader_node.log.last_index for node in servers), 1000)
        # Crash at a uniformly random point of the leader's heartbeat interval.
        c.run_until(lambda cl: leader_node.heartbeat_deadline - cl.now >= cfg.heartbeat_interval - 1e-9,
                    cfg.heartbeat_interval * 2)
        c.run_for(rng.random() * cfg.heartbeat_interval)
        if c.leader() != leader:
            continue
        old_term = c.nodes[leader].current_term
        _crash_mid_replication(c, leader)
        t0 = c.now
        live = [n for n in c.names if n != leader]
        followers = [c.nodes[n] for n in live]
        first = followers[0]

        def recovered(cl: Cluster) -> bool:  # asked after every event: the cheap tests first
            # Every live server must follow a leader of a term above old_term: the first one too.
            if first.leader_id is None or first.current_term <= old_term:
                return False
            lead = cl.leader()
            if lead is None or cl.nodes[lead].current_term <= old_term:
                return False
            term = cl.nodes[lead].current_term
            return all(f.leader_id == lead and f.current_term == term for f in followers)

        ok = c.run_until(recovered, give_up_ms)
        elections = max(0, max(c.nodes[n].current_term for n in live) - old_term)
        done += 1
        yield Trial(c.now - t0, elections, gave_up=not ok, events=c.scheduler.popped - counted)
        counted = c.scheduler.popped
        if progress is not None:
            progress(done)


def figure16(trials: int = 1000, trials_150_150: int = 100, seed: int = 0,
             ranges: tuple[tuple[float, float], ...] = FIGURE16_RANGES,
             network: dict | None = None) -> dict[tuple[float, float], list[Trial]]:
    """The whole Figure 16 sweep: trials per timeout range (fewer for 150–150 ms, as the paper)."""
    out = {}
    for lo, hi in ranges:
        n = trials_150_150 if lo == hi else trials
        out[(lo, hi)] = list(run_trials(lo, hi, n, seed=seed, network=network))
    return out


def percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    k = min(len(s) - 1, max(0, int(round(q * (len(s) - 1)))))
    return s[k]


__all__ = ["FIGURE16_RANGES", "PAPER_NETWORK", "Trial", "figure16", "percentile", "run_trials"]
