#!/usr/bin/env bash
# Install livestream-widget with JupyterLab and open the quickstart notebook; extra arguments
# go to jupyter lab (e.g. --port 8899 --no-browser).
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q -e ".[lab]"
extra=()
[ "$(id -u)" = 0 ] && extra+=(--allow-root)
exec jupyter lab notebooks/quickstart.ipynb "${extra[@]}" "$@"
