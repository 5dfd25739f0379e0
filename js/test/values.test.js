// Values shown as they are: times in their zone, durations, time of day, float32 digits, NaN
// apart from null, line breaks and bidi controls marked, nested values with their types. The
// display golden case (golden.test.js) checks the same against texts Python computed.
import { describe, expect, it } from "vitest";
import {
  Duration, Field, Float32, Float64, Int64, List, Struct, Time, TimeUnit, Timestamp, Utf8,
} from "apache-arrow";
import { cellTitle, formatCell } from "../src/columns.js";
import { formatValue, lineText } from "../src/format.js";
import { durationText, timestampText, zoneOffset } from "../src/times.js";

const NS = TimeUnit.NANOSECOND;
const paris = new Timestamp(NS, "Europe/Paris");

describe("times", () => {
  const midnightParis = BigInt(Date.UTC(2024, 4, 31, 22)) * 1_000_000n; // 2024-06-01 00:00 +02:00
  it("shows zoned times in their zone with the offset", () => {
    expect(timestampText(midnightParis, paris)).toBe("2024-06-01 00:00:00+02:00");
    expect(timestampText(midnightParis + 1n, paris)).toBe("2024-06-01 00:00:00.000000001+02:00");
    expect(timestampText(0n, new Timestamp(NS, "+05:30"))).toBe("1970-01-01 05:30:00+05:30");
  });
  it("shows UTC, marked, or another zone when the column asks", () => {
    const col = (timezone) => ({ name: "t", type: paris, format: null, timezone });
    expect(formatCell(midnightParis, col("UTC"))).toBe("2024-05-31 22:00:00 UTC");
    expect(formatCell(midnightParis, col("America/New_York"))).toBe("2024-05-31 18:00:00-04:00");
    expect(formatCell(midnightParis, { ...col(null), format: "%d/%m %H:%M" })).toBe("01/06 00:00");
  });
  it("follows daylight saving changes inside an hour's cache", () => {
    const before = Date.UTC(2024, 2, 31, 0, 59); // Paris switches at 01:00 UTC
    expect(zoneOffset("Europe/Paris", before)).toBe(3600);
    expect(zoneOffset("Europe/Paris", before + 60_000)).toBe(7200);
    expect(zoneOffset("Australia/Lord_Howe", Date.UTC(2024, 0, 1))).toBe(11 * 3600);
  });
  it("keeps naive times as they are, whatever the unit", () => {
    expect(timestampText(-1n, new Timestamp(NS))).toBe("1969-12-31 23:59:59.999999999");
    expect(timestampText(1_500n, new Timestamp(TimeUnit.MILLISECOND))).toBe("1970-01-01 00:00:01.500");
  });
  it("shows durations and times of day readably", () => {
    const us = new Duration(TimeUnit.MICROSECOND);
    expect(durationText(93_600_000_000n, us)).toBe("1 day 02:00:00");
    expect(durationText(-1n, new Duration(NS))).toBe("-00:00:00.000000001");
    expect(durationText(3n * 86_400_000_000n + 500_000n, us)).toBe("3 days 00:00:00.500");
    expect(formatValue(3_723_000_500n, new Time(TimeUnit.MICROSECOND, 64))).toBe("01:02:03.000500");
  });
});

describe("other values", () => {
  it("keeps NaN apart from null, and float32 digits short", () => {
    expect(formatValue(Number.NaN, new Float64())).toBe("NaN");
    expect(formatValue(null, new Float64())).toBe(null);
    expect(formatValue(Math.fround(0.1), new Float32())).toBe("0.1");
    expect(cellTitle(0.1 + 0.2, { type: new Float64() })).toBe("0.30000000000000004");
  });
  it("marks line breaks and bidi controls; the tooltip has the text as sent", () => {
    expect(lineText("a\nb\r\nc")).toBe("a ↵ b ↵ c");
    expect(lineText("\u202Etxt.exe")).toBe("⟨U+202E⟩txt.exe");
    expect(cellTitle("a\nb", { type: new Utf8() })).toBe("a\nb");
  });
  it("shows nested values with their children's types", () => {
    const list = new List(new Field("item", new Int64()));
    expect(formatValue([1n, -2n], list)).toBe("[1, -2]");
    const struct = new Struct([new Field("n", new Int64()), new Field("s", new Utf8())]);
    expect(formatValue({ n: 5n, s: 'a"b' }, struct)).toBe('{"n": 5, "s": "a\\"b"}');
  });
});
