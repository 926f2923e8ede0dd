// Build Raft — inlined by the MkDocs plugin (plugin/material_start.py) at the end of every
// page's <head>: it sets now, while <body> is not yet parsed and nothing is styled, the marks
// Material's bundle sets on <html> as it starts — `no-js` -> `js`, and the focus-visible
// polyfill's `js-focus-visible` and `data-js-focus-visible` (no stylesheet of the site reads
// them) — so that the bundle finds them set: set by the bundle, each restyled the whole page
// (15-40 ms on the 2-core machine of issue 16), inside its own task.
// material-start.js puts `no-js` back if the bundle does not load.
// tests/browser/test_material_start.py checks that Material then changes none of these.
(function () {
  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js", "js-focus-visible");
  root.setAttribute("data-js-focus-visible", "");
})();
