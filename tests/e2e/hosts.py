"""End-to-end harness for the hosts other than JupyterLab (tests/e2e/test_hosts.py).

- **Notebook 7**: a `jupyter notebook` server of its own (port, token, root dir, user settings
  with cell windowing off), started as harness.JupyterServer starts JupyterLab. Notebook 7 is
  built from JupyterLab's components (the same notebook panel, cells, prompts, kernel name and
  execution indicator), so harness.Lab and harness.Notebook drive it unchanged: only the address
  of a notebook differs (`/notebooks/<path>` instead of `/lab/tree/<path>`).
- **marimo**: `marimo run` of an app file on a free port. Every page load is a new marimo
  session (a fresh run of the app); widgets render inside `marimo-anywidget` shadow roots,
  which Playwright's CSS locators pierce, so harness.wait_rows & co. work on them too.

The browser is the e2e session's Chromium (conftest.e2e_env): Playwright's sync API allows one
instance per thread. Nothing here skips: a host that cannot start fails the test, saying why.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import pathlib
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from packaging.version import Version

from .harness import (
    REPO,
    SERVER_START_TIMEOUT,
    E2ESetupError,
    JupyterServer,
    Lab,
    check_prerequisites,
)

#: The one page error Notebook 7.6 raises at load, from its own code, whatever the notebook
#: holds (REFERENCE §4); tolerated once per page, and no other.
NOTEBOOK7_LOAD_ERROR = "reading 'schema'"


def check_host(package: str, minimum: str) -> None:
    """The e2e prerequisites (harness.check_prerequisites), and `package` >= `minimum`."""
    check_prerequisites()
    try:
        version = importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        raise E2ESetupError(
            f"{package} is not installed: pip install -e '.[test]' (or pip install {package})"
        ) from None
    if Version(version) < Version(minimum):
        raise E2ESetupError(
            f"{package} {version} is too old: {minimum} or later is needed (pip install -e '.[test]')"
        )


def page_text(page, selector: str) -> str:
    return page.locator(selector).first.text_content() or ""


def wait_page_text(page, selector: str, predicate: str, timeout: float = 20_000) -> str:
    """Wait until `predicate(text)` (JS source) holds for the text of `selector` (something
    the app re-renders from Python), and return that text."""
    try:
        page.wait_for_function(
            f"""() => {{ const el = document.querySelector({selector!r});
                return el !== null && ({predicate})(el.textContent); }}""",
            timeout=timeout,
        )
    except Exception:
        raise AssertionError(
            f"{selector} never satisfied {predicate}; it shows {page_text(page, selector)!r}"
        ) from None
    return page_text(page, selector)


@contextlib.contextmanager
def started(server, start: Callable[[], None]) -> Iterator[str | None]:
    """Run `start()` (checks, then starting `server`); yield why the host cannot run (None when
    it runs), so that tests fail in their body saying so; stop the server afterwards."""
    problem = None
    try:
        start()
    except E2ESetupError as e:
        problem = str(e)
    except Exception as e:  # anything else that keeps the host from starting
        problem = f"{type(e).__name__}: {e}"
    try:
        yield problem
    finally:
        server.stop()


def launch(server, cmd: list[str], env: dict, ready, what: str) -> subprocess.Popen:
    """Start `cmd` in `server.root`, output to `server.log_path`, in a session of its own, and
    wait until `ready()` answers (it may raise URLError / OSError while nothing listens yet)."""
    with server.log_path.open("wb") as log:
        proc = subprocess.Popen(
            cmd,
            cwd=server.root,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while proc.poll() is None and time.monotonic() < deadline:
        with contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            if ready():
                return proc
        time.sleep(0.2)
    code = proc.poll()
    end(proc)
    why = (
        f"exited with code {code} before answering"
        if code is not None
        else f"did not answer within {SERVER_START_TIMEOUT}s"
    )
    raise E2ESetupError(f"{what} {why}.\nCommand: {' '.join(cmd)}\nLog tail:\n{server.log_tail()}")


def end(proc: subprocess.Popen | None) -> None:
    """Stop a process started by `launch` and whatever it started (its own process group)."""
    if proc is None or proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 10)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            pass


def kernel_env(home: pathlib.Path, **extra: str) -> dict:
    """The environment of a host server: kernels import the package from this checkout, and
    the user's own Jupyter / IPython / marimo configuration stays out."""
    env = {k: v for k, v in os.environ.items() if k not in ("JUPYTER_TOKEN", "MARIMO_TOKEN")}
    env.update(
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
        JUPYTER_CONFIG_DIR=str(home / "jupyter-config"),
        JUPYTER_RUNTIME_DIR=str(home / "jupyter-runtime"),
        IPYTHONDIR=str(home / "ipython"),
        XDG_CONFIG_HOME=str(home / "xdg-config"),
        XDG_STATE_HOME=str(home / "xdg-state"),
        XDG_CACHE_HOME=str(home / "xdg-cache"),
        **extra,
    )
    if sys.prefix != sys.base_prefix:
        # A venv that sees the system's packages does not see their data and config (Voilà's
        # templates, the classic notebook's nbconfig Solara reads): jupyter_core looks under
        # sys.prefix only, so name the base prefix's too.
        for var, sub in (("JUPYTER_PATH", "share/jupyter"), ("JUPYTER_CONFIG_PATH", "etc/jupyter")):
            env[var] = os.pathsep.join(
                filter(None, [env.get(var), str(pathlib.Path(sys.base_prefix) / sub)])
            )
    return env


# -- Notebook 7 -------------------------------------------------------------------------------


class NotebookServer(JupyterServer):
    """A `jupyter notebook` (Notebook 7) server; api, log_tail, shutdown_sessions and stop are
    harness.JupyterServer's."""

    def start(self, settings_dir: pathlib.Path, workspaces_dir: pathlib.Path, home: pathlib.Path):
        # LabServerApp.*: the settings API answers from JupyterLab's server extension (loaded
        # by the notebook server too) and from Notebook's app alike; configure both.
        cmd = [
            sys.executable,
            "-m",
            "jupyter",
            "notebook",
            "--no-browser",
            f"--port={self.port}",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            f"--LabServerApp.user_settings_dir={settings_dir}",
            f"--LabServerApp.workspaces_dir={workspaces_dir}",
            "--ServerApp.terminals_enabled=False",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")

        def ready() -> bool:
            self.api("GET", "/api/status", timeout=2)
            self.api("GET", "/lab/api/settings", timeout=5)
            return True

        self.proc = launch(self, cmd, kernel_env(home), ready, "Jupyter Notebook 7")


class NotebookUrls:
    """A Playwright page that opens a notebook in Notebook 7 (`/notebooks/<path>`) where
    harness.Lab asks for JupyterLab's `/lab/tree/<path>?reset`; everything else is the page."""

    def __init__(self, page) -> None:
        self._page = page

    def goto(self, url: str, **kwargs):
        url = url.replace("/lab/tree/", "/notebooks/", 1).replace("?reset&", "?", 1)
        return self._page.goto(url, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self._page, name)


def notebook7(page, server: NotebookServer, test_name: str) -> Lab:
    """harness.Lab driving Notebook 7: `.notebook(cells)` opens a new notebook there."""
    return Lab(NotebookUrls(page), server, test_name)


# -- marimo -----------------------------------------------------------------------------------


@dataclass
class MarimoServer:
    """`marimo run app.py` (read-only app mode: every page load runs the app in a new session)."""

    app: pathlib.Path
    log_path: pathlib.Path
    port: int
    proc: subprocess.Popen | None = None
    log_tail = JupyterServer.log_tail  # the last lines of log_path

    @property
    def root(self) -> pathlib.Path:
        return self.app.parent

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, home: pathlib.Path) -> None:
        cmd = [
            sys.executable,
            "-m",
            "marimo",
            "run",
            "--headless",
            "--no-token",
            "--no-sandbox",
            "--session-ttl=5",  # a closed page's session (its kernel) ends soon after
            "--host=127.0.0.1",
            f"--port={self.port}",
            str(self.app),
        ]

        def ready() -> bool:
            with urllib.request.urlopen(f"{self.url}/health", timeout=2) as resp:
                return resp.status == 200

        env = kernel_env(home, MARIMO_SKIP_UPDATE_CHECK="1")
        self.proc = launch(self, cmd, env, ready, "marimo")

    def stop(self) -> None:
        end(self.proc)


class MarimoPage:
    """One page of a marimo app (a new session: the app runs from the top)."""

    def __init__(self, page, server: MarimoServer, problem: str | None = None) -> None:
        self.page = page
        self.server = server
        self.problem = problem  # why marimo or the browser could not start

    def open(self, ready: str) -> None:
        """Load the app and wait until the element `ready` (a CSS selector) is rendered, which
        the app's last cell should output, so every cell has run. Fails the test (in its body,
        not as a setup error) when marimo or the browser could not start."""
        fail_unless_ready(self.problem, "marimo")
        self.page.goto(self.server.url, timeout=60_000)
        self.page.locator(ready).first.wait_for(state="attached", timeout=60_000)

    def widget(self, nth: int = 0):
        """The nth StreamWidget view on the page (inside its marimo-anywidget shadow root)."""
        return self.page.locator("marimo-anywidget .lsw").nth(nth)

    def text(self, selector: str) -> str:
        return page_text(self.page, selector)

    def wait_text(self, selector: str, predicate: str, timeout: float = 20_000) -> str:
        """Wait for the text of `selector` (an output of a cell that marimo re-runs)."""
        return wait_page_text(self.page, selector, predicate, timeout)


# -- pages ------------------------------------------------------------------------------------


class PageErrors:
    """Uncaught page errors and console lines of one page; console lines also go to the
    conftest failure report (`item.lsw_console`)."""

    def __init__(self, page, node) -> None:
        self.errors: list[str] = []
        self.console: list[str] = []
        node.lsw_console = self.console
        page.on("console", lambda m: self.console.append(f"[{m.type}] {m.text}"))
        page.on("pageerror", self._error)

    def _error(self, e) -> None:
        self.console.append(f"[pageerror] {e}")
        self.errors.append(str(e))

    def check(self, tolerated: str | None = None) -> None:
        """No uncaught page error, except at most one containing `tolerated`."""
        errors = list(self.errors)
        known = [i for i, e in enumerate(errors) if tolerated and tolerated in e]
        if known:
            del errors[known[0]]
        assert not errors, f"uncaught exceptions in the page: {errors}"


def fail_unless_ready(problem: str | None, host: str) -> None:
    if problem:
        pytest.fail(f"{host} end-to-end tests cannot run: {problem}", pytrace=False)
