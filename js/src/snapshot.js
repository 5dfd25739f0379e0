// @ts-check
// Snapshots: the first rows of a table saved in the widget's state (the kernel's
// livestream_widget/snapshot.py makes them), shown where no kernel streams: a notebook reopened
// without its kernel, an exported page. Live diffs replace them.
import { tableFromIPC } from "apache-arrow";
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
