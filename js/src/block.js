// @ts-check
// One block of a BlockList (blocklist.js): its items in order, or, while packed, what stands
// for them until they are needed.

/**
 * What the list needs of an item: a field it owns, holding the item's block while listed and
 * null once removed.
 * @typedef {{ block: Block<any> | null }} Linked
 */

/**
 * A packed block: `size` items not made yet (a bulk insert makes none until they are needed).
 * The block makes them (`unpack`, once) when an item is first read or the block changes, and
 * calls `drop` instead when the whole block is pruned; `block` is the list's link, as on items.
 * @template T
 * @typedef {{ size: number, block: Block<any> | null, unpack: () => T[], drop: () => void }} Packed
 */

/** @template {Linked} T */
export class Block {
  /**
   * @param {T[] | null} items null for a packed block
   * @param {Packed<T> | null} [pack]
   */
  constructor(items, pack = null) {
    /** @type {T[] | null} */
    this.items = items;
    this.pack = pack;
    if (items !== null) for (let i = 0; i < items.length; i++) items[i].block = this;
    else /** @type {Packed<T>} */ (pack).block = this;
  }

  get size() {
    return this.items !== null ? this.items.length : /** @type {Packed<T>} */ (this.pack).size;
  }

  /** The items, made now if the block is packed. @returns {T[]} */
  made() {
    if (this.items !== null) return this.items;
    const pack = /** @type {Packed<T>} */ (this.pack);
    const items = pack.unpack();
    for (let i = 0; i < items.length; i++) items[i].block = this;
    this.items = items;
    this.pack = null;
    pack.block = null;
    return items;
  }

  /**
   * The whole block leaves the list: each item (or the packed block at once) is unlinked and
   * dropped.
   * @param {(h: T) => void} dropped
   */
  drop(dropped) {
    const items = this.items;
    if (items === null) {
      const pack = /** @type {Packed<T>} */ (this.pack);
      pack.block = null;
      pack.drop();
      return;
    }
    for (let i = 0; i < items.length; i++) unlink(items[i], dropped);
  }

  // Unlinks without dropping (the list is cleared).
  clear() {
    if (this.items !== null) for (const h of this.items) h.block = null;
    else /** @type {Packed<T>} */ (this.pack).block = null;
  }
}

/**
 * @template {Linked} T
 * @param {T} h
 * @param {(h: T) => void} dropped
 */
export function unlink(h, dropped) {
  h.block = null;
  dropped(h);
}
