"""The section on column summaries: what keeping them current costs a page under a stream
(browser/bench.py measures it with browser/summaries.js)."""

from __future__ import annotations

from benchmarks.report.format import ms, table

#: The target: the summaries' work per frame with 1M rows held and 100k rows/s streaming.
TARGET_MS = 2.0
FRAME_MS = 1000 / 60


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))] if s else float("nan")


def summaries_section(b: dict) -> str:
    s = b.get("summaries")
    if not s:
        return "Not measured in this run."
    per = s["perFrame"]
    rate = per * 60
    rows = []
    for key, label in (
        ("row", "summaries per frame: apply the frame's changes, redraw the summary row"),
        ("engine", "of which applying the changes (summaries.js)"),
        ("draw", "of which the redraws (at most one per 200 ms while rows stream in)"),
        ("inserts", f"reference: the store's insert of the frame's {per:,} rows"),
    ):
        v = s.get(key)
        if not v:
            continue
        p50, p95 = percentile(v, 50), percentile(v, 95)
        ratio = (
            f"{p50 / percentile(s['inserts'], 50):.2f}× the insert (median)"
            if key != "inserts"
            else ""
        )
        if key == "draw":
            rows.append(
                [
                    label,
                    f"{ms(p50)} / {ms(p95)} / {ms(max(v))}",
                    f"{len(v)} redraws in {len(s['row'])} frames",
                    "",
                ]
            )
            continue
        verdict = (
            f"; target ≤ {TARGET_MS:g} ms: median {'✅' if p50 <= TARGET_MS else '❌'}, "
            f"p95 {'✅' if p95 <= TARGET_MS else '❌'}"
            if key == "row"
            else ""
        )
        rows.append(
            [
                label,
                f"{ms(p50)} / {ms(p95)} / {ms(max(v))}",
                ratio,
                f"{p50 / FRAME_MS:.1%} of a 60 Hz frame (median){verdict}",
            ]
        )
    rows.append(
        [
            f"first full recompute over {s['size']:,} rows (in 4 ms slices)",
            f"{ms(s['first'])} ms over {s['firstFrames']} frames",
            "",
            "summaries pending meanwhile",
        ]
    )
    return (
        table(["measure", "median / p95 / max ms", "ratio", "share of the frame"], rows)
        + "\n\n"
        + f"A view over the {s['size']:,}-row store while {per:,} new rows are appended per frame "
        f"with a limit that prunes as many old ones ({rate:,} rows/s at 60 frames/s), for "
        f"{len(s['row'])} frames; the benchmark columns: int64 `id`, `ts`, float `price`, int32 "
        "`qty` (sparklines and min / mean / max), `sym` (500 symbols: top values), `note` (free "
        "text: past 100,000 distinct values only nulls are counted). Timed with "
        "`performance.now()` (0.1 ms resolution in a page that is not cross-origin isolated). "
        "The statistics follow every frame; the summary row is redrawn at once after a quiet "
        "spell or a change of sort, filter or columns, and at most every 200 ms while rows stream "
        "in, so a frame with a redraw costs the engine's share plus the redraw's."
    )
