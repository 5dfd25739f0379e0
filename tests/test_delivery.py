"""Flush policy and front-end messages, in a real kernel: when diffs leave, how many, how big."""

import pytest

from livestream_widget.encoder import MAX_MESSAGE_BYTES


def test_flushed_at_end_of_cell(stream):
    s = stream()
    s.run("w.insert({'id': 1})")
    # No drain: the post_execute flush must have sent it before the kernel went idle.
    diffs = s.kernel.diffs(s.comm_id)
    assert len(diffs) == 1 and diffs[0].busy


def test_rows_arrive_while_a_long_cell_runs(stream):
    s = stream()
    s.run("for i in range(20):\n    w.insert({'id': i})\n    time.sleep(0.05)")
    diffs = s.kernel.diffs(s.comm_id)
    live = [d for d in diffs if d.busy]
    assert len(live) >= 8, f"expected timer flushes during the 1 s cell, got {len(diffs)} messages"
    assert live[-1].time - live[0].time > 0.5
    s.apply(diffs)
    assert s.store.keys() == list(range(20))


def test_tight_loop_of_single_inserts_is_coalesced_below_100_messages_per_second(stream):
    s = stream()
    t0 = s.kernel.eval("time.monotonic()")
    s.run("for i in range(100_000): w.insert({'id': i, 'v': i * 0.5}, limit=-100_000)")
    seconds = s.kernel.eval("time.monotonic()") - t0
    s.kernel.drain(0.2)
    diffs = s.kernel.diffs(s.comm_id)
    assert len(diffs) <= max(100 * seconds, 1) + 2, (len(diffs), seconds)
    s.apply(diffs)
    assert s.store.keys() == list(range(100_000))


def test_big_diffs_are_split_and_pending_bytes_trigger_flushes(stream):
    s = stream()
    s.run(
        "import numpy as np\n"
        "big = pd.DataFrame({'id': np.arange(400_000), 'x': np.random.rand(400_000),"
        " 'note': [f'some text of moderate length {i}' for i in range(400_000)]})\n"
        "w.compression = None\n"  # the split by bytes, not what compression saves
        "w.stream(big); del big"
    )
    diffs = s.kernel.diffs(s.comm_id)
    sizes = [sum(len(b) for b in d.buffers) for d in diffs]
    assert len(diffs) >= 3 and max(sizes) <= MAX_MESSAGE_BYTES * 1.05, sizes
    s.apply(diffs)
    assert s.store.keys() == list(range(400_000))


def test_pending_bytes_flush_from_the_producer_thread(stream):
    s = stream()
    # 30 batches of ~0.6 MB with no pause: the 4 MiB threshold must send several diffs mid-cell.
    # (No limit: with one, pending rows a limit prunes are dropped before they reach 4 MiB.)
    s.run(
        "import numpy as np\n"
        "for b in range(30):\n"
        "    w.stream(pd.DataFrame({'id': np.arange(b * 20_000, (b + 1) * 20_000),"
        " 'note': ['x' * 20] * 20_000}))"
    )
    diffs = s.kernel.diffs(s.comm_id)
    assert len([d for d in diffs if d.busy]) >= 3
    s.apply(diffs)
    assert s.store.keys() == list(range(600_000))


def test_ack_sets_count_and_hello_gets_welcome(stream):
    s = stream()
    s.run("w.stream([{'id': i} for i in range(3)])")
    s.kernel.send_comm(s.comm_id, {"kind": "ack", "seq": 1, "count": 3})
    assert s.kernel.eval(f"{s.var}.count") == 3
    s.kernel.messages.clear()
    s.kernel.send_comm(s.comm_id, {"kind": "hello"})
    s.kernel.drain(0.3)
    welcome = [m.data["content"] for m in s.kernel.messages if m.comm_id == s.comm_id]
    assert welcome == [{"kind": "welcome", "protocol": 3, "seq": 1, "replay": False}]


@pytest.mark.parametrize(
    "content",
    [
        {"kind": "nonsense"},
        {"kind": "ack", "seq": "x", "count": "many"},
        {"no": "kind"},
        {"kind": "gap", "expected": 3, "received": 9},
        {"kind": "error", "seq": 4, "message": "boom"},
    ],
)
def test_malformed_front_end_messages_are_logged_and_ignored(stream, content):
    s = stream()
    s.kernel.send_comm(s.comm_id, content)
    s.run("w.insert({'id': 1})")
    assert s.sync().keys() == [1]
    assert s.kernel.eval(f"{s.var}.count") == 0
