// Randomised comparison of RowStore against the obvious O(n) array version of the contract
// (docs/protocol.md, REFERENCE §1). Seeded, so every failure replays.
import { describe, it, expect } from "vitest";
import { Table, vectorFromArray, Utf8, Int32, Int64 } from "apache-arrow";
import { RowStore } from "../src/store.js";
import { mulberry32, RefStore } from "./helpers.js";

let nextV = 1;
let nextChunk = 1;

function makeBatchTable(ids) {
  const v = ids.map(() => nextV++);
  const chunk = nextChunk++;
  const table = new Table({
    __dom_id: vectorFromArray(ids, new Utf8()),
    v: vectorFromArray(v, new Int32()),
    big: vectorFromArray(v.map((x) => BigInt(x) * 1000000007n), new Int64()),
  });
  return { table, rows: ids.map((id, i) => ({ id, v: v[i], chunk })) };
}

function checkInvariants(store, blockSize) {
  // White-box: blocks are non-empty, bounded, and every handle points at its own block.
  const blocks = store._rows._blocks;
  let total = 0;
  for (const b of blocks) {
    if (b.items === null) {
      // A packed block (bulk insert): at most one block's worth of rows, no handles yet.
      if (b.pack.block !== b || b.pack.size < 1 || b.pack.size > blockSize) throw new Error("bad packed block");
      total += b.pack.size;
      continue;
    }
    expect(b.items.length).toBeGreaterThan(0);
    expect(b.items.length).toBeLessThanOrEqual(2 * blockSize);
    for (const h of b.items) if (h.block !== b) throw new Error(`handle ${h.id} points at the wrong block`);
    total += b.items.length;
  }
  expect(total).toBe(store.size);
  expect(store._ids.size).toBe(store.size);
}

function compare(store, ref, rnd, full) {
  const ids = ref.rows.map((r) => r.id);
  expect(store.size).toBe(ids.length);
  expect(store.slice(0, store.size)).toEqual(ids);
  expect(store.chunkCount).toBe(new Set(ref.rows.map((r) => r.chunk)).size);
  const positions = full ? ids.keys() : Array.from({ length: Math.min(ids.length, 40) }, () => Math.floor(rnd() * ids.length));
  for (const i of positions) {
    const r = ref.rows[i];
    if (store.domIdAt(i) !== r.id) throw new Error(`domIdAt(${i}) = ${store.domIdAt(i)}, expected ${r.id}`);
    if (store.indexOf(r.id) !== i) throw new Error(`indexOf(${r.id}) = ${store.indexOf(r.id)}, expected ${i}`);
    if (store.valueAt(i, "v") !== r.v) throw new Error(`valueAt(${i}, v) = ${store.valueAt(i, "v")}, expected ${r.v}`);
    if (store.valueAt(i, "big") !== BigInt(r.v) * 1000000007n) throw new Error(`valueAt(${i}, big) wrong`);
  }
  if (ids.length > 0) {
    const a = Math.floor(rnd() * ids.length);
    const b = a + Math.floor(rnd() * 50);
    expect(store.slice(a, b)).toEqual(ids.slice(a, b));
  }
}

function runSequence(seed, { ops, pool, maxBatch, blockSize, fullEvery = 1, deletes = 0.23 }) {
  const rnd = mulberry32(seed);
  const int = (n) => Math.floor(rnd() * n);
  const store = new RowStore({ blockSize });
  const ref = new RefStore();
  const randomId = () => `r-${int(pool)}`;
  const log = [];
  try {
    for (let step = 0; step < ops; step++) {
      const p = rnd();
      if (p < 0.02) {
        log.push("reset");
        store.reset();
        ref.reset();
      } else if (p < 0.02 + deletes) {
        const ids = Array.from({ length: int(maxBatch) + 1 }, randomId);
        if (rnd() < 0.1) ids.push("unknown-id");
        log.push(`delete ${ids.length}`);
        store.delete(ids);
        ref.delete(ids);
      } else {
        const q = rnd();
        const at = q < 0.35 ? -1 : q < 0.6 ? 0 : int(ref.rows.length + 3);
        const r = rnd();
        const span = Math.max(1, pool >> 1);
        const limit = r < 0.45 ? null : r < 0.5 ? 0 : r < 0.75 ? -(int(span) + 1) : int(span) + 1;
        const updateOnly = rnd() < 0.12;
        let { table, rows } = makeBatchTable(Array.from({ length: int(maxBatch) + (rnd() < 0.05 ? 0 : 1) }, randomId));
        if (rnd() < 0.15 && rows.length > 0) {
          // two record batches in one table: one chunk each. (Not with an empty first table:
          // arrow 21's Table-from-vectors builds a malformed empty batch that cannot be
          // concatenated.)
          const second = makeBatchTable(Array.from({ length: int(maxBatch) + 1 }, randomId));
          table = new Table([...table.batches, ...second.table.batches]);
          rows = rows.concat(second.rows);
        }
        log.push(`insert ${rows.length} at=${at} limit=${limit} update_only=${updateOnly}`);
        store.insert(table, { at, limit, update_only: updateOnly });
        for (const row of rows) ref.insertRow(row, at, limit, updateOnly);
      }
      checkInvariants(store, blockSize);
      compare(store, ref, rnd, step % fullEvery === 0);
    }
  } catch (e) {
    e.message = `seed ${seed} after ops:\n  ${log.slice(-8).join("\n  ")}\n${e.message}`;
    throw e;
  }
  return store;
}

describe("RowStore vs reference, random op sequences", () => {
  it("3000 short sequences, tiny pools and blocks (dense duplicates, many splits/merges)", () => {
    for (let seed = 1; seed <= 3000; seed++) {
      runSequence(seed, { ops: 25, pool: 4 + (seed % 40), maxBatch: 1 + (seed % 12), blockSize: 2 + (seed % 7), deletes: seed % 2 ? 0.23 : 0.45 });
    }
  }, 60000);

  it("40 long sequences with hundreds to thousands of rows across many blocks", () => {
    let maxBlocks = 0;
    for (let seed = 10001; seed <= 10040; seed++) {
      const store = runSequence(seed, {
        ops: 100,
        pool: 3000,
        maxBatch: 400,
        blockSize: 4 + (seed % 29),
        fullEvery: 10,
        deletes: seed % 2 ? 0.23 : 0.45,
      });
      maxBlocks = Math.max(maxBlocks, store.blockCount);
    }
    expect(maxBlocks).toBeGreaterThan(50);
  }, 60000);

  it("default block size with rows crossing block boundaries", () => {
    for (let seed = 20001; seed <= 20003; seed++) {
      runSequence(seed, { ops: 60, pool: 20000, maxBatch: 3000, blockSize: 1024, fullEvery: 20 });
    }
  }, 60000);
});

describe("block maintenance", () => {
  it("heavy deletes merge hollow blocks and keep the block count near size/blockSize", () => {
    const rnd = mulberry32(99);
    const store = new RowStore({ blockSize: 16 });
    const ref = new RefStore();
    const { table, rows } = makeBatchTable(Array.from({ length: 1600 }, (_, i) => `m-${i}`));
    store.insert(table);
    for (const row of rows) ref.insertRow(row, -1, null, false);
    expect(store.blockCount).toBe(100);
    const victims = rows.filter(() => rnd() < 0.9).map((r) => r.id);
    for (let i = 0; i < victims.length; i += 37) {
      store.delete(victims.slice(i, i + 37));
      ref.delete(victims.slice(i, i + 37));
      checkInvariants(store, 16);
    }
    compare(store, ref, rnd, true);
    // ~160 rows left: without merging there would still be ~100 blocks
    expect(store.blockCount).toBeLessThan(3 * Math.ceil(store.size / 16) + 2);
  });
});
