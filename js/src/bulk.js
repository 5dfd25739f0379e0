// @ts-check
// (Just over 400 lines: the pack, which stands for rows without handles, and the insert path
// that makes packs share the same invariants; store.js keeps the per-row semantics.)
// The store's fast path for the common insert: a batch of rows whose ids are all new (none in
// the store, none twice in the batch), appended (at=-1) or prepended (at=0), with or without a
// limit. Such a batch needs no per-row placement or pruning: the result of the per-row
// semantics (store.js) is known up front.
// - Appending rows one by one and keeping the first `limit` after each equals appending them
//   all and keeping the first `limit` once; the same holds for the last -limit, and for
//   prepending (which reverses the batch). So the rows that stay are one contiguous range of
//   the batch, and the rows to prune are the old rows at one end.
// - The rows that stay go in as block-sized runs (blocklist.js takes whole runs as blocks):
//   packs (no handle per row until one is read) for whole blocks and an append's last rows,
//   which the next append grows when its keys go on from them; handles only for the room left
//   in the end block otherwise. The old rows go in bulk (pruneFront / pruneBack drop whole
//   blocks).
// Whether the ids are new is found by the lookup the index needs anyway (a whole block of
// consecutive integer keys takes one range entry, ids.js); the first id already there undoes
// what was indexed and leaves the batch to the per-row path, so nothing differs.
import { RowHandle } from "./rows.js";

/** @typedef {import("./rows.js").IndexKey} IndexKey */
/** @typedef {import("./rows.js").Chunk} Chunk */
/** @typedef {import("./blocklist.js").BlockList<RowHandle>} Rows */
/** @typedef {import("./ids.js").IdIndex<RowHandle, Pack>} Index */
/**
 * What a pack needs of the store: the id index and what to do when a pack is pruned whole (let
 * go of its rows of the chunk).
 * @typedef {{ index: Index, dropped: (pack: Pack) => void }} Owner
 */

// A block of rows without handles yet (blocklist.js's Packed): the id index maps their ids to
// the pack. Handles cost an object per row, and a million objects that outlive the young
// generation cost more to collect than everything else in an insert; a row only needs one once
// it is read or changed, which a view does for the rows it shows. A pack holds rows of one
// batch, or, when its keys are one range, runs of several batches: a live feed's small diffs
// fill the last block's pack instead of each row getting a handle.
export class Pack {
  /**
   * @param {Owner} owner
   * @param {IndexKey[]} ids the batch's index keys
   * @param {Chunk} chunk
   * @param {number} first the row of the pack's first item
   * @param {number} step 1, or -1 for a prepended (reversed) batch
   * @param {number} size
   */
  constructor(owner, ids, chunk, first, step, size) {
    this.owner = owner;
    /** @type {IndexKey[] | null} the batch's keys; null once the pack is indexed as a range,
     * whose keys it computes (the batch's key array, 8 bytes a row, can then be collected) */
    this.ids = ids;
    // Its runs, in list order: rows firsts[k], firsts[k] + step, ... (counts[k] of them) of
    // chunks[k]. One run unless grown (range-indexed packs only).
    /** @type {Chunk[]} */
    this.chunks = [chunk];
    this.firsts = [first];
    this.counts = [size];
    this.step = step;
    this.size = size;
    /** @type {import("./blocklist.js").Linked["block"]} the BlockList's link */
    this.block = null;
    /** @type {number | null} the lowest key when the index holds the rows as one range */
    this.rangeLo = null;
    // When indexed as a range: the first item's key and the key's change per item (1 or -1).
    this.key0 = 0;
    this.keyStep = 0;
  }

  /** @returns {RowHandle[]} the rows' handles, in list order, now in the index */
  unpack() {
    const { ids, chunks, firsts, counts, step, key0, keyStep } = this;
    const index = this.owner.index;
    if (this.rangeLo !== null) index.removeRange(this.rangeLo);
    this.rangeLo = null;
    /** @type {RowHandle[]} filled by push: a packed array, like the list's other blocks */
    const items = [];
    for (let k = 0; k < chunks.length; k++) {
      const chunk = chunks[k];
      for (let j = 0, r = firsts[k]; j < counts[k]; j++, r += step) {
        const h = new RowHandle(ids === null ? key0 + keyStep * items.length : ids[r], chunk, r);
        index.put(h.id, h);
        items.push(h);
      }
    }
    return items;
  }

  /**
   * Calls fn(chunk, first, step, count) for each of its runs, in list order.
   * @param {(chunk: Chunk, first: number, step: number, count: number) => void} fn
   */
  forEachRun(fn) {
    for (let k = 0; k < this.chunks.length; k++) fn(this.chunks[k], this.firsts[k], this.step, this.counts[k]);
  }

  /** The index key of the item at `offset`, without making it. @param {number} offset */
  keyAt(offset) {
    const { ids } = this;
    return ids === null ? this.key0 + this.keyStep * offset : ids[this.firsts[0] + this.step * offset];
  }

  /**
   * The batch and row of the item at `offset`, without making it.
   * @param {number} offset
   * @returns {{ chunk: Chunk, row: number }}
   */
  rowAt(offset) {
    let k = 0;
    while (offset >= this.counts[k]) offset -= this.counts[k++];
    return { chunk: this.chunks[k], row: this.firsts[k] + this.step * offset };
  }

  /**
   * A handle to read the item at `offset` by (id, batch, row; never updated), made for the
   * caller alone: not the row's handle, not listed nor indexed, so the pack stays packed.
   * @param {number} offset
   */
  readHandle(offset) {
    const { chunk, row } = this.rowAt(offset);
    return new RowHandle(this.keyAt(offset), chunk, row);
  }

  /** The key the next appended row needs to grow the pack, or null when it cannot grow. */
  get nextKey() {
    if (this.ids !== null || this.rangeLo === null || this.step !== 1 || this.keyStep !== 1) return null;
    return this.key0 + this.size;
  }

  /**
   * Appends rows first.. (count of them) of chunk, whose keys (nextKey on) the index already
   * maps to this pack (indexRange).
   * @param {Chunk} chunk
   * @param {number} first
   * @param {number} count
   */
  grow(chunk, first, count) {
    this.chunks.push(chunk);
    this.firsts.push(first);
    this.counts.push(count);
    this.size += count;
  }

  // Pruned as a whole.
  drop() {
    this.unindex(this.size);
    this.owner.dropped(this);
  }

  /** Takes the first `count` rows (all of them when indexed as a range) out of the index. @param {number} count */
  unindex(count) {
    const { ids, step } = this;
    const first = this.firsts[0]; // a pack with keys of its own (not a range) has one run
    const index = this.owner.index;
    if (this.rangeLo !== null || ids === null) {
      if (this.rangeLo !== null) index.removeRange(this.rangeLo);
      this.rangeLo = null;
      return;
    }
    for (let i = 0, r = first; i < count; i++, r += step) index.remove(ids[r]);
  }

  /**
   * Indexes the pack's rows, as one range when their keys are consecutive integers; false, with
   * the index as it was, when a key is not new.
   * @returns {boolean}
   */
  index() {
    const { ids, step, size } = this;
    const first = this.firsts[0];
    const index = this.owner.index;
    if (ids === null) throw new Error("a pack is indexed once");
    const k0 = ids[first];
    const kn = ids[first + step * (size - 1)];
    if (typeof k0 === "number" && typeof kn === "number" && Math.abs(kn - k0) === size - 1) {
      const d = kn > k0 ? 1 : -1;
      let i = 1;
      for (let r = first + step; i < size && ids[r] === k0 + d * i; i++, r += step);
      if (i === size) {
        const lo = Math.min(k0, kn);
        const hi = lo + size - 1;
        if (!index.isNewRange(lo, hi)) return false;
        index.putRange(lo, hi, this);
        this.rangeLo = lo;
        this.key0 = k0;
        this.keyStep = size === 1 ? 1 : d;
        this.ids = null;
        return true;
      }
    }
    for (let i = 0, r = first; i < size; i++, r += step) {
      const id = ids[r];
      if (!index.isNew(id)) {
        this.unindex(i);
        return false;
      }
      index.put(id, this);
    }
    return true;
  }
}

/**
 * The handle of the row with index key `key`, made now if the row is packed.
 * @param {Rows} rows
 * @param {Index} index
 * @param {IndexKey} key
 * @returns {RowHandle | undefined}
 */
export function handleOf(rows, index, key) {
  const v = index.find(key);
  if (!(v instanceof Pack)) return v;
  rows.unpack(v);
  return /** @type {RowHandle} */ (index.find(key));
}

/**
 * What the per-row semantics leave of a batch of n new rows placed at an end of s rows: rows
 * [lo, hi) of the batch stay, and `pruneFront` / `pruneBack` old rows go.
 * @param {number} s rows now
 * @param {number} n rows in the batch
 * @param {boolean} prepend at=0 (else at=-1)
 * @param {number | null} limit
 */
export function plan(s, n, prepend, limit) {
  let lo = 0;
  let hi = n;
  let pruneFront = 0;
  let pruneBack = 0;
  if (limit !== null && limit >= 0) {
    // The first `limit` rows of the new list stay.
    if (prepend) {
      lo = Math.max(0, n - limit); // the batch reversed comes first
      pruneBack = Math.max(0, s - (limit - (hi - lo)));
    } else {
      hi = Math.max(0, Math.min(n, limit - s));
      pruneBack = Math.max(0, s - limit);
    }
  } else if (limit !== null) {
    // The last -limit rows stay.
    const keep = -limit;
    if (prepend) {
      hi = Math.max(0, Math.min(n, keep - s)); // the old rows come last
      pruneFront = Math.max(0, s - keep);
    } else {
      lo = n - Math.min(n, keep);
      pruneFront = Math.max(0, s - (keep - (hi - lo)));
    }
  }
  return { lo, hi, pruneFront, pruneBack };
}

/**
 * Inserts a batch at an end when all its ids are new; returns the rows [lo, hi) of the batch
 * that stay (the caller counts them on the chunk), or null, having changed nothing, when some
 * id is not new.
 * @param {Rows} rows
 * @param {Owner} owner
 * @param {IndexKey[]} ids the batch's index keys, in row order
 * @param {Chunk} chunk the batch
 * @param {boolean} prepend at=0 (else at=-1)
 * @param {number | null} limit
 * @param {(h: RowHandle) => void} dropped called for each pruned old row
 */
export function insertNew(rows, owner, ids, chunk, prepend, limit, dropped) {
  const n = ids.length;
  const index = owner.index;
  const { lo, hi, pruneFront, pruneBack } = plan(rows.size, n, prepend, limit);
  const grown = prepend ? null : growLast(rows, index, ids, lo, hi);
  const from = lo + (grown === null ? 0 : grown.count);
  const runs = makeRuns(rows, owner, ids, chunk, from, hi, prepend, grown !== null);
  if (runs !== null && (lo > 0 || hi < n) && !othersNew(index, ids, lo, hi)) unindex(index, runs, runs.length);
  else if (runs !== null) {
    if (grown !== null) {
      grown.pack.grow(chunk, lo, grown.count);
      rows.grewAtEnd(grown.count);
    }
    if (pruneFront > 0) rows.pruneFront(pruneFront, dropped);
    if (pruneBack > 0) rows.pruneBack(pruneBack, dropped);
    if (prepend) rows.prependRuns(runs);
    else rows.appendRuns(runs);
    return { lo, hi };
  }
  if (grown !== null) index.setRangeEnd(/** @type {number} */ (grown.pack.rangeLo), grown.end);
  return null;
}

// When the list ends in a packed block that has room and whose keys are a range the batch's
// first rows continue (a live feed's next diff, with default ids): indexes those rows as part
// of that range, and says how many (the caller grows the pack once the whole batch is known to
// be new, or sets the range back to `end`). Else null.
/**
 * @param {Rows} rows
 * @param {Index} index
 * @param {IndexKey[]} ids
 * @param {number} lo
 * @param {number} hi
 * @returns {{ pack: Pack, count: number, end: number } | null}
 */
function growLast(rows, index, ids, lo, hi) {
  const pack = rows.lastPacked;
  if (!(pack instanceof Pack)) return null;
  const start = pack.nextKey; // null unless its keys are a range that rows can extend
  const count = Math.min(hi - lo, rows.blockSize - pack.size);
  if (start === null || count <= 0) return null;
  for (let i = 0; i < count; i++) if (ids[lo + i] !== start + i) return null;
  if (!index.isNewRange(start, start + count - 1)) return null;
  index.setRangeEnd(/** @type {number} */ (pack.rangeLo), start + count - 1);
  return { pack, count, end: start - 1 };
}

// Rows [lo, hi) indexed, in list order (reversed when prepending), cut into runs the way
// one-by-one appends (prepends) would fill blocks: first (last) handles for the room left in
// the end block (none when the rows before went into its pack: `grown`), then packs of whole
// blocks, then the rest: a pack when appending (the next diff may grow it), else handles.
// Null, with the index as it was, when an id is not new.
/**
 * @param {Rows} rows
 * @param {Owner} owner
 * @param {IndexKey[]} ids
 * @param {Chunk} chunk
 * @param {number} lo
 * @param {number} hi
 * @param {boolean} prepend
 * @param {boolean} grown
 * @returns {(RowHandle[] | Pack)[] | null}
 */
function makeRuns(rows, owner, ids, chunk, lo, hi, prepend, grown) {
  const index = owner.index;
  const m = hi - lo;
  const b = rows.blockSize;
  /** @type {number[]} run lengths in list order */
  const sizes = [];
  /** @type {boolean[]} whether each run is a pack */
  const packed = [];
  /** @param {number} len @param {boolean} pack */
  const add = (len, pack) => {
    sizes.push(len);
    packed.push(pack);
  };
  if (m > 0) {
    const room = grown ? 0 : Math.min(m, prepend ? rows.roomAtFront : rows.roomAtEnd);
    const rest = m - room;
    const whole = Math.floor(rest / b);
    const part = rest - whole * b;
    if (!prepend && room > 0) add(room, false);
    if (prepend && part > 0) add(part, false);
    for (let k = 0; k < whole; k++) add(b, true);
    if (!prepend && part > 0) add(part, true);
    if (prepend && room > 0) add(room, false);
  }
  /** @type {(RowHandle[] | Pack)[]} */
  const runs = [];
  const step = prepend ? -1 : 1;
  let r = prepend ? hi - 1 : lo;
  for (let k = 0; k < sizes.length; k++) {
    const len = sizes[k];
    if (packed[k]) {
      // A whole block, or the rest of an append: the index points at its pack.
      const pack = new Pack(owner, ids, chunk, r, step, len);
      if (!pack.index()) {
        unindex(index, runs, k);
        return null;
      }
      r += step * len;
      runs.push(pack);
      continue;
    }
    /** @type {RowHandle[]} */
    const run = [];
    for (let i = 0; i < len; i++, r += step) {
      const id = ids[r];
      if (!index.isNew(id)) {
        unindex(index, runs, k);
        for (let j = 0; j < i; j++) index.remove(run[j].id);
        return null;
      }
      const h = new RowHandle(id, chunk, r);
      index.put(id, h);
      run.push(h);
    }
    runs.push(run);
  }
  return runs;
}

// Whether the rows outside [lo, hi) (pruned as soon as placed) are new too: none in the index
// (which now holds rows [lo, hi)), none twice.
/**
 * @param {Index} index
 * @param {IndexKey[]} ids
 * @param {number} lo
 * @param {number} hi
 */
function othersNew(index, ids, lo, hi) {
  /** @type {Set<IndexKey>} */
  const seen = new Set();
  for (let r = 0; r < ids.length; r++) {
    if (r === lo) r = hi;
    if (r >= ids.length) break;
    const id = ids[r];
    if (!index.isNew(id)) return false;
    const before = seen.size;
    seen.add(id);
    if (seen.size === before) return false;
  }
  return true;
}

/**
 * @param {Index} index
 * @param {(RowHandle[] | Pack)[]} runs
 * @param {number} count the first `count` runs
 */
function unindex(index, runs, count) {
  for (let k = 0; k < count; k++) {
    const run = runs[k];
    if (run instanceof Pack) run.unindex(run.size);
    else for (const h of run) index.remove(h.id);
  }
}
