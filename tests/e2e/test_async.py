"""Async loading end to end (`stream_async`): skeleton rows, the `.lsw-status` footer, Retry
and Cancel, in real JupyterLab + headless Chromium.

Checks read the page: `.lsw[data-status]` (the kernel's async_state.status), the footer line,
`.lsw-skeleton` rows and the real rows (`[data-dom-id]`, `.lsw[data-count]`). Loaders sleep to
make a load last; the tests themselves wait on DOM conditions, not on time (one bounded wait
checks that a cancelled load stays stopped).
"""

from __future__ import annotations

import re

import pytest

from .harness import rendered_ids, wait_count, wait_js

pytestmark = pytest.mark.e2e

SETUP = "from livestream_widget import StreamWidget\nimport time\n"

# One reading of everything the async UI shows, taken in a single task of the page.
SNAPSHOT = """root => {
    const visible = (e) => !!e && e.getClientRects().length > 0;
    const box = (sel) => root.querySelector(sel).getBoundingClientRect().height;
    const status = root.querySelector('.lsw-status');
    return {
        status: root.dataset.status,
        count: Number(root.dataset.count),
        rendered: root.querySelectorAll('[data-dom-id]').length,
        skeleton: [...root.querySelectorAll('.lsw-skeleton')].filter(visible).length,
        empty: visible(root.querySelector('.lsw-empty')),
        footer: status.querySelector('.lsw-status-text').textContent,
        failed: status.classList.contains('lsw-status-failed'),
        cancel: visible(root.querySelector('button.lsw-cancel')),
        retry: visible(root.querySelector('button.lsw-retry')),
        rootHeight: root.getBoundingClientRect().height,
        headerHeight: box('.lsw-header'),
        scrollHeight: box('.lsw-scroll'),
        footerHeight: box('.lsw-status'),
    };
}"""

LOADING = re.compile(r"^Loading… ([\d,]+) rows? loaded")


def snapshot(widget) -> dict:
    return widget.evaluate(SNAPSHOT)


def wait_snapshot(widget, condition: str, timeout: float = 20_000) -> dict:
    """Wait until `condition` (a JS expression over the snapshot `s`) holds; return that
    snapshot, so the checks that follow read the very state that satisfied it."""
    return wait_js(
        widget,
        f"root => {{ const s = ({SNAPSHOT})(root); return ({condition}) ? s : false; }}",
        timeout=timeout,
    )


def loaded(footer: str) -> int:
    m = LOADING.match(footer)
    assert m, f"footer does not say Loading…: {footer!r}"
    return int(m.group(1).replace(",", ""))


def rows_cell(n: int, label: str = "row") -> str:
    return f'[{{"id": i, "label": f"{label} {{i}}"}} for i in range({n})]'


def geometry(s: dict) -> tuple:
    return s["rootHeight"], s["headerHeight"], s["scrollHeight"], s["footerHeight"]


def test_skeleton_while_loading(lab):
    nb = lab.notebook(
        [
            SETUP + "w = StreamWidget(height=300)\nw",
            f"def load():\n    time.sleep(2)\n    return {rows_cell(50)}\nw.stream_async(load)",
            "print(w.async_result.ok, w.async_result.result)",
        ]
    )
    nb.run(0)
    w = nb.widget(0)
    idle = snapshot(w)
    assert idle["status"] == "idle" and idle["footer"] == "0 rows", idle
    assert idle["empty"] and idle["skeleton"] == 0, idle

    nb.run(1)  # returns at once; the loader sleeps 2 s in a worker thread
    s = wait_snapshot(w, "s.status === 'loading' && s.skeleton > 0")
    assert s["skeleton"] == 8, s
    assert s["rendered"] == 0 and not s["empty"], s
    assert loaded(s["footer"]) == 0 and s["cancel"] and not s["retry"], s
    assert geometry(s) == geometry(idle), (s, idle)  # nothing moved
    bar = ".lsw-skeleton-bar"
    assert w.locator(bar).first.evaluate("b => getComputedStyle(b).animationName") == "lsw-pulse"
    w.page.emulate_media(reduced_motion="reduce")
    assert w.locator(bar).first.evaluate("b => getComputedStyle(b).animationName") == "none"
    w.page.emulate_media(reduced_motion="no-preference")

    s = wait_snapshot(w, "s.status === 'ok'")
    assert s["count"] == 50 and s["rendered"] > 0 and s["skeleton"] == 0, s
    assert s["footer"] == "50 rows" and not s["cancel"] and not s["retry"], s
    assert rendered_ids(w)[:2] == ["items-0", "items-1"]
    assert (s["rootHeight"], s["scrollHeight"], s["footerHeight"]) == (
        idle["rootHeight"],
        idle["scrollHeight"],
        idle["footerHeight"],
    ), (s, idle)
    assert nb.run(2) == "True 50\n"


def test_failure_then_retry(lab):
    reason = "ValueError: boom <b>x</b>"
    nb = lab.notebook(
        [
            SETUP + 'w = StreamWidget(height=300, empty_message="Nothing loaded")\n'
            "display(w)\ndisplay(w)",  # two views of one model show the same state
            "calls = 0\n"
            "def load():\n"
            "    global calls\n"
            "    calls += 1\n"
            "    if calls == 1:\n"
            '        raise ValueError("boom <b>x</b>")\n'
            f"    return {rows_cell(20)}\n"
            "w.stream_async(load)",
            "print(w.async_result.ok, calls, w.async_result.failed)",
        ]
    )
    nb.run(0)
    views = [nb.widget(0, 0), nb.widget(0, 1)]
    nb.run(1)
    for w in views:
        s = wait_snapshot(w, "s.status === 'failed'")
        assert s["footer"] == f"Loading failed: {reason}", s  # the markup is shown, not parsed
        assert s["failed"] and s["retry"] and not s["cancel"], s
        assert s["skeleton"] == 0 and s["count"] == 0 and s["empty"], s
        assert w.locator(".lsw-status b").count() == 0
        assert w.locator(".lsw-status").get_attribute("role") == "status"

    views[1].locator("button.lsw-retry").click()  # any view's button drives the one model
    for w in views:
        s = wait_snapshot(w, "s.status === 'ok'")
        assert s["count"] == 20 and s["rendered"] > 0, s
        assert s["footer"] == "20 rows" and not s["failed"] and not s["retry"], s
    assert nb.run(2) == "True 2 None\n"


def test_cancel_stops_the_loader(lab):
    nb = lab.notebook(
        [
            SETUP + "import threading\nw = StreamWidget(height=300)\nw",
            "stopped = threading.Event()\n"
            "def load():\n"
            "    try:\n"
            "        for i in range(100):  # 30 s unless cancelled\n"
            '            yield [{"id": i, "label": f"batch {i}"}]\n'
            "            time.sleep(0.3)\n"
            "    finally:\n"
            "        stopped.set()\n"
            "w.stream_async(load)",
            "print(stopped.wait(5), w.async_result.loading, w.async_result.failed)",
        ]
    )
    nb.run(0)
    w = nb.widget(0)
    nb.run(1)
    s = wait_snapshot(w, "s.status === 'loading' && s.count >= 3 && s.rendered >= 3")
    assert s["cancel"] and s["skeleton"] == 0, s
    assert loaded(s["footer"]) >= 1, s

    w.locator("button.lsw-cancel").click()
    s = wait_snapshot(w, "s.status === 'failed'")
    assert "cancel" in s["footer"].lower() and s["failed"], s
    assert s["retry"] and not s["cancel"], s
    assert s["count"] < 100, s
    at_failure = s["count"]
    # A batch already handed over when the click landed may still arrive; then nothing more.
    w.page.wait_for_timeout(300)
    settled = snapshot(w)["count"]
    assert settled - at_failure <= 1, (at_failure, settled)
    w.page.wait_for_timeout(1000)  # three loader periods: the rows must not grow any more
    after = snapshot(w)
    assert after["count"] == settled and after["status"] == "failed", (settled, after)

    out = nb.run(2)  # the generator's `finally:` ran: its thread is done
    assert re.fullmatch(r"True None cancelled.*\n", out), out


def test_rows_arrive_while_another_cell_runs(lab):
    nb = lab.notebook(
        [
            SETUP + "w = StreamWidget(height=300)\nw",
            "def load():\n"
            "    for b in range(15):\n"
            '        yield [{"id": 3 * b + k, "label": f"batch {b}"} for k in range(3)]\n'
            "        time.sleep(0.2)\n"
            "w.stream_async(load)",
            'time.sleep(3)\nprint("slept")',
        ]
    )
    nb.run(0)
    w = nb.widget(0)
    nb.run(1)
    before = nb.start(2)
    busy = nb.cell(2).element_handle()

    def while_busy(condition):
        """A snapshot taken while cell 2 still shows [*] and `condition` holds."""
        return wait_js(
            w,
            f"""(root, cell) => {{
                const running = cell.querySelector('.jp-InputPrompt').textContent.trim() === '[*]:';
                const s = ({SNAPSHOT})(root);
                return running && s.status === 'loading' && ({condition}) ? s : false;
            }}""",
            arg=busy,
            timeout=10_000,
        )

    early = while_busy("s.count >= 3 && /^Loading… [1-9]/.test(s.footer)")
    later = while_busy(
        f"s.count >= {early['count'] + 3} && "
        f"Number(s.footer.match(/^Loading… ([\\d,]+)/)[1].replace(/,/g, '')) > {loaded(early['footer'])}"
    )
    assert early["count"] < later["count"] < 45, (early, later)
    assert loaded(early["footer"]) < loaded(later["footer"]), (early, later)
    assert later["rendered"] > 0 and later["skeleton"] == 0, later  # rows show as they come
    nb.wait_done(2, before)
    assert nb.output(2) == "slept\n"
    s = wait_snapshot(w, "s.status === 'ok'")
    assert s["count"] == 45 and s["footer"] == "45 rows", s


def test_reset_hides_rows_behind_skeleton(lab):
    nb = lab.notebook(
        [
            SETUP + "w = StreamWidget(height=300)\nw",
            "n = 0\n"
            "def slow():\n"
            "    global n\n"
            "    n += 1\n"
            "    time.sleep(1.5)\n"
            '    return [{"id": i, "label": f"load {n}"} for i in range(10)]\n'
            "w.stream_async(slow)",
            "w.stream_async(slow, reset=False)",
            "w.stream_async(slow, reset=True)",
        ]
    )
    nb.run(0)
    w = nb.widget(0)
    nb.run(1)
    first = wait_snapshot(w, "s.status === 'ok' && s.count === 10")
    assert first["footer"] == "10 rows", first

    nb.run(2)  # a result is shown and no reset: the rows stay, the footer says Loading…
    s = wait_snapshot(w, "s.status === 'loading'")
    assert s["skeleton"] == 0 and s["rendered"] == 10 and s["count"] == 10, s
    assert loaded(s["footer"]) == 0 and s["cancel"], s
    s = wait_snapshot(w, "s.status === 'ok'")
    wait_js(
        w, "root => root.querySelector('[data-dom-id=\"items-0\"]')?.textContent.includes('load 2')"
    )
    assert s["footer"] == "10 rows" and s["skeleton"] == 0, s

    nb.run(3)  # reset=True: the shown rows hide behind the skeleton until the result
    s = wait_snapshot(w, "s.status === 'loading'")
    assert s["skeleton"] == 8 and s["rendered"] == 0 and not s["empty"], s
    assert s["count"] == 10, s  # hidden, not deleted: the loader decides whether rows reset
    assert loaded(s["footer"]) == 0 and s["cancel"], s
    assert geometry(s) == geometry(first), (s, first)
    s = wait_snapshot(w, "s.status === 'ok' && s.rendered === 10")
    wait_js(
        w, "root => root.querySelector('[data-dom-id=\"items-0\"]')?.textContent.includes('load 3')"
    )
    assert s["skeleton"] == 0 and s["footer"] == "10 rows", s
    wait_count(w, 10)
