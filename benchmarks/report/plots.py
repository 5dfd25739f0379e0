"""The kernel-side plots of docs/performance.md (PNG files next to it; matplotlib, from the
bench extra). The soak's plot is in soak.py."""

from __future__ import annotations

import pathlib

from benchmarks.kernel.bench import DIAGNOSTICS, FLOOR, LSW
from benchmarks.report.format import MiB


def plots(matrix: list[dict] | None, lab: dict | None, outdir: pathlib.Path, stem: str) -> list:
    """PNG plots next to the report: rows/s (log scale) and kept memory / IOPub bytes per
    contender. Returns [(file name, alt text)]."""
    if not matrix:
        return []
    try:
        import matplotlib
    except ImportError:  # plots need the bench extra: pip install -e '.[bench]'
        return []

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def color(name: str) -> str:
        if name == LSW:
            return "#1f77b4"
        if name.startswith(LSW):
            return "#6baed6"
        if name == FLOOR:
            return "#7f7f7f"
        if name in DIAGNOSTICS:
            return "#9ecae1"
        return "#ff7f0e"

    def rows_for(batch: int) -> list[dict]:
        rs = [r for r in matrix if r["batch"] == batch]
        return sorted(rs, key=lambda r: (r["rows"], r["rows_per_s"]))

    def label(r: dict) -> str:
        name = r["contender"].replace("diagnostic: ", "diag: ")
        n = r["rows"]
        size = f"{n / 1e6:g}M" if n >= 1_000_000 else f"{n / 1000:g}k" if n >= 1000 else str(n)
        return f"{name} ({size} rows)"

    images = []
    batches = [b for b in (1000, 1) if any(r["batch"] == b for r in matrix)]
    heights = [len(rows_for(b)) for b in batches]
    fig, axes = plt.subplots(
        len(batches),
        1,
        figsize=(10, 0.32 * sum(heights) + 1.6 * len(batches)),
        gridspec_kw={"height_ratios": heights},
        squeeze=False,
    )
    for ax, batch in zip(axes[:, 0], batches, strict=True):
        rs = rows_for(batch)
        y = range(len(rs))
        ax.barh(y, [r["rows_per_s"] for r in rs], color=[color(r["contender"]) for r in rs])
        ax.set_yticks(list(y), [label(r) for r in rs], fontsize=8)
        ax.set_xscale("log")
        ax.set_xlabel("rows/s (log scale, best run)")
        ax.set_title(
            f"Kernel side, batches of {batch:,} row{'s' if batch > 1 else ''}", fontsize=10
        )
        for i, r in enumerate(rs):
            ax.text(r["rows_per_s"], i, f" {r['rows_per_s']:,.0f}", va="center", fontsize=7)
        ax.set_xlim(right=max(r["rows_per_s"] for r in rs) * 8)
        ax.grid(axis="x", which="major", alpha=0.3)
    fig.tight_layout()
    name = f"{stem}_rows_per_s.png"
    fig.savefig(outdir / name, dpi=110)
    plt.close(fig)
    images.append((name, "Kernel rows/s per contender, log scale"))

    rs = rows_for(1000)
    fig, axes = plt.subplots(1, 2, figsize=(12, 0.32 * len(rs) + 1.6), sharey=True)
    y = range(len(rs))
    for ax, key, title, log in (
        (axes[0], "rss_kept", "kernel RSS kept after gc (MiB, median run)", False),
        (axes[1], "iopub_bytes", "IOPub bytes (MiB, log scale)", True),
    ):
        values = [max(r[key], 0) / MiB for r in rs]
        shown = [max(v, 0.01) for v in values] if log else values
        ax.barh(y, shown, color=[color(r["contender"]) for r in rs])
        for i, (v, x) in enumerate(zip(values, shown, strict=True)):
            ax.text(x, i, f" {v:,.1f}", va="center", fontsize=7)
        ax.set_title(title, fontsize=10)
        if log:
            ax.set_xscale("log")
            ax.set_xlim(0.01, max(shown) * 8)
        else:
            ax.set_xlim(right=max(values) * 1.25 if max(values) > 0 else 1)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(list(y), [label(r) for r in rs], fontsize=8)
    fig.suptitle("Kernel side, batches of 1,000 rows", fontsize=11)
    fig.tight_layout()
    name = f"{stem}_memory.png"
    fig.savefig(outdir / name, dpi=110)
    plt.close(fig)
    images.append((name, "Kernel memory kept and IOPub bytes per contender"))
    return images
