"""The benchmark data: the six columns of docs/performance.md (and REFERENCE §3).

int64 `id`, datetime64 `ts`, float64 `price`, int32 `qty`, an 8-char `sym` and a 20-60 char
`note` (ASCII). Deterministic (seeded), so every contender and both sides see the same rows.

This file is also executed inside the benchmark kernels (its source is sent as a cell), so it
must only need numpy and pandas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BATCH_ROWS = 1000
COLUMNS = ["id", "ts", "price", "qty", "sym", "note"]


def make_columns(rows: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    letters = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype="S1")
    # Notes are slices of one random text: building a million str objects stays ~1 s.
    pool = rng.choice(letters, 60 * rows + 64).tobytes().decode("ascii")
    lengths = rng.integers(20, 61, rows).tolist()
    starts = rng.integers(0, 60 * rows, rows).tolist()
    notes = [pool[s : s + n] for s, n in zip(starts, lengths, strict=True)]
    upper = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    symbols = np.array(["".join(s) for s in rng.choice(upper, (500, 8))], dtype=object)
    t0 = np.datetime64("2024-01-01T00:00:00", "ns")
    return {
        "id": np.arange(rows, dtype=np.int64),
        "ts": t0 + np.arange(rows, dtype=np.int64) * np.timedelta64(1_000_003, "ns"),
        "price": rng.random(rows) * 1000,
        "qty": rng.integers(0, 10_000, rows, dtype=np.int32),
        "sym": symbols[rng.integers(0, len(symbols), rows)].tolist(),
        "note": notes,
    }


def _frame(cols: dict, lo: int, hi: int) -> pd.DataFrame:
    return pd.DataFrame({name: cols[name][lo:hi] for name in COLUMNS})


def make_batches(rows: int, batch: int = BATCH_ROWS, seed: int = 0) -> list[pd.DataFrame]:
    """`rows` rows as DataFrames of `batch` rows (each built like a user would: from lists)."""
    cols = make_columns(rows, seed)
    return [_frame(cols, lo, min(lo + batch, rows)) for lo in range(0, rows, batch)]


def make_frame(rows: int, seed: int = 0) -> pd.DataFrame:
    """The same rows as one DataFrame."""
    return _frame(make_columns(rows, seed), 0, rows)
