// Build Raft — inlined by the MkDocs plugin into every page's <head>, right after the charset
// (so it runs as soon as the <head> is parsed: not half a second later when the glue module
// gets to run, nor after the stylesheets).
//
// window.__raftStartPython() starts a Python worker (python-worker.js after
// snapshot-format.mjs, as a Blob module worker: no script to download) whose script begins
// with where the runtime is (self.RAFT_BOOT); it returns the Worker. A scene page calls it at
// once and leaves the worker in window.__raftPython for the glue (raft-boot.mjs), which also
// calls it when the visit's first scene page came by instant navigation; the lab calls it once
// per core. The URLs are resolved now: after Material's instant navigation, location is
// another page.
(function (config, source, now) {
  try {
    var here = location.href;
    var resolved = {};
    for (var key in config) {
      var v = config[key];
      resolved[key] = typeof v === "string" && key !== "modules" ? new URL(v, here).href : v;
    }
    var url = null;
    window.__raftStartPython = function () {
      // The config goes in front of the worker's script, not in a message: a message posted to
      // a worker that is still starting is handed over by this (main) thread once the worker
      // is up, and while the page is parsed this thread is busy (0.2 s in a new tab, measured).
      if (url === null) {
        var head = "self.RAFT_BOOT = " + JSON.stringify(resolved) + ";\n";
        url = URL.createObjectURL(new Blob([head, source], { type: "text/javascript" }));
      }
      var w = new Worker(url, { type: "module", name: "raft-python" });
      // A message that comes before the glue listens would be lost (a boot that fails at
      // once: the runtime unreachable); those are kept and handed to its first listener.
      var early = [];
      var keep = function (e) {
        early.push(e);
      };
      w.addEventListener("message", keep);
      var listen = w.addEventListener;
      w.addEventListener = function (type, fn, options) {
        listen.call(w, type, fn, options);
        if (type === "message" && early) {
          var held = early;
          early = null;
          w.removeEventListener("message", keep);
          for (var i = 0; i < held.length; i++) fn.call(w, held[i]);
        }
      };
      return w;
    };
    if (now) window.__raftPython = window.__raftStartPython();
  } catch (e) {} // no workers: the glue says the live simulation cannot start
})(RAFT_CONFIG, RAFT_WORKER, RAFT_NOW);
