"""The site's own lists are not prose: they start flush, whatever Material does to lists.

Material indents every list item of the content (``[dir=ltr] .md-typeset ol li``, specificity
0,2,2), which beat the site's ``.md-typeset .raft-… li { margin: 0 }`` (0,2,1): the event log,
a server's log in the inspect panel and the invariants were indented, and the timeline's marks
sat 27 px right of the slider positions they label (test_scene08 checks those). Every list
with a ``raft-`` class, and its items, must have no left margin.
"""

from __future__ import annotations

from browser_helpers import open_scene

INDENTED = """() => [...document.querySelectorAll('ol[class*="raft-"], ul[class*="raft-"]')].flatMap((l) =>
  [l, ...l.querySelectorAll(':scope > li')].map((e) => [e.tagName + '.' + [...(e.closest('ol, ul').classList)].join('.'),
    getComputedStyle(e).marginLeft])).filter(([, m]) => m !== '0px')"""


def test_the_sites_lists_start_flush(page):
    open_scene(page, "scenes/03-leader-election/", speed=None)
    page.locator(".raft-scene svg [data-server] >> visible=true").first.click()
    page.wait_for_selector(".raft-scene .raft-inspect__log li")
    kinds = page.evaluate("() => [...new Set([...document.querySelectorAll('ol[class*=\"raft-\"], ul[class*=\"raft-\"]')].map(l => l.className))]")
    assert {"raft-scene__log", "raft-inspect__log", "raft-defend__invariants"} <= {k.split()[0] for k in kinds}
    assert page.evaluate(INDENTED) == []
    page.goto("./")
    assert page.locator(".raft-toc li").count() > 0
    assert page.evaluate(INDENTED) == []
