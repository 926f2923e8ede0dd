"""The scenario language and the library of named scenarios shared by scenes and tests."""

from __future__ import annotations

from importlib import resources

from .language import COMMANDS, CONDITIONS, Scenario, ScenarioError, ScenarioRun, parse_duration, status


def _library() -> dict[str, str]:
    files = resources.files(__package__).joinpath("library")
    return {f.name[:-4]: f.name for f in files.iterdir() if f.name.endswith(".txt")}


SCENARIO_NAMES: tuple[str, ...] = tuple(sorted(_library()))


def scenario_text(name: str) -> str:
    if name not in SCENARIO_NAMES:
        raise ScenarioError(f"unknown scenario {name!r}; named scenarios: {', '.join(SCENARIO_NAMES)}")
    return resources.files(__package__).joinpath("library", f"{name}.txt").read_text(encoding="utf-8")


def load_scenario(name: str) -> Scenario:
    """A named scenario from ``raftcore/scenarios/library/<name>.txt``."""
    return Scenario.parse(scenario_text(name), source=f"raftcore/scenarios/library/{name}.txt")


__all__ = ["COMMANDS", "CONDITIONS", "SCENARIO_NAMES", "Scenario", "ScenarioError", "ScenarioRun",
           "load_scenario", "parse_duration", "scenario_text", "status"]
