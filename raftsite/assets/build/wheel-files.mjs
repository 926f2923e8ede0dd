// Build Raft — the precompiled wheel's files, read in JavaScript and written into Pyodide's
// file system.
//
// The memory snapshot holds the imported modules but not the file system, so every boot puts
// the wheel's files (the scenario library, the modules) back in site-packages. Pyodide's
// unpackArchive() does that in Python inside the wasm, after Python is up: shutil and zipfile
// imported, each file inflated by the wasm zlib, about 100 ms of the worker's thread on this
// machine, on every boot. Reading a zip here instead, file by file with DecompressionStream,
// moved the cost rather than removing it: 136 small streams (94 ms in Node) ran on the
// worker's thread while it inflated the snapshot, which then came ~150 ms later.
//
// So the build ships the precompiled wheel as one gzip stream of a tar (precompile-wheel.mjs):
// the worker inflates it as it downloads (snapshot-format.mjs's gunzipped(), one native
// stream), tarFiles() only walks its 512-byte headers (no copy: each file is a view of the
// tar), and once Python is up writeFiles() puts them in place (a few ms). The one stream also
// compresses better than a zip's files one by one (460 KB instead of 544).
//
// A tar as POSIX ustar writes it (pax / GNU extensions are refused by name, never read wrong):
// regular files and directories only. Inlined into the Python worker without its `export`
// keywords (after snapshot-format.mjs, see plugin/head.py), and imported by make-snapshot.mjs,
// so the snapshot is made with the files the browser writes, written the same way. Plain
// JavaScript only, no imports.

const BLOCK = 512;

/** The regular files of an uncompressed tar (an ArrayBuffer or Uint8Array), in order:
 * [{name, data: Uint8Array}] (views of the tar's bytes). ``what`` names it in errors. */
export function tarFiles(tar, what) {
  const bytes = tar instanceof Uint8Array ? tar : new Uint8Array(tar);
  const text = new TextDecoder();
  const field = (at, length) => {
    const raw = bytes.subarray(at, at + length);
    const end = raw.indexOf(0);
    return text.decode(end < 0 ? raw : raw.subarray(0, end));
  };
  const files = [];
  for (let at = 0; ; ) {
    if (at + BLOCK > bytes.length) throw new Error(`${what} is cut short (no end-of-archive blocks)`);
    const header = bytes.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) return files; // the end: two zero blocks (one is enough to stop)
    if (field(at + 257, 5) !== "ustar") throw new Error(`${what} is not a ustar tar (header at byte ${at})`);
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i];
    if (parseInt(field(at + 148, 8).trim(), 8) !== sum) throw new Error(`${what}: the header at byte ${at} is damaged`);
    const prefix = field(at + 345, 155);
    const name = (prefix ? prefix + "/" : "") + field(at, 100);
    const size = parseInt(field(at + 124, 12).trim() || "0", 8);
    const type = String.fromCharCode(header[156] || 48); // NUL: a regular file (old tars)
    const start = at + BLOCK;
    if (start + size > bytes.length) throw new Error(`${what}: ${name} is cut short`);
    if (type === "0") files.push({ name, data: bytes.subarray(start, start + size) });
    else if (type !== "5") throw new Error(`${what}: ${name} is of tar type ${JSON.stringify(type)} (only files and folders are read)`);
    at = start + Math.ceil(size / BLOCK) * BLOCK;
  }
}

/** Write ``files`` (from tarFiles) under ``dir`` of an Emscripten file system (pyodide.FS). */
export function writeFiles(FS, dir, files) {
  const made = new Set();
  for (const { name, data } of files) {
    if (name.startsWith("/") || name.split("/").includes("..")) throw new Error(`refusing to write ${name} outside ${dir}`);
    const path = `${dir}/${name}`;
    const parent = path.slice(0, path.lastIndexOf("/"));
    if (!made.has(parent)) {
      FS.mkdirTree(parent);
      made.add(parent);
    }
    FS.writeFile(path, data);
  }
}
