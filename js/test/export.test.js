// Exports and fetch chunks: raw values (times with their offset, every digit, decimal text),
// escaping, nulls, display order, types kept exact across widened batches.
import { describe, expect, it } from "vitest";
import {
  Bool, Dictionary, Field, Float32, Float64, Int32, Int64, List, makeData, makeVector, RecordBatch, Schema, Struct, Table,
  tableFromIPC, TimestampNanosecond, TimestampSecond, Utf8, vectorFromArray,
} from "apache-arrow";
import { arrowSteps, fetchChunks, field, isoDuration, picksOf, rawText, schemaOf, textSteps, withOrder } from "../src/export.js";
import { RowOrder } from "../src/order.js";
import { RowStore } from "../src/store.js";
import { takeRows } from "../src/take.js";

/** @param {Generator<unknown, any>} g */
const run = (g) => {
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
  }
};

const ns = (/** @type {bigint[]} */ a, tz = "Europe/Paris") =>
  makeVector(makeData({ type: new TimestampNanosecond(tz), length: a.length, data: BigInt64Array.from(a) }));

function mixedTable() {
  const ids = ["t-1", "t-2", "t-3", "t-4"];
  const dec = new Field("price", new Utf8(), true, new Map([["livestream", "decimal"]]));
  const cols = {
    __dom_id: vectorFromArray(ids, new Utf8()),
    id: vectorFromArray([1, 2, 3, 4], new Int32()),
    x: vectorFromArray([0.1, 1 / 3, NaN, null], new Float64()),
    s: vectorFromArray(['a,b', 'say "hi"', "two\nlines", ""], new Utf8()),
    t: ns([1717192800123456789n, 0n, -1n, 1717192800000000000n]),
    ok: vectorFromArray([true, false, null, true], new Bool()),
  };
  const t = new Table(cols);
  // The decimal column carries its field metadata as the kernel sends it.
  const schema = new Schema([...t.schema.fields, dec]);
  const price = vectorFromArray(["1.0", "2.50", null, "-0.000000000000000001"], new Utf8());
  const data = makeData({ type: new Struct(schema.fields), length: 4, nullCount: 0, children: [...t.batches[0].data.children, price.data[0]] });
  return new Table([new RecordBatch(schema, data)]);
}

describe("raw values", () => {
  it("keep every digit, the zone's offset and the decimal text", () => {
    const store = new RowStore();
    store.insert(mixedTable(), {});
    const text = run(textSteps(picksOf(store, null), ["id", "x", "s", "t", "ok", "price"])).join("");
    expect(text.split("\n")).toEqual([
      "id,x,s,t,ok,price",
      "1,0.1,\"a,b\",2024-06-01T00:00:00.123456789+02:00,true,1.0",
      "2,0.3333333333333333,\"say \"\"hi\"\"\",1970-01-01T01:00:00+01:00,false,2.50",
      "3,NaN,\"two", "lines\",1970-01-01T00:59:59.999999999+01:00,,",
      "4,,\"\",2024-06-01T00:00:00+02:00,true,-0.000000000000000001",
      "",
    ]);
  });
  it("write naive times without offset, float32 by its own digits, durations in ISO 8601", () => {
    expect(rawText(1717200000n, new TimestampSecond())).toBe("2024-06-01T00:00:00");
    expect(rawText(1717200000n, new TimestampSecond("UTC"))).toBe("2024-06-01T00:00:00+00:00");
    expect(rawText(Math.fround(0.1), new Float32())).toBe("0.1");
    expect(rawText(Infinity, new Float64())).toBe("inf");
    expect(rawText(2n ** 63n - 1n, new Int64())).toBe("9223372036854775807");
    expect(isoDuration(93784500000000n, { unit: 3 })).toBe("P1DT2H3M4.5S");
    expect(isoDuration(-1n, { unit: 3 })).toBe("-P0DT0H0M0.000000001S");
    const list = vectorFromArray([[1, 2]], new List(new Field("item", new Int32())));
    expect(rawText(list.get(0), list.type)).toBe("[1,2]");
  });
  it("quote fields with the delimiter, quotes or line breaks; null is an empty field", () => {
    expect(field(null, ",")).toBe("");
    expect(field("", ",")).toBe('""');
    expect(field("a\tb", "\t")).toBe('"a\tb"');
    expect(field("a\tb", ",")).toBe("a\tb");
    expect(field('x"y', ",")).toBe('"x""y"');
  });
});

describe("display order", () => {
  it("is the view's sort and filter, and the selection in display order", () => {
    const store = new RowStore();
    store.insert(mixedTable(), {});
    const order = new RowOrder(store);
    order.configure({ sort: { column: "id", descending: true }, filter: "" });
    const text = run(textSteps(picksOf(store, order), ["id"])).join("");
    expect(text).toBe("id\n4\n3\n2\n1\n");
    const sel = run(textSteps(picksOf(store, order, ["t-1", "t-3", "gone"]), ["id", "s"], "\t")).join("");
    expect(sel).toBe('id\ts\n3\t"two\nlines"\n1\ta,b\n');
  });
  it("comes from the model's traits when no view orders the rows", () => {
    const store = new RowStore();
    store.insert(mixedTable(), {});
    /** @type {any} */
    const model = { get: (/** @type {string} */ k) => ({ sort: { column: "x", descending: false }, filter: "", columns: null, column_options: {} })[k] };
    const ids = withOrder(store, model, "display", (p) => Array.from(p.rows));
    expect(ids).toEqual([0, 1, 2, 3]); // 0.1, 1/3, NaN, null: NaN and nulls last
    const filtered = withOrder(store, { ...model, get: (/** @type {string} */ k) => (k === "filter" ? "lines" : model.get(k)) }, "display", (p) => Array.from(p.rows));
    expect(filtered).toEqual([2]);
    expect(withOrder(store, model, "stream", (p) => p.rows.length)).toBe(4);
  });
});

describe("arrow file and fetch chunks", () => {
  it("keep exact types, widening older batches to the newest type", () => {
    const store = new RowStore();
    const a = new Table({ __dom_id: vectorFromArray(["i-1", "i-2"], new Utf8()), v: vectorFromArray([1, 2], new Int32()) });
    const b = new Table({ __dom_id: vectorFromArray(["i-3"], new Utf8()), v: vectorFromArray([2.5], new Float64()) });
    store.insert(a, {});
    store.insert(b, { at: 0 });
    const picks = picksOf(store, null);
    const schema = schemaOf(store, picks, ["v"]);
    const file = tableFromIPC(run(arrowSteps(picks, schema)));
    expect(String(file.schema.fields[0].type)).toBe("Float64");
    expect(file.getChild("v")?.toArray()).toEqual(new Float64Array([2.5, 1, 2]));
  });
  it("take rows of many batches in any order, nulls and strings included", () => {
    const store = new RowStore();
    store.insert(mixedTable(), {});
    const picks = picksOf(store, null);
    const rev = { batches: [...picks.batches].reverse(), rows: picks.rows.slice().reverse() };
    const batch = takeRows(rev, 1, 4, schemaOf(store, picks, ["s", "t", "price", "ok"]));
    const t = new Table([batch]);
    expect(t.getChild("s")?.toArray()).toEqual(["two\nlines", 'say "hi"', "a,b"]);
    expect(t.getChild("ok")?.toArray()).toEqual([null, false, true]);
    expect(t.getChild("ok")?.isValid(0)).toBe(false);
    expect(t.getChild("t")?.data[0].values).toEqual(BigInt64Array.from([-1n, 0n, 1717192800123456789n]));
    expect(t.schema.fields[2].metadata.get("livestream")).toBe("decimal");
  });
  it("read strings a batch sent as a dictionary, beside batches that sent them plain", () => {
    const store = new RowStore();
    const words = makeVector(makeData({
      type: new Dictionary(new Utf8(), new Int32()), length: 4, nullCount: 1,
      nullBitmap: Uint8Array.of(0b1011), data: Int32Array.of(1, 0, 0, 1),
      dictionary: vectorFromArray(["buy", "sell"], new Utf8()),
    }));
    const dict = new Table({ __dom_id: vectorFromArray(["i-1", "i-2", "i-3", "i-4"], new Utf8()), side: words });
    const plain = new Table({ __dom_id: vectorFromArray(["i-5"], new Utf8()), side: vectorFromArray(["hold"], new Utf8()) });
    store.insert(dict, {});
    store.insert(plain, {});
    const picks = picksOf(store, null);
    const schema = schemaOf(store, picks, ["side"]);
    const file = tableFromIPC(run(arrowSteps(picks, schema)));
    expect(String(file.schema.fields[0].type)).toBe("Utf8");
    expect(file.getChild("side")?.toArray()).toEqual(["sell", "buy", null, "sell", "hold"]);
    const csv = run(textSteps(picks, ["side"])).join("");
    expect(csv.split("\n").slice(0, 6)).toEqual(["side", "sell", "buy", "", "sell", "hold"]);
  });
  it("split a fetch into chunks under the message limit, rows in order", () => {
    const store = new RowStore();
    const n = 60_000;
    const text = Array.from({ length: n }, (_, i) => `row ${i} ${"x".repeat(150)}`);
    store.insert(new Table({ __dom_id: vectorFromArray(text.map((_, i) => `i-${i}`), new Utf8()), s: vectorFromArray(text, new Utf8()) }), {});
    const picks = picksOf(store, null);
    const chunks = [...fetchChunks(picks, schemaOf(store, picks, ["s"]))];
    expect(chunks.length).toBeGreaterThan(2);
    expect(Math.max(...chunks.map((c) => c.bytes.byteLength))).toBeLessThan(8 * 2 ** 20);
    expect(chunks.reduce((s, c) => s + c.rows, 0)).toBe(n);
    const last = tableFromIPC(chunks[chunks.length - 1].bytes);
    expect(last.getChild("s")?.get(last.numRows - 1)).toBe(text[n - 1]);
    expect([...fetchChunks({ batches: [], rows: new Int32Array(0) }, schemaOf(store, picks, ["s"]))].map((c) => c.rows)).toEqual([0]);
  });
});

describe("fast column readers", () => {
  it("write what rawText writes, value for value (DST changes, nulls, far dates)", async () => {
    const { fieldReader } = await import("../src/readers.js");
    const { exactValue } = await import("../src/rows.js");
    const { TimestampMicrosecond } = await import("apache-arrow");
    const n = 5000;
    // Around the end of summer time in Paris (2024-10-27 01:00 UTC), 37 s + 1 us apart, and a
    // few dates far away (year 1, negative counts, an LMT offset with seconds).
    const vs = Array.from({ length: n }, (_, i) => 1729990000000000n + BigInt(i) * 37000001n);
    vs.push(-62135596800000000n, -1n, -3000000000000000n);
    const valid = new Uint8Array(Math.ceil(vs.length / 8)).fill(255);
    valid[0] = 0b11111110; // row 0 is null
    for (const tz of ["Europe/Paris", null]) {
      const type = new TimestampMicrosecond(tz);
      const vec = makeVector(makeData({ type, length: vs.length, nullCount: 1, nullBitmap: valid, data: BigInt64Array.from(vs) }));
      const read = fieldReader(vec, ",", rawText, field, exactValue);
      for (let r = 0; r < vs.length; r++) expect(read(r)).toBe(field(rawText(exactValue(vec, r), type), ","));
    }
    const f = vectorFromArray([1.5, null, NaN, -Infinity, 1e-7], new Float64());
    const i = vectorFromArray([1n, null, -(2n ** 63n)], new Int64());
    for (const v of [f, i]) {
      const read = fieldReader(v, ",", rawText, field, exactValue);
      for (let r = 0; r < v.length; r++) expect(read(r)).toBe(field(rawText(exactValue(v, r), v.type), ","));
    }
  });
});

describe("an empty arrow file", () => {
  it("still has the schema", () => {
    const store = new RowStore();
    store.insert(mixedTable(), {});
    const picks = picksOf(store, null);
    const schema = schemaOf(store, picks, ["id", "t"]);
    const file = tableFromIPC(run(arrowSteps({ batches: [], rows: new Int32Array(0) }, schema)));
    expect(file.numRows).toBe(0);
    expect(file.schema.fields.map((f) => f.name)).toEqual(["id", "t"]);
  });
});

describe("sliced columns", () => {
  // Arrow slices value, offset and index buffers to a Data's rows; only bitmaps count `offset`.
  it("read and copy the rows of a slice, not those of the whole column", async () => {
    const { takeData } = await import("../src/take.js");
    const { fieldReader } = await import("../src/readers.js");
    const { exactValue } = await import("../src/rows.js");
    const { FixedSizeList } = await import("apache-arrow");
    const whole = {
      i: vectorFromArray([1, 2, null, 4, 5, 6, 7], new Int32()),
      x: vectorFromArray([0.5, 1.5, 2.5, null, 4.5, 5.5, 6.5], new Float64()),
      t: ns([1n, 2n, 3n, 4n, 5n, 6n, 7n]),
      s: vectorFromArray(["a", "bb", null, "dddd", "e", "ff", "g"], new Utf8()),
      d: vectorFromArray(["u", "v", "u", null, "w", "v", "u"], new Dictionary(new Utf8(), new Int32())),
      b: vectorFromArray([true, false, true, true, null, false, true], new Bool()),
      l: vectorFromArray([[1, 2], [3, 4], [5, 6], [7, 8], [9, 10], [11, 12], [13, 14]], new FixedSizeList(2, new Field("v", new Float64()))),
      v: vectorFromArray([[1], [2, 3], [], null, [4, 5, 6], [7], [8]], new List(new Field("v", new Float64()))),
    };
    for (const [name, vector] of Object.entries(whole)) {
      const slice = vector.slice(2, 6);
      expect(slice.data[0].offset, name).toBe(2);
      const want = [...slice].map((v) => (v !== null && typeof v === "object" ? JSON.stringify([...v]) : v));
      // Rows 3, 0, 1 of the slice, copied.
      const rows = Int32Array.from([3, 0, 1]);
      const taken = makeVector(takeData(slice.type, [slice.data[0]], new Int32Array(3), rows));
      const got = [...taken].map((v) => (v !== null && typeof v === "object" ? JSON.stringify([...v]) : v));
      expect(got, name).toEqual([want[3], want[0], want[1]]);
      if (name === "d") {
        // As exports copy it: the strings, through each row's index (the store's type is Utf8).
        const text = makeVector(takeData(new Utf8(), [slice.data[0]], new Int32Array(3), rows));
        expect([...text], name).toEqual([want[3], want[0], want[1]]);
      }
      if (name === "t") expect([0, 1, 2, 3].map((r) => exactValue(slice, r))).toEqual([3n, 4n, 5n, 6n]);
      if (name === "i" || name === "x" || name === "t") {
        const read = fieldReader(slice, ",", rawText, field, exactValue);
        for (let r = 0; r < 4; r++) expect(read(r), `${name} row ${r}`).toBe(field(rawText(exactValue(slice, r), slice.type), ","));
        expect(read(1), name).toBe(field(rawText(want[1] === null ? null : name === "t" ? 4n : want[1], slice.type), ","));
      }
    }
  });
});
