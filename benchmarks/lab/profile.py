"""The profiled end-to-end run of bench.py: where the time goes when rows stream into the
page (full runs only; the report's findings quote it).

When each diff left the kernel (the widget's `send`, time-stamped in the kernel), when the
rows were in the page, the page's main thread (a DevTools CPU profile, in buckets) and the
Jupyter server (py-spy, if installed).
"""

from __future__ import annotations

import pathlib
import shutil
import signal
import subprocess
import time

from benchmarks.lab import names
from benchmarks.lab.cells import CELL
from benchmarks.lab.session import Session


def profile_e2e(s: Session, nb, root, rows: int, log=print) -> dict:
    """One more e2e stream, profiled: when each diff left the kernel, how the rows arrived in
    the page, the page's main thread (DevTools CPU profile) and the Jupyter server (py-spy)."""
    page, cdp = s.page, s.cdp
    nb.run(CELL["reset"])
    page.wait_for_function("el => el.dataset.count === '0'", arg=root, timeout=60_000)
    page.evaluate(
        """(root) => {
            window.__lswCounts = [];
            window.__lswCountObs?.disconnect();
            window.__lswCountObs = new MutationObserver(() =>
                window.__lswCounts.push([Date.now(), Number(root.dataset.count)]));
            window.__lswCountObs.observe(root, {
                attributes: true, attributeFilter: ["data-count"],
            });
        }""",
        root,
    )
    spy = None
    spy_out = s.server.root.parent / "server.pyspy.txt"
    if shutil.which("py-spy"):
        spy = subprocess.Popen(
            ["py-spy", "record", "--nonblocking", "-r", "200", "-f", "raw", "-o", str(spy_out)]
            + ["-p", str(s.server.proc.pid)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1.0)  # py-spy attaches
    cdp.send("Profiler.enable")
    cdp.send("Profiler.setSamplingInterval", {"interval": 500})
    cdp.send("Profiler.start")
    t = time.monotonic()
    nb.run(CELL["profile_stream"], timeout=600_000)
    page.wait_for_function(
        "n => window.__lswCounts.length && window.__lswCounts.at(-1)[1] === n",
        arg=rows,
        timeout=600_000,
    )
    wall = time.monotonic() - t
    cpu = cdp.send("Profiler.stop")["profile"]
    cdp.send("Profiler.disable")
    out: dict = {}
    if spy is not None:
        spy.send_signal(signal.SIGINT)
        try:
            spy.wait(30)
        except subprocess.TimeoutExpired:
            spy.kill()
            spy.wait()
        out["server"] = pyspy_summary(spy_out, 200)
    nb.run(CELL["profile_save"])
    t0, sends = s.load("t0"), s.load("sends")
    counts = page.evaluate("window.__lswCounts")
    out["timeline"] = {
        "messages": len(sends),
        "bytes": sum(s.load("sizes")),
        "first_send_ms": (sends[0] - t0) * 1000,
        "last_send_ms": (sends[-1] - t0) * 1000,
        "loop_end_ms": (s.load("loop_end") - t0) * 1000,
        "first_rows_ms": counts[0][0] - t0 * 1000 if counts else None,
        "all_rows_ms": next((t for t, n in counts if n == rows), counts[-1][0]) - t0 * 1000
        if counts
        else None,
        # Every diff's send and every change of the page's row count, in ms after the first
        # call (the JSON only: where a run's time goes between kernel and page).
        "sends": [
            [round((t - t0) * 1000, 1), n] for t, n in zip(sends, s.load("sizes"), strict=True)
        ],
        "counts": [[round(t - t0 * 1000, 1), n] for t, n in counts],
    }
    out["page"] = cpu_summary(cpu, names.build())
    out["wall_s"] = wall
    tl, pg = out["timeline"], out["page"]
    log(
        f"  lab profile: kernel sent {tl['messages']} diffs by +{tl['last_send_ms']:.0f} ms; "
        f"all rows in the DOM at +{tl['all_rows_ms']:.0f} ms; page main thread: "
        + ", ".join(f"{k} {v:.0f} ms" for k, v in pg["buckets"].items())
    )
    return out


def cpu_summary(profile: dict, source: names.Names | None = None) -> dict:
    """A DevTools CPU profile in buckets: the widget's own module, JupyterLab (and the widget
    manager), native work outside JS (the websocket's data, IPC, style/layout/paint: V8 calls it
    "(program)"), garbage collection, idle; plus the widget's heaviest functions, by their
    source names when `source` maps the minified bundle's (names.py)."""
    nodes = {n["id"]: n for n in profile["nodes"]}
    parent = {c: n["id"] for n in profile["nodes"] for c in n.get("children", [])}
    self_us: dict[int, float] = {}
    for sample, dt in zip(profile["samples"], profile["timeDeltas"], strict=True):
        self_us[sample] = self_us.get(sample, 0) + dt

    def bucket(node: dict) -> str:
        cf = node["callFrame"]
        name, url = cf["functionName"], cf["url"]
        if name in ("(program)", "(idle)", "(garbage collector)"):
            return {"(program)": "native (outside JS)", "(idle)": "idle"}.get(name, "GC")
        if url.startswith("blob:") or "widget.js" in url:
            return "widget module"
        if url:
            return "JupyterLab + widget manager"
        return "native (outside JS)"

    buckets: dict[str, float] = {}
    widget_fns: dict[str, float] = {}
    for nid, us in self_us.items():
        node = nodes[nid]
        # Attribute a native call (e.g. TextDecoder) to the script that called it.
        b, x = bucket(node), nid
        while b == "native (outside JS)" and node["callFrame"]["functionName"] not in (
            "(program)",
        ):
            x = parent.get(x)
            if x is None:
                break
            b = bucket(nodes[x])
        buckets[b] = buckets.get(b, 0) + us / 1000
        if b == "widget module":
            cf = nodes[nid]["callFrame"]
            key = cf["functionName"]
            if source is not None:
                key = source.original(key, cf["lineNumber"], cf["columnNumber"])
            key = key or "(anonymous)"
            widget_fns[key] = widget_fns.get(key, 0) + us / 1000
    order = ["widget module", "JupyterLab + widget manager", "native (outside JS)", "GC", "idle"]
    return {
        "buckets": {k: buckets.get(k, 0.0) for k in order},
        "widget_top": sorted(widget_fns.items(), key=lambda kv: -kv[1])[:8],
        "total_ms": sum(buckets.values()),
    }


def pyspy_summary(path: pathlib.Path, rate: int) -> dict:
    """py-spy's raw (collapsed) stacks: busy seconds (idle is not sampled) and top functions."""
    own: dict[str, int] = {}
    total = 0
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return {"error": f"no py-spy output at {path}"}
    for line in lines:
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        frame = stack.split(";")[-1]
        own[frame] = own.get(frame, 0) + int(n)
        total += int(n)
    top = sorted(own.items(), key=lambda kv: -kv[1])[:6]
    return {
        "busy_s": total / rate,
        "top": [(f, n / rate) for f, n in top],
    }
