"""Engine sources for `stream_from`: Polars, DuckDB, Dask, Spark and DB-API cursors.

Each engine is recognised by the module name of the object's type (`engine_of`) and never
imported here, so none of them is needed unless it is used. Every adapter returns a `Source`
whose batches are bounded like the others: it asks the engine for batches of about the right
number of rows, then cuts them to the limits.

It is separate because each engine has its own API for reading batch by batch, and none of it
concerns the other sources. It builds on batches.py, and on frames.py for Dask's pandas
partitions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pyarrow as pa

from .batches import VARIABLE_BYTES, Limits, Source, reader_batches, row_bytes, split
from .frames import frame_batches


def engine_of(obj: Any) -> str | None:
    """The engine of `obj` ("polars.DataFrame", "duckdb.DuckDBPyRelation", ...), or None."""
    for cls in type(obj).__mro__:
        root = (cls.__module__ or "").split(".")[0].lstrip("_")
        name = cls.__name__
        if root == "polars" and name in ("DataFrame", "LazyFrame"):
            return f"polars.{name}"
        if root == "duckdb" and name in ("DuckDBPyRelation", "DuckDBPyConnection"):
            return f"duckdb.{name}"
        if root == "dask" and name in ("DataFrame", "Series"):
            return f"dask.{name}"
        if root == "pyspark" and name == "DataFrame":
            return "pyspark.DataFrame"
    return None


def _polars_frame(df: Any, limits: Limits, key: str | None) -> Source:
    # to_arrow() is zero-copy: slicing it costs nothing until a slice is encoded.
    return Source("Polars DataFrame", lambda: split(df.to_arrow(), limits), total=df.height)


def _polars_lazy(lf: Any, limits: Limits, key: str | None) -> Source:
    def read() -> Iterator[pa.Table]:
        import polars as pl

        schema = pl.DataFrame(schema=lf.collect_schema()).to_arrow().schema
        rows = limits.rows_for(row_bytes(schema))
        if hasattr(lf, "collect_batches"):  # Polars >= 1.34: the streaming engine, batch by batch
            for df in lf.collect_batches(chunk_size=rows, maintain_order=True):
                yield from split(df.to_arrow(), limits)
        else:  # older Polars cannot hand out batches: collect (streaming) then slice
            yield from split(lf.collect(engine="streaming").to_arrow(), limits)

    return Source("Polars LazyFrame", read)


_DUCKDB_WIDTHS = {
    "BOOLEAN": 1,
    "TINYINT": 1,
    "UTINYINT": 1,
    "SMALLINT": 2,
    "USMALLINT": 2,
    "INTEGER": 4,
    "UINTEGER": 4,
    "FLOAT": 4,
    "DATE": 4,
    "BIGINT": 8,
    "UBIGINT": 8,
    "DOUBLE": 8,
    "TIME": 8,
    "HUGEINT": 16,
    "UHUGEINT": 16,
    "UUID": 16,
    "INTERVAL": 16,
}


def _duckdb_row_bytes(types: Sequence[Any]) -> float:
    total = 0
    for t in types:
        name = str(t).upper()
        if name.startswith("TIMESTAMP"):
            total += 8
        elif name.startswith("DECIMAL"):
            total += 16
        else:
            total += _DUCKDB_WIDTHS.get(name, VARIABLE_BYTES)
    return max(total, 1)


def _duckdb_relation(rel: Any, limits: Limits, key: str | None) -> Source:
    def read() -> Iterator[pa.Table]:
        rows = limits.rows_for(_duckdb_row_bytes(rel.types))
        if hasattr(rel, "to_arrow_reader"):
            reader = rel.to_arrow_reader(rows)
        else:  # DuckDB < 1.4
            reader = rel.fetch_record_batch(rows)
        yield from reader_batches(reader, limits)

    return Source("DuckDB relation", read)


def _duckdb_result(con: Any, limits: Limits, key: str | None) -> Source:
    if con.description is None:
        raise TypeError(
            "this DuckDB connection holds no query result: pass con.sql(query) (a relation), "
            "or call con.execute(query) first"
        )

    def read() -> Iterator[pa.Table]:
        rows = limits.rows_for(16.0 * len(con.description))
        if hasattr(con, "to_arrow_reader"):
            reader = con.to_arrow_reader(rows)
        else:  # DuckDB < 1.4
            reader = con.fetch_record_batch(rows)
        yield from reader_batches(reader, limits)

    return Source("DuckDB query result", read, reiterable=False)


def _dask(ddf: Any, limits: Limits, key: str | None) -> Source:
    def read() -> Iterator[pa.Table]:
        frame = ddf.to_frame() if type(ddf).__name__ == "Series" else ddf
        # One delayed object per partition, each computed only when the previous one is sent.
        for part in frame.to_delayed():
            pdf = part.compute()
            yield from frame_batches(pdf, limits, key)
            del pdf

    return Source(f"Dask {type(ddf).__name__} ({ddf.npartitions} partitions)", read)


def _spark(df: Any, limits: Limits, key: str | None) -> Source:
    def read() -> Iterator[pa.Table]:
        if hasattr(df, "__arrow_c_stream__"):
            # PySpark >= 4: Arrow batches, one partition at a time (mapInArrow + toLocalIterator).
            yield from reader_batches(pa.RecordBatchReader.from_stream(df), limits)
            return
        from pyspark.sql.pandas.types import to_arrow_schema

        schema = to_arrow_schema(df.schema)
        rows = limits.rows_for(row_bytes(schema))
        chunk: list[dict[str, Any]] = []
        for row in df.toLocalIterator():  # older PySpark: rows, one partition at a time
            chunk.append(row.asDict(recursive=True))
            if len(chunk) >= rows:
                yield pa.Table.from_pylist(chunk, schema=schema)
                chunk = []
        if chunk:
            yield pa.Table.from_pylist(chunk, schema=schema)

    return Source("Spark DataFrame", read)


ENGINES: dict[str, Callable[[Any, Limits, str | None], Source]] = {
    "polars.DataFrame": _polars_frame,
    "polars.LazyFrame": _polars_lazy,
    "duckdb.DuckDBPyRelation": _duckdb_relation,
    "duckdb.DuckDBPyConnection": _duckdb_result,
    "dask.DataFrame": _dask,
    "dask.Series": _dask,
    "pyspark.DataFrame": _spark,
}


def dbapi(cursor: Any, limits: Limits) -> Source:
    """A DB-API cursor with an executed query, read with `fetchmany`."""
    if cursor.description is None:
        raise TypeError("this cursor holds no query result: call cursor.execute(query) first")

    def read() -> Iterator[pa.Table]:
        names = [d[0] for d in cursor.description]
        rows = limits.rows_for(16.0 * len(names))
        while chunk := cursor.fetchmany(rows):
            columns = list(zip(*chunk, strict=True))
            arrays = []
            for name, values in zip(names, columns, strict=True):
                try:
                    arrays.append(pa.array(values))
                except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError) as e:
                    raise TypeError(f"column {name!r}: cannot encode its values ({e})") from None
            yield from split(pa.Table.from_arrays(arrays, names=names), limits)

    return Source(f"DB-API cursor ({type(cursor).__name__})", read, reiterable=False)
