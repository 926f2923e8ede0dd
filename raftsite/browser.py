"""The Pyodide bridge: one :class:`Scene` per ``.raft-scene`` element on the page.

The JavaScript glue (``raftsite/assets/raft/raft-boot.mjs``) owns the DOM: it wires the
controls and runs the ``requestAnimationFrame`` loop. Each frame it makes ONE call into
Python, ``scene.frame(wall_ms)``, which advances the simulation by ``wall_ms × speed``
simulated milliseconds and returns a JSON string with everything that changed: SVG patches
from the renderer, the invariant panel, new event-log lines and the listing lines executed
during the frame. One call and one string per frame is the cheapest way across the bridge.

Nothing here touches ``js`` or ``pyodide`` at import time (the module is also imported by
CPython's tests and at build time); :func:`mount` only uses the element it is handed.
"""

from __future__ import annotations

import json
import sys

__all__ = ["Scene", "mount", "renderer_options", "LineTracer", "SeedError", "parse_seed"]

MAX_FRAME_WALL_MS = 100.0  # a long pause between frames (tab switch, debugger) is not a jump
EVENT_LINES = 12


class SeedError(ValueError):
    pass


def parse_seed(value) -> int:
    """A seed from the UI or the URL: a non-negative integer below 2**31."""
    if isinstance(value, bool):
        raise SeedError(f"not a seed: {value!r}")
    if isinstance(value, int):
        seed = value
    else:
        text = str(value).strip()
        if not text.isdigit() or len(text) > 10:
            raise SeedError(f"“{text[:40]}” is not a seed: use a whole number such as 7")
        seed = int(text)
    if not 0 <= seed < 2**31:
        raise SeedError(f"seed {seed} is out of range (0 … 2147483647)")
    return seed


def renderer_options(config: dict, stalled=(), reduced_motion: bool = False) -> dict:
    """Renderer options of a scene (shared by the build-time prerender and the browser)."""
    opts = {"id": config["id"], "reduced_motion": bool(reduced_motion), "stalled": set(stalled)}
    if config.get("title"):
        opts["title"] = config["title"]
    if config.get("planned_log"):
        opts["planned_log"] = list(config["planned_log"])
    draw = set(config.get("draw") or ())
    if "commit_markers" in draw:
        opts["markers"] = True
    if "match_index" in draw:
        opts["match_index"] = True
    if "message_details" in draw:
        opts["message_details"] = True
    if "leaders_banner" in draw:
        opts["leaders_banner"] = True
    from raftsite.layers import make_layers

    layers = make_layers(config)
    if layers:
        opts["layers"] = layers
    return opts


class LineTracer:
    """Records which lines of the listed functions execute, only while enabled.

    Python ≥ 3.12 (Pyodide): ``sys.monitoring`` LINE events on exactly the listed code
    objects — nothing else pays. Python 3.11 (CPython tests): ``sys.settrace`` whose global
    function declines every frame that is not a listed function.
    """

    def __init__(self, codes: dict):
        self.codes = codes  # code object -> listing id
        self.hits: dict[str, set[int]] = {}
        self.on = False
        self._tool = None
        self._mon = getattr(sys, "monitoring", None)
        if self._mon is not None and codes:
            for tool in (3, 4):
                try:
                    self._mon.use_tool_id(tool, "raftsite-listings")
                except ValueError:
                    continue
                self._tool = tool
                self._mon.register_callback(tool, self._mon.events.LINE, self._on_line)
                break

    # sys.monitoring callback
    def _on_line(self, code, line):
        lid = self.codes.get(code)
        if lid is not None:
            self.hits.setdefault(lid, set()).add(line)

    # sys.settrace callbacks
    def _global(self, frame, event, arg):
        lid = self.codes.get(frame.f_code)
        if lid is None:
            return None
        hits = self.hits.setdefault(lid, set())
        hits.add(frame.f_lineno)

        def local(frame, event, arg):
            if event == "line":
                hits.add(frame.f_lineno)
            return local

        return local

    def __enter__(self):
        if not self.codes:
            return self
        self.on = True
        if self._tool is not None:
            for code in self.codes:
                self._mon.set_local_events(self._tool, code, self._mon.events.LINE)
        else:
            self._prev = sys.gettrace()
            sys.settrace(self._global)
        return self

    def __exit__(self, *exc):
        if not self.on:
            return False
        self.on = False
        if self._tool is not None:
            for code in self.codes:
                self._mon.set_local_events(self._tool, code, 0)
        else:
            sys.settrace(self._prev)
        return False

    def take(self) -> dict[str, list[int]]:
        out = {k: sorted(v) for k, v in self.hits.items()}
        self.hits = {}
        return out

    def close(self):
        if self._tool is not None:
            try:
                self._mon.register_callback(self._tool, self._mon.events.LINE, None)
                self._mon.free_tool_id(self._tool)
            except Exception:
                pass
            self._tool = None


def _code_objects(listings: list[dict]) -> dict:
    """Map the code objects of the listed functions (and their nested code) to listing ids."""
    import importlib
    import types

    out = {}
    for item in listings:
        obj = importlib.import_module(item["module"])
        for part in item["qualname"].split("."):
            obj = getattr(obj, part)
        obj = getattr(obj, "__func__", obj)
        code = getattr(obj, "__code__", None)
        if code is None:
            continue
        stack = [code]
        while stack:
            c = stack.pop()
            out[c] = item["id"]
            stack.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
    return out


class Scene:
    """One live scene. Every public method returns a JSON string of updates (see ``_updates``)."""

    def __init__(self, config: dict, element=None, reduced_motion: bool = False):
        self.config = dict(config)
        self.element = element
        self.reduced_motion = bool(reduced_motion)
        self.speed = float(self.config.get("speed") or 0.25)
        self.seed = parse_seed(self.config["seed"]) if self.config.get("seed") is not None else None
        self.unsafe_on: dict[str, bool] = {}
        from raftsite.controls import get as control_class

        # one instance per control of the block; they outlive restarts (_build)
        self.controls = [control_class(c["kind"])(self, c) for c in self.config.get("controls") or ()]
        self.tracer = LineTracer(_code_objects(self.config.get("listings") or []))
        self._build()

    # ------------------------------------------------------------------ lifecycle

    def _build(self) -> None:
        from raftcore.scenarios import load_scenario

        from raftsite.render import Renderer

        # A control may supply the run itself (the lab's replay view); otherwise the scenario runs.
        self.run = next((r for r in (ctl.start_run() for ctl in self.controls) if r is not None), None)
        if self.run is None:
            scenario = load_scenario(self.config["scenario"])
            overrides: dict = {}
            if self.controls:
                base = scenario.config()
                for ctl in self.controls:
                    ctl.configure(overrides, base)
            self.run = scenario.start(seed=self.seed, strict=False, config_overrides=overrides)
        self.cluster = self.run.cluster
        if self.seed is None:
            self.seed = int(getattr(self.run, "seed", getattr(self.cluster, "seed", 0)))
        for name, on in self.unsafe_on.items():
            if on:
                self.cluster.set_unsafe(name, True)
        for ctl in self.controls:
            ctl.attach(self.cluster, self.run)
        self.renderer = Renderer(
            self.cluster,
            layout=self.config.get("layout") or "ring",
            options=self._renderer_options(),
        )
        self._svg = self.renderer.svg()
        self._events_sig = None
        self._violation_sent = None
        self._lines: dict[str, list[int]] = {}

    def _renderer_options(self) -> dict:
        opts = renderer_options(self.config, (), self.reduced_motion)
        layers = []
        for ctl in self.controls:
            ctl.render_options(opts)
            layers.extend(ctl.layers())
        if layers:
            opts["layers"] = list(opts.get("layers") or ()) + layers
        return opts

    def svg(self) -> str:
        return self._svg

    # ------------------------------------------------------------------ frames

    def frame(self, wall_ms: float) -> str:
        """Advance by ``wall_ms`` of real time at the current speed; return the updates."""
        wall = max(0.0, min(float(wall_ms), MAX_FRAME_WALL_MS))
        with self.tracer:
            self.run.advance(wall * self.speed)
        return self._updates()

    def step(self) -> str:
        """Advance to the next scheduled event (one message delivery or timer)."""
        # the script's own commands count as events (ScenarioRun.next_event_time)
        when = getattr(self.run, "next_event_time", None) or self.cluster.next_event_time
        nxt = when()
        dt = 1.0 if nxt is None else max(0.0, nxt - self.cluster.now)
        with self.tracer:
            self.run.advance(dt)
        return self._updates()

    def advance(self, sim_ms: float) -> str:
        """Advance by simulated milliseconds (tests, benchmarks)."""
        with self.tracer:
            self.run.advance(float(sim_ms))
        return self._updates()

    # ------------------------------------------------------------------ controls

    def reset(self, seed=None) -> str:
        """Start over (optionally with another seed). Raises SeedError on a bad seed."""
        if seed is not None and seed != "":
            self.seed = parse_seed(seed)
        self._build()
        return self.full()

    def set_speed(self, speed) -> None:
        s = float(speed)
        if not 0 < s <= 100:
            raise ValueError(f"bad speed {speed!r}")
        self.speed = s

    def set_control(self, kind: str, target: str, value) -> str:
        """The reader operated a scene-specific control (see :mod:`raftsite.controls`)."""
        mine = [c for c in self.controls if c.kind == kind and c.applies_to(str(target or ""))]
        if not mine:
            raise ValueError(f"this scene has no {kind!r} control" + (f" for {target!r}" if target else ""))
        restart = False
        for ctl in mine:
            restart = ctl.set(str(target or ""), value) or restart
        if restart:
            self._build()
            return self.full()
        self.renderer.options = self._renderer_options()
        return self._updates()

    def control_action(self, kind: str, name: str, arg=None) -> str:
        """A named action of a control that has its own glue module (e.g. the elections run)."""
        for ctl in self.controls:
            if ctl.kind == kind:
                return json.dumps(ctl.action(str(name), arg), separators=(",", ":"))
        raise ValueError(f"this scene has no {kind!r} control")

    def set_unsafe(self, name: str, on) -> str:
        """Flip an unsafe switch: the scene restarts from time 0 with the rule removed."""
        self.unsafe_on[name] = bool(on)
        self._build()
        return self.full()

    def toggle_server(self, name: str) -> str:
        """Crash a running server, restart a crashed one."""
        if self.cluster.alive(name):
            self.cluster.crash(name)
        else:
            self.cluster.restart(name)
        return self._updates()

    def set_reduced_motion(self, on) -> None:
        self.reduced_motion = bool(on)
        self.renderer.options["reduced_motion"] = self.reduced_motion

    # ------------------------------------------------------------------ panels

    def _panels(self, full: bool) -> dict:
        out: dict = {}
        for ctl in self.controls:
            out.update(ctl.panels(full))
        return out

    # ------------------------------------------------------------------ state out

    def _panel(self) -> dict:
        labels = self.config.get("invariant_labels") or {}
        # every invariant violated so far (several when the run goes on after one, scene 08)
        vs = self.cluster.violations
        bad = [v.key for v in vs]
        return {
            "invariants": {k: (k not in bad) for k in labels},
            "violation": "\n".join(str(v) for v in vs) or None,
            "violated": bad[0] if bad else None,
        }

    def _updates(self, full: bool = False) -> str:
        c = self.cluster
        out: dict = {"time": round(c.now, 1), "patches": self.renderer.update()}
        ev = c.events
        sig = (len(ev), ev[-1] if ev else None)
        if full or sig != self._events_sig:
            self._events_sig = sig
            out["events"] = list(ev)[-EVENT_LINES:]
        vtxt = "\n".join(str(v) for v in c.violations) or None
        if full or vtxt != self._violation_sent:
            self._violation_sent = vtxt
            out["panel"] = self._panel()
        lines = self.tracer.take()
        if lines or full:
            self._lines = lines
            out["lines"] = lines
        panels = self._panels(full)
        if panels:
            out["panels"] = panels
        out["finished"] = bool(getattr(self.run, "finished", False))
        return json.dumps(out, separators=(",", ":"))

    def full(self) -> str:
        data = json.loads(self._updates(full=True))
        data["svg"] = self._svg
        data["seed"] = self.seed
        return json.dumps(data, separators=(",", ":"))

    def status(self) -> str:
        """Everything a test wants to assert on, as JSON."""
        c = self.cluster
        out = {
            "time": c.now,
            "seed": self.seed,
            "speed": self.speed,
            "leader": c.leader(),
            "states": {n: dict(c.nodes[n].state) for n in c.names},
            "alive": {n: c.alive(n) for n in c.names},
            "terms": {n: c.nodes[n].current_term for n in c.names},
            "commit": {n: c.nodes[n].commit_index for n in c.names},
            "violation": str(c.violation) if c.violation is not None else None,
            "finished": bool(getattr(self.run, "finished", False)),
            "unsafe": {k: v for k, v in self.unsafe_on.items() if v},
            "leaders": {n: c.nodes[n].current_term for n in c.leaders() if c.alive(n)},
            "logs": {n: [e.term for e in c.nodes[n].log.entries()] for n in c.names},
            "applied": {n: c.nodes[n].last_applied for n in c.names},
            "match": dict(getattr(c.nodes[c.leader()], "match_index", {})) if c.leader() else {},
            # what the controls of other scenes report, so every scene answers the same keys
            "link_delays": {},
            "timeout_range": None,
            "backtrack": None,
            "roundtrips": {"slow": {}, "fast": {}},
            "elections": {},
        }
        for ctl in self.controls:
            for key, value in ctl.status().items():
                if isinstance(value, dict) and isinstance(out.get(key), dict):
                    out[key] = {**out[key], **value}
                else:
                    out[key] = value
        return json.dumps(out, sort_keys=True)

    def trace_hash(self) -> str:
        return self.cluster.trace_hash()

    def unmount(self) -> None:
        self.tracer.close()
        self.element = None


def mount(element, config) -> Scene:
    """Create the Scene for a ``.raft-scene`` element. ``config`` is the JSON of ``data-scene``
    (a string, or a dict from Python) with the glue's additions (``seed`` from the URL,
    ``reduced_motion``, ``query``: the address's query string, read by controls such as the
    lab's replay view)."""
    if not isinstance(config, dict):
        config = json.loads(str(config))
    return Scene(config, element=element, reduced_motion=bool(config.get("reduced_motion")))


def scenario_trace_hash(name: str, seed=None, ms: float | None = None) -> str:
    """Run a named scenario to its end (or for ``ms``) and return the trace hash.

    The determinism test calls this in CPython and in Pyodide and compares."""
    from raftcore.scenarios import load_scenario

    run = load_scenario(name).start(seed=None if seed is None else parse_seed(seed), strict=False)
    if ms is not None:
        run.advance(float(ms))
    else:
        run.finish()
    return run.cluster.trace_hash()
