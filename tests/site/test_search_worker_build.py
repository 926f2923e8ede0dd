"""Material's search worker, mended (raftsite/plugin/search_worker.py): lunr's TokenSet keys end
each edge with a comma, so that states with digit labels cannot share a key and a query never
meets a word the index does not hold; and it builds lunr's index at the first query, not while
the page boots. tests/browser/test_material_start.py searches the site (its first query builds
the index)."""

from __future__ import annotations

import re
from pathlib import Path

import material
import pytest
from mkdocs.exceptions import PluginError

from raftsite.plugin import search_worker

SHIPPED = sorted((Path(material.__file__).parent / "templates/assets/javascripts/workers").glob("search.*.min.js"))
#: lunr's key statement, ``key = key + label + node.id`` (minified), as the mend leaves it
MENDED_KEY = re.compile(r"(\w)=\1\+(\w)\+(\w)\.id\+\",\"\}return \1")
#: the setup handler as the second mend leaves it: a stand-in that builds the index when asked
LAZY_SETUP = re.compile(r"case 0:return yield \w+\(\w+\.data\.config\),(\w+)=\{search:_raftQuery=>\(\1=new \w+\(")


def test_materials_own_worker_has_lunrs_ambiguous_key_once():
    """The code the plugin mends, in the Material the project pins: a newer one is looked at."""
    assert len(SHIPPED) == 1
    code = SHIPPED[0].read_text(encoding="utf-8")
    assert len(re.findall(r"(\w)=\1\+(\w)\+(\w)\.id\}return \1", code)) == 1


def test_the_mend_ends_each_edge_of_the_key_and_is_idempotent():
    code = SHIPPED[0].read_text(encoding="utf-8")
    mended = search_worker.mend(code)
    assert mended != code and len(mended) == len(code) + len('+","')
    assert MENDED_KEY.search(mended)
    assert search_worker.mend(mended) == mended  # mkdocs serve's rebuilds find it mended


def test_a_worker_without_that_code_fails_the_build():
    with pytest.raises(PluginError, match="no lunr TokenSet.toString to mend"):
        search_worker.mend("self.onmessage = () => {};")


def test_the_built_site_ships_the_mended_worker(built_site):
    workers = list((built_site / "assets/javascripts/workers").glob("search.*.min.js"))
    assert len(workers) == 1
    assert MENDED_KEY.search(workers[0].read_text(encoding="utf-8"))


def test_materials_own_worker_builds_the_index_at_setup_once():
    code = SHIPPED[0].read_text(encoding="utf-8")
    assert len(re.findall(r"case 0:return yield \w+\(\w+\.data\.config\),\w+=new \w+\(\w+\.data\),\{type:1\};", code)) == 1


def test_the_index_is_built_at_the_first_query_and_the_mend_is_idempotent():
    code = search_worker.mend(SHIPPED[0].read_text(encoding="utf-8"))
    lazy = search_worker.build_on_first_query(code)
    assert lazy != code and LAZY_SETUP.search(lazy) and not LAZY_SETUP.search(code)
    assert "case 2:" in lazy and lazy.count("_raftQuery") == 2
    assert search_worker.build_on_first_query(lazy) == lazy  # mkdocs serve's rebuilds find it mended


def test_a_worker_without_that_setup_fails_the_build():
    with pytest.raises(PluginError, match="no setup handler to make lazy"):
        search_worker.build_on_first_query("self.onmessage = () => {};")


def test_the_built_site_ships_the_worker_that_builds_its_index_when_asked(built_site):
    workers = list((built_site / "assets/javascripts/workers").glob("search.*.min.js"))
    assert len(workers) == 1 and LAZY_SETUP.search(workers[0].read_text(encoding="utf-8"))
