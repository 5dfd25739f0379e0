"""Every trait a StreamWidget syncs with the browser, declared and documented in one place.

Only declarations and their validators live here (no behaviour, no private state): the widget
(widget.py) and the parts it owns read and set these traits.
"""

from __future__ import annotations

import pathlib

import anywidget
import traitlets as t

from .columns import check_column_options

_STATIC = pathlib.Path(__file__).parent / "static"

#: What `async_state` says before any load.
IDLE_STATE = {
    "status": "idle",
    "ok": False,
    "loading": False,
    "skeleton": False,
    "failed": None,
    "rows": 0,
    "can_retry": False,
    "total": None,
    "rate": None,
    "progress": True,
}


class StreamTraits(anywidget.AnyWidget):
    """The synced state of a StreamWidget (see StreamWidget for the behaviour)."""

    _esm = _STATIC / "widget.js"
    _css = _STATIC / "widget.css"

    #: str, default "items". Stream name; prefix of default dom ids (`f"{name}-{key}"`).
    name = t.Unicode("items", read_only=True).tag(sync=True)
    #: str, default "id". Column (or dict field, or DataFrame index name) identifying a row.
    key = t.Unicode("id", read_only=True)
    #: list[str] | None, default None. Columns shown, in order. None: the first batch's columns
    #: (and later batches may not add columns). Given: extra columns of a batch are dropped and
    #: missing ones shown as null. Set by the widget to the columns in use after the first batch.
    columns = t.List(t.Unicode(), allow_none=True, default_value=None).tag(sync=True)
    #: str, default "400px". Table height: an int means pixels, a str is any CSS length.
    height = t.Union([t.Unicode(), t.Int(), t.Float()], default_value="400px").tag(sync=True)
    #: str, default "No rows yet". Text shown while the browser holds no row.
    empty_message = t.Unicode("No rows yet").tag(sync=True)
    #: int, read-only. Rows the browser holds, as its latest report says: each front end (a
    #: page; its views share one store) reports after every diff it applies and when it starts,
    #: and the latest report from any front end wins, so after a page reload it is what the
    #: new page holds. It lags calls by a round trip and is 0 until a front end reports.
    count = t.Int(0, read_only=True)
    #: int, read-only. Diffs a front end reported missing that could no longer be resent (the
    #: widget then says rows may be missing). Observe it to be told when it happens.
    lost = t.Int(0, read_only=True)

    #: str | None, default "auto". How the row buffers of diffs are compressed on the wire
    #: (Arrow IPC body compression): "auto" compresses with ZSTD a buffer of 8 KiB or more
    #: when that saves at least 20 % of its bytes (a few rows go as they are: no latency
    #: added), once a page reads the diffs (before any front end, as in a notebook run
    #: headless, nothing is compressed); "zstd" or "lz4" compress every buffer (a slow link to
    #: a remote hub); None never compresses (no kernel time spent on it). String columns with
    #: few distinct values go as dictionaries whatever it says. Kernel side only: the browser
    #: reads what arrives. livestream_widget/payload.py has the thresholds.
    compression = t.Enum(["auto", "lz4", "zstd"], default_value="auto", allow_none=True)

    #: int, default 1000. Most rows a snapshot holds: the first rows of the table, saved in the
    #: widget's state so a notebook reopened without its kernel or exported to HTML shows them.
    #: A snapshot puts rows into the .ipynb file: 0 turns snapshots off.
    snapshot_rows = t.Int(1000).tag(sync=True)
    #: int, default 1048576 (1 MiB). Most bytes a snapshot takes (fewer rows if they need more).
    snapshot_bytes = t.Int(2**20).tag(sync=True)
    #: dict, read-only. What the snapshot holds: {"rows": rows in it, "total": rows the table
    #: held, "partial": True when more was streamed than the kernel could account for}; {} when
    #: there is none.
    snapshot_info = t.Dict(default_value={}).tag(sync=True)
    #: The snapshot's rows: one Arrow IPC stream (`__dom_id` and the row values), or b"".
    _snapshot = t.Bytes(b"").tag(sync=True)

    #: dict, read-only in practice. The front end's view of `async_result`: `status` ("idle",
    #: "loading", "ok", "failed"), `ok`, `loading`, `skeleton` (hide the rows behind skeleton
    #: rows until the result arrives: `stream_async(reset=True)`), `failed` (short reason or
    #: None), `rows` (rows streamed by the current or last load),
    #: `can_retry` (a loader exists that the Retry button would run again), `total` (rows the
    #: load streams in all, when known), `rate` (rows per second lately, while loading) and
    #: `progress` (False: no row counts are sent while the load runs).
    async_state = t.Dict(default_value=IDLE_STATE).tag(sync=True)

    #: list[str], default []. Dom ids of the selected rows, in the order they were selected.
    #: Synced both ways: set it to select rows from Python.
    selected = t.List(t.Unicode(), default_value=[]).tag(sync=True)
    #: str, default "multiple". "none", "single" or "multiple" (shift / ctrl / cmd and arrow
    #: keys extend the selection).
    selection = t.Enum(["none", "single", "multiple"], default_value="multiple").tag(sync=True)
    #: dict | None, default None. The sort the user sees: {"column": name, "descending": bool},
    #: or None for stream order. Set by header clicks; set it to sort from Python.
    sort = t.Dict(allow_none=True, default_value=None).tag(sync=True)
    #: str, default "". The filter text the user typed (rows whose shown text contains it, in
    #: any visible column, case-insensitive). Set it to filter from Python.
    filter = t.Unicode("").tag(sync=True)
    #: bool, default True. Show the filter box above the table.
    filter_box = t.Bool(True).tag(sync=True)
    #: bool, default True. Show the export buttons above the table: download the rows shown
    #: (sort and filter applied, values raw) as `<name>.csv` or `<name>.arrow`, and copy the
    #: selected rows as tab-separated text (Ctrl/Cmd+C on the table does too).
    export_buttons = t.Bool(True).tag(sync=True)
    #: bool, default True. Show a live summary under each column header, over every row the
    #: browser holds (those passing the filter, when one is set), kept current as rows come and
    #: go: numbers get a sparkline of the last rows in display order (min, mean and max on
    #: hover), times their first and last, strings the most frequent values with counts; every
    #: column its nulls. Off for one column with `column_options={name: {"summary": False}}`.
    #: Browser side only: nothing more is sent.
    summaries = t.Bool(True).tag(sync=True)
    #: bool, default True. Follow the tail: while the view is at the last row, appended rows
    #: keep it there; scrolled away, a "N new rows" badge jumps back.
    follow = t.Bool(True).tag(sync=True)
    #: bool, default True. Briefly highlight rows updated in place.
    highlight_updates = t.Bool(True).tag(sync=True)
    #: list[str], default []. A button per row for each name (e.g. ["delete"]); a press calls
    #: the handlers registered with `on_action(name)`.
    actions = t.List(t.Unicode(), default_value=[]).tag(sync=True)
    #: dict[str, dict], default {}. Display options by column name: label, width (px), format
    #: (',.2f', '.1%', 'd', or strftime such as '%H:%M:%S'), align, hidden, timezone (zoned
    #: times show in their own zone with the offset; "UTC" shows them in UTC, marked, and a
    #: zone name such as "Asia/Tokyo" in that zone), summary (False: no summary for the
    #: column, see `summaries`). `columns=` dicts fill it.
    column_options = t.Dict(default_value={}).tag(sync=True)
    #: str | None, default None. Render each row as a card from this template instead of a
    #: table row: markup (yours, trusted) with `{column}` placeholders, each replaced by the
    #: row's value as text (values never become markup).
    template = t.Unicode(None, allow_none=True).tag(sync=True)
    #: int | None, default None. Row (or card) height in pixels; None: 28 for a table, 64 for
    #: a template.
    row_height = t.Int(None, allow_none=True).tag(sync=True)
    #: dict, read-only in practice. What `paginate` shows at each edge: {"top": s, "bottom": s},
    #: s one of "" (nothing), "loading", "end".
    edges = t.Dict(default_value={"top": "", "bottom": ""}).tag(sync=True)
    #: The edges ("top", "bottom") with a handler: the browser reports only those.
    _viewport_handlers = t.List(t.Unicode(), default_value=[]).tag(sync=True)

    @t.validate("height")
    def _valid_height(self, proposal: dict) -> str:
        value = proposal["value"]
        return f"{value}px" if isinstance(value, int | float) else str(value)

    @t.validate("sort")
    def _valid_sort(self, proposal: dict) -> dict | None:
        value = proposal["value"]
        if value is None:
            return None
        if set(value) - {"column", "descending"} or not isinstance(value.get("column"), str):
            raise t.TraitError(
                f'sort must be None or {{"column": name, "descending": bool}}, not {value!r}'
            )
        return {"column": value["column"], "descending": bool(value.get("descending", False))}

    @t.validate("column_options")
    def _valid_column_options(self, proposal: dict) -> dict:
        return {name: check_column_options(name, o) for name, o in proposal["value"].items()}

    @t.validate("row_height")
    def _valid_row_height(self, proposal: dict) -> int | None:
        value = proposal["value"]
        if value is not None and not 12 <= value <= 1000:
            raise t.TraitError(f"row_height must be between 12 and 1000 pixels, not {value}")
        return value
