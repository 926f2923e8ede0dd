"""Publishing: the link checker, the footer and About page, the offline bundle's zip, the CI workflow.

(The browser halves — the bundle served by its serve.py, the site under a sub-path — are in
tests/browser/test_bundle.py and tests/browser/test_subpath.py.)
"""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

import raftcore
from raftsite import linkcheck
from raftsite.linkcheck import check, check_links

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "site.yml"
SCENE01 = "scenes/01-replicated-state-machines/"


def project_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def pyodide_locked() -> str:
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    return lock["packages"]["node_modules/pyodide"]["version"]


def git_short_head() -> str:
    if os.environ.get("RAFT_COMMIT", "").strip():  # the plugin's override
        return os.environ["RAFT_COMMIT"].strip()
    proc = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return proc.stdout.strip() if proc.returncode == 0 else "unknown"


@pytest.fixture
def site_copy(built_site, tmp_path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    return site


def plant(site: Path, page: str, html: str) -> None:
    f = site / page
    text = f.read_text(encoding="utf-8")
    assert "</article>" in text
    f.write_text(text.replace("</article>", html + "</article>", 1), encoding="utf-8")


# ------------------------------------------------------------------ the link checker


def test_linkcheck_passes_on_the_built_site_and_reports_external_links(built_site):
    report = check(built_site)
    assert report.problems == []
    assert report.site_url == "http://127.0.0.1:8000/"
    assert report.pages >= 4
    # Hyperlinks to other hosts are listed (the home page links pyodide.org), never a failure.
    assert any("pyodide.org" in url for _, url in report.external), report.external


@pytest.mark.parametrize(
    "html, expect",
    [
        ('<a href="scenes/no-such-scene/">x</a>', "broken link scenes/no-such-scene/"),
        ('<a href="reference/cluster/#no-such-heading">x</a>', "broken anchor reference/cluster/#no-such-heading"),
        ('<a href="#nowhere-on-this-page">x</a>', "broken anchor #nowhere-on-this-page"),
        ('<img src="assets/images/missing.png">', "broken link assets/images/missing.png"),
        ('<link rel="stylesheet" href="assets/raft/missing.css">', "broken link assets/raft/missing.css"),
        ('<script src="assets/raft/missing.mjs"></script>', "broken link assets/raft/missing.mjs"),
        ('<a href="http://127.0.0.1:8000/scenes/gone/">x</a>', "broken link http://127.0.0.1:8000/scenes/gone/"),
        ('<a href="/scenes/gone/">x</a>', "broken link /scenes/gone/"),
        ('<a href="../../outside/">x</a>', "points outside the site"),
        ('<script src="https://cdn.example.com/pyodide.js"></script>', "loads https://cdn.example.com/pyodide.js from another host"),
    ],
)
def test_linkcheck_catches_a_planted_break(site_copy, html, expect):
    plant(site_copy, "index.html", html)
    problems = check_links(site_copy)
    assert len(problems) == 1 and expect in problems[0], problems


def test_linkcheck_catches_missing_runtime_files(site_copy):
    (site_copy / "assets/pyodide/pyodide.asm.wasm").unlink()
    wheels = sorted((site_copy / "assets/wheels").glob("*.whl"))
    assert len(wheels) == 1
    wheels[0].unlink()
    problems = check_links(site_copy)
    assert any("assets/pyodide/pyodide.asm.wasm is missing" in p for p in problems), problems
    assert any(f"names wheel {wheels[0].name}" in p for p in problems), problems


def test_linkcheck_cli_exit_status(site_copy, tmp_path):
    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "raftsite.linkcheck", *map(str, args)], cwd=ROOT, capture_output=True, text=True
        )

    ok = run(site_copy)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "0 problem(s)" in ok.stdout and "external link(s)" in ok.stdout
    plant(site_copy, SCENE01 + "index.html", '<a href="#planted-anchor">x</a>')
    bad = run(site_copy)
    assert bad.returncode == 1
    assert "BROKEN" in bad.stdout and "planted-anchor" in bad.stdout
    assert run(tmp_path / "nothing-here").returncode == 2


def test_linkcheck_under_a_sub_path(tmp_path):
    """site_url comes from the home page's canonical link: /raft/... is internal, /other/ is not."""
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    for name in ("pyodide", "wheels", "raft"):
        (site / "assets" / name).mkdir(parents=True)
    for name in linkcheck.PYODIDE_FILES:
        (site / "assets/pyodide" / name).write_bytes(b"")
    (site / "assets/raft/raft-boot.mjs").write_text("", encoding="utf-8")
    (site / "a/index.html").write_text('<h2 id="h">h</h2>', encoding="utf-8")
    (site / "index.html").write_text(
        '<link rel="canonical" href="https://owner.github.io/raft/">'
        '<a href="/raft/a/">ok</a><a href="https://owner.github.io/raft/a/#h">ok</a><a href="a/#h">ok</a>'
        '<link rel="stylesheet" href="/raft/assets/raft/raft-boot.mjs">',
        encoding="utf-8",
    )
    report = check(site)
    assert report.site_url == "https://owner.github.io/raft/"
    assert report.problems == [] and report.external == []
    (site / "index.html").write_text(
        (site / "index.html").read_text() + '<a href="/other/">x</a><a href="https://owner.github.io/raft/a/#nope">x</a>'
        '<script src="/raft/assets/raft/gone.mjs"></script>',
        encoding="utf-8",
    )
    problems = check_links(site)
    assert len(problems) == 3, problems
    assert any("/other/ points outside the site" in p for p in problems)
    assert any("broken anchor" in p and "nope" in p for p in problems)
    assert any("broken link /raft/assets/raft/gone.mjs" in p for p in problems)


# ------------------------------------------------------------------ footer and About page


def test_footer_shows_version_and_commit(built_site):
    for page in ("index.html", SCENE01 + "index.html", "about/index.html"):
        html = (built_site / page).read_text(encoding="utf-8")
        footer = html[html.index('<footer class="md-footer">'):]
        m = re.search(r'<span class="raft-build" data-version="([^"]+)" data-commit="([^"]+)">([^<]*)<code>([^<]*)</code>', footer)
        assert m, f"{page}: no build stamp in the footer"
        assert m.group(1) == project_version() == raftcore.__version__
        assert m.group(2) == m.group(4) == git_short_head()
        assert project_version() in m.group(3)


def test_about_page_shows_pyodide_and_raftcore_versions(built_site):
    html = (built_site / "about" / "index.html").read_text(encoding="utf-8")
    assert f'<span id="pyodide-version">{pyodide_locked()}</span>' in html
    assert f'<span id="raftcore-version">{raftcore.__version__}</span>' in html
    assert "{{" not in html.split('<script id="__config"')[0], "an unfilled placeholder"
    # ... and it is in the navigation.
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<a href="about/"[^>]*>\s*(<span[^>]*>)?\s*About', home)
    # The About page is not hand-typed: its source only holds placeholders.
    src = (ROOT / "docs" / "about.md").read_text(encoding="utf-8")
    assert pyodide_locked() not in src and "{{ raft.pyodide }}" in src and "{{ raft.raftcore }}" in src


def test_build_info_outside_git_and_unknown_placeholders(tmp_path, monkeypatch):
    from mkdocs.exceptions import PluginError

    from raftsite.plugin.build_info import build_info, fill_placeholders

    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    monkeypatch.delenv("RAFT_COMMIT", raising=False)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    info = build_info(tmp_path, ROOT / "node_modules" / "pyodide")
    assert info == {"version": project_version(), "commit": "unknown", "pyodide": pyodide_locked(), "raftcore": raftcore.__version__}
    monkeypatch.setenv("RAFT_COMMIT", "abc1234")
    assert build_info(tmp_path, ROOT / "node_modules" / "pyodide")["commit"] == "abc1234"
    assert fill_placeholders("v{{ raft.version }} / {{raft.pyodide}}", info, "x.md") == f"v{info['version']} / {info['pyodide']}"
    with pytest.raises(PluginError, match=r"x\.md: unknown placeholder \{\{ raft\.nope \}\}"):
        fill_placeholders("{{ raft.nope }}", info, "x.md")


# ------------------------------------------------------------------ the offline bundle (the zip)


def build_bundle(site: Path, out: Path) -> Path:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "bundle.py"), "--site", str(site), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    zips = list(out.glob("*.zip"))
    assert [z.name for z in zips] == [f"raft-scenes-site-{project_version()}.zip"]
    return zips[0]


def test_bundle_holds_the_site_and_a_stdlib_only_server(built_site, tmp_path):
    z = build_bundle(built_site, tmp_path / "dist")
    top = f"raft-scenes-site-{project_version()}/"
    with zipfile.ZipFile(z) as zf:
        names = set(zf.namelist())
        assert {top + "serve.py", top + "README.txt", top + "site/index.html", top + "site/" + SCENE01 + "index.html"} <= names
        for name in linkcheck.PYODIDE_FILES:
            assert top + "site/assets/pyodide/" + name in names
        site_files = {p.relative_to(built_site).as_posix() for p in built_site.rglob("*") if p.is_file()}
        assert {n[len(top) + 5:] for n in names if n.startswith(top + "site/")} == site_files
        assert "python3 serve.py" in zf.read(top + "README.txt").decode()
        serve = zf.read(top + "serve.py").decode()
    assert serve == (ROOT / "tools" / "serve.py").read_text(encoding="utf-8")
    ast.parse(serve, feature_version=(3, 8))  # the README.txt promises Python 3.8+
    modules = set()
    for node in ast.walk(ast.parse(serve)):
        if isinstance(node, ast.Import):
            modules |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            modules.add(node.module.split(".")[0])
    assert modules - {"__future__"} <= sys.stdlib_module_names, modules - sys.stdlib_module_names


def test_bundle_refuses_a_broken_site(site_copy, tmp_path):
    plant(site_copy, "index.html", '<a href="scenes/nope/">x</a>')
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "bundle.py"), "--site", str(site_copy), "--out", str(tmp_path / "dist")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode != 0 and "broken link scenes/nope/" in proc.stderr
    assert not list((tmp_path / "dist").glob("*.zip"))


def test_makefile_bundle_target_builds_the_site_then_the_zip():
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    m = re.search(r"^bundle: (.*)\n((?:\t.*\n)+)", make, re.M)
    assert m, "no bundle target"
    assert "site" in m.group(1).split()
    assert "tools/bundle.py" in m.group(2)


# ------------------------------------------------------------------ the CI workflow


def readme_commands() -> set[str]:
    """Every command in the README's ```sh blocks (comments and env assignments dropped)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    cmds = set()
    for block in re.findall(r"```sh\n(.*?)```", readme, re.S):
        for line in block.splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                cmds.add(normalise(line))
    return cmds


def normalise(cmd: str) -> str:
    words = shlex.split(cmd)
    while words and re.match(r"^[A-Z_][A-Z0-9_]*=", words[0]):
        words.pop(0)
    return " ".join(words)


def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def workflow_commands() -> list[str]:
    cmds = []
    for job in workflow()["jobs"].values():
        for step in job.get("steps", []):
            for line in (step.get("run") or "").splitlines():
                line = line.split(" #", 1)[0].strip()
                if line and not line.startswith("git config"):
                    cmds.append(normalise(line))
    return cmds


def test_workflow_is_valid_yaml_and_runs_the_readme_commands():
    data = workflow()
    triggers = data.get("on", data.get(True))  # YAML 1.1 reads the key `on` as True
    assert "push" in triggers
    cmds = workflow_commands()
    assert cmds[0] == "make test", cmds  # the README's test command comes first
    assert set(cmds) <= readme_commands(), set(cmds) - readme_commands()
    assert {"make test", "make site", "make bundle", ".venv/bin/python -m raftsite.linkcheck site/"} <= set(cmds)
    assert "make test" in readme_commands()
    # .ci/run, which the README names as CI's entry point, is the same command.
    assert "\nmake test\n" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_workflow_builds_for_the_hosted_sub_path_and_deploys_on_the_default_branch():
    data = workflow()
    text = WORKFLOW.read_text(encoding="utf-8")
    build, deploy = data["jobs"]["build"], data["jobs"]["deploy"]
    steps = build["steps"]
    site_step = next(s for s in steps if "make site" in (s.get("run") or ""))
    assert "SITE_URL=" in site_step["run"]
    assert "github.io/{1}/" in data["env"]["HOSTED_SITE_URL"]  # https://<owner>.github.io/<repo>/
    assert "!ENV [SITE_URL," in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    uses = [s.get("uses", "") for s in steps]
    names = [i for i, u in enumerate(uses) if u.startswith("actions/upload-artifact@")]
    assert names and any(steps[i]["with"]["path"].rstrip("/") == "site" for i in names)
    pages = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert pages["with"]["path"].rstrip("/") == "site"
    default_branch = "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)"
    assert pages["if"] == default_branch and deploy["if"] == default_branch
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in deploy["steps"])
    assert data["permissions"] == {"contents": "read"}
    # The link check runs on the hosted build, after it.
    order = [s.get("run", "") for s in steps]
    assert order.index(site_step["run"]) < next(i for i, r in enumerate(order) if "raftsite.linkcheck" in r)
    assert "${{" in text  # expressions survived quoting
