"""Every internal link, anchor and asset of the built site resolves; a planted break is caught."""

from __future__ import annotations

import shutil

from raftsite.linkcheck import check_links  # also `python -m raftsite.linkcheck site/` in CI


def test_every_internal_link_anchor_and_asset_resolves(built_site):
    assert check_links(built_site) == []


def test_the_checker_catches_planted_breaks(built_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    index = site / "index.html"
    html = index.read_text(encoding="utf-8")
    html = html.replace(
        "</article>",
        '<a href="scenes/nope/">gone</a><a href="scenes/01-replicated-state-machines/#no-such-anchor">x</a>'
        '<img src="https://cdn.example.com/x.png"></article>',
        1,
    )
    index.write_text(html, encoding="utf-8")
    (site / "assets/pyodide/python_stdlib.zip").unlink()
    problems = check_links(site)
    assert any("broken link scenes/nope/" in p for p in problems), problems
    assert any("broken anchor" in p and "no-such-anchor" in p for p in problems), problems
    assert any("from another host" in p for p in problems), problems
    assert any("python_stdlib.zip" in p for p in problems), problems
