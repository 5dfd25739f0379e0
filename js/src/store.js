// @ts-check
// Model-level row store for livestream-widget. (About 475 lines: the stream semantics and the
// row reads views and snapshots need stay together, behind one private representation.)
//
// The browser owns the rows (the kernel forgets them once sent), so this store must hold up to
// millions of rows cheaply and apply LiveView stream ops (insert at / limit / update_only /
// delete / reset, see docs/protocol.md) with per-row semantics.
//
// Design
// - Rows stay columnar (rows.js): every received Arrow record batch becomes a Chunk; a row is a
//   RowHandle (index key, chunk, row index). Values are read lazily; nothing is copied.
// - Order lives in a blocked list (blocklist.js) of handles: inserting or deleting anywhere
//   in a million rows costs ~sqrt(n), not n.
// - `ids` (ids.js) maps a row's index key (a number for default ids) -> handle for O(1)
//   lookup; each handle knows its block, so delete by id only touches that block. A batch of
//   new ids at an end takes a bulk path (bulk.js) whose whole blocks get handles only when read.
// - Each Chunk counts its live rows; at zero it is dropped from `chunks`, so the Arrow buffers
//   can be collected once no row refers to them. (Batches decoded from one IPC message share
//   that message's ArrayBuffer, so memory returns when the last batch of a message goes.)
import { BlockList } from "./blocklist.js";
import { handleOf, insertNew } from "./bulk.js";
import { checkInsert, describe } from "./checks.js";
import { decodeDomIds, DOM_ID, integerKeys } from "./domids.js";
import { IdIndex } from "./ids.js";
import { Schema } from "./schema.js";
import { Chunk, exactValue, RowHandle } from "./rows.js";
import { RowWatchers } from "./watchers.js";

/** @typedef {import("apache-arrow").DataType} ArrowType */
/** @typedef {import("apache-arrow").Vector} Vector */
/** @typedef {import("./rows.js").IndexKey} IndexKey */
/** A row, for views that order rows themselves (order.js). @typedef {RowHandle} Handle */
/** Per-row slot fields on handles (see newSlot). @typedef {{ [slot: symbol]: number | undefined }} Slots */
/** @typedef {import("./watchers.js").RowWatcher} RowWatcher */

export class RowStore {
  /** @param {{ blockSize?: number }} [options] rows per block of the BlockList */
  constructor({ blockSize = 1024 } = {}) {
    if (!Number.isInteger(blockSize) || blockSize < 2) {
      throw new Error(`blockSize must be an integer >= 2, got ${describe(blockSize)}`);
    }
    /** @type {BlockList<RowHandle>} the handles in stream order */
    this._rows = new BlockList(blockSize);
    /** @param {RowHandle} h */
    this._dropped = (h) => this._drop(h);
    /** @type {Set<() => void>} */
    this._listeners = new Set();
    this.version = 0;
    /** @type {IdIndex<RowHandle, import("./bulk.js").Pack>} rows by dom id; its prefix outlives resets */
    this._ids = new IdIndex();
    /** @type {import("./bulk.js").Owner} what packs of rows (bulk.js) need of the store */
    this._owner = { index: this._ids, dropped: (pack) => this._dropPack(pack) };
    this._watchers = new RowWatchers(); // see watchRows
    this.resets = 0; // reset() calls so far: a view starts over at the top after one
    // What a reset clears (_clear sets these again).
    /** @type {Set<Chunk>} */
    this._chunks = new Set();
    this._schema = new Schema();
  }

  _clear() {
    this._rows.clear();
    this._ids.clear();
    this._chunks = new Set();
    this._schema = new Schema();
  }

  get size() {
    return this._rows.size;
  }

  get columns() {
    return this._schema.columns.slice();
  }

  // Live chunks (record batches some row still points at). Exposed for tests and debugging.
  get chunkCount() {
    return this._chunks.size;
  }

  get blockCount() {
    return this._rows.blockCount;
  }

  /**
   * Calls fn after every change; returns the function that stops it.
   * @param {() => void} fn
   */
  onChange(fn) {
    if (typeof fn !== "function") throw new Error("onChange needs a function");
    this._listeners.add(fn);
    return () => this._listeners.delete(fn);
  }

  /**
   * Tells `watcher` of every row added or removed from now on (summaries.js keeps statistics
   * this way without reading all rows per change); returns the function that stops it.
   * Calls come as changes are applied, before onChange's.
   * @param {RowWatcher} watcher
   */
  watchRows(watcher) {
    return this._watchers.add(watcher);
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
  /**
   * @param {import("apache-arrow").Table} table
   * @param {{ at?: number, limit?: number | null, update_only?: boolean, key?: string | null }} [options]
   */
  insert(table, { at = -1, limit = null, update_only = false, key = null } = {}) {
    if (limit === undefined) limit = null;
    const idName = checkInsert(table, at, limit, update_only, key, this._ids.prefix !== null);

    let changed = this._schema.take(table.schema);

    for (const batch of table.batches) {
      if (batch.numRows === 0) continue;
      const col = /** @type {Vector} */ (batch.getChild(idName)); // every batch has the table's columns
      /** @type {IndexKey[]} */
      const ids = idName === DOM_ID ? this._ids.keysOf(decodeDomIds(col)) : integerKeys(col, idName);
      const chunk = new Chunk(batch);
      if (this._applyRows(ids, chunk, at, limit, update_only)) changed = true;
    }
    if (changed) this._changed();
  }

  /** Set from every diff: the widget's name + "-". @param {string} prefix */
  setPrefix(prefix) {
    if (typeof prefix !== "string") throw new Error(`prefix must be a string, got ${describe(prefix)}`);
    if (prefix !== this._ids.prefix) this._rows.forEach(() => {}); // makes every row
    this._ids.setPrefix(prefix);
  }

  // Per-row semantics, in row order: existing id -> retarget in place; else drop if
  // update_only; else place at `at`, then prune to `limit`. A batch of new ids at an end takes
  // the bulk path (bulk.js), which ends the same.
  /**
   * @param {IndexKey[]} ids
   * @param {Chunk} chunk
   * @param {number} at
   * @param {number | null} limit
   * @param {boolean} updateOnly
   */
  _applyRows(ids, chunk, at, limit, updateOnly) {
    const index = this._ids;
    const rows = this._rows;
    const n = ids.length;
    if (!updateOnly && (at === -1 || at === 0) && n > 0) {
      const kept = insertNew(rows, this._owner, ids, chunk, at === 0, limit, this._dropped);
      if (kept !== null) {
        const n = kept.hi - kept.lo;
        if (n > 0 && (chunk.live += n) === n) this._chunks.add(chunk);
        if (n > 0 && this._watchers.any) this._watchers.added(chunk, kept.lo, 1, n);
        return true;
      }
    }
    let changed = false;
    for (let r = 0; r < n; r++) {
      const id = ids[r];
      let h = handleOf(rows, index, id);
      if (h !== undefined) {
        // Position kept, `at` ignored, no pruning.
        if (this._watchers.any) {
          this._watchers.removed(h.chunk, h.row, 1, 1);
          this._watchers.added(chunk, r, 1, 1);
        }
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
      index.put(id, h);
      if (this._watchers.any) this._watchers.added(chunk, r, 1, 1);
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

  /** @param {string[]} domIds */
  delete(domIds) {
    if (!Array.isArray(domIds)) throw new Error(`delete: expected an array of dom ids, got ${describe(domIds)}`);
    let changed = false;
    for (const id of domIds) {
      const h = this.handleOf(id);
      if (h === undefined) continue;
      this._rows.remove(h);
      this._drop(h);
      changed = true;
    }
    if (changed) this._changed();
  }

  reset() {
    const had = this._rows.size > 0 || this._schema.fixed;
    // Dropping the references frees handles, blocks and chunks together.
    this._clear();
    this.resets++;
    this._watchers.reset();
    if (had) this._changed();
  }

  /**
   * @param {Chunk} chunk
   * @param {number} [rows]
   */
  _release(chunk, rows = 1) {
    if ((chunk.live -= rows) === 0) this._chunks.delete(chunk);
  }

  // A row left the list (deleted or pruned): forget its id and its chunk.
  /** @param {RowHandle} h */
  _drop(h) {
    this._ids.remove(h.id);
    if (this._watchers.any) this._watchers.removed(h.chunk, h.row, 1, 1);
    this._release(h.chunk);
  }

  // A packed block was pruned whole (bulk.js; its ids are out of the index already).
  /** @param {import("./bulk.js").Pack} pack */
  _dropPack(pack) {
    pack.forEachRun((chunk, first, step, count) => {
      if (this._watchers.any) this._watchers.removed(chunk, first, step, count);
      this._release(chunk, count);
    });
  }

  // ---- reads -----------------------------------------------------------------------------

  /** @param {string} domId */
  has(domId) {
    return this._ids.get(domId) !== undefined;
  }

  /** Position in stream order, -1 when absent. @param {string} domId */
  indexOf(domId) {
    const h = this.handleOf(domId);
    if (h === undefined) return -1;
    return this._rows.indexOf(h);
  }

  /** @param {number} i */
  domIdAt(i) {
    const h = this.readHandleAt(i); // views read the first and last ids every frame
    return h === undefined ? undefined : this._ids.domIdOf(h.id);
  }

  /**
   * The Arrow batch and row at position i (the summaries' sparkline reads the last rows every
   * frame), leaving packed rows packed.
   * @param {number} i
   */
  batchAt(i) {
    const h = this.readHandleAt(i);
    return h === undefined ? undefined : this.batchOf(h);
  }

  /**
   * Arrow's value (vector.get) at position i.
   * @param {number} i
   * @param {string} columnName
   * @returns {unknown}
   */
  valueAt(i, columnName) {
    const h = this.readHandleAt(i);
    return h === undefined ? undefined : this.valueOf(h, columnName);
  }

  /** Dom id and every value at position i. @param {number} i */
  rowAt(i) {
    const h = this.readHandleAt(i);
    if (h === undefined) return undefined;
    /** @type {Record<string, unknown>} */
    const values = {};
    for (const [name, v] of h.chunk.vectors) values[name] = v.get(h.row);
    return { domId: this._ids.domIdOf(h.id), values };
  }

  /**
   * Dom ids of positions [start, end), clamped.
   * @param {number} [start]
   * @param {number} [end]
   * @returns {string[]}
   */
  slice(start = 0, end = this.size) {
    const size = this.size;
    start = Math.max(0, Math.min(size, Math.trunc(start) || 0));
    end = Math.max(start, Math.min(size, Math.trunc(end) || 0));
    return this._rows.map(start, end, (h) => this._ids.domIdOf(h.id));
  }

  // The column's type in its newest batch (a column widens: int -> float, coarser -> finer
  // units; rows keep the type they came with, see typeOf); a dictionary's value type.
  /** @param {string} columnName */
  fieldType(columnName) {
    return this._schema.types.get(columnName);
  }

  // Whether the column holds decimals sent as exact text (numbers to align and sort).
  /** @param {string} columnName */
  isDecimalText(columnName) {
    return this._schema.decimalText.has(columnName);
  }

  // ---- handles, for views that order rows themselves (order.js) ---------------------------
  // A handle is a row: stable for the row's life (an update in place retargets it). Its fields
  // are private to the store.

  /**
   * Calls fn(handle, position) for every row in stream order.
   * @param {(h: RowHandle, i: number) => void} fn
   */
  forEachHandle(fn) {
    this._rows.forEach(fn);
  }

  /**
   * Calls fn(chunk, first, step, count) for runs covering every row, in stream order, without
   * making handles: a packed block is one run, other rows one run each (summaries.js reads
   * the values straight from the chunks).
   * @param {(chunk: Chunk, first: number, step: number, count: number) => void} fn
   */
  forEachRun(fn) {
    this._rows.forEachBlock((items, pack) => {
      if (items === null) {
        /** @type {import("./bulk.js").Pack} */ (/** @type {unknown} */ (pack)).forEachRun(fn);
      } else {
        for (let i = 0; i < items.length; i++) fn(items[i].chunk, items[i].row, 1, 1);
      }
    });
  }

  /** @param {number} i */
  handleAt(i) {
    return this._rows.at(i);
  }

  /**
   * A handle to read the row at position i by (domIdOf, revisionOf, cellOf, typeOf): the
   * row's own handle when it has one, else one made for the read that leaves the row packed
   * (views draw the rows they show every frame; a view following a live tail would otherwise
   * give every row a handle as the tail passes). Not for identity, slots or changes.
   * @param {number} i
   * @returns {RowHandle | undefined}
   */
  readHandleAt(i) {
    return this._rows.peek(i, (pack, offset) => /** @type {import("./bulk.js").Pack} */ (/** @type {unknown} */ (pack)).readHandle(offset));
  }

  /** @param {unknown} domId */
  handleOf(domId) {
    return typeof domId === "string" ? handleOf(this._rows, this._ids, this._ids.keyOf(domId)) : undefined;
  }

  // Grows each time the row is updated in place (so cached sort keys know to refresh).
  /** @param {RowHandle} h */
  revisionOf(h) {
    return h.rev;
  }

  /**
   * @param {RowHandle} h
   * @param {string} columnName
   * @returns {unknown}
   */
  valueOf(h, columnName) {
    const v = h.chunk.vectors.get(columnName);
    return v === undefined ? undefined : v.get(h.row);
  }

  /** @param {RowHandle} h */
  domIdOf(h) {
    return this._ids.domIdOf(h.id);
  }

  // What a cell shows: the exact value (timestamps as BigInt counts of their unit) ...
  /**
   * @param {RowHandle} h
   * @param {string} columnName
   */
  cellOf(h, columnName) {
    const v = h.chunk.vectors.get(columnName);
    return v === undefined ? undefined : exactValue(v, h.row);
  }

  // The record batch a row lives in and its index there (snapshots copy rows from it).
  /**
   * @param {RowHandle} h
   * @returns {{ batch: import("apache-arrow").RecordBatch, row: number }}
   */
  batchOf(h) {
    return { batch: h.chunk.batch, row: h.row };
  }

  // ... and the Arrow type of the batch the row came in.
  /**
   * @param {RowHandle} h
   * @param {string} columnName
   * @returns {ArrowType | undefined}
   */
  typeOf(h, columnName) {
    return h.chunk.vectors.get(columnName)?.type;
  }

  // ---- per-row slots, for views that keep per-row state of their own (order.js) ----------
  // A view keeps a number per row (an index into its typed arrays) on the row's handle, in a
  // field the store creates for it: a Map or WeakMap lookup per row would cost ~5x a whole
  // pass over a million rows. Each call of newSlot gives a separate field.

  /** @param {string} name for debugging */
  newSlot(name) {
    return Symbol(name);
  }

  /**
   * @param {RowHandle} h
   * @param {symbol} slot
   */
  slotOf(h, slot) {
    return /** @type {Slots} */ (/** @type {unknown} */ (h))[slot];
  }

  /**
   * @param {RowHandle} h
   * @param {symbol} slot
   * @param {number | undefined} value
   */
  setSlot(h, slot, value) {
    /** @type {Slots} */ (/** @type {unknown} */ (h))[slot] = value;
  }

  // Clears the slot on every row (set to undefined, not deleted: handles keep their shape).
  /** @param {symbol} slot */
  clearSlot(slot) {
    this._rows.forEachMade((h) => {
      const slots = /** @type {Slots} */ (/** @type {unknown} */ (h));
      if (slots[slot] !== undefined) slots[slot] = undefined;
    });
  }
}
