// Cell text for Arrow values. Everything returned is plain text: the view only ever sets
// textContent, so a value such as "<img onerror=...>" stays inert.
import { DataType } from "apache-arrow";

// What apache-arrow 21 `vector.get(i)` returns (checked in node; the view formats from these):
// - null (any type)                 -> null
// - Int8/16/32, Uint8/16/32, Float  -> number (Float16 too); Bool -> boolean; Utf8 -> string
// - Int64 / Uint64                  -> BigInt (also Duration: BigInt in its unit)
// - Timestamp, any unit, tz or not  -> number of epoch *milliseconds* (us/ns keep the rest as a
//                                      fraction: 1704164645123.456), never a Date
// - Date32<DAY> / Date64<MS>        -> number of epoch milliseconds (UTC midnight for days)
// - Time32 (s/ms)                   -> number in the type's unit; Time64 (us/ns) -> BigInt
// - Binary -> Uint8Array; List -> an arrow Vector; Struct -> a row proxy (toJSON() for a plain
//   object)
// - Decimal                         -> a Uint32Array subclass (arrow "BN"); String(v) is the
//                                      unscaled integer; use arrow's util.bigNumToNumber(v, scale)
//                                      or insert the decimal point by type.scale for display
// - Dictionary<_, Utf8>             -> the decoded string

const pad = (n, w = 2) => String(n).padStart(w, "0");

function formatDate(ms, withTime) {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return String(ms);
  const day = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (!withTime) return day;
  const msPart = d.getUTCMilliseconds() ? `.${pad(d.getUTCMilliseconds(), 3)}` : "";
  return `${day} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${msPart}`;
}

function formatFloat(v, decimals) {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e15)) return v.toExponential(4);
  // A column-wide number of decimals lines the decimal points up, as pandas does.
  if (decimals !== undefined) return v.toFixed(decimals);
  return String(Number.parseFloat(v.toFixed(6)));
}

/** Decimals (0..6) that show every sampled float of a column without rounding. */
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

const jsonReplacer = (_k, v) => (typeof v === "bigint" ? v.toString() : v);

/** Is this column right-aligned (numbers)? */
export function isNumeric(type) {
  return !!type && (DataType.isInt(type) || DataType.isFloat(type) || DataType.isDecimal(type));
}

/** Text for one cell; `null` for a missing value (the view marks it visibly). */
export function formatValue(value, type, decimals) {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") {
    if (type && DataType.isTimestamp(type)) return formatDate(value, true);
    if (type && DataType.isDate(type)) return formatDate(value, false);
    return type && DataType.isInt(type) ? String(value) : formatFloat(value, decimals);
  }
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof Date) return formatDate(value.getTime(), !(type && DataType.isDate(type)));
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  const plain = typeof value.toJSON === "function" ? value.toJSON() : value;
  try {
    return JSON.stringify(plain, jsonReplacer);
  } catch {
    return String(value);
  }
}
