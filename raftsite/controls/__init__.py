"""Scene controls, one module per kind (see :mod:`raftsite.controls.base`).

Every module of this package that defines a :class:`Control` subclass with a ``kind`` is a
control kind: the schema, the page, the bridge and the authoring guide all read
:func:`registry`, so a new kind needs no edit anywhere else.
"""

from __future__ import annotations

import importlib
import pkgutil

from raftsite.controls.base import Control, ControlError

__all__ = ["Control", "ControlError", "registry", "get"]

_REGISTRY: dict[str, type[Control]] | None = None


def registry() -> dict[str, type[Control]]:
    """kind -> Control class, in module-name order (deterministic)."""
    global _REGISTRY
    if _REGISTRY is None:
        found: dict[str, type[Control]] = {}
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
            if info.name == "base":
                continue
            module = importlib.import_module(f"{__name__}.{info.name}")
            for obj in vars(module).values():
                if isinstance(obj, type) and issubclass(obj, Control) and obj.kind and obj.__module__ == module.__name__:
                    if obj.kind in found:
                        raise RuntimeError(f"two controls of kind {obj.kind!r}: {found[obj.kind]} and {obj}")
                    found[obj.kind] = obj
        _REGISTRY = found
    return _REGISTRY


def get(kind: str) -> type[Control]:
    try:
        return registry()[kind]
    except KeyError:
        raise ValueError(f"unknown control kind {kind!r}; known kinds: {', '.join(registry())}") from None
