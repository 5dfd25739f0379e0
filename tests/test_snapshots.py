"""Snapshots in saved widget state: a notebook executed with no front end (nbclient with
store_widget_state, as `jupyter nbconvert --execute` does) saves the first rows each table
shows, bounded by `snapshot_rows` and `snapshot_bytes`, and says when it is partial."""

import base64
import io

import nbformat
import pyarrow as pa
from nbclient import NotebookClient

from livestream_widget import snapshot

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def run(cells: list[str], tmp_path) -> dict:
    """Execute the cells headless; the saved state of each StreamWidget model, by stream name."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        store_widget_state=True,
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    models = nb.metadata["widgets"][WIDGET_STATE]["state"]
    out = {}
    for model in models.values():
        state = model["state"]
        if "snapshot_info" in state:
            buffers = {b["path"][0]: base64.b64decode(b["data"]) for b in model.get("buffers", [])}
            out[state["name"]] = (state, buffers.get("_snapshot", b""))
    return out


def rows(data: bytes) -> pa.Table:
    return pa.ipc.open_stream(io.BytesIO(data)).read_all()


def test_an_executed_notebook_saves_each_tables_first_rows(tmp_path):
    saved = run(
        [
            "from livestream_widget import StreamWidget\n"
            "feed = StreamWidget(name='feed')\n"
            "feed.stream([{'id': i, 'v': i * 1.5} for i in range(40)])\n"
            "feed.insert({'id': 3, 'v': -1.0})\n"
            "feed.delete({'id': 5})\n"
            "feed",
            "newest = StreamWidget(name='newest', snapshot_rows=10)\n"
            "for i in range(100): newest.insert({'id': i, 'note': f'n{i}'}, at=0, limit=50)\n"
            "newest",
            "off = StreamWidget(name='off', snapshot_rows=0)\noff.stream([{'id': 1}])\noff",
        ],
        tmp_path,
    )
    state, data = saved["feed"]
    table = rows(data)
    assert table.column("__dom_id").to_pylist() == [f"feed-{i}" for i in range(40) if i != 5]
    assert table.column("v").to_pylist()[3] == -1.0  # the update in place
    assert state["snapshot_info"] == {"rows": 39, "total": 39, "partial": False}
    state, data = saved["newest"]
    assert rows(data).column("id").to_pylist() == list(range(99, 89, -1))
    assert state["snapshot_info"] == {"rows": 10, "total": 50, "partial": False}
    state, data = saved["off"]
    assert data == b"" and state["snapshot_info"] == {}


def test_a_snapshot_stays_within_its_caps_and_says_when_it_is_partial(tmp_path):
    saved = run(
        [
            "import numpy as np, pandas as pd\n"
            "from livestream_widget import StreamWidget\n"
            "big = StreamWidget(name='big', snapshot_bytes=64 * 1024)\n"
            "for lo in range(0, 1_000_000, 100_000):\n"
            "    big.stream(pd.DataFrame({'id': np.arange(lo, lo + 100_000), 'note': 'x' * 40}))\n"
            "big"
        ],
        tmp_path,
    )
    state, data = saved["big"]
    info = state["snapshot_info"]
    # 1M rows of ~60 bytes overflow the 8 MiB kept for a first front end: partial.
    assert info["partial"] is True
    assert len(data) <= 64 * 1024 and 0 < info["rows"] < 1000
    assert rows(data).column("__dom_id").to_pylist()[0].startswith("big-")


def test_snapshot_of_diffs_follows_the_contract():
    from livestream_widget.encoder import encode
    from tests.reference import ReferenceStore

    from .values_helpers import quiet_widget

    with quiet_widget(name="t") as w:
        w.stream([{"id": i, "v": str(i)} for i in range(10)], at=0, limit=6)
        w.insert({"id": 7, "v": "updated"})
        w.delete_by_dom_id("t-8")
        w.stream([{"id": 20 + i, "v": "x"} for i in range(3)], at=2)
        diffs = [
            (c, [bytes(b) for b in bufs]) for c, bufs in encode(w._stream.take(), 1, prefix="t-")
        ]
    ref = ReferenceStore()
    for c, b in diffs:
        ref.apply(c, b)
    shot = snapshot.from_diffs(diffs, True, 4, 2**20)
    table = rows(shot.data)
    assert table.column("__dom_id").to_pylist() == ref.ids[:4]
    assert table.drop_columns(["__dom_id"]).to_pylist() == [r for _, r in list(ref.rows)[:4]]
    assert (shot.rows, shot.total, shot.partial) == (4, len(ref.ids), False)


def test_a_pages_parts_join_into_one_snapshot_with_widened_columns():
    def ipc(table: pa.Table) -> bytes:
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as w:
            w.write_table(table)
        return sink.getvalue().to_pybytes()

    parts = [
        ipc(pa.table({"id": [1, 2], "v": pa.array([1, 2], pa.int64())})),
        ipc(pa.table({"__dom_id": ["t-3"], "id": [3], "v": [2.5]})),
    ]
    shot = snapshot.from_parts(parts, ["t-1", "t-2", "t-3"], 10, 1000, 2**20)
    table = rows(shot.data)
    assert table.column("__dom_id").to_pylist() == ["t-1", "t-2", "t-3"]
    assert table.column("v").to_pylist() == [1.0, 2.0, 2.5]
    assert (shot.rows, shot.total, shot.partial) == (3, 10, False)
    import pytest

    with pytest.raises(ValueError, match="dom ids"):
        snapshot.from_parts(parts, ["t-1"], 10, 1000, 2**20)


def test_no_kernel_snapshot_once_a_page_was_heard_from_even_by_an_ack_alone():
    from .values_helpers import quiet_widget

    with quiet_widget(name="t") as w:
        w.send = lambda content, buffers=None: None
        w.stream([{"id": 1}])
        w.flush(wait=True)
        w._on_front_end_msg(w, {"kind": "ack", "seq": 1, "count": 1, "frontend": "p"}, [])
        w._cell_ended()
        assert w.snapshot_info == {} and w._snapshot == b""
    with quiet_widget(name="u") as w2:
        w2.send = lambda content, buffers=None: None
        w2.stream([{"id": 1}])
        w2.flush(wait=True)
        w2._cell_ended()  # no page at all: the kernel computes it
        w2_info = w2.snapshot_info
    assert w2_info == {"rows": 1, "total": 1, "partial": False}
