// RowOrder (sort and filter in the browser) over the real RowStore with real Arrow tables:
// fixed cases per type, then seeded random op sequences against a naive from-scratch
// reference (filter, then a stable Array.sort), then a 1,000,000-row scale test.
// Over 400 lines: one case list per column type, all against the same reference; kept together
// so a change to the order's rules is checked in one place.
import { describe, it, expect } from "vitest";
import { Table, DataType, Utf8, Int32, Int64, Float64, Bool, Binary, Decimal } from "apache-arrow";
import { TimestampMillisecond, vectorFromArray, makeVector, makeData } from "apache-arrow";
import { RowStore } from "../src/store.js";
import { RowOrder } from "../src/order.js";
import { formatValue } from "../src/format.js";
import { itemsTable, range } from "./helpers.js";

const TYPES = {
  n: new Int32(),
  f: new Float64(),
  s: new Utf8(),
  t: new TimestampMillisecond(),
  b: new Int64(),
  ok: new Bool(),
};

// rows: [{ id, n, f, s, t, b, ok }]; a column left out of `types` is left out of the table.
function table(rows, types = TYPES) {
  const cols = { __dom_id: vectorFromArray(rows.map((r) => r.id), new Utf8()) };
  for (const [name, type] of Object.entries(types)) {
    cols[name] = vectorFromArray(rows.map((r) => r[name] ?? null), type);
  }
  return new Table(cols);
}

// One column `name` with the given values, rows r0, r1, ...
const column = (name, values, type = TYPES[name]) =>
  table(
    values.map((v, i) => ({ id: `r${i}`, [name]: v })),
    { [name]: type },
  );

function storeWith(t, opts) {
  const store = new RowStore(opts);
  store.insert(t);
  return store;
}

const ids = (order) => order.slice(0, order.size);
const sorted = (store, column, descending = false) => {
  const order = new RowOrder(store);
  order.configure({ sort: { column, descending } });
  return ids(order);
};

// ---- the naive reference ---------------------------------------------------------------------

const rank = (v) => (v === null || v === undefined ? 2 : typeof v === "number" && Number.isNaN(v) ? 1 : 0);
const cmp = (x, y) => (x < y ? -1 : x > y ? 1 : 0);

function referenceCompare(x, y, descending) {
  if (rank(x) !== rank(y)) return rank(x) - rank(y);
  if (rank(x) !== 0) return 0;
  let c;
  if (typeof x === "string") c = cmp(x.toLowerCase(), y.toLowerCase()) || cmp(x, y);
  else if (typeof x === "boolean") c = Number(x) - Number(y);
  else c = cmp(x, y); // numbers, or BigInts compared exactly
  return descending ? -c : c;
}

function reference(store, { sort = null, filter = "", columns = null, text = String }) {
  const needle = filter.trim().toLowerCase();
  const cols = columns ?? store.columns;
  let rows = store.slice(0, store.size).map((id, i) => ({ id, i }));
  if (needle) {
    rows = rows.filter((r) =>
      cols.some((c) => {
        const v = store.valueAt(r.i, c);
        return v !== null && v !== undefined && String(text(v, c)).toLowerCase().includes(needle);
      }),
    );
  }
  if (sort) {
    for (const r of rows) r.v = store.valueAt(r.i, sort.column);
    rows.sort((a, b) => referenceCompare(a.v, b.v, sort.descending)); // stable
  }
  return rows.map((r) => r.id);
}

// The order matches the reference, and every read agrees with it.
function check(store, order, settings) {
  const want = reference(store, settings);
  expect(order.active).toBe(!!settings.sort || !!(settings.filter ?? "").trim());
  expect(order.size).toBe(want.length);
  expect(ids(order)).toEqual(want);
  const pos = new Map(want.map((id, i) => [id, i]));
  for (const id of store.slice(0, store.size)) expect(order.indexOf(id)).toBe(pos.has(id) ? pos.get(id) : -1);
  want.forEach((id, i) => {
    expect(order.domIdAt(i)).toBe(id);
    expect(store.domIdOf(order.handleAt(i))).toBe(id);
  });
  const c = store.columns[0];
  if (c !== undefined && want.length) expect(order.valueAt(0, c)).toEqual(store.valueAt(store.indexOf(want[0]), c));
  expect(order.indexOf("no-such-row")).toBe(-1);
  expect(order.domIdAt(want.length)).toBeUndefined();
}

// ---- fixed cases -------------------------------------------------------------------------

describe("sort by type", () => {
  it("reads ids and batch rows by display position, sorted or not", () => {
    const store = new RowStore({ blockSize: 4 });
    store.insert(itemsTable(range(0, 9)));
    store.insert(itemsTable(range(10, 12)));
    const order = new RowOrder(store);
    const at = (i) => order.batchAt(i);
    const want = (i) => store.batchOf(/** @type {any} */ (order.handleAt(i)));
    for (const sort of [null, { column: "id", descending: true }]) {
      order.configure({ sort });
      for (let i = 0; i < 13; i++) {
        expect([order.domIdAt(i), at(i).batch === want(i).batch, at(i).row]).toEqual([order.slice(i, i + 1)[0], true, want(i).row]);
      }
      expect(order.domIdAt(13)).toBe(undefined);
      expect(order.batchAt(-1)).toBe(undefined);
    }
  });

  it("ints: stable ascending and descending, nulls last both ways, none = stream order", () => {
    const store = storeWith(column("n", [3, 1, null, 2, 1, 3, null, 2]));
    expect(sorted(store, "n")).toEqual(["r1", "r4", "r3", "r7", "r0", "r5", "r2", "r6"]);
    expect(sorted(store, "n", true)).toEqual(["r0", "r5", "r3", "r7", "r1", "r4", "r2", "r6"]);
    const order = new RowOrder(store);
    order.configure({ sort: { column: "n", descending: false } });
    expect(order.refresh()).toBe(true);
    expect(order.refresh()).toBe(false); // nothing changed: cheap
    order.configure({ sort: null });
    expect(ids(order)).toEqual(store.slice(0, store.size));
    expect(order.active).toBe(false);
  });

  it("floats with null and NaN: numbers, then NaN, then null, in both directions", () => {
    const store = storeWith(column("f", [2.5, NaN, null, -1, 1e300, NaN, -Infinity, 2.5, null, 0]));
    expect(sorted(store, "f")).toEqual(["r6", "r3", "r9", "r0", "r7", "r4", "r1", "r5", "r2", "r8"]);
    expect(sorted(store, "f", true)).toEqual(["r4", "r0", "r7", "r9", "r3", "r6", "r1", "r5", "r2", "r8"]);
  });

  it("strings: case-insensitive, then case-sensitive, nulls last", () => {
    const store = storeWith(column("s", ["b", "B", null, "a", "A", "c", "a", "", "Ab", "ab"]));
    expect(sorted(store, "s")).toEqual(["r7", "r4", "r3", "r6", "r8", "r9", "r1", "r0", "r5", "r2"]);
    expect(sorted(store, "s", true)).toEqual(["r5", "r0", "r1", "r9", "r8", "r3", "r6", "r4", "r7", "r2"]);
  });

  it("timestamps by time, booleans false < true", () => {
    const t0 = 1704164645123;
    const store = storeWith(
      table(
        [t0 + 5, null, t0 - 86400000, t0, t0 + 5].map((t, i) => ({
          id: `r${i}`,
          t,
          ok: [true, false, null, true, false][i],
        })),
        { t: TYPES.t, ok: TYPES.ok },
      ),
    );
    expect(sorted(store, "t")).toEqual(["r2", "r3", "r0", "r4", "r1"]);
    expect(sorted(store, "t", true)).toEqual(["r0", "r4", "r3", "r2", "r1"]);
    expect(sorted(store, "ok")).toEqual(["r1", "r4", "r0", "r3", "r2"]);
  });

  it("Int64 BigInts beyond 2^53 compare exactly, next to safe ones", () => {
    const big = 2n ** 60n;
    const store = storeWith(column("b", [big + 1n, 3n, null, big, -big, 3n, -5n, big + 1n]));
    expect(sorted(store, "b")).toEqual(["r4", "r6", "r1", "r5", "r3", "r0", "r7", "r2"]);
    expect(sorted(store, "b", true)).toEqual(["r0", "r7", "r3", "r1", "r5", "r6", "r4", "r2"]);
  });

  it("decimals (BigInt beyond 2^53 too) and dictionary strings", () => {
    // Decimal128 words, little endian: -1.23, 0.05, 1.00, 2^64 / 100, (2^64 + 1) / 100, null.
    const words = [[0xffffff85, ~0, ~0, ~0], [5, 0, 0, 0], [100, 0, 0, 0], [0, 0, 1, 0], [1, 0, 1, 0], [0, 0, 0, 0]];
    const dec = makeData({
      type: new Decimal(2, 38, 128),
      length: 6,
      nullCount: 1,
      nullBitmap: new Uint8Array([0b011111]),
      data: new Uint32Array(words.flat()),
    });
    const store = storeWith(
      new Table({
        __dom_id: vectorFromArray(["r0", "r1", "r2", "r3", "r4", "r5"], new Utf8()),
        d: makeVector(dec),
        cat: vectorFromArray(["b", "a", "B", null, "a", "c"]), // dictionary-encoded
      }),
    );
    // The rows keep their dictionary type; the column's type is the strings it holds.
    expect(DataType.isDictionary(store.typeOf(store.handleAt(0), "cat"))).toBe(true);
    expect(DataType.isUtf8(store.fieldType("cat"))).toBe(true);
    expect(sorted(store, "d")).toEqual(["r0", "r1", "r2", "r3", "r4", "r5"]);
    expect(sorted(store, "d", true)).toEqual(["r4", "r3", "r2", "r1", "r0", "r5"]);
    expect(sorted(store, "cat")).toEqual(["r1", "r4", "r2", "r0", "r5", "r3"]);
  });

  it("other types sort by their displayed text; a new text function re-keys", () => {
    const bytes = [[1, 2], [], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], null].map((b) => b && Uint8Array.from(b));
    const store = storeWith(
      new Table({
        __dom_id: vectorFromArray(["r0", "r1", "r2", "r3"], new Utf8()),
        bin: vectorFromArray(bytes, new Binary()),
      }),
    );
    const order = new RowOrder(store);
    order.configure({ sort: { column: "bin" }, text: (v) => `${v.length} bytes` });
    expect(ids(order)).toEqual(["r1", "r2", "r0", "r3"]); // "0 bytes" < "10 bytes" < "2 bytes"
    order.configure({ text: (v) => String(v.length).padStart(3, "0") });
    expect(ids(order)).toEqual(["r1", "r0", "r2", "r3"]);
  });

  it("an unknown column sorts nothing (all null): stream order", () => {
    const store = storeWith(itemsTable([5, 3, 9]));
    expect(sorted(store, "missing")).toEqual(["items-5", "items-3", "items-9"]);
  });

  it("flipping the direction keeps ties in stream order and NaN/null last, with changes pending", () => {
    const store = storeWith(column("f", [1, NaN, 2, 1, null, 2, 1]));
    const order = new RowOrder(store);
    const settings = { sort: { column: "f", descending: false } };
    order.configure(settings);
    check(store, order, settings);
    store.insert(column("f", [2, 5, 1])); // r0..r2 updated in place
    store.insert(table([{ id: "x", f: 1 }], { f: TYPES.f }), { at: 0 });
    settings.sort = { column: "f", descending: true };
    order.configure(settings);
    check(store, order, settings);
  });
});

describe("filter", () => {
  it("matches displayed text across the given columns, case-insensitively; nulls never match", () => {
    const rows = [
      { id: "r0", s: "Apple", n: 10 },
      { id: "r1", s: "banana", n: 210 },
      { id: "r2", s: null, n: 3 },
      { id: "r3", s: "null", n: null },
      { id: "r4", s: "APPLE pie", n: 21 },
    ];
    const store = storeWith(table(rows, { s: TYPES.s, n: TYPES.n }));
    const order = new RowOrder(store);
    order.configure({ filter: "apple" });
    expect(ids(order)).toEqual(["r0", "r4"]);
    order.configure({ filter: "  21 " }); // trimmed
    expect(ids(order)).toEqual(["r1", "r4"]);
    order.configure({ columns: ["s"] });
    expect(ids(order)).toEqual([]);
    order.configure({ filter: "null", columns: null });
    expect(ids(order)).toEqual(["r3"]); // the string "null", not the null values
    order.configure({ filter: "   " });
    expect(order.active).toBe(false);
    expect(ids(order)).toEqual(["r0", "r1", "r2", "r3", "r4"]);
    order.configure({ filter: "#", text: (v, c) => `#${c}:${v}` });
    expect(ids(order)).toEqual(["r0", "r1", "r2", "r3", "r4"]); // r2, r3: the other column is set
    expect(order.indexOf("r2")).toBe(2);
  });

  it("filter + sort; narrowing the filter as one types; rows streamed in land in place", () => {
    const store = storeWith(itemsTable([9, 12, 1, 120, 21, 2]));
    const order = new RowOrder(store);
    const settings = { sort: { column: "id", descending: true }, filter: "1" };
    for (const filter of ["1", "12", "120", "12", "item 1"]) {
      order.configure({ ...settings, filter });
      check(store, order, { ...settings, filter });
    }
    settings.filter = "item 1";
    store.insert(itemsTable([15, 7, 11]), { at: 0 });
    store.insert(itemsTable([12], " updated"));
    store.delete(["items-120"]);
    check(store, order, settings);
  });
});

describe("incremental maintenance", () => {
  it("appends, prepends, at=N, limit pruning, updates, deletes, reset", () => {
    const store = storeWith(itemsTable(range(1, 20).map((k) => (k * 7) % 23)));
    const order = new RowOrder(store);
    const settings = { sort: { column: "id", descending: false } };
    order.configure(settings);
    check(store, order, settings);
    store.insert(itemsTable([50, 0, 5]));
    check(store, order, settings);
    store.insert(itemsTable([40, -1]), { at: 0 });
    check(store, order, settings);
    store.insert(itemsTable([6, 99]), { at: 3, limit: -18 });
    check(store, order, settings);
    store.insert(itemsTable([2, 3]), { at: 1, limit: 15 });
    check(store, order, settings);
    // Update in place with a new sort key: same dom id, another id value.
    store.insert(table([{ id: "items-5", n: 1 }], { n: TYPES.n }));
    store.insert(
      new Table({ __dom_id: vectorFromArray(["items-40"], new Utf8()), id: vectorFromArray([-7], new Int32()) }),
    );
    check(store, order, settings);
    store.delete(["items-6", "items-2", "nope"]);
    check(store, order, settings);
    store.reset();
    check(store, order, settings);
    store.insert(column("s", ["b", "a"])); // new columns after a reset
    check(store, order, settings);
    settings.sort = { column: "s", descending: false };
    order.configure(settings);
    check(store, order, settings);
  });

  it("inactive: reads go straight through the store and nothing is kept", () => {
    const store = storeWith(itemsTable([3, 1, 2]));
    const order = new RowOrder(store);
    order.configure({ sort: { column: "id" } });
    expect(ids(order)).toEqual(["items-1", "items-2", "items-3"]);
    order.configure({ sort: null });
    expect(order.refresh()).toBe(true);
    expect(order._sorted).toBeNull(); // private: the per-row records are released
    store.insert(itemsTable([0]), { at: 0 });
    expect(order.refresh()).toBe(false);
    expect(order.size).toBe(4);
    expect(order.indexOf("items-0")).toBe(0);
    expect(order.valueAt(0, "id")).toBe(0);
    expect(order.handleAt(1)).toBe(store.handleAt(1));
    expect(ids(order)).toEqual(store.slice(0, 4));
  });

  it("rejects bad settings", () => {
    const order = new RowOrder(new RowStore());
    expect(() => order.configure({ sort: { descending: true } })).toThrow(/sort/);
    expect(() => order.configure({ filter: 3 })).toThrow(/filter/);
    expect(() => order.configure({ columns: "a" })).toThrow(/columns/);
    expect(() => order.configure({ text: "x" })).toThrow(/text/);
  });
});

// ---- random op sequences against the reference -------------------------------------------

// Seeded, so every failure replays: a 32-bit LCG, of which only the high bits are used.
const seeded = (seed) => () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;

// Small value domains, so ties, nulls and NaN are frequent.
const DOMAINS = {
  n: [null, 0, 1, 2, 3, -4],
  f: [null, NaN, -1.5, 0, 2.25, 1e9, 2.25],
  s: [null, "a", "A", "b", "B", "ab", "Ab", "abc", "", "zz1"],
  t: [null, 1704164645123, 1704164645124, 0, -86400000],
  b: [null, -3n, 0n, 2n ** 60n, 2n ** 60n + 1n, 7n, -(2n ** 62n)],
  ok: [null, true, false],
};
const FILTERS = ["", " ", "a", "ab", "abc", "AB", "1", "12", "true", "nan", "2.2", "zz"];

describe("random op sequences match a from-scratch sort and filter", () => {
  // Small stores (60 ids) hit every corner often; big ones (3000 ids, batches up to 400) make
  // long merge runs and bulk pruning.
  const cases = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => [seed, 60, 6, 250]).concat([[9, 3000, 400, 100]]);
  for (const [seed, pool, batch, steps] of cases) {
    it(`seed ${seed}, ${pool} ids`, () => {
      const rnd = seeded(seed);
      const pick = (a) => a[Math.floor(rnd() * a.length)];
      const store = new RowStore({ blockSize: 4 });
      let types = TYPES;
      const text = (v, c) => formatValue(v, store.fieldType(c)) ?? "";
      // Two orders over one store, configured independently: their slots must never mix.
      const orders = [0, 1].map(() => ({
        order: new RowOrder(store),
        settings: { sort: null, filter: "", columns: null, text },
      }));
      for (const { order, settings } of orders) order.configure(settings);
      const row = (k) => {
        const r = { id: `k${k}` };
        for (const c of Object.keys(types)) r[c] = pick(DOMAINS[types[c] === TYPES[c] ? c : "s"]);
        return r;
      };
      for (let step = 0; step < steps; step++) {
        const op = rnd();
        if (op < 0.55) {
          const rows = Array.from({ length: 1 + Math.floor(rnd() * batch) }, () => row(Math.floor(rnd() * pool)));
          const uniq = [...new Map(rows.map((r) => [r.id, r])).values()];
          const at = pick([-1, -1, 0, Math.floor(rnd() * (store.size + 2))]);
          const limit = rnd() < 0.25 ? pick([-1, 1]) * Math.floor(pool / 6 + (rnd() * pool) / 2) : null;
          store.insert(table(uniq, types), { at, limit, update_only: rnd() < 0.1 });
        } else if (op < 0.75) {
          const n = 1 + Math.floor((rnd() * batch) / 2);
          store.delete(Array.from({ length: n }, () => `k${Math.floor(rnd() * pool)}`));
        } else if (op < 0.78) {
          // A reset may change the columns' types: "n" becomes strings, "f" goes.
          types = rnd() < 0.5 ? TYPES : { ...TYPES, n: new Utf8(), f: undefined };
          types = Object.fromEntries(Object.entries(types).filter(([, t]) => t));
          store.reset();
        } else {
          const { order, settings } = pick(orders);
          const r = rnd();
          const sort = () => ({ column: pick(Object.keys(TYPES)), descending: rnd() < 0.5 });
          if (r < 0.4) settings.sort = rnd() < 0.2 ? null : sort();
          else if (r < 0.75) settings.filter = pick(FILTERS);
          else if (r < 0.95) settings.columns = rnd() < 0.5 ? null : Object.keys(TYPES).filter(() => rnd() < 0.5);
          else order.dispose();
          order.configure(settings);
        }
        for (const { order, settings } of orders) if (rnd() < 0.5) check(store, order, settings);
      }
      for (const { order, settings } of orders) check(store, order, settings);
    }, 60_000);
  }
});

describe("large batches (radix sort, merge, flip) match the reference", () => {
  it("60,000 floats with ties, -0, infinities, NaN and null; then 25,000 more; both directions", () => {
    const rnd = seeded(99);
    const special = [0, -0, Infinity, -Infinity, NaN, null, 1e-310, -1e300, 5e-324];
    const floats = (first, n) =>
      Array.from({ length: n }, (_, i) => ({
        id: `r${first + i}`,
        f: rnd() < 0.05 ? special[Math.floor(rnd() * special.length)] : Math.round((rnd() - 0.5) * 2000) / 8,
        b: BigInt(Math.floor((rnd() - 0.5) * 1e6)),
      }));
    const types = { f: TYPES.f, b: TYPES.b };
    const store = storeWith(table(floats(0, 60000), types));
    for (const column of ["f", "b"]) {
      const order = new RowOrder(store);
      const settings = { sort: { column, descending: false } };
      order.configure(settings);
      expect(ids(order)).toEqual(reference(store, settings));
      store.insert(table(floats(60000 + (column === "b") * 25000, 25000), types), { at: 1000 });
      expect(ids(order)).toEqual(reference(store, settings));
      settings.sort = { column, descending: true };
      order.configure(settings);
      expect(ids(order)).toEqual(reference(store, settings));
      order.dispose();
      expect(ids(order)).toEqual(reference(store, settings)); // rebuilt from scratch
    }
  }, 60_000);
});

// ---- scale -----------------------------------------------------------------------------------

describe("scale: 1,000,000 rows", () => {
  it("first sort, then batches appended / prepended with pruning, re-ordered incrementally", () => {
    const N = 1_000_000;
    const rnd = seeded(42);
    const batch = (first, n) => {
      const id = new Int32Array(n);
      const price = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        id[i] = first + i;
        price[i] = Math.round(rnd() * 1e6) / 100; // ties happen
      }
      return new Table({ id: makeVector(id), price: makeVector(price) });
    };
    const store = new RowStore();
    store.setPrefix("row-");
    store.insert(batch(0, N), { key: "id" });
    const order = new RowOrder(store);
    const timed = (fn) => {
      const t = performance.now();
      fn();
      order.refresh();
      return performance.now() - t;
    };
    const first = timed(() => order.configure({ sort: { column: "price", descending: false } }));
    expect(order.size).toBe(N);
    let next = N;
    const appends = [];
    for (let b = 0; b < 10; b++) {
      store.insert(batch(next, 10_000), { key: "id" });
      next += 10_000;
      appends.push(timed(() => {}));
    }
    const pruned = []; // newest first, keep 1,050,000: 10k in, 10k out
    for (let b = 0; b < 5; b++) {
      store.insert(batch(next, 10_000), { key: "id", at: 0, limit: 1_050_000 });
      next += 10_000;
      pruned.push(timed(() => {}));
    }
    const flip = timed(() => order.configure({ sort: { column: "price", descending: true } }));
    const filter = timed(() => order.configure({ filter: "12", columns: ["price"] }));
    const narrowed = timed(() => order.configure({ filter: "123" }));
    store.insert(batch(next, 10_000), { key: "id" });
    const filtered = timed(() => {});
    // A from-scratch sort of the final rows, for comparison: a fresh order over the same store.
    const t = performance.now();
    const scratch = new RowOrder(store);
    scratch.configure({ sort: { column: "price", descending: true } });
    scratch.refresh();
    const again = performance.now() - t;
    scratch.dispose();
    const ms = (list) => list.map((x) => `${x.toFixed(0)} ms`).join(", ");
    console.log(
      `RowOrder 1M rows: first sort ${ms([first])}; +10k appends ${ms(appends)}; +10k at 0 with limit ${ms(pruned)}; ` +
        `direction flip ${ms([flip])}; filter "12" ${ms([filter])}, "123" ${ms([narrowed])} ` +
        `(${order.size} rows), +10k while filtered ${ms([filtered])}; full sort again ${ms([again])}`,
    );

    // Spot checks of the result (the random tests check correctness in full).
    expect(store.size).toBe(1_060_000);
    const size = order.size;
    let prev = Infinity;
    for (let i = 0; i < size; i += 97) {
      const v = order.valueAt(i, "price");
      expect(v).toBeLessThanOrEqual(prev);
      expect(String(v)).toContain("123");
      expect(order.indexOf(order.domIdAt(i))).toBe(i);
      prev = v;
    }
    // Loose bounds for a shared 2-core machine; targets: first < 1.5 s, batches << a full sort.
    expect(first).toBeLessThan(6000);
    const full = Math.max(first, again);
    const median = (list) => list.slice().sort((x, y) => x - y)[list.length >> 1];
    expect(median(appends)).toBeLessThan(Math.max(full / 2, 250));
    expect(median(pruned)).toBeLessThan(Math.max(full / 2, 250));
  }, 120_000);
});
