"""The playground in chromium (issue 17): every control a reader can press, the link round trip
(act, Copy link, open it in a new context: the same trace hash), bad links, and a nine-server
run with loss, duplication and reordering that stays readable.

The page module talks to Python only through ``ui.action("playground", …)``; so do these tests
(``status``), awaiting the answer, so they hold when Python moves into a worker."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from browser_helpers import guard, set_speed, wait_ready

PAGE = "playground/"
SCENE = ".raft-scene"
PANEL = '.raft-scene [data-role="playground"]'
_STATUS = """async () => { const ui = [...window.__raft.scenes.values()].find(u => u.scene);
  return await ui.action("playground", "status", ""); }"""
_SCENE = "async () => JSON.parse(await [...window.__raft.scenes.values()].find(u => u.scene).scene.status())"


def pg(page) -> dict:
    return page.evaluate(_STATUS)


def until(page, fn: str, timeout: float = 60_000) -> None:
    """Poll the async JS function ``fn`` until it returns true. (``page.wait_for_function``
    does not await an async predicate: its Promise would count as true at once.)"""
    for _ in range(int(timeout // 50)):
        if page.evaluate(fn):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"still false after {timeout:g} ms: {fn}")


def wait_pg(page, predicate: str, timeout: float = 60_000) -> dict:
    """Wait until ``predicate`` (a JS expression over ``s``, the playground's status) holds."""
    until(page, "async () => { const ui = [...window.__raft.scenes.values()].find(u => u.scene);"
                f" const s = ui ? await ui.action('playground', 'status', '') : null; return !!(s && ({predicate})); }}",
          timeout)
    return pg(page)


def leader(page) -> str | None:
    return page.evaluate(_SCENE)["leader"]


def open_pg(page, query: str = "") -> None:
    page.goto(PAGE + query)
    wait_ready(page)
    page.locator(f'{SCENE} [data-role="diagram"]').scroll_into_view_if_needed()


def play_until(page, predicate: str, timeout: float = 60_000) -> dict:
    """Play at 5× until the playground's status satisfies ``predicate``, then pause."""
    set_speed(page, "5")
    play = page.locator(f'{SCENE} [data-action="play"]')
    if play.get_attribute("aria-pressed") != "true":
        play.click()
    page.locator(f'{SCENE} [data-role="diagram"]').scroll_into_view_if_needed()
    wait_pg(page, predicate, timeout)
    play.click()
    return pg(page)


def elect(page) -> str:
    """Play until a leader is elected; return its name."""
    page.wait_for_timeout(0)
    set_speed(page, "5")
    play = page.locator(f'{SCENE} [data-action="play"]')
    play.click()
    page.locator(f'{SCENE} [data-role="diagram"]').scroll_into_view_if_needed()
    until(page, f"async () => !!(await ({_SCENE})()).leader")
    play.click()
    return leader(page)


def inspect_press(page, server: str, action: str) -> None:
    """Open a server's panel (click it) and press one of its buttons."""
    page.locator(f'{SCENE} [data-server="{server}"]:visible').first.click()
    page.locator(f'{SCENE} [data-role="inspect"] [data-inspect-action="{action}"]').click()


def last_verbs(page) -> str:
    return "".join(re.sub(r"^\d+", "", a)[:1] for a in pg(page)["actions"])


# ------------------------------------------------------------------ the link round trip


def test_act_copy_the_link_and_a_new_context_replays_the_same_run(page, chromium, site_server, watch):
    open_pg(page)
    lead = elect(page)
    inspect_press(page, lead, "crash")
    assert pg(page)["actions"][-1].endswith(f"c{lead[1:]}")
    page.select_option(f'{PANEL} select[data-pg="side"][data-pg-server="S2"]', "B")
    page.locator(f'{PANEL} [data-pg-input="loss"]').fill("15")  # a range input: fill sets and fires change
    page.check(f'{PANEL} input[data-pg-switch="local_reads"]')
    play_until(page, "s.time > 3000")
    page.click(f'{SCENE} [data-pg="link"]')
    page.wait_for_function("() => /pg=v1\\./.test(document.querySelector('[data-role=\"pg-link\"]').value)")
    href = page.locator(f'{SCENE} [data-role="pg-link"]').input_value()
    mine = pg(page)
    assert href == page.url  # the address bar holds the same link
    code = parse_qs(urlparse(href).query)["pg"][0]
    assert code == mine["link"] and mine["unsafe"] == ["local_reads"] and mine["faults"][0] == 15
    assert len(mine["actions"]) == 4
    # CPython replays the page's run to the same trace (Pyodide's Python and this one agree)
    from raftsite.playground import replay

    assert replay(code).cluster.trace_hash() == mine["trace_hash"]

    other = chromium.new_context(base_url=site_server, viewport={"width": 1280, "height": 900},
                                 service_workers="block")
    guard(other, watch)
    try:
        p2 = other.new_page()
        p2.goto(href)
        wait_ready(p2)
        theirs = wait_pg(p2, "s.time > 0")
        assert theirs["trace_hash"] == mine["trace_hash"]
        assert theirs["time"] == mine["time"] and theirs["actions"] == mine["actions"] and theirs["notes"] == []
        assert p2.locator(f'{SCENE} [data-role="message"]').is_hidden()
        # the page shows what the link says: the switch, the slider, the side
        assert p2.locator(f'{PANEL} input[data-pg-switch="local_reads"]').is_checked()
        assert p2.locator(f'{PANEL} [data-pg-input="loss"]').input_value() == "15"
        assert p2.locator(f'{PANEL} select[data-pg="side"][data-pg-server="S2"]').input_value() == "B"
    finally:
        other.close()


@pytest.mark.parametrize("query,says", [
    ("?pg=garbage", "does not start with a version"),
    ("?pg=v7.n4.s9.t50.10c1", "another version"),
    ("?pg=v1.n5.s1.t300.100c1.200c1", "already crashed"),
    ("?pg=v1.n99.s1.t0", "1 to 9 servers"),
    ("?pg=v1.n3.s1.t40.10zz.20c8", "no server S8"),
])
def test_a_bad_link_says_so_and_opens_what_it_can(page, query, says):
    open_pg(page, query)
    msg = page.locator(f'{SCENE} [data-role="message"]')
    msg.wait_for(state="visible")
    assert says in msg.text_content() and "could not be opened as it is" in msg.text_content()
    st = pg(page)
    assert st["servers"] and page.locator(f'{SCENE} [data-server][role="button"]:visible').count() == len(st["servers"])
    if "v7" in query:
        assert st["settings"]["size"] == 4 and st["settings"]["seed"] == 9 and st["actions"] == []


# ------------------------------------------------------------------ every control


def test_the_inspect_panel_times_out_pauses_and_hands_over_leadership(page):
    open_pg(page)
    lead = elect(page)
    follower = next(n for n in ("S1", "S2", "S3") if n != lead)
    # the glue's panel gets the playground's buttons; a leader has no election timer: a clear refusal
    inspect_press(page, lead, "pg-timeout")
    assert "leaders have no election timer" in page.locator(f'{SCENE} [data-role="message"]').text_content()
    inspect_press(page, follower, "pg-pause")
    st = pg(page)
    assert follower in st["paused"] and st["actions"][-1].endswith(f"z{follower[1:]}-300")
    assert page.locator(f'{SCENE} [data-role="diagram"] svg:visible .raft-paused').count() == 1  # drawn on it
    play_until(page, f"!('{follower}' in s.paused)")  # it resumes on its own
    inspect_press(page, follower, "pg-transfer")
    assert pg(page)["actions"][-1].endswith(f"x{follower[1:]}")
    page.wait_for_timeout(0)
    set_speed(page, "5")
    page.locator(f'{SCENE} [data-action="play"]').click()
    until(page, f"async () => (await ({_SCENE})()).leader === '{follower}'")
    page.locator(f'{SCENE} [data-action="play"]').click()
    other = next(n for n in ("S1", "S2", "S3", "S4") if n != follower)
    inspect_press(page, other, "pg-timeout")
    assert pg(page)["actions"][-1].endswith(f"o{other[1:]}")
    # the keyboard reaches the same buttons
    page.keyboard.press("Escape")
    page.focus(f'{SCENE} [data-server="{other}"]:visible')
    page.keyboard.press("Enter")
    page.focus(f'{SCENE} [data-role="inspect"] [data-inspect-action="crash"]')
    page.keyboard.press("Enter")
    assert pg(page)["actions"][-1].endswith(f"c{other[1:]}")


def test_the_panels_buttons_sliders_and_switches_each_act(page):
    open_pg(page)
    lead = elect(page)
    follower = next(n for n in ("S1", "S2", "S3") if n != lead)

    def press(action, **picks):
        for key, value in picks.items():
            page.select_option(f'{PANEL} select[data-pg-input="{key}"]', value)
        page.click(f'{PANEL} button[data-pg="{action}"]')
        return pg(page)

    st = press("toggle", server=follower)
    assert st["actions"][-1].endswith(f"c{follower[1:]}")
    st = press("toggle", server=follower)
    assert st["actions"][-1].endswith(f"r{follower[1:]}")
    st = press("timeout", server=follower)
    assert st["actions"][-1].endswith(f"o{follower[1:]}") or "Cannot do that" in page.locator(
        f'{SCENE} [data-role="message"]').text_content()
    page.select_option(f'{PANEL} select[data-pg-input="pause"]', "1000")
    st = press("pause", server=follower)
    assert st["actions"][-1].endswith(f"z{follower[1:]}-1000")
    st = press("cut", **{"from": "S1", "to": "S2"})
    assert st["actions"][-1].endswith("k12")
    page.select_option(f'{PANEL} select[data-pg-input="delay"]', "200")
    st = press("delay", **{"from": "S3", "to": "S4"})
    assert st["actions"][-1].endswith("l34-200")
    assert "S3→S4 +200 ms" in page.locator(f"{PANEL} [data-panel=pg-servers]").text_content()
    st = press("heal")
    assert st["actions"][-1].endswith("h")
    st = press("write")
    assert st["actions"][-1].endswith("s")
    st = press("read")
    assert st["actions"][-1].endswith("g")
    page.locator(f'{PANEL} [data-pg-input="rate"]').fill("8")
    assert wait_pg(page, "s.rate === 8")["actions"][-1].endswith("w8")
    for name, value in (("duplicate", "10"), ("reorder", "30")):
        page.locator(f'{PANEL} [data-pg-input="{name}"]').fill(value)
    assert wait_pg(page, "s.faults[1] === 10 && s.faults[2] === 30")["actions"][-1].endswith("n0-10-30")
    st = press("add")
    assert st["actions"][-1].endswith("a6") and "S6" in st["servers"]
    page.wait_for_selector(f'{SCENE} [data-server="S6"]:visible')
    st = press("remove", server="S6")
    assert st["actions"][-1].endswith("d6")
    page.check(f'{PANEL} input[data-pg-switch="commit_without_majority"]')
    assert wait_pg(page, "s.unsafe.length === 1")["unsafe"] == ["commit_without_majority"]
    page.uncheck(f'{PANEL} input[data-pg-switch="commit_without_majority"]')
    assert wait_pg(page, "s.unsafe.length === 0")["actions"][-1].endswith("ucm0")
    # a refused action says why and records nothing
    n = len(pg(page)["actions"])
    press("cut", **{"from": "S2", "to": "S2"})
    assert "two different servers" in page.locator(f'{SCENE} [data-role="message"]').text_content()
    assert len(pg(page)["actions"]) == n


def test_run_settings_start_a_new_run_with_them(page):
    open_pg(page)
    page.select_option(f'{PANEL} select[data-pg="settings"][data-pg-name="size"]', "9")
    st = wait_pg(page, "s.servers.length === 9")
    assert st["settings"]["size"] == 9 and st["time"] == 0
    assert page.locator(f'{SCENE} [data-server][role="button"]:visible').count() == 9
    page.uncheck(f'{PANEL} input[data-pg="settings"][data-pg-name="pre_vote"]')
    assert wait_pg(page, "!s.settings.pre_vote")["settings"]["size"] == 9
    page.uncheck(f'{PANEL} input[data-pg="settings"][data-pg-name="check_quorum"]')
    wait_pg(page, "!s.settings.check_quorum")
    page.select_option(f'{PANEL} select[data-pg="settings"][data-pg-name="read_mode"]', "lease")
    assert "CheckQuorum" in page.locator(f'{SCENE} [data-role="message"]').text_content()
    assert pg(page)["settings"]["read_mode"] == "read_index"
    page.select_option(f'{PANEL} select[data-pg="settings"][data-pg-name="read_mode"]', "log")
    page.select_option(f'{PANEL} select[data-pg="settings"][data-pg-name="snapshot_threshold"]', "5")
    st = wait_pg(page, "s.settings.snapshot_threshold === 5 && s.settings.read_mode === 'log'")
    assert "pg=v1.n9.s1.p0.q0.rl.h5." in page.url
    # Reset keeps the settings; a new seed in the toolbar starts the same settings with that seed
    page.fill(f'{SCENE} [data-action="seed"]', "42")
    page.keyboard.press("Enter")
    st = wait_pg(page, "s.settings.seed === 42")
    assert st["settings"]["size"] == 9 and "s42" in st["link"]


def test_drag_and_arrow_keys_move_servers_between_sides(page):
    open_pg(page)
    svg = page.locator(f'{SCENE} [data-role="diagram"] svg:visible')
    box = svg.bounding_box()
    hit = page.locator(f'{SCENE} [data-server="S2"]:visible .raft-hit').bounding_box()
    x, y = hit["x"] + hit["width"] / 2, hit["y"] + hit["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 10, y, steps=2)
    page.mouse.move(box["x"] + 0.9 * box["width"], box["y"] + box["height"] / 3, steps=6)
    page.mouse.up()
    st = wait_pg(page, "s.actions.length === 1")
    assert st["actions"][0].endswith("p1345-2")
    assert page.evaluate(_SCENE)["alive"]["S2"] is True  # a drag is not a click
    page.focus(f'{SCENE} [data-server="S2"]:visible')
    page.keyboard.press("ArrowLeft")
    st = wait_pg(page, "s.actions.length === 2")
    assert st["actions"][1].endswith("h")
    page.keyboard.press("ArrowRight")
    assert wait_pg(page, "s.actions.length === 3")["actions"][2].endswith("p1345-2")


def test_break_raft_go_to_the_violation_and_travel_back(page):
    open_pg(page, "?pg=v1.n3.s1.p0.q1.ri.h0.t0")
    lead = elect(page)
    followers = [n for n in ("S1", "S2", "S3") if n != lead]
    page.check(f'{PANEL} input[data-pg-switch="multiple_votes_per_term"]')
    inspect_press(page, lead, "crash")
    inspect_press(page, followers[0], "pg-timeout")
    inspect_press(page, followers[1], "pg-timeout")
    play_until(page, "s.halted")
    page.wait_for_selector(f'{SCENE} .raft-inv[data-invariant="election_safety"].raft-inv--bad')
    go = page.locator(f'{SCENE} button[data-pg="violation"]')
    assert go.is_visible()
    at = pg(page)
    # travel back before the violation: the monitor is green again, the actions are the run's future
    page.locator(f'{SCENE} [data-timeline="scrub"]').focus()
    page.keyboard.press("Home")
    until(page, f"async () => (await ({_SCENE})()).time === 0")
    st = pg(page)
    assert not st["halted"] and st["actions"] == [] and len(st["future"]) == 4
    page.wait_for_selector(f'{SCENE} .raft-inv[data-invariant="election_safety"].raft-inv--ok')
    go.click()  # still offered: the recorded future reaches it
    st = wait_pg(page, "s.halted")
    assert st["trace_hash"] == at["trace_hash"] and st["time"] == at["time"] and len(st["actions"]) == 4
    page.wait_for_selector(f'{SCENE} .raft-inv[data-invariant="election_safety"].raft-inv--bad')
    # acting is refused at the violation, with the way out
    inspect_press(page, followers[0], "crash")
    assert "go back in time" in page.locator(f'{SCENE} [data-role="message"]').text_content()


@pytest.mark.parametrize("page_options", [{"viewport": {"width": 1280, "height": 900}},
                                          {"viewport": {"width": 390, "height": 844}}])
def test_nine_servers_with_loss_duplication_and_reordering_stay_readable(page, page_options):
    open_pg(page, "?pg=v1.n9.s3.p1.q1.ri.h0.t0.0n20-10-30.0w10")
    st = play_until(page, "s.time > 4000")
    assert st["faults"] == [20, 10, 30] and st["rate"] == 10 and not st["halted"]
    boxes = page.evaluate("""() => {
      const svg = [...document.querySelectorAll('.raft-scene [data-role="diagram"] svg')]
        .find((s) => s.getBoundingClientRect().width > 0);
      const out = [];
      for (const g of svg.querySelectorAll('[data-server]')) {
        const deco = document.getElementById(g.id + '-deco');
        for (const t of [...g.querySelectorAll('.raft-name'), ...(deco ? deco.querySelectorAll('.raft-badge, .raft-small') : [])]) {
          const r = t.getBoundingClientRect();
          if (r.width > 0 && getComputedStyle(t).visibility !== 'hidden') out.push({s: g.dataset.server, x: r.x, y: r.y, w: r.width, h: r.height, t: t.textContent});
        }
      }
      return out;
    }""")
    assert len({b["s"] for b in boxes}) == 9
    clashes = [(a["t"], a["s"], b["t"], b["s"]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
               if a["s"] != b["s"] and a["x"] < b["x"] + b["w"] - 0.5 and b["x"] < a["x"] + a["w"] - 0.5
               and a["y"] < b["y"] + b["h"] - 0.5 and b["y"] < a["y"] + a["h"] - 0.5]
    assert clashes == []
    assert page.evaluate("document.documentElement.scrollWidth") <= page_options["viewport"]["width"]


@pytest.mark.parametrize("page_options", [{"color_scheme": "light"}, {"color_scheme": "dark"},
                                          {"color_scheme": "dark", "viewport": {"width": 390, "height": 844}}],
                         ids=["light", "dark", "dark-390"])
def test_axe_finds_nothing_serious_once_the_reader_has_acted(page, page_options):
    from test_axe import FAILING, axe_violations, describe

    # a partition, a pause, a violation (two leaders of term 2) — every panel state the reader brings about
    from raftsite.playground import replay

    prefix = "v1.n3.s1.p0.q1.ri.h0.t12000.5000p12-3.6000h.8000z3-300"
    lead = replay(prefix).cluster.leader()
    a, b = (n[1:] for n in ("S1", "S2", "S3") if n != lead)
    open_pg(page, f"?pg={prefix.replace('t12000', 't20000')}.12000umv1.12000c{lead[1:]}.12001o{a}.12002o{b}")
    st = wait_pg(page, "s.halted")
    assert st["violation_at"] is not None and st["notes"] == []
    page.locator(f'{SCENE} button[data-pg="violation"]').wait_for()
    page.locator(f'{SCENE} [data-server="S2"]:visible').first.click()
    page.locator(f'{SCENE} [data-role="inspect"] [data-inspect-action="pg-timeout"]').wait_for()
    problems = [describe(PAGE, v) for v in axe_violations(page) if v["impact"] in FAILING]
    assert not problems, "\n".join(problems)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_reset_keeps_the_settings_and_a_step_in_the_address_does_not_move_a_link(page):
    open_pg(page, "?pg=v1.n4.s2.p1.q0.rl.h0.t15000.12000c1&step=3")
    st = wait_pg(page, "s.time === 1500")
    assert st["actions"] == ["12000c1"] and "step=" not in page.url
    page.click(f'{SCENE} [data-action="reset"]')
    st = wait_pg(page, "s.time === 0 && s.actions.length === 0")
    assert (st["settings"]["size"], st["settings"]["seed"], st["settings"]["check_quorum"]) == (4, 2, False)
    page.wait_for_function("() => /pg=v1\\.n4\\.s2\\.p1\\.q0\\.rl\\.h0\\.t0$/.test(location.search)")
