#!/usr/bin/env bash
# Install everything the tests need on a fresh Debian machine, then run the whole suite:
# ruff, tsc and vitest (JS types; store, protocol, golden messages), pytest (contract, delivery,
# memory, and end to end in real JupyterLab + headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: chromium for the browser tests, a Java runtime for the Spark source tests.
APT=()
command -v chromium >/dev/null 2>&1 || APT+=(chromium)
command -v java >/dev/null 2>&1 || APT+=(default-jre-headless)
if [ ${#APT[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${APT[*]}"
  SUDO=$([ "$(id -u)" = 0 ] && echo "" || echo sudo)
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${APT[@]}" >/dev/null
fi
command -v node >/dev/null || { echo "node and npm are needed to build the front end" >&2; exit 1; }

echo "== installing the package (builds the front end with npm) and test dependencies"
python -m pip install -q -e ".[test]"
# npm install, not npm ci: the registry reachable here lacks most platforms' optional rollup builds,
# which npm ci counts as an out-of-sync lock file; npm install skips them as intended.
(cd js && npm install --no-audit --no-fund --loglevel=error)
# What exported pages load from CDNs (html-manager, require.js, anywidget), served from here by
# the offline static-HTML and docs-site tests (tests/e2e/offline.py).
(cd tests/e2e/static_assets && npm install --no-audit --no-fund --loglevel=error)

echo "== ruff"
python -m ruff check .
python -m ruff format --check .

echo "== mypy"
python -m mypy

echo "== vitest"
python tests/write_golden.py
echo "== tsc"
(cd js && npx tsc -p tsconfig.json)
(cd js && npx vitest run)

echo "== pytest"
python -m pytest "$@"
