"""Phones: no page of the site is wider than a 390-px viewport (issue 15, item 3) — a reader on a
phone never scrolls sideways to read a page (WCAG 2.1 SC 1.4.10, Reflow).

Every page of the built site (found by walking it, so a new page is checked without being named
here) is opened at 390×844 and ``document.documentElement.scrollWidth`` must stay within 390 px:
as the page arrives (the build-time frame of a scene), once Python has made its scenes and lab
interactive, and — on a page with a scene — after the scene has played for a while (logs grow,
messages fly, captions change). Wide content may scroll inside its own box (code, tables), never
the page. A failure names the outermost elements that stick out.
"""

from __future__ import annotations

import pytest
from browser_helpers import site_pages, wait_interactive, wait_js

WIDTH, HEIGHT = 390, 844

_OVERFLOW = """(width) => {
  const out = [];
  const clips = (el) => getComputedStyle(el).overflowX !== 'visible';  // auto, scroll, hidden, clip
  const walk = (el) => {
    for (const child of el.children) {
      const r = child.getBoundingClientRect();
      if (r.width > 0 && r.right > width + 0.5) {
        const name = child.tagName.toLowerCase() + (child.id ? '#' + child.id : '')
          + (typeof child.className === 'string' && child.className.trim() ? '.' + child.className.trim().split(/\\s+/).join('.') : '');
        out.push(`${name} (right edge ${Math.round(r.right)} px, ${Math.round(r.width)} px wide)`);
        continue;  // the outermost offender is enough
      }
      if (!clips(child)) walk(child);
    }
  };
  walk(document.body);
  return {scrollWidth: document.documentElement.scrollWidth, offenders: out.slice(0, 8)};
}"""

def too_wide(page, path: str, moment: str) -> str | None:
    got = page.evaluate(_OVERFLOW, WIDTH)
    if got["scrollWidth"] <= WIDTH:
        return None
    return f"{path or '/'} ({moment}): {got['scrollWidth']} px wide; sticking out: " + "; ".join(got["offenders"])


_STATUS = "async (el) => JSON.parse(await window.__raft.scenes.get(el).scene.status())"


def play_a_while(page) -> None:
    """Press Play on every scene that offers it, at its fastest speed, and let 1.5 s of simulated
    time pass (or the run end)."""
    for scene in page.locator('.raft-scene[data-state="ready"]').all():
        play = scene.locator('[data-action="play"][aria-pressed="false"]:not([disabled])')
        if not play.count():
            continue
        speed = scene.locator('[data-action="speed"]')
        if speed.count():
            speed.select_option(max(speed.evaluate("(s) => [...s.options].map(o => o.value)"), key=float))
        t0 = scene.evaluate(_STATUS)["time"]
        play.first.click()
        wait_js(page,
            f"async ([el, t0]) => {{ const s = await ({_STATUS})(el); return s.time > t0 + 1500 || s.finished || s.violation !== null; }}",
            arg=[scene.element_handle(), t0], timeout=120_000)


@pytest.mark.parametrize("page_options", [{"viewport": {"width": WIDTH, "height": HEIGHT}}], ids=["390x844"])
def test_no_page_is_wider_than_a_phone(page, built_site, page_options):
    pages = site_pages(built_site)
    assert any(p.startswith("scenes/") for p in pages) and "lab/replay/" in pages
    problems = []
    for path in pages:
        page.goto(path, wait_until="domcontentloaded")
        problems.append(too_wide(page, path, "as it arrives"))
        wait_interactive(page)
        problems.append(too_wide(page, path, "interactive"))
        if page.locator('.raft-scene[data-state="ready"]').count():
            play_a_while(page)
            problems.append(too_wide(page, path, "after playing"))
    problems = [p for p in problems if p]
    assert not problems, "pages wider than a 390-px phone:\n" + "\n".join(problems)


def test_the_check_sees_a_wide_element(page, page_options):
    """The measurement itself: a 600-px box on a 390-px page is found and named."""
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    page.set_content('<html><body style="margin:0"><div id="wide" style="width:600px">x</div>'
                     '<pre style="overflow-x:auto"><span style="display:inline-block;width:900px">ok</span></pre></body></html>')
    got = page.evaluate(_OVERFLOW, WIDTH)
    assert got["scrollWidth"] == 600
    assert got["offenders"] == ["div#wide (right edge 600 px, 600 px wide)"]
