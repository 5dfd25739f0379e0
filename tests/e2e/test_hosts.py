"""StreamWidget end to end in the hosts other than JupyterLab: Notebook 7 and marimo.

Real servers, real kernels, the session's headless Chromium (hosts.py). Each test checks that
rows arrive in the rendered widget (`.lsw[data-count]`, `[data-dom-id]` rows) and that the
user's events reach Python. What each host does differently is in docs/hosts.md.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from collections.abc import Iterator

import pytest

from .harness import (
    Lab,
    free_port,
    rendered_ids,
    wait_count,
    wait_js,
    wait_rows,
    write_lab_settings,
)
from .hosts import (
    NOTEBOOK7_LOAD_ERROR,
    MarimoPage,
    MarimoServer,
    NotebookServer,
    PageErrors,
    check_host,
    notebook7,
    started,
)

pytestmark = pytest.mark.e2e

SETUP = "from livestream_widget import StreamWidget\nimport pandas as pd\n"


def ids(*keys, name="items"):
    return [f"{name}-{k}" for k in keys]


def wait_row_text(w, dom_id: str, text: str) -> None:
    wait_js(
        w,
        """(root, [id, text]) => [...root.querySelectorAll('[data-dom-id]')]
            .some(r => r.dataset.domId === id && r.textContent.includes(text))""",
        [dom_id, text],
    )


def notices(w) -> list[str]:
    return w.locator(".lsw-notice").all_inner_texts()


@contextlib.contextmanager
def host_page(request, e2e_env, server, problem: str | None, tolerated: str | None = None):
    """A new page of the session's Chromium; on failure, the host's log tail and a screenshot
    are printed with the test's report. Uncaught page errors fail the test (but `tolerated`)."""
    if problem or e2e_env.problem:
        yield None, problem or e2e_env.problem
        return
    page = e2e_env.context.new_page()
    errors = PageErrors(page, request.node)
    failed_before = request.session.testsfailed
    try:
        yield page, None
    finally:
        if request.session.testsfailed > failed_before:
            shot = server.log_path.parent / f"failure-{request.node.name}.png"
            with contextlib.suppress(Exception):
                page.screenshot(path=str(shot), full_page=True)
                print(f"screenshot of the failing page: {shot}")
            print(f"--- {server.log_path} (last lines) ---\n{server.log_tail()}")
        with contextlib.suppress(Exception):
            page.close()
    errors.check(tolerated)


# -- Notebook 7 -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def notebook_server(e2e_env, tmp_path_factory) -> Iterator[tuple[NotebookServer, str | None]]:
    base = tmp_path_factory.mktemp("notebook7")
    (base / "root").mkdir()
    server = NotebookServer(
        root=base / "root",
        log_path=base / "notebook.log",
        port=free_port(),
        token=secrets.token_hex(16),
    )

    def start():
        check_host("notebook", "7")
        write_lab_settings(base / "user-settings")  # no cell windowing, light theme, no news
        server.start(base / "user-settings", base / "workspaces", base)

    with started(server, start) as problem:
        yield server, problem


@pytest.fixture
def nb7(request, e2e_env, notebook_server) -> Iterator[Lab]:
    """harness.Lab on Notebook 7: `nb7.notebook(cells)` opens a new notebook there."""
    server, problem = notebook_server
    with host_page(request, e2e_env, server, problem, NOTEBOOK7_LOAD_ERROR) as (page, problem):
        if problem:
            yield Lab(None, None, request.node.name, problem=f"Notebook 7: {problem}")
            return
        try:
            yield notebook7(page, server, request.node.name)
        finally:
            server.shutdown_sessions()


def test_notebook7_rows(nb7):
    nb = nb7.notebook(
        [
            SETUP + "w = StreamWidget(height=300)\nw",
            "w.stream(pd.DataFrame({'id': range(1, 6), 'label': [f'row {i}' for i in range(1, 6)]}))",
            "w.insert({'id': 0, 'label': 'zero'}, at=0, limit=5)",
            "w.insert({'id': 3, 'label': 'three, updated'})",
            "w.delete_by_dom_id('items-2')",
            "w.stream(pd.DataFrame({'id': range(100, 2100), 'label': 'bulk'}), at=0, limit=1000)",
        ]
    )
    nb.run(0)
    w = nb.widget(0)
    wait_count(w, 0)
    nb.run(1)
    wait_rows(w, ids(1, 2, 3, 4, 5))
    nb.run(2)  # prepended; the limit keeps the first 5, so row 5 goes
    wait_rows(w, ids(0, 1, 2, 3, 4))
    nb.run(3)  # a known dom id: updated in place
    wait_row_text(w, "items-3", "three, updated")
    wait_rows(w, ids(0, 1, 2, 3, 4))
    nb.run(4)
    wait_rows(w, ids(0, 1, 3, 4))
    nb.run(5)  # 2000 rows, each put first, the first 1000 kept: 2099 down to 1100
    wait_count(w, 1000)
    assert rendered_ids(w)[:3] == ids(2099, 2098, 2097)
    assert notices(w) == []


def test_notebook7_events_reach_python(nb7):
    nb = nb7.notebook(
        [
            SETUP + "w = StreamWidget(height=450)\n"
            "clicks = []\n"
            "w.on_click(lambda *a: clicks.append(a))\n"
            "w.stream([{'id': i, 'name': f'n{i}', 'score': (i * 7) % 10} for i in range(12)])\nw",
            "import json; print(json.dumps([clicks, w.selected, w.sort]))",
            "w.selected = ['items-9']",
        ]
    )

    def python_state():
        return json.loads(nb.run(1).strip().splitlines()[-1])

    nb.run(0)
    w = nb.widget(0)
    wait_count(w, 12)
    w.locator('[data-dom-id="items-2"] [data-col="2"]').click()
    w.locator('[data-dom-id="items-4"] [data-col="1"]').click(modifiers=["Shift"])
    assert python_state() == [
        [["items-2", "score", 4], ["items-4", "name", "n4"]],
        ["items-2", "items-3", "items-4"],
        None,
    ]
    header = w.locator('.lsw-th[data-column="score"]')
    header.click()
    header.click()
    # scores: 0 7 4 1 8 5 2 9 6 3 0 7 (ids 0..11), descending, ties in stream order
    wait_rows(w, ids(7, 4, 1, 11, 8, 5, 2, 9, 6, 3, 0, 10))
    assert python_state()[2] == {"column": "score", "descending": True}
    nb.run(2)  # and back: Python selects, the browser shows it
    wait_js(
        w,
        """root => JSON.stringify([...root.querySelectorAll('[aria-selected="true"]')]
                 .map(r => r.dataset.domId)) === '["items-9"]'""",
    )


# -- marimo -----------------------------------------------------------------------------------

# The app: `table` wraps the widget; the "next step" button re-runs the cell that sends the
# next batch of ops (as later cells would in a notebook); `state` re-runs whenever the widget's
# synced traits change in the browser and shows the Python side; clicks go to a file.
MARIMO_APP = """
import marimo

app = marimo.App()


@app.cell
def _():
    import json, pathlib
    import marimo as mo
    import pandas as pd
    from livestream_widget import StreamWidget

    CLICKS = pathlib.Path(@CLICKS@)
    return CLICKS, StreamWidget, json, mo, pd


@app.cell
def _(CLICKS, StreamWidget, json, mo):
    w = StreamWidget(height=300)

    @w.on_click
    def record(dom_id, column, value):
        with CLICKS.open("a") as f:
            f.write(json.dumps([dom_id, column, value]) + "\\n")

    table = mo.ui.anywidget(w)
    table
    return table, w


@app.cell
def _(mo):
    step = mo.ui.button(value=0, on_click=lambda n: n + 1, label="next step")
    step
    return (step,)


@app.cell
def _(mo, pd, step, w):
    if step.value == 1:
        w.stream(pd.DataFrame({"id": range(3000), "v": [i * 0.5 for i in range(3000)]}))
    elif step.value == 2:
        w.insert({"id": 3000, "v": -1.0}, at=0, limit=3000)
    elif step.value == 3:
        w.insert({"id": 5, "v": 55.5})
    elif step.value == 4:
        w.delete_by_dom_id("items-1")
    mo.Html(f'<span class="step-done">{step.value}</span>')
    return


@app.cell
def _(json, mo, table, w):
    table.value  # a dependency: marimo re-runs this cell when the browser changes the widget
    mo.Html(f'<pre class="py-state">{json.dumps({"selected": w.selected, "sort": w.sort})}</pre>')
    return


@app.cell
def _(StreamWidget, mo, pd):
    # Rows streamed in the cell that creates the widget leave before marimo has rendered it.
    rows = pd.DataFrame({"id": range(2000), "v": 1.0})
    early = StreamWidget(name="early", height=150)
    early.stream(rows)
    replayed = StreamWidget(name="replayed", height=150, replay=lambda: rows)
    replayed.stream(rows)
    mo.vstack([mo.ui.anywidget(early), mo.ui.anywidget(replayed), mo.Html('<i class="app-ran"></i>')])
    return


if __name__ == "__main__":
    app.run()
"""


@pytest.fixture(scope="module")
def marimo_server(e2e_env, tmp_path_factory) -> Iterator[tuple[MarimoServer, str | None]]:
    base = tmp_path_factory.mktemp("marimo")
    app = base / "app" / "stream_app.py"
    app.parent.mkdir()
    app.write_text(MARIMO_APP.replace("@CLICKS@", repr(str(base / "clicks.jsonl"))))
    server = MarimoServer(app=app, log_path=base / "marimo.log", port=free_port())

    def start():
        check_host("marimo", "0.25")
        server.start(base)

    with started(server, start) as problem:
        yield server, problem


@pytest.fixture
def marimo(request, e2e_env, marimo_server) -> Iterator[MarimoPage]:
    """A new session of the app above, loaded and run."""
    server, problem = marimo_server
    with host_page(request, e2e_env, server, problem) as (page, problem):
        yield MarimoPage(page, server, problem)


def open_app(marimo: MarimoPage) -> None:
    marimo.open(ready=".app-ran")  # the last cell's output: every cell has run


def test_marimo_rows_and_events(marimo):
    open_app(marimo)
    w = marimo.widget(0)
    marimo.wait_text(".step-done", "t => t === '0'")
    wait_count(w, 0)

    def step(n: int) -> None:
        marimo.page.get_by_role("button", name="next step").click()
        marimo.wait_text(".step-done", f"t => t === '{n}'")

    step(1)  # 3000 rows from a DataFrame
    wait_count(w, 3000)
    assert rendered_ids(w)[:3] == ids(0, 1, 2)
    step(2)  # prepended; the limit keeps the first 3000, so the last row goes
    wait_js(w, "root => root.querySelector('[data-dom-id]').dataset.domId === 'items-3000'")
    assert w.get_attribute("data-count") == "3000"
    step(3)  # updated in place
    wait_row_text(w, "items-5", "55.5")
    step(4)
    wait_count(w, 2999)
    assert rendered_ids(w)[:4] == ids(3000, 0, 2, 3)
    w.locator(".lsw-scroll").evaluate("el => { el.scrollTop = el.scrollHeight; }")
    wait_js(
        w,
        "root => [...root.querySelectorAll('[data-dom-id]')].at(-1).dataset.domId === 'items-2998'",
    )
    w.locator(".lsw-scroll").evaluate("el => { el.scrollTop = 0; }")
    assert notices(w) == []

    # Events: a click calls the on_click handler, the selection and the sort sync to Python.
    clicks = marimo.server.log_path.parent / "clicks.jsonl"
    w.locator('[data-dom-id="items-2"] [data-col="1"]').click()
    w.locator('[data-dom-id="items-4"] [data-col="0"]').click(modifiers=["Shift"])
    state = marimo.wait_text(".py-state", "t => JSON.parse(t).selected.length === 3")
    assert json.loads(state)["selected"] == ids(2, 3, 4)
    recorded = [json.loads(line) for line in clicks.read_text().splitlines()]
    assert recorded == [["items-2", "v", 1.0], ["items-4", "id", 4]]
    w.locator('.lsw-th[data-column="v"]').click()
    state = marimo.wait_text(".py-state", "t => JSON.parse(t).sort !== null")
    assert json.loads(state)["sort"] == {"column": "v", "descending": False}
    wait_js(w, "root => root.querySelector('[data-dom-id]').dataset.domId === 'items-3000'")
    assert rendered_ids(w)[:3] == ids(3000, 0, 2)  # v: -1.0, 0.0, 1.0


def test_marimo_rows_sent_before_the_view_exists(marimo):
    """marimo starts a widget's front end only when its view renders: rows sent before that
    reach it all the same (the kernel keeps them for the first front end)."""
    open_app(marimo)
    early, replayed = marimo.widget(1), marimo.widget(2)
    # The kernel kept the diffs sent before any front end existed (up to 8 MiB) and resends
    # them to the first one; `replay=` is not needed for that.
    for w, name in ((early, "early"), (replayed, "replayed")):
        wait_count(w, 2000)
        assert rendered_ids(w)[:2] == ids(0, 1, name=name)
        assert notices(w) == []
