// @ts-check
// What the store knows of its columns (store.js keeps one, and starts a new one on reset).
import { DataType } from "apache-arrow";
import { DOM_ID } from "./domids.js";

/** @typedef {import("apache-arrow").DataType} ArrowType */

export class Schema {
  constructor() {
    /** @type {string[]} */
    this.columns = [];
    this.fixed = false; // columns are fixed by the first insert after a reset
    /** @type {Map<string, ArrowType>} each column's type in its newest batch (a dictionary's value type) */
    this.types = new Map();
    /** @type {Set<string>} columns of decimals sent as exact text (field metadata) */
    this.decimalText = new Set();
  }

  /**
   * Takes in an inserted table's fields; true when they fixed the columns.
   * @param {import("apache-arrow").Schema} schema
   */
  take(schema) {
    const fixing = !this.fixed;
    if (fixing) {
      this.fixed = true;
      this.columns = schema.fields.map((f) => f.name).filter((n) => n !== DOM_ID);
    }
    for (const f of schema.fields) {
      if (f.name === DOM_ID) continue;
      // A buffer sends strings as a dictionary or not, as it saves bytes: one column type
      // either way, so views do not start over when the next batch chose otherwise.
      this.types.set(f.name, DataType.isDictionary(f.type) ? f.type.dictionary : f.type);
      if (f.metadata.get("livestream") === "decimal") this.decimalText.add(f.name);
    }
    return fixing;
  }
}
