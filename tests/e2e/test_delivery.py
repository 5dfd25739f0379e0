"""Live feeds in real JupyterLab: bursts, producer threads, and a page reload mid-stream."""

from __future__ import annotations

import pytest

from .harness import data_count, rendered_ids, wait_count, wait_js

pytestmark = pytest.mark.e2e

SETUP = "from livestream_widget import StreamWidget\nimport threading, time\n"


def notices(widget) -> list[str]:
    return widget.locator(".lsw-notice").all_inner_texts()


def test_100k_single_row_inserts_in_one_cell_arrive_in_order(lab):
    nb = lab.notebook(
        [
            SETUP + "w = StreamWidget(height=200)\nw",
            "for i in range(100_000):\n    w.insert({'id': i, 'v': i * 2})",
        ]
    )
    nb.run(0)
    w = nb.widget(0)
    out = nb.run(1, timeout=180_000)
    wait_count(w, 100_000, timeout=60_000)
    assert "IOPub message rate exceeded" not in out + nb.stderr(1)
    # The view may have followed the tail as rows came in (a table that fits follows appends).
    w.locator(".lsw-scroll").evaluate("el => { el.scrollTop = 0; }")
    wait_js(w, "el => el.querySelector('[data-dom-id]')?.dataset.domId === 'items-0'")
    assert rendered_ids(w)[:3] == ["items-0", "items-1", "items-2"]
    w.locator(".lsw-scroll").evaluate("el => { el.scrollTop = el.scrollHeight; }")
    wait_js(
        w, "el => [...el.querySelectorAll('[data-dom-id]')].at(-1)?.dataset.domId === 'items-99999'"
    )
    assert notices(w) == []


def test_a_thread_streams_while_the_user_runs_other_cells(lab):
    nb = lab.notebook(
        [
            SETUP + "w = StreamWidget(height=200)\nw",
            "def produce():\n"
            "    for i in range(150):\n"
            "        w.insert({'id': i})\n"
            "        time.sleep(0.02)\n"
            "t = threading.Thread(target=produce); t.start()",
            "time.sleep(1.5)\nx = 1 + 1",
            "t.join(); print(len(w.comm.comm_id) > 0)",
        ]
    )
    nb.run(0)
    w = nb.widget(0)
    nb.run(1)
    before = nb.start(2)  # another cell keeps the kernel busy
    first = data_count(w)
    grew_while_busy = False
    for _ in range(60):  # bounded poll: rows must arrive while the other cell still runs
        if nb.prompt(2) != "[*]:":
            break
        if data_count(w) >= first + 10:
            grew_while_busy = True
            break
        nb.page.wait_for_timeout(50)
    assert grew_while_busy, (first, data_count(w), nb.prompt(2))
    nb.wait_done(2, before)
    nb.run(3)
    wait_count(w, 150)
    assert notices(w) == []


@pytest.mark.parametrize("with_source", [True, False], ids=["source", "no_source"])
def test_page_reload_mid_stream(lab, with_source):
    source = (
        "replay=lambda: [{'id': i, 'kind': 'replayed'} for i in range(40)]" if with_source else ""
    )
    cells = [
        # follow=False: the view stays at the top, where the replayed rows land, instead of
        # following the live rows appended after them.
        SETUP + f"w = StreamWidget(height=240, follow=False, {source})\nw",
        "stop = threading.Event()\n"
        "def produce():\n"
        "    i = 1000\n"
        "    while not stop.is_set():\n"
        "        w.insert({'id': i, 'kind': 'live'}); i += 1\n"
        "        time.sleep(0.05)\n"
        "threading.Thread(target=produce, daemon=True).start()",
        "w",
        "stop.set()",
    ]
    nb = lab.notebook(cells)
    nb.run(0)
    w = nb.widget(0)
    nb.run(1)
    wait_js(w, "el => Number(el.dataset.count) >= 10")

    nb = lab.reload(len(cells))  # the kernel and the producer thread keep going
    nb.run(2)  # display the widget again in the new page
    w = nb.widget(2)
    if with_source:
        wait_js(w, "el => el.querySelector('[data-dom-id=\"items-0\"]') !== null")
        wait_js(w, "el => Number(el.dataset.count) > 40")  # replayed rows, then live ones
        assert not any("page that is gone" in n for n in notices(w))
    else:
        wait_js(
            w,
            "el => [...el.querySelectorAll('.lsw-notice')].some(n => /page that is gone/.test(n.textContent))",
        )
        wait_js(w, "el => Number(el.dataset.count) > 3")  # live rows keep arriving
    nb.run(3)
    assert data_count(w) > 0


# A busy cell streams 44 MB (uncompressed) at a widget whose resend budget is 4 MiB: ten times
# what the kernel may keep unacknowledged. Every batch records the unacknowledged bytes.
BUSY_BUDGET = 4 * 2**20
BUSY_SETUP = (
    SETUP
    + "import json, numpy as np, pyarrow as pa\n"
    + f"w = StreamWidget(height=200, resend_budget={BUSY_BUDGET}, compression=None)\nw"
)
BUSY_LOOP = """\
sent, unacked = 0, []
for b in range(40):
    t = pa.table({'id': np.arange(b * 25_000, (b + 1) * 25_000),
                  'note': pa.array(['x' * 32] * 25_000)})
    sent += t.nbytes
    w.stream(t)
    unacked.append(w._outbox.nbytes)
paced = w._delivery.acks_reach_busy_cells()
"""
BUSY_REPORT = (
    "print(json.dumps(dict(sent=sent, peak=max(unacked), paced=paced,"
    " overflowed=w._outbox.overflowed, lost=w.lost)))"
)


def put_comms_over_subshells(lab, value: str | None) -> None:
    """Set JupyterLab's "Kernel Comms over subshells" setting (None: back to its default) for
    the pages opened after the call."""
    import json
    import urllib.request

    raw = json.dumps({"commsOverSubshells": value} if value else {})
    req = urllib.request.Request(
        f"{lab.server.url}/lab/api/settings/@jupyterlab/apputils-extension:kernels-settings",
        data=json.dumps({"raw": raw}).encode(),
        method="PUT",
        headers={"Authorization": f"token {lab.server.token}"},
    )
    urllib.request.urlopen(req, timeout=10).read()


def busy_cell(lab) -> dict:
    import json

    nb = lab.notebook([BUSY_SETUP, BUSY_LOOP, BUSY_REPORT])
    nb.run(0)
    w = nb.widget(0)
    w.wait_for()
    nb.run(1, timeout=180_000)
    report = json.loads(nb.run(2))
    wait_count(w, 1_000_000, timeout=120_000)
    w.locator(".lsw-scroll").evaluate("el => { el.scrollTop = el.scrollHeight; }")
    wait_js(
        w,
        "el => [...el.querySelectorAll('[data-dom-id]')].at(-1)?.dataset.domId === 'items-999999'",
    )
    report["notices"] = notices(w)
    return report


def test_a_busy_cell_waits_for_the_page_with_default_settings(lab):
    # JupyterLab's defaults send comm messages on a kernel subshell, so acknowledgements reach
    # the kernel while the loop runs, and the loop waits for the page (livestream_widget/
    # subshells.py): the unacknowledged bytes (what the Jupyter server and the page still have
    # to pass on) stay within the budget, and nothing is dropped for want of room.
    r = busy_cell(lab)
    assert r["sent"] >= 10 * BUSY_BUDGET, r
    assert r["paced"] and r["overflowed"] == 0 and r["peak"] <= BUSY_BUDGET, r
    assert r["lost"] == 0 and r["notices"] == [], r


def test_without_comms_over_subshells_a_busy_cell_outruns_the_page(lab):
    # The setting off: acknowledgements wait behind the cell, so the loop cannot wait for the
    # page (it would wait for nothing); the budget bounds the kernel, and the diffs it dropped
    # (delivered, but no longer resendable) are what the server was left holding.
    put_comms_over_subshells(lab, "disabled")
    try:
        r = busy_cell(lab)
    finally:
        put_comms_over_subshells(lab, None)
    assert not r["paced"] and r["overflowed"] > 0 and r["peak"] <= BUSY_BUDGET, r
    assert r["lost"] == 0 and r["notices"] == [], r
