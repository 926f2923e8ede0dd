"""One key of a nested mapping in a scene block (a listing, the unsafe switch, a control).

Kept apart from :mod:`raftsite.blocks.schema` (which needs PyYAML) because the control
modules declare their fields with it and are imported in the browser too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Field"]


@dataclass(frozen=True)
class Field:
    type: str  # "str" | "int" | "bool" | "server" | "listing" | "unsafe_switch"
    doc: str
    required: bool = False
    default: Any = None
    minimum: int | None = None
    maximum: int | None = None
