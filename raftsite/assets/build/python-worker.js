// Build Raft — the Python worker: Pyodide, raftcore and the bridge live here, never on the
// page's main thread, so the page paints, scrolls and answers clicks while Python boots and
// while a simulation (or a batch of 1,000 elections, or a lab campaign) runs.
//
// Not a file of the site: the MkDocs plugin puts it, after snapshot-format.mjs (whose
// decodeHeap() and gunzipped() it calls) and wheel-files.mjs (tarFiles(), writeFiles()), into
// the inline starter of every page's <head> (python-start.js), which runs it as a Blob module
// worker. A worker script fetched from the site would wait for
// a free connection behind the page's own downloads; this one starts as the <head> is parsed.
//
// Boot: the script begins with `self.RAFT_BOOT = {pyodide, wasm, wheel, stdlib, pyc, snapshot,
// snapshotIfHeld, modules}` (python-start.js writes it), and the worker boots as it runs.
// Protocol (main thread → worker, in order; the worker answers each call in the same order):
//   {type: "call", id, target, method, args, kwargs}   (kwargs: Python keyword arguments or null)
//       target: a module name ("raftsite.browser") or a handle number from an earlier answer;
//       method: a callable attribute of it; "__release__" destroys a handle; "__ping__"
//       does nothing (its answer says every earlier call has been answered).
// Worker → main thread:
//   {type: "booted", phases} | {type: "boot-failed", error, phases}
//   {type: "answer", id, value} | {type: "answer", id, error}
//       value: what Python returned (str, number, bool, undefined for None), or {handle: n}
//       for a Python object (a Scene, a Lab) the main thread calls again by its number.
// phases: epoch milliseconds (performance.timeOrigin + now(), comparable across threads) at
// each step of the boot, so the page can report where the time went.

/* global decodeHeap, gunzipped, tarFiles, writeFiles */
const now = () => performance.timeOrigin + performance.now();
const phases = { start: now(), snapshotUsed: false };
const modules = new Map(); // module name -> PyProxy
const handles = new Map(); // number -> PyProxy of a Python object the page holds
let nextHandle = 1;
let ready = null; // promise of the Pyodide instance

const reason = (err) => (err && err.message ? err.message : String(err));

// The response for url, or the boot's error naming the file.
async function loaded(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`could not load ${url.split("/").pop()}: HTTP ${r.status}`);
  return r;
}

async function bytes(url) {
  return (await loaded(url)).arrayBuffer();
}

// Pyodide fetches <indexURL>pyodide.asm.wasm itself, with this worker's fetch(). The site
// ships the file gzipped as well (gzURL): 3.5 MB on the wire instead of 9.6 whatever the
// host does with application/wasm (GitHub Pages does not say it compresses it). That fetch
// gets the .gz instead, inflated as it arrives and labelled application/wasm, so Pyodide
// still compiles it while it streams in. The .gz is requested at once (not when pyodide.mjs
// gets to ask); every later fetch of the .wasm (a boot that falls back from the memory
// snapshot asks again) requests it anew. And a .wasm that cannot be had is the boot's failure,
// said at once: Pyodide only logs a failed instantiation and would wait for ever.
function serveWasm(wasmURL, gzURL) {
  const fetchBefore = self.fetch.bind(self);
  const get = () => fetchBefore(gzURL || wasmURL, { credentials: "same-origin" });
  let early = gzURL ? get() : null;
  if (early) early.catch(() => {});
  self.fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url !== wasmURL) return fetchBefore(input, init);
    const response = early || (gzURL ? get() : fetchBefore(input, init));
    early = null;
    return response
      .then(async (r) => {
        if (!r.ok) throw new TypeError(`could not load ${(gzURL || wasmURL).split("/").pop()}: HTTP ${r.status}`);
        phases.wasmResponse = phases.wasmResponse || now();
        if (!gzURL) return r;
        return new Response(await gunzipped(r.body, "pyodide.asm.wasm.gz"), { headers: { "Content-Type": "application/wasm" } });
      })
      .catch((err) => {
        bootFailed(new Error(`the Python runtime could not be loaded (${reason(err)})`));
        throw err;
      });
  };
}

// The files of the precompiled wheel (a .tar.gz, inflated as it streams in, gzip or not on
// the wire: gunzipped()), ready to be written once Python is up.
async function wheelFiles(url) {
  const name = url.split("/").pop();
  const tar = await gunzipped((await loaded(url)).body, name);
  return tarFiles(await new Response(tar).arrayBuffer(), name);
}

// The memory snapshot, only if this browser holds it already (cfg.snapshotIfHeld): the
// service worker's cache (it precaches the whole site after a first visit) or the HTTP cache.
// A first visit then downloads 7.7 MB less and boots CPython from the precompiled stdlib
// instead; a later one restores the snapshot. null: not held (or no way to ask).
async function heldResponse(url) {
  try {
    const r = self.caches ? await caches.match(url) : undefined;
    if (r && r.ok) return r;
  } catch (err) {} // no Cache Storage here (an opaque origin, a private window): ask the HTTP cache
  try {
    const r = await fetch(url, { cache: "only-if-cached", mode: "same-origin" });
    if (r.ok) return r;
  } catch (err) {} // not in the HTTP cache: only-if-cached answers with a network error
  return null;
}

async function start(cfg) {
  // Pyodide's two modules first — pyodide.mjs, and the 1.2 MB pyodide.asm.mjs that
  // loadPyodide() imports (the same URL: the module map answers its import with this one) —
  // so that neither waits for a connection behind the big downloads below.
  const pyodideModule = import(cfg.pyodide + "pyodide.mjs");
  import(cfg.pyodide + "pyodide.asm.mjs").catch(() => {}); // loadPyodide() reports a failure
  serveWasm(cfg.pyodide + "pyodide.asm.wasm", cfg.wasm);
  // Everything is requested at once; Pyodide fetches its .wasm and the stdlib itself.
  // The wheel as the build precompiled it (cfg.pyc: each runtime module a .pyc in its .py's
  // place, data files as they are), or, in a build without bytecode, the wheel itself.
  // The precompiled one is a .tar.gz, inflated as it arrives and read here (wheel-files.mjs)
  // while the runtime compiles and restores: once Python is up, only the writes are left.
  const wheel = cfg.pyc ? wheelFiles(cfg.pyc) : bytes(cfg.wheel);
  wheel.then(() => (phases.wheelFetched = now()), () => {}); // (the precompiled one: fetched and read)
  const lockFileContents = bytes(cfg.pyodide + "pyodide-lock.json").then((b) => new TextDecoder().decode(b));
  lockFileContents.catch(() => {});
  let held = null;
  if (cfg.snapshot && cfg.snapshotIfHeld) {
    held = await heldResponse(cfg.snapshot);
    phases.snapshotHeld = !!held;
  }
  const snapshot =
    cfg.snapshot && (held || !cfg.snapshotIfHeld)
      ? (held ? Promise.resolve(held) : fetch(cfg.snapshot)).then((r) => {
          if (!r.ok) throw new Error(`could not load the memory snapshot: HTTP ${r.status}`);
          return decodeHeap(r.body);
        })
      : null;
  if (snapshot) snapshot.then(() => (phases.snapshotDecoded = now()), () => {});
  const { loadPyodide } = await pyodideModule;
  phases.moduleLoaded = now();
  const options = {
    indexURL: cfg.pyodide,
    lockFileContents,
    // The build's "hybrid" stdlib (modules imported at boot precompiled; the very zip the
    // snapshot was made with: its name carries its hash).
    ...(cfg.stdlib ? { stdLibURL: cfg.stdlib } : {}),
    stdout: (s) => console.log(s),
    stderr: (s) => console.warn(s),
  };
  let pyodide = null;
  if (snapshot) {
    try {
      pyodide = await loadPyodide({ ...options, _loadSnapshot: await snapshot });
      phases.snapshotUsed = true;
      // The heap is copied into WebAssembly memory: let the 31 MB original go.
      if (pyodide._api && pyodide._api.config) pyodide._api.config._loadSnapshot = undefined;
    } catch (err) {
      console.warn("raft: the memory snapshot could not be used; starting Python without it", err);
    }
  }
  if (!pyodide) pyodide = await loadPyodide(options);
  phases.runtimeReady = now();
  // The file system is not part of the snapshot: the wheel's files (scenario library,
  // modules imported later) are written in every case.
  const sitePackages = pyodide.runPython("import sysconfig; sysconfig.get_paths()['purelib']");
  if (cfg.pyc) writeFiles(pyodide.FS, sitePackages, await wheel);
  else pyodide.unpackArchive(await wheel, "wheel", { extractDir: sitePackages });
  pyodide.runPython("import importlib; importlib.invalidate_caches()");
  for (const name of cfg.modules || []) modules.set(name, pyodide.pyimport(name));
  phases.ready = now();
  return pyodide;
}

function moduleNamed(pyodide, name) {
  if (!modules.has(name)) modules.set(name, pyodide.pyimport(name));
  return modules.get(name);
}

// One call into Python, synchronous inside this worker (so calls run in the order they came).
function call(pyodide, m) {
  if (m.method === "__ping__") return undefined;
  if (m.method === "__release__") {
    const obj = handles.get(m.target);
    handles.delete(m.target);
    if (obj) obj.destroy();
    return undefined;
  }
  const target = typeof m.target === "number" ? handles.get(m.target) : moduleNamed(pyodide, m.target);
  if (!target) throw new Error(`no Python object ${m.target} (released, or never made)`);
  const fn = target[m.method];
  if (typeof fn !== "function") throw new Error(`${m.target} has no method ${m.method}`);
  let value;
  try {
    value = m.kwargs ? fn.callKwargs(...(m.args || []), m.kwargs) : fn(...(m.args || []));
  } finally {
    if (fn.destroy) fn.destroy(); // the bound method's proxy
  }
  if (value instanceof pyodide.ffi.PyProxy) {
    const n = nextHandle++;
    handles.set(n, value);
    return { handle: n };
  }
  return value;
}

// A failure inside Pyodide's own boot may surface as an unhandled rejection or an uncaught
// error rather than as loadPyodide() rejecting (a .wasm that cannot be fetched, say): while
// Python is not up, any such failure is the boot's failure, said once to the page.
// Once it has failed, what else fails on the way (Pyodide's own promises) was said with it.
let bootSettled = false;
let bootHasFailed = false;
function bootFailed(err) {
  if (bootSettled) return false;
  bootSettled = bootHasFailed = true;
  self.postMessage({ type: "boot-failed", error: reason(err), phases });
  return true;
}
self.addEventListener("unhandledrejection", (e) => {
  if (bootFailed(e.reason) || bootHasFailed) e.preventDefault();
});
self.addEventListener("error", (e) => {
  if (bootFailed(e.error || e.message) || bootHasFailed) e.preventDefault();
});

function boot(config) {
  ready = start(config);
  ready.then(
    () => {
      if (bootSettled) return;
      bootSettled = true;
      self.postMessage({ type: "booted", phases });
    },
    (err) => bootFailed(err)
  );
}

self.onmessage = async (event) => {
  const m = event.data;
  if (m.type !== "call") return;
  let pyodide;
  try {
    if (!ready) throw new Error("the worker was not told where Python is");
    pyodide = await ready;
  } catch (err) {
    self.postMessage({ type: "answer", id: m.id, error: `Python did not start: ${reason(err)}` });
    return;
  }
  try {
    const t0 = performance.now();
    const value = call(pyodide, m);
    // `took`: ms this call spent in Python, without the trip through the two event loops
    self.postMessage({ type: "answer", id: m.id, value, took: performance.now() - t0 });
  } catch (err) {
    self.postMessage({ type: "answer", id: m.id, error: reason(err) });
  }
};

if (self.RAFT_BOOT) boot(self.RAFT_BOOT);
