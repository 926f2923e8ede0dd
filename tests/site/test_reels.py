"""The reels (raftsite/reels.py): each scene's first seconds of Play and Next ▶, recorded by the
build so the diagram moves while Python starts, and replayed by the live scene to take over.

The promise they rest on is determinism (the same seed gives the same trace): the live run that
replays a reel's first k frames is the recorded run, frame for frame.
"""

from __future__ import annotations

import html
import json
import re

import pytest

from raftsite.browser import REEL_FRAME_MS, Scene

def _configs(site, rel: str) -> list[dict]:
    text = (site / rel).read_text(encoding="utf-8")
    return [json.loads(html.unescape(m.group(1))) for m in re.finditer(r'data-scene="([^"]*)"', text)]


def _scene_page(site, prefix: str) -> str:
    hits = [p.relative_to(site).as_posix() for p in site.glob(f"{prefix}*/index.html")]
    assert len(hits) == 1, (prefix, hits)
    return hits[0]


@pytest.fixture(scope="module")
def scene04(built_site) -> dict:
    return _configs(built_site, _scene_page(built_site, "scenes/04-"))[0]


def test_every_scene_of_a_scripted_run_has_a_reel_in_the_site(built_site):
    """A scene block's configuration names its reel, relative to the page; the file is in the
    site, with a reel of Play and one of Next ▶ that start from the opening frame."""
    pages = ["index.html", "authoring/index.html"] + [
        _scene_page(built_site, f"scenes/{n:02d}-") for n in range(1, 13)]
    for rel in pages:
        for cfg in _configs(built_site, rel):
            assert cfg.get("reel"), f"{rel}: scene {cfg['id']} has no reel"
            path = (built_site / rel).parent / cfg["reel"]
            data = json.loads(path.read_text(encoding="utf-8"))
            assert set(data) == {"play", "next"}
            for kind, reel in data.items():
                assert reel["kind"] == kind and reel["frames"], (rel, kind)
                assert reel["opening"]["step_no"] is not None  # it starts on the opening frame
            # Next ▶'s reel ends on the step's mark (or at its wall-time limit), never before
            last = data["next"]["frames"][-1]
            assert data["next"]["frames"][0]["stepping"] is True
            assert last["stepping"] is False or len(data["next"]["frames"]) >= 4000 / REEL_FRAME_MS


def test_scenes_whose_run_comes_from_the_address_have_none(built_site):
    """The playground (?pg=) and the lab's replay (?seed=&settings) run what the address says:
    a recording of the default run would show the wrong run."""
    for rel in ("playground/index.html", "lab/replay/index.html"):
        for cfg in _configs(built_site, rel):
            assert "reel" not in cfg, rel


def test_the_built_reel_is_what_the_scene_records_now(built_site, scene04):
    """The file in the site is this code's recording of this scene (nothing hand-made, nothing stale)."""
    path = (built_site / _scene_page(built_site, "scenes/04-")).parent / scene04["reel"]
    shipped = json.loads(path.read_text(encoding="utf-8"))
    for kind in ("play", "next"):
        assert shipped[kind] == Scene(dict(scene04)).record_reel(kind)


@pytest.mark.parametrize("kind", ["play", "next"])
def test_replaying_k_frames_continues_the_recorded_run_exactly(scene04, kind):
    """§ determinism: a scene that replays the reel's first k frames has the same trace and draws
    the same frame, with the same caption, as the scene that recorded them and stopped there."""
    frames = len(Scene(dict(scene04)).record_reel(kind)["frames"])
    for k in sorted({1, 2, frames // 3, frames}):
        recorder = Scene(dict(scene04))
        wall = (k - (1 if kind == "next" else 0)) * REEL_FRAME_MS
        assert len(recorder.record_reel(kind, wall_ms=wall + 1e-6)["frames"]) == k
        replayer = Scene(dict(scene04))
        live = json.loads(replayer.replay_reel(kind, k))
        shown = json.loads(recorder.full())
        assert replayer.cluster.trace() == recorder.cluster.trace(), (kind, k)
        assert live["svg"] == shown["svg"] and live["caption"] == shown["caption"], (kind, k)
        assert live["stepping"] == shown["stepping"]


def test_a_bad_reel_kind_is_refused(scene04):
    with pytest.raises(ValueError, match="Play or Next"):
        Scene(dict(scene04)).record_reel("back")
    with pytest.raises(ValueError, match="Play or Next"):
        Scene(dict(scene04)).replay_reel("fast", 3)


def test_a_scene_page_asks_for_its_reels_from_its_head(built_site, scene04):
    """An inline script after the Python starter fetches the page's reels while the page is
    parsed (tests/browser/test_reel.py: once each, and not with reduced motion)."""
    page = (built_site / _scene_page(built_site, "scenes/04-")).read_text(encoding="utf-8")
    head = page[: page.index("</head>")]
    assert head.index("window.__raftStartPython") < head.index("window.__raftReels") < head.index("raft-boot.mjs")
    assert re.findall(r"\}\)\((\[[^\]]*\])\);</script>", head) == [json.dumps([scene04["reel"]])]
    playground = (built_site / "playground/index.html").read_text(encoding="utf-8")
    assert "assets/reels/" not in playground
