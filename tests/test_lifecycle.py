"""Cancel at once, silent front ends, closing: a widget's life in a real kernel."""

import time

import pytest

from .frontend import FrontEnd
from .kernel import KernelError
from .test_async import state, wait_for

# A generator that streams ~40 KB batches forever into a 1 MB budget: with a front end that said
# hello and never acknowledges, the loader is soon held back by backpressure.
FOREVER = (
    "import itertools\n"
    "def forever():\n"
    "    for i in itertools.count():\n"
    "        yield [{'id': i * 100 + k, 'v': 'x' * 400} for k in range(100)]\n"
)


def test_cancel_is_immediate_while_a_loader_waits_for_acknowledgements(stream):
    s = stream("resend_budget=2**20")
    FrontEnd(s).hello()
    s.run(FOREVER + "w.stream_async(forever)")
    wait_for(s, "w._outbox.nbytes > 2**19 and not w._outbox.has_room()")
    took = s.kernel.eval(
        f"(lambda t0: ({s.var}.cancel_async(), time.monotonic() - t0)[1])(time.monotonic())"
    )
    assert took < 0.1, f"cancel_async took {took:.3f} s"
    assert state(s)["status"] == "failed" and state(s)["failed"] == "cancelled"
    # the worker thread itself lets go within the same bound
    s.run("import threading")
    wait_for(s, "not any(t.name == 'livestream-widget-task' for t in threading.enumerate())", 1)


def test_the_cancel_button_is_immediate_too(stream):
    s = stream("resend_budget=2**20")
    tab = FrontEnd(s).hello()
    s.run(FOREVER + "w.stream_async(forever)")
    wait_for(s, "not w._outbox.has_room()")
    t0 = time.monotonic()
    tab.send(kind="cancel")
    wait_for(s, "w.async_state['status'] == 'failed'", 2)
    assert time.monotonic() - t0 < 0.5  # includes the round trips of this test's polling


def test_a_silent_front_end_stops_holding_producers_back(stream):
    s = stream("resend_budget=2**20")
    s.run("import livestream_widget.outbox as d\nd.STALE_SECONDS = 1.0")
    try:
        FrontEnd(s).hello()  # then silent, as a closed tab is
        s.run(FOREVER + "w.stream_async(forever)")
        wait_for(s, "w._outbox.nbytes > 2**19")  # the budget is half full: the silence counts
        rows = s.kernel.eval(f"{s.var}.async_state['rows']")
        # Past STALE_SECONDS the load runs at full speed again; held back, it would gain one
        # batch of 100 rows per BACKPRESSURE_TIMEOUT (10 s).
        wait_for(s, f"w.async_state['rows'] > {rows} + 2000", 8)
        # memory stays bounded by the budget all the same
        assert s.kernel.eval(f"{s.var}._outbox.nbytes") <= 2**20
    finally:
        s.run("w.cancel_async()\nd.STALE_SECONDS = 10.0")


def test_after_close_every_call_raises_and_loads_are_cancelled(stream):
    s = stream()
    s.run(
        "stopped = []\n"
        "def slow():\n"
        "    try:\n"
        "        for i in range(10_000):\n"
        "            yield [{'id': i}]\n"
        "            time.sleep(0.01)\n"
        "    finally:\n"
        "        stopped.append(True)\n"
        "w.stream_async(slow)\ntime.sleep(0.1)\nw.close()"
    )
    wait_for(s, "stopped == [True]", 2)
    assert state(s)["failed"] == "cancelled (the widget was closed)"
    calls = [
        "w.insert({'id': 1})",
        "w.stream([{'id': 1}])",
        "w.delete({'id': 1})",
        "w.delete_by_dom_id('items-1')",
        "w.reset()",
        "w.flush()",
        "w.configure(dom_id=str)",
        "w.stream_async(lambda: [])",
        "w.stream_from([{'id': 1}])",
        "w.start_async('x', lambda: 1)",
    ]
    for call in calls:
        with pytest.raises(KernelError, match="was closed"):
            s.run(call)


def test_a_failed_call_changes_nothing_in_the_kernel(stream):
    s = stream()
    s.run("w.stream([{'id': 1, 'v': 1.5}])\nw.flush(wait=True)")
    before = s.kernel.eval(f"({s.var}._seq, len({s.var}._stream.log), {s.var}.columns)")
    with pytest.raises(KernelError, match="mixes str and int"):
        s.run("w.stream([{'id': 2, 'v': 'x'}, {'id': 3, 'v': 2}], reset=True)")
    with pytest.raises(KernelError, match="changed type"):
        s.run("w.insert({'id': 3, 'v': 'y'})")
    assert s.kernel.eval(f"({s.var}._seq, len({s.var}._stream.log), {s.var}.columns)") == before


def test_count_is_what_the_latest_page_holds_after_a_reload(stream):
    s = stream()
    page = FrontEnd(s, "page").hello()
    s.run("w.stream([{'id': i} for i in range(5)])\nw.flush(wait=True)")
    page.send(kind="ack", seq=s.kernel.eval(f"{s.var}._seq"), count=5)
    s.run("pass")
    assert s.kernel.eval(f"{s.var}.count") == 5
    # The page reloads: the new one starts empty and says so in its hello.
    FrontEnd(s, "reloaded").send(kind="hello", expected=1, first=None, count=0)
    s.run("pass")
    assert s.kernel.eval(f"{s.var}.count") == 0
