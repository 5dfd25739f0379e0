"""The benchmark notebook of bench.py: its cells, by name.

Results leave the kernel as small JSON files in the server's root (`_save`, session.py),
read back by `Session.load`; times are `time.time()` stamps, compared with the page's
`Date.now()` (the same machine clock).
"""

from __future__ import annotations

from benchmarks.lab.session import SAVE_CELL

LATENCY_SAMPLES = 150
LATENCY_GAP = 0.1  # s between two single-row inserts (plus 0-20 ms jitter)
CELL_SAMPLES = 30  # single-row latency, one cell run per row
LIMIT = 20

# The kernel imports `benchmarks.kernel.data` (and `benchmarks.kernel.floor`, FLOOR) from this
# checkout: the JupyterLab server, and so its kernels, get the repo root on PYTHONPATH
# (tests/e2e/harness.py).
SETUP = (
    """\
import json, random, threading, time
from benchmarks.kernel.data import make_batches, make_frame
from livestream_widget import StreamWidget
"""
    + SAVE_CELL
    + """
w = StreamWidget(name="bench", height=400)
_save("pid", __import__("os").getpid())  # the harness reads the kernel's RSS

# Until `del w.send`: (time, buffer bytes) of every diff `w` hands to the comm, into `out`.
def _stamp_sends(out):
    send = w.send
    def stamped(content, buffers=None):
        if isinstance(content, dict) and content.get("kind") == "diff":
            out.append((time.time(), sum(memoryview(b).nbytes for b in buffers or [])))
        return send(content, buffers)
    w.send = stamped

w
"""
)
DATA = """\
batches = make_batches({rows}, data={data!r})
big = make_frame({rows}, data={data!r})
rows = make_frame({samples}).to_dict("records")
print(len(batches), len(big), len(rows))
"""
RESET = "w.reset()"
STREAM_BATCHES = """\
_t0 = time.time()
for _df in batches:
    w.stream(_df)
_save("t0", _t0)
"""
STREAM_BIG = """\
_t0 = time.time()
w.stream(big)
_save("t0", _t0)
"""
# One row at a time, as a live feed would: a row, then a pause. The dom id is bench-<id>.
LATENCY_LOOP = """\
_stamps = {{}}
_rng = random.Random(1)
# When each diff is handed to the comm, to split a row's latency into kernel and page time.
_lat_sends = []
_stamp_sends(_lat_sends)
for _i, _r in enumerate(rows):
    _id = {base} + _i
    _t = time.time()
    w.insert({{**_r, "id": _id}}, at=0, limit={limit})
    _stamps[f"bench-{{_id}}"] = _t
    time.sleep({gap} + _rng.random() * 0.02)
del w.send
_save("stamps", _stamps)
_save("lat_sends", [t for t, _ in _lat_sends])
"""
CELL_INIT = "_cell_stamps = {}; _n = 0"
CELL_ONE = """\
_id = {base} + _n; _n += 1
_t = time.time()
w.insert({{**rows[_n], "id": _id}}, at=0, limit={limit})
_cell_stamps[f"bench-{{_id}}"] = _t
"""
CELL_SAVE = '_save("stamps", _cell_stamps)'


# The transport floor: the same rows as raw column buffers (floor.py, as the kernel side's
# floor) in messages of FLOOR_BATCHES DataFrames (~4 MiB, the size at which the
# widget flushes), to a widget whose front end only adds up `rows` and writes `data-count`.
FLOOR_BATCHES = 42
FLOOR = """\
import anywidget, pandas as pd
from benchmarks.kernel.floor import column_buffers

class _Floor(anywidget.AnyWidget):
    _esm = \"\"\"
export default {
  render({ model, el }) {
    const box = document.createElement("div");
    box.className = "lsw-floor";
    box.dataset.count = "0";
    box.textContent = "transport floor";
    el.append(box);
    let n = 0;
    const on = (content) => {
      n = content.kind === "reset" ? 0 : n + content.rows;
      box.dataset.count = String(n);
    };
    model.on("msg:custom", on);
    return () => model.off("msg:custom", on);
  },
};
\"\"\"

floor = _Floor()
floor
"""
FLOOR_RESET = 'floor.send({"kind": "reset"})'
FLOOR_STREAM = """\
_t0 = time.time()
for _i in range(0, len(batches), {k}):
    _df = pd.concat(batches[_i : _i + {k}])
    floor.send({{"kind": "rows", "rows": len(_df)}}, column_buffers(_df))
_save("t0", _t0)
"""
# Profiled repetition: the same stream, with the time of every diff handed to the comm.
PROFILE_STREAM = """\
_sends = []
_stamp_sends(_sends)
_t0 = time.time()
for _df in batches:
    w.stream(_df)
_t1 = time.time()
_save("t0", _t0)
"""
# Run once the page shows every row: the diffs the flusher's timer and the cell's end sent
# after the loop were stamped too.
PROFILE_SAVE = """\
del w.send
_save("loop_end", _t1)
_save("sends", [t for t, _ in _sends])
_save("sizes", [n for _, n in _sends])
"""

# Before the kernel's RSS is read: free what is garbage and hand allocator caches back, so the
# reading is a low point (as the kernel benchmark's `_settle`).
SETTLE = """\
import ctypes, gc
import pyarrow as _pa
gc.collect(); _pa.default_memory_pool().release_unused(); ctypes.CDLL("libc.so.6").malloc_trim(0)
"""

#: name -> cell index in the benchmark notebook
CELL = {
    name: i
    for i, name in enumerate(
        [
            "setup",
            "data",
            "reset",
            "stream_batches",
            "stream_big",
            "latency_loop",
            "cell_init",
            "cell_one",
            "cell_save",
            "floor",
            "floor_reset",
            "floor_stream",
            "profile_stream",
            "profile_save",
            "settle",
        ]
    )
}


def cells(rows: int, data: str = "synthetic") -> list[str]:
    """The notebook's cells; `data` names the data set streamed (benchmarks/kernel/data.py;
    the single-row latency cells always insert synthetic rows)."""
    loop = dict(limit=LIMIT, gap=LATENCY_GAP)
    src = {
        "setup": SETUP,
        "data": DATA.format(rows=rows, data=data, samples=max(LATENCY_SAMPLES, CELL_SAMPLES + 1)),
        "reset": RESET,
        "stream_batches": STREAM_BATCHES,
        "stream_big": STREAM_BIG,
        "latency_loop": LATENCY_LOOP.format(base=0, **loop),
        "cell_init": CELL_INIT,
        "cell_one": CELL_ONE.format(base=20_000_000, limit=LIMIT),
        "cell_save": CELL_SAVE,
        "floor": FLOOR,
        "floor_reset": FLOOR_RESET,
        "floor_stream": FLOOR_STREAM.format(k=FLOOR_BATCHES),
        "profile_stream": PROFILE_STREAM,
        "profile_save": PROFILE_SAVE,
        "settle": SETTLE,
    }
    return [src[name] for name in CELL]
