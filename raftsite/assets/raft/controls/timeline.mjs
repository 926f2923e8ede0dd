// The timeline scrubber (raftsite/controls/timeline.py): time travel over a scene's run.
//
// Python does the travelling (restore a snapshot, replay to the exact time); this module only
// turns the reader's gestures into Scene.set_control("timeline", op, value) calls and keeps
// the slider, the marks and the caption in step with the simulated time of every update:
//
// * dragging the slider seeks (at most once per animation frame), and pauses the scene;
// * keys on the slider: ←/↓ and →/↑ move by `step_ms` of simulated time, PageDown/PageUp go to
//   the previous/next labelled mark, Home/End to the start/end of the run;
// * "◀ step back" / "step ▶" move one event; the marks under the slider are buttons too;
// * every update's `time` moves the slider; the run's length and marks come in the "timeline"
//   panel (with every full update — restart, reset, unsafe switch — and when the marks change).
//
// The slider's scale: linear over the recorded run. When the reader plays on long past the
// end of the script (the prerun), the script keeps the first 75% of the slider and the time
// after it shares the rest, so the marks stay apart and clickable however long the run goes.

const STEPS = 1000; // the <input type=range> runs over 0…STEPS; times are mapped onto it
const BEND = 0.75; // share of the slider the script keeps once the run is much longer

export function wire(ui) {
  const root = ui.q('[data-role="timeline"]');
  if (!root) return;
  const scrub = root.querySelector('[data-timeline="scrub"]');
  const back = root.querySelector('[data-timeline="back"]');
  const forward = root.querySelector('[data-timeline="forward"]');
  const list = root.querySelector("datalist");
  const marksBox = root.querySelector('[data-role="timeline-marks"]');
  const caption = root.querySelector('[data-role="timeline-caption"]');
  const step = Number(root.dataset.step) || 5;
  let info = { end: 1, script_end: 0, marks: [], caption: "", now: 0, limit: null };
  let now = 0;
  let total = 1; // the time at the slider's right end
  let dragging = false;
  let pending = null; // a seek waiting for the next animation frame
  let raf = null;

  scrub.min = "0";
  scrub.max = String(STEPS);

  const fmt = (t) => `${Math.round(t)} ms`;
  const limit = () => info.limit || Infinity;
  const short = (label, k) => {
    const m = /^\s*(\([^)]{1,6}\))/.exec(label);
    return m ? m[1] : String(k + 1);
  };
  const currentCaption = (t) => {
    let cur = "";
    for (const m of info.marks) if (m.t <= t + 0.05) cur = m.label; // update times are rounded to 0.1 ms
    return cur;
  };

  // ---------------------------------------------------------------- the scale
  const bent = () => info.script_end > 0 && total > info.script_end * 1.25;
  const toPos = (t) => {
    const e0 = info.script_end;
    let f;
    if (!bent()) f = t / total;
    else if (t <= e0) f = (BEND * t) / e0;
    else f = BEND + ((1 - BEND) * (t - e0)) / (total - e0);
    return Math.max(0, Math.min(1, f)) * STEPS;
  };
  const toTime = (pos) => {
    const f = Math.max(0, Math.min(1, pos / STEPS));
    const e0 = info.script_end;
    if (!bent()) return f * total;
    if (f <= BEND) return (f / BEND) * e0;
    return e0 + ((f - BEND) / (1 - BEND)) * (total - e0);
  };

  // Where each mark sits under the slider, and on which row: a mark too close to the previous one
  // on its row (the labels would overlap) goes one row down; with no room on either row it hides
  // (PageUp/PageDown and the caption still reach it).
  const placeMarks = () => {
    const gap = Math.max(0.03, 36 / Math.max(1, marksBox.clientWidth));
    const lastOnRow = [-Infinity, -Infinity];
    let two = false;
    marksBox.querySelectorAll("li").forEach((li, k) => {
      const at = toPos(info.marks[k].t) / STEPS;
      const free = at - lastOnRow[0] >= gap ? 0 : at - lastOnRow[1] >= gap ? 1 : -1;
      const row = Math.max(free, 0);
      li.classList.toggle("raft-timeline__crowded", free < 0);
      if (free >= 0) lastOnRow[row] = at;
      two = two || row === 1;
      li.style.setProperty("--raft-at", String(at));
      li.style.setProperty("--raft-row", String(row));
    });
    marksBox.classList.toggle("raft-timeline__marks--two-rows", two);
    for (const [k, o] of Array.from(list.options).entries()) o.value = String(toPos(info.marks[k].t));
  };

  const drawMarks = () => {
    list.replaceChildren(
      ...info.marks.map((m) => {
        const o = document.createElement("option");
        o.label = m.label;
        return o;
      })
    );
    marksBox.replaceChildren(
      ...info.marks.map((m, k) => {
        const li = document.createElement("li");
        const b = document.createElement("button");
        b.type = "button";
        b.className = "raft-timeline__mark";
        b.dataset.mark = String(k);
        b.textContent = short(m.label, k);
        b.title = `${m.label} (t = ${fmt(m.t)})`;
        b.setAttribute("aria-label", `Go to ${m.label}, t = ${fmt(m.t)}`);
        li.append(b);
        return li;
      })
    );
    placeMarks();
  };

  const showTime = (t) => {
    now = t;
    if (t > total && total < limit()) {
      // played on past the slider's end: it grows by half at a time, so the marks move rarely
      total = Math.min(Math.max(t, total * 1.5), limit());
      placeMarks();
    }
    if (!dragging) scrub.value = String(toPos(Math.min(t, total)));
    const cap = currentCaption(t);
    const past = t > limit() ? ` (the timeline records the first ${fmt(limit())})` : "";
    scrub.setAttribute("aria-valuetext", `t = ${fmt(t)} of ${fmt(Math.max(total, t))}${past}${cap ? ": " + cap : ""}`);
    if (caption.textContent !== cap) caption.textContent = cap;
    for (const b of marksBox.querySelectorAll("button[data-mark]")) {
      const k = Number(b.dataset.mark);
      b.classList.toggle("raft-timeline__mark--past", info.marks[k].t <= t + 0.05);
      b.setAttribute("aria-current", cap && info.marks[k].label === cap ? "step" : "false");
    }
  };

  const useInfo = (got) => {
    info = got;
    total = Math.max(info.end, info.now, 1e-9);
    drawMarks();
    showTime(info.now);
  };

  const op = (name, value) => {
    ui.setPlaying(false);
    return ui.call(() => ui.scene.set_control("timeline", name, value === undefined ? "" : String(value)));
  };

  // Every update from Python (frames, steps, seeks, restarts) goes through ui.apply. The
  // "timeline" panel is ours: the run's range and marks as JSON, not markup for an element.
  const apply = ui.apply.bind(ui);
  ui.apply = (json) => {
    const u = typeof json === "string" ? JSON.parse(json) : json;
    const mine = u.panels && u.panels.timeline;
    if (mine !== undefined) delete u.panels.timeline;
    apply(u);
    if (mine !== undefined) useInfo(JSON.parse(mine));
    else if (u.time !== undefined) showTime(u.time);
  };

  // One seek at a time: while Python computes one, a drag only moves where the next one goes.
  let seeking = false;
  const flush = () => {
    raf = null;
    if (pending === null || !ui.scene || seeking) return;
    const t = pending;
    pending = null;
    seeking = true;
    op("seek", t).finally(() => {
      seeking = false;
      if (pending !== null && raf === null) raf = requestAnimationFrame(flush);
    });
  };
  const seekSoon = (t) => {
    pending = t;
    if (raf === null && !seeking) raf = requestAnimationFrame(flush);
  };

  scrub.addEventListener("pointerdown", () => (dragging = true));
  const endDrag = () => {
    if (!dragging) return;
    dragging = false;
    showTime(now);
  };
  scrub.addEventListener("pointerup", endDrag);
  scrub.addEventListener("pointercancel", endDrag);
  scrub.addEventListener("change", endDrag);
  scrub.addEventListener("input", () => seekSoon(toTime(Number(scrub.value))));
  scrub.addEventListener("keydown", (e) => {
    const end = Math.min(Math.max(total, now), limit());
    let handled = true;
    switch (e.key) {
      case "ArrowLeft":
      case "ArrowDown":
        op("seek", Math.max(0, now - step));
        break;
      case "ArrowRight":
      case "ArrowUp":
        op("seek", Math.min(end, now + step));
        break;
      case "PageDown":
        op("mark", "prev");
        break;
      case "PageUp":
        op("mark", "next");
        break;
      case "Home":
        op("seek", 0);
        break;
      case "End":
        op("seek", end);
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  });
  back.addEventListener("click", () => op("back"));
  forward.addEventListener("click", () => op("forward"));
  marksBox.addEventListener("click", (e) => {
    const b = e.target.closest && e.target.closest("button[data-mark]");
    if (b) op("seek", info.marks[Number(b.dataset.mark)].t); // the exact time: String() round-trips
  });

  // the first full update came before us
  ui.action("timeline", "info", null).then((first) => first && useInfo(first));
  ui.cleanups.push(() => {
    if (raf !== null) cancelAnimationFrame(raf);
    raf = null;
  });
}
