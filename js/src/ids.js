// @ts-check
// The store's index of rows by dom id. Dom ids are `${prefix}${key}` by default (the widget's
// name + "-"). The index key of dom id `${prefix}${n}` (n an integer written as Python's str()
// writes it) is the number n, else the dom id string: number keys need no string per row and
// hash several times faster, and inserts whose ids the kernel leaves to the browser (`key`: an
// integer column) never build a string at all.
//
// Streams keyed by a counter (a step, an offset, a sequence number) send runs of consecutive
// integer keys. A packed block of such rows (bulk.js) takes one range entry, not one map entry
// per row: a million new rows are indexed with about a thousand entries, and a key above every
// key indexed so far is known to be new without a lookup.
import { integerAfter } from "./domids.js";

/** @typedef {import("./rows.js").IndexKey} IndexKey */

/**
 * Keys lo..hi (inclusive) standing for the rows of one pack.
 * @template P
 * @typedef {{ lo: number, hi: number, pack: P }} KeyRange
 */

/**
 * @template {{ id: IndexKey }} H a row, knowing its own index key
 * @template P what stands for rows not made yet (bulk.js's packs)
 */
export class IdIndex {
  constructor() {
    /** @type {string | null} */
    this.prefix = null;
    /** @type {Map<IndexKey, H | P>} single keys */
    this._map = new Map();
    /** @type {KeyRange<P>[]} disjoint, sorted by lo */
    this._ranges = [];
    // Every number key ever indexed since the last clear lies in [_bottom, _top].
    this._bottom = Infinity;
    this._top = -Infinity;
  }

  /** Forgets every row (the prefix stays). */
  clear() {
    this._map = new Map();
    this._ranges = [];
    this._bottom = Infinity;
    this._top = -Infinity;
  }

  /**
   * @param {string} domId
   * @returns {IndexKey}
   */
  keyOf(domId) {
    const p = this.prefix;
    if (p !== null && domId.startsWith(p)) {
      const n = integerAfter(domId, p.length);
      if (n !== null) return n;
    }
    return domId;
  }

  /**
   * Index keys of dom ids, in place.
   * @param {IndexKey[]} domIds strings on the way in
   */
  keysOf(domIds) {
    if (this.prefix !== null) for (let i = 0; i < domIds.length; i++) domIds[i] = this.keyOf(/** @type {string} */ (domIds[i]));
    return domIds;
  }

  /**
   * @param {IndexKey} key
   * @returns {string}
   */
  domIdOf(key) {
    // A number key exists only once a prefix is known.
    return typeof key === "number" ? /** @type {string} */ (this.prefix) + key : key;
  }

  /**
   * The row with this dom id (anything but a string: none).
   * @param {unknown} domId
   * @returns {H | P | undefined}
   */
  get(domId) {
    return typeof domId === "string" ? this.find(this.keyOf(domId)) : undefined;
  }

  /**
   * The row with this index key.
   * @param {IndexKey} key
   * @returns {H | P | undefined}
   */
  find(key) {
    const v = this._map.get(key);
    if (v !== undefined || this._ranges.length === 0 || typeof key !== "number") return v;
    const i = this._rangeAt(key);
    return i >= 0 ? this._ranges[i].pack : undefined;
  }

  /**
   * Whether no row has this key; a number key outside every key indexed needs no lookup.
   * @param {IndexKey} key
   */
  isNew(key) {
    if (typeof key === "number" && (key > this._top || key < this._bottom)) return true;
    return this.find(key) === undefined;
  }

  /**
   * Whether no row has a key in lo..hi (integers).
   * @param {number} lo
   * @param {number} hi
   */
  isNewRange(lo, hi) {
    if (lo > this._top || hi < this._bottom) return true;
    const ranges = this._ranges;
    // Disjoint and sorted: only the range starting at or before lo, and the next, can overlap.
    const i = this._after(lo);
    if ((i > 0 && ranges[i - 1].hi >= lo) || (i < ranges.length && ranges[i].lo <= hi)) return false;
    const map = this._map;
    for (let k = lo; k <= hi; k++) if (map.has(k)) return false;
    return true;
  }

  /**
   * @param {IndexKey} key
   * @param {H | P} row
   */
  put(key, row) {
    this._map.set(key, row);
    if (typeof key === "number") this._widen(key, key);
  }

  /** @param {IndexKey} key */
  remove(key) {
    this._map.delete(key);
  }

  /**
   * Keys lo..hi stand for `pack` (the caller checked they are new: isNewRange).
   * @param {number} lo
   * @param {number} hi
   * @param {P} pack
   */
  putRange(lo, hi, pack) {
    const ranges = this._ranges;
    const entry = { lo, hi, pack };
    if (ranges.length === 0 || lo > ranges[ranges.length - 1].hi) ranges.push(entry);
    else if (hi < ranges[0].lo) ranges.unshift(entry);
    else ranges.splice(this._after(lo), 0, entry);
    this._widen(lo, hi);
  }

  /**
   * Moves the end of the range starting at `lo` to `hi` (the caller checked that keys it adds
   * are new: isNewRange).
   * @param {number} lo
   * @param {number} hi
   */
  setRangeEnd(lo, hi) {
    const i = this._rangeAt(lo);
    if (i < 0 || this._ranges[i].lo !== lo) throw new Error(`no key range starts at ${lo}`);
    this._ranges[i].hi = hi;
    this._widen(lo, hi);
  }

  /** Takes out the range starting at `lo`. @param {number} lo */
  removeRange(lo) {
    const ranges = this._ranges;
    if (ranges[0].lo === lo) ranges.shift();
    else if (ranges[ranges.length - 1].lo === lo) ranges.pop();
    else ranges.splice(this._after(lo) - 1, 1);
  }

  /** Rows in the index (for tests). */
  get size() {
    let n = this._map.size;
    for (const r of this._ranges) n += r.hi - r.lo + 1;
    return n;
  }

  /** Ranges in the index (for tests). */
  get rangeCount() {
    return this._ranges.length;
  }

  /**
   * @param {number} lo
   * @param {number} hi
   */
  _widen(lo, hi) {
    if (lo < this._bottom) this._bottom = lo;
    if (hi > this._top) this._top = hi;
  }

  // The index of the first range starting after `key`.
  /** @param {number} key */
  _after(key) {
    const ranges = this._ranges;
    let a = 0;
    let b = ranges.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if (ranges[m].lo <= key) a = m + 1;
      else b = m;
    }
    return a;
  }

  // The index of the range holding `key`, or -1.
  /** @param {number} key */
  _rangeAt(key) {
    if (key > this._top || key < this._bottom) return -1;
    const i = this._after(key) - 1;
    return i >= 0 && this._ranges[i].hi >= key ? i : -1;
  }

  // The name never changes in a widget's life, so a change (only seen in tests) just re-keys
  // the index. Every row must be made first (no ranges left).
  /** @param {string} prefix */
  setPrefix(prefix) {
    if (prefix === this.prefix) return;
    if (this._ranges.length > 0) throw new Error("setPrefix: packed rows must be made first");
    const rows = /** @type {H[]} */ ([...this._map.values()]);
    const old = rows.map((h) => this.domIdOf(h.id));
    this.prefix = prefix;
    this.clear();
    rows.forEach((h, i) => {
      h.id = this.keyOf(old[i]);
      this.put(h.id, h);
    });
  }
}
