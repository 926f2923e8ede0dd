"""The command line: ``python -m raftcore.lab`` — one flag per control of
:data:`~raftcore.lab.settings.SETTINGS`, a campaign of runs on every core (``--jobs``), its
summary (text or JSON) on stdout and its progress on stderr.

``--jobs`` is not a setting of the campaign: it changes how fast the summary comes, never a
byte of it (raftcore/lab/pool.py)."""

from __future__ import annotations

import argparse
import sys
import time

from ..config import UNSAFE_SWITCHES
from .settings import SETTINGS, LabSettings, LabSettingsError
from .statistics import LabSummary


def main(argv: list[str] | None = None) -> int:
    # Imported here, not at the top: the package imports this module, and Pyodide (the
    # browser lab, through raftsite/lab_bridge.py) has no multiprocessing.
    from .pool import default_jobs, run_campaign

    ap = argparse.ArgumentParser(prog="python -m raftcore.lab", description=_description(),
                                 epilog="Exit status 1 when a run fails; the failing seeds are listed.")
    defaults = LabSettings()
    for s in SETTINGS:
        flag = "--" + s.name.replace("_", "-")
        text = s.help.replace("%", "%%")  # argparse formats help with %
        if s.kind == "bool":
            ap.add_argument(flag, action=argparse.BooleanOptionalAction, default=getattr(defaults, s.name),
                            help=text)
        elif s.kind == "switches":
            ap.add_argument(flag, action="append", default=[], metavar="SWITCH",
                            help=f"{text} (repeat; one of: {', '.join(UNSAFE_SWITCHES)})")
        else:
            ap.add_argument(flag, default=getattr(defaults, s.name), metavar="N",
                            help=f"{text} (default {getattr(defaults, s.name)})")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    ap.add_argument("--jobs", type=int, default=default_jobs(), metavar="N",
                    help=f"worker processes (default: every core, here {default_jobs()}); the summary is the "
                         f"same for any N")
    ap.add_argument("--progress", action=argparse.BooleanOptionalAction, default=True,
                    help="show progress on stderr while the campaign runs (default on)")
    a = ap.parse_args(argv)
    if a.jobs < 1:
        ap.error(f"--jobs must be at least 1, got {a.jobs}")
    try:
        settings = LabSettings.from_dict({s.name: getattr(a, s.name) for s in SETTINGS})
    except LabSettingsError as e:
        ap.error(str(e))
    shown = Progress(settings.runs, sys.stderr) if a.progress else None
    summary = run_campaign(settings, a.jobs, shown)
    if shown is not None:
        shown.end()
    if a.json:
        import json

        d = summary.to_dict()
        d["failures"] = [f.to_dict() for f in summary.failures]
        d["settings"] = settings.to_dict()
        print(json.dumps(d, indent=1))
    else:
        print(summary.text())
    return 0 if not summary.failures else 1


class Progress:
    """Runs done, failures and speed on stderr (stdout carries only the summary): one line
    rewritten in place on a terminal, else a line per tenth of the campaign."""

    def __init__(self, total: int, stream, clock=time.monotonic) -> None:
        self.total, self.stream, self.clock = total, stream, clock
        self.start = clock()
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.shown_at = -1.0
        self.tenths = 0
        self.width = 0

    def __call__(self, summary: LabSummary) -> None:
        done, failed = summary.runs, len(summary.failures)
        now = self.clock()
        if self.tty:
            if now - self.shown_at < 0.1 and done < self.total:
                return
            self.shown_at = now
            text = self.line(done, failed, now)
            self.stream.write("\r" + text.ljust(self.width))
            self.width = len(text)
        else:
            tenths = 10 * done // self.total
            if tenths <= self.tenths:
                return
            self.tenths = tenths
            self.stream.write(self.line(done, failed, now) + "\n")
        self.stream.flush()

    def line(self, done: int, failed: int, now: float) -> str:
        wall = now - self.start
        rate = done / wall if wall > 0 else 0.0
        left = f", about {(self.total - done) / rate:.0f} s left" if rate and done < self.total else ""
        return f"lab: {done}/{self.total} runs, {failed} failed, {rate:.1f} runs/s{left}"

    def end(self) -> None:
        if self.tty and self.width:
            self.stream.write("\n")
            self.stream.flush()


def _description() -> str:
    """The first paragraph of the package's docstring (what ``--help`` says the lab is)."""
    from .. import lab

    return lab.__doc__.split("\n\n")[0]


if __name__ == "__main__":
    raise SystemExit(main())
