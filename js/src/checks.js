// @ts-check
// Argument checks of RowStore's methods. Each names the problem in its message: the widget shows
// it to the user and reports it to the kernel.
import { Type } from "apache-arrow";
import { DOM_ID } from "./domids.js";

/** @typedef {import("apache-arrow").DataType} ArrowType */

/** @param {ArrowType} type */
const isIntType = (type) => type.typeId === Type.Int;

/** @param {ArrowType} type */
function isUtf8Type(type) {
  return type.typeId === Type.Utf8 || type.typeId === Type.LargeUtf8 || type.typeId === Type.Utf8View;
}

/**
 * @param {string} name
 * @param {unknown} v
 */
function checkInt(name, v) {
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new Error(`${name} must be an integer, got ${describe(v)}`);
  }
}

/** @param {unknown} v */
export function describe(v) {
  if (typeof v === "bigint") return `${v}n (BigInt)`;
  if (typeof v === "string") return JSON.stringify(v);
  if (v === null || v === undefined || typeof v !== "object") return String(v);
  return Object.prototype.toString.call(v);
}

/**
 * Checks an insert's arguments (before anything changes); returns the dom id column's name.
 * @param {import("apache-arrow").Table} table
 * @param {number} at
 * @param {number | null} limit
 * @param {boolean} update_only
 * @param {string | null | undefined} key
 * @param {boolean} prefixKnown
 * @returns {string}
 */
export function checkInsert(table, at, limit, update_only, key, prefixKnown) {
  checkInt("insert: at", at);
  if (at < -1) throw new Error(`insert: at must be >= -1, got ${at}`);
  if (limit !== null) checkInt("insert: limit", limit);
  if (typeof update_only !== "boolean") {
    throw new Error(`insert: update_only must be a boolean, got ${describe(update_only)}`);
  }
  if (!table || typeof table.getChild !== "function" || !table.schema || !Array.isArray(table.batches)) {
    throw new Error(`insert: expected an apache-arrow Table, got ${describe(table)}`);
  }
  const idName = key === null || key === undefined ? DOM_ID : key;
  const idCol = table.getChild(idName);
  if (!idCol) {
    const names = table.schema.fields.map((f) => f.name).join(", ");
    throw new Error(`insert: table has no "${idName}" column (columns: ${names || "none"})`);
  }
  if (idName === DOM_ID && !isUtf8Type(idCol.type)) {
    throw new Error(`insert: "${DOM_ID}" column must be utf8, got ${idCol.type}`);
  }
  if (idName !== DOM_ID && (!isIntType(idCol.type) || !prefixKnown)) {
    throw new Error(`insert: key column "${key}" must be integers with a known prefix, got ${idCol.type}`);
  }
  if (idCol.nullCount > 0) {
    throw new Error(`insert: "${idName}" column has ${idCol.nullCount} null value(s)`);
  }
  return idName;
}
