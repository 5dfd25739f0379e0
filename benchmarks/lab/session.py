"""A real JupyterLab server and headless Chromium, for the benchmarks that run in JupyterLab
(bench.py, soak.py).

It is the end-to-end tests' harness (tests/e2e/harness.py: fresh settings, no windowing, cells
run from the UI) started once for a whole benchmark, so what is measured is what a user's
notebook does, and a change to how the tests start JupyterLab reaches the benchmarks too.
"""

from __future__ import annotations

import contextlib
import json
import pathlib
import secrets
import sys
import tempfile
import time
from dataclasses import dataclass, field

from benchmarks.browser.page import launch, page_heap
from tests.e2e.harness import JupyterServer, Lab, free_port, write_lab_settings

# A cell saves a result as <name>.json in the server's root (a cell's output would have to be
# scraped from the page); `Session.load` reads it.
SAVE_CELL = """\
def _save(name, value):
    import json
    with open(name + ".json", "w") as f:
        json.dump(value, f)
"""


@dataclass
class Session:
    lab: Lab
    cdp: object  # a Playwright CDPSession on the page
    errors: list[str] = field(default_factory=list)

    @property
    def page(self):
        return self.lab.page

    @property
    def server(self) -> JupyterServer:
        return self.lab.server

    def load(self, name: str):
        return json.loads((self.server.root / f"{name}.json").read_text())

    def heap(self) -> dict:
        """JS heap after a forced GC, and the page's DOM counters."""
        return page_heap(self.cdp, dom=True)

    def versions(self) -> dict:
        import jupyterlab

        return {
            "chromium": self.cdp.send("Browser.getVersion")["product"],
            "jupyterlab": jupyterlab.__version__,
        }


def process_rss(pid: int) -> int:
    """VmRSS of a process in bytes (what psutil's `memory_info().rss` reads on Linux)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


@contextlib.contextmanager
def lab_session(name: str, log=print, settings: dict[str, dict] | None = None):
    """Start JupyterLab and Chromium; yield a `Session`; stop both (the log tail on failure).
    `settings`: more user settings, file name (under the settings folder) -> its JSON."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix=f"lsw-{name}-") as tmp, sync_playwright() as p:
        base = pathlib.Path(tmp)
        (base / "root").mkdir()
        write_lab_settings(base / "user-settings")
        for file, values in (settings or {}).items():
            path = base / "user-settings" / file
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        server = JupyterServer(
            root=base / "root",
            log_path=base / "jupyterlab.log",
            port=free_port(),
            token=secrets.token_hex(16),
        )
        t = time.monotonic()
        server.start(base / "user-settings", base / "workspaces", base)
        ctx = None
        try:
            ctx, page = launch(p, base / "chromium-profile")
            ctx.set_default_timeout(60_000)
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            session = Session(Lab(page, server, name), ctx.new_cdp_session(page), errors)
            log(f"  {name}: JupyterLab + Chromium up ({time.monotonic() - t:.0f} s)")
            yield session
        except Exception:
            print(f"JupyterLab log tail:\n{server.log_tail()}", file=sys.stderr)
            raise
        finally:
            if ctx is not None:
                with contextlib.suppress(Exception):
                    ctx.close()
            server.stop()
