// @ts-check
// The rows a page holds, out of the page: CSV and Arrow IPC files to download, tab-separated
// text of the selected rows for the clipboard, and the chunks `w.fetch_rows()` asks for.
//
// All of them read one list of picks made when they start (row r of record batch b, in the
// order wanted), so rows arriving meanwhile change nothing, and build in steps (generators) that
// a page runs between frames (runSteps): a million rows never freeze the page for long.
// Values are raw, never the cell's formatted text: times in ISO 8601 with their offset, every
// digit of a float, decimals as their exact text.
import { DataType, RecordBatchFileWriter, Table, tableToIPC, Type } from "apache-arrow";
import { columnsText, layoutColumns, sampleDecimals } from "./columns.js";
import { float32Text, formatDate } from "./format.js";
import { RowOrder } from "./order.js";
import { fieldReader } from "./readers.js";
import { exactValue } from "./rows.js";
import { takeRows, unifiedSchema } from "./take.js";
import { splitSeconds, timeOfDayText, timestampText } from "./times.js";

/** @typedef {import("apache-arrow").RecordBatch} Batch */
/** @typedef {import("apache-arrow").Vector} Vector */
/** @typedef {import("./store.js").RowStore} RowStore */
/** @typedef {import("./store.js").Handle} Handle */
/** @typedef {import("./types.js").Model} Model */
/** @typedef {{ batches: Batch[], rows: Int32Array }} Picks row rows[k] of batches[k], in order */

/** Rows per step of the builders; a step is a few ms at most. */
const STEP_ROWS = 4096;
/** A `rows` chunk aims at this many bytes, and never exceeds MAX_CHUNK (the Jupyter server
 * refuses websocket messages above 10 MiB). */
const CHUNK_TARGET = 4 * 2 ** 20;
const MAX_CHUNK = 8 * 2 ** 20;

/**
 * The columns a view shows, as the view lays them out (view.js reads them here too, so export
 * and display agree).
 * @param {RowStore} store
 * @param {Model} model
 */
export function displayColumns(store, model) {
  const fromData = store.columns;
  const names = fromData.length ? fromData : model.get("columns") || [];
  return layoutColumns(names, model.get("column_options") || {}, (c) => store.fieldType(c), (c) => store.isDecimalText(c));
}

/**
 * The store's rows in `order` (a view's RowOrder; stream order when it is inactive), or only
 * those in `only` (dom ids, e.g. the selection), as picks.
 * @param {RowStore} store
 * @param {RowOrder | null} order
 * @param {string[] | null} [only]
 * @returns {Picks}
 */
export function picksOf(store, order, only = null) {
  /** @type {Handle[]} */
  let handles = [];
  if (only) {
    // In display order; rows the filter hides (indexOf -1) or that are gone are left out.
    const at = only.map((id) => ({ i: order ? order.indexOf(id) : store.indexOf(id), id })).filter((r) => r.i >= 0);
    at.sort((a, b) => a.i - b.i);
    handles = at.map((r) => /** @type {Handle} */ (store.handleOf(r.id)));
  } else if (order && order.active) {
    const n = order.size;
    handles = new Array(n);
    for (let i = 0; i < n; i++) handles[i] = /** @type {Handle} */ (order.handleAt(i));
  } else {
    handles = new Array(store.size);
    store.forEachHandle((h, i) => {
      handles[i] = h;
    });
  }
  const batches = new Array(handles.length);
  const rows = new Int32Array(handles.length);
  handles.forEach((h, k) => {
    const { batch, row } = store.batchOf(h);
    batches[k] = batch;
    rows[k] = row;
  });
  return { batches, rows };
}

/**
 * Calls `fn(picks)` with the rows in the order the user sees (sort and filter of the model's
 * traits, over the text the view shows) or in stream order; a page without a view (a fetch
 * while no table is on screen) orders them here. The order is dropped after `fn`.
 * @template T
 * @param {RowStore} store
 * @param {Model} model
 * @param {"display" | "stream"} which
 * @param {(picks: Picks) => T} fn
 * @returns {T}
 */
export function withOrder(store, model, which, fn) {
  const sort = model.get("sort") || null;
  const filter = model.get("filter") || "";
  if (which === "stream" || (!sort && !filter.trim())) return fn(picksOf(store, null));
  const columns = displayColumns(store, model);
  const order = new RowOrder(store);
  try {
    order.configure({ sort, filter, columns: columns.map((c) => c.name), text: columnsText(store, columns, sampleDecimals(store, columns)) });
    return fn(picksOf(store, order));
  } finally {
    order.dispose();
  }
}

// ---- raw values ------------------------------------------------------------------------------

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** @param {Uint8Array} bytes */
function base64(bytes) {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b = 0, c = 0] = [bytes[i], bytes[i + 1], bytes[i + 2]];
    const n = (a << 16) | (b << 8) | c;
    out += BASE64[n >> 18] + BASE64[(n >> 12) & 63];
    out += i + 1 < bytes.length ? BASE64[(n >> 6) & 63] : "=";
    out += i + 2 < bytes.length ? BASE64[n & 63] : "=";
  }
  return out;
}

/** ISO 8601 duration: "P1DT2H3M4.5S", "-P0DT0H0M0.000000001S".
 * @param {bigint | number} value
 * @param {import("./times.js").TimeType} type */
export function isoDuration(value, type) {
  const big = typeof value === "bigint" ? value : BigInt(Math.round(Number(value)));
  const { secs, frac } = splitSeconds(big < 0n ? -big : big, type.unit);
  const f = frac.replace(/0+$/, "");
  const rest = secs % 86400;
  return `${big < 0n ? "-" : ""}P${Math.floor(secs / 86400)}DT${Math.floor(rest / 3600)}H${Math.floor(rest / 60) % 60}M${rest % 60}${f ? `.${f}` : ""}S`;
}

/**
 * A value as raw text for a file, or null for a missing value. `value` is what the store
 * reads (exactValue: timestamps as BigInt counts of their unit), `type` its batch's type.
 * @param {unknown} value
 * @param {DataType} type
 * @returns {string | null}
 */
export function rawText(value, type) {
  if (value === null || value === undefined) return null;
  switch (type.typeId) {
    case Type.Timestamp: {
      const ts = /** @type {import("apache-arrow").Timestamp} */ (type);
      const big = typeof value === "bigint" ? value : BigInt(Math.round(Number(value) * 1000));
      const text = timestampText(big, typeof value === "bigint" ? ts : { unit: 2, timezone: ts.timezone });
      return text.replace(" ", "T");
    }
    case Type.Date:
      return formatDate(Number(value));
    case Type.Time:
      return timeOfDayText(/** @type {bigint | number} */ (value), /** @type {import("apache-arrow").Time} */ (type));
    case Type.Duration:
      return isoDuration(/** @type {bigint | number} */ (value), /** @type {import("apache-arrow").Duration} */ (type));
    default:
  }
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") {
    if (DataType.isInt(type)) return String(value);
    if (Number.isNaN(value)) return "NaN";
    if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
    return DataType.isFloat(type) && type.precision !== 2 ? float32Text(value) : String(value);
  }
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof Uint8Array) return base64(value);
  return JSON.stringify(rawJson(value, type));
}

/**
 * Lists and structs as JSON, their children raw.
 * @param {unknown} value
 * @param {DataType | undefined} type
 * @returns {unknown}
 */
function rawJson(value, type) {
  if (value === null || value === undefined) return null;
  const children = type?.children ?? [];
  if (type && (DataType.isList(type) || DataType.isFixedSizeList(type))) {
    return [.../** @type {Iterable<unknown>} */ (value)].map((v) => rawJson(v, children[0]?.type));
  }
  if (type && DataType.isStruct(type)) {
    const row = /** @type {Record<string, unknown>} */ (value);
    return Object.fromEntries(children.map((/** @type {import("apache-arrow").Field} */ f) => [f.name, rawJson(row[f.name], f.type)]));
  }
  if (typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value))) return value;
  return type ? rawText(value, type) : String(value); // NaN, inf, BigInts, times: as text
}

/**
 * A field of delimited text: quoted when it holds the delimiter, a quote or a line break, or
 * is empty (so an empty string differs from a missing value, which is an empty field).
 * @param {string | null} text
 * @param {string} delimiter
 */
export function field(text, delimiter) {
  if (text === null) return "";
  if (text === "" || text.includes(delimiter) || /["\r\n]/.test(text)) return `"${text.replaceAll('"', '""')}"`;
  return text;
}

// ---- builders --------------------------------------------------------------------------------

/**
 * Delimited text of the picks: a header of column names, then a line per row. Yields every
 * STEP_ROWS rows; returns the text's parts (for a Blob, or joined).
 * @param {Picks} picks
 * @param {string[]} columns
 * @param {string} [delimiter]
 * @returns {Generator<void, string[]>}
 */
export function* textSteps({ batches, rows }, columns, delimiter = ",") {
  const step = STEP_ROWS / 4; // a text row costs several times a copied one
  const parts = [columns.map((c) => field(c, delimiter)).join(delimiter) + "\n"];
  /** @type {Map<Batch, (((row: number) => string) | null)[]>} */
  const readers = new Map();
  for (let start = 0; start < rows.length; start += step) {
    const end = Math.min(rows.length, start + step);
    let text = "";
    for (let k = start; k < end; k++) {
      const b = batches[k];
      let rs = readers.get(b);
      if (rs === undefined) {
        rs = columns.map((c) => {
          const v = /** @type {Vector | null} */ (b.getChild(c));
          return v === null ? null : fieldReader(v, delimiter, rawText, field, exactValue);
        });
        readers.set(b, rs);
      }
      const row = rows[k];
      let line = "";
      for (let j = 0; j < rs.length; j++) {
        const read = rs[j];
        if (j) line += delimiter;
        if (read !== null) line += read(row);
      }
      text += line + "\n";
    }
    parts.push(text);
    yield;
  }
  return parts;
}

/**
 * The schema the picks share (each column's newest type).
 * @param {RowStore} store
 * @param {Picks} picks
 * @param {string[]} columns
 */
export function schemaOf(store, picks, columns) {
  return unifiedSchema(columns, (c) => store.fieldType(c), new Set(picks.batches));
}

/**
 * An Arrow IPC file of the picks, one schema, types exact. Yields every STEP_ROWS rows.
 * @param {Picks} picks
 * @param {import("apache-arrow").Schema} schema
 * @returns {Generator<void, Uint8Array>}
 */
export function* arrowSteps(picks, schema) {
  // Written batch by batch as they are taken: serialising a million rows at the end would be
  // one long wait.
  const writer = new RecordBatchFileWriter();
  writer.reset(undefined, schema);
  for (let start = 0; start < picks.rows.length; start += STEP_ROWS * 4) {
    writer.write(takeRows(picks, start, Math.min(picks.rows.length, start + STEP_ROWS * 4), schema));
    yield;
  }
  writer.finish();
  return writer.toUint8Array(true);
}

/**
 * The chunks of a fetch: Arrow IPC streams of about CHUNK_TARGET bytes (never above MAX_CHUNK:
 * a chunk too big is split), each yielded with its row count.
 * @param {Picks} picks
 * @param {import("apache-arrow").Schema} schema
 * @returns {Generator<{ bytes: Uint8Array, rows: number }>}
 */
export function* fetchChunks(picks, schema) {
  const n = picks.rows.length;
  let size = STEP_ROWS;
  let start = 0;
  do {
    const end = Math.min(n, start + size);
    const bytes = tableToIPC(new Table([takeRows(picks, start, end, schema)]), "stream");
    if (bytes.byteLength > MAX_CHUNK && end - start > 1) {
      size = Math.max(1, Math.floor((end - start) / 2));
      continue;
    }
    if (bytes.byteLength > MAX_CHUNK) throw new Error(`row ${start} alone takes ${bytes.byteLength} bytes, more than a message may carry`);
    yield { bytes, rows: end - start };
    size = Math.max(1, Math.min(1 << 20, Math.floor(((end - start) * CHUNK_TARGET) / Math.max(bytes.byteLength, 1))));
    start = end;
  } while (start < n);
}

// ---- running in steps ------------------------------------------------------------------------

/** Resolves at the next task: a MessageChannel is not throttled in background tabs as timers are. */
export function nextTask() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve(undefined);
    };
    channel.port2.postMessage(null);
  });
}

/**
 * Runs a generator to its end in slices of about `sliceMs`, yielding to the page in between.
 * `stop()` true: gives up (rejects). `stats.slices` gets each slice's length (ms).
 * @template T
 * @param {Generator<unknown, T>} steps
 * @param {{ sliceMs?: number, stop?: () => boolean, stats?: { slices: number[] } }} [options]
 * @returns {Promise<T>}
 */
export async function runSteps(steps, { sliceMs = 12, stop = () => false, stats = { slices: [] } } = {}) {
  for (;;) {
    const begin = performance.now();
    for (;;) {
      const r = steps.next();
      const now = performance.now();
      if (r.done || now > begin + sliceMs) stats.slices.push(now - begin);
      if (r.done) return r.value;
      if (now > begin + sliceMs) break;
    }
    await nextTask();
    if (stop()) throw new Error("stopped");
  }
}

/**
 * Answers a `fetch`: the rows in the order asked for, in chunks, as `rows` messages; any
 * failure becomes a last chunk with `error`. `ended()` true: the kernel no longer wants them.
 * @param {{ store: RowStore, model: Model, request: string, order: "display" | "stream",
 *   send: (message: import("./types.js").RowsMessage, buffers: Uint8Array[]) => void,
 *   ended: () => boolean }} fetch
 */
export async function answerFetch({ store, model, request, order, send, ended }) {
  let chunk = 0;
  try {
    const columns = store.columns;
    const { picks, schema } = withOrder(store, model, order === "stream" ? "stream" : "display", (p) => ({ picks: p, schema: schemaOf(store, p, columns) }));
    const total = picks.rows.length;
    let sent = 0;
    for (const { bytes, rows } of fetchChunks(picks, schema)) {
      sent += rows;
      send({ kind: "rows", frontend: "", request, chunk, last: sent === total, rows, total }, [bytes]);
      chunk++;
      if (sent === total) return;
      await nextTask();
      if (ended()) return;
    }
  } catch (err) {
    send({ kind: "rows", frontend: "", request, chunk, last: true, rows: 0, total: 0, error: String(/** @type {Error} */ (err)?.message ?? err) }, []);
  }
}
