"""Background loading for StreamWidget: stream_async, start_async, on_async, cancel_async.

Ports LiveView's `stream_async` / `start_async` + `handle_async`: a load runs in the background
(see tasks.py), its rows go straight into the stream as they arrive (the kernel keeps none), and
its state is an AsyncResult mirrored to the front end as the `async_state` trait.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from .async_result import AsyncResult
from .oplog import check_options
from .sources import open_source
from .tasks import Cancelled, Task
from .values import is_int

log = logging.getLogger(__name__)

#: The task name `stream_async` runs under (so `cancel_async("stream")` stops it).
STREAM = "stream"
#: Seconds between two "N rows loaded" updates sent to the front end.
PROGRESS_INTERVAL = 0.1
#: Rows per second are measured over this many recent seconds (the ETA follows changes in pace).
RATE_WINDOW = 3.0
#: No rate is shown before the load has run this long (the first figures are noise).
RATE_AFTER = 0.5


@dataclass
class StreamItems:
    """What a loader returns (or yields) to have items streamed with options."""

    items: Any
    at: int = -1
    limit: int | None = None
    reset: bool = False

    def __post_init__(self) -> None:
        self.at, self.limit = check_options(self.at, self.limit)


class _Meter:
    """Rows per second over the last `RATE_WINDOW` seconds of one load."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.samples: deque[tuple[float, int]] = deque([(self.start, 0)])

    def rate(self, rows: int) -> float | None:
        now = time.monotonic()
        self.samples.append((now, rows))
        while len(self.samples) > 2 and now - self.samples[1][0] >= RATE_WINDOW:
            self.samples.popleft()
        then, before = self.samples[0]
        if now - self.start < RATE_AFTER or now <= then:
            return None
        return round((rows - before) / (now - then), 1)


@dataclass
class _Load:
    """What the progress line needs to know about the current load."""

    progress: bool = True
    total: Callable[[], int | None] = lambda: None
    meter: _Meter | None = None
    announced: bool = False  # with progress=False: the first rows were announced


class Loading:
    """Background loads of one widget. It streams through `stream(items, at, limit, reset)`,
    sends pending rows with `flush()`, waits for the browser with `wait(stop)` (threads) or
    `drain()` (coroutines), and publishes its state with `publish(async_state)`."""

    def __init__(
        self,
        stream: Callable[[Any, int, int | None, bool], int],
        flush: Callable[[], None],
        wait: Callable[[threading.Event], Any],
        drain: Callable[[], Awaitable[bool]],
        publish: Callable[[dict], None],
        state: Callable[[], dict],
        key: str,
    ) -> None:
        self._stream = stream
        self._flush = flush
        self._wait = wait
        self._drain = drain
        self._publish = publish
        self._state = state
        self._key = key
        self._tasks: dict[str, Task] = {}
        self._handlers: dict[str, Callable[[bool, Any], None]] = {}
        self._result = AsyncResult()
        self._retry: Callable[[], None] | None = None  # what the Retry button runs again
        self._load = _Load()
        self._progress_at = 0.0
        self._tasks_lock = threading.Lock()  # tasks finish on worker threads and the loop

    @property
    def result(self) -> AsyncResult:
        return self._result

    def stream_async(
        self, loader: Callable[[], Any], *, reset: bool = False, fail_on_empty: bool = False
    ) -> None:
        """Load rows in the background and stream them as they come; returns at once.

        `loader` is a function (run in a thread) returning items, a generator function (run
        in a thread) yielding batches, or a coroutine / async generator function (run on the
        kernel's asyncio loop). Items may come as `StreamItems(items, at=, limit=, reset=)`.
        `reset=True` hides the current rows behind a loading skeleton until the result
        arrives (the rows themselves are reset only if the loader returns `reset=True`).
        Repeated calls append; a call while a load runs replaces that load.
        """
        if not callable(loader):
            raise TypeError(f"stream_async needs a function that loads items, not {loader!r}")
        retry = lambda: self.stream_async(loader, reset=reset, fail_on_empty=fail_on_empty)  # noqa: E731
        self._run_stream(loader, reset, fail_on_empty, retry, _Load())

    def stream_from(
        self,
        source: Any,
        *,
        at: int = -1,
        limit: int | None = None,
        reset: bool = False,
        batch_rows: int | None = None,
        batch_bytes: int | None = None,
        progress: bool = True,
        total: int | None = None,
    ) -> None:
        """Stream every row of `source` in the background, one batch in memory at a time;
        returns at once (like `stream_async`: Cancel, `cancel_async()`, `async_result`).

        `source`: a pandas DataFrame or `read_csv(..., chunksize=)` reader; a pyarrow Table,
        RecordBatchReader, dataset, scanner or ParquetFile; a file or folder path (Parquet,
        CSV, Feather/Arrow, JSON lines); a Polars DataFrame or LazyFrame; a DuckDB relation or
        query result; a Dask DataFrame (partition by partition, each computed when needed); a
        Spark DataFrame; a DB-API cursor; anything with `__arrow_c_stream__`; or any iterable
        of DataFrames, Arrow batches, dicts or lists of dicts (an async iterable is read on the
        kernel's event loop, like an async generator loader of `stream_async`). Engines are
        imported only when such an object is passed. `at` / `limit` apply to every row; with
        `limit`, rows that could not survive it never leave the kernel. `reset=True` removes
        the current rows when the first batch arrives (they stay behind a loading skeleton
        until then, and stay if the load fails first). Batches hold at most `batch_rows` rows
        and `batch_bytes` bytes; by default 2 MiB and no row bound, and with only `batch_rows`
        given, no byte bound. `progress`: show rows, rows/s and, when the total is known (from
        metadata: in-memory frames, Parquet files) or given as `total`, percent and ETA while
        loading; False sends no counts while loading (rows stream all the same). A generator,
        reader or cursor can be read only once, so a failed load of one offers no Retry.

        DuckDB: a streaming result keeps its connection busy until it ends; to query the same
        database meanwhile, stream from a cursor (`con.cursor().sql(query)`).
        """
        at, limit = check_options(at, limit)
        for name, value in (("reset", reset), ("progress", progress)):
            if not isinstance(value, bool):
                raise TypeError(f"{name} must be True or False, not {value!r}")
        if total is not None and (not is_int(total) or total < 0):
            raise ValueError(f"total must be a row count (an int >= 0) or None, not {total!r}")
        src = open_source(source, key=self._key, batch_rows=batch_rows, batch_bytes=batch_bytes)
        if total is not None:
            src.total = total

        aread = src.aread

        async def aload() -> Any:  # an async iterable: read on the kernel's event loop
            assert aread is not None
            first = True
            async for items in aread():
                yield StreamItems(items, at=at, limit=limit, reset=reset and first)
                first = False
            if reset and first:
                yield StreamItems((), reset=True)

        def load() -> Any:
            batches: Any = src.batches()  # a generator: close() runs its cleanup
            first = True  # the reset goes with the first batch, so a failure keeps the rows
            try:
                for items in batches:
                    yield StreamItems(items, at=at, limit=limit, reset=reset and first)
                    first = False
            finally:
                batches.close()
            return StreamItems((), reset=True) if reset and first else None

        def retry() -> None:
            self.stream_from(
                source,
                at=at,
                limit=limit,
                reset=reset,
                batch_rows=batch_rows,
                batch_bytes=batch_bytes,
                progress=progress,
                total=total,
            )

        meta = _Load(progress=progress, total=lambda: src.total)
        loader = load if src.aread is None else aload
        # Rows wait behind the skeleton until the first batch, which brings the reset.
        self._run_stream(loader, reset, False, retry if src.reiterable else None, meta)

    def _run_stream(
        self,
        loader: Callable[[], Any],
        skeleton: bool,
        fail_on_empty: bool,
        retry: Callable[[], None] | None,
        meta: _Load,
    ) -> None:
        rows = 0

        def on_item(item: Any) -> None:
            nonlocal rows
            # Under the lock, so that no batch is streamed once a cancel or a newer load won.
            with self._tasks_lock:
                if self._tasks.get(STREAM) is not task:
                    return
                rows += self._stream_result(item)
            if meta.progress:
                self._progress(rows, meta)
            elif rows and not meta.announced:
                # No progress line, but the first rows must lift a reset's skeleton.
                meta.announced = True
                self._flush()
                self._publish({**self._state(), "rows": rows})

        def on_done(ok: bool, value: Any) -> None:
            nonlocal rows
            if not self._claim(STREAM, task):
                return  # a newer load replaced this one
            if ok:
                try:
                    if value is not None:
                        rows += self._stream_result(value)
                    if rows == 0 and fail_on_empty:
                        raise LookupError("the loader returned no rows")
                except Exception as e:
                    ok, value = False, e
            self._flush()  # the rows reach the browser before the state saying they are there
            if ok:
                self._set_result(self._result.with_ok(rows), rows)
            else:
                self._set_failed(value, rows)

        task = Task(loader, on_done, on_item, pace=self._drain, wait=self._wait)
        self._replace(STREAM, task)
        self._retry = retry
        meta.meter = _Meter()
        self._load = meta
        self._set_result(self._result.with_loading(reset=skeleton), 0, skeleton=skeleton)
        task.start()

    def start_async(self, name: str, fn: Callable[[], Any]) -> None:
        """Run `fn` in the background; the handler registered with `on_async(name)` gets
        `(ok, value)` (value: the result, or the exception). The newest call with a name
        wins: an older run still going is cancelled and its result ignored."""
        if name == STREAM:
            raise ValueError(f"the name {STREAM!r} belongs to stream_async; choose another")

        def on_done(ok: bool, value: Any) -> None:
            if not self._claim(name, task):
                return
            handler = self._handlers.get(name)
            if handler is not None:
                handler(ok, value)
            elif not ok and not isinstance(value, Cancelled):
                log.warning("start_async(%r) failed and no on_async handler: %r", name, value)

        task = Task(fn, on_done)
        self._replace(name, task)
        task.start()

    def on_async(self, name: str) -> Callable:
        """Decorator: `@w.on_async("load")` registers `handler(ok, value)` for that name."""

        def register(handler: Callable[[bool, Any], None]) -> Callable[[bool, Any], None]:
            self._handlers[name] = handler
            return handler

        return register

    def cancel_async(self, name: str = STREAM) -> bool:
        """Stop the task `name` (default: the `stream_async` load); it ends failed with a
        cancellation reason. Returns False if nothing by that name is running."""
        task = self._tasks.get(name)
        if task is None:
            return False
        task.cancel()
        return True

    # -- internals ----------------------------------------------------------------------------

    def cancel_all(self, reason: str) -> None:
        with self._tasks_lock:
            tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel(reason)

    def _replace(self, name: str, task: Task) -> None:
        with self._tasks_lock:
            old, self._tasks[name] = self._tasks.get(name), task
        if old is not None:
            old.cancel(f"replaced by a newer call for {name!r}")

    def _claim(self, name: str, task: Task) -> bool:
        """Atomically: is `task` still the current one for `name`? If so, it is done: drop it."""
        with self._tasks_lock:
            if self._tasks.get(name) is not task:
                return False
            del self._tasks[name]
            return True

    def _stream_result(self, value: Any) -> int:
        if isinstance(value, StreamItems):
            return self._stream(value.items, value.at, value.limit, value.reset)
        return self._stream(value, -1, None, False)

    def _progress(self, rows: int, meta: _Load) -> None:
        now = time.monotonic()
        if now - self._progress_at >= PROGRESS_INTERVAL:
            self._progress_at = now
            self._flush()  # the count never runs ahead of the rows the browser has
            rate = meta.meter.rate(rows) if meta.meter is not None else None
            self._publish(
                {
                    **self._state(),
                    "rows": rows,
                    "rate": rate,
                    "total": meta.total(),
                }
            )

    def _set_failed(self, error: BaseException, rows: int) -> None:
        if isinstance(error, Cancelled):
            reason = f"cancelled ({error})" if str(error) != "cancelled" else "cancelled"
        else:
            reason = f"{type(error).__name__}: {error}"
        tb = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        self._set_result(self._result.with_failed(reason, error, tb), rows)

    def _set_result(self, result: AsyncResult, rows: int, skeleton: bool = False) -> None:
        self._result = result
        if result.loading:
            status = "loading"
        elif result.failed is not None:
            status = "failed"
        else:
            status = "ok" if result.ok else "idle"
        self._publish(
            {
                "status": status,
                "ok": result.ok,
                "loading": bool(result.loading),
                "skeleton": bool(skeleton and result.loading),
                "failed": None if result.failed is None else str(result.failed),
                "rows": rows,
                "can_retry": self._retry is not None,
                "total": self._load.total(),
                "rate": None,
                "progress": self._load.progress,
            }
        )

    def button(self, kind: str) -> None:
        """The front end's Retry / Cancel buttons."""
        if kind == "retry" and self._retry is not None:
            self._retry()
        elif kind == "cancel":
            self.cancel_async(STREAM)
