"""Tests for the KV linearizability checker (raftcore.check.linearizability).

The classic examples pin down the definition (Herlihy & Wing 1990): real-time
order must be respected, concurrent operations may be ordered either way, and
operations with unknown outcome may or may not have happened.  Two property
tests guard the search itself: histories produced by a real sequential
execution are always accepted, and a brute-force enumeration of all orders
agrees with the checker on small random histories.
"""

from __future__ import annotations

import itertools
import random
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raftcore.check.linearizability import (
    ERR,
    LinResult,
    Operation,
    apply_op,
    check_history,
)


def op(client, text, invoke, complete, result="OK"):
    """Build an Operation from 'SET x 1'-style text."""
    words = text.split()
    return Operation(client, words[0], words[1], tuple(words[2:]), float(invoke),
                     None if complete is None else float(complete), result)


def assert_ok(ops):
    r = check_history(ops)
    assert r.ok and r.complete, str(r)
    assert r.verdict == "linearizable"
    return r


def assert_violation(ops, key="x"):
    r = check_history(ops)
    assert not r.ok, f"expected a violation, got {r}"
    assert r.complete
    assert r.key == key
    assert r.verdict == "violation"
    assert r.counterexample
    return r


# ---------------------------------------------------------------- the spec


class TestSequentialSpec:
    def test_inc_on_missing_key_stores_one(self):
        assert apply_op(None, "INC", ()) == ("1", 1)

    def test_inc_increments_integer_string(self):
        assert apply_op("41", "INC", ()) == ("42", 42)

    def test_inc_on_non_integer_is_error_and_leaves_value(self):
        assert apply_op("abc", "INC", ()) == ("abc", ERR)

    def test_set_get_del(self):
        assert apply_op(None, "SET", ("v",)) == ("v", "OK")
        assert apply_op("v", "GET", ()) == ("v", "v")
        assert apply_op(None, "GET", ()) == (None, None)
        assert apply_op("v", "DEL", ()) == (None, "OK")
        assert apply_op(None, "DEL", ()) == (None, "OK")

    def test_cas(self):
        assert apply_op("a", "CAS", ("a", "b")) == ("b", True)
        assert apply_op("a", "CAS", ("z", "b")) == ("a", False)
        # A missing key never matches, not even the empty string.
        assert apply_op(None, "CAS", ("", "b")) == (None, False)
        assert apply_op("", "CAS", ("", "b")) == ("b", True)

    def test_bad_operations_raise(self):
        with pytest.raises(ValueError):
            apply_op(None, "PUT", ("x",))
        with pytest.raises(ValueError):
            apply_op(None, "SET", ())
        with pytest.raises(ValueError):
            check_history([op("c", "GET x", 10, 5, None)])  # completes before invoke
        with pytest.raises(ValueError):
            check_history([Operation("c", "CAS", "x", ("a",), 0.0, 1.0, False)])


# ------------------------------------------------------- classic histories


def test_empty_history_is_linearizable():
    r = assert_ok([])
    assert r.key is None and r.explored == 0


def test_sequential_history_ok():
    assert_ok([
        op("c1", "GET x", 0, 1, None),
        op("c1", "SET x 1", 2, 3),
        op("c2", "GET x", 4, 5, "1"),
        op("c2", "INC x", 6, 7, 2),
        op("c1", "GET x", 8, 9, "2"),
        op("c1", "DEL x", 10, 11),
        op("c2", "GET x", 12, 13, None),
    ])


def test_sequential_history_with_wrong_result_rejected():
    assert_violation([
        op("c1", "SET x 1", 0, 1),
        op("c1", "SET x 2", 2, 3),
        op("c1", "GET x", 4, 5, "1"),
    ])


@pytest.mark.parametrize("first,second", [("1", "2"), ("2", "1")])
def test_overlapping_writes_reads_see_either_order(first, second):
    # Both writes overlap, so either may take effect last; afterwards every
    # read must agree on the winner.
    assert_ok([
        op("c1", "SET x 1", 0, 10),
        op("c2", "SET x 2", 5, 15),
        op("c3", "GET x", 7, 8, first),   # during the writes: either value
        op("c3", "GET x", 20, 21, second),
        op("c1", "GET x", 30, 31, second),
    ])


def test_reads_flip_flopping_after_writes_completed_rejected():
    r = assert_violation([
        op("c1", "SET x 1", 0, 10),
        op("c2", "SET x 2", 5, 15),
        op("c3", "GET x", 20, 21, "2"),
        op("c3", "GET x", 30, 31, "1"),
    ])
    assert "GET x -> 1" in r.counterexample


def test_concurrent_reads_may_see_old_and_new_value():
    # A read overlapping a write may return either value, even if a later
    # overlapping read saw the new one first (both are concurrent with the write).
    assert_ok([
        op("c0", "SET x 0", 0, 1),
        op("c1", "SET x 1", 10, 50),
        op("c2", "GET x", 12, 20, "1"),
        op("c3", "GET x", 15, 40, "0"),
    ])


def test_stale_read_after_completed_write_rejected():
    w = op("c1", "SET x 1", 0, 10)
    rd = op("c2", "GET x", 20, 30, None)
    r = assert_violation([w, rd])
    # The counterexample names both operations in the readable format.
    assert "[0\u201310 ms] c1: SET x 1 -> OK" in r.counterexample
    assert "[20\u201330 ms] c2: GET x -> None" in r.counterexample
    assert "would return 1" in r.counterexample
    assert "x = 1" in r.counterexample


def test_touching_intervals_count_as_concurrent():
    # Write completes at the instant the read is invoked: the checker takes
    # the lenient reading so clock granularity never yields a false alarm.
    assert_ok([op("c1", "SET x 1", 0, 10), op("c2", "GET x", 10, 20, None)])


def test_inc_skipping_a_value_rejected():
    r = assert_violation([
        op("c1", "INC x", 0, 10, 1),
        op("c2", "INC x", 20, 30, 3),
    ])
    assert "would return 2" in r.counterexample


def test_inc_duplicate_value_rejected():
    # Two concurrent increments cannot both observe 0 -> 1.
    r = assert_violation([
        op("c1", "INC x", 0, 10, 1),
        op("c2", "INC x", 5, 15, 1),
    ])
    assert "c1: INC x -> 1" in r.counterexample
    assert "c2: INC x -> 1" in r.counterexample


def test_concurrent_incs_in_either_order_ok():
    assert_ok([
        op("c1", "INC x", 0, 10, 2),
        op("c2", "INC x", 5, 15, 1),
        op("c3", "INC x", 6, 16, 3),
        op("c1", "GET x", 20, 21, "3"),
    ])


def test_inc_on_non_integer_value_checks_error_result():
    assert_ok([op("c1", "SET x abc", 0, 1), op("c1", "INC x", 2, 3, ERR), op("c1", "GET x", 4, 5, "abc")])
    assert_violation([op("c1", "SET x abc", 0, 1), op("c1", "INC x", 2, 3, 1)])


def test_result_types_are_compared_strictly():
    # INC returns an int and GET a str; "1" for an INC is a recording bug.
    r = assert_violation([op("c1", "INC x", 0, 1, "1")])
    assert "would return 1 here" in r.counterexample
    assert_violation([op("c1", "SET x 1", 0, 1), op("c1", "GET x", 2, 3, 1)])


class TestCas:
    def test_cas_on_missing_key_fails(self):
        assert_ok([op("c1", "CAS x a b", 0, 1, False), op("c1", "GET x", 2, 3, None)])
        assert_violation([op("c1", "CAS x a b", 0, 1, True)])

    def test_cas_success_is_visible(self):
        assert_ok([
            op("c1", "SET x a", 0, 1),
            op("c1", "CAS x a b", 2, 3, True),
            op("c2", "GET x", 4, 5, "b"),
            op("c2", "CAS x a c", 6, 7, False),
        ])
        assert_violation([
            op("c1", "SET x a", 0, 1),
            op("c1", "CAS x a b", 2, 3, True),
            op("c2", "GET x", 4, 5, "a"),
        ])

    def test_two_concurrent_cas_cannot_both_win(self):
        base = [op("c0", "SET x 0", 0, 1)]
        assert_ok(base + [op("c1", "CAS x 0 1", 2, 10, True), op("c2", "CAS x 0 2", 3, 11, False)])
        assert_ok(base + [op("c1", "CAS x 0 1", 2, 10, False), op("c2", "CAS x 0 2", 3, 11, True)])
        assert_violation(base + [op("c1", "CAS x 0 1", 2, 10, True), op("c2", "CAS x 0 2", 3, 11, True)])

    def test_cas_chain_orders_concurrent_operations(self):
        # Only the order 0->1->2 explains both successes.
        assert_ok([
            op("c0", "SET x 0", 0, 1),
            op("c1", "CAS x 1 2", 2, 10, True),
            op("c2", "CAS x 0 1", 3, 11, True),
            op("c3", "GET x", 12, 13, "2"),
        ])


class TestUnknownOutcome:
    BASE = [op("c1", "SET x 1", 0, 10), op("c2", "SET x 2", 20, None)]

    @pytest.mark.parametrize("seen", ["1", "2"])
    def test_pending_write_may_or_may_not_have_happened(self, seen):
        assert_ok(self.BASE + [op("c3", "GET x", 30, 40, seen)])

    def test_read_of_value_nobody_wrote_rejected(self):
        r = assert_violation(self.BASE + [op("c3", "GET x", 30, 40, "3")])
        assert "GET x -> 3" in r.counterexample

    def test_pending_write_cannot_take_effect_before_invocation(self):
        assert_violation([
            op("c1", "SET x 1", 0, 10),
            op("c3", "GET x", 12, 15, "2"),
            op("c2", "SET x 2", 20, None),
        ])

    def test_pending_write_may_take_effect_much_later(self):
        assert_ok(self.BASE + [op("c3", "GET x", 30, 40, "1"), op("c3", "GET x", 1000, 1001, "2")])

    def test_pending_write_takes_effect_at_most_once(self):
        assert_violation(self.BASE + [
            op("c3", "GET x", 30, 40, "2"),
            op("c3", "SET x 1", 50, 60),
            op("c3", "GET x", 70, 80, "2"),
        ])

    def test_result_of_pending_operation_is_ignored(self):
        assert_ok([op("c1", "INC x", 0, None, 999), op("c2", "GET x", 5, 6, "1")])

    def test_pending_operation_is_printed_with_question_marks(self):
        r = assert_violation([op("c1", "INC x", 0, None, 999), op("c2", "GET x", 5, 6, "7")])
        assert "[0\u2013? ms] c1: INC x -> ?" in r.counterexample

    def test_many_retried_pending_incs_stay_cheap(self):
        # 40 timed-out INCs: without symmetry reduction this is 2^40 subsets.
        hist = [op(f"c{i}", "INC x", i, None, None) for i in range(40)]
        hist.append(op("r", "GET x", 100, 101, "17"))
        r = assert_ok(hist)
        assert r.explored < 1000
        hist[-1] = op("r", "GET x", 100, 101, "41")
        assert_violation(hist)

    def test_pending_reads_are_irrelevant(self):
        assert_ok([op("c1", "GET x", 0, None, "nonsense"), op("c1", "SET x 1", 1, 2)])


def test_per_key_independence():
    hist = [
        op("c1", "SET x 1", 0, 10),
        op("c2", "SET y 1", 0, 10),
        op("c1", "GET x", 20, 30, "1"),
        op("c2", "SET y 2", 20, 30),
        op("c3", "GET y", 40, 50, "1"),     # stale on y
        op("c3", "GET x", 60, 70, "1"),
    ]
    r = assert_violation(hist, key="y")
    assert "key 'y'" in r.counterexample
    assert "SET y 2" in r.counterexample and "GET y -> 1" in r.counterexample
    assert "SET x" not in r.counterexample and "GET x" not in r.counterexample
    # Each key alone: x is fine; a value written on y does not satisfy a read on x.
    assert_ok([o for o in hist if o.key == "x"])
    assert_violation([op("c1", "SET y 5", 0, 1), op("c1", "GET x", 2, 3, "5")], key="x")


def test_max_states_exhausted_is_unknown_not_violation():
    hist = [op(f"c{i}", "SET x " + str(i), 0, 100) for i in range(6)]
    hist.append(op("r", "GET x", 200, 201, "3"))
    full = check_history(hist)
    assert full.ok and full.complete
    r = check_history(hist, max_states=3)
    assert r.ok and not r.complete
    assert r.verdict == "unknown" and r.key == "x" and r.counterexample is None
    assert "unknown" in str(r)


def test_violation_on_one_key_found_even_if_another_gives_up():
    hist = [op(f"c{i}", "SET a " + str(i), 0, 100) for i in range(6)]
    hist.append(op("r", "GET a", 200, 201, "3"))
    hist += [op("c1", "SET b 1", 0, 1), op("c1", "GET b", 2, 3, "2")]
    r = check_history(hist, max_states=3)
    assert not r.ok and r.key == "b" and r.complete


def test_deep_history_does_not_recurse():
    hist = []
    for i in range(5000):
        hist.append(op("c1", "INC x", 2 * i, 2 * i + 1, i + 1))
    assert_ok(hist)
    hist.append(op("c1", "GET x", 10**6, 10**6 + 1, "4999"))
    r = assert_violation(hist)
    assert "5000 earlier operations" not in r.counterexample  # prefix is elided
    assert "earlier operations" in r.counterexample


def test_lin_result_fields():
    r = LinResult(True, None, None, 0)
    assert r.complete is True


# ------------------------------------------------ property-based: generation


def reference_step(store: dict, o: Operation):
    """An independent sequential model (a dict of all keys), for the generators."""
    cur = store.get(o.key)
    if o.op == "GET":
        return cur
    if o.op == "SET":
        store[o.key] = o.args[0]
        return "OK"
    if o.op == "DEL":
        store.pop(o.key, None)
        return "OK"
    if o.op == "INC":
        if cur is None:
            store[o.key] = "1"
            return 1
        if cur.lstrip("-").isdigit():
            store[o.key] = str(int(cur) + 1)
            return int(cur) + 1
        return ERR
    if o.op == "CAS":
        if cur is not None and cur == o.args[0]:
            store[o.key] = o.args[1]
            return True
        return False
    raise AssertionError(o.op)


VALUES = ["0", "1", "2", "a"]
NEVER = "never-written"


def random_op_shape(rng: random.Random, keys, kinds, unique: list | None):
    kind = rng.choice(kinds)
    key = rng.choice(keys)
    if unique is not None:
        # Every write a fresh value, CAS expecting a recent one: what a test
        # client driving the cluster typically does.
        fresh = f"v{len(unique)}"
        unique.append(fresh)
        recent = unique[-8:]
        args = {"SET": (fresh,), "CAS": (rng.choice(recent), fresh)}.get(kind, ())
    elif kind == "SET":
        args = (rng.choice(VALUES),)
    elif kind == "CAS":
        args = (rng.choice(VALUES), rng.choice(VALUES))
    else:
        args = ()
    return kind, key, args


ALL_KINDS = ["GET", "GET", "SET", "INC", "DEL", "CAS", "CAS"]


def generate_history(rng: random.Random, *, clients: int, ops_per_client: int, keys, pending_rate=0.1,
                     kinds=ALL_KINDS, unique_values=False):
    """Run operations against the reference model at a random point inside
    each operation's interval: such a history is linearizable by construction."""
    shapes = []
    unique: list | None = [] if unique_values else None
    for c in range(clients):
        t = rng.uniform(0, 5)
        name = f"c{c}"
        for _ in range(ops_per_client):
            kind, key, args = random_op_shape(rng, keys, kinds, unique)
            invoke = t + rng.uniform(0, 3)
            dur = rng.uniform(0.1, 12)
            pending = rng.random() < pending_rate
            if pending:
                # Took effect at some later time, or never.
                point = invoke + rng.uniform(0, 3 * dur) if rng.random() < 0.5 else None
                complete = None
                name_after = name + "'"   # a crashed client comes back under a new id
            else:
                point = rng.uniform(invoke, invoke + dur)
                complete = invoke + dur
                name_after = name
            shapes.append([name, kind, key, args, invoke, complete, point])
            name = name_after
            t = invoke + dur
    store: dict = {}
    results = [None] * len(shapes)
    order = sorted((s[6], i) for i, s in enumerate(shapes) if s[6] is not None)
    for _, i in order:
        s = shapes[i]
        results[i] = reference_step(store, Operation(s[0], s[1], s[2], s[3], s[4], s[5], None))
    hist = [Operation(s[0], s[1], s[2], s[3], s[4], s[5], results[i] if s[5] is not None else None)
            for i, s in enumerate(shapes)]
    # A final read per key so that every history has a completed GET to mutate.
    end = max([s[4] + 40 for s in shapes] + [0])
    for k in keys:
        hist.append(Operation("final", "GET", k, (), end, end + 1, store.get(k)))
    rng.shuffle(hist)
    return hist


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rng=st.randoms(use_true_random=False), clients=st.integers(1, 5),
       n=st.integers(1, 12), nkeys=st.integers(1, 2))
def test_executed_histories_are_linearizable_and_mutations_rejected(rng, clients, n, nkeys):
    keys = ["x", "y"][:nkeys]
    hist = generate_history(rng, clients=clients, ops_per_client=n, keys=keys)
    r = check_history(hist)
    assert r.ok and r.complete, str(r)

    gets = [i for i, o in enumerate(hist) if o.op == "GET" and o.complete is not None]
    i = rng.choice(gets)
    o = hist[i]
    bad = list(hist)
    bad[i] = Operation(o.client, o.op, o.key, o.args, o.invoke, o.complete, NEVER)
    r = check_history(bad)
    assert not r.ok and r.complete and r.key == o.key, str(r)
    assert f"GET {o.key} -> {NEVER}" in r.counterexample


# ------------------------------------------ property-based: brute force oracle


def brute_force_linearizable(hist) -> bool:
    """Try every subset of pending operations and every order respecting
    real time (a before b when a completes strictly before b is invoked)."""
    done = [o for o in hist if o.complete is not None]
    pending = [o for o in hist if o.complete is None]
    for r in range(len(pending) + 1):
        for chosen in itertools.combinations(pending, r):
            ops = done + list(chosen)
            for perm in itertools.permutations(ops):
                if not all(not (b.complete is not None and b.complete < a.invoke)
                           for x, a in enumerate(perm) for b in perm[x + 1:]):
                    continue
                store: dict = {}
                good = True
                for o in perm:
                    res = reference_step(store, o)
                    if o.complete is not None and not (type(res) is type(o.result) and res == o.result):
                        good = False
                        break
                if good:
                    return True
    return False


@st.composite
def small_histories(draw):
    n = draw(st.integers(1, 6))
    hist = []
    for i in range(n):
        kind = draw(st.sampled_from(["GET", "SET", "INC", "DEL", "CAS"]))
        args = {"SET": (draw(st.sampled_from(VALUES[:3])),),
                "CAS": (draw(st.sampled_from(VALUES[:3])), draw(st.sampled_from(VALUES[:3])))}.get(kind, ())
        invoke = draw(st.integers(0, 8))
        pending = draw(st.integers(0, 2)) == 0
        complete = None if pending else invoke + draw(st.integers(0, 6))
        result = {
            "GET": draw(st.sampled_from([None, "0", "1", "2"])),
            "SET": "OK", "DEL": "OK",
            "INC": draw(st.integers(1, 3)),
            "CAS": draw(st.booleans()),
        }[kind]
        hist.append(Operation(f"c{i}", kind, "x", args, float(invoke),
                              None if complete is None else float(complete), result))
    return hist


@settings(max_examples=400, deadline=None)
@given(small_histories())
def test_agrees_with_brute_force(hist):
    expected = brute_force_linearizable(hist)
    r = check_history(hist)
    assert r.complete
    assert r.ok == expected, f"checker says {r}, brute force says {expected}: {hist}"


# ------------------------------------------------------------ timings


TIMING_CASES = [
    # (label, ops per key, clients, pending rate, generator options)
    ("mixed ops, small value domain, no pending", 300, 5, 0.0, {}),
    ("mixed ops, unique values, 5% pending", 300, 5, 0.05, {"unique_values": True}),
    ("mixed ops, unique values, 5% pending", 1000, 5, 0.05, {"unique_values": True}),
    ("counter (INC/GET), 10% pending", 300, 5, 0.10, {"kinds": ["INC", "INC", "GET"]}),
    ("mixed ops, small value domain, 5% pending", 300, 5, 0.05, {}),
]


def timing_rows(max_states=200_000, seeds=5):
    rows = []
    for label, n_ops, clients, pending, opts in TIMING_CASES:
        worst_ok = worst_bad = 0.0
        states_ok = states_bad = 0
        verdicts = set()
        for seed in range(seeds):
            rng = random.Random(seed)
            hist = generate_history(rng, clients=clients, ops_per_client=n_ops // clients,
                                    keys=["x"], pending_rate=pending, **opts)
            t0 = time.perf_counter()
            r = check_history(hist, max_states=max_states)
            worst_ok = max(worst_ok, time.perf_counter() - t0)
            states_ok = max(states_ok, r.explored)
            assert r.ok, str(r)
            # A never-written value read near the end: the search has to
            # refute every ordering of everything before it.
            gets = sorted((o.invoke, i) for i, o in enumerate(hist)
                          if o.op == "GET" and o.complete is not None)
            _, i = gets[-2]
            o = hist[i]
            bad = list(hist)
            bad[i] = Operation(o.client, o.op, o.key, o.args, o.invoke, o.complete, NEVER)
            t0 = time.perf_counter()
            r = check_history(bad, max_states=max_states)
            worst_bad = max(worst_bad, time.perf_counter() - t0)
            states_bad = max(states_bad, r.explored)
            assert r.ok is False or r.complete is False, str(r)
            verdicts.add(r.verdict)
        rows.append(f"  {label:42s} {n_ops:5d} ops: ok worst {worst_ok * 1000:7.1f} ms "
                    f"({states_ok} states); violation worst {worst_bad * 1000:8.1f} ms "
                    f"({states_bad} states, {'/'.join(sorted(verdicts))})")
    return rows


def test_print_timings(capsys):
    """Not asserted: prints how long per-key histories take (worst of 3 seeds,
    5 clients, max_states=50_000 so the adversarial row stays short)."""
    rows = timing_rows(max_states=50_000, seeds=3)
    with capsys.disabled():
        print("\nlinearizability checker timings (CPython, one key):")
        print("\n".join(rows))


def test_spec_agrees_with_the_kv_state_machine():
    """The checker keeps its own copy of the spec (it must stay self-contained);
    this pins it to the store's, so the two can never drift apart."""
    kv = pytest.importorskip("raftcore.kv")
    states = [None, "", "0", "1", "-3", "41", "a", " 7", "1_0"]
    for state in states:
        for op_name, argss in [("GET", [()]), ("DEL", [()]), ("INC", [()]),
                               ("SET", [(v,) for v in ["", "1", "b"]]),
                               ("CAS", [(a, b) for a in ["", "1", "a", "0"] for b in ["2", ""]])]:
            for args in argss:
                assert apply_op(state, op_name, args) == kv.apply_op(state, op_name, args), (state, op_name, args)
