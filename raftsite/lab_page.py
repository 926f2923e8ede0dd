"""The lab page's markup, generated at build time from the lab's own table of settings.

A ```` ```raft-lab ```` fence (a pymdownx.superfences custom fence, see ``mkdocs.yml``)
becomes the lab: a form with one labelled control per entry of
:data:`raftcore.lab.SETTINGS` — cluster size, fault rates, nemesis frequencies, membership
and snapshots, simulated duration, number of runs, base seed — and one checkbox per
:data:`raftcore.UNSAFE_SWITCHES` entry, so neither list can drift from the engine; then the
Run/Stop buttons, a progress bar, a polite status line and the (empty) result tables that
``assets/raft/lab.mjs`` fills while the runs go on in the reader's browser.

The fence takes one option, ``replay:`` — the replay page's path in ``docs/`` (as ``nav:``
names pages); the failing runs link there. A bad option fails the build with
``page:line: raft-lab: reason``.

Build-time module (PyYAML and the Markdown extension, imported only when a page is built).
"""

from __future__ import annotations

import posixpath
from pathlib import Path

from raftsite.markup import esc

__all__ = ["fence_format", "fence_validator", "form_html", "lab_html", "docs_page_url", "GROUPS", "LabFenceError"]


#: Fieldsets of the form, in order: (legend, setting names). A setting the lab gains later
#: and that is in none of them lands in "More settings" — never off the page.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Runs", ("runs", "seed", "duration", "size", "clients", "client_timeout", "think")),
    ("Network faults", ("loss", "duplicate", "reorder", "delay")),
    ("Nemesis", ("partitions", "crashes", "slow", "flaky", "churn", "swarm")),
    ("Raft features", ("pre_vote", "check_quorum", "membership", "snapshots", "batch")),
    ("Unsafe switches", ("unsafe",)),
)


class LabFenceError(ValueError):
    """A bad ``replay:`` value (the fence turns it into a ``page:line`` build error)."""


def _num(x) -> str:
    x = float(x)
    return str(int(x)) if x == int(x) else f"{x:g}"


def _input(item: dict) -> str:
    """One setting's control, labelled, with its help text as the description."""
    name, kind = item["name"], item["kind"]
    fid = f"lab-{name}"
    help_id = f"{fid}-help"
    label = item["label"][:1].upper() + item["label"][1:]
    helptext = esc(item["help"])
    if kind == "bool":
        checked = " checked" if item["default"] else ""
        return (f'<div class="raft-lab__field raft-lab__field--check">'
                f'<input type="checkbox" id="{fid}" name="{name}" data-setting="{name}" data-kind="bool"'
                f' aria-describedby="{help_id}"{checked} disabled>'
                f' <label for="{fid}">{esc(label)}</label>'
                f' <span class="raft-lab__help" id="{help_id}">{helptext}</span></div>')
    if kind == "switches":
        boxes = []
        for sw, rule in item["choices"].items():
            sid = f"{fid}-{sw}"
            on = " checked" if sw in item["default"] else ""
            boxes.append(
                f'<div class="raft-lab__field raft-lab__field--check raft-lab__switch">'
                f'<input type="checkbox" id="{sid}" name="{name}" value="{esc(sw)}" data-setting="{name}"'
                f' data-kind="switch" aria-describedby="{sid}-help"{on} disabled>'
                f' <label for="{sid}"><code>{esc(sw)}</code></label>'
                f' <span class="raft-lab__help" id="{sid}-help">{esc(rule)}</span></div>')
        return "".join(boxes)
    attrs = ""
    if "min" in item:
        attrs += f' min="{_num(item["min"])}" max="{_num(item["max"])}"'
    span = f' ({_num(item["min"])}–{_num(item["max"])})' if "min" in item else ""
    step = "1" if kind == "int" else "any"
    mode = "numeric" if kind == "int" else "decimal"
    return (f'<div class="raft-lab__field">'
            f'<label for="{fid}">{esc(label)}</label> '
            f'<input type="number" id="{fid}" name="{name}" data-setting="{name}" data-kind="{kind}"'
            f' value="{_num(item["default"])}" step="{step}" inputmode="{mode}"{attrs}'
            f' aria-describedby="{help_id}" required disabled>'
            f' <span class="raft-lab__help" id="{help_id}">{helptext}'
            f'{span}</span></div>')


def form_html() -> str:
    """The settings form: every lab setting and every unsafe switch, grouped in fieldsets."""
    from raftcore.lab import settings_schema

    items = {item["name"]: item for item in settings_schema()}
    placed: set[str] = set()
    sets = []
    groups = list(GROUPS)
    rest = tuple(n for n in items if not any(n in names for _, names in GROUPS))
    if rest:
        groups.append(("More settings", rest))
    for legend, names in groups:
        fields = [items[n] for n in names if n in items]
        if not fields:
            continue
        placed.update(f["name"] for f in fields)
        note = ""
        if legend == "Unsafe switches":
            note = ('<p class="raft-lab__note">Each switch removes one rule of the algorithm. With all of them off '
                    'no run may fail; with any one on, a few dozen runs should catch it.</p>')
        sets.append(f'<fieldset class="raft-lab__group"><legend>{esc(legend)}</legend>{note}'
                    + "".join(_input(f) for f in fields) + "</fieldset>")
    assert placed == set(items), "every lab setting has a control"
    return "".join(sets)


def lab_html(replay_url: str, script_url: str) -> str:
    """The whole lab: form, buttons, progress, status, message, result tables (empty)."""
    return f"""<div class="raft-lab" id="lab" data-replay="{esc(replay_url)}" data-state="static">
<form class="raft-lab__form" data-role="lab-form" novalidate aria-describedby="lab-status">
{form_html()}
<div class="raft-lab__actions">
<button type="submit" class="md-button md-button--primary raft-btn" data-action="lab-run" disabled>Run</button>
<button type="button" class="md-button raft-btn" data-action="lab-stop" disabled>Stop</button>
<button type="button" class="md-button raft-btn" data-action="lab-defaults" disabled>Default settings</button>
</div>
</form>
<p class="raft-scene__message raft-lab__message" role="alert" data-role="lab-message" hidden></p>
<div class="raft-lab__progress">
<label for="lab-progress">Runs done</label>
<progress id="lab-progress" data-role="lab-progress" max="1" value="0"></progress>
<span data-role="lab-count" aria-hidden="true"></span>
</div>
<p class="raft-scene__status raft-lab__status" id="lab-status" role="status" aria-live="polite" data-role="lab-status">The form is ready once Python has started in your browser.</p>
<section class="raft-lab__results" data-role="lab-results" aria-label="Results" hidden>
<table class="raft-lab__table" data-role="lab-properties">
<caption>Safety: in how many runs each property held</caption>
<thead><tr><th scope="col">Property</th><th scope="col">Held</th><th scope="col">Runs</th><th scope="col">Failed</th></tr></thead>
<tbody></tbody>
</table>
<table class="raft-lab__table" data-role="lab-availability">
<caption>Availability</caption>
<thead><tr><th scope="col">Figure</th><th scope="col">Value</th></tr></thead>
<tbody></tbody>
</table>
<table class="raft-lab__table" data-role="lab-faults">
<caption>What the nemesis did, over all runs</caption>
<thead><tr><th scope="col">Fault</th><th scope="col">Times</th></tr></thead>
<tbody></tbody>
</table>
<table class="raft-lab__table raft-lab__failures" data-role="lab-failures" hidden>
<caption>Failing runs</caption>
<thead><tr><th scope="col">Seed</th><th scope="col">What failed</th><th scope="col">At</th><th scope="col">Step</th><th scope="col">Checker's report</th><th scope="col">Replay</th></tr></thead>
<tbody></tbody>
</table>
<p class="raft-lab__cli">The same runs on the command line: <code data-role="lab-cli"></code></p>
</section>
</div>
<script type="module" src="{esc(script_url)}"></script>"""


# ------------------------------------------------------------------ the fence


def docs_page_url(target: str) -> str:
    """Site-root URL of a page given by its path in ``docs/`` (as ``nav:`` names pages):
    ``lab/replay.md`` -> ``lab/replay/`` (directory URLs, MkDocs' default and this site's)."""
    path = posixpath.normpath(target.strip().lstrip("/"))
    if not path.endswith(".md") or path.startswith(".."):
        raise LabFenceError(f"replay must be a page's path in docs/, e.g. lab/replay.md (got {target!r})")
    stem = path[:-3]
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def _fence_line(path: str) -> int | None:
    """The line of the page's ```` ```raft-lab ```` opener (errors say ``page:line``)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for i, line in enumerate(lines):
        if line.lstrip().startswith(("```raft-lab", "~~~raft-lab")):
            return i + 1
    return None


def _fail(reason: str):
    """A ``page:line: raft-lab: reason`` error that stops the build (a SuperFencesException)."""
    from raftsite.markdown_ext import SceneBlockError, current_page

    path = current_page().path
    return SceneBlockError(path, _fence_line(path), f"raft-lab: {reason}")


def fence_validator(language, inputs, options, attrs, md):
    if inputs or attrs:
        raise _fail("the fence takes no options on its first line; write them in the block")
    return True


def fence_format(source, language, class_name, options, md, **kwargs):
    import yaml

    from raftsite import markdown_ext

    try:
        data = yaml.safe_load(source) if source.strip() else {}
    except yaml.YAMLError as exc:
        raise _fail(f"bad YAML: {exc}") from None
    if not isinstance(data, dict) or set(data) - {"replay"} or "replay" not in data:
        raise _fail("the block needs exactly one option, 'replay: <the replay page in docs/, e.g. lab/replay.md>'")
    target = data["replay"]
    if not isinstance(target, str) or not target.strip():
        raise _fail(f"replay must be a page's path in docs/, e.g. lab/replay.md (got {target!r})")
    try:
        url = docs_page_url(target)
    except LabFenceError as exc:
        raise _fail(str(exc)) from None
    replay = markdown_ext.page_relative(url)
    script = markdown_ext.page_relative("assets/raft/lab.mjs")
    return lab_html(replay, script)
