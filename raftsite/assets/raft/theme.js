// Build Raft — keyboard access to Material's sideways-scrolling tables (WCAG 2.1.1).
//
// On a phone a wide table scrolls inside Material's wrapper (.md-typeset__scrollwrap) so that
// the page itself never gets wider than the screen (theme.css). A wrapper that scrolls must be
// reachable with Tab so that a keyboard reader can scroll it with the arrow keys: it becomes a
// focusable, named region while its table is wider than it is, and an ordinary box otherwise.
// Material replaces the page's content on instant navigation and emits document$ each time.
(function () {
  "use strict";

  function update(wrap) {
    const scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
    if (scrolls && !wrap.hasAttribute("tabindex")) {
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", "Table (scrolls sideways)");
    } else if (!scrolls && wrap.hasAttribute("tabindex")) {
      wrap.removeAttribute("tabindex");
      wrap.removeAttribute("role");
      wrap.removeAttribute("aria-label");
    }
  }

  let observer = null;
  function watch() {
    if (observer) observer.disconnect();
    observer = "ResizeObserver" in window ? new ResizeObserver((entries) => entries.forEach((e) => update(e.target))) : null;
    for (const wrap of document.querySelectorAll(".md-typeset__scrollwrap")) {
      update(wrap);
      if (observer) observer.observe(wrap);
    }
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(() => requestAnimationFrame(watch));
  } else {
    document.addEventListener("DOMContentLoaded", watch);
  }
})();
