// What the store keeps per row in the JS heap for a stream's common case: batches of new rows
// with consecutive integer keys (the default ids) go in as packs indexed by range, and keep no
// per-row JS value, whether the batches are big (a burst) or small (a live feed's diffs, which
// grow the last pack); the rows' values stay in the batches' Arrow buffers (outside the heap).
import { describe, it, expect } from "vitest";
import { Table, makeVector } from "apache-arrow";
import { RowStore } from "../src/store.js";
import { gcOrNull } from "./helpers.js";

describe("store memory", () => {
  it.each([
    [50_000, false],
    [1_000, false],
    [1_000, true],
  ])("keeps under 4 bytes of JS heap per row for 1M rows with consecutive integer keys, in batches of %i (a view following the tail: %s)", (batch, follow) => {
    const gc = gcOrNull();
    if (gc === null) throw new Error("this test needs gc (node's --expose-gc through v8.setFlagsFromString)");
    const n = 1_000_000;
    const tables = [];
    for (let lo = 0; lo < n; lo += batch) {
      tables.push(new Table({ k: makeVector(BigInt64Array.from({ length: batch }, (_, i) => BigInt(lo + i))), v: makeVector(new Float64Array(batch)) }));
    }
    const store = new RowStore();
    store.setPrefix("w-");
    gc();
    const before = process.memoryUsage().heapUsed;
    for (const t of tables) {
      store.insert(t, { key: "k" });
      if (follow) {
        // What a view following the tail reads every frame: the first and last ids, the
        // sparkline's last rows, the rows it shows.
        store.domIdAt(0);
        store.domIdAt(store.size - 1);
        for (let i = store.size - 30; i < store.size; i++) store.batchAt(i) && store.readHandleAt(i);
      }
    }
    gc();
    const perRow = (process.memoryUsage().heapUsed - before) / n;
    console.log(`store JS heap: ${perRow.toFixed(2)} B/row`);
    expect(store.size).toBe(n);
    expect(store.domIdAt(n - 1)).toBe(`w-${n - 1}`);
    expect(perRow).toBeLessThan(4); // each row a handle: ~120
  });
});
