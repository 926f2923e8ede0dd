"""Material's search worker, with a bug of the lunr inside it mended: search must not break
because a page's text holds the wrong set of numbers.

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


def on_post_build(plugin, config) -> None:
    workers = sorted(Path(config.site_dir).glob("assets/javascripts/workers/search.*.min.js"))
    if not workers:
        return  # no search plugin in this build
    for worker in workers:
        worker.write_text(mend(worker.read_text(encoding="utf-8")), encoding="utf-8")
