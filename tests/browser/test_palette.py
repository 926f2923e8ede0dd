"""The header's palette toggle (raftsite/plugin/palette.py, assets/build/palette.js): the
system's colour scheme from the first paint — Material picked it only once its bundle had run,
and the scene answers its controls before that (markdown_ext.MOUNT_HOOK), so a reader whose
system is dark must not see it light meanwhile — and a toggle that works with or without
Material's bundle, which no longer mounts a palette of its own. The bundle is held back where
the test is about the time before it runs."""

from __future__ import annotations

import pytest

from browser_helpers import SCENE01, hold_materials_bundle, release_materials_bundle

SCHEME = "() => document.body.getAttribute('data-md-color-scheme')"
TOGGLE = "form[data-raft-palette] label:visible"
METAS = "() => [...document.querySelectorAll('meta[name=color-scheme], meta[name=theme-color]')].map((m) => [m.name, m.content])"
STORED = "() => __md_get('__palette')"


def _before_the_bundle(page) -> list:
    held = hold_materials_bundle(page)
    page.goto(SCENE01, wait_until="commit")
    page.wait_for_selector('.raft-scene [data-action="play"]:not([disabled])')
    assert page.evaluate("() => window.document$ === undefined")
    return held


@pytest.mark.parametrize("page_options,scheme", [({"color_scheme": "dark"}, "slate"), ({"color_scheme": "light"}, "default")],
                         ids=["dark", "light"])
def test_the_page_has_the_systems_scheme_before_materials_bundle_runs(page, scheme):
    held = _before_the_bundle(page)
    assert page.evaluate(SCHEME) == scheme
    # the diagram is drawn in it: a dark system, a dark background behind the servers
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert (background == "rgb(255, 255, 255)") == (scheme == "default"), background
    release_materials_bundle(page, held)
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
    release_materials_bundle(page, held)
    assert page.evaluate(SCHEME) == "default"


@pytest.mark.parametrize("page_options,scheme,other,meta", [({"color_scheme": "dark"}, "slate", "default", "dark"),
                                                            ({"color_scheme": "light"}, "default", "slate", "light")],
                         ids=["dark", "light"])
def test_the_toggle_works_before_materials_bundle_runs(page, scheme, other, meta):
    """From the first paint: one toggle shown (the one to the other palette), the metas the
    browser's own UI reads, and a click that switches and is remembered — no bundle needed."""
    held = _before_the_bundle(page)
    toggles = page.locator(TOGGLE)
    assert toggles.count() == 1
    assert ("dark" in toggles.get_attribute("title")) == (scheme == "default")
    metas = dict(page.evaluate(METAS))
    assert metas["color-scheme"] == meta and metas["theme-color"].startswith("#"), metas
    assert page.evaluate(STORED) is None  # showing the system's scheme is not a choice
    toggles.click()
    page.wait_for_function(f"() => ({SCHEME})() === {other!r}")
    assert page.evaluate(STORED)["color"]["scheme"] == other
    assert dict(page.evaluate(METAS))["color-scheme"] == ("light" if meta == "dark" else "dark")
    page.wait_for_function("() => !document.body.hasAttribute('data-md-color-switching')")
    release_materials_bundle(page, held)
    assert page.evaluate(SCHEME) == other
    # Material's bundle mounts no palette of its own: no second set of metas
    assert [name for name, _ in page.evaluate(METAS)] == ["theme-color", "color-scheme"]


@pytest.mark.parametrize("page_options", [{"color_scheme": "light"}], ids=["light"])
def test_enter_on_the_toggle_switches_palette_and_keeps_the_focus_on_it(page):
    page.goto(SCENE01)
    page.wait_for_function("() => window.document$ !== undefined")
    page.keyboard.press("Tab")  # the skip link first, then the header's controls
    for _ in range(10):
        if page.evaluate("() => document.activeElement.name") == "__palette":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.name") == "__palette"
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => ({SCHEME})() === 'slate'")
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => ({SCHEME})() === 'default'")
    assert page.evaluate("() => document.activeElement.name") == "__palette"
    assert page.evaluate(STORED)["index"] == 0


@pytest.mark.parametrize("page_options", [{"color_scheme": "dark"}], ids=["dark"])
def test_a_reader_who_never_chose_follows_the_system_while_reading(page):
    page.goto(SCENE01)
    page.wait_for_function("() => window.document$ !== undefined")
    page.emulate_media(color_scheme="light")
    page.wait_for_function(f"() => ({SCHEME})() === 'default'")
    assert page.locator(TOGGLE).get_attribute("title") == "Switch to dark mode"
    assert dict(page.evaluate(METAS))["color-scheme"] == "light"
    page.locator(TOGGLE).click()  # now a choice: dark, whatever the system says
    page.wait_for_function(f"() => ({SCHEME})() === 'slate'")
    page.emulate_media(color_scheme="light")
    page.emulate_media(color_scheme="dark")
    page.emulate_media(color_scheme="light")
    page.wait_for_timeout(100)
    assert page.evaluate(SCHEME) == "slate"
