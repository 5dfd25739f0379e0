"""Iterable sources: lists, generators, chunk readers and async iterables whose items are rows
(dicts), lists of rows, pandas or Polars DataFrames, or pyarrow Tables / RecordBatches.

A list or tuple is in memory: its rows are grouped as they stand. A one-shot iterator is read by
a pump in its own thread, so that rows arriving one at a time go out in groups of whatever has
arrived while the next batch is read only once the previous one was handed on. An async
iterable is read on the kernel's event loop (`Source.aread`).

It is separate because it is the only part with threads and async code, and because its items
can be of the other kinds: it builds on batches.py, frames.py (DataFrame items, rows) and
engines.py (recognising Polars items), and nothing builds on it but the package's `open_source`.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from typing import Any

import pandas as pd
import pyarrow as pa

from .batches import Limits, Source, split
from .engines import engine_of
from .frames import chunks_total, frame_batches, is_row


def iterable_source(obj: Iterable[Any], limits: Limits, key: str | None) -> Source:
    kind = f"iterable ({type(obj).__name__})"
    if isinstance(obj, list | tuple):  # in memory: rows are grouped as they stand

        def count() -> int | None:
            total = 0
            for item in obj:
                rows = _rows_in(item)
                if rows is None:
                    return None
                total += rows
            return total

        return Source(kind, lambda: _grouped(obj, limits, key), count=count)
    one_shot = isinstance(obj, Iterator)  # generators, readers (read_csv chunks): read once
    read = lambda: _pumped(iter(obj), limits, key)  # noqa: E731
    return Source(kind, read, total=chunks_total(obj), reiterable=not one_shot)


def async_iterable_source(obj: AsyncIterable[Any], limits: Limits, key: str | None) -> Source:
    return Source(
        f"async iterable ({type(obj).__name__})",
        lambda: _unused(obj),
        reiterable=not isinstance(obj, AsyncIterator),
        aread=lambda: _async_batches(obj, limits, key),
    )


def _item_batches(item: Any, limits: Limits, key: str | None) -> Iterator[pa.Table | list[Any]]:
    """Batches of one item of a plain iterable (rows of dicts are grouped before this)."""
    if isinstance(item, pa.Table | pa.RecordBatch):
        yield from split(item, limits)
    elif isinstance(item, pd.DataFrame):
        yield from frame_batches(item, limits, key)
    elif engine_of(item) == "polars.DataFrame":
        yield from split(item.to_arrow(), limits)
    elif isinstance(item, list | tuple):
        step = limits.dict_rows
        for lo in range(0, len(item), step):
            yield list(item[lo : lo + step])
    else:
        kind = type(item)
        raise TypeError(
            f"an item of this source is a {kind.__module__}.{kind.__qualname__}; items of an "
            "iterable source must be dicts (one row each), lists of dicts, pandas or Polars "
            "DataFrames, or pyarrow Tables / RecordBatches"
        )


def _rows_in(item: Any) -> int | None:
    if is_row(item):
        return 1
    if isinstance(item, pa.Table | pa.RecordBatch):
        return int(item.num_rows)
    if isinstance(item, pd.DataFrame | list | tuple):
        return len(item)
    return None


def _grouped(
    items: Iterable[Any], limits: Limits, key: str | None
) -> Iterator[pa.Table | list[Any]]:
    chunk: list[Any] = []
    for item in items:
        if is_row(item):
            chunk.append(item)
            if len(chunk) >= limits.dict_rows:
                yield chunk
                chunk = []
            continue
        if chunk:
            yield chunk
            chunk = []
        yield from _item_batches(item, limits, key)
    if chunk:
        yield chunk


_NOTHING = object()


class _Pump:
    """Reads a one-shot iterator in its own thread, so that rows arriving one at a time go out
    in groups of whatever has arrived (never waiting for more), while a slow source's rows go
    out at once. A batch (a DataFrame, a table) is read only after the previous one was taken
    and handed on, so one batch at a time is in memory."""

    def __init__(self, it: Iterator[Any], max_rows: int) -> None:
        self.it, self.max_rows = it, max_rows
        self.cond = threading.Condition()
        self.rows: list[Any] = []  # rows read ahead, to go out before `item`
        self.item: Any = _NOTHING  # one batch read ahead
        self.busy = False  # the consumer holds a batch: read no further yet
        self.done = self.stop = False
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while True:
                with self.cond:
                    self.cond.wait_for(
                        lambda: (
                            self.stop
                            or (self.item is _NOTHING and not self.busy)
                            and len(self.rows) < self.max_rows
                        )
                    )
                    if self.stop:
                        return
                item = next(self.it, _NOTHING)  # outside the lock: it may take its time
                if item is _NOTHING:
                    return
                with self.cond:
                    if is_row(item):
                        self.rows.append(item)
                    else:
                        self.item = item
                    self.cond.notify_all()
        except BaseException as e:  # reported to the consumer after the rows read before it
            self.error = e
        finally:
            with self.cond:
                self.done = True
                self.cond.notify_all()
            close = getattr(self.it, "close", None)
            if callable(close):
                close()  # a generator's `finally:` runs now, in this thread

    def take(self) -> tuple[str, Any]:
        """("rows", list) or ("item", batch) in source order, or ("end", None)."""
        with self.cond:
            self.busy = False
            self.cond.notify_all()
            self.cond.wait_for(lambda: self.rows or self.item is not _NOTHING or self.done)
            if self.rows:
                rows, self.rows = self.rows, []
                self.cond.notify_all()
                return "rows", rows
            if self.item is not _NOTHING:
                item, self.item, self.busy = self.item, _NOTHING, True
                self.cond.notify_all()
                return "item", item
            if self.error is not None:
                raise self.error
            return "end", None

    def halt(self) -> None:
        with self.cond:
            self.stop = True
            self.cond.notify_all()


def _unused(obj: Any) -> Iterator[Any]:
    raise TypeError(f"{type(obj).__name__} is async: read it with `aread`")
    yield


async def _async_batches(
    obj: AsyncIterable[Any], limits: Limits, key: str | None
) -> AsyncIterator[pa.Table | list[Any]]:
    # Rows go out one by one: an async source cannot be asked what has already arrived
    # without waiting for it (async sources are rarely faster than that anyway).
    async for item in obj:
        if is_row(item):
            yield [item]
        else:
            for batch in _item_batches(item, limits, key):
                yield batch


def _pumped(it: Iterator[Any], limits: Limits, key: str | None) -> Iterator[pa.Table | list[Any]]:
    pump = _Pump(it, limits.dict_rows)
    threading.Thread(target=pump.run, name="livestream-widget-source", daemon=True).start()
    try:
        while True:
            what, value = pump.take()
            if what == "end":
                return
            if what == "rows":
                yield value
            else:
                yield from _item_batches(value, limits, key)
                value = None  # the batch is handed on: let it go before reading the next
    finally:
        pump.halt()
