"""Fewer bytes per row (livestream_widget/payload.py): body compression chosen per message by what
it saves, dictionary-encoded strings, and values that come back exactly through each codec."""

import datetime as dt
import decimal
import json
import pathlib
import shutil
import subprocess

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import traitlets

from benchmarks.kernel.data import make_frame
from livestream_widget import StreamWidget, delivery, flusher, payload, snapshot
from livestream_widget.encoder import encode
from livestream_widget.items import DOM_ID, StreamSchema, dom_ids, to_table
from livestream_widget.oplog import OpLog

from .reference import ReferenceStore

ROOT = pathlib.Path(__file__).resolve().parents[1]
MAGIC = {"lz4": b"\x04\x22\x4d\x18", "zstd": b"\x28\xb5\x2f\xfd"}


def codec_of(buf) -> str | None:
    """Which codec compressed a buffer's body (its frames start with the codec's magic)."""
    data = bytes(buf)
    found = [name for name, magic in MAGIC.items() if magic in data]
    assert len(found) <= 1, found
    return found[0] if found else None


def wire_table(df: pd.DataFrame) -> pa.Table:
    table = StreamSchema().conform(to_table(df))
    return table.add_column(0, DOM_ID, dom_ids(table, "items", "id"))


def read(buf) -> pa.Table:
    return pa.ipc.open_stream(buf).read_all()


def test_auto_compresses_a_message_only_when_it_pays():
    big = wire_table(make_frame(20_000))
    small = big.slice(0, 50).combine_chunks()
    noise = pa.table({"x": np.random.default_rng(1).random(50_000)})  # floats do not compress
    assert codec_of(payload.wire_bytes(big)) == "zstd"
    assert payload.wire_bytes(big).size < 0.8 * payload.ipc_bytes(big).size
    assert codec_of(payload.wire_bytes(small)) is None  # under AUTO_MIN_BYTES: too few rows to pay
    assert codec_of(payload.wire_bytes(noise)) is None  # would save < 20 %
    assert payload.wire_bytes(noise).size == payload.ipc_bytes(noise).size
    for codec in ("lz4", "zstd"):  # asked for: every buffer, however small
        assert codec_of(payload.wire_bytes(small, codec)) == codec
        assert codec_of(payload.wire_bytes(noise, codec)) == codec
    assert codec_of(payload.wire_bytes(big, None)) is None
    with pytest.raises(ValueError, match="compression must be one of"):
        payload.wire_bytes(big, "gzip")


def test_each_message_of_one_flush_decides_for_itself():
    log = OpLog()
    big = wire_table(make_frame(20_000))
    noise = pa.table({"x": np.random.default_rng(2).random(60_000)})
    log.insert(big, -1, None, False, big.nbytes)
    log.insert(noise, 0, None, False, noise.nbytes)  # other options: a second insert op
    log.insert(big.slice(0, 3), -1, None, False, 0)
    [(content, buffers)] = list(encode(log.take(), 1))
    assert [codec_of(b) for b in buffers] == ["zstd", None, None]


@pytest.mark.parametrize("compression", payload.COMPRESSIONS)
def test_values_round_trip_exactly_with_each_codec(compression):
    n = 300
    df = pd.DataFrame(
        {
            "id": np.arange(n, dtype="int64"),
            "i32": np.arange(n, dtype="int32") - 150,
            "big": [2**62 + i for i in range(n)],
            "f": np.linspace(-1e300, 1e300, n),
            "ts": pd.date_range("2024-01-01 00:00:00.000000001", periods=n, freq="1001ns"),
            "tz": pd.date_range("2024-03-31", periods=n, freq="7min", tz="Europe/Paris"),
            "s": [["x", None, "漢字 <script>", "é"][i % 4] for i in range(n)],  # a dictionary
            "note": [f"note {i}" for i in range(n)],  # all distinct: plain
            "b": [[True, False, None][i % 3] for i in range(n)],
            "cat": pd.Categorical([["a", "b"][i % 2] for i in range(n)]),
            "dec": [decimal.Decimal(f"{i % 3}.10") for i in range(n)],
            "day": [dt.date(2024, 2, 29)] * n,
        }
    )
    table = wire_table(df)
    log = OpLog()
    log.insert(table, -1, None, False, table.nbytes)
    [(content, buffers)] = list(encode(log.take(), 1, compression=compression))
    back = read(buffers[0])
    kinds = {f.name: pa.types.is_dictionary(f.type) for f in back.schema}
    assert kinds["s"] and kinds["cat"] and kinds["dec"] and not kinds["note"]
    assert not kinds[DOM_ID]  # the browser reads dom ids as plain utf8
    assert back.schema.field("dec").metadata == {b"livestream": b"decimal"}
    assert snapshot.plain(back).equals(table, check_metadata=True)
    if compression in ("lz4", "zstd"):
        assert codec_of(buffers[0]) == compression


def test_dictionaries_only_where_they_save_bytes():
    def kinds(table):
        out = payload.with_dictionaries(table)
        return {f.name: str(f.type) for f in out.schema}

    n = 1000
    table = pa.table(
        {
            "few": [f"sym{i % 5}" for i in range(n)],
            "some": [f"v{i % 200}" for i in range(n)],  # 20 % distinct: int16 indices
            "all": [f"row {i}" for i in range(n)],
            "n": list(range(n)),
        }
    )
    got = kinds(table)
    assert got["few"] == "dictionary<values=string, indices=int8, ordered=0>"
    assert got["some"] == "dictionary<values=string, indices=int16, ordered=0>"
    assert got["all"] == "string" and got["n"] == "int64"
    assert kinds(table.slice(0, payload.DICTIONARY_MIN_ROWS - 1))["few"] == "string"
    # few distinct values, but each as long as the rows: a dictionary would not save 20 %
    long = pa.table({"c": [f"{i % 200:0>3}" + "x" * 400 for i in range(n)]})
    assert kinds(long)["c"] == "dictionary<values=string, indices=int16, ordered=0>"
    mostly = pa.table({"c": [f"r{i}" if i % 3 else "same" for i in range(n)]})
    assert kinds(mostly)["c"] == "string"  # two thirds of the rows distinct: not sampled as few


def test_the_compression_trait_reaches_the_wire(monkeypatch):
    monkeypatch.setattr(delivery, "MIN_SEND_INTERVAL", 0)  # each flush sends at once
    flusher.FLUSHER.interval, interval = 1e9, flusher.FLUSHER.interval
    try:
        sent = []
        w = StreamWidget(compression="lz4")
        w.send = lambda content, buffers=None: sent.append(buffers)
        w.stream(make_frame(100))
        w.flush()
        assert codec_of(sent[-1][0]) == "lz4"
        w.compression = None
        w.stream(make_frame(100))
        w.flush()
        assert codec_of(sent[-1][0]) is None
        with pytest.raises(traitlets.TraitError):
            w.compression = "gzip"
        w.close()
    finally:
        flusher.FLUSHER.interval = interval


def test_kernel_snapshot_joins_dictionary_and_plain_buffers():
    flusher.FLUSHER.interval, interval = 1e9, flusher.FLUSHER.interval
    try:
        w = StreamWidget()
        ref, diffs = ReferenceStore(), []
        for lo, words in ((0, ["a", "b"]), (100, ["c", "d", "e"]), (200, None)):
            rows = [
                {"id": lo + i, "w": words[i % len(words)] if words else f"u{i}"} for i in range(100)
            ]
            w.stream(rows, at=0, limit=250)
            for content, buffers in encode(w._stream.log.take(), len(diffs) + 1):
                diffs.append((content, [bytes(b) for b in buffers]))
                ref.apply(content, [bytes(b) for b in buffers])
        w.close()
    finally:
        flusher.FLUSHER.interval = interval
    types = {str(read(b[0]).schema.field("w").type) for _, b in diffs}
    assert len(types) == 2  # a dictionary in some buffers, plain strings in another
    shot = snapshot.from_diffs(diffs, True, 1000, 2**20)
    table = read(shot.data)
    assert table.column(DOM_ID).to_pylist() == ref.ids
    assert table.column("w").to_pylist() == [row["w"] for _, row in ref.rows]


@pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "js" / "node_modules").exists(),
    reason="needs node and js/node_modules (npm ci in js/)",
)
def test_a_pages_snapshot_of_dictionary_batches_joins_in_the_kernel(tmp_path):
    """The real page code (js/src/snapshot.js, in node) copies rows of batches with different
    dictionaries (and plain strings) into parts; the kernel joins them exactly."""
    flusher.FLUSHER.interval, interval = 1e9, flusher.FLUSHER.interval
    try:
        w = StreamWidget()
        ref, manifest = ReferenceStore(), []
        for k, words in enumerate((["a", "b"], None, ["c", "d", "e"], ["a", "z"])):
            rows = [
                {"id": 100 * k + i, "w": words[i % len(words)] if words else f"u{i}"}
                for i in range(100)
            ]
            w.stream(rows, at=k % 2 * 7)  # runs of batches interleave
            for content, buffers in encode(
                w._stream.log.take(), len(manifest) + 1, compression="zstd"
            ):
                files = []
                for i, b in enumerate(buffers):
                    (tmp_path / f"{content['seq']}.{i}").write_bytes(bytes(b))
                    files.append(str(tmp_path / f"{content['seq']}.{i}"))
                ref.apply(content, [bytes(b) for b in buffers])
                manifest.append({"content": content, "buffers": files})
        w.close()
    finally:
        flusher.FLUSHER.interval = interval
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    script = (ROOT / "tests" / "page_snapshot.mjs").resolve()
    subprocess.run(["node", str(script), str(tmp_path)], check=True, cwd=ROOT / "js", timeout=120)
    ids = json.loads((tmp_path / "ids.json").read_text())
    parts = [
        (tmp_path / f"part.{i}").read_bytes() for i in range(len(list(tmp_path.glob("part.*"))))
    ]
    assert len(parts) > 1
    shot = snapshot.from_parts(parts, ids, len(ids), 1000, 2**20)
    table = read(shot.data)
    assert table.column(DOM_ID).to_pylist() == ref.ids
    assert table.column("w").to_pylist() == [row["w"] for _, row in ref.rows]
    assert table.column("id").to_pylist() == [row["id"] for _, row in ref.rows]


def test_auto_compresses_big_diffs_for_a_page_whether_or_not_it_keeps_up():
    """Every byte sent costs the kernel, the server and the page more than ZSTD takes to remove
    it, so once a page said hello "auto" compresses a big diff, whether that page keeps up or
    lags; a few rows go as they are (no latency added). With no page (a notebook run headless)
    nothing reads them: not compressed."""
    frame = make_frame(50_000)
    sent: list = []
    d = delivery.Delivery(lambda c, b: sent.append(b), 2**30, "items")
    d.send_ops(lambda: _ops(frame), "items-", True, "auto")
    assert codec_of(sent[-1][0]) is None  # no page yet
    d.send_ops(lambda: _ops(frame), "items-", True, "zstd")
    assert codec_of(sent[-1][0]) == "zstd"  # asked for: always
    d.hello({"kind": "hello", "frontend": "f", "expected": 1, "first": None})
    d.send_ops(lambda: _ops(frame), "items-", True, "auto")
    d.send_ops(lambda: _ops(frame), "items-", True, "auto")
    assert [codec_of(b[0]) for b in sent[-2:]] == ["zstd", "zstd"]  # the page lags
    d.ack({"kind": "ack", "frontend": "f", "seq": d.seq, "count": 0})  # caught up
    d.send_ops(lambda: _ops(frame), "items-", True, "auto")
    assert codec_of(sent[-1][0]) == "zstd"
    d.send_ops(lambda: _ops(frame.head(3)), "items-", True, "auto")
    assert codec_of(sent[-1][0]) is None  # a few rows
    d.send_ops(lambda: _ops(frame), "items-", True, None)
    assert codec_of(sent[-1][0]) is None  # asked for: never


def _ops(frame):
    log = OpLog()
    table = wire_table(frame)
    log.insert(table, -1, None, False, table.nbytes)
    return log.take()
