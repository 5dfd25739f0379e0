"""A plain-list model of the browser's store, written straight from the contract (REFERENCE §1).

Tests decode the diffs the real kernel sends and apply them here, so the Python side is checked
against the contract independently of the JS store (which vitest checks against the same table).
"""

from __future__ import annotations

from collections import deque

import pyarrow as pa

DOM_ID = "__dom_id"


class ReferenceStore:
    def __init__(self) -> None:
        # A deque keeps the big tests linear: appends, prepends and pruning at either end are O(1).
        self.rows: deque[tuple[str, dict]] = deque()
        self.held: set[str] = set()
        self.seq = 0

    @property
    def ids(self) -> list[str]:
        return [dom_id for dom_id, _ in self.rows]

    def keys(self, column: str = "id") -> list:
        return [row.get(column) for _, row in self.rows]

    def insert_row(self, dom_id: str, row: dict, at: int, limit: int | None, update_only: bool):
        if dom_id in self.held:
            i = self.ids.index(dom_id)
            self.rows[i] = (dom_id, row)  # in place: position kept, no pruning
            return
        if update_only:
            return
        position = len(self.rows) if at == -1 or at >= len(self.rows) else at
        self.rows.insert(position, (dom_id, row))
        self.held.add(dom_id)
        if limit is not None:
            while limit < 0 and len(self.rows) > -limit:
                self.held.discard(self.rows.popleft()[0])
            while limit >= 0 and len(self.rows) > limit:
                self.held.discard(self.rows.pop()[0])

    def apply(self, content: dict, buffers: list) -> None:
        assert content["kind"] == "diff" and content["protocol"] == 3
        assert content["seq"] == self.seq + 1, f"seq {content['seq']} after {self.seq}"
        self.seq = content["seq"]
        self.apply_ops(content, buffers)

    def apply_ops(self, content: dict, buffers: list) -> None:
        for op in content["ops"]:
            if op["op"] == "reset":
                self.rows, self.held = deque(), set()
            elif op["op"] == "delete":
                gone = set(op["dom_ids"]) & self.held
                if gone:
                    self.rows = deque(r for r in self.rows if r[0] not in gone)
                    self.held -= gone
            elif op["op"] == "insert":
                table = pa.ipc.open_stream(buffers[op["buffer"]]).read_all()
                assert table.num_rows == op["rows"]
                if "key" in op:  # dom ids made from an integer column, as the browser does
                    assert DOM_ID not in table.column_names
                    ids = [f"{content['prefix']}{k}" for k in table.column(op["key"]).to_pylist()]
                    rows = table.to_pylist()
                else:
                    ids = table.column(DOM_ID).to_pylist()
                    rows = table.drop_columns([DOM_ID]).to_pylist()
                for dom_id, row in zip(ids, rows, strict=True):
                    self.insert_row(dom_id, row, op["at"], op["limit"], op["update_only"])
            else:
                raise AssertionError(f"unknown op {op}")
