// Build Raft — inlined by the MkDocs plugin into a scene page's <head>, right after the Python
// starter: it asks for the page's reels (raftsite/reels.py) at once, while the page is parsed,
// so that they are here when the reader presses Play. The glue (raft-boot.mjs) takes each from
// window.__raftReels (its URL -> a Promise of the reel), once; it fetches a reel itself when it
// is not there. Not with reduced motion, nor for an address with a seed or a step: no reel is
// played then (SceneUI.reelWanted).
// (Not a <link rel=preload>: Chromium does not hand an in-flight preload to a later fetch(), so
// each reel came twice; nor from the glue, which arrives 100-200 ms later.)
(function (urls) {
  try {
    var query = new URLSearchParams(location.search);
    if (matchMedia("(prefers-reduced-motion: reduce)").matches || query.get("seed") !== null || query.get("step") !== null) return;
    var reels = (window.__raftReels = {});
    urls.forEach(function (u) {
      var url = new URL(u, location.href).href;
      var reel = fetch(url, { priority: "low" }).then(function (res) {
        return res.ok ? res.json() : Promise.reject(new Error("HTTP " + res.status));
      });
      reel.catch(function () {}); // the scene that takes it says what went wrong
      reels[url] = reel;
    });
  } catch (err) {
    // the glue fetches each reel itself
  }
})(RAFT_REELS);
