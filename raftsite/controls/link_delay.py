"""A slider that slows every link *to* one server (scene 01: a replica that stalls)."""

from __future__ import annotations

from raftsite.blocks.fields import Field
from raftsite.controls.base import Control, slider_html


class LinkDelay(Control):
    kind = "link_delay"
    doc = "a slider that adds one-way delay on every link *to* one server"
    fields = {
        "target": Field("server", "the server whose incoming links the slider slows", True),
        "max_ms": Field("int", "the slider's maximum extra delay in simulated ms", False, 2000, 50, 60000),
        "label": Field("str", "the slider's label", False, None),
    }
    example = "{kind: link_delay, target: SM_C, max_ms: 2000}"

    @classmethod
    def html(cls, c, scene_id):
        label = c["label"] or f"Network to {c['target']}"
        return slider_html("link_delay", label, c["max_ms"], fmt="+{v} ms", zero="normal",
                           step=max(1, c["max_ms"] // 40), target=c["target"])

    def __init__(self, scene, c):
        super().__init__(scene, c)
        self.ms = 0.0

    def attach(self, cluster, run):
        self._apply(cluster)

    def _apply(self, cluster):
        target = self.c["target"]
        for src in cluster.names:
            if src != target:
                cluster.set_link_delay(src, target, self.ms)

    def set(self, target, value):
        self.ms = max(0.0, float(value))
        self._apply(self.scene.cluster)
        return False

    def render_options(self, opts):
        if self.ms > 0:
            opts.setdefault("stalled", set()).add(self.c["target"])

    def status(self):
        return {"link_delays": {self.c["target"]: self.ms}}
