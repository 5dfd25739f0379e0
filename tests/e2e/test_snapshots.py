"""Snapshots from a live page, in real JupyterLab + Chromium: once its stream is quiet the page
sends the kernel its first rows; after a reload (no replay=) the table shows that snapshot
with its notice, and `count` says the new page holds no live row."""

from __future__ import annotations

import json

import pytest

from .harness import data_count, wait_count, wait_js

pytestmark = pytest.mark.e2e

SETUP = "from livestream_widget import StreamWidget\nimport json, time\n"


def test_reload_shows_the_last_snapshot_and_count_tells_the_truth(lab):
    cells = [
        SETUP + "w = StreamWidget(height=240, snapshot_rows=25)\n"
        "w.stream([{'id': i, 'v': f'row {i}'} for i in range(30)])\nw",
        "print(json.dumps([w.snapshot_info, len(w._snapshot), w.count]))",
        "w",
    ]
    nb = lab.notebook(cells)
    nb.run(0)
    w = nb.widget(0)
    wait_count(w, 30)
    info = None
    for _ in range(60):  # the page sends its snapshot ~1 s after the stream went quiet
        info = json.loads(nb.run(1).strip().splitlines()[-1])
        if info[0].get("rows") == 25:
            break
    assert info[0] == {"rows": 25, "total": 30, "partial": False} and info[1] > 0

    nb = lab.reload(len(cells))
    nb.run(2)
    w = nb.widget(2)
    wait_js(w, "el => el.querySelectorAll('[data-dom-id]').length > 0")
    notice = w.evaluate(
        "el => [...el.querySelectorAll('.lsw-notice')].map(n => n.textContent).join(' | ')"
    )
    assert "Snapshot of the first 25 of 30 rows" in notice
    assert data_count(w) == 25
    assert (
        w.evaluate(
            'el => el.querySelector(\'[data-dom-id="items-0"] .lsw-cell[data-col="1"]\').textContent'
        )
        == "row 0"
    )
    count = json.loads(nb.run(1).strip().splitlines()[-1])[2]
    assert count == 0  # the reloaded page holds no live row
