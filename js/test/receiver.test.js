import { describe, expect, it } from "vitest";
import { ProtocolError } from "../src/protocol.js";
import { Receiver } from "../src/receiver.js";

function setup() {
  const applied = [];
  const sent = [];
  const events = [];
  const r = new Receiver({
    apply: (content) => applied.push(content.seq),
    send: (m) => sent.push(m),
    notify: (e) => events.push(e),
  });
  const diff = (seq) => r.receive({ kind: "diff", seq }, []);
  return { r, applied, sent, events, diff };
}

describe("Receiver", () => {
  it("applies in order and ignores duplicates", () => {
    const { r, applied, diff } = setup();
    expect([diff(1), diff(2), diff(2), diff(1)]).toEqual(["applied", "applied", "stale", "stale"]);
    expect(applied).toEqual([1, 2]);
    expect(r.first).toBe(1);
  });

  it("holds diffs after a hole, asks once, and applies all in order when resent", () => {
    const { applied, sent, events, diff } = setup();
    diff(1);
    expect(diff(3)).toBe("held");
    expect(diff(4)).toBe("held");
    expect(sent).toEqual([{ kind: "gap", expected: 2, received: 3 }]);
    expect(events).toEqual([{ type: "waiting", count: 1 }]);
    expect(diff(3)).toBe("stale"); // a duplicate of a held diff
    expect(diff(2)).toBe("applied");
    expect(applied).toEqual([1, 2, 3, 4]);
    expect(events.at(-1)).toEqual({ type: "recovered" });
  });

  it("asks again for a later hole", () => {
    const { applied, sent, diff } = setup();
    diff(1);
    diff(3);
    diff(5);
    diff(2);
    expect(applied).toEqual([1, 2, 3]);
    expect(sent).toEqual([
      { kind: "gap", expected: 2, received: 3 },
      { kind: "gap", expected: 4, received: 5 },
    ]);
  });

  it("goes on after diffs the kernel can no longer resend", () => {
    const { r, applied, events, diff } = setup();
    diff(1);
    diff(4);
    r.gone(2, 3);
    expect(applied).toEqual([1, 4]);
    expect(events.at(-1)).toEqual({ type: "lost", count: 2 });
    r.gone(1, 1); // stale report: nothing changes
    expect(r.lost).toBe(2);
  });

  it("starts from the first diff of a front end created after others were sent", () => {
    const { r, applied, sent, diff } = setup();
    expect(diff(7)).toBe("applied");
    expect(applied).toEqual([7]);
    expect(sent).toEqual([]);
    expect(r.first).toBe(7);
    expect(r.welcome(7)).toBe(true);
  });

  it("welcome tells whether diffs were sent before this front end existed", () => {
    const fresh = setup();
    expect(fresh.r.welcome(0)).toBe(false);
    const late = setup();
    expect(late.r.welcome(12)).toBe(true);
    expect(late.diff(13)).toBe("applied");
    const caughtUp = setup();
    caughtUp.diff(1);
    caughtUp.diff(2);
    expect(caughtUp.r.welcome(2)).toBe(false);
  });

  it("takes the diffs the kernel kept for a front end that started late", () => {
    const { r, applied, diff } = setup();
    expect(r.welcome(5, 3)).toBe(false); // diffs 3..5 rebuild the rows (3 starts with a reset)
    expect([diff(3), diff(4), diff(5), diff(6)]).toEqual(["applied", "applied", "applied", "applied"]);
    expect(applied).toEqual([3, 4, 5, 6]);
    const late = setup();
    late.diff(7); // a live diff came first: too late to take the kept ones
    expect(late.r.welcome(7, 1)).toBe(true);
    expect(late.diff(1)).toBe("stale");
  });

    it("rejects a malformed seq", () => {
    const { r } = setup();
    expect(() => r.receive({ seq: "3" }, [])).toThrow(ProtocolError);
    expect(() => r.receive({ seq: 0 }, [])).toThrow(ProtocolError);
  });
});

describe("Receiver with a lossy wire (random)", () => {
  // Deterministic PRNG so a failure reproduces.
  function rng(seed) {
    let s = seed >>> 0;
    return () => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }

  it("applies every diff exactly once and in order, whatever is dropped or duplicated", () => {
    for (let run = 0; run < 2000; run++) {
      const rand = rng(run + 1);
      const n = 1 + Math.floor(rand() * 30);
      const wire = [];
      for (let seq = 1; seq <= n; seq++) wire.push({ seq, resent: false });
      const applied = [];
      const r = new Receiver({
        apply: (content) => applied.push(content.seq),
        // The kernel answers a gap by resending what is missing (in order, marked resent).
        send: (m) => {
          for (let seq = m.expected; seq < m.received; seq++) wire.push({ seq, resent: true });
        },
      });
      let steps = 0;
      while (wire.length && steps++ < 10_000) {
        const msg = wire.shift();
        // Dropped on the way. Never the last (nothing would reveal it; the next update does in
        // real use) nor the first: a new front end cannot tell a lost first diff from one sent
        // before it existed, and hello/welcome handle that case (replay or a notice).
        if (!msg.resent && msg.seq > 1 && msg.seq < n && rand() < 0.25) continue;
        r.receive({ kind: "diff", seq: msg.seq }, []);
        if (rand() < 0.2) r.receive({ kind: "diff", seq: msg.seq }, []); // duplicated
      }
      expect(applied).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    }
  });
});
