"""One stream's kernel state: the ops queued since the last send, the columns settled on, and
how dom ids are made. Like LiveView's `live_stream.ex` it only queues, and `take` empties it:
once the ops are sent the kernel holds no row.

Thread-safe: producers, loaders and the flusher call it from any thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pyarrow as pa

from . import items as _items
from .compaction import compact
from .oplog import Op, OpLog


class Stream:
    def __init__(self, name: str, key: str, columns: list[str] | None) -> None:
        self.name, self.key = name, key
        self.schema = _items.StreamSchema(columns)
        self.log = OpLog()
        self.lock = threading.Lock()
        self._bound = 0  # most rows the browser can hold: lets `compact` drop doomed rows
        self._compact_at = 0  # pending rows of one insert worth trying to compact
        self._dom_id: Callable[[dict], str] | None = None
        self._inserted = False

    @property
    def columns(self) -> list[str]:
        return self.schema.names

    def configure(self, dom_id: Callable[[dict], str]) -> None:
        if self._inserted:
            raise RuntimeError(
                "configure() must come before the first insert: rows already sent keep their "
                "dom ids. Call it right after creating the widget, or create a new StreamWidget."
            )
        self._dom_id = dom_id

    def dom_ids(self, table: pa.Table) -> list[str]:
        return _items.dom_ids(table, self.name, self.key, self._dom_id).to_pylist()

    def insert(
        self, table: pa.Table, at: int, limit: int | None, update_only: bool, reset: bool
    ) -> int:
        """Queue one insert per row of `table` (after a reset, if `reset`); returns the bytes
        pending. Everything that can fail (types, dom ids) happens before anything changes,
        so a call that raises leaves schema and op log as they were."""
        with self.lock:
            schema = self.schema.fresh() if reset else self.schema
            rows = table.num_rows
            if rows:
                key = None if self._dom_id else self.key
                if key is not None:
                    _items.check_keys(table, key)
                fitted = schema.fit(table)
                sent = fitted.table
                if key is None or not _items.derives_ids(sent, key):
                    key = None  # the ids travel as strings
                    ids = _items.dom_ids(table, self.name, self.key, self._dom_id)
                    sent = sent.add_column(0, _items.DOM_ID, ids)
            # Nothing below raises: commit.
            if reset:
                self.log.reset()
                self.schema = schema
            if rows:
                schema.commit(fitted)
                self.log.insert(sent, at, limit, update_only, sent.get_total_buffer_size(), key)
                self._inserted = True
                if limit is not None and self.log.last_rows >= max(
                    self._compact_at, 2 * max(abs(limit), 1) + self._bound + 1
                ):
                    self._compact_pending()
            return self.log.nbytes

    def delete(self, ids: list[str]) -> None:
        with self.lock:
            self.log.delete(ids)

    def take(self) -> list[Op]:
        """Every pending op, compacted (rows a limit would prune dropped), and forget them."""
        with self.lock:
            key = None if self._dom_id else self.key
            ops, self._bound = compact(self.log.take(), self._bound, key)
            self._compact_at = 0
        return ops

    def drop(self) -> None:
        with self.lock:
            self.log.take()

    def _compact_pending(self) -> None:
        # A producer faster than the timer piles up rows a limit will prune: drop them while
        # still pending, so pending memory stays near 3 * |limit| rows, the size trigger
        # rarely fires, and each flush sends only what survives. The bound stays the one
        # for what was sent (pending ops start from it). Called with the lock held.
        rows = self.log.last_rows
        key = None if self._dom_id else self.key
        self.log.put_back(compact(self.log.take(), self._bound, key)[0])
        kept = self.log.last_rows
        # Not compactible (e.g. repeated ids): try again only once the op has doubled.
        self._compact_at = 2 * rows if kept == rows else 0
