"""Encode ops as `diff` messages: a JSON header plus Arrow IPC buffers (docs/protocol.md)."""

from __future__ import annotations

import math

import pyarrow as pa

from .memory import own_pages
from .oplog import Delete, Insert, Op, Reset
from .payload import Compression, wire_bytes
from .wire import PROTOCOL_VERSION

#: A message carries at most about this many payload bytes; bigger inserts are split by rows.
MAX_MESSAGE_BYTES = 8 * 2**20


def _insert_parts(op: Insert, max_bytes: int) -> list[pa.Table]:
    table = pa.concat_tables(op.tables) if len(op.tables) > 1 else op.tables[0]
    table = table.combine_chunks()  # one record batch: the browser indexes a single chunk fastest
    parts = max(1, math.ceil(table.nbytes / max_bytes))
    step = max(1, math.ceil(table.num_rows / parts))
    return [table.slice(i, step) for i in range(0, table.num_rows, step)] or [table]


def encode(
    ops: list[Op],
    first_seq: int,
    max_bytes: int = MAX_MESSAGE_BYTES,
    prefix: str = "items-",
    compression: Compression = "auto",
    dictionaries: bool = True,
):
    """Yield `(content, buffers)` per message, numbered from `first_seq`, ops in order.

    `prefix` (`f"{name}-"`) lets the browser make dom ids from integer keys and match dom ids
    sent as strings to those rows. `compression` and `dictionaries`: what each insert's buffer
    may use to save bytes (payload.py).

    Splitting an insert by rows is safe: consecutive inserts with the same options are, by the
    contract, the same as one bulk insert.
    """
    seq = first_seq
    header: list[dict] = []
    buffers: list[pa.Buffer] = []
    size = 0

    def message():
        content = {"kind": "diff", "protocol": PROTOCOL_VERSION, "seq": seq, "prefix": prefix}
        return {**content, "ops": header}, [memoryview(b) for b in buffers]

    for op in ops:
        if isinstance(op, Insert):
            for part in _insert_parts(op, max_bytes):
                # Kept until acknowledged, then freed by another thread: own pages (memory.py).
                buf = own_pages(wire_bytes(part, compression, dictionaries))
                if header and size + buf.size > max_bytes:
                    yield message()
                    seq, header, buffers, size = seq + 1, [], [], 0
                header.append(
                    {
                        "op": "insert",
                        "buffer": len(buffers),
                        "rows": part.num_rows,
                        "at": op.at,
                        "limit": op.limit,
                        "update_only": op.update_only,
                        **({"key": op.key} if op.key else {}),
                    }
                )
                buffers.append(buf)
                size += buf.size
        elif isinstance(op, Delete):
            header.append({"op": "delete", "dom_ids": op.dom_ids})
            size += sum(len(i) for i in op.dom_ids)
        elif isinstance(op, Reset):
            header.append({"op": "reset"})
    if header:
        yield message()
