"""In-process helpers for value tests: a widget whose pending ops are read back from the wire.

The flusher is kept away (its interval is made huge) so every op the widget queues stays in its
op log; `wire_rows` encodes them exactly as a flush would and decodes the IPC bytes with
pyarrow, i.e. what the browser's Arrow decoder receives.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pyarrow as pa

from livestream_widget import StreamWidget, flusher
from livestream_widget.encoder import encode
from livestream_widget.items import DOM_ID


@contextlib.contextmanager
def quiet_widget(**kwargs) -> Iterator[StreamWidget]:
    interval, flusher.FLUSHER.interval = flusher.FLUSHER.interval, 1e9
    w = StreamWidget(**kwargs)
    try:
        yield w
    finally:
        w.close()
        flusher.FLUSHER.interval = interval


def wire_tables(w: StreamWidget) -> list[tuple[dict, pa.Table]]:
    """(insert op header, decoded table) for every insert pending in `w`, in order."""
    out = []
    for content, buffers in encode(w._stream.log.take(), 1, prefix=f"{w.name}-"):
        for op in content["ops"]:
            if op["op"] == "insert":
                out.append((op, pa.ipc.open_stream(buffers[op["buffer"]]).read_all()))
    return out


def wire_ids(w: StreamWidget) -> list[str]:
    """The dom ids of every pending insert's rows, as the browser makes them."""
    ids = []
    for op, table in wire_tables(w):
        if "key" in op:
            ids += [f"{w.name}-{k}" for k in table.column(op["key"]).to_pylist()]
        else:
            ids += table.column(DOM_ID).to_pylist()
    return ids
