"""The lab in chromium, driven as a reader would (keyboard included).

* With every rule of the algorithm in place, two thousand seeded chaos runs break none of the
  safety properties of the Raft paper's Figure 3 (§5.2–§5.4) and leave linearizable client
  histories (thesis §6) — and the browser's tables are exactly what CPython computes for the
  same settings: a run is a pure function of its seed, in both.
* With one unsafe switch on, a modest number of runs finds a violation; the failing run is
  listed with its seed, and its replay link opens the replay view positioned on the violating
  event, the monitor red and the checker's report beside it; the timeline travels back and
  returns to it.
* The page stays responsive: Stop ends a long batch between two frames and keeps its results.
* Settings round-trip through the address; a bad parameter is a message, never a blank page.
"""

from __future__ import annotations

import json
import re

from raftcore.lab import LabRun, LabSettings, LabSettingsError, run_many
from browser_helpers import settle, wait_js

LAB = "lab/"
REPLAY = "lab/replay/"


def open_lab(page, query: str = "") -> None:
    page.goto(LAB + query)
    page.wait_for_selector('.raft-lab[data-state="ready"]', timeout=120_000)


def run_batch(page, timeout: float = 600_000) -> dict:
    """Press Run with the keyboard and wait for the batch to end; the lab's summary and failures."""
    page.evaluate("() => { window.__raftLab.last = null; }")
    page.focus('[data-action="lab-run"]')
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.__raftLab.last !== null", timeout=timeout)
    return page.evaluate("() => window.__raftLab.last")


def table(page, role: str) -> list[list[str]]:
    return page.evaluate(
        "(role) => [...document.querySelectorAll(`[data-role='${role}'] tbody tr`)]"
        ".map(tr => [...tr.children].map(td => td.textContent))",
        role,
    )


def scene_status(page) -> dict:
    return page.evaluate("async () => JSON.parse(await [...window.__raft.scenes.values()].find(u => u.scene).scene.status())")


def lab_error(**settings) -> str:
    """The lab's own message for bad settings (the page must show exactly this)."""
    try:
        LabSettings.from_dict(settings)
    except LabSettingsError as exc:
        return str(exc)
    raise AssertionError(f"{settings} are valid settings")


def runs_done(summary: dict) -> int:
    """Runs finished, from the lab's summary (``runs_done`` where ``runs`` is the batch's size)."""
    return summary.get("runs_done", summary["runs"])


def cpython_summary(settings: LabSettings) -> dict:
    """The same campaign in this process, through JSON like the browser's."""
    return json.loads(json.dumps(run_many(settings).to_dict()))


def test_two_thousand_runs_with_every_rule_in_place_hold_every_property(page):
    open_lab(page, "?runs=2000&duration=150&seed=0")
    assert page.input_value("#lab-runs") == "2000" and page.input_value("#lab-duration") == "150"
    page.evaluate("() => { window.__raftLab.last = null; }")
    page.focus('[data-action="lab-run"]')
    page.keyboard.press("Enter")
    # while it runs: the form is locked, Stop is live, and the bar moves frame after frame
    page.wait_for_function("() => document.querySelector('.raft-lab').dataset.state === 'running'")
    assert page.is_enabled('[data-action="lab-stop"]') and page.is_disabled("#lab-size")
    page.wait_for_function("() => document.querySelector('#lab-progress').value >= 1", timeout=120_000)
    first = page.evaluate("() => document.querySelector('#lab-progress').value")
    page.wait_for_function(f"() => document.querySelector('#lab-progress').value > {first}", timeout=120_000)
    page.wait_for_function("() => window.__raftLab.last !== null", timeout=900_000)
    last = page.evaluate("() => window.__raftLab.last")
    summary = last["summary"]

    assert runs_done(summary) == 2000 and summary["failed"] == 0 and last["failures"] == []
    rows = table(page, "lab-properties")
    labels = [r[0] for r in rows]
    assert labels[:6] == ["Election Safety", "Leader Append-Only", "Log Matching", "Leader Completeness",
                          "State Machine Safety", "Term monotonicity"]
    assert "Linearizability" in labels
    for label, held, runs, failed in rows:
        assert (held, runs, failed) == ("2,000", "2,000", "0"), label
    assert page.is_hidden('[data-role="lab-failures"]')
    assert page.evaluate("() => document.querySelector('#lab-progress').value") == 2000
    assert page.text_content('[data-role="lab-status"]') == "Done: all 2,000 runs held every property."
    availability = dict((r[0], r[1]) for r in table(page, "lab-availability"))
    assert re.match(r"p50 \d+ ms · p90 \d+ ms · p99 \d+ ms", availability["Commit latency (writes)"])
    assert "ms per run" in availability["Time without a leader"]
    assert float(availability["Messages per committed entry"]) > 0
    cli = page.text_content('[data-role="lab-cli"]')
    assert cli == "python -m raftcore.lab --duration 150 --runs 2000 --seed 0"

    # the same runs in CPython give the same tables, to the last count and millisecond
    want = cpython_summary(LabSettings(runs=2000, duration=150.0, seed=0))
    assert {k: summary[k] for k in want} == want


def test_an_unsafe_switch_is_caught_and_the_replay_opens_on_the_violating_event(page):
    switch = "multiple_votes_per_term"
    open_lab(page)
    # the reader sets 30 runs and ticks the switch, with the keyboard
    page.fill("#lab-runs", "30")
    page.dispatch_event("#lab-runs", "change")
    page.focus(f"#lab-unsafe-{switch}")
    page.keyboard.press("Space")
    settle(page)  # the address is written once Python has checked the settings
    assert page.is_checked(f"#lab-unsafe-{switch}")
    assert f"unsafe={switch}" in page.url and "runs=30" in page.url
    last = run_batch(page)

    settings = LabSettings(runs=30, unsafe=(switch,))
    expected = []
    for seed in range(30):
        run = LabRun(seed, settings)
        run.run()
        if run.failure is not None:
            expected.append(run.failure.to_dict())
    assert expected, "30 runs with the switch on must catch it"
    assert last["failures"] == json.loads(json.dumps(expected))
    rows = table(page, "lab-failures")
    assert [int(r[0]) for r in rows] == [f["seed"] for f in expected]
    first = expected[0]
    assert rows[0][1] == first["label"] and rows[0][4] == first["report"].splitlines()[0]
    row = table(page, "lab-properties")
    failed = {r[0]: r[3] for r in row}
    assert failed[first["label"]] != "0"

    # the replay link, followed with the keyboard
    link = page.locator('[data-role="lab-replay-link"]').first
    assert link.text_content() == f"Replay run {first['seed']}"
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/lab/replay/\?"))
    page.wait_for_selector('.raft-scene[data-state="ready"]', timeout=120_000)
    s = scene_status(page)
    assert s["seed"] == first["seed"] and s["unsafe"] == {}
    assert s["lab_replay"]["failure"] == first
    # positioned on the violating event: the cluster stopped there
    assert s["violation"] == first["report"] and abs(s["time"] - first["time"]) < 1e-6
    # a run that failed offers "Go to the violation"
    assert page.locator('.raft-scene [data-control="lab_replay"][data-target="failure"]').is_visible()
    key = first["invariant"]
    page.wait_for_selector(f'.raft-scene .raft-inv[data-invariant="{key}"].raft-inv--bad')
    assert page.is_visible('.raft-scene [data-role="violation"]')
    assert page.text_content('.raft-scene [data-role="violation"]') == first["report"]
    verdict = page.text_content('[data-role="lab-verdict"]')
    assert f"Run {first['seed']}" in verdict and first["label"] in verdict

    # time travel: back to the start (keyboard on the scrubber) — all green — and to the violation again
    page.focus('.raft-scene [data-timeline="scrub"]')
    page.keyboard.press("Home")
    wait_js(page, "async () => JSON.parse(await [...window.__raft.scenes.values()][0].scene.status()).time === 0")
    page.wait_for_selector(f'.raft-scene .raft-inv[data-invariant="{key}"].raft-inv--ok')
    page.click('.raft-scene [data-control="lab_replay"]')
    page.wait_for_selector(f'.raft-scene .raft-inv[data-invariant="{key}"].raft-inv--bad')
    assert scene_status(page)["violation"] == first["report"]

    # and back to the lab: the tables of this batch are still there
    page.go_back()
    page.wait_for_selector('.raft-lab[data-state="ready"]', timeout=120_000)
    assert [int(r[0]) for r in table(page, "lab-failures")] == [f["seed"] for f in expected]


def test_a_non_linearizable_run_opens_paused_on_the_reply_no_linearization_explains(page):
    """local_reads breaks no server invariant, so the run is not halted at its failure: the view
    must hold it there (the scenes otherwise start playing)."""
    switch = "local_reads"
    settings = LabSettings(unsafe=(switch,))
    for seed in range(40):
        run = LabRun(seed, settings)
        run.run()
        if run.failure is not None:
            break
    assert run.failure is not None and run.failure.key == "linearizability"
    page.goto(f"{REPLAY}?seed={run.seed}&unsafe={switch}")
    page.wait_for_selector('.raft-scene[data-state="ready"]', timeout=120_000)
    page.wait_for_function("() => document.querySelector('.raft-scene').dataset.playing === 'false'")
    page.wait_for_timeout(300)  # frames that would move a playing scene
    s = scene_status(page)
    assert s["violation"] is None and s["lab_replay"]["linearizability"] == "bad"
    assert abs(s["time"] - run.failure.time) < 1e-6 and s["lab_replay"]["steps"] == run.failure.event
    page.wait_for_selector('[data-panel="lab_run"] .raft-inv[data-invariant="linearizability"].raft-inv--bad')
    assert page.text_content('[data-role="lab-report"]') == run.failure.report


def test_stop_ends_a_long_batch_and_keeps_what_was_done(page):
    open_lab(page, "?runs=100000&duration=150")
    page.click('[data-action="lab-run"]')
    page.wait_for_function("() => document.querySelector('#lab-progress').value >= 3", timeout=120_000)
    # focus went to Stop when the batch started: Enter stops it
    assert page.evaluate("() => document.activeElement.dataset.action") == "lab-stop"
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('.raft-lab').dataset.state === 'ready'")
    last = page.evaluate("() => window.__raftLab.last")
    n = runs_done(last["summary"])
    assert last["stopped"] and 3 <= n < 100000
    status = page.text_content('[data-role="lab-status"]')
    assert status == f"Stopped after {n:,} of 100,000 runs: 0 failed."
    assert table(page, "lab-properties")[0][2] == f"{n:,}"
    assert page.is_enabled('[data-action="lab-run"]') and page.is_disabled('[data-action="lab-stop"]')
    assert page.is_enabled("#lab-size")


def test_settings_round_trip_through_the_address(page):
    d = LabSettings()
    open_lab(page)
    page.fill("#lab-size", "7")
    page.dispatch_event("#lab-size", "change")
    page.check("#lab-unsafe-local_reads")
    page.set_checked("#lab-membership", not d.membership)  # away from its default
    flipped = f"membership={'off' if d.membership else 'on'}"
    page.wait_for_function(f"() => location.search.includes('{flipped}')")
    query = page.evaluate("() => location.search")
    assert "size=7" in query and "unsafe=local_reads" in query
    assert f"runs={d.runs}" in query and f"seed={d.seed}" in query
    page.reload()
    page.wait_for_selector('.raft-lab[data-state="ready"]', timeout=120_000)
    assert page.input_value("#lab-size") == "7"
    assert page.is_checked("#lab-unsafe-local_reads") and page.is_checked("#lab-membership") != d.membership
    assert page.is_hidden('[data-role="lab-message"]')
    # "Default settings" puts every control back, and the address with it
    page.click('[data-action="lab-defaults"]')
    settle(page)
    assert page.input_value("#lab-size") == str(d.size) and not page.is_checked("#lab-unsafe-local_reads")
    assert page.evaluate("() => location.search") == f"?runs={d.runs}&seed={d.seed}"


def test_bad_parameters_are_messages_not_blank_pages(page):
    open_lab(page, "?size=12&runs=20")
    msg = page.text_content('[data-role="lab-message"]')
    assert page.is_visible('[data-role="lab-message"]')
    assert lab_error(size="12") in msg and "default settings" in msg
    assert page.input_value("#lab-size") == str(LabSettings().size)  # the form keeps the defaults
    open_lab(page, "?runs=lots")
    assert lab_error(runs="lots") in page.text_content('[data-role="lab-message"]')
    # a bad value typed into the form: the change says why, and Run refuses with the same reason
    page.fill("#lab-size", "1")
    page.dispatch_event("#lab-size", "change")
    settle(page)
    assert page.text_content('[data-role="lab-message"]') == lab_error(size="1")
    page.click('[data-action="lab-run"]')
    settle(page)
    assert page.text_content('[data-role="lab-message"]') == "Cannot run: " + lab_error(size="1")
    assert page.evaluate("() => document.querySelector('.raft-lab').dataset.state") == "ready"
    # the replay view with an address that names no valid run
    page.goto(REPLAY + "?seed=4&unsafe=nope")
    page.wait_for_selector('.raft-scene[data-state="ready"]', timeout=120_000)
    alert = page.locator('[data-role="lab-error"]')
    assert alert.is_visible() and "unknown unsafe switch 'nope'" in alert.text_content()
    assert scene_status(page)["lab_replay"]["error"].startswith("unknown unsafe switch 'nope'")


def test_the_bare_replay_page_explains_its_empty_state_and_offers_no_violation(page):
    page.goto(REPLAY)
    page.wait_for_selector('.raft-scene[data-state="ready"]', timeout=120_000)
    message = page.locator('.raft-scene [data-role="message"]')
    # the control asks Python for the run's status once the scene is ready: a round trip later
    message.wait_for(state="visible")
    text = message.text_content()
    assert "No lab run to replay" in text and "no seed" in text and "lab's tables" in text
    assert "names no run" not in page.text_content("article")
    # no violation, so nothing to go to
    assert page.locator('.raft-scene [data-control="lab_replay"][data-target="failure"]').is_hidden()
    assert page.locator('.raft-scene [data-action="to-violation"]').count() == 0
