"""Named mutants of the core, each killed by a targeted scenario (issue 13, "a mutation score").

A mutant removes or bends one rule. Two kinds:

* source mutants — one exact snippet of one method of :class:`raftcore.node.RaftNode`
  replaced (the table :data:`MUTANTS`; the method is recompiled from its mutated source and
  monkeypatched in for the one test, never written to disk). The snippet must occur exactly
  once, so a refactoring that moves a rule makes this file fail loudly instead of testing
  nothing. Five were never caught by a lab campaign (the issue's list), three are the bugs of
  issue 13 put back;
* switch mutants — every unsafe switch of :data:`raftcore.config.UNSAFE_SWITCHES`, turned on
  in every configuration that is validated while the test runs.

Each mutant has a *killer*: a function that drives the real code through the situation the
rule exists for and returns what went wrong (None when nothing did). Every killer must find
nothing on the real code (it is a regression test of the rule) and something on its mutant.

The stale-leader mutants — a ReadIndex without its confirming round, a restart that forgets
stickiness (issue 13's bug 1), a lease that ignores the drift bound — are killed a second
time by a bounded *lab campaign* (:data:`LAB_CAMPAIGNS`): the stale-leader windows of
raftcore/lab/nemesis.py build the moment each needs, so the lab finds them without being told
where to look.
"""

from __future__ import annotations

import inspect
import random
import textwrap
from dataclasses import dataclass

import pytest

import raftcore.node as node_module
from raftcore import UNSAFE_SWITCHES, RaftConfig, RaftNode, Role
from raftcore.check.linearizability import check_history
from raftcore.kv import Command, KVStore
from raftcore.log import Entry, Log
from raftcore.membership import ConfigChange
from raftcore.messages import AppendEntries, AppendEntriesReply, InstallSnapshot, RequestVoteReply
from raftcore.node import PersistentState
from raftcore.scenarios import load_scenario
from raftcore.sim import Cluster

LATE = 10_000.0


@dataclass(frozen=True)
class Mutant:
    method: str       # a RaftNode method
    old: str          # an exact snippet of its source, found exactly once
    new: str
    rule: str         # the rule it removes, with its section


MUTANTS: dict[str, Mutant] = {
    # The five: never caught by a lab campaign.
    "errata_rule_removed": Mutant(
        "membership_change_refusal", "if self.commit_index < self.term_start_index:", "if False:",
        "a leader commits an entry of its term before a configuration change (thesis §4.1, errata)"),
    "learners_in_commit_quorum": Mutant(
        "quorum_value", "for p in self.voters if p != me]", "for p in self.peers if p != me]",
        "only voters count towards the commit quorum; learners do not (thesis §4.2.1)"),
    "stale_snapshot_installed": Mutant(
        "handle_install_snapshot", "if index > self.commit_index:", "if True:",
        "an InstallSnapshot older than the follower's commit index changes nothing (thesis §5.3)"),
    "snapshot_records_latest_config": Mutant(
        "take_snapshot", "self.config_at(index), self.state_machine.digest()",
        "self.voters, self.state_machine.digest()",
        "a snapshot records the configuration as of its last index (thesis §5.1)"),
    "follower_commit_not_capped": Mutant(
        "handle_append_entries", "new_commit = min(m.leader_commit, last_new)", "new_commit = m.leader_commit",
        "commitIndex = min(leaderCommit, index of last new entry) (Figure 2, AppendEntries step 5)"),
    # Issue 13's bugs, put back, and the stale-leader window's canonical mutant.
    "restart_forgets_stickiness": Mutant(
        "start", "if self.config.check_quorum and self.current_term > 0:", "if False:",
        "a restarted server keeps leader stickiness for a minimum election timeout (thesis §4.2.3, §6.4)"),
    "untracked_reply_indexed": Mutant(
        "handle_append_entries_reply", "if m.src not in self.progress:", "if False:",
        "a leader ignores replies from servers it keeps no progress for (§5.3; etcd's stepLeader)"),
    "read_index_without_round": Mutant(
        "handle_read", "needed = self.round + 1\n        self.broadcast_append_entries()", "needed = 0",
        "a ReadIndex read waits for a heartbeat round a majority acknowledges (thesis §6.4)"),
}


def apply_mutant(monkeypatch, m: Mutant) -> None:
    """Recompile one RaftNode method from its mutated source and patch it in (class and
    dispatch table) for the duration of the test."""
    original = getattr(RaftNode, m.method)
    src = textwrap.dedent(inspect.getsource(original))
    # Under mutmut (`make mutants`) each method carries a trampoline decorator that would send
    # every call back to mutmut's copy of the original: recompile the bare method.
    src = "".join(line for line in src.splitlines(keepends=True) if not line.startswith("@_mutmut"))
    assert src.count(m.old) == 1, f"{m.method}: the mutated snippet must occur exactly once: {m.old!r}"
    scope = dict(vars(node_module))
    exec(compile(src.replace(m.old, m.new), f"<mutant of RaftNode.{m.method}>", "exec"), scope)
    mutated = scope[m.method]
    mutated.__qualname__ = original.__qualname__
    monkeypatch.setattr(RaftNode, m.method, mutated)
    for kind, handler in list(RaftNode._handlers.items()):
        if handler is original:
            monkeypatch.setitem(RaftNode._handlers, kind, mutated)


def apply_switch(monkeypatch, switch: str) -> None:
    """Turn ``switch`` on in every configuration validated from now on (every Cluster's)."""
    validate = RaftConfig.validate

    def validate_with_switch(self):
        self.unsafe.set(switch, True)
        validate(self)

    monkeypatch.setattr(RaftConfig, "validate", validate_with_switch)


# ---------------------------------------------------------------------- killers: helpers


def node(name="n1", peers=("n1", "n2", "n3"), term=0, log=(), **cfg) -> RaftNode:
    entries = [e if isinstance(e, Entry) else Entry(e, Command("SET", "k", (str(i),))) for i, e in enumerate(log, 1)]
    cfg.setdefault("pre_vote", False)
    n = RaftNode(name, list(peers), RaftConfig(**cfg), random.Random(1), PersistentState(term, None, Log(entries)))
    n.start(0.0)
    return n


def elect(n: RaftNode) -> RaftNode:
    n.tick(LATE)
    for p in n.peers:
        n.step(RequestVoteReply(p, n.name, n.current_term, True), LATE)
        if n.role is Role.LEADER:
            break
    assert n.role is Role.LEADER
    return n


def ack(n: RaftNode, peer: str, match: int, rnd: int = 0):
    return n.step(AppendEntriesReply(peer, n.name, n.current_term, True, match_index=match, round=rnd), LATE)


def problems(*checks: tuple[bool, str]) -> str | None:
    bad = [what for ok, what in checks if not ok]
    return "; ".join(bad) or None


# ---------------------------------------------------------------------- killers


def kill_errata_rule_removed() -> str | None:
    """Thesis §4.1 (the errata of the single-server change): a new leader must not start a
    configuration change before it has committed an entry of its own term — an uncommitted
    change of an earlier term could otherwise still win against its own."""
    n = elect(node(term=1, log=[1, 1]))
    assert n.commit_index < n.term_start_index
    try:
        n.change_membership("remove", "n3", LATE)
    except ValueError as e:
        return problems(("its term" in str(e), f"refused for another reason: {e}"))
    return "a leader that has not committed its no-op started a configuration change"


def kill_learners_in_commit_quorum() -> str | None:
    """Thesis §4.2.1: a server catching up as a learner does not vote, so its copy does not
    count towards committing: with both voters silent, n1 and its learner are no majority."""
    n = elect(node())
    ack(n, "n2", n.log.last_index)  # the no-op is committed with n2
    n.change_membership("add", "n4", LATE)
    assert "n4" in n.learners
    before = n.commit_index
    n.propose(Command("SET", "x", ("1",)), LATE)
    ack(n, "n4", n.log.last_index)   # only the learner has the new entry
    return problems((n.commit_index == before, f"committed index {n.commit_index} on the leader and a learner"))


def kill_stale_snapshot_installed() -> str | None:
    """Thesis §5.3: a follower that already committed past a snapshot's last index keeps its
    log and state — a late, duplicated InstallSnapshot must not roll them back."""
    f = node("n2", log=[1, 1, 1, 1, 1])
    f.step(AppendEntries("n1", "n2", 1, "n1", 5, 1, (), 5), LATE)
    assert f.commit_index == 5
    state = dict(f.state)
    old = KVStore()
    f.step(InstallSnapshot("n1", "n2", 1, "n1", 3, 1, old, ("n1", "n2", "n3"), old.digest()), LATE)
    return problems((f.commit_index == 5 and f.last_applied == 5, f"commit index rolled back to {f.commit_index}"),
                    (f.state == state, "state machine rolled back"), (f.log.last_index == 5, "log cut"))


def kill_snapshot_records_latest_config() -> str | None:
    """Thesis §5.1: a snapshot records the configuration *as of its last index*. A change
    appended after that index is not yet in force there (it may even be undone): a server
    restarting from the snapshot must not take it as the configuration."""
    change = Entry(1, ConfigChange(("n1", "n2"), "-n3"))
    f = node("n2", log=[1, 1, change])
    f.step(AppendEntries("n1", "n2", 1, "n1", 3, 1, (), 2), LATE)  # commit 2: the change is not applied
    assert f.voters == ("n1", "n2") and f.last_applied == 2
    f.take_snapshot()
    return problems((f.snapshot.config == ("n1", "n2", "n3"), f"snapshot at 2 records {f.snapshot.config}"))


def kill_follower_commit_not_capped() -> str | None:
    """Figure 2, AppendEntries step 5: commitIndex = min(leaderCommit, index of last new
    entry). A heartbeat that checked only up to index 1 proves nothing about the follower's
    stale tail of term 2: committing it would apply entries the leader (term 3) never had."""
    f = node("n2", term=3, log=[1, 2, 2])
    f.step(AppendEntries("n1", "n2", 3, "n1", 1, 1, (), 3), LATE)
    return problems((f.commit_index == 1, f"committed {f.commit_index} entries, its own term-2 tail included"))


def kill_restart_forgets_stickiness() -> str | None:
    """Thesis §4.2.3 and §6.4: issue 13's schedule (tests/core/test_defend_core.py)."""
    from test_defend_core import lease_schedule

    for seed in range(2):
        c, _, _ = lease_schedule(seed)
        res = check_history(c.history)
        if not res.ok:
            return f"seed {seed}: {res.counterexample}"
    return None


def kill_untracked_reply_indexed() -> str | None:
    """§5.3, thesis §4: a leader gets a reply of its own term from a server it does not track."""
    n = elect(node())
    try:
        n.step(AppendEntriesReply("n9", "n1", n.current_term, False, reject_index=0), LATE)
    except KeyError as e:
        return f"KeyError {e}"
    return None


def kill_read_index_without_round() -> str | None:
    """Thesis §6.4: a cut-off leader (CheckQuorum off) must confirm its leadership before
    answering a read (scenario stale_read)."""
    return kill_by_scenario("stale_read", linearizable=True)


def kill_by_scenario(name: str, invariant: bool = True, linearizable: bool = False, strict: bool = False,
                     seeds=range(2), **overrides) -> str | None:
    """Run a library scenario; what went wrong: a violation, a non-linearizable history, or
    (``strict``) an ``expect`` line that failed."""
    for seed in seeds:
        try:
            r = load_scenario(name).start(seed=seed, strict=strict, config_overrides=overrides or None)
            r.finish()
        except Exception as e:  # a failed expect (strict) or a crash
            return f"seed {seed}: {type(e).__name__}: {e}"
        c = r.cluster
        if invariant and c.violation is not None:
            return f"seed {seed}: {c.violation}"
        if linearizable:
            res = check_history(c.history)
            if not res.ok:
                return f"seed {seed}: not linearizable: {res.counterexample}"
    return None


def kill_lease_ignores_drift() -> str | None:
    """Thesis §6.4: a lease assumes a bound on clock drift. A leader whose clock runs slow
    (rate 1 − ε) and followers whose clocks run fast (1 + ε): a follower's stickiness ends
    after ``min/(1+ε)`` real ms, so the leader's lease must end by then — ``min·(1−ε)/(1+ε)``
    on its own clock. Ignoring the drift, the leader keeps answering reads for ``min/(1−ε)``
    real ms, after another leader has been elected and has acknowledged a newer write."""
    from raftcore.sim.clock import ClockedCluster

    eps = 0.3
    for seed in range(3):
        c = ClockedCluster(size=3, seed=seed, config=RaftConfig(read_mode="lease", clock_drift=eps),
                           rates={"S1": 1 - eps, "S2": 1 + eps, "S3": 1 + eps})
        c.run_until(lambda c: c.leader() is not None, 3000)
        if c.leader() != "S1":  # the slow clock must lead: a leadership transfer hands it over (§3.10)
            c.transfer_leadership("S1")
            c.run_until(lambda c: c.leader() == "S1" and c.nodes["S1"].commit_index >= c.nodes["S1"].term_start_index,
                        1000)
        w1 = c.submit("SET x 1", client="w", server="S1")
        c.run_until(lambda c: w1.done, 1000)
        # Just after a follower acknowledged a heartbeat round, the leader is cut off.
        c.run_until(lambda c: c.nodes["S2"].leader_contact == c.nodes["S2"].now, 200)
        c.partition(["S1"])
        stickiness_ends = c.now + c.config.election_timeout_min / (1 + eps) + 10
        c.run_until(lambda c: c.now >= stickiness_ends, 400)
        c.timeout("S2")
        c.run_until(lambda c: c.nodes["S2"].role is Role.LEADER, 100)
        w2 = c.submit("SET x 2", client="w", server="S2")
        c.run_until(lambda c: w2.done, 60)
        c.run_for(1)
        r = c.read("x", client="r", server="S1")
        c.run_until(lambda c: r.done, 30)
        res = check_history(c.history)
        if not res.ok:
            return f"seed {seed}: {res.counterexample}"
    return None


KILLERS = {
    "errata_rule_removed": kill_errata_rule_removed,
    "learners_in_commit_quorum": kill_learners_in_commit_quorum,
    "stale_snapshot_installed": kill_stale_snapshot_installed,
    "snapshot_records_latest_config": kill_snapshot_records_latest_config,
    "follower_commit_not_capped": kill_follower_commit_not_capped,
    "restart_forgets_stickiness": kill_restart_forgets_stickiness,
    "untracked_reply_indexed": kill_untracked_reply_indexed,
    "read_index_without_round": kill_read_index_without_round,
}

#: Each unsafe switch's killer: the scenario of tests/core/test_unsafe_switches.py (and
#: test_ext_reads.py) where removing the rule shows, or the drifting-clock schedule above.
SWITCH_KILLERS = {
    "multiple_votes_per_term": lambda: kill_by_scenario("double_vote"),
    "skip_up_to_date_check": lambda: kill_by_scenario("stale_candidate"),
    "commit_old_term_by_counting": lambda: kill_by_scenario("figure8"),
    "skip_prev_log_check": lambda: kill_by_scenario("figure7"),
    "forget_voted_for_on_restart": lambda: kill_by_scenario("forgotten_vote"),
    "commit_without_majority": lambda: kill_by_scenario("minority_commit"),
    "nondeterministic_state_machine": lambda: kill_by_scenario("scene01"),
    # Not a safety rule (§5.1): the stale leader is harmless, but it stays leader — the
    # scenario's own expectations (the deposed leader steps down) catch it.
    "ignore_higher_term": lambda: kill_by_scenario("stale_leader", strict=True),
    "local_reads": lambda: kill_by_scenario("stale_read", linearizable=True),
    "multi_server_membership_change": lambda: kill_by_scenario("membership_jump"),
    "lease_ignores_drift": kill_lease_ignores_drift,
}


# ---------------------------------------------------------------------- killed by the lab too

#: Mutants (and switches) that a bounded lab campaign kills: its settings and seeds. The
#: campaigns are calmer than the lab's defaults (no lossy periods, no leader churn, windows
#: often), so that most windows reach their read; the comments give the failing seeds among
#: 0–7 when this table was made.
LAB_CAMPAIGNS: dict[str, tuple[dict, range]] = {
    # ReadIndex reads at a deposed leader before CheckQuorum deposes it (seeds 0, 1).
    "read_index_without_round": ({"duration": 3000, "windows": 3, "lease": 0, "flaky": 0, "churn": 0}, range(6)),
    # A lease read at the old leader while its restarted followers already elected another
    # (0, 5): fewer writes (think 500 ms) so that the successor, cut off from the leader a
    # moment before, still has every entry and can win the election.
    "restart_forgets_stickiness": ({"duration": 3000, "windows": 3, "lease": 1, "flaky": 0, "churn": 0,
                                    "think": 500, "crashes": 0.5}, range(6)),
    # A slow-clock leader's lease outliving fast followers' stickiness, at the largest drift
    # bound the lab allows (3, 6; tests/core/test_lab.py's CAUGHT says why not at 0.2).
    "lease_ignores_drift": ({"duration": 3000, "windows": 3, "lease": 1, "flaky": 0, "churn": 0, "drift": 0.45},
                            range(6)),
}


def kill_by_lab(name: str) -> str | None:
    """The first failing run of ``name``'s lab campaign, or None."""
    from raftcore.lab import LabSettings, run_one

    overrides, seeds = LAB_CAMPAIGNS[name]
    settings = LabSettings().with_(**overrides)
    for seed in seeds:
        r = run_one(seed, settings)
        if r.failure is not None:
            return f"lab seed {seed}: {r.failure.label}: {r.failure.report.splitlines()[0]}"
    return None


@pytest.mark.parametrize("name", list(LAB_CAMPAIGNS))
def test_lab_campaign_finds_nothing_on_the_real_code(name: str) -> None:
    assert kill_by_lab(name) is None


@pytest.mark.parametrize("name", list(LAB_CAMPAIGNS))
def test_lab_campaign_kills_the_mutant(name: str, monkeypatch) -> None:
    if name in MUTANTS:
        apply_mutant(monkeypatch, MUTANTS[name])
    else:
        apply_switch(monkeypatch, name)
    assert kill_by_lab(name) is not None, f"the lab campaign {LAB_CAMPAIGNS[name]} missed {name}"


def test_every_mutant_and_switch_has_a_killer() -> None:
    assert set(KILLERS) == set(MUTANTS)
    assert set(SWITCH_KILLERS) == set(UNSAFE_SWITCHES)
    assert set(LAB_CAMPAIGNS) <= set(MUTANTS) | set(UNSAFE_SWITCHES)


@pytest.mark.parametrize("name", list(MUTANTS))
def test_killer_finds_nothing_on_the_real_code(name: str) -> None:
    assert KILLERS[name]() is None


@pytest.mark.parametrize("name", list(MUTANTS))
def test_mutant_is_killed(name: str, monkeypatch) -> None:
    m = MUTANTS[name]
    apply_mutant(monkeypatch, m)
    found = KILLERS[name]()
    assert found is not None, f"mutant {name} ({m.rule}) survived"


@pytest.mark.parametrize("switch", list(UNSAFE_SWITCHES))
def test_switch_killer_finds_nothing_with_the_rule_in_place(switch: str) -> None:
    assert SWITCH_KILLERS[switch]() is None


@pytest.mark.parametrize("switch", list(UNSAFE_SWITCHES))
def test_switch_mutant_is_killed(switch: str, monkeypatch) -> None:
    apply_switch(monkeypatch, switch)
    found = SWITCH_KILLERS[switch]()
    assert found is not None, f"unsafe switch {switch} ({UNSAFE_SWITCHES[switch]}) survived"
