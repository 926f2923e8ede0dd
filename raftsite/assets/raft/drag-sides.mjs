// Drag a server of a scene's diagram to a side of a network partition: the left half of the
// drawing is side A, the right half side B. Used by scene 10's partition control and the
// playground (controls/partition.mjs, controls/playground.mjs), which say what a move does.
//
// Drop zones show while dragging; the server's button and its picture follow the pointer and go
// back to their place when it is released (Python redraws the server on its new side). A press
// without a drag stays a click (the glue opens the server's panel); the click that ends a drag
// is swallowed.

const SVGNS = "http://www.w3.org/2000/svg";

// `move(name, side)` carries out a drop; `onStart()` runs when a press becomes a drag.
export function wireSideDrag(ui, diagram, { move, onStart = () => {} }) {
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
    return s && s.viewBox && s.viewBox.baseVal ? s.viewBox.baseVal.width : 520;
  };
  const sideAt = (x) => (x < width() / 2 ? "A" : "B");
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
      onStart();
      ui.el.classList.add("raft-scene--dragging");
      drag.g.classList.add("raft-server--dragged");
      drag.zones = zones();
    }
    e.preventDefault();
    const moved = `translate(${(drag.cx + dx).toFixed(1)} ${(drag.cy + dy).toFixed(1)})`;
    drag.g.setAttribute("transform", moved);
    if (drag.deco) drag.deco.setAttribute("transform", moved); // the server's picture goes with its button
    if (drag.zones) {
      const side = sideAt(p.x);
      for (const d of drag.zones.querySelectorAll(".raft-dropzone")) d.classList.toggle("raft-dropzone--over", d.dataset.side === side);
    }
  });
  const end = (e, cancelled) => {
    if (!drag || e.pointerId !== drag.id) return;
    const d = drag;
    drag = null;
    if (!d.moved) return;
    swallowClick = true; // the click that follows a drag does not open the server's panel
    if (d.zones) d.zones.remove();
    ui.el.classList.remove("raft-scene--dragging");
    d.g.classList.remove("raft-server--dragged");
    if (d.g.isConnected && d.transform) d.g.setAttribute("transform", d.transform);
    if (d.deco && d.deco.isConnected && d.transform) d.deco.setAttribute("transform", d.transform);
    if (!cancelled) move(d.name, sideAt(point(e).x));
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
