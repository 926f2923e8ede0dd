// Scene 03's "Run 1,000 elections" (raftsite/controls/elections.py): the Figure 16 experiment
// in the browser, in the Python worker: batches of trials (about BATCH_MS of Python each),
// the next asked for as soon as one is answered, so the worker never waits and the page never
// stalls; a progress bar, a status line and a Stop button that ends the run early.
// Timings for the benchmark: window.__raft.timings.elections.

const BATCH_MS = 40;

export function wire(ui) {
  const q = ui.q;
  const go = q('[data-action="elections"]');
  const stop = q('[data-action="elections-stop"]');
  const bar = q('[data-role="elections-progress"]');
  const status = q('[data-role="elections-status"]');
  let t0 = 0;
  let frames = []; // ms from asking for a batch to its answer
  let running = false;
  let stopped = false; // Stop was pressed: a batch answered after it is not shown

  const sel = () => q('[data-control="timeout_range"]');

  const show = (e) => {
    if (!status) return;
    const range = e.range.replace("-", "–");
    if (!e.done) status.textContent = `Running ${e.total} elections with ${range} ms…`;
    else {
      const med = Math.round(e.median);
      const wall = ((performance.now() - t0) / 1000).toFixed(1);
      status.textContent =
        e.finished || e.stopped
          ? `${range} ms: ${e.done} elections in ${wall} s; median ${med} ms, max ${Math.round(e.max)} ms.`
          : `${range} ms: ${e.done} of ${e.total} elections; median so far ${med} ms.`;
    }
    ui.el.dataset.elections = e.finished || e.stopped ? "done" : "running";
    window.__raft.timings.elections = Object.assign({}, e, { wallMs: performance.now() - t0, frames: frames.slice() });
  };

  const end = () => {
    running = false;
    if (go) go.disabled = false;
    if (sel()) sel().disabled = false;
    if (stop) {
      stop.hidden = true;
      stop.disabled = true;
    }
    if (go) go.focus();
  };

  // One batch per animation frame, computed in the Python worker while the page paints.
  const step = async () => {
    if (!ui.scene || !ui.el.isConnected) return;
    const t = performance.now();
    const out = await ui.action("elections", "batch", BATCH_MS);
    frames.push(performance.now() - t);
    if (stopped) return;
    if (!out) return end();
    ui.applyPanels(out.panels);
    const e = out.elections;
    if (e) {
      if (bar) bar.value = e.done;
      show(e);
    }
    if (!e || e.finished) return end();
    step(); // at once: the answer was painted, the worker computes the next batch meanwhile
  };

  go?.addEventListener("click", async () => {
    if (!ui.scene || running) return;
    running = true;
    stopped = false;
    const out = await ui.action("elections", "start", null);
    if (!out) return end();
    const s = out.elections;
    t0 = performance.now();
    frames = [];
    go.disabled = true;
    if (sel()) sel().disabled = true;
    if (stop) {
      stop.hidden = false;
      stop.disabled = false;
    }
    if (bar) {
      bar.hidden = false;
      bar.max = s.total;
      bar.value = 0;
    }
    show(s);
    step();
  });

  stop?.addEventListener("click", async () => {
    if (!ui.scene) return;
    stopped = true;
    const out = await ui.action("elections", "stop", null);
    if (out) {
      ui.applyPanels(out.panels);
      if (out.elections) show(out.elections);
    }
    end();
  });

  ui.cleanups.push(() => {
    stopped = true;
  });
}
