"""Soak: 10,000,000 rows with `limit=-10_000` streamed through real JupyterLab.

(Just over 400 lines: the soak drives one long notebook run and samples it; its cells, sampling
and statistics stay together.)

One cell of a notebook open in headless Chromium streams the rows as 1,000-row DataFrames,
`w.stream(df, limit=-10_000)` each (ids 0..N-1, the six columns of benchmarks/kernel/data.py), while
the page is live, as a feed would. Every ~0.5 s, while it runs, this process samples:

- the kernel's RSS (`/proc/<pid>/status`; the pid comes from `os.getpid()` in a cell before),
  and the Jupyter server's;
- the page's JS heap: DevTools `HeapProfiler.collectGarbage` (a forced GC, so the slope is
  what is kept, not garbage not yet collected) then `Runtime.getHeapUsage`;
- progress: rows the kernel has produced (a file the cell rewrites every 100 batches) and the
  last id the page holds (a rendered row's `aria-rowindex` and id give the first, + the
  widget's `data-count`).

Reported: rows/s until the last row is in the page, the least-squares slope of each memory
series after a warm-up (MiB per minute and per million rows), max - min, how many rows and
bytes the kernel actually sent (compaction, livestream_widget/compaction.py, never sends rows a
limit would prune), and whether the store ends with exactly the last 10,000 ids, in order.

Run alone: `python -m benchmarks.lab.soak [--rows N]` (prints JSON).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time

from benchmarks.browser.page import page_heap
from benchmarks.lab.session import SAVE_CELL, Session, lab_session, process_rss

ROWS = 10_000_000
QUICK_ROWS = 1_000_000
LIMIT = 10_000  # w.stream(df, limit=-LIMIT)
BATCH = 1_000
# Distinct data for 100 batches, reused with fresh ids: making 10M rows up front would put ~2 GB
# of Python strings in the kernel whose memory is being watched.
POOL_ROWS = 100_000
# Compaction sends only a fraction of the rows, so 10M rows take 6-30 s here (the machine's load
# decides): a sample every 2 s would leave 3-15 points for a slope. Each page sample forces a
# GC (~10-30 ms of the page's main thread with 10,000 rows held), a few % at this rate.
SAMPLE_EVERY = 0.5  # s
# Samples before this share of the rows is produced are warm-up: the resend budget (32 MiB of
# kept diffs) fills first, up to half of it where acknowledgements reach the running cell (the
# kernel's RSS levels off after ~2.5M rows), and the page's JIT and the store's blocks settle.
WARMUP = 0.3
MIN_FIT = 5  # samples a slope needs (a --quick soak of 1M rows is over in a second or two)
SETTLE = 5.0  # s after the run: one more sample, once the kernel has read the acknowledgements
STALL_AFTER = 60  # s without progress: the page is not getting the rest
TALL_ROW_PX = 64

# `benchmarks.kernel.data` is found as in cells.py: the repo root is on the kernel's PYTHONPATH.
SETUP = (
    """\
import json, os, time
import numpy as np
from benchmarks.kernel.data import make_batches
from livestream_widget import StreamWidget
"""
    + SAVE_CELL
    + """
_save("pid", os.getpid())
_pool = make_batches({pool})
w = StreamWidget(height=400)  # dom ids items-<id>
w
"""
)
# Counts what the widget hands to its comm (its `send`, wrapped as bench.py's profiled run
# does): diffs, rows in their inserts, bytes (JSON content + buffers).
PRODUCE = """\
_sent = dict(messages=0, rows=0, bytes=0, resent=0, resets=0)
_send = w.send
def _counting_send(content, buffers=None):
    if isinstance(content, dict) and content.get("kind") == "diff":
        if content.get("resent"):
            _sent["resent"] += 1
        else:
            _sent["messages"] += 1
            _sent["rows"] += sum(o.get("rows", 0) for o in content["ops"] if o["op"] == "insert")
            _sent["resets"] += sum(o["op"] == "reset" for o in content["ops"])
            _sent["bytes"] += len(json.dumps(content)) + sum(
                memoryview(b).nbytes for b in buffers or ())
    return _send(content, buffers)
w.send = _counting_send

def _progress(rows):
    with open("progress.tmp", "w") as f:
        f.write(str(rows))
    os.replace("progress.tmp", "progress.txt")

_t0 = time.time()
for _i in range({rows} // {batch}):
    _lo = _i * {batch}
    _df = _pool[_i % len(_pool)].assign(id=np.arange(_lo, _lo + {batch}))
    w.stream(_df, limit=-{limit})
    if _i % 100 == 99:
        _progress(_lo + {batch})
_save("run", dict(t0=_t0, t1=time.time()))
"""
# After the end-of-cell flush (the last rows leave then).
# `paced`: whether the page's acknowledgements reached the busy cell (a kernel subshell read
# them), so that its loop waited for the page; `overflowed`: diffs dropped past the resend
# budget before the page acknowledged them (what the loop sent ahead of the page).
FINISH = """\
del w.send
_save("sent", {**_sent, "count": w.count, "lost": w.lost,
               "paced": w._delivery.acks_reach_busy_cells(),
               "overflowed": w._outbox.overflowed})
"""
# Every held row rendered at once, to read the store's ids in order from the page: the store
# lives in a closure of the widget's module (js/src/index.js), and the view renders only the
# rows that fit its height. 64 px a row covers the tallest rows the view draws (templates).
TALL = "w.height = {px}"

# Only when the page stopped receiving: what the kernel's delivery state says.
DIAG = """\
_save("diag", dict(
    seq=w._seq, count=w.count, lost=w.lost, kept=sorted(w._outbox._sent),
    kept_bytes=w._outbox.nbytes, acked={k: v[0] for k, v in w._outbox._acked.items()},
))
"""

CELLS = ["setup", "produce", "finish", "tall", "diag"]
CELL = {name: i for i, name in enumerate(CELLS)}

# How far the page's rows reach: a rendered row's number (aria-rowindex, 1-based) and id give
# the first held id (ids ascend, one per row, in stream order), so the last is first + count - 1,
# wherever the view is scrolled. When it reaches `last`, stamp Date.now() (the run's end).
HELD = """(root) => {
  const row = root.querySelector("[data-dom-id]");
  const m = row && /^items-(\\d+)$/.exec(row.dataset.domId);
  const count = Number(root.dataset.count);
  if (!m) return { count, last: null };
  const first = Number(m[1]) - (Number(row.getAttribute("aria-rowindex")) - 1);
  return { count, last: first + count - 1 };
}"""
ARM_DONE = (
    """([root, last]) => {
  const held = """
    + HELD
    + """;
  window.__lswSoakDone = null;
  const check = () => {
    if (window.__lswSoakDone === null && held(root).last === last) {
      window.__lswSoakDone = Date.now();
      obs.disconnect();
    }
  };
  const obs = new MutationObserver(check);
  obs.observe(root, {
    subtree: true, childList: true, attributes: true,
    attributeFilter: ["data-dom-id", "aria-rowindex", "data-count"],
  });
  check();
}"""
)
# The rendered rows by their row number (aria-rowindex is 1-based).
ALL_ROWS = """root => [...root.querySelectorAll("[data-dom-id]")].map(
  (r) => [Number(r.getAttribute("aria-rowindex")), r.dataset.domId])"""


NOTICES = """root => ({
  notices: [...root.querySelectorAll(".lsw-notice")].map((n) => n.textContent),
  status: root.dataset.status,
})"""


def page_now(page) -> float:
    return page.evaluate("Date.now()")


def cells(rows: int) -> list[str]:
    src = {
        "setup": SETUP.format(pool=min(POOL_ROWS, rows)),
        "produce": PRODUCE.format(rows=rows, batch=BATCH, limit=LIMIT),
        "finish": FINISH,
        "tall": TALL.format(px=(LIMIT + 4) * TALL_ROW_PX),
        "diag": DIAG,
    }
    return [src[name] for name in CELLS]


def unsent_bytes_per_row(rows: int = 10 * BATCH) -> float:
    """Wire bytes per row of these rows had none been compacted away: the same batches queued
    without a limit and encoded by the widget's own encoder, in this process."""
    from benchmarks.kernel.data import make_batches
    from livestream_widget.encoder import encode
    from livestream_widget.flusher import FLUSHER
    from livestream_widget.widget import StreamWidget

    FLUSHER.interval = 1e9  # keep every op queued: no timer flush ...
    w = StreamWidget()
    w._flush_now = lambda *args, **kwargs: None  # ... nor a size-triggered one
    for df in make_batches(rows):
        w.stream(df)
    messages = list(encode(w._stream.log.take(), 1))
    return sum(len(json.dumps(c)) + sum(len(b) for b in bufs) for c, bufs in messages) / rows


def fit(xs: list[float], ys: list[float]) -> float | None:
    """Least-squares slope of ys over xs; None from fewer than MIN_FIT points."""
    n = len(xs)
    if n < MIN_FIT:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else None


def series_stats(samples: list[dict], key: str, rows_key: str, rows: int) -> dict:
    """Slopes after the warm-up, while `rows_key` grows (the kernel's rows stop at `rows` long
    before the page's do; after that the kernel only frees what the page acknowledges): MiB per
    minute and MiB per million rows. Ranges over the run and after the warm-up; the reading
    before the run and the last one."""
    MiB = 2**20
    run = [s for s in samples if s["phase"] == "run"]
    warm = [s for s in run if s["produced"] >= WARMUP * rows]
    growing = [s for i, s in enumerate(warm) if i == 0 or warm[i - 1][rows_key] < rows]
    ys = [s[key] / MiB for s in growing]
    per_s = fit([s["t"] for s in growing], ys)
    per_row = fit([s[rows_key] for s in growing], ys)
    during = [s[key] / MiB for s in run]
    after = [s[key] / MiB for s in warm]
    return {
        "samples": len(growing),
        "seconds": growing[-1]["t"] - growing[0]["t"] if growing else 0,
        "mib_per_min": per_s * 60 if per_s is not None else None,
        "mib_per_million_rows": per_row * 1e6 if per_row is not None else None,
        "min": min(during),
        "max": max(during),
        "warm_min": min(after) if after else None,
        "warm_max": max(after) if after else None,
        "before": samples[0][key] / MiB,
        "last": samples[-1][key] / MiB,
    }


def measure(s: Session, rows: int, log=print) -> dict:
    page = s.page
    nb = s.lab.notebook(cells(rows), name="lsw_soak")
    nb.run(CELL["setup"], timeout=120_000)
    root = nb.widget(CELL["setup"]).element_handle()
    kernel_pid = s.load("pid")
    server_pid = s.server.proc.pid
    page.evaluate(ARM_DONE, [root, rows - 1])
    (s.server.root / "progress.txt").write_text("0")

    samples: list[dict] = []
    t_start = time.time()

    def sample(phase: str) -> dict:
        heap = page_heap(s.cdp)
        view = page.evaluate(HELD, root)
        x = {
            "t": time.time() - t_start,
            "phase": phase,
            "kernel_rss": process_rss(kernel_pid),
            "server_rss": process_rss(server_pid),
            "heap_used": heap["usedSize"],
            "heap_backing": heap.get("backingStorageSize", 0),
            "produced": int((s.server.root / "progress.txt").read_text() or 0),
            "delivered": view["last"] + 1 if view["last"] is not None else 0,
            "count": view["count"],
        }
        samples.append(x)
        return x

    sample("before")
    before = nb.start(CELL["produce"])
    prompt_done = re.compile(r"^\[\d+\]:$")
    next_at = time.monotonic()
    last_log = 0.0
    stalled = None
    progress_at, progress = time.monotonic(), (-1, -1)
    while True:
        now = time.monotonic()
        if now >= next_at:
            x = sample("run")
            if (x["produced"], x["delivered"]) != progress:
                progress_at, progress = now, (x["produced"], x["delivered"])
            next_at += SAMPLE_EVERY
            if now - last_log >= 10:
                last_log = now
                log(
                    f"  soak {x['t']:5.0f} s: produced {x['produced']:>10,}, page holds up to "
                    f"{x['delivered']:>10,}; kernel RSS {x['kernel_rss'] / 2**20:6.1f} MiB, "
                    f"JS heap {x['heap_used'] / 2**20:6.1f} MiB"
                )
        prompt = nb.prompt(CELL["produce"])
        cell_done = prompt_done.match(prompt) and prompt != before
        if cell_done and page.evaluate("window.__lswSoakDone"):
            break
        if now - progress_at > STALL_AFTER:
            # Nothing moved for a long time: the page will not get the rest. Say what the
            # page and (once idle) the kernel know, and check the ids it has.
            stalled = {
                "after_s": STALL_AFTER,
                "cell_done": bool(cell_done),
                "sample": samples[-1],
                "notices": page.evaluate(NOTICES, root),
            }
            log(f"  soak STALLED: {json.dumps(stalled)[:1500]}")
            break
        page.wait_for_timeout(50)
    x = sample("run")  # the end of the run
    done_at = (page.evaluate("window.__lswSoakDone") or page_now(page)) / 1000
    nb.wait_done(CELL["produce"], before, timeout=600_000)
    run = s.load("run")
    nb.run(CELL["finish"])
    if stalled:
        nb.run(CELL["diag"])
        stalled["kernel"] = s.load("diag")
        log(f"  soak: kernel delivery state {json.dumps(stalled['kernel'])[:1500]}")
    sent = s.load("sent")
    page.wait_for_timeout(int(SETTLE * 1000))
    sample("after")  # settled, after the run

    # -- the final ids, read from the page ---------------------------------------------------
    nb.run(CELL["tall"])
    page.wait_for_function(
        "([root, n]) => root.querySelectorAll('[data-dom-id]').length >= n",
        arg=[root, LIMIT],
        timeout=60_000,
    )
    shown = sorted(page.evaluate(ALL_ROWS, root))
    got = [dom_id for _, dom_id in shown]
    want = [f"items-{i}" for i in range(rows - LIMIT, rows)]
    ids_ok = got == want and [i for i, _ in shown] == list(range(1, LIMIT + 1))
    mismatch = next((i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b), None)

    seconds = done_at - run["t0"]
    res = {
        "rows": rows,
        "batch": BATCH,
        "limit": -LIMIT,
        "seconds": seconds,
        "rows_per_s": rows / seconds,
        "kernel_loop_seconds": run["t1"] - run["t0"],
        "sample_every": SAMPLE_EVERY,
        "settle_s": SETTLE,
        "warmup": WARMUP,
        "samples": samples,
        "sent": sent,
        "unsent_bytes_per_row": unsent_bytes_per_row(),
        "kernel_rss": series_stats(samples, "kernel_rss", "produced", rows),
        "server_rss": series_stats(samples, "server_rss", "produced", rows),
        "heap_used": series_stats(samples, "heap_used", "delivered", rows),
        "heap_backing": series_stats(samples, "heap_backing", "delivered", rows),
        "final_ids": {
            "ok": ids_ok,
            "count": len(got),
            "first": got[0] if got else None,
            "last": got[-1] if got else None,
            "first_mismatch": None
            if mismatch is None
            else {"index": mismatch, "got": got[mismatch], "want": want[mismatch]},
        },
        "stalled": stalled,
        "page_errors": s.errors,
    }
    k, h = res["kernel_rss"], res["heap_used"]

    def per_m(st: dict) -> str:
        v = st["mib_per_million_rows"]
        return "n/a" if v is None else f"{v:+.2f} MiB per million rows"

    log(
        f"  soak: {rows:,} rows in {seconds:.1f} s ({res['rows_per_s']:,.0f} rows/s); sent "
        f"{sent['rows']:,} rows in {sent['messages']} diffs ({sent['bytes'] / 2**20:.0f} MiB); "
        f"kernel RSS {per_m(k)}, JS heap {per_m(h)}; final ids {'ok' if ids_ok else 'WRONG'}"
    )
    return res


#: JupyterLab's "Kernel Comms over subshells" setting, where the page's acknowledgements reach
#: a running cell (its default) or only once the cell ends ("disabled": what Voilà, marimo or a
#: kernel without subshells give).
COMMS_SETTING = "@jupyterlab/apputils-extension/kernels-settings.jupyterlab-settings"


def run(rows: int = ROWS, log=print, comms_over_subshells: str | None = None) -> dict:
    """The soak with JupyterLab's defaults, or with `commsOverSubshells` set to this value."""
    settings = {COMMS_SETTING: {"commsOverSubshells": comms_over_subshells}}
    with lab_session("soak", log, settings if comms_over_subshells else None) as s:
        res = measure(s, rows, log)
        res.update(s.versions())
    res["comms_over_subshells"] = comms_over_subshells or "default"
    return res


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=ROWS)
    p.add_argument(
        "--comms-over-subshells",
        default=None,
        help="JupyterLab's commsOverSubshells setting (default: JupyterLab's; 'disabled': "
        "acknowledgements reach the kernel only after the cell)",
    )
    a = p.parse_args()
    log = lambda s: print(s, file=sys.stderr)  # noqa: E731
    res = run(a.rows, log=log, comms_over_subshells=a.comms_over_subshells)
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
