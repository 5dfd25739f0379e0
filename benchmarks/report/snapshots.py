"""The section on live snapshots: what keeping a page's snapshot current costs the browser and
the kernel (browser/bench.py measures it)."""

from __future__ import annotations

from benchmarks.report.format import ms, table


def snapshot_section(b: dict) -> str:
    n = b["rows"]
    single_rows = b["single"]["size"]
    every = b.get("snapshot_every_ms", 10_000) / 1000
    rows = []
    for name, label, applied in (
        ("one", f"a {n:,}-row store filled by one message", n),
        ("split", f"a {n:,}-row store filled by {b['diffs']['split_messages']} messages", n),
        ("single", f"a live feed: {single_rows:,} rows, one message each, at the top", single_rows),
    ):
        s = b[name]["snapshot"]
        rows.append(
            [
                f"page builds the snapshot of {label}",
                f"{ms(s['total'])} ms in all, longest step {ms(s['longest'])} ms; "
                f"{s['rows']:,} rows in {s['parts']} part(s), {s['bytes'] / 1024:.0f} KiB",
                f"decode+apply of those {applied:,} rows {ms(b[name]['total'])} ms",
                f"{s['total'] / b[name]['total']:.2f}× decode+apply; "
                f"{s['total'] / (every * 1000):.2%} of the page's time at one per {every:.0f} s",
            ]
        )
    kj = b["kernel_join"]
    for name, label in (
        ("one_part", "1,000 rows in one part"),
        ("row_parts", "1,000 one-row batches in 16 parts (the live feed's)"),
    ):
        k = kj[name]
        rows.append(
            [
                f"kernel joins a page's {label} (`snapshot.from_parts`)",
                f"{ms(k['ms'])} ms → {k['bytes'] / 1024:.0f} KiB snapshot",
                "",
                f"{k['ms'] / (every * 1000):.3%} of the kernel's time at one per {every:.0f} s",
            ]
        )
    return (
        table(["measure", "cost", "reference (same run)", "ratio"], rows)
        + "\n\n"
        + "A page sends its snapshot (the first 1,000 rows, at most 1 MiB: the default caps) once "
        "its stream has been quiet for 1 s, and at most every 10 s while it streams; nothing is "
        "done per diff but restarting a timer. The page builds it in steps of one part (up to 64 "
        "runs of rows from one batch) and yields to the browser every 8 ms, so its longest task "
        "is one step; the kernel's only work is the join. The e2e figures above are taken with "
        "snapshots on (the default)."
    )
