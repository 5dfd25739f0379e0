import { describe, expect, it } from "vitest";
import { Bool, DateDay, Float64, Int32, Int64, TimeUnit, Timestamp, Utf8 } from "apache-arrow";
import { floatDecimals, formatValue, isNumeric } from "../src/format.js";

describe("formatValue", () => {
  it("marks missing values as null", () => {
    expect(formatValue(null, new Utf8())).toBe(null);
    expect(formatValue(undefined, new Float64())).toBe(null);
  });
  it("formats numbers by type", () => {
    expect(formatValue(12345678901234567890n, new Int64())).toBe("12345678901234567890");
    expect(formatValue(-7, new Int32())).toBe("-7");
    expect(formatValue(0.1 + 0.2, new Float64())).toBe("0.3");
    expect(formatValue(1.5, new Float64(), 3)).toBe("1.500");
    expect(formatValue(1e-9, new Float64())).toBe("1.0000e-9");
    expect(formatValue(Number.NaN, new Float64())).toBe("NaN");
    expect(formatValue(-Infinity, new Float64())).toBe("-inf");
  });
  it("formats datetimes and dates in UTC", () => {
    const ms = Date.UTC(2024, 0, 2, 3, 4, 5, 123);
    expect(formatValue(ms, new Timestamp(TimeUnit.MICROSECOND))).toBe("2024-01-02 03:04:05.123");
    expect(formatValue(Date.UTC(2024, 0, 2, 3, 4, 5), new Timestamp(TimeUnit.SECOND))).toBe("2024-01-02 03:04:05");
    expect(formatValue(Date.UTC(2024, 1, 29), new DateDay())).toBe("2024-02-29");
  });
  it("keeps markup as plain text and renders other values readably", () => {
    expect(formatValue("<img src=x onerror=alert(1)>", new Utf8())).toBe("<img src=x onerror=alert(1)>");
    expect(formatValue(true, new Bool())).toBe("true");
    expect(formatValue(new Uint8Array(3), undefined)).toBe("<3 bytes>");
    expect(formatValue({ a: 1n, b: [1, 2] }, undefined)).toBe('{"a":"1","b":[1,2]}');
  });
});

describe("column helpers", () => {
  it("picks decimals that show every sampled value", () => {
    expect(floatDecimals([100, 111.3, 137.13])).toBe(2);
    expect(floatDecimals([1, 2])).toBe(1);
    expect(floatDecimals([1 / 3, null, Number.NaN])).toBe(6);
  });
  it("right-aligns numbers only", () => {
    expect(isNumeric(new Float64())).toBe(true);
    expect(isNumeric(new Int64())).toBe(true);
    expect(isNumeric(new Utf8())).toBe(false);
    expect(isNumeric(undefined)).toBe(false);
  });
});
