// Golden messages written by the Python side (python tests/write_golden.py): each
// js/test/golden/*.json is {content, buffers, expected} or {messages: [{content, buffers}],
// expected}, with its Arrow buffers in files beside it. Applying them to a fresh store must give
// exactly expected.dom_ids and expected.rows. Set GOLDEN_DIR to use another folder.
import { describe, it, expect } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Type, util } from "apache-arrow";
import { decodeDiff, applyDiff } from "../src/protocol.js";
import { RowStore } from "../src/store.js";
import { cellTitle, formatCell, layoutColumns } from "../src/columns.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = process.env.GOLDEN_DIR ? path.resolve(process.env.GOLDEN_DIR) : path.join(here, "golden");
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort() : [];

// Buffers reach the widget as DataViews (JupyterLab); give the decoder the same.
function loadBuffer(name) {
  const b = fs.readFileSync(path.join(dir, name));
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

const TEMPORAL = new Set([Type.Timestamp, Type.Date]);

// Python writes timestamps as ISO-8601 UTC strings with milliseconds; arrow gives epoch ms
// (with a fraction for us/ns). Naive strings are read as UTC, never local time.
// Date-only strings ("2024-01-02") are UTC midnight, which is what date32 gives.
function epochMs(s) {
  const iso = /T.*(Z|[+-]\d\d:?\d\d)$/.test(s) || !s.includes("T") ? s : s + "Z";
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`not an ISO-8601 date/time: ${JSON.stringify(s)}`);
  return ms;
}

function normalize(v) {
  if (typeof v === "bigint") return Number(v);
  if (v instanceof Uint8Array) return Array.from(v);
  if (v && typeof v.toArray === "function") return Array.from(v.toArray(), normalize);
  if (v && typeof v.toJSON === "function") return normalize(v.toJSON());
  if (v && typeof v === "object" && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
  if (Array.isArray(v)) return v.map(normalize);
  return v;
}

function checkValue(actual, expected, type, where) {
  if (expected === null) {
    if (actual !== null && actual !== undefined) throw new Error(`${where}: expected null, got ${String(actual)}`);
    return;
  }
  if (actual === null || actual === undefined) throw new Error(`${where}: expected ${JSON.stringify(expected)}, got ${actual}`);
  const typeId = type ? type.typeId : undefined;
  if (TEMPORAL.has(typeId) && typeof expected === "string") {
    const ms = epochMs(expected);
    // millisecond precision: Python truncates (floor); accept rounding too, nothing else
    if (ms !== Math.floor(actual) && ms !== Math.round(actual)) {
      throw new Error(`${where}: expected ${expected} (${ms} ms), got ${actual} ms = ${new Date(actual).toISOString()}`);
    }
    return;
  }
  if (typeId === Type.Decimal) {
    const got = util.bigNumToNumber(actual, type.scale);
    if (Math.abs(got - Number(expected)) > 1e-9 * Math.max(1, Math.abs(got))) {
      throw new Error(`${where}: expected decimal ${expected}, got ${got}`);
    }
    return;
  }
  if (typeof expected === "number" || ["NaN", "Infinity", "-Infinity"].includes(expected)) {
    const got = Number(normalize(actual));
    const want = Number(expected);
    const ok = Object.is(got, want) || got === want || Math.abs(got - want) <= 1e-12 * Math.max(1, Math.abs(want));
    if (!ok) throw new Error(`${where}: expected ${expected}, got ${String(actual)}`);
    return;
  }
  expect(normalize(actual), where).toEqual(expected);
}

// What each cell shows (and its tooltip, `<column>_title`), read and formatted as the view does;
// a null text is a missing value.
function checkDisplay(store, display, file) {
  const columns = layoutColumns(store.columns, {}, (c) => store.fieldType(c), (c) => store.isDecimalText(c));
  expect(display.length, `${file}: display rows`).toBe(store.size);
  display.forEach((want, i) => {
    const h = store.handleAt(i);
    for (const c of columns) {
      const where = `${file}: row ${i}, column ${c.name}`;
      const value = store.cellOf(h, c.name);
      const type = store.typeOf(h, c.name);
      if (c.name in want && want[c.name] !== null) expect(formatCell(value, c, undefined, type), where).toBe(want[c.name]);
      if (c.name in want && want[c.name] === null && want[`${c.name}_title`] === null) expect(value, where).toBe(null);
      if (want[`${c.name}_title`]) expect(cellTitle(value, c, type), `${where} (tooltip)`).toBe(want[`${c.name}_title`]);
    }
  });
  expect(columns.find((c) => c.name === "dec")?.align, `${file}: decimals align right`).toBe("right");
}

if (files.length === 0) {
  it("golden files exist", () => {
    throw new Error(`no golden files: run python tests/write_golden.py (looked in ${dir})`);
  });
}

describe.each(files)("golden %s", (file) => {
  it("applies to the expected rows", () => {
    const spec = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
    const messages = spec.messages ?? [{ content: spec.content, buffers: spec.buffers }];
    expect(Array.isArray(messages) && messages.length > 0, `${file}: no messages`).toBe(true);
    expect(spec.expected && Array.isArray(spec.expected.dom_ids), `${file}: expected.dom_ids missing`).toBe(true);

    const store = new RowStore();
    let expected = 1; // next seq: a message below it repeats one already applied
    messages.forEach((m, i) => {
      const diff = decodeDiff(m.content, (m.buffers ?? []).map(loadBuffer));
      const stale = diff.seq < expected ? true : undefined;
      expected = Math.max(expected, diff.seq + 1);
      expect(stale, `${file}: message ${i} has seq ${diff.seq}, already applied`).toBeUndefined();
      applyDiff(store, diff);
    });

    const { dom_ids: ids, rows, display } = spec.expected;
    if (display !== undefined) checkDisplay(store, display, file);
    expect(store.slice(0, store.size), `${file}: dom ids in order`).toEqual(ids);
    if (rows !== undefined) {
      expect(rows.length, `${file}: expected.rows and expected.dom_ids differ in length`).toBe(ids.length);
      rows.forEach((row, i) => {
        for (const [col, want] of Object.entries(row)) {
          checkValue(store.valueAt(i, col), want, store.fieldType(col), `${file}: row ${i} (${ids[i]}), column ${col}`);
        }
      });
    }
  });
});
