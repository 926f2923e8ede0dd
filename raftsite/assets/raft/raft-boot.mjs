// Build Raft — the one ES module that runs scenes in the reader's browser, on the main thread.
//
// Python never runs here. It runs in a Web Worker (assets/build/python-worker.js, started by
// the inline script first in <head>, python-start.js) that boots Pyodide from this site's own
// assets/pyodide/ — nothing from any other host — and holds raftcore and the bridge. This
// module:
// * talks to that worker (class PythonWorker): every call into Python is a message and its
//   answer a Promise; calls run in the order they are made. One worker, so one Python
//   runtime, per visit: it lives in window.__raft, which Material's instant navigation keeps;
// * on every page (Material's document$, which also fires after instant navigation) mounts
//   each .raft-scene through Python `raftsite.browser.mount(None, config)` and unmounts
//   scenes whose element left the page;
// * paints what Python sends: one requestAnimationFrame loop per playing scene asks for one
//   frame at a time (never a second while one is being computed) and applies the JSON batch
//   of updates. No frames while paused, while the tab is hidden, or while the scene is off
//   screen. The page paints, scrolls and answers clicks while Python boots or computes.
//
// Loaded from <head> as an async module (the MkDocs plugin puts the tag there).
//
// Test/benchmark hooks: window.__raftBoots (how many times Python booted),
// window.__raft = { boot, scenes, timings, python }.

const reducedMotionQuery = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;

const state = (window.__raft = window.__raft || {
  bootPromise: null,
  python: null, // the PythonWorker
  scenes: new Map(), // element -> SceneUI
  timings: {},
});
window.__raftBoots = window.__raftBoots || 0;

// ------------------------------------------------------------------ the Python worker

// Epoch milliseconds (as the worker reports its phases) on this page's performance clock.
const pageTime = (epoch) => (epoch === undefined ? undefined : epoch - performance.timeOrigin);

export class PythonWorker {
  constructor(worker) {
    this.worker = worker;
    this.pending = new Map(); // call id -> {resolve, reject}
    this.nextId = 1;
    this.isBooted = false;
    // ms the answer being handled spent in Python (the worker's own clock): set just before
    // its Promise settles, so a callback of that Promise reads its own call's figure
    this.answerPythonMs = null;
    this.ready = new Promise((resolve, reject) => {
      this.booted = (phases) => {
        this.isBooted = true;
        resolve(phases);
      };
      this.bootFailed = reject;
    });
    this.ready.catch(() => {});
    worker.addEventListener("message", (e) => this.receive(e.data));
    worker.addEventListener("error", (e) => {
      const err = new Error(e.message || "the Python worker failed to start");
      this.bootFailed(err);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  receive(m) {
    if (m.type === "booted") this.booted(m.phases);
    else if (m.type === "boot-failed") this.bootFailed(Object.assign(new Error(m.error), { phases: m.phases }));
    else if (m.type === "answer") {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      this.answerPythonMs = m.took ?? null;
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.value && typeof m.value === "object" && "handle" in m.value ? this.object(m.value.handle) : m.value);
    }
  }

  // Call `method` of a module (by name) or of an object (by handle), with Python keyword
  // arguments `kwargs` if given; the answer's Promise.
  call(target, method, args = [], kwargs = null) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ type: "call", id, target, method, args, kwargs });
    });
  }

  // A stand-in for a Python object or module: obj.method(...args) returns a Promise of the
  // answer. obj.release() lets the Python object go.
  object(target) {
    const calls = new Map();
    return new Proxy(
      {},
      {
        get: (_, name) => {
          if (name === "then") return undefined; // not a thenable: `await proxy` is the proxy
          if (name === "target") return target;
          if (name === "release") return () => this.call(target, "__release__");
          if (!calls.has(name)) calls.set(name, (...args) => this.call(target, name, args));
          return calls.get(name);
        },
      }
    );
  }

  module(name) {
    return this.object(name);
  }

  // A Promise that resolves once every call made before it has been answered and its answer
  // handled (answers come back in order), and the calls those answers made too (a few rounds:
  // a running lab or a playing scene always has one more). Tests wait on it after an input.
  async settled(rounds = 5) {
    for (let i = 0; i < rounds; i++) {
      await this.call(0, "__ping__");
      await new Promise((r) => setTimeout(r, 0));
      if (this.pending.size === 0) return;
    }
  }
}

// The visit's Python worker: the one the inline starter began while <head> was parsed, or
// (first scene page reached by instant navigation) one started now.
function pythonWorker() {
  if (state.python) return state.python;
  const worker = window.__raftPython || (window.__raftStartPython ? window.__raftStartPython() : null);
  if (!worker) throw new Error("this browser cannot start the Python worker (no Web Workers, or the page lacks its starter)");
  delete window.__raftPython;
  state.python = new PythonWorker(worker);
  return state.python;
}

export function boot() {
  if (state.bootPromise) return state.bootPromise;
  window.__raftBoots += 1;
  state.timings.bootStart = performance.now();
  state.bootPromise = (async () => {
    const python = pythonWorker();
    let phases;
    try {
      phases = await python.ready;
    } catch (err) {
      if (err.phases) recordPhases(err.phases);
      throw err;
    }
    recordPhases(phases);
    state.timings.bootMs = performance.now() - state.timings.bootStart;
    return { python, bridge: python.module("raftsite.browser") };
  })();
  return state.bootPromise;
}

// Where the boot's time went, on this page's clock (ms since navigation start).
function recordPhases(p) {
  const t = state.timings;
  t.workerStart = pageTime(p.start);
  t.moduleLoaded = pageTime(p.moduleLoaded); // pyodide.mjs fetched and evaluated
  t.wasmFetched = pageTime(p.wasmResponse); // the runtime's .wasm answered (its first bytes)
  t.snapshotDecoded = pageTime(p.snapshotDecoded); // the memory snapshot fetched and inflated
  t.wheelFetched = pageTime(p.wheelFetched);
  t.runtimeReady = pageTime(p.runtimeReady); // wasm compiled, heap restored (or CPython started)
  t.pythonReady = pageTime(p.ready); // the wheel unpacked, the bridge imported
  t.pyodideReady = t.runtimeReady === undefined ? undefined : t.runtimeReady - (t.bootStart || 0);
  t.snapshot = !!p.snapshotUsed;
}

// ------------------------------------------------------------------ one scene's UI

// The last line of an error's message (a Python traceback ends with the reason).
function lastLine(err) {
  return (err && err.message ? err.message : String(err)).split("\n").filter(Boolean).pop();
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

class SceneUI {
  constructor(el) {
    this.el = el;
    this.config = JSON.parse(el.dataset.scene);
    this.id = this.config.id;
    this.scene = null; // the Python Scene (in the worker): this.scene.method(...) returns a Promise
    this.playing = false;
    this.raf = null;
    this.last = null;
    this.visible = true;
    this.reduced = !!(reducedMotionQuery && reducedMotionQuery.matches);
    this.accum = 0;
    this.frameTimes = []; // ms each frame spent in Python, in the worker
    this.frameTrips = []; // ms from asking the worker for a frame to handling its answer here
    this.inflight = false; // a frame asked for and not answered yet
    this.owed = 0; // wall ms of frames skipped while one was in flight (asked with the next)
    this.lit = new Map(); // listing id -> Set of lit span ids
    this.cleanups = []; // run on destroy (controls' own loops, listeners)
    this.afterReset = []; // run after Reset or a new seed (controls that place the run themselves)
    this.q = (sel) => el.querySelector(sel);
    this.companions = () => Array.from(document.querySelectorAll(`[data-raft-for="${CSS.escape(this.id)}"]`));
    this.onVisibility = () => this.schedule();
    document.addEventListener("visibilitychange", this.onVisibility);
    if ("IntersectionObserver" in window) {
      // Work only while the diagram, or one of its companions (listings, "Defend it"), is on screen.
      this.onScreen = new Set();
      this.io = new IntersectionObserver((entries) => {
        for (const e of entries) {
          if (e.isIntersecting) this.onScreen.add(e.target);
          else this.onScreen.delete(e.target);
        }
        this.visible = this.onScreen.size > 0;
        this.schedule();
      });
      for (const node of [el, ...this.companions()]) this.io.observe(node);
    }
    // Mounted as soon as it was parsed: its companions further down the page come later.
    pageParsed.then(() => this.companionsParsed());
    el.dataset.state = "booting";
    this.status("Starting Python… the diagram is the first frame, drawn when the site was built.");
    // Play and Next ▶ answer at once, even while Python boots: what the reader asked for is
    // remembered, shown, and done the moment the scene is live.
    this.early = { play: false, next: false };
    // …and the first seconds they show are already here: the build recorded them (the reel).
    this.reel = this.reelWanted() ? { url: new URL(this.config.reel, location.href).href, data: null, kind: null, k: 0, running: false, frozen: false } : null;
    if (this.reel) this.fetchReel();
    const on = (node, fn) => {
      if (!node) return;
      node.addEventListener("click", fn);
      node.disabled = false;
    };
    on(this.q('[data-action="play"]'), () => (this.el.dataset.state === "ready" ? this.togglePlay() : this.ask("play")));
    on(this.q('[data-action="next"]'), () => (this.el.dataset.state === "ready" ? this.next() : this.ask("next")));
    // Keys: ← Back, → Next, Space play/pause — when the focus is in this scene, or on the page's
    // body and this is the first scene on screen; never while typing in a field.
    this.onKey = (e) => this.key(e);
    document.addEventListener("keydown", this.onKey);
  }

  // The rest of the page is parsed: watch the companions too, and light the lines the reel
  // lit before their listing existed.
  companionsParsed() {
    if (!this.el.isConnected) return;
    if (this.io) for (const node of this.companions()) this.io.observe(node);
    for (const ids of this.lit.values()) for (const id of ids) document.getElementById(id)?.classList.add("raft-exec");
  }

  // Play or Next ▶ pressed while Python boots: remember it (pressed again: forget it).
  ask(what) {
    if (this.el.dataset.state !== "booting") return;
    if (this.reelAsk(what)) return;
    this.early[what] = !this.early[what];
    if (what === "play" && this.early.play) this.early.next = false;
    if (what === "next" && this.early.next) this.early.play = false;
    const b = this.q('[data-action="play"]');
    if (b) {
      b.textContent = this.early.play ? "Pause" : "Play";
      b.setAttribute("aria-pressed", this.early.play ? "true" : "false");
    }
    this.el.dataset.playing = this.early.play ? "true" : "false";
    this.status(
      this.early.play
        ? "Starting Python… the scene plays as soon as it is ready."
        : this.early.next
          ? "Starting Python… Next ▶ runs as soon as it is ready."
          : "Starting Python… the diagram is the first frame, drawn when the site was built."
    );
  }

  // ---------------------------------------------------------------- the reel (raftsite/reels.py)
  // The frames Play and Next ▶ show first, computed when the site was built by this very
  // scene (same seed, deterministic): played while Python boots, then handed over to the live
  // run at the frame on screen (start()). Not when the address names a seed or a step, with
  // reduced motion (a step is a jump there), or once Python is up (the visit's second scene).

  reelWanted() {
    if (!this.config.reel || this.reduced) return false;
    if (state.python && state.python.isBooted) return false;
    if (this.ownsUrl()) {
      const params = new URLSearchParams(location.search);
      if (params.get("seed") !== null || params.get("step") !== null) return false;
    }
    return true;
  }

  async fetchReel() {
    const reel = this.reel;
    try {
      reel.data = await (takeEarlyReel(reel.url) || fetchReelData(reel.url));
    } catch (err) {
      console.warn("raft: no reel for this scene; Play waits for Python", err);
      reel.failed = true;
    }
    if (this.el.dataset.state !== "booting" || reel.over) {
      reel.data = null; // too late: the live scene is up, or taking over
      return;
    }
    // Play or Next ▶ pressed before the reel arrived: start it now, or wait for Python as before
    if (reel.kind && !reel.frozen) {
      if (reel.data) this.runReel();
      else this.reelFallBack();
    }
  }

  // Play or Next ▶ while booting: true when the reel answers it (else the request is queued).
  reelAsk(what) {
    const reel = this.reel;
    if (!reel || reel.failed || reel.frozen || reel.over || this.early.play || this.early.next) return false;
    const frames = reel.data && reel.kind ? reel.data[reel.kind].frames.length : 0;
    if (reel.kind === null) {
      reel.kind = what;
      reel.play = what === "play";
      this.el.dataset.reel = "waiting";
      if (reel.data) this.runReel();
      else this.reelStatus();
      this.reelButton();
      return true;
    }
    if (what === reel.kind && !reel.data) {
      // pressed again before the reel arrived: never mind
      reel.kind = null;
      reel.play = false;
      delete this.el.dataset.reel;
      this.reelButton();
      this.status("Starting Python… the diagram is the first frame, drawn when the site was built.");
      return true;
    }
    if (what === "play" && reel.kind === "play") {
      // Pause, and Play again: the recorded run stops and goes on (as a live one would); at
      // its end it waits, still playing, for the live run
      reel.play = !reel.play;
      if (!reel.play) this.stopReel("paused");
      else if (reel.k < frames) this.runReel();
      this.reelButton();
      this.reelStatus();
      return true;
    }
    if (what === "next" && reel.kind === "next" && reel.k < frames) {
      // Next ▶ again while the step runs: the step's end at once (as complete_step does)
      this.stopReel("done");
      this.applyReelFrames(frames);
      this.reelStatus();
      return true;
    }
    // anything else (Next ▶ after Play, Play during or after the step…): the reel stays where it
    // is and the request is carried out once the live run has taken over from there
    reel.play = false;
    this.stopReel(reel.k > 0 ? "frozen" : "unused");
    reel.frozen = true;
    return false;
  }

  runReel() {
    const reel = this.reel;
    const data = reel.data[reel.kind];
    if (reel.k === 0) {
      // the reel starts from the prerendered frame: the opening's caption and time
      this.caption = data.opening;
      this.openingTime = data.opening.time;
    }
    reel.running = true;
    reel.started = performance.now() - reel.k * data.frame_ms;
    this.el.dataset.reel = "playing";
    this.reelStatus();
    const tick = () => {
      reel.raf = null;
      if (!reel.running) return;
      const due = Math.min(data.frames.length, Math.floor((performance.now() - reel.started) / data.frame_ms) + 1);
      this.applyReelFrames(due);
      if (reel.k >= data.frames.length) {
        this.stopReel("done");
        this.reelStatus();
        return;
      }
      reel.raf = requestAnimationFrame(tick);
    };
    tick();
  }

  applyReelFrames(upTo) {
    const reel = this.reel;
    const frames = reel.data[reel.kind].frames;
    while (reel.k < upTo && reel.k < frames.length) this.apply(frames[reel.k++]);
  }

  stopReel(how) {
    const reel = this.reel;
    if (!reel) return;
    reel.running = false;
    if (reel.raf) cancelAnimationFrame(reel.raf);
    reel.raf = null;
    if (reel.kind && how) this.el.dataset.reel = how;
  }

  // The reel cannot play (it did not load): what was pressed waits for Python instead.
  reelFallBack() {
    const what = this.reel.kind;
    this.reel.kind = null;
    this.reel.frozen = true;
    delete this.el.dataset.reel;
    this.ask(what);
  }

  reelButton() {
    const on = this.reel.kind === "play" && this.reel.play;
    const b = this.q('[data-action="play"]');
    if (b) {
      b.textContent = on ? "Pause" : "Play";
      b.setAttribute("aria-pressed", on ? "true" : "false");
    }
    this.el.dataset.playing = on ? "true" : "false";
  }

  reelStatus() {
    const reel = this.reel;
    if (!reel.data) this.status("Starting Python… the scene moves in a moment.");
    else if (reel.running) this.status("Python is starting: these first frames were computed when the site was built, from this very run; the live run takes over where they are.");
    else if (reel.kind === "next") this.status("Python is starting: the step above was computed when the site was built; the live run takes over from it.");
    else if (reel.play) this.status("Python is still starting: the scene plays on from this frame as soon as it is ready.");
    else this.status("Paused. Python is starting: the live run takes over from this frame.");
  }

  status(text) {
    const s = this.q('[data-role="status"]');
    if (s && s.textContent !== text) s.textContent = text; // a live region: write only changes
  }

  message(text) {
    const m = this.q('[data-role="message"]');
    if (!m) return;
    m.textContent = text || "";
    m.hidden = !text;
  }

  fail(err) {
    this.el.dataset.state = "failed";
    for (const b of this.el.querySelectorAll('[data-action="play"], [data-action="next"]')) b.disabled = true;
    this.early = { play: false, next: false };
    const detail = err && err.message ? err.message : String(err);
    this.status("");
    this.message(
      `The live simulation could not start: ${detail}. The diagram above is the prerendered first frame; ` +
        `reload the page to try again.`
    );
    console.warn("raft scene failed to start", err);
  }

  // Whether the address's ?seed= and ?step= are this scene's: on a page with one scene, always;
  // with several, when ?scene= names this one.
  ownsUrl() {
    const params = new URLSearchParams(location.search);
    const many = document.querySelectorAll(".raft-scene[data-scene]").length > 1;
    const named = params.get("scene");
    return named === null ? !many || document.querySelector(".raft-scene[data-scene]") === this.el : named === this.id;
  }

  seedFromUrl() {
    const raw = this.ownsUrl() ? new URLSearchParams(location.search).get("seed") : null;
    if (raw === null) return { seed: null };
    if (/^\d{1,10}$/.test(raw.trim()) && Number(raw) < 2 ** 31) return { seed: Number(raw) };
    return { seed: null, bad: raw };
  }

  // Record the scene's seed and step in the address (shareable: opening it restores them).
  writeUrl() {
    if (!this.scene || this.el.dataset.state !== "ready" || !this.ownsUrl()) return;
    const url = new URL(location.href);
    const many = document.querySelectorAll(".raft-scene[data-scene]").length > 1;
    if (many) url.searchParams.set("scene", this.id);
    if (this.seed !== undefined && String(this.seed) !== String(this.config.seed)) url.searchParams.set("seed", String(this.seed));
    else if (url.searchParams.get("seed") !== null && String(this.seed) === String(this.config.seed)) url.searchParams.set("seed", String(this.seed));
    const step = this.caption ? this.caption.step_no : null;
    if (step !== null && step !== undefined && step > (this.openingStep || 0)) url.searchParams.set("step", String(step));
    else url.searchParams.delete("step");
    if (url.href !== location.href) history.replaceState(history.state, "", url);
  }

  async start() {
    let py;
    try {
      py = await boot();
    } catch (err) {
      this.fail(err);
      return;
    }
    await pageParsed; // what follows reads the whole page (other scenes, companions)
    if (!this.el.isConnected) return; // navigated away while booting
    const { seed, bad } = this.seedFromUrl();
    // `query`: the address's query string, for controls that take their state from it (lab replay).
    this.shown = this.visibleDrawing();
    const cfg = Object.assign({}, this.config, { reduced_motion: this.reduced, query: location.search, shown: this.shown });
    if (seed !== null) cfg.seed = seed;
    let scene;
    try {
      const t = performance.now();
      scene = await py.bridge.mount(null, JSON.stringify(cfg));
      state.timings.mountMs = performance.now() - t;
      if (!this.el.isConnected) return void scene.release(); // navigated away meanwhile
      this.apply(await this.handOver(scene));
    } catch (err) {
      this.fail(err);
      return;
    }
    const notes = [];
    if (bad !== undefined) {
      notes.push(`The address asks for seed “${bad.slice(0, 40)}”, which is not a whole number; showing the scene's own seed ${this.config.seed} instead.`);
    }
    const named = new URLSearchParams(location.search).get("scene");
    const ids = Array.from(document.querySelectorAll(".raft-scene[data-scene]"), (el) => JSON.parse(el.dataset.scene).id);
    if (named !== null && !ids.includes(named) && ids[0] === this.id) {
      notes.push(`The address names scene “${named.slice(0, 40)}”, which is not on this page (${ids.join(", ")}); its seed and step are not used.`);
    }
    this.openingStep = this.reelOpening ? this.reelOpening.step_no || 0 : this.caption ? this.caption.step_no || 0 : 0;
    const step = this.ownsUrl() ? new URLSearchParams(location.search).get("step") : null;
    if (step !== null) {
      try {
        this.apply(await scene.go_to_step(step.trim()));
        const reached = this.caption ? this.caption.step_no : null;
        if (/^\d+$/.test(step.trim()) && reached !== Number(step.trim())) {
          notes.push(`The address asks for step ${step.trim()}, but this run ${this.caption && this.caption.violation ? "stopped at a violation" : "has no such step"}; showing step ${reached === null ? "the run reached" : reached}.`);
        }
      } catch (err) {
        notes.push(`The address asks for step “${step.slice(0, 20)}”: ${lastLine(err)}. Showing the opening frame.`);
      }
    }
    if (notes.length) this.message(notes.join(" "));
    this.scene = scene;
    this.wire();
    this.watchDrawing();
    this.el.dataset.state = "ready";
    state.timings.readyAt = performance.now();
    state.timings.interactive = state.timings.readyAt - (state.timings.bootStart || 0);
    const early = this.early;
    this.early = { play: false, next: false };
    const reel = this.reel;
    if (reel && reel.kind === "play" && reel.play && !reel.frozen) early.play = true; // the live run plays on
    if (reel && reel.kind === "next" && reel.k === 0 && !reel.frozen) early.next = true; // pressed before the reel came
    if (reel) {
      delete this.el.dataset.reel;
      reel.data = null; // the live run has taken over: the frames are not needed any more
    }
    if (early.play && this.stepping) await this.call(() => this.scene.stop_stepping()); // Play during the step: play on
    this.setPlaying(early.play); // what the reader pressed while Python booted, done now
    if (early.next) this.next();
  }

  // The live scene's first frame: the one the reel is showing (Python replays the same calls
  // up to it), or the opening frame.
  async handOver(scene) {
    const reel = this.reel;
    if (reel) reel.over = true; // from here on, presses wait for the live scene
    if (!reel || !reel.kind || reel.k === 0) {
      this.stopReel("unused");
      return scene.full();
    }
    this.stopReel("handing-over"); // the frame on screen stays while Python catches up with it
    this.reelOpening = reel.data[reel.kind].opening;
    const out = await scene.replay_reel(reel.kind, reel.k, reel.data[reel.kind].frame_ms);
    state.timings.reelFrames = reel.k;
    return out;
  }

  // The drawing CSS shows on this screen ("wide" or "narrow": the renderer writes both), or ""
  // when neither is on screen. Python brings only that one up to date each frame.
  visibleDrawing() {
    const fig = this.q('[data-role="diagram"]');
    const svg = fig && [...fig.querySelectorAll(":scope > svg.raft-svg")].find((s) => s.getBoundingClientRect().width > 0);
    return svg ? (svg.classList.contains("raft-svg--narrow") ? "narrow" : "wide") : "";
  }

  // A resize across the phone breakpoint shows the other drawing: tell Python (its updates
  // bring that drawing up to date at once).
  watchDrawing() {
    let pending = false;
    this.onResize = () => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        const now = this.visibleDrawing();
        if (!this.scene || now === this.shown) return;
        this.shown = now;
        this.call(() => this.scene.show_drawing(now));
      });
    };
    window.addEventListener("resize", this.onResize);
  }

  // The status line says what the simulation is doing now (never a stale "Ready.").
  showStatus() {
    if (this.el.dataset.state !== "ready" || !this.scene) return;
    const cap = this.caption || {};
    const t = `t = ${Math.round(cap.time || 0)} ms`;
    let text;
    if (this.halted) text = `Stopped at ${t}: the invariant checker halted the run at the violation. ◀ Back or Reset to go again.`;
    else if (this.stepping) text = "Running to the next step, slowly enough to follow each message.";
    else if (this.playing) text = `Playing at ${this.speedLabel()}.` + (this.reduced ? " Reduced motion: it advances in jumps." : "");
    else if (cap.step_no === this.openingStep && (cap.time || 0) === (this.openingTime || 0)) text = "Paused on the opening frame. Next ▶ (→) steps through the story; Play (Space) runs it.";
    else text = `Paused at ${t}.`;
    this.status(text);
  }

  speedLabel() {
    const sel = this.q('[data-action="speed"]');
    return sel ? `${sel.value}× speed` : "the scene's speed";
  }

  // ---------------------------------------------------------------- controls

  wire() {
    const on = (node, ev, fn) => node && node.addEventListener(ev, fn);
    const all = [this.el, ...this.companions()];
    for (const root of all) {
      for (const c of root.querySelectorAll("button, select, input")) c.disabled = false;
    }
    // (Play and Next ▶ were wired when the scene was made: they answer while Python boots.)
    on(this.q('[data-action="back"]'), "click", () => this.back());
    on(this.q('[data-action="reset"]'), "click", () => this.reset(null));
    on(this.q('[data-action="to-violation"]'), "click", () => {
      this.setPlaying(false);
      this.call(() => this.scene.go_to_violation());
    });
    on(this.q('[data-action="speed"]'), "change", (e) => {
      this.scene.set_speed(Number(e.target.value)).catch((err) => this.failCall(err));
      this.showStatus();
    });
    this.wirePane();
    const seedInput = this.q('[data-action="seed"]');
    // Enter or leaving the field applies a new seed (once: not again on the blur after Enter).
    const applySeed = () => {
      if (seedInput.value.trim() !== String(this.seed)) this.reset(seedInput.value);
    };
    on(seedInput, "change", applySeed);
    on(seedInput, "keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        applySeed();
      }
    });
    // Scene-specific controls (raftsite/controls/): generic wiring by element type.
    for (const input of this.el.querySelectorAll("[data-control]")) this.wireControl(input);
    for (const name of this.config.control_js || []) {
      import(new URL(`controls/${name}.mjs`, import.meta.url).href)
        .then((mod) => mod.wire(this))
        .catch((err) => this.message(`A control of this scene could not start: ${err.message}`));
    }
    for (const root of all) {
      for (const box of root.querySelectorAll('[data-action="unsafe"]')) {
        on(box, "change", () => {
          for (const other of document.querySelectorAll(`[data-action="unsafe"][data-switch="${box.dataset.switch}"]`))
            other.checked = box.checked;
          this.setPlaying(false);
          this.call(() => this.scene.set_unsafe(box.dataset.switch, box.checked));
          this.el.classList.toggle("raft-scene--unsafe", box.checked);
          this.writeUrl();
        });
      }
    }
    // Click (or Enter/Space on) a server: open its state panel (crash/restart are buttons there,
    // so a click never crashes a server by accident). Click a message on the wire: its fields.
    const diagram = this.q('[data-role="diagram"]');
    const open = (target) => {
      const g = target.closest && target.closest("[data-server]");
      if (g && this.scene) {
        this.inspectFrom = g.dataset.server;
        this.call(() => this.scene.inspect(g.dataset.server)).then(() => {
          const box = this.q('[data-role="inspect"]');
          if (box && !box.hidden) box.focus();
        });
        return true;
      }
      const m = target.closest && target.closest("[data-flight]");
      if (m && this.scene) {
        this.showFlight(m);
        return true;
      }
      return false;
    };
    on(diagram, "click", (e) => open(e.target));
    on(diagram, "keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") {
        if (e.target.closest && e.target.closest("[data-server]")) {
          e.preventDefault();
          open(e.target);
        }
      }
    });
    const panel = this.q('[data-role="inspect"]');
    on(panel, "click", (e) => {
      const b = e.target.closest && e.target.closest("[data-inspect-action]");
      if (!b) return;
      const what = b.dataset.inspectAction;
      if (what === "close") this.closeInspect();
      else if (what === "crash" || what === "restart") {
        this.call(() => this.scene.toggle_server(b.dataset.serverName)).then(() => {
          this.q('[data-inspect-action="crash"], [data-inspect-action="restart"]')?.focus();
          this.writeUrl();
        });
      }
    });
    on(panel, "keydown", (e) => {
      if (e.key === "Escape") {
        e.preventDefault();
        this.closeInspect();
      }
    });
    if (reducedMotionQuery && reducedMotionQuery.addEventListener) {
      this.onMotion = (e) => {
        this.reduced = e.matches;
        if (this.scene) this.scene.set_reduced_motion(this.reduced).catch((err) => this.failCall(err));
      };
      reducedMotionQuery.addEventListener("change", this.onMotion);
    }
  }

  togglePlay() {
    if (this.stepping) this.call(() => this.scene.stop_stepping()); // Play during a step: play on from here
    this.setPlaying(!this.playing);
  }

  next() {
    if (!this.scene) return;
    this.setPlaying(false);
    if (this.stepping) {
      this.call(() => this.scene.complete_step()); // pressed again while a step runs: finish it at once
      return;
    }
    this.call(() => this.scene.next_step()); // its answer starts the step's frames (apply → schedule)
  }

  back() {
    if (!this.scene) return;
    this.setPlaying(false);
    this.call(() => this.scene.back_step());
  }

  key(e) {
    const booting = this.el.dataset.state === "booting";
    if (!(booting || (this.scene && this.el.dataset.state === "ready")) || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
    const t = e.target;
    const typing = t && (t.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName));
    if (typing) return;
    const inScene = t && (this.el.contains(t) || this.companions().some((c) => c.contains(t)));
    const onBody = !t || t === document.body || t === document.documentElement;
    if (!inScene && !(onBody && this.firstOnScreen())) return;
    if (e.key === "ArrowRight") booting ? this.ask("next") : this.next();
    else if (e.key === "ArrowLeft") {
      if (booting) return;
      this.back();
    } else if (e.key === " " || e.key === "Spacebar") {
      // Space presses the focused control; a disabled one (Back on the opening frame, which
      // keeps the focus until the browser's next frame moves it) cannot be pressed: Space plays.
      const control = t && t.closest ? t.closest("button, a, summary, [role=tab], [data-server]") : null;
      if (control && inScene && !control.disabled) return;
      booting ? this.ask("play") : this.togglePlay();
    } else return;
    e.preventDefault();
  }

  // The first scene of the page whose diagram is on screen takes the keys pressed on the page's body.
  firstOnScreen() {
    for (const ui of state.scenes.values()) {
      if (!ui.scene && ui.el.dataset.state !== "booting") continue;
      const r = ui.el.getBoundingClientRect();
      if (r.bottom > 0 && r.top < window.innerHeight) return ui === this;
    }
    return false;
  }

  closeInspect() {
    const from = this.inspectFrom;
    this.inspectFrom = null;
    this.flightOpen = false;
    this.call(() => this.scene.inspect(""));
    const box = this.q('[data-role="inspect"]');
    if (box) {
      box.hidden = true;
      box.replaceChildren();
    }
    const g = from ? this.q(`[data-server="${CSS.escape(from)}"]`) : null;
    if (g) g.focus();
  }

  async showFlight(node) {
    if (node.dataset.flight === undefined) return;
    let info;
    try {
      info = JSON.parse(await this.scene.flight_info(Number(node.dataset.flight)));
    } catch (err) {
      return this.failCall(err);
    }
    const box = this.q('[data-role="inspect"]');
    if (!box) return;
    this.setPlaying(false);
    this.inspectFrom = null;
    if (!info) return;
    const rows = Object.entries(info.fields)
      .map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
      .join("");
    box.innerHTML =
      `<h4 class="raft-scene__heading">${escapeHtml(info.kind)} from ${escapeHtml(info.src)} to ${escapeHtml(info.dst)}</h4>` +
      `<p class="raft-inspect__loghead">${escapeHtml(info.text)} — sent at t = ${info.sent_at} ms, arrives at t = ${info.deliver_at} ms</p>` +
      `<table class="raft-inspect__state"><tbody>${rows}</tbody></table>` +
      `<p class="raft-inspect__actions"><button type="button" class="md-button raft-btn" data-inspect-action="close">Close</button></p>`;
    box.hidden = false;
    this.flightOpen = true;
    box.focus();
  }

  // The listing pane beside the diagram (wide screens): tabs, one listing each.
  wirePane() {
    const pane = this.q('[data-role="pane"]');
    if (!pane) return;
    const tabs = Array.from(pane.querySelectorAll("[data-pane-tab]"));
    const select = (tab, focus) => {
      for (const t of tabs) {
        const on = t === tab;
        t.setAttribute("aria-selected", on ? "true" : "false");
        t.tabIndex = on ? 0 : -1;
        const panel = document.getElementById(t.getAttribute("aria-controls"));
        if (panel) panel.hidden = !on;
      }
      if (focus) tab.focus();
      this.paneFollow = null;
      this.scrollPane();
    };
    for (const t of tabs) {
      t.addEventListener("click", () => {
        this.paneManual = true;
        select(t, false);
      });
      t.addEventListener("keydown", (e) => {
        const i = tabs.indexOf(t);
        let j = null;
        if (e.key === "ArrowRight") j = (i + 1) % tabs.length;
        else if (e.key === "ArrowLeft") j = (i - 1 + tabs.length) % tabs.length;
        else if (e.key === "Home") j = 0;
        else if (e.key === "End") j = tabs.length - 1;
        if (j === null) return;
        e.preventDefault();
        e.stopPropagation();
        this.paneManual = true;
        select(tabs[j], true);
      });
    }
    this.selectPaneTab = (lit) => {
      if (this.paneManual) return; // the reader chose a tab: it stays
      const shown = tabs.findIndex((t) => t.getAttribute("aria-selected") === "true");
      if (!lit.includes(shown) && tabs[lit[0]]) select(tabs[lit[0]], false);
    };
  }

  // Keep the lit line of the shown listing in view, inside the pane's own box (never the page).
  scrollPane() {
    const pane = this.q('[data-role="pane"]');
    if (!pane || pane.offsetParent === null) return;
    const panel = pane.querySelector(".raft-pane__panel:not([hidden])");
    if (!panel) return;
    const box = panel.querySelector(".raft-pane__code");
    const lit = panel.querySelector(".raft-exec");
    if (!box || !lit) return;
    const b = box.getBoundingClientRect();
    const l = lit.getBoundingClientRect();
    if (l.top < b.top + 8 || l.bottom > b.bottom - 8) {
      box.scrollTop += l.top - b.top - box.clientHeight / 3;
    }
  }

  wireControl(input) {
    const kind = input.dataset.control;
    const target = input.dataset.target || "";
    let event = "change";
    let value = () => input.value;
    if (input.tagName === "BUTTON") {
      event = "click";
      value = () => input.dataset.value || "";
    } else if (input.type === "checkbox") {
      value = () => (input.checked ? "on" : "off");
    } else if (input.type === "range") {
      event = "input";
    }
    const out = input.type === "range" ? input.parentElement.querySelector("output") : null;
    const show = () => {
      if (!out) return;
      const v = input.value;
      out.textContent = Number(v) === 0 && input.dataset.zero ? input.dataset.zero : (input.dataset.format || "{v}").replace("{v}", v);
    };
    input.addEventListener(event, () => {
      show();
      this.call(() => this.scene.set_control(kind, target, value()));
      if (input.dataset.restarts !== undefined) this.setPlaying(false); // restarted: paused on its opening frame
    });
    show();
  }

  // A control's own action (controls with a glue module): a Promise of the parsed JSON, or of
  // null after an error (shown in the scene's message line).
  async action(kind, name, arg) {
    try {
      return JSON.parse(await this.scene.control_action(kind, name, arg === undefined ? null : arg));
    } catch (err) {
      this.failCall(err);
      return null;
    }
  }

  applyPanels(panels) {
    if (!panels) return;
    for (const [name, html] of Object.entries(panels)) {
      const box = this.q(`[data-panel="${name}"]`);
      if (box) box.innerHTML = html;
    }
  }

  async reset(seed) {
    this.setPlaying(false);
    try {
      this.message("");
      // No seed: call without an argument (JavaScript's null would reach Python as jsnull).
      const out = await (seed === null ? this.scene.reset() : this.scene.reset(String(seed).trim()));
      this.apply(out);
      if (seed !== null) {
        const url = new URL(location.href);
        url.searchParams.set("seed", String(JSON.parse(out).seed));
        history.replaceState(history.state, "", url);
      }
      for (const fn of this.afterReset) fn();
      this.writeUrl();
    } catch (err) {
      this.message(`Cannot use that seed: ${lastLine(err)}`);
    }
    this.showStatus();
  }

  // Run fn (which calls Python and returns a Promise of a JSON batch of updates) and apply
  // its answer; an error is shown in the scene and pauses it. Returns a Promise (of nothing).
  async call(fn) {
    try {
      this.apply(await fn());
    } catch (err) {
      this.failCall(err);
    }
  }

  failCall(err) {
    console.error(err);
    this.message(`The simulation stopped with an error: ${lastLine(err)}`);
    this.setPlaying(false);
  }

  setPlaying(on) {
    this.playing = on;
    const b = this.q('[data-action="play"]');
    if (b) {
      b.textContent = on ? "Pause" : "Play";
      b.setAttribute("aria-pressed", on ? "true" : "false");
    }
    this.el.dataset.playing = on ? "true" : "false";
    this.last = null;
    this.schedule();
    this.showStatus();
  }

  // ---------------------------------------------------------------- frames

  schedule() {
    const want = (this.playing || this.stepping) && !document.hidden && this.visible && this.scene && this.el.isConnected;
    if (want && this.raf === null) {
      this.last = null;
      this.raf = requestAnimationFrame((ts) => this.tick(ts));
    } else if (!want && this.raf !== null) {
      cancelAnimationFrame(this.raf);
      this.raf = null;
    }
  }

  tick(ts) {
    this.raf = null;
    if (!((this.playing || this.stepping) && !document.hidden && this.visible && this.scene)) return;
    const dt = this.last === null ? 0 : ts - this.last;
    this.last = ts;
    if (this.reduced && !this.stepping) {
      // Step-wise: advance in chunks of 400 ms of wall time, no in-between motion.
      this.accum += dt;
      if (this.accum >= 400) {
        const chunk = this.accum;
        this.accum = 0;
        this.runFrame(Math.min(chunk, 400));
      }
    } else {
      this.runFrame(dt);
    }
    if (this.stepping && this.reduced && !this.completing) {
      // reduced motion: a step jumps to its end (asked once, not again while it is answered)
      this.completing = true;
      this.call(() => this.scene.complete_step()).finally(() => (this.completing = false));
    }
    if ((this.playing || this.stepping) && !document.hidden && this.visible && this.scene && this.el.isConnected) {
      this.raf = requestAnimationFrame((t) => this.tick(t)); // keep this.last: dt continues
    }
  }

  // Ask the worker for one frame of `dt` wall ms. One at a time: while a frame is computed,
  // the wall time of the frames skipped is owed and asked for with the next one, so the
  // simulation keeps pace with the clock however slow Python is.
  runFrame(dt) {
    if (this.inflight) {
      this.owed += dt;
      return;
    }
    const ask = dt + this.owed;
    this.owed = 0;
    this.inflight = true;
    const t = performance.now();
    this.scene.frame(ask).then(
      (out) => {
        this.inflight = false;
        this.frameTrips.push(performance.now() - t);
        this.frameTimes.push(state.python.answerPythonMs);
        if (this.frameTimes.length > 600) this.frameTimes.shift();
        if (this.frameTrips.length > 600) this.frameTrips.shift();
        if (this.scene) this.apply(out);
      },
      (err) => {
        this.inflight = false;
        this.failCall(err);
      }
    );
  }

  apply(json) {
    const u = typeof json === "string" ? JSON.parse(json) : json;
    if (u.svg !== undefined) {
      const fig = this.q('[data-role="diagram"]');
      if (fig) fig.innerHTML = u.svg;
    }
    if (u.seed !== undefined) {
      this.seed = u.seed;
      const s = this.q('[data-action="seed"]');
      if (s) s.value = String(u.seed);
    }
    for (const [id, kind, value] of u.patches || []) {
      const node = document.getElementById(id);
      if (!node) continue;
      if (kind === "text") node.textContent = value;
      else if (kind === "html") node.innerHTML = value;
      else if (kind.startsWith("attr:")) node.setAttribute(kind.slice(5), value);
    }
    if (u.time !== undefined) {
      const t = this.q('[data-role="time"]');
      if (t) t.textContent = `t = ${Math.round(u.time)} ms`;
    }
    if (u.events) this.renderEvents(u.events);
    if (u.panel) this.renderPanel(u.panel);
    if (u.lines) this.renderLines(u.lines);
    if (u.panels) this.applyPanels(u.panels);
    if (u.inspect !== undefined && !(this.flightOpen && u.inspect === "")) {
      const box = this.q('[data-role="inspect"]');
      if (box) {
        const hadFocus = box.contains(document.activeElement);
        const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.inspectAction : null;
        box.innerHTML = u.inspect;
        box.hidden = !u.inspect;
        this.flightOpen = false;
        if (hadFocus) {
          const again = focused ? box.querySelector(`[data-inspect-action="${focused}"]`) || box.querySelector("[data-inspect-action]") : null;
          (again || box).focus();
        }
      }
    }
    if (u.caption) {
      const wasStep = this.caption ? this.caption.step_no : undefined;
      this.caption = u.caption;
      if (this.openingTime === undefined) this.openingTime = u.caption.time;
      const box = this.q('[data-role="caption"]');
      // only when the words change: the caption is a live region, read out on each change
      if (box && box.dataset.html !== u.caption.html) {
        box.innerHTML = u.caption.html;
        box.dataset.html = u.caption.html;
      }
      const v = !!u.caption.violation;
      this.el.dataset.violation = v ? "true" : "false";
      const go = this.q('[data-action="to-violation"]');
      if (go) go.hidden = !v;
      const back = this.q('[data-action="back"]');
      if (back && this.el.dataset.state === "ready") back.disabled = u.caption.time === this.openingTime && u.caption.step_no === this.openingStep;
      if (u.caption.step_no !== wasStep && !u.caption.stepping) this.writeUrl();
    }
    if (u.stepping !== undefined) {
      const was = !!this.stepping;
      this.stepping = !!u.stepping;
      this.el.dataset.stepping = this.stepping ? "true" : "false";
      if (was !== this.stepping) this.schedule(); // a step began (frames start) or ended
    }
    this.halted = !!(this.caption && this.caption.halted);
    this.showStatus();
  }

  renderEvents(lines) {
    const ol = this.q('[data-role="events"]');
    if (!ol) return;
    ol.replaceChildren(
      ...lines
        .slice()
        .reverse()
        .map((line) => {
          const li = document.createElement("li");
          li.textContent = line;
          if (line.includes("VIOLATION")) li.className = "raft-event--violation";
          return li;
        })
    );
    if (!lines.length) {
      const li = document.createElement("li");
      li.className = "raft-muted";
      li.textContent = "Nothing has happened yet.";
      ol.append(li);
    }
  }

  renderPanel(panel) {
    const lists = [this.el, ...this.companions()].flatMap((r) => Array.from(r.querySelectorAll('[data-role="invariants"]')));
    for (const ul of lists) {
      for (const li of ul.querySelectorAll("[data-invariant]")) {
        const ok = panel.invariants[li.dataset.invariant] !== false;
        li.classList.toggle("raft-inv--ok", ok);
        li.classList.toggle("raft-inv--bad", !ok);
        const st = li.querySelector(".raft-inv__state");
        if (st) st.textContent = ok ? "holds" : "VIOLATED";
      }
    }
    const pre = this.q('[data-role="violation"]');
    if (pre) {
      pre.textContent = panel.violation || "";
      pre.hidden = !panel.violation;
    }
    this.el.dataset.violation = panel.violation ? "true" : "false";
  }

  renderLines(lines) {
    const litTabs = [];
    (this.config.listings || []).forEach((listing, k) => {
      const ns = lines[listing.id] || [];
      if (ns.length) litTabs.push(k);
      const want = new Set(ns.flatMap((n) => [`${listing.span_prefix}${n}`, `${listing.pane_prefix}${n}`]));
      const had = this.lit.get(listing.id) || new Set();
      for (const id of had) if (!want.has(id)) document.getElementById(id)?.classList.remove("raft-exec");
      for (const id of want) if (!had.has(id)) document.getElementById(id)?.classList.add("raft-exec");
      this.lit.set(listing.id, want);
    });
    // follow the running code: leave the tab shown while its function runs, else show one that runs
    if (litTabs.length && this.selectPaneTab) this.selectPaneTab(litTabs);
    this.scrollPane();
  }

  destroy() {
    this.stopReel();
    for (const fn of this.cleanups || []) fn();
    if (this.onKey) document.removeEventListener("keydown", this.onKey);
    if (this.onResize) window.removeEventListener("resize", this.onResize);
    this.playing = false;
    this.schedule();
    document.removeEventListener("visibilitychange", this.onVisibility);
    if (this.io) this.io.disconnect();
    if (this.onMotion && reducedMotionQuery) reducedMotionQuery.removeEventListener("change", this.onMotion);
    if (this.scene) {
      const scene = this.scene;
      // Python side: release the tracer, then the object itself
      scene.unmount().finally(() => scene.release()).catch(() => {});
    }
    this.scene = null;
  }
}

// ------------------------------------------------------------------ reels, fetched early

function fetchReelData(url) {
  return fetch(url, { priority: "low" }).then((res) => (res.ok ? res.json() : Promise.reject(new Error(`HTTP ${res.status}`))));
}

// The page's reels, asked for while the page is parsed by the inline script in <head>
// (assets/build/reel-start.js): each is taken once, by its scene.
function takeEarlyReel(url) {
  const reels = window.__raftReels;
  const reel = reels && reels[url];
  if (reel) delete reels[url];
  return reel;
}

// ------------------------------------------------------------------ page lifecycle

// The whole page is parsed (its companions — listings, "Defend it" — are there).
const pageParsed = new Promise((resolve) => {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => resolve(), { once: true });
  else resolve();
});

function mountScene(el) {
  if (state.scenes.has(el) || !el.isConnected) return;
  let ui;
  try {
    ui = new SceneUI(el);
  } catch (err) {
    el.dataset.state = "failed";
    const m = el.querySelector('[data-role="message"]');
    if (m) {
      m.textContent = `This scene is broken: ${err.message}`;
      m.hidden = false;
    }
    return;
  }
  state.scenes.set(el, ui);
  ui.start();
}

function mountAll() {
  // Unmount scenes whose element left the document (instant navigation).
  for (const [el, ui] of state.scenes) {
    if (!el.isConnected) {
      ui.destroy();
      state.scenes.delete(el);
    }
  }
  for (const el of document.querySelectorAll(".raft-scene[data-scene]")) mountScene(el);
}

// A scene mounts as soon as it is parsed (markdown_ext.MOUNT_HOOK, the script right after its
// markup, calls this), not once the whole page is: Play and Next ▶ then answer while the rest
// of the page is parsed and Material's bundle runs.
function mountParsed(el) {
  if (el && el.matches && el.matches(".raft-scene[data-scene]")) mountScene(el);
}

// ------------------------------------------------------------------ offline (service worker)

// The site's root: this module is assets/raft/raft-boot.mjs (so this works under a sub-path).
const SITE_ROOT = new URL("../../", import.meta.url);

// Ask the active service worker how complete its cache is: {version, files, cached, complete}.
function swStatus(worker) {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (e) => resolve(e.data);
    worker.postMessage({ type: "raft-sw-status" }, [channel.port2]);
  });
}

// Register sw.js (the plugin writes it, with the build's file list, at the site's root) once
// the page has done its own work, so that precaching the whole site (about 31 MB) never
// competes with the first boot. window.__raft.offline resolves to the worker's status once it
// is active — its cache then holds every file of its build (it cannot activate otherwise).
function registerServiceWorker() {
  const mode = document.querySelector('meta[name="raft-sw"]')?.content;
  if (!mode) return;
  if (!navigator.serviceWorker) {
    // No service worker in this browser (a private window of some, a policy): keep what
    // matters most for the next visit in the HTTP cache instead.
    if (mode === "on") keepSnapshotForNextVisit();
    return;
  }
  if (mode === "off") {
    // `mkdocs serve`: a worker left by a build served on this address would serve its old pages.
    state.offline = navigator.serviceWorker.getRegistrations().then((regs) =>
      Promise.all(regs.filter((r) => r.scope === SITE_ROOT.href).map((r) => r.unregister())).then(() => null)
    );
    return;
  }
  state.offline = navigator.serviceWorker
    .register(new URL("sw.js", SITE_ROOT), { scope: SITE_ROOT.href, updateViaCache: "none" })
    .then(() => navigator.serviceWorker.ready)
    .then((reg) => swStatus(reg.active))
    .catch((err) => {
      console.warn("raft: the service worker could not be registered; the site will not work offline", err);
      keepSnapshotForNextVisit();
      return null;
    });
}

// Without a service worker, nothing would ever put the memory snapshot where the next visit
// finds it: the Python worker restores it only when the browser holds it (python-worker.js:
// Cache Storage, or the HTTP cache), and a first visit does not download it (7 MB the first
// boot does not need). So once this visit's Python is up without it, fetch it once, at low
// priority, into the HTTP cache, as the service worker would have precached it with the
// rest of the site: the next visit (a reload, a new tab) restores it, interactive in about
// 0.8 s instead of about 1.4 s (docs/performance.md). Not on a page that started no Python,
// not when the reader asks to save data.
function keepSnapshotForNextVisit() {
  const name = document.querySelector('meta[name="raft-snapshot"]')?.content;
  if (!name || !state.bootPromise || (navigator.connection && navigator.connection.saveData)) return;
  const keep = () => {
    if (state.timings.snapshot) return; // restored from it: the browser holds it already
    state.timings.snapshotKept = "fetching";
    fetch(new URL(`assets/pyodide/${name}`, SITE_ROOT), { priority: "low" })
      .then((r) => {
        if (!r.ok || !r.body) throw new Error(`HTTP ${r.status}`);
        return r.body.pipeTo(new WritableStream()); // read to its end: the HTTP cache keeps it
      })
      .then(
        () => (state.timings.snapshotKept = "kept"),
        (err) => {
          state.timings.snapshotKept = "failed";
          console.warn("raft: the memory snapshot could not be kept for the next visit", err);
        }
      );
  };
  state.bootPromise.then(keep, () => {}); // Python did not start: nothing to keep it for
}

state.mountAll = mountAll;
state.boot = boot;

if (!state.subscribed) {
  state.subscribed = true;
  // This module runs from <head>, async: on a page with a scene, start Python right away,
  // while the rest of the page is parsed and Material's bundle starts.
  const scenePage = !!document.querySelector('meta[name="raft-scene-page"]');
  if (scenePage) boot().catch(() => {}); // errors shown per scene
  // The service worker comes after Python is up (scene pages) or the page has loaded (others).
  const idle = () => ("requestIdleCallback" in window ? requestIdleCallback(registerServiceWorker, { timeout: 2000 }) : setTimeout(registerServiceWorker, 0));
  if (scenePage) boot().then(idle, idle);
  else if (document.readyState === "complete") idle();
  else window.addEventListener("load", idle, { once: true });
  // Material's bundle runs after the page's first frame (plugin/material_start.py), after
  // DOMContentLoaded, and starts on a second DOMContentLoaded its loader fires: until then there
  // is no document$, and the scenes mount without it; on that event, subscribe (once).
  let following = false;
  const subscribe = () => {
    if (following) return;
    if (window.document$ && typeof window.document$.subscribe === "function") {
      following = true;
      window.document$.subscribe(() => mountAll()); // every page, instant navigation included
    } else {
      mountAll();
    }
  };
  window.__raftMount = mountParsed; // (Material runs the hooks again on instant navigation)
  if (document.readyState === "loading") {
    // This module came while the page is parsed: mount the scenes already parsed (each followed
    // by its hook, which ran before this module was here), and the others as their hooks run.
    for (const el of document.querySelectorAll(".raft-scene[data-scene]")) {
      const next = el.nextElementSibling;
      if (next && next.matches("script[data-raft-parsed]")) mountScene(el);
    }
  } else subscribe();
  document.addEventListener("DOMContentLoaded", subscribe); // the page's, then Material's
}
