"""Headless Chromium for every browser benchmark, and the statistics of a frame loop.

Debian's Chromium with the end-to-end tests' flags (REFERENCE §4: never `playwright install`),
so the benchmarks run wherever the tests do.
"""

from __future__ import annotations

import pathlib
import re
import statistics

from tests.e2e.harness import CHROMIUM, CHROMIUM_ARGS, VIEWPORT

#: Animation frames of one scroll or idle loop (benchmarks/browser/frames.js).
SCROLL_FRAMES = 200
FRAMES_JS = pathlib.Path(__file__).resolve().parent / "frames.js"


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


def install_frames(page) -> None:
    """frames.js in a page that did not bundle it (JupyterLab): `window.lswFrames`."""
    src = re.sub(r"^export ", "", FRAMES_JS.read_text(), flags=re.M)
    install = "window.lswFrames = { afterFrame, frameLoop, scrollLoop };"
    page.evaluate(f"() => {{\n{src}\n{install}\n}}")


def page_heap(cdp, dom: bool = False) -> dict:
    """DevTools: a forced GC (twice: the first one's finalisers free more), then
    `Runtime.getHeapUsage` (`usedSize`: V8 heap; `backingStorageSize`: ArrayBuffers outside
    it), plus `Memory.getDOMCounters` with `dom`."""
    cdp.send("HeapProfiler.collectGarbage")
    cdp.send("HeapProfiler.collectGarbage")
    out = cdp.send("Runtime.getHeapUsage")
    return {**out, **cdp.send("Memory.getDOMCounters")} if dom else out


def heap_per_row(before: dict, after: dict, rows: int) -> dict:
    """What holding `rows` rows costs, from two `page_heap` readings."""
    used = after["usedSize"] - before["usedSize"]
    backing = after.get("backingStorageSize", 0) - before.get("backingStorageSize", 0)
    return {
        "used_per_row": used / rows,
        "backing_per_row": backing / rows,
        "used_bytes": used,
        "backing_bytes": backing,
    }


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
