// @ts-check
// Elements of the table view, built once and then recycled or refilled by view.js.
import { SKELETON_ROWS } from "./status.js";

/** @typedef {import("./types.js").Column} Column */
/** @typedef {import("./types.js").Edge} Edge */
/** @typedef {import("./types.js").Traits} Traits */

/**
 * An element with classes and attributes.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string} [className]
 * @param {Record<string, string>} [attrs]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, className, attrs = {}) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

// A frame redraws every row on screen, and while rows stream in below the viewport most of them
// show what they showed: these write only what changed (an unchanged write still costs the
// browser style, layout and paint for the cell), and a cell's text through the text node it
// already has.
/**
 * @param {HTMLElement} el
 * @param {string} text
 */
export function setText(el, text) {
  const node = el.firstChild;
  if (node instanceof Text && node === el.lastChild) {
    if (node.data !== text) node.data = text;
  } else el.textContent = text;
}

/**
 * @param {HTMLElement} el
 * @param {string} name
 * @param {string} value
 */
export function setAttr(el, name, value) {
  if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

/** One line of the notices above the table. @param {import("./types.js").Notice} n */
export function noticeLine(n) {
  const line = h("div", `lsw-notice lsw-notice-${n.level}`);
  line.textContent = n.text;
  return line;
}

/** The header cell of column `c` (shown at index i): label, sort mark, resize grip.
 * @param {Column} c
 * @param {number} i */
export function headerCell(c, i) {
  const cell = h("div", `lsw-cell lsw-th lsw-align-${c.align}`, { role: "columnheader", title: `${c.name}: click to sort`, "data-column": c.name });
  const label = h("span", "lsw-th-label");
  label.textContent = c.label;
  const grip = h("span", "lsw-resize", { "aria-hidden": "true", "data-column": c.name });
  cell.append(label, h("span", "lsw-sort-mark", { "aria-hidden": "true" }), grip);
  cell.dataset.index = String(i);
  return cell;
}

/** An empty row: one cell per column and the action buttons, or one card cell for a template.
 * @param {Column[]} columns
 * @param {string[]} actions
 * @param {boolean} card */
export function rowElement(columns, actions, card) {
  const row = h("div", "lsw-row", { role: "row" });
  if (card) {
    row.append(h("div", "lsw-card", { role: "gridcell" }));
    return row;
  }
  columns.forEach((c, j) => row.append(h("div", `lsw-cell lsw-align-${c.align}`, { role: "gridcell", "data-col": String(j) })));
  if (actions.length) {
    const cell = h("div", "lsw-cell lsw-actions", { role: "gridcell" });
    for (const name of actions) {
      const b = h("button", "lsw-button lsw-action", { type: "button", "data-action": name, tabindex: "-1" });
      b.textContent = name;
      cell.append(b);
    }
    row.append(cell);
  }
  return row;
}

/** Placeholder rows while rows load, `bars` grey bars each.
 * @param {number} bars */
export function skeletonRows(bars) {
  const rows = [];
  for (let r = 0; r < SKELETON_ROWS; r++) {
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
  return rows;
}

/**
 * The lines above the first and below the last row while paginate loads or has reached an end.
 * @param {Record<Edge, HTMLElement>} els
 * @param {Traits["edges"]} edges the trait
 * @param {number} size rows shown
 */
export function showEdges(els, edges, size) {
  /** @type {Record<string, string>} */
  const say = { loading: "Loading more…", end: size ? "End of list" : "" };
  /** @type {[HTMLElement, Edge][]} */
  const places = [[els.top, "top"], [els.bottom, "bottom"]];
  for (const [el, edge] of places) {
    el.textContent = say[/** @type {string} */ (edges[edge])] || "";
    el.hidden = !el.textContent;
    el.dataset.state = edges[edge] || "";
  }
}
