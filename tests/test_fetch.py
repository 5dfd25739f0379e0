"""`await w.fetch_rows()`, kernel side: the request it sends, chunks joined in order, the first
front end to answer wins, errors that say what to do (no front end at once, a silent one after
the timeout, malformed replies), and nothing kept once a request is over. The browser side
runs in real JupyterLab in tests/e2e/test_export.py."""

from __future__ import annotations

import asyncio
import concurrent.futures
import decimal
import gc
import weakref

import pandas as pd
import pyarrow as pa
import pytest

from livestream_widget import StreamWidget
from livestream_widget.fetch import to_pandas
from livestream_widget.messages import parse


def run(coro):
    """asyncio.run in a thread of its own: the end-to-end tests' Playwright keeps an event loop
    running in the main thread for the rest of the session."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


class Page:
    """The test playing one page: says hello, then answers what the widget sends it."""

    def __init__(self, w: StreamWidget, name: str = "page") -> None:
        self.w, self.name = w, name
        w._on_front_end_msg(
            w, {"kind": "hello", "expected": 1, "first": None, "frontend": name}, []
        )

    def rows(self, request: str, chunk: int, table: pa.Table | None, last: bool, total: int, **kw):
        content = {
            "kind": "rows",
            "frontend": self.name,
            "request": request,
            "chunk": chunk,
            "last": last,
            "rows": 0 if table is None else table.num_rows,
            "total": total,
            **kw,
        }
        self.w._on_front_end_msg(self.w, content, [] if table is None else [ipc(table)])


@pytest.fixture
def widget(monkeypatch):
    w = StreamWidget(name="t")
    sent: list[dict] = []
    monkeypatch.setattr(w, "send", lambda content, buffers=None: sent.append(content))
    w.sent = sent  # type: ignore[attr-defined]
    yield w
    w.close()


async def requested(w) -> str:
    for _ in range(100):
        asks = [m for m in w.sent if m["kind"] == "fetch"]
        if asks:
            return asks[-1]["request"]
        await asyncio.sleep(0.01)
    raise AssertionError("no fetch was sent")


def test_chunks_join_in_order_with_widened_types_and_the_request_ends(widget):
    page = Page(widget)
    a = pa.table({"id": pa.array([1, 2], pa.int64()), "x": pa.array([1, 2], pa.int64())})
    b = pa.table({"id": pa.array([3], pa.int64()), "x": pa.array([2.5])})

    async def main():
        task = asyncio.ensure_future(widget.fetch_rows(as_arrow=True))
        request = await requested(widget)
        page.rows(request, 0, a, last=False, total=3)
        page.rows(request, 1, b, last=True, total=3)
        return await task

    table = run(main())
    assert table.column("x").to_pylist() == [1.0, 2.0, 2.5]
    assert table.num_rows == 3
    asks = [m for m in widget.sent if m["kind"] != "welcome"]
    assert asks == [
        {"kind": "fetch", "request": asks[0]["request"], "order": "display"},
        {"kind": "fetch_end", "request": asks[0]["request"]},
    ]
    assert widget._fetches.pending == 0


def test_the_first_page_to_answer_wins_and_others_are_ignored(widget):
    first, second = Page(widget, "a"), Page(widget, "b")
    t = pa.table({"v": ["x"]})

    async def main():
        task = asyncio.ensure_future(widget.fetch_rows(order="stream"))
        request = await requested(widget)
        second.rows(request, 0, t, last=False, total=2)
        first.rows(request, 0, pa.table({"v": ["bad"]}), last=True, total=1)  # too late: ignored
        second.rows(request, 1, pa.table({"v": ["y"]}), last=True, total=2)
        return await task

    df = run(main())
    assert df["v"].tolist() == ["x", "y"]
    assert [m["order"] for m in widget.sent if m["kind"] == "fetch"] == ["stream"]


def test_no_front_end_raises_at_once_and_a_silent_one_times_out(widget):
    with pytest.raises(RuntimeError, match="no front end shows this widget"):
        run(widget.fetch_rows())
    Page(widget)
    with pytest.raises(TimeoutError, match="no front end answered within 0.2 s"):
        run(widget.fetch_rows(timeout=0.2))
    assert widget._fetches.pending == 0
    assert widget.sent[-1]["kind"] == "fetch_end"  # a page still working on it stops
    with pytest.raises(ValueError, match="order must be"):
        run(widget.fetch_rows(order="sorted"))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("chunks", "message"),
    [
        ([(1, True, 1)], "chunk 1 arrived where 0 was due"),
        ([(0, True, 5)], "1 rows arrived of the 5 announced"),
        (
            [(0, True, 1, {"error": "out of memory"})],
            "the page could not send its rows: out of memory",
        ),
    ],
)
def test_malformed_or_failed_replies_raise_saying_why(widget, chunks, message):
    page = Page(widget)

    async def main():
        task = asyncio.ensure_future(widget.fetch_rows())
        request = await requested(widget)
        for chunk, last, total, *extra in chunks:
            page.rows(
                request, chunk, pa.table({"v": [1]}), last=last, total=total, **(extra or [{}])[0]
            )
        return await task

    with pytest.raises(RuntimeError, match=message):
        run(main())
    assert widget._fetches.pending == 0


def test_closing_the_widget_ends_a_fetch_at_once(widget):
    Page(widget)

    async def main():
        task = asyncio.ensure_future(widget.fetch_rows())
        await requested(widget)
        widget.close()
        return await task

    with pytest.raises(RuntimeError, match="the widget was closed during fetch_rows"):
        run(main())
    assert widget._fetches.pending == 0


def test_replies_are_checked_before_use():
    ok = {
        "kind": "rows",
        "frontend": "p",
        "request": "f1",
        "chunk": 0,
        "last": True,
        "rows": 1,
        "total": 1,
    }
    assert parse(ok, [b"x"], 0, "t") is not None
    for bad in [
        {"chunk": -1},
        {"rows": 2},
        {"last": 1},
        {"request": 7},
        {"error": 3},
        {"total": "1"},
    ]:
        assert parse({**ok, **bad}, [], 0, "t") is None


def test_a_request_over_keeps_nothing(widget):
    page = Page(widget)
    big = pa.table({"v": pa.array(range(100_000), pa.int64())})
    ref = None

    async def main():
        nonlocal ref
        task = asyncio.ensure_future(widget.fetch_rows(as_arrow=True, timeout=0.3))
        request = await requested(widget)
        page.rows(request, 0, big, last=False, total=200_000)
        ref = weakref.ref(widget._fetches._pending[request].tables[0])
        return await task  # the second chunk never comes

    with pytest.raises(TimeoutError, match="stopped sending rows"):
        run(main())
    gc.collect()
    assert widget._fetches.pending == 0 and ref is not None and ref() is None


def test_dataframes_keep_nulls_apart_and_decimals_exact():
    meta = {b"livestream": b"decimal"}
    table = pa.table(
        {
            "i": pa.array([1, None], pa.int64()),
            "f": pa.array([float("nan"), None]),
            "b": pa.array([True, None]),
            "d": pa.array(["1.0", None]),
            "t": pa.array([1, 2], pa.timestamp("ns", "Europe/Paris")),
        }
    )
    table = table.cast(table.schema.set(3, pa.field("d", pa.string(), metadata=meta)))
    df = to_pandas(table)
    assert str(df["i"].dtype) == "Int64" and df["i"].isna().tolist() == [False, True]
    assert str(df["f"].dtype) == "Float64" and pd.isna(df["f"][1]) and df["f"].isna()[1]
    assert str(df["b"].dtype) == "boolean"
    assert df["d"].tolist()[0] == decimal.Decimal("1.0") and str(df["d"][0]) == "1.0"
    assert str(df["t"].dtype) == "datetime64[ns, Europe/Paris]"
    assert list(df.columns) == ["i", "f", "b", "d", "t"]
