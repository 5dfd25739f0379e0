"""Items -> Arrow -> wire, without a kernel: item kinds, type rules, op log, encoder round trip."""

import datetime as dt
import decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from livestream_widget.encoder import encode
from livestream_widget.items import DOM_ID, StreamSchema, StreamSchemaError, dom_ids, to_table
from livestream_widget.oplog import Delete, Insert, OpLog, Reset


def roundtrip(table: pa.Table) -> pa.Table:
    log = OpLog()
    log.insert(table, -1, None, False, table.nbytes)
    [(content, buffers)] = list(encode(log.take(), 1))
    return pa.ipc.open_stream(buffers[content["ops"][0]["buffer"]]).read_all()


def test_every_item_kind_reads_the_same_rows():
    rows = [{"id": 1, "v": "a"}, {"id": 2, "v": "b"}]
    df = pd.DataFrame(rows)
    kinds = [
        rows,
        (r for r in rows),
        df,
        pa.Table.from_pandas(df),
        pa.RecordBatch.from_pandas(df),
        [df.iloc[0], df.iloc[1]],
    ]
    for items in kinds:
        assert to_table(items).select(["id", "v"]).to_pylist() == rows
    assert to_table(rows[0]).to_pylist() == [rows[0]]
    assert to_table(df.iloc[1]).to_pylist() == [rows[1]]


def test_types_survive_the_wire():
    df = pd.DataFrame(
        {
            "id": np.arange(3, dtype="int64"),
            "i32": np.array([1, -2, 3], dtype="int32"),
            "f": [0.5, np.nan, 1e300],
            "ts": pd.to_datetime(
                ["2024-01-01 00:00:00.123456", None, "1970-01-01 00:00:00.000001"]
            ),
            "tz": pd.to_datetime(["2024-01-01", "2024-06-01", None]).tz_localize("Europe/Paris"),
            "s": ["x", None, "漢字 <script>"],
            "b": [True, False, None],
            "cat": pd.Categorical(["a", "b", "a"]),
            "dec": [decimal.Decimal("1.10"), None, decimal.Decimal("-3")],
        }
    )
    schema = StreamSchema()
    table = schema.conform(to_table(df))
    table = table.add_column(0, DOM_ID, dom_ids(table, "items", "id"))
    back = roundtrip(table)
    assert back.column(DOM_ID).to_pylist() == ["items-0", "items-1", "items-2"]
    assert back.schema.field("cat").type == pa.string()  # dictionaries are decoded
    assert back.schema.field("dec").type == pa.string()  # exact digits, not a rounded float
    assert back.column("dec").to_pylist() == ["1.10", None, "-3"]  # as sent
    assert back.column("tz").type.tz == "Europe/Paris"
    f = back.column("f").to_pylist()
    assert f[0] == 0.5 and np.isnan(f[1]) and f[2] == 1e300  # NaN stays NaN, not null
    assert back.drop_columns([DOM_ID, "cat", "dec", "f"]).equals(
        table.drop_columns([DOM_ID, "cat", "dec", "f"])
    )


def test_pandas_string_flavours_become_one_type():
    a = StreamSchema()
    a.conform(to_table(pd.DataFrame({"id": [1], "s": pd.array(["x"], dtype="string[pyarrow]")})))
    assert a.schema.field("s").type == pa.string()
    # a later batch with object strings fits the same column
    a.conform(to_table(pd.DataFrame({"id": [2], "s": np.array(["y"], dtype=object)})))


def test_schema_rules():
    s = StreamSchema()
    s.conform(pa.table({"id": pa.array([1], pa.int32()), "x": [1.5], "n": [None]}))
    # widening casts are fine; a null-typed column takes its first real type
    out = s.conform(pa.table({"id": pa.array([2], pa.int32()), "x": [2], "n": ["text"]}))
    assert out.schema.field("x").type == pa.float64()
    assert s.schema.field("n").type == pa.string()
    # missing columns become nulls
    assert s.conform(pa.table({"id": [3]})).column("x").to_pylist() == [None]
    with pytest.raises(StreamSchemaError, match="changed type"):
        s.conform(pa.table({"id": [4], "x": ["nope"]}))
    with pytest.raises(StreamSchemaError, match="unknown column"):
        s.conform(pa.table({"id": [4], "zzz": [1]}))
    assert s.fresh().conform(pa.table({"other": [1]})).column_names == ["other"]


def test_fixed_columns_select_and_order():
    s = StreamSchema(["b", "missing"])
    out = s.conform(pa.table({"a": [1], "b": [2]}))
    assert out.column_names == ["b", "missing"]
    assert s.conform(pa.table({"b": [3], "extra": ["dropped"]})).column_names == ["b", "missing"]


def test_dom_ids_are_vectorised_and_match_single_rows():
    t = pa.table({"id": pa.array(range(5), pa.int64())})
    assert dom_ids(t, "n", "id").to_pylist() == [f"n-{i}" for i in range(5)]
    assert dom_ids(t.slice(3, 1), "n", "id").to_pylist() == ["n-3"]
    s = pa.table({"id": ["a b", "é"]})
    assert dom_ids(s, "n", "id").to_pylist() == ["n-a b", "n-é"]
    ts = pa.table({"id": pa.array([dt.datetime(2024, 1, 2)], pa.timestamp("s"))})
    assert dom_ids(ts, "n", "id").to_pylist() == ["n-2024-01-02 00:00:00"]
    with pytest.raises(TypeError, match="must return a str"):
        dom_ids(t, "n", "id", dom_id=lambda row: row["id"])


def test_oplog_coalesces_equal_options_and_reset_drops_pending():
    log = OpLog()
    t = pa.table({"x": [1]})
    log.insert(t, -1, None, False, 8)
    log.insert(t, -1, None, False, 8)
    log.insert(t, 0, None, False, 8)
    log.delete(["a"])
    log.delete(["b"])
    ops = log.take()
    assert [type(o) for o in ops] == [Insert, Insert, Delete]
    assert len(ops[0].tables) == 2 and ops[2].dom_ids == ["a", "b"]
    assert len(log) == 0 and log.nbytes == 0
    log.insert(t, -1, None, False, 8)
    log.reset()
    assert [type(o) for o in log.take()] == [Reset]


def test_encoder_splits_by_bytes_and_keeps_order_and_seq():
    t = pa.table({DOM_ID: [f"i-{k}" for k in range(10_000)], "v": ["x" * 50] * 10_000})
    log = OpLog()
    log.reset()
    log.insert(t, 0, 5000, False, t.nbytes)
    log.delete(["i-3"])
    # Plain bytes: what compression and dictionaries save is payload.py's (test_payload.py).
    plain = {"compression": None, "dictionaries": False}
    messages = list(encode(log.take(), 7, max_bytes=64 * 1024, **plain))
    assert [c["seq"] for c, _ in messages] == list(range(7, 7 + len(messages)))
    assert len(messages) > 5
    assert all(sum(len(b) for b in bufs) <= 64 * 1024 * 1.1 for _, bufs in messages)
    ops = [op for c, _ in messages for op in c["ops"]]
    assert ops[0] == {"op": "reset"} and ops[-1] == {"op": "delete", "dom_ids": ["i-3"]}
    inserts = [op for op in ops if op["op"] == "insert"]
    assert sum(op["rows"] for op in inserts) == 10_000
    assert all((op["at"], op["limit"]) == (0, 5000) for op in inserts)


def test_repeated_batch_schema_takes_the_fast_path_and_still_checks_values():
    s = StreamSchema()
    s.conform(pa.table({"id": pa.array([1], pa.int64()), "s": pa.array(["a"], pa.large_string())}))
    later = pa.table({"id": pa.array([2], pa.int32()), "s": pa.array(["b"], pa.large_string())})
    assert s.conform(later).schema == s.schema  # int32 -> int64, large_string -> string
    assert s._seen is not None
    too_big = pa.table(
        {"id": pa.array([2**63], pa.uint64()), "s": pa.array(["c"], pa.large_string())}
    )
    with pytest.raises(StreamSchemaError, match="'id'.*9223372036854775808"):
        s.conform(too_big)


@pytest.mark.parametrize(
    "args,batch,derived",
    [
        ({}, pa.table({"id": [1, 2], "v": ["a", "b"]}), True),  # default ids from an int key
        ({}, pa.table({"id": pa.array([1, 2], pa.uint8()), "v": ["a", "b"]}), True),
        ({}, pa.table({"id": [1, 2**53], "v": ["a", "b"]}), False),  # beyond a JS number
        ({}, pa.table({"id": [-(2**53) + 1, 2**53 - 1], "v": ["a", "b"]}), True),
        ({}, pa.table({"id": ["x", "y"], "v": ["a", "b"]}), False),  # string keys
        ({"columns": ["v"]}, pa.table({"id": [1, 2], "v": ["a", "b"]}), False),  # key not shown
    ],
)
def test_the_browser_makes_dom_ids_from_safe_integer_keys(args, batch, derived):
    from livestream_widget import StreamWidget, flusher

    flusher.FLUSHER.interval, interval = 1e9, flusher.FLUSHER.interval
    try:
        w = StreamWidget(name="t", **args)
        w.stream(batch)
        [(content, buffers)] = list(encode(w._stream.log.take(), 1, prefix="t-"))
        w.close()
    finally:
        flusher.FLUSHER.interval = interval
    [op] = content["ops"]
    table = pa.ipc.open_stream(buffers[0]).read_all()
    assert content["prefix"] == "t-"
    assert ("key" in op) == derived and (DOM_ID not in table.column_names) == derived
    ids = table.column(DOM_ID).to_pylist() if not derived else None
    expected = [f"t-{k}" for k in batch.column("id").to_pylist()]
    assert derived or ids == expected
