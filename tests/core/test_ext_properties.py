"""Randomized fault schedules with the thesis extensions (Hypothesis): membership changes,
snapshots, leadership transfers and reads through ReadIndex or a lease, on top of crashes,
partitions, link cuts and a lossy, duplicating, reordering network.

Safety always (the invariant checker runs after every event, including State Machine Safety
across compacted prefixes), linearizable client histories, and progress once healed.
"""

from hypothesis import given
from hypothesis import strategies as st

from raftcore import RaftConfig
from raftcore.check.linearizability import check_history
from raftcore.sim import Cluster, NetworkConfig

from test_properties import ACTIONS as FAULTS
from test_properties import apply as apply_fault

EXT_ACTIONS = st.one_of(
    FAULTS,
    st.tuples(st.just("add"), st.integers(0, 8)),
    st.tuples(st.just("remove"), st.integers(0, 8)),
    st.tuples(st.just("transfer"), st.integers(0, 8)),
)

SPARE = ["S6", "S7", "S8"]

schedules = st.fixed_dictionaries({
    "seed": st.integers(0, 2 ** 32),
    "size": st.sampled_from([3, 5]),
    "loss": st.sampled_from([0.0, 0.05, 0.2]),
    "duplicate": st.sampled_from([0.0, 0.1]),
    "reorder": st.sampled_from([0.0, 0.2]),
    "snapshot": st.sampled_from([(0, 0), (4, 0), (8, 3)]),
    "reads": st.sampled_from(["read_index", "lease", "log"]),
    "steps": st.lists(st.tuples(st.integers(10, 400), EXT_ACTIONS), min_size=1, max_size=25),
})


def apply(c: Cluster, action: str, n: int) -> None:
    try:
        if action == "add":
            name = (SPARE + c.names)[n % (len(SPARE) + len(c.names))]
            if name not in c.members and (name not in c.nodes or c.alive(name)):
                c.add_server(name)
        elif action == "remove":
            if len(c.members) > 1:
                c.remove_server(c.members[n % len(c.members)])
        elif action == "transfer":
            lead = c.leader()
            to = c.names[n % len(c.names)]
            if lead is not None and to != lead:
                c.transfer_leadership(to)
        else:
            apply_fault(c, action, n)
    except ValueError:
        pass  # a request the cluster refuses (e.g. transfer to a non-member): nothing changed


@given(schedules)
def test_extensions_under_random_faults_are_safe_and_live(s) -> None:
    threshold, trailing = s["snapshot"]
    cfg = RaftConfig(snapshot_threshold=threshold, snapshot_trailing=trailing, read_mode=s["reads"])
    c = Cluster(size=s["size"], seed=s["seed"], config=cfg,
                network=NetworkConfig(loss=s["loss"], duplicate=s["duplicate"], reorder=s["reorder"]))
    for wait, (action, n) in s["steps"]:
        c.run_for(wait)
        assert c.violation is None, str(c.violation)
        apply(c, action, n)
    c.run_for(500)
    assert c.violation is None, str(c.violation)
    c.recover()
    assert c.run_until(lambda cl: cl.leader() is not None and not cl.membership_queue
                       and all(h.done for h in cl.handles), 30_000), \
        (f"no progress after healing: leader={c.leader()}, queue={c.membership_queue}, "
         f"pending={[str(h) for h in c.handles if not h.done]}")
    assert c.violation is None, str(c.violation)
    assert sorted(c.configuration()) == sorted(c.members)
    result = check_history(c.history)
    assert result.ok and result.complete, str(result)
