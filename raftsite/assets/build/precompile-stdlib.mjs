// Build step (Node, run by the MkDocs plugin): a "hybrid" python_stdlib.zip for Pyodide.
//
// Pyodide's python_stdlib.zip ships only .py files, so every boot spends most of its time
// compiling the ~150 stdlib modules imported while starting up. Here, inside Pyodide's own
// Python (so the bytecode matches the runtime exactly), we import what a scene imports, then
// write a copy of the zip in which each of those modules is an unchecked-hash .pyc instead of
// its .py. Everything else stays source. The browser loads it with loadPyodide({stdLibURL}).
//
// usage: node precompile-stdlib.mjs <pyodide_dir> <wheel> <out.zip>
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, wheel, out] = process.argv.slice(2);
if (!pyodideDir || !wheel || !out) {
  console.error("usage: node precompile-stdlib.mjs <pyodide_dir> <wheel> <out.zip>");
  process.exit(2);
}
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const py = await loadPyodide({ indexURL: path.resolve(pyodideDir) + "/" });
const sitePackages = py.runPython("import sysconfig; sysconfig.get_paths()['purelib']");
py.unpackArchive(new Uint8Array(fs.readFileSync(wheel)), "wheel", { extractDir: sitePackages });
py.FS.writeFile("/tmp/stdlib_in.zip", new Uint8Array(fs.readFileSync(path.join(pyodideDir, "python_stdlib.zip"))));
const report = py.runPython(`
import importlib, importlib.util, sys, zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

# Import what the glue and a scene import, and run a scene briefly (lazy imports too).
import raftsite.browser as bridge
from raftcore.scenarios import SCENARIO_NAMES
if "scene01" in SCENARIO_NAMES:
    bridge.scenario_trace_hash("scene01", ms=1000.0)
import raftsite.render  # noqa

ZIP = "/lib/python%d%d.zip/" % sys.version_info[:2]
wanted = {}
for m in list(sys.modules.values()):
    f = getattr(m, "__file__", None) or ""
    if f.startswith(ZIP) and f.endswith(".py"):
        wanted[f[len(ZIP):]] = f

src = zipfile.ZipFile("/tmp/stdlib_in.zip")
names = set(src.namelist())
with zipfile.ZipFile("/tmp/stdlib_out.zip", "w") as dst:
    for info in src.infolist():
        data = src.read(info)
        if info.filename not in wanted or info.filename + "c" in names:
            dst.writestr(info, data)  # source stays source
        else:
            code = compile(data, wanted[info.filename], "exec", dont_inherit=True)
            pyc = _code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False)
            zi = zipfile.ZipInfo(info.filename + "c", date_time=info.date_time)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = info.external_attr
            dst.writestr(zi, bytes(pyc))
"%d modules precompiled for Python %s" % (len(wanted), sys.version.split()[0])
`);
fs.writeFileSync(out, py.FS.readFile("/tmp/stdlib_out.zip"));
console.log(report);
