"""Network partitions drawn as regions (scene 10): one column per side, the servers placed in it.

The simulated network knows only which links are blocked (``ClusterView.blocked``). The reader
thinks in *sides*: "S1 and S2 over here, the rest over there". This module is the one place
that turns one into the other:

* :func:`sides` reads the blocked links and returns a side letter per server (``A``, ``B``…):
  two servers are on one side when messages flow both ways between them, directly or through
  others on that side. When every link is open there is one side, ``A``, and nothing is drawn.
* :func:`assign` does the opposite for the reader's moves: it partitions the cluster along the
  sides asked for (or heals it when only one side is left).

Letters stay put across changes: when the scenario (not the reader) partitions the network,
each new group gets the letter most of its servers had before, so a server only changes column
when it really changed side. That memory belongs to the cluster (a restart starts afresh), so
it lives in a weak map keyed by the cluster, and any number of layer instances — the renderer
makes new ones whenever the scene's options change — agree on it. The functions read the
cluster's view (the one the renderer draws this frame, or a fresh one) and act on the
cluster only through its public ``partition`` and ``heal``.

The layer places the servers in the columns (``positions``; the renderer redraws when they
change), and draws each side as a region labelled with its size and whether it holds a majority
— the one fact that decides what a side can do: elect a leader and commit, or neither.
"""

from __future__ import annotations

import weakref

from raftcore.view import ClusterView
from raftsite.layers import Layer, frame_view

__all__ = ["Partitions", "sides", "groups", "assign", "heal", "LETTERS"]

LETTERS = "ABCDEFGH"

# cluster -> [signature of cluster.blocked, {server: letter}]
_MEMORY: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _components(view: ClusterView) -> list[list[str]]:
    """Groups of servers that can exchange messages both ways (transitively), in name order."""
    names = list(view.names)
    blocked = view.blocked
    parent = {n: n for n in names}

    def root(n):
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for i, a in enumerate(names):
        for b in names[i + 1:]:
            if (a, b) not in blocked and (b, a) not in blocked:
                ra, rb = root(a), root(b)
                if ra != rb:
                    parent[rb] = ra
    out: dict[str, list[str]] = {}
    for n in names:
        out.setdefault(root(n), []).append(n)
    return list(out.values())


def _letters_for(comps: list[list[str]], before: dict[str, str], names: list[str]) -> dict[str, str]:
    """A letter per component: each keeps the letter most of its servers had (largest first)."""
    if len(comps) == 1:
        return {n: "A" for n in comps[0]}
    order = sorted(comps, key=lambda g: (-len(g), names.index(g[0])))
    taken: set[str] = set()
    out: dict[str, str] = {}
    for g in order:
        votes: dict[str, int] = {}
        for n in g:
            letter = before.get(n)
            if letter and letter not in taken:
                votes[letter] = votes.get(letter, 0) + 1
        if votes:
            letter = max(sorted(votes), key=lambda k: votes[k])
        else:
            letter = next(x for x in LETTERS if x not in taken)
        taken.add(letter)
        for n in g:
            out[n] = letter
    # Letters in column order without gaps: A, B, C…, the columns in the order of the old letters.
    used = sorted(set(out.values()))
    rename = {old: LETTERS[i] for i, old in enumerate(used)}
    return {n: rename[out[n]] for n in names}


def sides(cluster, view: ClusterView | None = None) -> dict[str, str]:
    """The side letter of every server, from the network's blocked links (as ``view`` shows
    them, by default the cluster's view now)."""
    view = view if view is not None else cluster.view(log_window=0)
    mem = _MEMORY.get(cluster)
    sig = view.blocked
    if mem is not None and mem[0] == sig and len(mem[1]) == len(view.names):
        return mem[1]
    before = mem[1] if mem is not None else {}
    out = _letters_for(_components(view), before, list(view.names))
    _MEMORY[cluster] = [sig, out]
    return out


def groups(cluster, view: ClusterView | None = None) -> list[tuple[str, list[str]]]:
    """``[(letter, servers)]`` in letter order."""
    by: dict[str, list[str]] = {}
    for n, letter in sides(cluster, view).items():
        by.setdefault(letter, []).append(n)
    return sorted(by.items())


def assign(cluster, wanted: dict[str, str]) -> None:
    """Partition the network along ``wanted`` (server -> letter); one side left heals it."""
    names = list(cluster.view(log_window=0).names)
    for n, letter in wanted.items():
        if n not in names:
            raise ValueError(f"unknown server {n!r}; servers are {', '.join(names)}")
        if letter not in LETTERS:
            raise ValueError(f"side must be one of {', '.join(LETTERS[:2])}…, got {letter!r}")
    by: dict[str, list[str]] = {}
    for n in names:
        by.setdefault(wanted.get(n, "A"), []).append(n)
    if len(by) == 1:
        cluster.heal()
        _MEMORY[cluster] = [cluster.view(log_window=0).blocked, {n: "A" for n in names}]
        return
    cluster.partition(*[by[k] for k in sorted(by)])
    used = sorted(by)
    rename = {old: LETTERS[i] for i, old in enumerate(used)}
    _MEMORY[cluster] = [cluster.view(log_window=0).blocked, {n: rename[wanted.get(n, "A")] for n in names}]


def heal(cluster) -> None:
    assign(cluster, {})


def majority(view: ClusterView) -> int:
    return len(view.names) // 2 + 1


class Partitions(Layer):
    name = "partitions"
    doc = ("network partitions as regions, one column per side with its servers in it, labelled with the "
           "side's size and whether it holds a majority")
    z = "under"

    def _top(self, canvas) -> float:
        """Centre of the first server of a column: room above for the side's two label lines."""
        return 2 * canvas.size.font + 16.0 + canvas.r + 24.0

    def _below(self, canvas) -> float:
        """Room under the last server of a column: its name and vote tally."""
        return canvas.r + 5.0 + canvas.size.font + canvas.size.small + 10.0

    def _step(self, canvas) -> float:
        """Distance between two servers of a column: a server, its name and tally, its neighbour's badge."""
        return 2 * (canvas.r + 5.0) + canvas.size.font + canvas.size.small + 18.0

    def stage_height(self, canvas) -> float:
        """Tall enough for a side holding every server but one."""
        n = max(len(canvas.view.names) - 1, 1)
        return self._top(canvas) + (n - 1) * self._step(canvas) + self._below(canvas)

    def __init__(self, config: dict):
        super().__init__(config)
        self._pos_key = None
        self._pos: dict = {}
        self._draw_key = None
        self._svg = ""

    def _columns(self, renderer) -> list[tuple[str, list[str], float, float]]:
        """``[(letter, servers, x0, x1)]``: the column of each side (nothing when healed)."""
        gs = groups(renderer.cluster, frame_view(renderer))
        if len(gs) < 2:
            return []
        w = float(renderer.width) / len(gs)
        return [(letter, names, i * w, (i + 1) * w) for i, (letter, names) in enumerate(gs)]

    def positions(self, renderer) -> dict:
        view = frame_view(renderer)
        key = (view.blocked, view.names, renderer.size.name)
        if key == self._pos_key:
            return self._pos
        cols = self._columns(renderer)
        pos: dict = {}
        top, step = self._top(renderer), self._step(renderer)
        for _letter, names, x0, x1 in cols:
            # each side's servers in a column down its middle
            cx = (x0 + x1) / 2
            for k, name in enumerate(names):
                pos[name] = (round(cx, 1), round(top + k * step, 1))
        self._pos_key, self._pos = key, pos
        return pos

    def draw(self, renderer) -> str:
        view = frame_view(renderer)
        key = (view.blocked, view.names, renderer.size.name, renderer.height)
        if key == self._draw_key:
            return self._svg
        cols = self._columns(renderer)
        need = majority(view)
        total = len(view.names)
        out = []
        h = float(renderer.height)
        for i, (letter, names, x0, x1) in enumerate(cols):
            has = len(names) >= need
            cls = "raft-region raft-region--%s" % ("majority" if has else "minority")
            what = ("a majority: it can elect a leader and commit" if has
                    else "no majority: it can neither elect nor commit")
            out.append(
                '<g class="%s" data-side="%s"><title>Side %s: %s — %d of %d servers, %s</title>'
                '<rect x="%.1f" y="6" width="%.1f" height="%.1f" rx="10"/>'
                '<text class="raft-region__name" x="%.1f" y="%.1f">Side %s · %s</text>'
                '<text class="raft-region__what raft-small" x="%.1f" y="%.1f">%d of %d: %s</text></g>'
                % (cls, letter, letter, ", ".join(names), len(names), total, what,
                   x0 + 6, x1 - x0 - 12, h - 12, x0 + 12, 10 + renderer.size.font, letter, " ".join(names),
                   x0 + 12, 16 + renderer.size.font + renderer.size.small, len(names), total,
                   "majority" if has else "no majority"))
            if i:
                out.append('<g class="raft-wall"><path d="M%.1f,6V%.1f"/>'
                           '<text class="raft-small" x="%.1f" y="%.1f" text-anchor="middle">✕</text></g>'
                           % (x0, h - 6, x0, h / 2 + 4))
        self._draw_key, self._svg = key, "".join(out)
        return self._svg
