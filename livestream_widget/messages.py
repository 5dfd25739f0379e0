"""What the browser tells the kernel (docs/protocol.md), checked before use.

A bad message (unknown kind, wrong types, a seq from the future) is logged and ignored: it
never raises in the kernel nor corrupts the stream.
"""

from __future__ import annotations

import logging
from typing import Any

from .encoder import PROTOCOL_VERSION

log = logging.getLogger(__name__)


class FrontEndMessages:
    """Mixed into StreamWidget: acknowledgements, hello/welcome, resend requests, buttons."""

    def _on_front_end_msg(self, _widget: Any, content: Any, buffers: list) -> None:
        who = f"livestream-widget {self.name}"
        if not isinstance(content, dict):
            log.warning("%s: ignored a message that is not a dict: %.200r", who, content)
            return
        kind, frontend = content.get("kind"), content.get("frontend")
        frontend = frontend if isinstance(frontend, str) else ""
        if buffers:
            log.warning("%s: ignored %d unexpected buffer(s)", who, len(buffers))
        if kind == "ack" and _seq_ok(content.get("seq"), self._seq) and _count_ok(content):
            self._outbox.ack(frontend, content["seq"])
            self.set_trait("count", content["count"])
        elif kind == "hello" and _seq_ok(content.get("expected", 1), self._seq + 1):
            first = content.get("first")  # the first diff it applied: not 1 = it began late
            late = _seq_ok(first, self._seq) and first > 1
            fresh = content.get("expected", 1) == 1 and first is None  # it got nothing yet
            self._welcome(frontend, late or content.get("expected", 1) <= self._seq, fresh)
        elif kind == "gap" and _gap_ok(content, self._seq):
            self._resend(content["expected"], content["received"] - 1)
        elif kind in ("retry", "cancel"):
            self._on_async_msg(kind)
        elif kind == "error":
            log.warning("%s: front end reported: %.500r", who, content)
        elif self._on_interaction_msg(kind, content):
            pass
        else:
            log.warning("%s: ignored malformed message %.200r", who, content)

    def _welcome(self, frontend: str, missed: bool, fresh: bool = False) -> None:
        # The first front end ever, if it got nothing, gets the diffs kept for it (a host that
        # starts front ends late). A front end that missed diffs otherwise (a reload, a new tab)
        # gets the rows again from `source`.
        again = frontend in self._welcomed  # a repeated hello: answer, never replay twice
        with self._send_lock:
            start = None
            if not again and fresh and missed and not self._welcomed:
                start = self._outbox.early_start(self._seq)
            self._welcomed.add(frontend)
            if not again:
                self._outbox.hello(frontend, self._seq if start is None else start - 1)
            replay = missed and start is None and self._source is not None and not again
            welcome = {"kind": "welcome", "protocol": PROTOCOL_VERSION, "seq": self._seq}
            self.send({**welcome, "replay": replay, **({"resend_from": start} if start else {})})
            if start is not None:
                for content, buffers in self._outbox.resend(start, self._seq)[0]:
                    self.send(content, buffers)
        if replay:
            self.reset()
            self.stream_async(self._source)

    def _resend(self, first: int, last: int) -> None:
        with self._send_lock:
            found, missing = self._outbox.resend(first, last)
            if missing:  # the oldest go first, so `missing` is a prefix: say so before the rest
                self.send({"kind": "lost", "from": missing[0], "to": missing[-1]})
                self.set_trait("lost", self.lost + len(missing))
                log.warning("livestream-widget %s: %d diff(s) lost", self.name, len(missing))
            for content, buffers in found:
                self.send(content, buffers)


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _seq_ok(seq: Any, most: int) -> bool:
    return _int(seq) and 0 <= seq <= most


def _count_ok(content: dict) -> bool:
    return _int(content.get("count")) and content["count"] >= 0


def _gap_ok(content: dict, last_sent: int) -> bool:
    first, after = content.get("expected"), content.get("received")
    return _seq_ok(first, last_sent) and _seq_ok(after, last_sent + 1) and 1 <= first < after
