"""How the leader answers reads (scene 10): ReadIndex, through the log, a lease — or unsafely,
from its own state at once. Changing it restarts the scene.

The three safe modes are the thesis's (§6.4): a read through the log is ordered like a write;
ReadIndex records the commit index, confirms leadership with a round of heartbeats a majority
answers, waits to apply up to it, then answers; a lease lets a majority's recent answers stand
for that round (it needs CheckQuorum). "Local" is the scene's unsafe switch ``local_reads``:
the leader answers from its own state machine without asking anyone — a deposed leader in a
minority answers with stale data. Choosing it here is the same as ticking "Defend it", and the
two stay in step (the glue module ``read_mode.mjs``).
"""

from __future__ import annotations

from raftsite.blocks.fields import Field
from raftsite.controls.base import Control, ControlError, esc

MODES = {
    "read_index": "ReadIndex: confirm leadership with a majority first (thesis §6.4)",
    "log": "Through the log, like a write (§8)",
    "lease": "Lease: a majority answered lately (thesis §6.4; needs CheckQuorum)",
    "local": "Local read at the leader, asking no one (unsafe)",
}
UNSAFE = "local_reads"


class ReadMode(Control):
    kind = "read_mode"
    doc = ("a menu of read paths — ReadIndex, through the log, a lease, or the unsafe local read (the "
           "`local_reads` switch) — that restarts the scene with it")
    fields = {
        "mode": Field("str", "the read path when the scene starts: read_index, log, lease or local", False,
                      "read_index"),
        "label": Field("str", "the menu's label", False, "Reads:"),
    }
    unique = True
    js = "read_mode"
    example = "{kind: read_mode, mode: read_index}"

    @classmethod
    def normalise(cls, c):
        if c["mode"] not in MODES:
            raise ControlError(f"mode must be one of {', '.join(MODES)}, got {c['mode']!r}")
        return c

    @classmethod
    def html(cls, c, scene_id):
        opts = "".join(
            f'<option value="{key}"{" selected" if key == c["mode"] else ""}>{esc(text)}</option>'
            for key, text in MODES.items()
        )
        return (f'<label class="raft-control raft-control--read-mode">{esc(c["label"])} '
                f'<select data-control="read_mode" data-restarts disabled>{opts}</select></label>'
                f'<span class="raft-control__note" data-panel="read-note" role="status"></span>')

    def __init__(self, scene, c):
        super().__init__(scene, c)
        # the safe mode chosen last; "local" is the scene's unsafe switch, kept in scene.unsafe_on
        self.mode = c.get("mode") or "read_index"
        if self.mode == "local":
            self.mode = "read_index"
            scene.unsafe_on[UNSAFE] = True
        self.note = ""
        self._sent = None

    def _check_quorum(self, base) -> bool:
        for ctl in self.scene.controls:
            if ctl.kind == "extensions":
                return bool(ctl.on["check_quorum"])
        return bool(base.check_quorum)

    def configure(self, overrides, base):
        mode = self.mode
        self.note = ""
        if mode == "lease" and not self._check_quorum(base):
            # RaftConfig refuses a lease without CheckQuorum (a deposed leader would not know).
            mode = "read_index"
            self.note = "A lease needs CheckQuorum; reading with ReadIndex until it is on."
        overrides["read_mode"] = mode

    def set(self, target, value):
        v = str(value)
        if v not in MODES:
            raise ValueError(f"read_mode: unknown read path {value!r}; known: {', '.join(MODES)}")
        if v == "local":
            self.scene.unsafe_on[UNSAFE] = True
        else:
            self.mode = v
            self.scene.unsafe_on[UNSAFE] = False
        return True

    @property
    def effective(self) -> str:
        if self.scene.unsafe_on.get(UNSAFE):
            return "local"
        return self.scene.cluster.config.read_mode

    def attach(self, cluster, run):
        self._sent = None

    def panels(self, full):
        if full or self.note != self._sent:
            self._sent = self.note
            return {"read-note": esc(self.note)}
        return {}

    def status(self):
        return {"read_mode": self.effective, "read_mode_note": self.note}
