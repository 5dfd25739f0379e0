"""Run user functions in the background, each the way it is written.

- plain functions and generator functions: a worker thread, so they progress while cells run
  (a generator's batches are handed over one by one as they are yielded);
- coroutine and async generator functions: the kernel's asyncio loop (they keep using the
  loop their resources belong to, and progress whenever the kernel is not busy running a cell).

Cancellation is cooperative for threads (a generator stops at its next yield; a plain function
runs to its end and its result is discarded) and real for coroutines (`Task.cancel`).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """Reported for a task stopped with `cancel_async()` (or replaced by a newer one)."""


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class Task:
    """One run of `fn`: `on_item(item)` per generator item, then `on_done(ok, value)` once."""

    def __init__(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[bool, Any], None],
        on_item: Callable[[Any], None] | None = None,
        pace: Callable[[], Any] | None = None,
        wait: Callable[[threading.Event], Any] | None = None,
    ) -> None:
        if not callable(fn):
            raise TypeError(f"expected a function to run in the background, not {fn!r}")
        self.fn, self.on_done, self.on_item = fn, on_done, on_item
        self.pace = pace  # awaited between an async generator's items (backpressure)
        # Called between a generator's items in its thread (backpressure); it returns early
        # once the event (this task's cancel) is set.
        self.wait = wait
        self._cancel = threading.Event()
        self._done = threading.Lock()  # acquired once: whoever gets it reports the outcome
        self._loop: asyncio.AbstractEventLoop | None = None
        self._future: asyncio.Future | None = None

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def start(self) -> Task:
        is_async = inspect.iscoroutinefunction(self.fn) or inspect.isasyncgenfunction(self.fn)
        self._loop = _running_loop() if is_async else None
        if self._loop is not None:
            self._future = self._loop.create_task(self._run_async())
        else:
            target = (lambda: asyncio.run(self._run_async())) if is_async else self._run_sync
            threading.Thread(target=target, name="livestream-widget-task", daemon=True).start()
        return self

    def cancel(self, reason: str = "cancelled") -> None:
        self._cancel.set()
        if self._future is not None and self._loop is not None:
            self._loop.call_soon_threadsafe(self._future.cancel)
        self._finish(False, Cancelled(reason))  # at once: whatever comes later is ignored

    def _finish(self, ok: bool, value: Any) -> None:
        if not self._done.acquire(blocking=False):
            return
        try:
            self.on_done(ok, value)
        except Exception:  # a broken handler must not kill the worker or the kernel loop
            log.exception("livestream-widget: async result handler failed")

    def _item(self, item: Any) -> None:
        if self.on_item is not None:
            self.on_item(item)

    def _run_sync(self) -> None:
        try:
            result = self.fn()
            if inspect.isgenerator(result):
                result = self._drain(result)
            elif inspect.isawaitable(result):  # e.g. a lambda returning a coroutine
                result = asyncio.run(_awaited(result))
        except Exception as e:
            self._finish(False, e)
            return
        if not self.cancelled:
            self._finish(True, result)

    def _drain(self, gen: Any) -> Any:
        try:
            while not self.cancelled:
                try:
                    item = next(gen)
                except StopIteration as stop:
                    return stop.value
                if not self.cancelled:
                    self._item(item)
                if self.wait is not None and not self.cancelled:
                    self.wait(self._cancel)
        finally:
            gen.close()  # runs the generator's `finally:` blocks, in this thread
        return None

    async def _run_async(self) -> None:
        try:
            if inspect.isasyncgenfunction(self.fn):
                result = None
                agen = self.fn()
                try:
                    async for item in agen:
                        if self.cancelled:
                            break
                        self._item(item)
                        if self.pace is not None:
                            await self.pace()
                finally:
                    await agen.aclose()
            else:
                result = await self.fn()
        except asyncio.CancelledError:
            self._finish(False, Cancelled("cancelled"))
            return
        except Exception as e:
            self._finish(False, e)
            return
        if not self.cancelled:
            self._finish(True, result)


async def _awaited(awaitable: Any) -> Any:
    return await awaitable
