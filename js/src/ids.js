// @ts-check
// The store's index of rows by dom id. Dom ids are `${prefix}${key}` by default (the widget's
// name + "-"). The index key of dom id `${prefix}${n}` (n an integer written as Python's str()
// writes it) is the number n, else the dom id string: number keys need no string per row and
// hash several times faster, and inserts whose ids the kernel leaves to the browser (`key`: an
// integer column) never build a string at all.
import { integerAfter } from "./domids.js";

/** @typedef {import("./rows.js").IndexKey} IndexKey */

/**
 * @template {{ id: IndexKey }} H a row, knowing its own index key
 * @template P what stands for rows not made yet (bulk.js's packs)
 */
export class IdIndex {
  constructor() {
    /** @type {string | null} */
    this.prefix = null;
    /** @type {Map<IndexKey, H | P>} */
    this.map = new Map();
  }

  /** Forgets every row (the prefix stays). */
  clear() {
    this.map = new Map();
  }

  /**
   * @param {string} domId
   * @returns {IndexKey}
   */
  keyOf(domId) {
    const p = this.prefix;
    if (p !== null && domId.startsWith(p)) {
      const n = integerAfter(domId, p.length);
      if (n !== null) return n;
    }
    return domId;
  }

  /**
   * Index keys of dom ids, in place.
   * @param {IndexKey[]} domIds strings on the way in
   */
  keysOf(domIds) {
    if (this.prefix !== null) for (let i = 0; i < domIds.length; i++) domIds[i] = this.keyOf(/** @type {string} */ (domIds[i]));
    return domIds;
  }

  /**
   * @param {IndexKey} key
   * @returns {string}
   */
  domIdOf(key) {
    // A number key exists only once a prefix is known.
    return typeof key === "number" ? /** @type {string} */ (this.prefix) + key : key;
  }

  /**
   * The row with this dom id (anything but a string: none).
   * @param {unknown} domId
   * @returns {H | P | undefined}
   */
  get(domId) {
    return typeof domId === "string" ? this.map.get(this.keyOf(domId)) : undefined;
  }

  // The name never changes in a widget's life, so a change (only seen in tests) just re-keys
  // the index. Every row must be made first.
  /** @param {string} prefix */
  setPrefix(prefix) {
    if (prefix === this.prefix) return;
    const rows = /** @type {H[]} */ ([...this.map.values()]);
    const old = rows.map((h) => this.domIdOf(h.id));
    this.prefix = prefix;
    this.map = new Map();
    rows.forEach((h, i) => {
      h.id = this.keyOf(old[i]);
      this.map.set(h.id, h);
    });
  }
}
