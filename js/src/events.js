// What the user does in a view, turned into model state and messages to Python (see
// interaction.py): clicks, selection (click, shift, ctrl/cmd, arrow keys), row actions, header
// sorting and resizing, the filter box, the "new rows" badge and the viewport edges that drive
// infinite scroll.
import { DataType } from "apache-arrow";
import { EdgeThrottle } from "./follow.js";

const SORT_CYCLE = { none: "ascending", ascending: "descending", descending: "none" };

/** The selection after a click on `domId` (pure: vitest covers it).
 * mode: "none" | "single" | "multiple"; range(a, b): dom ids from a to b in display order. */
export function select(selected, domId, { shift = false, toggle = false, anchor = null } = {}, mode = "multiple", range = null) {
  if (mode === "none") return [];
  if (mode === "single") return toggle && selected.includes(domId) ? [] : [domId];
  if (shift && anchor !== null && range) {
    const span = range(anchor, domId);
    if (span) return toggle ? [...new Set([...selected, ...span])] : span;
  }
  if (toggle) return selected.includes(domId) ? selected.filter((d) => d !== domId) : [...selected, domId];
  return [domId];
}

/** A value as JSON for Python: numbers, text, booleans, null; times as ISO text. */
export function jsonValue(value, type) {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value === "number") {
    if (type && (DataType.isTimestamp(type) || DataType.isDate(type))) {
      const d = new Date(value);
      return Number.isNaN(d.getTime()) ? null : d.toISOString();
    }
    return Number.isFinite(value) ? value : String(value);
  }
  if (typeof value === "string" || typeof value === "boolean") return value;
  return String(value);
}

// Listens on a view's elements and turns what the user does into traits and messages. It sees
// the view only through `host` (below), so the view's own fields stay its own.
//
// host: {
//   elements: { scroller, rowsBox, header, filterInput, badge }: what it listens on;
//   model: the widget model (traits, send);
//   order: { size, indexOf(domId), domIdAt(i) }: rows in display order;
//   columnAt(j): the column shown at index j; valueOf(domId, column): a row's value;
//   rowHeight(): px; schedule(): redraw at the next frame;
//   setWidth(column, px): the user resized a column;
//   jumpToEnd(): follow the tail again and reposition at the next draw.
// }
export class Controls {
  constructor(host) {
    this.host = host;
    this.focusId = null;
    this.anchorId = null; // where a shift-selection starts
    this.moved = { top: false, bottom: false };
    this.edges = new EdgeThrottle(500);
    this.timers = new Set();
    this.filterTimer = undefined;
    const { scroller, rowsBox, header, filterInput, badge } = host.elements;
    this.listen = [
      [scroller, "scroll", () => this.onScroll(), { passive: true }],
      [rowsBox, "click", (e) => this.onClick(e)],
      [scroller, "keydown", (e) => this.onKey(e)],
      [header, "click", (e) => this.onHeader(e)],
      [header, "pointerdown", (e) => this.onResize(e)],
      [filterInput, "input", () => this.onFilter()],
      [badge, "click", () => this.onBadge()],
    ];
    for (const [el, type, fn, opts] of this.listen) el.addEventListener(type, fn, opts);
  }

  destroy() {
    for (const [el, type, fn, opts] of this.listen) el.removeEventListener(type, fn, opts);
    for (const t of this.timers) clearTimeout(t);
  }

  later(fn, ms) {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  send(content) {
    this.host.model.send(content);
  }

  setTrait(name, value) {
    this.host.model.set(name, value);
    this.host.model.save_changes();
    this.host.schedule();
  }

  onScroll() {
    this.moved.top = this.moved.bottom = true;
    this.host.schedule();
  }

  onClick(e) {
    const row = e.target.closest(".lsw-row");
    if (!row || !row.dataset.domId) return;
    const domId = row.dataset.domId;
    const action = e.target.closest(".lsw-action");
    if (action) {
      this.send({ kind: "action", name: action.dataset.action, dom_id: domId });
      return;
    }
    this.choose(domId, { shift: e.shiftKey, toggle: e.ctrlKey || e.metaKey });
    const cell = e.target.closest("[data-col]");
    const column = cell ? this.host.columnAt(Number(cell.dataset.col)) : null;
    const value = column ? this.host.valueOf(domId, column.name) : null;
    this.send({ kind: "click", dom_id: domId, column: column ? column.name : null, value: column ? jsonValue(value, column.type) : null });
    this.host.elements.scroller.focus({ preventScroll: true });
  }

  choose(domId, mods) {
    const { model, order } = this.host;
    const mode = model.get("selection") || "multiple";
    const range = (a, b) => {
      let i = order.indexOf(a);
      let j = order.indexOf(b);
      if (i < 0 || j < 0) return null;
      if (i > j) [i, j] = [j, i];
      const ids = [];
      for (let k = i; k <= j && ids.length < 100_000; k++) ids.push(order.domIdAt(k));
      return ids;
    };
    const next = select(model.get("selected") || [], domId, { ...mods, anchor: this.anchorId }, mode, range);
    if (!mods.shift) this.anchorId = domId;
    this.focusId = domId;
    this.setTrait("selected", next);
  }

  onKey(e) {
    const { scroller } = this.host.elements;
    if (e.target !== scroller) return;
    const { order } = this.host;
    const size = order.size;
    if (!size) return;
    const current = this.focusId === null ? -1 : order.indexOf(this.focusId);
    const page = Math.max(1, Math.floor(scroller.clientHeight / this.host.rowHeight()) - 1);
    const moves = { ArrowDown: current + 1, ArrowUp: current - 1, PageDown: current + page, PageUp: current - page, Home: 0, End: size - 1 };
    if (e.key in moves) {
      e.preventDefault();
      const i = Math.max(0, Math.min(size - 1, current < 0 && e.key === "ArrowUp" ? 0 : moves[e.key]));
      const domId = order.domIdAt(i);
      if (this.host.model.get("selection") === "none") this.focusId = domId;
      else this.choose(domId, { shift: e.shiftKey, toggle: false });
      this.scrollIntoView(i);
    } else if ((e.key === " " || e.key === "Enter") && this.focusId !== null) {
      e.preventDefault();
      if (e.key === " ") this.choose(this.focusId, { toggle: true });
      else this.send({ kind: "click", dom_id: this.focusId, column: null, value: null });
    } else if (e.key === "Escape") {
      this.setTrait("selected", []);
    }
  }

  scrollIntoView(i) {
    const { scroller, header } = this.host.elements;
    const rowHeight = this.host.rowHeight();
    const top = i * rowHeight;
    const view = scroller.clientHeight - header.offsetHeight;
    if (top < scroller.scrollTop) scroller.scrollTop = top;
    else if (top + rowHeight > scroller.scrollTop + view) scroller.scrollTop = top + rowHeight - view;
    this.host.schedule();
  }

  onHeader(e) {
    if (e.target.closest(".lsw-resize")) return;
    const cell = e.target.closest("[data-column]");
    if (!cell) return;
    const name = cell.dataset.column;
    const sort = this.host.model.get("sort");
    const now = sort && sort.column === name ? (sort.descending ? "descending" : "ascending") : "none";
    const next = SORT_CYCLE[now];
    this.setTrait("sort", next === "none" ? null : { column: name, descending: next === "descending" });
  }

  onResize(e) {
    const grip = e.target.closest(".lsw-resize");
    if (!grip) return;
    e.preventDefault();
    const name = grip.dataset.column;
    const cell = grip.parentElement;
    const startX = e.clientX;
    const startW = cell.getBoundingClientRect().width;
    const move = (ev) => {
      this.host.setWidth(name, Math.max(40, Math.round(startW + ev.clientX - startX)));
      this.host.schedule();
    };
    const up = () => {
      window.removeEventListener("pointermove", move);
      window.removeEventListener("pointerup", up);
    };
    window.addEventListener("pointermove", move);
    window.addEventListener("pointerup", up);
  }

  onFilter() {
    clearTimeout(this.filterTimer);
    this.filterTimer = setTimeout(() => this.setTrait("filter", this.host.elements.filterInput.value), 150);
  }

  onBadge() {
    const { scroller } = this.host.elements;
    this.host.jumpToEnd();
    scroller.scrollTop = scroller.scrollHeight;
    this.host.schedule();
  }

  // Rows arriving soon after an edge event are most likely the page asked for.
  asked(edge) {
    return this.host.model.get("edges")?.[edge] === "loading" || Date.now() - this.edges.last[edge] < 3000;
  }

  // Infinite scroll: tell Python when the first / last row is on screen.
  afterDraw({ size, first, last, atEnd }) {
    const { order, model } = this.host;
    const { scroller } = this.host.elements;
    const wanted = model.get("_viewport_handlers") || [];
    if (!size || !wanted.length) return;
    const edges = [
      ["top", first === 0 && scroller.scrollTop <= 1, 0],
      ["bottom", last >= size - 1 && atEnd, size - 1],
    ];
    for (const [edge, visible, i] of edges) {
      if (!visible || !wanted.includes(edge)) continue;
      const domId = order.domIdAt(i);
      const verdict = this.edges.shouldFire(edge, domId, this.moved[edge]);
      if (verdict === true) {
        this.moved[edge] = false;
        this.send({ kind: "viewport", edge, dom_id: domId });
      } else if (typeof verdict === "number") {
        this.later(() => this.host.schedule(), verdict + 10);
      }
    }
  }
}
