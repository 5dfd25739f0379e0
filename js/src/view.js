// Virtualized table view. The DOM holds only the visible rows plus a small overscan, whatever
// the store's size; row elements are recycled, and cells are set with textContent only.
import { DataType } from "apache-arrow";
import { floatDecimals, formatValue, isNumeric } from "./format.js";
import { describe, SKELETON_ROWS, StatusLine } from "./status.js";

const ROW_HEIGHT = 28; // px; keep in sync with --lsw-row-height in style.css
const OVERSCAN = 8;
// Browsers cap an element's height (~33.5M px in Chromium); past this the scroll range is scaled.
const MAX_SCROLL_PX = 15_000_000;
// Traits a redraw depends on.
const TRAITS = ["height", "empty_message", "columns", "async_state"];

function h(tag, className, attrs = {}) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

export class TableView {
  constructor(el, model, store, notices) {
    this.model = model;
    this.store = store;
    this.notices = notices;
    this.root = h("div", "lsw", { "data-count": "0" });
    this.noticeBox = h("div", "lsw-notices", { role: "status", "aria-live": "polite" });
    this.scroller = h("div", "lsw-scroll", { role: "table", tabindex: "0" });
    this.header = h("div", "lsw-header lsw-row", { role: "row" });
    this.spacer = h("div", "lsw-spacer");
    this.rowsBox = h("div", "lsw-rows", { role: "rowgroup" });
    this.empty = h("div", "lsw-empty");
    // Placeholders for rows that are loading; decorative, the footer says what happens.
    this.skeleton = h("div", "lsw-skeletons", { "aria-hidden": "true" });
    this.skeleton.hidden = true;
    this.status = new StatusLine(model, this.scroller);
    this.spacer.append(this.rowsBox);
    this.scroller.append(this.header, this.spacer, this.skeleton, this.empty);
    this.root.append(this.noticeBox, this.scroller, this.status.el);
    el.append(this.root);

    this.rowEls = [];
    this.columnsKey = null;
    this.frame = 0;
    this.schedule = () => {
      if (!this.frame) this.frame = requestAnimationFrame(() => this.draw());
    };
    this.unsubscribe = [store.onChange(this.schedule), notices.onChange(() => this.drawNotices())];
    this.scroller.addEventListener("scroll", this.schedule, { passive: true });
    for (const name of TRAITS) model.on(`change:${name}`, this.schedule);
    this.resizeObserver = new ResizeObserver(this.schedule);
    this.resizeObserver.observe(this.scroller);
    this.drawNotices();
    this.draw();
  }

  destroy() {
    cancelAnimationFrame(this.frame);
    for (const off of this.unsubscribe) off();
    for (const name of TRAITS) this.model.off(`change:${name}`, this.schedule);
    this.resizeObserver.disconnect();
    this.root.remove();
  }

  columns() {
    const fromData = this.store.columns;
    return fromData.length ? fromData : this.model.get("columns") || [];
  }

  drawNotices() {
    this.noticeBox.replaceChildren(
      ...this.notices.list().map((n) => {
        const line = h("div", `lsw-notice lsw-notice-${n.level}`);
        line.textContent = n.text;
        return line;
      }),
    );
  }

  drawHeader(columns) {
    // Types are part of the key: a header first drawn from the `columns` trait, before any row
    // (so without types or values), must be redrawn (alignment, widths) when the rows arrive.
    const key = JSON.stringify(columns.map((c) => [c, String(this.store.fieldType(c) ?? "")]));
    if (key === this.columnsKey) return;
    this.columnsKey = key;
    this.numeric = columns.map((c) => isNumeric(this.store.fieldType(c)));
    this.header.replaceChildren(
      ...columns.map((c, i) => {
        const cell = h("div", `lsw-cell lsw-th${this.numeric[i] ? " lsw-num" : ""}`, {
          role: "columnheader",
          title: c,
        });
        cell.textContent = c;
        return cell;
      }),
    );
    this.root.style.setProperty("--lsw-columns", this.columnWidths(columns));
    for (const row of this.rowEls) row.remove();
    this.rowEls = [];
  }

  // Widths (and float decimals) from the header and a sample of values, so columns neither
  // jump nor truncate early.
  columnWidths(columns) {
    const n = Math.min(this.store.size, 50);
    this.decimals = columns.map((c) => {
      const type = this.store.fieldType(c);
      if (!type || !DataType.isFloat(type)) return undefined;
      const sample = [];
      for (let i = 0; i < n; i++) sample.push(this.store.valueAt(i, c));
      return floatDecimals(sample);
    });
    return columns
      .map((c, j) => {
        let chars = c.length;
        const type = this.store.fieldType(c);
        for (let i = 0; i < n; i++) {
          const text = formatValue(this.store.valueAt(i, c), type, this.decimals[j]);
          chars = Math.max(chars, text === null ? 4 : text.length);
        }
        return `minmax(5ch, ${Math.min(chars, 48) + 3}ch)`;
      })
      .join(" ");
  }

  draw() {
    this.frame = 0;
    const { store, scroller } = this;
    const size = store.size;
    const state = describe(this.model.get("async_state"), size);
    this.root.dataset.count = String(size);
    this.root.dataset.status = state.status;
    this.status.render(state);
    scroller.setAttribute("aria-rowcount", String(size));
    scroller.setAttribute("aria-busy", String(state.skeleton));
    scroller.style.height = this.model.get("height") || "400px";
    this.empty.textContent = this.model.get("empty_message") ?? "";
    this.empty.hidden = size > 0 || state.skeleton;

    const columns = this.columns();
    this.drawHeader(columns);
    this.drawSkeleton(state.skeleton, columns.length);
    if (state.skeleton) {
      // The rows are stale or not a result yet: none is rendered, the header stays, and the
      // scroller keeps its height (set above), so nothing moves when the rows come back.
      this.spacer.hidden = true;
      this.drawRows(0, 0, columns);
      return;
    }
    this.spacer.hidden = false;

    const full = size * ROW_HEIGHT;
    const total = Math.min(full, MAX_SCROLL_PX);
    this.spacer.style.height = `${total}px`;
    const viewport = Math.max(scroller.clientHeight - ROW_HEIGHT, ROW_HEIGHT);
    const visible = Math.ceil(viewport / ROW_HEIGHT) + 1;
    let first;
    let offset;
    if (full === total) {
      first = Math.floor(scroller.scrollTop / ROW_HEIGHT);
      offset = first * ROW_HEIGHT;
    } else {
      const ratio = scroller.scrollTop / Math.max(total - viewport, 1);
      first = Math.floor(Math.min(ratio, 1) * Math.max(size - visible, 0));
      offset = Math.min(scroller.scrollTop, total - visible * ROW_HEIGHT);
    }
    const start = Math.max(0, first - OVERSCAN);
    const end = Math.min(size, first + visible + OVERSCAN);
    this.rowsBox.style.transform = `translateY(${Math.max(0, offset - (first - start) * ROW_HEIGHT)}px)`;
    this.drawRows(start, end, columns);
  }

  drawSkeleton(show, ncolumns) {
    this.skeleton.hidden = !show;
    const bars = ncolumns || 3; // one bar per column; three before any column is known
    const key = show ? bars : 0;
    if (key === this.skeletonKey) return;
    this.skeletonKey = key;
    const rows = [];
    for (let r = 0; show && r < SKELETON_ROWS; r++) {
      const row = h("div", `lsw-row lsw-skeleton${r % 2 ? " lsw-odd" : ""}`);
      for (let c = 0; c < bars; c++) {
        const cell = h("div", "lsw-cell");
        const bar = h("span", "lsw-skeleton-bar");
        // Uneven widths read as text being loaded rather than as a grid of blocks.
        bar.style.width = `${45 + ((r * 7 + c * 13) % 5) * 12}%`;
        cell.append(bar);
        row.append(cell);
      }
      rows.push(row);
    }
    this.skeleton.replaceChildren(...rows);
  }

  drawRows(start, end, columns) {
    const ids = this.store.slice(start, end);
    const types = columns.map((c) => this.store.fieldType(c));
    while (this.rowEls.length < ids.length) {
      const row = h("div", "lsw-row", { role: "row" });
      for (let c = 0; c < columns.length; c++) {
        row.append(h("div", `lsw-cell${this.numeric[c] ? " lsw-num" : ""}`, { role: "cell" }));
      }
      this.rowsBox.append(row);
      this.rowEls.push(row);
    }
    while (this.rowEls.length > ids.length) this.rowEls.pop().remove();
    ids.forEach((domId, r) => {
      const row = this.rowEls[r];
      row.dataset.domId = domId;
      row.setAttribute("aria-rowindex", String(start + r + 1));
      row.classList.toggle("lsw-odd", (start + r) % 2 === 1); // by row number: elements are recycled
      columns.forEach((c, j) => {
        const cell = row.children[j];
        const value = this.store.valueAt(start + r, c);
        const text = formatValue(value, types[j], this.decimals[j]);
        cell.classList.toggle("lsw-null", text === null);
        cell.textContent = text === null ? "null" : text;
        // The tooltip keeps full precision where the column rounds floats.
        cell.title = text === null ? "" : formatValue(value, types[j]);
      });
    });
  }
}
