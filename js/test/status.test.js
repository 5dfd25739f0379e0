// What the footer and the skeleton show for each async_state the kernel can send.
import { describe as group, expect, it } from "vitest";
import { describe, IDLE, normalize, rowCount } from "../src/status.js";

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
    expect(describe(loading({ ok: true, reset: true }), 50).skeleton).toBe(true);
    expect(describe(loading({ ok: false, reset: true }), 0).skeleton).toBe(true);
  });

  it("the skeleton gives way as soon as the current load streams rows", () => {
    expect(describe(loading({ rows: 1 }), 1).skeleton).toBe(false);
    expect(describe(loading({ ok: true, reset: true, rows: 10 }), 60).skeleton).toBe(false);
    // Announced but not arrived yet: keep the skeleton rather than flash the empty state.
    expect(describe(loading({ rows: 5 }), 0).skeleton).toBe(true);
  });

  it("never a skeleton unless loading", () => {
    for (const status of ["idle", "ok", "failed"]) {
      expect(describe(state({ status, reset: true }), 0).skeleton).toBe(false);
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
