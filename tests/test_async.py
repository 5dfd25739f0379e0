"""stream_async / start_async / cancel_async in a real kernel: states, winners, errors, memory."""

import time

import pytest

from livestream_widget import AsyncResult

from .frontend import FrontEnd
from .kernel import KernelError


def wait_for(stream, expr: str, timeout: float = 20):
    """Poll `expr` in the kernel (the kernel goes idle between polls, so coroutines progress)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stream.kernel.eval(expr.replace("w.", f"{stream.var}.")):
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {expr}")


def state(stream) -> dict:
    return stream.kernel.eval(f"{stream.var}.async_state")


def test_async_result_transitions():
    r = AsyncResult().with_loading()
    assert (r.ok, r.loading, r.failed) == (False, True, None)
    r = r.with_ok(5)
    assert (r.ok, r.loading, r.result) == (True, None, 5)
    r = r.with_loading()  # a shown result wins over a later loading state...
    assert r.ok and r.loading and r.result == 5
    r = r.with_failed("boom")  # ...and failing keeps ok (sticky) but clears loading
    assert r.ok and r.loading is None and r.failed == "boom"
    r = r.with_loading()  # loading clears failed
    assert r.failed is None and r.loading
    assert AsyncResult(ok=True, result=1).with_loading(reset=True) == AsyncResult(loading=True)


def test_plain_function_loads_in_a_thread_with_loading_then_ok(stream):
    s = stream()
    s.run(
        "def load():\n    time.sleep(0.5)\n    return [{'id': i} for i in range(50)]\n"
        "w.stream_async(load)\n"
        "first = dict(w.async_state)"
    )
    assert s.kernel.eval("first") == {
        "status": "loading",
        "ok": False,
        "loading": True,
        "skeleton": False,
        "failed": None,
        "rows": 0,
        "can_retry": True,
        "total": None,
        "rate": None,
        "progress": True,
    }
    wait_for(s, "w.async_state['status'] == 'ok'")
    assert state(s)["rows"] == 50 and s.kernel.eval(f"{s.var}.async_result.result") == 50
    assert s.sync().keys() == list(range(50))
    # repeated calls append
    s.run("w.stream_async(lambda: [{'id': 50}])")
    wait_for(s, "w.async_state['status'] == 'ok' and w.async_state['rows'] == 1")
    assert s.sync().keys() == list(range(51))


def test_reset_hides_rows_only_while_loading_and_loader_reset_resets_rows(stream):
    s = stream()
    s.run("w.stream([{'id': 1}]); w.stream_async(lambda: [{'id': 2}])")
    wait_for(s, "w.async_state['status'] == 'ok'")
    s.run(
        "from livestream_widget import StreamItems\n"
        "def again():\n    time.sleep(0.3)\n    return StreamItems([{'id': 9}], reset=True)\n"
        "w.stream_async(again, reset=True); during = dict(w.async_state)"
    )
    during = s.kernel.eval("during")
    assert during["skeleton"] is True and during["ok"] is False and during["loading"] is True
    wait_for(s, "w.async_state['status'] == 'ok'")
    assert s.sync().keys() == [9]


def test_generator_streams_batches_progressively(stream):
    s = stream()
    s.run(
        "def gen():\n"
        "    for b in range(10):\n"
        "        yield pd.DataFrame({'id': range(b * 100, (b + 1) * 100)})\n"
        "        time.sleep(0.15)\n"
        "w.stream_async(gen)"
    )
    seen = []
    while state(s)["status"] == "loading":
        seen.append(state(s)["rows"])
        time.sleep(0.1)
    assert len(set(seen)) >= 3 and seen == sorted(seen), seen  # "N rows loaded" grows live
    assert state(s) | {"rows": 1000} == state(s) and state(s)["status"] == "ok"
    diffs = s.kernel.diffs(s.comm_id)
    assert len(diffs) >= 3  # rows went out while the loader was still running
    s.apply(diffs)
    assert s.store.keys() == list(range(1000))


def test_generator_progresses_while_another_cell_runs(stream):
    s = stream()
    s.run(
        "def gen():\n    for i in range(10):\n        yield {'id': i}\n        time.sleep(0.1)\n"
        "w.stream_async(gen)"
    )
    s.kernel.messages.clear()
    s.run("time.sleep(1.5)")  # a busy cell: the worker thread and the flush timer keep going
    live = [m for m in s.kernel.diffs(s.comm_id) if m.busy]
    assert len(live) >= 3


@pytest.mark.parametrize(
    "loader",
    [
        "async def load():\n    await asyncio.sleep(0.2)\n    return [{'id': 1}, {'id': 2}]",
        "async def load():\n    for i in (1, 2):\n        await asyncio.sleep(0.1)\n        yield {'id': i}",
    ],
    ids=["coroutine", "async_generator"],
)
def test_coroutines_run_on_the_kernel_loop(stream, loader):
    s = stream()
    s.run(f"import asyncio, threading\n{loader}\nw.stream_async(load)")
    wait_for(s, "w.async_state['status'] == 'ok'")
    assert s.sync().keys() == [1, 2]


def test_loader_error_is_a_failed_state_with_traceback_and_the_widget_goes_on(stream):
    s = stream()
    s.run("def broken():\n    raise ValueError('boom <b>')\nw.stream_async(broken)")
    wait_for(s, "w.async_state['status'] == 'failed'")
    assert state(s)["failed"] == "ValueError: boom <b>"
    assert s.kernel.eval(f"type({s.var}.async_result.error).__name__") == "ValueError"
    assert "in broken" in s.kernel.eval(f"{s.var}.async_result.traceback")
    s.run("w.insert({'id': 1})")
    assert s.sync().keys() == [1]


def test_bad_batch_from_a_loader_fails_the_load(stream):
    s = stream()
    s.run("w.stream([{'id': 1, 'x': 1.5}]); w.stream_async(lambda: [{'id': 2, 'x': 'text'}])")
    wait_for(s, "w.async_state['status'] == 'failed'")
    assert "changed type" in state(s)["failed"]
    assert s.sync().keys() == [1]


def test_empty_result_is_ok_unless_asked_to_fail(stream):
    s = stream()
    s.run("w.stream_async(lambda: [])")
    wait_for(s, "w.async_state['status'] == 'ok'")
    assert state(s)["rows"] == 0
    s.run("w.stream_async(lambda: [], fail_on_empty=True)")
    wait_for(s, "w.async_state['status'] == 'failed'")
    assert state(s)["failed"].startswith("LookupError")


def test_bad_arguments(stream):
    s = stream()
    for code, words in [
        ("w.stream_async([1, 2])", "needs a function"),
        ("w.start_async('stream', print)", "belongs to stream_async"),
        ("from livestream_widget import StreamItems; StreamItems([], at=-3)", "at must be"),
    ]:
        with pytest.raises(KernelError, match=words):
            s.run(code)


def test_start_async_newest_call_wins(stream):
    s = stream()
    s.run(
        "results = []\n"
        "@w.on_async('q')\n"
        "def done(ok, value):\n    results.append((ok, repr(value)))\n"
        "def slow():\n    time.sleep(0.6)\n    return 'old'\n"
        "w.start_async('q', slow); w.start_async('q', lambda: 'new')"
    )
    wait_for(s, "len(results) >= 1")
    time.sleep(0.8)  # let the slow run finish: its result must be ignored
    assert s.kernel.eval("results") == [(True, "'new'")]


def test_cancel_generator_stops_it_and_reports_cancelled(stream):
    s = stream()
    s.run(
        "stopped = []\n"
        "def gen():\n"
        "    try:\n"
        "        for i in range(1000):\n"
        "            yield {'id': i}\n"
        "            time.sleep(0.05)\n"
        "    finally:\n"
        "        stopped.append(True)\n"
        "w.stream_async(gen)\ntime.sleep(0.3)\nprint(w.cancel_async())"
    )
    assert state(s)["status"] == "failed" and state(s)["failed"] == "cancelled"
    wait_for(s, "stopped == [True]")
    rows = len(s.sync().keys())
    time.sleep(0.3)
    assert len(s.sync().keys()) == rows and 0 < rows < 1000
    assert s.kernel.eval(f"{s.var}.cancel_async()") is False  # nothing left to cancel


def test_cancel_coroutine_task(stream):
    s = stream()
    s.run(
        "import asyncio\nresults = []; seen_cancel = []\n"
        "@w.on_async('c')\ndef done(ok, value):\n    results.append((ok, type(value).__name__))\n"
        "async def forever():\n"
        "    try:\n        await asyncio.sleep(60)\n"
        "    except asyncio.CancelledError:\n        seen_cancel.append(True)\n        raise\n"
        "w.start_async('c', forever)"
    )
    s.run("w.cancel_async('c')")
    wait_for(s, "seen_cancel == [True]")
    assert s.kernel.eval("results") == [(False, "Cancelled")]


def test_retry_and_cancel_buttons_from_the_front_end(stream):
    s = stream()
    s.run(
        "calls = []\n"
        "def flaky():\n"
        "    calls.append(1)\n"
        "    if len(calls) == 1:\n        raise RuntimeError('first time fails')\n"
        "    return [{'id': 1}]\n"
        "w.stream_async(flaky)"
    )
    wait_for(s, "w.async_state['status'] == 'failed'")
    s.kernel.send_comm(s.comm_id, {"kind": "retry"})
    wait_for(s, "w.async_state['status'] == 'ok'")
    assert s.sync().keys() == [1]
    s.run("def slow():\n    time.sleep(30)\n    return [{'id': 2}]\nw.stream_async(slow)")
    s.kernel.send_comm(s.comm_id, {"kind": "cancel"})
    wait_for(s, "w.async_state['status'] == 'failed'")
    assert state(s)["failed"] == "cancelled"


def test_loaded_rows_are_not_kept_and_a_fast_loader_stays_bounded(stream):
    s = stream("resend_budget=8 * 2**20")
    tab = FrontEnd(s).hello()
    out = s.run(
        "import numpy as np\n"
        "gc.collect(); base = pa.total_allocated_bytes(); refs = []; peak = [0]\n"
        "def gen():\n"
        "    for b in range(300):\n"
        "        t = pa.table({'id': np.arange(b * 10_000, (b + 1) * 10_000), 'x': np.random.rand(10_000)})\n"
        "        refs.append(weakref.ref(t.column('id').chunks[0].buffers()[1]))\n"
        "        peak[0] = max(peak[0], pa.total_allocated_bytes() - base)\n"
        "        yield t\n"
        "w.stream_async(gen)"
    )
    # The front end acknowledges as it goes (the kernel reads acks between cells), so the
    # loader's thread never waits long; then everything is delivered and may be forgotten.
    tab.ack_until(f"{s.var}.async_state['status'] != 'loading'")
    s.run("w.flush(); time.sleep(0.05); w.flush()")
    tab.ack_all()
    out = s.run(
        "gc.collect()\n"
        "print(w.async_state['rows'], sum(r() is not None for r in refs), pa.total_allocated_bytes() - base, peak[0])"
    )
    rows, alive, arrow_bytes, peak = map(int, out.split())
    assert rows == 3_000_000 and alive == 0 and arrow_bytes < 2**20
    # 48 MB of rows went through; the kernel held at most the diffs kept until acknowledged
    # (the 8 MiB resend budget) plus pending rows (the 4 MiB flush threshold).
    assert peak < 16 * 2**20, peak
