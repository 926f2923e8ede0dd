"""A campaign on every core: the one place in ``raftcore`` with processes.

Everything else in the lab is a pure function of ``(seed, settings)`` — which is what makes
this module safe and small: it hands blocks of seeds to worker processes, each worker returns
the exact partial result of its block (:func:`raftcore.lab.shards.run_seeds`), and the parent
merges them (:meth:`~raftcore.lab.statistics.LabSummary.merged`) into the summary one process
would have printed, byte for byte, whatever the number of workers or the order they finish in.
An exception inside a run stays that run's failure (``LabRun.step`` catches it in the worker).

Only the command line imports this module: Pyodide has no ``multiprocessing`` (the browser
spreads a campaign over Web Workers through raftsite/lab_bridge.py's shards instead), and the
tests, the bridge and the replay view run campaigns in-process.

Workers are started with ``spawn``: a fresh interpreter that inherits nothing from the parent
(no hash seed, no state), the same on every operating system; the lab never depends on the
hash seed anyway (tests/core/test_lab.py runs a campaign under two).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable

from .settings import LabSettings
from .shards import run_seeds
from .statistics import LabSummary

#: Blocks per worker, at least: small blocks keep every core busy to the end (runs differ
#: in length) and the progress fine-grained; a block's result is a few kilobytes.
BLOCKS_PER_JOB = 64


def default_jobs() -> int:
    """The cores this process may run on (all of them, unless an affinity mask says fewer)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def blocks(settings: LabSettings, jobs: int) -> list[range]:
    """The campaign's seeds in consecutive blocks, about ``BLOCKS_PER_JOB`` per worker."""
    first, runs = settings.seed, settings.runs
    size = max(1, runs // (jobs * BLOCKS_PER_JOB))
    return [range(first + i, first + min(runs, i + size)) for i in range(0, runs, size)]


def _run_block(args: tuple[LabSettings, range]) -> LabSummary:
    settings, seeds = args
    return run_seeds(settings, seeds)


def run_campaign(settings: LabSettings, jobs: int | None = None,
                 progress: Callable[[LabSummary], None] | None = None) -> LabSummary:
    """The campaign's summary, its runs spread over ``jobs`` processes (default: every
    core; 1: in this process, no pool). ``progress`` is called with the merged summary of
    the runs done so far, after every run (one process) or every block (a pool)."""
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    jobs = min(jobs, settings.runs)
    if jobs == 1:
        return run_seeds(settings, range(settings.seed, settings.seed + settings.runs), progress)
    parts: list[LabSummary] = []
    with multiprocessing.get_context("spawn").Pool(jobs) as pool:
        for part in pool.imap_unordered(_run_block, [(settings, b) for b in blocks(settings, jobs)]):
            parts.append(part)
            if progress is not None:
                progress(LabSummary.merged(parts))
    return LabSummary.merged(parts)
