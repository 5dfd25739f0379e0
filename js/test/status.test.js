// What the footer and the skeleton show for each async_state the kernel can send.
import { describe as group, expect, it } from "vitest";
import { compact, describe, duration, IDLE, normalize, rowCount } from "../src/status.js";

const state = (over) => ({ ...IDLE, ...over });
const loading = (over) => state({ status: "loading", loading: true, ...over });

group("rowCount", () => {
  it("groups thousands and agrees in number", () => {
    expect(rowCount(0)).toBe("0 rows");
    expect(rowCount(1)).toBe("1 row");
    expect(rowCount(50)).toBe("50 rows");
    expect(rowCount(1234)).toBe("1,234 rows");
    expect(rowCount(1_000_000)).toBe("1,000,000 rows");
  });
});

group("normalize", () => {
  it("reads a missing trait (older kernel package) as idle", () => {
    expect(normalize(undefined)).toEqual(IDLE);
    expect(normalize(null)).toEqual(IDLE);
    expect(normalize("loading")).toEqual(IDLE);
  });
  it("fills missing keys and rejects malformed values", () => {
    expect(normalize({ status: "loading", loading: true })).toEqual({ ...IDLE, status: "loading", loading: true });
    expect(normalize({ status: "weird", ok: "yes", rows: -3, failed: 42 })).toEqual({ ...IDLE, failed: "42" });
    expect(normalize({ rows: "17" }).rows).toBe(17);
    expect(normalize({ rows: Number.NaN }).rows).toBe(0);
  });
});

group("describe", () => {
  it("idle: the store's row count, no skeleton, no button", () => {
    expect(describe(IDLE, 1234)).toEqual({
      status: "idle",
      skeleton: false,
      text: "1,234 rows",
      title: "",
      failed: false,
      button: null,
    });
    expect(describe(undefined, 0).text).toBe("0 rows");
  });

  it("ok: the store's size, even when the load streamed nothing (an empty result is no error)", () => {
    const d = describe(state({ status: "ok", ok: true, rows: 0 }), 0);
    expect(d).toMatchObject({ status: "ok", skeleton: false, text: "0 rows", failed: false, button: null });
    expect(describe(state({ status: "ok", ok: true, rows: 50 }), 75).text).toBe("75 rows");
  });

  it("first load: skeleton, live count from the kernel and Cancel", () => {
    const d = describe(loading({ rows: 0 }), 0);
    expect(d).toEqual({
      status: "loading",
      skeleton: true,
      text: "Loading… 0 rows loaded",
      title: "",
      failed: false,
      button: "cancel",
    });
    expect(describe(loading({ rows: 1500 }), 900).text).toBe("Loading… 1,500 rows loaded");
  });

  it("reload without reset after a result: rows stay, only the footer says loading", () => {
    const d = describe(loading({ ok: true, rows: 0 }), 50);
    expect(d.skeleton).toBe(false);
    expect(d.text).toBe("Loading… 0 rows loaded");
    expect(d.button).toBe("cancel");
  });

  it("first load without reset over rows streamed before: they stay visible", () => {
    expect(describe(loading({ ok: false, rows: 0 }), 5).skeleton).toBe(false);
    expect(describe(loading({ ok: false, rows: 0 }), 0).skeleton).toBe(true);
  });

  it("reload with reset: the shown rows hide behind the skeleton", () => {
    expect(describe(loading({ ok: true, skeleton: true }), 50).skeleton).toBe(true);
    expect(describe(loading({ ok: false, skeleton: true }), 0).skeleton).toBe(true);
  });

  it("the skeleton gives way as soon as the current load streams rows", () => {
    expect(describe(loading({ rows: 1 }), 1).skeleton).toBe(false);
    expect(describe(loading({ ok: true, skeleton: true, rows: 10 }), 60).skeleton).toBe(false);
    // Announced but not arrived yet: keep the skeleton rather than flash the empty state.
    expect(describe(loading({ rows: 5 }), 0).skeleton).toBe(true);
  });

  it("never a skeleton unless loading", () => {
    for (const status of ["idle", "ok", "failed"]) {
      expect(describe(state({ status, skeleton: true }), 0).skeleton).toBe(false);
    }
  });

  it("failed: the reason as plain text, Retry only when a loader exists", () => {
    const d = describe(state({ status: "failed", failed: "ValueError: boom <b>x</b>", can_retry: true }), 0);
    expect(d).toEqual({
      status: "failed",
      skeleton: false,
      text: "Loading failed: ValueError: boom <b>x</b>",
      title: "Loading failed: ValueError: boom <b>x</b>",
      failed: true,
      button: "retry",
    });
    const noRetry = describe(state({ status: "failed", failed: "cancelled", ok: true }), 20);
    expect(noRetry.text).toBe("Loading failed: cancelled");
    expect(noRetry.button).toBe(null);
    expect(describe(state({ status: "failed" }), 0).text).toBe("Loading failed");
  });

  it("a loading flag wins over a stale failure reason", () => {
    const d = describe(loading({ failed: "old" }), 0);
    expect(d.failed).toBe(false);
    expect(d.button).toBe("cancel");
  });
});

group("progress of a load (stream_from)", () => {
  it("compact rates and durations", () => {
    expect(compact(0.5)).toBe("0.5");
    expect(compact(7)).toBe("7");
    expect(compact(950)).toBe("950");
    expect(compact(8123)).toBe("8.1k");
    expect(compact(812_345)).toBe("812k");
    expect(compact(999_700)).toBe("1M");
    expect(compact(1_234_567)).toBe("1.2M");
    expect(compact(12_345_678)).toBe("12M");
    expect(duration(0.2)).toBe("1 s");
    expect(duration(4.2)).toBe("5 s");
    expect(duration(65)).toBe("1 min 5 s");
    expect(duration(120)).toBe("2 min");
    expect(duration(7380)).toBe("2 h 3 min");
    expect(duration(7200)).toBe("2 h");
  });

  it("total known: rows of total, percent, rate and ETA", () => {
    const d = describe(loading({ rows: 1_234_567, total: 5_000_000, rate: 812_000 }), 10_000);
    expect(d.text).toBe("Loading… 1,234,567 of 5,000,000 rows (24%) · 812k rows/s · ETA 5 s");
    expect(d.button).toBe("cancel");
    // Percent rounds down: 100% only once every row is there.
    expect(describe(loading({ rows: 999, total: 1000 }), 0).text).toBe("Loading… 999 of 1,000 rows (99%)");
  });

  it("total unknown: the count and the rate, no ETA", () => {
    expect(describe(loading({ rows: 1500, rate: 2500.4 }), 1500).text).toBe("Loading… 1,500 rows loaded · 2.5k rows/s");
    expect(describe(loading({ rows: 3, rate: 0.5 }), 3).text).toBe("Loading… 3 rows loaded · 0.5 rows/s");
  });

  it("no rate yet (the first half second), or a rate of 0: neither rate nor ETA", () => {
    expect(describe(loading({ rows: 10, total: 100, rate: null }), 10).text).toBe("Loading… 10 of 100 rows (10%)");
    expect(describe(loading({ rows: 10, total: 100, rate: 0 }), 10).text).toBe("Loading… 10 of 100 rows (10%)");
  });

  it("a total that was wrong (more rows came) or zero falls back to the plain count", () => {
    expect(describe(loading({ rows: 120, total: 100, rate: 50 }), 0).text).toBe("Loading… 120 rows loaded · 50 rows/s");
    expect(describe(loading({ rows: 0, total: 0 }), 0).text).toBe("Loading… 0 rows loaded");
  });

  it("progress=False: a plain Loading… with Cancel, the skeleton lifts with the first rows", () => {
    const d = describe(loading({ progress: false, rows: 0, total: 100, rate: 9 }), 0);
    expect(d.text).toBe("Loading…");
    expect(d.button).toBe("cancel");
    expect(d.skeleton).toBe(true);
    expect(describe(loading({ progress: false, skeleton: true, rows: 5 }), 5).skeleton).toBe(false);
  });

  it("normalize reads the progress fields defensively", () => {
    expect(normalize({ total: 5, rate: 2.5, progress: false })).toMatchObject({ total: 5, rate: 2.5, progress: false });
    expect(normalize({ total: -1, rate: "fast" })).toMatchObject({ total: null, rate: null, progress: true });
    expect(normalize({ total: null, rate: null })).toMatchObject({ total: null, rate: null });
    expect(normalize({ total: 7.9 }).total).toBe(7);
  });

  it("the finished state shows the store's count, whatever the load's total", () => {
    const ok = describe(state({ status: "ok", ok: true, rows: 5_000_000, total: 5_000_000 }), 10_000);
    expect(ok.text).toBe("10,000 rows");
  });
});
