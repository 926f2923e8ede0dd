"""Accessibility: axe-core finds no serious or critical WCAG 2 A/AA violation on any page of the
built site, in the light and in the dark palette (WCAG 2.1 success criteria 1.1.1, 1.3.1, 1.4.1,
1.4.3, 2.5.3, 4.1.2 among others; issue 15, item 8).

* Every page is found by walking the built site — the home page, every scene, the lab and its
  replay page, the authoring guide, the reference, performance, about, the generated source
  pages, 404.html — so a new page is checked without being named here.
* A page with a scene or the lab is checked once Python has made it interactive (the live DOM
  the reader uses, controls and lit listing lines included).
* The palette is the reader's: Material follows ``prefers-color-scheme`` (mkdocs.yml's palette
  entries carry a ``media`` query), so each run emulates it and checks that the page really uses
  ``default`` or ``slate``. The light palette is checked on a 390×844 phone too.
* axe-core comes from npm (package.json devDependencies, ``make setup``) and is injected from
  node_modules: no request leaves 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_helpers import ROOT, site_pages, wait_interactive

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING = ("serious", "critical")
SCHEMES = {"light": "default", "dark": "slate"}
PHONE = {"width": 390, "height": 844}
#: Both palettes at 1280×900, and the light one on a phone (its own layout: the narrow diagram,
#: tables that scroll sideways).
RUNS = {"light": {"color_scheme": "light"}, "dark": {"color_scheme": "dark"},
        "light-390": {"color_scheme": "light", "viewport": PHONE}}

_RUN_AXE = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => ({
    target: n.target.join(' '), html: n.html.slice(0, 200), summary: n.failureSummary }))}));
}"""


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now (axe injected from node_modules)."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    return page.evaluate(_RUN_AXE, TAGS)


def describe(page_path: str, violation: dict, samples: int = 3) -> str:
    lines = [f"{page_path or '/'}: {violation['id']} ({violation['impact']}, {len(violation['nodes'])} nodes) "
             f"— {violation['help']}"]
    for node in violation["nodes"][:samples]:
        lines.append(f"    {node['target']}\n      {node['html']}\n      "
                     + " / ".join(s.strip() for s in node["summary"].splitlines()[1:] if s.strip()))
    return "\n".join(lines)


@pytest.mark.parametrize("page_options", list(RUNS.values()), ids=list(RUNS))
def test_no_serious_or_critical_axe_violation_on_any_page(page, built_site, page_options):
    assert AXE.is_file(), f"{AXE} is missing: `make setup` (npm ci) installs axe-core"
    scheme = SCHEMES[page_options["color_scheme"]]
    pages = site_pages(built_site)
    assert {"", "lab/", "lab/replay/", "authoring/", "about/"} <= set(pages)
    assert any(p.startswith("scenes/") for p in pages) and any(p.startswith("source/") for p in pages)
    problems = []
    for path in pages:
        page.goto(path)
        wait_interactive(page)
        assert page.get_attribute("body", "data-md-color-scheme") == scheme, path
        problems += [describe(path, v) for v in axe_violations(page) if v["impact"] in FAILING]
    assert not problems, (f"{len(problems)} serious/critical axe violations ({scheme} palette, "
                          f"{page.viewport_size['width']} px wide):\n" + "\n".join(problems))


def test_axe_reports_what_it_should(page):
    """The check itself can fail: a page with a low-contrast paragraph and an unnamed button
    gives axe its serious violations (so an empty list above means something)."""
    page.set_content('<html lang="en"><head><title>t</title></head><body><main>'
                     '<p style="color:#aaa;background:#fff">faint</p><button></button></main></body></html>')
    found = {v["id"] for v in axe_violations(page) if v["impact"] in FAILING}
    assert {"color-contrast", "button-name"} <= found
