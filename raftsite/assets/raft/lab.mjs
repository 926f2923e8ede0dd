// Build Raft — the lab page's glue (docs/lab.md; the markup is raftsite/lab_page.py's).
//
// * boots Python through raft-boot.mjs (the same singleton the scenes use) and imports the
//   lab's bridge, raftsite.lab_bridge;
// * reads the settings from the address (a bad parameter is a message on the page, the form
//   keeps its defaults) and writes them back, so a result can be shared as a link;
// * runs the seeded schedules in slices of BUDGET_MS of Python per animation frame, so the
//   page stays responsive: a progress bar, a Stop button, a polite status line;
// * fills the result tables (per property, availability, faults, failing runs with a link to
//   the replay view) from the bridge's JSON summary.
//
// Loaded by a <script type="module"> in the page. With Material's instant navigation a module
// runs once per document, so it mounts the lab again on every page change (document$).
// Test hook: window.__raftLab = { ui, last } (last: the latest summary and failures).

import { boot } from "./raft-boot.mjs";

const BUDGET_MS = 12; // Python time per animation frame: the frame stays well under 16 ms
const MAX_FAILURE_ROWS = 100; // failing runs listed (the count in the property table is complete)
const ANNOUNCE_MS = 2000; // the status line (aria-live polite) changes at most this often while running

const shared = (window.__raftLab = window.__raftLab || { ui: null, last: null, kept: null, subscribed: false });

const fmt = (n, digits = 0) =>
  n === null || n === undefined || Number.isNaN(n)
    ? "—"
    : Number(n).toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

// The last line of a Python exception's message: "LabSettingsError: …" without the class name.
function pyMessage(err) {
  const text = err && err.message ? err.message : String(err);
  const line = text.split("\n").filter((l) => l.trim()).pop() || text;
  return line.replace(/^[\w.]*(Error|Exception): /, "");
}

// Runs finished: Lab.summary() gives them as runs_done ("runs" is the batch's size there);
// the partial summary of each batch() as runs.
const runsDone = (summary) => (summary.runs_done !== undefined ? summary.runs_done : summary.runs);

function cell(tag, text, attrs = {}) {
  const el = document.createElement(tag);
  if (text !== undefined && text !== null) el.textContent = String(text);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

class LabUI {
  constructor(root) {
    this.root = root;
    this.q = (sel) => root.querySelector(sel);
    this.form = this.q('[data-role="lab-form"]');
    this.lab = null; // the Python Lab while a batch runs
    this.raf = null;
    this.lastAnnounce = 0;
    this.settings = null; // the settings of the batch shown in the tables
    root.dataset.state = "booting";
  }

  status(text) {
    this.q('[data-role="lab-status"]').textContent = text;
  }

  message(text) {
    const m = this.q('[data-role="lab-message"]');
    m.textContent = text || "";
    m.hidden = !text;
  }

  async start() {
    let py;
    try {
      py = await boot();
      this.bridge = py.pyodide.pyimport("raftsite.lab_bridge");
    } catch (err) {
      this.root.dataset.state = "failed";
      this.status("");
      this.message(`Python could not start in this browser: ${pyMessage(err)}. Reload the page to try again.`);
      return;
    }
    if (!this.root.isConnected) return; // navigated away while booting
    this.schema = JSON.parse(this.bridge.schema());
    this.defaults = Object.fromEntries(this.schema.map((s) => [s.name, s.default]));
    for (const el of this.root.querySelectorAll("button, input")) el.disabled = false;
    this.q('[data-action="lab-stop"]').disabled = true;
    this.wire();
    const query = location.search;
    if (query.length > 1) {
      try {
        this.fill(JSON.parse(this.bridge.settings_from_query(query)));
      } catch (err) {
        this.message(`The address has a setting the lab cannot use: ${pyMessage(err)}. The form shows the default settings.`);
      }
    }
    this.root.dataset.state = "ready";
    const kept = shared.kept;
    if (kept && kept.query === this.query(this.read())) {
      // back from a replay (instant navigation): the results of these very settings
      this.settings = kept.settings;
      this.render(kept.summary, kept.failures, kept.note);
      this.status(`Ready. The tables show your last batch with these settings (${kept.note}).`);
    } else {
      this.status("Ready. Press Run to start the batch.");
    }
  }

  wire() {
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!this.lab) this.run();
    });
    this.q('[data-action="lab-stop"]').addEventListener("click", () => this.stop());
    this.q('[data-action="lab-defaults"]').addEventListener("click", () => {
      this.fill(this.defaults);
      this.message("");
      this.remember(this.read());
    });
    this.form.addEventListener("change", () => {
      // a valid form goes into the address at once; an invalid one says why
      try {
        this.remember(this.read(), true);
        this.message("");
      } catch (err) {
        this.message(pyMessage(err));
      }
    });
  }

  // ---------------------------------------------------------------- settings

  read() {
    const out = {};
    for (const item of this.schema) {
      if (item.kind === "switches") {
        out[item.name] = Array.from(this.form.querySelectorAll(`input[data-setting="${item.name}"]:checked`)).map((b) => b.value);
      } else {
        const el = this.form.querySelector(`[data-setting="${item.name}"]`);
        if (!el) continue;
        out[item.name] = item.kind === "bool" ? el.checked : el.value.trim();
      }
    }
    return out;
  }

  fill(settings) {
    for (const item of this.schema) {
      if (!(item.name in settings)) continue;
      const v = settings[item.name];
      if (item.kind === "switches") {
        for (const box of this.form.querySelectorAll(`input[data-setting="${item.name}"]`)) box.checked = v.includes(box.value);
      } else {
        const el = this.form.querySelector(`[data-setting="${item.name}"]`);
        if (!el) continue;
        if (item.kind === "bool") el.checked = !!v;
        else el.value = String(v);
      }
    }
  }

  // The address's query for these settings (null if they are not valid).
  query(settings) {
    try {
      return this.bridge.settings_query(JSON.stringify(settings));
    } catch (_) {
      return null;
    }
  }

  // Put the settings in the address (replaceState: no new history entry per change);
  // `strict`: throw the lab's message when they are not valid.
  remember(settings, strict = false) {
    let q;
    try {
      q = this.bridge.settings_query(JSON.stringify(settings));
    } catch (err) {
      if (strict) throw err;
      return;
    }
    const url = new URL(location.href);
    url.search = q;
    history.replaceState(history.state, "", url);
  }

  // ---------------------------------------------------------------- running

  run() {
    const form = this.read();
    let settings;
    try {
      this.lab = this.bridge.Lab(JSON.stringify(form));
      settings = JSON.parse(this.lab.summary()).settings; // as the lab understood them
    } catch (err) {
      this.message(`Cannot run: ${pyMessage(err)}`);
      return;
    }
    this.message("");
    this.settings = settings;
    this.remember(settings);
    this.runningQuery = this.query(settings);
    this.total = settings.runs;
    this.found = []; // failures so far, listed as they are found
    this.q('[data-role="lab-failures"]').hidden = true;
    const bar = this.q('[data-role="lab-progress"]');
    bar.max = this.total;
    bar.value = 0;
    this.setRunning(true);
    this.status(`Running ${fmt(this.total)} runs…`);
    this.lastAnnounce = performance.now();
    this.lastRender = 0;
    const tick = () => {
      this.raf = null;
      if (!this.lab) return;
      if (!this.root.isConnected) {
        this.stop(); // navigated away: keep what was done
        return;
      }
      let out;
      try {
        out = JSON.parse(this.lab.batch(BUDGET_MS));
      } catch (err) {
        this.message(`The lab stopped with an error: ${pyMessage(err)}`);
        this.finish(null, "stopped by an error");
        return;
      }
      if (out.new_failures && out.new_failures.length) {
        this.found.push(...out.new_failures);
        this.renderFailures(this.found);
      }
      this.progress(out);
      if (out.done) this.finish(out, null);
      else this.raf = requestAnimationFrame(tick);
    };
    this.raf = requestAnimationFrame(tick);
  }

  progress(out) {
    const done = out.runs_done;
    this.q('[data-role="lab-progress"]').value = done;
    this.q('[data-role="lab-count"]').textContent = `${fmt(done)} / ${fmt(this.total)}`;
    const now = performance.now();
    if (now - this.lastRender > 250 && out.summary) {
      this.lastRender = now;
      this.render(out.summary, null, null);
    }
    if (now - this.lastAnnounce > ANNOUNCE_MS) {
      this.lastAnnounce = now;
      this.status(`${fmt(done)} of ${fmt(this.total)} runs done, ${fmt(out.summary ? out.summary.failed : 0)} failed…`);
    }
  }

  stop() {
    if (!this.lab) return;
    try {
      this.lab.stop();
    } catch (_) {}
    let summary = null;
    try {
      summary = JSON.parse(this.lab.summary());
    } catch (_) {}
    this.finish({ summary, stopped: true }, "stopped");
  }

  finish(out, why) {
    if (this.raf !== null) cancelAnimationFrame(this.raf);
    this.raf = null;
    const lab = this.lab;
    this.lab = null;
    let summary = out && out.summary;
    let failures = [];
    try {
      if (lab) {
        summary = JSON.parse(lab.summary());
        failures = JSON.parse(lab.failures());
      }
    } catch (_) {}
    if (lab) lab.destroy();
    this.setRunning(false);
    if (!summary) return;
    const done = runsDone(summary);
    const note = why ? `${why} after ${fmt(done)} of ${fmt(this.total)} runs` : `${fmt(done)} runs`;
    shared.kept = { query: this.runningQuery, settings: this.settings, summary, failures, note };
    shared.last = { summary, failures, settings: this.settings, stopped: !!why };
    if (this.root.isConnected) {
      this.render(summary, failures, note);
      const failed = summary.failed;
      this.status(
        why
          ? `Stopped after ${fmt(done)} of ${fmt(this.total)} runs: ${fmt(failed)} failed.`
          : failed
            ? `Done: ${fmt(failed)} of ${fmt(done)} runs failed. The failing runs are listed below with their seeds.`
            : `Done: all ${fmt(done)} runs held every property.`
      );
    }
  }

  setRunning(on) {
    this.root.dataset.state = on ? "running" : "ready";
    this.q('[data-action="lab-run"]').disabled = on;
    this.q('[data-action="lab-defaults"]').disabled = on;
    const stop = this.q('[data-action="lab-stop"]');
    stop.disabled = !on;
    for (const el of this.form.querySelectorAll("input")) el.disabled = on;
    if (on) stop.focus();
    else if (document.activeElement === stop || document.activeElement === document.body) this.q('[data-action="lab-run"]').focus();
  }

  // ---------------------------------------------------------------- results

  render(summary, failures, note) {
    const box = this.q('[data-role="lab-results"]');
    box.hidden = false;
    box.dataset.runs = String(runsDone(summary));
    // per property
    const props = this.q('[data-role="lab-properties"] tbody');
    props.replaceChildren(
      ...summary.properties.map((p) => {
        const tr = document.createElement("tr");
        tr.dataset.invariant = p.invariant;
        const failed = p.runs - p.held - (p.unknown || 0);
        tr.className = failed > 0 ? "raft-lab__row--bad" : "raft-lab__row--ok";
        tr.append(
          cell("th", p.label, { scope: "row" }),
          cell("td", fmt(p.held), { "data-held": String(p.held) }),
          cell("td", fmt(p.runs)),
          cell("td", fmt(failed) + (p.unknown ? ` (+${fmt(p.unknown)} unknown)` : ""), { "data-failed": String(failed) })
        );
        return tr;
      })
    );
    // availability
    const a = summary.availability || {};
    const lat = a.commit_latency_ms || {};
    const rlat = a.read_latency_ms || {};
    const rows = [
      ["Time without a leader", a.leaderless_ms_per_run === null || a.leaderless_ms_per_run === undefined
        ? "—" : `${fmt(a.leaderless_ms_per_run)} ms per run (${fmt(100 * (a.leaderless_fraction || 0), 1)}% of the fault phase)`, "leaderless"],
      ["Commit latency (writes)", lat.p50 === null || lat.p50 === undefined ? "—" : `p50 ${fmt(lat.p50)} ms · p90 ${fmt(lat.p90)} ms · p99 ${fmt(lat.p99)} ms`, "commit-latency"],
      ["Read latency", rlat.p50 === null || rlat.p50 === undefined ? "—" : `p50 ${fmt(rlat.p50)} ms · p90 ${fmt(rlat.p90)} ms · p99 ${fmt(rlat.p99)} ms`, "read-latency"],
      ["Messages per committed entry", fmt(a.messages_per_committed_entry, 1), "messages"],
      ["Client operations completed", fmt(a.operations), "operations"],
    ];
    this.q('[data-role="lab-availability"] tbody').replaceChildren(
      ...rows.map(([k, v, key]) => {
        const tr = document.createElement("tr");
        tr.dataset.figure = key;
        tr.append(cell("th", k, { scope: "row" }), cell("td", v));
        return tr;
      })
    );
    // faults
    const faults = Object.entries(summary.faults || {});
    this.q('[data-role="lab-faults"] tbody').replaceChildren(
      ...(faults.length
        ? faults.map(([k, v]) => {
            const tr = document.createElement("tr");
            tr.append(cell("th", k.replace(":", ": "), { scope: "row" }), cell("td", fmt(v)));
            return tr;
          })
        : [(() => {
            const tr = document.createElement("tr");
            tr.append(cell("td", "none", { colspan: "2" }));
            return tr;
          })()])
    );
    if (failures) this.renderFailures(failures);
    const cli = this.q('[data-role="lab-cli"]');
    if (this.settings) {
      try {
        cli.textContent = this.bridge.cli_command(JSON.stringify(this.settings));
      } catch (_) {}
    }
    if (note) box.dataset.note = note;
  }

  renderFailures(failures) {
    const table = this.q('[data-role="lab-failures"]');
    table.hidden = failures.length === 0;
    const base = this.root.dataset.replay;
    const shown = failures.slice(0, MAX_FAILURE_ROWS);
    const rows = shown.map((f) => {
        const tr = document.createElement("tr");
        tr.dataset.seed = String(f.seed);
        const link = document.createElement("a");
        link.href = `${base}?${this.bridge.replay_query(f.seed, JSON.stringify(this.settings))}`;
        link.textContent = `Replay run ${f.seed}`;
        link.dataset.role = "lab-replay-link";
        const report = cell("td");
        const first = String(f.report || "").split("\n")[0];
        report.append(cell("span", first));
        tr.append(
          cell("th", String(f.seed), { scope: "row" }),
          cell("td", f.label, { "data-invariant": f.invariant }),
          cell("td", `${fmt(f.time, 1)} ms`),
          cell("td", `${fmt(f.event)} of ${fmt(Math.max(f.events || 0, f.event))}`),
          report,
          (() => {
            const td = document.createElement("td");
            td.append(link);
            return td;
          })()
        );
        return tr;
      });
    if (failures.length > shown.length) {
      const tr = document.createElement("tr");
      tr.append(cell("td", `… and ${fmt(failures.length - shown.length)} more failing runs (the first ${fmt(shown.length)} are listed).`, { colspan: "6" }));
      rows.push(tr);
    }
    table.querySelector("tbody").replaceChildren(...rows);
  }
}

// ------------------------------------------------------------------ page lifecycle

function mount() {
  const root = document.querySelector(".raft-lab");
  if (shared.ui && shared.ui.root !== root) {
    if (shared.ui.lab) shared.ui.stop();
    shared.ui = null;
  }
  if (!root || shared.ui) return;
  shared.ui = new LabUI(root);
  shared.ui.start();
}

if (!shared.subscribed) {
  shared.subscribed = true;
  if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(() => mount());
  else mount();
}
mount();
