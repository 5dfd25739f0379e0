// What the column summaries keep besides their per-batch state: the scratch arrays values are
// read into stay the size of a slice of rows, whatever the size of a diff.
import { describe, it, expect } from "vitest";
import { Float64, Int64, Table, vectorFromArray } from "apache-arrow";
import { RowStore } from "../src/store.js";
import { Summaries } from "../src/summaries.js";
import { doubles, scratch } from "../src/summaryread.js";

describe("summaries' scratch memory", () => {
  it("stays one slice of rows after a 200,000-row insert", () => {
    const n = 200_000;
    const store = new RowStore();
    store.setPrefix("w-");
    const s = new Summaries(store);
    s.configure([{ name: "v", kind: "num", decimalText: false }], null, "k");
    const ids = BigInt64Array.from({ length: n }, (_, i) => BigInt(i));
    store.insert(new Table({ id: vectorFromArray(ids, new Int64()), v: vectorFromArray(Float64Array.from({ length: n }, (_, i) => i / 4), new Float64()) }), { key: "id" });
    s.update(Infinity);
    expect(s.result("v")).toMatchObject({ rows: n, mean: (n - 1) / 8 });
    expect(scratch(0).length).toBeLessThanOrEqual(8192);
    expect(scratch(0, 1).length).toBeLessThanOrEqual(8192);
    expect(doubles(0).length).toBeLessThanOrEqual(8192);
    s.dispose();
  });
});
