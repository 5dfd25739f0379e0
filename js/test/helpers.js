// Shared test helpers: build real Arrow tables the way the kernel sends them.
import { Table, Utf8, Int32, Float64, vectorFromArray, makeVector, tableFromIPC, tableToIPC } from "apache-arrow";
import v8 from "node:v8";
import vm from "node:vm";

// V8's gc() for memory tests (exposed at run time), or null where it cannot be.
export function gcOrNull() {
  try {
    v8.setFlagsFromString("--expose-gc");
    return vm.runInNewContext("gc");
  } catch {
    return null;
  }
}

// Table with a utf8 "__dom_id" column plus the given columns ({name: Vector | array}).
// Plain string arrays become utf8 (vectorFromArray would otherwise dictionary-encode them).
export function makeTable(domIds, columns = {}) {
  const cols = { __dom_id: vectorFromArray(domIds, new Utf8()) };
  for (const [name, values] of Object.entries(columns)) {
    if (values && typeof values === "object" && "data" in values && "type" in values) cols[name] = values;
    else if (Array.isArray(values) && values.some((v) => typeof v === "string")) cols[name] = vectorFromArray(values, new Utf8());
    else if (ArrayBuffer.isView(values)) cols[name] = makeVector(values);
    else if (Array.isArray(values) && values.every((v) => v === null || Number.isInteger(v))) cols[name] = vectorFromArray(values, new Int32());
    else cols[name] = vectorFromArray(values, new Float64());
  }
  return new Table(cols);
}

// Items numbered k -> dom id "items-k", columns id (int32) and label (utf8).
export function itemsTable(keys, tag = "") {
  return makeTable(
    keys.map((k) => `items-${k}`),
    { id: keys.map((k) => k), label: keys.map((k) => `item ${k}${tag}`) },
  );
}

export const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

export const keysOf = (store) => store.slice(0, store.size).map((d) => Number(d.slice("items-".length)));

// Round trip through IPC, as the wire does.
export const viaIPC = (table) => tableFromIPC(tableToIPC(table, "stream"));

// A seeded random number generator in [0, 1), so every randomised failure replays.
export function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The obvious O(n) array version of the stream contract (docs/protocol.md): rows are objects
// with an `id`; per-row semantics exactly as documented.
export class RefStore {
  constructor() {
    this.rows = [];
  }
  insertRow(row, at, limit, updateOnly) {
    const i = this.rows.findIndex((r) => r.id === row.id);
    if (i >= 0) {
      this.rows[i] = row;
      return;
    }
    if (updateOnly) return;
    if (at === -1 || at >= this.rows.length) this.rows.push(row);
    else this.rows.splice(at, 0, row);
    const n = this.rows.length;
    if (limit !== null && limit < 0 && n > -limit) this.rows.splice(0, n + limit);
    else if (limit !== null && limit >= 0 && n > limit) this.rows.splice(limit);
  }
  delete(ids) {
    for (const id of ids) {
      const i = this.rows.findIndex((r) => r.id === id);
      if (i >= 0) this.rows.splice(i, 1);
    }
  }
  reset() {
    this.rows = [];
  }
}
