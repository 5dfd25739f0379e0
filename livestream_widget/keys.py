"""Dom ids: one text per key value, whatever the item kind, batch or unit.

A default dom id is `f"{name}-{text}"`, where `text` is the key value's canonical text (the
guide has the table):

- int: `str(n)`; str: itself; bool: `True` / `False`;
- float and Decimal: the shortest plain decimal of the value, no exponent, no trailing zeros,
  so `1`, `1.0` and `Decimal("1.00")` all give `1`, and `2.50` gives `2.5`;
- naive datetime: `YYYY-MM-DD HH:MM:SS` plus the fraction of a second without trailing zeros,
  whatever the unit; zoned datetime: the same instant in UTC followed by `+00:00` (the same
  instant in two zones is one key);
- date: `YYYY-MM-DD`; time: `HH:MM:SS[.fraction]`; UUID: its hyphenated lowercase text.

NaN, infinities and nulls identify nothing and are refused; so are bytes and nested values.
Everything is vectorised except floats that Arrow writes with an exponent, decimals and UUIDs.
"""

from __future__ import annotations

import decimal
import uuid
from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

from .values import DECIMAL_META


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
    """Dom ids for every row: `f"{name}-{key text}"`, or the configured callable's result."""
    if dom_id is not None:
        ids = [dom_id(row) for row in table.to_pylist()]
        bad = next((i for i in ids if not isinstance(i, str)), None)
        if bad is not None or None in ids:
            raise TypeError(f"configure(dom_id=...) must return a str for every row; got {bad!r}")
        return pa.array(ids, pa.string())
    check_keys(table, key)
    col = table.column(key)
    if table.num_rows == 1 and (pa.types.is_integer(col.type) or _plain_string(table, key)):
        return pa.array([f"{name}-{col[0].as_py()}"], pa.string())  # a feed's single rows
    text = key_text(col.combine_chunks(), key, table.schema.field(key).metadata)
    return pc.binary_join_element_wise(f"{name}-", text, "")


def _plain_string(table: pa.Table, key: str) -> bool:
    field = table.schema.field(key)
    return pa.types.is_string(field.type) and field.metadata != DECIMAL_META


def key_text(col: pa.Array, key: str, metadata: dict | None = None) -> pa.Array:
    """The canonical text of every key value (see the module docstring); raises for values
    that cannot identify a row."""
    t = col.type
    if pa.types.is_dictionary(t):
        return key_text(col.dictionary_decode(), key, metadata)
    if pa.types.is_integer(t):
        return pc.cast(col, pa.string())
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        if metadata == DECIMAL_META:
            return _per_value(col.to_pylist(), _decimal_text, key)
        return pc.cast(col, pa.string())
    if pa.types.is_boolean(t):
        return pc.if_else(col, "True", "False")
    if pa.types.is_floating(t):
        return _floats(col, key)
    if pa.types.is_decimal(t):
        return _per_value(col.to_pylist(), _decimal_text, key)
    if pa.types.is_timestamp(t):
        naive = col.cast(pa.timestamp(t.unit))  # zoned values are UTC instants underneath
        text = _trim_fraction(pc.strftime(naive, "%Y-%m-%d %H:%M:%S"))
        return pc.binary_join_element_wise(text, "+00:00", "") if t.tz else text
    if pa.types.is_date(t):
        return pc.cast(col.cast(pa.date32()), pa.string())
    if pa.types.is_time(t):
        return _trim_fraction(pc.cast(col, pa.string()))
    if isinstance(t, pa.ExtensionType) and t.extension_name == "arrow.uuid":
        return pa.array([str(uuid.UUID(bytes=b)) for b in col.storage.to_pylist()], pa.string())
    hint = " (decode them to str first)" if pa.types.is_binary(t) else ""
    raise TypeError(
        f"key column {key!r} holds {t} values{hint}, which cannot identify rows. Keys must be "
        "ints, floats, decimals, strings, bools, dates, times, datetimes or UUIDs; pass "
        "key=... naming another column, or configure(dom_id=fn) to build ids yourself."
    )


def _trim_fraction(text: pa.Array) -> pa.Array:
    """`00:00:01.500000000` -> `00:00:01.5`, `00:00:01.000` -> `00:00:01`."""
    text = pc.replace_substring_regex(text, r"(\.\d*?)0+$", r"\1")
    return pc.replace_substring_regex(text, r"\.$", "")


def _floats(col: pa.Array, key: str) -> pa.Array:
    bad = pc.invert(pc.is_finite(col))
    if pc.any(bad).as_py():
        value = col[pc.index(bad, True).as_py()].as_py()
        raise ValueError(
            f"key column {key!r} holds {value!r} (row {pc.index(bad, True).as_py()}), which "
            "identifies no row: every row needs a finite key."
        )
    text = pc.cast(col, pa.string())  # shortest round-trip digits, but exponents for some
    odd = pc.or_(pc.match_substring(text, "e"), pc.equal(text, "-0"))
    if not pc.any(odd).as_py():
        return text
    values = col.to_pylist()
    return pa.array([_float_text(v) for v in values], pa.string())


def _float_text(v: float) -> str:
    if v.is_integer():
        return str(int(v))
    return format(decimal.Decimal(repr(v)), "f")


def _decimal_text(text: str | decimal.Decimal) -> str:
    d = decimal.Decimal(text)
    if not d.is_finite():
        raise ValueError(f"{text!r} is not a finite number")
    if d == 0:
        return "0"
    return format(d.normalize(), "f")


def _per_value(values: list, fn: Callable, key: str) -> pa.Array:
    out = []
    for i, v in enumerate(values):
        try:
            out.append(fn(v))
        except (ValueError, ArithmeticError) as e:
            raise ValueError(
                f"key column {key!r}: row {i} holds {v!r}, which identifies no row ({e})."
            ) from None
    return pa.array(out, pa.string())
