// Sorting helpers for order.js: how a column's values compare, and sorting / merging arrays of
// row slots by keys held in typed arrays.
import { DataType } from "apache-arrow";

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

// How a column compares: "num" (numbers, BigInt, times, dates, booleans, decimals), "str"
// (case-insensitive, then case-sensitive), "text" (anything else, by its displayed text).
export function kindOf(type) {
  if (!type) return "none";
  if (DataType.isDictionary(type)) return kindOf(type.dictionary);
  const numeric = ["isInt", "isFloat", "isDecimal", "isBool", "isTimestamp", "isDate", "isTime", "isDuration"];
  if (numeric.some((is) => DataType[is](type))) return "num";
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type) || DataType.isUtf8View(type)) return "str";
  return "text";
}

// A number, or a BigInt where a double would round (beyond 2^53).
export function numKey(v) {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v instanceof Date) return v.getTime();
  // Decimal (arrow BN): String() is the unscaled integer; one scale per column keeps order.
  const s = String(v);
  const n = Number(s);
  return Number.isSafeInteger(n) || !/^-?\d+$/.test(s) ? n : BigInt(s);
}

// LSD radix sort of `slots` by key[slot], 16 bits a pass: stable, so ties keep their (stream)
// order in both directions; ~4x faster than a comparator sort at a million rows.
export function radixSort(slots, key, descending) {
  const n = slots.length;
  const f = new Float64Array(n);
  for (let i = 0; i < n; i++) f[i] = (descending ? -key[slots[i]] : key[slots[i]]) + 0; // -0 -> 0
  // Doubles as unsigned integers in the same order: flip every bit of negatives, the sign bit
  // of the rest. Two little-endian words per key (every browser is little endian).
  const u = new Uint32Array(f.buffer);
  for (let i = 0; i < 2 * n; i += 2) {
    const negative = u[i + 1] >= 0x80000000;
    u[i] = negative ? ~u[i] : u[i];
    u[i + 1] = negative ? ~u[i + 1] : u[i + 1] | 0x80000000;
  }
  let idx = new Uint32Array(n).map((_, i) => i);
  let tmp = new Uint32Array(n);
  const count = new Uint32Array(65536);
  for (let digit = 0; digit < 4; digit++) {
    const word = digit >> 1;
    const shift = (digit & 1) * 16;
    count.fill(0);
    for (let i = 0; i < n; i++) count[(u[2 * i + word] >>> shift) & 0xffff]++;
    if (count[(u[word] >>> shift) & 0xffff] === n) continue; // one bucket: nothing to do
    for (let d = 0, sum = 0, c = 0; d < 65536; d++, sum += c) [c, count[d]] = [count[d], sum];
    for (let i = 0; i < n; i++) tmp[count[(u[2 * idx[i] + word] >>> shift) & 0xffff]++] = idx[i];
    [idx, tmp] = [tmp, idx];
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = slots[idx[i]];
  return out;
}

// The slots of `a` that pass `test`, in order.
export function keep(a, test) {
  const out = new Int32Array(a.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) if (test(a[i])) out[m++] = a[i];
  return out.subarray(0, m);
}

// Merges sorted `fresh` (k slots) into sorted `old` (n slots): a binary search per fresh row
// after the previous one's place, so k log n comparisons and O(n) copying.
export function merge(old, fresh, cmp) {
  if (fresh.length === 0 || old.length === 0) return fresh.length ? fresh : old;
  const out = new Int32Array(old.length + fresh.length);
  let [o, w] = [0, 0];
  for (const s of fresh) {
    let [lo, hi] = [o, old.length];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cmp(old[mid], s) < 0) lo = mid + 1;
      else hi = mid;
    }
    while (o < lo) out[w++] = old[o++];
    out[w++] = s;
  }
  out.set(old.subarray(o), w);
  return out;
}
