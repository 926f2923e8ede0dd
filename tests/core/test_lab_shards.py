"""The lab on every core (issue 16, item 5): a campaign split into shards of seeds, run
anywhere and merged back in any order, is the campaign run on one core — the same summary,
byte for byte. ``python -m raftcore.lab --jobs N`` and the browser's Web Workers both rest on
this (raftcore/lab/shards.py, raftcore/lab/pool.py, raftsite/lab_bridge.py).

No test here measures time: speed is benchmarks/lab.py's business.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest

from raftcore.lab import (LabSettings, LabSummary, RunResult, merge_partials, partial_to_dict, run_many, run_seeds,
                          run_shard, shard_seeds)

#: A small campaign in which some runs fail and others pass (entries committed on a
#: minority, §5.3) — failures must come out in seed order.
SMALL = LabSettings().with_(runs=6, seed=0, duration=1500, unsafe=["commit_without_majority"])
SMALL_ARGS = ["--runs", "6", "--seed", "0", "--duration", "1500", "--unsafe", "commit_without_majority"]


def test_shards_hold_every_seed_once() -> None:
    s = LabSettings().with_(runs=10, seed=7)
    for n in (1, 2, 3, 4, 12):
        seeds = [seed for k in range(n) for seed in shard_seeds(s, k, n)]
        assert sorted(seeds) == list(range(7, 17))
    with pytest.raises(ValueError, match="shard must be"):
        shard_seeds(s, 3, 3)
    with pytest.raises(ValueError, match="shards must be"):
        shard_seeds(s, 0, 0)


def test_shards_merged_in_any_order_are_the_whole_campaign() -> None:
    whole = run_many(SMALL)
    failing = [f.seed for f in whole.failures]
    assert 1 < len(failing) < SMALL.runs and failing == sorted(failing), "some runs must fail, not all"
    for n in (2, 3):
        # Each partial result crosses a process (or a Web Worker) as JSON text.
        partials = [json.loads(json.dumps(partial_to_dict(SMALL, run_shard(SMALL, k, n)))) for k in range(n)]
        for order in range(3):
            random.Random(order).shuffle(partials)
            settings, merged = merge_partials(partials)
            assert settings == SMALL
            assert merged.text() == whole.text()
            assert merged.to_dict() == whole.to_dict()
            assert [f.to_dict() for f in merged.failures] == [f.to_dict() for f in whole.failures]
            assert merged.seeds == whole.seeds == list(range(6))


def test_merging_keeps_times_exact_whatever_the_grouping() -> None:
    """Floating-point sums depend on the order of the terms ((0.1 + 0.2) + 0.3 is not
    0.1 + (0.2 + 0.3)); a summary keeps times as fractions, so any grouping of the same runs
    gives the same figures."""
    results = [RunResult(seed, None, True, None, True, leaderless_ms=ms, stale_leader_ms=ms / 3)
               for seed, ms in enumerate((0.1, 0.2, 0.3, 1e-3, 1e6 + 0.7))]

    def summary(rs) -> LabSummary:
        out = LabSummary()
        for r in rs:
            out.add(r, 1000.1)
        return out

    one = summary(results).to_dict()
    for cut in range(1, len(results)):
        parts = [summary(results[:cut]), summary(results[cut:])]
        assert LabSummary.merged(parts[::-1]).to_dict() == one
        again = [LabSummary.from_state(json.loads(json.dumps(p.to_state()))) for p in parts]
        assert LabSummary.merged(again).to_dict() == one


def test_a_seed_in_two_partial_results_is_refused() -> None:
    s = LabSettings().with_(runs=2, seed=0, duration=400)
    part = run_seeds(s, [0])
    with pytest.raises(ValueError, match="in two partial results"):
        LabSummary.merged([part, part])
    other = s.with_(loss=0.5)
    with pytest.raises(ValueError, match="different campaigns"):
        merge_partials([partial_to_dict(s, part), partial_to_dict(other, run_seeds(other, [1]))])


def lab(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "raftcore.lab", *args], capture_output=True, text=True)


def test_jobs_change_nothing_in_the_summary() -> None:
    """``--jobs 4`` (four worker processes, blocks of seeds finishing in any order) prints
    what ``--jobs 1`` prints, byte for byte, failures and exit status included; progress
    goes to stderr only."""
    one, four = lab(*SMALL_ARGS, "--jobs", "1"), lab(*SMALL_ARGS, "--jobs", "4")
    assert one.returncode == four.returncode == 1, one.stderr + four.stderr
    assert four.stdout == one.stdout
    failing = [f.seed for f in run_many(SMALL).failures]
    for seed in failing:
        assert f"  seed {seed}: " in one.stdout
    assert f"lab: 6/6 runs, {len(failing)} failed" in four.stderr
    assert f"lab: 6/6 runs, {len(failing)} failed" in one.stderr
    quiet = lab(*SMALL_ARGS, "--jobs", "2", "--json", "--no-progress")
    assert quiet.stderr == ""
    d = json.loads(quiet.stdout)
    assert [f["seed"] for f in d["failures"]] == failing and d["runs"] == 6


def test_jobs_must_be_positive(capsys) -> None:
    from raftcore.lab import main

    with pytest.raises(SystemExit) as e:
        main(["--jobs", "0"])
    assert e.value.code == 2 and "--jobs must be at least 1" in capsys.readouterr().err


def test_the_pool_is_only_the_command_lines() -> None:
    """Pyodide has no multiprocessing: importing the lab (as the browser's bridge does)
    must not import the pool."""
    code = ("import sys, raftcore.lab, raftsite.lab_bridge; "
            "print(any(m == 'multiprocessing' or m.endswith('.pool') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
