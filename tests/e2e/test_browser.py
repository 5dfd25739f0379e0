"""StreamWidget end to end: real JupyterLab, real kernel, headless Chromium. (Just over 400
lines: the core cases share one set of page readers defined here.)

Every cell is run from the UI, one at a time, and every check reads the rendered page: the rows
(`[data-dom-id]`, in DOM order), the row count the view holds (`.lsw[data-count]`), the empty
state (`.lsw-empty`) and notices (`.lsw-notice`).
"""

from __future__ import annotations

import pathlib

import pytest

from .harness import data_count, rendered_ids, wait_count, wait_rows

pytestmark = pytest.mark.e2e

SETUP = "from livestream_widget import StreamWidget\nimport pandas as pd\n"


def ids(*keys, name="items"):
    return [f"{name}-{k}" for k in keys]


def assert_no_notices(widget):
    notices = widget.locator(".lsw-notice").all_inner_texts()
    assert notices == [], f"unexpected notices: {notices}"


def test_stream_ops_from_later_cells(lab):
    nb = lab.notebook(
        [
            SETUP + 'w = StreamWidget(empty_message="Nothing streamed yet", height=300)\nw',
            'w.stream([{"id": i, "label": f"row {i}"} for i in range(1, 6)])',
            'w.insert({"id": 0, "label": "zero"}, at=0)',
            'w.insert({"id": 3, "label": "three, updated"}, at=0)',
            'w.insert({"id": 9, "label": "nine"}, at=2)',
            'w.delete({"id": 1, "label": "ignored"})',
            'w.delete_by_dom_id("items-4")\nw.delete_by_dom_id("items-404")',
            'w.stream([{"id": i, "label": f"tail {i}"} for i in range(10, 20)], limit=-6)',
            'w.stream([{"id": i, "label": f"head {i}"} for i in range(20, 25)], at=0, limit=4)',
            "w.reset()",
            'w.stream([{"id": 7, "label": "a"}, {"id": 8, "label": "b"}], reset=True)',
            'w.reset([{"id": "x", "price": 2.5, "qty": 3}])',
        ]
    )
    nb.run(0)
    w = nb.widget(0)
    empty = w.locator(".lsw-empty")
    expect_visible_text(empty, "Nothing streamed yet")
    assert data_count(w) == 0
    assert rendered_ids(w) == []

    nb.run(1)
    wait_rows(w, ids(1, 2, 3, 4, 5))
    assert empty.is_hidden()
    assert row_texts(w, "items-2") == ["2", "row 2"]

    nb.run(2)  # at=0: prepend
    wait_rows(w, ids(0, 1, 2, 3, 4, 5))

    nb.run(3)  # known dom id: updated in place, `at` ignored
    wait_row_text(w, "items-3", "three, updated")
    wait_rows(w, ids(0, 1, 2, 3, 4, 5))
    assert row_texts(w, "items-3") == ["3", "three, updated"]

    nb.run(4)  # at=N: before the row now at index N
    wait_rows(w, ids(0, 1, 9, 2, 3, 4, 5))

    nb.run(5)
    wait_rows(w, ids(0, 9, 2, 3, 4, 5))

    nb.run(6)  # unknown dom ids are ignored
    wait_rows(w, ids(0, 9, 2, 3, 5))

    nb.run(7)  # at=-1, limit=-6: keep the last 6 rows after each insert
    wait_rows(w, ids(14, 15, 16, 17, 18, 19))

    nb.run(8)  # at=0, limit=4: one insert per item, so the batch ends up reversed
    wait_rows(w, ids(24, 23, 22, 21))

    nb.run(9)
    wait_rows(w, [])
    expect_visible_text(empty, "Nothing streamed yet")

    nb.run(10)
    wait_rows(w, ids(7, 8))
    assert empty.is_hidden()

    nb.run(11)  # columns may change after a reset
    wait_rows(w, ids("x"))
    assert header(w) == ["id", "price", "qty"]
    assert row_texts(w, "items-x") == ["x", "2.5", "3"]
    assert_no_notices(w)


def test_second_view_shows_same_rows(lab):
    nb = lab.notebook(
        [
            SETUP + "w = StreamWidget(height=250)\nw",
            'w.stream([{"id": i, "square": i * i} for i in range(1, 4)])',
            "display(w)",
            'w.insert({"id": 0, "square": -1}, at=0)\nw.delete_by_dom_id("items-2")',
            'w.insert({"id": 3, "square": 333}, update_only=True)',
        ]
    )
    nb.run(0)
    first = nb.widget(0)
    nb.run(1)
    wait_rows(first, ids(1, 2, 3))

    nb.run(2)  # a new view of the same model: rows sent before it existed are there
    second = nb.widget(2)
    wait_rows(second, ids(1, 2, 3))
    assert row_texts(second, "items-3") == ["3", "9"]
    assert_no_notices(second)

    nb.run(3)
    for view in (first, second):
        wait_rows(view, ids(0, 1, 3))

    nb.run(4)
    for view in (first, second):
        wait_row_text(view, "items-3", "333")
        wait_rows(view, ids(0, 1, 3))
        assert_no_notices(view)


def test_rows_arrive_while_cell_runs(lab):
    nb = lab.notebook(
        [
            SETUP + "import time\nw = StreamWidget(height=300)\nw",
            "for i in range(30):\n"
            '    w.insert({"id": i, "t": i / 10, "label": f"step {i:02d} of a long loop"}, at=0)\n'
            "    time.sleep(0.1)\n"
            'print("loop done")',
        ]
    )
    nb.run(0)
    w = nb.widget(0)
    cell = nb.cell(1)
    before = nb.start(1)

    def count_while_running(at_least):
        """Poll the DOM until the cell still runs ([*]) and the view holds >= `at_least` rows."""
        handle = w.page.wait_for_function(
            """([cell, root, atLeast]) => {
                const running = cell.querySelector('.jp-InputPrompt').textContent.trim() === '[*]:';
                const n = Number(root.dataset.count);
                return running && n >= atLeast ? n : false;
            }""",
            arg=[cell.element_handle(), w.element_handle(), at_least],
            timeout=10_000,
        )
        return handle.json_value()

    early = count_while_running(3)
    later = count_while_running(early + 3)
    assert early < later < 30, (early, later)

    nb.wait_done(1, before)
    assert nb.output(1) == "loop done\n"
    wait_count(w, 30)
    shown = rendered_ids(w)  # newest first; virtualized, so a prefix of the 30 rows
    assert len(shown) >= 10
    assert shown == ids(*range(29, 29 - len(shown), -1))
    assert row_texts(w, "items-29") == ["29", "2.9", "step 29 of a long loop"]
    # The header was first drawn from the `columns` trait, before any row had arrived; it must
    # still end up right-aligning numbers and sizing columns to the values (no "step…").
    assert numeric_columns(w) == [True, True, False]
    assert truncated_cells(w) == []
    assert_no_notices(w)


def img(n):
    return f'<img src=x onerror="window.__xss={n}">'


IMG = img(1)
SCRIPT = "<script>window.__xss=2</script>"


def test_values_are_text_not_html(lab):
    nb = lab.notebook(
        [
            SETUP + f"w = StreamWidget(empty_message={img(4)!r})\nw",
            f'w.stream([{{"id": 1, "html": {IMG!r}}}, {{"id": 2, "html": {SCRIPT!r}}}])',
            "print(w.count)",
            f'w.reset([{{"id": 3, {img(3)!r}: {SCRIPT!r}}}])',
            "print(w.count)",
        ]
    )
    page = nb.page
    nb.run(0)
    w = nb.widget(0)
    expect_visible_text(w.locator(".lsw-empty"), img(4))

    nb.run(1)
    wait_rows(w, ids(1, 2))
    assert row_texts(w, "items-1") == ["1", IMG]
    assert row_texts(w, "items-2") == ["2", SCRIPT]
    nb.run(2)  # a round trip, so that an injected handler would have had time to fire

    nb.run(3)  # HTML in a column name
    wait_rows(w, ids(3))
    assert header(w) == ["id", img(3)]
    assert row_texts(w, "items-3") == ["3", SCRIPT]
    nb.run(4)

    assert page.evaluate("typeof window.__xss") == "undefined"
    assert w.evaluate("root => root.querySelectorAll('img, script').length") == 0
    assert_no_notices(w)


def test_count_reported_by_front_end(lab):
    nb = lab.notebook(
        [
            SETUP + "w = StreamWidget()\nw",
            "print(w.count)",
            'w.stream(pd.DataFrame({"id": range(25), "x": 1.5}))',
            "print(w.count)",
            'w.delete_by_dom_id("items-3")\n'
            'w.insert({"id": 99, "x": 2.5}, at=0)\n'
            'w.insert({"id": 100, "x": 3.5}, limit=20)',
            "print(w.count)",
        ]
    )
    nb.run(0)
    w = nb.widget(0)
    assert nb.run(1) == "0\n"

    nb.run(2)
    wait_count(w, 25)
    assert_count_converges(nb, 3, 25)

    nb.run(4)  # -1 +1 +1, then limit=20 keeps the first 20
    wait_count(w, 20)
    assert rendered_ids(w)[:3] == ids(99, 0, 1)
    assert_count_converges(nb, 5, 20)


def assert_count_converges(nb, cell, n, attempts=8):
    """Re-run the `print(w.count)` cell until it prints n: the ack is a round trip behind."""
    printed = []
    for _ in range(attempts):
        printed.append(nb.run(cell).strip())
        if printed[-1] == str(n):
            return
    raise AssertionError(f"w.count never reached {n}; the cell printed {printed}")


def test_virtualized_at_scale(lab):
    n = 200_000
    nb = lab.notebook(
        [
            SETUP + "import numpy as np\nw = StreamWidget(height=400)\nw",
            f"n = {n}\n"
            'df = pd.DataFrame({"id": np.arange(n), "value": np.arange(n) * 0.25,'
            ' "label": [f"row {i}" for i in range(n)]})\n'
            "w.stream(df)",
        ]
    )
    nb.run(0)
    w = nb.widget(0)
    nb.run(1, timeout=120_000)
    wait_count(w, n, timeout=60_000)
    shown = rendered_ids(w)
    assert 0 < len(shown) < 100, len(shown)
    assert shown[0] == "items-0"

    scroller = w.locator(".lsw-scroll")
    scroller.scroll_into_view_if_needed()
    scroller.evaluate("s => { s.scrollTop = 100000 * 28; }")
    w.page.wait_for_function(
        "root => !!root.querySelector('[data-dom-id=\"items-100000\"]')",
        arg=w.element_handle(),
    )
    scroller.evaluate("s => { s.scrollTop = s.scrollHeight; }")
    last = w.locator('[data-dom-id="items-199999"]')
    last.wait_for(state="visible")
    assert row_texts(w, "items-199999") == ["199999", "49999.75", "row 199999"]
    assert last.get_attribute("aria-rowindex") == str(n)
    shown = rendered_ids(w)
    assert len(shown) < 100, len(shown)
    assert shown[-1] == "items-199999"
    assert shown == ids(*range(n - len(shown), n))

    # What is actually painted at the top of the scroller is the (sticky) header, and at the
    # bottom the last row, fully visible below the header.
    geometry = scroller.evaluate(
        """s => {
            const box = s.getBoundingClientRect();
            const head = s.querySelector('.lsw-header').getBoundingClientRect();
            const last = s.querySelector('[data-dom-id="items-199999"]').getBoundingClientRect();
            const at = (x, y) => document.elementFromPoint(x, y);
            const x = box.left + 20;
            return {
                headerOffset: head.top - box.top,
                headerPainted: !!at(x, head.top + head.height / 2)?.closest('.lsw-header'),
                lastPainted: at(x, last.top + last.height / 2)?.closest('[data-dom-id]')
                    ?.dataset.domId,
                lastBelowHeader: last.top >= head.bottom - 0.5,
                lastInside: last.bottom <= box.bottom + 0.5,
            };
        }"""
    )
    assert 0 <= geometry["headerOffset"] <= 2, geometry
    assert geometry["headerPainted"], geometry
    assert geometry["lastPainted"] == "items-199999", geometry
    assert geometry["lastBelowHeader"] and geometry["lastInside"], geometry
    assert_no_notices(w)


SCREENSHOT = pathlib.Path(__file__).resolve().parents[2] / "docs" / "screenshot.png"


def test_screenshot(lab):
    nb = lab.notebook(
        [
            SETUP + 'w = StreamWidget(name="trades", key="id", height=340)\nw',
            "import datetime as dt\n"
            "start = dt.datetime(2024, 3, 1, 9, 30)\n"
            'symbols = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOG"]\n'
            "trades = pd.DataFrame({\n"
            '    "id": range(1, 31),\n'
            '    "time": [start + dt.timedelta(seconds=17 * i) for i in range(30)],\n'
            '    "symbol": [symbols[i % 5] for i in range(30)],\n'
            '    "side": ["buy" if i % 3 else "sell" for i in range(30)],\n'
            '    "price": [round(100 + (i * 37.13) % 90, 2) for i in range(30)],\n'
            '    "qty": [(i * 53) % 900 + 10 for i in range(30)],\n'
            '    "venue": [None if i == 2 else ["XNAS", "ARCX", "BATS"][i % 3] for i in range(30)],\n'
            "})\n"
            "w.stream(trades)",
        ]
    )
    nb.run(0)
    w = nb.widget(0)
    nb.run(1)
    wait_count(w, 30)
    assert header(w) == ["id", "time", "symbol", "side", "price", "qty", "venue"]
    assert row_texts(w, "trades-1") == [
        "1",
        "2024-03-01 09:30:00",
        "AAPL",
        "sell",
        "100.00",  # one number of decimals per float column: the points line up
        "10",
        "XNAS",
    ]
    assert row_texts(w, "trades-3")[-1] == "null"
    assert numeric_columns(w) == [True, False, False, False, True, True, False]
    assert truncated_cells(w) == []
    assert_no_notices(w)

    out = nb.cell(0).locator(".jp-Cell-outputArea")
    out.scroll_into_view_if_needed()
    png = out.screenshot(animations="disabled")
    if not SCREENSHOT.exists() or SCREENSHOT.read_bytes() != png:
        SCREENSHOT.write_bytes(png)


def expect_visible_text(locator, text):
    from playwright.sync_api import expect

    expect(locator).to_be_visible()
    expect(locator).to_have_text(text)


def row_texts(widget, dom_id):
    return widget.locator(f'[data-dom-id="{dom_id}"] .lsw-cell').all_inner_texts()


def wait_row_text(widget, dom_id, text):
    """Wait until the rendered row `dom_id` shows `text` (row elements are recycled, so look
    the row up by its dom id each time)."""
    widget.page.wait_for_function(
        """([root, id, text]) => [...root.querySelectorAll('[data-dom-id]')]
            .some(r => r.dataset.domId === id && r.textContent.includes(text))""",
        arg=[widget.element_handle(), dom_id, text],
    )


def header(widget):
    return widget.locator(".lsw-header .lsw-cell").all_inner_texts()


def numeric_columns(widget):
    """Which header cells are right-aligned (as computed by the browser)."""
    aligns = widget.evaluate(
        """root => [...root.querySelectorAll('.lsw-header .lsw-cell')].map(
            c => getComputedStyle(c).textAlign)"""
    )
    return [a == "right" for a in aligns]


def truncated_cells(widget):
    """Texts of rendered cells (header included) that do not fit their column."""
    return widget.evaluate(
        """root => [...root.querySelectorAll('.lsw-row .lsw-cell')]
            .filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.textContent)"""
    )
