"""What the user does in the table, for Python: clicks, per-row actions and reaching the first
or last row (infinite scroll) call the handlers registered here.

The rows live in the browser, so events carry the row's dom id (and, for clicks, the clicked
value); Python looks up nothing. Messages arrive checked and typed (messages.py).
"""

from __future__ import annotations

import logging
import numbers
from collections.abc import Callable
from typing import Any

from .wire import Action, Click, Viewport

log = logging.getLogger(__name__)


class Events:
    """Handlers by event, and their dispatch. `actions()` gives the action names the widget
    shows; `on_edges(edges)` is told which viewport edges have handlers (the browser reports
    only those)."""

    def __init__(
        self,
        name: str,
        actions: Callable[[], list[str]],
        on_edges: Callable[[list[str]], None],
    ) -> None:
        self._name = name
        self._actions = actions
        self._on_edges = on_edges
        self._click: list[Callable] = []
        self._edge: dict[str, list[Callable]] = {"top": [], "bottom": []}
        self._action: dict[str, list[Callable]] = {}

    def add_click(self, fn: Callable) -> None:
        self._click.append(_callable(fn, "on_click"))

    def add_edge(self, edge: str, fn: Callable) -> None:
        self._edge[edge].append(_callable(fn, f"on_viewport_{edge}"))
        self._on_edges(sorted(e for e, fns in self._edge.items() if fns))

    def add_action(self, name: str, fn: Callable) -> None:
        self._action.setdefault(name, []).append(_callable(fn, "on_action"))

    def click(self, msg: Click) -> None:
        self._call(self._click, msg["dom_id"], msg["column"], _plain(msg.get("value")))

    def viewport(self, msg: Viewport) -> None:
        self._call(self._edge[msg["edge"]], msg["dom_id"])

    def action(self, msg: Action) -> None:
        if msg["name"] not in self._actions():
            log.warning("livestream-widget %s: ignored unknown action %r", self._name, msg["name"])
            return
        self._call(self._action.get(msg["name"], []), msg["dom_id"])

    def _call(self, handlers: list[Callable], *args: Any) -> None:
        for fn in list(handlers):
            try:
                fn(*args)
            except Exception:  # a user's handler must not break the widget's message loop
                log.exception("livestream-widget %s: handler %r failed", self._name, fn)


def _callable(fn: Any, what: str) -> Callable:
    if not callable(fn):
        raise TypeError(f"{what} needs a function, not {fn!r}")
    return fn


def _plain(value: Any) -> Any:
    # JSON from the browser: keep numbers, text, booleans and None; anything else is dropped.
    if value is None or isinstance(value, str | bool | numbers.Real):
        return value
    return None
