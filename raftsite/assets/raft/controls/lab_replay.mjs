// The lab's replay view (raftsite/controls/lab_replay.py): hold the run on its failure.
//
// Python has already put the run on the step where the checker caught it (the address names
// the run; the glue hands the scene the address's query). The glue starts every scene
// playing; a run that failed its linearizability check is not halted there — the servers
// broke no invariant — so it would play on past the failure. Pause, and put it back on the
// failure exactly (a frame or two may have run while this module loaded).
export function wire(ui) {
  const st = JSON.parse(ui.scene.status()).lab_replay;
  if (!st || st.error || !st.failure) return; // no run, or a run that did not fail: play as usual
  ui.setPlaying(false);
  ui.call(() => ui.scene.set_control("lab_replay", "failure", ""));
}
