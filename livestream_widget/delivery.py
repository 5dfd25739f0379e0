"""The delivery protocol, kernel side, in one place: numbering and pacing diffs, keeping them
until acknowledged (outbox.py), welcoming front ends, resending on a gap, and saying when a diff
is lost. docs/protocol.md describes the messages; wire.py types them.

The widget hands it ops to send and the browser's delivery messages; it owns the sequence
number, the send lock and the outbox, and nobody else touches them.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable

from .encoder import encode
from .oplog import Op
from .outbox import Outbox
from .payload import Compression
from .wire import PROTOCOL_VERSION, Ack, Gap, Hello, Welcome

log = logging.getLogger(__name__)

#: Minimum seconds between two messages of one widget (~100 messages/s at most): the Jupyter
#: server drops comm messages above 1000/s (the flusher's timer interval batches calls; this
#: paces what leaves).
MIN_SEND_INTERVAL = 0.01
#: Longest a producer waits for front ends to acknowledge before going on regardless (then
#: the oldest kept diffs are dropped, so memory stays bounded either way).
BACKPRESSURE_TIMEOUT = 10.0

#: Front ends that said hello are "behind" while this many bytes of diffs are unacknowledged
#: (a page that keeps up acknowledges each diff within a round trip).
BEHIND_BYTES = 4 * 2**20

Send = Callable[[dict, list], None]


class Delivery:
    """One widget's side of the delivery protocol.

    `send(content, buffers)` puts a message on the comm; `replay()` (or None) sends the rows
    again to a front end that missed them; `on_count(n)` and `on_lost(n)` report what front
    ends said.
    """

    def __init__(
        self,
        send: Send,
        budget: int,
        name: str,
        replay: Callable[[], None] | None = None,
        on_count: Callable[[int], None] = lambda n: None,
        on_lost: Callable[[int], None] = lambda n: None,
    ) -> None:
        self._send = send
        self.outbox = Outbox(budget)
        self._name = name
        self._replay = replay
        self._on_count = on_count
        self._on_lost = on_lost
        self._lock = threading.Lock()  # keeps seq order when two threads send at once
        self._seq = 0
        self._last_send = 0.0
        self._welcomed: set[str] = set()  # front ends already answered
        self._closed = False

    @property
    def seq(self) -> int:
        """The last diff sent."""
        return self._seq

    def frontends(self) -> set[str]:
        """The front ends that said hello (pages that show, or showed, the widget)."""
        with self._lock:
            return set(self._welcomed)

    def close(self) -> None:
        with self._lock:
            self._closed = True

    # -- sending ------------------------------------------------------------------------------

    def send_ops(
        self,
        take: Callable[[], list[Op]],
        prefix: str,
        wait: bool,
        compression: Compression = "auto",
    ) -> bool:
        """Send the ops `take()` hands over, numbered, as diffs (their row buffers compressed
        as `compression` says). Paced: a call right after a send returns False without taking
        anything (the caller retries from its timer), unless `wait`, which sleeps out the rest
        of the interval.

        "auto" compresses only while front ends are behind: compressing costs the kernel
        20-30 % of its rows/s, and pays only where the wire or the page is the bottleneck."""
        if compression == "auto" and not self.outbox.behind(BEHIND_BYTES):
            compression = None
        with self._lock:
            if self._closed:
                return True
            delay = self._last_send + MIN_SEND_INTERVAL - time.monotonic()
            if delay > 0 and not wait:
                return False
            if delay > 0:
                time.sleep(delay)
            ops = take()
            if not ops:
                return True
            for content, buffers in encode(
                ops, self._seq + 1, prefix=prefix, compression=compression
            ):
                self._seq = content["seq"]
                self._send(dict(content), buffers)
                self.outbox.keep(content, buffers)
            del ops  # the kernel keeps no row once the diff is handed to the comm
            self._last_send = time.monotonic()
            return True

    def before_hello(self) -> tuple[list[tuple[dict, list]], bool] | None:
        """While no front end has said hello: the diffs kept for the first one, and whether they
        rebuild every row (else the oldest were dropped past the early budget); None after."""
        with self._lock:
            # An acknowledgement can come before the hello: a page exists either way.
            if self._welcomed or self.outbox.heard_from_any():
                return None
            start = self.outbox.early_start(self._seq)
            kept = self.outbox.kept()
            if start is None:
                return kept, False
            return [(c, b) for c, b in kept if c["seq"] >= start], True

    # -- what front ends say ------------------------------------------------------------------

    def ack(self, msg: Ack) -> None:
        self.outbox.ack(msg["frontend"], msg["seq"])
        self._on_count(msg["count"])

    def hello(self, msg: Hello) -> None:
        # The first front end ever, if it got nothing, gets the diffs kept for it (a host that
        # starts front ends late). A front end that missed diffs otherwise (a reload, a new tab)
        # gets the rows again from `replay`.
        frontend, expected, first = msg["frontend"], msg["expected"], msg["first"]
        if "count" in msg:  # the latest report wins: a reloaded page holds no row yet
            self._on_count(msg["count"])
        late = first is not None and first > 1
        missed = late or expected <= self._seq
        fresh = expected == 1 and first is None  # it got nothing yet
        again = frontend in self._welcomed  # a repeated hello: answer, never replay twice
        with self._lock:
            start = None
            if not again and fresh and missed and not self._welcomed:
                start = self.outbox.early_start(self._seq)
            self._welcomed.add(frontend)
            if not again:
                self.outbox.hello(frontend, self._seq if start is None else start - 1)
            replay = missed and start is None and self._replay is not None and not again
            welcome: Welcome = {
                "kind": "welcome",
                "protocol": PROTOCOL_VERSION,
                "seq": self._seq,
                "replay": replay,
            }
            if start is not None:
                welcome["resend_from"] = start
            self._send(dict(welcome), [])
            if start is not None:
                for content, buffers in self.outbox.resend(start, self._seq)[0]:
                    self._send(content, buffers)
        if replay and self._replay is not None:
            self._replay()

    def gap(self, msg: Gap) -> None:
        with self._lock:
            found, missing = self.outbox.resend(msg["expected"], msg["received"] - 1)
            if missing:  # the oldest go first, so `missing` is a prefix: say so before the rest
                self._send({"kind": "lost", "from": missing[0], "to": missing[-1]}, [])
                self._on_lost(len(missing))
                log.warning("livestream-widget %s: %d diff(s) lost", self._name, len(missing))
            for content, buffers in found:
                self._send(content, buffers)

    # -- backpressure -------------------------------------------------------------------------

    def has_room(self) -> bool:
        return self.outbox.has_room()

    def wait_for_room(self, stop: threading.Event | None = None) -> bool:
        """For producer threads: wait until front ends caught up (or went silent, or `stop`)."""
        return self.outbox.wait_for_room(BACKPRESSURE_TIMEOUT, stop)

    async def drain(self, timeout: float = BACKPRESSURE_TIMEOUT) -> bool:
        """For asyncio producers: the same wait, without blocking the event loop."""
        deadline = time.monotonic() + timeout
        while not self.outbox.has_room() and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        return self.outbox.has_room()
