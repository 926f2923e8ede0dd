"""The Pyodide bridge: one :class:`Scene` per ``.raft-scene`` element on the page.

It runs in the Python Web Worker (``assets/build/python-worker.js``), which has no DOM: the
JavaScript glue on the main thread (``raftsite/assets/raft/raft-boot.mjs``) owns the page, wires
the controls and runs the ``requestAnimationFrame`` loop, and every call it makes into Python
is a message to the worker. Each frame it makes ONE call, ``scene.frame(wall_ms)``, which
advances the simulation by ``wall_ms × speed`` simulated milliseconds and returns a JSON
string with everything that changed: SVG patches from the renderer, the invariant panel, new
event-log lines and the listing lines executed during the frame. One call and one string per
frame is the cheapest way across the worker boundary (strings are copied, never shared).

So every public method takes and returns plain values (str, numbers, bools, None) and
nothing here touches ``js`` or ``pyodide`` (the module is also imported by CPython's tests and
at build time).
"""

from __future__ import annotations

import json
import sys

__all__ = ["Scene", "mount", "opening", "renderer_options", "LineTracer", "SeedError", "parse_seed"]

MAX_FRAME_WALL_MS = 100.0  # a long pause between frames (tab switch, debugger) is not a jump
EVENT_LINES = 12
#: Next ▶ without a mark ahead runs this much simulated time (a scene with no marks, or after its last)
SLICE_MS = 500.0
#: while Next ▶ runs, every message stays on the wire at least this long (wall ms, at the scene's own speed)
RPC_WALL_MS = 400.0
#: …and a stretch with nothing on the wire (timers running down) takes at most about this long
IDLE_WALL_MS = 350.0
#: how many of Next ▶'s slices of time after the last mark an address may ask for (?step=)
MAX_SLICES_IN_URL = 40
#: Next ▶ gives up after this much simulated time without reaching its mark (a run that went elsewhere)
STEP_GIVE_UP_MS = 60_000.0
#: the build records the first frames of Play and of Next ▶ (the reel) at this wall interval…
REEL_FRAME_MS = 1000.0 / 30
#: …for at most this much wall time: a cold boot of Python in the browser takes about 2 s
REEL_WALL_MS = 4000.0


class SeedError(ValueError):
    pass


def _absent(value) -> bool:
    """None, or what JavaScript's ``null``/``undefined`` become in Pyodide (``jsnull`` is a
    JsProxy whose type is named ``JsNull``), or an empty string: "no value given"."""
    if value is None:
        return True
    if type(value).__name__ in ("JsNull", "JsUndefined"):
        return True
    return isinstance(value, str) and value.strip() == ""


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
    from raftsite.layers import make_layers, renderer_draw_options

    opts.update(renderer_draw_options(config.get("draw")))
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


def _entry_text(entry) -> str:
    """A log entry's command as the diagram writes it (``no-op`` for a leader's own, §5.4.2)."""
    command = getattr(entry, "command", None)
    if command is None:
        return "no-op"
    label = getattr(command, "label", None)
    return label if isinstance(label, str) else str(command)


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
        #: listing id -> lines that only matter with an unsafe switch on (never lit in a safe run)
        self.quiet_lines = {item["id"]: set(item.get("quiet_lines") or ()) for item in self.config.get("listings") or ()}
        self.inspecting: str | None = None  # the server whose state panel is open
        #: the drawing the reader's screen shows ("wide", "narrow"; None: keep both current)
        self.shown = self._drawing(self.config.get("shown"))
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
        self._events_sig = None
        self._violation_sent = None
        self._caption_sent = None
        self._inspect_sent = None
        self._lines: dict[str, list[int]] = {}
        self._open()
        self._svg = self.renderer.svg()

    # ------------------------------------------------------------------ the story's steps

    def _open(self) -> None:
        """The opening frame: everything the script does at time 0 before time first passes
        (setup commands such as ``log`` and ``term``, a first ``elect``), stopping at a ``mark``
        there. The build prerenders this very frame (:func:`opening_svg`), so nothing jumps when
        Python takes over; the scene opens on it paused."""
        self.labels = self._planned_labels()
        self.target = None  # what Next ▶ is running to: ("mark", count) or ("time", ms)
        self._idle = None  # (until, rate) of a stretch with nothing on the wire while stepping
        self._stalled = 0  # advances of a step in progress in which the run did not move
        self._advance_stepping(0.0)
        self.m0 = len(self._marks())
        #: the stops the reader can go Back to: [time, marks reached, step number or None, snapshot]
        self.stops: list[list] = []
        self.cursor: int | None = None  # index in stops of the state shown, when exactly on one
        self._add_stop(self.m0)

    def _planned_labels(self) -> list[str]:
        """The story's steps: the labels of the scenario's marks, known before it runs (a run a
        control supplies, e.g. the lab's replay, has the marks it has recorded)."""
        scenario = getattr(self.run, "scenario", None)
        labels = getattr(scenario, "mark_labels", None)
        if callable(labels):
            return list(labels())
        return [label for _, label in self._marks()]

    def _marks(self) -> list:
        return list(getattr(self.run, "marks", None) or ())

    def _can_snapshot(self) -> bool:
        return callable(getattr(self.run, "snapshot", None)) and callable(getattr(self.run, "restore", None))

    def _add_stop(self, step_no) -> None:
        """Remember this moment as one the reader can come back to (dedupe: same time, same marks)."""
        if not self._can_snapshot():
            return
        now, marks = self.cluster.now, len(self._marks())
        for i, st in enumerate(self.stops):
            if st[0] == now and st[1] == marks:
                if st[2] is None:
                    st[2] = step_no
                self.cursor = i
                return
        k = 0
        while k < len(self.stops) and (self.stops[k][0], self.stops[k][1]) <= (now, marks):
            k += 1
        self.stops.insert(k, [now, marks, step_no, self.run.snapshot()])
        self.cursor = k

    def _intervened(self) -> None:
        """The reader changed the run (crashed a server, moved a control): the recorded future
        is not this run's any more. Keep the stops up to now; this moment is no stop."""
        now = self.cluster.now
        self.stops = [st for st in self.stops if st[0] < now or (st[0] == now and st is self.stops[0])]
        if len(self.stops) > 1 and self.stops[-1][0] == now:
            self.stops.pop()
        self.cursor = None
        self.target = None

    def _advance_stepping(self, ms: float) -> None:
        """Advance, but stop right after a ``mark`` (the end of a step of the story)."""
        run = self.run
        try:
            run.stop_at_marks = True
        except AttributeError:
            pass
        try:
            with self.tracer:
                run.advance(ms)
        finally:
            try:
                del run.stop_at_marks  # back to the class's default (False): snapshots do not carry it
            except AttributeError:
                pass

    def _step_no(self):
        """The reader's step number of the state shown (marks reached, plus Next's slices after
        the last mark), or None off the steps (after free play)."""
        if self.cursor is None:
            return None
        return self.stops[self.cursor][2]

    def next_step(self) -> str:
        """Next ▶: run (paced, through :meth:`frame`) to the next mark, or one slice of time
        when no mark is ahead. Returns the updates; ``stepping`` says whether frames must follow."""
        marks = len(self._marks())
        halted = bool(getattr(self.cluster, "halted", False))
        if not halted:
            if marks < len(self.labels) and not getattr(self.run, "finished", False):
                self.target = ("mark", marks + 1, self.cluster.now + STEP_GIVE_UP_MS, self._step_no())
            else:
                self.target = ("time", self.cluster.now + SLICE_MS, None, self._step_no())
            self._idle = None
            self.cursor = None
        return self._updates()

    def _target_reached(self) -> bool:
        kind, want, limit, _ = self.target
        c = self.cluster
        if getattr(c, "halted", False):
            return True
        if kind == "mark":
            if len(self._marks()) >= want:
                return True
            if getattr(self.run, "finished", False) or c.now >= limit:
                return True  # the mark never comes (the run went elsewhere): stop where it is
            return False
        return c.now >= want

    def _finish_step(self) -> None:
        kind, want, _, before = self.target
        self.target = None
        self._idle = None
        marks = len(self._marks())
        if kind == "mark":
            step_no = marks if marks >= want else None
        else:
            step_no = None if before is None else before + 1
        self._add_stop(step_no)

    def _paced_ms(self, wall: float) -> float:
        """Simulated ms for ``wall`` ms of a paced step: slow enough that every message on the
        wire stays on screen ≥ RPC_WALL_MS (at the scene's own speed; faster speeds scale it),
        and quick across stretches with nothing on the wire."""
        c = self.cluster
        base = float(self.config.get("speed") or 0.25)
        scale = self.speed / base if base > 0 else 1.0
        flights = c.in_flight()
        if flights:
            self._idle = None
            shortest = min(max(f.deliver_at - f.sent_at, 0.05) for f in flights)
            return wall * shortest / RPC_WALL_MS * scale
        if self._idle is None or c.now >= self._idle[0]:
            when = getattr(self.run, "next_event_time", None) or c.next_event_time
            nxt = when()
            if nxt is None:
                return wall * scale  # nothing at all left to happen
            gap = max(0.0, nxt - c.now)
            self._idle = (nxt, max(gap / IDLE_WALL_MS, 0.05) * scale)
        until, rate = self._idle
        # at least a microsecond: an event due now is taken, and the step always moves on
        return max(min(wall * rate, until - c.now), 0.001)

    def _step_by(self, ms: float) -> None:
        """One advance of a step in progress; the step ends at its target, or where the run
        stops moving (a run that has nothing left to do: no time passes, no mark comes)."""
        before = (self.cluster.now, len(self._marks()), getattr(self.run, "pc", None))
        self._advance_stepping(ms)
        if self._target_reached():
            self._finish_step()
            return
        moved = (self.cluster.now, len(self._marks()), getattr(self.run, "pc", None)) != before
        self._stalled = 0 if moved or ms <= 0 else self._stalled + 1
        if self._stalled >= 3:
            self._finish_step()

    def complete_step(self) -> str:
        """Finish the step Next ▶ is running at once (Next pressed again; reduced motion)."""
        guard = 0
        while self.target is not None and guard < 100_000:
            guard += 1
            kind, want = self.target[0], self.target[1]
            self._step_by(max(0.5, min(50.0, want - self.cluster.now)) if kind == "time" else 50.0)
        return self._updates()

    def stop_stepping(self) -> str:
        """Play pressed while Next ▶ runs: leave the step where it is, the run plays on freely."""
        self.target = None
        self._idle = None
        return self._updates()

    def back_step(self) -> str:
        """◀ Back: the previous stop (the state at the previous mark), restored exactly."""
        self.target = None
        if not self.stops:
            return self._updates()
        if self.cursor is not None:
            k = max(self.cursor - 1, 0)
        else:
            now, marks = self.cluster.now, len(self._marks())
            k = 0
            for i, st in enumerate(self.stops):
                if (st[0], st[1]) <= (now, marks):
                    k = i
        self._restore(k)
        return self._updates()

    def _restore(self, k: int) -> None:
        self.run.restore(self.stops[k][3])
        self.cursor = k
        self.tracer.take()  # lines lit before the jump are not this moment's
        self.renderer.set_cluster(self.cluster)

    def go_to_step(self, step) -> str:
        """Open on step ``step`` (the URL's ``?step=``): Next ▶ as many times as needed, at once.
        Raises ValueError with the reason for a bad number; stops early if the run does."""
        text = "" if _absent(step) else str(step).strip()
        if not text.isdigit() or len(text) > 4:
            raise ValueError(f"“{text[:20]}” is not a step number: use a whole number such as 2")
        want = int(text)
        most = len(self.labels) + MAX_SLICES_IN_URL
        if want > most:
            raise ValueError(f"there is no step {want}: this scene has {len(self.labels)} steps"
                             + (f", and the address may name at most {MAX_SLICES_IN_URL} runs of Next ▶ after them"
                                if self.labels else f"; the address may name at most {MAX_SLICES_IN_URL} runs of Next ▶"))
        self._restore(0)
        guard = 0
        while (self._step_no() or 0) < want and guard < 200:
            guard += 1
            self.next_step()
            self.complete_step()
            if getattr(self.cluster, "halted", False) or self._step_no() is None:
                break
        self.tracer.take()
        return self.full()

    def go_to_violation(self) -> str:
        """Show the moment of the first violation. A halted run is there already; a run that
        went on (``violations=continue``) goes back to the latest stop before it and runs to it."""
        self.target = None
        vs = list(getattr(self.cluster, "violations", ()) or ())
        if not vs:
            raise ValueError("no invariant has been violated in this run")
        t = vs[0].time
        if not getattr(self.cluster, "halted", False) and self.stops:
            k = 0
            for i, st in enumerate(self.stops):
                if st[0] <= t:
                    k = i
            self._restore(k)
            with self.tracer:
                self.run.advance(max(0.0, t - self.cluster.now))
        self.cursor = None
        return self.full()

    def caption(self) -> dict:
        """What the caption under the diagram says now, computed from what happened: the
        step's mark, or — once an invariant is violated — the broken rule, servers, index."""
        marks = self._marks()
        n = len(self.labels)
        k = len(marks)
        out: dict = {"step": k, "of": n, "time": round(self.cluster.now, 1), "step_no": self._step_no(),
                     "stepping": self.target is not None, "violation": None,
                     "halted": bool(getattr(self.cluster, "halted", False))}
        vs = list(getattr(self.cluster, "violations", ()) or ())
        if vs:
            v = vs[0]
            servers = ", ".join(v.servers) if v.servers else "the cluster"
            where = f" at index {v.index}" if v.index is not None else ""
            term = f" in term {v.term}" if v.term is not None else ""
            labels = self.config.get("invariant_labels") or {}
            name = labels.get(v.key, v.invariant)
            out["violation"] = {"key": v.key, "invariant": name, "servers": list(v.servers), "index": v.index,
                                "term": v.term, "time": round(v.time, 1),
                                "text": f"{name} is broken: {servers}{where}{term}, at t = {v.time:.1f} ms. {v.detail}"}
            out["more"] = [f"{labels.get(w.key, w.invariant)} broke too, at t = {w.time:.1f} ms"
                           + (f" (index {w.index})" if w.index is not None else "") for w in vs[1:]]
        if marks and not vs:
            out["label"] = marks[-1][1]
        elif marks and marks[-1][0] < vs[0].time:
            out["label"] = None  # the frame is the violation's, not that step's
            out["before"] = marks[-1][1]
        elif marks:
            out["label"] = None  # the script's caption assumed a safe run; this one is not
            out["scripted"] = marks[-1][1]
        else:
            out["label"] = None
        out["end"] = k >= n
        return out

    def caption_html(self) -> str:
        """The caption's markup (the build prerenders it with the opening frame; the glue
        replaces it whenever :meth:`caption` changes)."""
        return caption_html(self.caption(), self.labels)

    # ------------------------------------------------------------------ inspect

    def inspect(self, name) -> str:
        """Open (or, with an empty name, close) the state panel of one server."""
        name = "" if _absent(name) else str(name)
        if name and name not in self.cluster.names:
            raise ValueError(f"no server named {name!r}")
        self.inspecting = name or None
        self._inspect_sent = False  # never a panel: the next updates carry it (or its closing)
        return self._updates()

    def _view(self):
        """This frame's :class:`raftcore.view.ClusterView` (the renderer's, when it is current)."""
        v = getattr(self.renderer, "view", None)
        if v is None or v.time != self.cluster.now:
            v = self.cluster.view()
        return v

    def inspect_html(self) -> str | None:
        """The open server's full state (Figure 2), read from the cluster's view: persistent
        (current_term, voted_for, log), volatile (commit_index, last_applied), and a leader's
        next_index/match_index per follower; a crash or restart button for it."""
        name = self.inspecting
        if name is None or name not in self.cluster.names:
            return None
        from html import escape as e

        sv = self._view().server(name)
        role = str(sv.role).replace("_", "-")
        log = sv.log
        cells = "".join(
            f'<li class="raft-inspect__entry{" raft-inspect__entry--committed" if en.index <= sv.commit_index else ""}">'
            f'<span class="raft-inspect__idx">{en.index}</span> <span class="raft-inspect__term">t{en.term}</span> '
            f"{e(en.label)}</li>"
            for en in log.entries
        ) or '<li class="raft-muted">empty</li>'
        if log.entries and log.window_start > log.first_index:
            cells = f'<li class="raft-muted">… {log.window_start - log.first_index} earlier</li>' + cells
        if log.snapshot_index:
            cells = f'<li class="raft-inspect__snap">snapshot ≤ {log.snapshot_index} (term {log.snapshot_term})</li>' + cells
        state = ", ".join(f"{k}={v}" for k, v in sv.state.data) or "empty"
        rows = [
            ("role", role + ("" if sv.alive else " (crashed: only its disk survives)")),
            ("current_term", str(sv.current_term)),
            ("voted_for", sv.voted_for if sv.voted_for is not None else "none"),
            ("commit_index", str(sv.commit_index)),
            ("last_applied", str(sv.last_applied)),
            ("state machine", state),
        ]
        if sv.votes:
            rows.append(("votes", f"{', '.join(sv.votes)} ({len(sv.votes)} of {sv.quorum} needed)"))
        table = "".join(f'<tr><th scope="row">{e(k)}</th><td>{e(v)}</td></tr>' for k, v in rows)
        lead = ""
        if sv.progress:
            body = "".join(
                f'<tr><th scope="row">{e(pr.peer)}{" (learner)" if pr.learner else ""}</th><td>{pr.next_index}</td>'
                f"<td>{pr.match_index}</td></tr>"
                for pr in sv.progress
            )
            lead = (f'<table class="raft-inspect__progress"><caption>What leader {e(name)} knows of each follower</caption>'
                    f'<thead><tr><th scope="col">follower</th><th scope="col">next_index</th>'
                    f'<th scope="col">match_index</th></tr></thead><tbody>{body}</tbody></table>')
        action = ("crash", f"Crash {name}") if sv.alive else ("restart", f"Restart {name}")
        return (
            f'<h4 class="raft-scene__heading">Server {e(name)}</h4>'
            f'<table class="raft-inspect__state"><tbody>{table}</tbody></table>{lead}'
            f'<p class="raft-inspect__loghead">log: index, term, command (✓: {e(name)} knows it is committed)</p>'
            f'<ol class="raft-inspect__log">{cells}</ol>'
            f'<p class="raft-inspect__actions"><button type="button" class="md-button raft-btn" '
            f'data-inspect-action="{action[0]}" data-server-name="{e(name)}">{e(action[1])}</button> '
            f'<button type="button" class="md-button raft-btn" data-inspect-action="close">Close (Esc)</button></p>'
        )

    def flight_info(self, flight_id) -> str:
        """The fields of the message on the wire whose ``FlightView.id`` is ``flight_id`` (the
        renderer writes it as ``data-flight``), as JSON; null once it has arrived."""
        fid = int(flight_id)
        for f in self._view().flights:
            if f.id == fid:
                fields = {k: (", ".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)) for k, v in f.fields}
                return json.dumps({"kind": f.type, "src": f.src, "dst": f.dst, "term": f.term,
                                   "sent_at": round(f.sent_at, 1), "deliver_at": round(f.deliver_at, 1),
                                   "fields": fields, "text": f.text})
        return json.dumps(None)

    @staticmethod
    def _drawing(size) -> str | None:
        from raftsite.glyphs import SIZES

        size = None if _absent(size) else str(size)
        if size is not None and size not in SIZES:
            raise ValueError(f"no drawing {size!r}: one of {', '.join(SIZES)}")
        return size

    def show_drawing(self, size) -> str:
        """The reader's screen now shows the ``size`` drawing (the glue tells on a resize that
        crosses the phone breakpoint; empty: both): frames update only that one from here on,
        and these updates bring it up to date."""
        self.shown = self._drawing(size)
        self.renderer.options["shown"] = self.shown
        return self._updates()

    def _renderer_options(self) -> dict:
        opts = renderer_options(self.config, (), self.reduced_motion)
        if self.shown:
            opts["shown"] = self.shown
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
        """Advance by ``wall_ms`` of real time; return the updates. Playing, the simulation
        runs at the current speed; while Next ▶ runs (``target``), at the paced rate, up to
        the next mark exactly (``caption.stepping`` turns false there)."""
        self._advance_frame(wall_ms)
        return self._updates()

    def _advance_frame(self, wall_ms: float) -> None:
        """What one frame does to the run (:meth:`frame` without drawing it)."""
        wall = max(0.0, min(float(wall_ms), MAX_FRAME_WALL_MS))
        if self.target is not None:
            self._step_by(self._paced_ms(wall) if wall > 0 else 0.0)
            return
        with self.tracer:
            self.run.advance(wall * self.speed)
        if wall > 0:
            self.cursor = None  # played on: off the steps (Back returns to the latest step before now)

    # ------------------------------------------------------------------ the reel

    def record_reel(self, kind: str, frame_ms: float = REEL_FRAME_MS, wall_ms: float = REEL_WALL_MS) -> dict:
        """The frames Play (``kind="play"``) or Next ▶ (``"next"``) shows from the opening, one
        every ``frame_ms`` of wall time for at most ``wall_ms``: the updates :meth:`frame` sends.

        The build records them (in CPython) so that a reader who presses Play or Next ▶ while
        Python is still starting in the browser sees this very run move at once; when the scene
        is live, :meth:`replay_reel` brings it to the frame the reader is looking at. The run is
        deterministic (the same seed gives the same trace in CPython and in Pyodide), so the
        live run continues the recorded one exactly. Call it on a scene just opened."""
        _reel_kind(kind)
        opening = self.caption()
        frames = [json.loads(self.next_step())] if kind == "next" else []
        shown = 0.0
        while shown + frame_ms <= wall_ms:
            frames.append(json.loads(self.frame(frame_ms)))
            shown += frame_ms
            if kind == "next" and self.target is None:
                break  # the step is done: the reel ends on its mark
        return {"kind": kind, "frame_ms": frame_ms, "opening": opening, "frames": frames}

    def replay_reel(self, kind: str, frames, frame_ms: float = REEL_FRAME_MS) -> str:
        """Bring a scene just opened to where its reel was when Python took over: the same calls
        :meth:`record_reel` made for the first ``frames`` frames of the reel (a reel of Next ▶
        has the step's start as its frame 0), without drawing them. Returns :meth:`full`."""
        _reel_kind(kind)
        n = int(frames)
        if kind == "next":
            self.next_step()
            n -= 1
        for k in range(max(n, 0)):
            if k == n - 1:
                self.tracer.take()  # the lines lit are the last frame's, as the reel showed them
            self._advance_frame(frame_ms)
        return self.full()

    def step(self) -> str:
        """Advance to the next scheduled event (one message delivery or timer)."""
        # the script's own commands count as events (ScenarioRun.next_event_time)
        when = getattr(self.run, "next_event_time", None) or self.cluster.next_event_time
        nxt = when()
        dt = 1.0 if nxt is None else max(0.0, nxt - self.cluster.now)
        with self.tracer:
            self.run.advance(dt)
        self.cursor = None
        self.target = None
        return self._updates()

    def advance(self, sim_ms: float) -> str:
        """Advance by simulated milliseconds (tests, benchmarks)."""
        with self.tracer:
            self.run.advance(float(sim_ms))
        self.cursor = None
        return self._updates()

    # ------------------------------------------------------------------ controls

    def reset(self, seed=None) -> str:
        """Start over on the opening frame (optionally with another seed; JavaScript's
        ``null``/``undefined`` mean "the same seed"). Raises SeedError on a bad seed."""
        if not _absent(seed):
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
        self._intervened()
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
        """Crash a running server, restart a crashed one (the inspect panel's button)."""
        if self.cluster.alive(name):
            self.cluster.crash(name)
        else:
            self.cluster.restart(name)
        self._intervened()
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
            out["events"] = _honest_events(list(ev)[-EVENT_LINES:], list(c.violations))
        vtxt = "\n".join(str(v) for v in c.violations) or None
        if full or vtxt != self._violation_sent:
            self._violation_sent = vtxt
            out["panel"] = self._panel()
        lines = self.tracer.take()
        if not any(self.unsafe_on.values()):
            # the unsafe switches' plumbing (``if config.unsafe_…:``) runs in a safe run too, but
            # it is not what the reader is watching: lit only when a switch is on
            lines = {lid: [n for n in ns if n not in self.quiet_lines.get(lid, ())] for lid, ns in lines.items()}
            lines = {lid: ns for lid, ns in lines.items() if ns}
        if lines or full:
            self._lines = lines
            out["lines"] = lines
        panels = self._panels(full)
        if panels:
            out["panels"] = panels
        cap = self.caption()
        if full or cap != self._caption_sent:
            self._caption_sent = cap
            out["caption"] = dict(cap, html=caption_html(cap, self.labels))
        insp = self.inspect_html()
        if full or insp != self._inspect_sent:
            self._inspect_sent = insp
            out["inspect"] = insp or ""
        out["stepping"] = self.target is not None
        out["finished"] = bool(getattr(self.run, "finished", False))
        return json.dumps(out, separators=(",", ":"))

    def full(self) -> str:
        """Everything, the whole SVG included (after a restart or a jump in time)."""
        self._svg = self.renderer.svg()  # the current frame; also the renderer's new diff baseline
        data = json.loads(self._updates(full=True))
        data["svg"] = self._svg
        data["seed"] = self.seed
        return json.dumps(data, separators=(",", ":"))

    def status(self) -> str:
        """Everything a test wants to assert on, as JSON."""
        c = self.cluster
        view = c.view(log_window=None)  # the contract (raftcore.view): whole logs, for the tests
        servers = {sv.name: sv for sv in view.servers}
        lead = servers.get(view.leader) if view.leader is not None else None
        out = {
            "time": c.now,
            "seed": self.seed,
            "speed": self.speed,
            "leader": view.leader,
            "states": {n: dict(sv.state.data) for n, sv in servers.items()},
            "alive": {n: sv.alive for n, sv in servers.items()},
            "terms": {n: sv.current_term for n, sv in servers.items()},
            "commit": {n: sv.commit_index for n, sv in servers.items()},
            "violation": str(c.violation) if c.violation is not None else None,
            "step": len(self._marks()),
            "steps": len(self.labels),
            "step_no": self._step_no(),
            "stepping": self.target is not None,
            "marks": [label for _, label in self._marks()],
            "finished": bool(getattr(self.run, "finished", False)),
            "unsafe": {k: v for k, v in self.unsafe_on.items() if v},
            "leaders": {n: servers[n].current_term for n in view.leaders},
            "logs": {n: list(sv.log.terms()) for n, sv in servers.items()},
            "applied": {n: sv.last_applied for n, sv in servers.items()},
            "match": {pr.peer: pr.match_index for pr in lead.progress} if lead is not None else {},
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

    def trace(self) -> str:
        """The run's trace as a JSON list of lines (tests compare runs across the worker)."""
        return json.dumps(self.cluster.trace())

    def unmount(self) -> None:
        self.tracer.close()
        self.element = None


def mount(element, config) -> Scene:
    """Create the Scene for a ``.raft-scene`` element (``element`` is None from the worker,
    which has no DOM; the glue keeps the element). ``config`` is the JSON of ``data-scene``
    (a string, or a dict from Python) with the glue's additions (``seed`` from the URL,
    ``reduced_motion``, ``query``: the address's query string, read by controls such as the
    lab's replay view; ``shown``: the drawing the screen shows, see :meth:`Scene.show_drawing`)."""
    if not isinstance(config, dict):
        config = json.loads(str(config))
    return Scene(config, element=element, reduced_motion=bool(config.get("reduced_motion")))


def _reel_kind(kind) -> None:
    """A reel records Play (``"play"``) or Next ▶ (``"next"``): nothing else moves the opening."""
    if kind not in ("play", "next"):
        raise ValueError(f"a reel is of Play or Next ▶, not {kind!r}")


def _honest_events(lines: list[str], violations: list) -> list[str]:
    """Event-log lines as they happened: a ``mark`` reached after a violation is the script's
    label for a safe run, so it is shown as such, not as what this run did."""
    if not violations:
        return lines
    first = violations[0]
    out = []
    for line in lines:
        stamp, _, rest = line.partition(" ")
        try:
            t = float(stamp.removesuffix("ms"))
        except ValueError:
            t = None
        if rest.startswith("mark ") and t is not None and t >= first.time:
            out.append(f"{stamp} (the script’s step “{rest[5:]}” assumed a safe run; this run broke "
                       f"{first.invariant} at {first.time:.1f}ms)")
        else:
            out.append(line)
    return out


def caption_html(cap: dict, labels: list[str]) -> str:
    """Markup of the step caption drawn under the diagram: "Step k of n", the step's label, and,
    once an invariant is violated, what broke — never the script's expectation instead."""
    from html import escape as e

    k, n, t = cap["step"], cap["of"], cap["time"]
    # the time of a stop, never the running clock: the caption is a live region, read out on each
    # change (the toolbar shows the clock)
    tm = f" · t = {t:g} ms" if cap.get("step_no") is not None and not cap.get("stepping") else ""
    if cap.get("stepping"):
        head = (f"Step {k} of {n} → running to step {k + 1}" if k < n else "Running on")
        text = labels[k] if k < n and not cap.get("violation") else ""
        body = f'<p class="raft-caption__text raft-caption__text--next">Next: {e(text)}</p>' if text else ""
    elif n == 0:
        head = "No scripted steps" + tm
        body = ('<p class="raft-caption__text">This scene has no scripted steps: <strong>Next ▶</strong> runs '
                f'{SLICE_MS:g} ms of simulated time slowly enough to follow every message; <strong>Play</strong> '
                'lets it run.</p>') if t == 0 else ""
    elif k == 0:
        head = f"Setup · {n} steps{tm}"
        body = ('<p class="raft-caption__text">The opening frame, before anything happens. Press '
                '<strong>Next ▶</strong> to go through the story one step at a time, or <strong>Play</strong>.</p>')
    else:
        head = f"Step {k} of {n}{tm}" + (" · the end of the story; Next ▶ runs on" if k >= n else "")
        body = f'<p class="raft-caption__text">{e(cap["label"])}</p>' if cap.get("label") else ""
    v = cap.get("violation")
    if v:
        body += (f'<p class="raft-caption__violation"><strong>{e(v["invariant"])} is broken</strong>: '
                 f'{e(v["text"].split(" is broken: ", 1)[-1])}</p>')
        for more in cap.get("more") or ():
            body += f'<p class="raft-caption__violation raft-caption__violation--more">{e(more)}.</p>'
        if cap.get("before"):
            body += (f'<p class="raft-caption__note">The last step reached before it: “{e(cap["before"])}”</p>')
        if cap.get("scripted"):
            body += ('<p class="raft-caption__note">The script’s caption for this step describes a safe run; '
                     'this run broke a rule, so it is not shown.</p>')
    return f'<p class="raft-caption__step">{e(head)}</p>{body}'


def opening(config: dict) -> "Scene":
    """The scene as the reader first sees it (build time: the prerendered SVG and caption are
    this scene's, so the live scene opens on exactly the same frame)."""
    return Scene(dict(config), element=None, reduced_motion=False)


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
