import itertools

import pytest

from .kernel import Kernel
from .reference import ReferenceStore

_names = itertools.count()


def start_kernel() -> Kernel:
    """A fresh test kernel with what every test's code uses imported."""
    k = Kernel().start()
    k.run(
        "import time, gc, weakref\nimport pandas as pd, pyarrow as pa\nfrom livestream_widget import StreamWidget"
    )
    return k


@pytest.fixture(scope="session")
def kernel():
    k = start_kernel()
    yield k
    k.stop()


class Stream:
    """A StreamWidget living in the test kernel, plus the reference store its diffs build."""

    def __init__(self, kernel: Kernel, args: str = "") -> None:
        self.kernel = kernel
        self.var = f"w{next(_names)}"
        kernel.run(f"{self.var} = StreamWidget({args})")
        self.comm_id = kernel.comm_id(self.var)
        self.store = ReferenceStore()

    def run(self, code: str) -> str:
        return self.kernel.run(f"w = {self.var}\n{code}")

    def apply(self, diffs: list) -> ReferenceStore:
        """Apply recorded diff messages to the reference store, in order."""
        for m in diffs:
            self.store.apply(m.data["content"], m.buffers)
        return self.store

    def sync(self) -> ReferenceStore:
        self.kernel.drain(0.15)
        return self.apply(self.kernel.diffs(self.comm_id))


@pytest.fixture
def stream(kernel):
    return lambda args="": Stream(kernel, args)
