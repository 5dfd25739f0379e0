"""Compaction: rows that cannot survive a `limit` are never encoded nor sent.

Exact, never approximate: the browser ends with the same rows, in the same order, as if every
op had been sent. The kernel keeps no ids, so it cannot know which rows the browser holds; it
only keeps `bound`, an upper bound on how many it holds. That is enough for the case that
matters (a feed appended with `limit=-k`, or prepended with `at=0, limit=k`):

An insert of N rows with distinct dom ids, at the end the limit prunes from the other side of,
can update in place at most `bound` rows the browser already holds; every other row is new and
is placed then pruned. After k + 1 new rows, nothing that was there before the op is left. So
when N >= 2k + bound + 1, the op's last k rows are all new, nothing else survives, and
`Reset` + those k rows gives the browser the same result (later ops see the same state too).
The other cases (`at=-1` with `limit >= 0`, which keeps the first rows unless later ones update
rows already held; `at=N`; `update_only`; repeated ids) are sent as they are.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .items import DOM_ID
from .oplog import Insert, Op, Reset


def compact(ops: list[Op], bound: int, key: str | None = None) -> tuple[list[Op], int]:
    """Return the ops to send and the new upper bound on the browser's row count.

    `key`: the integer column dom ids are made from (`f"{name}-{key}"`), if so: distinct keys
    are checked much faster than distinct id strings."""
    out: list[Op] = []
    for op in ops:
        if isinstance(op, Reset):
            out, bound = [op], 0  # nothing before a reset can show
        elif isinstance(op, Insert):
            rows = sum(t.num_rows for t in op.tables)
            tail = _surviving_tail(op, rows, bound, key)
            if tail is not None:
                out, bound = [Reset(), tail], sum(t.num_rows for t in tail.tables)
            else:
                out.append(op)
                bound = _bound_after(op, rows, bound)
        else:
            out.append(op)  # a delete only lowers the count; the bound stays an upper bound
    return out, bound


def _surviving_tail(op: Insert, rows: int, bound: int, key: str | None) -> Insert | None:
    if op.update_only or op.limit is None:
        return None
    if not ((op.at == -1 and op.limit < 0) or (op.at == 0 and op.limit >= 0)):
        return None
    # k >= 1: with limit 0 every new row empties the table, which the last row alone also does.
    k = max(abs(op.limit), 1)
    if rows < 2 * k + bound + 1:
        return None
    if not _all_distinct(op.tables, rows, key):
        return None  # a repeated id may be an update in place that survives
    return Insert(op.at, op.limit, False, _last_rows(op.tables, k), op.key)


def _all_distinct(tables: list[pa.Table], rows: int, key: str | None) -> bool:
    schema = tables[0].schema  # an op's tables share one schema (see OpLog.insert)
    if key is not None and key in schema.names and pa.types.is_integer(schema.field(key).type):
        # Integer keys map one to one to dom ids; a feed's keys usually only grow (O(n), no hash).
        keys = np.concatenate([c.to_numpy() for t in tables for c in t.column(key).chunks])
        if np.all(keys[1:] > keys[:-1]) or np.all(keys[1:] < keys[:-1]):
            return True
        return pc.count_distinct(keys).as_py() == rows
    ids = pa.chunked_array([c for t in tables for c in t.column(DOM_ID).chunks])
    return pc.count_distinct(ids).as_py() == rows


def _last_rows(tables: list[pa.Table], k: int) -> list[pa.Table]:
    kept: list[pa.Table] = []
    for table in reversed(tables):
        take = min(k, table.num_rows)
        kept.append(table.slice(table.num_rows - take, take))
        k -= take
        if k == 0:
            break
    return kept[::-1]


def _bound_after(op: Insert, rows: int, bound: int) -> int:
    if op.update_only:
        return bound  # updates in place never add a row
    if op.limit is None:
        return bound + rows
    # A new row leaves at most |limit| rows; updates in place change nothing.
    return min(bound + rows, max(bound, abs(op.limit)))
