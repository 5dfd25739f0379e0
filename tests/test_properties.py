"""Property test: random ops, flush boundaries, drops and duplicates -> the browser's rows equal
a plain model of the contract every time, with each `compression` setting and with string
columns sent as dictionaries (the thresholds are lowered so that even a one-row diff is
dictionary-encoded and compressed, with the codec each example draws).

The real StreamWidget, op log, encoder, outbox and browser-message handler run in-process; only
the transport is replaced (by a lossy wire) so that thousands of sequences run in seconds. The
real comm path is covered by the kernel and end-to-end tests.
"""

from collections import Counter

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from livestream_widget import StreamWidget, compaction, delivery, flusher, payload
from livestream_widget import stream as stream_module

from .reference import ReferenceStore

#: What the browser received: buffers with a dictionary, compressed with each codec.
SEEN: Counter = Counter()
MAGIC = {"lz4": b"\x04\x22\x4d\x18", "zstd": b"\x28\xb5\x2f\xfd"}

ids = st.integers(0, 15)
ats = st.integers(-1, 6)
limits = st.one_of(st.none(), st.integers(-8, 8))
WORDS = ["buy", "sell", None, "δ"]  # a low-cardinality string column: sent as a dictionary
item = st.builds(lambda k, v: {"id": k, "v": v, "s": WORDS[v % 4]}, ids, st.integers(0, 99))


class Browser:
    """Receives the kernel's messages as the JS Receiver (js/src/receiver.js) does: in order,
    holding early ones, one resend request per hole."""

    def __init__(self, w):
        self.w, self.store, self.expected, self.held, self.asked = w, ReferenceStore(), 1, {}, False

    def tell(self, **content):
        self.w._on_front_end_msg(self.w, {**content, "frontend": "prop"}, [])

    def receive(self, content, buffers):
        if content["kind"] == "lost":
            raise AssertionError(f"the kernel could not resend {content}")
        if content["kind"] != "diff":
            return
        for b in buffers:
            schema = pa.ipc.open_stream(b).schema
            SEEN["dictionary"] += any(pa.types.is_dictionary(f.type) for f in schema)
            SEEN.update(c for c, magic in MAGIC.items() if magic in b)
            SEEN["auto"] += self.w.compression == "auto" and MAGIC["zstd"] in b
        seq = content["seq"]
        if seq < self.expected or seq in self.held:
            return  # duplicate
        self.held[seq] = (content, buffers)
        if seq > self.expected:
            self.ask(seq)
            return
        while self.expected in self.held:
            c, b = self.held.pop(self.expected)
            self.store.apply_ops(c, b)
            self.expected += 1
            self.tell(kind="ack", seq=c["seq"], count=len(self.store.rows))
        self.asked = False
        if self.held:  # a later hole: ask for it too
            self.ask(min(self.held))

    def ask(self, received):
        if not self.asked:
            self.asked = True
            self.tell(kind="gap", expected=self.expected, received=received)


class StreamMachine(RuleBasedStateMachine):
    @initialize(compression=st.sampled_from(payload.COMPRESSIONS))
    def start(self, compression):
        self.w = StreamWidget(compression=compression)
        self.wire = []
        self.w.send = lambda content, buffers=None: self.wire.append(
            (content, [bytes(b) for b in buffers or []])
        )
        self.browser = Browser(self.w)
        self.browser.tell(kind="hello", expected=1)
        self.model = ReferenceStore()
        self.sentinel = 1000

    def _model_insert(self, rows, at, limit, update_only=False):
        for r in rows:
            self.model.insert_row(f"items-{r['id']}", r, at, limit, update_only)

    @rule(r=item, at=ats, limit=limits, update_only=st.booleans())
    def insert(self, r, at, limit, update_only):
        self.w.insert(r, at=at, limit=limit, update_only=update_only)
        self._model_insert([r], at, limit, update_only)

    @rule(rows=st.lists(item, max_size=6), at=ats, limit=limits, reset=st.booleans())
    def stream(self, rows, at, limit, reset):
        self.w.stream(rows, at=at, limit=limit, reset=reset)
        if reset:
            self.model.rows.clear()
            self.model.held.clear()
        self._model_insert(rows, at, limit)

    @rule(
        fresh=st.integers(1, 30),
        reused=st.lists(st.tuples(ids, st.integers(0, 30)), max_size=3),
        at=st.sampled_from([-1, 0]),
        limit=st.integers(-4, 4),
        single=st.booleans(),
    )
    def feed(self, fresh, reused, at, limit, single):
        # Many new ids and a small limit: the shape compaction acts on; `reused` ids may update
        # rows the browser holds, which compaction must notice.
        rows = [{"id": self.sentinel + 1 + i, "v": i, "s": WORDS[i % 4]} for i in range(fresh)]
        self.sentinel += fresh
        for k, position in reused:
            rows.insert(min(position, len(rows)), {"id": k, "v": -1, "s": "x"})
        if single:
            for r in rows:
                self.w.insert(r, at=at, limit=limit)
        else:
            self.w.stream(rows, at=at, limit=limit)
        self._model_insert(rows, at, limit)

    @rule(k=ids, by_dom_id=st.booleans())
    def delete(self, k, by_dom_id):
        if by_dom_id:
            self.w.delete_by_dom_id(f"items-{k}")
        else:
            self.w.delete({"id": k, "v": 0})
        if f"items-{k}" in self.model.held:
            self.model.rows = type(self.model.rows)(
                r for r in self.model.rows if r[0] != f"items-{k}"
            )
            self.model.held.discard(f"items-{k}")

    @rule()
    def flush(self):
        self.w.flush()

    @rule(n=st.integers(1, 3), drop=st.booleans(), duplicate=st.booleans())
    def deliver(self, n, drop, duplicate):
        for _ in range(min(n, len(self.wire))):
            content, buffers = self.wire.pop(0)
            if drop and content["kind"] == "diff" and not content.get("resent"):
                continue  # lost on the way (the server's rate limit, the IOPub queue)
            self.browser.receive(content, buffers)
            if duplicate:
                self.browser.receive(content, buffers)

    @invariant()
    def kernel_keeps_only_unacknowledged(self):
        assert all(seq >= self.browser.expected for seq in self.w._outbox._sent)

    def teardown(self):
        if not hasattr(self, "w"):
            return
        # A last diff makes any trailing loss visible, as the next update would in real use.
        self.sentinel += 1
        self.w.insert({"id": self.sentinel, "v": 0, "s": None})
        self._model_insert([{"id": self.sentinel, "v": 0, "s": None}], -1, None)
        self.w.flush()
        while self.wire:
            self.browser.receive(*self.wire.pop(0))
        assert list(self.browser.store.rows) == list(self.model.rows)
        self.w.close()


@pytest.fixture(autouse=True)
def deterministic_flushes(monkeypatch):
    # Flushes happen only where the machine says: no background timer, no pacing delay.
    monkeypatch.setattr(flusher.FLUSHER, "interval", 1e9)
    monkeypatch.setattr(delivery, "MIN_SEND_INTERVAL", 0)
    # Every buffer takes a dictionary and, unless compression is None, a compressed body.
    monkeypatch.setattr(payload, "AUTO_MIN_BYTES", 0)
    monkeypatch.setattr(payload, "AUTO_MIN_SAVING", -1.0)
    monkeypatch.setattr(payload, "DICTIONARY_MIN_ROWS", 1)
    monkeypatch.setattr(payload, "DICTIONARY_MAX_DISTINCT", 1.0)


def test_stream_delivery(monkeypatch):
    compacted = []

    def counting(ops, bound, key=None):
        out, after = compaction.compact(ops, bound, key)
        dropped = sum(_rows(ops)) - sum(_rows(out))
        if dropped:
            compacted.append(dropped)
            event("compacted")
        return out, after

    monkeypatch.setattr(stream_module, "compact", counting)
    run_state_machine_as_test(
        StreamMachine,
        settings=settings(
            max_examples=1000,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    # The equality checks above covered compacted flushes, not only plain ones, and buffers
    # with dictionaries and with each codec.
    assert len(compacted) > 50, compacted
    assert min(SEEN["dictionary"], SEEN["lz4"], SEEN["zstd"]) > 100, SEEN
    assert SEEN["auto"] > 100, SEEN


def _rows(ops):
    return [t.num_rows for op in ops if isinstance(op, compaction.Insert) for t in op.tables]
