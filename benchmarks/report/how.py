""" "How measured" of docs/performance.md: what each figure is, in words, with this run's
parameters filled in."""

from __future__ import annotations

from benchmarks.browser.page import SCROLL_FRAMES
from benchmarks.lab.bench import dataset_runs
from benchmarks.lab.cells import CELL_SAMPLES, FLOOR_BATCHES, LATENCY_SAMPLES

HOW = """\
## How measured

**Kernel side** (`benchmarks/kernel/bench.py`). Each run starts a fresh ipykernel with
jupyter_client's `KernelManager` and generates the data inside it before timing: {rows:,} rows ×
6 columns (int64 `id`, datetime64[ns] `ts`, float64 `price`, int32 `qty`, 8-char `sym`, 20–60
char ASCII `note`) as pandas DataFrames of 1,000 rows (`benchmarks/kernel/data.py`, seeded). A
thread in the benchmark process reads every IOPub message off its own ZMQ SUB socket and counts
messages and bytes (all frames, buffers included). The timed cell stamps `time.monotonic()` before
the first batch; the run ends when the last data message (the widget's last `diff` seq, or the
floor's last message) arrives at the drain. rows/s = rows / that time. "kernel CPU s" is the
CPU time of all the kernel's threads (`time.process_time()`) from the first batch until the last
message arrived; on a shared machine it moves less than wall time, so "rows/CPU-s × floor"
(floor CPU / contender CPU) is a cross-check of the rows/s ratio.
The **raw floor** (`benchmarks/kernel/floor.py`) sends each batch as one custom message through
an anywidget's `send(content, buffers)`: numeric columns as their raw bytes, strings as utf-8 data
+ int32 offsets (taken from the Arrow memory pandas 3 keeps strings in, the cheapest way to get
them), no dom ids, no ops, nothing kept.
Memory: before the run `gc.collect()` + allocator caches released, then VmRSS from
`/proc/self/status` and `pyarrow.total_allocated_bytes()`; after the last message arrived (and
0.2 s for ZMQ to free sent frames) `gc.collect()` and the same readings again. "RSS kept" is the
delta (the target's figure); "caches released" repeats it after
`pyarrow.default_memory_pool().release_unused()` and `malloc_trim(0)`.
Every kernel is started by `benchmarks/kernel/unbounded_kernel.py`: stock ipykernel with the
IOPub socket's ZMQ send high-water mark set to 0 (unbounded), as for the peers in REFERENCE §3, so
no contender loses messages ("lost msgs" checks it); the Jupyter server's rate limit is not
involved (no server). Contenders run interleaved, {repeat} fresh kernel(s) each; the table shows
each contender's fastest run for rows/s and its median run for memory (what an allocator keeps
after a burst depends on how far delivery lagged in that run, which machine noise changes), and
every run is listed under the table.

**Peers** (`benchmarks/kernel/peers.py`), each in its own fresh kernel exactly like the above
(same data, made in the kernel before timing; batches of 1,000 are the same DataFrames, batches of 1
are the same rows as dicts from `DataFrame.to_dict("records")`), displayed as a notebook would
display it and fed the way its docs say. The run starts before the first call and ends when the
cell has returned and the last message it produced has reached the drain. Per batch:

- *livestream-widget*: `w.stream(df)`; batches of 1: `w.insert(row)`. *raw floor*, batches of
  1: one custom message per row, each value as a 1-element numpy buffer (strings as utf-8).
- *Panel Tabulator* (`pn.extension("tabulator")`, `display(pn.widgets.Tabulator(empty_df))`):
  `tabulator.stream(df, rollover=...)`; batches of 1: `stream(row_dict)` (the documented
  "dictionary row"). Panel concatenates the batch to `Tabulator.value` (every row, kept in the
  kernel) and sends a Bokeh `PATCH-DOC` over its Jupyter comm (`ColumnsStreamed`: numbers as
  binary buffers, strings as JSON; plus `page`/`max_page`/`cell_styles` changes). In JupyterLab
  the view opens Panel's client comm and its open handler opens the server comm; there is no
  browser here, so the setup cell calls that handler's `comm.init()` itself, and from then on
  every change is sent on IOPub.
- *Bokeh ColumnDataSource*: `output_notebook()`, a `DataTable` over the source shown with
  `show(table, notebook_handle=True)`; per batch `source.stream(df, rollover=...)` then
  `push_notebook(handle=...)` (one `PATCH-DOC` per batch, the source keeps every row, or the last
  `rollover`); batches of 1: `source.stream({{col: [value]}})`.
- *Perspective* (`perspective-python`): `PerspectiveWidget(perspective.table(empty_df,
  limit=...))`, displayed; per batch `widget.update(df)`; batches of 1: `update([row])` with the
  timestamp as epoch ms (records go through JSON). Rows live in the kernel's Perspective table;
  the browser viewer, when one is connected, pulls the rows it shows, so with none connected
  nothing is sent and the run is the table updates alone (ended by `table.size()`).
- *ipydatagrid*: `DataGrid(empty_df)`, displayed; its documented way to change rows is to
  assign a whole DataFrame to `grid.data`, so per batch `acc = pd.concat([acc, df]);
  grid.data = acc`, which re-serialises every row so far (quadratic, so its row count is
  capped).

Peers that are quadratic or cost milliseconds per row run at fewer rows and fewer repetitions
(stated under the peers table); livestream-widget and the floor are measured again at each such
row count, so every ratio compares the same work.

**Browser side in JupyterLab** (`benchmarks/lab/bench.py`). A real JupyterLab server (the
end-to-end tests' harness, `tests/e2e/harness.py`: no windowing, fresh settings) and Debian's
Chromium (headless, Playwright); one notebook, each cell run from the UI (click, Shift+Enter,
wait on the prompt). Python stamps `time.time()` right before the first call; the page stamps
`Date.now()` (the same machine clock) in a `MutationObserver` on the widget's DOM. *e2e*: a cell
streams the {rows:,} rows as 1,000-row DataFrames (`w.stream(df)` each), until the widget's
`data-count` attribute (the store's size, written by the view's next draw) reads {rows:,}; best
of {repeat}, `w.reset()` before each. *Transport floor*, interleaved with it in the same page:
the same DataFrames, {floor_batches} at a time concatenated (~4 MiB, the size at which the
widget flushes) and sent as raw column buffers (as the kernel floor) to an anywidget whose front
end only adds up the rows and writes `data-count`: what moving these bytes from a kernel into a
page costs in JupyterLab here. The other data sets get the same e2e and floor runs in the same
page, {dataset_runs} of each (their ratios move from run to run, and the medians are reported).
*Kernel memory with a page*: the kernel's VmRSS before its first e2e stream and 0.5 s after
the rows are in the page (every diff acknowledged, so none is kept for resending). *One
insert*: `w.stream(df)` of one {rows:,}-row DataFrame.
*Single-row latency*: a cell inserts {samples} rows one at a time (`w.insert(row, at=0,
limit=20)`, `time.sleep(0.1 + 0–0.02)` between: rows arrive one by one, as from a live feed, and
each lands on top, so in the DOM); latency = the first `Date.now()` at which an element with
that row's `data-dom-id` exists minus the stamp; p50/p95 over all rows. Also with one cell run
per row ({cell_samples} runs: the row leaves at the end-of-cell flush). *Heap*: DevTools forced
GC then `Runtime.getHeapUsage` with the widget holding 0 rows and then {rows:,} rows (after the
first e2e run): `usedSize` and `backingStorageSize` per row; DOM: `[data-dom-id]` elements and
all elements in the widget, and the page's node count (`Memory.getDOMCounters`). *Scroll*: with
{rows:,} rows, the widget's `.lsw-scroll` `scrollTop` set in {frames} consecutive animation
frames (jumps across the whole range, or 140 px a frame; the bare page's loop,
`benchmarks/browser/frames.js`), frame interval and busy time as below;
the same loop on the idle JupyterLab page is its reference. *Profile* (full runs): one more e2e
run with every diff's hand-over to the comm time-stamped in the kernel, a DevTools CPU profile
of the page, and py-spy on the Jupyter server.

**Browser side, the front end alone** (`benchmarks/browser/bench.py`). A real `StreamWidget` queues
`w.stream(df)` of all rows (its flushes held back), `w._stream.log.take()` hands the ops to
`livestream_widget.encoder.encode`, once with `max_bytes` raised (one message, one insert) and
once with the default ~8 MB split. `benchmarks/browser/bench.js` imports `RowStore`,
`decodeDiff`, `applyDiff` and `TableView` from `js/src` and is bundled with esbuild into a temp
dir, served with the diffs from a localhost HTTP server and run in Debian's Chromium (headless,
driven by Playwright). Buffers are handed over as `DataView`s, as JupyterLab does. In the page,
best of {repeat}: a fresh `RowStore`, then `decodeDiff` + `applyDiff` per message
(`performance.now()`; the download is not timed). Floors in the same page: Arrow's
`tableFromIPC` over the same bytes, and a **key-index floor** (read the IPC, every row's key,
then a `Map` from every key: the least a store that keys each row separately does per row;
default dom ids travel as the integer key column, read as numbers, other ids as strings, one
`TextDecoder` call per batch). The store indexes a block of consecutive integer keys as one
range, so with the benchmark's counter ids it can come in under this floor. Heap: DevTools
`HeapProfiler.collectGarbage` then `Runtime.getHeapUsage` before loading and after building
the store (message references dropped), per row held: `usedSize` (V8 heap:
row handles, id strings, index) and `backingStorageSize` (ArrayBuffers: the Arrow data, which the
store keeps zero-copy). First frame: `new TableView(el, model, store, notices)` (model: a plain
object with `get`, `on`, `off` holding `height: "400px"`, `empty_message`, `columns`) until a
message posted from the next `requestAnimationFrame` runs, i.e. after that frame's paint; the
same over an empty `RowStore` is its floor (the view's fixed cost plus the wait for the next
frame, up to one display frame: compare the constructor + layout times too). Scroll:
`.lsw-scroll`'s `scrollTop` set in {frames} consecutive animation frames, either jumping evenly
through the whole range or 140 px at a time; frame interval = rAF timestamp deltas (60 Hz
display: 16.7 ms is perfect), busy = start of our rAF callback → after that frame's paint
(main-thread script, style, layout and paint); the same loop on the idle page is the floor.

"""
NOISE = """\
Noise: the machine has {cores} cores shared with other work; compare the ratios (numerator and
floor measured in the same run) rather than absolute figures across runs.
"""


def how(rows: int, repeat: int, cores: int, soak: str = "") -> str:
    """The section, for a run of `rows` rows and `repeat` repetitions; `soak`: the soak's
    paragraph (soak.py), when it ran."""
    text = HOW.format(
        rows=rows,
        repeat=repeat,
        frames=SCROLL_FRAMES,
        samples=LATENCY_SAMPLES,
        cell_samples=CELL_SAMPLES,
        floor_batches=FLOOR_BATCHES,
        dataset_runs=dataset_runs(repeat),
    )
    return text + (soak + "\n" if soak else "") + NOISE.format(cores=cores)
