"""Linearizability checker for the key-value histories the simulator records.

A history is linearizable when every operation can be given a single point in
time between its invocation and its response such that the results match a
sequential execution in that order (Herlihy & Wing 1990).  Deciding this is
NP-complete in general, so the checker is a backtracking search:

* Wing & Gong 1993: walk the history in time order, repeatedly pick an
  operation that is *minimal* (invoked before any still-open operation
  returned), apply it to the sequential specification, and backtrack when a
  response is reached whose operation could not be linearized.
* Lowe 2017 ("Testing for linearizability") and Porcupine / Knossos: memoise
  every visited configuration ``(set of linearized operations, state)``.  Two
  search paths that reach the same configuration have the same future, so
  the second one is pruned.  This turns the exponential search into one
  bounded by the number of distinct configurations, which for a handful of
  concurrent clients is small.
* Locality (Herlihy & Wing 1990, Theorem 1; "P-compositionality" in Horn &
  Kroening 2015): a history is linearizable iff each object's sub-history
  is.  Every KV operation touches exactly one key, so keys are checked
  independently, which keeps the bitsets short and the state a single value.

Operations whose outcome is unknown (``complete is None``: the client gave up,
crashed, or the leader it talked to lost leadership) may have taken effect at
any time after their invocation, or never.  They are modelled as returning
at +infinity with an unchecked result, as Knossos does with ``:info``
operations.  Because such an operation can always be appended at the very end
of any linearization, the search only has to linearize the *completed*
operations; pending ones are used only where they help explain a result.

Reductions that keep unknown outcomes affordable (details in
``_check_key``):

* a pending GET has no effect and no checked result, so it is dropped;
* pending operations with identical ``(op, args)`` are interchangeable, so
  the search only ever uses the earliest-invoked unused one (symmetry
  reduction).  Clients that retry a timed-out ``INC x`` many times would
  otherwise make the search exponential in the number of retries;
* pending operations are linearized just in time, only to enable the
  recorded result of the completed operation that follows them;
* a configuration is pruned if one with the same completed set and state
  but a subset of the pending operations used was seen (subsumption).

Even so, histories with many pending writes over a small value domain can
take exponential time to *refute*; ``max_states`` bounds the work.

Verdicts are three-valued: ``ok=False`` only for a *proven* violation;
``complete=False`` when the search hit ``max_states`` on some key without
finding a violation (then ``ok`` stays True but means "no violation found",
not "linearizable").

This module is deliberately self-contained (stdlib only, no ``time``, no
randomness, no I/O) so it runs unchanged in Pyodide and can check histories
produced by anything, not only ``raftcore``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ..kv import ERR, OPS
from ..kv import apply_op as _kv_apply_op

__all__ = [
    "Operation",
    "LinResult",
    "check_history",
    "history_as_of",
    "first_violation",
    "culprit",
    "apply_op",
    "ERR",
    "OPS",
]

def apply_op(state: str | None, op: str, args: tuple[str, ...] | list[str] = ()) -> tuple[str | None, object]:
    """The sequential KV specification for one key: the store's own :func:`raftcore.kv.apply_op`,
    so that the checker's model and the replicated state machine cannot disagree. Checked
    here: the operation and its number of arguments (a history may come from anywhere)."""
    n = OPS.get(op)
    if n is None:
        raise ValueError(f"unknown operation {op!r} (expected one of {', '.join(OPS)})")
    if len(args) != n:
        raise ValueError(f"{op} takes {n} argument(s), got {len(args)}: {tuple(args)!r}")
    return _kv_apply_op(state, op, tuple(args))


@dataclass(frozen=True, slots=True)
class Operation:
    """One client operation as recorded by the client driver.

    ``complete is None`` means the outcome is unknown; ``result`` is then
    ignored.  Times are simulated milliseconds.
    """

    client: str
    op: str
    key: str
    args: tuple[str, ...]
    invoke: float
    complete: float | None
    result: object

    def __str__(self) -> str:
        end = "?" if self.complete is None else _fmt_time(self.complete)
        res = "?" if self.complete is None else _show(self.result)
        words = " ".join((self.op, self.key) + tuple(self.args))
        return f"[{_fmt_time(self.invoke)}\u2013{end} ms] {self.client}: {words} -> {res}"


@dataclass(frozen=True, slots=True)
class LinResult:
    """Outcome of :func:`check_history`.

    ``ok`` is False only for a proven violation; then ``key`` names the key
    and ``counterexample`` explains it.  ``complete`` is False when the
    search gave up on ``key`` after ``max_states`` configurations without
    finding a violation: the history is then *unknown*, not linearizable.
    ``explored`` counts distinct configurations visited over all keys.
    """

    ok: bool
    key: str | None
    counterexample: str | None
    explored: int
    complete: bool = True

    @property
    def verdict(self) -> str:
        """``"linearizable"``, ``"violation"`` or ``"unknown"``."""
        if not self.ok:
            return "violation"
        return "linearizable" if self.complete else "unknown"

    def __str__(self) -> str:
        if not self.ok:
            return f"not linearizable ({self.explored} states explored)\n{self.counterexample}"
        if not self.complete:
            return (
                f"unknown: gave up on key {self.key!r} after {self.explored} states "
                f"without finding a violation"
            )
        return f"linearizable ({self.explored} states explored)"


# --------------------------------------------------------------------------
# Formatting helpers


def _fmt_time(t: float) -> str:
    if t == int(t):
        return str(int(t))
    return f"{t:.3f}".rstrip("0").rstrip(".")


def _show(v: object) -> str:
    # Values are strings; printing them bare matches how the KV is written
    # in scenario files ("GET x -> 1").  Non-strings (INC's int, CAS's bool,
    # None) print as themselves.
    return v if isinstance(v, str) else repr(v)


def _show_pair(expected: object, actual: object) -> tuple[str, str]:
    # When "1" and 1 would print the same, fall back to repr so the reader
    # sees why they differ.
    a, b = _show(expected), _show(actual)
    if a == b:
        return repr(expected), repr(actual)
    return a, b


def _same(a: object, b: object) -> bool:
    # Strict: True == 1 and 1 == 1.0 in Python, but a CAS that "returned 1"
    # or an INC that returned True is a recording bug worth surfacing.
    return type(a) is type(b) and a == b


# --------------------------------------------------------------------------
# Validation and partitioning


def _validate(op: Operation) -> None:
    if not isinstance(op.key, str):
        raise ValueError(f"key must be a string: {op!r}")
    n = OPS.get(op.op)
    if n is None:
        raise ValueError(f"unknown operation {op.op!r} in {op!r}")
    if len(op.args) != n:
        raise ValueError(f"{op.op} takes {n} argument(s): {op!r}")
    if op.complete is not None and op.complete < op.invoke:
        raise ValueError(f"operation completes before it is invoked: {op!r}")


class _NoBlock:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<no pending run>"


_NO_BLOCK = _NoBlock()
_OVERWRITES = frozenset({"SET", "DEL"})


@dataclass(slots=True)
class _KeyOutcome:
    ok: bool
    complete: bool
    explored: int
    counterexample: str | None


def check_history(ops: Iterable[Operation], *, max_states: int = 1_000_000) -> LinResult:
    """Decide whether a KV history is linearizable.

    Keys are checked independently (locality) in sorted order; the first
    key with a proven violation is reported.  ``max_states`` bounds the
    configurations explored *per key*, so one pathological key cannot hide a
    violation on another.  If some key exhausts its budget and no key has a
    violation, the result has ``ok=True, complete=False`` and names that key.

    Raises ``ValueError`` for malformed operations (unknown op, wrong number
    of arguments, completion before invocation).

    The history should contain only operations that took effect or might
    have: an operation known to have failed without effect should be left
    out (or it will be checked as if it had succeeded with its result).
    """
    by_key: dict[str, list[Operation]] = {}
    for op in ops:
        _validate(op)
        by_key.setdefault(op.key, []).append(op)

    explored = 0
    gave_up: str | None = None
    for key in sorted(by_key):
        out = _check_key(key, by_key[key], max_states)
        explored += out.explored
        if not out.ok:
            return LinResult(False, key, out.counterexample, explored, True)
        if not out.complete and gave_up is None:
            gave_up = key
    if gave_up is not None:
        return LinResult(True, gave_up, None, explored, False)
    return LinResult(True, None, None, explored, True)


# --------------------------------------------------------------------------
# The search for one key


def _check_key(key: str, raw: list[Operation], max_states: int) -> _KeyOutcome:
    """Wing & Gong's search with Lowe's configuration cache, for one key.

    Completed operations live in a doubly linked list of call and return
    events in time order (arrays of indices, as in Porcupine).  Linearizing
    an operation "lifts" its events out of the list; backtracking puts them
    back (dancing links).  Reaching a return event during the scan means
    that operation must come before everything after it but has not been
    linearized: the candidates are exhausted there.

    Pending operations (unknown outcome) have no return event, so they sit
    in a second list and are candidates whenever they were invoked before
    the first open return.  They are tried only after every completed
    candidate, and only "just in time" (after Lowe 2017): any linearization
    can be rewritten so that each run of pending operations sits right
    before a completed operation whose recorded result it *enables* (wrong
    in the state before the run, right after it) -- a run before anything
    else can be moved later or dropped without changing a checked result.
    Within a run only the first operation may be a SET/DEL (anything before
    an overwrite is pointless) and every operation must change the state.
    So the search starts a run only when some completed candidate mismatches,
    and accepts a completed operation after a run only if the run enabled it.

    The cache is keyed by (completed set, state, state at the start of the
    current run) and keeps, for each, the pending sets already visited.  A configuration is pruned when a refuted
    one has the same completed set and state and a *subset* of its pending
    operations used: unused pending operations are optional and never
    constrain real-time order, so having more of them left can only help.
    This subsumption is what keeps histories with many timed-out requests
    tractable when they contain a violation and the whole space must be
    refuted; plain (bitset, state) memoisation blows up exponentially in
    the number of pending operations there.

    The explicit stack keeps deep histories off the Python recursion limit.
    """
    comp = sorted((o for o in raw if o.complete is not None), key=lambda o: o.invoke)
    # A pending GET can neither change the state nor be checked: drop it.
    pend = sorted((o for o in raw if o.complete is None and o.op != "GET"), key=lambda o: o.invoke)
    nc, npend = len(comp), len(pend)
    if nc == 0:
        return _KeyOutcome(True, True, 0, None)

    # Events of completed operations: (time, kind, op index).  Calls sort
    # before returns at equal times, i.e. touching intervals count as
    # concurrent: the lenient reading, so clock granularity never produces a
    # false violation.
    events: list[tuple[float, int, int]] = []
    for i, o in enumerate(comp):
        events.append((o.invoke, 0, i))
        events.append((o.complete, 1, i))  # type: ignore[arg-type]
    events.sort()
    m = len(events)
    # Node numbering: [0, m) events, [m, m + npend) pending operations,
    # then the two lists' sentinels.
    HEAD, TAIL = m + npend, m + npend + 1
    PHEAD, PTAIL = m + npend + 2, m + npend + 3
    size = m + npend + 4
    nxt = [0] * size
    prv = [0] * size
    node_time = [0.0] * size
    node_op = [-1] * size
    is_call = [False] * size
    ret_of = [-1] * nc
    for e, (t, kind, i) in enumerate(events):
        node_time[e] = t
        node_op[e] = i
        if kind == 0:
            is_call[e] = True
        else:
            ret_of[i] = e
    for j in range(npend):
        node_time[m + j] = pend[j].invoke
        node_op[m + j] = j
    for chain in ([HEAD, *range(m), TAIL], [PHEAD, *range(m, m + npend), PTAIL]):
        for x, y in zip(chain, chain[1:]):
            nxt[x] = y
            prv[y] = x

    # Symmetry reduction: pending operations with the same (op, args) are
    # interchangeable, so only the earliest-invoked unused one is a
    # candidate.  sym_prev[j] is the previous one of the same kind, or -1.
    sym_prev = [-1] * npend
    last_seen: dict[tuple[str, tuple[str, ...]], int] = {}
    for j, o in enumerate(pend):
        sig = (o.op, tuple(o.args))
        sym_prev[j] = last_seen.get(sig, -1)
        last_seen[sig] = j

    c_name = [o.op for o in comp]
    c_args = [tuple(o.args) for o in comp]
    c_result = [o.result for o in comp]
    p_name = [o.op for o in pend]
    p_args = [tuple(o.args) for o in pend]
    INF = float("inf")

    state: str | None = None
    lin_c = 0  # bitmask of linearized completed operations
    lin_p = 0  # bitmask of linearized pending operations
    remaining = nc
    # State at the start of the current run of pending operations, or
    # _NO_BLOCK outside one (see the just-in-time rule above).
    block: object = _NO_BLOCK
    # Whether a completed candidate scanned so far does not match here:
    # only then is starting a run of pending operations worth trying.
    mismatch = False
    stack: list[tuple[int, str | None, float, object, bool]] = []
    cache: dict[tuple[int, str | None, object], list[int]] = {}
    explored = 0
    best_progress = -1
    best: tuple[list[int], str | None] = ([], None)
    deadline = INF  # time of the first open return, during the pending phase

    e = nxt[HEAD]
    while True:
        if remaining == 0:
            return _KeyOutcome(True, True, explored, None)
        new_state: str | None
        if e < m:
            if not is_call[e]:
                # First open return: completed candidates exhausted; pending
                # operations invoked up to this instant may still go next.
                deadline = node_time[e]
                e = nxt[PHEAD]
                if block is _NO_BLOCK and not mismatch:
                    e = PTAIL
                continue
            i = node_op[e]
            new_state, res = apply_op(state, c_name[i], c_args[i])
            if not _same(res, c_result[i]):
                mismatch = True
                e = nxt[e]
                continue
            if block is not _NO_BLOCK:
                # Just-in-time: the pending run must be what makes this
                # operation's result possible, or it belongs later (or nowhere).
                if _same(apply_op(block, c_name[i], c_args[i])[1], c_result[i]):  # type: ignore[arg-type]
                    e = nxt[e]
                    continue
            new_c, new_p, new_block = lin_c | (1 << i), lin_p, _NO_BLOCK
        elif e == TAIL:  # unreachable while remaining > 0; kept for safety
            deadline = INF
            e = nxt[PHEAD]
            continue
        elif e != PTAIL and node_time[e] <= deadline:
            j = node_op[e]
            k = sym_prev[j]
            if k >= 0 and not (lin_p >> k) & 1:
                e = nxt[e]
                continue
            if block is not _NO_BLOCK and p_name[j] in _OVERWRITES:
                # It would make the run's earlier operations pointless.
                e = nxt[e]
                continue
            new_state, _ = apply_op(state, p_name[j], p_args[j])
            if new_state == state:
                # No effect (failed CAS, INC on a non-number, same value).
                e = nxt[e]
                continue
            new_c, new_p = lin_c, lin_p | (1 << j)
            new_block = state if block is _NO_BLOCK else block
        else:
            # Dead end: nothing can be linearized next from here.
            progress = nc - remaining
            if progress > best_progress:
                best_progress = progress
                nodes = [x for x, *_ in stack]
                shown_state = state
                if block is not _NO_BLOCK:
                    # Drop the unfinished run of pending operations.
                    while nodes and nodes[-1] >= m:
                        nodes.pop()
                    shown_state = block  # type: ignore[assignment]
                best = ([node_op[x] if x < m else nc + node_op[x] for x in nodes], shown_state)
            if not stack:
                text = _explain(key, comp + pend, best[0], best[1])
                return _KeyOutcome(False, True, explored, text)
            e, state, deadline, block, mismatch = stack.pop()
            if e < m:
                i = node_op[e]
                lin_c &= ~(1 << i)
                remaining += 1
                r = ret_of[i]
                nxt[prv[r]] = r
                prv[nxt[r]] = r
            else:
                lin_p &= ~(1 << node_op[e])
            nxt[prv[e]] = e
            prv[nxt[e]] = e
            e = nxt[e]
            continue

        # Candidate consistent with the spec: prune if subsumed.
        # A configuration outside a pending run subsumes the same one inside
        # a run: the run only adds a constraint on what may come next.
        ckey = (new_c, new_state, new_block)
        refuted = cache.get(ckey)
        if new_block is not _NO_BLOCK:
            free = cache.get((new_c, new_state, _NO_BLOCK))
            if free is not None and any(q & new_p == q for q in free):
                e = nxt[e]
                continue
        if refuted is not None:
            if any(q & new_p == q for q in refuted):
                e = nxt[e]
                continue
            # Keep the bucket an antichain: drop sets the new one subsumes.
            refuted[:] = [q for q in refuted if q & new_p != new_p]
            refuted.append(new_p)
        else:
            cache[ckey] = [new_p]
        if explored >= max_states:
            return _KeyOutcome(True, False, explored, None)
        explored += 1
        stack.append((e, state, deadline, block, mismatch))
        state = new_state
        lin_c, lin_p, block, mismatch = new_c, new_p, new_block, False
        nxt[prv[e]] = nxt[e]
        prv[nxt[e]] = prv[e]
        if e < m:
            remaining -= 1
            r = ret_of[node_op[e]]
            nxt[prv[r]] = nxt[r]
            prv[nxt[r]] = prv[r]
        e = nxt[HEAD]


_PREFIX_SHOWN = 12
_PENDING_SHOWN = 6


def _explain(key: str, ops: list[Operation], prefix: list[int], state: str | None) -> str:
    """Render the deepest point the search reached as a readable witness.

    The witness is the longest linearizable prefix found (the operations in
    the order they were linearized) and the *frontier*: every operation that
    was invoked before the earliest response still outstanding, i.e. the
    operations one of which would have to come next.  For each it says what
    it would have returned in that state; those whose result would match
    were tried and every continuation from them failed.
    """
    done = set(prefix)
    open_completed = [o.complete for i, o in enumerate(ops) if i not in done and o.complete is not None]
    deadline = min(open_completed)  # type: ignore[type-var]
    frontier = [i for i, o in enumerate(ops) if i not in done and o.invoke <= deadline]
    completed_total = sum(o.complete is not None for o in ops)
    completed_done = sum(ops[i].complete is not None for i in prefix)

    lines = [f"key {key!r}: history is not linearizable."]
    if prefix:
        lines.append(
            f"Longest linearizable prefix found ({completed_done} of {completed_total} "
            f"completed operations, in linearization order):"
        )
        shown = prefix[-_PREFIX_SHOWN:]
        if len(prefix) > len(shown):
            lines.append(f"  ... {len(prefix) - len(shown)} earlier operations")
        for i in shown:
            note = "   (outcome unknown; assumed to take effect here)" if ops[i].complete is None else ""
            lines.append(f"  {ops[i]}{note}")
        lines.append(f"State after it: {_state_text(key, state)}")
    else:
        lines.append(f"No operation can be linearized first; initial state: {_state_text(key, state)}")
    lines.append("None of these operations can be linearized next:")
    pending_shown = 0
    pending_hidden = 0
    for i in frontier:
        o = ops[i]
        _, res = apply_op(state, o.op, tuple(o.args))
        if o.complete is None:
            if pending_shown >= _PENDING_SHOWN:
                pending_hidden += 1
                continue
            pending_shown += 1
            why = "outcome unknown; every continuation after it fails"
        elif _same(res, o.result):
            why = "result matches here, but every continuation after it fails"
        else:
            _, would = _show_pair(o.result, res)
            why = f"would return {would} here"
        lines.append(f"  {o}   ({why})")
    if pending_hidden:
        lines.append(f"  ... and {pending_hidden} more operations with unknown outcome")
    return "\n".join(lines)


def _state_text(key: str, state: str | None) -> str:
    return f"{key} is missing" if state is None else f"{key} = {state}"


# ---------------------------------------------------------------------- where it went wrong


def history_as_of(ops: list[Operation], t: float, drop: int | None = None) -> list[Operation]:
    """The history as the clients knew it at time ``t``: operations invoked by then, those
    answered later still pending (their outcome unknown), without operation number ``drop``."""
    out = []
    for j, o in enumerate(ops):
        if j == drop or o.invoke > t:
            continue
        if o.complete is not None and o.complete > t:
            o = Operation(o.client, o.op, o.key, o.args, o.invoke, None, None)
        out.append(o)
    return out


def first_violation(ops: list[Operation], *, max_states: int = 1_000_000,
                    full: LinResult | None = None) -> tuple[float, LinResult]:
    """The earliest reply after which the history is no longer linearizable, as ``(its time,
    the checker's report on the history up to it)``. Linearizability is prefix-closed (the
    history as of an earlier time, later replies unknown, is linearizable if the whole is),
    so a binary search over the reply times finds it. ``full`` is the report on the whole
    history if the caller has it; when no earlier prefix fails (a search that gave up is not
    a failure), the answer is the last reply and ``full``."""
    times = sorted({o.complete for o in ops if o.complete is not None})
    full = full if full is not None else check_history(ops, max_states=max_states)
    lo, hi, found = 0, len(times) - 1, (times[-1] if times else 0.0, full)
    while lo <= hi:
        mid = (lo + hi) // 2
        res = check_history(history_as_of(ops, times[mid]), max_states=max_states)
        if res.ok:
            lo = mid + 1
        else:
            found = (times[mid], res)
            hi = mid - 1
    return found


def culprit(ops: list[Operation], *, max_states: int = 1_000_000) -> tuple[int, int | None] | None:
    """``(bad, cause)`` — positions in ``ops`` — for a history that is not linearizable, else None.

    ``bad`` is the operation whose reply first makes the history impossible (the first of
    them when several replies come at that instant: :func:`first_violation`). ``cause`` is the
    latest operation on the same key that had returned before ``bad`` was invoked and without
    which that history *is* linearizable (None if no single one is): real time forces
    ``cause`` before ``bad``, and then ``bad``'s result cannot be explained."""
    full = check_history(ops, max_states=max_states)
    if full.ok:
        return None
    t, _ = first_violation(ops, max_states=max_states, full=full)
    bad = min(i for i, o in enumerate(ops) if o.complete == t)
    r = ops[bad]
    done = [j for j, o in enumerate(ops) if o.complete is not None]
    before = [j for j in done if j != bad and ops[j].key == r.key and ops[j].complete < r.invoke]
    for j in sorted(before, key=lambda j: (-ops[j].complete, j)):
        res = check_history(history_as_of(ops, r.complete, drop=j), max_states=max_states)
        if res.ok and res.complete:
            return bad, j
    return bad, None
