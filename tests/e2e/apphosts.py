"""End-to-end harness for the app hosts (tests/e2e/test_apphosts.py): Voilà and Solara.

- **Voilà**: `voila <notebook>` on a free port. Each page load starts a kernel that runs the
  whole notebook before the page gets any HTML (no progressive rendering by default), then the
  page's widget manager (JupyterLab's, ipywidgets 8) creates the widgets from the kernel.
- **Solara**: `solara run <app.py>`. The page connects first, then the app's `Page` component
  renders in a kernel of that session inside the server process; widgets are created while
  the page listens. Solara's page loads its own front end (a Vue app) through the server's
  CDN proxy: from the `solara-assets` package when installed, else from cdn.jsdelivr.net.

Same shape as hosts.py: servers with start/stop, readiness waits, log tails for failures, and
nothing skips (a host that cannot start fails the test, saying what to install).
"""

from __future__ import annotations

import http.client
import importlib.metadata
import pathlib
import re
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass

from .harness import E2ESetupError, JupyterServer
from .hosts import end, fail_unless_ready, kernel_env, launch, page_text, wait_page_text


@dataclass
class AppServer:
    """A server of one app file (`notebook` or script) run from `root`."""

    app: pathlib.Path
    root: pathlib.Path
    log_path: pathlib.Path
    port: int
    proc: subprocess.Popen | None = None
    log_tail = JupyterServer.log_tail  # the last lines of log_path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answers(self, path: str) -> int:
        """The HTTP status of GET `path`, redirects not followed (raises OSError while nothing
        listens)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            conn.request("GET", path)
            return conn.getresponse().status
        finally:
            conn.close()

    def stop(self) -> None:
        end(self.proc)


class VoilaServer(AppServer):
    """`voila <notebook>`: every page load runs the notebook in a new kernel."""

    def start(self, home: pathlib.Path) -> None:
        cmd = [
            sys.executable,
            "-m",
            "voila",
            str(self.app),
            "--no-browser",
            f"--port={self.port}",
            "--Voila.ip=127.0.0.1",
            "--show_tracebacks=True",  # a failing cell shows its traceback in the page
        ]

        def ready() -> bool:
            # Not "/": that would start a kernel and run the notebook.
            return self.answers("/api/status") < 500

        self.proc = launch(self, cmd, kernel_env(home), ready, "Voilà")


class SolaraServer(AppServer):
    """`solara run app.py`: every page load is a new session of the app."""

    def start(self, home: pathlib.Path) -> None:
        cmd = [
            sys.executable,
            "-m",
            "solara",
            "run",
            str(self.app),
            "--host=127.0.0.1",
            f"--port={self.port}",
            "--no-open",
            "--production",  # minified front end, no file watching
        ]

        def ready() -> bool:
            return self.answers("/") == 200

        env = kernel_env(home, SOLARA_TELEMETRY_MIXPANEL_ENABLE="False")
        # Solara looks for solara-assets' files under sys.prefix; where the package was installed
        # under another prefix (a venv seeing the system's packages), name the folder it holds.
        cdn = solara_assets_cdn()
        if cdn is not None:
            env["SOLARA_ASSETS_PROXY_CACHE_DIR"] = str(cdn)
        self.proc = launch(self, cmd, env, ready, "Solara")
        self.check_front_end()

    def check_front_end(self) -> None:
        """Solara's page needs its Vue app; without it the page stays blank and every test would
        time out saying nothing useful, so fetch it once here."""
        with urllib.request.urlopen(f"{self.url}/", timeout=10) as resp:
            page = resp.read().decode()
        scripts = re.findall(r'<script src="([^"]*solara-vuetify[^"]*\.js)"', page)
        if not scripts:
            raise E2ESetupError(f"Solara's page names no solara-vuetify app script:\n{page[:500]}")
        try:
            with urllib.request.urlopen(f"{self.url}{scripts[0]}", timeout=60) as resp:
                resp.read()
        except (urllib.error.URLError, OSError) as e:
            raise E2ESetupError(
                f"Solara could not serve its front end {scripts[0]} ({e}): it comes from the "
                "solara-assets package, or from cdn.jsdelivr.net when that is reachable. "
                "pip install -e '.[test]' installs solara-assets; its newest release holds the "
                "Vue 2 app, which Solara uses with ipyvue < 3 (the test extra pins that).\n"
                f"Log tail:\n{self.log_tail()}"
            ) from None


def solara_assets_cdn() -> pathlib.Path | None:
    """The share/solara/cdn folder the solara-assets package installed, if it is installed."""
    try:
        dist = importlib.metadata.distribution("solara-assets")
    except importlib.metadata.PackageNotFoundError:
        return None
    for f in dist.files or ():
        parts = f.parts
        if "cdn" in parts and "solara" in parts:
            folder = pathlib.Path(
                str(dist.locate_file(pathlib.PurePath(*parts[: parts.index("cdn") + 1])))
            )
            return folder.resolve()
    return None


class AppPage:
    """One page of an app host (Voilà or Solara): the widgets are plain DOM (no shadow roots)."""

    def __init__(self, page, server: AppServer, host: str, problem: str | None = None) -> None:
        self.page = page
        self.server = server
        self.host = host
        self.problem = problem  # why the host or the browser could not start

    def open(self, ready: str, path: str = "/", timeout: float = 90_000) -> None:
        """Load the app and wait until `ready` (a CSS selector) is in the page. Fails the test
        (in its body, not as a setup error) when the host or the browser could not start."""
        fail_unless_ready(self.problem, self.host)
        self.page.goto(f"{self.server.url}{path}", timeout=timeout)
        self.page.locator(ready).first.wait_for(state="attached", timeout=timeout)

    def widget(self, nth: int = 0):
        return self.page.locator(".lsw").nth(nth)

    def text(self, selector: str) -> str:
        return page_text(self.page, selector)

    def wait_text(self, selector: str, predicate: str, timeout: float = 20_000) -> str:
        """Wait for the text of `selector` (something the app re-renders from Python)."""
        return wait_page_text(self.page, selector, predicate, timeout)
