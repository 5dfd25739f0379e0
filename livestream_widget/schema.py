"""The columns and types one stream has settled on, and how later batches fit them.

Rules (docs/guide.md, "Columns and types"):
- the first batch after a reset fixes the columns (or `columns=[...]` does);
- a later value that needs a wider type widens its column: ints of any width -> the wider int,
  int <-> float -> float64, float32 -> float64 (by its shortest text, so 0.1 stays 0.1), coarser
  -> finer time and duration units; rows already sent keep their values and the browser shows
  both right;
- a value that the column's type cannot hold exactly, or a batch whose column has another kind
  of type, raises StreamSchemaError naming the column and the value, and changes nothing.

`fit` is pure: the caller commits the new schema only once everything else about the call has
succeeded, so a call that raises leaves the stream as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from .values import DECIMAL_META, StreamSchemaError

#: Column of every wire table that holds the rows' dom ids (see docs/protocol.md).
DOM_ID = "__dom_id"

_UNITS = ["s", "ms", "us", "ns"]


@dataclass
class Fitted:
    """A batch as it will be sent, and the stream's schema once it is."""

    table: pa.Table
    schema: pa.Schema
    seen: pa.Schema | None


class StreamSchema:
    """The columns and types one stream has settled on; later batches must fit them."""

    def __init__(self, columns: list[str] | None = None):
        self.fixed = list(columns) if columns is not None else None
        self.schema: pa.Schema | None = None
        # The last incoming schema that fitted with every column present and no change: a feed
        # repeats it, so its next batch needs only a select + checked cast.
        self._seen: pa.Schema | None = None

    def fresh(self) -> StreamSchema:
        """The schema after a reset: no rows, so a new batch may bring new columns."""
        return StreamSchema(self.fixed)

    @property
    def names(self) -> list[str]:
        if self.schema is not None:
            return self.schema.names
        return list(self.fixed or [])

    def commit(self, fitted: Fitted) -> None:
        self.schema, self._seen = fitted.schema, fitted.seen

    def conform(self, table: pa.Table) -> pa.Table:
        """`fit` and `commit` in one step (for callers with nothing else that may fail)."""
        fitted = self.fit(table)
        self.commit(fitted)
        return fitted.table

    def fit(self, table: pa.Table) -> Fitted:
        """Select, order and cast `table`'s columns to the stream's; raise if it cannot fit."""
        if DOM_ID in table.column_names:
            raise StreamSchemaError(f"column name {DOM_ID!r} is reserved for dom ids; rename it")
        if self.schema is None:
            out = self._first(table)
            return Fitted(out, out.schema, None)
        if table.schema.equals(self.schema, check_metadata=False):
            return Fitted(table, self.schema, self._seen)  # a feed's common case
        if self._seen is not None and table.schema.equals(self._seen, check_metadata=False):
            try:
                return Fitted(_cast(table, self.schema), self.schema, self._seen)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                pass  # e.g. an overflow: the slow path names the column and the value
        return self._fit(table)

    def _first(self, table: pa.Table) -> pa.Table:
        names = self.fixed if self.fixed is not None else table.column_names
        arrays, fields = [], []
        for name in names:
            if name in table.column_names:
                field = table.schema.field(name)
                col, meta = normalize(name, table.column(name), field.metadata)
            else:
                col, meta = pa.nulls(table.num_rows), None
            arrays.append(col)
            fields.append(pa.field(name, col.type, metadata=meta))
        return pa.Table.from_arrays(arrays, schema=pa.schema(fields))

    def _fit(self, table: pa.Table) -> Fitted:
        assert self.schema is not None
        names = table.column_names
        if self.fixed is None:
            extra = [n for n in names if n not in self.schema.names]
            if extra:
                raise StreamSchemaError(
                    f"unknown column(s) {extra}: this stream's columns are {self.schema.names}. "
                    "Drop them, pass columns=[...] to StreamWidget to choose columns, or "
                    "reset() the stream to start over with new columns."
                )
        arrays, fields, exact = [], [], True
        for field in self.schema:
            if field.name in names:
                incoming = table.schema.field(field.name)
                col, meta = normalize(field.name, table.column(field.name), incoming.metadata)
                col, kept = _fit_column(field, col)
                exact = exact and kept
                meta = field.metadata or meta
            else:
                col, meta = pa.nulls(table.num_rows, field.type), field.metadata
            arrays.append(col)
            fields.append(pa.field(field.name, col.type, metadata=meta))
        out = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
        seen = table.schema if exact and set(self.schema.names) <= set(names) else None
        return Fitted(out, out.schema, seen)


def normalize(
    name: str, col: pa.ChunkedArray | pa.Array, metadata: dict | None = None
) -> tuple[pa.ChunkedArray | pa.Array, dict | None]:
    """The type we send: one string / binary flavour, dictionaries decoded, decimals as exact
    text, UUIDs as text. Returns the column and its field metadata."""
    t = col.type
    meta = DECIMAL_META if metadata == DECIMAL_META else None
    if pa.types.is_dictionary(t):
        return normalize(name, col.cast(t.value_type), metadata)
    if pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return col.cast(pa.string()), meta
    if pa.types.is_large_binary(t) or pa.types.is_binary_view(t):
        return col.cast(pa.binary()), None
    if pa.types.is_decimal(t):
        return col.cast(pa.string()), DECIMAL_META  # exact digits; JS numbers would round
    if isinstance(t, pa.ExtensionType):
        if t.extension_name == "arrow.uuid":
            import uuid

            text = [None if b is None else str(uuid.UUID(bytes=b)) for b in col.storage.to_pylist()]
            return pa.array(text, pa.string()), None
        raise StreamSchemaError(
            f"column {name!r} has the extension type {t}, which a table cell cannot show. "
            "Convert it to numbers, strings or datetimes first."
        )
    return col, meta


def widen(old: pa.DataType, new: pa.DataType) -> pa.DataType | None:
    """The type that holds both `old` and `new` values exactly, or None if there is none."""
    if old == new or pa.types.is_null(new):
        return old
    if pa.types.is_null(old):
        return new
    ints, floats = pa.types.is_integer, pa.types.is_floating
    if ints(old) and ints(new):
        return _wider_int(old, new)
    if (ints(old) or floats(old)) and (ints(new) or floats(new)):
        return pa.float64()
    for both in (pa.types.is_timestamp, pa.types.is_duration):
        if both(old) and both(new):
            unit = max(old.unit, new.unit, key=_UNITS.index)
            if pa.types.is_duration(old):
                return pa.duration(unit)
            return pa.timestamp(unit, old.tz) if (old.tz is None) == (new.tz is None) else None
    if pa.types.is_time(old) and pa.types.is_time(new):
        unit = max(old.unit, new.unit, key=_UNITS.index)
        return pa.time32(unit) if unit in ("s", "ms") else pa.time64(unit)
    if pa.types.is_date(old) and pa.types.is_date(new):
        return old
    return None


def _wider_int(a: pa.DataType, b: pa.DataType) -> pa.DataType:
    signed = pa.types.is_signed_integer
    if signed(a) == signed(b):
        return a if a.bit_width >= b.bit_width else b
    s, u = (a, b) if signed(a) else (b, a)
    return s if s.bit_width > u.bit_width else pa.int64()


def _fit_column(field: pa.Field, col: pa.ChunkedArray | pa.Array) -> tuple:
    """`col` as the (possibly widened) type of `field`; True when nothing had to change."""
    target = widen(field.type, col.type)
    if target is None:
        raise StreamSchemaError(
            f"column {field.name!r} changed type: it is {field.type} in this stream but "
            f"{col.type} in this batch. Convert it (e.g. df[{field.name!r}] = "
            f"df[{field.name!r}].astype(...)) or reset() the stream to start over with new "
            "columns."
        )
    if target == col.type:
        return col, target == field.type
    out = exact_cast(field.name, col, target, widened=target != field.type)
    # The feed fast path repeats a plain checked cast: only when that is what happened here.
    by_text = pa.types.is_floating(col.type) and pa.types.is_float64(target)
    return out, target == field.type and not by_text


def exact_cast(name: str, col, target: pa.DataType, widened: bool = False):
    """Cast `col` to `target`, refusing (with the first value at fault) any value it changes."""
    if pa.types.is_floating(col.type) and pa.types.is_float64(target):
        # float32 -> float64 by the shortest text, so 0.1 stays 0.1 rather than 0.100000001.
        return pc.cast(pc.cast(col, pa.string()), target)
    try:
        return col.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    loose = col.cast(target, safe=False)
    back = loose.cast(col.type, safe=False)
    differs = pc.fill_null(pc.not_equal(back, col), True)
    differs = pc.and_(differs, pc.is_valid(col))
    at = pc.index(differs, True).as_py()
    value = col[max(at, 0)].as_py()
    since = " (the column widened to it when a wider value arrived)" if widened else ""
    raise StreamSchemaError(
        f"column {name!r}: the value {value!r} cannot be kept exactly as {target}{since}. "
        "Send such values as str or decimal.Decimal, or reset() the stream to start over "
        "with new columns."
    )


def _cast(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """`table`'s columns of `schema`, cast where their types differ (only those: a feed's
    string columns, say, and not its numbers)."""
    columns = []
    for field in schema:
        column = table.column(field.name)
        columns.append(column if column.type == field.type else column.cast(field.type))
    return pa.Table.from_arrays(columns, schema=schema)
