"""A real ipykernel driven by jupyter_client, with every IOPub message drained and recorded.

Tests run code in the kernel exactly as a notebook cell would (so post_execute flushes and the
timer thread are the real ones) and read the widget's comm messages off IOPub.
"""

from __future__ import annotations

import queue
import time
from dataclasses import dataclass, field

from jupyter_client.manager import KernelManager

#: Kernel code defining `rss()`: the kernel process's resident memory, in bytes (Linux).
RSS_SOURCE = """
def rss():
    with open('/proc/self/status') as f:
        return next(int(l.split()[1]) * 1024 for l in f if l.startswith('VmRSS:'))
"""


class KernelError(Exception):
    pass


@dataclass
class CommMessage:
    comm_id: str
    data: dict
    buffers: list
    time: float  # monotonic arrival time in the test process
    busy: bool  # did it arrive while the cell that caused it was still running?


@dataclass
class Kernel:
    km: KernelManager = field(default_factory=lambda: KernelManager(kernel_name="python3"))
    messages: list[CommMessage] = field(default_factory=list)

    def start(self) -> Kernel:
        self.km.start_kernel()
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)
        self._busy = False
        return self

    def stop(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)

    def _record(self, msg: dict) -> None:
        kind = msg["msg_type"]
        if kind == "status":
            self._busy = msg["content"]["execution_state"] == "busy"
        if kind in ("comm_msg", "comm_open"):
            self.messages.append(
                CommMessage(
                    msg["content"]["comm_id"],
                    msg["content"]["data"],
                    [bytes(b) for b in msg.get("buffers", [])],
                    time.monotonic(),
                    self._busy,
                )
            )

    def run(self, code: str, timeout: float = 120) -> str:
        """Execute like a cell; return stdout; raise KernelError with the traceback on error."""
        msg_id = self.kc.execute(code)
        out, error = [], None
        deadline = time.monotonic() + timeout
        while True:
            msg = self.kc.get_iopub_msg(timeout=max(deadline - time.monotonic(), 0.1))
            self._record(msg)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind == "error":
                error = f"{content['ename']}: {content['evalue']}"
            elif kind == "status" and content["execution_state"] == "idle":
                break
        if error:
            raise KernelError(error)
        return "".join(out)

    def drain(self, seconds: float = 0.3) -> None:
        """Read IOPub until it stays quiet for `seconds` (timer flushes after a cell)."""
        while True:
            try:
                self._record(self.kc.get_iopub_msg(timeout=seconds))
            except queue.Empty:
                return

    def eval(self, expr: str):
        import ast

        return ast.literal_eval(self.run(f"print(repr({expr}))").strip())

    def comm_id(self, var: str) -> str:
        return self.eval(f"{var}.comm.comm_id")

    def diffs(self, comm_id: str) -> list[CommMessage]:
        """Take the diff messages recorded so far for one comm."""
        mine = [
            m
            for m in self.messages
            if m.comm_id == comm_id and m.data.get("content", {}).get("kind") == "diff"
        ]
        self.messages = [m for m in self.messages if m not in mine]
        return mine

    def custom(self, comm_id: str) -> list[dict]:
        """Contents of the custom messages recorded so far for one comm (not trait updates)."""
        return [
            m.data["content"]
            for m in self.messages
            if m.comm_id == comm_id and m.data.get("method") == "custom"
        ]

    def send_comm(self, comm_id: str, content: dict, buffers: list | None = None) -> None:
        """Send a custom message to the widget as its front end would."""
        msg = self.kc.session.msg(
            "comm_msg", {"comm_id": comm_id, "data": {"method": "custom", "content": content}}
        )
        self.kc.session.send(self.kc.shell_channel.socket, msg, buffers=buffers or [])
