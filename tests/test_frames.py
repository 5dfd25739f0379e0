"""A DataFrame's columns reach Arrow exactly as pyarrow itself reads them, whichever way the
widget reads them (pandas' blocks, or a Series per column where pandas lacks those), for every
column kind and frame layout. The value rules on top of that are tests/test_values.py's.
"""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from livestream_widget.values import _column_values, _column_values_of_series, table_from_frame


def _frames_of_every_column_kind() -> list[pd.DataFrame]:
    n = 7
    missing = [1, 4]

    def times(unit: str, tz: str | None = None) -> pd.Series:
        s = pd.Series(pd.date_range("2024-03-30 22:00", periods=n, freq="37min", unit=unit))
        s = s.dt.tz_localize(tz) if tz else s
        s[missing] = pd.NaT
        return s

    df = pd.DataFrame(
        {
            "i64": np.arange(n),
            "u8": np.arange(n, dtype="uint8"),
            "f64": np.linspace(0, 1, n),
            "b": np.arange(n) % 2 == 0,
            "ns": times("ns"),
            "us_paris": times("us", "Europe/Paris"),
            "s_utc": times("s", "UTC"),
            "ms_offset": times("ms", "+05:30"),
            "whole": pd.date_range("2024-01-01", periods=n, tz="America/New_York"),
            "td": pd.Series(pd.to_timedelta(np.arange(n), unit="s")).where(
                ~np.isin(np.arange(n), missing)
            ),
            "I64": pd.array([1, None, 3, 4, None, 6, 7], dtype="Int64"),
            "B": pd.array([True, None, False, True, None, False, True], dtype="boolean"),
            "s": pd.array(["a", None, "c", "d", None, "f", "g"], dtype="string"),
            "cat": pd.Categorical(["x", "y", None, "x", "y", None, "x"]),
        }
    )
    two_d = pd.DataFrame(np.asfortranarray(np.arange(n * 3).reshape(n, 3)), columns=["a", "b", "c"])
    return [df, df.iloc[::2], df.iloc[2:], df[df.columns[::-1]], two_d, two_d.iloc[1:, ::2]]


@pytest.mark.parametrize("case", range(6))
def test_frames_are_read_as_pyarrow_reads_their_columns(case):
    # The reference: pyarrow's own reading of each column (its strings as the stream's type).
    df = _frames_of_every_column_kind()[case]
    got = table_from_frame(df)
    want = pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata()
    for i, field in enumerate(want.schema):
        if pa.types.is_large_string(field.type):
            want = want.set_column(i, field.name, want.column(i).cast(pa.string()))
        if pa.types.is_dictionary(field.type):  # categories travel decoded (payload.py)
            assert got.column(i).to_pylist() == want.column(i).to_pylist()
            want = want.set_column(i, field.name, got.column(i))
    assert got.equals(want), (got.schema, want.schema)
    # Both ways of reading a frame's columns (block manager or Series) give the same values.
    for fast, slow in zip(_column_values(df), _column_values_of_series(df), strict=True):
        assert pa.array(fast, from_pandas=True).equals(pa.array(slow, from_pandas=True))
