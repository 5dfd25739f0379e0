// The digits a run's values go through (exactsum.js) give the same exact sum as growing the
// expansion value by value, for doubles of every magnitude and sign, subnormals included.
import { describe, it, expect } from "vitest";
import { addExact, drainDigits, grow, roundExact, toDigits } from "../src/exactsum.js";

/** A deterministic generator (mulberry32). @param {number} seed */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The expansion of xs grown value by value (the reference). @param {number[]} xs */
function expansionOf(xs) {
  const parts = [];
  for (const x of xs) addExact(parts, x);
  return parts;
}

/** The expansion of xs through the digits. @param {number[]} xs */
function throughDigits(xs) {
  let e = new Float64Array(4);
  let len = 0;
  for (const x of xs) toDigits(x);
  drainDigits((x) => {
    if (len === e.length) {
      const bigger = new Float64Array(2 * len);
      bigger.set(e);
      e = bigger;
    }
    len = grow(e, len, x);
  });
  return Array.from(e.subarray(0, len));
}

/** Exact rational value of an expansion, as a BigInt numerator over 2^1074. @param {number[]} parts */
function exactValue(parts) {
  let total = 0n;
  const view = new DataView(new ArrayBuffer(8));
  for (const x of parts) {
    view.setFloat64(0, x);
    const hi = view.getUint32(0);
    const lo = view.getUint32(4);
    const e = (hi >>> 20) & 0x7ff;
    const m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo) | (e === 0 ? 0n : 1n << 52n);
    const v = m << BigInt(e === 0 ? 0 : e - 1);
    total += hi >>> 31 ? -v : v;
  }
  return total;
}

describe("exact sums through digits", () => {
  const rnd = random(7);
  const draws = {
    "fractions near 1": () => rnd() * 2 - 1,
    "every exponent": () => (rnd() < 0.5 ? -1 : 1) * (1 + rnd()) * 2 ** Math.floor(rnd() * 2022 - 1022),
    subnormals: () => (rnd() < 0.5 ? -1 : 1) * Math.floor(rnd() * 2 ** 52) * 2 ** -1074,
    "big and small that cancel": () => (rnd() < 0.5 ? 1e300 : -1e300) * (1 + rnd() * 1e-10) + rnd() * 1e-300,
    "integers past 2^53": () => (rnd() < 0.5 ? -1 : 1) * Math.floor(rnd() * 2 ** 60),
  };
  for (const [name, draw] of Object.entries(draws)) {
    it(`agrees with the expansion grown value by value: ${name}`, () => {
      for (let trial = 0; trial < 20; trial++) {
        const xs = Array.from({ length: 1 + Math.floor(rnd() * 3000) }, draw);
        const want = expansionOf(xs);
        const got = throughDigits(xs);
        expect(exactValue(got)).toBe(exactValue(want));
        expect(roundExact(got)).toBe(roundExact(want));
      }
    });
  }

  it("cancels exactly: what came in and went out leaves nothing", () => {
    const xs = Array.from({ length: 5000 }, draws["every exponent"]);
    const got = throughDigits([...xs, ...xs.map((x) => -x)]);
    expect(got).toEqual([]);
  });

  it("rounds the sum once: 0.1 ten times is exactly 1.0000000000000000555..., shown as 1", () => {
    const got = throughDigits(Array(10).fill(0.1));
    expect(roundExact(got)).toBe(1);
    expect(Array(10).fill(0.1).reduce((a, b) => a + b)).not.toBe(1); // a plain sum is off
  });
});
