// @ts-check
// Column display options (`column_options` in Python: label, width, format, align, hidden) and
// the formats they name. Formats are Python's, since the user writes them in Python: a number
// spec such as ",.2f", ".1%", "d", "e", or an strftime pattern such as "%Y-%m-%d %H:%M" for
// timestamps and dates. Output is always plain text.
import { DataType } from "apache-arrow";
import { floatDecimals, formatValue, fullText, isNumeric } from "./format.js";
import { pad, splitSeconds, wallMillis } from "./times.js";

/** @typedef {import("apache-arrow").DataType} ArrowType */
/** @typedef {import("./types.js").Column} Column */
/** @typedef {import("./types.js").ColumnOptions} ColumnOptions */
/** @typedef {import("./store.js").RowStore} RowStore */
/** @typedef {import("./store.js").Handle} Handle */
/**
 * What formatting needs of a column: a shown Column, or a template field's stand-in.
 * @typedef {{ format: string | null, type: ArrowType | undefined, timezone?: string | null }} CellFormat
 */

/**
 * The columns shown, in order, each with its resolved options.
 * @param {string[]} names
 * @param {Record<string, ColumnOptions>} [options]
 * @param {(name: string) => ArrowType | undefined} [typeOf] the column's newest Arrow type
 * @param {(name: string) => boolean} [decimalText] whether it holds decimals sent as exact text
 * @returns {Column[]}
 */
export function layoutColumns(names, options = {}, typeOf = () => undefined, decimalText = () => false) {
  return names
    .filter((name) => !(options[name] && options[name].hidden))
    .map((name) => {
      const o = options[name] || {};
      const type = typeOf(name);
      const align = o.align || (isNumeric(type, decimalText(name)) ? "right" : "left");
      const timezone = o.timezone ?? null;
      const summary = o.summary !== false;
      return { name, label: o.label ?? name, width: o.width ?? null, format: o.format ?? null, align, type, timezone, summary };
    });
}

/** The full text of a cell for its tooltip (every digit, every line).
 * @param {unknown} value
 * @param {CellFormat} column
 * @param {ArrowType | undefined} [type]
 * @returns {string} */
export function cellTitle(value, column, type = column.type) {
  if (value === null || value === undefined) return "";
  return /** @type {string} */ (fullText(value, type, { timezone: column.timezone ?? null })); // value is not null
}

// Floats of a column share one number of decimals so the points line up: enough for the
// first rows' values (undefined: not a float column, or it has a format).
/**
 * @param {RowStore} store
 * @param {Column[]} columns
 * @returns {(number | undefined)[]}
 */
export function sampleDecimals(store, columns) {
  const n = Math.min(store.size, 50);
  return columns.map((c) => {
    if (!c.type || !DataType.isFloat(c.type) || c.format) return undefined;
    const sample = [];
    for (let i = 0; i < n; i++) sample.push(store.valueAt(i, c.name));
    return floatDecimals(sample);
  });
}

// CSS grid tracks: widths from options, the user's resizing (`widths`), or the header and the
// text of the first rows.
/**
 * @param {RowStore} store
 * @param {Column[]} columns
 * @param {(number | undefined)[]} decimals per column, from sampleDecimals
 * @param {Map<string, number>} widths px by column name
 * @param {boolean} withActions
 */
export function columnWidths(store, columns, decimals, widths, withActions) {
  const n = Math.min(store.size, 50);
  const tracks = columns.map((c, j) => {
    const px = widths.get(c.name) ?? c.width;
    if (px) return `${px}px`;
    let chars = c.label.length + 2;
    for (let i = 0; i < n; i++) {
      const h = /** @type {Handle} */ (store.readHandleAt(i)); // i < size; leaves packed rows packed
      const text = formatCell(store.cellOf(h, c.name), c, decimals[j], store.typeOf(h, c.name));
      chars = Math.max(chars, text === null ? 4 : text.length);
    }
    return `minmax(5ch, ${Math.min(chars, 48) + 3}ch)`;
  });
  if (withActions) tracks.push("max-content");
  return tracks.join(" ") || "1fr";
}

// A row's text in column c, exactly as drawn when the row's handle is known (sort / filter
// pass it), else from the value alone.
/**
 * @param {RowStore} store
 * @param {CellFormat & { name: string }} c
 * @param {number | undefined} decimals the column's (sampleDecimals)
 * @returns {(value: unknown, handle?: Handle) => string}
 */
export function cellText(store, c, decimals) {
  return (value, handle) => {
    const t = handle === undefined
      ? formatCell(value, c, decimals)
      : formatCell(store.cellOf(handle, c.name), c, decimals, store.typeOf(handle, c.name));
    return t === null ? "" : t;
  };
}

/**
 * The displayed text of any shown column, for the order's sort and filter ("" for others).
 * @param {RowStore} store
 * @param {Column[]} columns
 * @param {(number | undefined)[]} decimals per column (sampleDecimals)
 * @returns {import("./order.js").TextOf}
 */
export function columnsText(store, columns, decimals) {
  const texts = new Map(columns.map((c, j) => [c.name, cellText(store, c, decimals[j])]));
  return (value, name, handle) => {
    const text = texts.get(name);
    return text !== undefined ? text(value, handle) : "";
  };
}

// The filter's one rule (the view's order and the column summaries both apply it): a row
// passes when the shown text of one of the shown columns contains the filter, trimmed, in any
// case.

/** The filter as rows are matched against it ("": none). @param {unknown} filter */
export function needleOf(filter) {
  return typeof filter === "string" ? filter.trim().toLowerCase() : "";
}

/**
 * Whether a cell's shown text contains the needle (needleOf).
 * @param {unknown} text
 * @param {string} needle
 */
export function textMatches(text, needle) {
  return text !== null && text !== undefined && String(text).toLowerCase().includes(needle);
}

const NUMBER_SPEC = /^(,)?(?:\.(\d+))?([fdeg%])?$/;

/**
 * Text of `value` with the column's format, or the default formatting without one. `type` is
 * the Arrow type of the batch the value came in (a column may have widened since).
 * @param {unknown} value
 * @param {CellFormat} column
 * @param {number} [decimals]
 * @param {ArrowType | undefined} [type]
 * @returns {string | null}
 */
export function formatCell(value, column, decimals, type = column.type) {
  const { format } = column;
  const options = { timezone: column.timezone ?? null };
  if (value === null || value === undefined) return null;
  if (!format) return formatValue(value, type, decimals, options);
  if (format.includes("%") && format !== "%" && !NUMBER_SPEC.test(format)) {
    if (type && DataType.isTimestamp(type)) {
      // A timestamp is a BigInt count of its unit (store.cellOf) or arrow's epoch milliseconds.
      const ms = typeof value === "bigint" ? epochMillis(value, type) : /** @type {number} */ (value);
      return strftime(wallMillis(ms, type, options.timezone), format);
    }
    if (typeof value === "number" && type && DataType.isDate(type)) return strftime(value, format);
    return formatValue(value, type, decimals, options);
  }
  const n = typeof value === "bigint" ? Number(value) : value;
  const temporal = type && (DataType.isTimestamp(type) || DataType.isTime(type) || DataType.isDuration(type));
  if (typeof n !== "number" || temporal) return formatValue(value, type, decimals, options);
  const m = NUMBER_SPEC.exec(format);
  if (!m) return formatValue(value, type, decimals, options);
  return formatNumber(n, m[1] === ",", m[2] === undefined ? null : Number(m[2]), m[3] || "g", value);
}

// Epoch milliseconds (with the fraction) of an exact timestamp count of its unit.
/**
 * @param {bigint} value
 * @param {import("apache-arrow").Timestamp} type
 */
function epochMillis(value, type) {
  const { secs, frac } = splitSeconds(value, type.unit);
  return secs * 1000 + (frac ? Number(`0.${frac}`) * 1000 : 0);
}

/**
 * @param {number} n
 * @param {boolean} grouping
 * @param {number | null} precision
 * @param {string} kind one of "f", "d", "e", "g", "%"
 * @param {unknown} original the value before Number(), exact for BigInts
 */
function formatNumber(n, grouping, precision, kind, original) {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? "NaN" : n > 0 ? "inf" : "-inf";
  let text;
  let suffix = "";
  if (kind === "%") {
    n *= 100;
    suffix = "%";
    kind = "f";
  }
  if (kind === "d") {
    text = typeof original === "bigint" ? original.toString() : String(Math.round(n));
  } else if (kind === "e") {
    text = n.toExponential(precision ?? 6).replace(/e([+-])(\d)$/, "e$10$2"); // Python: e+03
  } else if (kind === "f") {
    text = n.toFixed(precision ?? 6);
  } else {
    text = precision === null ? String(n) : String(Number(n.toPrecision(Math.max(precision, 1))));
  }
  if (grouping && kind !== "e") text = group(text);
  return text + suffix;
}

/** @param {string} text */
function group(text) {
  const m = /^(-?)(\d+)(.*)$/.exec(text);
  if (!m) return text;
  return m[1] + m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ",") + m[3];
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Python's strftime for the common directives, in UTC (Arrow timestamps are UTC instants).
 * @param {number} ms
 * @param {string} pattern */
export function strftime(ms, pattern) {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return String(ms);
  /** @type {Record<string, () => string>} */
  const fields = {
    Y: () => String(d.getUTCFullYear()),
    y: () => pad(d.getUTCFullYear() % 100),
    m: () => pad(d.getUTCMonth() + 1),
    d: () => pad(d.getUTCDate()),
    H: () => pad(d.getUTCHours()),
    I: () => pad(d.getUTCHours() % 12 || 12),
    p: () => (d.getUTCHours() < 12 ? "AM" : "PM"),
    M: () => pad(d.getUTCMinutes()),
    S: () => pad(d.getUTCSeconds()),
    f: () => pad(Math.round((ms - Math.floor(ms / 1000) * 1000) * 1000), 6),
    a: () => DAYS[d.getUTCDay()],
    b: () => MONTHS[d.getUTCMonth()],
    j: () => pad(Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1, 3),
    "%": () => "%",
  };
  return pattern.replace(/%([a-zA-Z%])/g, (all, c) => (fields[c] ? fields[c]() : all));
}
