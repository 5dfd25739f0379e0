"""Where the kernel side spends its time: the benchmark loop in plain Python under cProfile.

Same data and calls as the `livestream-widget` contender of bench.py, without a kernel:
the widget's comm is replaced by ipykernel's own message serialisation (jupyter_client
`Session.serialize`: JSON + HMAC), so the profile shows the widget's work plus what a send costs
before ZMQ. Both contenders pay the ZMQ/IOPub part equally.

`python -m benchmarks.kernel.profile [--rows N] [--limit N] [--top N]`
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pathlib
import pstats
import time


def profile(
    rows: int = 1_000_000, limit: int | None = None, top: int = 15, batch: int = 1000
) -> dict:
    """`batch` 1: `w.insert(row_dict)` per row (rows as `DataFrame.to_dict("records")`)."""
    from jupyter_client.session import Session

    from benchmarks.kernel.data import make_batches, make_frame
    from livestream_widget import StreamWidget
    from livestream_widget.flusher import FLUSHER

    batches = make_batches(rows) if batch > 1 else make_frame(rows).to_dict("records")
    session = Session(key=b"0123456789abcdef")
    w = StreamWidget()

    def send(content, buffers=None):
        msg = session.msg(
            "comm_msg", {"comm_id": "x", "data": {"method": "custom", "content": content}}
        )
        parts = session.serialize(msg)
        parts.extend(buffers or [])

    w.send = send
    FLUSHER.interval = 3600  # only the loop's own (size-triggered) flushes, in this thread
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    for item in batches:
        if batch > 1:
            w.stream(item, limit=limit)
        else:
            w.insert(item, limit=limit)
    w._delivery._last_send = 0.0
    w.flush()
    prof.disable()
    seconds = time.perf_counter() - t
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    entries = _entries_in_order(stats)
    entries.sort(key=lambda e: -e["tottime"])
    # The widget's own functions (and the simulated send) by cumulative time: where a batch goes.
    mine = [
        e
        for (filename, _line, func), e in zip(stats.stats, _entries_in_order(stats), strict=True)
        if "livestream_widget" in filename or (func == "send" and filename == __file__)
    ]
    mine.sort(key=lambda e: -e["cumtime"])
    return {
        "rows": rows,
        "batch": batch,
        "seconds": seconds,
        "top": entries[:top],
        "widget": mine[:top],
        "text": out.getvalue(),
    }


def _entries_in_order(stats: pstats.Stats) -> list[dict]:
    return [
        {
            "function": f"{'/'.join(pathlib.Path(fn).parts[-2:])}:{line}({func})",
            "calls": nc,
            "tottime": tt,
            "cumtime": ct,
        }
        for (fn, line, func), (_cc, nc, tt, ct, _callers) in stats.stats.items()
    ]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--batch", type=int, default=1000, choices=[1, 1000])
    a = p.parse_args()
    r = profile(a.rows, a.limit, a.top, a.batch)
    speed = r["rows"] / r["seconds"]
    print(f"{r['rows']:,} rows in {r['seconds']:.2f} s under cProfile ({speed:,.0f} rows/s)")
    print(r["text"])


if __name__ == "__main__":
    main()
