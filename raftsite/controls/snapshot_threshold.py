"""A slider of the log-compaction threshold (scene 12; restarts the scene).

Each server snapshots its state machine once it has applied this many entries since its
last snapshot, and discards the log up to there (thesis §5.1): ``RaftConfig.snapshot_threshold``.
0 turns compaction off, and the logs grow without bound — which is the problem compaction
solves.
"""

from __future__ import annotations

from raftsite.blocks.fields import Field
from raftsite.controls.base import Control, ControlError, slider_html


def parse_threshold(value, maximum: int) -> int:
    """A threshold from the slider: a whole number of entries in [0, maximum]."""
    text = str(value).strip()
    if not text.isdigit():
        raise ControlError(f"snapshot threshold {text[:20]!r} is not a whole number of entries")
    n = int(text)
    if n > maximum:
        raise ControlError(f"snapshot threshold {n} is above this slider's maximum {maximum}")
    return n


class SnapshotThreshold(Control):
    kind = "snapshot_threshold"
    doc = ("a slider of the log-compaction threshold: every server snapshots after that many applied "
           "entries, 0 never (restarts the scene)")
    fields = {
        "default": Field("int", "the threshold at first (entries; 0: no compaction)", False, 5, 0, 1000),
        "max": Field("int", "the slider's maximum", False, 20, 1, 1000),
        "label": Field("str", "the slider's label", False, None),
    }
    unique = True
    example = "{kind: snapshot_threshold, default: 5, max: 20}"

    @classmethod
    def normalise(cls, c):
        if c["default"] > c["max"]:
            raise ControlError(f"default {c['default']} is above max {c['max']}")
        return c

    @classmethod
    def html(cls, c, scene_id):
        label = c["label"] or "Snapshot every"
        return slider_html("snapshot_threshold", label, c["max"], c["default"], fmt="{v} entries", zero="never",
                           restarts=True)

    def __init__(self, scene, c):
        super().__init__(scene, c)
        self.threshold = int(c["default"])

    def configure(self, overrides, base):
        overrides["snapshot_threshold"] = self.threshold

    def set(self, target, value):
        self.threshold = parse_threshold(value, int(self.c["max"]))
        return True

    def status(self):
        from raftsite.layers.snapshots import state_digest

        c = self.scene.cluster
        view = c.view(log_window=0)
        return {
            "snapshot_threshold": self.threshold,
            # per server: the last index its snapshot covers (0: none), its state machine's digest
            "snapshots": {s.name: (s.snapshot[0] if s.snapshot else 0) for s in view.servers},
            "digests": {s.name: state_digest(s) for s in view.servers},
            # InstallSnapshot messages delivered so far: (leader, follower, last included index)
            "installs": installs(c.trace()),
        }


def installs(trace) -> list[tuple[str, str, int]]:
    """InstallSnapshot messages a trace shows delivered (the trace is part of the run, so this
    stays right across the timeline's time travel; an observer's count would not)."""
    out = []
    for line in trace:
        _, _, text = line.partition(" ")
        head, sep, rest = text.partition(" InstallSnapshot ")
        if not sep or " " in head:  # "dropped …"/"lost …" lines were never delivered
            continue
        src, _, dst = head.partition("->")
        last = rest.split("last=", 1)[1].split("/", 1)[0] if "last=" in rest else "0"
        out.append((src, dst, int(last)))
    return out
