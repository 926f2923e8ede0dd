"""The story's steps (SCENES.md, "How a scene reads"): the scenario's ``mark``s are the steps;
◀ Back / Next ▶ (← →) move between them, Space plays and pauses, the step's caption is drawn
under the diagram, and the address records the step and the seed.

Pacing is checked without a clock: the bridge's frames are fed fixed wall-clock slices (as the
glue's requestAnimationFrame loop does) and every message must stay on the wire for at least
0.4 s worth of them."""

from __future__ import annotations

import re

from browser_helpers import scene_status, wait_ready

SCENE07 = "scenes/07-election-restriction/"  # eight marks, the first at t = 0
SCENE01 = "scenes/01-replicated-state-machines/"
SCENE08 = "scenes/08-figure-8/"  # an unsafe switch; the run goes on after a violation
SCENE03 = "scenes/03-leader-election/"  # an unsafe switch; the run stops at the violation

CAPTION = '.raft-scene [data-role="caption"]'
NEXT = '.raft-scene [data-action="next"]'
BACK = '.raft-scene [data-action="back"]'


def settled(page) -> None:
    """Wait until the step Next ▶ started has arrived."""
    page.wait_for_function("() => document.querySelector('.raft-scene').dataset.stepping === 'false'",
                           timeout=120_000)


def step_no(page) -> int:
    return scene_status(page)["step"]


def test_next_back_and_keys_move_between_the_marks_and_the_address_follows(page):
    page.goto(SCENE07)
    wait_ready(page)
    s = scene_status(page)
    assert s["steps"] == 8 and s["step"] == 1 and s["time"] == 0  # the opening frame is step 1 (a mark at t = 0)
    assert "Step 1 of 8" in page.text_content(CAPTION)
    assert s["marks"] == ["(1) Five followers; elections here are scripted (long timeouts). Next: S1 is elected for term 1 and every server commits its no-op"]
    page.select_option('.raft-scene [data-action="speed"]', "5")
    page.click(NEXT)
    settled(page)
    s = scene_status(page)
    assert s["step"] == 2 and s["step_no"] == 2
    caption = page.text_content(CAPTION)
    assert "Step 2 of 8" in caption and s["marks"][-1] in caption  # the mark's label, in large
    assert re.search(r"[?&]step=2\b", page.url)
    assert page.get_attribute(".raft-scene", "data-playing") == "false"  # a step ends paused
    # the keyboard, from the page's body: → next step, ← back
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.keyboard.press("ArrowRight")
    settled(page)
    assert step_no(page) == 3 and re.search(r"[?&]step=3\b", page.url)
    t3 = scene_status(page)["time"]
    page.keyboard.press("ArrowLeft")
    assert step_no(page) == 2
    # Back restores the earlier step exactly; Next again arrives at the same moment
    page.keyboard.press("ArrowRight")
    settled(page)
    assert scene_status(page)["time"] == t3
    page.click(BACK)
    page.click(BACK)
    s = scene_status(page)
    assert s["step"] == 1 and s["time"] == 0 and "step=" not in page.url
    assert page.is_disabled(BACK)  # nothing before the opening frame
    # Space plays and pauses; typing in the seed field never steps or plays
    page.keyboard.press("Space")
    assert page.get_attribute(".raft-scene", "data-playing") == "true"
    page.keyboard.press("Space")
    assert page.get_attribute(".raft-scene", "data-playing") == "false"
    page.click('.raft-scene [data-action="seed"]')
    t = scene_status(page)["time"]
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")
    assert page.get_attribute(".raft-scene", "data-stepping") == "false"
    assert page.get_attribute(".raft-scene", "data-playing") == "false" and scene_status(page)["time"] == t


def test_the_address_restores_a_step_and_a_bad_one_is_explained(page):
    page.goto(SCENE07 + "?seed=7&step=4")
    wait_ready(page)
    s = scene_status(page)
    assert s["step"] == 4 and s["seed"] == 7
    assert "Step 4 of 8" in page.text_content(CAPTION)
    assert page.locator('.raft-scene [data-role="message"]').is_hidden()
    for bad, why in (("step=banana", "not a step number"), ("step=99", "there is no step 99: this scene has 8 steps"),
                     ("scene=s99&step=2", "names scene “s99”, which is not on this page")):
        page.goto(SCENE07 + f"?{bad}")
        wait_ready(page)
        message = page.locator('.raft-scene [data-role="message"]')
        assert message.is_visible() and why in message.text_content()
        assert page.locator('.raft-scene [data-role="diagram"] svg').count() >= 1  # never a blank diagram
        assert page.text_content(CAPTION).strip()


def test_without_marks_next_runs_a_slice_of_time(page):
    page.goto(SCENE01)
    wait_ready(page)
    s = scene_status(page)
    if s["steps"]:
        return  # the scenario gained marks: the marks test above covers it
    page.select_option('.raft-scene [data-action="speed"]', "5")
    page.click(NEXT)
    settled(page)
    s = scene_status(page)
    assert 500 <= s["time"] < 520 and s["step_no"] == 1
    assert re.search(r"[?&]step=1\b", page.url)
    page.click(BACK)
    assert scene_status(page)["time"] == 0


def test_an_unsafe_run_is_narrated_from_what_happened(page):
    page.goto(SCENE08)
    wait_ready(page)
    go = page.locator('.raft-scene [data-action="to-violation"]')
    assert go.is_hidden()  # a safe run has no violation to go to
    switch = page.locator('.raft-scene__toolbar [data-action="unsafe"]')  # in the scene's own toolbar
    switch.check()
    assert page.get_attribute(".raft-scene", "data-playing") == "false"
    assert page.locator('.raft-defend [data-action="unsafe"]').is_checked()  # "Defend it" follows
    page.select_option('.raft-scene [data-action="speed"]', "5")
    for _ in range(6):
        page.click(NEXT)
        settled(page)
        if page.get_attribute(".raft-scene", "data-violation") == "true":
            break
    assert go.is_visible()
    caption = page.text_content(CAPTION)
    # the broken rule, its servers and the index — from the checker's Violation, not the script
    assert "is broken" in caption and "index 2" in caption and "S5" in caption
    page.click(NEXT)
    settled(page)
    caption = page.text_content(CAPTION)
    assert "cannot win" not in caption and "was never committed" not in caption  # the script's safe-run story
    events = page.text_content('.raft-scene [data-role="events"]')
    assert "it was never committed" not in events or "assumed a safe run" in events
    go.click()
    s = scene_status(page)
    v = s["violation"]
    assert v and abs(s["time"] - float(re.search(r"at ([0-9.]+)ms", v).group(1))) < 0.05


def test_a_halted_run_shows_the_frozen_frame_and_goes_to_it(page):
    page.goto(SCENE03)
    wait_ready(page)
    page.locator('.raft-scene__toolbar [data-action="unsafe"]').check()
    page.select_option('.raft-scene [data-action="speed"]', "5")
    page.click('.raft-scene [data-action="play"]')
    page.wait_for_function("() => document.querySelector('.raft-scene').dataset.violation === 'true'", timeout=120_000)
    page.wait_for_function("() => /Stopped/.test(document.querySelector('.raft-scene [data-role=\"status\"]').textContent)")
    s = scene_status(page)
    assert "Election Safety" in page.text_content(CAPTION) and "term" in page.text_content(CAPTION)
    page.wait_for_timeout(300)
    assert scene_status(page)["time"] == s["time"]  # halted: time no longer moves
    page.click('.raft-scene [data-action="to-violation"]')
    assert scene_status(page)["time"] == s["time"]


def test_unsafe_plumbing_is_not_lit_in_a_safe_run(page):
    page.goto(SCENE07)
    wait_ready(page)
    page.select_option('.raft-scene [data-action="speed"]', "5")
    lit_unsafe = ("() => [...document.querySelectorAll('.raft-listing .raft-exec')]"
                  ".filter(n => /^\\s*(unsafe\\s*=|(el)?if\\s+unsafe)/.test(n.textContent)).length")
    seen_lit = 0
    for _ in range(3):
        page.click(NEXT)
        settled(page)
        seen_lit += page.locator(".raft-listing .raft-exec").count()
        assert page.evaluate(lit_unsafe) == 0
    assert seen_lit > 0  # lines were lit: the check above looked at something


def test_pacing_every_message_stays_on_screen_for_0_4_s():
    """CPython, the bridge alone: frames of 1/60 s while Next ▶ runs; each message on the wire
    must be seen in ≥ 0.4 s worth of frames (24 at 60 frames a second) at the scene's speed."""
    import json
    from pathlib import Path

    from raftsite.blocks.schema import validate_block
    from raftsite.browser import Scene
    from raftsite.markdown_ext import scene_runtime_config

    root = Path(__file__).resolve().parents[2]
    block = re.search(r"```raft-scene\n(.*?)```", (root / "docs/scenes/07-election-restriction.md").read_text(), re.S)
    scene = Scene(scene_runtime_config(validate_block(block.group(1))))
    seen: dict[int, int] = {}
    for _ in range(3):
        json.loads(scene.next_step())
        frames = 0
        while json.loads(scene.frame(1000 / 60))["stepping"]:
            frames += 1
            for f in scene.cluster.view().flights:
                seen[f.id] = seen.get(f.id, 0) + 1
            assert frames < 50_000
    delivered = [n for fid, n in seen.items() if fid not in {f.id for f in scene.cluster.view().flights}]
    assert len(delivered) > 10
    assert min(delivered) >= 23, sorted(delivered)[:5]  # ≥ 0.4 s at 60 frames a second (one frame of slack)


def test_the_code_sits_beside_the_diagram_from_1200px_and_keeps_the_lit_line_in_view(page):
    page.goto(SCENE07)
    wait_ready(page)
    page.select_option('.raft-scene [data-action="speed"]', "5")
    page.click(NEXT)
    settled(page)
    page.locator('.raft-scene [data-role="diagram"]').scroll_into_view_if_needed()
    geo = page.evaluate("""() => {
      const r = (sel) => document.querySelector(sel).getBoundingClientRect();
      const d = r('.raft-scene [data-role="diagram"] svg.raft-svg--wide'), p = r('.raft-scene [data-role="pane"]');
      const box = document.querySelector('.raft-scene .raft-pane__panel:not([hidden]) .raft-pane__code');
      const lit = box.querySelector('.raft-exec');
      const b = box.getBoundingClientRect(), l = lit ? lit.getBoundingClientRect() : null;
      return {diagramRight: d.right, paneLeft: p.left, paneTop: p.top, diagramTop: d.top, height: innerHeight,
              lit: l && l.top >= b.top - 1 && l.bottom <= b.bottom + 1, clipped: box.scrollWidth > box.clientWidth + 1};
    }""")
    assert geo["paneLeft"] >= geo["diagramRight"] - 1  # side by side
    assert geo["paneTop"] < geo["height"] and geo["diagramTop"] < geo["height"]  # on screen together
    assert geo["lit"]  # the running function's lit line is inside the pane's visible box
    assert not geo["clipped"]  # long lines wrap inside the pane
    # the Implementation section's listings scroll rather than clip
    assert page.evaluate("""() => [...document.querySelectorAll(
      '.raft-listing .highlighttable, .raft-listing td.code pre, .raft-listing td.code code')].every(t =>
      t.scrollWidth <= t.clientWidth + 1 || ['auto', 'scroll'].includes(getComputedStyle(t).overflowX))""")
    # below 1200 px: the normal flow, no pane
    page.set_viewport_size({"width": 1100, "height": 900})
    assert page.locator('.raft-scene [data-role="pane"]').is_hidden()


def test_back_then_next_is_the_run_that_never_went_back():
    """CPython, the bridge alone: Next ▶ stops exactly at each mark, and ◀ Back then Next ▶ gives
    the very trace of a run straight from the start (ScenarioRun.snapshot/restore are exact)."""
    from pathlib import Path

    from raftcore.scenarios import load_scenario
    from raftsite.blocks.schema import validate_block
    from raftsite.browser import Scene
    from raftsite.markdown_ext import scene_runtime_config

    root = Path(__file__).resolve().parents[2]
    block = re.search(r"```raft-scene\n(.*?)```", (root / "docs/scenes/08-figure-8.md").read_text(), re.S)
    scene = Scene(scene_runtime_config(validate_block(block.group(1))))
    for _ in range(3):
        scene.next_step()
        scene.complete_step()
    marks = scene.run.marks
    assert len(marks) == 3 and scene.cluster.now == marks[-1][0]  # stopped on the third mark itself
    at_three = scene.cluster.trace_hash()
    scene.back_step()
    assert scene.cluster.now == marks[1][0] and len(scene.run.marks) == 2
    scene.next_step()
    scene.complete_step()
    assert scene.cluster.trace_hash() == at_three
    straight = load_scenario("scene08").start(strict=False)
    straight.advance(scene.cluster.now)
    assert straight.cluster.trace_hash() == at_three
