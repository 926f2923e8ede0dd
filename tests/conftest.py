"""Shared fixtures: the repository root and one strict build of the site per test session.

(Test modules must not import from conftest: tests/core has a conftest of its own.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser):
    # Declared here, at the tests' root, so that `pytest --rewrite` works however pytest is called.
    parser.addoption("--rewrite", action="store_true", default=False,
                     help="rewrite expected outputs (tests/core/scenarios/*.txt, golden trace hashes)")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def _mkdocs_build(site_dir: Path, config: Path | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run ``mkdocs build --strict`` into ``site_dir``; return the finished process (never raises)."""
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)]
    if config is not None:
        cmd += ["--config-file", str(config)]
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="session")
def site_build(tmp_path_factory):
    """The site, built once per session with ``mkdocs build --strict``: (process, site_dir).

    ``RAFT_BUILT_SITE=DIR`` skips the build and tests DIR instead — for iterating on browser
    tests against a site built once by hand (``mkdocs build --strict --site-dir DIR``); CI never
    sets it, so CI always tests a fresh build."""
    prebuilt = os.environ.get("RAFT_BUILT_SITE")
    if prebuilt:
        done = subprocess.CompletedProcess(["RAFT_BUILT_SITE", prebuilt], 0, "", "")
        return done, Path(prebuilt)
    out = tmp_path_factory.mktemp("site") / "site"
    proc = _mkdocs_build(out)
    return proc, out


@pytest.fixture(scope="session")
def built_site(site_build) -> Path:
    proc, out = site_build
    if proc.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}", pytrace=False)
    return out
