"""Stream from where the data lives: read a data source lazily as batches of bounded size.

`open_source(obj, ...)` recognises the source at once (an unsupported one is a TypeError in the
calling cell) and returns a `Source` whose `batches()`, run later in a worker thread, yields
pyarrow Tables of at most `batch_rows` rows and `batch_bytes` bytes (or lists of row dicts,
which the widget converts with its settled schema), one at a time: the next batch is read only
once the previous one has been handed over. Sources that can say how many rows they hold
without reading them give `total`.

Engines (Polars, DuckDB, Dask, Spark) are optional: they are recognised by the module name of
the object's type and never imported here, so none of them is needed unless it is used.
"""

from __future__ import annotations

import numbers
import os
import pathlib
import threading
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Callable,
    Iterable,
    Iterator,
    Mapping,
)
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa

from ..items import to_table

#: Default upper bound of one batch's size: big enough that per-batch costs vanish (~1M rows/s),
#: small enough that one batch in memory at a time keeps the kernel flat.
BATCH_BYTES = 2 * 2**20
#: Rows of dicts from a plain iterable are grouped by count; this many bytes are assumed per row.
DICT_ROW_BYTES = 128
#: Width assumed for a variable-width value (strings, lists) when sizing reads from a schema.
VARIABLE_BYTES = 32

SUPPORTED = (
    "pandas DataFrames and read_csv(..., chunksize=) readers; pyarrow Tables, RecordBatches, "
    "RecordBatchReaders, datasets, scanners and ParquetFiles; file paths (.parquet, .csv, "
    ".tsv, .feather/.arrow/.ipc, .json/.jsonl, or a folder of them); Polars DataFrames and "
    "LazyFrames; DuckDB relations and query results; Dask DataFrames; Spark DataFrames; "
    "DB-API cursors with an executed query; objects with __arrow_c_stream__; and any "
    "iterable or async iterable of these, of dicts, or of lists of dicts"
)


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
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive int or None, not {value!r}")
    return int(value)


@dataclass
class Source:
    """A recognised source. `batches()` reads it (in a worker thread); `total` is its row count
    when known (`count`, if any, finds it in the worker before the first batch); `reiterable`
    says whether reading it again starts over (so a Retry button makes sense)."""

    kind: str
    read: Callable[[], Iterator[pa.Table | list]]
    total: int | None = None
    count: Callable[[], int | None] | None = None
    reiterable: bool = True
    #: For async iterables: an async iterator of batches, read on the kernel's event loop.
    aread: Callable[[], AsyncIterator[pa.Table | list]] | None = None

    def batches(self) -> Iterator[pa.Table | list]:
        if self.total is None and self.count is not None:
            try:
                self.total = self.count()
            except Exception:  # a total is a nicety: never fail a load for it
                self.total = None
        return self.read()


def open_source(
    obj: Any, *, key: str | None = None, batch_rows: Any = None, batch_bytes: Any = None
) -> Source:
    """Recognise `obj` as a data source (TypeError naming what is supported if it is not one).

    Nothing is read yet, except cheap facts (a length, a schema)."""
    limits = Limits.of(batch_rows, batch_bytes)
    if obj is None or isinstance(obj, str | bytes | os.PathLike):
        if obj is None or isinstance(obj, bytes):
            raise _unsupported(obj)
        return _files(obj, limits)
    if isinstance(obj, pa.Table | pa.RecordBatch):
        return Source("pyarrow table", lambda: _split(obj, limits), total=obj.num_rows)
    if isinstance(obj, pd.DataFrame):
        return Source("pandas DataFrame", lambda: _pandas(obj, limits, key), total=len(obj))
    if isinstance(obj, pa.RecordBatchReader):
        return Source("RecordBatchReader", lambda: _reader(obj, limits), reiterable=False)
    arrow = _pyarrow_source(obj, limits)
    if arrow is not None:
        return arrow
    from . import engines  # here: engines.py builds on this package

    engine = engines.engine_of(obj)
    if engine is not None:
        return engines.ENGINES[engine](obj, limits, key)
    if hasattr(obj, "fetchmany") and hasattr(obj, "description"):
        return engines.dbapi(obj, limits)
    if hasattr(obj, "__arrow_c_stream__"):
        read = lambda: _reader(pa.RecordBatchReader.from_stream(obj), limits)  # noqa: E731
        return Source(f"Arrow stream ({type(obj).__name__})", read, reiterable=False)
    if _is_row(obj):
        raise TypeError(
            f"stream_from reads many rows, and a {type(obj).__name__} is one row: use "
            "w.insert(row), or pass a list of rows (or pa.table(columns) for a dict of columns)."
        )
    if isinstance(obj, AsyncIterable) and not isinstance(obj, Iterable):
        return Source(
            f"async iterable ({type(obj).__name__})",
            lambda: _unused(obj),
            reiterable=not isinstance(obj, AsyncIterator),
            aread=lambda: _async_batches(obj, limits, key),
        )
    if isinstance(obj, Iterable):
        return _iterable(obj, limits, key)
    raise _unsupported(obj)


def _unsupported(obj: Any) -> TypeError:
    kind = type(obj)
    hint = (
        " A function is no source: pass what it returns (w.stream_from(f())), or pass the "
        "function to w.stream_async."
        if callable(obj)
        else ""
    )
    return TypeError(
        f"cannot stream from {kind.__module__}.{kind.__qualname__}: stream_from reads "
        f"{SUPPORTED}.{hint}"
    )


# -- sizing ---------------------------------------------------------------------------------


def _split(table: pa.Table | pa.RecordBatch, limits: Limits) -> Iterator[pa.Table]:
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


def row_bytes(schema: pa.Schema) -> float:
    """Bytes one row of `schema` takes, guessing `VARIABLE_BYTES` per variable-width value."""
    total = 0.0
    for field in schema:
        try:
            total += field.type.bit_width / 8
        except ValueError:  # no fixed width: strings, lists, structs...
            total += VARIABLE_BYTES
    return max(total, 1.0)


def _pandas(df: pd.DataFrame, limits: Limits, key: str | None) -> Iterator[pa.Table]:
    """Convert slice by slice (never the whole frame at once), sized by the last slice's width."""
    n, lo = len(df), 0
    step = min(limits.rows or 1024, 1024)  # a probe: the first slice measures the row width
    while lo < n:
        table = to_table(df.iloc[lo : lo + step], key)
        lo += step
        if table.num_rows:
            step = limits.rows_for(table.nbytes / table.num_rows)
        yield from _split(table, limits)


def _reader(reader: pa.RecordBatchReader, limits: Limits) -> Iterator[pa.Table]:
    try:
        for batch in reader:
            yield from _split(batch, limits)
    finally:
        reader.close()


# -- pyarrow ------------------------------------------------------------------------------------

_FORMATS = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".tsv": "csv",
    ".feather": "ipc",
    ".arrow": "ipc",
    ".ipc": "ipc",
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
}


def _file_format(path: str) -> Any:
    import pyarrow.dataset as ds

    p = pathlib.Path(path)
    if "://" not in path and p.is_dir():
        files = sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith((".", "_")))
        suffixes = {f.suffix.lower() for f in files} & set(_FORMATS)
        if len(suffixes) != 1:
            raise ValueError(
                f"{path}: a folder to stream from must hold files of one format "
                f"({', '.join(sorted(_FORMATS))}); found {sorted(suffixes) or 'none'}"
            )
        suffix = suffixes.pop()
    else:
        suffix = pathlib.PurePosixPath(path).suffix.lower()
    fmt = _FORMATS.get(suffix)
    if fmt is None:
        raise ValueError(
            f"{path}: cannot tell the file format from {suffix or 'a name without suffix'!r}; "
            f"name it {', '.join(sorted(_FORMATS))}, or pass pyarrow.dataset.dataset(path, "
            "format=...) instead"
        )
    if suffix == ".tsv":
        return ds.CsvFileFormat(parse_options=pa.csv.ParseOptions(delimiter="\t"))
    return fmt


def _files(path: Any, limits: Limits) -> Source:
    import pyarrow.csv  # noqa: F401  (makes pa.csv available for .tsv)
    import pyarrow.dataset as ds

    path = os.fspath(path)
    if "://" not in path and not os.path.exists(path):
        raise FileNotFoundError(f"no such file or folder to stream from: {path}")
    fmt = _file_format(path)  # raises now for an unknown format, not in the background
    dataset = ds.dataset(path, format=fmt)
    return _dataset(dataset, limits, kind=f"files ({path})")


def _dataset(dataset: Any, limits: Limits, kind: str = "pyarrow dataset") -> Source:
    def read() -> Iterator[pa.Table]:
        batches = dataset.to_batches(
            batch_size=limits.rows_for(row_bytes(dataset.schema)),
            batch_readahead=2,  # bounded read-ahead: memory stays a few batches
            fragment_readahead=1,
        )
        for batch in batches:
            yield from _split(batch, limits)

    def count() -> int | None:
        # Row counts are in Parquet / Arrow file metadata; other formats would need a full scan.
        if type(dataset.format).__name__ in ("ParquetFileFormat", "IpcFileFormat"):
            return dataset.count_rows()
        return None

    return Source(kind, read, count=count)


def _pyarrow_source(obj: Any, limits: Limits) -> Source | None:
    module = type(obj).__module__ or ""
    if not module.startswith("pyarrow"):
        return None
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    if isinstance(obj, ds.Dataset):
        return _dataset(obj, limits)
    if isinstance(obj, ds.Scanner):
        read = lambda: _reader(obj.to_reader(), limits)  # noqa: E731
        return Source("pyarrow scanner", read, reiterable=False)  # may wrap a one-shot reader
    if isinstance(obj, pq.ParquetFile):
        read = lambda: _parquet_file(obj, limits)  # noqa: E731
        return Source("ParquetFile", read, total=obj.metadata.num_rows)
    return None


def _parquet_file(pf: Any, limits: Limits) -> Iterator[pa.Table]:
    for batch in pf.iter_batches(batch_size=limits.rows_for(row_bytes(pf.schema_arrow))):
        yield from _split(batch, limits)


# -- plain iterables ----------------------------------------------------------------------------


def _engine_of(obj: Any) -> str | None:
    from .engines import engine_of

    return engine_of(obj)


def _is_row(item: Any) -> bool:
    return isinstance(item, Mapping | pd.Series)


def _item_batches(item: Any, limits: Limits, key: str | None) -> Iterator[pa.Table | list]:
    """Batches of one item of a plain iterable (rows of dicts are grouped before this)."""
    if isinstance(item, pa.Table | pa.RecordBatch):
        yield from _split(item, limits)
    elif isinstance(item, pd.DataFrame):
        yield from _pandas(item, limits, key)
    elif _engine_of(item) == "polars.DataFrame":
        yield from _split(item.to_arrow(), limits)
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
    if _is_row(item):
        return 1
    if isinstance(item, pa.Table | pa.RecordBatch):
        return item.num_rows
    if isinstance(item, pd.DataFrame | list | tuple):
        return len(item)
    return None


def _iterable(obj: Iterable, limits: Limits, key: str | None) -> Source:
    kind = f"iterable ({type(obj).__name__})"
    if isinstance(obj, list | tuple):  # in memory: rows are grouped as they stand

        def count() -> int | None:
            counts = [_rows_in(item) for item in obj]
            return None if None in counts else sum(counts)

        return Source(kind, lambda: _grouped(obj, limits, key), count=count)
    one_shot = isinstance(obj, Iterator)  # generators, readers (read_csv chunks): read once
    read = lambda: _pumped(iter(obj), limits, key)  # noqa: E731
    return Source(kind, read, total=_length(obj), reiterable=not one_shot)


def _length(obj: Any) -> int | None:
    # pandas' TextFileReader knows `nrows` when given; most iterators know nothing.
    nrows = getattr(obj, "nrows", None)
    return nrows if isinstance(nrows, int) and not isinstance(nrows, bool) else None


def _grouped(items: Iterable, limits: Limits, key: str | None) -> Iterator[pa.Table | list]:
    chunk: list = []
    for item in items:
        if _is_row(item):
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

    def __init__(self, it: Iterator, max_rows: int) -> None:
        self.it, self.max_rows = it, max_rows
        self.cond = threading.Condition()
        self.rows: list = []  # rows read ahead, to go out before `item`
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
                    if _is_row(item):
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


def _unused(obj: Any) -> Iterator:
    raise TypeError(f"{type(obj).__name__} is async: read it with `aread`")
    yield


async def _async_batches(
    obj: AsyncIterable, limits: Limits, key: str | None
) -> AsyncIterator[pa.Table | list]:
    # Rows go out one by one: an async source cannot be asked what has already arrived
    # without waiting for it (async sources are rarely faster than that anyway).
    async for item in obj:
        if _is_row(item):
            yield [item]
        else:
            for batch in _item_batches(item, limits, key):
                yield batch


def _pumped(it: Iterator, limits: Limits, key: str | None) -> Iterator[pa.Table | list]:
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
