// Build Raft — the service worker: after one visit, every page of the site works offline.
//
// The MkDocs plugin writes this file to the site's root as sw.js (a worker controls only the
// pages under its own folder) with one line in front of it:
//
//   self.RAFT_BUILD = { version, files: [[url, integrity] or [url, integrity, "inflate"], ...] };
//
// made at build time from the files in site/: every page, asset, the Pyodide runtime, the
// memory snapshot and the wheel, each with the SHA-256 of its bytes. `version` hashes that
// list, so any change to any file is a new service worker, and a new cache:
//
// * install: fetch every file past the HTTP cache, check it against its SHA-256 (a server
//   half-way through a deploy cannot slip a file of another build in), store it in the cache
//   named after this build. One file missing or different and the install fails as a whole:
//   the previous build, if any, keeps serving, complete. A file marked "inflate" (the memory
//   snapshot) is gzip the Python worker would inflate at every visit: it is stored inflated,
//   more bytes on disk and none to inflate (the worker reads either form).
// * activate: delete the caches of every other build of this site (same scope; other sites
//   on the same origin are left alone), then take control of open pages.
// * fetch: a GET inside the scope is answered from this build's cache; what the cache does
//   not hold goes to the network; an unknown page offline gets the site's 404 page.
//
// No skipWaiting(): a new build waits until no page of the old one is open, so a page never
// mixes files of two builds (Material's instant navigation keeps one document for many pages).
//
// Test hook: post {type: "raft-sw-status"} with a MessagePort; the reply on the port is
// {version, files, cached, complete}.

/* global self, caches */
const BUILD = self.RAFT_BUILD;
if (!BUILD || !Array.isArray(BUILD.files)) throw new Error("sw.js: no build manifest (self.RAFT_BUILD); the MkDocs plugin writes it");

const BASE = new URL("./", self.location.href); // the site's root: this file is there
const PREFIX = `raft-site:${BASE.pathname}:`;
const CACHE = PREFIX + BUILD.version;
const PARALLEL = 6;

// path -> the URL it is cached under (directory URLs for pages, as the site links them).
const KEYS = new Map(BUILD.files.map(([url]) => [new URL(url, BASE).pathname, new URL(url, BASE).href]));

function keyFor(url) {
  let p = url.pathname;
  if (KEYS.has(p)) return KEYS.get(p);
  if (p.endsWith("/index.html")) p = p.slice(0, -"index.html".length);
  else if (!p.endsWith("/")) p += "/";
  return KEYS.get(p) || null;
}

// The response's bytes inflated: the build's gzip, or bytes a host already inflated on the way
// (served with Content-Encoding: gzip), kept as they came.
async function inflated(res) {
  const bytes = new Uint8Array(await res.arrayBuffer());
  const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
  const body = gzip ? await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer() : bytes;
  return new Response(body, { status: 200, headers: { "Content-Type": res.headers.get("Content-Type") || "application/octet-stream" } });
}

async function precache() {
  const cache = await caches.open(CACHE);
  const queue = BUILD.files.slice();
  const worker = async () => {
    while (queue.length) {
      const [url, integrity, form] = queue.shift();
      const href = new URL(url, BASE).href;
      // no-cache: revalidate with the server (a 304 is cheap); integrity: the build's bytes or nothing.
      let res = await fetch(new Request(href, { cache: "no-cache", integrity, credentials: "same-origin" }));
      if (!res.ok) throw new Error(`sw.js: ${href}: HTTP ${res.status}`);
      if (form === "inflate") res = await inflated(res);
      else if (res.redirected) res = new Response(await res.blob(), { status: res.status, headers: res.headers });
      await cache.put(href, res);
    }
  };
  try {
    await Promise.all(Array.from({ length: PARALLEL }, worker));
  } catch (err) {
    await caches.delete(CACHE); // never leave half a build behind
    throw err;
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache());
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })()
  );
});

async function respond(request, url) {
  const key = keyFor(url);
  if (key) {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(key);
    if (hit) return hit;
  }
  try {
    return await fetch(request);
  } catch (err) {
    if (request.mode === "navigate") {
      const page = await caches.match(new URL("404.html", BASE).href, { cacheName: CACHE });
      if (page) return new Response(page.body, { status: 404, statusText: "Not Found", headers: page.headers });
    }
    throw err;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== BASE.origin || !url.pathname.startsWith(BASE.pathname)) return;
  event.respondWith(respond(request, url));
});

self.addEventListener("message", (event) => {
  const port = event.ports && event.ports[0];
  if (!port || !event.data || event.data.type !== "raft-sw-status") return;
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const cached = (await cache.keys()).length;
      port.postMessage({ version: BUILD.version, files: BUILD.files.length, cached, complete: cached === BUILD.files.length });
    })()
  );
});
