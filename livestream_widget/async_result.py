"""AsyncResult: the state of a background load, as in LiveView's `Phoenix.LiveView.AsyncResult`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class AsyncResult:
    """An immutable snapshot; each transition returns a new one.

    - `ok`: a result arrived at least once; stays True (a shown result wins over later loading
      or failure, unless a load is started with `reset=True`).
    - `loading`: truthy while a load runs; cleared by a failure or a result.
    - `failed`: the reason (a short str) after a failure; cleared by a new load or a result.
    - `result`: the last result (for `stream_async`, the number of rows it streamed).
    - `error` / `traceback`: the exception of the last failure and its formatted traceback.
    """

    ok: bool = False
    loading: Any = None
    failed: Any = None
    result: Any = None
    error: BaseException | None = None
    traceback: str | None = None

    def with_loading(self, reset: bool = False, state: Any = True) -> AsyncResult:
        """The state once a load starts (`reset`: forget the last result too)."""
        if reset:
            return AsyncResult(loading=state)
        return replace(self, loading=state, failed=None, error=None, traceback=None)

    def with_ok(self, result: Any) -> AsyncResult:
        """The state once a load succeeded with `result`."""
        return AsyncResult(ok=True, result=result)

    def with_failed(
        self, reason: Any, error: BaseException | None = None, traceback: str | None = None
    ) -> AsyncResult:
        """The state once a load failed (`reason` shown, the error and traceback kept)."""
        return replace(self, loading=None, failed=reason, error=error, traceback=traceback)
