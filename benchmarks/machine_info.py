"""The machine a benchmark ran on, as every results file records it (the Performance page
prints it above each table)."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def machine() -> dict:
    """CPU model, cores, OS and Python of this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "os": f"{platform.system()} {platform.release()}",
            "python": platform.python_version()}
