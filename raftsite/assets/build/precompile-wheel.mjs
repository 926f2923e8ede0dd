// Build step (Node, run by the MkDocs plugin): bytecode for the project's own wheel.
//
// Importing raftcore/raftsite in the browser otherwise starts by compiling every module from
// source. Inside Pyodide's own Python (so the bytecode matches the runtime exactly) we compile
// each .py of the wheel to an unchecked-hash .pyc in its __pycache__/ and write those files, and
// only those, to a zip that the glue unpacks into site-packages next to the wheel.
// Compiled without column ranges (PYTHONNODEBUGRANGES, as `python -X no_debug_ranges`): the
// bytecode and its line numbers (which the lit lines follow) are the same, a traceback only
// loses its ^^^ marks, and the zip is about a quarter smaller (560 -> 420 KB deflated, measured
// with CPython 3.11 on the same files), less to download and to unmarshal on a first visit.
//
// usage: node precompile-wheel.mjs <pyodide_dir> <stdlib.zip or ""> <wheel> <out.zip>
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, stdlib, wheel, out] = process.argv.slice(2);
if (!pyodideDir || !wheel || !out) {
  console.error("usage: node precompile-wheel.mjs <pyodide_dir> <stdlib.zip or ''> <wheel> <out.zip>");
  process.exit(2);
}
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const py = await loadPyodide({
  indexURL: path.resolve(pyodideDir) + "/",
  ...(stdlib ? { stdLibURL: path.resolve(stdlib) } : {}),
  env: { PYTHONNODEBUGRANGES: "1" },
});
py.FS.writeFile("/tmp/wheel.whl", new Uint8Array(fs.readFileSync(wheel)));
const report = py.runPython(`
import importlib.util, sys, zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

# Build-time modules ship in the wheel but are never imported in the browser. (Not all of
# raftsite/blocks/: every control imports its fields.py.)
BUILD_TIME = ("raftsite/plugin", "raftsite/markdown_ext.py", "raftsite/listings.py", "raftsite/blocks/schema.py")
tag = sys.implementation.cache_tag
n = 0
with zipfile.ZipFile("/tmp/wheel.whl") as whl, zipfile.ZipFile("/tmp/pyc.zip", "w", zipfile.ZIP_DEFLATED) as out:
    for info in whl.infolist():
        name = info.filename
        if not name.endswith(".py") or ".dist-info/" in name or name.startswith(BUILD_TIME):
            continue
        data = whl.read(info)
        site = "/lib/python%d.%d/site-packages/" % sys.version_info[:2]
        code = compile(data, site + name, "exec", dont_inherit=True)
        pyc = _code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False)
        folder, _, base = name.rpartition("/")
        target = (folder + "/" if folder else "") + "__pycache__/" + base[:-3] + "." + tag + ".pyc"
        zi = zipfile.ZipInfo(target, date_time=info.date_time)
        zi.compress_type = zipfile.ZIP_DEFLATED  # a ZipInfo is stored raw unless told: 1.16 MB -> about a third
        out.writestr(zi, bytes(pyc))
        n += 1
"%d modules of the wheel precompiled for %s" % (n, tag)
`);
fs.writeFileSync(out, py.FS.readFile("/tmp/pyc.zip"));
console.log(report);
