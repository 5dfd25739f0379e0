"""Original names of the widget's functions in a CPU profile of the page.

The package's bundle is minified (`js/package.json`'s build script), so a profile names its
functions `fh`, `ZB`, .... This rebuilds the same bundle with an external source map (the same
bytes: the map only adds a comment at the end), and maps each profiled function to the name
the source map gives at its name's position in the bundle.
"""

from __future__ import annotations

import json
import pathlib
import re
import subprocess
import tempfile

from benchmarks.paths import ROOT

JS = ROOT / "js"
_B64 = {
    c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
}
# How far from the position a profile gives for a function its name may be ("function fh(").
_WINDOW = 64


def _vlq(segment: str) -> list[int]:
    values, shift, value = [], 0, 0
    for ch in segment:
        digit = _B64[ch]
        value += (digit & 31) << shift
        if digit & 32:
            shift += 5
        else:
            values.append(-(value >> 1) if value & 1 else value >> 1)
            shift = value = 0
    return values


def _named_columns(mappings: str) -> list[dict[int, int]]:
    """Per generated line: generated column -> name index, for segments that carry a name.
    (Every field but the generated column is relative to the previous segment, across lines.)"""
    lines: list[dict[int, int]] = []
    name = 0
    for line in mappings.split(";"):
        col = 0
        named: dict[int, int] = {}
        for seg in line.split(","):
            if not seg:
                continue
            v = _vlq(seg)
            col += v[0]
            if len(v) >= 5:
                name += v[4]
                named[col] = name
        lines.append(named)
    return lines


class Names:
    """`original(name, line, column)`: the source name of the minified function `name` that a
    profile places at (line, column), 0-based; `name` itself when the map has none."""

    def __init__(self, bundle: str, source_map: dict) -> None:
        self.lines = bundle.split("\n")
        self.names: list[str] = source_map["names"]
        self.named = _named_columns(source_map["mappings"])

    def original(self, name: str, line: int, column: int) -> str:
        if not name:
            return name
        # The page may load the bundle with a line or two before it (a module wrapper).
        for ln in (line, line - 1, line - 2, line + 1):
            if 0 <= ln < min(len(self.lines), len(self.named)):
                text = self.lines[ln]
                lo = max(0, column - _WINDOW)
                word = rf"(?<![\w$]){re.escape(name)}(?![\w$])"
                near = [m.start() for m in re.finditer(word, text[lo : column + _WINDOW])]
                for start in sorted(near, key=lambda s: abs(lo + s - column)):
                    k = self.named[ln].get(lo + start)
                    if k is not None:
                        return self.names[k]
        return name


def build() -> Names | None:
    """The package's bundle rebuilt with its source map; None where esbuild cannot run."""
    script = json.loads((JS / "package.json").read_text())["scripts"]["build"].split()
    if not script or script[0] != "esbuild":
        return None
    args = [a for a in script[1:] if not a.startswith("--outfile=")]
    with tempfile.TemporaryDirectory(prefix="lsw-names-") as tmp:
        out = pathlib.Path(tmp) / "widget.js"
        try:
            subprocess.run(
                [str(JS / "node_modules" / ".bin" / "esbuild"), *args]
                + [f"--outfile={out}", "--sourcemap=external", "--log-level=warning"],
                cwd=JS,
                check=True,
            )
        except (OSError, subprocess.CalledProcessError):
            return None
        return Names(out.read_text(), json.loads(out.with_suffix(".js.map").read_text()))
