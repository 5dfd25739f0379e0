// @ts-check
// A column of one record batch as delimited-text fields, row by row: what export.js writes for
// CSV and copied rows. A million rows times a few columns is millions of values, so the common
// types read their buffers directly (no Vector.get, no quoting check for numbers and times),
// and a timestamp column formats its date, hour, minute and offset once per minute, not per
// value. Any other type goes through rawText, value by value.
import { DataType, TimeUnit, Type } from "apache-arrow";

/** @typedef {import("apache-arrow").Vector} Vector */
/** @typedef {(row: number) => string} Reader */

/** @type {Record<TimeUnit, number>} */
const DIGITS = { [TimeUnit.SECOND]: 0, [TimeUnit.MILLISECOND]: 3, [TimeUnit.MICROSECOND]: 6, [TimeUnit.NANOSECOND]: 9 };

/**
 * @param {Vector} vector
 * @param {string} delimiter
 * @param {(value: unknown, type: DataType) => string | null} rawText
 * @param {(text: string | null, delimiter: string) => string} field
 * @param {(vector: Vector, row: number) => unknown} exactValue
 * @returns {Reader}
 */
export function fieldReader(vector, delimiter, rawText, field, exactValue) {
  /** @type {Reader} */
  const generic = (row) => field(rawText(exactValue(vector, row), vector.type), delimiter);
  if (vector.data.length !== 1) return generic;
  const data = vector.data[0];
  const { type } = vector;
  /** @type {(row: number) => boolean} */
  const valid = data.nullCount === 0 ? () => true : (row) => data.getValid(row);
  /** @type {Reader | null} */
  let read = null;
  if (DataType.isInt(type)) {
    const values = data.values;
    read = (row) => String(values[row]); // sliced to the Data's rows already (offset: bitmaps)
  } else if (DataType.isFloat(type) && type.precision === 2) {
    const values = /** @type {Float64Array} */ (data.values);
    read = (row) => {
      const v = values[row];
      return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? "NaN" : v > 0 ? "inf" : "-inf";
    };
  } else if (type.typeId === Type.Timestamp && data.values instanceof BigInt64Array) {
    read = timestampReader(data.values, /** @type {import("apache-arrow").Timestamp} */ (type), rawText);
  }
  if (read === null) return generic;
  const fast = read;
  return (row) => (valid(row) ? fast(row) : "");
}

/**
 * ISO 8601 text of a timestamp column, as rawText writes it, formatting the part before the
 * seconds and the offset once per minute.
 * @param {BigInt64Array} values
 * @param {import("apache-arrow").Timestamp} type
 * @param {(value: unknown, type: DataType) => string | null} rawText
 * @returns {Reader}
 */
function timestampReader(values, type, rawText) {
  const digits = DIGITS[type.unit];
  const scale = 10n ** BigInt(digits);
  const unit = Number(scale);
  let start = 0n; // the current minute's first count: within it, a value is start + d with
  let span = -1; //  0 <= d < span, and d (< 6e10) is exact as a double: no BigInt division
  /** @type {string | null} null: this minute is not "YYYY-MM-DDTHH:MM:00..." (far years, offsets with seconds) */
  let head = null;
  let tail = "";
  let misses = 0; // rows in a row outside the cached minute
  return (row) => {
    const v = values[row];
    let d = Number(v - start);
    if (!(d >= 0 && d < span)) {
      // Rows in time order stay within a minute; rows in another order (a sort) rarely do,
      // and then the minute is cached again only now and then, each row written as it is.
      if (misses++ % 8 !== 0) return /** @type {string} */ (rawText(v, type));
      let secs = v / scale;
      if (v % scale < 0n) secs -= 1n;
      const m = secs >= 0n ? secs / 60n : (secs - 59n) / 60n;
      start = m * 60n * scale;
      span = 60 * unit;
      d = Number(v - start);
      const whole = /** @type {string} */ (rawText(start, type));
      const ok = whole.length >= 19 && whole[4] === "-" && whole[16] === ":" && whole.slice(17, 19) === "00";
      head = ok ? whole.slice(0, 17) : null;
      tail = whole.slice(19);
    } else misses = 0;
    if (head === null) return /** @type {string} */ (rawText(v, type));
    const sec = Math.floor(d / unit);
    let f = digits ? String(d - sec * unit).padStart(digits, "0") : "";
    while (f.length >= 3 && f.endsWith("000")) f = f.slice(0, -3);
    return `${head}${sec < 10 ? "0" : ""}${sec}${f ? `.${f}` : ""}${tail}`;
  };
}
