"""Values that never change once made, and so need no copying.

Time travel (:meth:`raftcore.sim.Cluster.snapshot`) deep-copies the whole simulation; the
messages on the wire, log entries, commands, configuration entries and snapshots are frozen
values, so a snapshot shares them instead of copying them — which is most of what it would
otherwise copy.
"""

from __future__ import annotations


def _shared(self, memo):
    return self


def immutable(cls):
    """Class decorator (after ``@dataclass(frozen=True)``): ``copy.deepcopy`` returns the value
    itself. Only for classes whose instances, and everything they hold, are never mutated."""
    cls.__deepcopy__ = _shared
    cls.__copy__ = lambda self: self
    return cls
