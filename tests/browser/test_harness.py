"""The browser harness itself: foreign requests are blocked and recorded (so they fail tests)."""

from __future__ import annotations


def test_requests_to_other_hosts_are_blocked_and_recorded(page, watch):
    page.goto("")
    result = page.evaluate(
        "() => fetch('https://cdn.example.com/pyodide.js').then(() => 'loaded', () => 'blocked')"
    )
    assert result == "blocked"
    page.wait_for_timeout(200)  # let the request/route events arrive
    assert watch.foreign == ["https://cdn.example.com/pyodide.js"]
    watch.foreign.clear()  # expected here; anywhere else the fixture fails the test
    watch.console_errors.clear()  # the browser logs the blocked request


def test_home_page_lists_twelve_scenes_and_links_only_built_ones(page):
    page.goto("")
    items = page.locator("article .raft-toc li")
    assert items.count() == 12
    # one link per scene page that exists (the others are listed as "coming soon", unlinked)
    from pathlib import Path

    built = len(list((Path(__file__).resolve().parents[2] / "docs" / "scenes").glob("[0-9][0-9]-*.md")))
    assert page.locator("article .raft-toc li a").count() == built
    assert page.locator("article .raft-toc li.raft-toc__soon a").count() == 0


def test_a_page_without_a_scene_never_boots_python(page):
    """The home page has its live hero; a page with no scene and no lab starts no Python."""
    page.goto("about/")
    assert page.locator(".raft-scene, .raft-lab").count() == 0
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.__raftBoots") == 0
