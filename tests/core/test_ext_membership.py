"""Thesis §4: single-server membership changes."""

from __future__ import annotations

import random

import pytest

from raftcore import RaftConfig, RaftNode, Role
from raftcore.check.linearizability import check_history
from raftcore.kv import Command
from raftcore.log import Entry
from raftcore.membership import ConfigChange
from raftcore.messages import AppendEntries, AppendEntriesReply, RequestVoteReply
from raftcore.scenarios import Scenario
from raftcore.sim import Cluster

LATE = 10_000.0


def elected(n=3, seed=1, **cfg) -> Cluster:
    c = Cluster(n, seed=seed, config=RaftConfig(**cfg))
    assert c.run_until(lambda c: c.leader() is not None, 3000)
    c.run_for(100)
    return c


def settle(c: Cluster, within=5000.0) -> None:
    assert c.run_until(lambda c: not c.membership_queue and c.leader() is not None, within), c.membership_queue


def leader_node(peers=("n1", "n2", "n3")) -> RaftNode:
    n = RaftNode("n1", list(peers), RaftConfig(pre_vote=False), random.Random(1))
    n.start(0.0)
    n.tick(LATE)
    for p in n.peers:
        n.step(RequestVoteReply(p, "n1", 1, True), LATE)
        if n.role is Role.LEADER:
            break
    return n


def commit_noop(n: RaftNode) -> None:
    n.step(AppendEntriesReply("n2", "n1", n.current_term, True, match_index=n.log.last_index), LATE)
    assert n.commit_index == n.log.last_index


def test_grow_to_five_and_shrink_to_three():
    """§4: servers are added and removed one at a time; the cluster keeps serving clients."""
    c = elected()
    c.add_server("S4")
    c.add_server("S5")
    settle(c)
    assert c.configuration() == ("S1", "S2", "S3", "S4", "S5")
    lead = c.leader()
    assert c.nodes[lead].quorum_size() == 3
    h = c.submit("SET x 1")
    assert c.run_until(lambda c: h.done, 2000)
    c.run_for(200)
    assert all(c.nodes[n].state == {"x": "1"} for n in c.names)
    gone = [n for n in c.names if n != lead][:2]
    for n in gone:
        c.remove_server(n)
    settle(c)
    assert set(c.configuration()) == set(c.names) - set(gone) and c.nodes[c.leader()].quorum_size() == 2
    h = c.submit("INC x")
    assert c.run_until(lambda c: h.done, 2000) and h.result == 2
    assert c.violation is None and check_history(c.history).ok


def test_new_server_catches_up_as_a_learner_before_the_configuration_entry():
    """§4.2.1: a new server joins as a non-voting member; the leader appends the configuration
    entry only once the new server's log has caught up."""
    n = leader_node()
    commit_noop(n)
    out = n.change_membership("add", "n4", LATE)
    assert "n4" in n.learners and "n4" in n.peers and "n4" not in n.voter_set
    assert not any(type(e.command) is ConfigChange for e in n.log.entries())
    assert [m.dst for m in out.messages] == ["n4"]
    # The learner's acknowledgements do not count towards commitment.
    n.propose(Command("SET", "x", ("1",)), LATE)
    n.step(AppendEntriesReply("n4", "n1", 1, True, match_index=n.log.last_index - 1), LATE)
    assert n.commit_index < n.log.last_index and "n4" in n.learners
    # Caught up: now the configuration entry, in force at once (committed or not).
    n.step(AppendEntriesReply("n4", "n1", 1, True, match_index=n.log.last_index), LATE)
    last = n.log.entry(n.log.last_index).command
    assert type(last) is ConfigChange and last.voters == ("n1", "n2", "n3", "n4")
    assert n.voters == ("n1", "n2", "n3", "n4") and n.quorum_size() == 3 and not n.learners


def test_unreachable_new_server_never_joins():
    """§4.2.1: a server that cannot catch up is never added; the leader gives up."""
    c = elected()
    c.add_server("S4")
    c.isolate("S4")
    c.run_for(c.config.election_timeout_max * 10 + 200)
    lead = c.nodes[c.leader()]
    assert "S4" not in lead.voter_set  # the cluster keeps asking; the leader keeps refusing to promote it
    assert any("gives up adding S4" in e for e in c.events)
    c.heal()
    settle(c)
    assert "S4" in c.configuration()


def test_one_change_at_a_time_and_the_errata_rule():
    """§4.1: a leader starts no change until the previous one is committed. Errata: a new
    leader first commits an entry of its own term."""
    n = leader_node()
    assert n.membership_change_refusal("add", "n4") == "the leader has not yet committed an entry of its term"
    commit_noop(n)
    assert n.membership_change_refusal("add", "n4") is None
    n.change_membership("remove", "n3", LATE)
    assert n.voters == ("n1", "n2")
    assert n.membership_change_refusal("add", "n4") == "another configuration change is in progress"
    with pytest.raises(ValueError, match="in progress"):
        n.change_membership("add", "n4", LATE)
    n.config.unsafe.multi_server_membership_change = True
    assert n.membership_change_refusal("add", "n4") is None


def test_follower_uses_latest_configuration_in_its_log_even_uncommitted():
    """§4.1: a server uses the latest configuration in its log, whether or not it is
    committed; if the entry is removed by a log conflict, it falls back to the previous one."""
    f = RaftNode("n2", ["n1", "n2", "n3"], RaftConfig(), random.Random(2))
    f.start(0.0)
    cfg = ConfigChange(("n1", "n2", "n3", "n4"), "+n4")
    f.step(AppendEntries("n1", "n2", 1, "n1", 0, 0, (Entry(1, None), Entry(1, cfg)), 0), 1.0)
    assert f.voters == cfg.voters and f.quorum_size() == 3 and f.commit_index == 0
    # A new leader of term 2 overwrites index 2: the configuration entry goes, and with it the config.
    f.step(AppendEntries("n3", "n2", 2, "n3", 1, 1, (Entry(2, None),), 0), 500.0)
    assert f.voters == ("n1", "n2", "n3")


def test_removed_leader_steps_down_after_the_entry_commits():
    """§4.2.2: a leader removed from the configuration manages the cluster until the new
    configuration is committed (not counting itself), then steps down; it never campaigns."""
    for seed in range(4):
        c = elected(5, seed=seed)
        old = c.leader()
        c.remove_server(old)
        assert c.run_until(lambda c: c.nodes[old].role is Role.FOLLOWER, 2000)
        assert any(f"{old} steps down: removed" in e for e in c.events)
        settle(c)
        new = c.leader()
        assert new != old and old not in c.configuration()
        mark = len(c.events)
        c.run_for(3000)
        later = list(c.events)[mark:]
        assert c.nodes[old].role is Role.FOLLOWER and not any(f"{old} becomes" in e for e in later)
        h = c.submit("SET y 2")
        assert c.run_until(lambda c: h.done, 3000) and c.violation is None


def test_a_leader_that_commits_its_own_removal_sends_nothing_more():
    """§4.2.2 and Figure 2 ("Rules for Servers: Leaders"): only a leader sends AppendEntries.
    The reply that commits a leader's own removal makes it step down; the same reply must not
    then send the follower the entries still to replicate (one of those reached a follower,
    which reset its election timer for a server that no longer leads)."""
    n = leader_node()
    commit_noop(n)
    n.change_membership("remove", "n1", LATE)
    removal = n.log.last_index
    n.propose(Command("SET", "x", ("1",)), LATE)  # an entry after the removal, not yet sent
    n.step(AppendEntriesReply("n2", "n1", n.current_term, True, match_index=removal), LATE)
    out = n.step(AppendEntriesReply("n3", "n1", n.current_term, True, match_index=removal), LATE)
    assert n.commit_index >= removal and n.role is Role.FOLLOWER
    assert not [m for m in out.messages if isinstance(m, AppendEntries)], [str(m) for m in out.messages]


def test_a_snapshot_reply_that_commits_the_removal_sends_nothing_more_either():
    """The same rule for InstallSnapshot's reply (thesis §5.1): it can advance the commit index too."""
    from raftcore.messages import InstallSnapshotReply

    n = leader_node()
    commit_noop(n)
    n.change_membership("remove", "n1", LATE)
    removal = n.log.last_index
    n.propose(Command("SET", "x", ("1",)), LATE)
    n.step(AppendEntriesReply("n2", "n1", n.current_term, True, match_index=removal), LATE)
    out = n.step(InstallSnapshotReply("n3", "n1", n.current_term, match_index=removal), LATE)
    assert n.commit_index >= removal and n.role is Role.FOLLOWER
    assert not [m for m in out.messages if isinstance(m, AppendEntries)], [str(m) for m in out.messages]


def test_added_server_gets_snapshot_and_configuration_and_survives_restart():
    """§4 with §5: a server added after compaction receives the snapshot (and its
    configuration); a restart rebuilds the configuration from snapshot and log."""
    c = elected(snapshot_threshold=5, snapshot_trailing=1)
    hs = [c.submit("INC x", client="a") for _ in range(20)]
    assert c.run_until(lambda c: all(h.done for h in hs), 5000)
    c.add_server("S4")
    settle(c)
    assert c.nodes["S4"].snapshot is not None and c.nodes["S4"].voters == ("S1", "S2", "S3", "S4")
    hs = [c.submit("INC x", client="a") for _ in range(12)]
    assert c.run_until(lambda c: all(h.done for h in hs), 5000)
    for n in c.names:
        c.crash(n)
    for n in c.names:
        c.restart(n)
        assert c.nodes[n].voters == ("S1", "S2", "S3", "S4")
    h = c.submit("INC x")
    assert c.run_until(lambda c: h.done, 5000) and h.result == 33
    assert c.violation is None


def test_bad_membership_requests_change_nothing():
    c = elected()
    before = (list(c.names), list(c.members), list(c.membership_queue))
    for call, arg, msg in [(c.add_server, "S1", "already a member"), (c.remove_server, "S9", "unknown server"),
                           (c.add_server, "bad name", "bad server name"), (c.add_server, "", "bad server name")]:
        with pytest.raises(ValueError, match=msg):
            call(arg)
    assert (c.names, c.members, c.membership_queue) == before
    solo = elected(1)
    with pytest.raises(ValueError, match="last server"):
        solo.remove_server("S1")
    c.remove_server("S3")
    with pytest.raises(ValueError, match="not a member"):
        c.remove_server("S3")


def test_membership_in_a_scenario():
    text = ("cluster 3 seed=2\nwait leader within 1s\nrun 100ms\nadd S4\nadd S5\n"
            "wait members S1,S2,S3,S4,S5 within 3s\nremove leader\nwait members-count\n")
    text = text.replace("wait members-count\n", "run 1s\nexpect no-violation\n")
    run = Scenario.parse(text).start()
    run.finish()
    assert len(run.cluster.configuration()) == 4
