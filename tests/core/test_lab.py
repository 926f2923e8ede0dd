"""The lab's seeded random fault schedules (raftcore.lab): safe with every rule in place, able
to catch each rule removed, and the same run for the same seed everywhere.

The long ranges run under ``--hypothesis-profile=long`` (README: "thousands of random fault
schedules"); the default run keeps to a few dozen runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from raftcore import UNSAFE_SWITCHES
from raftcore.check.invariants import INVARIANT_KEYS
from raftcore.check.linearizability import Operation, check_history
from raftcore.lab import (FAULT_KINDS, LabRun, LabSettings, LabSettingsError, LabSummary,
                          first_non_linearizable, main, run_many, run_one, summarize)

DEFAULTS = LabSettings()
LONG = settings().max_examples >= 1000  # --hypothesis-profile=long

#: Where the lab's random schedules (its defaults, only the switch turned on, and the
#: settings of the third element if any) catch each unsafe switch: the seeds searched, and
#: what the checker may report; the comment gives the failing seeds among the first ones when
#: this table was made (benchmarks/lab.py --switches). Every switch must be here: a new switch
#: without lab coverage fails test_every_switch_has_a_range.
CAUGHT: dict[str, tuple] = {
    # §5.2: two votes in one term elect two leaders of that term (23/50, first seed 1).
    "multiple_votes_per_term": (range(0, 50), {"election_safety"}),
    # §5.4.1: a server missing committed entries wins an election (50/50).
    "skip_up_to_date_check": (range(0, 50), {"leader_completeness", "state_machine_safety", "log_matching",
                                             "linearizability"}),
    # §5.4.2, Figure 8: an old-term entry counted as committed, then overwritten (7/50, first 5).
    "commit_old_term_by_counting": (range(0, 50), {"leader_completeness", "state_machine_safety"}),
    # §5.3: entries accepted after a mismatching previous entry (48/50).
    "skip_prev_log_check": (range(0, 50), {"log_matching", "state_machine_safety", "leader_completeness"}),
    # Figure 2, persistent state: a restarted server votes again in a term it voted in (8/50, first 13).
    "forget_voted_for_on_restart": (range(0, 50), {"election_safety", "leader_completeness"}),
    # §5.3: committed on a minority, lost to a leader elected by the rest (42/50).
    "commit_without_majority": (range(0, 50), {"leader_completeness", "state_machine_safety", "linearizability"}),
    # §2 of the paper: replicas that read their own clock diverge (50/50).
    "nondeterministic_state_machine": (range(0, 50), {"state_machine_safety"}),
    # Thesis §6.4: a deposed or brand-new leader answers reads from a stale state machine (33/50, first 1).
    "local_reads": (range(0, 50), {"linearizability"}),
    # Thesis §4.1: two configuration changes at once, disjoint majorities (6/50, first 10).
    "multi_server_membership_change": (range(0, 50), {"election_safety", "leader_completeness",
                                                      "state_machine_safety", "log_matching"}),
    # §5.1: NOT a safety bug, so nothing may be caught (0/50). A leader or candidate that ignores
    # a message of a newer term acts as if that message were lost, and Raft is safe under any
    # message loss; CheckQuorum deposes such a leader anyway (tests/core/test_unsafe_switches.py,
    # test_ignoring_higher_terms_is_harmless_for_safety, shows the stale leader harmless).
    "ignore_higher_term": (range(0, 12), set()),
    # Thesis §6.4: a lease that ignores the drift bound outlives the followers' stickiness.
    # The stale-leader windows (Nemesis._window: the leader cut off just after a confirmed
    # round, clocks skewed to the bound, a write through its successor, a read at the old
    # leader) catch it — at the largest drift bound the lab allows (2/12, first seed 4). At
    # the default bound 0.2 the lease outlives stickiness by min·(1/(1−ε) − 1/(1+ε)) ≈ 62 ms
    # of real time, about what an election with PreVote (two round trips) and a write through
    # the new leader (two more: one entry per AppendEntries) take at 5–10 ms a message, so
    # windows there catch it only when every message is fast (0 of 20 runs; with --batch 2,
    # 4 of 20 in a calm campaign).
    "lease_ignores_drift": (range(0, 50), {"linearizability"}, {"drift": 0.45}),
}


def switch_settings(switch: str) -> LabSettings:
    """The campaign that must catch ``switch``: the defaults with the switch on, and the
    settings CAUGHT names for it."""
    return DEFAULTS.with_(unsafe=[switch], **(CAUGHT[switch][2] if len(CAUGHT[switch]) > 2 else {}))


def first_failure(switch: str, seeds: range):
    for seed in seeds:
        r = run_one(seed, switch_settings(switch))
        if r.failure is not None:
            return r
    return None


# ---------------------------------------------------------------- with every rule in place


def test_fixed_seed_range_holds_with_every_rule_in_place() -> None:
    """Figure 3's properties, linearizability and progress after healing, over a fixed range
    of seeds and cluster sizes (the full range: --hypothesis-profile=long)."""
    seeds = range(2000) if LONG else range(16)
    summary = LabSummary()
    for seed in seeds:
        size = (3, 5, 7)[seed % 3]
        r = run_one(seed, DEFAULTS.with_(size=size))
        summary.add(r, DEFAULTS.duration)
        assert r.ok, f"seed {seed} size {size}: {r.failure.label}: {r.failure.report}"
        assert r.progress is True and r.linearizable is True and r.committed > 0
    d = summary.to_dict()
    assert d["failed"] == 0 and all(p["held"] == p["runs"] for p in d["properties"])
    # The nemesis is no stub: over the range it used every kind of fault it has.
    used = {k.split(":")[0] for k in d["faults"]} | {k.split(":")[1] for k in d["faults"] if ":" in k}
    assert set(FAULT_KINDS) <= used, d["faults"]


@given(seed=st.integers(0, 2**31 - 1), size=st.integers(3, 9), membership=st.booleans(), snapshots=st.booleans())
def test_random_seeds_hold_with_every_rule_in_place(seed, size, membership, snapshots) -> None:
    s = DEFAULTS.with_(size=size, membership=membership, snapshots=snapshots, duration=1500)
    r = run_one(seed, s)
    assert r.ok, f"seed {seed} {s.to_dict()}: {r.failure.label}: {r.failure.report}"


# ---------------------------------------------------------------- each rule removed


def test_every_switch_has_a_range() -> None:
    assert set(CAUGHT) == set(UNSAFE_SWITCHES), "give every unsafe switch a lab seed range in CAUGHT"
    known = set(INVARIANT_KEYS.values()) | {"progress"}
    for seeds, keys, *overrides in CAUGHT.values():
        assert len(seeds) <= 50 and keys <= known


@pytest.mark.parametrize("switch", list(UNSAFE_SWITCHES))
def test_each_switch_is_caught_within_its_range(switch: str) -> None:
    seeds, keys = CAUGHT[switch][:2]
    r = first_failure(switch, seeds)
    if not keys:  # a switch that removes no safety rule: the lab must not cry wolf
        assert r is None, f"{switch} seed {r.seed}: {r.failure.label}: {r.failure.report}"
        return
    assert r is not None, f"{switch}: no failure in seeds {seeds.start}–{seeds.stop - 1}"
    f = r.failure
    assert f.key in keys, f"{switch} seed {f.seed}: unexpected {f.key}: {f.report}"
    assert f.seed == r.seed and 0 < f.event <= f.events and f.report


# ---------------------------------------------------------------- determinism and replay


def test_same_seed_same_run() -> None:
    s = DEFAULTS.with_(duration=1500)
    a, b = LabRun(3, s), LabRun(3, s)
    ra, rb = a.run(), b.run()
    assert a.cluster.trace_hash() == b.cluster.trace_hash()
    assert (ra.latencies, ra.messages, ra.leaderless_ms, ra.faults, ra.events) == \
           (rb.latencies, rb.messages, rb.leaderless_ms, rb.faults, rb.events)
    assert a.actions == b.actions and a.actions, "the nemesis did something"
    other = LabRun(4, s)
    other.run()
    assert other.cluster.trace_hash() != a.cluster.trace_hash()


def test_same_seed_same_run_in_another_process() -> None:
    """str hashing differs between processes (PYTHONHASHSEED): nothing may depend on it."""
    outs = []
    for hash_seed in ("0", "4242"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        p = subprocess.run([sys.executable, "-m", "raftcore.lab", "--runs", "2", "--seed", "11", "--duration", "1200",
                            "--json", "--unsafe", "local_reads"], capture_output=True, text=True, env=env)
        outs.append(json.loads(p.stdout))
    assert outs[0] == outs[1]
    assert outs[0]["runs"] == 2 and outs[0]["events"] > 0


def test_replay_stops_on_the_violating_event() -> None:
    switch = "multiple_votes_per_term"
    r = first_failure(switch, CAUGHT[switch][0])
    f = r.failure
    s = switch_settings(switch)
    run = LabRun(f.seed, s)
    run.run_to(f.event - 1)
    assert run.cluster.violation is None and run.steps == f.event - 1
    run.run_to(f.event)
    v = run.cluster.violation
    assert v is not None and v.key == f.key and v.time == f.time and str(v) == f.report


def test_a_non_linearizable_run_points_at_the_first_bad_reply() -> None:
    switch = "local_reads"
    r = first_failure(switch, CAUGHT[switch][0])
    f = r.failure
    assert f.key == "linearizability"
    run = LabRun(f.seed, switch_settings(switch))
    run.run_to(f.event)
    assert run.cluster.now == f.time
    at, lin = first_non_linearizable(run.cluster.history)
    assert at == f.time and not lin.ok and str(lin) == f.report
    # One reply earlier, the history (later replies unknown) was still linearizable.
    earlier = max(op.complete for op in run.cluster.history if op.complete is not None and op.complete < at)
    prefix = [op if op.complete is not None and op.complete <= earlier else
              Operation(op.client, op.op, op.key, op.args, op.invoke, None, None)
              for op in run.cluster.history if op.invoke <= earlier]
    assert check_history(prefix).ok


def test_snapshot_and_restore_replay_the_same_future() -> None:
    s = DEFAULTS.with_(duration=1000)
    run = LabRun(7, s)
    run.run(max_steps=600)
    snap = run.snapshot()
    first = run.run()
    run.restore(snap)
    assert run.steps == 600 and run.result is None
    again = run.run()
    assert (again.events, again.messages, again.latencies) == (first.events, first.messages, first.latencies)


# ---------------------------------------------------------------- settings, summary, CLI


def test_settings_are_checked_with_clear_messages() -> None:
    with pytest.raises(LabSettingsError, match="cluster size must be 3–9, got 12"):
        LabSettings(size=12).validate()
    with pytest.raises(LabSettingsError, match="unknown unsafe switch 'nope'"):
        LabSettings.from_dict({"unsafe": ["nope"]})
    with pytest.raises(LabSettingsError, match="duplication must be 0–1, got 2"):
        LabRun(0, LabSettings(duplicate=2))


def test_summary_counts_per_invariant() -> None:
    s = DEFAULTS.with_(unsafe=["nondeterministic_state_machine"])  # caught within the first few seconds
    results = [run_one(0, s), run_one(1, DEFAULTS.with_(duration=1000))]
    text = summarize(results, 1000)
    assert "State Machine Safety          1 / 2" in text
    assert "Election Safety               2 / 2" in text
    assert "seed 0: State Machine Safety at" in text and ", event " in text
    d = run_many(DEFAULTS.with_(duration=800, runs=2)).to_dict()
    assert [p["invariant"] for p in d["properties"]] == list(INVARIANT_KEYS.values()) + ["progress", "exception"]
    a = d["availability"]
    assert a["commit_latency_ms"]["p50"] > 0 and a["messages_per_committed_entry"] > 1
    assert 0 <= a["leaderless_fraction"] <= 1


def test_cli_prints_a_table_and_exits_1_with_replay_seeds(capsys) -> None:
    assert main(["--runs", "2", "--seed", "0", "--duration", "1000"]) == 0
    out = capsys.readouterr().out
    for row in ("Election Safety", "State Machine Safety", "Linearizability", "Progress after healing",
                "commit latency ms: p50", "messages per committed entry", "time without a leader"):
        assert row in out
    assert main(["--runs", "2", "--seed", "0", "--unsafe", "nondeterministic_state_machine"]) == 1
    out = capsys.readouterr().out
    assert "failing runs (replay with --runs 1 --seed SEED" in out and "seed 1: State Machine Safety" in out


def test_cli_rejects_bad_values_with_the_reason(capsys) -> None:
    with pytest.raises(SystemExit) as e:
        main(["--size", "12"])
    assert e.value.code == 2
    assert "cluster size must be 3–9, got 12" in capsys.readouterr().err


# ---------------------------------------------------------------- issue 13: a lab that can find more


def test_an_exception_in_a_run_is_that_runs_failure(monkeypatch) -> None:
    """Issue 13: an exception inside one run is reported as that run's failure — its seed,
    traceback and the command that replays it — and the campaign goes on to its summary."""
    from raftcore.lab import EXCEPTION, LabRun as Run

    calls = {"n": 0}
    tick = Run._tick

    def exploding_tick(self):
        calls["n"] += 1
        if self.seed == 1 and calls["n"] > 30:
            raise KeyError("S9")
        tick(self)

    monkeypatch.setattr(Run, "_tick", exploding_tick)
    summary = run_many(DEFAULTS.with_(duration=600, runs=3, seed=0))
    assert summary.runs == 3 and len(summary.failures) == 1
    f = summary.failures[0]
    assert f.seed == 1 and f.key == EXCEPTION and "KeyError: 'S9'" in f.report
    assert "python -m raftcore.lab" in f.report and "--seed 1" in f.report and "Traceback" in f.report
    assert "seed 1: Ran without an exception" in summary.text()


def test_nemesis_draws_read_modes_transfers_pauses_and_clock_skew() -> None:
    """The lab reaches what issue 13 found out of its reach: every read path (thesis §6.4),
    leadership transfers (§3.10), process pauses, clock skew within the drift bound, and the
    stale-leader partition."""
    modes = {LabRun(seed, DEFAULTS).read_mode for seed in range(40)}
    assert modes == {"log", "read_index", "lease"}
    faults: dict[str, int] = {}
    for seed in range(3):
        for k, v in run_one(seed, DEFAULTS.with_(duration=4000, windows=2)).faults.items():
            faults[k] = faults.get(k, 0) + v
    for kind in ("transfer", "pause", "skew", "partition:stale"):
        assert faults.get(kind), faults
    assert faults.get("window:cut", 0) + faults.get("window:restart", 0), faults


#: A campaign of stale-leader windows and little else (tests of the window itself).
WINDOWS_ONLY = DEFAULTS.with_(crashes=0, partitions=0, flaky=0, slow=0, churn=0, membership=False, transfers=0,
                              pauses=0, windows=3, lease=1, duration=3000)


@pytest.mark.parametrize("seed", range(2))
def test_a_stale_leader_window_reads_at_the_old_leader_after_its_successor_wrote(seed: int) -> None:
    """Issue 13: the nemesis builds the stale-leader window on purpose. Each window cuts the
    leader off (or first restarts its followers) just after a heartbeat round a majority
    confirmed, times a successor out once stickiness allows, writes through it as soon as it
    is elected, and reads at the old leader just after that write was acknowledged — and with
    every rule in place (leases allowing for the drift, stickiness kept across restarts) that
    read is linearizable."""
    run = LabRun(seed, WINDOWS_ONLY)
    r = run.run()
    assert r.ok, f"seed {seed}: {r.failure.label}: {r.failure.report}"
    texts = [text for _, _, text in run.actions]
    started = [t for t in texts if t.startswith("stale-leader window")]
    reads = [i for i, t in enumerate(texts) if t.startswith("window: read")]
    assert started and reads, texts
    for i in reads:  # each read comes after its window's cut, election and write, in that order
        assert texts[i - 3].startswith("stale-leader window") and "round confirmed" in texts[i - 2]
        assert " elected; write " in texts[i - 1], texts[i - 3:i + 1]
    for name in ("nemesis-w", "nemesis-r"):
        assert name in run.cluster.clients  # their operations are in the checked history
    assert {op.client for op in run.cluster.history} >= {"nemesis-w", "nemesis-r"}


def test_next_step_time_is_when_the_next_step_happens() -> None:
    """LabRun.next_step_time (for replay views): the simulated time after each step is the
    time it announced before it."""
    run = LabRun(2, DEFAULTS.with_(duration=1500))
    while not run.done:
        due = run.next_step_time()
        run.step()
        assert run.cluster.now == due or run.done
    assert run.next_step_time() is None


#: CI's slice of the campaign issue 13 asks for (the full one: 10,000 seeds, README).
CAMPAIGN = DEFAULTS.with_(lease=1.0, transfers=2.0, pauses=2.0, drift=0.2, duration=3000, windows=2.0)


@pytest.mark.parametrize("seed", range(4))
def test_campaign_with_lease_reads_transfers_drift_and_pauses_holds(seed: int) -> None:
    """Lease reads (thesis §6.4) under leadership transfers (§3.10), clocks drifting within
    the bound, process pauses and stale-leader windows: every property holds and the cluster
    recovers."""
    r = run_one(seed, CAMPAIGN.with_(size=(3, 5)[seed % 2]))
    assert r.ok, f"seed {seed}: {r.failure.label}: {r.failure.report}"
