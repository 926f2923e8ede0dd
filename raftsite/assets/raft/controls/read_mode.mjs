// Scene 10's read-path menu (raftsite/controls/read_mode.py): "Local read" IS the scene's unsafe
// switch local_reads, so the menu and the "Defend it" checkbox show the same thing. Python keeps
// the truth (Scene.unsafe_on); this module only keeps the two widgets in step.

export function wire(ui) {
  const sel = ui.q('[data-control="read_mode"]');
  if (!sel) return;
  const boxes = () => document.querySelectorAll('[data-action="unsafe"][data-switch="local_reads"]');
  let lastSafe = sel.value === "local" ? "read_index" : sel.value;

  // The menu chose: tick or untick the "Defend it" boxes to match (the glue wired the menu itself).
  sel.addEventListener("change", () => {
    const local = sel.value === "local";
    if (!local) lastSafe = sel.value;
    for (const b of boxes()) b.checked = local;
    ui.el.classList.toggle("raft-scene--unsafe", local);
  });
  // "Defend it" was ticked or unticked: show it in the menu (Python already restarted the scene).
  for (const b of boxes()) {
    b.addEventListener("change", () => {
      sel.value = b.checked ? "local" : lastSafe;
    });
  }
  // The scene may start with local reads (the block's mode: local).
  if (sel.value === "local") for (const b of boxes()) b.checked = true;
}
