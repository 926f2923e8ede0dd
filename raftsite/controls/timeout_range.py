"""A selector of the election-timeout range (scene 03; restarts the scene)."""

from __future__ import annotations

from raftsite.blocks.fields import Field
from raftsite.controls.base import Control, ControlError, esc

DEFAULT_RANGES = "150-150,150-151,150-155,150-175,150-200,150-300,12-24,25-50,50-100,100-200"


def parse_range(text: str) -> tuple[float, float]:
    """``"150-300"`` -> (150.0, 300.0); a clear error otherwise."""
    lo, _, hi = str(text).strip().partition("-")
    try:
        lo_f, hi_f = float(lo), float(hi)
    except ValueError:
        lo_f = hi_f = -1.0
    if not 1 <= lo_f <= hi_f <= 5000:
        raise ControlError(f"bad timeout range {str(text).strip()!r}: write MIN-MAX in ms, e.g. 150-300")
    return lo_f, hi_f


def range_text(r: tuple[float, float]) -> str:
    return "%g-%g" % r


class TimeoutRange(Control):
    kind = "timeout_range"
    doc = "a selector of the election-timeout range (restarts the scene)"
    fields = {
        "ranges": Field("str", "comma-separated ranges in ms, `MIN-MAX` each", False, DEFAULT_RANGES),
        "default": Field("str", "the range selected at first (must be one of `ranges`)", False, "150-300"),
        "label": Field("str", "the selector's label", False, None),
    }
    unique = True
    example = "{kind: timeout_range, ranges: '150-150,150-300', default: 150-300}"

    @classmethod
    def normalise(cls, c):
        ranges = [parse_range(part) for part in str(c["ranges"]).split(",")]
        default = parse_range(c["default"])
        if default not in ranges:
            raise ControlError(f"default {c['default']!r} is not one of the ranges")
        return dict(c, ranges=[range_text(r) for r in ranges], default=range_text(default))

    @classmethod
    def html(cls, c, scene_id):
        label = c["label"] or "Election timeout"
        opts = "".join(
            f'<option value="{r}"{" selected" if r == c["default"] else ""}>{r.replace("-", "–")} ms</option>'
            for r in c["ranges"]
        )
        return (f'<label class="raft-control">{esc(label)} <select data-control="timeout_range" data-restarts '
                f'disabled>{opts}</select></label>')

    def __init__(self, scene, c):
        super().__init__(scene, c)
        self.range = parse_range(c["default"])

    def configure(self, overrides, base):
        lo, hi = self.range
        overrides["election_timeout_min"], overrides["election_timeout_max"] = lo, hi
        # as in the paper's experiment: heartbeats at half the minimum timeout (or faster)
        overrides["heartbeat_interval"] = min(base.heartbeat_interval, lo / 2)

    def set(self, target, value):
        self.range = parse_range(value)
        return True

    def status(self):
        return {"timeout_range": list(self.range)}
