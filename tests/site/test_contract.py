"""The one door between the site and the core (ARCHITECTURE.md; raftcore/view.py).

``raftcore`` computes, ``raftsite`` draws: the site reads a cluster only through
``Cluster.view()`` (frozen values) and acts on it only through the public methods of
``Cluster``. This test reads every module of ``raftsite/`` with ``ast`` and fails on what
would open another door: a node or a disk read directly (``.nodes[…]``, ``.nodes.values()``,
``.disks``), a private attribute of another object (``cluster._trace``, ``lab._healed()``),
or a private name imported from another module (``from raftsite.render import _esc``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "raftsite"

#: Names an object may use for itself: their private attributes are its own business.
OWN = {"self", "cls"}


def _modules() -> list[Path]:
    return sorted(p for p in SITE.rglob("*.py") if "assets" not in p.parts)


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def breaches(source: str) -> list[tuple[int, str]]:
    """``(line, what)`` for each way ``source`` reaches past the contract."""
    out: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            if node.attr == "disks":
                out.append((node.lineno, "reads a disk (.disks): use ServerView.disk"))
            elif node.attr == "nodes":
                out.append((node.lineno, "reads a node (.nodes): use Cluster.view()"))
            elif (node.attr.startswith("_") and not (node.attr.startswith("__") and node.attr.endswith("__"))
                  and not (isinstance(node.value, ast.Name) and node.value.id in OWN)):
                out.append((node.lineno, f"reads another object's private attribute .{node.attr}"))
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    out.append((node.lineno, f"imports the private name {alias.name} from {node.module}"))
    return sorted(out)


def test_the_scan_catches_each_kind_of_breach():
    """The rules themselves: each forbidden form is found, the allowed ones are not."""
    bad = """
from raftsite.render import _esc
from raftcore.sim import Cluster
def f(cluster, lab, renderer):
    a = cluster.nodes["S1"].log
    b = [n.role for n in cluster.nodes.values()]
    c = cluster.disks["S1"].current_term
    d = cluster._trace
    e = lab._healed()
"""
    found = breaches(bad)
    assert [line for line, _ in found] == [2, 5, 6, 7, 8, 9], found
    good = """
class A:
    def __init__(self):
        self._cache = {}
    def f(self, cluster):
        v = cluster.view()
        return v.server("S1").log, self._cache, type(v).__name__, cls_name(self)
"""
    assert breaches(good) == []


@pytest.mark.parametrize("path", [_rel(p) for p in _modules()])
def test_the_site_reads_the_core_only_through_views(path):
    """Every module of the site keeps to the contract (ARCHITECTURE.md, "the one-way doors")."""
    found = breaches((ROOT / path).read_text(encoding="utf-8"))
    assert not found, "\n".join(f"{path}:{line}: {what}" for line, what in found)
