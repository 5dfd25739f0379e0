// @ts-check
// Cell text for Arrow values. Everything returned is plain text: the view only ever sets
// textContent, so a value such as "<img onerror=...>" stays inert.
import { DataType, Precision, TimeUnit, Type } from "apache-arrow";
import { durationText, pad, timeOfDayText, timestampText } from "./times.js";

/** @typedef {import("apache-arrow").DataType} ArrowType */
/** @typedef {{ timezone?: string | null }} FormatOptions */

// What apache-arrow 21 `vector.get(i)` returns (checked in node; the view formats from these):
// - null (any type)                 -> null
// - Int8/16/32, Uint8/16/32, Float  -> number (Float16 too); Bool -> boolean; Utf8 -> string
// - Int64 / Uint64                  -> BigInt (also Duration: BigInt in its unit)
// - Timestamp, any unit, tz or not  -> number of epoch *milliseconds* (us/ns keep the rest as a
//                                      fraction: 1704164645123.456, so nanoseconds are lost);
//                                      the store's cellOf reads the exact BigInt of the unit
// - Date32<DAY> / Date64<MS>        -> number of epoch milliseconds (UTC midnight for days)
// - Time32 (s/ms)                   -> number in the type's unit; Time64 (us/ns) -> BigInt
// - Binary -> Uint8Array; List -> an arrow Vector; Struct -> a row proxy (toJSON() for a plain
//   object)
// - Decimal                         -> a Uint32Array subclass (arrow "BN"); String(v) is the
//                                      unscaled integer; use arrow's util.bigNumToNumber(v, scale)
//                                      or insert the decimal point by type.scale for display
// - Dictionary<_, Utf8>             -> the decoded string

/** @param {number} ms */
export function formatDate(ms) {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return String(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/**
 * @param {number} v
 * @param {number} [decimals]
 */
function formatFloat(v, decimals) {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e15)) return v.toExponential(4);
  // A column-wide number of decimals lines the decimal points up, as pandas does.
  if (decimals !== undefined) return v.toFixed(decimals);
  return String(Number.parseFloat(v.toFixed(6)));
}

/** The shortest text that reads back as this float32 (0.1, not 0.10000000149011612).
 * @param {number} v */
export function float32Text(v) {
  if (!Number.isFinite(v)) return formatFloat(v);
  for (let p = 1; p <= 9; p++) {
    const t = v.toPrecision(p);
    if (Math.fround(Number(t)) === v) return String(Number(t));
  }
  return String(v);
}

/** Decimals (0..6) that show every sampled float of a column without rounding.
 * @param {Iterable<unknown>} values */
export function floatDecimals(values) {
  let most = 0;
  for (const v of values) {
    if (typeof v !== "number" || !Number.isFinite(v)) continue;
    const text = String(Number.parseFloat(v.toFixed(6)));
    const dot = text.indexOf(".");
    if (dot >= 0 && !text.includes("e")) most = Math.max(most, text.length - dot - 1);
  }
  return Math.min(Math.max(most, 1), 6);
}

/** Is this column right-aligned (numbers, and decimals sent as exact text)?
 * @param {ArrowType | undefined} type
 * @param {boolean} [decimalText] */
export function isNumeric(type, decimalText = false) {
  return decimalText || (!!type && (DataType.isInt(type) || DataType.isFloat(type) || DataType.isDecimal(type)));
}

// Explicit bidi controls (embeddings, overrides, isolates) would reorder the text around them:
// they are shown as visible marks, so a value cannot disguise itself ("\u202Etxt.exe").
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
const LINE_BREAKS = /\r\n|\r|\n/g;

/** A string as one table line: line breaks as " ↵ ", bidi controls as visible marks.
 * @param {string} s */
export function lineText(s) {
  let out = s;
  if (out.includes("\n") || out.includes("\r")) out = out.replace(LINE_BREAKS, " ↵ ");
  BIDI_CONTROLS.lastIndex = 0;
  if (BIDI_CONTROLS.test(out)) {
    out = out.replace(BIDI_CONTROLS, (c) => `⟨U+${c.charCodeAt(0).toString(16).toUpperCase()}⟩`);
  }
  return out;
}

/** Is `type` a float column narrower than 64 bits (shown by its float32 digits)?
 * @param {ArrowType | undefined} type */
const isNarrowFloat = (type) => !!type && DataType.isFloat(type) && type.precision !== Precision.DOUBLE;

/**
 * Text for one cell; `null` for a missing value (the view marks it visibly). `value` is what
 * the store reads (cellOf: exact BigInts for timestamps), `type` the Arrow type of the batch it
 * came in. `options.timezone` shows zoned times in another zone ("UTC": marked UTC).
 * @param {unknown} value
 * @param {ArrowType | undefined} type
 * @param {number} [decimals] digits after the point for floats (the column's)
 * @param {FormatOptions} [options]
 * @returns {string | null}
 */
export function formatValue(value, type, decimals, options = {}) {
  if (value === null || value === undefined) return null;
  if (type) {
    // Times come as the store reads them: a BigInt count of the unit, or a number.
    const time = /** @type {bigint | number} */ (value);
    switch (type.typeId) {
      case Type.Timestamp: {
        const ts = /** @type {import("apache-arrow").Timestamp} */ (type);
        // A number is arrow's epoch milliseconds: make it microseconds of a like type.
        return typeof time === "bigint"
          ? timestampText(time, ts, options.timezone)
          : timestampText(BigInt(Math.round(time * 1000)), { unit: TimeUnit.MICROSECOND, timezone: ts.timezone }, options.timezone);
      }
      case Type.Date:
        return formatDate(Number(value));
      case Type.Time:
        return timeOfDayText(time, /** @type {import("apache-arrow").Time} */ (type));
      case Type.Duration:
        return durationText(time, /** @type {import("apache-arrow").Duration} */ (type));
      default:
    }
  }
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") {
    if (type && DataType.isInt(type)) return String(value);
    return isNarrowFloat(type) && decimals === undefined ? float32Text(value) : formatFloat(value, decimals);
  }
  if (typeof value === "string") return lineText(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  return nestedText(value, type);
}

/** The full text for a tooltip: every digit of a float, every line of a string.
 * @param {unknown} value
 * @param {ArrowType | undefined} type
 * @param {FormatOptions} [options]
 * @returns {string | null} */
export function fullText(value, type, options = {}) {
  if (typeof value === "string") return value;
  if (typeof value === "number" && !(type && DataType.isInt(type))) {
    if (type && (DataType.isTimestamp(type) || DataType.isDate(type) || DataType.isTime(type))) {
      return formatValue(value, type, undefined, options);
    }
    if (!Number.isFinite(value)) return formatFloat(value);
    return isNarrowFloat(type) ? float32Text(value) : String(value);
  }
  return formatValue(value, type, undefined, options);
}

// Lists and structs with their children's types: [1, 2], {"a": 1, "b": "x"}.
// `value` is what arrow's get returns for the type: a Vector for a list, a row proxy for a
// struct, a Uint32Array subclass for a decimal.
/**
 * @param {object} value
 * @param {ArrowType | undefined} type
 * @returns {string}
 */
function nestedText(value, type) {
  /** @type {(v: unknown, t: ArrowType | undefined) => string} */
  const inner = (v, t) => {
    if (v === null || v === undefined) return "null";
    if (typeof v === "string") return JSON.stringify(v);
    return formatValue(v, t) ?? "null";
  };
  /** @type {import("apache-arrow").Field[]} */
  const children = type?.children ?? [];
  const fields = /** @type {{ [Symbol.iterator]?: unknown, toJSON?: unknown } & Record<string, unknown>} */ (value);
  if (type && (DataType.isList(type) || DataType.isFixedSizeList(type)) && typeof fields[Symbol.iterator] === "function") {
    const child = children[0]?.type;
    return `[${[.../** @type {Iterable<unknown>} */ (value)].map((v) => inner(v, child)).join(", ")}]`;
  }
  if (type && DataType.isStruct(type)) {
    return `{${children.map((f) => `${JSON.stringify(f.name)}: ${inner(fields[f.name], f.type)}`).join(", ")}}`;
  }
  const plain = typeof fields.toJSON === "function" ? fields.toJSON() : value;
  try {
    return JSON.stringify(plain, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
  } catch {
    return String(value);
  }
}
