"""Control kinds: each lives in the module named after it, so a scene in the browser imports
only the controls it has (``raftsite.controls.get``), while the registry still finds them all."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from raftsite.controls import get, registry
from site_helpers import ROOT


def test_each_kind_lives_in_the_module_named_after_it():
    kinds = registry()
    assert len(kinds) >= 10
    for kind, cls in kinds.items():
        assert cls.__module__ == f"raftsite.controls.{kind}", f"{kind!r} is defined in {cls.__module__}"
        assert get(kind) is cls


PROBE = """
import json, sys
from raftsite.controls import get
before = set(sys.modules)
cls = get(%r)
print(json.dumps([cls.__module__, cls.kind, sorted(m for m in set(sys.modules) - before if m.startswith("raftsite.controls."))]))
"""


@pytest.mark.parametrize("kind", ["timeline", "link_delay", "history"])
def test_getting_a_kind_imports_its_module_and_no_other_control(kind):
    proc = subprocess.run([sys.executable, "-c", PROBE % kind], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    module, got_kind, imported = json.loads(proc.stdout.strip().splitlines()[-1])
    assert (module, got_kind) == (f"raftsite.controls.{kind}", kind)
    assert imported == [f"raftsite.controls.{kind}"]


def test_an_unknown_kind_names_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown control kind 'nope'; known kinds: .*timeline"):
        get("nope")
    with pytest.raises(ValueError, match="unknown control kind 'base'"):
        get("base")
