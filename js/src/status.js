// @ts-check
// Async loading UI: what the footer line and the skeleton show, decided from the kernel's
// `async_state` trait and the store's size. The decision is a pure function (unit tested); the
// DOM part only applies it, so every view of one model shows the same state.

/** @typedef {import("./types.js").AsyncState} AsyncState */
/** @typedef {import("./types.js").Model} Model */
/**
 * What the footer and the skeleton show (describe).
 * @typedef {object} Description
 * @property {AsyncState["status"]} status
 * @property {boolean} skeleton placeholder rows instead of rows
 * @property {string} text the footer line
 * @property {string} title its tooltip
 * @property {boolean} failed
 * @property {"cancel" | "retry" | null} button
 */

export const SKELETON_ROWS = 8;

// The trait's default, also used before the kernel side defines the trait at all (an older
// kernel package): the widget then behaves exactly as it did without async loading.
/** @type {Readonly<AsyncState>} */
export const IDLE = Object.freeze({
  status: "idle",
  ok: false,
  loading: false,
  skeleton: false,
  failed: null,
  rows: 0,
  can_retry: false,
  total: null,
  rate: null,
  progress: true,
});

/** @type {Set<unknown>} */
const STATUSES = new Set(["idle", "loading", "ok", "failed"]);
// Fixed grouping (not the browser's locale) so the footer reads the same everywhere, like the
// cells, whose numbers are not localised either.
const grouping = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** "1 row", "1,234 rows". @param {number} n */
export function rowCount(n) {
  return `${grouping.format(n)} ${n === 1 ? "row" : "rows"}`;
}

/** "950", "8.1k", "812k", "1.2M", "12M": a rate at a glance. @param {number} n */
export function compact(n) {
  /** @param {number} x */
  const one = (x) => (x < 10 ? String(Math.round(x * 10) / 10) : String(Math.round(x)));
  if (n < 1000) return one(n);
  if (n < 999_500) return `${one(n / 1000)}k`;
  return `${one(n / 1_000_000)}M`;
}

/** "4 s", "1 min 5 s", "2 h 3 min": seconds left, rounded up. @param {number} seconds */
export function duration(seconds) {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s / 60} min`;
  const m = Math.floor(s / 60);
  return m % 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m / 60} h`;
}

/** A whole count >= 0, or null. @param {unknown} value */
function count(value) {
  const n = Number(value);
  return value !== null && value !== undefined && value !== "" && Number.isFinite(n) && n >= 0
    ? Math.floor(n)
    : null;
}

/** What the footer says while loading: rows, and when known the total, percent, rate, ETA.
 * @param {AsyncState} s */
function progressText(s) {
  if (!s.progress) return "Loading…";
  const parts = [];
  const total = s.total !== null && s.total > 0 && s.rows <= s.total ? s.total : null;
  if (total !== null) {
    const percent = Math.floor((s.rows / total) * 100);
    parts.push(`Loading… ${grouping.format(s.rows)} of ${rowCount(total)} (${percent}%)`);
  } else {
    parts.push(`Loading… ${rowCount(s.rows)} loaded`);
  }
  if (s.rate !== null && s.rate > 0) {
    parts.push(`${compact(s.rate)} rows/s`);
    if (total !== null) parts.push(`ETA ${duration((total - s.rows) / s.rate)}`);
  }
  return parts.join(" · ");
}

/** A well-formed state from whatever the trait holds (missing, partial or malformed).
 * @param {unknown} state
 * @returns {AsyncState} */
export function normalize(state) {
  const s = /** @type {Record<string, unknown>} */ (state && typeof state === "object" ? state : {});
  const rows = Number(s.rows);
  const rate = Number(s.rate);
  return {
    status: STATUSES.has(s.status) ? /** @type {AsyncState["status"]} */ (s.status) : "idle",
    ok: s.ok === true,
    loading: s.loading === true,
    skeleton: s.skeleton === true,
    failed: s.failed === null || s.failed === undefined ? null : String(s.failed),
    rows: Number.isFinite(rows) && rows > 0 ? Math.floor(rows) : 0,
    can_retry: s.can_retry === true,
    total: count(s.total),
    rate: s.rate !== null && Number.isFinite(rate) && rate >= 0 ? rate : null,
    progress: s.progress !== false,
  };
}

/**
 * What to show. Returns {status, skeleton, text, title, failed, button}, where `button` is
 * null, "cancel" or "retry". All strings are plain text for textContent.
 * @param {unknown} state the async_state trait
 * @param {number} size rows held
 * @returns {Description}
 */
export function describe(state, size) {
  const s = normalize(state);
  // `skeleton` (stream_async(reset=True)): skeleton rows stand in for the stale rows until the current load's first rows
  // are here (a generator's batches must show as they arrive, not pile up behind placeholders;
  // `rows` can be announced a flush before the rows land, so an empty store keeps the skeleton
  // rather than flash the empty state). Without it: the current rows stay visible with the
  // footer's indicator, and only an empty table shows the skeleton.
  const skeleton = s.loading && (s.skeleton ? s.rows === 0 || size === 0 : size === 0);
  if (s.loading) {
    return {
      status: s.status,
      skeleton,
      text: progressText(s),
      title: "",
      failed: false,
      button: "cancel",
    };
  }
  if (s.status === "failed") {
    const text = s.failed ? `Loading failed: ${s.failed}` : "Loading failed";
    // The line is one ellipsised row; the tooltip keeps a long reason readable.
    return { status: s.status, skeleton, text, title: text, failed: true, button: s.can_retry ? "retry" : null };
  }
  return { status: s.status, skeleton, text: rowCount(size), title: "", failed: false, button: null };
}

/**
 * @param {string} className
 * @param {string} label
 * @param {string} title
 */
function button(className, label, title) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = `lsw-button ${className}`;
  b.textContent = label;
  b.title = title;
  return b;
}

/** The footer line of one view. `render(description)` applies a `describe` result. */
export class StatusLine {
  /**
   * @param {Model} model
   * @param {HTMLElement | null} [focusOnLoss] takes the focus when a focused button goes
   */
  constructor(model, focusOnLoss) {
    this.el = document.createElement("div");
    this.el.className = "lsw-status";
    this.el.setAttribute("role", "status");
    this.el.setAttribute("aria-live", "polite");
    this.text = document.createElement("span");
    this.text.className = "lsw-status-text";
    // One element per action, kept across redraws and attached only while offered, so a
    // redraw never steals focus from a button the user is on.
    this.buttons = {
      cancel: button("lsw-cancel", "Cancel", "Stop this load in the kernel"),
      retry: button("lsw-retry", "Retry", "Run the last loader again"),
    };
    for (const [kind, b] of Object.entries(this.buttons)) {
      b.addEventListener("click", () => model.send({ kind: /** @type {"cancel" | "retry"} */ (kind) }));
    }
    this.focusOnLoss = focusOnLoss;
    this.el.append(this.text);
    /** @type {Description["button"]} */
    this.shown = null;
  }

  /** @param {Description} d */
  render(d) {
    if (this.text.textContent !== d.text) this.text.textContent = d.text;
    this.text.title = d.title;
    this.el.classList.toggle("lsw-status-failed", d.failed);
    this.el.classList.toggle("lsw-status-loading", d.button === "cancel");
    if (this.shown === d.button) return;
    const old = this.shown && this.buttons[this.shown];
    const hadFocus = !!old && old === document.activeElement;
    old?.remove();
    this.shown = d.button;
    if (d.button) this.el.append(this.buttons[d.button]);
    // Keyboard users keep their place in the widget when the button they used goes away.
    if (hadFocus) this.focusOnLoss?.focus({ preventScroll: true });
  }
}
