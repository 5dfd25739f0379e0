"""Backpressure inside a busy cell: a cell's own loop waits for the page when acknowledgements
are read on another thread (a kernel subshell), and only then.

The first tests run a real widget in this process (its comm a no-op, as outside a kernel): the
test's main thread plays the busy cell, another thread plays the kernel subshell that hands the
page's messages to the widget's real entry point, `_on_front_end_msg`. The last ones drive a real
ipykernel with a real subshell, as JupyterLab does (livestream_widget/subshells.py).
"""

from __future__ import annotations

import logging
import threading
import time

import numpy as np
import pyarrow as pa
import pytest

from livestream_widget import StreamWidget, delivery

BUDGET = 2**20
BATCHES = 40  # of ~110 KB: four times the budget


def batch(b: int, rows: int = 5_000) -> pa.Table:
    # Distinct notes: a column of one repeated value would go as a dictionary, a tenth the bytes.
    ids = np.arange(b * rows, (b + 1) * rows)
    return pa.table({"id": ids, "note": [f"note {i:07d}" for i in ids]})


class Page(threading.Thread):
    """A page whose messages a kernel subshell hands to the widget, on this thread: hello,
    then an acknowledgement of everything sent every 10 ms; `hold` pauses the acknowledgements
    until `release`."""

    def __init__(self, w: StreamWidget) -> None:
        super().__init__(daemon=True)
        self.w = w
        self.hold, self.release, self.stop = threading.Event(), threading.Event(), threading.Event()
        self.held = threading.Event()  # the pause has begun
        self.contiguous = True  # every kept diff follows the last acknowledged one

    def say(self, **content) -> None:
        self.w._on_front_end_msg(self.w, {**content, "frontend": "page"}, [])

    def run(self) -> None:
        self.say(kind="hello", expected=1)
        while not self.stop.is_set():
            if self.hold.is_set() and not self.release.is_set():
                self.held.set()
                time.sleep(0.01)
                continue
            seq = self.w._seq
            self.say(kind="ack", seq=seq, count=0)
            kept = [c["seq"] for c, _ in self.w._outbox.kept()]
            self.contiguous &= kept == list(range(seq + 1, seq + 1 + len(kept)))
            time.sleep(0.01)


@pytest.fixture
def widget():
    w = StreamWidget(resend_budget=BUDGET, compression=None)
    yield w
    w.close()


def test_a_cell_loop_waits_while_the_page_reads_nothing(widget):
    page = Page(widget)
    page.start()
    deadline = time.monotonic() + 10
    while widget._delivery.frontends() == set() and time.monotonic() < deadline:
        time.sleep(0.01)
    made, peak = [0], [0]
    page.hold.set()

    def release_when_stuck() -> None:
        # Nothing is acknowledged: the loop must stop making batches before its end.
        page.held.wait(10)
        last, still = -1, 0
        while still < 20 and made[0] < BATCHES:  # 0.2 s without a new batch
            still = still + 1 if made[0] == last else 0
            last = made[0]
            time.sleep(0.01)
        page.stuck_at = made[0]
        page.release.set()

    threading.Thread(target=release_when_stuck, daemon=True).start()
    for b in range(BATCHES):  # the busy cell, on the main thread
        widget.stream(batch(b))
        made[0] += 1
        peak[0] = max(peak[0], widget._outbox.nbytes)
    page.stop.set()
    page.join()
    assert widget._delivery.acks_reach_busy_cells()
    assert page.stuck_at < BATCHES, "the loop never waited for the page"
    assert widget._outbox.overflowed == 0 and peak[0] <= BUDGET
    assert page.contiguous, "a diff was dropped before the page acknowledged it"


def test_without_acknowledgements_on_another_thread_the_cell_loop_never_waits(widget):
    # As today where acknowledgements wait behind the cell (no subshell, or the setting off):
    # waiting would be for nothing, so the budget drops the oldest diffs instead.
    widget._on_front_end_msg(widget, {"kind": "hello", "frontend": "page"}, [])
    t0 = time.monotonic()
    for b in range(BATCHES):
        widget.stream(batch(b))
        widget.flush(wait=True)
    assert time.monotonic() - t0 < delivery.BACKPRESSURE_TIMEOUT
    assert not widget._delivery.acks_reach_busy_cells()
    assert widget._outbox.overflowed > 0 and widget._outbox.nbytes <= BUDGET


def test_the_thread_that_reads_acknowledgements_never_waits_for_them(widget):
    # A click handler run on the subshell that reads the page's messages must not wait for
    # acknowledgements only it could read.
    page = Page(widget)
    page.say(kind="hello", expected=1)  # read on this (main) thread, as a subshell would
    t0 = time.monotonic()
    for b in range(BATCHES):
        widget.stream(batch(b))
        widget.flush(wait=True)
    assert time.monotonic() - t0 < delivery.BACKPRESSURE_TIMEOUT


def test_a_page_that_stops_acknowledging_costs_one_timeout_and_a_warning(
    widget, monkeypatch, caplog
):
    monkeypatch.setattr(delivery, "BACKPRESSURE_TIMEOUT", 0.3)
    reader = threading.Thread(
        target=lambda: widget._on_front_end_msg(
            widget, {"kind": "hello", "frontend": "page", "expected": 1}, []
        )
    )
    reader.start()
    reader.join()
    with caplog.at_level(logging.WARNING, logger="livestream_widget.delivery"):
        for b in range(12):  # 1.3 MB: past the budget
            widget.stream(batch(b))
    warnings = [r.getMessage() for r in caplog.records if "acknowledged too little" in r.message]
    assert len(warnings) == 1, warnings
    assert "oldest unacknowledged diffs are dropped" in warnings[0]
    assert widget._outbox.nbytes <= BUDGET


# -- a real kernel subshell, as JupyterLab uses one ---------------------------------------------

KERNEL_BUDGET = 4 * 2**20
LOOP = """\
import numpy as np
{var}.compression = None
sent, peak = 0, 0
for b in range(40):
    t = pa.table({{'id': np.arange(b * 25_000, (b + 1) * 25_000), 'note': ['x' * 32] * 25_000}})
    sent += t.nbytes
    {var}.stream(t)
    peak = max(peak, {var}._outbox.nbytes)
"""


def create_subshell(kernel) -> str:
    kc = kernel.kc
    msg = kc.session.msg("create_subshell_request", {})
    kc.control_channel.send(msg)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        reply = kc.get_control_msg(timeout=10)
        if reply["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
            return reply["content"]["subshell_id"]
    raise AssertionError("no create_subshell_reply")


def busy_cell_acknowledged(s, subshell_id: str | None) -> dict:
    """Run LOOP as a cell while this process plays the page: it acknowledges every diff it
    reads on IOPub at once, on `subshell_id` (None: the main shell)."""
    kc = s.kernel.kc

    def say(content: dict) -> None:
        msg = kc.session.msg(
            "comm_msg",
            {"comm_id": s.comm_id, "data": {"method": "custom", "content": content}},
        )
        msg["header"]["subshell_id"] = subshell_id
        kc.session.send(kc.shell_channel.socket, msg)

    say({"kind": "hello", "frontend": "page", "expected": 1})
    s.kernel.run("pass")  # the hello is read before the cell starts (in the subshell, at once)
    msg_id = kc.execute(LOOP.format(var=s.var))
    acked_during = 0
    while True:
        msg = kc.get_iopub_msg(timeout=120)
        content = msg["content"]
        if msg["msg_type"] == "comm_msg" and content.get("comm_id") == s.comm_id:
            diff = content["data"].get("content", {})
            if diff.get("kind") == "diff":
                say({"kind": "ack", "frontend": "page", "seq": diff["seq"], "count": 0})
                acked_during += 1
        if (
            msg["msg_type"] == "status"
            and msg["parent_header"].get("msg_id") == msg_id
            and content["execution_state"] == "idle"
        ):
            break
    return {
        "acked_during": acked_during,
        **s.kernel.eval(
            f"dict(sent=sent, peak=peak, overflowed={s.var}._outbox.overflowed,"
            f" paced={s.var}._delivery.acks_reach_busy_cells())"
        ),
    }


def test_real_subshell_acknowledgements_pace_a_busy_cell(stream):
    s = stream(f"resend_budget={KERNEL_BUDGET}")
    r = busy_cell_acknowledged(s, create_subshell(s.kernel))
    assert r["sent"] >= 10 * KERNEL_BUDGET and r["acked_during"] >= 10, r
    assert r["paced"] and r["overflowed"] == 0 and r["peak"] <= KERNEL_BUDGET, r


def test_main_shell_acknowledgements_leave_a_busy_cell_unpaced(stream):
    s = stream(f"resend_budget={KERNEL_BUDGET}")
    r = busy_cell_acknowledged(s, None)
    assert not r["paced"] and r["overflowed"] > 0 and r["peak"] <= KERNEL_BUDGET, r
