"""The playground (``docs/playground.md``): one cluster of 1–9 servers with the reader in charge.

The run is a :class:`raftsite.playground.PlaygroundRun` this control supplies instead of the
block's scenario (:meth:`Control.start_run`): every reader action — a crash, a partition, a
slider moved, an unsafe switch — goes through :meth:`Playground.set`, which has the run apply
it at the next tenth of a millisecond and adds it to the run's script, so the whole run fits
in the address (``?pg=v1.…``, see :mod:`raftsite.playground`) and replays exactly from it.

The page module (``assets/raft/controls/playground.mjs``) calls only :meth:`action`
(``Scene.control_action``): an action goes through ``Scene.set_control`` so the scene treats
it as any reader intervention (its stepper forgets the stops after now; a settings change
restarts the scene), and the answer carries the scene's updates plus the run's link and
trace hash. Python writes markup strings; the page module puts them in the page.

Time travel is the ``timeline`` control listed before this one in the block: its
:class:`~raftcore.sim.recording.Recording` replays the run, actions included, from any
snapshot; after each action this control tells the recording that the future it holds is
no longer this run's (``Recording.intervened``).
"""

from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import parse_qsl

from raftcore import UNSAFE_SWITCHES
from raftsite.controls.base import Control, esc
from raftsite.layers import Layer, frame_view, partitions
from raftsite.markup import fmt
from raftsite.playground import (MAX_SERVERS, READ_CODES, UNSAFE_CODES, LinkError, PlaygroundRun, Settings,
                                 decode)

__all__ = ["Playground"]

_CODE_OF = {name: code for code, name in UNSAFE_CODES.items()}
_READ_LABELS = {"log": "through the log", "read_index": "ReadIndex", "lease": "leader lease"}
SNAPSHOT_CHOICES = (0, 5, 10, 20, 50)
PAUSE_CHOICES = (100, 300, 1000, 3000)
DELAY_CHOICES = (0, 20, 50, 100, 200, 500)
SIDES = ("A", "B", "C")


class _NoScript:
    """The scene's stepper asks a run's scenario for its story's steps; the playground has
    none (the reader writes the story), so Next ▶ runs 500 ms at a time."""

    @staticmethod
    def mark_labels() -> list[str]:
        return []


class PausedLayer(Layer):
    """A pill "paused until t" over each server whose process the reader paused: the view
    (what a cluster is drawn from) knows nothing of pauses — they are the playground's, its
    run keeps them — so the control that owns the run draws them."""

    name = "playground_paused"
    doc = "the playground's paused servers"
    z = "over"

    def __init__(self, control):
        super().__init__({})
        self.control = control

    def draw(self, renderer) -> str:
        run = self.control.run
        if run is None or not run.paused:
            return ""
        out = []
        r = renderer.r
        for g in renderer.servers:
            until = run.paused.get(g.name)
            if until is None:
                continue
            text = f"paused until {until:.0f} ms"
            w = 7.2 * len(text) * (renderer.size.small / 12.0) + 10.0
            # under the server's letter, inside the drawing even for a server at its edge
            x = min(max(g.cx - w / 2, 2.0), renderer.width - w - 2.0)
            y = g.cy + r * 0.45
            out.append(f'<g class="raft-paused"><rect x="{fmt(x)}" y="{fmt(y)}" width="{fmt(w)}" '
                       f'height="{fmt(renderer.size.small + 6)}" rx="4"/><text class="raft-small" x="{fmt(x + w / 2)}" '
                       f'y="{fmt(y + renderer.size.small + 1.5)}" text-anchor="middle">{esc(text)}</text></g>')
        return "".join(out)


class Playground(Control):
    kind = "playground"
    doc = ("the playground: the run is the reader's, 1–9 servers, every fault, extension and unsafe switch as an "
           "action recorded with its simulated time, and a Copy link that replays the exact run (list a "
           "`timeline` before it for time travel)")
    fields = {}
    unique = True
    js = "playground"
    reel = False  # the run comes from the address (raftsite.reels)
    example = "{kind: playground}"

    # ------------------------------------------------------------------ build time

    @classmethod
    def html(cls, c, scene_id):
        sid = esc(scene_id)
        return (
            f'<span class="raft-control raft-pg-bar" role="group" aria-label="Share this run">'
            f'<button type="button" class="md-button raft-btn" data-pg="link" disabled>Copy link</button> '
            f'<label class="raft-pg-bar__link">Link to this run <input type="text" readonly '
            f'id="{sid}-pg-link" data-role="pg-link" value="" disabled></label> '
            f'<span class="raft-pg-bar__said" data-role="pg-said" role="status"></span>'
            f'<span data-panel="pg-violation"></span></span>'
        )

    @classmethod
    def panel_html(cls, c, scene_id):
        inner = _panel_inner(Settings())
        return (f'<section class="raft-scene__panel raft-pg" data-role="playground" aria-label="Playground controls">'
                f'{inner}</section>')

    # ------------------------------------------------------------------ in the browser

    def __init__(self, scene, c):
        super().__init__(scene, c)
        self.settings = Settings()
        self.pending = None  # (script, tenths) a link asked for, taken by the next start_run
        self.notes: list[str] = []
        self.opened = ""  # the pg value the page opened with
        self.run: PlaygroundRun | None = None
        self.restarts = 0
        self._open_at = 0  # tenths of a ms the next run opens at (a link's moment)
        query = dict(parse_qsl(str(scene.config.get("query") or "").lstrip("?"), keep_blank_values=True))
        if "pg" in query:
            self._take_link(query["pg"])

    def _take_link(self, text: str) -> None:
        d = decode(text)
        self.opened = str(text)
        self.settings = d.settings
        self.notes = list(d.notes)
        self.pending = (d.script, d.tenths)
        self.scene.seed = d.settings.seed  # the link's seed wins over ?seed=

    def start_run(self):
        if self.scene.seed is not None:  # the toolbar's seed (Reset with another seed) or the address's
            self.settings = replace(self.settings, seed=int(self.scene.seed))
        script, tenths = self.pending or ((), 0)
        self.pending = None
        self.run = PlaygroundRun(self.settings, script, notes=self.notes)
        self.notes = []
        self.run.scenario = _NoScript()
        self._open_at = tenths
        return self.run

    def attach(self, cluster, run):
        self.restarts += 1
        if run is not self.run:
            return
        t = self._open_at / 10
        self._open_at = 0
        if t > 0:
            tl = self._timeline()
            if tl is not None:
                tl.rec.advance_to(t)  # recorded on the way: the reader can scrub back before the link's moment
            run.run_to(t)

    def _timeline(self):
        tl = next((c for c in self.scene.controls if c.kind == "timeline"), None)
        if tl is not None and getattr(tl, "rec", None) is not None and tl.rec.run is self.run:
            return tl
        return None

    # ------------------------------------------------------------------ the reader acts

    def set(self, target, value):
        """Every reader action. ``target`` names it, ``value`` is its argument as the page module
        sends it; a refusal raises ValueError with the reason (nothing recorded)."""
        run = self.run
        v = str(value if value is not None else "").strip()
        if target == "settings":
            self.settings = _new_settings(self.settings, v)
            self.scene.seed = self.settings.seed
            return True
        if target == "open":
            self._take_link(v)
            return True
        if target == "link":
            run.settle()
            return False
        if target == "violation":
            self.go_to_violation()
            return False
        verb, arg = _verb(target, v, run, frame_view(self.scene.renderer))
        run.act(verb, arg)
        tl = self._timeline()
        if tl is not None:
            tl.rec.intervened()  # the recorded future after now is not this run's any more
        return False

    def go_to_violation(self) -> None:
        """The moment the checker stopped the run — also from an earlier moment the reader
        travelled back to (the run's future is recorded, so the timeline replays to it)."""
        run = self.run
        if run.violation_at is None:
            raise LinkError("no invariant has been violated in this run")
        tl = self._timeline()
        if tl is not None:
            tl.seek(run.violation_at)
        elif run.cluster.now < run.violation_at:
            run.run_to(run.violation_at)

    def action(self, name, arg):
        if name == "status":
            return self.info()
        try:
            out = json.loads(self.scene.set_control(self.kind, name, arg))
        except (LinkError, ValueError) as exc:
            return dict(self.info(), error=_sentence(str(exc)), updates=json.loads(self.scene.advance(0.0)))
        restarted = "svg" in out
        info = self.info()
        if restarted and name == "settings":
            info["said"] = "A new run started with these settings."
        return dict(info, updates=out, restarted=restarted)

    # ------------------------------------------------------------------ state out

    def info(self) -> dict:
        run = self.run
        c = run.cluster
        return {
            "link": run.link(),
            "trace_hash": c.trace_hash(),
            "time": c.now,
            "actions": [a.token() for a in run.script[:run.pc]],
            "future": [a.token() for a in run.script[run.pc:]],
            "notes": list(run.notes),
            "settings": {"size": self.settings.size, "seed": self.settings.seed, "pre_vote": self.settings.pre_vote,
                         "check_quorum": self.settings.check_quorum, "read_mode": self.settings.read_mode,
                         "snapshot_threshold": self.settings.snapshot_threshold},
            "servers": list(c.names),
            "paused": {n: t for n, t in sorted(run.paused.items())},
            "faults": [round(c.network.loss * 100), round(c.network.duplicate * 100), round(c.network.reorder * 100)],
            "rate": run.rate,
            "unsafe": sorted(c.config.unsafe.enabled()),
            "halted": bool(c.halted),
            "violation_at": run.violation_at,
            "restarts": self.restarts,
            "opened": self.opened,
        }

    def panels(self, full):
        """The panels whose inputs changed. Called every frame: each panel is rebuilt only when
        the few values it shows change (building them all costs milliseconds with nine servers)."""
        run = self.run
        if run is None:
            return {}
        view = frame_view(self.scene.renderer)
        c = run.cluster
        net = c.network
        makers = {
            "pg-violation": (run.violation_at, lambda: _violation_html(run.violation_at)),
            "pg-run": (self.settings, lambda: _run_html(self.settings)),
            "pg-servers": ((view.names, view.members, view.blocked, view.link_delays, tuple(sorted(run.paused.items()))),
                           lambda: _servers_html(view, run)),
            "pg-network": ((net.loss, net.duplicate, net.reorder, run.rate), lambda: _network_html(run)),
            "pg-unsafe": (tuple(c.config.unsafe.enabled()), lambda: _unsafe_html(run)),
        }
        built = self.__dict__.setdefault("_built", {})
        html = {}
        for name, (sig, make) in makers.items():
            if full or name not in built or built[name][0] != sig:
                built[name] = (sig, make())
            html[name] = built[name][1]
        return self.fresh(html, full)

    def layers(self):
        if "_paused_layer" not in self.__dict__:
            self._paused_layer = PausedLayer(self)
        return [self._paused_layer]

    def status(self):
        return {"playground": self.info()}


# --------------------------------------------------------------------------- the reader's input


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


def _new_settings(old: Settings, text: str) -> Settings:
    """``name=value`` from the run-settings form; a refused combination says why."""
    name, _, val = text.partition("=")
    name, val = name.strip(), val.strip()
    try:
        if name == "size":
            new = replace(old, size=int(val))
        elif name in ("pre_vote", "check_quorum"):
            if val not in ("on", "off"):
                raise ValueError(f"{name} is on or off, not {val!r}")
            new = replace(old, **{name: val == "on"})
        elif name == "read_mode":
            new = replace(old, read_mode=val)
        elif name == "snapshot_threshold":
            new = replace(old, snapshot_threshold=int(val))
        else:
            raise ValueError(f"no run setting {name!r}")
    except (TypeError, ValueError) as exc:
        if isinstance(exc, LinkError):
            raise
        raise LinkError(f"cannot use {text!r}: {exc}") from None
    return new.check()


def _server(name: str, view) -> str:
    if name not in view.names:
        raise LinkError(f"there is no server {name!r} (servers: {', '.join(view.names)})")
    return name[1:]


def _verb(target: str, v: str, run, view) -> tuple[str, str]:
    """The address's verb and argument for a page action."""
    simple = {"crash": "c", "restart": "r", "timeout": "o", "transfer": "x", "remove": "d"}
    if target in simple:
        return simple[target], _server(v, view)
    if target == "toggle":
        return ("c" if view.server(v).alive else "r"), _server(v, view)
    if target == "pause":
        name, _, ms = v.partition(",")
        if not ms.strip().isdigit():
            raise LinkError(f"a pause needs a whole number of ms, not {ms!r}")
        return "z", f"{_server(name.strip(), view)}-{int(ms)}"
    if target == "add":
        free = [f"S{i}" for i in range(1, MAX_SERVERS + 1) if f"S{i}" not in view.names]
        if v:
            name = v
        elif free:
            name = free[0]
        else:
            removed = [n for n in view.names if n not in view.members]
            if not removed:
                raise LinkError(f"the playground holds at most {MAX_SERVERS} servers")
            name = removed[0]
        if not name.startswith("S") or not name[1:].isdigit() or not 1 <= int(name[1:]) <= MAX_SERVERS:
            raise LinkError(f"the playground's servers are S1 … S{MAX_SERVERS}, not {name!r}")
        return "a", name[1:]
    if target == "side":
        name, _, side = v.partition(",")
        name, side = name.strip(), side.strip().upper()
        _server(name, view)
        if side not in SIDES:
            raise LinkError(f"a server goes to side {', '.join(SIDES)}, not {side!r}")
        wanted = dict(partitions.sides(run.cluster, view))
        wanted[name] = side
        groups: dict[str, list[str]] = {}
        for n in view.names:
            groups.setdefault(wanted.get(n, "A"), []).append(n[1:])
        if len(groups) == 1:
            return "h", ""
        return "p", "-".join("".join(groups[k]) for k in sorted(groups))
    if target == "heal":
        return "h", ""
    if target in ("cut", "delay"):
        parts = [p.strip() for p in v.split(",")]
        if len(parts) < 2:
            raise LinkError("a link needs a server it leaves and a server it reaches")
        src, dst = _server(parts[0], view), _server(parts[1], view)
        if src == dst:
            raise LinkError("pick two different servers for a link")
        if target == "cut":
            return "k", src + dst
        ms = parts[2] if len(parts) > 2 else "0"
        if not ms.isdigit():
            raise LinkError(f"a delay is a whole number of ms, not {ms!r}")
        return "l", f"{src}{dst}-{int(ms)}"
    if target == "faults":
        parts = [p.strip() for p in v.split(",")]
        if len(parts) != 3 or not all(p.isdigit() for p in parts):
            raise LinkError("loss, duplication and reordering are three whole percentages")
        return "n", "-".join(str(int(p)) for p in parts)
    if target == "unsafe":
        name, _, on = v.partition(",")
        if name.strip() not in _CODE_OF:
            raise LinkError(f"no unsafe switch {name.strip()!r}")
        return "u", _CODE_OF[name.strip()] + ("1" if on.strip() == "on" else "0")
    if target == "rate":
        if not v.isdigit():
            raise LinkError(f"a rate is a whole number of operations per second, not {v!r}")
        return "w", str(int(v))
    if target == "write":
        return "s", ""
    if target == "read":
        return "g", ""
    raise LinkError(f"the playground has no action {target!r}")


# --------------------------------------------------------------------------- markup


def _panel_inner(settings: Settings) -> str:
    """The panel as the build writes it: the parts Python fills in while the run goes on."""
    return (
        '<h4 class="raft-scene__heading">Playground</h4>'
        f'<div data-panel="pg-run">{_run_html(settings)}</div>'
        f'<div data-panel="pg-servers"><p class="raft-muted">The servers\' controls appear once Python has '
        f'started.</p></div>'
        '<div data-panel="pg-network"></div>'
        '<div data-panel="pg-unsafe"></div>'
    )


def _options(choices, current, label=lambda x: str(x)) -> str:
    return "".join(f'<option value="{esc(str(x))}"{" selected" if x == current else ""}>{esc(label(x))}</option>'
                   for x in choices)


def _run_html(s: Settings) -> str:
    sizes = _options(range(1, MAX_SERVERS + 1), s.size)
    reads = _options(READ_CODES.values(), s.read_mode, lambda m: _READ_LABELS[m])
    snaps = _options(SNAPSHOT_CHOICES, s.snapshot_threshold, lambda n: "never" if n == 0 else f"every {n} entries")
    check = lambda on: " checked" if on else ""  # noqa: E731
    return (
        '<fieldset class="raft-pg__group"><legend>The run (changing one starts a new run)</legend>'
        f'<label class="raft-control">Servers <select data-pg="settings" data-pg-name="size" '
        f'data-pg-key="size">{sizes}</select></label> '
        f'<label class="raft-control"><input type="checkbox" data-pg="settings" data-pg-name="pre_vote" '
        f'data-pg-key="pre_vote"{check(s.pre_vote)}> PreVote</label> '
        f'<label class="raft-control"><input type="checkbox" data-pg="settings" data-pg-name="check_quorum" '
        f'data-pg-key="check_quorum"{check(s.check_quorum)}> CheckQuorum</label> '
        f'<label class="raft-control">Reads <select data-pg="settings" data-pg-name="read_mode" '
        f'data-pg-key="read_mode">{reads}</select></label> '
        f'<label class="raft-control">Snapshot <select data-pg="settings" data-pg-name="snapshot_threshold" '
        f'data-pg-key="snapshot_threshold">{snaps}</select></label>'
        '</fieldset>'
    )


def _violation_html(at) -> str:
    """"Go to the violation", once the checker has stopped this run (at ``at`` ms)."""
    if at is None:
        return ""
    return (f'<button type="button" class="md-button raft-btn raft-btn--violation" data-pg="violation" '
            f'data-pg-key="b-violation">Go to the violation (t = {at:.1f} ms)</button>')


def _servers_html(view, run) -> str:
    """Per-server actions (a server picker and its buttons), the sides of the partition, one
    link's cut and delay, leadership and membership."""
    names = list(view.names)
    sides = partitions.sides(run.cluster, view)
    pick = lambda key, sel, k=0: (  # noqa: E731
        f'<select data-pg-input="{key}" data-pg-key="in-{key}" aria-label="{esc(sel)}">'
        + _options(names, names[min(k, len(names) - 1)]) + "</select>")
    rows = "".join(
        f'<label class="raft-pg__side">{esc(n)} <select data-pg="side" data-pg-server="{esc(n)}" '
        f'data-pg-key="side-{esc(n)}" aria-label="Side of the partition for {esc(n)}">'
        f'{_options(SIDES, sides.get(n, "A"))}</select></label> '
        for n in names
    )
    paused = ", ".join(f"{n} until t = {t:.0f} ms" for n, t in sorted(run.paused.items()))
    pauses = _options(PAUSE_CHOICES, 300, lambda ms: f"{ms} ms")
    delays = _options(DELAY_CHOICES, 50, lambda ms: f"{ms} ms")
    delays_now = ", ".join(f"{a}→{b} +{ms:g} ms" for (a, b), ms in view.link_delays) or "none"
    cuts = sorted(view.blocked)
    cut_text = f"{len(cuts)} direction{'s' if len(cuts) != 1 else ''} blocked" if cuts else "every link up"
    b = lambda act, text, args="", extra="": (  # noqa: E731
        f'<button type="button" class="md-button raft-btn" data-pg="{act}" data-pg-args="{args}" '
        f'data-pg-key="b-{act}"{extra}>{esc(text)}</button>')
    return (
        '<fieldset class="raft-pg__group"><legend>A server</legend>'
        f'<label class="raft-control">Server {pick("server", "Server to act on")}</label> '
        + b("toggle", "Crash / restart", "server") + " "
        + b("timeout", "Force a timeout", "server") + " "
        + f'<label class="raft-control">for <select data-pg-input="pause" data-pg-key="in-pause" '
          f'aria-label="How long to pause">{pauses}</select></label> '
        + b("pause", "Pause its process", "server,pause") + " "
        + b("transfer", "Hand it leadership", "server") + " "
        + b("remove", "Remove from the cluster", "server") + " "
        + b("add", "Add a server", "", "" if len(names) < MAX_SERVERS or any(n not in view.members for n in names)
            else " disabled")
        + '<p class="raft-pg__hint">Or click a server in the diagram: its panel has the same buttons. '
        + (f'Paused now: {esc(paused)}.' if paused else "No process is paused.") + '</p>'
        '</fieldset>'
        '<fieldset class="raft-pg__group"><legend>Partitions: the side of each server</legend>'
        f'<div class="raft-pg__sides">{rows}</div>'
        '<p class="raft-pg__hint">Servers talk only within their side. Or drag a server to the left (A) or right '
        '(B) half of the diagram, or focus it and press ← / →.</p>'
        '</fieldset>'
        '<fieldset class="raft-pg__group"><legend>A link (one direction)</legend>'
        f'<label class="raft-control">From {pick("from", "Link from")}</label> '
        f'<label class="raft-control">to {pick("to", "Link to", 1)}</label> '
        + b("cut", "Cut it", "from,to") + " "
        + f'<label class="raft-control">delay <select data-pg-input="delay" data-pg-key="in-delay" '
          f'aria-label="Extra delay">{delays}</select></label> '
        + b("delay", "Set its delay", "from,to,delay") + " "
        + b("heal", "Heal the network")
        + f'<p class="raft-pg__hint">Now: {esc(cut_text)}; extra delays: {esc(delays_now)}.</p>'
        '</fieldset>'
    )


def _slider(name: str, label: str, value: int, maximum: int, unit: str, act: str, args: str) -> str:
    """A slider that acts when let go (``change``): one action per setting, not one per pixel."""
    return (f'<label class="raft-control raft-control--range">{esc(label)} <input type="range" min="0" '
            f'max="{maximum}" step="1" value="{value}" data-pg="{act}" data-pg-args="{args}" data-pg-input="{name}" '
            f'data-pg-key="in-{name}" data-pg-unit="{esc(unit)}"> <output class="raft-control__value">{value}{esc(unit)}'
            f'</output></label>')


def _network_html(run) -> str:
    net = run.cluster.network
    loss, dup, reo = (round(p * 100) for p in (net.loss, net.duplicate, net.reorder))
    return (
        '<fieldset class="raft-pg__group"><legend>The network and the clients</legend>'
        + _slider("loss", "Loss", loss, 50, "%", "faults", "loss,duplicate,reorder") + " "
        + _slider("duplicate", "Duplication", dup, 50, "%", "faults", "loss,duplicate,reorder") + " "
        + _slider("reorder", "Reordering", reo, 50, "%", "faults", "loss,duplicate,reorder") + " "
        + '<br>'
        + _slider("rate", "Clients", run.rate, 20, " ops/s", "rate", "rate") + " "
        + '<button type="button" class="md-button raft-btn" data-pg="write" data-pg-key="b-write">One write</button> '
        + '<button type="button" class="md-button raft-btn" data-pg="read" data-pg-key="b-read">One read</button>'
        + '<p class="raft-pg__hint">Three clients with sessions take turns (two writes for each read); the '
          'Linearizability monitor checks their history as it grows.</p>'
        '</fieldset>'
    )


def _unsafe_html(run) -> str:
    on = set(run.cluster.config.unsafe.enabled())
    boxes = "".join(
        f'<li><label><input type="checkbox" data-pg="unsafe" data-pg-switch="{esc(name)}" '
        f'data-pg-key="u-{esc(name)}"{" checked" if name in on else ""}> <code>{esc(name)}</code>: '
        f'{esc(UNSAFE_SWITCHES[name])}</label></li>'
        for name in UNSAFE_CODES.values()
    )
    return (
        '<fieldset class="raft-pg__group raft-pg__unsafe"><legend>Break Raft on purpose</legend>'
        '<p class="raft-pg__hint">Each switch removes one rule, from now on; the monitors above catch what breaks, '
        'and <strong>Go to the violation</strong> takes you to the moment.</p>'
        f'<ul class="raft-pg__switches">{boxes}</ul></fieldset>'
    )
