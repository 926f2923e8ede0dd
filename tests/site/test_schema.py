"""The scene-block schema and validator, without a build (fast)."""

from __future__ import annotations

import pytest

from raftsite.blocks.schema import SCHEMA, BlockError, option_table_markdown, validate_block

GOOD = """scenario: scene01
servers: [SM_A, SM_B, SM_C]
layout: scene01
listings:
  - name: raftcore.node:RaftNode.apply_committed
    caption: the apply loop
unsafe:
  switch: nondeterministic_state_machine
"""


def test_a_good_block_is_normalised_with_defaults():
    cfg = validate_block(GOOD)
    assert cfg["id"] == "scene01" and cfg["speed"] == 0.25 and cfg["controls"] == []
    assert cfg["unsafe"]["label"]  # defaulted from raftcore.UNSAFE_SWITCHES
    assert cfg["listings"][0]["title"] is None
    assert set(cfg) == {o.name for o in SCHEMA}


@pytest.mark.parametrize(
    "text,line,needle",
    [
        (GOOD + "colour: red\n", 8, "unknown key 'colour'"),
        (GOOD.replace("scenario: scene01", "scenario: nope"), 0, "unknown scenario 'nope'"),
        (GOOD.replace("apply_committed", "apply_nothing"), 4, "unknown listing"),
        (GOOD.replace("raftcore.node:RaftNode", "raftsite.browser:Scene"), 4, "listings come from raftcore"),
        (GOOD.replace("caption: the apply loop", "caption: ''"), 5, "caption must be non-empty"),
        (GOOD.replace("switch: nondeterministic_state_machine", "switch: yolo"), 7, "unknown unsafe switch 'yolo'"),
        (GOOD + "seed: -4\n", 8, "seed must be an integer"),
        (GOOD + "speed: 3\n", 8, "speed must be one of"),
        (GOOD + "invariants: [liveness]\n", 8, "unknown invariant 'liveness'"),
        (GOOD + "controls: [{kind: lasers}]\n", 8, "unknown control kind 'lasers'"),
        (GOOD + "controls: [{kind: link_delay, target: SM_Z}]\n", 8, "not one of the servers"),
        (GOOD + "servers: [A, A]\n", None, None),  # duplicate key in YAML: the last wins, then duplicates
        ("scenario: [unclosed\n", 0, "bad YAML"),  # the line the bracket opened on
        ("- just\n- a list\n", 0, "must be a YAML mapping"),
        ("servers: [SM_A]\n", None, "missing required key 'scenario'"),
    ],
)
def test_bad_blocks_are_rejected_with_a_line_and_a_reason(text, line, needle):
    with pytest.raises(BlockError) as err:
        validate_block(text)
    if needle:
        assert needle in err.value.message
    if line is not None:
        assert err.value.line == line


def test_the_option_table_is_generated_from_the_schema():
    table = option_table_markdown()
    for opt in SCHEMA:
        assert f"| `{opt.name}` |" in table
