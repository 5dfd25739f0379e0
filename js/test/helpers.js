// Shared test helpers: build real Arrow tables the way the kernel sends them.
import { Table, Utf8, Int32, Float64, vectorFromArray, makeVector, tableFromIPC, tableToIPC } from "apache-arrow";

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
