// Build Raft — inlined by the MkDocs plugin (plugin/material_start.py) at the end of every
// page's <head>: the copy buttons the build writes into each code block (`pre > code`) copy it.
// Material's bundle added those buttons itself as it started (the `content.code.copy` feature,
// which mkdocs.yml no longer lists): each insertion, followed by a read of the block's width,
// laid the block out again inside its start-up task. Written by the build, they are in the
// first layout, and they work before the bundle runs. What is copied is what Material copied
// (its `data-md-copying` hides annotations and line numbers while the text is read); once the
// bundle is up, its `alert$` says "Copied to clipboard", as it did. Where the Clipboard API is
// missing (a page served over plain HTTP from another machine), it copies as Material's
// clipboard.js did: a selected, off-screen textarea and the "copy" command.
(function () {
  function copyBySelection(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.top = "-1000px";
    document.body.appendChild(area);
    area.select();
    var done = false;
    try {
      done = document.execCommand("copy");
    } finally {
      area.remove();
    }
    return done ? Promise.resolve() : Promise.reject(new Error("the copy command was refused"));
  }

  document.addEventListener("click", function (e) {
    var button = e.target instanceof Element ? e.target.closest(".md-code__button[data-md-type=copy]") : null;
    var code = button && button.closest("pre") ? button.closest("pre").querySelector(":scope > code") : null;
    if (!code) return;
    code.setAttribute("data-md-copying", "");
    var holder = code.closest("[data-copy]");
    var text = (holder ? holder.getAttribute("data-copy") : code.innerText).trimEnd();
    code.removeAttribute("data-md-copying");
    var copied = navigator.clipboard && window.isSecureContext ? navigator.clipboard.writeText(text) : copyBySelection(text);
    copied.then(function () {
      button.focus();
      if (window.alert$) window.alert$.next("Copied to clipboard");
    }, function (err) {
      console.warn("raft: the code was not copied: " + err);
    });
  });
})();
