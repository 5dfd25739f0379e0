"""The documentation site (scripts/docs.sh: Sphinx + myst-nb) builds, and its tutorial pages,
opened with the network cut (offline.py), show every table's saved snapshot.

The build is the one `bash scripts/docs.sh` runs, with the session's already executed
tutorials (conftest.executed_notebooks) put in its execution cache first, so it executes no
notebook again: the cache matches notebooks by their code, and the test checks it gained no
entry.
"""

from __future__ import annotations

import subprocess

import pytest

from .harness import REPO
from .offline import NOTEBOOKS, check_page, kernel_env, require_offline

pytestmark = pytest.mark.e2e

# Two tutorials: a plain table, and tables saved sorted and filtered.
PAGES = ["quickstart", "infinite_scroll"]
BUILD_TIMEOUT = 900  # s; with the cache filled it takes well under a minute


@pytest.fixture(scope="module")
def site(tmp_path_factory, executed_notebooks):
    """(build folder, build output) or the reason the build failed."""
    failed = {n: e for n, e in executed_notebooks.items() if isinstance(e, str)}
    if failed:
        return f"tutorials that did not run: {failed}"
    try:
        from jupyter_cache import get_cache
    except ImportError:
        return "jupyter-cache (with myst-nb) is not installed: pip install -e '.[docs]'"
    base = tmp_path_factory.mktemp("docs-site")
    cache = get_cache(str(base / "cache"))
    for name, executed in executed_notebooks.items():
        cache.cache_notebook_file(
            str(executed), uri=str(REPO / "notebooks" / f"{name}.ipynb"), check_validity=False
        )
    env = kernel_env() | {
        "LSW_DOCS_INSTALL": "0",  # the test extra has the docs extra's packages
        "LSW_DOCS_OUT": str(base / "html"),
        "LSW_DOCS_CACHE": str(base / "cache"),
    }
    try:
        run = subprocess.run(
            ["bash", str(REPO / "scripts" / "docs.sh")],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return f"scripts/docs.sh did not finish within {BUILD_TIMEOUT}s"
    if run.returncode != 0:
        return (
            f"scripts/docs.sh failed ({run.returncode}):\n{run.stdout[-4000:]}{run.stderr[-8000:]}"
        )
    executed_again = len(cache.list_cache_records()) - len(executed_notebooks)
    return base / "html", run.stdout + run.stderr, executed_again


def _built(site):
    if isinstance(site, str):
        pytest.fail(site, pytrace=False)
    return site


def test_the_site_builds_from_the_executed_tutorials(site):
    html, output, executed_again = _built(site)
    assert executed_again == 0, f"the build executed {executed_again} notebook(s) again:\n{output}"
    for page in ["index.html", "docs/index.html", "docs/guide.html", "docs/site.html"]:
        assert (html / page).is_file(), f"{page} is missing from the site"
    for nb in NOTEBOOKS:
        assert (html / "notebooks" / f"{nb.stem}.html").is_file(), f"no page for {nb.name}"


@pytest.mark.parametrize("name", PAGES)
def test_tutorial_page_shows_its_snapshots(name, site, e2e_env):
    require_offline(e2e_env)
    html = _built(site)[0]
    page = html / "notebooks" / f"{name}.html"
    assert check_page(e2e_env.context, page, f"site page {name}", root=html) > 0
