"""Every value arrives as it was sent, or is refused with a clear error that changes nothing.

In process (no kernel): the widget's pending ops are encoded as a flush would and the IPC bytes
decoded with pyarrow, which is what the browser's Arrow decoder receives. The display of these
values is checked in JS (js/test/values.test.js, from golden messages) and in JupyterLab.
"""

import datetime as dt
import decimal
import math
import uuid
import zoneinfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from livestream_widget import StreamSchemaError
from livestream_widget.keys import key_text

from .values_helpers import quiet_widget, wire_ids, wire_tables

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def column(w, name):
    return [v for _, t in wire_tables(w) for v in t.column(name).to_pylist()]


# -- no silent cast ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["dict", "frame"])
def test_a_float_after_ints_widens_the_column(kind):
    with quiet_widget() as w:
        first = [{"id": 1, "price": 10}, {"id": 2, "price": 20}]
        w.stream(first if kind == "dict" else pd.DataFrame(first))
        later = {"id": 3, "price": 10.5}
        w.insert(later if kind == "dict" else pd.DataFrame([later]))
        tables = wire_tables(w)
        assert [t.schema.field("price").type for _, t in tables] == [pa.int64(), pa.float64()]
        assert [v for _, t in tables for v in t.column("price").to_pylist()] == [10, 20, 10.5]
        assert w._stream.schema.schema.field("price").type == pa.float64()
        w.insert({"id": 4, "price": 7})  # later ints fit the float column exactly
        assert column(w, "price") == [7.0]


def test_a_float_key_in_an_int_column_is_its_own_row():
    with quiet_widget() as w:
        w.stream([{"id": 1, "v": 1.5}, {"id": 2, "v": 2.5}])
        w.insert({"id": 2.7, "v": 99.9})
        assert wire_ids(w) == ["items-1", "items-2", "items-2.7"]


def test_values_a_float_cannot_hold_are_refused_naming_column_and_value():
    with quiet_widget() as w:
        w.insert({"id": 1, "v": 0.5})
        with pytest.raises(StreamSchemaError, match=r"'v'.*9007199254740993"):
            w.insert({"id": 2, "v": 2**53 + 1})
        with pytest.raises(StreamSchemaError, match=r"'v'.*mixes ints and floats"):
            w.insert([{"id": 3, "v": 2**53 + 1}, {"id": 4, "v": 0.5}])


def test_an_int_is_not_taken_for_a_time():
    with quiet_widget() as w:
        w.insert({"id": 1, "at": dt.datetime(2024, 1, 1)})
        with pytest.raises(StreamSchemaError, match="'at' changed type"):
            w.insert({"id": 2, "at": 5})
        with pytest.raises(StreamSchemaError, match="'at' changed type"):
            w.insert(pd.DataFrame({"id": [2], "at": [5]}))


def test_time_units_widen_and_nanoseconds_are_kept():
    with quiet_widget() as w:
        w.insert({"id": 1, "at": dt.datetime(2024, 1, 1, 0, 0, 0, 5)})
        ns = pd.Timestamp("2024-01-01 00:00:00.000000001")
        w.insert({"id": 2, "at": ns})
        w.insert(pd.DataFrame({"id": [3], "at": [ns]}))
        tables = wire_tables(w)
        assert [t.schema.field("at").type for _, t in tables] == [
            pa.timestamp("us"),
            pa.timestamp("ns"),  # the column widened; both later rows travel in one op
        ]
        assert tables[1][1].column("at").cast(pa.int64()).to_pylist() == [ns.value, ns.value]
    with quiet_widget() as w:
        w.insert({"id": 4, "d": pd.Timedelta(1, "ns")})
        [(_, t)] = wire_tables(w)
        assert t.column("d").cast(pa.int64()).to_pylist() == [1]


def test_nan_stays_nan_and_null_stays_null_in_every_item_kind():
    rows = [{"id": 1, "f": float("nan")}, {"id": 2, "f": None}, {"id": 3, "f": 1.5}]
    for items in (rows, pa.Table.from_pylist(rows)):
        with quiet_widget() as w:
            w.stream(items)
            f = column(w, "f")
            assert math.isnan(f[0]) and f[1:] == [None, 1.5], type(items)
    with quiet_widget() as w:  # float64 frames have only NaN; nullable ones keep NA apart
        nullable = pd.array([0.0, None, 1.5], dtype="Float64")
        w.stream(pd.DataFrame({"id": [1, 2, 3], "f": [np.nan, 2.0, 1.5], "g": nullable}))
        [(_, t)] = wire_tables(w)
        assert math.isnan(t.column("f")[0].as_py()) and t.column("g").to_pylist() == [
            0.0,
            None,
            1.5,
        ]
    with quiet_widget() as w:  # pandas' missing marker among strings is a missing value
        w.stream(pd.DataFrame({"id": [1, 2], "s": ["a", None]}).to_dict("records"))
        assert column(w, "s") == ["a", None]


def test_decimals_periods_uuids_and_zones_arrive_as_sent():
    u = uuid.UUID(int=7)
    with quiet_widget() as w:
        w.stream(
            [
                {"id": 1, "d": decimal.Decimal("1.0"), "p": pd.Period("2024-01", "M"), "u": u},
                {"id": 2, "d": decimal.Decimal("1.00"), "p": pd.Period("2024Q2", "Q"), "u": u},
            ]
        )
        [(_, t)] = wire_tables(w)
        assert t.column("d").to_pylist() == ["1.0", "1.00"]
        assert t.schema.field("d").metadata == {b"livestream": b"decimal"}
        assert t.column("p").to_pylist() == ["2024-01", "2024Q2"]
        assert t.column("u").to_pylist() == [str(u)] * 2
    with quiet_widget() as w:
        midnight = dt.datetime(2024, 6, 1, tzinfo=PARIS)
        w.insert({"id": 1, "at": midnight})
        [(_, t)] = wire_tables(w)
        assert t.schema.field("at").type.tz == "Europe/Paris"
        assert t.column("at").to_pylist() == [midnight]


# -- one dom id per key value -----------------------------------------------------------------


def test_one_key_value_gets_one_dom_id_whatever_the_item_kind():
    cases = [
        (decimal.Decimal("1.0"), [decimal.Decimal("1.00"), decimal.Decimal("2")], "1"),
        (decimal.Decimal("2.50"), [decimal.Decimal("2.5"), 3], "2.5"),
        (1.0, [1, 2], "1"),
        (2.5, [2.5, 3], "2.5"),
        (1e-05, [1e-05, 1], "0.00001"),
        (1e20, [1e20, 1], "100000000000000000000"),
        (
            dt.datetime(2024, 1, 2, 3, 4, 5),
            [pd.Timestamp("2024-01-02 03:04:05")],
            "2024-01-02 03:04:05",
        ),
        (
            dt.datetime(2024, 6, 1, tzinfo=PARIS),
            [pd.Timestamp("2024-05-31 22:00", tz="UTC")],
            "2024-05-31 22:00:00+00:00",
        ),
        (dt.date(2024, 1, 2), [dt.date(2024, 1, 2)], "2024-01-02"),
        (dt.time(1, 2, 3, 500000), [dt.time(1, 2, 3, 500000)], "01:02:03.5"),
        (True, [True], "True"),
        ("é x", ["é x"], "é x"),
        (uuid.UUID(int=7), [str(uuid.UUID(int=7))], str(uuid.UUID(int=7))),
    ]
    for single, batch, text in cases:
        with quiet_widget() as w:
            w.insert({"id": single})
            w.stream([{"id": v} for v in batch])
            ids = wire_ids(w)
            assert ids[0] == f"items-{text}" == ids[1], (single, ids)
        # the same keys from a DataFrame with nanosecond times, and from Arrow
        with quiet_widget() as w:
            w.insert(pd.DataFrame({"id": [single]}))
            assert wire_ids(w) == [f"items-{text}"], single


def test_equal_numbers_of_any_type_have_one_text():
    same = [
        pa.array([1, 25], pa.int64()),
        pa.array([1.0, 25.0]),
        pa.array([decimal.Decimal("1.000"), decimal.Decimal("25")], pa.decimal128(10, 3)),
        pa.array(["1.0", "2.5E+1"], pa.string()),  # decimal text, as dict Decimals travel
    ]
    meta = [None, None, None, {b"livestream": b"decimal"}]
    texts = [key_text(a, "id", m).to_pylist() for a, m in zip(same, meta, strict=True)]
    assert texts == [["1", "25"]] * 4


def test_nanosecond_and_microsecond_keys_of_one_instant_match():
    at = dt.datetime(2024, 1, 2, 3, 4, 5, 123000)
    texts = [
        key_text(pa.array([at], pa.timestamp(unit)), "id").to_pylist()
        for unit in ("ms", "us", "ns")
    ]
    assert texts == [["2024-01-02 03:04:05.123"]] * 3


@pytest.mark.parametrize(
    "item,error,words",
    [
        ({"id": b"\xff"}, TypeError, "decode them to str"),
        ({"id": float("nan")}, ValueError, "finite key"),
        ({"id": float("inf")}, ValueError, "finite key"),
        ({"id": decimal.Decimal("NaN")}, ValueError, "identifies no row"),
        ({"id": [1, 2]}, TypeError, "cannot identify rows"),
        (pd.DataFrame({"id": [float("nan")]}), ValueError, "finite key"),
        (pd.DataFrame([[1, 2]], columns=["id", "id"]), StreamSchemaError, "duplicate column"),
        ({"id": 1, "x": 2**70}, StreamSchemaError, "beyond 64 bits"),
        ({"id": 1, "x": object()}, StreamSchemaError, "cannot show"),
        ([{"id": 1, "x": 1}, {"id": 2, "x": "a"}], StreamSchemaError, "mixes int and str"),
        ([{"id": 1, "x": True}, {"id": 2, "x": 1}], StreamSchemaError, "mixes bool and int"),
    ],
)
def test_clear_errors_instead_of_raw_ones(item, error, words):
    with quiet_widget() as w, pytest.raises(error, match=words):
        w.stream(item)


# -- a call that raises changes nothing -------------------------------------------------------


def state(w):
    schema = w._stream.schema.schema
    return (schema, len(w._stream.log), w._stream.log.nbytes, w._seq, w.columns)


def test_a_failing_dom_id_function_leaves_the_columns_free():
    with quiet_widget() as w:
        calls = []

        def dom_id(row):
            calls.append(row)
            if len(calls) == 1:
                raise RuntimeError("not yet")
            return f"r-{row['id']}"

        w.configure(dom_id=dom_id)
        before = state(w)
        with pytest.raises(RuntimeError):
            w.insert({"id": 1, "v": "text"})
        assert state(w) == before and w._stream.schema.schema is None
        w.insert({"id": 1, "v": 2.5})  # another type now: the failed call fixed nothing
        assert wire_ids(w) == ["r-1"]


def test_a_failed_reset_keeps_the_rows_and_the_columns():
    with quiet_widget() as w:
        w.stream([{"id": 1, "v": 1}])
        before = state(w)
        with pytest.raises(StreamSchemaError):
            w.stream([{"id": 2, "v": 1}, {"id": 3, "v": "x"}], reset=True)
        with pytest.raises(ValueError):
            w.reset([{"id": None}])
        assert state(w) == before


# -- random item kinds x column types x batch splits ------------------------------------------

ZONES = ["UTC", "Europe/Paris", "America/New_York"]
FAMILIES = {
    "int": st.integers(-(2**62), 2**62),
    "small": st.integers(-(2**52), 2**52),
    "float": st.floats(allow_nan=True, allow_infinity=True, width=64),
    "decimal": st.decimals(allow_nan=False, allow_infinity=False, places=3),
    "naive": st.datetimes(dt.datetime(1700, 1, 1), dt.datetime(2200, 1, 1)),
    "ns": st.integers(-(2**62), 2**62).map(lambda n: pd.Timestamp(n, unit="ns")),
    "zoned": st.datetimes(
        dt.datetime(1900, 1, 1), dt.datetime(2100, 1, 1), timezones=st.just(PARIS)
    ),
    "str": st.text(max_size=8),
    "bool": st.booleans(),
}


def _same(sent, got) -> bool:
    if sent is None or sent is pd.NaT:
        return got is None
    if isinstance(sent, float) and math.isnan(sent):
        return isinstance(got, float) and math.isnan(got)
    if isinstance(sent, decimal.Decimal):
        return got == str(sent)
    if isinstance(sent, pd.Timestamp):
        return pd.Timestamp(got).value == sent.value
    if isinstance(got, str) and isinstance(sent, int) and not isinstance(sent, bool):
        return got == str(sent)  # an int in a column of decimals: its exact text
    if isinstance(sent, bool) or isinstance(got, bool):
        return type(sent) is type(got) and sent == got
    if isinstance(sent, dt.datetime) and sent.tzinfo is not None:
        return got == sent and got.utcoffset() == sent.utcoffset()
    return got == sent  # exact: Python compares an int and a float by value


@st.composite
def feeds(draw):
    names = draw(st.lists(st.sampled_from(list(FAMILIES)), min_size=1, max_size=3))
    n = draw(st.integers(1, 12))
    rows = []
    for i in range(n):
        row = {"id": i}
        for j, family in enumerate(names):
            if draw(st.integers(0, 9)) == 0:  # now and then: a missing value, another kind
                value = draw(st.one_of(st.none(), *FAMILIES.values()))
            else:
                value = draw(FAMILIES[family])
            row[f"c{j}"] = value
        rows.append(row)
    cuts = sorted(set(draw(st.lists(st.integers(1, max(n - 1, 1)), max_size=3))))
    parts = [rows[a:b] for a, b in zip([0, *cuts], [*cuts, n], strict=True) if rows[a:b]]
    kinds = [draw(st.sampled_from(["dicts", "one by one", "frame", "arrow"])) for _ in parts]
    return parts, kinds


def _calls(parts, kinds):
    """(rows, kind) per call: "one by one" is one insert per row."""
    for part, kind in zip(parts, kinds, strict=True):
        if kind == "one by one":
            yield from (([row], "dict") for row in part)
        else:
            yield part, kind


def _frame_rows(rows):
    """The rows as the DataFrame holds them (pandas turns None into NaN in float columns, and
    uses NaN as its missing marker elsewhere)."""
    df = pd.DataFrame(rows)
    out = df.to_dict("records")
    for name in df.columns:
        if df[name].dtype.kind != "f":
            for row in out:
                v = row[name]
                if isinstance(v, float) and math.isnan(v):
                    row[name] = None
    return out


def _send(w, rows, kind):
    from livestream_widget.values import table_from_rows

    items = {
        "dict": lambda: rows[0],
        "dicts": lambda: rows,
        "frame": lambda: pd.DataFrame(rows),
        "arrow": lambda: table_from_rows(rows),  # an Arrow table a user built
    }[kind]()
    (w.insert if kind == "dict" else w.stream)(items)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(feeds())
def test_random_feeds_arrive_exactly_or_fail_changing_nothing(feed):
    with quiet_widget() as w:
        sent = []
        for rows, kind in _calls(*feed):
            before = state(w)
            try:
                _send(w, rows, kind)
            except (StreamSchemaError, TypeError, ValueError) as e:
                assert str(e), "an error says what is wrong"
                assert state(w) == before, f"{e} changed the stream"
                continue
            sent += _frame_rows(rows) if kind == "frame" else rows
        got = [row for _, t in wire_tables(w) for row in t.to_pylist()]
        assert len(got) == len(sent)
        for s, g in zip(sent, got, strict=True):
            for name, value in s.items():
                assert _same(value, g.get(name)), (name, value, g.get(name))


def test_pandas_frames_keep_their_column_types():
    df = pd.DataFrame(
        {
            "id": np.arange(3),
            "f32": np.array([0.1, 0.2, np.nan], dtype="float32"),
            "td": pd.to_timedelta(["1 day 2 hours", "1ns", None]),
            "per": pd.period_range("2024-01", periods=3, freq="M"),
            "cat": pd.Categorical(["a", "b", None]),
        }
    )
    with quiet_widget() as w:
        w.stream(df)
        w.insert({"id": 9, "f32": 0.1})  # a float64 batch widens float32 by its text
        tables = wire_tables(w)
        first = tables[0][1]
        assert first.schema.field("td").type == pa.duration("ns")
        assert first.column("td").cast(pa.int64()).to_pylist() == [93_600_000_000_000, 1, None]
        assert first.column("per").to_pylist() == ["2024-01", "2024-02", "2024-03"]
        assert first.column("cat").to_pylist() == ["a", "b", None]
        assert math.isnan(first.column("f32").to_pylist()[2])
        w.insert(pd.DataFrame({"id": [10], "f32": np.array([0.1], dtype="float32")}))
        [(_, t)] = wire_tables(w)
        assert t.column("f32").to_pylist() == [0.1]  # not 0.10000000149011612
