"""StreamWidget: a live table whose rows live in the browser, fed by LiveView-style stream ops.

(Just over 400 lines: this is the whole public API in one class, each method documented where
users read it and delegating to one of the parts below.)

The widget owns its parts and wires them together; each is readable on its own:
- the stream (stream.py): op log, columns, dom ids; items are read here (items.py);
- delivery (delivery.py): numbering, pacing, acknowledgements, resends;
- loading (loading.py): stream_async, stream_from, start_async;
- events (interaction.py): clicks, actions, viewport edges; traits.py declares the synced state.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from typing import Any

import pyarrow as pa

from . import items as _items
from . import snapshot
from .async_result import AsyncResult
from .columns import split_columns
from .delivery import BACKPRESSURE_TIMEOUT, Delivery
from .fetch import FETCH_TIMEOUT, Fetches, Order, to_pandas
from .flusher import FLUSHER
from .interaction import Events
from .loading import STREAM, Loading
from .messages import parse
from .oplog import check_options
from .outbox import RESEND_BUDGET, Outbox
from .pagination import Paginator
from .stream import Stream
from .subshells import route_delivery_messages
from .traits import StreamTraits
from .wire import SnapshotParts

log = logging.getLogger(__name__)

#: Pending row bytes that trigger a flush from the calling thread instead of waiting for the timer.
FLUSH_BYTES = 4 * 2**20


class StreamWidget(StreamTraits):
    """A live table fed by stream operations; the kernel keeps no rows once they are sent.

    >>> w = StreamWidget(name="trades", key="id")
    >>> w.stream(df, at=0, limit=1000)   # newest first, keep 1000
    >>> w.insert({"id": 7, "price": 1.5})  # update row trades-7 in place, or add it
    >>> w.delete_by_dom_id("trades-3")
    """

    def __init__(
        self,
        name: str = "items",
        key: str = "id",
        columns: list[str | dict] | None = None,
        height: int | str = 400,
        empty_message: str = "No rows yet",
        replay: Callable[[], Any] | None = None,
        resend_budget: int = RESEND_BUDGET,
        **kwargs: Any,
    ) -> None:
        """`replay`: a loader (as for `stream_async`) that returns the rows to show again when
        a new front end appears after rows were sent (page reload, new tab); without it such a
        front end says that the rows lived in a page that is gone. `resend_budget`: bytes of
        sent diffs kept until acknowledged, to resend any the way lost. `columns` entries are
        names or dicts such as `{"name": "price", "label": "Price", "format": ",.2f"}` (see
        `column_options`). Every other trait (`actions`, `template`, `selection`, ...) may be
        passed too."""
        if "source" in kwargs:
            warnings.warn(
                "StreamWidget(source=...) is now StreamWidget(replay=...)",
                DeprecationWarning,
                stacklevel=2,
            )
            replay = kwargs.pop("source")
        names, options = split_columns(columns)
        if options:
            kwargs["column_options"] = {**options, **kwargs.get("column_options", {})}
        super().__init__(height=height, empty_message=empty_message, columns=names, **kwargs)
        self.set_trait("name", name)
        self.set_trait("key", key)
        self._stream = Stream(name, key, names)
        self._closed = False
        self._replay = replay
        self._delivery = Delivery(
            lambda content, buffers: self.send(content, buffers),  # looked up per call
            resend_budget,
            name,
            replay=self._start_replay if replay is not None else None,
            on_count=lambda n: self.set_trait("count", n),
            on_lost=lambda n: self.set_trait("lost", self.lost + n),
        )
        self._loading = Loading(
            stream=lambda items, at, limit, reset: self._insert(
                items, at, limit, False, reset, False
            ),
            flush=self._flush_now,
            wait=self._delivery.wait_for_room,
            drain=self._delivery.drain,
            publish=lambda state: setattr(self, "async_state", state),
            state=lambda: self.async_state,
            key=key,
        )
        self._events = Events(
            name,
            actions=lambda: self.actions,
            on_edges=lambda edges: setattr(self, "_viewport_handlers", edges),
        )
        self._fetches = Fetches(lambda c, b: self.send(c, b), self._delivery.frontends)
        self._snapshot_seq = 0  # the last diff the snapshot accounts for
        FLUSHER.after_cells(self._cell_ended)
        self.on_msg(self._on_front_end_msg)
        if self.comm is not None:
            route_delivery_messages(self.comm)

    # -- stream API ---------------------------------------------------------------------------

    def configure(self, *, dom_id: Callable[[dict], str]) -> None:
        """Set how a dom id is made from a row (given as a dict). Only before the first insert."""
        self._check_open()
        if not callable(dom_id):
            raise TypeError("configure(dom_id=...) takes a function of one row (a dict) -> str")
        self._stream.configure(dom_id)

    def stream(
        self, items: Any, at: int = -1, limit: int | None = None, reset: bool = False
    ) -> None:
        """Insert many items in order (one insert per item); with `reset`, remove all rows first."""
        self._insert(items, *check_options(at, limit), False, reset)

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
        self._queue_delete(self._stream.dom_ids(_items.to_table(item, self.key)))

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
            self._loading.cancel_all("the widget was closed")
            self._fetches.close()
            self._delivery.close()
            self._stream.drop()
        super().close()

    async def drain(self, timeout: float = BACKPRESSURE_TIMEOUT) -> bool:
        """For asyncio producers: wait, without blocking the kernel's loop, until front ends
        have acknowledged enough of what was sent. `stream_async` loaders get this for free."""
        return await self._delivery.drain(timeout)

    async def fetch_rows(
        self, order: Order = "display", *, as_arrow: bool = False, timeout: float = FETCH_TIMEOUT
    ) -> Any:
        """The rows the page holds, back in Python: a DataFrame (`as_arrow=True`: a pyarrow
        Table), types exact. `order="display"`: as the user sees them, sort and filter applied;
        `"stream"`: every row in stream order. Await it (a later cell, or an asyncio task): the
        first page to answer sends its rows in chunks. Raises RuntimeError at once when no page
        shows the widget, TimeoutError when pages stay silent `timeout` s. See the guide,
        "Export and rows back to Python"."""
        self._check_open()
        self.flush(wait=True)  # what was streamed before the call reaches the page first
        table = await self._fetches.fetch(order, timeout)
        return table if as_arrow else to_pandas(table)

    # -- loading (loading.py) -----------------------------------------------------------------

    @property
    def async_result(self) -> AsyncResult:
        """The state of the last `stream_async` / `stream_from` load (see AsyncResult)."""
        return self._loading.result

    def stream_async(
        self, loader: Callable[[], Any], *, reset: bool = False, fail_on_empty: bool = False
    ) -> None:
        self._check_open()
        self._loading.stream_async(loader, reset=reset, fail_on_empty=fail_on_empty)

    def stream_from(
        self,
        source: Any,
        *,
        at: int = -1,
        limit: int | None = None,
        reset: bool = False,
        batch_rows: int | None = None,
        batch_bytes: int | None = None,
        progress: bool = True,
        total: int | None = None,
    ) -> None:
        self._check_open()
        self._loading.stream_from(
            source,
            at=at,
            limit=limit,
            reset=reset,
            batch_rows=batch_rows,
            batch_bytes=batch_bytes,
            progress=progress,
            total=total,
        )

    def start_async(self, name: str, fn: Callable[[], Any]) -> None:
        self._check_open()
        self._loading.start_async(name, fn)

    def on_async(self, name: str) -> Callable:
        return self._loading.on_async(name)

    def cancel_async(self, name: str = STREAM) -> bool:
        return self._loading.cancel_async(name)

    stream_async.__doc__ = Loading.stream_async.__doc__
    stream_from.__doc__ = Loading.stream_from.__doc__
    start_async.__doc__ = Loading.start_async.__doc__
    on_async.__doc__ = Loading.on_async.__doc__
    cancel_async.__doc__ = Loading.cancel_async.__doc__

    # -- events (interaction.py) --------------------------------------------------------------

    def on_click(self, fn: Callable[[str, str | None, Any], Any]) -> Callable:
        """Register `fn(dom_id, column, value)`, called when the user clicks a cell. Usable as
        a decorator."""
        self._events.add_click(fn)
        return fn

    def on_viewport_bottom(self, fn: Callable[[str], Any]) -> Callable:
        """Register `fn(dom_id)`, called (at most every ~500 ms) when the user reaches the last
        row; `dom_id` is that row's. For infinite scroll; see also `paginate`."""
        self._events.add_edge("bottom", fn)
        return fn

    def on_viewport_top(self, fn: Callable[[str], Any]) -> Callable:
        """Register `fn(dom_id)`, called (at most every ~500 ms) when the user reaches the first
        row; `dom_id` is that row's."""
        self._events.add_edge("top", fn)
        return fn

    def on_action(self, name: str) -> Callable[[Callable[[str], Any]], Callable]:
        """Decorator: `@w.on_action("delete")` registers `fn(dom_id)` for that row button
        (add the name to `actions` to show the button)."""
        if not isinstance(name, str) or not name:
            raise TypeError(f"on_action needs an action name such as 'delete', not {name!r}")

        def register(fn: Callable[[str], Any]) -> Callable:
            self._events.add_action(name, fn)
            return fn

        return register

    def paginate(
        self, fetch_page: Callable[[int], Any], per_page: int = 50, keep_pages: int = 3
    ) -> Paginator:
        """Infinite scroll both ways: `fetch_page(n)` (a function or coroutine function, run in
        the background) returns page n's items (n = 0, 1, ...; fewer than `per_page` rows means
        the end). Page 0 loads now; reaching the last / first row loads the next / previous
        page, keeping at most `keep_pages` pages in the browser."""
        self._check_open()
        pages = Paginator(self, fetch_page, per_page, keep_pages)
        pages.next()
        return pages

    # -- internals ----------------------------------------------------------------------------

    @property
    def _seq(self) -> int:  # for tests and benchmarks: the last diff sent
        return self._delivery.seq

    @property
    def _outbox(self) -> Outbox:  # for tests and benchmarks: diffs kept until acknowledged
        return self._delivery.outbox

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(
                f"this StreamWidget ({self.name!r}) was closed, so nothing can reach its table. "
                "Create a new StreamWidget to show rows again."
            )

    def _on_front_end_msg(self, _widget: Any, content: Any, buffers: list) -> None:
        msg = parse(content, buffers, self._delivery.seq, f"livestream-widget {self.name}")
        if msg is None:
            return
        if msg["kind"] == "ack":
            self._delivery.ack(msg)
        elif msg["kind"] == "hello":
            self._delivery.hello(msg)
        elif msg["kind"] == "gap":
            self._delivery.gap(msg)
        elif msg["kind"] in ("retry", "cancel"):
            self._loading.button(msg["kind"])
        elif msg["kind"] == "click":
            self._events.click(msg)
        elif msg["kind"] == "viewport":
            self._events.viewport(msg)
        elif msg["kind"] == "action":
            self._events.action(msg)
        elif msg["kind"] == "snapshot":
            self._page_snapshot(msg, buffers)
        elif msg["kind"] == "rows":
            self._fetches.reply(msg, buffers)

    def _cell_ended(self) -> None:
        # A notebook run with no front end (nbclient, nbconvert --execute, a docs build) ends
        # each cell with the snapshot a page would have shown (snapshot.py).
        if self._closed or self.snapshot_rows <= 0 or self._delivery.seq == self._snapshot_seq:
            return
        kept = self._delivery.before_hello()
        if kept is None:
            return
        self._snapshot_seq = self._delivery.seq
        shot = snapshot.from_diffs(kept[0], kept[1], self.snapshot_rows, self.snapshot_bytes)
        self._snapshot = shot.data
        self.snapshot_info = {"rows": shot.rows, "total": shot.total, "partial": shot.partial}

    def _page_snapshot(self, msg: SnapshotParts, buffers: list) -> None:
        # A live page's first rows, sent when its stream goes quiet (js/src/index.js).
        if self.snapshot_rows <= 0 or sum(memoryview(b).nbytes for b in buffers) > 8 * max(
            self.snapshot_bytes, 2**20
        ):
            return
        try:
            shot = snapshot.from_parts(
                buffers, msg["ids"], msg["total"], self.snapshot_rows, self.snapshot_bytes
            )
        except (ValueError, pa.ArrowException) as e:
            log.warning("livestream-widget %s: ignored a snapshot: %s", self.name, e)
            return
        self._snapshot = shot.data
        self.snapshot_info = {"rows": shot.rows, "total": shot.total, "partial": shot.partial}

    def _load_items(self, items: Any, at: int, limit: int | None, reset: bool) -> int:
        # wait=False: a load waits for the browser in its task, where a cancel interrupts it.
        return self._insert(items, at, limit, False, reset, wait=False)

    def _start_replay(self) -> None:
        assert self._replay is not None
        self.reset()
        self.stream_async(self._replay)

    def _deliver(self, wait: bool = False) -> None:
        """Send what is pending (the background flusher calls this too)."""
        if not self._delivery.send_ops(self._stream.take, f"{self.name}-", wait, self.compression):
            FLUSHER.mark(self._deliver)  # paced: the timer sends it shortly

    def _insert(
        self,
        items: Any,
        at: int,
        limit: int | None,
        update_only: bool,
        reset: bool = False,
        wait: bool = True,
    ) -> int:
        """Queue `items` (stream.py: a call that raises changes nothing). `wait`: a producer
        thread waits here for the browser (loaders wait in their task, where a cancel
        interrupts the wait)."""
        self._check_open()
        table = self._read(items)
        pending = self._stream.insert(table, at, limit, update_only, reset)
        if self.columns != self._stream.columns:
            self.columns = self._stream.columns
        if table.num_rows or reset:
            FLUSHER.mark(self._deliver)
        if pending >= min(FLUSH_BYTES, self._delivery.outbox.budget // 4):
            # (A quarter of a small budget: a producer waits at half of it, so what it sends
            # unacknowledged stays within it.)
            self._flush_now()
        if wait and self._delivery.may_wait():
            # Backpressure: a producer waits for the browser. A cell's loop on the main thread
            # only where acknowledgements reach busy cells (a kernel subshell handles them,
            # subshells.py): elsewhere it would wait for nothing, and the budget drops the oldest.
            self._delivery.wait_for_room()
        return table.num_rows

    def _read(self, items: Any) -> pa.Table:
        return _items.to_table(items, self.key)

    def _queue_delete(self, ids: list[str]) -> None:
        self._stream.delete(ids)
        FLUSHER.mark(self._deliver)

    def _flush_now(self) -> None:
        # From the calling thread, waiting out the pacing rather than deferring to the timer: a
        # producer outpacing the timer keeps pending memory near FLUSH_BYTES, and a finished
        # load's rows go out before the state that announces them.
        self._deliver(wait=True)
