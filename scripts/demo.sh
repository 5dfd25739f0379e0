#!/usr/bin/env bash
# Install livestream-widget with JupyterLab and open the quickstart notebook.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q -e ".[lab]"
extra=()
[ "$(id -u)" = 0 ] && extra+=(--allow-root)
exec jupyter lab notebooks/quickstart.ipynb "${extra[@]}"
