"""Where a history stops being linearizable (raftcore/check/linearizability.py).

Thesis §6: a linearizable system makes every operation appear to take effect at one instant
between its invocation and its response (Herlihy & Wing). A history that is not linearizable
became so at one reply: before it, some order explained everything. Because linearizability is
prefix-closed, a binary search over the reply times finds that reply; the lab's failure report
and scene 10's history panel both ask this one function.
"""

from __future__ import annotations

import random

from raftcore.check.linearizability import Operation, check_history, culprit, first_violation, history_as_of

STALE = [
    Operation("w", "SET", "x", ("1",), 0, 10, "OK"),
    Operation("w", "SET", "x", ("2",), 20, 30, "OK"),
    Operation("r", "GET", "x", (), 40, 45, "1"),       # after SET x 2 returned: stale
    Operation("w", "SET", "x", ("3",), 50, None, None),
    Operation("r", "GET", "x", (), 60, 70, "3"),
]


def _linear_first_failure(ops) -> float | None:
    """The same question asked the slow way: every reply time in order."""
    for t in sorted({o.complete for o in ops if o.complete is not None}):
        if not check_history(history_as_of(ops, t)).ok:
            return t
    return None


def test_the_history_as_of_a_moment_forgets_later_replies():
    """At time t a client knows only the replies it had: later ones are pending, later
    invocations absent."""
    past = history_as_of(STALE, 42)
    assert [o.complete for o in past] == [10, 30, None]
    assert [o.invoke for o in history_as_of(STALE, 42, drop=1)] == [0, 40]


def test_the_first_violation_is_the_stale_read():
    """§6.4's stale read: the GET that returns x = 1 after SET x 2 completed."""
    t, report = first_violation(STALE)
    assert t == 45 and not report.ok and report.key == "x"


def test_the_culprit_pairs_the_stale_read_with_the_write_before_it():
    assert culprit(STALE) == (2, 1)
    fine = STALE[:2] + [Operation("r", "GET", "x", (), 25, 45, "1")]  # concurrent with SET x 2
    assert check_history(fine).ok and culprit(fine) is None


def test_binary_search_agrees_with_checking_every_reply():
    """Prefix-closedness, checked: on random small histories the bisection finds the same
    reply as trying every reply in order."""
    rng = random.Random(14)
    disagreements, violations = [], 0
    for _ in range(300):
        ops, t = [], 0.0
        for k in range(rng.randint(2, 7)):
            t += rng.uniform(0, 10)
            end = t + rng.uniform(1, 15) if rng.random() > 0.15 else None
            if rng.random() < 0.5:
                v = str(rng.randint(1, 3))
                ops.append(Operation(f"c{k % 3}", "SET", "x", (v,), t, end, "OK" if end is not None else None))
            else:
                ops.append(Operation(f"c{k % 3}", "GET", "x", (), t, end, str(rng.randint(1, 3)) if end else None))
        slow = _linear_first_failure(ops)
        if slow is None:
            continue
        violations += 1
        fast, _ = first_violation(ops)
        if fast != slow:
            disagreements.append((ops, slow, fast))
    assert violations > 20 and not disagreements, disagreements[:1]
