// Build Raft — the body of the worker that fetches and decodes Pyodide's memory snapshot
// off the page's main thread. Not a file of the site: the MkDocs plugin puts it, after
// snapshot-format.mjs (whose decodeHeap() it calls), into the inline starter
// (snapshot-start.js), which runs it as a Blob worker. A worker script fetched from the site
// would wait for a free connection behind the runtime's downloads (half a second into a cold
// load here); this one starts at once.
//
// Protocol: post the snapshot's URL; the reply is {heap: ArrayBuffer} (transferred, not
// copied) or {error: "message"}.

/* global decodeHeap */
self.onmessage = async (event) => {
  try {
    const res = await fetch(event.data);
    if (!res.ok) throw new Error(`could not load ${event.data}: HTTP ${res.status}`);
    const heap = await decodeHeap(res.body);
    self.postMessage({ heap: heap.buffer }, [heap.buffer]);
  } catch (err) {
    self.postMessage({ error: err && err.message ? err.message : String(err) });
  }
};
