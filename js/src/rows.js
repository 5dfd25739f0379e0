// @ts-check
// What the store keeps per record batch and per row. Rows stay columnar: every received Arrow
// record batch becomes a Chunk; a row is a RowHandle (index key, chunk, row index). Values are
// read lazily with vector.get(row); nothing is copied.
import { Type } from "apache-arrow";
import { DOM_ID } from "./domids.js";

/** @typedef {import("apache-arrow").Vector} Vector */
/**
 * A row's key in the id index: the number n for dom id `${prefix}${n}`, else the dom id.
 * @typedef {number | string} IndexKey
 */

// One record batch: column vectors by name, plus how many live rows still point here.
export class Chunk {
  /** @param {import("apache-arrow").RecordBatch} batch */
  constructor(batch) {
    /** @type {Map<string, Vector>} */
    this.vectors = new Map();
    const fields = batch.schema.fields;
    for (let i = 0; i < fields.length; i++) {
      if (fields[i].name !== DOM_ID) this.vectors.set(fields[i].name, /** @type {Vector} */ (batch.getChildAt(i)));
    }
    this.live = 0;
    this.batch = batch; // for copies of rows (snapshots); the vectors hold its data anyway
  }
}

// Mutable on purpose: an in-place update just retargets chunk/row, and splits retarget block.
export class RowHandle {
  /**
   * @param {IndexKey} id
   * @param {Chunk} chunk
   * @param {number} row index in the chunk
   */
  constructor(id, chunk, row) {
    this.id = id;
    this.chunk = chunk;
    this.row = row;
    /** @type {import("./blocklist.js").Linked["block"]} the BlockList's link */
    this.block = null;
    this.rev = 0; // updates in place so far
  }
}

// The exact value of row `row`: timestamps as the BigInt count of their unit (arrow's get gives
// float epoch milliseconds, which lose nanoseconds); everything else as arrow reads it. (A
// sliced Data's value buffers start at its first row already: `offset` counts in bitmaps only.)
/**
 * @param {Vector} vector
 * @param {number} row
 * @returns {unknown}
 */
export function exactValue(vector, row) {
  if (vector.type.typeId === Type.Timestamp) {
    const data = vector.data[0];
    if (data.values instanceof BigInt64Array) return vector.isValid(row) ? data.values[row] : null;
  }
  return vector.get(row);
}
