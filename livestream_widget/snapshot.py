"""Snapshots: a bounded copy of the first rows a table shows, kept in the widget's state so that
whatever renders saved widget state (a notebook reopened without its kernel, an exported page)
can show them.

This module computes one in the kernel for a notebook run with no front end at all (nbclient,
`nbconvert --execute`, papermill, a docs build): from the diffs still kept for a first front
end (outbox.py keeps them before any hello, within its early budget), it rebuilds what a page
would hold, in stream order, and takes the first `max_rows` rows within `max_bytes`. The
rebuilt rows live only while this runs; what the widget keeps is the snapshot, bounded by the
caps.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import pyarrow as pa

from .schema import DOM_ID


@dataclass
class Snapshot:
    data: bytes  # one Arrow IPC stream: `__dom_id` plus the row values
    rows: int  # rows in it
    total: int  # rows the page would hold
    partial: bool  # more was streamed than the kernel could account for


def from_diffs(
    diffs: list[tuple[dict, list]], complete: bool, max_rows: int, max_bytes: int
) -> Snapshot:
    """The first rows the diffs leave in a page. `complete`: the diffs rebuild everything
    (they start at the first diff, or at a reset)."""
    tables: list[pa.Table] = []
    ids: deque[str] = deque()
    where: dict[str, tuple[int, int]] = {}  # dom id -> (table, row)
    for content, buffers in diffs:
        for op in content["ops"]:
            if op["op"] == "reset":
                ids.clear()
                where.clear()
            elif op["op"] == "delete":
                gone = {d for d in op["dom_ids"] if d in where}
                if gone:
                    ids = deque(d for d in ids if d not in gone)
                    for d in gone:
                        del where[d]
            else:
                table = plain(pa.ipc.open_stream(buffers[op["buffer"]]).read_all())
                if "key" in op:
                    keys = table.column(op["key"]).to_pylist()
                    row_ids = [f"{content['prefix']}{k}" for k in keys]
                else:
                    row_ids = table.column(DOM_ID).to_pylist()
                    table = table.drop_columns([DOM_ID])
                tables.append(table)
                _insert(ids, where, row_ids, len(tables) - 1, op)
    return _encode(tables, list(ids)[:max_rows], where, len(ids), not complete, max_bytes)


def from_parts(
    buffers: list, ids: list[str], total: int, max_rows: int, max_bytes: int
) -> Snapshot:
    """A live page's snapshot: runs of its first rows (Arrow IPC streams, as they arrived) and
    their dom ids. Raises ValueError if they do not agree."""
    tables = [plain(pa.ipc.open_stream(memoryview(b)).read_all()) for b in buffers]
    tables = [t.drop_columns([DOM_ID]) if DOM_ID in t.column_names else t for t in tables]
    if sum(t.num_rows for t in tables) != len(ids):
        raise ValueError(f"{len(ids)} dom ids for {sum(t.num_rows for t in tables)} rows")
    where: dict[str, tuple[int, int]] = {}
    k = 0
    for t, table in enumerate(tables):
        for r in range(table.num_rows):
            where[ids[k]] = (t, r)
            k += 1
    first = ids[:max_rows]
    return _encode(tables, first, where, total, False, max_bytes)


def plain(table: pa.Table) -> pa.Table:
    """`table` with dictionary columns decoded: buffers may send a string column as a
    dictionary or not, each with its own dictionary (payload.py), and the rows they join into
    must have one type per column."""
    for i, field in enumerate(table.schema):
        if pa.types.is_dictionary(field.type):
            column = table.column(i).cast(field.type.value_type)
            table = table.set_column(
                i, pa.field(field.name, column.type, metadata=field.metadata), column
            )
    return table


def _insert(ids: deque, where: dict, row_ids: list[str], t: int, op: dict) -> None:
    at, limit, update_only = op["at"], op["limit"], op["update_only"]
    for r, dom_id in enumerate(row_ids):
        if dom_id in where:
            where[dom_id] = (t, r)  # in place: position kept, no pruning
            continue
        if update_only:
            continue
        where[dom_id] = (t, r)
        if at == -1 or at >= len(ids):
            ids.append(dom_id)
        else:
            ids.insert(at, dom_id)
        if limit is not None:
            while limit < 0 and len(ids) > -limit:
                del where[ids.popleft()]
            while limit >= 0 and len(ids) > limit:
                del where[ids.pop()]


def _encode(
    tables: list[pa.Table],
    first: list[str],
    where: dict,
    total: int,
    partial: bool,
    max_bytes: int,
) -> Snapshot:
    # One take over the tables joined (zero-copy, columns widened as a stream widens them),
    # not a slice per row: a live feed's rows each come in a table of their own.
    used = sorted({where[d][0] for d in first})
    offsets, n = {}, 0
    for t in used:
        offsets[t] = n
        n += tables[t].num_rows
    joined = (
        pa.concat_tables([tables[t] for t in used], promote_options="permissive")
        if used
        else pa.table({})
    )
    while True:
        rows = [offsets[where[d][0]] + where[d][1] for d in first]
        table = joined.take(pa.array(rows, pa.int64())) if first else joined.slice(0, 0)
        table = table.add_column(0, DOM_ID, pa.array(first, pa.string()))
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table.combine_chunks())
        data = sink.getvalue().to_pybytes()
        if len(data) <= max_bytes or not first:
            return Snapshot(data, len(first), total, partial)
        first = first[: len(first) // 2]  # over the byte cap: fewer rows
