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
    """The Control class of ``kind``.

    A kind's module is named after it (``timeline.py`` holds ``timeline``;
    ``tests/site/test_controls_registry.py`` keeps it so), so only that module is imported: a
    scene mounting in the browser does not import all the site's controls. On a first visit,
    with no memory snapshot, importing every control was about a third of mounting scene 01 in
    Pyodide. The whole :func:`registry` (the schema, the guide) still finds them all."""
    if _REGISTRY is None and kind.isidentifier() and kind != "base":
        import importlib

        try:
            module = importlib.import_module(f"{__name__}.{kind}")
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{kind}":
                raise  # the module exists and lacks something it imports: a bug to show
        else:
            for obj in vars(module).values():
                if isinstance(obj, type) and issubclass(obj, Control) and obj.__module__ == module.__name__ \
                        and obj.kind == kind:
                    return obj
    try:
        return registry()[kind]
    except KeyError:
        raise ValueError(f"unknown control kind {kind!r}; known kinds: {', '.join(registry())}") from None
