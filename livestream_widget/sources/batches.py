"""Batch sizing and the `Source` record: what every kind of source shares.

A batch is at most `Limits.rows` rows and `Limits.nbytes` bytes. This module holds those limits,
the `Source` that `open_source` returns, and the helpers that cut Arrow data to the limits
(`split`, `reader_batches`) or guess a row's width from a schema (`row_bytes`).

It is separate so that the modules reading each kind of source (arrow, frames, engines,
iterables) build on one public base and never on one another's private helpers. It imports no
other module of this package and needs nothing but pyarrow.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from ..values import is_int

#: Default upper bound of one batch's size: big enough that per-batch costs vanish (~1M rows/s),
#: small enough that one batch in memory at a time keeps the kernel flat.
BATCH_BYTES = 2 * 2**20
#: Rows of dicts from a plain iterable are grouped by count; this many bytes are assumed per row.
DICT_ROW_BYTES = 128
#: Width assumed for a variable-width value (strings, lists) when sizing reads from a schema.
VARIABLE_BYTES = 32


@dataclass(frozen=True)
class Limits:
    """Upper bounds of one batch: `rows` and `nbytes` (None: unbounded)."""

    rows: int | None = None
    nbytes: int | None = BATCH_BYTES

    @classmethod
    def of(cls, batch_rows: Any = None, batch_bytes: Any = None) -> Limits:
        rows, nbytes = _positive("batch_rows", batch_rows), _positive("batch_bytes", batch_bytes)
        if rows is None and nbytes is None:
            nbytes = BATCH_BYTES  # by bytes unless told otherwise: rows vary too much in width
        return cls(rows, nbytes)

    def rows_for(self, row_bytes: float) -> int:
        """How many rows of `row_bytes` bytes each fit in one batch."""
        n = self.rows if self.rows is not None else 2**62
        if self.nbytes is not None:
            n = min(n, int(self.nbytes // max(row_bytes, 1.0)))
        return max(n, 1)

    @property
    def dict_rows(self) -> int:
        return self.rows_for(DICT_ROW_BYTES)


def _positive(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if not is_int(value) or value < 1:
        raise ValueError(f"{name} must be a positive int or None, not {value!r}")
    return int(value)


@dataclass
class Source:
    """A recognised source. `batches()` reads it (in a worker thread); `total` is its row count
    when known (`count`, if any, finds it in the worker before the first batch); `reiterable`
    says whether reading it again starts over (so a Retry button makes sense)."""

    kind: str
    read: Callable[[], Iterator[pa.Table | list[Any]]]
    total: int | None = None
    count: Callable[[], int | None] | None = None
    reiterable: bool = True
    #: For async iterables: an async iterator of batches, read on the kernel's event loop.
    aread: Callable[[], AsyncIterator[pa.Table | list[Any]]] | None = None

    def batches(self) -> Iterator[pa.Table | list[Any]]:
        if self.total is None and self.count is not None:
            try:
                self.total = self.count()
            except Exception:  # a total is a nicety: never fail a load for it
                self.total = None
        return self.read()


def split(table: pa.Table | pa.RecordBatch, limits: Limits) -> Iterator[pa.Table]:
    """Zero-copy slices of `table` within the limits (a single wider row goes alone)."""
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    n = table.num_rows
    if n == 0:
        return
    step = limits.rows_for(table.nbytes / n)
    for lo in range(0, n, step):
        yield from _within_bytes(table.slice(lo, step), limits)


def _within_bytes(table: pa.Table, limits: Limits) -> Iterator[pa.Table]:
    # Rows of uneven width: a slice over the budget is halved until it fits.
    if limits.nbytes is None or table.num_rows <= 1 or table.nbytes <= limits.nbytes:
        yield table
        return
    half = table.num_rows // 2
    yield from _within_bytes(table.slice(0, half), limits)
    yield from _within_bytes(table.slice(half), limits)


def reader_batches(reader: pa.RecordBatchReader, limits: Limits) -> Iterator[pa.Table]:
    """The batches of `reader`, split within the limits; the reader is closed at the end."""
    try:
        for batch in reader:
            yield from split(batch, limits)
    finally:
        reader.close()


def row_bytes(schema: pa.Schema) -> float:
    """Bytes one row of `schema` takes, guessing `VARIABLE_BYTES` per variable-width value."""
    total = 0.0
    for field in schema:
        try:
            total += field.type.bit_width / 8
        except ValueError:  # no fixed width: strings, lists, structs...
            total += VARIABLE_BYTES
    return max(total, 1.0)
