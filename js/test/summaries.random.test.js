// Column summaries (summaries.js) against a naive recomputation over the store's rows, through
// thousands of random op sequences: inserts at a position / at an end with a limit /
// update_only, updates in place, deletes, limit pruning, resets, filters switched on and off
// (full recomputes in time slices, with ops arriving meanwhile), all-new-id batches appended or
// prepended (the bulk path, packed blocks pruned whole), batches whose strings come as a
// dictionary and slices of batches. Seeded: a failure replays.
import { describe, it, expect } from "vitest";
import { Dictionary, Float64, Int32, Int64, makeData, makeVector, Table, TimestampMillisecond, Utf8, vectorFromArray } from "apache-arrow";
import { RowStore } from "../src/store.js";
import { Summaries } from "../src/summaries.js";
import { exactText, kindOf } from "../src/summaryread.js";
import { TOP } from "../src/summarycats.js";
import { mulberry32 } from "./helpers.js";

const WORDS = ["a", "b", "ab", "ba", "bb", "c", "é", "Z", "aa", "cab"];
const SCALE = 2 ** 30; // every float sent is a multiple of 2^-30: the naive sum is a BigInt

// One batch of rows: v float (nulls, NaN, ±Infinity, huge values that cancel), n int64 (some
// beyond 2^53), s utf8, d a dictionary of strings, t timestamps (ms).
// Sometimes a slice of a larger batch (its buffers sliced, its offset counting in the bitmaps).
function batch(ids, rnd) {
  if (rnd() < 0.3) {
    const before = Math.floor(rnd() * 20);
    const pad = (n) => Array.from({ length: n }, () => -1);
    return unsliced([...pad(before), ...ids, ...pad(Math.floor(rnd() * 5))], rnd).slice(before, before + ids.length);
  }
  return unsliced(ids, rnd);
}

function unsliced(ids, rnd) {
  const rows = ids.length;
  const pick = (f) => Array.from({ length: rows }, f);
  const v = pick(() => {
    const u = rnd();
    if (u < 0.08) return null;
    if (u < 0.09) return NaN;
    if (u < 0.095) return rnd() < 0.5 ? Infinity : -Infinity;
    if (u < 0.2) return (rnd() < 0.5 ? -1 : 1) * 2 ** 60 + Math.floor(rnd() * 8) * 2 ** 10;
    return Math.floor((rnd() - 0.5) * 2 ** 40) / SCALE;
  });
  const n = pick(() => (rnd() < 0.1 ? null : rnd() < 0.3 ? BigInt(Math.floor(rnd() * 2 ** 20)) * 2n ** 40n - 2n ** 59n + BigInt(Math.floor(rnd() * 1000)) : BigInt(Math.floor((rnd() - 0.5) * 1e6))));
  const word = () => (rnd() < 0.1 ? null : WORDS[Math.floor(rnd() * (rnd() < 0.5 ? 3 : WORDS.length))]);
  const s = pick(word);
  const d = pick(word);
  const t = pick(() => (rnd() < 0.1 ? null : 1_700_000_000_000 + Math.floor(rnd() * 1e6)));
  const nVec = vectorFromArray(n.map((x) => (x === null ? null : x)), new Int64());
  return new Table({
    __dom_id: vectorFromArray(ids.map((i) => `r${i}`), new Utf8()),
    v: vectorFromArray(v, new Float64()),
    n: nVec,
    s: vectorFromArray(s, new Utf8()),
    d: rnd() < 0.6 ? vectorFromArray(d, new Dictionary(new Utf8(), new Int32())) : vectorFromArray(d, new Utf8()),
    t: vectorFromArray(t, new TimestampMillisecond()),
  });
}

const COLUMNS = ["v", "n", "s", "d", "t"];

// Filters: none, v > 0, s contains "a".
const FILTERS = [
  null,
  (batch, row) => {
    const x = batch.getChild("v").get(row);
    return x !== null && x > 0;
  },
  (batch, row) => {
    const x = batch.getChild("s").get(row);
    return x !== null && x.includes("a");
  },
];

function expected(store, filter) {
  const rows = [];
  store.forEachHandle((h) => {
    const { batch, row } = store.batchOf(h);
    if (filter === null || filter(batch, row)) rows.push({ batch, row });
  });
  const out = { rows: rows.length };
  for (const c of COLUMNS) {
    const values = rows.map(({ batch, row }) => batch.getChild(c).get(row));
    const present = values.filter((x) => x !== null);
    const e = { nulls: values.length - present.length };
    if (c === "v") {
      const finite = present.filter((x) => Number.isFinite(x));
      const ordered = present.filter((x) => !Number.isNaN(x));
      e.min = ordered.length ? String(Math.min(...ordered)) : null;
      e.max = ordered.length ? String(Math.max(...ordered)) : null;
      const sum = Number(finite.reduce((acc, x) => acc + BigInt(x * SCALE), 0n)) / SCALE;
      const pinf = present.includes(Infinity);
      const ninf = present.includes(-Infinity);
      const total = present.some((x) => Number.isNaN(x)) || (pinf && ninf) ? NaN : pinf ? Infinity : ninf ? -Infinity : sum;
      e.mean = present.length ? String(total / present.length) : "NaN";
    } else if (c === "n" || c === "t") {
      const sorted = [...present].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const exact = (x) => (c === "t" ? String(BigInt(x) * 1_000_000n) : String(x));
      e.min = sorted.length ? exact(sorted[0]) : null;
      e.max = sorted.length ? exact(sorted[sorted.length - 1]) : null;
      if (c === "n") e.mean = present.length ? String(Number(present.reduce((a, x) => a + x, 0n)) / present.length) : "NaN";
    } else {
      const counts = new Map();
      for (const x of present) counts.set(x, (counts.get(x) ?? 0) + 1);
      e.distinct = counts.size;
      e.top = [...counts].map(([value, count]) => ({ value, count }))
        .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1)).slice(0, TOP);
    }
    out[c] = e;
  }
  return out;
}

function actual(summaries) {
  const out = { rows: summaries.rows };
  for (const c of COLUMNS) {
    const r = summaries.result(c);
    expect(r.rows).toBe(summaries.rows);
    const e = { nulls: r.nulls };
    if (r.kind === "num" || r.kind === "time") {
      e.min = r.min ? (r.kind === "time" ? String(r.min.reader.exact(r.min.row)) : exactText(r.min.reader, r.min.row)) : null;
      e.max = r.max ? (r.kind === "time" ? String(r.max.reader.exact(r.max.row)) : exactText(r.max.reader, r.max.row)) : null;
      if (r.kind === "num") e.mean = String(r.mean);
    } else {
      e.distinct = r.distinct;
      e.top = r.top;
    }
    out[c] = e;
  }
  return out;
}

function configure(summaries, store, f) {
  const columns = COLUMNS.map((name) => ({ name, kind: kindOf(store.fieldType(name), false), decimalText: false }));
  const filter = FILTERS[f];
  const passes = filter === null ? null : (chunk, row) => filter(chunk.batch, row);
  summaries.configure(columns, passes, `${f}|${columns.map((c) => c.kind).join()}`);
}

let checks = 0;
let pendingSeen = 0;

function runSequence(seed, steps) {
  const rnd = mulberry32(seed);
  const store = new RowStore({ blockSize: 2 + Math.floor(rnd() * 8) });
  const summaries = new Summaries(store, { sliceRows: 1 + Math.floor(rnd() * 40), segmentBits: Math.floor(rnd() * 4) });
  let f = 0;
  let nextId = 1000;
  const log = [];
  for (let step = 0; step < steps; step++) {
    const u = rnd();
    if (u < 0.5) {
      const fresh = rnd() < 0.4; // all new ids: the bulk path when at an end
      const n = 1 + Math.floor(rnd() * (rnd() < 0.2 ? 60 : 8));
      const ids = fresh ? Array.from({ length: n }, () => nextId++) : Array.from({ length: n }, () => Math.floor(rnd() * 60));
      const w = rnd();
      const at = w < 0.4 ? -1 : w < 0.7 ? 0 : Math.floor(rnd() * (store.size + 2));
      const limit = rnd() < 0.5 ? null : (rnd() < 0.5 ? -1 : 1) * Math.floor(rnd() * 80);
      const update_only = rnd() < 0.1;
      log.push(`insert ${ids.length} at=${at} limit=${limit} update_only=${update_only}`);
      store.insert(batch(ids, rnd), { at, limit, update_only });
    } else if (u < 0.7) {
      const ids = Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => store.domIdAt(Math.floor(rnd() * (store.size + 3))) ?? "r-none");
      log.push(`delete ${ids}`);
      store.delete(ids);
    } else if (u < 0.73) {
      log.push("reset");
      store.reset();
    } else if (u < 0.78 || step === 0) {
      f = Math.floor(rnd() * FILTERS.length);
      log.push(`filter ${f}`);
    }
    if (store.columns.length) configure(summaries, store, f);
    if (rnd() < 0.5) {
      summaries.update(rnd() < 0.5 ? 0 : 100);
      if (summaries.pending) pendingSeen++;
      if (!summaries.pending && store.columns.length) {
        checks++;
        const want = expected(store, FILTERS[f]);
        const got = actual(summaries);
        if (JSON.stringify(got) !== JSON.stringify(want)) {
          expect(got, `seed ${seed} step ${step}\n${log.slice(-12).join("\n")}`).toEqual(want);
        }
      }
    }
  }
  summaries.dispose();
}

describe("column summaries against a naive recomputation", () => {
  it("random op sequences", () => {
    checks = pendingSeen = 0;
    for (let seed = 1; seed <= 1500; seed++) runSequence(seed, 40);
    expect(checks).toBeGreaterThan(15000); // compared often, and
    expect(pendingSeen).toBeGreaterThan(1000); // with ops arriving during full recomputes
  }, 120_000);
  it("long sequences", () => {
    for (let seed = 5000; seed <= 5040; seed++) runSequence(seed, 400);
  }, 120_000);
});
