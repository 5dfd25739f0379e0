"""This checkout first on sys.path: the benchmarks measure this tree's livestream_widget, and
use its tests' harness (tests/e2e/harness.py), even where another copy is installed.

Imported for that effect by every module that is also a command (`python benchmarks/x.py`
puts benchmarks/ itself on sys.path, so `import paths` is found first).
"""

import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
