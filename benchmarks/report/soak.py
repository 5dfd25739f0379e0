"""The soak's section of docs/performance.md, and its plot (benchmarks/lab/soak.py)."""

from __future__ import annotations

import pathlib

from benchmarks.report.format import MiB, mark, rate, table

SERIES = [
    ("kernel_rss", "kernel RSS", "rows produced"),
    ("heap_used", "page JS heap (V8, after a forced GC)", "rows the page held"),
    (
        "heap_backing",
        "page ArrayBuffers (the Arrow data, outside the V8 heap)",
        "rows the page held",
    ),
    ("server_rss", "Jupyter server RSS", "rows produced"),
]


def _slope(v: float | None, unit: str) -> str:
    return f"— {unit} (too few samples)" if v is None else f"{v:+,.2f} {unit}"


def soak_section(soak: dict) -> str:
    n, sent = soak["rows"], soak["sent"]
    unsent = soak["unsent_bytes_per_row"] * n
    fid = soak["final_ids"]
    rows = [
        [
            "rows streamed",
            f"{n:,} as {soak['batch']:,}-row DataFrames, `w.stream(df, limit={soak['limit']:_})` "
            "each, from one running cell",
        ],
        [
            "duration, rows/s",
            f"{soak['seconds']:.1f} s from the first call until the last row was in the page: "
            f"{rate(soak['rows_per_s'])} rows/s (the kernel's loop alone "
            f"{soak['kernel_loop_seconds']:.1f} s, {rate(n / soak['kernel_loop_seconds'])} rows/s)",
        ],
        [
            "sent over the wire (compaction)",
            f"{sent['rows']:,} rows ({sent['rows'] / n:.0%} of {n:,}) in {sent['messages']} diffs "
            f"({sent['resets']} of them a reset + the surviving tail), "
            f"{sent['bytes'] / MiB:,.0f} MiB vs {unsent / MiB:,.0f} MiB if every row were sent "
            f"({soak['unsent_bytes_per_row']:.0f} B/row); {sent['resent']} resent, "
            f"{sent['lost']} lost",
        ],
    ]
    if "paced" in sent:
        rows.append(
            [
                "backpressure in the busy cell",
                (
                    "the page's acknowledgements reached the running cell (a kernel subshell "
                    "read them), so its loop waited for the page"
                    if sent["paced"]
                    else "no acknowledgement reached the running cell, so its loop ran ahead "
                    "of the page"
                )
                + f"; {sent['overflowed']} diffs dropped past the resend budget before the "
                "page acknowledged them",
            ]
        )
    for key, label, per in SERIES:
        st = soak[key]
        rows.append(
            [
                label,
                f"slope {_slope(st['mib_per_million_rows'], 'MiB per million rows')}; "
                f"{_slope(st['mib_per_min'], 'MiB/min')} fitted over {st['seconds']:.1f} s "
                f"({st['samples']} samples while the {per} grew); range after warm-up "
                f"{st['warm_min']:,.1f}–{st['warm_max']:,.1f} MiB "
                f"(max − min {st['warm_max'] - st['warm_min']:,.1f}); whole run "
                f"{st['min']:,.1f}–{st['max']:,.1f}; before the run {st['before']:,.1f}, "
                f"{soak['settle_s']:g} s after it {st['last']:,.1f} MiB",
            ]
        )
    rows += [
        [
            "samples",
            f"{sum(x['phase'] == 'run' for x in soak['samples'])} during the run, every "
            f"~{soak['sample_every']:g} s; slopes are least-squares fits after the warm-up (the "
            f"first {soak['warmup']:.0%} of the rows produced) while the series' rows grew. "
            "Over a run this short a MiB/min slope extrapolates seconds of allocator noise "
            "(the kernel's RSS moves ±10 MiB as Arrow and glibc reuse freed buffers); per "
            "million rows and the range after warm-up are the figures to read",
        ],
        [
            f"final {fid['count']:,} dom ids in the browser's store",
            f"{mark(fid['ok'])} {fid['first']} … {fid['last']}"
            + (
                ", exactly the last 10,000 sent, in order"
                if fid["ok"]
                else f"; expected items-{n - 10_000} … items-{n - 1}: first mismatch "
                f"{fid['first_mismatch']}"
            ),
        ],
    ]
    notes = []
    if soak.get("unpaced"):
        notes.append(backpressure_section(soak, soak["unpaced"]))
    if soak.get("stalled"):
        st = soak["stalled"]
        notes.append(
            f"- **The page stopped receiving** (no progress for {st['after_s']} s, cell finished: "
            f"{st['cell_done']}): page notices {st['notices']}; kernel delivery state "
            f"{st.get('kernel')}."
        )
    if soak.get("page_errors"):
        notes.append(f"- Page errors: {soak['page_errors'][:3]}")
    return (
        table(["measure", "value"], rows)
        + ("\n\n" + "\n".join(notes) if notes else "")
        + f"\n\n![Soak: memory over time]({soak.get('image', '')})"
    )


def _backlog(soak: dict) -> list[str]:
    """The figures that tell a paced run from one that outran the page."""
    server, s = soak["server_rss"], soak["samples"]
    behind = max((x["produced"] - x["delivered"] for x in s), default=0)
    sent = soak["sent"]
    return [
        _slope(server["mib_per_million_rows"], "MiB"),
        f"+{server['max'] - server['before']:,.0f} MiB",
        f"{behind:,} rows",
        f"{soak['kernel_loop_seconds']:.1f} / {soak['seconds']:.1f} s",
        str(sent.get("overflowed", "—")),
        mark(soak["final_ids"]["ok"]),
    ]


def backpressure_section(paced: dict, unpaced: dict) -> str:
    """The soak run twice: JupyterLab's defaults (acknowledgements read on a kernel subshell
    while the cell runs) and `commsOverSubshells` disabled (read once the cell ends)."""
    head = [
        "JupyterLab's `commsOverSubshells`",
        "Jupyter server RSS per million rows produced",
        "server peak above its start",
        "page behind the kernel, at most",
        "kernel loop / until the last row was in the page",
        "diffs dropped unacknowledged",
        "last 10,000 ids",
    ]
    rows = [
        ["JupyterLab's default", *_backlog(paced)],
        [f"`{unpaced['comms_over_subshells']}`", *_backlog(unpaced)],
    ]
    return (
        "### Backpressure inside a busy cell\n\n"
        "The same soak run twice. With JupyterLab's defaults (and Notebook 7's) the page sends "
        "the widget's acknowledgements on a kernel subshell (ipykernel >= 7), which reads them "
        "while the cell runs, and the widget routes them there (`livestream_widget/subshells.py`: "
        "ipykernel would send them to the busy main shell), so the loop waits for the page. "
        "With the setting `disabled` they arrive once the cell ends, as on hosts without "
        "subshells (Voilà, marimo; see [hosts.md](hosts.md)): the loop runs ahead, the kernel "
        "keeps its resend budget, and what the page has not taken yet waits in the Jupyter "
        "server.\n\n" + table(head, rows)
    )


def soak_findings(soak: dict) -> list[str]:
    """Paragraphs for the findings section: what the soak shows beyond its table."""
    out = []
    n, s = soak["rows"], soak["samples"]
    if not soak["final_ids"]["ok"] or soak.get("stalled"):
        out.append(
            f"**Soak: the browser did not end with the last 10,000 ids** ({soak['final_ids']}"
            + (f"; the page stopped receiving: {soak['stalled']}" if soak.get("stalled") else "")
            + ")."
        )
    server = soak["server_rss"]
    done = next((x for x in s if x["produced"] >= n), None)
    if server["max"] - server["before"] > 50 and done and not soak["sent"].get("paced"):
        out.append(
            f"**Soak: the backlog waits in the Jupyter server.** The kernel had produced all "
            f"{n:,} rows {done['t']:.0f} s into the run, when the page held rows up to "
            f"{done['delivered']:,}; it took until {soak['seconds']:.0f} s to catch up. Meanwhile "
            f"the Jupyter server's RSS went from {server['before']:,.0f} to {server['max']:,.0f} "
            f"MiB ({server['last']:,.0f} MiB after the run). A loop in a running cell gets no "
            "acknowledgement (they came on the main shell, read once the cell ends: no kernel "
            "subshell, or JupyterLab's `commsOverSubshells` off), so nothing slows it "
            "to the page's pace: the kernel keeps at most its resend budget (its RSS stays "
            f"{soak['kernel_rss']['warm_min']:,.0f}–{soak['kernel_rss']['warm_max']:,.0f} MiB), "
            "and the diffs the page has not yet taken queue in the server (its websocket "
            "writes) instead, growing for as long as the producer outpaces the page."
        )
    return out


def soak_plot(soak: dict | None, outdir: pathlib.Path, stem: str) -> str | None:
    """Kernel and server RSS, page heap, and rows produced / held over the run, as a PNG next
    to the report; its file name, or None without matplotlib."""
    if not soak:
        return None
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = soak["samples"]
    t = [x["t"] for x in s]
    start = soak["warmup"] * soak["rows"]
    warm = next((x["t"] for x in s if x["phase"] == "run" and x["produced"] >= start), 0)
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.4))
    panels = [
        ("Memory (MiB)", [("kernel_rss", "kernel RSS"), ("server_rss", "Jupyter server RSS")]),
        (
            "Page (MiB, after a forced GC)",
            [("heap_used", "JS heap"), ("heap_backing", "ArrayBuffers")],
        ),
    ]
    for ax, (title, lines) in zip(axes, panels, strict=False):
        for key, label in lines:
            ax.plot(t, [x[key] / MiB for x in s], marker=".", label=label)
        ax.set_ylim(bottom=0)
        ax.set_title(title, fontsize=10)
    ax = axes[2]
    ax.plot(t, [x["produced"] / 1e6 for x in s], marker=".", label="produced by the kernel")
    ax.plot(t, [x["delivered"] / 1e6 for x in s], marker=".", label="held by the page up to")
    ax.set_title("Rows (millions)", fontsize=10)
    for ax in axes:
        ax.axvspan(0, warm, color="#dddddd", alpha=0.6, lw=0)
        ax.set_xlabel("seconds (grey: warm-up)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower right")
    fig.suptitle(
        f"Soak: {soak['rows']:,} rows, limit={soak['limit']:_}, in JupyterLab", fontsize=11
    )
    fig.tight_layout()
    name = f"{stem}_soak.png"
    fig.savefig(outdir / name, dpi=100)
    plt.close(fig)
    return name


SOAK_HOW = """\
**Soak** (`benchmarks/lab/soak.py`). A fresh JupyterLab + Chromium as above; one notebook
whose widget (`StreamWidget(height=400)`, dom ids `items-<id>`) is on screen. One cell streams
{rows:,} rows as 1,000-row DataFrames, `w.stream(df, limit=-10_000)` each, ids 0 to {last} in
order; each DataFrame is a copy of one of 100 distinct 1,000-row DataFrames of the same six
columns with the id column replaced (`DataFrame.assign`), as a feed makes a new frame per batch
(making all rows up front would put gigabytes in the kernel being watched). Every ~{every:g} s
while it runs (compaction makes the run short, seconds to tens of seconds, so samples are dense
enough for a slope): VmRSS of the kernel (its pid from `os.getpid()` in the cell before) and of
the Jupyter server (`/proc/<pid>/status`, what psutil reads), the page's heap after a forced GC
(DevTools `HeapProfiler.collectGarbage`, `Runtime.getHeapUsage`: `usedSize` and
`backingStorageSize`), the rows the kernel has produced (a file the cell rewrites every 100
batches) and the rows the page holds up to (a rendered row's `aria-rowindex` and id give the
first held id; + `data-count`). Slopes are least-squares fits over the samples after the first
{warmup:.0%} of the rows (where no acknowledgement reaches a running cell, the 32 MiB resend
budget fills first): MiB per minute, and MiB per million rows against rows produced
(kernel, server) or held (page). The widget's `send` is wrapped in the kernel to count diffs,
rows and bytes handed to the comm; "if every row were sent" is the same rows encoded without a
limit by the widget's encoder. The run ends when the page holds id {last}. Then the widget's
height is raised so that the view renders all 10,000 rows at once (the store lives in a closure
of the widget's module; the view reads it in order), and the ids, ordered by `aria-rowindex`,
must be exactly items-{first_kept} … items-{last}.
"""


def soak_how(soak: dict) -> str:
    n = soak["rows"]
    return SOAK_HOW.format(
        rows=n,
        last=n - 1,
        first_kept=n - 10_000,
        every=soak["sample_every"],
        warmup=soak["warmup"],
    )
