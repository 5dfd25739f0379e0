"""stream_from: every supported source, read lazily in bounded batches, in a real kernel.

(Over 400 lines: one test per engine and source kind, each short and alike; splitting them by
engine would scatter the shared fixtures and the one reference check.)

Each engine test builds the same rows (id, x = id / 2, s = "s{id % 7}") with a real engine in
the test kernel, streams them with small batches, decodes the diffs the kernel really sent into
the reference store and checks the browser ends with exactly the source's rows, in order.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import time

import pyarrow as pa
import pytest

from livestream_widget.sources import BATCH_BYTES, Limits, open_source

from .frontend import FrontEnd
from .kernel import KernelError

N = 20_000
ROWS = [{"id": i, "x": i / 2, "s": f"s{i % 7}"} for i in range(N)]
PANDAS = f"pd.DataFrame({{'id': range({N}), 'x': [i / 2 for i in range({N})], 's': [f's{{i % 7}}' for i in range({N})]}})"
DUCKDB = f"select range as id, range / 2 as x, 's' || (range % 7) as s from range({N}) order by id"
SMALL = "batch_bytes=64 * 1024"  # several batches per source


def value(s, expr: str):
    """`expr` evaluated in the kernel; stray output (an engine's warnings) is ignored."""
    # A marker finds our line: an engine (Spark's progress bar) may print after it.
    out = s.kernel.run(f"print('@@value', repr({expr.replace('w.', f'{s.var}.')}))")
    line = next(x for x in reversed(out.splitlines()) if "@@value " in x)
    return ast.literal_eval(line[line.rindex("@@value ") + len("@@value ") :])


def wait_for(s, expr: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value(s, expr):
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {expr}: {value(s, 'w.async_state')}")


def load(s, setup: str, source: str, options: str = SMALL, timeout: float = 60) -> dict:
    """Run `setup`, stream `source` and wait for the load to end; return the final state."""
    s.run(f"{setup}\nw.stream_from({source}, {options})")
    wait_for(s, "w.async_state['status'] != 'loading'", timeout)
    state = value(s, "w.async_state")
    assert state["status"] == "ok", state
    return state


def browser_rows(s) -> list[dict]:
    return [row for _, row in s.sync().rows]


@pytest.fixture
def paths(tmp_path):
    """The ROWS as files: one Parquet file, a folder of three, a CSV file."""
    import pyarrow.csv as csv
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist(ROWS)
    pq.write_table(table, tmp_path / "rows.parquet", row_group_size=3000)
    (tmp_path / "parts").mkdir()
    for i, lo in enumerate(range(0, N, 7000)):
        pq.write_table(table.slice(lo, 7000), tmp_path / "parts" / f"part-{i}.parquet")
    csv.write_csv(table, tmp_path / "rows.csv")
    return tmp_path


# -- each source, end to end ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "source"),
    [
        (f"src = {PANDAS}", "src"),
        (f"src = pa.Table.from_pandas({PANDAS})", "src"),
        (f"src = pa.Table.from_pandas({PANDAS}).to_reader(max_chunksize=999)", "src"),
        (f"src = {PANDAS}.to_dict('records')", "src"),  # a list of dicts
        (f"df = {PANDAS}\ndef src():\n    yield from df.to_dict('records')", "src()"),
        (
            f"df = {PANDAS}\ndef src():\n    for lo in range(0, len(df), 3000):\n        yield df.iloc[lo:lo + 3000]",
            "src()",
        ),
        (
            f"df = {PANDAS}\nsrc = [df.iloc[:5], pa.Table.from_pandas(df.iloc[5:100]), *df.iloc[100:200].to_dict('records'), df.iloc[200:].to_dict('records')]",
            "src",
        ),
    ],
    ids=[
        "pandas",
        "arrow_table",
        "record_batch_reader",
        "list_of_dicts",
        "generator_of_dicts",
        "generator_of_frames",
        "mixed_list",
    ],
)
def test_in_memory_sources(stream, setup, source):
    s = stream()
    load(s, setup, source)
    assert browser_rows(s) == ROWS


@pytest.mark.parametrize(
    "source",
    [
        "str(PATH / 'rows.parquet')",
        "PATH / 'parts'",  # a folder of Parquet files, a pathlib.Path
        "str(PATH / 'rows.csv')",
        "pyarrow.dataset.dataset(PATH / 'parts')",
        "pyarrow.dataset.dataset(PATH / 'rows.parquet').scanner(columns=['id', 'x', 's'])",
        "pyarrow.parquet.ParquetFile(PATH / 'rows.parquet')",
        "pd.read_csv(PATH / 'rows.csv', chunksize=4000)",
    ],
    ids=[
        "parquet_file",
        "parquet_folder",
        "csv_file",
        "dataset",
        "scanner",
        "parquet_file_object",
        "read_csv_chunks",
    ],
)
def test_file_sources(stream, paths, source):
    s = stream()
    setup = f"import pathlib, pyarrow.dataset, pyarrow.parquet\nPATH = pathlib.Path({str(paths)!r})"
    state = load(s, setup, source)
    assert browser_rows(s) == ROWS
    if "parquet" in source and "scanner" not in source:
        assert state["total"] == N  # row counts from Parquet metadata, without reading rows


def test_duckdb_relation_and_query_result(stream):
    s = stream()
    state = load(s, f"import duckdb\ncon = duckdb.connect()\nrel = con.sql({DUCKDB!r})", "rel")
    assert browser_rows(s) == ROWS and state["rows"] == N
    s.run("w.reset()")
    load(s, f"res = duckdb.connect().execute({DUCKDB!r})", "res")
    assert browser_rows(s) == ROWS


def test_polars_dataframe_and_lazyframe(stream, paths):
    s = stream()
    state = load(s, f"import polars as pl\nsrc = pl.from_pandas({PANDAS})", "src")
    assert browser_rows(s) == ROWS and state["total"] == N
    s.run("w.reset()")
    lazy = f"pl.scan_parquet({str(paths / 'parts')!r} + '/*.parquet').sort('id')"
    load(s, f"lf = {lazy}", "lf")
    assert browser_rows(s) == ROWS


def test_dask_dataframe_partition_by_partition(stream):
    s = stream()
    setup = (
        "import dask, dask.dataframe as dd\n"
        "computed = []\n"
        "def mark(part):\n    computed.append(int(part['id'].iloc[0]) if len(part) else None)\n    return part\n"
        f"df = {PANDAS}\nddf = dd.from_pandas(df, npartitions=7).map_partitions(mark, meta=df.iloc[:0])"
    )
    load(s, setup, "ddf")
    assert browser_rows(s) == ROWS
    firsts = [n for n in value(s, "computed") if n is not None]
    assert len(firsts) == 7 and firsts == sorted(firsts)  # each partition once, in order


def test_dask_computes_a_partition_only_when_needed(stream):
    s = stream()
    s.run(
        "import dask.dataframe as dd\n"
        "computed = []\n"
        "def slow(part):\n    computed.append(len(part))\n    time.sleep(0.4)\n    return part\n"
        f"df = {PANDAS}\nddf = dd.from_pandas(df, npartitions=20).map_partitions(slow, meta=df.iloc[:0])\n"
        "w.stream_from(ddf)\ntime.sleep(1.0)\nw.cancel_async()"
    )
    time.sleep(1.0)
    done = [n for n in value(s, "computed") if n]
    assert 1 <= len(done) <= 5, done  # not all 20: the rest were never computed
    assert value(s, "w.async_state['failed']") == "cancelled"


def _spark_can_run() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'livestream-widget[spark]')"
    java = shutil.which("java")
    if java is None:
        return "Spark needs a Java runtime and `java` is not on PATH"
    if subprocess.run([java, "-version"], capture_output=True).returncode != 0:
        return "`java -version` fails"
    return None


def test_spark_dataframe(stream):
    # Fails, never skips, without Spark: `bash scripts/test.sh` installs pyspark (test extra)
    # and a Java runtime (apt) when they are missing.
    problem = _spark_can_run()
    assert problem is None, problem
    s = stream()
    setup = (
        "from pyspark.sql import SparkSession\n"
        "spark = (SparkSession.builder.master('local[2]').appName('livestream-widget-test')\n"
        "    .config('spark.ui.enabled', 'false').config('spark.sql.shuffle.partitions', '4')\n"
        "    .config('spark.sql.execution.arrow.maxRecordsPerBatch', '3000').getOrCreate())\n"
        f"sdf = spark.range(0, {N}, numPartitions=3).selectExpr('id', 'id / 2 as x', "
        "\"concat('s', cast(id % 7 as string)) as s\")"
    )
    try:
        load(s, setup, "sdf", timeout=180)
        assert browser_rows(s) == ROWS
    finally:
        s.run("spark.stop()")


def test_db_api_cursor(stream):
    s = stream()
    setup = (
        "import sqlite3\n"
        "db = sqlite3.connect(':memory:', check_same_thread=False)\n"  # read in a worker thread
        "db.execute('create table t (id integer, x real, s text)')\n"
        f"db.executemany('insert into t values (?, ?, ?)', [(i, i / 2, f's{{i % 7}}') for i in range({N})])\n"
        "cur = db.execute('select id, x, s from t order by id')"
    )
    load(s, setup, "cur")
    assert browser_rows(s) == ROWS


# -- options ------------------------------------------------------------------------------------


def test_at_limit_and_reset_apply_to_every_row(stream):
    s = stream()
    s.run("w.stream([{'id': -1, 'x': 0.0, 's': 'old'}])")
    load(s, f"src = {PANDAS}", "src", f"{SMALL}, at=0, limit=5, reset=True")
    assert browser_rows(s) == ROWS[::-1][:5]  # prepended one by one, the first 5 kept
    load(s, "", "src", f"{SMALL}, limit=-3, reset=True")
    assert browser_rows(s) == ROWS[-3:]


def test_reset_waits_for_the_first_batch_and_an_empty_source_still_resets(stream):
    s = stream()
    s.run("w.stream([{'id': 1}])\ndef broken():\n    raise OSError('no data here')\n    yield")
    s.run("w.stream_from(broken(), reset=True)")
    wait_for(s, "w.async_state['status'] == 'failed'")
    assert s.sync().keys() == [1]  # failed before any batch: the old rows stay
    load(s, "", "[]", "reset=True")
    assert s.sync().keys() == []


def test_limit_keeps_pruned_rows_in_the_kernel(stream):
    s = stream()
    load(s, f"import duckdb\nrel = duckdb.connect().sql({DUCKDB!r})", "rel", "limit=-100")
    diffs = s.kernel.diffs(s.comm_id)
    sent = sum(op.get("rows", 0) for d in diffs for op in d.data["content"]["ops"])
    s.apply(diffs)
    assert [r for _, r in s.store.rows] == ROWS[-100:]
    assert sent < N / 4, sent  # compaction: most rows never left the kernel


# -- batches ----------------------------------------------------------------------------------


def _sizes(obj, **kw) -> list[tuple[int, int]]:
    out = []
    for b in open_source(obj, **kw).batches():
        out.append((len(b), b.nbytes if isinstance(b, pa.Table) else 0))
    return out


def test_batches_are_bounded_by_bytes_by_default_and_by_rows_when_asked(tmp_path):
    import duckdb
    import numpy as np
    import pandas as pd
    import polars as pl

    n = 300_000
    df = pd.DataFrame({"id": np.arange(n), "x": np.random.rand(n), "s": ["abc" * 5] * n})
    uneven = pa.table(
        {"id": range(1000), "s": ["x" * (10 if i % 100 else 50_000) for i in range(1000)]}
    )
    sources = {
        "pandas": df,
        "arrow": pa.Table.from_pandas(df),
        "uneven": uneven,
        "polars": pl.from_pandas(df),
        "lazy": pl.from_pandas(df).lazy(),
        "duckdb": duckdb.connect().sql(
            "select range as id, random() as x, 'abcdefghij' as s from range(300000)"
        ),
    }
    for name, src in sources.items():
        total = len(src) if hasattr(src, "__len__") else n
        sizes = _sizes(src, key="id")
        assert sum(r for r, _ in sizes) == (1000 if name == "uneven" else total), name
        assert len(sizes) > 1 or name == "uneven", name
        assert max(b for _, b in sizes) <= BATCH_BYTES, (name, max(sizes))
        small = _sizes(src, key="id", batch_bytes=100_000)
        assert all(b <= 100_000 or r == 1 for r, b in small), (name, small[:3])
        by_rows = _sizes(src, key="id", batch_rows=7000)
        assert max(r for r, _ in by_rows) <= 7000, name
        both = _sizes(src, key="id", batch_rows=50_000, batch_bytes=400_000)
        assert all(r <= 50_000 and (b <= 400_000 or r == 1) for r, b in both), name
    # rows of dicts are grouped by count: at most batch_rows, however fast they come
    rows = _sizes(iter([{"id": i} for i in range(50_000)]), batch_rows=1000)
    assert sum(r for r, _ in rows) == 50_000 and max(r for r, _ in rows) <= 1000
    assert Limits.of() == Limits(None, BATCH_BYTES) and Limits.of(5) == Limits(5, None)


def test_slow_rows_go_out_at_once_fast_rows_in_groups():
    def slow():
        for i in range(4):
            time.sleep(0.1)
            yield {"id": i}

    start, seen = time.monotonic(), []
    for batch in open_source(slow()).batches():
        seen.append((round(time.monotonic() - start, 1), [r["id"] for r in batch]))
    # each row arrives on its own, ~0.1 s apart: none waits for the next
    assert [ids for _, ids in seen] == [[0], [1], [2], [3]], seen
    times = [t for t, _ in seen]  # (only lower bounds: a loaded machine may be late, not early)
    assert times == sorted(times) and all(t >= 0.1 * (i + 1) - 0.05 for i, t in enumerate(times))


def test_a_generator_of_frames_is_read_one_batch_at_a_time():
    import weakref

    import pandas as pd

    alive: list = []
    most = []

    def frames():
        for b in range(10):
            df = pd.DataFrame({"id": range(b * 100, (b + 1) * 100)})
            most.append(sum(r() is not None for r in alive))  # earlier frames still held
            alive.append(weakref.ref(df))
            yield df
            del df

    batches = open_source(frames()).batches()
    for _ in batches:
        time.sleep(0.01)  # a slow consumer: the source must not read ahead
    assert max(most) <= 1, most


def test_bad_arguments_and_unsupported_sources(stream):
    s = stream()
    for code, words in [
        (
            "w.stream_from(42)",
            "cannot stream from builtins.int: stream_from reads pandas DataFrames",
        ),
        ("w.stream_from(object())", "DuckDB relations and query results; Dask DataFrames; Spark"),
        ("w.stream_from(None)", "cannot stream from builtins.NoneType"),
        (
            "async def agen():\n    yield 1\nw.stream_from(agen)",
            "cannot stream from builtins.function",
        ),
        ("w.stream_from({'id': 1})", "a dict is one row: use w.insert"),
        ("w.stream_from('no/such/file.parquet')", "no such file or folder to stream from"),
        (
            "import tempfile, pathlib; p = pathlib.Path(tempfile.mkdtemp(), 'x.bin'); p.touch(); w.stream_from(p)",
            "cannot tell the file format",
        ),
        ("w.stream_from([], batch_rows=0)", "batch_rows must be a positive int"),
        ("w.stream_from([], batch_bytes='1MB')", "batch_bytes must be a positive int"),
        ("w.stream_from([], at=-2)", "at must be"),
        ("w.stream_from([], progress='yes')", "progress must be True or False"),
        ("w.stream_from([], total=-5)", "total must be a row count"),
        (
            "import sqlite3; w.stream_from(sqlite3.connect(':memory:').cursor())",
            "call cursor.execute",
        ),
    ]:
        with pytest.raises(KernelError, match=words):
            s.run(code)
    assert value(s, "w.async_state['status']") == "idle"  # nothing started


def test_an_unsupported_item_fails_the_load_naming_it(stream):
    s = stream()
    s.run("w.stream_from([{'id': 1}, 'oops', {'id': 2}])")
    wait_for(s, "w.async_state['status'] == 'failed'")
    assert "an item of this source is a builtins.str" in value(s, "w.async_state['failed']")
    assert s.sync().keys() == [1]


def test_engines_are_imported_only_when_used():
    code = (
        "import sys, livestream_widget\n"
        "w = livestream_widget.StreamWidget()\n"
        "w.stream_from([{'id': 1}])\n"
        "print(sorted(m for m in ('polars', 'duckdb', 'dask', 'pyspark') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- background: failure, cancel, progress, retry ----------------------------------------------------


def test_a_source_failing_midway_keeps_what_was_sent_and_reports_the_error(stream):
    s = stream()
    s.run(
        "def flaky():\n"
        "    yield pd.DataFrame({'id': range(100)})\n"
        "    time.sleep(0.3)\n"
        "    yield pd.DataFrame({'id': range(100, 200)})\n"
        "    raise ConnectionError('database went away')\n"
        "w.stream_from(flaky())"
    )
    wait_for(s, "w.async_state['status'] == 'failed'")
    state = value(s, "w.async_state")
    assert state["failed"] == "ConnectionError: database went away" and state["rows"] == 200
    assert state["can_retry"] is False  # a generator cannot be read again
    assert s.kernel.eval(f"type({s.var}.async_result.error).__name__") == "ConnectionError"
    assert "in flaky" in value(s, "w.async_result.traceback")
    assert s.sync().keys() == list(range(200))


def test_cancel_midway_stops_reading_and_closes_the_source(stream):
    s = stream()
    s.run(
        "closed = []\n"
        "def endless():\n"
        "    try:\n"
        "        for i in range(10**9):\n"
        "            yield {'id': i}\n"
        "            time.sleep(0.002)\n"
        "    finally:\n"
        "        closed.append(True)\n"
        "w.stream_from(endless())\ntime.sleep(0.5)"
    )
    s.kernel.send_comm(s.comm_id, {"kind": "cancel"})  # the Cancel button
    wait_for(s, "w.async_state['status'] == 'failed'")
    assert value(s, "w.async_state['failed']") == "cancelled"
    wait_for(s, "closed == [True]")
    rows = s.sync().keys()
    time.sleep(0.3)
    assert s.sync().keys() == rows and len(rows) > 10 and rows == list(range(len(rows)))


def test_progress_fields_total_rate_and_progress_false(stream):
    s = stream()
    s.run(
        "def pages(n):\n"
        "    for b in range(n):\n"
        "        time.sleep(0.1)\n"
        "        yield pd.DataFrame({'id': range(b * 1000, (b + 1) * 1000)})\n"
        "states = []\n"
        "w.observe(lambda change: states.append(dict(change['new'])), 'async_state')\n"
        "t0 = time.monotonic(); w.stream_from(pages(15), total=15_000); call = time.monotonic() - t0"
    )
    # The cell returns at once (reading the 15 pages takes >= 1.5 s), on a loaded machine too.
    assert value(s, "call") < 0.5
    wait_for(s, "w.async_state['status'] == 'ok'")
    states = value(s, "states")
    loading = [st for st in states if st["status"] == "loading"]
    assert len(loading) >= 5 and all(st["total"] == 15_000 for st in loading)
    assert [st["rows"] for st in loading] == sorted(st["rows"] for st in loading)
    rates = [st["rate"] for st in loading if st["rate"] is not None]
    assert rates and all(5_000 <= r <= 20_000 for r in rates), rates  # ~10k rows/s
    assert states[-1]["status"] == "ok" and states[-1]["rows"] == 15_000
    # progress=False: loading, the first rows (to lift a skeleton), then the result; no counts.
    s.run("states.clear()\nw.stream_from(pages(8), progress=False)")
    wait_for(s, "w.async_state['status'] == 'ok'")
    states = value(s, "states")
    assert [st["rows"] for st in states] == [0, 1000, 8000], states
    assert all(st["progress"] is False for st in states)
    assert s.sync().keys() == list(range(15_000))  # rows streamed all the same (updated in place)


def test_retry_reads_a_reiterable_source_again(stream):
    s = stream()
    s.run(
        "import duckdb\ncon = duckdb.connect()\n"
        "con.execute('create table t as select range as id from range(10)')\n"
        "rel = con.sql('select id from t order by id')\n"
        "w.stream_from(rel)"
    )
    wait_for(s, "w.async_state['status'] == 'ok'")
    assert value(s, "w.async_state['can_retry']") is True
    s.run("con.execute('insert into t values (10), (11)')")  # the source changed
    s.kernel.send_comm(s.comm_id, {"kind": "retry"})
    wait_for(s, "w.async_state['status'] == 'ok' and w.async_state['rows'] == 12")
    assert s.sync().keys() == list(range(12))


# -- memory ---------------------------------------------------------------------------------------


def test_5m_rows_from_duckdb_with_a_limit_keep_kernel_memory_flat(stream):
    """~330 MB of rows pass through; the kernel holds about one batch at a time, and none after."""
    s = stream()
    out = s.run(
        "import os, threading, tracemalloc, duckdb\n"
        "def rss():\n"
        "    return int(open('/proc/self/statm').read().split()[1]) * os.sysconf('SC_PAGE_SIZE')\n"
        'rel = duckdb.connect().sql("select range as id, range / 2 as x, '
        "'a note of about forty characters, row ' || range as note from range(5000000)\")\n"
        "gc.collect(); tracemalloc.start()\n"
        "base_py, base_pa, base_rss = tracemalloc.get_traced_memory()[0], pa.total_allocated_bytes(), rss()\n"
        "peak = {'py': 0, 'pa': 0, 'rss': 0}\n"
        "def sample():\n"
        "    while w.async_result.loading:\n"
        "        peak['py'] = max(peak['py'], tracemalloc.get_traced_memory()[0] - base_py)\n"
        "        peak['pa'] = max(peak['pa'], pa.total_allocated_bytes() - base_pa)\n"
        "        peak['rss'] = max(peak['rss'], rss() - base_rss)\n"
        "        time.sleep(0.01)\n"
        "t0 = time.monotonic()\n"
        "w.stream_from(rel, limit=-10_000)\n"
        "sampler = threading.Thread(target=sample); sampler.start()\n"
        "while w.async_result.loading: time.sleep(0.005)\n"
        "elapsed = time.monotonic() - t0; sampler.join()\n"
        "w.flush(); time.sleep(0.05); w.flush()\n"
        "print(w.async_result.result, elapsed, peak['py'], peak['pa'], peak['rss'])"
    )
    # A front end appears and acknowledges: the diffs kept for it (sent before any front end
    # existed) are delivered, so the kernel may forget them too.
    tab = FrontEnd(s, "late")
    tab.send(kind="hello", expected=1, first=None)
    tab.ack_all()
    out += s.run(
        "gc.collect()\n"
        "print(len(w._stream.log), pa.total_allocated_bytes() - base_pa,"
        " tracemalloc.get_traced_memory()[0] - base_py)\n"
        "tracemalloc.stop()"
    )
    rows, elapsed, py, arrow, rss, pending, arrow_after, py_after = out.split()[-8:]
    print(f"5M rows from DuckDB: {float(elapsed):.2f} s, {int(rows) / float(elapsed):,.0f} rows/s")
    assert int(rows) == 5_000_000
    # During the run: Python objects and Arrow buffers stay within a few batches (2 MiB each)
    # plus the 4 MiB flush threshold; the whole process (DuckDB's own memory included) grows
    # far less than the ~330 MB that went through.
    assert int(py) < 4 * 2**20, py
    assert int(arrow) < 16 * 2**20, arrow
    assert int(rss) < 100 * 2**20, rss
    # After: no row is held.
    assert pending == "0" and int(arrow_after) < 2**20 and int(py_after) < 2**20, out
    s.kernel.drain(0.3)
    diffs = [d for d in s.kernel.diffs(s.comm_id) if not d.data["content"].get("resent")]
    sent = sum(len(b) for d in diffs for b in d.buffers)
    assert sent < 330e6 / 3, sent  # compaction: most rows never left the kernel
    s.apply(diffs)
    assert s.store.keys() == list(range(4_990_000, 5_000_000))


def test_an_async_iterable_is_read_on_the_kernel_loop(stream):
    s = stream()
    s.run(
        "import asyncio\n"
        "async def feed():\n"
        "    for b in range(4):\n"
        "        await asyncio.sleep(0.05)\n"
        "        yield pd.DataFrame({'id': range(b * 10, b * 10 + 9)})\n"
        "        yield {'id': b * 10 + 9}\n"
        "w.stream([{'id': -1}])\n"
        "w.stream_from(feed(), reset=True)"
    )
    wait_for(s, "w.async_state['status'] == 'ok'")
    assert s.sync().keys() == list(range(40))
    assert value(s, "w.async_state['can_retry']") is False  # an async generator is read once
    s.run("async def nothing():\n    return\n    yield\nw.stream_from(nothing(), reset=True)")
    wait_for(s, "w.async_state['status'] == 'ok'")
    assert s.sync().keys() == []
