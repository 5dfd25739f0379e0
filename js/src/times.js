// @ts-check
// Text for times, exactly: timestamps to the nanosecond in their own zone with the offset,
// times of day, durations. Values come as the store reads them exactly (cellOf): timestamps and
// 64-bit times / durations as BigInt counts of their unit, 32-bit ones as numbers.
import { TimeUnit } from "apache-arrow";

/**
 * What these functions need of an Arrow time type (Timestamp, Time, Duration).
 * @typedef {{ unit: TimeUnit, timezone?: string | null }} TimeType
 */

/** @type {Record<TimeUnit, number>} */
const DIGITS = { [TimeUnit.SECOND]: 0, [TimeUnit.MILLISECOND]: 3, [TimeUnit.MICROSECOND]: 6, [TimeUnit.NANOSECOND]: 9 };
/** `n` with leading zeros to `w` digits. @type {(n: number | bigint | string, w?: number) => string} */
export const pad = (n, w = 2) => String(n).padStart(w, "0");

/**
 * Whole seconds (a number) and the fraction's digits (a string, `digits` long).
 * @param {bigint | number} value a count of `unit`
 * @param {TimeUnit} unit
 */
export function splitSeconds(value, unit) {
  const digits = DIGITS[unit] ?? 0;
  if (typeof value !== "bigint") value = BigInt(Math.round(Number(value)));
  const scale = 10n ** BigInt(digits);
  let secs = value / scale;
  let frac = value % scale;
  if (frac < 0n) {
    frac += scale;
    secs -= 1n;
  }
  return { secs: Number(secs), frac: digits ? pad(frac, digits) : "" };
}

/** ".5", ".123", ".000001": the fraction in groups of three digits, none when it is zero.
 * @param {string} frac */
function fractionText(frac) {
  let f = frac;
  while (f.length >= 3 && f.endsWith("000")) f = f.slice(0, -3);
  return f ? `.${f}` : "";
}

// Offsets of named zones, by hour: Intl is slow, and a feed shows many times per hour.
/** @type {Map<string, Intl.DateTimeFormat>} */
const zoneFormats = new Map();
/** @type {Map<string, number>} `${zone}|${hour}` -> seconds, when the whole hour has one */
const hourOffsets = new Map();

/**
 * @param {string} zone
 * @param {number} ms
 */
function wallMinus(zone, ms) {
  let fmt = zoneFormats.get(zone);
  if (fmt === undefined) {
    fmt = new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
      hour: "numeric", minute: "numeric", second: "numeric", era: "short",
    });
    zoneFormats.set(zone, fmt);
  }
  /** @type {Partial<Record<Intl.DateTimeFormatPartTypes, string>>} */
  const p = {};
  for (const { type, value } of fmt.formatToParts(ms)) p[type] = value;
  const year = p.era === "BC" || p.era === "B" ? 1 - Number(p.year) : Number(p.year);
  const wall = Date.UTC(year, Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  const base = ms - (((ms % 1000) + 1000) % 1000);
  return Math.round((wall - base) / 1000);
}

const FIXED = /^([+-])(\d{2}):?(\d{2})$/;

/** Seconds east of UTC of `zone` (an IANA name or "+hh:mm") at the instant `ms` (old local
 * mean times have odd seconds: Paris was +00:09:21).
 * @param {string} zone
 * @param {number} ms
 * @returns {number} */
export function zoneOffset(zone, ms) {
  const fixed = FIXED.exec(zone);
  if (fixed) return (fixed[1] === "-" ? -1 : 1) * (Number(fixed[2]) * 3600 + Number(fixed[3]) * 60);
  if (zone === "UTC" || zone === "Z" || zone === "Etc/UTC") return 0;
  const hour = Math.floor(ms / 3_600_000);
  const key = `${zone}|${hour}`;
  const cached = hourOffsets.get(key);
  if (cached !== undefined) return cached;
  const start = wallMinus(zone, hour * 3_600_000);
  if (start === wallMinus(zone, (hour + 1) * 3_600_000 - 1000)) {
    if (hourOffsets.size > 100_000) hourOffsets.clear();
    hourOffsets.set(key, start);
    return start;
  }
  return wallMinus(zone, ms); // an hour with a transition in it: this instant's own offset
}

/** @param {number} seconds */
function offsetText(seconds) {
  const a = Math.abs(seconds);
  const secs = a % 60 ? `:${pad(a % 60)}` : "";
  return `${seconds < 0 ? "-" : "+"}${pad(Math.floor(a / 3600))}:${pad(Math.floor(a / 60) % 60)}${secs}`;
}

/**
 * @param {number} secs
 * @param {string} frac
 */
function dateTimeText(secs, frac) {
  const d = new Date(secs * 1000);
  if (Number.isNaN(d.getTime())) return null;
  const y = d.getUTCFullYear();
  const year = y < 0 ? `-${pad(-y, 4)}` : pad(y, 4);
  return (
    `${year}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${fractionText(frac)}`
  );
}

/**
 * A timestamp's text. Naive: as it is. Zoned: in its zone with the offset, or in `showZone`
 * (a column option: "UTC" shows "... UTC", an IANA name shows that zone with its offset).
 * @param {bigint | number} value a count of the type's unit
 * @param {TimeType} type
 * @param {string | null} [showZone]
 */
export function timestampText(value, type, showZone = null) {
  const { secs, frac } = splitSeconds(value, type.unit);
  const zone = type.timezone || null;
  if (zone === null) return dateTimeText(secs, frac) ?? String(value);
  if (showZone === "UTC") return `${dateTimeText(secs, frac) ?? String(value)} UTC`;
  const shown = showZone || zone;
  const offset = zoneOffset(shown, secs * 1000);
  const text = dateTimeText(secs + offset, frac);
  return text === null ? String(value) : text + offsetText(offset);
}

/** Epoch milliseconds shifted into the zone's wall clock (for strftime of zoned columns).
 * @param {number} ms
 * @param {TimeType} type
 * @param {string | null} [showZone] */
export function wallMillis(ms, type, showZone = null) {
  const zone = showZone === "UTC" ? null : showZone || type.timezone || null;
  return zone === null ? ms : ms + zoneOffset(zone, Math.floor(ms)) * 1000;
}

/** A time of day: "HH:MM:SS[.fraction]".
 * @param {bigint | number} value
 * @param {TimeType} type */
export function timeOfDayText(value, type) {
  const { secs, frac } = splitSeconds(value, type.unit);
  return `${pad(Math.floor(secs / 3600))}:${pad(Math.floor(secs / 60) % 60)}:${pad(secs % 60)}${fractionText(frac)}`;
}

/** A duration: "2 days 03:04:05.5", "00:00:01.250", "-1 day 00:00:00".
 * @param {bigint | number} value
 * @param {TimeType} type */
export function durationText(value, type) {
  const big = typeof value === "bigint" ? value : BigInt(Math.round(Number(value)));
  const negative = big < 0n;
  const { secs, frac } = splitSeconds(negative ? -big : big, type.unit);
  const days = Math.floor(secs / 86400);
  const rest = secs % 86400;
  const clock = `${pad(Math.floor(rest / 3600))}:${pad(Math.floor(rest / 60) % 60)}:${pad(rest % 60)}${fractionText(frac)}`;
  const dayText = days ? `${days} day${days === 1 ? "" : "s"} ` : "";
  return `${negative ? "-" : ""}${dayText}${clock}`;
}
