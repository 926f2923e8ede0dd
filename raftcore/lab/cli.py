"""The command line: ``python -m raftcore.lab`` — one flag per control of
:data:`~raftcore.lab.settings.SETTINGS`, a campaign of runs, its summary (text or JSON)."""

from __future__ import annotations

import argparse

from ..config import UNSAFE_SWITCHES
from .run import run_many
from .settings import SETTINGS, LabSettings, LabSettingsError


def main(argv: list[str] | None = None) -> int:
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
    a = ap.parse_args(argv)
    try:
        settings = LabSettings.from_dict({s.name: getattr(a, s.name) for s in SETTINGS})
    except LabSettingsError as e:
        ap.error(str(e))
    summary = run_many(settings)
    if a.json:
        import json

        d = summary.to_dict()
        d["failures"] = [f.to_dict() for f in summary.failures]
        d["settings"] = settings.to_dict()
        print(json.dumps(d, indent=1))
    else:
        print(summary.text())
    return 0 if not summary.failures else 1


def _description() -> str:
    """The first paragraph of the package's docstring (what ``--help`` says the lab is)."""
    from .. import lab

    return lab.__doc__.split("\n\n")[0]


if __name__ == "__main__":
    raise SystemExit(main())
