"""Plug-in discovery shared by :mod:`raftsite.controls` and :mod:`raftsite.layers`.

A kind is a module of the package that defines a subclass of the package's base class with a
non-empty key attribute; importing every module (in name order, so the registry is the same
in CPython and Pyodide) finds them all — adding a kind is adding a file. A kind lives in the
module named after it (``controls/timeline.py`` holds the control ``timeline``; the site tests
keep it so), so :func:`find` can fetch one kind without importing the others: a scene in the
browser imports only the controls and layers it uses.
"""

from __future__ import annotations

import importlib
import pkgutil


def discover(package: str, path, base: type, key: str, skip: tuple[str, ...] = ()) -> dict[str, type]:
    """``{getattr(cls, key): cls}`` for every subclass of ``base`` defined in a module of ``package``."""
    found: dict[str, type] = {}
    for info in sorted(pkgutil.iter_modules(path), key=lambda m: m.name):
        if info.name in skip:
            continue
        for name, obj in _plugins(importlib.import_module(f"{package}.{info.name}"), base, key):
            if name in found:
                raise RuntimeError(f"two {package} plug-ins named {name!r}: {found[name]} and {obj}")
            found[name] = obj
    return found


def _plugins(module, base: type, key: str):
    """``(name, class)`` for each subclass of ``base`` that ``module`` defines with a non-empty ``key``."""
    for obj in vars(module).values():
        if isinstance(obj, type) and issubclass(obj, base) and getattr(obj, key) and obj.__module__ == module.__name__:
            yield getattr(obj, key), obj


def find(package: str, name: str, base: type, key: str) -> type | None:
    """The plug-in ``name`` of ``package``, from the module named after it and no other; None
    when there is no such module, or it defines no such plug-in.

    On a first visit (no memory snapshot) importing every control of the site was a third of
    mounting scene 01 in Pyodide (216 ms, 136 ms without)."""
    if not name.isidentifier():
        return None
    try:
        module = importlib.import_module(f"{package}.{name}")
    except ModuleNotFoundError as e:
        if e.name != f"{package}.{name}":
            raise  # the module is there and lacks something it imports: a bug to show
        return None
    return next((obj for found, obj in _plugins(module, base, key) if found == name), None)
