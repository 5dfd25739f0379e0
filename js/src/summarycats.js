// @ts-check
// Category summaries (summaries.js): rows per value, and the top list kept exact through
// additions, rebuilt from the counts only when one of its values loses rows. A column of free
// text or ids stops counting its values until the next full recompute: the counts would cost
// memory per row and say nothing. That is a column with more than MAX_DISTINCT values, or with
// more than MOSTLY_DISTINCT values that are over half the rows counted (a million distinct
// notes stop after ten thousand rows, while a skewed column of customers keeps its top list);
// its summary says "> N distinct" with the bound it passed.

/** @typedef {import("./summaries.js").ColumnState} ColumnState */
/** @typedef {import("./summaryread.js").Reader} Reader */

/** Values in a category's top list. */
export const TOP = 5;
/** Distinct values counted per column, at most. */
export const MAX_DISTINCT = 100_000;
/** Past this many distinct values, counting stops if they are more than half the rows. */
export const MOSTLY_DISTINCT = 10_000;

/**
 * Counts (sign 1) or uncounts (-1) `m` rows of a batch in a category column.
 * @param {ColumnState} st
 * @param {Reader} reader
 * @param {Int32Array} rows
 * @param {number} m
 * @param {number} sign
 */
export function countCategories(st, reader, rows, m, sign) {
  const valid = reader.valid;
  const dict = reader.dict;
  if (st.over) {
    for (let i = 0; i < m; i++) if (!valid(rows[i])) st.nulls += sign;
    return;
  }
  if (dict !== null && 4 * m >= dict.size) {
    // A dictionary batch: count by index, decode each index used once.
    const counts = new Int32Array(dict.size);
    for (let i = 0; i < m; i++) {
      const r = rows[i];
      if (valid(r)) counts[dict.indices[r]]++;
      else st.nulls += sign;
    }
    for (let k = 0; k < counts.length; k++) if (counts[k] > 0) bump(st, dict.key(k), sign * counts[k]);
    return;
  }
  const key = reader.key;
  for (let i = 0; i < m; i++) {
    const r = rows[i];
    if (valid(r)) bump(st, key(r), sign);
    else st.nulls += sign;
  }
}


/**
 * Whether (count a, value va) ranks before (b, vb): more rows first, then the smaller value.
 * @param {number} a
 * @param {string} va
 * @param {number} b
 * @param {string} vb
 */
function before(a, va, b, vb) {
  return a > b || (a === b && va < vb);
}

/**
 * Counts `delta` more rows of category `value`, keeping the top list when it stays exact.
 * @param {ColumnState} st
 * @param {string} value
 * @param {number} delta
 */
export function bump(st, value, delta) {
  if (st.over) return;
  const count = (st.freq.get(value) ?? 0) + delta;
  if (count > 0) st.freq.set(value, count);
  else st.freq.delete(value);
  st.counted += delta;
  const size = st.freq.size;
  if (size > MOSTLY_DISTINCT && (size > MAX_DISTINCT || 2 * size > st.counted)) {
    st.over = true;
    st.overAt = size > MAX_DISTINCT ? MAX_DISTINCT : MOSTLY_DISTINCT;
    st.freq = new Map();
    st.top = [];
    return;
  }
  if (!st.topValid) return;
  const top = st.top;
  const i = top.findIndex((e) => e.value === value);
  if (delta < 0) {
    // A value of the list lost rows: one outside may pass it now.
    if (i >= 0) st.topValid = false;
    return;
  }
  if (i >= 0) top[i].count = count;
  else if (top.length < TOP || before(count, value, top[top.length - 1].count, top[top.length - 1].value)) top.push({ value, count });
  else return;
  top.sort((a, b) => (before(a.count, a.value, b.count, b.value) ? -1 : 1));
  if (top.length > TOP) top.length = TOP;
}

/** @param {ColumnState} st */
export function rebuildTop(st) {
  /** @type {{ value: string, count: number }[]} */
  const top = [];
  for (const [value, count] of st.freq) {
    if (top.length === TOP && !before(count, value, top[TOP - 1].count, top[TOP - 1].value)) continue;
    let i = top.length;
    while (i > 0 && before(count, value, top[i - 1].count, top[i - 1].value)) i--;
    top.splice(i, 0, { value, count });
    if (top.length > TOP) top.length = TOP;
  }
  st.top = top;
  st.topValid = true;
}
