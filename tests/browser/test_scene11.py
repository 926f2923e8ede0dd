"""Scene 11 in chromium: membership changes one server at a time keep a majority of the old
configuration overlapping a majority of the new one (drawn, and listed in the panel); the reader
adds and removes servers with the keyboard; changing two servers at once lets two disjoint
majorities elect two leaders in one term, and Election Safety turns red (thesis §4.1; Raft paper
§6, Figure 10)."""

from __future__ import annotations

from browser_helpers import flip_unsafe_and_wait_red, open_scene, scene_status, set_speed, wait_status

SCENE11 = "scenes/11-membership/"


def test_one_change_at_a_time_overlapping_majorities_are_drawn(page):
    open_scene(page, SCENE11, speed="0.5")
    # a change is under way: two configurations in use, their worst-case majorities share a server
    s = wait_status(page, "s.membership.configurations.length > 1")
    m = s["membership"]
    assert m["overlap"] and not m["disjoint"]
    page.wait_for_selector("#s11-layer-majorities > path.raft-maj--old")
    assert page.locator("#s11-layer-majorities > path.raft-maj--new").count() == 1
    assert page.locator("#s11-layer-majorities .raft-maj-overlap").count() >= 1
    # the panel lists the configurations and says which server they share
    page.wait_for_selector('[data-panel="membership"] .raft-membership__verdict--ok')
    assert page.locator("#s11-configs tbody tr").count() >= 2
    # then the network heals and the changes complete one at a time; S2 leaves last
    set_speed(page, "5")
    s = wait_status(page, "s.finished")
    assert s["violation"] is None
    assert s["membership"]["c_new"] == ["S1", "S3", "S4", "S5"]
    page.wait_for_function("() => document.querySelector('#s11-layer-majorities').textContent.includes('not a voter')")


def test_the_reader_adds_and_removes_servers_with_the_keyboard(page):
    open_scene(page, SCENE11, speed="1")
    wait_status(page, "s.leader")
    # pause (keyboard): the requests below happen at one moment of the script
    play = page.locator('#s11-scene [data-action="play"]')
    play.focus()
    page.keyboard.press("Enter")
    assert play.get_attribute("aria-pressed") == "false"
    select = page.locator('#s11-scene [data-role="membership-server"]')
    # a request the cluster refuses is explained, and the simulation goes on
    select.focus()
    select.select_option("S1")
    page.keyboard.press("Tab")  # to Add
    page.keyboard.press("Enter")
    message = page.locator('#s11-scene [data-role="message"]')
    message.wait_for(state="visible")
    assert "Cannot add S1" in message.text_content() and "already a member" in message.text_content()
    # adding S6: the diagram grows a server at once
    select.select_option("S6")
    page.locator('#s11-scene [data-action="membership-add"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#s11-s-S6")
    assert message.is_hidden()
    s = scene_status(page)
    assert s["membership"]["requests"] == ["add S6"] and "S6" in s["membership"]["members"]
    assert "Requested: add S6" in page.locator('#s11-scene [data-role="status"]').text_content()
    # removing S2 is queued behind it: one change at a time
    select.select_option("S2")
    page.locator('#s11-scene [data-action="membership-remove"]').focus()
    page.keyboard.press("Enter")
    s = wait_status(page, "s.membership.requests.length === 2")
    assert s["membership"]["requests"] == ["add S6", "remove S2"]
    assert "S2" not in s["membership"]["members"] and s["membership"]["queue"][-2:] == ["add S6", "remove S2"]
    # playing on, the leader catches S6 up as a learner first, then makes it a voter
    play.focus()
    page.keyboard.press("Enter")
    s = wait_status(page, "s.membership.c_new.includes('S6') || s.violation")
    assert s["violation"] is None


def test_changing_two_servers_at_once_elects_two_leaders_in_one_term(page):
    open_scene(page, SCENE11)
    flip_unsafe_and_wait_red(page, "election_safety")
    s = scene_status(page)
    assert s["unsafe"] == {"multi_server_membership_change": True}
    assert s["membership"]["disjoint"]
    page.wait_for_selector('[data-panel="membership"] .raft-membership__verdict--bad')
    assert "NO OVERLAP" in page.locator("#s11-layer-majorities").text_content()
    report = page.locator('#s11-scene [data-role="violation"]').text_content()
    assert report.startswith("Election Safety") and "term 2" in report
