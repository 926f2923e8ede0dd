"""Plug-in discovery shared by :mod:`raftsite.controls` and :mod:`raftsite.layers`.

A kind is a module of the package that defines a subclass of the package's base class with a
non-empty key attribute; importing every module (in name order, so the registry is the same
in CPython and Pyodide) finds them all — adding a kind is adding a file.
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
        module = importlib.import_module(f"{package}.{info.name}")
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, base) and getattr(obj, key) and obj.__module__ == module.__name__:
                name = getattr(obj, key)
                if name in found:
                    raise RuntimeError(f"two {package} plug-ins named {name!r}: {found[name]} and {obj}")
                found[name] = obj
    return found
