// Dom ids made in the browser from an integer key column (`key` in an insert op), and dom ids
// sent as strings, must name the same rows: `${prefix}${n}` is row n however it arrived.
import { describe, it, expect } from "vitest";
import { Table, vectorFromArray, makeVector, Utf8, Int64 } from "apache-arrow";
import { RowStore } from "../src/store.js";
import { decodeDiff, applyDiff, ProtocolError } from "../src/protocol.js";
import { itemsTable, makeTable, viaIPC } from "./helpers.js";
import { tableToIPC } from "apache-arrow";

// The kernel's derived form: no __dom_id column, an int64 `id` column.
function keyed(keys, tag = "") {
  return new Table({
    id: makeVector(BigInt64Array.from(keys, (k) => BigInt(k))),
    label: vectorFromArray(keys.map((k) => `item ${k}${tag}`), new Utf8()),
  });
}

function store(prefix = "items-") {
  const s = new RowStore({ blockSize: 4 });
  s.setPrefix(prefix);
  return s;
}

const labels = (s) => Array.from({ length: s.size }, (_, i) => s.valueAt(i, "label"));

describe("dom ids made from integer keys", () => {
  it("reads back as `${prefix}${key}` and matches ids sent as strings", () => {
    const s = store();
    s.insert(keyed([1, 2, -3, 4]), { key: "id" });
    expect(s.slice()).toEqual(["items-1", "items-2", "items--3", "items-4"]);
    expect(s.has("items--3") && s.indexOf("items-4") === 3 && s.domIdAt(0) === "items-1").toBe(true);
    s.insert(itemsTable([2], " updated")); // a string id updates the keyed row in place
    s.insert(keyed([1], " again"), { key: "id", at: 0, limit: 1 }); // and vice versa
    expect(labels(s)).toEqual(["item 1 again", "item 2 updated", "item -3", "item 4"]);
    s.delete(["items-1", "items--3", "items-99", 5]);
    expect(s.slice()).toEqual(["items-2", "items-4"]);
    expect(s.rowAt(1).domId).toBe("items-4");
  });

  it("keeps ids that only look like integers apart from keyed rows", () => {
    const s = store();
    s.insert(keyed([5, 0]), { key: "id" });
    const lookalikes = ["items-05", "items--0", "items-+5", "items-5.0", "items-", "items-9007199254740993", "other-5"];
    s.insert(makeTable(lookalikes));
    expect(s.size).toBe(2 + lookalikes.length);
    expect(s.slice()).toEqual(["items-5", "items-0", ...lookalikes]);
    s.delete(["items-05"]);
    expect(s.has("items-5") && !s.has("items-05")).toBe(true);
  });

  it("reads 64-bit keys exactly up to 2^53 - 1 and rejects larger ones", () => {
    const s = store();
    const edge = [Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 32, -(2 ** 32) - 1, 0];
    s.insert(keyed(edge), { key: "id" });
    expect(s.slice()).toEqual(edge.map((k) => `items-${k}`));
    const big = new Table({ id: makeVector(BigInt64Array.from([2n ** 53n])) });
    expect(() => s.insert(big, { key: "id" })).toThrow(/beyond 2\^53/);
  });

  it("re-keys held rows when the prefix changes", () => {
    const s = new RowStore();
    s.insert(itemsTable([1, 2]));
    s.setPrefix("items-");
    s.insert(keyed([2], " keyed"), { key: "id" });
    expect(s.size).toBe(2);
    expect(s.valueAt(1, "label")).toBe("item 2 keyed");
  });

  it("gives the same rows as string ids over random op sequences", () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 200; round++) {
      const a = new RowStore({ blockSize: 3 }); // string ids only, no prefix
      const b = store(); // a mix of keyed and string inserts
      for (let step = 0; step < 30; step++) {
        const keys = Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => Math.floor(rnd() * 20) - 5);
        const opts = { at: Math.floor(rnd() * 5) - 1, limit: rnd() < 0.5 ? null : Math.floor(rnd() * 13) - 6, update_only: rnd() < 0.2 };
        const r = rnd();
        if (r < 0.7) {
          a.insert(itemsTable(keys, `#${step}`), opts);
          if (rnd() < 0.5) b.insert(viaIPC(keyed(keys, `#${step}`)), { ...opts, key: "id" });
          else b.insert(itemsTable(keys, `#${step}`), opts);
        } else if (r < 0.95) {
          const ids = keys.map((k) => `items-${k}`);
          a.delete(ids);
          b.delete(ids);
        } else {
          a.reset();
          b.reset();
        }
        expect(b.slice()).toEqual(a.slice());
        expect(labels(b)).toEqual(labels(a));
      }
    }
  }, 30000); // ~3 s alone; more beside the other random tests on a busy machine
});

describe("protocol: insert ops with a key", () => {
  const diff = (ops, extra = {}) => ({ kind: "diff", protocol: 3, seq: 1, prefix: "items-", ops, ...extra });
  const op = { op: "insert", buffer: 0, rows: 2, at: -1, limit: null, update_only: false, key: "id" };

  it("decodes and applies", () => {
    const s = new RowStore();
    applyDiff(s, decodeDiff(diff([op]), [tableToIPC(keyed([3, 4]), "stream")]));
    expect(s.slice()).toEqual(["items-3", "items-4"]);
  });

  it.each([
    ["no prefix", diff([op], { prefix: undefined }), keyed([1, 2]), /key must be a column name in a diff with a prefix/],
    ["prefix not a string", diff([op], { prefix: 5 }), keyed([1, 2]), /prefix must be a string/],
    ["key not a string", diff([{ ...op, key: 1 }]), keyed([1, 2]), /key must be a column name/],
    ["missing key column", diff([{ ...op, key: "nope" }]), keyed([1, 2]), /no "nope" column/],
    ["key column not integers", diff([{ ...op, key: "label" }]), keyed([1, 2]), /key column "label" must be integers/],
    [
      "key column with nulls",
      diff([op]),
      new Table({ id: vectorFromArray([1n, null], new Int64()) }),
      /key column "id" has 1 null value/,
    ],
  ])("rejects %s", (_, content, table, message) => {
    expect(() => decodeDiff(content, [tableToIPC(table, "stream")])).toThrow(ProtocolError);
    expect(() => decodeDiff(content, [tableToIPC(table, "stream")])).toThrow(message);
  });
});
