"""The options of a ```` ```raft-scene ```` block: one data structure, one validator.

``SCHEMA`` is the single source of truth for what an author may write in a scene block.
The validator walks it; the authoring guide's option table can be generated from it
(``option_table_markdown()``).

Errors carry the line inside the block's YAML body (0-based, relative to the first body
line) so the Markdown extension can report ``page.md:LINE: reason``.

Build-time module (imports PyYAML); never imported in the browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

import yaml

from raftcore.check import INVARIANT_LABELS

from raftsite.blocks.fields import Field
from raftsite.layers import RENDERER_DRAWINGS

__all__ = [
    "Option",
    "Field",
    "SCHEMA",
    "SPEEDS",
    "INVARIANTS",
    "control_kinds",
    "DRAW",
    "BlockError",
    "validate_block",
    "option_table_markdown",
    "control_table_markdown",
]


class BlockError(ValueError):
    """A bad scene block. ``line`` is 0-based within the YAML body, or None (the fence line)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


#: Speeds offered by the speed selector: simulated milliseconds per wall-clock millisecond.
SPEEDS: tuple[float, ...] = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0)

#: Invariants the panel can show, in display order: key -> label (the checker's own).
#: ``linearizability`` is watched only when the scenario asks (`cluster … linearizability=on`).
INVARIANTS: dict[str, str] = dict(INVARIANT_LABELS)

#: Packages a listing may come from (the plugin generates their source pages).
LISTING_PACKAGES: tuple[str, ...] = ("raftcore",)

_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,31}$")
_ID_RE = re.compile(r"^[a-z][a-z0-9-]{0,39}$")


def control_kinds() -> dict[str, dict[str, Field]]:
    """kind -> its fields, from the control modules (:mod:`raftsite.controls`)."""
    from raftsite.controls import registry

    return {kind: cls.all_fields() for kind, cls in registry().items()}


#: What a scene may ask the renderer to draw besides servers, logs and messages (name -> what
#: it draws), from the one list of them (:data:`raftsite.layers.RENDERER_DRAWINGS`).
DRAW: dict[str, str] = {name: d.doc for name, d in RENDERER_DRAWINGS.items()}


@dataclass(frozen=True)
class Option:
    """A top-level key of a scene block."""

    name: str
    type: str  # shown in the option table
    doc: str
    required: bool = False
    default: Any = None
    example: str = ""
    check: Callable[[Any, "Context"], Any] | None = field(default=None, compare=False, repr=False)


@dataclass
class Context:
    """What the checks may consult (injected so tests can stub the runtime)."""

    scenario_names: Callable[[], set[str]]
    unsafe_switches: Callable[[], dict[str, str]]
    resolve_listing: Callable[[str], Any]
    line_of: Callable[[tuple], int | None] = lambda path: None


# --------------------------------------------------------------------------- checks


def _fail(msg: str, ctx: Context, path: tuple) -> BlockError:
    return BlockError(msg, ctx.line_of(path))


def _check_id(v, ctx):
    if not isinstance(v, str) or not _ID_RE.match(v):
        raise _fail(f"id must be lowercase letters, digits and '-', starting with a letter (got {v!r})", ctx, ("id",))
    return v


def _check_scenario(v, ctx):
    if not isinstance(v, str):
        raise _fail(f"scenario must be a name (got {v!r})", ctx, ("scenario",))
    names = ctx.scenario_names()
    if v not in names:
        known = ", ".join(sorted(names)) or "(none)"
        raise _fail(f"unknown scenario {v!r}; known scenarios: {known}", ctx, ("scenario",))
    return v


def _check_seed(v, ctx):
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < 2**31:
        raise _fail(f"seed must be an integer between 0 and 2147483647 (got {v!r})", ctx, ("seed",))
    return v


def _check_servers(v, ctx):
    if not isinstance(v, list) or not v or not all(isinstance(s, str) for s in v):
        raise _fail(f"servers must be a non-empty list of names (got {v!r})", ctx, ("servers",))
    for i, s in enumerate(v):
        if not _NAME_RE.match(s):
            raise _fail(f"server name {s!r} must be a short identifier", ctx, ("servers", i))
    if len(set(v)) != len(v):
        raise _fail(f"servers has duplicate names: {v!r}", ctx, ("servers",))
    return list(v)


def _check_layout(v, ctx):
    from raftsite.render import LAYOUTS

    if v not in LAYOUTS:
        raise _fail(f"layout must be one of {', '.join(LAYOUTS)} (got {v!r})", ctx, ("layout",))
    return v


def _check_height(v, ctx):
    if isinstance(v, bool) or not isinstance(v, int) or not 200 <= v <= 1600:
        raise _fail(f"height must be an integer number of pixels between 200 and 1600 (got {v!r})", ctx, ("height",))
    return v


def _check_speed(v, ctx):
    if isinstance(v, bool) or not isinstance(v, (int, float)) or float(v) not in SPEEDS:
        allowed = ", ".join(f"{s:g}" for s in SPEEDS)
        raise _fail(f"speed must be one of {allowed} (got {v!r})", ctx, ("speed",))
    return float(v)


def _check_text(name):
    def check(v, ctx):
        if not isinstance(v, str) or not v.strip():
            raise _fail(f"{name} must be non-empty text (got {v!r})", ctx, (name,))
        return v.strip()

    return check


def _check_mapping(v, fields: dict[str, Field], ctx, path: tuple, what: str) -> dict:
    if not isinstance(v, dict):
        raise _fail(f"{what} must be a mapping with keys {', '.join(fields)} (got {v!r})", ctx, path)
    out = {}
    for key in v:
        if key not in fields:
            raise _fail(f"unknown key {key!r} in {what}; allowed: {', '.join(fields)}", ctx, path + (key,))
    for key, f in fields.items():
        if key not in v:
            if f.required:
                raise _fail(f"{what} needs {key!r}", ctx, path)
            out[key] = f.default
            continue
        val = v[key]
        kpath = path + (key,)
        if f.type in ("str", "server", "listing", "unsafe_switch"):
            if not isinstance(val, str) or not val.strip():
                raise _fail(f"{what}: {key} must be non-empty text (got {val!r})", ctx, kpath)
            val = val.strip()
        elif f.type == "bool":
            if not isinstance(val, bool):
                raise _fail(f"{what}: {key} must be true or false (got {val!r})", ctx, kpath)
        elif f.type == "int":
            if isinstance(val, bool) or not isinstance(val, int):
                raise _fail(f"{what}: {key} must be an integer (got {val!r})", ctx, kpath)
            if (f.minimum is not None and val < f.minimum) or (f.maximum is not None and val > f.maximum):
                raise _fail(f"{what}: {key} must be between {f.minimum} and {f.maximum} (got {val})", ctx, kpath)
        if f.type == "listing":
            if val.split(":")[0].split(".")[0] not in LISTING_PACKAGES:
                raise _fail(
                    f"unknown listing {val!r}: listings come from {', '.join(LISTING_PACKAGES)} "
                    "(the packages the site publishes source pages for)", ctx, kpath)
            try:
                ctx.resolve_listing(val)
            except ValueError as exc:  # ListingError
                raise _fail(f"unknown listing: {exc}", ctx, kpath) from None
        if f.type == "unsafe_switch":
            switches = ctx.unsafe_switches()
            if val not in switches:
                known = ", ".join(sorted(switches))
                raise _fail(f"unknown unsafe switch {val!r}; known switches: {known}", ctx, kpath)
        out[key] = val
    return out


LISTING_FIELDS: dict[str, Field] = {
    "name": Field("listing", "qualified name `package.module:Class.function`, resolved with `ast`", True),
    "caption": Field("str", "one line under the title, in the seed's voice (\"every replica runs THIS loop; …\")", True),
    "title": Field("str", "heading of the listing (default: `Class.function()`)", False),
}

UNSAFE_FIELDS: dict[str, Field] = {
    "switch": Field("unsafe_switch", "name of a switch in `raftcore.UNSAFE_SWITCHES`", True),
    "label": Field("str", "the checkbox label (default: the switch's one-line description)", False),
}


def _check_listings(v, ctx):
    if not isinstance(v, list):
        raise _fail(f"listings must be a list of {{name, caption}} mappings (got {v!r})", ctx, ("listings",))
    out = [_check_mapping(item, LISTING_FIELDS, ctx, ("listings", i), f"listings[{i}]") for i, item in enumerate(v)]
    names = [x["name"] for x in out]
    if len(set(names)) != len(names):
        raise _fail("listings names the same function twice", ctx, ("listings",))
    return out


def _check_unsafe(v, ctx):
    out = _check_mapping(v, UNSAFE_FIELDS, ctx, ("unsafe",), "unsafe")
    if out["label"] is None:
        out["label"] = ctx.unsafe_switches()[out["switch"]]
    return out


def _check_invariants(v, ctx):
    if not isinstance(v, list) or not v:
        raise _fail(f"invariants must be a non-empty list (got {v!r})", ctx, ("invariants",))
    for i, name in enumerate(v):
        if name not in INVARIANTS:
            raise _fail(
                f"unknown invariant {name!r}; known invariants: {', '.join(INVARIANTS)}", ctx, ("invariants", i)
            )
    return list(dict.fromkeys(v))


def draw_options() -> dict[str, str]:
    """Every ``draw:`` name: the renderer's own options and the layers of :mod:`raftsite.layers`."""
    from raftsite.layers import registry

    return {**DRAW, **{name: cls.doc for name, cls in registry().items()}}


def _check_draw(v, ctx):
    DRAW = draw_options()
    if not isinstance(v, list):
        raise _fail(f"draw must be a list (got {v!r}); known: {', '.join(DRAW)}", ctx, ("draw",))
    for i, name in enumerate(v):
        if name not in DRAW:
            raise _fail(f"unknown draw option {name!r}; known: {', '.join(DRAW)}", ctx, ("draw", i))
    return list(dict.fromkeys(v))


def _check_controls(v, ctx):
    from raftsite.controls import ControlError, registry

    kinds_known = registry()
    if not isinstance(v, list):
        raise _fail(f"controls must be a list of mappings with a 'kind' (got {v!r})", ctx, ("controls",))
    out = []
    for i, item in enumerate(v):
        kind = item.get("kind") if isinstance(item, dict) else None
        if kind not in kinds_known:
            raise _fail(
                f"controls[{i}]: unknown control kind {kind!r}; known kinds: {', '.join(kinds_known)}",
                ctx,
                ("controls", i),
            )
        cls = kinds_known[kind]
        c = _check_mapping(item, cls.all_fields(), ctx, ("controls", i), f"controls[{i}]")
        try:
            c = cls.normalise(c)
        except ControlError as exc:
            raise _fail(f"controls[{i}] ({kind}): {exc}", ctx, ("controls", i)) from None
        out.append(c)
    kinds = [c["kind"] for c in out]
    for k, cls in kinds_known.items():
        if cls.unique and kinds.count(k) > 1:
            raise _fail(f"controls: at most one {k!r} control per scene", ctx, ("controls",))
        for need in cls.needs if k in kinds else ():
            if need not in kinds:
                raise _fail(f"controls: a {k!r} control needs a {need!r} control on the same scene", ctx,
                            ("controls",))
    return out


def _controls_doc() -> str:
    from raftsite.controls import registry

    parts = []
    for kind, cls in registry().items():
        keys = ", ".join(f"`{k}`" for k in cls.fields)
        parts.append(f"`{kind}`" + (f" ({keys})" if keys else ""))
    return ("Scene-specific controls besides the common ones (play/pause, step, speed, reset, seed, click a "
            "server). Kinds: " + ", ".join(parts) + "; see the control table.")


SCHEMA: tuple[Option, ...] = (
    Option("scenario", "name", "Named scenario from `raftcore/scenarios/library/` that drives the diagram.",
           required=True, example="scene01", check=_check_scenario),
    Option("id", "slug", "Element-id prefix, unique on the page (default: the scenario name).",
           example="s01", check=_check_id),
    Option("seed", "integer", "Seed of the simulation (default: the scenario's own). The reader can change it; "
           "`?seed=N` in the address overrides it.", example="7", check=_check_seed),
    Option("servers", "list of names", "Server names, in display order; must match the scenario's cluster.",
           example="[SM_A, SM_B, SM_C]", check=_check_servers),
    Option("layout", "`ring` or `scene01`", "How the renderer places the servers.", default="ring",
           example="scene01", check=_check_layout),
    Option("height", "pixels", "Height of the diagram (default: from the SVG's aspect ratio).",
           example="480", check=_check_height),
    Option("speed", "number", "Initial speed: simulated ms per real ms (one of the speed selector's values).",
           default=0.25, example="0.25", check=_check_speed),
    Option("title", "text", "Title of the SVG (read by screen readers).", example="Three replicas",
           check=_check_text("title")),
    Option("controls", "list", _controls_doc(), default=[],
           example="[{kind: link_delay, target: SM_C}]", check=_check_controls),
    Option("draw", "list", "Extra things the renderer draws: " + ", ".join(f"`{k}` ({v})" for k, v in draw_options().items())
           + ".", default=[], example="[commit_markers, match_index]", check=_check_draw),
    Option("listings", "list", "Functions of `raftcore` to list, each `{name, caption}`; their executed lines "
           "light up while the simulation runs. Place them with a ```` ```raft-listings ```` block.", default=[],
           example="[{name: 'raftcore.node:RaftNode.apply_committed', caption: '…'}]", check=_check_listings),
    Option("unsafe", "mapping", "The \"Defend it\" switch `{switch, label}`: removes one rule of the algorithm. "
           "Place it with a ```` ```raft-defend ```` block.", example="{switch: nondeterministic_state_machine}",
           check=_check_unsafe),
    Option("invariants", "list", "Invariants shown in the panel (default: all but `linearizability`, which the "
           "scenario must ask for with `linearizability=on`).",
           default=[k for k in INVARIANTS if k != "linearizability"],
           example="[state_machine_safety]", check=_check_invariants),
)

_BY_NAME = {o.name: o for o in SCHEMA}


def _line_index(text: str) -> Callable[[tuple], int | None]:
    """Map a key path (('listings', 0, 'name')) to the 0-based line of that node in ``text``."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return lambda path: None

    def line_of(path: tuple) -> int | None:
        node = root
        line = None
        for part in path:
            if isinstance(node, yaml.MappingNode):
                for k, val in node.value:
                    if k.value == part:
                        line = k.start_mark.line
                        node = val
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
                line = node.start_mark.line
            else:
                return line
        return line

    return line_of


def default_context() -> Context:
    def scenario_names() -> set[str]:
        from raftcore.scenarios import SCENARIO_NAMES

        return set(SCENARIO_NAMES)

    def unsafe_switches() -> dict[str, str]:
        from raftcore import UNSAFE_SWITCHES

        return dict(UNSAFE_SWITCHES)

    def resolve_listing(name: str):
        from raftsite.listings import resolve

        return resolve(name)

    return Context(scenario_names, unsafe_switches, resolve_listing)


def validate_block(text: str, ctx: Context | None = None) -> dict:
    """Parse and validate a block's YAML body; return the normalised options (defaults filled in)."""
    ctx = ctx or default_context()
    try:
        data = yaml.safe_load(text) if text.strip() else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        context, cmark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if cmark is not None and str(context).startswith(("while scanning", "while parsing a flow")):
            # an unclosed quote, bracket or key: the mistake is where it opened, not where YAML gave up
            mark, problem = cmark, f"{context} that starts on this line: {problem} (a quote or bracket left open?)"
        raise BlockError(f"bad YAML: {problem}", mark.line if mark else None) from None
    if not isinstance(data, dict):
        raise BlockError("the block body must be a YAML mapping of options, e.g. 'scenario: scene01'", 0)
    ctx.line_of = _line_index(text)
    for key in data:
        if key not in _BY_NAME:
            raise BlockError(
                f"unknown key {key!r}; allowed keys: {', '.join(o.name for o in SCHEMA)}", ctx.line_of((key,))
            )
    out: dict[str, Any] = {}
    for opt in SCHEMA:
        if opt.name in data:
            value = data[opt.name]
            out[opt.name] = opt.check(value, ctx) if opt.check else value
        elif opt.required:
            raise BlockError(f"missing required key {opt.name!r}", None)
        else:
            out[opt.name] = opt.default
    if out["id"] is None:
        out["id"] = re.sub(r"[^a-z0-9-]+", "-", out["scenario"].lower()).strip("-") or "scene"
    for c in out["controls"]:
        if out["servers"] and c.get("target") and c["target"] not in out["servers"]:
            raise BlockError(f"control target {c['target']!r} is not one of the servers {out['servers']}",
                             ctx.line_of(("controls",)))
    return out


def option_table_markdown() -> str:
    """The authoring guide's option table, generated from ``SCHEMA``."""
    rows = ["| Option | Type | Required | Default | Meaning | Example |", "|---|---|---|---|---|---|"]
    for o in SCHEMA:
        default = "" if o.default in (None, [], {}) else f"`{o.default}`"
        rows.append(
            f"| `{o.name}` | {o.type} | {'yes' if o.required else ''} | {default} | {o.doc} | `{o.example}` |"
        )
    return "\n".join(rows)


def control_table_markdown() -> str:
    """The authoring guide's control table, generated from the control modules."""
    from raftsite.controls import registry

    rows = ["| Kind | What the reader gets | Keys | Example |", "|---|---|---|---|"]
    for kind, cls in registry().items():
        keys = "<br>".join(
            f"`{k}`{' (required)' if f.required else ''}: {f.doc}"
            + ("" if f.default is None else f" (default `{f.default}`)")
            for k, f in cls.fields.items()
        ) or "—"
        notes = []
        if cls.unique:
            notes.append("at most one per scene")
        if cls.needs:
            notes.append("needs " + ", ".join(f"`{n}`" for n in cls.needs))
        doc = cls.doc + (f" ({'; '.join(notes)})" if notes else "")
        rows.append(f"| `{kind}` | {doc} | {keys} | `{cls.example}` |")
    return "\n".join(rows)
