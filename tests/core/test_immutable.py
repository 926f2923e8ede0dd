"""``@immutable`` values: shared by time travel, and built by a faster ``__init__`` that must
behave exactly as the one ``@dataclass(frozen=True, slots=True)`` writes."""

import copy
import dataclasses
import inspect

import pytest

from raftcore.check.invariants import Violation
from raftcore.kv import Command
from raftcore.log import Entry
from raftcore.membership import ConfigChange
from raftcore.messages import (AppendEntries, AppendEntriesReply, InstallSnapshot, InstallSnapshotReply, RequestVote,
                               RequestVoteReply, TimeoutNow)
from raftcore.node import Snapshot, VoteDecision
from raftcore.sim.clock import Clock
from raftcore.sim.cluster import Flight

IMMUTABLE = (RequestVote, RequestVoteReply, AppendEntries, AppendEntriesReply, TimeoutNow, InstallSnapshot,
             InstallSnapshotReply, Entry, Command, ConfigChange, VoteDecision, Snapshot, Flight, Clock, Violation)


@pytest.mark.parametrize("cls", IMMUTABLE, ids=lambda c: c.__name__)
def test_init_has_the_dataclass_signature(cls) -> None:
    """Every field, in order, positional or keyword, with its default."""
    params = list(inspect.signature(cls).parameters.values())
    fields = dataclasses.fields(cls)
    assert [p.name for p in params] == [f.name for f in fields]
    for p, f in zip(params, fields):
        assert p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        assert p.default == (inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default)


def test_values_are_built_frozen_and_shared() -> None:
    m = AppendEntriesReply("S1", "S2", 3, True, match_index=7)
    assert (m.src, m.dst, m.term, m.success, m.match_index, m.reject_index, m.conflict_term, m.round) \
        == ("S1", "S2", 3, True, 7, 0, None, 0)
    assert m == AppendEntriesReply("S1", "S2", 3, True, 7)
    assert hash(m) == hash(AppendEntriesReply(src="S1", dst="S2", term=3, success=True, match_index=7))
    assert repr(m) == ("AppendEntriesReply(src='S1', dst='S2', term=3, success=True, match_index=7, "
                       "reject_index=0, conflict_term=None, conflict_index=0, round=0)")
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.term = 4
    assert not hasattr(m, "__dict__")
    assert dataclasses.replace(m, term=4).term == 4
    assert copy.deepcopy(m) is m and copy.copy(m) is m
    with pytest.raises(TypeError, match="missing"):
        RequestVote("S1", "S2", 1)
    with pytest.raises(TypeError, match="unexpected keyword"):
        Entry(1, None, extra=2)


@pytest.mark.parametrize("cls", IMMUTABLE, ids=lambda c: c.__name__)
def test_a_built_value_is_of_its_own_class(cls) -> None:
    """The faster ``__init__`` fills the fields while the instance is of a builder class with
    the same slots: what comes out is of the frozen class itself, every field in its own slot."""
    fields = dataclasses.fields(cls)
    values = [f"v{i}" for i in range(len(fields))]  # a distinct value per field: a swapped slot would show
    value = cls(*values)
    assert type(value) is cls
    assert [getattr(value, f.name) for f in fields] == values
    assert value == cls(**{f.name: v for f, v in zip(fields, values)})
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(value, fields[0].name, "other")


def test_a_subclass_is_built_by_the_dataclass_init() -> None:
    """A subclass may add slots (another layout): its instances are built the dataclass's way,
    and stay of the subclass."""

    @dataclasses.dataclass(frozen=True, slots=True)
    class Tagged(AppendEntriesReply):
        tag: str = ""

    t = Tagged("S1", "S2", 3, True, 7, tag="x")
    assert type(t) is Tagged and (t.src, t.match_index, t.tag) == ("S1", 7, "x")
    plain = type("Plain", (AppendEntriesReply,), {"__slots__": ()})
    p = plain("S1", "S2", 3, False, reject_index=4)
    assert type(p) is plain and (p.success, p.reject_index, p.round) == (False, 4, 0)
