"""raftcore — a complete, deterministic Raft, written as a pure state machine.

See ``raftcore.node`` for the server (Figure 2 of the Raft paper), ``raftcore.sim`` for the
simulator and its ``Cluster`` façade, ``raftcore.view`` for the frozen views a display draws
(``Cluster.view()``, the one door from the site into the core), ``raftcore.check`` for the
invariant and linearizability checkers, and ``raftcore.scenarios`` for the scenario language.
"""

from .config import UNSAFE_SWITCHES, RaftConfig, Unsafe
from .kv import Command, KVStore, parse_command
from .log import Entry, Log
from .membership import ConfigChange
from .node import Output, RaftNode, Role, Snapshot, VoteDecision
from .view import ClusterView, FlightView, ServerView

__version__ = "0.1.0"

__all__ = ["UNSAFE_SWITCHES", "ClusterView", "Command", "ConfigChange", "Entry", "FlightView", "KVStore", "Log",
           "Output", "RaftConfig", "RaftNode", "Role", "ServerView", "Snapshot", "Unsafe", "VoteDecision",
           "parse_command", "__version__"]
