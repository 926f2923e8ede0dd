"""Reduced motion: a reader who asks the system for less motion (``prefers-reduced-motion:
reduce``) gets pages that hold still (WCAG 2.1 SC 2.3.3 Animation from Interactions; issue 15,
item 8).

* On every page of the built site (found by walking it): no CSS animation or transition runs as
  the page arrives or once its scenes are interactive, and no scene plays by itself — its clock
  stands still until the reader presses Play (the home page's hero included).
* After Play, the run goes on in steps the renderer draws without movement (tests/site/
  test_render.py checks the frames); the page still runs no CSS animation.
* theme.css stops animations whoever adds them: an infinite animation put on a page finishes at
  once under reduced motion, and keeps running without it.
"""

from __future__ import annotations

import pytest
from browser_helpers import site_pages, wait_interactive

_RUNNING = """() => document.getAnimations().filter(a => a.playState === 'running').map(a => {
  const t = a.effect && a.effect.target;
  return `${a.animationName || a.transitionProperty || 'animation'} on ${t ? t.tagName.toLowerCase() + (t.id ? '#' + t.id : '') : '?'}`;
})"""
_TIMES = "async () => Promise.all([...document.querySelectorAll('.raft-scene')].map(async el => { const ui = window.__raft.scenes.get(el); " \
         "return ui && ui.scene ? JSON.parse(await ui.scene.status()).time : null; }))"
_SPIN = """() => { const d = document.createElement('div'); d.id = 'spinner';
  d.style.animation = 'raft-test-spin 1s linear infinite';
  const s = document.createElement('style'); s.textContent = '@keyframes raft-test-spin { to { transform: rotate(1turn); } }';
  document.head.append(s); document.body.append(d); }"""


@pytest.mark.reduced_motion
def test_no_page_moves_by_itself_with_reduced_motion(page, built_site):
    problems = []
    for path in site_pages(built_site):
        page.goto(path, wait_until="domcontentloaded")
        problems += [f"{path or '/'} (arriving): {a}" for a in page.evaluate(_RUNNING)]
        wait_interactive(page)
        problems += [f"{path or '/'} (interactive): {a}" for a in page.evaluate(_RUNNING)]
        if not page.locator(".raft-scene").count():
            continue
        playing = page.locator('.raft-scene [data-action="play"][aria-pressed="true"]').count()
        t0 = page.evaluate(_TIMES)
        page.wait_for_timeout(400)  # a dozen frames: a playing scene's clock would move
        if playing or page.evaluate(_TIMES) != t0:
            problems.append(f"{path or '/'}: a scene plays by itself ({t0} -> {page.evaluate(_TIMES)})")
        play = page.locator('.raft-scene [data-action="play"][aria-pressed="false"]:not([disabled])')
        if play.count():
            play.first.click()
            page.wait_for_function(f"(t0) => JSON.stringify(({_TIMES})()) !== JSON.stringify(t0)", arg=t0)
            problems += [f"{path or '/'} (playing): {a}" for a in page.evaluate(_RUNNING)]
    assert not problems, "motion despite prefers-reduced-motion: reduce:\n" + "\n".join(problems)


@pytest.mark.reduced_motion
def test_theme_stops_any_animation_with_reduced_motion(page):
    page.goto("about/")
    page.evaluate(_SPIN)
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")


def test_the_check_sees_an_animation_without_reduced_motion(page):
    page.goto("about/")
    page.evaluate(_SPIN)
    page.wait_for_timeout(100)
    assert page.evaluate(_RUNNING) == ["raft-test-spin on div#spinner"]
