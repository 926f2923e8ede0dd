"""Scene controls, one module per kind (see :mod:`raftsite.controls.base`).

Every module of this package that defines a :class:`Control` subclass with a ``kind`` is a
control kind: the schema, the page, the bridge and the authoring guide all read
:func:`registry`, so a new kind needs no edit anywhere else.
"""

from __future__ import annotations

from raftsite.controls.base import Control, ControlError

__all__ = ["Control", "ControlError", "registry", "get"]

_REGISTRY: dict[str, type[Control]] | None = None


def registry() -> dict[str, type[Control]]:
    """kind -> Control class, in module-name order (deterministic)."""
    global _REGISTRY
    if _REGISTRY is None:
        from raftsite.registry import discover

        _REGISTRY = discover(__name__, __path__, Control, "kind", skip=("base",))
    return _REGISTRY


def get(kind: str) -> type[Control]:
    """The Control class of ``kind``, importing only its module (:func:`raftsite.registry.find`)
    until the whole :func:`registry` is needed (the schema, the guide)."""
    if _REGISTRY is None and kind != "base":
        from raftsite.registry import find

        cls = find(__name__, kind, Control, "kind")
        if cls is not None:
            return cls
    try:
        return registry()[kind]
    except KeyError:
        raise ValueError(f"unknown control kind {kind!r}; known kinds: {', '.join(registry())}") from None
