"""Kernel side: how fast rows leave a real ipykernel, and what the kernel keeps afterwards.

Every contender runs in a fresh ipykernel (session.py: started by jupyter_client's
KernelManager, a thread in this process draining every IOPub message off a raw ZMQ SUB socket,
counting messages and bytes and time-stamping each custom message as it arrives) with the same
data generated in the kernel *before* timing. What each runs there: cells.py.

Contenders (one fresh kernel per run, best of N runs):
- `livestream-widget`: `w = StreamWidget(); for df in batches: w.stream(df)`, then `w.flush()`
  until nothing is pending; timed until the last `diff` message arrives here.
- `livestream-widget, limit=-10_000`: the same with `w.stream(df, limit=-10_000)`.
- `raw floor`: one custom message per batch through an anywidget's `send(content, buffers)`,
  the columns as raw buffers (numbers as their bytes, strings as utf-8 data + int32 offsets);
  no ops, no dom ids, nothing kept. What any widget must at least pay to move these bytes.

Peers (Panel, Bokeh, Perspective, ipydatagrid: peers.py) run the same way; their run ends when
their cell has returned and the last message it sent has arrived here. `plan()` lists every case
of a full run (batches of 1,000 and of 1, with per-peer row caps).

Run alone: `python -m benchmarks.kernel.bench [--rows N] [--repeat N] [--batch 1|1000]
[--contender NAME ...]` (prints JSON).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from typing import NamedTuple

from benchmarks.kernel import peers
from benchmarks.kernel.cells import (
    AFTER,
    BEFORE,
    CONTENDERS,
    DATA_SRC,
    DIAGNOSTICS,
    FLOOR,
    LSW,
    SETUP,
    WIRE_VARIANTS,
    cells,
)
from benchmarks.kernel.session import BenchKernel, KernelFailed, spec_dir


def run_one(spec_dir: str, contender: str, rows: int, batch: int = 1000) -> dict:
    setup, body = cells(contender, batch)
    with BenchKernel(spec_dir) as k:
        _, where = k.run(
            DATA_SRC + SETUP.format(rows=rows, batch=batch) + setup, module="_module_file()"
        )
        k.run(BEFORE)
        msgs0, bytes0, custom0 = k.drain.counts()
        msg_id, res = k.run(body, out="_out")
        out = res["out"]
        if out["kind"] is None:
            # A peer: its cell has returned; the run ends when the last message the cell sent
            # (published before the cell's idle status) has arrived here.
            if not k.drain.wait(lambda: msg_id in k.drain.idle, 300):
                raise KernelFailed(f"{contender}: the kernel never went idle")
            msgs1, bytes1, custom1 = k.drain.counts()
            end = max(out["t1"], k.drain.last_before_idle[msg_id])
            mine, lost = [], 0
        else:

            def want() -> bool:
                return any(s == out["last"] and kd == out["kind"] for _, kd, s, _ in k.drain.custom)

            if not k.drain.wait(lambda: want() and msg_id in k.drain.idle, 300):
                raise KernelFailed(
                    f"{contender}: the last message (seq {out['last']}) never arrived"
                )
            msgs1, bytes1, custom1 = k.drain.counts()
            mine = [c for c in k.drain.custom[custom0:custom1] if c[1] == out["kind"]]
            end = max(t for t, kind, seq, _ in mine if seq == out["last"])
            lost = out["last"] - len({s for _, _, s, _ in mine})
        _, mem = k.run(AFTER, mem="_mem")
        mem = mem["mem"]
        seconds = end - out["t0"]
        return {
            "contender": contender,
            "batch": batch,
            "rows": rows,
            "seconds": seconds,
            "rows_per_s": rows / seconds,
            "kernel_seconds": out["t1"] - out["t0"],
            "kernel_cpu_seconds": mem["cpu"],
            "iopub_messages": msgs1 - msgs0,
            "iopub_bytes": bytes1 - bytes0,
            "data_messages": len(mine),
            "payload_bytes": sum(b for *_, b in mine),
            "lost_messages": lost,
            "rss_kept": mem["rss"],
            "rss_kept_settled": mem["rss_settled"],
            "arrow_kept": mem["pa"],
            "outbox_kept": mem["outbox"],
            "arrow_pool": mem["pool"],
            "stderr": k.drain.errors[:5],
            "module": where["module"],
        }


def summarize(runs: list[dict]) -> dict:
    """Throughput: the fastest run (best of N). Memory: the median run, because what an
    allocator keeps after a burst depends on how far delivery lagged in that run (a backlog in
    ZMQ's queue leaves a bigger heap behind), which machine noise changes from run to run.
    Arrow bytes and lost messages: the worst run."""
    best = max(runs, key=lambda r: r["rows_per_s"])
    return {
        **best,
        "rows_per_s_all": [r["rows_per_s"] for r in runs],
        "kernel_cpu_seconds": min(r["kernel_cpu_seconds"] for r in runs),
        "kernel_cpu_seconds_all": [r["kernel_cpu_seconds"] for r in runs],
        "rss_kept": statistics.median(r["rss_kept"] for r in runs),
        "rss_kept_all": [r["rss_kept"] for r in runs],
        "rss_kept_settled": statistics.median(r["rss_kept_settled"] for r in runs),
        "rss_kept_settled_all": [r["rss_kept_settled"] for r in runs],
        "arrow_kept": max(r["arrow_kept"] for r in runs),
        "outbox_kept": max(r["outbox_kept"] for r in runs),
        "lost_messages": max(r["lost_messages"] for r in runs),
        "runs": len(runs),
    }


def run(rows: int = 1_000_000, repeat: int = 3, contenders=None, log=print) -> dict:
    """Every contender at `rows` rows in batches of 1,000; {contender: summary}."""
    cases = [Case(c, 1000, rows) for c in (contenders or CONTENDERS)]
    results = run_cases(cases, repeat, log)
    return {case.contender: res for case, res in zip(cases, results, strict=True) if res}


class Case(NamedTuple):
    contender: str
    batch: int
    rows: int
    runs: int | None = None  # at most this many runs (quadratic peers: 1); None: `repeat`


#: Peers per batch size: (peer, rows cap, runs cap). A cap keeps a full run within minutes where
#: a peer is quadratic (re-sends or re-copies every row so far) or costs milliseconds per row;
#: livestream-widget and the floor are measured at every (batch, rows) a peer uses, so each
#: ratio compares equal work. Rollover/limit variants are left out at batch 1: at <= 10,000
#: rows they never roll over, so they equal the plain variant.
PEER_PLAN = {
    1000: [
        ("Panel Tabulator", None, 1),
        ("Panel Tabulator, rollover=10_000", None, 2),
        ("Bokeh ColumnDataSource", None, 2),
        ("Bokeh ColumnDataSource, rollover=10_000", None, 2),
        ("Perspective", None, 2),
        ("Perspective, limit=10_000", None, 2),
        ("ipydatagrid", 200_000, 1),
    ],
    1: [
        ("Bokeh ColumnDataSource", 10_000, 2),
        ("Perspective", 10_000, 2),
        ("Panel Tabulator", 1_000, 1),
        ("ipydatagrid", 1_000, 1),
    ],
}
#: --quick: every case once; Panel without rollover (~70 s at 1M rows) capped too.
QUICK_CAPS = {("Panel Tabulator", 1000): 200_000}


def plan(rows: int, quick: bool, peer_names=None, diagnostics: bool = True) -> list[Case]:
    """Every kernel case of a run: livestream-widget and the floor (and diagnostics) at `rows`
    in batches of 1,000 first, then each peer at its (batch, rows), with livestream-widget and
    the floor at the same (batch, rows)."""
    cases = [Case(c, 1000, rows) for c in CONTENDERS]
    if diagnostics:
        cases += [Case(d, 1000, rows) for d in DIAGNOSTICS]
    wanted = set(peers.PEERS if peer_names is None else peer_names)
    for batch, entries in PEER_PLAN.items():
        for name, cap, runs in entries:
            if name not in wanted:
                continue
            cap = QUICK_CAPS.get((name, batch), cap) if quick else cap
            n = min(rows, cap or rows)
            for c in (LSW, FLOOR):
                if Case(c, batch, n) not in cases:
                    cases.append(Case(c, batch, n))
            cases.append(Case(name, batch, n, runs))
    return cases


def run_cases(
    cases: list[Case], repeat: int, log=print, failures: list[str] | None = None
) -> list[dict | None]:
    """Each case in fresh kernels, interleaved round by round (so machine noise spreads over
    all contenders), `repeat` runs each (or the case's own cap); a summary per case. A run that
    fails is logged (and added to `failures` when given) instead of ending the benchmark; a case
    without any successful run gets None."""
    runs: list[list[dict]] = [[] for _ in cases]
    with tempfile.TemporaryDirectory(prefix="lsw-bench-") as tmp:
        kernels = spec_dir(tmp)
        for r in range(repeat):
            for i, case in enumerate(cases):
                n = min(repeat, case.runs or repeat)
                if r >= n:
                    continue
                t = time.monotonic()
                try:
                    res = run_one(kernels, case.contender, case.rows, case.batch)
                except Exception as e:
                    msg = f"{case.contender} (batch {case.batch}, {case.rows:,} rows): {e}"
                    log(f"  kernel run FAILED: {msg[:2000]}")
                    if failures is not None:
                        failures.append(msg.splitlines()[0][:300])
                    continue
                runs[i].append(res)
                log(
                    f"  kernel run {r + 1}/{n} {case.contender:<40} batch {case.batch:>4} "
                    f"{case.rows:>9,} rows {res['rows_per_s']:>12,.0f} rows/s  "
                    f"rss kept {res['rss_kept'] / 2**20:7.1f} MiB  ({time.monotonic() - t:.0f} s)"
                )
    return [summarize(v) if v else None for v in runs]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument(
        "--contender",
        action="append",
        choices=[*CONTENDERS, *DIAGNOSTICS, *WIRE_VARIANTS, *peers.PEERS],
    )
    p.add_argument("--batch", type=int, default=1000, choices=[1, 1000])
    a = p.parse_args()
    cases = [Case(c, a.batch, a.rows) for c in (a.contender or CONTENDERS)]
    res = run_cases(cases, a.repeat, log=lambda s: print(s, file=sys.stderr))
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
