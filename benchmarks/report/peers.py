"""The sections of docs/performance.md on the browser-side peers (benchmarks/lab/peers.py),
the data sets' wire bytes (benchmarks/kernel/wire.py) and e2e rows/s per data set
(benchmarks/lab/bench.py `datasets`), and the peers' plot."""

from __future__ import annotations

import pathlib
import statistics

from benchmarks.lab.peers import REPEAT_UNDER_S, RUNS
from benchmarks.report.format import ms, rate, table

LSW = "livestream-widget"
#: Targets reported against (never asserted).
PEER_RATE_TARGET = 5.0  # our e2e rows/s ÷ the fastest browser-side peer's
SCROLL_TARGET_MS = 16.0  # scroll busy p95 with the rows held
FLOOR_TARGET = {"synthetic": 0.95}  # our e2e rows/s ÷ the uncompressed floor's, per data set
FLOOR_TARGET_REALISTIC = 1.5


def _ok(results: list[dict]) -> list[dict]:
    return [r for r in results if "error" not in r]


def _total(r: dict) -> float:
    """Bytes per row held, the page's and the kernel's (never below the page's alone: a kernel
    that keeps no row reads allocator noise either way)."""
    return r["bytes_per_row"] + max(0.0, r.get("kernel_bytes_per_row", 0.0))


def versus_peers(results: list[dict]) -> dict | None:
    """Ours against the peers of one data set (None without both): the fastest peer, our rows/s
    over its (best and, with several runs each, of medians), and the peers holding a row in
    less page memory (`heavier`) and in less page + kernel memory (`heavier_all`) than ours."""
    ok = _ok(results)
    ours = next((r for r in ok if r["contender"] == LSW), None)
    peers = [r for r in ok if r["contender"] != LSW]
    if ours is None or not peers:
        return None
    fastest = max(peers, key=lambda r: r["rows_per_s"])
    # Seconds: the peer's median time over ours is the rows/s ratio.
    mine, theirs = ours.get("all", []), fastest.get("all", [])
    return {
        "ours": ours,
        "fastest": fastest,
        "ratio": ours["rows_per_s"] / fastest["rows_per_s"],
        "median": statistics.median(theirs) / statistics.median(mine)
        if len(mine) > 1 and len(theirs) > 1
        else None,
        "runs": len(mine),
        "heavier": [r["contender"] for r in peers if ours["bytes_per_row"] > r["bytes_per_row"]],
        "heavier_all": [r["contender"] for r in peers if _total(ours) > _total(r)],
    }


def peers_lab_section(res: dict) -> str:
    parts = [
        "`python -m benchmarks.lab.peers`: each contender in turn in one JupyterLab page (one "
        "notebook per data set), fed the same rows in 1,000-row DataFrames the way its users "
        "feed it; time from the first call until the page can show the last row, read from "
        "the contender's own model (benchmarks/lab/peers.py says how, per peer), best of "
        f"{RUNS} runs for each contender whose run takes under {REPEAT_UNDER_S:.0f} s (one run "
        "for the slower ones), after a short warm-up run. Memory per row held, over the first "
        "timed run (after the warm-up: compiled code and one-time work are not the cost of "
        "holding rows; Panel Tabulator has no warm-up, as its page keeps the rows a release "
        "drops): the page's JS heap (V8 heap + ArrayBuffers, `Runtime.getHeapUsage` "
        "after a forced GC) with the rows held minus before; and the kernel's RSS with the rows "
        "held minus before, since every peer holds the rows in the kernel too "
        "(livestream-widget keeps none there: its figure is what the kernel has not handed back "
        "yet). Busy time per frame while 200 frames (ipydatagrid: 30) sweep its "
        "grid top to bottom. "
        f"ipydatagrid is capped at {res['datagrid_rows']:,} rows: each change re-sends every "
        "row so far (quadratic). Perspective's page holds only the rows its viewer shows (it "
        "pulls them from the kernel's table), so page memory per row cannot compare a "
        "contender that holds its rows in the page with it: page + kernel can.",
        "",
    ]
    for data, results in res["datasets"].items():
        ok = _ok(results)
        ours = next((r for r in ok if r["contender"] == LSW), None)
        rows = []
        for r in results:
            if "error" in r:
                rows.append([r["contender"], f"{r['rows']:,}", "failed: " + r["error"][:80]])
                continue
            sc = r["scroll"]
            rate_ratio = ours and f"{ours['rows_per_s'] / r['rows_per_s']:.2f}×"
            mem_ratio = ours and f"{_total(ours) / max(_total(r), 1):.2f}×"
            rows.append(
                [
                    r["contender"],
                    f"{r['rows']:,} ({r['held']:,} held)",
                    f"{rate(r['rows_per_s'])} ({r['seconds']:.2f} s)",
                    rate_ratio or "",
                    f"{r['bytes_per_row']:.0f} (heap {r['heap']['used_per_row']:.0f}, "
                    f"buffers {r['heap']['backing_per_row']:.0f})",
                    f"{r.get('kernel_bytes_per_row', 0):.0f}",
                    mem_ratio or "",
                    f"{ms(sc['busy_p50'])} / {ms(sc['busy_p95'])}" if "busy_p50" in sc else "",
                ]
            )
        parts += [
            f"**{data}** data set:",
            "",
            table(
                [
                    "contender",
                    "rows",
                    "e2e rows/s",
                    "ours ÷ it",
                    "page B/row held",
                    "kernel B/row held",
                    "ours ÷ it (page + kernel)",
                    "scroll busy p50 / p95 ms",
                ],
                rows,
            ),
            "",
        ]
        v = versus_peers(results)
        if v is not None:
            fastest, ratio, median = v["fastest"], v["ratio"], v["median"]
            met = "met" if ratio >= PEER_RATE_TARGET else "missed"
            median = (
                ""
                if median is None
                else f"; ratio of medians {median:.2f}× over {v['runs']} and "
                f"{len(fastest['all'])} runs"
            )
            p95 = ms(v["ours"]["scroll"]["busy_p95"])
            heavier, heavier_all = v["heavier"], v["heavier_all"]
            parts += [
                f"- rows/s: ours ÷ the fastest peer ({fastest['contender']}) = {ratio:.2f}× "
                f"(target ≥ {PEER_RATE_TARGET:g}×: {met}{median})",
                "- page memory per row ≤ every peer's: "
                + ("met" if not heavier else "missed (more than " + ", ".join(heavier) + ")"),
                "- page + kernel memory per row ≤ every peer's: "
                + (
                    "met"
                    if not heavier_all
                    else "missed (more than " + ", ".join(heavier_all) + ")"
                ),
                f"- scroll busy p95 with {v['ours']['held']:,} rows: {p95} ms "
                f"(target ≤ {SCROLL_TARGET_MS:g} ms with 1M rows"
                + ("" if v["ours"]["held"] >= 1_000_000 else f"; measured at {v['ours']['held']:,}")
                + ")",
                "",
            ]
    return "\n".join(parts)


def wire_section(wire: dict) -> str:
    """Bytes per row on the wire per data set, codec and dictionaries on/off."""
    parts = [
        "`python -m benchmarks.kernel.wire`: each data set through the widget's own buffer "
        "encoding (`payload.wire_bytes`, dom ids included) in diffs of 1,000 rows (a live "
        "feed's DataFrame, sent at once) and 50,000 rows (~ the 4 MiB a fast producer's diffs "
        f"reach), {wire['rows']:,} rows each; the floor is the raw column buffers (no ids). "
        "`auto` is what the widget does once a page said hello (before that, with no page "
        "reading them, it sends diffs uncompressed).",
        "",
    ]
    for data, d in wire["datasets"].items():
        rows = []
        for c in d["codecs"]:
            rows.append(
                [
                    f"{c['diff_rows']:,}",
                    str(c["compression"]),
                    "on" if c["dictionaries"] else "off",
                    f"{c['bytes_per_row']:.1f}",
                    f"{c['bytes_per_row'] / d['floor']:.2f}×",
                    f"{c['encode_ns_per_row']:.0f}",
                ]
            )
        parts += [
            f"**{data}** ({', '.join(d['columns'])}; raw floor {d['floor']:.1f} B/row):",
            "",
            table(
                ["diff rows", "compression", "dictionaries", "B/row", "÷ floor", "encode ns/row"],
                rows,
            ),
            "",
        ]
    return "\n".join(parts)


def floor_ratio(data: str, r: dict) -> tuple[float, float | None, float]:
    """Data set `data`'s lab result `r` against its transport floor: the ratio of best rows/s,
    the ratio of medians (None without the runs) and the target."""
    ratio = r["e2e"]["rows_per_s"] / r["e2e_floor"]["rows_per_s"]
    ours, floor = r["e2e"].get("all", []), r["e2e_floor"].get("all", [])
    # Seconds: the floor's median time over ours is the rows/s ratio.
    median = statistics.median(floor) / statistics.median(ours) if ours and floor else None
    return ratio, median, FLOOR_TARGET.get(data, FLOOR_TARGET_REALISTIC)


def lab_runs(lab: dict) -> dict[str, dict]:
    """The lab results per data set: the synthetic run's, then each realistic set's."""
    return {"synthetic": lab, **(lab.get("datasets") or {})}


def datasets_e2e_section(lab: dict) -> str:
    """Our e2e rows/s against the uncompressed transport floor, per data set."""
    rows = []
    for data, r in lab_runs(lab).items():
        ratio, median, target = floor_ratio(data, r)
        ours, floor = r["e2e"].get("all", []), r["e2e_floor"].get("all", [])
        rows.append(
            [
                data,
                f"{rate(r['e2e']['rows_per_s'])} ({_runs(ours)})",
                f"{rate(r['e2e_floor']['rows_per_s'])} ({_runs(floor)})",
                f"{ratio:.2f}×",
                "" if median is None else f"{median:.2f}×",
                f"≥ {target:g}×: {'met' if ratio >= target else 'missed'}",
            ]
        )
    return table(
        [
            "data set",
            "livestream-widget e2e rows/s (runs)",
            "transport floor rows/s (runs)",
            "ratio (best ÷ best)",
            "ratio of medians",
            "target (best ÷ best)",
        ],
        rows,
    )


def _runs(seconds: list[float]) -> str:
    """Each run's seconds, the best first (the best one gives the rows/s)."""
    return ", ".join(f"{x:.2f}" for x in sorted(seconds)) + " s"


def peers_plot(res: dict, outdir: pathlib.Path, stem: str) -> tuple[str, str] | None:
    """rows/s and page bytes per row held per contender and data set (PNG next to the report)."""
    try:
        import matplotlib
    except ImportError:  # the bench extra
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sets = list(res["datasets"])
    fig, axes = plt.subplots(len(sets), 2, figsize=(12, 2.6 * len(sets) + 0.6), squeeze=False)
    for row, data in zip(axes, sets, strict=True):
        rs = _ok(res["datasets"][data])
        y = range(len(rs))
        colors = ["#1f77b4" if r["contender"] == LSW else "#ff7f0e" for r in rs]
        labels = [f"{r['contender']} ({r['rows'] // 1000}k)" for r in rs]
        for ax, key, title in (
            (row[0], "rows_per_s", f"{data}: e2e rows/s (log)"),
            (row[1], "bytes_per_row", f"{data}: page bytes per row held"),
        ):
            vals = [max(r[key], 1) for r in rs]
            ax.barh(y, vals, color=colors)
            ax.set_yticks(list(y), labels, fontsize=7)
            ax.set_title(title, fontsize=9)
            if key == "rows_per_s":
                ax.set_xscale("log")
            for i, v in enumerate(vals):
                ax.text(v, i, f" {v:,.0f}", va="center", fontsize=7)
            ax.set_xlim(right=max(vals) * (8 if key == "rows_per_s" else 1.3))
            ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    name = f"{stem}_peers.png"
    fig.savefig(outdir / name, dpi=110)
    plt.close(fig)
    return name, "Browser-side peers in JupyterLab: e2e rows/s and page bytes per row held"
