"""The lab: seeded random fault schedules against the real cluster, summarized.

A run is a pure function of ``(seed, settings)``: a :class:`~raftcore.sim.Cluster` whose
network loses, duplicates, reorders and delays messages, closed-loop clients writing and
reading two keys, and a *nemesis* — a Jepsen-style adversary drawing from
``random.Random(seed)`` — that, for ``duration`` simulated ms,

* partitions the network (:data:`PARTITIONS`: the leader alone, the leader with a minority,
  random majority/minority halves, a bridge, a ring of overlapping majorities, one-way
  cuts), and when a partition ends, half of the time reshapes it at once instead of healing;
* kills servers (:data:`CRASHES`: the target, a minority, a majority or everyone) and
  restarts them after a bounce of a few ms or an outage of seconds (log-uniform);
* slows one server's links (timer skew: it sees everything late and is seen late) and makes
  the whole network lossy for a while (*flaky*);
* strikes new leaders (*leader churn*): within 60 ms of an election it cuts the new leader
  off or kills it, and lets back whoever its previous partition held — a term or more behind;
* asks for membership changes (add, remove, replace, grow or shrink by two) without waiting
  for earlier requests, as an impatient operator would.
* builds *stale-leader windows* on purpose (issue 13): it waits for a calm moment, skews the
  clocks to the drift bound (the leader's slow, the others' fast), cuts the leader off just
  after a heartbeat round a majority confirmed (or first restarts the followers that
  confirmed it), times a successor out as soon as leader stickiness allows, writes through
  it, and reads at the old leader just after the write was acknowledged — the few tens of
  ms in which a lease that ignores the drift, a ReadIndex without its confirming round or a
  restart that forgets stickiness answers a stale read.

The target of a fault is the leader half of the time. The invariant checker watches every
event. After ``duration`` every fault ends and every server restarts; the run must then make
progress (a leader, every client answered) and leave a linearizable client history.

What makes the unsafe switches observable (each is caught within 50 seeds with the defaults,
``lease_ignores_drift`` at ``drift`` 0.45; tests/core/test_lab.py has the ranges): a rule
matters only when the faults leave servers whose states differ in just the way the rule
guards against. Leader churn and reshaped
partitions bring back servers a term behind, with tails of entries their successors never
saw; killed and bounced servers forget what they did not persist; one entry per
AppendEntries (``batch`` 1) and lossy periods make replication take several round trips, so
a leader can be struck between counting an old entry and replicating its own (Figure 8);
overlapping membership requests give ``multi_server_membership_change`` two changes to make
at once; reads from four clients with a short timeout reach brand-new and deposed leaders.
Three servers (the default size) are the smallest cluster that survives a fault, so each
fault reshapes the most.

Everything is driven through :class:`LabRun`, one *step* at a time — a step is one simulator
event or one nemesis action (a tick every :data:`TICK_MS`, or a churn strike) — so the
browser can run it in slices per animation frame, and a replay view can re-run a seed and
stop at exactly the step where the checker caught the violation (:attr:`LabFailure.event`).
The same code serves the command line (``python -m raftcore.lab``), the tests and the
browser lab; the same seed gives the same run everywhere: all randomness comes from the
seed, and nothing depends on the order of a set or of a dict keyed by strings
(``PYTHONHASHSEED`` differs between processes).

The package, one module per job:

* ``settings`` — the table of controls (:data:`SETTINGS`), their validation,
  :class:`LabSettings`, and the command line that repeats a campaign (:func:`cli_command`);
* ``nemesis`` — the fault schedule and the clients: what strikes the cluster on each tick;
* ``run`` — :class:`LabRun` (one seeded run, step by step, on a ``ClockedCluster``),
  :func:`run_one`, :func:`run_many`;
* ``statistics`` — what a run reports (:class:`RunResult`, :class:`LabFailure`), the
  linearizability bookkeeping and the campaign's summary (:class:`LabSummary`), exact so
  that summaries of shards merge into the campaign's;
* ``shards`` — a campaign split into shards of seeds (:func:`shard_seeds`,
  :func:`run_seeds`) and their partial results merged back (:func:`merge_partials`);
* ``pool`` — the campaign's shards on every core (``--jobs``): the one module with processes,
  imported only by the command line (Pyodide has no ``multiprocessing``);
* ``cli`` — ``python -m raftcore.lab`` (argparse and :func:`main`).

Every public name but the pool's is re-exported here: ``from raftcore.lab import LabRun`` is
the way in.
"""

from __future__ import annotations

from .cli import main
from .nemesis import CRASHES, FAULT_KINDS, KEYS, MEMBERSHIP_RATE, PARTITIONS, SKEW_RATE, TICK_MS
from .run import HEAL_MS, LabRun, run_many, run_one
from .shards import merge_partials, partial_from_dict, partial_to_dict, run_seeds, run_shard, shard_seeds
from .settings import (MAX_SERVERS, SETTINGS, LabSettings, LabSettingsError, Setting, cli_command, replay_command,
                       settings_schema)
from .statistics import (EXCEPTION, EXCEPTION_LABEL, LIN_MAX_STATES, LINEARIZABILITY, LINEARIZABILITY_LABEL, PROGRESS,
                         PROGRESS_LABEL, TAIL_ROWS, LabFailure, LabSummary, Percentiles, RunResult,
                         first_non_linearizable, summarize)

__all__ = ["CRASHES", "EXCEPTION", "EXCEPTION_LABEL", "FAULT_KINDS", "HEAL_MS", "KEYS", "LINEARIZABILITY",
           "LINEARIZABILITY_LABEL", "LIN_MAX_STATES", "MAX_SERVERS", "MEMBERSHIP_RATE", "PARTITIONS", "PROGRESS",
           "PROGRESS_LABEL", "SETTINGS", "SKEW_RATE", "TAIL_ROWS", "TICK_MS", "LabFailure", "LabRun", "LabSettings",
           "LabSettingsError", "LabSummary", "Percentiles", "RunResult", "Setting", "cli_command",
           "first_non_linearizable", "main", "merge_partials", "partial_from_dict", "partial_to_dict",
           "replay_command", "run_many", "run_one", "run_seeds", "run_shard", "settings_schema", "shard_seeds",
           "summarize"]
