"""The lab's seeded random schedules: safe with every rule in place, and able to fail.

The lab is what the property tests, the browser lab and ``python -m raftcore.lab`` share;
the same seed gives the same run everywhere.
"""

from raftcore.lab import LabSettings, main, run_one, summarize


def test_no_violation_with_every_rule_in_place() -> None:
    s = LabSettings(size=5, duration=2500, membership=True, snapshots=True)
    results = [run_one(seed, s) for seed in range(6)]
    assert all(r.violation is None for r in results), [str(r.violation) for r in results]
    assert all(r.linearizable is True for r in results)
    assert all(r.progress is True for r in results)
    assert all(r.committed > 0 for r in results)


def test_same_seed_same_run() -> None:
    s = LabSettings(duration=1500)
    a, b = run_one(3, s), run_one(3, s)
    assert (a.latencies, a.messages, a.leaderless_ms) == (b.latencies, b.messages, b.leaderless_ms)


def first_failure(switch: str, seeds: range, **kw) -> int | None:
    for seed in seeds:
        r = run_one(seed, LabSettings(duration=3000, unsafe=(switch,), **kw))
        if r.violation is not None:
            return seed
    return None


def test_double_votes_are_found() -> None:
    assert first_failure("multiple_votes_per_term", range(10)) is not None


def test_nondeterministic_state_machine_is_found() -> None:
    assert first_failure("nondeterministic_state_machine", range(3)) is not None


def test_minority_commit_is_found() -> None:
    assert first_failure("commit_without_majority", range(20)) is not None


def test_cli_prints_a_table_and_fails_on_a_violation(capsys) -> None:
    assert main(["--runs", "2", "--seed", "0", "--duration", "1000"]) == 0
    out = capsys.readouterr().out
    for row in ("Election Safety", "State Machine Safety", "Linearizability", "commit latency"):
        assert row in out
    assert main(["--runs", "1", "--seed", "0", "--duration", "1000", "--unsafe", "nondeterministic_state_machine"]) == 1
    assert "seed 0: State Machine Safety" in capsys.readouterr().out


def test_summary_counts_per_invariant() -> None:
    results = [run_one(0, LabSettings(duration=1000, unsafe=("nondeterministic_state_machine",)))]
    text = summarize(results)
    assert "State Machine Safety          0 / 1" in text
    assert "Election Safety               1 / 1" in text
