"""The commands and conditions of the scenario language, one class each.

Each module holds the commands of one concern; importing them registers every class, in the
order the authoring guide lists them (and an error names them). Adding a command is adding a
class to one of these modules — or a module, imported below — with its syntax, help,
example, validation and execution together (:class:`.base.ScriptCommand`); a condition
likewise (:class:`.base.Condition`).
"""

from __future__ import annotations

from . import cluster, timing, faults, clients, leadership, membership, figures, observe, conditions  # noqa: F401  (order)
from .base import COMMANDS, CONDITIONS, Condition, ScriptCommand
from .cluster import cluster_options
from .conditions import parse_condition
from .observe import status

__all__ = ["COMMANDS", "CONDITIONS", "Condition", "ScriptCommand", "cluster_options", "parse_condition", "status"]
