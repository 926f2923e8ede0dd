"""The authoring guide's generated parts (docs/authoring.md), made from the code they describe.

Every table an author reads in the guide is built here from the one place its content is
defined, so the guide cannot drift from the site:

* the ```` ```raft-scene ```` options — :data:`raftsite.blocks.schema.SCHEMA`;
* the control kinds — the modules of :mod:`raftsite.controls`;
* the ``draw:`` names — the renderer's own (``DRAW``) and the modules of :mod:`raftsite.layers`;
* the scenario commands and conditions — one class each in :mod:`raftcore.scenarios.commands`,
  with its syntax, help and example (a test checks that each example parses);
* the error messages — produced by running the real validator, Markdown extension and
  scenario parser on the broken inputs of :data:`ERROR_CASES` at build time.

The MkDocs plugin substitutes ``{{ raft.<name> }}`` in pages; :func:`placeholders` adds these
names to the build information it already fills in (computed lazily, only for a page that
uses them). Build-time module: never imported in the browser.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Callable

__all__ = [
    "option_table",
    "control_table",
    "draw_table",
    "command_table",
    "condition_table",
    "error_examples",
    "example_scenario",
    "ERROR_CASES",
    "ErrorCase",
    "error_message",
    "placeholders",
    "GUIDE_PAGE",
]

#: The made-up page the error examples pretend to be.
GUIDE_PAGE = "docs/scenes/13-my-scene.md"
#: The made-up scenario file the scenario-language error examples pretend to be.
GUIDE_SCENARIO = "raftcore/scenarios/library/scene13.txt"
#: The worked example's scenario (raftcore/scenarios/library/guide_example.txt).
EXAMPLE_SCENARIO = "guide_example"


def _cell(text: str) -> str:
    """Text for a Markdown table cell: pipes outside code spans escaped, no line breaks.
    (Python-Markdown's tables take a pipe inside backticks literally.)"""
    parts = re.split(r"(`[^`]*`)", str(text).replace("\n", " "))
    return "".join(p if p.startswith("`") else p.replace("|", "\\|") for p in parts)


def _code(text: str) -> str:
    """An inline code span that survives any backticks inside."""
    text = str(text)
    if "`" not in text:
        return f"`{text}`"
    return f"`` {text} ``"


# ------------------------------------------------------------------ the block


def option_table() -> str:
    from raftsite.blocks.schema import option_table_markdown

    return option_table_markdown()


def control_table() -> str:
    from raftsite.blocks.schema import control_table_markdown

    return control_table_markdown()


def draw_table() -> str:
    """Every ``draw:`` name and where it comes from."""
    from raftsite.blocks.schema import DRAW, draw_options
    from raftsite.layers import registry

    layers = registry()
    rows = ["| Name | What it draws | Made by |", "|---|---|---|"]
    for name, doc in draw_options().items():
        if name in DRAW:
            where = "the renderer (`raftsite/render.py`)"
        else:
            module = layers[name].__module__.replace(".", "/") + ".py"
            where = f"a layer (`{module}`)"
        rows.append(f"| `{name}` | {_cell(doc)} | {where} |")
    return "\n".join(rows)


# ------------------------------------------------------------------ the scenario language

def command_table() -> str:
    """Every command of the scenario language, from its class (``raftcore.scenarios.COMMANDS``)."""
    from raftcore.scenarios import COMMANDS

    rows = ["| Command | Syntax | What it does | Example |", "|---|---|---|---|"]
    for spec in COMMANDS.values():
        rows.append(f"| `{spec.name}` | {_code(spec.syntax)} | {_cell(spec.help)} | {_code(spec.example)} |")
    return "\n".join(rows)


def condition_table() -> str:
    """Every condition ``wait`` and ``expect`` take, from its class (``raftcore.scenarios.CONDITIONS``)."""
    from raftcore.scenarios import CONDITIONS

    rows = ["| Condition | Holds when | Example |", "|---|---|---|"]
    for cond in CONDITIONS.values():
        rows.append(f"| {_code(cond.syntax)} | {_cell(cond.doc)} | {_code(cond.example)} |")
    return "\n".join(rows)


def example_scenario() -> str:
    """The worked example's scenario file, as a code block."""
    from raftcore.scenarios import scenario_text

    text = scenario_text(EXAMPLE_SCENARIO).rstrip("\n")
    return f'```text title="raftcore/scenarios/library/{EXAMPLE_SCENARIO}.txt"\n{text}\n```'


# ------------------------------------------------------------------ errors and their fixes

_GOOD_BLOCK = """\
scenario: guide_example
id: s13
servers: [A, B, C]
controls:
  - {kind: client, command: "INC x"}
listings:
  - name: raftcore.node:RaftNode.apply_committed
    caption: "every replica runs THIS loop"
unsafe:
  switch: nondeterministic_state_machine
invariants: [state_machine_safety]"""


def _page(block: str, after: str = "") -> str:
    return f"# Scene 13 · My scene\n\n```raft-scene\n{block}\n```\n{after}"


@dataclass(frozen=True)
class ErrorCase:
    """A mistake an author can make: the broken input, the line the message must point at
    (the first line containing ``where``), and the fix in words."""

    title: str
    kind: str  # "page" (a Markdown page) or "scenario" (a scenario file, run strictly)
    text: str
    where: str
    fix: str

    @property
    def path(self) -> str:
        return GUIDE_PAGE if self.kind == "page" else GUIDE_SCENARIO

    @property
    def line(self) -> int:
        """1-based line of the input that holds the mistake."""
        for i, line in enumerate(self.text.splitlines(), 1):
            if self.where in line:
                return i
        raise ValueError(f"{self.title}: {self.where!r} is not in its text")


ERROR_CASES: tuple[ErrorCase, ...] = (
    ErrorCase("A misspelt option", "page", _page(_GOOD_BLOCK.replace("id: s13", "id: s13\nsed: 7")), "sed: 7",
              "Spell the option as the option table does: `seed: 7`."),
    ErrorCase("A scenario that does not exist yet", "page",
              _page(_GOOD_BLOCK.replace("scenario: guide_example", "scenario: scene13")), "scenario: scene13",
              "Write `raftcore/scenarios/library/scene13.txt` first; a scenario's name is its file name without "
              "`.txt`."),
    ErrorCase("Servers that are not the scenario's", "page",
              _page(_GOOD_BLOCK.replace("servers: [A, B, C]", "servers: [S1, S2, S3]")), "```raft-scene",
              "List the names of the scenario's `cluster` line, in its order — or leave `servers:` out."),
    ErrorCase("A listing that names no function", "page",
              _page(_GOOD_BLOCK.replace("RaftNode.apply_committed", "RaftNode.apply_entries")),
              "RaftNode.apply_entries",
              "Name a function as `package.module:Class.function` — open the module's source page to check."),
    ErrorCase("A control kind that does not exist", "page",
              _page(_GOOD_BLOCK.replace("{kind: client, command: \"INC x\"}", "{kind: slider, target: C}")),
              "kind: slider", "Use a kind of the control table, or add a control module (see above)."),
    ErrorCase("A control without a required key", "page",
              _page(_GOOD_BLOCK.replace("{kind: client, command: \"INC x\"}", "{kind: link_delay, max_ms: 500}")),
              "kind: link_delay",
              "Add the key the message names (the control table marks required keys): `target: C`."),
    ErrorCase("An invariant the panel does not know", "page",
              _page(_GOOD_BLOCK.replace("[state_machine_safety]", "[state_machine_safty]")),
              "invariants:", "Use a name from the message's list: `state_machine_safety`."),
    ErrorCase("An unsafe switch that does not exist", "page",
              _page(_GOOD_BLOCK.replace("switch: nondeterministic_state_machine", "switch: clock_in_state_machine")),
              "switch: clock_in_state_machine",
              "Use a switch of `raftcore.config.UNSAFE_SWITCHES`, or add one (see above)."),
    ErrorCase("Broken YAML", "page", _page(_GOOD_BLOCK.replace('caption: "every replica runs THIS loop"',
                                                               'caption: "every replica runs THIS loop')),
              'caption: "every replica', "Close the quote (or the bracket) the message points at."),
    ErrorCase("Listings placed for a scene that is not on the page", "page",
              _page(_GOOD_BLOCK, "\n```raft-listings\nscene: s12\n```\n"), "```raft-listings",
              "Name the `id:` of a ```` ```raft-scene ```` block above it (or leave `scene:` out when the page "
              "has one scene)."),
    ErrorCase("A “Defend it” block for a scene without a switch", "page",
              _page(_GOOD_BLOCK.replace("unsafe:\n  switch: nondeterministic_state_machine\n", ""),
                    "\n```raft-defend\nscene: s13\n```\n"), "```raft-defend",
              "Give the scene an `unsafe:` switch, or remove the ```` ```raft-defend ```` block."),
    ErrorCase("A command the scenario language does not have", "scenario",
              "cluster 3 names=A,B,C seed=13\nelec A\nwait leader A within 500ms\n", "elec A",
              "Use a command of the table above: `elect A`."),
    ErrorCase("An expectation that does not hold", "scenario",
              "cluster 3 names=A,B,C seed=13\nelect A\nwait leader B within 500ms\n", "wait leader B",
              "Make the script say what really happens (run it and read the `status`), or fix the scenario."),
)


def _convert_page(text: str, path: str) -> None:
    """Convert a page with the site's scene fences exactly as MkDocs would (errors raise)."""
    import markdown

    from raftsite import markdown_ext
    from raftsite.plugin.fences import custom_fences

    with markdown_ext.converting(path):  # then back to the page MkDocs is converting
        markdown_ext.check_markdown(text, path)
        md = markdown.Markdown(extensions=[
            "pymdownx.superfences", markdown_ext.RaftSceneExtension()],
            extension_configs={"pymdownx.superfences": {"custom_fences": custom_fences()}})
        md.convert(text)


def error_message(case: ErrorCase) -> str | None:
    """What the build (a page) or the tests (a scenario file, run strictly) say about ``case``:
    the real message of the real code, or None if nothing complains."""
    from raftcore.scenarios import Scenario, ScenarioError
    from raftsite.markdown_ext import SceneBlockError

    if case.kind == "page":
        try:
            _convert_page(case.text, case.path)
        except SceneBlockError as exc:
            return str(exc)
        return None
    try:
        Scenario.parse(case.text, source=case.path).run_all()
    except ScenarioError as exc:
        return str(exc)
    return None


def _fence(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`{3,}", text)), default=2)
    return "`" * max(3, longest + 1)


def error_examples() -> str:
    """Each mistake of :data:`ERROR_CASES`, the message the build gives and the fix."""
    out = []
    for case in ERROR_CASES:
        msg = error_message(case)
        if msg is None:
            raise RuntimeError(f"authoring guide: the error example {case.title!r} no longer fails; update it")
        lang = "markdown" if case.kind == "page" else "text"
        fence = _fence(case.text)
        who = "The build stops with" if case.kind == "page" else "Its test fails with"
        out.append(
            f"### {case.title}\n\n"
            f'{fence}{lang} title="{case.path}" linenums="1" hl_lines="{case.line}"\n{case.text.rstrip()}\n{fence}\n\n'
            f"{who}:\n\n"
            f'```text\n{msg}\n```\n\n'
            f"**Fix:** {case.fix}\n"
        )
    return "\n".join(out)


# ------------------------------------------------------------------ placeholders

_GENERATED: dict[str, Callable[[], str]] = {
    "option_table": option_table,
    "control_table": control_table,
    "draw_table": draw_table,
    "command_table": command_table,
    "condition_table": condition_table,
    "error_examples": error_examples,
    "example_scenario": example_scenario,
}


class _Placeholders(Mapping):
    """The plugin's build information plus the guide's generated parts, each computed when a
    page first uses it (so ``mkdocs serve`` shows the code as it is now)."""

    def __init__(self, info: Mapping[str, str]):
        self.info = info
        self._cache: dict[str, str] = {}

    def __getitem__(self, key: str) -> str:
        if key in self.info:
            return self.info[key]
        if key not in _GENERATED:
            raise KeyError(key)
        if key not in self._cache:
            self._cache[key] = _GENERATED[key]()
        return self._cache[key]

    def __iter__(self):
        yield from self.info
        yield from (k for k in _GENERATED if k not in self.info)

    def __len__(self) -> int:
        return len(set(self.info) | set(_GENERATED))


def placeholders(info: Mapping[str, str]) -> Mapping[str, str]:
    """``info`` (the plugin's ``raft.*`` build information) with the guide's names added."""
    return _Placeholders(info)
