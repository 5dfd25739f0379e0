#!/usr/bin/env bash
# Build the documentation site into docs/_build/html (docs/site.md): Sphinx + myst-nb over
# docs/*.md and the tutorials in notebooks/, executed at build time (unchanged ones come from
# the execution cache). Extra arguments go to sphinx-build.
#   LSW_DOCS_INSTALL=0  skip installing the package with its docs extra (already installed)
#   LSW_DOCS_OUT=DIR    build there instead of docs/_build/html
#   LSW_DOCS_CACHE=DIR  notebook execution cache (default docs/_build/.jupyter_cache)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${LSW_DOCS_INSTALL:-1}" != 0 ]; then
  echo "== installing the package with its docs extra"
  python -m pip install -q -e ".[docs]"
fi
# engines.ipynb streams from Spark, which needs a Java runtime.
command -v java >/dev/null || {
  echo "a Java runtime is needed to execute notebooks/engines.ipynb: apt-get install default-jre-headless" >&2
  exit 1
}
out="${LSW_DOCS_OUT:-docs/_build/html}"
# -W: a warning (a broken link, a notebook that fails) fails the build.
python -m sphinx -b html -c docs -W --keep-going -q . "$out" "$@"
echo "== built $out/index.html"
