// @ts-check
// Sort and filter in the browser, over the stream store, without a reset. (Just over 400
// lines: keeping the order current through every store change and reading through it are one
// representation; the sort keys and matching live in sorting.js.)
//
// The store keeps the stream order (the contract's positions); a RowOrder is a view of it: the
// rows that match the filter, sorted by one column. With neither on, reads go straight through
// the store, so clearing the sort restores stream order exactly.
//
// Why incremental: the store may hold 1,000,000+ rows and change every ~50 ms while streaming,
// so a full sort per change (~1 s) is out. Per change, refresh() does one O(n) pass in stream
// order (forEachHandle) to find new, updated (revisionOf moved) and gone rows and every row's
// stream position (`seq`, the stable tie-break); makes keys and filter results for the k new or
// updated rows only; sorts those (k log k); and merges them into the sorted survivors (binary
// search per new row, memcpy between). Survivors stay sorted although their `seq` shifts: the
// contract has no moves, so two live rows never change their relative stream order.
//
// Memory: per-row state lives in typed arrays indexed by a slot (~50 bytes a row, nothing for
// the garbage collector to trace; one object per row made the first sort 3x slower). A row's
// slot number is kept on its handle by the store (store.slotOf / setSlot): a Map lookup per row
// would cost ~5x the whole pass.
import { needleOf, textMatches } from "./columns.js";
import { comparator, flipSorted, keep, kindOf, merge, setKey, sortFresh } from "./sorting.js";

/** @typedef {import("./store.js").RowStore} RowStore */
/** @typedef {import("./store.js").Handle} Handle */
/** @typedef {import("./types.js").Sort} Sort */
/** @typedef {import("./sorting.js").Kind} Kind */
/** @typedef {import("./sorting.js").SlotKeys} SlotKeys */
/**
 * The displayed text of a value in a column; `handle` is the row, when known.
 * @typedef {(value: unknown, column: string, handle?: Handle) => string | null | undefined} TextOf
 */
/**
 * What keys and matches were last made for.
 * @typedef {{ key?: string | null, keyText?: TextOf | null, match?: string | null,
 *   matchText?: TextOf, needle?: string }} Signature
 */

/** @type {TextOf} */
const defaultText = (value) => String(value);

/**
 * `old`'s contents at the start of `grown`.
 * @template {Int32Array | Uint8Array | Float64Array} A
 * @param {A} old
 * @param {A} grown
 */
function grow(old, grown) {
  grown.set(old);
  return grown;
}

export class RowOrder {
  /** @param {RowStore} store */
  constructor(store) {
    this._store = store;
    this._field = store.newSlot("RowOrder"); // one per instance: two orders never mix slots
    /** @type {Sort | null} */
    this._sort = null;
    this._filter = "";
    this._needle = ""; // trimmed, lower-cased filter; "" = no filter
    /** @type {string[] | null} null = every store column */
    this._columns = null;
    this._text = defaultText;
    this._stale = true;
    // The per-slot state, declared here for the type checker and set by _release().
    /** @type {Int32Array | null} every live slot, in order (filtered out ones too); null: inactive */
    this._sorted;
    /** @type {Int32Array | null} the slots that pass the filter, in order */
    this._order;
    /** @type {boolean} */ this._posValid;
    /** @type {number} */ this._seen;
    /** @type {number} */ this._pass;
    /** @type {number} */ this._count;
    /** @type {Signature} */ this._sig;
    /** @type {boolean} */ this._desc;
    /** @type {number} */ this._cap;
    /** @type {number} */ this._next;
    /** @type {number[]} */ this._free;
    /** @type {Int32Array} */ this._rev;
    /** @type {Int32Array} */ this._seq;
    /** @type {Int32Array} */ this._passOf;
    /** @type {Int32Array} */ this._pos;
    /** @type {Uint8Array} */ this._rank;
    /** @type {Float64Array} */ this._key;
    /** @type {Uint8Array} */ this._match;
    /** @type {(Handle | null)[]} */ this._h;
    /** @type {(number | bigint | string | null)[]} */ this._key2;
    /** @type {(string | null)[]} */ this._key3;
    this._release();
  }

  _release() {
    this._sorted = null; // every live slot, in order (filtered out ones too); null: inactive
    this._order = null; // the slots that pass the filter, in order
    this._posValid = false; // _pos matches _order
    this._seen = -1; // store.version of the last refresh
    this._pass = 0;
    this._count = 0; // live slots
    this._sig = {}; // what keys and matches were made for (column, type, needle, columns, text)
    this._desc = false; // direction `_sorted` is in
    this._cap = 0;
    this._next = 0; // slots below this were used
    this._free = [];
    // Per-slot typed arrays: store revision the key / match were made from, stream position at
    // the last pass, last pass that saw the row, position in the order (indexOf); the sort key
    // (sorting.SlotKeys: rank, key, key2, key3); whether the row passes the filter.
    this._rev = new Int32Array(0);
    this._seq = new Int32Array(0);
    this._passOf = new Int32Array(0);
    this._pos = new Int32Array(0);
    this._rank = new Uint8Array(0);
    this._key = new Float64Array(0);
    this._match = new Uint8Array(0);
    [this._h, this._key2, this._key3] = [[], [], []]; // _h: the handle, null when free
  }

  // Room for `n` slots (grown by half, so appends cost amortized O(1) each).
  /** @param {number} n */
  _reserve(n) {
    if (n <= this._cap) return;
    const cap = Math.max(Math.ceil(1.25 * n), Math.ceil(1.5 * this._cap), 1024);
    this._rev = grow(this._rev, new Int32Array(cap));
    this._seq = grow(this._seq, new Int32Array(cap));
    this._passOf = grow(this._passOf, new Int32Array(cap));
    this._pos = grow(this._pos, new Int32Array(cap));
    this._rank = grow(this._rank, new Uint8Array(cap));
    this._key = grow(this._key, new Float64Array(cap));
    this._match = grow(this._match, new Uint8Array(cap));
    for (const a of /** @type {unknown[][]} */ ([this._h, this._key2, this._key3])) {
      a.length = cap; // then filled: holey but never sparse, so elements stay fast
      a.fill(null, this._cap);
    }
    this._cap = cap;
  }

  // Drops every slot (the view calls this when it goes; clearing sort and filter does too).
  dispose() {
    if (this._sorted === null) return;
    this._store.clearSlot(this._field);
    this._release();
  }

  // A key left out (undefined) keeps its setting. sort: null | { column, descending }; filter:
  // string; columns: names the filter searches (null: all); text(value, column, handle): the
  // displayed text (null: String). Pass the same `text` function unless the text changed: a new one
  // re-runs the filter on every row.
  /**
   * @param {{ sort?: Sort | null, filter?: string | null, columns?: string[] | null,
   *   text?: TextOf | null }} [settings]
   */
  configure({ sort, filter, columns, text } = {}) {
    /** @type {(ok: boolean, what: string, v: unknown) => void} */
    const check = (ok, what, v) => {
      if (!ok) throw new Error(`${what}, got ${typeof v === "object" ? JSON.stringify(v) : typeof v}`);
    };
    check(sort == null || typeof sort.column === "string", "sort must be null or { column, descending }", sort);
    check(filter == null || typeof filter === "string", "filter must be a string", filter);
    check(columns == null || Array.isArray(columns), "columns must be an array of names or null", columns);
    check(text == null || typeof text === "function", "text must be a function or null", text);
    const next = {
      _sort: sort === undefined ? this._sort : sort && { column: sort.column, descending: !!sort.descending },
      _filter: filter === undefined ? this._filter : (filter ?? ""),
      _columns: columns === undefined ? this._columns : columns && [...columns],
      _text: text === undefined ? this._text : text || defaultText,
    };
    const fields = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (this)); // the four above
    for (const [name, value] of Object.entries(next)) {
      const same = name === "_text" ? value === this._text : JSON.stringify(value) === JSON.stringify(fields[name]);
      if (same) continue;
      fields[name] = value;
      this._stale = true;
    }
    this._needle = needleOf(this._filter);
  }

  get active() {
    return this._sort !== null || this._needle !== "";
  }

  // Brings the order up to date; returns whether it may have changed. O(1) when inactive or
  // when neither the store nor a setting changed. Reads call it too.
  refresh() {
    const store = this._store;
    if (!this.active) {
      const was = this._stale;
      this._stale = false;
      this.dispose();
      return was;
    }
    if (!this._stale && this._seen === store.version) return false;
    this._stale = false;
    this._seen = store.version;

    const [sort, needle, text, last] = [this._sort, this._needle, this._text, this._sig];
    const kind = sort ? (store.isDecimalText?.(sort.column) ? "num" : kindOf(store.fieldType(sort.column))) : null;
    const cols = this._columns ?? store.columns;
    const sig = {
      key: sort ? `${store.fieldType(sort.column)}:${sort.column}` : null,
      keyText: kind === "text" ? text : null, // a column sorted by its displayed text
      match: needle ? `${needle}\u0000${cols.join("\u0000")}` : null,
      matchText: text,
      needle,
    };
    this._sig = sig;
    const rekeyAll = sort !== null && (this._sorted === null || sig.key !== last.key || sig.keyText !== last.keyText);
    const rematchAll = needle !== "" && (sig.match !== last.match || text !== last.matchText);
    // Typing on narrows the filter: a row that did not contain "ab" cannot contain "abc".
    // (A match signature is made with its needle, and sig.match is set whenever rematchAll.)
    const lastNeedle = /** @type {string} */ (last.needle);
    const narrowing = rematchAll && last.match && text === last.matchText && needle.includes(lastNeedle) &&
      /** @type {string} */ (sig.match).slice(needle.length) === last.match.slice(lastNeedle.length);

    // A direction change only: flip the sorted rows in O(n) instead of sorting again.
    if (sort && !rekeyAll && sort.descending !== this._desc) {
      flipSorted(/** @type {Int32Array} */ (this._sorted), this._keys()); // sorted: not rekeyAll
      this._desc = !this._desc;
    }

    // The pass. A slot's pass number is negated while it is new or updated in this pass; new
    // rows (handles in `fresh`) get their slots after it, when we know how many there are.
    const { _field: field, _h: hs, _seq: seq } = this;
    let { _rev: rev, _passOf: passOf } = this;
    const pass = ++this._pass;
    /** @type {(Handle | number)[]} new rows' handles, then slots: updated rows' slots */
    const fresh = [];
    /** @type {number[]} */
    const born = [];
    const all = sort ? null : new Int32Array(store.size);
    let updated = 0;
    store.forEachHandle((h, i) => {
      const s = store.slotOf(h, field);
      if (s === undefined || hs[s] !== h) {
        fresh.push(h);
        born.push(i);
        return;
      }
      if (rekeyAll || rev[s] !== store.revisionOf(h)) {
        fresh.push(s);
        passOf[s] = -pass;
        updated++;
      } else {
        passOf[s] = pass;
      }
      seq[s] = i;
      if (all !== null) all[i] = s;
    });
    if (born.length) {
      this._slotsFor(fresh, born, pass, all);
      ({ _rev: rev, _passOf: passOf } = this); // grown
    }
    // Rows gone since the last pass (deleted, pruned, reset) are the slots it did not see.
    const prev = this._sorted ?? new Int32Array(0);
    if (this._count > store.size) {
      for (const s of prev) {
        if (passOf[s] !== pass && passOf[s] !== -pass) {
          hs[s] = this._key2[s] = this._key3[s] = null;
          this._free.push(s);
        }
      }
      updated += this._count - store.size;
      this._count = store.size;
    }
    const survivors = sort && updated > 0 ? keep(prev, (s) => passOf[s] === pass) : prev;

    const match = this._match;
    const slots = /** @type {number[]} */ (fresh); // every new row has its slot now
    const keys = this._keys();
    /** @type {(v: unknown, h: Handle) => unknown} */
    const textKey = (v, h) => text(v, /** @type {Sort} */ (sort).column, h);
    for (const s of slots) {
      const h = /** @type {Handle} */ (hs[s]);
      passOf[s] = pass;
      rev[s] = store.revisionOf(h);
      if (sort) setKey(keys, s, store.valueOf(h, sort.column), /** @type {Kind} */ (kind), h, textKey);
      if (needle) match[s] = this._matches(h, cols, needle);
    }
    if (rematchAll) {
      for (const s of all ?? survivors) if (!narrowing || match[s]) match[s] = this._matches(/** @type {Handle} */ (hs[s]), cols, needle);
    }

    // Without a sort, `all` holds every slot in stream order.
    let sorted = /** @type {Int32Array} */ (all);
    if (sort) {
      const cmp = comparator(keys, sort.descending);
      this._desc = sort.descending;
      sorted = merge(survivors, sortFresh(slots, keys, sort.descending, cmp), cmp);
    }
    this._sorted = sorted;
    this._order = needle ? keep(sorted, (s) => match[s] === 1) : sorted;
    this._posValid = false;
    return true;
  }

  // Gives the new rows (handles in `fresh`, at stream positions `born`) slots, in place.
  /**
   * @param {(Handle | number)[]} fresh
   * @param {number[]} born
   * @param {number} pass
   * @param {Int32Array | null} all
   */
  _slotsFor(fresh, born, pass, all) {
    this._reserve(this._count + born.length);
    this._count += born.length;
    let b = 0;
    for (let j = 0; j < fresh.length; j++) {
      const h = fresh[j];
      if (typeof h === "number") continue;
      const s = this._free.length ? /** @type {number} */ (this._free.pop()) : this._next++;
      this._h[s] = h;
      this._store.setSlot(h, this._field, s);
      this._passOf[s] = -pass;
      this._seq[s] = born[b++];
      if (all !== null) all[this._seq[s]] = s;
      fresh[j] = s;
    }
  }

  /**
   * 1 when the text of one of `cols` contains `needle`, else 0.
   * @param {Handle} h
   * @param {string[]} cols
   * @param {string} needle
   */
  _matches(h, cols, needle) {
    for (const c of cols) {
      const v = this._store.valueOf(h, c);
      if (v === null || v === undefined) continue;
      if (textMatches(this._text(v, c, h), needle)) return 1;
    }
    return 0;
  }

  /** The key arrays (as they are now: _reserve replaces them). @returns {SlotKeys} */
  _keys() {
    return { rank: this._rank, key: this._key, key2: this._key2, key3: this._key3, seq: this._seq };
  }

  // ---- reads: positions in the current order ---------------------------------------------

  get size() {
    this.refresh();
    return this._order === null ? this._store.size : this._order.length;
  }

  /**
   * @param {number} i
   * @returns {Handle | undefined}
   */
  handleAt(i) {
    this.refresh();
    if (this._order === null) return this._store.handleAt(i);
    return Number.isInteger(i) && i >= 0 && i < this._order.length ? /** @type {Handle} */ (this._h[this._order[i]]) : undefined;
  }

  /** @param {number} i */
  domIdAt(i) {
    const h = this.readHandleAt(i);
    return h === undefined ? undefined : this._store.domIdOf(h);
  }

  /** A handle to read the row at display position i by (store.readHandleAt). @param {number} i */
  readHandleAt(i) {
    this.refresh();
    return this._order === null ? this._store.readHandleAt(i) : this.handleAt(i);
  }

  /** The batch and row at display position i. @param {number} i */
  batchAt(i) {
    const h = this.readHandleAt(i);
    return h === undefined ? undefined : this._store.batchOf(h);
  }

  /**
   * @param {number} i
   * @param {string} column
   */
  valueAt(i, column) {
    const h = this.handleAt(i);
    return h === undefined ? undefined : this._store.valueOf(h, column);
  }

  // Dom ids of positions [start, end), as store.slice.
  /**
   * @param {number} [start]
   * @param {number} [end]
   * @returns {string[]}
   */
  slice(start = 0, end = this.size) {
    this.refresh();
    if (this._order === null) return this._store.slice(start, end);
    const part = this._order.subarray(Math.max(0, start), Math.max(0, end));
    return Array.from(part, (s) => this._store.domIdOf(/** @type {Handle} */ (this._h[s])));
  }

  // Position of a row in the current order; -1 when absent or filtered out. O(1), after one
  // O(n) write of positions on the first call after a change (not paid while nobody asks).
  /** @param {string} domId */
  indexOf(domId) {
    this.refresh();
    if (this._order === null) return this._store.indexOf(domId);
    const h = this._store.handleOf(domId);
    const s = h === undefined ? undefined : this._store.slotOf(h, this._field);
    if (s === undefined || this._h[s] !== h || (this._needle && !this._match[s])) return -1;
    if (!this._posValid) {
      const order = this._order;
      for (let i = 0; i < order.length; i++) this._pos[order[i]] = i;
      this._posValid = true;
    }
    return this._pos[s];
  }
}
