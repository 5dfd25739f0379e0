// @ts-check
// What column summaries (summaries.js) read of a batch, straight from its Arrow buffers (a
// Vector.get per row would cost several times the whole summary), the reusable arrays a run's
// rows and values are read into, and how a run's values go into the exact sum behind the mean
// (exactsum.js).
//
// Kinds: "num" (ints, floats, 64-bit ints, decimals sent as text), "time" (timestamps and
// dates), "cat" (strings, dictionaries of strings, booleans) and "other" (only nulls are
// counted). A column's kind comes from its newest type; each batch is read by its own type (a
// column widens int -> float, coarser -> finer units).
import { DataType, Type } from "apache-arrow";
import { drainDigits, grow, toDigits } from "./exactsum.js";

/** @typedef {import("apache-arrow").DataType} ArrowType */
/** @typedef {import("apache-arrow").Vector} Vector */
/** @typedef {"num" | "time" | "cat" | "other"} Kind */
/**
 * How to read one column of one batch. `num`: a double standing for the value (exact for all
 * but 64-bit ints beyond 2^53 and decimals); `exact`: the exact value where `num` may not be
 * (a BigInt, or a decimal's text), else null; `key`: a category's text. `fill(rows, m, out)`:
 * `num` of rows[0..m) into out, in one tight loop per type (a call per row through a closure
 * that differs per column costs more than the read); `nullable`: whether `valid` can be false;
 * `tiesFrom`: the magnitude from which equal doubles may stand for different exact values
 * (below it, equal doubles are equal values and no exact value needs reading).
 * @typedef {{ valid: (row: number) => boolean, nullable: boolean, num: (row: number) => number,
 *   fill: (rows: Int32Array, m: number, out: Float64Array) => void,
 *   exact: ((row: number) => bigint | string) | null, key: (row: number) => string,
 *   dict: { indices: ArrayLike<number>, size: number, key: (i: number) => string } | null,
 *   tiesFrom: number, vector: Vector }} Reader
 */

/**
 * @param {ArrowType | undefined} type the column's newest type
 * @param {boolean} decimalText
 * @returns {Kind}
 */
export function kindOf(type, decimalText) {
  if (decimalText) return "num";
  if (!type) return "other";
  if (DataType.isInt(type) || DataType.isFloat(type)) return "num";
  if (DataType.isTimestamp(type) || DataType.isDate(type)) return "time";
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type) || DataType.isBool(type)) return "cat";
  return "other";
}

const TWO32 = 4294967296;
const decoder = new TextDecoder();

/**
 * A string from UTF-8 bytes. ASCII (the usual case) without TextDecoder, which costs ~10x as
 * much for a short string, and far more on a view into a large buffer (Chromium: a whole IPC
 * message): other text is copied out first.
 * @param {Uint8Array} bytes
 * @param {number} start
 * @param {number} end
 */
export function utf8Text(bytes, start, end) {
  let s = "";
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    if (b >= 0x80) return decoder.decode(bytes.slice(start, end));
    s += String.fromCharCode(b);
  }
  return s;
}

// Nanoseconds per unit of a timestamp (s, ms, us, ns) or date (day, ms) column.
/** @param {ArrowType} type */
function nanosPerUnit(type) {
  const unit = /** @type {{ unit: number }} */ (/** @type {unknown} */ (type)).unit;
  if (DataType.isDate(type)) return unit === 0 ? 86_400_000_000_000n : 1_000_000n;
  return [1_000_000_000n, 1_000_000n, 1_000n, 1n][unit] ?? 1n;
}

/**
 * The reader of one batch's column for `kind`.
 * @param {Vector} vector
 * @param {Kind} kind
 * @param {boolean} decimalText
 * @returns {Reader}
 */
export function readerOf(vector, kind, decimalText) {
  const data = vector.data[0]; // a record batch's column is one Data
  // As Arrow reads a slice: `offset` counts in the validity (and boolean) bitmaps only; the
  // value, offset and index buffers are sliced to the rows already.
  const off = data.offset;
  const bitmap = data.nullCount > 0 ? data.nullBitmap : null;
  /** @type {(row: number) => boolean} */
  const valid = bitmap ? (r) => (bitmap[(off + r) >> 3] & (1 << ((off + r) & 7))) !== 0 : () => true;
  /** @type {Reader} */
  const reader = { valid, nullable: bitmap !== null, num: () => NaN, fill: fillBy, exact: null, key: () => "", dict: null, tiesFrom: Infinity, vector };
  const type = vector.type;
  const values = /** @type {any} */ (data.values);
  if (DataType.isDictionary(type)) {
    const dictionary = /** @type {Vector} */ (data.dictionary);
    const text = dictionaryTexts(dictionary);
    reader.key = (r) => text(values[r]);
    reader.dict = { indices: values, size: dictionary.length, key: text };
    if (kind === "num") {
      reader.num = (r) => Number(reader.key(r));
      reader.exact = reader.key;
      reader.tiesFrom = 0;
    }
    return reader;
  }
  if (DataType.isUtf8(type)) {
    const offsets = /** @type {Int32Array} */ (data.valueOffsets);
    reader.key = (r) => utf8Text(values, offsets[r], offsets[r + 1]);
    if (decimalText) {
      reader.num = (r) => Number(reader.key(r));
      reader.exact = reader.key;
      reader.tiesFrom = 0;
    }
    return reader;
  }
  if (DataType.isBool(type)) {
    reader.key = (r) => ((values[(off + r) >> 3] & (1 << ((off + r) & 7))) !== 0 ? "true" : "false");
    return reader;
  }
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    // Two 32-bit words per value: the double stays exact below 2^53, and no BigInt is made.
    const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
    const signed = values instanceof BigInt64Array;
    /** @param {number} r */
    const approx = (r) => {
      const i = 2 * r;
      return (signed ? words[i + 1] : words[i + 1] >>> 0) * TWO32 + (words[i] >>> 0);
    };
    const scale = kind === "time" ? Number(nanosPerUnit(type)) / 1e6 : 1; // to ms
    reader.num = scale === 1 ? approx : (r) => approx(r) * scale;
    reader.fill = (rows, m, out) => {
      for (let k = 0; k < m; k++) {
        const i = 2 * rows[k];
        out[k] = ((signed ? words[i + 1] : words[i + 1] >>> 0) * TWO32 + (words[i] >>> 0)) * scale;
      }
    };
    if (kind === "time") {
      const perUnit = nanosPerUnit(type);
      reader.exact = (r) => values[r] * perUnit; // BigInt nanoseconds, to break ties
      reader.tiesFrom = 0;
    } else {
      reader.exact = (r) => values[r];
      reader.tiesFrom = 9007199254740992; // below 2^53 the double is the value
    }
    return reader;
  }
  if (DataType.isFloat(type) && type.precision === 0) {
    // Half floats: rare; Arrow converts them.
    reader.num = (r) => /** @type {number} */ (vector.get(r));
    return reader;
  }
  if (kind === "time") {
    const perUnit = nanosPerUnit(type);
    const ms = Number(perUnit) / 1e6;
    reader.num = (r) => values[r] * ms;
    reader.fill = (rows, m, out) => {
      for (let k = 0; k < m; k++) out[k] = values[rows[k]] * ms;
    };
    reader.exact = (r) => BigInt(values[r]) * perUnit;
    reader.tiesFrom = 0;
    return reader;
  }
  if (ArrayBuffer.isView(values) && type.typeId !== Type.Decimal) {
    const numbers = /** @type {ArrayLike<number>} */ (/** @type {unknown} */ (values));
    reader.num = (r) => numbers[r];
    const typed = /** @type {Float64Array} */ (/** @type {unknown} */ (values));
    reader.fill = (rows, m, out) => {
      // A run's rows are in order (up, or down for a prepended batch): first and last m - 1
      // apart is a contiguous run going up (a stream's new rows), copied as one block.
      if (m > 0 && rows[m - 1] - rows[0] === m - 1) out.set(typed.subarray(rows[0], rows[0] + m));
      else for (let k = 0; k < m; k++) out[k] = numbers[rows[k]];
    };
  }
  return reader;
}

/**
 * The generic fill: `num` row by row.
 * @this {Reader}
 * @param {Int32Array} rows
 * @param {number} m
 * @param {Float64Array} out
 */
function fillBy(rows, m, out) {
  for (let k = 0; k < m; k++) out[k] = this.num(rows[k]);
}

/** @type {WeakMap<object, (string | undefined)[]>} a dictionary's texts, decoded once each */
const dictionaryCache = new WeakMap();

/**
 * A dictionary's text at index i, decoded at most once per dictionary: the batches of one
 * message share their dictionary, and a stream counts the same values frame after frame (the
 * same string objects also hash once).
 * @param {Vector} dictionary
 * @returns {(i: number) => string}
 */
function dictionaryTexts(dictionary) {
  const data = dictionary.data[0];
  let texts = dictionaryCache.get(data);
  if (texts === undefined) dictionaryCache.set(data, (texts = new Array(dictionary.length)));
  const cache = texts;
  const key = readerOf(dictionary, "cat", false).key;
  return (i) => cache[i] ?? (cache[i] = key(i));
}

/**
 * Orders two values of a column (a, b: readers and rows): by their doubles, and on a tie by
 * their exact BigInts where both have one (64-bit ints beyond 2^53, times in different units).
 * @param {Reader} ra
 * @param {number} a
 * @param {Reader} rb
 * @param {number} b
 */
export function compare(ra, a, rb, b) {
  const x = ra.num(a);
  const y = rb.num(b);
  if (x < y) return -1;
  if (x > y) return 1;
  if (ra.exact !== null && rb.exact !== null) {
    const p = ra.exact(a);
    const q = rb.exact(b);
    if (typeof p === "bigint" && typeof q === "bigint") return p < q ? -1 : p > q ? 1 : 0;
  }
  return 0;
}

/**
 * A value's exact text: a BigInt's digits, a decimal's text as sent, else String(number).
 * @param {Reader} reader
 * @param {number} row
 */
export function exactText(reader, row) {
  return reader.exact !== null ? String(reader.exact(row)) : String(reader.num(row));
}

/**
 * Adds (sign 1) or subtracts the values xs of rows rs to a numeric column's exact sum.
 * @param {import("./summaries.js").ColumnState} st
 * @param {Reader} reader
 * @param {Int32Array} rs
 * @param {Float64Array} xs
 * @param {number} n
 * @param {number} sign
 */
export function sumInto(st, reader, rs, xs, n, sign) {
  const big = reader.exact !== null && (reader.vector.data[0].values instanceof BigInt64Array || reader.vector.data[0].values instanceof BigUint64Array);
  let isum = st.isum;
  // The expansion is worked on in a typed array for the run (no array resizing per value), then
  // stored back.
  let e = expansion(st.parts.length + 1);
  let len = st.parts.length;
  e.set(st.parts);
  /** @param {number} x */
  const add = (x) => {
    if (len === e.length) e = expansion(len + 1);
    len = grow(e, len, x);
  };
  let i = 0;
  if (DataType.isInt(reader.vector.type)) {
    // Integers (no NaN or infinity) add up in a double while the sum stays below 2^53: the
    // general loop below takes over from the first that would not.
    for (; i < n; i++) {
      const t = isum + sign * xs[i];
      if (!(t < 9007199254740992 && t > -9007199254740992 && xs[i] < 9007199254740992 && xs[i] > -9007199254740992)) break;
      isum = t;
    }
    if (i === n) {
      st.isum = isum;
      return;
    }
  }
  for (; i < n; i++) {
    const x = xs[i];
    if (x !== x) st.nan += sign; // NaN: in no sum, min or max
    else if (x === Infinity) st.pinf += sign;
    else if (x === -Infinity) st.ninf += sign;
    else if (big && Math.abs(x) >= 9007199254740992) {
      // Beyond 2^53: the exact value as its two 32-bit words, each an exact double.
      const v = /** @type {bigint} */ (reader.exact?.(rs[i]));
      add(sign * Number(v >> 32n) * TWO32);
      add(sign * Number(BigInt.asUintN(32, v)));
    } else if (x === Math.trunc(x) && Math.abs(isum + sign * x) < 9007199254740992) isum += sign * x;
    else if (toDigits(sign * x)) drainDigits(add); // full: into the expansion
  }
  drainDigits(add); // the run's values (exactsum.js), into the expansion
  st.isum = isum;
  st.parts = Array.from(e.subarray(0, len));
}

let expansionBuffer = new Float64Array(64);
/** A reusable Float64Array of at least n, holding what the last one held. @param {number} n */
function expansion(n) {
  if (expansionBuffer.length < n) {
    const grown = new Float64Array(Math.max(n, 2 * expansionBuffer.length));
    grown.set(expansionBuffer);
    expansionBuffer = grown;
  }
  return expansionBuffer;
}

// Reusable arrays: rows whose counting changes (0), those of them with a value (1), and their
// doubles.
/** @type {Int32Array[]} */
const rowsBuffers = [new Int32Array(4096), new Int32Array(4096)];
let doublesBuffer = new Float64Array(4096);
/** A reusable Int32Array of at least n. @param {number} n @param {number} [which] */
export function scratch(n, which = 0) {
  if (rowsBuffers[which].length < n) rowsBuffers[which] = new Int32Array(Math.max(n, 2 * rowsBuffers[which].length));
  return rowsBuffers[which];
}
/** A reusable Float64Array of at least n. @param {number} n */
export function doubles(n) {
  if (doublesBuffer.length < n) doublesBuffer = new Float64Array(Math.max(n, 2 * doublesBuffer.length));
  return doublesBuffer;
}

