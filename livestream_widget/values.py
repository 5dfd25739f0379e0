"""Python values and pandas columns -> Arrow arrays, exactly: the one conversion path.

Every item kind reaches Arrow through here (dict rows and pandas object columns value by value,
other pandas columns vectorised), with one set of rules, so a value is sent as it was given or
refused with an error naming the column, the value and what to do:

- ints stay ints; ints mixed with floats make a float column, refused where an int is beyond
  what a float holds exactly (2**53);
- NaN stays NaN (shown as NaN), None / pd.NA / NaT are null; a NaN among non-numbers is pandas'
  missing marker (`df.to_dict("records")` of a string column) and counts as null;
- times keep their unit (nanoseconds of a pd.Timestamp are not truncated) and their zone;
- Decimals travel as their exact text (`str(d)`), Periods, Intervals and UUIDs as their text;
- a column mixing kinds (str and int, bool and int, naive and zoned times, ...) is refused:
  Arrow would otherwise pick one type and cast the rest silently.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import numbers
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.api.extensions import ExtensionArray

#: Field metadata marking a string column that holds decimal numbers as exact text (the browser
#: right-aligns and sorts it as numbers).
DECIMAL_META = {b"livestream": b"decimal"}


class StreamSchemaError(TypeError):
    """A batch does not fit the stream's columns (unknown column, conflicting type), or a value
    cannot be sent exactly."""


def is_int(value: Any) -> bool:
    """An integer, and not a bool (bool is an int subclass in Python)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


_EXACT = {int: "int", str: "str", bool: "bool", type(None): "null"}


def _kind(v: Any) -> str:
    """What one Python value is, for choosing a column's type."""
    kind = _EXACT.get(type(v))
    if kind is not None:
        return kind
    if type(v) is float:
        return "nan" if v != v else "float"
    if v is pd.NA or v is pd.NaT:
        return "null"
    if isinstance(v, bool | np.bool_):
        return "bool"
    if isinstance(v, numbers.Integral):
        return "int"
    if isinstance(v, float | np.floating):
        return "nan" if math.isnan(v) else "float"
    if isinstance(v, decimal.Decimal):
        return "decimal"
    if isinstance(v, str):
        return "str"
    if isinstance(v, bytes | bytearray | memoryview):
        return "bytes"
    if isinstance(v, dt.datetime | np.datetime64):
        if isinstance(v, np.datetime64):
            return "null" if np.isnat(v) else "datetime"
        return "datetime" if v.tzinfo is None or v.utcoffset() is None else "zoned"
    if isinstance(v, dt.date):
        return "date"
    if isinstance(v, dt.time):
        return "time"
    if isinstance(v, dt.timedelta | np.timedelta64):
        return "null" if isinstance(v, np.timedelta64) and np.isnat(v) else "duration"
    if isinstance(v, pd.Period | pd.Interval | uuid.UUID):
        return "text"
    if isinstance(v, Mapping):
        return "struct"
    if isinstance(v, Sequence | np.ndarray):
        return "list"
    return type(v).__name__


def _refuse(column: str, what: str, value: Any, todo: str) -> StreamSchemaError:
    return StreamSchemaError(f"column {column!r}: {what} (value {value!r}). {todo}")


_NUMBERS = {"int", "float", "nan"}


def array_from_values(column: str, values: list) -> pa.Array:
    """One column of Python values as an Arrow array, exactly (see the module docstring)."""
    kinds = [_kind(v) for v in values]
    present = set(kinds)
    present.discard("null")
    if len(present) == 1:  # the common case, decided without the rules below
        if "float" in present:
            return pa.array(values, pa.float64())
        if "str" in present:
            return pa.array(values, pa.string())
        if "int" in present and all(-(2**63) <= v < 2**63 for v in values if v is not None):
            return pa.array(values, pa.int64())
    if "nan" in present and not present <= _NUMBERS | {"decimal"}:
        # pandas' missing marker among strings, times, ...: a missing value.
        values = [None if k == "nan" else v for v, k in zip(values, kinds, strict=True)]
        kinds = ["null" if k == "nan" else k for k in kinds]
        present.discard("nan")
    if not present:
        return pa.nulls(len(values))
    if present <= _NUMBERS:
        return _numbers(column, values, present)
    if present <= {"decimal", "int"}:
        text = [
            None if v is None or k == "null" else str(v) for v, k in zip(values, kinds, strict=True)
        ]
        return pa.array(text, pa.string())
    if len(present) > 1:
        first, *others = sorted(present, key=lambda k: kinds.index(k))
        other = others[0]
        value = values[kinds.index(other)]
        raise _refuse(
            column,
            f"mixes {_NAMES.get(first, first)} and {_NAMES.get(other, other)} values, which "
            "one column cannot hold without changing some",
            value,
            "Convert them to one type first (for example str(v) for every value).",
        )
    (kind,) = present
    plain = [None if k == "null" else v for v, k in zip(values, kinds, strict=True)]
    if kind in ("datetime", "zoned"):
        return _times(column, plain)
    if kind == "duration":
        return _durations(plain)
    if kind == "text":
        return pa.array([None if v is None else str(v) for v in plain], pa.string())
    if kind in ("str", "bool", "bytes", "date", "time", "list", "struct"):
        try:
            return pa.array(plain)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError) as e:
            raise _refuse(
                column,
                f"cannot be encoded as Arrow ({e})",
                next(v for v in plain if v is not None),
                "Use one type per column, or convert the values to str first.",
            ) from None
    raise _refuse(
        column,
        f"holds a value of type {kind}, which a table cell cannot show",
        next(v for v, k in zip(values, kinds, strict=True) if k == kind),
        "Convert it to a number, str, datetime or bool first.",
    )


_NAMES = {"int": "int", "float": "float", "nan": "float", "str": "str", "zoned": "zoned datetime"}


def _numbers(column: str, values: list, present: set[str]) -> pa.Array:
    if present == {"int"}:
        try:
            return pa.array(values, pa.int64())
        except (OverflowError, pa.ArrowInvalid):
            pass
        try:
            if all(v is None or v >= 0 for v in values):
                return pa.array(values, pa.uint64())
        except (OverflowError, pa.ArrowInvalid):
            pass
        big = next(v for v in values if v is not None and not -(2**63) <= v < 2**64)
        raise _refuse(
            column,
            "holds an integer beyond 64 bits",
            big,
            "Send it as a str or a decimal.Decimal to keep every digit.",
        )
    for v in values:
        if is_int(v) and float(v) != v:
            raise _refuse(
                column,
                "mixes ints and floats, and this int cannot be kept exactly as a float",
                v,
                "Send the column as str or decimal.Decimal values, or keep it all ints.",
            )
    return pa.array([None if v is None else float(v) for v in values], pa.float64())


def _times(column: str, values: list) -> pa.Array:
    """datetime / pd.Timestamp / np.datetime64 values, naive or zoned (not both), unit kept."""
    first = next(v for v in values if v is not None)
    fine = any(
        (isinstance(v, pd.Timestamp) and v.nanosecond) or isinstance(v, np.datetime64)
        for v in values
    )
    if not fine:
        try:
            return pa.array(values)  # datetime: microseconds, zone from the first value
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError) as e:
            raise _refuse(column, f"cannot be encoded as Arrow ({e})", first, "") from None
    tz = None
    if not isinstance(first, np.datetime64) and first.tzinfo is not None:
        tz = pa.array([first]).type.tz
    try:
        ns = [None if v is None else pd.Timestamp(v).value for v in values]
    except (OverflowError, ValueError, pd.errors.OutOfBoundsDatetime) as e:
        raise _refuse(column, f"a time with nanoseconds is out of range ({e})", first, "") from None
    return pa.array(ns, pa.timestamp("ns", tz))


def _durations(values: list) -> pa.Array:
    fine = any(
        (isinstance(v, pd.Timedelta) and v.nanoseconds) or isinstance(v, np.timedelta64)
        for v in values
    )
    if not fine:
        return pa.array(values, pa.duration("us"))
    return pa.array(
        [None if v is None else pd.Timedelta(v).value for v in values], pa.duration("ns")
    )


def table_from_rows(rows: list[Mapping]) -> pa.Table:
    """Row mappings as a table: columns in first-seen order, a missing key is null."""
    names: dict[Any, None] = {}
    for r in rows:
        names.update(dict.fromkeys(r))
    arrays, fields = [], []
    for name in names:
        values = [r.get(name) for r in rows]
        array = array_from_values(str(name), values)
        arrays.append(array)
        fields.append(pa.field(str(name), array.type, metadata=_meta(array, values)))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields)) if arrays else pa.table({})


def _meta(array: pa.Array, values: list) -> dict | None:
    """Decimals travel as text: mark the column so the browser treats it as numbers."""
    if array.type == pa.string() and any(isinstance(v, decimal.Decimal) for v in values):
        return DECIMAL_META
    return None


def table_from_frame(df: pd.DataFrame) -> pa.Table:
    """A DataFrame as a table, column by column with the same rules as dict rows."""
    names = [str(c) for c in df.columns.tolist()]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise StreamSchemaError(
            f"this DataFrame has duplicate column names {dup}: each column needs its own name. "
            "Rename them (df.columns = [...]) or select the ones to show."
        )
    arrays, fields = [], []
    for name, values in zip(names, _column_values(df), strict=True):
        array, meta = _pandas_column(name, values)
        arrays.append(array)
        fields.append(pa.field(name, array.type, metadata=meta))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields)) if arrays else pa.table({})


def _column_values(df: pd.DataFrame) -> list[np.ndarray | ExtensionArray]:
    """Each column's values (a numpy array or a pandas extension array), in column order.

    A feed sends many small frames, and building a Series per column (`df.items()`) costs more
    than reading its values into Arrow: where pandas' block manager offers the values by
    position (pandas 2 and 3), they are read from it, else through the Series."""
    get = getattr(getattr(df, "_mgr", None), "iget_values", None)
    if callable(get):
        return [get(i) for i in range(df.shape[1])]
    return _column_values_of_series(df)


def _column_values_of_series(df: pd.DataFrame) -> list[np.ndarray | ExtensionArray]:
    return [s.to_numpy() if isinstance(s.dtype, np.dtype) else s.array for _, s in df.items()]


#: Arrow type of each pandas datetime / timedelta dtype, as pyarrow reads it (zone included).
_TIME_TYPES: dict[Any, pa.DataType] = {}


def _pandas_column(
    name: str, values: np.ndarray | ExtensionArray
) -> tuple[pa.Array | pa.ChunkedArray, dict | None]:
    dtype = values.dtype
    if isinstance(values, np.ndarray) and dtype.kind == "f":
        return pa.array(values, from_pandas=False), None  # NaN stays NaN
    if isinstance(values, np.ndarray) and dtype.kind in "iub":
        return pa.array(values), None  # no nulls to find: straight from the buffer
    if isinstance(values, np.ndarray) and dtype.kind == "O":
        items = values.tolist()
        array = array_from_values(name, items)
        return array, _meta(array, items)
    if isinstance(dtype, pd.PeriodDtype | pd.IntervalDtype):
        return pa.array([None if pd.isna(v) else str(v) for v in values], pa.string()), None
    if isinstance(values, pd.arrays.DatetimeArray | pd.arrays.TimedeltaArray):
        return _times_from_pandas(values), None
    try:
        # Extension arrays (strings, nullable numbers) convert themselves (__arrow_array__).
        array = pa.array(values, from_pandas=True)
        if pa.types.is_large_string(array.type):
            # pandas' own strings are large_string; the stream's string type is string
            # (schema.py): cast the column here, so each DataFrame of a feed already fits the
            # stream's schema and no table is rebuilt to cast it.
            array = _as_string(array)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as e:
        raise StreamSchemaError(
            f"column {name!r}: cannot encode its {dtype} values as Arrow ({e}). Convert it to "
            f"numbers, strings or datetimes first (e.g. df[{name!r}] = df[{name!r}].astype(str))."
        ) from None
    return array, DECIMAL_META if pa.types.is_decimal(array.type) else None


def _times_from_pandas(values: pd.arrays.DatetimeArray | pd.arrays.TimedeltaArray) -> pa.Array:
    """pandas times as Arrow, unit and zone kept: the same array pyarrow makes from them, read
    from their int64 ticks (pyarrow's own path costs a tenth of a small frame)."""
    kind = _TIME_TYPES.get(values.dtype)
    if kind is None:
        kind = _TIME_TYPES[values.dtype] = pa.array(values[:0], from_pandas=True).type
    ticks = np.ascontiguousarray(values.asi8)  # type: ignore[union-attr]  # (not in the stubs)
    missing = values.isna()
    if missing.any():
        return pa.array(ticks, kind, mask=missing)
    return pa.Array.from_buffers(kind, len(ticks), [None, pa.py_buffer(ticks)])


def _as_string(array: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """A large_string column as string: the same bytes and validity, offsets narrowed to
    int32 (a third of the cost of pyarrow's cast on a feed's small columns, most of which is
    the cast's own set-up)."""
    if isinstance(array, pa.ChunkedArray):
        if array.num_chunks != 1:
            return array.cast(pa.string())
        array = array.chunk(0)
    validity, offsets, data = array.buffers()
    if offsets is None:  # an empty array may come without buffers
        return array.cast(pa.string())
    ends = np.frombuffer(offsets, np.int64, count=array.offset + len(array) + 1)
    if ends[-1] > np.iinfo(np.int32).max:
        return array.cast(pa.string())  # raises: too many bytes for one string column
    narrow = pa.py_buffer(ends.astype(np.int32))
    return pa.Array.from_buffers(
        pa.string(), len(array), [validity, narrow, data], array.null_count, array.offset
    )
