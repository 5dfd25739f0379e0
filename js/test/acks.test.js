// @ts-check
import { describe, it, expect, vi, afterEach } from "vitest";
import { Acks, ACK_EVERY } from "../src/acks.js";

afterEach(() => {
  vi.useRealTimers();
});

/** @param {{ hidden?: boolean }} [options] */
function setup({ hidden = false } = {}) {
  vi.useFakeTimers();
  /** @type {[number, number][]} [time, seq] of each ack sent */
  const sent = [];
  const acks = new Acks((seq) => sent.push([Date.now(), seq]), { now: () => Date.now(), hidden: () => hidden });
  return { acks, sent };
}

describe("acknowledgements", () => {
  it("acknowledges a diff after a pause at once", () => {
    const { acks, sent } = setup();
    const t0 = Date.now();
    acks.applied(1);
    expect(sent).toEqual([[t0, 1]]);
    vi.advanceTimersByTime(5 * ACK_EVERY);
    acks.applied(2);
    expect(sent).toEqual([[t0, 1], [t0 + 5 * ACK_EVERY, 2]]);
  });

  it("coalesces a burst: one ack per interval, the newest seq, and the last when diffs stop", () => {
    const { acks, sent } = setup();
    const t0 = Date.now();
    for (let seq = 1; seq <= 30; seq++) {
      acks.applied(seq);
      vi.advanceTimersByTime(10); // a diff every 10 ms for 300 ms
    }
    vi.advanceTimersByTime(ACK_EVERY);
    expect(sent.map(([, seq]) => seq)).toEqual([1, 10, 20, 30]);
    // never two acks closer than the interval, and the last within one interval of the last diff
    for (let i = 1; i < sent.length; i++) expect(sent[i][0] - sent[i - 1][0]).toBeGreaterThanOrEqual(ACK_EVERY);
    expect(sent.at(-1)?.[0]).toBeLessThanOrEqual(t0 + 290 + ACK_EVERY);
    expect(vi.getTimerCount()).toBe(0); // nothing left pending
  });

  it("acknowledges every diff at once in a hidden page (its timers are throttled)", () => {
    const { acks, sent } = setup({ hidden: true });
    for (let seq = 1; seq <= 5; seq++) acks.applied(seq);
    expect(sent.map(([, seq]) => seq)).toEqual([1, 2, 3, 4, 5]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("flush sends what is pending, once", () => {
    const { acks, sent } = setup();
    acks.applied(1);
    acks.applied(2);
    acks.flush();
    acks.flush();
    expect(sent.map(([, seq]) => seq)).toEqual([1, 2]);
    vi.advanceTimersByTime(ACK_EVERY);
    expect(sent.length).toBe(2);
  });
});
