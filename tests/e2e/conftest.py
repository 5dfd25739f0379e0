"""Fixtures of the end-to-end tests: one real JupyterLab server and one headless Chromium per
session, and a fresh JupyterLab page per test (see harness.py for the notebook helper).

Nothing here skips. If Chromium, JupyterLab, Playwright or the front-end bundle is missing, or
the server or browser cannot start, every e2e test FAILS with a message saying what to install
(raised from the test body, so it is reported as a failure, not a setup error).
"""

from __future__ import annotations

import contextlib
import pathlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from .harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DOM_TIMEOUT,
    LOG_TAIL_LINES,
    VIEWPORT,
    E2ESetupError,
    JupyterServer,
    Lab,
    check_prerequisites,
    free_port,
    write_lab_settings,
)
from .offline import NOTEBOOKS, execute_all


@dataclass
class E2EEnv:
    server: JupyterServer | None = None
    context: object | None = None  # playwright BrowserContext
    problem: str | None = None


@pytest.fixture(scope="session")
def e2e_env(tmp_path_factory) -> Iterator[E2EEnv]:
    env = E2EEnv()
    playwright = None
    try:
        check_prerequisites()
        base = tmp_path_factory.mktemp("jupyter")
        root = base / "root"
        root.mkdir()
        settings_dir = base / "user-settings"
        write_lab_settings(settings_dir)
        env.server = JupyterServer(
            root=root,
            log_path=base / "jupyterlab.log",
            port=free_port(),
            token=secrets.token_hex(16),
        )
        env.server.start(settings_dir, base / "workspaces", base)

        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        try:
            # headless=False plus --headless=new: exactly the flags of REFERENCE §4, and a fresh
            # profile directory.
            env.context = playwright.chromium.launch_persistent_context(
                str(tmp_path_factory.mktemp("chromium-profile")),
                executable_path=CHROMIUM,
                headless=False,
                args=CHROMIUM_ARGS,
                viewport=VIEWPORT,
                device_scale_factor=1,
                color_scheme="light",
            )
        except Exception as e:
            raise E2ESetupError(f"could not start Chromium at {CHROMIUM}: {e}") from e
        env.context.set_default_timeout(DOM_TIMEOUT)
    except E2ESetupError as e:
        env.problem = str(e)
    except Exception as e:  # anything else that keeps the environment from starting
        env.problem = f"{type(e).__name__}: {e}"
    try:
        yield env
    finally:
        if env.context is not None:
            with contextlib.suppress(Exception):
                env.context.close()
        if playwright is not None:
            with contextlib.suppress(Exception):
                playwright.stop()
        if env.server is not None:
            env.server.stop()


@pytest.fixture(scope="session")
def executed_notebooks(tmp_path_factory) -> dict[str, pathlib.Path | str]:
    """Every tutorial in notebooks/ executed once per session with nbconvert and exported to
    HTML (offline.execute_all): name -> executed notebook, or why it failed. The static-HTML
    and docs-site tests share it, so no notebook runs twice."""
    return execute_all(NOTEBOOKS, tmp_path_factory.mktemp("executed"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if not rep.failed:
        return
    funcargs = getattr(item, "funcargs", {})
    lab = funcargs.get("lab")
    if rep.when == "call" and lab is not None and lab.page is not None:
        shot = lab.server.log_path.parent / f"failure-{item.name}.png"
        with contextlib.suppress(Exception):
            lab.page.screenshot(path=str(shot), full_page=True)
            rep.sections.append(("screenshot of the failing page", str(shot)))
    env = funcargs.get("e2e_env")
    if env is not None and env.server is not None:
        rep.sections.append(
            (
                f"JupyterLab log (last {LOG_TAIL_LINES} lines of {env.server.log_path})",
                env.server.log_tail(),
            )
        )
    console = getattr(item, "lsw_console", None)
    if console:
        rep.sections.append(("browser console (last 60 messages)", "\n".join(console[-60:])))


@pytest.fixture
def lab(request, e2e_env) -> Iterator[Lab]:
    """A fresh JupyterLab page for one test; `lab.notebook(cells)` opens a new notebook."""
    if e2e_env.problem:
        yield Lab(None, None, request.node.name, problem=e2e_env.problem)
        return
    page = e2e_env.context.new_page()
    console: list[str] = []
    errors: list[str] = []
    request.node.lsw_console = console
    page.on("console", lambda m: console.append(f"[{m.type}] {m.text}"))

    def on_page_error(e):
        console.append(f"[pageerror] {e}")
        errors.append(str(e))

    page.on("pageerror", on_page_error)
    try:
        yield Lab(page, e2e_env.server, request.node.name)
    finally:
        seen = list(errors)  # what happened while the test ran, not while closing the page
        with contextlib.suppress(Exception):
            page.close()
        e2e_env.server.shutdown_sessions()
    # An uncaught exception in the page (the widget's or JupyterLab's) is a bug even when every
    # check passed.
    assert not seen, f"uncaught exceptions in the page: {seen}"
