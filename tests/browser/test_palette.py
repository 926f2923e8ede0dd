"""The system's colour scheme from the first paint (raftsite/plugin/palette.py): Material picks
the palette that matches ``prefers-color-scheme`` only once its bundle has run, at the end of
the page; the scene answers its controls before that (markdown_ext.MOUNT_HOOK), so a reader
whose system is dark must not see it light meanwhile. Material's bundle is held back here."""

from __future__ import annotations

import pytest

from browser_helpers import SCENE01

BUNDLE = "**/assets/javascripts/bundle.*.min.js"
SCHEME = "() => document.body.getAttribute('data-md-color-scheme')"


def _before_the_bundle(page) -> list:
    held: list = []
    page.context.route(BUNDLE, lambda route: held.append(route))
    page.goto(SCENE01, wait_until="commit")
    page.wait_for_selector('.raft-scene [data-action="play"]:not([disabled])')
    assert page.evaluate("() => window.document$ === undefined")
    return held


def _release(page, held: list) -> None:
    page.wait_for_function("() => true")  # let the route handler run
    for route in held:
        route.continue_()
    page.wait_for_function("() => window.document$ !== undefined")


@pytest.mark.parametrize("page_options,scheme", [({"color_scheme": "dark"}, "slate"), ({"color_scheme": "light"}, "default")],
                         ids=["dark", "light"])
def test_the_page_has_the_systems_scheme_before_materials_bundle_runs(page, scheme):
    held = _before_the_bundle(page)
    assert page.evaluate(SCHEME) == scheme
    # the diagram is drawn in it: a dark system, a dark background behind the servers
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert (background == "rgb(255, 255, 255)") == (scheme == "default"), background
    _release(page, held)
    assert page.evaluate(SCHEME) == scheme  # and Material, once it runs, agrees


@pytest.mark.parametrize("page_options", [{"color_scheme": "dark"}], ids=["dark"])
def test_a_readers_own_choice_of_palette_wins(page):
    """A reader who switched to light on a dark system keeps light: Material stores the choice
    and its own script applies it; the system's scheme is only for readers who never chose."""
    page.goto(SCENE01)
    page.wait_for_function("() => window.document$ !== undefined")
    page.click('label[for="__palette_0"]:visible')  # "Switch to light mode"
    page.wait_for_function(f"() => ({SCHEME})() === 'default'")
    held = _before_the_bundle(page)
    assert page.evaluate(SCHEME) == "default"
    _release(page, held)
    assert page.evaluate(SCHEME) == "default"
