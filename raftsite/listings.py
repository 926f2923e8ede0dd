"""Listings pulled from source by qualified name, with ``ast``.

A listing name is ``package.module:Qualified.name`` — for example
``raftcore.node:RaftNode.apply_committed``. The module is located on ``sys.path``
without importing it, parsed with :mod:`ast`, and the definition is found by
walking class and function bodies. The result is the exact source lines (decorators
included) with their real line numbers in the file. A name that does not resolve is
an error, so renaming a function breaks the build instead of silently showing stale
code.

Build-time module: imports nothing from the browser side, nothing from MkDocs.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["Listing", "ListingError", "resolve", "module_path", "parse_name"]


class ListingError(ValueError):
    """A listing name that does not resolve to a definition."""


@dataclass(frozen=True)
class Listing:
    name: str  # "raftcore.node:RaftNode.apply_committed"
    module: str  # "raftcore.node"
    qualname: str  # "RaftNode.apply_committed"
    path: Path  # absolute path of the module file
    relpath: str  # "raftcore/node.py" (POSIX, relative to the sys.path entry)
    start: int  # first line, 1-based (first decorator if any)
    end: int  # last line, inclusive
    def_line: int  # the line of the ``def``/``class`` keyword
    lines: tuple[str, ...]  # the exact source lines, without line endings

    @property
    def source(self) -> str:
        return "\n".join(self.lines) + "\n"

    @property
    def anchor(self) -> str:
        """Anchor of the first line on the generated source page."""
        return f"L{self.start}"


def parse_name(name: str) -> tuple[str, str]:
    if not isinstance(name, str) or name.count(":") != 1:
        raise ListingError(
            f"listing name {name!r} must look like 'package.module:Class.method'"
        )
    module, qualname = name.split(":")
    parts_ok = all(p.isidentifier() for p in module.split(".")) and all(
        p.isidentifier() for p in qualname.split(".")
    )
    if not module or not qualname or not parts_ok:
        raise ListingError(
            f"listing name {name!r} must look like 'package.module:Class.method'"
        )
    return module, qualname


def module_path(module: str) -> tuple[Path, str]:
    """Find the file of ``module`` on ``sys.path`` without importing it.

    Returns the absolute path and the POSIX path relative to its ``sys.path`` entry.
    """
    rel = Path(*module.split("."))
    for entry in [p for p in sys.path if p] + [str(Path.cwd())]:
        base = Path(entry)
        for candidate in (base / rel.with_suffix(".py"), base / rel / "__init__.py"):
            if candidate.is_file():
                return candidate.resolve(), candidate.relative_to(base).as_posix()
    # Fall back to the import system (handles editable installs with path hooks).
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError) as exc:
        raise ListingError(f"module {module!r} not found: {exc}") from None
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        raise ListingError(f"module {module!r} not found")
    origin = Path(spec.origin).resolve()
    depth = len(module.split(".")) + (1 if origin.name == "__init__.py" else 0)
    relpath = "/".join(origin.parts[-depth:])
    return origin, relpath


@lru_cache(maxsize=64)
def _parse(path: Path, mtime_ns: int) -> tuple[ast.Module, tuple[str, ...]]:
    text = path.read_text(encoding="utf-8")
    return ast.parse(text, filename=str(path)), tuple(text.splitlines())


def _find(body: list[ast.stmt], part: str) -> ast.AST | None:
    found = None
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == part:
            found = node  # the last definition wins, as at run time
    return found


def resolve(name: str) -> Listing:
    """Resolve ``package.module:Qualified.name`` to its exact source lines."""
    module, qualname = parse_name(name)
    path, relpath = module_path(module)
    tree, lines = _parse(path, path.stat().st_mtime_ns)
    body: list[ast.stmt] = tree.body
    node: ast.AST | None = None
    walked: list[str] = []
    for part in qualname.split("."):
        node = _find(body, part)
        if node is None:
            where = ".".join(walked) or "module level"
            raise ListingError(
                f"listing {name!r}: no function or class {part!r} at {where} in {relpath}"
            )
        walked.append(part)
        body = node.body  # type: ignore[attr-defined]
    assert node is not None
    decorators = getattr(node, "decorator_list", [])
    start = min([d.lineno for d in decorators] + [node.lineno])  # type: ignore[attr-defined]
    end = node.end_lineno  # type: ignore[attr-defined]
    return Listing(
        name=name,
        module=module,
        qualname=qualname,
        path=path,
        relpath=relpath,
        start=start,
        end=end,
        def_line=node.lineno,  # type: ignore[attr-defined]
        lines=tuple(lines[start - 1 : end]),
    )
