"""The replicated state machine (raftcore.kv): KV command semantics, parsing, determinism, and
client sessions (thesis §6.3: a retried command applies once and gets the cached answer)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paper_helpers import LATE
from raftcore.config import RaftConfig
from raftcore.kv import Command, KVStore, apply_op, parse_command
from raftcore.node import RaftNode
from raftcore.sim import Cluster


def run(*texts: str, store: KVStore | None = None) -> tuple[KVStore, list]:
    store = store or KVStore()
    return store, [store.apply(parse_command(t)) for t in texts]


# ---------------------------------------------------------------------------- semantics


def test_set_and_get():
    """SET k v stores v and answers OK; GET k answers the current value (None when absent)
    and changes nothing."""
    s, results = run("GET x", "SET x 1", "GET x", "SET x=2", "GET x")
    assert results == [None, "OK", "1", "OK", "2"]
    assert s.data == {"x": "2"}


def test_del():
    """DEL k removes the key (absent afterwards) and answers OK, also when it was absent."""
    s, results = run("SET x 1", "DEL x", "GET x", "DEL x", "DEL nothing")
    assert results == ["OK", "OK", None, "OK", "OK"]
    assert s.data == {}


def test_inc():
    """INC k adds one to an integer value and answers the new value."""
    s, results = run("SET x 41", "INC x", "INC x", "SET n -1", "INC n")
    assert results == ["OK", 42, 43, "OK", 0]
    assert s.data == {"x": "43", "n": "0"}


def test_inc_missing_key_starts_at_one():
    """INC on a missing key treats it as 0: the key becomes 1."""
    s, results = run("INC fresh")
    assert results == [1] and s.data == {"fresh": "1"}


def test_inc_non_integer_is_an_error_and_changes_nothing():
    """INC on a value that is not an integer answers ERR and leaves the value as it was."""
    s, results = run("SET x abc", "INC x", "GET x", "SET y 1.5", "INC y")
    assert results == ["OK", "ERR", "abc", "OK", "ERR"]
    assert s.data == {"x": "abc", "y": "1.5"}


def test_cas():
    """CAS k from to sets k to `to` only if its value is `from`, answering True; otherwise it
    changes nothing and answers False — also when the key is absent."""
    s, results = run("CAS x 1 2", "SET x 1", "CAS x 0 5", "GET x", "CAS x 1 2", "GET x")
    assert results == [False, "OK", False, "1", True, "2"]
    assert s.data == {"x": "2"}


def test_keys_are_independent():
    """Commands on one key never affect another."""
    s, _ = run("SET a 1", "SET b 2", "INC a", "DEL b", "CAS c 1 2")
    assert s.data == {"a": "2"}


# ---------------------------------------------------------------------------- parsing


@pytest.mark.parametrize("text,want", [
    ("SET x 1", Command("SET", "x", ("1",))),
    ("set x=1", Command("SET", "x", ("1",))),
    ("INC x", Command("INC", "x")),
    ("DEL x", Command("DEL", "x")),
    ("GET x", Command("GET", "x")),
    ("CAS x 1 2", Command("CAS", "x", ("1", "2"))),
])
def test_parse_command(text, want):
    """Commands parse from the scenario language's text forms, case-insensitively for the op."""
    assert parse_command(text) == want


@pytest.mark.parametrize("text,words", [
    ("", "empty"),
    ("PUT x 1", "unknown command"),
    ("SET", "needs a key"),
    ("SET x", "takes 1 argument"),
    ("INC x 1", "takes 0 argument"),
    ("CAS x 1", "takes 2 argument"),
])
def test_parse_command_rejects_bad_input(text, words):
    """Bad command text raises ValueError naming what is wrong."""
    with pytest.raises(ValueError, match=words):
        parse_command(text)


def test_command_text_forms():
    """The one-line forms used in traces and drawn on the site."""
    assert str(Command("CAS", "x", ("1", "2"))) == "CAS x 1 2"
    assert Command("SET", "x", ("1",)).label == "SET x=1"
    assert Command("GET", "x").is_read and not Command("SET", "x", ("1",)).is_read


# ---------------------------------------------------------------------------- determinism

OPS = st.sampled_from(["SET", "INC", "DEL", "GET", "CAS"])
KEYS = st.sampled_from(["x", "y"])
VALS = st.sampled_from(["0", "1", "2", "a"])


@st.composite
def commands(draw):
    op = draw(OPS)
    args = {"SET": 1, "CAS": 2}.get(op, 0)
    return Command(op, draw(KEYS), tuple(draw(VALS) for _ in range(args)))


@given(st.lists(commands(), max_size=30))
def test_store_agrees_with_sequential_spec(cmds):
    """§2 (replicated state machines): the store's behaviour is exactly the per-key sequential
    specification `apply_op` that the linearizability checker uses as its model."""
    s = KVStore()
    model: dict[str, str | None] = {}
    for c in cmds:
        new, want = apply_op(model.get(c.key), c.op, c.args)
        model[c.key] = new
        assert s.apply(c) == want
    assert s.data == {k: v for k, v in model.items() if v is not None}


@given(st.lists(commands(), max_size=30))
def test_same_commands_same_state(cmds):
    """§2: deterministic state machines that apply the same commands in the same order reach
    the same state and produce the same outputs."""
    a, b = KVStore(), KVStore()
    assert [a.apply(c) for c in cmds] == [b.apply(c, local_clock=123.0) for c in cmds]
    assert a.digest() == b.digest() and a.data == b.data


def test_nondeterministic_switch_breaks_determinism():
    """§2: the unsafe non-deterministic store reads the replica's own clock, so two replicas
    applying the same command at different times diverge (the digest shows it)."""
    a, b = KVStore(nondeterministic=True), KVStore(nondeterministic=True)
    a.apply(Command("SET", "x", ("1",)), local_clock=10.0)
    b.apply(Command("SET", "x", ("1",)), local_clock=20.0)
    assert a.digest() != b.digest()


def test_copy_is_independent():
    """A copy of the state machine (snapshots, time travel) does not share state."""
    a, _ = run("SET x 1")
    b = a.copy()
    b.apply(Command("SET", "x", ("2",)))
    b.apply(Command("INC", "y", client="c", seq=1))
    assert a.data == {"x": "1"} and a.sessions == {}


# ---------------------------------------------------------------------------- sessions


def test_retried_command_applies_once():
    """Thesis §6.3: each client numbers its commands; the state machine tracks the latest
    serial number processed for each client, along with the response. If it receives a command
    whose serial number has already been executed, it responds immediately without
    re-executing the request."""
    s = KVStore()
    inc = Command("INC", "x", client="alice", seq=1)
    assert s.apply(inc) == 1
    assert s.apply(inc) == 1  # the retry: the cached answer
    assert s.data == {"x": "1"}
    assert s.apply(Command("INC", "x", client="alice", seq=2)) == 2
    assert s.data == {"x": "2"}


def test_retry_returns_the_original_result_not_the_current_one():
    """Thesis §6.3: the retry is answered with the response saved when the command first ran,
    even if the state has changed since."""
    s = KVStore()
    assert s.apply(Command("CAS", "x", ("", "1"), client="a", seq=1)) is False
    s.apply(Command("SET", "x", ("",), client="b", seq=1))
    assert s.apply(Command("CAS", "x", ("", "1"), client="a", seq=1)) is False
    assert s.data == {"x": ""}


def test_older_serial_number_is_not_reapplied():
    """Thesis §6.3: a command older than the client's latest applied one (a very late
    duplicate) is never executed again."""
    s = KVStore()
    s.apply(Command("SET", "x", ("1",), client="a", seq=1))
    s.apply(Command("SET", "x", ("2",), client="a", seq=2))
    result = s.apply(Command("SET", "x", ("1",), client="a", seq=1))
    assert s.data == {"x": "2"}
    assert result != "OK"


def test_sessions_are_per_client():
    """Thesis §6.3: serial numbers are per client: another client's command with the same
    number is a different command and applies."""
    s = KVStore()
    s.apply(Command("INC", "x", client="a", seq=1))
    assert s.apply(Command("INC", "x", client="b", seq=1)) == 2
    assert s.data == {"x": "2"}


def test_commands_without_session_always_apply():
    """Commands sent without a client session are not deduplicated."""
    s = KVStore()
    inc = Command("INC", "x")
    assert [s.apply(inc), s.apply(inc)] == [1, 2]


def test_sessions_are_part_of_replicated_state():
    """Thesis §6.3: session records are replicated state — they are in the digest that
    replicas compare, so two replicas agreeing on data but not on sessions differ."""
    a, b = KVStore(), KVStore()
    a.apply(Command("SET", "x", ("1",), client="c", seq=1))
    b.apply(Command("SET", "x", ("1",)))
    assert a.data == b.data and a.digest() != b.digest()


def test_duplicate_in_log_applies_once_on_every_replica():
    """Thesis §6.3: a client that retries after a lost answer can get its command into the log
    twice; each replica applies it once and answers both copies alike."""
    n = RaftNode("solo", ["solo"], RaftConfig(), random.Random(1))
    n.start(0.0)
    n.tick(LATE)
    inc = Command("INC", "x", client="bob", seq=1)
    r1 = n.propose(inc, LATE).applied
    r2 = n.propose(inc, LATE).applied
    assert [r for *_, r, _ in r1] == [1] and [r for *_, r, _ in r2] == [1]
    assert n.state == {"x": "1"}
    assert n.log.last_index == 3  # both copies are in the log (no-op, INC, INC)


def test_cluster_client_retry_applies_once():
    """Thesis §6.3 end to end: a client whose answer is late retries the same numbered command;
    the copies all get into the log, yet every replica applies the command once and the client
    gets the answer of that one execution."""
    for seed in range(3):
        c = Cluster(3, seed=seed, client_timeout=12.0)  # shorter than a commit round trip: it retries
        assert c.run_until(lambda c: c.leader() is not None, 3000.0)
        h = c.submit("INC x", client="bob")
        assert c.run_until(lambda c: h.done, 5000.0)
        h2 = c.submit("INC x", client="bob")
        assert c.run_until(lambda c: h2.done, 5000.0)
        c.run_for(300.0)
        copies = [e for e in c.nodes[c.leader()].log.entries() if e.command is not None and e.command.seq == 1]
        assert len(copies) >= 2  # the retry did reach the log: deduplication was needed
        assert (h.result, h2.result) == (1, 2)
        assert all(c.nodes[x].state == {"x": "2"} for x in c.names)
        assert c.violation is None
