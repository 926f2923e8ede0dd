// Build Raft — inlined by the MkDocs plugin (plugin/material_start.py) at the end of every
// page's <head>: it makes now, while <body> is not yet parsed and nothing is styled, the
// changes Material's bundle makes to the document as it starts, so that those find nothing
// to change. Each one, made by the bundle, restyled the whole page (15-40 ms apiece on the
// 2-core machine of issue 16), inside the bundle's task:
// * `no-js` -> `js` on <html>, and the focus-visible polyfill's marks (`js-focus-visible`,
//   `data-js-focus-visible`; no stylesheet of the site reads them);
// * every relative `href`/`src` of <head> made absolute (Material's instant navigation does it
//   to the whole document: on a stylesheet's <link>, the sheet is parsed again).
// material-start.js puts `no-js` back if the bundle does not load.
// tests/browser/test_material_start.py checks that Material then changes none of these.
(function () {
  var absolute = /^(?:[a-z]+:)?\/\//i; // Material's own test (instant navigation)
  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js", "js-focus-visible");
  root.setAttribute("data-js-focus-visible", "");
  var els = document.head.querySelectorAll("[href], [src]");
  for (var i = 0; i < els.length; i++) {
    var el = els[i];
    for (var k = 0; k < 2; k++) {
      var name = k === 0 ? "href" : "src";
      var value = el.getAttribute(name);
      if (value && !absolute.test(value)) {
        el[name] = el[name];
        break;
      }
    }
  }
})();
