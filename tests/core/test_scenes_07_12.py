"""Scenes 07–12, headless: each scene's scenario shows the scene's claim, and with the scene's
unsafe switch on — set right after the start, as the page does when the reader ticks
"Defend it" — the checker catches the consequence in the same scripted run.

The scenarios are ``raftcore/scenarios/library/scene07.txt`` … ``scene12.txt``; each test
names the paper (or thesis) section whose claim it checks. A run with the switch off is
strict: every ``expect``/``wait`` of the script must hold, for every seed tried.
"""

from __future__ import annotations

import pytest
from paper_helpers import make_node

from raftcore.check.invariants import INVARIANT_KEYS, INVARIANTS, LINEARIZABILITY, Violation
from raftcore.messages import InstallSnapshot
from raftcore.node import Role
from raftcore.scenarios import ScenarioError, ScenarioRun, load_scenario

SEEDS = range(6)

#: scene -> (unsafe switch, the invariant key the checker must report), as in SCENES.md
DEFEND = {
    "scene07": ("skip_up_to_date_check", "leader_completeness"),          # §5.4.1
    "scene08": ("commit_old_term_by_counting", "state_machine_safety"),   # §5.4.2, Figure 8
    "scene09": ("forget_voted_for_on_restart", "election_safety"),        # Figure 2, persistent state
    "scene10": ("local_reads", "linearizability"),                        # thesis §6.4
    "scene11": ("multi_server_membership_change", "election_safety"),     # thesis §4.1
}


def start(name: str, seed: int, switch: str | None = None, **overrides) -> ScenarioRun:
    run = load_scenario(name).start(seed=seed, strict=switch is None, **overrides)
    if switch:
        run.cluster.set_unsafe(switch, True)
    return run


def finished(name: str, seed: int, switch: str | None = None) -> ScenarioRun:
    run = start(name, seed, switch)
    run.finish()
    return run


def advance_to_mark(run: ScenarioRun, k: int) -> None:
    """Run until the script has reached its ``k``-th mark (0-based): the mark's command has
    run, and so have the commands that follow it up to the next ``run``/``wait``."""
    while len(run.marks) <= k:
        assert not run.finished, f"the run ended after {len(run.marks)} marks"
        run.advance(1.0)


# ---------------------------------------------------------------------------- every scene


@pytest.mark.parametrize("name", ["scene07", "scene08", "scene09", "scene10", "scene11", "scene12"])
def test_scene_runs_clean_with_every_rule_in_place(name: str) -> None:
    """With the algorithm intact, every scene's script meets its expectations and no invariant
    (Figure 3) is ever violated, whatever the seed."""
    for seed in SEEDS:
        run = finished(name, seed)
        assert run.cluster.violations == [] and not run.failures, (name, seed)


@pytest.mark.parametrize("name", sorted(DEFEND))
def test_removing_the_scene_rule_is_caught_in_the_same_run(name: str) -> None:
    switch, key = DEFEND[name]
    for seed in SEEDS:
        run = finished(name, seed, switch)
        keys = [v.key for v in run.cluster.violations]
        assert key in keys, f"{name} seed {seed} with {switch}: the checker reported {keys}"
        v = next(v for v in run.cluster.violations if v.key == key)
        assert v.servers and v.detail and v.event


def test_every_scene_is_labelled_with_marks() -> None:
    """The timeline shows the scripts' marks as steps: each scene labels its steps in order."""
    for name in ["scene07", "scene08", "scene09", "scene10", "scene11", "scene12"]:
        scenario = load_scenario(name)
        labels = scenario.mark_labels()
        assert len(labels) >= 4, name
        run = scenario.start(seed=0)
        run.finish()
        assert [label for _, label in run.marks] == labels
        times = [t for t, _ in run.marks]
        assert times == sorted(times)


# ---------------------------------------------------------------------------- 07


def test_scene07_voters_refuse_a_stale_candidate_by_last_term_then_last_index() -> None:
    """§5.4.1: a voter denies its vote if its own log is more up-to-date: the later last term
    wins; with equal last terms, the longer log. S5's log ends at (term 1, index 1); S2, S3
    and S4 end with term 2, S1 with term 1 at index 2 — all four refuse, and the committed
    SET x 1 survives on every server."""
    for seed in SEEDS:
        run = start("scene07", seed)
        advance_to_mark(run, 6)  # S3's campaign: S5's term-3 requests have been answered
        c = run.cluster
        assert c.nodes["S5"].role is Role.CANDIDATE and c.leader() is None
        for voter in ("S1", "S2", "S3", "S4"):
            d = c.vote_decisions[(voter, "S5")]
            assert d.term == 3 and not d.granted and not d.up_to_date and not d.pre_vote
            assert d.candidate_last == (1, 1)
        assert c.vote_decisions[("S1", "S5")].voter_last == (1, 2)
        assert "same last term 1" in c.vote_decisions[("S1", "S5")].reason
        for voter in ("S2", "S3", "S4"):
            d = c.vote_decisions[(voter, "S5")]
            assert d.voter_last == (2, 3) and "last term 2 > its last term 1" in d.reason
        run.finish()
        assert all(c.nodes[n].state == {"x": "1"} for n in c.names)


def test_scene07_without_the_check_a_committed_entry_disappears() -> None:
    """§5.4.1 removed: S5 wins term 3 without the committed SET x 1 (Leader Completeness);
    the run goes on (violations=continue) and S5 overwrites the entry on the servers that
    had committed and applied it (State Machine Safety)."""
    for seed in SEEDS:
        run = finished("scene07", seed, "skip_up_to_date_check")
        c = run.cluster
        first = c.violations[0]
        assert first.key == "leader_completeness" and first.servers[0] == "S5" and first.index == 2
        assert "state_machine_safety" in [v.key for v in c.violations]
        assert not c.halted
        assert c.vote_decisions[("S2", "S5")].granted and "UNSAFE" in c.vote_decisions[("S2", "S5")].reason
        assert all(c.nodes[n].log.entry(2).term == 3 for n in c.names), "index 2 overwritten everywhere"


# ---------------------------------------------------------------------------- 08


def test_scene08_figure8_leader_does_not_commit_an_old_term_entry_by_counting() -> None:
    """Figure 8 (c), §5.4.2: index 2 (term 2) is on S1, S2, S3 and S4 — a majority — but S1,
    leader of term 4, never commits it; at (d) S5 may then overwrite it, as it does, and
    nothing committed is lost."""
    for seed in SEEDS:
        run = start("scene08", seed)
        advance_to_mark(run, 2)  # (c)
        c = run.cluster
        assert c.leader() == "S1" and c.nodes["S1"].current_term == 4
        assert [e.term for e in c.nodes["S1"].log.entries()][:2] == [1, 2]
        holders = [n for n in c.names if c.nodes[n].log.term_at(2) == 2]
        assert len(holders) >= 3, holders
        assert c.nodes["S1"].commit_index < 2
        run.finish()
        assert all([e.term for e in c.nodes[n].log.entries()] == [1, 3, 5, 7] for n in c.names)
        labels = [label[:3] for _, label in run.marks]
        assert labels == ["(a)", "(b)", "(c)", "(d)", "(e)"]


def test_scene08_commit_rule_is_what_keeps_s1_from_committing() -> None:
    """The same moment, (c), with and without the rule (§5.4.2): counting the replicas of the
    old-term entry, S1 commits index 2; with the rule it does not."""
    for switch, committed in ((None, False), ("commit_old_term_by_counting", True)):
        run = start("scene08", 0, switch)
        advance_to_mark(run, 2)
        assert (run.cluster.nodes["S1"].commit_index >= 2) is committed, switch


def test_scene08_counting_old_term_replicas_lets_the_overwrite_break_state_machine_safety() -> None:
    """Figure 8 (d) with the rule removed: the entry S1 committed at (c) is overwritten by
    S5's term-3 entry: two servers commit (and apply) different entries at index 2."""
    for seed in SEEDS:
        run = finished("scene08", seed, "commit_old_term_by_counting")
        c = run.cluster
        keys = [v.key for v in c.violations]
        assert keys[:2] == ["leader_completeness", "state_machine_safety"], keys
        sms = c.checker.violated("state_machine_safety")
        assert sms.index == 2 and "S1" in sms.servers and "S5" in sms.servers
        assert c.nodes["S2"].log.term_at(2) == 3  # the overwrite happened


# ---------------------------------------------------------------------------- 09


@pytest.mark.parametrize("persist_ms", [0.0, 4.0, 20.0])
def test_scene09_a_restarted_server_remembers_its_vote(persist_ms: float) -> None:
    """Figure 2, persistent state: S3 votes for S1, crashes and restarts; its disk still says
    voted_for=S1, so it refuses S2 in term 1 and S1 is the only leader of term 1. Holds for
    every disk write time the scene's slider offers."""
    for seed in SEEDS:
        run = start("scene09", seed)
        run.cluster.network.persist_latency = persist_ms
        advance_to_mark(run, 2)
        c = run.cluster
        d = c.vote_decisions[("S3", "S2")]
        assert not d.granted and "already voted for S1" in d.reason
        assert c.disks["S3"].voted_for == "S1" and c.nodes["S3"].voted_for == "S1"
        assert c.checker.leader_of_term[1] == "S1"
        run.finish()
        assert not run.failures and c.violations == []


@pytest.mark.parametrize("persist_ms", [0.0, 4.0, 20.0])
def test_scene09_forgetting_voted_for_elects_two_leaders(persist_ms: float) -> None:
    """Figure 2 without a durable votedFor: S3 votes again, for S2, and both S1 and S2 are
    elected leader of term 1 (Election Safety, §5.2)."""
    for seed in SEEDS:
        run = start("scene09", seed, "forget_voted_for_on_restart")
        run.cluster.network.persist_latency = persist_ms
        run.finish()
        v = run.cluster.violation
        assert v is not None and v.key == "election_safety" and v.term == 1
        assert set(v.servers) == {"S1", "S2"}
        assert run.cluster.vote_decisions[("S3", "S2")].granted


def test_scene09_crash_and_restart_keep_the_disk_and_lose_memory() -> None:
    """Figure 2: a crash loses the volatile state only; the restarted follower starts from
    its disk (term, vote, log) with commit index and state machine rebuilt from zero."""
    run = start("scene09", 0)
    advance_to_mark(run, 4)  # S4 restarts
    c = run.cluster
    s4 = c.nodes["S4"]
    assert s4.role is Role.FOLLOWER and s4.current_term == c.disks["S4"].current_term == 1
    assert s4.log.entries() == c.disks["S4"].log.entries()
    assert s4.commit_index <= s4.log.last_index
    run.finish()
    assert c.nodes["S4"].state == c.nodes["S1"].state == {"x": "4"}


# ---------------------------------------------------------------------------- 10


def test_scene10_minority_leader_accepts_writes_that_never_commit() -> None:
    """§8 / thesis §6: cut off from the majority (no CheckQuorum), S1 still leads and appends
    bob's SET x 2 — its commit index never moves past alice's write — while the majority's
    leader commits carol's SET x 3. After the partition heals S1's extra entries are
    overwritten; bob's retried command is applied exactly once."""
    for seed in SEEDS:
        run = start("scene10", seed)
        advance_to_mark(run, 4)  # the partition heals now
        c = run.cluster
        s1 = c.nodes["S1"]
        assert s1.role is Role.LEADER and s1.current_term == 1
        assert s1.commit_index == 2 and s1.log.last_index > 2
        assert all(e.command.op == "SET" and e.command.args == ("2",) for e in s1.log.slice(3, s1.log.last_index + 1))
        majority = c.leader()
        assert majority in ("S3", "S4", "S5") and c.nodes[majority].state == {"x": "3"}
        run.finish()
        assert not run.failures


def test_scene10_retries_are_applied_once() -> None:
    """Thesis §6.3: carol's INC x reaches the log twice (the leader that accepted it crashed
    before answering; carol retried the same numbered command), yet x goes up by one."""
    for seed in SEEDS:
        run = finished("scene10", seed)
        c = run.cluster
        lead = c.leader()
        copies = [e for e in c.nodes[lead].log.entries()
                  if e.command is not None and getattr(e.command, "client", None) == "carol" and e.command.op == "INC"]
        assert len(copies) >= 2 and len({(e.command.client, e.command.seq) for e in copies}) == 1
        assert all(c.nodes[n].state == {"x": "3"} for n in c.names)


def test_scene10_prevote_keeps_a_rejoining_server_from_disrupting_the_leader() -> None:
    """Thesis §9.6: S2, cut off for a second, never raises its term (its PreVotes go
    unanswered), so when it rejoins the leader keeps leading in the same term."""
    for seed in SEEDS:
        run = start("scene10", seed)
        advance_to_mark(run, 5)  # S2 has just been cut off
        c = run.cluster
        lead = c.leader()
        term = c.nodes[lead].current_term
        assert lead != "S2" and c.nodes["S2"].current_term == term
        advance_to_mark(run, 6)  # a second later, and 300 ms after the heal
        assert c.leader() == lead and c.nodes[lead].current_term == term
        assert c.nodes["S2"].current_term == term and c.nodes["S2"].leader_id == lead


def test_scene10_history_is_linearizable_with_read_index_and_not_with_local_reads() -> None:
    """Thesis §6.4: the same seed, the same script. With ReadIndex dave's read at the cut-off
    leader waits and is answered after the heal: linearizable. With local reads the stale
    leader answers 1 after carol's SET x 3 completed: not linearizable, and the checker
    watching the history stops the run there."""
    for seed in SEEDS:
        safe = finished("scene10", seed).cluster
        result = safe.check_linearizability()
        assert result.verdict == "linearizable", str(result)
        dave = [op for op in safe.history if op.client == "dave"]
        assert dave and dave[0].complete is not None and dave[0].result == "3"

        unsafe = finished("scene10", seed, "local_reads").cluster
        v = unsafe.violation
        assert v is not None and v.key == "linearizability" and v.invariant == LINEARIZABILITY
        assert v.servers == ("S1",)
        result = unsafe.check_linearizability()
        assert result.verdict == "violation" and "dave: GET x -> 1" in result.counterexample


def test_history_exposes_each_operation_with_unknown_outcomes() -> None:
    """The history panel's input: invoke time, response time (None while unknown), op,
    result, client — in submission order."""
    run = start("scene10", 0)
    advance_to_mark(run, 3)  # dave has just asked the cut-off leader
    ops = run.cluster.history
    assert [op.client for op in ops] == ["alice", "bob", "carol", "dave"]
    alice, bob, carol, dave = ops
    assert alice.complete is not None and alice.result == "OK" and alice.op == "SET" and alice.args == ("1",)
    assert bob.complete is None and dave.complete is None and dave.op == "GET"
    assert carol.invoke < carol.complete < dave.invoke


def test_check_linearizability_is_cached_until_the_history_changes() -> None:
    run = start("scene10", 0)
    advance_to_mark(run, 1)
    c = run.cluster
    first = c.check_linearizability()
    assert c.check_linearizability() is first
    run.advance(500.0)  # carol's write completes
    second = c.check_linearizability()
    assert second is not first and second.ok


# ---------------------------------------------------------------------------- 11


def test_scene11_new_servers_catch_up_as_learners_before_they_vote() -> None:
    """Thesis §4.2.1: a new server first receives the log as a non-voting learner; the
    configuration that makes it a voter is appended only after it caught up. One change at a
    time (§4.1): one leader per term throughout."""
    for seed in SEEDS:
        run = finished("scene11", seed)
        c = run.cluster
        trace = c.trace()
        for new in ("S4", "S5"):
            learner = next(i for i, line in enumerate(trace) if f"catches up {new} as a learner" in line)
            joined = next(i for i, line in enumerate(trace) if "appends configuration" in line and f"(+{new})" in line)
            assert learner < joined, new
        assert c.checker.leader_of_term[2] == "S1"
        lead = c.leader()
        assert sorted(c.nodes[lead].voters) == ["S1", "S3", "S4", "S5"]


def test_scene11_two_servers_at_once_elect_two_leaders_in_one_term() -> None:
    """Thesis §4.1: jumping from {S1,S2,S3} to {S1..S5} lets {S1,S2} and {S3,S4,S5} — disjoint
    majorities of the old and the new configuration — each elect a leader of term 2."""
    for seed in SEEDS:
        run = finished("scene11", seed, "multi_server_membership_change")
        v = run.cluster.violation
        assert v.key == "election_safety" and v.term == 2 and set(v.servers) == {"S1", "S4"}


# ---------------------------------------------------------------------------- 12


def test_scene12_a_lagging_follower_gets_the_snapshot_and_ends_identical() -> None:
    """Thesis §5: the entries S5 missed are compacted away on the leader, so it receives
    InstallSnapshot, then the entries after it, and ends with the same state machine — data
    and client sessions (the digest covers both) — as every other server."""
    for seed in SEEDS:
        run = start("scene12", seed)
        installs: list[int] = []
        run.cluster.add_observer(lambda f: installs.append(f.msg.last_included_index)
                                 if type(f.msg) is InstallSnapshot and f.dst == "S5" else None)
        run.finish()
        c = run.cluster
        assert installs and min(installs) >= 10
        s5 = c.nodes["S5"]
        assert s5.snapshot is not None and s5.log.first_index > 1
        digests = {n: c.nodes[n].state_machine.digest() for n in c.names}
        assert len(set(digests.values())) == 1, digests
        assert all(c.nodes[n].log.first_index > 1 for n in c.names)  # every log was compacted


def test_scene12_snapshot_threshold_is_a_config_override() -> None:
    """The scene's threshold control restarts the scenario with another snapshot_threshold;
    with none, nothing is compacted and S5 catches up from the log alone."""
    run = load_scenario("scene12").start(seed=0, strict=False, config_overrides={"snapshot_threshold": 0})
    run.finish()
    c = run.cluster
    assert all(c.nodes[n].snapshot is None for n in c.names)
    assert c.nodes["S5"].state == c.nodes["S1"].state and c.violations == []


# ---------------------------------------------------------------------------- public APIs


def test_violation_keys_are_stable_snake_case() -> None:
    """Pages and tests name invariants by key; ``invariant`` stays the paper's label."""
    assert list(INVARIANT_KEYS)[:len(INVARIANTS)] == list(INVARIANTS)
    assert INVARIANT_KEYS == {
        "Election Safety": "election_safety", "Leader Append-Only": "leader_append_only",
        "Log Matching": "log_matching", "Leader Completeness": "leader_completeness",
        "State Machine Safety": "state_machine_safety", "Term monotonicity": "term_monotonicity",
        "Linearizability": "linearizability"}
    v = Violation("Leader Completeness", ("S5", "S1"), "detail", 1.0, 2, 3, "event")
    assert v.key == "leader_completeness" and v.to_dict()["key"] == "leader_completeness"


def test_violation_condition_accepts_keys_and_labels() -> None:
    text = ("cluster 3 seed=1 prevote=off checkquorum=off\nelect S1\nelect S2\nrun 100ms\n"
            "expect violation election_safety\nexpect violation \"Election Safety\"\n")
    from raftcore.scenarios import Scenario

    run = Scenario.parse(text).start(strict=True)
    run.cluster.set_unsafe("multiple_votes_per_term", True)
    run.finish()
    with pytest.raises(ScenarioError, match="unknown invariant 'safety'"):
        Scenario.parse("cluster 3\nexpect violation safety\n")


def test_config_overrides_apply_to_the_scenarios_own_config() -> None:
    scenario = load_scenario("scene10")
    run = scenario.start(seed=0, strict=False, config_overrides={"election_timeout_min": 200.0,
                                                                 "election_timeout_max": 400.0})
    cfg = run.cluster.config
    assert (cfg.election_timeout_min, cfg.election_timeout_max) == (200.0, 400.0)
    assert cfg.check_quorum is False  # the rest is the scenario's own cluster line
    assert scenario.config().election_timeout_min == 150.0  # the scenario itself is unchanged
    with pytest.raises(ScenarioError, match="unknown RaftConfig field.*election_timeout"):
        scenario.start(config_overrides={"election_timeout": 1})
    with pytest.raises(ScenarioError, match="heartbeat_interval"):
        scenario.start(config_overrides={"heartbeat_interval": 500.0})


def test_observers_see_each_delivery_before_the_receiver_handles_it() -> None:
    """``add_observer``: called with the Flight before the server steps on it, so the
    receiver's state is still what the message found."""
    run = start("scene07", 0)
    c = run.cluster
    seen = []

    def watch(f) -> None:
        if type(f.msg).__name__ == "RequestVote" and not f.msg.pre_vote:
            seen.append((f.dst, f.msg.term, c.nodes[f.dst].current_term))
    c.add_observer(watch)
    run.finish()
    assert seen and any(before < term for _, term, before in seen)


def test_vote_decision_rule_lives_in_the_up_to_date_check() -> None:
    """§5.4.1, one comparison: last terms first, then last indexes."""
    n = make_node("n1", log=[1, 2, 2])
    assert n.candidate_log_is_up_to_date(3, 1)[0]        # later last term wins, however short
    assert not n.candidate_log_is_up_to_date(1, 9)[0]    # earlier last term loses, however long
    assert n.candidate_log_is_up_to_date(2, 3)[0]        # same term, as long
    assert not n.candidate_log_is_up_to_date(2, 2)[0]    # same term, shorter
    ok, why = n.candidate_log_is_up_to_date(2, 2)
    assert "same last term 2" in why and "3 > its last index 2" in why


# ---------------------------------------------------------------------------- time travel


def test_run_snapshot_restore_replays_the_same_future() -> None:
    """Time travel: restore a snapshot of the whole run (cluster and script position) and the
    run goes on exactly as before — the same trace, the same marks, the same transcript —
    however often it is restored."""
    for name in ("scene08", "scene10"):
        run = load_scenario(name).start(seed=3, strict=False)
        advance_to_mark(run, 2)
        snap = run.snapshot()
        run.finish()
        want = (run.cluster.trace_hash(), list(run.marks), run.transcript())
        for _ in range(2):
            run.restore(snap)
            assert len(run.marks) == 3 and not run.finished
            run.finish()
            assert (run.cluster.trace_hash(), list(run.marks), run.transcript()) == want


def test_restore_keeps_the_checker_and_observers_on_this_cluster() -> None:
    """After a restore the invariant checker still reports into this cluster (not a copy),
    and the page's observers stay attached; a violation found after a restore is this run's."""
    run = start("scene09", 0, "forget_voted_for_on_restart")
    c = run.cluster
    calls = []
    c.add_observer(calls.append)
    snap = run.snapshot()
    run.finish()
    assert c.violation is not None
    run.restore(snap)
    assert c.violation is None and c.checker.cluster is c and c.observers == [calls.append]
    calls.clear()
    run.finish()
    assert calls and c.violation is not None and any(e.endswith(str(c.violation)) for e in c.events)


def test_continue_mode_records_the_first_violation_of_each_invariant_once() -> None:
    run = finished("scene08", 0, "commit_old_term_by_counting")
    keys = [v.key for v in run.cluster.violations]
    assert len(keys) == len(set(keys)) >= 2
    assert run.cluster.violation is run.cluster.violations[0]
    assert sum("VIOLATION" in line for line in run.cluster.trace()) == len(keys)


def test_a_snapshot_is_independent_of_the_run_it_was_taken_from() -> None:
    """What a snapshot holds does not change when the run goes on (immutable values are
    shared, everything else copied): restoring it gives back the servers, disks, clients and
    checker exactly as they were."""
    run = start("scene12", 0)
    advance_to_mark(run, 1)
    c = run.cluster

    def state():
        return ({n: ([str(e) for e in c.nodes[n].log.entries()], c.nodes[n].commit_index,
                     dict(c.nodes[n].state), c.nodes[n].state_machine.digest(), c.alive(n),
                     [str(e) for e in c.disks[n].log.entries()], c.disks[n].current_term) for n in c.names},
                [str(h) for h in c.handles], dict(c.checker.committed), len(c.trace()), c.now)

    before = state()
    snap = run.snapshot()
    run.finish()
    assert state() != before
    run.restore(snap)
    assert state() == before


def test_step_counts_the_scripts_own_commands_as_events() -> None:
    """``ScenarioRun.next_event_time``: at time 0 the script's first commands are due now,
    although the cluster's first event (an election timer) is a second away; after them, the
    next event is the first message they sent."""
    run = start("scene09", 0)
    c = run.cluster
    assert c.next_event_time() > 1000 and run.next_event_time() == 0.0
    run.advance(0.0)
    assert 0.0 < run.next_event_time() < 20.0 and c.now == 0.0
    assert len(c.in_flight()) > 0


def test_mark_submit_server_and_restart_all_are_checked_at_parse_and_run_time() -> None:
    from raftcore.scenarios import Scenario

    with pytest.raises(ScenarioError, match=r"<scenario>:2: mark needs a label"):
        Scenario.parse('cluster 3\nmark ""\n')
    with pytest.raises(ScenarioError, match=r":2: server= needs a server name"):
        Scenario.parse("cluster 3\nsubmit SET x 1 server=\n")
    run = Scenario.parse("cluster 3 seed=1\nwait leader within 2s\nsubmit SET x 1 server=S9\n").start(strict=False)
    run.finish()
    assert "unknown server 'S9'" in str(run.failures[0]) and run.failures[0].line == 3
    text = ("cluster 3 seed=1\nwait leader within 2s\ncrash S2\ncrash S3\nrestart all\n"
            "submit SET x 1 client=a server=leader\nwait done within 2s\nrun 200ms\nexpect state x=1 on all\n")
    run = Scenario.parse(text).start(strict=True)
    run.finish()
    assert all(run.cluster.alive(n) for n in run.cluster.names)
