"""Rows back from the browser: `await w.fetch_rows()`.

The kernel keeps no rows, so to get them back it asks the page for them: a `fetch` message
(wire.py) goes to every front end; the first one whose reply arrives answers, in `rows` chunks
of Arrow IPC (each under the Jupyter server's 10 MiB limit on browser messages), and the kernel
joins them. Replies from any other front end are dropped as they come, and a `fetch_end` tells
every front end to stop once the request is over (done, failed, timed out or cancelled).

Memory: the kernel holds only the rows of requests in flight (what the caller asked for, as
Arrow, plus the chunk being read); a request over, it holds nothing (tests/test_fetch.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import decimal
import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import pyarrow as pa

from .wire import FetchEnd, FetchRequest, RowsReply

log = logging.getLogger(__name__)

#: Seconds fetch_rows waits for a front end's first reply, and then between two chunks.
FETCH_TIMEOUT = 30.0

Order = Literal["display", "stream"]


@dataclass
class _Request:
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future
    frontend: str | None = None  # the front end answering, once its first chunk arrived
    tables: list[pa.Table] = field(default_factory=list)
    rows: int = 0
    bytes: int = 0
    next_chunk: int = 0
    heard: float = field(default_factory=time.monotonic)


class Fetches:
    """The fetch requests of one widget. `send(content, buffers)` puts a message on the comm;
    `frontends()` are the front ends that said hello."""

    def __init__(self, send: Callable[[dict, list], None], frontends: Callable[[], set[str]]):
        self._send = send
        self._frontends = frontends
        self._lock = threading.Lock()
        self._pending: dict[str, _Request] = {}
        self._ids = itertools.count(1)
        #: What the last complete fetch took: {"rows", "chunks", "bytes"} (for measurements).
        self.last: dict[str, int] = {}

    def close(self) -> None:
        """The widget was closed: every fetch in flight fails at once."""
        with self._lock:
            for pending in self._pending.values():
                self._settle(pending, RuntimeError("the widget was closed during fetch_rows()"))

    @property
    def pending(self) -> int:
        """Requests in flight (for tests: 0 once every fetch is over)."""
        return len(self._pending)

    async def fetch(self, order: Order, timeout: float) -> pa.Table:
        if order not in ("display", "stream"):
            raise ValueError(f'order must be "display" or "stream", not {order!r}')
        if not self._frontends():
            raise RuntimeError(
                "no front end shows this widget, so no page holds its rows: display it (put `w` "
                "at the end of a cell) and call fetch_rows() again once the table is on screen"
            )
        loop = asyncio.get_running_loop()
        request = f"f{next(self._ids)}"
        pending = _Request(loop, loop.create_future())
        with self._lock:
            self._pending[request] = pending
        try:
            message: FetchRequest = {"kind": "fetch", "request": request, "order": order}
            self._send(dict(message), [])
            while True:
                done, _ = await asyncio.wait({pending.future}, timeout=0.05)
                if done:
                    return pending.future.result()
                if time.monotonic() - pending.heard > timeout:
                    raise TimeoutError(_silent(pending, timeout))
        finally:
            with self._lock:
                self._pending.pop(request, None)
            pending.tables.clear()
            end: FetchEnd = {"kind": "fetch_end", "request": request}
            with contextlib.suppress(Exception):  # a closed widget has no comm left
                self._send(dict(end), [])

    def reply(self, msg: RowsReply, buffers: list) -> None:
        """A `rows` chunk from a front end (any thread)."""
        with self._lock:
            pending = self._pending.get(msg["request"])
            if pending is None or pending.future.done():
                return  # a request that is over, or another front end's late answer
            if pending.frontend is None:
                pending.frontend = msg["frontend"]
            elif pending.frontend != msg["frontend"]:
                return  # another front end answered first
            pending.heard = time.monotonic()
            try:
                result = self._add(pending, msg, buffers)
            except (ValueError, pa.ArrowException) as e:
                pending.tables.clear()
                error = RuntimeError(f"the page sent rows that could not be read: {e}")
                self._settle(pending, error)
                return
            if result is not None:
                self._settle(pending, result)

    def _add(self, pending: _Request, msg: RowsReply, buffers: list) -> Any:
        # Returns what settles the request (a table, an error) or None while chunks are due.
        if "error" in msg:
            return RuntimeError(f"the page could not send its rows: {msg['error']}")
        if msg["chunk"] != pending.next_chunk:
            raise ValueError(f"chunk {msg['chunk']} arrived where {pending.next_chunk} was due")
        tables = [pa.ipc.open_stream(memoryview(b)).read_all() for b in buffers]
        rows = sum(t.num_rows for t in tables)
        if rows != msg["rows"]:
            raise ValueError(f"chunk {msg['chunk']} says {msg['rows']} rows but holds {rows}")
        pending.tables.extend(tables)
        pending.rows += rows
        pending.bytes += sum(memoryview(b).nbytes for b in buffers)
        pending.next_chunk += 1
        if not msg["last"]:
            return None
        if pending.rows != msg["total"]:
            raise ValueError(f"{pending.rows} rows arrived of the {msg['total']} announced")
        table = pa.concat_tables(pending.tables, promote_options="permissive")
        pending.tables.clear()
        self.last = {"rows": pending.rows, "chunks": pending.next_chunk, "bytes": pending.bytes}
        return table

    def _settle(self, pending: _Request, result: Any) -> None:
        def settle() -> None:
            if pending.future.done():
                return
            if isinstance(result, BaseException):
                pending.future.set_exception(result)
            else:
                pending.future.set_result(result)

        pending.loop.call_soon_threadsafe(settle)


def _silent(pending: _Request, timeout: float) -> str:
    if pending.frontend is None:
        return (
            f"no front end answered within {timeout:g} s. Is the page that shows this widget "
            "still open? If it is, your kernel may not deliver widget messages while a cell "
            "awaits (older ipykernels; 7.4 does): start the fetch as a task, "
            "`task = asyncio.ensure_future(w.fetch_rows())`, and read `task.result()` in a "
            "later cell. A larger `timeout=` helps with a slow page."
        )
    return (
        f"the page stopped sending rows ({pending.rows} received) for {timeout:g} s; "
        "it may have been closed. Call fetch_rows() again."
    )


def to_pandas(table: pa.Table) -> Any:
    """The rows as a DataFrame, values exact: int, float and bool columns with nulls in pandas'
    nullable dtypes (Int64, Float64, boolean: a null stays apart from NaN), decimals sent as text
    as decimal.Decimal."""
    import pandas as pd

    nullable = {
        pa.int8(): pd.Int8Dtype(),
        pa.int16(): pd.Int16Dtype(),
        pa.int32(): pd.Int32Dtype(),
        pa.int64(): pd.Int64Dtype(),
        pa.uint8(): pd.UInt8Dtype(),
        pa.uint16(): pd.UInt16Dtype(),
        pa.uint32(): pd.UInt32Dtype(),
        pa.uint64(): pd.UInt64Dtype(),
        pa.float32(): pd.Float32Dtype(),
        pa.float64(): pd.Float64Dtype(),
        pa.bool_(): pd.BooleanDtype(),
    }
    df = table.to_pandas()
    for f, col in zip(table.schema, table.columns, strict=True):
        if (f.metadata or {}).get(b"livestream") == b"decimal":
            values = [None if v is None else decimal.Decimal(v) for v in col.to_pylist()]
            df[f.name] = pd.Series(values, dtype=object, index=df.index)
        elif col.null_count and f.type in nullable:
            df[f.name] = pd.Series(col.to_pandas(types_mapper=nullable.get), index=df.index)
    return df
