"""Write golden `diff` messages for the JS tests (js/test/golden.test.js).

Each case drives the real StreamWidget API, takes the ops it queued, encodes them with the real
encoder, and records what the contract says the browser must hold (via tests/reference.py).
Run: python tests/write_golden.py [out_dir]   (default: js/test/golden)
"""

from __future__ import annotations

import datetime as dt
import json
import math
import pathlib
import random
import sys
import types

import numpy as np
import pandas as pd
import pyarrow as pa

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from livestream_widget import StreamWidget, snapshot  # noqa: E402
from livestream_widget.encoder import encode  # noqa: E402
from livestream_widget.flusher import FLUSHER  # noqa: E402
from tests import display_golden  # noqa: E402
from tests.reference import ReferenceStore  # noqa: E402


def _json_value(v):
    if isinstance(v, float) and math.isnan(v):
        return "NaN"
    if isinstance(v, dt.datetime):
        if v.tzinfo is not None:
            v = v.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return v.isoformat(timespec="milliseconds") + "Z"
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, bytes):
        return list(v)
    return v


def _cases():
    def mixed(lo, n):
        return pd.DataFrame(
            {
                "id": np.arange(lo, lo + n),
                "ts": pd.date_range("2024-01-02 03:04:05.123", periods=n, freq="1500ms"),
                "x": np.linspace(0, 1, n),
                "k": np.arange(n, dtype="int32"),
                "sym": ["ABCDEFGH"] * n,
                "note": [f"note {i} with <img src=x onerror=alert(1)> é ü 漢" for i in range(n)],
            }
        )

    def truth(w, at, limit):
        w.stream([{"id": i} for i in range(1, 11)], at=at, limit=limit)
        w.insert({"id": 11}, at=at, limit=limit)
        w.stream(pa.table({"id": list(range(12, 22))}), at=at, limit=limit)

    yield "mixed_types", lambda w: (w.stream(mixed(0, 50)), w.insert({"id": 3, "x": None}))
    yield (
        "nulls_and_upgrade",
        lambda w: w.stream([{"id": 1, "a": None, "b": True}, {"id": 2, "a": 2.5, "b": None}]),
    )
    yield (
        "dates_and_tz",
        lambda w: w.stream(
            pd.DataFrame(
                {
                    "id": [1, 2],
                    "day": [dt.date(2024, 2, 29), None],
                    "utc": pd.to_datetime(["2024-05-06 07:08:09.5", None]).tz_localize("UTC"),
                    "nan": [float("nan"), 1.0],
                    "i64": [2**53 - 1, -5],
                }
            )
        ),
    )
    for at, limit in [(-1, -5), (0, 5), (-1, 5), (0, -5), (1, 5), (1, -5)]:
        yield f"truth_at{at}_limit{limit}", lambda w, at=at, limit=limit: truth(w, at, limit)
    yield (
        "ops_in_call_order",
        lambda w: (
            w.stream([{"id": i, "v": f"r{i}"} for i in range(6)]),
            w.delete({"id": 1}),
            w.insert({"id": 2, "v": "updated"}, at=0),
            w.insert({"id": 9, "v": "dropped"}, update_only=True),
            w.delete_by_dom_id("items-4"),
            w.insert({"id": 4, "v": "moved"}, at=0),
            w.insert({"id": 7, "v": "gone"}),
            w.delete({"id": 7}),
        ),
    )
    yield (
        "reset_then_new_columns",
        lambda w: (
            w.stream([{"id": 1, "a": 1}]),
            w.reset([{"id": 2, "b": "x"}, {"id": 3, "b": "y"}]),
        ),
    )
    # Plain bytes: compressed, 3,000 rows would fit in one 64 KiB message.
    yield (
        "split_messages",
        lambda w: w.stream(mixed(0, 3000), at=0, limit=2500),
        {"compression": None},
    )
    # Values of every kind sent as dicts in small batches, and what each cell must show.
    display_rows, _ = display_golden.rows()
    yield (
        "display_values",
        lambda w: [w.stream(display_rows[i : i + 7]) for i in range(0, len(display_rows), 7)],
    )
    # Compressed bodies, each codec, with dictionaries (the one-symbol `sym` column).
    for codec in ("lz4", "zstd"):
        yield f"codec_{codec}", lambda w: w.stream(mixed(0, 3000)), {"compression": codec}
    yield "codec_auto", lambda w: w.stream(mixed(0, 3000)), {"compression": "auto"}
    yield "dictionaries", dictionaries, {"compression": None}
    for codec in ("lz4", "zstd"):
        yield f"random_ops_{codec}", random_ops, {"compression": codec}


def dictionaries(w):
    """One string column as a dictionary (with nulls, a categorical, and other dictionaries in
    later messages) and as plain strings, in one stream."""
    n = 200
    w.stream(
        pd.DataFrame(
            {
                "id": np.arange(n),
                "cat": pd.Categorical([["buy", "sell", None][i % 3] for i in range(n)]),
                "s": [f"s{i % 5} é <b>" for i in range(n)],
            }
        )
    )
    yield  # a message each
    w.insert({"id": 1, "cat": "updated", "s": "one row: plain"})
    yield
    w.stream([{"id": n + i, "cat": f"unique {i}", "s": "x"} for i in range(n)])  # cat plain
    yield
    w.stream([{"id": 2 * n + i, "cat": ["a", "b"][i % 2], "s": f"{i}"} for i in range(n)])


def random_ops(w, seed=7):
    """A seeded random sequence of every op, flushed as many messages (write_golden takes the
    log after each call): what the browser holds must equal the reference model's rows."""
    rnd = random.Random(seed)
    words = ["alpha", "beta", "gamma", None, "δέλτα"]
    for _ in range(80):
        p = rnd.random()
        if p < 0.05:
            w.reset()
        elif p < 0.25:
            w.delete({"id": rnd.randrange(400)})
        else:
            rows = [
                {
                    "id": rnd.randrange(400),
                    "word": rnd.choice(words),
                    "text": f"t{rnd.randrange(10**6)}",
                    "x": rnd.random() * 1000,
                    "n": rnd.randrange(-(2**40), 2**40),
                }
                for _ in range(rnd.choice([1, 3, 70, 150]))
            ]
            at, limit = rnd.choice([-1, 0, 5]), rnd.choice([None, 50, -120, 300])
            w.stream(rows, at=at, limit=limit)
        yield


def _take(w, name, out, kwargs, messages, ref):
    """Encode what `w` queued as the next messages: files, the manifest entry, the model."""
    for content, buffers in encode(w._stream.log.take(), len(messages) + 1, **kwargs):
        files = []
        for i, b in enumerate(buffers):
            f = f"{name}.{content['seq']}.{i}.arrow"
            (out / f).write_bytes(bytes(b))
            files.append(f)
        ref.apply(content, [bytes(b) for b in buffers])
        messages.append({"content": content, "buffers": files})


# The first bytes of a compressed buffer body (LZ4 frame, ZSTD frame).
MAGIC = {"lz4": b"\x04\x22\x4d\x18", "zstd": b"\x28\xb5\x2f\xfd"}


def _check_codec(name, out, messages, compression):
    """The codec cases must hold what they say: compressed bodies, and dictionaries."""
    data = [(out / f).read_bytes() for m in messages for f in m["buffers"]]
    if compression in MAGIC:
        assert any(MAGIC[compression] in d for d in data), f"{name}: nothing {compression}"
    if name in ("codec_auto", "dictionaries") or name.startswith("codec_"):
        types_ = [
            pa.ipc.open_stream(d).schema.field(c).type
            for d in data
            for c in ("sym", "cat")
            if c in pa.ipc.open_stream(d).schema.names
        ]
        assert any(pa.types.is_dictionary(t) for t in types_), f"{name}: no dictionary"
    if name == "dictionaries":
        assert any(t == pa.string() for t in types_), f"{name}: no plain strings"
    if name == "codec_auto":
        assert any(MAGIC["zstd"] in d for d in data), "codec_auto: 3,000 rows not compressed"


def main(out: pathlib.Path) -> None:
    FLUSHER.interval = 1e9  # the ops are taken below: keep the background flush out
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*"):
        old.unlink()
    for name, build, *options in _cases():
        w = StreamWidget()
        max_bytes = 64 * 1024 if name == "split_messages" else 8 * 2**20
        kwargs = {"max_bytes": max_bytes, **(options[0] if options else {})}
        messages: list[dict] = []
        ref = ReferenceStore()
        steps = build(w)
        for _ in steps if isinstance(steps, types.GeneratorType) else ():
            _take(w, name, out, kwargs, messages, ref)  # a generator case: messages per step
        _take(w, name, out, kwargs, messages, ref)
        if name == "split_messages":
            assert len(messages) > 1, "the split case must span several messages"
        _check_codec(name, out, messages, options[0].get("compression") if options else None)
        expected = {
            "dom_ids": ref.ids,
            "rows": [{k: _json_value(v) for k, v in row.items()} for _, row in ref.rows],
        }
        if name == "display_values":
            expected = {"dom_ids": ref.ids, "display": display_golden.rows()[1]}
        doc = {"messages": messages, "expected": expected}
        (out / f"{name}.json").write_text(json.dumps(doc, indent=1))
        w.close()
    # A snapshot as the kernel saves it (livestream_widget/snapshot.py), for snapshot.test.js.
    w = StreamWidget()
    w.stream([{"id": i, "v": f"r{i}"} for i in range(10)], at=0, limit=6)
    diffs = [(c, [bytes(b) for b in bufs]) for c, bufs in encode(w._stream.take(), 1)]
    (out / "snapshot.arrow").write_bytes(snapshot.from_diffs(diffs, True, 4, 2**20).data)
    w.close()
    # Raw codec frames for codecs.test.js: some bytes, and them as Arrow compresses a buffer.
    raw = (out / "codec_zstd.1.0.arrow").read_bytes() * 3
    (out / "frame.bin").write_bytes(raw)
    for codec in ("lz4", "zstd"):
        (out / f"frame.{codec}").write_bytes(pa.Codec(codec).compress(raw, asbytes=True))
    print(f"wrote {len(list(out.glob('*.json')))} golden cases to {out}")


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "js/test/golden"))
