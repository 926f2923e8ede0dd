// Build Raft — the header's palette toggle, inlined by the MkDocs plugin (plugin/palette.py)
// right after Material's own inline palette script, in place of Material's palette component
// (the form's `data-md-component="palette"` is renamed `data-raft-palette`, so the bundle does
// not mount it).
//
// Why not Material's: as it started, its component set `data-md-color-switching` on <body>
// (a selector on every element), read the header's computed style and wrote a `color-scheme`
// <meta>, then removed the attribute — three restyles of the whole, laid-out page inside
// Material's start-up tasks, for a palette the page already shows. A cold load of scene 01
// restyled 6,067 elements in all with it, 2,480 without (Chromium traces, two loads each).
// Here the same work happens while the page is parsed, when only the header exists, and again
// only when the reader switches.
//
// What it does, as Material 9 did: the palette shown is the reader's stored choice
// (`__palette`, Material's key and shape), else the first whose `data-md-color-media` matches,
// else the first; <body> gets its `data-md-color-*`; the toggle that leads to the next palette
// is the one not `hidden`; <head> gets `theme-color` and `color-scheme` metas from the header's
// computed style; a click (a radio's `change`) or Enter switches and stores the choice. Unlike
// Material, a reader who never chose follows the system's scheme, live (Material stored the
// first palette it showed as if chosen).
(function () {
  var form = document.querySelector("form[data-raft-palette]");
  var inputs = form ? form.querySelectorAll("input[data-md-color-media]") : [];
  if (!inputs.length) return;
  var KEYS = ["media", "scheme", "primary", "accent"];
  var AUTO = "(prefers-color-scheme)";
  var body = document.body;
  var current = -1;

  function meta(name) {
    var el = document.createElement("meta");
    el.name = name;
    document.head.appendChild(el);
    return el;
  }
  var themeColor = meta("theme-color");
  var colorScheme = meta("color-scheme");

  // The reader's choice, in Material's storage (which throws where the browser blocks it: then
  // the toggle still works, for this page).
  function stored() {
    try {
      var palette = __md_get("__palette");
      return palette && typeof palette.index === "number" ? palette : null;
    } catch (err) {
      return null;
    }
  }
  function store(palette) {
    try {
      __md_set("__palette", palette);
    } catch (err) {
      console.warn("raft: the palette chosen is not kept: " + err);
    }
  }

  function systemIndex() {
    for (var i = 0; i < inputs.length; i++) {
      if (matchMedia(inputs[i].getAttribute("data-md-color-media")).matches) return i;
    }
    return 0;
  }

  function colorOf(index) {
    var input = inputs[index];
    var color = {};
    KEYS.forEach(function (k) { color[k] = input.getAttribute("data-md-color-" + k); });
    if (color.media === AUTO) {  // "automatic": the light or dark palette, as the system is now
      var light = matchMedia("(prefers-color-scheme: light)").matches;
      var twin = form.querySelector("[data-md-color-media='(prefers-color-scheme: " + (light ? "light" : "dark") + ")']");
      if (twin) ["scheme", "primary", "accent"].forEach(function (k) { color[k] = twin.getAttribute("data-md-color-" + k); });
    }
    return color;
  }

  // Show palette `index`: only what differs is written (an attribute written with its own
  // value still restyles every element its selectors reach).
  function show(index) {
    var color = colorOf(index);
    KEYS.forEach(function (k) {
      if (color[k] !== null && body.getAttribute("data-md-color-" + k) !== color[k]) {
        body.setAttribute("data-md-color-" + k, color[k]);
      }
    });
    for (var i = 0; i < inputs.length; i++) {
      var label = inputs[i].nextElementSibling;
      if (label instanceof HTMLElement && label.hidden !== (i !== index)) label.hidden = i !== index;
    }
    var header = document.querySelector("[data-md-component=header]");
    if (header) {
      var style = getComputedStyle(header);
      if (colorScheme.content !== style.colorScheme) colorScheme.content = style.colorScheme;
      var rgb = (style.backgroundColor.match(/\d+/g) || []).slice(0, 3);
      themeColor.content = "#" + rgb.map(function (v) { return (+v).toString(16).padStart(2, "0"); }).join("");
    }
    current = index;
    return color;
  }

  // A change of colours while the page is shown: no transitions meanwhile (Material's
  // `data-md-color-switching`, which its stylesheet reads).
  function switchTo(index) {
    body.setAttribute("data-md-color-switching", "");
    var color = show(index);
    setTimeout(function () { body.removeAttribute("data-md-color-switching"); }, 0);
    return color;
  }

  var chosen = stored();
  show(chosen ? Math.max(0, Math.min(chosen.index, inputs.length - 1)) : systemIndex());

  Array.prototype.forEach.call(inputs, function (input, i) {
    input.addEventListener("change", function () {  // the reader's choice, kept
      store({ index: i, color: switchTo(i) });
    });
  });
  // The system's scheme changed: a reader who never chose follows it; an "automatic" palette
  // shows its light or dark twin.
  matchMedia("(prefers-color-scheme: light)").addEventListener("change", function () {
    if (!stored()) switchTo(systemIndex());
    else if (inputs[current].getAttribute("data-md-color-media") === AUTO) switchTo(current);
  });
  form.addEventListener("keydown", function (e) {
    if (e.key !== "Enter") return;
    var next = (current + 1) % inputs.length;
    inputs[next].click();
    inputs[next].focus();
  });
})();
