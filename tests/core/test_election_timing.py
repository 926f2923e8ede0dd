"""§9.3 of the Raft thesis: randomized election timeouts, in closed form.

With n servers whose timers are drawn uniformly from [T, T + W], the first timeout comes at
E[min] = T + W/(n+1), and a split vote becomes possible when a second server times out
before the first candidate's RequestVote reaches it: with a one-way latency b, that happens
with probability 1 - (1 - b/W)^n (the spacing of uniform order statistics). The simulator,
running the real node, must reproduce both within sampling error (4 standard errors).
"""

import math
import random
import statistics

from raftcore import RaftConfig, RaftNode, Role
from raftcore.sim import Cluster, NetworkConfig

RUNS = 1500


def test_election_timeouts_are_uniform_in_range() -> None:
    """§5.2: election timeouts are chosen randomly from a fixed interval."""
    cfg = RaftConfig(election_timeout_min=150, election_timeout_max=300)
    node = RaftNode("S1", ["S1", "S2", "S3"], cfg, random.Random(5))
    draws = []
    for i in range(4000):
        node.start(float(i))
        draws.append(node.election_timeout)
    assert min(draws) >= 150 and max(draws) <= 300
    mean, sd = statistics.fmean(draws), 150 / math.sqrt(12)
    assert abs(mean - 225) < 4 * sd / math.sqrt(len(draws))
    bins = [0] * 10
    for d in draws:
        bins[min(9, int((d - 150) / 15))] += 1
    chi2 = sum((b - 400) ** 2 / 400 for b in bins)
    assert chi2 < 27.9  # chi-square, 9 degrees of freedom, p = 0.001


def first_election(seed: int, latency: float) -> tuple[float, int]:
    """Time of the first timeout, and how many servers became candidates in term 1."""
    c = Cluster(size=5, seed=seed, network=NetworkConfig(latency_min=latency, latency_max=latency),
                config=RaftConfig(pre_vote=False, check_quorum=False),  # §9.3: Figure 2 elections
                record_trace=False)
    c.run_until(lambda cl: any(n.role is not Role.FOLLOWER for n in cl.nodes.values()), 1000)
    first = c.now
    c.run_for(latency * 3)
    candidates = sum(1 for line in c.events if "becomes candidate term 1" in line)
    return first, candidates


def test_first_timeout_and_split_vote_rate_match_closed_forms() -> None:
    b, T, W, n = 10.0, 150.0, 150.0, 5
    results = [first_election(seed, b) for seed in range(RUNS)]
    firsts = [f for f, _ in results]
    want_mean = T + W / (n + 1)
    sd_min = W * math.sqrt(n / ((n + 1) ** 2 * (n + 2)))  # sd of the minimum of n uniforms
    assert abs(statistics.fmean(firsts) - want_mean) < 4 * sd_min / math.sqrt(RUNS)
    p_split = 1 - (1 - b / W) ** n
    got = sum(1 for _, k in results if k >= 2) / RUNS
    assert abs(got - p_split) < 4 * math.sqrt(p_split * (1 - p_split) / RUNS), (got, p_split)
