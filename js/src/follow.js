// @ts-check
// Where the viewport should be after rows change: follow the tail, or stay on the row the user
// was reading. Pure logic over row positions (in rows, fractional), so vitest covers it
// without a DOM, and the view's pixel mapping (which scales past the browser's height cap)
// stays in the view.
//
// - Following (the user is at the last row and `follow` is on): stay at the end as rows are
//   appended, even if rows fall off the top at the same time.
// - Otherwise the first visible row is the anchor: when rows are inserted or pruned above it
//   (infinite scroll pruning the other end, a prepend, a limit) the position moves with it, so
//   what the user reads does not jump. If the anchor itself is gone, the position stays.
// - Rows appended below while the user reads elsewhere are counted for the "N new rows" badge:
//   rows after the last row that was there when they left the end.
/** @typedef {import("./types.js").Edge} Edge */

export class Follow {
  constructor() {
    this.following = false;
    this.fits = true;
    this.atTop = false; // every row is on screen (no scrolling yet)
    /** @type {string | null} */
    this.firstId = null;
    /** @type {string | null} */
    this.lastId = null;
    /** @type {string | null} */
    this.anchorId = null;
    this.anchorOffset = 0; // fraction of the anchor row scrolled out of view
    /** @type {string | null} last row when the user left the end */
    this.tailId = null;
  }

  // After each draw: remember what is on screen. position: row index (fractional) at the top
  // of the viewport; idAt(i) -> dom id; atTop / atEnd: the first / last row is in view.
  /**
   * @param {{ position: number, size: number, idAt: (i: number) => string,
   *   atTop: boolean, atEnd: boolean, follow?: boolean }} screen
   */
  record({ position, size, idAt, atTop, atEnd, follow }) {
    const first = Math.max(0, Math.min(Math.floor(position), size - 1));
    this.anchorId = size ? idAt(first) : null;
    this.anchorOffset = size ? Math.max(0, position - first) : 0;
    this.firstId = size ? idAt(0) : null;
    this.lastId = size ? idAt(size - 1) : null;
    const settled = this.following || this.fits;
    this.fits = size === 0 || (atTop && atEnd);
    this.atTop = atTop && !this.fits;
    this.following = Boolean(follow) && atEnd && !this.fits;
    if (this.following || this.fits) this.tailId = null;
    else if (settled || this.tailId === null) this.tailId = this.lastId;
  }

  // After rows changed: the position to scroll to (Infinity = the end), or null to stay.
  // A table that fitted on screen follows rows appended below it (a log tail) and stays at the
  // top when rows come in above (a newest-first feed). At the top of a longer list it stays at
  // the top too, unless the rows above are the page the user just scrolled up for
  // (`loadingAbove`: infinite scroll), which must not push what they read out of view; and
  // the next page asked for at the bottom (`loadingBelow`) is not "the tail" to jump to.
  /**
   * @param {{ indexOf: (domId: string) => number, size: number, follow?: boolean,
   *   loadingAbove?: boolean, loadingBelow?: boolean }} rows
   * @returns {number | null}
   */
  target({ indexOf, size, follow = true, loadingAbove = false, loadingBelow = false }) {
    if (this.following && !loadingBelow) return Infinity;
    if (this.atTop && !loadingAbove) return 0;
    if (this.fits) {
      const last = this.lastId === null ? -1 : indexOf(this.lastId);
      const appended = this.firstId !== null && indexOf(this.firstId) === 0 && last >= 0 && last < size - 1;
      return follow && appended ? Infinity : 0;
    }
    if (this.anchorId === null) return null;
    const i = indexOf(this.anchorId);
    return i < 0 ? null : i + this.anchorOffset;
  }

  // Rows added below what the user last saw at the end (0 while following).
  /** @param {{ size: number, indexOf: (domId: string) => number }} rows */
  newRows({ size, indexOf }) {
    if (this.following || this.fits || this.tailId === null) return 0;
    // (After a page loaded below, `following` is re-established at the next record().)
    const i = indexOf(this.tailId);
    return i < 0 ? 0 : size - 1 - i;
  }

  // The user asked to jump to the end (the badge).
  jumpToEnd() {
    this.following = true;
    this.tailId = null;
  }
}

// Throttle for viewport edge events: at most one per edge per `ms`. A new edge row (rows
// arrived) may fire once the throttle allows; the same row fires again only after the user
// scrolled, so a list that has reached its end does not call Python twice a second forever.
export class EdgeThrottle {
  /**
   * @param {number} [ms]
   * @param {() => number} [now]
   */
  constructor(ms = 500, now = () => Date.now()) {
    this.ms = ms;
    this.now = now;
    /** @type {Record<Edge, number>} when each edge last fired */
    this.last = { top: -Infinity, bottom: -Infinity };
    /** @type {Record<Edge, string | null>} */
    this.lastId = { top: null, bottom: null };
  }

  // true: send now. A number: ask again in that many ms (throttled). false: nothing to send.
  /**
   * @param {Edge} edge
   * @param {string | null | undefined} domId the edge row
   * @param {boolean} userMoved the user scrolled since it last fired
   * @returns {boolean | number}
   */
  shouldFire(edge, domId, userMoved) {
    if (domId === null || domId === undefined) return false;
    if (domId === this.lastId[edge] && !userMoved) return false;
    const t = this.now();
    const wait = this.last[edge] + this.ms - t;
    if (wait > 0) return wait;
    this.last[edge] = t;
    this.lastId[edge] = domId;
    return true;
  }
}
