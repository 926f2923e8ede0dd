"""Controls and layers: each kind lives in the module named after it, so a scene in the browser
imports only the controls and layers it has (``raftsite.registry.find``), while each registry
still finds them all (the schema, the guide)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from raftsite import layers
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


def test_each_layer_lives_in_the_module_named_after_it():
    found = layers.registry()
    assert len(found) >= 5
    for name, cls in found.items():
        assert cls.__module__ == f"raftsite.layers.{name}", f"{name!r} is defined in {cls.__module__}"


LAYERS_PROBE = """
import json, sys
from raftsite.layers import make_layers
before = set(sys.modules)
made = make_layers({"draw": %r})
print(json.dumps([[type(m).name for m in made], sorted(m for m in set(sys.modules) - before if m.startswith("raftsite.layers."))]))
"""


def test_a_scene_makes_only_the_layers_it_draws_and_skips_renderer_drawings():
    draw = ["votes", "match_index", "shared_log"]  # match_index: the renderer's own drawing, not a layer
    proc = subprocess.run([sys.executable, "-c", LAYERS_PROBE % draw], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    made, imported = json.loads(proc.stdout.strip().splitlines()[-1])
    assert made == ["votes", "shared_log"]
    assert set(imported) <= {"raftsite.layers.votes", "raftsite.layers.shared_log", "raftsite.layers.disk"}  # votes uses disk's cards
    assert {"raftsite.layers.votes", "raftsite.layers.shared_log"} <= set(imported)
    assert "raftsite.layers.majorities" not in imported
