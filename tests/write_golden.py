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
import sys

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
    yield "split_messages", lambda w: w.stream(mixed(0, 3000), at=0, limit=2500)
    # Values of every kind sent as dicts in small batches, and what each cell must show.
    display_rows, _ = display_golden.rows()
    yield (
        "display_values",
        lambda w: [w.stream(display_rows[i : i + 7]) for i in range(0, len(display_rows), 7)],
    )


def main(out: pathlib.Path) -> None:
    FLUSHER.interval = 1e9  # the ops are taken below: keep the background flush out
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*"):
        old.unlink()
    for name, build in _cases():
        w = StreamWidget()
        build(w)
        max_bytes = 64 * 1024 if name == "split_messages" else 8 * 2**20
        messages, ref = [], ReferenceStore()
        for content, buffers in encode(w._stream.log.take(), 1, max_bytes=max_bytes):
            files = []
            for i, b in enumerate(buffers):
                f = f"{name}.{content['seq']}.{i}.arrow"
                (out / f).write_bytes(bytes(b))
                files.append(f)
            ref.apply(content, [bytes(b) for b in buffers])
            messages.append({"content": content, "buffers": files})
        if name == "split_messages":
            assert len(messages) > 1, "the split case must span several messages"
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
    print(f"wrote {len(list(out.glob('*.json')))} golden cases to {out}")


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "js/test/golden"))
