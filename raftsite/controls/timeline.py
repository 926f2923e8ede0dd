"""A timeline scrubber with time travel: drag back to any moment of the run, then play again.

The reader gets a slider over simulated time (keyboard: ←/→ one step, PageUp/PageDown the
previous/next labelled mark, Home/End), "◀ step back" / "step ▶" buttons that move one event
at a time, the run's labelled marks (the scenario's ``mark "…"`` commands, e.g. the paper's
Figure 8 steps (a)…(e)) drawn on the slider, and the caption of the current step.

How time travel works, and why it is exact
------------------------------------------
The engine is the core's :class:`raftcore.sim.recording.Recording`: the simulation is
deterministic, so snapshots of the whole run taken every ``every`` simulated ms suffice; to
show time ``t`` it restores the latest snapshot at or before ``t`` and replays forward to
``t``. Moving back and then playing again gives exactly the trace of never having moved (the
tests compare traces). This control draws the slider and turns the reader's moves into
``Recording.seek``.

With ``prerun`` (the default) the whole script is run once when the scene (re)starts, so the
slider knows the run's length and every mark from the start; then the run is put back at 0.

Memory is bounded: at most ``max_snapshots`` are kept. When one more is needed, every other
snapshot is dropped (the first, at time 0, always stays) and the interval doubles, so the
snapshots stay evenly spread over the run and replaying to any moment costs at most about
two intervals of simulation.

The reader's own interventions (crashing a server by clicking it, or any other change that
happens without simulated time passing) are part of the recorded run from then on: the
timeline drops every snapshot after that moment and takes one just after the intervention.
Scrubbing back to before an intervention undoes it and forgets the future that followed it
(it would no longer be the future of that past).

Fields (``{kind: timeline, …}`` in a scene block):

* ``every`` — simulated ms between snapshots at first (default 50);
* ``max_snapshots`` — snapshots kept at most (default 48; the interval doubles beyond);
* ``prerun`` — run the script to its end at each (re)start (default true);
* ``tail`` — simulated ms the prerun goes on after the script's last command (default 100);
* ``horizon`` — with ``prerun``, stop the prerun at this simulated time instead (ms, 0: none);
* ``step_ms`` — simulated ms one arrow key moves the slider (default 5);
* ``record_ms`` — simulated ms recorded at most (default 120 000): past it the run plays on,
  but the slider ends there (a snapshot holds the run's trace so far, so an endless recording
  would grow without bound);
* ``label`` — the slider's label (default "Time").

The run must offer ``snapshot()`` and ``restore(snap)`` (``ScenarioRun`` does) and may offer
``marks`` (a list of ``(time, label)``); the lab's replay view supplies such a run.
"""

from __future__ import annotations

import json
import math
import time as _time

from raftcore.sim.recording import HALF_STAMP, Recording, trace_times
from raftsite.blocks.fields import Field
from raftsite.controls.base import Control, ControlError, esc

__all__ = ["Timeline"]

#: the longest prerun, in simulated ms: a script that never ends (a free-running cluster) is
#: recorded this far, then the slider grows as the reader plays on
MAX_PRERUN_MS = 120_000.0

def _marks_of(run) -> list[tuple[float, str]]:
    return [(float(t), str(label)) for t, label in (getattr(run, "marks", None) or ())]


class Timeline(Control):
    kind = "timeline"
    doc = ("a scrubber over simulated time with time travel (restore a snapshot, replay to the exact moment), "
           "step back/step buttons and the run's labelled marks with the current step's caption")
    fields = {
        "every": Field("int", "simulated ms between snapshots at first", False, 50, 1, 60_000),
        "max_snapshots": Field("int", "snapshots kept at most (beyond, every other one is dropped and the "
                               "interval doubles)", False, 48, 4, 4096),
        "prerun": Field("bool", "run the script to its end at each (re)start, so the slider shows the whole "
                        "run and its marks from the start", False, True),
        "tail": Field("int", "simulated ms the prerun goes on after the script's last command", False, 100, 0,
                      600_000),
        "horizon": Field("int", "with prerun: stop at this simulated time instead (ms; 0: at the script's end)",
                         False, 0, 0, 3_600_000),
        "step_ms": Field("int", "simulated ms one arrow key moves the slider", False, 5, 1, 10_000),
        "record_ms": Field("int", "simulated ms recorded at most: past it the run plays on but the slider ends",
                           False, 120_000, 1_000, 3_600_000),
        "label": Field("str", "the slider's label", False, None),
    }
    unique = True
    js = "timeline"
    example = "{kind: timeline, every: 50}"

    @classmethod
    def normalise(cls, c):
        if c["horizon"] and not c["prerun"]:
            raise ControlError("horizon only applies with prerun: true")
        return c

    @classmethod
    def html(cls, c, scene_id):
        label = c["label"] or "Time"
        sid = esc(scene_id)
        return (
            f'<div class="raft-control raft-timeline" data-role="timeline" data-step="{c["step_ms"]}">'
            f'<button type="button" class="md-button raft-btn" data-timeline="back" disabled>'
            f'\u25c0 step back</button>'
            f'<div class="raft-timeline__track">'
            f'<label class="raft-timeline__label" for="{sid}-timeline-scrub">{esc(label)}</label>'
            f'<input type="range" id="{sid}-timeline-scrub" min="0" max="1000" step="any" value="0" '
            f'data-timeline="scrub" list="{sid}-timeline-marks" aria-describedby="{sid}-timeline-caption" '
            f'aria-keyshortcuts="ArrowLeft ArrowRight PageUp PageDown Home End" disabled>'
            f'<ol class="raft-timeline__marks" data-role="timeline-marks" aria-label="Labelled steps of the run">'
            f'</ol></div>'
            f'<button type="button" class="md-button raft-btn" data-timeline="forward" disabled>'
            f'step \u25b6</button>'
            f'<datalist id="{sid}-timeline-marks"></datalist>'
            f'<p class="raft-timeline__caption" id="{sid}-timeline-caption" data-role="timeline-caption" '
            f'aria-live="polite"></p>'
            f'</div>'
        )

    # ------------------------------------------------------------------ in the browser

    def __init__(self, scene, c):
        super().__init__(scene, c)
        self.rec: Recording | None = None
        self.marks: list[tuple[float, str]] = []
        self.end = 0.0
        #: where the prerun ended (the script and its tail); 0 without a prerun
        self.script_end = 0.0
        self.prerun_ms = 0.0
        self._fp = None
        self._marks_sent = None

    def attach(self, cluster, run):
        self.rec = Recording(run, self.c["every"], self.c["max_snapshots"], float(self.c["record_ms"]),
                             clock=_time.perf_counter)
        self.marks = _marks_of(run)
        self.end = cluster.now
        self.script_end = 0.0
        self.prerun_ms = 0.0
        if self.c["prerun"]:
            self._prerun(run)
        self._fp = self._fingerprint()

    def _prerun(self, run) -> None:
        """Run the script to its end (or the horizon), recording snapshots and marks, then go
        back to the start. Other controls' observers do not see this rehearsal."""
        c = run.cluster
        rec = self.rec
        t0 = _time.perf_counter()
        observers, c.observers = c.observers, []
        try:
            horizon = float(self.c["horizon"]) or None
            limit = min(horizon if horizon is not None else MAX_PRERUN_MS, rec.until)
            while c.now < limit and not (horizon is None and getattr(run, "finished", False)):
                before = c.now
                rec.advance_to(min(limit, before + rec.every))
                if c.now <= before:
                    break  # a violation stopped time
            if horizon is None and c.now < limit:
                rec.advance_to(min(limit, c.now + float(self.c["tail"])))
            self.end = self.script_end = c.now
            self.marks = _marks_of(run)
            run.restore(rec.snaps[0][1])  # exactly as the scene started, before its first command
        finally:
            c.observers = observers
        self.prerun_ms = (_time.perf_counter() - t0) * 1000.0

    def _fingerprint(self):
        """How far the run is (its time, and how many script commands it has carried out), and
        what the reader can change without the run moving: the servers and which are up, cut
        links, link delays, client operations and the unsafe switches."""
        c = self.scene.cluster
        progress = (c.now, len(getattr(self.scene.run, "outputs", ())))
        return (progress, tuple(c.names), tuple(c.alive(n) for n in c.names), len(c.blocked),
                tuple(sorted(c.link_delay.items())), len(c.handles), tuple(c.config.unsafe.enabled()))

    def _observe(self) -> None:
        """After every update: record forward progress, or an intervention by the reader."""
        rec = self.rec
        if rec is None:
            return
        fp = self._fingerprint()
        old, self._fp = self._fp, fp
        if old is None or fp == old:
            return
        c = self.scene.cluster
        if fp[0] == old[0]:
            # something changed while the run did not move: the reader intervened at c.now
            rec.intervened()
            self.marks = [m for m in self.marks if m[0] <= c.now]
        else:
            rec.note_progress()
        self._merge_marks()
        if c.now > self.end:
            self.end = min(c.now, rec.until)

    def _merge_marks(self) -> None:
        have = set(self.marks)
        new = [m for m in _marks_of(self.scene.run) if m not in have]
        if new:
            self.marks = sorted(self.marks + new)

    # ------------------------------------------------------------------ operations

    def seek(self, t: float) -> None:
        """Show simulated time ``t`` (clamped to the recorded run while it is known)."""
        rec = self.rec
        if rec is None:
            raise ValueError("the timeline is not attached to a run")
        if isinstance(t, bool) or not isinstance(t, (int, float)) or math.isnan(t):
            raise ValueError(f"not a time: {t!r}")
        self._observe()  # whatever happened since the last update is part of the record
        t = min(max(0.0, float(t)), max(self.end, rec.reach))
        rec.seek(t)
        self._fp = self._fingerprint()
        self._merge_marks()

    def step_back(self) -> None:
        """Back to just after the event before the latest one (the previous state)."""
        c = self.scene.cluster
        times = [x for x in trace_times(c.trace()) if x <= c.now + HALF_STAMP]
        if len(times) >= 2:
            self.seek(times[-2] + HALF_STAMP if times[-2] > 0 else 0.0)
        else:
            self.seek(0.0)

    def step_forward(self) -> None:
        """On to the next scheduled event (as the toolbar's Step does): the script's own
        commands count, when the run can say when they are due."""
        c = self.scene.cluster
        when = getattr(self.scene.run, "next_event_time", None) or c.next_event_time
        nxt = when()
        if nxt is None:
            return
        if nxt > c.now:
            self.seek(nxt)
            return
        self._observe()
        self.scene.run.advance(0.0)  # events due at this very instant
        self._fp = self._fingerprint()

    def mark_time(self, which) -> float:
        """Time of a mark by index, or of the previous/next mark from now (``"prev"``/``"next"``)."""
        now = self.scene.cluster.now
        if which in ("prev", "next"):
            eps = 1e-6
            if which == "prev":
                before = [t for t, _ in self.marks if t < now - eps]
                return before[-1] if before else 0.0
            after = [t for t, _ in self.marks if t > now + eps]
            return after[0] if after else max(self.end, now)
        try:
            k = int(which)
        except (TypeError, ValueError):
            raise ValueError(f"not a mark: {which!r}") from None
        if not 0 <= k < len(self.marks):
            raise ValueError(f"no mark {k}: this run has {len(self.marks)} marks")
        return self.marks[k][0]

    def set(self, target, value):
        """``target`` names the operation: ``seek`` (value: ms), ``back``, ``forward``,
        ``mark`` (value: an index, ``prev`` or ``next``)."""
        op = target or "seek"
        if op == "seek":
            try:
                t = float(value)
            except (TypeError, ValueError):
                raise ValueError(f"not a time: {value!r}") from None
            self.seek(t)
        elif op == "back":
            self.step_back()
        elif op == "forward":
            self.step_forward()
        elif op == "mark":
            self.seek(self.mark_time(value))
        else:
            raise ValueError(f"timeline has no operation {op!r} (seek, back, forward, mark)")
        return False

    def action(self, name, arg):
        if name == "info":
            return self.info()
        return super().action(name, arg)

    # ------------------------------------------------------------------ state out

    def caption(self) -> str:
        """The label of the latest mark reached, or ''."""
        now = self.scene.cluster.now + 1e-6
        cur = ""
        for t, label in self.marks:
            if t <= now:
                cur = label
            else:
                break
        return cur

    def info(self) -> dict:
        """What the glue draws: the slider's range, the marks, the caption."""
        rec = self.rec
        return {
            "end": max(self.end, rec.reach if rec else 0.0),
            "script_end": self.script_end,
            "now": self.scene.cluster.now,
            "marks": [{"t": t, "label": label} for t, label in self.marks],
            "caption": self.caption(),
            "step": self.c["step_ms"],
            "limit": rec.until if rec else None,
        }

    def panels(self, full):
        # called after every update of the scene: the moment to record what happened
        self._observe()
        # the glue module takes "timeline" out of the panels: the slider's range and marks, sent
        # when the marks change (a reader's intervention drops those it made obsolete)
        sig = tuple(self.marks)
        if full or sig != self._marks_sent:
            self._marks_sent = sig
            return {"timeline": json.dumps(self.info(), separators=(",", ":"))}
        return {}

    def status(self):
        rec = self.rec
        return {"timeline": dict(self.info(), recording=rec.summary() if rec else None,
                                 prerun_ms=round(self.prerun_ms, 3))}
