"""Text into markup, one way for the whole site: escaping, numbers, wrapping.

Every piece of the site that writes SVG or HTML by hand — the renderer, the diagram's layers,
the controls' side panels — escapes with :func:`esc`, prints coordinates with :func:`fmt` and
breaks long text with :func:`wrap`, so the same text always becomes the same bytes (the
prerendered first frame and the browser's later frames must agree) and no panel forgets to
escape a name a reader typed.
"""

from __future__ import annotations

import html

__all__ = ["esc", "fmt", "wrap", "trunc"]


def esc(text: object) -> str:
    """``text`` safe inside an element or a double- or single-quoted attribute value."""
    return html.escape(str(text), quote=True)


def fmt(x: float) -> str:
    """A coordinate with one decimal, never ``-0.0`` (byte-identical output for equal drawings)."""
    s = "%.1f" % x
    return "0.0" if s == "-0.0" else s


def wrap(text: str, width: int) -> list[str]:
    """``text`` as lines of at most ``width`` characters, broken between words (a word longer
    than ``width`` gets a line of its own)."""
    lines: list[str] = []
    cur = ""
    for word in text.split():
        if cur and len(cur) + 1 + len(word) > width:
            lines.append(cur)
            cur = word
        else:
            cur = word if not cur else cur + " " + word
    if cur:
        lines.append(cur)
    return lines


def trunc(text: str, n: int) -> str:
    """``text`` cut to ``n`` characters, the last one an ellipsis when it was longer."""
    return text if len(text) <= n else text[: n - 1] + "\u2026"
