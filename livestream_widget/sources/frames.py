"""pandas sources: DataFrames, read_csv(..., chunksize=) readers, and what counts as one row.

A pandas DataFrame is converted to Arrow slice by slice (`frame_batches`), never the whole
frame at once, so its memory stays one batch. The same conversion serves Dask partitions
(engines.py) and DataFrames yielded by an iterable (iterables.py); a chunked CSV reader is such
an iterable, and `chunks_total` reads the row count it may know.

It is separate because it is the one place that converts pandas objects (through the widget's
`items.to_table`, which applies the stream's key). It builds on batches.py only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd
import pyarrow as pa

from ..items import to_table
from ..values import is_int
from .batches import Limits, Source, split


def frame_source(df: pd.DataFrame, limits: Limits, key: str | None) -> Source:
    return Source("pandas DataFrame", lambda: frame_batches(df, limits, key), total=len(df))


def frame_batches(df: pd.DataFrame, limits: Limits, key: str | None) -> Iterator[pa.Table]:
    """Convert slice by slice (never the whole frame at once), sized by the last slice's width."""
    n, lo = len(df), 0
    step = min(limits.rows or 1024, 1024)  # a probe: the first slice measures the row width
    while lo < n:
        table = to_table(df.iloc[lo : lo + step], key)
        lo += step
        if table.num_rows:
            step = limits.rows_for(table.nbytes / table.num_rows)
        yield from split(table, limits)


def is_row(item: Any) -> bool:
    """Whether `item` is one row (a dict or a pandas Series) rather than many."""
    return isinstance(item, Mapping | pd.Series)


def chunks_total(obj: Any) -> int | None:
    """Rows an iterable says it holds without reading it, if it says so."""
    # pandas' TextFileReader knows `nrows` when given; most iterators know nothing.
    nrows: Any = getattr(obj, "nrows", None)
    return int(nrows) if is_int(nrows) else None
