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
  (`release_cached`: the flusher's thread when it goes idle, a cell's thread when the cell ends).
"""

from __future__ import annotations

import mmap

import pyarrow as pa

#: Buffers at least this big get pages of their own; smaller ones (a live feed's few rows) stay
#: in the allocator, where a page each would waste more than their cache costs.
OWN_PAGES_BYTES = 64 * 1024


def own_pages(buf: pa.Buffer) -> pa.Buffer:
    """`buf`'s bytes in an anonymous mapping of their own (a copy), if `buf` is big enough to
    matter; the mapping is unmapped when the returned buffer and every view of it are gone."""
    if buf.size < OWN_PAGES_BYTES:
        return buf
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
    burst, not per diff)."""
    pa.default_memory_pool().release_unused()
