// @ts-check
// The min and max of the column summaries (summaries.js), kept through removals: per batch and
// segment of 2^bits rows, the min / max row, rescanned only when that row goes (a segment
// emptied by pruning needs no rescan); the column's overall min / max, found again from the
// segments' only when the row holding it goes. Doubles decide; equal doubles are compared by
// their exact values where the reader has them (64-bit ints beyond 2^53, times).
import { compare, doubles, scratch } from "./summaryread.js";

/** @typedef {import("./summaries.js").ChunkState} ChunkState */
/** @typedef {import("./summaries.js").ColumnState} ColumnState */
/** @typedef {import("./summaries.js").Extreme} Extreme */
/** @typedef {import("./rows.js").Chunk} Chunk */
/** @typedef {import("./summaryread.js").Reader} Reader */
/** A batch's reader of column c (null: the batch lacks it). @typedef {(cs: ChunkState, c: number) => Reader | null} ReaderOf */

/**
 * Takes added rows (values xs, not null) into their segments' and the column's min / max:
 * the best of each segment's rows first (a run's rows are mostly in one or two segments),
 * then one comparison each with the segment's and the column's.
 * @param {ColumnState} st
 * @param {number} c
 * @param {ChunkState} cs
 * @param {Reader} reader
 * @param {Int32Array} rs
 * @param {Float64Array} xs
 * @param {number} n
 * @param {number} bits log2 of the rows per segment
 * @param {ReaderOf} readerOf
 */
export function markAdded(st, c, cs, reader, rs, xs, n, bits, readerOf) {
  // Equal doubles are equal values unless the reader has exact values and they are that large
  // (summaryread.compare: reading an exact value makes a BigInt).
  const from = reader.exact !== null ? reader.tiesFrom : Infinity;
  /** @param {number} x */
  const ties = (x) => x >= from || x <= -from;
  for (let i = 0; i < n; ) {
    const seg = rs[i] >> bits;
    let j = i + 1;
    while (j < n && rs[j] >> bits === seg) j++;
    // The segment's rows are xs[i..j): their min (lo) and max (hi), the first of equals unless
    // the exact values say otherwise.
    let lo = -1;
    let hi = -1;
    let xl = 0;
    let xh = 0;
    for (let k = i; k < j; k++) {
      const x = xs[k];
      if (x !== x) continue;
      if (lo < 0) {
        lo = hi = k;
        xl = xh = x;
      } else if (x < xl || (x === xl && ties(x) && compare(reader, rs[k], reader, rs[lo]) < 0)) {
        lo = k;
        xl = x;
      } else if (x > xh || (x === xh && ties(x) && compare(reader, rs[k], reader, rs[hi]) > 0)) {
        hi = k;
        xh = x;
      }
    }
    i = j;
    if (lo < 0) continue; // only NaN
    const k = c * cs.nseg + seg;
    const dirty = cs.dirty[k];
    const rlo = rs[lo];
    const xlo = xs[lo];
    let b = cs.min[k];
    if (!(dirty & 1) && (b < 0 || xlo < cs.minV[k] || (xlo === cs.minV[k] && ties(xlo) && compare(reader, rlo, reader, b) < 0))) {
      cs.min[k] = rlo;
      cs.minV[k] = xlo;
    }
    const rhi = rs[hi];
    const xhi = xs[hi];
    b = cs.max[k];
    if (!(dirty & 2) && (b < 0 || xhi > cs.maxV[k] || (xhi === cs.maxV[k] && ties(xhi) && compare(reader, rhi, reader, b) > 0))) {
      cs.max[k] = rhi;
      cs.maxV[k] = xhi;
    }
    const at = st.minAt;
    if (!st.minDirty && (at === null || xlo < st.minV || (xlo === st.minV && ties(xlo) && cmpAt(readerOf, cs, rlo, at, c) < 0))) {
      st.minAt = [cs, rlo];
      st.minV = xlo;
    }
    const top = st.maxAt;
    if (!st.maxDirty && (top === null || xhi > st.maxV || (xhi === st.maxV && ties(xhi) && cmpAt(readerOf, cs, rhi, top, c) > 0))) {
      st.maxAt = [cs, rhi];
      st.maxV = xhi;
    }
  }
}

/**
 * Marks the min / max that removed rows held as gone (found again when asked).
 * @param {ColumnState} st
 * @param {number} c
 * @param {ChunkState} cs
 * @param {Int32Array} rs
 * @param {number} n
 * @param {number} bits
 */
export function markRemoved(st, c, cs, rs, n, bits) {
  const base = c * cs.nseg;
  const { min, max, dirty } = cs;
  const lo = st.minAt !== null && st.minAt[0] === cs ? st.minAt[1] : -1;
  const hi = st.maxAt !== null && st.maxAt[0] === cs ? st.maxAt[1] : -1;
  for (let i = 0; i < n; i++) {
    const r = rs[i];
    const k = base + (r >> bits);
    if (min[k] === r) dirty[k] |= 1;
    if (max[k] === r) dirty[k] |= 2;
    if (r === lo) st.minDirty = true;
    if (r === hi) st.maxDirty = true;
  }
}

/**
 * The min (dir -1) or max (1) of column c: its batch's reader and row, or null.
 * @param {ColumnState} st
 * @param {number} c
 * @param {number} dir
 * @param {Map<Chunk, ChunkState>} chunks
 * @param {number} bits
 * @param {ReaderOf} readerOf
 * @returns {Extreme}
 */
export function extremeOf(st, c, dir, chunks, bits, readerOf) {
  const bit = dir < 0 ? 1 : 2;
  if (dir < 0 ? st.minDirty : st.maxDirty) {
    /** @type {[ChunkState, number] | null} */
    let best = null;
    let v = 0;
    for (const cs of chunks.values()) {
      const values = dir < 0 ? cs.minV : cs.maxV;
      // Equal doubles are equal values unless both readers have exact values (compare).
      const ties = readerOf(cs, c)?.exact != null;
      for (let seg = 0; seg < cs.nseg; seg++) {
        const r = segmentExtreme(cs, c, seg, bit, bits, readerOf);
        if (r < 0) continue;
        // The doubles decide (a pass over ~1,000 segments a million rows), unless equal.
        const x = values[c * cs.nseg + seg];
        if (best === null || dir * (x - v) > 0 || (x === v && ties && dir * cmpAt(readerOf, cs, r, best, c) > 0)) {
          best = [cs, r];
          v = x;
        }
      }
    }
    if (dir < 0) [st.minAt, st.minV, st.minDirty] = [best, v, false];
    else [st.maxAt, st.maxV, st.maxDirty] = [best, v, false];
  }
  const at = dir < 0 ? st.minAt : st.maxAt;
  return at === null ? null : { reader: /** @type {Reader} */ (readerOf(at[0], c)), row: at[1] };
}

/**
 * A batch segment's min (bit 1) or max (bit 2) row in column c, rescanned if it went.
 * @param {ChunkState} cs
 * @param {number} c
 * @param {number} seg
 * @param {number} bit
 * @param {number} bits
 * @param {ReaderOf} readerOf
 */
function segmentExtreme(cs, c, seg, bit, bits, readerOf) {
  const k = c * cs.nseg + seg;
  const at = bit === 1 ? cs.min : cs.max;
  if (cs.dirty[k] & bit) {
    const dir = bit === 1 ? -1 : 1;
    let best = -1;
    let v = 0;
    if (cs.segLive[seg] > 0) {
      const reader = /** @type {Reader} */ (readerOf(cs, c)); // a min was set: it exists
      // The segment's counted rows with a value, their doubles, then the best of them.
      const live = cs.live;
      const rs = scratch(1 << bits, 1);
      let n = 0;
      const end = Math.min(live.length, (seg + 1) << bits);
      for (let r = seg << bits; r < end; r++) if (live[r] !== 0 && (!reader.nullable || reader.valid(r))) rs[n++] = r;
      const xs = doubles(n);
      reader.fill(rs, n, xs);
      const ties = reader.exact !== null;
      for (let i = 0; i < n; i++) {
        const x = xs[i];
        if (x !== x) continue;
        if (best < 0 || dir * (x - v) > 0 || (ties && x === v && dir * compare(reader, rs[i], reader, best) > 0)) {
          best = rs[i];
          v = x;
        }
      }
    }
    at[k] = best;
    (bit === 1 ? cs.minV : cs.maxV)[k] = v;
    cs.dirty[k] &= ~bit;
  }
  return at[k];
}

/**
 * @param {ReaderOf} readerOf
 * @param {ChunkState} cs
 * @param {number} r
 * @param {[ChunkState, number]} at
 * @param {number} c
 */
function cmpAt(readerOf, cs, r, at, c) {
  return compare(/** @type {Reader} */ (readerOf(cs, c)), r, /** @type {Reader} */ (readerOf(at[0], c)), at[1]);
}
