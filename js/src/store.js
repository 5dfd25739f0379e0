// Model-level row store for livestream-widget.
//
// The browser owns the rows (the kernel forgets them once sent), so this store must hold up to
// millions of rows cheaply and apply LiveView stream ops (insert at / limit / update_only /
// delete / reset, see docs/protocol.md) with per-row semantics.
//
// Design
// - Rows stay columnar: every received Arrow record batch becomes a Chunk; a row is a RowHandle
//   (dom id, chunk, row index). Values are read lazily with vector.get(row); nothing is copied.
// - Order lives in a blocked list (blocklist.js) of handles: inserting or deleting anywhere
//   in a million rows costs ~sqrt(n), not n.
// - `ids` maps a row's index key -> handle for O(1) lookup; each handle knows its block, so
//   delete by id only touches that block. The index key of dom id `${prefix}${n}` (n an integer
//   written as Python's str() writes it) is the number n, else the dom id string: number keys
//   need no string per row and hash several times faster, and inserts whose ids the kernel
//   leaves to the browser (`key`: an integer column) never build a string at all.
// - Each Chunk counts its live rows; at zero it is dropped from `chunks`, so the Arrow buffers
//   can be collected once no row refers to them. (Batches decoded from one IPC message share
//   that message's ArrayBuffer, so memory returns when the last batch of a message goes.)
import { Type } from "apache-arrow";
import { BlockList } from "./blocklist.js";
import { decodeDomIds, DOM_ID, integerAfter, integerKeys } from "./domids.js";

// One record batch: column vectors by name, plus how many live rows still point here.
class Chunk {
  constructor(batch) {
    this.vectors = new Map();
    const fields = batch.schema.fields;
    for (let i = 0; i < fields.length; i++) {
      if (fields[i].name !== DOM_ID) this.vectors.set(fields[i].name, batch.getChildAt(i));
    }
    this.live = 0;
  }
}

// Mutable on purpose: an in-place update just retargets chunk/row, and splits retarget block.
class RowHandle {
  constructor(id, chunk, row) {
    this.id = id;
    this.chunk = chunk;
    this.row = row;
    this.block = null; // the BlockList's link
    this.rev = 0; // updates in place so far
  }
}

const isIntType = (type) => type.typeId === Type.Int;

// The exact value of row `row`: timestamps as the BigInt count of their unit (arrow's get gives
// float epoch milliseconds, which lose nanoseconds); everything else as arrow reads it.
function exactValue(vector, row) {
  if (vector.type.typeId === Type.Timestamp) {
    const data = vector.data[0];
    if (data.values instanceof BigInt64Array) return vector.isValid(row) ? data.values[data.offset + row] : null;
  }
  return vector.get(row);
}

function isUtf8Type(type) {
  return type.typeId === Type.Utf8 || type.typeId === Type.LargeUtf8 || type.typeId === Type.Utf8View;
}

function checkInt(name, v) {
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new Error(`${name} must be an integer, got ${describe(v)}`);
  }
}

function describe(v) {
  if (typeof v === "bigint") return `${v}n (BigInt)`;
  if (typeof v === "string") return JSON.stringify(v);
  if (v === null || v === undefined || typeof v !== "object") return String(v);
  return Object.prototype.toString.call(v);
}

export class RowStore {
  constructor({ blockSize = 1024 } = {}) {
    if (!Number.isInteger(blockSize) || blockSize < 2) {
      throw new Error(`blockSize must be an integer >= 2, got ${describe(blockSize)}`);
    }
    this._rows = new BlockList(blockSize); // the handles in stream order
    this._dropped = (h) => this._drop(h);
    this._listeners = new Set();
    this.version = 0;
    // Dom ids are `${prefix}${key}` by default (the widget's name + "-"): see setPrefix.
    this.prefix = null;
    this.resets = 0; // reset() calls so far: a view starts over at the top after one
    this._clear();
  }

  _clear() {
    this._rows.clear();
    this._ids = new Map();
    this._chunks = new Set();
    this._columns = [];
    this._haveColumns = false; // columns are fixed by the first insert after a reset
    this._types = new Map();
    this._decimalText = new Set(); // columns of decimals sent as exact text (field metadata)
  }

  get size() {
    return this._rows.size;
  }

  get columns() {
    return this._columns.slice();
  }

  // Live chunks (record batches some row still points at). Exposed for tests and debugging.
  get chunkCount() {
    return this._chunks.size;
  }

  get blockCount() {
    return this._rows.blockCount;
  }

  onChange(fn) {
    if (typeof fn !== "function") throw new Error("onChange needs a function");
    this._listeners.add(fn);
    return () => this._listeners.delete(fn);
  }

  _changed() {
    this.version++;
    for (const fn of [...this._listeners]) {
      try {
        fn();
      } catch (e) {
        // A broken listener must not abort the op batch that is being applied; surface it as
        // an uncaught error instead of swallowing it.
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }

  // ---- mutations -------------------------------------------------------------------------

  // `key`: the integer column dom ids are made from (`${prefix}${key}`) instead of a
  // "__dom_id" column.
  insert(table, { at = -1, limit = null, update_only = false, key = null } = {}) {
    checkInt("insert: at", at);
    if (at < -1) throw new Error(`insert: at must be >= -1, got ${at}`);
    if (limit === undefined) limit = null;
    if (limit !== null) checkInt("insert: limit", limit);
    if (typeof update_only !== "boolean") {
      throw new Error(`insert: update_only must be a boolean, got ${describe(update_only)}`);
    }
    if (!table || typeof table.getChild !== "function" || !table.schema || !Array.isArray(table.batches)) {
      throw new Error(`insert: expected an apache-arrow Table, got ${describe(table)}`);
    }
    const idName = key === null || key === undefined ? DOM_ID : key;
    const idCol = table.getChild(idName);
    if (!idCol) {
      const names = table.schema.fields.map((f) => f.name).join(", ");
      throw new Error(`insert: table has no "${idName}" column (columns: ${names || "none"})`);
    }
    if (idName === DOM_ID && !isUtf8Type(idCol.type)) {
      throw new Error(`insert: "${DOM_ID}" column must be utf8, got ${idCol.type}`);
    }
    if (idName !== DOM_ID && (!isIntType(idCol.type) || typeof this.prefix !== "string")) {
      throw new Error(`insert: key column "${key}" must be integers with a known prefix, got ${idCol.type}`);
    }
    if (idCol.nullCount > 0) {
      throw new Error(`insert: "${idName}" column has ${idCol.nullCount} null value(s)`);
    }

    let changed = false;
    if (!this._haveColumns) {
      this._haveColumns = true;
      this._columns = table.schema.fields.map((f) => f.name).filter((n) => n !== DOM_ID);
      changed = true;
    }
    for (const f of table.schema.fields) {
      if (f.name === DOM_ID) continue;
      this._types.set(f.name, f.type);
      if (f.metadata.get("livestream") === "decimal") this._decimalText.add(f.name);
    }

    for (const batch of table.batches) {
      if (batch.numRows === 0) continue;
      const col = batch.getChild(idName);
      const ids = idName === DOM_ID ? this._indexKeys(decodeDomIds(col)) : integerKeys(col, idName);
      const chunk = new Chunk(batch);
      if (this._applyRows(ids, chunk, at, limit, update_only)) changed = true;
    }
    if (changed) this._changed();
  }

  // Set from every diff. The name never changes in a widget's life, so a change (only seen in
  // tests) just re-keys the index.
  setPrefix(prefix) {
    if (typeof prefix !== "string") throw new Error(`prefix must be a string, got ${describe(prefix)}`);
    if (prefix === this.prefix) return;
    const handles = [...this._ids.values()];
    const old = handles.map((h) => this._domId(h.id));
    this.prefix = prefix;
    this._ids = new Map();
    handles.forEach((h, i) => {
      h.id = this._indexKey(old[i]);
      this._ids.set(h.id, h);
    });
  }

  _indexKey(domId) {
    const p = this.prefix;
    if (p !== null && domId.startsWith(p)) {
      const n = integerAfter(domId, p.length);
      if (n !== null) return n;
    }
    return domId;
  }

  _indexKeys(domIds) {
    if (this.prefix !== null) for (let i = 0; i < domIds.length; i++) domIds[i] = this._indexKey(domIds[i]);
    return domIds;
  }

  _domId(indexKey) {
    return typeof indexKey === "number" ? this.prefix + indexKey : indexKey;
  }

  // Per-row semantics, in row order: existing id -> retarget in place; else drop if
  // update_only; else place at `at`, then prune to `limit`.
  _applyRows(ids, chunk, at, limit, updateOnly) {
    const map = this._ids;
    const rows = this._rows;
    const n = ids.length;
    let changed = false;
    for (let r = 0; r < n; r++) {
      const id = ids[r];
      let h = map.get(id);
      if (h !== undefined) {
        // Position kept, `at` ignored, no pruning.
        this._release(h.chunk);
        h.chunk = chunk;
        h.row = r;
        h.rev++;
        if (chunk.live++ === 0) this._chunks.add(chunk);
        changed = true;
        continue;
      }
      if (updateOnly) continue;
      h = new RowHandle(id, chunk, r);
      if (chunk.live++ === 0) this._chunks.add(chunk);
      map.set(id, h);
      if (at === 0) rows.prepend(h);
      else if (at === -1 || at >= rows.size) rows.append(h);
      else rows.insertAt(at, h);
      changed = true;
      if (limit !== null) {
        if (limit < 0) {
          if (rows.size > -limit) rows.pruneFront(rows.size + limit, this._dropped);
        } else if (rows.size > limit) {
          rows.pruneBack(rows.size - limit, this._dropped);
        }
      }
    }
    return changed;
  }

  delete(domIds) {
    if (!Array.isArray(domIds)) throw new Error(`delete: expected an array of dom ids, got ${describe(domIds)}`);
    let changed = false;
    for (const id of domIds) {
      const h = typeof id === "string" ? this._ids.get(this._indexKey(id)) : undefined;
      if (h === undefined) continue;
      this._rows.remove(h);
      this._drop(h);
      changed = true;
    }
    if (changed) this._changed();
  }

  reset() {
    const had = this._rows.size > 0 || this._haveColumns;
    // Dropping the references frees handles, blocks and chunks together.
    this._clear();
    this.resets++;
    if (had) this._changed();
  }

  // ---- row bookkeeping -------------------------------------------------------------------

  _release(chunk) {
    if (--chunk.live === 0) this._chunks.delete(chunk);
  }

  // A row left the list (deleted or pruned): forget its id and its chunk.
  _drop(h) {
    this._ids.delete(h.id);
    this._release(h.chunk);
  }

  // ---- reads -----------------------------------------------------------------------------

  has(domId) {
    return typeof domId === "string" && this._ids.has(this._indexKey(domId));
  }

  indexOf(domId) {
    const h = typeof domId === "string" ? this._ids.get(this._indexKey(domId)) : undefined;
    if (h === undefined) return -1;
    return this._rows.indexOf(h);
  }

  domIdAt(i) {
    const h = this._rows.at(i);
    return h === undefined ? undefined : this._domId(h.id);
  }

  valueAt(i, columnName) {
    const h = this._rows.at(i);
    if (h === undefined) return undefined;
    const v = h.chunk.vectors.get(columnName);
    return v === undefined ? undefined : v.get(h.row);
  }

  rowAt(i) {
    const h = this._rows.at(i);
    if (h === undefined) return undefined;
    const values = {};
    for (const [name, v] of h.chunk.vectors) values[name] = v.get(h.row);
    return { domId: this._domId(h.id), values };
  }

  slice(start = 0, end = this.size) {
    const size = this.size;
    start = Math.max(0, Math.min(size, Math.trunc(start) || 0));
    end = Math.max(start, Math.min(size, Math.trunc(end) || 0));
    return this._rows.map(start, end, (h) => this._domId(h.id));
  }

  // The column's type in its newest batch (a column widens: int -> float, coarser -> finer
  // units; rows keep the type they came with, see typeOf).
  fieldType(columnName) {
    return this._types.get(columnName);
  }

  // Whether the column holds decimals sent as exact text (numbers to align and sort).
  isDecimalText(columnName) {
    return this._decimalText.has(columnName);
  }

  // ---- handles, for views that order rows themselves (order.js) ---------------------------
  // A handle is a row: stable for the row's life (an update in place retargets it). Its fields
  // are private to the store.

  // Calls fn(handle, position) for every row in stream order.
  forEachHandle(fn) {
    this._rows.forEach(fn);
  }

  handleAt(i) {
    return this._rows.at(i);
  }

  handleOf(domId) {
    return typeof domId === "string" ? this._ids.get(this._indexKey(domId)) : undefined;
  }

  // Grows each time the row is updated in place (so cached sort keys know to refresh).
  revisionOf(h) {
    return h.rev;
  }

  valueOf(h, columnName) {
    const v = h.chunk.vectors.get(columnName);
    return v === undefined ? undefined : v.get(h.row);
  }

  domIdOf(h) {
    return this._domId(h.id);
  }

  // What a cell shows: the exact value (timestamps as BigInt counts of their unit) ...
  cellOf(h, columnName) {
    const v = h.chunk.vectors.get(columnName);
    return v === undefined ? undefined : exactValue(v, h.row);
  }

  // ... and the Arrow type of the batch the row came in.
  typeOf(h, columnName) {
    return h.chunk.vectors.get(columnName)?.type;
  }

  // ---- per-row slots, for views that keep per-row state of their own (order.js) ----------
  // A view keeps a number per row (an index into its typed arrays) on the row's handle, in a
  // field the store creates for it: a Map or WeakMap lookup per row would cost ~5x a whole
  // pass over a million rows. Each call of newSlot gives a separate field.

  newSlot(name) {
    return Symbol(name);
  }

  slotOf(h, slot) {
    return h[slot];
  }

  setSlot(h, slot, value) {
    h[slot] = value;
  }

  // Clears the slot on every row (set to undefined, not deleted: handles keep their shape).
  clearSlot(slot) {
    this._rows.forEach((h) => {
      if (h[slot] !== undefined) h[slot] = undefined;
    });
  }
}
