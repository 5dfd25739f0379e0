"""What the browser tells the kernel (wire.py), checked before use.

`parse` turns a raw comm message into one typed message, or None after logging why it was
ignored: a bad message (unknown kind, wrong types, a seq from the future) never raises in the
kernel nor corrupts the stream.
"""

from __future__ import annotations

import logging
from typing import Any, cast

from .values import is_int
from .wire import FromBrowser

log = logging.getLogger(__name__)


def parse(content: Any, buffers: list, last_seq: int, who: str) -> FromBrowser | None:
    """`content` as a typed message, given `last_seq` (the last diff sent); None if bad."""
    if not isinstance(content, dict):
        log.warning("%s: ignored a message that is not a dict: %.200r", who, content)
        return None
    kind = content.get("kind")
    if buffers and kind not in ("snapshot", "rows"):
        log.warning("%s: ignored %d unexpected buffer(s)", who, len(buffers))
    frontend = content.get("frontend")
    msg = {**content, "frontend": frontend if isinstance(frontend, str) else ""}
    ok = _CHECKS.get(kind) if isinstance(kind, str) else None
    if ok is not None and ok(msg, last_seq):
        if kind == "hello":
            msg.setdefault("expected", 1)
            msg.setdefault("first", None)
            if not _seq_ok(msg["first"], last_seq):
                msg["first"] = None
        return cast(FromBrowser, msg)
    if kind == "error":
        log.warning("%s: front end reported: %.500r", who, content)
    else:
        log.warning("%s: ignored malformed message %.200r", who, content)
    return None


def _seq_ok(seq: Any, most: int) -> bool:
    return is_int(seq) and 0 <= seq <= most


def _ack(m: dict, last: int) -> bool:
    return _seq_ok(m.get("seq"), last) and is_int(m.get("count")) and m["count"] >= 0


def _hello(m: dict, last: int) -> bool:
    count = m.get("count", 0)
    return _seq_ok(m.get("expected", 1), last + 1) and is_int(count) and count >= 0


def _gap(m: dict, last: int) -> bool:
    first, after = m.get("expected"), m.get("received")
    if not (isinstance(first, int) and isinstance(after, int)):
        return False
    return _seq_ok(first, last) and _seq_ok(after, last + 1) and 1 <= first < after


def _with_dom_id(m: dict, _last: int) -> bool:
    return isinstance(m.get("dom_id"), str)


def _click(m: dict, last: int) -> bool:
    column = m.get("column")
    return _with_dom_id(m, last) and (column is None or isinstance(column, str))


def _viewport(m: dict, last: int) -> bool:
    return _with_dom_id(m, last) and m.get("edge") in ("top", "bottom")


def _action(m: dict, last: int) -> bool:
    return _with_dom_id(m, last) and isinstance(m.get("name"), str)


def _snapshot(m: dict, _last: int) -> bool:
    ids, total = m.get("ids"), m.get("total")
    if not (isinstance(ids, list) and all(isinstance(i, str) for i in ids)):
        return False
    return isinstance(total, int) and is_int(total) and total >= len(ids)


def _rows(m: dict, _last: int) -> bool:
    counts = [m.get("chunk"), m.get("rows"), m.get("total")]
    if not all(isinstance(n, int) and is_int(n) and n >= 0 for n in counts):
        return False
    if not (isinstance(m.get("request"), str) and isinstance(m.get("last"), bool)):
        return False
    if "error" in m and not isinstance(m["error"], str):
        return False
    return bool(m["rows"] <= m["total"])


_CHECKS = {
    "rows": _rows,
    "snapshot": _snapshot,
    "ack": _ack,
    "hello": _hello,
    "gap": _gap,
    "retry": lambda m, last: True,
    "cancel": lambda m, last: True,
    "click": _click,
    "viewport": _viewport,
    "action": _action,
}
