// Scale: the browser may hold a million rows. Timings are logged; the asserts are loose
// sanity bounds (CI machines vary), the targets are in the comments.
import { describe, it, expect } from "vitest";
import {
  Table,
  Utf8,
  TimestampMillisecond,
  makeData,
  makeVector,
  tableToIPC,
  tableFromIPC,
} from "apache-arrow";
import { RowStore } from "../src/store.js";
import { gcOrNull } from "./helpers.js";

const N = 1_000_000;
const enc = new TextEncoder();

// Utf8 vector built straight from bytes (vectorFromArray is slow for a million strings).
function utf8Vector(strings) {
  const offsets = new Int32Array(strings.length + 1);
  const parts = strings.map((s) => enc.encode(s));
  let total = 0;
  parts.forEach((p, i) => {
    total += p.length;
    offsets[i + 1] = total;
  });
  const bytes = new Uint8Array(total);
  parts.forEach((p, i) => bytes.set(p, offsets[i]));
  return makeVector(makeData({ type: new Utf8(), length: strings.length, valueOffsets: offsets, data: bytes }));
}

// The six columns of the kernel benchmark: int64 id, timestamp, float64, int32, 8-char symbol,
// 20-60 char note; plus the dom id.
function bigTable(n, first = 0, prefix = "row-") {
  const ids = new BigInt64Array(n);
  const ts = new BigInt64Array(n);
  const price = new Float64Array(n);
  const qty = new Int32Array(n);
  const sym = new Array(n);
  const note = new Array(n);
  const dom = new Array(n);
  const t0 = 1704164645123n;
  for (let i = 0; i < n; i++) {
    const k = first + i;
    ids[i] = BigInt(k);
    ts[i] = t0 + BigInt(k);
    price[i] = k * 0.25;
    qty[i] = k % 1000;
    sym[i] = `SYM${String(k % 100000).padStart(5, "0")}`;
    note[i] = "note ".repeat(4 + (k % 9)) + k;
    dom[i] = `${prefix}${k}`;
  }
  return new Table({
    __dom_id: utf8Vector(dom),
    id: makeVector(ids),
    ts: makeVector(makeData({ type: new TimestampMillisecond(), length: n, data: ts })),
    price: makeVector(price),
    qty: makeVector(qty),
    sym: utf8Vector(sym),
    note: utf8Vector(note),
  });
}

describe("scale: 1,000,000 rows", () => {
  it("bulk insert, random inserts and deletes, pruning, chunk release", async () => {
    const store = new RowStore();
    // Over IPC like the wire; only store.insert is timed.
    let table = tableFromIPC(tableToIPC(bigTable(N), "stream"));
    expect(table.numRows).toBe(N);
    let t = performance.now();
    store.insert(table, { at: -1 });
    const bulkMs = performance.now() - t;
    console.log(`insert 1M rows at -1 (6 columns + dom id): ${bulkMs.toFixed(0)} ms (target < 1500)`);
    expect(store.size).toBe(N);
    expect(bulkMs).toBeLessThan(5000);
    expect(store.columns).toEqual(["id", "ts", "price", "qty", "sym", "note"]);
    expect(store.domIdAt(123456)).toBe("row-123456");
    expect(store.valueAt(123456, "id")).toBe(123456n);
    expect(store.valueAt(123456, "ts")).toBe(1704164645123 + 123456);
    expect(store.valueAt(N - 1, "note")).toBe("note ".repeat(4 + ((N - 1) % 9)) + (N - 1));
    expect(store.indexOf("row-999999")).toBe(N - 1);
    // The IPC message's ArrayBuffer backs every column of the big chunk.
    const bigBuffer = new WeakRef(table.getChild("id").data[0].values.buffer);
    table = null;

    // 1000 single-row inserts at random positions (tables prepared beforehand).
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
    const singles = Array.from({ length: 1000 }, (_, i) => bigTable(1, N + i));
    const positions = singles.map(() => Math.floor(rnd() * N));
    t = performance.now();
    for (let i = 0; i < 1000; i++) store.insert(singles[i], { at: positions[i] });
    const insMs = (performance.now() - t) / 1000;
    expect(store.size).toBe(N + 1000);
    expect(store.domIdAt(positions[999])).toBe(`row-${N + 999}`);

    // 1000 deletes by dom id, anywhere.
    const victims = Array.from({ length: 1000 }, () => `row-${Math.floor(rnd() * N)}`);
    const present = new Set(victims).size;
    t = performance.now();
    for (const d of victims) store.delete([d]);
    const delMs = (performance.now() - t) / 1000;
    expect(store.size).toBe(N + 1000 - present);
    console.log(
      `1000 inserts at random N: ${(insMs * 1000).toFixed(1)} us each; ` +
        `1000 deletes by id: ${(delMs * 1000).toFixed(1)} us each; blocks: ${store.blockCount}`,
    );
    expect(insMs).toBeLessThan(2);
    expect(delMs).toBeLessThan(2);
    // reads a virtualized view does
    t = performance.now();
    for (let k = 0; k < 1000; k++) {
      const start = Math.floor(rnd() * (store.size - 50));
      const ids = store.slice(start, start + 50);
      expect(ids.length).toBe(50);
      for (let i = start; i < start + 50; i++) store.valueAt(i, "price");
    }
    console.log(`1000 x (slice of 50 + 50 valueAt): ${(performance.now() - t).toFixed(0)} ms`);
    expect(store.chunkCount).toBe(1001);

    // limit -10000: one more row at the end prunes ~1M rows from the start in bulk.
    t = performance.now();
    store.insert(bigTable(1, 5_000_000), { at: -1, limit: -10000 });
    console.log(`prune 1M -> 10000 with limit=-10000: ${(performance.now() - t).toFixed(0)} ms`);
    expect(store.size).toBe(10000);
    expect(store.domIdAt(9999)).toBe("row-5000000");
    expect(store.has("row-0")).toBe(false);
    expect(store.indexOf("row-999999")).toBe(9998);
    // the big chunk still has live rows at the end; the singles placed before them are gone
    expect(store.chunkCount).toBeLessThan(1001);

    // Replacing the last 10000 rows frees the 1M-row chunk entirely.
    const gc = gcOrNull();
    gc?.();
    const before = process.memoryUsage().arrayBuffers;
    store.insert(bigTable(10000, 6_000_000), { at: -1, limit: -10000 });
    expect(store.size).toBe(10000);
    expect(store.chunkCount).toBe(1);
    expect(store.domIdAt(0)).toBe("row-6000000");
    if (gc) {
      // WeakRefs clear only between turns; the backing store is released by a background
      // sweeper, so poll a little before reading memoryUsage.
      let after = before;
      for (let i = 0; i < 20 && (bigBuffer.deref() !== undefined || before - after < 50 * 2 ** 20); i++) {
        await new Promise((r) => setTimeout(r, 25));
        gc();
        after = process.memoryUsage().arrayBuffers;
      }
      console.log(`array buffers: ${(before / 2 ** 20).toFixed(0)} MiB -> ${(after / 2 ** 20).toFixed(0)} MiB`);
      expect(bigBuffer.deref(), "the 1M-row IPC buffer is still reachable").toBeUndefined();
    }
  }, 60000);

  it("1M rows prepended at 0 and limit pruning from the end", () => {
    const store = new RowStore();
    const table = bigTable(N);
    let t = performance.now();
    store.insert(table, { at: 0 });
    console.log(`insert 1M rows at 0: ${(performance.now() - t).toFixed(0)} ms`);
    expect(store.domIdAt(0)).toBe(`row-${N - 1}`);
    expect(store.domIdAt(N - 1)).toBe("row-0");
    t = performance.now();
    store.insert(bigTable(1, N), { at: 0, limit: 5 });
    console.log(`prune 1M -> 5 from the end: ${(performance.now() - t).toFixed(0)} ms`);
    expect(store.slice(0, 10)).toEqual([`row-${N}`, ...[1, 2, 3, 4].map((k) => `row-${N - k}`)]);
    expect(store.chunkCount).toBe(2);
  }, 60000);
});
