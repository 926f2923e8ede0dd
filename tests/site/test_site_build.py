"""The site builds with --strict; broken scene blocks fail it with page, line and reason."""

from __future__ import annotations

import json
import re

import pytest
from site_helpers import ROOT, copy_project_config, mkdocs_build

SCENE = "scenes/01-replicated-state-machines.md"


def test_mkdocs_build_strict_passes(site_build):
    proc, site = site_build
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (site / "index.html").is_file()
    assert (site / "scenes/01-replicated-state-machines/index.html").is_file()


def test_the_lock_file_lists_no_packages_and_keeps_pyodides_abi(built_site, tmp_path):
    """The site ships none of Pyodide's packages, so its lock file lists none (every boot
    fetches and reads it); ``loadPyodide()`` checks its ABI, kept from Pyodide's own."""
    from mkdocs.exceptions import PluginError

    import raftcore
    from raftsite.plugin.runtime import lock_without_packages

    shipped = json.loads((built_site / "assets/pyodide/pyodide-lock.json").read_text(encoding="utf-8"))
    pyodides = json.loads((ROOT / "node_modules/pyodide/pyodide-lock.json").read_text(encoding="utf-8"))
    assert shipped == {"info": pyodides["info"], "packages": {}}
    assert pyodides["packages"] and pyodides["info"]["abi_version"]
    assert [w.name for w in built_site.rglob("*.whl")] == [f"raftcore-{raftcore.__version__}-py3-none-any.whl"]
    bad = tmp_path / "pyodide-lock.json"
    bad.write_text('{"packages": {}}', encoding="utf-8")
    with pytest.raises(PluginError, match="not a Pyodide lock file"):
        lock_without_packages(bad, tmp_path / "out.json")


def test_search_indexes_the_scenes_prose_and_leaves_their_widgets_out(built_site):
    """A reader searching finds a scene by its prose and listings; the widget's buttons, the
    first frame's diagram labels and tables are not words of the page (they once were a quarter
    of the index). Material's parser ends an exclusion at the first closing tag of the excluded
    element's name, so the widget must hold no element of its own tag."""
    index = json.loads((built_site / "search/search_index.json").read_text(encoding="utf-8"))
    text = {d["location"]: d["text"] for d in index["docs"]}
    diagram = text["scenes/08-figure-8/#diagram"]
    assert "Under the diagram, the timeline" in diagram  # the prose
    for noise in ("◀ Back", "Speed 0.05×", "First frame, drawn when the site was built", "Event log",
                  "RequestVote term=2", "votes 1/3", "Invariants"):
        assert noise not in diagram, noise
    for location, words in text.items():
        assert "First frame, drawn when the site was built" not in words, location
        assert "Nothing has happened yet" not in words, location
    assert "def advance_commit_index" in text["scenes/08-figure-8/#implementation"]  # listings stay
    for page in built_site.glob("scenes/*/index.html"):
        html = page.read_text(encoding="utf-8")
        widget = html[html.index('<article class="raft-scene"'):]
        widget = widget[:widget.index("</article>")]
        assert "<article" not in widget[1:] and "data-search-exclude" in widget[:widget.index(">")], page


def test_runtime_is_in_the_site(built_site):
    """Pyodide's five runtime files and the freshly built wheel, copied into the site."""
    for name in ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"):
        assert (built_site / "assets/pyodide" / name).stat().st_size > 0, name
    assert (built_site / "assets/pyodide/pyodide.asm.wasm").read_bytes() == (
        ROOT / "node_modules/pyodide/pyodide.asm.wasm"
    ).read_bytes()
    wheels = list((built_site / "assets/wheels").glob("raftcore-*-py3-none-any.whl"))
    assert len(wheels) == 1
    import tarfile
    import zipfile

    names = zipfile.ZipFile(wheels[0]).namelist()
    assert "raftcore/node.py" in names and "raftsite/browser.py" in names and "raftsite/render.py" in names
    assert not [n for n in names if n.startswith("raftsite/assets/")]
    html = (built_site / "scenes/01-replicated-state-machines/index.html").read_text(encoding="utf-8")
    assert f'<meta name="raft-wheel" content="{wheels[0].name}">' in html
    assert 'type="module"' in html and "assets/raft/raft-boot.mjs" in html
    # The precompiled ("hybrid") stdlib the glue boots with: boot modules as .pyc, the rest .py.
    m = re.search(r'<meta name="raft-stdlib" content="(python_stdlib-[0-9a-f]{12}\.zip)">', html)
    assert m, "no precompiled stdlib named in the page"
    hybrid = zipfile.ZipFile(built_site / "assets/pyodide" / m.group(1)).namelist()
    assert "json/__init__.pyc" in hybrid and "json/__init__.py" not in hybrid
    assert "tkinter/__init__.py" in hybrid or not any(n.startswith("tkinter/") for n in hybrid)
    # ... and the wheel as the browser installs it: each runtime module a sourceless .pyc in its
    # .py's place, the build-time modules left out, every other file of the wheel as it is.
    m = re.search(r'<meta name="raft-pyc" content="([^"]+\.tar\.gz)">', html)
    assert m, "no precompiled wheel named in the page"
    with tarfile.open(built_site / "assets/wheels" / m.group(1), "r:gz") as tar:
        assert {t.type for t in tar.getmembers()} == {tarfile.REGTYPE}  # what wheel-files.mjs reads
        pyc = tar.getnames()
    assert "raftcore/node.pyc" in pyc and "raftsite/browser.pyc" in pyc and "raftcore/__init__.pyc" in pyc
    assert "raftcore/node.py" not in pyc and not [n for n in pyc if "__pycache__" in n]
    build_time = ("raftsite/plugin/", "raftsite/markdown_ext.", "raftsite/listings.", "raftsite/blocks/schema.")
    assert "raftsite/markdown_ext.py" in names and "raftsite/plugin/__init__.py" in names
    assert not [n for n in pyc if n.startswith(build_time)]  # never imported in the browser
    assert "raftsite/blocks/fields.pyc" in pyc  # every control imports it
    assert {n for n in names if not n.endswith(".py")} <= set(pyc)  # the scenario library, the metadata
    runtime = {n for n in names if not n.startswith(build_time)}
    assert {n[:-3] + ".pyc" if n[:-3] + ".pyc" in pyc else n for n in runtime} == set(pyc)


def test_scene_block_emits_container_svg_controls_and_config(built_site):
    html = (built_site / "scenes/01-replicated-state-machines/index.html").read_text(encoding="utf-8")
    m = re.search(r'<article class="raft-scene" id="s01-scene" data-scene="([^"]*)"', html)
    assert m, "no scene container"
    import html as htmlmod

    cfg = json.loads(htmlmod.unescape(m.group(1)))
    assert cfg["scenario"] == "scene01" and cfg["servers"] == ["SM_A", "SM_B", "SM_C"]
    assert cfg["unsafe"]["switch"] == "nondeterministic_state_machine"
    assert [x["name"] for x in cfg["listings"]] == [
        "raftcore.node:RaftNode.apply_committed",
        "raftcore.node:RaftNode.on_election_timeout",
    ]
    assert '<svg xmlns="http://www.w3.org/2000/svg" id="s01"' in html
    for action in ("back", "play", "next", "reset", "speed", "seed", "unsafe", "to-violation"):
        assert f'data-action="{action}"' in html, action
    assert 'data-control="link_delay" data-target="SM_C"' in html
    assert 'data-role="invariants"' in html and 'data-role="events"' in html


def test_material_settings(built_site):
    """No font CDN, instant navigation, a palette toggle, the site_url the tests serve on."""
    html = (built_site / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis" not in html and "fonts.gstatic" not in html
    assert "navigation.instant" in html
    assert "data-raft-palette" in html and 'data-md-component="palette"' not in html  # plugin/palette.py
    assert '<link rel="canonical" href="http://127.0.0.1:8000/">' in html


def test_every_page_has_the_sites_palette_toggle_right_after_materials_palette_script(built_site):
    """plugin/palette.py: the site's palette script follows Material's (which applies a stored
    choice) on every page of the theme, and Material's bundle is left no palette to mount
    (tests/browser/test_palette.py checks what the script does)."""
    from raftsite.plugin.head import inline_script
    from raftsite.plugin.palette import FORM, MATERIAL_PALETTE, SCRIPT, SCRIPT_CALL

    script = inline_script(SCRIPT, SCRIPT_CALL, ())
    pages = 0
    for page in sorted(built_site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        material = MATERIAL_PALETTE.search(html)
        if material is None:
            assert "data-md-component=\"palette\"" not in html, page
            continue  # not a page of the theme (the source pages' redirects, …)
        pages += 1
        assert html[material.end():].startswith(script), page
        assert html.count(script) == 1 and html.count(FORM) == 1, page
        assert 'data-md-component="palette"' not in html, page
    assert pages > 12


def test_a_theme_without_materials_palette_script_fails_the_build():
    from types import SimpleNamespace

    from mkdocs.exceptions import PluginError

    from raftsite.plugin import palette

    config = SimpleNamespace(theme={"palette": [{"media": "(prefers-color-scheme: light)"}, {"media": "(prefers-color-scheme: dark)"}]})
    page = SimpleNamespace(file=SimpleNamespace(src_uri="index.md"))
    with pytest.raises(PluginError, match="index.md: Material's palette form and script"):
        palette.on_post_page(None, "<html><body>no palette script</body></html>", page, config)
    script_only = '<script>var palette=__md_get("__palette");</script>'
    with pytest.raises(PluginError, match="index.md: Material's palette form and script"):
        palette.on_post_page(None, f"<html><body>{script_only}</body></html>", page, config)  # no form
    one = SimpleNamespace(theme={"palette": {"scheme": "default"}})
    assert palette.on_post_page(None, "<html></html>", page, one) == "<html></html>"  # one palette: nothing to pick


def _break(tmp_path, edit):
    cfg, docs = copy_project_config(tmp_path)
    page = docs / SCENE
    text = page.read_text(encoding="utf-8")
    new = edit(text)
    assert new != text
    page.write_text(new, encoding="utf-8")
    proc = mkdocs_build(tmp_path / "site", config=cfg)
    return proc, new.splitlines()


def _line_of(lines, needle):
    hits = [i + 1 for i, line in enumerate(lines) if needle in line]
    assert len(hits) == 1, hits
    return hits[0]


def test_unknown_key_fails_with_page_line_and_reason(tmp_path):
    proc, lines = _break(tmp_path, lambda t: t.replace("layout: scene01\n", "layout: scene01\ncolour: red\n", 1))
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    line = _line_of(lines, "colour: red")
    assert f"{SCENE}:{line}: raft-scene: unknown key 'colour'" in out, out


def test_bad_yaml_fails_with_page_line_and_reason(tmp_path):
    proc, lines = _break(tmp_path, lambda t: t.replace("servers: [SM_A, SM_B, SM_C]\n", "servers: [SM_A, SM_B, SM_C\n", 1))
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    m = re.search(re.escape(SCENE) + r":(\d+): raft-scene: bad YAML", out)
    assert m, out
    fence = _line_of(lines, "```raft-scene")
    close = next(i + 1 for i in range(fence, len(lines)) if lines[i].strip() == "```")
    assert fence < int(m.group(1)) < close


def test_unknown_listing_fails_with_page_line_and_reason(tmp_path):
    proc, lines = _break(
        tmp_path,
        lambda t: t.replace("raftcore.node:RaftNode.apply_committed", "raftcore.node:RaftNode.apply_everything", 1),
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    line = _line_of(lines, "raftcore.node:RaftNode.apply_everything")
    assert f"{SCENE}:{line}: raft-scene: unknown listing" in out, out
    assert "'apply_everything'" in out


@pytest.mark.parametrize(
    "old,new,reason",
    [
        ("scenario: scene01", "scenario: scene99", "unknown scenario 'scene99'"),
        ("switch: nondeterministic_state_machine", "switch: trust_everyone", "unknown unsafe switch 'trust_everyone'"),
        ("speed: 0.1", "speed: fast", "speed must be one of"),
    ],
)
def test_other_bad_values_fail_the_build(tmp_path, old, new, reason):
    proc, lines = _break(tmp_path, lambda t: t.replace(old, new, 1))
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    line = _line_of(lines, new)
    assert f"{SCENE}:{line}: raft-scene: {reason}" in out, out
