"""The plugin's build information: what the footer, the About page and the Performance page show.

``{{ raft.version }}``, ``{{ raft.commit }}``, ``{{ raft.pyodide }}``, ``{{ raft.raftcore }}``
and ``{{ raft.benchmark_table }}`` in any page, and the authoring guide's generated tables
(:func:`raftsite.guide.placeholders`), are filled in from values computed at build time,
never typed in; the footer carries the version and commit.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

from mkdocs.exceptions import PluginError

from .pages import page_path


def on_config(plugin, config) -> None:
    plugin.build_info = build_info(plugin.project, plugin.pyodide_dir)
    config.extra["raft"] = dict(plugin.build_info)
    # {{ raft.benchmark_table }}: the last benchmarks/browser.py run (docs/performance.md).
    plugin.page_info = {**plugin.build_info,
                        "benchmark_table": benchmark_table(_benchmark_results(plugin.project)),
                        "core_benchmark_table": benchmark_table(_benchmark_results(plugin.project, CORE_JSON))}
    config.copyright = footer(config.copyright, plugin.build_info)


def on_page_markdown(plugin, markdown: str, page, config, files) -> str:
    if not page.file.abs_src_path:  # a generated source page: nothing to fill
        return markdown
    from raftsite.guide import placeholders  # + the authoring guide's generated tables

    return fill_placeholders(markdown, placeholders(plugin.page_info), page_path(page, config))


#: Where benchmarks/browser.py and benchmarks/core.py write their last runs (the Performance
#: page shows both: ``{{ raft.benchmark_table }}``, ``{{ raft.core_benchmark_table }}``).
BENCHMARK_JSON = Path("benchmarks") / "results" / "browser.json"
CORE_JSON = Path("benchmarks") / "results" / "core.json"


def benchmark_table(results: dict | None) -> str:
    """The Markdown table of a benchmarks/browser.py run: each figure's median, spread and
    target (printed by the benchmark, shown on the docs' Performance page)."""
    if not results:
        return "*No run recorded yet: run `make bench` and rebuild the site.*"

    def num(v, unit):
        if isinstance(v, bool) or v is None:
            return "—"
        if unit and unit != "KB" and abs(v) < 10:
            text = f"{v:.2f}"
        elif unit in ("×", "s", "runs/s", "MB") and abs(v) < 100:
            text = f"{v:.1f}"
        else:
            text = f"{v:,.0f}"
        return f"{text} {unit}".strip()

    m = results.get("machine", {})
    if "browser" in m:
        how = (f"{m.get('browser', '?')}, {results.get('runs', '?')} runs from an empty profile each; "
               f"the site served by {results.get('server', '?')}.")
    else:
        how = f"Python {m.get('python', '?')}, `{results.get('command', '?')}`; {results.get('times', '')}."
    lines = [
        f"Measured {results.get('date', '?')} on {m.get('cpu', '?')} ({m.get('cores', '?')} cores, {m.get('os', '?')}), "
        + how,
        "",
        "| Figure | Median | Spread (min–max) | Target | Met |",
        "|---|---:|---:|---:|:---:|",
    ]
    for f in results.get("figures", {}).values():
        unit = f.get("unit", "")
        sign = "≥" if f.get("better") == "higher" else "≤"
        target = "—" if f.get("target") is None else f"{sign} {num(f['target'], unit)}"
        met = {True: "yes", False: "**no**", None: ""}[f.get("met")]
        spread = f"{num(f['min'], unit)} – {num(f['max'], unit)}"
        lines.append(f"| {f['label']} | {num(f['median'], unit)} | {spread} | {target} | {met} |")
    b = results.get("breakdown_cold")
    if b:
        lines += [
            "",
            f"Cold boot, medians: the glue module starts at {b['boot_start']:.0f} ms; `loadPyodide()` takes "
            f"{b['pyodide']:.0f} ms after that, {b['boot']:.0f} ms with the wheel unpacked and the bridge imported; "
            f"the first scene mounts in {b['mount']:.0f} ms. Memory snapshot used: "
            f"{'yes' if results.get('snapshot_used') else 'no'}.",
        ]
    return "\n".join(lines)


def _benchmark_results(project: Path, name: Path = BENCHMARK_JSON) -> dict | None:
    path = project / name
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise PluginError(f"raftsite: {path}: not the JSON of a benchmark's results ({exc})") from None


def build_info(project: Path, pyodide_dir: Path) -> dict[str, str]:
    """The values the footer and the About page show, computed at build time (never typed in).

    ``version`` is the project's (pyproject.toml), ``commit`` the build's ``git rev-parse
    --short HEAD`` (``RAFT_COMMIT`` overrides it; ``unknown`` outside git), ``pyodide`` the
    version of ``node_modules/pyodide`` (pinned by package-lock.json), ``raftcore`` is
    ``raftcore.__version__``.
    """
    import tomllib

    import raftcore

    version = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    commit = os.environ.get("RAFT_COMMIT", "").strip()
    if not commit:
        try:
            proc = subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"], cwd=project, capture_output=True, text=True, timeout=30
            )
            commit = proc.stdout.strip() if proc.returncode == 0 else ""
        except (OSError, subprocess.SubprocessError):
            commit = ""
    pyodide = json.loads((pyodide_dir / "package.json").read_text(encoding="utf-8")).get("version", "unknown")
    return {"version": version, "commit": commit or "unknown", "pyodide": pyodide, "raftcore": raftcore.__version__}


#: ``{{ raft.version }}``, ``{{ raft.commit }}``, ``{{ raft.pyodide }}``, ``{{ raft.raftcore }}`` in any page.
_PLACEHOLDER = re.compile(r"\{\{\s*raft\.(\w+)\s*\}\}")


def fill_placeholders(markdown: str, info: dict[str, str], path: str) -> str:
    def sub(m):
        if m.group(1) not in info:
            raise PluginError(f"{path}: unknown placeholder {m.group(0)} (known: {', '.join(f'raft.{k}' for k in info)})")
        return info[m.group(1)]

    return _PLACEHOLDER.sub(sub, markdown) if "{{" in markdown else markdown


def footer(copyright: str | None, info: dict[str, str]) -> str:
    stamp = (
        f'<span class="raft-build" data-version="{info["version"]}" data-commit="{info["commit"]}">'
        f'Build Raft {info["version"]} · commit <code>{info["commit"]}</code></span>'
    )
    return f"{copyright} · {stamp}" if copyright else stamp
