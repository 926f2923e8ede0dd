// Scene 11's membership control (raftsite/controls/membership.py): a server selector with Add
// and Remove buttons. Each press is one request to the cluster; a request the cluster refuses
// ("S2 is already a member") is shown as a message and the simulation goes on.

export function wire(ui) {
  const select = ui.q('[data-role="membership-server"]');
  for (const op of ["add", "remove"]) {
    const button = ui.q(`[data-action="membership-${op}"]`);
    if (!button || !select) continue;
    button.addEventListener("click", async () => {
      if (!ui.scene) return;
      const out = await ui.action("membership", op, select.value);
      if (!out) return;
      if (!out.ok) {
        ui.message(out.message);
        return;
      }
      ui.message("");
      if (out.updates) ui.apply(out.updates);
      ui.status(out.status); // after the updates: the glue's own status line would replace it
    });
  }
}
