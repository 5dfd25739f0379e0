"""Where the benchmarks and the tree they measure are.

The benchmarks are a package run from the repo root (`python -m benchmarks.run`), so the root is
on sys.path: `livestream_widget` and the tests' harness (`tests.e2e.harness`) are this checkout's,
even where another copy is installed. Nothing here edits sys.path.
"""

import pathlib

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
