"""Kernel side: how fast rows leave a real ipykernel, and what the kernel keeps afterwards.

Every contender runs in a fresh ipykernel (started by jupyter_client's KernelManager) with the
same data generated in the kernel *before* timing; a thread in this process drains every IOPub
message off a raw ZMQ SUB socket, counting messages and bytes (all frames, buffers included)
and time-stamping each custom message as it arrives.

Contenders (one fresh kernel per run, best of N runs):
- `livestream-widget`: `w = StreamWidget(); for df in batches: w.stream(df)`, then `w.flush()`
  until nothing is pending; timed until the last `diff` message arrives here.
- `livestream-widget, limit=-10_000`: the same with `w.stream(df, limit=-10_000)`.
- `raw floor`: one custom message per batch through an anywidget's `send(content, buffers)`,
  the columns as raw buffers (numbers as their bytes, strings as utf-8 data + int32 offsets);
  no ops, no dom ids, nothing kept. What any widget must at least pay to move these bytes.

Peers (Panel, Bokeh, Perspective, ipydatagrid: benchmarks/peers.py) run the same way; their run
ends when their cell has returned and the last message it sent has arrived here. `plan()` lists
every case of a full run (batches of 1,000 and of 1, with per-peer row caps).

Run alone: `python benchmarks/kernel_bench.py [--rows N] [--repeat N] [--batch 1|1000]
[--contender NAME ...]` (prints JSON).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import pathlib
import statistics
import sys
import tempfile
import threading
import time
from typing import NamedTuple

import zmq
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

HERE = pathlib.Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
import peers  # noqa: E402

ROOT = HERE.parent  # the tree under test: put first on the kernels' path (see _spec_dir)
DATA_SRC = (HERE / "data.py").read_text()
DELIM = b"<IDS|MSG>"


# --------------------------------------------------------------------------------------------
# IOPub drain


class IOPubDrain(threading.Thread):
    """Reads every IOPub message as soon as it is published; keeps counts, not payloads."""

    def __init__(self, url: str) -> None:
        super().__init__(name="iopub-drain", daemon=True)
        self.url = url
        self.cond = threading.Condition()
        self.messages = 0
        self.bytes = 0
        self.idle: set[str] = set()  # msg_ids of requests whose idle status arrived
        # msg_id -> arrival of the last non-status message before that request's idle status
        # (messages a cell sends are published before its idle: the end of a peer's run).
        self.last_before_idle: dict[str, float] = {}
        self._last_out = 0.0
        self.custom: list[tuple[float, str, int, int]] = []  # (arrival, kind, seq, buffer bytes)
        self.errors: list[str] = []
        self._halt = threading.Event()

    def run(self) -> None:
        ctx = zmq.Context()
        sock = ctx.socket(zmq.SUB)
        sock.setsockopt(zmq.RCVHWM, 0)  # never drop on our side either
        sock.setsockopt(zmq.SUBSCRIBE, b"")
        sock.connect(self.url)
        try:
            while not self._halt.is_set():
                if not sock.poll(100):
                    continue
                frames = sock.recv_multipart(copy=False)
                self._handle(frames, time.monotonic())
        finally:
            sock.close(linger=0)
            ctx.term()

    def _handle(self, frames: list, now: float) -> None:
        size = sum(len(f) for f in frames)
        i = 0
        while frames[i].bytes != DELIM:  # topic frames are tiny; stop at the delimiter
            i += 1
        header = json.loads(frames[i + 2].bytes)
        kind = header["msg_type"]
        idle = custom = None
        if kind == "status":
            content = json.loads(frames[i + 5].bytes)
            if content.get("execution_state") == "idle":
                idle = json.loads(frames[i + 3].bytes).get("msg_id")
        elif kind == "comm_msg":
            data = json.loads(frames[i + 5].bytes).get("data")
            # Peers send other shapes (Panel and Bokeh send bare strings as comm data).
            if (
                isinstance(data, dict)
                and data.get("method") == "custom"
                and isinstance(data.get("content"), dict)
            ):
                c = data["content"]
                custom = (now, c.get("kind"), c.get("seq"), sum(len(f) for f in frames[i + 6 :]))
        elif kind in ("error", "stream"):
            content = json.loads(frames[i + 5].bytes)
            if kind == "error" or content.get("name") == "stderr":
                self.errors.append(
                    content.get("text") or f"{content.get('ename')}: {content.get('evalue')}"
                )
        with self.cond:
            self.messages += 1
            self.bytes += size
            if kind != "status":
                self._last_out = now
            if idle:
                self.idle.add(idle)
                self.last_before_idle[idle] = self._last_out
            if custom:
                self.custom.append(custom)
            self.cond.notify_all()

    def counts(self) -> tuple[int, int, int]:
        with self.cond:
            return self.messages, self.bytes, len(self.custom)

    def wait(self, predicate, timeout: float) -> bool:
        with self.cond:
            return self.cond.wait_for(predicate, timeout)

    def stop(self) -> None:
        self._halt.set()
        self.join(5)


# --------------------------------------------------------------------------------------------
# A fresh kernel


class KernelFailed(RuntimeError):
    pass


class BenchKernel:
    def __init__(self, spec_dir: str) -> None:
        self.log_path = pathlib.Path(spec_dir).parent / "kernel.log"
        ksm = KernelSpecManager(kernel_dirs=[spec_dir], ensure_native_kernel=False)
        self.km = KernelManager(kernel_name="lsw-bench", kernel_spec_manager=ksm)

    def __enter__(self) -> BenchKernel:
        # The kernel's own stderr (a TCP warning at start) goes to a file, shown on failure.
        self._log = open(self.log_path, "ab")
        self.km.start_kernel(stdout=self._log, stderr=self._log)
        info = self.km.get_connection_info()
        self.drain = IOPubDrain(f"{info['transport']}://{info['ip']}:{info['iopub_port']}")
        self.drain.start()
        self.kc = self.km.client()
        self.kc.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        self._wait_ready()
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.kc.stop_channels()
        finally:
            self.km.shutdown_kernel(now=True)
            self.drain.stop()
            self._log.close()
        if exc[0] is not None:
            tail = self.log_path.read_text(errors="replace")[-3000:]
            print(f"kernel log ({self.log_path}):\n{tail}", file=sys.stderr)

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg_id = self.kc.kernel_info()
            try:
                self._reply(msg_id, 2)
                break
            except TimeoutError:
                continue
        else:
            raise KernelFailed("kernel did not start")
        # The SUB socket subscribes asynchronously: run no-op cells until IOPub reaches us.
        while time.monotonic() < deadline:
            msg_id = self.kc.execute("pass", store_history=False)
            self._reply(msg_id, 30)
            if self.drain.wait(lambda m=msg_id: m in self.drain.idle, 1.0):
                return
        raise KernelFailed("IOPub never reached the drain")

    def _reply(self, msg_id: str, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(msg_id)
            try:
                msg = self.kc.get_shell_msg(timeout=left)
            except Exception:  # queue.Empty
                raise TimeoutError(msg_id) from None
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg["content"]

    def run(self, code: str, timeout: float = 600, **expressions: str) -> tuple[str, dict]:
        """Execute like a cell; return its msg_id and the evaluated `expressions`."""
        msg_id = self.kc.execute(code, store_history=False, user_expressions=expressions)
        content = self._reply(msg_id, timeout)
        if content["status"] != "ok":
            tb = "\n".join(content.get("traceback", []))
            raise KernelFailed(f"{content.get('ename')}: {content.get('evalue')}\n{tb}")
        values = {}
        for name, r in content.get("user_expressions", {}).items():
            if r.get("status") != "ok":
                raise KernelFailed(f"{name}: {r.get('ename')}: {r.get('evalue')}")
            values[name] = ast.literal_eval(r["data"]["text/plain"])
        return msg_id, values


# --------------------------------------------------------------------------------------------
# Cells

SETUP = """
import ctypes, gc, time
import numpy as np, pandas as pd, pyarrow as pa
_libc = ctypes.CDLL("libc.so.6")

def _rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024

def _settle():
    # Free what is garbage and hand allocator caches back, so the baseline is a low point.
    gc.collect(); pa.default_memory_pool().release_unused(); _libc.malloc_trim(0)

_BATCH = {batch}
# Batches of 1 are rows as dicts (what a feed of single rows hands over); else DataFrames.
_batches = make_batches({rows}, _BATCH) if _BATCH > 1 else make_frame({rows}).to_dict("records")

def _module_file():
    import sys
    m = sys.modules.get("livestream_widget")
    return m.__file__ if m else None
_rows = sum(len(b) for b in _batches) if _BATCH > 1 else len(_batches)
"""

LIVESTREAM_SETUP = """
from livestream_widget import StreamWidget
_w = StreamWidget()
"""

FLOOR_SETUP = """
import anywidget, pyarrow.compute as pc

class _Floor(anywidget.AnyWidget):
    _esm = "export default {}"

_w = _Floor()

def _column_buffers(df):
    # Numbers: their bytes as they are. Strings: pandas >= 3 already holds them in Arrow, so
    # utf-8 data + int32 offsets is one cheap cast away (cheaper than any Python loop).
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
            n, o = len(a), a.offset
            offsets = np.frombuffer(a.buffers()[1], np.int32, n + 1, 4 * o)
            out.append(memoryview(offsets).cast("B"))
            out.append(memoryview(a.buffers()[2])[offsets[0] : offsets[-1]])
    return out

_names = list(_batches[0].columns) if _BATCH > 1 else list(_batches[0])

def _row_buffers(row, _kinds={}):
    # One row: each value as a 1-element numpy buffer, strings as their utf-8 bytes.
    out = []
    for name in _names:
        v = row[name]
        if isinstance(v, str):
            out.append(v.encode())
        else:
            if isinstance(v, pd.Timestamp):
                v = v.value
            out.append(memoryview(np.array([v])).cast("B"))
    return out
"""

BEFORE = """
_settle()
_rss0, _pa0 = _rss(), pa.total_allocated_bytes()
_cpu0 = time.process_time()  # CPU time of every thread of the kernel process
"""

LIVESTREAM_RUN = """
_t0 = time.monotonic()
if _BATCH > 1:
    for _df in _batches:
        _w.stream(_df{options})
else:
    for _r in _batches:
        _w.insert(_r{options})
_w.flush()
while True:  # a flush right after a send is deferred to the timer thread: wait it out
    with _w._lock:
        _pending = len(_w._log)
    if not _pending:
        break
    time.sleep(0.001)
    _w.flush()
with _w._send_lock:  # a timer flush may still be encoding/sending
    pass
_t1 = time.monotonic()
_out = dict(t0=_t0, t1=_t1, last=_w._seq, kind="diff")
"""

FLOOR_RUN = """
_t0 = time.monotonic()
if _BATCH > 1:
    for _i, _df in enumerate(_batches):
        _content = {"kind": "floor", "seq": _i + 1, "rows": len(_df), "columns": _names}
        _w.send(_content, _column_buffers(_df))
else:
    for _i, _r in enumerate(_batches):
        _w.send({"kind": "floor", "seq": _i + 1, "rows": 1, "columns": _names}, _row_buffers(_r))
_t1 = time.monotonic()
_out = dict(t0=_t0, t1=_t1, last=len(_batches), kind="floor")
"""

PEER_RUN = """
_t0 = time.monotonic()
{body}
_t1 = time.monotonic()
_out = dict(t0=_t0, t1=_t1, last=None, kind=None)
"""

AFTER = """
_cpu = time.process_time() - _cpu0  # first thing: the run's CPU, not this cell's
time.sleep(0.2)  # let ZMQ release the zero-copy frames it has sent
gc.collect()
_mem = dict(rss=_rss() - _rss0, pa=pa.total_allocated_bytes() - _pa0)
_settle()
_mem["rss_settled"] = _rss() - _rss0
_mem["pool"] = pa.default_memory_pool().backend_name
_mem["cpu"] = _cpu
"""

CONTENDERS = {
    "livestream-widget": (LIVESTREAM_SETUP, LIVESTREAM_RUN.replace("{options}", "")),
    "livestream-widget, limit=-10_000": (
        LIVESTREAM_SETUP,
        LIVESTREAM_RUN.replace("{options}", ", limit=-10_000"),
    ),
    "raw floor": (FLOOR_SETUP, FLOOR_RUN),
}
FLOOR = "raw floor"

#: Not a contender: the widget with one line patched in (inside the benchmark kernel only), to
#: check a suggested fix under the same conditions. Run by run.py unless --quick.
DIAGNOSTICS = {
    "diagnostic: livestream-widget + release_unused() after each flush": (
        LIVESTREAM_SETUP
        + """
_flush = StreamWidget.flush
def _flush_and_release(self, *args, **kwargs):
    _flush(self, *args, **kwargs)
    pa.default_memory_pool().release_unused()  # hand freed encode buffers back to the OS
StreamWidget.flush = _flush_and_release
""",
        LIVESTREAM_RUN.replace("{options}", ""),
    ),
}


def _spec_dir(tmp: str) -> str:
    d = pathlib.Path(tmp) / "kernels" / "lsw-bench"
    d.mkdir(parents=True)
    argv = [sys.executable, str(HERE / "unbounded_kernel.py"), "-f", "{connection_file}"]
    spec = {
        "argv": argv,
        "display_name": "lsw-bench",
        "language": "python",
        "env": {
            # Import livestream_widget from this tree even if another copy is installed.
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",  # silences a debugpy startup note
        },
    }
    (d / "kernel.json").write_text(json.dumps(spec))
    return str(d.parent)


def cells(contender: str, batch: int) -> tuple[str, str]:
    """(setup, timed body) of a contender for this batch size."""
    if contender in peers.PEERS:
        setup, bodies = peers.PEERS[contender]
        return setup, PEER_RUN.format(body=bodies[batch])
    return {**CONTENDERS, **DIAGNOSTICS}[contender]


def run_one(spec_dir: str, contender: str, rows: int, batch: int = 1000) -> dict:
    setup, body = cells(contender, batch)
    with BenchKernel(spec_dir) as k:
        _, where = k.run(
            DATA_SRC + SETUP.format(rows=rows, batch=batch) + setup, module="_module_file()"
        )
        k.run(BEFORE)
        msgs0, bytes0, custom0 = k.drain.counts()
        msg_id, res = k.run(body, out="_out")
        out = res["out"]
        if out["kind"] is None:
            # A peer: its cell has returned; the run ends when the last message the cell sent
            # (published before the cell's idle status) has arrived here.
            if not k.drain.wait(lambda: msg_id in k.drain.idle, 300):
                raise KernelFailed(f"{contender}: the kernel never went idle")
            msgs1, bytes1, custom1 = k.drain.counts()
            end = max(out["t1"], k.drain.last_before_idle[msg_id])
            mine, lost = [], 0
        else:

            def want() -> bool:
                return any(s == out["last"] and kd == out["kind"] for _, kd, s, _ in k.drain.custom)

            if not k.drain.wait(lambda: want() and msg_id in k.drain.idle, 300):
                raise KernelFailed(
                    f"{contender}: the last message (seq {out['last']}) never arrived"
                )
            msgs1, bytes1, custom1 = k.drain.counts()
            mine = [c for c in k.drain.custom[custom0:custom1] if c[1] == out["kind"]]
            end = max(t for t, kind, seq, _ in mine if seq == out["last"])
            lost = out["last"] - len({s for _, _, s, _ in mine})
        _, mem = k.run(AFTER, mem="_mem")
        mem = mem["mem"]
        seconds = end - out["t0"]
        return {
            "contender": contender,
            "batch": batch,
            "rows": rows,
            "seconds": seconds,
            "rows_per_s": rows / seconds,
            "kernel_seconds": out["t1"] - out["t0"],
            "kernel_cpu_seconds": mem["cpu"],
            "iopub_messages": msgs1 - msgs0,
            "iopub_bytes": bytes1 - bytes0,
            "data_messages": len(mine),
            "payload_bytes": sum(b for *_, b in mine),
            "lost_messages": lost,
            "rss_kept": mem["rss"],
            "rss_kept_settled": mem["rss_settled"],
            "arrow_kept": mem["pa"],
            "arrow_pool": mem["pool"],
            "stderr": k.drain.errors[:5],
            "module": where["module"],
        }


def summarize(runs: list[dict]) -> dict:
    """Throughput: the fastest run (best of N). Memory: the median run, because what an
    allocator keeps after a burst depends on how far delivery lagged in that run (a backlog in
    ZMQ's queue leaves a bigger heap behind), which machine noise changes from run to run.
    Arrow bytes and lost messages: the worst run."""
    best = max(runs, key=lambda r: r["rows_per_s"])
    return {
        **best,
        "rows_per_s_all": [r["rows_per_s"] for r in runs],
        "kernel_cpu_seconds": min(r["kernel_cpu_seconds"] for r in runs),
        "kernel_cpu_seconds_all": [r["kernel_cpu_seconds"] for r in runs],
        "rss_kept": statistics.median(r["rss_kept"] for r in runs),
        "rss_kept_all": [r["rss_kept"] for r in runs],
        "rss_kept_settled": statistics.median(r["rss_kept_settled"] for r in runs),
        "rss_kept_settled_all": [r["rss_kept_settled"] for r in runs],
        "arrow_kept": max(r["arrow_kept"] for r in runs),
        "lost_messages": max(r["lost_messages"] for r in runs),
        "runs": len(runs),
    }


def run(rows: int = 1_000_000, repeat: int = 3, contenders=None, log=print) -> dict:
    """Every contender at `rows` rows in batches of 1,000; {contender: summary}."""
    cases = [Case(c, 1000, rows) for c in (contenders or CONTENDERS)]
    results = run_cases(cases, repeat, log)
    return {case.contender: res for case, res in zip(cases, results, strict=True) if res}


class Case(NamedTuple):
    contender: str
    batch: int
    rows: int
    runs: int | None = None  # at most this many runs (quadratic peers: 1); None: `repeat`


#: Peers per batch size: (peer, rows cap, runs cap). A cap keeps a full run within minutes where
#: a peer is quadratic (re-sends or re-copies every row so far) or costs milliseconds per row;
#: livestream-widget and the floor are measured at every (batch, rows) a peer uses, so each
#: ratio compares equal work. Rollover/limit variants are left out at batch 1: at <= 10,000
#: rows they never roll over, so they equal the plain variant.
PEER_PLAN = {
    1000: [
        ("Panel Tabulator", None, 1),
        ("Panel Tabulator, rollover=10_000", None, 2),
        ("Bokeh ColumnDataSource", None, 2),
        ("Bokeh ColumnDataSource, rollover=10_000", None, 2),
        ("Perspective", None, 2),
        ("Perspective, limit=10_000", None, 2),
        ("ipydatagrid", 200_000, 1),
    ],
    1: [
        ("Bokeh ColumnDataSource", 10_000, 2),
        ("Perspective", 10_000, 2),
        ("Panel Tabulator", 1_000, 1),
        ("ipydatagrid", 1_000, 1),
    ],
}
#: --quick: every case once; Panel without rollover (~70 s at 1M rows) capped too.
QUICK_CAPS = {("Panel Tabulator", 1000): 200_000}
LSW = "livestream-widget"


def plan(rows: int, quick: bool, peer_names=None, diagnostics: bool = True) -> list[Case]:
    """Every kernel case of a run: livestream-widget and the floor (and diagnostics) at `rows`
    in batches of 1,000 first, then each peer at its (batch, rows), with livestream-widget and
    the floor at the same (batch, rows)."""
    cases = [Case(c, 1000, rows) for c in CONTENDERS]
    if diagnostics:
        cases += [Case(d, 1000, rows) for d in DIAGNOSTICS]
    wanted = set(peers.PEERS if peer_names is None else peer_names)
    for batch, entries in PEER_PLAN.items():
        for name, cap, runs in entries:
            if name not in wanted:
                continue
            cap = QUICK_CAPS.get((name, batch), cap) if quick else cap
            n = min(rows, cap or rows)
            for c in (LSW, FLOOR):
                if Case(c, batch, n) not in cases:
                    cases.append(Case(c, batch, n))
            cases.append(Case(name, batch, n, runs))
    return cases


def run_cases(
    cases: list[Case], repeat: int, log=print, failures: list[str] | None = None
) -> list[dict | None]:
    """Each case in fresh kernels, interleaved round by round (so machine noise spreads over
    all contenders), `repeat` runs each (or the case's own cap); a summary per case. A run that
    fails is logged (and added to `failures` when given) instead of ending the benchmark; a case
    without any successful run gets None."""
    runs: list[list[dict]] = [[] for _ in cases]
    with tempfile.TemporaryDirectory(prefix="lsw-bench-") as tmp:
        spec_dir = _spec_dir(tmp)
        for r in range(repeat):
            for i, case in enumerate(cases):
                n = min(repeat, case.runs or repeat)
                if r >= n:
                    continue
                t = time.monotonic()
                try:
                    res = run_one(spec_dir, case.contender, case.rows, case.batch)
                except Exception as e:
                    msg = f"{case.contender} (batch {case.batch}, {case.rows:,} rows): {e}"
                    log(f"  kernel run FAILED: {msg[:2000]}")
                    if failures is not None:
                        failures.append(msg.splitlines()[0][:300])
                    continue
                runs[i].append(res)
                log(
                    f"  kernel run {r + 1}/{n} {case.contender:<40} batch {case.batch:>4} "
                    f"{case.rows:>9,} rows {res['rows_per_s']:>12,.0f} rows/s  "
                    f"rss kept {res['rss_kept'] / 2**20:7.1f} MiB  ({time.monotonic() - t:.0f} s)"
                )
    return [summarize(v) if v else None for v in runs]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument(
        "--contender", action="append", choices=[*CONTENDERS, *DIAGNOSTICS, *peers.PEERS]
    )
    p.add_argument("--batch", type=int, default=1000, choices=[1, 1000])
    a = p.parse_args()
    cases = [Case(c, a.batch, a.rows) for c in (a.contender or CONTENDERS)]
    res = run_cases(cases, a.repeat, log=lambda s: print(s, file=sys.stderr))
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
