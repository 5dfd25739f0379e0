"""The test process playing a browser on a widget's comm: hello, acks, gap reports."""

import time


class FrontEnd:
    """The test process playing a browser: hello, acks, gap reports."""

    def __init__(self, s, name="tab1"):
        self.s, self.name = s, name

    def send(self, **content):
        self.s.kernel.send_comm(self.s.comm_id, {**content, "frontend": self.name})

    def hello(self):
        """Announce this front end, so the kernel keeps diffs until it acknowledges them."""
        self.send(kind="hello", expected=1)
        return self

    def ack_until(self, expr: str, timeout: float = 60) -> None:
        """Acknowledge everything, again and again, until `expr` holds in the kernel."""
        deadline = time.monotonic() + timeout
        while not self.s.kernel.eval(expr) and time.monotonic() < deadline:
            self.ack_all()

    def ack_all(self):
        self.s.kernel.drain(0.2)
        seq = self.s.kernel.eval(f"{self.s.var}._seq")
        self.send(kind="ack", seq=seq, count=0)
        self.s.kernel.run("pass")  # let the kernel read it
