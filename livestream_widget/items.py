"""Turn user items (dicts, pandas, Arrow) into Arrow tables, and tables into dom ids.

Every item kind goes through values.py (the one conversion path) and then the stream's
StreamSchema (schema.py), so the same value gets the same type and the same dom id whether it
came in a dict, a DataFrame or an Arrow table. DataFrames and Arrow data are read column by
column, never row by row, except for object columns and a configured dom id callable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .keys import check_keys, dom_ids
from .schema import DOM_ID, StreamSchema
from .values import StreamSchemaError, table_from_frame, table_from_rows

__all__ = [
    "DOM_ID",
    "StreamSchema",
    "StreamSchemaError",
    "check_keys",
    "derives_ids",
    "dom_ids",
    "rows_to_table",
    "to_table",
]


def to_table(items: Any, key: str | None = None) -> pa.Table:
    """Read any supported item kind as an Arrow table (no dom ids yet)."""
    if isinstance(items, pa.Table):
        return items
    if isinstance(items, pa.RecordBatch):
        return pa.Table.from_batches([items])
    if isinstance(items, pd.DataFrame):
        df = items
        if key and key in (df.index.names or []) and key not in df.columns:
            df = df.reset_index()
        return table_from_frame(df)
    if isinstance(items, pd.Series | Mapping):
        return rows_to_table([items])
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise TypeError(
            f"cannot read items of type {type(items).__name__}: pass a dict, a pandas Series or "
            "DataFrame, a pyarrow Table or RecordBatch, or a list of dicts."
        )
    return rows_to_table(list(items))


def rows_to_table(rows: list) -> pa.Table:
    """A table from row mappings (dicts or pandas Series), value by value (values.py)."""
    return table_from_rows([_as_mapping(r, i) for i, r in enumerate(rows)])


def _as_mapping(row: Any, position: int) -> Mapping:
    if isinstance(row, pd.Series):
        return row.to_dict()
    if isinstance(row, Mapping):
        return row
    raise TypeError(
        f"item at position {position} is a {type(row).__name__}; a list of items must hold "
        "dicts or pandas Series (pass a DataFrame or pyarrow Table directly for many rows)."
    )


#: Integer keys within this magnitude are exact as JS numbers, so the browser can make the dom
#: ids itself (`key` in an insert op) and the `__dom_id` column stays off the wire.
MAX_DERIVED_KEY = 2**53 - 1


def derives_ids(table: pa.Table, key: str) -> bool:
    """Whether the browser can make this table's default dom ids from its integer `key` column.

    Call after `check_keys` checked the column (present, no nulls) on the same rows."""
    if key not in table.column_names or not pa.types.is_integer(table.schema.field(key).type):
        return False
    if table.num_rows == 0:
        return True
    if table.num_rows == 1:
        return abs(table.column(key)[0].as_py()) <= MAX_DERIVED_KEY
    low, high = pc.min_max(table.column(key)).values()
    return low.as_py() >= -MAX_DERIVED_KEY and high.as_py() <= MAX_DERIVED_KEY
