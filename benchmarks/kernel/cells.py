"""The kernel side's cells: what each contender runs in its fresh kernel (bench.py).

A run is: the data (benchmarks/kernel/data.py, pasted as a cell: the kernels import nothing from
here) + SETUP + the contender's setup; BEFORE (memory baseline); the timed body; AFTER
(memory kept, CPU). Bodies leave `_out` with the run's times and the last data message to
wait for (`kind` None: a peer, whose run ends when its cell's last message arrives).
"""

from __future__ import annotations

import pathlib

from benchmarks.kernel import peers

HERE = pathlib.Path(__file__).resolve().parent
DATA_SRC = (HERE / "data.py").read_text()
FLOOR_SRC = (HERE / "floor.py").read_text()

SETUP = """
import ctypes, gc, time
import numpy as np, pandas as pd, pyarrow as pa
_libc = ctypes.CDLL("libc.so.6")

def _rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024

def _settle():
    # Free what is garbage and hand allocator caches back, so the baseline is a low point.
    gc.collect(); pa.default_memory_pool().release_unused(); _libc.malloc_trim(0)

_BATCH = {batch}
# Batches of 1 are rows as dicts (what a feed of single rows hands over); else DataFrames.
_batches = make_batches({rows}, _BATCH) if _BATCH > 1 else make_frame({rows}).to_dict("records")

def _module_file():
    import sys
    m = sys.modules.get("livestream_widget")
    return m.__file__ if m else None
_rows = sum(len(b) for b in _batches) if _BATCH > 1 else len(_batches)
"""

LIVESTREAM_SETUP = """
from livestream_widget import StreamWidget
_w = StreamWidget()
"""

# The floor's encoding is floor.py's, pasted in: the same bytes as lab/bench.py's floor.
FLOOR_SETUP = (
    FLOOR_SRC
    + """
import anywidget

class _Floor(anywidget.AnyWidget):
    _esm = "export default {}"

_w = _Floor()
_names = list(_batches[0].columns) if _BATCH > 1 else list(_batches[0])
"""
)

BEFORE = """
_settle()
_rss0, _pa0 = _rss(), pa.total_allocated_bytes()
_cpu0 = time.process_time()  # CPU time of every thread of the kernel process
"""

LIVESTREAM_RUN = """
_t0 = time.monotonic()
if _BATCH > 1:
    for _df in _batches:
        _w.stream(_df{options})
else:
    for _r in _batches:
        _w.insert(_r{options})
_w.flush()
while True:  # a flush right after a send is deferred to the timer thread: wait it out
    with _w._stream.lock:
        _pending = len(_w._stream.log)
    if not _pending:
        break
    time.sleep(0.001)
    _w.flush()
with _w._delivery._lock:  # a timer flush may still be encoding/sending
    pass
_t1 = time.monotonic()
_out = dict(t0=_t0, t1=_t1, last=_w._seq, kind="diff")
"""

FLOOR_RUN = """
_t0 = time.monotonic()
if _BATCH > 1:
    for _i, _df in enumerate(_batches):
        _content = {"kind": "floor", "seq": _i + 1, "rows": len(_df), "columns": _names}
        _w.send(_content, column_buffers(_df))
else:
    for _i, _r in enumerate(_batches):
        _content = {"kind": "floor", "seq": _i + 1, "rows": 1, "columns": _names}
        _w.send(_content, row_buffers(_r, _names))
_t1 = time.monotonic()
_out = dict(t0=_t0, t1=_t1, last=len(_batches), kind="floor")
"""

PEER_RUN = """
_t0 = time.monotonic()
{body}
_t1 = time.monotonic()
_out = dict(t0=_t0, t1=_t1, last=None, kind=None)
"""

AFTER = """
_cpu = time.process_time() - _cpu0  # first thing: the run's CPU, not this cell's
time.sleep(0.2)  # let ZMQ release the zero-copy frames it has sent
gc.collect()
_mem = dict(rss=_rss() - _rss0, pa=pa.total_allocated_bytes() - _pa0)
_settle()
_mem["rss_settled"] = _rss() - _rss0
_mem["pool"] = pa.default_memory_pool().backend_name
# Diffs the widget keeps for a first front end (in pages of their own, outside Arrow's count).
_outbox = getattr(globals().get("_w"), "_outbox", None)  # peers' widgets have none
_mem["outbox"] = _outbox.nbytes if _outbox is not None else 0
_mem["cpu"] = _cpu
"""

CONTENDERS = {
    "livestream-widget": (LIVESTREAM_SETUP, LIVESTREAM_RUN.replace("{options}", "")),
    "livestream-widget, limit=-10_000": (
        LIVESTREAM_SETUP,
        LIVESTREAM_RUN.replace("{options}", ", limit=-10_000"),
    ),
    "raw floor": (FLOOR_SETUP, FLOOR_RUN),
}
FLOOR = "raw floor"
LSW = "livestream-widget"

#: Not contenders: the widget with a line patched in (inside the benchmark kernel only), to check
#: a suggested fix under the same conditions; run by run.py unless --quick. None at present (the
#: widget now hands allocator caches back itself: livestream_widget/memory.py).
DIAGNOSTICS: dict[str, tuple[str, str]] = {}


#: The widget with other payload settings (livestream_widget/payload.py): what compression and
#: dictionaries cost or save the kernel. Chosen with `bench.py --contender` only, not in a run.
WIRE_VARIANTS = {
    **{
        f"livestream-widget, compression={c}": (
            LIVESTREAM_SETUP + f"_w.compression = {c!r}\n",
            LIVESTREAM_RUN.replace("{options}", ""),
        )
        for c in ("lz4", "zstd", None)
    },
    "livestream-widget, no dictionaries": (
        LIVESTREAM_SETUP
        + "import livestream_widget.payload as _p\n_p.DICTIONARY_MIN_ROWS = 2**62\n",
        LIVESTREAM_RUN.replace("{options}", ""),
    ),
}


def cells(contender: str, batch: int) -> tuple[str, str]:
    """(setup, timed body) of a contender for this batch size."""
    if contender in peers.PEERS:
        setup, bodies = peers.PEERS[contender]
        return setup, PEER_RUN.format(body=bodies[batch])
    return {**CONTENDERS, **DIAGNOSTICS, **WIRE_VARIANTS}[contender]
