// Build step (Node, run by the MkDocs plugin): the project's wheel, precompiled, as the browser
// installs it.
//
// Importing raftcore/raftsite in the browser otherwise starts by compiling every module from
// source. Inside Pyodide's own Python (so the bytecode matches the runtime exactly) we compile
// each runtime .py of the wheel to a .pyc at the module's own place (raftcore/node.pyc: a
// "sourceless" module, which CPython imports without its .py) and write a zip of the wheel
// with those .pyc in place of the .py: its data files (the scenario library) and metadata
// as they are, and without the build-time modules (never imported in the browser). The
// worker writes these files into site-packages instead of the wheel's: 0.28 MB less on a first
// visit than the wheel and a zip of __pycache__/ beside it, as it was until 2026-12-06. A
// traceback in the browser shows no source lines (there is no .py to read them from); the
// line numbers, which the lit lines follow, are the bytecode's own.
// Compiled without column ranges (PYTHONNODEBUGRANGES, as `python -X no_debug_ranges`): the
// bytecode and its line numbers are the same, a traceback only loses its ^^^ marks, and the
// zip is about a quarter smaller (560 -> 420 KB deflated, measured with CPython 3.11 on the
// same files), less to download and to unmarshal on a first visit.
// Written as one gzip stream of a ustar tar, not a zip (wheel-files.mjs says why: the worker
// inflates it as it arrives, natively, in one stream; 460 KB instead of the zip's 544), made
// reproducible: files in the wheel's order, times, owners and the gzip header's time zero.
//
// usage: node precompile-wheel.mjs <pyodide_dir> <stdlib.zip or ""> <wheel> <out.tar.gz>
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, stdlib, wheel, out] = process.argv.slice(2);
if (!pyodideDir || !wheel || !out) {
  console.error("usage: node precompile-wheel.mjs <pyodide_dir> <stdlib.zip or ''> <wheel> <out.tar.gz>");
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
import gzip, importlib.util, io, sys, tarfile, zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

# Build-time modules are left out: never imported in the browser (raftsite/plugin needs
# mkdocs), not worth their 35 KB of a first visit. (Not all of raftsite/blocks/: every control
# imports its fields.py.) An import of one there fails loudly, and the build's own checks
# (make-snapshot.mjs, tests/site/test_runtime_bytes.py) import what a page imports.
BUILD_TIME = ("raftsite/plugin/", "raftsite/markdown_ext.py", "raftsite/listings.py", "raftsite/blocks/schema.py")
n = 0
tar_bytes = io.BytesIO()
with zipfile.ZipFile("/tmp/wheel.whl") as whl, tarfile.open(fileobj=tar_bytes, mode="w", format=tarfile.USTAR_FORMAT) as out:
    for info in whl.infolist():
        if info.is_dir():
            continue
        name, data = info.filename, whl.read(info)
        if name.startswith(BUILD_TIME):
            continue
        if name.endswith(".py") and ".dist-info/" not in name:
            site = "/lib/python%d.%d/site-packages/" % sys.version_info[:2]
            code = compile(data, site + name, "exec", dont_inherit=True)
            name, data = name[:-3] + ".pyc", bytes(_code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False))
            n += 1
        member = tarfile.TarInfo(name)  # mtime 0, owner 0, no owner names: the same bytes every build
        member.size, member.mode = len(data), 0o644
        out.addfile(member, io.BytesIO(data))
with open("/tmp/pyc.tar.gz", "wb") as f:
    f.write(gzip.compress(tar_bytes.getvalue(), compresslevel=9, mtime=0))
"%d modules of the wheel precompiled for %s" % (n, sys.implementation.cache_tag)
`);
fs.writeFileSync(out, py.FS.readFile("/tmp/pyc.tar.gz"));
console.log(report);
