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


def _invariant_key(label: str, labels: dict[str, str]) -> str | None:
    for key, lab in labels.items():
        if lab.lower() == str(label).lower():
            return key
    return None


class Scene:
    """One live scene. Every public method returns a JSON string of updates (see ``_updates``)."""

    def __init__(self, config: dict, element=None, reduced_motion: bool = False):
        self.config = dict(config)
        self.element = element
        self.reduced_motion = bool(reduced_motion)
        self.speed = float(self.config.get("speed") or 0.25)
        self.seed = parse_seed(self.config["seed"]) if self.config.get("seed") is not None else None
        self.unsafe_on: dict[str, bool] = {}
        self.link_delays: dict[str, float] = {}  # target -> extra ms on every link to it
        self.tracer = LineTracer(_code_objects(self.config.get("listings") or []))
        self._build()

    # ------------------------------------------------------------------ lifecycle

    def _build(self) -> None:
        from raftcore.scenarios import load_scenario

        from raftsite.render import Renderer

        scenario = load_scenario(self.config["scenario"])
        self.run = scenario.start(seed=self.seed, strict=False)
        self.cluster = self.run.cluster
        if self.seed is None:
            self.seed = int(getattr(self.run, "seed", getattr(self.cluster, "seed", 0)))
        for name, on in self.unsafe_on.items():
            if on:
                self.cluster.set_unsafe(name, True)
        for target, ms in self.link_delays.items():
            self._apply_delay(target, ms)
        self.renderer = Renderer(
            self.cluster,
            layout=self.config.get("layout") or "ring",
            options=renderer_options(self.config, self._stalled(), self.reduced_motion),
        )
        self._svg = self.renderer.svg()
        self._events_sig = None
        self._violation_sent = None
        self._lines: dict[str, list[int]] = {}

    def svg(self) -> str:
        return self._svg

    def _stalled(self):
        return {t for t, ms in self.link_delays.items() if ms > 0}

    def _apply_delay(self, target: str, ms: float) -> None:
        for src in self.cluster.names:
            if src != target:
                self.cluster.set_link_delay(src, target, float(ms))

    # ------------------------------------------------------------------ frames

    def frame(self, wall_ms: float) -> str:
        """Advance by ``wall_ms`` of real time at the current speed; return the updates."""
        wall = max(0.0, min(float(wall_ms), MAX_FRAME_WALL_MS))
        with self.tracer:
            self.run.advance(wall * self.speed)
        return self._updates()

    def step(self) -> str:
        """Advance to the next scheduled event (one message delivery or timer)."""
        nxt = self.cluster.scheduler.peek_time()
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
        if kind != "link_delay":
            raise ValueError(f"unknown control {kind!r}")
        ms = max(0.0, float(value))
        self.link_delays[target] = ms
        self._apply_delay(target, ms)
        self.renderer.options["stalled"] = self._stalled()
        return self._updates()

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

    # ------------------------------------------------------------------ state out

    def _panel(self) -> dict:
        labels = self.config.get("invariant_labels") or {}
        v = self.cluster.violation
        bad = _invariant_key(v.invariant, labels) if v is not None else None
        return {
            "invariants": {k: (k != bad) for k in labels},
            "violation": str(v) if v is not None else None,
            "violated": bad,
        }

    def _updates(self, full: bool = False) -> str:
        c = self.cluster
        out: dict = {"time": round(c.now, 1), "patches": self.renderer.update()}
        ev = c.events
        sig = (len(ev), ev[-1] if ev else None)
        if full or sig != self._events_sig:
            self._events_sig = sig
            out["events"] = list(ev)[-EVENT_LINES:]
        vtxt = str(c.violation) if c.violation is not None else None
        if full or vtxt != self._violation_sent:
            self._violation_sent = vtxt
            out["panel"] = self._panel()
        lines = self.tracer.take()
        if lines or full:
            self._lines = lines
            out["lines"] = lines
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
        return json.dumps(
            {
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
                "link_delays": self.link_delays,
            },
            sort_keys=True,
        )

    def trace_hash(self) -> str:
        return self.cluster.trace_hash()

    def unmount(self) -> None:
        self.tracer.close()
        self.element = None


def mount(element, config) -> Scene:
    """Create the Scene for a ``.raft-scene`` element. ``config`` is the JSON of ``data-scene``
    (a string, or a dict from Python) with the glue's additions (``seed`` from the URL,
    ``reduced_motion``)."""
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
