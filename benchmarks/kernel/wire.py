"""Wire bytes per row, per data set and codec: what an insert's buffer costs on the wire.

Each data set (benchmarks/kernel/data.py) goes through the widget's own path to a buffer
(`items.to_table`, `StreamSchema.conform`, the dom id column, then `payload.wire_bytes` with
each `compression` and dictionaries on or off), in diffs of two sizes: 1,000 rows (one
DataFrame of a live feed, sent at once) and 50,000 rows (about the 4 MiB at which the widget
flushes a fast producer). Also the raw floor's bytes (floor.py: plain column buffers, no ids)
and the encode time per row, so a codec's saving can be weighed against its cost. Kernel only:
no browser, no JupyterLab.

Run alone: `python -m benchmarks.kernel.wire [--rows N]` (prints JSON).
"""

from __future__ import annotations

import argparse
import json
import time

from benchmarks.kernel.data import DATASETS, make_batches
from benchmarks.kernel.floor import column_buffers
from livestream_widget.items import DOM_ID, StreamSchema, dom_ids, to_table
from livestream_widget.payload import COMPRESSIONS, wire_bytes

DIFF_ROWS = (1_000, 50_000)


def diff_table(df):
    """`df` as the widget puts it in a diff: conformed to the stream's schema, dom ids first."""
    table = StreamSchema().conform(to_table(df))
    return table.add_column(0, DOM_ID, dom_ids(table, "items", "id"))


def measure(rows: int = 200_000) -> dict:
    out: dict = {"rows": rows, "datasets": {}}
    for data in DATASETS:
        res: dict = {"columns": DATASETS[data], "floor": None, "codecs": []}
        for diff in DIFF_ROWS:
            frames = make_batches(rows, diff, data=data)
            tables = [diff_table(df) for df in frames]
            if diff == DIFF_ROWS[0]:
                floor = sum(sum(len(b) for b in column_buffers(df)) for df in frames)
                res["floor"] = floor / rows
            for compression in COMPRESSIONS:
                for dictionaries in (True, False):
                    t = time.perf_counter()
                    size = sum(wire_bytes(tb, compression, dictionaries).size for tb in tables)
                    dt = time.perf_counter() - t
                    res["codecs"].append(
                        {
                            "diff_rows": diff,
                            "compression": compression,
                            "dictionaries": dictionaries,
                            "bytes_per_row": size / rows,
                            "encode_ns_per_row": dt / rows * 1e9,
                        }
                    )
        out["datasets"][data] = res
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=200_000, help="rows per data set")
    print(json.dumps(measure(p.parse_args().rows), indent=1))


if __name__ == "__main__":
    main()
