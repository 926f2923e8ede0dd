"""The lab page's bridge: runs :mod:`raftcore.lab` in the browser, a slice per animation frame.

The page makes one :class:`Lab` from the reader's settings (the form, or the URL), then calls
``lab.batch(budget_ms)`` once per ``requestAnimationFrame``: the lab takes simulation steps
until the wall-clock budget is spent and answers with one JSON string — progress, the partial
summary and the failures found in this slice — so the page stays responsive with thousands
of runs. ``stop()`` ends the campaign between two steps; ``summary()`` and ``failures()``
read the results at any time. A failing run's seed opens a replay view:
:func:`replay_config` re-runs that seed and says at which step the checker caught it.

The runs are exactly those of ``python -m raftcore.lab`` with the same settings: the slicing
changes when the page looks, never what a run does.

On every core: the page starts one Web Worker per core (``navigator.hardwareConcurrency``),
and worker ``k`` of ``n`` makes ``Lab(settings, shard=k, shards=n)``, which runs only its
seeds (every ``n``-th from the ``k``-th: :func:`raftcore.lab.shards.shard_seeds`). Each
worker's ``lab.partial()`` is a JSON partial result; :func:`merge` turns a list of them —
in any order, finished or not — into the JSON :meth:`Lab.summary` of a single ``Lab`` that
ran those seeds, plus its ``failures``, equal to what ``python -m raftcore.lab`` prints for
the same settings (raftcore/lab/statistics.py keeps summaries exact so that they merge).

Nothing here imports ``js`` or ``pyodide`` (CPython's tests import this module too).
"""

from __future__ import annotations

import json
import time

from raftcore.lab import LabRun, LabSettings, LabSettingsError, LabSummary, settings_schema
from raftcore.lab.shards import merge_partials, partial_to_dict, shard_seeds

__all__ = ["Lab", "LabSettingsError", "merge", "parse_settings", "replay_config", "schema",
           "settings_from_query", "settings_query", "replay_query", "cli_command"]

#: Steps between two looks at the clock (a step is one simulator event or one nemesis tick:
#: a few microseconds each, so the budget is kept to well under a millisecond).
CLOCK_EVERY = 64


def _dumps(data) -> str:
    return json.dumps(data, separators=(",", ":"), sort_keys=True)


def parse_settings(settings) -> LabSettings:
    """Settings from a JSON string or a dict (URL parameters may come as strings); a
    :class:`LabSettingsError` that names the bad setting otherwise."""
    if isinstance(settings, LabSettings):
        return LabSettings.from_dict(settings.to_dict())
    if settings is None or settings == "":
        return LabSettings().validate()
    if isinstance(settings, (str, bytes)):
        try:
            settings = json.loads(settings)
        except ValueError as e:
            raise LabSettingsError(f"lab settings are not valid JSON: {e}") from None
    if hasattr(settings, "to_py"):  # a JavaScript object handed over as a proxy
        settings = settings.to_py()
    return LabSettings.from_dict(settings)


def schema() -> str:
    """The controls (name, kind, label, help, default, range), for the page's form."""
    return _dumps(settings_schema())


class Lab:
    """A campaign of ``settings.runs`` seeded runs from ``settings.seed`` — or, with
    ``shards`` > 1, shard ``shard`` (0-based) of it: only the seeds
    :func:`~raftcore.lab.shards.shard_seeds` gives that shard (its progress counts them)."""

    def __init__(self, settings_json=None, clock=time.perf_counter, shard=0, shards=1):
        self.settings = parse_settings(settings_json)
        try:
            self.shard, self.shards = int(shard), int(shards)
            self._seeds = shard_seeds(self.settings, self.shard, self.shards)
        except (TypeError, ValueError) as e:
            raise LabSettingsError(f"bad shard {shard!r} of {shards!r}: {e}") from None
        self._clock = clock
        self._summary = LabSummary()
        self._next = 0              # index (in this shard's seeds) of the next run to start
        self._run: LabRun | None = None
        self.stopped = False
        self.wall_ms = 0.0

    @property
    def done(self) -> bool:
        return self.stopped or (self._run is None and self._next >= len(self._seeds))

    def batch(self, budget_ms: float = 8.0) -> str:
        """Run steps for about ``budget_ms`` of wall-clock time; JSON of where the campaign is."""
        try:
            budget = float(budget_ms)
        except (TypeError, ValueError):
            raise ValueError(f"batch budget must be a number of milliseconds, got {budget_ms!r}") from None
        start = self._clock()
        deadline = start + max(0.0, budget) / 1000.0
        new_failures = []
        steps = 0
        while not self.done:
            if self._run is None:
                self._run = LabRun(self._seeds[self._next], self.settings)
                self._next += 1
            run = self._run
            if not run.step():
                result = run.result
                self._summary.add(result, self.settings.duration)
                if result.failure is not None:
                    new_failures.append(result.failure.to_dict())
                self._run = None
            steps += 1
            if steps % CLOCK_EVERY == 0 and self._clock() >= deadline:
                break
        self.wall_ms += (self._clock() - start) * 1000.0
        out = self._progress()
        out["steps"] = steps
        out["new_failures"] = new_failures
        out["summary"] = self._summary.to_dict()
        return _dumps(out)

    def stop(self) -> str:
        """End the campaign now; the run under way is dropped (its seed is not counted)."""
        self.stopped = True
        self._run = None
        return _dumps(self._progress())

    def summary(self) -> str:
        out = self._summary.to_dict()
        out.update(self._progress())
        out["settings"] = self.settings.to_dict()
        return _dumps(out)

    def failures(self) -> str:
        """Every failing run so far: seed, invariant (key and label), simulated time, the step
        (``event``, of ``events``) at which it failed, and the checker's report."""
        return _dumps([f.to_dict() for f in self._summary.failures])

    def partial(self) -> str:
        """This lab's partial result so far (the runs it finished; a run under way is not in
        it), as JSON for :func:`merge`: the campaign's settings, the exact summary of its
        runs, and ``shard``, ``shards``, ``done``, ``stopped``, ``wall_ms``."""
        out = partial_to_dict(self.settings, self._summary)
        out.update(shard=self.shard, shards=self.shards, done=self.done, stopped=self.stopped,
                   wall_ms=round(self.wall_ms, 1))
        return _dumps(out)

    def _progress(self) -> dict:
        runs = len(self._seeds)
        current = 0.0
        phase = None
        if self._run is not None:
            r = self._run
            phase = r.phase
            current = min(1.0, r.cluster.now / self.settings.duration) if r.phase == "faults" else 1.0
        done_runs = self._summary.runs
        return {"runs_total": runs, "runs_done": done_runs, "failed": len(self._summary.failures),
                # A shard with no seeds (more workers than runs) is done from the start.
                "progress": min(1.0, (done_runs + current * 0.95) / runs) if runs else 1.0, "done": self.done,
                "stopped": self.stopped, "phase": phase,
                "seed": self._run.seed if self._run is not None else None,
                "wall_ms": round(self.wall_ms, 1),
                "runs_per_s": round(1000.0 * done_runs / self.wall_ms, 2) if self.wall_ms else None}


def merge(partials) -> str:
    """The summary of a campaign from its shards' :meth:`Lab.partial` results (a list of JSON
    strings or objects, or one JSON string of a list; any order; one campaign, no seed
    twice): the JSON :meth:`Lab.summary` of one ``Lab`` that ran all their seeds, plus
    ``failures`` (as :meth:`Lab.failures`, in seed order). ``done`` once every seed of the
    campaign is in; ``wall_ms`` is the longest shard's (they run side by side)."""
    if isinstance(partials, (str, bytes)):
        partials = json.loads(partials)
    if hasattr(partials, "to_py"):  # a JavaScript array handed over as a proxy
        partials = partials.to_py()
    items = [json.loads(p) if isinstance(p, (str, bytes)) else p for p in partials]
    items = [p.to_py() if hasattr(p, "to_py") else p for p in items]
    try:
        settings, summary = merge_partials(items)
    except (KeyError, TypeError) as e:
        raise ValueError(f"not a partial result of a lab campaign: {e!r}") from None
    wall_ms = max(float(p.get("wall_ms", 0.0)) for p in items)
    runs, done_runs = settings.runs, summary.runs
    stopped = any(p.get("stopped") for p in items)
    out = summary.to_dict()
    out.update({"runs_total": runs, "runs_done": done_runs, "failed": len(summary.failures),
                "progress": min(1.0, done_runs / runs), "done": done_runs == runs or stopped,
                "stopped": stopped, "phase": None, "seed": None, "wall_ms": round(wall_ms, 1),
                "runs_per_s": round(1000.0 * done_runs / wall_ms, 2) if wall_ms else None})
    out["settings"] = settings.to_dict()
    out["failures"] = [f.to_dict() for f in summary.failures]
    return _dumps(out)


def replay_config(seed, settings=None) -> str:
    """What a replay view needs to re-run one seed and stop on its violation: the settings of
    that single run, the step (``event``) at which the checker caught it, the run's length in
    steps, the failure itself and the nemesis's schedule (step, simulated ms, action). A
    replay makes ``LabRun(seed, LabSettings.from_dict(settings))`` and calls
    ``run_to(event)``; the cluster then stands on the violating event."""
    s = parse_settings(settings)
    seed = LabSettings.from_dict({"seed": seed}).seed
    s = s.with_(seed=seed, runs=1)
    run = LabRun(seed, s)
    result = run.run()
    failure = result.failure
    return _dumps({
        "seed": seed,
        "settings": s.to_dict(),
        "event": failure.event if failure is not None else None,
        "events": result.events,
        "failure": failure.to_dict() if failure is not None else None,
        "schedule": [[step, round(t, 3), text] for step, t, text in run.actions],
    })


# ---------------------------------------------------------------------- the page's address
#
# The lab page keeps its settings in its address (``?runs=1000&seed=0&unsafe=a,b``) so that a
# result can be shared as a link, and a failing run links to the replay view with its own
# seed. One spelling, here: the parameter names are the settings' names (the CLI's flags
# without ``--``), values as the CLI takes them, switches comma-separated.


def _query_pairs(query) -> dict[str, str]:
    from urllib.parse import parse_qsl

    out: dict[str, str] = {}
    for name, value in parse_qsl(str(query or "").lstrip("?"), keep_blank_values=True):
        if name in out:
            raise LabSettingsError(f"the address gives {name!r} twice")
        out[name] = value
    return out


def settings_from_query(query) -> str:
    """The settings an address's query string names (missing ones: the defaults), as JSON;
    a :class:`LabSettingsError` naming the bad parameter otherwise."""
    return _dumps(LabSettings.from_dict(_query_pairs(query)).to_dict())


def _value_text(s, value) -> str:
    if s.kind == "switches":
        return ",".join(value)
    if s.kind == "bool":
        return "on" if value else "off"
    return f"{value:g}" if isinstance(value, float) else str(value)


def settings_query(settings, keep=("runs", "seed"), omit=()) -> str:
    """The query string for ``settings``: ``keep`` always, ``omit`` never, the others only
    when they differ from the defaults (short links; :func:`settings_from_query` reads them
    back)."""
    from urllib.parse import urlencode

    from raftcore.lab import SETTINGS

    mine = parse_settings(settings).to_dict()
    defaults = LabSettings().to_dict()
    pairs = [(s.name, _value_text(s, mine[s.name])) for s in SETTINGS
             if s.name not in omit and (s.name in keep or mine[s.name] != defaults[s.name])]
    return urlencode(pairs, safe=",")


def replay_query(seed, settings) -> str:
    """The replay view's query string for run ``seed`` of a campaign with ``settings``: that
    seed, and the settings that differ from the defaults (``runs`` does not matter there)."""
    s = parse_settings(settings).with_(seed=seed)
    return settings_query(s, keep=("seed",), omit=("runs",))


def cli_command(settings) -> str:
    """The command line that runs the same campaign (``python -m raftcore.lab …``); one
    spelling, :func:`raftcore.lab.cli_command` (a failing run's report uses it too)."""
    from raftcore.lab import cli_command as lab_cli_command

    return lab_cli_command(parse_settings(settings))
