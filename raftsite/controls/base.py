"""What a scene control is: one class per kind, holding every rule of that kind in one place.

A control kind appears in four places — the block schema (its fields), the page (its
markup), the bridge (what it does to the simulation) and the glue (how the reader operates
it). Before, each of those was a branch in a different file; now a kind is one module of
:mod:`raftsite.controls`, found by :func:`raftsite.controls.registry`, so adding a control
is adding a file (see the authoring guide).

Build time uses the class methods (``normalise``, ``html``, ``panel_html``); the browser
makes one instance per control of a scene, which survives the scene's restarts.

The glue wires every element with ``data-control="<kind>"`` generically:

* ``<button>`` — a click sends ``data-value`` (or ``""``);
* ``<input type=checkbox>`` — a change sends ``"on"`` or ``"off"``;
* ``<input type=range>`` — every movement sends the value (an ``<output>`` next to it shows
  ``data-format`` with ``{v}`` replaced, or ``data-zero`` at 0);
* ``<select>`` and other inputs — a change sends the value;

to ``Scene.set_control(kind, data-target, value)``; ``data-restarts`` on the element
resumes playing after the call (the scene restarted). A kind that needs more (dragging,
a loop of its own) names an ES module in ``js``: ``assets/raft/controls/<js>.mjs``, whose
``wire(ui, control)`` the glue calls once the scene is live.
"""

from __future__ import annotations

from typing import Any, ClassVar

from raftsite.blocks.fields import Field
from raftsite.markup import esc

__all__ = ["Control", "ControlError", "esc", "slider_html"]

def slider_html(kind: str, label: str, maximum: int, value: int = 0, *, fmt: str = "{v}", zero: str = "",
                step: int = 1, target: str | None = None, restarts: bool = False, attrs: str = "") -> str:
    """A labelled ``<input type=range>`` with its ``<output>``, for the glue's generic wiring.

    The output's first text follows the glue's rule (``zero`` at 0, else ``fmt`` with ``{v}``),
    so the value the page shows before Python starts is the one it shows after."""
    shown = zero if value == 0 and zero else fmt.replace("{v}", str(value))
    extra = (f' data-target="{esc(target)}"' if target else "") + (" data-restarts" if restarts else "")
    zero_attr = f' data-zero="{esc(zero)}"' if zero else ""
    return (
        f'<label class="raft-control raft-control--range">{esc(label)} '
        f'<input type="range" min="0" max="{maximum}" step="{step}" value="{value}" '
        f'data-control="{kind}"{extra} data-format="{esc(fmt)}"{zero_attr}{attrs} disabled> '
        f'<output class="raft-control__value">{esc(shown)}</output></label>'
    )


class ControlError(ValueError):
    """A control's options are inconsistent (the schema adds the block line)."""


class Control:
    #: the ``kind:`` an author writes
    kind: ClassVar[str] = ""
    #: one line for the authoring guide: what the reader gets
    doc: ClassVar[str] = ""
    #: the control's keys besides ``kind`` (name -> Field)
    fields: ClassVar[dict[str, Field]] = {}
    #: at most one of this kind per scene
    unique: ClassVar[bool] = False
    #: other kinds this one needs on the same scene
    needs: ClassVar[tuple[str, ...]] = ()
    #: an ES module under ``assets/raft/controls/`` with ``wire(ui, control)``, or None
    js: ClassVar[str | None] = None
    #: the example the authoring guide shows
    example: ClassVar[str] = ""
    #: whether the build may record the first seconds of the scene (:mod:`raftsite.reels`):
    #: False for a control that takes the run from the page's address
    reel: ClassVar[bool] = True

    # ------------------------------------------------------------------ build time

    @classmethod
    def all_fields(cls) -> dict[str, Field]:
        return {"kind": Field("str", f"`{cls.kind}`: {cls.doc}", True), **cls.fields}

    @classmethod
    def normalise(cls, c: dict) -> dict:
        """Check what the field types cannot express; return the control's options
        (raise :class:`ControlError` with the fix)."""
        return c

    @classmethod
    def html(cls, c: dict, scene_id: str) -> str:
        """The control's markup in the scene's control bar (disabled until Python is ready)."""
        return ""

    @classmethod
    def panel_html(cls, c: dict, scene_id: str) -> str | None:
        """Markup of a side panel (``data-panel="<name>"``), or None."""
        return None

    # ------------------------------------------------------------------ in the browser

    def __init__(self, scene, c: dict):
        self.scene = scene
        self.c = c

    def configure(self, overrides: dict[str, Any], base) -> None:
        """Before the scenario (re)starts: add ``RaftConfig`` field overrides to ``overrides``;
        ``base`` is the scenario's own RaftConfig (read only)."""

    def start_run(self):
        """Before each (re)start: the run this control supplies instead of the block's named
        scenario, or None (the default: the scenario runs). Anything with what a
        ``ScenarioRun`` offers the scene — ``cluster``, ``seed``, ``finished`` and
        ``advance(ms)`` — will do; the lab's replay view supplies a lab run this way."""
        return None

    def attach(self, cluster, run) -> None:
        """After each (re)start of the scene: the new cluster and scenario run."""

    def applies_to(self, target: str) -> bool:
        """Whether ``set_control(kind, target, …)`` is for this control (several sliders of
        one kind differ by target)."""
        t = self.c.get("target")
        return not t or not target or t == target

    def set(self, target: str, value) -> bool:
        """The reader operated the control. Return True when the scene must restart.

        Kinds driven only by their own glue module (``action``) keep this refusal."""
        raise ValueError(f"the {self.kind!r} control has no setting to change; its page module drives it")

    def action(self, name: str, arg) -> dict:
        """A named action of a control with its own glue module (JSON-able result)."""
        raise ValueError(f"control {self.kind!r} has no action {name!r}")

    def panels(self, full: bool) -> dict[str, str]:
        """Panel contents that changed (all of them when ``full``)."""
        return {}

    def render_options(self, opts: dict) -> None:
        """Adjust the renderer's options (called after each restart and each ``set``)."""

    def fresh(self, panels: dict[str, str], full: bool) -> dict[str, str]:
        """The entries of ``panels`` whose markup differs from what was last sent (all of them
        when ``full``): what ``panels()`` returns, so an unchanged panel costs the page nothing."""
        sent = self.__dict__.setdefault("_panels_sent", {})
        out = {}
        for name, html in panels.items():
            if full or sent.get(name) != html:
                sent[name] = out[name] = html
        return out

    def layers(self) -> list:
        """Renderer layers this control adds to the diagram (see ``Renderer`` option ``layers``)."""
        return []

    def status(self) -> dict:
        """What tests and the lab assert on (merged into ``Scene.status()``)."""
        return {}
