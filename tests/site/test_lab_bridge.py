"""The lab page's bridge (raftsite.lab_bridge): batches per frame, stop, summary, failures,
replay configuration and clear messages for bad settings (a bad URL parameter must show a
message, never a blank page)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from raftcore.lab import LabRun, LabSettings, LabSettingsError, run_many
from raftsite.lab_bridge import Lab, merge, parse_settings, replay_config, schema

SHORT = {"duration": 600, "runs": 3, "seed": 5}


class FakeClock:
    """A clock that advances 1 ms per look: a batch's length no longer depends on the machine."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        self.t += 0.001
        return self.t


def drain(lab: Lab, budget: float = 5.0, limit: int = 100_000) -> list[dict]:
    frames = []
    for _ in range(limit):
        frames.append(json.loads(lab.batch(budget)))
        if frames[-1]["done"]:
            return frames
    raise AssertionError("the lab never finished")


def test_module_does_not_touch_js_at_import() -> None:
    code = "import sys, raftsite.lab_bridge; print('js' in sys.modules or 'pyodide' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_batches_add_up_to_the_command_line_campaign() -> None:
    """Slicing changes when the page looks, never what a run does: the summary after many
    small batches is the CLI's summary of the same settings."""
    lab = Lab(json.dumps(SHORT), clock=FakeClock())
    frames = drain(lab, budget=5.0)
    assert len(frames) > 3, "a 5 ms budget must split the campaign over several frames"
    progress = [f["progress"] for f in frames]
    assert progress == sorted(progress) and progress[-1] == 1.0
    assert all(f["steps"] <= 5 * 64 for f in frames)  # the clock is looked at every 64 steps
    assert frames[-1]["runs_done"] == 3
    expected = run_many(LabSettings.from_dict(SHORT)).to_dict()
    got = json.loads(lab.summary())
    assert {k: got[k] for k in expected} == json.loads(json.dumps(expected))


def test_partial_summaries_while_running() -> None:
    lab = Lab(json.dumps(SHORT), clock=FakeClock())
    first = json.loads(lab.batch(5.0))
    assert not first["done"] and first["runs_done"] == 0 and 0 < first["progress"] < 1
    assert first["phase"] in ("faults", "heal", "check") and first["seed"] == 5
    assert [p["invariant"] for p in first["summary"]["properties"]][:2] == ["election_safety", "leader_append_only"]


def test_stop_ends_the_campaign_between_two_steps() -> None:
    lab = Lab(json.dumps(dict(SHORT, runs=50)), clock=FakeClock())
    while json.loads(lab.batch(5.0))["runs_done"] < 1:
        pass
    stopped = json.loads(lab.stop())
    assert stopped["done"] and stopped["stopped"]
    done = stopped["runs_done"]
    assert 1 <= done < 50
    after = json.loads(lab.batch(5.0))
    assert after["steps"] == 0 and after["runs_done"] == done
    assert json.loads(lab.summary())["runs"] == done


def test_failures_carry_what_a_replay_needs() -> None:
    settings = {"runs": 2, "seed": 0, "unsafe": ["nondeterministic_state_machine"]}
    lab = Lab(settings, clock=FakeClock())
    frames = drain(lab, budget=20.0)
    failures = json.loads(lab.failures())
    assert [f["seed"] for f in failures] == [0, 1]
    assert sum(len(f["new_failures"]) for f in frames) == 2
    f = failures[0]
    assert f["invariant"] == "state_machine_safety" and f["label"] == "State Machine Safety"
    assert 0 < f["event"] <= f["events"] and f["time"] > 0 and "State Machine Safety" in f["report"]
    summary = json.loads(lab.summary())
    row = next(p for p in summary["properties"] if p["invariant"] == "state_machine_safety")
    assert (row["held"], row["runs"]) == (0, 2)

    replay = json.loads(replay_config(0, settings))
    assert replay["event"] == f["event"] and replay["failure"]["report"] == f["report"]
    assert replay["settings"]["runs"] == 1 and replay["settings"]["seed"] == 0
    assert any("crash" in a[2] or "partition" in a[2] or "isolate" in a[2] for a in replay["schedule"])
    # The replay itself: the same seed, stopped at that step, stands on the violation.
    run = LabRun(0, LabSettings.from_dict(replay["settings"]))
    run.run_to(replay["event"] - 1)
    assert run.cluster.violation is None
    run.run_to(replay["event"])
    assert run.cluster.violation is not None and run.cluster.violation.key == "state_machine_safety"


def test_replay_of_a_passing_seed_has_no_event() -> None:
    replay = json.loads(replay_config("3", {"duration": 500}))
    assert replay["seed"] == 3 and replay["event"] is None and replay["failure"] is None and replay["events"] > 0


@pytest.mark.parametrize("settings,message", [
    ({"size": 12}, "cluster size must be 3–9, got 12"),
    ({"size": "two"}, "cluster size must be a whole number, got 'two'"),
    ({"size": 4.5}, "cluster size must be a whole number, got 4.5"),
    ({"loss": 1.5}, "message loss must be 0–1, got 1.5"),
    ({"crashes": -1}, "crashes must be 0–50 per s, got -1"),
    ({"duration": "NaN"}, "duration must be a number"),
    ({"membership": "maybe"}, "membership changes must be on or off, got 'maybe'"),
    ({"unsafe": ["no_such_rule"]}, "unknown unsafe switch 'no_such_rule'"),
    ({"sise": 5}, "unknown lab setting 'sise'"),
    ({"runs": 0}, "runs must be 1–100000, got 0"),
    ({"seed": -3}, "seed must be 0–2147483647, got -3"),
    ("{not json", "lab settings are not valid JSON"),
    ("[1, 2]", "lab settings must be an object"),
])
def test_bad_settings_say_what_is_wrong(settings, message) -> None:
    raw = settings if isinstance(settings, str) else json.dumps(settings)
    with pytest.raises(LabSettingsError) as e:
        Lab(raw)
    assert message in str(e.value)
    with pytest.raises(LabSettingsError):
        replay_config(0, raw)


def test_url_parameters_arrive_as_strings() -> None:
    s = parse_settings({"size": "3", "loss": "0.1", "membership": "off", "unsafe": "local_reads,multiple_votes_per_term",
                        "seed": "42"})
    assert (s.size, s.loss, s.membership, s.seed) == (3, 0.1, False, 42)
    assert s.unsafe == ("multiple_votes_per_term", "local_reads")  # the switches' own order
    assert parse_settings("").to_dict() == LabSettings().to_dict()
    with pytest.raises(LabSettingsError, match="seed must be a whole number"):
        replay_config("seven", {})


def test_schema_lists_every_control_with_its_default() -> None:
    controls = json.loads(schema())
    names = [c["name"] for c in controls]
    assert names[:2] == ["size", "duration"] and "unsafe" in names and "seed" in names
    size = controls[0]
    assert (size["min"], size["max"], size["default"]) == (3, 9, LabSettings().size)
    unsafe = next(c for c in controls if c["name"] == "unsafe")
    assert "local_reads" in unsafe["choices"]


# ---------------------------------------------------------------------- on every core (issue 16)


def test_shards_merged_are_the_command_lines_summary() -> None:
    """The browser lab spreads a campaign over Web Workers: worker k of n runs
    ``Lab(settings, shard=k, shards=n)``, and ``merge`` of their partial results, in any
    order, is what ``python -m raftcore.lab --json`` prints for the same settings (and what
    one unsharded Lab reports)."""
    settings = {"runs": 6, "seed": 0, "duration": 1500, "unsafe": ["commit_without_majority"]}
    labs = [Lab(json.dumps(settings), clock=FakeClock(), shard=k, shards=4) for k in range(4)]
    for lab in labs:
        drain(lab, budget=20.0)
    assert [json.loads(lab.batch(5.0))["runs_total"] for lab in labs] == [2, 2, 1, 1]
    partials = [lab.partial() for lab in labs]
    merged = json.loads(merge(partials[::-1]))
    assert merged == json.loads(merge(json.dumps(partials[2:] + partials[:2])))  # a JSON list, another order

    p = subprocess.run([sys.executable, "-m", "raftcore.lab", "--json", "--no-progress", "--jobs", "1",
                        "--runs", "6", "--duration", "1500", "--unsafe", "commit_without_majority"],
                       capture_output=True, text=True)
    cli = json.loads(p.stdout)
    assert {k: merged[k] for k in cli} == cli
    failing = [f["seed"] for f in merged["failures"]]
    assert 0 < len(failing) < 6 and failing == sorted(failing)
    assert merged["done"] and merged["runs_done"] == merged["runs_total"] == 6 and merged["progress"] == 1.0

    whole = Lab(json.dumps(settings), clock=FakeClock())
    drain(whole, budget=20.0)
    assert _without_wall(merged) == dict(_without_wall(json.loads(whole.summary())),
                                         failures=json.loads(whole.failures()))


def _without_wall(d: dict) -> dict:
    return {k: v for k, v in d.items() if k not in ("wall_ms", "runs_per_s")}


def test_a_campaign_under_way_merges_into_the_runs_done() -> None:
    settings = json.dumps(dict(SHORT, runs=4))
    labs = [Lab(settings, clock=FakeClock(), shard=k, shards=2) for k in range(2)]
    drain(labs[0])
    first = json.loads(merge([labs[0].partial(), labs[1].partial()]))
    assert (first["runs_done"], first["runs_total"], first["done"], first["progress"]) == (2, 4, False, 0.5)
    drain(labs[1])
    done = json.loads(merge([labs[1].partial(), labs[0].partial()]))
    assert done["done"] and done["runs"] == 4
    assert done["properties"] == run_many(LabSettings.from_dict(dict(SHORT, runs=4))).to_dict()["properties"]


def test_more_workers_than_runs_and_bad_shards() -> None:
    empty = Lab(json.dumps(dict(SHORT, runs=2)), clock=FakeClock(), shard=3, shards=4)
    frame = json.loads(empty.batch(5.0))
    assert frame["done"] and frame["runs_total"] == 0 and frame["progress"] == 1.0
    with pytest.raises(LabSettingsError, match="bad shard"):
        Lab(json.dumps(SHORT), shard=4, shards=4)
    with pytest.raises(ValueError, match="not a partial result"):
        merge([json.dumps({"runs": 1})])
