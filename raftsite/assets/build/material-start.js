// Build Raft — inlined by the MkDocs plugin (plugin/material_start.py) in place of the
// <script> tags Material puts at the end of <body>: its bundle, then the site's
// extra_javascript. It appends the same scripts, in the same order, once the page is parsed
// and has been painted; when they have run it fires DOMContentLoaded again, on which
// Material's bundle starts (its `document$`; it listens for that event once).
// Why: run by the parser, the bundle's first layout read laid out the whole page inside the
// bundle's own task, and its start (its components) in the next task: 200-300 ms and
// 100-120 ms of main thread that neither scrolls nor answers a click, on the 2-core machine
// of issue 16. After a frame, that layout is the frame's, a task of its own.
// First, once the page has been painted, it makes <head>'s relative links absolute, as the
// bundle's instant navigation would as it starts (on a stylesheet's <link>, the sheet is
// loaded and parsed again, then the whole page restyled: in the bundle's task, that was one
// more restyle there; done at the end of <head>, it put the first paint 30 ms later), and waits
// for those sheets. A hidden tab draws no frame: a timer starts the scripts then. If the bundle
// does not load, the page is put back as Material's template had it (`no-js`), and says so in
// the console.
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
  // After the next frame is drawn (a callback of requestAnimationFrame runs before it).
  function afterNextFrame(fn) {
    requestAnimationFrame(function () {
      setTimeout(fn, 0);
    });
  }
  // The test Material's instant navigation makes (the same regular expression).
  var absolute = /^(?:[a-z]+:)?\/\//i;
  function headLinksAbsolute() {
    var sheets = [];
    var els = document.head.querySelectorAll("[href], [src]");
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      for (var k = 0; k < 2; k++) {
        var name = k === 0 ? "href" : "src";
        var value = el.getAttribute(name);
        if (!value || absolute.test(value)) continue;
        el[name] = el[name];
        if (el.localName === "link" && /(^|\s)stylesheet(\s|$)/i.test(el.rel)) sheets.push(el);
        break;
      }
    }
    return sheets;
  }
  function afterTheFirstPaint() {
    afterNextFrame(function () {
      var sheets = headLinksAbsolute();
      var left = sheets.length;
      function loaded() {
        if (--left === 0) afterNextFrame(start);
      }
      sheets.forEach(function (link) {
        link.addEventListener("load", loaded, { once: true });
        link.addEventListener("error", loaded, { once: true });
      });
      if (left === 0) afterNextFrame(start);
    });
    setTimeout(start, 2000); // a hidden tab draws no frame
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", afterTheFirstPaint, { once: true });
  else afterTheFirstPaint();
})(RAFT_MATERIAL_SCRIPTS);
