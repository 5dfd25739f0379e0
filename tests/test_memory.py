"""The point of the widget: the kernel holds no row once it is delivered (1M rows), and a
producer faster than delivery cannot make kernel memory grow without bound."""

from .conftest import Stream, start_kernel
from .frontend import FrontEnd
from .kernel import RSS_SOURCE

SETUP = """
import tracemalloc, numpy as np
def batch(lo, n):
    return pd.DataFrame({
        'id': np.arange(lo, lo + n), 'ts': pd.date_range('2024-01-01', periods=n, freq='s') + pd.Timedelta(seconds=lo),
        'x': np.random.rand(n), 'k': np.arange(n, dtype='int32'), 'sym': ['ABCDEFGH'] * n,
        'note': ['a note of twenty to sixty chars ' + str(i) for i in range(n)]})
"""


def test_no_row_kept_after_delivery_1m_rows(stream):
    s = stream()
    s.run(SETUP)
    tab = FrontEnd(s).hello()  # delivered = acknowledged by the front end
    out = s.run(
        "gc.collect(); tracemalloc.start(); base_py = tracemalloc.get_traced_memory()[0]\n"
        "base_pa = pa.total_allocated_bytes()\n"
        # pyarrow wraps the numpy buffer without a copy, so the op log keeps `ids` alive until sent
        "ids = np.arange(100_000); ref = weakref.ref(ids)  # under the 4 MiB size trigger\n"
        # Holding the send lock keeps the background flush out while we look.
        "with w._delivery._lock:\n"
        "    w.stream(pa.table({'id': ids, 'v': np.random.rand(100_000)})); del ids\n"
        "    gc.collect(); held_before_flush = ref() is not None\n"
        "w.flush(); gc.collect(); freed = ref() is None\n"
        "w.reset()\n"
        "for lo in range(0, 1_000_000, 100_000): w.stream(batch(lo, 100_000))\n"
        "time.sleep(0.05); w.flush()\n"
        "print(held_before_flush, freed, len(w._stream.log))"
    )
    tab.ack_all()
    out += s.run(
        "gc.collect()\n"
        "print(pa.total_allocated_bytes() - base_pa + w._outbox.nbytes, tracemalloc.get_traced_memory()[0] - base_py)\n"
        "tracemalloc.stop()"
    )
    held_before, freed, pending_ops, arrow_bytes, py_bytes = out.split()
    # The check can fail: queued rows are held until sent.
    assert held_before == "True", out
    assert freed == "True" and pending_ops == "0"
    assert int(arrow_bytes) < 1 * 2**20, arrow_bytes
    assert int(py_bytes) < 2 * 2**20, py_bytes
    s.kernel.drain(0.3)
    assert sum(len(d.data["content"]["ops"]) for d in s.kernel.diffs(s.comm_id)) >= 2


def test_fast_producer_keeps_memory_bounded(stream):
    s = stream()
    s.run(SETUP)
    out = s.run(
        "gc.collect(); base = pa.total_allocated_bytes(); peak = 0\n"
        "for lo in range(0, 3_000_000, 1000):\n"
        "    w.stream(batch(lo, 1000), limit=-10_000)\n"
        # Kept diffs live in pages of their own (memory.py), outside Arrow's count.
        "    if lo % 50_000 == 0: peak = max(peak, pa.total_allocated_bytes() - base + w._outbox.nbytes)\n"
        "print(peak)"
    )
    # ~180 MB of rows pass through; pending data stays near the 4 MiB flush threshold.
    assert int(out) < 24 * 2**20, int(out)


def test_snapshots_keep_no_more_than_their_caps_1m_rows(stream):
    """With snapshots on (the default caps), 1M streamed rows leave the kernel holding one
    snapshot within `snapshot_bytes`, whether the kernel computes it (no front end) or a page
    sends it."""
    # No front end: the kernel keeps diffs for a first one (within the early budget) and ends
    # the cell with a snapshot computed from them.
    s = stream()
    s.run(SETUP)
    out = s.run(
        "from livestream_widget.outbox import EARLY_BUDGET\n"
        "gc.collect(); tracemalloc.start(); base = pa.total_allocated_bytes()\n"
        "for lo in range(0, 1_000_000, 100_000): w.stream(batch(lo, 100_000))\n"
        "w.flush()"
    )
    out = s.run(  # a new cell: the previous one ended, so the snapshot is there
        "gc.collect(); held = pa.total_allocated_bytes() - base + tracemalloc.get_traced_memory()[0]\n"
        "held += w._outbox.nbytes  # kept diffs: pages of their own (memory.py)\n"
        "tracemalloc.stop()\n"
        "print(held, EARLY_BUDGET, len(w._snapshot), w.snapshot_bytes, w.snapshot_info['rows'], w.snapshot_info['partial'])"
    )
    held, budget, shot, cap, rows, partial = out.split()
    assert 0 < int(shot) <= int(cap) and 0 < int(rows) <= 1000 and partial == "True", out
    # What the kernel holds: the diffs kept for a first front end, plus the snapshot.
    assert int(held) < int(budget) + int(cap) + 2**20, out

    # A live page: it acknowledges everything, then sends its first rows; the kernel keeps only
    # the snapshot it joins from them.
    s = stream()
    s.run(SETUP)
    tab = FrontEnd(s).hello()
    s.run(
        "gc.collect(); tracemalloc.start(); base = pa.total_allocated_bytes()\n"
        "for lo in range(0, 1_000_000, 100_000): w.stream(batch(lo, 100_000))\n"
        "w.flush()"
    )
    tab.ack_until(f"len({s.var}._outbox.kept()) == 0")
    import io

    import pandas as pd
    import pyarrow as pa

    first = pa.Table.from_pandas(
        pd.DataFrame({"id": range(2000), "x": 0.5, "note": "a note " * 8}), preserve_index=False
    )
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, first.schema) as writer:
        writer.write_table(first)
    ids = [f"items-{i}" for i in range(2000)]
    s.kernel.send_comm(
        s.comm_id,
        {"kind": "snapshot", "frontend": "tab1", "ids": ids, "total": 1_000_000},
        [sink.getvalue()],
    )
    s.kernel.run("pass")
    out = s.run(
        "gc.collect(); held = pa.total_allocated_bytes() - base + tracemalloc.get_traced_memory()[0]\n"
        "held += w._outbox.nbytes  # kept diffs: pages of their own (memory.py)\n"
        "tracemalloc.stop()\n"
        "print(held, len(w._snapshot), w.snapshot_bytes, w.snapshot_info['rows'], w.snapshot_info['total'])"
    )
    held, shot, cap, rows, total = out.split()
    assert rows == "1000" and total == "1000000", out
    assert 0 < int(shot) <= int(cap), out
    assert int(held) < int(cap) + 2**20, out


def test_kernel_memory_returns_after_a_delivered_1m_row_burst():
    """The kernel process's own memory (RSS, with no clean-up by the caller) after 1M rows in
    1,000-row DataFrames reach an acknowledging front end: back within a few MiB of before.
    Allocators keep freed memory cached per thread, and the kernel's threads pass rows around
    (the cell reads them, the flusher encodes them, acknowledgements free them): without the
    widget handing those caches back (memory.py) this kept 25-45 MiB."""
    k = start_kernel()  # fresh: no allocator cache left over from other tests
    try:
        s = Stream(k)
        s.run(SETUP + RSS_SOURCE)
        tab = FrontEnd(s).hello()
        # The rows exist before the baseline (a feed's source holds them either way).
        s.run("frames = [batch(lo, 1000) for lo in range(0, 1_000_000, 1000)]")
        s.run("gc.collect(); rss0 = rss()")
        s.run("for f in frames: w.stream(f)")
        tab.ack_until(f"len({s.var}._outbox.kept()) == 0")
        k.drain(0.2)
        rows = sum(op.get("rows", 0) for d in k.diffs(s.comm_id) for op in d.data["content"]["ops"])
        k.messages.clear()  # the test process's copies of the diffs
        out = s.run("time.sleep(0.5); print(rss() - rss0)")
    finally:
        k.stop()
    kept = int(out)
    assert rows == 1_000_000
    assert kept < 12 * 2**20, f"{kept / 2**20:.1f} MiB kept"


def test_kernel_memory_returns_after_a_1m_row_burst_with_no_front_end():
    """With no front end (a notebook run headless, or before the page loads), the kernel keeps
    the early budget's diffs for a first front end and, at the cell's end, decodes them into
    the notebook's snapshot; past that the cell's thread hands its cache back (after the
    snapshot, and after a timer flush under way). Before, 17-28 MiB stayed besides the diffs
    (the snapshot's decoding, cached); now 5-9."""
    k = start_kernel()  # fresh: no allocator cache left over from other tests
    try:
        s = Stream(k)
        s.run(SETUP + RSS_SOURCE)
        s.run("frames = [batch(lo, 1000) for lo in range(0, 1_000_000, 1000)]")
        s.run("gc.collect(); rss0 = rss()")
        s.run("for f in frames: w.stream(f)")
        k.messages.clear()  # the test process's copies of the diffs
        out = s.run(
            "time.sleep(0.5)\n"
            "print(rss() - rss0, w._outbox.nbytes, w.snapshot_info['rows'], w.snapshot_info['total'])"
        )
    finally:
        k.stop()
    kept, diffs, shown, total = (int(x) for x in out.split())
    assert shown > 0 and total >= shown  # the snapshot was made
    assert 0 < diffs <= 8 * 2**20  # the early budget
    assert kept - diffs < 12 * 2**20, f"{(kept - diffs) / 2**20:.1f} MiB kept besides the diffs"


def test_kept_diffs_live_in_pages_of_their_own():
    """A diff's buffers are kept until acknowledged and freed by whichever thread reads the
    acknowledgement: big ones are copied out of Arrow's allocator into their own mapping, so
    freeing them returns the memory at once (memory.py)."""
    import gc
    import os

    import numpy as np
    import pyarrow as pa

    from livestream_widget.encoder import encode
    from livestream_widget.memory import OWN_PAGES_BYTES, own_pages
    from livestream_widget.oplog import Insert

    small = pa.py_buffer(b"x" * 100)
    assert own_pages(small) is small
    big = pa.py_buffer(os.urandom(OWN_PAGES_BYTES + 1))
    own = own_pages(big)
    assert own.to_pybytes() == big.to_pybytes() and own.address != big.address

    gc.collect()
    base = pa.total_allocated_bytes()
    table = pa.table({"id": np.arange(200_000), "x": np.random.rand(200_000)})
    op = Insert(at=-1, limit=None, update_only=False, tables=[table], key="id")
    messages = list(encode([op], 1, compression=None))
    del table, op
    gc.collect()
    kept = sum(memoryview(b).nbytes for _, buffers in messages for b in buffers)
    assert kept > 3_000_000
    assert pa.total_allocated_bytes() - base < 64 * 1024, "kept buffers still in Arrow's pool"
