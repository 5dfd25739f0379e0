// Column summaries: the bounds (distinct values counted per column) and what a store without
// watchers pays (nothing is queued), with real Arrow batches.
import { describe, it, expect } from "vitest";
import { Float32, Float64, Int32, Int64, Int8, Table, Uint32, Utf8, vectorFromArray } from "apache-arrow";
import { exactText, readerOf } from "../src/summaryread.js";
import { RowStore } from "../src/store.js";
import { Summaries } from "../src/summaries.js";
import { MAX_DISTINCT, MOSTLY_DISTINCT } from "../src/summarycats.js";

function table(from, n, text) {
  const ids = Array.from({ length: n }, (_, i) => `r${from + i}`);
  return new Table({
    __dom_id: vectorFromArray(ids, new Utf8()),
    v: vectorFromArray(ids.map((_, i) => from + i), new Int32()),
    s: vectorFromArray(ids.map((_, i) => (i % 10 === 0 ? null : text(from + i))), new Utf8()),
  });
}

const configure = (s) =>
  s.configure([{ name: "v", kind: "num", decimalText: false }, { name: "s", kind: "cat", decimalText: false }], null, "k");

describe("summaries", () => {
  it("keep counting a skewed column past MOSTLY_DISTINCT, and stop at MAX_DISTINCT whatever the skew", () => {
    const store = new RowStore();
    const s = new Summaries(store);
    configure(s);
    // 3 rows in 4 are one of five hot values, the rest all distinct: more than MOSTLY_DISTINCT
    // values, but well under half the rows.
    const skewed = (i) => (i % 4 === 0 ? `cold ${i}` : `hot ${i % 5}`);
    const n = 12 * MOSTLY_DISTINCT;
    store.insert(table(0, n, skewed));
    s.update(Infinity);
    let r = s.result("s");
    expect(r.over).toBe(false);
    expect(r.distinct).toBeGreaterThan(2 * MOSTLY_DISTINCT);
    const counts = new Map();
    for (let i = 0; i < n; i++) if (i % 10 !== 0) counts.set(skewed(i), (counts.get(skewed(i)) ?? 0) + 1); // every 10th is null
    expect(r.distinct).toBe(counts.size);
    const top = [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
    expect(r.top).toEqual(top.slice(0, 5));
    // Past MAX_DISTINCT values counting stops, even though they are not half the rows.
    store.insert(table(n, 4 * MAX_DISTINCT, skewed));
    s.update(Infinity);
    r = s.result("s");
    expect(r.over).toBe(true);
    expect(r.overAt).toBe(MAX_DISTINCT);
    s.dispose();
  });

  it("stop counting a column's values past MAX_DISTINCT, still counting rows and nulls", () => {
    const store = new RowStore();
    const s = new Summaries(store);
    configure(s);
    store.insert(table(0, MAX_DISTINCT + 50_000, (i) => `note ${i}`));
    s.update(Infinity);
    const r = s.result("s");
    expect(r.over).toBe(true);
    expect(r.overAt).toBe(MOSTLY_DISTINCT); // all distinct: stopped early
    expect(r.distinct).toBe(0);
    expect(r.rows).toBe(MAX_DISTINCT + 50_000);
    expect(r.nulls).toBe((MAX_DISTINCT + 50_000) / 10);
    expect(s._cols[1].freq.size).toBe(0); // private: nothing kept per value
    store.delete(["r1", "r10"]);
    s.update();
    expect(s.result("s").nulls).toBe((MAX_DISTINCT + 50_000) / 10 - 1);
    // A reset starts counting again.
    store.reset();
    store.insert(table(0, 100, (i) => `w${i % 3}`));
    s.update();
    expect(s.result("s")).toMatchObject({ over: false, distinct: 3, rows: 100, nulls: 10 });
    expect(s.result("s").top).toEqual([{ value: "w0", count: 30 }, { value: "w1", count: 30 }, { value: "w2", count: 30 }]); // ties: smallest first
    s.dispose();
  });

  it("queue nothing once disposed, and recompute when the queue overflows (no frame ran)", () => {
    const store = new RowStore();
    const s = new Summaries(store, { maxQueue: 1000 });
    configure(s);
    s.update();
    for (let i = 0; i < 1200; i++) store.insert(table(i * 2, 1, () => "x"), { at: 0 }); // rows far apart in no batch
    expect(s.pending).toBe(true); // the queue overflowed: a full recompute is due
    while (s.pending) s.update(5);
    expect(s.result("v")).toMatchObject({ rows: 1200, nulls: 0 });
    expect(s.result("v").mean).toBe(1199);
    s.dispose();
    store.insert(table(10_000_000, 5, () => "y"));
    expect(s._qChunk.length).toBe(0); // private: nothing queued for a disposed summary
  });

  it("tell 64-bit ints apart whose doubles are equal, across segments, batches and removals", () => {
    // 2^60 + k for k < 128 are one double: only the exact values order them.
    const big = (ks) => ks.map((k) => 2n ** 60n + BigInt(k));
    const batch = (from, ks) => new Table({
      __dom_id: vectorFromArray(ks.map((_, i) => `b${from + i}`), new Utf8()),
      v: vectorFromArray(big(ks), new Int64()),
    });
    const store = new RowStore();
    const s = new Summaries(store, { segmentBits: 1 });
    s.configure([{ name: "v", kind: "num", decimalText: false }], null, "k");
    const text = (e) => exactText(e.reader, e.row);
    store.insert(batch(0, [50, 40, 60, 45, 55, 41]));
    store.insert(batch(100, [70, 30, 65, 35]));
    s.update();
    let r = s.result("v");
    expect([text(r.min), text(r.max)]).toEqual([String(2n ** 60n + 30n), String(2n ** 60n + 70n)]);
    store.delete(["b101", "b100"]); // the min and max go: found again among equal doubles
    s.update();
    r = s.result("v");
    expect([text(r.min), text(r.max)]).toEqual([String(2n ** 60n + 35n), String(2n ** 60n + 65n)]);
    store.delete(["b103", "b102", "b1"]);
    s.update();
    r = s.result("v");
    expect([text(r.min), text(r.max)]).toEqual([String(2n ** 60n + 41n), String(2n ** 60n + 60n)]);
    s.dispose();
  });

  it("read a run's values the same whether its rows are contiguous or not, of every plain numeric type", () => {
    const values = Array.from({ length: 300 }, (_, i) => (i % 7) * 1.5 - 4 + (i % 3 === 0 ? 0.25 : 0));
    for (const type of [new Int8(), new Int32(), new Uint32(), new Float32(), new Float64()]) {
      const asType = values.map((v) => (type instanceof Float32 || type instanceof Float64 ? v : Math.abs(Math.trunc(v))));
      // A slice too: its values buffer starts at the slice's first row.
      for (const vector of [vectorFromArray(asType, type), vectorFromArray(asType, type).slice(40, 260)]) {
        const reader = readerOf(vector, "num", false);
        const runs = [
          Int32Array.from({ length: 100 }, (_, i) => 10 + i), // contiguous, going up
          Int32Array.from({ length: 100 }, (_, i) => 109 - i), // a prepended batch: going down
          Int32Array.from({ length: 60 }, (_, i) => 3 * i), // every third row
          Int32Array.from([5]),
        ];
        for (const rows of runs) {
          const out = new Float64Array(rows.length);
          reader.fill(rows, rows.length, out);
          expect(Array.from(out)).toEqual(Array.from(rows, (r) => Number(vector.get(r)))); // Arrow's own reading
        }
      }
    }
  });
});
