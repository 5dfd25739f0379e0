// @ts-check
// The exact sum behind a column's mean, in two parts:
//
// - an expansion (Shewchuk's non-overlapping doubles, smallest first, as Python's math.fsum)
//   holds a column's sum between runs of rows, and values can leave it (a removed row subtracts
//   its value), so the mean is the same whatever the order rows came and went in: the exact
//   sum, rounded once to a double, divided by the count. Usually one or two doubles long.
// - digits take a run's values on their way in: each finite double is an integer m < 2^53 times
//   a power of two, added as three 32-bit pieces to the digits its bits fall in (integers held
//   exactly in doubles). That is a few integer operations per value where growing the expansion
//   costs a loop over it with a compare and a swap per part; the digits then go into the
//   expansion once per run.

// The two 32-bit halves of one double (little-endian or not).
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HI = 1 - LO;

// Digit j weighs 2^(32 j - 1074): the smallest subnormal is digit 0's unit, and the largest
// double's top bit falls in digit 65.
const DIGITS = 66;
const WEIGHT = Float64Array.from({ length: DIGITS }, (_, j) => 2 ** (32 * j - 1074));
const digits = new Float64Array(DIGITS);
/** Values the digits can take before one could pass 2^53 (each adds less than 2^33 to one). */
const DIGITS_RUN = 2 ** 19;
let held = 0; // values in the digits since they were last drained

/**
 * Adds x (finite) to the digits. Returns true when they are full: drain them before the next.
 * @param {number} x
 * @returns {boolean}
 */
export function toDigits(x) {
  F64[0] = x;
  const lo = U32[LO];
  const hi = U32[HI];
  const e = (hi >>> 20) & 0x7ff;
  const s = e === 0 ? 0 : e - 1; // x = m * 2^(s - 1074)
  const k = s >>> 5;
  const r = s & 31;
  const mhi = (hi & 0xfffff) | (e === 0 ? 0 : 0x100000); // m = mhi * 2^32 + lo
  // m * 2^r in 32-bit pieces: digits k, k + 1 and k + 2.
  const a = (lo << r) >>> 0;
  const b = r === 0 ? mhi : (lo >>> (32 - r)) + ((mhi << r) >>> 0);
  const c = r === 0 ? 0 : mhi >>> (32 - r);
  if (hi >>> 31) {
    digits[k] -= a;
    digits[k + 1] -= b;
    digits[k + 2] -= c;
  } else {
    digits[k] += a;
    digits[k + 1] += b;
    digits[k + 2] += c;
  }
  return ++held === DIGITS_RUN;
}

/**
 * Hands the digits' sum to `add` (a few doubles, each exact) and clears them.
 * @param {(x: number) => void} add
 */
export function drainDigits(add) {
  if (held === 0) return;
  held = 0;
  for (let j = 0; j < DIGITS; j++) {
    const d = digits[j];
    if (d !== 0) {
      // An integer below 2^53 times a power of two: exact (only a sum past the largest double
      // overflows, to an infinity, as growing the expansion value by value would).
      add(d * WEIGHT[j]);
      digits[j] = 0;
    }
  }
}

/**
 * Adds x (finite) to the expansion in place.
 * @param {number[]} parts
 * @param {number} x
 */
export function addExact(parts, x) {
  // Through a typed array: `grow` stays monomorphic, as the hot loop of sumInto needs.
  const e = new Float64Array(parts.length + 1);
  e.set(parts);
  const n = grow(e, parts.length, x);
  parts.length = n;
  for (let k = 0; k < n; k++) parts[k] = e[k];
}

/**
 * Adds x (finite) to the expansion e[0..len) in place; returns its new length (at most len + 1:
 * e needs room for one more).
 * @param {Float64Array} e
 * @param {number} len
 * @param {number} x
 */
export function grow(e, len, x) {
  let i = 0;
  for (let j = 0; j < len; j++) {
    let y = e[j];
    if (Math.abs(x) < Math.abs(y)) {
      const t = x;
      x = y;
      y = t;
    }
    const hi = x + y;
    const lo = y - (hi - x);
    if (lo !== 0) e[i++] = lo;
    x = hi;
  }
  if (x !== 0) e[i++] = x;
  return i;
}

/**
 * The expansion's value, correctly rounded to a double (math.fsum's last step).
 * @param {number[]} parts
 */
export function roundExact(parts) {
  let n = parts.length;
  if (n === 0) return 0;
  let hi = parts[--n];
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = parts[--n];
    hi = x + y;
    lo = y - (hi - x);
    if (lo !== 0) break;
  }
  if (n > 0 && ((lo < 0 && parts[n - 1] < 0) || (lo > 0 && parts[n - 1] > 0))) {
    const y = lo * 2;
    const x = hi + y;
    if (y === x - hi) hi = x;
  }
  return hi;
}
