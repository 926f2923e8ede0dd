"""Drawings a scene can add to the diagram with ``draw: [<name>]``, one module per layer.

A layer is a class with ``name`` (what authors write in ``draw:``), ``doc`` (one line for
the option table), ``z`` (``"under"`` the servers or ``"over"`` everything) and
``draw(renderer) -> str``: the inner SVG of its group, called every frame and diffed like
the rest of the diagram. A layer reads the cluster only through the frame's view
(:func:`frame_view`, a :class:`raftcore.view.ClusterView`) and acts on it only through the
public methods of ``Cluster``. It is constructed with the scene's runtime config. Every module
of this package that defines such a class (a subclass of :class:`Layer`) registers it, so
adding a layer is adding a file. The renderer's own drawings (``commit_markers`` …) are
listed once, in :data:`RENDERER_DRAWINGS`: the name an author writes, what it draws, and the
``Renderer`` option it turns on.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

__all__ = ["Layer", "registry", "make_layers", "frame_view", "Drawing", "RENDERER_DRAWINGS", "renderer_draw_options"]


@dataclass(frozen=True)
class Drawing:
    """One of the renderer's own drawings a scene asks for in ``draw:``."""

    #: what it draws (the block schema's and the authoring guide's description)
    doc: str
    #: the ``Renderer`` option it turns on
    option: str


#: The renderer's own ``draw:`` names; the layers of this package add theirs (:func:`registry`).
RENDERER_DRAWINGS: dict[str, Drawing] = {
    "commit_markers": Drawing("commitIndex (c) and lastApplied (a) markers under each log", "markers"),
    "match_index": Drawing("the leader's matchIndex (m) for each follower, under that follower's log", "match_index"),
    "message_details": Drawing("prevLogIndex/prevLogTerm over each AppendEntries in flight", "message_details"),
    "leaders_banner": Drawing("a banner whenever more than one server believes it is the leader", "leaders_banner"),
}


def renderer_draw_options(draw) -> dict[str, bool]:
    """The ``Renderer`` options a scene's ``draw:`` names turn on (layers are made apart)."""
    return {RENDERER_DRAWINGS[name].option: True for name in draw or () if name in RENDERER_DRAWINGS}


def frame_view(renderer):
    """The view of the frame being drawn (``renderer.view``, a
    :class:`raftcore.view.ClusterView`): built once per frame and shared by every layer."""
    return renderer.view


class Layer(ABC):
    name: ClassVar[str] = ""
    doc: ClassVar[str] = ""
    z: ClassVar[str] = "over"

    def __init__(self, config: dict):
        self.config = config

    @abstractmethod
    def draw(self, renderer) -> str:
        """The inner SVG of the layer's group for the renderer's current frame."""


_REGISTRY: dict[str, type[Layer]] | None = None


def registry() -> dict[str, type[Layer]]:
    """name -> Layer class, in module-name order."""
    global _REGISTRY
    if _REGISTRY is None:
        from raftsite.registry import discover

        _REGISTRY = discover(__name__, __path__, Layer, "name")
    return _REGISTRY


def make_layers(config: dict) -> list[Layer]:
    """The layers a scene's ``draw:`` asks for, in the order written (importing only theirs,
    :func:`raftsite.registry.find`, until the whole :func:`registry` is needed). A name that is
    no layer (a renderer drawing) is skipped."""
    from raftsite.registry import find

    out = []
    for name in config.get("draw") or ():
        cls = _REGISTRY.get(name) if _REGISTRY is not None else find(__name__, name, Layer, "name")
        if cls is not None:
            out.append(cls(config))
    return out
