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

import { wireSideDrag } from "../drag-sides.mjs";

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
  wireSideDrag(ui, diagram, { move: (name, side) => move(name, side, false) });
}
