"""The peers of the kernel-side benchmark: kernel cells for each, appending rows the way its docs
say, in a kernel displayed like a notebook would display it (so that change messages are really
produced and sent on IOPub).

Every cell runs after cells.SETUP, which defines `_batches` (batch > 1: pandas DataFrames
of `batch` rows; batch == 1: one dict per row, `DataFrame.to_dict("records")`), `_BATCH` and
`make_frame`. `ROLL` is the rollover / limit (None: unbounded). The timed body is a loop over
`_batches`; the run ends when the cell has returned and the last message it produced has
reached the benchmark's IOPub drain (bench.run_one).

What each does per batch (also in docs/performance.md, "How measured"):

- Panel `Tabulator.stream(df, rollover=ROLL)` (batch of 1: `stream(row_dict)`, the documented
  "dictionary row" form): Panel concatenates the batch to `Tabulator.value` (a DataFrame: the
  whole table, kept in the kernel; with rollover, its last ROLL rows), then sends a Bokeh
  PATCH-DOC with a `ColumnsStreamed` event (numbers as binary buffers, strings as JSON) plus
  `page`/`max_page`/`cell_styles` changes over its Jupyter comm.
- Bokeh `ColumnDataSource.stream(df, rollover=ROLL)` on a `DataTable` shown with
  `show(table, notebook_handle=True)`, then `push_notebook(handle=...)` (the documented way to
  update a shown document): one PATCH-DOC per batch. The source keeps every row (or the last
  ROLL) in the kernel.
- Perspective (`perspective-python`): a `PerspectiveWidget` over a `perspective.table`
  (`limit=ROLL` for the limited variant), displayed; `widget.update(df)` per batch (batch of 1:
  `update([row_dict])`, its timestamp as epoch ms: records go through JSON). The rows live in
  the kernel's Perspective server; nothing goes on IOPub until a browser viewer connects and
  pulls the rows it shows (no browser here, so its IOPub bytes are ~0 and its rows/s is the
  table update alone, an upper bound).
- ipydatagrid `DataGrid`: its documented way to change rows is assigning a whole new
  DataFrame to `grid.data`, so each batch is `acc = pd.concat([acc, df]); grid.data = acc`,
  which re-serialises every row so far (quadratic: N is capped).
"""

from __future__ import annotations

#: The empty frame every peer starts from (same columns and dtypes as the data).
_EMPTY = "_empty = make_frame(1).iloc[:0]\n"

PANEL_SETUP = (
    _EMPTY
    + """
import panel as pn
from IPython.display import display
pn.extension("tabulator")
_p = pn.widgets.Tabulator(_empty)
display(_p)
# In JupyterLab the displayed view opens Panel's client comm and its on_open handler opens the
# server comm (`comm.init()`); no browser here, so do exactly what that handler does.
for _server_comm, _client_comm in list(_p._comms.values()):
    _server_comm.init()
"""
)

PANEL_RUN = {
    1000: "for _df in _batches:\n    _p.stream(_df, rollover=ROLL)\n",
    1: "for _r in _batches:\n    _p.stream(_r, rollover=ROLL)\n",
}

BOKEH_SETUP = (
    _EMPTY
    + """
from bokeh.io import output_notebook, push_notebook, show
from bokeh.models import ColumnDataSource, DataTable, TableColumn
output_notebook(hide_banner=True)
# From a DataFrame (adds its `index` column) for DataFrame batches; from a dict for row dicts.
_src = ColumnDataSource(_empty if _BATCH > 1 else {c: [] for c in _empty.columns})
_table = DataTable(source=_src, columns=[TableColumn(field=c, title=c) for c in _empty.columns])
_handle = show(_table, notebook_handle=True)
"""
)

BOKEH_RUN = {
    1000: (
        "for _df in _batches:\n"
        "    _src.stream(_df, rollover=ROLL)\n"
        "    push_notebook(handle=_handle)\n"
    ),
    1: (
        "for _r in _batches:\n"
        "    _src.stream({_k: [_v] for _k, _v in _r.items()}, rollover=ROLL)\n"
        "    push_notebook(handle=_handle)\n"
    ),
}

PERSPECTIVE_SETUP = (
    _EMPTY
    + """
import perspective
from perspective.widget import PerspectiveWidget
from IPython.display import display
_pt = perspective.table(_empty, **({"limit": ROLL} if ROLL else {}))
_pw = PerspectiveWidget(_pt)
display(_pw)
"""
)

PERSPECTIVE_RUN = {
    1000: "for _df in _batches:\n    _pw.update(_df)\n_size = _pw.table.size()\n",
    # Records go through JSON: the timestamp is given as epoch milliseconds.
    1: (
        "for _r in _batches:\n"
        "    _pw.update([{**_r, 'ts': _r['ts'].value // 1_000_000}])\n"
        "_size = _pw.table.size()\n"
    ),
}

DATAGRID_SETUP = (
    _EMPTY
    + """
from ipydatagrid import DataGrid
from IPython.display import display
_acc = _empty
_g = DataGrid(_acc)
display(_g)
"""
)

DATAGRID_RUN = {
    1000: (
        "for _df in _batches:\n"
        "    _acc = pd.concat([_acc, _df], ignore_index=True)\n"
        "    _g.data = _acc\n"
    ),
    1: (
        "for _r in _batches:\n"
        "    _acc = pd.concat([_acc, pd.DataFrame([_r])], ignore_index=True)\n"
        "    _g.data = _acc\n"
    ),
}


def _with_roll(setup: str, roll: int | None) -> str:
    return f"ROLL = {roll!r}\n" + setup


#: name -> (setup, {batch: body}); the run ends on the timed cell's last IOPub message.
PEERS = {
    "Panel Tabulator": (_with_roll(PANEL_SETUP, None), PANEL_RUN),
    "Panel Tabulator, rollover=10_000": (_with_roll(PANEL_SETUP, 10_000), PANEL_RUN),
    "Bokeh ColumnDataSource": (_with_roll(BOKEH_SETUP, None), BOKEH_RUN),
    "Bokeh ColumnDataSource, rollover=10_000": (_with_roll(BOKEH_SETUP, 10_000), BOKEH_RUN),
    "Perspective": (_with_roll(PERSPECTIVE_SETUP, None), PERSPECTIVE_RUN),
    "Perspective, limit=10_000": (_with_roll(PERSPECTIVE_SETUP, 10_000), PERSPECTIVE_RUN),
    "ipydatagrid": (_with_roll(DATAGRID_SETUP, None), DATAGRID_RUN),
}

#: Packages each peer needs in the benchmark kernel (`pip install -e '.[bench]'`).
REQUIRES = {
    "Panel Tabulator": "panel",
    "Bokeh ColumnDataSource": "bokeh",
    "Perspective": "perspective",
    "ipydatagrid": "ipydatagrid",
}


def requirement(name: str) -> str:
    return next(mod for prefix, mod in REQUIRES.items() if name.startswith(prefix))
