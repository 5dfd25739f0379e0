"""End-to-end harness: a real JupyterLab server process, and a notebook helper that runs cells
one at a time from the JupyterLab UI (select the cell, Shift+Enter), as a user would, waiting on
the cell's prompt (`[*]` -> `[n]`), never on fixed sleeps.

Over 400 lines because the server and the notebook driver are one job: starting JupyterLab as
the tests need it and reading what its UI shows; every e2e module depends on both together.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import pathlib
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("LSW_CHROMIUM", "/usr/bin/chromium")
# Flags known to work here (docs: REFERENCE §4); the profile dir is passed separately.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
SERVER_START_TIMEOUT = 90  # s
CELL_TIMEOUT = 60_000  # ms, default wait for one cell to finish
DOM_TIMEOUT = 20_000  # ms, default wait for a DOM condition
LOG_TAIL_LINES = 60

STDOUT = "application/vnd.jupyter.stdout"
STDERR = "application/vnd.jupyter.stderr"
# An exception in a cell's stderr (a traceback, or a bare "SyntaxError: ..." line); warnings pass.
ERROR_LINE = re.compile(r"Traceback|^\w*(Error|Exception)\b", re.M)


# -- JupyterLab server ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_json(path: pathlib.Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))


def write_lab_settings(settings_dir: pathlib.Path) -> None:
    """User settings that keep the page deterministic: every cell in the DOM (no windowing),
    light theme, and no news or update popups covering cells. Widget state is saved into the
    notebook file on save (off by default in JupyterLab), so a saved notebook can be exported
    with its tables' snapshots."""
    _write_json(
        settings_dir / "@jupyterlab/notebook-extension/tracker.jupyterlab-settings",
        {"windowingMode": "none"},
    )
    _write_json(
        settings_dir / "@jupyterlab/apputils-extension/notification.jupyterlab-settings",
        {"fetchNews": "false", "checkForUpdates": False},
    )
    _write_json(
        settings_dir / "@jupyterlab/apputils-extension/themes.jupyterlab-settings",
        {"theme": "JupyterLab Light"},
    )
    _write_json(
        settings_dir / "@jupyter-widgets/jupyterlab-manager/plugin.jupyterlab-settings",
        {"saveState": True},
    )


@dataclass
class JupyterServer:
    root: pathlib.Path
    log_path: pathlib.Path
    port: int
    token: str
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def api(self, method: str, path: str, timeout: float = 10) -> object:
        req = urllib.request.Request(
            f"{self.url}{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError as e:
            return f"(no log: {e})"
        return "\n".join(text.splitlines()[-lines:])

    def start(self, settings_dir: pathlib.Path, workspaces_dir: pathlib.Path, home: pathlib.Path):
        cmd = [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            f"--port={self.port}",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            f"--LabApp.user_settings_dir={settings_dir}",
            f"--LabApp.workspaces_dir={workspaces_dir}",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--ServerApp.terminals_enabled=False",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        env = dict(os.environ)
        # Keep the user's own Jupyter/IPython config and runtime files out of the test server.
        env["JUPYTER_CONFIG_DIR"] = str(home / "jupyter-config")
        env["JUPYTER_RUNTIME_DIR"] = str(home / "jupyter-runtime")
        env["IPYTHONDIR"] = str(home / "ipython")
        env.pop("JUPYTER_TOKEN", None)
        # Kernels import the package from this checkout, whatever an editable install points at.
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            cmd,
            cwd=self.root,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise E2ESetupError(
                    f"JupyterLab exited with code {self.proc.returncode} before answering.\n"
                    f"Command: {' '.join(cmd)}\nLog tail:\n{self.log_tail()}"
                )
            try:
                self.api("GET", "/api/status", timeout=2)
                self.api("GET", "/lab/api/settings", timeout=5)
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise E2ESetupError(
                    f"JupyterLab did not answer within {SERVER_START_TIMEOUT}s.\n"
                    f"Log tail:\n{self.log_tail()}"
                )
            time.sleep(0.2)

    def shutdown_sessions(self) -> None:
        """Shut down every kernel session (the notebooks of a finished test)."""
        with contextlib.suppress(Exception):
            for s in self.api("GET", "/api/sessions"):
                with contextlib.suppress(Exception):
                    self.api("DELETE", f"/api/sessions/{s['id']}", timeout=20)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        # Kernels first, through the API, then the server itself (it also stops leftover kernels).
        with contextlib.suppress(Exception):
            for k in self.api("GET", "/api/kernels"):
                with contextlib.suppress(Exception):
                    self.api("DELETE", f"/api/kernels/{k['id']}", timeout=20)
        with contextlib.suppress(Exception):
            self.api("POST", "/api/shutdown", timeout=5)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


class E2ESetupError(Exception):
    """The browser or JupyterLab cannot run: every e2e test fails with this message."""


def check_prerequisites() -> None:
    problems = []
    if importlib.util.find_spec("jupyterlab") is None:
        problems.append("JupyterLab is not installed: pip install -e '.[test]'")
    if importlib.util.find_spec("playwright") is None:
        problems.append("Playwright for Python is not installed: pip install -e '.[test]'")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        problems.append(
            f"Chromium not found at {CHROMIUM}: install Debian's chromium "
            "(apt-get install chromium) or set LSW_CHROMIUM to a Chromium binary"
        )
    bundle = REPO / "livestream_widget" / "static" / "widget.js"
    if not bundle.is_file():
        problems.append(f"front-end bundle {bundle} is missing: cd js && npm ci && npm run build")
    if problems:
        raise E2ESetupError("\n  - ".join(["missing prerequisites:", *problems]))


# -- Notebook helper --------------------------------------------------------------------------


@dataclass
class Lab:
    page: object  # playwright Page
    server: JupyterServer | None
    test_name: str
    problem: str | None = None  # why the e2e environment could not start
    _count: int = field(default=0)

    def notebook(self, cells: list[str], name: str | None = None) -> Notebook:
        """Write a notebook with these code cells, open it in JupyterLab and wait for its kernel."""
        if self.problem:  # fail (not error, never skip) in the test itself
            pytest.fail(f"End-to-end tests cannot run: {self.problem}", pytrace=False)
        import nbformat

        self._count += 1
        stem = re.sub(r"[^A-Za-z0-9_]+", "_", name or self.test_name)
        path = f"{stem}_{self._count}.ipynb"
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
        }
        nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
        nbformat.write(nb, self.server.root / path)

        self._path = path
        self.page.goto(
            f"{self.server.url}/lab/tree/{path}?reset&token={self.server.token}", timeout=60_000
        )
        return self._attach(len(cells))

    def reload(self, ncells: int) -> Notebook:
        """Reload the page (a new front end for every widget; the kernel keeps running) and
        return the reopened notebook."""
        self.page.reload(timeout=60_000)
        return self._attach(ncells)

    def _attach(self, ncells: int) -> Notebook:
        page = self.page
        panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").filter(
            has=page.locator(".jp-Notebook")
        )
        panel.locator(".jp-Notebook .jp-Notebook-cell").first.wait_for(timeout=60_000)
        nb_ = Notebook(page, panel, ncells)
        nb_.wait_cells_loaded()
        # The kernel is started and connected when the toolbar names it and says idle (the
        # indicator also says idle for a moment before any kernel exists: "No Kernel").
        page.wait_for_function(
            """panel => {
                const name = panel.querySelector('.jp-Toolbar-kernelName')?.textContent.trim();
                const state = panel.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status;
                return !!name && name !== 'No Kernel' && state === 'idle';
            }""",
            arg=panel.element_handle(),
            timeout=60_000,
        )
        return nb_


class CellError(AssertionError):
    pass


class Notebook:
    def __init__(self, page, panel, ncells: int) -> None:
        self.page = page
        self.panel = panel
        self.ncells = ncells

    def wait_cells_loaded(self) -> None:
        self.page.wait_for_function(
            "([panel, n]) => panel.querySelectorAll('.jp-Notebook .jp-Notebook-cell').length >= n",
            arg=[self.panel.element_handle(), self.ncells],
            timeout=30_000,
        )

    def cell(self, i: int):
        return self.panel.locator(".jp-Notebook .jp-Notebook-cell").nth(i)

    def prompt(self, i: int) -> str:
        return (self.cell(i).locator(".jp-InputPrompt").text_content() or "").strip()

    def widget(self, i: int, nth: int = 0):
        """The `nth` StreamWidget view rendered in cell i's output."""
        return self.cell(i).locator(".jp-OutputArea-output .lsw").nth(nth)

    # Running cells ---------------------------------------------------------------------------

    def start(self, i: int) -> str:
        """Select cell i and press Shift+Enter, without waiting for it to finish.

        Returns the prompt as it was before, for `wait_done`.
        """
        cell = self.cell(i)
        before = self.prompt(i)
        cell.locator(".jp-InputPrompt").click()
        self.page.wait_for_function(
            "cell => cell.classList.contains('jp-mod-active')",
            arg=cell.element_handle(),
            timeout=10_000,
        )
        self.page.keyboard.press("Shift+Enter")
        return before

    def wait_done(self, i: int, before: str, timeout: float = CELL_TIMEOUT) -> None:
        """Wait until cell i's prompt shows a new execution count (`[*]` -> `[n]`)."""
        cell = self.cell(i)
        try:
            self.page.wait_for_function(
                """([cell, before]) => {
                    const t = cell.querySelector('.jp-InputPrompt').textContent.trim();
                    return /^\\[\\d+\\]:$/.test(t) && t !== before;
                }""",
                arg=[cell.element_handle(), before],
                timeout=timeout,
            )
        except Exception as e:
            raise AssertionError(
                f"cell {i} did not finish within {timeout / 1000:.0f}s (prompt: {self.prompt(i)!r})"
                f"\n--- cell source ---\n{self.source(i)}\n--- output ---\n{self.output(i, all_=True)}"
            ) from e

    def run(self, i: int, timeout: float = CELL_TIMEOUT, allow_error: bool = False) -> str:
        """Run cell i from the UI and wait for it to finish; return its stdout text.

        A traceback in the cell's output fails the test (unless `allow_error`).
        """
        before = self.start(i)
        self.wait_done(i, before, timeout)
        if not allow_error:
            err = self.stderr(i)
            if ERROR_LINE.search(err):
                raise CellError(
                    f"cell {i} raised:\n--- cell source ---\n{self.source(i)}\n--- stderr ---\n{err}"
                )
        return self.output(i)

    # Reading ---------------------------------------------------------------------------------

    def source(self, i: int) -> str:
        return self.cell(i).locator(".jp-InputArea-editor").inner_text()

    def _texts(self, i: int, mime: str | None) -> str:
        sel = ".jp-OutputArea-output"
        if mime:
            sel += f'[data-mime-type="{mime}"]'
        return "".join(self.cell(i).locator(sel).all_inner_texts())

    def output(self, i: int, all_: bool = False) -> str:
        """Cell i's stdout text (all text outputs with `all_`)."""
        return self._texts(i, None if all_ else STDOUT)

    def stderr(self, i: int) -> str:
        return self._texts(i, STDERR)


# -- DOM helpers for the widget --------------------------------------------------------------

ROW_IDS_JS = "root => [...root.querySelectorAll('[data-dom-id]')].map(r => r.dataset.domId)"


def rendered_ids(widget) -> list[str]:
    """Dom ids of the rows rendered in this widget view, in DOM (display) order."""
    return widget.evaluate(ROW_IDS_JS)


def data_count(widget) -> int:
    return int(widget.get_attribute("data-count"))


def wait_rows(widget, expected: list[str], timeout: float = DOM_TIMEOUT) -> None:
    """Wait until the view renders exactly these rows, in order, and holds that many."""
    page = widget.page
    try:
        page.wait_for_function(
            """([root, expected]) => {
                const ids = [...root.querySelectorAll('[data-dom-id]')].map(r => r.dataset.domId);
                return root.dataset.count === String(expected.length)
                    && JSON.stringify(ids) === JSON.stringify(expected);
            }""",
            arg=[widget.element_handle(), expected],
            timeout=timeout,
        )
    except Exception:
        got = rendered_ids(widget)
        count = widget.get_attribute("data-count")
        raise AssertionError(
            f"rows never became {expected} (data-count {len(expected)});\n"
            f"rendered: {got} (data-count {count})"
        ) from None


def wait_count(widget, n: int, timeout: float = DOM_TIMEOUT) -> None:
    try:
        widget.page.wait_for_function(
            "([root, n]) => root.dataset.count === String(n)",
            arg=[widget.element_handle(), n],
            timeout=timeout,
        )
    except Exception:
        raise AssertionError(
            f"data-count never became {n}; it is {widget.get_attribute('data-count')}"
        ) from None


# -- Async loading (`.lsw[data-status]`, the `.lsw-status` footer, `.lsw-skeleton` rows) -------


def wait_js(widget, predicate: str, arg=None, timeout: float = DOM_TIMEOUT):
    """Wait until `predicate(root, arg)` (JS source) returns something truthy; return it."""
    handle = widget.page.wait_for_function(
        f"([root, arg]) => ({predicate})(root, arg)",
        arg=[widget.element_handle(), arg],
        timeout=timeout,
    )
    return handle.json_value()
