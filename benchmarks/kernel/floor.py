"""The raw floor's encoding: rows as plain column buffers, what any widget must at least send.

Numbers go as their bytes as they are; strings as utf-8 data + int32 offsets, taken from the
Arrow memory pandas >= 3 already keeps them in (one cheap cast, cheaper than any Python loop).
No dom ids, no ops, nothing kept. Both floors send exactly these bytes: bench.py pastes
this source into its floor's setup cell (after others, so no `from __future__` import here:
it would be a syntax error there), and lab/bench.py's notebook imports it.
"""

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def column_buffers(df: pd.DataFrame) -> list[memoryview]:
    """Every column of `df`: numbers (datetimes as int64) one buffer, strings two."""
    out = []
    for name in df.columns:
        if isinstance(df[name].dtype, pd.DatetimeTZDtype):  # tz-aware: its UTC ns
            out.append(memoryview(np.ascontiguousarray(df[name].array.asi8)).cast("B"))
            continue
        values = df[name].to_numpy()
        if values.dtype.kind in "iufbM":
            values = np.ascontiguousarray(values)
            if values.dtype.kind == "M":
                values = values.view(np.int64)
            out.append(memoryview(values).cast("B"))
        else:
            a = pc.cast(pa.array(df[name]), pa.string())
            if isinstance(a, pa.ChunkedArray):  # a concat of DataFrames: one copy
                a = a.combine_chunks()
            offsets = np.frombuffer(a.buffers()[1], np.int32, len(a) + 1, 4 * a.offset)
            out.append(memoryview(offsets).cast("B"))
            out.append(memoryview(a.buffers()[2])[offsets[0] : offsets[-1]])
    return out


def row_buffers(row: dict, names: list[str]) -> list:
    """One row (batches of 1): each value as a 1-element numpy buffer, strings as utf-8."""
    out = []
    for name in names:
        v = row[name]
        if isinstance(v, str):
            out.append(v.encode())
        else:
            if isinstance(v, pd.Timestamp):
                v = v.value
            out.append(memoryview(np.array([v])).cast("B"))
    return out
