"""StreamWidget: a live table whose rows live in the browser, fed by LiveView-style stream ops."""

from __future__ import annotations

import asyncio
import logging
import pathlib
import threading
import time
from collections.abc import Callable
from typing import Any

import anywidget
import pyarrow as pa
import traitlets as t

from . import items as _items
from .compaction import compact
from .delivery import RESEND_BUDGET, Outbox
from .encoder import encode
from .flusher import FLUSHER
from .interaction import Interaction, split_columns
from .loading import AsyncLoading
from .messages import FrontEndMessages
from .oplog import OpLog, check_options

log = logging.getLogger(__name__)
_STATIC = pathlib.Path(__file__).parent / "static"

#: Pending row bytes that trigger a flush from the calling thread instead of waiting for the timer.
FLUSH_BYTES = 4 * 2**20
#: Minimum seconds between two messages of one widget (~100 messages/s at most).
MIN_SEND_INTERVAL = 0.01
#: Longest a producer thread waits for front ends to acknowledge before going on regardless
#: (then the oldest kept diffs are dropped, so memory stays bounded either way).
BACKPRESSURE_TIMEOUT = 10.0


class StreamWidget(FrontEndMessages, AsyncLoading, Interaction, anywidget.AnyWidget):
    """A live table fed by stream operations; the kernel keeps no rows once they are sent.

    >>> w = StreamWidget(name="trades", key="id")
    >>> w.stream(df, at=0, limit=1000)   # newest first, keep 1000
    >>> w.insert({"id": 7, "price": 1.5})  # update row trades-7 in place, or add it
    >>> w.delete_by_dom_id("trades-3")
    """

    _esm = _STATIC / "widget.js"
    _css = _STATIC / "widget.css"

    #: str, default "items". Stream name; prefix of default dom ids (`f"{name}-{key}"`).
    name = t.Unicode("items", read_only=True).tag(sync=True)
    #: str, default "id". Column (or dict field, or DataFrame index name) identifying a row.
    key = t.Unicode("id", read_only=True)
    #: list[str] | None, default None. Columns shown, in order. None: the first batch's columns
    #: (and later batches may not add columns). Given: extra columns of a batch are dropped and
    #: missing ones shown as null. Set by the widget to the columns in use after the first batch.
    columns = t.List(t.Unicode(), allow_none=True, default_value=None).tag(sync=True)
    #: str, default "400px". Table height: an int means pixels, a str is any CSS length.
    height = t.Union([t.Unicode(), t.Int(), t.Float()], default_value="400px").tag(sync=True)
    #: str, default "No rows yet". Text shown while the browser holds no row.
    empty_message = t.Unicode("No rows yet").tag(sync=True)
    #: int, read-only. Rows the browser holds, as reported by the front end after it applies a
    #: diff (so it lags calls by a round trip; it is 0 until a front end reports).
    count = t.Int(0, read_only=True)
    #: int, read-only. Diffs a front end reported missing that could no longer be resent (the
    #: widget then says rows may be missing). Observe it to be told when it happens.
    lost = t.Int(0, read_only=True)

    def __init__(
        self,
        name: str = "items",
        key: str = "id",
        columns: list[str | dict] | None = None,
        height: int | str = 400,
        empty_message: str = "No rows yet",
        source: Callable[[], Any] | None = None,
        resend_budget: int = RESEND_BUDGET,
        **kwargs: Any,
    ) -> None:
        """`source`: a loader (as for `stream_async`) that returns the rows to show again when
        a new front end appears after rows were sent (page reload, new tab); without it such a
        front end says that the rows lived in a page that is gone. `resend_budget`: bytes of
        sent diffs kept until acknowledged, to resend any the way lost. `columns` entries are
        names or dicts such as `{"name": "price", "label": "Price", "format": ",.2f"}` (see
        `column_options`). Every other trait (`actions`, `template`, `selection`, ...) may be
        passed too."""
        columns, options = split_columns(columns)
        if options:
            kwargs["column_options"] = {**options, **kwargs.get("column_options", {})}
        super().__init__(height=height, empty_message=empty_message, columns=columns, **kwargs)
        self.set_trait("name", name)
        self.set_trait("key", key)
        self._schema = _items.StreamSchema(columns)
        self._log = OpLog()
        self._bound = 0  # most rows the browser can hold: lets `compact` drop doomed rows
        self._compact_at = 0  # pending rows of one insert worth trying to compact
        self._dom_id: Callable[[dict], str] | None = None
        self._inserted = False
        self._lock = threading.Lock()  # guards the op log and schema against other threads
        self._send_lock = threading.Lock()  # keeps seq order when two threads flush at once
        self._seq = 0
        self._last_send = 0.0
        self._source = source
        self._outbox = Outbox(resend_budget)
        self._welcomed: set[str] = set()  # front ends already answered
        self._closed = False
        self._init_async()
        self._init_interaction()
        self.on_msg(self._on_front_end_msg)

    @t.validate("height")
    def _valid_height(self, proposal: dict) -> str:
        value = proposal["value"]
        return f"{value}px" if isinstance(value, int | float) else str(value)

    # -- stream API ---------------------------------------------------------------------------

    def configure(self, *, dom_id: Callable[[dict], str]) -> None:
        """Set how a dom id is made from a row (given as a dict). Only before the first insert."""
        self._check_open()
        if not callable(dom_id):
            raise TypeError("configure(dom_id=...) takes a function of one row (a dict) -> str")
        if self._inserted:
            raise RuntimeError(
                "configure() must come before the first insert: rows already sent keep their "
                "dom ids. Call it right after creating the widget, or create a new StreamWidget."
            )
        self._dom_id = dom_id

    def stream(
        self, items: Any, at: int = -1, limit: int | None = None, reset: bool = False
    ) -> None:
        """Insert many items in order (one insert per item); with `reset`, remove all rows first."""
        self._stream(items, *check_options(at, limit), reset)

    def _stream(
        self, items: Any, at: int, limit: int | None, reset: bool, wait: bool = True
    ) -> int:
        return self._insert(items, at, limit, False, reset=reset, wait=wait)

    def insert(
        self, item: Any, at: int = -1, limit: int | None = None, update_only: bool = False
    ) -> None:
        """Insert one item, or replace the row with its dom id in place (position kept).

        With `update_only`, an item whose row is not in the browser is dropped. A DataFrame or
        list is accepted too and applied row by row with the same options.
        """
        at, limit = check_options(at, limit)
        if not isinstance(update_only, bool):
            raise TypeError(f"update_only must be True or False, not {update_only!r}")
        self._insert(item, at, limit, update_only)

    def delete(self, item: Any) -> None:
        """Remove the row of `item` (a dict, Series, DataFrame or Arrow table of rows to remove)."""
        self._check_open()
        table = _items.to_table(item, self.key)
        ids = _items.dom_ids(table, self.name, self.key, self._dom_id)
        self._queue_delete(ids.to_pylist())

    def delete_by_dom_id(self, dom_id: str) -> None:
        """Remove the row with this dom id; unknown ids are ignored by the browser."""
        self._check_open()
        if not isinstance(dom_id, str):
            raise TypeError(f"dom_id must be a str such as '{self.name}-1', not {dom_id!r}")
        self._queue_delete([dom_id])

    def reset(self, items: Any = ()) -> None:
        """Remove every row, then insert `items` (if any). Columns may change after a reset."""
        self._insert(items, -1, None, False, reset=True)

    def flush(self, wait: bool = False) -> None:
        """Send pending ops now. At most ~100 messages/s go out: a call right after a send is
        deferred to the background timer (which sends within 50 ms), or with `wait=True`
        sleeps out the remaining few milliseconds and sends."""
        self._check_open()
        self._deliver(wait)

    def close(self) -> None:
        """Close the widget: running loads are cancelled, pending ops are dropped, and every
        later call raises (create a new StreamWidget to show rows again)."""
        if not getattr(self, "_closed", True):
            self._closed = True
            self._cancel_all("the widget was closed")
            with self._lock:
                self._log.take()
        super().close()

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(
                f"this StreamWidget ({self.name!r}) was closed, so nothing can reach its table. "
                "Create a new StreamWidget to show rows again."
            )

    def _deliver(self, wait: bool = False) -> None:
        """`flush` for the background timer too: a closed widget just has nothing to send."""
        with self._send_lock:
            if self._closed:
                return
            delay = self._last_send + MIN_SEND_INTERVAL - time.monotonic()
            if delay > 0 and wait:
                time.sleep(delay)
            elif delay > 0:
                if len(self._log):
                    FLUSHER.mark(self._deliver)
                return
            with self._lock:
                key = None if self._dom_id else self.key
                ops, self._bound = compact(self._log.take(), self._bound, key)
                self._compact_at = 0
            if not ops:
                return
            for content, buffers in encode(ops, self._seq + 1, prefix=f"{self.name}-"):
                self._seq = content["seq"]
                self.send(content, buffers)
                self._outbox.keep(content, buffers)
            del ops  # the kernel keeps no row once the diff is handed to the comm
            self._last_send = time.monotonic()

    # -- internals ----------------------------------------------------------------------------

    def _insert(
        self,
        items: Any,
        at: int,
        limit: int | None,
        update_only: bool,
        reset: bool = False,
        wait: bool = True,
    ) -> int:
        """Queue `items`. Everything that can fail (reading, types, dom ids) happens before
        anything changes, so a call that raises leaves schema, op log and seq as they were.
        `wait`: a producer thread waits here for the browser (loaders wait in their task)."""
        self._check_open()
        table = self._read(items)
        with self._lock:
            schema = self._schema.fresh() if reset else self._schema
            rows = table.num_rows
            if rows:
                key = None if self._dom_id else self.key
                if key is not None:
                    _items.check_keys(table, key)
                fitted = schema.fit(table)
                sent = fitted.table
                if key is None or not _items.derives_ids(sent, key):
                    key = None  # the ids travel as strings
                    ids = _items.dom_ids(table, self.name, self.key, self._dom_id)
                    sent = sent.add_column(0, _items.DOM_ID, ids)
            # Nothing below raises: commit.
            if reset:
                self._log.reset()
                self._schema = schema
            if rows:
                schema.commit(fitted)
                self._log.insert(sent, at, limit, update_only, sent.get_total_buffer_size(), key)
                self._inserted = True
                if limit is not None and self._log.last_rows >= max(
                    self._compact_at, 2 * max(abs(limit), 1) + self._bound + 1
                ):
                    self._compact_pending()
            pending = self._log.nbytes
            if self.columns != self._schema.names:
                self.columns = self._schema.names
        if rows or reset:
            FLUSHER.mark(self._deliver)
        if pending >= FLUSH_BYTES:
            self._flush_now()
        if wait and threading.current_thread() != threading.main_thread():
            # Backpressure: a producer thread waits for the browser. The main thread cannot (a
            # busy cell's kernel reads no acknowledgement); there the budget drops the oldest.
            self._outbox.wait_for_room(BACKPRESSURE_TIMEOUT)
        return rows

    def _compact_pending(self) -> None:
        # A producer faster than the timer piles up rows a limit will prune: drop them while
        # still pending, so pending memory stays near 3 * |limit| rows, the size trigger
        # rarely fires, and each flush sends only what survives. The bound stays the one
        # for what was sent (pending ops start from it). Called with the lock held.
        rows = self._log.last_rows
        key = None if self._dom_id else self.key
        self._log.put_back(compact(self._log.take(), self._bound, key)[0])
        kept = self._log.last_rows
        # Not compactible (e.g. repeated ids): try again only once the op has doubled.
        self._compact_at = 2 * rows if kept == rows else 0

    def _wait_for_room(self, stop: threading.Event) -> None:
        self._outbox.wait_for_room(BACKPRESSURE_TIMEOUT, stop)

    async def drain(self, timeout: float = BACKPRESSURE_TIMEOUT) -> bool:
        """For asyncio producers: wait, without blocking the kernel's loop, until front ends
        have acknowledged enough of what was sent. `stream_async` loaders get this for free."""
        deadline = time.monotonic() + timeout
        while not self._outbox.has_room() and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        return self._outbox.has_room()

    def _read(self, items: Any) -> pa.Table:
        return _items.to_table(items, self.key)

    def _queue_delete(self, ids: list[str]) -> None:
        with self._lock:
            self._log.delete(ids)
        FLUSHER.mark(self._deliver)

    def _flush_now(self) -> None:
        # From the calling thread, waiting out the pacing rather than deferring to the timer: a
        # producer outpacing the timer keeps pending memory near FLUSH_BYTES, and a finished
        # load's rows go out before the state that announces them.
        self._deliver(wait=True)
