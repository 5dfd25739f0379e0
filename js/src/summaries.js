// @ts-check
// Live column summaries over every row the store holds (those passing the filter, when one is
// set), kept current per change instead of recomputed (design in docs/how-it-works.md).
// (Just over 400 lines: the queue, the full recompute and the per-batch state they share stay
// in one file; reading values, counting categories and the min / max have their own.)
// Categories are counted in summarycats.js, min and max kept in summaryextremes.js, values read
// and summed in summaryread.js (the exact sum itself in exactsum.js); this module owns the queue
// and the per-batch and per-column state they work on.
//
// - The store tells us of rows added and removed (store.watchRows) as runs of a batch; we only
//   queue them (O(1) per call) and apply the queue once per frame (update), reading values
//   straight from the batches' Arrow buffers (summaryread.js). A bulk insert or a pruned
//   packed block is one run: no per-row handle is ever made.
// - Per column: row and null counts, the exact sum (summaryread.addExact: subtracting on
//   removal stays exact), value counts for categories with a top list rebuilt only when one of
//   its values lost a row, and min / max that survive removals: each batch keeps which of its
//   rows are counted (a byte per row) and, per segment of 1,024 rows, its min / max row,
//   rescanned only when that row goes; the overall min / max is the best of the segments',
//   found again (one pass over them) only when the row holding it goes.
// - A full recompute (a filter or the columns changed, the queue overflowed while no frame
//   ran) takes the rows as runs at that moment and works through them in time slices; changes
//   meanwhile queue up and are applied after. Until it is done, `pending` is true and the
//   summaries are not shown as if current.
import { countCategories, rebuildTop } from "./summarycats.js";
import { extremeOf, markAdded, markRemoved } from "./summaryextremes.js";
import { addExact, roundExact } from "./exactsum.js";
import { doubles, kindOf, readerOf, scratch, sumInto } from "./summaryread.js";

/** @typedef {import("./store.js").RowStore} RowStore */
/** @typedef {import("./rows.js").Chunk} Chunk */
/** @typedef {import("./summaryread.js").Kind} Kind */
/** @typedef {import("./summaryread.js").Reader} Reader */
/**
 * A column to summarise.
 * @typedef {{ name: string, kind: Kind, decimalText: boolean }} SummaryColumn
 */
/** Whether a row passes the filter. @typedef {(chunk: Chunk, row: number) => boolean} Passes */
/**
 * One batch: its counted rows and, per column, its reader and, per column and segment of
 * 2^segmentBits rows (index column * nseg + segment), the min / max row (-1: none) and value
 * (dirty: the row went, rescan when asked).
 * `segLive`: counted rows per segment (a segment with none needs no rescan: pruning empties
 * whole segments). `fresh`: no row from this index on was ever counted.
 * @typedef {{ chunk: Chunk, live: Uint8Array, count: number, fresh: number, readers: (Reader | null | undefined)[], nseg: number, segLive: Int32Array,
 *   min: Int32Array, max: Int32Array, minV: Float64Array, maxV: Float64Array, dirty: Uint8Array }} ChunkState
 */
/**
 * Per column (exported for summarycats.js). `at`: the overall min / max as [batch, row] (null: none), stale while `*Dirty`.
 * `isum`: integer values' sum while exact in a double (|sum| < 2^53), kept apart from `parts`
 * (the expansion) because a plain add is several times cheaper.
 * @typedef {{ col: SummaryColumn, nulls: number, parts: number[], isum: number, pinf: number, ninf: number,
 *   nan: number, minAt: [ChunkState, number] | null, maxAt: [ChunkState, number] | null,
 *   minV: number, maxV: number, minDirty: boolean, maxDirty: boolean, freq: Map<string, number>,
 *   top: { value: string, count: number }[], topValid: boolean, counted: number, over: boolean, overAt: number }} ColumnState
 * (`counted`: rows in `freq`; `overAt`: the bound of distinct values passed when counting stopped)
 */

// Queued runs before the queue is dropped for a full recompute (no frame ran for a long time:
// a hidden tab); keeps what waits for a frame bounded.
const MAX_QUEUE = 100_000;
// Rows per segment of a batch that keeps its own min / max (a rescan reads at most this many;
// finding the overall one again reads one value per segment: a batch may hold a million rows).
const SEGMENT_BITS = 10;
// Rows of a run processed before the time budget is checked again.
const SLICE_ROWS = 8192;

export class Summaries {
  /**
   * @param {RowStore} store
   * @param {{ sliceRows?: number, maxQueue?: number, segmentBits?: number }} [options] rows a
   *   full recompute reads between time checks; runs queued before a full recompute is due
   *   instead; log2 of the rows per min / max segment (tests make segments small)
   */
  constructor(store, { sliceRows = SLICE_ROWS, maxQueue = MAX_QUEUE, segmentBits = SEGMENT_BITS } = {}) {
    this._store = store;
    this._segBits = segmentBits;
    this._maxQueue = maxQueue;
    this._sliceRows = sliceRows;
    /** @type {import("./summaryextremes.js").ReaderOf} */
    this._readerOf = (cs, c) => this._reader(cs, c);
    /** @type {SummaryColumn[]} */
    this._columns = [];
    /** @type {Passes | null} */
    this._passes = null;
    this._key = "";
    this.rows = 0; // rows summarised
    /** @type {Map<Chunk, ChunkState>} */
    this._chunks = new Map();
    /** @type {ColumnState[]} */
    this._cols = [];
    this._clear();
    // The queue of runs since the last update: parallel arrays (sign 1: added, -1: removed).
    /** @type {Chunk[]} */ this._qChunk = [];
    /** @type {number[]} */ this._qFirst = [];
    /** @type {number[]} */ this._qStep = [];
    /** @type {number[]} */ this._qCount = [];
    /** @type {number[]} */ this._qSign = [];
    this._overflow = false;
    /** @type {{ chunk: Chunk[], first: number[], step: number[], count: number[], next: number, done: number } | null} a full recompute's runs */
    this._full = null;
    this.version = 0; // grows when a result may have changed
    this._unwatch = store.watchRows({
      added: (c, f, s, n) => this._queue(c, f, s, n, 1),
      removed: (c, f, s, n) => this._queue(c, f, s, n, -1),
      reset: () => {
        // Every row left: the state of an empty store, at once.
        this._dropQueue();
        this._clear();
        this._full = null;
        this.version++;
      },
    });
  }

  dispose() {
    this._unwatch();
    this._dropQueue();
    this._clear();
  }

  _clear() {
    this.rows = 0;
    this._chunks = new Map();
    this._cols = this._columns.map((col) => ({
      col, nulls: 0, parts: [], isum: 0, pinf: 0, ninf: 0, nan: 0, minAt: null, maxAt: null, minV: 0, maxV: 0,
      minDirty: false, maxDirty: false, freq: new Map(), top: [], topValid: true, counted: 0, over: false, overAt: 0,
    }));
  }

  _dropQueue() {
    this._qChunk = [];
    this._qFirst = [];
    this._qStep = [];
    this._qCount = [];
    this._qSign = [];
  }

  /**
   * What to summarise: columns and the filter (null: none). A change of `key` (say what the
   * columns, their types and the filter are) starts a full recompute.
   * @param {SummaryColumn[]} columns
   * @param {Passes | null} passes
   * @param {string} key
   */
  configure(columns, passes, key) {
    if (key === this._key) return;
    this._key = key;
    this._columns = columns;
    this._passes = passes;
    this._startFull();
  }

  // Takes every row as it is now; the queue holds only later changes from here on.
  _startFull() {
    this._dropQueue();
    this._overflow = false;
    this._clear();
    /** @type {NonNullable<Summaries["_full"]>} */
    const full = { chunk: [], first: [], step: [], count: [], next: 0, done: 0 };
    this._store.forEachRun((chunk, first, step, count) => {
      const k = full.chunk.length - 1;
      if (k >= 0 && full.chunk[k] === chunk && full.step[k] === 1 && step === 1 && full.first[k] + full.count[k] === first) {
        full.count[k] += count;
        return;
      }
      full.chunk.push(chunk);
      full.first.push(first);
      full.step.push(step);
      full.count.push(count);
    });
    this._full = full;
    this.version++;
  }

  /**
   * @param {Chunk} chunk
   * @param {number} first
   * @param {number} step
   * @param {number} count
   * @param {number} sign
   */
  _queue(chunk, first, step, count, sign) {
    if (this._overflow) return;
    const k = this._qChunk.length - 1;
    // Rows pruned or added one by one are usually next to each other in their batch.
    if (k >= 0 && this._qChunk[k] === chunk && this._qSign[k] === sign && step === 1 && this._qStep[k] === 1) {
      if (this._qFirst[k] + this._qCount[k] === first) {
        this._qCount[k] += count;
        return;
      }
    }
    if (k + 1 >= this._maxQueue) {
      this._overflow = true;
      this._dropQueue();
      return;
    }
    this._qChunk.push(chunk);
    this._qFirst.push(first);
    this._qStep.push(step);
    this._qCount.push(count);
    this._qSign.push(sign);
  }

  // Whether a full recompute is still under way (the results are not current).
  get pending() {
    return this._full !== null || this._overflow;
  }

  /**
   * Applies the changes since the last call; a full recompute works until `budget` ms have
   * passed. Returns whether the results may have changed.
   * @param {number} [budget] ms
   */
  update(budget = 4) {
    const start = performance.now();
    if (this._overflow) this._startFull();
    const full = this._full;
    let changed = false;
    if (full !== null) {
      changed = true;
      while (full.next < full.chunk.length) {
        const i = full.next;
        const n = Math.min(this._sliceRows, full.count[i] - full.done);
        this._apply(full.chunk[i], full.first[i] + full.done * full.step[i], full.step[i], n, 1);
        full.done += n;
        if (full.done === full.count[i]) {
          full.next++;
          full.done = 0;
        }
        if (performance.now() - start > budget) break;
      }
      if (full.next < full.chunk.length) {
        this.version++;
        return true;
      }
      this._full = null;
    }
    const q = this._qChunk;
    if (q.length > 0) {
      const { _qFirst: first, _qStep: step, _qCount: count, _qSign: sign } = this;
      this._dropQueue();
      // In slices, so the scratch arrays (summaryread.scratch) stay this small whatever the
      // size of a diff: they are kept for the next run.
      const slice = this._sliceRows;
      for (let k = 0; k < q.length; k++) {
        for (let done = 0; done < count[k]; done += slice) {
          this._apply(q[k], first[k] + done * step[k], step[k], Math.min(slice, count[k] - done), sign[k]);
        }
      }
      changed = true;
    }
    if (changed) this.version++;
    return changed;
  }

  /**
   * Counts (sign 1) or uncounts (-1) rows of a batch.
   * @param {Chunk} chunk
   * @param {number} first
   * @param {number} step
   * @param {number} count
   * @param {number} sign
   */
  _apply(chunk, first, step, count, sign) {
    let cs = this._chunks.get(chunk);
    if (cs === undefined) {
      if (sign < 0) return; // none of its rows is counted
      const n = this._columns.length;
      const nseg = Math.ceil(chunk.batch.numRows / (1 << this._segBits));
      const k = n * nseg;
      cs = {
        chunk, live: new Uint8Array(chunk.batch.numRows), count: 0, fresh: 0, readers: new Array(n), nseg, segLive: new Int32Array(nseg),
        min: new Int32Array(k).fill(-1), max: new Int32Array(k).fill(-1), dirty: new Uint8Array(k),
        minV: new Float64Array(k), maxV: new Float64Array(k),
      };
      this._chunks.set(chunk, cs);
    }
    // The rows whose counting changes.
    const rows = scratch(count);
    let m = 0;
    const live = cs.live;
    const passes = this._passes;
    const bits = this._segBits;
    const segLive = cs.segLive;
    if (sign > 0 && count > 0 && first >= cs.fresh && passes === null && step === 1) {
      // Rows of the batch none of which was ever counted (a stream's new rows): every row
      // counts, marked by range rather than row by row.
      cs.fresh = first + count;
      for (let i = 0; i < count; i++) rows[i] = first + i;
      m = count;
      live.fill(1, first, first + count);
      for (let seg = first >> bits, end = first + count; seg << bits < end; seg++) {
        segLive[seg] += Math.min(end, (seg + 1) << bits) - Math.max(first, seg << bits);
      }
    } else {
      for (let i = 0, r = first; i < count; i++, r += step) {
        if (sign > 0 ? live[r] === 0 && (passes === null || passes(chunk, r)) : live[r] === 1) rows[m++] = r;
      }
      if (m === 0) {
        if (cs.count === 0) this._chunks.delete(chunk);
        return;
      }
      const flag = sign > 0 ? 1 : 0;
      let fresh = cs.fresh;
      for (let i = 0; i < m; i++) {
        const r = rows[i];
        live[r] = flag;
        segLive[r >> bits] += sign;
        if (r >= fresh) fresh = r + 1;
      }
      cs.fresh = fresh;
    }
    cs.count += sign * m;
    this.rows += sign * m;
    for (let c = 0; c < this._cols.length; c++) this._column(this._cols[c], c, cs, rows, m, sign);
    // Readers are remade when next needed (a removal, a min / max to find again): kept, they
    // would cost a few KB of closures per batch for its whole life, most of them never read.
    cs.readers.fill(undefined);
    if (cs.count === 0) this._chunks.delete(chunk);
  }

  /**
   * @param {ChunkState} cs
   * @param {number} c
   */
  _reader(cs, c) {
    let reader = cs.readers[c];
    if (reader === undefined) {
      const col = this._columns[c];
      const vector = cs.chunk.vectors.get(col.name);
      reader = cs.readers[c] = vector === undefined ? null : readerOf(vector, col.kind, col.decimalText);
    }
    return reader;
  }

  /**
   * @param {ColumnState} st
   * @param {number} c
   * @param {ChunkState} cs
   * @param {Int32Array} rows
   * @param {number} m
   * @param {number} sign
   */
  _column(st, c, cs, rows, m, sign) {
    const reader = this._reader(cs, c);
    if (reader === null) {
      st.nulls += sign * m; // a batch without the column: its rows show null
      return;
    }
    const kind = st.col.kind;
    if (kind === "cat") {
      countCategories(st, reader, rows, m, sign);
      return;
    }
    // The rows with a value (nulls counted here), then their doubles in one pass.
    let rs = rows;
    let n = m;
    if (reader.nullable) {
      const valid = reader.valid;
      rs = scratch(m, 1);
      n = 0;
      for (let i = 0; i < m; i++) {
        const r = rows[i];
        if (valid(r)) rs[n++] = r;
      }
      st.nulls += sign * (m - n);
    }
    if (kind === "other" || n === 0) return;
    if (kind === "time" && sign < 0) {
      markRemoved(st, c, cs, rs, n, this._segBits); // a time's value only matters to the min / max
      return;
    }
    const xs = doubles(n);
    reader.fill(rs, n, xs);
    if (kind === "num") sumInto(st, reader, rs, xs, n, sign);
    if (sign > 0) markAdded(st, c, cs, reader, rs, xs, n, this._segBits, this._readerOf);
    else markRemoved(st, c, cs, rs, n, this._segBits);
  }

  // ---- results ------------------------------------------------------------------------------

  /**
   * The summary of column `name` now, or undefined when it is not summarised.
   * @param {string} name
   */
  result(name) {
    const c = this._columns.findIndex((col) => col.name === name);
    if (c < 0) return undefined;
    const st = this._cols[c];
    const kind = st.col.kind;
    /** @type {{ kind: Kind, rows: number, nulls: number, min?: Extreme, max?: Extreme, mean?: number, distinct?: number, over?: boolean, overAt?: number, top?: { value: string, count: number }[] }} */
    const out = { kind, rows: this.rows, nulls: st.nulls };
    if (kind === "num" || kind === "time") {
      out.min = extremeOf(st, c, -1, this._chunks, this._segBits, this._readerOf);
      out.max = extremeOf(st, c, 1, this._chunks, this._segBits, this._readerOf);
    }
    if (kind === "num") {
      const n = this.rows - st.nulls;
      const parts = st.parts.slice();
      addExact(parts, st.isum);
      let sum = roundExact(parts);
      if (st.nan > 0 || (st.pinf > 0 && st.ninf > 0)) sum = NaN;
      else if (st.pinf > 0) sum = Infinity;
      else if (st.ninf > 0) sum = -Infinity;
      out.mean = n > 0 ? sum / n : NaN;
    }
    if (kind === "cat") {
      if (!st.topValid) rebuildTop(st);
      out.over = st.over; // free text or ids: no value counted (summarycats.js)
      out.overAt = st.overAt;
      out.distinct = st.freq.size;
      out.top = st.top.map((e) => ({ value: e.value, count: e.count }));
    }
    return out;
  }

}

/** The value holding a min or max: read it with reader at row. @typedef {{ reader: Reader, row: number } | null} Extreme */

export { kindOf };
