"""The lab's replay view: a scene whose simulation is one run of the lab, not a named scenario.

A failing run in the lab (``docs/lab.md``) links here with its seed and the lab's settings in
the address (``?seed=…&size=…&unsafe=…``). This control reads them (the glue hands the scene
the page's query string as ``config["query"]``), supplies that lab run to the scene instead of
the block's scenario (:meth:`Control.start_run`), and — the first time — puts the run at the
event where the checker caught the violation, so the reader lands on it with the monitor red
and the checker's report beside the diagram. With a ``timeline`` control listed *before* this
one in the block, the whole run is recorded first and the reader can scrub back from there.

The run is :class:`raftcore.lab.LabRun` — the very code behind the lab and
``python -m raftcore.lab`` — so the seed replays exactly: :class:`ReplayRun` only adapts its
step-at-a-time interface to the time-based one a scene drives (``advance(ms)``).

A bad address (an unknown setting, a value out of range, no seed) is shown in the panel with
the reason; the scene then stays on its placeholder scenario, an idle cluster.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

from raftsite.blocks.fields import Field
from raftsite.controls.base import Control, esc

__all__ = ["LabReplay", "ReplayRun", "ReplayAddressError", "parse_replay_query"]


class ReplayAddressError(ValueError):
    """The address does not name a lab run (the message says which parameter and why)."""


def parse_replay_query(query: str):
    """``(seed, LabSettings)`` from a replay address's query string; ReplayAddressError if bad.

    The address is the lab page's (:func:`raftsite.lab_bridge.replay_query` writes it, the
    lab's own validation reads it), with ``seed`` the run's own seed, which it must name;
    ``runs`` may be there (a lab address pasted here) and does not matter."""
    from raftcore.lab import LabSettings, LabSettingsError

    from raftsite.lab_bridge import settings_from_query

    text = str(query or "")
    if "seed" not in {name for name, _ in parse_qsl(text.lstrip("?"), keep_blank_values=True)}:
        raise ReplayAddressError("it has no seed. Each failing run in the lab's tables links here with its seed and "
                                 "settings in the address (for instance ?seed=7), so open one from there")
    try:
        settings = LabSettings.from_dict(json.loads(settings_from_query(text)))
    except LabSettingsError as exc:
        raise ReplayAddressError(str(exc)) from None
    return settings.seed, settings


class ReplayRun:
    """A :class:`~raftcore.lab.LabRun` driven the way a scene drives a ``ScenarioRun``.

    ``LabRun`` moves in *steps* (one simulator event, or one nemesis/client tick every 10 ms);
    a scene moves in simulated milliseconds. :meth:`advance` takes every step due by the
    target time, then shows the clock at the target (as ``Cluster.run_for`` does). Before the
    next step the clock goes back to the time of the last step, so a run paused anywhere
    takes exactly the steps — with exactly the same clock arithmetic — of a run never
    paused: the replay is the lab's run, event for event.

    ``snapshot``/``restore`` (time travel for the timeline) cover the lab run and that clock.
    How the run ends (``failure``, ``ended``, ``end_time``) is learnt the first time the run
    gets there and kept across restores, so the view knows where the failure is while it
    shows an earlier time.
    """

    def __init__(self, seed: int, settings):
        from raftcore.lab import LabRun

        self.lab = LabRun(seed, settings)
        self.cluster = self.lab.cluster
        self.seed = seed
        self.settings = self.lab.settings
        self._clock = self.cluster.now  # time of the latest step
        #: the LabFailure, once seen (None: the run has not failed so far / did not fail)
        self.failure = None
        #: whether the run has been seen to its end
        self.ended = False
        self.end_time: float | None = None

    @property
    def finished(self) -> bool:
        return self.lab.done

    @property
    def marks(self) -> list[tuple[float, str]]:
        """What the nemesis did so far, and the failure once found: the timeline's marks, in
        time order (a linearizability failure is found at the end of the run, but placed at the
        reply that no linearization explains)."""
        out = [(t, text) for _, t, text in self.lab.actions]
        f = self.lab.failure
        if f is not None:
            out.append((f.time, f"{f.label} violated" if f.key not in ("linearizability", "progress")
                        else f"{f.label}: failed"))
        return sorted(out, key=lambda m: m[0])

    def _next_time(self) -> float | None:
        """Simulated time of the next ``LabRun.step`` (None once the run is over): the lab's
        own answer (:meth:`raftcore.lab.LabRun.next_step_time`), asked at the clock of the
        last step, since the clock shown may be ahead of it (see the class docstring)."""
        c = self.cluster
        shown, c.now = c.now, self._clock
        try:
            return self.lab.next_step_time()
        finally:
            c.now = shown

    def next_event_time(self) -> float | None:
        """When the next thing happens: the next lab step, or after the run the cluster's next
        event (the toolbar's Step goes there)."""
        if self.lab.done:
            return self.cluster.next_event_time()
        return self._next_time()

    def advance(self, ms: float) -> None:
        c = self.cluster
        target = c.now + max(0.0, float(ms))
        lab = self.lab
        while not lab.done:
            nxt = self._next_time()
            if nxt is None or nxt > target:
                break
            c.now = self._clock
            lab.step()
            self._clock = c.now
            self._learn()
        if lab.done and c.violation is None:
            # after the run: the healed cluster goes on running, like a scenario after its script
            if target > c.now:
                c.run_for(target - c.now)
            self._clock = c.now
        elif c.violation is None:
            c.now = max(c.now, target)

    def _learn(self) -> None:
        lab = self.lab
        if lab.failure is not None and self.failure is None:
            self.failure = lab.failure
        if lab.done and not self.ended:
            self.ended = True
            self.end_time = self.cluster.now
            self.failure = lab.failure

    def snapshot(self) -> dict:
        return {"lab": self.lab.snapshot(), "clock": self._clock}

    def restore(self, snap: dict) -> None:
        self.lab.restore(snap["lab"])
        self._clock = snap["clock"]


def _fmt_setting(s, value) -> str:
    if s.kind == "bool":
        return "on" if value else "off"
    if s.kind == "switches":
        return ", ".join(value) if value else "none"
    if s.kind == "prob":
        return f"{100 * value:g}%"
    if isinstance(value, float):
        return f"{value:g}{s.unit}"
    return f"{value}{s.unit}"


class LabReplay(Control):
    kind = "lab_replay"
    doc = ("the lab's replay view: the scene runs the lab run named by the page's address (its seed and the lab's "
           "settings) instead of its scenario, starts at the event where the checker caught the violation, and "
           "shows the checker's report; list a `timeline` before it to scrub back from there")
    fields = {
        "lab": Field("str", "the lab page's address relative to this page (its links go there)", False, "../"),
    }
    unique = True
    js = "lab_replay"  # holds the run on its failure (the glue starts scenes playing)
    reel = False  # the run comes from the address (raftsite.reels)
    example = "{kind: lab_replay}"

    @classmethod
    def html(cls, c, scene_id):
        return ('<button type="button" class="md-button raft-btn" data-control="lab_replay" '
                'data-target="failure" hidden disabled>Go to the violation</button>')  # shown when the run failed

    @classmethod
    def panel_html(cls, c, scene_id):
        return (f'<section class="raft-scene__panel raft-lab-run" data-panel="lab_run" aria-label="The lab run">'
                f'{_panel_inner(c["lab"], None, None, None, None, None)}</section>')

    # ------------------------------------------------------------------ in the browser

    def __init__(self, scene, c):
        super().__init__(scene, c)
        self.error: str | None = None
        self.settings = None
        self.run: ReplayRun | None = None
        self._positioned = False
        self._sig = None
        try:
            seed, self.settings = parse_replay_query(scene.config.get("query") or "")
        except ReplayAddressError as exc:
            self.error = str(exc)
        else:
            # The glue passes ?seed= as the scene's seed; the query's own parse is the check.
            scene.seed = seed

    def start_run(self):
        if self.settings is None:
            self.run = None
            return None  # the placeholder scenario runs; the panel says why
        self.run = ReplayRun(self.scene.seed, self.settings)
        return self.run

    def _timeline(self):
        tl = next((c for c in self.scene.controls if c.kind == "timeline"), None)
        if tl is not None and getattr(tl, "rec", None) is not None and tl.rec.run is self.run:
            return tl
        return None

    def attach(self, cluster, run):
        self._sig = None
        if run is not self.run or self.run is None:
            return
        if not self._positioned:
            self._positioned = True
            self.go_to_failure()

    def go_to_failure(self) -> None:
        """Show the step where the run failed (the end of the run when it did not fail)."""
        run = self.run
        if run is None:
            return
        tl = self._timeline()
        if not run.ended:
            # not recorded yet (no timeline): run to the end; the cluster halts at a violation
            while not run.finished:
                before = (run.cluster.now, run.lab.steps)
                run.advance(1_000.0)
                if (run.cluster.now, run.lab.steps) == before:
                    break
        f = run.failure
        t = f.time if f is not None else run.end_time
        if tl is not None and t is not None:
            tl.seek(t)

    def set(self, target, value):
        if target == "failure":
            self.go_to_failure()
            return False
        raise ValueError(f"lab_replay has no operation {target!r}")

    # ------------------------------------------------------------------ state out

    def _state(self) -> str | None:
        """The linearizability monitor: ``ok``/``bad`` once the run's history was checked;
        ``bad`` too from the moment the reply that cannot be linearized has arrived (the run
        learnt it at its end; the prefix of the history up to that reply is already not
        linearizable); ``pending`` before."""
        run = self.run
        if run is None:
            return None
        lin = run.lab.lin
        if lin is not None:
            return "ok" if lin.ok else "bad"
        f = run.failure
        if f is not None and f.key == "linearizability" and run.cluster.now >= f.time - 1e-9:
            return "bad"
        return "pending"

    def panels(self, full):
        lin_state = self._state()
        run = self.run
        # the scene's own panel shows an invariant's report while the cluster stands on it
        at_violation = run is not None and run.cluster.violation is not None
        sig = (self.error, lin_state, run.failure is not None if run else None, run.ended if run else None,
               at_violation, id(run))
        if not full and sig == self._sig:
            return {}
        self._sig = sig
        return {"lab_run": _panel_inner(self.c["lab"], self.error, run, self.settings, lin_state, at_violation)}

    def status(self):
        run = self.run
        f = run.failure if run is not None else None
        return {"lab_replay": {
            "error": self.error,
            "seed": run.seed if run is not None else None,
            "settings": self.settings.to_dict() if self.settings is not None else None,
            "failure": f.to_dict() if f is not None else None,
            "ended": run.ended if run is not None else False,
            # the view shows the moment of the failure, or later
            "at_failure": bool(f is not None and run.cluster.now >= f.time - 1e-9),
            "linearizability": self._state(),
            "steps": run.lab.steps if run is not None else 0,
        }}


def _panel_inner(lab, error, run, settings, lin_state, at_violation) -> str:
    """The "Lab run" panel: the run's seed and settings, its outcome and the checker's report."""
    from raftcore.lab import SETTINGS

    head = '<h4 class="raft-scene__heading">Lab run</h4>'
    if error is not None:
        return (head + f'<p class="raft-scene__message raft-lab-run__error" role="alert" data-role="lab-error">This address does not name '
                f'a lab run: {esc(error)}. The diagram shows an idle cluster instead. '
                f'<a href="{esc(lab)}">Back to the lab</a></p>')
    if run is None:
        return head + ('<p class="raft-muted" data-role="lab-pending">The run named by this page\'s address loads '
                       'once Python has started.</p>')
    rows = "".join(
        f'<tr><th scope="row">{esc(s.label)}</th><td>{esc(_fmt_setting(s, getattr(settings, s.name)))}</td></tr>'
        for s in SETTINGS if s.name not in ("runs", "seed")
    )
    failure = run.failure
    if failure is not None:
        verdict = (f'<p class="raft-lab-run__verdict raft-lab-run__verdict--bad" data-role="lab-verdict">'
                   f'Run {run.seed}: <strong>{esc(failure.label)}</strong> failed at {failure.time:.1f} ms '
                   f'(step {failure.event:,} of {max(failure.events, failure.event):,}).</p>')
        if not at_violation:  # else the same report is in the invariant panel, next to the red monitor
            verdict += (f'<pre class="raft-scene__violation raft-lab-run__report" data-role="lab-report">'
                        f'{esc(failure.report)}</pre>')
    elif run.ended:
        verdict = (f'<p class="raft-lab-run__verdict" data-role="lab-verdict">Run {run.seed} held every invariant, '
                   f'its clients\' history is linearizable and the cluster made progress after healing.</p>')
    else:
        verdict = f'<p class="raft-lab-run__verdict" data-role="lab-verdict">Run {run.seed}.</p>'
    lin_text = {"ok": "holds", "bad": "VIOLATED", "pending": "checked when the run ends"}[lin_state]
    lin_cls = "raft-inv--bad" if lin_state == "bad" else ("raft-inv--ok" if lin_state == "ok" else "raft-inv--pending")
    monitor = (f'<ul class="raft-lab-run__monitors"><li class="raft-inv {lin_cls}" data-invariant="linearizability">'
               f'<span class="raft-inv__dot" aria-hidden="true"></span><span class="raft-inv__name">Linearizability'
               f'</span> <span class="raft-inv__state">{lin_text}</span></li></ul>')
    from raftsite.lab_bridge import cli_command, settings_query

    one = settings.with_(seed=run.seed, runs=1)
    back = esc(lab + "?" + settings_query(one))
    return (head + verdict + monitor
            + f'<details class="raft-lab-run__settings"><summary>Settings of this run</summary>'
              f'<table class="raft-table-panel"><tbody>{rows}</tbody></table></details>'
            + f'<p class="raft-lab-run__links"><a href="{back}" data-role="lab-back">Run this seed in the lab</a> · '
              f'<a href="{esc(lab)}">the lab</a> · on the command line: <code data-role="lab-cli">{esc(cli_command(one))}'
              f'</code></p>')
