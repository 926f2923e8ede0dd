"""Material's start out of the reader's way (raftsite/plugin/material_start.py): its bundle runs
after the page's first paint, on a page that already is what the bundle makes of it, and the
page is whole without it. tests/site/test_material_start_build.py checks what the build writes."""

from __future__ import annotations

from browser_helpers import (MATERIAL_BUNDLE, SCENE01, SCENE02, hold_materials_bundle, press_play,
                             release_materials_bundle, wait_ready)

#: When Material's bundle hands out document$ (its last statement), and each change, from the
#: moment its <script> is inserted, to what the page sets first: <html>'s classes and
#: focus-visible mark, <head>'s links, <code>'s class, a code block's buttons (a node added to
#: a <pre>), the palette's <meta>s.
WATCH = """
(() => {
  window.__material = { changes: [], documentAt: null, inserted: false };
  let value;
  Object.defineProperty(window, "document$", {
    configurable: true,
    get: () => value,
    set: (v) => { value = v; if (window.__material.documentAt === null) window.__material.documentAt = performance.now(); },
  });
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "childList") {
        for (const n of r.addedNodes) {
          if (n.nodeName === "SCRIPT" && /bundle\\.[0-9a-f]+\\.min\\.js$/.test(n.src || "")) window.__material.inserted = true;
          else if (window.__material.inserted && (r.target.nodeName === "PRE" || (n.nodeName === "META" && r.target === document.head)))
            window.__material.changes.push(`${r.target.nodeName} + ${n.nodeName}`);
        }
        continue;
      }
      const el = r.target, now = el.getAttribute(r.attributeName);
      const a = r.attributeName;
      const watched = (el === document.documentElement && (a === "class" || a === "data-js-focus-visible"))
        || (el.parentNode === document.head && (a === "href" || a === "src")) || (el.nodeName === "CODE" && a === "class");
      if (window.__material.inserted && watched && now !== r.oldValue)
        window.__material.changes.push(`${el.nodeName} ${r.attributeName}: ${r.oldValue} -> ${now}`);
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeOldValue: true });
})();
"""


def _material_started(page) -> None:
    """document$ is out and the content's components are up (a code block's <pre> gets its id)."""
    page.wait_for_function("() => window.document$ !== undefined && document.querySelector('pre[id^=__code_]') !== null")


def test_materials_bundle_runs_after_the_first_paint_and_still_starts(page):
    page.add_init_script(WATCH)
    page.goto(SCENE01)
    _material_started(page)
    paint = page.evaluate("() => performance.getEntriesByName('first-paint')[0].startTime")
    assert page.evaluate("() => window.__material.documentAt") > paint
    # its components are up: search finds a page, and the palette follows a click
    page.click(".md-search__input")
    page.keyboard.type("leader election")
    page.wait_for_selector(".md-search-result__item")
    page.keyboard.press("Escape")
    scheme = "() => document.body.getAttribute('data-md-color-scheme')"
    before = page.evaluate(scheme)
    page.click('form[data-raft-palette] label:visible')
    page.wait_for_function(f"() => ({scheme})() !== {before!r}")


def test_material_starts_without_changing_what_the_page_set_first(page):
    """Each change the bundle makes as it starts (``js`` on <html>, absolute links in <head>, a
    listing's ``md-code__content``) restyled the whole page inside its task; the page makes them
    first. The bundle must find nothing left to change: a newer Material that changes something
    else shows up here."""
    page.add_init_script(WATCH)
    page.goto(SCENE01)
    _material_started(page)
    wait_ready(page)
    assert page.evaluate("() => window.__material.inserted")
    assert page.evaluate("() => window.__material.changes") == []
    assert page.evaluate("() => document.documentElement.className") == "js js-focus-visible"


def test_instant_navigation_after_a_late_start_mounts_the_next_scene(page):
    """The glue follows Material's document$ from the moment the bundle is up (which is after the
    page's DOMContentLoaded): on the next page it mounts the new scene and lets go of the old one,
    whose element left the document (it would go on asking the worker for frames)."""
    page.goto(SCENE01)
    _material_started(page)
    wait_ready(page)
    page.evaluate("() => { window.__sameDocument = true; }")
    page.click(f'a.md-nav__link[href$="{SCENE02.rstrip("/").split("/")[-1]}/"]')
    page.wait_for_url(f"**/{SCENE02}")
    wait_ready(page)
    assert page.evaluate("() => window.__sameDocument === true")  # instant navigation, not a load
    assert page.evaluate("() => [...window.__raft.scenes.keys()].every((el) => el.isConnected)")
    assert page.evaluate("() => window.__raft.scenes.size") == 1
    # the header (and its palette toggle, the site's own: plugin/palette.py) stayed, and works
    scheme = "() => document.body.getAttribute('data-md-color-scheme')"
    before = page.evaluate(scheme)
    page.click('form[data-raft-palette] label:visible')
    page.wait_for_function(f"() => ({scheme})() !== {before!r}")


def test_a_page_whose_bundle_does_not_load_keeps_its_scene(page, watch):
    """Without Material's bundle the page is as Material's template had it (``no-js``), says so
    in the console, and the scene still answers."""
    watch.allow_console_errors = True  # the failed load is reported
    page.context.route(MATERIAL_BUNDLE, lambda route: route.abort())
    warnings = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    page.goto(SCENE01)
    wait_ready(page)
    page.wait_for_function("() => document.documentElement.classList.contains('no-js')")
    assert page.evaluate("() => window.document$") is None
    assert any("bundle" in w and "did not load" in w for w in warnings), warnings
    press_play(page)
    page.wait_for_function("() => document.querySelector('.raft-scene [data-action=\"play\"]').getAttribute('aria-pressed') === 'true'")


COPY = ".raft-listing pre > nav .md-code__button[data-md-type=copy]"
CLIPBOARD = "() => navigator.clipboard.readText()"
#: The listing's source text, each line once (what a reader pastes).
LISTING_TEXT = "() => document.querySelector('.raft-listing pre > code').textContent.trimEnd()"


def test_a_code_blocks_copy_button_copies_it_before_and_after_material_starts(page):
    """The build writes each code block's copy button (Material inserted it as it started, then
    laid the block out again): it copies the listing from the first paint, and once Material is
    up it says so as Material did, and Material adds no second button."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    held = hold_materials_bundle(page)
    page.goto(SCENE01, wait_until="commit")
    page.wait_for_selector(COPY)
    assert page.evaluate("() => window.document$ === undefined")
    page.click(COPY)
    page.wait_for_function(f"async () => (await ({CLIPBOARD})()) === ({LISTING_TEXT})()")
    assert "def " in page.evaluate(CLIPBOARD)
    release_materials_bundle(page, held)
    _material_started(page)
    counts = "() => [...document.querySelectorAll('pre > code')].map((c) => c.parentElement.querySelectorAll('.md-code__button').length)"
    assert set(page.evaluate(counts)) == {1}
    page.evaluate("() => navigator.clipboard.writeText('')")
    page.click(COPY)
    page.wait_for_selector(".md-dialog__inner:has-text('Copied to clipboard')")
    assert page.evaluate(CLIPBOARD) == page.evaluate(LISTING_TEXT)


def test_a_code_block_scrolls_from_the_keyboard_before_and_after_material_starts(page):
    """WCAG 2.1.1: a block wider than the page must take the focus to scroll with the arrow keys.
    The build makes every block focusable; Material, once up, keeps that on the blocks that
    scroll and takes it from the others."""
    held = hold_materials_bundle(page)
    page.goto("source/raftcore/lab/cli/", wait_until="commit")
    page.wait_for_selector("pre > code")
    page.wait_for_function("() => document.readyState !== 'loading'")
    assert page.evaluate("() => window.document$ === undefined")
    blocks = "() => [...document.querySelectorAll('pre > code')].map((c) => [c.getAttribute('tabindex'), c.scrollWidth > c.clientWidth])"
    before = page.evaluate(blocks)
    assert before and all(tab == "0" for tab, _ in before)
    assert any(wide for _, wide in before)  # the page this test needs: a block wider than the page
    page.focus("pre > code")
    left = page.evaluate("() => document.querySelector('pre > code').scrollLeft")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"() => document.querySelector('pre > code').scrollLeft > {left}")
    release_materials_bundle(page, held)
    _material_started(page)
    assert all((tab == "0") == wide for tab, wide in page.evaluate(blocks))


def test_without_the_clipboard_api_the_copy_button_copies_by_selection(page):
    """A page served over plain HTTP from another machine has no Clipboard API: the button then
    copies as Material's clipboard.js did, selecting the text and running the copy command."""
    page.add_init_script("""
      Object.defineProperty(Navigator.prototype, "clipboard", { get: () => undefined, configurable: true });
      window.__copied = [];
      const exec = document.execCommand.bind(document);
      document.execCommand = (cmd, ...rest) => {
        if (cmd === "copy") window.__copied.push(String(document.getSelection()) || document.activeElement.value);
        return exec(cmd, ...rest);
      };
    """)
    page.goto(SCENE01)
    page.wait_for_selector(COPY)
    page.click(COPY)
    page.wait_for_function("() => window.__copied.length === 1")
    assert page.evaluate("() => window.__copied[0]") == page.evaluate(LISTING_TEXT)
    assert page.evaluate("() => document.querySelectorAll('textarea').length") == 0  # the helper is gone
