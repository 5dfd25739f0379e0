// @ts-check
// Who the store tells of rows entering and leaving its list (store.watchRows): summaries.js
// keeps its statistics this way, per change, without reading all rows.

/** @typedef {import("./rows.js").Chunk} Chunk */
/**
 * Told of rows entering and leaving the list, as runs of one batch: rows first, first + step,
 * ... (count of them) of `chunk`. An update in place is a removal of the old row and an
 * addition of the new one; `reset` means every row left.
 * @typedef {{ added: (chunk: Chunk, first: number, step: number, count: number) => void,
 *   removed: (chunk: Chunk, first: number, step: number, count: number) => void,
 *   reset: () => void }} RowWatcher
 */

export class RowWatchers {
  constructor() {
    /** @type {RowWatcher[]} */
    this.list = [];
  }

  // Whether anyone watches (the store skips the calls otherwise: they are per row).
  get any() {
    return this.list.length > 0;
  }

  /** @param {RowWatcher} watcher @returns {() => void} stops it */
  add(watcher) {
    this.list.push(watcher);
    return () => {
      const i = this.list.indexOf(watcher);
      if (i >= 0) this.list.splice(i, 1);
    };
  }

  /** @param {Chunk} chunk @param {number} first @param {number} step @param {number} count */
  added(chunk, first, step, count) {
    for (const w of this.list) w.added(chunk, first, step, count);
  }

  /** @param {Chunk} chunk @param {number} first @param {number} step @param {number} count */
  removed(chunk, first, step, count) {
    for (const w of this.list) w.removed(chunk, first, step, count);
  }

  reset() {
    for (const w of this.list) w.reset();
  }
}
