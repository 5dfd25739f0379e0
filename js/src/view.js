// @ts-check
// Virtualized table view (about 420 lines: layout, scrolling and row recycling share one
// frame loop and stay together; the column summaries under the header are summarybar.js's). The DOM holds only the visible rows plus a small overscan, whatever
// the store's size; row elements are recycled, and values are set with textContent only (a
// template's markup is the author's, its values are text: template.js).
// Rows are read through a RowOrder (order.js): stream order, or the user's sort / filter.
import { cellText, cellTitle, columnsText, columnWidths, formatCell, needleOf, sampleDecimals } from "./columns.js";
import { h, headerCell, noticeLine, rowElement, setAttr, setText, showEdges, skeletonRows } from "./dom.js";
import { Controls } from "./events.js";
import { displayColumns } from "./export.js";
import { ExportBar } from "./exportbar.js";
import { Follow } from "./follow.js";
import { RowOrder } from "./order.js";
import { describe, StatusLine } from "./status.js";
import { SummaryBar } from "./summarybar.js";
import { compileTemplate } from "./template.js";

/** @typedef {import("./types.js").Column} Column */
/** @typedef {import("./types.js").Model} Model */
/** @typedef {import("./types.js").NoticeBoard} NoticeBoard */
/** @typedef {import("./types.js").Traits} Traits */
/** @typedef {import("./store.js").RowStore} RowStore */
/** @typedef {import("./store.js").Handle} Handle */
/** @typedef {import("./order.js").TextOf} TextOf */
/**
 * Row positions (fractional) <-> scrollTop, for one size and viewport (scrollGeometry).
 * @typedef {{ rh: number, full: number, total: number, visible: number,
 *   toTop: (pos: number) => number, toPos: (top: number) => number }} Geometry
 */

const OVERSCAN = 8;
// Browsers cap an element's height (~33.5M px in Chromium); past this the scroll range is scaled.
const MAX_SCROLL_PX = 15_000_000;
/** @type {(keyof Traits)[]} Traits a redraw depends on. */
const TRAITS = [
  "height", "empty_message", "columns", "async_state", "selected", "sort", "filter", "filter_box",
  "actions", "column_options", "template", "row_height", "edges", "follow", "_viewport_handlers", "export_buttons", "summaries",
];
let views = 0; // ids for aria-activedescendant, unique in the page

export class TableView {
  /**
   * @param {HTMLElement} el where anywidget renders the view
   * @param {Model} model
   * @param {RowStore} store the model's rows, shared by its views
   * @param {NoticeBoard} notices
   */
  constructor(el, model, store, notices) {
    this.model = model;
    this.store = store;
    this.notices = notices;
    this.uid = `lsw${++views}`;
    this.order = new RowOrder(store);
    this.follow = new Follow();
    this.root = h("div", "lsw", { "data-count": "0" });
    this.noticeBox = h("div", "lsw-notices", { role: "status", "aria-live": "polite" });
    this.toolbar = h("div", "lsw-toolbar");
    this.filterInput = h("input", "lsw-filter", { type: "search", placeholder: "Filter rows…", "aria-label": "Filter rows" });
    this.frameBox = h("div", "lsw-frame");
    this.scroller = h("div", "lsw-scroll", { role: "grid", tabindex: "0", "aria-multiselectable": "true" });
    this.exportBar = new ExportBar({ model, store, order: this.order, scroller: this.scroller });
    this.toolbar.append(this.filterInput, this.exportBar.el);
    this.header = h("div", "lsw-header lsw-row", { role: "row" });
    this.summaryBar = new SummaryBar(store, this.order, () => this.schedule());
    this.edgeTop = h("div", "lsw-edge lsw-edge-top", { "aria-live": "polite" });
    this.spacer = h("div", "lsw-spacer");
    this.rowsBox = h("div", "lsw-rows", { role: "rowgroup" });
    this.edgeBottom = h("div", "lsw-edge lsw-edge-bottom", { "aria-live": "polite" });
    this.empty = h("div", "lsw-empty");
    // Placeholders for rows that are loading; decorative, the footer says what happens.
    this.skeleton = h("div", "lsw-skeletons", { "aria-hidden": "true" });
    this.skeleton.hidden = true;
    this.badge = h("button", "lsw-badge lsw-button", { type: "button" });
    this.badge.hidden = true;
    this.status = new StatusLine(model, this.scroller);
    this.spacer.append(this.rowsBox);
    this.scroller.append(this.header, this.summaryBar.el, this.edgeTop, this.spacer, this.edgeBottom, this.skeleton, this.empty);
    this.frameBox.append(this.scroller, this.badge);
    this.root.append(this.noticeBox, this.toolbar, this.frameBox, this.status.el);
    el.append(this.root);

    /** @type {HTMLDivElement[]} */
    this.rowEls = [];
    /** @type {string | null} */
    this.layoutKey = null;
    /** @type {Map<string, number>} column -> px, from the user's resizing */
    this.widths = new Map();
    /** @type {Map<string, number>} dom id -> revision, of rows on screen (to flash updates) */
    this.revs = new Map();
    /** @type {string | null} rows (store version, sort, filter) last positioned for */
    this.seen = null;
    // Set by the first draw (drawLayout, drawSkeleton); declared here for the type checker:
    // the row template, decimals per column, a row's text by column (for the order's sort and
    // filter), what the skeleton was built for.
    /** @type {import("./template.js").Template | null} */ this.template;
    /** @type {(number | undefined)[]} */ this.decimals;
    /** @type {TextOf} */ this.textOf;
    /** @type {number | undefined} */ this.skeletonKey;
    this.resets = store.resets;
    this.frame = 0;
    this.schedule = () => {
      if (!this.frame) this.frame = requestAnimationFrame(() => this.draw());
    };
    this.controls = new Controls({
      elements: { scroller: this.scroller, rowsBox: this.rowsBox, header: this.header, filterInput: this.filterInput, badge: this.badge, summaries: this.summaryBar.el },
      model,
      order: this.order,
      columnAt: (j) => this.columns()[j],
      valueOf: (domId, column) => store.valueOf(/** @type {Handle} */ (store.handleOf(domId)), column), // a row on screen
      rowHeight: () => this.rowHeight,
      schedule: this.schedule,
      setWidth: (column, px) => this.widths.set(column, px),
      jumpToEnd: () => {
        this.follow.jumpToEnd();
        this.seen = null; // reposition at the next draw
      },
    });
    this.unsubscribe = [store.onChange(this.schedule), notices.onChange(() => this.drawNotices())];
    for (const name of TRAITS) model.on(`change:${name}`, this.schedule);
    this.resizeObserver = new ResizeObserver(this.schedule);
    this.resizeObserver.observe(this.scroller);
    this.drawNotices();
    this.draw();
  }

  destroy() {
    cancelAnimationFrame(this.frame);
    this.controls.destroy();
    this.exportBar.destroy();
    this.summaryBar.destroy();
    this.order.dispose();
    for (const off of this.unsubscribe) off();
    for (const name of TRAITS) this.model.off(`change:${name}`, this.schedule);
    this.resizeObserver.disconnect();
    this.root.remove();
  }

  get rowHeight() {
    return this.model.get("row_height") || (this.model.get("template") ? 64 : 28);
  }

  columns() {
    return displayColumns(this.store, this.model);
  }

  drawNotices() {
    this.noticeBox.replaceChildren(...this.notices.list().map(noticeLine));
  }

  // Header, widths and the row template change only with the columns, their options, types,
  // actions or the template: rebuild then, never per frame.
  /** @param {Column[]} columns */
  drawLayout(columns) {
    const actions = this.model.get("actions") || [];
    const template = this.model.get("template") || null;
    const sort = this.model.get("sort");
    const key = JSON.stringify([
      columns.map((c) => [c.name, c.label, c.width, c.format, c.align, String(c.type ?? "")]),
      actions, template, [...this.widths], this.rowHeight,
    ]);
    if (key !== this.layoutKey) {
      this.layoutKey = key;
      this.template = template ? compileTemplate(template) : null;
      this.root.classList.toggle("lsw-cards", Boolean(this.template));
      this.root.style.setProperty("--lsw-row-height", `${this.rowHeight}px`);
      this.decimals = sampleDecimals(this.store, columns);
      // One function per layout: the order re-matches every row when it changes.
      this.textOf = columnsText(this.store, columns, this.decimals);
      this.header.replaceChildren(...columns.map((c, i) => headerCell(c, i)));
      if (actions.length) this.header.append(h("div", "lsw-cell lsw-th lsw-actions", { role: "columnheader" }));
      this.header.hidden = Boolean(this.template);
      this.root.style.setProperty("--lsw-columns", columnWidths(this.store, columns, this.decimals, this.widths, actions.length > 0));
      for (const row of this.rowEls) row.remove();
      this.rowEls = [];
      this.revs.clear();
    }
    [.../** @type {HTMLCollectionOf<HTMLElement>} */ (this.header.children)].forEach((cell, i) => {
      const c = columns[i];
      if (!c) return;
      const dir = sort && sort.column === c.name ? (sort.descending ? "descending" : "ascending") : "none";
      cell.setAttribute("aria-sort", dir);
      cell.dataset.sort = dir;
    });
  }

  // One frame: layout, order, status, scroll position, rows, in that order (each reads what
  // the one before it set).
  draw() {
    this.frame = 0;
    const columns = this.columns();
    this.drawLayout(columns);
    this.updateOrder(columns);
    this.drawSummaries(columns);
    const size = this.order.size;
    const state = this.drawStatus(size, columns.length);
    if (state.skeleton) {
      // The rows are stale or not a result yet: none is rendered, the header stays, and the
      // scroller keeps its height (set by drawStatus), so nothing moves when the rows come back.
      this.spacer.hidden = true;
      this.drawRows(0, 0, columns);
      return;
    }
    this.spacer.hidden = false;
    const scroll = this.scrollGeometry(size);
    const { position, atEnd } = this.followRows(size, scroll);
    this.drawVisible(size, scroll, position, atEnd, columns);
  }

  // The user's sort and filter, over the displayed text of the shown columns.
  /** @param {Column[]} columns */
  updateOrder(columns) {
    const { order, model } = this;
    order.configure({
      sort: model.get("sort") || null,
      filter: model.get("filter") || "",
      columns: columns.map((c) => c.name),
      text: this.textOf,
    });
    order.refresh();
  }

  // The summaries under the header (on from the start, so the rows never move down when they
  // appear); another frame while a full recompute runs.
  /** @param {Column[]} columns */
  drawSummaries(columns) {
    const { model } = this;
    const on = model.get("summaries") !== false && !this.template;
    this.root.classList.toggle("lsw-with-summaries", on);
    const pending = this.summaryBar.update({
      on, columns, actions: (model.get("actions") || []).length > 0, layoutKey: this.layoutKey,
      needle: needleOf(model.get("filter")), decimals: this.decimals, sortKey: JSON.stringify(model.get("sort")),
    });
    if (pending) this.schedule();
  }

  // Everything around the rows: counts, footer, filter box, aria, height, empty text, edges,
  // skeleton. Returns the async state described for `size` shown rows.
  /**
   * @param {number} size rows shown
   * @param {number} ncolumns
   */
  drawStatus(size, ncolumns) {
    const { store, scroller, model } = this;
    const state = describe(model.get("async_state"), store.size);
    this.root.dataset.count = String(store.size);
    this.root.dataset.shown = String(size);
    this.root.dataset.status = state.status;
    this.status.render(state);
    this.filterInput.hidden = !model.get("filter_box") || Boolean(this.template && !model.get("filter"));
    this.exportBar.el.hidden = model.get("export_buttons") === false;
    this.toolbar.hidden = this.filterInput.hidden && this.exportBar.el.hidden;
    this.exportBar.update();
    if (document.activeElement !== this.filterInput) this.filterInput.value = model.get("filter") || "";
    scroller.setAttribute("aria-rowcount", String(size));
    scroller.setAttribute("aria-busy", String(state.skeleton));
    scroller.setAttribute("aria-multiselectable", String(model.get("selection") === "multiple"));
    scroller.style.height = String(model.get("height") || "400px");
    this.empty.textContent = store.size > 0 && size === 0 ? "No rows match the filter" : (model.get("empty_message") ?? "");
    this.empty.hidden = size > 0 || state.skeleton;
    showEdges({ top: this.edgeTop, bottom: this.edgeBottom }, model.get("edges") || {}, size);
    this.drawSkeleton(state.skeleton, ncolumns);
    return state;
  }

  // Sizes the spacer for `size` rows and maps row positions (fractional) to scrollTop and
  // back; past MAX_SCROLL_PX the mapping is scaled.
  /**
   * @param {number} size
   * @returns {Geometry}
   */
  scrollGeometry(size) {
    const rh = this.rowHeight;
    const full = size * rh;
    const total = Math.min(full, MAX_SCROLL_PX);
    this.spacer.style.height = `${total}px`;
    const viewport = Math.max(this.scroller.clientHeight - this.header.offsetHeight - this.summaryBar.el.offsetHeight, rh);
    const visible = Math.ceil(viewport / rh) + 1;
    const span = Math.max(size - viewport / rh, 0); // rows above the viewport at the end
    /** @param {number} pos */
    const toTop = (pos) => (full === total ? pos * rh : (Math.min(pos, span) / Math.max(span, 1)) * Math.max(total - viewport, 0));
    /** @param {number} top */
    const toPos = (top) => (full === total ? top / rh : (top / Math.max(total - viewport, 1)) * span);
    return { rh, full, total, visible, toTop, toPos };
  }

  // Scroll position after rows changed (follow the tail, keep the anchor row), then what is on
  // screen now and the "new rows" badge. Returns the top row position and whether the last
  // row is in view.
  /**
   * @param {number} size
   * @param {Geometry} geometry
   */
  followRows(size, { rh, toTop, toPos }) {
    const { store, scroller, order, model } = this;
    const seen = `${store.version}|${JSON.stringify(model.get("sort"))}|${model.get("filter")}`;
    if (store.resets !== this.resets) {
      // New content after a reset: start over at the top, as for a new table.
      this.resets = store.resets;
      this.follow = new Follow();
      scroller.scrollTop = 0;
    }
    if (seen !== this.seen) {
      // Rows changed: follow the tail or keep the anchor row where it was on screen.
      this.seen = seen;
      const to = this.follow.target({
        indexOf: (id) => order.indexOf(id),
        size,
        follow: model.get("follow"),
        loadingAbove: this.controls.asked("top"),
        loadingBelow: this.controls.asked("bottom"),
      });
      if (to === Infinity) scroller.scrollTop = scroller.scrollHeight;
      else if (to !== null) scroller.scrollTop = toTop(to);
    }
    const position = toPos(scroller.scrollTop);
    const atEnd = scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - rh / 2;
    const atTop = scroller.scrollTop <= 1;
    /** @param {number} i */
    const idAt = (i) => /** @type {string} */ (order.domIdAt(i)); // 0 <= i < size
    this.follow.record({ position, size, idAt, atTop, atEnd, follow: model.get("follow") });
    const fresh = this.follow.newRows({ size, indexOf: (id) => order.indexOf(id) });
    this.badge.hidden = fresh === 0;
    this.badge.textContent = `${fresh.toLocaleString("en-US")} new row${fresh === 1 ? "" : "s"} ↓`;
    return { position, atEnd };
  }

  // The rows in view plus overscan, placed where the scroll position says.
  /**
   * @param {number} size
   * @param {Geometry} geometry
   * @param {number} position row (fractional) at the top of the viewport
   * @param {boolean} atEnd
   * @param {Column[]} columns
   */
  drawVisible(size, { rh, full, total, visible }, position, atEnd, columns) {
    const { scroller } = this;
    const first = Math.min(Math.floor(position), Math.max(size - 1, 0));
    const offset = full === total ? first * rh : Math.min(scroller.scrollTop, total - visible * rh);
    const start = Math.max(0, first - OVERSCAN);
    const end = Math.min(size, first + visible + OVERSCAN);
    this.rowsBox.style.transform = `translateY(${Math.max(0, offset - (first - start) * rh)}px)`;
    this.drawRows(start, end, columns);
    this.controls.afterDraw({ size, first, last: Math.min(size, first + visible) - 1, atEnd });
  }

  /**
   * @param {boolean} show
   * @param {number} ncolumns
   */
  drawSkeleton(show, ncolumns) {
    this.skeleton.hidden = !show;
    const bars = ncolumns || 3; // one bar per column; three before any column is known
    const key = show ? bars : 0;
    if (key === this.skeletonKey) return;
    this.skeletonKey = key;
    this.skeleton.replaceChildren(...(show ? skeletonRows(bars) : []));
  }

  /**
   * @param {number} start
   * @param {number} end
   * @param {Column[]} columns
   */
  drawRows(start, end, columns) {
    const { order, store, model } = this;
    const actions = model.get("actions") || [];
    const selected = new Set(model.get("selected") || []);
    const focus = this.controls.focusId;
    const flash = model.get("highlight_updates") !== false;
    const n = end - start;
    while (this.rowEls.length < n) {
      const row = rowElement(columns, actions, Boolean(this.template));
      this.rowsBox.append(row);
      this.rowEls.push(row);
    }
    while (this.rowEls.length > n) /** @type {HTMLDivElement} */ (this.rowEls.pop()).remove();
    /** @type {Map<string, number>} */
    const revs = new Map();
    for (let r = 0; r < n; r++) {
      const i = start + r;
      const row = this.rowEls[r];
      const handle = /** @type {Handle} */ (order.readHandleAt(i)); // start <= i < end <= size
      const domId = store.domIdOf(handle);
      const rev = store.revisionOf(handle);
      const was = row.dataset.domId === domId ? this.revs.get(domId) : undefined;
      revs.set(domId, rev);
      setAttr(row, "data-dom-id", domId);
      setAttr(row, "id", `${this.uid}-r${i}`);
      setAttr(row, "aria-rowindex", String(i + 1));
      setAttr(row, "aria-selected", String(selected.has(domId)));
      row.classList.toggle("lsw-odd", i % 2 === 1); // by row number: elements are recycled
      row.classList.toggle("lsw-selected", selected.has(domId));
      row.classList.toggle("lsw-focus", domId === focus);
      if (flash && was !== undefined && was !== rev) {
        row.classList.remove("lsw-flash");
        void row.offsetWidth; // restart the animation
        row.classList.add("lsw-flash");
      }
      if (this.template) {
        const card = this.template.render((field) => {
          const j = columns.findIndex((c) => c.name === field);
          const c = j >= 0 ? columns[j] : { name: field, type: store.fieldType(field), format: null };
          return cellText(store, c, this.decimals[j])(undefined, handle);
        });
        /** @type {HTMLElement} */ (row.firstChild).replaceChildren(card);
        continue;
      }
      columns.forEach((c, j) => {
        const cell = /** @type {HTMLElement} */ (row.children[j]);
        const value = store.cellOf(handle, c.name);
        const type = store.typeOf(handle, c.name);
        const text = formatCell(value, c, this.decimals[j], type);
        cell.classList.toggle("lsw-null", text === null);
        setText(cell, text === null ? "null" : text);
        // The tooltip has every digit and every line (the cell may round, or mark line breaks).
        setAttr(cell, "title", cellTitle(value, c, type));
      });
    }
    this.revs = revs;
    this.scroller.setAttribute("aria-activedescendant", this.rowEls.find((r) => r.dataset.domId === focus)?.id || "");
  }
}
