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
#: the oldest kept diffs are dropped, so memory stays bounded either way, and a warning says so).
BACKPRESSURE_TIMEOUT = 10.0

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
        # The thread that handled the latest hello, ack or gap: the main one, or a kernel
        # subshell's (subshells.py), which handles them while a cell runs. None: none yet.
        self._heard_on: int | None = None
        self._stalled = False  # a producer gave up waiting; warned once until room comes back

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

        "auto" compresses once a front end has said hello, whether or not it keeps up (each
        byte sent costs the kernel, the server and the page more than ZSTD takes to remove it;
        payload.py). Before that, no page reads the diffs: a notebook run headless, where
        compressing would only cost the kernel 20-30 % of its rows/s (and the snapshot would
        have to decompress what it keeps)."""
        if compression == "auto" and not self.outbox.heard_from_any():
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
        self._heard_on = threading.get_ident()
        self.outbox.ack(msg["frontend"], msg["seq"])
        self._on_count(msg["count"])

    def hello(self, msg: Hello) -> None:
        # The first front end ever, if it got nothing, gets the diffs kept for it (a host that
        # starts front ends late). A front end that missed diffs otherwise (a reload, a new tab)
        # gets the rows again from `replay`.
        self._heard_on = threading.get_ident()
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
        self._heard_on = threading.get_ident()
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

    def acks_reach_busy_cells(self) -> bool:
        """Whether front ends' messages reach the kernel while a cell runs: the latest was
        handled on another thread than the main one (JupyterLab >= 4.4 and Notebook 7 send
        them on a kernel subshell of ipykernel >= 7)."""
        heard = self._heard_on
        return heard is not None and heard != threading.main_thread().ident

    def may_wait(self) -> bool:
        """Whether the calling thread may wait for acknowledgements: only if another thread
        handles them. A producer thread, yes; a cell's loop on the main thread where they
        reach busy cells; never the thread that handles them (a click handler run on a
        subshell would wait for what only it can read). Before any front end spoke, the main
        thread does not wait (front ends would speak to it)."""
        heard = self._heard_on
        if heard is None:
            return threading.current_thread() is not threading.main_thread()
        return heard != threading.get_ident()

    def wait_for_room(self, stop: threading.Event | None = None) -> bool:
        """For producers: wait until front ends caught up (or went silent, or `stop`). After
        BACKPRESSURE_TIMEOUT without room, go on and say so once: past the budget the oldest
        diffs are dropped, and a page that lacks them says rows were lost."""
        if self.outbox.wait_for_room(BACKPRESSURE_TIMEOUT, stop):
            self._stalled = False
            return True
        if not self._stalled and not (stop is not None and stop.is_set()):
            self._stalled = True
            log.warning(
                "livestream-widget %s: the page acknowledged too little for %g s; going on "
                "without waiting for it. Past the resend budget the oldest unacknowledged diffs "
                "are dropped, and a page that misses them says that rows were lost.",
                self._name,
                BACKPRESSURE_TIMEOUT,
            )
        return False

    async def drain(self, timeout: float = BACKPRESSURE_TIMEOUT) -> bool:
        """For asyncio producers: the same wait, without blocking the event loop."""
        deadline = time.monotonic() + timeout
        while not self.outbox.has_room() and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        return self.outbox.has_room()
