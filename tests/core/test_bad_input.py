"""Bad input gets a clear error that names what is wrong, and changes nothing.

The scenes, the lab and authors' scenario files all reach the simulator with text a person
typed; an error must say which line and why, and a failed command must leave the
simulation exactly as it was (the trace hash does not move).
"""

import pytest

from raftcore import RaftConfig
from raftcore.scenarios import Scenario, ScenarioError
from raftcore.sim import Cluster, NetworkConfig


@pytest.mark.parametrize("kwargs,fragment", [
    (dict(size=0), "positive"),
    (dict(size=3, names=["A", "B"]), "size=3 but 2 names"),
    (dict(names=["A", "A", "B"]), "unique"),
    (dict(names=["A", "b c"]), "bad server name"),
    (dict(seed="x"), "seed must be an integer"),
    (dict(config=RaftConfig(election_timeout_min=300, election_timeout_max=150)), "below election_timeout_min"),
    (dict(config=RaftConfig(heartbeat_interval=200)), "heartbeat_interval"),
    (dict(network=NetworkConfig(latency_min=-1)), "must not be negative"),
    (dict(network=NetworkConfig(loss=1.5)), "probability"),
])
def test_impossible_cluster_configurations_are_rejected(kwargs, fragment) -> None:
    with pytest.raises(ValueError, match=fragment):
        Cluster(**kwargs)


def test_bad_calls_name_the_problem_and_change_nothing() -> None:
    c = Cluster(size=3, seed=1)
    c.run_for(500)
    before = (c.trace_hash(), sorted(c.blocked), dict(c.link_delay), c.now)
    with pytest.raises(ValueError, match="unknown server 'S9'"):
        c.crash("S9")
    with pytest.raises(ValueError, match="unknown server 'S7'"):
        c.partition(["S1"], ["S7"])
    with pytest.raises(ValueError, match="two partition groups"):
        c.partition(["S1", "S2"], ["S2"])
    with pytest.raises(ValueError, match="negative"):
        c.set_link_delay("S1", "S2", -5)
    with pytest.raises(ValueError, match="negative time"):
        c.run_for(-1)
    with pytest.raises(ValueError, match="running"):
        c.restart("S1")
    with pytest.raises(ValueError, match="unknown command"):
        c.submit("FROB x")
    with pytest.raises(ValueError, match="unknown unsafe switch"):
        c.set_unsafe("no_such_rule", True)
    assert (c.trace_hash(), sorted(c.blocked), dict(c.link_delay), c.now) == before


@pytest.mark.parametrize("text,line,fragment", [
    ("", None, "empty scenario"),
    ("run 1s\n", 1, "first command must be 'cluster'"),
    ("cluster 3\ncluster 5\n", 2, "only one 'cluster'"),
    ("cluster 3\nfly S1\n", 2, "unknown command 'fly'"),
    ("cluster 3\n\n# comment\nrun 2 hours\n", 4, "usage: run DURATION"),
    ("cluster 3\nrun fast\n", 2, "bad duration"),
    ("cluster 3 names=A,B\n", 1, "needs 3 names"),
    ("cluster 3 timeout=300-150\n", 1, "below election_timeout_min"),
    ("cluster 3\nnetwork loss=2\n", 2, "probability"),
    ("cluster 3\nunsafe nonsense on\n", 2, "unknown unsafe switch"),
    ("cluster 3\nexpect leader S1 S2\n", 2, "unexpected"),
    ("cluster 3\nexpect sky blue\n", 2, "unknown condition"),
    ("cluster 3\n\n----\n", 3, "must follow a command"),
    ("cluster 3 names=leader,a,b\n", 1, "keyword"),
])
def test_scenario_errors_name_source_line_and_reason(text, line, fragment) -> None:
    with pytest.raises(ScenarioError) as err:
        Scenario.parse(text, source="mine.txt")
    assert err.value.line == line
    assert err.value.source == "mine.txt"
    assert fragment in err.value.message
    assert str(err.value).startswith(f"mine.txt:{line}:" if line else "mine.txt:")


def test_runtime_errors_in_a_scenario_name_the_line_and_leave_the_cluster_alone() -> None:
    text = "cluster 3 seed=2\nwait leader within 1s\ncut S1->S2 S9->S1\nexpect no-violation\n"
    run = Scenario.parse(text, source="x.txt").start(strict=False)
    run.finish()
    assert [e.line for e in run.failures] == [3]
    assert "unknown server 'S9'" in run.failures[0].message
    assert not run.cluster.blocked  # the valid S1->S2 was not applied either
    strict = Scenario.parse(text, source="x.txt").start(strict=True)
    with pytest.raises(ScenarioError, match=r"x.txt:3: unknown server 'S9'"):
        strict.finish()
