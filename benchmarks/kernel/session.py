"""A fresh ipykernel for one kernel-side run, with every IOPub message drained.

The kernel is started by jupyter_client's KernelManager from a kernel spec that launches
unbounded_kernel.py (stock ipykernel whose IOPub queue never drops), so no contender loses
messages. A thread in this process reads every IOPub message as soon as it is published,
off its own ZMQ SUB socket, counting messages and bytes (all frames, buffers included) and
time-stamping each custom message: the end of a run is when its last message arrives here.
"""

from __future__ import annotations

import ast
import json
import os
import pathlib
import sys
import threading
import time

import zmq
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

from benchmarks.paths import ROOT  # the tree under test: first on the kernels' path (spec_dir)

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


def spec_dir(tmp: str) -> str:
    """A kernel spec in `tmp` (returned: the directory to give KernelSpecManager)."""
    d = pathlib.Path(tmp) / "kernels" / "lsw-bench"
    d.mkdir(parents=True)
    argv = [sys.executable, "-m", "benchmarks.kernel.unbounded_kernel", "-f", "{connection_file}"]
    spec = {
        "argv": argv,
        "display_name": "lsw-bench",
        "language": "python",
        "env": {
            # Import livestream_widget from this tree even if another copy is installed (and
            # find `-m benchmarks.kernel.unbounded_kernel` above).
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",  # silences a debugpy startup note
        },
    }
    (d / "kernel.json").write_text(json.dumps(spec))
    return str(d.parent)
