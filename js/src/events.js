// @ts-check
// What the user does in a view, turned into model state and messages to Python (see
// interaction.py): clicks, selection (click, shift, ctrl/cmd, arrow keys), row actions, header
// sorting and resizing, the filter box, the "new rows" badge and the viewport edges that drive
// infinite scroll.
import { DataType } from "apache-arrow";
import { EdgeThrottle } from "./follow.js";

/** @typedef {import("./types.js").BrowserMessage} BrowserMessage */
/** @typedef {import("./types.js").ControlsHost} ControlsHost */
/** @typedef {import("./types.js").Edge} Edge */
/** @typedef {import("./types.js").JsonValue} JsonValue */
/** @typedef {import("./types.js").Traits} Traits */
/** @typedef {"none" | "ascending" | "descending"} SortState */

/** @type {Record<SortState, SortState>} */
const SORT_CYCLE = { none: "ascending", ascending: "descending", descending: "none" };

/** The selection after a click on `domId` (pure: vitest covers it).
 * mode: "none" | "single" | "multiple"; range(a, b): dom ids from a to b in display order.
 * @param {string[]} selected
 * @param {string} domId
 * @param {{ shift?: boolean, toggle?: boolean, anchor?: string | null }} [mods]
 * @param {Traits["selection"]} [mode]
 * @param {((a: string, b: string) => string[] | null) | null} [range]
 * @returns {string[]} */
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

/** A value as JSON for Python: numbers, text, booleans, null; times as ISO text.
 * @param {unknown} value
 * @param {import("apache-arrow").DataType | undefined} type
 * @returns {JsonValue} */
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
// the view only through `host` (types.ControlsHost: the elements it listens on, the model, the
// display order and a few callbacks), so the view's own fields stay its own.
export class Controls {
  /** @param {ControlsHost} host */
  constructor(host) {
    this.host = host;
    /** @type {string | null} */
    this.focusId = null;
    /** @type {string | null} where a shift-selection starts */
    this.anchorId = null;
    /** @type {Record<Edge, boolean>} */
    this.moved = { top: false, bottom: false };
    this.edges = new EdgeThrottle(500);
    /** @type {Set<ReturnType<typeof setTimeout>>} */
    this.timers = new Set();
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.filterTimer = undefined;
    const { scroller, rowsBox, header, filterInput, badge } = host.elements;
    /** @type {[EventTarget, string, (e: Event) => void, AddEventListenerOptions?][]} */
    this.listen = [
      [scroller, "scroll", () => this.onScroll(), { passive: true }],
      [rowsBox, "click", (e) => this.onClick(/** @type {MouseEvent} */ (e))],
      [scroller, "keydown", (e) => this.onKey(/** @type {KeyboardEvent} */ (e))],
      [header, "click", (e) => this.onHeader(e)],
      [header, "pointerdown", (e) => this.onResize(/** @type {PointerEvent} */ (e))],
      [filterInput, "input", () => this.onFilter()],
      [badge, "click", () => this.onBadge()],
    ];
    for (const [el, type, fn, opts] of this.listen) el.addEventListener(type, fn, opts);
  }

  destroy() {
    for (const [el, type, fn, opts] of this.listen) el.removeEventListener(type, fn, opts);
    for (const t of this.timers) clearTimeout(t);
  }

  /**
   * @param {() => void} fn
   * @param {number} ms
   */
  later(fn, ms) {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  /** @param {BrowserMessage} content */
  send(content) {
    this.host.model.send(content);
  }

  /**
   * @template {keyof Traits} K
   * @param {K} name
   * @param {Traits[K]} value
   */
  setTrait(name, value) {
    this.host.model.set(name, value);
    this.host.model.save_changes();
    this.host.schedule();
  }

  onScroll() {
    this.moved.top = this.moved.bottom = true;
    this.host.schedule();
  }

  /** @param {MouseEvent} e */
  onClick(e) {
    const target = /** @type {Element} */ (e.target);
    const row = /** @type {HTMLElement | null} */ (target.closest(".lsw-row"));
    if (!row || !row.dataset.domId) return;
    const domId = row.dataset.domId;
    const action = /** @type {HTMLElement | null} */ (target.closest(".lsw-action"));
    if (action) {
      this.send({ kind: "action", name: /** @type {string} */ (action.dataset.action), dom_id: domId });
      return;
    }
    this.choose(domId, { shift: e.shiftKey, toggle: e.ctrlKey || e.metaKey });
    const cell = /** @type {HTMLElement | null} */ (target.closest("[data-col]"));
    const column = cell ? this.host.columnAt(Number(cell.dataset.col)) : null;
    const value = column ? this.host.valueOf(domId, column.name) : null;
    this.send({ kind: "click", dom_id: domId, column: column ? column.name : null, value: column ? jsonValue(value, column.type) : null });
    this.host.elements.scroller.focus({ preventScroll: true });
  }

  /**
   * @param {string} domId
   * @param {{ shift?: boolean, toggle?: boolean }} mods
   */
  choose(domId, mods) {
    const { model, order } = this.host;
    const mode = model.get("selection") || "multiple";
    /** @type {(a: string, b: string) => string[] | null} */
    const range = (a, b) => {
      let i = order.indexOf(a);
      let j = order.indexOf(b);
      if (i < 0 || j < 0) return null;
      if (i > j) [i, j] = [j, i];
      /** @type {string[]} */
      const ids = [];
      for (let k = i; k <= j && ids.length < 100_000; k++) ids.push(/** @type {string} */ (order.domIdAt(k)));
      return ids;
    };
    const next = select(model.get("selected") || [], domId, { ...mods, anchor: this.anchorId }, mode, range);
    if (!mods.shift) this.anchorId = domId;
    this.focusId = domId;
    this.setTrait("selected", next);
  }

  /** @param {KeyboardEvent} e */
  onKey(e) {
    const { scroller } = this.host.elements;
    if (e.target !== scroller) return;
    const { order } = this.host;
    const size = order.size;
    if (!size) return;
    const current = this.focusId === null ? -1 : order.indexOf(this.focusId);
    const page = Math.max(1, Math.floor(scroller.clientHeight / this.host.rowHeight()) - 1);
    /** @type {Record<string, number>} */
    const moves = { ArrowDown: current + 1, ArrowUp: current - 1, PageDown: current + page, PageUp: current - page, Home: 0, End: size - 1 };
    if (e.key in moves) {
      e.preventDefault();
      const i = Math.max(0, Math.min(size - 1, current < 0 && e.key === "ArrowUp" ? 0 : moves[e.key]));
      const domId = /** @type {string} */ (order.domIdAt(i)); // 0 <= i < size
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

  /** @param {number} i */
  scrollIntoView(i) {
    const { scroller, header, summaries } = this.host.elements;
    const rowHeight = this.host.rowHeight();
    const top = i * rowHeight;
    const view = scroller.clientHeight - header.offsetHeight - (summaries?.offsetHeight ?? 0);
    if (top < scroller.scrollTop) scroller.scrollTop = top;
    else if (top + rowHeight > scroller.scrollTop + view) scroller.scrollTop = top + rowHeight - view;
    this.host.schedule();
  }

  /** @param {Event} e */
  onHeader(e) {
    const target = /** @type {Element} */ (e.target);
    if (target.closest(".lsw-resize")) return;
    const cell = /** @type {HTMLElement | null} */ (target.closest("[data-column]"));
    if (!cell) return;
    const name = /** @type {string} */ (cell.dataset.column);
    const sort = this.host.model.get("sort");
    /** @type {SortState} */
    const now = sort && sort.column === name ? (sort.descending ? "descending" : "ascending") : "none";
    const next = SORT_CYCLE[now];
    this.setTrait("sort", next === "none" ? null : { column: name, descending: next === "descending" });
  }

  /** @param {PointerEvent} e */
  onResize(e) {
    const grip = /** @type {HTMLElement | null} */ (/** @type {Element} */ (e.target).closest(".lsw-resize"));
    if (!grip) return;
    e.preventDefault();
    const name = /** @type {string} */ (grip.dataset.column);
    const cell = /** @type {HTMLElement} */ (grip.parentElement); // the header cell
    const startX = e.clientX;
    const startW = cell.getBoundingClientRect().width;
    /** @param {PointerEvent} ev */
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
  /** @param {Edge} edge */
  asked(edge) {
    return this.host.model.get("edges")?.[edge] === "loading" || Date.now() - this.edges.last[edge] < 3000;
  }

  // Infinite scroll: tell Python when the first / last row is on screen.
  /** @param {{ size: number, first: number, last: number, atEnd: boolean }} shown */
  afterDraw({ size, first, last, atEnd }) {
    const { order, model } = this.host;
    const { scroller } = this.host.elements;
    const wanted = model.get("_viewport_handlers") || [];
    if (!size || !wanted.length) return;
    /** @type {[Edge, boolean, number][]} */
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
        this.send({ kind: "viewport", edge, dom_id: /** @type {string} */ (domId) }); // true: a row
      } else if (typeof verdict === "number") {
        this.later(() => this.host.schedule(), verdict + 10);
      }
    }
  }
}
