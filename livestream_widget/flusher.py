"""When pending ops leave the kernel: at the end of each cell, and from a timer while a cell runs.

One background thread serves every widget of the process. It sleeps until a widget has pending
ops, then flushes at once if it has not flushed for `INTERVAL` seconds (else when that interval
is over), so an isolated row appears within milliseconds, rows appear live during a long loop,
and many small calls still coalesce into few messages (the Jupyter server drops comm messages
above 1000/s, and ipykernel's IOPub queue drops on bursts).
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable

from .memory import release_cached

log = logging.getLogger(__name__)

#: Seconds between timer flushes of one widget while a cell runs.
INTERVAL = 0.05
#: Seconds without pending ops after which the flusher's thread takes a burst to be over.
QUIET = 0.1


#: What a widget hands the flusher: its method that sends pending ops (`wait`: never defer).
Deliver = Callable[[bool], None]


class Flusher:
    def __init__(self, interval: float = INTERVAL) -> None:
        self.interval = interval
        # Widgets with pending ops, by identity; weak, so a widget nobody holds can go.
        self._dirty: dict[int, weakref.WeakMethod] = {}
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._hooked = False
        # Called after each cell's flush (weakly: a widget nobody holds can go).
        self._cell_hooks: dict[int, weakref.WeakMethod] = {}
        # Rows were queued since the last cell ended (its thread then releases its cache).
        self._cell_marked = False
        # Held while flushing, by the timer's thread and by a cell's end: the cell's end waits
        # for a timer flush under way, whose rows the cell queued. Re-entrant, so that a flush
        # reaching here again on the same thread cannot deadlock.
        self._flushing = threading.RLock()

    def mark(self, deliver: Deliver) -> None:
        """The widget of the bound method `deliver` has pending ops: call it within one
        interval."""
        with self._wake:
            self._dirty[id(deliver.__self__)] = weakref.WeakMethod(deliver)  # type: ignore[attr-defined]
            self._cell_marked = True
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="livestream-widget-flush", daemon=True
                )
                self._thread.start()
            self._wake.notify()
        self._hook_cells()

    def flush_all(self, *_args: object, wait: bool = False) -> None:
        """Flush every widget with pending ops now; `wait`: never defer to the timer."""
        with self._wake:
            widgets = [ref() for ref in self._dirty.values()]
            self._dirty.clear()
        for deliver in widgets:
            if deliver is not None:
                self._flush(deliver, wait)

    def _run(self) -> None:
        last = 0.0
        flushed = False  # since this thread last handed its allocator cache back
        while True:
            with self._wake:
                if flushed and not self._dirty:
                    self._wake.wait(QUIET)
                quiet = not self._dirty
            if flushed and quiet:
                # A burst is over: this thread encoded its diffs, and its cache goes back now
                # (memory.py), once, not per flush (~2 ms).
                release_cached()
                flushed = False
            with self._wake:
                while not self._dirty:
                    self._wake.wait()
            # Leading edge: an isolated call goes out at once (low latency); during a burst the
            # next flush waits out the interval, so calls coalesce into few messages. Short
            # steps, so that a changed `interval` applies at once.
            while (wait := last + self.interval - time.monotonic()) > 0:
                time.sleep(min(0.005, wait))
            last = time.monotonic()
            with self._flushing:
                self.flush_all()
            flushed = True

    def after_cells(self, hook: Callable[[], None]) -> None:
        """Call the bound method `hook` at the end of every cell, after the flush."""
        self._cell_hooks[id(hook.__self__)] = weakref.WeakMethod(hook)  # type: ignore[attr-defined]
        self._hook_cells()

    def end_of_cell(self, *_args: object) -> None:
        """Every row a cell queued leaves before the kernel reports the cell done."""
        if threading.current_thread() is not threading.main_thread():
            # Not a cell: the comm package fires post_execute after every comm message, and a
            # kernel subshell handles acknowledgements on its own thread while a cell runs
            # (subshells.py). Flushing there would compete with the cell for the send lock.
            return
        with self._flushing:  # after a timer flush under way: its rows are this cell's too
            self.flush_all(wait=True)
        for key, ref in list(self._cell_hooks.items()):
            hook = ref()
            if hook is None:
                self._cell_hooks.pop(key, None)
                continue
            try:
                hook()
            except Exception:  # one widget's failure must not stop the others
                log.exception("livestream-widget: end-of-cell hook failed")
        if self._cell_marked:
            # The cell read rows (and maybe encoded them) on this thread, and the hooks may have
            # decoded kept diffs into a snapshot: this thread's cache goes back, after both.
            self._cell_marked = False
            release_cached()

    @staticmethod
    def _flush(deliver: Deliver, wait: bool = False) -> None:
        try:
            deliver(wait)
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
            ip.events.register("post_execute", self.end_of_cell)


#: The process-wide flusher every StreamWidget uses.
FLUSHER = Flusher()
