"""What the user does in the table, for Python: clicks, selection, per-row actions, reaching
the first or last row (infinite scroll), and the sort / filter they chose.

The rows live in the browser, so events carry the row's dom id (and, for clicks, the clicked
value); Python looks up nothing. Browser messages are checked like the others (messages.py): a
bad one is logged and ignored.
"""

from __future__ import annotations

import logging
import numbers
import zoneinfo
from collections.abc import Callable, Sequence
from typing import Any

import traitlets as t

from .pagination import Paginator

log = logging.getLogger(__name__)

#: Per-column display options a `columns=` entry (or `column_options`) may set.
COLUMN_OPTIONS = {"label", "width", "format", "align", "hidden", "timezone"}
_ALIGN = {"left", "right", "center"}


def split_columns(columns: Sequence[str | dict] | None) -> tuple[list[str] | None, dict]:
    """`columns=` entries are names or dicts `{"name": ..., <COLUMN_OPTIONS>}`: return the names
    (which fix the stream's columns) and the options by name."""
    if columns is None:
        return None, {}
    if isinstance(columns, str) or not isinstance(columns, Sequence):
        raise TypeError(f"columns must be a list of column names or dicts, not {columns!r}")
    names, options = [], {}
    for entry in columns:
        if isinstance(entry, str):
            names.append(entry)
        elif isinstance(entry, dict) and isinstance(entry.get("name"), str):
            names.append(entry["name"])
            opts = {k: v for k, v in entry.items() if k != "name"}
            if opts:
                options[entry["name"]] = check_column_options(entry["name"], opts)
        else:
            raise TypeError(
                f"each columns= entry is a name or a dict with a 'name' key, not {entry!r}"
            )
    return names, options


def check_column_options(name: str, opts: Any) -> dict:
    if not isinstance(opts, dict):
        raise TypeError(f"options of column {name!r} must be a dict, not {opts!r}")
    unknown = set(opts) - COLUMN_OPTIONS
    if unknown:
        raise ValueError(
            f"column {name!r}: unknown option(s) {sorted(unknown)}; known: {sorted(COLUMN_OPTIONS)}"
        )
    checks = {
        "label": lambda v: isinstance(v, str),
        "width": lambda v: isinstance(v, int | float) and not isinstance(v, bool) and v > 0,
        "format": lambda v: isinstance(v, str),
        "align": lambda v: v in _ALIGN,
        "hidden": lambda v: isinstance(v, bool),
        "timezone": _is_zone,
    }
    for key, value in opts.items():
        if not checks[key](value):
            raise ValueError(
                f"column {name!r}: bad {key}={value!r} (label: str, width: pixels > 0, "
                "format: e.g. ',.2f', '.1%', 'd' or '%Y-%m-%d %H:%M', align: left/right/center, "
                "hidden: bool, timezone: 'UTC' or a zone name such as 'Asia/Tokyo' to show "
                "zoned times in)"
            )
    return dict(opts)


def _is_zone(value: Any) -> bool:
    """'UTC' or an IANA zone name (the browser shows zoned times there)."""
    if not isinstance(value, str):
        return False
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


class Interaction(t.HasTraits):
    """Mixed into StreamWidget: events and view state the user controls in the browser."""

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
    #: zone name such as "Asia/Tokyo" in that zone). `columns=` dicts fill it.
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

    def _init_interaction(self) -> None:
        self._click_handlers: list[Callable] = []
        self._edge_handlers: dict[str, list[Callable]] = {"top": [], "bottom": []}
        self._action_handlers: dict[str, list[Callable]] = {}

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

    # -- handlers -----------------------------------------------------------------------------

    def on_click(self, fn: Callable[[str, str | None, Any], Any]) -> Callable:
        """Register `fn(dom_id, column, value)`, called when the user clicks a cell. Usable as
        a decorator."""
        self._click_handlers.append(_callable(fn, "on_click"))
        return fn

    def on_viewport_bottom(self, fn: Callable[[str], Any]) -> Callable:
        """Register `fn(dom_id)`, called (at most every ~500 ms) when the user reaches the last
        row; `dom_id` is that row's. For infinite scroll; see also `paginate`."""
        self._edge_handlers["bottom"].append(_callable(fn, "on_viewport_bottom"))
        self._viewport_handlers = sorted({*self._viewport_handlers, "bottom"})
        return fn

    def on_viewport_top(self, fn: Callable[[str], Any]) -> Callable:
        """Register `fn(dom_id)`, called (at most every ~500 ms) when the user reaches the first
        row; `dom_id` is that row's."""
        self._edge_handlers["top"].append(_callable(fn, "on_viewport_top"))
        self._viewport_handlers = sorted({*self._viewport_handlers, "top"})
        return fn

    def on_action(self, name: str) -> Callable[[Callable[[str], Any]], Callable]:
        """Decorator: `@w.on_action("delete")` registers `fn(dom_id)` for that row button
        (add the name to `actions` to show the button)."""
        if not isinstance(name, str) or not name:
            raise TypeError(f"on_action needs an action name such as 'delete', not {name!r}")

        def register(fn: Callable[[str], Any]) -> Callable:
            self._action_handlers.setdefault(name, []).append(_callable(fn, "on_action"))
            return fn

        return register

    def paginate(
        self, fetch_page: Callable[[int], Any], per_page: int = 50, keep_pages: int = 3
    ) -> Paginator:
        """Infinite scroll both ways: `fetch_page(n)` (a function or coroutine function, run in
        the background) returns page n's items (n = 0, 1, ...; fewer than `per_page` rows means
        the end). Page 0 loads now; reaching the last / first row loads the next / previous
        page, keeping at most `keep_pages` pages in the browser."""
        pages = Paginator(self, fetch_page, per_page, keep_pages)
        pages.next()
        return pages

    # -- browser messages ---------------------------------------------------------------------

    def _on_interaction_msg(self, kind: str, content: dict) -> bool:
        """Handle a click / viewport / action message; False if it is not one of those."""
        dom_id = content.get("dom_id")
        if kind not in ("click", "viewport", "action"):
            return False
        if not isinstance(dom_id, str):
            log.warning("livestream-widget %s: ignored %s without a dom id", self.name, kind)
            return True
        if kind == "click":
            column, value = content.get("column"), content.get("value")
            if column is not None and not isinstance(column, str):
                log.warning("livestream-widget %s: ignored a click on column %r", self.name, column)
                return True
            self._call(self._click_handlers, dom_id, column, _plain(value))
        elif kind == "viewport":
            edge = content.get("edge")
            if edge not in self._edge_handlers:
                log.warning("livestream-widget %s: ignored viewport edge %r", self.name, edge)
                return True
            self._call(self._edge_handlers[edge], dom_id)
        else:
            name = content.get("name")
            if name not in self.actions:
                log.warning("livestream-widget %s: ignored unknown action %r", self.name, name)
                return True
            self._call(self._action_handlers.get(name, []), dom_id)
        return True

    def _call(self, handlers: list[Callable], *args: Any) -> None:
        for fn in list(handlers):
            try:
                fn(*args)
            except Exception:  # a user's handler must not break the widget's message loop
                log.exception("livestream-widget %s: handler %r failed", self.name, fn)


def _callable(fn: Any, what: str) -> Callable:
    if not callable(fn):
        raise TypeError(f"{what} needs a function, not {fn!r}")
    return fn


def _plain(value: Any) -> Any:
    # JSON from the browser: keep numbers, text, booleans and None; anything else is dropped.
    if value is None or isinstance(value, str | bool | numbers.Real):
        return value
    return None
