"""Export and rows back to Python in real JupyterLab + Chromium: the CSV and Arrow buttons
download the rows shown (sort and filter applied) with raw values and exact types, Ctrl+C
copies the selected rows, and `await w.fetch_rows()` from a later cell (or an asyncio task)
brings a million rows back exactly, in chunks."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import pathlib
import zoneinfo

import pyarrow as pa
import pytest

from .harness import wait_count, wait_js
from .test_interaction import use_theme

pytestmark = pytest.mark.e2e

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def rows_streamed() -> list[dict]:
    """The rows the notebook streams (the same code runs in the kernel)."""
    return [
        {
            "id": i,
            "name": f"n{i}" + (', "q"\nline 2' if i % 3 == 0 else ""),
            "x": i / 7 if i % 5 else None,
            "t": dt.datetime(2024, 6, 1, tzinfo=PARIS) + dt.timedelta(hours=i, microseconds=i),
            "price": decimal.Decimal(f"{i}.{i:02d}0"),
            "ok": i % 2 == 0,
        }
        for i in range(40)
    ]


ROWS_SOURCE = (
    "import datetime as dt, decimal, zoneinfo\n"
    "PARIS = zoneinfo.ZoneInfo('Europe/Paris')\n"
    "rows = [{'id': i, 'name': f'n{i}' + (', \"q\"\\nline 2' if i % 3 == 0 else ''),\n"
    "         'x': i / 7 if i % 5 else None,\n"
    "         't': dt.datetime(2024, 6, 1, tzinfo=PARIS) + dt.timedelta(hours=i, microseconds=i),\n"
    "         'price': decimal.Decimal(f'{i}.{i:02d}0'), 'ok': i % 2 == 0} for i in range(40)]\n"
)


def shown(rows: list[dict]) -> list[dict]:
    """What the table shows with filter "n1" and x descending (nulls last, ties stable)."""
    kept = [r for r in rows if "n1" in r["name"]]
    with_x = sorted((r for r in kept if r["x"] is not None), key=lambda r: -r["x"])
    return with_x + [r for r in kept if r["x"] is None]


def download(page, button) -> tuple[bytes, str]:
    with page.expect_download() as info:
        button.click()
    return pathlib.Path(info.value.path()).read_bytes(), info.value.suggested_filename


def test_csv_arrow_and_copy_export_the_rows_shown_exactly(lab):
    nb = lab.notebook(
        [
            "from livestream_widget import StreamWidget\nimport json\n"
            + ROWS_SOURCE
            + "w = StreamWidget(name='trades', height=300)\nw.stream(rows)\nw",
            "w.sort = {'column': 'x', 'descending': True}\nw.filter = 'n1'",
            "w.selected = ['trades-12', 'trades-3']",
            "try:\n    await StreamWidget().fetch_rows()\nexcept RuntimeError as e:\n"
            "    print(json.dumps(str(e)))",
        ]
    )
    nb.run(0)
    w = nb.widget(0)
    wait_count(w, 40)
    nb.run(1)
    expected = shown(rows_streamed())
    wait_js(w, "(root, n) => root.dataset.shown === String(n)", len(expected))

    data, name = download(lab.page, w.locator('[data-export="csv"]'))
    assert name == "trades.csv"
    table = list(csv.reader(io.StringIO(data.decode())))
    assert table[0] == ["id", "name", "x", "t", "price", "ok"]
    assert len(table) == len(expected) + 1
    for line, r in zip(table[1:], expected, strict=True):
        assert line[0] == str(r["id"]) and line[1] == r["name"]
        assert (line[2] == "" and r["x"] is None) or float(line[2]) == r["x"]  # every digit
        assert dt.datetime.fromisoformat(line[3]) == r["t"]
        assert line[3].endswith("+02:00") and line[3][10] == "T"
        assert line[4] == str(r["price"]) and line[5] == str(r["ok"]).lower()
    assert "\n3," not in data.decode()  # filtered out

    data, name = download(lab.page, w.locator('[data-export="arrow"]'))
    assert name == "trades.arrow"
    got = pa.ipc.open_file(pa.BufferReader(data)).read_all()
    assert got.schema.field("t").type == pa.timestamp("us", "Europe/Paris")
    assert got.schema.field("price").metadata == {b"livestream": b"decimal"}
    assert got.column("id").to_pylist() == [r["id"] for r in expected]
    assert got.column("x").to_pylist() == [r["x"] for r in expected]
    assert got.column("t").to_pylist() == [r["t"] for r in expected]
    assert got.column("price").to_pylist() == [str(r["price"]) for r in expected]
    assert got.column("name").to_pylist() == [r["name"] for r in expected]

    # Ctrl+C on the table copies the selected rows, in display order, tab-separated.
    nb.run(2)
    wait_js(w, "root => root.querySelectorAll('.lsw-selected').length === 1")
    lab.page.evaluate(
        "() => document.addEventListener('copy', e => "
        "{ window.__copied = e.clipboardData.getData('text/plain'); })"
    )
    w.locator(".lsw-scroll").focus()
    lab.page.keyboard.press("Control+c")
    copied = lab.page.wait_for_function("() => window.__copied").json_value()
    lines = list(csv.reader(io.StringIO(copied), delimiter="\t"))
    assert lines[0] == ["id", "name", "x", "t", "price", "ok"]
    assert [line[0] for line in lines[1:]] == [
        str(r["id"]) for r in expected if r["id"] in (12, 3)
    ]  # 3 is filtered out: only what is shown
    assert w.locator('[data-export="copy"]').is_enabled()

    # The buttons read in both themes: text and background far apart in brightness.
    contrast = """root => { const b = root.querySelector('[data-export="csv"]');
        const sum = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number).reduce((a, x) => a + x);
        const s = getComputedStyle(b); return sum(s.backgroundColor) - sum(s.color); }"""
    assert w.evaluate(contrast) > 300  # light: dark text on a light button
    use_theme(lab.page, "JupyterLab Dark")
    wait_js(w, f"root => ({contrast})(root) < -300")  # dark: light text on a dark button
    w.screenshot(path=str(lab.server.root / "export-dark.png"))
    use_theme(lab.page, "JupyterLab Light")

    # No page shows this widget: an error at once, saying what to do.
    message = json.loads(nb.run(3).strip().splitlines()[-1])
    assert "no front end shows this widget" in message


def test_fetch_rows_brings_a_million_rows_back_exactly(lab):
    nb = lab.notebook(
        [
            "from livestream_widget import StreamWidget\n"
            "import asyncio, json, time, numpy as np, pandas as pd, pyarrow as pa\n"
            "n = 1_000_000\n"
            "df = pd.DataFrame({'id': np.arange(n), 'x': np.random.default_rng(0).standard_normal(n),\n"
            "    's': [f'row {i}' for i in range(n)],\n"
            "    't': pd.date_range('2024-01-01', periods=n, freq='s', tz='Asia/Tokyo')\n"
            "         + pd.to_timedelta(np.arange(n), 'ns')})\n"
            "w = StreamWidget(name='big', height=300)\nw.stream(df)\nw",
            # A later cell, top-level await: the kernel reads the chunks while the cell awaits.
            "t0 = time.perf_counter()\n"
            "got = await w.fetch_rows(order='stream')\n"
            "took = time.perf_counter() - t0\n"
            "print(json.dumps({'equal': bool(got.equals(df)), 'rows': len(got), 'seconds': took,\n"
            "    'dtypes': [str(d) for d in got.dtypes], **w._fetches.last}))",
            # Display order: the user's sort; started as a task, read in the next cell.
            "w.sort = {'column': 'x', 'descending': False}\n"
            "task = asyncio.ensure_future(w.fetch_rows(as_arrow=True))",
            "t0 = time.perf_counter()\nwhile not task.done():\n    await asyncio.sleep(0.05)\n"
            "arrow = task.result()\n"
            "want = df.sort_values('x', kind='stable').reset_index(drop=True)\n"
            "print(json.dumps({'equal': bool(arrow.to_pandas().equals(want)),\n"
            "    'type': str(arrow.schema.field('t').type), **w._fetches.last}))",
        ]
    )
    nb.run(0, timeout=180_000)
    w = nb.widget(0)
    wait_count(w, 1_000_000, timeout=180_000)
    out = json.loads(nb.run(1, timeout=180_000).strip().splitlines()[-1])
    print(f"\nfetch_rows of 1M rows (stream order): {out}")
    assert out["equal"] and out["rows"] == 1_000_000
    assert out["dtypes"] == ["int64", "float64", "str", "datetime64[ns, Asia/Tokyo]"]
    assert out["chunks"] > 1 and out["bytes"] / out["chunks"] < 10 * 2**20
    nb.run(2)
    out = json.loads(nb.run(3, timeout=180_000).strip().splitlines()[-1])
    print(f"fetch_rows of 1M rows (sorted by x, as an asyncio task): {out}")
    assert out["equal"] and out["type"] == "timestamp[ns, tz=Asia/Tokyo]"

    # Both files of the million rows, built in steps: how long each takes.
    # Built in steps: the page waits a few ms at a time, many times (the longest wait is printed,
    # not asserted: on a busy machine the OS can stretch any one of them).
    csv_path, steps = timed_download(lab.page, w, "csv")
    size = csv_path.stat().st_size
    print(f"CSV export of 1M rows: {steps}, {size / 2**20:.1f} MiB")
    assert int(steps["slices"]) >= 20 and int(steps["median_ms"]) <= 40

    arrow_path, steps = timed_download(lab.page, w, "arrow")
    arrow = pa.ipc.open_file(pa.memory_map(str(arrow_path))).read_all()
    print(f"Arrow export of 1M rows: {steps}")
    assert int(steps["slices"]) >= 20 and int(steps["median_ms"]) <= 40
    assert arrow.num_rows == 1_000_000 and arrow.schema.field("t").type == pa.timestamp(
        "ns", "Asia/Tokyo"
    )
    assert size > 30 * 2**20


def timed_download(page, w, kind: str) -> tuple[pathlib.Path, dict]:
    """Click the `kind` export button; the file, and the page's waits as the export bar reports
    them: ms in all, slices, median_ms and longest_ms."""
    with page.expect_download(timeout=120_000) as info:
        w.locator(f'[data-export="{kind}"]').click()
    steps = wait_js(
        w,
        "root => { const d = root.querySelector('.lsw-export').dataset;"
        f" return d.{kind}Ms && {{ ms: d.{kind}Ms, slices: d.{kind}Slices,"
        f" median_ms: d.{kind}MedianMs, longest_ms: d.{kind}LongestMs }}; }}",
        timeout=60_000,
    )
    return pathlib.Path(info.value.path()), steps
