"""Acknowledged delivery: kept until acked, resent when lost, bounded, replayed after reload."""

import time

import pytest

from livestream_widget.outbox import EARLY_BUDGET, Outbox

from .frontend import FrontEnd
from .kernel import RSS_SOURCE


def diff(seq: int, size: int = 100):
    return {"kind": "diff", "seq": seq, "ops": []}, [memoryview(bytes(size))]


def test_outbox_keeps_early_diffs_for_the_first_front_end_then_until_all_ack():
    box = Outbox(budget=10_000)
    box.keep(*diff(1))
    assert box.nbytes == 100 and box.early_start(1) == 1  # kept for a front end still to come
    box.hello("a", 1)
    assert box.nbytes == 0
    box.hello("b", 1)
    for seq in (2, 3, 4):
        box.keep(*diff(seq))
    box.ack("a", 4)
    assert box.nbytes == 300  # b has not acknowledged
    box.ack("b", 3)
    assert box.nbytes == 100
    found, missing = box.resend(3, 4)
    assert [c["seq"] for c, _ in found] == [4] and found[0][0]["resent"] and missing == [3]


def test_early_diffs_are_bounded_and_rebuild_rows_only_from_a_reset():
    box = Outbox()
    for seq in range(1, 41):
        box.keep(*diff(seq, 2**20))
    assert box.nbytes <= EARLY_BUDGET  # a widget never displayed keeps at most this
    assert box.early_start(40) is None  # diff 1 is gone and none of the kept starts over
    box.keep({"kind": "diff", "seq": 41, "ops": [{"op": "reset"}]}, [memoryview(bytes(10))])
    box.keep(*diff(42))
    assert box.early_start(42) == 41


def test_outbox_budget_and_stale_front_ends(monkeypatch):
    box = Outbox(budget=1000)
    box.hello("a", 0)
    for seq in range(1, 21):
        box.keep(*diff(seq))
    assert box.nbytes <= 1000 and box.resend(1, 1)[1] == [1]  # the oldest were dropped
    assert not box.has_room() and not box.wait_for_room(0.05)
    clock = [1000.0]
    monkeypatch.setattr("livestream_widget.outbox.time.monotonic", lambda: clock[0])
    box.hello("gone", 0)  # a tab that will never acknowledge
    clock[0] += 60
    box.ack("a", 20)  # 'gone' is stale now: it no longer holds diffs back
    assert box.nbytes == 0 and box.has_room()


def test_rows_are_kept_until_acknowledged_then_freed(stream):
    """Sent diffs are kept, in pages of their own (memory.py), until acknowledged; then the
    kernel process's memory (RSS) gives them back."""
    s = stream("compression=None")  # the ids as they are: 16 MB kept (they compress to little)
    tab = FrontEnd(s).hello()
    s.run("import numpy as np\n" + RSS_SOURCE)
    out = s.run(
        # The rows exist before the baseline (a feed's source holds them either way).
        "ids = np.arange(2_000_000); gc.collect(); base = pa.total_allocated_bytes(); rss0 = rss()\n"
        "w.stream(pa.table({'id': ids})); w.flush(); gc.collect()\n"
        "print(w._outbox.nbytes, rss() - rss0, pa.total_allocated_bytes() - base)"
    )
    kept, rss_kept, arrow = map(int, out.split())
    # Sent, not yet acknowledged: kept to resend (16 MB of ids), outside Arrow's pool.
    assert kept >= 16_000_000 and rss_kept >= 14_000_000, out
    assert arrow < 2**16, out
    tab.ack_all()
    out = s.run("gc.collect(); print(w._outbox.nbytes, rss() - rss0)")
    kept, rss_kept = map(int, out.split())
    # Acknowledged: the 16 MB are given back (what remains is the process's own churn).
    assert kept == 0 and rss_kept < 8 * 2**20, out


def test_lost_diffs_are_resent_in_order_or_reported_lost(stream):
    s = stream("resend_budget=2400")  # diffs of ~700 B: the newest three fit
    tab = FrontEnd(s).hello()
    s.run(
        "for i in range(5):\n    w.stream([{'id': i, 'v': 'x' * 300}]); w.flush(); time.sleep(0.02)"
    )
    s.kernel.drain(0.2)
    s.kernel.diffs(s.comm_id)
    tab.send(kind="gap", expected=2, received=5)  # the browser got 1 and 5
    s.kernel.drain(0.3)
    replies = [c for c in s.kernel.custom(s.comm_id) if c["kind"] != "welcome"]
    kinds = [(c["kind"], c.get("seq"), c.get("resent")) for c in replies]
    assert ("diff", 4, True) in kinds
    lost = [c for c in replies if c["kind"] == "lost"]
    # 2400 bytes keep only the newest diffs: the oldest asked for are reported lost, first
    assert lost and lost[0]["from"] == 2 and kinds.index(("lost", None, None)) == 0
    assert s.kernel.eval(f"{s.var}.lost") == lost[0]["to"] - 1


def test_producer_thread_waits_for_the_browser(stream):
    # Uncompressed: these ids would shrink ~8x and never fill the budget.
    s = stream("resend_budget=16 * 2**20, compression=None")
    tab = FrontEnd(s).hello()
    s.run(
        "import numpy as np, threading\nmade = [0]\n"
        "def produce():\n"
        "    for b in range(60):\n"
        "        w.stream(pa.table({'id': np.arange(b * 50_000, (b + 1) * 50_000)}))\n"
        "        made[0] += 1\n"
        "t = threading.Thread(target=produce); t.start()"
    )
    time.sleep(1.5)
    stalled = s.kernel.eval("made[0]")
    assert stalled < 60, "the producer should wait for acknowledgements"
    assert s.kernel.eval(f"{s.var}._outbox.nbytes") <= 16 * 2**20
    tab.ack_until("made[0] == 60")
    assert s.kernel.eval("made[0]") == 60


def test_busy_cell_loop_stays_bounded_without_acknowledgements(stream):
    s = stream("resend_budget=4 * 2**20")
    FrontEnd(s).hello()
    out = s.run(
        "import numpy as np\npeak = 0\n"
        "for b in range(300):\n"
        "    w.stream(pa.table({'id': np.arange(b * 20_000, (b + 1) * 20_000)}))\n"
        "    peak = max(peak, w._outbox.nbytes)\n"
        "print(peak)"
    )
    assert int(out) <= 4 * 2**20  # 48 MB went out; the oldest kept diffs were dropped


def test_new_front_end_gets_rows_replayed_from_source(stream):
    s = stream("replay=lambda: [{'id': 'a'}, {'id': 'b'}]")
    FrontEnd(s, "page").hello()  # the page before the reload
    s.run("w.stream([{'id': 'x'}])")
    s.sync()
    s.kernel.messages.clear()
    FrontEnd(s, "reloaded").send(kind="hello", expected=1, first=None)
    time.sleep(0.5)
    s.kernel.drain(0.3)
    welcome = [c for c in s.kernel.custom(s.comm_id) if c["kind"] == "welcome"]
    assert welcome and welcome[0]["replay"] is True
    assert s.sync().keys() == ["a", "b"]


def test_new_front_end_without_source_is_told_rows_are_gone(stream):
    s = stream()
    FrontEnd(s, "page").hello()
    s.run("w.stream([{'id': 1}])")
    s.kernel.messages.clear()
    FrontEnd(s, "reloaded").send(kind="hello", expected=1)
    s.kernel.drain(0.3)
    assert s.kernel.custom(s.comm_id) == [
        {"kind": "welcome", "protocol": 3, "seq": 1, "replay": False}
    ]


def test_a_front_end_that_starts_late_gets_the_early_diffs(stream):
    # marimo starts a widget's front end only when its view renders: rows streamed before
    # (in the cell that creates the widget) are kept for the first front end and resent.
    s = stream()
    s.run("w.stream([{'id': i} for i in range(5)]); w.flush(wait=True); w.insert({'id': 9}, at=0)")
    s.kernel.drain(0.3)
    s.kernel.diffs(s.comm_id)  # sent while no front end existed: nobody got them
    s.kernel.messages.clear()
    FrontEnd(s, "late").send(kind="hello", expected=1, first=None)
    s.kernel.drain(0.3)
    welcome = [c for c in s.kernel.custom(s.comm_id) if c["kind"] == "welcome"]
    assert welcome[0]["resend_from"] == 1 and welcome[0]["replay"] is False
    resent = s.kernel.diffs(s.comm_id)
    assert all(m.data["content"]["resent"] for m in resent)
    assert s.apply(resent).keys() == [9, 0, 1, 2, 3, 4]
    # A second new front end gets the usual answer: the rows live in a page it never saw.
    s.kernel.messages.clear()
    FrontEnd(s, "tab2").send(kind="hello", expected=1, first=None)
    s.kernel.drain(0.3)
    assert "resend_from" not in s.kernel.custom(s.comm_id)[0]


def test_producers_on_several_threads_keep_their_order(stream):
    s = stream()
    s.run(
        "import threading\n"
        "def produce(p):\n"
        "    for i in range(2000):\n"
        "        w.insert({'id': f'{p}-{i}', 'p': p, 'i': i})\n"
        "threads = [threading.Thread(target=produce, args=(p,)) for p in range(4)]\n"
        "[t.start() for t in threads]; time.sleep(0.2); [t.join() for t in threads]"
    )
    rows = [r for _, r in s.sync().rows]
    assert len(rows) == 8000 and len({(r["p"], r["i"]) for r in rows}) == 8000
    for p in range(4):
        assert [r["i"] for r in rows if r["p"] == p] == list(range(2000))


@pytest.mark.parametrize(
    "content",
    [
        {"kind": "ack", "seq": 10**9, "count": 1},  # a seq from the future
        {"kind": "ack", "seq": -1, "count": 1},
        {"kind": "gap", "expected": 5, "received": 2},
        {"kind": "gap", "expected": "1", "received": None},
        {"kind": "hello", "expected": "soon"},
        {"kind": "retry"},  # nothing to retry
    ],
)
def test_bad_front_end_messages_change_nothing(stream, content):
    s = stream()
    s.run("w.insert({'id': 1})")
    s.kernel.send_comm(s.comm_id, content, buffers=[b"x" * 1000])
    s.run("w.insert({'id': 2})")
    assert s.sync().keys() == [1, 2]
    assert s.kernel.eval(f"({s.var}.count, {s.var}.lost)") == (0, 0)


def test_async_generator_loader_waits_for_acknowledgements(stream):
    s = stream("resend_budget=16 * 2**20, compression=None")  # as above
    tab = FrontEnd(s).hello()
    s.run(
        "import numpy as np\nmade = [0]\n"
        "async def pages():\n"
        "    for b in range(60):\n"
        "        made[0] += 1\n"
        "        yield pa.table({'id': np.arange(b * 50_000, (b + 1) * 50_000)})\n"
        "w.stream_async(pages)"
    )
    time.sleep(1.0)
    assert s.kernel.eval("made[0]") < 60, "the loader should wait for the browser"
    tab.ack_until(f"{s.var}.async_state['status'] != 'loading'")
    assert s.kernel.eval(f"({s.var}.async_state['status'], made[0])") == ("ok", 60)
