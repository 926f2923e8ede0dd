// Build Raft — the lab page's glue (docs/lab.md; the markup is raftsite/lab_page.py's).
//
// * talks to Python through raft-boot.mjs (the visit's Python worker, the one the scenes use)
//   and the lab's bridge, raftsite.lab_bridge: every call is a message, its answer a Promise;
// * reads the settings from the address (a bad parameter is a message on the page, the form
//   keeps its defaults) and writes them back, so a result can be shared as a link;
// * runs the seeded schedules in the worker in slices of BUDGET_MS of Python, the next asked
//   for as soon as one is answered (the page never waits for Python): a progress bar, a Stop
//   button, a polite status line;
// * fills the result tables (per property, availability, faults, failing runs with a link to
//   the replay view) from the bridge's JSON summary.
//
// Loaded by a <script type="module"> in the page. With Material's instant navigation a module
// runs once per document, so it mounts the lab again on every page change (document$).
// Test hook: window.__raftLab = { ui, last } (last: the latest summary and failures).

import { boot, PythonWorker } from "./raft-boot.mjs";

const BUDGET_MS = 50; // Python time per slice (in the worker: it only sets how often progress shows)
const MAX_FAILURE_ROWS = 100; // failing runs listed (the count in the property table is complete)
const ANNOUNCE_MS = 2000; // the status line (aria-live polite) changes at most this often while running

const shared = (window.__raftLab = window.__raftLab || { ui: null, last: null, kept: null, subscribed: false, following: false });

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

// ------------------------------------------------------------------ a campaign on every core

// Python workers for the lab beyond the visit's own: one per core (navigator.hardwareConcurrency),
// started when the lab page is ready and kept for the visit (each boots its own Pyodide).
const MAX_WORKERS = 8;
shared.extra = shared.extra || []; // PythonWorker, started by window.__raftStartPython()

function pythonWorkers(wanted) {
  const py = window.__raft.python;
  const out = [py];
  while (shared.extra.length < wanted - 1 && window.__raftStartPython) {
    shared.extra.push(new PythonWorker(window.__raftStartPython()));
  }
  return out.concat(shared.extra.slice(0, wanted - 1));
}

// One batch of the lab, spread over workers: worker k runs shard k of n (every n-th seed from
// the k-th: raftcore/lab/shards.py), and the summary is the merge of the shards' partial
// results — the very summary one Lab (or the CLI's --jobs) gives for the same settings.
class Campaign {
  static async start(form, runs) {
    const cores = Math.max(1, Math.min(MAX_WORKERS, navigator.hardwareConcurrency || 1, runs || 1));
    const workers = pythonWorkers(cores);
    const ready = await Promise.allSettled(workers.map((w) => w.ready));
    const usable = workers.filter((w, k) => ready[k].status === "fulfilled");
    const n = usable.length;
    const json = JSON.stringify(form);
    const labs = await Promise.all(usable.map((w, k) => w.call("raftsite.lab_bridge", "Lab", [json], { shard: k, shards: n })));
    return new Campaign(labs);
  }

  constructor(labs) {
    this.shards = labs.map((lab) => ({ lab, out: null }));
    this.stopped = false;
  }

  // Run every shard to its end, slice after slice (the next asked for as soon as one is
  // answered); onSlice(out) after each slice of any shard.
  run(budget, onSlice) {
    return Promise.all(
      this.shards.map(async (shard) => {
        while (!this.stopped) {
          shard.out = JSON.parse(await shard.lab.batch(budget));
          if (this.stopped) return;
          await onSlice(shard.out);
          if (shard.out.done) return;
        }
      })
    );
  }

  // Where the batch is: runs done and failed over every shard.
  progress() {
    let runs_done = 0;
    let failed = 0;
    for (const { out } of this.shards) {
      if (!out) continue;
      runs_done += out.runs_done;
      failed += out.failed;
    }
    return { runs_done, summary: { failed } };
  }

  stop() {
    this.stopped = true;
    for (const { lab } of this.shards) lab.stop().catch(() => {});
  }

  // The merged summary (with its failures, in seed order), computed by the visit's worker.
  async merged(bridge) {
    const partials = await Promise.all(this.shards.map(({ lab }) => lab.partial()));
    return JSON.parse(await bridge.merge(JSON.stringify(partials.map((p) => JSON.parse(p)))));
  }

  release() {
    for (const { lab } of this.shards) lab.release().catch(() => {});
  }
}

class LabUI {
  constructor(root) {
    this.root = root;
    this.q = (sel) => root.querySelector(sel);
    this.form = this.q('[data-role="lab-form"]');
    this.lab = null; // the Python Lab while a batch runs
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
      this.bridge = py.python.module("raftsite.lab_bridge");
      this.schema = JSON.parse(await this.bridge.schema());
    } catch (err) {
      this.root.dataset.state = "failed";
      this.status("");
      this.message(`Python could not start in this browser: ${pyMessage(err)}. Reload the page to try again.`);
      return;
    }
    if (!this.root.isConnected) return; // navigated away while booting
    this.defaults = Object.fromEntries(this.schema.map((s) => [s.name, s.default]));
    for (const el of this.root.querySelectorAll("button, input")) el.disabled = false;
    this.q('[data-action="lab-stop"]').disabled = true;
    this.wire();
    const query = location.search;
    if (query.length > 1) {
      try {
        this.fill(JSON.parse(await this.bridge.settings_from_query(query)));
      } catch (err) {
        this.message(`The address has a setting the lab cannot use: ${pyMessage(err)}. The form shows the default settings.`);
      }
    }
    this.root.dataset.state = "ready";
    // The other cores' Python workers start now, while the reader sets up a batch (each
    // boots its own Pyodide, about a second): Run then finds them ready.
    pythonWorkers(Math.max(1, Math.min(MAX_WORKERS, navigator.hardwareConcurrency || 1)));
    const kept = shared.kept;
    if (kept && kept.query === (await this.query(this.read()))) {
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
      this.remember(this.read(), true).then(
        () => this.message(""),
        (err) => this.message(pyMessage(err))
      );
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
  async query(settings) {
    try {
      return await this.bridge.settings_query(JSON.stringify(settings));
    } catch (_) {
      return null;
    }
  }

  // Put the settings in the address (replaceState: no new history entry per change);
  // `strict`: throw the lab's message when they are not valid.
  async remember(settings, strict = false) {
    let q;
    try {
      q = await this.bridge.settings_query(JSON.stringify(settings));
    } catch (err) {
      if (strict) throw err;
      return;
    }
    const url = new URL(location.href);
    url.search = q;
    history.replaceState(history.state, "", url);
  }

  // ---------------------------------------------------------------- running

  async run() {
    const form = this.read();
    let settings;
    this.lab = "starting"; // a second Run while the first starts does nothing
    let campaign;
    try {
      // Check the settings first, on the visit's worker (a bad form is a message at once).
      const probe = await this.bridge.Lab(JSON.stringify(form));
      settings = JSON.parse(await probe.summary()).settings; // as the lab understood them
      probe.release();
      campaign = await Campaign.start(form, settings.runs);
    } catch (err) {
      this.lab = null;
      this.message(`Cannot run: ${pyMessage(err)}`);
      return;
    }
    this.lab = campaign;
    this.message("");
    this.settings = settings;
    this.remember(settings);
    this.runningQuery = await this.query(settings);
    this.total = settings.runs;
    this.found = []; // failures so far, listed as they are found
    this.q('[data-role="lab-failures"]').hidden = true;
    const bar = this.q('[data-role="lab-progress"]');
    bar.max = this.total;
    bar.value = 0;
    this.setRunning(true);
    this.root.dataset.workers = String(campaign.shards.length);
    this.status(`Running ${fmt(this.total)} runs on ${campaign.shards.length} ${campaign.shards.length === 1 ? "core" : "cores"}…`);
    this.lastAnnounce = performance.now();
    this.lastRender = performance.now();
    let rendering = false;
    const onSlice = async (out) => {
      if (this.lab !== campaign) return; // stopped
      if (!this.root.isConnected) {
        this.stop(); // navigated away: keep what was done
        return;
      }
      if (out.new_failures && out.new_failures.length) {
        this.found.push(...out.new_failures);
        this.found.sort((x, y) => x.seed - y.seed);
        this.renderFailures(this.found);
      }
      this.progress(campaign.progress());
      // The tables show the merged shards about once a second while it runs.
      if (!rendering && performance.now() - this.lastRender > 1000) {
        rendering = true;
        this.lastRender = performance.now();
        try {
          const summary = await campaign.merged(this.bridge);
          if (this.lab === campaign) this.render(summary, null, null);
        } catch (_) {}
        rendering = false;
      }
    };
    campaign.run(BUDGET_MS, onSlice).then(
      () => this.lab === campaign && this.finish(null),
      (err) => {
        if (this.lab !== campaign) return;
        this.message(`The lab stopped with an error: ${pyMessage(err)}`);
        this.finish("stopped by an error");
      }
    );
  }

  progress(out) {
    const done = out.runs_done;
    this.q('[data-role="lab-progress"]').value = done;
    this.q('[data-role="lab-count"]').textContent = `${fmt(done)} / ${fmt(this.total)}`;
    const now = performance.now();
    if (now - this.lastAnnounce > ANNOUNCE_MS) {
      this.lastAnnounce = now;
      this.status(`${fmt(done)} of ${fmt(this.total)} runs done, ${fmt(out.summary ? out.summary.failed : 0)} failed…`);
    }
  }

  stop() {
    if (!this.lab || this.lab === "starting") return;
    this.lab.stop();
    this.finish("stopped");
  }

  async finish(why) {
    const campaign = this.lab;
    this.lab = null;
    let summary = null;
    let failures = [];
    try {
      summary = await campaign.merged(this.bridge);
      failures = summary.failures || [];
    } catch (_) {}
    campaign.release();
    this.setRunning(false);
    if (!summary) return;
    const done = runsDone(summary);
    const note = why ? `${why} after ${fmt(done)} of ${fmt(this.total)} runs` : `${fmt(done)} runs`;
    shared.kept = { query: this.runningQuery, settings: this.settings, summary, failures, note };
    shared.last = { summary, failures, settings: this.settings, stopped: !!why, workers: campaign.shards.length };
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
      this.bridge.cli_command(JSON.stringify(this.settings)).then(
        (text) => (cli.textContent = text),
        () => {}
      );
    }
    if (note) box.dataset.note = note;
  }

  async renderFailures(failures) {
    const table = this.q('[data-role="lab-failures"]');
    const base = this.root.dataset.replay;
    const shown = failures.slice(0, MAX_FAILURE_ROWS);
    const settings = JSON.stringify(this.settings);
    let queries;
    try {
      queries = await Promise.all(shown.map((f) => this.bridge.replay_query(f.seed, settings)));
    } catch (_) {
      return;
    }
    table.hidden = failures.length === 0;
    const rows = shown.map((f, k) => {
        const tr = document.createElement("tr");
        tr.dataset.seed = String(f.seed);
        const link = document.createElement("a");
        link.href = `${base}?${queries[k]}`;
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

// Material's bundle may come after this module: it starts on a second DOMContentLoaded its
// loader fires (plugin/material_start.py); follow its document$ from then on.
function follow() {
  if (shared.following || !(window.document$ && typeof window.document$.subscribe === "function")) return;
  shared.following = true;
  window.document$.subscribe(() => mount());
}

if (!shared.subscribed) {
  shared.subscribed = true;
  follow();
  document.addEventListener("DOMContentLoaded", follow);
}
mount();
