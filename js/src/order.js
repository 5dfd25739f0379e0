// Sort and filter in the browser, over the stream store, without a reset.
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
import { kindOf, keep, merge, numKey, radixSort } from "./sorting.js";

const RADIX_MIN = 20000; // below this a comparator sort beats four passes over 65536 buckets
const defaultText = (value) => String(value);
// Per-slot typed arrays: store revision the key / match were made from, stream position at the
// last pass, last pass that saw the row, position in the order (indexOf), rank, key, match.
const SLOT_ARRAYS = { _rev: Int32Array, _seq: Int32Array, _passOf: Int32Array, _pos: Int32Array };
Object.assign(SLOT_ARRAYS, { _rank: Uint8Array, _key: Float64Array, _match: Uint8Array });

export class RowOrder {
  constructor(store) {
    this._store = store;
    this._field = store.newSlot("RowOrder"); // one per instance: two orders never mix slots
    this._sort = null; // null or { column, descending }
    this._filter = "";
    this._needle = ""; // trimmed, lower-cased filter; "" = no filter
    this._columns = null; // null = every store column
    this._text = defaultText;
    this._stale = true;
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
    // rank: 0 a value, 1 NaN, 2 null (NaN and null go last both ways, as pandas puts NaN). Key
    // (key, key2, key3): a number alone; a BigInt beyond 2^53 as (Number(b), b), as rounding
    // never reverses an order; a string as (0, lower case, itself).
    for (const [name, T] of Object.entries(SLOT_ARRAYS)) this[name] = new T(0);
    [this._h, this._key2, this._key3] = [[], [], []]; // _h: the handle, null when free
  }

  // Room for `n` slots (grown by half, so appends cost amortized O(1) each).
  _reserve(n) {
    if (n <= this._cap) return;
    const cap = Math.max(Math.ceil(1.25 * n), Math.ceil(1.5 * this._cap), 1024);
    for (const [name, T] of Object.entries(SLOT_ARRAYS)) {
      const a = new T(cap);
      a.set(this[name]);
      this[name] = a;
    }
    for (const a of [this._h, this._key2, this._key3]) {
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
  configure({ sort, filter, columns, text } = {}) {
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
    for (const [name, value] of Object.entries(next)) {
      const same = name === "_text" ? value === this._text : JSON.stringify(value) === JSON.stringify(this[name]);
      if (same) continue;
      this[name] = value;
      this._stale = true;
    }
    this._needle = this._filter.trim().toLowerCase();
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
    const narrowing = rematchAll && last.match && text === last.matchText && needle.includes(last.needle) &&
      sig.match.slice(needle.length) === last.match.slice(last.needle.length);

    // A direction change only: flip the sorted rows in O(n) instead of sorting again.
    if (sort && !rekeyAll && sort.descending !== this._desc) this._flip();

    // The pass. A slot's pass number is negated while it is new or updated in this pass; new
    // rows (handles in `fresh`) get their slots after it, when we know how many there are.
    const { _field: field, _h: hs, _seq: seq } = this;
    let { _rev: rev, _passOf: passOf } = this;
    const pass = ++this._pass;
    const fresh = [];
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
    for (const s of fresh) {
      passOf[s] = pass;
      rev[s] = store.revisionOf(hs[s]);
      if (sort) this._setKey(s, store.valueOf(hs[s], sort.column), kind, hs[s]);
      if (needle) match[s] = this._matches(hs[s], cols, needle);
    }
    if (rematchAll) {
      for (const s of all ?? survivors) if (!narrowing || match[s]) match[s] = this._matches(hs[s], cols, needle);
    }

    let sorted = all;
    if (sort) {
      const cmp = this._comparator(sort.descending);
      this._desc = sort.descending;
      sorted = merge(survivors, this._sortFresh(fresh, sort.descending, cmp), cmp);
    }
    this._sorted = sorted;
    this._order = needle ? keep(sorted, (s) => match[s] === 1) : sorted;
    this._posValid = false;
    return true;
  }

  // Gives the new rows (handles in `fresh`, at stream positions `born`) slots, in place.
  _slotsFor(fresh, born, pass, all) {
    this._reserve(this._count + born.length);
    this._count += born.length;
    let b = 0;
    for (let j = 0; j < fresh.length; j++) {
      const h = fresh[j];
      if (typeof h === "number") continue;
      const s = this._free.length ? this._free.pop() : this._next++;
      this._h[s] = h;
      this._store.setSlot(h, this._field, s);
      this._passOf[s] = -pass;
      this._seq[s] = born[b++];
      if (all !== null) all[this._seq[s]] = s;
      fresh[j] = s;
    }
  }

  _setKey(s, v, kind, h) {
    let [rank, key, key2, key3] = [0, 0, null, null];
    if (v === null || v === undefined) {
      rank = 2;
    } else if (kind === "num") {
      const k = numKey(v);
      if (typeof k === "bigint") [key, key2] = [Number(k), k];
      else if (k !== k) rank = 1; // NaN
      else key = k;
    } else {
      key3 = kind === "str" ? String(v) : String(this._text(v, this._sort.column, h));
      key2 = key3.toLowerCase();
    }
    [this._rank[s], this._key[s], this._key2[s], this._key3[s]] = [rank, key, key2, key3];
  }

  _matches(h, cols, needle) {
    for (const c of cols) {
      const v = this._store.valueOf(h, c);
      if (v === null || v === undefined) continue;
      const t = this._text(v, c, h);
      if (t !== null && t !== undefined && String(t).toLowerCase().includes(needle)) return 1;
    }
    return 0;
  }

  // Values by key (reversed when descending), then NaN, then null; ties in stream order in
  // both directions (a stable sort, whichever way).
  _comparator(descending) {
    const { _rank: rank, _key: key, _key2: key2, _key3: key3, _seq: seq } = this;
    const sign = descending ? -1 : 1;
    return (a, b) => {
      if (rank[a] !== rank[b]) return rank[a] - rank[b];
      if (rank[a] === 0) {
        if (key[a] !== key[b]) return key[a] < key[b] ? -sign : sign;
        if (key2[a] !== key2[b]) return key2[a] < key2[b] ? -sign : sign;
        if (key3[a] !== key3[b]) return key3[a] < key3[b] ? -sign : sign;
      }
      return seq[a] - seq[b];
    };
  }

  // New and updated rows come in stream order: sort the values stably (radix when all keys are
  // plain numbers), then NaN, then null, each already in stream order.
  _sortFresh(fresh, descending, cmp) {
    const groups = [[], [], []];
    for (const s of fresh) groups[this._rank[s]].push(s);
    const values = groups[0];
    const numbers = values.length > RADIX_MIN && values.every((s) => this._key2[s] === null);
    const out = new Int32Array(fresh.length);
    out.set(numbers ? radixSort(values, this._key, descending) : values.sort(cmp));
    out.set(groups[1], values.length);
    out.set(groups[2], values.length + groups[1].length);
    return out;
  }

  // Sorted one way -> the other: values reverse, but NaN / null stay last and ties keep stream
  // order, so reverse the value part, then each run of equal keys back again.
  _flip() {
    const { _sorted: a, _rank: rank, _key: key, _key2: key2, _key3: key3 } = this;
    let m = 0;
    while (m < a.length && rank[a[m]] === 0) m++;
    a.subarray(0, m).reverse();
    for (let i = 0, j = 1; i < m; i = j, j = i + 1) {
      const s = a[i];
      while (j < m && key[a[j]] === key[s] && key2[a[j]] === key2[s] && key3[a[j]] === key3[s]) j++;
      if (j - i > 1) a.subarray(i, j).reverse();
    }
    this._desc = !this._desc;
  }

  // ---- reads: positions in the current order ---------------------------------------------

  get size() {
    this.refresh();
    return this._order === null ? this._store.size : this._order.length;
  }

  handleAt(i) {
    this.refresh();
    if (this._order === null) return this._store.handleAt(i);
    return Number.isInteger(i) && i >= 0 && i < this._order.length ? this._h[this._order[i]] : undefined;
  }

  domIdAt(i) {
    const h = this.handleAt(i);
    return h === undefined ? undefined : this._store.domIdOf(h);
  }

  valueAt(i, column) {
    const h = this.handleAt(i);
    return h === undefined ? undefined : this._store.valueOf(h, column);
  }

  // Dom ids of positions [start, end), as store.slice.
  slice(start = 0, end = this.size) {
    this.refresh();
    if (this._order === null) return this._store.slice(start, end);
    const part = this._order.subarray(Math.max(0, start), Math.max(0, end));
    return Array.from(part, (s) => this._store.domIdOf(this._h[s]));
  }

  // Position of a row in the current order; -1 when absent or filtered out. O(1), after one
  // O(n) write of positions on the first call after a change (not paid while nobody asks).
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
