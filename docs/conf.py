"""Sphinx configuration of the documentation site: `bash scripts/docs.sh` builds it into
docs/_build/html (see docs/site.md for what it is and why this tool).

The source directory is the repository root, with this file's folder as the configuration
directory (`sphinx-build -c docs . docs/_build/html`): docs/*.md and notebooks/*.ipynb are
read where they are, so their relative links (`guide.md`, `../notebooks/quickstart.ipynb`,
`performance_memory.png`) mean the same on GitHub and on the site, and nothing is copied.
"""

from __future__ import annotations

import os
import pathlib

DOCS = pathlib.Path(__file__).resolve().parent

project = "livestream-widget"
author = "livestream-widget contributors"
copyright = "livestream-widget contributors"

extensions = ["myst_nb"]
root_doc = "docs/index"
# Only these are pages; everything else in the repository is neither read nor walked.
include_patterns = ["docs/*.md", "notebooks/*.ipynb"]
exclude_patterns = [
    "docs/_build",
    ".git",
    "**/node_modules",
    "js",
    "tests",
    "benchmarks",
    "livestream_widget",
    "README.md",
]

# GitHub's heading anchors (`guide.md#snapshots-tables-in-saved-notebooks`) work on the site.
myst_heading_anchors = 4
myst_enable_extensions = ["colon_fence"]

# Tutorials are executed at build time, through a cache kept between builds: a notebook whose
# code did not change is not executed again. LSW_DOCS_CACHE points it elsewhere (the tests
# fill one with notebooks they already executed). Every table then shows its snapshot, saved
# with the executed notebook's widget state.
nb_execution_mode = "cache"
nb_execution_cache_path = os.environ.get("LSW_DOCS_CACHE") or str(
    DOCS / "_build" / ".jupyter_cache"
)
nb_execution_timeout = 300
nb_execution_raise_on_error = True
nb_execution_in_temp = True
# What renders saved widget state in a page: require.js and the html-manager for ipywidgets 8,
# from jsDelivr's copy of the npm packages (the html-manager then loads anywidget from there
# too). myst-nb's default is an older html-manager and a minified require.js whose integrity
# hash pins the cdnjs build; these are the exact npm files tests/e2e/static_assets installs.
nb_ipywidgets_js = {
    "https://cdn.jsdelivr.net/npm/requirejs@2.3.8/require.js": {},
    "https://cdn.jsdelivr.net/npm/@jupyter-widgets/html-manager@1.0.15/dist/embed-amd.js": {
        "data-jupyter-widgets-cdn": "https://cdn.jsdelivr.net/npm/",
        "crossorigin": "anonymous",
    },
}

html_theme = "sphinx_book_theme"
html_title = "livestream-widget"
html_theme_options = {"show_toc_level": 2}
html_static_path: list[str] = []


def _root_redirect(app, exception) -> None:
    """The site's front page is docs/index.html; the root index.html points there."""
    if exception is None and app.builder.format == "html":
        pathlib.Path(app.outdir, "index.html").write_text(
            '<!DOCTYPE html><meta charset="utf-8"><title>livestream-widget</title>'
            '<meta http-equiv="refresh" content="0; url=docs/index.html">'
            '<a href="docs/index.html">livestream-widget documentation</a>\n'
        )


def setup(app):
    app.connect("build-finished", _root_redirect)
