"""Scene 03's button: the Figure 16 experiment run in the browser, a batch per animation frame,
drawn as cumulative distributions next to the paper's points."""

from __future__ import annotations

import time

from raftsite.blocks.fields import Field
from raftsite.controls.base import Control, esc
from raftsite.controls.timeout_range import parse_range, range_text

GIVE_UP_EQUAL_MS = 12_000.0  # a 150–150 ms trial never ends on its own (the paper: "over 10 s")


class Experiment:
    """The Figure 16 experiment for one range, run a batch at a time."""

    def __init__(self, lo: float, hi: float, trials: int, seed: int = 0):
        from raftcore.sim.elections import run_trials

        self.lo, self.hi, self.trials = lo, hi, trials
        give_up = GIVE_UP_EQUAL_MS if lo == hi else 60_000.0
        self.gen = run_trials(lo, hi, trials, seed=seed, give_up_ms=give_up)
        self.values: list[float] = []
        self.finished = False
        self.wall_ms = 0.0

    def batch(self, budget_ms: float) -> None:
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
            "range": range_text((self.lo, self.hi)),
            "done": n,
            "total": self.trials,
            "finished": self.finished,
            "median": v[n // 2] if n else None,
            "p99": v[min(n - 1, int(0.99 * n))] if n else None,
            "max": v[-1] if n else None,
            "mean": sum(v) / n if n else None,
            "wall_ms": round(self.wall_ms, 1),
        }


class Elections(Control):
    kind = "elections"
    doc = ("a button that runs the Figure 16 experiment in the browser for the selected timeout range and "
           "draws the cumulative distribution next to the paper's points")
    fields = {
        "trials": Field("int", "trials per run (150–150 ms runs `trials_equal`)", False, 1000, 10, 5000),
        "trials_equal": Field("int", "trials for a range whose minimum equals its maximum (they last > 10 s each)",
                              False, 20, 1, 1000),
        "label": Field("str", "the button's label", False, None),
    }
    unique = True
    needs = ("timeout_range",)
    js = "elections"
    example = "{kind: elections, trials: 1000}"

    @classmethod
    def html(cls, c, scene_id):
        label = c["label"] or f"Run {c['trials']:,} elections"
        return (
            f'<span class="raft-control raft-control--elections">'
            f'<button type="button" class="md-button raft-btn" data-action="elections" disabled>{esc(label)}</button> '
            f'<button type="button" class="md-button raft-btn" data-action="elections-stop" disabled hidden>Stop</button> '
            f'<progress data-role="elections-progress" max="1" value="0" aria-label="Elections run so far" hidden></progress> '
            f'<span data-role="elections-status" role="status"></span></span>'
        )

    @classmethod
    def panel_html(cls, c, scene_id):
        from raftsite.charts import cdf_chart_svg

        return (f'<figure class="raft-scene__panel raft-scene__chart" data-panel="chart">'
                f'{cdf_chart_svg(scene_id + "-chart", [])}</figure>')

    def __init__(self, scene, c):
        super().__init__(scene, c)
        self.experiment: Experiment | None = None
        self.results: dict[str, list[float]] = {}

    def _range(self) -> tuple[float, float]:
        for ctl in self.scene.controls:
            if ctl.kind == "timeout_range":
                return ctl.range
        return (150.0, 300.0)

    def action(self, name, arg):
        if name == "start":
            lo, hi = self._range()
            n = int(arg) if arg else int(self.c["trials_equal" if lo == hi else "trials"])
            self.experiment = Experiment(lo, hi, n, seed=self.scene.seed or 0)
            return {"elections": self.experiment.summary()}
        if name == "batch":
            e = self.experiment
            if e is None:
                return {}
            before = len(e.values)
            e.batch(float(arg or 12.0))
            s = e.summary()
            out: dict = {"elections": s}
            if e.values:
                self.results[s["range"]] = sorted(e.values)
            if e.finished or len(e.values) // 100 != before // 100:
                out["panels"] = {"chart": self.chart_svg()}
            if e.finished:
                self.experiment = None
            return out
        if name == "stop":
            e, self.experiment = self.experiment, None
            out = {"panels": {"chart": self.chart_svg()}}
            if e is not None:
                out["elections"] = dict(e.summary(), stopped=True)
            return out
        return super().action(name, arg)

    def chart_svg(self) -> str:
        from raftsite.charts import cdf_chart_svg

        series = []
        for r in sorted(self.results, key=parse_range):
            vals = self.results[r]
            lo, hi = parse_range(r)
            note = "gave up at 12 s" if lo == hi and vals and vals[-1] >= GIVE_UP_EQUAL_MS else ""
            series.append((r.replace("-", "–"), vals, note))
        return cdf_chart_svg(self.scene.config["id"] + "-chart", series)

    def panels(self, full):
        return {"chart": self.chart_svg()} if full else {}

    def status(self):
        return {"elections": {r: {"n": len(v), "median": v[len(v) // 2], "max": v[-1]}
                              for r, v in self.results.items() if v}}
