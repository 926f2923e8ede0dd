"""Data-driven scenario tests, in the style of etcd-io/raft's ``testdata/*.txt``.

Each file in ``tests/core/scenarios`` is a script whose commands are followed by ``----`` and
the output they must produce. A behaviour change shows up as a readable diff; when the change
is intended, run ``pytest tests/core --rewrite`` and review the rewritten files.
"""

from pathlib import Path

import pytest

from raftcore.scenarios import SCENARIO_NAMES, Scenario, load_scenario

HERE = Path(__file__).parent / "scenarios"
FILES = sorted(HERE.glob("*.txt"))


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_scenario_file(path: Path, rewrite: bool) -> None:
    scenario = Scenario.parse(path.read_text(), source=str(path))
    run = scenario.start(strict=False)
    run.finish()
    got = run.transcript()
    if rewrite:
        path.write_text(got)
        return
    want = path.read_text()
    assert got == want, f"{path.name}: output differs (run pytest --rewrite to accept):\n{got}"


def test_there_are_scenario_files() -> None:
    assert len(FILES) >= 4


@pytest.mark.parametrize("name", SCENARIO_NAMES)
def test_named_scenario_runs_clean(name: str) -> None:
    """Every named scenario of the library runs to its end with its expectations met and no
    invariant violated, for several seeds (the scenes animate these)."""
    for seed in range(5):
        run = load_scenario(name).start(seed=seed, strict=True)
        run.finish()
        assert run.cluster.violation is None, (name, seed, run.cluster.violation)
