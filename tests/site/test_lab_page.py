"""The lab page and its replay view: what is made at build time, and the replay view's bridge
headless in CPython.

* The lab's form is generated from the engine's own table of settings (``raftcore.lab.SETTINGS``)
  and from ``raftcore.UNSAFE_SWITCHES``: every setting and every switch has a labelled control,
  with the engine's defaults, so the page cannot drift from ``python -m raftcore.lab``.
* The replay view is a scene whose run is a lab run re-played from its seed. A run is a pure
  function of (seed, settings) — the determinism a replicated state machine needs (Raft §2,
  §5) and the simulator promises — so the replay must be the lab's run event for event, and
  it must stop on the very event where the checker caught the violation (Figure 3's
  properties, §5.2–§5.4).
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

import pytest

from raftcore import UNSAFE_SWITCHES
from raftcore.lab import SETTINGS, LabRun, LabSettings
from raftsite.blocks.schema import validate_block
from raftsite.browser import Scene
from raftsite.controls.lab_replay import ReplayRun, parse_replay_query
from raftsite.lab_bridge import cli_command, replay_query, settings_from_query, settings_query
from raftsite.lab_page import LabFenceError, docs_page_url, lab_html
from raftsite.markdown_ext import scene_runtime_config
from site_helpers import ROOT

# ------------------------------------------------------------------ helpers


class Controls(HTMLParser):
    """Every <input>, <label for> and <script src> of a chunk of HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inputs: list[dict] = []
        self.labels: set[str] = set()
        self.scripts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input":
            self.inputs.append(a)
        elif tag == "label" and a.get("for"):
            self.labels.add(a["for"])
        elif tag == "script" and a.get("src"):
            self.scripts.append(a["src"])
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])


def controls(text: str) -> Controls:
    p = Controls()
    p.feed(text)
    return p


def replay_config() -> dict:
    text = (ROOT / "docs/lab/replay.md").read_text(encoding="utf-8")
    body = re.search(r"```raft-scene\n(.*?)```", text, re.S).group(1)
    return scene_runtime_config(validate_block(body))


def replay_scene(query: str) -> Scene:
    """The replay view as the glue mounts it: the block's config plus the address's query."""
    return Scene(dict(replay_config(), query=query))


def status(scene: Scene) -> dict:
    return json.loads(scene.status())


def first_failing_seed(switch: str, settings: LabSettings, seeds=range(60)) -> tuple[int, LabRun]:
    """The first seed whose lab run fails with ``switch`` on (found, never assumed)."""
    for seed in seeds:
        run = LabRun(seed, settings)
        run.run()
        if run.failure is not None:
            return seed, run
    pytest.fail(f"no lab run failed with {switch} in seeds {seeds}")


# ------------------------------------------------------------------ the form (build time)


def test_every_setting_and_every_unsafe_switch_has_a_labelled_control_with_the_engines_default():
    page = controls(lab_html("replay/", "../assets/raft/lab.mjs"))
    by_setting: dict[str, list[dict]] = {}
    for i in page.inputs:
        by_setting.setdefault(i.get("data-setting"), []).append(i)
    assert set(by_setting) == {s.name for s in SETTINGS}
    defaults = LabSettings().to_dict()
    for s in SETTINGS:
        inputs = by_setting[s.name]
        for i in inputs:
            assert i["id"] in page.labels, f"{s.name}: no <label for={i['id']}>"
            assert "aria-describedby" in i
            assert "disabled" in i  # enabled by the glue once Python runs
        if s.kind == "switches":
            assert [i["value"] for i in inputs] == list(UNSAFE_SWITCHES)
            assert not any("checked" in i for i in inputs) and defaults[s.name] == []
        elif s.kind == "bool":
            assert inputs[0]["type"] == "checkbox"
            assert ("checked" in inputs[0]) == defaults[s.name]
        else:
            (i,) = inputs
            assert i["type"] == "number"
            assert float(i["value"]) == float(defaults[s.name])
            assert float(i["min"]) == s.lo and float(i["max"]) == s.hi


def test_a_setting_the_lab_gains_later_still_gets_a_control(monkeypatch):
    import raftsite.lab_page as lab_page

    monkeypatch.setattr(lab_page, "GROUPS", tuple((g, tuple(n for n in names if n != "clients"))
                                                  for g, names in lab_page.GROUPS))
    page = lab_page.form_html()
    assert "<legend>More settings</legend>" in page and 'data-setting="clients"' in page


def test_replay_page_urls_and_bad_fence_options(tmp_path):
    assert docs_page_url("lab/replay.md") == "lab/replay/"
    assert docs_page_url("lab/index.md") == "lab/"
    with pytest.raises(LabFenceError, match="page's path in docs/"):
        docs_page_url("../outside.md")
    import markdown

    from raftsite import lab_page, markdown_ext

    fences = {"custom_fences": [{"name": "raft-lab", "class": "raft-lab", "format": lab_page.fence_format,
                                 "validator": lab_page.fence_validator}]}
    md = markdown.Markdown(extensions=["pymdownx.superfences"], extension_configs={"pymdownx.superfences": fences})
    markdown_ext.set_page("docs/lab.md", "lab/", 0)
    out = md.convert("```raft-lab\nreplay: lab/replay.md\n```\n")
    assert 'data-replay="replay/"' in out and '<script type="module" src="../assets/raft/lab.mjs">' in out
    for body, why in (("", "exactly one option"), ("replay: 3", "page's path"), ("replay: a.txt", "page's path"),
                      ("replay: lab/replay.md\nruns: 5", "exactly one option")):
        page = tmp_path / "lab.md"
        text = f"# The lab\n\nIntro.\n\n```raft-lab\n{body}\n```\n"
        page.write_text(text, encoding="utf-8")
        markdown_ext.set_page(str(page), "lab/", 0)
        md.reset()
        with pytest.raises(markdown_ext.SceneBlockError) as err:
            md.convert(text)
        assert str(err.value).startswith(f"{page}:5: raft-lab: ") and why in str(err.value), str(err.value)


def test_the_built_lab_page(built_site):
    text = (built_site / "lab" / "index.html").read_text(encoding="utf-8")
    page = controls(text)
    # the glue module, by a relative URL (works under a sub-path), and present in the build
    assert "../assets/raft/lab.mjs" in page.scripts
    assert (built_site / "assets" / "raft" / "lab.mjs").is_file()
    # Python boots on page load, as on a scene page
    assert '<meta name="raft-scene-page" content="1">' in text
    # the failing runs link to a page that exists
    replay = re.search(r'data-replay="([^"]+)"', text).group(1)
    assert replay == "replay/" and (built_site / "lab" / "replay" / "index.html").is_file()
    # real tables, with captions and header cells
    for role in ("lab-properties", "lab-availability", "lab-faults", "lab-failures"):
        m = re.search(rf'<table[^>]*data-role="{role}"[^>]*>\s*<caption>', text)
        assert m, role
    assert re.search(r'role="status" aria-live="polite" data-role="lab-status"', text)
    assert re.search(r'<label for="lab-progress">', text)
    assert {i.get("data-setting") for i in page.inputs} >= {s.name for s in SETTINGS}


def test_the_built_replay_page_is_a_scene_with_a_timeline_and_the_lab_replay_panel(built_site):
    text = (built_site / "lab" / "replay" / "index.html").read_text(encoding="utf-8")
    m = re.search(r'data-scene="([^"]+)"', text)
    cfg = json.loads(html.unescape(m.group(1)))
    assert cfg["scenario"] == "lab_replay"
    assert [c["kind"] for c in cfg["controls"]] == ["timeline", "lab_replay"]
    assert cfg["control_js"] == ["lab_replay", "timeline"]
    assert (built_site / "assets" / "raft" / "controls" / "lab_replay.mjs").is_file()
    assert 'data-panel="lab_run"' in text


# ------------------------------------------------------------------ the replay view's run


def test_the_address_round_trips_and_bad_addresses_say_why():
    s = LabSettings(size=7, loss=0.1, unsafe=("local_reads", "multiple_votes_per_term"), membership=False).validate()
    seed, back = parse_replay_query("?" + replay_query(42, s))
    assert seed == 42
    assert {k: v for k, v in back.to_dict().items() if k != "seed"} == \
        {k: v for k, v in s.to_dict().items() if k != "seed"}
    assert replay_query(3, LabSettings()) == "seed=3"  # defaults stay out of the address
    for query, why in (("", "it has no seed"), ("?size=5", "it has no seed"),
                       ("?seed=1&size=12", "cluster size"), ("?seed=1&seed=2", "twice"),
                       ("?seed=1&colour=red", "unknown lab setting"), ("?seed=-4", "seed"),
                       ("?seed=1&unsafe=nope", "unknown unsafe switch")):
        with pytest.raises(ValueError, match=re.escape(why)):
            parse_replay_query(query)


def test_the_address_and_the_command_line_name_the_same_campaign():
    s = LabSettings(runs=300, seed=9, size=5, snapshots=False, unsafe=("local_reads",)).validate()
    query = settings_query(s)
    assert query == "size=5&snapshots=off&unsafe=local_reads&runs=300&seed=9"
    assert json.loads(settings_from_query("?" + query)) == s.to_dict()
    d = LabSettings()
    assert settings_query(d) == f"runs={d.runs}&seed={d.seed}"  # defaults stay out of the address
    assert cli_command(s) == "python -m raftcore.lab --size 5 --no-snapshots --unsafe local_reads --runs 300 --seed 9"
    with pytest.raises(ValueError, match="twice"):
        settings_from_query("?size=3&size=4")


@pytest.mark.parametrize("chunk", [0.7, 5.0, 33.3, 250.0])
def test_a_replay_advanced_in_frames_is_the_labs_run_event_for_event(chunk):
    """Pausing anywhere changes nothing: same steps, same trace, same result as the lab's run."""
    settings = LabSettings(duration=600.0)
    straight = LabRun(11, settings)
    straight.run()
    end = straight.cluster.now
    replay = ReplayRun(11, settings)
    while not replay.finished:
        replay.advance(min(chunk, end - replay.cluster.now))  # not past the end: the cluster lives on
    assert replay.lab.steps == straight.steps
    assert replay.cluster.trace() == straight.cluster.trace()
    assert replay.ended and replay.failure is None and straight.failure is None


def test_step_goes_to_the_next_moment_something_happens():
    """The toolbar's Step moves the replay to the time of the next lab step (an event, a
    nemesis tick or its strike on a new leader) and takes every step due then and no other —
    the steps of the lab's own run, whose time of each step is recorded alongside."""
    settings = LabSettings(duration=600.0, churn=1.0)  # churn: the nemesis strikes new leaders too
    straight = LabRun(5, settings)
    at = [0.0]  # at[k]: simulated time after step k of the lab's own run
    while straight.step():
        at.append(straight.cluster.now)
    scene = replay_scene("?seed=5&duration=600&churn=1")
    scene.set_control("timeline", "seek", "0")
    while not scene.run.finished:
        before = scene.run.lab.steps
        nxt = scene.run.next_event_time()
        scene.step()
        taken = at[before + 1:scene.run.lab.steps + 1]
        assert taken and all(t == pytest.approx(nxt, abs=1e-9) for t in taken), (before, nxt, taken)
    assert scene.run.lab.steps == straight.steps and scene.cluster.trace() == straight.cluster.trace()


def test_the_replay_view_lands_on_the_violating_event_with_the_report():
    switch = "multiple_votes_per_term"
    settings = LabSettings(unsafe=(switch,))
    seed, lab = first_failing_seed(switch, settings)
    scene = replay_scene(f"?seed={seed}&unsafe={switch}")
    st = status(scene)
    f = st["lab_replay"]["failure"]
    assert st["seed"] == seed and st["lab_replay"]["error"] is None
    assert f["seed"] == seed and f["event"] == lab.failure.event and f["invariant"] == lab.failure.key
    # positioned on the violating event: the cluster stopped there, the panel is red
    assert st["violation"] == str(lab.cluster.violation)
    assert st["time"] == pytest.approx(lab.failure.time)
    assert scene.cluster.trace() == lab.cluster.trace()
    full = json.loads(scene.full())
    bad = [k for k, ok in full["panel"]["invariants"].items() if not ok]
    assert bad == [lab.failure.key]
    assert full["panel"]["violation"] == lab.failure.report  # the checker's report, by the red monitor
    verdict = html.unescape(full["panels"]["lab_run"])
    assert f"Run {seed}: <strong>{lab.failure.label}</strong> failed at {lab.failure.time:.1f} ms" in verdict


def test_the_timeline_travels_back_from_the_violation_and_returns_to_it():
    switch = "multiple_votes_per_term"
    settings = LabSettings(unsafe=(switch,))
    seed, lab = first_failing_seed(switch, settings)
    scene = replay_scene(f"?seed={seed}&unsafe={switch}")
    at_violation = scene.cluster.trace()
    t = scene.cluster.now
    scene.set_control("timeline", "seek", str(t / 2))
    st = status(scene)
    assert st["violation"] is None and st["time"] <= t / 2 + 1e-6
    assert st["lab_replay"]["failure"]["event"] == lab.failure.event  # still known while earlier
    for _ in range(10_000):  # play on, in frames, to the violation
        if scene.cluster.violation is not None:
            break
        scene.advance(7.0)
    assert scene.cluster.trace() == at_violation
    scene.set_control("timeline", "seek", "0")
    scene.set_control("lab_replay", "failure", "")  # the "Go to the violation" button
    assert scene.cluster.trace() == at_violation


def test_a_non_linearizable_history_is_shown_where_the_unexplainable_reply_arrives():
    """Linearizability (thesis §6) is checked on the whole history at the end of a run; the lab
    places the failure at the reply that no linearization explains, and so does the replay."""
    switch = "local_reads"
    settings = LabSettings(unsafe=(switch,))
    seed, lab = first_failing_seed(switch, settings)
    assert lab.failure.key == "linearizability"
    scene = replay_scene(f"?seed={seed}&unsafe={switch}")
    st = status(scene)
    assert st["violation"] is None  # the servers' invariants held…
    assert st["lab_replay"]["linearizability"] == "bad"  # …the clients' history did not
    assert st["time"] == pytest.approx(lab.failure.time)
    assert st["lab_replay"]["steps"] == lab.failure.event
    panel = html.unescape(json.loads(scene.full())["panels"]["lab_run"])
    assert 'data-invariant="linearizability"' in panel and "raft-inv--bad" in panel
    assert lab.failure.report in panel
    # just before that reply the history so far is still explainable: the monitor is not red
    scene.set_control("timeline", "seek", str(lab.failure.time - 1.0))
    assert status(scene)["lab_replay"]["linearizability"] == "pending"


def test_a_bad_address_is_a_message_and_the_placeholder_cluster_runs():
    scene = replay_scene("?seed=3&size=12")
    st = status(scene)
    with pytest.raises(ValueError) as lab_says:
        LabSettings.from_dict({"size": "12"})
    assert st["lab_replay"]["error"] == str(lab_says.value)
    assert list(scene.cluster.names) == ["S1", "S2", "S3", "S4", "S5"]
    panel = json.loads(scene.full())["panels"]["lab_run"]
    assert 'role="alert"' in panel and str(lab_says.value) in html.unescape(panel)
    scene.advance(500)  # the idle cluster still runs: the page is never broken
    assert status(scene)["leader"] is not None
