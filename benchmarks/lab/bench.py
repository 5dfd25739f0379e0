"""Browser side in real JupyterLab: a real server, a real kernel, headless Chromium.

One notebook, driven from the JupyterLab UI like the end-to-end tests (tests/e2e/harness.py:
select a cell, Shift+Enter, wait on its prompt). Python stamps `time.time()` right before the
call; the page stamps `Date.now()` (the same machine clock) in a MutationObserver when the
widget's DOM shows the result. Measured:

- e2e rows/s: a cell streams N rows as N/1000 DataFrames of 1,000 rows (`w.stream(df)` each);
  from the first call until the widget's `data-count` attribute (the store's size, written by
  the view's next draw) reads N. Best of `repeat`, `w.reset()` in between.
- one N-row insert: `w.stream(df)` of one N-row DataFrame, until `data-count` reads N.
- single-row latency: a cell inserts rows one at a time (`w.insert(row, at=0, limit=20)`,
  `time.sleep` ~0.1 s between, with jitter), each stamped right before the call; latency = the
  first time an element with that row's `data-dom-id` is in the DOM minus that stamp, split at
  the time its diff is handed to the comm (the widget's `send`, time-stamped in the kernel).
  Also the same with one cell run per row (the end-of-cell flush).
- with N rows held: JS heap and ArrayBuffer bytes per row (DevTools: forced GC, then
  `Runtime.getHeapUsage`, vs. the same widget holding 0 rows), DOM elements in the widget and
  the page's DOM node count (`Memory.getDOMCounters`), and scroll frame times on the widget's
  `.lsw-scroll` (200 animation frames, benchmarks/browser/frames.js).

Run alone: `python -m benchmarks.lab.bench [--rows N] [--repeat N]` (prints JSON).
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import statistics
import sys
import time

from benchmarks.browser.page import SCROLL_FRAMES, frame_stats, heap_per_row, install_frames, pct
from benchmarks.kernel.data import DATASETS
from benchmarks.lab.cells import CELL, CELL_SAMPLES, cells
from benchmarks.lab.profile import profile_e2e
from benchmarks.lab.session import Session, lab_session, process_rss

#: e2e runs (each with a transport floor run) per realistic data set: their ratios to the floor
#: move 10-40 % from run to run on a shared machine, so the medians need more than three.
DATASET_RUNS = 5


def dataset_runs(repeat: int) -> int:
    """e2e runs per realistic data set for a run of `repeat` (a quick run's one stays one)."""
    return max(repeat, DATASET_RUNS) if repeat > 1 else repeat


# --------------------------------------------------------------------------------------------
# Page helpers

ARM_COUNT = """([root, n]) => {
  window.__lswCountAt = null;
  const check = () => {
    if (window.__lswCountAt === null && root.dataset.count === String(n)) {
      window.__lswCountAt = Date.now();
      obs.disconnect();
    }
  };
  const obs = new MutationObserver(check);
  obs.observe(root, { attributes: true, attributeFilter: ["data-count"] });
  check();
}"""

ARM_IDS = """(root) => {
  if (window.__lswIdObs) window.__lswIdObs.disconnect();
  const seen = (window.__lswSeen = {});
  const record = () => {
    const t = Date.now();
    for (const el of root.querySelectorAll("[data-dom-id]")) {
      const id = el.dataset.domId;
      if (!(id in seen)) seen[id] = t;
    }
  };
  window.__lswIdObs = new MutationObserver(record);
  window.__lswIdObs.observe(root, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["data-dom-id"],
  });
  record();
}"""

# benchmarks/browser/frames.js's loops (install_frames), on the widget's own scroller; the
# same loop with nothing to do on the idle JupyterLab page is the reference.
SCROLL = """async ([root, n, mode]) => {
  const sc = root.querySelector(".lsw-scroll");
  sc.scrollTop = 0;
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const out = await window.lswFrames.scrollLoop(sc, n, mode);
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  return {
    ...out,
    domRows: root.querySelectorAll("[data-dom-id]").length,
    scrollTop: sc.scrollTop,
  };
}"""
IDLE = "(n) => window.lswFrames.frameLoop(n)"


def lat_stats(ms: list[float]) -> dict:
    return {
        "n": len(ms),
        "p50": statistics.median(ms),
        "p95": pct(ms, 95),
        "min": min(ms),
        "max": max(ms),
    }


# --------------------------------------------------------------------------------------------
# The run


def measure(
    s: Session,
    rows: int,
    repeat: int,
    profile: bool,
    log=print,
    data: str = "synthetic",
    full: bool = True,
) -> dict:
    """All the measures on data set `data`; with `full` False only the e2e rows/s against the
    transport floor (and the heap, DOM and scroll with the rows held, and the profiled run)."""
    page = s.page
    nb = s.lab.notebook(cells(rows, data), name=f"lsw_benchmark_{data}")
    res: dict = {"rows": rows, "data": data}

    def run(name: str, timeout: float = 600_000) -> None:
        nb.run(CELL[name], timeout=timeout)

    load, heap = s.load, s.heap

    run("setup")
    w = nb.widget(CELL["setup"])
    kernel_pid = load("pid")
    root = w.element_handle()
    t = time.monotonic()
    run("data")
    run("floor")
    floor = nb.cell(CELL["floor"]).locator(".lsw-floor").element_handle()
    log(f"  lab: notebook open, data generated in the kernel ({time.monotonic() - t:.0f} s)")

    def reset(el=root, cell: str = "reset") -> None:
        run(cell)
        page.wait_for_function("el => el.dataset.count === '0'", arg=el, timeout=60_000)

    def until_count(cell: str, el=root, reset_cell: str = "reset") -> float:
        """Run `cell`; seconds from its t0 stamp until `el`'s data-count reads `rows`."""
        reset(el, reset_cell)
        page.evaluate(ARM_COUNT, [el, rows])
        run(cell)
        page.wait_for_function("() => window.__lswCountAt !== null", timeout=600_000)
        return (page.evaluate("window.__lswCountAt") / 1000) - load("t0")

    # -- e2e: N rows in 1000-row DataFrames, and the transport floor, interleaved -------------
    reset()
    m0 = heap()
    elements_empty = page.evaluate('root => root.getElementsByTagName("*").length', root)
    lsw, flo = [], []
    for r in range(repeat):
        if r == 0:
            reset()
            run("settle")
        rss0 = process_rss(kernel_pid)
        lsw.append(until_count("stream_batches"))
        if r == 0:
            # The kernel's memory kept after its first 1M-row burst, with a page acknowledging
            # every diff (so none is kept for resending): read once the cell is done and ZMQ
            # has let go of the frames it sent.
            page.wait_for_timeout(500)
            res["kernel_rss_kept"] = process_rss(kernel_pid) - rss0
            # -- with N rows held: heap, DOM, scrolling -------------------------------------
            m1 = heap()
            res["heap"] = {
                **heap_per_row(m0, m1, rows),
                "page_nodes_before": m0["nodes"],
                "page_nodes_after": m1["nodes"],
            }
            res["dom"] = page.evaluate(
                """root => ({
                    rows: root.querySelectorAll("[data-dom-id]").length,
                    elements: root.getElementsByTagName("*").length,
                    count: Number(root.dataset.count),
                })""",
                root,
            )
            res["dom"]["elements_empty"] = elements_empty
            h = res["heap"]
            log(
                f"  lab heap {h['used_per_row']:.0f} B/row JS heap, {h['backing_per_row']:.0f} "
                f"B/row ArrayBuffers; {res['dom']['rows']} row elements, page DOM nodes "
                f"{h['page_nodes_before']:,} -> {h['page_nodes_after']:,}"
            )
            w.scroll_into_view_if_needed()
            install_frames(page)
            res["idle"] = frame_stats(page.evaluate(IDLE, SCROLL_FRAMES))
            for mode in ("sweep", "step"):
                res[f"scroll_{mode}"] = frame_stats(
                    page.evaluate(SCROLL, [root, SCROLL_FRAMES, mode])
                )
            sc = res["scroll_sweep"]
            log(
                f"  lab scroll sweep: interval p50/p95 {sc['intervals_p50']:.1f}/"
                f"{sc['intervals_p95']:.1f} ms, busy p50/p95 {sc['busy_p50']:.1f}/"
                f"{sc['busy_p95']:.1f} ms"
            )
        reset()
        flo.append(until_count("floor_stream", floor, "floor_reset"))
        reset(floor, "floor_reset")
        log(
            f"  lab e2e {r + 1}/{repeat}: livestream-widget {rows / lsw[-1]:,.0f} rows/s "
            f"({lsw[-1]:.2f} s), transport floor {rows / flo[-1]:,.0f} rows/s ({flo[-1]:.2f} s)"
        )
    res["e2e"] = {"seconds": min(lsw), "all": lsw, "rows_per_s": rows / min(lsw)}
    res["e2e_floor"] = {"seconds": min(flo), "all": flo, "rows_per_s": rows / min(flo)}
    if profile:
        res["profile"] = profile_e2e(s, nb, root, rows, log)
    if not full:
        return res

    runs = []
    for r in range(repeat):
        runs.append(until_count("stream_big"))
        log(f"  lab one {rows:,}-row insert {r + 1}/{repeat}: {runs[-1]:.2f} s")
    res["one_insert"] = {"seconds": min(runs), "all": runs, "rows_per_s": rows / min(runs)}

    # -- single-row latency ------------------------------------------------------------------
    def latencies() -> list[float]:
        stamps = load("stamps")
        seen = page.evaluate("window.__lswSeen")
        missing = [k for k in stamps if k not in seen]
        if missing:
            raise AssertionError(f"{len(missing)} rows never appeared, e.g. {missing[:3]}")
        return [(seen[k] - stamps[k] * 1000) for k in stamps]

    def loop_latency(cell: str) -> dict:
        reset()
        page.evaluate(ARM_IDS, root)
        run(cell)
        page.wait_for_timeout(300)  # the last row's draw
        return lat_stats(latencies())

    res["latency"] = loop_latency("latency_loop")
    lat = res["latency"]
    # Each row's first diff sent after its call: the kernel's part of its latency (call → the
    # diff handed to the comm), the rest the page's (→ server → websocket → decode → drawn).
    stamps, sends = load("stamps"), sorted(load("lat_sends"))
    seen = page.evaluate("window.__lswSeen")
    parts = [
        ((sends[i] - t) * 1000, seen[k] - sends[i] * 1000)
        for k, t in stamps.items()
        if (i := bisect.bisect_left(sends, t)) < len(sends)
    ]
    if parts:
        lat["kernel_p50"] = statistics.median(a for a, _ in parts)
        lat["page_p50"] = statistics.median(b for _, b in parts)
    log(
        f"  lab latency (loop): p50 {lat['p50']:.0f} ms (kernel "
        f"{lat.get('kernel_p50', float('nan')):.1f} ms), p95 {lat['p95']:.0f} ms"
    )

    reset()
    page.evaluate(ARM_IDS, root)
    run("cell_init")
    for _ in range(CELL_SAMPLES):
        run("cell_one")
        page.wait_for_timeout(random.randint(0, 20))
    run("cell_save")
    page.wait_for_timeout(300)
    res["latency_cell"] = lat_stats(latencies())
    lat = res["latency_cell"]
    log(f"  lab latency (a cell per row): p50 {lat['p50']:.0f} ms, p95 {lat['p95']:.0f} ms")

    return res


def run(
    rows: int = 1_000_000,
    repeat: int = 3,
    profile: bool = True,
    log=print,
    datasets: list[str] | None = None,
) -> dict:
    """Everything on the synthetic rows; then, in the same session, e2e rows/s against the
    transport floor for each other data set in `datasets` (`res["datasets"]`)."""
    with lab_session("lab", log) as s:
        res = measure(s, rows, repeat, profile, log)
        res["datasets"] = {}
        for data in datasets or []:
            if data != "synthetic":
                log(f"  lab e2e on the {data} data set")
                res["datasets"][data] = measure(
                    s, rows, dataset_runs(repeat), profile, log, data, full=False
                )
        res["page_errors"] = s.errors
        res.update(s.versions())
    return res


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--no-profile", action="store_true", help="skip the profiled e2e run")
    p.add_argument(
        "--data",
        nargs="*",
        default=[],
        choices=list(DATASETS),
        help="also e2e vs the transport floor on these data sets (benchmarks/kernel/data.py)",
    )
    a = p.parse_args()
    res = run(
        a.rows, a.repeat, not a.no_profile, log=lambda s: print(s, file=sys.stderr), datasets=a.data
    )
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
