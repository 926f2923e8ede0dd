"""A campaign split into shards and merged back: what lets the lab use every core (the
command line's process pool, raftcore/lab/pool.py; the browser's Web Workers, through
raftsite/lab_bridge.py) without changing one byte of its summary.

A campaign is ``settings.runs`` runs, seeds ``settings.seed`` … ``settings.seed + runs - 1``,
and a run is a pure function of ``(seed, settings)``. So any set of its seeds can run
anywhere, in any order; what a set of runs reports is a :class:`~raftcore.lab.statistics.LabSummary`
of those runs (a *partial result*), and :meth:`LabSummary.merged` adds partial results up
exactly (integer counts and fractions, failures in seed order) — merged in any order, they
are the summary of the whole campaign run on one core.

* :func:`shard_seeds` — shard ``k`` of ``n``: every ``n``-th seed from the ``k``-th (a stride,
  so that every shard sees early and late seeds and all finish at about the same time);
* :func:`run_seeds` — the partial result of some seeds of a campaign;
* :func:`partial_to_dict` / :func:`merge_partials` — a partial result as JSON-able data (it
  crosses a process or a Web Worker as text) and the campaign's summary from a list of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .run import run_one
from .settings import LabSettings
from .statistics import LabSummary

#: What a partial result says it is (JSON from another runtime is checked against it).
PARTIAL_KIND = "raftcore.lab partial result"


def shard_seeds(settings: LabSettings, shard: int = 0, shards: int = 1) -> range:
    """The seeds of shard ``shard`` (0-based) of ``shards``: ``seed + i`` for every run ``i``
    of the campaign with ``i % shards == shard``. The shards of a campaign are disjoint and
    together hold every seed once."""
    if not isinstance(shards, int) or isinstance(shards, bool) or shards < 1:
        raise ValueError(f"shards must be a whole number of at least 1, got {shards!r}")
    if not isinstance(shard, int) or isinstance(shard, bool) or not 0 <= shard < shards:
        raise ValueError(f"shard must be a whole number from 0 to {shards - 1}, got {shard!r}")
    return range(settings.seed + shard, settings.seed + settings.runs, shards)


def run_seeds(settings: LabSettings, seeds: Iterable[int],
              on_run: Callable[[LabSummary], None] | None = None) -> LabSummary:
    """The partial result of the runs of ``seeds`` with ``settings`` (``on_run`` is called
    with the partial result after each run: progress for whoever waits)."""
    summary = LabSummary()
    for seed in seeds:
        summary.add(run_one(seed, settings), settings.duration)
        if on_run is not None:
            on_run(summary)
    return summary


def run_shard(settings: LabSettings, shard: int = 0, shards: int = 1) -> LabSummary:
    """The partial result of shard ``shard`` of ``shards`` (:func:`shard_seeds`)."""
    return run_seeds(settings, shard_seeds(settings, shard, shards))


def partial_to_dict(settings: LabSettings, summary: LabSummary) -> dict:
    """A partial result as JSON-able data: the campaign's settings and the exact summary of
    the runs done (:meth:`LabSummary.to_state`)."""
    return {"kind": PARTIAL_KIND, "settings": settings.to_dict(), "summary": summary.to_state()}


def partial_from_dict(data: dict) -> tuple[LabSettings, LabSummary]:
    if not isinstance(data, dict) or data.get("kind") != PARTIAL_KIND:
        raise ValueError("not a partial result of a lab campaign (Lab.partial() makes one)")
    return LabSettings.from_dict(data["settings"]), LabSummary.from_state(data["summary"])


def merge_partials(partials: Iterable[dict]) -> tuple[LabSettings, LabSummary]:
    """The campaign's settings and the summary of every run in ``partials`` (data from
    :func:`partial_to_dict`, in any order). They must be of one campaign (the same settings)
    and disjoint; partial results of a campaign still under way, or stopped, merge into the
    summary of the runs done so far."""
    settings = None
    parts = []
    for data in partials:
        s, summary = partial_from_dict(data)
        if settings is None:
            settings = s
        elif s.to_dict() != settings.to_dict():
            raise ValueError("partial results of different campaigns (their settings differ)")
        parts.append(summary)
    if settings is None:
        raise ValueError("no partial results to merge")
    return settings, LabSummary.merged(parts)
