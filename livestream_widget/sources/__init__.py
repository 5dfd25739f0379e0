"""Stream from where the data lives: read a data source lazily as batches of bounded size.

`open_source(obj, ...)` recognises the source at once (an unsupported one is a TypeError in the
calling cell) and returns a `Source` whose `batches()`, run later in a worker thread, yields
pyarrow Tables of at most `batch_rows` rows and `batch_bytes` bytes (or lists of row dicts,
which the widget converts with its settled schema), one at a time: the next batch is read only
once the previous one has been handed over. Sources that can say how many rows they hold
without reading them give `total`.

Engines (Polars, DuckDB, Dask, Spark) are optional: they are recognised by the module name of
the object's type and never imported here, so none of them is needed unless it is used.

This package module only recognises a source and hands it to the module that reads its kind.
Imports go one way, each module only to those before it:

- `batches`: batch limits, `Source`, splitting Arrow data to the limits (the shared base);
- `arrow`: pyarrow tables, readers, datasets, Parquet, file paths, Arrow C streams;
- `frames`: pandas DataFrames and chunk readers, what one row is;
- `engines`: Polars, DuckDB, Dask, Spark, DB-API cursors;
- `iterables`: (async) iterables of rows and of the kinds above.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterable, Iterable
from typing import Any

import pandas as pd
import pyarrow as pa

from .arrow import files_source, pyarrow_source, reader_source, stream_source, table_source
from .batches import BATCH_BYTES, DICT_ROW_BYTES, VARIABLE_BYTES, Limits, Source, row_bytes
from .engines import ENGINES, dbapi, engine_of
from .frames import frame_source, is_row
from .iterables import async_iterable_source, iterable_source

__all__ = [
    "BATCH_BYTES",
    "DICT_ROW_BYTES",
    "SUPPORTED",
    "VARIABLE_BYTES",
    "Limits",
    "Source",
    "open_source",
    "row_bytes",
]

SUPPORTED = (
    "pandas DataFrames and read_csv(..., chunksize=) readers; pyarrow Tables, RecordBatches, "
    "RecordBatchReaders, datasets, scanners and ParquetFiles; file paths (.parquet, .csv, "
    ".tsv, .feather/.arrow/.ipc, .json/.jsonl, or a folder of them); Polars DataFrames and "
    "LazyFrames; DuckDB relations and query results; Dask DataFrames; Spark DataFrames; "
    "DB-API cursors with an executed query; objects with __arrow_c_stream__; and any "
    "iterable or async iterable of these, of dicts, or of lists of dicts"
)


def open_source(
    obj: Any, *, key: str | None = None, batch_rows: Any = None, batch_bytes: Any = None
) -> Source:
    """Recognise `obj` as a data source (TypeError naming what is supported if it is not one).

    Nothing is read yet, except cheap facts (a length, a schema)."""
    limits = Limits.of(batch_rows, batch_bytes)
    if obj is None or isinstance(obj, str | bytes | os.PathLike):
        if obj is None or isinstance(obj, bytes):
            raise _unsupported(obj)
        return files_source(obj, limits)
    if isinstance(obj, pa.Table | pa.RecordBatch):
        return table_source(obj, limits)
    if isinstance(obj, pd.DataFrame):
        return frame_source(obj, limits, key)
    if isinstance(obj, pa.RecordBatchReader):
        return reader_source(obj, limits)
    arrow = pyarrow_source(obj, limits)
    if arrow is not None:
        return arrow
    engine = engine_of(obj)
    if engine is not None:
        return ENGINES[engine](obj, limits, key)
    if hasattr(obj, "fetchmany") and hasattr(obj, "description"):
        return dbapi(obj, limits)
    if hasattr(obj, "__arrow_c_stream__"):
        return stream_source(obj, limits)
    if is_row(obj):
        raise TypeError(
            f"stream_from reads many rows, and a {type(obj).__name__} is one row: use "
            "w.insert(row), or pass a list of rows (or pa.table(columns) for a dict of columns)."
        )
    if isinstance(obj, AsyncIterable) and not isinstance(obj, Iterable):
        return async_iterable_source(obj, limits, key)
    if isinstance(obj, Iterable):
        return iterable_source(obj, limits, key)
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
