"""Live column summaries in real JupyterLab + Chromium: the hooks under each header
(data-rows, data-nulls, data-min / data-max / data-mean, data-distinct / data-top,
data-first / data-last) equal what the rows streamed give, recomputed here in Python, after a
limit prunes, after deletes (of the current min among them) and updates in place, and with a
filter; the summary row holds its height from the start, so rows never move when it fills."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math

import pytest

from .harness import wait_count, wait_js
from .test_interaction import use_theme

pytestmark = pytest.mark.e2e

SETUP = "from livestream_widget import StreamWidget\nimport datetime as dt\n"
START = dt.datetime(2024, 3, 1, 9, 30)
WORDS = ["apple", "berry", "cherry", "apple", "date", "apple", "berry"]


def row(i: int, x_shift: float = 0.0) -> dict:
    """Row i, as the kernel cell below makes it."""
    return {
        "id": i,
        "x": None if i % 7 == 3 else i / 8 + x_shift,
        "n": 2**60 + i * 3 if i % 2 else -(i * 1000),
        "word": None if i % 11 == 5 else WORDS[i % len(WORDS)],
        "t": START + dt.timedelta(seconds=17 * i),
        "skip": i,
    }


ROW_SOURCE = (
    "START = dt.datetime(2024, 3, 1, 9, 30)\n"
    f"WORDS = {WORDS!r}\n"
    "def row(i, x_shift=0.0):\n"
    "    return {'id': i, 'x': None if i % 7 == 3 else i / 8 + x_shift,\n"
    "            'n': 2**60 + i * 3 if i % 2 else -(i * 1000),\n"
    "            'word': None if i % 11 == 5 else WORDS[i % len(WORDS)],\n"
    "            't': START + dt.timedelta(seconds=17 * i), 'skip': i}\n"
)


def js_number(x: float) -> str:
    """String(x) in JS (the shortest digits that round-trip, in fixed notation from 1e-6 up
    to 1e21) for the finite floats used here."""
    if math.isnan(x):
        return "NaN"
    text = format(decimal.Decimal(repr(x)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def expected(rows: list[dict]) -> dict[str, dict[str, str]]:
    """What the hooks must say: the mean is the exact sum rounded once, divided by the count
    (math.fsum; int64 sums are exact ints, rounded as float() rounds)."""
    out = {}
    n = len(rows)
    xs = [r["x"] for r in rows if r["x"] is not None]
    out["x"] = {"rows": str(n), "nulls": str(n - len(xs))}
    if xs:
        out["x"] |= {
            "min": js_number(min(xs)),
            "max": js_number(max(xs)),
            "mean": js_number(math.fsum(xs) / len(xs)),
        }
    ns = [r["n"] for r in rows]
    out["n"] = {"rows": str(n), "nulls": "0", "min": str(min(ns)), "max": str(max(ns))}
    out["n"]["mean"] = js_number(float(sum(ns)) / len(ns))
    words = [r["word"] for r in rows if r["word"] is not None]
    counts: dict[str, int] = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    out["word"] = {"rows": str(n), "nulls": str(n - len(words)), "distinct": str(len(counts))}
    if top:
        out["word"]["top"] = top[0][0]
    ts = [r["t"] for r in rows]
    out["t"] = {
        "rows": str(n),
        "nulls": "0",
        "first": f"{min(ts):%Y-%m-%d %H:%M:%S}",
        "last": f"{max(ts):%Y-%m-%d %H:%M:%S}",
    }
    return out


HOOKS = """root => Object.fromEntries([...root.querySelectorAll('[data-summary]')].map(
    e => [e.dataset.summary, Object.fromEntries(Object.entries(e.dataset)
        .filter(([k]) => k !== 'summary').sort())]).sort())"""


def wait_summaries(widget, want: dict) -> None:
    try:
        wait_js(
            widget,
            f"(root, want) => JSON.stringify(({HOOKS})(root)) === want",
            json.dumps(want, sort_keys=True, separators=(",", ":")),
        )
    except Exception:
        got = widget.evaluate(HOOKS)
        raise AssertionError(f"summaries\n got {got}\nwant {want}") from None


def test_summaries_follow_the_rows_streamed(lab):
    nb = lab.notebook(
        [
            SETUP + ROW_SOURCE + "w = StreamWidget(name='s', height=320,\n"
            "    column_options={'skip': {'summary': False}, 'id': {'summary': False}})\nw",
            "w.stream([row(i) for i in range(300)], limit=-250)",
            "w.delete([row(50), row(51), row(120)])\n"
            "w.insert(row(60, x_shift=1000.5))\nw.insert(row(61, x_shift=-0.25))",
            "w.filter = 'cherry'",
            "w.filter = ''\nw.reset([row(i) for i in range(5)])",
            "w.summaries = False",
        ]
    )
    nb.run(0)
    w = nb.widget(0)
    # Before any row: the summary row is there, its height reserved.
    empty_height = wait_js(w, "root => root.querySelector('.lsw-summaries').offsetHeight")
    assert empty_height > 30
    first_row_top = None

    nb.run(1)
    wait_count(w, 250)
    rows = [row(i) for i in range(50, 300)]
    wait_summaries(w, expected(rows))
    assert w.evaluate("root => root.querySelector('.lsw-summaries').offsetHeight") == empty_height
    first_row_top = w.evaluate(
        "root => root.querySelector('.lsw-rows .lsw-row').getBoundingClientRect().top"
        " - root.querySelector('.lsw-scroll').getBoundingClientRect().top"
    )
    assert first_row_top >= empty_height  # below the header and the summaries
    assert w.locator('[data-summary="skip"], [data-summary="id"]').count() == 0
    assert w.locator(".lsw-summary .lsw-spark path").count() == 2  # x and n
    # Readable in both themes: a value's text far from the row's background in brightness.
    contrast = """root => { const sum = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number)
        .reduce((a, x) => a + x);
        const bg = getComputedStyle(root.querySelector('.lsw-summaries')).backgroundColor;
        const fg = getComputedStyle(root.querySelector('.lsw-summary-label')).color;
        return sum(bg) - sum(fg); }"""
    assert w.evaluate(contrast) > 300  # light: dark text on a light row
    use_theme(lab.page, "JupyterLab Dark")
    wait_js(w, f"root => ({contrast})(root) < -300")  # dark: light text on a dark row
    use_theme(lab.page, "JupyterLab Light")
    wait_js(w, f"root => ({contrast})(root) > 300")
    title = w.locator('[data-summary="x"]').get_attribute("title")
    assert "min 6.25" in title and "max 37.375" in title and "mean" in title

    # Deletes (50 held the min of x) and updates in place (a new max, a new min).
    nb.run(2)
    wait_count(w, 247)
    rows = [r for r in rows if r["id"] not in (50, 51, 120)]
    rows = [
        row(60, 1000.5) if r["id"] == 60 else row(61, -0.25) if r["id"] == 61 else r for r in rows
    ]
    wait_summaries(w, expected(rows))

    # A filter: the summaries cover the rows that pass it, all of them (not only those shown).
    nb.run(3)
    wait_js(w, "root => root.dataset.shown !== root.dataset.count")
    wait_summaries(w, expected([r for r in rows if r["word"] == "cherry"]))

    # A reset: the new rows only.
    nb.run(4)
    wait_count(w, 5)
    wait_summaries(w, expected([row(i) for i in range(5)]))

    # Off: the row goes, and the rows move up by its height.
    nb.run(5)
    wait_js(w, "root => root.querySelector('.lsw-summaries').offsetHeight === 0")
    top = w.evaluate(
        "root => root.querySelector('.lsw-rows .lsw-row').getBoundingClientRect().top"
        " - root.querySelector('.lsw-scroll').getBoundingClientRect().top"
    )
    assert top == pytest.approx(first_row_top - empty_height - 1, abs=1)
