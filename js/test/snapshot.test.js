// A snapshot saved by the kernel (python tests/write_golden.py writes one) loads into an empty
// store as the rows it holds, and says what it is.
import { describe, expect, it } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadSnapshot, snapshotText } from "../src/snapshot.js";
import { RowStore } from "../src/store.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const file = path.join(here, "golden", "snapshot.arrow");

describe("snapshots", () => {
  it("load into an empty store, never over live rows", () => {
    const b = fs.readFileSync(file);
    const store = new RowStore();
    expect(loadSnapshot(store, new DataView(b.buffer, b.byteOffset, b.byteLength))).toBe(4);
    expect(store.slice()).toEqual(["items-9", "items-8", "items-7", "items-6"]);
    expect(store.valueAt(0, "v")).toBe("r9");
    expect(loadSnapshot(store, new DataView(b.buffer, b.byteOffset, b.byteLength))).toBe(0);
    expect(loadSnapshot(new RowStore(), new DataView(new ArrayBuffer(0)))).toBe(0);
  });
  it("say what they show", () => {
    expect(snapshotText({ rows: 4, total: 4, partial: false })).toBe(
      "Snapshot of 4 rows, saved with the notebook. Run the notebook to stream live.",
    );
    expect(snapshotText({ rows: 1000, total: 5000, partial: true })).toMatch(/^Snapshot of the first 1,000 of 5,000 rows \(partial/);
  });
});

describe("a live page's snapshot", () => {
  it("copies its first rows as runs of the batches they arrived in, ids in order", async () => {
    const { tableFromIPC } = await import("apache-arrow");
    const { snapshotParts } = await import("../src/snapshot.js");
    const b = fs.readFileSync(file);
    const store = new RowStore();
    store.insert(tableFromIPC(b), {}); // 4 rows in one batch
    store.insert(tableFromIPC(b), { at: 0 }); // the same ids: updated in place, one run again
    const { ids, buffers } = snapshotParts(store, 3, 1 << 20);
    expect(ids).toEqual(["items-9", "items-8", "items-7"]);
    const rows = buffers.map((x) => tableFromIPC(x)).reduce((n, t) => n + t.numRows, 0);
    expect(rows).toBe(3);
    expect(snapshotParts(store, 10, 1).buffers.length).toBe(1); // the byte cap stops early
  });
  it("joins one-row runs of one schema into few parts, and splits where the schema changes", async () => {
    const { Table, Utf8, Float64, vectorFromArray, tableFromIPC } = await import("apache-arrow");
    const ids_ = (/** @type {string[]} */ a) => vectorFromArray(a, new Utf8());
    const { snapshotParts } = await import("../src/snapshot.js");
    const store = new RowStore();
    const row = (/** @type {number} */ i) => new Table({ __dom_id: ids_([`items-${i}`]), v: vectorFromArray([i], new Float64()) });
    for (let i = 0; i < 150; i++) store.insert(row(i), { at: 0 }); // a live feed: a batch per row
    store.insert(new Table({ __dom_id: ids_(["items-x"]), s: ids_(["text"]) }), { at: 50 });
    const { ids, buffers } = snapshotParts(store, 1000, 1 << 20);
    expect(ids.length).toBe(151);
    expect(ids.slice(0, 3)).toEqual(["items-149", "items-148", "items-147"]);
    expect(ids[50]).toBe("items-x");
    // 50 one-row runs, the other schema, 100 runs (at most 64 a part): 4 parts for 151 runs.
    const tables = buffers.map((x) => tableFromIPC(x));
    expect(tables.map((t) => t.numRows)).toEqual([50, 1, 64, 36]);
    expect(tables.map((t) => t.getChild("v")?.get(0) ?? t.getChild("s")?.get(0))).toEqual([149, "text", 99, 35]);
  });
});
