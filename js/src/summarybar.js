// @ts-check
// The row of column summaries under the header (the `summaries` trait): one cell per shown
// column, filled from summaries.js when something changed: at once after a quiet spell or a
// change of sort, filter or columns, and at most every DRAW_MS while rows stream in (the
// statistics follow every frame; a row of numbers redrawn 60 times a second is only harder to
// read, and the redraw costs more than keeping them).
// Test hooks (docs/guide.md): data-summary, data-rows, data-nulls; numbers data-min, data-max,
// data-mean; strings data-distinct, data-top; times data-first, data-last; data-pending while
// a full recompute runs (then no value hook is set: nothing shown is stale).
import { formatCell, textMatches } from "./columns.js";
import { h } from "./dom.js";
import { exactValue } from "./rows.js";
import { Summaries } from "./summaries.js";
import { exactText, kindOf, readerOf } from "./summaryread.js";

/** @typedef {import("./types.js").Column} Column */
/** @typedef {import("./store.js").RowStore} RowStore */
/** @typedef {import("./store.js").Handle} Handle */
/** @typedef {import("./order.js").RowOrder} RowOrder */
/** @typedef {import("./summaries.js").Passes} Passes */
/** @typedef {import("./summaryread.js").Reader} Reader */

const SPARK_POINTS = 240; // the last rows in display order a sparkline draws
const BUDGET_MS = 4; // a full recompute's work per frame
const DRAW_MS = 200; // least time between two redraws while only the rows change
const BARS = 3; // category values drawn (the tooltip lists summarycats.TOP)
const SVG = "http://www.w3.org/2000/svg";

const numbers = new Intl.NumberFormat("en-US"); // one formatter: toLocaleString makes one a call
const count = (/** @type {number} */ n) => numbers.format(n);

export class SummaryBar {
  /**
   * @param {RowStore} store
   * @param {RowOrder} order the view's display order (sparklines follow it)
   * @param {() => void} schedule asks the view for a frame (a redraw held back is due)
   */
  constructor(store, order, schedule) {
    this.store = store;
    this.order = order;
    this.schedule = schedule;
    this.el = h("div", "lsw-summaries lsw-row", { role: "row", "aria-label": "Column summaries" });
    /** @type {Summaries | null} null while the trait is off */
    this.summaries = null;
    this.layoutKey = "";
    this.drawnKey = ""; // what the drawn summaries show: sort, filter, columns, pending
    this.drawnData = ""; // and of which data: the versions of summaries and store
    this.drawnAt = -Infinity; // performance.now() of the last redraw
    /** @type {ReturnType<typeof setTimeout> | null} a redraw held back */
    this.timer = null;
    /** @type {Column[]} */
    this.columns = [];
    /** @type {Map<string, Map<object, import("./summaryread.js").Reader | null>>} see readers() */
    this.sparkReaders = new Map();
  }

  destroy() {
    this.summaries?.dispose();
    this.summaries = null;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * One frame: configure, apply the changes since the last, redraw if needed. Returns whether
   * a full recompute is still running (the caller schedules another frame).
   * @param {{ on: boolean, columns: Column[], actions: boolean, layoutKey: string | null,
   *   needle: string, decimals: (number | undefined)[], sortKey: string }} state
   */
  update({ on, columns, actions, layoutKey, needle, decimals, sortKey }) {
    this.el.hidden = !on;
    if (!on) {
      this.destroy();
      return false;
    }
    const { store } = this;
    if (this.summaries === null) this.summaries = new Summaries(store);
    const summaries = this.summaries;
    const key = `${layoutKey}|${columns.map((c) => c.summary).join()}|${actions}`;
    if (key !== this.layoutKey) {
      this.layoutKey = key;
      this.columns = columns;
      this.el.replaceChildren(...columns.map((c) => h("div", `lsw-cell lsw-summary lsw-summary-${c.summary ? "on" : "off"}`, { role: "gridcell" })));
      if (actions) this.el.append(h("div", "lsw-cell", { role: "gridcell" }));
      this.drawnKey = "";
    }
    const shown = columns.filter((c) => c.summary);
    const cols = shown.map((c) => ({ name: c.name, kind: kindOf(store.fieldType(c.name), store.isDecimalText(c.name)), decimalText: store.isDecimalText(c.name) }));
    const passes = needle ? filterOf(columns, decimals, needle) : null;
    summaries.configure(cols, passes, JSON.stringify([cols, needle, needle ? layoutKey : null]));
    summaries.update(BUDGET_MS);
    const drawn = `${sortKey}|${needle}|${this.layoutKey}|${summaries.pending}`;
    const data = `${summaries.version}|${store.version}`;
    if (drawn !== this.drawnKey || data !== this.drawnData) {
      const now = performance.now();
      const wait = drawn === this.drawnKey ? this.drawnAt + DRAW_MS - now : 0;
      if (wait <= 0) {
        this.drawnKey = drawn;
        this.drawnData = data;
        this.drawnAt = now;
        if (this.timer !== null) clearTimeout(this.timer);
        this.timer = null;
        this.draw(summaries, decimals);
      } else if (this.timer === null) {
        this.timer = setTimeout(() => {
          this.timer = null;
          this.schedule();
        }, wait);
      }
    }
    return summaries.pending;
  }

  /**
   * @param {Summaries} summaries
   * @param {(number | undefined)[]} decimals
   */
  draw(summaries, decimals) {
    const cells = /** @type {HTMLCollectionOf<HTMLElement>} */ (this.el.children);
    /** @type {SparkRows | null} the sparklines' rows, found once for all columns */
    let spark = null;
    this.columns.forEach((c, j) => {
      const cell = cells[j];
      if (!cell || !c.summary) return;
      const r = summaries.result(c.name);
      /** @type {Record<string, string>} the hooks: set, the others removed */
      const data = { summary: c.name };
      if (r === undefined || summaries.pending) {
        data.pending = "true";
        setData(cell, data);
        cell.title = "Summarising…";
        fill(cell, "pending", () => [line("…", "lsw-summary-note")]);
        return;
      }
      data.rows = String(r.rows);
      data.nulls = String(r.nulls);
      const nulls = r.nulls > 0 ? `${count(r.nulls)} null${r.nulls === 1 ? "" : "s"}` : "";
      /** @type {string[]} */
      const tip = [`${c.label}: ${count(r.rows)} rows`];
      if (r.kind === "num") {
        if (r.min && r.max) {
          data.min = exactText(r.min.reader, r.min.row);
          data.max = exactText(r.max.reader, r.max.row);
          data.mean = String(r.mean);
          tip.push(`min ${data.min}`, `mean ${data.mean}`, `max ${data.max}`);
        }
        const [svg, note] = fill(cell, "num", () => [sparkSvg(), line("", "lsw-summary-note")]);
        spark ??= this.sparkRows();
        setAttr(/** @type {Element} */ (svg.firstChild), "d", this.sparkPath(c.name, spark));
        setText(note, nulls);
      } else if (r.kind === "time") {
        /** @param {NonNullable<typeof r.min>} e */
        const text = (e) => formatCell(exactValue(e.reader.vector, e.row), c, decimals[j], e.reader.vector.type) ?? "";
        const [first, last, note] = fill(cell, "time", () => [line(""), line(""), line("", "lsw-summary-note")]);
        if (r.min && r.max) {
          data.first = text(r.min);
          data.last = text(r.max);
          tip.push(`first ${data.first}`, `last ${data.last}`);
        }
        setText(first, data.first ? `↦ ${data.first}` : "");
        setText(last, data.last ? `⇥ ${data.last}` : "");
        setText(note, nulls);
      } else if (r.kind === "cat" && r.over) {
        // Free text or ids: too many values to count (summarycats.js).
        const over = r.overAt ?? 0;
        data.distinctOver = String(over);
        tip.push(`over ${count(over)} distinct values`);
        const [text, note] = fill(cell, "over", () => [line(""), line("", "lsw-summary-note")]);
        setText(text, `> ${count(over)} distinct`);
        setText(note, nulls);
      } else if (r.kind === "cat") {
        const top = r.top ?? [];
        data.distinct = String(r.distinct);
        if (top.length) data.top = top[0].value;
        tip.push(`${count(r.distinct ?? 0)} distinct`, ...top.map((e) => `${e.value}: ${count(e.count)}`));
        const most = top.length ? top[0].count : 1;
        const shown = Math.min(top.length, nulls ? BARS - 1 : BARS);
        const els = fill(cell, `cat${shown}${nulls ? "n" : ""}`, () => [
          ...Array.from({ length: shown }, bar),
          ...(nulls ? [line("", "lsw-summary-note")] : []),
        ]);
        for (let k = 0; k < shown; k++) {
          const [fillEl, label, n] = /** @type {HTMLElement[]} */ ([...els[k].children]);
          const width = `${(100 * top[k].count) / most}%`;
          if (fillEl.style.width !== width) fillEl.style.width = width;
          setText(label, top[k].value);
          setText(n, count(top[k].count));
        }
        if (nulls) setText(els[shown], nulls);
      } else {
        setText(fill(cell, "other", () => [line("", "lsw-summary-note")])[0], nulls);
      }
      if (nulls) tip.push(nulls);
      setData(cell, data);
      const title = tip.join("\n");
      if (cell.title !== title) cell.title = title;
    });
  }

  /**
   * Readers of a column's batches for this draw of its sparkline: the last draw's, for the
   * batches it read too (the same batches frame after frame), and only those (a reader holds
   * closures: kept for every batch ever drawn, they would cost a few KB per batch).
   * @param {string} name
   * @returns {{ last: Map<object, import("./summaryread.js").Reader | null>, next: Map<object, import("./summaryread.js").Reader | null> }}
   */
  readers(name) {
    const last = this.sparkReaders.get(name) ?? new Map();
    const next = new Map();
    this.sparkReaders.set(name, next);
    return { last, next };
  }

  /**
   * The last SPARK_POINTS rows in display order: each one's batch and row.
   * @returns {SparkRows}
   */
  sparkRows() {
    const { order } = this;
    const size = order.size;
    const start = Math.max(0, size - SPARK_POINTS);
    const batches = new Array(size - start);
    const rows = new Int32Array(size - start);
    for (let i = start; i < size; i++) {
      const { batch, row } = /** @type {{ batch: import("apache-arrow").RecordBatch, row: number }} */ (order.batchAt(i));
      batches[i - start] = batch;
      rows[i - start] = row;
    }
    return { batches, rows };
  }

  /**
   * A column's values at the sparkline's rows as an SVG path (gaps at nulls), read straight
   * from the batches (summaryread.readerOf, one reader per batch).
   * @param {string} name
   * @param {SparkRows} spark
   */
  sparkPath(name, { batches, rows }) {
    const { store } = this;
    const n = rows.length;
    const ys = new Float64Array(n);
    const readers = this.readers(name);
    let lo = Infinity;
    let hi = -Infinity;
    // Runs of rows in one batch: one reader each, read in one pass (Reader.fill).
    for (let i = 0; i < n; ) {
      const batch = batches[i];
      let j = i + 1;
      while (j < n && batches[j] === batch) j++;
      let reader = readers.next.get(batch) ?? readers.last.get(batch);
      if (reader === undefined) {
        const vector = batch.getChild(name);
        reader = vector === null ? null : readerOf(vector, "num", store.isDecimalText(name));
      }
      readers.next.set(batch, reader);
      const out = ys.subarray(i, j);
      if (reader === null) out.fill(NaN);
      else {
        const at = rows.subarray(i, j);
        reader.fill(at, j - i, out);
        if (reader.nullable) for (let k = 0; k < j - i; k++) if (!reader.valid(at[k])) out[k] = NaN;
      }
      i = j;
    }
    for (let i = 0; i < n; i++) {
      const y = ys[i];
      if (y < lo) lo = y;
      if (y > hi) hi = y;
    }
    // Whole units of a 1000 x 200 viewBox: integers print several times faster than decimals
    // (the path is redrawn while rows stream in).
    let d = "";
    let pen = "M";
    for (let i = 0; i < n; i++) {
      const y = ys[i];
      if (!Number.isFinite(y)) {
        pen = "M";
        continue;
      }
      const x = n > 1 ? Math.round((1000 * i) / (n - 1)) : 500;
      const yy = hi > lo ? Math.round(190 - (180 * (y - lo)) / (hi - lo)) : 100;
      d += `${pen}${x} ${yy}`;
      pen = "L";
    }
    return d;
  }
}

/** The sparklines' rows: batch and row of each. @typedef {{ batches: any[], rows: Int32Array }} SparkRows */

// ---- elements, made once per cell and shape, then only changed where they differ ------------

/** @type {WeakMap<HTMLElement, string>} what a cell's children were made for */
const shapes = new WeakMap();
/** @type {WeakMap<Element, Record<string, string>>} the hooks and attributes last set (reading
 * them back from the DOM costs more than comparing here) */
const last = new WeakMap();

/**
 * The cell's children for `shape`, made by `make` when the cell held another shape.
 * @param {HTMLElement} cell
 * @param {string} shape
 * @param {() => Element[]} make
 * @returns {HTMLElement[]}
 */
function fill(cell, shape, make) {
  if (shapes.get(cell) !== shape) {
    cell.replaceChildren(...make());
    shapes.set(cell, shape);
  }
  return /** @type {HTMLElement[]} */ ([...cell.children]);
}

/**
 * Sets the data-* hooks in `data` and removes the others.
 * @param {HTMLElement} cell
 * @param {Record<string, string>} data
 */
function setData(cell, data) {
  const ds = cell.dataset;
  const was = last.get(cell) ?? {};
  for (const name of Object.keys(was)) if (!(name in data)) delete ds[name];
  for (const [name, value] of Object.entries(data)) if (was[name] !== value) ds[name] = value;
  last.set(cell, data);
}

/** @param {Element} el @param {string} text */
function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/** @param {Element} el @param {string} name @param {string} value */
function setAttr(el, name, value) {
  const was = last.get(el) ?? {};
  if (was[name] === value) return;
  el.setAttribute(name, value);
  last.set(el, { ...was, [name]: value });
}

function sparkSvg() {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "lsw-spark");
  svg.setAttribute("viewBox", "0 0 1000 200");
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("vector-effect", "non-scaling-stroke");
  svg.append(path);
  return svg;
}

// A category's bar: the fill behind its value and count.
function bar() {
  const e = h("div", "lsw-summary-bar");
  e.append(h("span", "lsw-summary-fill"), h("span", "lsw-summary-label"), h("span", "lsw-summary-count"));
  return e;
}

/**
 * @param {string} text
 * @param {string} [className]
 */
function line(text, className = "lsw-summary-line") {
  const e = h("div", className);
  e.textContent = text;
  return e;
}

// Whether a row passes the view's filter (columns.textMatches, as order.js applies it), read
// from a batch's row instead of a handle: the summaries are told of rows as runs of batches.
/**
 * @param {Column[]} columns
 * @param {(number | undefined)[]} decimals
 * @param {string} needle trimmed, lower case
 * @returns {Passes}
 */
function filterOf(columns, decimals, needle) {
  return (chunk, row) => {
    for (let j = 0; j < columns.length; j++) {
      const c = columns[j];
      const v = chunk.vectors.get(c.name);
      if (v === undefined || v.get(row) === null) continue;
      if (textMatches(formatCell(exactValue(v, row), c, decimals[j], v.type), needle)) return true;
    }
    return false;
  };
}
