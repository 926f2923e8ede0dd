"""Issue 13, "Defend the core": regression tests for the two bugs a red-team pass found and
for the checker's blind spot. Each test was written first and failed before its fix.

1. Lease reads across a restart (thesis §4.2.3 leader stickiness, §6.4 leases).
2. A leader's KeyError on a late reply from a server it no longer tracks (§5.3; etcd's
   ``stepLeader`` ignores replies from servers without progress state).
3. Entries committed, applied and compacted in one step must still reach the checker (§5.4,
   thesis §5).
"""

from __future__ import annotations

import random

import pytest

from raftcore import RaftConfig, RaftNode, Role
from raftcore.check.invariants import LEADER_COMPLETENESS
from raftcore.check.linearizability import check_history
from raftcore.messages import (AppendEntries, AppendEntriesReply, InstallSnapshotReply, RequestVote,
                               RequestVoteReply)
from raftcore.node import PersistentState
from raftcore.sim import Cluster

LATE = 10_000.0


# ---------------------------------------------------------------------- bug 1: lease across restart


def lease_schedule(seed: int) -> tuple[Cluster, object, object]:
    """The schedule of issue 13, bug 1, on three servers with ``read_mode="lease"``: B (S2)
    stops hearing the leader L (S1); A (S3) keeps acknowledging L, then crashes and restarts;
    L is cut off; B times out and asks A for its PreVote and vote; a client writes ``x=2``
    through B (if B is elected); a read sent to L, inside the lease A's last acknowledgement
    gave it, follows."""
    c = Cluster(size=3, seed=seed, config=RaftConfig(read_mode="lease"))
    assert c.run_until(lambda c: c.leader() is not None, 2000)
    lead = c.leader()
    b, a = [n for n in c.names if n != lead]
    w1 = c.submit("SET x 1", client="w", server=lead)
    assert c.run_until(lambda c: w1.done, 1000)
    c.cut(lead, b)
    c.cut(b, lead)
    c.run_for(400)                      # B times out meanwhile; A's stickiness refuses it (§4.2.3)
    # Just after A acknowledged a heartbeat round of L's:
    node_a = c.nodes[a]
    assert c.run_until(lambda c: c.nodes[a].leader_contact == c.now, 200)
    assert node_a.leader_id == lead
    c.crash(a)
    c.restart(a)
    c.partition([lead])                 # L is cut off from everyone
    c.timeout(b)                        # B times out at once
    c.run_until(lambda c: c.nodes[b].role is Role.LEADER, 60)
    w2 = c.submit("SET x 2", client="w", server=b)
    c.run_until(lambda c: w2.done, 50)
    c.run_for(1)
    r = c.read("x", client="r", server=lead)
    c.run_until(lambda c: r.done, 60)
    return c, w2, r


@pytest.mark.parametrize("seed", range(4))
def test_restarted_server_keeps_leader_stickiness_so_lease_reads_stay_linearizable(seed: int) -> None:
    """Thesis §6.4 (leases) rests on §4.2.3 (leader stickiness): a server that heard from
    the leader within the minimum election timeout grants no vote. A server that restarts
    does not know when it last heard from a leader, so it must keep the promise anyway — here
    by granting no vote or PreVote for an election timeout after it boots. Without that, B
    is elected with A's vote at once and L, still inside its lease, answers the read ``x=1``
    after ``x=2`` was acknowledged: not linearizable."""
    c, w2, r = lease_schedule(seed)
    assert c.violation is None
    assert check_history(c.history).ok, str(check_history(c.history))
    if r.done and w2.done:
        assert r.result == "2" or r.invoked_at < w2.completed_at


def restarted(now: float, **cfg) -> RaftNode:
    """A voter restarted at ``now`` from a disk that says it lived in term 3."""
    node = RaftNode("n3", ["n1", "n2", "n3"], RaftConfig(**cfg), random.Random(1), PersistentState(current_term=3))
    node.start(now)
    return node


def test_restarted_server_ignores_prevote_and_vote_for_a_minimum_election_timeout() -> None:
    """Thesis §4.2.3 across a restart: within ``election_timeout_min`` of booting, a server
    that may have acknowledged a leader before it crashed treats RequestVote and PreVote of
    higher terms as leader stickiness does — ignores them, keeping its term."""
    node = restarted(1000.0)
    for pre_vote in (True, False):
        out = node.step(RequestVote("n2", "n3", 4, "n2", 0, 0, pre_vote=pre_vote), 1000.0 + 149.0)
        assert not [m for m in out.messages if type(m) is RequestVoteReply and m.vote_granted]
        assert node.current_term == 3 and node.voted_for is None
        assert out.vote is not None and not out.vote.granted
    out = node.step(RequestVote("n2", "n3", 4, "n2", 0, 0), 1000.0 + 151.0)
    assert [m for m in out.messages if type(m) is RequestVoteReply and m.vote_granted]


def test_restarted_server_still_votes_for_a_leadership_transfer() -> None:
    """Thesis §3.10: a transfer's RequestVote (TimeoutNow-driven) disregards stickiness, so
    the restart fence does not hold it back either."""
    node = restarted(1000.0)
    out = node.step(RequestVote("n2", "n3", 4, "n2", 0, 0, transfer=True), 1001.0)
    assert [m for m in out.messages if type(m) is RequestVoteReply and m.vote_granted]


def test_first_boot_has_no_promise_to_keep() -> None:
    """A server that never left term 0 never acknowledged a leader: it votes at once (the
    first election of a cluster is not delayed)."""
    node = RaftNode("n3", ["n1", "n2", "n3"], RaftConfig(), random.Random(1))
    node.start(0.0)
    out = node.step(RequestVote("n2", "n3", 1, "n2", 0, 0), 1.0)
    assert [m for m in out.messages if type(m) is RequestVoteReply and m.vote_granted]


def test_without_check_quorum_there_is_no_stickiness_to_keep() -> None:
    """Stickiness (and so the restart fence) comes with CheckQuorum (thesis §6.2, §4.2.3)."""
    node = restarted(1000.0, check_quorum=False, pre_vote=False)
    out = node.step(RequestVote("n2", "n3", 4, "n2", 0, 0), 1001.0)
    assert [m for m in out.messages if type(m) is RequestVoteReply and m.vote_granted]


# ---------------------------------------------------------------------- bug 2: late replies


def leader(peers=("n1", "n2", "n3"), **cfg) -> RaftNode:
    n = RaftNode("n1", list(peers), RaftConfig(pre_vote=False, **cfg), random.Random(1))
    n.start(0.0)
    n.tick(LATE)
    n.step(RequestVoteReply("n2", "n1", n.current_term, True), LATE)
    assert n.role is Role.LEADER
    return n


@pytest.mark.parametrize("reply", [
    lambda term: AppendEntriesReply("n9", "n1", term, False, reject_index=0),
    lambda term: AppendEntriesReply("n9", "n1", term, True, match_index=1, round=1),
    lambda term: InstallSnapshotReply("n9", "n1", term, 5),
], ids=["append-rejected", "append-ok", "install-snapshot"])
def test_leader_ignores_replies_from_servers_it_does_not_track(reply) -> None:
    """§5.3 (AppendEntries) and thesis §5.3 (InstallSnapshot): a reply carries the replier's
    current term, so a rejection of an old-term request from a server removed since (thesis
    §4) passes the leader's ``m.term == current_term`` filter. The leader has no progress
    state for it and must ignore it (as etcd's ``stepLeader`` does), not crash."""
    n = leader()
    before = (dict(n.next_index), dict(n.match_index), n.commit_index)
    out = n.step(reply(n.current_term), LATE + 1)
    assert n.role is Role.LEADER
    assert (dict(n.next_index), dict(n.match_index), n.commit_index) == before
    assert not [m for m in out.messages if type(m) is AppendEntries and m.dst == "n9"]


@pytest.mark.parametrize("seed", [50319, 52314])
def test_lab_seeds_of_the_late_reply_crash_now_pass(seed: int) -> None:
    """The lab seeds that found bug 2 (``--swarm --no-pre-vote``) run to the end and hold."""
    from raftcore.lab import LabSettings, run_one

    r = run_one(seed, LabSettings(swarm=True, pre_vote=False, runs=1, seed=seed))
    assert r.failure is None, r.failure and r.failure.report


# ---------------------------------------------------------------------- the checker's blind spot


@pytest.mark.parametrize("threshold", [0, 1, 2, 3, 16])
def test_leader_completeness_violation_is_reported_at_every_snapshot_threshold(threshold: int) -> None:
    """§5.4 Leader Completeness, with log compaction (thesis §5): entries committed, applied
    and compacted into a snapshot in the same step must still enter the checker's record of
    committed entries, or a leader elected without them goes unreported. Forced with
    ``skip_up_to_date_check`` (the election restriction of §5.4.1 removed)."""
    from raftcore.scenarios import load_scenario

    r = load_scenario("stale_candidate").start(seed=0, strict=False,
                                               config_overrides={"snapshot_threshold": threshold})
    r.cluster.set_unsafe("skip_up_to_date_check", True)
    r.finish()
    v = r.cluster.violation
    assert v is not None and v.invariant == LEADER_COMPLETENESS, str(v)


def test_state_machine_safety_compares_the_session_table() -> None:
    """§5.4.3 State Machine Safety, with client sessions (thesis §6.3): the session table is
    replicated state — a retry is answered from the result it records — so two replicas that
    applied the same entry but recorded different results for the client have diverged, even
    though their data agree. The checker must say so, not leave it to linearizability."""
    from raftcore.kv import KVStore

    class Forgetful(KVStore):
        __slots__ = ()

        def apply(self, command, local_clock=0.0):
            result = KVStore.apply(self, command, local_clock)
            if command.client is not None:
                self.sessions[command.client] = (command.seq, "OK?")  # a different recorded result
            return result

        def copy(self):
            other = Forgetful(self.nondeterministic)
            other.data, other.sessions = dict(self.data), dict(self.sessions)
            return other

    c = Cluster(size=3, seed=1)
    assert c.run_until(lambda c: c.leader() is not None, 2000)
    follower = next(n for n in c.names if n != c.leader())
    c.nodes[follower].state_machine = Forgetful()
    h = c.submit("SET x 1", client="w")
    c.run_until(lambda c: h.done and c.violation is not None, 1000)
    v = c.violation
    assert v is not None and v.key == "state_machine_safety", str(v)
    assert {n.state_machine.data.get("x") for n in c.nodes.values()} == {"1"}  # the data agree


def test_force_timeout_fires_the_election_timer_on_the_servers_own_clock() -> None:
    """§5.2 (a scripted election): ``force_timeout`` is the timer firing now — also for a
    server whose clock runs slow (raftcore/sim/clock.py), where setting the deadline to the
    driver's time would leave it in the server's future."""
    from raftcore.sim.clock import Clock, ClockedNode

    n = ClockedNode("n1", ["n1", "n2", "n3"], RaftConfig(pre_vote=False), random.Random(1))
    n.clock = Clock(0.5)
    n.start(0.0)
    n.force_timeout(100.0)
    assert n.role is Role.CANDIDATE and n.current_term == 1
