"""What one insert's buffer holds: an Arrow IPC stream, fewer bytes per row where that pays.

Two choices per buffer, each kept only when it saves bytes (docs/protocol.md, "Buffers"):

- dictionaries: a string column with few distinct values in the buffer (symbols, categories,
  statuses) goes as a dictionary (the distinct strings once, plus a small integer per row).
  The stream's column type stays "string" (schema.py); the browser reads the same strings.
- body compression: Arrow IPC's own (LZ4 frame or ZSTD, per buffer of the record batch), which
  the browser decodes with the codecs js/src/codecs.js registers.

The widget's `compression` trait picks the codec: "auto" (the default) compresses with ZSTD
only buffers of at least AUTO_MIN_BYTES whose sample shrinks by at least AUTO_MIN_SAVING, so a
live feed's few rows go out at once, as they are, and random floats are not compressed for
nothing; "zstd" or "lz4" compress every buffer; None never compresses.

Once a page reads the diffs (delivery.py: before any front end said hello, "auto" does not
compress), "auto" compresses whether or not the page keeps up: even with the kernel, the Jupyter
server and the browser on one machine, every byte sent is copied by all three (ZMQ, the
server's websocket, the page's), which costs them more than ZSTD takes to remove it. JupyterLab,
1M market rows in 1,000-row DataFrames: 0.52-0.59 s until shown when every big buffer is
compressed, 0.76-1.03 s when compressing only while the page lagged 4 MiB behind.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from .schema import DOM_ID

#: "auto", "lz4", "zstd" or None (the `compression` trait).
Compression = str | None
COMPRESSIONS = ("auto", "lz4", "zstd", None)

#: "auto" leaves buffers smaller than this uncompressed: a few rows save too little for the
#: codec's fixed cost. (Latency is no reason to go higher: a 1,000-row diff of a market feed,
#: ~48 KB with dictionaries, compresses to a quarter in ~0.4 ms more than it takes to encode.)
AUTO_MIN_BYTES = 8 * 1024
#: "auto" keeps compression (and a string column its dictionary) only when it saves at least
#: this fraction of the bytes: below that, encoding and decoding cost about what it saves.
AUTO_MIN_SAVING = 0.2
#: The codec "auto" uses: ZSTD (level 1) saves ~35 % of the benchmark rows' bytes (84 -> 52
#: B/row) where LZ4 saves ~13 %, at about half LZ4's encoding speed, and the browser decodes it
#: in less time per byte saved (zstddec ~9 ms per MB saved, lz4js ~19).
AUTO_CODEC = "zstd"
#: "auto" first compresses about this many bytes of rows, and the whole buffer only if they
#: shrank enough: incompressible data (random floats) costs a sample, not a full pass.
SAMPLE_BYTES = 256 * 1024

#: A string column is sent as a dictionary only in buffers of at least this many rows ...
DICTIONARY_MIN_ROWS = 64
#: ... and when a sample of its first rows has at most this fraction of distinct values (500
#: symbols fill ~40 % of 1,000 rows yet save 80 % over 50,000; notes or names are all distinct).
DICTIONARY_MAX_DISTINCT = 0.5
_DICTIONARY_SAMPLE = 2048


def ipc_bytes(table: pa.Table, compression: str | None = None) -> pa.Buffer:
    """One Arrow IPC stream (schema + dictionaries + batches), its body compressed or not.

    Compressed in the calling thread: Arrow's thread pool would compress columns in parallel
    but leave ~20-30 MiB of allocator memory behind in its threads after a big stream, and the
    kernel's other core is busy sending the previous message anyway."""
    options = pa.ipc.IpcWriteOptions(compression=compression, use_threads=False)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    return sink.getvalue()


def wire_bytes(table: pa.Table, compression: Compression = "auto", dictionaries: bool = True):
    """`table` (one record batch) as the buffer of an insert: dictionaries where they save
    bytes (unless `dictionaries` is False), compressed as `compression` says."""
    if compression not in COMPRESSIONS:
        raise ValueError(f"compression must be one of {COMPRESSIONS}, not {compression!r}")
    if dictionaries:
        table = with_dictionaries(table)
    if compression != "auto":
        return ipc_bytes(table, compression)
    plain = ipc_bytes(table)
    if plain.size < AUTO_MIN_BYTES:
        return plain
    if plain.size > 2 * SAMPLE_BYTES:
        rows = max(1, table.num_rows * SAMPLE_BYTES // plain.size)
        sample = table.slice(0, rows)
        if ipc_bytes(sample, AUTO_CODEC).size > (1 - AUTO_MIN_SAVING) * ipc_bytes(sample).size:
            return plain
    packed = ipc_bytes(table, AUTO_CODEC)
    return packed if packed.size <= (1 - AUTO_MIN_SAVING) * plain.size else plain


def with_dictionaries(table: pa.Table) -> pa.Table:
    """`table` with each string column that has few distinct values dictionary-encoded, with
    the narrowest index type that holds its dictionary (int8 for up to 127 values)."""
    if table.num_rows < DICTIONARY_MIN_ROWS:
        return table
    out = table
    for i, field in enumerate(table.schema):
        if field.name == DOM_ID or not pa.types.is_string(field.type):
            continue
        column = table.column(i)
        encoded = _dictionary(
            column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
        )
        if encoded is not None:
            out = out.set_column(
                i, pa.field(field.name, encoded.type, metadata=field.metadata), encoded
            )
    return out


def _dictionary(values: pa.Array) -> pa.DictionaryArray | None:
    sample = values.slice(0, _DICTIONARY_SAMPLE)
    if pc.count_distinct(sample, mode="all").as_py() > DICTIONARY_MAX_DISTINCT * len(sample):
        return None  # mostly distinct (names, notes, ids): a dictionary would only add bytes
    encoded = pc.dictionary_encode(values)
    size = len(encoded.dictionary)
    width = pa.int8() if size <= 2**7 - 1 else pa.int16() if size <= 2**15 - 1 else pa.int32()
    encoded = pa.DictionaryArray.from_arrays(encoded.indices.cast(width), encoded.dictionary)
    if encoded.nbytes > (1 - AUTO_MIN_SAVING) * values.nbytes:
        return None
    return encoded
