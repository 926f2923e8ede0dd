"""Material's search worker, with a bug of the lunr inside it mended — search must not break
because a page's text holds the wrong set of numbers — and its index built when the reader
first searches, not while the page boots (:func:`build_on_first_query`).

lunr (2.3.9, bundled in ``assets/javascripts/workers/search.*.min.js``) builds the automaton
of every indexed word (``lunr.TokenSet``) and merges its equal states by a string key,
``TokenSet.prototype.toString``: the final flag, then, for each edge, its label (one
character) followed by the id of the state it leads to (a number) — with nothing between one
edge and the next. Once words with digits are indexed (the Performance page is made of
figures), two different states can get the same key (one edge "1" to state 234, or an edge
"1" to state 2 and an edge "3" to state 4: both ``01234``), the merge joins them, and the
automaton holds words that are not in the index: every query then throws in the worker
(``Cannot read properties of undefined (reading '_index')``) and search finds nothing, on
every page. It happened on 2026-12-06, after an edit of ``docs/performance.md``; removing
any one of three of its sections, or a single word, made it go away, which is why it is
mended here and not by rewording a page. (olivernn/lunr.js#503 reports words present in an
index that a query cannot find, with digits in them.)

The mend ends each edge's part of the key with a comma: a label is always one character and
an id only digits, so the key reads back one way only. The build fails if Material's worker
no longer has the code it mends (a newer Material: look at its lunr before removing this).
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.exceptions import PluginError

#: lunr's TokenSet.prototype.toString as Material's minifier wrote it: the loop's one statement
#: ``key = key + label + node.id`` (names minified), which the mend ends with ``+","``.
_KEY = re.compile(
    r"(TokenSet\.prototype\.toString=function\(\)\{if\(this\._str\)return this\._str;"
    r"for\(var (\w+)=this\.final\?\"1\":\"0\",[^}]*?)\2=\2\+(\w+)\+(\w+)\.id(?:\+\",\")?\}"
)  # (the mended form too: a build that finds the file mended already, mkdocs serve's, mends it again)
MENDED = '+","}'


def mend(code: str) -> str:
    """The worker's code with TokenSet keys that cannot collide (the module docstring)."""
    out, n = _KEY.subn(lambda m: f"{m.group(1)}{m.group(2)}={m.group(2)}+{m.group(3)}+{m.group(4)}.id{MENDED}", code)
    if n != 1:
        raise PluginError("raftsite: Material's search worker has no lunr TokenSet.toString to mend "
                          "(plugin/search_worker.py): a newer Material? Check its lunr, then this module")
    return out


#: The worker's setup message handler as Material's minifier wrote it: load the languages, then
#: build lunr's index from the site's (``search = new Search(data)``), then answer "ready".
_SETUP = re.compile(r"case 0:return yield (\w+)\((\w+)\.data\.config\),(\w+)=new (\w+)\(\2\.data\),\{type:1\};")
#: The same handler, mended: the search object stands in for the index until the first query.
_SETUP_MENDED = re.compile(r"case 0:return yield (\w+)\((\w+)\.data\.config\),(\w+)="
                           r"\{search:_raftQuery=>\(\3=new (\w+)\(\2\.data\)\)\.search\(_raftQuery\)\},\{type:1\};")


def build_on_first_query(code: str) -> str:
    """The worker's code with lunr's index built at the first query instead of at setup.

    Material posts the site's search index to its worker as every page loads (a full load;
    instant navigation keeps the worker), and the worker builds lunr's index at once: about
    150 ms of a core on this project's 2-core machine (2026-12-06: 145–162 ms, in Chromium),
    while Pyodide's worker compiles and boots. Now the worker answers "ready" with a stand-in
    whose ``search`` builds the index, puts it in the stand-in's place and searches it: the
    first query takes those ~150 ms, later ones ~15 ms, as before. (What it did to a cold
    boot was below what the machine resolved that day: see the Performance page.)"""
    if _SETUP_MENDED.search(code):
        return code  # mkdocs serve's rebuilds find it mended

    def lazy(m: re.Match) -> str:
        load, message, search, search_class = m.groups()
        return (f"case 0:return yield {load}({message}.data.config),{search}={{search:_raftQuery=>"
                f"({search}=new {search_class}({message}.data)).search(_raftQuery)}},{{type:1}};")

    out, n = _SETUP.subn(lazy, code)
    if n != 1:
        raise PluginError("raftsite: Material's search worker has no setup handler to make lazy "
                          "(plugin/search_worker.py): a newer Material? Check its worker, then this module")
    return out


def on_post_build(plugin, config) -> None:
    workers = sorted(Path(config.site_dir).glob("assets/javascripts/workers/search.*.min.js"))
    if not workers:
        return  # no search plugin in this build
    for worker in workers:
        worker.write_text(build_on_first_query(mend(worker.read_text(encoding="utf-8"))), encoding="utf-8")
