"""The authoring guide (docs/authoring.md): its tables are generated from the code they
describe and the built page contains every option, control kind, draw name, command and
condition; its error examples are the real messages of the real validator, each naming the
file and the line of the mistake; its worked example's scenario runs clean."""

from __future__ import annotations

import html
import re

import pytest

from raftcore.scenarios import Scenario, load_scenario
from raftcore.scenarios import COMMANDS, CONDITIONS
from raftsite import guide
from raftsite.blocks.schema import SCHEMA, draw_options
from raftsite.controls import registry as control_registry
from raftsite.markdown_ext import RaftSceneExtension, SceneBlockError, check_markdown
from raftsite.plugin.fences import custom_fences
from site_helpers import ROOT

PAGE = ROOT / "docs" / "authoring.md"


@pytest.fixture(scope="module")
def guide_html(built_site) -> str:
    return (built_site / "authoring" / "index.html").read_text(encoding="utf-8")


def _cell(text: str) -> str:
    """A table cell holding ``text`` as code, as Python-Markdown writes it."""
    return f"<td><code>{html.escape(text, quote=False)}</code></td>"


# ------------------------------------------------------------------ the built page


def test_the_page_has_every_option_control_and_draw_name(guide_html):
    for opt in SCHEMA:
        assert _cell(opt.name) in guide_html, opt.name
    for kind in control_registry():
        assert _cell(kind) in guide_html, kind
    for name in draw_options():
        assert _cell(name) in guide_html, name
    assert "{{" not in guide_html  # every placeholder was filled


def test_the_page_has_every_command_with_its_example_and_every_condition(guide_html):
    for spec in COMMANDS.values():
        assert _cell(spec.name) in guide_html, spec.name
        assert _cell(spec.example) in guide_html, spec.example
    for cond in CONDITIONS.values():
        assert _cell(cond.syntax) in guide_html, cond.syntax
        assert _cell(cond.example) in guide_html, cond.example


def test_the_worked_example_is_a_live_scene_shown_with_its_source(guide_html):
    assert 'id="guide-scene"' in guide_html and 'class="raft-scene"' in guide_html
    assert '<div class="raft-listings" data-raft-for="guide">' in guide_html
    assert '<div class="raft-defend" data-raft-for="guide">' in guide_html
    # the page shows the block exactly as it is written above the copy
    text = PAGE.read_text(encoding="utf-8")
    live = re.search(r"^```raft-scene\n(.*?)^```$", text, re.S | re.M).group(1)
    shown = re.search(r"^````markdown\n```raft-scene\n(.*?)^```$", text, re.S | re.M).group(1)
    assert live == shown
    # and the scenario file it runs, as it is on disk
    source = (ROOT / "raftcore/scenarios/library/guide_example.txt").read_text(encoding="utf-8")
    plain = html.unescape(re.sub(r"<[^>]+>", "", guide_html))
    for line in source.splitlines():
        assert line in plain, line


def _real_message(case: guide.ErrorCase) -> str:
    """What the real code says, found without the guide's own helper: the build's early
    validation (check_markdown), else a Markdown conversion with the site's fences; a scenario
    runs strictly as its test would."""
    if case.kind == "scenario":
        from raftcore.scenarios import ScenarioError

        with pytest.raises(ScenarioError) as err:
            Scenario.parse(case.text, source=case.path).run_all()
        return str(err.value)
    try:
        check_markdown(case.text, case.path)
    except SceneBlockError as exc:
        return str(exc)
    import markdown

    from raftsite import markdown_ext

    saved = markdown_ext._context
    markdown_ext.set_page(case.path)
    try:
        md = markdown.Markdown(extensions=["pymdownx.superfences", RaftSceneExtension()],
                               extension_configs={"pymdownx.superfences": {"custom_fences": custom_fences()}})
        with pytest.raises(SceneBlockError) as err:
            md.convert(case.text)
    finally:
        markdown_ext._context = saved
    return str(err.value)


@pytest.mark.parametrize("case", guide.ERROR_CASES, ids=[c.title for c in guide.ERROR_CASES])
def test_each_error_example_is_the_real_message_with_file_and_line(case, guide_html):
    msg = _real_message(case)
    # file and line: the line of the input that holds the mistake
    assert msg.startswith(f"{case.path}:{case.line}: "), (msg, case.line)
    assert case.where in case.text.splitlines()[case.line - 1]
    # the page shows exactly that message (generated at build time, so it cannot drift)
    assert html.escape(msg, quote=False) in guide_html, msg
    assert guide.error_message(case) == msg


def test_every_error_example_has_a_fix_on_the_page(guide_html):
    for case in guide.ERROR_CASES:
        assert html.escape(case.title, quote=False) in guide_html
    assert guide_html.count("<strong>Fix:</strong>") == len(guide.ERROR_CASES)


# ------------------------------------------------------------------ the tables' sources


def test_every_condition_has_an_example_and_it_parses():
    for name, cond in CONDITIONS.items():
        words = cond.example.split()
        assert words[0] in ("wait", "expect") and name in words, cond.example
        Scenario.parse(f"cluster 5\n{cond.example}\n", source=f"<example of {cond.syntax}>")  # raises if not


def test_every_command_example_parses():
    for spec in COMMANDS.values():
        text = spec.example if spec.name == "cluster" else f"cluster 5\n{spec.example}\n"
        steps = Scenario.parse(text, source=f"<example of {spec.name}>").steps
        assert steps[-1].name == spec.name or steps[-1].at is not None


def test_tables_escape_pipes_outside_code_and_keep_one_row_per_entry():
    assert guide._cell("a | b `c | d`") == "a \\| b `c | d`"
    assert guide.command_table().count("\n") == len(COMMANDS) + 1
    assert guide.condition_table().count("\n") == len(CONDITIONS) + 1
    assert guide.draw_table().count("\n") == len(draw_options()) + 1


def test_the_worked_example_scenario_runs_clean():
    run = load_scenario(guide.EXAMPLE_SCENARIO).run_all()
    assert run.cluster.violation is None and not run.failures


def test_placeholders_extend_the_build_info_and_unknown_names_fail():
    from mkdocs.exceptions import PluginError

    from raftsite.plugin.build_info import fill_placeholders

    info = guide.placeholders({"version": "9.9"})
    assert info["version"] == "9.9"
    assert set(info) >= {"version", "option_table", "control_table", "draw_table", "command_table",
                         "condition_table", "error_examples", "example_scenario"}
    out = fill_placeholders("v{{ raft.version }}\n\n{{ raft.draw_table }}\n", info, "x.md")
    assert out.startswith("v9.9\n\n| Name |")
    with pytest.raises(PluginError, match="unknown placeholder.*raft.option_table"):
        fill_placeholders("{{ raft.nope }}", info, "x.md")


def test_the_listing_names_the_guide_gives_as_examples_resolve():
    from raftsite.listings import resolve

    names = set(re.findall(r"`(raftcore(?:\.\w+)+:\w+(?:\.\w+)*)`", PAGE.read_text(encoding="utf-8")))
    assert len(names) >= 3
    for name in names:
        assert resolve(name).source.lstrip().startswith("def "), name


def test_the_control_the_guide_writes_out_works():
    """The page's example control module, executed as written: its markup is wired by the glue
    (data-control), its `set` isolates the leader of a running scene."""
    from raftsite.browser import Scene
    from raftsite.controls.base import Control
    from raftsite.markdown_ext import scene_runtime_config

    text = PAGE.read_text(encoding="utf-8")
    code = re.search(r'```python title="raftsite/controls/isolate_leader.py"\n(.*?)```', text, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "isolate_leader.py", "exec"), namespace)
    cls = namespace["IsolateLeader"]
    assert issubclass(cls, Control) and cls.kind == "isolate_leader"
    assert 'data-control="isolate_leader"' in cls.html({"label": None}, "s13")
    cfg = scene_runtime_config(check_markdown(text, "docs/authoring.md")[0])
    scene = Scene(cfg)
    while scene.cluster.leader() is None:
        scene.advance(10)
    lead = scene.cluster.leader()
    assert cls(scene, {"kind": "isolate_leader", "label": None}).set("", "") is False
    assert all((lead, n) in scene.cluster.blocked for n in scene.cluster.names if n != lead)
