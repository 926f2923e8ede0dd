// Build Raft — inlined by the MkDocs plugin (plugin/material_start.py) in place of the
// <script> tags Material puts at the end of <body>: its bundle, then the site's
// extra_javascript. It appends the same scripts, in the same order, once the page is parsed
// and has drawn a frame; when they have run it fires DOMContentLoaded again, on which
// Material's bundle starts (its `document$`; it listens for that event once).
// Why: run by the parser, the bundle's first layout read laid out the whole page inside the
// bundle's own task, and its start (its components) in the next task: 200-300 ms and
// 100-120 ms of main thread that neither scrolls nor answers a click, on the 2-core machine
// of issue 16. After a frame, that layout is the frame's, a task of its own.
// A hidden tab draws no frame: a timer starts the scripts then. If the bundle does not load,
// the page is put back as Material's template had it (`no-js`), and says so in the console.
(function (srcs) {
  var started = false;
  function start() {
    if (started) return;
    started = true;
    var left = srcs.length;
    var bundleRan = false;
    function settled() {
      if (--left > 0) return;
      if (bundleRan) document.dispatchEvent(new Event("DOMContentLoaded"));
    }
    srcs.forEach(function (src, i) {
      var s = document.createElement("script");
      // absolute, as Material's instant navigation would make it (which restyles the element)
      s.src = new URL(src, document.baseURI).href;
      s.async = false; // run in order: the bundle, then the scripts that use it
      s.onload = function () {
        if (i === 0) bundleRan = true;
        settled();
      };
      s.onerror = function () {
        if (i === 0) {
          var root = document.documentElement;
          root.classList.remove("js", "js-focus-visible");
          root.classList.add("no-js");
          root.removeAttribute("data-js-focus-visible");
        }
        console.warn("raft: " + s.src + " did not load");
        settled();
      };
      document.head.appendChild(s); // not <body>: a new child there restyles its siblings
    });
  }
  function afterFirstFrame() {
    requestAnimationFrame(function () {
      setTimeout(start, 0);
    });
    setTimeout(start, 1000);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", afterFirstFrame, { once: true });
  else afterFirstFrame();
})(RAFT_MATERIAL_SCRIPTS);
