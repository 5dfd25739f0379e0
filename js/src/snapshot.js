// @ts-check
// Snapshots: the first rows of a table saved in the widget's state (the kernel's
// livestream_widget/snapshot.py makes them), shown where no kernel streams: a notebook reopened
// without its kernel, an exported page. Live diffs replace them.
import { Table, tableFromIPC, tableToIPC } from "apache-arrow";
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

/**
 * The first rows of the store, in stream order, as they arrived: runs of consecutive rows of
 * one record batch, each an Arrow IPC stream (types and values exact; the kernel joins them),
 * with the rows' dom ids. At most `maxRows` rows and about `maxBytes` bytes.
 * @param {import("./store.js").RowStore} store
 * @param {number} maxRows
 * @param {number} maxBytes
 * @returns {{ ids: string[], buffers: Uint8Array[] }}
 */
export function snapshotParts(store, maxRows, maxBytes) {
  const n = Math.min(store.size, maxRows);
  /** @type {string[]} */
  const ids = [];
  /** @type {Uint8Array[]} */
  const buffers = [];
  let bytes = 0;
  let i = 0;
  while (i < n && bytes < maxBytes) {
    const h = /** @type {import("./store.js").Handle} */ (store.handleAt(i));
    const { batch, row } = store.batchOf(h);
    let end = i + 1;
    while (end < n) {
      const next = store.batchOf(/** @type {import("./store.js").Handle} */ (store.handleAt(end)));
      if (next.batch !== batch || next.row !== row + (end - i)) break;
      end++;
    }
    const part = tableToIPC(new Table([batch.slice(row, row + end - i)]), "stream");
    buffers.push(part);
    bytes += part.byteLength;
    for (let k = i; k < end; k++) ids.push(store.domIdAt(k) ?? "");
    i = end;
  }
  return { ids, buffers };
}
