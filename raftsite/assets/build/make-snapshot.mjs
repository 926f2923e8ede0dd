// Build step (Node, run by the MkDocs plugin): a Pyodide memory snapshot with the scenes'
// Python already started and imported, gzipped.
//
// In the browser most of loadPyodide() is CPython initialising itself and importing modules;
// a memory snapshot is the wasm heap right after that work, so restoring it skips all of it.
// We boot Pyodide here with the build's hybrid stdlib (the browser must load the very same
// zip: the zip importer's directory is part of the heap), unpack the wheel as the browser
// does (precompiled: precompile-wheel.mjs), import every runtime module of the wheel and run
// each library scenario briefly (so the stdlib modules imported lazily are in the heap too),
// drop every object we made, and dump
// the heap with Pyodide's makeMemorySnapshot() (an experimental, underscore-prefixed API of
// the pinned pyodide release), in the site's sparse format (snapshot-format.mjs). The
// browser passes it to loadPyodide({_loadSnapshot}) and falls back to a plain boot on any error.
//
// Rules that keep the snapshot valid (see DESIGN.md "Snapshot caveats"): no JS object may be
// held by Python here (the bridge touches `js` only inside functions); the virtual file
// system is NOT in the snapshot (the browser unpacks the wheel again); the global `random`
// state and the hash seed are frozen (the simulator's own seeded RNGs are unaffected).
//
// Reproducible: the same inputs give the same file, byte for byte, wherever the checkout is.
// Its name is a hash of its bytes and the service worker keeps it across visits, so a snapshot
// remade from the same code (a cold build cache, the Pages workflow's case) must not be a new
// 7.5 MB download for every returning reader. Three things reached the heap from outside:
// entropy (the hash secret, `random`'s state and the allocations that follow from them), the
// clocks (file times in the virtual file system, import caches) and the path of this script
// (Emscripten's `thisProgram`: `sys.executable`, argv, `$_`). While the snapshot is made, the
// entropy and the clocks are a fixed sequence and the program is the name a browser gives it.
//
// usage: node make-snapshot.mjs <pyodide_dir> <stdlib.zip> <wheel> <pyc.tar.gz or ""> <out.bin.gz>
import nodeCrypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { pathToFileURL } from "node:url";
import { decodeHeap, encodeHeap } from "./snapshot-format.mjs";
import { tarFiles, writeFiles } from "./wheel-files.mjs";

/** Emscripten's program name in a browser, which has no `process.argv[1]` to take it from. */
const BROWSER_PROGRAM = "./this.program";

/** Make the entropy and the clocks that Emscripten reads in Node a fixed sequence: the bytes
 * of `node:crypto`'s randomFillSync (Emscripten's only entropy in Node: `/dev/urandom`,
 * `getentropy`, hence `os.urandom` and CPython's hash secret) come from a xorshift generator,
 * and `Date.now()` / `performance.now()` advance by one millisecond per call. Nothing this
 * script runs needs either to be random or true; a browser restoring the snapshot has its own. */
function deterministicEntropyAndClocks() {
  let state = 0x2545f491;
  nodeCrypto.randomFillSync = (view) => {
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    for (let i = 0; i < bytes.length; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      bytes[i] = state & 255;
    }
    return view;
  };
  let wall = Date.UTC(2000, 0, 1);
  Date.now = () => (wall += 1);
  let monotonic = 0;
  performance.now = () => (monotonic += 1);
}

const [pyodideDir, stdlib, wheel, pyc, out] = process.argv.slice(2);
if (!pyodideDir || !stdlib || !wheel || !out) {
  console.error("usage: node make-snapshot.mjs <pyodide_dir> <stdlib.zip> <wheel> <pyc.tar.gz or ''> <out.bin.gz>");
  process.exit(2);
}
deterministicEntropyAndClocks();
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const py = await loadPyodide({
  indexURL: path.resolve(pyodideDir) + "/",
  stdLibURL: path.resolve(stdlib),
  _makeSnapshot: true,
  _sysExecutable: BROWSER_PROGRAM,
});
const sitePackages = py.runPython("import sysconfig; sysconfig.get_paths()['purelib']");
// What the browser writes, written as it does: the precompiled wheel's files
// (precompile-wheel.mjs, wheel-files.mjs), else the wheel unpacked.
const pycFiles = pyc ? tarFiles(zlib.gunzipSync(fs.readFileSync(pyc)), path.basename(pyc)) : null;
const unpackWheel = (runtime) =>
  pyc
    ? writeFiles(runtime.FS, sitePackages, pycFiles)
    : runtime.unpackArchive(new Uint8Array(fs.readFileSync(wheel)), "wheel", { extractDir: sitePackages });
unpackWheel(py);
const report = py.runPython(`
import gc, importlib, pkgutil, sys

importlib.invalidate_caches()
# Every module of the wheel that the browser may import. Build-time modules ship in the wheel
# but are never imported there; one that needs what Pyodide lacks (mkdocs, markdown) is one
# of them, and is left out too.
BUILD_TIME = ("raftsite.plugin", "raftsite.markdown_ext", "raftsite.listings", "raftsite.linkcheck", "raftsite.blocks")
before = set(sys.modules)
left_out = []
import raftcore, raftsite
for pkg in (raftcore, raftsite):
    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        if info.name.startswith(BUILD_TIME) or info.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(info.name)
        except ImportError as exc:
            left_out.append("%s (%s)" % (info.name, exc))
import raftsite.browser as bridge
from raftsite.controls import registry as _controls
_controls()
from raftcore.scenarios import SCENARIO_NAMES, load_scenario
from raftsite.render import Renderer
# Run every library scenario a little and draw it: stdlib modules imported lazily get in.
for _name in SCENARIO_NAMES:
    try:
        _run = load_scenario(_name).start(strict=False)
        _run.advance(500.0)
        Renderer(_run.cluster).svg()
    except Exception as exc:  # the scene tests report it; here it only means a colder start
        left_out.append("scenario %s (%s: %s)" % (_name, type(exc).__name__, exc))
_run = None
gc.collect()
"%d modules imported%s" % (len(set(sys.modules) - before), "; left out: " + ", ".join(left_out) if left_out else "")
`);
const snapshot = py.makeMemorySnapshot();
const expected = py.runPython(`bridge.scenario_trace_hash(SCENARIO_NAMES[0], ms=2000.0)`);
const gz = zlib.gzipSync(encodeHeap(snapshot), { level: 9 });

// Decode the file as the browser will (snapshot-worker.js), restore it, and check that it
// runs the same simulation: a snapshot that does not restore (another wasm, a heap that grew
// past the module's initial memory, a JS object held by Python) fails the build instead of
// every reader's boot.
const decoded = await decodeHeap(new Blob([gz]).stream());
if (!Buffer.from(decoded.buffer, decoded.byteOffset, decoded.length).equals(Buffer.from(snapshot.buffer, snapshot.byteOffset, snapshot.length))) {
  console.error("the snapshot file does not decode to the heap it was made from");
  process.exit(1);
}
let restored;
try {
  restored = await loadPyodide({
    indexURL: path.resolve(pyodideDir) + "/",
    stdLibURL: path.resolve(stdlib),
    _loadSnapshot: decoded,
    _sysExecutable: BROWSER_PROGRAM,
  });
} catch (err) {
  // pyodide 314 restores into the module's initial memory (pyodide#6254): a heap that grew
  // while the modules were imported does not fit.
  console.error(
    `the memory snapshot does not restore (${err.message}); the heap is ${(py._module.HEAP8.length / 2 ** 20).toFixed(1)} MiB. ` +
      "Import less at build time, or build without it (raftsite plugin option snapshot: false)."
  );
  process.exit(1);
}
unpackWheel(restored);
const got = restored.runPython(`
import importlib; importlib.invalidate_caches()
from raftcore.scenarios import SCENARIO_NAMES
import raftsite.browser as bridge
bridge.scenario_trace_hash(SCENARIO_NAMES[0], ms=2000.0)
`);
if (got !== expected) {
  console.error(`the restored snapshot runs another simulation: trace hash ${got}, expected ${expected}`);
  process.exit(1);
}
fs.writeFileSync(out, gz);
console.log(
  `${report}; memory snapshot ${(snapshot.length / 1e6).toFixed(1)} MB, ${(gz.length / 1e6).toFixed(2)} MB gzip, ` +
    `restores with the same trace hash`
);
