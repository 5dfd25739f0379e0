"""Column display options (`column_options`, or dicts in `columns=`): what each may be."""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from typing import Any

from .values import is_int

#: Per-column display options a `columns=` entry (or `column_options`) may set.
COLUMN_OPTIONS = {"label", "width", "format", "align", "hidden", "timezone", "summary"}
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
        "width": lambda v: (is_int(v) or isinstance(v, float)) and v > 0,
        "format": lambda v: isinstance(v, str),
        "align": lambda v: v in _ALIGN,
        "hidden": lambda v: isinstance(v, bool),
        "timezone": _is_zone,
        "summary": lambda v: isinstance(v, bool),
    }
    for key, value in opts.items():
        if not checks[key](value):
            raise ValueError(
                f"column {name!r}: bad {key}={value!r} (label: str, width: pixels > 0, "
                "format: e.g. ',.2f', '.1%', 'd' or '%Y-%m-%d %H:%M', align: left/right/center, "
                "hidden: bool, timezone: 'UTC' or a zone name such as 'Asia/Tokyo' to show "
                "zoned times in, summary: bool)"
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
