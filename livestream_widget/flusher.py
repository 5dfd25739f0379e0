"""When pending ops leave the kernel: at the end of each cell, and from a timer while a cell runs.

One background thread serves every widget of the process. It sleeps until a widget has pending
ops, then flushes it at most every `INTERVAL` seconds, so rows appear live during a long loop
while many small calls still coalesce into few messages (the Jupyter server drops comm messages
above 1000/s, and ipykernel's IOPub queue drops on bursts).
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from typing import Protocol

import pyarrow as pa

log = logging.getLogger(__name__)

#: Seconds between timer flushes of one widget while a cell runs.
INTERVAL = 0.05


class Flushable(Protocol):
    def flush(self) -> None: ...


class Flusher:
    def __init__(self, interval: float = INTERVAL) -> None:
        self.interval = interval
        self._dirty: weakref.WeakSet[Flushable] = weakref.WeakSet()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._hooked = False

    def mark(self, widget: Flushable) -> None:
        """`widget` has pending ops: flush it within one interval."""
        with self._wake:
            self._dirty.add(widget)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="livestream-widget-flush", daemon=True
                )
                self._thread.start()
            self._wake.notify()
        self._hook_cells()

    def flush_all(self, *_args: object) -> None:
        """Flush every widget with pending ops now (end of a cell)."""
        with self._wake:
            widgets = list(self._dirty)
            self._dirty.clear()
        for widget in widgets:
            self._flush(widget)
        with self._wake:
            burst_over = widgets and not self._dirty
        if burst_over:
            # Sent rows are freed, but Arrow's allocator keeps their pages cached; hand them
            # back once a burst ends (not per flush: it costs ~2 ms).
            pa.default_memory_pool().release_unused()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._dirty:
                    self._wake.wait()
            # Let a burst of calls accumulate before encoding it as one message. Short steps,
            # so that a changed `interval` applies at once.
            start = time.monotonic()
            while time.monotonic() - start < self.interval:
                time.sleep(min(0.005, self.interval))
            self.flush_all()

    @staticmethod
    def _flush(widget: Flushable) -> None:
        try:
            widget.flush()
        except Exception:  # a failing widget must not stop the others' deliveries
            log.exception("livestream-widget: flush failed")

    def _hook_cells(self) -> None:
        if self._hooked:
            return
        self._hooked = True
        try:
            from IPython import get_ipython
        except ImportError:
            return
        ip = get_ipython()
        if ip is not None:
            ip.events.register("post_execute", self.flush_all)


#: The process-wide flusher every StreamWidget uses.
FLUSHER = Flusher()
