// The playground (raftsite/controls/playground.py): the reader's actions, the shareable link.
//
// Python holds the run and its log of actions; this module only turns gestures into
// `await ui.action("playground", name, arg)` calls (the one door into Python: it stays correct
// when Python moves into a worker and the call returns a Promise) and puts the answers in the
// page: `ui.apply(out.updates)`, `ui.message(...)`, the link in the address bar and the
// "Link to this run" field.
//
// * Buttons and inputs with `data-pg="<action>"` in the playground's panels act; their
//   argument is `data-pg-args` (names of `data-pg-input` fields, joined with ","), or the
//   element's own value. Panels are rewritten by Python as the run changes: the reader's
//   picks in `data-pg-input` fields and the focus are kept across rewrites (`data-pg-key`).
// * The inspect panel of a server (the glue's) gets the playground's buttons too — force a
//   timeout, pause, hand it leadership — and its Crash/Restart goes through the playground,
//   so it is recorded in the link.
// * Servers move between partition sides by dragging them to the diagram's left or right
//   half, or with ← / → on a focused server.
// * The address is `?pg=v1.…` (raftsite/playground.py): kept current after every action and
//   whenever the glue would write ?seed=&step= (the playground's link carries both).

import { wireSideDrag } from "../drag-sides.mjs";

const KIND = "playground";

export function wire(ui) {
  const root = ui.el.querySelector('[data-role="playground"]');
  const linkField = ui.el.querySelector('[data-role="pg-link"]');
  const said = ui.el.querySelector('[data-role="pg-said"]');
  const diagram = ui.q('[data-role="diagram"]');
  const inspect = ui.q('[data-role="inspect"]');
  if (!root) return;
  ui.el.classList.add("raft-scene--playground");
  const chosen = new Map(); // data-pg-key of an input -> the reader's pick, kept across panel rewrites
  let busy = Promise.resolve();

  const pageUrl = (code) => {
    const url = new URL(location.href);
    url.search = "";
    url.hash = "";
    url.searchParams.set("pg", code);
    return url.href;
  };
  const showLink = (code) => {
    if (!code) return;
    const href = pageUrl(code);
    if (linkField) linkField.value = href;
    if (href !== location.href) history.replaceState(history.state, "", href);
  };
  const say = (text) => {
    if (said) said.textContent = text || "";
  };

  // One action at a time, in order (after the move to a worker, calls would otherwise interleave).
  const act = (name, arg) => {
    busy = busy.then(async () => {
      const out = await ui.action(KIND, name, arg === undefined || arg === null ? "" : String(arg));
      if (!out) return null;
      if (out.updates) ui.apply(out.updates);
      if (out.restarted) ui.setPlaying(false);
      ui.message(out.error ? `Cannot do that: ${out.error}` : "");
      say(out.said || "");
      showLink(out.link);
      return out;
    }).catch((err) => {
      // one failed action must not stop the ones after it (the chain would stay rejected)
      ui.message(`The playground could not do that: ${err && err.message ? err.message : err}`);
      return null;
    });
    return busy;
  };

  // ------------------------------------------------------------ the panels' controls
  const value = (key) => {
    const el = root.querySelector(`[data-pg-input="${CSS.escape(key)}"]`);
    return el ? el.value : "";
  };
  const argOf = (el) => {
    if (el.dataset.pg === "settings") {
      const v = el.type === "checkbox" ? (el.checked ? "on" : "off") : el.value;
      return `${el.dataset.pgName}=${v}`;
    }
    if (el.dataset.pg === "side") return `${el.dataset.pgServer},${el.value}`;
    if (el.dataset.pg === "unsafe") return `${el.dataset.pgSwitch},${el.checked ? "on" : "off"}`;
    if (el.dataset.pgArgs) return el.dataset.pgArgs.split(",").map(value).join(",");
    return el.tagName === "BUTTON" ? "" : el.value;
  };
  // the panels below the diagram, and "Go to the violation" in the bar above it
  ui.el.addEventListener("click", (e) => {
    const b = e.target.closest && e.target.closest("button[data-pg]");
    if (!b || b.disabled || b.dataset.pg === "link") return;
    act(b.dataset.pg, argOf(b));
  });
  root.addEventListener("change", (e) => {
    const el = e.target;
    if (el.dataset.pgInput !== undefined) chosen.set(el.dataset.pgKey, el.value);
    if (el.dataset.pg && el.tagName !== "BUTTON") act(el.dataset.pg, argOf(el));
  });
  root.addEventListener("input", (e) => {
    const el = e.target;
    if (el.type !== "range") return;
    const out = el.parentElement.querySelector("output");
    if (out) out.textContent = `${el.value}${el.dataset.pgUnit || ""}`;
  });
  // Python rewrote a panel: put back the reader's picks (which server, which link) and the focus.
  let focusKey = null;
  root.addEventListener("focusin", (e) => {
    focusKey = e.target.dataset ? e.target.dataset.pgKey || null : null;
  });
  const restore = () => {
    for (const el of root.querySelectorAll("select[data-pg-input]")) {
      const want = chosen.get(el.dataset.pgKey);
      if (want !== undefined && [...el.options].some((o) => o.value === want)) el.value = want;
    }
    if (focusKey && (!document.activeElement || document.activeElement === document.body)) {
      const again = root.querySelector(`[data-pg-key="${CSS.escape(focusKey)}"]`);
      if (again) again.focus();
    }
  };
  const panelWatch = new MutationObserver(restore);
  panelWatch.observe(root, { childList: true, subtree: true });
  ui.cleanups.push(() => panelWatch.disconnect());

  // Copy link: the run moves to the next tenth of a ms (where the link opens), then the address.
  const copy = ui.el.querySelector('[data-pg="link"]');
  if (copy) {
    copy.addEventListener("click", async () => {
      ui.setPlaying(false);
      const out = await act("link", "");
      if (!out || out.error) return;
      const href = pageUrl(out.link);
      let done = false;
      try {
        if (navigator.clipboard && window.isSecureContext) {
          await navigator.clipboard.writeText(href);
          done = true;
        }
      } catch (_) {
        done = false;
      }
      if (!done && linkField) {
        linkField.focus();
        linkField.select();
      }
      say(done ? "Link copied: it replays this run to this moment." : "Select the link and copy it (Ctrl+C).");
    });
  }
  if (linkField) linkField.addEventListener("focus", () => linkField.select());

  // ------------------------------------------------------------ the inspect panel
  const extra = [
    ["pg-timeout", "Force a timeout"],
    ["pg-pause", "Pause 300 ms"],
    ["pg-transfer", "Hand it leadership"],
  ];
  const decorate = () => {
    const p = inspect && inspect.querySelector(".raft-inspect__actions");
    const toggle = p && p.querySelector('[data-inspect-action="crash"], [data-inspect-action="restart"]');
    if (!toggle || p.querySelector("[data-pg-inspect]")) return;
    const name = toggle.dataset.serverName;
    const close = p.querySelector('[data-inspect-action="close"]');
    for (const [what, text] of extra) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "md-button raft-btn";
      b.dataset.inspectAction = what;
      b.dataset.serverName = name;
      b.dataset.pgInspect = "";
      b.textContent = text;
      p.insertBefore(b, close);
      p.insertBefore(document.createTextNode(" "), close);
    }
  };
  if (inspect) {
    const watch = new MutationObserver(decorate);
    watch.observe(inspect, { childList: true, subtree: true });
    ui.cleanups.push(() => watch.disconnect());
    decorate();
  }
  // Capture: before the glue's own handler, so the playground records the crash or restart.
  const onInspectClick = (e) => {
    const b = e.target.closest && e.target.closest("[data-inspect-action]");
    if (!b || !inspect || !inspect.contains(b)) return;
    const what = b.dataset.inspectAction;
    const name = b.dataset.serverName;
    const map = { crash: ["crash", name], restart: ["restart", name], "pg-timeout": ["timeout", name],
                  "pg-pause": ["pause", `${name},300`], "pg-transfer": ["transfer", name] };
    if (!map[what]) return;
    e.stopPropagation();
    e.preventDefault();
    act(...map[what]).then(() => {
      const again = inspect.querySelector(`[data-inspect-action="${CSS.escape(what)}"]`) ||
        inspect.querySelector('[data-inspect-action="crash"], [data-inspect-action="restart"]');
      if (again) again.focus();
    });
  };
  ui.el.addEventListener("click", onInspectClick, true);
  ui.cleanups.push(() => ui.el.removeEventListener("click", onInspectClick, true));

  // ------------------------------------------------------------ sides by keyboard and pointer
  const sideOf = (name) => {
    const sel = root.querySelector(`select[data-pg="side"][data-pg-server="${CSS.escape(name)}"]`);
    return sel ? sel.value : "A";
  };
  const move = (name, side, refocus) => {
    if (sideOf(name) === side) return;
    act("side", `${name},${side}`).then(() => {
      if (!refocus) return;
      const g = diagram && diagram.querySelector(`[data-server="${CSS.escape(name)}"]`);
      if (g) g.focus();
    });
  };
  if (diagram) {
    diagram.addEventListener("keydown", (e) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const g = e.target.closest && e.target.closest("[data-server]");
      if (!g) return;
      const side = e.key === "ArrowLeft" ? "A" : e.key === "ArrowRight" ? "B" : null;
      if (!side) return;
      e.preventDefault(); // not the glue's Back/Next
      move(g.dataset.server, side, true);
    });
    // the scene pauses while a server is dragged
    wireSideDrag(ui, diagram, { move: (name, side) => move(name, side, false), onStart: () => ui.setPlaying(false) });
  }

  // ------------------------------------------------------------ the address
  // The glue writes ?seed=&step= when its stepper moves; on this page the link says it all.
  const refresh = async () => {
    const out = await ui.action(KIND, "status", "");
    if (out) showLink(out.link);
  };
  ui.writeUrl = () => {
    refresh();
  };
  // …and when the reader pauses, so the address names the moment on screen (the hook the glue
  // lacks: an event when a scene stops playing).
  const setPlaying = ui.setPlaying.bind(ui);
  ui.setPlaying = (on) => {
    const was = ui.playing;
    setPlaying(on);
    if (was && !on) refresh();
  };
  ui.afterReset.push(() => refresh());

  (async () => {
    const params = new URLSearchParams(location.search);
    // The glue has already taken ?step= (its stepper); a playground link names its own moment.
    if (params.has("pg") && params.has("step")) await act("open", params.get("pg"));
    const out = await ui.action(KIND, "status", "");
    if (!out) return;
    showLink(out.link);
    if (out.notes && out.notes.length) ui.message(`This link could not be opened as it is. ${out.notes.join(" ")}`);
  })();
}
