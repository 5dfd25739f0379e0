import { describe, it, expect, vi } from "vitest";
import { Table, vectorFromArray, Utf8, LargeUtf8, Int32, tableFromJSON, makeData, makeVector } from "apache-arrow";
import { RowStore } from "../src/store.js";
import { makeTable, itemsTable, range, keysOf, viaIPC } from "./helpers.js";

// REFERENCE §1: start empty; insert items 1..10 with the options; then 11; then 12..21.
const TRUTH = [
  { at: -1, limit: -5, after10: [6, 7, 8, 9, 10], after11: [7, 8, 9, 10, 11], after21: [17, 18, 19, 20, 21] },
  { at: 0, limit: 5, after10: [10, 9, 8, 7, 6], after11: [11, 10, 9, 8, 7], after21: [21, 20, 19, 18, 17] },
  { at: -1, limit: 5, after10: [1, 2, 3, 4, 5], after11: [1, 2, 3, 4, 5], after21: [1, 2, 3, 4, 5] },
  { at: 0, limit: -5, after10: [5, 4, 3, 2, 1], after11: [5, 4, 3, 2, 1], after21: [5, 4, 3, 2, 1] },
  { at: 1, limit: 5, after10: [1, 10, 9, 8, 7], after11: [1, 11, 10, 9, 8], after21: [1, 21, 20, 19, 18] },
  { at: 1, limit: -5, after10: [10, 5, 4, 3, 2], after11: [11, 5, 4, 3, 2], after21: [21, 5, 4, 3, 2] },
];

function checkConsistent(store) {
  const ids = store.slice(0, store.size);
  expect(ids.length).toBe(store.size);
  ids.forEach((d, i) => {
    expect(store.domIdAt(i)).toBe(d);
    expect(store.indexOf(d)).toBe(i);
    expect(store.has(d)).toBe(true);
  });
}

describe("truth table (REFERENCE §1)", () => {
  for (const row of TRUTH) {
    const opts = { at: row.at, limit: row.limit };
    for (const blockSize of [2, 3, 1024]) {
      it(`bulk inserts at=${row.at} limit=${row.limit} blockSize=${blockSize}`, () => {
        const s = new RowStore({ blockSize });
        s.insert(itemsTable(range(1, 10)), opts);
        expect(keysOf(s)).toEqual(row.after10);
        s.insert(itemsTable([11]), opts);
        expect(keysOf(s)).toEqual(row.after11);
        s.insert(viaIPC(itemsTable(range(12, 21))), opts);
        expect(keysOf(s)).toEqual(row.after21);
        checkConsistent(s);
        // values come from the chunk each row was last written from
        for (let i = 0; i < s.size; i++) {
          expect(s.valueAt(i, "id")).toBe(row.after21[i]);
          expect(s.valueAt(i, "label")).toBe(`item ${row.after21[i]}`);
        }
      });
    }
    it(`single-row inserts at=${row.at} limit=${row.limit}`, () => {
      const s = new RowStore({ blockSize: 2 });
      for (const k of range(1, 10)) s.insert(itemsTable([k]), opts);
      expect(keysOf(s)).toEqual(row.after10);
      s.insert(itemsTable([11]), opts);
      expect(keysOf(s)).toEqual(row.after11);
      for (const k of range(12, 21)) s.insert(itemsTable([k]), opts);
      expect(keysOf(s)).toEqual(row.after21);
      checkConsistent(s);
    });
  }

  it("works with tables built by tableFromJSON and multiple record batches", () => {
    const t = tableFromJSON([{ x: 1 }, { x: 2 }]);
    // tableFromJSON dictionary-encodes strings; the wire sends plain utf8, so add ids explicitly
    const withIds = new Table({ __dom_id: vectorFromArray(["a", "b"], new Utf8()), x: t.getChild("x") });
    const two = new Table([...withIds.batches, ...makeTable(["c"], { x: [3.5] }).batches]);
    expect(two.batches.length).toBe(2);
    const s = new RowStore();
    s.insert(two, { at: 0 });
    expect(s.slice(0, 3)).toEqual(["c", "b", "a"]);
    expect(s.valueAt(0, "x")).toBe(3.5);
    expect(s.valueAt(2, "x")).toBe(1);
  });
});

describe("ops and options", () => {
  it("update in place keeps position, ignores at, never prunes", () => {
    const s = new RowStore();
    s.insert(itemsTable([1, 2, 3]));
    s.insert(itemsTable([2], " v2"), { at: 0, limit: 1 });
    expect(keysOf(s)).toEqual([1, 2, 3]);
    expect(s.valueAt(1, "label")).toBe("item 2 v2");
    expect(s.rowAt(1)).toEqual({ domId: "items-2", values: { id: 2, label: "item 2 v2" } });
  });

  it("update_only updates present rows and drops absent ones", () => {
    const s = new RowStore();
    s.insert(itemsTable([1, 2, 3]));
    const v = s.version;
    s.insert(itemsTable([4, 2, 5], " u"), { update_only: true, at: 0 });
    expect(keysOf(s)).toEqual([1, 2, 3]);
    expect(s.valueAt(1, "label")).toBe("item 2 u");
    expect(s.has("items-4")).toBe(false);
    expect(s.version).toBe(v + 1);
    // nothing present: no change at all
    s.insert(itemsTable([9]), { update_only: true });
    expect(s.version).toBe(v + 1);
    expect(s.size).toBe(3);
  });

  it("delete, delete unknown id, delete empty list", () => {
    const s = new RowStore();
    s.insert(itemsTable(range(1, 5)));
    s.delete(["items-2", "nope", "items-5"]);
    expect(keysOf(s)).toEqual([1, 3, 4]);
    expect(s.has("items-2")).toBe(false);
    expect(s.indexOf("items-2")).toBe(-1);
    const v = s.version;
    s.delete(["nope"]);
    s.delete([]);
    expect(s.version).toBe(v);
    s.delete(["items-1", "items-1"]);
    expect(keysOf(s)).toEqual([3, 4]);
  });

  it("reset clears rows and columns; columns come from the next insert", () => {
    const s = new RowStore();
    expect(s.columns).toEqual([]);
    s.insert(itemsTable([1, 2]));
    expect(s.columns).toEqual(["id", "label"]);
    s.reset();
    expect(s.size).toBe(0);
    expect(s.columns).toEqual([]);
    expect(s.chunkCount).toBe(0);
    expect(s.has("items-1")).toBe(false);
    s.insert(makeTable(["x"], { b: ["q"], a: [1] }));
    expect(s.columns).toEqual(["b", "a"]);
    expect(s.fieldType("a").toString()).toBe("Int32");
    // later inserts do not change the columns
    s.insert(makeTable(["y"], { c: [1] }));
    expect(s.columns).toEqual(["b", "a"]);
    expect(s.valueAt(0, "c")).toBeUndefined();
    expect(s.valueAt(1, "c")).toBe(1);
    expect(s.valueAt(1, "a")).toBeUndefined();
  });

  it("columns are set even by an empty first insert; fieldType follows the latest chunk", () => {
    const s = new RowStore();
    s.insert(makeTable([], { n: vectorFromArray([], new Int32()) }));
    expect(s.columns).toEqual(["n"]);
    expect(s.size).toBe(0);
    s.insert(makeTable(["a"], { n: [1.5] }));
    expect(String(s.fieldType("n"))).toBe("Float64");
    expect(s.fieldType("zzz")).toBeUndefined();
  });

  it("move = delete + insert", () => {
    const s = new RowStore();
    s.insert(itemsTable(range(1, 5)));
    s.delete(["items-4"]);
    s.insert(itemsTable([4]), { at: 0 });
    expect(keysOf(s)).toEqual([4, 1, 2, 3, 5]);
    s.delete(["items-1"]);
    s.insert(itemsTable([1]), { at: 3 });
    expect(keysOf(s)).toEqual([4, 2, 3, 1, 5]);
  });

  it("insert then delete removes the row (call order, unlike LiveView)", () => {
    const s = new RowStore();
    s.insert(itemsTable([1]));
    s.delete(["items-1"]);
    expect(s.size).toBe(0);
    expect(s.chunkCount).toBe(0);
  });

  it("duplicate ids in one batch: the second is an in-place update", () => {
    const s = new RowStore();
    s.insert(makeTable(["a", "b", "a"], { v: [1, 2, 3] }), { at: 0 });
    expect(s.slice(0, s.size)).toEqual(["b", "a"]);
    expect(s.valueAt(1, "v")).toBe(3);
  });

  it("duplicate of a row pruned earlier in the same batch is placed again", () => {
    const s = new RowStore();
    // limit -1 keeps only the last placed row: a placed, b placed (a pruned), a placed again
    s.insert(makeTable(["a", "b", "a"], { v: [1, 2, 3] }), { limit: -1 });
    expect(s.slice(0, s.size)).toEqual(["a"]);
    expect(s.valueAt(0, "v")).toBe(3);
  });

  it("at >= size appends", () => {
    const s = new RowStore();
    s.insert(itemsTable([1, 2]), { at: 7 });
    s.insert(itemsTable([3]), { at: 2 });
    s.insert(itemsTable([4]), { at: 100 });
    expect(keysOf(s)).toEqual([1, 2, 3, 4]);
  });

  it("at = N inserts before the row now at N", () => {
    const s = new RowStore();
    s.insert(itemsTable([1, 2, 3]));
    s.insert(itemsTable([9]), { at: 2 });
    expect(keysOf(s)).toEqual([1, 2, 9, 3]);
  });

  it("limit 0 keeps nothing, but updates in place still apply", () => {
    const s = new RowStore();
    s.insert(itemsTable([1, 2, 3]), { limit: 0 });
    expect(s.size).toBe(0);
    expect(s.chunkCount).toBe(0);
    s.insert(itemsTable([1, 2]));
    s.insert(itemsTable([1], " y"), { limit: 0 });
    expect(keysOf(s)).toEqual([1, 2]);
    expect(s.valueAt(0, "label")).toBe("item 1 y");
    // a newly placed row triggers the limit: everything goes, including older rows
    s.insert(itemsTable([2, 5], " x"), { limit: 0 });
    expect(keysOf(s)).toEqual([]);
    expect(s.chunkCount).toBe(0);
  });

  it("a limit prunes rows left by earlier unlimited inserts, in bulk", () => {
    const s = new RowStore({ blockSize: 4 });
    s.insert(itemsTable(range(1, 50)));
    s.insert(itemsTable([51]), { limit: -3 });
    expect(keysOf(s)).toEqual([49, 50, 51]);
    s.insert(itemsTable(range(52, 60)));
    s.insert(itemsTable([0]), { at: 0, limit: 2 });
    expect(keysOf(s)).toEqual([0, 49]);
    expect(s.has("items-50")).toBe(false);
    expect(s.has("items-1")).toBe(false);
  });

  it("frees chunks when no live row refers to them", () => {
    const s = new RowStore();
    s.insert(itemsTable([1, 2]));
    s.insert(itemsTable([3]));
    expect(s.chunkCount).toBe(2);
    s.insert(itemsTable([1, 2], " new"));
    expect(s.chunkCount).toBe(2);
    s.delete(["items-3"]);
    expect(s.chunkCount).toBe(1);
  });

  it("non-ASCII and BOM-prefixed dom ids survive decoding", () => {
    const ids = ["\uFEFFbom", "é", "日本", "emoji-😀", "plain"];
    const s = new RowStore();
    s.insert(viaIPC(makeTable(ids, { v: [1, 2, 3, 4, 5] })));
    expect(s.slice(0, 5)).toEqual(ids);
    expect(s.indexOf("emoji-😀")).toBe(3);
    s.insert(viaIPC(makeTable(["\uFEFFa", "b"])));
    expect(s.has("\uFEFFa")).toBe(true);
  });

  it("dom ids from raw utf8 bytes: invalid UTF-8, split characters, LargeUtf8", () => {
    const raw = (type, chunks) => {
      const total = chunks.reduce((a, c) => a + c.length, 0);
      const bytes = new Uint8Array(total);
      const offs = type instanceof LargeUtf8 ? new BigInt64Array(chunks.length + 1) : new Int32Array(chunks.length + 1);
      let p = 0;
      chunks.forEach((c, i) => {
        bytes.set(c, p);
        p += c.length;
        offs[i + 1] = type instanceof LargeUtf8 ? BigInt(p) : p;
      });
      const data = makeData({ type, length: chunks.length, valueOffsets: offs, data: bytes });
      return new Table({ __dom_id: makeVector(data) });
    };
    const enc = new TextEncoder();
    const s = new RowStore();
    // each value on its own is invalid (half of "é" each), the concatenation is valid
    s.insert(raw(new Utf8(), [[0x61], [0xc3], [0xa9], [0x62]]));
    expect(s.size).toBe(3); // the two halves both decode to U+FFFD: the second updates the first
    expect(s.slice(0, 3)).toEqual(["a", "\uFFFD", "b"]);
    s.reset();
    s.insert(raw(new Utf8(), [[0xff, 0x41], enc.encode("ok")]));
    expect(s.slice(0, 2)).toEqual(["\uFFFDA", "ok"]);
    s.reset();
    const ids = ["plain", "dé", "", "x😀y", "日本語"];
    s.insert(raw(new LargeUtf8(), ids.map((x) => enc.encode(x))));
    expect(s.slice(0, 5)).toEqual(ids);
    expect(s.indexOf("x😀y")).toBe(3);
  });

  it("sliced tables decode the right dom ids", () => {
    const t = makeTable(["a", "b", "c", "d"], { v: [1, 2, 3, 4] }).slice(1, 3);
    const s = new RowStore();
    s.insert(t);
    expect(s.slice(0, 2)).toEqual(["b", "c"]);
    expect(s.valueAt(0, "v")).toBe(2);
  });

  it("reads out of range", () => {
    const s = new RowStore();
    s.insert(itemsTable([1, 2]));
    expect(s.domIdAt(-1)).toBeUndefined();
    expect(s.domIdAt(2)).toBeUndefined();
    expect(s.valueAt(5, "id")).toBeUndefined();
    expect(s.rowAt(3)).toBeUndefined();
    expect(s.slice(-5, 100)).toEqual(["items-1", "items-2"]);
    expect(s.slice(1, 1)).toEqual([]);
  });

  it("onChange fires once per applied call and unsubscribes", () => {
    const s = new RowStore();
    const fn = vi.fn();
    const off = s.onChange(fn);
    s.insert(itemsTable(range(1, 100)), { limit: -10 });
    expect(fn).toHaveBeenCalledTimes(1);
    s.delete(["items-95", "items-96"]);
    expect(fn).toHaveBeenCalledTimes(2);
    s.reset();
    expect(fn).toHaveBeenCalledTimes(3);
    off();
    s.insert(itemsTable([1]));
    expect(fn).toHaveBeenCalledTimes(3);
  });
});

describe("validation", () => {
  const s = new RowStore();
  const t = itemsTable([1]);
  it.each([
    [{ at: -2 }, /at must be >= -1, got -2/],
    [{ at: 1.5 }, /at must be an integer, got 1.5/],
    [{ at: "0" }, /at must be an integer, got "0"/],
    [{ at: 1n }, /at must be an integer, got 1n/],
    [{ limit: 2.5 }, /limit must be an integer, got 2.5/],
    [{ limit: "5" }, /limit must be an integer/],
    [{ update_only: 1 }, /update_only must be a boolean/],
  ])("rejects %o", (opts, msg) => {
    expect(() => s.insert(t, opts)).toThrow(msg);
    expect(s.size).toBe(0);
  });

  it("rejects tables without a usable __dom_id", () => {
    expect(() => s.insert({})).toThrow(/expected an apache-arrow Table/);
    expect(() => s.insert(null)).toThrow(/expected an apache-arrow Table/);
    const noId = new Table({ x: vectorFromArray([1], new Int32()) });
    expect(() => s.insert(noId)).toThrow(/table has no "__dom_id" column \(columns: x\)/);
    const intId = new Table({ __dom_id: vectorFromArray([1], new Int32()) });
    expect(() => s.insert(intId)).toThrow(/"__dom_id" column must be utf8, got Int32/);
    const nullId = new Table({ __dom_id: vectorFromArray(["a", null], new Utf8()) });
    expect(() => s.insert(nullId)).toThrow(/"__dom_id" column has 1 null value/);
    expect(() => s.delete("items-1")).toThrow(/delete: expected an array/);
    expect(() => new RowStore({ blockSize: 1 })).toThrow(/blockSize/);
    expect(s.size).toBe(0);
    expect(s.columns).toEqual([]);
  });
});
