"""Values shown as they are, in real JupyterLab + Chromium: zoned times in their zone (and in
UTC when the column asks), durations, NaN apart from null, multi-line text marked with the
full text on hover, and each cell's text direction isolated (a screenshot goes to
test-results/values.png for a person to look at)."""

from __future__ import annotations

import pathlib

import pytest

from .harness import wait_count

pytestmark = pytest.mark.e2e

CELL = """
import datetime as dt, zoneinfo
import pandas as pd
from livestream_widget import StreamWidget
paris = zoneinfo.ZoneInfo('Europe/Paris')
w = StreamWidget(height=260, column_options={'utc': {'timezone': 'UTC'}})
w.stream([
    {'id': 1, 'at': dt.datetime(2024, 6, 1, tzinfo=paris), 'utc': dt.datetime(2024, 6, 1, tzinfo=paris),
     'took': pd.Timedelta('1 day 2 hours'), 'x': float('nan'), 'note': 'first line\\nsecond line',
     'name': '\\u05e9\\u05dc\\u05d5\\u05dd 42'},
    {'id': 2, 'at': pd.Timestamp('2024-01-15 08:30:00.000000001', tz='Europe/Paris'), 'utc': None,
     'took': pd.Timedelta(1, 'ns'), 'x': None, 'note': '\\u202etxt.exe', 'name': 'abc'},
])
w.insert({'id': 3, 'x': 2})  # an int after floats: shown as the number it is
w
"""


def cells(widget, row: int) -> dict:
    return widget.evaluate(
        """(root, row) => {
            const names = [...root.querySelectorAll('.lsw-header .lsw-th')].map(c => c.dataset.column);
            const r = root.querySelector(`.lsw-rows .lsw-row[aria-rowindex="${row + 1}"]`);
            const out = {};
            [...r.querySelectorAll('.lsw-cell')].forEach((c, i) => {
                out[names[i]] = {text: c.textContent, title: c.title, isNull: c.classList.contains('lsw-null'),
                                 bidi: getComputedStyle(c).unicodeBidi};
            });
            return out;
        }""",
        row,
    )


def test_values_are_shown_as_they_are(lab):
    nb = lab.notebook([CELL])
    nb.run(0)
    w = nb.widget(0)
    wait_count(w, 3)
    first, second, third = cells(w, 0), cells(w, 1), cells(w, 2)
    assert first["at"]["text"] == "2024-06-01 00:00:00+02:00"  # not 31 May 22:00
    assert first["utc"]["text"] == "2024-05-31 22:00:00 UTC"
    assert second["at"]["text"] == "2024-01-15 08:30:00.000000001+01:00"
    assert first["took"]["text"] == "1 day 02:00:00"
    assert second["took"]["text"] == "00:00:00.000000001"
    assert first["x"]["text"] == "NaN" and not first["x"]["isNull"]
    assert second["x"]["isNull"] and second["x"]["text"] == "null"
    assert third["x"]["title"] == "2"
    assert first["note"]["text"] == "first line ↵ second line"
    assert first["note"]["title"] == "first line\nsecond line"
    assert second["note"]["text"] == "⟨U+202E⟩txt.exe"  # the override cannot reverse it
    assert {c["bidi"] for c in first.values()} == {"plaintext"}
    # A right-to-left value takes its direction from its own letters, in its own cell.
    assert (
        first["name"]["text"] == "\u05e9\u05dc\u05d5\u05dd 42"
        and first["name"]["bidi"] == "plaintext"
    )
    out = pathlib.Path("test-results")
    out.mkdir(exist_ok=True)
    w.screenshot(path=str(out / "values.png"))
