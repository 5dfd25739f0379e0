"""Turn user items (dicts, pandas, Arrow) into Arrow tables that match one stream's columns.

Everything here is vectorised: DataFrames and Arrow data never go through a Python loop over
rows, except when the user configured a dom id callable (the documented slow path).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: Column of every wire table that holds the rows' dom ids (see docs/protocol.md).
DOM_ID = "__dom_id"


class StreamSchemaError(TypeError):
    """A batch does not fit the stream's columns (unknown column, conflicting type)."""


def to_table(items: Any, key: str | None = None) -> pa.Table:
    """Read any supported item kind as an Arrow table (no dom ids yet)."""
    if isinstance(items, pa.Table):
        return items
    if isinstance(items, pa.RecordBatch):
        return pa.Table.from_batches([items])
    if isinstance(items, pd.DataFrame):
        df = items
        if key and key not in df.columns and key in (df.index.names or []):
            df = df.reset_index()
        try:
            # A thread pool per call costs more than it saves on the small batches of a feed.
            threads = None if len(df) >= 100_000 else 1
            return pa.Table.from_pandas(df, preserve_index=False, nthreads=threads)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as e:
            raise TypeError(
                f"cannot encode this DataFrame as Arrow: {e}. Convert the offending column "
                "to numbers, strings or datetimes first (e.g. df[col] = df[col].astype(str))."
            ) from None
    if isinstance(items, (pd.Series, Mapping)):
        return rows_to_table([items])
    if isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
        raise TypeError(
            f"cannot read items of type {type(items).__name__}: pass a dict, a pandas Series or "
            "DataFrame, a pyarrow Table or RecordBatch, or a list of dicts."
        )
    return rows_to_table(list(items))


def rows_to_table(rows: list, schema: pa.Schema | None = None) -> pa.Table:
    """Build a table from row mappings; `schema` (when known) makes it one fast call."""
    rows = [_as_mapping(r, i) for i, r in enumerate(rows)]
    fast = schema is not None and not any(pa.types.is_null(f.type) for f in schema)
    # from_pylist(schema=) silently drops keys it does not know: let conform() report them.
    if fast and not set().union(*rows) <= set(schema.names):
        fast = False
    if fast:
        try:
            return pa.Table.from_pylist(rows, schema=schema)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
            pass  # fall through: per-column conversion names the column at fault
    names: dict[str, None] = {}
    for r in rows:
        names.update(dict.fromkeys(r))
    columns = {}
    for name in names:
        values = [r.get(name) for r in rows]
        try:
            columns[str(name)] = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError) as e:
            raise TypeError(
                f"column {name!r}: cannot encode its values as Arrow ({e}). Use one type per "
                "column (numbers, strings, datetimes, bools) or convert values to str first."
            ) from None
    return pa.table(columns) if columns else pa.table({})


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

    Call after `dom_ids` checked the column (present, no nulls) on the same rows."""
    if key not in table.column_names or not pa.types.is_integer(table.schema.field(key).type):
        return False
    if table.num_rows == 0:
        return True
    low, high = pc.min_max(table.column(key)).values()
    return low.as_py() >= -MAX_DERIVED_KEY and high.as_py() <= MAX_DERIVED_KEY


def check_keys(table: pa.Table, key: str) -> None:
    """Raise unless every row has a value in `key` (default dom ids are made from it)."""
    if key not in table.column_names:
        raise KeyError(
            f"these items have no {key!r} column (columns: {', '.join(table.column_names)}). "
            f"Pass key=... to StreamWidget naming the column that identifies a row, "
            f"or configure(dom_id=fn) to build ids yourself."
        )
    col = table.column(key)
    if col.null_count:
        first = pc.index(pc.is_null(col), True).as_py()
        raise ValueError(
            f"{col.null_count} row(s) have no value in key column {key!r} (first at position "
            f"{first}); every row needs a key to get a dom id."
        )


def dom_ids(table: pa.Table, name: str, key: str, dom_id: Callable | None = None) -> pa.Array:
    """Dom ids for every row: `f"{name}-{key value}"`, or the configured callable's result."""
    if dom_id is not None:
        ids = [dom_id(row) for row in table.to_pylist()]
        bad = next((i for i in ids if not isinstance(i, str)), None)
        if bad is not None or None in ids:
            raise TypeError(f"configure(dom_id=...) must return a str for every row; got {bad!r}")
        return pa.array(ids, pa.string())
    col = table.column(key) if key in table.column_names else None
    if (
        col is not None
        and table.num_rows == 1
        and (pa.types.is_integer(col.type) or pa.types.is_string(col.type))
    ):
        value = col[0].as_py()  # one row: str() of an int or str is exactly Arrow's cast
        if value is not None:
            return pa.array([f"{name}-{value}"], pa.string())
    check_keys(table, key)
    text = col if pa.types.is_string(col.type) else pc.cast(col, pa.string())
    return pc.binary_join_element_wise(f"{name}-", text, "").combine_chunks()


def _normalize_type(t: pa.DataType) -> pa.DataType:
    """The type we send: one string/binary flavour, dictionaries decoded, decimals as text."""
    if pa.types.is_dictionary(t):
        return _normalize_type(t.value_type)
    if pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return pa.string()
    if pa.types.is_large_binary(t) or pa.types.is_binary_view(t):
        return pa.binary()
    if pa.types.is_decimal(t):
        return pa.string()  # exact digits; JS numbers would round
    return t


def _compatible(old: pa.DataType, new: pa.DataType) -> bool:
    """Casts that keep meaning (int32 -> int64, int -> float, timestamp units)."""
    kinds = (pa.types.is_integer, pa.types.is_floating, pa.types.is_timestamp, pa.types.is_boolean)
    if pa.types.is_floating(old) and pa.types.is_integer(new):
        return True
    return any(k(old) and k(new) for k in kinds)


class StreamSchema:
    """The columns and types one stream has settled on; later batches must fit them."""

    def __init__(self, columns: list[str] | None = None):
        self.fixed = list(columns) if columns is not None else None
        self.schema: pa.Schema | None = None
        # The last incoming schema that conformed with every column present: a feed repeats it,
        # so the next batch needs only a select + cast (e.g. pandas large_string -> string).
        self._seen: pa.Schema | None = None

    def reset(self) -> None:
        """After a reset the stream holds no rows, so a new batch may bring new columns."""
        self.schema = None
        self._seen = None

    @property
    def names(self) -> list[str]:
        if self.schema is not None:
            return self.schema.names
        return list(self.fixed or [])

    def conform(self, table: pa.Table) -> pa.Table:
        """Select, order and cast `table`'s columns to the stream's; raise if it cannot fit."""
        if DOM_ID in table.column_names:
            raise StreamSchemaError(f"column name {DOM_ID!r} is reserved for dom ids; rename it")
        if self.schema is not None and table.schema.equals(self.schema, check_metadata=False):
            return table  # the common case of a feed: nothing to select or cast
        if self._seen is not None and table.schema.equals(self._seen, check_metadata=False):
            try:
                return table.select(self.schema.names).cast(self.schema)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                pass  # e.g. an overflow: the slow path names the column at fault
        out = self._conform(table)
        if set(self.schema.names) <= set(table.column_names):
            self._seen = table.schema
        return out

    def _conform(self, table: pa.Table) -> pa.Table:
        if self.schema is None:
            first = self._first(table)
            self.schema = first.schema
            return first
        names = table.column_names
        if self.fixed is None:
            extra = [n for n in names if n not in self.schema.names]
            if extra:
                raise StreamSchemaError(
                    f"unknown column(s) {extra}: this stream's columns are {self.schema.names}. "
                    "Drop them, pass columns=[...] to StreamWidget to choose columns, or "
                    "reset() the stream to start over with new columns."
                )
        arrays, fields = [], []
        for field in self.schema:
            if field.name in names:
                col = self._coerce(field, table.column(field.name))
            else:
                col = pa.nulls(table.num_rows, field.type)
            arrays.append(col)
            fields.append(pa.field(field.name, col.type))
        out = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
        self.schema = out.schema  # a column first seen as all-null may now have a type
        return out

    def _first(self, table: pa.Table) -> pa.Table:
        names = self.fixed if self.fixed is not None else table.column_names
        arrays = []
        for name in names:
            if name in table.column_names:
                col = table.column(name)
                arrays.append(col.cast(_normalize_type(col.type)))
            else:
                arrays.append(pa.nulls(table.num_rows))
        return pa.Table.from_arrays(arrays, names=list(names))

    def _coerce(self, field: pa.Field, col: pa.ChunkedArray) -> pa.ChunkedArray:
        new = _normalize_type(col.type)
        if new == field.type or pa.types.is_null(field.type):
            return col.cast(new) if new != col.type else col
        if pa.types.is_null(new) or _compatible(field.type, new):
            try:
                return col.cast(field.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as e:
                raise StreamSchemaError(f"column {field.name!r}: {e}") from None
        raise StreamSchemaError(
            f"column {field.name!r} changed type: it is {field.type} in this stream but {new} "
            f"in this batch. Convert it (e.g. df[{field.name!r}] = df[{field.name!r}]"
            f".astype(...)) or reset() the stream to start over with new columns."
        )
