"""What the kernel's memory keeps after a burst: only the diffs not yet acknowledged.

Arrow's default allocator (mimalloc, jemalloc) keeps freed memory cached per thread, and a block
freed by another thread than the one that allocated it goes back to the allocating thread's
cache, which only that thread can hand back to the OS (`release_unused()` works on the calling
thread's cache). The kernel's threads pass rows around: the cell's thread reads DataFrames, the
flusher's thread encodes them, and whichever thread handles a front end's acknowledgement frees
the diff it kept. So:

- a kept diff's buffer lives in pages of its own (`own_pages`), unmapped when it is freed,
  from whichever thread, and not in an allocator's cache;
- each thread that encodes or reads rows hands its cache back when its burst is over
  (`release_cached`: the flusher's thread when it goes idle, a cell's thread when the cell ends);
- after a burst of at least TRIM_AFTER_BYTES, glibc's heap is trimmed too (`malloc_trim`): the
  DataFrames' columns read on the way (numpy, pandas) leave its arenas holding freed pages.
  A few ms on a large heap, so not after a cell that sent a few rows.
"""

from __future__ import annotations

import ctypes
import mmap
import threading

import pyarrow as pa

#: Buffers at least this big get pages of their own; smaller ones (a live feed's few rows) stay
#: in the allocator, where a page each would waste more than their cache costs.
OWN_PAGES_BYTES = 64 * 1024
#: Bytes of diffs encoded since the last trim after which a burst's end trims glibc's heap.
TRIM_AFTER_BYTES = 4 * 2**20


def _malloc_trim():
    """glibc's `malloc_trim`, or None (other C libraries, macOS, Windows)."""
    try:
        return ctypes.CDLL(None).malloc_trim  # the process's own symbols: its C library's
    except (OSError, AttributeError, TypeError):
        return None


_trim = _malloc_trim()
_lock = threading.Lock()
_encoded = 0  # bytes given own pages, in all
_seen = threading.local()  # per thread: `_encoded` when it last released
# The cell's thread and the flusher's often end a burst at the same moment; releasing both
# caches at once left one of them holding ~10 MiB (measured), one after the other does not.
_releasing = threading.Lock()


def own_pages(buf: pa.Buffer) -> pa.Buffer:
    """`buf`'s bytes in an anonymous mapping of their own (a copy), if `buf` is big enough to
    matter; the mapping is unmapped when the returned buffer and every view of it are gone."""
    global _encoded
    if buf.size < OWN_PAGES_BYTES:
        return buf
    with _lock:
        _encoded += buf.size
    if hasattr(mmap, "MAP_ANONYMOUS"):
        # Populated up front: one call maps every page, where touching them one by one while
        # copying costs a page fault each (twice the time of the copy here).
        flags = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | getattr(mmap, "MAP_POPULATE", 0)
        pages = mmap.mmap(-1, buf.size, flags=flags)
    else:  # Windows: anonymous memory backed by the paging file
        pages = mmap.mmap(-1, buf.size)
    pages.write(memoryview(buf))
    return pa.py_buffer(pages)


def release_cached() -> None:
    """Hand the calling thread's cached allocator memory back to the OS (~1-2 ms: once per
    burst, not per diff), and trim glibc's heap after a big burst."""
    with _releasing:  # one thread at a time: see _releasing
        pa.default_memory_pool().release_unused()
        # Per thread: the cell's thread and the flusher's each end a burst, in either order.
        with _lock:
            encoded = _encoded
        if encoded - getattr(_seen, "encoded", 0) >= TRIM_AFTER_BYTES and _trim is not None:
            _trim(0)
        _seen.encoded = encoded
