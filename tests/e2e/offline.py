"""Exported pages (nbconvert HTML, the docs site) opened in the session's Chromium with the
network cut, and what their StreamWidgets should show.

An exported page renders saved widget state with `@jupyter-widgets/html-manager`, which it and
the modules it loads (require.js, anywidget) fetch from CDNs. `Offline.attach` routes every
request of a page: the CDN URLs in `ROUTES` are answered from the npm packages that
tests/e2e/static_assets installs (same packages, same versions), files of the export itself
are read from disk, and anything else is aborted and recorded, which fails the test
(`Offline.check`). So a passing test shows the page works from the saved state alone.

Three kinds of request are aborted without failing, each listed below with why: MathJax
(`NOT_NEEDED`), the html-manager's Font Awesome files (`HTML_MANAGER_FONTS`), and its look-up
of a widget module beside the page before the CDN (`LOCAL_FIRST`).
"""

from __future__ import annotations

import base64
import json
import os
import pathlib
import re
import subprocess
import sys
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pyarrow as pa
import pytest

from livestream_widget.schema import DOM_ID

from .harness import REPO, E2ESetupError

ASSETS_DIR = REPO / "tests" / "e2e" / "static_assets"
NODE_MODULES = ASSETS_DIR / "node_modules"
NPM_INSTALL = "(cd tests/e2e/static_assets && npm install --no-audit --no-fund --loglevel=error)"

# CDN URL (exact) -> file under static_assets/node_modules. Where they come from:
# - nbconvert's HTML template (jupyter_widgets.html.j2, index.html.j2) loads require.js 2.1.10
#   and the html-manager's AMD bundle, any version (`@*`).
# - the html-manager then asks require.js for each widget module: first beside the page
#   (`<page dir>/anywidget.js`, see LOCAL_FIRST), then from jsDelivr as
#   `<cdn><module>@<_model_module_version>/dist/index.js`; anywidget 0.11 says `~0.11.*`.
# - myst-nb (the docs site) loads require.js and the html-manager from the URLs docs/conf.py
#   sets in `nb_ipywidgets_js`, the same packages by version from jsDelivr.
ROUTES = {
    "https://cdnjs.cloudflare.com/ajax/libs/require.js/2.1.10/require.min.js": (
        "requirejs-2.1.10/require.js"
    ),
    "https://unpkg.com/@jupyter-widgets/html-manager@*/dist/embed-amd.js": (
        "@jupyter-widgets/html-manager/dist/embed-amd.js"
    ),
    "https://cdn.jsdelivr.net/npm/anywidget@~0.11.*/dist/index.js": "anywidget/dist/index.js",
    "https://cdn.jsdelivr.net/npm/requirejs@2.3.8/require.js": "requirejs/require.js",
    "https://cdn.jsdelivr.net/npm/@jupyter-widgets/html-manager@1.0.15/dist/embed-amd.js": (
        "@jupyter-widgets/html-manager/dist/embed-amd.js"
    ),
}
# Requests that are aborted without failing the test, and why. MathJax typesets LaTeX, which
# nbconvert's template loads on every page whatever it holds; no widget uses it, and its
# `latest.js` looks up the newest 2.x on the CDN, which no local copy could answer.
NOT_NEEDED = {
    "https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/latest.js?config=TeX-AMS_CHTML-full,Safe": (
        "MathJax (math typesetting)"
    ),
}
# Font files of the html-manager's own CSS (Font Awesome 4, for its icon classes), which its
# bundle resolves against the page's folder, not its own CDN address: they exist on no host
# (a site's server answers 404 too) and a docs theme's icons do not need them.
HTML_MANAGER_FONTS = re.compile(
    r"/@jupyter-widgets/(html-manager/dist/)?[0-9a-f]{20}\.(woff2?|ttf|eot|svg)$"
)
# Module files the html-manager looks for beside the page before it tries the CDN; missing
# there, as in any export, they answer "not found" and it falls back to the CDN (routed).
LOCAL_FIRST = {"anywidget.js"}

STREAM_WIDGET = "livestream_widget.widget.StreamWidget"
RENDER_TIMEOUT = 60_000  # ms: parsing the 3.6 MB html-manager bundle takes a while on 2 cores


def check_assets() -> None:
    """The files the routes serve are installed, and anywidget's route is for the npm version
    the installed python anywidget asks for."""
    missing = [rel for rel in set(ROUTES.values()) if not (NODE_MODULES / rel).is_file()]
    if missing:
        raise E2ESetupError(
            f"the local copies of the CDN files exported pages load are missing ({missing}): "
            f"run {NPM_INSTALL}"
        )
    import anywidget

    wanted = anywidget.AnyWidget._model_module_version.default_value
    if f"anywidget@{wanted}/" not in " ".join(ROUTES):
        raise E2ESetupError(
            f"python anywidget asks for the npm module anywidget@{wanted}; pin that version in "
            "tests/e2e/static_assets/package.json and its route in tests/e2e/offline.py"
        )


@dataclass
class Offline:
    """Routes every request of a page; `root` is the folder of the export (files under it are
    served from disk)."""

    root: pathlib.Path
    served: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def attach(self, page) -> None:
        page.route("**/*", self._handle)

    def _handle(self, route) -> None:
        url = route.request.url
        if url in ROUTES:
            self.served.append(url)
            route.fulfill(
                path=str(NODE_MODULES / ROUTES[url]), content_type="application/javascript"
            )
        elif url in NOT_NEEDED:
            self.skipped.append(url)
            route.abort()
        elif url.startswith("file://"):
            path = pathlib.Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path))
            if path.is_relative_to(self.root) and path.is_file():
                route.continue_()
            elif path.is_relative_to(self.root) and path.name in LOCAL_FIRST:
                route.abort("failed")
            elif path.is_relative_to(self.root) and HTML_MANAGER_FONTS.search(path.as_posix()):
                self.skipped.append(url)
                route.abort("failed")
            else:
                self.blocked.append(url)
                route.abort("failed")
        else:
            self.blocked.append(url)
            route.abort("internetdisconnected")

    def check(self) -> None:
        assert not self.blocked, (
            "the page asked for files that are not part of it and not served locally "
            f"(add them to offline.ROUTES with a local copy): {self.blocked}"
        )


# -- What the saved state says ---------------------------------------------------------------


@dataclass
class SavedTable:
    model_id: str
    info: dict  # snapshot_info
    ids: list[str]  # dom ids of the snapshot's rows, in order
    table: pa.Table  # the snapshot's rows
    sort: dict | None  # the view's sort and filter, saved with it
    filter: str


def _script(html: str, mime: str) -> list[str]:
    pattern = rf'<script type="{re.escape(mime)}">(.*?)</script>'
    return re.findall(pattern, html, re.S)


def saved_tables(html: str) -> list[SavedTable]:
    """Every StreamWidget view an exported page holds, in page order, with the snapshot its
    saved state carries."""
    states = _script(html, "application/vnd.jupyter.widget-state+json")
    assert len(states) == 1, f"{len(states)} widget-state scripts in the page"
    state = json.loads(states[0])["state"]
    tables = []
    for view in _script(html, "application/vnd.jupyter.widget-view+json"):
        model_id = json.loads(view)["model_id"]
        model = state[model_id]
        if model["state"].get("_anywidget_id") != STREAM_WIDGET:
            continue
        table = pa.table({DOM_ID: pa.array([], pa.string())})
        for buf in model.get("buffers", []):
            if buf["path"] == ["_snapshot"]:
                table = pa.ipc.open_stream(base64.b64decode(buf["data"])).read_all()
        s = model["state"]
        ids = table.column(DOM_ID).to_pylist()
        tables.append(
            SavedTable(model_id, s["snapshot_info"], ids, table, s.get("sort"), s.get("filter", ""))
        )
    return tables


def notice_text(info: dict) -> str:
    """The snapshot line the front end shows (js/src/snapshot.js snapshotText)."""
    rows, total = info["rows"], info.get("total", info["rows"])
    of = f"the first {rows:,} of {total:,} rows" if total > rows else f"{rows:,} rows"
    partial = " (partial: more was streamed than the kernel could account for)"
    return f"Snapshot of {of}{partial if info.get('partial') else ''}"


# -- What the page shows ---------------------------------------------------------------------

TABLES_JS = """() => [...document.querySelectorAll('.lsw')].map(el => ({
    count: el.dataset.count,
    ids: [...el.querySelectorAll('[data-dom-id]')].map(r => r.dataset.domId),
    texts: [...el.querySelectorAll('[data-dom-id]')].map(r => r.textContent),
    notice: [...el.querySelectorAll('.lsw-notice')].map(n => n.textContent).join(' | '),
}))"""


def shown_tables(page, n: int) -> list[dict]:
    """Wait until the page shows `n` tables, each with rows, and return what each shows."""
    try:
        page.wait_for_function(
            """n => {
                const all = [...document.querySelectorAll('.lsw')];
                return all.length === n && all.every(el => el.querySelector('[data-dom-id]'));
            }""",
            arg=n,
            timeout=RENDER_TIMEOUT,
        )
    except Exception:
        got = page.evaluate(TABLES_JS)
        raise AssertionError(
            f"expected {n} tables with rows, the page shows {len(got)}: "
            f"{[(t['count'], len(t['ids']), t['notice']) for t in got]}"
        ) from None
    return page.evaluate(TABLES_JS)


def check_tables(shown: list[dict], saved: list[SavedTable], where: str) -> None:
    """Each table shows its snapshot: its count, its first rows in order, and the notice."""
    assert len(shown) == len(saved), f"{where}: {len(shown)} tables shown, {len(saved)} saved"
    for i, (got, want) in enumerate(zip(shown, saved, strict=True)):
        label = f"{where}, table {i + 1} ({want.model_id})"
        assert want.info.get("rows", 0) > 0 and len(want.ids) == want.info["rows"], (
            f"{label}: saved state has no usable snapshot: {want.info}, {len(want.ids)} ids"
        )
        assert got["count"] == str(want.info["rows"]), f"{label}: data-count {got['count']}"
        rendered = got["ids"]
        assert rendered, f"{label}: no row rendered"
        if not want.sort and not want.filter.strip():
            # Rows are virtualised: the page renders a window of them, starting at the first.
            assert rendered == want.ids[: len(rendered)], (
                f"{label}: rendered {rendered[:5]}..., snapshot starts {want.ids[:5]}"
            )
        else:
            _check_sorted_filtered(got, want, label)
        assert notice_text(want.info) in got["notice"], f"{label}: notice {got['notice']!r}"


def _check_sorted_filtered(got: dict, want: SavedTable, label: str) -> None:
    """A view saved sorted or filtered shows snapshot rows in that order, all matching."""
    position = {d: i for i, d in enumerate(want.ids)}
    unknown = [d for d in got["ids"] if d not in position]
    assert not unknown, f"{label}: rendered rows not in the snapshot: {unknown[:5]}"
    needle = want.filter.strip().lower()
    for dom_id, text in zip(got["ids"], got["texts"], strict=True):
        assert needle in text.lower(), f"{label}: row {dom_id} {text!r} does not match {needle!r}"
    if want.sort:
        column = want.table.column(want.sort["column"]).to_pylist()
        values = [column[position[d]] for d in got["ids"]]
        ordered = sorted(values, reverse=bool(want.sort.get("descending")))
        assert values == ordered, f"{label}: not sorted by {want.sort}: {values[:8]}"


def open_offline(context, html_path: pathlib.Path, root: pathlib.Path | None = None):
    """A new page of `context` showing `html_path` with the network cut; returns
    (page, offline, page errors)."""
    page = context.new_page()
    offline = Offline((root or html_path.parent).resolve())
    offline.attach(page)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(html_path.resolve().as_uri(), timeout=RENDER_TIMEOUT)
    return page, offline, errors


def require_offline(e2e_env) -> None:
    """Fail the test (not skip) if the browser or the local CDN copies are missing."""
    if e2e_env.problem:
        pytest.fail(f"End-to-end tests cannot run: {e2e_env.problem}", pytrace=False)
    try:
        check_assets()
    except E2ESetupError as e:
        pytest.fail(str(e), pytrace=False)


def check_page(context, html_path: pathlib.Path, where: str, root: pathlib.Path | None = None):
    """Open an exported page offline and check every table against its saved snapshot, and
    that the page raised nothing; returns how many tables it holds."""
    saved = saved_tables(html_path.read_text())
    page, offline, errors = open_offline(context, html_path, root)
    try:
        try:
            shown = shown_tables(page, len(saved))
        finally:
            offline.check()  # a request not served locally is the likelier cause of no table
        check_tables(shown, saved, where)
        assert not errors, f"{where}: uncaught exceptions in the page: {errors}"
    finally:
        page.close()
    return len(saved)


# -- nbconvert -------------------------------------------------------------------------------


def kernel_env() -> dict[str, str]:
    """Kernels import the package from this checkout, whatever an editable install points at."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def nbconvert(args: list[str], cwd: pathlib.Path, timeout: float = 600) -> None:
    cmd = [sys.executable, "-m", "jupyter", "nbconvert", *args]
    run = subprocess.run(
        cmd, cwd=cwd, env=kernel_env(), capture_output=True, text=True, timeout=timeout
    )
    if run.returncode != 0:
        raise AssertionError(
            f"{' '.join(cmd)} failed ({run.returncode}):\n{run.stdout[-3000:]}{run.stderr[-6000:]}"
        )


def execute_and_export(notebook: pathlib.Path, out: pathlib.Path) -> pathlib.Path:
    """`jupyter nbconvert --execute --to notebook`, then `--to html` of the result: the same
    page `--execute --to html` writes, and the executed notebook kept for the docs build.
    Any cell error fails nbconvert."""
    nbconvert(
        [
            "--execute",
            "--to",
            "notebook",
            "--ExecutePreprocessor.timeout=300",
            # No timing in cell metadata: the docs build's cache matches notebooks by their code
            # cells with their metadata, which then equal the sources'.
            "--ExecutePreprocessor.record_timing=False",
            f"--output-dir={out}",
            str(notebook),
        ],
        cwd=out,
    )
    executed = out / notebook.name
    nbconvert(["--to", "html", str(executed)], cwd=out)
    return executed


NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def execute_all(notebooks: list[pathlib.Path], out: pathlib.Path) -> dict[str, pathlib.Path | str]:
    """Execute and export every notebook, two at a time (the machines have two cores): name ->
    executed notebook (its HTML beside it), or why that failed."""
    out.mkdir(parents=True, exist_ok=True)

    def one(nb: pathlib.Path) -> pathlib.Path | str:
        try:
            return execute_and_export(nb, out)
        except (AssertionError, subprocess.TimeoutExpired) as e:
            return str(e)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip([nb.stem for nb in notebooks], pool.map(one, notebooks), strict=True))
