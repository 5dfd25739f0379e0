"""`w.paginate(fetch_page, per_page)`: LiveView's infinite scroll, both ways.

Reaching the last row streams the next page with `at=-1, limit=-keep*per_page` (rows fall off
the top); reaching the first row streams the previous page with `at=0, limit=keep*per_page`
(rows fall off the bottom). A page is streamed reversed when prepended: a bulk insert at 0
reverses its items (the contract), so the page reads in its own order. The browser keeps the
viewport anchored on the row the user was looking at while rows come and go at the other end.
"""

from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import Callable
from typing import Any

import pyarrow as pa

from . import items as _items
from .tasks import Task

log = logging.getLogger(__name__)


class Paginator:
    """Loads pages on demand; `top` / `bottom` are the first / last page held, `at_end` is set
    once a page came back shorter than `per_page`. One page loads at a time."""

    def __init__(
        self, widget: Any, fetch_page: Callable[[int], Any], per_page: int, keep_pages: int = 3
    ) -> None:
        if not callable(fetch_page):
            raise TypeError(f"paginate needs a function page_number -> items, not {fetch_page!r}")
        for name, value in (("per_page", per_page), ("keep_pages", keep_pages)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be an int >= 1, not {value!r}")
        self.w, self.fetch, self.per_page, self.keep = widget, fetch_page, per_page, keep_pages
        self.top, self.bottom, self.at_end = 0, -1, False
        self.error: BaseException | None = None
        self._busy = threading.Lock()
        widget.on_viewport_bottom(self.next)
        widget.on_viewport_top(self.previous)

    def next(self, _dom_id: str | None = None) -> bool:
        """Load the page after the last one held (as reaching the last row does)."""
        if self.at_end:
            return False
        return self._load(self.bottom + 1, forward=True)

    def previous(self, _dom_id: str | None = None) -> bool:
        """Load the page before the first one held (as reaching the first row does)."""
        if self.top == 0 or self.bottom < 0:
            return False
        return self._load(self.top - 1, forward=False)

    def _load(self, page: int, forward: bool) -> bool:
        if not self._busy.acquire(blocking=False):
            return False  # the edge fires again after this page is in
        edge = "bottom" if forward else "top"
        self._edge(edge, "loading")
        fetch = self.fetch
        run: Callable[[], Any]
        if inspect.iscoroutinefunction(fetch):

            async def run_async() -> Any:
                return await fetch(page)

            run = run_async
        else:
            run = lambda: fetch(page)  # noqa: E731

        Task(run, lambda ok, value: self._done(page, forward, ok, value)).start()
        return True

    def _done(self, page: int, forward: bool, ok: bool, value: Any) -> None:
        try:
            if not ok:
                self.error = value
                log.warning("livestream-widget paginate: page %d failed: %r", page, value)
                self._edge("bottom" if forward else "top", "")
                return
            self.error = None
            table = _items.to_table(value, self.w.key) if value is not None else pa.table({})
            rows = table.num_rows
            window = self.keep * self.per_page
            if forward:
                if rows:
                    self.w.stream(table, at=-1, limit=-window)
                    self.bottom = page
                    self.top = max(self.top, self.bottom - self.keep + 1)
                self.at_end = rows < self.per_page
                self._edge("bottom", "end" if self.at_end else "")
            else:
                if rows:
                    self.w.stream(_reversed(table), at=0, limit=window)
                    self.top = page
                    self.bottom = min(self.bottom, self.top + self.keep - 1)
                    self.at_end = False
                self._edge("top", "")
                self._edge("bottom", "")
        finally:
            self._busy.release()

    def _edge(self, edge: str, state: str) -> None:
        self.w.edges = {**self.w.edges, edge: state}


def _reversed(table: pa.Table) -> pa.Table:
    return table.take(pa.array(range(table.num_rows - 1, -1, -1)))
