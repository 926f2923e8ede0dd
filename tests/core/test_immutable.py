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
