// Elements of the table view, built once and then recycled or refilled by view.js.
import { SKELETON_ROWS } from "./status.js";

/** An element with classes and attributes. */
export function h(tag, className, attrs = {}) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

/** The header cell of column `c` (shown at index i): label, sort mark, resize grip. */
export function headerCell(c, i) {
  const cell = h("div", `lsw-cell lsw-th lsw-align-${c.align}`, { role: "columnheader", title: `${c.name}: click to sort`, "data-column": c.name });
  const label = h("span", "lsw-th-label");
  label.textContent = c.label;
  const grip = h("span", "lsw-resize", { "aria-hidden": "true", "data-column": c.name });
  cell.append(label, h("span", "lsw-sort-mark", { "aria-hidden": "true" }), grip);
  cell.dataset.index = String(i);
  return cell;
}

/** An empty row: one cell per column and the action buttons, or one card cell for a template. */
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

/** Placeholder rows while rows load, `bars` grey bars each. */
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
