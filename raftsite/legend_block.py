"""The ```` ```raft-legend ```` block: the diagram's vocabulary, drawn by the renderer itself.

A page writes an empty block; the build replaces it with :func:`raftsite.render.legend_svg`
(a wide and a narrow drawing, the page's CSS shows the one that fits), so the legend can
never drift from what the diagrams draw."""

from __future__ import annotations

from raftsite.render import legend_svg


def fence_validator(language, inputs, options, attrs, md) -> bool:
    return True


def fence_format(source, language, class_name, options, md, **kwargs) -> str:
    if source.strip():
        raise ValueError("raft-legend: the block takes no options; leave it empty")
    return '<div class="raft-legend-figure">%s</div>' % legend_svg()
