// @ts-check
// Dom ids of an Arrow utf8 column as JS strings, fast enough for a 1M-row insert.
import { Type, makeVector } from "apache-arrow";

// The column holding each row's dom id when the kernel sends them (no `key` column).
export const DOM_ID = "__dom_id";

// ignoreBOM: a dom id starting with U+FEFF must keep it. fatal: invalid UTF-8 in the whole
// buffer sends us to the per-value path, which decodes like arrow does (U+FFFD).
const strictDecoder = new TextDecoder("utf-8", { ignoreBOM: true, fatal: true });
const lenientDecoder = new TextDecoder("utf-8", { ignoreBOM: true });

// Dom ids of one batch as JS strings. One decode per value is the slow part of a 1M-row
// insert (especially in browsers, where each TextDecoder call has a fixed cost), so decode the
// whole data buffer once and slice it:
// - pure ASCII (decoded length === byte length): UTF-16 indices equal byte offsets;
// - other valid UTF-8: walk the bytes once to turn byte offsets into UTF-16 indices;
// - invalid UTF-8, or a value boundary inside a character: one decode per value.
// (`data.values` / `valueOffsets` are typed `any` by apache-arrow for an untyped Vector: their
// array types depend on the column's type, which typeId tells apart here.)
/**
 * @param {import("apache-arrow").Vector} vector a Utf8, LargeUtf8 or Utf8View column
 * @returns {string[]}
 */
export function decodeDomIds(vector) {
  /** @type {string[]} */
  const out = new Array(vector.length);
  let k = 0;
  for (const data of vector.data) {
    const n = data.length;
    if (data.typeId === Type.Utf8 || data.typeId === Type.LargeUtf8) {
      // valueOffsets is already relative to data.offset; its entries index data.values.
      // LargeUtf8 offsets are BigInts; copy them once into doubles.
      const offs = data.typeId === Type.LargeUtf8 ? Float64Array.from(data.valueOffsets.subarray(0, n + 1), Number) : data.valueOffsets;
      if (decodeWhole(data.values, offs, n, out, k)) {
        k += n;
        continue;
      }
      for (let i = 0; i < n; i++) out[k++] = lenientDecoder.decode(data.values.subarray(offs[i], offs[i + 1]));
      continue;
    }
    // Utf8View: per value through arrow.
    const v = makeVector(data);
    for (let i = 0; i < n; i++) out[k++] = v.get(i);
  }
  return out;
}

// Fills out[k..k+n) and returns true, or returns false (out partly written) when the fast
// paths do not apply.
/**
 * @param {Uint8Array} values the data buffer
 * @param {ArrayLike<number>} offs n + 1 value offsets into it
 * @param {number} n
 * @param {string[]} out
 * @param {number} k
 */
function decodeWhole(values, offs, n, out, k) {
  const start = offs[0];
  const end = offs[n];
  const bytes = values.subarray(start, end);
  let text;
  try {
    text = strictDecoder.decode(bytes);
  } catch {
    return false;
  }
  if (text.length === bytes.length) {
    for (let i = 0; i < n; i++) out[k + i] = text.slice(offs[i] - start, offs[i + 1] - start);
    return true;
  }
  // Valid UTF-8: every non-continuation byte starts a code point; 4-byte ones (lead >= 0xF0)
  // are surrogate pairs, two UTF-16 units.
  let u = 0;
  let p = start;
  for (let i = 0; i < n; i++) {
    const b = offs[i + 1];
    if (p < b && (values[p] & 0xc0) === 0x80) return false;
    const u0 = u;
    for (; p < b; p++) {
      const c = values[p];
      if ((c & 0xc0) !== 0x80) u += c >= 0xf0 ? 2 : 1;
    }
    out[k + i] = text.slice(u0, u);
  }
  return true;
}

// Default dom ids are `${prefix}${key}`: integer keys travel as numbers (see ids.js).

// The number n when `id` is prefix + n exactly as Python's str(n) writes a safe integer.
/**
 * @param {string} id
 * @param {number} start where n begins (the prefix's length)
 * @returns {number | null}
 */
export function integerAfter(id, start) {
  const len = id.length - start;
  if (len < 1 || len > 17) return null;
  let i = start;
  if (id.charCodeAt(i) === 45) i++; // "-"
  if (i === id.length || (id.charCodeAt(i) === 48 && id.length - i > 1)) return null; // "-", "01"
  for (let j = i; j < id.length; j++) {
    const c = id.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  const n = Number(id.slice(start));
  return Number.isSafeInteger(n) && !Object.is(n, -0) ? n : null;
}

// Keys of one batch's integer column as numbers (the kernel sends only safe integers). 64-bit
// values are read as two 32-bit halves: one BigInt per row would cost more than the rest.
/**
 * @param {import("apache-arrow").Vector} vector an Int column
 * @param {string} name for the error message
 * @returns {number[]}
 */
export function integerKeys(vector, name) {
  /** @type {number[]} */
  const out = new Array(vector.length);
  let k = 0;
  for (const data of vector.data) {
    const values = data.values;
    const n = data.length;
    if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
      const halves = new Uint32Array(values.buffer, values.byteOffset, 2 * n); // little endian
      const signed = values instanceof BigInt64Array;
      for (let i = 0; i < n; i++) {
        const lo = halves[2 * i];
        const hi = halves[2 * i + 1];
        if (hi === 0 && lo < 0x40000000) {
          // A small integer (V8 keeps it unboxed: the usual counter key, stored on every
          // handle and index entry, costs no heap number of its own).
          out[k++] = lo | 0;
          continue;
        }
        const v = signed && hi >= 0x80000000 ? (hi - 0x100000000) * 0x100000000 + lo : hi * 0x100000000 + lo;
        if (!Number.isSafeInteger(v)) throw new Error(`key column "${name}" holds ${values[i]}, beyond 2^53`);
        out[k++] = v;
      }
    } else {
      for (let i = 0; i < n; i++) out[k++] = values[i];
    }
  }
  return out;
}
