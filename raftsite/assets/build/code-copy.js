// Build Raft — inlined by the MkDocs plugin (plugin/material_start.py) at the end of every
// page's <head>: the copy buttons the build writes into each code block (`pre > code`) copy it.
// Material's bundle added those buttons itself as it started (the `content.code.copy` feature,
// which mkdocs.yml no longer lists): each insertion, followed by a read of the block's width,
// laid the block out again inside its start-up task. Written by the build, they are in the
// first layout, and they work before the bundle runs. What is copied is what Material copied
// (its `data-md-copying` hides annotations and line numbers while the text is read); once the
// bundle is up, its `alert$` says "Copied to clipboard", as it did.
(function () {
  document.addEventListener("click", function (e) {
    var button = e.target instanceof Element ? e.target.closest(".md-code__button[data-md-type=copy]") : null;
    var code = button && button.closest("pre") ? button.closest("pre").querySelector(":scope > code") : null;
    if (!code) return;
    code.setAttribute("data-md-copying", "");
    var holder = code.closest("[data-copy]");
    var text = (holder ? holder.getAttribute("data-copy") : code.innerText).trimEnd();
    code.removeAttribute("data-md-copying");
    navigator.clipboard.writeText(text).then(function () {
      button.focus();
      if (window.alert$) window.alert$.next("Copied to clipboard");
    }, function (err) {
      console.warn("raft: the code was not copied: " + err);
    });
  });
})();
