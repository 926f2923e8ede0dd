"""The clients' history beside the diagram (scene 10): a timeline, the linearizability verdict,
and the table of client sessions.

**Timeline.** One lane per client; each operation is a bar from the moment the client sent it
(invocation) to the moment it had its answer (response), labelled with the command and its
result. An operation still waiting has no response yet: its bar is open-ended and its result
"?" — it may take effect later, or never (a write accepted by a leader stranded in a minority).

**Verdict.** Every so often — not every frame — the history is handed to the checker of
:mod:`raftcore.check.linearizability` (Wing & Gong's search with Lowe's memo), through
``Cluster.check_linearizability``. Its answer is three-valued and shown as such: linearizable,
not linearizable, or *unknown* when it gave up after ``max_states`` configurations (never
reported as a pass). When the history is not linearizable,
:func:`raftcore.check.linearizability.culprit` names the two operations that cannot both be as
recorded: the first response no order explains, and the earlier operation that rules it out
(the one that had already returned when it began); both are highlighted and joined on the
timeline.

**Budget.** A check runs only when the history changed, at most once per ``CHECK_EVERY_SIM_MS``
of simulated time, and after a check that took *d* ms of real time the next waits at least
``COOLDOWN`` × *d* — so the checker takes at most about a tenth of the page's time however long
the reader plays. ``status()`` (for tests) always checks the history as it is.

**Sessions.** Per client: operations, resends of the same numbered command (timeouts and
redirects, thesis §6.3), the last sequence number the state machine applied for it, and how
many extra copies of a command sit in the committed log — each applied once, the copies
answered from the session record instead (``raftcore.kv.KVStore.apply``).
"""

from __future__ import annotations

import math
import time

from raftcore.check.linearizability import culprit
from raftsite.blocks.fields import Field
from raftsite.controls.base import Control, esc
from raftsite.glyphs import SIZE_SWITCH, SIZES

CHECK_EVERY_SIM_MS = 100.0
COOLDOWN = 10.0
MAX_STATES = 20_000
REDRAW_EVERY_SIM_MS = 100.0
WINDOW_MS = 8000.0

RIGHT = 14.0


# ---------------------------------------------------------------------- drawing


def show(v) -> str:
    if v is None:
        return "(none)"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def op_words(o) -> str:
    return " ".join((o.op, o.key) + tuple(o.args))


def op_label(o) -> str:
    return f"{op_words(o)} → {show(o.result) if o.complete is not None else '?'}"


def op_sentence(o) -> str:
    if o.complete is None:
        return f"{o.client}: {op_words(o)}, sent at {o.invoke:.0f} ms, no answer yet (outcome unknown)"
    return f"{o.client}: {op_words(o)} → {show(o.result)}, sent at {o.invoke:.0f} ms, answered at {o.complete:.0f} ms"


# ---------------------------------------------------------------------- drawing


def _tick_step(span: float) -> float:
    for step in (100.0, 250.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0, 30000.0, 60000.0):
        if span / step <= 8:
            return step
    return 120000.0


def timeline_svg(ops, now: float, svg_id: str, bad: int | None = None, cause: int | None = None,
                 summary: str = "") -> str:
    """The clients' operations as lanes of bars; ``bad``/``cause`` highlighted and joined — a
    desktop and a phone drawing, like the diagram (the page shows the one that fits, text at
    the drawing's legible size)."""
    return "".join(_timeline(size, ops, now, svg_id if size == "wide" else svg_id + "-n", bad, cause, summary)
                   for size in ("wide", "narrow"))


def _timeline(size: str, ops, now: float, svg_id: str, bad: int | None, cause: int | None, summary: str) -> str:
    fs = SIZES[size].small
    W = 640.0 if size == "wide" else SIZES[size].width  # the panel spans the scene, wider than the diagram
    LEFT = 5.2 * fs
    TOP = fs + 10.0
    LANE = 2 * (fs + 3.0) + 16.0
    CHAR_W = 0.58 * fs  # width of one character of a label, roughly (for collisions only)
    R1, R2 = fs + 1.0, 2 * fs + 4.0  # baselines of a lane's two label rows
    BAR = 2 * fs + 8.0  # top of a lane's bars
    clients: list[str] = []
    for o in sorted(ops, key=lambda o: o.invoke):
        if o.client not in clients:
            clients.append(o.client)
    t1 = max(1000.0, math.ceil(max(now, 1.0) / 1000.0) * 1000.0)
    t0 = max(0.0, t1 - WINDOW_MS)
    for i in (bad, cause):
        if i is not None:
            t0 = min(t0, max(0.0, math.floor((ops[i].invoke - 200.0) / 1000.0) * 1000.0))
    span = t1 - t0
    x_of = lambda t: LEFT + (min(max(t, t0), t1) - t0) / span * (W - LEFT - RIGHT)  # noqa: E731
    h = TOP + LANE * max(len(clients), 1) + 6
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="raft-hist raft-svg raft-svg--{size}" id="{esc(svg_id)}" '
           f'viewBox="0 0 {W:.0f} {h:.0f}" role="img" aria-labelledby="{esc(svg_id)}-t {esc(svg_id)}-d" data-size="{size}">'
           f'<style>svg.raft-hist.raft-svg--{size} text{{font-size:{fs:g}px}}{SIZE_SWITCH}</style>'
           f'<title id="{esc(svg_id)}-t">The clients’ operations over time, one lane per client</title>'
           f'<desc id="{esc(svg_id)}-d">{esc(summary)}</desc>']
    # time axis
    step = _tick_step(span)
    t = math.ceil(t0 / step) * step
    out.append('<g class="raft-hist__axis">')
    while t <= t1 + 1e-6:
        x = x_of(t)
        out.append(f'<path d="M{x:.1f},{TOP - 4:.1f}V{h - 4:.1f}"/><text x="{x:.1f}" y="{TOP - 6:.1f}" '
                   f'text-anchor="middle">{t / 1000:g} s</text>')
        t += step
    xn = x_of(now)
    out.append(f'</g><path class="raft-hist__now" d="M{xn:.1f},{TOP - 4:.1f}V{h - 4:.1f}"><title>now: {now:.0f} ms</title></path>')
    lane_y = {c: TOP + k * LANE for k, c in enumerate(clients)}
    for c, y in lane_y.items():
        out.append(f'<text class="raft-hist__client" x="4" y="{y + BAR + 6:.1f}">{esc(c[:int(LEFT / CHAR_W) - 1])}</text>'
                   f'<path class="raft-hist__lane" d="M{LEFT:.1f},{y + LANE - 1:.1f}H{W - RIGHT:.1f}"/>')
    ends: dict[tuple[str, int], float] = {}
    for i, o in sorted(enumerate(ops), key=lambda p: (p[1].invoke, p[0])):
        end = o.complete if o.complete is not None else now
        if end < t0:
            continue
        y = lane_y[o.client]
        x0, x1 = x_of(o.invoke), x_of(end)
        x1 = max(x1, x0 + 2.0)
        cls = "raft-hist__op"
        if o.complete is None:
            cls += " raft-hist__op--open"
        if i == bad:
            cls += " raft-hist__op--bad"
        elif i == cause:
            cls += " raft-hist__op--cause"
        label = op_label(o)
        lw = CHAR_W * len(label)
        row = 0 if x0 >= ends.get((o.client, 0), -1e9) else 1
        ends[(o.client, row)] = x0 + lw + 4
        ly = y + (R1 if row == 0 else R2)
        mark = ""
        if i == bad or i == cause:
            mark = "2" if i == bad else "1"
            label = f"{mark} {label}"
        out.append(f'<g class="{cls}" data-op="{i}"><title>{esc(op_sentence(o))}</title>'
                   f'<rect x="{x0:.1f}" y="{y + BAR:.1f}" width="{x1 - x0:.1f}" height="7" rx="2"/>'
                   f'<text x="{x0:.1f}" y="{ly:.1f}">{esc(label)}</text>'
                   + (f'<text class="raft-hist__q" x="{x1 + 2:.1f}" y="{y + BAR + 7:.1f}">?</text>' if o.complete is None else "")
                   + "</g>")
    if bad is not None and cause is not None:
        a, b = ops[cause], ops[bad]
        xa, ya = x_of(a.complete), lane_y[a.client] + BAR + 3.5
        xb, yb = x_of(b.invoke), lane_y[b.client] + BAR + 3.5
        out.append(f'<path class="raft-hist__link" d="M{xa:.1f},{ya:.1f}L{xb:.1f},{yb:.1f}">'
                   f'<title>1 returned before 2 was sent</title></path>')
    out.append("</svg>")
    return "".join(out)


# ---------------------------------------------------------------------- the control


class History(Control):
    kind = "history"
    doc = ("a panel with the clients' operations on a timeline (one lane per client), the linearizability "
           "verdict checked every so often (non-linearizable pairs highlighted) and the client session table")
    fields = {
        "max_states": Field("int", "configurations the checker may explore per key before it answers "
                            "“unknown”", False, MAX_STATES, 100, 10_000_000),
    }
    unique = True
    example = "{kind: history}"

    @classmethod
    def panel_html(cls, c, scene_id):
        return (
            '<section class="raft-scene__panel raft-history" aria-label="Client history and linearizability">'
            '<h4 class="raft-scene__heading">Client history</h4>'
            '<p class="raft-history__step" data-panel="step" role="status"></p>'
            '<div data-panel="history"><p class="raft-muted">The clients’ operations appear here once the '
            'simulation runs, with the linearizability checker’s verdict.</p></div>'
            '<div data-panel="sessions"></div></section>'
        )

    def __init__(self, scene, c):
        super().__init__(scene, c)
        self.max_states = int(c.get("max_states") or MAX_STATES)
        self.checks = 0
        self.check_ms_total = 0.0
        self.check_ms_max = 0.0
        self._reset()

    def _reset(self):
        self.verdict = "empty"
        self.result = None
        self.pair: tuple[int, int | None] | None = None
        self.checked_sig = None
        self.checked_at = -1e9
        self.wall_next = 0.0
        self.drawn_key = None
        self._sent_history = None
        self._sent_sessions = None
        self._sessions_key = None
        self._sessions_html = ""
        self._sent_step = None
        self.ops = []

    def attach(self, cluster, run):
        self._reset()

    # ------------------------------------------------------------ checking

    def _sig(self):
        hs = self.scene.cluster.handles
        return (sum(1 for h in hs if h.invoked_at is not None), sum(1 for h in hs if h.done))

    def check(self) -> None:
        """Check the history as it is now (and find the culprits when it is not linearizable)."""
        c = self.scene.cluster
        ops = c.history
        t = time.perf_counter()
        res = c.check_linearizability(max_states=self.max_states)  # cached by the cluster
        pair = None
        if not res.ok:
            # Once found, the pair stays the answer: later operations are invoked after its
            # response, so the history as of that response does not change.
            at = {(o.client, o.invoke): i for i, o in enumerate(ops)}
            if self.pair is not None:
                b, a = self.pair
                kb = (self.ops[b].client, self.ops[b].invoke)
                ka = (self.ops[a].client, self.ops[a].invoke) if a is not None else None
                if kb in at and (ka is None or ka in at):
                    pair = (at[kb], at[ka] if ka is not None else None)
            if pair is None:
                pair = culprit(ops, max_states=self.max_states)
        ms = (time.perf_counter() - t) * 1000.0
        self.checks += 1
        self.check_ms_total += ms
        self.check_ms_max = max(self.check_ms_max, ms)
        self.wall_next = time.perf_counter() + COOLDOWN * ms / 1000.0
        self.ops, self.result, self.pair = ops, res, pair
        self.checked_sig = self._sig()
        self.checked_at = c.now
        if not any(o.complete is not None for o in ops):
            self.verdict = "empty"
        else:
            self.verdict = res.verdict  # "linearizable" | "violation" | "unknown"

    def _maybe_check(self, full: bool) -> None:
        sig = self._sig()
        if sig == self.checked_sig:
            return
        now = self.scene.cluster.now
        if not full and (now - self.checked_at < CHECK_EVERY_SIM_MS or time.perf_counter() < self.wall_next):
            return
        self.check()

    # ------------------------------------------------------------ panels

    def _verdict_html(self) -> str:
        v = self.verdict
        n = sum(1 for o in self.ops if o.complete is not None)
        pending = sum(1 for o in self.ops if o.complete is None)
        at = f"history as of t = {self.checked_at:.0f} ms"
        more = f" — and the {pending} still waiting, if they took effect —" if pending else ""
        if v == "empty":
            state, cls, text = "no history", "raft-inv--wait", "No client has had an answer yet."
        elif v == "linearizable":
            state, cls = "holds", "raft-inv--ok"
            text = (f"Linearizable: the {n} answered operations{more} fit in one order, each at an "
                    f"instant between its call and its answer, with every result as recorded ({at}; "
                    f"{self.result.explored} states explored).")
        elif v == "unknown":
            state, cls = "unknown", "raft-inv--wait"
            text = (f"Unknown: the checker gave up after {self.result.explored} states without finding a "
                    f"violation ({at}). That is not a pass.")
        else:
            state, cls = "VIOLATED", "raft-inv--bad"
            text = "Not linearizable (" + at + "). " + self._pair_text()
        return (f'<div class="raft-inv {cls}" data-monitor="linearizability" data-verdict="{esc(v)}">'
                f'<span class="raft-inv__dot" aria-hidden="true"></span><span class="raft-inv__name">'
                f'Linearizability</span> <span class="raft-inv__state">{state}</span></div>'
                f'<p class="raft-history__verdict" data-role="verdict">{esc(text)}</p>')

    def _pair_text(self) -> str:
        if not self.pair:
            return ""
        bad, cause = self.pair
        b = self.ops[bad]
        if cause is None:
            return f"No order of the operations explains {op_sentence(b)}."
        a = self.ops[cause]
        stale = " — a stale read" if b.op == "GET" else ""
        return (f"1 — {a.client}: {op_words(a)} → {show(a.result)} had returned at {a.complete:.0f} ms, before "
                f"2 — {b.client}: {op_words(b)} was sent at {b.invoke:.0f} ms. Every order must put 2 after 1, "
                f"and none that does lets 2 return {show(b.result)}{stale}.")

    def _history_html(self) -> str:
        c = self.scene.cluster
        ops = c.history
        # The pair was found in the history as checked; find the same operations in the current
        # one by (client, invocation time): a client has one operation outstanding at a time.
        at = {(o.client, o.invoke): i for i, o in enumerate(ops)}
        bad = cause = None
        if self.verdict == "violation" and self.pair:
            b, a = self.pair
            bad = at.get((self.ops[b].client, self.ops[b].invoke))
            cause = at.get((self.ops[a].client, self.ops[a].invoke)) if a is not None else None
        if not ops:
            return self._verdict_html()
        summary = f"{len(ops)} operations by {len({o.client for o in ops})} clients. " + \
            ("Not linearizable." if self.verdict == "violation" else
             "Linearizable so far." if self.verdict == "linearizable" else "")
        svg = timeline_svg(ops, c.now, self.scene.config["id"] + "-history", bad, cause, summary)
        rows = "".join(
            f'<tr{" class=raft-history__row--bad" if i in (bad, cause) else ""}><th scope="row">{esc(o.client)}</th>'
            f'<td>{esc(op_words(o))}</td><td>{o.invoke:.0f}</td>'
            f'<td>{"—" if o.complete is None else f"{o.complete:.0f}"}</td>'
            f'<td>{"?" if o.complete is None else esc(show(o.result))}</td></tr>'
            for i, o in enumerate(ops)
        )
        table = (f'<details class="raft-history__ops"><summary>The operations as a table</summary>'
                 f'<table class="raft-table-panel"><thead><tr><th scope="col">Client</th><th scope="col">Operation</th>'
                 f'<th scope="col">Sent (ms)</th><th scope="col">Answered (ms)</th><th scope="col">Result</th></tr>'
                 f'</thead><tbody>{rows}</tbody></table></details>')
        return self._verdict_html() + f'<div class="raft-history__timeline">{svg}</div>' + table

    def _sessions(self) -> tuple[str | None, list[dict]]:
        """The reference server (the leader, else the live server that applied most) and per-client rows."""
        c = self.scene.cluster
        view = c.view(log_window=None)
        live = [s for s in view.servers if s.alive]
        order = {n: i for i, n in enumerate(view.names)}
        server = (view.server(view.leader) if view.leader else
                  max(live, key=lambda s: (s.last_applied, -order[s.name])) if live else None)
        ref = server.name if server is not None else None
        sessions = {client: (seq, result) for client, seq, result in server.state.sessions} if server else {}
        copies: dict[str, int] = {}
        if server is not None:
            seen = set()
            for e in server.log.entries:
                cmd = e.command
                if e.index > server.last_applied:
                    break
                if cmd is None or getattr(cmd, "client", None) is None:
                    continue
                k = (cmd.client, cmd.seq)
                if k in seen:
                    copies[cmd.client] = copies.get(cmd.client, 0) + 1
                seen.add(k)
        rows = []
        for name, cl in c.clients.items():
            hs = [h for h in c.handles if h.client == name]
            last = sessions.get(name)
            rows.append({"client": name, "ops": len(hs), "answered": sum(1 for h in hs if h.done),
                         "resent": sum(max(0, h.attempt - 1) for h in hs),
                         "last_applied": last[0] if last else 0, "extra_copies": copies.get(name, 0)})
        return ref, rows

    def _sessions_panel(self) -> str:
        from raftsite.charts import html_table

        c = self.scene.cluster
        view = c.view(log_window=0)
        key = (self._sig(), view.leader, tuple(s.last_applied for s in view.servers),
               tuple(sum(h.attempt for h in c.handles if h.client == k) for k in c.clients))
        if key == self._sessions_key:
            return self._sessions_html
        ref, rows = self._sessions()
        if not rows:
            html = ""
        else:
            html = html_table(
                f"Client sessions, as {ref}’s state machine records them" if ref else "Client sessions",
                ["Client", "Operations", "Resent (same #)", "Last # applied", "Extra copies in the log (not re-applied)"],
                [[r["client"], r["ops"], r["resent"], f"#{r['last_applied']}" if r["last_applied"] else "—",
                  r["extra_copies"]] for r in rows],
                table_id=self.scene.config["id"] + "-sessions")
        self._sessions_key, self._sessions_html = key, html
        return html

    def panels(self, full):
        c = self.scene.cluster
        self._maybe_check(full)
        out = {}
        pending = any(not h.done for h in c.handles if h.invoked_at is not None)
        step = math.floor(c.now / REDRAW_EVERY_SIM_MS) if pending else None
        key = (self._sig(), self.checked_sig, self.verdict, step, math.ceil(max(c.now, 1.0) / 1000.0))
        if full or key != self.drawn_key:
            self.drawn_key = key
            html = self._history_html()
            if full or html != self._sent_history:
                self._sent_history = html
                out["history"] = html
        marks = getattr(self.scene.run, "marks", None) or []
        step = f"Script step {marks[-1][1]}" if marks else ""
        if full or step != self._sent_step:
            self._sent_step = step
            out["step"] = esc(step)
        s = self._sessions_panel()
        if full or s != self._sent_sessions:
            self._sent_sessions = s
            out["sessions"] = s
        return out

    def status(self):
        if self._sig() != self.checked_sig:
            self.check()
        ref, rows = self._sessions()
        pair = None
        if self.pair:
            bad, cause = self.pair
            pair = {"bad": str(self.ops[bad]), "cause": str(self.ops[cause]) if cause is not None else None}
        return {
            "history": {
                "verdict": self.verdict,
                "complete": bool(self.result.complete) if self.result else True,
                "explored": self.result.explored if self.result else 0,
                "ops": [str(o) for o in self.ops],
                "pair": pair,
                "checks": self.checks,
                "check_ms_max": round(self.check_ms_max, 2),
            },
            "sessions": {"server": ref, "clients": {r["client"]: r for r in rows}},
        }
