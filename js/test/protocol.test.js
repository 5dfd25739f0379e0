import { describe, it, expect } from "vitest";
import { tableToIPC, Table, vectorFromArray, Int32, Utf8 } from "apache-arrow";
import { PROTOCOL_VERSION, ProtocolError, toBytes, decodeDiff, applyDiff } from "../src/protocol.js";
import { RowStore } from "../src/store.js";
import { itemsTable, keysOf, range } from "./helpers.js";

const ipc = (table) => tableToIPC(table, "stream");

// Put bytes at an odd offset inside a bigger ArrayBuffer, as a DataView (JupyterLab) or a
// Uint8Array (Colab): the decoder must use exactly the view's window.
function asDataView(bytes, pad = 13) {
  const buf = new ArrayBuffer(bytes.length + 2 * pad);
  new Uint8Array(buf).fill(0xee);
  new Uint8Array(buf, pad, bytes.length).set(bytes);
  return new DataView(buf, pad, bytes.length);
}
function asU8(bytes, pad = 7) {
  const dv = asDataView(bytes, pad);
  return new Uint8Array(dv.buffer, dv.byteOffset, dv.byteLength);
}

const diff = (seq, ops) => ({ kind: "diff", protocol: 3, seq, ops });
const insertOp = (buffer, rows, extra = {}) => ({ op: "insert", buffer, rows, at: -1, limit: null, update_only: false, ...extra });

describe("toBytes", () => {
  it("returns the exact window of DataView, Uint8Array and ArrayBuffer", () => {
    const bytes = Uint8Array.from([1, 2, 3, 4, 5]);
    for (const b of [asDataView(bytes), asU8(bytes), bytes.buffer.slice(0)]) {
      const u = toBytes(b);
      expect(u).toBeInstanceOf(Uint8Array);
      expect([...u]).toEqual([1, 2, 3, 4, 5]);
    }
    const dv = asDataView(bytes);
    expect(toBytes(dv).buffer).toBe(dv.buffer); // a view, not a copy
    expect(toBytes(dv).byteOffset).toBe(dv.byteOffset);
    expect(() => toBytes("nope")).toThrow(ProtocolError);
    expect(() => toBytes(null)).toThrow(ProtocolError);
  });
});

describe("decodeDiff + applyDiff", () => {
  it("decodes and applies reset / insert / delete in list order, from DataView and Uint8Array", () => {
    expect(PROTOCOL_VERSION).toBe(3);
    for (const wrap of [asDataView, asU8]) {
      const store = new RowStore();
      store.insert(itemsTable([99]));
      const buffers = [wrap(ipc(itemsTable(range(1, 10)))), wrap(ipc(itemsTable([11], " new")))];
      const d = decodeDiff(
        diff(7, [
          { op: "reset" },
          insertOp(0, 10, { at: 0, limit: 5 }),
          { op: "delete", dom_ids: ["items-8", "unknown"] },
          insertOp(1, 1, { at: 1, limit: -5 }),
        ]),
        buffers,
      );
      expect(d.seq).toBe(7);
      expect(d.ops.map((o) => o.op)).toEqual(["reset", "insert", "delete", "insert"]);
      expect(d.ops[1]).toMatchObject({ at: 0, limit: 5, update_only: false, rows: 10 });
      expect(d.ops[1].table.numRows).toBe(10);
      applyDiff(store, d);
      expect(keysOf(store)).toEqual([10, 11, 9, 7, 6]);
      expect(store.valueAt(1, "label")).toBe("item 11 new");
    }
  });

  it("defaults: missing at/limit/update_only, no buffers for buffer-less diffs", () => {
    const d = decodeDiff(diff(1, [{ op: "insert", buffer: 0, rows: 2 }]), [ipc(itemsTable([1, 2]))]);
    expect(d.ops[0]).toMatchObject({ at: -1, limit: null, update_only: false });
    expect(decodeDiff(diff(2, [{ op: "reset" }])).ops).toEqual([{ op: "reset" }]);
    expect(decodeDiff(diff(3, []), []).ops).toEqual([]);
  });

  it("two ops may share one buffer", () => {
    const d = decodeDiff(diff(1, [insertOp(0, 2), insertOp(0, 2, { update_only: true })]), [ipc(itemsTable([1, 2]))]);
    const s = new RowStore();
    applyDiff(s, d);
    expect(keysOf(s)).toEqual([1, 2]);
  });

  it("update_only and limit pass through to the store", () => {
    const s = new RowStore();
    s.insert(itemsTable([1, 2, 3]));
    applyDiff(s, decodeDiff(diff(1, [insertOp(0, 2, { update_only: true })]), [ipc(itemsTable([2, 4], " u"))]));
    expect(keysOf(s)).toEqual([1, 2, 3]);
    expect(s.valueAt(1, "label")).toBe("item 2 u");
  });

  const good = ipc(itemsTable([1, 2]));
  const cases = [
    ["content not an object", null, [], /content must be an object/],
    ["content is a list", [], [], /content must be an object/],
    ["wrong kind", { ...diff(1, []), kind: "welcome" }, [], /expected kind "diff", got "welcome"/],
    ["missing kind", { protocol: 3, seq: 1, ops: [] }, [], /expected kind "diff", got undefined/],
    ["wrong protocol", { ...diff(1, []), protocol: 1 }, [], /unsupported protocol 1/],
    ["protocol as string", { ...diff(1, []), protocol: "3" }, [], /unsupported protocol "3"/],
    ["seq 0", diff(0, []), [], /seq must be an integer >= 1, got 0/],
    ["seq float", diff(1.5, []), [], /seq must be an integer >= 1, got 1.5/],
    ["seq string", diff("3", []), [], /seq must be an integer >= 1, got "3"/],
    ["ops not a list", { ...diff(1, []), ops: {} }, [], /ops must be a list/],
    ["op not an object", diff(1, ["reset"]), [], /op 0: op must be an object/],
    ["unknown op", diff(1, [{ op: "upsert" }]), [], /op 0: unknown op "upsert"/],
    ["missing op name", diff(1, [{}]), [], /unknown op undefined/],
    ["buffer index out of range", diff(1, [insertOp(1, 2)]), [good], /buffer index 1 out of range \(message has 1 buffer/],
    ["buffer index negative", diff(1, [insertOp(-1, 2)]), [good], /buffer must be an integer >= 0, got -1/],
    ["buffer index missing", diff(1, [{ op: "insert", rows: 2 }]), [good], /buffer must be an integer >= 0, got undefined/],
    ["no buffers at all", diff(1, [insertOp(0, 2)]), undefined, /out of range \(message has 0 buffer/],
    ["rows mismatch", diff(1, [insertOp(0, 3)]), [good], /rows says 3 but the Arrow table in buffer 0 has 2/],
    ["rows missing", diff(1, [{ op: "insert", buffer: 0 }]), [good], /rows must be an integer >= 0/],
    ["at < -1", diff(1, [insertOp(0, 2, { at: -2 })]), [good], /at must be an integer >= -1, got -2/],
    ["at float", diff(1, [insertOp(0, 2, { at: 0.5 })]), [good], /at must be an integer >= -1, got 0.5/],
    ["limit string", diff(1, [insertOp(0, 2, { limit: "5" })]), [good], /limit must be an integer or null, got "5"/],
    ["update_only not bool", diff(1, [insertOp(0, 2, { update_only: 0 })]), [good], /update_only must be true or false, got 0/],
    ["delete without list", diff(1, [{ op: "delete", dom_ids: "items-1" }]), [], /dom_ids must be a list/],
    ["delete with non-string", diff(1, [{ op: "delete", dom_ids: ["a", 3] }]), [], /dom_ids\[1\] is not a string: 3/],
    ["missing __dom_id", diff(1, [insertOp(0, 1)]), [ipc(new Table({ x: vectorFromArray([1], new Int32()) }))], /table has no "__dom_id" column \(columns: x\)/],
    ["__dom_id not utf8", diff(1, [insertOp(0, 1)]), [ipc(new Table({ __dom_id: vectorFromArray([1], new Int32()) }))], /"__dom_id" column must be utf8, got Int32/],
    ["__dom_id with nulls", diff(1, [insertOp(0, 2)]), [ipc(new Table({ __dom_id: vectorFromArray(["a", null], new Utf8()) }))], /"__dom_id" column has 1 null value/],
    ["empty buffer", diff(1, [insertOp(0, 2)]), [new Uint8Array(0)], /buffer 0 is empty/],
    ["junk bytes", diff(1, [insertOp(0, 2)]), [Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9])], /buffer 0 is not a readable Arrow IPC stream/],
    ["truncated stream", diff(1, [insertOp(0, 2)]), [good.slice(0, good.length - 20)], /not a readable Arrow IPC stream/],
    ["truncated schema", diff(1, [insertOp(0, 2)]), [good.slice(0, 100)], /not a readable Arrow IPC stream/],
    ["JSON instead of Arrow", diff(1, [insertOp(0, 2)]), [new TextEncoder().encode('{"a": 1}')], /not a readable Arrow IPC stream|holds no Arrow schema/],
    ["buffer not binary", diff(1, [insertOp(0, 2)]), ["abc"], /buffer 0: buffer is not binary data/],
  ];
  it.each(cases)("rejects %s", (_name, content, buffers, msg) => {
    let err;
    try {
      decodeDiff(content, buffers);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProtocolError);
    expect(err.name).toBe("ProtocolError");
    expect(err.message).toMatch(msg);
  });

  it("rejects bit-flipped bytes one way or another", () => {
    const c = good.slice();
    for (let i = 8; i < c.length; i += 7) c[i] ^= 0x5a;
    expect(() => decodeDiff(diff(1, [insertOp(0, 2)]), [c])).toThrow(ProtocolError);
  });

  it("a bad op anywhere rejects the whole diff before anything is applied", () => {
    const content = diff(1, [{ op: "reset" }, insertOp(0, 2), { op: "nope" }]);
    expect(() => decodeDiff(content, [good])).toThrow(/op 2: unknown op "nope"/);
  });

  it("applyDiff wraps store errors in ProtocolError naming the op", () => {
    const store = new RowStore();
    const bad = { seq: 4, ops: [{ op: "insert", table: itemsTable([1]), at: -5, limit: null, update_only: false }] };
    expect(() => applyDiff(store, bad)).toThrow(ProtocolError);
    expect(() => applyDiff(store, bad)).toThrow(/diff 4, op 0 \(insert\): insert: at must be >= -1/);
  });
});
