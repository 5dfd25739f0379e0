"""Static HTML exports show every table's snapshot with no kernel and no network.

1. Every tutorial in notebooks/ runs top to bottom with `jupyter nbconvert --execute` (a cell
   error fails it) and is exported to HTML; each page, opened with the network cut
   (offline.py), shows each StreamWidget with the rows of the snapshot its saved state holds.
2. A notebook run in real JupyterLab and saved from its UI (widget state saved, the page's own
   snapshot in it) exports with `nbconvert --to html`, no execution, and shows its rows.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import time

import pytest

from .harness import wait_count
from .offline import NOTEBOOKS, check_page, nbconvert, require_offline, saved_tables

pytestmark = pytest.mark.e2e

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _wait_saved_state(path: pathlib.Path, timeout: float = 30) -> dict:
    """The notebook file once JupyterLab has saved widget state into it."""
    deadline = time.monotonic() + timeout
    while True:
        saved = json.loads(path.read_text())
        if WIDGET_STATE in saved["metadata"].get("widgets", {}):
            return saved
        if time.monotonic() > deadline:
            raise AssertionError(
                f"no widget state in {path.name} {timeout:.0f}s after Ctrl+S (JupyterLab saves "
                "it only with saveState of @jupyter-widgets/jupyterlab-manager:plugin on, "
                "see harness.write_lab_settings)"
            )
        time.sleep(0.1)


def test_every_tutorial_is_exported():
    assert any(p.name == "quickstart.ipynb" for p in NOTEBOOKS)


@pytest.mark.parametrize("name", [p.stem for p in NOTEBOOKS])
def test_exported_tutorial_shows_its_snapshots(name, e2e_env, executed_notebooks):
    require_offline(e2e_env)
    executed = executed_notebooks[name]
    if isinstance(executed, str):
        pytest.fail(f"{name}.ipynb did not run: {executed}", pytrace=False)
    nb = json.loads(executed.read_text())
    errors = [
        o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]
        if o["output_type"] == "error"
    ]  # fmt: skip
    assert not errors, errors
    tables = check_page(e2e_env.context, executed.with_suffix(".html"), f"{name}.html")
    assert tables > 0, f"{name}.html holds no StreamWidget"


def test_notebook_saved_from_jupyterlab_exports_its_snapshot(lab, e2e_env, tmp_path):
    require_offline(e2e_env)
    cells = [
        "from livestream_widget import StreamWidget\nimport json\n"
        "w = StreamWidget(height=240)\n"
        "w.stream([{'id': i, 'v': f'row {i}'} for i in range(40)])\nw",
        "print(json.dumps(w.snapshot_info))",
    ]
    nb = lab.notebook(cells)
    nb.run(0)
    wait_count(nb.widget(0), 40)
    info = {}
    for _ in range(60):  # the page sends its snapshot ~1 s after the stream went quiet
        info = json.loads(nb.run(1).strip().splitlines()[-1])
        if info.get("rows") == 40:
            break
    assert info == {"rows": 40, "total": 40, "partial": False}

    saved_path = lab.server.root / lab._path
    nb.cell(1).locator(".jp-InputPrompt").click()
    lab.page.keyboard.press("Control+s")
    saved = _wait_saved_state(saved_path)

    copy = tmp_path / "saved_from_lab.ipynb"
    copy.write_text(json.dumps(saved))
    try:
        nbconvert(["--to", "html", str(copy)], cwd=tmp_path)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"nbconvert timed out: {e}")
    html = copy.with_suffix(".html")
    [table] = saved_tables(html.read_text())
    assert table.info == {"rows": 40, "total": 40, "partial": False}
    assert table.ids[:3] == ["items-0", "items-1", "items-2"]
    assert check_page(e2e_env.context, html, html.name) == 1
