"""The Performance page's tables come from the benchmarks' own result files (issue 16 item 6:
every figure with its target, the date and the machine), never typed in."""

from __future__ import annotations

from raftsite.plugin.build_info import benchmark_table


def test_a_core_table_says_which_way_each_target_points_and_whether_it_is_met():
    results = {
        "date": "2026-12-05T16:00:00+00:00",
        "machine": {"cpu": "Test CPU", "cores": 2, "os": "Linux", "python": "3.11.2"},
        "command": "python benchmarks/core.py --trials 1000",
        "times": "CPU seconds",
        "figures": {
            "on": {"label": "One delivery ÷ heapq, checker on", "unit": "×", "median": 26.3, "min": 26.3,
                   "max": 26.3, "target": 10.0, "better": "lower", "met": False},
            "lab": {"label": "Lab runs per second", "unit": "runs/s", "median": 7.3, "min": 7.3, "max": 7.3,
                    "target": 22.05, "better": "higher", "met": False},
        },
    }
    table = benchmark_table(results)
    assert "2026-12-05" in table and "Test CPU (2 cores" in table and "python benchmarks/core.py" in table
    assert "| One delivery ÷ heapq, checker on | 26.3 × | 26.3 × – 26.3 × | ≤ 10.0 × | **no** |" in table
    assert "| Lab runs per second | 7.30 runs/s | 7.30 runs/s – 7.30 runs/s | ≥ 22.1 runs/s | **no** |" in table


def test_a_browser_table_names_the_browser_and_the_server():
    results = {"date": "d", "runs": 3, "server": "a static server",
               "machine": {"cpu": "c", "cores": 2, "os": "o", "browser": "Chromium 1 (headless)"},
               "figures": {"f": {"label": "Play changes the diagram, cold", "unit": "ms", "median": 700.0,
                                 "min": 650.0, "max": 900.0, "target": 800, "met": True}}}
    table = benchmark_table(results)
    assert "Chromium 1 (headless), 3 runs from an empty profile each; the site served by a static server." in table
    assert "| Play changes the diagram, cold | 700 ms | 650 ms – 900 ms | ≤ 800 ms | yes |" in table


def test_no_results_yet_says_how_to_make_them():
    assert "make bench" in benchmark_table(None)
