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

__all__ = ["Scene", "mount", "renderer_options", "LineTracer", "SeedError", "parse_seed", "RoundTrips", "Elections"]

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
    return opts


def _control(config: dict, kind: str):
    for c in config.get("controls") or ():
        if c.get("kind") == kind:
            return c
    return None


def _range(text: str) -> tuple[float, float]:
    lo, _, hi = str(text).partition("-")
    lo_f, hi_f = float(lo), float(hi)
    if not 0 < lo_f <= hi_f <= 5000:
        raise ValueError(f"bad timeout range {text!r}")
    return lo_f, hi_f


class RoundTrips:
    """Counts, for each follower, the AppendEntries round trips its leader needs to repair its
    log: the distinct prevLogIndex values the follower rejected, plus the accepted one.

    It watches the cluster's deliveries (wrapping ``Cluster._deliver`` of this one instance);
    a follower counts as repaired the first time its log equals the leader's."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.rejected: dict[str, set] = {n: set() for n in cluster.names}
        self.done: dict[str, int] = {}
        self.leader = None
        orig = cluster._deliver

        def deliver(f, _orig=orig, _self=self):
            m = f.msg
            if type(m).__name__ == "AppendEntriesReply" and not m.success:
                _self.rejected.setdefault(m.src, set()).add(m.reject_index)
            _orig(f)

        cluster._deliver = deliver

    def update(self) -> None:
        c = self.cluster
        lead = c.leader()
        if lead is None:
            return
        self.leader = lead
        entries = c.nodes[lead].log.entries()
        for n in c.names:
            if n == lead or n in self.done or not c.alive(n):
                continue
            if c.nodes[n].log.entries() == entries and c.nodes[lead].match_index.get(n, 0) >= len(entries):
                self.done[n] = len(self.rejected.get(n, ())) + 1

    def counts(self) -> dict[str, int]:
        return dict(self.done)


class Elections:
    """The Figure 16 experiment run a batch at a time (one batch per animation frame)."""

    def __init__(self, lo: float, hi: float, trials: int, seed: int = 0):
        from raftcore.sim.elections import run_trials

        self.lo, self.hi, self.trials = lo, hi, trials
        # a 150–150 ms trial never ends on its own: give up at 12 s (the paper: "over 10 s")
        give_up = 12_000.0 if lo == hi else 60_000.0
        self.gen = run_trials(lo, hi, trials, seed=seed, give_up_ms=give_up)
        self.values: list[float] = []
        self.finished = False
        self.wall_ms = 0.0

    def batch(self, budget_ms: float) -> None:
        import time

        t0 = time.perf_counter()
        end = t0 + max(1.0, float(budget_ms)) / 1000.0
        while not self.finished:
            try:
                trial = next(self.gen)
            except StopIteration:
                self.finished = True
                break
            self.values.append(trial.downtime)
            if len(self.values) >= self.trials:
                self.finished = True
            if time.perf_counter() >= end:
                break
        self.wall_ms += (time.perf_counter() - t0) * 1000.0

    def summary(self) -> dict:
        v = sorted(self.values)
        n = len(v)
        return {
            "range": "%g-%g" % (self.lo, self.hi),
            "done": n,
            "total": self.trials,
            "finished": self.finished,
            "median": v[n // 2] if n else None,
            "p99": v[min(n - 1, int(0.99 * n))] if n else None,
            "max": v[-1] if n else None,
            "mean": sum(v) / n if n else None,
            "wall_ms": round(self.wall_ms, 1),
        }


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
        self.client_n = 0
        tr = _control(self.config, "timeout_range")
        self.timeout_range = _range(tr["default"]) if tr else None
        self.fast_backtrack = None if _control(self.config, "backtrack") is None else False
        self.roundtrips: dict[str, dict[str, int]] = {"slow": {}, "fast": {}}
        self.elections: Elections | None = None
        self.election_results: dict[str, list[float]] = {}
        self._panels_sent: dict[str, str] = {}
        self.tracer = LineTracer(_code_objects(self.config.get("listings") or []))
        self._build()

    # ------------------------------------------------------------------ lifecycle

    def _build(self) -> None:
        from raftcore.scenarios import load_scenario

        from raftsite.render import Renderer

        scenario = load_scenario(self.config["scenario"])
        overrides = {}
        if self.timeout_range is not None or self.fast_backtrack is not None:
            from raftcore.scenarios.language import _parse_cluster_args

            cfg = _parse_cluster_args(scenario.steps[0].args)["config"]
            if self.timeout_range is not None:
                cfg.election_timeout_min, cfg.election_timeout_max = self.timeout_range
                # as in the paper's experiment: heartbeats at half the minimum timeout (or faster)
                cfg.heartbeat_interval = min(cfg.heartbeat_interval, self.timeout_range[0] / 2)
            if self.fast_backtrack is not None:
                cfg.fast_backtrack = self.fast_backtrack
            overrides["config"] = cfg
        self.run = scenario.start(seed=self.seed, strict=False, **overrides)
        self.cluster = self.run.cluster
        self.trips = RoundTrips(self.cluster) if self.fast_backtrack is not None else None
        self._panels_sent = {}
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
        """A scene-specific control (see ``CONTROL_KINDS`` in the schema)."""
        if kind == "client":
            c = _control(self.config, "client") or {}
            self.client_n += 1
            cmd = str(value or c.get("command") or "SET x {n}").replace("{n}", str(self.client_n))
            self.cluster.submit(cmd, client="reader")
            return self._updates()
        if kind == "timeout_range":
            self.timeout_range = _range(value)
            self._build()
            return self.full()
        if kind == "backtrack":
            self.fast_backtrack = bool(value) and str(value).lower() not in ("0", "false", "slow", "off")
            self._build()
            return self.full()
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

    # ------------------------------------------------------------------ Figure 16 in the browser

    def elections_start(self, trials=None) -> str:
        """Start the Figure 16 experiment for the selected timeout range (run with ``elections_batch``)."""
        c = _control(self.config, "elections") or {}
        lo, hi = self.timeout_range or (150.0, 300.0)
        n = int(trials) if trials else int(c.get("trials_equal" if lo == hi else "trials") or 1000)
        self.elections = Elections(lo, hi, n, seed=self.seed or 0)
        return json.dumps({"elections": self.elections.summary()})

    def elections_batch(self, budget_ms: float = 12.0) -> str:
        """Run trials for about ``budget_ms`` of wall time; returns progress, and the chart when done
        (and every so often while running)."""
        e = self.elections
        if e is None:
            return json.dumps({})
        before = len(e.values)
        e.batch(budget_ms)
        s = e.summary()
        out: dict = {"elections": s}
        if e.values:
            self.election_results[s["range"]] = sorted(e.values)
        if e.finished or len(e.values) // 100 != before // 100:
            out["panels"] = {"chart": self.chart_svg()}
        if e.finished:
            self.elections = None
        return json.dumps(out, separators=(",", ":"))

    def elections_stop(self) -> str:
        e, self.elections = self.elections, None
        out: dict = {"panels": {"chart": self.chart_svg()}}
        if e is not None:
            out["elections"] = dict(e.summary(), stopped=True)
        return json.dumps(out)

    def chart_svg(self) -> str:
        from raftsite.render import cdf_chart_svg

        def key(r):
            lo, hi = _range(r)
            return (lo, hi)

        series = []
        for r in sorted(self.election_results, key=key):
            vals = self.election_results[r]
            lo, hi = key(r)
            note = "gave up at 12 s" if lo == hi and vals and vals[-1] >= 12_000 else ""
            series.append((r.replace("-", "–"), vals, note))
        return cdf_chart_svg(self.config["id"] + "-chart", series)

    # ------------------------------------------------------------------ panels

    def _table_html(self) -> str:
        from raftsite.render import html_table

        mode = "fast" if self.fast_backtrack else "slow"
        if self.trips is not None:
            self.trips.update()
            self.roundtrips[mode].update(self.trips.counts())
        lead = self.trips.leader if self.trips is not None else None
        rows = []
        for n in self.cluster.names:
            if n == lead or (lead is None and n == self.cluster.names[0]):
                continue
            cells = [n]
            for m in ("slow", "fast"):
                v = self.roundtrips[m].get(n)
                if v is None and m == mode and self.trips is not None:
                    cells.append("%d…" % (len(self.trips.rejected.get(n, ())) + 1))
                else:
                    cells.append("—" if v is None else str(v))
            rows.append(cells)
        return html_table("AppendEntries round trips until each follower’s log matches the leader’s",
                          ["Follower", "One entry at a time", "Conflict-term hint"], rows,
                          table_id=self.config["id"] + "-roundtrips")

    def _panels(self, full: bool) -> dict:
        out = {}
        if self.trips is not None:
            html = self._table_html()
            if full or self._panels_sent.get("table") != html:
                self._panels_sent["table"] = html
                out["table"] = html
        if full and _control(self.config, "elections") is not None:
            out["chart"] = self.chart_svg()
        return out

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
                "leaders": {n: c.nodes[n].current_term for n in c.leaders() if c.alive(n)},
                "logs": {n: [e.term for e in c.nodes[n].log.entries()] for n in c.names},
                "applied": {n: c.nodes[n].last_applied for n in c.names},
                "match": dict(getattr(c.nodes[c.leader()], "match_index", {})) if c.leader() else {},
                "timeout_range": list(self.timeout_range) if self.timeout_range else None,
                "backtrack": None if self.fast_backtrack is None else ("fast" if self.fast_backtrack else "slow"),
                "roundtrips": self.roundtrips,
                "elections": {r: {"n": len(v), "median": v[len(v) // 2], "max": v[-1]}
                              for r, v in self.election_results.items() if v},
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
