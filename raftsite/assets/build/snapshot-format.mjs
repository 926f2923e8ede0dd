// Build Raft — the file format of Pyodide's memory snapshot as the site ships it.
//
// A snapshot is the whole WebAssembly heap: 31 MB, about half of it 64 KB pages of zeros.
// Shipped as is, gzip squeezes the zeros to nothing on the wire, but the browser still has to
// inflate all 31 MB. So the file leaves them out ("sparse"), and is then gzipped:
//
//   "RAFTHEAP" | u32 heap length | u32 page size | one byte per page (1: stored, 0: zeros)
//   | the stored pages, in order (the last page may be short)
//
// encodeHeap() runs at build time in Node (make-snapshot.mjs, which also decodes what it
// wrote with decodeHeap() and checks it gives the heap back byte for byte). decodeHeap() runs
// in the browser, in the worker of snapshot-worker.js: the MkDocs plugin inlines this file
// (without its `export` keywords) and that one into the pages. It streams: bytes are inflated
// and put in place as they arrive, and the zero pages cost nothing. Plain JavaScript only,
// no imports (it must also run as a classic worker script).

const MAGIC = "RAFTHEAP";
const HEAD = 16; // magic + length + page size
export const PAGE = 65536;

/** The sparse form of ``heap`` (a Uint8Array), not yet compressed. */
export function encodeHeap(heap, page = PAGE) {
  const pages = Math.ceil(heap.length / page);
  const stored = [];
  for (let i = 0; i < pages; i++) {
    const p = heap.subarray(i * page, Math.min((i + 1) * page, heap.length));
    if (p.some((b) => b !== 0)) stored.push(i);
  }
  const size = HEAD + pages + stored.reduce((n, i) => n + Math.min(page, heap.length - i * page), 0);
  const out = new Uint8Array(size);
  new TextEncoder().encodeInto(MAGIC, out);
  const view = new DataView(out.buffer);
  view.setUint32(8, heap.length, true);
  view.setUint32(12, page, true);
  let at = HEAD + pages;
  for (const i of stored) {
    out[HEAD + i] = 1;
    const p = heap.subarray(i * page, Math.min((i + 1) * page, heap.length));
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A stream of ``body``'s bytes inflated if they are gzip, as they are if not: a server that
 * labels a .gz file Content-Encoding: gzip has the browser inflate it on the way, one that
 * does not sends the gzip bytes, and a static host is free to do either. ``what`` names the
 * file in the error an empty body gets. Also used by python-worker.js for the .wasm.gz. */
export async function gunzipped(body, what) {
  const raw = body.getReader();
  const first = await raw.read();
  if (first.done) throw new Error(`${what} is empty`);
  const again = new ReadableStream({
    start(controller) {
      controller.enqueue(first.value);
    },
    async pull(controller) {
      const { done, value } = await raw.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return raw.cancel(reason);
    },
  });
  const gzip = first.value[0] === 0x1f && first.value[1] === 0x8b;
  return gzip ? again.pipeThrough(new DecompressionStream("gzip")) : again;
}

/** The heap (a Uint8Array) from a stream of the file's bytes, gzipped or not. */
export async function decodeHeap(body) {
  const reader = (await gunzipped(body, "the memory snapshot")).getReader();

  let head = new Uint8Array(0); // the header and page map, until complete
  let heap = null;
  let page = 0;
  const order = []; // the stored pages, in order
  let k = 0; // the stored page being filled
  let offset = 0; // bytes of it filled so far
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    let data = value;
    if (heap === null) {
      const joined = new Uint8Array(head.length + data.length);
      joined.set(head);
      joined.set(data, head.length);
      head = joined;
      if (head.length < HEAD) continue;
      if (new TextDecoder().decode(head.subarray(0, 8)) !== MAGIC) throw new Error("not a memory snapshot of this site");
      const view = new DataView(head.buffer, head.byteOffset, HEAD);
      const length = view.getUint32(8, true);
      page = view.getUint32(12, true);
      const pages = Math.ceil(length / page);
      if (head.length < HEAD + pages) continue;
      heap = new Uint8Array(length); // zero pages stay as they are: zeros
      for (let i = 0; i < pages; i++) if (head[HEAD + i]) order.push(i);
      data = head.subarray(HEAD + pages);
      head = null;
    }
    while (data.length && k < order.length) {
      const start = order[k] * page;
      const size = Math.min(page, heap.length - start);
      const n = Math.min(size - offset, data.length);
      heap.set(data.subarray(0, n), start + offset);
      data = data.subarray(n);
      offset += n;
      if (offset === size) {
        k += 1;
        offset = 0;
      }
    }
    if (data.length) throw new Error("the memory snapshot has bytes past its last page");
  }
  if (heap === null || k !== order.length) throw new Error("the memory snapshot is truncated");
  return heap;
}
