// The view's pure logic: where the viewport goes when rows change (follow the tail, keep the
// anchor row, stay at the top of a feed), the "new rows" count, edge-event throttling,
// selection rules, values sent to Python, and column formats.
import { describe, it, expect } from "vitest";
import { Timestamp, TimeUnit, Int32, Float64, Utf8 } from "apache-arrow";
import { Follow, EdgeThrottle } from "../src/follow.js";
import { select, jsonValue } from "../src/events.js";
import { formatCell, layoutColumns, strftime } from "../src/columns.js";

// A list of dom ids standing in for the displayed order; the viewport shows `rows` rows.
function screen(ids, position, rows = 10) {
  const size = ids.length;
  return {
    position,
    size,
    idAt: (i) => ids[i],
    atTop: position <= 0,
    atEnd: position + rows >= size,
    follow: true,
  };
}
const indexIn = (ids) => (id) => ids.indexOf(id);
const range = (a, b) => Array.from({ length: b - a }, (_, i) => `r${a + i}`);

describe("Follow", () => {
  it("follows the tail while at the end, even as rows fall off the top", () => {
    const f = new Follow();
    let ids = range(0, 100);
    f.record(screen(ids, 90));
    ids = range(20, 130); // 30 appended, 20 pruned at the top
    expect(f.target({ indexOf: indexIn(ids), size: ids.length })).toBe(Infinity);
    expect(f.newRows({ size: ids.length, indexOf: indexIn(ids) })).toBe(0);
  });

  it("does not jump to the end of a page asked for at the bottom (infinite scroll)", () => {
    const f = new Follow();
    let ids = range(0, 100);
    f.record(screen(ids, 90)); // at the end: following
    ids = range(50, 150);
    expect(f.target({ indexOf: indexIn(ids), size: ids.length, loadingBelow: true })).toBe(40);
  });

  it("keeps the anchor row on screen when rows come and go above it", () => {
    const f = new Follow();
    let ids = range(0, 100);
    f.record(screen(ids, 40.5)); // reading r40, half a row scrolled out
    ids = range(25, 160); // infinite scroll forward: 25 pruned above, 60 appended below
    expect(f.target({ indexOf: indexIn(ids), size: ids.length })).toBe(15.5);
    expect(f.newRows({ size: ids.length, indexOf: indexIn(ids) })).toBe(60);
    ids = ["x1", "x2", ...ids]; // prepended above
    expect(f.target({ indexOf: indexIn(ids), size: ids.length })).toBe(17.5);
  });

  it("stays put when the anchor row is gone", () => {
    const f = new Follow();
    const ids = range(0, 100);
    f.record(screen(ids, 40));
    expect(f.target({ indexOf: indexIn(range(50, 100)), size: 50 })).toBe(null);
  });

  it("stays at the top of a newest-first feed, but anchors on a page asked for above", () => {
    const f = new Follow();
    let ids = range(0, 50);
    f.record(screen(ids, 0));
    ids = ["new", ...ids];
    expect(f.target({ indexOf: indexIn(ids), size: ids.length })).toBe(0);
    expect(f.target({ indexOf: indexIn(ids), size: ids.length, loadingAbove: true })).toBe(1);
  });

  it("a table that fits follows appends (a log tail) and not prepends", () => {
    const f = new Follow();
    const few = range(0, 5);
    f.record(screen(few, 0));
    expect(f.fits).toBe(true);
    const appended = range(0, 40);
    expect(f.target({ indexOf: indexIn(appended), size: 40 })).toBe(Infinity);
    const prepended = [...range(100, 135), ...few];
    expect(f.target({ indexOf: indexIn(prepended), size: 40 })).toBe(0);
    expect(f.target({ indexOf: indexIn(appended), size: 40, follow: false })).toBe(0);
  });

  it("counts rows appended after the user left the end, until they jump back", () => {
    const f = new Follow();
    let ids = range(0, 100);
    f.record(screen(ids, 90)); // at the end
    f.record(screen(ids, 10)); // scrolled away
    ids = range(0, 107);
    expect(f.newRows({ size: ids.length, indexOf: indexIn(ids) })).toBe(7);
    f.record(screen(ids, 10));
    ids = range(0, 110);
    expect(f.newRows({ size: ids.length, indexOf: indexIn(ids) })).toBe(10);
    f.jumpToEnd();
    expect(f.target({ indexOf: indexIn(ids), size: ids.length })).toBe(Infinity);
    expect(f.newRows({ size: ids.length, indexOf: indexIn(ids) })).toBe(0);
  });
});

describe("EdgeThrottle", () => {
  it("fires once per edge row, at most every 500 ms, again for the same row only after a scroll", () => {
    let now = 0;
    const t = new EdgeThrottle(500, () => now);
    expect(t.shouldFire("bottom", "r9", false)).toBe(true);
    expect(t.shouldFire("bottom", "r9", false)).toBe(false); // same row, no scroll
    now = 100;
    expect(t.shouldFire("bottom", "r19", false)).toBe(400); // new row: wait out the throttle
    now = 500;
    expect(t.shouldFire("bottom", "r19", false)).toBe(true);
    now = 2000;
    expect(t.shouldFire("bottom", "r19", false)).toBe(false);
    expect(t.shouldFire("bottom", "r19", true)).toBe(true);
    expect(t.shouldFire("top", "r0", false)).toBe(true); // edges are independent
    expect(t.shouldFire("top", null, true)).toBe(false);
  });
});

describe("select", () => {
  const order = range(0, 10);
  const between = (a, b) => {
    let [i, j] = [order.indexOf(a), order.indexOf(b)];
    if (i > j) [i, j] = [j, i];
    return order.slice(i, j + 1);
  };
  it("click selects one row; ctrl/cmd toggles; shift selects a range from the anchor", () => {
    expect(select(["r1"], "r3")).toEqual(["r3"]);
    expect(select(["r1"], "r3", { toggle: true })).toEqual(["r1", "r3"]);
    expect(select(["r1", "r3"], "r3", { toggle: true })).toEqual(["r1"]);
    expect(select(["r5"], "r2", { shift: true, anchor: "r5" }, "multiple", between)).toEqual(["r2", "r3", "r4", "r5"]);
    expect(select(["r8"], "r2", { shift: true, toggle: true, anchor: "r3" }, "multiple", between)).toEqual(["r8", "r2", "r3"]);
  });
  it("honours single and none", () => {
    expect(select(["r1"], "r3", { toggle: true }, "single")).toEqual(["r3"]);
    expect(select(["r3"], "r3", { toggle: true }, "single")).toEqual([]);
    expect(select(["r1"], "r3", { shift: true, anchor: "r1" }, "single", between)).toEqual(["r3"]);
    expect(select(["r1"], "r3", {}, "none")).toEqual([]);
  });
});

describe("jsonValue", () => {
  const ts = new Timestamp(TimeUnit.MILLISECOND);
  it("sends plain JSON, times as ISO text, big integers as text", () => {
    expect(jsonValue(1.5, new Float64())).toBe(1.5);
    expect(jsonValue(Number.NaN, new Float64())).toBe("NaN");
    expect(jsonValue(12n)).toBe(12);
    expect(jsonValue(2n ** 60n)).toBe("1152921504606846976");
    expect(jsonValue(Date.UTC(2024, 0, 2, 3, 4, 5), ts)).toBe("2024-01-02T03:04:05.000Z");
    expect(jsonValue("<b>x</b>", new Utf8())).toBe("<b>x</b>");
    expect(jsonValue(null)).toBe(null);
  });
});

describe("columns", () => {
  const types = { id: new Int32(), price: new Float64(), at: new Timestamp(TimeUnit.MILLISECOND), name: new Utf8() };
  it("orders, labels, aligns and hides columns from the options", () => {
    const cols = layoutColumns(["id", "price", "name", "at"], { price: { label: "Price", align: "center" }, name: { hidden: true } }, (c) => types[c]);
    expect(cols.map((c) => [c.name, c.label, c.align])).toEqual([
      ["id", "id", "right"],
      ["price", "Price", "center"],
      ["at", "at", "left"],
    ]);
  });
  it("formats numbers and times as Python format specs do", () => {
    const col = (format, type = types.price) => ({ format, type });
    expect(formatCell(1234567.891, col(",.2f"))).toBe("1,234,567.89");
    expect(formatCell(-1234.5, col(",.0f"))).toBe("-1,235");
    expect(formatCell(0.1234, col(".1%"))).toBe("12.3%");
    expect(formatCell(1234, col("d", types.id))).toBe("1234");
    expect(formatCell(12345678901234567890n, col(",d", types.id))).toBe("12,345,678,901,234,567,890");
    expect(formatCell(1500, col(".2e"))).toBe("1.50e+03");
    expect(formatCell(null, col(",.2f"))).toBe(null);
    const t = Date.UTC(2024, 2, 1, 9, 5, 7, 250);
    expect(formatCell(t, col("%Y-%m-%d %H:%M:%S", types.at))).toBe("2024-03-01 09:05:07");
    expect(strftime(t, "%a %d %b %y %I:%M %p %f %j %%")).toBe("Fri 01 Mar 24 09:05 AM 250000 061 %");
    expect(formatCell("text", col(",.2f", types.name))).toBe("text");
  });
});
