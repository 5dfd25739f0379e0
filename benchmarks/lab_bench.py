"""Browser side in real JupyterLab: a real server, a real kernel, headless Chromium.

One notebook, driven from the JupyterLab UI like the end-to-end tests (tests/e2e/harness.py:
select a cell, Shift+Enter, wait on its prompt). Python stamps `time.time()` right before the
call; the page stamps `Date.now()` (the same machine clock) in a MutationObserver when the
widget's DOM shows the result. Measured:

- e2e rows/s: a cell streams N rows as N/1000 DataFrames of 1,000 rows (`w.stream(df)` each);
  from the first call until the widget's `data-count` attribute (the store's size, written by
  the view's next draw) reads N. Best of `repeat`, `w.reset()` in between.
- one N-row insert: `w.stream(df)` of one N-row DataFrame, until `data-count` reads N.
- single-row latency: a cell inserts rows one at a time (`w.insert(row, at=0, limit=20)`,
  `time.sleep` ~0.1 s between, with jitter), each stamped right before the call; latency = the
  first time an element with that row's `data-dom-id` is in the DOM minus that stamp. Also the
  same with one cell run per row (the end-of-cell flush).
- with N rows held: JS heap and ArrayBuffer bytes per row (DevTools: forced GC, then
  `Runtime.getHeapUsage`, vs. the same widget holding 0 rows), DOM elements in the widget and
  the page's DOM node count (`Memory.getDOMCounters`), and scroll frame times on the widget's
  `.lsw-scroll` (200 animation frames, as benchmarks/browser/bench.js does).

Run alone: `python benchmarks/lab_bench.py [--rows N] [--repeat N]` (prints JSON).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import random
import statistics
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
for _p in (str(HERE), str(ROOT)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from browser_page import SCROLL_FRAMES, frame_stats, pct  # noqa: E402
from lab_session import Session, lab_session  # noqa: E402

LATENCY_SAMPLES = 150
LATENCY_GAP = 0.1  # s between two single-row inserts (plus 0-20 ms jitter)
CELL_SAMPLES = 30  # single-row latency, one cell run per row
LIMIT = 20

# --------------------------------------------------------------------------------------------
# Cells (0-based indices below)

SETUP = """\
import json, random, sys, threading, time
sys.path.insert(0, {bench!r})
from data import make_batches, make_frame
from livestream_widget import StreamWidget

def _save(name, value):
    with open(name + ".json", "w") as f:
        json.dump(value, f)

w = StreamWidget(name="bench", height=400)
w
"""
DATA = """\
batches = make_batches({rows})
big = make_frame({rows})
rows = make_frame({samples}).to_dict("records")
print(len(batches), len(big), len(rows))
"""
RESET = "w.reset()"
STREAM_BATCHES = """\
_t0 = time.time()
for _df in batches:
    w.stream(_df)
_save("t0", _t0)
"""
STREAM_BIG = """\
_t0 = time.time()
w.stream(big)
_save("t0", _t0)
"""
# One row at a time, as a live feed would: a row, then a pause. The dom id is bench-<id>.
LATENCY_LOOP = """\
_stamps = {{}}
_rng = random.Random(1)
for _i, _r in enumerate(rows):
    _id = {base} + _i
    _t = time.time()
    w.insert({{**_r, "id": _id}}, at=0, limit={limit})
    _stamps[f"bench-{{_id}}"] = _t
    time.sleep({gap} + _rng.random() * 0.02)
_save("stamps", _stamps)
"""
CELL_INIT = "_cell_stamps = {}; _n = 0"
CELL_ONE = """\
_id = {base} + _n; _n += 1
_t = time.time()
w.insert({{**rows[_n], "id": _id}}, at=0, limit={limit})
_cell_stamps[f"bench-{{_id}}"] = _t
"""
CELL_SAVE = '_save("stamps", _cell_stamps)'


# The transport floor: the same rows as raw column buffers (numbers as their bytes, strings as
# utf-8 + int32 offsets) in messages of FLOOR_BATCHES DataFrames (~4 MiB, the size at which the
# widget flushes), to a widget whose front end only adds up `rows` and writes `data-count`.
FLOOR_BATCHES = 42
FLOOR = """\
import anywidget, numpy as np, pandas as pd, pyarrow as pa, pyarrow.compute as pc

class _Floor(anywidget.AnyWidget):
    _esm = \"\"\"
export default {
  render({ model, el }) {
    const box = document.createElement("div");
    box.className = "lsw-floor";
    box.dataset.count = "0";
    box.textContent = "transport floor";
    el.append(box);
    let n = 0;
    const on = (content) => {
      n = content.kind === "reset" ? 0 : n + content.rows;
      box.dataset.count = String(n);
    };
    model.on("msg:custom", on);
    return () => model.off("msg:custom", on);
  },
};
\"\"\"

def _column_buffers(df):
    out = []
    for name in df.columns:
        values = df[name].to_numpy()
        if values.dtype.kind in "iufbM":
            values = np.ascontiguousarray(values)
            if values.dtype.kind == "M":
                values = values.view(np.int64)
            out.append(memoryview(values).cast("B"))
        else:
            a = pc.cast(pa.array(df[name]), pa.string())
            if isinstance(a, pa.ChunkedArray):  # a concat of DataFrames: one copy
                a = a.combine_chunks()
            offsets = np.frombuffer(a.buffers()[1], np.int32, len(a) + 1, 4 * a.offset)
            out.append(memoryview(offsets).cast("B"))
            out.append(memoryview(a.buffers()[2])[offsets[0] : offsets[-1]])
    return out

floor = _Floor()
floor
"""
FLOOR_RESET = 'floor.send({"kind": "reset"})'
FLOOR_STREAM = """\
_t0 = time.time()
for _i in range(0, len(batches), {k}):
    _df = pd.concat(batches[_i : _i + {k}])
    floor.send({{"kind": "rows", "rows": len(_df)}}, _column_buffers(_df))
_save("t0", _t0)
"""
# Profiled repetition: the same stream, with the time of every diff handed to the comm.
PROFILE_STREAM = """\
_sends = []
_send = w.send
def _stamped_send(content, buffers=None):
    if isinstance(content, dict) and content.get("kind") == "diff":
        _sends.append(time.time())
    return _send(content, buffers)
w.send = _stamped_send
try:
    _t0 = time.time()
    for _df in batches:
        w.stream(_df)
    w.flush()
finally:
    del w.send
_save("t0", _t0)
_save("sends", _sends)
"""

#: name -> cell index in the benchmark notebook
CELL = {
    name: i
    for i, name in enumerate(
        [
            "setup",
            "data",
            "reset",
            "stream_batches",
            "stream_big",
            "latency_loop",
            "cell_init",
            "cell_one",
            "cell_save",
            "floor",
            "floor_reset",
            "floor_stream",
            "profile_stream",
        ]
    )
}


def cells(rows: int) -> list[str]:
    loop = dict(limit=LIMIT, gap=LATENCY_GAP)
    src = {
        "setup": SETUP.format(bench=str(HERE)),
        "data": DATA.format(rows=rows, samples=max(LATENCY_SAMPLES, CELL_SAMPLES + 1)),
        "reset": RESET,
        "stream_batches": STREAM_BATCHES,
        "stream_big": STREAM_BIG,
        "latency_loop": LATENCY_LOOP.format(base=0, **loop),
        "cell_init": CELL_INIT,
        "cell_one": CELL_ONE.format(base=20_000_000, limit=LIMIT),
        "cell_save": CELL_SAVE,
        "floor": FLOOR,
        "floor_reset": FLOOR_RESET,
        "floor_stream": FLOOR_STREAM.format(k=FLOOR_BATCHES),
        "profile_stream": PROFILE_STREAM,
    }
    return [src[name] for name in CELL]


# --------------------------------------------------------------------------------------------
# Page helpers

ARM_COUNT = """([root, n]) => {
  window.__lswCountAt = null;
  const check = () => {
    if (window.__lswCountAt === null && root.dataset.count === String(n)) {
      window.__lswCountAt = Date.now();
      obs.disconnect();
    }
  };
  const obs = new MutationObserver(check);
  obs.observe(root, { attributes: true, attributeFilter: ["data-count"] });
  check();
}"""

ARM_IDS = """(root) => {
  if (window.__lswIdObs) window.__lswIdObs.disconnect();
  const seen = (window.__lswSeen = {});
  const record = () => {
    const t = Date.now();
    for (const el of root.querySelectorAll("[data-dom-id]")) {
      const id = el.dataset.domId;
      if (!(id in seen)) seen[id] = t;
    }
  };
  window.__lswIdObs = new MutationObserver(record);
  window.__lswIdObs.observe(root, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["data-dom-id"],
  });
  record();
}"""

# The frame loop of benchmarks/browser/bench.js `scroll()`, on the widget's own scroller.
SCROLL = """async ([root, n, mode]) => {
  const sc = root.querySelector(".lsw-scroll");
  sc.scrollTop = 0;
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const max = sc.scrollHeight - sc.clientHeight;
  const positions = Array.from({ length: n }, (_, i) =>
    mode === "sweep" ? Math.round((max * (i + 1)) / n) : Math.min(max, (i + 1) * 140),
  );
  const stamps = [];
  const busy = [];
  await new Promise((resolve) => {
    let i = 0;
    function frame(ts) {
      const start = performance.now();
      stamps.push(ts);
      if (i === n) return resolve();
      sc.scrollTop = positions[i++];
      const ch = new MessageChannel();
      ch.port1.onmessage = () => busy.push(performance.now() - start);
      ch.port2.postMessage(0);
      requestAnimationFrame(frame);
    }
    requestAnimationFrame(frame);
  });
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  return {
    intervals: stamps.slice(1).map((t, i) => t - stamps[i]),
    busy,
    domRows: root.querySelectorAll("[data-dom-id]").length,
    scrollTop: sc.scrollTop,
  };
}"""

IDLE = """async (n) => {
  const stamps = [];
  const busy = [];
  await new Promise((resolve) => {
    function frame(ts) {
      const start = performance.now();
      stamps.push(ts);
      if (stamps.length > n) return resolve();
      const ch = new MessageChannel();
      ch.port1.onmessage = () => busy.push(performance.now() - start);
      ch.port2.postMessage(0);
      requestAnimationFrame(frame);
    }
    requestAnimationFrame(frame);
  });
  return { intervals: stamps.slice(1).map((t, i) => t - stamps[i]), busy };
}"""


def lat_stats(ms: list[float]) -> dict:
    return {
        "n": len(ms),
        "p50": statistics.median(ms),
        "p95": pct(ms, 95),
        "min": min(ms),
        "max": max(ms),
    }


# --------------------------------------------------------------------------------------------
# The run


def measure(s: Session, rows: int, repeat: int, profile: bool, log=print) -> dict:
    lab, cdp = s.lab, s.cdp
    page = s.page
    nb = lab.notebook(cells(rows), name="lsw_benchmark")
    res: dict = {"rows": rows}

    def run(name: str, timeout: float = 600_000) -> None:
        nb.run(CELL[name], timeout=timeout)

    load, heap = s.load, s.heap

    run("setup")
    w = nb.widget(CELL["setup"])
    root = w.element_handle()
    t = time.monotonic()
    run("data")
    run("floor")
    floor = nb.cell(CELL["floor"]).locator(".lsw-floor").element_handle()
    log(f"  lab: notebook open, data generated in the kernel ({time.monotonic() - t:.0f} s)")

    def reset(el=root, cell: str = "reset") -> None:
        run(cell)
        page.wait_for_function("el => el.dataset.count === '0'", arg=el, timeout=60_000)

    def until_count(cell: str, el=root, reset_cell: str = "reset") -> float:
        """Run `cell`; seconds from its t0 stamp until `el`'s data-count reads `rows`."""
        reset(el, reset_cell)
        page.evaluate(ARM_COUNT, [el, rows])
        run(cell)
        page.wait_for_function("() => window.__lswCountAt !== null", timeout=600_000)
        return (page.evaluate("window.__lswCountAt") / 1000) - load("t0")

    # -- e2e: N rows in 1000-row DataFrames, and the transport floor, interleaved -------------
    reset()
    m0 = heap()
    elements_empty = page.evaluate('root => root.getElementsByTagName("*").length', root)
    lsw, flo = [], []
    for r in range(repeat):
        lsw.append(until_count("stream_batches"))
        if r == 0:
            # -- with N rows held: heap, DOM, scrolling -------------------------------------
            m1 = heap()
            res["heap"] = {
                "used_per_row": (m1["usedSize"] - m0["usedSize"]) / rows,
                "backing_per_row": (
                    m1.get("backingStorageSize", 0) - m0.get("backingStorageSize", 0)
                )
                / rows,
                "used_bytes": m1["usedSize"] - m0["usedSize"],
                "backing_bytes": m1.get("backingStorageSize", 0) - m0.get("backingStorageSize", 0),
                "page_nodes_before": m0["nodes"],
                "page_nodes_after": m1["nodes"],
            }
            res["dom"] = page.evaluate(
                """root => ({
                    rows: root.querySelectorAll("[data-dom-id]").length,
                    elements: root.getElementsByTagName("*").length,
                    count: Number(root.dataset.count),
                })""",
                root,
            )
            res["dom"]["elements_empty"] = elements_empty
            h = res["heap"]
            log(
                f"  lab heap {h['used_per_row']:.0f} B/row JS heap, {h['backing_per_row']:.0f} "
                f"B/row ArrayBuffers; {res['dom']['rows']} row elements, page DOM nodes "
                f"{h['page_nodes_before']:,} -> {h['page_nodes_after']:,}"
            )
            w.scroll_into_view_if_needed()
            res["idle"] = frame_stats(page.evaluate(IDLE, SCROLL_FRAMES))
            for mode in ("sweep", "step"):
                res[f"scroll_{mode}"] = frame_stats(
                    page.evaluate(SCROLL, [root, SCROLL_FRAMES, mode])
                )
            sc = res["scroll_sweep"]
            log(
                f"  lab scroll sweep: interval p50/p95 {sc['intervals_p50']:.1f}/"
                f"{sc['intervals_p95']:.1f} ms, busy p50/p95 {sc['busy_p50']:.1f}/"
                f"{sc['busy_p95']:.1f} ms"
            )
        reset()
        flo.append(until_count("floor_stream", floor, "floor_reset"))
        reset(floor, "floor_reset")
        log(
            f"  lab e2e {r + 1}/{repeat}: livestream-widget {rows / lsw[-1]:,.0f} rows/s "
            f"({lsw[-1]:.2f} s), transport floor {rows / flo[-1]:,.0f} rows/s ({flo[-1]:.2f} s)"
        )
    res["e2e"] = {"seconds": min(lsw), "all": lsw, "rows_per_s": rows / min(lsw)}
    res["e2e_floor"] = {"seconds": min(flo), "all": flo, "rows_per_s": rows / min(flo)}

    if profile:
        res["profile"] = profile_e2e(lab, cdp, nb, root, rows, log)

    runs = []
    for r in range(repeat):
        runs.append(until_count("stream_big"))
        log(f"  lab one {rows:,}-row insert {r + 1}/{repeat}: {runs[-1]:.2f} s")
    res["one_insert"] = {"seconds": min(runs), "all": runs, "rows_per_s": rows / min(runs)}

    # -- single-row latency ------------------------------------------------------------------
    def latencies() -> list[float]:
        stamps = load("stamps")
        seen = page.evaluate("window.__lswSeen")
        missing = [k for k in stamps if k not in seen]
        if missing:
            raise AssertionError(f"{len(missing)} rows never appeared, e.g. {missing[:3]}")
        return [(seen[k] - stamps[k] * 1000) for k in stamps]

    def loop_latency(cell: str) -> dict:
        reset()
        page.evaluate(ARM_IDS, root)
        run(cell)
        page.wait_for_timeout(300)  # the last row's draw
        return lat_stats(latencies())

    res["latency"] = loop_latency("latency_loop")
    lat = res["latency"]
    log(f"  lab latency (loop): p50 {lat['p50']:.0f} ms, p95 {lat['p95']:.0f} ms")

    reset()
    page.evaluate(ARM_IDS, root)
    run("cell_init")
    for _ in range(CELL_SAMPLES):
        run("cell_one")
        page.wait_for_timeout(random.randint(0, 20))
    run("cell_save")
    page.wait_for_timeout(300)
    res["latency_cell"] = lat_stats(latencies())
    lat = res["latency_cell"]
    log(f"  lab latency (a cell per row): p50 {lat['p50']:.0f} ms, p95 {lat['p95']:.0f} ms")

    return res


def profile_e2e(lab, cdp, nb, root, rows: int, log=print) -> dict:
    """One more e2e stream, profiled: when each diff left the kernel, how the rows arrived in
    the page, the page's main thread (DevTools CPU profile) and the Jupyter server (py-spy)."""
    import shutil
    import signal
    import subprocess

    page = lab.page
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
    spy_out = lab.server.root.parent / "server.pyspy.txt"
    if shutil.which("py-spy"):
        spy = subprocess.Popen(
            ["py-spy", "record", "--nonblocking", "-r", "200", "-f", "raw", "-o", str(spy_out)]
            + ["-p", str(lab.server.proc.pid)],
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
    t0 = json.loads((lab.server.root / "t0.json").read_text())
    sends = json.loads((lab.server.root / "sends.json").read_text())
    counts = page.evaluate("window.__lswCounts")
    out["timeline"] = {
        "messages": len(sends),
        "first_send_ms": (sends[0] - t0) * 1000,
        "last_send_ms": (sends[-1] - t0) * 1000,
        "first_rows_ms": counts[0][0] - t0 * 1000 if counts else None,
        "all_rows_ms": counts[-1][0] - t0 * 1000 if counts else None,
    }
    out["page"] = cpu_summary(cpu)
    out["wall_s"] = wall
    tl, pg = out["timeline"], out["page"]
    log(
        f"  lab profile: kernel sent {tl['messages']} diffs by +{tl['last_send_ms']:.0f} ms; "
        f"all rows in the DOM at +{tl['all_rows_ms']:.0f} ms; page main thread: "
        + ", ".join(f"{k} {v:.0f} ms" for k, v in pg["buckets"].items())
    )
    return out


def cpu_summary(profile: dict) -> dict:
    """A DevTools CPU profile in buckets: the widget's own module, JupyterLab (and the widget
    manager), native work outside JS (the websocket's data, IPC, style/layout/paint: V8 calls it
    "(program)"), garbage collection, idle; plus the widget's heaviest functions."""
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
            key = cf["functionName"] or "(anonymous)"
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


def run(rows: int = 1_000_000, repeat: int = 3, profile: bool = True, log=print) -> dict:
    with lab_session("lab", log) as s:
        res = measure(s, rows, repeat, profile, log)
        res["page_errors"] = s.errors
        res.update(s.versions())
    return res


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--no-profile", action="store_true", help="skip the profiled e2e run")
    a = p.parse_args()
    res = run(a.rows, a.repeat, not a.no_profile, log=lambda s: print(s, file=sys.stderr))
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
