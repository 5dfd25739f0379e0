// The bulk path (bulk.js: a batch of new ids appended or prepended) against the per-row path
// it stands for. A second copy of the store module is loaded with the bulk path turned off, and
// both stores get the same random op sequences; everything observable must match: order, ids,
// values, revisions, slots, version and change notifications, resets, live chunks.
import { describe, it, expect, vi, beforeAll } from "vitest";
import { Table, makeData, makeVector, Utf8 } from "apache-arrow";
import { RowStore } from "../src/store.js";
import { mulberry32 } from "./helpers.js";

/** @type {typeof RowStore} the per-row path only */
let PerRowStore;

beforeAll(async () => {
  vi.resetModules();
  vi.doMock("../src/bulk.js", async (importOriginal) => ({ ...(await importOriginal()), insertNew: () => null }));
  PerRowStore = (await import("../src/store.js")).RowStore;
  vi.doUnmock("../src/bulk.js");
  expect(PerRowStore).not.toBe(RowStore);
});

let nextV = 1;
const enc = new TextEncoder();
// Straight from bytes: vectorFromArray would cost more than the stores under test.
function utf8(strings) {
  const offsets = new Int32Array(strings.length + 1);
  const bytes = enc.encode(strings.join(""));
  let at = 0;
  strings.forEach((s, i) => (offsets[i + 1] = at += enc.encode(s).length));
  return makeVector(makeData({ type: new Utf8(), length: strings.length, valueOffsets: offsets, data: bytes }));
}
const values = (n) => makeVector(Int32Array.from({ length: n }, () => nextV++));
// Dom ids as strings; `v` numbers every row ever sent.
function domTable(ids) {
  return new Table({ __dom_id: utf8(ids), v: values(ids.length) });
}
// Dom ids made from an integer key column: `${prefix}${k}`.
function keyedTable(keys) {
  return new Table({ k: makeVector(BigInt64Array.from(keys, (k) => BigInt(k))), v: values(keys.length) });
}

const packedBlocks = (s) => s._rows._blocks.filter((b) => b.items === null).length;

// Two stores, one op at a time; `log` says what happened, for a failure's message.
class Pair {
  constructor(blockSize) {
    this.a = new RowStore({ blockSize }); // bulk path
    this.b = new PerRowStore({ blockSize });
    this.changes = [0, 0];
    this.a.onChange(() => this.changes[0]++);
    this.b.onChange(() => this.changes[1]++);
    this.slot = [this.a.newSlot("test"), this.b.newSlot("test")];
    this.packsSeen = 0; // packed blocks seen before reads made them
    this.rangesSeen = 0; // packs of consecutive integer keys indexed as one range (ids.js)
  }
  both(fn) {
    let ea = null;
    let eb = null;
    try {
      fn(this.a);
    } catch (e) {
      ea = e.message;
    }
    try {
      fn(this.b);
    } catch (e) {
      eb = e.message;
    }
    expect(ea).toBe(eb);
  }
  // Cheap checks that make no handles (has, counts) and a few that do (reads at positions).
  check(rnd, full) {
    const { a, b } = this;
    expect(a.size).toBe(b.size);
    expect(a.version).toBe(b.version);
    expect(this.changes[0]).toBe(this.changes[1]);
    expect(a.resets).toBe(b.resets);
    expect(a.chunkCount).toBe(b.chunkCount);
    expect(a.columns).toEqual(b.columns);
    expect(a._ids.size).toBe(a.size);
    this.packsSeen += packedBlocks(a);
    this.rangesSeen += a._ids.rangeCount;
    expect(packedBlocks(this.b)).toBe(0);
    for (const blk of a._rows._blocks) {
      const n = blk.items === null ? blk.pack.size : blk.items.length;
      if (n < 1 || n > 2 * a._rows._b) throw new Error(`block of ${n}`);
      if (blk.items === null ? blk.pack.block !== blk : blk.items.some((h) => h.block !== blk)) throw new Error("bad link");
    }
    const reads = full ? b.size : Math.min(b.size, 3);
    for (let k = 0; k < reads; k++) {
      const i = full ? k : Math.floor(rnd() * b.size);
      const ha = a.handleAt(i);
      const hb = b.handleAt(i);
      const id = b.domIdOf(hb);
      if (a.domIdOf(ha) !== id) throw new Error(`position ${i}: ${a.domIdOf(ha)} != ${id}`);
      const got = [a.valueOf(ha, "v"), a.revisionOf(ha), a.slotOf(ha, this.slot[0]), a.has(id)];
      const want = [b.valueOf(hb, "v"), b.revisionOf(hb), b.slotOf(hb, this.slot[1]), true];
      if (got.some((x, j) => x !== want[j])) throw new Error(`row ${id} at ${i}: ${got} != ${want}`);
    }
    if (full) expect(a.slice()).toEqual(b.slice());
  }
}

function runSequence(seed, { ops, blockSize, maxBatch, fullEvery }) {
  const rnd = mulberry32(seed);
  const int = (n) => Math.floor(rnd() * n);
  const pair = new Pair(blockSize);
  pair.both((s) => s.setPrefix("p-"));
  let fresh = 0; // ids never sent yet: most inserts of them take the bulk path
  let prefix = "p-";
  const log = [];
  const batchKeys = () => {
    const n = rnd() < 0.05 ? 0 : 1 + int(maxBatch);
    const mode = rnd();
    const keys = [];
    // A run of consecutive keys from an old one: some rows there, some deleted or pruned.
    const from = int(fresh + 3);
    for (let i = 0; i < n; i++) {
      if (mode < 0.5) keys.push(fresh++);
      else if (mode < 0.6) keys.push(fresh + n - 1 - i); // new, counting down
      else if (mode < 0.7) keys.push(rnd() < 0.9 ? fresh++ : int(fresh + 1)); // mostly new
      else if (mode < 0.8) keys.push(from + i);
      else keys.push(int(fresh + 3)); // old ones, some twice
    }
    if (mode >= 0.5 && mode < 0.6) fresh += n;
    if (rnd() < 0.05 && n > 1) keys[n - 1] = keys[0]; // the same id twice in one batch
    return keys;
  };
  try {
    for (let step = 0; step < ops; step++) {
      const p = rnd();
      if (p < 0.03) {
        log.push("reset");
        pair.both((s) => s.reset());
      } else if (p < 0.2) {
        const ids = Array.from({ length: 1 + int(maxBatch) }, () => `${prefix}${int(fresh + 2)}`);
        log.push(`delete ${ids.length}`);
        pair.both((s) => s.delete(ids));
      } else if (p < 0.23) {
        // Views keep state on handles: set a slot on some rows, or clear it on all.
        if (rnd() < 0.3) {
          log.push("clearSlot");
          pair.a.clearSlot(pair.slot[0]);
          pair.b.clearSlot(pair.slot[1]);
        } else if (pair.b.size > 0) {
          const i = int(pair.b.size);
          log.push(`setSlot ${i}`);
          pair.a.setSlot(pair.a.handleAt(i), pair.slot[0], step);
          pair.b.setSlot(pair.b.handleAt(i), pair.slot[1], step);
        }
      } else if (p < 0.24) {
        prefix = prefix === "p-" ? "q-" : "p-";
        log.push(`prefix ${prefix}`);
        pair.both((s) => s.setPrefix(prefix));
      } else {
        const q = rnd();
        const at = q < 0.45 ? -1 : q < 0.85 ? 0 : int(pair.b.size + 3);
        const r = rnd();
        const span = 2 + 3 * maxBatch;
        const limit = r < 0.4 ? null : r < 0.45 ? 0 : r < 0.72 ? -(1 + int(span)) : 1 + int(span);
        const updateOnly = rnd() < 0.08;
        const keys = batchKeys();
        const keyed = rnd() < 0.4 && keys.length > 0;
        let table = keyed ? keyedTable(keys) : domTable(keys.map((k) => `${prefix}${k}`));
        if (rnd() < 0.15 && keys.length > 0) {
          const more = batchKeys();
          if (more.length > 0) {
            const second = keyed ? keyedTable(more) : domTable(more.map((k) => `${prefix}${k}`));
            table = new Table([...table.batches, ...second.batches]); // two chunks, one op
          }
        }
        const opts = { at, limit, update_only: updateOnly, key: keyed ? "k" : null };
        log.push(`insert ${table.numRows} ${JSON.stringify(opts)} keys ${keys.slice(0, 4)}...`);
        pair.both((s) => s.insert(table, opts));
      }
      pair.check(rnd, step % fullEvery === fullEvery - 1);
    }
    pair.check(rnd, true);
  } catch (e) {
    e.message = `seed ${seed} after ops:\n  ${log.slice(-8).join("\n  ")}\n${e.message}`;
    throw e;
  }
  return pair;
}

describe("bulk path vs per-row path, random op sequences", () => {
  it("1200 short sequences, tiny blocks (packs, whole-pack pruning, fallbacks)", () => {
    let packs = 0;
    let ranges = 0;
    for (let seed = 1; seed <= 1200; seed++) {
      const pair = runSequence(seed, { ops: 30, blockSize: 2 + (seed % 7), maxBatch: 1 + (seed % 25), fullEvery: 6 });
      packs += pair.packsSeen;
      ranges += pair.rangesSeen;
    }
    expect(packs).toBeGreaterThan(3000);
    expect(ranges).toBeGreaterThan(1000);
  }, 120000);

  it("30 longer sequences with thousands of rows", () => {
    for (let seed = 5001; seed <= 5030; seed++) {
      runSequence(seed, { ops: 80, blockSize: 8 + (seed % 57), maxBatch: 600, fullEvery: 20 });
    }
  }, 120000);
});

describe("bulk path, targeted", () => {
  const range = (a, n) => Array.from({ length: n }, (_, i) => `r-${a + i}`);
  const vs = (s) => Array.from({ length: s.size }, (_, i) => s.valueAt(i, "v"));
  // One table for both stores.
  const ins = (table, opts) => (s) => s.insert(table, opts);
  // Runs ops on a bulk store and a per-row store; returns the bulk one after comparing.
  function same(blockSize, ops) {
    const pair = new Pair(blockSize);
    for (const op of ops) pair.both(op);
    pair.check(() => 0, true);
    expect(vs(pair.a)).toEqual(vs(pair.b));
    return pair.a;
  }

  it.each([
    ["append, limit 3", { at: -1, limit: 3 }, ["r-0", "r-1", "r-2"]],
    ["append, limit -3", { at: -1, limit: -3 }, ["r-7", "r-8", "r-9"]],
    ["prepend, limit 3", { at: 0, limit: 3 }, ["r-9", "r-8", "r-7"]],
    ["prepend, limit -3", { at: 0, limit: -3 }, ["r-2", "r-1", "r-0"]],
    ["append, limit 0", { at: -1, limit: 0 }, []],
  ])("a limit smaller than the batch, empty store: %s", (_, opts, ids) => {
    const s = same(4, [ins(domTable(range(0, 10)), opts)]);
    expect(s.slice()).toEqual(ids);
    expect(s.chunkCount).toBe(ids.length > 0 ? 1 : 0);
  });

  it.each([
    ["append, limit 8", { at: -1, limit: 8 }, [...range(0, 5), ...range(100, 3)]],
    ["append, limit 3 (old rows pruned, new ones dropped)", { at: -1, limit: 3 }, range(0, 3)],
    ["append, limit -8", { at: -1, limit: -8 }, range(102, 8)],
    ["append, limit -12", { at: -1, limit: -12 }, [...range(3, 2), ...range(100, 10)]],
    ["prepend, limit 12", { at: 0, limit: 12 }, [...range(100, 10).reverse(), ...range(0, 2)]],
    ["prepend, limit -7", { at: 0, limit: -7 }, [...range(100, 2).reverse(), ...range(0, 5)]],
    ["prepend, limit -3", { at: 0, limit: -3 }, range(2, 3)],
  ])("a limit with rows in the store: %s", (_, opts, ids) => {
    const s = same(4, [ins(domTable(range(0, 5))), ins(domTable(range(100, 10)), opts)]);
    expect(s.slice()).toEqual(ids);
  });

  it("an empty batch changes nothing but the first insert's columns", () => {
    const s = same(4, [ins(domTable([])), ins(domTable(range(0, 3))), ins(domTable([]), { at: 0 })]);
    expect(s.version).toBe(2);
    expect(s.slice()).toEqual(range(0, 3));
  });

  it("the same id twice in one batch: the per-row result (first place, last values)", () => {
    const s = same(4, [ins(domTable(["a", "b", "a", "c"]))]);
    expect(s.slice()).toEqual(["a", "b", "c"]);
    expect(s.revisionOf(s.handleAt(0))).toBe(1);
    expect(vs(s)).toEqual([nextV - 2, nextV - 3, nextV - 1]);
    // twice among rows a limit prunes at once, and twice across the kept and pruned ones
    same(2, [ins(domTable(["x", "y", "x", "z", "w"]), { at: -1, limit: -2 })]);
    same(2, [ins(domTable(["x", "y", "z", "x", "w"]), { at: 0, limit: 2 })]);
  });

  it("an id already in the store sends the whole batch down the per-row path, index untouched", () => {
    const s = same(2, [ins(domTable(range(0, 3))), ins(domTable([...range(10, 9), "r-1"]), { at: 0, limit: -6 })]);
    expect(s._ids.size).toBe(s.size);
    expect(s.has("r-1")).toBe(true);
  });

  it("whole blocks are packed: a read makes one block, pruning drops packs unmade", () => {
    const s = new RowStore({ blockSize: 4 });
    s.insert(domTable(range(0, 18)));
    expect(s.blockCount).toBe(5); // 4 packs of whole blocks and a pack of the last 2 rows
    expect(packedBlocks(s)).toBe(5);
    expect(s.has("r-5")).toBe(true); // no handle needed
    expect(packedBlocks(s)).toBe(5);
    expect(s.domIdAt(5)).toBe("r-5"); // an id is read without a handle
    expect(s.batchAt(6).row).toBe(6);
    expect(packedBlocks(s)).toBe(5);
    expect(s.domIdOf(s.handleAt(5))).toBe("r-5"); // a handle: its block is made
    expect(packedBlocks(s)).toBe(4);
    const h = s.handleOf("r-13");
    expect(packedBlocks(s)).toBe(3);
    expect(s.indexOf("r-13")).toBe(13);
    expect(s.handleOf("r-13")).toBe(h); // a handle lives as long as its row
    s.insert(domTable(range(100, 8)), { at: -1, limit: -12 }); // two packs pruned unmade
    expect(s.slice(0, 3)).toEqual(range(14, 3));
    expect(s.chunkCount).toBe(2);
    s.insert(domTable(range(200, 12)), { at: -1, limit: -12 }); // the first batch's last rows go
    expect(s.chunkCount).toBe(1);
    expect(s.handleOf("r-13")).toBe(undefined);
  });

  it("updates and deletes reach packed rows", () => {
    const s = same(4, [
      ins(domTable(range(0, 16))),
      ins(domTable(["r-9", "r-2"]), { update_only: true }),
      (s) => s.delete(["r-14", "r-0"]),
      ins(keyedTable([]), { key: "k" }),
    ]);
    expect(s.slice(0, 3)).toEqual(["r-1", "r-2", "r-3"]);
    expect(s.revisionOf(s.handleOf("r-9"))).toBe(1);
  });

  it("a pack of consecutive integer keys is one range in the index, until read or pruned", () => {
    const s = new RowStore({ blockSize: 4 });
    s.setPrefix("p-");
    s.insert(keyedTable(Array.from({ length: 16 }, (_, i) => 100 + i)), { key: "k" });
    expect(packedBlocks(s)).toBe(4);
    expect(s._ids.rangeCount).toBe(4);
    expect(s._ids.size).toBe(16);
    expect(s.has("p-105")).toBe(true);
    expect(s.has("p-116")).toBe(false);
    expect(s.has("p-99")).toBe(false);
    expect(s.domIdAt(5)).toBe("p-105"); // read without making the block
    expect(s._ids.rangeCount).toBe(4);
    expect(s.domIdOf(s.handleAt(5))).toBe("p-105"); // a handle: that block's range becomes handles
    expect(s._ids.rangeCount).toBe(3);
    expect(s._ids.size).toBe(16);
    // Keys counting down (a prepended batch lists them reversed, so one pack counts up).
    s.insert(keyedTable([203, 202, 201, 200]), { key: "k" });
    s.insert(keyedTable([300, 301, 302, 303]), { key: "k", at: 0 });
    expect(s._ids.rangeCount).toBe(5);
    expect(s.slice(0, 4)).toEqual(["p-303", "p-302", "p-301", "p-300"]);
    expect(s.indexOf("p-201")).toBe(4 + 16 + 2);
    // A batch overlapping a range goes down the per-row path: two updates, two new rows.
    s.insert(keyedTable([114, 115, 116, 117]), { key: "k" });
    expect(s.size).toBe(26);
    expect(s._ids.size).toBe(26);
    expect(s.revisionOf(s.handleOf("p-114"))).toBe(1);
    s.insert(domTable(["p-1", "p-2"]), { at: -1, limit: -4 }); // everything else pruned
    expect(s.slice()).toEqual(["p-116", "p-117", "p-1", "p-2"]);
    expect(s._ids.rangeCount).toBe(0);
    expect(s._ids.size).toBe(4);
  });

  it("small batches continuing the last pack's keys grow it: a live feed's rows get no handles", () => {
    const keys = (a, n) => Array.from({ length: n }, (_, i) => a + i);
    const pid = (a, n) => keys(a, n).map((k) => `p-${k}`);
    let at = 0;
    const feed = [3, 2, 4, 1, 5, 3].map((n) => [(at += n) - n, n]);
    const ops = [(s) => s.setPrefix("p-"), ...feed.map(([a, n]) => ins(keyedTable(keys(a, n)), { key: "k" }))];
    const made = same(4, ops); // as the per-row path (its reads make every block)
    expect(made.slice()).toEqual(pid(0, 18));
    const s = new RowStore({ blockSize: 4 });
    for (const op of ops) op(s);
    expect(s.size).toBe(18);
    for (let i = 0; i < 18; i++) {
      // Read without making a block: ids and batch rows, across the batches a pack holds.
      const at = s.batchAt(i);
      const want = made.batchOf(made.handleAt(i));
      expect([s.domIdAt(i), at.batch === want.batch, at.row]).toEqual([`p-${i}`, true, want.row]);
    }
    expect(s.blockCount).toBe(5); // 4 + 4 + 4 + 4 + 2 rows, every block a pack
    expect(packedBlocks(s)).toBe(5);
    expect(s._ids.rangeCount).toBe(5);
    expect(s.chunkCount).toBe(6);
    // What a view draws reads packed rows through handles of its own: the blocks stay packed.
    for (const i of [0, 5, 17]) {
      const rh = s.readHandleAt(i);
      expect([s.domIdOf(rh), s.cellOf(rh, "v"), s.revisionOf(rh)]).toEqual([`p-${i}`, made.cellOf(made.handleAt(i), "v"), 0]);
    }
    expect(packedBlocks(s)).toBe(5);
    expect(s.readHandleAt(18)).toBe(undefined);
    // A batch that does not continue the keys: the last pack is made, its room filled by
    // handles, and the batch's rest is a new pack.
    s.insert(keyedTable([100, 101, 102]), { key: "k" });
    expect(s.blockCount).toBe(6);
    expect(packedBlocks(s)).toBe(5);
    expect(s.slice(16)).toEqual([...pid(16, 2), ...pid(100, 3)]);
    // A batch continuing a range but holding a key already there: the per-row path, and the
    // pack's range as it was.
    const t = same(4, [
      (s) => s.setPrefix("p-"),
      ins(keyedTable(keys(0, 5)), { key: "k" }),
      ins(keyedTable([5, 6, 7, 8, 9, 2]), { key: "k" }),
    ]);
    expect(t.slice()).toEqual(pid(0, 10));
    expect(t._ids.size).toBe(10);
    // Pruning a grown pack whole releases every batch it holds rows of.
    const u = same(4, [
      (s) => s.setPrefix("p-"),
      ins(keyedTable(keys(0, 2)), { key: "k" }),
      ins(keyedTable(keys(2, 2)), { key: "k" }),
      ins(keyedTable(keys(4, 4)), { key: "k" }),
      ins(keyedTable(keys(8, 4)), { key: "k", at: -1, limit: -4 }),
    ]);
    expect(u.slice()).toEqual(pid(8, 4));
    expect(u.chunkCount).toBe(1);
  });

  it("integer keys with a prefix take the bulk path too", () => {
    const s = new RowStore({ blockSize: 4 });
    s.setPrefix("p-");
    s.insert(keyedTable(Array.from({ length: 10 }, (_, i) => i * 3)), { key: "k", at: 0 });
    expect(packedBlocks(s)).toBe(2);
    expect(s.domIdAt(0)).toBe("p-27");
    expect(s.indexOf("p-0")).toBe(9);
    s.setPrefix("q-"); // re-keying makes every row first; dom ids stay
    expect(packedBlocks(s)).toBe(0);
    expect(s.slice(0, 2)).toEqual(["p-27", "p-24"]);
    expect(s.indexOf("p-0")).toBe(9);
  });
});
