// Build Raft — inlined by the MkDocs plugin into every page's <head> when the build has a
// memory snapshot, right after the charset (so it runs as soon as the <head> is parsed, not
// half a second later when the glue module gets to run, nor after the stylesheets).
// window.__raftStartSnapshot() starts the decoding worker (snapshot-worker.js after
// snapshot-format.mjs, as a Blob: no script to download) and returns a promise of the heap,
// a Uint8Array; a scene page calls it at once and leaves the promise in
// window.__raftSnapshot for the glue's boot(). The snapshot's URL is resolved now: after
// Material's instant navigation, location is another page.
(function (snapshot, source, now) {
  try {
    snapshot = new URL(snapshot, location.href).href;
    window.__raftStartSnapshot = function () {
      var heap = new Promise(function (resolve, reject) {
        var url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
        var w = new Worker(url);
        var done = function () {
          w.terminate();
          URL.revokeObjectURL(url);
        };
        w.onmessage = function (e) {
          done();
          if (e.data && e.data.heap) resolve(new Uint8Array(e.data.heap));
          else reject(new Error((e.data && e.data.error) || "the snapshot worker failed"));
        };
        w.onerror = function (e) {
          done();
          reject(new Error(e.message || "the snapshot worker failed"));
        };
        w.postMessage(snapshot);
      });
      heap.catch(function () {}); // handled where it is used
      return heap;
    };
    if (now) window.__raftSnapshot = window.__raftStartSnapshot();
  } catch (e) {} // no worker, no snapshot: the glue starts Python without it
})(RAFT_SNAPSHOT, RAFT_WORKER, RAFT_NOW);
