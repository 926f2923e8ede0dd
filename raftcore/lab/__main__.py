"""``python -m raftcore.lab``: the lab's command line (:func:`raftcore.lab.cli.main`)."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
