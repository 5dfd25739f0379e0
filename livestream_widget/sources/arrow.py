"""Arrow sources: pyarrow Tables, RecordBatches and readers, datasets, scanners, ParquetFiles,
file paths (one file or a folder of one format), and objects with `__arrow_c_stream__`.

Files and datasets are read through pyarrow.dataset with bounded read-ahead, batch sizes
estimated from the schema; Parquet and Arrow IPC files give their row count from metadata.

It is separate because these sources need nothing but pyarrow (imported lazily for datasets and
Parquet) and share the path and format rules. It builds on batches.py only.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from .batches import Limits, Source, reader_batches, row_bytes, split

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


def table_source(table: pa.Table | pa.RecordBatch, limits: Limits) -> Source:
    return Source("pyarrow table", lambda: split(table, limits), total=table.num_rows)


def reader_source(reader: pa.RecordBatchReader, limits: Limits) -> Source:
    return Source("RecordBatchReader", lambda: reader_batches(reader, limits), reiterable=False)


def stream_source(obj: Any, limits: Limits) -> Source:
    """An object with `__arrow_c_stream__` (read once: the stream may be one-shot)."""
    read = lambda: reader_batches(pa.RecordBatchReader.from_stream(obj), limits)  # noqa: E731
    return Source(f"Arrow stream ({type(obj).__name__})", read, reiterable=False)


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


def files_source(path: str | os.PathLike[str], limits: Limits) -> Source:
    """A file or a folder of files of one format, recognised by suffix."""
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
            yield from split(batch, limits)

    def count() -> int | None:
        # Row counts are in Parquet / Arrow file metadata; other formats would need a full scan.
        if type(dataset.format).__name__ in ("ParquetFileFormat", "IpcFileFormat"):
            return int(dataset.count_rows())
        return None

    return Source(kind, read, count=count)


def pyarrow_source(obj: Any, limits: Limits) -> Source | None:
    """A pyarrow dataset, scanner or ParquetFile as a source; None for anything else."""
    module = type(obj).__module__ or ""
    if not module.startswith("pyarrow"):
        return None
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    if isinstance(obj, ds.Dataset):
        return _dataset(obj, limits)
    if isinstance(obj, ds.Scanner):
        read = lambda: reader_batches(obj.to_reader(), limits)  # noqa: E731
        return Source("pyarrow scanner", read, reiterable=False)  # may wrap a one-shot reader
    if isinstance(obj, pq.ParquetFile):
        read = lambda: _parquet_file(obj, limits)  # noqa: E731
        return Source("ParquetFile", read, total=obj.metadata.num_rows)
    return None


def _parquet_file(pf: Any, limits: Limits) -> Iterator[pa.Table]:
    for batch in pf.iter_batches(batch_size=limits.rows_for(row_bytes(pf.schema_arrow))):
        yield from split(batch, limits)
