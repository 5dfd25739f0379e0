// @ts-check
// Rows picked from many record batches, in any order, copied into one new record batch of one
// schema: the "take" that exports and fetches need, since display order (sort, filter) puts
// rows of many batches side by side, and one slice per row would make a file of a million
// one-row batches. Values are copied buffer to buffer, never through JS values, so every type
// stays exact (nanoseconds, 64-bit ints, decimal text).
//
// Batches of one stream may differ in type where the kernel widened a column (schema.py: a
// column first all null takes a type; ints widen, int -> float64, float32 -> float64, coarser
// -> finer time units): such values are converted to the newest type, exactly as the kernel
// would have sent them.
import { DataType, Field, makeData, Null, RecordBatch, Schema, Struct, TimeUnit, Type } from "apache-arrow";

/** @typedef {import("apache-arrow").Data} Data */
/** @typedef {import("apache-arrow").RecordBatch} Batch */

/** makeData for a type known only at run time (its overloads want the type statically). */
const make = /** @type {(props: Record<string, unknown>) => Data} */ (/** @type {unknown} */ (makeData));

/** @type {Record<TimeUnit, number>} */
const DIGITS = { [TimeUnit.SECOND]: 0, [TimeUnit.MILLISECOND]: 3, [TimeUnit.MICROSECOND]: 6, [TimeUnit.NANOSECOND]: 9 };

/**
 * Rows `start..end` of `picks` (row `rows[k]` of batch `batches[k]`) as one record batch of
 * `schema`; a column a batch lacks is null there.
 * @param {{ batches: Batch[], rows: Int32Array }} picks
 * @param {number} start
 * @param {number} end
 * @param {Schema} schema
 */
export function takeRows({ batches, rows }, start, end, schema) {
  const n = end - start;
  /** @type {Map<Batch, number>} */
  const index = new Map();
  /** @type {Batch[]} */
  const distinct = [];
  const src = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const b = batches[start + k];
    let i = index.get(b);
    if (i === undefined) {
      i = distinct.length;
      index.set(b, i);
      distinct.push(b);
    }
    src[k] = i;
  }
  const row = rows.subarray(start, end);
  const children = schema.fields.map((f) => {
    const sources = distinct.map((b) => {
      const j = b.schema.fields.findIndex((g) => g.name === f.name);
      return j < 0 ? null : b.data.children[j];
    });
    return takeData(f.type, sources, src, row);
  });
  const data = makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children });
  return new RecordBatch(schema, data);
}

/**
 * The schema rows of these batches share: each column in `columns` with its newest type
 * (`typeOf`, the store's fieldType) and the metadata it came with (decimal text).
 * @param {string[]} columns
 * @param {(name: string) => DataType | undefined} typeOf
 * @param {Iterable<Batch>} batches
 */
export function unifiedSchema(columns, typeOf, batches) {
  /** @type {Map<string, Map<string, string>>} */
  const metadata = new Map();
  for (const b of batches) {
    for (const f of b.schema.fields) if (f.metadata.size && !metadata.has(f.name)) metadata.set(f.name, f.metadata);
  }
  return new Schema(columns.map((c) => new Field(c, typeOf(c) ?? new Null(), true, metadata.get(c) ?? new Map())));
}

/**
 * Picks from several Data of (roughly) one type into one Data of `type`.
 * @param {DataType} type
 * @param {(Data | null)[]} sources
 * @param {Int32Array} src which source, per output row
 * @param {ArrayLike<number>} row which row of it
 * @returns {Data}
 */
export function takeData(type, sources, src, row) {
  const n = src.length;
  const { bitmap, nulls } = validity(sources, src, row);
  const nullBitmap = nulls ? bitmap : undefined;
  const base = { type, length: n, nullCount: nulls, nullBitmap };
  const id = type.typeId;
  if (id === Type.Null) return make({ type, length: n, nullCount: n });
  if (id === Type.Bool) {
    const values = new Uint8Array((n + 7) >> 3);
    for (let k = 0; k < n; k++) {
      const s = sources[src[k]];
      if (s === null || s.type.typeId !== Type.Bool) continue;
      const i = s.offset + row[k];
      if ((s.values[i >> 3] >> (i & 7)) & 1) values[k >> 3] |= 1 << (k & 7);
    }
    return make({ ...base, data: values });
  }
  if (id === Type.Utf8 || id === Type.Binary || id === Type.LargeUtf8 || id === Type.LargeBinary) {
    return takeBytes(type, sources, src, row, base);
  }
  if (id === Type.List || id === Type.Map) {
    const offsets = new Int32Array(n + 1);
    /** @type {number[]} */ const childSrc = [];
    /** @type {number[]} */ const childRow = [];
    for (let k = 0; k < n; k++) {
      const s = sources[src[k]];
      let len = 0;
      if (s !== null && s.valueOffsets && s.getValid(row[k])) {
        const a = Number(s.valueOffsets[row[k]]);
        len = Number(s.valueOffsets[row[k] + 1]) - a;
        for (let j = 0; j < len; j++) {
          childSrc.push(src[k]);
          childRow.push(a + j);
        }
      }
      offsets[k + 1] = offsets[k] + len;
    }
    const child = takeData(type.children[0].type, sources.map((s) => s?.children[0] ?? null), Int32Array.from(childSrc), childRow);
    return make({ ...base, valueOffsets: offsets, child });
  }
  if (id === Type.FixedSizeList) {
    const size = /** @type {import("apache-arrow").FixedSizeList} */ (type).listSize;
    const childSrc = new Int32Array(n * size);
    const childRow = new Int32Array(n * size);
    for (let k = 0; k < n; k++) {
      for (let j = 0; j < size; j++) {
        childSrc[k * size + j] = src[k];
        childRow[k * size + j] = row[k] * size + j; // a slice's children are sliced with it
      }
    }
    const child = takeData(type.children[0].type, sources.map((s) => s?.children[0] ?? null), childSrc, childRow);
    return make({ ...base, child });
  }
  if (id === Type.Struct) {
    const children = type.children.map((/** @type {Field} */ f) => {
      const sub = sources.map((s) => {
        const j = s === null ? -1 : s.type.children.findIndex((/** @type {Field} */ g) => g.name === f.name);
        return s === null || j < 0 ? null : s.children[j]; // sliced with the struct: same rows
      });
      return takeData(f.type, sub, src, row);
    });
    return make({ ...base, children });
  }
  if (id === Type.Dictionary) {
    const dictionary = sources.find((s) => s !== null)?.dictionary;
    if (sources.some((s) => s !== null && s.dictionary !== dictionary)) {
      throw new Error(`column of type ${type} holds rows with different dictionaries; they cannot be copied into one file`);
    }
    const indices = new (/** @type {any} */ (type)).indices.ArrayType(n); // a Dictionary type's own ArrayType is Uint8Array
    for (let k = 0; k < n; k++) {
      const s = sources[src[k]];
      if (s !== null) indices[k] = s.values[row[k]];
    }
    return make(({ ...base, data: indices, dictionary }));
  }
  if (id === Type.Union || id === Type.BinaryView || id === Type.Utf8View || id === Type.LargeList) {
    throw new Error(`columns of type ${type} cannot be exported yet`);
  }
  return make({ ...base, data: takeFixed(type, sources, src, row) });
}

/**
 * @param {(Data | null)[]} sources
 * @param {Int32Array} src
 * @param {ArrayLike<number>} row
 */
function validity(sources, src, row) {
  const n = src.length;
  const bitmap = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let k = 0; k < n; k++) {
    const s = sources[src[k]];
    if (s !== null && s.type.typeId !== Type.Null && s.getValid(row[k])) bitmap[k >> 3] |= 1 << (k & 7);
    else nulls++;
  }
  return { bitmap, nulls };
}

/**
 * Fixed-width values (ints, floats, times, decimals, fixed-size binary), converted to `type`
 * where a source is narrower (the kernel's widenings).
 * @param {DataType} type
 * @param {(Data | null)[]} sources
 * @param {Int32Array} src
 * @param {ArrayLike<number>} row
 */
function takeFixed(type, sources, src, row) {
  const n = src.length;
  const Out = /** @type {any} */ (type).ArrayType;
  const stride = strideOf(type);
  const out = new Out(n * stride);
  const big = out instanceof BigInt64Array || out instanceof BigUint64Array;
  const convert = sources.map((s) => (s === null || s.type.typeId === Type.Null ? null : converter(s.type, type, big)));
  for (let k = 0; k < n; k++) {
    const s = sources[src[k]];
    const conv = convert[src[k]];
    if (s === null || conv === null) continue;
    const at = row[k] * stride;
    if (conv === true) {
      for (let j = 0; j < stride; j++) out[k * stride + j] = s.values[at + j];
    } else out[k] = conv(s.values[at]);
  }
  return out;
}

/** @param {DataType} type */
function strideOf(type) {
  if (type.typeId === Type.Decimal) return /** @type {import("apache-arrow").Decimal} */ (type).bitWidth / 32;
  if (type.typeId === Type.FixedSizeBinary) return /** @type {import("apache-arrow").FixedSizeBinary} */ (type).byteWidth;
  if (type.typeId === Type.Interval) return /** @type {any} */ (type).unit === 0 ? 1 : 2;
  return 1;
}

/**
 * How a value of `from` becomes one of `to`: true when the bits are the same; else a function.
 * @param {DataType} from
 * @param {DataType} to
 * @param {boolean} big the output holds BigInts
 * @returns {true | ((v: number | bigint) => number | bigint)}
 */
function converter(from, to, big) {
  /** @type {(v: number | bigint) => number | bigint} */
  const out = big ? (v) => BigInt(v) : (v) => Number(v);
  const sameClass = from.typeId === to.typeId;
  if (sameClass && DataType.isInt(from) && /** @type {any} */ (from).bitWidth === /** @type {any} */ (to).bitWidth && /** @type {any} */ (from).isSigned === /** @type {any} */ (to).isSigned) return true;
  const units = from.typeId === Type.Timestamp || from.typeId === Type.Time || from.typeId === Type.Duration;
  if (units && sameClass) {
    const shift = DIGITS[/** @type {TimeUnit} */ (/** @type {any} */ (to).unit)] - DIGITS[/** @type {TimeUnit} */ (/** @type {any} */ (from).unit)];
    if (shift === 0 && /** @type {any} */ (from).bitWidth === /** @type {any} */ (to).bitWidth) return true;
    if (shift < 0) throw new Error(`cannot convert ${from} to the coarser ${to}`);
    const f = 10n ** BigInt(shift);
    return big ? (v) => BigInt(v) * f : (v) => Number(BigInt(v) * f);
  }
  if (sameClass && !DataType.isInt(from) && !DataType.isFloat(from)) {
    if (String(from) === String(to)) return true;
    throw new Error(`cannot convert ${from} to ${to}`);
  }
  if ((DataType.isInt(from) || DataType.isFloat(from)) && (DataType.isInt(to) || DataType.isFloat(to))) {
    if (DataType.isFloat(from) && DataType.isFloat(to) && /** @type {any} */ (from).precision === /** @type {any} */ (to).precision) return true;
    return out;
  }
  throw new Error(`cannot convert ${from} to ${to}`);
}

/**
 * Variable-width values (utf8, binary and their large forms).
 * @param {DataType} type
 * @param {(Data | null)[]} sources
 * @param {Int32Array} src
 * @param {ArrayLike<number>} row
 * @param {{ type: DataType, length: number, nullCount: number, nullBitmap: Uint8Array | undefined }} base
 */
function takeBytes(type, sources, src, row, base) {
  const n = src.length;
  const large = type.typeId === Type.LargeUtf8 || type.typeId === Type.LargeBinary;
  // A batch may send a string column as a dictionary (payload.py: when that saves bytes); its
  // strings are then read from the dictionary, through the row's index.
  const strings = sources.map((s) => (s !== null && s.dictionary ? s.dictionary.data[0] : s));
  /** @type {(k: number) => number} */
  const at = (k) => {
    const s = /** @type {Data} */ (sources[src[k]]);
    return s.dictionary ? Number(s.values[row[k]]) : row[k];
  };
  let total = 0;
  for (let k = 0; k < n; k++) {
    const s = strings[src[k]];
    if (s === null || !s.valueOffsets || !(/** @type {Data} */ (sources[src[k]]).getValid(row[k]))) continue;
    const i = at(k);
    total += Number(s.valueOffsets[i + 1]) - Number(s.valueOffsets[i]);
  }
  const data = new Uint8Array(total);
  const offsets = large ? new BigInt64Array(n + 1) : new Int32Array(n + 1);
  let end = 0;
  for (let k = 0; k < n; k++) {
    const s = strings[src[k]];
    if (s !== null && s.valueOffsets && /** @type {Data} */ (sources[src[k]]).getValid(row[k])) {
      const i = at(k);
      const a = Number(s.valueOffsets[i]);
      const b = Number(s.valueOffsets[i + 1]);
      data.set(s.values.subarray(a, b), end);
      end += b - a;
    }
    offsets[k + 1] = large ? BigInt(end) : end;
  }
  return make(({ ...base, valueOffsets: offsets, data }));
}
