// @ts-check
// The row of column summaries under the header (the `summaries` trait): one cell per shown
// column, filled from summaries.js once per frame at most, and only when something changed.
// Test hooks (docs/guide.md): data-summary, data-rows, data-nulls; numbers data-min, data-max,
// data-mean; strings data-distinct, data-top; times data-first, data-last; data-pending while
// a full recompute runs (then no value hook is set: nothing shown is stale).
import { formatCell } from "./columns.js";
import { h } from "./dom.js";
import { exactValue } from "./rows.js";
import { Summaries } from "./summaries.js";
import { MAX_DISTINCT } from "./summarycats.js";
import { exactText, kindOf } from "./summaryread.js";

/** @typedef {import("./types.js").Column} Column */
/** @typedef {import("./store.js").RowStore} RowStore */
/** @typedef {import("./store.js").Handle} Handle */
/** @typedef {import("./order.js").RowOrder} RowOrder */
/** @typedef {import("./summaries.js").Passes} Passes */
/** @typedef {import("./summaryread.js").Reader} Reader */

const SPARK_POINTS = 240; // the last rows in display order a sparkline draws
const BUDGET_MS = 4; // a full recompute's work per frame
const BARS = 3; // category values drawn (the tooltip lists summarycats.TOP)
const SVG = "http://www.w3.org/2000/svg";

const count = (/** @type {number} */ n) => n.toLocaleString("en-US");

export class SummaryBar {
  /**
   * @param {RowStore} store
   * @param {RowOrder} order the view's display order (sparklines follow it)
   */
  constructor(store, order) {
    this.store = store;
    this.order = order;
    this.el = h("div", "lsw-summaries lsw-row", { role: "row", "aria-label": "Column summaries" });
    /** @type {Summaries | null} null while the trait is off */
    this.summaries = null;
    this.layoutKey = "";
    this.drawnKey = "";
    /** @type {Column[]} */
    this.columns = [];
  }

  destroy() {
    this.summaries?.dispose();
    this.summaries = null;
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
    const drawn = `${summaries.version}|${store.version}|${sortKey}|${needle}|${this.layoutKey}`;
    if (drawn !== this.drawnKey) {
      this.drawnKey = drawn;
      this.draw(summaries, decimals);
    }
    return summaries.pending;
  }

  /**
   * @param {Summaries} summaries
   * @param {(number | undefined)[]} decimals
   */
  draw(summaries, decimals) {
    const cells = /** @type {HTMLCollectionOf<HTMLElement>} */ (this.el.children);
    this.columns.forEach((c, j) => {
      const cell = cells[j];
      if (!cell || !c.summary) return;
      const r = summaries.result(c.name);
      for (const name of Object.keys(cell.dataset)) delete cell.dataset[name];
      cell.dataset.summary = c.name;
      if (r === undefined || summaries.pending) {
        cell.dataset.pending = "true";
        cell.title = "Summarising…";
        cell.replaceChildren(line("…", "lsw-summary-note"));
        return;
      }
      cell.dataset.rows = String(r.rows);
      cell.dataset.nulls = String(r.nulls);
      const nulls = r.nulls > 0 ? `${count(r.nulls)} null${r.nulls === 1 ? "" : "s"}` : "";
      /** @type {string[]} */
      const tip = [`${c.label}: ${count(r.rows)} rows`];
      if (r.kind === "num") {
        if (r.min && r.max) {
          cell.dataset.min = exactText(r.min.reader, r.min.row);
          cell.dataset.max = exactText(r.max.reader, r.max.row);
          cell.dataset.mean = String(r.mean);
          tip.push(`min ${cell.dataset.min}`, `mean ${cell.dataset.mean}`, `max ${cell.dataset.max}`);
        }
        cell.replaceChildren(this.sparkline(c.name), line(nulls, "lsw-summary-note"));
      } else if (r.kind === "time") {
        /** @param {NonNullable<typeof r.min>} e */
        const text = (e) => formatCell(exactValue(e.reader.vector, e.row), c, decimals[j], e.reader.vector.type) ?? "";
        /** @type {HTMLElement[]} */
        const lines = [];
        if (r.min && r.max) {
          cell.dataset.first = text(r.min);
          cell.dataset.last = text(r.max);
          tip.push(`first ${cell.dataset.first}`, `last ${cell.dataset.last}`);
          lines.push(line(`↦ ${cell.dataset.first}`), line(`⇥ ${cell.dataset.last}`));
        }
        cell.replaceChildren(...lines, line(nulls, "lsw-summary-note"));
      } else if (r.kind === "cat") {
        const top = r.top ?? [];
        if (r.over) {
          // Free text or ids: too many values to count (summarycats.MAX_DISTINCT).
          cell.dataset.distinctOver = String(MAX_DISTINCT);
          tip.push(`over ${count(MAX_DISTINCT)} distinct values`);
          cell.replaceChildren(line(`> ${count(MAX_DISTINCT)} distinct`), line(nulls, "lsw-summary-note"));
          if (nulls) tip.push(nulls);
          cell.title = tip.join("\n");
          return;
        }
        cell.dataset.distinct = String(r.distinct);
        if (top.length) cell.dataset.top = top[0].value;
        tip.push(`${count(r.distinct ?? 0)} distinct`, ...top.map((e) => `${e.value}: ${count(e.count)}`));
        const most = top.length ? top[0].count : 1;
        const bars = top.slice(0, BARS).map((e) => {
          const bar = h("div", "lsw-summary-bar");
          const fill = h("span", "lsw-summary-fill");
          fill.style.width = `${(100 * e.count) / most}%`;
          const label = h("span", "lsw-summary-label");
          label.textContent = e.value;
          const n = h("span", "lsw-summary-count");
          n.textContent = count(e.count);
          bar.append(fill, label, n);
          return bar;
        });
        cell.replaceChildren(...bars, ...(nulls && bars.length < BARS ? [line(nulls, "lsw-summary-note")] : []));
      } else {
        cell.replaceChildren(line(nulls, "lsw-summary-note"));
      }
      if (nulls) tip.push(nulls);
      cell.title = tip.join("\n");
    });
  }

  /**
   * The last SPARK_POINTS values of a column in display order, as an SVG line (gaps at nulls).
   * @param {string} name
   */
  sparkline(name) {
    const { order, store } = this;
    const size = order.size;
    const start = Math.max(0, size - SPARK_POINTS);
    /** @type {number[]} */
    const ys = [];
    for (let i = start; i < size; i++) {
      const v = store.cellOf(/** @type {Handle} */ (order.handleAt(i)), name);
      ys.push(v === null || v === undefined ? NaN : Number(v));
    }
    const finite = ys.filter((y) => Number.isFinite(y));
    const lo = Math.min(...finite);
    const hi = Math.max(...finite);
    let d = "";
    let pen = "M";
    ys.forEach((y, i) => {
      if (!Number.isFinite(y)) {
        pen = "M";
        return;
      }
      const x = ys.length > 1 ? (100 * i) / (ys.length - 1) : 50;
      const yy = hi > lo ? 19 - (18 * (y - lo)) / (hi - lo) : 10;
      d += `${pen}${x.toFixed(2)} ${yy.toFixed(2)}`;
      pen = "L";
    });
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "lsw-spark");
    svg.setAttribute("viewBox", "0 0 100 20");
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("aria-hidden", "true");
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", d);
    path.setAttribute("vector-effect", "non-scaling-stroke");
    svg.append(path);
    return svg;
  }
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

// Whether a row passes the view's filter, as order.js decides it: the shown text of one of
// the shown columns contains the needle (case-insensitive), the text made as the cells make it.
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
      const text = formatCell(exactValue(v, row), c, decimals[j], v.type);
      if (text !== null && text.toLowerCase().includes(needle)) return true;
    }
    return false;
  };
}
