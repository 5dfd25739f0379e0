"""The op log: operations queued since the last flush, and nothing else.

Like LiveView's `live_stream.ex`, it only queues and is emptied by `take()`; once the ops are
sent the kernel holds no row. Ops keep call order (see docs/protocol.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from .values import is_int


@dataclass
class Insert:
    """One insert per row of `tables` (concatenated), in row order, all with these options.

    `key`: the integer column the browser makes dom ids from (`f"{name}-{key}"`); None when
    the tables carry them in a `__dom_id` column."""

    at: int
    limit: int | None
    update_only: bool
    tables: list[pa.Table] = field(default_factory=list)
    key: str | None = None


@dataclass
class Delete:
    dom_ids: list[str] = field(default_factory=list)


@dataclass
class Reset:
    pass


Op = Insert | Delete | Reset


class OpLog:
    """Pending ops in call order. Not thread-safe by itself: the widget holds a lock."""

    def __init__(self) -> None:
        self._ops: list[Op] = []
        self.nbytes = 0  # row bytes pending: drives size-triggered flushes
        self.last_rows = 0  # rows of the last op, if it is an insert

    def __len__(self) -> int:
        return len(self._ops)

    def insert(
        self,
        table: pa.Table,
        at: int,
        limit: int | None,
        update_only: bool,
        nbytes: int,
        key: str | None = None,
    ) -> None:
        last = self._ops[-1] if self._ops else None
        # Consecutive inserts with equal options are one bulk insert: the contract defines a
        # bulk insert as one insert per row, so merging them changes nothing in the browser.
        if (
            isinstance(last, Insert)
            and (last.at, last.limit, last.update_only, last.key) == (at, limit, update_only, key)
            and last.tables[-1].schema == table.schema
        ):
            last.tables.append(table)
            self.last_rows += table.num_rows
        else:
            self._ops.append(Insert(at, limit, update_only, [table], key))
            self.last_rows = table.num_rows
        self.nbytes += nbytes

    def delete(self, dom_ids: list[str]) -> None:
        last = self._ops[-1] if self._ops else None
        if isinstance(last, Delete):
            last.dom_ids.extend(dom_ids)
        else:
            self._ops.append(Delete(list(dom_ids)))
        self.last_rows = 0

    def reset(self) -> None:
        # A reset removes every row, so pending ops before it can have no visible effect.
        self._ops = [Reset()]
        self.nbytes = self.last_rows = 0

    def take(self) -> list[Op]:
        """Hand over every pending op and forget them."""
        ops, self._ops, self.nbytes, self.last_rows = self._ops, [], 0, 0
        return ops

    def put_back(self, ops: list[Op]) -> None:
        """Pending ops again (compacted while still pending: see StreamWidget._insert)."""
        self._ops = ops
        tables = [t for op in ops if isinstance(op, Insert) for t in op.tables]
        self.nbytes = sum(t.get_total_buffer_size() for t in tables)
        last = ops[-1] if ops else None
        self.last_rows = sum(t.num_rows for t in last.tables) if isinstance(last, Insert) else 0


def check_options(at: Any, limit: Any) -> tuple[int, int | None]:
    """Validate `at` and `limit` as the contract defines them; return them as plain ints."""
    if not is_int(at) or at < -1:
        raise ValueError(
            f"at must be -1 (append), 0 (prepend) or an index N >= 0 (insert before row N); "
            f"got {at!r}"
        )
    if limit is not None and not is_int(limit):
        raise TypeError(
            f"limit must be an int (negative: keep the last rows) or None; got {limit!r}"
        )
    return int(at), None if limit is None else int(limit)
