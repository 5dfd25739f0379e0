"""Headless Chromium for every browser benchmark, and the statistics of a frame loop.

Debian's Chromium with the end-to-end tests' flags (REFERENCE §4: never `playwright install`),
so the benchmarks run wherever the tests do.
"""

from __future__ import annotations

import pathlib
import statistics
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.e2e.harness import CHROMIUM, CHROMIUM_ARGS, VIEWPORT  # noqa: E402

#: Animation frames of one scroll or idle loop (benchmarks/browser/frames.js).
SCROLL_FRAMES = 200


def launch(playwright, profile_dir: pathlib.Path | str, viewport: dict = VIEWPORT):
    """A fresh persistent context (its own profile dir) and its first page."""
    ctx = playwright.chromium.launch_persistent_context(
        str(profile_dir),
        executable_path=CHROMIUM,
        headless=False,  # --headless=new is in CHROMIUM_ARGS
        args=CHROMIUM_ARGS,
        viewport=viewport,
        device_scale_factor=1,
    )
    return ctx, ctx.new_page()


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100 * len(s) + 0.5) - 1))]


def frame_stats(r: dict) -> dict:
    """p50 / p95 / max / n of a frame loop's `intervals`, `busy` and `draws` (ms), plus the
    loop's checks as they are."""
    out = {}
    for key in ("intervals", "busy", "draws"):
        if r.get(key):
            out[f"{key}_p50"] = statistics.median(r[key])
            out[f"{key}_p95"] = pct(r[key], 95)
            out[f"{key}_max"] = max(r[key])
            out[f"{key}_n"] = len(r[key])
    for key in ("domRows", "lastRowShown", "scrollTop"):
        if key in r:
            out[key] = r[key]
    return out
