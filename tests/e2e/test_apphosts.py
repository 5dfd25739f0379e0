"""StreamWidget end to end in the app hosts: Voilà and Solara.

Real servers, real kernels, the session's headless Chromium (apphosts.py). As in
test_hosts.py, each test checks that rows arrive in the rendered widget (`.lsw[data-count]`,
`[data-dom-id]` rows) and that a click on a cell reaches Python. What each host does
differently is in docs/hosts.md.
"""

from __future__ import annotations

import contextlib
import json
import pathlib
from collections.abc import Iterator

import nbformat
import pytest

from .apphosts import AppPage, SolaraServer, VoilaServer
from .harness import REPO, free_port, rendered_ids, wait_count, wait_js, wait_rows
from .hosts import check_host, started
from .test_hosts import host_page, ids, notices, wait_row_text

pytestmark = pytest.mark.e2e

APPS = REPO / "tests" / "e2e" / "apps"

# Live rows replaced the snapshot the executed notebook saved (Voilà runs every cell before the
# page exists, so each widget first shows that snapshot, with a notice, until its rows arrive).
LIVE = "(root, n) => root.dataset.count === String(n) && root.querySelector('.lsw-notice') === null"


def live(w, n: int) -> None:
    wait_js(w, LIVE, n)


def scroll(w, where: str) -> None:
    w.locator(".lsw-scroll").evaluate(f"el => {{ el.scrollTop = {where}; }}")


def wait_ends(w, first: str, last: str) -> None:
    """The view's first row is `first` and its last `last` (scrolled to each end, then back)."""
    for where, nth, expected in (("0", "0", first), ("el.scrollHeight", "-1", last)):
        scroll(w, where)
        try:
            wait_js(
                w,
                f"""(root, id) => [...root.querySelectorAll('[data-dom-id]')]
                    .at({nth})?.dataset.domId === id""",
                expected,
            )
        except Exception:
            raise AssertionError(f"row {nth} never became {expected}: {rendered_ids(w)}") from None
    scroll(w, "0")


# -- Voilà ------------------------------------------------------------------------------------

# A notebook whose click handler writes what it got to a file and prepends a row, so that the
# test sees both Python receiving the click and a row sent after the page is up.
CLICK_NOTEBOOK = """\
import json, pathlib
from livestream_widget import StreamWidget

CLICKS = pathlib.Path(@CLICKS@)
w = StreamWidget(height=300)
w.stream([{"id": i, "name": f"n{i}", "score": (i * 7) % 10} for i in range(5)])


@w.on_click
def record(dom_id, column, value):
    with CLICKS.open("a") as f:
        f.write(json.dumps([dom_id, column, value]) + "\\n")
    w.insert({"id": 100, "name": f"clicked {dom_id}", "score": -1}, at=0, limit=5)


w"""


@pytest.fixture(scope="module")
def voila_servers(e2e_env, tmp_path_factory) -> Iterator[tuple[dict, str | None]]:
    """`voila notebooks/live_feed.ipynb` (the tutorial, as a user runs it) and `voila click.ipynb`."""
    base = tmp_path_factory.mktemp("voila")
    click = base / "click" / "click.ipynb"
    click.parent.mkdir()
    source = CLICK_NOTEBOOK.replace("@CLICKS@", repr(str(base / "clicks.jsonl")))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, click)
    servers = {
        "feed": VoilaServer(
            app=pathlib.Path("notebooks/live_feed.ipynb"),  # as typed from the checkout
            root=REPO,
            log_path=base / "voila-feed.log",
            port=free_port(),
        ),
        "click": VoilaServer(
            app=click, root=click.parent, log_path=base / "voila-click.log", port=free_port()
        ),
    }

    class Both:  # what started() stops: both servers, whichever started
        @staticmethod
        def stop() -> None:
            for server in servers.values():
                server.stop()

    def start():
        check_host("voila", "0.5")
        for server in servers.values():
            server.start(base)

    with started(Both, start) as problem:
        yield servers, problem


@pytest.fixture
def voila(request, e2e_env, voila_servers) -> Iterator:
    """`voila("feed")` / `voila("click")`: a new page (a new kernel running the notebook)."""
    servers, problem = voila_servers
    with contextlib.ExitStack() as pages:

        def open_page(name: str) -> AppPage:
            server = servers[name]
            page, why = pages.enter_context(host_page(request, e2e_env, server, problem))
            app = AppPage(page, server, "Voilà", why)
            app.open(ready=".lsw")
            return app

        yield open_page


def test_voila_live_feed(voila):
    """`voila notebooks/live_feed.ipynb`: every table of the tutorial gets its live rows."""
    app = voila("feed")
    metrics, orders, summary, log, ticks = (app.widget(i) for i in range(5))
    live(metrics, 500)  # 600 steps, limit=-500 keeps the last 500
    wait_ends(metrics, "step-100", "step-599")
    live(orders, 300)  # 500 orders, limit=-300; their column summaries cover all 300
    wait_js(
        orders, "root => root.querySelector('[data-summary=\"symbol\"]')?.dataset.rows === '300'"
    )
    live(summary, 3)  # 300 updates in place of 3 rows
    wait_rows(summary, ["epoch-0", "epoch-1", "epoch-2"])
    for epoch in range(3):
        steps = summary.locator(f'[data-dom-id="epoch-{epoch}"] [data-col="2"]')
        assert steps.text_content().strip() == "100"
    live(log, 5)  # newest first: at=0
    wait_rows(log, ids(4, 3, 2, 1, 0, name="msg"))
    assert "<img src=x onerror=alert(1)> is just text" in log.text_content()
    live(ticks, 200)  # from a thread, limit=-200
    wait_ends(ticks, "tick-1800", "tick-1999")
    for w in (metrics, orders, summary, log, ticks):
        assert notices(w) == []


def test_voila_click_reaches_python(voila):
    app = voila("click")
    w = app.widget(0)
    live(w, 5)
    assert rendered_ids(w) == ids(0, 1, 2, 3, 4)
    w.locator('[data-dom-id="items-2"] [data-col="2"]').click()
    # The handler ran in the kernel and sent a row back: prepended, the limit drops the last.
    wait_rows(w, ids(100, 0, 1, 2, 3))
    wait_row_text(w, "items-100", "clicked items-2")
    clicks = app.server.log_path.parent / "clicks.jsonl"
    assert [json.loads(line) for line in clicks.read_text().splitlines()] == [
        ["items-2", "score", 4]
    ]
    assert notices(w) == []


# -- Solara -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def solara_server(e2e_env, tmp_path_factory) -> Iterator[tuple[SolaraServer, str | None]]:
    base = tmp_path_factory.mktemp("solara")
    app = APPS / "solara_app.py"
    server = SolaraServer(app=app, root=app.parent, log_path=base / "solara.log", port=free_port())

    def start():
        check_host("solara", "1.40")
        server.start(base)

    with started(server, start) as problem:
        yield server, problem


@pytest.fixture
def solara(request, e2e_env, solara_server) -> Iterator[AppPage]:
    """A new session of tests/e2e/apps/solara_app.py, loaded."""
    server, problem = solara_server
    with host_page(request, e2e_env, server, problem) as (page, problem):
        yield AppPage(page, server, "Solara", problem)


def test_solara_rows_and_events(solara):
    solara.open(ready=".lsw")
    w = solara.widget(0)
    # 2000 rows streamed while Page rendered, before the view existed: the front end existed.
    wait_count(w, 2000)
    assert rendered_ids(w)[:3] == ids(0, 1, 2)

    def step(n: int) -> None:
        solara.page.get_by_role("button", name="next step").click()
        solara.wait_text(".step-done", f"t => t === '{n}'")

    step(1)  # prepended; the limit keeps the first 2000, so the last row goes
    wait_js(w, "root => root.querySelector('[data-dom-id]').dataset.domId === 'items-2000'")
    assert w.get_attribute("data-count") == "2000"
    step(2)  # updated in place
    wait_row_text(w, "items-5", "55.5")
    step(3)
    wait_count(w, 1999)
    assert rendered_ids(w)[:4] == ids(2000, 0, 2, 3)
    step(4)  # 100 rows appended from a thread
    wait_count(w, 2099)
    wait_ends(w, "items-2000", "items-2100")
    assert notices(w) == []

    w.locator('[data-dom-id="items-2"] [data-col="1"]').click()
    text = solara.wait_text(".py-clicks", "t => JSON.parse(t).length === 1")
    assert json.loads(text) == [["items-2", "v", 1.0]]
