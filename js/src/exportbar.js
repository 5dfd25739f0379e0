// @ts-check
// The export buttons above a table: download the rows shown as CSV or as an Arrow IPC file, and
// copy the selected rows as tab-separated text (also Ctrl/Cmd+C on the table). The files are
// built in steps (export.js), so a million rows keep the page responsive; the button says
// what is happening meanwhile.
import { displayColumns, picksOf, runSteps, schemaOf, textSteps, arrowSteps } from "./export.js";
import { h } from "./dom.js";

/** @typedef {import("./types.js").Model} Model */
/** @typedef {import("./store.js").RowStore} RowStore */
/** @typedef {import("./order.js").RowOrder} RowOrder */

/**
 * A file name from the stream's name, without characters file systems refuse.
 * @param {string} name
 * @param {string} ext
 */
export function fileName(name, ext) {
  const safe = (name || "rows").replace(/[\\/:*?"<>|\u0000-\u001f]/g, "_").trim() || "rows";
  return `${safe}.${ext}`;
}

/**
 * @param {Blob} blob
 * @param {string} name
 */
function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h("a", "", { href: url, download: name });
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000); // after the download has started
}

/**
 * Puts `text` on the clipboard from a user gesture: the copy event carries it (no permission
 * needed); where that is refused, the asynchronous clipboard API.
 * @param {string} text
 */
function copyText(text) {
  let done = false;
  /** @param {ClipboardEvent} e */
  const onCopy = (e) => {
    e.clipboardData?.setData("text/plain", text);
    e.preventDefault();
    done = true;
  };
  document.addEventListener("copy", onCopy, true);
  try {
    document.execCommand("copy");
  } finally {
    document.removeEventListener("copy", onCopy, true);
  }
  if (!done) void navigator.clipboard?.writeText(text);
}

export class ExportBar {
  /**
   * @param {{ model: Model, store: RowStore, order: RowOrder, scroller: HTMLElement }} host
   */
  constructor({ model, store, order, scroller }) {
    this.model = model;
    this.store = store;
    this.order = order;
    this.scroller = scroller;
    this.el = h("div", "lsw-export", { role: "group", "aria-label": "Export rows" });
    this.csv = this.button("csv", "CSV", "Download the rows shown (sort and filter applied) as CSV");
    this.arrow = this.button("arrow", "Arrow", "Download the rows shown (sort and filter applied) as an Arrow IPC file, types exact");
    this.copy = this.button("copy", "Copy", "Copy the selected rows as tab-separated text (Ctrl/Cmd+C on the table)");
    this.el.append(this.csv, this.arrow, this.copy);
    this.busy = false;
    /** @param {KeyboardEvent} e */
    this.onKey = (e) => {
      if ((e.ctrlKey || e.metaKey) && !e.shiftKey && !e.altKey && e.key.toLowerCase() === "c" && (model.get("selected") || []).length) {
        e.preventDefault();
        e.stopPropagation();
        this.copySelected();
      }
    };
    scroller.addEventListener("keydown", this.onKey);
  }

  destroy() {
    this.scroller.removeEventListener("keydown", this.onKey);
  }

  /**
   * @param {string} kind
   * @param {string} label
   * @param {string} title
   */
  button(kind, label, title) {
    const b = h("button", "lsw-button lsw-export-button", { type: "button", "data-export": kind, title, "aria-label": title });
    b.textContent = label;
    b.addEventListener("click", () => {
      if (kind === "copy") this.copySelected();
      else void this.save(kind === "csv" ? "csv" : "arrow");
    });
    return b;
  }

  /** Called at every draw: what can be done now. */
  update() {
    const rows = this.store.size > 0;
    this.csv.disabled = this.arrow.disabled = this.busy || !rows;
    this.copy.disabled = !(this.model.get("selected") || []).length;
  }

  columns() {
    return displayColumns(this.store, this.model).map((c) => c.name);
  }

  copySelected() {
    const selected = this.model.get("selected") || [];
    if (!selected.length) return;
    const steps = textSteps(picksOf(this.store, this.order, selected), this.columns(), "\t");
    for (;;) {
      const r = steps.next(); // at most 100,000 rows are selected at once (events.js)
      if (r.done) {
        copyText(r.value.join(""));
        this.el.dataset.copied = String(selected.length);
        return;
      }
    }
  }

  /** @param {"csv" | "arrow"} kind */
  async save(kind) {
    if (this.busy) return;
    const button = kind === "csv" ? this.csv : this.arrow;
    const label = button.textContent;
    this.busy = true;
    this.update();
    button.setAttribute("aria-busy", "true");
    button.textContent = `${label}…`;
    const start = performance.now();
    try {
      const picks = picksOf(this.store, this.order); // the rows shown now, in their order
      const columns = this.columns();
      const name = fileName(this.model.get("name") || "rows", kind);
      /** @type {{ slices: number[] }} */
      const stats = { slices: [] };
      if (kind === "csv") {
        const parts = await runSteps(textSteps(picks, columns), { stats });
        download(new Blob(parts, { type: "text/csv" }), name);
      } else {
        const bytes = await runSteps(arrowSteps(picks, schemaOf(this.store, picks, columns)), { stats });
        download(new Blob([/** @type {BlobPart} */ (bytes)], { type: "application/vnd.apache.arrow.file" }), name);
      }
      // How long it took, for whoever measures (tests, benchmarks).
      this.el.dataset[`${kind}Ms`] = String(Math.round(performance.now() - start));
      this.el.dataset[`${kind}Rows`] = String(picks.rows.length);
      // The page's waits: how many, the typical one and the longest (a busy machine can stretch
      // any one of them).
      const slices = stats.slices.sort((a, b) => a - b);
      this.el.dataset[`${kind}Slices`] = String(slices.length);
      this.el.dataset[`${kind}MedianMs`] = String(Math.round(slices[slices.length >> 1] ?? 0));
      this.el.dataset[`${kind}LongestMs`] = String(Math.round(slices[slices.length - 1] ?? 0));
    } catch (err) {
      button.title = `Export failed: ${/** @type {Error} */ (err).message}`;
      this.el.dataset.error = /** @type {Error} */ (err).message;
    } finally {
      this.busy = false;
      button.removeAttribute("aria-busy");
      button.textContent = label;
      this.update();
    }
  }
}
