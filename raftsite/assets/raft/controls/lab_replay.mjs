// The lab's replay view (raftsite/controls/lab_replay.py): hold the run on its failure.
//
// Python has already put the run on the step where the checker caught it (the address names
// the run; the glue hands the scene the address's query). Scenes open paused; put the run back
// on the failure exactly, and offer "Go to the violation" only when the run did fail (a bare
// address, or a run that held everything, has no violation to go to).
export function wire(ui) {
  place(ui);
  ui.afterReset.push(() => place(ui)); // another seed: another run, which may or may not fail
}

async function place(ui) {
  const st = JSON.parse(await ui.scene.status()).lab_replay;
  const button = ui.q('[data-control="lab_replay"][data-target="failure"]');
  const failed = !!(st && !st.error && st.failure);
  if (button) button.hidden = !failed;
  if (st && st.error) {
    // the empty state, where the reader looks first: what this page is for and how to get a run
    ui.message(`No lab run to replay: this address does not name one (${st.error}). The diagram shows an idle cluster meanwhile.`);
  }
  if (!failed) return;
  ui.setPlaying(false);
  ui.call(() => ui.scene.set_control("lab_replay", "failure", ""));
}
