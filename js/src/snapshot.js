// @ts-check
// Snapshots: the first rows of a table saved in the widget's state (the kernel's
// livestream_widget/snapshot.py makes them), shown where no kernel streams: a notebook reopened
// without its kernel, an exported page. Live diffs replace them.
import { Table, tableFromIPC, tableToIPC, util } from "apache-arrow";
import { toBytes } from "./protocol.js";

/**
 * Load a snapshot's rows into an empty store; returns how many it holds (0: none to show).
 * @param {import("./store.js").RowStore} store
 * @param {unknown} bytes the `_snapshot` trait (a DataView, or empty)
 */
export function loadSnapshot(store, bytes) {
  if (!bytes || store.size > 0) return 0;
  const data = toBytes(/** @type {import("./types.js").WireBuffer} */ (bytes));
  if (data.byteLength === 0) return 0;
  const table = tableFromIPC(data);
  store.insert(table, {});
  return store.size;
}

/**
 * The line that says what is shown.
 * @param {{ rows?: number, total?: number, partial?: boolean }} info the `snapshot_info` trait
 */
export function snapshotText(info) {
  const rows = Number(info?.rows ?? 0);
  const total = Number(info?.total ?? rows);
  const of = total > rows ? `the first ${rows.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} rows` : `${rows.toLocaleString("en-US")} rows`;
  const partial = info?.partial ? " (partial: more was streamed than the kernel could account for)" : "";
  return `Snapshot of ${of}${partial}, saved with the notebook. Run the notebook to stream live.`;
}

// Runs of rows are joined into one IPC stream while their batches share a schema, up to this
// many runs: a live feed inserts a row per message, and one stream per row would cost a schema
// and a stream's framing each (64 ms and 0.9 MB for 1,000 rows, against a few ms joined).
const RUNS_PER_PART = 64;

/**
 * The first rows of the store, in stream order, as they arrived: runs of consecutive rows of
 * one record batch, joined into Arrow IPC streams of up to RUNS_PER_PART runs with one schema
 * (types and values exact; the kernel joins them), with the rows' dom ids. At most `maxRows`
 * rows; stops once the parts reach `maxBytes` (the kernel applies its byte cap exactly).
 *
 * A generator that yields after each part, so a page can build it in slices between frames.
 * Which rows, and their values, are taken when it starts: the store may change meanwhile.
 * @param {import("./store.js").RowStore} store
 * @param {number} maxRows
 * @param {number} maxBytes
 * @returns {Generator<void, { ids: string[], buffers: Uint8Array[] }>}
 */
export function* snapshotSteps(store, maxRows, maxBytes) {
  const n = Math.min(store.size, maxRows);
  /** @type {{ batch: import("apache-arrow").RecordBatch, row: number }[]} */
  const at = [];
  /** @type {string[]} */
  const ids = [];
  for (let i = 0; i < n; i++) {
    const h = /** @type {import("./store.js").Handle} */ (store.handleAt(i));
    at.push(store.batchOf(h));
    ids.push(store.domIdOf(h) ?? "");
  }
  /** @type {Uint8Array[]} */
  const buffers = [];
  /** @type {import("apache-arrow").RecordBatch[]} */
  let runs = [];
  let bytes = 0;
  const flush = () => {
    const part = tableToIPC(new Table(runs), "stream");
    buffers.push(part);
    bytes += part.byteLength;
    runs = [];
  };
  let i = 0;
  while (i < n && bytes < maxBytes) {
    const { batch, row } = at[i];
    let end = i + 1;
    while (end < n && at[end].batch === batch && at[end].row === row + (end - i)) end++;
    if (runs.length && (runs.length >= RUNS_PER_PART || !util.compareSchemas(runs[0].schema, batch.schema))) {
      flush();
      yield;
    }
    runs.push(row === 0 && end - i === batch.numRows ? batch : batch.slice(row, row + end - i));
    i = end;
  }
  if (runs.length) flush();
  return { ids: ids.slice(0, i), buffers };
}

/**
 * snapshotSteps, all at once.
 * @param {import("./store.js").RowStore} store
 * @param {number} maxRows
 * @param {number} maxBytes
 */
export function snapshotParts(store, maxRows, maxBytes) {
  const steps = snapshotSteps(store, maxRows, maxBytes);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}
