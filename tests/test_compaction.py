"""Compaction: rows that cannot survive a limit are never sent, and the browser ends the same.

The pure test drives `compact` straight against the reference model from many browser states;
the kernel tests show what leaves a real kernel. The state machine in test_properties.py covers
compaction mixed with every other op, flush boundaries, drops and duplicates.
"""

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from livestream_widget.compaction import compact
from livestream_widget.encoder import encode
from livestream_widget.items import DOM_ID
from livestream_widget.oplog import Delete, Insert

from .reference import ReferenceStore


def table(keys):
    return pa.table({DOM_ID: [f"items-{k}" for k in keys], "id": pa.array(keys, pa.int64())})


def browser_after(start, ops):
    store = ReferenceStore()
    for k in start:
        store.insert_row(f"items-{k}", {"id": k}, -1, None, False)
    for content, buffers in encode(ops, 1):
        store.apply_ops(content, buffers)
    return list(store.rows)


def rows_in(ops):
    return sum(t.num_rows for op in ops if isinstance(op, Insert) for t in op.tables)


batches = st.lists(st.lists(st.integers(0, 40), max_size=25), min_size=1, max_size=3)


@given(
    start=st.lists(st.integers(0, 40), unique=True, max_size=12),
    slack=st.integers(0, 3),
    at=st.sampled_from([-1, 0, 1]),
    limit=st.one_of(st.none(), st.integers(-5, 5)),
    batches=batches,
    keyed=st.booleans(),
    delete=st.lists(st.integers(0, 40), max_size=2),
)
@settings(max_examples=4000, deadline=None)
def test_compacted_ops_leave_the_same_rows(start, slack, at, limit, batches, keyed, delete):
    # `bound` is only an upper bound on what the browser holds: the slack checks that too.
    ops = [Insert(at, limit, False, [table(b) for b in batches if b])] if any(batches) else []
    if delete:
        ops.insert(0, Delete([f"items-{k}" for k in delete]))
    bound = len(start) + slack
    out, after = compact(ops, bound, "id" if keyed else None)
    result = browser_after(start, out)
    assert result == browser_after(start, ops)
    assert len(result) <= after


def test_a_long_feed_keeps_only_its_surviving_tail():
    keys = list(range(10_000))
    for at, limit, kept in [(-1, -100, keys[-100:]), (0, 100, keys[:-101:-1])]:
        ops = [Insert(at, limit, False, [table(keys[:4000]), table(keys[4000:])])]
        out, after = compact(ops, 100)
        assert rows_in(out) == 100 and after == 100
        assert [r["id"] for _, r in browser_after(range(-50, 0), out)] == kept


def test_nothing_is_dropped_where_a_row_could_survive():
    keys = list(range(1000))
    cases = [
        (-1, 10, keys, 0),  # at=-1, limit >= 0 keeps the first rows (or updates of held rows)
        (-1, -10, keys[:-1] + [5], 0),  # a repeated id may update a surviving row in place
        (-1, -10, keys[:25], 5),  # too few rows to be sure every held row was pruned
        (1, -10, keys, 0),  # at=N
    ]
    for at, limit, ks, bound in cases:
        ops = [Insert(at, limit, False, [table(ks)])]
        assert compact(ops, bound)[0] == ops, (at, limit, bound)


def test_one_million_appended_with_a_limit_send_only_the_last_rows(stream):
    s = stream()
    s.run("w.stream(pd.DataFrame({'id': range(1_000_000), 'v': 0.5}), limit=-1000)")
    s.kernel.drain(0.3)
    diffs = s.kernel.diffs(s.comm_id)
    sent = sum(len(b) for m in diffs for b in m.buffers)
    assert sent < 100_000, f"{sent} bytes sent for 1000 surviving rows"
    assert s.apply(diffs).keys() == list(range(999_000, 1_000_000))


def test_single_row_inserts_from_a_fast_loop_are_compacted_too(stream):
    s = stream()
    s.run("for i in range(200_000): w.insert({'id': i, 'v': i}, limit=-100)")
    s.kernel.drain(0.3)
    diffs = s.kernel.diffs(s.comm_id)
    per_diff = [sum(op.get("rows", 0) for op in m.data["content"]["ops"]) for m in diffs]
    # Pending rows doomed by the limit are dropped once they reach 3x the limit, so a flush
    # carries at most that many; how many flushes the loop spans depends on the machine's
    # speed (a loaded machine sends more, smaller diffs), so the total has no constant bound.
    assert max(per_diff) <= 3 * 100 + 1, per_diff
    assert sum(per_diff) < 200_000, f"{sum(per_diff)} of 200,000 rows sent"
    assert s.apply(diffs).keys() == list(range(199_900, 200_000))


def test_a_producer_faster_than_the_timer_keeps_pending_rows_bounded(stream):
    # A busy cell appending with a limit: doomed rows are dropped while still pending, so the
    # kernel never holds more than ~3x the limit, and each flush sends what survives.
    s = stream()
    out = s.run(
        "import numpy as np\n"
        "most = 0\n"
        "for b in range(400):\n"
        "    w.stream(pd.DataFrame({'id': np.arange(b * 1000, (b + 1) * 1000), 'v': 0.5}),"
        " limit=-5000)\n"
        "    most = max(most, w._stream.log.last_rows)\n"
        "print(most)"
    )
    assert int(out) <= 3 * 5000 + 1000
    s.kernel.drain(0.3)
    diffs = s.kernel.diffs(s.comm_id)
    sent = sum(op.get("rows", 0) for m in diffs for op in m.data["content"]["ops"])
    assert sent < 200_000, f"{sent} of 400,000 rows sent for 5,000 surviving ones"
    assert s.apply(diffs).keys() == list(range(395_000, 400_000))
