// Build step (Node, run by the MkDocs plugin): a "hybrid", trimmed python_stdlib.zip for Pyodide.
//
// Pyodide's python_stdlib.zip ships only .py files, so every boot spends most of its time
// compiling the ~150 stdlib modules imported while starting up. Here, inside Pyodide's own
// Python (so the bytecode matches the runtime exactly), we import what a scene imports, then
// write a copy of the zip in which each of those modules is an unchecked-hash .pyc instead of
// its .py. The browser loads it with loadPyodide({stdLibURL}); the memory snapshot is made
// with this very zip (make-snapshot.mjs).
//
// Trimmed (issue 16, bytes: the stock zip is 2.5 MB, this one 3.3 MB untrimmed): the zip keeps
// only what the site can import, generously —
//   * every stdlib module loaded after Pyodide's own start, the wheel's unpacking, every
//     runtime module of the wheel imported and every library scenario run and drawn (what
//     make-snapshot.mjs does), and a lab batch run — these are the precompiled ones;
//   * every stdlib module any runtime module of the wheel names in an import statement,
//     anywhere (inside a function, under `try`), and, transitively, every module those name
//     in theirs (statically, from the source: a closure over the import graph);
//   * KEEP below: what error paths and Pyodide itself may load by name at run time;
//   * the codecs a page could ever decode with (encodings/: the Unicode ones and Latin-1).
// Then a second Pyodide is started on the trimmed zip and does all of the above again, plus a
// traceback of a failure: a module missing there fails the build, never a reader's scene.
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

// What a page's Python does: unpack the wheel (under mkdocs serve), import the
// wheel's runtime modules, run every library scenario a little and draw it, run a lab shard.
const EXERCISE = `
import gc, importlib, pkgutil, sys, zipfile, io
BUILD_TIME = ("raftsite.plugin", "raftsite.markdown_ext", "raftsite.listings", "raftsite.linkcheck", "raftsite.blocks")
import raftcore, raftsite
_failed = []
for _pkg in (raftcore, raftsite):
    for _info in pkgutil.walk_packages(_pkg.__path__, _pkg.__name__ + "."):
        if _info.name.startswith(BUILD_TIME) or _info.name.endswith("__main__") or _info.name == "raftcore.lab.pool":
            continue  # build time, or the command line's process pool (no processes in a browser)
        try:
            importlib.import_module(_info.name)
        except ImportError as exc:
            _failed.append("%s (%s)" % (_info.name, exc))
import raftsite.browser as bridge
from raftsite.controls import registry as _controls
_controls()
from raftcore.scenarios import SCENARIO_NAMES, load_scenario
from raftsite.render import Renderer
for _name in SCENARIO_NAMES:
    try:
        _run = load_scenario(_name).start(strict=False)
        _run.advance(500.0)
        Renderer(_run.cluster).svg()
    except ImportError as exc:
        _failed.append("scenario %s (%s)" % (_name, exc))
    except Exception:
        pass  # the scene tests report it; here only imports matter
if SCENARIO_NAMES:
    bridge.scenario_trace_hash(SCENARIO_NAMES[0], ms=1000.0)
try:  # the lab page: a shard's batches, its partial, the merge, the summary
    import json as _json
    from raftsite import lab_bridge as _lb
    _lab = _lb.Lab(_json.dumps({"runs": 2}), shard=0, shards=1)
    while not _lab.done():
        _lab.batch(50.0)
    _lb.merge([_lab.partial()])
    _lab.summary(); _lab.failures(); _lb.schema()
    _lab = None
except ImportError as exc:
    _failed.append("lab (%s)" % exc)
except Exception as exc:
    pass  # the lab's tests report it; here only imports matter
try:
    raise ValueError("an error path")
except ValueError:
    import traceback
    traceback.format_exc()
_run = None
gc.collect()
`;

async function boot(stdLibURL) {
  // No column ranges in the bytecode (as precompile-wheel.mjs: a traceback loses its ^^^ marks,
  // the .pyc files are about a quarter smaller).
  const env = { PYTHONNODEBUGRANGES: "1" };
  const py = await loadPyodide({ indexURL: path.resolve(pyodideDir) + "/", ...(stdLibURL ? { stdLibURL } : {}), env });
  const sitePackages = py.runPython("import sysconfig; sysconfig.get_paths()['purelib']");
  // As the worker does in a build without bytecode (mkdocs serve); a built site's worker writes
  // the precompiled wheel's files in JavaScript instead (wheel-files.mjs), importing nothing.
  py.unpackArchive(new Uint8Array(fs.readFileSync(wheel)), "wheel", { extractDir: sitePackages });
  py.runPython("import importlib; importlib.invalidate_caches()");
  py.runPython(EXERCISE);
  return py;
}

const py = await boot(null);
py.FS.writeFile("/tmp/wheel.whl", new Uint8Array(fs.readFileSync(wheel)));
py.FS.writeFile("/tmp/stdlib_in.zip", new Uint8Array(fs.readFileSync(path.join(pyodideDir, "python_stdlib.zip"))));
const report = py.runPython(`
import ast, importlib.util, sys, zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

if _failed:
    raise SystemExit("imports failed with Pyodide's own stdlib: " + "; ".join(_failed))

# Loaded by name at run time, or on a path the exercise above does not take.
KEEP = {
    "traceback", "linecache", "tokenize", "token", "textwrap", "reprlib", "pprint", "warnings", "inspect", "dis",
    "opcode", "ast", "difflib", "keyword", "json", "random", "statistics", "fractions", "decimal",
    "_pydecimal", "numbers", "heapq", "bisect", "copy", "copyreg", "dataclasses", "enum", "functools", "operator",
    "string", "struct", "hashlib", "hmac", "base64", "contextlib", "contextvars", "abc", "types", "typing", "weakref",
    "collections", "re", "datetime", "_pydatetime", "calendar", "locale", "codecs", "io", "_pyio", "zipfile",
    "zipimport", "importlib", "pkgutil", "pathlib", "os", "posixpath", "stat", "shutil", "fnmatch", "glob",
    "tempfile", "uuid", "html", "math", "itertools", "asyncio", "queue", "threading", "signal", "selectors",
    "sysconfig", "site", "platform", "gettext", "argparse", "array", "gc", "time", "secrets", "shlex", "graphlib",
    "pyodide", "_pyodide", "tarfile", "gzip", "zlib", "bz2", "lzma", "_compression", "compression",
}
ENCODINGS = {"aliases", "ascii", "latin_1", "utf_8", "utf_8_sig", "utf_16", "utf_16_le", "utf_16_be", "utf_32",
             "utf_32_le", "utf_32_be", "utf_7", "charmap", "raw_unicode_escape", "unicode_escape", "idna",
             "punycode", "cp1252", "iso8859_1", "iso8859_15", "base64_codec", "hex_codec", "undefined"}

ZIP = "/lib/python%d%d.zip/" % sys.version_info[:2]
src = zipfile.ZipFile("/tmp/stdlib_in.zip")
names = set(src.namelist())

def entry(mod):
    """The zip entry of a module name (a .py or a package's __init__.py), or None."""
    p = mod.replace(".", "/")
    for cand in (p + ".py", p + "/__init__.py"):
        if cand in names:
            return cand
    return None

def imports_of(source, mod, is_pkg):
    """Every absolute module name an import statement of source names (and its parents)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    found = set()
    pkg = mod if is_pkg else mod.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = pkg.split(".")
                parts = parts[: len(parts) - node.level + 1] if node.level > 1 else parts
                base = ".".join(p for p in (*parts, base) if p)
            found.add(base)
            found.update(base + "." + a.name for a in node.names)  # "from pkg import submodule"
    out = set()
    for name in found:
        bits = name.split(".")
        out.update(".".join(bits[:i]) for i in range(1, len(bits) + 1))
    return out

# 1. loaded now, from the zip: precompiled
loaded = {}
for m in list(sys.modules.values()):
    f = getattr(m, "__file__", None) or ""
    if f.startswith(ZIP) and f.endswith(".py"):
        loaded[f[len(ZIP):]] = f
# 2. roots: those, what the wheel's runtime modules name, KEEP, the codecs
roots = {e[:-3].replace("/", ".").removesuffix(".__init__") for e in loaded}
roots |= KEEP | {"encodings." + e for e in ENCODINGS} | {"encodings"}
with zipfile.ZipFile("/tmp/wheel.whl") as whl:
    for n in whl.namelist():
        if n.endswith(".py") and n.startswith(("raftcore/", "raftsite/")) and not n.startswith(
            ("raftsite/plugin/", "raftsite/markdown_ext", "raftsite/listings", "raftsite/linkcheck", "raftsite/blocks/",
             "raftcore/lab/pool.py")  # the command line's process pool: multiprocessing, never in a page
        ):
            mod = n[:-3].replace("/", ".").removesuffix(".__init__")
            roots |= imports_of(whl.read(n), mod, n.endswith("__init__.py"))
# 3. the closure over the stdlib's own import statements, except through what a page never
#    runs: debuggers and the REPL, tests, processes, mail and network clients, GUIs, XML-RPC
#    (reached through a traceback's or inspect's optional paths). Never one of those a page
#    has loaded, nor a root; the check below runs the site on the result.
NEVER = ("pdb", "bdb", "pydoc", "doctest", "unittest", "_pyrepl", "code", "codeop", "cmd", "rlcompleter",
         "multiprocessing", "concurrent.futures.process", "concurrent.interpreters", "email", "http", "ftplib",
         "smtplib", "imaplib", "poplib", "nntplib", "urllib.request", "urllib.response", "webbrowser", "xmlrpc",
         "socketserver", "mailbox", "mimetypes", "netrc", "tkinter", "turtle", "idlelib", "ensurepip", "venv",
         "tracemalloc", "ctypes", "profile", "cProfile", "pstats", "trace", "timeit", "tty", "pty", "curses")
never = lambda mod: any(mod == n or mod.startswith(n + ".") for n in NEVER)
keep, todo = set(), [r for r in roots if entry(r)]
while todo:
    mod = todo.pop()
    e = entry(mod)
    if e is None or e in keep or (never(mod) and e not in loaded and mod not in roots):
        continue
    keep.add(e)
    for dep in imports_of(src.read(e), mod, e.endswith("__init__.py")):
        if entry(dep) and entry(dep) not in keep:
            todo.append(dep)
# a package of NEVER that is kept after all (a page loads it, or names it) is kept whole:
# never half a package, whose import would fail in the middle
for n in NEVER:
    if n.replace(".", "/") + "/__init__.py" in keep:
        keep |= {x for x in names if x.startswith(n.replace(".", "/") + "/") and x.endswith(".py")}
# a package's __init__ for every kept module
for e in list(keep):
    bits = e.split("/")[:-1]
    for i in range(1, len(bits) + 1):
        init = "/".join(bits[:i]) + "/__init__.py"
        if init in names:
            keep.add(init)
keep |= set(loaded)

dropped = 0
with zipfile.ZipFile("/tmp/stdlib_out.zip", "w") as dst:
    for info in src.infolist():
        if info.filename.endswith(".py") and info.filename not in keep:
            dropped += 1
            continue
        data = src.read(info)
        if info.filename not in loaded or info.filename + "c" in names:
            dst.writestr(info, data)  # source stays source (and what is not Python: data files)
        else:
            code = compile(data, loaded[info.filename], "exec", dont_inherit=True)
            pyc = _code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False)
            zi = zipfile.ZipInfo(info.filename + "c", date_time=info.date_time)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = info.external_attr
            dst.writestr(zi, bytes(pyc))
"%d modules precompiled, %d kept as source, %d left out, for Python %s" % (
    len(loaded), len(keep) - len(loaded), dropped, sys.version.split()[0])
`);
const trimmed = py.FS.readFile("/tmp/stdlib_out.zip");
fs.writeFileSync(out + ".check.zip", trimmed);

// The check: the same work on the trimmed zip, in a fresh Pyodide. A module left out that a
// scene needs fails the build here.
try {
  const again = await boot(path.resolve(out + ".check.zip"));
  const failed = again.runPython("'; '.join(_failed)");
  if (failed) {
    console.error(`the trimmed stdlib lacks what the site imports: ${failed}`);
    process.exit(1);
  }
} catch (err) {
  console.error(`the trimmed stdlib does not run the site: ${err.message}`);
  process.exit(1);
} finally {
  fs.rmSync(out + ".check.zip", { force: true });
}
fs.writeFileSync(out, trimmed);
console.log(`${report}; ${(trimmed.length / 1e6).toFixed(2)} MB`);
