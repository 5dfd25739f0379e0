"""The stream contract (REFERENCE §1), end to end through a real kernel and the real comm."""

import pytest

from .kernel import KernelError

TRUTH_TABLE = [
    # at, limit, after 1..10, after 11, after 12..21
    (-1, -5, [6, 7, 8, 9, 10], [7, 8, 9, 10, 11], [17, 18, 19, 20, 21]),
    (0, 5, [10, 9, 8, 7, 6], [11, 10, 9, 8, 7], [21, 20, 19, 18, 17]),
    (-1, 5, [1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5]),
    (0, -5, [5, 4, 3, 2, 1], [5, 4, 3, 2, 1], [5, 4, 3, 2, 1]),
    (1, 5, [1, 10, 9, 8, 7], [1, 11, 10, 9, 8], [1, 21, 20, 19, 18]),
    (1, -5, [10, 5, 4, 3, 2], [11, 5, 4, 3, 2], [21, 5, 4, 3, 2]),
]


@pytest.mark.parametrize("at,limit,first,second,third", TRUTH_TABLE)
@pytest.mark.parametrize("kind", ["dicts", "dataframe", "arrow", "single"])
def test_truth_table(stream, at, limit, first, second, third, kind):
    s = stream()
    batch = {
        "dicts": "[{{'id': i, 'v': f'r{{i}}'}} for i in range({a}, {b})]",
        "dataframe": "pd.DataFrame({{'id': range({a}, {b}), 'v': [f'r{{i}}' for i in range({a}, {b})]}})",
        "arrow": "pa.table({{'id': list(range({a}, {b})), 'v': [f'r{{i}}' for i in range({a}, {b})]}})",
    }
    for (a, b), expected in zip([(1, 11), (11, 12), (12, 22)], [first, second, third], strict=True):
        if kind == "single":
            s.run(
                f"for i in range({a}, {b}): w.insert({{'id': i, 'v': f'r{{i}}'}}, at={at}, limit={limit})"
            )
        else:
            s.run(f"w.stream({batch[kind].format(a=a, b=b)}, at={at}, limit={limit})")
        assert s.sync().keys() == expected
    assert s.store.ids == [f"items-{i}" for i in third]


def test_update_in_place_keeps_position_and_ignores_at_and_limit(stream):
    s = stream()
    s.run("w.stream([{'id': i, 'v': 'old'} for i in range(5)])")
    s.run("w.insert({'id': 2, 'v': 'new'}, at=0, limit=1)")
    rows = list(s.sync().rows)
    assert [r["id"] for _, r in rows] == [0, 1, 2, 3, 4]
    assert rows[2][1]["v"] == "new"


def test_update_only(stream):
    s = stream()
    s.run("w.stream([{'id': 1, 'v': 'a'}])")
    s.run(
        "w.insert({'id': 1, 'v': 'b'}, update_only=True); w.insert({'id': 2, 'v': 'c'}, update_only=True)"
    )
    assert list(s.sync().rows) == [("items-1", {"id": 1, "v": "b"})]


def test_delete_delete_by_dom_id_unknown_and_move(stream):
    s = stream()
    s.run("w.stream([{'id': i} for i in range(6)])")
    s.run("w.delete({'id': 1}); w.delete_by_dom_id('items-3'); w.delete_by_dom_id('items-99')")
    assert s.sync().keys() == [0, 2, 4, 5]
    s.run("w.delete({'id': 5}); w.insert({'id': 5}, at=0)")  # move = delete + insert
    assert s.sync().keys() == [5, 0, 2, 4]
    s.run("w.delete(pd.DataFrame({'id': [0, 2]}))")
    assert s.sync().keys() == [5, 4]


def test_call_order_is_kept_insert_then_delete(stream):
    # Departure from LiveView (which would apply the delete before the insert).
    s = stream()
    s.run("w.insert({'id': 1}); w.delete({'id': 1}); w.insert({'id': 2})")
    assert s.sync().keys() == [2]


def test_at_is_honoured_on_first_call(stream):
    s = stream()
    s.run("w.stream([{'id': 1}, {'id': 2}, {'id': 3}], at=0)")
    assert s.sync().keys() == [3, 2, 1]


def test_at_past_the_end_appends_and_limit_zero_keeps_nothing(stream):
    s = stream()
    s.run("w.stream([{'id': 1}, {'id': 2}]); w.insert({'id': 3}, at=50)")
    assert s.sync().keys() == [1, 2, 3]
    s.run("w.insert({'id': 4}, limit=0)")
    assert s.sync().keys() == []


def test_reset_and_reset_with_items_and_new_columns(stream):
    s = stream()
    s.run("w.stream([{'id': 1, 'a': 1}, {'id': 2, 'a': 2}])")
    s.run("w.reset([{'id': 7, 'b': 'x'}])")  # a reset may change the columns
    assert list(s.sync().rows) == [("items-7", {"id": 7, "b": "x"})]
    s.run("w.stream([{'id': 8, 'b': 'y'}], reset=True)")
    assert s.sync().keys() == [8]
    s.run("w.reset()")
    assert list(s.sync().rows) == []


def test_duplicate_ids_in_one_batch_update_in_place(stream):
    s = stream()
    s.run("w.stream([{'id': 1, 'v': 'a'}, {'id': 2, 'v': 'b'}, {'id': 1, 'v': 'c'}], at=0)")
    assert list(s.sync().rows) == [
        ("items-2", {"id": 2, "v": "b"}),
        ("items-1", {"id": 1, "v": "c"}),
    ]


def test_configure_dom_id_and_series_items(stream):
    s = stream("name='songs'")
    s.run("w.configure(dom_id=lambda row: f\"song-{row['title']}\")")
    s.run("w.stream(pd.DataFrame({'title': ['a', 'b']})); w.insert(pd.Series({'title': 'c'}))")
    assert s.sync().ids == ["song-a", "song-b", "song-c"]
    s.run("w.delete({'title': 'b'})")
    assert s.sync().ids == ["song-a", "song-c"]


def test_default_dom_id_uses_name_and_key_and_index(stream):
    s = stream("name='trades', key='tid'")
    s.run("w.stream(pd.DataFrame({'px': [1.5, 2.5]}, index=pd.Index([10, 11], name='tid')))")
    assert list(s.sync().rows) == [
        ("trades-10", {"tid": 10, "px": 1.5}),
        ("trades-11", {"tid": 11, "px": 2.5}),
    ]


@pytest.mark.parametrize(
    "code,error,words",
    [
        ("w.insert({'id': 1}, at=-2)", "ValueError", "at must be -1"),
        ("w.stream([{'id': 1}], at=1.5)", "ValueError", "at must be -1"),
        ("w.insert({'id': 1}, limit='5')", "TypeError", "limit must be an int"),
        ("w.insert({'id': 1}); w.configure(dom_id=str)", "RuntimeError", "before the first insert"),
        ("w.insert({'name': 'x'})", "KeyError", "no 'id' column"),
        ("w.insert({'id': None})", "ValueError", "no value in key column"),
        ("w.stream(42)", "TypeError", "cannot read items of type int"),
        ("w.stream(None)", "TypeError", "cannot read items of type NoneType"),
        ("w.stream([1, 2])", "TypeError", "must hold dicts"),
        (
            "w.insert({'id': 1, 'x': 1.5}); w.insert({'id': 2, 'x': 'text'})",
            "StreamSchemaError",
            "changed type",
        ),
        (
            "w.insert({'id': 1}); w.insert({'id': 2, 'extra': 1})",
            "StreamSchemaError",
            "unknown column",
        ),
        ("w.insert({'id': 1, 'x': object()})", "StreamSchemaError", "cannot show"),
        ("w.insert({'id': 1, '__dom_id': 'x'})", "StreamSchemaError", "reserved"),
        ("w.delete_by_dom_id(5)", "TypeError", "dom_id must be a str"),
        ("w.insert({'id': 1}, update_only='yes')", "TypeError", "update_only"),
    ],
)
def test_clear_errors(stream, code, error, words):
    s = stream()
    with pytest.raises(KernelError) as info:
        s.run(code)
    assert error in str(info.value) and words in str(info.value)


def test_failed_call_queues_nothing_and_stream_goes_on(stream):
    s = stream()
    s.run("w.insert({'id': 1, 'x': 1.5})")
    with pytest.raises(KernelError):
        s.run("w.stream([{'id': 2, 'x': 2.5}, {'id': 3, 'x': 'bad'}])")
    s.run("w.insert({'id': 4, 'x': 4})")  # an int fits a float column
    assert list(s.sync().rows) == [
        ("items-1", {"id": 1, "x": 1.5}),
        ("items-4", {"id": 4, "x": 4.0}),
    ]
