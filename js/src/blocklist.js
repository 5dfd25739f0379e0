// @ts-check
// The order of a million rows, cheap to change anywhere: a blocked list (sqrt decomposition).
// (Just over 400 lines: finding, inserting, removing and the cached prefix sums all depend on
// the same block invariants, so they stay in one file.)
// `blocks` is an array of Blocks (block.js), each an array of items. Finding position N scans
// block sizes (~n/blockSize steps) when changing and binary-searches cached prefix sums when
// reading; the splice inside one block is O(blockSize). Blocks split above 2*blockSize, small
// ones merge with a neighbour, empty ones are dropped. Each item knows its block
// (`item.block`), so removing a known item only touches that block. A block may be packed (a
// bulk insert's whole block, items not made yet): it is made when first read or changed, and
// pruned whole without ever being made.
//
// The list knows nothing about rows: store.js puts its row handles in it and keeps the stream
// semantics (ids, chunks, limits).
import { Block, unlink } from "./block.js";

/** @typedef {import("./block.js").Linked} Linked */
/**
 * @template T
 * @typedef {import("./block.js").Packed<T>} Packed
 */

/** @template {Linked} T */
export class BlockList {
  /** @param {number} blockSize items per block, >= 2 */
  constructor(blockSize) {
    this._b = blockSize;
    this._maxBlock = 2 * blockSize; // split above this
    this._minBlock = Math.max(1, blockSize >> 2); // try to merge below this
    /** @type {Block<T>[]} */
    this._blocks = [];
    this._size = 0;
    /** @type {number[] | null} lazy prefix sums of block sizes, for reads; null = stale */
    this._starts = null;
  }

  get size() {
    return this._size;
  }

  get blockCount() {
    return this._blocks.length;
  }

  // ---- changes ---------------------------------------------------------------------------

  /** @param {T} h */
  append(h) {
    const blocks = this._blocks;
    const last = blocks[blocks.length - 1];
    if (last === undefined || last.size >= this._b) {
      blocks.push(new Block([h]));
    } else {
      h.block = last;
      last.made().push(h);
    }
    this._size++;
    this._starts = null;
  }

  /** @param {T} h */
  prepend(h) {
    const blocks = this._blocks;
    const first = blocks[0];
    // Prepending fills the first block up to blockSize (unshift costs O(blockSize), a
    // constant), then opens a new front block (blocks.unshift is O(block count), once per
    // blockSize prepends).
    if (first === undefined || first.size >= this._b) {
      blocks.unshift(new Block([h]));
    } else {
      h.block = first;
      first.made().unshift(h);
    }
    this._size++;
    this._starts = null;
  }

  // Room at either end: how many items append (prepend) puts in the last (first) block before
  // it opens a new one. A bulk caller cuts its items into runs by these, so a run of appends
  // leaves the same blocks as appending one item at a time.
  get blockSize() {
    return this._b;
  }

  get roomAtEnd() {
    const last = this._blocks[this._blocks.length - 1];
    return last === undefined ? 0 : Math.max(0, this._b - last.size);
  }

  /** The last block's pack while it is packed, else null. @returns {Packed<T> | null} */
  get lastPacked() {
    const last = this._blocks[this._blocks.length - 1];
    return last === undefined || last.items !== null ? null : last.pack;
  }

  /** The last block's pack (lastPacked) grew by `n` items. @param {number} n */
  grewAtEnd(n) {
    this._size += n;
    this._starts = null;
  }

  get roomAtFront() {
    const first = this._blocks[0];
    return first === undefined ? 0 : Math.max(0, this._b - first.size);
  }

  /**
   * Appends runs, in list order: arrays of items (1..2*blockSize long; the list takes them
   * over) or packed blocks. An array first run joins the last block when both fit in
   * blockSize; every other run becomes a block as it is.
   * @param {(T[] | Packed<T>)[]} runs
   */
  appendRuns(runs) {
    const blocks = this._blocks;
    for (let k = 0; k < runs.length; k++) {
      const run = runs[k];
      const last = blocks[blocks.length - 1];
      if (!Array.isArray(run)) {
        blocks.push(new Block(null, run));
      } else if (k === 0 && last !== undefined && last.size + run.length <= this._b) {
        const items = last.made();
        for (let i = 0; i < run.length; i++) {
          run[i].block = last;
          items.push(run[i]);
        }
      } else {
        blocks.push(new Block(run));
      }
      this._size += Array.isArray(run) ? run.length : run.size;
    }
    this._starts = null;
  }

  /**
   * Puts runs (as appendRuns, in list order) before the first item. An array last run joins
   * the first block when both fit in blockSize.
   * @param {(T[] | Packed<T>)[]} runs
   */
  prependRuns(runs) {
    const first = this._blocks[0];
    /** @type {Block<T>[]} */
    const head = [];
    for (let k = 0; k < runs.length; k++) {
      const run = runs[k];
      if (!Array.isArray(run)) {
        head.push(new Block(null, run));
        this._size += run.size;
        continue;
      }
      this._size += run.length;
      if (k === runs.length - 1 && first !== undefined && first.size + run.length <= this._b) {
        const items = first.made();
        for (let i = 0; i < run.length; i++) run[i].block = first;
        items.unshift(...run); // one move, like prepend's (run is less than a block)
      } else {
        head.push(new Block(run));
      }
    }
    if (head.length > 0) this._blocks = head.concat(this._blocks);
    this._starts = null;
  }

  /**
   * Makes the items of a listed packed block (a no-op once made or dropped).
   * @param {Packed<T>} pack
   */
  unpack(pack) {
    if (pack.block !== null) pack.block.made();
  }

  /**
   * Places `h` before the item now at `pos`: walk block sizes from the nearer end, splice
   * inside one block.
   * @param {number} pos 0 < pos < size (append and prepend cover the ends)
   * @param {T} h
   */
  insertAt(pos, h) {
    const blocks = this._blocks;
    let bi;
    let off;
    if (pos <= this._size >> 1) {
      let acc = 0;
      bi = 0;
      while (acc + blocks[bi].size < pos) acc += blocks[bi++].size;
      off = pos - acc;
    } else {
      let acc = this._size; // position just past block bi
      bi = blocks.length - 1;
      while (acc - blocks[bi].size > pos) acc -= blocks[bi--].size;
      off = pos - (acc - blocks[bi].size);
    }
    const blk = blocks[bi];
    const items = blk.made();
    h.block = blk;
    items.splice(off, 0, h);
    if (items.length > this._maxBlock) this._split(bi);
    this._size++;
    this._starts = null;
  }

  /** @param {number} bi */
  _split(bi) {
    const items = this._blocks[bi].made();
    const half = items.length >> 1;
    const moved = items.slice(half);
    items.length = half;
    this._blocks.splice(bi + 1, 0, new Block(moved));
  }

  /**
   * Removes a listed item and unlinks it (block = null), so an item held elsewhere keeps no
   * block, and through it no other items, alive.
   * @param {T} h
   */
  remove(h) {
    const blk = /** @type {Block<T>} */ (h.block);
    const items = /** @type {T[]} */ (blk.items); // a listed item's block is made
    const last = items.length - 1;
    if (items[last] === h) items.pop();
    else if (items[0] === h) items.shift();
    else items.splice(items.indexOf(h), 1);
    h.block = null;
    this._size--;
    this._starts = null;
    if (items.length === 0) this._blocks.splice(this._blocks.indexOf(blk), 1);
    else if (items.length < this._minBlock) this._maybeMerge(blk);
  }

  // Keeps the block count near size/blockSize when removals hollow blocks out.
  /** @param {Block<T>} blk */
  _maybeMerge(blk) {
    const blocks = this._blocks;
    const bi = blocks.indexOf(blk);
    const prev = blocks[bi - 1];
    const next = blocks[bi + 1];
    const items = /** @type {T[]} */ (blk.items);
    let into = null;
    if (prev && (!next || prev.size <= next.size)) into = prev;
    else if (next) into = next;
    if (into === null || into.size + items.length > this._b) return;
    const target = into.made();
    for (const h of items) h.block = into;
    if (into === prev) {
      for (const h of items) target.push(h);
    } else {
      into.items = items.concat(target);
    }
    blocks.splice(bi, 1);
  }

  /**
   * Removes the first `k` items (0 < k <= size), calling `dropped(item)` for each once it is
   * unlinked. Bulk: whole blocks go at once, at most one block is spliced.
   * @param {number} k
   * @param {(h: T) => void} dropped
   */
  pruneFront(k, dropped) {
    const blocks = this._blocks;
    this._size -= k;
    this._starts = null;
    let whole = 0;
    while (k > 0) {
      const blk = blocks[whole];
      if (blk.size <= k) {
        k -= blk.size;
        blk.drop(dropped);
        whole++;
      } else {
        const items = blk.made();
        if (k === 1) unlink(/** @type {T} */ (items.shift()), dropped);
        else for (const h of items.splice(0, k)) unlink(h, dropped);
        k = 0;
      }
    }
    if (whole === 1) blocks.shift();
    else if (whole > 0) blocks.splice(0, whole);
  }

  /**
   * Removes the last `k` items (0 < k <= size), as pruneFront.
   * @param {number} k
   * @param {(h: T) => void} dropped
   */
  pruneBack(k, dropped) {
    const blocks = this._blocks;
    this._size -= k;
    this._starts = null;
    let end = blocks.length;
    while (k > 0) {
      const blk = blocks[end - 1];
      if (blk.size <= k) {
        k -= blk.size;
        blk.drop(dropped);
        end--;
      } else {
        const items = blk.made();
        if (k === 1) unlink(/** @type {T} */ (items.pop()), dropped);
        else for (const h of items.splice(items.length - k, k)) unlink(h, dropped);
        k = 0;
      }
    }
    blocks.length = end;
  }

  /** Removes and unlinks every item. */
  clear() {
    for (const blk of this._blocks) blk.clear();
    this._blocks = [];
    this._size = 0;
    this._starts = null;
  }

  // ---- reads -----------------------------------------------------------------------------

  // Prefix sums of block sizes, rebuilt at most once per change, so reads between changes
  // (a view painting its visible rows) locate items by binary search.
  /** @returns {number[]} */
  _prefix() {
    if (this._starts === null) {
      const blocks = this._blocks;
      const starts = new Array(blocks.length + 1);
      let acc = 0;
      for (let i = 0; i < blocks.length; i++) {
        starts[i] = acc;
        acc += blocks[i].size;
      }
      starts[blocks.length] = acc;
      this._starts = starts;
    }
    return this._starts;
  }

  /**
   * Block index holding position i (0 <= i < size).
   * @param {number} i
   */
  _blockAt(i) {
    const starts = this._prefix();
    let lo = 0;
    let hi = this._blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * The item at position i, or undefined outside 0..size-1.
   * @param {number} i
   * @returns {T | undefined}
   */
  at(i) {
    if (!Number.isInteger(i) || i < 0 || i >= this._size) return undefined;
    const bi = this._blockAt(i);
    return this._blocks[bi].made()[i - this._prefix()[bi]];
  }

  /**
   * The item at position i if its block is made, else what `packed` says of the item at
   * `offset` in the block's pack, leaving the block packed (reads that need no item).
   * @template R
   * @param {number} i
   * @param {(pack: Packed<T>, offset: number) => R} packed
   * @returns {T | R | undefined}
   */
  peek(i, packed) {
    if (!Number.isInteger(i) || i < 0 || i >= this._size) return undefined;
    const bi = this._blockAt(i);
    const blk = this._blocks[bi];
    const offset = i - this._prefix()[bi];
    return blk.items !== null ? blk.items[offset] : packed(/** @type {Packed<T>} */ (blk.pack), offset);
  }

  /**
   * Position of a listed item.
   * @param {T} h
   */
  indexOf(h) {
    const blk = /** @type {Block<T>} */ (h.block);
    return this._prefix()[this._blocks.indexOf(blk)] + /** @type {T[]} */ (blk.items).indexOf(h);
  }

  /**
   * Calls fn(item, position) for every item in order.
   * @param {(h: T, i: number) => void} fn
   */
  forEach(fn) {
    let i = 0;
    for (const blk of this._blocks) for (const h of blk.made()) fn(h, i++);
  }

  /**
   * Calls fn(items, null) for every made block and fn(null, pack) for every packed one, in
   * order, without making any.
   * @param {(items: T[] | null, pack: Packed<T> | null) => void} fn
   */
  forEachBlock(fn) {
    for (const blk of this._blocks) fn(blk.items, blk.items === null ? blk.pack : null);
  }

  /**
   * Calls fn(item) for every item made so far (packed blocks have none), in no set order.
   * @param {(h: T) => void} fn
   */
  forEachMade(fn) {
    for (const blk of this._blocks) if (blk.items !== null) for (const h of blk.items) fn(h);
  }

  /**
   * fn(item) of the items at positions start..end-1 (0 <= start <= end <= size).
   * @template R
   * @param {number} start
   * @param {number} end
   * @param {(h: T) => R} fn
   * @returns {R[]}
   */
  map(start, end, fn) {
    const out = new Array(end - start);
    if (end === start) return out;
    let bi = this._blockAt(start);
    let off = start - this._prefix()[bi];
    for (let k = 0; k < out.length; ) {
      const items = this._blocks[bi].made();
      for (; off < items.length && k < out.length; off++) out[k++] = fn(items[off]);
      bi++;
      off = 0;
    }
    return out;
  }
}
