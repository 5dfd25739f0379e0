"""The kernel-side sections of docs/performance.md: livestream-widget and its peers at every
batch size, and livestream-widget against the raw floor in detail (kernel/bench.py)."""

from __future__ import annotations

from benchmarks.kernel.bench import DIAGNOSTICS, FLOOR, LSW, PEER_PLAN
from benchmarks.report.format import MiB, mib, rate, table
from benchmarks.report.targets import find
from livestream_widget.outbox import EARLY_BUDGET


def kernel_section(k: dict) -> str:
    floor = k[FLOOR]
    rows = []
    for name, r in k.items():
        diag = name in DIAGNOSTICS
        rows.append(
            [
                f"*{name}*" if diag else name,
                rate(r["rows_per_s"]),
                f"{r['rows_per_s'] / floor['rows_per_s']:.2f}×",
                f"{r['seconds']:.2f}",
                f"{r['kernel_cpu_seconds']:.2f}",
                f"{floor['kernel_cpu_seconds'] / r['kernel_cpu_seconds']:.2f}×",
                f"{r['iopub_messages']:,}",
                mib(r["iopub_bytes"]),
                mib(r["rss_kept"]),
                f"{(r['rss_kept'] - floor['rss_kept']) / MiB:+,.1f}",
                mib(r["rss_kept_settled"]),
                mib(r["arrow_kept"]),
                f"{r['lost_messages']}",
            ]
        )
    runs = "\n".join(
        f"- {name}: rows/s "
        + " / ".join(rate(x) for x in r["rows_per_s_all"])
        + "; kernel CPU s "
        + " / ".join(f"{x:.2f}" for x in r["kernel_cpu_seconds_all"])
        + "; RSS kept MiB "
        + " / ".join(mib(x) for x in r["rss_kept_all"])
        + " (caches released "
        + " / ".join(mib(x) for x in r["rss_kept_settled_all"])
        + ")"
        for name, r in k.items()
    )
    lsw = k.get("livestream-widget")
    notes = []
    if lsw:
        notes.append(
            f"- What the widget still holds after the run: the last diffs, "
            f"{mib(lsw.get('outbox_kept', 0))} MiB, kept for the first front end within the "
            f"early budget ({EARLY_BUDGET // MiB} MiB, `livestream_widget/outbox.py`: these "
            "kernels have none, so none said hello), in pages of their own "
            "(`livestream_widget/memory.py`); Arrow memory still allocated: "
            f"{mib(lsw['arrow_kept'])} MiB (`pyarrow.total_allocated_bytes()` delta). "
            f"RSS kept is {mib(lsw['rss_kept'])} MiB right after `gc.collect()` and "
            f"{mib(lsw['rss_kept_settled'])} MiB once allocator caches are handed back "
            f"(`pyarrow.default_memory_pool().release_unused()` + `malloc_trim(0)`): "
            f"{mib(lsw['rss_kept'] - lsw['rss_kept_settled'])} MiB of it is freed memory that "
            f"Arrow's `{lsw['arrow_pool']}` pool and glibc keep cached. The widget hands Arrow's "
            "caches back itself once a burst is over, on each thread that encoded or read rows."
        )
        notes.append(
            f"- Kept memory is noisy for every contender: over its runs the floor kept "
            f"{mib(min(floor['rss_kept_all']))}–{mib(max(floor['rss_kept_all']))} MiB (a backlog "
            f"of its {floor['data_messages']:,} small messages in ZMQ's queue leaves glibc arenas "
            f"behind), `livestream-widget` {mib(min(lsw['rss_kept_all']))}–"
            f"{mib(max(lsw['rss_kept_all']))} MiB. With caches released (medians): "
            f"{mib(lsw['rss_kept_settled'])} MiB vs the floor's {mib(floor['rss_kept_settled'])} "
            f"MiB ({(lsw['rss_kept_settled'] - floor['rss_kept_settled']) / MiB:+.1f} MiB)."
        )
        notes.append(
            f"- Messages: the widget coalesces {lsw['rows']:,} rows into "
            f"{lsw['data_messages']} `diff` messages (~4 MiB each: the size-triggered flush) "
            "where the floor sends "
            f"{floor['data_messages']:,}; bytes on IOPub are "
            f"{lsw['iopub_bytes'] / floor['iopub_bytes']:.2f}× the floor's "
            "(dom ids and Arrow framing)."
        )
    return (
        table(
            [
                "contender",
                "rows/s",
                "× floor",
                "seconds",
                "kernel CPU s",
                "rows/CPU-s × floor",
                "IOPub msgs",
                "IOPub MiB",
                "RSS kept MiB (median)",
                "vs floor MiB",
                "RSS kept, caches released MiB (median)",
                "Arrow kept MiB",
                "lost msgs",
            ],
            rows,
        )
        + "\n\n"
        + "rows/s is the fastest run, kernel CPU the least, memory the median run. "
        + "Every run, in order:\n\n"
        + runs
        + "\n\n"
        + "\n".join(notes)
    )


def _ratio(a: float, b: float, floor: float = 0.0) -> str:
    return f"{a / b:,.2f}×" if b > floor else "—"


def peers_section(matrix: list[dict], rows: int) -> str:
    """Every kernel case by batch size: each row's ratios against livestream-widget measured at
    the same batch size and row count."""
    parts = []
    for batch in (1000, 1):
        cases = [r for r in matrix if r["batch"] == batch]
        if not cases:
            continue
        out = []
        for n in sorted({r["rows"] for r in cases}, reverse=True):
            lsw = find(matrix, LSW, batch, n)
            group = [r for r in cases if r["rows"] == n]

            def order(r: dict) -> tuple:
                c = r["contender"]
                kind = (
                    0
                    if c == LSW
                    else 1
                    if c.startswith(LSW)
                    else 2
                    if c == FLOOR
                    else 3
                    if c in DIAGNOSTICS
                    else 4
                )
                return kind, -r["rows_per_s"]

            group.sort(key=order)
            for r in group:
                diag = r["contender"] in DIAGNOSTICS
                name = f"*{r['contender']}*" if diag else r["contender"]
                if r["contender"] == LSW:
                    name = f"**{name}**"
                out.append(
                    [
                        name,
                        f"{n:,}",
                        str(r["runs"]),
                        rate(r["rows_per_s"]),
                        _ratio(lsw["rows_per_s"], r["rows_per_s"]) if lsw else "—",
                        mib(r["rss_kept"]),
                        _ratio(r["rss_kept"], lsw["rss_kept"], MiB) if lsw else "—",
                        mib(r["iopub_bytes"]),
                        _ratio(r["iopub_bytes"], lsw["iopub_bytes"]) if lsw else "—",
                        f"{r['iopub_messages']:,}",
                    ]
                )
        label = (
            "batches of 1,000 rows (pandas DataFrames)"
            if batch == 1000
            else "batches of 1 row (one dict per call)"
        )
        parts.append(f"### {label}\n")
        parts.append(
            table(
                [
                    "contender",
                    "rows",
                    "best of",
                    "rows/s",
                    "livestream-widget × (rows/s)",
                    "RSS kept MiB (median)",
                    "÷ livestream-widget",
                    "IOPub MiB",
                    "÷ livestream-widget",
                    "IOPub msgs",
                ],
                out,
            )
        )
        parts.append("")
    caps = []
    for batch, entries in PEER_PLAN.items():
        for name, _cap, runs in entries:
            got = [r for r in matrix if r["contender"] == name and r["batch"] == batch]
            if got and (got[0]["rows"] < rows or runs == 1):
                caps.append(
                    f"`{name}` at batch {batch:,}: {got[0]['rows']:,} rows, best of "
                    f"{got[0]['runs']}"
                )
    notes = [
        "\"livestream-widget ×\" is livestream-widget's rows/s divided by that row's, both "
        "measured with the same batches and row count (so > 1 means livestream-widget is "
        'faster); the two "÷ livestream-widget" columns divide that row\'s kept memory and '
        "IOPub bytes by livestream-widget's (— where livestream-widget kept < 1 MiB).",
        "Capped (quadratic or milliseconds per row, to keep a full run within minutes; "
        "livestream-widget and the floor are measured again at the same row count): "
        + "; ".join(caps)
        + ". Rollover/limit variants are not run with batches of 1: at ≤ 10,000 rows they never "
        "roll over.",
        "Perspective sends nothing on IOPub here: its rows stay in the kernel's Perspective "
        "table, and a browser viewer pulls the rows it shows when it is connected (none is), "
        "so its rows/s is the table update alone, an upper bound for Perspective in a notebook.",
        "Panel's Tabulator switches itself to remote pagination above 10,000 rows (Panel's "
        "default), after which each `stream` sends only the visible page; the kernel still "
        "keeps and re-concatenates every row (so it is quadratic). With `rollover=10_000` it "
        "stays under that size, so every batch's rows are sent.",
    ]
    return "\n".join(parts) + "\n" + "\n".join(f"- {n}" for n in notes)
