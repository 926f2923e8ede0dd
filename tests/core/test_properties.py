"""Randomized fault schedules (Hypothesis): safety always, liveness once the network heals.

Each example is a seed, a cluster size, fault rates and a schedule of faults and client
operations. The invariant checker runs after every event; afterwards the clients' history
must be linearizable, and once every fault is healed the cluster must elect a leader and
answer every client. ``--hypothesis-profile=long`` runs thousands of schedules.
"""

from hypothesis import given
from hypothesis import strategies as st

from raftcore.check.linearizability import check_history
from raftcore.sim import Cluster, NetworkConfig

ACTIONS = st.one_of(
    st.tuples(st.just("crash"), st.integers(0, 8)),
    st.tuples(st.just("restart"), st.integers(0, 8)),
    st.tuples(st.just("partition"), st.integers(1, 2 ** 9)),
    st.tuples(st.just("heal"), st.just(0)),
    st.tuples(st.just("cut"), st.integers(0, 80)),
    st.tuples(st.just("submit"), st.integers(0, 1000)),
    st.tuples(st.just("read"), st.integers(0, 1000)),
)

schedules = st.fixed_dictionaries({
    "seed": st.integers(0, 2 ** 32),
    "size": st.sampled_from([3, 5]),
    "loss": st.sampled_from([0.0, 0.05, 0.2]),
    "duplicate": st.sampled_from([0.0, 0.1]),
    "reorder": st.sampled_from([0.0, 0.2]),
    "steps": st.lists(st.tuples(st.integers(10, 400), ACTIONS), min_size=1, max_size=25),
})


def apply(c: Cluster, action: str, n: int) -> None:
    names = c.names
    if action == "crash":
        name = names[n % len(names)]
        alive = [x for x in names if c.alive(x)]
        if c.alive(name) and len(alive) > 1:
            c.crash(name)
    elif action == "restart":
        name = names[n % len(names)]
        if not c.alive(name):
            c.restart(name)
    elif action == "partition":
        side = [x for i, x in enumerate(names) if n >> i & 1]
        if 0 < len(side) < len(names):
            c.partition(side)
    elif action == "heal":
        c.heal()
    elif action == "cut":
        a, b = names[n % len(names)], names[(n // len(names)) % len(names)]
        if a != b:
            c.cut(a, b)
    elif action == "submit":
        op = ("SET", "INC", "CAS", "DEL")[n % 4]
        key = "xy"[n // 4 % 2]
        cmd = {"SET": f"SET {key} {n}", "INC": f"INC {key}", "CAS": f"CAS {key} {n % 7} {n}", "DEL": f"DEL {key}"}[op]
        c.submit(cmd, client=f"c{n % 3}")
    elif action == "read":
        c.read("xy"[n % 2], client=f"c{n % 3}")


@given(schedules)
def test_random_fault_schedules_are_safe_and_live(s) -> None:
    c = Cluster(size=s["size"], seed=s["seed"],
                network=NetworkConfig(loss=s["loss"], duplicate=s["duplicate"], reorder=s["reorder"]))
    for wait, (action, n) in s["steps"]:
        c.run_for(wait)
        assert c.violation is None, str(c.violation)
        apply(c, action, n)
    c.run_for(500)
    assert c.violation is None, str(c.violation)
    # Heal everything: the cluster must make progress again.
    c.recover()
    assert c.run_until(lambda cl: cl.leader() is not None and all(h.done for h in cl.handles), 20_000), \
        f"no progress after healing: leader={c.leader()}, pending={[str(h) for h in c.handles if not h.done]}"
    assert c.violation is None, str(c.violation)
    result = check_history(c.history)
    assert result.ok and result.complete, str(result)
