"""Browser side: the real front end (js/src) in real headless Chromium, over real Python diffs.

1. Diffs: a real `StreamWidget` queues `w.stream(df)` of all rows (its flush is held back so the
   ops stay queued), `w._stream.log.take()` hands them over, and `livestream_widget.encoder.encode`
   writes them twice: one message (max_bytes raised: one 1M-row insert) and the default
   ~8 MB split.
2. `benchmarks/browser/bench.js` (imports RowStore, decodeDiff, applyDiff, TableView) is bundled
   with esbuild into a temp dir and served with the diffs from a localhost HTTP server.
3. Playwright drives Debian's chromium; timings are taken in the page with performance.now(),
   heap figures with the DevTools protocol (forced GC, then Runtime.getHeapUsage).

Run alone: `python -m benchmarks.browser.bench [--rows N] [--repeat N] [--compression C]
[--no-dictionaries]` (prints JSON); C is the widget's `compression` ("auto", "lz4", "zstd",
"none"): which codec the diffs' buffers use (livestream_widget/payload.py).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import threading
import time

from benchmarks.browser.page import SCROLL_FRAMES, frame_stats, heap_per_row, launch, page_heap
from benchmarks.paths import ROOT

HERE = pathlib.Path(__file__).resolve().parent  # bench.js, index.html
SINGLE_ROWS = 1000  # rows of the live-feed set, one per message
SUMMARY_FRAMES = 180  # frames of the summaries' stream (3 s at 60 Hz)
SUMMARY_ROWS_PER_FRAME = 1667  # 100k rows/s at 60 frames/s
SNAPSHOT_ROWS, SNAPSHOT_BYTES = 1000, 2**20  # the widget's default snapshot caps
SNAPSHOT_EVERY_MS = 10_000  # js/src/index.js: at most one snapshot per 10 s while streaming

JS = ROOT / "js"
ESBUILD = JS / "node_modules" / ".bin" / "esbuild"

# --------------------------------------------------------------------------------------------
# Diffs from the real Python encoder


def write_diffs(
    out: pathlib.Path, rows: int, compression: str | None = "auto", dictionaries: bool = True
) -> dict:
    from benchmarks.kernel.data import make_frame
    from livestream_widget.encoder import encode
    from livestream_widget.flusher import FLUSHER
    from livestream_widget.widget import StreamWidget

    df = make_frame(rows)
    FLUSHER.interval = 1e9  # keep the ops queued: no timer flush may take them first
    w = StreamWidget()
    w._flush_now = lambda *args, **kwargs: None  # nor a size-triggered one
    t = time.perf_counter()
    w.stream(df)
    ops = w._stream.log.take()
    queue_s = time.perf_counter() - t
    manifest, info = {}, {"queue_s": queue_s, "compression": compression}
    info["dictionaries"] = dictionaries
    wire = {"compression": compression, "dictionaries": dictionaries}
    for name, kwargs in (("one", {"max_bytes": 2**62}), ("split", {})):
        t = time.perf_counter()
        messages = list(encode(ops, 1, **kwargs, **wire))
        info[f"encode_{name}_s"] = time.perf_counter() - t
        entries = []
        for i, (content, buffers) in enumerate(messages):
            urls = []
            for j, buf in enumerate(buffers):
                url = f"{name}/{i}_{j}.arrow"
                (out / name).mkdir(exist_ok=True)
                (out / url).write_bytes(buf)
                urls.append(url)
            entries.append({"content": content, "buffers": urls})
        manifest[name] = entries
        info[f"{name}_messages"] = len(messages)
        info[f"{name}_bytes"] = sum(len(b) for _, bufs in messages for b in bufs)
        info[f"{name}_max_message_bytes"] = max(sum(len(b) for b in bufs) for _, bufs in messages)
    # A live feed: SINGLE_ROWS rows inserted one per message at the top, so each of the first
    # rows sits in a record batch of its own (the snapshot's worst case: one part per row).
    rows_ = make_frame(SINGLE_ROWS).to_dict("records")
    entries = []
    for i, row in enumerate(rows_):
        w.insert(row, at=0)
        ((content, buffers),) = encode(w._stream.log.take(), i + 1, **wire)
        url = f"single/{i}.arrow"
        (out / "single").mkdir(exist_ok=True)
        (out / url).write_bytes(buffers[0])
        entries.append({"content": content, "buffers": [url]})
    manifest["single"] = entries
    (out / "manifest.json").write_text(json.dumps(manifest))
    return info


def bundle(out: pathlib.Path) -> None:
    for f in ("index.html",):
        (out / f).write_text((HERE / f).read_text())
    env = {**os.environ, "NODE_PATH": str(JS / "node_modules")}  # bench.js imports apache-arrow
    subprocess.run(
        [
            str(ESBUILD),
            str(HERE / "bench.js"),
            "--bundle",
            "--format=esm",
            "--target=es2020",
            f"--outdir={out}",
            "--log-level=warning",
        ],
        check=True,
        env=env,
    )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def serve(directory: pathlib.Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, name="bench-http", daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


# --------------------------------------------------------------------------------------------
# Page measurements


def kernel_join(repeat: int) -> dict:
    """What the kernel pays for a page's snapshot (`snapshot.from_parts`): the default caps'
    1,000 rows as one part (rows from one batch), and as a live feed's page sends them: one-row
    batches, 64 to a part (js/src/snapshot.js)."""
    import pyarrow as pa

    from benchmarks.kernel.data import make_frame
    from livestream_widget import snapshot

    table = pa.Table.from_pandas(make_frame(SNAPSHOT_ROWS), preserve_index=False)

    def ipc(t: pa.Table) -> bytes:
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, t.schema) as writer:
            writer.write_table(t)
        return sink.getvalue().to_pybytes()

    ids = [f"items-{i}" for i in range(SNAPSHOT_ROWS)]
    res = {}
    for name, parts in (
        ("one_part", [ipc(table)]),
        (
            "row_parts",
            [
                ipc(
                    pa.Table.from_batches(
                        [
                            table.slice(r, 1).to_batches()[0]
                            for r in range(i, min(i + 64, SNAPSHOT_ROWS))
                        ]
                    )
                )
                for i in range(0, SNAPSHOT_ROWS, 64)
            ],
        ),
    ):
        runs = []
        for _ in range(repeat):
            t = time.perf_counter()
            shot = snapshot.from_parts(parts, ids, 10**6, SNAPSHOT_ROWS, SNAPSHOT_BYTES)
            runs.append((time.perf_counter() - t) * 1000)
        res[name] = {"ms": min(runs), "all": runs, "rows": shot.rows, "bytes": len(shot.data)}
    return res


def decode_apply(page, cdp, name: str, repeat: int, rows: int, log=print) -> dict:
    """The message set `name` (loaded in the page): decodeApply and its floors, interleaved
    `repeat` times (noise hits all alike), the best run of each. The last decodeApply's store
    stays in the page."""
    fns = ("keyFloor", "arrowFloor", "decodeApply")
    runs: dict[str, list[dict]] = {fn: [] for fn in fns}
    for _ in range(repeat):
        for fn in fns:
            if fn == "decodeApply":
                page.evaluate("lsw.dropStore()")  # the previous store is garbage too
            cdp.send("HeapProfiler.collectGarbage")  # no leftover garbage timed
            runs[fn].append(page.evaluate(f"lsw.{fn}({json.dumps(name)})"))
    best = {
        fn: {**min(rs, key=lambda r: r["total"]), "all": [r["total"] for r in rs]}
        for fn, rs in runs.items()
    }
    got = best["decodeApply"]
    snaps = [
        page.evaluate(f"lsw.snapshot({SNAPSHOT_ROWS}, {SNAPSHOT_BYTES})") for _ in range(repeat)
    ]
    got["snapshot"] = {**min(snaps, key=lambda r: r["total"]), "all": [r["total"] for r in snaps]}
    label = {"one": "1 message", "split": "8 MB split"}.get(name, name)
    log(f"  browser decode+apply {label}: {got['total']:8.0f} ms  {got['all']}")
    sn = got["snapshot"]
    log(
        f"  browser snapshot of {label}: {sn['total']:.1f} ms (longest step {sn['longest']:.1f} ms)"
        f", {sn['parts']} parts, {sn['bytes']} B"
    )
    assert got["size"] == rows, got
    return {
        name: got,
        f"{name}_arrow_floor": best["arrowFloor"],
        f"{name}_key_floor": best["keyFloor"],
    }


def views(page, repeat: int, log=print) -> dict:
    """Over the store in the page: first frame of a new view (and of one over an empty store),
    then scrolling it, and the idle page's frame loop."""
    res: dict = {}
    renders = [page.evaluate("lsw.render()") for _ in range(repeat)]
    res["render"] = {
        "sync": min(r["sync"] for r in renders),
        "frame": min(r["frame"] for r in renders),
        "all": [r["frame"] for r in renders],
        "domRows": max(r["domRows"] for r in renders),
        "firstRowOk": all(r["firstRowOk"] for r in renders),
        "storeSize": renders[-1]["storeSize"],
    }
    empties = [page.evaluate("lsw.render(true)") for _ in range(repeat)]
    res["render_empty"] = {
        "sync": min(r["sync"] for r in empties),
        "frame": min(r["frame"] for r in empties),
        "all": [r["frame"] for r in empties],
    }
    page.evaluate("lsw.render()")  # the full view again, for scrolling
    first = res["render"]
    log(f"  browser first frame: {first['frame']:.1f} ms, {first['domRows']} DOM rows")
    res["idle"] = frame_stats(page.evaluate(f"lsw.idle({SCROLL_FRAMES})"))
    for mode in ("sweep", "step"):
        res[f"scroll_{mode}"] = frame_stats(page.evaluate(f"lsw.scroll({SCROLL_FRAMES}, '{mode}')"))
        page.evaluate("lsw.render()")  # back to the top for the next mode
    sweep = res["scroll_sweep"]
    log(
        f"  browser scroll sweep p50/p95: {sweep['intervals_p50']:.1f}/"
        f"{sweep['intervals_p95']:.1f} ms"
    )
    return res


def summaries(page, log=print) -> dict:
    """The column summaries per frame under a 100k rows/s stream over the store (summaries.js)."""
    page.evaluate("lsw.render()")
    got = page.evaluate(f"lsw.summaries({SUMMARY_FRAMES}, {SUMMARY_ROWS_PER_FRAME})")
    from benchmarks.report.summaries import percentile

    row, insert = got["row"], got["inserts"]
    log(
        f"  browser summaries per frame p50/p95: {percentile(row, 50):.2f}/"
        f"{percentile(row, 95):.2f} ms (store insert p50 {percentile(insert, 50):.2f} ms)"
    )
    return got


def measure(url: str, rows: int, repeat: int, log=print) -> dict:
    from playwright.sync_api import sync_playwright

    res: dict = {}
    with tempfile.TemporaryDirectory(prefix="lsw-chromium-") as profile, sync_playwright() as p:
        ctx, page = launch(p, profile, viewport={"width": 1280, "height": 800})
        try:
            page.set_default_timeout(300_000)
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: m.type == "error" and errors.append(m.text))
            page.goto(url + "index.html")
            page.wait_for_function("window.lswReady === true")
            cdp = ctx.new_cdp_session(page)
            res["chromium"] = cdp.send("Browser.getVersion")["product"]

            # One N-row insert; then the store it built (message references dropped).
            m0 = page_heap(cdp)
            res["one_load"] = page.evaluate("lsw.load('one')")
            res.update(decode_apply(page, cdp, "one", repeat, rows, log))
            page.evaluate("lsw.unload('one')")
            res["heap"] = heap_per_row(m0, page_heap(cdp), rows)
            log(
                f"  browser heap: {res['heap']['used_per_row']:.0f} B/row JS heap, "
                f"{res['heap']['backing_per_row']:.0f} B/row ArrayBuffers"
            )
            res.update(views(page, repeat, log))
            res["summaries"] = summaries(page, log)
            page.evaluate("lsw.dropStore()")

            # The same rows as ~8 MB messages.
            res["split_load"] = page.evaluate("lsw.load('split')")
            res.update(decode_apply(page, cdp, "split", repeat, rows, log))
            page.evaluate("lsw.dropStore(); lsw.unload('split')")

            # A live feed's store: the snapshot's worst case.
            page.evaluate("lsw.load('single')")
            res.update(decode_apply(page, cdp, "single", repeat, SINGLE_ROWS, log))
            page.evaluate("lsw.dropStore(); lsw.unload('single')")
            res["page_errors"] = errors
        finally:
            ctx.close()
    return res


def run(
    rows: int = 1_000_000,
    repeat: int = 3,
    log=print,
    compression: str | None = "auto",
    dictionaries: bool = True,
) -> dict:
    with tempfile.TemporaryDirectory(prefix="lsw-browser-bench-") as tmp:
        out = pathlib.Path(tmp)
        t = time.monotonic()
        info = write_diffs(out, rows, compression, dictionaries)
        bundle(out)
        log(
            f"  diffs written: {info['one_messages']} + {info['split_messages']} messages, "
            f"{info['one_bytes'] / 2**20:.0f} MiB each set ({time.monotonic() - t:.0f} s)"
        )
        server, url = serve(out)
        try:
            res = measure(url, rows, repeat, log)
        finally:
            server.shutdown()
            server.server_close()
    res["kernel_join"] = kernel_join(repeat)
    res["snapshot_every_ms"] = SNAPSHOT_EVERY_MS
    import livestream_widget

    info["module"] = livestream_widget.__file__
    res["diffs"] = info
    res["rows"] = rows
    return res


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--compression", default="auto", choices=["auto", "lz4", "zstd", "none"])
    p.add_argument("--no-dictionaries", action="store_true")
    a = p.parse_args()
    compression = None if a.compression == "none" else a.compression
    res = run(
        a.rows,
        a.repeat,
        log=lambda s: print(s, file=sys.stderr),
        compression=compression,
        dictionaries=not a.no_dictionaries,
    )
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
