"""Listings on the built page equal the current source of the functions they name."""

from __future__ import annotations

import importlib
import inspect
import re

import pytest
from site_helpers import SpanText

from raftsite.listings import ListingError, resolve

PAGE = "scenes/01-replicated-state-machines/index.html"


def _object(name):
    module, qual = name.split(":")
    obj = importlib.import_module(module)
    for part in qual.split("."):
        obj = getattr(obj, part)
    return obj


def test_each_listing_on_the_page_is_the_current_source(built_site):
    html = (built_site / PAGE).read_text(encoding="utf-8")
    boxes = re.findall(r'<div class="raft-listing" id="([^"]+)-box" data-listing="([^"]+)" data-start="(\d+)" data-end="(\d+)"', html)
    assert len(boxes) == 2
    for hid, name, start, end in boxes:
        lines, first = inspect.getsourcelines(_object(name))  # an independent oracle: inspect, not ast
        assert (int(start), int(end)) == (first, first + len(lines) - 1), name
        parser = SpanText(f"__span-{hid}-")
        parser.feed(html)
        shown = {int(k.rsplit("-", 1)[1]): v for k, v in parser.text.items()}
        assert sorted(shown) == list(range(first, first + len(lines))), name
        for n, src in zip(range(first, first + len(lines)), lines):
            assert shown[n] == src, f"{name} line {n}: {shown[n]!r} != {src!r}"
        # The line numbers shown are the real ones in the file.
        nums = re.search(rf'<div id="{hid}" class="language-python highlight">.*?<td class="linenos">(.*?)</td>', html, re.S)
        assert [int(x) for x in re.findall(r">(\d+)<", nums.group(1))] == list(range(first, first + len(lines)))


def test_view_in_source_links_point_at_the_first_line(built_site):
    html = (built_site / PAGE).read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]+)">view in source', html)
    assert links == [
        f"../../source/raftcore/node/#__codelineno-src-{resolve('raftcore.node:RaftNode.apply_committed').start}",
        f"../../source/raftcore/node/#__codelineno-src-{resolve('raftcore.node:RaftNode.on_election_timeout').start}",
    ]


def test_resolve_is_exact_and_fails_on_missing_names():
    lst = resolve("raftcore.node:RaftNode.apply_committed")
    lines, first = inspect.getsourcelines(_object(lst.name))
    assert lst.start == first and list(lst.lines) == [x.rstrip("\n") for x in lines]
    for bad in ("raftcore.node:RaftNode.nope", "raftcore.nope:X", "raftcore.node", "raftcore.node:Raft Node"):
        with pytest.raises(ListingError):
            resolve(bad)
