"""Cluster.set_faults: the network's loss/duplication/reordering changed while a run goes on."""

import pytest

from raftcore.sim import Cluster


def test_set_faults_changes_only_what_it_names_and_is_traced():
    c = Cluster(size=3, seed=1)
    c.set_faults(loss=0.25)
    assert (c.network.loss, c.network.duplicate, c.network.reorder) == (0.25, 0.0, 0.0)
    c.set_faults(duplicate=0.5, reorder=1)
    assert (c.network.loss, c.network.duplicate, c.network.reorder) == (0.25, 0.5, 1.0)
    assert c.last_trace_line().endswith("network faults: loss 0.25, duplicate 0.5, reorder 1")


def test_a_bad_probability_changes_nothing():
    c = Cluster(size=3, seed=1)
    c.set_faults(loss=0.1)
    with pytest.raises(ValueError, match="duplicate is a probability"):
        c.set_faults(loss=0.3, duplicate=1.5)
    assert (c.network.loss, c.network.duplicate) == (0.1, 0.0)


def test_loss_set_mid_run_drops_messages_and_duplication_copies_them():
    c = Cluster(size=3, seed=4)
    c.run_for(500)
    assert c.stats["dropped"] == 0 and c.stats["duplicated"] == 0
    c.set_faults(loss=0.3, duplicate=0.3)
    c.run_for(1000)
    assert c.stats["dropped"] > 0 and c.stats["duplicated"] > 0
