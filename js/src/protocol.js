// @ts-check
// Wire format of livestream-widget, version 3 (docs/protocol.md): decode and check a `diff`
// message and apply it to a RowStore. (Message numbering is receiver.js.)
//
// Every check here throws ProtocolError with a message naming the problem, because the widget
// shows that message to the user and reports it to the kernel: a vague error there is useless.

import { tableFromIPC, Type } from "apache-arrow";
import "./codecs.js"; // registers the decoders of compressed bodies
import { DOM_ID } from "./domids.js";

/** @typedef {import("./types.js").Diff} Diff */
/** @typedef {import("./types.js").Op} Op */
/** @typedef {import("./store.js").RowStore} RowStore */
/** @typedef {import("apache-arrow").Table} Table */

export const PROTOCOL_VERSION = 3;

export class ProtocolError extends Error {
  /**
   * @param {string} message
   * @param {ErrorOptions} [options]
   */
  constructor(message, options) {
    super(message, options);
    this.name = "ProtocolError";
  }
}

// JupyterLab/Notebook hand us DataViews, Colab Uint8Arrays. Keep the exact window: the
// backing ArrayBuffer may be larger than the message.
/**
 * @param {unknown} buf
 * @returns {Uint8Array}
 */
export function toBytes(buf) {
  if (buf instanceof Uint8Array) return buf;
  if (ArrayBuffer.isView(buf)) return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf instanceof ArrayBuffer) return new Uint8Array(buf);
  // Another realm (iframe) fails instanceof; duck-type the view shape.
  const like = /** @type {{ buffer?: ArrayBufferLike, byteLength?: unknown, byteOffset?: unknown, slice?: unknown }} */ (buf);
  if (like && like.buffer && typeof like.byteLength === "number" && typeof like.byteOffset === "number") {
    return new Uint8Array(like.buffer, like.byteOffset, like.byteLength);
  }
  if (like && typeof like.byteLength === "number" && typeof like.slice === "function") {
    return new Uint8Array(/** @type {ArrayBufferLike} */ (buf)); // an ArrayBuffer of another realm
  }
  throw new ProtocolError(`buffer is not binary data (got ${show(buf)})`);
}

/** A value, short, for an error message. @param {unknown} v */
function show(v) {
  if (v === undefined) return "undefined";
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "function") return "a function";
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return Object.prototype.toString.call(v);
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 80 ? s.slice(0, 77) + "..." : s;
  } catch {
    return String(v);
  }
}

/** @type {(v: unknown) => v is number} */
const isInt = (v) => typeof v === "number" && Number.isInteger(v);
/** @type {(v: unknown) => v is Record<string, unknown>} */
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

// -> {seq, ops}; ops: {op:"reset"} | {op:"insert", table, at, limit, update_only, rows} |
// {op:"delete", dom_ids}. Everything is checked before anything is applied, so a bad message
// never leaves the store half updated.
/**
 * @param {unknown} content the message as it arrived (types.DiffContent when well formed)
 * @param {unknown} buffers its binary buffers
 * @returns {Diff}
 */
export function decodeDiff(content, buffers) {
  if (!isObject(content)) throw new ProtocolError(`diff: content must be an object, got ${show(content)}`);
  if (content.kind !== "diff") throw new ProtocolError(`diff: expected kind "diff", got ${show(content.kind)}`);
  if (content.protocol !== PROTOCOL_VERSION) {
    throw new ProtocolError(
      `diff: unsupported protocol ${show(content.protocol)} (this widget speaks protocol ${PROTOCOL_VERSION}; ` +
        `the Python package and the front end are out of sync)`,
    );
  }
  const { seq } = content;
  if (!isInt(seq) || seq < 1) throw new ProtocolError(`diff: seq must be an integer >= 1, got ${show(seq)}`);
  if (!Array.isArray(content.ops)) throw new ProtocolError(`diff ${seq}: ops must be a list, got ${show(content.ops)}`);
  if (buffers === undefined || buffers === null) buffers = [];
  if (!Array.isArray(buffers)) throw new ProtocolError(`diff ${seq}: buffers must be a list, got ${show(buffers)}`);

  const prefix = content.prefix === undefined ? null : content.prefix;
  if (prefix !== null && typeof prefix !== "string") {
    throw new ProtocolError(`diff ${seq}: prefix must be a string, got ${show(prefix)}`);
  }
  /** @type {Uint8Array[]} */
  const bytes = [];
  /** @type {Map<number, Table>} one decode per buffer even if two ops share it */
  const tables = new Map();
  /** @type {Op[]} */
  const ops = content.ops.map((/** @type {unknown} */ op, /** @type {number} */ i) => {
    const where = `diff ${seq}, op ${i}`;
    if (!isObject(op)) throw new ProtocolError(`${where}: op must be an object, got ${show(op)}`);
    switch (op.op) {
      case "reset":
        return { op: "reset" };
      case "delete": {
        const ids = op.dom_ids;
        if (!Array.isArray(ids)) throw new ProtocolError(`${where} (delete): dom_ids must be a list, got ${show(ids)}`);
        const bad = ids.findIndex((d) => typeof d !== "string");
        if (bad >= 0) throw new ProtocolError(`${where} (delete): dom_ids[${bad}] is not a string: ${show(ids[bad])}`);
        return { op: "delete", dom_ids: ids };
      }
      case "insert": {
        const w = `${where} (insert)`;
        const { buffer, rows } = op;
        const at = op.at === undefined ? -1 : op.at;
        const limit = op.limit === undefined ? null : op.limit;
        const update_only = op.update_only === undefined ? false : op.update_only;
        const key = op.key === undefined ? null : op.key;
        if (key !== null && (typeof key !== "string" || prefix === null)) {
          throw new ProtocolError(`${w}: key must be a column name in a diff with a prefix, got ${show(key)}`);
        }
        if (!isInt(buffer) || buffer < 0) throw new ProtocolError(`${w}: buffer must be an integer >= 0, got ${show(buffer)}`);
        if (buffer >= buffers.length) {
          throw new ProtocolError(`${w}: buffer index ${buffer} out of range (message has ${buffers.length} buffer(s))`);
        }
        if (!isInt(rows) || rows < 0) throw new ProtocolError(`${w}: rows must be an integer >= 0, got ${show(rows)}`);
        if (!isInt(at) || at < -1) throw new ProtocolError(`${w}: at must be an integer >= -1, got ${show(at)}`);
        if (limit !== null && !isInt(limit)) throw new ProtocolError(`${w}: limit must be an integer or null, got ${show(limit)}`);
        if (typeof update_only !== "boolean") {
          throw new ProtocolError(`${w}: update_only must be true or false, got ${show(update_only)}`);
        }
        let table = tables.get(buffer);
        if (table === undefined) {
          if (bytes[buffer] === undefined) {
            try {
              bytes[buffer] = toBytes(buffers[buffer]);
            } catch (e) {
              throw new ProtocolError(`${w}: buffer ${buffer}: ${/** @type {Error} */ (e).message}`);
            }
          }
          if (bytes[buffer].byteLength === 0) throw new ProtocolError(`${w}: buffer ${buffer} is empty, expected an Arrow IPC stream`);
          try {
            table = tableFromIPC(bytes[buffer]);
          } catch (e) {
            throw new ProtocolError(`${w}: buffer ${buffer} is not a readable Arrow IPC stream: ${/** @type {Error} */ (e).message}`, { cause: e });
          }
          tables.set(buffer, table);
        }
        checkTable(table, w, buffer, rows, key);
        return { op: "insert", table, at, limit, update_only, rows, key };
      }
      default:
        throw new ProtocolError(`${where}: unknown op ${show(op.op)} (expected "reset", "insert" or "delete")`);
    }
  });
  return { seq, prefix, ops };
}

/**
 * @param {Table} table
 * @param {string} w where, for messages
 * @param {number} buffer
 * @param {number} rows
 * @param {string | null} key
 */
function checkTable(table, w, buffer, rows, key) {
  if (table.numRows !== rows) {
    throw new ProtocolError(`${w}: rows says ${rows} but the Arrow table in buffer ${buffer} has ${table.numRows}`);
  }
  const id = table.getChild(key === null ? DOM_ID : key);
  if (id && key !== null) {
    if (id.type.typeId !== Type.Int) throw new ProtocolError(`${w}: key column "${key}" must be integers, got ${id.type}`);
    if (id.nullCount > 0) throw new ProtocolError(`${w}: key column "${key}" has ${id.nullCount} null value(s)`);
    return;
  }
  if (!id) {
    // Corrupt bytes often decode to an empty schema instead of throwing; say so.
    const names = table.schema.fields.map((f) => f.name);
    throw new ProtocolError(
      names.length === 0
        ? `${w}: buffer ${buffer} holds no Arrow schema (corrupt or not an Arrow IPC stream)`
        : `${w}: table has no "${key === null ? DOM_ID : key}" column (columns: ${names.join(", ")})`,
    );
  }
  const t = id.type.typeId;
  if (t !== Type.Utf8 && t !== Type.LargeUtf8 && t !== Type.Utf8View) {
    throw new ProtocolError(`${w}: "${DOM_ID}" column must be utf8, got ${id.type}`);
  }
  if (id.nullCount > 0) throw new ProtocolError(`${w}: "${DOM_ID}" column has ${id.nullCount} null value(s)`);
}

// Applies ops in list order (the order the Python calls were made).
/**
 * @param {RowStore} store
 * @param {Diff} diff
 */
export function applyDiff(store, diff) {
  if (diff.prefix !== null && diff.prefix !== undefined) store.setPrefix(diff.prefix);
  diff.ops.forEach((op, i) => {
    try {
      if (op.op === "reset") store.reset();
      else if (op.op === "insert") store.insert(op.table, { at: op.at, limit: op.limit, update_only: op.update_only, key: op.key });
      else if (op.op === "delete") store.delete(op.dom_ids);
      else throw new Error(`unknown op ${show(/** @type {{ op: unknown }} */ (op).op)}`);
    } catch (e) {
      if (e instanceof ProtocolError) throw e;
      throw new ProtocolError(`diff ${diff.seq}, op ${i} (${op.op}): ${/** @type {Error} */ (e).message}`, { cause: e });
    }
  });
}
