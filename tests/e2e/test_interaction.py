"""Interaction end to end in real JupyterLab + Chromium: infinite scroll with paginate (no viewport
jump when rows are pruned at the other end), clicks / selection / actions reaching Python, sort
and filter in the browser, follow tail and the new-rows badge, template escaping, keyboard and
roles, and the dark theme.
"""

from __future__ import annotations

import json
import pathlib

import pytest

from .harness import rendered_ids, wait_count, wait_js, wait_rows

pytestmark = pytest.mark.e2e

SETUP = "from livestream_widget import StreamWidget\nimport pandas as pd, time\n"
DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs"


def scroll(w, to: str) -> None:
    """to: "bottom", "top" or a pixel offset."""
    js = {"bottom": "el.scrollHeight", "top": "0"}.get(to, to)
    w.locator(".lsw-scroll").evaluate(f"el => {{ el.scrollTop = {js}; }}")


def top_row(w) -> tuple[str, float]:
    """The first row on screen (below the sticky header and, when shown, the column summaries
    under it) and its offset from them."""
    return tuple(
        w.evaluate(
            """root => {
                const sc = root.querySelector('.lsw-scroll');
                const head = root.querySelector('.lsw-summaries:not([hidden])')
                    || root.querySelector('.lsw-header');
                const line = head.getBoundingClientRect().bottom;
                const rows = [...root.querySelectorAll('.lsw-rows .lsw-row')];
                const r = rows.find(r => r.getBoundingClientRect().bottom > line + 1);
                return [r.dataset.domId, r.getBoundingClientRect().top - line];
            }"""
        )
    )


def wait_shown(w, expected: list[str]) -> None:
    """Wait until the view shows exactly these rows (after its sort / filter), in order."""
    wait_js(
        w,
        """(root, expected) => root.dataset.shown === String(expected.length) && JSON.stringify(
            [...root.querySelectorAll('[data-dom-id]')].map(r => r.dataset.domId)) === JSON.stringify(expected)""",
        expected,
    )


def py(nb, cell: int) -> object:
    return json.loads(nb.run(cell).strip().splitlines()[-1])


def test_infinite_scroll_both_ways_without_jumps(lab):
    nb = lab.notebook(
        [
            SETUP + "w = StreamWidget(height=300)\n"
            "def fetch(page):\n"
            "    time.sleep(0.2)\n"
            "    n = 50 if page < 5 else 20\n"
            "    return pd.DataFrame({'id': range(page * 50, page * 50 + n), 'page': page})\n"
            "pages = w.paginate(fetch, per_page=50)\nw",
            "import json; print(json.dumps([pages.top, pages.bottom, pages.at_end]))",
        ]
    )
    nb.run(0)
    w = nb.widget(0)
    wait_count(w, 50)
    for n in (100, 150):
        scroll(w, "bottom")
        wait_count(w, n)
    assert py(nb, 1) == [0, 2, False]
    # Page 3: 50 rows appended, the first 50 pruned; what the user reads must not move.
    scroll(w, "bottom")
    wait_js(w, "root => root.querySelector('.lsw-edge-bottom').dataset.state === 'loading'")
    before = top_row(w)
    wait_js(
        w,
        "root => root.querySelector('[data-dom-id=\"items-199\"]') !== null || "
        "root.dataset.count === '150' && root.querySelector('.lsw-edge-bottom').dataset.state === ''",
    )
    wait_js(w, "root => root.querySelector('.lsw-edge-bottom').dataset.state === ''")
    assert rendered_ids(w)[0] != "items-0"
    after = top_row(w)
    assert after[0] == before[0] and abs(after[1] - before[1]) <= 1, (before, after)
    assert py(nb, 1) == [1, 3, False]
    # Back up: page 0 comes in above, the bottom page is pruned, and the view stays put.
    scroll(w, "top")
    wait_js(w, "root => root.querySelector('.lsw-edge-top').dataset.state === 'loading'")
    before = top_row(w)
    wait_js(w, "root => root.querySelector('.lsw-edge-top').dataset.state === ''")
    after = top_row(w)
    assert after[0] == before[0] == "items-50" and abs(after[1] - before[1]) <= 1, (before, after)
    assert py(nb, 1) == [0, 2, False]
    scroll(w, "top")
    ids = w.evaluate("root => root.querySelector('.lsw-scroll').scrollTop")
    assert ids == 0
    assert rendered_ids(w)[:3] == ["items-0", "items-1", "items-2"]  # the page reads in order
    # Forward to the end: a short page means no more.
    for _ in range(6):
        scroll(w, "bottom")
        nb.page.wait_for_timeout(700)
        if py(nb, 1)[2]:
            break
    assert py(nb, 1)[2] is True
    wait_js(w, "root => root.querySelector('.lsw-edge-bottom').textContent === 'End of list'")
    # The short page 5 (ids 250..269) came in; limit=-150 keeps the last 150 rows.
    assert w.get_attribute("data-count") == "150"
    scroll(w, "bottom")
    wait_js(w, "root => root.querySelector('[data-dom-id=\"items-269\"]') !== null")


def test_clicks_selection_and_actions_reach_python(lab):
    nb = lab.notebook(
        [
            SETUP + "w = StreamWidget(height=300, actions=['delete'])\n"
            "clicks = []\n"
            "w.on_click(lambda *a: clicks.append(a))\n"
            "@w.on_action('delete')\n"
            "def remove(dom_id):\n    w.delete_by_dom_id(dom_id)\n"
            "w.stream([{'id': i, 'name': f'n{i}', 'score': i * 1.5} for i in range(20)])\nw",
            "import json; print(json.dumps([clicks, w.selected]))",
            "w.selected = ['items-7', 'items-9']",
        ]
    )
    nb.run(0)
    w = nb.widget(0)
    wait_count(w, 20)
    w.locator('[data-dom-id="items-2"] [data-col="2"]').click()
    w.locator('[data-dom-id="items-5"] [data-col="1"]').click(modifiers=["Shift"])
    w.locator('[data-dom-id="items-8"] [data-col="0"]').click(modifiers=["Control"])
    clicks, selected = py(nb, 1)
    assert clicks == [
        ["items-2", "score", 3.0],
        ["items-5", "name", "n5"],
        ["items-8", "id", 8],
    ]
    assert selected == ["items-2", "items-3", "items-4", "items-5", "items-8"]
    # Keyboard: focus moves with the arrows and selects; the grid points at the focused row.
    w.locator(".lsw-scroll").focus()  # running the probe cell moved focus to the notebook
    nb.page.keyboard.press("ArrowDown")
    nb.page.keyboard.press("ArrowDown")
    wait_js(w, "root => root.querySelector('.lsw-focus')?.dataset.domId === 'items-10'")
    focused = w.evaluate(
        """root => { const sc = root.querySelector('.lsw-scroll');
            const row = document.getElementById(sc.getAttribute('aria-activedescendant'));
            return [document.activeElement === sc, row && row.dataset.domId, row && row.getAttribute('aria-selected'),
                    getComputedStyle(row).outlineStyle]; }"""
    )
    assert focused == [True, "items-10", "true", "solid"]
    assert py(nb, 1)[1] == ["items-10"]
    # Python -> browser selection.
    nb.run(2)
    wait_js(
        w,
        """root => JSON.stringify([...root.querySelectorAll('[aria-selected="true"]')]
                 .map(r => r.dataset.domId)) === '["items-7","items-9"]'""",
    )
    # A row action: the handler deletes the row.
    w.locator('[data-dom-id="items-3"] [data-action="delete"]').click()
    wait_count(w, 19)
    assert "items-3" not in rendered_ids(w)
    roles = w.evaluate(
        """root => [root.querySelector('.lsw-scroll').getAttribute('role'),
                    root.querySelector('.lsw-header [role=columnheader]') !== null,
                    root.querySelector('.lsw-rows [role=row] [role=gridcell]') !== null]"""
    )
    assert roles == ["grid", True, True]


def test_sort_and_filter_in_the_browser(lab):
    nb = lab.notebook(
        [
            SETUP + "w = StreamWidget(height=400)\n"
            "w.stream(pd.DataFrame({'id': range(10), 'score': [5, 3, 9, 1, 7, 3, 8, 2, 6, 4],"
            " 'tag': ['Red', 'blue', 'red', 'Green', 'blue', 'RED', 'green', 'blue', 'red', 'x']}))\nw",
            "import json; print(json.dumps([w.sort, w.filter]))",
            "w.stream([{'id': 10, 'score': 0, 'tag': 'red'}, {'id': 11, 'score': 10, 'tag': 'blue'}])",
            "w.sort = None; w.filter = ''",
        ]
    )
    nb.run(0)
    w = nb.widget(0)
    wait_count(w, 10)
    header = w.locator('.lsw-th[data-column="score"]')
    header.click()
    wait_rows(w, [f"items-{i}" for i in (3, 7, 1, 5, 9, 0, 8, 4, 6, 2)])  # ties in stream order
    header.click()
    wait_rows(w, [f"items-{i}" for i in (2, 6, 4, 8, 0, 9, 1, 5, 7, 3)])
    assert header.get_attribute("aria-sort") == "descending"
    assert py(nb, 1) == [{"column": "score", "descending": True}, ""]
    w.locator(".lsw-filter").fill("red")
    wait_shown(w, [f"items-{i}" for i in (2, 8, 0, 5)])
    assert py(nb, 1) == [{"column": "score", "descending": True}, "red"]
    nb.run(2)  # new rows land in sorted, filtered position
    wait_js(w, "root => root.dataset.count === '12'")
    wait_shown(w, [f"items-{i}" for i in (2, 8, 0, 5, 10)])
    assert w.get_attribute("data-shown") == "5"
    nb.run(3)  # clearing both restores stream order
    wait_js(w, "root => root.dataset.shown === '12'")
    assert rendered_ids(w) == [f"items-{i}" for i in range(12)]


def test_follow_tail_and_new_rows_badge(lab):
    nb = lab.notebook(
        [
            SETUP + "w = StreamWidget(height=300)\nw",
            "w.stream([{'id': i, 'v': i} for i in range(200)])",
            "w.stream([{'id': i, 'v': i} for i in range(200, 230)])",
            "w.stream([{'id': i, 'v': i} for i in range(230, 240)])",
        ]
    )
    nb.run(0)
    w = nb.widget(0)
    nb.run(1)
    wait_count(w, 200)
    scroll(w, "bottom")
    w.page.wait_for_timeout(200)
    nb.run(2)  # at the end: appended rows keep the view at the end
    wait_js(w, "root => root.querySelector('[data-dom-id=\"items-229\"]') !== null")
    at_end = w.locator(".lsw-scroll").evaluate(
        "el => el.scrollTop + el.clientHeight >= el.scrollHeight - 2"
    )
    assert at_end
    assert w.locator(".lsw-badge").is_hidden()
    scroll(w, "400")
    w.page.wait_for_timeout(200)
    before = top_row(w)
    nb.run(3)  # scrolled away: the view stays, a badge counts the new rows
    wait_js(w, "root => !root.querySelector('.lsw-badge').hidden")
    assert w.locator(".lsw-badge").inner_text() == "10 new rows ↓"
    assert top_row(w) == before
    w.locator(".lsw-badge").click()
    wait_js(w, "root => root.querySelector('[data-dom-id=\"items-239\"]') !== null")
    assert w.locator(".lsw-badge").is_hidden()


XSS = '<img src=x onerror="window.__xss=1">'


def test_template_values_are_text(lab):
    nb = lab.notebook(
        [
            SETUP + "w = StreamWidget(height=300, template="
            '\'<b class="who">{user}</b>: <span class="msg" title="{text}">{text}</span>'
            '<a class="link" href="{url}">link</a>\')\n'
            f"w.stream([{{'id': 1, 'user': 'ann', 'text': {XSS!r}, 'url': 'javascript:alert(1)'}},"
            " {'id': 2, 'user': '<script>window.__xss=2</script>', 'text': 'hi', 'url': 'https://x.org'}])\nw",
        ]
    )
    nb.run(0)
    w = nb.widget(0)
    wait_count(w, 2)
    card = w.locator('[data-dom-id="items-1"] .lsw-card')
    assert card.locator(".who").inner_text() == "ann"
    assert card.locator(".msg").inner_text() == XSS
    assert card.locator(".msg").get_attribute("title") == XSS
    assert card.locator(".link").get_attribute("href") is None  # javascript: URL dropped
    second = w.locator('[data-dom-id="items-2"] .lsw-card')
    assert second.locator(".who").inner_text() == "<script>window.__xss=2</script>"
    assert second.locator(".link").get_attribute("href") == "https://x.org"
    nb.page.wait_for_timeout(300)
    assert nb.page.evaluate("window.__xss") is None
    assert w.locator("img, script").count() == 0


def test_dark_theme(lab):
    nb = lab.notebook(
        [
            SETUP + "w = StreamWidget(height=200)\n"
            "w.stream([{'id': i, 'v': f'row {i}'} for i in range(10)])\nw",
        ]
    )
    nb.run(0)
    w = nb.widget(0)
    wait_count(w, 10)

    def luminance():
        return w.evaluate(
            """root => { const c = getComputedStyle(root.querySelector('.lsw-scroll'));
                const bg = getComputedStyle(root).backgroundColor.match(/[\\d.]+/g).map(Number);
                const fg = c.color.match(/[\\d.]+/g).map(Number);
                return [bg[0] + bg[1] + bg[2], fg[0] + fg[1] + fg[2]]; }"""
        )

    light_bg, light_fg = luminance()
    assert light_bg > 600 and light_fg < 300
    use_theme(nb.page, "JupyterLab Dark")
    wait_js(
        w, "root => getComputedStyle(root).backgroundColor !== 'rgb(255, 255, 255)'", timeout=20_000
    )
    nb.page.wait_for_timeout(500)
    dark_bg, dark_fg = luminance()
    assert dark_bg < 200 and dark_fg > 400, (dark_bg, dark_fg)
    w.screenshot(path=str(DOCS / "screenshot-dark.png"))
    use_theme(nb.page, "JupyterLab Light")


def use_theme(page, name: str) -> None:
    """Switch JupyterLab's theme from its menu, as a user does (Settings > Theme)."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Settings").click()
    page.locator(".lm-Menu-itemLabel", has_text="Theme").first.hover()
    page.locator(".lm-Menu-itemLabel", has_text=name).first.click()


def test_column_options_labels_formats_alignment_hidden_and_resize(lab):
    nb = lab.notebook(
        [
            SETUP + "import datetime as dt\n"
            "w = StreamWidget(height=200, columns=['id', {'name': 'price', 'label': 'Price',"
            " 'format': ',.2f', 'align': 'center'}, {'name': 'share', 'format': '.1%'},"
            " {'name': 'at', 'format': '%H:%M'}, {'name': 'secret', 'hidden': True},"
            " {'name': 'note', 'width': 90}])\n"
            "w.stream([{'id': 1, 'price': 1234567.891, 'share': 0.1234, 'at': dt.datetime(2024, 1, 1, 9, 5),"
            " 'secret': 'x', 'note': 'hello'}])\nw",
        ]
    )
    nb.run(0)
    w = nb.widget(0)
    wait_count(w, 1)
    heads = w.locator(".lsw-header .lsw-th-label").all_inner_texts()
    assert heads == ["id", "Price", "share", "at", "note"]
    cells = w.locator('[data-dom-id="items-1"] .lsw-cell').all_inner_texts()
    assert cells == ["1", "1,234,567.89", "12.3%", "09:05", "hello"]
    aligns = w.evaluate(
        """root => [...root.querySelectorAll('[data-dom-id="items-1"] .lsw-cell')]
            .map(c => getComputedStyle(c).textAlign)"""
    )
    assert aligns[:3] == ["right", "center", "right"] and aligns[4] in ("left", "start")
    note = w.locator('.lsw-th[data-column="note"]')
    assert round(note.bounding_box()["width"]) == 90
    grip = note.locator(".lsw-resize").bounding_box()
    x, y = grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2
    nb.page.mouse.move(x, y)
    nb.page.mouse.down()
    nb.page.mouse.move(x + 60, y, steps=4)
    nb.page.mouse.up()
    wait_js(
        w,
        "root => Math.round(root.querySelector('.lsw-th[data-column=\"note\"]')"
        ".getBoundingClientRect().width) === 150",
    )


def test_quickstart_tutorial_runs_in_the_browser(lab):
    import nbformat

    path = pathlib.Path(__file__).resolve().parents[2] / "notebooks" / "quickstart.ipynb"
    cells = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    nb = lab.notebook(cells)
    for i in range(len(cells)):
        nb.run(i)
    w = nb.widget(0)
    wait_count(w, 999)  # live rows at the top with limit=1000 prune the end; one deleted
    assert rendered_ids(w)[0] == "trades-100199"
    assert "UPDATED" in w.locator('[data-dom-id="trades-100199"]').inner_text()
    assert nb.output(len(cells) - 1, all_=True).strip() == "999"
