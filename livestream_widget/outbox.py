"""Diffs sent but not yet acknowledged, kept within a byte budget so lost ones can be resent.

The Jupyter server silently drops comm messages above its rate limit, and ipykernel's IOPub
queue drops on bursts, so a front end that sees a `seq` gap asks for the missing diffs again.
Once every live front end has acknowledged a diff, the kernel forgets it (and its rows).
Before any front end has said hello, up to EARLY_BUDGET is kept for the first one: hosts such as
marimo start a widget's front end only when its view renders, so rows streamed in the cell that
creates the widget would otherwise never reach it.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

#: Default byte budget for diffs kept until acknowledged.
RESEND_BUDGET = 32 * 2**20
#: Bytes of diffs kept before any front end said hello (a widget never displayed keeps this).
EARLY_BUDGET = 8 * 2**20
#: A front end silent this long no longer holds anything back: while others acknowledge, the
#: diffs it lacks are dropped once they have; with none acknowledging (a closed tab), producers
#: stop waiting for it (what is kept stays within the budget either way).
STALE_SECONDS = 10.0
#: How often a waiting producer looks again (at its cancel, and at silent front ends).
WAIT_STEP = 0.02


class Outbox:
    def __init__(self, budget: int = RESEND_BUDGET) -> None:
        self.budget = budget
        self._sent: OrderedDict[int, tuple[dict, list, int]] = OrderedDict()
        self.nbytes = 0
        #: Diffs dropped past the budget before every front end acknowledged them (they can
        #: no longer be resent): what a producer that outruns the page costs.
        self.overflowed = 0
        self._acked: dict[str, tuple[int, float]] = {}  # front end id -> (seq, last heard)
        self._room = threading.Condition()

    def keep(self, content: dict, buffers: list) -> None:
        """Remember a diff just sent; past the budget, the oldest can no longer be resent."""
        with self._room:
            budget = self.budget if self._acked else min(self.budget, EARLY_BUDGET)
            size = sum(memoryview(b).nbytes for b in buffers)
            self._sent[content["seq"]] = (content, buffers, size)
            self.nbytes += size
            while self.nbytes > budget:
                self._drop_oldest()
                self.overflowed += 1

    def early_start(self, last: int) -> int | None:
        """Before any hello: the first seq from which the kept diffs rebuild the rows (every
        diff from 1, or from one that starts with a reset, through `last`), else None."""
        with self._room:
            if self._acked or not self._sent or next(reversed(self._sent)) != last:
                return None
            seqs = list(self._sent)
            if seqs != list(range(seqs[0], last + 1)):
                return None
            for seq in seqs:  # the earliest diff that needs nothing before it
                ops = self._sent[seq][0]["ops"]
                if seq == 1 or (ops and ops[0].get("op") == "reset"):
                    return seq
            return None

    def heard_from_any(self) -> bool:
        """Whether some front end has said hello or acknowledged anything."""
        with self._room:
            return bool(self._acked)

    def kept(self) -> list[tuple[dict, list]]:
        """Every diff kept, oldest first."""
        with self._room:
            return [(content, buffers) for content, buffers, _ in self._sent.values()]

    def hello(self, frontend: str, seq: int) -> None:
        """A new front end: it needs nothing sent before `seq` (that page is gone or new)."""
        self.ack(frontend, seq)

    def ack(self, frontend: str, seq: int) -> None:
        with self._room:
            previous = self._acked.get(frontend, (0, 0.0))[0]
            self._acked[frontend] = (max(previous, seq), time.monotonic())
            newest = max(heard for _, heard in self._acked.values())
            through = min(s for s, heard in self._acked.values() if heard >= newest - STALE_SECONDS)
            while self._sent and next(iter(self._sent)) <= through:
                self._drop_oldest()
            self._room.notify_all()

    def resend(self, first: int, last: int) -> tuple[list[tuple[dict, list]], list[int]]:
        """The kept diffs `first..last` (marked as resent), and the seqs no longer kept."""
        found, missing = [], []
        with self._room:
            for seq in range(first, last + 1):
                if seq in self._sent:
                    content, buffers, _ = self._sent[seq]
                    found.append(({**content, "resent": True}, buffers))
                else:
                    missing.append(seq)
        return found, missing

    def wait_for_room(self, timeout: float, stop: threading.Event | None = None) -> bool:
        """Block until kept diffs fall to half the budget (front ends caught up), every front
        end has gone silent, `stop` is set, or `timeout` passes."""
        deadline = time.monotonic() + timeout
        with self._room:
            while not self._has_room():
                left = deadline - time.monotonic()
                if left <= 0 or (stop is not None and stop.is_set()):
                    return False
                self._room.wait(min(WAIT_STEP, left))
            return True

    def has_room(self) -> bool:
        with self._room:
            return self._has_room()

    def _has_room(self) -> bool:
        if self.nbytes <= self.budget // 2:
            return True
        now = time.monotonic()
        return bool(self._acked) and all(
            now - heard > STALE_SECONDS for _, heard in self._acked.values()
        )

    def _drop_oldest(self) -> None:
        _, (_, _, size) = self._sent.popitem(last=False)
        self.nbytes -= size
