// Scene 10's partition control (raftsite/controls/partition.py). Three ways to move a server
// to a side of the network partition, all ending in Scene.set_control("partition", name, side):
//
// * pointer: drag a server and drop it on the left (side A) or right (side B) half of the
//   diagram; drop zones show while dragging. A press without a drag stays a click (crash /
//   restart, the glue's own handler).
// * keyboard: focus a server (Tab) and press ← or A for side A, → or B for side B; focus stays
//   on the server after the diagram redraws it in its new place.
// * a menu per server, kept in step with the sides Python reports (the status panel carries
//   them in data-sides, so partitions made by the scenario script show there too).

const SVGNS = "http://www.w3.org/2000/svg";

export function wire(ui) {
  const diagram = ui.q('[data-role="diagram"]');
  const menus = ui.q('[data-role="partition-menus"]');
  const status = ui.q('[data-panel="partition"]');
  if (!diagram) return;
  ui.el.classList.add("raft-scene--partition");
  const selects = new Map();

  const focusServer = (name) => {
    const g = diagram.querySelector(`[data-server="${CSS.escape(name)}"]`);
    if (g) g.focus();
  };
  const move = (name, side, refocus) => {
    if (!ui.scene) return;
    // the focus goes back to the server once Python has redrawn it in its new place
    ui.call(() => ui.scene.set_control("partition", name, side)).then(() => refocus && focusServer(name));
  };

  // ---------------------------------------------------------------- menus
  const addOption = (sel, side) => {
    const o = document.createElement("option");
    o.value = side;
    o.textContent = `side ${side}`;
    sel.append(o);
  };
  for (const name of ui.config.servers || []) {
    const label = document.createElement("label");
    label.className = "raft-partition__menu";
    const sel = document.createElement("select");
    sel.dataset.partitionServer = name;
    sel.setAttribute("aria-label", `Side of the partition for ${name}`);
    for (const side of ["A", "B"]) addOption(sel, side);
    sel.addEventListener("change", () => {
      if (sel.value === "A" || sel.value === "B") move(name, sel.value, false);
    });
    label.append(document.createTextNode(`${name} `), sel);
    menus && menus.append(label);
    selects.set(name, sel);
  }
  const sync = () => {
    const span = status && status.querySelector("[data-sides]");
    if (!span) return;
    for (const pair of span.dataset.sides.split(",")) {
      const [name, side] = pair.split("=");
      const sel = selects.get(name);
      if (!sel) continue;
      if (![...sel.options].some((o) => o.value === side)) addOption(sel, side);
      if (sel.value !== side) sel.value = side;
    }
    ui.el.dataset.partitioned = span.dataset.sides.includes("=B") ? "true" : "false";
  };
  if (status) {
    const mo = new MutationObserver(sync);
    mo.observe(status, { childList: true, subtree: true, characterData: true });
    ui.cleanups.push(() => mo.disconnect());
    sync();
  }

  // ---------------------------------------------------------------- keyboard
  diagram.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const g = e.target.closest && e.target.closest("[data-server]");
    if (!g) return;
    let side = null;
    if (e.key === "ArrowLeft" || e.key === "a" || e.key === "A") side = "A";
    else if (e.key === "ArrowRight" || e.key === "b" || e.key === "B") side = "B";
    if (!side) return;
    e.preventDefault();
    move(g.dataset.server, side, true);
  });

  // ---------------------------------------------------------------- pointer
  let drag = null;
  let swallowClick = false;
  // the drawing on screen (the renderer writes a desktop and a phone drawing; CSS shows one)
  const svg = () => [...diagram.querySelectorAll("svg")].find((s) => s.getBoundingClientRect().width > 0) || null;
  const point = (e) => {
    const s = svg();
    const m = s && s.getScreenCTM();
    if (!m) return { x: 0, y: 0 };
    const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(m.inverse());
    return { x: p.x, y: p.y };
  };
  const width = () => {
    const s = svg();
    return s && s.viewBox && s.viewBox.baseVal ? s.viewBox.baseVal.width : 800;
  };
  const zones = () => {
    const s = svg();
    if (!s) return null;
    const vb = s.viewBox.baseVal;
    const g = document.createElementNS(SVGNS, "g");
    g.setAttribute("class", "raft-dropzones");
    g.setAttribute("aria-hidden", "true");
    for (const [side, x] of [["A", 0], ["B", vb.width / 2]]) {
      const z = document.createElementNS(SVGNS, "g");
      z.setAttribute("class", "raft-dropzone");
      z.dataset.side = side;
      const r = document.createElementNS(SVGNS, "rect");
      r.setAttribute("x", x + 4);
      r.setAttribute("y", 4);
      r.setAttribute("width", vb.width / 2 - 8);
      r.setAttribute("height", vb.height - 8);
      r.setAttribute("rx", 10);
      const t = document.createElementNS(SVGNS, "text");
      t.setAttribute("x", x + vb.width / 4);
      t.setAttribute("y", vb.height - 14);
      t.setAttribute("text-anchor", "middle");
      t.textContent = `drop here: side ${side}`;
      z.append(r, t);
      g.append(z);
    }
    s.append(g);
    return g;
  };
  const hover = (z, x) => {
    if (!z) return;
    const side = x < width() / 2 ? "A" : "B";
    for (const d of z.querySelectorAll(".raft-dropzone")) d.classList.toggle("raft-dropzone--over", d.dataset.side === side);
  };

  diagram.addEventListener("pointerdown", (e) => {
    swallowClick = false;
    if (e.button !== 0 || !ui.scene) return;
    const g = e.target.closest && e.target.closest("[data-server]");
    if (!g) return;
    const p = point(e);
    const m = /translate\(\s*([-\d.]+)[\s,]+([-\d.]+)\s*\)/.exec(g.getAttribute("transform") || "");
    drag = { g, deco: g.id ? document.getElementById(`${g.id}-deco`) : null,
             name: g.dataset.server, id: e.pointerId, x0: p.x, y0: p.y, cx: m ? +m[1] : 0, cy: m ? +m[2] : 0,
             transform: g.getAttribute("transform"), moved: false, zones: null };
  });
  diagram.addEventListener("pointermove", (e) => {
    if (!drag || e.pointerId !== drag.id) return;
    const p = point(e);
    const dx = p.x - drag.x0;
    const dy = p.y - drag.y0;
    if (!drag.moved) {
      if (Math.hypot(dx, dy) < 6) return;
      drag.moved = true;
      try {
        diagram.setPointerCapture(e.pointerId);
      } catch (_) {}
      ui.el.classList.add("raft-scene--dragging");
      drag.g.classList.add("raft-server--dragged");
      drag.zones = zones();
    }
    e.preventDefault();
    const moved = `translate(${(drag.cx + dx).toFixed(1)} ${(drag.cy + dy).toFixed(1)})`;
    drag.g.setAttribute("transform", moved);
    if (drag.deco) drag.deco.setAttribute("transform", moved); // the server's picture goes with its button
    hover(drag.zones, p.x);
  });
  const end = (e, cancelled) => {
    if (!drag || e.pointerId !== drag.id) return;
    const d = drag;
    drag = null;
    if (!d.moved) return;
    swallowClick = true; // the click that follows a drag is not a crash/restart
    if (d.zones) d.zones.remove();
    ui.el.classList.remove("raft-scene--dragging");
    d.g.classList.remove("raft-server--dragged");
    if (d.g.isConnected && d.transform) d.g.setAttribute("transform", d.transform);
    if (d.deco && d.deco.isConnected && d.transform) d.deco.setAttribute("transform", d.transform);
    if (!cancelled) move(d.name, point(e).x < width() / 2 ? "A" : "B", false);
  };
  diagram.addEventListener("pointerup", (e) => end(e, false));
  diagram.addEventListener("pointercancel", (e) => end(e, true));
  diagram.addEventListener(
    "click",
    (e) => {
      if (!swallowClick) return;
      swallowClick = false;
      e.stopImmediatePropagation();
      e.preventDefault();
    },
    true
  );
}
