"""The benchmark data sets, each deterministic (seeded), so every contender and both sides see
the same rows. Every set has an int64 `id` (0..rows-1), the stream's key.

- "synthetic": the six columns of docs/performance.md (and REFERENCE §3): int64 `id`,
  datetime64 `ts`, float64 `price`, int32 `qty`, an 8-char `sym` (500 uniform symbols) and a
  20-60 char `note` (random ASCII: incompressible on purpose).
- "market": a trade feed: increasing tz-aware (UTC, ns) `ts`, 50 symbols with Zipf-like
  frequencies, int64 `price` in cents as a random walk per symbol, int32 `size` in lots of 100,
  one of 5 `venue`s, a `side`.
- "training": a training log: `step`, `epoch`, `loss` and `accuracy` (noisy decaying curves),
  `lr` (a step schedule), a `message` from a small vocabulary.

This file is also executed inside the benchmark kernels (its source is sent as a cell), so it
must only need numpy and pandas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BATCH_ROWS = 1000
COLUMNS = ["id", "ts", "price", "qty", "sym", "note"]
#: data set name -> its columns, in order
DATASETS = {
    "synthetic": COLUMNS,
    "market": ["id", "ts", "sym", "price", "size", "venue", "side"],
    "training": ["id", "step", "epoch", "loss", "accuracy", "lr", "message"],
}


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


def market_columns(rows: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    n_sym = 50
    upper = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    symbols = np.array(
        ["".join(s) for s in rng.choice(upper, (n_sym, 4))], dtype=object
    )  # tickers of 4 letters
    # Zipf-like: symbol k trades with weight 1/(k+1).
    weights = 1.0 / np.arange(1, n_sym + 1)
    sym = rng.choice(n_sym, rows, p=weights / weights.sum())
    # A random walk per symbol, in cents: each trade moves its symbol by -3..3 ticks.
    steps = rng.integers(-3, 4, rows)
    price = np.empty(rows, dtype=np.int64)
    start = rng.integers(1_000, 50_000, n_sym)
    for k in range(n_sym):
        at = np.flatnonzero(sym == k)
        price[at] = np.maximum(1, start[k] + np.cumsum(steps[at]))
    gaps = rng.exponential(200_000, rows).astype(np.int64) + 1  # ~5,000 trades/s
    t0 = pd.Timestamp("2024-03-01 14:30", tz="UTC").value
    venues = np.array(["XNAS", "XNYS", "ARCX", "BATS", "IEXG"], dtype=object)
    return {
        "id": np.arange(rows, dtype=np.int64),
        "ts": pd.DatetimeIndex(t0 + np.cumsum(gaps), tz="UTC"),
        "sym": symbols[sym].tolist(),
        "price": price,
        "size": (rng.geometric(0.35, rows) * 100).astype(np.int32),
        "venue": venues[rng.choice(5, rows, p=[0.35, 0.3, 0.15, 0.12, 0.08])].tolist(),
        "side": np.array(["buy", "sell"], dtype=object)[rng.integers(0, 2, rows)].tolist(),
    }


def training_columns(rows: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    step = np.arange(rows, dtype=np.int64)
    steps_per_epoch = 2_000
    progress = step / max(1, rows)
    vocab = np.array(
        [
            "train step",
            "train step",
            "train step",
            "train step",
            "eval step",
            "checkpoint saved",
            "gradient clipped",
            "lr warmup",
            "data loader stall",
            "nan skipped",
        ],
        dtype=object,
    )
    return {
        "id": step.copy(),
        "step": step,
        "epoch": (step // steps_per_epoch).astype(np.int32),
        "loss": 2.5 * np.exp(-3 * progress) + 0.1 + rng.normal(0, 0.05, rows),
        "accuracy": np.clip(0.95 - 0.85 * np.exp(-4 * progress) + rng.normal(0, 0.01, rows), 0, 1),
        "lr": 3e-4 * 0.5 ** (step // 50_000),
        "message": vocab[rng.integers(0, len(vocab), rows)].tolist(),
    }


_MAKERS = {"synthetic": make_columns, "market": market_columns, "training": training_columns}


def _frame(cols: dict, lo: int, hi: int, names: list[str] = COLUMNS) -> pd.DataFrame:
    return pd.DataFrame({name: cols[name][lo:hi] for name in names})


def make_batches(
    rows: int, batch: int = BATCH_ROWS, seed: int = 0, data: str = "synthetic"
) -> list[pd.DataFrame]:
    """`rows` rows of data set `data` as DataFrames of `batch` rows (each built like a user
    would: from lists)."""
    cols = _MAKERS[data](rows, seed)
    names = DATASETS[data]
    return [_frame(cols, lo, min(lo + batch, rows), names) for lo in range(0, rows, batch)]


def make_frame(rows: int, seed: int = 0, data: str = "synthetic") -> pd.DataFrame:
    """The same rows as one DataFrame."""
    return _frame(_MAKERS[data](rows, seed), 0, rows, DATASETS[data])
